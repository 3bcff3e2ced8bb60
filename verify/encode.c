/* encode.c — IR -> Z3 terms. Values are bit-vectors of their type's width (bool is Bool),
 * storage variables are Z3 arrays (maps) or constants (scalars), control flow becomes
 * path conditions over the CFG in topological order with phis as ite over incoming edges,
 * internal calls are inlined (or replaced by the callee's contract: summary.c), keccak is
 * an uninterpreted function and external calls havoc the storage. Loops (back edges) are not unrolled yet: such functions fail. */
#include <string.h>

#include "vint.h"

enum { ENC_MAX_DEPTH = 64 };

static bool fail(Enc *e, const char *why) {
    if (!e->fail)
        e->fail = why;
    return false;
}

/* Aggregates: a struct is a tuple of its fields; a list or a string is a tuple (length,
 * elements) with the elements an array indexed by u256 (the same sort for every bound,
 * so widening is the identity); a fixed array is an array indexed by u256. The tuple
 * sorts are made once per Z3 context. */
typedef struct AggSort {
    Z3_context z;
    const void *key;
    Z3_sort s;
    Z3_func_decl mk;
    Z3_func_decl proj[32];
    unsigned n;
} AggSort;

enum { AGG_MAX = 256 };
static AggSort agg_cache[AGG_MAX];
static int agg_n;

void enc_forget(Z3_context z) {
    int k = 0;
    for (int i = 0; i < agg_n; i++)
        if (agg_cache[i].z != z)
            agg_cache[k++] = agg_cache[i];
    agg_n = k;
}

static AggSort *agg_find(Z3_context z, const void *key) {
    for (int i = 0; i < agg_n; i++)
        if (agg_cache[i].z == z && agg_cache[i].key == key)
            return &agg_cache[i];
    return NULL;
}

static AggSort *agg_make(Enc *e, const void *key, const char *name, unsigned n,
                         const char *const *fnames, Z3_sort *fsorts) {
    Z3_context z = e->z;
    if (n > 32)
        return NULL;
    if (agg_n == AGG_MAX) { /* a new context reuses the table */
        int k = 0;
        for (int i = 0; i < agg_n; i++)
            if (agg_cache[i].z == z)
                agg_cache[k++] = agg_cache[i];
        agg_n = k;
        if (agg_n == AGG_MAX)
            return NULL;
    }
    AggSort *a = &agg_cache[agg_n++];
    Z3_symbol syms[32];
    for (unsigned i = 0; i < n; i++)
        syms[i] = Z3_mk_string_symbol(z, fnames[i]);
    char buf[160];
    snprintf(buf, sizeof buf, "%s#%d", name, agg_n);
    a->z = z;
    a->key = key;
    a->n = n;
    a->s = Z3_mk_tuple_sort(z, Z3_mk_string_symbol(z, buf), n, syms, fsorts, &a->mk, a->proj);
    return a;
}

static Z3_sort idx_sort(Enc *e) { return Z3_mk_bv_sort(e->z, 256); }

/* The tuple of a struct, list or string type (NULL for other types). */
static AggSort *agg_of(Enc *e, IrType *t) {
    Z3_context z = e->z;
    if (t->kind == IRT_REF)
        t = t->elem;
    if (t->kind == IRT_STRUCT) {
        IrStruct *st = &e->m->structs[t->struct_index];
        AggSort *a = agg_find(z, st);
        if (a)
            return a;
        Z3_sort fs[32];
        const char *fn[32];
        if (st->nfields > 32 || st->nfields == 0)
            return NULL;
        for (int i = 0; i < st->nfields; i++) {
            fs[i] = enc_sort(e, st->fields[i].type);
            fn[i] = st->fields[i].name;
            if (!fs[i])
                return NULL;
        }
        return agg_make(e, st, st->name, (unsigned)st->nfields, fn, fs);
    }
    if (t->kind == IRT_LIST || t->kind == IRT_STRING) {
        static const char string_key = 0;
        const void *key = t->kind == IRT_STRING ? (const void *)&string_key : (const void *)t->elem;
        AggSort *a = agg_find(z, key);
        if (a)
            return a;
        Z3_sort el = t->kind == IRT_STRING ? Z3_mk_bv_sort(z, 8) : enc_sort(e, t->elem);
        if (!el)
            return NULL;
        Z3_sort fs[2] = {idx_sort(e), Z3_mk_array_sort(z, idx_sort(e), el)};
        static const char *const fn[2] = {"len", "elems"};
        return agg_make(e, key, t->kind == IRT_STRING ? "string" : "list", 2, fn, fs);
    }
    return NULL;
}

Z3_sort enc_sort(Enc *e, IrType *t) {
    switch (t->kind) {
    case IRT_BOOL: return Z3_mk_bool_sort(e->z);
    case IRT_INT: case IRT_ADDRESS: case IRT_BYTES: return Z3_mk_bv_sort(e->z, t->bits);
    case IRT_MAP: {
        Z3_sort k = enc_sort(e, t->key), v = enc_sort(e, t->val);
        return k && v ? Z3_mk_array_sort(e->z, k, v) : NULL;
    }
    case IRT_ARRAY: {
        Z3_sort v = enc_sort(e, t->elem);
        return v ? Z3_mk_array_sort(e->z, idx_sort(e), v) : NULL;
    }
    case IRT_REF: return enc_sort(e, t->elem);
    case IRT_STRUCT: case IRT_LIST: case IRT_STRING: {
        AggSort *a = agg_of(e, t);
        return a ? a->s : NULL;
    }
    default: return NULL;
    }
}

/* What is encoded from here on is an abstraction, for the reason `why` (Enc.approx). */
static void enc_abstract(Enc *e, const char *why) {
    e->approx = approx_join(e->approx, why);
}

Z3_ast enc_fresh(Enc *e, const char *name, Z3_sort s) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s!%d", name, e->fresh++);
    return Z3_mk_const(e->z, Z3_mk_string_symbol(e->z, buf), s);
}

static Z3_ast mk_u(Enc *e, U256 v, unsigned bits) {
    char buf[100];
    u256_to_dec(u256_trunc(v, bits, false), false, buf);
    return Z3_mk_numeral(e->z, buf, Z3_mk_bv_sort(e->z, bits));
}

static Z3_ast mk_n(Enc *e, uint64_t v, unsigned bits) {
    return mk_u(e, u256_from_u64(v), bits);
}

static Z3_ast and2(Enc *e, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_and(e->z, 2, x);
}

static Z3_ast or2(Enc *e, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_or(e->z, 2, x);
}

static bool is_bool(IrType *t) { return t->kind == IRT_BOOL; }

/* a - b and -a as Z3 builds them (its rewriter normalises both to a product by the
 * all-ones constant, which cancels against sums; verify.c turns the products left after
 * simplification back into ~a + 1 before they reach the bit-blaster). */
static Z3_ast mk_sub(Enc *e, Z3_ast a, Z3_ast b) { return Z3_mk_bvsub(e->z, a, b); }
static Z3_ast mk_neg(Enc *e, Z3_ast a) { return Z3_mk_bvneg(e->z, a); }
static bool is_signed(IrType *t) { return t->kind == IRT_INT && t->is_signed; }

/* `a` of type `from` as a bit-vector of `bits`, extended by the source's sign or cut. */
static Z3_ast resize(Enc *e, Z3_ast a, IrType *from, unsigned bits) {
    if (is_bool(from))
        return Z3_mk_ite(e->z, a, mk_n(e, 1, bits), mk_n(e, 0, bits));
    unsigned w = from->bits;
    if (w == bits)
        return a;
    if (w > bits)
        return Z3_mk_extract(e->z, bits - 1, 0, a);
    return is_signed(from) ? Z3_mk_sign_ext(e->z, bits - w, a) : Z3_mk_zero_ext(e->z, bits - w, a);
}

/* The condition under which a check instruction passes. */
static Z3_ast check_cond(Enc *e, IrInstr *in, Z3_ast *a) {
    Z3_context z = e->z;
    IrType *t = in->nargs ? in->args[0]->type : NULL;
    bool s = t && is_signed(t);
    switch (in->op) {
    case IR_CHECK_ADD:
        return s ? and2(e, Z3_mk_bvadd_no_overflow(z, a[0], a[1], true),
                        Z3_mk_bvadd_no_underflow(z, a[0], a[1]))
                 : Z3_mk_bvadd_no_overflow(z, a[0], a[1], false);
    case IR_CHECK_SUB:
        return s ? and2(e, Z3_mk_bvsub_no_overflow(z, a[0], a[1]),
                        Z3_mk_bvsub_no_underflow(z, a[0], a[1], true))
                 : Z3_mk_bvuge(z, a[0], a[1]);
    case IR_CHECK_MUL:
        if (!s) {
            /* by a constant c: x <= MAX / c, a comparison instead of Z3's no-overflow
             * multiplier circuit */
            for (int k = 0; k < 2; k++) {
                Z3_ast c = Z3_simplify(z, a[k]);
                U256 cv;
                if (!Z3_is_numeral_ast(z, c))
                    continue;
                const char *dec = Z3_get_numeral_string(z, c);
                if (!dec || !u256_parse(dec, strlen(dec), &cv))
                    continue;
                if (u256_is_zero(cv))
                    return Z3_mk_true(z);
                U256 max = t->bits == 256 ? u256_not(u256_from_u64(0))
                                          : u256_sub(u256_shl(u256_from_u64(1), t->bits), u256_from_u64(1), NULL);
                return Z3_mk_bvule(z, a[1 - k], mk_u(e, u256_udiv(max, cv, NULL), t->bits));
            }
        }
        return s ? and2(e, Z3_mk_bvmul_no_overflow(z, a[0], a[1], true),
                        Z3_mk_bvmul_no_underflow(z, a[0], a[1]))
                 : Z3_mk_bvmul_no_overflow(z, a[0], a[1], false);
    case IR_CHECK_NEG: {
        U256 min = u256_shl(u256_from_u64(1), t->bits - 1);
        return s ? Z3_mk_not(z, Z3_mk_eq(z, a[0], mk_u(e, min, t->bits)))
                 : Z3_mk_eq(z, a[0], mk_n(e, 0, t->bits));
    }
    case IR_CHECK_DIV: {
        Z3_ast nz = Z3_mk_not(z, Z3_mk_eq(z, a[1], mk_n(e, 0, t->bits)));
        if (!s)
            return nz;
        U256 min = u256_shl(u256_from_u64(1), t->bits - 1);
        Z3_ast bad = and2(e, Z3_mk_eq(z, a[0], mk_u(e, min, t->bits)),
                          Z3_mk_eq(z, a[1], mk_u(e, u256_not(u256_from_u64(0)), t->bits)));
        return and2(e, nz, Z3_mk_not(z, bad));
    }
    case IR_CHECK_CAST: {
        IrType *to = in->type;
        if (is_bool(t))
            return Z3_mk_true(z);
        /* compare in 258 bits, where every value of both types is exact */
        Z3_ast x = resize(e, a[0], t, 258);
        if (is_bool(to))
            return Z3_mk_bvule(z, x, mk_n(e, 1, 258));
        U256 lo = u256_from_u64(0), hi;
        Z3_ast l, h;
        if (is_signed(to)) {
            hi = u256_sub(u256_shl(u256_from_u64(1), to->bits - 1), u256_from_u64(1), NULL);
            lo = u256_shl(u256_from_u64(1), to->bits - 1); /* magnitude of the minimum */
            l = Z3_mk_bvneg(z, Z3_mk_zero_ext(z, 2, mk_u(e, lo, 256)));
        } else {
            hi = to->bits == 256 ? u256_not(lo)
                                 : u256_sub(u256_shl(u256_from_u64(1), to->bits), u256_from_u64(1), NULL);
            l = mk_n(e, 0, 258);
        }
        h = Z3_mk_zero_ext(z, 2, mk_u(e, hi, 256));
        return and2(e, Z3_mk_bvsle(z, l, x), Z3_mk_bvsle(z, x, h));
    }
    case IR_CHECK_BOUNDS: {
        unsigned w = t->bits > in->args[1]->type->bits ? t->bits : in->args[1]->type->bits;
        return Z3_mk_bvult(z, Z3_mk_zero_ext(z, w - t->bits, a[0]),
                           Z3_mk_zero_ext(z, w - in->args[1]->type->bits, a[1]));
    }
    case IR_CHECK_EMPTY:
        return Z3_mk_not(z, Z3_mk_eq(z, a[0], mk_n(e, 0, t->bits)));
    case IR_ASSERT:
        return a[0];
    default:
        return NULL;
    }
}

