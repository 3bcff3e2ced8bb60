/* abi.c — the Solidity ABI at the contract's edges, byte for byte as the EVM backend
 * does it: user_entrypoint and the selector dispatch, calldata decoding with solc's
 * validation, return data, events (topics then data, as Stylus' emit_log takes them),
 * custom errors, Error(string), and the calldata of external calls. */
#include <string.h>

#include "internal.h"

#define M (g->mod)
#define I64 BinaryenTypeInt64()
#define I32 BinaryenTypeInt32()
#define NONE BinaryenTypeNone()

/* A value to encode: an SSA value, or a scalar/ref held in locals. */
typedef struct Enc {
    IrType *t;
    IrInstr *v;
    int local;
} Enc;

static BinaryenExpressionRef bin(WbGen *g, BinaryenOp op, BinaryenExpressionRef a, BinaryenExpressionRef b) {
    return BinaryenBinary(M, op, a, b);
}
static BinaryenExpressionRef set(WbGen *g, int l, BinaryenExpressionRef e) {
    return BinaryenLocalSet(M, (BinaryenIndex)l, e);
}
static BinaryenExpressionRef add32(WbGen *g, BinaryenExpressionRef a, int32_t k) {
    return k ? bin(g, BinaryenAddInt32(), a, wb_i32(g, k)) : a;
}
static void call_void(WbGen *g, const char *fn, BinaryenExpressionRef *args, int n) {
    wb_emit(g, wb_call(g, fn, args, n, NONE));
}
static BinaryenExpressionRef enc_limb(WbGen *g, const Enc *e, int k) {
    return e->v ? wb_limb(g, e->v, k) : wb_get64(g, e->local + k);
}
static BinaryenExpressionRef enc_ref(WbGen *g, const Enc *e) {
    return e->v ? wb_ref(g, e->v) : wb_get32(g, e->local);
}
static BinaryenExpressionRef add64c(WbGen *g, int l, int64_t k) {
    return BinaryenBinary(M, BinaryenAddInt64(), wb_get64(g, l), wb_i64(g, k));
}
static BinaryenExpressionRef alloc(WbGen *g, BinaryenExpressionRef n) {
    return wb_call(g, "alloc", &n, 1, I32);
}
static BinaryenExpressionRef ret1(WbGen *g) { return BinaryenReturn(M, wb_i32(g, 1)); }

/* Stores raw bytes at dst + off (constants, e.g. topic0 and selectors). */
static void store_bytes(WbGen *g, BinaryenExpressionRef dst, uint32_t off, const uint8_t *b, uint32_t n) {
    for (uint32_t k = 0; k < n;) {
        if (n - k >= 8) {
            uint64_t x = 0;
            for (int q = 7; q >= 0; q--)
                x = x << 8 | b[k + (uint32_t)q];
            wb_emit(g, BinaryenStore(M, 8, off + k, 1, dst, wb_i64(g, (int64_t)x), I64));
            k += 8;
        } else {
            wb_emit(g, BinaryenStore(M, 1, off + k, 1, dst, wb_i32(g, b[k]), I32));
            k++;
        }
        dst = BinaryenExpressionCopy(dst, M);
    }
}

static bool is_bytes_short(const IrType *t) { return t->kind == IRT_BYTES && t->bits < 256; }

/* store_be(dst, word of the scalar) with bytesN left-aligned as the ABI wants */
static void store_word(WbGen *g, BinaryenExpressionRef dst, IrType *t, BinaryenExpressionRef *limbs) {
    t = wb_strip(t);
    BinaryenExpressionRef a[5];
    if (is_bytes_short(t)) {
        for (int k = 0; k < 4; k++)
            a[k] = limbs[k];
        a[4] = wb_i32(g, 256 - t->bits);
        call_void(g, "shl", a, 5);
        for (int k = 0; k < 4; k++)
            limbs[k] = wb_r(g, k);
    }
    a[0] = dst;
    for (int k = 0; k < 4; k++)
        a[1 + k] = limbs[k];
    call_void(g, "store_be", a, 5);
}

static bool is_static(WbGen *g, IrType *t) {
    t = wb_strip(t);
    if (wb_is_scalar(t))
        return true;
    if (t->kind == IRT_ARRAY)
        return is_static(g, t->elem);
    if (t->kind == IRT_STRUCT) {
        IrStruct *s = &g->m->structs[t->struct_index];
        for (int k = 0; k < s->nfields; k++)
            if (!is_static(g, s->fields[k].type))
                return false;
        return true;
    }
    return false;
}

static uint32_t static_words(WbGen *g, IrType *t) {
    t = wb_strip(t);
    if (wb_is_scalar(t))
        return 1;
    if (t->kind == IRT_ARRAY)
        return t->len * static_words(g, t->elem);
    uint32_t n = 0;
    IrStruct *s = &g->m->structs[t->struct_index];
    for (int k = 0; k < s->nfields; k++)
        n += static_words(g, s->fields[k].type);
    return n;
}

static bool encodable(WbGen *g, IrType *t) {
    t = wb_strip(t);
    return is_static(g, t) || t->kind == IRT_STRING ||
           (t->kind == IRT_LIST && wb_is_scalar(t->elem));
}

/* A static aggregate's image at local src written as words at dst (local) + off. */
static void enc_static_image(WbGen *g, IrType *t, int src, uint32_t soff, int dst, uint32_t doff) {
    t = wb_strip(t);
    if (wb_is_scalar(t)) {
        BinaryenExpressionRef a[1] = {add32(g, wb_get32(g, src), (int32_t)soff)}, limbs[4];
        call_void(g, "load_le", a, 1);
        for (int k = 0; k < 4; k++)
            limbs[k] = wb_r(g, k);
        store_word(g, add32(g, wb_get32(g, dst), (int32_t)doff), t, limbs);
        return;
    }
    if (t->kind == IRT_ARRAY) {
        uint32_t es = wb_mem_size(g, t->elem), ew = static_words(g, t->elem);
        for (uint32_t k = 0; k < t->len; k++)
            enc_static_image(g, t->elem, src, soff + k * es, dst, doff + 32 * k * ew);
        return;
    }
    IrStruct *s = &g->m->structs[t->struct_index];
    uint32_t so = soff, dw = doff;
    for (int k = 0; k < s->nfields; k++) {
        enc_static_image(g, s->fields[k].type, src, so, dst, dw);
        so += wb_mem_size(g, s->fields[k].type);
        dw += 32 * static_words(g, s->fields[k].type);
    }
}

