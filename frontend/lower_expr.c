/* lower_expr.c — expressions and places. Checked arithmetic becomes a check instruction
 * then the wrapping op; `&&`/`||` branch (plain and/or in specs, which have no effects);
 * storage and memory places are a root plus a path, evaluated once so that compound
 * assignment reads and writes the same place; implicit widening becomes `cast`, explicit
 * narrowing or sign changes `check.cast` + `cast`. Integer literals take the type their
 * context wants. */
#include <string.h>

#include "lower.h"

static Type ty_u256 = {.kind = TY_INT, .bits = 256};
static Type ty_bool = {.kind = TY_BOOL};

static bool is_local(Sym *s) {
    return s && (s->kind == SYM_LOCAL || s->kind == SYM_PARAM || s->kind == SYM_LOOP_VAR ||
                 s->kind == SYM_FORALL_VAR);
}

static bool int_like(Type *t) {
    return t && (t->kind == TY_INT || t->kind == TY_INTLIT || t->kind == TY_ADDRESS ||
                 t->kind == TY_BYTES || t->kind == TY_IFACE || t->kind == TY_BOOL);
}

Type *lower_common_type(Type *a, Type *b) {
    if (!a || a->kind == TY_INTLIT || a->kind == TY_ERROR)
        return b && b->kind != TY_INTLIT ? b : (a && a->kind != TY_INTLIT ? a : &ty_u256);
    if (!b || b->kind == TY_INTLIT || b->kind == TY_ERROR)
        return a;
    if (a->kind == TY_INT && b->kind == TY_INT) {
        if (a->is_signed != b->is_signed)
            return a->is_signed ? a : b;
        return a->bits >= b->bits ? a : b;
    }
    return a;
}

static IrInstr *emit_place_op(Lower *L, IrOp op, IrType *t, Place *pl, IrInstr *first,
                              Span sp) {
    IrInstr *args[40];
    int n = 0;
    if (first)
        args[n++] = first;
    if (pl->var < 0)
        args[n++] = pl->root;
    for (int k = 0; k < pl->nidx; k++)
        args[n++] = pl->idx[k];
    IrInstr *i = lower_emit(L, op, t, args, n, sp);
    i->var = pl->var;
    if (pl->npath) {
        i->path = ARENA_ARRAY(L->a, IrPathElem, pl->npath);
        memcpy(i->path, pl->path, sizeof(IrPathElem) * (size_t)pl->npath);
    }
    i->npath = pl->npath;
    if (pl->ghost)
        i->flags |= IR_F_GHOST;
    return i;
}

/* ---------------- constants ---------------- */

bool lower_const_eval(Expr *e, U256 *out) {
    U256 a, b;
    bool flag;
    switch (e->kind) {
    case EX_INT:
        *out = expr_ival(e);
        return true;
    case EX_BOOL:
        *out = u256_from_u64(e->bval);
        return true;
    case EX_NAME:
        if (e->sym && e->sym->kind == SYM_CONST && e->sym->decl) {
            *out = e->sym->decl->const_value;
            return true;
        }
        return false;
    case EX_UNARY:
        if (!lower_const_eval(e->lhs, &a))
            return false;
        *out = e->op == UN_NEG ? u256_neg(a) : u256_not(a);
        return e->op != UN_NOT;
    case EX_CAST:
        return lower_const_eval(e->lhs, out);
    case EX_CALL:
        if (e->builtin == BI_CONVERT && e->nargs == 1)
            return lower_const_eval(e->args[0], out);
        return false;
    case EX_BINARY:
        if (!lower_const_eval(e->lhs, &a) || !lower_const_eval(e->rhs, &b))
            return false;
        switch (e->op) {
        case BIN_ADD: case BIN_WADD: *out = u256_add(a, b, &flag); return true;
        case BIN_SUB: case BIN_WSUB: *out = u256_sub(a, b, &flag); return true;
        case BIN_MUL: case BIN_WMUL: *out = u256_mul(a, b, &flag); return true;
        case BIN_DIV:
            if (u256_is_zero(b))
                return false;
            *out = u256_udiv(a, b, NULL);
            return true;
        case BIN_MOD:
            if (u256_is_zero(b))
                return false;
            u256_udiv(a, b, out);
            return true;
        case BIN_SHL: *out = u256_shl(a, (unsigned)u256_low64(b)); return u256_low64(b) < 256;
        case BIN_SHR: *out = u256_lshr(a, (unsigned)u256_low64(b)); return u256_low64(b) < 256;
        case BIN_BAND: *out = u256_and(a, b); return true;
        case BIN_BOR: *out = u256_or(a, b); return true;
        case BIN_BXOR: *out = u256_xor(a, b); return true;
        default: return false;
        }
    default:
        return false;
    }
}

