/* validate.c — module validation and the function-body validator of the spec appendix
 * (operand stack with unknown types, control frames). The body validator also drives
 * pre-compilation: it knows every stack height, so it emits resolved branches as it goes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "vm/vm_int.h"

const OpInfo vm_ops[OP_COUNT] = {
#define OP(name, prefix, code, imm, sig, align) { #name, prefix, code, sig, align },
#include "vm/opcodes.def"
#undef OP
};

enum { UNKNOWN = 0 };
enum { LAZY_SLOT = -1, LAZY_CONST = -2 };

typedef struct {
    int kind; /* OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE, or -1 for the function */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t height;
    bool unreachable, dead;
    uint32_t chain, else_chain, loop_pc;
} Ctrl;

typedef struct {
    VmStore *s; VmModule *m; VmError *err;
    const uint8_t *b; size_t pos, end, op_pos;
    uint8_t *vals; uint32_t nvals, capvals;
    int32_t *loc;   /* per operand: LAZY_SLOT (value at home), a local index, or LAZY_CONST */
    uint64_t *cval; /* the constant of LAZY_CONST entries */
    Ctrl *ctrls; uint32_t nctrls, capctrls;
    FuncDef *fn; uint32_t fidx;
    uint32_t max_height;
    Emitter em;
    /* the last op's destination operand, retargetable by a following local.set/tee */
    uint32_t last_end, last_dst_pos, last_dst_home;
    uint32_t last_start; int last_op; bool last_imm; /* for compare + branch fusion */
    uint32_t entry_len; /* code length at function entry: nothing has run while it is unchanged */
    uint32_t gas_at; uint64_t gas_acc; /* contract mode: the open block's OP_X_GAS cost word, its sum */
} V;

static const uint8_t valtypes[] = { VM_I32, VM_I64, VM_F32, VM_F64, VM_FUNCREF, VM_EXTERNREF };