/* ---------------- the general encoder: nested dynamic types ---------------- */
/* Every Writ type is bounded, so its encoding has a bound: the buffer is allocated at
 * that size and the encoders below return the size actually written. */
static uint64_t max_enc(WbGen *g, IrType *t) {
    t = wb_strip(t);
    if (is_static(g, t))
        return 32ull * static_words(g, t);
    if (t->kind == IRT_STRING)
        return 32 + (t->len + 31ull) / 32 * 32;
    if (t->kind == IRT_LIST || t->kind == IRT_ARRAY) {
        uint64_t e = is_static(g, t->elem) ? 32ull * static_words(g, t->elem) : 32 + max_enc(g, t->elem);
        return (t->kind == IRT_LIST ? 32 : 0) + t->len * e;
    }
    uint64_t n = 0;
    IrStruct *st = &g->m->structs[t->struct_index];
    for (int k = 0; k < st->nfields; k++)
        n += is_static(g, st->fields[k].type) ? 32ull * static_words(g, st->fields[k].type) : 32 + max_enc(g, st->fields[k].type);
    return n;
}

static int enc_dyn(WbGen *g, IrType *t, int src, int dst);

/* One member of a tuple: its image at local src, its head at local dst + h (a word when
 * dynamic, then the tail at tuple + *tail, which advances). */
static void enc_member(WbGen *g, IrType *t, int src, int tuple, BinaryenExpressionRef head, int tail) {
    if (is_static(g, t)) {
        int d = wb_new_local(g, I32);
        wb_emit(g, set(g, d, head));
        enc_static_image(g, t, src, 0, d, 0);
        return;
    }
    BinaryenExpressionRef a[5] = {head, BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, tail)),
                                  wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
    call_void(g, "store_be", a, 5);
    int d = wb_new_local(g, I32);
    wb_emit(g, set(g, d, bin(g, BinaryenAddInt32(), wb_get32(g, tuple), wb_get32(g, tail))));
    int sz = enc_dyn(g, t, src, d);
    wb_emit(g, set(g, tail, bin(g, BinaryenAddInt32(), wb_get32(g, tail), wb_get32(g, sz))));
}

/* Encodes the dynamic value whose image is at local src into local dst; returns the
 * local holding the bytes written. */
static int enc_dyn(WbGen *g, IrType *t, int src, int dst) {
    t = wb_strip(t);
    int size = wb_new_local(g, I32);
    if (t->kind == IRT_STRING) {
        int len = wb_new_local(g, I32);
        wb_emit(g, set(g, len, BinaryenLoad(M, 4, false, 0, 0, I32, wb_get32(g, src))));
        BinaryenExpressionRef a[5] = {wb_get32(g, dst), BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, len)),
                                      wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
        call_void(g, "store_be", a, 5);
        BinaryenExpressionRef c[3] = {add32(g, wb_get32(g, dst), 32), add32(g, wb_get32(g, src), 32), wb_get32(g, len)};
        call_void(g, "memcpy", c, 3);
        wb_emit(g, set(g, size, bin(g, BinaryenAndInt32(), add32(g, wb_get32(g, len), 63), wb_i32(g, -32))));
        return size;
    }
    int tuple = wb_new_local(g, I32), tail = wb_new_local(g, I32);
    if (t->kind == IRT_STRUCT) {
        IrStruct *st = &g->m->structs[t->struct_index];
        uint32_t head = 0;
        for (int k = 0; k < st->nfields; k++)
            head += is_static(g, st->fields[k].type) ? 32 * static_words(g, st->fields[k].type) : 32;
        wb_emit(g, set(g, tuple, wb_get32(g, dst)));
        wb_emit(g, set(g, tail, wb_i32(g, (int32_t)head)));
        uint32_t h = 0, off = 0;
        int fs = wb_new_local(g, I32);
        for (int k = 0; k < st->nfields; k++) {
            IrType *ft = st->fields[k].type;
            wb_emit(g, set(g, fs, add32(g, wb_get32(g, src), (int32_t)off)));
            enc_member(g, ft, fs, tuple, add32(g, wb_get32(g, tuple), (int32_t)h), tail);
            h += is_static(g, ft) ? 32 * static_words(g, ft) : 32;
            off += wb_mem_size(g, ft);
        }
        wb_emit(g, set(g, size, wb_get32(g, tail)));
        return size;
    }
    /* arrays and lists: n elements, a list's length word first */
    bool list = t->kind == IRT_LIST;
    int n = wb_new_local(g, I32), body = wb_new_local(g, I32), iv = wb_new_local(g, I32), es = wb_new_local(g, I32);
    IrType *et = t->elem;
    uint32_t esize = wb_mem_size(g, et), ehead = is_static(g, et) ? 32 * static_words(g, et) : 32;
    if (list) {
        wb_emit(g, set(g, n, BinaryenLoad(M, 4, false, 0, 0, I32, wb_get32(g, src))));
        BinaryenExpressionRef a[5] = {wb_get32(g, dst), BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, n)),
                                      wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
        call_void(g, "store_be", a, 5);
    } else {
        wb_emit(g, set(g, n, wb_i32(g, (int32_t)t->len)));
    }
    wb_emit(g, set(g, tuple, add32(g, wb_get32(g, dst), list ? 32 : 0)));
    wb_emit(g, set(g, body, add32(g, wb_get32(g, src), list ? 32 : 0)));
    wb_emit(g, set(g, tail, bin(g, BinaryenMulInt32(), wb_get32(g, n), wb_i32(g, (int32_t)ehead))));
    int mark = g->ncode;
    wb_emit(g, set(g, es, bin(g, BinaryenAddInt32(), wb_get32(g, body),
                              bin(g, BinaryenMulInt32(), wb_get32(g, iv), wb_i32(g, (int32_t)esize)))));
    BinaryenExpressionRef head = bin(g, BinaryenAddInt32(), wb_get32(g, tuple),
                                     bin(g, BinaryenMulInt32(), wb_get32(g, iv), wb_i32(g, (int32_t)ehead)));
    if (wb_is_scalar(et)) {
        BinaryenExpressionRef a[1] = {wb_get32(g, es)}, limbs[4];
        call_void(g, "load_le", a, 1);
        for (int q = 0; q < 4; q++)
            limbs[q] = wb_r(g, q);
        store_word(g, head, et, limbs);
    } else {
        enc_member(g, et, es, tuple, head, tail);
    }
    wb_loop(g, mark, iv, wb_get32(g, n));
    wb_emit(g, set(g, size, add32(g, wb_get32(g, tail), list ? 32 : 0)));
    return size;
}

