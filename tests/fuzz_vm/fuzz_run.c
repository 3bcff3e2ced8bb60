/* fuzz_run.c — libFuzzer target: load, instantiate (imports satisfied by matching host
 * objects) and call every exported function with zero arguments, under fuel, memory, table
 * and stack limits so that every run ends quickly. */
#include <string.h>

#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static VmStatus host_nop(void *ud, uint64_t *args, uint64_t *results) {
    (void)ud; (void)args; (void)results;
    return VM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    VmLimits lim = vm_default_limits();
    lim.fuel = 20000;
    lim.memory_pages = 64;
    lim.table_size = 10000;
    lim.call_depth = 500;
    lim.stack_slots = 1 << 16;
    VmStore *s = vm_store_new(&lim);
    if (!s) return 0;
    VmModule *m;
    VmInstance *inst;
    VmError err;
    VmExtern imports[64];
    if (vm_module_load(s, data, size, &m, &err) != VM_OK) goto out;
    uint32_t n = vm_module_import_count(m);
    if (n > 64) goto out;
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name;
        size_t ml, nl;
        uint8_t kind;
        vm_module_import(m, i, &mod, &ml, &name, &nl, &kind);
        imports[i].kind = kind;
        switch (kind) {
        case VM_EXTERN_FUNC: imports[i].ptr = vm_host_func_new(s, "", "", host_nop, NULL); break;
        case VM_EXTERN_TABLE: imports[i].ptr = vm_table_new(s, VM_FUNCREF, 10, 20, true); break;
        case VM_EXTERN_MEMORY: imports[i].ptr = vm_memory_new(s, 1, 2, true); break;
        default: imports[i].ptr = vm_global_new(s, VM_I32, false, 666); break;
        }
    }
    if (vm_instantiate(s, m, imports, n, &inst, &err) != VM_OK) goto out;
    uint32_t ne = vm_instance_export_count(inst);
    for (uint32_t i = 0; i < ne && i < 32; i++) {
        VmExtern x;
        vm_instance_export_name(inst, i, &x);
        if (x.kind != VM_EXTERN_FUNC) continue;
        VmFunc *f = x.ptr;
        uint32_t np = vm_func_param_count(f), nr = vm_func_result_count(f);
        VmValue args[16], res[16];
        if (np > 16 || nr > 16) continue;
        for (uint32_t k = 0; k < np; k++) { args[k].type = vm_func_param_type(f, k); args[k].bits = k; }
        for (uint32_t k = 0; k < np; k++)
            if (args[k].type == VM_FUNCREF || args[k].type == VM_EXTERNREF) args[k].bits = 0;
        (void)vm_invoke(s, f, args, np, res, nr);
    }
out:
    vm_store_free(s);
    return 0;
}
