/* lower_ssa.c — blocks and the on-the-fly SSA construction of the lowering, after Braun
 * et al. 2013 ("Simple and Efficient Construction of SSA Form"): each block records the
 * current definition of every variable; reading a variable in a block without one asks
 * its predecessors, through a phi when there are several or when the block is not sealed
 * yet (its phi is completed when it is); phis that turn out trivial are removed.
 * lower_func_end lays blocks out in the order they were first emitted into and numbers
 * blocks and values densely. */
#include <string.h>

#include "lower.h"

static LBlock *lblock(Lower *L, IrBlock *b) { return L->lb[b->id]; }

void lower_func_begin(Lower *L, IrFunc *f) {
    /* the SSA tables of the previous function are dead: start a fresh scratch arena */
    arena_free(&L->tmp);
    arena_init(&L->tmp);
    L->lb = NULL;
    L->nlb = L->caplb = 0;
    L->var_syms = NULL;
    L->var_types = NULL;
    L->var_params = NULL;
    L->var_spans = NULL;
    L->nvars = L->capvars = 0;
    L->f = f;
    L->nentered = 0;
    L->loop = NULL;
    L->cur = NULL;
    IrBlock *entry = lower_block_new(L);
    lblock(L, entry)->sealed = true;
    lower_set_block(L, entry);
}

IrBlock *lower_block_new(Lower *L) {
    IrBlock *b = ir_block_new(L->f);
    if (L->nlb == L->caplb) {
        int cap = L->caplb ? L->caplb * 2 : 8;
        LBlock **nb = ARENA_ARRAY(&L->tmp, LBlock *, cap);
        if (L->nlb)
            memcpy(nb, L->lb, sizeof(LBlock *) * (size_t)L->nlb);
        L->lb = nb;
        L->caplb = cap;
    }
    LBlock *lb = ARENA_NEW(&L->tmp, LBlock);
    lb->b = b;
    b->id = L->nlb;
    L->lb[L->nlb++] = lb;
    return b;
}

void lower_set_block(Lower *L, IrBlock *b) {
    LBlock *lb = lblock(L, b);
    if (!lb->order)
        lb->order = ++L->nentered;
    L->cur = b;
}

IrInstr *lower_emit(Lower *L, IrOp op, IrType *t, IrInstr **args, int nargs, Span sp) {
    IrInstr *i = ir_instr_new(L->f, op, t ? t : ir_type_void(L->m), args, nargs, sp);
    if (L->ghost)
        i->flags |= IR_F_GHOST;
    ir_block_append(L->cur, i);
    return i;
}

IrInstr *lower_const(Lower *L, IrType *t, U256 v, Span sp) {
    IrInstr *i = lower_emit(L, IR_CONST, t, NULL, 0, sp);
    i->imm = ir_imm(L->m, v);
    return i;
}

IrInstr *lower_const_u64(Lower *L, IrType *t, uint64_t v, Span sp) {
    return lower_const(L, t, u256_from_u64(v), sp);
}

void lower_add_pred(Lower *L, IrBlock *b, IrBlock *pred) {
    LBlock *lb = lblock(L, b);
    if (lb->npreds == lb->cappreds) {
        int cap = lb->cappreds ? lb->cappreds * 2 : 4;
        IrBlock **np = ARENA_ARRAY(&L->tmp, IrBlock *, cap);
        if (lb->npreds)
            memcpy(np, lb->preds, sizeof(IrBlock *) * (size_t)lb->npreds);
        lb->preds = np;
        lb->cappreds = cap;
    }
    lb->preds[lb->npreds++] = pred;
}

int lower_npreds(Lower *L, IrBlock *b) { return lblock(L, b)->npreds; }

void lower_jmp(Lower *L, IrBlock *to, Span sp) {
    IrInstr *j = lower_emit(L, IR_JMP, NULL, NULL, 0, sp);
    j->targets[0] = to; /* ir_instr_new made room for the targets */
    lower_add_pred(L, to, L->cur);
    L->cur = NULL;
}

void lower_br(Lower *L, IrInstr *c, IrBlock *t, IrBlock *e, Span sp) {
    IrInstr *j = lower_emit(L, IR_BR, NULL, &c, 1, sp);
    j->targets[0] = t;
    j->targets[1] = e;
    lower_add_pred(L, t, L->cur);
    lower_add_pred(L, e, L->cur);
    L->cur = NULL;
}

/* ---------------- variables ---------------- */

