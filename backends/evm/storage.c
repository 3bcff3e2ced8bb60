/* storage.c — storage and memory images of values in solc's layout: slots of places (map
 * keys hashed with the slot, packed arrays, struct fields, list data at keccak256), packed
 * reads and read-modify-writes, strings in solc's short/long encoding (shared routines),
 * lists and structs copied between storage and memory, memory allocation of aggregates. */
#include <string.h>

#include "internal.h"

#define A (g->a)
#define PV(v) evm_gen_push_value(g, (v))

static IrType *strip_ref(IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return t;
}

static bool is_value_type(const IrType *t) {
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
           t->kind == IRT_BYTES;
}

static void push(EvmGen *g, uint64_t v) { evm_asm_push_u64(A, v); }
static void op(EvmGen *g, EvmOp o) { evm_asm_op(A, o); }
static void mload_at(EvmGen *g, uint32_t addr) { push(g, addr), op(g, EVM_MLOAD); }
static void mstore_at(EvmGen *g, uint32_t addr) { push(g, addr), op(g, EVM_MSTORE); }

/* Leaves the slot of the place on the stack. The byte offset inside the slot is
 * returned when static; *dyn is set when it is in register R_T3 instead. */
IrType *evm_gen_storage_place(EvmGen *g, IrInstr *i, int first_idx, uint32_t *offset, bool *dyn) {
    const IrStorage *var = &g->m->storage[i->var];
    const EvmSlot *s = &g->l->vars[i->var];
    IrType *t = strip_ref(var->type);
    *offset = s->offset;
    *dyn = false;
    int k = first_idx, p = 0;
    if (i->npath && i->path[0].kind == IR_PATH_INDEX && t->kind == IRT_MAP) {
        /* the key first: it may be the value just computed, still on the stack */
        PV(i->args[k++]), push(g, 0), op(g, EVM_MSTORE);
        evm_asm_push(A, s->slot), push(g, 0x20), op(g, EVM_MSTORE);
        push(g, 0x40), push(g, 0), op(g, EVM_KECCAK256);
        t = strip_ref(t->val);
        *offset = 0;
        p = 1;
    } else {
        evm_asm_push(A, s->slot);
    }
    for (; p < i->npath; p++) {
        IrPathElem e = i->path[p];
        if (e.kind == IR_PATH_FIELD) {
            const EvmSlot *fs = &g->l->fields[t->struct_index][e.field];
            if (!u256_is_zero(fs->slot)) {
                evm_asm_push(A, fs->slot);
                op(g, EVM_ADD);
            }
            *offset = fs->offset;
            t = strip_ref(g->m->structs[t->struct_index].fields[e.field].type);
            continue;
        }
        IrInstr *idx = i->args[k++];
        if (t->kind == IRT_MAP) {
            /* keccak256(key . slot) */
            push(g, 0x20), op(g, EVM_MSTORE);
            PV(idx), push(g, 0), op(g, EVM_MSTORE);
            push(g, 0x40), push(g, 0), op(g, EVM_KECCAK256);
            t = strip_ref(t->val);
            *offset = 0;
            continue;
        }
        IrType *et = strip_ref(t->elem);
        if (t->kind == IRT_LIST) {
            push(g, 0), op(g, EVM_MSTORE);
            push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256);
        } else if (t->kind != IRT_ARRAY) {
            /* the IR validator accepts index steps only through maps, arrays and lists */
            evm_gen_internal(g, i->span, "an index step through a storage type that is not a map, array or list");
            return t;
        }
        if (is_value_type(et) && evm_storage_bytes(et) < 32) {
            uint32_t size = evm_storage_bytes(et), per = 32 / size;
            /* slot += idx / per; offset = (idx % per) * size */
            push(g, per), PV(idx), op(g, EVM_DIV), op(g, EVM_ADD);
            push(g, size), push(g, per), PV(idx), op(g, EVM_MOD), op(g, EVM_MUL);
            mstore_at(g, R_T3);
            *dyn = true;
        } else {
            uint32_t n = evm_storage_slots(g->m, g->l, et);
            PV(idx);
            if (n != 1)
                push(g, n), op(g, EVM_MUL);
            op(g, EVM_ADD);
            *offset = 0;
        }
        t = et;
    }
    return t;
}

/* Member k of a struct or fixed array in storage: its type, its slot relative to the
 * aggregate's first slot, and its byte offset in that slot (small value-type array
 * elements are packed as solc packs them; struct fields come from the layout). */
