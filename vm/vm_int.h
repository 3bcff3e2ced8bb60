/* vm_int.h — internal header of the VM: module, instance and runtime object layouts, the
 * pre-decoded code format, the opcode enum generated from opcodes.def, and helpers shared by
 * decode.c, validate.c, compile.c, exec.c and instance.c. */
#ifndef WRIT_VM_INT_H
#define WRIT_VM_INT_H

#include <string.h>

#include "vm/vm.h"

#define TRY(expr) do { st = (expr); if (st != VM_OK) goto fail; } while (0)

enum {
#define OP(name, prefix, code, imm, sig, align) OP_##name,
#include "vm/opcodes.def"
#undef OP
    OP_COUNT
};
_Static_assert(OP_COUNT == 215, "opcodes.def row count changed: update decode tables");

typedef struct { const char *name; uint8_t prefix, code; const char *sig; uint8_t align; } OpInfo;
extern const OpInfo vm_ops[OP_COUNT];

/* Named limits of the decoder and validator. */
enum {
    VM_MAX_LOCALS = 50000,        /* locals per function, params included */
    VM_MAX_PAGES = 65536,         /* spec limit for a 32-bit memory */
    VM_MAX_CTRL_DEPTH = 65536,    /* nested blocks per function */
    VM_MAX_FUNC_TYPES = 1000000,
};

/* Allocation through the hook. */
void *vm_alloc(size_t n);           /* zeroed */
void *vm_realloc(void *p, size_t n);
void vm_free(void *p);
/* Large blocks (a store's stacks, a memory's bytes) are kept per thread after they are freed
 * and handed out again for the same size: a store made and freed per call (one-shot
 * instantiation) then costs no large malloc/free, and a memory's bytes come back zeroed
 * without a memset of the whole block. vm_big_alloc: a block of n bytes, zeroed when `zero`.
 * vm_big_free: `zeroed` says the block is all zero (it may then be cached as such). */
void *vm_big_alloc(size_t n, bool zero);
void vm_big_free(void *p, size_t n, bool zeroed);

typedef union Slot { int32_t i32; uint32_t u32; int64_t i64; uint64_t u64; float f32; double f64; } Slot;
typedef union Word { const void *h; uint64_t u; int64_t i; union Word *t; } Word;

typedef struct {
    uint32_t nparams, nresults;
    uint8_t *types; /* params then results */
    uint32_t canon; /* store-wide id: equal types have equal ids */
} FuncType;

typedef struct { uint32_t min, max; bool has_max; } Limits;
typedef struct { uint32_t off, len; } Expr; /* a constant expression: byte range incl. end */

typedef struct {
    char *module, *name;
    uint32_t module_len, name_len;
    uint8_t kind;
    uint32_t type;          /* func: type index */
    uint8_t elem_type;      /* table */
    Limits lim;             /* table, memory */
    uint8_t gtype; bool gmut; /* global */
} Import;

typedef struct { char *name; uint32_t name_len; uint8_t kind; uint32_t idx; } Export;
typedef struct { uint8_t type; Limits lim; } TableDef;
typedef struct { uint8_t type; bool mut; Expr init; } GlobalDef;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };
typedef struct {
    uint8_t mode, type;
    uint32_t table;
    Expr offset;
    uint32_t count;
    Expr *inits;  /* one constant expression per element */
    uint32_t *funcs; /* or, for the func-index forms, the indices */
} ElemSeg;

typedef struct { uint8_t mode; Expr offset; uint32_t off, len; } DataSeg;

typedef struct {
    Word *words;
    uint32_t nparams, nresults, nlocals, max_height;
    uint64_t frame_size; /* nlocals + max_height: slots a call needs */
} Code;

typedef struct {
    uint32_t type;
    uint32_t body_off, body_len; /* instructions, after the locals */
    uint32_t nlocals;            /* params included */
    uint8_t *local_types;
    Code code;
} FuncDef;

struct VmModule {
    struct VmModule *next;
    uint8_t *bytes; size_t len;
    FuncType *types; uint32_t ntypes;
    Import *imports; uint32_t nimports;
    uint32_t nfuncs, nfunc_imports; uint32_t *func_type; /* all funcs, imports first */
    FuncDef *funcs;                                     /* defined funcs only */
    TableDef *tables; uint32_t ntables, ntable_imports;
    Limits *mems; uint32_t nmems, nmem_imports;
    GlobalDef *globals; uint32_t nglobals, nglobal_imports;
    Export *exports; uint32_t nexports;
    int64_t start;
    ElemSeg *elems; uint32_t nelems;
    DataSeg *datas; uint32_t ndatas;
    bool has_datacount; uint32_t datacount;
    uint8_t *declared; /* per function: may appear in ref.func */
    bool fuel;         /* compiled with fuel checks */
    bool gas;          /* contract mode: compiled with per-block gas charges, floats rejected */
};

