/* sema_expr.c — typing of expressions: literals typed from context, implicit conversions
 * (REFERENCE §3), operators, names and environment values, calls (internal, builtins,
 * conversions, interface handles and external calls), indexing, fields, literals of
 * structs and arrays, and the spec-only forms (old, result, sum, forall, ==>). */
#include <string.h>

#include "sema.h"

static Type *set(Expr *e, Type *t) {
    e->type = t;
    return t;
}

static bool is_err(const Type *t) {
    return !t || t->kind == TY_ERROR;
}

static const char *bin_name(int op) {
    static const char *names[BIN_COUNT] = {
        "+", "-", "*", "/", "%", "+%", "-%", "*%", "<<", ">>", "&", "|", "^",
        "==", "!=", "<", "<=", ">", ">=", "&&", "||", "==>",
    };
    return op >= 0 && op < BIN_COUNT ? names[op] : "?";
}

Expr *sema_root(Expr *e) {
    while (e && (e->kind == EX_INDEX || e->kind == EX_FIELD))
        e = e->lhs;
    return e;
}

/* ---------------- literals ---------------- */

/* Gives every still-untyped node of an integer-literal expression the type t. */
static void lit_finalize(Expr *e, Type *t) {
    if (!e || !e->type || e->type->kind != TY_INTLIT)
        return;
    e->type = t;
    if (e->kind == EX_BINARY)
        e->op_type = t;
    if (e->kind == EX_UNARY || e->kind == EX_BINARY)
        lit_finalize(e->lhs, t);
    if (e->kind == EX_BINARY)
        lit_finalize(e->rhs, t);
}

void sema_default_lit(Sema *s, Expr *e) {
    if (e && e->type && e->type->kind == TY_INTLIT) {
        Const c;
        if (sema_const_eval(s, e, &c, false) && !sema_const_fits(c, s->t_u256))
            diag_error(s->d, e->span, "%s %s does not fit in u256",
                       e->kind == EX_INT ? "integer literal" : "constant",
                       sema_const_str(s, c));
        lit_finalize(e, s->t_u256);
    }
}

static bool widens(const Type *from, const Type *to) {
    if (from->kind != TY_INT || to->kind != TY_INT)
        return false;
    if (from->is_signed == to->is_signed)
        return from->bits <= to->bits;
    return !from->is_signed && to->is_signed && from->bits < to->bits;
}

static void mismatch(Sema *s, Expr *e, const Type *to, const char *what) {
    const char *from = sema_type_str(s, e->type);
    const char *tn = sema_type_str(s, to);
    if (what)
        diag_error(s->d, e->span, "%s: expected %s, found %s", what, tn, from);
    else
        diag_error(s->d, e->span, "type mismatch: expected %s, found %s", tn, from);
}

bool sema_coerce(Sema *s, Expr *e, Type *to, const char *what) {
    if (!e || is_err(e->type) || is_err(to))
        return true;
    Type *from = e->type;
    if (from->kind == TY_INTLIT) {
        if (to->kind != TY_INT) {
            mismatch(s, e, to, what);
            return false;
        }
        Const c;
        if (sema_const_eval(s, e, &c, false) && !sema_const_fits(c, to)) {
            diag_error(s->d, e->span, "%s %s does not fit in %s",
                       e->kind == EX_INT || (e->kind == EX_UNARY && e->lhs &&
                                             e->lhs->kind == EX_INT)
                           ? "integer literal"
                           : "constant",
                       sema_const_str(s, c), sema_type_str(s, to));
            lit_finalize(e, to);
            return false;
        }
        lit_finalize(e, to);
        return true;
    }
    if (from == to) {
        if (!sema_has_map(from))
            return true;
        diag_error(s->d, e->span, "a value of type %s cannot be copied: maps live only in storage",
                   sema_type_str(s, from));
        return false;
    }
    if (from->kind == TY_INT && to->kind == TY_INT) {
        if (widens(from, to))
            return true;
        if (from->is_signed != to->is_signed && !(!from->is_signed && to->is_signed))
            diag_error(s->d, e->span, "implicit conversion from %s to %s changes sign; use `as`",
                       sema_type_str(s, from), sema_type_str(s, to));
        else if (from->is_signed != to->is_signed)
            diag_error(s->d, e->span,
                       "implicit conversion from %s to %s may change the value; use `as`",
                       sema_type_str(s, from), sema_type_str(s, to));
        else
            diag_error(s->d, e->span, "implicit conversion from %s to %s may lose data; use `as`",
                       sema_type_str(s, from), sema_type_str(s, to));
        return false;
    }
    if (from->kind == TY_STRING && to->kind == TY_STRING) {
        if (from->len <= to->len)
            return true;
        if (e->kind == EX_STRING)
            diag_error(s->d, e->span, "string literal of %u bytes does not fit in %s",
                       from->len, sema_type_str(s, to));
        else
            diag_error(s->d, e->span, "%s may not fit in %s", sema_type_str(s, from),
                       sema_type_str(s, to));
        return false;
    }
    if (from->kind == TY_LIST && to->kind == TY_LIST && from->elem == to->elem) {
        if (from->len <= to->len)
            return true;
        diag_error(s->d, e->span, "%s may not fit in %s", sema_type_str(s, from),
                   sema_type_str(s, to));
        return false;
    }
    mismatch(s, e, to, what);
    return false;
}

/* Would sema_coerce accept `from` for `to` without a word? (Literals excepted.) */
static bool assignable(const Type *from, const Type *to) {
    if (from == to)
        return !sema_has_map(from);
    if (from->kind == TY_ERROR || to->kind == TY_ERROR)
        return true;
    if (widens(from, to))
        return true;
    if (from->kind == TY_STRING && to->kind == TY_STRING)
        return from->len <= to->len;
    return from->kind == TY_LIST && to->kind == TY_LIST && from->elem == to->elem &&
           from->len <= to->len;
}

Type *sema_rvalue(Sema *s, Expr *e, Type *want) {
    Type *t = sema_expr(s, e, want);
    if (!e)
        return t;
    if (want)
        sema_coerce(s, e, want, NULL);
    else
        sema_default_lit(s, e);
    if (t->kind == TY_VOID)
        diag_error(s->d, e->span, "this expression has no value");
    return e->type;
}

