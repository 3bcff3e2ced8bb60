/* seq.c — the multi-transaction search. The single-transaction analysis starts each
 * public function from an arbitrary state that satisfies the invariants; what it cannot
 * prove (unknown, or violated only from such an arbitrary state) may or may not be
 * reachable. Here the state is the real one: deployment (init from zeroed storage), then
 * up to `depth` public calls, each one any public function with fresh arguments, sender,
 * value and block, each returning normally. A target (an obligation of function f not
 * proved alone) is searched at the last step: after init and k-1 calls, a call of f in
 * which it fails. k grows from 1 to depth, so the shortest sequence is reported. Nothing
 * is assumed about the state (no invariant, no public requires: neither is enforced).
 *
 * Encoding: one selector per step (a bit-vector naming the function called); every public
 * function is encoded at every step on the state left by the step before, guarded by its
 * selector, and the states merged by ite. The obligations of each (step, function) are
 * kept apart, so a target is the failure of its own obligation at step k.
 *
 * A target found becomes a violation whose counterexample (VerCex) has from_init set and
 * one VerStep per transaction, init first. A target not found keeps its verdict. */
#include <stdlib.h>
#include <string.h>

#include "vint.h"

typedef struct SFun {      /* one public function encoded at one step */
    IrFunc *f;
    int fidx;
    Z3_ast *params;
    Z3_ast env[IR_ENV_COUNT];
    Z3_ast ok;             /* selected and returned normally */
    Z3_ast *post;          /* state after a normal return */
    VObl *obls;            /* its obligations (checks, ensures, invariants after it) */
    int nobls;
} SFun;

typedef struct SStep {
    Z3_ast sel;            /* which function: index into fns */
    SFun *fns;
    int nfns;
    Z3_ast ok;             /* the step returned normally */
    Z3_ast *state;         /* state after the step */
} SStep;

static Z3_ast and2(Z3_context z, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_and(z, 2, x);
}

static Z3_ast or2(Z3_context z, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_or(z, 2, x);
}

/* Encodes f at a step from `pre` under the guard `pc`; false when f cannot be encoded. */
static bool encode_call(Enc *e, SFun *sf, IrFunc *f, int fidx, Z3_ast pc, Z3_ast *pre,
                        bool with_specs) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    sf->f = f;
    sf->fidx = fidx;
    enc_setup(e, m, f); /* whether its external calls may re-enter */
    ver_env(e);
    memcpy(sf->env, e->env, sizeof sf->env);
    sf->params = arena_alloc(e->arena, (f->nparams + 1) * sizeof *sf->params);
    for (int i = 0; i < f->nparams; i++) {
        Z3_sort s = enc_sort(e, f->params[i].type);
        sf->params[i] = s ? enc_fresh(e, f->params[i].name, s) : NULL;
    }
    Z3_ast *st = arena_alloc(e->arena, (e->nst + 1) * sizeof *st);
    Z3_ast facts = ver_tx_start(e, f, pre, st);
    for (int i = 0; i < f->nparams; i++)
        facts = and2(z, facts, enc_len_bounds(e, sf->params[i], f->params[i].type));
    pc = and2(z, pc, facts);
    e->nobls = 0;
    e->obls = NULL;
    e->cap = 0;
    Z3_ast ok = NULL, val = NULL;
    const char *fail0 = e->fail;
    e->tx_work = 0; /* each transition its own budget; the search's total is capped too */
    if (!enc_func(e, f, sf->params, pc, st, pre, NULL, &ok, &val, 0)) {
        e->fail = fail0;
        return false;
    }
    for (int i = 0; i < m->nspecs && with_specs; i++) {
        IrFunc *sp = m->specs[i];
        bool ens = sp->kind == IR_FN_ENSURES && sp->owner == fidx;
        bool inv = sp->kind == IR_FN_INVARIANT;
        if (!ens && !inv)
            continue;
        Z3_ast c = enc_spec(e, sp, sf->params, st, pre, val);
        if (c)
            enc_add_obl(e, sp, NULL, sp, ens ? "postcondition" : "invariant", sp->span, ok, c);
    }
    sf->ok = ok;
    sf->post = st;
    sf->obls = e->obls;
    sf->nobls = e->nobls;
    e->nobls = 0;
    e->obls = NULL;
    e->cap = 0;
    return true;
}

