/* verify.c — the IR validator (ir_module_verify): declarations well-formed, every block
 * ends in exactly one terminator, SSA values dominate their uses (Cooper-Harvey-Kennedy
 * dominators), phis match predecessors, operand and place types per op, calls match their
 * callees, spec-only ops only in spec functions. Messages name function, block and
 * instruction. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct V {
    IrModule *m;
    DiagSink *d;
    IrFunc *f;
    const char *fwhat; /* "function", "interface function", ... */
    bool ok;
    /* per function */
    IrBlock **rpo;     /* reachable blocks in reverse postorder */
    int nrpo;
    int *order;        /* block id -> rpo index, -1 unreachable */
    int *idom;         /* rpo index -> rpo index of the immediate dominator */
    int maxid;
    IrBlock **blocks;  /* block id -> the function's block (blocks do not record it) */
    Arena scratch;     /* per function */
    int *pos;          /* value id -> position in its block, when ids are sane */
    int cur_pos;       /* position of the instruction being checked */
} V;

/* Is b a block of the function being checked (operands must be defined in it)? */
static bool in_func(const V *v, const IrBlock *b) {
    return b->id >= 0 && b->id <= v->maxid && v->blocks[b->id] == b;
}

static const char *fn_kind_word(IrFuncKind k) {
    static const char *const w[IR_FN_KIND_COUNT] = {"function", "init", "requires", "ensures",
                                                    "reverts_if", "invariant"};
    return (unsigned)k < IR_FN_KIND_COUNT ? w[k] : "function";
}

static Span where(V *v, Span sp) {
    /* spans only mean something in the sink's files when the module points at them */
    if (v->m->srcs && v->m->srcs == v->d->srcs && src_get(v->d->srcs, sp.file)) return sp;
    return (Span){0, 0, 0};
}