/* An untyped integer expression (literals, constants of literals) folded in type `t`. */
static bool fold_literal(Lower *L, Expr *e, Type *t, IrInstr **out) {
    if (!t || !int_like(t) || t->kind == TY_BOOL || t->kind == TY_INTLIT)
        return false;
    bool untyped = e->type && e->type->kind == TY_INTLIT;
    bool lit = e->kind == EX_INT || (e->kind == EX_UNARY && e->op == UN_NEG &&
                                     e->lhs->kind == EX_INT);
    if (!untyped && !lit)
        return false;
    U256 v;
    if (!lower_const_eval(e, &v))
        return false;
    if (t->kind == TY_INT)
        v = u256_trunc(v, t->bits, t->is_signed);
    *out = lower_const(L, lower_type(L, t), v, e->span);
    return true;
}

IrInstr *lower_coerce(Lower *L, IrInstr *v, Type *from, Type *to, Span sp) {
    if (!from || !to || !v)
        return v;
    /* string<M> and list<T, M> widen implicitly to a larger bound: the same memory */
    if (((from->kind == TY_STRING && to->kind == TY_STRING) ||
         (from->kind == TY_LIST && to->kind == TY_LIST)) &&
        from->len != to->len) {
        IrType *t = lower_vtype(L, to);
        return v->type == t ? v : lower_emit(L, IR_WIDEN, t, &v, 1, sp);
    }
    if ((from->kind == TY_INT || from->kind == TY_INTLIT) && to->kind == TY_INT) {
        IrType *t = lower_type(L, to);
        if (v->type != t)
            return lower_emit(L, IR_CAST, t, &v, 1, sp);
    }
    return v;
}

IrInstr *lower_expr_to(Lower *L, Expr *e, Type *want) {
    IrInstr *v;
    if (fold_literal(L, e, want, &v))
        return v;
    if (e->kind == EX_STRING) {
        uint32_t n = want && want->kind == TY_STRING ? want->len
                     : e->type && e->type->kind == TY_STRING ? e->type->len
                                                            : e->str_len;
        if (n < e->str_len)
            n = e->str_len;
        IrInstr *s = lower_emit(L, IR_STR, ir_type_ref(L->m, ir_type_string(L->m, n)), NULL,
                                0, e->span);
        s->bytes = (const uint8_t *)e->str;
        s->nbytes = e->str_len;
        return s;
    }
    v = lower_expr(L, e);
    return lower_coerce(L, v, e->type, want, e->span);
}

/* A local aggregate named directly is shared memory; values copied out of it (let,
 * assignment, return) get their own copy. */
IrInstr *lower_copy_if_shared(Lower *L, Expr *e, IrInstr *v) {
    if (e->kind == EX_NAME && is_local(e->sym) && lower_is_aggregate(e->type))
        return lower_emit(L, IR_MLOAD, v->type, &v, 1, e->span);
    return v;
}

/* ---------------- places ---------------- */

IrInstr *lower_place_len(Lower *L, Place *pl, Span sp) {
    IrType *u256 = ir_type_int(L->m, 256, false);
    if (pl->type->kind == TY_ARRAY)
        return lower_const_u64(L, u256, pl->type->len, sp);
    if (L->in_old && pl->var >= 0) {
        /* no old.slen in the IR: the length of the pre-state copy */
        IrInstr *copy = emit_place_op(L, IR_OLD_SLOAD, lower_vtype(L, pl->type), pl, NULL, sp);
        return lower_emit(L, IR_MLEN, u256, &copy, 1, sp);
    }
    return emit_place_op(L, pl->var >= 0 ? IR_SLEN : IR_MLEN, u256, pl, NULL, sp);
}

void lower_place_index(Lower *L, Place *pl, IrInstr *idx) {
    if (pl->npath >= 16 || pl->nidx >= 16) {
        diag_error(L->p->diags, idx->span, "storage or memory path too deep (limit is 16)");
        return;
    }
    pl->path[pl->npath++] = (IrPathElem){IR_PATH_INDEX, 0};
    pl->idx[pl->nidx++] = idx;
}