void sema_cond(Sema *s, Expr *e) {
    if (!e)
        return;
    Type *t = sema_expr(s, e, s->t_bool);
    if (!is_err(t) && t->kind != TY_BOOL) {
        sema_default_lit(s, e);
        diag_error(s->d, e->span, "condition must be bool, found %s", sema_type_str(s, e->type));
    }
}

/* The common type of two operands after implicit widening, or NULL after an error. */
static Type *unify(Sema *s, Expr *a, Expr *b, const char *opname) {
    Type *ta = a->type, *tb = b->type;
    if (is_err(ta) || is_err(tb))
        return s->t_error;
    if (ta->kind == TY_INTLIT && tb->kind == TY_INTLIT)
        return s->t_intlit;
    if (ta->kind == TY_INTLIT && tb->kind == TY_INT)
        return sema_coerce(s, a, tb, NULL) ? tb : s->t_error;
    if (tb->kind == TY_INTLIT && ta->kind == TY_INT)
        return sema_coerce(s, b, ta, NULL) ? ta : s->t_error;
    if (ta == tb)
        return ta;
    if (widens(ta, tb))
        return tb;
    if (widens(tb, ta))
        return ta;
    if (ta->kind == TY_INT && tb->kind == TY_INT && ta->is_signed != tb->is_signed)
        diag_error(s->d, b->span,
                   "operands of '%s' differ in sign: %s and %s; convert one with `as`", opname,
                   sema_type_str(s, ta), sema_type_str(s, tb));
    else
        diag_error(s->d, b->span, "operands of '%s' have different types: %s and %s", opname,
                   sema_type_str(s, ta), sema_type_str(s, tb));
    return s->t_error;
}

static Type *want_int(Type *want) {
    return want && want->kind == TY_INT ? want : NULL;
}

/* ---------------- operators ---------------- */

static void spec_only(Sema *s, Span sp, const char *what) {
    if (!s->in_spec)
        diag_error(s->d, sp, "%s is only allowed in specifications", what);
}

static Type *check_unary(Sema *s, Expr *e, Type *want) {
    Type *t;
    switch (e->op) {
    case UN_NOT:
        t = sema_expr(s, e->lhs, s->t_bool);
        if (!is_err(t) && t->kind != TY_BOOL) {
            sema_default_lit(s, e->lhs);
            diag_error(s->d, e->span, "'!' needs a bool, found %s", sema_type_str(s, e->lhs->type));
        }
        return set(e, s->t_bool);
    case UN_NEG:
        t = sema_expr(s, e->lhs, want_int(want));
        if (is_err(t))
            return set(e, s->t_error);
        if (t->kind == TY_INTLIT)
            return set(e, s->t_intlit);
        if (t->kind != TY_INT || !t->is_signed) {
            diag_error(s->d, e->span, "unary '-' needs a signed integer, found %s",
                       sema_type_str(s, t));
            return set(e, s->t_error);
        }
        return set(e, t);
    case UN_BNOT:
        t = sema_expr(s, e->lhs, want_int(want));
        if (is_err(t))
            return set(e, s->t_error);
        if (t->kind == TY_INTLIT) {
            sema_coerce(s, e->lhs, want_int(want) ? want : s->t_u256, NULL);
            t = e->lhs->type;
        }
        if (t->kind != TY_INT && t->kind != TY_BYTES) {
            diag_error(s->d, e->span, "'~' needs an integer or bytesN, found %s",
                       sema_type_str(s, t));
            return set(e, s->t_error);
        }
        return set(e, t);
    default:
        return set(e, s->t_error);
    }
}

static Type *check_binary(Sema *s, Expr *e, Type *want) {
    int op = e->op;
    const char *name = bin_name(op);
    if (!e->lhs || !e->rhs) {
        sema_expr(s, e->lhs, NULL);
        sema_expr(s, e->rhs, NULL);
        return set(e, s->t_error);
    }
    if (op == BIN_LAND || op == BIN_LOR || op == BIN_IMPLIES) {
        if (op == BIN_IMPLIES)
            spec_only(s, e->span, "'==>'");
        sema_cond(s, e->lhs);
        sema_cond(s, e->rhs);
        e->op_type = s->t_bool;
        return set(e, s->t_bool);
    }
    if (op >= BIN_EQ && op <= BIN_GE) {
        sema_expr(s, e->lhs, NULL);
        sema_expr(s, e->rhs, NULL);
        Type *t = unify(s, e->lhs, e->rhs, name);
        if (t->kind == TY_INTLIT) {
            sema_default_lit(s, e->lhs);
            sema_default_lit(s, e->rhs);
            t = s->t_u256;
        }
        e->op_type = t;
        if (is_err(t))
            return set(e, s->t_bool);
        bool ordered = op >= BIN_LT;
        bool ok = ordered ? t->kind == TY_INT
                          : (sema_is_elementary(t) || t->kind == TY_INT);
        if (!ok)
            diag_error(s->d, e->span, "cannot compare %s values with '%s'", sema_type_str(s, t),
                       name);
        return set(e, s->t_bool);
    }
    if (op == BIN_SHL || op == BIN_SHR) {
        Type *lt = sema_expr(s, e->lhs, want_int(want));
        Type *rt = sema_expr(s, e->rhs, NULL);
        if (lt->kind == TY_INTLIT && rt->kind == TY_INTLIT) {
            Const c;
            if (!sema_const_eval(s, e, &c, true))
                return set(e, s->t_error);
            e->op_type = s->t_intlit;
            return set(e, s->t_intlit);
        }
        if (lt->kind == TY_INTLIT) {
            sema_coerce(s, e->lhs, want_int(want) ? want : s->t_u256, NULL);
            lt = e->lhs->type;
        }
        if (rt->kind == TY_INTLIT) {
            sema_coerce(s, e->rhs, s->t_u256, NULL);
            rt = e->rhs->type;
        }
        if (is_err(lt) || is_err(rt))
            return set(e, s->t_error);
        if (lt->kind != TY_INT && lt->kind != TY_BYTES) {
            diag_error(s->d, e->lhs->span, "'%s' needs an integer or bytesN, found %s", name,
                       sema_type_str(s, lt));
            return set(e, s->t_error);
        }
        if (rt->kind != TY_INT || rt->is_signed) {
            diag_error(s->d, e->rhs->span, "shift count must be an unsigned integer, found %s",
                       sema_type_str(s, rt));
            return set(e, s->t_error);
        }
        e->op_type = lt;
        return set(e, lt);
    }
    /* arithmetic and bitwise */
    sema_expr(s, e->lhs, want_int(want));
    sema_expr(s, e->rhs, want_int(want));
    Type *t = unify(s, e->lhs, e->rhs, name);
    e->op_type = t;
    if (is_err(t))
        return set(e, s->t_error);
    if (t->kind == TY_INTLIT) {
        Const c;
        if (!sema_const_eval(s, e, &c, true)) {
            lit_finalize(e->lhs, s->t_u256);
            lit_finalize(e->rhs, s->t_u256);
            e->op_type = s->t_u256;
            return set(e, s->t_error);
        }
        return set(e, s->t_intlit);
    }
    bool bitwise = op == BIN_BAND || op == BIN_BOR || op == BIN_BXOR;
    if (t->kind != TY_INT && !(bitwise && t->kind == TY_BYTES)) {
        diag_error(s->d, e->span, "'%s' needs integer operands, found %s", name,
                   sema_type_str(s, t));
        return set(e, s->t_error);
    }
    return set(e, t);
}

