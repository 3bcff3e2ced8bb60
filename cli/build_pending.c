/* build_pending.c — stands in for cli/cmd_build.c while the EVM backend lands; deleted with it. */
#include "cli.h"
__attribute__((weak)) int cmd_build(int argc, char **argv) {
    (void)argc;
    (void)argv;
    fprintf(stderr, "writ build: not built yet\n");
    return EXIT_USAGE;
}