static VmStatus invalid(V *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static VmStatus invalid(V *v, const char *fmt, ...) {
    char buf[120];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return vm_error(v->err, VM_INVALID, v->op_pos, "%s in function %u", buf, v->fidx);
}
static VmStatus malformed(V *v, const char *msg) {
    return vm_error(v->err, VM_MALFORMED, v->pos, "%s", msg);
}
static VmStatus oom(V *v) { return vm_error(v->err, VM_OUT_OF_MEMORY, v->pos, "out of memory"); }

static const char *type_name(uint8_t t) {
    switch (t) {
    case VM_I32: return "i32"; case VM_I64: return "i64"; case VM_F32: return "f32";
    case VM_F64: return "f64"; case VM_FUNCREF: return "funcref"; case VM_EXTERNREF: return "externref";
    default: return "unknown";
    }
}
static bool is_ref(uint8_t t) { return t == VM_FUNCREF || t == VM_EXTERNREF; }
static bool is_num(uint8_t t) { return t == VM_I32 || t == VM_I64 || t == VM_F32 || t == VM_F64; }

static VmStatus rd_u32(V *v, uint32_t *out) {
    uint64_t x;
    VmStatus st = vm_read_leb(v->b, v->end, &v->pos, 32, false, &x, v->err);
    *out = (uint32_t)x;
    return st;
}
static VmStatus rd_byte(V *v, uint8_t *out) {
    if (v->pos >= v->end) return malformed(v, "unexpected end of section or function");
    *out = v->b[v->pos++];
    return VM_OK;
}

/* ---- operand and control stacks ---- */

static VmStatus push(V *v, uint8_t t) {
    if (v->nvals == v->capvals) {
        uint32_t cap = v->capvals ? v->capvals * 2 : 64;
        uint8_t *n = vm_realloc(v->vals, cap);
        if (!n) return oom(v);
        v->vals = n;
        int32_t *l = vm_realloc(v->loc, sizeof *l * cap);
        if (!l) return oom(v);
        v->loc = l;
        uint64_t *c = vm_realloc(v->cval, sizeof *c * cap);
        if (!c) return oom(v);
        v->cval = c; v->capvals = cap;
    }
    v->loc[v->nvals] = -1;
    v->vals[v->nvals++] = t;
    if (v->nvals > v->max_height) v->max_height = v->nvals;
    return VM_OK;
}

static VmStatus pop(V *v, uint8_t *out) {
    Ctrl *c = &v->ctrls[v->nctrls - 1];
    if (v->nvals == c->height) {
        if (c->unreachable) { *out = UNKNOWN; return VM_OK; }
        return invalid(v, "type mismatch: %s", "operand stack underflow");
    }
    *out = v->vals[--v->nvals];
    return VM_OK;
}

static VmStatus pop_expect(V *v, uint8_t want, uint8_t *out) {
    uint8_t t = 0; /* gcc cannot see that pop sets it whenever it succeeds */
    VmStatus st = pop(v, &t);
    if (st) return st;
    if (t != want && t != UNKNOWN && want != UNKNOWN)
        return invalid(v, "type mismatch: expected %s", type_name(want));
    if (out) *out = t == UNKNOWN ? want : t;
    return VM_OK;
}

static VmStatus pop_vals(V *v, const uint8_t *ts, uint32_t n) {
    VmStatus st;
    for (uint32_t i = n; i-- > 0;) if ((st = pop_expect(v, ts[i], NULL))) return st;
    return VM_OK;
}
static VmStatus push_vals(V *v, const uint8_t *ts, uint32_t n) {
    VmStatus st;
    for (uint32_t i = 0; i < n; i++) if ((st = push(v, ts[i]))) return st;
    return VM_OK;
}

static bool live(V *v) { Ctrl *c = &v->ctrls[v->nctrls - 1]; return !c->unreachable && !c->dead; }

static VmStatus push_ctrl(V *v, int kind, uint32_t np, const uint8_t *p, uint32_t nr, const uint8_t *r) {
    if (v->nctrls >= VM_MAX_CTRL_DEPTH)
        return vm_error(v->err, VM_LIMIT, v->op_pos, "blocks nested too deeply in function %u (limit is %d)",
                        v->fidx, VM_MAX_CTRL_DEPTH);
    if (v->nctrls == v->capctrls) {
        uint32_t cap = v->capctrls ? v->capctrls * 2 : 16;
        Ctrl *n = vm_realloc(v->ctrls, sizeof *n * cap);
        if (!n) return oom(v);
        v->ctrls = n; v->capctrls = cap;
    }
    bool dead = v->nctrls ? !live(v) : false;
    Ctrl *c = &v->ctrls[v->nctrls++];
    memset(c, 0, sizeof *c);
    c->kind = kind; c->nparams = np; c->params = p; c->nresults = nr; c->results = r;
    c->height = v->nvals; c->dead = dead;
    return push_vals(v, p, np);
}

static void set_unreachable(V *v) {
    Ctrl *c = &v->ctrls[v->nctrls - 1];
    v->nvals = c->height;
    c->unreachable = true;
}

static uint32_t label_arity(Ctrl *c) { return c->kind == OP_LOOP ? c->nparams : c->nresults; }
static const uint8_t *label_types(Ctrl *c) { return c->kind == OP_LOOP ? c->params : c->results; }

/* ---- emission (only in reachable code) ----
 * Operands are frame slots: value i of the operand stack lives at slot nlocals + i (its
 * home), except that local.get pushes a lazy entry standing for the local itself. Lazy
 * entries are copied home before control flow, calls, and writes to their local. */

static void emit(V *v, int op) { if (live(v)) em_op(&v->em, op); }
static void emit_u(V *v, uint64_t x) { if (live(v)) em_u(&v->em, x); }

static uint32_t home(V *v, uint32_t i) { return v->fn->nlocals + i; }
static void put_const(V *v, uint32_t i) {
    em_op(&v->em, OP_X_CONST); em_u(&v->em, home(v, i)); em_u(&v->em, v->cval[i]);
    v->loc[i] = LAZY_SLOT;
}
/* The slot holding operand i; a lazy constant is stored home first (call before em_op). */
static uint32_t opnd(V *v, uint32_t i) {
    if (v->loc[i] == LAZY_CONST) put_const(v, i);
    return v->loc[i] >= 0 ? (uint32_t)v->loc[i] : home(v, i);
}
/* true when the top `n` operands exist in reachable code, so their slots can be named */
static bool have(V *v, uint32_t n) {
    return live(v) && v->nvals >= n && v->nvals - n >= v->ctrls[v->nctrls - 1].height;
}

/* Copies lazy entries of the current block below `upto` to their homes. */
static void materialize(V *v, uint32_t upto) {
    if (!live(v)) return;
    for (uint32_t i = v->ctrls[v->nctrls - 1].height; i < upto && i < v->nvals; i++)
        if (v->loc[i] >= 0) {
            em_op(&v->em, OP_X_MOV); em_u(&v->em, home(v, i)); em_u(&v->em, (uint32_t)v->loc[i]);
            v->loc[i] = LAZY_SLOT;
        } else if (v->loc[i] == LAZY_CONST) {
            put_const(v, i);
        }
}

static void materialize_local(V *v, uint32_t x, uint32_t upto) {
    if (!live(v)) return;
    for (uint32_t i = v->ctrls[v->nctrls - 1].height; i < upto && i < v->nvals; i++)
        if (v->loc[i] == (int32_t)x) {
            em_op(&v->em, OP_X_MOV); em_u(&v->em, home(v, i)); em_u(&v->em, x);
            v->loc[i] = -1;
        }
}

static void emit_target(V *v, Ctrl *c) {
    if (c->kind == OP_LOOP) {
        uint32_t at = em_target(&v->em, 0);
        em_patch(&v->em, at, c->loop_pc);
    } else {
        c->chain = em_target(&v->em, c->chain);
    }
}

/* A branch to `depth` carrying the `n` values below `top` (top = nvals for br, the index of
 * the condition for br_if); cond is the condition's slot. Operands are already home. */
static void emit_br(V *v, uint32_t depth, bool is_if, uint32_t top, uint32_t cond) {
    if (!live(v)) return;
    Ctrl *c = &v->ctrls[v->nctrls - 1 - depth];
    uint32_t n = label_arity(c);
    if (top < n) return; /* invalid: reported by the pops */
    uint32_t h = v->fn->nlocals + c->height;
    uint32_t src = home(v, top - n);
    bool move = src != h && n != 0;
    em_op(&v->em, is_if ? (move ? OP_X_BR_IF_MOVE : OP_X_BR_IF) : (move ? OP_X_BR : OP_X_JMP));
    if (is_if) em_u(&v->em, cond);
    if (move) { em_u(&v->em, h); em_u(&v->em, n); em_u(&v->em, src); }
    emit_target(v, c);
}

/* An op that keeps the stack discipline of the plain interpreter: everything goes home and
 * the handler is told where the stack top is. */
static void emit_stack_op(V *v, int op) {
    if (!live(v)) return;
    materialize(v, v->nvals);
    em_op(&v->em, op);
    em_u(&v->em, home(v, v->nvals));
}

/* ---- immediates ---- */

static VmStatus read_blocktype(V *v, uint32_t *np, const uint8_t **p, uint32_t *nr, const uint8_t **r) {
    if (v->pos >= v->end) return malformed(v, "unexpected end");
    uint8_t b = v->b[v->pos];
    *np = 0; *p = NULL; *nr = 0; *r = NULL;
    if (b == 0x40) { v->pos++; return VM_OK; }
    for (unsigned i = 0; i < sizeof valtypes; i++)
        if (valtypes[i] == b) { v->pos++; *nr = 1; *r = &valtypes[i]; return VM_OK; }
    uint64_t x;
    VmStatus st = vm_read_leb(v->b, v->end, &v->pos, 33, true, &x, v->err);
    if (st) return st;
    if ((int64_t)x < 0) return malformed(v, "malformed value type");
    if (x >= v->m->ntypes) return invalid(v, "unknown type %u", (unsigned)x);
    FuncType *t = &v->m->types[x];
    *np = t->nparams; *p = t->types; *nr = t->nresults; *r = t->types + t->nparams;
    return VM_OK;
}

static VmStatus read_memarg(V *v, uint8_t natural, uint32_t *offset) {
    uint32_t align;
    VmStatus st;
    if ((st = rd_u32(v, &align)) || (st = rd_u32(v, offset))) return st;
    if (v->m->nmems == 0) return invalid(v, "unknown memory 0");
    if (align > natural) return invalid(v, "alignment must not be larger than natural");
    return VM_OK;
}

static VmStatus zero_byte(V *v) {
    uint8_t b = 0;
    VmStatus st = rd_byte(v, &b);
    if (st) return st;
    if (b != 0) return malformed(v, "zero byte expected");
    return VM_OK;
}

static uint8_t sig_type(char c) {
    switch (c) { case 'i': return VM_I32; case 'I': return VM_I64; case 'f': return VM_F32; default: return VM_F64; }
}

/* ---- one instruction ---- */

static int decode_op(V *v, VmStatus *st) {
    static int one[256], fc[32];
    static bool ready;
    if (!ready) {
        for (int i = 0; i < 256; i++) one[i] = -1;
        for (int i = 0; i < 32; i++) fc[i] = -1;
        for (int i = 0; i < OP_COUNT; i++) {
            if (vm_ops[i].prefix == 0) one[vm_ops[i].code] = i;
            else if (vm_ops[i].prefix == 0xfc) fc[vm_ops[i].code] = i;
        }
        ready = true;
    }
    uint8_t b;
    if ((*st = rd_byte(v, &b))) return -1;
    if (b == 0xfc) {
        uint32_t sub;
        if ((*st = rd_u32(v, &sub))) return -1;
        if (sub >= 32 || fc[sub] < 0) { *st = malformed(v, "illegal opcode"); return -1; }
        return fc[sub];
    }
    if (one[b] < 0) { v->pos--; *st = malformed(v, "illegal opcode"); return -1; }
    return one[b];
}

static VmStatus check_table(V *v, uint32_t t) {
    if (t >= v->m->ntables) return invalid(v, "unknown table %u", t);
    return VM_OK;
}

static bool is_nop_conversion(int op) {
    return op == OP_I32_WRAP_I64 || (op >= OP_I32_REINTERPRET_F32 && op <= OP_F64_REINTERPRET_I64);
}

/* Numeric ops, loads, stores, constants: validated from the signature in opcodes.def and
 * emitted as `op dst, src...[, offset]` on frame slots. */
static VmStatus generic(V *v, int op) {
    VmStatus st = VM_OK;
    const OpInfo *info = &vm_ops[op];
    const char *colon = strchr(info->sig, ':');
    uint32_t np = (uint32_t)(colon - info->sig), nr = (uint32_t)strlen(colon + 1);
    uint32_t offset = 0;
    bool mem = op >= OP_I32_LOAD && op <= OP_I64_STORE32;
    bool stack_op = op == OP_MEMORY_SIZE || op == OP_MEMORY_GROW || op == OP_MEMORY_FILL || op == OP_MEMORY_COPY;
    if (mem) TRY(read_memarg(v, info->align, &offset));
    if (op == OP_MEMORY_SIZE || op == OP_MEMORY_GROW || op == OP_MEMORY_FILL) {
        TRY(zero_byte(v));
        if (!v->m->nmems) return invalid(v, "unknown memory 0");
    } else if (op == OP_MEMORY_COPY) {
        TRY(zero_byte(v)); TRY(zero_byte(v));
        if (!v->m->nmems) return invalid(v, "unknown memory 0");
    }
    uint64_t imm = 0;
    bool is_const = op >= OP_I32_CONST && op <= OP_F64_CONST;
    if (op == OP_I32_CONST) { TRY(vm_read_leb(v->b, v->end, &v->pos, 32, true, &imm, v->err)); imm &= 0xffffffffu; }
    else if (op == OP_I64_CONST) TRY(vm_read_leb(v->b, v->end, &v->pos, 64, true, &imm, v->err));
    else if (op == OP_F32_CONST || op == OP_F64_CONST) {
        size_t n = op == OP_F32_CONST ? 4 : 8;
        if (v->end - v->pos < n) return malformed(v, "unexpected end");
        memcpy(&imm, v->b + v->pos, n); /* little-endian host */
        v->pos += n;
    }
    bool em = have(v, np);
    uint32_t base = v->nvals - np, src[3] = { 0, 0, 0 };
    int32_t keep = LAZY_SLOT;
    const void *imm_h = NULL;
    bool fold = false;
    uint64_t fold_base = 0, fold_k = 0;
    if (em && mem && v->loc[base] == LAZY_SLOT && v->last_end == v->em.len && !v->em.oom &&
        v->last_dst_home == home(v, base) && v->last_op == OP_I32_ADD && v->last_imm) {
        /* the address is `x + K` just computed: drop the add, fold it into the access */
        Word *w = v->em.w + v->last_start;
        fold = true; fold_base = w[2].u; fold_k = w[3].u;
        v->em.len = v->last_start;
        v->last_end = UINT32_MAX;
    }
    if (em) {
        if (stack_op) emit_stack_op(v, op);
        if (fold) {
            if (nr == 0 && v->loc[base + 1] == LAZY_CONST) imm_h = vm_exec_addr_labels(true)[op];
            else src[1] = nr == 0 ? opnd(v, base + 1) : 0;
            src[0] = (uint32_t)fold_base;
        } else if (np == 2 && v->loc[base + 1] == LAZY_CONST && vm_exec_imm_labels()[op]) {
            imm_h = vm_exec_imm_labels()[op]; /* `op dst, a, constant` */
            src[0] = opnd(v, base);
            src[1] = 0;
        } else {
            for (uint32_t k = 0; k < np; k++) src[k] = opnd(v, base + k);
        }
        if (np) keep = v->loc[base];
    }
    for (const char *p = colon; p-- > info->sig;) TRY(pop_expect(v, sig_type(*p), NULL));
    for (const char *p = colon + 1; *p; p++) TRY(push(v, sig_type(*p)));
    if (!em || stack_op) return VM_OK;
    if (is_nop_conversion(op)) { v->loc[base] = keep; return VM_OK; } /* same bits, same slot */
    if (is_const) { v->loc[base] = LAZY_CONST; v->cval[base] = imm; return VM_OK; }
    Emitter *e = &v->em;
    if ((op == OP_I64_AND || op == OP_I32_AND) && !imm_h && v->last_end == e->len && !e->oom &&
        v->last_imm && v->last_op == (op == OP_I64_AND ? OP_I64_XOR : OP_I32_XOR) &&
        v->last_dst_home == src[1] && src[1] == home(v, base + 1) &&
        e->w[v->last_start + 3].u == (op == OP_I64_AND ? ~(uint64_t)0 : 0xffffffffu)) {
        /* x ^ -1 just computed as the second operand, used once: emit a & ~x */
        uint64_t x = e->w[v->last_start + 2].u;
        e->len = v->last_start;
        v->last_start = e->len; v->last_op = op; v->last_imm = false;
        em_op(e, op == OP_I64_AND ? OP_X_I64_ANDN : OP_X_I32_ANDN);
        v->last_dst_pos = e->len; v->last_dst_home = home(v, base);
        em_u(e, home(v, base)); em_u(e, src[0]); em_u(e, x);
        v->last_end = e->len;
        return VM_OK;
    }
    if (fold) { /* loads: dst, base, K, offset; stores: base, value, K, offset */
        if (!imm_h) em_h(e, vm_exec_addr_labels(false)[op]);
        else em_h(e, imm_h);
        if (nr) em_u(e, home(v, base));
        em_u(e, src[0]);
        if (!nr) em_u(e, imm_h ? v->cval[base + 1] : src[1]);
        em_u(e, fold_k);
        em_u(e, offset);
        return VM_OK;
    }
    v->last_start = e->len; v->last_op = op; v->last_imm = imm_h != NULL;
    if (imm_h) em_h(e, imm_h);
    else em_op(e, op);
    if (nr) { v->last_dst_pos = e->len; v->last_dst_home = home(v, base); em_u(e, home(v, base)); }
    if (imm_h) { em_u(e, src[0]); em_u(e, v->cval[base + 1]); }
    else for (uint32_t k = 0; k < np; k++) em_u(e, src[k]);
    if (mem) em_u(e, offset);
    if (nr) v->last_end = e->len;
    return VM_OK;
fail:
    return st;
}

/* local.set / local.tee: the value goes straight into the local when the op that made it
 * can be retargeted; lazy copies of the old local value are made first. */
static void emit_local_write(V *v, uint32_t x) {
    if (!have(v, 1)) return;
    uint32_t top = v->nvals - 1;
    uint32_t before = v->em.len;
    materialize_local(v, x, top);
    if (v->loc[top] == LAZY_SLOT && before == v->last_end && v->em.len == before && v->last_dst_home == home(v, top) &&
        !v->em.oom) {
        v->em.w[v->last_dst_pos].u = x;
        return;
    }
    if (v->loc[top] == (int32_t)x) return; /* local.get x; local.set x */
    if (v->loc[top] == LAZY_CONST && v->cval[top] == 0 && x >= v->fn->code.nparams &&
        v->nctrls == 1 && v->em.len == v->entry_len)
        return; /* zeroing a declared local before any code has run: it is zero already */
    if (v->loc[top] == LAZY_CONST) { em_op(&v->em, OP_X_CONST); em_u(&v->em, x); em_u(&v->em, v->cval[top]); return; }
    uint32_t src = opnd(v, top);
    em_op(&v->em, OP_X_MOV); em_u(&v->em, x); em_u(&v->em, src);
}

static bool is_cmp(int op) {
    return (op >= OP_I32_EQZ && op <= OP_I32_GE_U) || (op >= OP_I64_EQZ && op <= OP_I64_GE_U);
}
static int invert_cmp(int op) {
    switch (op) {
    case OP_I32_EQ: return OP_I32_NE; case OP_I32_NE: return OP_I32_EQ;
    case OP_I32_LT_S: return OP_I32_GE_S; case OP_I32_GE_S: return OP_I32_LT_S;
    case OP_I32_LT_U: return OP_I32_GE_U; case OP_I32_GE_U: return OP_I32_LT_U;
    case OP_I32_GT_S: return OP_I32_LE_S; case OP_I32_LE_S: return OP_I32_GT_S;
    case OP_I32_GT_U: return OP_I32_LE_U; case OP_I32_LE_U: return OP_I32_GT_U;
    case OP_I64_EQ: return OP_I64_NE; case OP_I64_NE: return OP_I64_EQ;
    case OP_I64_LT_S: return OP_I64_GE_S; case OP_I64_GE_S: return OP_I64_LT_S;
    case OP_I64_LT_U: return OP_I64_GE_U; case OP_I64_GE_U: return OP_I64_LT_U;
    case OP_I64_GT_S: return OP_I64_LE_S; case OP_I64_LE_S: return OP_I64_GT_S;
    case OP_I64_GT_U: return OP_I64_LE_U; case OP_I64_LE_U: return OP_I64_GT_U;
    default: return op;
    }
}

/* If the condition on top was just computed by a compare, removes that compare and emits a
 * fused compare-and-branch (jumping when the compare holds, or fails if `negate`); the
 * caller then emits the target. Lazy operands below are stored home first. */
static bool fuse_cond_branch(V *v, bool negate) {
    uint32_t top = v->nvals - 1;
    if (v->loc[top] != LAZY_SLOT || v->last_end != v->em.len || v->last_dst_home != home(v, top) ||
        !is_cmp(v->last_op) || v->em.oom)
        return false;
    Word *w = v->em.w + v->last_start;
    uint64_t a = w[2].u, b = v->last_op == OP_I32_EQZ || v->last_op == OP_I64_EQZ ? 0 : w[3].u;
    int cmp = v->last_op;
    bool imm = v->last_imm;
    v->em.len = v->last_start;
    v->last_end = UINT32_MAX;
    materialize(v, top);
    if (cmp == OP_I32_EQZ || cmp == OP_I64_EQZ) {
        if (cmp == OP_I64_EQZ) { cmp = OP_I64_EQ; imm = true; b = 0; }
        else { em_op(&v->em, negate ? OP_X_BR_IF : OP_X_BR_UNLESS); em_u(&v->em, a); return true; }
    }
    if (negate) cmp = invert_cmp(cmp);
    em_h(&v->em, (imm ? vm_exec_br_imm_labels() : vm_exec_br_labels())[cmp]);
    em_u(&v->em, a); em_u(&v->em, b);
    return true;
}

/* Contract mode: close the open basic block (its OP_X_GAS word gets the summed cost) and
 * open the next one. Blocks start at function entry, loop heads, both arms of `if`, after
 * `end` and after `br_if`; every instruction is paid for on its block's entry. */
static void gas_close(V *v) {
    if (v->gas_at && v->gas_at < v->em.len && !v->em.oom) v->em.w[v->gas_at].u = v->gas_acc;
    v->gas_at = 0; v->gas_acc = 0;
}
static void gas_open(V *v) {
    gas_close(v);
    if (!v->nctrls || !live(v)) return;
    em_op(&v->em, OP_X_GAS);
    v->gas_at = v->em.len;
    em_u(&v->em, 0);
}

/* Contract mode: floating point is not deterministic enough for consensus. */
static bool op_is_float(int op) {
    const char *n = vm_ops[op].name, *sig = vm_ops[op].sig;
    if (n[0] == 'F' || strstr(n, "_F32") || strstr(n, "_F64")) return true;
    return strchr(sig, 'f') || strchr(sig, 'F');
}

static VmStatus instr(V *v, int op) {
    VmModule *m = v->m;
    VmStatus st = VM_OK;
    uint32_t x, y;
    uint8_t t, t2;
    if (vm_ops[op].sig[0]) return generic(v, op);
    Ctrl *top = &v->ctrls[v->nctrls - 1];
    switch (op) {
    case OP_UNREACHABLE: emit(v, op); set_unreachable(v); break;
    case OP_NOP: break;
    case OP_BLOCK: case OP_LOOP: case OP_IF: {
        uint32_t np, nr;
        const uint8_t *p, *r;
        TRY(read_blocktype(v, &np, &p, &nr, &r));
        uint32_t else_chain = 0;
        if (op == OP_IF) {
            if (have(v, 1)) {
                if (!fuse_cond_branch(v, true)) {
                    materialize(v, v->nvals - 1);
                    uint32_t cond = opnd(v, v->nvals - 1);
                    em_op(&v->em, OP_X_BR_UNLESS); em_u(&v->em, cond);
                }
                else_chain = em_target(&v->em, 0);
            }
            TRY(pop_expect(v, VM_I32, NULL));
        } else {
            materialize(v, v->nvals);
        }
        TRY(pop_vals(v, p, np));
        TRY(push_ctrl(v, op, np, p, nr, r));
        Ctrl *c = &v->ctrls[v->nctrls - 1];
        c->else_chain = else_chain;
        if (op == OP_LOOP) {
            c->loop_pc = v->em.len;
            if (m->fuel) emit(v, OP_X_FUEL);
        }
        break;
    }
    case OP_ELSE:
        if (top->kind != OP_IF) return invalid(v, "else without if");
        materialize(v, v->nvals);
        TRY(pop_vals(v, top->results, top->nresults));
        if (v->nvals != top->height) return invalid(v, "type mismatch: %s", "values remaining on stack at end of block");
        if (live(v)) { em_op(&v->em, OP_X_JMP); top->chain = em_target(&v->em, top->chain); }
        if (top->else_chain) { em_patch(&v->em, top->else_chain, v->em.len); top->else_chain = 0; }
        top->kind = OP_ELSE;
        top->unreachable = false;
        TRY(push_vals(v, top->params, top->nparams));
        break;
    case OP_END: {
        materialize(v, v->nvals);
        TRY(pop_vals(v, top->results, top->nresults));
        if (v->nvals != top->height) return invalid(v, "type mismatch: %s", "values remaining on stack at end of block");
        if (top->kind == OP_IF && (top->nparams != top->nresults ||
                                   (top->nparams && memcmp(top->params, top->results, top->nparams) != 0)))
            return invalid(v, "type mismatch: %s", "if without else must leave its parameters");
        if (top->else_chain) em_patch(&v->em, top->else_chain, v->em.len);
        if (top->chain) em_patch(&v->em, top->chain, v->em.len);
        Ctrl c = *top;
        if (v->nctrls == 1) { /* function end: the exit every branch to the body label reaches */
            em_op(&v->em, OP_X_RETURN);
            em_u(&v->em, c.nresults);
            em_u(&v->em, v->fn->nlocals);
            v->nctrls--;
            return VM_OK;
        }
        v->nctrls--;
        TRY(push_vals(v, c.results, c.nresults));
        break;
    }
    case OP_BR: case OP_BR_IF: {
        TRY(rd_u32(v, &x));
        if (x >= v->nctrls) return invalid(v, "unknown label");
        Ctrl *c = &v->ctrls[v->nctrls - 1 - x];
        if (op == OP_BR_IF) {
            if (have(v, 1)) {
                uint32_t n = label_arity(c), top = v->nvals - 1;
                bool plain = n == 0 || (top >= n && home(v, top - n) == v->fn->nlocals + c->height);
                if (plain && fuse_cond_branch(v, false)) {
                    emit_target(v, c);
                } else {
                    materialize(v, v->nvals - 1);
                    emit_br(v, x, true, v->nvals - 1, opnd(v, v->nvals - 1));
                }
            }
            TRY(pop_expect(v, VM_I32, NULL));
        } else {
            materialize(v, v->nvals);
            emit_br(v, x, false, v->nvals, 0);
        }
        TRY(pop_vals(v, label_types(c), label_arity(c)));
        if (op == OP_BR) set_unreachable(v);
        else TRY(push_vals(v, label_types(c), label_arity(c)));
        break;
    }
    case OP_BR_TABLE: {
        uint32_t n;
        TRY(rd_u32(v, &n));
        if (n > v->end - v->pos) return malformed(v, "unexpected end");
        uint32_t *labels = vm_alloc(sizeof(uint32_t) * ((size_t)n + 1));
        if (!labels) return oom(v);
        for (uint32_t i = 0; i <= n && st == VM_OK; i++) {
            st = rd_u32(v, &labels[i]);
            if (!st && labels[i] >= v->nctrls) st = invalid(v, "unknown label");
        }
        uint32_t arity = st ? 0 : label_arity(&v->ctrls[v->nctrls - 1 - labels[n]]);
        if (!st && have(v, 1 + arity)) {
            materialize(v, v->nvals - 1);
            uint32_t idx = opnd(v, v->nvals - 1);
            em_op(&v->em, OP_X_BR_TABLE);
            em_u(&v->em, idx);
            em_u(&v->em, n); em_u(&v->em, arity); em_u(&v->em, home(v, v->nvals - 1 - arity));
            for (uint32_t i = 0; i <= n; i++) {
                Ctrl *c = &v->ctrls[v->nctrls - 1 - labels[i]];
                em_u(&v->em, v->fn->nlocals + c->height);
                emit_target(v, c);
            }
        }
        if (!st) st = pop_expect(v, VM_I32, NULL);
        uint8_t *tmp = vm_alloc((size_t)arity + 1);
        if (!tmp && !st) st = oom(v);
        for (uint32_t i = 0; i < n && st == VM_OK; i++) {
            Ctrl *c = &v->ctrls[v->nctrls - 1 - labels[i]];
            if (label_arity(c) != arity) { st = invalid(v, "type mismatch: %s", "br_table arity"); break; }
            /* pop then push back what was popped: unknowns stay unknown */
            const uint8_t *want = label_types(c);
            for (uint32_t k = arity; k-- > 0 && !st;) {
                if ((st = pop(v, &tmp[k]))) break;
                if (tmp[k] != want[k] && tmp[k] != UNKNOWN) st = invalid(v, "type mismatch: %s", "br_table operand");
            }
            for (uint32_t k = 0; k < arity && !st; k++) st = push(v, tmp[k]);
        }
        vm_free(tmp);
        if (!st) st = pop_vals(v, label_types(&v->ctrls[v->nctrls - 1 - labels[n]]), arity);
        vm_free(labels);
        if (st) return st;
        set_unreachable(v);
        break;
    }
    case OP_RETURN: {
        Ctrl *f = &v->ctrls[0];
        if (have(v, f->nresults)) {
            materialize(v, v->nvals);
            em_op(&v->em, OP_X_RETURN); em_u(&v->em, f->nresults); em_u(&v->em, home(v, v->nvals - f->nresults));
        }
        TRY(pop_vals(v, f->results, f->nresults));
        set_unreachable(v);
        break;
    }
    case OP_CALL: {
        TRY(rd_u32(v, &x));
        if (x >= m->nfuncs) return invalid(v, "unknown function %u", x);
        FuncType *ft = &m->types[m->func_type[x]];
        if (have(v, ft->nparams)) {
            materialize(v, v->nvals);
            if (x >= m->nfunc_imports) { /* same module: the code is known now */
                em_op(&v->em, OP_X_CALL_DIRECT);
                em_u(&v->em, (uintptr_t)&m->funcs[x - m->nfunc_imports].code);
            } else {
                em_op(&v->em, op); em_u(&v->em, x);
            }
            em_u(&v->em, home(v, v->nvals - ft->nparams));
        }
        TRY(pop_vals(v, ft->types, ft->nparams));
        TRY(push_vals(v, ft->types + ft->nparams, ft->nresults));
        break;
    }
    case OP_CALL_INDIRECT: {
        TRY(rd_u32(v, &x)); TRY(rd_u32(v, &y));
        TRY(check_table(v, y));
        if (x >= m->ntypes) return invalid(v, "unknown type %u", (unsigned)x);
        if (m->tables[y].type != VM_FUNCREF) return invalid(v, "type mismatch: %s", "call_indirect on a non-funcref table");
        FuncType *ft = &m->types[x];
        if (have(v, ft->nparams + 1)) {
            materialize(v, v->nvals - 1);
            uint32_t idx = opnd(v, v->nvals - 1);
            em_op(&v->em, op); em_u(&v->em, x); em_u(&v->em, y);
            em_u(&v->em, idx); em_u(&v->em, home(v, v->nvals - 1 - ft->nparams));
        }
        TRY(pop_expect(v, VM_I32, NULL));
        TRY(pop_vals(v, ft->types, ft->nparams));
        TRY(push_vals(v, ft->types + ft->nparams, ft->nresults));
        break;
    }
    case OP_DROP: TRY(pop(v, &t)); break;
    case OP_SELECT: case OP_SELECT_T: {
        uint8_t want = UNKNOWN;
        if (op == OP_SELECT_T) {
            TRY(rd_u32(v, &x));
            if (x != 1) return invalid(v, "invalid result arity");
            if (v->pos >= v->end) return malformed(v, "unexpected end");
            want = v->b[v->pos++];
            bool ok = false;
            for (unsigned i = 0; i < sizeof valtypes; i++) ok |= valtypes[i] == want;
            if (!ok) return malformed(v, "malformed value type");
        }
        if (have(v, 3)) {
            uint32_t n = v->nvals;
            uint32_t a = opnd(v, n - 3), b = opnd(v, n - 2), c = opnd(v, n - 1);
            em_op(&v->em, OP_SELECT); em_u(&v->em, home(v, n - 3));
            em_u(&v->em, a); em_u(&v->em, b); em_u(&v->em, c);
        }
        TRY(pop_expect(v, VM_I32, NULL));
        TRY(pop_expect(v, want, &t));
        TRY(pop_expect(v, want, &t2));
        if (op == OP_SELECT) {
            if ((t != UNKNOWN && !is_num(t)) || (t2 != UNKNOWN && !is_num(t2)))
                return invalid(v, "type mismatch: %s", "select needs numeric operands");
            if (t != t2 && t != UNKNOWN && t2 != UNKNOWN) return invalid(v, "type mismatch: %s", "select operands differ");
            TRY(push(v, t == UNKNOWN ? t2 : t));
        } else {
            TRY(push(v, want));
        }
        break;
    }
    case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE:
        TRY(rd_u32(v, &x));
        if (x >= v->fn->nlocals) return invalid(v, "unknown local %u", x);
        t = v->fn->local_types[x];
        if (op != OP_LOCAL_GET) {
            emit_local_write(v, x);
            TRY(pop_expect(v, t, NULL));
        }
        if (op != OP_LOCAL_SET) {
            TRY(push(v, t));
            if (live(v)) v->loc[v->nvals - 1] = (int32_t)x;
        }
        break;
    case OP_GLOBAL_GET: case OP_GLOBAL_SET:
        TRY(rd_u32(v, &x));
        if (x >= m->nglobals) return invalid(v, "unknown global %u", x);
        t = m->globals[x].type;
        if (op == OP_GLOBAL_GET) {
            if (live(v)) { em_op(&v->em, op); em_u(&v->em, home(v, v->nvals)); em_u(&v->em, x); }
            TRY(push(v, t));
        } else {
            if (!m->globals[x].mut) return invalid(v, "global is immutable");
            if (have(v, 1)) { uint32_t src = opnd(v, v->nvals - 1); em_op(&v->em, op); em_u(&v->em, src); em_u(&v->em, x); }
            TRY(pop_expect(v, t, NULL));
        }
        break;
    case OP_TABLE_GET: case OP_TABLE_SET:
        TRY(rd_u32(v, &x)); TRY(check_table(v, x));
        t = m->tables[x].type;
        emit_stack_op(v, op); emit_u(v, x);
        if (op == OP_TABLE_GET) { TRY(pop_expect(v, VM_I32, NULL)); TRY(push(v, t)); }
        else { TRY(pop_expect(v, t, NULL)); TRY(pop_expect(v, VM_I32, NULL)); }
        break;
    case OP_REF_NULL:
        TRY(rd_byte(v, &t));
        if (!is_ref(t)) { v->pos--; return malformed(v, "malformed reference type"); }
        if (live(v)) { em_op(&v->em, OP_X_CONST); em_u(&v->em, home(v, v->nvals)); em_u(&v->em, 0); }
        TRY(push(v, t));
        break;
    case OP_REF_IS_NULL:
        emit_stack_op(v, op);
        TRY(pop(v, &t));
        if (t != UNKNOWN && !is_ref(t)) return invalid(v, "type mismatch: %s", "ref.is_null needs a reference");
        TRY(push(v, VM_I32));
        break;
    case OP_REF_FUNC:
        TRY(rd_u32(v, &x));
        if (x >= m->nfuncs) return invalid(v, "unknown function %u", x);
        if (!m->declared[x]) return invalid(v, "undeclared function reference");
        emit_stack_op(v, op); emit_u(v, x);
        TRY(push(v, VM_FUNCREF));
        break;
    case OP_MEMORY_INIT: case OP_DATA_DROP:
        TRY(rd_u32(v, &x));
        if (op == OP_MEMORY_INIT) TRY(zero_byte(v));
        if (op == OP_MEMORY_INIT && !m->nmems) return invalid(v, "unknown memory 0");
        if (x >= (m->has_datacount ? m->datacount : m->ndatas)) return invalid(v, "unknown data segment %u", x);
        if (!m->has_datacount) return malformed(v, "data count section required");
        emit_stack_op(v, op); emit_u(v, x);
        if (op == OP_MEMORY_INIT) {
            TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL));
        }
        break;
    case OP_TABLE_INIT:
        TRY(rd_u32(v, &x)); TRY(rd_u32(v, &y));
        TRY(check_table(v, y));
        if (x >= m->nelems) return invalid(v, "unknown elem segment %u", x);
        if (m->elems[x].type != m->tables[y].type) return invalid(v, "type mismatch: %s", "table.init element type");
        emit_stack_op(v, op); emit_u(v, x); emit_u(v, y);
        TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL));
        break;
    case OP_ELEM_DROP:
        TRY(rd_u32(v, &x));
        if (x >= m->nelems) return invalid(v, "unknown elem segment %u", x);
        emit_stack_op(v, op); emit_u(v, x);
        break;
    case OP_TABLE_COPY:
        TRY(rd_u32(v, &x)); TRY(rd_u32(v, &y));
        TRY(check_table(v, x)); TRY(check_table(v, y));
        if (m->tables[x].type != m->tables[y].type) return invalid(v, "type mismatch: %s", "table.copy element types");
        emit_stack_op(v, op); emit_u(v, x); emit_u(v, y);
        TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, VM_I32, NULL));
        break;
    case OP_TABLE_GROW: case OP_TABLE_SIZE: case OP_TABLE_FILL:
        TRY(rd_u32(v, &x)); TRY(check_table(v, x));
        t = m->tables[x].type;
        emit_stack_op(v, op); emit_u(v, x);
        if (op == OP_TABLE_GROW) { TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, t, NULL)); TRY(push(v, VM_I32)); }
        else if (op == OP_TABLE_SIZE) TRY(push(v, VM_I32));
        else { TRY(pop_expect(v, VM_I32, NULL)); TRY(pop_expect(v, t, NULL)); TRY(pop_expect(v, VM_I32, NULL)); }
        break;
    default:
        return malformed(v, "illegal opcode");
    }
    v->last_end = UINT32_MAX;
    return VM_OK;
