/* summary.c — an internal call replaced by the callee's contract (issue 5, item 1).
 *
 * A large pure callee (stdlib's bps_of reaches a 512-bit mul_div and a long division) was
 * inlined at every call, in the code and in every spec that mentions it: gold.writ's
 * redeem carried four copies and ran for minutes. A call of such a callee is encoded by
 * its summary instead:
 *   - its `requires` at the call site is an obligation (as when inlined);
 *   - its result is f(args) for an uninterpreted f per callee: the callee reads no state,
 *     so equal arguments give the equal result in the code and in the specs;
 *   - it returns normally exactly when its `reverts_if` does not hold (without one:
 *     when an uninterpreted predicate of the arguments holds — any revert behaviour);
 *   - on a normal return its `ensures` holds of the result.
 * The callee's body is proved against that contract once per transition: its checks, its
 * `ensures` and its `reverts_if` (both directions) become obligations of kind "summary
 * ..." for arguments that are free except where every call site of the same shape passes
 * a constant (bps_of(amount, 25): the body is proved for any amount and a bps of 25, and
 * the summary serves only calls that pass 25). What was proved from a summary is only as
 * good as that proof: ver_mark_proven removes no check while a summary obligation is not
 * proved. A counterexample through a summary may be spurious (the contract is weaker
 * than the body): like every counterexample it is replayed on the VM before it is
 * reported, and one that does not fail there is reported unknown. A model breaking the
 * contract itself chooses the callee's arguments, which no replay of the public function
 * controls: those are reported as possible failures (unknown), never as violations.
 *
 * Which callees: the pure ones (no storage, environment, balance or external call,
 * transitively; scalar parameters and result) that state a contract (an `ensures`). Their
 * callers rely on what they promise, not on how they compute it: a caller that needs more
 * needs a stronger ensures (gold.writ's redeem_fee says its fee is at most half the
 * amount, which is what redeem's reverts_if rests on). Such a callee without `reverts_if`
 * may revert on any arguments as far as its callers know. Calls inside a body being
 * proved are inlined (the proof needs the code, not the callee's possibly weaker
 * contract). The specs checked after a transition that used a summary carry the
 * abstraction (encode.c): their counterexamples are possible failures, not violations. */
#include <string.h>

#include "vint.h"

enum { SUMMARY_SCAN_DEPTH = 16 };

/* Whether g and its callees read and write no state. */
static bool pure(IrModule *m, IrFunc *g, int depth) {
    if (depth > SUMMARY_SCAN_DEPTH || !g->entry)
        return false;
    for (IrBlock *b = g->entry; b; b = b->next_in_func) {
        for (IrInstr *in = b->first; in; in = in->next) {
            switch ((IrOp)in->op) {
            case IR_SLOAD: case IR_OLD_SLOAD: case IR_SSTORE: case IR_SLEN: case IR_SSETLEN:
            case IR_SUM: case IR_OLD_SUM: case IR_ENV: case IR_BALANCE: case IR_XCALL:
            case IR_SEND:
                return false;
            case IR_CALL:
                if (!pure(m, m->funcs[in->callee], depth + 1))
                    return false;
                break;
            default:
                break;
            }
        }
    }
    return true;
}

static bool scalar(IrType *t) {
    return t && (t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
                 t->kind == IRT_BYTES);
}

/* Whether calls of m->funcs[gi] are encoded by their summary. */
static bool wanted(Enc *e, int gi) {
    IrModule *m = e->m;
    IrFunc *g = m->funcs[gi];
    if (g->kind != IR_FN || !scalar(g->ret))
        return false;
    for (int i = 0; i < g->nparams; i++)
        if (!scalar(g->params[i].type))
            return false;
    bool ens = false;
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        if (sp->owner != gi || sp->kind == IR_FN_INVARIANT)
            continue;
        ens |= sp->kind == IR_FN_ENSURES;
        if (!pure(m, sp, 0))
            return false;
    }
    return ens && pure(m, g, 0);
}