static const char *check_kind(IrOp op) {
    switch (op) {
    case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_NEG: return "overflow";
    case IR_CHECK_DIV: return "division by zero or overflow";
    case IR_CHECK_CAST: return "cast overflow";
    case IR_CHECK_BOUNDS: return "index out of bounds";
    case IR_CHECK_EMPTY: return "pop from an empty list";
    default: return "assertion";
    }
}

/* The storage place of `in`: the keys and the value's type. Only scalar variables and
 * (nested) maps of scalars are modelled; NULL for anything else. */
static IrType *place(Enc *e, IrInstr *in, Z3_ast *vals, int first, Z3_ast *keys, int *nkeys) {
    IrType *t = e->m->storage[in->var].type;
    int k = first;
    if (in->npath > 4)
        return NULL;
    for (int i = 0; i < in->npath; i++) {
        if (in->path[i].kind != IR_PATH_INDEX || t->kind != IRT_MAP)
            return NULL;
        keys[i] = vals[k++];
        if (!keys[i])
            return NULL;
        t = t->val;
    }
    *nkeys = in->npath;
    return enc_sort(e, t) ? t : NULL;
}

static Z3_ast read_place(Enc *e, Z3_ast arr, Z3_ast *keys, int n) {
    for (int i = 0; i < n; i++)
        arr = Z3_mk_select(e->z, arr, keys[i]);
    return arr;
}

static Z3_ast write_place(Enc *e, Z3_ast arr, Z3_ast *keys, int n, Z3_ast v) {
    if (n == 0)
        return v;
    Z3_ast inner = write_place(e, Z3_mk_select(e->z, arr, keys[0]), keys + 1, n - 1, v);
    return Z3_mk_store(e->z, arr, keys[0], inner);
}

/* General places: a path of map keys, array and list indices and struct fields from a
 * root value of type t. `idx` holds the index operands in order. */
static IrType *step_type(Enc *e, IrType *t, IrPathElem pe) {
    if (t->kind == IRT_REF)
        t = t->elem;
    if (pe.kind == IR_PATH_FIELD)
        return t->kind == IRT_STRUCT && pe.field < (uint32_t)e->m->structs[t->struct_index].nfields
                   ? e->m->structs[t->struct_index].fields[pe.field].type : NULL;
    switch (t->kind) {
    case IRT_MAP: return t->val;
    case IRT_ARRAY: case IRT_LIST: return t->elem;
    default: return NULL;
    }
}

static Z3_ast as_index(Enc *e, Z3_ast i) {
    unsigned w = Z3_get_bv_sort_size(e->z, Z3_get_sort(e->z, i));
    return w < 256 ? Z3_mk_zero_ext(e->z, 256 - w, i) : w > 256 ? Z3_mk_extract(e->z, 255, 0, i) : i;
}

static Z3_ast step_read(Enc *e, Z3_ast cur, IrType *t, IrPathElem pe, Z3_ast idx) {
    Z3_context z = e->z;
    if (pe.kind == IR_PATH_FIELD || (t->kind == IRT_REF ? t->elem : t)->kind != IRT_MAP)
        e->agg = true; /* tuples reach the formulas */
    if (t->kind == IRT_REF)
        t = t->elem;
    if (pe.kind == IR_PATH_FIELD) {
        AggSort *a = agg_of(e, t);
        return a ? Z3_mk_app(z, a->proj[pe.field], 1, &cur) : NULL;
    }
    if (!idx || Z3_get_sort_kind(z, Z3_get_sort(z, idx)) != Z3_BV_SORT)
        return NULL;
    if (t->kind == IRT_MAP)
        return Z3_mk_select(z, cur, idx);
    if (t->kind == IRT_ARRAY)
        return Z3_mk_select(z, cur, as_index(e, idx));
    if (t->kind == IRT_LIST) {
        AggSort *a = agg_of(e, t);
        return a ? Z3_mk_select(z, Z3_mk_app(z, a->proj[1], 1, &cur), as_index(e, idx)) : NULL;
    }
    return NULL;
}

static Z3_ast step_write(Enc *e, Z3_ast cur, IrType *t, IrPathElem pe, Z3_ast idx, Z3_ast v) {
    Z3_context z = e->z;
    e->agg = true; /* tuples reach the formulas */
    if (t->kind == IRT_REF)
        t = t->elem;
    if (pe.kind == IR_PATH_FIELD) {
        AggSort *a = agg_of(e, t);
        if (!a)
            return NULL;
        Z3_ast f[32];
        for (unsigned i = 0; i < a->n; i++)
            f[i] = i == pe.field ? v : Z3_mk_app(z, a->proj[i], 1, &cur);
        return Z3_mk_app(z, a->mk, a->n, f);
    }
    if (t->kind == IRT_MAP)
        return Z3_mk_store(z, cur, idx, v);
    if (t->kind == IRT_ARRAY)
        return Z3_mk_store(z, cur, as_index(e, idx), v);
    if (t->kind == IRT_LIST) {
        AggSort *a = agg_of(e, t);
        if (!a)
            return NULL;
        Z3_ast f[2] = {Z3_mk_app(z, a->proj[0], 1, &cur),
                       Z3_mk_store(z, Z3_mk_app(z, a->proj[1], 1, &cur), as_index(e, idx), v)};
        return Z3_mk_app(z, a->mk, 2, f);
    }
    return NULL;
}

/* Reads the place; *out the type reached. */
static Z3_ast path_read(Enc *e, Z3_ast root, IrType *t, IrPathElem *path, int npath, Z3_ast *idx,
                        IrType **out) {
    Z3_ast cur = root;
    int k = 0;
    for (int i = 0; i < npath && cur; i++) {
        Z3_ast ix = path[i].kind == IR_PATH_INDEX ? idx[k++] : NULL;
        cur = step_read(e, cur, t, path[i], ix);
        t = step_type(e, t, path[i]);
        if (!t)
            return NULL;
    }
    *out = t;
    return cur;
}

/* The root with the place replaced by v (NULL when not modelled). */
static Z3_ast path_write(Enc *e, Z3_ast root, IrType *t, IrPathElem *path, int npath, Z3_ast *idx,
                         Z3_ast v) {
    if (npath == 0)
        return v;
    Z3_ast ix = path[0].kind == IR_PATH_INDEX ? idx[0] : NULL;
    Z3_ast inner = step_read(e, root, t, path[0], ix);
    IrType *it = step_type(e, t, path[0]);
    if (!inner || !it)
        return NULL;
    Z3_ast nv = path_write(e, inner, it, path + 1, npath - 1, path[0].kind == IR_PATH_INDEX ? idx + 1 : idx, v);
    return nv ? step_write(e, root, t, path[0], ix, nv) : NULL;
}

/* The length field of a list or string value, and the value with a new length. */
static Z3_ast agg_len(Enc *e, Z3_ast v, IrType *t) {
    e->agg = true; /* tuples reach the formulas */
    AggSort *a = agg_of(e, t);
    return a && (t->kind == IRT_LIST || t->kind == IRT_STRING ||
                 (t->kind == IRT_REF && (t->elem->kind == IRT_LIST || t->elem->kind == IRT_STRING)))
               ? Z3_mk_app(e->z, a->proj[0], 1, &v) : NULL;
}

static Z3_ast agg_setlen(Enc *e, Z3_ast v, IrType *t, Z3_ast n) {
    AggSort *a = agg_of(e, t);
    if (!a || !agg_len(e, v, t))
        return NULL;
    Z3_ast f[2] = {as_index(e, n), Z3_mk_app(e->z, a->proj[1], 1, &v)};
    return Z3_mk_app(e->z, a->mk, 2, f);
}

static void note_read(Enc *e, IrInstr *in, Z3_ast *keys, int n, IrType *t) {
    e->reads = arena_grow(e->arena, e->reads, e->nreads, &e->rcap, sizeof *e->reads, 16);
    VRead *r = &e->reads[e->nreads++];
    r->var = in->var;
    r->nkeys = n;
    r->type = t;
    IrType *mt = e->m->storage[in->var].type;
    for (int i = 0; i < n; i++) {
        r->keys[i] = keys[i];
        r->key_types[i] = mt->key;
        mt = mt->val;
    }
}

void enc_add_obl(Enc *e, const void *key, IrInstr *at, IrFunc *where, const char *kind,
                 Span span, Z3_ast pc, Z3_ast cond) {
    for (int i = 0; i < e->nobls; i++) { /* the same check in several loop copies or calls */
        VObl *o = &e->obls[i];
        if (o->key == key && strcmp(o->kind, kind) == 0) {
            if (o->cond && cond) {
                o->pc = or2(e, and2(e, o->pc, Z3_mk_not(e->z, o->cond)), and2(e, pc, Z3_mk_not(e->z, cond)));
                o->cond = Z3_mk_false(e->z);
            } else {
                o->cond = NULL;
            }
            o->approx = approx_join(o->approx, e->approx);
            return;
        }
    }
    enc_push_obl(e, (VObl){key, at, where, kind, span, pc, cond, e->approx});
}