bool lower_place(Lower *L, Expr *e, Place *pl) {
    switch (e->kind) {
    case EX_NAME: {
        Sym *s = e->sym;
        if (s && (s->kind == SYM_STORAGE || s->kind == SYM_GHOST)) {
            memset(pl, 0, sizeof *pl);
            pl->var = lower_storage_index(L, s->decl);
            pl->type = s->decl && s->decl->type ? s->decl->type : e->type;
            pl->ghost = s->kind == SYM_GHOST;
            return pl->var >= 0;
        }
        if (is_local(s) && lower_is_aggregate(e->type)) {
            memset(pl, 0, sizeof *pl);
            pl->var = -1;
            pl->root = lower_expr(L, e);
            pl->type = e->type;
            return true;
        }
        return false;
    }
    case EX_INDEX: {
        Type *bt = e->lhs->type;
        if (!bt || (bt->kind != TY_MAP && bt->kind != TY_ARRAY && bt->kind != TY_LIST))
            return false;
        if (!lower_place(L, e->lhs, pl)) {
            memset(pl, 0, sizeof *pl);
            pl->var = -1;
            pl->root = lower_expr(L, e->lhs);
            pl->type = bt;
        }
        if (bt->kind == TY_MAP) {
            IrInstr *k = lower_expr_to(L, e->rhs, bt->key);
            lower_place_index(L, pl, k);
            pl->type = bt->val;
            return true;
        }
        IrInstr *i = lower_expr_to(L, e->rhs, &ty_u256);
        if (!L->in_spec) {
            IrInstr *ca[2] = {i, lower_place_len(L, pl, e->span)};
            lower_emit(L, IR_CHECK_BOUNDS, NULL, ca, 2, e->span);
        }
        lower_place_index(L, pl, i);
        pl->type = bt->elem;
        return true;
    }
    case EX_FIELD: {
        Type *bt = e->lhs->type;
        if (e->builtin != BI_NONE || !bt || bt->kind != TY_STRUCT)
            return false;
        if (!lower_place(L, e->lhs, pl)) {
            memset(pl, 0, sizeof *pl);
            pl->var = -1;
            pl->root = lower_expr(L, e->lhs);
            pl->type = bt;
        }
        int k = lower_field_index(bt->decl, e->name);
        if (pl->npath < 16)
            pl->path[pl->npath++] = (IrPathElem){IR_PATH_FIELD, (uint32_t)k};
        pl->type = bt->decl->params[k].type;
        return true;
    }
    default:
        return false;
    }
}

IrInstr *lower_place_load(Lower *L, Place *pl, Span sp) {
    IrType *t = lower_vtype(L, pl->type);
    if (pl->var >= 0)
        return emit_place_op(L, L->in_old ? IR_OLD_SLOAD : IR_SLOAD, t, pl, NULL, sp);
    if (pl->npath == 0)
        return pl->root;
    return emit_place_op(L, IR_MLOAD, t, pl, NULL, sp);
}

void lower_place_store(Lower *L, Place *pl, IrInstr *v, Span sp) {
    emit_place_op(L, pl->var >= 0 ? IR_SSTORE : IR_MSTORE, NULL, pl, v, sp);
}

/* ---------------- arithmetic ---------------- */

Span lower_op_span(Lower *L, Span lhs, Span rhs, Span whole) {
    SrcFile *f = lhs.file ? src_get(L->p->srcs, lhs.file) : NULL;
    if (!f || lhs.file != rhs.file || lhs.end >= rhs.start || rhs.start > f->len)
        return whole;
    uint32_t s = lhs.end, e = rhs.start;
    while (s < e && (f->text[s] == ' ' || f->text[s] == '\t' || f->text[s] == '\n' ||
                     f->text[s] == '\r' || f->text[s] == ')'))
        s++;
    while (e > s && (f->text[e - 1] == ' ' || f->text[e - 1] == '\t' ||
                     f->text[e - 1] == '\n' || f->text[e - 1] == '\r' || f->text[e - 1] == '('))
        e--;
    if (s == e || e - s > 4)
        return whole;
    return (Span){lhs.file, s, e};
}

IrInstr *lower_arith(Lower *L, int op, IrInstr *a, IrInstr *b, Span sp, Span opsp) {
    static const IrOp plain[BIN_COUNT] = {
        [BIN_ADD] = IR_ADD, [BIN_SUB] = IR_SUB, [BIN_MUL] = IR_MUL, [BIN_DIV] = IR_DIV,
        [BIN_MOD] = IR_MOD, [BIN_WADD] = IR_ADD, [BIN_WSUB] = IR_SUB, [BIN_WMUL] = IR_MUL,
        [BIN_SHL] = IR_SHL, [BIN_SHR] = IR_SHR, [BIN_BAND] = IR_AND, [BIN_BOR] = IR_OR,
        [BIN_BXOR] = IR_XOR,
    };
    static const IrOp check[BIN_COUNT] = {
        [BIN_ADD] = IR_CHECK_ADD, [BIN_SUB] = IR_CHECK_SUB, [BIN_MUL] = IR_CHECK_MUL,
        [BIN_DIV] = IR_CHECK_DIV, [BIN_MOD] = IR_CHECK_DIV,
    };
    IrInstr *ab[2] = {a, b};
    if (check[op] && !L->in_spec && !L->ghost)
        lower_emit(L, check[op], NULL, ab, 2, opsp);
    return lower_emit(L, plain[op], a->type, ab, 2, sp);
}