/* The text and machine form of the transaction sequence the model chose. */
static const char *sequence(Enc *e, Z3_model mdl, SFun *init, SStep *steps, int k, VerCex **out) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    VerCex *cex = arena_alloc(m->arena, sizeof *cex);
    memset(cex, 0, sizeof *cex);
    cex->from_init = true;
    cex->steps = arena_alloc(m->arena, (k + 1) * sizeof *cex->steps);
    cex->pre = arena_alloc(m->arena, sizeof *cex->pre);
    char *text = NULL;
    char val[100], line[600];
    static const char *const env_names[IR_ENV_COUNT] = {
        "msg.sender", "msg.value", "tx.origin", "this", "block.number", "block.timestamp",
        "block.chainid"};
    for (int i = init->f ? 0 : 1; i <= k; i++) {
        SFun *sf = init;
        if (i > 0) {
            SStep *s = &steps[i - 1];
            U256 sel = u256_from_u64(0);
            Z3_ast v;
            if (Z3_model_eval(z, mdl, s->sel, true, &v)) {
                const char *dec = Z3_get_numeral_string(z, v);
                if (dec)
                    u256_parse(dec, strlen(dec), &sel);
            }
            int j = (int)u256_low64(sel);
            sf = &s->fns[j < s->nfns ? j : 0];
        }
        VerStep *st = &cex->steps[cex->nsteps++];
        memset(st, 0, sizeof *st);
        st->func = sf->f->name;
        st->fidx = sf->fidx;
        st->nargs = sf->f->nparams;
        st->args = arena_alloc(m->arena, (sf->f->nparams + 1) * sizeof *st->args);
        snprintf(line, sizeof line, "%s%s(", text ? "; then " : "", sf->f->name);
        text = ver_cat(e->arena, text, line);
        bool first = true;
        for (int a = 0; a < sf->f->nparams; a++) {
            VerValue *av = &st->args[a];
            *av = (VerValue){.name = sf->f->params[a].name, .var = -1};
            if (!sf->params[a] || !ver_model_bits(z, mdl, sf->params[a], sf->f->params[a].type, &av->value))
                continue;
            av->type = sf->f->params[a].type;
            ver_show_bits(av->value, av->type, val, sizeof val);
            snprintf(line, sizeof line, "%s%s = %s", first ? "" : ", ", sf->f->params[a].name, val);
            text = ver_cat(e->arena, text, line);
            first = false;
        }
        for (int q = 0; q < IR_ENV_COUNT; q++) {
            if (q > IR_ENV_CALLVALUE && q != IR_ENV_TIMESTAMP && q != IR_ENV_NUMBER)
                continue;
            IrType *t = q == IR_ENV_CALLER ? ir_type_address(m) : ir_type_int(m, 256, false);
            if (!ver_model_bits(z, mdl, sf->env[q], t, &st->env[q]))
                continue;
            st->env_used[q] = true;
            if (q == IR_ENV_CALLVALUE && u256_is_zero(st->env[q]))
                continue;
            if (q > IR_ENV_CALLVALUE)
                continue;
            ver_show_bits(st->env[q], t, val, sizeof val);
            snprintf(line, sizeof line, "%s%s = %s", first ? "" : ", ", env_names[q], val);
            text = ver_cat(e->arena, text, line);
            first = false;
        }
        text = ver_cat(e->arena, text, ")");
    }
    *out = cex;
    return text;
}

static bool target_kind(const char *k) {
    return strcmp(k, "function") != 0 && strcmp(k, "loop bound") != 0 &&
           strcmp(k, "reverts_if") != 0 && strcmp(k, "unexpected revert") != 0 &&
           strcmp(k, "precondition") != 0;
}

/* Does obligation o of a call of function fidx stand for result r? */
static bool same(const VObl *o, const VerResult *r, int fidx) {
    if (r->fidx != fidx || strcmp(o->kind, r->kind) != 0)
        return false;
    if (r->at)
        return o->at == r->at;
    return !o->at && strcmp(o->where->name, r->where) == 0;
}

