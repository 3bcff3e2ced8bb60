/* ir.h — the public header of the IR stage: Writ's typed SSA over basic blocks.
 * One IrModule per contract. Backends, the verifier and the CLI see the program only
 * through this header. Values are scalars (bool, integers up to 256 bits, address,
 * bytesN) or `ref`s to aggregates (strings, arrays, structs, lists) that live in memory;
 * storage is abstract (a variable plus a path of indices and fields) and every backend
 * chooses its own layout. All IR memory comes from the module's arena. */
#ifndef WRIT_IR_H
#define WRIT_IR_H

#include "base.h"

/* ---------------- instructions ---------------- */
enum {
    OPF_RESULT = 1 << 0,
    OPF_TERM = 1 << 1,
    OPF_CHECK = 1 << 2,
    OPF_EFFECT = 1 << 3,
    OPF_SPEC = 1 << 4,
};

typedef enum IrOp {
#define X(e, text, nargs, flags, doc) e,
#include "ops.def"
#undef X
    IR_OP_COUNT
} IrOp;

typedef struct IrOpInfo {
    const char *name;
    int nargs;
    unsigned flags;
} IrOpInfo;
extern const IrOpInfo ir_op_info[IR_OP_COUNT];

/* ---------------- types (interned per module: equal types are equal pointers) ---------------- */
typedef enum IrTypeKind {
    IRT_VOID, IRT_BOOL, IRT_INT, IRT_ADDRESS, IRT_BYTES,
    IRT_STRING, IRT_ARRAY, IRT_LIST, IRT_MAP, IRT_STRUCT,
    IRT_REF,      /* a value that points at memory holding `elem` (aggregates only) */
    IRT_COUNT
} IrTypeKind;

typedef struct IrType IrType;
struct IrType {
    IrTypeKind kind;
    uint16_t bits;     /* IRT_INT: 8..256; IRT_BYTES: 8*N; IRT_ADDRESS: 160; IRT_BOOL: 1 */
    bool is_signed;
    uint32_t len;      /* IRT_ARRAY length; IRT_LIST / IRT_STRING bound */
    IrType *elem;      /* IRT_ARRAY, IRT_LIST, IRT_REF */
    IrType *key, *val; /* IRT_MAP */
    int struct_index;  /* IRT_STRUCT: index into IrModule.structs */
};

/* ---------------- places: storage variable or memory ref, then a path ---------------- */
typedef enum IrPathKind { IR_PATH_INDEX, IR_PATH_FIELD } IrPathKind;
typedef struct IrPathElem {
    IrPathKind kind;
    uint32_t field; /* IR_PATH_FIELD: field number; IR_PATH_INDEX: consumes the next operand */
} IrPathElem;

typedef enum IrEnv {
    IR_ENV_CALLER, IR_ENV_CALLVALUE, IR_ENV_ORIGIN, IR_ENV_ADDRESS,
    IR_ENV_NUMBER, IR_ENV_TIMESTAMP, IR_ENV_CHAINID,
    IR_ENV_COUNT
} IrEnv;
extern const char *const ir_env_names[IR_ENV_COUNT];

typedef struct IrBlock IrBlock;
typedef struct IrInstr IrInstr;
typedef struct IrFunc IrFunc;

/* An instruction is also the SSA value it defines (when OPF_RESULT). Up to 72 bytes: the
 * immediates of different ops share storage at the end, and ir_instr_new allocates an
 * instruction up to the end of its op's immediates only (places, str and xcall 72 bytes,
 * every other op 64, so a pointer immediate such as `targets` reads
 * NULL on an op that does not own it). So read an immediate only on the ops that own it
 * (the comments say which): on other ops it is another immediate's bytes or past the end
 * of the instruction (test builds poison those bytes; ASan reports the read). `var` and
 * everything before the union are valid on every op. ir_instr_new sets the index
 * immediates of its op to -1. Changing an instruction's op in place is only valid between
 * ops of the same size (br -> jmp); fold makes a new const instead. */
struct IrInstr {
    uint8_t op;          /* IrOp */
    uint8_t flags;       /* IR_F_* */
    uint16_t nargs;
    int id;              /* %id printed for the result, numbered per function */
    IrType *type;        /* result type (NULL/void when none); check.cast: the type checked */
    IrInstr **args;      /* value operands */
    int var;             /* storage places: IrModule.storage index; -1 otherwise */
    Span span;           /* every instruction carries its source span */
    IrBlock *block;
    IrInstr *next;       /* in its block; singly linked (ir_instr_remove finds the one before) */
    union {              /* immediates, by op */
        const U256 *imm;         /* IR_CONST: its value; IR_PARAM: its number, imm->w[0].
                                    Out of line and shared (ir_imm): never written through */
        struct {
            const uint8_t *bytes;/* IR_STR */
            uint32_t nbytes;
        };
        struct {
            IrPathElem *path;    /* places (storage and memory) */
            int npath;
        };
        IrType *alloc_type;      /* IR_ALLOCA */
        IrEnv env;               /* IR_ENV */
        int callee;              /* IR_CALL: IrModule.funcs index */
        struct {
            int iface, xfn;      /* IR_XCALL: IrModule.ifaces index and function index in it */
        };
        int event;               /* IR_EMIT */
        int error;               /* IR_REVERT */
        IrBlock **targets;       /* IR_JMP (1), IR_BR (2) */
        IrBlock **phi_blocks;    /* IR_PHI: the predecessor each operand comes from */
    };
};

