/* dispatch.c — the contract's entry points: the runtime's selector dispatch and the
 * creation code (constructor arguments appended to it, runtime copied out), Solidity ABI
 * decoding with solc's validation (short calldata, dirty high bits, bad offsets revert)
 * and ABI encoding of returns, events and errors. */
#include <string.h>

#include "internal.h"

#define A (g->a)

static void push(EvmGen *g, uint64_t v) { evm_asm_push_u64(A, v); }
static void op(EvmGen *g, EvmOp o) { evm_asm_op(A, o); }
static void mload_at(EvmGen *g, uint32_t addr) { push(g, addr), op(g, EVM_MLOAD); }
static void mstore_at(EvmGen *g, uint32_t addr) { push(g, addr), op(g, EVM_MSTORE); }

static IrType *strip_ref(IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return t;
}

static bool is_value_type(const IrType *t) {
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
           t->kind == IRT_BYTES;
}

static void internal(EvmGen *g, const char *what) {
    evm_gen_internal(g, (Span){0}, what);
}

static int nelems(EvmGen *g, IrType *t) {
    return t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].nfields : (int)t->len;
}

static IrType *elem_type(EvmGen *g, IrType *t, int k) {
    return strip_ref(t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].fields[k].type : t->elem);
}

static bool is_static(EvmGen *g, IrType *t) {
    t = strip_ref(t);
    if (is_value_type(t))
        return true;
    if (t->kind == IRT_ARRAY)
        return is_static(g, t->elem);
    if (t->kind == IRT_STRUCT) {
        for (int k = 0; k < nelems(g, t); k++)
            if (!is_static(g, elem_type(g, t, k)))
                return false;
        return true;
    }
    return false;
}

/* Head words of a type in the ABI encoding. */
static uint32_t head_words(EvmGen *g, IrType *t) {
    t = strip_ref(t);
    if (!is_static(g, t))
        return 1;
    if (is_value_type(t))
        return 1;
    uint32_t n = 0;
    for (int k = 0; k < nelems(g, t); k++)
        n += head_words(g, elem_type(g, t, k));
    return n;
}

/* ---------------- encoding ---------------- */
/* [addr] -> [addr + k] */
static void add_const(EvmGen *g, uint32_t k) {
    if (k)
        push(g, k), op(g, EVM_ADD);
}

/* [ptr, .. start ..] -> same: a static aggregate in memory written inline at start + h,
 * where start is the d-th stack item (1 = top, so d >= 2 here). */
static void enc_static_from_ptr(EvmGen *g, IrType *t, uint32_t h, int d) {
    for (int k = 0; k < nelems(g, t); k++) {
        IrType *et = elem_type(g, t, k);
        op(g, EVM_DUP1), add_const(g, 32u * (uint32_t)k), op(g, EVM_MLOAD);   /* [v, ptr ..] */
        if (is_value_type(et)) {
            op(g, (EvmOp)(EVM_DUP1 + d)), add_const(g, h), op(g, EVM_MSTORE);
        } else {
            enc_static_from_ptr(g, et, h, d + 1);
            op(g, EVM_POP);
        }
        h += 32 * head_words(g, et);
    }
}

/* [v, dst] -> [end]: the ABI encoding of one value of type t written at dst (for a
 * dynamic type: its tail part, which is what an offset points at). Pure stack: nested
 * tuples keep three words per level. */
