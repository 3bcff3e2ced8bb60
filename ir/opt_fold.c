/* opt_fold.c — constant folding: pure ops whose operands are constants become constants,
 * with exactly the semantics of ops.def (wrapping in the type's width, signedness from the
 * type); a select on a constant picks its arm; checks that provably pass are removed —
 * all operands constant, or one constant that settles it (x / 7, x + 0, widening casts) —
 * and provably failing ones stay: they revert at run time. */
#include "internal.h"

#include <string.h>

static bool is_const(const IrInstr *i) { return i && i->op == IR_CONST; }
static bool is_signed_int(const IrType *t) { return t && t->kind == IRT_INT && t->is_signed; }
static bool top_bit(U256 v) { return v.w[3] >> 63; }

/* Brings a 256-bit result back to the canonical form of type t. */
static U256 norm(const IrType *t, U256 v) {
    if (t->kind == IRT_BOOL) return u256_from_u64(v.w[0] & 1);
    return u256_trunc(v, ir_type_bits(t), is_signed_int(t));
}

static U256 min_of(unsigned bits) { return u256_neg(u256_shl(u256_from_u64(1), bits - 1)); }

/* Evaluates a pure op on constant operands; false when it cannot be folded. */
static bool eval(const IrInstr *i, U256 *out) {
    const IrType *t = i->type;
    U256 a = i->nargs > 0 ? *i->args[0]->imm : u256_from_u64(0);
    U256 b = i->nargs > 1 ? *i->args[1]->imm : u256_from_u64(0);
    const IrType *at = i->nargs > 0 ? i->args[0]->type : NULL;
    bool sg = is_signed_int(at);
    unsigned bits = ir_type_bits(at);
    U256 r;
    switch (i->op) {
    case IR_ADD: r = u256_add(a, b, NULL); break;
    case IR_SUB: r = u256_sub(a, b, NULL); break;
    case IR_MUL: r = u256_mul(a, b, NULL); break;
    case IR_DIV:
        if (u256_is_zero(b)) r = b;
        else r = sg ? u256_sdiv(a, b, NULL) : u256_udiv(a, b, NULL);
        break;
    case IR_MOD:
        if (u256_is_zero(b)) r = b;
        else if (sg) u256_sdiv(a, b, &r);
        else u256_udiv(a, b, &r);
        break;
    case IR_NEG: r = u256_neg(a); break;
    case IR_AND: r = u256_and(a, b); break;
    case IR_OR: r = u256_or(a, b); break;
    case IR_XOR: r = u256_xor(a, b); break;
    case IR_NOT: r = at->kind == IRT_BOOL ? u256_xor(a, u256_from_u64(1)) : u256_not(a); break;
    case IR_SHL:
    case IR_SHR: {
        bool big = u256_cmp(b, u256_from_u64(bits)) >= 0;
        unsigned n = big ? 256 : (unsigned)b.w[0];
        if (i->op == IR_SHL) r = u256_shl(a, n);
        else r = sg ? u256_ashr(a, n) : u256_lshr(a, n);
        break;
    }
    case IR_EQ: r = u256_from_u64(u256_eq(a, b)); break;
    case IR_NE: r = u256_from_u64(!u256_eq(a, b)); break;
    case IR_LT: case IR_LE: case IR_GT: case IR_GE: {
        int c = sg ? i256_cmp(a, b) : u256_cmp(a, b);
        bool v = i->op == IR_LT ? c < 0 : i->op == IR_LE ? c <= 0 : i->op == IR_GT ? c > 0 : c >= 0;
        r = u256_from_u64(v);
        break;
    }
    case IR_CAST:
        /* bool has no numeric cast rule in ops.def: leave those to the backends */
        if (at->kind == IRT_BOOL || t->kind == IRT_BOOL) return false;
        r = a;
        break;
    case IR_KECCAK: {
        uint8_t buf[32 * 64], h[32];
        size_t len = 0;
        if (i->nargs > 64) return false;
        for (int k = 0; k < i->nargs; k++) {
            const IrType *ot = i->args[k]->type;
            unsigned nb = ot->kind == IRT_BOOL ? 1 : ir_type_bits(ot) / 8;
            U256 v = *i->args[k]->imm;
            for (unsigned j = 0; j < nb; j++) {
                unsigned byte = nb - 1 - j;
                buf[len + j] = (uint8_t)(v.w[byte / 8] >> (8 * (byte % 8)));
            }
            len += nb;
        }
        keccak256(buf, len, h);
        r = u256_from_u64(0);
        for (int j = 0; j < 32; j++) r.w[(31 - j) / 8] |= (uint64_t)h[j] << (8 * ((31 - j) % 8));
        break;
    }
    default: return false;
    }
    *out = norm(t, r);
    return true;
}

