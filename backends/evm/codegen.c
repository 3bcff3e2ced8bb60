/* codegen.c — IR functions to EVM code. Every SSA value has a word in its function's static
 * frame in memory (so there is never a "stack too deep"); a value used once, next, stays on
 * the stack. Owns: frames and their reuse, values, arithmetic with its checks (Panic
 * codes), memory places, events, custom errors, internal and external calls, blocks and
 * phis; storage.c has the storage side, dispatch.c the ABI and entry points. */
#include <string.h>

#include "internal.h"

#define A (g->a)

static IrType *strip_ref(IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return t;
}

static bool is_value_type(const IrType *t) {
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
           t->kind == IRT_BYTES;
}

void evm_gen_fail(EvmGen *g, Span sp, const char *what) {
    if (g->ok)
        diag_error(g->diags, sp, "evm backend: %s is not supported yet", what);
    g->ok = false;
}

void evm_gen_internal(EvmGen *g, Span sp, const char *what) {
    if (g->ok)
        diag_error(g->diags, sp, "evm backend: internal error: %s (the IR validator rejects it)",
                   what);
    g->ok = false;
}

U256 evm_low_mask(unsigned bits) {
    if (bits >= 256)
        return u256_not(u256_from_u64(0));
    return u256_sub(u256_shl(u256_from_u64(1), bits), u256_from_u64(1), NULL);
}

/* -2^(bits-1) as a 256-bit word */
static U256 signed_min(unsigned bits) {
    return u256_neg(u256_shl(u256_from_u64(1), bits - 1));
}

static void push(EvmGen *g, uint64_t v) { evm_asm_push_u64(A, v); }
static void op(EvmGen *g, EvmOp o) { evm_asm_op(A, o); }

static void mload_at(EvmGen *g, uint32_t addr) {
    push(g, addr);
    op(g, EVM_MLOAD);
}

static void mstore_at(EvmGen *g, uint32_t addr) {
    push(g, addr);
    op(g, EVM_MSTORE);
}

/* ---------------- frames ---------------- */
static int max_id(const IrFunc *f) {
    int mx = -1;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->id > mx)
                mx = i->id;
    return mx;
}

/* Constants and environment values are rematerialised, parameters have their own words,
 * ghost instructions and proven checks are not emitted: none needs a frame word. */
static bool needs_word(const IrInstr *i) {
    if (i->op == IR_CONST || i->op == IR_ENV || i->op == IR_PARAM || (i->flags & IR_F_GHOST))
        return false;
    return !((ir_op_info[i->op].flags & OPF_CHECK) && (i->flags & IR_F_PROVEN));
}

/* Does f keep a storage slot in its cache word (an sload of a map entry, element or
 * field: see IR_SLOAD)? */
static bool uses_slot_cache(const IrFunc *f) {
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->op == IR_SLOAD && i->npath)
                return true;
    return false;
}

/* Frame words for the SSA values of f, reused between values whose live ranges do not
 * overlap. With the blocks in an order where every edge goes forward (no loop), a value
 * is live only between its definition and its last use in that order (a phi: from the
 * end of its first predecessor); with a loop every value keeps its own word. Returns the
 * word of each value by id and sets *nwords. */
static int *assign_slots(const IrFunc *f, Arena *arena, int *nwords) {
    int nid = max_id(f) + 1, nb = 0;
    int *slot = ARENA_ARRAY(arena, int, nid + 1);
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        if (b->id + 1 > nb)
            nb = b->id + 1;
    int *bpos = ARENA_ARRAY(arena, int, nb + 1), *bend = ARENA_ARRAY(arena, int, nb + 1);
    int *start = ARENA_ARRAY(arena, int, nid + 1), *end = ARENA_ARRAY(arena, int, nid + 1);
    IrInstr **def = ARENA_ARRAY(arena, IrInstr *, nid + 1);
    int pos = 0, order = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        bpos[b->id] = order++;
        for (IrInstr *i = b->first; i; i = i->next) {
            pos++;
            if (i->id >= 0 && needs_word(i))
                def[i->id] = i, start[i->id] = end[i->id] = pos;
        }
        bend[b->id] = pos;
    }
    bool forward = true;
    for (IrBlock *b = f->entry; b && forward; b = b->next_in_func) {
        IrInstr *t = b->last;
        int nt = t && t->op == IR_JMP ? 1 : t && t->op == IR_BR ? 2 : 0;
        for (int k = 0; k < nt; k++)
            if (bpos[t->targets[k]->id] <= bpos[b->id])
                forward = false;
    }
    if (!forward) {
        for (int k = 0; k < nid; k++)
            slot[k] = k;
        *nwords = nid;
        return slot;
    }
    pos = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next) {
            pos++;
            for (int k = 0; k < i->nargs; k++) {
                IrInstr *v = i->args[k];
                if (v->id < 0)
                    continue;
                int use = i->op == IR_PHI ? bend[i->phi_blocks[k]->id] : pos;
                if (use > end[v->id])
                    end[v->id] = use;
            }
            if (i->op == IR_PHI && i->id >= 0)
                for (int k = 0; k < i->nargs; k++)
                    if (bend[i->phi_blocks[k]->id] < start[i->id])
                        start[i->id] = bend[i->phi_blocks[k]->id];
        }
    /* linear scan in order of start */
    int *byst = ARENA_ARRAY(arena, int, nid + 1), n = 0;
    for (int k = 0; k < nid; k++)
        if (def[k])
            byst[n++] = k;
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && start[byst[b - 1]] > start[byst[b]]; b--) {
            int t = byst[b];
            byst[b] = byst[b - 1];
            byst[b - 1] = t;
        }
    int *busy_until = ARENA_ARRAY(arena, int, nid + 1);  /* per word: end of its value */
    int words = 0;
    for (int q = 0; q < n; q++) {
        int v = byst[q], w = 0;
        while (w < words && busy_until[w] >= start[v])
            w++;
        if (w == words)
            words++;
        busy_until[w] = end[v];
        slot[v] = w;
    }
    *nwords = words;
    return slot;
}

/* Internal functions called from at most this many places are emitted at each call. */
enum { INLINE_MAX_SITES = 2 };

/* Calls of fi: from compiled functions only (not specs) and not ghost, or from anywhere. */
static int count_calls(const IrModule *m, int fi, bool compiled_only) {
    int n = 0;
    for (int k = 0; k < m->nfuncs; k++) {
        IrFunc *f = m->funcs[k];
        if (compiled_only && f->kind != IR_FN && f->kind != IR_FN_INIT)
            continue;
        for (IrBlock *b = f->entry; b; b = b->next_in_func)
            for (IrInstr *in = b->first; in; in = in->next)
                if (in->op == IR_CALL && in->callee == fi &&
                    !(compiled_only && (in->flags & IR_F_GHOST)))
                    n++;
    }
    return n;
}

static bool value_params_only(const IrFunc *f) {
    for (int k = 0; k < f->nparams; k++)
        if (!is_value_type(strip_ref(f->params[k].type)))
            return false;
    return true;
}

/* Params need frame words unless the function is always inlined (they are the caller's
 * arguments) or is an entry point whose one-word params are read from calldata. */
static int param_words(const IrModule *m, int fi) {
    IrFunc *f = m->funcs[fi];
    if (f->kind != IR_FN)
        return f->nparams;
    if (!(f->flags & IR_FN_PUB) && count_calls(m, fi, true) <= INLINE_MAX_SITES)
        return 0;
    /* (an aggregate result is encoded from the frame's first word: see entry_stub) */
    IrType *rt = f->ret ? strip_ref(f->ret) : NULL;
    bool word_result = !rt || rt->kind == IRT_VOID || rt->kind == IRT_STRING || is_value_type(rt);
    if ((f->flags & IR_FN_PUB) && count_calls(m, fi, false) == 0 && value_params_only(f) &&
        word_result)
        return 0;
    return f->nparams;
}

void evm_gen_init(EvmGen *g, IrModule *m, const EvmLayout *l, DiagSink *diags, Arena *arena) {
    memset(g, 0, sizeof *g);
    g->m = m;
    g->l = l;
    g->diags = diags;
    g->arena = arena;
    g->ok = true;
    int n = m->nfuncs;
    g->frame_base = ARENA_ARRAY(arena, uint32_t, n + 1);
    g->frame_size = ARENA_ARRAY(arena, uint32_t, n + 1);
    g->param_words = ARENA_ARRAY(arena, int, n + 1);
    g->slots = ARENA_ARRAY(arena, int *, n + 1);
    for (int i = 0; i < n; i++) {
        int words;
        g->slots[i] = assign_slots(m->funcs[i], arena, &words);
        g->frame_base[i] = EVM_FRAMES;
        /* one more word when needed: the storage slot cache (see IR_SLOAD) */
        g->param_words[i] = param_words(m, i);
        g->frame_size[i] = 32u * (uint32_t)(g->param_words[i] + words +
                                            uses_slot_cache(m->funcs[i]));
    }
    /* The call graph is acyclic: a callee's frame goes after each caller's frame, so
     * frames of functions that can be active at once never overlap. */
    for (int round = 0; round <= n; round++) {
        bool changed = false;
        for (int i = 0; i < n; i++)
            for (IrBlock *b = m->funcs[i]->entry; b; b = b->next_in_func)
                for (IrInstr *in = b->first; in; in = in->next)
                    if (in->op == IR_CALL && in->callee >= 0 && in->callee < n) {
                        uint32_t want = g->frame_base[i] + g->frame_size[i];
                        if (g->frame_base[in->callee] < want) {
                            g->frame_base[in->callee] = want;
                            changed = true;
                        }
                    }
        if (!changed)
            break;
    }
    g->reg_base = EVM_FRAMES;
    for (int i = 0; i < n; i++)
        if (g->frame_base[i] + g->frame_size[i] > g->reg_base)
            g->reg_base = g->frame_base[i] + g->frame_size[i];
    g->heap_base = g->reg_base + 32u * EVM_NREGS;
}