/* The uninterpreted result (or, ok: normal-return predicate) of g. */
static Z3_ast summary_app(Enc *e, IrFunc *g, Z3_ast *args, bool ok) {
    Z3_context z = e->z;
    Z3_sort dom[32];
    if (g->nparams > 32)
        return NULL;
    for (int i = 0; i < g->nparams; i++)
        dom[i] = Z3_get_sort(z, args[i]);
    char name[200];
    snprintf(name, sizeof name, "%s:%s", ok ? "returns" : "summary", g->name);
    Z3_func_decl f = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, name), (unsigned)g->nparams, dom,
                                     ok ? Z3_mk_bool_sort(z) : enc_sort(e, g->ret));
    return Z3_mk_app(z, f, (unsigned)g->nparams, args);
}

/* g's clauses of one kind on args (with result r for ensures): their disjunction for
 * reverts_if (false when there is none), else their conjunction; *n counts them. NULL
 * when one cannot be encoded. */
static Z3_ast clauses(Enc *e, int gi, IrFuncKind kind, Z3_ast *args, Z3_ast *st, Z3_ast r,
                      int *n) {
    Z3_context z = e->z;
    bool disj = kind == IR_FN_REVERTS_IF;
    Z3_ast all = disj ? Z3_mk_false(z) : Z3_mk_true(z);
    *n = 0;
    for (int i = 0; i < e->m->nspecs; i++) {
        IrFunc *sp = e->m->specs[i];
        if (sp->owner != gi || sp->kind != kind)
            continue;
        Z3_ast c = enc_spec(e, sp, args, st, st, r);
        if (!c)
            return NULL;
        Z3_ast two[2] = {all, c};
        all = disj ? Z3_mk_or(z, 2, two) : Z3_mk_and(z, 2, two);
        (*n)++;
    }
    return all;
}

/* The body of g proved against its contract for the arguments `shape` (constants where
 * the call passes one, NULL for free ones): its checks, ensures and reverts_if as
 * obligations. False when it cannot be encoded (then calls of this shape are inlined). */
static bool prove_body(Enc *e, int gi, Z3_ast *shape, Z3_ast *st, int depth) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    IrFunc *g = m->funcs[gi];
    Z3_ast *x = arena_alloc(e->arena, (g->nparams + 1) * sizeof *x);
    for (int i = 0; i < g->nparams; i++) {
        char name[160];
        snprintf(name, sizeof name, "%s.%s", g->name, g->params[i].name);
        x[i] = shape[i] ? shape[i] : enc_fresh(e, name, enc_sort(e, g->params[i].type));
    }
    int nreq, nrev;
    Z3_ast pre = clauses(e, gi, IR_FN_REQUIRES, x, st, NULL, &nreq);
    Z3_ast rev = pre ? clauses(e, gi, IR_FN_REVERTS_IF, x, st, NULL, &nrev) : NULL;
    if (!rev)
        return false;
    Z3_ast *s2 = arena_alloc(e->arena, (e->nst + 1) * sizeof *s2);
    memcpy(s2, st, e->nst * sizeof *s2);
    Z3_ast ok, val = NULL;
    const char *approx = e->approx, *fail0 = e->fail;
    e->summarising++;
    bool good = enc_func(e, g, x, pre, s2, NULL, NULL, &ok, &val, depth + 1);
    e->summarising--;
    if (!good || !val) { /* the calls are inlined instead, as if it had no summary */
        e->approx = approx;
        e->fail = fail0;
        return false;
    }
    /* a model of these is about the callee's arguments, which no replay of the public
     * function controls: never a confirmed violation, at most a possible one */
    e->approx = "the callee's contract is checked for any arguments, not this call's";
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        if (sp->owner != gi)
            continue;
        if (sp->kind == IR_FN_ENSURES) {
            Z3_ast c = enc_spec(e, sp, x, s2, st, val);
            enc_add_obl(e, sp, NULL, sp, "summary postcondition", sp->span, ok, c);
        } else if (sp->kind == IR_FN_REVERTS_IF) {
            /* each clause forces a revert */
            Z3_ast c = enc_spec(e, sp, x, st, st, NULL);
            enc_add_obl(e, sp, NULL, sp, "summary reverts_if", sp->span,
                        Z3_mk_and(z, 2, (Z3_ast[]){pre, c}), Z3_mk_not(z, ok));
        }
    }
    if (nrev) { /* and a revert needs one of them */
        Z3_ast reverted = Z3_mk_and(z, 2, (Z3_ast[]){pre, Z3_mk_not(z, ok)});
        enc_add_obl(e, g, NULL, g, "summary unexpected revert", g->span, reverted, rev);
    }
    e->approx = approx;
    return true;
}