static Type *arith_type(Expr *e, Type *want) {
    if (e->type && e->type->kind == TY_INT)
        return e->type;
    if (want && want->kind == TY_INT)
        return want;
    return &ty_u256;
}

/* The count of a shift keeps its own unsigned type; a literal count takes the shifted
 * value's type when it fits. */
static IrInstr *shift_count(Lower *L, Expr *e, Type *t) {
    U256 v;
    if (e->type && e->type->kind == TY_INTLIT && lower_const_eval(e, &v))
        return lower_const(L, lower_type(L, u256_fits(v, t->bits, false) && !t->is_signed
                                                  ? t
                                                  : &ty_u256),
                           v, e->span);
    return lower_expr(L, e);
}

static IrInstr *lower_short_circuit(Lower *L, Expr *e) {
    bool is_and = e->op == BIN_LAND;
    IrInstr *a = lower_expr_to(L, e->lhs, &ty_bool);
    IrInstr *k = lower_const_u64(L, ir_type_bool(L->m), is_and ? 0 : 1, e->span);
    IrBlock *from = L->cur;
    IrBlock *rb = lower_block_new(L);
    IrBlock *join = lower_block_new(L);
    if (is_and)
        lower_br(L, a, rb, join, e->span);
    else
        lower_br(L, a, join, rb, e->span);
    lower_seal(L, rb);
    lower_set_block(L, rb);
    IrInstr *b = lower_expr_to(L, e->rhs, &ty_bool);
    IrBlock *rend = L->cur;
    lower_jmp(L, join, e->span);
    lower_seal(L, join);
    lower_set_block(L, join);
    IrInstr *phi = ir_phi(L->f, join, ir_type_bool(L->m), e->span);
    phi->var = -1;
    ir_phi_add(L->f, phi, k, from);
    ir_phi_add(L->f, phi, b, rend);
    return phi;
}

static IrInstr *lower_binary(Lower *L, Expr *e) {
    static const IrOp cmp[BIN_COUNT] = {
        [BIN_EQ] = IR_EQ, [BIN_NE] = IR_NE, [BIN_LT] = IR_LT,
        [BIN_LE] = IR_LE, [BIN_GT] = IR_GT, [BIN_GE] = IR_GE,
    };
    int op = e->op;
    if (op == BIN_LAND || op == BIN_LOR || op == BIN_IMPLIES) {
        if (!L->in_spec && op != BIN_IMPLIES)
            return lower_short_circuit(L, e);
        IrInstr *a = lower_expr_to(L, e->lhs, &ty_bool);
        if (op == BIN_IMPLIES)
            a = lower_emit(L, IR_NOT, a->type, &a, 1, e->span);
        IrInstr *b = lower_expr_to(L, e->rhs, &ty_bool);
        IrInstr *ab[2] = {a, b};
        return lower_emit(L, op == BIN_LAND ? IR_AND : IR_OR, a->type, ab, 2, e->span);
    }
    if (cmp[op]) {
        Type *t = e->op_type && e->op_type->kind != TY_ERROR
                      ? e->op_type
                      : lower_common_type(e->lhs->type, e->rhs->type);
        IrInstr *ab[2] = {lower_expr_to(L, e->lhs, t), NULL};
        ab[1] = lower_expr_to(L, e->rhs, t);
        return lower_emit(L, cmp[op], ir_type_bool(L->m), ab, 2, e->span);
    }
    Type *t = arith_type(e, NULL);
    if (e->type && e->type->kind != TY_INT && e->type->kind != TY_INTLIT)
        t = e->type; /* bitwise ops on bool / bytesN */
    IrInstr *a = lower_expr_to(L, e->lhs, t);
    IrInstr *b = op == BIN_SHL || op == BIN_SHR ? shift_count(L, e->rhs, t)
                                                : lower_expr_to(L, e->rhs, t);
    return lower_arith(L, op, a, b, e->span, lower_op_span(L, e->lhs->span, e->rhs->span, e->span));
}