uint32_t evm_gen_param_slot(EvmGen *g, int fi, int k) {
    return g->frame_base[fi] + 32u * (uint32_t)k;
}

static uint32_t home(EvmGen *g, const IrInstr *i) {
    return g->frame_base[g->fi] + 32u * (uint32_t)(g->param_words[g->fi] + g->slots[g->fi][i->id]);
}

/* The assembler calls this before every item: a forwarded value still on the stack goes
 * to its frame word first, so that whatever is emitted next finds the stack as expected. */
static void spill_pending(void *ctx) {
    EvmGen *g = ctx;
    IrInstr *p = g->pending;
    if (!p)
        return;
    g->pending = NULL;
    if (g->pending_stored) {
        g->pending_stored = false;
        evm_asm_op(g->a, EVM_POP);
        return;
    }
    evm_asm_push_u64(g->a, home(g, p));
    evm_asm_op(g->a, EVM_MSTORE);
}

void evm_gen_begin(EvmGen *g, EvmAsm *a, bool creation) {
    g->a = a;
    a->before_emit = spill_pending;
    a->hook_ctx = g;
    g->pending = NULL;
    g->pending_stored = false;
    g->single_user = NULL;
    g->nuses = NULL;
    g->carry = NULL;
    g->creation = creation;
    int n = g->m->nfuncs;
    g->body_label = ARENA_ARRAY(g->arena, int, n + 1);
    g->queue = ARENA_ARRAY(g->arena, int, n + 1);
    g->nqueue = 0;
    for (int i = 0; i < n; i++)
        g->body_label[i] = -1;
    g->lbl_revert = -1;
    g->revert_placed = g->value_checked = false;
    g->cd_fi = -1;
    g->inline_back = -1;
    g->lbl_ret_string = g->lbl_ret_sstring = -1;
    g->lbl_sload_str = g->lbl_sstore_str = -1;
    for (int i = 0; i < (int)(sizeof g->lbl_panic / sizeof g->lbl_panic[0]); i++)
        g->lbl_panic[i] = -1;
}

int evm_gen_body_label(EvmGen *g, int fi) {
    if (g->body_label[fi] < 0) {
        g->body_label[fi] = evm_asm_new_label(A, g->m->funcs[fi]->name);
        g->queue[g->nqueue++] = fi;
    }
    return g->body_label[fi];
}

int evm_gen_revert_label(EvmGen *g) {
    if (g->lbl_revert < 0)
        g->lbl_revert = evm_asm_new_label(A, "revert");
    return g->lbl_revert;
}

int evm_gen_panic_label(EvmGen *g, int code) {
    if (g->lbl_panic[code] < 0) {
        char name[32];
        snprintf(name, sizeof name, "panic_0x%02x", code);
        g->lbl_panic[code] = evm_asm_new_label(A, arena_strndup(g->arena, name, strlen(name)));
    }
    return g->lbl_panic[code];
}

void evm_gen_push_free(EvmGen *g) {
    mload_at(g, EVM_FREE_PTR), push(g, g->heap_base), op(g, EVM_ADD);
}

void evm_gen_alloc(EvmGen *g, uint32_t bytes) {
    bytes = (bytes + 31) & ~31u;
    mload_at(g, EVM_FREE_PTR);     /* [used] */
    op(g, EVM_DUP1);
    push(g, bytes);
    op(g, EVM_ADD);
    mstore_at(g, EVM_FREE_PTR);
    push(g, g->heap_base), op(g, EVM_ADD);   /* [p] */
}

/* ---------------- values ---------------- */
static U256 const_word(const IrInstr *c) {
    const IrType *t = c->type;
    U256 v = *c->imm;
    if (t->kind == IRT_INT)
        return u256_trunc(v, t->bits, t->is_signed);
    if (t->kind == IRT_BYTES)
        return u256_shl(u256_trunc(v, t->bits, false), 256u - t->bits);
    if (t->kind == IRT_ADDRESS)
        return u256_trunc(v, 160, false);
    if (t->kind == IRT_BOOL)
        return u256_from_u64(!u256_is_zero(v));
    return v;
}

static EvmOp env_op(IrEnv e) {
    static const EvmOp ops[IR_ENV_COUNT] = {
        [IR_ENV_CALLER] = EVM_CALLER, [IR_ENV_CALLVALUE] = EVM_CALLVALUE,
        [IR_ENV_ORIGIN] = EVM_ORIGIN, [IR_ENV_ADDRESS] = EVM_ADDRESS,
        [IR_ENV_NUMBER] = EVM_NUMBER, [IR_ENV_TIMESTAMP] = EVM_TIMESTAMP,
        [IR_ENV_CHAINID] = EVM_CHAINID,
    };
    return ops[e];
}

void evm_gen_push_value(EvmGen *g, IrInstr *v) {
    if (v == g->pending) {
        g->pending = NULL; /* already on top of the stack */
        g->pending_stored = false;
        return;
    }
    if (v->op == IR_CONST) {
        evm_asm_push(A, const_word(v));
    } else if (v->op == IR_ENV) {
        op(g, env_op(v->env));   /* constant during a call: cheaper to read again */
    } else if (v->op == IR_PARAM && g->inl) {
        /* the caller's argument, read where the caller keeps it */
        spill_pending(g);
        EvmInline *c = g->inl;
        IrFunc *f = g->f;
        int fi = g->fi;
        g->f = c->f, g->fi = c->fi, g->inl = c->up;
        evm_gen_push_value(g, c->args[u256_low64(*v->imm)]);
        g->f = f, g->fi = fi, g->inl = c;
    } else if (v->op == IR_PARAM && g->cd_fi == g->fi) {
        int k = (int)u256_low64(*v->imm);
        if (g->sp_pos && g->sp_pos[k] >= 0) {
            spill_pending(g);   /* before the depth is read */
            int n = A->depth - g->sp_pos[k] + 1;
            if (A->depth > EVM_DEPTH_UNKNOWN / 2 && n >= 1 && n <= 16) {
                op(g, (EvmOp)(EVM_DUP1 + n - 1));
                g->stack_params_used = true;
                return;
            }
        }
        push(g, 4 + 32 * (uint64_t)k), op(g, EVM_CALLDATALOAD);   /* validated */
    } else if (v->op == IR_PARAM) {
        mload_at(g, evm_gen_param_slot(g, g->fi, (int)u256_low64(*v->imm)));
    } else {
        mload_at(g, home(g, v));
    }
}
#define PV(v) evm_gen_push_value(g, (v))

/* Is the next instruction an operation whose first operand pushed is v? */
static bool first_use_next(const IrInstr *v) {
    const IrInstr *n = v->next;
    if (!n || n->nargs < 1 || n->args[0] != v || (n->flags & IR_F_GHOST))
        return false;
    switch (n->op) {
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_MOD: case IR_AND: case IR_OR:
    case IR_XOR: case IR_EQ: case IR_NE: case IR_LT: case IR_GT: case IR_LE: case IR_GE:
        return true;
    default:
        return false;
    }
}

static bool skipped(const IrInstr *i);

static IrInstr *next_emitted(IrInstr *i) {
    IrInstr *n = i->next;
    while (n && skipped(n))
        n = n->next;
    return n;
}

/* Are v's only two uses the unsigned check.add / check.sub right after it and the op it
 * guards (x += k on a freshly read x)? emit_fused_check then takes v from the stack. */
static bool fused_pair_next(EvmGen *g, IrInstr *v) {
    if (!g->nuses || v->id < 0 || v->op == IR_PHI || g->nuses[v->id] != 2)
        return false;
    IrInstr *c = next_emitted(v);
    if (!c || (c->op != IR_CHECK_ADD && c->op != IR_CHECK_SUB) || c->nargs != 2 ||
        c->args[0] != v || c->args[1] == v)
        return false;
    IrInstr *n = next_emitted(c);
    IrOp want = c->op == IR_CHECK_ADD ? IR_ADD : IR_SUB;
    const IrType *t = v->type;
    return n && n->op == want && n->args[0] == v && n->args[1] == c->args[1] && t &&
           t->kind == IRT_INT && !t->is_signed && (want == IR_SUB || t->bits == 256);
}

static bool has_phis(IrBlock *b);
static bool ends_in_revert(const IrBlock *b);

/* Operands naming v in block b (instructions not emitted do not count). */
static int uses_in(const IrBlock *b, const IrInstr *v) {
    int n = 0;
    for (IrInstr *i = b->first; i; i = i->next)
        if (!skipped(i))
            for (int k = 0; k < i->nargs; k++)
                n += i->args[k] == v;
    return n;
}

/* Does block b start with an unsigned check.add / check.sub of v and the op it guards,
 * which emit_fused_check computes at once from v on the stack? */