/* Does a check with constant operands pass? */
static bool check_passes(const IrInstr *i) {
    U256 a = *i->args[0]->imm;
    U256 b = i->nargs > 1 ? *i->args[1]->imm : u256_from_u64(0);
    const IrType *at = i->args[0]->type;
    bool sg = is_signed_int(at);
    unsigned bits = ir_type_bits(at);
    bool carry;
    switch (i->op) {
    case IR_CHECK_ADD: {
        U256 s = u256_add(a, b, &carry);
        if (!sg) return !carry && u256_fits(s, bits, false);
        if (bits < 256) return u256_fits(s, bits, true);
        return top_bit(a) != top_bit(b) || top_bit(s) == top_bit(a);
    }
    case IR_CHECK_SUB: {
        if (!sg) return u256_cmp(a, b) >= 0;
        U256 s = u256_sub(a, b, NULL);
        if (bits < 256) return u256_fits(s, bits, true);
        return top_bit(a) == top_bit(b) || top_bit(s) == top_bit(a);
    }
    case IR_CHECK_MUL: {
        if (u256_is_zero(a) || u256_is_zero(b)) return true;
        if (!sg) {
            U256 p = u256_mul(a, b, &carry);
            return !carry && u256_fits(p, bits, false);
        }
        bool na = top_bit(a), nb = top_bit(b);
        U256 p = u256_mul(na ? u256_neg(a) : a, nb ? u256_neg(b) : b, &carry);
        if (carry) return false;
        U256 limit = u256_shl(u256_from_u64(1), bits - 1); /* |min| */
        int c = u256_cmp(p, limit);
        return na != nb ? c <= 0 : c < 0;
    }
    case IR_CHECK_NEG:
        return sg ? !u256_eq(a, min_of(bits)) : u256_is_zero(a);
    case IR_CHECK_DIV:
        if (u256_is_zero(b)) return false;
        return !(sg && u256_eq(a, min_of(bits)) && u256_eq(b, u256_not(u256_from_u64(0))));
    case IR_CHECK_CAST: {
        const IrType *tt = i->type;
        if (!tt || tt->kind == IRT_BOOL || at->kind == IRT_BOOL) return false;
        unsigned tb = ir_type_bits(tt);
        bool tsg = is_signed_int(tt);
        if (sg) return tsg ? u256_fits(a, tb, true) : !top_bit(a) && u256_fits(a, tb, false);
        return tsg ? !top_bit(a) && u256_fits(a, tb, true) : u256_fits(a, tb, false);
    }
    case IR_CHECK_BOUNDS: return u256_cmp(a, b) < 0;
    case IR_CHECK_EMPTY: return !u256_is_zero(a);
    case IR_ASSERT: return u256_eq(a, u256_from_u64(1));
    default: return false;
    }
}

static bool const_is(const IrInstr *v, int64_t x) {
    if (!is_const(v)) return false;
    U256 want = u256_from_u64((uint64_t)x);
    if (x < 0) want = u256_neg(u256_from_u64((uint64_t)-x));
    return u256_eq(*v->imm, want);
}