/* ---------------- names and environment ---------------- */

static void note_call(Sema *s, Decl *callee, Span sp) {
    Decl *f = s->fn;
    if (s->in_spec)
        callee->flags |= DF_SPEC_CALLED; /* so its body is kept for every module (driver.c) */
    if (!f || s->in_spec)
        return;
    for (int i = 0; i < f->ncallees; i++)
        if (f->callees[i] == callee)
            return;
    /* grown in scratch while the function is checked; sema_check_fn keeps exact copies */
    int cap = s->callee_cap;
    f->callees = arena_grow(&s->scratch, f->callees, f->ncallees, &cap, sizeof(Decl *), 4);
    f->callee_spans = arena_grow(&s->scratch, f->callee_spans, f->ncallees, &s->callee_cap,
                                 sizeof(Span), 4);
    f->callees[f->ncallees] = callee;
    f->callee_spans[f->ncallees] = sp;
    f->ncallees++;
}

static const char *fn_name(Decl *f) {
    return f->kind == D_INIT ? "init" : f->name ? f->name : "?";
}

static void unknown_name(Sema *s, Expr *e) {
    const char *sug = sema_suggest(s, e->name, false);
    if (sug)
        diag_error(s->d, e->span, "unknown name '%s'; did you mean '%s'?", e->name, sug);
    else
        diag_error(s->d, e->span, "unknown name '%s'", e->name);
}

static Type *check_name(Sema *s, Expr *e) {
    if (!e->name)
        return set(e, s->t_error);
    Sym *sym = sema_lookup(s, e->name);
    if (!sym) {
        if (!strcmp(e->name, "self")) {
            e->builtin = BI_SELF;
            return set(e, s->t_address);
        }
        if (!strcmp(e->name, "result")) {
            if (!s->in_ensures) {
                diag_error(s->d, e->span, "'result' can only be used in `ensures`");
                return set(e, s->t_error);
            }
            e->builtin = BI_RESULT;
            if (!s->fn || !s->fn->type || s->fn->type->kind == TY_VOID) {
                diag_error(s->d, e->span, "'result': function '%s' returns no value",
                           s->fn ? fn_name(s->fn) : "?");
                return set(e, s->t_error);
            }
            return set(e, s->fn->type);
        }
        if (!strcmp(e->name, "msg") || !strcmp(e->name, "block") || !strcmp(e->name, "tx")) {
            diag_error(s->d, e->span, "'%s' is not a value; use one of its fields", e->name);
            return set(e, s->t_error);
        }
        if (sema_elementary_by_name(s, e->name)) {
            diag_error(s->d, e->span, "type '%s' is not a value", e->name);
            return set(e, s->t_error);
        }
        unknown_name(s, e);
        return set(e, s->t_error);
    }
    e->sym = sym;
    switch (sym->kind) {
    case SYM_LOCAL: case SYM_PARAM: case SYM_LOOP_VAR: case SYM_FORALL_VAR:
        sym->uses++;
        return set(e, sym->type ? sym->type : s->t_error);
    case SYM_STORAGE:
        if (!s->contract && !s->in_const) {
            diag_error(s->d, e->span, "storage variable '%s' is not visible here", e->name);
            return set(e, s->t_error);
        }
        sym->uses++;
        e->is_lvalue_storage = true;
        return set(e, sym->decl && sym->decl->type ? sym->decl->type : s->t_error);
    case SYM_GHOST:
        if (!s->in_spec && !s->in_ghost && !s->in_target)
            diag_error(s->d, e->span,
                       "ghost variable '%s' can only be read in specifications and `ghost` "
                       "statements", e->name);
        sym->uses++;
        e->is_lvalue_storage = true;
        return set(e, sym->decl && sym->decl->type ? sym->decl->type : s->t_error);
    case SYM_CONST:
        sym->uses++;
        if (sym->decl && !sym->decl->type)
            sema_check_const_decl(s, sym->decl);
        return set(e, sym->decl && sym->decl->type ? sym->decl->type : s->t_error);
    case SYM_FN:
        diag_error(s->d, e->span, "function '%s' is not a value; call it", e->name);
        return set(e, s->t_error);
    case SYM_EVENT:
        diag_error(s->d, e->span, "event '%s' is not a value; use `emit`", e->name);
        return set(e, s->t_error);
    case SYM_ERROR:
        diag_error(s->d, e->span, "error '%s' is not a value; use `revert`", e->name);
        return set(e, s->t_error);
    default:
        diag_error(s->d, e->span, "%s '%s' is not a value",
                   sym->kind == SYM_STRUCT ? "struct" : "type", e->name);
        return set(e, s->t_error);
    }
}

