/* vm.h — public interface of the bundled WebAssembly 2.0 engine (no SIMD): load (decode +
 * validate + pre-compile), instantiate with imports, invoke exports, read and write globals
 * and memory. Every call returns a VmStatus; traps are statuses too. */
#ifndef WRIT_VM_H
#define WRIT_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
#define X(name, msg) VM_##name,
#include "vm/status.def"
#undef X
    VM_STATUS_COUNT
} VmStatus;

const char *vm_status_str(VmStatus s);
bool vm_status_is_trap(VmStatus s);

/* Value types use their binary encodings. */
enum { VM_I32 = 0x7f, VM_I64 = 0x7e, VM_F32 = 0x7d, VM_F64 = 0x7c,
       VM_FUNCREF = 0x70, VM_EXTERNREF = 0x6f };

/* A value: its type and its raw bits (f32 in the low 32 bits, refs as opaque 64-bit words,
 * 0 = null). */
typedef struct { uint8_t type; uint64_t bits; } VmValue;

/* Where and why loading or linking failed; `offset` is a byte offset into the module. */
typedef struct {
    VmStatus status;
    size_t offset;
    char msg[200];
} VmError;

/* The allocation hook: realloc semantics (size 0 frees). Tests make it fail on purpose. */
typedef void *(*VmAllocFn)(void *ud, void *ptr, size_t size);
void vm_set_alloc(VmAllocFn fn, void *ud);

/* Named limits, enforced and reported. */
typedef struct {
    uint32_t call_depth;    /* frames; deeper recursion traps "call stack exhausted" */
    uint32_t stack_slots;   /* 64-bit value-stack slots shared by all frames */
    uint32_t memory_pages;  /* cap on any memory, in 64 KiB pages */
    uint32_t table_size;    /* cap on any table, in elements */
    uint64_t fuel;          /* 0 = unlimited; else loop iterations + calls before a trap */
} VmLimits;
VmLimits vm_default_limits(void);

typedef struct VmStore VmStore;
typedef struct VmModule VmModule;
typedef struct VmInstance VmInstance;
typedef struct VmFunc VmFunc;
typedef struct VmTable VmTable;
typedef struct VmMemory VmMemory;
typedef struct VmGlobal VmGlobal;

enum { VM_EXTERN_FUNC = 0, VM_EXTERN_TABLE = 1, VM_EXTERN_MEMORY = 2, VM_EXTERN_GLOBAL = 3 };
typedef struct {
    uint8_t kind;
    void *ptr; /* VmFunc*, VmTable*, VmMemory* or VmGlobal* */
} VmExtern;

/* Host functions read args and write results as raw 64-bit slots (i32/f32 in the low half).
 * `results` aliases `args`: read every argument before writing a result. A host function
 * must not call vm_invoke on the same store (re-entry is refused with VM_BAD_ARGS); returning
 * a trap status (e.g. VM_TRAP_HOST) aborts the whole invocation. */
typedef VmStatus (*VmHostFn)(void *ud, uint64_t *args, uint64_t *results);

/* A store owns everything created in it and frees it all at once. */
VmStore *vm_store_new(const VmLimits *lim);
void vm_store_free(VmStore *s);
const char *vm_store_trap_message(VmStore *s);

/* Decode, validate and pre-compile; the bytes are copied. */
VmStatus vm_module_load(VmStore *s, const uint8_t *bytes, size_t len, VmModule **out, VmError *err);
uint32_t vm_module_import_count(const VmModule *m);
void vm_module_import(const VmModule *m, uint32_t i, const char **module, size_t *module_len,
                      const char **name, size_t *name_len, uint8_t *kind);

/* Imports are given in the module's import order. On a trap in the start function or in
 * segment initialisation *out is still NULL but earlier side effects remain (spec 2.0). */
VmStatus vm_instantiate(VmStore *s, VmModule *m, const VmExtern *imports, uint32_t nimports,
                        VmInstance **out, VmError *err);
VmStatus vm_instance_export(VmInstance *inst, const char *name, VmExtern *out);
VmStatus vm_instance_export_n(VmInstance *inst, const char *name, size_t len, VmExtern *out);
uint32_t vm_instance_export_count(const VmInstance *inst);
const char *vm_instance_export_name(const VmInstance *inst, uint32_t i, VmExtern *out);

/* Host objects. Types are strings of 'i' 'I' 'f' 'F' 'r' (funcref) 'e' (externref). */
VmFunc *vm_host_func_new(VmStore *s, const char *params, const char *results, VmHostFn fn,
                         void *ud);
VmTable *vm_table_new(VmStore *s, uint8_t elem_type, uint32_t min, uint32_t max, bool has_max);
VmMemory *vm_memory_new(VmStore *s, uint32_t min, uint32_t max, bool has_max);
VmGlobal *vm_global_new(VmStore *s, uint8_t type, bool mut, uint64_t bits);

/* Calling. args/results follow the function type; nresults is checked. */
uint32_t vm_func_param_count(const VmFunc *f);
uint32_t vm_func_result_count(const VmFunc *f);
uint8_t vm_func_param_type(const VmFunc *f, uint32_t i);
uint8_t vm_func_result_type(const VmFunc *f, uint32_t i);
VmStatus vm_invoke(VmStore *s, VmFunc *f, const VmValue *args, uint32_t nargs,
                   VmValue *results, uint32_t nresults);

/* Globals and memory. */
VmValue vm_global_get(const VmGlobal *g);
VmStatus vm_global_set(VmGlobal *g, VmValue v);
uint8_t *vm_memory_data(VmMemory *m, uint64_t *size);
VmStatus vm_memory_read(VmMemory *m, uint64_t addr, void *dst, size_t n);
VmStatus vm_memory_write(VmMemory *m, uint64_t addr, const void *src, size_t n);

/* Command-line entry points (cli/cmd_vm.c and the test driver call these). */
int vm_spec_main(int argc, char **argv);   /* writ vm spec DIR [--file NAME] */
int vm_run_main(int argc, char **argv);    /* writ vm run FILE.wasm [--invoke NAME] ARGS */
int cmd_vm(int argc, char **argv);
/* Fills out[] (one per import) from the spec suite's `spectest` host module; false if an
 * import is not one of its functions, globals, table or memory. */
bool vm_spectest_imports(VmStore *s, VmModule *m, VmExtern *out);

#endif