void ver_search(IrModule *m, const VerOptions *o, unsigned rlimit, VerReport *rep, int first,
                VerReport *out, Z3_context z) {
    int depth = o->depth;
    if (depth <= 0 || o->checks_only)
        return;
    bool any = false;
    for (int i = first; i < rep->n; i++)
        if (rep->results[i].verdict != VER_PROVED && target_kind(rep->results[i].kind) &&
            rep->results[i].fidx >= 0 && m->funcs[rep->results[i].fidx]->kind != IR_FN_INIT)
            any = true;
    if (!any)
        return;
    int init_idx = -1;
    for (int i = 0; i < m->nfuncs; i++)
        if (m->funcs[i]->kind == IR_FN_INIT)
            init_idx = i;
    Arena arena;
    arena_init(&arena);
    Enc e = {.z = z, .arena = &arena, .work_max = enc_work_max(rlimit)};
    enc_setup(&e, m, NULL);
    Z3_ast *st0 = arena_alloc(&arena, (e.nst + 1) * sizeof *st0);
    enc_prestate(&e, true, st0);
    e.entry = st0;
    /* deployment */
    SFun init = {0};
    Z3_ast base = Z3_mk_true(z);
    Z3_ast *state = st0;
    if (init_idx >= 0) {
        if (!encode_call(&e, &init, m->funcs[init_idx], init_idx, Z3_mk_true(z), st0, false)) {
            arena_free(&arena);
            return;
        }
        base = init.ok;
        state = init.post;
    } else { /* no init: an empty constructor */
        init.f = NULL;
    }
    /* the public functions, at every step */
    int npub = 0;
    int *pub = arena_alloc(&arena, (m->nfuncs + 1) * sizeof *pub);
    for (int i = 0; i < m->nfuncs; i++)
        if ((m->funcs[i]->flags & IR_FN_PUB) && m->funcs[i]->kind != IR_FN_INIT)
            pub[npub++] = i;
    SStep *steps = arena_alloc(&arena, (depth + 1) * sizeof *steps);
    int built = 0;
    for (int k = 0; k < depth && npub; k++) {
        SStep *s = &steps[k];
        s->sel = enc_fresh(&e, "step", Z3_mk_bv_sort(z, 16));
        s->fns = arena_alloc(&arena, npub * sizeof *s->fns);
        s->nfns = 0;
        s->ok = Z3_mk_false(z);
        s->state = arena_alloc(&arena, (e.nst + 1) * sizeof *s->state);
        memcpy(s->state, state, e.nst * sizeof *s->state);
        bool okk = true;
        for (int j = 0; j < npub && okk; j++) {
            Z3_ast pick = Z3_mk_eq(z, s->sel, Z3_mk_int(z, j, Z3_mk_bv_sort(z, 16)));
            SFun *sf = &s->fns[s->nfns];
            if (!encode_call(&e, sf, m->funcs[pub[j]], pub[j], pick, state, true)) {
                okk = false;
                break;
            }
            s->nfns++;
            s->ok = or2(z, s->ok, sf->ok);
            for (int v = 0; v < e.nst; v++)
                if (s->state[v] && sf->post[v])
                    s->state[v] = Z3_mk_ite(z, sf->ok, sf->post[v], s->state[v]);
        }
        if (!okk)
            break;
        base = and2(z, base, Z3_mk_bvult(z, s->sel, Z3_mk_int(z, npub, Z3_mk_bv_sort(z, 16))));
        state = s->state;
        built++;
    }
    if (!built) {
        arena_free(&arena);
        return;
    }
    Query q;
    ver_query_open(&q, &e, rlimit, init.f ? init.f : m->funcs[pub[0]], init_idx, NULL,
                   e.defs ? and2(z, base, e.defs) : base);
    Z3_ast prefix = Z3_mk_true(z); /* steps before k returned normally */
    for (int k = 0; k < built; k++) {
        SStep *s = &steps[k];
        for (int i = first; i < rep->n; i++) {
            VerResult *r = &rep->results[i];
            if (r->verdict == VER_PROVED || !target_kind(r->kind) || r->fidx < 0 ||
                m->funcs[r->fidx]->kind == IR_FN_INIT)
                continue;
            if (r->cex && r->cex->from_init)
                continue; /* found at a shorter depth */
            Z3_ast fails = NULL;
            const char *approx = NULL;
            for (int j = 0; j < s->nfns; j++)
                for (int b = 0; b < s->fns[j].nobls; b++) {
                    VObl *ob = &s->fns[j].obls[b];
                    if (!ob->cond || !same(ob, r, s->fns[j].fidx))
                        continue;
                    Z3_ast f1 = and2(z, ob->pc, Z3_mk_not(z, ob->cond));
                    fails = fails ? or2(z, fails, f1) : f1;
                    approx = approx ? approx : ob->approx;
                }
            if (!fails || approx)
                continue; /* an abstraction could make the sequence spurious */
            q.label = "sequence";
            Z3_solver_push(z, q.s);
            Z3_solver_assert(z, q.s, ver_tidy(&q, prefix));
            Z3_solver_assert(z, q.s, ver_tidy(&q, fails));
            if (Z3_solver_check(z, q.s) == Z3_L_TRUE) {
                Z3_model mdl = Z3_solver_get_model(z, q.s);
                Z3_model_inc_ref(z, mdl);
                VerCex *cex = NULL;
                const char *text = sequence(&e, mdl, &init, steps, k + 1, &cex);
                Z3_model_dec_ref(z, mdl);
                const char *detail = ver_cat(m->arena, "reachable from deployment: ", text);
                if (out != rep) { /* a new result, for the function where it fails */
                    VerResult nr = *r;
                    nr.verdict = VER_VIOLATED;
                    nr.cex = cex;
                    nr.confirmed = 0;
                    nr.detail = detail;
                    ver_report_add(m, out, nr);
                    r->cex = cex; /* found: not searched again at a greater depth */
                } else {
                    if (r->verdict == VER_UNKNOWN) {
                        rep->unknown--;
                        rep->violated++;
                    }
                    r->verdict = VER_VIOLATED;
                    r->cex = cex;
                    r->confirmed = 0;
                    r->detail = detail;
                }
            }
            Z3_solver_pop(z, q.s, 1);
        }
        prefix = and2(z, prefix, s->ok);
    }
    ver_query_close(&q);
    arena_free(&arena);
}