static void enc_any(EvmGen *g, IrType *t, int depth) {
    t = strip_ref(t);
    /* no depth limit: the recursion follows the type, which is finite (the IR validator
     * rejects structs that hold themselves inline), and each level keeps its few words on
     * the stack, read by DUPs relative to its own top */
    if (is_value_type(t)) {
        op(g, EVM_DUP2), op(g, EVM_MSTORE), add_const(g, 32);
        return;
    }
    if (is_static(g, t)) {
        enc_static_from_ptr(g, t, 0, 2);
        op(g, EVM_POP), add_const(g, 32 * head_words(g, t));
        return;
    }
    if (t->kind == IRT_STRING || (t->kind == IRT_LIST && is_value_type(strip_ref(t->elem)))) {
        op(g, EVM_DUP1), op(g, EVM_MLOAD);                                 /* [len, p, dst] */
        op(g, EVM_DUP1), op(g, EVM_DUP4), op(g, EVM_MSTORE);
        if (t->kind == IRT_LIST)
            push(g, 5), op(g, EVM_SHL);                                    /* [n, p, dst] */
        op(g, EVM_DUP1), op(g, EVM_DUP3), add_const(g, 32), op(g, EVM_DUP5), add_const(g, 32);
        op(g, EVM_MCOPY);
        if (t->kind == IRT_STRING) {
            push(g, 0), op(g, EVM_DUP2), op(g, EVM_DUP5), op(g, EVM_ADD), add_const(g, 32);
            op(g, EVM_MSTORE);                                             /* zero padding */
            push(g, 31), op(g, EVM_ADD), push(g, 31), op(g, EVM_NOT), op(g, EVM_AND);
        }
        add_const(g, 32), op(g, EVM_SWAP1), op(g, EVM_POP), op(g, EVM_ADD);
        return;
    }
    if (t->kind == IRT_LIST && is_static(g, t->elem)) {
        /* static aggregates inline after the length */
        IrType *et = strip_ref(t->elem);
        uint32_t esize = 32 * head_words(g, et);
        int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
        op(g, EVM_DUP1), op(g, EVM_MLOAD);                                 /* [len, p, dst] */
        op(g, EVM_DUP1), op(g, EVM_DUP4), op(g, EVM_MSTORE);
        push(g, 0);                                                        /* [i, len, p, dst] */
        evm_asm_label(A, loop);
        op(g, EVM_DUP2), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, done);
        op(g, EVM_DUP4), op(g, EVM_DUP2), push(g, esize), op(g, EVM_MUL), op(g, EVM_ADD);
        add_const(g, 32);                                                  /* [t, i, len, p, dst] */
        op(g, EVM_DUP4), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        add_const(g, 32), op(g, EVM_MLOAD);                                /* [e, t, i, ...] */
        enc_static_from_ptr(g, et, 0, 2);
        op(g, EVM_POP), op(g, EVM_POP);
        push(g, 1), op(g, EVM_ADD);
        evm_asm_jump(A, loop);
        evm_asm_label(A, done);
        op(g, EVM_POP), push(g, esize), op(g, EVM_MUL), add_const(g, 32);  /* [n, p, dst] */
        op(g, EVM_SWAP1), op(g, EVM_POP), op(g, EVM_ADD);
        return;
    }
    if (t->kind == IRT_LIST) {
        /* dynamic elements: the length, one offset per element (from the first head), then
         * each element's encoding in turn */
        IrType *et = strip_ref(t->elem);
        int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
        op(g, EVM_DUP1), op(g, EVM_MLOAD);                                 /* [len, p, dst] */
        op(g, EVM_DUP1), op(g, EVM_DUP4), op(g, EVM_MSTORE);
        op(g, EVM_DUP1), push(g, 5), op(g, EVM_SHL), op(g, EVM_DUP4), op(g, EVM_ADD);
        add_const(g, 32);                                                  /* [tail, len, p, dst] */
        push(g, 0);                                                        /* [i, tail, ...] */
        evm_asm_label(A, loop);
        op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, done);
        op(g, EVM_DUP5), add_const(g, 32);                                 /* [hb, i, tail, ...] */
        op(g, EVM_DUP1), op(g, EVM_DUP4), op(g, EVM_SUB);                  /* [tail-hb, hb, i, ..] */
        op(g, EVM_SWAP1), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        op(g, EVM_MSTORE);                                                 /* [i, tail, len, p, dst] */
        op(g, EVM_SWAP1);
        op(g, EVM_DUP4), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        add_const(g, 32), op(g, EVM_MLOAD);                                /* [e, tail, i, ...] */
        enc_any(g, et, depth + 1);                                         /* [tail', i, ...] */
        op(g, EVM_SWAP1), push(g, 1), op(g, EVM_ADD);
        evm_asm_jump(A, loop);
        evm_asm_label(A, done);
        op(g, EVM_POP), op(g, EVM_SWAP3), op(g, EVM_POP), op(g, EVM_POP), op(g, EVM_POP);
        return;
    }
    if (t->kind != IRT_STRUCT && t->kind != IRT_ARRAY) {
        /* maps: the IR validator rejects them in parameters, returns, events and errors */
        internal(g, "ABI encoding of a map");
        return;
    }
    /* a dynamic tuple: heads (static values in place, offsets of dynamic ones), then tails */
    uint32_t head = 0;
    for (int k = 0; k < nelems(g, t); k++)
        head += 32 * head_words(g, elem_type(g, t, k));
    op(g, EVM_DUP2), add_const(g, head);                                   /* [tail, p, dst] */
    uint32_t h = 0;
    for (int k = 0; k < nelems(g, t); k++) {
        IrType *et = elem_type(g, t, k);
        if (is_static(g, et)) {
            op(g, EVM_DUP2), add_const(g, 32u * (uint32_t)k), op(g, EVM_MLOAD);
            if (is_value_type(et)) {
                op(g, EVM_DUP4), add_const(g, h), op(g, EVM_MSTORE);
            } else {
                enc_static_from_ptr(g, et, h, 4);
                op(g, EVM_POP);
            }
        } else {
            op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_SUB);              /* tail - dst */
            op(g, EVM_DUP4), add_const(g, h), op(g, EVM_MSTORE);
            op(g, EVM_DUP2), add_const(g, 32u * (uint32_t)k), op(g, EVM_MLOAD);
            enc_any(g, et, depth + 1);                                     /* [tail', p, dst] */
        }
        h += 32 * head_words(g, et);
    }
    op(g, EVM_SWAP2), op(g, EVM_POP), op(g, EVM_POP);
}

int evm_gen_encode(EvmGen *g, IrInstr **vals, IrType **types, int n) {
    uint32_t head = 0;
    bool dynamic = false;
    for (int k = 0; k < n; k++) {
        head += 32 * head_words(g, types[k]);
        if (!is_static(g, types[k]))
            dynamic = true;
    }
    if (dynamic)
        op(g, EVM_DUP1), add_const(g, head), mstore_at(g, R_TAIL);
    uint32_t h = 0;
    for (int k = 0; k < n; k++) {
        IrType *t = strip_ref(types[k]);
        if (is_value_type(t)) {
            evm_gen_push_value(g, vals[k]);
            op(g, EVM_DUP2), add_const(g, h), op(g, EVM_MSTORE);
        } else if (is_static(g, t)) {
            evm_gen_push_value(g, vals[k]);
            enc_static_from_ptr(g, t, h, 2);
            op(g, EVM_POP);
        } else {
            mload_at(g, R_TAIL), op(g, EVM_DUP2), op(g, EVM_SWAP1), op(g, EVM_SUB);
            op(g, EVM_DUP2), add_const(g, h), op(g, EVM_MSTORE);
            mload_at(g, R_TAIL), evm_gen_push_value(g, vals[k]);          /* [v, tail] */
            enc_any(g, t, 0);
            mstore_at(g, R_TAIL);
        }
        h += 32 * head_words(g, t);
    }
    return dynamic ? -1 : (int)head;
}

int evm_gen_static_words(EvmGen *g, IrType **types, int n) {
    uint32_t words = 0;
    for (int k = 0; k < n; k++) {
        if (!is_static(g, types[k]))
            return -1;
        words += head_words(g, types[k]);
    }
    return (int)words;
}

/* [start] -> [start, size] (start on top) after evm_gen_encode returned `size`. */
void evm_gen_encoded_size(EvmGen *g, int size) {
    if (size >= 0) {
        push(g, (uint64_t)size), op(g, EVM_SWAP1);
    } else {
        mload_at(g, R_TAIL), op(g, EVM_DUP2), op(g, EVM_SWAP1), op(g, EVM_SUB), op(g, EVM_SWAP1);
    }
}

