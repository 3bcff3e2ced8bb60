/* verify_run.c — running the verifier over a module: init and each public function is one
 * unit of work (VerOptions.only_func), looked up first in the cache by a hash of everything
 * its verdicts depend on; the misses run in this process (--jobs 1) or are spread over N
 * forked workers (the IR and the verifier are not thread-safe: types are interned into
 * the module's arena, so processes, not threads), each sending its results serialized
 * (verify_serial.c) over a pipe. Results are merged by function index, so the output is
 * the same for any N. Violations are replayed on the VM (verify_replay.c) where they are
 * found, before they are cached.
 *
 * The cache: one file per unit, named by the hex keccak256 of: the format version, the writ
 * executable's size and modification time (a rebuilt verifier invalidates everything), the
 * options (rlimit, depth, checks only, replay), the storage declarations and structs, every
 * spec function, and the unit's function with its callees (IR text, function indices and
 * source spans, so a moved line invalidates the lines it names; with a multi-transaction
 * search, every function). The folder is $WRIT_CACHE_DIR, else `cache/writ-verify` in the
 * current folder (`cache/` beside `out/`, as Foundry keeps its own cache). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "verify_cli.h"

enum { CACHE_FORMAT = 2 };

const char *cli_cache_dir(const CliVerifyRun *run) {
    if (run->cache_dir)
        return run->cache_dir;
    const char *e = getenv("WRIT_CACHE_DIR");
    return e && *e ? e : "cache/writ-verify";
}

/* ---------------------------------------------------------------- the key */

/* A span in the key: the file by its resolved path (examples/a.writ and
 * examples/scenarios/../a.writ are one file), then the byte range. */
static void print_span(FILE *f, const IrModule *m, Span sp) {
    SrcFile *sf = sp.file && m->srcs ? src_get(m->srcs, sp.file) : NULL;
    char real[PATH_MAX];
    const char *path = sf ? (realpath(sf->path, real) ? real : sf->path) : "-";
    fprintf(f, "@%s:%u:%u\n", path, sp.start, sp.end);
}

static void print_func(FILE *f, const IrModule *m, int fi) {
    const IrFunc *fn = m->funcs[fi];
    fprintf(f, "func %d\n", fi);
    ir_func_print(fn, f);
    print_span(f, m, fn->span);
    for (IrBlock *b = fn->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            print_span(f, m, i->span);
}

/* Marks fi and every function it calls, transitively. */
static void reach(const IrModule *m, int fi, bool *seen) {
    if (fi < 0 || fi >= m->nfuncs || seen[fi])
        return;
    seen[fi] = true;
    for (IrBlock *b = m->funcs[fi]->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->op == IR_CALL)
                reach(m, i->callee, seen);
}

static void exe_identity(FILE *f) {
    struct stat st;
    if (stat("/proc/self/exe", &st) == 0)
        fprintf(f, "exe %lld %lld.%09ld\n", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                st.st_mtim.tv_nsec);
    else
        fprintf(f, "exe %s %s\n", __DATE__, __TIME__);
}

/* The hex hash naming unit fi's cache file. */
static void unit_key(const IrModule *m, const CliVerifyRun *run, int fi, char hex[65]) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        hex[0] = 0;
        return;
    }
    fprintf(f, "writ-verify %d\n", CACHE_FORMAT);
    exe_identity(f);
    fprintf(f, "rlimit %u depth %d checks %d replay %d\ncontract %s\n", run->opts.rlimit,
            run->opts.depth, run->opts.checks_only, run->replay, m->name);
    char buf[512];
    for (int s = 0; s < m->nstructs; s++) {
        fprintf(f, "struct %s", m->structs[s].name);
        for (int k = 0; k < m->structs[s].nfields; k++) {
            ir_type_print(m, m->structs[s].fields[k].type, buf, sizeof buf);
            fprintf(f, " %s:%s", m->structs[s].fields[k].name, buf);
        }
        fputc('\n', f);
    }
    for (int v = 0; v < m->nstorage; v++) {
        ir_type_print(m, m->storage[v].type, buf, sizeof buf);
        fprintf(f, "storage %d %s %s %d\n", v, m->storage[v].name, buf, m->storage[v].ghost);
    }
    for (int s = 0; s < m->nspecs; s++) {
        fprintf(f, "spec %d owner %d\n", s, m->specs[s]->owner);
        ir_func_print(m->specs[s], f);
        print_span(f, m, m->specs[s]->span);
        for (IrBlock *b = m->specs[s]->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next)
                print_span(f, m, i->span);
    }
    bool *seen = calloc((size_t)m->nfuncs + 1, sizeof *seen);
    if (seen) {
        if (run->opts.depth > 0) /* the search runs through every public function */
            for (int i = 0; i < m->nfuncs; i++)
                seen[i] = true;
        else
            reach(m, fi, seen);
        fprintf(f, "unit %d\n", fi);
        for (int i = 0; i < m->nfuncs; i++)
            if (seen[i])
                print_func(f, m, i);
    }
    free(seen);
    fclose(f);
    uint8_t h[32];
    keccak256(text, len, h);
    free(text);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", h[i]);
}

