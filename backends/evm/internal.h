/* internal.h — what the EVM backend's files share: the opcode table, the assembler
 * (instruction buffer with symbolic labels); the JSON writer, the storage layout and the
 * ABI JSON come from backends/abi, shared with the wasm backend.
 * Nothing outside backends/evm includes it (tests/evm does, to test the units). */
#ifndef WRIT_EVM_INTERNAL_H
#define WRIT_EVM_INTERNAL_H

#include "backends/abi/abi.h"
#include "evm.h"

/* ---------------- opcodes ---------------- */
typedef enum EvmOp {
#define X(e, name, byte, in, out, gas, imm, doc) e,
#include "opcodes.def"
#undef X
    EVM_OP_COUNT
} EvmOp;

typedef struct EvmOpInfo {
    const char *name;
    uint8_t byte;
    uint8_t in, out;
    uint16_t gas;
    uint8_t imm;
} EvmOpInfo;
extern const EvmOpInfo evm_op_info[EVM_OP_COUNT];
/* Opcode of a byte, or -1 when the byte is not an instruction. */
int evm_op_of_byte(uint8_t b);

/* ---------------- assembler ---------------- */
typedef enum EvmItemKind {
    EI_OP,        /* an opcode without immediate */
    EI_PUSH,      /* push a constant, shortest encoding (PUSH0 for 0) */
    EI_PUSHLABEL, /* push a label's offset; width settled by the fixed point */
    EI_LABEL,     /* a jump label: JUMPDEST */
    EI_MARK,      /* a position label: no byte (data, code end) */
    EI_DATA,      /* raw bytes */
} EvmItemKind;

typedef struct EvmItem {
    uint8_t kind;
    uint8_t op;         /* EI_OP */
    uint8_t width;      /* EI_PUSH / EI_PUSHLABEL: immediate bytes */
    int label;          /* EI_PUSHLABEL / EI_LABEL / EI_MARK */
    U256 imm;           /* EI_PUSH */
    const uint8_t *data;/* EI_DATA */
    uint32_t ndata;
    uint32_t offset;    /* settled by evm_asm_assemble */
    Span span;
    const char *comment;/* shown in the listing */
    char jump;          /* source map: 'i' into a function, 'o' out of one, else '-' */
} EvmItem;

typedef struct EvmAsm {
    Arena *arena;
    EvmItem *items;
    int n, cap;
    int nlabels, label_cap;
    int *label_item;    /* item index of each label's definition, -1 until placed */
    const char **label_name;
    Span span;          /* applied to every item added */
    void (*before_emit)(void *ctx); /* called before each item is added (codegen's hook) */
    void *hook_ctx;
    /* Stack depth as emitted (items on the stack since the code's start), EVM_DEPTH_UNKNOWN
     * after an exit or at a label whose ways in disagree or cannot all be seen: a label gets
     * the depth of every `push label; JUMP(I)` to it and of the fall-through; a label whose
     * address is pushed for anything else (a return address) is unknown. Code may address a
     * value by depth (DUPn) only where the depth is known. depth_broken: a jump back to a
     * label already placed came with another depth than the one assumed there (the code
     * after that label must not have relied on it; see evm_compile). */
    int depth;
    int *label_depth;   /* per label: depth of the jumps seen so far, or UNSET / UNKNOWN */
    bool depth_broken;
} EvmAsm;

enum { EVM_DEPTH_UNKNOWN = -1000000, EVM_DEPTH_UNSET = -2000000, EVM_DEPTH_ANY = -3000000 };

void evm_asm_init(EvmAsm *a, Arena *arena);
int evm_asm_new_label(EvmAsm *a, const char *name);   /* name may be NULL */
void evm_asm_op(EvmAsm *a, EvmOp op);
void evm_asm_push(EvmAsm *a, U256 v);
void evm_asm_push_u64(EvmAsm *a, uint64_t v);
void evm_asm_push_label(EvmAsm *a, int label);
void evm_asm_label(EvmAsm *a, int label);              /* JUMPDEST here */
/* The same for a label reached from any depth (shared stubs, loop headers): the depth is
 * unknown after it, and no jump to it is compared with another. */
void evm_asm_label_any_depth(EvmAsm *a, int label);
void evm_asm_mark(EvmAsm *a, int label);               /* position only */
void evm_asm_data(EvmAsm *a, const uint8_t *data, uint32_t n);
void evm_asm_comment(EvmAsm *a, const char *text);     /* attaches to the last item */
void evm_asm_jump_kind(EvmAsm *a, char kind);          /* 'i' / 'o' on the last item */
/* push label; JUMP — and the conditional form (condition already on the stack). */
void evm_asm_jump(EvmAsm *a, int label);
void evm_asm_jumpi(EvmAsm *a, int label);
/* peephole.c: rewrite rules, unreachable code, JUMPDESTs nothing jumps to (in place). */
void evm_asm_optimize(EvmAsm *a);
/* Settles push widths (fixed point) and label offsets, then writes the bytes. Returns
 * false (with *err set) when a label was used but never placed. */