static IrInstr *lower_unary(Lower *L, Expr *e) {
    IrInstr *v;
    Type *t = e->type;
    if (e->op == UN_NEG && fold_literal(L, e, arith_type(e, NULL), &v))
        return v;
    v = lower_expr_to(L, e->lhs, t);
    if (e->op == UN_NEG) {
        if (!L->in_spec && !L->ghost)
            lower_emit(L, IR_CHECK_NEG, NULL, &v, 1,
                       (Span){e->span.file, e->span.start, e->span.start + 1});
        return lower_emit(L, IR_NEG, v->type, &v, 1, e->span);
    }
    return lower_emit(L, IR_NOT, v->type, &v, 1, e->span);
}

/* ---------------- conversions ---------------- */

static unsigned value_bits(Type *t) {
    switch (t->kind) {
    case TY_INT: return t->bits;
    case TY_ADDRESS: case TY_IFACE: return 160;
    case TY_BYTES: return t->bits;
    case TY_BOOL: return 1;
    default: return 256;
    }
}

/* Does every value of `from` fit `to`? Only integers and addresses can fail. */
static bool conversion_fits(Type *from, Type *to) {
    if (to->kind == TY_BYTES || from->kind == TY_BYTES || to->kind == TY_BOOL)
        return true;
    bool fs = from->kind == TY_INT && from->is_signed;
    bool ts = to->kind == TY_INT && to->is_signed;
    unsigned fb = value_bits(from), tb = value_bits(to);
    if (fs == ts)
        return tb >= fb;
    if (!fs && ts)
        return tb > fb;
    return false;
}

static IrInstr *lower_convert(Lower *L, Expr *arg, Type *to, Span sp) {
    IrInstr *v;
    if (fold_literal(L, arg, to, &v))
        return v;
    v = lower_expr(L, arg);
    Type *from = arg->type;
    IrType *it = lower_type(L, to);
    if (!from || v->type == it || !int_like(from) || !int_like(to))
        return v;
    if (!conversion_fits(from, to) && !L->in_spec && !L->ghost) {
        IrInstr *c = lower_emit(L, IR_CHECK_CAST, it, &v, 1, sp);
        (void)c;
    }
    return lower_emit(L, IR_CAST, it, &v, 1, sp);
}

/* ---------------- calls and builtins ---------------- */

static IrInstr *lower_env(Lower *L, IrEnv env, Span sp) {
    IrType *t = env == IR_ENV_CALLER || env == IR_ENV_ORIGIN || env == IR_ENV_ADDRESS
                    ? ir_type_address(L->m)
                    : ir_type_int(L->m, 256, false);
    IrInstr *i = lower_emit(L, IR_ENV, t, NULL, 0, sp);
    i->env = env;
    return i;
}

static Expr *receiver(Expr *e) {
    if (e->lhs && e->lhs->kind == EX_FIELD)
        return e->lhs->lhs;
    return e->nargs > 0 ? e->args[0] : NULL;
}

static IrInstr *lower_list_op(Lower *L, Expr *e) {
    Expr *recv = receiver(e);
    Place pl;
    IrType *u256 = ir_type_int(L->m, 256, false);
    bool have_place = lower_place(L, recv, &pl);
    if (!have_place) {
        IrInstr *r = lower_expr(L, recv);
        if (recv->type && recv->type->kind == TY_ARRAY)
            return lower_const_u64(L, u256, recv->type->len, e->span);
        memset(&pl, 0, sizeof pl);
        pl.var = -1;
        pl.root = r;
        pl.type = recv->type;
    }
    if (e->builtin == BI_LEN)
        return lower_place_len(L, &pl, e->span);
    Type *lt = pl.type;
    IrOp setlen = pl.var >= 0 ? IR_SSETLEN : IR_MSETLEN;
    IrInstr *n = lower_place_len(L, &pl, e->span);
    if (e->builtin == BI_PUSH) {
        Expr *arg = e->lhs && e->lhs->kind == EX_FIELD ? e->args[0] : e->args[1];
        IrInstr *v = lower_expr_to(L, arg, lt->elem);
        v = lower_copy_if_shared(L, arg, v);
        IrInstr *cap = lower_const_u64(L, u256, lt->len, e->span);
        IrInstr *ca[2] = {n, cap};
        if (!L->ghost)
            lower_emit(L, IR_CHECK_BOUNDS, NULL, ca, 2, e->span);
        Place at = pl;
        at.type = lt->elem;
        lower_place_index(L, &at, n);
        lower_place_store(L, &at, v, e->span);
        IrInstr *one = lower_const_u64(L, u256, 1, e->span);
        IrInstr *ab[2] = {n, one};
        IrInstr *n1 = lower_emit(L, IR_ADD, u256, ab, 2, e->span);
        emit_place_op(L, setlen, NULL, &pl, n1, e->span);
        return NULL;
    }
    /* pop */
    if (!L->ghost)
        lower_emit(L, IR_CHECK_EMPTY, NULL, &n, 1, e->span);
    IrInstr *one = lower_const_u64(L, u256, 1, e->span);
    IrInstr *ab[2] = {n, one};
    IrInstr *n1 = lower_emit(L, IR_SUB, u256, ab, 2, e->span);
    IrInstr *v = NULL;
    if (e->type && e->type->kind != TY_VOID) {
        Place at = pl;
        at.type = lt->elem;
        lower_place_index(L, &at, n1);
        v = lower_place_load(L, &at, e->span);
    }
    emit_place_op(L, setlen, NULL, &pl, n1, e->span);
    return v;
}