fail:
    return st;
}

/* WRIT_VM_DUMP=1 prints each function's pre-decoded code (handler names, then words). */
static void dump_code(V *v, Code *c) {
    const void *const *tabs[6] = { vm_exec_labels(), vm_exec_imm_labels(), vm_exec_br_labels(),
                                   vm_exec_br_imm_labels(), vm_exec_addr_labels(false),
                                   vm_exec_addr_labels(true) };
    static const char *suffix[6] = { "", "_I", " (br)", " (br_I)", "_A", "_AI" };
    fprintf(stderr, "func %u: %u locals, max height %u\n", v->fidx, c->nlocals, c->max_height);
    for (uint32_t i = 0; i < v->em.len; i++) {
        const char *name = NULL;
        int kind = 0;
        for (int t = 0; t < 6 && !name; t++)
            for (int o = 0; o < OP_COUNT; o++)
                if (tabs[t][o] && tabs[t][o] == c->words[i].h) { name = vm_ops[o].name; kind = t; break; }
        if (name) fprintf(stderr, "\n  %4u %s%s", i, name, suffix[kind]);
        else fprintf(stderr, " %lld", (long long)c->words[i].i);
    }
    fprintf(stderr, "\n");
}

static VmStatus validate_func(V *v, uint32_t idx) {
    VmModule *m = v->m;
    FuncDef *fn = &m->funcs[idx - m->nfunc_imports];
    FuncType *ft = &m->types[fn->type];
    VmStatus st = VM_OK;
    v->fn = fn; v->fidx = idx;
    v->pos = fn->body_off; v->end = (size_t)fn->body_off + fn->body_len;
    v->nvals = 0; v->nctrls = 0; v->max_height = 0; v->last_end = UINT32_MAX;
    memset(&v->em, 0, sizeof v->em);
    v->em.labels = vm_exec_labels();
    TRY(push_ctrl(v, -1, 0, NULL, ft->nresults, ft->types + ft->nparams));
    if (m->fuel) em_op(&v->em, OP_X_FUEL); /* every call burns fuel, as every loop turn does */
    v->gas_at = 0; v->gas_acc = 0;
    if (m->gas) gas_open(v);
    v->entry_len = v->em.len;
    fn->code.nparams = ft->nparams;
    while (v->nctrls) {
        if (v->pos >= v->end) { st = malformed(v, "unexpected end of section or function"); goto fail; }
        v->op_pos = v->pos;
        int op = decode_op(v, &st);
        if (op < 0) goto fail;
        if (m->gas && op_is_float(op)) {
            char name[32]; size_t k = 0; bool dot = false;
            for (const char *p = vm_ops[op].name; *p && k + 1 < sizeof name; p++) {
                char c = *p;
                if (c == '_' && !dot) { c = '.'; dot = true; }
                else if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
                name[k++] = c;
            }
            name[k] = 0;
            st = vm_error(v->err, VM_INVALID, v->op_pos, "contract uses floating point (%s at offset %zu)", name, v->op_pos);
            goto fail;
        }
        if (m->gas && live(v)) v->gas_acc += vm_gas_cost(op);
        TRY(instr(v, op));
        if (m->gas && (op == OP_LOOP || op == OP_IF || op == OP_ELSE || op == OP_END || op == OP_BR_IF))
            gas_open(v);
        if (v->em.oom) { st = oom(v); goto fail; }
    }
    if (v->pos != v->end) { st = malformed(v, "section size mismatch: END opcode expected"); goto fail; }
    fn->code.nparams = ft->nparams;
    fn->code.nresults = ft->nresults;
    fn->code.nlocals = fn->nlocals;
    fn->code.max_height = v->max_height + 4; /* + room for exec.c's branch-free zero_locals */
    fn->code.frame_size = (uint64_t)fn->code.nlocals + fn->code.max_height;
    TRY(em_finish(&v->em, &fn->code));
    if (getenv("WRIT_VM_DUMP")) dump_code(v, &fn->code);
    return VM_OK;
fail:
    em_free(&v->em);
    return st;
}

