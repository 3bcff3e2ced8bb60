/* verify_serial.c — the verifier's results as text, for --jobs workers (sent over a pipe)
 * and the cache (stored in a file): every field of a VerResult, its counterexample in
 * machine form included, so a cached or remote violation prints, replays and becomes a
 * scenario exactly as a fresh one. Strings are length-prefixed (`5:hello`), numbers
 * decimal, U256 values hex, types by their text (`u256`, `address`, `bytes4`, `-` for
 * none). The check instruction is named by (function index, ordinal of the instruction in
 * the function's block order) of the same IR; spans by the file's path and byte range.
 *
 *   result <verdict> <confirmed> <keep> <uses_invariants> <fidx> <kind> <func> <where> <file>
 *          <start> <end> <at-func> <at-n> <detail>
 *   cex <from_init> <nsteps> <npre>
 *   step <fidx> <func> <nargs> (<name> <type> <value>)* env (<used> <value>)*7
 *   pre <name> <var> <type> <value> <nkeys> (<type> <value>)*
 *   end
 */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "verify_cli.h"

typedef CliBuf Buf;

void cli_buf_put(CliBuf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *x = realloc(b->s, cap);
        if (!x)
            abort();
        b->s = x;
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = 0;
}

void cli_buf_f(CliBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n > 0)
        cli_buf_put(b, s, (size_t)n);
    free(s);
}

#define put cli_buf_put
#define putf cli_buf_f

static void put_str(Buf *b, const char *s) {
    if (!s) {
        put(b, " -", 2);
        return;
    }
    putf(b, " %zu:", strlen(s));
    put(b, s, strlen(s));
}

static void put_u256(Buf *b, U256 v) {
    char hex[80];
    u256_to_hex(v, hex);
    putf(b, " %s", hex);
}

static void put_type(Buf *b, IrModule *m, const IrType *t) {
    if (!t) {
        put(b, " -", 2);
        return;
    }
    char buf[200];
    ir_type_print(m, t, buf, sizeof buf);
    put_str(b, buf);
}

/* (function index, ordinal) of an instruction of m; (-1, -1) when it is not in m. */
static void locate(IrModule *m, const IrInstr *at, int *fi, int *ord) {
    *fi = *ord = -1;
    if (!at)
        return;
    for (int f = 0; f < m->nfuncs; f++) {
        int n = 0;
        for (IrBlock *b = m->funcs[f]->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next, n++)
                if (i == at) {
                    *fi = f, *ord = n;
                    return;
                }
    }
}

static IrInstr *find_instr(IrModule *m, int fi, int ord) {
    if (fi < 0 || fi >= m->nfuncs || ord < 0)
        return NULL;
    int n = 0;
    for (IrBlock *b = m->funcs[fi]->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next, n++)
            if (n == ord)
                return i;
    return NULL;
}

static void put_value(Buf *b, IrModule *m, const VerValue *v) {
    put_str(b, v->name);
    put_type(b, m, v->type);
    put_u256(b, v->value);
}

char *cli_results_serialize(IrModule *m, const VerReport *rep, int from, size_t *len) {
    Buf b = {0};
    put(&b, "", 0);
    for (int k = from; k < rep->n; k++) {
        const VerResult *r = &rep->results[k];
        int fi, ord;
        locate(m, r->at, &fi, &ord);
        SrcFile *sf = r->span.file && m->srcs ? src_get(m->srcs, r->span.file) : NULL;
        putf(&b, "result %d %d %d %d %d", (int)r->verdict, r->confirmed, r->keep,
             r->uses_invariants, r->fidx);
        put_str(&b, r->kind);
        put_str(&b, r->func);
        put_str(&b, r->where);
        put_str(&b, sf ? sf->path : NULL);
        putf(&b, " %u %u %d %d", r->span.start, r->span.end, fi, ord);
        put_str(&b, r->detail);
        put(&b, "\n", 1);
        const VerCex *c = r->cex;
        if (c) {
            putf(&b, "cex %d %d %d\n", c->from_init, c->nsteps, c->npre);
            for (int s = 0; s < c->nsteps; s++) {
                const VerStep *st = &c->steps[s];
                putf(&b, "step %d", st->fidx);
                put_str(&b, st->func);
                putf(&b, " %d", st->nargs);
                for (int a = 0; a < st->nargs; a++)
                    put_value(&b, m, &st->args[a]);
                put(&b, " env", 4);
                for (int e = 0; e < IR_ENV_COUNT; e++) {
                    putf(&b, " %d", st->env_used[e]);
                    put_u256(&b, st->env[e]);
                }
                put(&b, "\n", 1);
            }
            for (int p = 0; p < c->npre; p++) {
                const VerValue *v = &c->pre[p];
                put(&b, "pre", 3);
                put_str(&b, v->name);
                putf(&b, " %d", v->var);
                put_type(&b, m, v->type);
                put_u256(&b, v->value);
                putf(&b, " %d", v->nkeys);
                for (int i = 0; i < v->nkeys; i++) {
                    put_type(&b, m, v->key_types[i]);
                    put_u256(&b, v->keys[i]);
                }
                put(&b, "\n", 1);
            }
        }
        put(&b, "end\n", 4);
    }
    *len = b.n;
    return b.s;
}

