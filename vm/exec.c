/* exec.c — the interpreter: pre-decoded code dispatched by computed goto (`goto *pc->h`), a
 * value stack of 64-bit slots with locals at the frame base, a separate frame stack, and
 * every trap of the spec. Memory base and size live in locals, reloaded after calls/grow. */
#include <math.h>
#include <stdio.h>

#include "vm/vm_int.h"

static const void *const *labels_ptr, *const *imm_labels_ptr, *const *br_labels_ptr, *const *br_imm_labels_ptr;
static const void *const *addr_labels_ptr, *const *addr_imm_labels_ptr;

const void *const *vm_exec_labels(void) {
    if (!labels_ptr) vm_exec(NULL, NULL, NULL);
    return labels_ptr;
}

const void *const *vm_exec_addr_labels(bool imm_value) {
    if (!addr_labels_ptr) vm_exec(NULL, NULL, NULL);
    return imm_value ? addr_imm_labels_ptr : addr_labels_ptr;
}

const void *const *vm_exec_br_labels(void) {
    if (!br_labels_ptr) vm_exec(NULL, NULL, NULL);
    return br_labels_ptr;
}

const void *const *vm_exec_br_imm_labels(void) {
    if (!br_imm_labels_ptr) vm_exec(NULL, NULL, NULL);
    return br_imm_labels_ptr;
}

const void *const *vm_exec_imm_labels(void) {
    if (!imm_labels_ptr) vm_exec(NULL, NULL, NULL);
    return imm_labels_ptr;
}

int64_t vm_memory_grow(VmStore *s, VmMemory *m, uint32_t delta);
int64_t vm_table_grow(VmStore *s, VmTable *t, uint32_t delta, uint64_t init);

#define NEXT() goto *(pc++)->h
#define IMM() ((pc++)->u)
#define TRAP(code) do { st = (code); goto trap; } while (0)
#define LOAD_MEM() do { if (inst->mem0) { mem = inst->mem0->data; msize = inst->mem0->size; dirty = inst->mem0->dirty; } \
                        else { mem = NULL; msize = 0; dirty = no_dirty; } } while (0)
#define MARK(ea) (dirty[((ea) >> VM_DIRTY_SHIFT) & (VM_DIRTY_N - 1)] = 1)

/* Loads and stores also come with the address computed as `base + K` (an i32.add of a
 * constant folded in, wrapping as i32.add does): the _A forms, and _AI with a constant value. */
/* Register-style operands: R(k) is the frame slot named by the k-th immediate. */
#define R(k) fp[pc[k].u]
#define BINOP(name, T, f, rf, expr) \
    L_##name: { T a = R(1).f, b = R(2).f; (void)a; (void)b; PUT_##rf(R(0), (expr)); pc += 3; NEXT(); }
/* integer binops also get `dst, a, constant` forms (b from the code stream) */
#define BINOP_I(name, T, f, rf, expr) \
    L_##name: { T a = R(1).f, b = R(2).f; PUT_##rf(R(0), (expr)); pc += 3; NEXT(); } \
    L_##name##_I: { T a = R(1).f, b = (T)pc[2].u; PUT_##rf(R(0), (expr)); pc += 3; NEXT(); }
/* fused compare-and-branch: a, b (or a constant), target */
#define BRCMP(name, T, f, expr) \
    L_BR_##name: { T a = R(0).f, b = R(1).f; if (expr) pc = pc[2].t; else pc += 3; NEXT(); } \
    L_BR_##name##_I: { T a = R(0).f, b = (T)pc[1].u; if (expr) pc = pc[2].t; else pc += 3; NEXT(); }
#define UNOP(name, T, f, rf, expr) \
    L_##name: { T a = R(1).f; PUT_##rf(R(0), (expr)); pc += 2; NEXT(); }
#define LOAD(name, T, rf) \
    L_##name: { uint64_t ea = (uint64_t)R(1).u32 + pc[2].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v; memcpy(&v, mem + ea, sizeof v); PUT_##rf(R(0), v); pc += 3; NEXT(); } \
    L_##name##_A: { uint64_t ea = (uint64_t)(uint32_t)(R(1).u32 + (uint32_t)pc[2].u) + pc[3].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v; memcpy(&v, mem + ea, sizeof v); PUT_##rf(R(0), v); pc += 4; NEXT(); }
