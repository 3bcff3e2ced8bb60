/* internal.h — what the wasm backend's files share: the generator state, the memory map
 * and value representation, and the binaryen helpers. Only backends/wasm includes it. */
#ifndef WRIT_WB_INTERNAL_H
#define WRIT_WB_INTERNAL_H

#include <binaryen-c.h>

#include "wasm.h"

/* Memory map: 0..511 scratch owned by the runtime helpers (see runtime.c), read-only data
 * (string literals as memory images) from WB_RODATA, then the bump heap. */
enum { WB_SCRATCH_KEY = 0, WB_SCRATCH_WORD = 64, WB_SCRATCH_T0 = 96, WB_SCRATCH_T1 = 288,
       WB_SCRATCH_T2 = 416, WB_RODATA = 512 };

/* The Solidity storage layout (layout.c). */
typedef struct WbSlot {
    U256 slot;          /* first slot */
    uint8_t offset;     /* byte offset inside it (packed value types) */
} WbSlot;

typedef struct WbLayout {
    WbSlot *vars;       /* per IrModule.storage (ghosts: unused) */
    WbSlot **fields;    /* per struct: fields relative to the struct's slot */
    uint32_t *struct_slots;
} WbLayout;

void wb_layout_compute(const IrModule *m, Arena *a, WbLayout *l);
uint32_t wb_storage_bytes(const IrType *t);      /* packing unit; 32 for aggregates */
uint32_t wb_storage_slots(const IrModule *m, const WbLayout *l, const IrType *t);
char *wb_abi_json(const IrModule *m, Arena *a);  /* the Solidity ABI, as solc writes it */

/* Engines (wasmer, V8, the bundled VM) cap a function's locals at 50000. */
enum { WB_MAX_LOCALS = 50000 };

/* Values: every scalar (bool, integers, address, bytesN) is four i64 locals holding its
 * canonical 256-bit form (ir.h: zero- or sign-extended); a ref is one i32 local holding a
 * memory address. Memory images: a scalar is a 32-byte word of native limbs; string<N> and
 * list<T, N> are a length word then their capacity; arrays and structs lay their members
 * out in order, nested aggregates inline. */
typedef struct WbGen {
    IrModule *m;
    Arena *arena;
    DiagSink *diags;
    BinaryenModuleRef mod;
    WbLayout layout;
    bool ok;
    uint32_t **str_addr;      /* per function, per IR_STR value id: its rodata address */
    uint32_t heap_base;
    /* the function being compiled */
    IrFunc *f;
    int fi;
    int nloops;               /* names of loop labels */
    int *local_of;            /* by value id: first local, -1 when none */
    BinaryenType *vars;       /* locals after the parameters */
    int nvars, capvars, nparams_wasm;
    int *phi_in;              /* by value id: the phi's incoming locals */
    int tmp64, tmp32;         /* scratch locals: 8 i64 from tmp64, 8 i32 from tmp32 */
    int label_helper;
    /* the span map: top-level statements of the function being compiled and their spans */
    BinaryenExpressionRef *loc_expr;
    Span *loc_span;
    int nlocs, caplocs;
    BinaryenIndex *file_index;  /* per source file id + 1: binaryen's debug file index, 0 = none yet */
    int nfiles;
    /* statements of the block being emitted */
    BinaryenExpressionRef *code;
    int ncode, capcode;
} WbGen;

char *wb_runtime_text(Arena *a, const uint8_t *rodata, uint32_t nrodata);

/* codegen.c */
void wb_fail(WbGen *g, Span sp, const char *what);
bool wb_is_scalar(const IrType *t);
IrType *wb_strip(const IrType *t);
uint32_t wb_mem_size(WbGen *g, const IrType *t);   /* bytes of t's memory image */
void wb_emit(WbGen *g, BinaryenExpressionRef e);
BinaryenExpressionRef wb_i32(WbGen *g, int32_t v);
BinaryenExpressionRef wb_i64(WbGen *g, int64_t v);
BinaryenExpressionRef wb_limb(WbGen *g, IrInstr *v, int k);   /* limb k of a scalar value */
BinaryenExpressionRef wb_ref(WbGen *g, IrInstr *v);           /* an aggregate's address */
BinaryenExpressionRef wb_r(WbGen *g, int k);                  /* global r0..r3 */
BinaryenExpressionRef wb_call(WbGen *g, const char *fn, BinaryenExpressionRef *args, int n,
                              BinaryenType ret);
BinaryenExpressionRef wb_get64(WbGen *g, int local);
BinaryenExpressionRef wb_get32(WbGen *g, int local);
int wb_new_local(WbGen *g, BinaryenType t);
int wb_new_scalar(WbGen *g);
/* Wraps code[mark..] (emitted since) into `for (iv = 0; iv < n; iv++)`. */
void wb_loop(WbGen *g, int mark, int iv, BinaryenExpressionRef n);
void wb_compile_funcs(WbGen *g);
/* Span map: code[mark..] (just emitted) comes from span sp; applied to the function
 * once it is added. */
void wb_note_span(WbGen *g, int mark, Span sp);
void wb_apply_spans(WbGen *g, BinaryenFunctionRef fn);

/* abi.c: encoding, decoding, events, errors and the entry point */
/* Emits code leaving in local `out_size` the size and in `out_ptr` a fresh buffer holding
 * `prefix` bytes (filled by the caller after) then abi.encode(vals). */
void wb_encode(WbGen *g, IrInstr **vals, IrType **types, int n, uint32_t prefix,
               int out_ptr, int out_size);
void wb_emit_event(WbGen *g, IrInstr *i);
void wb_emit_revert_error(WbGen *g, IrInstr *i);
void wb_emit_revert_msg(WbGen *g, IrInstr *i);
void wb_emit_xcall(WbGen *g, IrInstr *i);
void wb_compile_entry(WbGen *g);

#endif