static void member_place(EvmGen *g, IrType *t, int k, IrType **et, U256 *slot, uint32_t *off) {
    if (t->kind == IRT_STRUCT) {
        *et = strip_ref(g->m->structs[t->struct_index].fields[k].type);
        *slot = g->l->fields[t->struct_index][k].slot;
        *off = g->l->fields[t->struct_index][k].offset;
        return;
    }
    *et = strip_ref(t->elem);
    if (is_value_type(*et) && evm_storage_bytes(*et) < 32) {
        uint32_t per = 32 / evm_storage_bytes(*et);
        *slot = u256_from_u64((uint64_t)k / per);
        *off = (uint32_t)k % per * evm_storage_bytes(*et);
    } else {
        *slot = u256_from_u64((uint64_t)k * evm_storage_slots(g->m, g->l, *et));
        *off = 0;
    }
}

/* [slot] -> [value] */
void evm_gen_sload_value(EvmGen *g, IrType *t, uint32_t offset, bool dyn) {
    uint32_t size = evm_storage_bytes(t);
    op(g, EVM_SLOAD);
    if (dyn) {
        mload_at(g, R_T3), push(g, 3), op(g, EVM_SHL), op(g, EVM_SHR);
    } else if (offset) {
        push(g, offset * 8), op(g, EVM_SHR);
    }
    if (size < 32) {
        evm_asm_push(A, evm_low_mask(size * 8));
        op(g, EVM_AND);
        if (t->kind == IRT_INT && t->is_signed)
            push(g, size - 1), op(g, EVM_SIGNEXTEND);
    }
    if (t->kind == IRT_BYTES && t->bits < 256)
        push(g, 256 - t->bits), op(g, EVM_SHL);
}

/* [slot, value] -> [] */
void evm_gen_sstore_value(EvmGen *g, IrType *t, uint32_t offset, bool dyn) {
    uint32_t size = evm_storage_bytes(t);
    if (size == 32 && !dyn) {
        op(g, EVM_SSTORE);
        return;
    }
    op(g, EVM_SWAP1);                                  /* [v, slot] */
    if (t->kind == IRT_BYTES)
        push(g, 256 - t->bits), op(g, EVM_SHR);
    evm_asm_push(A, evm_low_mask(size * 8)), op(g, EVM_AND);
    if (dyn)
        mload_at(g, R_T3), push(g, 3), op(g, EVM_SHL), op(g, EVM_SHL);
    else if (offset)
        push(g, offset * 8), op(g, EVM_SHL);           /* [v', slot] */
    op(g, EVM_DUP2), op(g, EVM_SLOAD);                 /* [old, v', slot] */
    evm_asm_push(A, evm_low_mask(size * 8));
    if (dyn)
        mload_at(g, R_T3), push(g, 3), op(g, EVM_SHL), op(g, EVM_SHL);
    else if (offset)
        push(g, offset * 8), op(g, EVM_SHL);
    op(g, EVM_NOT), op(g, EVM_AND), op(g, EVM_OR);     /* [new, slot] */
    op(g, EVM_SWAP1), op(g, EVM_SSTORE);
}


/* [slot] -> [ptr]: a string in solc's storage encoding copied into fresh memory. */
/* Calls a shared routine of this code (emitted once, at the end): [] -> [] */
static void call_routine(EvmGen *g, int *label, const char *name) {
    if (*label < 0)
        *label = evm_asm_new_label(A, name);
    int back = evm_asm_new_label(A, NULL);
    evm_asm_push_label(A, back);
    evm_asm_jump(A, *label);
    evm_asm_label(A, back);
}

static void sload_string(EvmGen *g, IrType *t) {
    mstore_at(g, R_T0);                                    /* slot */
    evm_gen_alloc(g, evm_gen_mem_size(g, t)), mstore_at(g, R_T1);  /* ptr */
    call_routine(g, &g->lbl_sload_str, "load_string");
    mload_at(g, R_T1);
}

