/* vm_pending.c — stands in for cli/cmd_vm.c while the VM lands; deleted with it. */
#include "cli.h"
__attribute__((weak)) int cmd_vm(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "writ vm: not built yet\n");
    return EXIT_USAGE;
}