void enc_push_obl(Enc *e, VObl o) {
    e->obls = arena_grow(e->arena, e->obls, e->nobls, &e->cap, sizeof o, 16);
    e->obls[e->nobls++] = o;
}

static void add_obl(Enc *e, IrInstr *at, IrFunc *where, Z3_ast pc, Z3_ast cond) {
    const char *kind = check_kind(at->op);
    bool sig = at->nargs && is_signed(at->args[0]->type);
    if (at->op == IR_CHECK_SUB && !sig)
        kind = "underflow";
    else if (at->op == IR_CHECK_DIV && !sig)
        kind = "division by zero";
    enc_add_obl(e, at, at, where, kind, at->span, pc, cond);
}

/* ---------------- wide values (sums) ---------------- */

static bool is_wide(Enc *e, Z3_ast a) {
    if (!a)
        return false;
    Z3_sort s = Z3_get_sort(e->z, a);
    return Z3_get_sort_kind(e->z, s) == Z3_BV_SORT && Z3_get_bv_sort_size(e->z, s) == VER_WIDE;
}

Z3_ast enc_wide(Enc *e, Z3_ast a, IrType *t) {
    if (is_wide(e, a))
        return a;
    if (is_bool(t))
        return resize(e, a, t, VER_WIDE);
    unsigned w = Z3_get_bv_sort_size(e->z, Z3_get_sort(e->z, a));
    return is_signed(t) ? Z3_mk_sign_ext(e->z, VER_WIDE - w, a) : Z3_mk_zero_ext(e->z, VER_WIDE - w, a);
}

Z3_ast enc_narrow(Enc *e, Z3_ast a, IrType *t) {
    if (!is_wide(e, a) || !t || is_bool(t) || t->kind == IRT_REF)
        return a;
    if (t->kind != IRT_INT && t->kind != IRT_ADDRESS && t->kind != IRT_BYTES)
        return a;
    enc_abstract(e, "a sum() is cut to 256 bits");
    return Z3_mk_extract(e->z, t->bits - 1, 0, a);
}

/* Ops computed on wide values when an operand is one (an unbounded sum in a spec). */
static bool wide_op(IrOp op) {
    switch (op) {
    case IR_ADD: case IR_SUB: case IR_MUL: case IR_NEG: case IR_EQ: case IR_NE: case IR_LT:
    case IR_LE: case IR_GT: case IR_GE: case IR_SELECT: case IR_PHI:
        return true;
    default:
        return false;
    }
}

/* ---- comparisons of wide sums: common terms cancelled ----
 * A wide value is an exact integer (that is what VER_WIDE bits are for), so a + x <= b + x
 * is a <= b. Z3 keeps both adders, and proving such a comparison from the pre-state's
 * invariant (sum + highestBid <= balance, where a bid adds msg.value to both sides) asks
 * the SAT solver to reason through two 512-bit carry chains: auction.writ's invariants
 * ran out of rlimit there. Both sides are read as signed multisets of summands, the
 * summands on both sides cancel, and what is left is compared: positive terms against
 * negative ones, so the pre-state's own comparison often reappears as it is. */
enum { WIDE_TERMS = 32 };

typedef struct WTerm {
    Z3_ast t;
    int coef;
} WTerm;

static bool wide_terms(Enc *e, Z3_ast a, int sign, WTerm *ts, int *n, int depth);

/* Notes the value v of a checked add or sub (guarded) or of a wrapping one. */
static void note_split(Enc *e, Z3_ast v, Z3_ast a, Z3_ast b, bool sub, bool sgn, bool guarded) {
    for (int i = 0; i < e->nsplits; i++)
        if (Z3_is_eq_ast(e->z, e->splits[i].v, v)) {
            /* the same term from another operation: exact only if both are, alike */
            e->splits[i].unsafe |= !guarded || e->splits[i].sgn != sgn;
            return;
        }
    e->splits = arena_grow(e->arena, e->splits, e->nsplits, &e->spcap, sizeof *e->splits, 16);
    e->splits[e->nsplits++] = (struct VSplit){v, a, b, sub, sgn, !guarded};
}

/* A term extended to VER_WIDE bits whose inside is an if-then-else (a storage value merged
 * where paths join) becomes an if-then-else of extended branches; one whose inside is a
 * checked add or sub becomes the exact sum or difference of its extended operands.
 * 1: a's terms were added; 0: a is a leaf; -1: too many terms. */
static int wide_split(Enc *e, Z3_ast a, int sign, WTerm *ts, int *n, int depth) {
    Z3_context z = e->z;
    if (depth >= 16 || Z3_get_ast_kind(z, a) != Z3_APP_AST)
        return 0;
    Z3_app app = Z3_to_app(z, a);
    Z3_func_decl d = Z3_get_app_decl(z, app);
    Z3_decl_kind k = Z3_get_decl_kind(z, d);
    if ((k != Z3_OP_ZERO_EXT && k != Z3_OP_SIGN_EXT) || Z3_get_app_num_args(z, app) != 1)
        return 0;
    unsigned by = (unsigned)Z3_get_decl_int_parameter(z, d, 0);
    Z3_ast x = Z3_get_app_arg(z, app, 0);
    if (Z3_get_ast_kind(z, x) != Z3_APP_AST)
        return 0;
    Z3_app xa = Z3_to_app(z, x);
    Z3_decl_kind xk = Z3_get_decl_kind(z, Z3_get_app_decl(z, xa));
    if (xk == Z3_OP_ITE) {
        Z3_ast br[2];
        for (int i = 0; i < 2; i++) {
            Z3_ast b = Z3_get_app_arg(z, xa, 1 + (unsigned)i);
            br[i] = k == Z3_OP_ZERO_EXT ? Z3_mk_zero_ext(z, by, b) : Z3_mk_sign_ext(z, by, b);
        }
        Z3_ast t = Z3_mk_ite(z, Z3_get_app_arg(z, xa, 0), br[0], br[1]);
        return wide_terms(e, t, sign, ts, n, depth + 1) ? 1 : -1;
    }
    for (int i = 0; i < e->nsplits; i++) {
        struct VSplit *sp = &e->splits[i];
        if (sp->unsafe || sp->sgn != (k == Z3_OP_SIGN_EXT) || !Z3_is_eq_ast(z, sp->v, x))
            continue;
        Z3_ast ops[2];
        for (int j = 0; j < 2; j++) {
            Z3_ast o = j ? sp->b : sp->a;
            ops[j] = k == Z3_OP_ZERO_EXT ? Z3_mk_zero_ext(z, by, o) : Z3_mk_sign_ext(z, by, o);
        }
        return wide_terms(e, ops[0], sign, ts, n, depth + 1) &&
                       wide_terms(e, ops[1], sp->sub ? -sign : sign, ts, n, depth + 1)
                   ? 1 : -1;
    }
    return 0;
}

/* Adds sign * a to the terms; false when there are too many to keep. */
static bool wide_terms(Enc *e, Z3_ast a, int sign, WTerm *ts, int *n, int depth) {
    Z3_context z = e->z;
    if (depth < 16 && Z3_get_ast_kind(z, a) == Z3_APP_AST) {
        Z3_app app = Z3_to_app(z, a);
        Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
        unsigned na = Z3_get_app_num_args(z, app);
        if (k == Z3_OP_BADD) {
            for (unsigned i = 0; i < na; i++)
                if (!wide_terms(e, Z3_get_app_arg(z, app, i), sign, ts, n, depth + 1))
                    return false;
            return true;
        }
        if (k == Z3_OP_BSUB && na == 2)
            return wide_terms(e, Z3_get_app_arg(z, app, 0), sign, ts, n, depth + 1) &&
                   wide_terms(e, Z3_get_app_arg(z, app, 1), -sign, ts, n, depth + 1);
        if (k == Z3_OP_BNEG && na == 1)
            return wide_terms(e, Z3_get_app_arg(z, app, 0), -sign, ts, n, depth + 1);
    }
    int split = wide_split(e, a, sign, ts, n, depth);
    if (split)
        return split > 0;
    for (int i = 0; i < *n; i++)
        if (Z3_is_eq_ast(z, ts[i].t, a)) {
            ts[i].coef += sign;
            return true;
        }
    if (*n == WIDE_TERMS)
        return false;
    ts[(*n)++] = (WTerm){a, sign};
    return true;
}

/* The sum of the terms whose coefficient has the given sign (each |coef| times). */
static Z3_ast wide_side(Enc *e, const WTerm *ts, int n, int sign) {
    Z3_ast acc = NULL;
    for (int i = 0; i < n; i++)
        for (int c = ts[i].coef * sign; c > 0; c--)
            acc = acc ? Z3_mk_bvadd(e->z, acc, ts[i].t) : ts[i].t;
    return acc ? acc : Z3_mk_int(e->z, 0, Z3_mk_bv_sort(e->z, VER_WIDE));
}

static Z3_ast wide_cmp_op(Enc *e, IrOp op, Z3_ast a, Z3_ast b) {
    Z3_context z = e->z;
    switch (op) {
    case IR_EQ: return Z3_mk_eq(z, a, b);
    case IR_NE: return Z3_mk_not(z, Z3_mk_eq(z, a, b));
    case IR_LT: return Z3_mk_bvslt(z, a, b);
    case IR_LE: return Z3_mk_bvsle(z, a, b);
    case IR_GT: return Z3_mk_bvsgt(z, a, b);
    default: return Z3_mk_bvsge(z, a, b);
    }
}

/* The comparison `terms op 0` (terms: left side positive, right side negative). A summand
 * that is an if-then-else (the balance or a sum merged where paths join) is split into a
 * comparison per branch, up to `budget` times, so that each branch's terms cancel too. */