/* The routine: string at slot R_T0 into memory at R_T1; [ret] -> []. */
void evm_gen_sload_string_routine(EvmGen *g) {
    int lng = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
    int loop = evm_asm_new_label(A, NULL);
    evm_asm_label_any_depth(A, g->lbl_sload_str);
    mload_at(g, R_T0), op(g, EVM_SLOAD), op(g, EVM_DUP1), mstore_at(g, R_T2);
    push(g, 1), op(g, EVM_AND);
    evm_asm_jumpi(A, lng);
    /* short: data in the high bytes, 2*len in the low byte */
    mload_at(g, R_T2), push(g, 0xff), op(g, EVM_AND), push(g, 1), op(g, EVM_SHR);
    mload_at(g, R_T1), op(g, EVM_MSTORE);
    push(g, 0xff), op(g, EVM_NOT), mload_at(g, R_T2), op(g, EVM_AND);
    mload_at(g, R_T1), push(g, 32), op(g, EVM_ADD), op(g, EVM_MSTORE);
    evm_asm_jump(A, done);
    /* long: 2*len+1 in the slot, data from keccak256(slot) */
    evm_asm_label(A, lng);
    mload_at(g, R_T2), push(g, 1), op(g, EVM_SHR), mload_at(g, R_T1), op(g, EVM_MSTORE);
    mload_at(g, R_T0), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256), mstore_at(g, R_T0);
    push(g, 0), mstore_at(g, R_T2);                     /* byte index */
    evm_asm_label(A, loop);
    mload_at(g, R_T1), op(g, EVM_MLOAD), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    mload_at(g, R_T2), push(g, 5), op(g, EVM_SHR), mload_at(g, R_T0), op(g, EVM_ADD), op(g, EVM_SLOAD);
    mload_at(g, R_T2), mload_at(g, R_T1), op(g, EVM_ADD), push(g, 32), op(g, EVM_ADD), op(g, EVM_MSTORE);
    push(g, 32), mload_at(g, R_T2), op(g, EVM_ADD), mstore_at(g, R_T2);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
    op(g, EVM_JUMP);
}

/* [slot, ptr] -> []: a memory string stored in solc's storage encoding. */
static void sstore_string(EvmGen *g) {
    mstore_at(g, R_T0);                                 /* slot */
    mstore_at(g, R_T1);                                 /* ptr */
    call_routine(g, &g->lbl_sstore_str, "store_string");
}

/* The routine: memory string at R_T1 into slot R_T0; [ret] -> []. */
void evm_gen_sstore_string_routine(EvmGen *g) {
    int lng = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
    int loop = evm_asm_new_label(A, NULL);
    evm_asm_label_any_depth(A, g->lbl_sstore_str);
    /* as solc does: zero the words of an old long string that the new one does not cover */
    int was_short = evm_asm_new_label(A, NULL), clear = evm_asm_new_label(A, NULL);
    int cleared = evm_asm_new_label(A, NULL), cont = evm_asm_new_label(A, NULL);
    mload_at(g, R_T0), op(g, EVM_SLOAD), op(g, EVM_DUP1), push(g, 1), op(g, EVM_AND), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, was_short);                                              /* [old] */
    push(g, 1), op(g, EVM_SHR), push(g, 31), op(g, EVM_ADD), push(g, 5), op(g, EVM_SHR);
    mstore_at(g, R_T3);                                                       /* old words */
    mload_at(g, R_T1), op(g, EVM_MLOAD), op(g, EVM_DUP1), push(g, 31), op(g, EVM_LT);
    op(g, EVM_SWAP1), push(g, 31), op(g, EVM_ADD), push(g, 5), op(g, EVM_SHR), op(g, EVM_MUL);
    mstore_at(g, R_T2);                                                       /* new words */
    mload_at(g, R_T0), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256);                          /* [base] */
    evm_asm_label(A, clear);
    mload_at(g, R_T3), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, cleared);
    push(g, 0), op(g, EVM_DUP2), mload_at(g, R_T2), op(g, EVM_ADD), op(g, EVM_SSTORE);
    push(g, 1), mload_at(g, R_T2), op(g, EVM_ADD), mstore_at(g, R_T2);
    evm_asm_jump(A, clear);
    evm_asm_label(A, cleared);
    op(g, EVM_POP);
    evm_asm_jump(A, cont);
    evm_asm_label(A, was_short);
    op(g, EVM_POP);
    evm_asm_label(A, cont);
    push(g, 31), mload_at(g, R_T1), op(g, EVM_MLOAD), op(g, EVM_GT);
    evm_asm_jumpi(A, lng);
    /* short: high `len` bytes of the data word | 2*len */
    mload_at(g, R_T1), op(g, EVM_MLOAD), push(g, 1), op(g, EVM_SHL);
    push(g, 0), op(g, EVM_NOT);
    mload_at(g, R_T1), op(g, EVM_MLOAD), push(g, 3), op(g, EVM_SHL);
    op(g, EVM_SHR), op(g, EVM_NOT);
    mload_at(g, R_T1), push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD), op(g, EVM_AND), op(g, EVM_OR);
    mload_at(g, R_T0), op(g, EVM_SSTORE);
    evm_asm_jump(A, done);
    evm_asm_label(A, lng);
    push(g, 1), mload_at(g, R_T1), op(g, EVM_MLOAD), push(g, 1), op(g, EVM_SHL), op(g, EVM_OR);
    mload_at(g, R_T0), op(g, EVM_SSTORE);
    mload_at(g, R_T0), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256), mstore_at(g, R_T0);
    push(g, 0), mstore_at(g, R_T2);
    evm_asm_label(A, loop);
    mload_at(g, R_T1), op(g, EVM_MLOAD), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    mload_at(g, R_T2), mload_at(g, R_T1), op(g, EVM_ADD), push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD);
    mload_at(g, R_T2), push(g, 5), op(g, EVM_SHR), mload_at(g, R_T0), op(g, EVM_ADD), op(g, EVM_SSTORE);
    push(g, 32), mload_at(g, R_T2), op(g, EVM_ADD), mstore_at(g, R_T2);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
    op(g, EVM_JUMP);
}

