/* cmd_test.c — `writ test FILE.yaml... [--target evm|wasm|all]`: reads each scenario, runs
 * its steps on the target(s) and reports a verdict per step against the scenario's lines.
 * With --target all every available target runs and their outcomes (returns, reverts,
 * events, storage, balances) must agree step by step. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

/* A target `writ test` can run scenarios on. */
typedef struct TestTarget {
    const char *name;
    bool (*available)(void);
    const char *missing;      /* why it cannot run when it is not available */
    int (*run)(Scenario *sc, ScOutcome *outcomes, FILE *out, FILE *err);
} TestTarget;

static bool evm_available(void) {
    return true;
}

static const TestTarget targets[] = {
    {"evm", evm_available, "evm target: not available", scen_run_evm},
    {"wasm", scen_wasm_available, "wasm target: the VM's contract mode is not built yet",
     scen_run_wasm},
};
enum { NTARGETS = sizeof targets / sizeof targets[0] };

static void free_outcomes(ScOutcome *o, int n) {
    for (int i = 0; o && i < n; i++)
        free(o[i].observed);
    free(o);
}

static const char *step_name(const ScStep *s, char *buf, size_t n) {
    snprintf(buf, n, "%.*s", (int)strcspn(s->call->text, "("), s->call->text);
    return buf;
}

/* Runs the scenario at `path` on the targets flagged in `use`; returns its exit status. */
static int test_file(const char *path, const bool *use) {
    Scenario sc;
    if (!scen_read(&sc, path, stderr)) {
        scen_free(&sc);
        return EXIT_INPUT;
    }
    ScOutcome *outcomes[NTARGETS] = {0};
    int status = EXIT_OK, first = -1;
    for (int t = 0; t < NTARGETS && status != EXIT_USAGE; t++) {
        if (!use[t])
            continue;
        outcomes[t] = calloc((size_t)sc.nsteps + 1, sizeof(ScOutcome));
        if (!outcomes[t]) {
            fprintf(stderr, "writ test: out of memory\n");
            status = EXIT_USAGE;
            break;
        }
        int s = targets[t].run(&sc, outcomes[t], stdout, stderr);
        if (s > status)
            status = s;
        if (s == EXIT_USAGE || sc.errors)
            break;
        int passed = 0;
        for (int i = 0; i < sc.nsteps; i++)
            passed += outcomes[t][i].ran && outcomes[t][i].pass;
        printf("%s: %s: %d/%d steps passed\n", path, targets[t].name, passed, sc.nsteps);
        if (first < 0) {
            first = t;
            continue;
        }
        /* Targets must agree on what each step did, whatever the expectations said. */
        for (int i = 0; i < sc.nsteps; i++) {
            const ScOutcome *a = &outcomes[first][i], *b = &outcomes[t][i];
            if (a->ran && b->ran && strcmp(a->observed, b->observed) != 0) {
                char name[256];
                printf("%s:%d: %s: DISAGREE: %s: %s; %s: %s\n", path, sc.steps[i].at->line,
                       step_name(&sc.steps[i], name, sizeof name), targets[first].name,
                       a->observed, targets[t].name, b->observed);
                status = status > EXIT_INPUT ? status : EXIT_INPUT;
            }
        }
    }
    for (int t = 0; t < NTARGETS; t++)
        free_outcomes(outcomes[t], sc.nsteps);
    scen_free(&sc);
    return status;
}

bool cli_test_keep_checks;

int cmd_test(int argc, char **argv) {
    const char *target = "evm";
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--target") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("test", "--target needs evm, wasm or all");
            target = argv[++i];
        } else if (strncmp(a, "--target=", 9) == 0) {
            target = a + 9;
        } else if (strcmp(a, "--keep-checks") == 0) {
            cli_test_keep_checks = true; /* contracts are built as `writ build --keep-checks` */
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("test", "unknown option '%s'", a);
        } else {
            nfiles++;
        }
    }
    bool use[NTARGETS] = {0};
    bool all = strcmp(target, "all") == 0, any = false;
    for (int t = 0; t < NTARGETS; t++) {
        if (!all && strcmp(target, targets[t].name) != 0)
            continue;
        if (!targets[t].available()) {
            if (!all) {
                fprintf(stderr, "writ test: %s\n", targets[t].missing);
                return EXIT_USAGE;
            }
            fprintf(stderr, "writ test: all: %s; skipped\n", targets[t].missing);
            continue;
        }
        use[t] = any = true;
    }
    if (!any && !all)
        return cli_usage_error("test", "unknown target '%s' (evm, wasm or all)", target);
    if (nfiles == 0)
        return cli_usage_error("test", "no scenario file");
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--target") == 0) {
            i++;
            continue;
        }
        if (argv[i][0] == '-' && argv[i][1])
            continue;
        int s = test_file(argv[i], use);
        if (s > status)
            status = s;
    }
    return status;
}