/* One value-type ABI word, from the value's four limbs, at addr. */
static void store_scalar(WbGen *g, const Enc *v, BinaryenExpressionRef addr) {
    BinaryenExpressionRef limbs[4];
    for (int q = 0; q < 4; q++)
        limbs[q] = enc_limb(g, v, q);
    store_word(g, addr, wb_strip(v->t), limbs);
}

/* The general path of encode(): any bounded type, into a buffer of the bound's size. */
static void encode_general(WbGen *g, const Enc *vals, int n, uint32_t prefix, int out_ptr, int out_size) {
    uint64_t bound = prefix;
    uint32_t head = 0;
    for (int k = 0; k < n; k++) {
        bool st = is_static(g, vals[k].t);
        head += st ? 32 * static_words(g, vals[k].t) : 32;
        bound += st ? 32ull * static_words(g, vals[k].t) : 32 + max_enc(g, vals[k].t);
    }
    if (bound > (1u << 24)) {
        wb_fail(g, g->f ? g->f->span : (Span){0}, "an ABI encoding over 16 MiB");
        return;
    }
    wb_emit(g, set(g, out_ptr, alloc(g, wb_i32(g, (int32_t)bound))));
    int tuple = wb_new_local(g, I32), tail = wb_new_local(g, I32), src = wb_new_local(g, I32);
    wb_emit(g, set(g, tuple, add32(g, wb_get32(g, out_ptr), (int32_t)prefix)));
    wb_emit(g, set(g, tail, wb_i32(g, (int32_t)head)));
    uint32_t h = 0;
    for (int k = 0; k < n; k++) {
        IrType *t = wb_strip(vals[k].t);
        if (wb_is_scalar(t)) {
            store_scalar(g, &vals[k], add32(g, wb_get32(g, tuple), (int32_t)h));
            h += 32;
            continue;
        }
        wb_emit(g, set(g, src, enc_ref(g, &vals[k])));
        enc_member(g, t, src, tuple, add32(g, wb_get32(g, tuple), (int32_t)h), tail);
        h += is_static(g, t) ? 32 * static_words(g, t) : 32;
    }
    wb_emit(g, set(g, out_size, add32(g, wb_get32(g, tail), (int32_t)prefix)));
}

/* Encodes vals after `prefix` bytes of a fresh buffer: out_ptr, out_size (locals). The
 * common shapes (value types, strings, lists of value types, static aggregates) size the
 * buffer exactly; nested dynamic types take the general path. */
static void encode(WbGen *g, const Enc *vals, int n, uint32_t prefix, int out_ptr, int out_size) {
    uint32_t head = 0;
    for (int k = 0; k < n; k++) {
        if (!encodable(g, vals[k].t)) {
            encode_general(g, vals, n, prefix, out_ptr, out_size);
            return;
        }
        head += 32 * (is_static(g, vals[k].t) ? static_words(g, vals[k].t) : 1);
    }
    BinaryenExpressionRef size = wb_i32(g, (int32_t)(prefix + head));
    for (int k = 0; k < n; k++) {
        IrType *t = wb_strip(vals[k].t);
        if (is_static(g, t))
            continue;
        BinaryenExpressionRef len = BinaryenLoad(M, 4, false, 0, 0, I32, enc_ref(g, &vals[k]));
        BinaryenExpressionRef body = t->kind == IRT_STRING
            ? bin(g, BinaryenAndInt32(), add32(g, len, 31), wb_i32(g, -32))
            : bin(g, BinaryenShlInt32(), len, wb_i32(g, 5));
        size = bin(g, BinaryenAddInt32(), size, add32(g, body, 32));
    }
    wb_emit(g, set(g, out_size, size));
    wb_emit(g, set(g, out_ptr, alloc(g, wb_get32(g, out_size))));
    int base = wb_new_local(g, I32), tail = wb_new_local(g, I32), src = wb_new_local(g, I32);
    wb_emit(g, set(g, base, add32(g, wb_get32(g, out_ptr), (int32_t)prefix)));
    wb_emit(g, set(g, tail, wb_i32(g, (int32_t)head)));
    uint32_t h = 0;
    for (int k = 0; k < n; k++) {
        IrType *t = wb_strip(vals[k].t);
        if (wb_is_scalar(t)) {
            store_scalar(g, &vals[k], add32(g, wb_get32(g, base), (int32_t)h));
            h += 32;
            continue;
        }
        wb_emit(g, set(g, src, enc_ref(g, &vals[k])));
        if (is_static(g, t)) {
            enc_static_image(g, t, src, 0, base, h);
            h += 32 * static_words(g, t);
            continue;
        }
        /* offset word, then the tail: length, then the bytes or the element words */
        BinaryenExpressionRef a[5] = {add32(g, wb_get32(g, base), (int32_t)h),
                                      BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, tail)),
                                      wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
        call_void(g, "store_be", a, 5);
        h += 32;
        int dst = wb_new_local(g, I32), len = wb_new_local(g, I32);
        wb_emit(g, set(g, dst, bin(g, BinaryenAddInt32(), wb_get32(g, base), wb_get32(g, tail))));
        wb_emit(g, set(g, len, BinaryenLoad(M, 4, false, 0, 0, I32, wb_get32(g, src))));
        BinaryenExpressionRef b[5] = {wb_get32(g, dst), BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, len)),
                                      wb_i64(g, 0), wb_i64(g, 0), wb_i64(g, 0)};
        call_void(g, "store_be", b, 5);
        if (t->kind == IRT_STRING) {
            BinaryenExpressionRef c[3] = {add32(g, wb_get32(g, dst), 32), add32(g, wb_get32(g, src), 32), wb_get32(g, len)};
            call_void(g, "memcpy", c, 3);
            wb_emit(g, set(g, tail, bin(g, BinaryenAddInt32(), wb_get32(g, tail),
                                        bin(g, BinaryenAndInt32(), add32(g, wb_get32(g, len), 63), wb_i32(g, -32)))));
        } else {
            int iv = wb_new_local(g, I32), ep = wb_new_local(g, I32);
            int mark = g->ncode;
            wb_emit(g, set(g, ep, bin(g, BinaryenShlInt32(), wb_get32(g, iv), wb_i32(g, 5))));
            BinaryenExpressionRef c[1] = {bin(g, BinaryenAddInt32(), add32(g, wb_get32(g, src), 32), wb_get32(g, ep))}, limbs[4];
            call_void(g, "load_le", c, 1);
            for (int q = 0; q < 4; q++)
                limbs[q] = wb_r(g, q);
            store_word(g, bin(g, BinaryenAddInt32(), add32(g, wb_get32(g, dst), 32), wb_get32(g, ep)), t->elem, limbs);
            wb_loop(g, mark, iv, wb_get32(g, len));
            wb_emit(g, set(g, tail, bin(g, BinaryenAddInt32(), wb_get32(g, tail),
                                        add32(g, bin(g, BinaryenShlInt32(), wb_get32(g, len), wb_i32(g, 5)), 32))));
        }
    }
}