static Z3_ast wide_cmp_terms(Enc *e, IrOp op, const WTerm *ts, int n, int budget) {
    Z3_context z = e->z;
    for (int i = 0; i < n && budget > 0; i++) {
        if (!ts[i].coef || Z3_get_ast_kind(z, ts[i].t) != Z3_APP_AST)
            continue;
        Z3_app app = Z3_to_app(z, ts[i].t);
        if (Z3_get_decl_kind(z, Z3_get_app_decl(z, app)) != Z3_OP_ITE)
            continue;
        Z3_ast br[2], c = Z3_get_app_arg(z, app, 0);
        for (int k = 0; k < 2; k++) {
            WTerm tk[WIDE_TERMS];
            int nk = 0;
            bool ok = true;
            for (int j = 0; j < n && ok; j++) {
                if (j == i)
                    continue;
                /* another summand choosing on the same condition takes the same branch
                 * (the storage variables merged at one join) */
                Z3_ast t = ts[j].t;
                if (Z3_get_ast_kind(z, t) == Z3_APP_AST) {
                    Z3_app ja = Z3_to_app(z, t);
                    if (Z3_get_decl_kind(z, Z3_get_app_decl(z, ja)) == Z3_OP_ITE &&
                        Z3_is_eq_ast(z, Z3_get_app_arg(z, ja, 0), c))
                        t = Z3_get_app_arg(z, ja, 1 + (unsigned)k);
                }
                ok = wide_terms(e, t, ts[j].coef, tk, &nk, 0);
            }
            ok = ok && wide_terms(e, Z3_get_app_arg(z, app, 1 + (unsigned)k), ts[i].coef, tk, &nk, 0);
            if (!ok)
                return wide_cmp_op(e, op, wide_side(e, ts, n, 1), wide_side(e, ts, n, -1));
            br[k] = wide_cmp_terms(e, op, tk, nk, budget - 1);
        }
        return Z3_mk_ite(z, c, br[0], br[1]);
    }
    return wide_cmp_op(e, op, wide_side(e, ts, n, 1), wide_side(e, ts, n, -1));
}

/* x[0] op x[1] with their common summands cancelled (as they are when the sides hold too
 * many terms). */
static Z3_ast wide_cmp(Enc *e, IrOp op, Z3_ast *x) {
    WTerm ts[WIDE_TERMS];
    int n = 0;
    if (!wide_terms(e, x[0], 1, ts, &n, 0) || !wide_terms(e, x[1], -1, ts, &n, 0))
        return wide_cmp_op(e, op, x[0], x[1]);
    return wide_cmp_terms(e, op, ts, n, 3);
}

static Z3_ast enc_wide_op(Enc *e, IrInstr *in, Z3_ast *a) {
    Z3_context z = e->z;
    Z3_ast x[3];
    int first = in->op == IR_SELECT ? 1 : 0;
    for (int i = first; i < in->nargs && i < 3; i++)
        x[i] = enc_wide(e, a[i], in->args[i]->type);
    if (in->op >= IR_EQ && in->op <= IR_GE)
        return wide_cmp(e, (IrOp)in->op, x);
    switch (in->op) {
    case IR_SELECT: return Z3_mk_ite(z, a[0], x[1], x[2]);
    case IR_ADD: return Z3_mk_bvadd(z, x[0], x[1]);
    case IR_SUB: return mk_sub(e, x[0], x[1]);
    case IR_MUL: return Z3_mk_bvmul(z, x[0], x[1]);
    case IR_NEG: return mk_neg(e, x[0]);
    default: return NULL;
    }
}

static void note_key(Enc *e, int var, Z3_ast key);
static Z3_ast zero_of(Enc *e, IrType *t);

/* A pure op on encoded operands; NULL with e->fail set when not modelled. */
static Z3_ast enc_pure(Enc *e, IrInstr *in, Z3_ast *a) {
    Z3_context z = e->z;
    IrType *t = in->type;
    IrType *at = in->nargs ? in->args[0]->type : NULL;
    bool b = at && is_bool(at), s = at && is_signed(at);
    switch (in->op) {
    case IR_SELECT: return Z3_mk_ite(z, a[0], a[1], a[2]);
    case IR_ADD: return Z3_mk_bvadd(z, a[0], a[1]);
    case IR_SUB: return mk_sub(e, a[0], a[1]);
    case IR_MUL: return Z3_mk_bvmul(z, a[0], a[1]);
    case IR_NEG: return mk_neg(e, a[0]);
    case IR_DIV: case IR_MOD: {
        Z3_ast zero = mk_n(e, 0, t->bits);
        Z3_ast dc = s ? NULL : Z3_simplify(z, a[1]);
        if (dc && Z3_is_numeral_ast(z, dc) && !Z3_is_eq_ast(z, dc, zero)) {
            /* By a constant: x = q*c + r with r < c defines q and r. A multiplication by
             * a constant blasts into one adder per set bit; a divider circuit (what Z3
             * builds for bvudiv) into one subtractor per bit: the fee arithmetic of
             * gold.writ (x * 25 / 10000) spent minutes there. */
            Z3_ast q = NULL, r = NULL;
            for (int i = 0; i < e->ndivs && !q; i++)
                if (e->divs[i].x == a[0] && Z3_is_eq_ast(z, e->divs[i].c, dc))
                    q = e->divs[i].q, r = e->divs[i].r;
            if (!q) {
                unsigned w = t->bits;
                Z3_sort ws = Z3_mk_bv_sort(z, 2 * w);
                q = enc_fresh(e, "quot", Z3_mk_bv_sort(z, w));
                r = enc_fresh(e, "rem", Z3_mk_bv_sort(z, w));
                Z3_ast prod = Z3_mk_bvmul(z, Z3_mk_zero_ext(z, w, q), Z3_mk_zero_ext(z, w, dc));
                Z3_ast sum = Z3_mk_bvadd(z, prod, Z3_mk_zero_ext(z, w, r));
                Z3_ast def = and2(e, Z3_mk_eq(z, sum, Z3_mk_zero_ext(z, w, a[0])), Z3_mk_bvult(z, r, dc));
                (void)ws;
                e->defs = e->defs ? and2(e, e->defs, def) : def;
                e->divs = arena_grow(e->arena, e->divs, e->ndivs, &e->dcap, sizeof *e->divs, 8);
                e->divs[e->ndivs++] = (struct VDiv){a[0], dc, q, r};
            }
            return in->op == IR_DIV ? q : r;
        }
        Z3_ast q = in->op == IR_DIV ? (s ? Z3_mk_bvsdiv(z, a[0], a[1]) : Z3_mk_bvudiv(z, a[0], a[1]))
                                    : (s ? Z3_mk_bvsrem(z, a[0], a[1]) : Z3_mk_bvurem(z, a[0], a[1]));
        return Z3_mk_ite(z, Z3_mk_eq(z, a[1], zero), zero, q);
    }
    case IR_AND: return b ? and2(e, a[0], a[1]) : Z3_mk_bvand(z, a[0], a[1]);
    case IR_OR: return b ? or2(e, a[0], a[1]) : Z3_mk_bvor(z, a[0], a[1]);
    case IR_XOR: return b ? Z3_mk_xor(z, a[0], a[1]) : Z3_mk_bvxor(z, a[0], a[1]);
    case IR_NOT: return b ? Z3_mk_not(z, a[0]) : Z3_mk_bvnot(z, a[0]);
    case IR_SHL: case IR_SHR: {
        IrType *bt = in->args[1]->type;
        unsigned w = at->bits, bw = bt->bits;
        Z3_ast n = a[1];
        if (bw > w) /* saturate: any amount >= w shifts everything out */
            n = Z3_mk_ite(z, Z3_mk_bvuge(z, n, mk_n(e, w, bw)), mk_n(e, w, w),
                          Z3_mk_extract(z, w - 1, 0, n));
        else if (bw < w)
            n = Z3_mk_zero_ext(z, w - bw, n);
        if (in->op == IR_SHL)
            return Z3_mk_bvshl(z, a[0], n);
        return s ? Z3_mk_bvashr(z, a[0], n) : Z3_mk_bvlshr(z, a[0], n);
    }
    case IR_EQ: return Z3_mk_eq(z, a[0], a[1]);
    case IR_NE: return Z3_mk_not(z, Z3_mk_eq(z, a[0], a[1]));
    case IR_LT: return s ? Z3_mk_bvslt(z, a[0], a[1]) : Z3_mk_bvult(z, a[0], a[1]);
    case IR_LE: return s ? Z3_mk_bvsle(z, a[0], a[1]) : Z3_mk_bvule(z, a[0], a[1]);
    case IR_GT: return s ? Z3_mk_bvsgt(z, a[0], a[1]) : Z3_mk_bvugt(z, a[0], a[1]);
    case IR_GE: return s ? Z3_mk_bvsge(z, a[0], a[1]) : Z3_mk_bvuge(z, a[0], a[1]);
    case IR_CAST:
        if (is_bool(t))
            return b ? a[0] : Z3_mk_not(z, Z3_mk_eq(z, a[0], mk_n(e, 0, at->bits)));
        return resize(e, a[0], at, t->bits);
    case IR_KECCAK: {
        /* Scalars hash as their packed concatenation through one function per width. A
         * string, list or struct argument has a tuple sort (length and contents): the hash
         * is then one function of the arguments themselves, named by their sorts. Either
         * way it is uninterpreted, which is sound: the real keccak is one of its
         * interpretations (equal arguments, equal hashes). */
        if (in->nargs < 1 || in->nargs > 16)
            return fail(e, "keccak of nothing or of more than 16 values"), NULL;
        Z3_ast xs[16];
        Z3_sort ss[16];
        bool scalar = true;
        for (int i = 0; i < in->nargs; i++) {
            IrType *it = in->args[i]->type;
            if (!enc_sort(e, it) || it->kind == IRT_MAP)
                return fail(e, "keccak of a map is not modelled"), NULL;
            xs[i] = is_bool(it) ? resize(e, a[i], it, 8) : a[i];
            ss[i] = Z3_get_sort(z, xs[i]);
            scalar = scalar && Z3_get_sort_kind(z, ss[i]) == Z3_BV_SORT;
        }
        char name[32 + 12 * 16];
        Z3_func_decl f;
        if (scalar) {
            Z3_ast cat = xs[0];
            for (int i = 1; i < in->nargs; i++)
                cat = Z3_mk_concat(z, cat, xs[i]);
            Z3_sort dom = Z3_get_sort(z, cat);
            snprintf(name, sizeof name, "keccak%u", Z3_get_bv_sort_size(z, dom));
            f = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, name), 1, &dom, Z3_mk_bv_sort(z, 256));
            xs[0] = cat;
        } else {
            int n = snprintf(name, sizeof name, "keccak");
            for (int i = 0; i < in->nargs; i++)
                n += snprintf(name + n, sizeof name - (size_t)n, "_%u", Z3_get_sort_id(z, ss[i]));
            f = Z3_mk_func_decl(z, Z3_mk_string_symbol(z, name), (unsigned)in->nargs, ss,
                                Z3_mk_bv_sort(z, 256));
        }
        if (!e->approx)
            e->approx = VER_APPROX_KECCAK; /* any other abstraction outranks it */
        return Z3_mk_app(z, f, scalar ? 1 : (unsigned)in->nargs, xs);
    }
    default:
        return fail(e, "this instruction is not modelled yet"), NULL;
    }
}

