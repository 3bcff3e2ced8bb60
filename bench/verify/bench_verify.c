/* bench_verify.c — the verifier benchmark (issue 5, item 8). Times whole `writ verify`
 * processes with the cache off (`--no-cache`), each with its verdicts counted:
 *
 *   1. the ERC20 example (examples/erc20.writ), every spec and check and the default
 *      multi-transaction search, on one core (`--jobs 1`): median of --runs; the target,
 *      <= 1 s, is judged on CPU time (user + system, which the machine's load does not
 *      change; the wall time is printed beside it);
 *   2. each file alone (`--jobs 1`, one run): its time and verdicts, to see which one costs;
 *   3. all the files together with 2 jobs (`--jobs 2`): median of --runs; the target, <= 5 s,
 *      is judged on wall time (that is what the jobs are for; CPU printed beside it).
 *
 * The files are the arguments, by default every .writ file in examples/. A run that takes longer
 * than --timeout seconds is stopped (its process group killed) and reported unfinished.
 * Exit status: 0 when every run finished (whatever the verdicts: this measures, the tests
 * judge), 1 when one did not or, with --enforce, when a target is missed, 2 on bad usage. */
#define _POSIX_C_SOURCE 200809L
#include "bench_verify.h"
#include "bench_proc.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef WRIT_BENCH_VERIFY_ROOT
#define WRIT_BENCH_VERIFY_ROOT "."
#endif

enum { MAX_RUNS = 100, MAX_FILES = 256 };
#define ERC20_TARGET_MS 1000.0
#define ALL_TARGET_MS 5000.0

typedef struct Opts {
    const char *writ, *erc20;
    const char *files[MAX_FILES];
    int nfiles, runs, jobs, timeout;
    bool enforce;
} Opts;

/* One whole `writ verify` process. */
typedef struct Run {
    bool finished;        /* exited on its own within the timeout */
    int status;           /* its exit status (0 proved, 1 violated, 2 unknown or error) */
    double wall_ms, cpu_ms;
    int proved, violated, unknown;
    bool counted;         /* the summary line was found */
} Run;

static void usage(FILE *out, const char *prog) {
    fprintf(out,
            "usage: %s [options] [FILE.writ...]\n"
            "Times `writ verify --no-cache` (whole processes): the ERC20 example on one core\n"
            "(target <= 1 s CPU), each file alone, and all files together with 2 jobs (target\n"
            "<= 5 s wall). FILEs default to every examples/*.writ.\n"
            "  --writ PATH       the writ executable (default: this process when it is writ)\n"
            "  --erc20 FILE      the one-core measurement's file (default examples/erc20.writ)\n"
            "  --runs N          runs of measurements 1 and 3, median reported (default 3, at\n"
            "                    most %d)\n"
            "  --jobs N          jobs of the all-files run (default 2)\n"
            "  --timeout S       stop a run after S seconds (default 300)\n"
            "  --enforce         exit 1 when a target is missed\n",
            prog, MAX_RUNS);
}

static bool parse_opts(int argc, char **argv, Opts *o) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--writ") && val)
            o->writ = val, i++;
        else if (!strcmp(a, "--erc20") && val)
            o->erc20 = val, i++;
        else if (!strcmp(a, "--runs") && val)
            o->runs = atoi(val), i++;
        else if (!strcmp(a, "--jobs") && val)
            o->jobs = atoi(val), i++;
        else if (!strcmp(a, "--timeout") && val)
            o->timeout = atoi(val), i++;
        else if (!strcmp(a, "--enforce"))
            o->enforce = true;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout, argv[0]);
            exit(0);
        } else if (a[0] != '-' && o->nfiles < MAX_FILES) {
            o->files[o->nfiles++] = a;
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
    if (o->jobs < 1 || o->jobs > 256 || o->timeout < 1) {
        fprintf(stderr, "%s: --jobs must be between 1 and 256, --timeout at least 1\n", argv[0]);
        return false;
    }
    return true;
}

