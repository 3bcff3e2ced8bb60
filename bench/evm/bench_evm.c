/* bench_evm.c — the EVM benchmark: times whole `writ build FILE --target evm` processes on
 * the token (median of --runs, target <= 20 ms), then runs gas.mjs, which executes the
 * reference call spec on solc's two builds of Token.sol and on Writ's build in the same
 * run on the oracle EVM (@ethereumjs/evm) and prints each figure for both with the ratio.
 * The oracle is installed on first use by tests/oracle/setup.sh (node and npm needed). */
#define _POSIX_C_SOURCE 200809L
#include "bench_evm.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs argv to completion (stdout to /dev/null when quiet); returns its exit status, or
 * -1 when it could not run. */
static int run(char *const *argv, bool quiet) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (quiet && !freopen("/dev/null", "w", stdout))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The writ executable when none is given: this process, if it is writ. */
static const char *self_writ(char *buf, size_t n) {
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0)
        return NULL;
    buf[k] = 0;
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    return !strcmp(base, "writ") ? buf : NULL;
}

int bench_evm(int argc, char **argv) {
    Opts o = {.input = WRIT_BENCH_EVM_INPUT, .contract = "Token", .oracle = WRIT_BENCH_EVM_ORACLE,
              .runs = 20};
    o.shared = getenv("WRIT_SHARED") ? getenv("WRIT_SHARED") : WRIT_BENCH_EVM_SHARED;
    if (!parse_opts(argc, argv, &o))
        return 2;
    char self[4096];
    if (!o.writ && !(o.writ = self_writ(self, sizeof self))) {
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
    char artifact[4200], refdir[4200], marker[4200], compile[32];
    snprintf(artifact, sizeof artifact, "%s/%s.json", tmp, o.contract);
    snprintf(refdir, sizeof refdir, "%s/oracles/evm/reference", o.shared);
    snprintf(marker, sizeof marker, "%s/.installed", o.oracle);
    char *build[] = {(char *)o.writ, "build", (char *)o.input, "--target", "evm", "-o", tmp, NULL};
    for (int r = 0; r < o.runs; r++) {
        double t0 = now();
        if (run(build, true) != 0) {
            fprintf(stderr, "%s: '%s build %s --target evm' failed\n", argv[0], o.writ, o.input);
            goto done;
        }
        ms[r] = (now() - t0) * 1e3;
    }
    qsort(ms, (size_t)o.runs, sizeof *ms, cmp_double);
    double median = ms[o.runs / 2];
    printf("compile %s to EVM, whole process: median %.2f ms, min %.2f ms over %d runs\n",
           o.input, median, ms[0], o.runs);
    struct stat sb;
    if (stat(marker, &sb) != 0) {
        char *setup[] = {"sh", WRIT_BENCH_EVM_SETUP, (char *)o.shared, (char *)o.oracle, NULL};
        if (run(setup, false) != 0 || stat(marker, &sb) != 0) {
            fprintf(stderr, "%s: the EVM oracle is not installed in %s (node and npm needed)\n",
                    argv[0], o.oracle);
            goto done;
        }
    }
    snprintf(compile, sizeof compile, "%.3f", median);
    char *gas[] = {"node", WRIT_BENCH_EVM_DIR "/gas.mjs", (char *)o.oracle, artifact, refdir,
                   compile, o.enforce ? "--enforce" : NULL, NULL};
    int rc = run(gas, false);
    status = rc == 0 ? 0 : rc == 1 || rc == 3 ? 1 : 2;
done:
    free(ms);
    unlink(artifact);
    rmdir(tmp);
    return status;
}
