/* build.c — constructing IR: the op table generated from ops.def, modules, declarations,
 * functions, blocks and instructions, list surgery and use replacement. */
#include "internal.h"

#include <string.h>

const IrOpInfo ir_op_info[IR_OP_COUNT] = {
#define X(e, text, nargs, flags, doc) [e] = {text, nargs, flags},
#include "ops.def"
#undef X
};

enum {
#define X(e, text, nargs, flags, doc) +1
    IR_OP_ROWS = 0
#include "ops.def"
#undef X
};
_Static_assert((int)IR_OP_ROWS == (int)IR_OP_COUNT, "ops.def rows and IrOp disagree");
_Static_assert(sizeof ir_op_info / sizeof ir_op_info[0] == IR_OP_COUNT, "op table size");

const char *const ir_env_names[IR_ENV_COUNT] = {
    [IR_ENV_CALLER] = "caller",     [IR_ENV_CALLVALUE] = "callvalue",
    [IR_ENV_ORIGIN] = "origin",     [IR_ENV_ADDRESS] = "address",
    [IR_ENV_NUMBER] = "number",     [IR_ENV_TIMESTAMP] = "timestamp",
    [IR_ENV_CHAINID] = "chainid",
};

void *ir_grow(Arena *a, void *items, int n, size_t elem_size) {
    if (n > 0 && (n < 4 || (n & (n - 1)) != 0)) return items; /* room left */
    if (n == 0 && items) return items;
    size_t cap = n < 4 ? 4 : (size_t)n * 2;
    void *fresh = arena_alloc(a, cap * elem_size);
    if (n > 0) memcpy(fresh, items, (size_t)n * elem_size);
    return fresh;
}

bool ir_has_result(const IrInstr *i) {
    return (ir_op_info[i->op].flags & OPF_RESULT) && i->type && i->type->kind != IRT_VOID;
}

bool ir_is_storage_place(IrOp op) {
    return op == IR_SLOAD || op == IR_SSTORE || op == IR_SLEN || op == IR_SSETLEN ||
           op == IR_OLD_SLOAD || op == IR_SUM || op == IR_OLD_SUM;
}

bool ir_is_memory_place(IrOp op) {
    return op == IR_MLOAD || op == IR_MSTORE || op == IR_MLEN || op == IR_MSETLEN;
}

int ir_place_prefix(IrOp op) {
    switch (op) {
    case IR_SSTORE: case IR_SSETLEN: case IR_MLOAD: case IR_MLEN: return 1;
    case IR_MSTORE: case IR_MSETLEN: return 2;
    default: return 0;
    }
}

IrType *ir_place_root(const IrModule *m, const IrInstr *i) {
    if (ir_is_storage_place(i->op)) {
        if (i->var < 0 || i->var >= m->nstorage) return NULL;
        return m->storage[i->var].type;
    }
    int r = ir_place_prefix(i->op) - 1;
    if (r < 0 || r >= i->nargs || !i->args[r]) return NULL;
    IrType *t = i->args[r]->type;
    return t && t->kind == IRT_REF ? t->elem : NULL;
}

/* ---------------- modules and declarations ---------------- */
IrModule *ir_module_new(Arena *a, const char *name) {
    IrModule *m = ARENA_NEW(a, IrModule);
    m->arena = a;
    m->name = arena_strndup(a, name ? name : "", name ? strlen(name) : 0);
    return m;
}

static const char *dup(IrModule *m, const char *s) {
    if (m->names_outlive)
        return s;
    return s ? arena_strndup(m->arena, s, strlen(s)) : NULL;
}

static IrField *copy_fields(IrModule *m, IrField *fields, int n) {
    IrField *f = ARENA_ARRAY(m->arena, IrField, n > 0 ? n : 1);
    for (int i = 0; i < n; i++) {
        f[i] = fields[i];
        f[i].name = dup(m, fields[i].name);
    }
    return f;
}

int ir_add_storage(IrModule *m, const char *name, IrType *t, bool ghost, Span sp) {
    IrStorage s = {dup(m, name), t, ghost, sp};
    IR_PUSH(m->arena, m->storage, m->nstorage, s);
    return m->nstorage - 1;
}

int ir_add_struct(IrModule *m, const char *name, IrField *fields, int n) {
    IrStruct s = {dup(m, name), copy_fields(m, fields, n), n};
    IR_PUSH(m->arena, m->structs, m->nstructs, s);
    return m->nstructs - 1;
}