static Type *check_env(Sema *s, Expr *e, const char *base) {
    static const struct {
        const char *base, *field;
        Builtin bi;
        int addr;
    } env[] = {
        {"msg", "sender", BI_MSG_SENDER, 1},       {"msg", "value", BI_MSG_VALUE, 0},
        {"block", "number", BI_BLOCK_NUMBER, 0},   {"block", "timestamp", BI_BLOCK_TIMESTAMP, 0},
        {"block", "chainid", BI_CHAIN_ID, 0},      {"tx", "origin", BI_TX_ORIGIN, 1},
    };
    e->lhs->type = s->t_void;
    for (size_t i = 0; i < sizeof env / sizeof env[0]; i++)
        if (!strcmp(env[i].base, base) && e->name && !strcmp(env[i].field, e->name)) {
            e->builtin = env[i].bi;
            if (s->fn && s->fn->is_free && !s->in_spec)
                diag_error(s->d, e->span, "free function '%s' cannot read '%s.%s'",
                           s->fn->name, base, e->name);
            return set(e, env[i].addr ? s->t_address : s->t_u256);
        }
    diag_error(s->d, e->span, "'%s' has no field '%s'", base, e->name ? e->name : "?");
    return set(e, s->t_error);
}

static Type *check_field(Sema *s, Expr *e) {
    Expr *l = e->lhs;
    if (!l)
        return set(e, s->t_error);
    if (l->kind == EX_NAME && l->name &&
        (!strcmp(l->name, "msg") || !strcmp(l->name, "block") || !strcmp(l->name, "tx")) &&
        !sema_lookup(s, l->name))
        return check_env(s, e, l->name);
    Type *t = sema_expr(s, l, NULL);
    if (is_err(t))
        return set(e, s->t_error);
    if (t->kind == TY_STRUCT && t->decl) {
        for (int i = 0; i < t->decl->nparams; i++)
            if (t->decl->params[i].name == e->name) {
                e->is_lvalue_storage = l->is_lvalue_storage;
                return set(e, t->decl->params[i].type ? t->decl->params[i].type : s->t_error);
            }
        const char **names = ARENA_ARRAY(s->a, const char *, t->decl->nparams + 1);
        for (int i = 0; i < t->decl->nparams; i++)
            names[i] = t->decl->params[i].name;
        const char *sug = sema_closest(e->name, names, t->decl->nparams);
        if (sug)
            diag_error(s->d, e->span, "struct '%s' has no field '%s'; did you mean '%s'?",
                       t->decl->name, e->name, sug);
        else
            diag_error(s->d, e->span, "struct '%s' has no field '%s'", t->decl->name,
                       e->name ? e->name : "?");
        return set(e, s->t_error);
    }
    if ((t->kind == TY_LIST || t->kind == TY_ARRAY || t->kind == TY_STRING) && e->name &&
        (!strcmp(e->name, "len") || !strcmp(e->name, "push") || !strcmp(e->name, "pop"))) {
        diag_error(s->d, e->span, "'%s' is a method; call it: %s()", e->name, e->name);
        return set(e, s->t_error);
    }
    if (t->kind == TY_IFACE && t->decl && sema_member(t->decl, e->name)) {
        diag_error(s->d, e->span, "'%s' is a function of '%s'; call it", e->name, t->decl->name);
        return set(e, s->t_error);
    }
    diag_error(s->d, e->span, "type %s has no field '%s'", sema_type_str(s, t),
               e->name ? e->name : "?");
    return set(e, s->t_error);
}

static Type *check_index_inner(Sema *s, Expr *e);

/* The index of a written place is read: `m[g] = 1` reads g. */
static Type *check_index(Sema *s, Expr *e) {
    bool target = s->in_target;
    Type *t = sema_expr(s, e->lhs, NULL);
    s->in_target = false;
    t = check_index_inner(s, e);
    s->in_target = target;
    return t;
}

static Type *check_index_inner(Sema *s, Expr *e) {
    Type *t = e->lhs ? e->lhs->type : s->t_error;
    if (!e->lhs)
        return set(e, s->t_error);
    if (is_err(t)) {
        sema_rvalue(s, e->rhs, NULL);
        return set(e, s->t_error);
    }
    e->is_lvalue_storage = e->lhs->is_lvalue_storage;
    if (t->kind == TY_MAP) {
        sema_expr(s, e->rhs, t->key);
        if (e->rhs)
            sema_coerce(s, e->rhs, t->key, "map key");
        return set(e, t->val);
    }
    if (t->kind == TY_ARRAY || t->kind == TY_LIST) {
        Type *it = sema_expr(s, e->rhs, s->t_u256);
        if (e->rhs && it->kind == TY_INTLIT) {
            sema_coerce(s, e->rhs, s->t_u256, "index");
            Const c;
            if (t->kind == TY_ARRAY && sema_const_eval(s, e->rhs, &c, false) &&
                (u256_bit_length(c.mag) > 32 || u256_low64(c.mag) >= t->len))
                diag_error(s->d, e->rhs->span, "index %s is out of bounds for %s",
                           sema_const_str(s, c), sema_type_str(s, t));
        } else if (e->rhs && !is_err(it) && (it->kind != TY_INT || it->is_signed)) {
            diag_error(s->d, e->rhs->span, "index must be an unsigned integer, found %s",
                       sema_type_str(s, it));
        }
        return set(e, t->elem);
    }
    sema_rvalue(s, e->rhs, NULL);
    diag_error(s->d, e->span, "cannot index a value of type %s", sema_type_str(s, t));
    return set(e, s->t_error);
}

/* ---------------- calls ---------------- */