/* Bytes of the memory image of an aggregate: one word per field or element (aggregates
 * inside are pointers), strings and lists a length word first. */
uint32_t evm_gen_mem_size(EvmGen *g, IrType *t) {
    t = strip_ref(t);
    switch (t->kind) {
    case IRT_STRING: return 32 + ((t->len + 31) & ~31u) + 32;
    case IRT_LIST: return 32 + 32 * t->len;
    case IRT_ARRAY: return 32 * t->len;
    case IRT_STRUCT: return 32 * (uint32_t)g->m->structs[t->struct_index].nfields;
    default: return 32;
    }
}

/* [] -> [ptr]: fresh zeroed memory for t, nested aggregates allocated too. */
void evm_gen_alloc_type(EvmGen *g, IrType *t) {
    t = strip_ref(t);
    uint32_t size = evm_gen_mem_size(g, t);
    evm_gen_alloc(g, size);                                            /* [p] */
    push(g, (size + 31) & ~31u), op(g, EVM_CALLDATASIZE), op(g, EVM_DUP3), op(g, EVM_CALLDATACOPY);
    if (t->kind == IRT_ARRAY || t->kind == IRT_STRUCT || t->kind == IRT_LIST) {
        int n = t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].nfields : (int)t->len;
        for (int k = 0; k < n; k++) {
            IrType *et = strip_ref(t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].fields[k].type
                                                         : t->elem);
            if (is_value_type(et))
                continue;
            evm_gen_alloc_type(g, et);                                         /* [q, p] */
            op(g, EVM_DUP2), push(g, 32u * (uint32_t)k + (t->kind == IRT_LIST ? 32 : 0));
            op(g, EVM_ADD), op(g, EVM_MSTORE);
        }
    }
}

/* Pushes the slot of element R_T2 of the list whose data starts at R_T0, and sets R_T3
 * to its byte offset (packed elements of fewer than 32 bytes). */
static void list_elem_slot(EvmGen *g, IrType *et) {
    uint32_t size = evm_storage_bytes(et), per = 32 / size;
    if (per > 1) {
        push(g, size), push(g, per), mload_at(g, R_T2), op(g, EVM_MOD), op(g, EVM_MUL);
        mstore_at(g, R_T3);
        push(g, per), mload_at(g, R_T2), op(g, EVM_DIV);
    } else {
        mload_at(g, R_T2);
    }
    mload_at(g, R_T0), op(g, EVM_ADD);
}

/* [slot] -> [ptr]: a list of value types copied out of storage (solc's dynamic array). */
/* [slot] -> [ptr]: a list of aggregates (each element loaded by evm_gen_sload, which may
 * use the registers: the loop keeps its state on the stack). */