/* ---- module level ---- */

VmStatus vm_const_type(VmModule *m, Expr e, uint8_t want, uint32_t nglobals, VmError *err) {
    uint8_t stack[8];
    uint32_t n = 0;
    size_t pos = e.off, end = (size_t)e.off + e.len;
    while (pos < end) {
        uint8_t op = m->bytes[pos++];
        uint8_t t = 0;
        uint64_t x;
        VmStatus st = VM_OK;
        switch (op) {
        case 0x0b:
            if (n != 1 || stack[0] != want)
                return vm_error(err, VM_INVALID, pos - 1, "type mismatch in constant expression");
            return VM_OK;
        case 0x41: st = vm_read_leb(m->bytes, end, &pos, 32, true, &x, err); t = VM_I32; break;
        case 0x42: st = vm_read_leb(m->bytes, end, &pos, 64, true, &x, err); t = VM_I64; break;
        case 0x43: pos += 4; t = VM_F32; break;
        case 0x44: pos += 8; t = VM_F64; break;
        case 0xd0: t = m->bytes[pos++]; break;
        case 0xd2:
            st = vm_read_leb(m->bytes, end, &pos, 32, false, &x, err);
            if (!st && x >= m->nfuncs) return vm_error(err, VM_INVALID, pos, "unknown function %u", (unsigned)x);
            if (!st) m->declared[x] = 1;
            t = VM_FUNCREF;
            break;
        case 0x23:
            st = vm_read_leb(m->bytes, end, &pos, 32, false, &x, err);
            if (!st && x >= nglobals) return vm_error(err, VM_INVALID, pos, "unknown global %u", (unsigned)x);
            if (!st && m->globals[x].mut) return vm_error(err, VM_INVALID, pos, "constant expression required");
            if (!st) t = m->globals[x].type;
            break;
        default:
            return vm_error(err, VM_INVALID, pos - 1, "constant expression required");
        }
        if (st) return st;
        if (n == sizeof stack) return vm_error(err, VM_INVALID, pos, "type mismatch in constant expression");
        stack[n++] = t;
    }
    return vm_error(err, VM_MALFORMED, pos, "unexpected end");
}

