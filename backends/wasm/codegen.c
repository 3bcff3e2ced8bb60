/* codegen.c — IR functions to wasm functions: SSA values to locals (four i64 limbs per
 * scalar, one i32 per ref), each IR block to a Relooper block with phis as copies on the
 * edges, instructions to inline i64 code (widths up to 64 bits) or calls of the 256-bit
 * helpers of runtime.c, storage places to Solidity slots through the Stylus cache.
 * Every contract function returns an i32 status (0 ok, 1 reverted: revert data already
 * written) and leaves its result in r0..r3 (scalars) or rref (refs). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define M (g->mod)
#define I64 BinaryenTypeInt64()
#define I32 BinaryenTypeInt32()
#define NONE BinaryenTypeNone()

void wb_fail(WbGen *g, Span sp, const char *what) {
    if (g->ok)
        diag_error(g->diags, sp, "wasm backend: %s is not supported yet", what);
    g->ok = false;
}

IrType *wb_strip(const IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return (IrType *)t;
}

bool wb_is_scalar(const IrType *t) {
    t = wb_strip(t);
    return t && (t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
                 t->kind == IRT_BYTES);
}

static unsigned type_bits(const IrType *t) {
    t = wb_strip(t);
    switch (t->kind) {
    case IRT_BOOL: return 8;
    case IRT_ADDRESS: return 160;
    default: return t->bits;
    }
}

static bool type_signed(const IrType *t) {
    t = wb_strip(t);
    return t->kind == IRT_INT && t->is_signed;
}

uint32_t wb_mem_size(WbGen *g, const IrType *t) {
    t = wb_strip(t);
    switch (t->kind) {
    case IRT_STRING: return 32 + (t->len + 31) / 32 * 32;
    case IRT_LIST: return 32 + t->len * wb_mem_size(g, t->elem);
    case IRT_ARRAY: return t->len * wb_mem_size(g, t->elem);
    case IRT_STRUCT: {
        uint32_t n = 0;
        IrStruct *s = &g->m->structs[t->struct_index];
        for (int k = 0; k < s->nfields; k++)
            n += wb_mem_size(g, s->fields[k].type);
        return n;
    }
    default: return 32;
    }
}

static uint32_t field_mem_offset(WbGen *g, int si, uint32_t f) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < f; k++)
        n += wb_mem_size(g, g->m->structs[si].fields[k].type);
    return n;
}

/* ---------------- expression helpers ---------------- */
BinaryenExpressionRef wb_i32(WbGen *g, int32_t v) { return BinaryenConst(M, BinaryenLiteralInt32(v)); }
BinaryenExpressionRef wb_i64(WbGen *g, int64_t v) { return BinaryenConst(M, BinaryenLiteralInt64(v)); }
BinaryenExpressionRef wb_get64(WbGen *g, int l) { return BinaryenLocalGet(M, (BinaryenIndex)l, I64); }
BinaryenExpressionRef wb_get32(WbGen *g, int l) { return BinaryenLocalGet(M, (BinaryenIndex)l, I32); }
static BinaryenExpressionRef set(WbGen *g, int l, BinaryenExpressionRef e) {
    return BinaryenLocalSet(M, (BinaryenIndex)l, e);
}
static BinaryenExpressionRef bin(WbGen *g, BinaryenOp op, BinaryenExpressionRef a,
                                 BinaryenExpressionRef b) {
    return BinaryenBinary(M, op, a, b);
}
static BinaryenExpressionRef un(WbGen *g, BinaryenOp op, BinaryenExpressionRef a) {
    return BinaryenUnary(M, op, a);
}

static const char *const rnames[4] = {"r0", "r1", "r2", "r3"};
static const char *const mnames[4] = {"m0", "m1", "m2", "m3"};
BinaryenExpressionRef wb_r(WbGen *g, int k) { return BinaryenGlobalGet(M, rnames[k], I64); }

BinaryenExpressionRef wb_call(WbGen *g, const char *fn, BinaryenExpressionRef *args, int n,
                              BinaryenType ret) {
    return BinaryenCall(M, fn, args, (BinaryenIndex)n, ret);
}

void wb_emit(WbGen *g, BinaryenExpressionRef e) {
    if (g->ncode == g->capcode) {
        int cap = g->capcode ? 2 * g->capcode : 64;
        BinaryenExpressionRef *n = arena_alloc(g->arena, sizeof *n * (size_t)cap);
        if (g->ncode)
            memcpy(n, g->code, sizeof *n * (size_t)g->ncode);
        g->code = n, g->capcode = cap;
    }
    g->code[g->ncode++] = e;
}

int wb_new_local(WbGen *g, BinaryenType t) {
    if (g->nvars == g->capvars) {
        int cap = g->capvars ? 2 * g->capvars : 64;
        BinaryenType *n = arena_alloc(g->arena, sizeof *n * (size_t)cap);
        if (g->nvars)
            memcpy(n, g->vars, sizeof *n * (size_t)g->nvars);
        g->vars = n, g->capvars = cap;
    }
    g->vars[g->nvars] = t;
    return g->nparams_wasm + g->nvars++;
}

int wb_new_scalar(WbGen *g) {
    int l = wb_new_local(g, I64);
    for (int k = 1; k < 4; k++)
        wb_new_local(g, I64);
    return l;
}

BinaryenExpressionRef wb_limb(WbGen *g, IrInstr *v, int k) {
    if (v->op == IR_CONST)
        return wb_i64(g, (int64_t)v->imm->w[k]);
    return wb_get64(g, g->local_of[v->id] + k);
}

BinaryenExpressionRef wb_ref(WbGen *g, IrInstr *v) {
    if (v->op == IR_STR)
        return wb_i32(g, (int32_t)g->str_addr[g->fi][v->id]);
    return wb_get32(g, g->local_of[v->id]);
}

/* Pushes the four limbs of v (or of the scalar in locals l..l+3) into args. */
static int push_val(WbGen *g, BinaryenExpressionRef *args, IrInstr *v) {
    for (int k = 0; k < 4; k++)
        args[k] = wb_limb(g, v, k);
    return 4;
}
static int push_loc(WbGen *g, BinaryenExpressionRef *args, int l) {
    for (int k = 0; k < 4; k++)
        args[k] = wb_get64(g, l + k);
    return 4;
}
static int push_r(WbGen *g, BinaryenExpressionRef *args) {
    for (int k = 0; k < 4; k++)
        args[k] = wb_r(g, k);
    return 4;
}
static int push_u256(WbGen *g, BinaryenExpressionRef *args, U256 v) {
    for (int k = 0; k < 4; k++)
        args[k] = wb_i64(g, (int64_t)v.w[k]);
    return 4;
}

/* locals l..l+3 = r0..r3 */
static void set_from_r(WbGen *g, int l) {
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, l + k, wb_r(g, k)));
}
static void set_from_m(WbGen *g, int l) {
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, l + k, BinaryenGlobalGet(M, mnames[k], I64)));
}

static void call_void(WbGen *g, const char *fn, BinaryenExpressionRef *args, int n) {
    wb_emit(g, wb_call(g, fn, args, n, NONE));
}

/* r = norm(locals l, bits, signed) then locals l = r; nothing when bits == 256 */
static void norm_loc(WbGen *g, int l, unsigned bits, bool sg) {
    if (bits >= 256)
        return;
    BinaryenExpressionRef a[6];
    push_loc(g, a, l);
    a[4] = wb_i32(g, (int32_t)bits), a[5] = wb_i32(g, sg);
    call_void(g, "norm", a, 6);
    set_from_r(g, l);
}

/* Narrow (<= 64 bits): local l = norm(x), limbs 1..3 its extension. */
static void set_narrow(WbGen *g, int l, BinaryenExpressionRef x, unsigned bits, bool sg) {
    if (bits < 64) {
        if (sg) {
            BinaryenExpressionRef sh = wb_i64(g, 64 - (int)bits);
            x = bin(g, BinaryenShrSInt64(), bin(g, BinaryenShlInt64(), x, sh), wb_i64(g, 64 - (int)bits));
        } else {
            x = bin(g, BinaryenAndInt64(), x, wb_i64(g, (int64_t)((1ull << bits) - 1)));
        }
    }
    wb_emit(g, set(g, l, x));
    BinaryenExpressionRef hi = sg ? bin(g, BinaryenShrSInt64(), wb_get64(g, l), wb_i64(g, 63))
                                  : wb_i64(g, 0);
    for (int k = 1; k < 4; k++)
        wb_emit(g, set(g, l + k, k == 1 ? hi : wb_get64(g, l + 1)));
}