static void verr(V *v, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void verr(V *v, Span sp, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    v->ok = false;
    diag_error(v->d, where(v, sp), "%s", msg);
}

static void tname(V *v, const IrType *t, char *buf, size_t n) { ir_type_print(v->m, t, buf, n); }

/* Error about instruction `i` of block `b`: "in function 'f', bb2, '%5 = add': ..." */
static void ierr(V *v, const IrInstr *i, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void ierr(V *v, const IrInstr *i, const char *fmt, ...) {
    char msg[768], head[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int pos = 0;
    for (const IrInstr *q = i->block ? i->block->first : NULL; q && q != i; q = q->next) pos++;
    if (ir_has_result(i))
        snprintf(head, sizeof head, "%%%d = %s", i->id, ir_op_info[i->op].name);
    else
        snprintf(head, sizeof head, "%s", ir_op_info[i->op].name);
    verr(v, i->span, "in %s '%s', bb%d, instruction %d '%s': %s", fn_kind_word(v->f->kind),
         v->f->name, i->block ? i->block->id : -1, pos, head, msg);
}

/* ---------------- types ---------------- */
static bool is_scalar(const IrType *t) {
    return t && (t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
                 t->kind == IRT_BYTES);
}

static bool type_ok(V *v, const IrType *t, int depth) {
    if (!t || depth > 100) return false;
    switch (t->kind) {
    case IRT_VOID: case IRT_BOOL: case IRT_ADDRESS: return true;
    case IRT_INT: return t->bits >= 8 && t->bits <= 256 && t->bits % 8 == 0;
    case IRT_BYTES: return t->bits >= 8 && t->bits <= 256 && t->bits % 8 == 0;
    case IRT_STRING: return true;
    case IRT_ARRAY: case IRT_LIST:
        return t->elem && t->elem->kind != IRT_VOID && t->elem->kind != IRT_REF &&
               t->elem->kind != IRT_MAP && type_ok(v, t->elem, depth + 1);
    case IRT_MAP:
        return is_scalar(t->key) && t->val && t->val->kind != IRT_VOID &&
               t->val->kind != IRT_REF && type_ok(v, t->val, depth + 1);
    case IRT_STRUCT: return t->struct_index >= 0 && t->struct_index < v->m->nstructs;
    case IRT_REF:
        return t->elem && ir_type_is_aggregate(t->elem) && t->elem->kind != IRT_MAP &&
               type_ok(v, t->elem, depth + 1);
    default: return false;
    }
}

/* A value of type `have` may stand for a declared `want`: equal, or a ref to it when
 * `want` is an aggregate (aggregates travel as refs). */
static bool compat(V *v, const IrType *have, const IrType *want) {
    if (have == want) return true;
    return want && ir_type_is_aggregate(want) && have && have->kind == IRT_REF &&
           have->elem == want;
}

static IrType *value_type_of(V *v, IrType *place) {
    return ir_type_is_aggregate(place) ? ir_type_ref(v->m, place) : place;
}

/* ---------------- declarations ---------------- */
static void check_fields(V *v, const char *what, const char *name, const IrField *fs, int n,
                         bool allow_map) {
    char tb[256];
    for (int k = 0; k < n; k++) {
        const IrType *t = fs[k].type;
        if (!type_ok(v, t, 0) || t->kind == IRT_VOID || t->kind == IRT_REF ||
            (t->kind == IRT_MAP && !allow_map)) {
            tname(v, t, tb, sizeof tb);
            verr(v, (Span){0, 0, 0}, "%s '%s': field '%s' has invalid type %s", what, name,
                 fs[k].name, tb);
        }
    }
}

static void check_sig(V *v, IrFunc *f, const char *what) {
    char tb[256];
    for (int k = 0; k < f->nparams; k++) {
        const IrType *t = f->params[k].type;
        if (!type_ok(v, t, 0) || t->kind == IRT_VOID || t->kind == IRT_MAP) {
            tname(v, t, tb, sizeof tb);
            verr(v, f->span, "%s '%s': parameter '%s' has invalid type %s", what, f->name,
                 f->params[k].name, tb);
        }
    }
    if (!type_ok(v, f->ret, 0) || f->ret->kind == IRT_MAP) {
        tname(v, f->ret, tb, sizeof tb);
        verr(v, f->span, "%s '%s': invalid return type %s", what, f->name, tb);
    }
    if (f->signature) {
        uint8_t h[32];
        keccak256(f->signature, strlen(f->signature), h);
        uint32_t sel = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        if (sel != f->selector)
            verr(v, f->span, "%s '%s': selector 0x%08x does not match keccak256(\"%s\") = 0x%08x",
                 what, f->name, f->selector, f->signature, sel);
    } else if (f->flags & IR_FN_PUB) {
        verr(v, f->span, "%s '%s' is pub but has no ABI signature", what, f->name);
    }
}

/* Marks the structs that type t holds inline (through arrays, lists and fields; a map
 * keeps its values apart). */
static void inline_structs(V *v, const IrType *t, char *seen) {
    while (t && (t->kind == IRT_ARRAY || t->kind == IRT_LIST)) t = t->elem;
    if (!t || t->kind != IRT_STRUCT || t->struct_index < 0 || t->struct_index >= v->m->nstructs ||
        seen[t->struct_index])
        return;
    seen[t->struct_index] = 1;
    const IrStruct *st = &v->m->structs[t->struct_index];
    for (int k = 0; k < st->nfields; k++) inline_structs(v, st->fields[k].type, seen);
}

static void check_decls(V *v) {
    IrModule *m = v->m;
    char tb[256];
    Arena scratch;
    arena_init(&scratch);
    char *seen = arena_alloc(&scratch, (size_t)m->nstructs + 1);
    for (int k = 0; k < m->nstructs; k++)
        for (int f = 0; f < m->structs[k].nfields; f++) {
            memset(seen, 0, (size_t)m->nstructs + 1);
            inline_structs(v, m->structs[k].fields[f].type, seen);
            if (seen[k]) {
                verr(v, (Span){0, 0, 0}, "struct '%s' contains itself (through field '%s')",
                     m->structs[k].name, m->structs[k].fields[f].name);
                break;
            }
        }
    arena_free(&scratch);
    for (int k = 0; k < m->nstructs; k++)
        check_fields(v, "struct", m->structs[k].name, m->structs[k].fields, m->structs[k].nfields, true);
    for (int k = 0; k < m->nevents; k++) check_fields(v, "event", m->events[k].name, m->events[k].fields, m->events[k].nfields, false);
    for (int k = 0; k < m->nerrors; k++) check_fields(v, "error", m->errors[k].name, m->errors[k].fields, m->errors[k].nfields, false);
    for (int k = 0; k < m->nstorage; k++) {
        const IrType *t = m->storage[k].type;
        if (!type_ok(v, t, 0) || t->kind == IRT_VOID || t->kind == IRT_REF) {
            tname(v, t, tb, sizeof tb);
            verr(v, m->storage[k].span, "storage '%s' has invalid type %s", m->storage[k].name, tb);
        }
    }
    for (int k = 0; k < m->nifaces; k++)
        for (int j = 0; j < m->ifaces[k].nfns; j++) check_sig(v, m->ifaces[k].fns[j], "interface function");
    for (int k = 0; k < m->nfuncs; k++) {
        IrFunc *f = m->funcs[k];
        if (f->kind != IR_FN && f->kind != IR_FN_INIT)
            verr(v, f->span, "%s '%s' is listed among the ordinary functions", fn_kind_word(f->kind), f->name);
        for (int j = 0; j < k; j++)
            if (strcmp(m->funcs[j]->name, f->name) == 0)
                verr(v, f->span, "function '%s' is defined twice", f->name);
    }
    for (int k = 0; k < m->nspecs; k++) {
        IrFunc *f = m->specs[k];
        if (f->kind == IR_FN || f->kind == IR_FN_INIT || (unsigned)f->kind >= IR_FN_KIND_COUNT) {
            verr(v, f->span, "function '%s' is listed among the spec functions", f->name);
            continue;
        }
        if (f->ret->kind != IRT_BOOL)
            verr(v, f->span, "%s '%s' must return bool", fn_kind_word(f->kind), f->name);
        if (f->kind == IR_FN_INVARIANT) {
            if (f->owner != -1 || f->nparams)
                verr(v, f->span, "invariant '%s' has no owner and no parameters", f->name);
        } else if (f->owner < 0 || f->owner >= m->nfuncs) {
            verr(v, f->span, "%s '%s' has no owner function", fn_kind_word(f->kind), f->name);
        }
    }
}

/* ---------------- CFG and dominators ---------------- */
static int nsucc(const IrInstr *t) {
    if (!t) return 0;
    return t->op == IR_JMP ? 1 : t->op == IR_BR ? 2 : 0;
}

static void dfs(V *v, IrBlock *b, bool *seen, IrBlock **post, int *npost) {
    /* iterative: a stack of (block, next successor) */
    typedef struct { IrBlock *b; int k; } Frame;
    Frame *st = ARENA_ARRAY(&v->scratch, Frame, v->maxid + 2);
    int sp = 0;
    seen[b->id] = true;
    st[sp++] = (Frame){b, 0};
    while (sp) {
        Frame *fr = &st[sp - 1];
        IrInstr *t = fr->b->last;
        bool term = t && (ir_op_info[t->op].flags & OPF_TERM) && t->targets;
        if (term && fr->k < nsucc(t)) {
            IrBlock *s = t->targets[fr->k++];
            if (s && in_func(v, s) && !seen[s->id]) {
                seen[s->id] = true;
                st[sp++] = (Frame){s, 0};
            }
        } else {
            post[(*npost)++] = fr->b;
            sp--;
        }
    }
}

static int intersect(V *v, int a, int b) {
    while (a != b) {
        while (a > b) a = v->idom[a];
        while (b > a) b = v->idom[b];
    }
    return a;
}

static void compute_doms(V *v) {
    IrFunc *f = v->f;
    bool *seen = ARENA_ARRAY(&v->scratch, bool, v->maxid + 1);
    IrBlock **post = ARENA_ARRAY(&v->scratch, IrBlock *, v->maxid + 1);
    int npost = 0;
    dfs(v, f->entry, seen, post, &npost);
    v->nrpo = npost;
    v->rpo = ARENA_ARRAY(&v->scratch, IrBlock *, npost ? npost : 1);
    v->order = ARENA_ARRAY(&v->scratch, int, v->maxid + 1);
    v->idom = ARENA_ARRAY(&v->scratch, int, npost ? npost : 1);
    for (int k = 0; k <= v->maxid; k++) v->order[k] = -1;
    for (int k = 0; k < npost; k++) {
        v->rpo[k] = post[npost - 1 - k];
        v->order[v->rpo[k]->id] = k;
        v->idom[k] = -1;
    }
    v->idom[0] = 0;
    bool changed = true;
    while (changed) {
        changed = false;
        for (int k = 1; k < npost; k++) {
            IrBlock *b = v->rpo[k];
            int nd = -1;
            for (int p = 0; p < b->npreds; p++) {
                int q = v->order[b->preds[p]->id];
                if (q < 0 || v->idom[q] < 0) continue;
                nd = nd < 0 ? q : intersect(v, q, nd);
            }
            if (nd >= 0 && v->idom[k] != nd) {
                v->idom[k] = nd;
                changed = true;
            }
        }
    }
}

static bool dominates(V *v, const IrBlock *a, const IrBlock *b) {
    int x = v->order[a->id], y = v->order[b->id];
    if (y < 0) return true; /* unreachable code is dominated by everything */
    if (x < 0) return false;
    while (y != x && y != 0) y = v->idom[y];
    return y == x;
}

/* Is `def` available at the end of block `b` (for phis) or before `use`? */
static bool def_before(V *v, const IrInstr *def, const IrBlock *b, const IrInstr *use) {
    if (def->block == b) {
        if (!use) return true;
        if (v->pos && def->id >= 0 && def->id < v->f->ninstrs && v->pos[def->id] >= 0)
            return v->pos[def->id] < v->cur_pos;
        for (const IrInstr *q = b->first; q && q != use; q = q->next)
            if (q == def) return true;
        return false;
    }
    return dominates(v, def->block, b);
}

/* ---------------- instructions ---------------- */
static bool want_n(V *v, IrInstr *i, int n) {
    if (i->nargs != n) {
        ierr(v, i, "takes %d operand%s, has %d", n, n == 1 ? "" : "s", i->nargs);
        return false;
    }
    return true;
}

static IrType *argt(IrInstr *i, int k) { return i->args[k]->type; }

static void want_type(V *v, IrInstr *i, int k, const IrType *t, const char *what) {
    if (compat(v, argt(i, k), t)) return;
    char a[256], b[256];
    tname(v, argt(i, k), a, sizeof a);
    tname(v, t, b, sizeof b);
    ierr(v, i, "%s %%%d has type %s, expected %s", what, i->args[k]->id, a, b);
}

static void want_kind(V *v, IrInstr *i, int k, bool ok, const char *expected) {
    if (ok) return;
    char a[256];
    tname(v, argt(i, k), a, sizeof a);
    ierr(v, i, "operand %%%d has type %s, expected %s", i->args[k]->id, a, expected);
}

static void want_result(V *v, IrInstr *i, const IrType *t) {
    if (i->type == t) return;
    char a[256], b[256];
    tname(v, i->type, a, sizeof a);
    tname(v, t, b, sizeof b);
    ierr(v, i, "result type is %s, expected %s", a, b);
}

static void same_operands(V *v, IrInstr *i) {
    if (i->nargs == 2 && argt(i, 0) != argt(i, 1)) {
        char a[256], b[256];
        tname(v, argt(i, 0), a, sizeof a);
        tname(v, argt(i, 1), b, sizeof b);
        ierr(v, i, "operand types differ (%s and %s)", a, b);
    }
}

static void check_place(V *v, IrInstr *i) {
    IrModule *m = v->m;
    int prefix = ir_place_prefix(i->op);
    IrType *t;
    char a[256], b[256];
    if (ir_is_storage_place(i->op)) {
        if (i->var < 0 || i->var >= m->nstorage) {
            ierr(v, i, "storage variable #%d does not exist", i->var);
            return;
        }
        t = m->storage[i->var].type;
        if (m->storage[i->var].ghost && v->f->kind < IR_FN_REQUIRES && !(i->flags & IR_F_GHOST))
            ierr(v, i, "touches ghost storage '%s' but is not marked ghost", m->storage[i->var].name);
    } else {
        if (prefix > i->nargs) {
            ierr(v, i, "needs a root ref operand");
            return;
        }
        IrType *rt = argt(i, prefix - 1);
        if (!rt || rt->kind != IRT_REF) {
            tname(v, rt, a, sizeof a);
            ierr(v, i, "root %%%d has type %s, expected a ref", i->args[prefix - 1]->id, a);
            return;
        }
        t = rt->elem;
    }
    if (!t) {
        ierr(v, i, "the place's root has no type");
        return;
    }
    int k = prefix;
    for (int s = 0; s < i->npath; s++) {
        IrPathElem e = i->path[s];
        IrType *nt = ir_path_step(m, t, e);
        tname(v, t, a, sizeof a);
        if (!nt) {
            if (e.kind == IR_PATH_INDEX) ierr(v, i, "path step %d indexes %s, which is not a map, array or list", s, a);
            else ierr(v, i, "path step %d: %s has no field %u", s, a, e.field);
            return;
        }
        if (e.kind == IR_PATH_INDEX) {
            if (k >= i->nargs) {
                ierr(v, i, "path step %d has no index operand", s);
                return;
            }
            IrType *it = argt(i, k);
            bool ok = t->kind == IRT_MAP ? it == t->key : ir_type_is_int(it);
            if (!ok) {
                char kb[256] = "an integer";
                tname(v, it, b, sizeof b);
                if (t->kind == IRT_MAP) tname(v, t->key, kb, sizeof kb);
                ierr(v, i, "index %%%d has type %s, but %s is indexed by %s", i->args[k]->id, b, a, kb);
            }
            k++;
        }
        t = nt;
    }
    if (k != i->nargs) {
        ierr(v, i, "has %d operands, but its place needs %d", i->nargs, k);
        return;
    }
    tname(v, t, a, sizeof a);
    switch (i->op) {
    case IR_SLOAD: case IR_OLD_SLOAD: case IR_MLOAD:
        if (t->kind == IRT_MAP) ierr(v, i, "cannot load a whole map (%s)", a);
        else want_result(v, i, value_type_of(v, t));
        break;
    case IR_SSTORE: case IR_MSTORE:
        if (t->kind == IRT_MAP) ierr(v, i, "cannot store a whole map (%s)", a);
        else want_type(v, i, 0, value_type_of(v, t), "stored value");
        break;
    case IR_SLEN: case IR_MLEN:
        if (t->kind != IRT_LIST && t->kind != IRT_STRING) ierr(v, i, "length of %s, which is not a list or string", a);
        want_result(v, i, ir_type_int(m, 256, false));
        break;
    case IR_SSETLEN: case IR_MSETLEN:
        if (t->kind != IRT_LIST && t->kind != IRT_STRING) ierr(v, i, "sets the length of %s, which is not a list or string", a);
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer length");
        break;
    case IR_SUM: case IR_OLD_SUM:
        if (t->kind != IRT_MAP || !ir_type_is_int(t->val)) ierr(v, i, "sum of %s, which is not a map to integers", a);
        else if (!ir_type_is_int(i->type)) ierr(v, i, "sum has a non-integer result type");
        break;
    default: break;
    }
}

static void check_fields_args(V *v, IrInstr *i, const IrEvent *e, const char *what) {
    if (i->nargs != e->nfields) {
        ierr(v, i, "%s '%s' has %d fields, given %d", what, e->name, e->nfields, i->nargs);
        return;
    }
    for (int k = 0; k < e->nfields; k++) {
        char w[300];
        snprintf(w, sizeof w, "field '%s'", e->fields[k].name);
        want_type(v, i, k, e->fields[k].type, w);
    }
}

static void check_call_args(V *v, IrInstr *i, IrFunc *callee, int skip) {
    if (i->nargs - skip != callee->nparams) {
        ierr(v, i, "'%s' takes %d argument%s, given %d", callee->name, callee->nparams,
             callee->nparams == 1 ? "" : "s", i->nargs - skip);
        return;
    }
    for (int k = 0; k < callee->nparams; k++) {
        char w[300];
        snprintf(w, sizeof w, "argument '%s'", callee->params[k].name);
        want_type(v, i, k + skip, callee->params[k].type, w);
    }
    if (!compat(v, i->type, callee->ret)) want_result(v, i, callee->ret);
}

static void check_types(V *v, IrInstr *i) {
    IrModule *m = v->m;
    IrFunc *f = v->f;
    const IrOpInfo *info = &ir_op_info[i->op];
    IrType *t = i->type;
    IrType *b1 = ir_type_bool(m), *u256 = ir_type_int(m, 256, false);
    char a[256];
    if (info->nargs >= 0 && !want_n(v, i, info->nargs)) return;
    switch (i->op) {
    case IR_PARAM:
        if (i->imm->w[1] | i->imm->w[2] | i->imm->w[3] || i->imm->w[0] >= (uint64_t)f->nparams)
            ierr(v, i, "parameter %llu does not exist ('%s' has %d)", (unsigned long long)i->imm->w[0], f->name, f->nparams);
        else if (!compat(v, t, f->params[i->imm->w[0]].type) && t != f->params[i->imm->w[0]].type)
            want_result(v, i, f->params[i->imm->w[0]].type);
        break;
    case IR_CONST:
        if (!is_scalar(t)) {
            tname(v, t, a, sizeof a);
            ierr(v, i, "constant of non-scalar type %s", a);
        } else if (!u256_fits(*i->imm, ir_type_bits(t), t->kind == IRT_INT && t->is_signed)) {
            tname(v, t, a, sizeof a);
            ierr(v, i, "constant does not fit %s (signed values are stored sign-extended)", a);
        }
        break;
    case IR_STR:
        if (!t || t->kind != IRT_REF || t->elem->kind != IRT_STRING) ierr(v, i, "a string constant is a ref string<N>");
        else if (i->nbytes > t->elem->len) ierr(v, i, "%u bytes do not fit string<%u>", i->nbytes, t->elem->len);
        break;
    case IR_SELECT:
        want_type(v, i, 0, b1, "condition");
        want_type(v, i, 1, t, "operand");
        want_type(v, i, 2, t, "operand");
        break;
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_DIV: case IR_MOD:
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer");
        same_operands(v, i);
        want_result(v, i, argt(i, 0));
        break;
    case IR_AND: case IR_OR: case IR_XOR: {
        IrType *x = argt(i, 0);
        want_kind(v, i, 0, x && (x->kind == IRT_INT || x->kind == IRT_BOOL || x->kind == IRT_BYTES), "an integer, bool or bytesN");
        same_operands(v, i);
        want_result(v, i, x);
        break;
    }
    case IR_NEG:
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer");
        want_result(v, i, argt(i, 0));
        break;
    case IR_NOT: {
        IrType *x = argt(i, 0);
        want_kind(v, i, 0, x && (x->kind == IRT_INT || x->kind == IRT_BOOL || x->kind == IRT_BYTES), "an integer, bool or bytesN");
        want_result(v, i, x);
        break;
    }
    case IR_SHL: case IR_SHR: {
        IrType *x = argt(i, 0);
        want_kind(v, i, 0, x && (x->kind == IRT_INT || x->kind == IRT_BYTES), "an integer or bytesN");
        want_kind(v, i, 1, ir_type_is_int(argt(i, 1)), "an integer shift amount");
        want_result(v, i, x);
        break;
    }
    case IR_EQ: case IR_NE:
        want_kind(v, i, 0, is_scalar(argt(i, 0)), "a scalar");
        same_operands(v, i);
        want_result(v, i, b1);
        break;
    case IR_LT: case IR_LE: case IR_GT: case IR_GE: {
        IrType *x = argt(i, 0);
        want_kind(v, i, 0, x && (x->kind == IRT_INT || x->kind == IRT_ADDRESS || x->kind == IRT_BYTES), "an integer, address or bytesN");
        same_operands(v, i);
        want_result(v, i, b1);
        break;
    }
    case IR_CAST:
        want_kind(v, i, 0, is_scalar(argt(i, 0)), "a scalar");
        if (!is_scalar(t)) ierr(v, i, "casts to a non-scalar type");
        break;
    case IR_WIDEN: {
        IrType *x = argt(i, 0);
        bool ok = x && t && x->kind == IRT_REF && t->kind == IRT_REF && x->elem && t->elem &&
                  x->elem->kind == t->elem->kind &&
                  (x->elem->kind == IRT_STRING ||
                   (x->elem->kind == IRT_LIST && x->elem->elem == t->elem->elem)) &&
                  x->elem->len <= t->elem->len;
        if (!ok) {
            char b[256];
            tname(v, x, a, sizeof a);
            tname(v, t, b, sizeof b);
            ierr(v, i, "cannot widen %s to %s (a ref string or list to the same kind with a bound at least as large)", a, b);
        }
        break;
    }
    case IR_KECCAK:
        for (int k = 0; k < i->nargs; k++)
            want_kind(v, i, k,
                      is_scalar(argt(i, k)) || (argt(i, k) && argt(i, k)->kind == IRT_REF &&
                                                argt(i, k)->elem->kind == IRT_STRING),
                      "a scalar or a string ref");
        want_result(v, i, ir_type_bytes(m, 32));
        break;
    case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_DIV:
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer");
        same_operands(v, i);
        break;
    case IR_CHECK_NEG: case IR_CHECK_EMPTY:
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer");
        break;
    case IR_CHECK_CAST:
        want_kind(v, i, 0, is_scalar(argt(i, 0)), "a scalar");
        if (!is_scalar(t)) ierr(v, i, "checks a cast to a non-scalar type");
        break;
    case IR_CHECK_BOUNDS:
        want_kind(v, i, 0, ir_type_is_int(argt(i, 0)), "an integer index");
        want_kind(v, i, 1, ir_type_is_int(argt(i, 1)), "an integer length");
        break;
    case IR_ASSERT:
    case IR_BR:
        want_type(v, i, 0, b1, "condition");
        break;
    case IR_ALLOCA:
        if (!i->alloc_type || !ir_type_is_aggregate(i->alloc_type) || i->alloc_type->kind == IRT_MAP)
            ierr(v, i, "allocates a non-aggregate type");
        else want_result(v, i, ir_type_ref(m, i->alloc_type));
        break;
    case IR_ENV:
        if ((unsigned)i->env >= IR_ENV_COUNT) ierr(v, i, "unknown environment value %d", (int)i->env);
        else want_result(v, i, (i->env == IR_ENV_CALLER || i->env == IR_ENV_ORIGIN || i->env == IR_ENV_ADDRESS) ? ir_type_address(m) : u256);
        break;
    case IR_BALANCE:
        want_type(v, i, 0, ir_type_address(m), "account");
        want_result(v, i, u256);
        break;
    case IR_SEND:
        want_type(v, i, 0, ir_type_address(m), "recipient");
        want_type(v, i, 1, u256, "amount");
        break;
    case IR_CALL:
        if (i->callee < 0 || i->callee >= m->nfuncs) ierr(v, i, "calls function #%d, which does not exist", i->callee);
        else if (m->funcs[i->callee]->kind != IR_FN) ierr(v, i, "calls '%s', which is not an ordinary function", m->funcs[i->callee]->name);
        else if (m->funcs[i->callee] == f) ierr(v, i, "'%s' calls itself (recursion is not allowed)", f->name);
        else check_call_args(v, i, m->funcs[i->callee], 0);
        break;
    case IR_XCALL:
        if (i->iface < 0 || i->iface >= m->nifaces || i->xfn < 0 || i->xfn >= m->ifaces[i->iface].nfns) {
            ierr(v, i, "calls interface function #%d.#%d, which does not exist", i->iface, i->xfn);
        } else if (i->nargs < 2) {
            ierr(v, i, "an external call needs a target address and a value");
        } else {
            want_type(v, i, 0, ir_type_address(m), "target");
            want_type(v, i, 1, u256, "value");
            check_call_args(v, i, m->ifaces[i->iface].fns[i->xfn], 2);
        }
        break;
    case IR_EMIT:
        if (i->event < 0 || i->event >= m->nevents) ierr(v, i, "event #%d does not exist", i->event);
        else check_fields_args(v, i, &m->events[i->event], "event");
        break;
    case IR_REVERT:
        if (i->error < 0 || i->error >= m->nerrors) ierr(v, i, "error #%d does not exist", i->error);
        else check_fields_args(v, i, &m->errors[i->error], "error");
        break;
    case IR_REVERT_MSG: {
        IrType *x = argt(i, 0);
        want_kind(v, i, 0, x && x->kind == IRT_REF && x->elem && x->elem->kind == IRT_STRING, "a ref string<N>");
        break;
    }
    case IR_RET:
        if (f->ret->kind == IRT_VOID) {
            if (i->nargs) ierr(v, i, "'%s' returns nothing, but ret has a value", f->name);
        } else if (i->nargs != 1) {
            tname(v, f->ret, a, sizeof a);
            ierr(v, i, "'%s' returns %s, but ret has no value", f->name, a);
        } else {
            want_type(v, i, 0, f->ret, "returned value");
        }
        break;
    case IR_RESULT:
        if (f->kind != IR_FN_ENSURES) ierr(v, i, "'result' is only available in ensures");
        else if (f->owner >= 0 && f->owner < m->nfuncs && !compat(v, t, m->funcs[f->owner]->ret))
            want_result(v, i, m->funcs[f->owner]->ret);
        break;
    case IR_PHI:
        for (int k = 0; k < i->nargs; k++) want_type(v, i, k, t, "phi operand");
        break;
    default:
        if (ir_is_storage_place(i->op) || ir_is_memory_place(i->op)) check_place(v, i);
        break;
    }
}

static void check_instr(V *v, IrBlock *b, const IrInstr *prev, IrInstr *i, bool *seen_ids) {
    const IrOpInfo *info;
    if ((unsigned)i->op >= IR_OP_COUNT) {
        verr(v, i->span, "in %s '%s', bb%d: invalid opcode %d", fn_kind_word(v->f->kind), v->f->name, b->id, (int)i->op);
        return;
    }
    info = &ir_op_info[i->op];
    if (i->block != b) ierr(v, i, "is linked into bb%d but records another block", b->id);
    if (i->span.end < i->span.start)
        ierr(v, i, "its span ends (byte %u) before it starts (byte %u)", i->span.end, i->span.start);
    if (!type_ok(v, i->type, 0)) {
        ierr(v, i, "has an invalid type");
        return;
    }
    if ((info->flags & OPF_RESULT) && i->op != IR_CALL && i->op != IR_XCALL && i->type->kind == IRT_VOID)
        ierr(v, i, "produces a value but has type void");
    if (!(info->flags & OPF_RESULT) && i->op != IR_CHECK_CAST && i->type->kind != IRT_VOID)
        ierr(v, i, "produces no value but has a type");
    if (ir_has_result(i)) {
        if (i->id < 0 || i->id >= v->f->ninstrs) ierr(v, i, "value number %d is outside 0..%d", i->id, v->f->ninstrs - 1);
        else if (seen_ids[i->id]) ierr(v, i, "value %%%d is defined twice", i->id);
        else seen_ids[i->id] = true;
    }
    if ((info->flags & OPF_SPEC) && v->f->kind < IR_FN_REQUIRES)
        ierr(v, i, "'%s' is only allowed in spec functions", info->name);
    if (v->f->kind >= IR_FN_REQUIRES &&
        (i->op == IR_SSTORE || i->op == IR_SSETLEN || i->op == IR_SEND || i->op == IR_EMIT || i->op == IR_XCALL))
        ierr(v, i, "spec functions cannot have effects");
    if (i->op == IR_PHI && prev && prev->op != IR_PHI) ierr(v, i, "phis must come first in a block");
    bool operands_ok = true;
    for (int k = 0; k < i->nargs; k++) {
        IrInstr *a = i->args[k];
        bool repeat = false;
        for (int j = 0; j < k && i->op != IR_PHI; j++) repeat |= i->args[j] == a;
        if (repeat) continue;
        if (!a) {
            ierr(v, i, "operand %d is missing", k);
            operands_ok = false;
            continue;
        }
        if (!a->block || !in_func(v, a->block)) {
            ierr(v, i, "operand %d is not an instruction of this function", k);
            operands_ok = false;
            continue;
        }
        if (!ir_has_result(a)) {
            ierr(v, i, "operand %d ('%s') produces no value", k, ir_op_info[a->op].name);
            operands_ok = false;
            continue;
        }
        if (v->f->kind < IR_FN_REQUIRES && (a->flags & IR_F_GHOST) && !(i->flags & IR_F_GHOST))
            ierr(v, i, "uses ghost value %%%d but is not marked ghost", a->id);
        if (i->op == IR_PHI) {
            IrBlock *from = i->phi_blocks ? i->phi_blocks[k] : NULL;
            if (from && v->order[b->id] >= 0 && !def_before(v, a, from, NULL))
                ierr(v, i, "%%%d does not dominate the end of predecessor bb%d", a->id, from->id);
        } else if (!def_before(v, a, b, i)) {
            if (a->block == b) ierr(v, i, "%%%d is used before it is defined", a->id);
            else ierr(v, i, "%%%d (defined in bb%d) does not dominate this use", a->id, a->block->id);
        }
    }
    if (i->op == IR_PHI) {
        if (i->nargs != b->npreds)
            ierr(v, i, "has %d operands, but bb%d has %d predecessor%s", i->nargs, b->id, b->npreds, b->npreds == 1 ? "" : "s");
        for (int k = 0; k < i->nargs; k++) {
            IrBlock *from = i->phi_blocks ? i->phi_blocks[k] : NULL;
            bool pred = false;
            for (int p = 0; from && p < b->npreds; p++) pred |= b->preds[p] == from;
            if (!pred) ierr(v, i, "operand %d comes from bb%d, which is not a predecessor of bb%d", k, from ? from->id : -1, b->id);
            for (int j = 0; j < k; j++)
                if (from && i->phi_blocks[j] == from) ierr(v, i, "has two operands for bb%d", from->id);
        }
    }
    if (info->flags & OPF_TERM) {
        int n = nsucc(i);
        for (int k = 0; k < n; k++) {
            IrBlock *s = i->targets ? i->targets[k] : NULL;
            if (!s || !in_func(v, s))
                ierr(v, i, "branch target %d is not a block of this function", k);
        }
    }
    if (operands_ok) check_types(v, i);
}

static void check_func(V *v, IrFunc *f) {
    v->f = f;
    check_sig(v, f, fn_kind_word(f->kind));
    if (!f->entry) {
        verr(v, f->span, "%s '%s' has no blocks", fn_kind_word(f->kind), f->name);
        return;
    }
    /* block ids: unique, in range */
    v->maxid = -1;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        if (b->id < 0 || b->id >= f->nblocks) {
            verr(v, f->span, "in %s '%s': block bb%d is outside 0..%d", fn_kind_word(f->kind), f->name, b->id, f->nblocks - 1);
            return;
        }
        if (b->id > v->maxid) v->maxid = b->id;
    }
    v->blocks = ARENA_ARRAY(&v->scratch, IrBlock *, v->maxid + 1);
    bool blocks_ok = true;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        if (v->blocks[b->id]) {
            verr(v, f->span, "in %s '%s': two blocks are numbered bb%d", fn_kind_word(f->kind), f->name, b->id);
            blocks_ok = false;
        }
        v->blocks[b->id] = b;
    }
    /* terminators: exactly one, last */
    for (IrBlock *b = f->entry; b && blocks_ok; b = b->next_in_func) {
        if (!b->last || !(ir_op_info[b->last->op].flags & OPF_TERM)) {
            verr(v, b->last ? b->last->span : f->span, "in %s '%s', bb%d: the block does not end in a terminator", fn_kind_word(f->kind), f->name, b->id);
            blocks_ok = false;
        }
        for (IrInstr *i = b->first; i && i != b->last; i = i->next)
            if ((unsigned)i->op < IR_OP_COUNT && (ir_op_info[i->op].flags & OPF_TERM)) {
                ierr(v, i, "a terminator in the middle of the block");
                blocks_ok = false;
            }
        for (int k = 0; b->last && k < nsucc(b->last); k++) {
            IrBlock *s = b->last->targets ? b->last->targets[k] : NULL;
            bool in = false;
            for (IrBlock *c = f->entry; s && c && !in; c = c->next_in_func) in = c == s;
            if (!in) {
                ierr(v, b->last, "branch target %d is not a block of this function", k);
                blocks_ok = false;
            }
        }
    }
    if (!blocks_ok) return;
    ir_cfg_compute(f);
    compute_doms(v);
    if (f->entry->npreds)
        verr(v, f->span, "in %s '%s': the entry block bb%d has predecessors", fn_kind_word(f->kind), f->name, f->entry->id);
    bool *ids = ARENA_ARRAY(&v->scratch, bool, f->ninstrs > 0 ? f->ninstrs : 1);
    /* positions make "defined earlier in the same block" O(1); duplicate or out-of-range
     * ids (reported below) fall back to walking the block */
    v->pos = ARENA_ARRAY(&v->scratch, int, f->ninstrs > 0 ? f->ninstrs : 1);
    for (int k = 0; k < f->ninstrs; k++) v->pos[k] = -1;
    for (IrBlock *b = f->entry; b && v->pos; b = b->next_in_func) {
        int n = 0;
        for (IrInstr *i = b->first; i; i = i->next, n++) {
            if (!ir_has_result(i)) continue;
            if (i->id < 0 || i->id >= f->ninstrs || v->pos[i->id] >= 0) {
                v->pos = NULL;
                break;
            }
            v->pos[i->id] = n;
        }
    }
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        v->cur_pos = 0;
        for (IrInstr *p = NULL, *i = b->first; i; p = i, i = i->next, v->cur_pos++)
            check_instr(v, b, p, i, ids);
    }
    v->pos = NULL;
    v->rpo = NULL;
    v->blocks = NULL;
    v->order = v->idom = NULL;
}

bool ir_module_verify(IrModule *m, DiagSink *diags) {
    V v = {0};
    v.m = m;
    v.d = diags;
    v.ok = true;
    check_decls(&v);
    for (int k = 0; k < m->nfuncs + m->nspecs; k++) {
        arena_init(&v.scratch);
        check_func(&v, k < m->nfuncs ? m->funcs[k] : m->specs[k - m->nfuncs]);
        arena_free(&v.scratch);
    }
    return v.ok;
}