static Enc *enc_args(WbGen *g, IrInstr **args, IrField *fields, int n) {
    Enc *e = arena_alloc(g->arena, sizeof *e * (size_t)(n + 1));
    for (int k = 0; k < n; k++)
        e[k] = (Enc){fields ? fields[k].type : args[k]->type, args[k], -1};
    return e;
}

void wb_encode(WbGen *g, IrInstr **vals, IrType **types, int n, uint32_t prefix, int out_ptr, int out_size) {
    Enc *e = enc_args(g, vals, NULL, n);
    for (int k = 0; k < n; k++)
        e[k].t = types[k];
    encode(g, e, n, prefix, out_ptr, out_size);
}

void wb_emit_event(WbGen *g, IrInstr *i) {
    IrEvent *ev = &g->m->events[i->event];
    int ntopics = 1, ndata = 0;
    Enc *data = arena_alloc(g->arena, sizeof *data * (size_t)(ev->nfields + 1));
    for (int k = 0; k < ev->nfields; k++) {
        if (ev->fields[k].indexed)
            ntopics++;
        else
            data[ndata++] = (Enc){ev->fields[k].type, i->args[k], -1};
    }
    int p = wb_new_local(g, I32), n = wb_new_local(g, I32);
    encode(g, data, ndata, 32u * (uint32_t)ntopics, p, n);
    store_bytes(g, wb_get32(g, p), 0, ev->topic0, 32);
    int tk = 1;
    for (int k = 0; k < ev->nfields; k++) {
        if (!ev->fields[k].indexed)
            continue;
        IrType *t = wb_strip(ev->fields[k].type);
        BinaryenExpressionRef dst = add32(g, wb_get32(g, p), 32 * tk++);
        if (wb_is_scalar(t)) {
            BinaryenExpressionRef limbs[4];
            for (int q = 0; q < 4; q++)
                limbs[q] = wb_limb(g, i->args[k], q);
            store_word(g, dst, t, limbs);
        } else if (t->kind == IRT_STRING) {
            BinaryenExpressionRef a[3] = {add32(g, wb_ref(g, i->args[k]), 32),
                                          BinaryenLoad(M, 4, false, 0, 0, I32, wb_ref(g, i->args[k])), dst};
            call_void(g, "native_keccak256", a, 3);
        } else {
            wb_fail(g, i->span, "an indexed event field of this type");
        }
    }
    BinaryenExpressionRef a[3] = {wb_get32(g, p), wb_get32(g, n), wb_i32(g, ntopics)};
    call_void(g, "emit_log", a, 3);
}

static void revert_with(WbGen *g, int p, int n) {
    BinaryenExpressionRef a[2] = {wb_get32(g, p), wb_get32(g, n)};
    call_void(g, "write_result", a, 2);
    wb_emit(g, ret1(g));
}

void wb_emit_revert_error(WbGen *g, IrInstr *i) {
    IrEvent *er = &g->m->errors[i->error];
    int p = wb_new_local(g, I32), n = wb_new_local(g, I32);
    encode(g, enc_args(g, i->args, er->fields, er->nfields), er->nfields, 4, p, n);
    store_bytes(g, wb_get32(g, p), 0, er->topic0, 4);
    revert_with(g, p, n);
}

void wb_emit_revert_msg(WbGen *g, IrInstr *i) {
    static const uint8_t sel[4] = {0x08, 0xc3, 0x79, 0xa0};
    int p = wb_new_local(g, I32), n = wb_new_local(g, I32);
    Enc e = {i->args[0]->type, i->args[0], -1};
    encode(g, &e, 1, 4, p, n);
    store_bytes(g, wb_get32(g, p), 0, sel, 4);
    revert_with(g, p, n);
}

/* ---------------- decoding ---------------- */
/* Reverts (empty data) unless the word in r0..r3 is clean for t; then leaves the value
 * (bytesN shifted down) in locals dst. */
static void validate_word(WbGen *g, IrType *t, int dst) {
    t = wb_strip(t);
    BinaryenExpressionRef a[6];
    for (int k = 0; k < 4; k++)
        wb_emit(g, set(g, dst + k, wb_r(g, k)));
    bool full = (t->kind == IRT_INT || t->kind == IRT_BYTES) && t->bits == 256;
    if (full)
        return;
    if (is_bytes_short(t)) {
        for (int k = 0; k < 4; k++)
            a[k] = wb_get64(g, dst + k);
        a[4] = wb_i32(g, t->bits);
        call_void(g, "shl", a, 5);
        BinaryenExpressionRef nz = bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_r(g, 0), wb_r(g, 1)),
                                       bin(g, BinaryenOrInt64(), wb_r(g, 2), wb_r(g, 3)));
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenNeInt64(), nz, wb_i64(g, 0)), ret1(g), NULL));
        for (int k = 0; k < 4; k++)
            a[k] = wb_get64(g, dst + k);
        a[4] = wb_i32(g, 256 - t->bits), a[5] = wb_i32(g, 0);
        call_void(g, "shr", a, 6);
        for (int k = 0; k < 4; k++)
            wb_emit(g, set(g, dst + k, wb_r(g, k)));
        return;
    }
    unsigned bits = t->kind == IRT_BOOL ? 1 : t->kind == IRT_ADDRESS ? 160 : t->bits;
    bool sg = t->kind == IRT_INT && t->is_signed;
    for (int k = 0; k < 4; k++)
        a[k] = wb_get64(g, dst + k);
    a[4] = wb_i32(g, (int32_t)bits), a[5] = wb_i32(g, sg);
    wb_emit(g, BinaryenIf(M, BinaryenUnary(M, BinaryenEqZInt32(), wb_call(g, "fits", a, 6, I32)), ret1(g), NULL));
}

/* Decodes a static aggregate whose words start at local src + off into the image at
 * local dst + doff. */
