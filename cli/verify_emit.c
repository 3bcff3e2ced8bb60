/* verify_emit.c — `writ verify --emit-tests DIR`: a confirmed counterexample becomes a
 * scenario file (docs/SCENARIOS.md) that `writ test` runs, its last step expecting the
 * failure (the Panic the VM gave; any revert for an "unexpected revert"; success for a
 * reverts_if that does not revert), so the bug is pinned down by a test: once it is fixed the
 * step no longer reverts and the scenario says so, to be turned into the fixed behaviour.
 *
 * A scenario deploys the contract (init runs) and plays calls from named accounts: it
 * cannot write storage. So the counterexample is first rewritten into that shape — each
 * sender becomes an account (`@caller1`...: its address is the oracle's
 * keccak256("evmrun:" + name)), address arguments equal to a sender follow it, init runs
 * with its arguments (zero when the model did not choose them) — and replayed on the VM in
 * that shape; only when it still fails the same way is the file written. Counterexamples
 * that need a pre-state a deployment does not give, a block number, or that violate a spec
 * (the VM cannot state an ensures) are reported as not written, with the reason. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "verify_cli.h"

enum { MAX_ACCOUNTS = 16 };

typedef struct Accounts {
    U256 from[MAX_ACCOUNTS];  /* the model's sender values */
    U256 addr[MAX_ACCOUNTS];  /* the account's address */
    char name[MAX_ACCOUNTS][16];
    int n;
} Accounts;

static U256 account_address(const char *name) {
    char buf[64];
    int n = snprintf(buf, sizeof buf, "evmrun:%s", name);
    uint8_t h[32];
    keccak256(buf, (size_t)n, h);
    U256 v = {{0}};
    for (int i = 12; i < 32; i++)
        v.w[3 - i / 8] |= (uint64_t)h[i] << (8 * (7 - i % 8));
    return v;
}

/* The account standing for the model's sender value `v` (added on first use). */
static int account_for(Accounts *a, U256 v) {
    for (int i = 0; i < a->n; i++)
        if (u256_eq(a->from[i], v))
            return i;
    if (a->n == MAX_ACCOUNTS)
        return -1;
    int k = a->n++;
    a->from[k] = v;
    snprintf(a->name[k], sizeof a->name[k], "caller%d", k + 1);
    a->addr[k] = account_address(a->name[k]);
    return k;
}

/* The path of `target` relative to folder `dir` (both resolved). */
static bool relative_path(const char *dir, const char *target, char *out, size_t n) {
    char d[PATH_MAX], t[PATH_MAX];
    if (!realpath(dir, d) || !realpath(target, t))
        return false;
    size_t i = 0, common = 0;
    while (d[i] && d[i] == t[i])
        if (d[i++] == '/')
            common = i - 1;
    if (!d[i] && t[i] == '/')
        common = i; /* dir holds target */
    size_t k = 0;
    out[0] = 0;
    for (const char *p = d + common; *p; p++)
        if (*p == '/' && k + 4 < n)
            k += (size_t)snprintf(out + k, n - k, "../");
    snprintf(out + k, n - k, "%s", t + common + 1);
    return true;
}

static void yaml_value(FILE *f, const IrType *t, U256 v, const Accounts *a) {
    char buf[100];
    switch (t ? t->kind : IRT_INT) {
    case IRT_BOOL:
        fputs(u256_is_zero(v) ? "false" : "true", f);
        return;
    case IRT_ADDRESS:
        for (int i = 0; i < a->n; i++)
            if (u256_eq(a->from[i], v)) {
                fprintf(f, "\"@%s\"", a->name[i]);
                return;
            }
        fputs("\"0x", f);
        for (int i = 12; i < 32; i++)
            fprintf(f, "%02x", (unsigned)(uint8_t)(v.w[3 - i / 8] >> (8 * (7 - i % 8))));
        fputc('"', f);
        return;
    case IRT_BYTES:
        fputs("\"0x", f);
        for (int i = 32 - t->bits / 8; i < 32; i++)
            fprintf(f, "%02x", (unsigned)(uint8_t)(v.w[3 - i / 8] >> (8 * (7 - i % 8))));
        fputc('"', f);
        return;
    default:
        u256_to_dec(t ? u256_trunc(v, t->bits, t->is_signed) : v, t && t->is_signed, buf);
        fprintf(f, "\"%s\"", buf);
        return;
    }
}

static void yaml_args(FILE *f, IrFunc *fn, const VerStep *s, const Accounts *a) {
    fputs("[", f);
    for (int i = 0; i < fn->nparams; i++) {
        IrType *t = fn->params[i].type;
        if (t->kind == IRT_REF)
            t = t->elem;
        if (i)
            fputs(", ", f);
        if (t->kind == IRT_STRING)
            fputs("\"\"", f);
        else if (t->kind == IRT_LIST)
            fputs("[]", f);
        else
            yaml_value(f, t, i < s->nargs && s->args[i].type ? s->args[i].value : u256_from_u64(0), a);
    }
    fputs("]", f);
}