#define STORE(name, T, f) \
    L_##name: { uint64_t ea = (uint64_t)R(0).u32 + pc[2].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v = (T)R(1).f; memcpy(mem + ea, &v, sizeof v); MARK(ea); pc += 3; NEXT(); } \
    L_##name##_I: { uint64_t ea = (uint64_t)R(0).u32 + pc[2].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v = (T)pc[1].u; memcpy(mem + ea, &v, sizeof v); MARK(ea); pc += 3; NEXT(); } \
    L_##name##_A: { uint64_t ea = (uint64_t)(uint32_t)(R(0).u32 + (uint32_t)pc[2].u) + pc[3].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v = (T)R(1).f; memcpy(mem + ea, &v, sizeof v); MARK(ea); pc += 4; NEXT(); } \
    L_##name##_AI: { uint64_t ea = (uint64_t)(uint32_t)(R(0).u32 + (uint32_t)pc[2].u) + pc[3].u; \
        if (ea + sizeof(T) > msize) TRAP(VM_TRAP_MEM_OOB); \
        T v = (T)pc[1].u; memcpy(mem + ea, &v, sizeof v); MARK(ea); pc += 4; NEXT(); }
/* float -> int with traps: NaN is invalid, anything outside (lo, hi) overflows */
#define TRUNC(name, FT, ff, IT, rf, lo_ok, hi) \
    L_##name: { FT a = R(1).ff; \
        if (a != a) TRAP(VM_TRAP_INVALID_CONV); \
        if (!((lo_ok) && a < (hi))) TRAP(VM_TRAP_INT_OVERFLOW); \
        PUT_##rf(R(0), (IT)a); pc += 2; NEXT(); }
#define TRUNC_SAT(name, FT, ff, IT, rf, lo_ok, hi, minv, maxv) \
    L_##name: { FT a = R(1).ff; IT r; \
        if (a != a) r = 0; \
        else if (!(lo_ok)) r = (minv); \
        else if (!(a < (hi))) r = (maxv); \
        else r = (IT)a; \
        PUT_##rf(R(0), r); pc += 2; NEXT(); }
#define DIVOP(name, T, f, check) \
    L_##name: { T a = R(1).f, b = R(2).f; if (b == 0) TRAP(VM_TRAP_DIV_ZERO); check; \
        PUT_##f(R(0), a / b); pc += 3; NEXT(); }
#define REMOP(name, T, f) \
    L_##name: { T a = R(1).f, b = R(2).f; if (b == 0) TRAP(VM_TRAP_DIV_ZERO); \
        PUT_##f(R(0), (b == (T)-1) ? 0 : a % b); pc += 3; NEXT(); }

/* Results are written as whole 64-bit slots (i32/f32 zero-extended): a 4-byte store followed
 * by an 8-byte load of the same slot (moves, returns) would defeat store forwarding. */
static inline void put_f32(Slot *s, float f) { uint32_t b; memcpy(&b, &f, 4); s->u64 = b; }
#define PUT_u32(slot, v) ((slot).u64 = (uint32_t)(v))
#define PUT_i32(slot, v) ((slot).u64 = (uint32_t)(int32_t)(v))
#define PUT_u64(slot, v) ((slot).u64 = (uint64_t)(v))
#define PUT_i64(slot, v) ((slot).i64 = (int64_t)(v))
#define PUT_f64(slot, v) ((slot).f64 = (v))
#define PUT_f32(slot, v) put_f32(&(slot), (v))

/* Declared locals start at zero. Four slots are always cleared without a branch (frames
 * are sized with room for that, see validate.c), a memset does the rest. */
static inline void zero_locals(Slot *fp, const Code *c) {
    Slot *p = fp + c->nparams;
    p[0].u64 = 0; p[1].u64 = 0; p[2].u64 = 0; p[3].u64 = 0;
    uint32_t n = c->nlocals - c->nparams;
    if (n > 4) memset(p + 4, 0, sizeof(Slot) * (n - 4));
}

static inline void move_slots(Slot *dst, const Slot *src, uint64_t n) {
    if (dst != src) for (uint64_t i = 0; i < n; i++) dst[i] = src[i];
}

VmStatus vm_exec(VmStore *s, VmFunc *f, Slot *args) {
    static const void *const labels[OP_COUNT] = {
#define OP(name, prefix, code, imm, sig, align) [OP_##name] = &&L_##name,
#include "vm/opcodes.def"
#undef OP
    };
    static const void *const imm_labels[OP_COUNT] = {
#define X(name) [OP_##name] = &&L_##name##_I,
        X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S)
        X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND)
        X(I32_OR) X(I32_XOR) X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR)
        X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S)
        X(I64_LE_U) X(I64_GE_S) X(I64_GE_U) X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_AND)
        X(I64_OR) X(I64_XOR) X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR)
        X(F32_COPYSIGN) X(F64_COPYSIGN) X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE)
        X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)
#undef X
    };