/* ---------------------------------------------------------------- reading */

typedef struct Rd {
    IrModule *m;
    const char *p, *end;
    bool bad;
} Rd;

static void skip_sp(Rd *r) {
    while (r->p < r->end && *r->p == ' ')
        r->p++;
}

static bool word(Rd *r, const char *w) {
    skip_sp(r);
    size_t n = strlen(w);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0) {
        r->bad = true;
        return false;
    }
    r->p += n;
    return true;
}

static long num(Rd *r) {
    skip_sp(r);
    char tmp[32];
    size_t n = 0;
    while (r->p < r->end && n + 1 < sizeof tmp && (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')))
        tmp[n++] = *r->p++;
    tmp[n] = 0;
    char *e = NULL;
    long v = strtol(tmp, &e, 10);
    if (n == 0 || *e)
        r->bad = true;
    return v;
}

/* A length-prefixed string copied into the module's arena; NULL for `-`. */
static const char *str(Rd *r) {
    skip_sp(r);
    if (r->p < r->end && *r->p == '-') {
        r->p++;
        return NULL;
    }
    long n = num(r);
    if (r->bad || n < 0 || r->p >= r->end || *r->p != ':' || r->end - r->p - 1 < n) {
        r->bad = true;
        return NULL;
    }
    r->p++;
    char *s = arena_alloc(r->m->arena, (size_t)n + 1);
    memcpy(s, r->p, (size_t)n);
    s[n] = 0;
    r->p += n;
    return s;
}

static U256 u256(Rd *r) {
    skip_sp(r);
    const char *s = r->p;
    while (r->p < r->end && *r->p != ' ' && *r->p != '\n')
        r->p++;
    U256 v = {{0}};
    if (!u256_parse(s, (size_t)(r->p - s), &v))
        r->bad = true;
    return v;
}

/* A scalar type from its text form. */
static IrType *type(Rd *r) {
    const char *t = str(r);
    if (!t)
        return NULL;
    IrModule *m = r->m;
    if (strcmp(t, "bool") == 0)
        return ir_type_bool(m);
    if (strcmp(t, "address") == 0)
        return ir_type_address(m);
    int bits = 0;
    if ((t[0] == 'u' || t[0] == 'i') && (bits = atoi(t + 1)) >= 8 && bits <= 256 && bits % 8 == 0)
        return ir_type_int(m, (unsigned)bits, t[0] == 'i');
    if (strncmp(t, "bytes", 5) == 0 && (bits = atoi(t + 5)) >= 1 && bits <= 32)
        return ir_type_bytes(m, (unsigned)bits);
    r->bad = true;
    return NULL;
}

static void line_end(Rd *r) {
    skip_sp(r);
    if (r->p < r->end && *r->p == '\n')
        r->p++;
    else
        r->bad = true;
}

/* The file id of `path` in m's sources: the same spelling, else the same resolved file (a
 * cached result may name it as another command did). */
static int file_id(IrModule *m, const char *path) {
    for (int i = 1; path && m->srcs && i <= m->srcs->count; i++)
        if (m->srcs->files[i] && strcmp(m->srcs->files[i]->path, path) == 0)
            return i;
    char want[PATH_MAX], have[PATH_MAX];
    if (!path || !realpath(path, want))
        return 0;
    for (int i = 1; m->srcs && i <= m->srcs->count; i++)
        if (m->srcs->files[i] && realpath(m->srcs->files[i]->path, have) && strcmp(want, have) == 0)
            return i;
    return 0;
}

static VerValue value(Rd *r) {
    VerValue v = {.var = -1};
    v.name = str(r);
    v.type = type(r);
    v.value = u256(r);
    return v;
}

bool cli_results_parse(IrModule *m, const char *text, size_t len, VerReport *rep) {
    Rd r = {.m = m, .p = text, .end = text + len};
    while (!r.bad && r.p < r.end) {
        VerResult res;
        memset(&res, 0, sizeof res);
        word(&r, "result");
        long v = num(&r);
        res.verdict = v == VER_PROVED ? VER_PROVED : v == VER_VIOLATED ? VER_VIOLATED : VER_UNKNOWN;
        if (v < 0 || v > 2)
            r.bad = true;
        res.confirmed = (int)num(&r);
        res.keep = num(&r) != 0;
        res.uses_invariants = num(&r) != 0;
        res.fidx = (int)num(&r);
        res.kind = str(&r);
        res.func = str(&r);
        res.where = str(&r);
        const char *path = str(&r);
        res.span.start = (uint32_t)num(&r);
        res.span.end = (uint32_t)num(&r);
        res.span.file = (uint16_t)file_id(m, path);
        int fi = (int)num(&r), ord = (int)num(&r);
        res.detail = str(&r);
        line_end(&r);
        if (fi >= 0 && !(res.at = find_instr(m, fi, ord)))
            r.bad = true;
        if (!res.kind || !res.func || !res.where)
            r.bad = true;
        skip_sp(&r);
        if (!r.bad && r.end - r.p >= 3 && memcmp(r.p, "cex", 3) == 0) {
            word(&r, "cex");
            VerCex *c = arena_alloc(m->arena, sizeof *c);
            memset(c, 0, sizeof *c);
            c->from_init = num(&r) != 0;
            long ns = num(&r), np = num(&r);
            line_end(&r);
            if (ns < 0 || ns > 64 || np < 0 || np > 4096)
                r.bad = true;
            c->steps = arena_alloc(m->arena, (size_t)(r.bad ? 1 : ns + 1) * sizeof *c->steps);
            c->pre = arena_alloc(m->arena, (size_t)(r.bad ? 1 : np + 1) * sizeof *c->pre);
            for (long s = 0; s < ns && !r.bad; s++) {
                VerStep *st = &c->steps[s];
                memset(st, 0, sizeof *st);
                word(&r, "step");
                st->fidx = (int)num(&r);
                st->func = str(&r);
                long na = num(&r);
                if (na < 0 || na > 256 || st->fidx < 0 || st->fidx >= m->nfuncs) {
                    r.bad = true;
                    break;
                }
                st->nargs = (int)na;
                st->args = arena_alloc(m->arena, (size_t)(na + 1) * sizeof *st->args);
                for (long a = 0; a < na && !r.bad; a++)
                    st->args[a] = value(&r);
                word(&r, "env");
                for (int e = 0; e < IR_ENV_COUNT && !r.bad; e++) {
                    st->env_used[e] = num(&r) != 0;
                    st->env[e] = u256(&r);
                }
                line_end(&r);
                c->nsteps++;
            }
            for (long p = 0; p < np && !r.bad; p++) {
                VerValue *pv = &c->pre[p];
                memset(pv, 0, sizeof *pv);
                word(&r, "pre");
                pv->name = str(&r);
                pv->var = (int)num(&r);
                pv->type = type(&r);
                pv->value = u256(&r);
                long nk = num(&r);
                if (nk < 0 || nk > 16 || pv->var < -1 || pv->var >= m->nstorage) {
                    r.bad = true;
                    break;
                }
                pv->nkeys = (int)nk;
                pv->keys = arena_alloc(m->arena, (size_t)(nk + 1) * sizeof *pv->keys);
                pv->key_types = arena_alloc(m->arena, (size_t)(nk + 1) * sizeof *pv->key_types);
                for (long k = 0; k < nk && !r.bad; k++) {
                    pv->key_types[k] = type(&r);
                    pv->keys[k] = u256(&r);
                }
                line_end(&r);
                c->npre++;
            }
            res.cex = c;
        }
        word(&r, "end");
        line_end(&r);
        if (!r.bad)
            ver_report_add(m, rep, res);
    }
    return !r.bad;
}