static void sload_list_agg(EvmGen *g, IrType *t, IrType *et, Span sp) {
    uint32_t slots = evm_storage_slots(g->m, g->l, et);
    int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
    op(g, EVM_DUP1), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256), op(g, EVM_SWAP1);   /* [slot, base] */
    evm_gen_alloc_type(g, t);                                            /* [p, slot, base] */
    op(g, EVM_SWAP1), op(g, EVM_SLOAD);                                  /* [len, p, base] */
    op(g, EVM_DUP1), op(g, EVM_DUP3), op(g, EVM_MSTORE);
    push(g, 0);                                                          /* [i, len, p, base] */
    evm_asm_label(A, loop);
    op(g, EVM_DUP2), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    op(g, EVM_DUP4), op(g, EVM_DUP2), push(g, slots), op(g, EVM_MUL), op(g, EVM_ADD);
    evm_gen_sload(g, et, 0, false, sp);                                  /* [e, i, len, p, base] */
    op(g, EVM_DUP4), op(g, EVM_DUP3), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
    push(g, 32), op(g, EVM_ADD), op(g, EVM_MSTORE);
    push(g, 1), op(g, EVM_ADD);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
    op(g, EVM_POP), op(g, EVM_POP), op(g, EVM_SWAP1), op(g, EVM_POP);   /* [p] */
}

/* [slot, ptr] -> []: a memory list of aggregates into storage; the in-place slots of
 * elements past the new length are zeroed. */
static void sstore_list_agg(EvmGen *g, IrType *et, Span sp) {
    uint32_t slots = evm_storage_slots(g->m, g->l, et);
    int loop = evm_asm_new_label(A, NULL), clear = evm_asm_new_label(A, NULL);
    int done = evm_asm_new_label(A, NULL);
    op(g, EVM_DUP1), op(g, EVM_SLOAD);                                   /* [old, slot, ptr] */
    op(g, EVM_DUP3), op(g, EVM_MLOAD), op(g, EVM_DUP1), op(g, EVM_DUP4), op(g, EVM_SSTORE);
    op(g, EVM_DUP3), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256);                     /* [base, len, old, slot, ptr] */
    push(g, 0);                                                          /* [i, base, len, old, slot, ptr] */
    evm_asm_label(A, loop);
    op(g, EVM_DUP3), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, clear);
    op(g, EVM_DUP6), op(g, EVM_DUP2), push(g, 5), op(g, EVM_SHL), op(g, EVM_ADD);
    push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD);                       /* [e, i, base, ...] */
    op(g, EVM_DUP3), op(g, EVM_DUP3), push(g, slots), op(g, EVM_MUL), op(g, EVM_ADD);
    evm_gen_sstore(g, et, 0, false, sp);                                 /* [i, base, ...] */
    push(g, 1), op(g, EVM_ADD);
    evm_asm_jump(A, loop);
    evm_asm_label(A, clear);
    op(g, EVM_DUP4), op(g, EVM_DUP2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    for (uint32_t k = 0; k < slots; k++) {
        push(g, 0), op(g, EVM_DUP3), op(g, EVM_DUP3), push(g, slots), op(g, EVM_MUL);
        op(g, EVM_ADD);
        if (k)
            push(g, k), op(g, EVM_ADD);
        op(g, EVM_SSTORE);
    }
    push(g, 1), op(g, EVM_ADD);
    evm_asm_jump(A, clear);
    evm_asm_label(A, done);
    for (int k = 0; k < 6; k++)
        op(g, EVM_POP);
}

static void sload_list(EvmGen *g, IrType *t, Span sp) {
    IrType *et = strip_ref(t->elem);
    if (!is_value_type(et)) {
        if (et->kind == IRT_MAP) {
            /* the IR validator rejects list and array types of maps */
            evm_gen_internal(g, sp, "a list of maps");
            return;
        }
        /* structs, arrays, strings and lists: each element loaded by evm_gen_sload */
        sload_list_agg(g, t, et, sp);
        return;
    }
    int loop = evm_asm_new_label(A, NULL), done = evm_asm_new_label(A, NULL);
    bool packed = evm_storage_bytes(et) < 32;
    op(g, EVM_DUP1), mstore_at(g, R_T0);
    evm_gen_alloc_type(g, t), op(g, EVM_DUP1), mstore_at(g, R_T1);      /* [p, slot] */
    op(g, EVM_SWAP1), op(g, EVM_SLOAD), op(g, EVM_SWAP1), op(g, EVM_MSTORE);
    mload_at(g, R_T0), push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256), mstore_at(g, R_T0);
    push(g, 0), mstore_at(g, R_T2);
    evm_asm_label(A, loop);
    mload_at(g, R_T1), op(g, EVM_MLOAD), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    list_elem_slot(g, et);
    evm_gen_sload_value(g, et, 0, packed);
    mload_at(g, R_T2), push(g, 5), op(g, EVM_SHL), mload_at(g, R_T1), op(g, EVM_ADD);
    push(g, 32), op(g, EVM_ADD), op(g, EVM_MSTORE);
    push(g, 1), mload_at(g, R_T2), op(g, EVM_ADD), mstore_at(g, R_T2);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
    mload_at(g, R_T1);
}