/* ---------------- decoding ---------------- */
typedef struct Src {
    bool memory;   /* constructor arguments copied to memory at [R_ARGS], [R_ARGLEN] bytes */
} Src;

/* [] -> [word at a constant offset] */
static void arg_load_at(EvmGen *g, const Src *s, uint32_t off) {
    if (s->memory)
        mload_at(g, R_ARGS), add_const(g, off), op(g, EVM_MLOAD);
    else
        push(g, 4 + (uint64_t)off), op(g, EVM_CALLDATALOAD);
}

/* [off] -> [word] */
static void arg_load(EvmGen *g, const Src *s) {
    if (s->memory)
        mload_at(g, R_ARGS), op(g, EVM_ADD), op(g, EVM_MLOAD);
    else
        push(g, 4), op(g, EVM_ADD), op(g, EVM_CALLDATALOAD);
}

static void arg_size(EvmGen *g, const Src *s) {
    if (s->memory)
        mload_at(g, R_ARGLEN);
    else
        push(g, 4), op(g, EVM_CALLDATASIZE), op(g, EVM_SUB);
}

/* [dst, srcoff, len] -> [] */
static void arg_copy(EvmGen *g, const Src *s) {
    op(g, EVM_SWAP1);
    if (s->memory)
        mload_at(g, R_ARGS), op(g, EVM_ADD);
    else
        push(g, 4), op(g, EVM_ADD);
    op(g, EVM_SWAP1);
    op(g, s->memory ? EVM_MCOPY : EVM_CALLDATACOPY);
}

static void revert_if(EvmGen *g) {
    evm_asm_jumpi(A, evm_gen_revert_label(g));
}

/* Can a calldata word be unclean for value type t? (Full-width words always are clean.) */
static bool needs_validation(const IrType *t) {
    return !((t->kind == IRT_INT || t->kind == IRT_BYTES) && t->bits == 256);
}

/* [word] -> [word], reverting when the word is not clean for t (solc's validation). */
static void validate(EvmGen *g, IrType *t) {
    if ((t->kind == IRT_INT || t->kind == IRT_BYTES) && t->bits == 256)
        return;
    if (t->kind == IRT_INT && t->is_signed) {
        op(g, EVM_DUP1), op(g, EVM_DUP1), evm_gen_normalize(g, t), op(g, EVM_EQ), op(g, EVM_ISZERO);
    } else if (t->kind == IRT_BYTES) {
        op(g, EVM_DUP1), push(g, t->bits), op(g, EVM_SHL);       /* bits below the bytes */
    } else {
        unsigned bits = t->kind == IRT_BOOL ? 1 : t->kind == IRT_ADDRESS ? 160 : t->bits;
        op(g, EVM_DUP1), push(g, bits), op(g, EVM_SHR);          /* bits above the value */
    }
    revert_if(g);
}

/* [word] -> [bad]: nonzero when the word is not clean for t (as validate(), but the word is
 * consumed and nothing jumps: the entry ORs such conditions into one revert). */
static void unclean(EvmGen *g, IrType *t) {
    if (t->kind == IRT_INT && t->is_signed) {
        op(g, EVM_DUP1), evm_gen_normalize(g, t), op(g, EVM_EQ), op(g, EVM_ISZERO);
    } else if (t->kind == IRT_BYTES) {
        push(g, t->bits), op(g, EVM_SHL);
    } else {
        unsigned bits = t->kind == IRT_BOOL ? 1 : t->kind == IRT_ADDRESS ? 160 : t->bits;
        push(g, bits), op(g, EVM_SHR);
    }
}

/* [off] -> [ptr]: a static aggregate at args offset `off` (on the stack) into memory. */
static void dec_static(EvmGen *g, const Src *s, IrType *t) {
    evm_gen_alloc_type(g, t);                                   /* [p, off] */
    uint32_t h = 0;
    for (int k = 0; k < nelems(g, t); k++) {
        IrType *et = elem_type(g, t, k);
        op(g, EVM_DUP2), push(g, h), op(g, EVM_ADD);            /* [o, p, off] */
        if (is_value_type(et)) {
            arg_load(g, s);
            validate(g, et);
        } else {
            dec_static(g, s, et);
        }
        op(g, EVM_DUP2), push(g, 32u * (uint32_t)k), op(g, EVM_ADD), op(g, EVM_MSTORE);
        h += 32 * head_words(g, et);
    }
    op(g, EVM_SWAP1), op(g, EVM_POP);
}