void sema_check_args(Sema *s, Expr *call, Param *params, int nparams, const char *kind,
                     const char *name) {
    if (call->nargs != nparams) {
        diag_error(s->d, call->span, "%s '%s' takes %d argument%s, but %d %s given", kind, name,
                   nparams, nparams == 1 ? "" : "s", call->nargs,
                   call->nargs == 1 ? "was" : "were");
        for (int i = 0; i < call->nargs; i++)
            sema_rvalue(s, call->args[i], i < nparams ? params[i].type : NULL);
        return;
    }
    for (int i = 0; i < nparams; i++) {
        Expr *a = call->args[i];
        if (!a)
            continue;
        Type *pt = params[i].type ? params[i].type : s->t_error;
        Type *t = sema_expr(s, a, pt);
        if (is_err(t))
            continue;
        if (t->kind == TY_INTLIT || assignable(t, pt))
            sema_coerce(s, a, pt, NULL);
        else
            sema_coerce(s, a, pt, sema_fmt(s, "argument %d of %s '%s'", i + 1, kind, name));
    }
}

/* Is the conversion `from as to` (or to(from)) allowed? */
static bool convertible(const Type *from, const Type *to) {
    if (from == to)
        return true;
    switch (to->kind) {
    case TY_INT:
        return from->kind == TY_INT || from->kind == TY_INTLIT ||
               (from->kind == TY_ADDRESS && !to->is_signed && to->bits == 160) ||
               (from->kind == TY_BYTES && !to->is_signed && to->bits == from->bits);
    case TY_ADDRESS:
        return (from->kind == TY_INT && !from->is_signed && from->bits == 160) ||
               from->kind == TY_INTLIT || from->kind == TY_IFACE;
    case TY_BYTES:
        return (from->kind == TY_INT && !from->is_signed && from->bits == to->bits) ||
               from->kind == TY_INTLIT;
    default:
        return false;
    }
}

static Type *check_conversion(Sema *s, Expr *e, Expr *arg, Type *to) {
    Type *t = sema_expr(s, arg, to->kind == TY_INT ? to : NULL);
    if (!arg || is_err(t))
        return set(e, to);
    if (!convertible(t, to)) {
        if (to->kind == TY_ADDRESS && t->kind == TY_INT)
            diag_error(s->d, e->span, "cannot convert %s to address; convert to u160 first",
                       sema_type_str(s, t));
        else
            diag_error(s->d, e->span, "cannot convert %s to %s", sema_type_str(s, t),
                       sema_type_str(s, to));
        return set(e, to);
    }
    if (t->kind == TY_INTLIT) {
        Const c;
        Type *target = to->kind == TY_INT ? to
                       : to->kind == TY_ADDRESS ? sema_type_int(s, 160, false)
                                                : sema_type_int(s, to->bits, false);
        if (sema_const_eval(s, arg, &c, false) && !sema_const_fits(c, target))
            diag_error(s->d, arg->span, "integer literal %s does not fit in %s",
                       sema_const_str(s, c), sema_type_str(s, to));
        lit_finalize(arg, target);
    }
    return set(e, to);
}

static const char *builtin_names[] = {"keccak256", "send", "balance", "min", "max", "old", "sum"};

static bool is_builtin_fn(const char *n) {
    for (size_t i = 0; i < sizeof builtin_names / sizeof builtin_names[0]; i++)
        if (!strcmp(n, builtin_names[i]))
            return true;
    return false;
}

static bool want_nargs(Sema *s, Expr *e, const char *name, int n) {
    if (e->nargs == n)
        return true;
    diag_error(s->d, e->span, "'%s' takes %d argument%s, but %d %s given", name, n,
               n == 1 ? "" : "s", e->nargs, e->nargs == 1 ? "was" : "were");
    for (int i = 0; i < e->nargs; i++)
        sema_rvalue(s, e->args[i], NULL);
    return false;
}

static void effect_external(Sema *s, Expr *e, const char *what) {
    if (s->in_spec) {
        diag_error(s->d, e->span, "%s is not allowed in a specification", what);
        return;
    }
    if (s->in_const || !s->fn)
        return;
    if (s->fn->is_free)
        diag_error(s->d, e->span, "free function '%s' cannot make external calls",
                   fn_name(s->fn));
    s->fn->calls_external = true;
}

static Type *check_builtin_call(Sema *s, Expr *e, const char *n) {
    if (!strcmp(n, "keccak256")) {
        e->builtin = BI_KECCAK256;
        for (int i = 0; i < e->nargs; i++) {
            Type *t = sema_rvalue(s, e->args[i], NULL);
            if (e->args[i] && !is_err(t) && !sema_is_elementary(t) && t->kind != TY_STRING)
                diag_error(s->d, e->args[i]->span,
                           "keccak256 hashes integers, bool, address, bytesN and strings, "
                           "not %s", sema_type_str(s, t));
        }
        return set(e, s->t_bytes[32]);
    }
    if (!strcmp(n, "send")) {
        e->builtin = BI_SEND;
        if (want_nargs(s, e, n, 2)) {
            sema_rvalue(s, e->args[0], s->t_address);
            sema_rvalue(s, e->args[1], s->t_u256);
        }
        effect_external(s, e, "send");
        if (s->fn && !s->in_spec)
            s->fn->may_reenter = true;
        if (s->fn && (s->fn->flags & DF_VIEW) && !s->in_spec)
            diag_error(s->d, e->span, "view function '%s' cannot send value", fn_name(s->fn));
        return set(e, s->t_void);
    }
    if (!strcmp(n, "balance")) {
        e->builtin = BI_BALANCE;
        if (want_nargs(s, e, n, 1))
            sema_rvalue(s, e->args[0], s->t_address);
        return set(e, s->t_u256);
    }
    if (!strcmp(n, "min") || !strcmp(n, "max")) {
        e->builtin = n[1] == 'i' ? BI_MIN : BI_MAX;
        if (!want_nargs(s, e, n, 2))
            return set(e, s->t_error);
        sema_expr(s, e->args[0], NULL);
        sema_expr(s, e->args[1], NULL);
        if (!e->args[0] || !e->args[1])
            return set(e, s->t_error);
        Type *t = unify(s, e->args[0], e->args[1], n);
        if (t->kind == TY_INTLIT) {
            sema_default_lit(s, e->args[0]);
            sema_default_lit(s, e->args[1]);
            t = s->t_u256;
        }
        e->op_type = t;
        if (!is_err(t) && t->kind != TY_INT) {
            diag_error(s->d, e->span, "'%s' needs integer arguments, found %s", n,
                       sema_type_str(s, t));
            return set(e, s->t_error);
        }
        return set(e, t);
    }
    if (!strcmp(n, "old")) {
        e->builtin = BI_OLD;
        if (!s->in_ensures) {
            diag_error(s->d, e->span, "'old' can only be used in `ensures`");
            for (int i = 0; i < e->nargs; i++)
                sema_rvalue(s, e->args[i], NULL);
            return set(e, s->t_error);
        }
        if (!want_nargs(s, e, n, 1))
            return set(e, s->t_error);
        Type *t = sema_expr(s, e->args[0], NULL);
        if (t->kind == TY_INTLIT)
            sema_default_lit(s, e->args[0]);
        return set(e, e->args[0] ? e->args[0]->type : s->t_error);
    }
    /* sum */
    e->builtin = BI_SUM;
    spec_only(s, e->span, "'sum'");
    if (!want_nargs(s, e, n, 1))
        return set(e, s->t_error);
    Type *t = sema_expr(s, e->args[0], NULL);
    if (!e->args[0] || is_err(t))
        return set(e, s->t_u256);
    if (t->kind != TY_MAP || t->val->kind != TY_INT)
        diag_error(s->d, e->args[0]->span, "'sum' needs a map with integer values, found %s",
                   sema_type_str(s, t));
    return set(e, s->t_u256);
}