/* [slot, ptr] -> []: a memory list of value types stored as solc's dynamic array; elements
 * past the new length are zeroed as solc does. */
static void sstore_list(EvmGen *g, IrType *t, Span sp) {
    IrType *et = strip_ref(t->elem);
    if (!is_value_type(et)) {
        if (et->kind == IRT_MAP) {
            /* the IR validator rejects list and array types of maps */
            evm_gen_internal(g, sp, "a list of maps");
            return;
        }
        sstore_list_agg(g, et, sp);
        return;
    }
    int loop = evm_asm_new_label(A, NULL), clear = evm_asm_new_label(A, NULL);
    int done = evm_asm_new_label(A, NULL);
    bool packed = evm_storage_bytes(et) < 32;
    op(g, EVM_DUP1), op(g, EVM_SLOAD), mstore_at(g, R_T3);             /* old length */
    op(g, EVM_SWAP1), op(g, EVM_DUP1), mstore_at(g, R_T1);             /* [p, slot] */
    op(g, EVM_MLOAD), op(g, EVM_DUP2), op(g, EVM_SSTORE);             /* [slot] */
    push(g, 0), op(g, EVM_MSTORE);
    push(g, 0x20), push(g, 0), op(g, EVM_KECCAK256), mstore_at(g, R_T0);
    /* the count of elements to write: max(new, old); R_T3 is reused for offsets */
    mload_at(g, R_T3), mload_at(g, R_T1), op(g, EVM_MLOAD), op(g, EVM_DUP2), op(g, EVM_DUP2);
    op(g, EVM_LT), evm_asm_jumpi(A, clear);                             /* [new, old] */
    op(g, EVM_SWAP1);
    evm_asm_label(A, clear);
    op(g, EVM_POP), mstore_at(g, R_T4);                                  /* max(new, old) */
    push(g, 0), mstore_at(g, R_T2);
    evm_asm_label(A, loop);
    mload_at(g, R_T4), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_ISZERO);
    evm_asm_jumpi(A, done);
    /* value: the element, or 0 past the new length */
    mload_at(g, R_T2), push(g, 5), op(g, EVM_SHL), mload_at(g, R_T1), op(g, EVM_ADD);
    push(g, 32), op(g, EVM_ADD), op(g, EVM_MLOAD);
    mload_at(g, R_T1), op(g, EVM_MLOAD), mload_at(g, R_T2), op(g, EVM_LT), op(g, EVM_MUL);
    list_elem_slot(g, et);                                               /* [slot, v] */
    evm_gen_sstore_value(g, et, 0, packed);
    push(g, 1), mload_at(g, R_T2), op(g, EVM_ADD), mstore_at(g, R_T2);
    evm_asm_jump(A, loop);
    evm_asm_label(A, done);
}

/* [slot] -> [ptr] for aggregates; [slot] -> [value] for value types */
void evm_gen_sload(EvmGen *g, IrType *t, uint32_t offset, bool dyn, Span sp) {
    t = strip_ref(t);
    if (is_value_type(t)) {
        evm_gen_sload_value(g, t, offset, dyn);
        return;
    }
    if (t->kind == IRT_STRING) {
        sload_string(g, t);
        return;
    }
    if (t->kind == IRT_LIST) {
        sload_list(g, t, sp);
        return;
    }
    if (t->kind == IRT_STRUCT || t->kind == IRT_ARRAY) {
        evm_gen_alloc_type(g, t);                                   /* [p, slot] */
        int n = t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].nfields : (int)t->len;
        for (int k = 0; k < n; k++) {
            IrType *et;
            U256 fslot;
            uint32_t foff;
            member_place(g, t, k, &et, &fslot, &foff);
            if (et->kind == IRT_MAP)
                continue;   /* a map member is not copied (its word stays zero), as wasm */
            op(g, EVM_DUP2), evm_asm_push(A, fslot), op(g, EVM_ADD);   /* [s, p, slot] */
            if (is_value_type(et)) {
                evm_gen_sload_value(g, et, foff, false);
                op(g, EVM_DUP2), push(g, 32u * (uint32_t)k), op(g, EVM_ADD), op(g, EVM_MSTORE);
            } else {
                /* nested aggregates are rebuilt (the fresh pointer replaces the allocated one) */
                evm_gen_sload(g, et, 0, false, sp);
                op(g, EVM_DUP2), push(g, 32u * (uint32_t)k), op(g, EVM_ADD), op(g, EVM_MSTORE);
            }
        }
        op(g, EVM_SWAP1), op(g, EVM_POP);
        return;
    }
    /* maps: the IR validator rejects loading a whole map (other kinds are handled above) */
    evm_gen_internal(g, sp, "loading a whole map");
}

