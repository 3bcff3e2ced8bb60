/* bench_contract.c — contract-mode benchmarks (prints, never asserts):
 *   7b  instantiate + first call of a one-page module: cold (store, load, instantiate,
 *       invoke, free) through vm.h, and a call of a deployed contract through contract.h
 *       (reset to the instantiated state + invoke);
 *   7c  ERC20 transfers through the VM with the in-memory state, transfers/s.
 * Times are process CPU time.
 *   usage: bench_vm_contract ROOT [SECONDS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontend/frontend.h"
#include "backends/wasm/wasm.h"
#include "vm/contract.h"

/* CPU time of the process: the machine is shared, wall time measures the neighbours too */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* (memory (export "memory") 1) (func (export "user_entrypoint") (param i32) (result i32) i32.const 0) */
static const uint8_t one_page[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00,
    0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x1c, 0x02, 0x0f, 'u','s','e','r','_','e','n','t','r','y','p','o','i','n','t', 0x00, 0x00,
    0x06, 'm','e','m','o','r','y', 0x02, 0x00,
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b,
};

static uint8_t *compile(const char *root, size_t *n) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/examples/erc20.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Compilation c;
    uint8_t *bytes = NULL;
    fe_init(&c, lib);
    if (fe_load(&c, src) && fe_check(&c) && fe_lower(&c))
        for (int i = 0; i < c.nmodules; i++) {
            WbOutput out;
            WbOptions opt = {0};
            if (strcmp(c.modules[i]->name, "Token")) continue;
            if (ir_optimize(c.modules[i], NULL, false, &c.diags) && wb_compile(c.modules[i], &opt, &out, &c.diags)) {
                bytes = malloc(out.nwasm); memcpy(bytes, out.wasm, out.nwasm); *n = out.nwasm;
            }
        }
    if (!bytes) diag_print(&c.diags, stderr);
    fe_free(&c);
    return bytes;
}

static void put_addr(uint8_t *w, const VmcAddr *a) { memset(w, 0, 12); memcpy(w + 12, a->b, 20); }
static void put_u64(uint8_t *w, uint64_t x) { memset(w, 0, 32); for (int i = 0; i < 8; i++) w[31 - i] = (uint8_t)(x >> (8 * i)); }

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : ".";
    double secs = argc > 2 ? atof(argv[2]) : 1.0;

    /* 7b cold: everything through vm.h */
    long n = 0;
    double t0 = now(), t;
    bool only_c = getenv("BENCH_ONLY_7C") != NULL; /* for profiling */
    VmcChain *c;
    VmcAddr O = {{0}}, A = {{0}}, B = {{0}};
    O.b[19] = 1; A.b[19] = 2; B.b[19] = 3;
    VmcResult res;
    if (only_c) goto erc20;
    do {
        for (int k = 0; k < 100; k++, n++) {
            VmStore *s = vm_store_new(NULL);
            VmModule *m; VmInstance *in; VmExtern e;
            VmValue a = { VM_I32, 0 }, r;
            if (vm_module_load(s, one_page, sizeof one_page, &m, NULL) || vm_instantiate(s, m, NULL, 0, &in, NULL) ||
                vm_instance_export(in, "user_entrypoint", &e) || vm_invoke(s, e.ptr, &a, 1, &r, 1)) {
                fprintf(stderr, "one-page module failed\n");
                return 1;
            }
            vm_store_free(s);
        }
    } while ((t = now() - t0) < secs);
    printf("7b  one-page module, new store + load + instantiate + first call: %.2f us\n", t / (double)n * 1e6);

    /* 7b through contract mode: instantiate once at deploy, then each call starts from
     * the instantiated state (memory image and globals restored) */
    c = vmc_chain_new(NULL);
    VmcTx tx = { .from = O, .gas = 1000000 };
    if (vmc_deploy(c, &tx, one_page, sizeof one_page, &res) != VM_OK) { fprintf(stderr, "deploy: %s\n", res.msg); return 1; }
    tx.to = res.created;
    n = 0; t0 = now();
    do {
        for (int k = 0; k < 1000; k++, n++) vmc_call(c, &tx, &res);
    } while ((t = now() - t0) < secs);
    printf("7b  one-page contract, call (reset to instantiated state + run): %.2f us\n", t / (double)n * 1e6);
    n = 0; t0 = now();
    do {
        for (int k = 0; k < 100; k++, n++) {
            VmcChain *c1 = vmc_chain_new(NULL);
            VmcTx d = { .from = O, .gas = 1000000 };
            vmc_deploy(c1, &d, one_page, sizeof one_page, &res);
            d.to = res.created;
            vmc_call(c1, &d, &res);
            vmc_chain_free(c1);
        }
    } while ((t = now() - t0) < secs);
    printf("7b  one-page contract, new chain + deploy + first call: %.2f us\n", t / (double)n * 1e6);
    vmc_chain_free(c);

    /* 7c ERC20 transfers */
erc20:;
    size_t nw = 0;
    uint8_t *w = compile(root, &nw);
    if (!w) return 1;
    c = vmc_chain_new(NULL);
    uint8_t args[192];
    put_u64(args, 0x40); put_u64(args + 32, 0x80); put_u64(args + 64, 1); put_u64(args + 96, 0);
    args[96] = 'T'; put_u64(args + 128, 1); put_u64(args + 160, 0); args[160] = 'T';
    VmcTx dep = { .from = O, .data = args, .len = sizeof args, .gas = 10000000, .constructor = true };
    if (vmc_deploy(c, &dep, w, nw, &res) != VM_OK) { fprintf(stderr, "erc20 deploy: %s\n", res.msg); return 1; }
    VmcAddr T = res.created;
    uint8_t cd[68], h[32];
    keccak256("mint(address,uint256)", 21, h); memcpy(cd, h, 4); put_addr(cd + 4, &A); put_u64(cd + 36, 1000000000);
    VmcTx mt = { .from = O, .to = T, .data = cd, .len = 68, .gas = 10000000 };
    if (vmc_call(c, &mt, &res) != VM_OK) { fprintf(stderr, "mint: %s\n", res.msg); return 1; }
    uint8_t ab[68], ba[68];
    keccak256("transfer(address,uint256)", 25, h);
    memcpy(ab, h, 4); put_addr(ab + 4, &B); put_u64(ab + 36, 1);
    memcpy(ba, h, 4); put_addr(ba + 4, &A); put_u64(ba + 36, 1);
    VmcTx t1 = { .from = A, .to = T, .data = ab, .len = 68, .gas = 1000000 };
    VmcTx t2 = { .from = B, .to = T, .data = ba, .len = 68, .gas = 1000000 };
    if (vmc_call(c, &t1, &res) != VM_OK) { fprintf(stderr, "transfer: %s\n", res.msg); return 1; }
    uint64_t gas = res.gas_used;
    n = 0; t0 = now();
    do {
        for (int k = 0; k < 1000; k++, n += 2) {
            if (vmc_call(c, &t2, &res) != VM_OK || vmc_call(c, &t1, &res) != VM_OK) { fprintf(stderr, "transfer failed\n"); return 1; }
        }
    } while ((t = now() - t0) < secs);
    printf("7c  erc20 transfer (%zu-byte module, %llu gas each): %.0f transfers/s (%.2f us each)\n",
           nw, (unsigned long long)gas, (double)n / t, t / (double)n * 1e6);
    vmc_chain_free(c);
    free(w);
    return 0;
}