static void view_call_check(Sema *s, Expr *e, Decl *callee, const char *where) {
    if (!s->fn || s->in_spec || !(s->fn->flags & DF_VIEW))
        return;
    if (callee->flags & DF_VIEW || callee->is_free)
        return;
    diag_error(s->d, e->span, "view function '%s' cannot call non-view function '%s'%s",
               fn_name(s->fn), fn_name(callee), where);
}

static Type *check_internal_call(Sema *s, Expr *e, Sym *sym) {
    Decl *f = sym->decl;
    e->callee_decl = f;
    e->sym = sym;
    e->lhs->sym = sym;
    e->lhs->type = s->t_void;
    sema_check_args(s, e, f->params, f->nparams, "function", f->name);
    if (s->in_const) {
        diag_error(s->d, e->span, "expression is not a compile-time constant");
        return set(e, f->type ? f->type : s->t_error);
    }
    if (s->in_spec) {
        if (!(f->flags & DF_VIEW) && !f->is_free)
            diag_error(s->d, e->span, "a specification can only call view functions; '%s' is not "
                       "view", f->name);
    } else if (s->fn) {
        if (s->fn->is_free && !f->is_free)
            diag_error(s->d, e->span, "free function '%s' cannot call contract function '%s'",
                       fn_name(s->fn), f->name);
        view_call_check(s, e, f, "");
        note_call(s, f, e->span);
    }
    return set(e, f->type ? f->type : s->t_error);
}

static Type *check_method(Sema *s, Expr *e) {
    Expr *f = e->lhs;
    Type *bt = sema_expr(s, f->lhs, NULL);
    f->type = s->t_void;
    if (!f->lhs || is_err(bt)) {
        for (int i = 0; i < e->nargs; i++)
            sema_rvalue(s, e->args[i], NULL);
        return set(e, s->t_error);
    }
    const char *m = f->name ? f->name : "?";
    if (bt->kind == TY_IFACE && bt->decl) {
        Decl *fn = sema_member(bt->decl, f->name);
        if (!fn) {
            Decl *d = bt->decl;
            Decl **mem = d->kind == D_CONTRACT ? d->all_members : d->members;
            int nmem = d->kind == D_CONTRACT ? d->nall_members : d->nmembers;
            const char **names = ARENA_ARRAY(s->a, const char *, nmem + 1);
            int n = 0;
            for (int i = 0; i < nmem; i++)
                if (mem[i] && mem[i]->kind == D_FN &&
                    (d->kind == D_INTERFACE || (mem[i]->flags & DF_PUB)))
                    names[n++] = mem[i]->name;
            const char *sug = sema_closest(f->name, names, n);
            if (sug)
                diag_error(s->d, f->span, "'%s' has no function '%s'; did you mean '%s'?",
                           d->name, m, sug);
            else
                diag_error(s->d, f->span, "'%s' has no function '%s'%s", d->name, m,
                           d->kind == D_CONTRACT ? " (only `pub` functions can be called)"
                                                 : "");
            for (int i = 0; i < e->nargs; i++)
                sema_rvalue(s, e->args[i], NULL);
            return set(e, s->t_error);
        }
        e->builtin = BI_EXT_CALL;
        e->callee_decl = fn;
        e->sym = fn->sym;
        sema_check_args(s, e, fn->params, fn->nparams, "function", m);
        if (e->call_value) {
            sema_rvalue(s, e->call_value, s->t_u256);
            if (!(fn->flags & DF_PAYABLE))
                diag_error(s->d, e->call_value->span,
                           "'%s.%s' is not payable; it cannot receive `value`", bt->decl->name, m);
        }
        effect_external(s, e, "an external call");
        if (s->fn && !s->in_spec && !(fn->flags & DF_VIEW))
            s->fn->may_reenter = true;
        if (s->fn && !s->in_spec && (s->fn->flags & DF_VIEW)) {
            if (!(fn->flags & DF_VIEW))
                diag_error(s->d, e->span,
                           "view function '%s' cannot call non-view function '%s' of '%s'",
                           fn_name(s->fn), m, bt->decl->name);
            else if (e->call_value)
                diag_error(s->d, e->span, "view function '%s' cannot send value",
                           fn_name(s->fn));
        }
        return set(e, fn->type ? fn->type : s->t_void);
    }
    bool listy = bt->kind == TY_LIST || bt->kind == TY_ARRAY || bt->kind == TY_STRING;
    if (listy && !strcmp(m, "len")) {
        e->builtin = BI_LEN;
        want_nargs(s, e, m, 0);
        return set(e, s->t_u256);
    }
    if (bt->kind == TY_LIST && (!strcmp(m, "push") || !strcmp(m, "pop"))) {
        bool push = m[1] == 'u';
        e->builtin = push ? BI_PUSH : BI_POP;
        if (want_nargs(s, e, m, push ? 1 : 0) && push)
            sema_rvalue(s, e->args[0], bt->elem);
        Expr *root = sema_root(f->lhs);
        if (root && root->kind != EX_NAME)
            root = NULL;
        if (s->in_spec)
            diag_error(s->d, e->span, "'%s' is not allowed in a specification", m);
        else if (root && root->sym && root->sym->kind == SYM_GHOST && !s->in_ghost)
            diag_error(s->d, e->span,
                       "ghost variable '%s' can only be written by a `ghost` statement",
                       root->sym->name);
        else if (root && root->sym && root->sym->kind == SYM_CONST)
            diag_error(s->d, e->span, "cannot modify constant '%s'", root->sym->name);
        else if (f->lhs->is_lvalue_storage && s->fn && !s->in_ghost) {
            if (s->fn->flags & DF_VIEW)
                diag_error(s->d, e->span, "view function '%s' cannot write storage",
                           fn_name(s->fn));
            s->fn->writes_storage = true;
        }
        return set(e, push ? s->t_void : bt->elem);
    }
    for (int i = 0; i < e->nargs; i++)
        sema_rvalue(s, e->args[i], NULL);
    diag_error(s->d, f->span, "type %s has no method '%s'", sema_type_str(s, bt), m);
    return set(e, s->t_error);
}

