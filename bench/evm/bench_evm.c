/* bench_evm.c — the EVM benchmark: times whole `writ build FILE --target evm` processes on
 * the token (median of --runs, target <= 20 ms), then runs gas.mjs, which executes the
 * reference call spec on solc's two builds of Token.sol and on Writ's two builds in the same
 * run on the oracle EVM (@ethereumjs/evm) and prints each figure with the ratio.
 *
 * Writ's two builds: "all checks" keeps every runtime check (issue 4's rule for the
 * backend); "default" is what `writ build` gives by default, with the checks the verifier
 * proves unreachable removed. When `writ build` knows --keep-checks (the build runs the
 * verifier itself), the two are `writ build --keep-checks` and `writ build`; before that,
 * the plain `writ build` keeps every check and the default build is made here, in this
 * process: frontend, the CLI's IR passes, ver_module_verify (checks only) and
 * ver_mark_proven, then the EVM backend.
 * The oracle is installed on first use by tests/oracle/setup.sh (node and npm needed). */
#define _POSIX_C_SOURCE 200809L
#include "bench_evm.h"
#include "bench_proc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends/evm/evm.h"
#include "frontend/frontend.h"
#include "verify/verify.h"

#ifndef WRIT_BENCH_EVM_DIR
#define WRIT_BENCH_EVM_DIR "bench/evm"
#endif
#ifndef WRIT_BENCH_EVM_INPUT
#define WRIT_BENCH_EVM_INPUT "examples/erc20.writ"
#endif
#ifndef WRIT_BENCH_EVM_SETUP
#define WRIT_BENCH_EVM_SETUP "tests/oracle/setup.sh"
#endif
#ifndef WRIT_BENCH_EVM_SHARED
#define WRIT_BENCH_EVM_SHARED "../shared"
#endif
#ifndef WRIT_BENCH_EVM_STDLIB
#define WRIT_BENCH_EVM_STDLIB "stdlib"
#endif
#ifndef WRIT_BENCH_EVM_ORACLE
#define WRIT_BENCH_EVM_ORACLE "build/oracle"
#endif

enum { MAX_RUNS = 1000 };

typedef struct Opts {
    const char *writ, *input, *contract, *shared, *oracle;
    int runs;
    bool enforce;
} Opts;

static void usage(FILE *out, const char *prog) {
    fprintf(out,
            "usage: %s [options]\n"
            "Compile time of a contract to EVM (whole `writ build` processes) and its gas and\n"
            "size on the oracle EVM against solc's reference builds of Token.sol.\n"
            "  --writ PATH       the writ executable (default: this process when it is writ)\n"
            "  --input FILE      contract source (default %s)\n"
            "  --contract NAME   contract in FILE (default Token)\n"
            "  --shared DIR      shared folder with oracles/evm (default $WRIT_SHARED, else %s)\n"
            "  --oracle DIR      where the oracle is installed (default %s)\n"
            "  --runs N          compile runs, median reported (default 20, at most %d)\n"
            "  --enforce         exit 1 when a target is missed\n",
            prog, WRIT_BENCH_EVM_INPUT, WRIT_BENCH_EVM_SHARED, WRIT_BENCH_EVM_ORACLE, MAX_RUNS);
}

static bool parse_opts(int argc, char **argv, Opts *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--writ") && val)
            o->writ = val, i++;
        else if (!strcmp(a, "--input") && val)
            o->input = val, i++;
        else if (!strcmp(a, "--contract") && val)
            o->contract = val, i++;
        else if (!strcmp(a, "--shared") && val)
            o->shared = val, i++;
        else if (!strcmp(a, "--oracle") && val)
            o->oracle = val, i++;
        else if (!strcmp(a, "--runs") && val)
            o->runs = atoi(val), i++;
        else if (!strcmp(a, "--enforce"))
            o->enforce = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, argv[0]);
            exit(0);
        } else {
            fprintf(stderr, "%s: unknown or incomplete option '%s'\n", argv[0], a);
            usage(stderr, argv[0]);
            return false;
        }
    }
    if (o->runs < 1 || o->runs > MAX_RUNS) {
        fprintf(stderr, "%s: --runs must be between 1 and %d\n", argv[0], MAX_RUNS);
        return false;
    }
    return true;
}