static bool fused_pair_first(const IrBlock *b, IrInstr *v) {
    IrInstr *c = b->first;
    while (c && skipped(c))
        c = c->next;
    if (!c || (c->op != IR_CHECK_ADD && c->op != IR_CHECK_SUB) || c->nargs != 2 ||
        c->args[0] != v || c->args[1] == v)
        return false;
    IrInstr *n = next_emitted(c);
    IrOp want = c->op == IR_CHECK_ADD ? IR_ADD : IR_SUB;
    const IrType *t = v->type;
    return n && n->op == want && n->args[0] == v && n->args[1] == c->args[1] && t &&
           t->kind == IRT_INT && !t->is_signed && (want == IR_SUB || t->bits == 256);
}

/* v is next compared (its first operand pushed) by the condition of its block's branch,
 * used once more in one target and otherwise only in the other: it can stay on the stack
 * over the branch. Returns that target, or NULL. */
static IrBlock *carry_target(EvmGen *g, IrInstr *v) {
    /* (a phi is stored by its predecessors, not where it is used) */
    if (!g->nuses || !g->single_user || v->id < 0 || v->op == IR_PHI || g->carry ||
        !first_use_next(v))
        return NULL;
    IrInstr *c = next_emitted(v);
    if (c->nargs != 2 || c->args[1] == v || c->id < 0)
        return NULL;
    IrInstr *br = next_emitted(c);
    if (!br || br->op != IR_BR || br != v->block->last || g->single_user[c->id] != br ||
        br->args[0] != c)
        return NULL;
    IrBlock *t = br->targets[0], *e = br->targets[1];
    if (t == e || t == v->block || e == v->block || t->npreds != 1 || e->npreds != 1 ||
        has_phis(t) || has_phis(e))
        return NULL;
    if (g->nuses[v->id] != 1 + uses_in(t, v) + uses_in(e, v))
        return NULL;
    int ut = uses_in(t, v), ue = uses_in(e, v);
    if (ut == 2 && fused_pair_first(t, v))
        ut = 1;   /* check and op take it at once (emit_fused_check) */
    if (ue == 2 && fused_pair_first(e, v))
        ue = 1;
    if (ut == 1 && (ue != 1 || ends_in_revert(e)))
        return t;
    if (ue == 1)
        return e;
    return NULL;
}

static void store_result(EvmGen *g, IrInstr *i) {
    if (g->single_user && i->id >= 0 && g->single_user[i->id] && !g->pending) {
        g->pending = i;
        return;
    }
    IrBlock *to = g->pending ? NULL : carry_target(g, i);
    if (to) {
        /* a copy for the condition, the value itself stays under it over the branch */
        op(g, EVM_DUP1);
        g->pending = i;
        g->pending_stored = false;
        g->carry = i, g->carry_from = i->block, g->carry_to = to;
        return;
    }
    if (!g->pending && fused_pair_next(g, i)) {
        g->pending = i;   /* both uses are the next two operations */
        return;
    }
    if (!g->pending && i->id >= 0 && first_use_next(i)) {
        /* used again later, but next right here: a copy stays on the stack */
        op(g, EVM_DUP1), mstore_at(g, home(g, i));
        g->pending = i;
        g->pending_stored = true;
        return;
    }
    mstore_at(g, home(g, i));
}

/* Brings the top of the stack back to the representation of `t`: unsigned narrow values
 * are zero-extended, signed ones sign-extended, bytesN left-aligned. */
void evm_gen_normalize(EvmGen *g, const IrType *t) {
    if (t->kind == IRT_INT && t->bits < 256) {
        if (t->is_signed) {
            push(g, t->bits / 8 - 1);
            op(g, EVM_SIGNEXTEND);
        } else {
            evm_asm_push(A, evm_low_mask(t->bits));
            op(g, EVM_AND);
        }
    } else if (t->kind == IRT_ADDRESS) {
        evm_asm_push(A, evm_low_mask(160));
        op(g, EVM_AND);
    } else if (t->kind == IRT_BYTES && t->bits < 256) {
        evm_asm_push(A, u256_not(evm_low_mask(256 - t->bits)));
        op(g, EVM_AND);
    } else if (t->kind == IRT_BOOL) {
        push(g, 1);
        op(g, EVM_AND);
    }
}

/* [x] -> [x != sext(x)] for a signed narrow type */
static void not_sign_extended(EvmGen *g, unsigned bits) {
    op(g, EVM_DUP1);
    push(g, bits / 8 - 1);
    op(g, EVM_SIGNEXTEND);
    op(g, EVM_EQ);
    op(g, EVM_ISZERO);
}

static void panic_if(EvmGen *g, int code) {
    evm_asm_jumpi(A, evm_gen_panic_label(g, code));
}


/* Can v be pushed again for at most 3 gas: a constant, an environment value, or a parameter
 * kept on the stack within DUP16's reach? */
static bool cheap_repush(EvmGen *g, IrInstr *v) {
    if (v->op == IR_CONST || v->op == IR_ENV)
        return true;
    EvmInline *c = g->inl;
    int fi = g->fi;
    while (v->op == IR_PARAM && c) {
        /* an inlined callee's param is the caller's argument */
        fi = c->fi;
        v = c->args[u256_low64(*v->imm)];
        c = c->up;
    }
    if (v->op != IR_PARAM || fi != g->cd_fi || !g->sp_pos || A->depth <= EVM_DEPTH_UNKNOWN / 2)
        return false;
    int k = (int)u256_low64(*v->imm);
    return g->sp_pos[k] >= 0 && A->depth - g->sp_pos[k] + 3 <= 16;
}

/* check.add / check.sub of unsigned operands right before the add / sub they guard: one
 * computation, the check reads its result (a + b < a, a - b > a; narrow: > max). */
static bool emit_fused_check(EvmGen *g, IrInstr *i) {
    IrInstr *n = i->next;
    while (n && skipped(n))
        n = n->next;
    IrInstr *a = i->args[0], *b = i->args[1];
    IrOp want = i->op == IR_CHECK_ADD ? IR_ADD : IR_SUB;
    if (!n || n->op != want || n->args[0] != a || n->args[1] != b || a->type->kind != IRT_INT ||
        a->type->is_signed)
        return false;
    unsigned bits = a->type->bits;
    if (g->pending == a && a != b && want == IR_ADD && bits == 256 && cheap_repush(g, b)) {
        /* [a] -> [r], then b > r fails (b pushed again: a constant, msg.*, a stack param) */
        g->pending = NULL;
        g->pending_stored = false;
        PV(b), op(g, EVM_ADD), op(g, EVM_DUP1), PV(b), op(g, EVM_GT);
        panic_if(g, 0x11);
        A->span = n->span;
        store_result(g, n);
        g->fused = n;
        return true;
    }
    if (g->pending == a && a != b && bits == 256) {
        /* a is on top and used nowhere else: [a] -> [a, r] -> [r] */
        g->pending = NULL;
        g->pending_stored = false;
        PV(b), op(g, EVM_DUP2), op(g, want == IR_ADD ? EVM_ADD : EVM_SUB);
        op(g, EVM_SWAP1), op(g, EVM_DUP2), op(g, want == IR_ADD ? EVM_LT : EVM_GT);  /* r < a | r > a */
        panic_if(g, 0x11);
        A->span = n->span;
        store_result(g, n);
        g->fused = n;
        return true;
    }
    PV(b), PV(a), op(g, want == IR_ADD ? EVM_ADD : EVM_SUB);     /* [r] */
    if (want == IR_ADD && bits == 256)
        op(g, EVM_DUP1), PV(a), op(g, EVM_GT);                     /* a > r */
    else if (want == IR_ADD)
        op(g, EVM_DUP1), evm_asm_push(A, evm_low_mask(bits)), op(g, EVM_LT);  /* max < r */
    else
        op(g, EVM_DUP1), PV(a), op(g, EVM_LT);                     /* a < r */
    panic_if(g, 0x11);
    A->span = n->span;
    store_result(g, n);
    g->fused = n;
    return true;
}