static IrInstr *lower_ext_call(Lower *L, Expr *e) {
    Decl *fd = e->callee_decl;
    Expr *recv = e->lhs && e->lhs->kind == EX_FIELD ? e->lhs->lhs : NULL;
    Decl *ifd = recv && recv->type && recv->type->kind == TY_IFACE ? recv->type->decl
                                                                   : fd->parent;
    int iface = lower_iface_index(L, ifd);
    IrIface *ifc = &L->m->ifaces[iface];
    int xfn = 0;
    for (int k = 0; k < ifc->nfns; k++)
        if (ifc->fns[k]->name == fd->name || strcmp(ifc->fns[k]->name, fd->name) == 0)
            xfn = k;
    IrInstr **args = ARENA_ARRAY(&L->tmp, IrInstr *, e->nargs + 2);
    args[0] = recv ? lower_expr(L, recv) : lower_const_u64(L, ir_type_address(L->m), 0, e->span);
    args[1] = e->call_value ? lower_expr_to(L, e->call_value, &ty_u256)
                            : lower_const_u64(L, ir_type_int(L->m, 256, false), 0, e->span);
    for (int k = 0; k < e->nargs; k++)
        args[k + 2] = lower_expr_to(L, e->args[k], k < fd->nparams ? fd->params[k].type : NULL);
    IrType *rt = lower_returns(fd) ? lower_vtype(L, fd->type) : ir_type_void(L->m);
    IrInstr *x = lower_emit(L, IR_XCALL, rt, args, e->nargs + 2, e->span);
    x->iface = iface;
    x->xfn = xfn;
    return x;
}