#define CMP_OPS(X) X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)
    static const void *const br_labels[OP_COUNT] = {
#define X(name) [OP_##name] = &&L_BR_##name,
        CMP_OPS(X)
#undef X
    };
    static const void *const br_imm_labels[OP_COUNT] = {
#define X(name) [OP_##name] = &&L_BR_##name##_I,
        CMP_OPS(X)
#undef X
    };
    static const void *const addr_labels[OP_COUNT] = {
#define X(name) [OP_##name] = &&L_##name##_A,
        X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U)
        X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S)
        X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) X(I32_STORE) X(I64_STORE) X(F32_STORE)
        X(F64_STORE) X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)
#undef X
    };
    static const void *const addr_imm_labels[OP_COUNT] = {
#define X(name) [OP_##name] = &&L_##name##_AI,
        X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE) X(I32_STORE8) X(I32_STORE16)
        X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)
#undef X
    };
    if (!s) {
        labels_ptr = labels; imm_labels_ptr = imm_labels;
        addr_labels_ptr = addr_labels; addr_imm_labels_ptr = addr_imm_labels;
        br_labels_ptr = br_labels; br_imm_labels_ptr = br_imm_labels;
        return VM_OK;
    }

    VmStatus st = VM_OK;
    if (f->host) return f->host(f->ud, (uint64_t *)args, (uint64_t *)args);
    Slot *const stack_end = s->stack + s->lim.stack_slots;
    Frame *fr = s->frames, *const fr_base = s->frames, *const fr_end = s->frames + s->lim.call_depth - 1;
    s->fuel = s->lim.fuel;
    VmInstance *inst = f->inst;
    Code *c = f->code;
    Slot *fp = args, *sp;
    Word *pc;
    uint8_t *mem;
    uint64_t msize;
    uint8_t no_dirty[VM_DIRTY_N], *dirty;
    VmFunc *callee;
    if (fp + c->frame_size > stack_end) return VM_TRAP_STACK;
    zero_locals(fp, c);
    sp = fp;
    pc = c->words;
    LOAD_MEM();
    s->running = true;
    NEXT();

L_NOP: L_BLOCK: L_LOOP: L_IF: L_ELSE: L_END: L_BR: L_BR_IF: L_BR_TABLE: L_RETURN: L_SELECT_T:
L_I32_CONST: L_I64_CONST: L_F32_CONST: L_F64_CONST: L_I32_WRAP_I64: L_REF_NULL:
L_I32_REINTERPRET_F32: L_I64_REINTERPRET_F64: L_F32_REINTERPRET_I32: L_F64_REINTERPRET_I64:
L_LOCAL_GET: L_LOCAL_SET: L_LOCAL_TEE: L_DROP:
    TRAP(VM_TRAP_UNREACHABLE); /* never emitted */
L_UNREACHABLE: TRAP(VM_TRAP_UNREACHABLE);

    /* ---- control ---- */
L_X_CONST: R(0).u64 = pc[1].u; pc += 2; NEXT();
L_X_MOV: R(0) = R(1); pc += 2; NEXT();
L_X_JMP: pc = pc->t; NEXT();
L_X_BR: { uint64_t h = pc[0].u, n = pc[1].u; move_slots(fp + h, fp + pc[2].u, n); pc = pc[3].t; NEXT(); }
L_X_BR_IF: if (R(0).u32) pc = pc[1].t; else pc += 2; NEXT();
L_X_BR_IF_MOVE:
    if (R(0).u32) { move_slots(fp + pc[1].u, fp + pc[3].u, pc[2].u); pc = pc[4].t; }
    else pc += 5;
    NEXT();