enum {
    IR_F_PROVEN = 1 << 0,  /* a check the verifier proved can never fail: backends omit it */
    IR_F_GHOST = 1 << 1,   /* touches a ghost variable: backends omit it */
};

struct IrBlock {
    int id;              /* bbN */
    int npreds;
    IrInstr *first, *last;
    IrBlock **preds;     /* computed by ir_cfg_compute */
    IrBlock *next_in_func; /* the function's blocks are chained from IrFunc.entry */
};

typedef enum IrFuncKind {
    IR_FN,            /* an ordinary function (public or internal) */
    IR_FN_INIT,       /* the constructor */
    IR_FN_REQUIRES,   /* spec functions: return bool; `owner` is the function they belong to */
    IR_FN_ENSURES,    /* has the owner's params, then IR_RESULT available */
    IR_FN_REVERTS_IF,
    IR_FN_INVARIANT,  /* no params; owner -1 */
    IR_FN_KIND_COUNT
} IrFuncKind;

enum {
    IR_FN_PUB = 1 << 0,
    IR_FN_VIEW = 1 << 1,
    IR_FN_PAYABLE = 1 << 2,
    IR_FN_REENTRANT = 1 << 3,
};

typedef struct IrParam {
    const char *name;
    IrType *type;
} IrParam;

struct IrFunc {
    IrFuncKind kind;
    unsigned flags;       /* IR_FN_* */
    int nparams;
    uint32_t selector;    /* pub: first four bytes of keccak256(signature), big-endian */
    int owner;            /* spec functions: index of the function they constrain */
    int nblocks, ninstrs; /* counters for numbering */
    Span span;
    const char *name;
    IrParam *params;
    IrType *ret;          /* void when none */
    const char *signature;/* pub: "transfer(address,uint256)" */
    IrBlock *entry;       /* the first block; blocks are chained by next_in_func */
    struct IrModule *module;
};

typedef struct IrField {
    const char *name;
    IrType *type;
    bool indexed;         /* event fields */
} IrField;

typedef struct IrStruct {
    const char *name;
    IrField *fields;
    int nfields;
} IrStruct;

typedef struct IrStorage {
    const char *name;
    IrType *type;
    bool ghost;
    Span span;
} IrStorage;

typedef struct IrEvent {       /* also used for custom errors */
    const char *name;
    IrField *fields;
    int nfields;
    const char *signature;     /* "Transfer(address,address,uint256)" */
    uint8_t topic0[32];        /* keccak256(signature); an error's selector is topic0[0..4] */
} IrEvent;

typedef struct IrIface {
    const char *name;
    IrFunc **fns;              /* signatures only (no blocks) */
    int nfns;
} IrIface;

typedef struct IrModule {
    Arena *arena;
    const char *name;          /* the contract */
    IrStorage *storage; int nstorage;
    IrStruct *structs;  int nstructs;
    IrEvent *events;    int nevents;
    IrEvent *errors;    int nerrors;
    IrIface *ifaces;    int nifaces;
    IrFunc **funcs;     int nfuncs;   /* ordinary functions and init (kind IR_FN_INIT) */
    IrFunc **specs;     int nspecs;   /* spec functions, in source order */
    SrcSet *srcs;                    /* for printing spans; may be NULL */
    bool names_outlive;              /* the names given to the builders outlive the module
                                        (the frontend's interned names): kept, not copied */
    PtrVec types;                    /* the interned types (ir_type_*) */
} IrModule;

/* ---------------- building ---------------- */
IrModule *ir_module_new(Arena *a, const char *name);
IrType *ir_type_void(IrModule *m);
IrType *ir_type_bool(IrModule *m);
IrType *ir_type_int(IrModule *m, unsigned bits, bool is_signed);
IrType *ir_type_address(IrModule *m);
IrType *ir_type_bytes(IrModule *m, unsigned n);
IrType *ir_type_string(IrModule *m, uint32_t max_len);
IrType *ir_type_array(IrModule *m, IrType *elem, uint32_t len);
IrType *ir_type_list(IrModule *m, IrType *elem, uint32_t max_len);
IrType *ir_type_map(IrModule *m, IrType *key, IrType *val);
IrType *ir_type_struct(IrModule *m, int struct_index);
IrType *ir_type_ref(IrModule *m, IrType *elem);
bool ir_type_is_aggregate(const IrType *t);
/* Writes the text form ("u256", "map<address, u256>", "ref [u8; 4]") into buf. */
void ir_type_print(const IrModule *m, const IrType *t, char *buf, size_t size);
/* Solidity ABI name of a type ("uint256", "address", "string", "uint8[4]", "(uint256,bool)"). */
void ir_type_abi_name(const IrModule *m, const IrType *t, char *buf, size_t size);

