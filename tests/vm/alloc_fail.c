/* alloc_fail.c — makes the VM's allocation hook fail at the Nth call, for every N a full
 * load/instantiate/invoke run needs, and checks each run ends in an error status with
 * nothing leaked (live allocations counted through the hook). */
#include <stdio.h>
#include <stdlib.h>

#include "vm/vm.h"

/* (module (type (func (param i32) (result i32))) (func (type 0) local.get 0 i32.const 1 i32.add)
 *  (table 2 funcref) (memory 1) (global (mut i32) (i32.const 7)) (export "f" (func 0))
 *  (elem (i32.const 0) 0) (data (i32.const 0) "hi")) */
static const uint8_t module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x02,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b,
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00,
    0x09, 0x07, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00,
    0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b,
    0x0b, 0x08, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x68, 0x69,
};

typedef struct { long calls, fail_at, live; } Counter;

static void *counting_alloc(void *ud, void *ptr, size_t size) {
    Counter *c = ud;
    if (size == 0) {
        if (ptr) c->live--;
        free(ptr);
        return NULL;
    }
    if (++c->calls == c->fail_at) return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr) c->live++;
    return p;
}

/* One full run; returns 1 on success, 0 on a clean error, -1 on a wrong result. */
static int run_once(void) {
    VmStore *s = vm_store_new(NULL);
    if (!s) return 0;
    VmModule *m;
    VmInstance *inst;
    VmError err;
    int rc = 0;
    if (vm_module_load(s, module, sizeof module, &m, &err) != VM_OK) {
        if (err.status != VM_OUT_OF_MEMORY) { fprintf(stderr, "load: %s\n", err.msg); rc = -1; }
        goto out;
    }
    VmStatus st = vm_instantiate(s, m, NULL, 0, &inst, &err);
    if (st != VM_OK) {
        if (st != VM_OUT_OF_MEMORY) { fprintf(stderr, "instantiate: %s\n", err.msg); rc = -1; }
        goto out;
    }
    VmExtern x;
    if (vm_instance_export(inst, "f", &x) != VM_OK) { rc = -1; goto out; }
    VmValue arg = { VM_I32, 41 }, res;
    st = vm_invoke(s, x.ptr, &arg, 1, &res, 1);
    if (st == VM_OUT_OF_MEMORY) goto out;
    if (st != VM_OK || res.bits != 42) { rc = -1; goto out; }
    rc = 1;
out:
    vm_store_free(s);
    return rc;
}

int main(void) {
    Counter c = { 0, 0, 0 };
    vm_set_alloc(counting_alloc, &c);
    if (run_once() != 1 || c.live != 0) {
        fprintf(stderr, "baseline run failed (live allocations: %ld)\n", c.live);
        return 1;
    }
    long total = c.calls;
    int bad = 0;
    for (long n = 1; n <= total + 1; n++) {
        c.calls = 0; c.fail_at = n; c.live = 0;
        int rc = run_once();
        if (rc < 0 || c.live != 0 || (rc == 1 && n <= total)) {
            fprintf(stderr, "failing allocation %ld of %ld: result %d, %ld allocations leaked\n", n, total, rc, c.live);
            bad++;
        }
    }
    vm_set_alloc(NULL, NULL);
    printf("allocation failure at each of %ld calls: %s\n", total, bad ? "FAILED" : "ok");
    return bad != 0;
}