L_X_BR_UNLESS: if (!R(0).u32) pc = pc[1].t; else pc += 2; NEXT();
L_X_BR_TABLE: {
    uint32_t i = R(0).u32;
    uint64_t cnt = pc[1].u, n = pc[2].u, src = pc[3].u;
    if (i > cnt) i = (uint32_t)cnt;
    Word *e = pc + 4 + 2 * (uint64_t)i;
    move_slots(fp + e[0].u, fp + src, n);
    pc = e[1].t;
    NEXT();
}
L_X_RETURN: {
    uint64_t n = pc[0].u;
    if (n == 1) fp[0] = fp[pc[1].u];
    else move_slots(fp, fp + pc[1].u, n);
    if (fr == fr_base) goto done;
    fr--;
    pc = fr->pc; fp = fr->fp;
    /* mem/msize follow grows made anywhere in this instance; only a switch needs a reload */
    if (fr->inst != inst) { inst = fr->inst; LOAD_MEM(); }
    NEXT();
}
L_X_FUEL: if (--s->fuel == 0) TRAP(VM_TRAP_FUEL); NEXT();
L_X_GAS: if (s->gas < pc[0].u) { s->gas = 0; TRAP(VM_TRAP_OUT_OF_GAS); } s->gas -= pc[0].u; pc++; NEXT();
L_X_CALL_DIRECT: {
    Code *cc = (Code *)(uintptr_t)pc[0].u;
    sp = fp + pc[1].u;
    pc += 2;
    if (fr >= fr_end || sp + cc->frame_size > stack_end) TRAP(VM_TRAP_STACK);
    fr->pc = pc; fr->fp = fp; fr->inst = inst;
    fr++;
    fp = sp;
    zero_locals(fp, cc);
    pc = cc->words;
    NEXT();
}
L_CALL: callee = inst->funcs[pc[0].u]; sp = fp + pc[1].u; pc += 2; goto do_call;
L_CALL_INDIRECT: {
    uint64_t ti = pc[0].u;
    VmTable *t = inst->tables[pc[1].u];
    uint32_t i = R(2).u32;
    sp = fp + pc[3].u;
    pc += 4;
    if (i >= t->size) TRAP(VM_TRAP_UNDEF_ELEM);
    callee = (VmFunc *)(uintptr_t)t->elems[i];
    if (!callee) TRAP(VM_TRAP_UNINIT_ELEM);
    if (callee->type->canon != inst->canon[ti]) TRAP(VM_TRAP_INDIRECT_TYPE);
    goto do_call;
}
do_call: { /* sp: the first argument */
    if (callee->host) {
        const FuncType *ft = callee->type;
        if (sp + ft->nresults > stack_end) TRAP(VM_TRAP_STACK);
        st = callee->host(callee->ud, (uint64_t *)sp, (uint64_t *)sp);
        if (st != VM_OK) goto trap;
        LOAD_MEM();
        NEXT();
    }
    Code *cc = callee->code;
    if (fr >= fr_end || sp + cc->frame_size > stack_end) TRAP(VM_TRAP_STACK);
    fr->pc = pc; fr->fp = fp; fr->inst = inst;
    fr++;
    fp = sp;
    zero_locals(fp, cc);
    pc = cc->words;
    if (callee->inst != inst) { inst = callee->inst; LOAD_MEM(); }
    NEXT();
}

    /* ---- parametric, variables ---- */
L_SELECT: R(0) = R(3).u32 ? R(1) : R(2); pc += 4; NEXT();
L_GLOBAL_GET: R(0).u64 = inst->globals[pc[1].u]->val; pc += 2; NEXT();
L_GLOBAL_SET: inst->globals[pc[1].u]->val = R(0).u64; pc += 2; NEXT();

    /* ---- tables and references ---- */
