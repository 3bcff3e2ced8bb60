/* verify.c — obligations and verdicts. Per public function (and init): fresh constants
 * for the parameters, the environment and the pre-state storage; `requires` and the
 * invariants assumed at entry (init starts from zeroed storage instead); the body encoded
 * (encode.c); then one query per obligation, each on its own solver with a deterministic
 * resource limit. A model becomes a counterexample: arguments, sender, value and the
 * pre-state values the function read. */
#include <stdlib.h>
#include <string.h>

#include "vint.h"

static void add_result(IrModule *m, VerReport *rep, VerResult r) {
    if (rep->n == rep->cap) {
        int cap = rep->cap ? 2 * rep->cap : 32;
        VerResult *x = arena_alloc(m->arena, cap * sizeof *x);
        if (rep->n)
            memcpy(x, rep->results, rep->n * sizeof *x);
        rep->results = x;
        rep->cap = cap;
    }
    rep->results[rep->n++] = r;
    if (r.verdict == VER_PROVED)
        rep->proved++;
    else if (r.verdict == VER_VIOLATED)
        rep->violated++;
    else
        rep->unknown++;
}

/* Grows a string in the arena: returns a copy of `a` followed by `b`. */
static char *cat(Arena *ar, const char *a, const char *b) {
    size_t la = a ? strlen(a) : 0, lb = strlen(b);
    char *s = arena_alloc(ar, la + lb + 1);
    if (la)
        memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

/* The model's value of `x` as bits; false when the model leaves it undetermined. */
static bool model_bits(Z3_context z, Z3_model mdl, Z3_ast x, IrType *t, U256 *out) {
    Z3_ast v;
    if (!Z3_model_eval(z, mdl, x, true, &v))
        return false;
    if (t->kind == IRT_BOOL) {
        *out = u256_from_u64(Z3_get_bool_value(z, v) == Z3_L_TRUE);
        return true;
    }
    const char *dec = Z3_get_numeral_string(z, v);
    return dec && u256_parse(dec, strlen(dec), out);
}

/* Writes a value of IR type t as a counterexample shows it. */
static void show_bits(U256 u, IrType *t, char *buf, size_t size) {
    char tmp[100];
    if (t->kind == IRT_BOOL)
        snprintf(tmp, sizeof tmp, "%s", u256_is_zero(u) ? "false" : "true");
    else if (t->kind == IRT_ADDRESS || t->kind == IRT_BYTES)
        u256_to_hex(u, tmp);
    else if (t->kind == IRT_INT && t->is_signed)
        u256_to_dec(u256_trunc(u, t->bits, true), true, tmp);
    else
        u256_to_dec(u, false, tmp);
    snprintf(buf, size, "%s", tmp);
}

/* Reads the model into a one-step counterexample (kept in the module's arena, as results
 * are) and its text: arguments, environment, then each pre-state place read, once. */
static const char *counterexample(Enc *e, Z3_model mdl, IrFunc *f, int fidx, Z3_ast *params,
                                  VerCex **cex_out) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    char *out = NULL;
    char val[100], line[600];
    VerCex *cex = arena_alloc(m->arena, sizeof *cex);
    memset(cex, 0, sizeof *cex);
    cex->from_init = f->kind == IR_FN_INIT;
    VerStep *st = arena_alloc(m->arena, sizeof *st);
    memset(st, 0, sizeof *st);
    cex->steps = st;
    cex->nsteps = 1;
    st->func = f->name;
    st->fidx = fidx;
    st->nargs = f->nparams;
    st->args = arena_alloc(m->arena, (f->nparams + 1) * sizeof *st->args);
    for (int i = 0; i < f->nparams; i++) {
        VerValue *a = &st->args[i];
        *a = (VerValue){.name = f->params[i].name, .var = -1};
        if (!params[i] || !model_bits(z, mdl, params[i], f->params[i].type, &a->value))
            continue;
        a->type = f->params[i].type;
        show_bits(a->value, a->type, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", f->params[i].name, val);
        out = cat(e->arena, out, line);
    }
    static const char *const env_names[IR_ENV_COUNT] = {
        "msg.sender", "msg.value", "tx.origin", "this", "block.number", "block.timestamp",
        "block.chainid"};
    for (int k = 0; k < IR_ENV_COUNT; k++) {
        if (k > IR_ENV_CALLVALUE && !e->env_used[k])
            continue;
        IrType *t = k == IR_ENV_CALLER || k == IR_ENV_ORIGIN || k == IR_ENV_ADDRESS
                        ? ir_type_address(m) : ir_type_int(m, 256, false);
        if (!model_bits(z, mdl, e->env[k], t, &st->env[k]))
            continue;
        st->env_used[k] = true;
        show_bits(st->env[k], t, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", env_names[k], val);
        out = cat(e->arena, out, line);
    }
    /* the pre-state values read, each place once (init reads zeroed storage: no pre-state) */
    cex->pre = arena_alloc(m->arena, (e->nreads + 1) * sizeof *cex->pre);
    for (int r = 0; r < e->nreads && !cex->from_init; r++) {
        VRead *rd = &e->reads[r];
        if (!e->entry[rd->var])
            continue;
        VerValue pv = {.var = rd->var, .nkeys = rd->nkeys, .type = rd->type};
        pv.keys = arena_alloc(m->arena, (rd->nkeys + 1) * sizeof *pv.keys);
        pv.key_types = arena_alloc(m->arena, (rd->nkeys + 1) * sizeof *pv.key_types);
        char place[400];
        size_t len = (size_t)snprintf(place, sizeof place, "%s", m->storage[rd->var].name);
        Z3_ast arr = e->entry[rd->var];
        bool known = true;
        for (int i = 0; i < rd->nkeys; i++) {
            pv.key_types[i] = rd->key_types[i];
            known &= model_bits(z, mdl, rd->keys[i], rd->key_types[i], &pv.keys[i]);
            show_bits(pv.keys[i], rd->key_types[i], val, sizeof val);
            if (len < sizeof place)
                len += (size_t)snprintf(place + len, sizeof place - len, "[%s]", val);
            arr = Z3_mk_select(z, arr, rd->keys[i]);
        }
        bool dup = false;
        for (int i = 0; i < cex->npre && !dup; i++)
            dup = strcmp(cex->pre[i].name, place) == 0;
        if (dup || !known || !model_bits(z, mdl, arr, rd->type, &pv.value))
            continue;
        pv.name = cat(m->arena, NULL, place);
        cex->pre[cex->npre++] = pv;
        show_bits(pv.value, rd->type, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", place, val);
        out = cat(e->arena, out, line);
    }
    *cex_out = cex;
    return out ? out : "any input";
}

/* One query: can `pc` hold with `cond` false, under `assume`? */
static VerVerdict decide(Enc *e, unsigned rlimit, Z3_ast assume, Z3_ast pc, Z3_ast cond,
                         const char *approx, IrFunc *f, int fidx, Z3_ast *params,
                         const char **detail, VerCex **cex_out) {
    Z3_context z = e->z;
    Z3_solver s = Z3_mk_simple_solver(z);
    Z3_solver_inc_ref(z, s);
    Z3_params p = Z3_mk_params(z);
    Z3_params_inc_ref(z, p);
    Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), rlimit);
    Z3_solver_set_params(z, s, p);
    Z3_solver_assert(z, s, assume);
    Z3_solver_assert(z, s, pc);
    Z3_solver_assert(z, s, Z3_mk_not(z, cond));
    VerVerdict v;
    switch (Z3_solver_check(z, s)) {
    case Z3_L_FALSE:
        v = VER_PROVED;
        break;
    case Z3_L_TRUE: {
        Z3_model mdl = Z3_solver_get_model(z, s);
        Z3_model_inc_ref(z, mdl);
        VerCex *mc = NULL;
        const char *cex = counterexample(e, mdl, f, fidx, params, &mc);
        Z3_model_dec_ref(z, mdl);
        if (approx) {
            v = VER_UNKNOWN;
            *detail = cat(e->arena, cat(e->arena, "possible failure (", approx),
                          cat(e->arena, ", so the counterexample may be spurious): ", cex));
        } else {
            v = VER_VIOLATED;
            *detail = cex;
            *cex_out = mc;
        }
        break;
    }
    default: {
        const char *why = Z3_solver_get_reason_unknown(z, s);
        v = VER_UNKNOWN;
        char lim[80];
        snprintf(lim, sizeof lim, "solver gave up within rlimit %u (Z3: ", rlimit);
        *detail = cat(e->arena, cat(e->arena, lim, why ? why : "unknown"), ")");
        break;
    }
    }
    Z3_params_dec_ref(z, p);
    Z3_solver_dec_ref(z, s);
    return v;
}

/* The value of spec function `sp` (Bool) on `state`, with the owner's parameters. */
static Z3_ast spec_value(Enc *e, IrFunc *sp, Z3_ast *params, Z3_ast *state, Z3_ast result) {
    int ns = e->m->nstorage;
    Z3_ast *st = arena_alloc(e->arena, (ns + 1) * sizeof *st);
    memcpy(st, state, ns * sizeof *st);
    Z3_ast ok, val = NULL;
    e->in_spec = true;
    bool good = enc_func(e, sp, params, Z3_mk_true(e->z), st, e->entry, result, &ok, &val, 0);
    e->in_spec = false;
    return good ? val : NULL;
}

static void verify_func(IrModule *m, IrFunc *f, int fidx, unsigned rlimit, VerReport *rep,
                        Z3_context z) {
    Arena arena;
    arena_init(&arena);
    Enc e = {.z = z, .m = m, .arena = &arena};
    int ns = m->nstorage;
    e.entry = arena_alloc(&arena, (ns + 1) * sizeof *e.entry);
    Z3_ast *state = arena_alloc(&arena, (ns + 1) * sizeof *state);
    for (int v = 0; v < ns; v++) {
        Z3_sort s = enc_sort(&e, m->storage[v].type);
        if (!s)
            continue;
        if (f->kind == IR_FN_INIT) { /* a fresh contract's storage is all zeros */
            IrType *t = m->storage[v].type;
            while (t->kind == IRT_MAP)
                t = t->val;
            Z3_ast zero = t->kind == IRT_BOOL ? Z3_mk_false(z)
                                              : Z3_mk_numeral(z, "0", Z3_mk_bv_sort(z, t->bits));
            Z3_ast x = zero;
            IrType *chain[8];
            int nc = 0;
            for (IrType *u = m->storage[v].type; u->kind == IRT_MAP && nc < 8; u = u->val)
                chain[nc++] = u;
            for (int i = nc - 1; i >= 0; i--)
                x = Z3_mk_const_array(z, enc_sort(&e, chain[i]->key), x);
            e.entry[v] = x;
        } else {
            e.entry[v] = enc_fresh(&e, m->storage[v].name, s);
        }
    }
    memcpy(state, e.entry, ns * sizeof *state);
    static const char *const env_const[IR_ENV_COUNT] = {
        "msg.sender", "msg.value", "tx.origin", "this", "block.number", "block.timestamp",
        "block.chainid"};
    for (int k = 0; k < IR_ENV_COUNT; k++)
        e.env[k] = Z3_mk_const(z, Z3_mk_string_symbol(z, env_const[k]),
                               Z3_mk_bv_sort(z, k == IR_ENV_CALLER || k == IR_ENV_ORIGIN ||
                                                        k == IR_ENV_ADDRESS ? 160 : 256));
    Z3_ast *params = arena_alloc(&arena, (f->nparams + 1) * sizeof *params);
    for (int i = 0; i < f->nparams; i++) {
        Z3_sort s = enc_sort(&e, f->params[i].type);
        params[i] = s ? Z3_mk_const(z, Z3_mk_string_symbol(z, f->params[i].name), s) : NULL;
    }
    /* assumptions at entry */
    Z3_ast assume = Z3_mk_true(z);
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        bool mine = sp->kind == IR_FN_REQUIRES && sp->owner == fidx;
        bool inv = sp->kind == IR_FN_INVARIANT && f->kind != IR_FN_INIT;
        if (!mine && !inv)
            continue;
        Z3_ast c = spec_value(&e, sp, params, e.entry, NULL);
        if (!c) { /* dropping an assumption is sound; counterexamples may be spurious */
            e.fail = NULL;
            e.approx = "a requires or invariant is not modelled";
        } else {
            Z3_ast both[2] = {assume, c};
            assume = Z3_mk_and(z, 2, both);
        }
    }
    Z3_ast ok = NULL, val = NULL;
    if (!e.fail)
        enc_func(&e, f, params, Z3_mk_true(z), state, e.entry, NULL, &ok, &val, 0);
    if (e.fail) {
        add_result(m, rep, (VerResult){VER_UNKNOWN, "function", f->name, f->name, f->span, NULL,
                                       cat(m->arena, "not encoded: ", e.fail), NULL, 0});
        arena_free(&arena);
        return;
    }
    int nbody = e.nobls;
    /* ensures of f and the invariants, on every normal return */
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        bool ens = sp->kind == IR_FN_ENSURES && sp->owner == fidx;
        bool inv = sp->kind == IR_FN_INVARIANT && ((f->flags & IR_FN_PUB) || f->kind == IR_FN_INIT);
        if (!ens && !inv)
            continue;
        Z3_ast c = spec_value(&e, sp, params, state, val);
        if (!c) {
            add_result(m, rep, (VerResult){VER_UNKNOWN, ens ? "postcondition" : "invariant",
                                           f->name, sp->name, sp->span, NULL,
                                           cat(m->arena, "not encoded: ", e.fail), NULL, 0});
            e.fail = NULL;
            continue;
        }
        if (e.nobls == e.cap) {
            int cap = e.cap ? 2 * e.cap : 16;
            VObl *o = arena_alloc(&arena, cap * sizeof *o);
            if (e.nobls)
                memcpy(o, e.obls, e.nobls * sizeof *o);
            e.obls = o;
            e.cap = cap;
        }
        e.obls[e.nobls++] = (VObl){NULL, sp, ens ? "postcondition" : "invariant", sp->span, ok, c, e.approx};
    }
    /* the unwinding obligations first: when one fails, nothing else is proved */
    const char *unwound = NULL;
    for (int i = 0; i < e.nobls; i++) {
        VObl *o = &e.obls[i];
        if (strcmp(o->kind, "loop bound") != 0)
            continue;
        const char *detail = NULL;
        VerCex *cex = NULL;
        VerVerdict v = decide(&e, rlimit, assume, o->pc, o->cond, o->approx, f, fidx, params,
                              &detail, &cex);
        if (v == VER_VIOLATED) {
            v = VER_UNKNOWN;
            detail = cat(&arena, "the loop may run longer than it was unrolled: ", detail);
        }
        if (v != VER_PROVED)
            unwound = "a loop was not fully unrolled";
        add_result(m, rep, (VerResult){v, o->kind, f->name, o->where->name, o->span, NULL,
                                       detail ? cat(m->arena, NULL, detail) : NULL, NULL, 0});
    }
    for (int i = 0; i < e.nobls; i++) {
        VObl *o = &e.obls[i];
        if (strcmp(o->kind, "loop bound") == 0)
            continue;
        const char *detail = NULL;
        VerCex *cex = NULL;
        VerVerdict v = decide(&e, rlimit, assume, o->pc, o->cond, o->approx, f, fidx, params,
                              &detail, &cex);
        if (v == VER_PROVED && unwound) {
            v = VER_UNKNOWN;
            detail = cat(&arena, "holds for the unrolled iterations only: ", unwound);
        }
        add_result(m, rep, (VerResult){v, o->kind, f->name, o->where->name, o->span,
                                       i < nbody ? o->at : NULL,
                                       detail ? cat(m->arena, NULL, detail) : NULL,
                                       v == VER_VIOLATED ? cex : NULL, 0});
    }
    arena_free(&arena);
}