/* ---------------------------------------------------------------- size bound */

/* The instructions unit fi reaches (its callees inlined): what its verification costs,
 * roughly, to hand out the largest units first. */
static long unit_size(const IrModule *m, int fi) {
    bool *seen = calloc((size_t)m->nfuncs + 1, sizeof *seen);
    if (!seen)
        return 0;
    reach(m, fi, seen);
    long n = 0;
    for (int f = 0; f < m->nfuncs; f++)
        for (IrBlock *b = seen[f] ? m->funcs[f]->entry : NULL; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next)
                n++;
    free(seen);
    return n;
}

/* Does unit fi reach more than `max` instructions, or a loop (a jump back to a block
 * already laid out before it: loops unroll, so they multiply the work)? */
static bool too_big(const IrModule *m, int fi, int max) {
    bool *seen = calloc((size_t)m->nfuncs + 1, sizeof *seen);
    if (!seen)
        return true;
    reach(m, fi, seen);
    long n = 0;
    bool loop = false;
    for (int f = 0; f < m->nfuncs && !loop; f++) {
        if (!seen[f])
            continue;
        for (IrBlock *b = m->funcs[f]->entry; b && !loop; b = b->next_in_func) {
            for (IrInstr *i = b->first; i; i = i->next, n++) {
                if (i->op != IR_JMP && i->op != IR_BR)
                    continue;
                for (int t = 0; t < (i->op == IR_JMP ? 1 : 2); t++)
                    for (IrBlock *c = m->funcs[f]->entry; c && c != b->next_in_func; c = c->next_in_func)
                        if (c == i->targets[t])
                            loop = true;
            }
        }
    }
    free(seen);
    return loop || n > max;
}

/* An unknown result for every check unit fi reaches: what is not verified stays. */
static void keep_reached_checks(IrModule *m, int fi, VerReport *rep) {
    bool *seen = calloc((size_t)m->nfuncs + 1, sizeof *seen);
    if (!seen)
        return;
    reach(m, fi, seen);
    for (int f = 0; f < m->nfuncs; f++) {
        if (!seen[f])
            continue;
        for (IrBlock *b = m->funcs[f]->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next) {
                if (!(ir_op_info[i->op].flags & OPF_CHECK))
                    continue;
                VerResult r = {.verdict = VER_UNKNOWN, .kind = "not verified", .func = m->funcs[fi]->name,
                               .where = m->funcs[f]->name, .span = i->span, .at = i, .keep = true,
                               .fidx = fi, .detail = "too large to verify when building"};
                ver_report_add(m, rep, r);
            }
    }
    free(seen);
}

/* ---------------------------------------------------------------- cache files */

/* Everything readable from fd, NUL-terminated (malloc'd; NULL when out of memory). */
static char *read_fd(int fd, size_t *len) {
    size_t n = 0, cap = 0;
    char *s = NULL;
    for (;;) {
        if (n + 65536 + 1 > cap) {
            cap = cap ? 2 * cap : 131072;
            char *x = realloc(s, cap);
            if (!x) {
                free(s);
                return NULL;
            }
            s = x;
        }
        ssize_t k = read(fd, s + n, 65536);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    s[n] = 0;
    *len = n;
    return s;
}

static char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = read_fd(fileno(f), len);
    fclose(f);
    return s;
}

static void make_dirs(const char *dir) {
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0777);
            *p = '/';
        }
    mkdir(tmp, 0777);
}

