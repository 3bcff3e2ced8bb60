/* vmtool.c — a standalone `writ vm` for tests: the same entry points, linked against writ_vm
 * only, so the VM's tests do not depend on the rest of the toolchain building. */
#include "vm/vm.h"

int main(int argc, char **argv) { return cmd_vm(argc, argv); }