/* [off] -> [ptr]: a string<N> (bound checked) or a list of value types. */
static void dec_dynamic(EvmGen *g, const Src *s, IrType *t) {
    uint32_t cap = t->len;
    push(g, 0xffffffffffffffffull), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    push(g, 32), op(g, EVM_DUP2), op(g, EVM_ADD), arg_size(g, s), op(g, EVM_LT);
    revert_if(g);
    op(g, EVM_DUP1), arg_load(g, s);                            /* [len, off] */
    push(g, cap), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    bool list = t->kind == IRT_LIST;
    IrType *et = list ? strip_ref(t->elem) : NULL;
    uint32_t esize = list ? 32 * head_words(g, et) : 1;         /* encoded element bytes */
    op(g, EVM_DUP1);
    if (esize > 1)
        push(g, esize), op(g, EVM_MUL);
    op(g, EVM_DUP3), op(g, EVM_ADD), push(g, 32), op(g, EVM_ADD);   /* [end, len, off] */
    arg_size(g, s), op(g, EVM_LT);
    revert_if(g);
    evm_gen_alloc_type(g, t);                                   /* [p, len, off] */
    op(g, EVM_DUP2), op(g, EVM_DUP2), op(g, EVM_MSTORE);
    if (list && !is_value_type(et)) {
        /* static aggregates: each decoded (and validated) into its own memory */
        int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
        push(g, 0);                                             /* [i, p, len, off] */
        evm_asm_label(A, loop);
        op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, done);
        op(g, EVM_DUP4), op(g, EVM_DUP2), push(g, esize), op(g, EVM_MUL), op(g, EVM_ADD);
        add_const(g, 32);                                       /* [eoff, i, p, len, off] */
        dec_static(g, s, et);                                   /* [e, i, p, len, off] */
        op(g, EVM_DUP3), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        add_const(g, 32), op(g, EVM_MSTORE);
        push(g, 1), op(g, EVM_ADD);
        evm_asm_jump(A, loop);
        evm_asm_label(A, done);
        op(g, EVM_POP);
        op(g, EVM_SWAP2), op(g, EVM_POP), op(g, EVM_POP);      /* [p] */
        return;
    }
    /* copy the body: (dst p+32, src off+32, n bytes) */
    op(g, EVM_DUP2);
    if (list)
        push(g, 5), op(g, EVM_SHL);
    op(g, EVM_DUP4), push(g, 32), op(g, EVM_ADD);
    op(g, EVM_DUP3), push(g, 32), op(g, EVM_ADD);              /* [p+32, off+32, n, p, len, off] */
    arg_copy(g, s);                                             /* [p, len, off] */
    if (!list) {
        push(g, 0), op(g, EVM_DUP3), op(g, EVM_DUP3), op(g, EVM_ADD), push(g, 32), op(g, EVM_ADD);
        op(g, EVM_MSTORE);
    } else if (!((et->kind == IRT_INT || et->kind == IRT_BYTES) && et->bits == 256)) {
        /* validate each element in place */
        int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
        push(g, 0);                                             /* [i, p, len, off] */
        evm_asm_label(A, loop);
        op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
        evm_asm_jumpi(A, done);
        op(g, EVM_DUP2), op(g, EVM_DUP2), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
        push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD);
        validate(g, et);
        op(g, EVM_POP), push(g, 1), op(g, EVM_ADD);
        evm_asm_jump(A, loop);
        evm_asm_label(A, done);
        op(g, EVM_POP);
    }
    op(g, EVM_SWAP2), op(g, EVM_POP), op(g, EVM_POP);          /* [p] */
}

static void dec_any(EvmGen *g, const Src *s, IrType *t, Span sp, int depth);

/* [off] -> [ptr]: a list<T, N> of dynamic elements (strings, lists, dynamic tuples): the
 * length (at most N), then one offset per element, relative to the first of them, each
 * element decoded where its offset points (solc's checks: offsets and lengths below 2^64,
 * heads inside the data). */
static void dec_list_dyn(EvmGen *g, const Src *s, IrType *t, Span sp, int depth) {
    IrType *et = strip_ref(t->elem);
    push(g, 0xffffffffffffffffull), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    push(g, 32), op(g, EVM_DUP2), op(g, EVM_ADD), arg_size(g, s), op(g, EVM_LT);
    revert_if(g);
    op(g, EVM_DUP1), arg_load(g, s);                            /* [len, off] */
    push(g, t->len), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    op(g, EVM_DUP1), push(g, 5), op(g, EVM_SHL), op(g, EVM_DUP3), op(g, EVM_ADD);
    push(g, 32), op(g, EVM_ADD), arg_size(g, s), op(g, EVM_LT);
    revert_if(g);                                               /* the heads fit */
    evm_gen_alloc_type(g, t);                                   /* [p, len, off] */
    op(g, EVM_DUP2), op(g, EVM_DUP2), op(g, EVM_MSTORE);
    int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
    push(g, 0);                                                 /* [i, p, len, off] */
    evm_asm_label(A, loop);
    op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    op(g, EVM_DUP4), add_const(g, 32);                          /* [base, i, p, len, off] */
    op(g, EVM_DUP1), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
    arg_load(g, s);                                             /* [rel, base, i, ...] */
    push(g, 0xffffffffffffffffull), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    op(g, EVM_ADD);                                             /* [eoff, i, p, len, off] */
    dec_any(g, s, et, sp, depth + 1);                           /* [e, i, p, len, off] */
    op(g, EVM_DUP3), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
    add_const(g, 32), op(g, EVM_MSTORE);
    push(g, 1), op(g, EVM_ADD);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
    op(g, EVM_POP), op(g, EVM_SWAP2), op(g, EVM_POP), op(g, EVM_POP);   /* [p] */
}

/* [off] -> [value or ptr]: any type whose encoding starts at args offset off (dynamic
 * tuples: their members' offsets are relative to off). No depth limit (see enc_any). */
static void dec_any(EvmGen *g, const Src *s, IrType *t, Span sp, int depth) {
    t = strip_ref(t);
    if (is_value_type(t)) {
        arg_load(g, s);
        validate(g, t);
        return;
    }
    if (is_static(g, t)) {
        dec_static(g, s, t);
        return;
    }
    if (t->kind == IRT_STRING || (t->kind == IRT_LIST && is_static(g, t->elem))) {
        dec_dynamic(g, s, t);
        return;
    }
    if (t->kind == IRT_LIST) {
        dec_list_dyn(g, s, t, sp, depth);
        return;
    }
    if (t->kind != IRT_STRUCT && t->kind != IRT_ARRAY) {
        /* maps: the IR validator rejects map parameters (and map return types) */
        evm_gen_internal(g, sp, "ABI decoding of a map");
        return;
    }
    push(g, 0xffffffffffffffffull), op(g, EVM_DUP2), op(g, EVM_GT);
    revert_if(g);
    uint32_t heads = 0;
    for (int k = 0; k < nelems(g, t); k++)
        heads += 32 * head_words(g, elem_type(g, t, k));
    arg_size(g, s), op(g, EVM_DUP2), add_const(g, heads), op(g, EVM_GT);
    revert_if(g);                                                 /* the heads fit */
    evm_gen_alloc_type(g, t);                                     /* [p, base] */
    uint32_t h = 0;
    for (int k = 0; k < nelems(g, t); k++) {
        IrType *et = elem_type(g, t, k);
        op(g, EVM_DUP2), add_const(g, h);                         /* [o, p, base] */
        if (is_static(g, et)) {
            dec_any(g, s, et, sp, depth + 1);
        } else {
            arg_load(g, s);                                       /* [rel, p, base] */
            push(g, 0xffffffffffffffffull), op(g, EVM_DUP2), op(g, EVM_GT);
            revert_if(g);
            op(g, EVM_DUP3), op(g, EVM_ADD);
            dec_any(g, s, et, sp, depth + 1);
        }
        op(g, EVM_DUP2), add_const(g, 32u * (uint32_t)k), op(g, EVM_MSTORE);
        h += 32 * head_words(g, et);
    }
    op(g, EVM_SWAP1), op(g, EVM_POP);
}