/* Checks that pass whatever the non-constant operands hold: x + 0, x - 0, x - x, x * 0,
 * x * 1, x / c with c a constant other than 0 (and -1 for signed types), and casts to a
 * type that holds every value of the operand's type. */
static bool check_passes_always(const IrInstr *i) {
    const IrInstr *a = i->args[0], *b = i->nargs > 1 ? i->args[1] : NULL;
    const IrType *at = a->type;
    switch (i->op) {
    case IR_CHECK_ADD: return const_is(a, 0) || const_is(b, 0);
    case IR_CHECK_SUB: return const_is(b, 0) || a == b;
    case IR_CHECK_MUL: return const_is(a, 0) || const_is(b, 0) || const_is(a, 1) || const_is(b, 1);
    case IR_CHECK_DIV:
        return is_const(b) && !u256_is_zero(*b->imm) && !(is_signed_int(at) && const_is(b, -1));
    case IR_CHECK_CAST: {
        const IrType *tt = i->type;
        if (!tt || at->kind != IRT_INT || tt->kind != IRT_INT) return false;
        if (at->is_signed) return tt->is_signed && tt->bits >= at->bits;
        return tt->is_signed ? tt->bits > at->bits : tt->bits >= at->bits;
    }
    default: return false;
    }
}

static bool all_const(const IrInstr *i) {
    if (i->nargs == 0) return false;
    for (int k = 0; k < i->nargs; k++)
        if (!is_const(i->args[k])) return false;
    return true;
}

/* Operands that name a folded instruction name its constant instead. */
static void remap_args(IrInstr *i, IrInstr **repl) {
    for (int k = 0; k < i->nargs; k++) {
        IrInstr *a = i->args[k];
        if (a && a->id >= 0 && repl[a->id])
            i->args[k] = repl[a->id];
    }
}

static bool fold_func(IrFunc *f) {
    bool changed = false;
    /* folded instruction id -> its constant (made on the first fold) */
    Arena scratch;
    arena_init(&scratch);
    IrInstr **repl = NULL;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *next, *prev = NULL; /* prev: the last instruction kept before i */
        for (IrInstr *i = b->first; i; prev = i, i = next) {
            next = i->next;
            if (repl)
                remap_args(i, repl);
            unsigned flags = ir_op_info[i->op].flags;
            if (flags & OPF_CHECK) {
                if ((all_const(i) && check_passes(i)) || check_passes_always(i)) {
                    ir_instr_unlink(b, prev, i);
                    changed = true;
                    i = prev; /* prev stays */
                }
                continue;
            }
            if (i->op == IR_SELECT && is_const(i->args[0])) {
                ir_replace_uses(f, i, u256_is_zero(*i->args[0]->imm) ? i->args[2] : i->args[1]);
                ir_instr_unlink(b, prev, i);
                changed = true;
                i = prev;
                continue;
            }
            U256 v;
            if (!ir_has_result(i) || (flags & OPF_EFFECT) || !all_const(i) || !eval(i, &v))
                continue;
            /* the instruction becomes a constant with the same id, span and flags (a new
               instruction: a const is bigger than most ops); users are pointed at it */
            IrInstr *c = ir_instr_alloc(f, IR_CONST);
            c->type = i->type;
            c->flags = i->flags;
            c->id = i->id;
            c->var = -1;
            c->span = i->span;
            c->imm = ir_imm(f->module, v);
            ir_instr_unlink(b, prev, i);
            c->block = b;
            c->next = next;
            if (prev) prev->next = c; else b->first = c;
            if (!next) b->last = c;
            i = c;
            if (!repl)
                repl = ARENA_ARRAY(&scratch, IrInstr *, f->ninstrs + 1);
            repl[c->id] = c;
            changed = true;
        }
    }
    if (repl) /* operands of phis (and of earlier blocks) may name values folded later */
        for (IrBlock *b = f->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next)
                remap_args(i, repl);
    arena_free(&scratch);
    return changed;
}

bool opt_fold(IrFunc *f) { return fold_func(f); }