bool evm_asm_assemble(EvmAsm *a, uint8_t **code, size_t *n, const char **err);
uint32_t evm_asm_label_offset(const EvmAsm *a, int label);  /* after assembling */
/* Listing: offset, bytes, mnemonic, label names, and the source line of each span change. */
void evm_asm_listing(const EvmAsm *a, const SrcSet *srcs, FILE *out);
/* solc source map ("s:l:f:j;..." compressed) of the assembled items. */
char *evm_asm_srcmap(const EvmAsm *a, Arena *arena);

/* ---------------- JSON writer, storage layout, ABI: backends/abi (shared) ---------------- */
typedef AbiSlot EvmSlot;
typedef AbiLayout EvmLayout;
static inline uint32_t evm_storage_bytes(const IrType *t) { return abi_storage_bytes(t); }
static inline uint32_t evm_storage_slots(const IrModule *m, const EvmLayout *l, const IrType *t) {
    return abi_storage_slots(m, l->struct_slots, t);
}

/* ---------------- code generation ---------------- */
/* Memory map of generated code: 0x00-0x7f scratch (map keys and hashing, static event,
 * return and revert data), 0x80 the heap bytes used so far (0 at the start: no setup, and
 * calls that allocate nothing never touch it), then one static frame per function from
 * 0xa0 (its parameters, then its values' words; frames of functions that can be active
 * together do not overlap), then eight registers (temporaries inside one IR instruction:
 * code that needs none never pays for their memory), then the heap. */
enum {
    EVM_SCRATCH_WORDS = 4,
    EVM_FREE_PTR = 0x80,
    EVM_FRAMES = 0xa0,
    EVM_NREGS = 8,
};
#define EVM_REG(k) (g->reg_base + 32u * (k))

/* An internal call emitted inline: the callee reads its parameters as the caller's
 * arguments, in the caller's context (which may itself be inlined: `up`). */
typedef struct EvmInline {
    IrInstr **args;
    IrFunc *f;
    int fi;
    struct EvmInline *up;
} EvmInline;

typedef struct EvmGen {
    IrModule *m;
    const EvmLayout *l;
    DiagSink *diags;
    Arena *arena;
    EvmAsm *a;
    bool ok;
    bool creation;            /* emitting the creation code */
    uint32_t *frame_base;     /* per IrModule.funcs index */
    uint32_t *frame_size;
    int *param_words;         /* per function: frame words for its params (0 when never read) */
    uint32_t reg_base;        /* the registers, after every frame */
    uint32_t heap_base;
    int **slots;              /* per function, per value id: its word in the frame */
    bool *calls_out;          /* per function: may make an external call (computed lazily) */
    int *body_label;          /* per function: label of its body in `a`, -1 before use */
    int *queue, nqueue;       /* functions whose bodies are still to emit into `a` */
    int lbl_revert;           /* plain revert stub, -1 until used */
    bool revert_placed;       /* the stub is already emitted (runtime: after the dispatch) */
    bool value_checked;       /* callvalue is rejected once before the dispatch */
    int lbl_sload_str, lbl_sstore_str; /* shared string routines, -1 until used */
    int lbl_panic[0x52];      /* Panic(code) stubs */
    /* the function being emitted */
    IrFunc *f;
    int fi;
    int *block_label;
    /* Stack forwarding: a value whose only use is later in its block stays on the stack
     * while nothing else is emitted; the first other emission spills it to its frame word. */
    IrInstr *pending;
    bool pending_stored;     /* its frame word is written too: a spill only pops it */
    IrInstr **single_user;   /* by instruction id: the one instruction using it, or NULL */
    int *nuses;              /* by instruction id: how many operands name it */
    /* A value carried over its block's branch: on the stack when either target starts; the
     * target holding its one later use (carry_to) takes it as forwarded, the other stores
     * it to its word (or drops it) first. */
    IrInstr *carry;
    IrBlock *carry_from, *carry_to;
    IrInstr *fused;          /* an op already emitted together with its check */
    IrInstr *cached_place;   /* the sload whose slot is in the frame's cache word */
    bool cache_on_stack;     /* ... or under everything on the stack, until its sstore */
    int inline_back;         /* >= 0: emitting a body inline, `ret` continues there */
    int cd_fi;               /* >= 0: this entry's params are read from calldata where used */
    struct EvmInline *inl;   /* the function is inlined at a call: its params are the call's args */
    bool inline_jumped;      /* some `ret` of the inline body jumped to inline_back */
    int lbl_ret_string;      /* shared "return one string" routine, -1 until used */
    int lbl_ret_sstring;     /* shared "return the string at a storage slot" routine */
    /* Parameters on the stack: an entry point whose params are read from calldata loads
     * the ones read more than once onto the stack first, under everything its body pushes;
     * a read is then DUPn, n from the tracked depth (EvmAsm.depth), or CALLDATALOAD again
     * where the depth is unknown or the value is out of DUP16's reach. */
    int *sp_pos;             /* per param of cd_fi: the depth just after its push, or -1 */
    bool no_stack_params;    /* off (the retry after a depth conflict; see evm_compile) */
    bool stack_params_used;  /* some read was a DUPn */
} EvmGen;

