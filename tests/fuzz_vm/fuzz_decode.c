/* fuzz_decode.c — libFuzzer target: decode + validate + pre-compile arbitrary bytes. Any
 * input must end in VM_OK or an error status: no crash, hang or leak. */
#include "vm/vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    VmStore *s = vm_store_new(NULL);
    if (!s) return 0;
    VmModule *m;
    VmError err;
    (void)vm_module_load(s, data, size, &m, &err);
    vm_store_free(s);
    return 0;
}