static void emit_check(EvmGen *g, IrInstr *i) {
    IrInstr *a = i->args[0], *b = i->nargs > 1 ? i->args[1] : NULL;
    IrType *t = a->type;
    bool sg = t->kind == IRT_INT && t->is_signed;
    unsigned bits = t->kind == IRT_INT ? t->bits : 256;
    if ((i->op == IR_CHECK_ADD || i->op == IR_CHECK_SUB) && emit_fused_check(g, i))
        return;
    switch (i->op) {
    case IR_CHECK_ADD:
        if (!sg && bits == 256) {
            PV(b), PV(a), op(g, EVM_ADD), PV(a), op(g, EVM_GT);
        } else if (!sg) {
            evm_asm_push(A, evm_low_mask(bits)), PV(b), PV(a), op(g, EVM_ADD), op(g, EVM_GT);
        } else if (bits < 256) {
            PV(b), PV(a), op(g, EVM_ADD), not_sign_extended(g, bits);
        } else {
            PV(a), PV(b), PV(a), op(g, EVM_ADD), op(g, EVM_SLT);
            push(g, 0), PV(b), op(g, EVM_SLT), op(g, EVM_XOR);
        }
        panic_if(g, 0x11);
        break;
    case IR_CHECK_SUB:
        if (!sg) {
            PV(b), PV(a), op(g, EVM_LT);
        } else if (bits < 256) {
            PV(b), PV(a), op(g, EVM_SUB), not_sign_extended(g, bits);
        } else {
            PV(a), PV(b), PV(a), op(g, EVM_SUB), op(g, EVM_SGT);
            push(g, 0), PV(b), op(g, EVM_SLT), op(g, EVM_XOR);
        }
        panic_if(g, 0x11);
        break;
    case IR_CHECK_MUL:
        if (!sg) {
            if (bits <= 128) {
                evm_asm_push(A, evm_low_mask(bits)), PV(b), PV(a), op(g, EVM_MUL), op(g, EVM_GT);
            } else {
                /* a != 0 && (a*b)/a != b */
                PV(a), PV(b), PV(a), op(g, EVM_MUL), op(g, EVM_DIV), PV(b), op(g, EVM_EQ);
                op(g, EVM_ISZERO), PV(a), op(g, EVM_ISZERO), op(g, EVM_ISZERO), op(g, EVM_AND);
                if (bits < 256) {
                    evm_asm_push(A, evm_low_mask(bits)), PV(b), PV(a), op(g, EVM_MUL), op(g, EVM_GT);
                    op(g, EVM_OR);
                }
            }
        } else if (bits <= 128) {
            PV(b), PV(a), op(g, EVM_MUL), not_sign_extended(g, bits);
        } else {
            /* (a == -1 && b == min256) || (a != 0 && sdiv(a*b, a) != b) [|| !fits] */
            PV(a), PV(b), PV(a), op(g, EVM_MUL), op(g, EVM_SDIV), PV(b), op(g, EVM_EQ);
            op(g, EVM_ISZERO), PV(a), op(g, EVM_ISZERO), op(g, EVM_ISZERO), op(g, EVM_AND);
            evm_asm_push(A, signed_min(256)), PV(b), op(g, EVM_EQ);
            evm_asm_push(A, u256_not(u256_from_u64(0))), PV(a), op(g, EVM_EQ), op(g, EVM_AND);
            op(g, EVM_OR);
            if (bits < 256) {
                PV(b), PV(a), op(g, EVM_MUL), not_sign_extended(g, bits), op(g, EVM_OR);
            }
        }
        panic_if(g, 0x11);
        break;
    case IR_CHECK_NEG:
        if (sg)
            evm_asm_push(A, signed_min(bits)), PV(a), op(g, EVM_EQ);
        else
            PV(a), op(g, EVM_ISZERO), op(g, EVM_ISZERO);
        panic_if(g, 0x11);
        break;
    case IR_CHECK_DIV:
        PV(b), op(g, EVM_ISZERO);
        panic_if(g, 0x12);
        if (sg) {
            evm_asm_push(A, signed_min(bits)), PV(a), op(g, EVM_EQ);
            evm_asm_push(A, u256_not(u256_from_u64(0))), PV(b), op(g, EVM_EQ), op(g, EVM_AND);
            panic_if(g, 0x11);
        }
        break;
    case IR_CHECK_CAST: {
        IrType *to = i->type;
        unsigned tb = to->kind == IRT_ADDRESS ? 160 : to->kind == IRT_INT ? to->bits : 256;
        bool ts = to->kind == IRT_INT && to->is_signed;
        if (!ts) {
            if (tb < 256)
                evm_asm_push(A, evm_low_mask(tb)), PV(a), op(g, EVM_GT);
            else if (sg)
                push(g, 0), PV(a), op(g, EVM_SLT);
            else
                break;
        } else {
            if (sg && tb < 256)
                PV(a), not_sign_extended(g, tb);
            else if (!sg)
                evm_asm_push(A, evm_low_mask(tb - 1)), PV(a), op(g, EVM_GT);
            else
                break;
        }
        panic_if(g, 0x11);
        break;
    }
    case IR_CHECK_BOUNDS:
        PV(b), PV(a), op(g, EVM_LT), op(g, EVM_ISZERO);
        panic_if(g, 0x32);
        break;
    case IR_CHECK_EMPTY:
        PV(a), op(g, EVM_ISZERO);
        panic_if(g, 0x31);
        break;
    case IR_ASSERT:
        PV(a), op(g, EVM_ISZERO);
        panic_if(g, 0x01);
        break;
    default:
        break;
    }
}

/* ---------------- arithmetic ---------------- */
static bool is_zero_const(const IrInstr *v) {
    return v->op == IR_CONST && u256_is_zero(const_word(v));
}

static void emit_binop(EvmGen *g, IrInstr *i) {
    IrInstr *a = i->args[0], *b = i->args[1];
    IrType *t = a->type;
    bool sg = t->kind == IRT_INT && t->is_signed;
    EvmOp o = EVM_STOP;
    bool norm = false, invert = false;
    switch (i->op) {
    case IR_ADD: o = EVM_ADD, norm = true; break;
    case IR_SUB: o = EVM_SUB, norm = true; break;
    case IR_MUL: o = EVM_MUL, norm = true; break;
    case IR_DIV: o = sg ? EVM_SDIV : EVM_DIV, norm = sg; break;
    case IR_MOD: o = sg ? EVM_SMOD : EVM_MOD; break;
    case IR_AND: o = EVM_AND; break;
    case IR_OR: o = EVM_OR; break;
    case IR_XOR: o = EVM_XOR; break;
    case IR_EQ: o = EVM_EQ; break;
    case IR_NE: o = EVM_EQ, invert = true; break;
    case IR_LT: o = sg ? EVM_SLT : EVM_LT; break;
    case IR_GT: o = sg ? EVM_SGT : EVM_GT; break;
    case IR_LE: o = sg ? EVM_SGT : EVM_GT, invert = true; break;
    case IR_GE: o = sg ? EVM_SLT : EVM_LT, invert = true; break;
    case IR_SHL:
    case IR_SHR:
        /* the shifted value under the count */
        PV(a), PV(b);
        if (i->op == IR_SHL) {
            op(g, EVM_SHL);
            evm_gen_normalize(g, i->type);
        } else if (t->kind == IRT_BYTES) {
            op(g, EVM_SHR);
            evm_gen_normalize(g, i->type);
        } else {
            op(g, sg ? EVM_SAR : EVM_SHR);
        }
        store_result(g, i);
        return;
    default: break;
    }
    if ((i->op == IR_NE || i->op == IR_EQ) && (is_zero_const(a) || is_zero_const(b))) {
        /* x != 0 is x as a branch condition; x == 0 is ISZERO */
        IrInstr *x = is_zero_const(a) ? b : a;
        PV(x);
        bool cond_only = g->single_user && i->id >= 0 && g->single_user[i->id] &&
                         g->single_user[i->id]->op == IR_BR;
        if (i->op == IR_EQ)
            op(g, EVM_ISZERO);
        else if (!cond_only && x->type->kind != IRT_BOOL)
            op(g, EVM_ISZERO), op(g, EVM_ISZERO);
        store_result(g, i);
        return;
    }
    if (g->pending == a && a != b) {
        /* a is on the stack already: push b over it and adapt the operation */
        PV(a), PV(b);
        switch (o) {
        case EVM_LT: o = EVM_GT; break;
        case EVM_GT: o = EVM_LT; break;
        case EVM_SLT: o = EVM_SGT; break;
        case EVM_SGT: o = EVM_SLT; break;
        case EVM_SUB: case EVM_DIV: case EVM_SDIV: case EVM_MOD: case EVM_SMOD:
            op(g, EVM_SWAP1);
            break;
        default: break;
        }
        op(g, o);
    } else {
        PV(b), PV(a), op(g, o);
    }
    if (invert)
        op(g, EVM_ISZERO);
    if (norm)
        evm_gen_normalize(g, i->type);
    store_result(g, i);
}

static void emit_cast(EvmGen *g, IrInstr *i) {
    IrType *from = i->args[0]->type, *to = i->type;
    PV(i->args[0]);
    if (from->kind == IRT_BYTES && to->kind != IRT_BYTES) {
        push(g, 256 - from->bits), op(g, EVM_SHR);
        evm_gen_normalize(g, to);
    } else if (to->kind == IRT_BYTES && from->kind != IRT_BYTES) {
        push(g, 256 - to->bits), op(g, EVM_SHL);
        evm_gen_normalize(g, to);
    } else if (to->kind == IRT_BOOL) {
        op(g, EVM_ISZERO), op(g, EVM_ISZERO);
    } else if (from->kind != IRT_BOOL) {
        evm_gen_normalize(g, to);
    }
    store_result(g, i);
}

/* ---------------- memory places ---------------- */
/* Leaves the address of the place's word on the stack; returns the type there. */
static IrType *memory_place(EvmGen *g, IrInstr *i, int root_arg) {
    IrInstr *root = i->args[root_arg];
    IrType *t = strip_ref(root->type);
    PV(root);
    int k = root_arg + 1;
    for (int p = 0; p < i->npath; p++) {
        if (p > 0)
            op(g, EVM_MLOAD); /* the previous step held a pointer to a nested aggregate */
        IrPathElem e = i->path[p];
        if (e.kind == IR_PATH_FIELD) {
            if (e.field)
                push(g, 32u * e.field), op(g, EVM_ADD);
            t = strip_ref(g->m->structs[t->struct_index].fields[e.field].type);
        } else {
            IrInstr *idx = i->args[k++];
            if (t->kind != IRT_ARRAY && t->kind != IRT_LIST) {
                /* a map member of a struct copied out of storage: maps live only in
                 * storage, the copy holds nothing there (the frontend never produces this;
                 * the IR validator does not reject it yet, and wasm refuses it too) */
                evm_gen_fail(g, i->span, "indexing a map held by a struct in memory");
                return t;
            }
            PV(idx), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
            if (t->kind == IRT_LIST)
                push(g, 32), op(g, EVM_ADD);
            t = strip_ref(t->elem);
        }
    }
    return t;
}