static IrInstr *lower_call(Lower *L, Expr *e) {
    IrType *u256 = ir_type_int(L->m, 256, false);
    switch (e->builtin) {
    case BI_OLD: {
        bool saved = L->in_old;
        L->in_old = true;
        IrInstr *v = lower_expr_to(L, e->args[0], e->type);
        L->in_old = saved;
        return v;
    }
    case BI_SUM: {
        Place pl;
        if (!lower_place(L, e->args[0], &pl) || pl.var < 0) {
            diag_error(L->p->diags, e->span, "sum() needs a storage map");
            return lower_const_u64(L, u256, 0, e->span);
        }
        Type *st = e->type && e->type->kind == TY_INT ? e->type : &ty_u256;
        return emit_place_op(L, L->in_old ? IR_OLD_SUM : IR_SUM, lower_vtype(L, st), &pl, NULL,
                             e->span);
    }
    case BI_KECCAK256: {
        IrInstr **args = ARENA_ARRAY(&L->tmp, IrInstr *, e->nargs + 1);
        for (int k = 0; k < e->nargs; k++)
            args[k] = lower_expr(L, e->args[k]);
        return lower_emit(L, IR_KECCAK, ir_type_bytes(L->m, 32), args, e->nargs, e->span);
    }
    case BI_SEND: {
        IrInstr *ab[2] = {lower_expr(L, e->args[0]), NULL};
        ab[1] = lower_expr_to(L, e->args[1], &ty_u256);
        lower_emit(L, IR_SEND, NULL, ab, 2, e->span);
        return NULL;
    }
    case BI_BALANCE: {
        IrInstr *a = lower_expr(L, e->args[0]);
        return lower_emit(L, IR_BALANCE, u256, &a, 1, e->span);
    }
    case BI_LEN:
    case BI_PUSH:
    case BI_POP:
        return lower_list_op(L, e);
    case BI_CONVERT:
        return lower_convert(L, e->args[0], e->type, e->span);
    case BI_IFACE_HANDLE:
        return lower_expr(L, e->args[0]);
    case BI_EXT_CALL:
        return lower_ext_call(L, e);
    case BI_MIN:
    case BI_MAX: {
        Type *t = e->op_type && e->op_type->kind == TY_INT ? e->op_type
                  : e->type && e->type->kind == TY_INT
                      ? e->type
                      : lower_common_type(e->args[0]->type, e->args[1]->type);
        IrInstr *a = lower_expr_to(L, e->args[0], t);
        IrInstr *b = lower_expr_to(L, e->args[1], t);
        IrInstr *ab[2] = {a, b};
        IrInstr *c = lower_emit(L, e->builtin == BI_MIN ? IR_LT : IR_GT, ir_type_bool(L->m),
                                ab, 2, e->span);
        IrInstr *sel[3] = {c, a, b};
        return lower_emit(L, IR_SELECT, a->type, sel, 3, e->span);
    }
    default:
        break;
    }
    Decl *fd = e->callee_decl;
    if (!fd && e->sym && e->sym->kind == SYM_FN)
        fd = e->sym->decl;
    if (!fd || fd->kind != D_FN) {
        diag_error(L->p->diags, e->span, "cannot lower this call");
        return NULL;
    }
    int callee = lower_func_index(L, fd);
    IrInstr **args = ARENA_ARRAY(&L->tmp, IrInstr *, e->nargs + 1);
    for (int k = 0; k < e->nargs; k++)
        args[k] = lower_expr_to(L, e->args[k], k < fd->nparams ? fd->params[k].type : NULL);
    IrType *rt = lower_returns(fd) ? lower_vtype(L, fd->type) : ir_type_void(L->m);
    IrInstr *c = lower_emit(L, IR_CALL, rt, args, e->nargs, e->span);
    c->callee = callee;
    return c;
}

/* ---------------- aggregates ---------------- */

static IrInstr *lower_struct_lit(Lower *L, Expr *e) {
    Type *t = e->type;
    Decl *sd = t->decl;
    IrType *st = lower_type(L, t);
    IrInstr *r = lower_emit(L, IR_ALLOCA, ir_type_ref(L->m, st), NULL, 0, e->span);
    r->alloc_type = st;
    for (int i = 0; i < e->nargs; i++) {
        int k = lower_field_index(sd, e->field_names[i]);
        IrInstr *v = lower_expr_to(L, e->args[i], sd->params[k].type);
        v = lower_copy_if_shared(L, e->args[i], v);
        Place pl = {.var = -1, .root = r, .npath = 1};
        pl.path[0] = (IrPathElem){IR_PATH_FIELD, (uint32_t)k};
        lower_place_store(L, &pl, v, e->args[i]->span);
    }
    return r;
}

static IrInstr *lower_array_lit(Lower *L, Expr *e, Type *t) {
    IrType *u256 = ir_type_int(L->m, 256, false);
    IrType *at = lower_type(L, t);
    IrInstr *r = lower_emit(L, IR_ALLOCA, ir_type_ref(L->m, at), NULL, 0, e->span);
    r->alloc_type = at;
    for (int i = 0; i < e->nargs; i++) {
        IrInstr *v = lower_expr_to(L, e->args[i], t->elem);
        v = lower_copy_if_shared(L, e->args[i], v);
        Place pl = {.var = -1, .root = r, .npath = 1, .nidx = 1};
        pl.path[0] = (IrPathElem){IR_PATH_INDEX, 0};
        pl.idx[0] = lower_const_u64(L, u256, (uint64_t)i, e->args[i]->span);
        lower_place_store(L, &pl, v, e->args[i]->span);
    }
    if (t->kind == TY_LIST) {
        Place pl = {.var = -1, .root = r};
        IrInstr *n = lower_const_u64(L, u256, (uint64_t)e->nargs, e->span);
        emit_place_op(L, IR_MSETLEN, NULL, &pl, n, e->span);
    }
    return r;
}

/* ---------------- expressions ---------------- */