/* "Name(t1,t2)" from ABI names of the types. */
static const char *make_signature(IrModule *m, const char *name, IrType **types, int n) {
    size_t cap = strlen(name) + 3, len = 0;
    char tmp[512];
    for (int i = 0; i < n; i++) {
        ir_type_abi_name(m, types[i], tmp, sizeof tmp);
        cap += strlen(tmp) + 1;
    }
    char *s = arena_alloc(m->arena, cap);
    len = (size_t)snprintf(s, cap, "%s(", name);
    for (int i = 0; i < n; i++) {
        ir_type_abi_name(m, types[i], tmp, sizeof tmp);
        len += (size_t)snprintf(s + len, cap - len, "%s%s", i ? "," : "", tmp);
    }
    snprintf(s + len, cap - len, ")");
    return s;
}

static void fill_event(IrModule *m, IrEvent *e) {
    IrType **types = ARENA_ARRAY(m->arena, IrType *, e->nfields > 0 ? e->nfields : 1);
    for (int i = 0; i < e->nfields; i++) types[i] = e->fields[i].type;
    e->signature = make_signature(m, e->name, types, e->nfields);
    keccak256(e->signature, strlen(e->signature), e->topic0);
}

int ir_add_event(IrModule *m, const char *name, IrField *fields, int n) {
    IrEvent e = {dup(m, name), copy_fields(m, fields, n), n, NULL, {0}};
    fill_event(m, &e);
    IR_PUSH(m->arena, m->events, m->nevents, e);
    return m->nevents - 1;
}

int ir_add_error(IrModule *m, const char *name, IrField *fields, int n) {
    IrEvent e = {dup(m, name), copy_fields(m, fields, n), n, NULL, {0}};
    fill_event(m, &e);
    IR_PUSH(m->arena, m->errors, m->nerrors, e);
    return m->nerrors - 1;
}

int ir_add_iface(IrModule *m, const char *name) {
    IrIface x = {dup(m, name), NULL, 0};
    IR_PUSH(m->arena, m->ifaces, m->nifaces, x);
    return m->nifaces - 1;
}

static IrFunc *func_make(IrModule *m, IrFuncKind kind, const char *name, IrParam *params,
                         int nparams, IrType *ret) {
    IrFunc *f = ARENA_NEW(m->arena, IrFunc);
    f->kind = kind;
    f->name = dup(m, name);
    f->params = ARENA_ARRAY(m->arena, IrParam, nparams > 0 ? nparams : 1);
    for (int i = 0; i < nparams; i++) {
        f->params[i] = params[i];
        f->params[i].name = dup(m, params[i].name);
    }
    f->nparams = nparams;
    f->ret = ret ? ret : ir_type_void(m);
    f->owner = -1;
    f->module = m;
    return f;
}

IrFunc *ir_iface_add_fn(IrModule *m, int iface, const char *name, IrParam *params,
                        int nparams, IrType *ret, unsigned flags) {
    IrFunc *f = func_make(m, IR_FN, name, params, nparams, ret);
    f->flags = flags;
    ir_func_set_abi(f);
    if (iface >= 0 && iface < m->nifaces) {
        IrIface *x = &m->ifaces[iface];
        IR_PUSH(m->arena, x->fns, x->nfns, f);
    }
    return f;
}

IrFunc *ir_func_new(IrModule *m, IrFuncKind kind, const char *name, IrParam *params,
                    int nparams, IrType *ret) {
    IrFunc *f = func_make(m, kind, name, params, nparams, ret);
    if (kind == IR_FN || kind == IR_FN_INIT)
        IR_PUSH(m->arena, m->funcs, m->nfuncs, f);
    else
        IR_PUSH(m->arena, m->specs, m->nspecs, f);
    return f;
}

int ir_func_find(const IrModule *m, const char *name) {
    for (int i = 0; i < m->nfuncs; i++)
        if (strcmp(m->funcs[i]->name, name) == 0) return i;
    return -1;
}