void evm_gen_decode_returndata(EvmGen *g, IrType *t, Span sp) {
    Src s = {true};
    evm_gen_push_free(g), op(g, EVM_DUP1), mstore_at(g, R_ARGS);          /* [p] */
    op(g, EVM_RETURNDATASIZE), op(g, EVM_DUP1), mstore_at(g, R_ARGLEN);
    push(g, 0), op(g, EVM_DUP3), op(g, EVM_RETURNDATACOPY), op(g, EVM_POP);
    mload_at(g, R_ARGLEN), push(g, 31), op(g, EVM_ADD), push(g, 31), op(g, EVM_NOT);
    op(g, EVM_AND), mload_at(g, EVM_FREE_PTR), op(g, EVM_ADD), mstore_at(g, EVM_FREE_PTR);
    push(g, 32 * head_words(g, t)), arg_size(g, &s), op(g, EVM_LT);
    revert_if(g);
    t = strip_ref(t);
    if (is_static(g, t)) {
        push(g, 0);
        dec_any(g, &s, t, sp, 0);
    } else {
        arg_load_at(g, &s, 0);
        dec_any(g, &s, t, sp, 0);
    }
}

void evm_gen_decode_params(EvmGen *g, IrFunc *f, bool from_memory) {
    Src s = {from_memory};
    int fi = -1;
    for (int i = 0; i < g->m->nfuncs; i++)
        if (g->m->funcs[i] == f)
            fi = i;
    uint32_t head = 0;
    for (int k = 0; k < f->nparams; k++)
        head += 32 * head_words(g, f->params[k].type);
    if (head) {
        if (from_memory)
            push(g, head), arg_size(g, &s), op(g, EVM_LT);
        else   /* calldatasize - 4 < head, with calldatasize >= 4 known */
            push(g, 4 + (uint64_t)head), op(g, EVM_CALLDATASIZE), op(g, EVM_LT);
        revert_if(g);
    }
    bool in_calldata = !from_memory && evm_gen_params_in_calldata(g, fi);
    uint32_t h = 0;
    for (int k = 0; k < f->nparams; k++) {
        IrType *t = strip_ref(f->params[k].type);
        if (in_calldata) {
            /* checked here, read from calldata where used */
            if (needs_validation(t)) {
                arg_load_at(g, &s, h);
                validate(g, t);
                op(g, EVM_POP);
            }
            h += 32;
            continue;
        }
        if (is_value_type(t)) {
            arg_load_at(g, &s, h);
            validate(g, t);
        } else if (is_static(g, t)) {
            push(g, h);
            dec_static(g, &s, t);
        } else {
            arg_load_at(g, &s, h);                                /* the offset */
            dec_any(g, &s, t, f->span, 0);
        }
        if (!g->ok)
            return;
        mstore_at(g, evm_gen_param_slot(g, fi, k));
        h += 32 * head_words(g, t);
    }
}

/* ---------------- entry points ---------------- */
/* The non-reentrancy guard. Re-entry needs an external call in progress, so:
 *  - a contract that never calls out needs no guard at all;
 *  - a function that may call out (itself or through internal calls) sets a transient
 *    lock (EIP-1153) for its duration and reverts when it finds it set;
 *  - a function that never calls out only reverts when it finds the lock set.
 * `reentrant` functions neither set nor check it; view functions do not either (they cannot
 * write, and TSTORE is not allowed under STATICCALL). */
typedef enum { LOCK_NONE, LOCK_CHECK, LOCK_SET } LockKind;

static bool *calls_out(EvmGen *g) {
    int n = g->m->nfuncs;
    bool *out = ARENA_ARRAY(g->arena, bool, n + 1);
    for (int i = 0; i < n; i++)
        for (IrBlock *b = g->m->funcs[i]->entry; b; b = b->next_in_func)
            for (IrInstr *in = b->first; in; in = in->next)
                if (in->op == IR_XCALL || in->op == IR_SEND)
                    out[i] = true;
    for (int round = 0; round <= n; round++) {
        bool changed = false;
        for (int i = 0; i < n; i++)
            for (IrBlock *b = g->m->funcs[i]->entry; b && !out[i]; b = b->next_in_func)
                for (IrInstr *in = b->first; in; in = in->next)
                    if (in->op == IR_CALL && in->callee >= 0 && in->callee < n && out[in->callee]) {
                        out[i] = changed = true;
                        break;
                    }
        if (!changed)
            break;
    }
    return out;
}

static LockKind lock_kind(EvmGen *g, int fi) {
    if (!g->calls_out)
        g->calls_out = calls_out(g);
    const bool *out = g->calls_out;
    const IrFunc *f = g->m->funcs[fi];
    if (f->flags & (IR_FN_REENTRANT | IR_FN_VIEW))
        return LOCK_NONE;
    bool any = false;
    for (int i = 0; i < g->m->nfuncs; i++)
        any = any || out[i];
    if (!any)
        return LOCK_NONE;
    return out[fi] ? LOCK_SET : LOCK_CHECK;
}

/* Transactions dispatched by a chain of comparisons before the halving search. */
enum { DISPATCH_HOT = 3 };