static void dec_static_image(WbGen *g, IrType *t, int src, uint32_t off, int dst, uint32_t doff, int tmp) {
    t = wb_strip(t);
    if (wb_is_scalar(t)) {
        BinaryenExpressionRef a[5] = {add32(g, wb_get32(g, src), (int32_t)off)};
        call_void(g, "load_be", a, 1);
        validate_word(g, t, tmp);
        a[0] = add32(g, wb_get32(g, dst), (int32_t)doff);
        for (int k = 0; k < 4; k++)
            a[1 + k] = wb_get64(g, tmp + k);
        call_void(g, "store_le", a, 5);
        return;
    }
    if (t->kind == IRT_ARRAY) {
        uint32_t es = wb_mem_size(g, t->elem), ew = static_words(g, t->elem);
        for (uint32_t k = 0; k < t->len; k++)
            dec_static_image(g, t->elem, src, off + 32 * k * ew, dst, doff + k * es, tmp);
        return;
    }
    IrStruct *s = &g->m->structs[t->struct_index];
    for (int k = 0; k < s->nfields; k++) {
        dec_static_image(g, s->fields[k].type, src, off, dst, doff, tmp);
        off += 32 * static_words(g, s->fields[k].type);
        doff += wb_mem_size(g, s->fields[k].type);
    }
}

/* ---- nested dynamic types: a value whose head is at local hpos, in the tuple starting at
 * local tup (offsets are relative to it), data ending at local end, decoded into the image
 * at local img (zeroed), with solc's checks (offsets < 2^64, heads and data inside the
 * data, lengths within the bound, clean words): revert with empty data. */
static void need_small(WbGen *g) {
    BinaryenExpressionRef hi = bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_r(g, 1), wb_r(g, 2)), wb_r(g, 3));
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenNeInt64(), hi, wb_i64(g, 0)), ret1(g), NULL));
}
static void need_within(WbGen *g, BinaryenExpressionRef last64, int end) {
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenGtUInt64(), last64, BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, end))),
                          ret1(g), NULL));
}
static uint32_t head_words(WbGen *g, IrType *t) {
    t = wb_strip(t);
    if (is_static(g, t))
        return static_words(g, t);
    if (t->kind == IRT_ARRAY)
        return t->len;
    if (t->kind != IRT_STRUCT)
        return 1;
    uint32_t n = 0;
    IrStruct *s = &g->m->structs[t->struct_index];
    for (int k = 0; k < s->nfields; k++)
        n += is_static(g, s->fields[k].type) ? static_words(g, s->fields[k].type) : 1;
    return n;
}
static void dec_value(WbGen *g, IrType *t, int tup, int end, int hpos, int img, Span sp) {
    t = wb_strip(t);
    if (is_static(g, t)) {
        if (wb_is_scalar(t)) {
            int tmp = wb_new_scalar(g);
            BinaryenExpressionRef a[5] = {wb_get32(g, hpos)};
            call_void(g, "load_be", a, 1);
            validate_word(g, t, tmp);
            a[0] = wb_get32(g, img);
            for (int k = 0; k < 4; k++)
                a[1 + k] = wb_get64(g, tmp + k);
            call_void(g, "store_le", a, 5);
        } else {
            dec_static_image(g, t, hpos, 0, img, 0, wb_new_scalar(g));
        }
        return;
    }
    if (!(t->kind == IRT_STRING || t->kind == IRT_LIST || t->kind == IRT_ARRAY || t->kind == IRT_STRUCT)) {
        wb_fail(g, sp, "ABI decoding of this parameter type");
        return;
    }
    BinaryenExpressionRef a[1] = {wb_get32(g, hpos)};
    call_void(g, "load_be", a, 1);
    need_small(g);
    int ab = wb_new_local(g, I64), p = wb_new_local(g, I32);
    wb_emit(g, set(g, ab, bin(g, BinaryenAddInt64(), BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, tup)), wb_r(g, 0))));
    uint32_t need = t->kind == IRT_STRING || t->kind == IRT_LIST ? 32 : 32 * head_words(g, t);
    need_within(g, bin(g, BinaryenAddInt64(), wb_get64(g, ab), wb_i64(g, need)), end);
    wb_emit(g, set(g, p, BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, ab))));
    if (t->kind == IRT_STRING || t->kind == IRT_LIST) {
        int len = wb_new_local(g, I64);
        a[0] = wb_get32(g, p);
        call_void(g, "load_be", a, 1);
        need_small(g);
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenGtUInt64(), wb_r(g, 0), wb_i64(g, t->len)), ret1(g), NULL));
        wb_emit(g, set(g, len, wb_r(g, 0)));
        wb_emit(g, BinaryenStore(M, 8, 0, 0, wb_get32(g, img), wb_get64(g, len), I64));
        if (t->kind == IRT_STRING) {
            need_within(g, bin(g, BinaryenAddInt64(), add64c(g, ab, 32), wb_get64(g, len)), end);
            BinaryenExpressionRef c[3] = {add32(g, wb_get32(g, img), 32), add32(g, wb_get32(g, p), 32),
                                          BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, len))};
            call_void(g, "memcpy", c, 3);
            return;
        }
        bool st = is_static(g, t->elem);
        uint32_t ew = st ? 32 * static_words(g, t->elem) : 32, es = wb_mem_size(g, t->elem);
        need_within(g, bin(g, BinaryenAddInt64(), add64c(g, ab, 32), bin(g, BinaryenMulInt64(), wb_get64(g, len), wb_i64(g, ew))), end);
        int data = wb_new_local(g, I32), iv = wb_new_local(g, I32), he = wb_new_local(g, I32), ie = wb_new_local(g, I32);
        wb_emit(g, set(g, data, add32(g, wb_get32(g, p), 32)));
        int mark = g->ncode;
        wb_emit(g, set(g, he, bin(g, BinaryenAddInt32(), wb_get32(g, data), bin(g, BinaryenMulInt32(), wb_get32(g, iv), wb_i32(g, (int32_t)ew)))));
        wb_emit(g, set(g, ie, bin(g, BinaryenAddInt32(), add32(g, wb_get32(g, img), 32),
                                  bin(g, BinaryenMulInt32(), wb_get32(g, iv), wb_i32(g, (int32_t)es)))));
        dec_value(g, t->elem, data, end, he, ie, sp);
        wb_loop(g, mark, iv, BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, len)));
        return;
    }
    /* a dynamic struct or array: a tuple at p */
    uint32_t off = 0, doff = 0;
    int n = t->kind == IRT_ARRAY ? (int)t->len : g->m->structs[t->struct_index].nfields;
    for (int k = 0; k < n; k++) {
        IrType *ft = t->kind == IRT_ARRAY ? t->elem : g->m->structs[t->struct_index].fields[k].type;
        int hf = wb_new_local(g, I32), imf = wb_new_local(g, I32);
        wb_emit(g, set(g, hf, add32(g, wb_get32(g, p), (int32_t)off)));
        wb_emit(g, set(g, imf, add32(g, wb_get32(g, img), (int32_t)doff)));
        dec_value(g, ft, p, end, hf, imf, sp);
        off += is_static(g, ft) ? 32 * static_words(g, ft) : 32;
        doff += wb_mem_size(g, ft);
    }
}