/* ---------------- events, errors, calls ---------------- */
/* [v, dst] -> [end]: solc's in-place encoding of an indexed event argument of aggregate
 * type, whose keccak256 is the topic: value types as their ABI word, strings as their bytes
 * zero-padded to a multiple of 32 (no length), structs, arrays and lists as the
 * concatenation of their members' encodings (no offsets, no length). */
static void topic_preimage(EvmGen *g, IrType *t) {
    t = strip_ref(t);
    if (is_value_type(t)) {
        op(g, EVM_DUP2), op(g, EVM_MSTORE), push(g, 32), op(g, EVM_ADD);
        return;
    }
    if (t->kind == IRT_STRING) {
        op(g, EVM_DUP1), op(g, EVM_MLOAD);                                  /* [len, p, dst] */
        op(g, EVM_DUP1), op(g, EVM_DUP3), push(g, 32), op(g, EVM_ADD), op(g, EVM_DUP5);
        op(g, EVM_MCOPY);
        push(g, 0), op(g, EVM_DUP2), op(g, EVM_DUP5), op(g, EVM_ADD), op(g, EVM_MSTORE);
        push(g, 31), op(g, EVM_ADD), push(g, 31), op(g, EVM_NOT), op(g, EVM_AND);
        op(g, EVM_SWAP1), op(g, EVM_POP), op(g, EVM_ADD);
        return;
    }
    op(g, EVM_SWAP1);                                                        /* [dst, p] */
    if (t->kind == IRT_LIST) {
        int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
        op(g, EVM_DUP2), op(g, EVM_MLOAD), push(g, 0);                       /* [i, len, dst, p] */
        evm_asm_label(A, loop);
        op(g, EVM_DUP2), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, done);
        op(g, EVM_DUP3), op(g, EVM_DUP5), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD);                      /* [e, dst, i, len, dst, p] */
        topic_preimage(g, t->elem);                                          /* [dst', i, len, dst, p] */
        op(g, EVM_SWAP3), op(g, EVM_POP), push(g, 1), op(g, EVM_ADD);
        evm_asm_jump(A, loop);
        evm_asm_label(A, done);
        op(g, EVM_POP), op(g, EVM_POP);
    } else if (t->kind == IRT_STRUCT || t->kind == IRT_ARRAY) {
        int n = t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].nfields : (int)t->len;
        for (int k = 0; k < n; k++) {
            IrType *et = t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].fields[k].type : t->elem;
            op(g, EVM_DUP2);
            if (k)
                push(g, 32u * (uint32_t)k), op(g, EVM_ADD);
            op(g, EVM_MLOAD);                                                /* [v, dst, p] */
            topic_preimage(g, et);                                           /* [dst', p] */
        }
    } else {
        /* maps: the IR validator rejects map-typed event fields */
        evm_gen_internal(g, (Span){0}, "an indexed event field of map type");
    }
    op(g, EVM_SWAP1), op(g, EVM_POP);                                        /* [end] */
}

static void emit_event(EvmGen *g, IrInstr *i) {
    const IrEvent *ev = &g->m->events[i->event];
    IrInstr *vals[64];
    IrType *types[64];
    int nd = 0, nt = 0, topics[4];
    for (int k = 0; k < ev->nfields && k < 64; k++) {
        if (ev->fields[k].indexed && nt < 3)
            topics[nt++] = k;
        else
            vals[nd] = i->args[k], types[nd++] = ev->fields[k].type;
    }
    for (int k = nt - 1; k >= 0; k--) {
        IrInstr *v = i->args[topics[k]];
        IrType *t = strip_ref(ev->fields[topics[k]].type);
        if (is_value_type(t)) {
            PV(v);
        } else if (t->kind == IRT_STRING) {
            PV(v), op(g, EVM_DUP1), op(g, EVM_MLOAD), op(g, EVM_SWAP1), push(g, 32), op(g, EVM_ADD);
            op(g, EVM_KECCAK256);
        } else {
            /* keccak256 of the in-place encoding, in free memory (not kept: the data is
             * encoded there afterwards) */
            evm_gen_push_free(g), PV(v);                                     /* [p, start] */
            op(g, EVM_DUP2), op(g, EVM_SWAP1);                               /* [p, start, start] */
            topic_preimage(g, t);                                            /* [end, start] */
            op(g, EVM_DUP2), op(g, EVM_SWAP1), op(g, EVM_SUB), op(g, EVM_SWAP1);
            op(g, EVM_KECCAK256);
        }
    }
    U256 t0;
    for (int w = 0; w < 4; w++) {
        uint64_t x = 0;
        for (int b = 0; b < 8; b++)
            x = x << 8 | ev->topic0[(3 - w) * 8 + b];
        t0.w[w] = x;
    }
    evm_asm_push(A, t0);
    int words = evm_gen_static_words(g, types, nd);
    if (words >= 0 && words <= EVM_SCRATCH_WORDS) {
        push(g, 0);        /* small static data: scratch memory, no expansion */
        evm_gen_encode(g, vals, types, nd);
        push(g, 32 * (uint64_t)words), op(g, EVM_SWAP1);
    } else {
        evm_gen_push_free(g);
        evm_gen_encoded_size(g, evm_gen_encode(g, vals, types, nd));
    }
    op(g, (EvmOp)(EVM_LOG1 + nt));
}

/* Reverts with selector ++ abi.encode(args). */
/* [] -> [p, size]: selector ++ abi.encode(args) in free memory. The selector is stored as
 * the low four bytes of the word at `free`, so the data begins at p = free + 28. */
static void encode_call(EvmGen *g, uint32_t sel, IrInstr **vals, IrType **types, int n) {
    evm_gen_push_free(g);
    push(g, sel), op(g, EVM_DUP2), op(g, EVM_MSTORE);
    push(g, 32), op(g, EVM_ADD);                                   /* [args] */
    int size = evm_gen_encode(g, vals, types, n);
    push(g, 4), op(g, EVM_SWAP1), op(g, EVM_SUB);                  /* [p] */
    if (size >= 0)
        push(g, (uint64_t)size + 4), op(g, EVM_SWAP1);
    else
        evm_gen_encoded_size(g, -1);
}

/* Reverts with selector ++ abi.encode(args). */
static void revert_with(EvmGen *g, uint32_t sel, IrInstr **vals, IrType **types, int n) {
    int words = evm_gen_static_words(g, types, n);
    if (words >= 0 && words <= 10) {
        /* static data below the frames: scratch memory, the free pointer and the registers
         * may be overwritten since nothing runs after the revert */
        push(g, sel), push(g, 0), op(g, EVM_MSTORE);
        bool words_only = true;
        for (int k = 0; k < n; k++)
            words_only = words_only && is_value_type(strip_ref(types[k]));
        if (words_only) {
            /* one word each at a constant address: no base pointer */
            for (int k = 0; k < n; k++)
                PV(vals[k]), push(g, 32 + 32 * (uint64_t)k), op(g, EVM_MSTORE);
        } else if (n) {
            push(g, 32);
            evm_gen_encode(g, vals, types, n);
            op(g, EVM_POP);
        }
        push(g, 4 + 32 * (uint64_t)words), push(g, 28), op(g, EVM_REVERT);
        return;
    }
    encode_call(g, sel, vals, types, n);
    op(g, EVM_REVERT);
}

static void bubble_revert_if_failed(EvmGen *g) {
    int ok = evm_asm_new_label(A, NULL);
    evm_asm_jumpi(A, ok);
    op(g, EVM_RETURNDATASIZE), push(g, 0), op(g, EVM_DUP1), op(g, EVM_RETURNDATACOPY);
    op(g, EVM_RETURNDATASIZE), push(g, 0), op(g, EVM_REVERT);
    evm_asm_label(A, ok);
}

static uint32_t selector_of(const uint8_t topic0[32]) {
    return (uint32_t)topic0[0] << 24 | (uint32_t)topic0[1] << 16 | (uint32_t)topic0[2] << 8 | topic0[3];
}

static void emit_xcall(EvmGen *g, IrInstr *i) {
    IrFunc *fn = g->m->ifaces[i->iface].fns[i->xfn];
    IrType *types[64];
    for (int k = 0; k < fn->nparams && k < 64; k++)
        types[k] = fn->params[k].type;
    if (i->nargs - 2 != fn->nparams) {
        /* the IR validator checks the arguments against the interface function's */
        evm_gen_internal(g, i->span, "an external call with this operand count");
        return;
    }
    IrType *rt = fn->ret ? strip_ref(fn->ret) : NULL;
    bool has_ret = rt && rt->kind != IRT_VOID;
    if (!has_ret) {
        /* as solc: calling an account without code would "succeed" silently; with return
         * data expected, the size check below catches it instead */
        PV(i->args[0]), op(g, EVM_EXTCODESIZE), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, evm_gen_revert_label(g));
    }
    /* out: 32 bytes at 0 (scratch) */
    push(g, has_ret ? 32 : 0), push(g, 0);
    encode_call(g, fn->selector, i->args + 2, types, fn->nparams);   /* [in, insize, 0, n] */
    bool stat = (fn->flags & IR_FN_VIEW) != 0;
    if (!stat)
        PV(i->args[1]);
    PV(i->args[0]), op(g, EVM_GAS);
    op(g, stat ? EVM_STATICCALL : EVM_CALL);
    bubble_revert_if_failed(g);
    if (has_ret && !is_value_type(rt)) {
        evm_gen_decode_returndata(g, rt, i->span);   /* copied to memory, decoded there */
        store_result(g, i);
    } else if (has_ret) {
        push(g, 32), op(g, EVM_RETURNDATASIZE), op(g, EVM_LT);
        evm_asm_jumpi(A, evm_gen_revert_label(g));
        mload_at(g, 0);
        /* dirty high bits in the return value revert, as solc does */
        if (!((rt->kind == IRT_INT || rt->kind == IRT_BYTES) && rt->bits == 256)) {
            op(g, EVM_DUP1), op(g, EVM_DUP1), evm_gen_normalize(g, rt), op(g, EVM_EQ);
            op(g, EVM_ISZERO), evm_asm_jumpi(A, evm_gen_revert_label(g));
        }
        store_result(g, i);
    } else if (i->type && i->type->kind != IRT_VOID) {
        push(g, 0), store_result(g, i);
    }
}