static BinaryenExpressionRef is_zero(WbGen *g, IrInstr *v) {
    return un(g, BinaryenEqZInt64(),
              bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_limb(g, v, 0), wb_limb(g, v, 1)),
                  bin(g, BinaryenOrInt64(), wb_limb(g, v, 2), wb_limb(g, v, 3))));
}
static BinaryenExpressionRef truth(WbGen *g, IrInstr *v) {
    return un(g, BinaryenWrapInt64(), wb_limb(g, v, 0));   /* bools are 0 or 1 */
}
static BinaryenExpressionRef eq_vals(WbGen *g, IrInstr *a, IrInstr *b) {
    BinaryenExpressionRef x = NULL;
    for (int k = 0; k < 4; k++) {
        BinaryenExpressionRef d = bin(g, BinaryenXorInt64(), wb_limb(g, a, k), wb_limb(g, b, k));
        x = x ? bin(g, BinaryenOrInt64(), x, d) : d;
    }
    return un(g, BinaryenEqZInt64(), x);
}
static BinaryenExpressionRef eq_u256(WbGen *g, IrInstr *a, U256 c) {
    BinaryenExpressionRef x = NULL;
    for (int k = 0; k < 4; k++) {
        BinaryenExpressionRef d = bin(g, BinaryenXorInt64(), wb_limb(g, a, k), wb_i64(g, (int64_t)c.w[k]));
        x = x ? bin(g, BinaryenOrInt64(), x, d) : d;
    }
    return un(g, BinaryenEqZInt64(), x);
}

static BinaryenExpressionRef ret_status(WbGen *g, int s) {
    return BinaryenReturn(M, wb_i32(g, s));
}

/* if (fail) { Panic(code); return 1 } */
static void panic_if(WbGen *g, BinaryenExpressionRef fail, int code) {
    BinaryenExpressionRef a[1] = {wb_i32(g, code)};
    BinaryenExpressionRef body[2] = {wb_call(g, "panic", a, 1, NONE), ret_status(g, 1)};
    wb_emit(g, BinaryenIf(M, fail, BinaryenBlock(M, NULL, body, 2, NONE), NULL));
}

/* The shift amount of v clamped to 0..256, as i32. */
static BinaryenExpressionRef shift_amount(WbGen *g, IrInstr *v) {
    BinaryenExpressionRef hi = bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_limb(g, v, 1), wb_limb(g, v, 2)),
                                   wb_limb(g, v, 3));
    BinaryenExpressionRef big = bin(g, BinaryenOrInt32(), bin(g, BinaryenNeInt64(), hi, wb_i64(g, 0)),
                                    bin(g, BinaryenGtUInt64(), wb_limb(g, v, 0), wb_i64(g, 256)));
    return BinaryenSelect(M, big, wb_i32(g, 256), un(g, BinaryenWrapInt64(), wb_limb(g, v, 0)), I32);
}

static U256 min_signed(unsigned bits) {
    U256 v = u256_shl(u256_from_u64(1), bits - 1);
    return u256_neg(v);
}

/* ---------------- arithmetic ---------------- */
static void emit_arith(WbGen *g, IrInstr *i) {
    int l = g->local_of[i->id];
    IrInstr *a = i->args[0], *b = i->nargs > 1 ? i->args[1] : NULL;
    IrType *t = wb_strip(i->type);
    unsigned bits = type_bits(t);
    bool sg = type_signed(t), narrow = bits <= 64;
    BinaryenExpressionRef args[10];
    const char *fn = NULL;
    switch (i->op) {
    case IR_ADD: case IR_SUB: case IR_MUL:
        if (narrow) {
            BinaryenOp op = i->op == IR_ADD ? BinaryenAddInt64() : i->op == IR_SUB ? BinaryenSubInt64() : BinaryenMulInt64();
            set_narrow(g, l, bin(g, op, wb_limb(g, a, 0), wb_limb(g, b, 0)), bits, sg);
            return;
        }
        fn = i->op == IR_ADD ? "add" : i->op == IR_SUB ? "sub" : "mul";
        push_val(g, args, a), push_val(g, args + 4, b);
        wb_emit(g, BinaryenDrop(M, wb_call(g, fn, args, 8, I32)));
        set_from_r(g, l);
        norm_loc(g, l, bits, sg);
        return;
    case IR_NEG:
        if (narrow) {
            set_narrow(g, l, bin(g, BinaryenSubInt64(), wb_i64(g, 0), wb_limb(g, a, 0)), bits, sg);
            return;
        }
        push_val(g, args, a);
        call_void(g, "neg", args, 4);
        set_from_r(g, l);
        norm_loc(g, l, bits, sg);
        return;
    case IR_DIV: case IR_MOD:
        if (narrow) {
            BinaryenExpressionRef x = wb_limb(g, a, 0), y = wb_limb(g, b, 0), r;
            bool div = i->op == IR_DIV;
            if (sg) {
                BinaryenExpressionRef q = bin(g, div ? BinaryenDivSInt64() : BinaryenRemSInt64(), x, y);
                BinaryenExpressionRef m1 = div ? bin(g, BinaryenSubInt64(), wb_i64(g, 0), wb_limb(g, a, 0)) : wb_i64(g, 0);
                r = BinaryenIf(M, bin(g, BinaryenEqInt64(), wb_limb(g, b, 0), wb_i64(g, -1)), m1, q);
            } else {
                r = bin(g, div ? BinaryenDivUInt64() : BinaryenRemUInt64(), x, y);
            }
            r = BinaryenIf(M, un(g, BinaryenEqZInt64(), wb_limb(g, b, 0)), wb_i64(g, 0), r);
            set_narrow(g, l, r, bits, sg);
            return;
        }
        push_val(g, args, a), push_val(g, args + 4, b);
        call_void(g, sg ? "sdivmod" : "udivmod", args, 8);
        if (i->op == IR_DIV)
            set_from_r(g, l);
        else
            set_from_m(g, l);
        norm_loc(g, l, bits, sg);
        return;
    case IR_AND: case IR_OR: case IR_XOR: {
        BinaryenOp op = i->op == IR_AND ? BinaryenAndInt64() : i->op == IR_OR ? BinaryenOrInt64() : BinaryenXorInt64();
        for (int k = 0; k < 4; k++)
            wb_emit(g, set(g, l + k, bin(g, op, wb_limb(g, a, k), wb_limb(g, b, k))));
        return;
    }
    case IR_NOT:
        if (t->kind == IRT_BOOL) {
            wb_emit(g, set(g, l, bin(g, BinaryenXorInt64(), wb_limb(g, a, 0), wb_i64(g, 1))));
            for (int k = 1; k < 4; k++)
                wb_emit(g, set(g, l + k, wb_i64(g, 0)));
            return;
        }
        if (narrow) {
            set_narrow(g, l, bin(g, BinaryenXorInt64(), wb_limb(g, a, 0), wb_i64(g, -1)), bits, sg);
            return;
        }
        for (int k = 0; k < 4; k++)
            wb_emit(g, set(g, l + k, bin(g, BinaryenXorInt64(), wb_limb(g, a, k), wb_i64(g, -1))));
        norm_loc(g, l, bits, sg);
        return;
    case IR_SHL: case IR_SHR: {
        int n = g->tmp32;
        wb_emit(g, set(g, n, shift_amount(g, b)));
        if (narrow) {
            BinaryenExpressionRef n64 = un(g, BinaryenExtendUInt32(), wb_get32(g, n));
            BinaryenExpressionRef big = bin(g, BinaryenGeUInt32(), wb_get32(g, n), wb_i32(g, 64));
            BinaryenExpressionRef r;
            if (i->op == IR_SHL) {
                r = BinaryenSelect(M, big, wb_i64(g, 0), bin(g, BinaryenShlInt64(), wb_limb(g, a, 0), n64), I64);
            } else if (sg) {
                BinaryenExpressionRef c = BinaryenSelect(M, big, wb_i64(g, 63), un(g, BinaryenExtendUInt32(), wb_get32(g, n)), I64);
                r = bin(g, BinaryenShrSInt64(), wb_limb(g, a, 0), c);
            } else {
                r = BinaryenSelect(M, big, wb_i64(g, 0), bin(g, BinaryenShrUInt64(), wb_limb(g, a, 0), n64), I64);
            }
            set_narrow(g, l, r, bits, sg);
            return;
        }
        push_val(g, args, a);
        args[4] = wb_get32(g, n);
        if (i->op == IR_SHL) {
            call_void(g, "shl", args, 5);
            set_from_r(g, l);
            norm_loc(g, l, bits, sg);
        } else {
            args[5] = wb_i32(g, sg);
            call_void(g, "shr", args, 6);
            set_from_r(g, l);
        }
        return;
    }
    default:
        break;
    }
}

static void set_bool(WbGen *g, int l, BinaryenExpressionRef c) {
    wb_emit(g, set(g, l, un(g, BinaryenExtendUInt32(), c)));
    for (int k = 1; k < 4; k++)
        wb_emit(g, set(g, l + k, wb_i64(g, 0)));
}