int ir_add_storage(IrModule *m, const char *name, IrType *t, bool ghost, Span sp);
int ir_add_struct(IrModule *m, const char *name, IrField *fields, int n);
int ir_add_event(IrModule *m, const char *name, IrField *fields, int n);  /* fills signature, topic0 */
int ir_add_error(IrModule *m, const char *name, IrField *fields, int n);
int ir_add_iface(IrModule *m, const char *name);
/* Adds a function signature to interface `iface` (no blocks); computes its ABI. */
IrFunc *ir_iface_add_fn(IrModule *m, int iface, const char *name, IrParam *params,
                        int nparams, IrType *ret, unsigned flags);
/* Looks a function up by name in funcs (kind IR_FN / IR_FN_INIT); -1 when absent. */
int ir_func_find(const IrModule *m, const char *name);
IrFunc *ir_func_new(IrModule *m, IrFuncKind kind, const char *name,
                    IrParam *params, int nparams, IrType *ret);  /* appended to funcs or specs */
void ir_func_set_abi(IrFunc *f);   /* computes signature and selector from name and params */
IrBlock *ir_block_new(IrFunc *f);  /* appended at the end of the function */

/* Instruction constructors append to the end of a block. The generic one covers every
 * op; the helpers fill the common cases. */
IrInstr *ir_instr_new(IrFunc *f, IrOp op, IrType *type, IrInstr **args, int nargs, Span sp);
void ir_block_append(IrBlock *b, IrInstr *i);
void ir_instr_insert_before(IrInstr *pos, IrInstr *i);
void ir_instr_remove(IrInstr *i);
IrInstr *ir_const(IrFunc *f, IrBlock *b, IrType *t, U256 v, Span sp);
/* The `imm` of a const or param holding v: values below 256 point into one static table,
 * others are copied into the module's arena (a 32-byte value inline would make every
 * const and param 24 bytes bigger). */
const U256 *ir_imm(IrModule *m, U256 v);
IrInstr *ir_binop(IrFunc *f, IrBlock *b, IrOp op, IrInstr *x, IrInstr *y, Span sp);
IrInstr *ir_check(IrFunc *f, IrBlock *b, IrOp op, IrInstr *x, IrInstr *y, Span sp);
IrInstr *ir_jmp(IrFunc *f, IrBlock *b, IrBlock *to, Span sp);
IrInstr *ir_br(IrFunc *f, IrBlock *b, IrInstr *cond, IrBlock *t, IrBlock *e, Span sp);
IrInstr *ir_phi(IrFunc *f, IrBlock *b, IrType *t, Span sp);  /* inserted at the block's top */
void ir_phi_add(IrFunc *f, IrInstr *phi, IrInstr *value, IrBlock *from);
/* Replace every use of `old` by `new` in the function. */
void ir_replace_uses(IrFunc *f, IrInstr *old, IrInstr *new_value);

/* ---------------- text form: print and parse round-trip exactly ---------------- */
void ir_module_print(const IrModule *m, FILE *out);
void ir_func_print(const IrFunc *f, FILE *out);
/* Parses the text form; errors go to `diags` with spans in file `file` of diags->srcs.
 * NULL when there was an error. The module's srcs (NULL without `source` lines) are
 * arena-owned skeletons of the original sources, line starts only, rebuilt from the
 * spans' line:col so that printing the module writes the same text again. */
IrModule *ir_module_parse(Arena *a, DiagSink *diags, int file);

/* ---------------- checks and passes ---------------- */
void ir_cfg_compute(IrFunc *f);   /* fills preds */
/* Structural and type rules: SSA dominance, terminators, operand types, phi arity,
 * places well-typed. Reports into diags; returns true when valid. */
bool ir_module_verify(IrModule *m, DiagSink *diags);

typedef struct IrPass {
    const char *name;              /* "fold", "dce", "simplify-cfg" */
    bool (*run)(IrFunc *f);        /* returns true when it changed something */
} IrPass;
extern const IrPass ir_passes[];
extern const int ir_npasses;
const IrPass *ir_pass_find(const char *name);
/* Runs every pass in order to a fixed point; `stop_after` (NULL for all) ends the pipeline
 * after that pass. With `validate`, ir_module_verify runs after each pass. */
bool ir_optimize(IrModule *m, const char *stop_after, bool validate, DiagSink *diags);

/* keccak256 (Keccak-f[1600] from nettle, Keccak padding) */
void keccak256(const void *data, size_t len, uint8_t out[32]);

#endif