static void emit_keccak(EvmGen *g, IrInstr *i) {
    evm_gen_push_free(g), op(g, EVM_DUP1), mstore_at(g, R_TAIL);   /* [start] */
    for (int k = 0; k < i->nargs; k++) {
        IrType *t = strip_ref(i->args[k]->type);
        if (is_value_type(t)) {
            uint32_t s = evm_storage_bytes(t);
            PV(i->args[k]);
            if (s < 32 && t->kind != IRT_BYTES)
                push(g, 256 - 8 * s), op(g, EVM_SHL);
            mload_at(g, R_TAIL), op(g, EVM_MSTORE);
            push(g, s), mload_at(g, R_TAIL), op(g, EVM_ADD), mstore_at(g, R_TAIL);
        } else if (t->kind == IRT_STRING) {
            PV(i->args[k]), op(g, EVM_DUP1), op(g, EVM_MLOAD);            /* [len, p] */
            op(g, EVM_DUP1), op(g, EVM_SWAP2), push(g, 32), op(g, EVM_ADD); /* [p+32, len, len] */
            mload_at(g, R_TAIL), op(g, EVM_MCOPY);                        /* [len] */
            mload_at(g, R_TAIL), op(g, EVM_ADD), mstore_at(g, R_TAIL);
        } else {
            /* the IR validator accepts only scalars and string refs as keccak256 operands */
            evm_gen_internal(g, i->span, "keccak256 of an aggregate other than a string");
            return;
        }
    }
    op(g, EVM_DUP1), mload_at(g, R_TAIL), op(g, EVM_SUB), op(g, EVM_SWAP1), op(g, EVM_KECCAK256);
    store_result(g, i);
}

static void emit_str(EvmGen *g, IrInstr *i) {
    IrType *t = strip_ref(i->type);
    uint32_t cap = t && t->kind == IRT_STRING && t->len > i->nbytes ? t->len : i->nbytes;
    evm_gen_alloc(g, 32 + ((cap + 31) & ~31u) + 32);
    push(g, i->nbytes), op(g, EVM_DUP2), op(g, EVM_MSTORE);
    for (uint32_t off = 0; off < i->nbytes || off == 0; off += 32) {
        U256 w = {{0, 0, 0, 0}};
        for (uint32_t b = 0; b < 32; b++) {
            uint8_t c = off + b < i->nbytes ? i->bytes[off + b] : 0;
            int bit = 8 * (31 - (int)b);
            w.w[bit / 64] |= (uint64_t)c << (bit % 64);
        }
        evm_asm_push(A, w), op(g, EVM_DUP2), push(g, 32 + off), op(g, EVM_ADD), op(g, EVM_MSTORE);
    }
    store_result(g, i);
}

/* ---------------- blocks and control flow ---------------- */
/* All operands are read before any phi word is written: a parallel copy. */
static void phi_copies(EvmGen *g, IrBlock *from, IrBlock *to) {
    IrInstr *phis[1024];
    int np = 0;
    for (IrInstr *p = to->first; p && p->op == IR_PHI && np < 1024; p = p->next) {
        for (int k = 0; k < p->nargs; k++)
            if (p->phi_blocks[k] == from) {
                PV(p->args[k]);
                phis[np++] = p;
                break;
            }
    }
    for (int k = np - 1; k >= 0; k--)
        store_result(g, phis[k]);
}

static bool has_phis(IrBlock *b) {
    return b->first && b->first->op == IR_PHI;
}

static void goto_block(EvmGen *g, IrBlock *from, IrBlock *to) {
    phi_copies(g, from, to);
    if (from->next_in_func != to)
        evm_asm_jump(A, g->block_label[to->id]);
}

static void emit_terminator(EvmGen *g, IrBlock *b, IrInstr *i) {
    switch (i->op) {
    case IR_JMP:
        goto_block(g, b, i->targets[0]);
        break;
    case IR_BR: {
        IrBlock *t = i->targets[0], *e = i->targets[1];
        PV(i->args[0]);
        if (!has_phis(t)) {
            evm_asm_jumpi(A, g->block_label[t->id]);
            goto_block(g, b, e);
        } else if (!has_phis(e)) {
            op(g, EVM_ISZERO);
            evm_asm_jumpi(A, g->block_label[e->id]);
            goto_block(g, b, t);
        } else {
            int edge = evm_asm_new_label(A, NULL);
            evm_asm_jumpi(A, edge);
            phi_copies(g, b, e);
            evm_asm_jump(A, g->block_label[e->id]);
            evm_asm_label(A, edge);
            phi_copies(g, b, t);
            evm_asm_jump(A, g->block_label[t->id]);
        }
        break;
    }
    case IR_RET:
        if (g->inline_back >= 0) {
            /* the body is inlined in its entry point, which continues at inline_back */
            if (i->nargs)
                PV(i->args[0]);
            if (b->next_in_func || i != b->last) {
                evm_asm_jump(A, g->inline_back);
                g->inline_jumped = true;
            }
            break;
        }
        if (i->nargs) {
            PV(i->args[0]);
            op(g, EVM_SWAP1);
        }
        op(g, EVM_JUMP);
        evm_asm_jump_kind(A, 'o');
        break;
    case IR_REVERT: {
        const IrEvent *er = &g->m->errors[i->error];
        IrType *types[64];
        for (int k = 0; k < er->nfields && k < 64; k++)
            types[k] = er->fields[k].type;
        revert_with(g, selector_of(er->topic0), i->args, types, i->nargs);
        break;
    }
    case IR_REVERT_MSG: {
        IrType *st = i->args[0]->type;
        revert_with(g, 0x08c379a0u, i->args, &st, 1);
        break;
    }
    case IR_REVERT_PLAIN:
        push(g, 0), op(g, EVM_DUP1), op(g, EVM_REVERT);
        break;
    case IR_UNREACHABLE:
        op(g, EVM_INVALID);
        break;
    default:
        break;
    }
}

/* ---------------- storage slot cache ---------------- */
static uint32_t cache_word(EvmGen *g) {
    return g->frame_base[g->fi] + g->frame_size[g->fi] - 32;
}

/* The same value: one instruction, or two reads of one environment value (constant during
 * a call: `caller` read again for the store of `x[msg.sender] = ...`), or equal constants. */
static bool same_value(const IrInstr *a, const IrInstr *b) {
    if (a == b)
        return true;
    if (a->op == IR_ENV && b->op == IR_ENV)
        return a->env == b->env;
    return a->op == IR_CONST && b->op == IR_CONST && a->type && b->type &&
           a->type->kind == b->type->kind && u256_eq(const_word(a), const_word(b));
}

/* Same storage place: variable, path and the same index values. */
static bool same_place(const IrInstr *a, int a0, const IrInstr *b, int b0) {
    if (a->var != b->var || a->npath != b->npath || a->var < 0)
        return false;
    int ka = a0, kb = b0;
    for (int p = 0; p < a->npath; p++) {
        if (a->path[p].kind != b->path[p].kind)
            return false;
        if (a->path[p].kind == IR_PATH_FIELD && a->path[p].field != b->path[p].field)
            return false;
        if (a->path[p].kind == IR_PATH_INDEX && !same_value(a->args[ka++], b->args[kb++]))
            return false;
    }
    return true;
}

/* May this instruction run while a cached slot sits under the stack? Only when it leaves
 * the stack as it found it and cannot need another cached slot. */
static bool stack_neutral(const IrInstr *j) {
    if (skipped(j) || (ir_op_info[j->op].flags & OPF_CHECK))
        return true;
    switch (j->op) {
    case IR_CONST: case IR_ENV: case IR_PARAM:
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_MOD: case IR_AND: case IR_OR:
    case IR_XOR: case IR_EQ: case IR_NE: case IR_LT: case IR_GT: case IR_LE: case IR_GE:
        return true;
    default:
        return false;
    }
}

/* The store to ld's place comes in `from`'s block before anything else touches the stack
 * cache? (from: the first instruction to look at.) */
static bool store_follows(const IrInstr *ld, const IrInstr *from) {
    for (const IrInstr *j = from; j; j = j->next) {
        if (j->op == IR_SSTORE && !skipped(j) && same_place(ld, 0, j, 1))
            return true;
        if (!stack_neutral(j))
            return false;
    }
    return false;
}

static bool ends_in_revert(const IrBlock *b) {
    return b->last && (b->last->op == IR_REVERT || b->last->op == IR_REVERT_MSG);
}

/* Can the slot of this sload stay on the stack until its store? Every path from here must
 * reach the store or revert (a slot left on the stack would break a routine's return):
 * the store in this block, or in a branch target of it (its only predecessor) whose other
 * target reverts. */