static BinaryenExpressionRef less(WbGen *g, IrInstr *a, IrInstr *b) {
    IrType *t = wb_strip(a->type);
    bool sg = type_signed(t);
    if (type_bits(t) <= 64)
        return bin(g, sg ? BinaryenLtSInt64() : BinaryenLtUInt64(), wb_limb(g, a, 0), wb_limb(g, b, 0));
    BinaryenExpressionRef args[8];
    push_val(g, args, a), push_val(g, args + 4, b);
    return wb_call(g, sg ? "lt_s" : "lt_u", args, 8, I32);
}

static void emit_compare(WbGen *g, IrInstr *i) {
    int l = g->local_of[i->id];
    IrInstr *a = i->args[0], *b = i->args[1];
    BinaryenExpressionRef c;
    switch (i->op) {
    case IR_EQ: c = eq_vals(g, a, b); break;
    case IR_NE: c = un(g, BinaryenEqZInt32(), eq_vals(g, a, b)); break;
    case IR_LT: c = less(g, a, b); break;
    case IR_GT: c = less(g, b, a); break;
    case IR_LE: c = un(g, BinaryenEqZInt32(), less(g, b, a)); break;
    default: c = un(g, BinaryenEqZInt32(), less(g, a, b)); break;   /* IR_GE */
    }
    set_bool(g, l, c);
}

static void emit_cast(WbGen *g, IrInstr *i) {
    int l = g->local_of[i->id];
    IrInstr *a = i->args[0];
    IrType *to = wb_strip(i->type);
    if (to->kind == IRT_BOOL) {
        set_bool(g, l, un(g, BinaryenEqZInt32(), is_zero(g, a)));
        return;
    }
    unsigned bits = type_bits(to);
    bool sg = type_signed(to);
    if (bits <= 64) {
        set_narrow(g, l, wb_limb(g, a, 0), bits, sg);
        return;
    }
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, l + k, wb_limb(g, a, k)));
    norm_loc(g, l, bits, sg);
}

/* ---------------- checks ---------------- */
/* fits(v in locals l, bits, signed) as an i32 expression */
static BinaryenExpressionRef fits_loc(WbGen *g, int l, unsigned bits, bool sg) {
    BinaryenExpressionRef a[6];
    push_loc(g, a, l);
    a[4] = wb_i32(g, (int32_t)bits), a[5] = wb_i32(g, sg);
    return wb_call(g, "fits", a, 6, I32);
}

static BinaryenExpressionRef sign_of(WbGen *g, BinaryenExpressionRef limb3) {
    return bin(g, BinaryenLtSInt64(), limb3, wb_i64(g, 0));
}

static void emit_check(WbGen *g, IrInstr *i) {
    IrInstr *a = i->args[0], *b = i->nargs > 1 ? i->args[1] : NULL;
    IrType *t = wb_strip(a->type);
    unsigned bits = type_bits(t);
    bool sg = type_signed(t);
    int s = g->tmp64;   /* 4 limbs of scratch */
    BinaryenExpressionRef args[8];
    switch (i->op) {
    case IR_CHECK_ADD: case IR_CHECK_SUB: {
        bool add = i->op == IR_CHECK_ADD;
        if (!sg && !add) {
            panic_if(g, less(g, a, b), 0x11);
            return;
        }
        push_val(g, args, a), push_val(g, args + 4, b);
        wb_emit(g, set(g, g->tmp32, wb_call(g, add ? "add" : "sub", args, 8, I32)));
        set_from_r(g, s);
        BinaryenExpressionRef fail;
        if (bits < 256) {
            fail = un(g, BinaryenEqZInt32(), fits_loc(g, s, bits, sg));
        } else if (!sg) {
            fail = wb_get32(g, g->tmp32);
        } else {
            /* signed 256: operands' signs agree (add) / differ (sub) and the result's differs */
            BinaryenExpressionRef sa = sign_of(g, wb_limb(g, a, 3)), sb = sign_of(g, wb_limb(g, b, 3));
            BinaryenExpressionRef same = add ? bin(g, BinaryenEqInt32(), sa, sb) : bin(g, BinaryenNeInt32(), sa, sb);
            BinaryenExpressionRef flip = bin(g, BinaryenNeInt32(), sign_of(g, wb_get64(g, s + 3)), sign_of(g, wb_limb(g, a, 3)));
            fail = bin(g, BinaryenAndInt32(), same, flip);
        }
        panic_if(g, fail, 0x11);
        return;
    }
    case IR_CHECK_MUL: {
        if (!sg) {
            push_val(g, args, a), push_val(g, args + 4, b);
            wb_emit(g, set(g, g->tmp32, wb_call(g, "mul", args, 8, I32)));
            set_from_r(g, s);
            BinaryenExpressionRef fail = wb_get32(g, g->tmp32);
            if (bits < 256)
                fail = bin(g, BinaryenOrInt32(), fail, un(g, BinaryenEqZInt32(), fits_loc(g, s, bits, false)));
            panic_if(g, fail, 0x11);
            return;
        }
        /* signed: multiply the magnitudes, then the signed result must fit */
        int ma = g->tmp64 + 4, mb = s;   /* |a| in ma, |b| in mb */
        for (int side = 0; side < 2; side++) {
            IrInstr *v = side ? b : a;
            int dst = side ? mb : ma;
            push_val(g, args, v);
            call_void(g, "neg", args, 4);
            for (int k = 0; k < 4; k++)
                wb_emit(g, set(g, dst + k, BinaryenSelect(M, sign_of(g, wb_limb(g, v, 3)), wb_r(g, k), wb_limb(g, v, k), I64)));
        }
        int neg = g->tmp32 + 1, ovf = g->tmp32;
        wb_emit(g, set(g, neg, bin(g, BinaryenXorInt32(), sign_of(g, wb_limb(g, a, 3)), sign_of(g, wb_limb(g, b, 3)))));
        push_loc(g, args, ma), push_loc(g, args + 4, mb);
        wb_emit(g, set(g, ovf, wb_call(g, "mul", args, 8, I32)));
        set_from_r(g, ma);   /* magnitude of the product */
        /* top bit set: only -2^255 fits (negative result, magnitude exactly 2^255) */
        BinaryenExpressionRef top = sign_of(g, wb_get64(g, ma + 3));
        BinaryenExpressionRef exact_min = bin(g, BinaryenAndInt32(), wb_get32(g, neg),
            un(g, BinaryenEqZInt64(), bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_get64(g, ma), wb_get64(g, ma + 1)),
                bin(g, BinaryenOrInt64(), wb_get64(g, ma + 2), bin(g, BinaryenXorInt64(), wb_get64(g, ma + 3), wb_i64(g, INT64_MIN))))));
        wb_emit(g, set(g, ovf, bin(g, BinaryenOrInt32(), wb_get32(g, ovf),
                                   bin(g, BinaryenAndInt32(), top, un(g, BinaryenEqZInt32(), exact_min)))));
        if (bits < 256) {
            push_loc(g, args, ma);
            call_void(g, "neg", args, 4);
            for (int k = 0; k < 4; k++)
                wb_emit(g, set(g, mb + k, BinaryenSelect(M, wb_get32(g, neg), wb_r(g, k), wb_get64(g, ma + k), I64)));
            wb_emit(g, set(g, ovf, bin(g, BinaryenOrInt32(), wb_get32(g, ovf),
                                       un(g, BinaryenEqZInt32(), fits_loc(g, mb, bits, true)))));
        }
        panic_if(g, wb_get32(g, ovf), 0x11);
        return;
    }
    case IR_CHECK_NEG:
        panic_if(g, sg ? eq_u256(g, a, min_signed(bits)) : un(g, BinaryenEqZInt32(), is_zero(g, a)), 0x11);
        return;
    case IR_CHECK_DIV:
        panic_if(g, is_zero(g, b), 0x12);
        if (sg) {
            U256 m1;
            memset(&m1, 0xff, sizeof m1);
            panic_if(g, bin(g, BinaryenAndInt32(), eq_u256(g, a, min_signed(bits)), eq_u256(g, b, m1)), 0x11);
        }
        return;
    case IR_CHECK_CAST: {
        IrType *to = wb_strip(i->type);
        for (int k = 0; k < 4; k++)
            wb_emit(g, set(g, s + k, wb_limb(g, a, k)));
        BinaryenExpressionRef ok;
        if (to->kind == IRT_BOOL) {
            ok = bin(g, BinaryenLeUInt64(), wb_limb(g, a, 0), wb_i64(g, 1));
            ok = bin(g, BinaryenAndInt32(), ok, un(g, BinaryenEqZInt64(), bin(g, BinaryenOrInt64(),
                     bin(g, BinaryenOrInt64(), wb_limb(g, a, 1), wb_limb(g, a, 2)), wb_limb(g, a, 3))));
        } else {
            bool dsg = type_signed(to);
            ok = fits_loc(g, s, type_bits(to), dsg);
            if (dsg != sg)   /* the other reading of bit 255 */
                ok = bin(g, BinaryenAndInt32(), ok, un(g, BinaryenEqZInt32(), sign_of(g, wb_limb(g, a, 3))));
        }
        panic_if(g, un(g, BinaryenEqZInt32(), ok), 0x11);
        return;
    }
    case IR_CHECK_BOUNDS: {
        IrInstr *idx = a, *len = b;
        BinaryenExpressionRef lt;
        push_val(g, args, idx), push_val(g, args + 4, len);
        lt = wb_call(g, "lt_u", args, 8, I32);
        panic_if(g, un(g, BinaryenEqZInt32(), lt), 0x32);
        return;
    }
    case IR_CHECK_EMPTY:
        panic_if(g, is_zero(g, a), 0x31);
        return;
    case IR_ASSERT:
        panic_if(g, un(g, BinaryenEqZInt32(), truth(g, a)), 0x01);
        return;
    default:
        return;
    }
}