static Type *check_call_inner(Sema *s, Expr *e);

static Type *check_call(Sema *s, Expr *e) {
    Type *t = check_call_inner(s, e);
    if (e->call_value && e->builtin != BI_EXT_CALL) {
        if (!e->call_value->type)
            sema_rvalue(s, e->call_value, s->t_u256);
        if (!is_err(t))
            diag_error(s->d, e->call_value->span,
                       "`{value: ...}` is only for calls of payable interface functions");
    }
    return t;
}

static Type *check_call_inner(Sema *s, Expr *e) {
    Expr *l = e->lhs;
    if (!l) {
        for (int i = 0; i < e->nargs; i++)
            sema_rvalue(s, e->args[i], NULL);
        return set(e, s->t_error);
    }
    if (l->kind == EX_FIELD)
        return check_method(s, e);
    if (l->kind != EX_NAME || !l->name) {
        sema_expr(s, l, NULL);
        for (int i = 0; i < e->nargs; i++)
            sema_rvalue(s, e->args[i], NULL);
        if (!is_err(l->type))
            diag_error(s->d, l->span, "this expression cannot be called");
        return set(e, s->t_error);
    }
    const char *n = l->name;
    Sym *sym = sema_lookup(s, n);
    if (!sym) {
        Type *conv = sema_elementary_by_name(s, n);
        l->type = s->t_void;
        if (conv) {
            e->builtin = BI_CONVERT;
            if (!want_nargs(s, e, n, 1))
                return set(e, conv);
            return check_conversion(s, e, e->args[0], conv);
        }
        if (is_builtin_fn(n))
            return check_builtin_call(s, e, n);
        const char *sug = sema_suggest(s, n, false);
        if (sug)
            diag_error(s->d, l->span, "unknown function '%s'; did you mean '%s'?", n, sug);
        else
            diag_error(s->d, l->span, "unknown function '%s'", n);
        for (int i = 0; i < e->nargs; i++)
            sema_rvalue(s, e->args[i], NULL);
        return set(e, s->t_error);
    }
    l->sym = sym;
    l->type = s->t_void;
    switch (sym->kind) {
    case SYM_FN:
        return check_internal_call(s, e, sym);
    case SYM_INTERFACE: case SYM_CONTRACT:
        e->builtin = BI_IFACE_HANDLE;
        e->sym = sym;
        sym->uses++;
        if (want_nargs(s, e, n, 1))
            sema_rvalue(s, e->args[0], s->t_address);
        return set(e, sym->type ? sym->type : s->t_error);
    case SYM_EVENT:
        diag_error(s->d, e->span, "event '%s' can only be used with `emit`", n);
        break;
    case SYM_ERROR:
        diag_error(s->d, e->span, "error '%s' can only be used with `revert` or `require`", n);
        break;
    case SYM_STRUCT:
        diag_error(s->d, e->span, "struct '%s' is built with a literal: %s { field: value, ... }",
                   n, n);
        break;
    default:
        diag_error(s->d, l->span, "%s '%s' is not a function",
                   sym->kind == SYM_STORAGE ? "storage variable"
                   : sym->kind == SYM_GHOST ? "ghost variable"
                   : sym->kind == SYM_CONST ? "constant" : "variable", n);
        break;
    }
    for (int i = 0; i < e->nargs; i++)
        sema_rvalue(s, e->args[i], NULL);
    return set(e, s->t_error);
}

/* ---------------- literals of aggregates ---------------- */

static Type *check_cast(Sema *s, Expr *e) {
    Type *to = sema_resolve_tref(s, e->tref);
    if (is_err(to)) {
        sema_rvalue(s, e->lhs, NULL);
        return set(e, s->t_error);
    }
    if (!sema_is_elementary(to) || to->kind == TY_IFACE || to->kind == TY_BOOL) {
        sema_rvalue(s, e->lhs, NULL);
        diag_error(s->d, e->span, "cannot convert to %s with `as`", sema_type_str(s, to));
        return set(e, s->t_error);
    }
    return check_conversion(s, e, e->lhs, to);
}

