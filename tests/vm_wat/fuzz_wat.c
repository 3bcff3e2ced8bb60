/* fuzz_wat.c — libFuzzer target: read arbitrary text as a WAT module and, when it reads,
 * decode + validate the binary it produced. No crash, hang or leak on any input; an accepted
 * text must give a binary the decoder can judge (any status). */
#include <stdio.h>
#include <stdlib.h>

#include "vm/vm.h"
#include "vm/wat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *bin;
    size_t len;
    VmError err;
    if (vm_wat_to_wasm((const char *)data, size, &bin, &len, &err) != VM_OK) {
        if (err.msg[0] == 0) abort(); /* every rejection says why */
        return 0;
    }
    VmStore *s = vm_store_new(NULL);
    if (s) {
        VmModule *m;
        (void)vm_module_load(s, bin, len, &m, &err);
        vm_store_free(s);
    }
    vm_wat_free(bin);
    return 0;
}