/* Writes atomically (a temporary file renamed), so parallel runs never read half a file. */
static void cache_store(const CliVerifyRun *run, const char *key, const char *text, size_t len) {
    const char *dir = cli_cache_dir(run);
    make_dirs(dir);
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, key);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return; /* a cache that cannot be written is only slower */
    bool ok = fwrite(text, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, path) != 0)
        remove(tmp);
}

/* ---------------------------------------------------------------- units */

/* Verifies one unit here: its results serialized (malloc'd). */
static char *run_unit(IrModule *m, const CliVerifyRun *run, int fi, size_t *len) {
    VerReport tmp = {0};
    VerOptions o = run->opts;
    o.only_func = fi;
    ver_module_verify(m, &o, &tmp);
    if (run->replay)
        cli_replay_report(m, &tmp);
    return cli_results_serialize(m, &tmp, 0, len);
}

static bool write_full(int fd, const char *s, size_t n) {
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        s += k;
        n -= (size_t)k;
    }
    return true;
}

/* A worker: takes unit indices from the queue (a pipe the parent filled before forking;
 * each read of one int takes one unit, whole: reads of a pipe are atomic up to PIPE_BUF),
 * verifies each and writes "unit FI LEN\n" + text. Units go to whichever worker is free,
 * so a long unit does not hold back the ones dealt after it. */
static void worker(IrModule *m, const CliVerifyRun *run, int queue, int fd) {
    int fi;
    for (;;) {
        ssize_t k = read(queue, &fi, sizeof fi);
        if (k < 0 && errno == EINTR)
            continue;
        if (k != (ssize_t)sizeof fi)
            break;
        size_t len = 0;
        char *text = run_unit(m, run, fi, &len);
        char head[64];
        int hn = snprintf(head, sizeof head, "unit %d %zu\n", fi, len);
        if (!write_full(fd, head, (size_t)hn) || !write_full(fd, text ? text : "", len))
            _exit(3);
        free(text);
    }
    _exit(0);
}

/* Reads one worker's whole output into texts[fi]. */
static bool read_worker(int fd, char **texts, size_t *lens, int nfuncs) {
    size_t n = 0;
    char *s = read_fd(fd, &n);
    if (!s)
        return false;
    bool ok = true;
    size_t p = 0;
    while (ok && p < n) {
        int fi = -1;
        size_t len = 0;
        int used = 0;
        if (sscanf(s + p, "unit %d %zu\n%n", &fi, &len, &used) != 2 || used <= 0 ||
            fi < 0 || fi >= nfuncs || p + (size_t)used + len > n) {
            ok = false;
            break;
        }
        p += (size_t)used;
        free(texts[fi]);
        texts[fi] = malloc(len + 1);
        if (!texts[fi]) {
            ok = false;
            break;
        }
        memcpy(texts[fi], s + p, len);
        texts[fi][len] = 0;
        lens[fi] = len;
        p += len;
    }
    free(s);
    return ok;
}