bool enc_summary_call(Enc *e, IrInstr *in, Z3_ast *av, Z3_ast *st, Z3_ast *cur, Z3_ast *val,
                      int depth) {
    Z3_context z = e->z;
    int gi = in->callee;
    IrFunc *g = e->m->funcs[gi];
    if (e->summarising || !wanted(e, gi))
        return false;
    for (int i = 0; i < g->nparams; i++)
        if (!av[i])
            return false;
    Z3_ast r = summary_app(e, g, av, false);
    if (!r)
        return false;
    /* the body proved for calls of this shape (once per transition; its checks are
     * obligations even when a spec makes the first call) */
    struct VSum *s = NULL;
    for (int i = 0; i < e->nsums && !s; i++) {
        struct VSum *c = &e->sums[i];
        bool same = c->g == gi;
        for (int k = 0; k < g->nparams && same; k++)
            same = (c->shape[k] == NULL) == !Z3_is_numeral_ast(z, av[k]) &&
                   (!c->shape[k] || Z3_is_eq_ast(z, c->shape[k], av[k]));
        if (same)
            s = c;
    }
    if (!s) {
        e->sums = arena_grow(e->arena, e->sums, e->nsums, &e->sumcap, sizeof *e->sums, 4);
        s = &e->sums[e->nsums++];
        s->g = gi;
        s->shape = arena_alloc(e->arena, (g->nparams + 1) * sizeof *s->shape);
        for (int k = 0; k < g->nparams; k++)
            s->shape[k] = Z3_is_numeral_ast(z, av[k]) ? av[k] : NULL;
        bool was = e->in_spec;
        e->in_spec = false;
        s->proved = prove_body(e, gi, s->shape, st, depth);
        e->in_spec = was;
    }
    if (!s->proved)
        return false;
    int nrev, nens, nreq;
    Z3_ast rev = clauses(e, gi, IR_FN_REVERTS_IF, av, st, NULL, &nrev);
    Z3_ast ens = rev ? clauses(e, gi, IR_FN_ENSURES, av, st, r, &nens) : NULL;
    Z3_ast req = ens ? clauses(e, gi, IR_FN_REQUIRES, av, st, NULL, &nreq) : NULL;
    if (!req)
        return false;
    Z3_ast ok = nrev ? Z3_mk_not(z, rev) : summary_app(e, g, av, true);
    /* what the body proof established of the callee itself, true of f(args) wherever
     * the call is (a fact, not a path condition: the path goes on where the callee
     * returns, and there the result is what the callee returned) */
    Z3_ast fact = Z3_mk_implies(z, Z3_mk_and(z, 2, (Z3_ast[]){req, ok}), ens);
    e->defs = e->defs ? Z3_mk_and(z, 2, (Z3_ast[]){e->defs, fact}) : fact;
    *val = r;
    if (e->in_spec) /* a spec's value: the same term as the code's call with these args */
        return true;
    enc_call_requires(e, in, av, st, cur);
    *cur = Z3_mk_and(z, 2, (Z3_ast[]){*cur, ok});
    return true;
}
