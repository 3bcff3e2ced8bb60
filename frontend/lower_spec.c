/* lower_spec.c — specifications become spec functions returning bool: one per `requires`,
 * `ensures` and `reverts_if` clause (owner = the function's index, same parameters) and one
 * per contract `invariant` (no parameters, owner -1). Inside them storage reads under
 * old(...) are `old.sload`, `sum(m)` is `sum`/`old.sum`, `result` is `result`; specs have no
 * effects, so `&&`, `||` and `==>` are plain and/or/not and arithmetic is not checked.
 * `forall i in a..b: e` is unrolled up to FORALL_UNROLL iterations, otherwise a bounded loop
 * that and-accumulates. */
#include <string.h>

#include "lower.h"

enum { FORALL_UNROLL = 64 };

static Type ty_bool_sp = {.kind = TY_BOOL};
static Type ty_u256_sp = {.kind = TY_INT, .bits = 256};

static const char *spec_name(Lower *L, const char *base, const char *what, int n) {
    char buf[300];
    snprintf(buf, sizeof buf, "%s.%s.%d", base, what, n);
    return intern(L->p->names, buf, strlen(buf));
}

static void spec_body(Lower *L, IrFunc *f, Decl *owner, Expr *e) {
    L->fn = NULL;
    L->in_old = L->ghost = false;
    lower_func_begin(L, f);
    L->in_spec = true;
    if (owner) {
        for (int k = 0; k < owner->nparams; k++) {
            Param *pa = &owner->params[k];
            lower_var_param(L, pa->sym, f->params[k].type, k, pa->span);
        }
    }
    IrInstr *v = lower_expr_to(L, e, &ty_bool_sp);
    lower_emit(L, IR_RET, NULL, &v, 1, e->span);
    L->cur = NULL;
    lower_func_end(L);
    L->in_spec = false;
    L->result_type = NULL;
}

void lower_specs(Lower *L, Decl *fn, int owner) {
    static const IrFuncKind kinds[SP_COUNT] = {IR_FN_REQUIRES, IR_FN_ENSURES, IR_FN_REVERTS_IF};
    static const char *const names[SP_COUNT] = {"requires", "ensures", "reverts_if"};
    IrFunc *of = L->m->funcs[owner];
    int count[SP_COUNT] = {0};
    if (!lower_region_usable(L, fn, true))
        return;
    for (int k = 0; k < fn->nspecs; k++) {
        Spec *sp = &fn->specs[k];
        IrFunc *f = ir_func_new(L->m, kinds[sp->kind], spec_name(L, of->name, names[sp->kind],
                                                                 count[sp->kind]++),
                                NULL, 0, ir_type_bool(L->m));
        /* a spec function has its owner's parameters: it shares the owner's array */
        f->params = of->params;
        f->nparams = of->nparams;
        f->owner = owner;
        f->span = sp->span;
        L->result_type = sp->kind == SP_ENSURES ? of->ret : NULL;
        spec_body(L, f, fn, sp->expr);
    }
    lower_region_release(L, fn, true);
}

void lower_invariant(Lower *L, Decl *inv) {
    if (!lower_region_usable(L, inv, true))
        return;
    int n = 0;
    for (int i = 0; i < L->m->nspecs; i++)
        if (L->m->specs[i]->kind == IR_FN_INVARIANT)
            n++;
    char buf[32];
    snprintf(buf, sizeof buf, "invariant.%d", n);
    IrFunc *f = ir_func_new(L->m, IR_FN_INVARIANT, intern(L->p->names, buf, strlen(buf)), NULL,
                            0, ir_type_bool(L->m));
    f->owner = -1;
    f->span = inv->span;
    spec_body(L, f, NULL, inv->expr);
    lower_region_release(L, inv, true);
}

/* The symbol of the forall variable: the checker may annotate the forall itself or only
 * the names that use it. */
static Sym *find_forall_sym(Expr *e, const char *name) {
    if (!e)
        return NULL;
    if (e->kind == EX_NAME && e->sym && e->sym->kind == SYM_FORALL_VAR && e->name == name)
        return e->sym;
    Sym *s;
    for (int k = 0; k < expr_nchildren(e); k++)
        if ((s = find_forall_sym(expr_child(e, k), name)))
            return s;
    return NULL;
}

IrInstr *lower_forall(Lower *L, Expr *e) {
    Sym *s = e->var_sym && e->var_sym->kind == SYM_FORALL_VAR ? e->var_sym
                                                              : find_forall_sym(e->body, e->name);
    Type *vt = s && s->type && s->type->kind == TY_INT ? s->type : &ty_u256_sp;
    IrType *it = lower_type(L, vt);
    IrType *bt = ir_type_bool(L->m);
    int var = lower_var_new(L, s, it);
    U256 lo, hi, span;
    bool borrow;
    if (lower_const_eval(e->lhs, &lo) && lower_const_eval(e->rhs, &hi) &&
        u256_cmp(hi, lo) >= 0 &&
        u256_cmp(span = u256_sub(hi, lo, &borrow), u256_from_u64(FORALL_UNROLL)) <= 0) {
        IrInstr *acc = NULL;
        for (uint64_t k = 0; k < u256_low64(span); k++) {
            bool carry;
            U256 v = u256_add(lo, u256_from_u64(k), &carry);
            lower_var_write(L, var, L->cur, lower_const(L, it, v, e->span));
            IrInstr *b = lower_expr_to(L, e->body, &ty_bool_sp);
            if (acc) {
                IrInstr *ab[2] = {acc, b};
                acc = lower_emit(L, IR_AND, bt, ab, 2, e->span);
            } else {
                acc = b;
            }
        }
        return acc ? acc : lower_const_u64(L, bt, 1, e->span);
    }
    /* a bounded loop: acc = true; for i in lo..hi { acc = acc & body } */
    IrInstr *lov = lower_expr_to(L, e->lhs, vt);
    IrInstr *hiv = lower_expr_to(L, e->rhs, vt);
    int acc = lower_var_new(L, NULL, bt);
    lower_var_write(L, var, L->cur, lov);
    lower_var_write(L, acc, L->cur, lower_const_u64(L, bt, 1, e->span));
    IrBlock *header = lower_block_new(L);
    IrBlock *body = lower_block_new(L);
    IrBlock *exit = lower_block_new(L);
    lower_jmp(L, header, e->span);
    lower_set_block(L, header);
    IrInstr *ab[2] = {lower_var_read(L, var, header, e->span), hiv};
    lower_br(L, lower_emit(L, IR_LT, bt, ab, 2, e->span), body, exit, e->span);
    lower_seal(L, body);
    lower_set_block(L, body);
    IrInstr *b = lower_expr_to(L, e->body, &ty_bool_sp);
    IrInstr *cb[2] = {lower_var_read(L, acc, L->cur, e->span), b};
    lower_var_write(L, acc, L->cur, lower_emit(L, IR_AND, bt, cb, 2, e->span));
    IrInstr *i = lower_var_read(L, var, L->cur, e->span);
    IrInstr *inc[2] = {i, lower_const_u64(L, it, 1, e->span)};
    lower_var_write(L, var, L->cur, lower_emit(L, IR_ADD, it, inc, 2, e->span));
    lower_jmp(L, header, e->span);
    lower_seal(L, header);
    lower_seal(L, exit);
    lower_set_block(L, exit);
    return lower_var_read(L, acc, exit, e->span);
}