static bool slot_stays_on_stack(const IrInstr *ld) {
    if (store_follows(ld, ld->next))
        return true;
    const IrBlock *b = ld->block;
    for (const IrInstr *j = ld->next; j && j != b->last; j = j->next)
        if (!stack_neutral(j))
            return false;
    const IrInstr *t = b->last;
    if (!t || t->op != IR_BR)
        return false;
    for (int k = 0; k < 2; k++) {
        const IrBlock *to = t->targets[k], *other = t->targets[1 - k];
        bool later = false;   /* emitted after b: it finds the slot (see emit_body) */
        for (const IrBlock *x = b->next_in_func; x && !later; x = x->next_in_func)
            later = x == to;
        if (later && to != other && to->npreds == 1 && ends_in_revert(other) &&
            store_follows(ld, to->first))
            return true;
    }
    return false;
}

/* Is the place of this sload stored to later (in emission order)? */
static bool stored_later(const IrInstr *i) {
    for (const IrBlock *b = i->block; b; b = b->next_in_func)
        for (const IrInstr *j = b == i->block ? i->next : b->first; j; j = j->next)
            if (j->op == IR_SSTORE && !skipped(j) && same_place(i, 0, j, 1))
                return true;
    return false;
}

/* The type and in-slot offset at the end of a storage place (no code). */
static IrType *place_type(EvmGen *g, const IrInstr *i) {
    IrType *t = strip_ref(g->m->storage[i->var].type);
    for (int p = 0; p < i->npath; p++) {
        if (i->path[p].kind == IR_PATH_FIELD)
            t = strip_ref(g->m->structs[t->struct_index].fields[i->path[p].field].type);
        else
            t = strip_ref(t->kind == IRT_MAP ? t->val : t->elem);
    }
    return t;
}

static uint32_t place_offset(EvmGen *g, const IrInstr *i) {
    IrType *t = strip_ref(g->m->storage[i->var].type);
    uint32_t off = g->l->vars[i->var].offset;
    for (int p = 0; p < i->npath; p++) {
        if (i->path[p].kind == IR_PATH_FIELD) {
            off = g->l->fields[t->struct_index][i->path[p].field].offset;
            t = strip_ref(g->m->structs[t->struct_index].fields[i->path[p].field].type);
        } else {
            off = 0;   /* map values and non-packed elements start a slot */
            t = strip_ref(t->kind == IRT_MAP ? t->val : t->elem);
        }
    }
    return off;
}

static bool skipped(const IrInstr *i) {
    return (i->flags & IR_F_GHOST) || ((ir_op_info[i->op].flags & OPF_CHECK) && (i->flags & IR_F_PROVEN));
}

static void emit_body(EvmGen *g, int fi, int entry_label);


/* Emits the callee's body in place of the call when it is called from few places: no
 * argument copies, no return jump. Leaves the result (if any) on the stack. */
static bool inline_call(EvmGen *g, IrInstr *i) {
    IrFunc *callee = g->m->funcs[i->callee];
    if (callee->kind != IR_FN || count_calls(g->m, i->callee, true) > INLINE_MAX_SITES)
        return false;
    spill_pending(g);
    EvmInline ctx = {i->args, g->f, g->fi, g->inl};
    IrFunc *f = g->f;
    int fi = g->fi, *block_label = g->block_label, back_saved = g->inline_back;
    IrInstr **single_user = g->single_user, *cached = g->cached_place, *fused = g->fused;
    int *nuses = g->nuses;
    IrInstr *carry = g->carry;
    IrBlock *carry_from = g->carry_from, *carry_to = g->carry_to;
    g->carry = NULL;
    bool cache_on_stack = g->cache_on_stack;
    bool jumped_saved = g->inline_jumped;
    int back = evm_asm_new_label(A, NULL);
    g->inline_back = back;
    g->inline_jumped = false;
    g->inl = &ctx;
    /* Only the callers chain is active inside an inlined body: its words may start right
     * after the caller's (the callee's own callees' frames still come after its usual
     * place, which is never lower), so the body touches less memory. */
    uint32_t base_saved = g->frame_base[i->callee];
    uint32_t near = g->frame_base[fi] + g->frame_size[fi];
    if (near < base_saved)
        g->frame_base[i->callee] = near;
    emit_body(g, i->callee, evm_asm_new_label(A, NULL));
    g->frame_base[i->callee] = base_saved;
    bool jumped = g->inline_jumped;
    g->f = f, g->fi = fi, g->block_label = block_label, g->inl = ctx.up;
    g->inline_back = back_saved, g->inline_jumped = jumped_saved;
    g->single_user = single_user, g->cached_place = cached, g->fused = fused;
    g->nuses = nuses;
    g->carry = carry, g->carry_from = carry_from, g->carry_to = carry_to;
    g->cache_on_stack = cache_on_stack;
    A->span = i->span;
    if (jumped)
        evm_asm_label(A, back);
    else
        evm_asm_mark(A, back);
    return true;
}

static void emit_instr(EvmGen *g, IrBlock *b, IrInstr *i) {
    if (skipped(i) || i == g->fused)
        return;
    if (ir_op_info[i->op].flags & OPF_SPEC) {
        /* the IR validator allows spec-only instructions only in spec functions, which
         * are not compiled */
        evm_gen_internal(g, i->span, "a spec-only instruction in code");
        return;
    }
    A->span = i->span;
    uint32_t off;
    bool dyn;
    IrType *t;
    switch (i->op) {
    case IR_PARAM:
    case IR_CONST:
    case IR_PHI:
        break;
    case IR_STR: emit_str(g, i); break;
    case IR_SELECT:
        /* b ^ ((a ^ b) * cond) */
        PV(i->args[2]), PV(i->args[1]), PV(i->args[2]), op(g, EVM_XOR);
        PV(i->args[0]), op(g, EVM_MUL), op(g, EVM_XOR);
        store_result(g, i);
        break;
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_MOD:
    case IR_AND: case IR_OR: case IR_XOR: case IR_SHL: case IR_SHR:
    case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
        emit_binop(g, i);
        break;
    case IR_NEG:
        PV(i->args[0]), push(g, 0), op(g, EVM_SUB), evm_gen_normalize(g, i->type), store_result(g, i);
        break;
    case IR_NOT:
        PV(i->args[0]);
        if (i->type->kind == IRT_BOOL)
            op(g, EVM_ISZERO);
        else
            op(g, EVM_NOT), evm_gen_normalize(g, i->type);
        store_result(g, i);
        break;
    case IR_CAST: emit_cast(g, i); break;
    case IR_WIDEN: {
        /* a copy with the larger capacity, so that growing it stays inside its memory */
        uint32_t from = evm_gen_mem_size(g, strip_ref(i->args[0]->type));
        evm_gen_alloc(g, evm_gen_mem_size(g, strip_ref(i->type)));                /* [q] */
        push(g, from), PV(i->args[0]), op(g, EVM_DUP3), op(g, EVM_MCOPY);
        store_result(g, i);
        break;
    }
    case IR_KECCAK: emit_keccak(g, i); break;
    case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_NEG:
    case IR_CHECK_DIV: case IR_CHECK_CAST: case IR_CHECK_BOUNDS: case IR_CHECK_EMPTY:
    case IR_ASSERT:
        emit_check(g, i);
        break;
    case IR_SLOAD:
        t = evm_gen_storage_place(g, i, 0, &off, &dyn);
        if (!dyn && i->npath && stored_later(i)) {
            /* `x[k] = f(x[k])`: keep the slot for the store (no second hashing) */
            g->cache_on_stack = slot_stays_on_stack(i);
            op(g, EVM_DUP1);
            if (!g->cache_on_stack)
                mstore_at(g, cache_word(g));
            g->cached_place = i;
        }
        evm_gen_sload(g, t, off, dyn, i->span);
        store_result(g, i);
        break;
    case IR_SSTORE:
        PV(i->args[0]);
        if (g->cached_place && same_place(g->cached_place, 0, i, 1)) {
            if (g->cache_on_stack) {
                op(g, EVM_SWAP1);   /* the slot was under the value: used up */
                g->cache_on_stack = false;
                g->cached_place = NULL;
            } else {
                mload_at(g, cache_word(g));
            }
            t = place_type(g, i);
            off = place_offset(g, i);
            evm_gen_sstore(g, t, off, false, i->span);
            break;
        }
        t = evm_gen_storage_place(g, i, 1, &off, &dyn);
        evm_gen_sstore(g, t, off, dyn, i->span);
        break;
    case IR_SLEN:
        t = evm_gen_storage_place(g, i, 0, &off, &dyn);
        evm_gen_slen(g, t);
        store_result(g, i);
        break;
    case IR_SSETLEN:
        PV(i->args[0]);
        evm_gen_storage_place(g, i, 1, &off, &dyn);
        op(g, EVM_SSTORE);
        break;
    case IR_ALLOCA:
        evm_gen_alloc_type(g, i->alloc_type);
        store_result(g, i);
        break;
    case IR_MLOAD:
        t = memory_place(g, i, 0);
        if (is_value_type(t)) {
            op(g, EVM_MLOAD);
        } else {
            /* an aggregate loads as a fresh (shallow) copy */
            if (i->npath)
                op(g, EVM_MLOAD);
            uint32_t size = evm_gen_mem_size(g, t);
            evm_gen_alloc(g, size);                          /* [q, p] */
            push(g, size), op(g, EVM_DUP3), op(g, EVM_DUP3), op(g, EVM_MCOPY);
            op(g, EVM_SWAP1), op(g, EVM_POP);
        }
        store_result(g, i);
        break;
    case IR_MSTORE:
        PV(i->args[0]);
        t = memory_place(g, i, 1);
        if (is_value_type(t)) {
            op(g, EVM_MSTORE);
        } else {
            /* copy the aggregate into the place's memory: [dst, src] */
            if (i->npath)
                op(g, EVM_MLOAD);
            push(g, evm_gen_mem_size(g, strip_ref(i->args[0]->type))), op(g, EVM_SWAP2), op(g, EVM_SWAP1);
            op(g, EVM_MCOPY);
        }
        break;
    case IR_MLEN:
        t = memory_place(g, i, 0);
        if (i->npath)
            op(g, EVM_MLOAD);
        if (t->kind == IRT_ARRAY)
            op(g, EVM_POP), push(g, t->len);
        else
            op(g, EVM_MLOAD);
        store_result(g, i);
        break;
    case IR_MSETLEN:
        PV(i->args[0]);
        memory_place(g, i, 1);
        if (i->npath)
            op(g, EVM_MLOAD);
        op(g, EVM_MSTORE);
        break;
    case IR_ENV:
        break;   /* read where used */
    case IR_BALANCE:
        PV(i->args[0]), op(g, EVM_BALANCE), store_result(g, i);
        break;
    case IR_CALL: {
        IrFunc *callee = g->m->funcs[i->callee];
        if (inline_call(g, i)) {
            if (callee->ret && callee->ret->kind != IRT_VOID)
                store_result(g, i);
            break;
        }
        for (int k = 0; k < i->nargs; k++)
            PV(i->args[k]), mstore_at(g, evm_gen_param_slot(g, i->callee, k));
        int back = evm_asm_new_label(A, NULL);
        evm_asm_push_label(A, back);
        evm_asm_jump(A, evm_gen_body_label(g, i->callee));
        evm_asm_jump_kind(A, 'i');
        evm_asm_label(A, back);
        if (callee->ret && callee->ret->kind != IRT_VOID)
            store_result(g, i);
        break;
    }
    case IR_XCALL: emit_xcall(g, i); break;
    case IR_SEND:
        push(g, 0), push(g, 0), push(g, 0), push(g, 0);
        PV(i->args[1]), PV(i->args[0]), op(g, EVM_GAS), op(g, EVM_CALL);
        bubble_revert_if_failed(g);
        break;
    case IR_EMIT: emit_event(g, i); break;
    default:
        if (ir_op_info[i->op].flags & OPF_TERM)
            emit_terminator(g, b, i);
        else
            evm_gen_internal(g, i->span, ir_op_info[i->op].name);   /* every op is a case above */
        break;
    }
}