/* ---------------- storage ---------------- */
static void add_to_slot(WbGen *g, int S, BinaryenExpressionRef lo) {
    BinaryenExpressionRef a[8];
    push_loc(g, a, S);
    a[4] = lo, a[5] = wb_i64(g, 0), a[6] = wb_i64(g, 0), a[7] = wb_i64(g, 0);
    wb_emit(g, BinaryenDrop(M, wb_call(g, "add", a, 8, I32)));
    set_from_r(g, S);
}

static void add_u256_to_slot(WbGen *g, int S, U256 v) {
    if (u256_is_zero(v))
        return;
    BinaryenExpressionRef a[8];
    push_loc(g, a, S);
    push_u256(g, a + 4, v);
    wb_emit(g, BinaryenDrop(M, wb_call(g, "add", a, 8, I32)));
    set_from_r(g, S);
}

/* Slot of an element of a list or array at slot S (already the data slot): packed value
 * elements move the byte offset (local dyn), others whole slots. */
static void index_slot(WbGen *g, int S, IrType *et, BinaryenExpressionRef idx0, int dyn, bool *isdyn) {
    et = wb_strip(et);
    int x = wb_new_local(g, I64);
    wb_emit(g, set(g, x, idx0));
    if (wb_is_scalar(et) && wb_storage_bytes(et) < 32) {
        uint32_t bytes = wb_storage_bytes(et), per = 32 / bytes;
        add_to_slot(g, S, bin(g, BinaryenDivUInt64(), wb_get64(g, x), wb_i64(g, per)));
        BinaryenExpressionRef off = un(g, BinaryenWrapInt64(), bin(g, BinaryenMulInt64(),
                                        bin(g, BinaryenRemUInt64(), wb_get64(g, x), wb_i64(g, per)), wb_i64(g, bytes)));
        wb_emit(g, set(g, dyn, *isdyn ? bin(g, BinaryenAddInt32(), wb_get32(g, dyn), off) : off));
        *isdyn = true;
    } else {
        uint32_t slots = wb_storage_slots(g->m, &g->layout, et);
        add_to_slot(g, S, bin(g, BinaryenMulInt64(), wb_get64(g, x), wb_i64(g, slots)));
    }
}

/* Computes the slot of the storage place of i (index operands from args[first]) into
 * locals S..S+3; returns the type there, its static byte offset, and whether local dyn
 * holds a further dynamic offset. */
static IrType *storage_place(WbGen *g, IrInstr *i, int first, int S, uint32_t *off, int dyn, bool *isdyn) {
    IrStorage *st = &g->m->storage[i->var];
    WbSlot vs = g->layout.vars[i->var];
    BinaryenExpressionRef a[8];
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, S + k, wb_i64(g, (int64_t)vs.slot.w[k])));
    *off = vs.offset;
    *isdyn = false;
    IrType *t = wb_strip(st->type);
    int arg = first;
    for (int p = 0; p < i->npath; p++) {
        IrPathElem pe = i->path[p];
        t = wb_strip(t);
        if (pe.kind == IR_PATH_FIELD) {
            if (t->kind != IRT_STRUCT) {
                wb_fail(g, i->span, "this storage path");
                return t;
            }
            WbSlot fs = g->layout.fields[t->struct_index][pe.field];
            add_u256_to_slot(g, S, fs.slot);
            *off += fs.offset;
            t = g->m->structs[t->struct_index].fields[pe.field].type;
            continue;
        }
        IrInstr *idx = i->args[arg++];
        if (t->kind == IRT_MAP) {
            IrType *kt = wb_strip(t->key);
            if (!wb_is_scalar(kt)) {
                wb_fail(g, i->span, "a map key of this type");
                return t;
            }
            if (kt->kind == IRT_BYTES && kt->bits < 256) {
                push_val(g, a, idx);
                a[4] = wb_i32(g, 256 - kt->bits);
                call_void(g, "shl", a, 5);
                push_r(g, a);
            } else {
                push_val(g, a, idx);
            }
            push_loc(g, a + 4, S);
            call_void(g, "map_slot", a, 8);
            set_from_r(g, S);
            t = t->val;
        } else if (t->kind == IRT_ARRAY) {
            index_slot(g, S, t->elem, wb_limb(g, idx, 0), dyn, isdyn);
            t = t->elem;
        } else if (t->kind == IRT_LIST) {
            push_loc(g, a, S);
            call_void(g, "hash_slot", a, 4);
            set_from_r(g, S);
            index_slot(g, S, t->elem, wb_limb(g, idx, 0), dyn, isdyn);
            t = t->elem;
        } else {
            wb_fail(g, i->span, "indexing this storage type");
            return t;
        }
    }
    return wb_strip(t);
}

static BinaryenExpressionRef off_expr(WbGen *g, uint32_t off, int dyn, bool isdyn) {
    if (!isdyn)
        return wb_i32(g, (int32_t)off);
    return bin(g, BinaryenAddInt32(), wb_get32(g, dyn), wb_i32(g, (int32_t)off));
}

/* r = the scalar of type t at (S, offset) */
static void sload_scalar(WbGen *g, IrType *t, int S, uint32_t off, int dyn, bool isdyn, int dst) {
    uint32_t bytes = wb_storage_bytes(t);
    BinaryenExpressionRef a[6];
    push_loc(g, a, S);
    if (bytes == 32 && !isdyn && off == 0) {
        call_void(g, "sload", a, 4);
        set_from_r(g, dst);
        return;
    }
    a[4] = off_expr(g, off, dyn, isdyn), a[5] = wb_i32(g, (int32_t)bytes);
    call_void(g, "sload_part", a, 6);
    set_from_r(g, dst);
    if (type_signed(t))
        norm_loc(g, dst, type_bits(t), true);
}

static void sstore_scalar(WbGen *g, IrType *t, int S, uint32_t off, int dyn, bool isdyn,
                          BinaryenExpressionRef *val) {
    uint32_t bytes = wb_storage_bytes(t);
    BinaryenExpressionRef a[10];
    push_loc(g, a, S);
    for (int k = 0; k < 4; k++)
        a[4 + k] = val[k];
    if (bytes == 32 && !isdyn && off == 0) {
        call_void(g, "sstore", a, 8);
        return;
    }
    a[8] = off_expr(g, off, dyn, isdyn), a[9] = wb_i32(g, (int32_t)bytes);
    call_void(g, "sstore_part", a, 10);
}

static void sload_agg(WbGen *g, IrType *t, int S, int ptr, Span sp);
static void sstore_agg(WbGen *g, IrType *t, int S, int ptr, Span sp);

void wb_loop(WbGen *g, int mark, int iv, BinaryenExpressionRef n) {
    char lname[32], bname[32];
    snprintf(lname, sizeof lname, "L%d", g->nloops);
    snprintf(bname, sizeof bname, "B%d", g->nloops++);
    int nb = g->ncode - mark;
    BinaryenExpressionRef *body = arena_alloc(g->arena, sizeof *body * (size_t)(nb + 3));
    body[0] = BinaryenBreak(M, bname, bin(g, BinaryenGeUInt32(), wb_get32(g, iv), n), NULL);
    memcpy(body + 1, g->code + mark, sizeof *body * (size_t)nb);
    body[nb + 1] = set(g, iv, bin(g, BinaryenAddInt32(), wb_get32(g, iv), wb_i32(g, 1)));
    body[nb + 2] = BinaryenBreak(M, lname, NULL, NULL);
    BinaryenExpressionRef loop = BinaryenLoop(M, lname, BinaryenBlock(M, NULL, body, (BinaryenIndex)(nb + 3), NONE));
    g->ncode = mark;
    BinaryenExpressionRef outer[2] = {set(g, iv, wb_i32(g, 0)), loop};
    wb_emit(g, BinaryenBlock(M, bname, outer, 2, NONE));
}