/* A getter of a whole storage string (`pub storage name: string<N>`): a public function
 * without parameters whose one block is `%0 = sload string @v; ret %0`. Returns v, or -1. */
static int string_getter_var(const IrFunc *f) {
    const IrBlock *b = f->entry;
    if (f->nparams || !b || b->next_in_func || !f->ret || strip_ref(f->ret)->kind != IRT_STRING)
        return -1;
    const IrInstr *ld = b->first, *r = ld ? ld->next : NULL;
    if (!ld || ld->op != IR_SLOAD || ld->nargs || ld->npath || ld->var < 0 || ld->flags ||
        !r || r->op != IR_RET || r->nargs != 1 || r->args[0] != ld || r->next)
        return -1;
    return ld->var;
}

/* The checks of an entry point that revert with no data: callvalue (check_value), the
 * reentrancy lock, and, when the params are read from calldata where used, short calldata
 * and each param's dirty bits. They are ORed into one condition and one jump (which one
 * fails cannot be seen: they all revert alike, before any effect). Returns whether the
 * params are left to evm_gen_decode_params. */
static bool entry_checks(EvmGen *g, int fi, bool check_value, LockKind lock) {
    IrFunc *f = g->m->funcs[fi];
    bool in_calldata = evm_gen_params_in_calldata(g, fi);
    g->sp_pos = NULL;
    if (in_calldata && !g->no_stack_params && f->nparams &&
        A->depth > EVM_DEPTH_UNKNOWN / 2) {
        /* the params read more than once (validation counts) go on the stack first, under
         * everything the checks and the body push */
        int *pos = ARENA_ARRAY(g->arena, int, f->nparams);
        bool any = false;
        for (int k = 0; k < f->nparams; k++) {
            pos[k] = -1;
            int reads = evm_gen_param_reads(g, fi, k) +
                        (needs_validation(strip_ref(f->params[k].type)) ? 1 : 0);
            if (reads < 2 || k >= 12)
                continue;
            push(g, 4 + 32 * (uint64_t)k), op(g, EVM_CALLDATALOAD);
            pos[k] = A->depth;
            any = true;
        }
        g->sp_pos = any ? pos : NULL;
    }
    int n = 0;
    if (check_value)
        op(g, EVM_CALLVALUE), n++;
    if (lock != LOCK_NONE) {
        push(g, 0), op(g, EVM_TLOAD);
        if (n++)
            op(g, EVM_OR);
    }
    if (in_calldata) {
        uint32_t head = 32 * (uint32_t)f->nparams;
        if (head) {
            /* calldatasize - 4 < head, with calldatasize >= 4 known */
            push(g, 4 + (uint64_t)head), op(g, EVM_CALLDATASIZE), op(g, EVM_LT);
            if (n++)
                op(g, EVM_OR);
        }
        for (int k = 0; k < f->nparams; k++) {
            IrType *t = strip_ref(f->params[k].type);
            if (!needs_validation(t))
                continue;
            if (g->sp_pos && g->sp_pos[k] >= 0 && A->depth - g->sp_pos[k] < 16)
                op(g, (EvmOp)(EVM_DUP1 + A->depth - g->sp_pos[k]));
            else
                push(g, 4 + 32 * (uint64_t)k), op(g, EVM_CALLDATALOAD);
            unclean(g, t);
            if (n++)
                op(g, EVM_OR);
        }
    }
    if (n)
        revert_if(g);
    return !in_calldata;
}

static void entry_stub(EvmGen *g, int fi, int label, bool check_value) {
    IrFunc *f = g->m->funcs[fi];
    A->span = f->span;
    evm_asm_label(A, label);
    /* the selector stays below: nothing reads deeper than it pushed, and every entry ends
     * in RETURN, STOP or REVERT */
    LockKind lock = lock_kind(g, fi);
    bool decode = entry_checks(g, fi, check_value && !(f->flags & IR_FN_PAYABLE), lock);
    if (lock == LOCK_SET)
        push(g, 1), push(g, 0), op(g, EVM_TSTORE);
    int sv = lock == LOCK_SET ? -1 : string_getter_var(f);
    if (sv >= 0) {
        /* straight from storage into the return data: no copy in memory first */
        evm_asm_push(A, g->l->vars[sv].slot);
        if (g->lbl_ret_sstring < 0)
            g->lbl_ret_sstring = evm_asm_new_label(A, "return_storage_string");
        evm_asm_jump(A, g->lbl_ret_sstring);
        return;
    }
    if (decode)
        evm_gen_decode_params(g, f, false);
    evm_gen_call_body(g, fi);
    g->sp_pos = NULL;
    A->span = f->span;
    bool has_ret = f->ret && f->ret->kind != IRT_VOID;
    if (lock == LOCK_SET)
        push(g, 0), push(g, 0), op(g, EVM_TSTORE);
    if (!has_ret) {
        op(g, EVM_STOP);
        return;
    }
    if (is_value_type(strip_ref(f->ret))) {
        /* one word, on the stack: scratch memory will do */
        push(g, 0), op(g, EVM_MSTORE);
        push(g, 32), push(g, 0), op(g, EVM_RETURN);
        return;
    }
    if (strip_ref(f->ret)->kind == IRT_STRING) {
        /* [ptr]: one shared routine returns abi.encode(string) */
        if (g->lbl_ret_string < 0)
            g->lbl_ret_string = evm_asm_new_label(A, "return_string");
        evm_asm_jump(A, g->lbl_ret_string);
        return;
    }
    /* the function has returned: its frame is free, its first word holds the result */
    uint32_t res = evm_gen_param_slot(g, fi, 0);
    mstore_at(g, res);
    IrInstr *fake = ARENA_NEW(g->arena, IrInstr);
    fake->op = IR_PARAM;
    fake->type = f->ret;
    fake->imm = ir_imm(g->m, u256_from_u64(0));
    fake->span = f->span;
    g->f = f;
    g->fi = fi;
    IrType *rt = f->ret;
    int words = evm_gen_static_words(g, &rt, 1);
    if (words >= 0 && words <= EVM_SCRATCH_WORDS) {
        push(g, 0);
        evm_gen_encode(g, &fake, &rt, 1);
        push(g, 32 * (uint64_t)words), op(g, EVM_SWAP1);
    } else {
        evm_gen_push_free(g);
        evm_gen_encoded_size(g, evm_gen_encode(g, &fake, &rt, 1));
    }
    op(g, EVM_RETURN);
}