/* Runs argv in a process group of its own, its stdout read (for the summary line), its
 * stderr discarded; stopped after timeout_s seconds. */
static Run run_verify(char *const *argv, int timeout_s) {
    Run r = {0};
    int p[2];
    if (pipe(p) != 0)
        return r;
    fflush(stdout);
    double t0 = bench_now_ms();
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return r;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    close(p[1]);
    char *out = NULL;
    size_t len = 0, cap = 0;
    bool killed = false;
    for (;;) {
        double left = (double)timeout_s * 1e3 - (bench_now_ms() - t0);
        if (left <= 0) {
            kill(-pid, SIGKILL); /* writ and its workers: the group started here */
            killed = true;
            break;
        }
        struct pollfd pf = {p[0], POLLIN, 0};
        int k = poll(&pf, 1, left > 1e6 ? 1000000 : (int)left + 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            continue;
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? 2 * cap : 65536;
            char *q = realloc(out, nc);
            if (!q)
                break;
            out = q, cap = nc;
        }
        ssize_t n = read(p[0], out + len, 4096);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(p[0]);
    int st = 0;
    struct rusage ru;
    pid_t w;
    while ((w = wait4(pid, &st, 0, &ru)) < 0 && errno == EINTR)
        ;
    r.wall_ms = bench_now_ms() - t0;
    if (w == pid) {
        r.cpu_ms = bench_cpu_ms(&ru);
        r.finished = !killed && WIFEXITED(st) && WEXITSTATUS(st) != 127;
        r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    if (out) {
        out[len] = 0;
        /* the last summary line: "N proved, M violated, K unknown" */
        for (char *s = strstr(out, " proved, "); s; s = strstr(s + 1, " proved, ")) {
            char *b = s;
            while (b > out && b[-1] != '\n')
                b--;
            r.counted = sscanf(b, "%d proved, %d violated, %d unknown", &r.proved, &r.violated,
                               &r.unknown) == 3;
        }
    }
    free(out);
    return r;
}

static void verdicts(const Run *r, char *buf, size_t n) {
    if (!r->finished)
        snprintf(buf, n, "did not finish");
    else if (!r->counted)
        snprintf(buf, n, "no verdicts (exit %d)", r->status);
    else
        snprintf(buf, n, "%d proved, %d violated, %d unknown", r->proved, r->violated, r->unknown);
}

/* Runs argv `runs` times; prints the verdicts of the last and the medians. Returns false
 * when a run did not finish; *wall and *cpu get the medians. */
static bool measure(char **argv, int runs, int timeout, double *wall, double *cpu, Run *last) {
    double w[MAX_RUNS], c[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        *last = run_verify(argv, timeout);
        if (!last->finished)
            return false;
        w[i] = last->wall_ms;
        c[i] = last->cpu_ms;
    }
    *wall = bench_median(w, runs);
    *cpu = bench_median(c, runs);
    return true;
}

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int bench_verify(int argc, char **argv) {
    Opts o = {.erc20 = "examples/erc20.writ", .runs = 3, .jobs = 2, .timeout = 300};
    if (!parse_opts(argc, argv, &o))
        return 2;
    char self[4096];
    if (!o.writ && !(o.writ = bench_self_writ(self, sizeof self))) {
        fprintf(stderr, "%s: give the writ executable with --writ PATH\n", argv[0]);
        return 2;
    }
    char wabs[4096];
    if (strchr(o.writ, '/') && realpath(o.writ, wabs))
        o.writ = wabs; /* it may chdir below */
    glob_t g = {0};
    bool globbed = false;
    if (o.nfiles == 0) {
        /* relative to the repository when run from elsewhere */
        if (access("examples", F_OK) != 0 && chdir(WRIT_BENCH_VERIFY_ROOT) != 0) {
            fprintf(stderr, "%s: no examples/ here or in %s\n", argv[0], WRIT_BENCH_VERIFY_ROOT);
            return 2;
        }
        if (glob("examples/*.writ", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
            fprintf(stderr, "%s: no examples/*.writ\n", argv[0]);
            return 2;
        }
        globbed = true;
        for (size_t i = 0; i < g.gl_pathc && o.nfiles < MAX_FILES; i++)
            o.files[o.nfiles++] = g.gl_pathv[i];
    }
    int status = 0;
    bool missed = false;
    char v[200];

    /* 1. the ERC20 on one core */
    char *one[] = {(char *)o.writ, "verify", "--no-cache", "--jobs", "1", (char *)o.erc20, NULL};
    double wall, cpu;
    Run r;
    printf("writ verify --no-cache --jobs 1 %s (every spec and check, search depth 3):\n", o.erc20);
    if (!measure(one, o.runs, o.timeout, &wall, &cpu, &r)) {
        printf("  did not finish within %d s\n", o.timeout);
        status = 1, missed = true;
    } else {
        verdicts(&r, v, sizeof v);
        bool met = cpu <= ERC20_TARGET_MS;
        missed |= !met;
        printf("  %s (exit %d)\n  median of %d: CPU %.0f ms, wall %.0f ms; target <= %.0f ms CPU "
               "on one core: %s (%.1fx %s)\n",
               v, r.status, o.runs, cpu, wall, ERC20_TARGET_MS, met ? "met" : "MISSED",
               met ? ERC20_TARGET_MS / (cpu > 0 ? cpu : 1) : cpu / ERC20_TARGET_MS,
               met ? "under" : "over");
    }

    /* 2. each file alone */
    printf("each file alone (--jobs 1, one run):\n");
    int np = 0, nv = 0, nu = 0;
    for (int i = 0; i < o.nfiles; i++) {
        char *each[] = {(char *)o.writ, "verify", "--no-cache", "--jobs", "1", (char *)o.files[i], NULL};
        r = run_verify(each, o.timeout);
        verdicts(&r, v, sizeof v);
        if (!r.finished)
            status = 1;
        np += r.proved, nv += r.violated, nu += r.unknown;
        printf("  %-16s %-38s CPU %8.0f ms  wall %8.0f ms%s\n", base_name(o.files[i]), v, r.cpu_ms,
               r.wall_ms, r.finished ? "" : " (stopped)");
    }
    printf("  %-16s %d proved, %d violated, %d unknown\n", "total", np, nv, nu);

    /* 3. all files together with --jobs */
    char jobs[16];
    snprintf(jobs, sizeof jobs, "%d", o.jobs);
    char **all = calloc((size_t)o.nfiles + 8, sizeof *all);
    if (!all)
        return 2;
    int k = 0;
    all[k++] = (char *)o.writ, all[k++] = "verify", all[k++] = "--no-cache";
    all[k++] = "--jobs", all[k++] = jobs;
    for (int i = 0; i < o.nfiles; i++)
        all[k++] = (char *)o.files[i];
    printf("writ verify --no-cache --jobs %s, the %d files together:\n", jobs, o.nfiles);
    if (!measure(all, o.runs, o.timeout, &wall, &cpu, &r)) {
        printf("  did not finish within %d s\n", o.timeout);
        status = 1, missed = true;
    } else {
        verdicts(&r, v, sizeof v);
        bool met = wall <= ALL_TARGET_MS;
        missed |= !met;
        printf("  %s (exit %d)\n  median of %d: wall %.0f ms, CPU %.0f ms; target <= %.0f ms wall "
               "with 2 jobs: %s%s\n",
               v, r.status, o.runs, wall, cpu, ALL_TARGET_MS, met ? "met" : "MISSED",
               o.jobs == 2 ? "" : " (measured with another --jobs)");
    }
    free(all);
    if (globbed)
        globfree(&g);
    if (o.enforce && missed)
        status = 1;
    return status;
}
