/* internal.h — what the files of ir/ share and nobody else sees: array growth in the
 * arena, place typing, and small predicates used by the printer, parser, validator
 * and passes. */
#ifndef WRIT_IR_INTERNAL_H
#define WRIT_IR_INTERNAL_H

#include "ir.h"

/* Grows an arena array of `n` elements so that one more fits; capacities are powers of
 * two, so the capacity is implied by n and no field records it. */
void *ir_grow(Arena *a, void *items, int n, size_t elem_size);
/* var = -1 and the index immediate of i->op (callee, iface/xfn, event, error) = -1: the
 * immediates share storage, so this is done once the op is known. */
void ir_instr_defaults(IrInstr *i);
/* A zeroed instruction of op, ir_instr_size(op) bytes (in ASan builds the whole struct with
 * the bytes past the op's immediates poisoned). */
IrInstr *ir_instr_alloc(IrFunc *f, IrOp op);
size_t ir_instr_size(IrOp op);
/* Unlinks i from block b, `prev` being the instruction before it (NULL at the top): what
 * ir_instr_remove does without the walk from the top of the block. */
void ir_instr_unlink(IrBlock *b, IrInstr *prev, IrInstr *i);
#define IR_PUSH(a, arr, n, val)                                                          \
    do {                                                                                 \
        (arr) = ir_grow((a), (arr), (n), sizeof *(arr));                                 \
        (arr)[(n)++] = (val);                                                            \
    } while (0)

/* Does the instruction define a value (printed as %id = ...)? */
bool ir_has_result(const IrInstr *i);
/* Is it a place instruction (storage or memory path)? */
bool ir_is_storage_place(IrOp op);
bool ir_is_memory_place(IrOp op);
/* Operands before the path's index operands: stores carry the value first, memory places
 * their root ref. */
int ir_place_prefix(IrOp op);
/* Walks `npath` steps of a path from `t`: index steps through map/array/list, field steps
 * through structs. NULL when a step does not fit the type. */
IrType *ir_path_step(const IrModule *m, IrType *t, IrPathElem e);
/* The root type of a place: the storage variable's type or the ref's element. */
IrType *ir_place_root(const IrModule *m, const IrInstr *i);
/* [A-Za-z_][A-Za-z0-9_]*: printed bare in the text form, other names are quoted. */
bool ir_is_ident(const char *s);
bool ir_type_is_int(const IrType *t);
/* Bit width used by arithmetic and constants: ints, bool (1), address (160), bytesN. */
unsigned ir_type_bits(const IrType *t);

#endif