static Type *check_struct_lit(Sema *s, Expr *e) {
    Type *t = sema_resolve_tref(s, e->tref);
    if (is_err(t) || t->kind != TY_STRUCT) {
        if (!is_err(t))
            diag_error(s->d, e->span, "%s is not a struct", sema_type_str(s, t));
        for (int i = 0; i < e->nargs; i++)
            sema_rvalue(s, e->args[i], NULL);
        return set(e, s->t_error);
    }
    Decl *sd = t->decl;
    for (int i = 0; i < e->nargs; i++) {
        const char *fname = e->field_names ? e->field_names[i] : NULL;
        int k = -1;
        for (int j = 0; j < sd->nparams; j++)
            if (sd->params[j].name == fname)
                k = j;
        if (k < 0) {
            diag_error(s->d, e->args[i] ? e->args[i]->span : e->span,
                       "struct '%s' has no field '%s'", sd->name, fname ? fname : "?");
            sema_rvalue(s, e->args[i], NULL);
            continue;
        }
        for (int j = 0; j < i && fname; j++)
            if (e->field_names[j] == fname) {
                diag_error(s->d, e->args[i] ? e->args[i]->span : e->span,
                           "field '%s' is given twice", fname);
                break;
            }
        Type *ft = sd->params[k].type ? sd->params[k].type : s->t_error;
        if (sema_has_map(ft))
            diag_error(s->d, e->span, "struct '%s' holds a map; it can only live in storage",
                       sd->name);
        Type *at = sema_expr(s, e->args[i], ft);
        if (e->args[i] && !is_err(at))
            sema_coerce(s, e->args[i], ft,
                        at->kind == TY_INTLIT || assignable(at, ft)
                            ? NULL
                            : sema_fmt(s, "field '%s'", fname));
    }
    for (int j = 0; j < sd->nparams; j++) {
        bool given = false;
        for (int i = 0; i < e->nargs && !given; i++)
            given = e->field_names && e->field_names[i] == sd->params[j].name;
        if (!given)
            diag_error(s->d, e->span, "missing field '%s' in literal of struct '%s'",
                       sd->params[j].name, sd->name);
    }
    return set(e, t);
}

static Type *check_array_lit(Sema *s, Expr *e, Type *want) {
    if (want && (want->kind == TY_ARRAY || want->kind == TY_LIST)) {
        for (int i = 0; i < e->nargs; i++) {
            Type *t = sema_expr(s, e->args[i], want->elem);
            if (e->args[i] && !is_err(t))
                sema_coerce(s, e->args[i], want->elem, NULL);
        }
        if (want->kind == TY_ARRAY && (uint32_t)e->nargs != want->len) {
            diag_error(s->d, e->span, "expected %u elements for %s, found %d", want->len,
                       sema_type_str(s, want), e->nargs);
            return set(e, s->t_error);
        }
        if (want->kind == TY_LIST && (uint32_t)e->nargs > want->len) {
            diag_error(s->d, e->span, "%d elements do not fit in %s", e->nargs,
                       sema_type_str(s, want));
            return set(e, s->t_error);
        }
        return set(e, want);
    }
    if (e->nargs == 0) {
        diag_error(s->d, e->span, "cannot infer the type of an empty array literal");
        return set(e, s->t_error);
    }
    Type *elem = NULL;
    for (int i = 0; i < e->nargs; i++) {
        Type *t = sema_expr(s, e->args[i], NULL);
        if (!elem && t && t->kind != TY_INTLIT && !is_err(t))
            elem = t;
    }
    if (!elem)
        elem = s->t_u256;
    bool ok = true;
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i] && !is_err(e->args[i]->type))
            ok &= sema_coerce(s, e->args[i], elem, NULL);
    if (!ok)
        return set(e, s->t_error);
    Type a = {0};
    a.kind = TY_ARRAY;
    a.elem = elem;
    a.len = (uint32_t)e->nargs;
    return set(e, sema_type_intern(s, a));
}

static Type *check_forall(Sema *s, Expr *e) {
    spec_only(s, e->span, "'forall'");
    Type *t = NULL;
    sema_expr(s, e->lhs, NULL);
    sema_expr(s, e->rhs, NULL);
    if (e->lhs && e->rhs) {
        t = unify(s, e->lhs, e->rhs, "..");
        if (t->kind == TY_INTLIT) {
            sema_default_lit(s, e->lhs);
            sema_default_lit(s, e->rhs);
            t = s->t_u256;
        }
        if (!is_err(t) && t->kind != TY_INT) {
            diag_error(s->d, e->span, "'forall' bounds must be integers, found %s",
                       sema_type_str(s, t));
            t = s->t_error;
        }
        Const c;
        if (!is_err(t) && (!sema_const_eval(s, e->lhs, &c, false) ||
                           !sema_const_eval(s, e->rhs, &c, false)))
            diag_error(s->d, e->span, "'forall' bounds must be known at compile time");
    }
    Scope *sc = sema_push_scope(s);
    Sym *v = sema_declare(s, sc, SYM_FORALL_VAR, e->name, e->span);
    v->type = t ? t : s->t_error;
    v->index = s->nlocals++;
    e->var_sym = v;
    sema_cond(s, e->body);
    sema_pop_scope(s);
    return set(e, s->t_bool);
}

Type *sema_expr(Sema *s, Expr *e, Type *want) {
    if (!e)
        return s->t_error;
    e->in_spec = s->in_spec;
    switch (e->kind) {
    case EX_INT:
        return set(e, s->t_intlit);
    case EX_BOOL:
        return set(e, s->t_bool);
    case EX_STRING: {
        if (want && want->kind == TY_STRING && e->str_len <= want->len)
            return set(e, want);
        Type t = {0};
        t.kind = TY_STRING;
        t.len = e->str_len;
        return set(e, sema_type_intern(s, t));
    }
    case EX_NAME:
        return check_name(s, e);
    case EX_UNARY:
        if (!e->lhs)
            return set(e, s->t_error);
        return check_unary(s, e, want);
    case EX_BINARY:
        return check_binary(s, e, want);
    case EX_CALL:
        return check_call(s, e);
    case EX_INDEX:
        return check_index(s, e);
    case EX_FIELD:
        return check_field(s, e);
    case EX_CAST:
        return check_cast(s, e);
    case EX_STRUCT_LIT:
        return check_struct_lit(s, e);
    case EX_ARRAY_LIT:
        return check_array_lit(s, e, want);
    case EX_FORALL:
        return check_forall(s, e);
    case EX_COUNT:
        break;
    }
    return set(e, s->t_error);
}