/* Decodes parameter word h of the arguments at local base (size local size) into the
 * value locals dst. */
static bool decode_param(WbGen *g, IrType *t, int base, int size, uint32_t h, int dst, Span sp) {
    t = wb_strip(t);
    if (wb_is_scalar(t)) {
        BinaryenExpressionRef a[1] = {add32(g, wb_get32(g, base), (int32_t)h)};
        call_void(g, "load_be", a, 1);
        validate_word(g, t, dst);
        return true;
    }
    if (is_static(g, t)) {
        int tmp = wb_new_scalar(g), src = wb_new_local(g, I32);
        wb_emit(g, set(g, dst, alloc(g, wb_i32(g, (int32_t)wb_mem_size(g, t)))));
        wb_emit(g, set(g, src, add32(g, wb_get32(g, base), (int32_t)h)));
        dec_static_image(g, t, src, 0, dst, 0, tmp);
        return true;
    }
    bool list = t->kind == IRT_LIST;
    if (!(t->kind == IRT_STRING || (list && wb_is_scalar(t->elem)))) {
        int end = wb_new_local(g, I32), hpos = wb_new_local(g, I32);
        wb_emit(g, set(g, end, bin(g, BinaryenAddInt32(), wb_get32(g, base), wb_get32(g, size))));
        wb_emit(g, set(g, hpos, add32(g, wb_get32(g, base), (int32_t)h)));
        wb_emit(g, set(g, dst, alloc(g, wb_i32(g, (int32_t)wb_mem_size(g, t)))));
        dec_value(g, t, base, end, hpos, dst, sp);
        return g->ok;
    }
    /* offset word: < 2^64 and leaving room for the length word */
    int o = wb_new_local(g, I64), len = wb_new_local(g, I64), data = wb_new_local(g, I32);
    BinaryenExpressionRef a[1] = {add32(g, wb_get32(g, base), (int32_t)h)};
    call_void(g, "load_be", a, 1);
    BinaryenExpressionRef hi = bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_r(g, 1), wb_r(g, 2)), wb_r(g, 3));
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenNeInt64(), hi, wb_i64(g, 0)), ret1(g), NULL));
    wb_emit(g, set(g, o, wb_r(g, 0)));
    /* (expressions are trees: each use gets its own node) */
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenGtUInt64(), bin(g, BinaryenAddInt64(), wb_get64(g, o), wb_i64(g, 32)),
                                 BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, size))), ret1(g), NULL));
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenGtUInt64(), wb_get64(g, o), BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, size))),
                          ret1(g), NULL));
    a[0] = bin(g, BinaryenAddInt32(), wb_get32(g, base), BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, o)));
    call_void(g, "load_be", a, 1);
    hi = bin(g, BinaryenOrInt64(), bin(g, BinaryenOrInt64(), wb_r(g, 1), wb_r(g, 2)), wb_r(g, 3));
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenOrInt32(), bin(g, BinaryenNeInt64(), hi, wb_i64(g, 0)),
                                 bin(g, BinaryenGtUInt64(), wb_r(g, 0), wb_i64(g, t->len))), ret1(g), NULL));
    wb_emit(g, set(g, len, wb_r(g, 0)));
    BinaryenExpressionRef body = list ? bin(g, BinaryenShlInt64(), wb_get64(g, len), wb_i64(g, 5)) : wb_get64(g, len);
    BinaryenExpressionRef end = bin(g, BinaryenAddInt64(), bin(g, BinaryenAddInt64(), wb_get64(g, o), wb_i64(g, 32)), body);
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenGtUInt64(), end, BinaryenUnary(M, BinaryenExtendUInt32(), wb_get32(g, size))),
                          ret1(g), NULL));
    wb_emit(g, set(g, dst, alloc(g, wb_i32(g, (int32_t)wb_mem_size(g, t)))));
    wb_emit(g, BinaryenStore(M, 8, 0, 0, wb_get32(g, dst), wb_get64(g, len), I64));
    wb_emit(g, set(g, data, add32(g, bin(g, BinaryenAddInt32(), wb_get32(g, base),
                                          BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, o))), 32)));
    if (!list) {
        BinaryenExpressionRef c[3] = {add32(g, wb_get32(g, dst), 32), wb_get32(g, data),
                                      BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, len))};
        call_void(g, "memcpy", c, 3);
        return true;
    }
    int iv = wb_new_local(g, I32), tmp = wb_new_scalar(g);
    int mark = g->ncode;
    BinaryenExpressionRef ep = bin(g, BinaryenShlInt32(), wb_get32(g, iv), wb_i32(g, 5));
    a[0] = bin(g, BinaryenAddInt32(), wb_get32(g, data), ep);
    call_void(g, "load_be", a, 1);
    validate_word(g, t->elem, tmp);
    BinaryenExpressionRef s[5] = {bin(g, BinaryenAddInt32(), add32(g, wb_get32(g, dst), 32),
                                      bin(g, BinaryenShlInt32(), wb_get32(g, iv), wb_i32(g, 5)))};
    for (int k = 0; k < 4; k++)
        s[1 + k] = wb_get64(g, tmp + k);
    call_void(g, "store_le", s, 5);
    wb_loop(g, mark, iv, BinaryenUnary(M, BinaryenWrapInt64(), wb_get64(g, len)));
    return true;
}