int lower_var_new(Lower *L, Sym *s, IrType *t) {
    if (L->nvars == L->capvars) {
        int cap = L->capvars ? L->capvars * 2 : 8;
        Sym **ns = ARENA_ARRAY(&L->tmp, Sym *, cap);
        IrType **nt = ARENA_ARRAY(&L->tmp, IrType *, cap);
        int *np = ARENA_ARRAY(&L->tmp, int, cap);
        Span *nsp = ARENA_ARRAY(&L->tmp, Span, cap);
        if (L->nvars) {
            memcpy(ns, L->var_syms, sizeof(Sym *) * (size_t)L->nvars);
            memcpy(nt, L->var_types, sizeof(IrType *) * (size_t)L->nvars);
            memcpy(np, L->var_params, sizeof(int) * (size_t)L->nvars);
            memcpy(nsp, L->var_spans, sizeof(Span) * (size_t)L->nvars);
        }
        L->var_syms = ns;
        L->var_types = nt;
        L->var_params = np;
        L->var_spans = nsp;
        L->capvars = cap;
    }
    L->var_syms[L->nvars] = s;
    L->var_types[L->nvars] = t;
    L->var_params[L->nvars] = -1;
    L->var_spans[L->nvars] = (Span){0, 0, 0};
    return L->nvars++;
}

int lower_var_param(Lower *L, Sym *s, IrType *t, int number, Span sp) {
    int var = lower_var_new(L, s, t);
    L->var_params[var] = number;
    L->var_spans[var] = sp;
    return var;
}

/* The `param` instruction of a parameter variable, at the top of the entry block in
 * parameter order. */
static IrInstr *param_value(Lower *L, int var) {
    int k = L->var_params[var];
    IrInstr *i = ir_instr_new(L->f, IR_PARAM, L->var_types[var], NULL, 0, L->var_spans[var]);
    i->imm = ir_imm(L->m, u256_from_u64((uint64_t)k));
    IrBlock *entry = L->f->entry;
    IrInstr *pos = entry->first;
    while (pos && pos->op == IR_PARAM && u256_low64(*pos->imm) < (uint64_t)k)
        pos = pos->next;
    if (pos)
        ir_instr_insert_before(pos, i);
    else
        ir_block_append(entry, i);
    lower_var_write(L, var, entry, i);
    return i;
}

int lower_var_of(Lower *L, Sym *s) {
    for (int i = L->nvars - 1; i >= 0; i--)
        if (L->var_syms[i] == s)
            return i;
    return -1;
}

void lower_var_write(Lower *L, int var, IrBlock *b, IrInstr *v) {
    LBlock *lb = lblock(L, b);
    if (var >= lb->ndefs) {
        int n = lb->ndefs * 2 > var + 1 ? lb->ndefs * 2 : var + 8;
        IrInstr **nd = ARENA_ARRAY(&L->tmp, IrInstr *, n);
        if (lb->ndefs)
            memcpy(nd, lb->defs, sizeof(IrInstr *) * (size_t)lb->ndefs);
        lb->defs = nd;
        lb->ndefs = n;
    }
    lb->defs[var] = v;
}

static IrInstr *read_recursive(Lower *L, int var, IrBlock *b, Span sp);

/* A variable read before any definition (only on paths the checker rejects or that
 * cannot run): its zero, defined at the top of the entry block so it dominates. */
static IrInstr *undef_value(Lower *L, int var, Span sp) {
    IrType *t = L->var_types[var];
    IrInstr *i;
    if (L->var_params[var] >= 0)
        return param_value(L, var);
    if (t->kind == IRT_REF) {
        i = ir_instr_new(L->f, IR_ALLOCA, t, NULL, 0, sp);
        i->alloc_type = t->elem;
    } else {
        i = ir_instr_new(L->f, IR_CONST, t, NULL, 0, sp);
    }
    i->var = -1;
    IrBlock *entry = L->f->entry;
    IrInstr *pos = entry->first;
    while (pos && pos->op == IR_PARAM)
        pos = pos->next;
    if (pos)
        ir_instr_insert_before(pos, i);
    else
        ir_block_append(entry, i);
    return i;
}

IrInstr *lower_var_read(Lower *L, int var, IrBlock *b, Span sp) {
    LBlock *lb = lblock(L, b);
    if (var < lb->ndefs && lb->defs[var])
        return lb->defs[var];
    return read_recursive(L, var, b, sp);
}

static IrInstr *new_phi(Lower *L, int var, IrBlock *b, Span sp) {
    IrInstr *phi = ir_phi(L->f, b, L->var_types[var], sp);
    phi->var = -1;
    return phi;
}

/* Replaces `phi` by `v` everywhere: in the code and in the definition tables. */
static void replace_phi(Lower *L, IrInstr *phi, IrInstr *v) {
    ir_replace_uses(L->f, phi, v);
    for (int k = 0; k < L->nlb; k++) {
        LBlock *lb = L->lb[k];
        for (int i = 0; i < lb->ndefs; i++)
            if (lb->defs[i] == phi)
                lb->defs[i] = v;
    }
    ir_instr_remove(phi);
}