bool cli_verify_module(IrModule *m, SrcSet *srcs, CliVerifyRun *run, VerReport *rep) {
    if (!m->srcs)
        m->srcs = srcs; /* spans in results and the cache name their files */
    int nf = m->nfuncs;
    char **texts = calloc((size_t)nf + 1, sizeof *texts);
    size_t *lens = calloc((size_t)nf + 1, sizeof *lens);
    char (*keys)[65] = calloc((size_t)nf + 1, sizeof *keys);
    int *miss = calloc((size_t)nf + 1, sizeof *miss);
    bool *unit = calloc((size_t)nf + 1, sizeof *unit);
    bool ok = texts && lens && keys && miss && unit;
    int nmiss = 0;
    for (int i = 0; ok && i < nf; i++) {
        IrFunc *f = m->funcs[i];
        unit[i] = ((f->flags & IR_FN_PUB) || f->kind == IR_FN_INIT) &&
                  (run->opts.only_func < 0 || run->opts.only_func == i);
        if (!unit[i])
            continue;
        if (run->max_unit > 0 && too_big(m, i, run->max_unit)) {
            unit[i] = false;
            keep_reached_checks(m, i, rep);
            continue;
        }
        if (run->use_cache) {
            unit_key(m, run, i, keys[i]);
            char path[4200];
            snprintf(path, sizeof path, "%s/%s", cli_cache_dir(run), keys[i]);
            if (keys[i][0] && (texts[i] = read_all(path, &lens[i]))) {
                /* a damaged entry is a miss */
                VerReport probe = {0};
                if (cli_results_parse(m, texts[i], lens[i], &probe)) {
                    run->cache_hits++;
                    continue;
                }
                free(texts[i]);
                texts[i] = NULL;
            }
        }
        miss[nmiss++] = i;
        run->cache_misses++;
    }
    int nw = run->jobs < nmiss ? run->jobs : nmiss;
    if (ok && nw <= 1) {
        for (int k = 0; k < nmiss; k++)
            texts[miss[k]] = run_unit(m, run, miss[k], &lens[miss[k]]);
    } else if (ok) {
        fflush(stdout);
        fflush(stderr);
        pid_t *pids = calloc((size_t)nw, sizeof *pids);
        int *fds = calloc((size_t)nw, sizeof *fds);
        long *size = calloc((size_t)nmiss + 1, sizeof *size);
        int queue[2] = {-1, -1};
        ok = pids && fds && size && pipe(queue) == 0;
        /* the queue, largest units first (ties by index: the same order every run) */
        for (int k = 0; ok && k < nmiss; k++)
            size[k] = unit_size(m, miss[k]);
        for (int k = 1; ok && k < nmiss; k++)
            for (int j = k; j > 0 && (size[j] > size[j - 1] ||
                                      (size[j] == size[j - 1] && miss[j] < miss[j - 1])); j--) {
                long ts = size[j];
                int tm = miss[j];
                size[j] = size[j - 1], miss[j] = miss[j - 1];
                size[j - 1] = ts, miss[j - 1] = tm;
            }
        /* nmiss ints fit in the pipe's buffer (64 KiB) for any module writ verifies; a
         * module with more units than that would block here, so it gets fewer: the rest run
         * in this process after the workers */
        int queued = nmiss < 4096 ? nmiss : 4096;
        if (ok && !write_full(queue[1], (const char *)miss, (size_t)queued * sizeof *miss))
            ok = false;
        if (queue[1] >= 0)
            close(queue[1]);
        int started = 0;
        for (int w = 0; ok && w < nw; w++) {
            int p[2];
            if (pipe(p) != 0) {
                ok = false;
                break;
            }
            pid_t pid = fork();
            if (pid < 0) {
                close(p[0]);
                close(p[1]);
                ok = false;
                break;
            }
            if (pid == 0) {
                close(p[0]);
                for (int k = 0; k < started; k++)
                    close(fds[k]);
                worker(m, run, queue[0], p[1]);
            }
            close(p[1]);
            pids[w] = pid;
            fds[w] = p[0];
            started++;
        }
        for (int w = 0; w < started; w++) {
            if (!read_worker(fds[w], texts, lens, nf))
                ok = false;
            close(fds[w]);
            int st = 0;
            if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "writ verify: internal error: worker %d of %s %s\n", w + 1,
                        m->name, WIFSIGNALED(st) ? "was killed" : "failed");
                ok = false;
            }
        }
        if (queue[0] >= 0)
            close(queue[0]);
        for (int k = queued; ok && k < nmiss; k++)
            texts[miss[k]] = run_unit(m, run, miss[k], &lens[miss[k]]);
        free(pids);
        free(fds);
        free(size);
    }
    for (int k = 0; ok && k < nmiss; k++) {
        int i = miss[k];
        if (!texts[i]) {
            fprintf(stderr, "writ verify: internal error: no results for '%s'\n", m->funcs[i]->name);
            ok = false;
        } else if (run->use_cache && keys[i][0]) {
            cache_store(run, keys[i], texts[i], lens[i]);
        }
    }
    for (int i = 0; ok && i < nf; i++)
        if (unit[i] && !cli_results_parse(m, texts[i], lens[i], rep)) {
            fprintf(stderr, "writ verify: internal error: unreadable results for '%s'\n",
                    m->funcs[i]->name);
            ok = false;
        }
    for (int i = 0; texts && i < nf; i++)
        free(texts[i]);
    free(texts);
    free(lens);
    free(keys);
    free(miss);
    free(unit);
    return ok;
}