/* A fresh value for a read the encoder does not model (NULL for refs: never used as
 * scalars). */
static Z3_ast unmodelled(Enc *e, IrType *t) {
    Z3_sort s = t && t->kind != IRT_MAP ? enc_sort(e, t) : NULL;
    return s ? enc_fresh(e, "unmodelled", s) : NULL;
}

/* Loops: a back edge (found by DFS) makes its target a loop header; the loop's blocks
 * reach a latch without passing the header. Each loop is unrolled into copies 0..K of
 * its blocks, K read from the header's compare against a constant; the back edge out of
 * copy K is the unwinding obligation (it must be unreachable, else the unrolling did not
 * cover every execution). Nested loops and loops entered elsewhere than the header are
 * not unrolled yet. */
enum { ENC_MAX_UNROLL = 256 };

typedef struct BState {
    bool reached;
    Z3_ast pc_end;        /* path condition at the terminator */
    Z3_ast *st_end;       /* storage at the terminator */
} BState;

typedef struct Loops {
    Enc *e;
    IrFunc *f;
    int nb;               /* block ids are < nb */
    int *loop;            /* per block: loop number or -1 */
    IrBlock **header;     /* per loop */
    int *k;               /* per loop: last copy */
    int nloops, kmax;
    BState **bs;          /* per block: K+1 states (1 outside loops) */
    Z3_ast **vals;        /* per copy: per instruction id */
    Z3_ast **exitc;       /* per loop, per copy: the condition of leaving the loop from it */
} Loops;

static int ncopies(Loops *L, IrBlock *b) {
    return L->loop[b->id] < 0 ? 1 : L->k[L->loop[b->id]] + 1;
}

/* The copies of predecessor p that flow into copy c of b. */
static void pred_copies(Loops *L, IrBlock *p, IrBlock *b, int c, int *lo, int *hi) {
    int lp = L->loop[p->id], lb = L->loop[b->id];
    if (lb >= 0 && L->header[lb] == b) {
        if (lp == lb) { /* back edge from the previous copy */
            *lo = *hi = c - 1;
            if (c == 0)
                *lo = 0, *hi = -1;
        } else {
            *lo = *hi = 0;
            if (c != 0)
                *lo = 0, *hi = -1;
        }
    } else if (lb >= 0) {
        *lo = *hi = c;
    } else {
        *lo = 0;
        *hi = ncopies(L, p) - 1;
    }
}

/* The value of x as seen from copy c of block b. */
static Z3_ast get(Loops *L, IrInstr *x, IrBlock *b, int c) {
    int lx = L->loop[x->block->id];
    if (lx < 0)
        return L->vals[0][x->id];
    if (lx == L->loop[b->id])
        return L->vals[c][x->id];
    /* used after the loop: the copy the loop was left from */
    Z3_ast v = NULL;
    for (int i = 0; i <= L->k[lx]; i++) {
        Z3_ast xv = L->vals[i][x->id];
        if (xv && L->exitc[lx][i])
            v = v ? Z3_mk_ite(L->e->z, L->exitc[lx][i], xv, v) : xv;
    }
    return v;
}

/* Condition of the edge from copy cp of p to b (NULL when not reached). */
static Z3_ast edge(Loops *L, IrBlock *p, int cp, IrBlock *b) {
    BState *s = &L->bs[p->id][cp];
    if (!s->reached)
        return NULL;
    IrInstr *t = p->last;
    if (t->op == IR_JMP || t->targets[0] == t->targets[1])
        return s->pc_end;
    Z3_ast c = get(L, t->args[0], p, cp);
    if (!c)
        return NULL;
    return and2(L->e, s->pc_end, t->targets[0] == b ? c : Z3_mk_not(L->e->z, c));
}

static int nsucc(IrBlock *b) {
    IrInstr *t = b->last;
    return t && t->op == IR_JMP ? 1 : t && t->op == IR_BR ? 2 : 0;
}

/* Reverse postorder ignoring back edges; loops found and their bounds read. */
static bool find_loops(Loops *L, IrBlock **order, int *n) {
    Enc *e = L->e;
    IrFunc *f = L->f;
    int nb = L->nb;
    IrBlock **stack = arena_alloc(e->arena, nb * sizeof *stack);
    int *next = arena_alloc(e->arena, nb * sizeof *next);
    char *state = arena_alloc(e->arena, nb); /* 0 new, 1 on stack, 2 done */
    IrBlock **latch = arena_alloc(e->arena, nb * sizeof *latch);
    IrBlock **lhead = arena_alloc(e->arena, nb * sizeof *lhead);
    int nback = 0, sp = 0, k = nb;
    stack[sp++] = f->entry;
    state[f->entry->id] = 1;
    while (sp) {
        IrBlock *b = stack[sp - 1];
        if (next[b->id] < nsucc(b)) {
            IrBlock *s = b->last->targets[next[b->id]++];
            if (state[s->id] == 1) {
                latch[nback] = b;
                lhead[nback++] = s;
            } else if (state[s->id] == 0) {
                state[s->id] = 1;
                stack[sp++] = s;
            }
            continue;
        }
        state[b->id] = 2;
        order[--k] = b;
        sp--;
    }
    *n = nb - k;
    memmove(order, order + k, *n * sizeof *order);
    L->loop = arena_alloc(e->arena, nb * sizeof *L->loop);
    for (int i = 0; i < nb; i++)
        L->loop[i] = -1;
    L->header = arena_alloc(e->arena, (nback + 1) * sizeof *L->header);
    L->k = arena_alloc(e->arena, (nback + 1) * sizeof *L->k);
    L->kmax = 0;
    for (int i = 0; i < nback; i++) {
        IrBlock *h = lhead[i];
        int li = -1;
        for (int j = 0; j < L->nloops; j++)
            if (L->header[j] == h)
                li = j;
        if (li < 0) {
            li = L->nloops++;
            L->header[li] = h;
            if (L->loop[h->id] >= 0)
                return fail(e, "nested loop not unrolled");
            L->loop[h->id] = li;
        }
        /* the blocks reaching the latch backwards without passing the header */
        int top = 0;
        if (latch[i] != h) {
            if (L->loop[latch[i]->id] >= 0 && L->loop[latch[i]->id] != li)
                return fail(e, "nested loop not unrolled");
            L->loop[latch[i]->id] = li;
            stack[top++] = latch[i];
        }
        while (top) {
            IrBlock *b = stack[--top];
            for (int p = 0; p < b->npreds; p++) {
                IrBlock *q = b->preds[p];
                if (q == h || state[q->id] == 0)
                    continue;
                if (L->loop[q->id] == li)
                    continue;
                if (L->loop[q->id] >= 0)
                    return fail(e, "nested loop not unrolled");
                L->loop[q->id] = li;
                stack[top++] = q;
            }
        }
    }
    for (int li = 0; li < L->nloops; li++) {
        IrBlock *h = L->header[li];
        /* entered only through the header */
        for (int i = 0; i < *n; i++) {
            IrBlock *b = order[i];
            for (int s = 0; s < nsucc(b); s++) {
                IrBlock *t = b->last->targets[s];
                if (L->loop[t->id] == li && t != h && L->loop[b->id] != li)
                    return fail(e, "loop entered other than at its header: not unrolled");
            }
        }
        /* the bound: the header's compare against a constant */
        IrInstr *t = h->last;
        if (t->op != IR_BR)
            return fail(e, "loop not unrolled: its header does not branch on a compare");
        IrInstr *cmp = t->args[0];
        IrInstr *cst = NULL;
        if (cmp->nargs == 2 && cmp->args[1]->op == IR_CONST)
            cst = cmp->args[1];
        else if (cmp->nargs == 2 && cmp->args[0]->op == IR_CONST)
            cst = cmp->args[0];
        U256 v;
        IrInstr *len = NULL;
        for (int k = 0; k < cmp->nargs && k < 2 && !cst; k++) {
            IrInstr *x = cmp->args[k];
            while (x && (x->op == IR_CAST || x->op == IR_WIDEN) && x->nargs)
                x = x->args[0];
            if (x && (x->op == IR_SLEN || x->op == IR_MLEN))
                len = x;
        }
        if (!cst && len && cmp->op >= IR_EQ && cmp->op <= IR_GE) {
            /* bounded by a list's or string's length: at most its capacity */
            IrType *lt = NULL;
            if (len->op == IR_MLEN) {
                lt = len->args[0]->type;
                for (int k = 0; k < len->npath && lt; k++)
                    lt = step_type(e, lt, len->path[k]);
            } else {
                lt = e->m->storage[len->var].type;
                for (int k = 0; k < len->npath && lt; k++)
                    lt = step_type(e, lt, len->path[k]);
            }
            if (lt && lt->kind == IRT_REF)
                lt = lt->elem;
            if (!lt || (lt->kind != IRT_LIST && lt->kind != IRT_STRING))
                return fail(e, "loop not unrolled: no constant bound in its header");
            v = u256_from_u64(lt->len);
        } else {
            if (!cst || cmp->op < IR_EQ || cmp->op > IR_GE || cst->type->kind == IRT_BOOL)
                return fail(e, "loop not unrolled: no constant bound in its header");
            v = *cst->imm;
        }
        if (cst && cst->type->kind == IRT_INT && cst->type->is_signed && (v.w[3] >> 63))
            return fail(e, "loop not unrolled: negative bound");
        if (v.w[1] || v.w[2] || v.w[3] || v.w[0] > ENC_MAX_UNROLL)
            return fail(e, "loop not unrolled: bound above 256 iterations");
        L->k[li] = (int)v.w[0] + 1;
        if (L->k[li] > L->kmax)
            L->kmax = L->k[li];
    }
    return true;
}

/* An add or sub whose check (same operands) comes before it in its block: its value is
 * used only where the check passed, so there it is exact. */
static bool checked(IrInstr *x) {
    IrOp want = x->op == IR_ADD ? IR_CHECK_ADD : IR_CHECK_SUB;
    for (IrInstr *p = x->block->first; p && p != x; p = p->next)
        if (p->op == want && p->nargs == 2 && p->args[0] == x->args[0] && p->args[1] == x->args[1])
            return true;
    return false;
}

/* x as a wide value. A checked add or sub (the check just before it in its block passed
 * on every path reaching it) is exact in the wide domain, so it is widened operand by
 * operand: then a sum updated by `new - old` cancels syntactically (balances[to] + amount
 * stored over balances[to] moves the sum by exactly amount) instead of leaving the
 * solver an identity between 512-bit adders to prove. */