/* Runs argv to completion (stdout to /dev/null when quiet, stderr too when silent);
 * returns its exit status, or -1 when it could not run. */
static double last_cpu_ms; /* user + system time of the last child run */

static int run_silent(char *const *argv, bool quiet, bool silent) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stdout))
            _exit(127);
        if (silent && !freopen("/dev/null", "w", stderr))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st))
        return -1;
    last_cpu_ms = bench_cpu_ms(&ru);
    return WEXITSTATUS(st);
}

static int run(char *const *argv, bool quiet) {
    return run_silent(argv, quiet, false);
}

/* The default build made in this process (see the top of the file): DIR/CONTRACT.json with
 * the checks the verifier proved left out. Sets *ms to the time it took. false on failure
 * (diagnostics printed). */
static bool build_proven_in_process(const Opts *o, const char *dir, double *ms) {
    double t0 = bench_now_ms();
    const char *env = getenv("WRIT_STDLIB");
    Compilation c;
    fe_init(&c, env && *env ? env : WRIT_BENCH_EVM_STDLIB);
    bool ok = fe_load(&c, o->input) && fe_check(&c) && fe_lower(&c), found = false;
    for (int i = 0; ok && i < c.nmodules; i++) {
        IrModule *m = c.modules[i];
        if (strcmp(m->name, o->contract) != 0)
            continue;
        found = true;
        ok = ir_optimize(m, NULL, false, &c.diags);
        if (!ok)
            break;
        VerReport rep = {0};
        ver_module_verify(m, &(VerOptions){.only_func = -1, .checks_only = true}, &rep);
        ver_mark_proven(&rep);
        Arena arena;
        arena_init(&arena);
        EvmOutput out;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.json", dir, m->name);
        ok = evm_compile(m, &arena, &c.diags, &(EvmOptions){0}, &out) &&
             evm_write_artifact(m, &out, path);
        arena_free(&arena);
    }
    diag_print(&c.diags, stderr);
    fe_free(&c);
    *ms = bench_now_ms() - t0;
    if (ok && !found)
        fprintf(stderr, "writ-bench-evm: no contract %s in %s\n", o->contract, o->input);
    return ok && found;
}

/* Median of n whole-process runs of argv (stdout discarded), wall time; *min its minimum,
 * *cpu the median CPU time (user + system: what the machine's load does not change).
 * -1 when a run fails. */
static double time_runs(char *const *argv, int n, double *ms, double *min, double *cpu) {
    double *c = calloc((size_t)n, sizeof *c);
    for (int r = 0; r < n; r++) {
        double t0 = bench_now_ms();
        if (run(argv, true) != 0) {
            free(c);
            return -1;
        }
        ms[r] = bench_now_ms() - t0;
        c[r] = last_cpu_ms;
    }
    double median = bench_median(ms, n); /* ms sorted */
    *min = ms[0];
    *cpu = bench_median(c, n);
    free(c);
    return median;
}

