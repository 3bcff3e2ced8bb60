/* cmd_vm.c — `writ vm`: dispatches to the VM's command-line entry points (vm/spec.c for
 * `spec`, vm/run.c for `run`). */
#include <stdio.h>
#include <string.h>

#include "vm/vm.h"

static const char usage[] =
    "usage: writ vm run FILE.wasm|FILE.wat [--invoke NAME] [ARGS...]\n"
    "       writ vm spec DIR [--file NAME] [-v]\n"
    "\n"
    "'run' instantiates a module (binary, or text read by the WAT reader when the name ends\n"
    "in .wat) and calls an export, printing its results.\n"
    "'spec' runs the official WebAssembly spec tests (wast2json JSON) found in DIR (the\n"
    "wasm-spec folder or its json/ folder) and prints passed/failed/skipped per file;\n"
    "-v lists each failure.\n";

int cmd_vm(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "run") == 0) return vm_run_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "spec") == 0) return vm_spec_main(argc - 1, argv + 1);
    fprintf(stderr, "writ vm: unknown subcommand '%s'\n%s", argv[1], usage);
    return 2;
}