static void yaml_comment(FILE *f, const char *s) {
    fputs("# ", f);
    for (; s && *s; s++) {
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('\n', f);
}

bool cli_emit_scenario(IrModule *m, const VerResult *r, const char *source, const char *dir,
                       FILE *out, FILE *err) {
    const VerCex *cx = r->cex;
    char where[300];
    snprintf(where, sizeof where, "%s in '%s'", r->kind, r->func);
    bool unexpected = strcmp(r->kind, "unexpected revert") == 0;
    bool no_revert = strcmp(r->kind, "reverts_if") == 0;
    if (!cx || (!r->at && !unexpected && !no_revert)) {
        fprintf(err, "writ verify: --emit-tests: %s: not written: a scenario cannot state this %s "
                     "(only reverts and returns)\n", where, r->kind);
        return false;
    }
    /* the counterexample in scenario shape: deployed with init, senders as accounts */
    int init = -1;
    for (int i = 0; i < m->nfuncs; i++)
        if (m->funcs[i]->kind == IR_FN_INIT)
            init = i;
    Accounts acc = {0};
    VerCex sc = {.from_init = true};
    VerStep *steps = arena_alloc(m->arena, (size_t)(cx->nsteps + 2) * sizeof *steps);
    int ns = 0;
    int first = cx->from_init && cx->nsteps && m->funcs[cx->steps[0].fidx]->kind == IR_FN_INIT;
    if (!first && init >= 0) { /* init with zero arguments from a deployer */
        memset(&steps[ns], 0, sizeof steps[ns]);
        steps[ns].fidx = init;
        steps[ns].func = m->funcs[init]->name;
        steps[ns].env_used[IR_ENV_CALLER] = true;
        steps[ns].env[IR_ENV_CALLER] = u256_from_u64(0xde91);
        ns++;
    }
    for (int i = 0; i < cx->nsteps; i++)
        steps[ns++] = cx->steps[i];
    for (int i = 0; i < ns; i++) {
        VerStep *s = &steps[i];
        if ((s->env_used[IR_ENV_NUMBER] && !u256_is_zero(s->env[IR_ENV_NUMBER])) ||
            (s->env_used[IR_ENV_CHAINID] && u256_low64(s->env[IR_ENV_CHAINID]) != 1) ||
            s->env_used[IR_ENV_ORIGIN]) {
            fprintf(err, "writ verify: --emit-tests: %s: not written: it needs a block number, "
                         "chain id or origin a scenario cannot set\n", where);
            return false;
        }
        if (account_for(&acc, s->env_used[IR_ENV_CALLER] ? s->env[IR_ENV_CALLER]
                                                         : u256_from_u64(0)) < 0)
            return false;
    }
    /* the same run with the accounts' addresses: senders, and arguments equal to a sender */
    VerStep *moved = arena_alloc(m->arena, (size_t)(ns + 1) * sizeof *moved);
    for (int i = 0; i < ns; i++) {
        moved[i] = steps[i];
        int k = account_for(&acc, steps[i].env_used[IR_ENV_CALLER] ? steps[i].env[IR_ENV_CALLER]
                                                                   : u256_from_u64(0));
        moved[i].env[IR_ENV_CALLER] = acc.addr[k];
        moved[i].env_used[IR_ENV_CALLER] = true;
        moved[i].args = arena_alloc(m->arena, (size_t)(steps[i].nargs + 1) * sizeof(VerValue));
        for (int a = 0; a < steps[i].nargs; a++) {
            moved[i].args[a] = steps[i].args[a];
            VerValue *v = &moved[i].args[a];
            if (v->type && v->type->kind == IRT_ADDRESS)
                for (int j = 0; j < acc.n; j++)
                    if (u256_eq(acc.from[j], v->value))
                        v->value = acc.addr[j];
        }
    }
    sc.steps = moved;
    sc.nsteps = ns;
    VerResult probe = *r;
    probe.cex = &sc;
    probe.confirmed = 0;
    CliReplay *rp = cli_replay_new(m);
    char what[300];
    int ok = rp ? cli_replay_result(rp, &probe, what, sizeof what) : -1;
    cli_replay_free(rp);
    if (ok <= 0) {
        fprintf(err, "writ verify: --emit-tests: %s: not written: from a fresh deployment the "
                     "counterexample does not fail (%s); it needs a pre-state a scenario cannot "
                     "set (%s)\n",
                where, what, cx->npre ? "storage as the model chose it" : "see the counterexample");
        return false;
    }
    /* write it */
    char parents[4096];
    snprintf(parents, sizeof parents, "%s", dir);
    for (char *p = parents + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(parents, 0777); /* a parent that cannot be made fails below */
            *p = '/';
        }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(err, "writ verify: cannot create '%s': %s\n", dir, strerror(errno));
        return false;
    }
    uint32_t line = 0, col = 0;
    SrcFile *sf = r->span.file && m->srcs ? src_get(m->srcs, r->span.file) : NULL;
    if (sf)
        src_line_col(sf, r->span.start, &line, &col);
    char path[4096], rel[PATH_MAX];
    char kind[64];
    size_t k = 0;
    for (const char *p = r->kind; *p && k + 1 < sizeof kind; p++)
        kind[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
    kind[k] = 0;
    snprintf(path, sizeof path, "%s/%s.%s.%s.%u.yaml", dir, m->name, r->func, kind, line);
    if (!relative_path(dir, source, rel, sizeof rel)) {
        fprintf(err, "writ verify: cannot resolve '%s' from '%s'\n", source, dir);
        return false;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(err, "writ verify: cannot write '%s': %s\n", path, strerror(errno));
        return false;
    }
    fprintf(f, "# Written by `writ verify --emit-tests`: %s can fail (%s:%u:%u).\n", where,
            sf ? sf->path : source, line, col);
    fputs("# The verifier's counterexample, confirmed on the VM:\n", f);
    yaml_comment(f, r->detail);
    fputs("# The last step states the failure as it is now: once the bug is fixed it no longer\n"
          "# reverts, and this scenario fails until it is updated to the fixed behaviour.\n", f);
    fprintf(f, "name: %s.%s %s (counterexample)\naccounts:\n", m->name, r->func, r->kind);
    for (int i = 0; i < acc.n; i++) {
        U256 need = u256_from_u64(0);
        for (int s = 0; s < ns; s++)
            if (u256_eq(moved[s].env[IR_ENV_CALLER], acc.addr[i]) && moved[s].env_used[IR_ENV_CALLVALUE]) {
                bool c;
                need = u256_add(need, moved[s].env[IR_ENV_CALLVALUE], &c);
            }
        bool c;
        U256 bal = u256_add(need, u256_from_u64(1000000000000000000ull), &c);
        char dec[100];
        u256_to_dec(bal, false, dec);
        fprintf(f, "  %s: %s\n", acc.name[i], dec);
    }
    fprintf(f, "deployments:\n  - name: target\n    source: %s\n    contract: %s\n", rel, m->name);
    int s0 = 0;
    if (ns && m->funcs[moved[0].fidx]->kind == IR_FN_INIT) {
        int a = account_for(&acc, steps[0].env_used[IR_ENV_CALLER] ? steps[0].env[IR_ENV_CALLER]
                                                                   : u256_from_u64(0));
        fprintf(f, "    from: %s\n", acc.name[a]);
        if (m->funcs[moved[0].fidx]->nparams) {
            fputs("    args: ", f);
            yaml_args(f, m->funcs[moved[0].fidx], &steps[0], &acc);
            fputc('\n', f);
        }
        if (steps[0].env_used[IR_ENV_CALLVALUE] && !u256_is_zero(steps[0].env[IR_ENV_CALLVALUE])) {
            char dec[100];
            u256_to_dec(steps[0].env[IR_ENV_CALLVALUE], false, dec);
            fprintf(f, "    value: %s\n", dec);
        }
        s0 = 1;
    }
    fputs("steps:\n", f);
    for (int s = s0; s < ns; s++) {
        IrFunc *fn = m->funcs[moved[s].fidx];
        int a = account_for(&acc, steps[s].env_used[IR_ENV_CALLER] ? steps[s].env[IR_ENV_CALLER]
                                                                   : u256_from_u64(0));
        fprintf(f, "  - call: %s\n    from: %s\n", fn->signature ? fn->signature : fn->name,
                acc.name[a]);
        if (fn->nparams) {
            fputs("    args: ", f);
            yaml_args(f, fn, &steps[s], &acc);
            fputc('\n', f);
        }
        if (steps[s].env_used[IR_ENV_CALLVALUE] && !u256_is_zero(steps[s].env[IR_ENV_CALLVALUE])) {
            char dec[100];
            u256_to_dec(steps[s].env[IR_ENV_CALLVALUE], false, dec);
            fprintf(f, "    value: %s\n", dec);
        }
        if (steps[s].env_used[IR_ENV_TIMESTAMP]) {
            char dec[100];
            u256_to_dec(steps[s].env[IR_ENV_TIMESTAMP], false, dec);
            fprintf(f, "    time: %s\n", dec);
        }
        if (s + 1 == ns && unexpected) /* it reverts although no reverts_if clause holds */
            fputs("    reverts: true\n", f);
        else if (s + 1 == ns && no_revert) /* it returns although a reverts_if clause holds */
            fputs("    # a reverts_if clause holds, yet the call succeeds (the step expects success)\n", f);
        else if (s + 1 == ns)
            fprintf(f, "    reverts: %s\n", what);
    }
    bool wrote = fclose(f) == 0;
    if (wrote)
        fprintf(out, "%s: scenario written: %s\n", where, path);
    return wrote;
}