/* Elements of an array/list at data slot S to/from the image at ptr (n elements). */
static void elems_agg(WbGen *g, IrType *et, int S, int ptr, BinaryenExpressionRef n, bool load, Span sp) {
    et = wb_strip(et);
    uint32_t esize = wb_mem_size(g, et);
    int iv = wb_new_local(g, I32), ES = wb_new_scalar(g), dyn = wb_new_local(g, I32), ep = wb_new_local(g, I32);
    int mark = g->ncode;
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, ES + k, wb_get64(g, S + k)));
    bool isdyn = false;
    index_slot(g, ES, et, un(g, BinaryenExtendUInt32(), wb_get32(g, iv)), dyn, &isdyn);
    wb_emit(g, set(g, ep, bin(g, BinaryenAddInt32(), wb_get32(g, ptr),
                              bin(g, BinaryenMulInt32(), wb_get32(g, iv), wb_i32(g, (int32_t)esize)))));
    if (wb_is_scalar(et)) {
        int v = wb_new_scalar(g);
        if (load) {
            sload_scalar(g, et, ES, 0, dyn, isdyn, v);
            BinaryenExpressionRef a[5] = {wb_get32(g, ep)};
            push_loc(g, a + 1, v);
            call_void(g, "store_le", a, 5);
        } else {
            BinaryenExpressionRef a[1] = {wb_get32(g, ep)}, val[4];
            call_void(g, "load_le", a, 1);
            push_r(g, val);
            sstore_scalar(g, et, ES, 0, dyn, isdyn, val);
        }
    } else if (load) {
        sload_agg(g, et, ES, ep, sp);
    } else {
        sstore_agg(g, et, ES, ep, sp);
    }
    wb_loop(g, mark, iv, n);
}

/* Fills the fresh image at ptr from the aggregate of type t stored at slot S. */
static void sload_agg(WbGen *g, IrType *t, int S, int ptr, Span sp) {
    t = wb_strip(t);
    BinaryenExpressionRef a[6];
    switch (t->kind) {
    case IRT_STRING:
        push_loc(g, a, S);
        a[4] = wb_get32(g, ptr);
        call_void(g, "sload_string", a, 5);
        return;
    case IRT_STRUCT: {
        IrStruct *st = &g->m->structs[t->struct_index];
        int FS = wb_new_scalar(g), fp = wb_new_local(g, I32), dyn = wb_new_local(g, I32);
        for (int k = 0; k < st->nfields; k++) {
            WbSlot fs = g->layout.fields[t->struct_index][k];
            IrType *ft = wb_strip(st->fields[k].type);
            for (int q = 0; q < 4; q++)
                wb_emit(g, set(g, FS + q, wb_get64(g, S + q)));
            add_u256_to_slot(g, FS, fs.slot);
            wb_emit(g, set(g, fp, bin(g, BinaryenAddInt32(), wb_get32(g, ptr), wb_i32(g, (int32_t)field_mem_offset(g, t->struct_index, (uint32_t)k)))));
            if (wb_is_scalar(ft)) {
                int v = wb_new_scalar(g);
                sload_scalar(g, ft, FS, fs.offset, dyn, false, v);
                BinaryenExpressionRef b[5] = {wb_get32(g, fp)};
                push_loc(g, b + 1, v);
                call_void(g, "store_le", b, 5);
            } else if (ft->kind == IRT_MAP) {
                continue;
            } else {
                sload_agg(g, ft, FS, fp, sp);
            }
        }
        return;
    }
    case IRT_ARRAY:
        elems_agg(g, t->elem, S, ptr, wb_i32(g, (int32_t)t->len), true, sp);
        return;
    case IRT_LIST: {
        int n = wb_new_local(g, I32), DS = wb_new_scalar(g), body = wb_new_local(g, I32);
        push_loc(g, a, S);
        call_void(g, "sload", a, 4);
        wb_emit(g, set(g, n, un(g, BinaryenWrapInt64(), wb_r(g, 0))));
        wb_emit(g, BinaryenStore(M, 8, 0, 0, wb_get32(g, ptr), un(g, BinaryenExtendUInt32(), wb_get32(g, n)), I64));
        push_loc(g, a, S);
        call_void(g, "hash_slot", a, 4);
        set_from_r(g, DS);
        wb_emit(g, set(g, body, bin(g, BinaryenAddInt32(), wb_get32(g, ptr), wb_i32(g, 32))));
        elems_agg(g, t->elem, DS, body, wb_get32(g, n), true, sp);
        return;
    }
    default:
        wb_fail(g, sp, "loading this storage type");
    }
}