static void emit_body(EvmGen *g, int fi, int entry_label) {
    IrFunc *f = g->m->funcs[fi];
    g->f = f;
    g->fi = fi;
    int nb = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        if (b->id + 1 > nb)
            nb = b->id + 1;
    g->block_label = ARENA_ARRAY(g->arena, int, nb + 1);
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        g->block_label[b->id] = b == f->entry ? entry_label : evm_asm_new_label(A, NULL);
    /* values used once, later in their own block (not by a phi), may be forwarded */
    int nid = max_id(f) + 1;
    int *uses = ARENA_ARRAY(g->arena, int, nid + 1);
    IrInstr **user = ARENA_ARRAY(g->arena, IrInstr *, nid + 1);
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (!skipped(i))
                for (int k = 0; k < i->nargs; k++)
                    if (i->args[k]->id >= 0) {
                        uses[i->args[k]->id]++;
                        user[i->args[k]->id] = i;
                    }
    g->single_user = ARENA_ARRAY(g->arena, IrInstr *, nid + 1);
    g->nuses = uses;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->id >= 0 && uses[i->id] == 1 && user[i->id]->block == b &&
                user[i->id]->op != IR_PHI)
                g->single_user[i->id] = user[i->id];
    A->span = f->span;
    ir_cfg_compute(f);
    IrInstr **cache_out = ARENA_ARRAY(g->arena, IrInstr *, nb + 1);
    bool *cache_out_set = ARENA_ARRAY(g->arena, bool, nb + 1);
    bool *cache_stack = ARENA_ARRAY(g->arena, bool, nb + 1);
    /* loop headers: entered again from a block emitted later (any depth there) */
    int *order = ARENA_ARRAY(g->arena, int, nb + 1), norder = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        order[b->id] = norder++;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        bool header = false;
        for (int p = 0; p < b->npreds; p++)
            header = header || (b->preds[p] && order[b->preds[p]->id] >= order[b->id]);
        if (b == f->entry && g->inline_back >= 0)
            evm_asm_mark(A, g->block_label[b->id]);   /* entered by falling through */
        else if (header)
            evm_asm_label_any_depth(A, g->block_label[b->id]);
        else
            evm_asm_label(A, g->block_label[b->id]);
        /* the cache survives into a block with a single predecessor already emitted:
         * every path here went through that predecessor's end */
        g->cached_place = b->npreds == 1 && cache_out_set[b->preds[0]->id]
                              ? cache_out[b->preds[0]->id] : NULL;
        g->cache_on_stack = g->cached_place && cache_stack[b->preds[0]->id];
        if (g->carry && b->npreds == 1 && b->preds[0] == g->carry_from) {
            IrInstr *v = g->carry;
            if (b == g->carry_to) {
                g->pending = v;   /* on top: its one use here takes it */
                g->pending_stored = false;
            } else if (uses_in(b, v)) {
                push(g, home(g, v)), op(g, EVM_MSTORE);
            } else {
                op(g, EVM_POP);
            }
        }
        for (IrInstr *i = b->first; i; i = i->next) {
            if (ir_op_info[i->op].flags & OPF_TERM)
                cache_out[b->id] = g->cached_place, cache_out_set[b->id] = true,
                cache_stack[b->id] = g->cache_on_stack;
            emit_instr(g, b, i);
        }
    }
    if (g->pending_stored)
        spill_pending(g);   /* never left on the stack */
    g->pending = NULL;
    g->single_user = NULL;
    g->nuses = NULL;
    g->carry = NULL;
}

/* Operand reads of v in f's emitted instructions; a use as an argument of an inlined call
 * counts the callee's reads of that parameter. */
static int reads_of(EvmGen *g, IrFunc *f, IrInstr *v) {
    int n = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next) {
            if (skipped(i))
                continue;
            for (int k = 0; k < i->nargs; k++) {
                if (i->args[k] != v)
                    continue;
                IrFunc *callee = i->op == IR_CALL && i->callee >= 0 && i->callee < g->m->nfuncs
                                     ? g->m->funcs[i->callee] : NULL;
                if (callee && callee->kind == IR_FN &&
                    count_calls(g->m, i->callee, true) <= INLINE_MAX_SITES)
                    n += evm_gen_param_reads(g, i->callee, k);   /* the call graph is acyclic */
                else
                    n++;
            }
        }
    return n;
}

int evm_gen_param_reads(EvmGen *g, int fi, int k) {
    IrFunc *f = g->m->funcs[fi];
    int n = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->op == IR_PARAM && (int)u256_low64(*i->imm) == k)
                n += reads_of(g, f, i);
    return n;
}

static bool called_internally(EvmGen *g, int fi) {
    return count_calls(g->m, fi, false) > 0;
}

bool evm_gen_params_in_calldata(EvmGen *g, int fi) {
    return !g->creation && !called_internally(g, fi) && value_params_only(g->m->funcs[fi]);
}

void evm_gen_call_body(EvmGen *g, int fi) {
    int back = evm_asm_new_label(A, NULL);
    bool internal = called_internally(g, fi);
    if (internal) {
        evm_asm_push_label(A, back);
        evm_asm_jump(A, evm_gen_body_label(g, fi));
        evm_asm_jump_kind(A, 'i');
    } else {
        g->inline_back = back;
        g->inline_jumped = false;
        g->cd_fi = evm_gen_params_in_calldata(g, fi) ? fi : -1;
        emit_body(g, fi, evm_asm_new_label(A, NULL));
        g->inline_back = -1;
        g->cd_fi = -1;
        if (!g->inline_jumped) {
            evm_asm_mark(A, back);   /* every return falls through */
            return;
        }
    }
    evm_asm_label(A, back);
}

void evm_gen_flush(EvmGen *g) {
    for (int q = 0; q < g->nqueue; q++)
        emit_body(g, g->queue[q], g->body_label[g->queue[q]]);
    A->span = (Span){0};
    if (g->lbl_sload_str >= 0)
        evm_gen_sload_string_routine(g);
    if (g->lbl_sstore_str >= 0)
        evm_gen_sstore_string_routine(g);
    if (g->lbl_revert >= 0 && !g->revert_placed) {
        evm_asm_label_any_depth(A, g->lbl_revert);
        push(g, 0), op(g, EVM_DUP1), op(g, EVM_REVERT);
    }
    for (int c = 0; c < (int)(sizeof g->lbl_panic / sizeof g->lbl_panic[0]); c++) {
        if (g->lbl_panic[c] < 0)
            continue;
        evm_asm_label_any_depth(A, g->lbl_panic[c]);
        push(g, 0x4e487b71), push(g, 0xe0), op(g, EVM_SHL), push(g, 0), op(g, EVM_MSTORE);
        push(g, (uint64_t)c), push(g, 4), op(g, EVM_MSTORE);
        push(g, 0x24), push(g, 0), op(g, EVM_REVERT);
    }
}