void ir_func_set_abi(IrFunc *f) {
    IrModule *m = f->module;
    IrType **types = ARENA_ARRAY(m->arena, IrType *, f->nparams > 0 ? f->nparams : 1);
    for (int i = 0; i < f->nparams; i++) types[i] = f->params[i].type;
    f->signature = make_signature(m, f->name, types, f->nparams);
    uint8_t h[32];
    keccak256(f->signature, strlen(f->signature), h);
    f->selector = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

IrBlock *ir_block_new(IrFunc *f) {
    IrBlock *b = ARENA_NEW(f->module->arena, IrBlock);
    b->id = f->nblocks++;
    if (!f->entry) {
        f->entry = b;
    } else {
        IrBlock *last = f->entry;
        while (last->next_in_func) last = last->next_in_func;
        last->next_in_func = b;
    }
    return b;
}

/* ---------------- instructions ---------------- */
_Static_assert(IR_OP_COUNT <= 256, "IrInstr.op is a byte");
_Static_assert(sizeof(IrInstr) == 72, "IrInstr layout: keep it at 72 bytes");

#define IMM4(n) {{(n)}}, {{(n) + 1}}, {{(n) + 2}}, {{(n) + 3}}
#define IMM16(n) IMM4(n), IMM4((n) + 4), IMM4((n) + 8), IMM4((n) + 12)
#define IMM64(n) IMM16(n), IMM16((n) + 16), IMM16((n) + 32), IMM16((n) + 48)
static const U256 small_imms[256] = {IMM64(0), IMM64(64), IMM64(128), IMM64(192)};

const U256 *ir_imm(IrModule *m, U256 v) {
    if (!(v.w[1] | v.w[2] | v.w[3]) && v.w[0] < 256)
        return &small_imms[v.w[0]];
    U256 *p = ARENA_NEW(m->arena, U256);
    *p = v;
    return p;
}

void ir_instr_defaults(IrInstr *i) {
    i->var = -1;
    switch (i->op) {
    case IR_CONST: case IR_PARAM: i->imm = &small_imms[0]; break;
    case IR_CALL: i->callee = -1; break;
    case IR_XCALL: i->iface = i->xfn = -1; break;
    case IR_EMIT: i->event = -1; break;
    case IR_REVERT: i->error = -1; break;
    default: break;
    }
}

/* Bytes of an instruction of each op: up to the end of the immediates it owns, and at
 * least one pointer of the union so that pointer immediates read NULL on other ops. */
size_t ir_instr_size(IrOp op) {
    size_t base = offsetof(IrInstr, imm);
    if (ir_is_storage_place(op) || ir_is_memory_place(op) || op == IR_STR || op == IR_XCALL)
        return base + 16;
    return base + 8;
}

IrInstr *ir_instr_alloc(IrFunc *f, IrOp op) {
    IrInstr *i = arena_alloc_part(f->module->arena, ir_instr_size(op), sizeof(IrInstr));
    i->op = (uint8_t)op;
    return i;
}

IrInstr *ir_instr_new(IrFunc *f, IrOp op, IrType *type, IrInstr **args, int nargs, Span sp) {
    Arena *a = f->module->arena;
    IrInstr *i = ir_instr_alloc(f, op);
    i->type = type ? type : ir_type_void(f->module);
    i->nargs = (uint16_t)nargs;
    if (nargs > 0) {
        /* exactly nargs: nothing appends to an instruction's operands in place (ir_phi_add
         * makes fresh arrays; the text parser grows its own with ir_grow) */
        i->args = ARENA_ARRAY(a, IrInstr *, nargs);
        if (args) memcpy(i->args, args, sizeof(IrInstr *) * (size_t)nargs);
    }
    ir_instr_defaults(i);
    i->span = sp;
    i->id = ir_has_result(i) ? f->ninstrs++ : -1;
    if (op == IR_JMP || op == IR_BR)
        i->targets = ARENA_ARRAY(a, IrBlock *, 2);
    return i;
}

void ir_block_append(IrBlock *b, IrInstr *i) {
    i->block = b;
    i->next = NULL;
    if (b->last)
        b->last->next = i;
    else
        b->first = i;
    b->last = i;
}

/* Instructions are singly linked (no prev: 8 bytes each), so the one before `i` is found
 * from the top of its block; the passes that remove many walk with it in hand
 * (ir_instr_unlink). */
static IrInstr *before(const IrBlock *b, const IrInstr *i) {
    IrInstr *p = NULL;
    for (IrInstr *q = b->first; q && q != i; q = q->next)
        p = q;
    return p;
}

void ir_instr_insert_before(IrInstr *pos, IrInstr *i) {
    IrBlock *b = pos->block;
    IrInstr *p = before(b, pos);
    i->block = b;
    i->next = pos;
    if (p)
        p->next = i;
    else
        b->first = i;
}

void ir_instr_unlink(IrBlock *b, IrInstr *prev, IrInstr *i) {
    if (prev) prev->next = i->next; else b->first = i->next;
    if (b->last == i) b->last = prev;
    i->next = NULL;
    i->block = NULL;
}

void ir_instr_remove(IrInstr *i) {
    IrBlock *b = i->block;
    if (!b) return;
    ir_instr_unlink(b, before(b, i), i);
}

IrInstr *ir_const(IrFunc *f, IrBlock *b, IrType *t, U256 v, Span sp) {
    IrInstr *i = ir_instr_new(f, IR_CONST, t, NULL, 0, sp);
    i->imm = ir_imm(f->module, v);
    ir_block_append(b, i);
    return i;
}

static bool is_compare(IrOp op) {
    return op == IR_EQ || op == IR_NE || op == IR_LT || op == IR_LE || op == IR_GT || op == IR_GE;
}

IrInstr *ir_binop(IrFunc *f, IrBlock *b, IrOp op, IrInstr *x, IrInstr *y, Span sp) {
    IrInstr *args[2] = {x, y};
    IrType *t = is_compare(op) ? ir_type_bool(f->module) : x->type;
    int n = ir_op_info[op].nargs == 1 ? 1 : 2;
    IrInstr *i = ir_instr_new(f, op, t, args, n, sp);
    ir_block_append(b, i);
    return i;
}

IrInstr *ir_check(IrFunc *f, IrBlock *b, IrOp op, IrInstr *x, IrInstr *y, Span sp) {
    IrInstr *args[2] = {x, y};
    int n = ir_op_info[op].nargs == 1 ? 1 : 2;
    IrInstr *i = ir_instr_new(f, op, NULL, args, n, sp);
    ir_block_append(b, i);
    return i;
}

IrInstr *ir_jmp(IrFunc *f, IrBlock *b, IrBlock *to, Span sp) {
    IrInstr *i = ir_instr_new(f, IR_JMP, NULL, NULL, 0, sp);
    i->targets[0] = to;
    ir_block_append(b, i);
    return i;
}

IrInstr *ir_br(IrFunc *f, IrBlock *b, IrInstr *cond, IrBlock *t, IrBlock *e, Span sp) {
    IrInstr *i = ir_instr_new(f, IR_BR, NULL, &cond, 1, sp);
    i->targets[0] = t;
    i->targets[1] = e;
    ir_block_append(b, i);
    return i;
}

IrInstr *ir_phi(IrFunc *f, IrBlock *b, IrType *t, Span sp) {
    IrInstr *i = ir_instr_new(f, IR_PHI, t, NULL, 0, sp);
    IrInstr *pos = b->first;
    while (pos && pos->op == IR_PHI) pos = pos->next;
    if (pos)
        ir_instr_insert_before(pos, i);
    else
        ir_block_append(b, i);
    return i;
}

void ir_phi_add(IrFunc *f, IrInstr *phi, IrInstr *value, IrBlock *from) {
    Arena *a = f->module->arena;
    int n = phi->nargs;
    /* fresh arrays each time: the phi may have been made by ir_instr_new with operands
     * and blocks of any capacity */
    IrBlock **blocks = ARENA_ARRAY(a, IrBlock *, n + 1);
    if (n && phi->phi_blocks) memcpy(blocks, phi->phi_blocks, sizeof(IrBlock *) * (size_t)n);
    blocks[n] = from;
    phi->phi_blocks = blocks;
    IrInstr **args = ARENA_ARRAY(a, IrInstr *, n + 1);
    if (n) memcpy(args, phi->args, sizeof(IrInstr *) * (size_t)n);
    args[n] = value;
    phi->args = args;
    phi->nargs = n + 1;
}

void ir_replace_uses(IrFunc *f, IrInstr *old, IrInstr *new_value) {
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next)
            for (int k = 0; k < i->nargs; k++)
                if (i->args[k] == old) i->args[k] = new_value;
}

void ir_cfg_compute(IrFunc *f) {
    Arena *a = f->module->arena;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        b->preds = NULL;
        b->npreds = 0;
    }
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *t = b->last;
        if (!t || !(ir_op_info[t->op].flags & OPF_TERM) || !t->targets) continue;
        int nt = t->op == IR_JMP ? 1 : t->op == IR_BR ? 2 : 0;
        for (int k = 0; k < nt; k++) {
            IrBlock *s = t->targets[k];
            if (!s) continue;
            bool seen = false;
            for (int p = 0; p < s->npreds; p++) seen |= s->preds[p] == b;
            if (!seen) IR_PUSH(a, s->preds, s->npreds, b);
        }
    }
}