int bench_evm(int argc, char **argv) {
    Opts o = {.input = WRIT_BENCH_EVM_INPUT, .contract = "Token", .oracle = WRIT_BENCH_EVM_ORACLE,
              .runs = 20};
    o.shared = getenv("WRIT_SHARED") ? getenv("WRIT_SHARED") : WRIT_BENCH_EVM_SHARED;
    if (!parse_opts(argc, argv, &o))
        return 2;
    char self[4096];
    if (!o.writ && !(o.writ = bench_self_writ(self, sizeof self))) {
        fprintf(stderr, "%s: give the writ executable with --writ PATH\n", argv[0]);
        return 2;
    }
    char tmp[] = "/tmp/writ-bench-evm-XXXXXX";
    if (!mkdtemp(tmp)) {
        perror("mkdtemp");
        return 2;
    }
    int status = 2;
    double *ms = calloc((size_t)o.runs, sizeof *ms);
    char kept_dir[4200], dflt_dir[4200], kept[4200], dflt[4200];
    char refdir[4200], marker[4200], compile[32], compile_dflt[32];
    snprintf(kept_dir, sizeof kept_dir, "%s/kept", tmp);
    snprintf(dflt_dir, sizeof dflt_dir, "%s/default", tmp);
    snprintf(kept, sizeof kept, "%s/%s.json", kept_dir, o.contract);
    snprintf(dflt, sizeof dflt, "%s/%s.json", dflt_dir, o.contract);
    snprintf(refdir, sizeof refdir, "%s/oracles/evm/reference", o.shared);
    snprintf(marker, sizeof marker, "%s/.installed", o.oracle);
    /* Does `writ build` know --keep-checks (the build proves checks by default)? Usage
     * errors exit 2. */
    char *probe[] = {(char *)o.writ, "build", (char *)o.input, "--target", "evm", "-o", kept_dir,
                     "--keep-checks", NULL};
    bool has_keep = run_silent(probe, true, true) != 2;
    char *build_kept[] = {(char *)o.writ, "build", (char *)o.input, "--target", "evm", "-o", kept_dir,
                          has_keep ? "--keep-checks" : NULL, NULL};
    char *build_dflt[] = {(char *)o.writ, "build", (char *)o.input, "--target", "evm", "-o", dflt_dir,
                          NULL};
    double min, cpu, median = time_runs(build_kept, o.runs, ms, &min, &cpu);
    if (median < 0) {
        fprintf(stderr, "%s: '%s build %s --target evm' failed\n", argv[0], o.writ, o.input);
        goto done;
    }
    printf("compile %s to EVM, every check kept, whole process: median %.2f ms, min %.2f ms "
           "over %d runs (CPU %.2f ms)\n", o.input, median, min, o.runs, cpu);
    snprintf(compile, sizeof compile, "%.3f", median);
    if (has_keep) {
        double dmin, dcpu, dmed = time_runs(build_dflt, o.runs, ms, &dmin, &dcpu);
        if (dmed < 0) {
            fprintf(stderr, "%s: '%s build %s --target evm' failed\n", argv[0], o.writ, o.input);
            goto done;
        }
        printf("compile %s to EVM, default build (verifier's proven checks removed), whole "
               "process: median %.2f ms, min %.2f ms over %d runs (CPU %.2f ms)\n", o.input, dmed,
               dmin, o.runs, dcpu);
        snprintf(compile_dflt, sizeof compile_dflt, "%.3f", dmed);
    } else {
        double dms;
        if (mkdir(dflt_dir, 0777) != 0 || !build_proven_in_process(&o, dflt_dir, &dms)) {
            fprintf(stderr, "%s: the default build (verified checks) of %s failed\n", argv[0],
                    o.input);
            goto done;
        }
        printf("default build (verifier's proven checks removed) made in this process: %.2f ms "
               "(`writ build` has no --keep-checks yet: it keeps every check)\n", dms);
        snprintf(compile_dflt, sizeof compile_dflt, "-");
    }
    struct stat sb;
    if (stat(marker, &sb) != 0) {
        char *setup[] = {"sh", WRIT_BENCH_EVM_SETUP, (char *)o.shared, (char *)o.oracle, NULL};
        if (run(setup, false) != 0 || stat(marker, &sb) != 0) {
            fprintf(stderr, "%s: the EVM oracle is not installed in %s (node and npm needed)\n",
                    argv[0], o.oracle);
            goto done;
        }
    }
    char *gas[] = {"node", WRIT_BENCH_EVM_DIR "/gas.mjs", (char *)o.oracle, kept, refdir, compile,
                   "--default", dflt, "--default-compile", compile_dflt,
                   o.enforce ? "--enforce" : NULL, NULL};
    int rc = run(gas, false);
    status = rc == 0 ? 0 : rc == 1 || rc == 3 ? 1 : 2;
done:
    free(ms);
    unlink(kept);
    unlink(dflt);
    rmdir(kept_dir);
    rmdir(dflt_dir);
    rmdir(tmp);
    return status;
}