static Z3_ast wide_of(Loops *L, IrInstr *x, IrBlock *b, int c, int depth) {
    Enc *e = L->e;
    Z3_ast v = get(L, x, b, c);
    if (!v)
        return NULL;
    if (depth < 8 && (x->op == IR_ADD || x->op == IR_SUB) && !is_bool(x->type)) {
        if (checked(x)) {
            Z3_ast l = wide_of(L, x->args[0], b, c, depth + 1);
            Z3_ast r = wide_of(L, x->args[1], b, c, depth + 1);
            if (l && r)
                return x->op == IR_ADD ? Z3_mk_bvadd(e->z, l, r) : Z3_mk_bvsub(e->z, l, r);
        }
    }
    return enc_wide(e, v, x->type);
}

static void add_unwind(Enc *e, IrFunc *f, IrBlock *h, Z3_ast bad) {
    enc_add_obl(e, h, NULL, f, "loop bound", h->last->span, bad, Z3_mk_false(e->z));
}

/* Counts the work of encoding `in` (see Enc.work); false, with e->fail set, past the
 * budget. A product or quotient of two non-constant operands costs 4*(width/32+1)^2 more
 * (325 at 256 bits): Z3 builds a width x width array of gates for it, before its resource
 * limit counts, for every query that sees it. */
static bool charge(Enc *e, IrInstr *in) {
    long w = 1;
    if ((in->op == IR_MUL || in->op == IR_DIV || in->op == IR_MOD || in->op == IR_CHECK_MUL ||
         in->op == IR_CHECK_DIV) && in->nargs == 2 && in->args[0]->op != IR_CONST &&
        in->args[1]->op != IR_CONST && in->args[0]->type && in->args[0]->type->bits > 0) {
        long b = in->args[0]->type->bits / 32 + 1;
        w += 4 * b * b;
    }
    e->work += w;
    e->tx_work += w;
    long max = e->work_max ? e->work_max : ENC_WORK_MAX;
    if (e->tx_work <= max && e->work <= ENC_SEARCH_WORKS * max)
        return true;
    if (!e->fail) {
        char *msg = arena_alloc(e->arena, 128);
        snprintf(msg, 128, "formula too large: more than %ld units of work (instructions encoded; "
                 "a higher --rlimit allows more)", e->tx_work > max ? max : ENC_SEARCH_WORKS * max);
        e->fail = msg;
    }
    return false;
}