/* Unknown selector: revert with no data. The first of these tails is also the shared
 * revert stub, early in the code where a one-byte push reaches it. */
static void no_match(EvmGen *g) {
    if (!g->revert_placed) {
        evm_asm_label_any_depth(A, evm_gen_revert_label(g));
        g->revert_placed = true;
    }
    push(g, 0), op(g, EVM_DUP1), op(g, EVM_REVERT);
}

/* Selector dispatch over the functions order[lo..hi) (sorted by selector): halves split
 * on a pivot while more than four remain, then a chain of comparisons; no match reverts
 * (Writ contracts have no fallback). [selector] stays on the stack for the entry point. */
static void dispatch_range(EvmGen *g, const int *order, const int *labels, int lo, int hi) {
    if (hi - lo > 4) {
        int mid = (lo + hi) / 2, left = evm_asm_new_label(A, NULL);
        push(g, g->m->funcs[order[mid]]->selector), op(g, EVM_DUP2), op(g, EVM_LT);
        evm_asm_jumpi(A, left);
        dispatch_range(g, order, labels, mid, hi);
        evm_asm_label(A, left);
        dispatch_range(g, order, labels, lo, mid);
        return;
    }
    for (int k = lo; k < hi; k++) {
        op(g, EVM_DUP1), push(g, g->m->funcs[order[k]]->selector), op(g, EVM_EQ);
        evm_asm_jumpi(A, labels[order[k]]);
    }
    no_match(g);
}

/* [ptr] -> RETURN abi.encode(string at ptr) */
static void ret_string_routine(EvmGen *g) {
    evm_asm_label_any_depth(A, g->lbl_ret_string);
    evm_gen_push_free(g);                                              /* [s, p] */
    push(g, 0x20), op(g, EVM_DUP2), op(g, EVM_MSTORE);
    op(g, EVM_DUP2), op(g, EVM_MLOAD);                                 /* [len, s, p] */
    op(g, EVM_DUP1), op(g, EVM_DUP3), push(g, 0x20), op(g, EVM_ADD), op(g, EVM_MSTORE);
    op(g, EVM_DUP1), op(g, EVM_DUP4), push(g, 0x20), op(g, EVM_ADD);
    op(g, EVM_DUP4), push(g, 0x40), op(g, EVM_ADD), op(g, EVM_MCOPY);  /* data */
    push(g, 0), op(g, EVM_DUP2), op(g, EVM_DUP4), op(g, EVM_ADD), push(g, 0x40), op(g, EVM_ADD);
    op(g, EVM_MSTORE);                                                 /* zero padding */
    push(g, 31), op(g, EVM_ADD), push(g, 31), op(g, EVM_NOT), op(g, EVM_AND);
    push(g, 0x40), op(g, EVM_ADD), op(g, EVM_SWAP1), op(g, EVM_RETURN);
}

/* [slot] -> RETURN abi.encode(the string stored at slot in solc's encoding), built at
 * address 0: offset word, length, data, zero padding as solc's encoder writes it. */
static void ret_storage_string_routine(EvmGen *g) {
    int lng = evm_asm_new_label(A, NULL), loop = evm_asm_new_label(A, NULL);
    int end = evm_asm_new_label(A, NULL), tail = evm_asm_new_label(A, NULL);
    evm_asm_label_any_depth(A, g->lbl_ret_sstring);
    op(g, EVM_DUP1), op(g, EVM_SLOAD);                                  /* [w, slot] */
    op(g, EVM_DUP1), push(g, 1), op(g, EVM_AND);
    evm_asm_jumpi(A, lng);
    /* short: data in the high bytes, 2*len in the low byte */
    op(g, EVM_SWAP1), op(g, EVM_POP);                                   /* [w] */
    op(g, EVM_DUP1), push(g, 0xff), op(g, EVM_NOT), op(g, EVM_AND), push(g, 0x40), op(g, EVM_MSTORE);
    push(g, 0xff), op(g, EVM_AND), push(g, 1), op(g, EVM_SHR);          /* [len] */
    evm_asm_jump(A, tail);
    /* long: 2*len+1 in the slot, the data from keccak256(slot) on */
    evm_asm_label(A, lng);
    push(g, 1), op(g, EVM_SHR);                                         /* [len, slot] */
    op(g, EVM_SWAP1), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256);                    /* [base, len] */
    push(g, 0);                                                         /* [i, base, len] */
    evm_asm_label(A, loop);
    op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, end);
    op(g, EVM_DUP2), op(g, EVM_DUP2), push(g, 5), op(g, EVM_SHR), op(g, EVM_ADD), op(g, EVM_SLOAD);
    op(g, EVM_DUP2), push(g, 0x40), op(g, EVM_ADD), op(g, EVM_MSTORE);
    push(g, 0x20), op(g, EVM_ADD);
    evm_asm_jump(A, loop);
    evm_asm_label(A, end);
    op(g, EVM_POP), op(g, EVM_POP);                                     /* [len] */
    evm_asm_label(A, tail);
    push(g, 0x20), push(g, 0), op(g, EVM_MSTORE);                       /* offset */
    op(g, EVM_DUP1), push(g, 0x20), op(g, EVM_MSTORE);                  /* length */
    push(g, 0), op(g, EVM_DUP2), push(g, 0x40), op(g, EVM_ADD), op(g, EVM_MSTORE);  /* padding */
    push(g, 0x5f), op(g, EVM_ADD), push(g, 0x1f), op(g, EVM_NOT), op(g, EVM_AND);   /* size */
    push(g, 0), op(g, EVM_RETURN);
}