/* codegen.c */
void evm_gen_init(EvmGen *g, IrModule *m, const EvmLayout *l, DiagSink *diags, Arena *arena);
void evm_gen_begin(EvmGen *g, EvmAsm *a, bool creation);
int evm_gen_body_label(EvmGen *g, int fi);     /* queues the function's body */
void evm_gen_flush(EvmGen *g);                 /* emits queued bodies and the stubs */
/* Runs function fi's body from an entry point: inline when no internal call needs it as a
 * routine, else a call; either way its result (if any) is then on the stack. */
void evm_gen_call_body(EvmGen *g, int fi);
int evm_gen_revert_label(EvmGen *g);
/* Function fi's body is inlined in its entry point and its params are one-word values:
 * they are validated where decoded but read from calldata where used. */
bool evm_gen_params_in_calldata(EvmGen *g, int fi);
/* Reads of param k of function fi as emitted (uses, through inlined calls too). */
int evm_gen_param_reads(EvmGen *g, int fi, int k);
int evm_gen_panic_label(EvmGen *g, int code);
void evm_gen_alloc(EvmGen *g, uint32_t bytes);  /* pushes a pointer to `bytes` fresh bytes */
void evm_gen_push_free(EvmGen *g);              /* pushes the first free heap address */
void evm_gen_alloc_type(EvmGen *g, IrType *t);  /* pushes fresh zeroed memory for t */
void evm_gen_normalize(EvmGen *g, const IrType *t); /* cleans the top word to t's form */
uint32_t evm_gen_param_slot(EvmGen *g, int fi, int k);
/* dispatch.c: ABI encoding and decoding, the entry points */
/* ABI-encodes the values at `start`: [start] -> [start]. Returns the size when static,
 * -1 when dynamic (the end is then in R_TAIL); evm_gen_encoded_size turns that into
 * [start, size]. */
int evm_gen_encode(EvmGen *g, IrInstr **vals, IrType **types, int n);
void evm_gen_encoded_size(EvmGen *g, int size);
int evm_gen_static_words(EvmGen *g, IrType **types, int n);  /* -1 when any is dynamic */
void evm_gen_decode_params(EvmGen *g, IrFunc *f, bool from_memory);
/* [] -> [value or ptr]: an external call's return data, copied to memory and decoded. */
void evm_gen_decode_returndata(EvmGen *g, IrType *t, Span sp);
void evm_gen_runtime(EvmGen *g, EvmAsm *a);
void evm_gen_creation(EvmGen *g, EvmAsm *a, const uint8_t *runtime, size_t nruntime);
/* Pushes an SSA value (constants inline, everything else from its frame word). */
void evm_gen_push_value(EvmGen *g, IrInstr *v);

void evm_gen_fail(EvmGen *g, Span sp, const char *what);  /* "... is not supported yet" */
/* "evm backend: internal error: ...": a construct the IR validator rejects reached codegen */
void evm_gen_internal(EvmGen *g, Span sp, const char *what);
U256 evm_low_mask(unsigned bits);                         /* 2^bits - 1 */
/* storage.c: places and the storage/memory images of values */
/* Pushes the slot of a storage place (index operands from args[first_idx]); returns the
 * type there and its byte offset in the slot (*dyn: the offset is in register R_T3). */
IrType *evm_gen_storage_place(EvmGen *g, IrInstr *i, int first_idx, uint32_t *offset, bool *dyn);
void evm_gen_sload_value(EvmGen *g, IrType *t, uint32_t offset, bool dyn);   /* [slot] -> [v] */
void evm_gen_sstore_value(EvmGen *g, IrType *t, uint32_t offset, bool dyn);  /* [slot, v] -> [] */
void evm_gen_sload(EvmGen *g, IrType *t, uint32_t offset, bool dyn, Span sp);  /* [slot] -> [v|ptr] */
void evm_gen_sstore(EvmGen *g, IrType *t, uint32_t offset, bool dyn, Span sp); /* [slot, v|ptr] -> [] */
void evm_gen_slen(EvmGen *g, IrType *t);                  /* [slot] -> [length] */
uint32_t evm_gen_mem_size(EvmGen *g, IrType *t);          /* bytes of t's memory image */
void evm_gen_sload_string_routine(EvmGen *g);             /* shared routines, at the end */
void evm_gen_sstore_string_routine(EvmGen *g);

/* registers (an EvmGen *g must be in scope) */
#define R_T4 EVM_REG(0)
#define R_TAIL EVM_REG(1)
#define R_ARGS EVM_REG(2)
#define R_ARGLEN EVM_REG(3)
#define R_T0 EVM_REG(4)
#define R_T1 EVM_REG(5)
#define R_T2 EVM_REG(6)
#define R_T3 EVM_REG(7)

#endif