L_TABLE_GET: {
    sp = fp + IMM();
    VmTable *t = inst->tables[IMM()];
    uint32_t i = sp[-1].u32;
    if (i >= t->size) TRAP(VM_TRAP_TABLE_OOB);
    sp[-1].u64 = t->elems[i];
    NEXT();
}
L_TABLE_SET: {
    sp = fp + IMM();
    VmTable *t = inst->tables[IMM()];
    uint32_t i = sp[-2].u32;
    uint64_t v = sp[-1].u64;
    sp -= 2;
    if (i >= t->size) TRAP(VM_TRAP_TABLE_OOB);
    t->elems[i] = v;
    NEXT();
}
L_TABLE_SIZE: sp = fp + IMM(); sp->u64 = inst->tables[IMM()]->size; sp++; NEXT();
L_TABLE_GROW: {
    sp = fp + IMM();
    VmTable *t = inst->tables[IMM()];
    uint32_t n = sp[-1].u32;
    uint64_t init = sp[-2].u64;
    sp--;
    sp[-1].u64 = (uint32_t)vm_table_grow(s, t, n, init);
    NEXT();
}
L_TABLE_FILL: {
    sp = fp + IMM();
    VmTable *t = inst->tables[IMM()];
    uint32_t i = sp[-3].u32, n = sp[-1].u32;
    uint64_t v = sp[-2].u64;
    sp -= 3;
    if ((uint64_t)i + n > t->size) TRAP(VM_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
    NEXT();
}
L_TABLE_COPY: {
    sp = fp + IMM();
    VmTable *td = inst->tables[IMM()], *ts = inst->tables[IMM()];
    uint32_t d = sp[-3].u32, sr = sp[-2].u32, n = sp[-1].u32;
    sp -= 3;
    if ((uint64_t)d + n > td->size || (uint64_t)sr + n > ts->size) TRAP(VM_TRAP_TABLE_OOB);
    if (n) memmove(td->elems + d, ts->elems + sr, sizeof(uint64_t) * n);
    NEXT();
}
L_TABLE_INIT: {
    sp = fp + IMM();
    uint64_t seg = IMM();
    VmTable *t = inst->tables[IMM()];
    uint32_t d = sp[-3].u32, sr = sp[-2].u32, n = sp[-1].u32;
    sp -= 3;
    if ((uint64_t)sr + n > inst->elem_len[seg] || (uint64_t)d + n > t->size) TRAP(VM_TRAP_TABLE_OOB);
    if (n) memcpy(t->elems + d, inst->elem_refs[seg] + sr, sizeof(uint64_t) * n);
    NEXT();
}
L_ELEM_DROP: pc++; inst->elem_len[IMM()] = 0; NEXT();
L_REF_IS_NULL: { sp = fp + IMM(); uint32_t r = sp[-1].u64 == 0; sp[-1].u64 = r; NEXT(); }
L_REF_FUNC: sp = fp + IMM(); sp->u64 = (uintptr_t)inst->funcs[IMM()]; sp++; NEXT();

    /* ---- memory ---- */
LOAD(I32_LOAD, uint32_t, u32)
LOAD(I64_LOAD, uint64_t, u64)
LOAD(F32_LOAD, uint32_t, u32)
LOAD(F64_LOAD, uint64_t, u64)
LOAD(I32_LOAD8_S, int8_t, i32)
LOAD(I32_LOAD8_U, uint8_t, u32)
LOAD(I32_LOAD16_S, int16_t, i32)
LOAD(I32_LOAD16_U, uint16_t, u32)
LOAD(I64_LOAD8_S, int8_t, i64)
LOAD(I64_LOAD8_U, uint8_t, u64)
LOAD(I64_LOAD16_S, int16_t, i64)
LOAD(I64_LOAD16_U, uint16_t, u64)
LOAD(I64_LOAD32_S, int32_t, i64)
LOAD(I64_LOAD32_U, uint32_t, u64)
STORE(I32_STORE, uint32_t, u32)
STORE(I64_STORE, uint64_t, u64)
STORE(F32_STORE, uint32_t, u32)
STORE(F64_STORE, uint64_t, u64)
STORE(I32_STORE8, uint8_t, u32)
STORE(I32_STORE16, uint16_t, u32)
STORE(I64_STORE8, uint8_t, u64)
STORE(I64_STORE16, uint16_t, u64)
STORE(I64_STORE32, uint32_t, u64)
L_MEMORY_SIZE: sp = fp + IMM(); sp->u64 = inst->mem0->pages; sp++; NEXT();
L_MEMORY_GROW: sp = fp + IMM(); sp[-1].u64 = (uint32_t)vm_memory_grow(s, inst->mem0, sp[-1].u32); LOAD_MEM(); NEXT();
L_MEMORY_FILL: {
    sp = fp + IMM();
    uint32_t d = sp[-3].u32, v = sp[-2].u32, n = sp[-1].u32;
    sp -= 3;
    if ((uint64_t)d + n > msize) TRAP(VM_TRAP_MEM_OOB);
    if (n) memset(mem + d, (int)(v & 0xff), n);
    vm_memory_mark(dirty, d, n);
    NEXT();
}
L_MEMORY_COPY: {
    sp = fp + IMM();
    uint32_t d = sp[-3].u32, sr = sp[-2].u32, n = sp[-1].u32;
    sp -= 3;
    if ((uint64_t)d + n > msize || (uint64_t)sr + n > msize) TRAP(VM_TRAP_MEM_OOB);
    if (n) memmove(mem + d, mem + sr, n);
    vm_memory_mark(dirty, d, n);
    NEXT();
}
L_MEMORY_INIT: {
    sp = fp + IMM();
    uint64_t seg = IMM();
    uint32_t d = sp[-3].u32, sr = sp[-2].u32, n = sp[-1].u32;
    sp -= 3;
    if ((uint64_t)sr + n > inst->data_len[seg] || (uint64_t)d + n > msize) TRAP(VM_TRAP_MEM_OOB);
    if (n) memcpy(mem + d, inst->m->bytes + inst->m->datas[seg].off + sr, n);
    vm_memory_mark(dirty, d, n);
    NEXT();
}
L_DATA_DROP: pc++; inst->data_len[IMM()] = 0; NEXT();

    /* ---- fused compare-and-branch ---- */
BRCMP(I32_EQ, uint32_t, u32, a == b)
BRCMP(I32_NE, uint32_t, u32, a != b)
BRCMP(I32_LT_S, int32_t, i32, a < b)
BRCMP(I32_LT_U, uint32_t, u32, a < b)
BRCMP(I32_GT_S, int32_t, i32, a > b)
BRCMP(I32_GT_U, uint32_t, u32, a > b)
BRCMP(I32_LE_S, int32_t, i32, a <= b)
BRCMP(I32_LE_U, uint32_t, u32, a <= b)
BRCMP(I32_GE_S, int32_t, i32, a >= b)
BRCMP(I32_GE_U, uint32_t, u32, a >= b)
BRCMP(I64_EQ, uint64_t, u64, a == b)
BRCMP(I64_NE, uint64_t, u64, a != b)
BRCMP(I64_LT_S, int64_t, i64, a < b)
BRCMP(I64_LT_U, uint64_t, u64, a < b)
BRCMP(I64_GT_S, int64_t, i64, a > b)
BRCMP(I64_GT_U, uint64_t, u64, a > b)
BRCMP(I64_LE_S, int64_t, i64, a <= b)
BRCMP(I64_LE_U, uint64_t, u64, a <= b)
BRCMP(I64_GE_S, int64_t, i64, a >= b)
BRCMP(I64_GE_U, uint64_t, u64, a >= b)

    /* ---- i32 ---- */
UNOP(I32_EQZ, uint32_t, u32, u32, a == 0)
BINOP_I(I32_EQ, uint32_t, u32, u32, a == b)
BINOP_I(I32_NE, uint32_t, u32, u32, a != b)
BINOP_I(I32_LT_S, int32_t, i32, u32, a < b)
BINOP_I(I32_LT_U, uint32_t, u32, u32, a < b)
BINOP_I(I32_GT_S, int32_t, i32, u32, a > b)
BINOP_I(I32_GT_U, uint32_t, u32, u32, a > b)
BINOP_I(I32_LE_S, int32_t, i32, u32, a <= b)
BINOP_I(I32_LE_U, uint32_t, u32, u32, a <= b)
BINOP_I(I32_GE_S, int32_t, i32, u32, a >= b)
BINOP_I(I32_GE_U, uint32_t, u32, u32, a >= b)
UNOP(I32_CLZ, uint32_t, u32, u32, a ? (uint32_t)__builtin_clz(a) : 32)
UNOP(I32_CTZ, uint32_t, u32, u32, a ? (uint32_t)__builtin_ctz(a) : 32)
UNOP(I32_POPCNT, uint32_t, u32, u32, (uint32_t)__builtin_popcount(a))
BINOP_I(I32_ADD, uint32_t, u32, u32, a + b)
BINOP_I(I32_SUB, uint32_t, u32, u32, a - b)
BINOP_I(I32_MUL, uint32_t, u32, u32, a * b)
DIVOP(I32_DIV_S, int32_t, i32, if (a == INT32_MIN && b == -1) TRAP(VM_TRAP_INT_OVERFLOW))
DIVOP(I32_DIV_U, uint32_t, u32, )
REMOP(I32_REM_S, int32_t, i32)
L_I32_REM_U: { uint32_t a = R(1).u32, b = R(2).u32; if (b == 0) TRAP(VM_TRAP_DIV_ZERO); PUT_u32(R(0), a % b); pc += 3; NEXT(); }
BINOP_I(I32_AND, uint32_t, u32, u32, a & b)
BINOP_I(I32_OR, uint32_t, u32, u32, a | b)
BINOP_I(I32_XOR, uint32_t, u32, u32, a ^ b)
BINOP_I(I32_SHL, uint32_t, u32, u32, a << (b & 31))
BINOP_I(I32_SHR_S, int32_t, i32, i32, a >> (b & 31))
BINOP_I(I32_SHR_U, uint32_t, u32, u32, a >> (b & 31))
BINOP_I(I32_ROTL, uint32_t, u32, u32, (a << (b & 31)) | (a >> ((32 - (b & 31)) & 31)))
BINOP_I(I32_ROTR, uint32_t, u32, u32, (a >> (b & 31)) | (a << ((32 - (b & 31)) & 31)))
UNOP(I32_EXTEND8_S, uint32_t, u32, i32, (int32_t)(int8_t)(uint8_t)a)
UNOP(I32_EXTEND16_S, uint32_t, u32, i32, (int32_t)(int16_t)(uint16_t)a)

L_X_I64_ANDN: PUT_u64(R(0), R(1).u64 & ~R(2).u64); pc += 3; NEXT();
L_X_I32_ANDN: PUT_u32(R(0), R(1).u32 & ~R(2).u32); pc += 3; NEXT();

    /* ---- i64 ---- */
UNOP(I64_EQZ, uint64_t, u64, u64, a == 0)
BINOP_I(I64_EQ, uint64_t, u64, u64, a == b)
BINOP_I(I64_NE, uint64_t, u64, u64, a != b)
BINOP_I(I64_LT_S, int64_t, i64, u64, a < b)
BINOP_I(I64_LT_U, uint64_t, u64, u64, a < b)
BINOP_I(I64_GT_S, int64_t, i64, u64, a > b)
BINOP_I(I64_GT_U, uint64_t, u64, u64, a > b)
BINOP_I(I64_LE_S, int64_t, i64, u64, a <= b)
BINOP_I(I64_LE_U, uint64_t, u64, u64, a <= b)
BINOP_I(I64_GE_S, int64_t, i64, u64, a >= b)
BINOP_I(I64_GE_U, uint64_t, u64, u64, a >= b)
UNOP(I64_CLZ, uint64_t, u64, u64, a ? (uint64_t)__builtin_clzll(a) : 64)
UNOP(I64_CTZ, uint64_t, u64, u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
UNOP(I64_POPCNT, uint64_t, u64, u64, (uint64_t)__builtin_popcountll(a))
BINOP_I(I64_ADD, uint64_t, u64, u64, a + b)
BINOP_I(I64_SUB, uint64_t, u64, u64, a - b)
BINOP_I(I64_MUL, uint64_t, u64, u64, a * b)
DIVOP(I64_DIV_S, int64_t, i64, if (a == INT64_MIN && b == -1) TRAP(VM_TRAP_INT_OVERFLOW))
DIVOP(I64_DIV_U, uint64_t, u64, )
REMOP(I64_REM_S, int64_t, i64)
L_I64_REM_U: { uint64_t a = R(1).u64, b = R(2).u64; if (b == 0) TRAP(VM_TRAP_DIV_ZERO); R(0).u64 = a % b; pc += 3; NEXT(); }
BINOP_I(I64_AND, uint64_t, u64, u64, a & b)
BINOP_I(I64_OR, uint64_t, u64, u64, a | b)
BINOP_I(I64_XOR, uint64_t, u64, u64, a ^ b)
BINOP_I(I64_SHL, uint64_t, u64, u64, a << (b & 63))
BINOP_I(I64_SHR_S, int64_t, i64, i64, a >> (b & 63))
BINOP_I(I64_SHR_U, uint64_t, u64, u64, a >> (b & 63))
BINOP_I(I64_ROTL, uint64_t, u64, u64, (a << (b & 63)) | (a >> ((64 - (b & 63)) & 63)))
BINOP_I(I64_ROTR, uint64_t, u64, u64, (a >> (b & 63)) | (a << ((64 - (b & 63)) & 63)))
UNOP(I64_EXTEND8_S, uint64_t, u64, i64, (int64_t)(int8_t)(uint8_t)a)
UNOP(I64_EXTEND16_S, uint64_t, u64, i64, (int64_t)(int16_t)(uint16_t)a)
UNOP(I64_EXTEND32_S, uint64_t, u64, i64, (int64_t)(int32_t)(uint32_t)a)
UNOP(I64_EXTEND_I32_S, int32_t, i32, i64, (int64_t)a)
UNOP(I64_EXTEND_I32_U, uint32_t, u32, u64, (uint64_t)a)

    /* ---- f32 / f64 ---- */
BINOP(F32_EQ, float, f32, u32, a == b)
BINOP(F32_NE, float, f32, u32, a != b)
BINOP(F32_LT, float, f32, u32, a < b)
BINOP(F32_GT, float, f32, u32, a > b)
BINOP(F32_LE, float, f32, u32, a <= b)
BINOP(F32_GE, float, f32, u32, a >= b)
BINOP(F64_EQ, double, f64, u64, a == b)
BINOP(F64_NE, double, f64, u64, a != b)
BINOP(F64_LT, double, f64, u64, a < b)
BINOP(F64_GT, double, f64, u64, a > b)
BINOP(F64_LE, double, f64, u64, a <= b)
BINOP(F64_GE, double, f64, u64, a >= b)
UNOP(F32_ABS, uint32_t, u32, u32, a & 0x7fffffffu)
UNOP(F32_NEG, uint32_t, u32, u32, a ^ 0x80000000u)
UNOP(F32_CEIL, float, f32, f32, ceilf(a))
UNOP(F32_FLOOR, float, f32, f32, floorf(a))
UNOP(F32_TRUNC, float, f32, f32, truncf(a))
UNOP(F32_NEAREST, float, f32, f32, vm_f32_nearest(a))
UNOP(F32_SQRT, float, f32, f32, sqrtf(a))
BINOP(F32_ADD, float, f32, f32, a + b)
BINOP(F32_SUB, float, f32, f32, a - b)
BINOP(F32_MUL, float, f32, f32, a * b)
BINOP(F32_DIV, float, f32, f32, a / b)
BINOP(F32_MIN, float, f32, f32, vm_f32_min(a, b))
BINOP(F32_MAX, float, f32, f32, vm_f32_max(a, b))
BINOP_I(F32_COPYSIGN, uint32_t, u32, u32, (a & 0x7fffffffu) | (b & 0x80000000u))
UNOP(F64_ABS, uint64_t, u64, u64, a & 0x7fffffffffffffffull)
UNOP(F64_NEG, uint64_t, u64, u64, a ^ 0x8000000000000000ull)
UNOP(F64_CEIL, double, f64, f64, ceil(a))
UNOP(F64_FLOOR, double, f64, f64, floor(a))
UNOP(F64_TRUNC, double, f64, f64, trunc(a))
UNOP(F64_NEAREST, double, f64, f64, vm_f64_nearest(a))
UNOP(F64_SQRT, double, f64, f64, sqrt(a))
BINOP(F64_ADD, double, f64, f64, a + b)
BINOP(F64_SUB, double, f64, f64, a - b)
BINOP(F64_MUL, double, f64, f64, a * b)
BINOP(F64_DIV, double, f64, f64, a / b)
BINOP(F64_MIN, double, f64, f64, vm_f64_min(a, b))
BINOP(F64_MAX, double, f64, f64, vm_f64_max(a, b))
BINOP_I(F64_COPYSIGN, uint64_t, u64, u64, (a & 0x7fffffffffffffffull) | (b & 0x8000000000000000ull))

    /* ---- conversions ---- */
TRUNC(I32_TRUNC_F32_S, float, f32, int32_t, i32, a >= -2147483648.0f, 2147483648.0f)
TRUNC(I32_TRUNC_F32_U, float, f32, uint32_t, u32, a > -1.0f, 4294967296.0f)
TRUNC(I32_TRUNC_F64_S, double, f64, int32_t, i32, a > -2147483649.0, 2147483648.0)
TRUNC(I32_TRUNC_F64_U, double, f64, uint32_t, u32, a > -1.0, 4294967296.0)
TRUNC(I64_TRUNC_F32_S, float, f32, int64_t, i64, a >= -9223372036854775808.0f, 9223372036854775808.0f)
TRUNC(I64_TRUNC_F32_U, float, f32, uint64_t, u64, a > -1.0f, 18446744073709551616.0f)
TRUNC(I64_TRUNC_F64_S, double, f64, int64_t, i64, a >= -9223372036854775808.0, 9223372036854775808.0)
TRUNC(I64_TRUNC_F64_U, double, f64, uint64_t, u64, a > -1.0, 18446744073709551616.0)
TRUNC_SAT(I32_TRUNC_SAT_F32_S, float, f32, int32_t, i32, a >= -2147483648.0f, 2147483648.0f, INT32_MIN, INT32_MAX)
TRUNC_SAT(I32_TRUNC_SAT_F32_U, float, f32, uint32_t, u32, a > -1.0f, 4294967296.0f, 0, UINT32_MAX)
TRUNC_SAT(I32_TRUNC_SAT_F64_S, double, f64, int32_t, i32, a > -2147483649.0, 2147483648.0, INT32_MIN, INT32_MAX)
TRUNC_SAT(I32_TRUNC_SAT_F64_U, double, f64, uint32_t, u32, a > -1.0, 4294967296.0, 0, UINT32_MAX)
TRUNC_SAT(I64_TRUNC_SAT_F32_S, float, f32, int64_t, i64, a >= -9223372036854775808.0f, 9223372036854775808.0f, INT64_MIN, INT64_MAX)
TRUNC_SAT(I64_TRUNC_SAT_F32_U, float, f32, uint64_t, u64, a > -1.0f, 18446744073709551616.0f, 0, UINT64_MAX)
TRUNC_SAT(I64_TRUNC_SAT_F64_S, double, f64, int64_t, i64, a >= -9223372036854775808.0, 9223372036854775808.0, INT64_MIN, INT64_MAX)
TRUNC_SAT(I64_TRUNC_SAT_F64_U, double, f64, uint64_t, u64, a > -1.0, 18446744073709551616.0, 0, UINT64_MAX)
UNOP(F32_CONVERT_I32_S, int32_t, i32, f32, (float)a)
UNOP(F32_CONVERT_I32_U, uint32_t, u32, f32, (float)a)
UNOP(F32_CONVERT_I64_S, int64_t, i64, f32, (float)a)
UNOP(F32_CONVERT_I64_U, uint64_t, u64, f32, (float)a)
UNOP(F32_DEMOTE_F64, double, f64, f32, (float)a)
UNOP(F64_CONVERT_I32_S, int32_t, i32, f64, (double)a)
UNOP(F64_CONVERT_I32_U, uint32_t, u32, f64, (double)a)
UNOP(F64_CONVERT_I64_S, int64_t, i64, f64, (double)a)
UNOP(F64_CONVERT_I64_U, uint64_t, u64, f64, (double)a)
UNOP(F64_PROMOTE_F32, float, f32, f64, (double)a)

done:
    s->running = false;
    return VM_OK;
trap:
    s->running = false;
    snprintf(s->trap_msg, sizeof s->trap_msg, "%s", vm_status_str(st));
    return st;
}