void ver_module_verify(IrModule *m, const VerOptions *o, VerReport *rep) {
    unsigned rlimit = o->rlimit ? o->rlimit : VER_RLIMIT_DEFAULT;
    Z3_config cfg = Z3_mk_config();
    Z3_set_param_value(cfg, "model", "true");
    Z3_context z = Z3_mk_context(cfg);
    Z3_del_config(cfg);
    Z3_set_error_handler(z, NULL);
    for (int i = 0; i < m->nfuncs; i++) {
        IrFunc *f = m->funcs[i];
        if (((f->flags & IR_FN_PUB) || f->kind == IR_FN_INIT) &&
            (o->only_func < 0 || o->only_func == i))
            verify_func(m, f, i, rlimit, rep, z);
    }
    Z3_del_context(z);
}

void ver_mark_proven(const VerReport *rep) {
    /* a check inlined into a function that was not encoded was not proved there */
    for (int i = 0; i < rep->n; i++)
        if (!rep->results[i].at && rep->results[i].verdict != VER_PROVED &&
            strcmp(rep->results[i].kind, "function") == 0)
            return;
    for (int i = 0; i < rep->n; i++) {
        IrInstr *at = rep->results[i].at;
        if (!at)
            continue;
        bool all = true;
        for (int j = 0; j < rep->n && all; j++)
            if (rep->results[j].at == at && rep->results[j].verdict != VER_PROVED)
                all = false;
        if (all)
            at->flags |= IR_F_PROVEN;
    }
}