static void sstore_agg(WbGen *g, IrType *t, int S, int ptr, Span sp) {
    t = wb_strip(t);
    BinaryenExpressionRef a[6];
    switch (t->kind) {
    case IRT_STRING:
        push_loc(g, a, S);
        a[4] = wb_get32(g, ptr);
        call_void(g, "sstore_string", a, 5);
        return;
    case IRT_STRUCT: {
        IrStruct *st = &g->m->structs[t->struct_index];
        int FS = wb_new_scalar(g), fp = wb_new_local(g, I32), dyn = wb_new_local(g, I32);
        for (int k = 0; k < st->nfields; k++) {
            WbSlot fs = g->layout.fields[t->struct_index][k];
            IrType *ft = wb_strip(st->fields[k].type);
            if (ft->kind == IRT_MAP)
                continue;
            for (int q = 0; q < 4; q++)
                wb_emit(g, set(g, FS + q, wb_get64(g, S + q)));
            add_u256_to_slot(g, FS, fs.slot);
            wb_emit(g, set(g, fp, bin(g, BinaryenAddInt32(), wb_get32(g, ptr), wb_i32(g, (int32_t)field_mem_offset(g, t->struct_index, (uint32_t)k)))));
            if (wb_is_scalar(ft)) {
                BinaryenExpressionRef b[1] = {wb_get32(g, fp)}, val[4];
                call_void(g, "load_le", b, 1);
                push_r(g, val);
                sstore_scalar(g, ft, FS, fs.offset, dyn, false, val);
            } else {
                sstore_agg(g, ft, FS, fp, sp);
            }
        }
        return;
    }
    case IRT_ARRAY:
        elems_agg(g, t->elem, S, ptr, wb_i32(g, (int32_t)t->len), false, sp);
        return;
    case IRT_LIST: {
        int n = wb_new_local(g, I32), DS = wb_new_scalar(g), body = wb_new_local(g, I32);
        int old = wb_new_local(g, I32);
        wb_emit(g, set(g, n, BinaryenLoad(M, 4, false, 0, 0, I32, wb_get32(g, ptr))));
        push_loc(g, a, S);
        call_void(g, "sload", a, 4);
        wb_emit(g, set(g, old, un(g, BinaryenWrapInt64(), wb_r(g, 0))));
        BinaryenExpressionRef c[8];
        push_loc(g, c, S);
        c[4] = un(g, BinaryenExtendUInt32(), wb_get32(g, n));
        c[5] = wb_i64(g, 0), c[6] = wb_i64(g, 0), c[7] = wb_i64(g, 0);
        call_void(g, "sstore", c, 8);
        push_loc(g, a, S);
        call_void(g, "hash_slot", a, 4);
        set_from_r(g, DS);
        wb_emit(g, set(g, body, bin(g, BinaryenAddInt32(), wb_get32(g, ptr), wb_i32(g, 32))));
        elems_agg(g, t->elem, DS, body, wb_get32(g, n), false, sp);
        /* as solc does: the elements past the new length are zeroed */
        IrType *et = wb_strip(t->elem);
        int iv = wb_new_local(g, I32), ES = wb_new_scalar(g), dyn = wb_new_local(g, I32);
        if (!wb_is_scalar(et)) {
            /* aggregates: their in-place slots (as the EVM backend does) */
            uint32_t slots = wb_storage_slots(g->m, &g->layout, et);
            int mark = g->ncode;
            for (int k = 0; k < 4; k++)
                wb_emit(g, set(g, ES + k, wb_get64(g, DS + k)));
            add_to_slot(g, ES, bin(g, BinaryenMulInt64(),
                                   un(g, BinaryenExtendUInt32(), bin(g, BinaryenAddInt32(), wb_get32(g, n), wb_get32(g, iv))),
                                   wb_i64(g, slots)));
            for (uint32_t q = 0; q < slots; q++) {
                BinaryenExpressionRef c[8];
                push_loc(g, c, ES);
                c[4] = wb_i64(g, 0), c[5] = wb_i64(g, 0), c[6] = wb_i64(g, 0), c[7] = wb_i64(g, 0);
                call_void(g, "sstore", c, 8);
                if (q + 1 < slots)
                    add_to_slot(g, ES, wb_i64(g, 1));
            }
            wb_loop(g, mark, iv, BinaryenSelect(M, bin(g, BinaryenGtUInt32(), wb_get32(g, old), wb_get32(g, n)),
                                                bin(g, BinaryenSubInt32(), wb_get32(g, old), wb_get32(g, n)), wb_i32(g, 0), I32));
            return;
        }
        int mark = g->ncode;
        for (int k = 0; k < 4; k++)
            wb_emit(g, set(g, ES + k, wb_get64(g, DS + k)));
        bool isdyn = false;
        index_slot(g, ES, et, un(g, BinaryenExtendUInt32(), bin(g, BinaryenAddInt32(), wb_get32(g, n), wb_get32(g, iv))),
                   dyn, &isdyn);
        BinaryenExpressionRef zero[4] = {wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
        sstore_scalar(g, et, ES, 0, dyn, isdyn, zero);
        wb_loop(g, mark, iv, BinaryenSelect(M, bin(g, BinaryenGtUInt32(), wb_get32(g, old), wb_get32(g, n)),
                                            bin(g, BinaryenSubInt32(), wb_get32(g, old), wb_get32(g, n)), wb_i32(g, 0), I32));
        return;
    }
    default:
        wb_fail(g, sp, "storing this storage type");
    }
}

static BinaryenExpressionRef alloc(WbGen *g, BinaryenExpressionRef n) {
    return wb_call(g, "alloc", &n, 1, I32);
}

static void emit_storage(WbGen *g, IrInstr *i) {
    int S = g->tmp64, dyn = g->tmp32 + 2;
    uint32_t off;
    bool isdyn;
    bool store = i->op == IR_SSTORE || i->op == IR_SSETLEN;
    IrType *t = storage_place(g, i, store ? 1 : 0, S, &off, dyn, &isdyn);
    if (!g->ok)
        return;
    int l = i->op == IR_SLOAD || i->op == IR_SLEN ? g->local_of[i->id] : -1;
    switch (i->op) {
    case IR_SLOAD:
        if (wb_is_scalar(t)) {
            sload_scalar(g, t, S, off, dyn, isdyn, l);
        } else {
            wb_emit(g, set(g, l, alloc(g, wb_i32(g, (int32_t)wb_mem_size(g, t)))));
            sload_agg(g, t, S, l, i->span);
        }
        return;
    case IR_SSTORE:
        if (wb_is_scalar(t)) {
            BinaryenExpressionRef val[4];
            push_val(g, val, i->args[0]);
            sstore_scalar(g, t, S, off, dyn, isdyn, val);
        } else {
            int p = g->tmp32 + 3;
            wb_emit(g, set(g, p, wb_ref(g, i->args[0])));
            sstore_agg(g, t, S, p, i->span);
        }
        return;
    case IR_SLEN: {
        BinaryenExpressionRef a[4];
        push_loc(g, a, S);
        call_void(g, "sload", a, 4);
        BinaryenExpressionRef w = wb_r(g, 0), len;
        if (t->kind == IRT_STRING) {
            wb_emit(g, set(g, l, w));
            BinaryenExpressionRef odd = un(g, BinaryenWrapInt64(), bin(g, BinaryenAndInt64(), wb_get64(g, l), wb_i64(g, 1)));
            len = BinaryenSelect(M, odd, bin(g, BinaryenShrUInt64(), wb_get64(g, l), wb_i64(g, 1)),
                                 bin(g, BinaryenShrUInt64(), bin(g, BinaryenAndInt64(), wb_get64(g, l), wb_i64(g, 0xff)), wb_i64(g, 1)), I64);
            wb_emit(g, set(g, l, len));
            for (int k = 1; k < 4; k++)
                wb_emit(g, set(g, l + k, wb_i64(g, 0)));
        } else {
            set_from_r(g, l);
        }
        return;
    }
    case IR_SSETLEN: {
        BinaryenExpressionRef a[8];
        push_loc(g, a, S);
        push_val(g, a + 4, i->args[0]);
        call_void(g, "sstore", a, 8);
        return;
    }
    default:
        return;
    }
}

/* ---------------- memory places ---------------- */
/* The address of the memory place of i (root ref at args[first], indices after) in local
 * p; returns the type there. */
static IrType *memory_place(WbGen *g, IrInstr *i, int first, int p) {
    IrInstr *root = i->args[first];
    IrType *t = wb_strip(root->type);
    int arg = first + 1;
    wb_emit(g, set(g, p, wb_ref(g, root)));
    for (int k = 0; k < i->npath; k++) {
        IrPathElem pe = i->path[k];
        t = wb_strip(t);
        uint32_t add;
        if (pe.kind == IR_PATH_FIELD) {
            if (t->kind != IRT_STRUCT) {
                wb_fail(g, i->span, "this memory path");
                return t;
            }
            add = field_mem_offset(g, t->struct_index, pe.field);
            t = g->m->structs[t->struct_index].fields[pe.field].type;
            if (add)
                wb_emit(g, set(g, p, bin(g, BinaryenAddInt32(), wb_get32(g, p), wb_i32(g, (int32_t)add))));
            continue;
        }
        IrInstr *idx = i->args[arg++];
        if (t->kind != IRT_ARRAY && t->kind != IRT_LIST) {
            wb_fail(g, i->span, "indexing this memory type");
            return t;
        }
        uint32_t es = wb_mem_size(g, t->elem);
        BinaryenExpressionRef off = bin(g, BinaryenMulInt32(), un(g, BinaryenWrapInt64(), wb_limb(g, idx, 0)),
                                        wb_i32(g, (int32_t)es));
        if (t->kind == IRT_LIST)
            off = bin(g, BinaryenAddInt32(), off, wb_i32(g, 32));
        wb_emit(g, set(g, p, bin(g, BinaryenAddInt32(), wb_get32(g, p), off)));
        t = t->elem;
    }
    return wb_strip(t);
}

static void memcpy_call(WbGen *g, BinaryenExpressionRef d, BinaryenExpressionRef s, uint32_t n) {
    BinaryenExpressionRef a[3] = {d, s, wb_i32(g, (int32_t)n)};
    call_void(g, "memcpy", a, 3);
}

static void emit_memory(WbGen *g, IrInstr *i) {
    int p = g->tmp32 + 4;
    bool store = i->op == IR_MSTORE || i->op == IR_MSETLEN;
    IrType *t = memory_place(g, i, store ? 1 : 0, p);
    if (!g->ok)
        return;
    int l = store ? -1 : g->local_of[i->id];
    BinaryenExpressionRef a[5];
    switch (i->op) {
    case IR_MLOAD:
        if (wb_is_scalar(t)) {
            a[0] = wb_get32(g, p);
            call_void(g, "load_le", a, 1);
            set_from_r(g, l);
        } else {
            uint32_t n = wb_mem_size(g, t);
            wb_emit(g, set(g, l, alloc(g, wb_i32(g, (int32_t)n))));
            memcpy_call(g, wb_get32(g, l), wb_get32(g, p), n);
        }
        return;
    case IR_MSTORE:
        if (wb_is_scalar(t)) {
            a[0] = wb_get32(g, p);
            push_val(g, a + 1, i->args[0]);
            call_void(g, "store_le", a, 5);
        } else {
            memcpy_call(g, wb_get32(g, p), wb_ref(g, i->args[0]), wb_mem_size(g, t));
        }
        return;
    case IR_MLEN:
        wb_emit(g, set(g, l, BinaryenLoad(M, 8, false, 0, 0, I64, wb_get32(g, p))));
        for (int k = 1; k < 4; k++)
            wb_emit(g, set(g, l + k, wb_i64(g, 0)));
        return;
    case IR_MSETLEN:
        wb_emit(g, BinaryenStore(M, 8, 0, 0, wb_get32(g, p), wb_limb(g, i->args[0], 0), I64));
        return;
    default:
        return;
    }
}

/* ---------------- keccak, environment, calls ---------------- */
static uint32_t packed_bytes(IrType *t) {
    t = wb_strip(t);
    switch (t->kind) {
    case IRT_BOOL: return 1;
    case IRT_ADDRESS: return 20;
    default: return t->bits / 8;
    }
}

static void emit_keccak(WbGen *g, IrInstr *i) {
    int l = g->local_of[i->id], n = g->tmp32, buf = g->tmp32 + 1, pos = g->tmp32 + 2;
    BinaryenExpressionRef total = wb_i32(g, 0);
    for (int k = 0; k < i->nargs; k++) {
        IrType *t = wb_strip(i->args[k]->type);
        if (wb_is_scalar(t))
            total = bin(g, BinaryenAddInt32(), total, wb_i32(g, (int32_t)packed_bytes(t)));
        else if (t->kind == IRT_STRING)
            total = bin(g, BinaryenAddInt32(), total, BinaryenLoad(M, 4, false, 0, 0, I32, wb_ref(g, i->args[k])));
        else {
            wb_fail(g, i->span, "keccak of this type");
            return;
        }
    }
    wb_emit(g, set(g, n, total));
    wb_emit(g, set(g, buf, alloc(g, wb_get32(g, n))));
    wb_emit(g, set(g, pos, wb_get32(g, buf)));
    for (int k = 0; k < i->nargs; k++) {
        IrType *t = wb_strip(i->args[k]->type);
        if (wb_is_scalar(t)) {
            uint32_t nb = packed_bytes(t);
            BinaryenExpressionRef a[5] = {wb_i32(g, WB_SCRATCH_T0)};
            push_val(g, a + 1, i->args[k]);
            call_void(g, "store_be", a, 5);
            memcpy_call(g, wb_get32(g, pos), wb_i32(g, WB_SCRATCH_T0 + 32 - (int32_t)nb), nb);
            wb_emit(g, set(g, pos, bin(g, BinaryenAddInt32(), wb_get32(g, pos), wb_i32(g, (int32_t)nb))));
        } else {
            BinaryenExpressionRef len = BinaryenLoad(M, 4, false, 0, 0, I32, wb_ref(g, i->args[k]));
            BinaryenExpressionRef a[3] = {wb_get32(g, pos), bin(g, BinaryenAddInt32(), wb_ref(g, i->args[k]), wb_i32(g, 32)), len};
            call_void(g, "memcpy", a, 3);
            wb_emit(g, set(g, pos, bin(g, BinaryenAddInt32(), wb_get32(g, pos),
                                       BinaryenLoad(M, 4, false, 0, 0, I32, wb_ref(g, i->args[k])))));
        }
    }
    BinaryenExpressionRef a[2] = {wb_get32(g, buf), wb_get32(g, n)};
    call_void(g, "keccak", a, 2);
    set_from_r(g, l);
}

/* r = an address written by a hostio at scratch+12 (the word's low 20 bytes) */
static void hostio_address(WbGen *g, const char *fn, int dst) {
    BinaryenExpressionRef z[5] = {wb_i32(g, WB_SCRATCH_T0), wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
    call_void(g, "store_le", z, 5);
    BinaryenExpressionRef a[1] = {wb_i32(g, WB_SCRATCH_T0 + 12)};
    call_void(g, fn, a, 1);
    a[0] = wb_i32(g, WB_SCRATCH_T0);
    call_void(g, "load_be", a, 1);
    set_from_r(g, dst);
}

static void emit_env(WbGen *g, IrInstr *i) {
    int l = g->local_of[i->id];
    BinaryenExpressionRef a[1];
    switch (i->env) {
    case IR_ENV_CALLER: hostio_address(g, "msg_sender", l); return;
    case IR_ENV_ORIGIN: hostio_address(g, "tx_origin", l); return;
    case IR_ENV_ADDRESS: hostio_address(g, "contract_address", l); return;
    case IR_ENV_CALLVALUE:
        a[0] = wb_i32(g, WB_SCRATCH_T0);
        call_void(g, "msg_value", a, 1);
        call_void(g, "load_be", a, 1);
        set_from_r(g, l);
        return;
    default: {
        const char *fn = i->env == IR_ENV_NUMBER ? "block_number" : i->env == IR_ENV_TIMESTAMP ? "block_timestamp" : "chainid";
        wb_emit(g, set(g, l, wb_call(g, fn, NULL, 0, I64)));
        for (int k = 1; k < 4; k++)
            wb_emit(g, set(g, l + k, wb_i64(g, 0)));
        return;
    }
    }
}

static void emit_balance(WbGen *g, IrInstr *i) {
    BinaryenExpressionRef a[5] = {wb_i32(g, WB_SCRATCH_T0)};
    push_val(g, a + 1, i->args[0]);
    call_void(g, "store_be", a, 5);
    BinaryenExpressionRef b[2] = {wb_i32(g, WB_SCRATCH_T0 + 12), wb_i32(g, WB_SCRATCH_T1)};
    call_void(g, "account_balance", b, 2);
    b[0] = wb_i32(g, WB_SCRATCH_T1);
    call_void(g, "load_be", b, 1);
    set_from_r(g, g->local_of[i->id]);
}

static void emit_send(WbGen *g, IrInstr *i) {
    BinaryenExpressionRef a[6] = {wb_i32(g, WB_SCRATCH_T0)};
    push_val(g, a + 1, i->args[0]);
    call_void(g, "store_be", a, 5);
    a[0] = wb_i32(g, WB_SCRATCH_T1);
    push_val(g, a + 1, i->args[1]);
    call_void(g, "store_be", a, 5);
    BinaryenExpressionRef f[1] = {wb_i32(g, 1)};
    call_void(g, "storage_flush_cache", f, 1);
    BinaryenExpressionRef c[6] = {wb_i32(g, WB_SCRATCH_T0 + 12), wb_i32(g, WB_SCRATCH_T0), wb_i32(g, 0),
                                  wb_i32(g, WB_SCRATCH_T1), wb_i64(g, -1), wb_i32(g, WB_SCRATCH_T2)};
    BinaryenExpressionRef fail = wb_call(g, "call_contract", c, 6, I32);
    BinaryenExpressionRef body[2] = {wb_call(g, "bubble", NULL, 0, NONE), ret_status(g, 1)};
    wb_emit(g, BinaryenIf(M, fail, BinaryenBlock(M, NULL, body, 2, NONE), NULL));
}

static void emit_call(WbGen *g, IrInstr *i) {
    IrFunc *callee = g->m->funcs[i->callee];
    BinaryenExpressionRef *a = arena_alloc(g->arena, sizeof *a * (size_t)(4 * i->nargs + 1));
    int n = 0;
    for (int k = 0; k < i->nargs; k++) {
        if (wb_is_scalar(callee->params[k].type))
            n += push_val(g, a + n, i->args[k]);
        else
            a[n++] = wb_ref(g, i->args[k]);
    }
    char name[32];
    snprintf(name, sizeof name, "fn%d", i->callee);
    wb_emit(g, BinaryenIf(M, wb_call(g, name, a, n, I32), ret_status(g, 1), NULL));
    if (i->type && i->type->kind != IRT_VOID && g->local_of[i->id] >= 0) {
        if (wb_is_scalar(i->type))
            set_from_r(g, g->local_of[i->id]);
        else
            wb_emit(g, set(g, g->local_of[i->id], BinaryenGlobalGet(M, "rref", I32)));
    }
}

/* ---------------- instructions and blocks ---------------- */
static void emit_instr(WbGen *g, IrInstr *i) {
    if (i->flags & IR_F_GHOST)
        return;
    if ((ir_op_info[i->op].flags & OPF_CHECK) && (i->flags & IR_F_PROVEN))
        return;
    switch (i->op) {
    case IR_PARAM: case IR_CONST: case IR_PHI: case IR_STR:
        return;
    case IR_SELECT: {
        int l = g->local_of[i->id];
        BinaryenExpressionRef c = truth(g, i->args[0]);
        if (wb_is_scalar(i->type)) {
            for (int k = 0; k < 4; k++)
                wb_emit(g, set(g, l + k, BinaryenSelect(M, k ? truth(g, i->args[0]) : c,
                                                         wb_limb(g, i->args[1], k), wb_limb(g, i->args[2], k), I64)));
        } else {
            wb_emit(g, set(g, l, BinaryenSelect(M, c, wb_ref(g, i->args[1]), wb_ref(g, i->args[2]), I32)));
        }
        return;
    }
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_MOD: case IR_NEG:
    case IR_AND: case IR_OR: case IR_XOR: case IR_NOT: case IR_SHL: case IR_SHR:
        emit_arith(g, i);
        return;
    case IR_EQ: case IR_NE: case IR_LT: case IR_LE: case IR_GT: case IR_GE:
        emit_compare(g, i);
        return;
    case IR_CAST: emit_cast(g, i); return;
    case IR_KECCAK: emit_keccak(g, i); return;
    case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_NEG: case IR_CHECK_DIV:
    case IR_CHECK_CAST: case IR_CHECK_BOUNDS: case IR_CHECK_EMPTY: case IR_ASSERT:
        emit_check(g, i);
        return;
    case IR_SLOAD: case IR_SSTORE: case IR_SLEN: case IR_SSETLEN:
        emit_storage(g, i);
        return;
    case IR_ALLOCA:
        wb_emit(g, set(g, g->local_of[i->id], alloc(g, wb_i32(g, (int32_t)wb_mem_size(g, i->alloc_type)))));
        return;
    case IR_MLOAD: case IR_MSTORE: case IR_MLEN: case IR_MSETLEN:
        emit_memory(g, i);
        return;
    case IR_WIDEN:
        wb_emit(g, set(g, g->local_of[i->id], wb_ref(g, i->args[0])));
        return;
    case IR_ENV: emit_env(g, i); return;
    case IR_BALANCE: emit_balance(g, i); return;
    case IR_CALL: emit_call(g, i); return;
    case IR_XCALL: wb_emit_xcall(g, i); return;
    case IR_SEND: emit_send(g, i); return;
    case IR_EMIT: wb_emit_event(g, i); return;
    case IR_RET:
        if (i->nargs) {
            IrInstr *v = i->args[0];
            if (wb_is_scalar(v->type))
                for (int k = 0; k < 4; k++)
                    wb_emit(g, BinaryenGlobalSet(M, rnames[k], wb_limb(g, v, k)));
            else
                wb_emit(g, BinaryenGlobalSet(M, "rref", wb_ref(g, v)));
        }
        wb_emit(g, ret_status(g, 0));
        return;
    case IR_REVERT: wb_emit_revert_error(g, i); return;
    case IR_REVERT_MSG: wb_emit_revert_msg(g, i); return;
    case IR_REVERT_PLAIN: {
        BinaryenExpressionRef a[2] = {wb_i32(g, 0), wb_i32(g, 0)};
        call_void(g, "write_result", a, 2);
        wb_emit(g, ret_status(g, 1));
        return;
    }
    case IR_UNREACHABLE:
        wb_emit(g, BinaryenUnreachable(M));
        return;
    case IR_JMP: case IR_BR:
        return;
    default:
        wb_fail(g, i->span, ir_op_info[i->op].name);
        return;
    }
}

void wb_note_span(WbGen *g, int mark, Span sp) {
    if (!sp.file || !g->m->srcs)
        return;
    for (int k = mark; k < g->ncode; k++) {
        if (g->nlocs == g->caplocs) {
            int cap = g->caplocs ? 2 * g->caplocs : 256;
            BinaryenExpressionRef *e = arena_alloc(g->arena, sizeof *e * (size_t)cap);
            Span *s = arena_alloc(g->arena, sizeof *s * (size_t)cap);
            if (g->nlocs) {
                memcpy(e, g->loc_expr, sizeof *e * (size_t)g->nlocs);
                memcpy(s, g->loc_span, sizeof *s * (size_t)g->nlocs);
            }
            g->loc_expr = e, g->loc_span = s, g->caplocs = cap;
        }
        g->loc_expr[g->nlocs] = g->code[k];
        g->loc_span[g->nlocs++] = sp;
    }
}

void wb_apply_spans(WbGen *g, BinaryenFunctionRef fn) {
    for (int k = 0; k < g->nlocs; k++) {
        Span sp = g->loc_span[k];
        SrcFile *sf = src_get(g->m->srcs, sp.file);
        if (!sf || sp.file >= g->nfiles)
            continue;
        if (!g->file_index[sp.file])
            g->file_index[sp.file] = BinaryenModuleAddDebugInfoFileName(M, sf->path) + 1;
        uint32_t line, col;
        src_line_col(sf, sp.start, &line, &col);
        BinaryenFunctionSetDebugLocation(fn, g->loc_expr[k], g->file_index[sp.file] - 1, line, col ? col - 1 : 0);
    }
    g->nlocs = 0;
}

/* Edge code from `from` into `to`: each phi's incoming locals get its operand. */
static BinaryenExpressionRef edge_code(WbGen *g, IrBlock *from, IrBlock *to) {
    int mark = g->ncode;
    for (IrInstr *p = to->first; p && p->op == IR_PHI; p = p->next) {
        for (int k = 0; k < p->nargs; k++) {
            if (p->phi_blocks[k] != from)
                continue;
            int in = g->phi_in[p->id];
            if (wb_is_scalar(p->type))
                for (int q = 0; q < 4; q++)
                    wb_emit(g, set(g, in + q, wb_limb(g, p->args[k], q)));
            else
                wb_emit(g, set(g, in, wb_ref(g, p->args[k])));
            break;
        }
    }
    int n = g->ncode - mark;
    g->ncode = mark;
    if (!n)
        return NULL;
    return BinaryenBlock(M, NULL, g->code + mark, (BinaryenIndex)n, NONE);
}

static bool has_value(IrInstr *i) {
    return (ir_op_info[i->op].flags & OPF_RESULT) && i->type && i->type->kind != IRT_VOID;
}

static void compile_func(WbGen *g, int fi) {
    IrFunc *f = g->m->funcs[fi];
    g->f = f, g->fi = fi;
    g->nvars = 0, g->ncode = 0, g->nlocs = 0;
    /* wasm parameters: four i64 per scalar, one i32 per ref */
    int np = 0;
    for (int k = 0; k < f->nparams; k++)
        np += wb_is_scalar(f->params[k].type) ? 4 : 1;
    BinaryenType *pt = arena_alloc(g->arena, sizeof *pt * (size_t)(np + 1));
    int *param_local = arena_alloc(g->arena, sizeof(int) * (size_t)(f->nparams + 1));
    np = 0;
    for (int k = 0; k < f->nparams; k++) {
        param_local[k] = np;
        if (wb_is_scalar(f->params[k].type))
            for (int q = 0; q < 4; q++)
                pt[np++] = I64;
        else
            pt[np++] = I32;
    }
    g->nparams_wasm = np;
    int nids = f->ninstrs + 1;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            if (i->id >= nids)
                nids = i->id + 1;
    g->local_of = arena_alloc(g->arena, sizeof(int) * (size_t)nids);
    g->phi_in = arena_alloc(g->arena, sizeof(int) * (size_t)nids);
    for (int k = 0; k < nids; k++)
        g->local_of[k] = g->phi_in[k] = -1;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next) {
            if (!has_value(i) || i->op == IR_CONST || i->op == IR_STR)
                continue;
            if (i->op == IR_PARAM) {
                g->local_of[i->id] = param_local[i->imm->w[0]];
                continue;
            }
            bool sc = wb_is_scalar(i->type);
            g->local_of[i->id] = sc ? wb_new_scalar(g) : wb_new_local(g, I32);
            if (i->op == IR_PHI)
                g->phi_in[i->id] = sc ? wb_new_scalar(g) : wb_new_local(g, I32);
        }
    g->tmp64 = wb_new_scalar(g);
    wb_new_scalar(g);
    g->tmp32 = wb_new_local(g, I32);
    for (int k = 1; k < 8; k++)
        wb_new_local(g, I32);
    g->label_helper = wb_new_local(g, I32);

    RelooperRef rl = RelooperCreate(M);
    RelooperBlockRef *rb = arena_alloc(g->arena, sizeof *rb * (size_t)(f->nblocks + 1));
    int nb = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        nb = b->id + 1 > nb ? b->id + 1 : nb;
    rb = arena_alloc(g->arena, sizeof *rb * (size_t)(nb + 1));
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        g->ncode = 0;
        for (IrInstr *i = b->first; i; i = i->next) {
            if (i->op == IR_PHI) {
                int l = g->local_of[i->id], in = g->phi_in[i->id];
                int w = wb_is_scalar(i->type) ? 4 : 1;
                for (int q = 0; q < w; q++)
                    wb_emit(g, set(g, l + q, w == 4 ? wb_get64(g, in + q) : wb_get32(g, in)));
                continue;
            }
            int mark = g->ncode;
            emit_instr(g, i);
            wb_note_span(g, mark, i->span);
        }
        if (!g->ncode)
            wb_emit(g, BinaryenNop(M));
        BinaryenExpressionRef code = BinaryenBlock(M, NULL, g->code, (BinaryenIndex)g->ncode, NONE);
        rb[b->id] = RelooperAddBlock(rl, code);
    }
    g->ncode = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *t = b->last;
        if (!t)
            continue;
        if (t->op == IR_JMP) {
            RelooperAddBranch(rb[b->id], rb[t->targets[0]->id], NULL, edge_code(g, b, t->targets[0]));
        } else if (t->op == IR_BR) {
            IrBlock *x = t->targets[0], *y = t->targets[1];
            if (x == y) {
                RelooperAddBranch(rb[b->id], rb[x->id], NULL, edge_code(g, b, x));
            } else {
                RelooperAddBranch(rb[b->id], rb[x->id], truth(g, t->args[0]), edge_code(g, b, x));
                RelooperAddBranch(rb[b->id], rb[y->id], NULL, edge_code(g, b, y));
            }
        }
    }
    BinaryenExpressionRef body = RelooperRenderAndDispose(rl, rb[f->entry->id], (BinaryenIndex)g->label_helper);
    BinaryenExpressionRef whole[2] = {body, BinaryenUnreachable(M)};
    body = BinaryenBlock(M, NULL, whole, 2, I32);
    if (g->nvars + np > WB_MAX_LOCALS) {
        diag_error(g->diags, f->span, "too many locals in function '%s' for wasm (%d; the limit is %d)", f->name,
                   g->nvars + np, WB_MAX_LOCALS);
        g->ok = false;
        return;
    }
    char name[32];
    snprintf(name, sizeof name, "fn%d", fi);
    wb_apply_spans(g, BinaryenAddFunction(M, name, BinaryenTypeCreate(pt, (BinaryenIndex)np), I32, g->vars,
                                          (BinaryenIndex)g->nvars, body));
}

void wb_compile_funcs(WbGen *g) {
    for (int fi = 0; fi < g->m->nfuncs && g->ok; fi++)
        compile_func(g, fi);
}