/* ---------------- external calls ---------------- */
void wb_emit_xcall(WbGen *g, IrInstr *i) {
    IrFunc *xf = g->m->ifaces[i->iface].fns[i->xfn];
    int nargs = i->nargs - 2;
    Enc *e = arena_alloc(g->arena, sizeof *e * (size_t)(nargs + 1));
    for (int k = 0; k < nargs; k++)
        e[k] = (Enc){xf->params[k].type, i->args[2 + k], -1};
    int p = wb_new_local(g, I32), n = wb_new_local(g, I32);
    encode(g, e, nargs, 4, p, n);
    uint8_t sel[4] = {(uint8_t)(xf->selector >> 24), (uint8_t)(xf->selector >> 16), (uint8_t)(xf->selector >> 8),
                      (uint8_t)xf->selector};
    store_bytes(g, wb_get32(g, p), 0, sel, 4);
    BinaryenExpressionRef a[5] = {wb_i32(g, WB_SCRATCH_T0)};
    for (int k = 0; k < 4; k++)
        a[1 + k] = wb_limb(g, i->args[0], k);
    call_void(g, "store_be", a, 5);
    a[0] = wb_i32(g, WB_SCRATCH_T1);
    for (int k = 0; k < 4; k++)
        a[1 + k] = wb_limb(g, i->args[1], k);
    call_void(g, "store_be", a, 5);
    BinaryenExpressionRef f[1] = {wb_i32(g, 1)};
    call_void(g, "storage_flush_cache", f, 1);
    BinaryenExpressionRef fail;
    if (xf->flags & IR_FN_VIEW) {
        BinaryenExpressionRef c[5] = {wb_i32(g, WB_SCRATCH_T0 + 12), wb_get32(g, p), wb_get32(g, n), wb_i64(g, -1),
                                      wb_i32(g, WB_SCRATCH_T2)};
        fail = wb_call(g, "static_call_contract", c, 5, I32);
    } else {
        BinaryenExpressionRef c[6] = {wb_i32(g, WB_SCRATCH_T0 + 12), wb_get32(g, p), wb_get32(g, n),
                                      wb_i32(g, WB_SCRATCH_T1), wb_i64(g, -1), wb_i32(g, WB_SCRATCH_T2)};
        fail = wb_call(g, "call_contract", c, 6, I32);
    }
    BinaryenExpressionRef body[2] = {wb_call(g, "bubble", NULL, 0, NONE), ret1(g)};
    wb_emit(g, BinaryenIf(M, fail, BinaryenBlock(M, NULL, body, 2, NONE), NULL));
    IrType *rt = xf->ret ? wb_strip(xf->ret) : NULL;
    if (!rt || rt->kind == IRT_VOID)
        return;
    if (!wb_is_scalar(rt)) {
        /* the whole return data copied to memory, then decoded and validated there as
         * calldata is (short head, offsets, lengths, dirty words: revert empty) */
        int rs = wb_new_local(g, I32), rb = wb_new_local(g, I32);
        uint32_t head = 32 * (is_static(g, rt) ? static_words(g, rt) : 1);
        wb_emit(g, set(g, rs, BinaryenLoad(M, 4, false, 0, 0, I32, wb_i32(g, WB_SCRATCH_T2))));
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenLtUInt32(), wb_get32(g, rs), wb_i32(g, (int32_t)head)), ret1(g), NULL));
        wb_emit(g, set(g, rb, alloc(g, wb_get32(g, rs))));
        BinaryenExpressionRef r[3] = {wb_get32(g, rb), wb_i32(g, 0), wb_get32(g, rs)};
        wb_emit(g, BinaryenDrop(M, wb_call(g, "read_return_data", r, 3, I32)));
        int dst = g->local_of[i->id] >= 0 ? g->local_of[i->id] : wb_new_local(g, I32);
        decode_param(g, rt, rb, rs, 0, dst, i->span);
        return;
    }
    /* solc: short return data reverts; dirty words revert */
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenLtUInt32(), BinaryenLoad(M, 4, false, 0, 0, I32, wb_i32(g, WB_SCRATCH_T2)),
                                 wb_i32(g, 32)), ret1(g), NULL));
    BinaryenExpressionRef r[3] = {wb_i32(g, WB_SCRATCH_T0), wb_i32(g, 0), wb_i32(g, 32)};
    wb_emit(g, BinaryenDrop(M, wb_call(g, "read_return_data", r, 3, I32)));
    r[0] = wb_i32(g, WB_SCRATCH_T0);
    call_void(g, "load_be", r, 1);
    if (g->local_of[i->id] >= 0)
        validate_word(g, rt, g->local_of[i->id]);
}

/* ---------------- entry points ---------------- */
/* The constructor runs once: a flag in a namespaced slot (keccak256 of a name, out of
 * the Solidity layout's reach, as ERC-7201 namespaces are) records that it ran. */
static U256 constructed_slot(void) {
    static const char name[] = "writ.stylus.constructed";
    uint8_t h[32];
    keccak256(name, sizeof name - 1, h);
    U256 v = {{0}};
    for (int k = 0; k < 32; k++)
        v.w[(31 - k) / 8] |= (uint64_t)h[k] << (8 * ((31 - k) % 8));
    return v;
}