void evm_gen_runtime(EvmGen *g, EvmAsm *a) {
    evm_gen_begin(g, a, false);
    int n = 0;
    for (int i = 0; i < g->m->nfuncs; i++)
        if (g->m->funcs[i]->kind == IR_FN && (g->m->funcs[i]->flags & IR_FN_PUB))
            n++;
    int *labels = ARENA_ARRAY(g->arena, int, g->m->nfuncs + 1);
    int *order = ARENA_ARRAY(g->arena, int, g->m->nfuncs + 1);
    bool *hot = ARENA_ARRAY(g->arena, bool, g->m->nfuncs + 1);   /* compared first */
    n = 0;
    for (int i = 0; i < g->m->nfuncs; i++) {
        IrFunc *f = g->m->funcs[i];
        if (f->kind != IR_FN || !(f->flags & IR_FN_PUB))
            continue;
        labels[i] = evm_asm_new_label(A, f->signature);
        order[n++] = i;
        for (int k = n - 1; k > 0 && g->m->funcs[order[k - 1]]->selector > f->selector; k--) {
            int t = order[k];
            order[k] = order[k - 1];
            order[k - 1] = t;
        }
    }
    if (n) {
        /* Calldata under 4 bytes reads as a selector ending in zero bytes: when no
         * selector ends in a zero byte it cannot match and reverts like any unknown one. */
        bool short_can_match = false;
        for (int k = 0; k < n; k++)
            short_can_match = short_can_match || (g->m->funcs[order[k]]->selector & 0xff) == 0;
        if (short_can_match)
            push(g, 4), op(g, EVM_CALLDATASIZE), op(g, EVM_LT), revert_if(g);
        /* no payable function: one callvalue check for all but the transactions compared
         * first, which fold it into their entry's one check (a call with value reverts
         * with no data either way) */
        bool any_payable = false;
        for (int k = 0; k < n; k++)
            any_payable = any_payable || (g->m->funcs[order[k]]->flags & IR_FN_PAYABLE);
        push(g, 0), op(g, EVM_CALLDATALOAD), push(g, 0xe0), op(g, EVM_SHR);
        /* Transactions come first, in declaration order (view functions are mostly read
         * off-chain, where gas is free): one comparison each, then halves for the rest. */
        int nhot = 0, *rest = ARENA_ARRAY(g->arena, int, n + 1), nrest = 0;
        for (int i = 0; i < g->m->nfuncs && nhot < DISPATCH_HOT; i++) {
            IrFunc *f = g->m->funcs[i];
            if (f->kind != IR_FN || !(f->flags & IR_FN_PUB) || (f->flags & IR_FN_VIEW))
                continue;
            op(g, EVM_DUP1), push(g, f->selector), op(g, EVM_EQ);
            evm_asm_jumpi(A, labels[i]);
            hot[i] = true, nhot++;
        }
        if (!any_payable)
            op(g, EVM_CALLVALUE), revert_if(g), g->value_checked = true;
        for (int k = 0; k < n; k++)
            if (!hot[order[k]])
                rest[nrest++] = order[k];
        if (nrest)
            dispatch_range(g, rest, labels, 0, nrest);
        else
            no_match(g);
    } else {
        /* no function at all (Writ contracts have no fallback) */
        push(g, 0), op(g, EVM_DUP1), op(g, EVM_REVERT);
    }
    for (int i = 0; i < g->m->nfuncs; i++) {
        IrFunc *f = g->m->funcs[i];
        if (f->kind == IR_FN && (f->flags & IR_FN_PUB))
            entry_stub(g, i, labels[i], !g->value_checked || hot[i]);
    }
    if (g->lbl_ret_string >= 0)
        ret_string_routine(g);
    if (g->lbl_ret_sstring >= 0)
        ret_storage_string_routine(g);
    evm_gen_flush(g);
}

void evm_gen_creation(EvmGen *g, EvmAsm *a, const uint8_t *runtime, size_t nruntime) {
    evm_gen_begin(g, a, true);
    int rt = evm_asm_new_label(A, "runtime"), end = evm_asm_new_label(A, "args");
    int fi = -1;
    for (int i = 0; i < g->m->nfuncs; i++)
        if (g->m->funcs[i]->kind == IR_FN_INIT)
            fi = i;
    if (fi >= 0) {
        IrFunc *f = g->m->funcs[fi];
        A->span = f->span;
        if (!(f->flags & IR_FN_PAYABLE))
            op(g, EVM_CALLVALUE), revert_if(g);
        if (f->nparams) {
            /* the ABI-encoded arguments follow the creation code */
            evm_asm_push_label(A, end), op(g, EVM_CODESIZE), op(g, EVM_SUB);
            op(g, EVM_DUP1), mstore_at(g, R_ARGLEN);
            evm_gen_push_free(g), op(g, EVM_DUP1), mstore_at(g, R_ARGS);     /* [p, len] */
            evm_asm_push_label(A, end), op(g, EVM_SWAP1), op(g, EVM_CODECOPY);
            mload_at(g, R_ARGLEN), push(g, 31), op(g, EVM_ADD), push(g, 31), op(g, EVM_NOT);
            op(g, EVM_AND), mload_at(g, EVM_FREE_PTR), op(g, EVM_ADD), mstore_at(g, EVM_FREE_PTR);
            evm_gen_decode_params(g, f, true);
        }
        evm_gen_call_body(g, fi);
    }
    A->span = (Span){0};
    push(g, nruntime), evm_asm_push_label(A, rt), push(g, 0), op(g, EVM_CODECOPY);
    push(g, nruntime), push(g, 0), op(g, EVM_RETURN);
    evm_gen_flush(g);
    evm_asm_mark(A, rt);
    evm_asm_data(A, runtime, (uint32_t)nruntime);
    evm_asm_mark(A, end);
}