static VmStatus check_limits(Limits l, uint64_t cap, const char *what, VmError *err) {
    if (l.min > cap || (l.has_max && l.max > cap)) {
        if (cap == VM_MAX_PAGES) return vm_error(err, VM_INVALID, 0, "memory size must be at most 65536 pages (4GiB)");
        return vm_error(err, VM_INVALID, 0, "%s size out of range", what);
    }
    if (l.has_max && l.min > l.max) return vm_error(err, VM_INVALID, 0, "size minimum must not be greater than maximum");
    return VM_OK;
}

static int cmp_names(const void *a, const void *b) {
    const Export *x = *(const Export *const *)a, *y = *(const Export *const *)b;
    uint32_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

VmStatus vm_validate(VmStore *s, VmModule *m, VmError *err) {
    VmStatus st = VM_OK;
    V v = { .s = s, .m = m, .err = err, .b = m->bytes };
    Export **sorted = NULL;
    m->declared = vm_alloc(m->nfuncs + 1);
    if (!m->declared) return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    for (uint32_t i = 0; i < m->nfuncs; i++)
        if (m->func_type[i] >= m->ntypes) return vm_error(err, VM_INVALID, 0, "unknown type %u", m->func_type[i]);
    for (uint32_t i = 0; i < m->ntables; i++) TRY(check_limits(m->tables[i].lim, 0xffffffffu, "table", err));
    for (uint32_t i = 0; i < m->nmems; i++) TRY(check_limits(m->mems[i], VM_MAX_PAGES, "memory", err));
    if (m->nmems > 1) return vm_error(err, VM_INVALID, 0, "multiple memories");
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++)
        TRY(vm_const_type(m, m->globals[i].init, m->globals[i].type, m->nglobal_imports, err));
    for (uint32_t i = 0; i < m->nelems; i++) {
        ElemSeg *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            if (e->table >= m->ntables) return vm_error(err, VM_INVALID, 0, "unknown table %u", e->table);
            if (m->tables[e->table].type != e->type) return vm_error(err, VM_INVALID, 0, "type mismatch in element segment");
            TRY(vm_const_type(m, e->offset, VM_I32, m->nglobal_imports, err));
        }
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->inits) TRY(vm_const_type(m, e->inits[k], e->type, m->nglobal_imports, err));
            else if (e->funcs[k] >= m->nfuncs) return vm_error(err, VM_INVALID, 0, "unknown function %u", e->funcs[k]);
            else m->declared[e->funcs[k]] = 1;
        }
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        if (m->datas[i].mode != SEG_ACTIVE) continue;
        if (!m->nmems) return vm_error(err, VM_INVALID, 0, "unknown memory 0");
        TRY(vm_const_type(m, m->datas[i].offset, VM_I32, m->nglobal_imports, err));
    }
    static const char *kinds[] = { "function", "table", "memory", "global" };
    for (uint32_t i = 0; i < m->nexports; i++) {
        Export *e = &m->exports[i];
        uint32_t lim = e->kind == 0 ? m->nfuncs : e->kind == 1 ? m->ntables : e->kind == 2 ? m->nmems : m->nglobals;
        if (e->idx >= lim) return vm_error(err, VM_INVALID, 0, "unknown %s %u", kinds[e->kind], e->idx);
        if (e->kind == 0) m->declared[e->idx] = 1;
    }
    if (m->nexports) {
        sorted = vm_alloc(sizeof *sorted * m->nexports);
        if (!sorted) return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
        for (uint32_t i = 0; i < m->nexports; i++) sorted[i] = &m->exports[i];
        qsort(sorted, m->nexports, sizeof *sorted, cmp_names);
        for (uint32_t i = 1; i < m->nexports; i++)
            if (cmp_names(&sorted[i - 1], &sorted[i]) == 0) {
                st = vm_error(err, VM_INVALID, 0, "duplicate export name \"%s\"", sorted[i]->name);
                goto fail;
            }
    }
    if (m->start >= 0) {
        /* `sorted` is live here: leave through `fail` so it is freed */
        if ((uint64_t)m->start >= m->nfuncs) {
            st = vm_error(err, VM_INVALID, 0, "unknown function %u", (unsigned)m->start);
            goto fail;
        }
        FuncType *ft = &m->types[m->func_type[m->start]];
        if (ft->nparams || ft->nresults) {
            st = vm_error(err, VM_INVALID, 0, "start function must have type [] -> []");
            goto fail;
        }
    }
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) TRY(validate_func(&v, i));
fail:
    vm_free(sorted);
    vm_free(v.vals);
    vm_free(v.loc);
    vm_free(v.cval);
    vm_free(v.ctrls);
    return st;
}