struct VmFunc {
    struct VmFunc *next;  /* host funcs: store list */
    const FuncType *type;
    VmInstance *inst;
    Code *code;           /* NULL for host functions */
    VmHostFn host; void *ud;
    FuncType own_type;    /* host funcs own their type */
};

struct VmTable { struct VmTable *next; uint8_t type; uint32_t size, max; bool has_max; uint64_t *elems; };
/* dirty: every write into memory marks dirty[(addr >> VM_DIRTY_SHIFT) & (VM_DIRTY_N - 1)]
 * for the chunk where it starts (a write may run on into the next chunk by up to 7 bytes,
 * or cover a range: vm_memory_mark); contract mode restores only the marked chunks. */
enum { VM_DIRTY_SHIFT = 12, VM_DIRTY_N = 64 };
struct VmMemory { struct VmMemory *next; uint8_t *data; uint64_t size; uint32_t pages, max; bool has_max;
                  uint8_t dirty[VM_DIRTY_N]; };
static inline void vm_memory_mark(uint8_t *dirty, uint64_t addr, uint64_t n) {
    if (!n) return;
    uint64_t a = addr >> VM_DIRTY_SHIFT, b = (addr + n - 1) >> VM_DIRTY_SHIFT;
    if (b - a >= VM_DIRTY_N) b = a + VM_DIRTY_N - 1;
    for (uint64_t k = a; k <= b; k++) dirty[k & (VM_DIRTY_N - 1)] = 1;
}
struct VmGlobal { struct VmGlobal *next; uint8_t type; bool mut; uint64_t val; };

struct VmInstance {
    struct VmInstance *next;
    VmModule *m;
    VmFunc **funcs; VmFunc *own_funcs;
    VmTable **tables; VmMemory **mems; VmGlobal **globals;
    VmMemory *mem0;
    uint64_t **elem_refs; uint32_t *elem_len;
    uint32_t *data_len;
    uint32_t *canon; /* type index -> store-wide type id */
};

typedef struct { Word *pc; Slot *fp; VmInstance *inst; } Frame;

struct VmStore {
    VmLimits lim;
    VmModule *modules; VmInstance *instances; VmFunc *hostfuncs;
    VmTable *tables; VmMemory *mems; VmGlobal *globals;
    FuncType *canon; uint32_t ncanon, capcanon;
    Slot *stack; Frame *frames;
    uint64_t fuel;
    uint64_t gas;       /* contract mode: gas left (charged by OP_X_GAS and memory growth) */
    bool gas_metering;  /* modules loaded from now on are metered (contract.c sets it) */
    bool running;
    char trap_msg[128];
};

/* decode.c */
VmStatus vm_decode(VmStore *s, VmModule *m, VmError *err);
VmStatus vm_read_leb(const uint8_t *b, size_t end, size_t *pos, unsigned bits, bool sign,
                     uint64_t *out, VmError *err);
VmStatus vm_read_u32(const uint8_t *p, size_t len, size_t *pos, uint32_t *out);
bool vm_utf8_valid(const uint8_t *p, size_t n);
VmStatus vm_error(VmError *err, VmStatus st, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void vm_module_release(VmModule *m);
/* validate.c */
VmStatus vm_validate(VmStore *s, VmModule *m, VmError *err);
VmStatus vm_const_type(VmModule *m, Expr e, uint8_t want, uint32_t nglobals, VmError *err);
/* compile.c: the code buffer the validator emits into */
typedef struct {
    Word *w; uint32_t len, cap;
    uint32_t *relocs; uint32_t nrelocs, caprelocs;
    const void *const *labels;
    bool oom;
} Emitter;
void em_op(Emitter *e, int op);
void em_h(Emitter *e, const void *handler);
void em_u(Emitter *e, uint64_t v);
uint32_t em_target(Emitter *e, uint32_t chain); /* emit a branch target slot, return its index */
void em_patch(Emitter *e, uint32_t chain, uint32_t target);
VmStatus em_finish(Emitter *e, Code *code);
void em_free(Emitter *e);
/* gas.c: the cost table (gas.def) */
uint32_t vm_gas_cost(int op);
uint32_t vm_gas_page_cost(void); /* memory.grow, per page */
/* exec.c */
const void *const *vm_exec_labels(void);
const void *const *vm_exec_imm_labels(void);
const void *const *vm_exec_br_labels(void);
const void *const *vm_exec_addr_labels(bool imm_value); /* loads/stores at base + K */     /* compare-and-branch: a, b, target */
const void *const *vm_exec_br_imm_labels(void); /* compare-and-branch: a, constant, target */ /* `op dst, a, constant` forms, or NULL */
VmStatus vm_exec(VmStore *s, VmFunc *f, Slot *args);
/* store.c */
uint32_t vm_canon_type(VmStore *s, const FuncType *t, bool *oom);
/* floatops.c */
float vm_f32_min(float a, float b); float vm_f32_max(float a, float b);
double vm_f64_min(double a, double b); double vm_f64_max(double a, double b);
float vm_f32_nearest(float a); double vm_f64_nearest(double a);

#endif