static IrInstr *try_remove_trivial_phi(Lower *L, IrInstr *phi, int var, Span sp) {
    IrInstr *same = NULL;
    for (int i = 0; i < phi->nargs; i++) {
        IrInstr *op = phi->args[i];
        if (op == same || op == phi)
            continue;
        if (same)
            return phi;
        same = op;
    }
    if (!same)
        same = undef_value(L, var, sp);
    /* the phis that used this one may become trivial in turn */
    PtrVec users = {0};
    for (int k = 0; k < L->nlb; k++) {
        for (IrInstr *i = L->lb[k]->b->first; i && i->op == IR_PHI; i = i->next) {
            if (i == phi)
                continue;
            for (int j = 0; j < i->nargs; j++)
                if (i->args[j] == phi) {
                    ptrvec_push(&L->tmp, &users, i);
                    break;
                }
        }
    }
    replace_phi(L, phi, same);
    for (int u = 0; u < users.len; u++) {
        IrInstr *user = users.items[u];
        if (user->block) /* not removed meanwhile */
            try_remove_trivial_phi(L, user, var, sp);
    }
    return same;
}

static IrInstr *add_phi_operands(Lower *L, int var, IrInstr *phi, IrBlock *b, Span sp) {
    LBlock *lb = lblock(L, b);
    for (int i = 0; i < lb->npreds; i++)
        ir_phi_add(L->f, phi, lower_var_read(L, var, lb->preds[i], sp), lb->preds[i]);
    return try_remove_trivial_phi(L, phi, var, sp);
}

static IrInstr *read_recursive(Lower *L, int var, IrBlock *b, Span sp) {
    LBlock *lb = lblock(L, b);
    IrInstr *v;
    if (!lb->sealed) {
        v = new_phi(L, var, b, sp);
        if (lb->ninc == lb->capinc) {
            int cap = lb->capinc ? lb->capinc * 2 : 8;
            IrInstr **np = ARENA_ARRAY(&L->tmp, IrInstr *, cap);
            int *nv = ARENA_ARRAY(&L->tmp, int, cap);
            if (lb->ninc) {
                memcpy(np, lb->inc_phis, sizeof(IrInstr *) * (size_t)lb->ninc);
                memcpy(nv, lb->inc_vars, sizeof(int) * (size_t)lb->ninc);
            }
            lb->inc_phis = np;
            lb->inc_vars = nv;
            lb->capinc = cap;
        }
        lb->inc_phis[lb->ninc] = v;
        lb->inc_vars[lb->ninc++] = var;
    } else if (lb->npreds == 0) {
        v = undef_value(L, var, sp);
    } else if (lb->npreds == 1) {
        v = lower_var_read(L, var, lb->preds[0], sp);
    } else {
        IrInstr *phi = new_phi(L, var, b, sp);
        lower_var_write(L, var, b, phi);
        v = add_phi_operands(L, var, phi, b, sp);
    }
    lower_var_write(L, var, b, v);
    return v;
}

void lower_seal(Lower *L, IrBlock *b) {
    LBlock *lb = lblock(L, b);
    if (lb->sealed)
        return;
    lb->sealed = true;
    for (int i = 0; i < lb->ninc; i++) {
        IrInstr *phi = lb->inc_phis[i];
        /* an incomplete phi may have been replaced through the definition tables only
         * when it was trivial, which it cannot be before it has operands */
        add_phi_operands(L, lb->inc_vars[i], phi, b, phi->span);
    }
    lb->ninc = 0;
}

/* Lays the blocks out in the order they were first emitted into, drops blocks that were
 * never used, and numbers blocks and values densely. */
void lower_func_end(Lower *L) {
    IrFunc *f = L->f;
    LBlock **order = ARENA_ARRAY(&L->tmp, LBlock *, L->nentered + 1);
    int n = 0;
    for (int k = 0; k < L->nlb; k++) {
        LBlock *lb = L->lb[k];
        if (lb->order)
            order[lb->order - 1] = lb;
    }
    n = L->nentered;
    IrBlock *prev = NULL;
    for (int k = 0; k < n; k++) {
        IrBlock *b = order[k]->b;
        b->id = k;
        b->next_in_func = NULL;
        if (prev)
            prev->next_in_func = b;
        else
            f->entry = b;
        prev = b;
    }
    f->nblocks = n;
    int id = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            i->id = (ir_op_info[i->op].flags & OPF_RESULT) && i->type &&
                            i->type->kind != IRT_VOID
                        ? id++
                        : -1;
    f->ninstrs = id;
    L->cur = NULL;
    /* the SSA tables are dead once the function is laid out */
    arena_free(&L->tmp);
    L->lb = NULL;
    L->nlb = L->caplb = 0;
}