/* [slot, value-or-ptr] -> [] */
void evm_gen_sstore(EvmGen *g, IrType *t, uint32_t offset, bool dyn, Span sp) {
    t = strip_ref(t);
    if (is_value_type(t)) {
        evm_gen_sstore_value(g, t, offset, dyn);
        return;
    }
    if (t->kind == IRT_STRING) {
        sstore_string(g);
        return;
    }
    if (t->kind == IRT_LIST) {
        sstore_list(g, t, sp);
        return;
    }
    if (t->kind == IRT_STRUCT || t->kind == IRT_ARRAY) {
        int n = t->kind == IRT_STRUCT ? g->m->structs[t->struct_index].nfields : (int)t->len;
        for (int k = 0; k < n; k++) {
            IrType *et;
            U256 fslot;
            uint32_t foff;
            member_place(g, t, k, &et, &fslot, &foff);
            if (et->kind == IRT_MAP)
                continue;   /* a map member is left as it is in storage (as wasm) */
            if (is_value_type(et) && evm_storage_bytes(et) < 32) {
                /* the members sharing this slot: one word, one SSTORE, no read */
                push(g, 0);                                              /* [w, slot, p] */
                for (;;) {
                    uint32_t size = evm_storage_bytes(et);
                    op(g, EVM_DUP3), push(g, 32u * (uint32_t)k), op(g, EVM_ADD), op(g, EVM_MLOAD);
                    if (et->kind == IRT_BYTES)
                        push(g, 256 - et->bits), op(g, EVM_SHR);
                    evm_asm_push(A, evm_low_mask(size * 8)), op(g, EVM_AND);
                    if (foff)
                        push(g, foff * 8), op(g, EVM_SHL);
                    op(g, EVM_OR);
                    if (k + 1 >= n)
                        break;
                    IrType *nt;
                    U256 ns;
                    member_place(g, t, k + 1, &nt, &ns, &foff);
                    if (!is_value_type(nt) || !u256_eq(ns, fslot))
                        break;
                    et = nt;
                    k++;
                }
                op(g, EVM_DUP2), evm_asm_push(A, fslot), op(g, EVM_ADD), op(g, EVM_SSTORE);
                continue;
            }
            /* [slot, p] */
            op(g, EVM_DUP2), push(g, 32u * (uint32_t)k), op(g, EVM_ADD), op(g, EVM_MLOAD);
            op(g, EVM_DUP2), evm_asm_push(A, fslot), op(g, EVM_ADD);  /* [s, v, slot, p] */
            evm_gen_sstore(g, et, foff, false, sp);
        }
        op(g, EVM_POP), op(g, EVM_POP);
        return;
    }
    /* maps: the IR validator rejects storing a whole map */
    evm_gen_internal(g, sp, "storing a whole map");
}

/* [slot] -> [len] */
void evm_gen_slen(EvmGen *g, IrType *t) {
    op(g, EVM_SLOAD);
    if (t->kind == IRT_STRING) {
        /* long: (w - 1) / 2; short: (w & 0xff) / 2; both equal (w & (w&1 ? ~0 : 0xff)) >> 1 */
        op(g, EVM_DUP1), push(g, 1), op(g, EVM_AND), op(g, EVM_ISZERO);  /* [short?, w] */
        push(g, 0xff), op(g, EVM_NOT), op(g, EVM_MUL), op(g, EVM_NOT);   /* [mask, w] */
        op(g, EVM_AND), push(g, 1), op(g, EVM_SHR);
    }
}