static IrInstr *lower_builtin_value(Lower *L, Expr *e) {
    switch (e->builtin) {
    case BI_MSG_SENDER: return lower_env(L, IR_ENV_CALLER, e->span);
    case BI_MSG_VALUE: return lower_env(L, IR_ENV_CALLVALUE, e->span);
    case BI_BLOCK_NUMBER: return lower_env(L, IR_ENV_NUMBER, e->span);
    case BI_BLOCK_TIMESTAMP: return lower_env(L, IR_ENV_TIMESTAMP, e->span);
    case BI_SELF: return lower_env(L, IR_ENV_ADDRESS, e->span);
    case BI_TX_ORIGIN: return lower_env(L, IR_ENV_ORIGIN, e->span);
    case BI_CHAIN_ID: return lower_env(L, IR_ENV_CHAINID, e->span);
    case BI_RESULT:
        return lower_emit(L, IR_RESULT, L->result_type ? L->result_type : lower_vtype(L, e->type),
                          NULL, 0, e->span);
    default: return NULL;
    }
}

/* A constant expression of literals and `const`s that can be folded exactly: signed
 * division, modulo and right shift are left to the code (lower_const_eval is unsigned). */
static bool foldable(Expr *e) {
    switch (e->kind) {
    case EX_INT:
        return true;
    case EX_NAME:
        return e->sym && e->sym->kind == SYM_CONST && e->sym->decl;
    case EX_UNARY:
        return e->op != UN_NOT && foldable(e->lhs);
    case EX_BINARY:
        if (e->op > BIN_BXOR)
            return false;
        if (e->type && e->type->is_signed &&
            (e->op == BIN_DIV || e->op == BIN_MOD || e->op == BIN_SHR))
            return false;
        return foldable(e->lhs) && foldable(e->rhs);
    default:
        return false;
    }
}

IrInstr *lower_expr(Lower *L, Expr *e) {
    IrInstr *v;
    U256 c;
    if (e->type && e->type->kind == TY_INT && e->kind != EX_INT && foldable(e) &&
        lower_const_eval(e, &c))
        return lower_const(L, lower_type(L, e->type),
                           u256_trunc(c, e->type->bits, e->type->is_signed), e->span);
    if (e->kind != EX_CALL && e->builtin != BI_NONE && (v = lower_builtin_value(L, e)))
        return v;
    if (e->type && e->type->kind == TY_INTLIT && fold_literal(L, e, &ty_u256, &v))
        return v;
    switch (e->kind) {
    case EX_INT: {
        Type *t = e->type && e->type->kind == TY_INT ? e->type : &ty_u256;
        return lower_const(L, lower_type(L, t), u256_trunc(expr_ival(e), t->bits, t->is_signed),
                           e->span);
    }
    case EX_BOOL:
        return lower_const_u64(L, ir_type_bool(L->m), e->bval, e->span);
    case EX_STRING:
        return lower_expr_to(L, e, NULL);
    case EX_NAME: {
        Sym *s = e->sym;
        if (!s)
            break;
        if (s->kind == SYM_BUILTIN) {
            Expr b = {.builtin = s->builtin, .span = e->span, .type = e->type};
            if ((v = lower_builtin_value(L, &b)))
                return v;
        }
        if (is_local(s)) {
            int var = lower_var_of(L, s);
            if (var < 0)
                var = lower_var_new(L, s, lower_vtype(L, s->type ? s->type : e->type));
            return lower_var_read(L, var, L->cur, e->span);
        }
        if (s->kind == SYM_CONST && s->decl) {
            Type *t = s->decl->type && s->decl->type->kind == TY_INT ? s->decl->type : e->type;
            return lower_const(L, lower_type(L, t), s->decl->const_value, e->span);
        }
        Place pl;
        if (lower_place(L, e, &pl))
            return lower_place_load(L, &pl, e->span);
        break;
    }
    case EX_UNARY:
        return lower_unary(L, e);
    case EX_BINARY:
        return lower_binary(L, e);
    case EX_CALL:
        if (e->builtin == BI_RESULT || (e->builtin >= BI_MSG_SENDER && e->builtin <= BI_CHAIN_ID))
            return lower_builtin_value(L, e);
        return lower_call(L, e);
    case EX_INDEX:
    case EX_FIELD: {
        Place pl;
        if (lower_place(L, e, &pl))
            return lower_place_load(L, &pl, e->span);
        break;
    }
    case EX_CAST:
        return lower_convert(L, e->lhs, e->type ? e->type : e->tref->type, e->span);
    case EX_STRUCT_LIT:
        return lower_struct_lit(L, e);
    case EX_ARRAY_LIT:
        return lower_array_lit(L, e, e->type);
    case EX_FORALL:
        return lower_forall(L, e);
    default:
        break;
    }
    diag_error(L->p->diags, e->span, "internal: cannot lower this expression");
    return lower_const_u64(L, lower_vtype(L, e->type), 0, e->span);
}
