/* cmd_test.c — `writ test FILE.yaml... [--target evm|wasm|all]`: reads each scenario, runs
 * its steps on the target(s) and reports a verdict per step against the scenario's lines.
 * With --target all every available target runs and their outcomes (returns, reverts,
 * events, storage) must agree step by step. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

typedef enum TestTarget { TT_EVM, TT_WASM, TT_ALL, TT_COUNT } TestTarget;

static const char *const wasm_missing =
    "wasm target: the VM's contract mode is not built yet";

static void free_outcomes(ScOutcome *o, int n) {
    for (int i = 0; o && i < n; i++)
        free(o[i].observed);
    free(o);
}

/* Runs one scenario file; returns its exit status. */
static int test_file(const char *path, TestTarget target) {
    Scenario sc;
    if (!scen_read(&sc, path, stderr)) {
        scen_free(&sc);
        return EXIT_INPUT;
    }
    int status;
    ScOutcome *evm = calloc((size_t)sc.nsteps + 1, sizeof *evm);
    if (!evm) {
        fprintf(stderr, "writ test: out of memory\n");
        scen_free(&sc);
        return EXIT_USAGE;
    }
    status = scen_run_evm(&sc, evm, stdout, stderr);
    if (status != EXIT_USAGE && sc.errors == 0) {
        int passed = 0;
        for (int i = 0; i < sc.nsteps; i++)
            passed += evm[i].ran && evm[i].pass;
        printf("%s: evm: %d/%d steps passed\n", path, passed, sc.nsteps);
    }
    if (target == TT_ALL && status != EXIT_USAGE && sc.errors == 0) {
        /* A second target's outcomes would be compared with evm[i].observed here. */
        printf("%s: all: only the evm target ran (%s)\n", path, wasm_missing);
    }
    free_outcomes(evm, sc.nsteps);
    scen_free(&sc);
    return status;
}

int cmd_test(int argc, char **argv) {
    TestTarget target = TT_EVM;
    const char **files = calloc((size_t)argc, sizeof *files);
    int nfiles = 0;
    if (!files)
        return EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *t = NULL;
        if (strcmp(a, "--target") == 0) {
            if (i + 1 >= argc) {
                free(files);
                return cli_usage_error("test", "--target needs evm, wasm or all");
            }
            t = argv[++i];
        } else if (strncmp(a, "--target=", 9) == 0) {
            t = a + 9;
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return cli_usage_error("test", "unknown option '%s'", a);
        } else {
            files[nfiles++] = a;
        }
        if (t) {
            if (strcmp(t, "evm") == 0)
                target = TT_EVM;
            else if (strcmp(t, "wasm") == 0)
                target = TT_WASM;
            else if (strcmp(t, "all") == 0)
                target = TT_ALL;
            else {
                free(files);
                return cli_usage_error("test", "unknown target '%s' (evm, wasm or all)", t);
            }
        }
    }
    if (nfiles == 0) {
        free(files);
        return cli_usage_error("test", "no scenario file");
    }
    if (target == TT_WASM && !scen_wasm_available()) {
        free(files);
        fprintf(stderr, "writ test: %s\n", wasm_missing);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        int s = test_file(files[i], target);
        if (s > status)
            status = s;
    }
    free(files);
    return status;
}