bool enc_func(Enc *e, IrFunc *f, Z3_ast *args, Z3_ast pc, Z3_ast *state, Z3_ast *old,
              Z3_ast result, Z3_ast *ok, Z3_ast *val, int depth) {
    Z3_context z = e->z;
    int ns = e->nst;
    if (depth > ENC_MAX_DEPTH)
        return fail(e, "calls nested too deeply");
    if (!f->entry)
        return fail(e, "function has no body");
    ir_cfg_compute(f);
    Loops L = {.e = e, .f = f, .nb = f->nblocks + 1};
    IrBlock **order = arena_alloc(e->arena, L.nb * sizeof *order);
    int n;
    if (!find_loops(&L, order, &n))
        return false;
    L.bs = arena_alloc(e->arena, L.nb * sizeof *L.bs);
    for (int i = 0; i < n; i++)
        L.bs[order[i]->id] = arena_alloc(e->arena, ncopies(&L, order[i]) * sizeof **L.bs);
    L.vals = arena_alloc(e->arena, (L.kmax + 1) * sizeof *L.vals);
    for (int c = 0; c <= L.kmax; c++)
        L.vals[c] = arena_alloc(e->arena, (f->ninstrs + 1) * sizeof **L.vals);
    L.exitc = arena_alloc(e->arena, (L.nloops + 1) * sizeof *L.exitc);
    for (int li = 0; li < L.nloops; li++)
        L.exitc[li] = arena_alloc(e->arena, (L.k[li] + 1) * sizeof **L.exitc);
    /* the unrolled order: at a loop's header, every copy of the loop's blocks */
    int total = 0;
    for (int i = 0; i < n; i++)
        total += ncopies(&L, order[i]);
    IrBlock **xb = arena_alloc(e->arena, (total + 1) * sizeof *xb);
    int *xc = arena_alloc(e->arena, (total + 1) * sizeof *xc);
    int nx = 0;
    for (int i = 0; i < n; i++) {
        IrBlock *b = order[i];
        int li = L.loop[b->id];
        if (li < 0) {
            xb[nx] = b, xc[nx++] = 0;
        } else if (L.header[li] == b) {
            for (int c = 0; c <= L.k[li]; c++)
                for (int j = i; j < n; j++)
                    if (L.loop[order[j]->id] == li)
                        xb[nx] = order[j], xc[nx++] = c;
        }
    }
    Z3_ast ret_ok = Z3_mk_false(z), ret_val = NULL;
    int nret = 0;
    Z3_ast *ret_st = arena_alloc(e->arena, (ns + 1) * sizeof *ret_st);
    memcpy(ret_st, state, ns * sizeof *ret_st);
    Z3_sort rs = f->ret && f->ret->kind != IRT_VOID ? enc_sort(e, f->ret) : NULL;
    if (rs) /* refs (aggregates) are not modelled: such results stay NULL */
        ret_val = enc_fresh(e, "noreturn", rs);
    for (int xi = 0; xi < nx; xi++) {
        IrBlock *b = xb[xi];
        int c = xc[xi];
        Z3_ast *vals = L.vals[c];
        Z3_ast cur;
        Z3_ast *st = arena_alloc(e->arena, (ns + 1) * sizeof *st);
        if (b == f->entry) {
            cur = pc;
            memcpy(st, state, ns * sizeof *st);
        } else {
            cur = NULL;
            bool first = true;
            for (int i = 0; i < b->npreds; i++) {
                IrBlock *p = b->preds[i];
                int lo, hi;
                pred_copies(&L, p, b, c, &lo, &hi);
                for (int cp = lo; cp <= hi; cp++) {
                    Z3_ast ec = edge(&L, p, cp, b);
                    if (!ec)
                        continue;
                    Z3_ast *ps = L.bs[p->id][cp].st_end;
                    for (int v = 0; v < ns; v++)
                        st[v] = first || !st[v] ? ps[v] : Z3_mk_ite(z, ec, ps[v], st[v]);
                    cur = first ? ec : or2(e, cur, ec);
                    first = false;
                }
            }
            if (!cur)
                continue; /* not reached */
        }
        for (IrInstr *in = b->first; in; in = in->next) {
            if (!charge(e, in))
                return false;
            Z3_ast a[8], *av = a;
            if (in->nargs > 8)
                av = arena_alloc(e->arena, in->nargs * sizeof *av);
            bool wide = false;
            if (in->op != IR_PHI)
                for (int i = 0; i < in->nargs; i++) {
                    av[i] = get(&L, in->args[i], b, c);
                    wide |= is_wide(e, av[i]);
                }
            if (wide && !wide_op(in->op) && !(in->op == IR_RET && f->ret && is_bool(f->ret)))
                for (int i = 0; i < in->nargs; i++)
                    av[i] = enc_narrow(e, av[i], in->args[i]->type);
            else if (wide && in->op == IR_RET)
                av[0] = enc_narrow(e, av[0], f->ret);
            Z3_ast v = NULL;
            switch ((IrOp)in->op) {
            case IR_PARAM: v = args[in->imm->w[0]]; break;
            case IR_CONST:
                v = is_bool(in->type) ? (u256_is_zero(*in->imm) ? Z3_mk_false(z) : Z3_mk_true(z))
                                      : mk_u(e, *in->imm, in->type->bits);
                break;
            case IR_PHI: {
                bool pw = false;
                for (int i = 0; i < in->nargs && !pw; i++) {
                    IrBlock *p = in->phi_blocks[i];
                    int lo, hi;
                    pred_copies(&L, p, b, c, &lo, &hi);
                    for (int pc2 = lo; pc2 <= hi; pc2++)
                        pw |= L.bs[p->id][pc2].reached && is_wide(e, get(&L, in->args[i], p, pc2));
                }
                for (int i = 0; i < in->nargs; i++) {
                    IrBlock *p = in->phi_blocks[i];
                    int lo, hi;
                    pred_copies(&L, p, b, c, &lo, &hi);
                    for (int pc2 = lo; pc2 <= hi; pc2++) {
                        Z3_ast ec = edge(&L, p, pc2, b);
                        Z3_ast x = ec ? get(&L, in->args[i], p, pc2) : NULL;
                        if (x && pw)
                            x = enc_wide(e, x, in->type);
                        if (ec && x)
                            v = v ? Z3_mk_ite(z, ec, x, v) : x;
                    }
                }
                if (!v)
                    v = enc_fresh(e, "phi", enc_sort(e, in->type));
                break;
            }
            case IR_ENV:
                v = e->env[in->env];
                e->env_used[in->env] = true;
                break;
            case IR_BALANCE: {
                /* this contract's balance is state; another account's is any value */
                Z3_ast self = Z3_mk_eq(z, av[0], e->env[IR_ENV_ADDRESS]);
                /* kept wide (like sums) so that what is sent and what is owed cancel;
                 * exact in 256 bits, which code reads */
                Z3_ast bal = st[ENC_BAL(e)];
                if (!e->in_spec)
                    bal = Z3_mk_extract(z, 255, 0, bal);
                Z3_ast other = enc_fresh(e, "balance", Z3_mk_bv_sort(z, 256));
                /* balance(self) is the balance itself: no if-then-else between it and
                 * the comparisons that cancel its summands */
                v = Z3_is_eq_ast(z, av[0], e->env[IR_ENV_ADDRESS])
                        ? bal
                        : Z3_mk_ite(z, self, bal, e->in_spec ? enc_wide(e, other, in->type) : other);
                e->env_used[IR_ENV_ADDRESS] = true;
                break;
            }
            case IR_SLOAD: case IR_OLD_SLOAD: {
                Z3_ast keys[4];
                int nk = 0; /* place() sets it when it succeeds; gcc cannot see that */
                IrType *t = place(e, in, av, 0, keys, &nk);
                Z3_ast *from = in->op == IR_SLOAD ? st : old;
                if (t && from && from[in->var]) {
                    v = read_place(e, from[in->var], keys, nk);
                    note_read(e, in, keys, nk, t);
                    if (nk == 1 && e->has_sum[in->var])
                        note_key(e, in->var, keys[0]);
                } else if (from && from[in->var] &&
                           (v = path_read(e, from[in->var], e->m->storage[in->var].type, in->path,
                                          in->npath, av, &t)) != NULL) {
                    /* a struct field, an array or list element, or a whole aggregate */
                } else if ((v = unmodelled(e, in->type)) != NULL) {
                    enc_abstract(e, "this storage place is not modelled yet");
                }
                break;
            }
            case IR_SSTORE: {
                Z3_ast keys[4];
                int nk = 0;
                /* a variable without a term is never read exactly: every read is fresh */
                if (st[in->var] && place(e, in, av, 1, keys, &nk) && av[0]) {
                    if (nk == 1 && e->has_sum[in->var] && st[ENC_SUM(e, in->var)]) {
                        /* the ghost total follows the write: new - old */
                        IrType *vt = e->m->storage[in->var].type->val;
                        Z3_ast was = read_place(e, st[in->var], keys, 1);
                        Z3_ast nw = wide_of(&L, in->args[0], b, c, 0);
                        Z3_ast d = mk_sub(e, nw ? nw : enc_wide(e, av[0], vt), enc_wide(e, was, vt));
                        st[ENC_SUM(e, in->var)] = Z3_mk_bvadd(z, st[ENC_SUM(e, in->var)], d);
                        note_key(e, in->var, keys[0]);
                    }
                    st[in->var] = write_place(e, st[in->var], keys, nk, av[0]);
                } else if (st[in->var] && av[0]) {
                    Z3_ast w = path_write(e, st[in->var], e->m->storage[in->var].type, in->path,
                                          in->npath, av + 1, av[0]);
                    if (!w)
                        return fail(e, "a storage write is not modelled yet");
                    st[in->var] = w;
                } else if (st[in->var]) {
                    return fail(e, "a storage write is not modelled yet");
                }
                break;
            }
            case IR_SLEN: case IR_SSETLEN: {
                IrType *t = NULL;
                Z3_ast *idx = in->op == IR_SSETLEN ? av + 1 : av;
                Z3_ast *from = st;
                Z3_ast lv = from[in->var] ? path_read(e, from[in->var], e->m->storage[in->var].type,
                                                      in->path, in->npath, idx, &t) : NULL;
                if (in->op == IR_SLEN) {
                    v = lv ? agg_len(e, lv, t) : NULL;
                    if (!v && (v = unmodelled(e, in->type)) != NULL)
                        enc_abstract(e, "this length is not modelled yet");
                    break;
                }
                Z3_ast nl = lv && av[0] ? agg_setlen(e, lv, t, av[0]) : NULL;
                Z3_ast w = nl ? path_write(e, st[in->var], e->m->storage[in->var].type, in->path,
                                           in->npath, idx, nl) : NULL;
                if (!w && st[in->var])
                    return fail(e, "a storage length is not modelled yet");
                if (w)
                    st[in->var] = w;
                break;
            }
            case IR_STR: {
                AggSort *ag = agg_of(e, in->type);
                e->agg = true;
                if (!ag)
                    break;
                Z3_ast bytes = Z3_mk_const_array(z, idx_sort(e), mk_n(e, 0, 8));
                for (uint32_t i = 0; i < in->nbytes; i++)
                    bytes = Z3_mk_store(z, bytes, mk_n(e, i, 256), mk_n(e, in->bytes[i], 8));
                Z3_ast f[2] = {mk_n(e, in->nbytes, 256), bytes};
                v = Z3_mk_app(z, ag->mk, 2, f);
                break;
            }
            case IR_ALLOCA: v = zero_of(e, in->alloc_type); e->agg = true; break;
            case IR_WIDEN: v = av[0]; break;
            case IR_MLOAD: case IR_MLEN: {
                IrType *t = NULL;
                Z3_ast lv = av[0] ? path_read(e, av[0], in->args[0]->type, in->path, in->npath, av + 1, &t)
                                  : NULL;
                v = lv && in->op == IR_MLEN ? agg_len(e, lv, t) : lv;
                if (!v && (v = unmodelled(e, in->type)) != NULL)
                    enc_abstract(e, "this memory place is not modelled yet");
                break;
            }
            case IR_MSTORE: case IR_MSETLEN: {
                /* memory is the ref's value: the root's value becomes the updated one on
                 * this path */
                IrInstr *root = in->args[1];
                IrType *rt = root->type, *t = NULL;
                Z3_ast rv = av[1], w = NULL;
                if (rv && av[0]) {
                    if (in->op == IR_MSTORE) {
                        w = path_write(e, rv, rt, in->path, in->npath, av + 2, av[0]);
                    } else {
                        Z3_ast lv = path_read(e, rv, rt, in->path, in->npath, av + 2, &t);
                        Z3_ast nl = lv ? agg_setlen(e, lv, t, av[0]) : NULL;
                        w = nl ? path_write(e, rv, rt, in->path, in->npath, av + 2, nl) : NULL;
                    }
                }
                int lr = L.loop[root->block->id];
                if (!w || (lr >= 0 && lr != L.loop[b->id]))
                    return fail(e, "a memory write is not modelled yet");
                L.vals[lr < 0 ? 0 : c][root->id] = Z3_mk_ite(z, cur, w, rv);
                break;
            }
            case IR_SUM: case IR_OLD_SUM: {
                Z3_ast *from = in->op == IR_SUM ? st : old;
                if (in->npath == 0 && e->has_sum[in->var] && from && from[ENC_SUM(e, in->var)]) {
                    v = from[ENC_SUM(e, in->var)];
                    break;
                }
                Z3_sort rs2 = enc_sort(e, in->type);
                if (!rs2)
                    return fail(e, "sum of this type is not modelled yet");
                enc_abstract(e, "this sum() is not modelled");
                v = enc_fresh(e, "sum", rs2);
                break;
            }
            case IR_RESULT: v = result; break;
            case IR_CALL: {
                if (enc_summary_call(e, in, av, st, &cur, &v, depth))
                    break;
                IrFunc *g = e->m->funcs[in->callee];
                Z3_ast cok, cval = NULL;
                Z3_ast *pre = arena_alloc(e->arena, (ns + 1) * sizeof *pre);
                memcpy(pre, st, ns * sizeof *pre);
                Z3_ast revif = NULL;
                IrFunc *rsp = NULL;
                if (!e->in_spec)
                    enc_call_requires(e, in, av, pre, &cur);
                for (int i = 0; i < e->m->nspecs && !e->in_spec; i++) {
                    IrFunc *sp = e->m->specs[i];
                    if (sp->owner != in->callee)
                        continue;
                    if (sp->kind == IR_FN_REVERTS_IF) {
                        Z3_ast c = enc_spec(e, sp, av, pre, pre, NULL);
                        if (!c) {
                            enc_add_obl(e, sp, NULL, sp, "reverts_if", sp->span, cur, NULL);
                            continue;
                        }
                        revif = revif ? or2(e, revif, c) : c;
                        rsp = rsp ? rsp : sp;
                    }
                }
                Z3_ast cur0 = cur;
                if (!enc_func(e, g, av, cur, st, old, NULL, &cok, &cval, depth + 1))
                    return false;
                for (int i = 0; i < e->m->nspecs && !e->in_spec; i++) {
                    IrFunc *sp = e->m->specs[i];
                    if (sp->owner != in->callee)
                        continue;
                    if (sp->kind == IR_FN_ENSURES) {
                        Z3_ast c = enc_spec(e, sp, av, st, pre, cval);
                        enc_add_obl(e, sp, NULL, sp, "postcondition", sp->span, cok, c);
                    } else if (sp->kind == IR_FN_REVERTS_IF && revif) {
                        /* each clause forces a revert; a revert needs one of them */
                        Z3_ast c = enc_spec(e, sp, av, pre, pre, NULL);
                        if (c)
                            enc_add_obl(e, sp, NULL, sp, "reverts_if", sp->span, and2(e, cur0, c),
                                        Z3_mk_not(z, cok));
                    }
                }
                if (revif)
                    enc_add_obl(e, rsp, NULL, rsp, "unexpected revert", in->span,
                                and2(e, cur0, Z3_mk_not(z, cok)), revif);
                cur = cok;
                v = cval;
                break;
            }
            case IR_XCALL: {
                /* a value sent leaves the balance; with re-entry possible (per the
                 * language's rules) the callee may change this contract's storage */
                if (in->nargs >= 2 && av[1]) {
                    Z3_ast amt = enc_wide(e, av[1], in->args[1]->type);
                    cur = and2(e, cur, Z3_mk_bvule(z, amt, st[ENC_BAL(e)]));
                    st[ENC_BAL(e)] = mk_sub(e, st[ENC_BAL(e)], amt);
                }
                if (e->havoc_xcall) {
                    for (int s = 0; s < e->ns; s++)
                        if (st[s])
                            st[s] = enc_fresh(e, e->m->storage[s].name, Z3_get_sort(z, st[s]));
                    for (int s = e->ns; s < 2 * e->ns; s++)
                        if (st[s])
                            st[s] = enc_fresh(e, "sum", Z3_get_sort(z, st[s]));
                    enc_abstract(e, "an external call havocs the storage");
                }
                if (in->type && in->type->kind != IRT_VOID) {
                    Z3_sort s = enc_sort(e, in->type);
                    if (s)
                        v = enc_fresh(e, "xcall", s);
                }
                break;
            }
            case IR_SEND: {
                Z3_ast self = av[0] == e->env[IR_ENV_CALLER] ? Z3_mk_false(z)
                                                              : Z3_mk_eq(z, av[0], e->env[IR_ENV_ADDRESS]);
                Z3_ast amt = enc_wide(e, av[1], in->args[1]->type);
                cur = and2(e, cur, Z3_mk_bvule(z, amt, st[ENC_BAL(e)]));
                st[ENC_BAL(e)] = Z3_mk_ite(z, self, st[ENC_BAL(e)], mk_sub(e, st[ENC_BAL(e)], amt));
                break;
            }
            case IR_EMIT: break;
            case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_NEG:
            case IR_CHECK_DIV: case IR_CHECK_CAST: case IR_CHECK_BOUNDS: case IR_CHECK_EMPTY:
            case IR_ASSERT: {
                for (int i = 0; i < in->nargs; i++)
                    if (!av[i])
                        return fail(e, "check operand not modelled yet");
                Z3_ast c = check_cond(e, in, av);
                if (!e->in_spec)
                    add_obl(e, in, f, cur, c);
                cur = and2(e, cur, c); /* past a check, it held (else the call reverted) */
                break;
            }
            case IR_JMP: case IR_BR: break;
            case IR_RET:
                /* the state and value after the call matter only where it returns:
                 * the first return gives them, later ones choose by path */
                if (ret_val && in->nargs && av[0])
                    ret_val = nret ? Z3_mk_ite(z, cur, av[0], ret_val) : av[0];
                for (int s = 0; s < ns; s++)
                    if (st[s])
                        ret_st[s] = nret ? Z3_mk_ite(z, cur, st[s], ret_st[s]) : st[s];
                ret_ok = nret ? or2(e, cur, ret_ok) : cur;
                nret++;
                break;
            case IR_REVERT: case IR_REVERT_MSG: case IR_REVERT_PLAIN: case IR_UNREACHABLE: break;
            default:
                for (int i = 0; i < in->nargs; i++)
                    if (!av[i])
                        return fail(e, "operand not modelled yet");
                v = wide ? enc_wide_op(e, in, av) : enc_pure(e, in, av);
                if (!v)
                    return false;
                if (!wide && (in->op == IR_ADD || in->op == IR_SUB) && !is_bool(in->type))
                    note_split(e, v, av[0], av[1], in->op == IR_SUB, is_signed(in->type),
                               checked(in));
            }
            if (in->id >= 0 && in->id <= f->ninstrs)
                vals[in->id] = v;
        }
        L.bs[b->id][c] = (BState){true, cur, st};
        /* leaving a loop from this copy; the back edge out of the last copy */
        int li = L.loop[b->id];
        if (li >= 0) {
            for (int s = 0; s < nsucc(b); s++) {
                IrBlock *t = b->last->targets[s];
                if (s == 1 && t == b->last->targets[0])
                    break;
                Z3_ast ec = edge(&L, b, c, t);
                if (!ec)
                    continue;
                if (L.loop[t->id] != li)
                    L.exitc[li][c] = L.exitc[li][c] ? or2(e, L.exitc[li][c], ec) : ec;
                else if (t == L.header[li] && c == L.k[li] && !e->in_spec)
                    add_unwind(e, f, t, ec);
            }
        }
    }
    memcpy(state, ret_st, ns * sizeof *state);
    if (depth == 0 && !e->in_spec && e->nsums && !e->approx)
        /* The specs checked after this transition read values a call summary chose (any
         * the callee's contract allows): a replay confirms their violation only by the
         * call running to its end, which the real callee's values may do for another
         * reason. The checks were encoded above, before this: a replay confirms those by
         * the exact Panic at the check. */
        e->approx = "a call summary: the callee's contract stands for its body";
    *ok = ret_ok;
    *val = ret_val;
    return true;
}