static void compile_entry_fn(WbGen *g, int fi) {
    IrFunc *f = g->m->funcs[fi];
    bool ctor = f->kind == IR_FN_INIT;
    g->f = f, g->fi = fi;
    g->nvars = 0, g->ncode = 0, g->nparams_wasm = 2;
    int args = 0, len = 1, base = wb_new_local(g, I32), size = wb_new_local(g, I32);
    BinaryenExpressionRef a[8];
    if (!(f->flags & IR_FN_PAYABLE)) {
        a[0] = wb_i32(g, WB_SCRATCH_T0);
        call_void(g, "msg_value", a, 1);
        BinaryenExpressionRef nz = wb_i64(g, 0);
        for (int k = 0; k < 4; k++)
            nz = bin(g, BinaryenOrInt64(), nz, BinaryenLoad(M, 8, false, WB_SCRATCH_T0 + 8 * (uint32_t)k, 1, I64, wb_i32(g, 0)));
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenNeInt64(), nz, wb_i64(g, 0)), ret1(g), NULL));
    }
    if (ctor) {
        U256 flag = constructed_slot();
        for (int k = 0; k < 4; k++)
            a[k] = wb_i64(g, (int64_t)flag.w[k]);
        call_void(g, "sload", a, 4);
        BinaryenExpressionRef nz = BinaryenBinary(M, BinaryenOrInt64(), BinaryenBinary(M, BinaryenOrInt64(), wb_r(g, 0), wb_r(g, 1)),
                                                  BinaryenBinary(M, BinaryenOrInt64(), wb_r(g, 2), wb_r(g, 3)));
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenNeInt64(), nz, wb_i64(g, 0)), ret1(g), NULL));
        for (int k = 0; k < 4; k++)
            a[k] = wb_i64(g, (int64_t)flag.w[k]);
        a[4] = wb_i64(g, 1), a[5] = wb_i64(g, 0), a[6] = wb_i64(g, 0), a[7] = wb_i64(g, 0);
        call_void(g, "sstore", a, 8);
    } else if (!(f->flags & IR_FN_REENTRANT)) {
        wb_emit(g, BinaryenIf(M, wb_call(g, "msg_reentrant", NULL, 0, I32), ret1(g), NULL));
    }
    wb_emit(g, set(g, base, add32(g, wb_get32(g, args), 4)));
    wb_emit(g, set(g, size, add32(g, wb_get32(g, len), -4)));
    uint32_t head = 0;
    for (int k = 0; k < f->nparams; k++) {
        IrType *t = wb_strip(f->params[k].type);
        head += 32 * (is_static(g, t) ? static_words(g, t) : 1);
    }
    if (head)
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenLtUInt32(), wb_get32(g, size), wb_i32(g, (int32_t)head)), ret1(g), NULL));
    int *pl = arena_alloc(g->arena, sizeof(int) * (size_t)(f->nparams + 1));
    int ncall = 0;
    uint32_t h = 0;
    for (int k = 0; k < f->nparams; k++) {
        IrType *t = wb_strip(f->params[k].type);
        bool sc = wb_is_scalar(t);
        pl[k] = sc ? wb_new_scalar(g) : wb_new_local(g, I32);
        ncall += sc ? 4 : 1;
        if (!decode_param(g, t, base, size, h, pl[k], f->span))
            return;
        h += 32 * (is_static(g, t) ? static_words(g, t) : 1);
    }
    BinaryenExpressionRef *ca = arena_alloc(g->arena, sizeof *ca * (size_t)(ncall + 1));
    int nc = 0;
    for (int k = 0; k < f->nparams; k++) {
        if (wb_is_scalar(f->params[k].type))
            for (int q = 0; q < 4; q++)
                ca[nc++] = wb_get64(g, pl[k] + q);
        else
            ca[nc++] = wb_get32(g, pl[k]);
    }
    char name[32];
    snprintf(name, sizeof name, "fn%d", fi);
    wb_emit(g, BinaryenIf(M, wb_call(g, name, ca, nc, I32), ret1(g), NULL));
    IrType *rt = f->ret ? wb_strip(f->ret) : NULL;
    if (rt && rt->kind != IRT_VOID) {
        Enc e = {rt, NULL, -1};
        if (wb_is_scalar(rt)) {
            e.local = wb_new_scalar(g);
            for (int k = 0; k < 4; k++)
                wb_emit(g, set(g, e.local + k, wb_r(g, k)));
        } else {
            e.local = wb_new_local(g, I32);
            wb_emit(g, set(g, e.local, BinaryenGlobalGet(M, "rref", I32)));
        }
        int p = wb_new_local(g, I32), n = wb_new_local(g, I32);
        encode(g, &e, 1, 0, p, n);
        BinaryenExpressionRef w[2] = {wb_get32(g, p), wb_get32(g, n)};
        call_void(g, "write_result", w, 2);
    }
    a[0] = wb_i32(g, 0);
    call_void(g, "storage_flush_cache", a, 1);
    wb_emit(g, BinaryenReturn(M, wb_i32(g, 0)));
    BinaryenType pt[2] = {I32, I32};
    snprintf(name, sizeof name, "entry%d", fi);
    g->nlocs = 0;
    wb_note_span(g, 0, f->span);
    wb_apply_spans(g, BinaryenAddFunction(M, name, BinaryenTypeCreate(pt, 2), I32, g->vars, (BinaryenIndex)g->nvars,
                                          BinaryenBlock(M, NULL, g->code, (BinaryenIndex)g->ncode, BinaryenTypeAuto())));
}

/* user_entrypoint(len): calldata into fresh memory, selector dispatch (the constructor
 * under stylus_constructor()'s selector), 1 for no match (Writ contracts have no
 * fallback). */
void wb_compile_entry(WbGen *g) {
    for (int fi = 0; fi < g->m->nfuncs && g->ok; fi++) {
        IrFunc *f = g->m->funcs[fi];
        if ((f->kind == IR_FN && (f->flags & IR_FN_PUB)) || f->kind == IR_FN_INIT)
            compile_entry_fn(g, fi);
    }
    if (!g->ok)
        return;
    g->f = NULL;
    g->nvars = 0, g->ncode = 0, g->nparams_wasm = 1;
    int len = 0, args = wb_new_local(g, I32), sel = wb_new_local(g, I32);
    wb_emit(g, BinaryenGlobalSet(M, "hp", wb_i32(g, (int32_t)g->heap_base)));
    wb_emit(g, set(g, args, alloc(g, wb_get32(g, len))));
    BinaryenExpressionRef a[1] = {wb_get32(g, args)};
    call_void(g, "read_args", a, 1);
    wb_emit(g, BinaryenIf(M, bin(g, BinaryenLtUInt32(), wb_get32(g, len), wb_i32(g, 4)), ret1(g), NULL));
    BinaryenExpressionRef w = BinaryenLoad(M, 4, false, 0, 1, I64, wb_get32(g, args));
    BinaryenExpressionRef sw = wb_call(g, "bswap", &w, 1, I64);
    wb_emit(g, set(g, sel, BinaryenUnary(M, BinaryenWrapInt64(), bin(g, BinaryenShrUInt64(), sw, wb_i64(g, 32)))));
    for (int fi = 0; fi < g->m->nfuncs; fi++) {
        IrFunc *f = g->m->funcs[fi];
        bool ctor = f->kind == IR_FN_INIT;
        if (!ctor && (f->kind != IR_FN || !(f->flags & IR_FN_PUB)))
            continue;
        char name[32];
        snprintf(name, sizeof name, "entry%d", fi);
        BinaryenExpressionRef ca[2] = {wb_get32(g, args), wb_get32(g, len)};
        uint32_t selector = ctor ? WB_CONSTRUCTOR_SELECTOR : f->selector;
        wb_emit(g, BinaryenIf(M, bin(g, BinaryenEqInt32(), wb_get32(g, sel), wb_i32(g, (int32_t)selector)),
                              BinaryenReturn(M, wb_call(g, name, ca, 2, I32)), NULL));
    }
    wb_emit(g, ret1(g));
    BinaryenType pt[1] = {I32};
    BinaryenAddFunction(M, "user_entrypoint", BinaryenTypeCreate(pt, 1), I32, g->vars, (BinaryenIndex)g->nvars,
                        BinaryenBlock(M, NULL, g->code, (BinaryenIndex)g->ncode, BinaryenTypeAuto()));
    BinaryenAddFunctionExport(M, "user_entrypoint", "user_entrypoint");
}