void enc_call_requires(Enc *e, IrInstr *in, Z3_ast *av, Z3_ast *st, Z3_ast *cur) {
    for (int i = 0; i < e->m->nspecs; i++) {
        IrFunc *sp = e->m->specs[i];
        if (sp->owner != in->callee || sp->kind != IR_FN_REQUIRES)
            continue;
        /* the callee's precondition is the caller's obligation */
        Z3_ast c = enc_spec(e, sp, av, st, st, NULL);
        enc_add_obl(e, sp, NULL, sp, "precondition", in->span, *cur, c);
        if (c)
            *cur = and2(e, *cur, c);
    }
}

/* ---------------- state layout, pre-states, sums, specs ---------------- */

static bool sum_target(IrType *t) {
    return t->kind == IRT_MAP && (t->val->kind == IRT_INT);
}

void enc_setup(Enc *e, IrModule *m, IrFunc *f) {
    e->m = m;
    e->ns = m->nstorage;
    e->nst = 2 * e->ns + 1;
    e->has_sum = arena_alloc(e->arena, (e->ns + 1) * sizeof *e->has_sum);
    memset(e->has_sum, 0, (e->ns + 1) * sizeof *e->has_sum);
    for (int i = 0; i < m->nspecs; i++)
        for (IrBlock *b = m->specs[i]->entry; b; b = b->next_in_func)
            for (IrInstr *in = b->first; in; in = in->next)
                if ((in->op == IR_SUM || in->op == IR_OLD_SUM) && in->npath == 0 &&
                    sum_target(m->storage[in->var].type))
                    e->has_sum[in->var] = true;
    /* Non-reentrant functions hold the contract's lock: a callee can re-enter only a
     * `reentrant` function, and only while a non-reentrant one runs. */
    bool any_reentrant = false;
    for (int i = 0; i < m->nfuncs; i++)
        if ((m->funcs[i]->flags & IR_FN_PUB) && (m->funcs[i]->flags & IR_FN_REENTRANT))
            any_reentrant = true;
    e->havoc_xcall = any_reentrant || !f || (f->flags & IR_FN_REENTRANT);
    if (f && !(f->flags & IR_FN_REENTRANT) && !any_reentrant)
        e->havoc_xcall = false;
}

static Z3_ast zero_of(Enc *e, IrType *t) {
    Z3_context z = e->z;
    if (t->kind == IRT_REF)
        t = t->elem;
    if (t->kind == IRT_MAP)
        return Z3_mk_const_array(z, enc_sort(e, t->key), zero_of(e, t->val));
    if (t->kind == IRT_ARRAY)
        return Z3_mk_const_array(z, idx_sort(e), zero_of(e, t->elem));
    if (t->kind == IRT_STRUCT || t->kind == IRT_LIST || t->kind == IRT_STRING) {
        AggSort *a = agg_of(e, t);
        if (!a)
            return NULL;
        Z3_ast f[32];
        if (t->kind == IRT_STRUCT) {
            IrStruct *st = &e->m->structs[t->struct_index];
            for (int i = 0; i < st->nfields; i++)
                f[i] = zero_of(e, st->fields[i].type);
        } else {
            f[0] = mk_n(e, 0, 256);
            f[1] = Z3_mk_const_array(z, idx_sort(e), t->kind == IRT_STRING ? mk_n(e, 0, 8)
                                                                            : zero_of(e, t->elem));
        }
        return Z3_mk_app(z, a->mk, a->n, f);
    }
    if (t->kind == IRT_BOOL)
        return Z3_mk_false(z);
    return Z3_mk_numeral(z, "0", Z3_mk_bv_sort(z, t->bits));
}

void enc_prestate(Enc *e, bool zeroed, Z3_ast *st) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    for (int v = 0; v < e->nst; v++)
        st[v] = NULL;
    for (int v = 0; v < e->ns; v++) {
        Z3_sort s = enc_sort(e, m->storage[v].type);
        if (!s)
            continue;
        st[v] = zeroed ? zero_of(e, m->storage[v].type) : enc_fresh(e, m->storage[v].name, s);
        if (e->has_sum[v]) {
            Z3_sort ws = Z3_mk_bv_sort(z, VER_WIDE);
            st[ENC_SUM(e, v)] = zeroed ? Z3_mk_numeral(z, "0", ws) : enc_fresh(e, "sum", ws);
        }
    }
    st[ENC_BAL(e)] = enc_fresh(e, "balance", Z3_mk_bv_sort(z, VER_WIDE));
}

static void note_key(Enc *e, int var, Z3_ast key) {
    for (int i = 0; i < e->nskeys; i++)
        if (e->skeys[i].var == var && e->skeys[i].key == key)
            return;
    e->skeys = arena_grow(e->arena, e->skeys, e->nskeys, &e->skcap, sizeof *e->skeys, 16);
    e->skeys[e->nskeys++] = (VKey){var, key};
}

Z3_ast enc_sum_axioms(Enc *e, Z3_ast *pre, int from_key) {
    Z3_context z = e->z;
    Z3_ast all = Z3_mk_true(z);
    for (int v = 0; v < e->ns; v++) {
        if (!e->has_sum[v] || !pre[v] || !pre[ENC_SUM(e, v)])
            continue;
        IrType *vt = e->m->storage[v].type->val;
        Z3_ast s = pre[ENC_SUM(e, v)];
        if (is_signed(vt))
            continue;
        /* a sum of unsigned values is not negative, and below 2^(key bits + value bits):
         * far from the top of the wide domain, so sums and differences never wrap there */
        Z3_sort ws = Z3_mk_bv_sort(z, VER_WIDE);
        unsigned top = e->m->storage[v].type->key->bits + vt->bits;
        if (top > VER_WIDE - 8)
            top = VER_WIDE - 8;
        Z3_ast lim = Z3_simplify(z, Z3_mk_bvshl(z, Z3_mk_int(z, 1, ws), Z3_mk_int(z, (int)top, ws)));
        all = and2(e, all, Z3_mk_bvsge(z, s, Z3_mk_int(z, 0, ws)));
        all = and2(e, all, Z3_mk_bvult(z, s, lim));
        int idx[64], n = 0;
        for (int i = from_key; i < e->nskeys && n < 64; i++)
            if (e->skeys[i].var == v)
                idx[n++] = i;
        for (int i = 0; i < n; i++) {
            Z3_ast ki = e->skeys[idx[i]].key;
            Z3_ast xi = enc_wide(e, Z3_mk_select(z, pre[v], ki), vt);
            all = and2(e, all, Z3_mk_bvule(z, xi, s));
            for (int j = i + 1; j < n && n <= 16; j++) {
                Z3_ast kj = e->skeys[idx[j]].key;
                Z3_ast xj = enc_wide(e, Z3_mk_select(z, pre[v], kj), vt);
                all = and2(e, all, or2(e, Z3_mk_eq(z, ki, kj),
                                      Z3_mk_bvule(z, Z3_mk_bvadd(z, xi, xj), s)));
            }
        }
    }
    return all;
}

Z3_ast enc_spec(Enc *e, IrFunc *sp, Z3_ast *args, Z3_ast *state, Z3_ast *old, Z3_ast result) {
    Z3_ast *st = arena_alloc(e->arena, (e->nst + 1) * sizeof *st);
    memcpy(st, state, e->nst * sizeof *st);
    Z3_ast ok, val = NULL;
    bool was = e->in_spec;
    const char *fail0 = e->fail;
    e->in_spec = true;
    bool good = enc_func(e, sp, args, Z3_mk_true(e->z), st, old, result, &ok, &val, 0);
    e->in_spec = was;
    if (!good || !val) {
        e->fail = fail0;
        return NULL;
    }
    return val;
}

Z3_ast enc_len_bounds(Enc *e, Z3_ast v, IrType *t) {
    Z3_context z = e->z;
    if (!v || !t)
        return Z3_mk_true(z);
    if (t->kind == IRT_REF)
        t = t->elem;
    if (t->kind == IRT_LIST || t->kind == IRT_STRING) {
        Z3_ast len = agg_len(e, v, t);
        return len ? Z3_mk_bvule(z, len, mk_n(e, t->len, 256)) : Z3_mk_true(z);
    }
    if (t->kind == IRT_STRUCT) {
        AggSort *a = agg_of(e, t);
        IrStruct *st = &e->m->structs[t->struct_index];
        Z3_ast all = Z3_mk_true(z);
        for (int i = 0; a && i < st->nfields; i++) {
            IrType *ft = st->fields[i].type;
            if (ft->kind == IRT_LIST || ft->kind == IRT_STRING || ft->kind == IRT_STRUCT)
                all = and2(e, all, enc_len_bounds(e, Z3_mk_app(z, a->proj[i], 1, &v), ft));
        }
        return all;
    }
    return Z3_mk_true(z);
}
