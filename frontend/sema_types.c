/* sema_types.c — the checker's types: interning (equal types are equal pointers), resolving
 * written types (TypeRef) to Types, printing them, and evaluating constant expressions
 * (const initialisers, array lengths, list/string bounds, loop bounds) in U256 arithmetic. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sema.h"

char *sema_fmt(Sema *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *buf = arena_alloc(s->a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return buf;
}

/* The elementary types are the same in every compilation and never written after
 * initialization: one static copy serves them all (101 types, 4 KB a compilation saved). */
#define TY_INT_AT(sg, n) [n] = {.kind = TY_INT, .bits = (n) * 8, .is_signed = (sg)},
#define TY_BYTES_AT(sg, n) [n] = {.kind = TY_BYTES, .bits = (n) * 8},
#define REP4(M, sg, n) M(sg, n) M(sg, n + 1) M(sg, n + 2) M(sg, n + 3)
#define REP32(M, sg) REP4(M, sg, 1) REP4(M, sg, 5) REP4(M, sg, 9) REP4(M, sg, 13) \
    REP4(M, sg, 17) REP4(M, sg, 21) REP4(M, sg, 25) REP4(M, sg, 29)
static Type ty_ints[2][33] = {{REP32(TY_INT_AT, false)}, {REP32(TY_INT_AT, true)}};
static Type ty_bytes[33] = {REP32(TY_BYTES_AT, false)};
static Type ty_error = {.kind = TY_ERROR}, ty_void = {.kind = TY_VOID},
            ty_bool = {.kind = TY_BOOL}, ty_address = {.kind = TY_ADDRESS, .bits = 160},
            ty_intlit = {.kind = TY_INTLIT};

void sema_types_init(Sema *s) {
    s->t_error = &ty_error;
    s->t_void = &ty_void;
    s->t_bool = &ty_bool;
    s->t_address = &ty_address;
    s->t_intlit = &ty_intlit;
    for (int b = 1; b <= 32; b++) {
        s->t_int[0][b] = &ty_ints[0][b];
        s->t_int[1][b] = &ty_ints[1][b];
        s->t_bytes[b] = &ty_bytes[b];
    }
    s->t_u256 = s->t_int[0][32];
}

Type *sema_type_int(Sema *s, unsigned bits, bool is_signed) {
    if (bits < 8 || bits > 256 || bits % 8)
        return s->t_error;
    return s->t_int[is_signed][bits / 8];
}

Type *sema_type_intern(Sema *s, Type t) {
    for (int i = 0; i < s->types.len; i++) {
        Type *u = s->types.items[i];
        if (u->kind == t.kind && u->len == t.len && u->elem == t.elem && u->key == t.key &&
            u->val == t.val && u->decl == t.decl)
            return u;
    }
    Type *n = ARENA_NEW(s->a, Type);
    *n = t;
    ptrvec_push(&s->scratch, &s->types, n); /* the list is only for interning */
    return n;
}

bool sema_is_int(const Type *t) {
    return t && (t->kind == TY_INT || t->kind == TY_INTLIT);
}

bool sema_is_elementary(const Type *t) {
    switch (t->kind) {
    case TY_BOOL: case TY_INT: case TY_INTLIT: case TY_ADDRESS: case TY_BYTES: case TY_IFACE:
        return true;
    default:
        return false;
    }
}

bool sema_has_map(const Type *t) {
    if (!t)
        return false;
    switch (t->kind) {
    case TY_MAP:
        return true;
    case TY_ARRAY: case TY_LIST:
        return sema_has_map(t->elem);
    case TY_STRUCT:
        if (!t->decl)
            return false;
        for (int i = 0; i < t->decl->nparams; i++)
            if (sema_has_map(t->decl->params[i].type))
                return true;
        return false;
    default:
        return false;
    }
}

const char *sema_type_str(Sema *s, const Type *t) {
    if (!t)
        return "<error>";
    switch (t->kind) {
    case TY_ERROR: return "<error>";
    case TY_VOID: return "()";
    case TY_BOOL: return "bool";
    case TY_INT: return sema_fmt(s, "%c%u", t->is_signed ? 'i' : 'u', t->bits);
    case TY_INTLIT: return "integer literal";
    case TY_ADDRESS: return "address";
    case TY_BYTES: return sema_fmt(s, "bytes%u", t->bits / 8);
    case TY_STRING: return sema_fmt(s, "string<%u>", t->len);
    case TY_ARRAY: return sema_fmt(s, "[%s; %u]", sema_type_str(s, t->elem), t->len);
    case TY_LIST: return sema_fmt(s, "list<%s, %u>", sema_type_str(s, t->elem), t->len);
    case TY_MAP:
        return sema_fmt(s, "map<%s, %s>", sema_type_str(s, t->key), sema_type_str(s, t->val));
    case TY_STRUCT: case TY_IFACE: return t->decl && t->decl->name ? t->decl->name : "?";
    case TY_COUNT: break;
    }
    return "?";
}

/* ---------------- written types ---------------- */

/* u8..u256, i8..i256, bytes1..bytes32: 0 when `name` is none of these. */
static Type *elementary_by_name(Sema *s, const char *name) {
    if (!strcmp(name, "bool"))
        return s->t_bool;
    if (!strcmp(name, "address"))
        return s->t_address;
    const char *digits = NULL;
    int kind = 0;
    if ((name[0] == 'u' || name[0] == 'i') && name[1] >= '1' && name[1] <= '9') {
        digits = name + 1;
        kind = name[0];
    } else if (!strncmp(name, "bytes", 5) && name[5] >= '1' && name[5] <= '9') {
        digits = name + 5;
        kind = 'b';
    }
    if (!digits || strlen(digits) > 3)
        return NULL;
    for (const char *c = digits; *c; c++)
        if (*c < '0' || *c > '9')
            return NULL;
    int n = atoi(digits);
    if (kind == 'b')
        return n >= 1 && n <= 32 ? s->t_bytes[n] : NULL;
    if (n < 8 || n > 256 || n % 8)
        return NULL;
    return s->t_int[kind == 'i'][n / 8];
}

Type *sema_elementary_by_name(Sema *s, const char *name) {
    return elementary_by_name(s, name);
}

static bool valid_map_key(const Type *t) {
    return t->kind == TY_INT || t->kind == TY_BOOL || t->kind == TY_ADDRESS ||
           t->kind == TY_BYTES || t->kind == TY_ERROR;
}

static Type *resolve_tref(Sema *s, TypeRef *tr);

static Type *resolve_generic(Sema *s, TypeRef *tr) {
    const char *n = tr->name;
    bool is_map = !strcmp(n, "map"), is_list = !strcmp(n, "list"), is_str = !strcmp(n, "string");
    int want_targs = is_map ? 2 : is_list ? 1 : 0;
    bool want_size = is_list || is_str;
    if (tr->ntargs != want_targs || (tref_size(tr) != NULL) != want_size) {
        const char *form = is_map ? "map<K, V>" : is_list ? "list<T, N>" : "string<N>";
        diag_error(s->d, tr->span, "'%s' is written %s", n, form);
        return s->t_error;
    }
    Type t = {0};
    if (is_map) {
        t.kind = TY_MAP;
        t.key = resolve_tref(s, tr->targs[0]);
        t.val = resolve_tref(s, tr->targs[1]);
        if (!t.key || !t.val)
            return s->t_error;
        if (!valid_map_key(t.key)) {
            diag_error(s->d, tr->targs[0]->span,
                       "map key must be an integer, bool, address or bytesN, not %s",
                       sema_type_str(s, t.key));
            return s->t_error;
        }
        if (t.key->kind == TY_ERROR || t.val->kind == TY_ERROR)
            return s->t_error;
        return sema_type_intern(s, t);
    }
    uint32_t n_bound = 0;
    if (!sema_const_bound(s, tr->size, is_list ? "list bound" : "string bound", &n_bound))
        return s->t_error;
    if (is_list) {
        t.kind = TY_LIST;
        t.elem = resolve_tref(s, tr->targs[0]);
        if (!t.elem || t.elem->kind == TY_ERROR)
            return s->t_error;
        if (t.elem->kind == TY_MAP) {
            diag_error(s->d, tr->targs[0]->span, "a list cannot hold maps");
            return s->t_error;
        }
    } else {
        t.kind = TY_STRING;
    }
    t.len = n_bound;
    return sema_type_intern(s, t);
}

static Type *resolve_tref(Sema *s, TypeRef *tr) {
    if (!tr)
        return s->t_error;
    if (tr->type)
        return tr->type;
    Type *t = s->t_error;
    if (tr->kind == TR_ARRAY) {
        Type *elem = resolve_tref(s, tr->elem);
        uint32_t n = 0;
        bool ok = sema_const_bound(s, tr->size, "array length", &n);
        if (elem->kind == TY_MAP) {
            diag_error(s->d, tr->span, "an array cannot hold maps");
        } else if (ok && elem->kind != TY_ERROR) {
            Type a = {0};
            a.kind = TY_ARRAY;
            a.elem = elem;
            a.len = n;
            t = sema_type_intern(s, a);
        }
    } else if (!tr->name) {
        t = s->t_error;
    } else if (!strcmp(tr->name, "map") || !strcmp(tr->name, "list") ||
               !strcmp(tr->name, "string")) {
        t = resolve_generic(s, tr);
    } else {
        Type *e = elementary_by_name(s, tr->name);
        if (e) {
            t = e;
            if (tr->ntargs || tref_size(tr))
                diag_error(s->d, tr->span, "type '%s' takes no arguments", tr->name);
        } else {
            Sym *sym = sema_lookup(s, tr->name);
            if (sym && (sym->kind == SYM_STRUCT || sym->kind == SYM_INTERFACE ||
                        sym->kind == SYM_CONTRACT)) {
                t = sym->type ? sym->type : s->t_error;
                sym->uses++;
            } else if (sym) {
                diag_error(s->d, tr->span, "'%s' is not a type", tr->name);
            } else {
                const char *sug = sema_suggest(s, tr->name, true);
                if (sug)
                    diag_error(s->d, tr->span, "unknown type '%s'; did you mean '%s'?",
                               tr->name, sug);
                else
                    diag_error(s->d, tr->span, "unknown type '%s'", tr->name);
            }
        }
    }
    tr->type = t;
    return t;
}

Type *sema_resolve_tref(Sema *s, TypeRef *tr) {
    return resolve_tref(s, tr);
}

/* ---------------- constants ---------------- */

static Const c_from(U256 v) {
    Const c = {v, false};
    return c;
}

static bool c_is_zero(Const c) {
    return u256_is_zero(c.mag);
}

static Const c_norm(Const c) {
    if (c_is_zero(c))
        c.neg = false;
    return c;
}

U256 sema_const_to_u256(Const c) {
    return c.neg ? u256_neg(c.mag) : c.mag;
}

char *sema_const_str(Sema *s, Const c) {
    char buf[90];
    u256_to_dec(c.mag, false, buf + 1);
    buf[0] = '-';
    return arena_strndup(s->a, c.neg ? buf : buf + 1, strlen(c.neg ? buf : buf + 1));
}

/* Does the constant fit the integer (or address/bytes) type t? */
bool sema_const_fits(Const c, const Type *t) {
    if (t->kind == TY_ERROR || t->kind == TY_INTLIT)
        return true;
    unsigned bits = t->bits;
    bool sg = t->kind == TY_INT && t->is_signed;
    if (t->kind != TY_INT && t->kind != TY_ADDRESS && t->kind != TY_BYTES)
        return false;
    if (c.neg) {
        if (!sg)
            return false;
        /* -mag >= -2^(bits-1)  <=>  mag <= 2^(bits-1) */
        U256 lim = u256_shl(u256_from_u64(1), bits - 1);
        return u256_cmp(c.mag, lim) <= 0;
    }
    unsigned len = u256_bit_length(c.mag);
    return sg ? len <= bits - 1 : len <= bits;
}

/* Signed addition on (mag, neg) pairs; `*ovf` when the magnitude passes 2^256. */
static Const c_add(Const a, Const b, bool *ovf) {
    Const r;
    if (a.neg == b.neg) {
        bool carry = false;
        r.mag = u256_add(a.mag, b.mag, &carry);
        r.neg = a.neg;
        if (carry)
            *ovf = true;
    } else if (u256_cmp(a.mag, b.mag) >= 0) {
        bool br = false;
        r.mag = u256_sub(a.mag, b.mag, &br);
        r.neg = a.neg;
    } else {
        bool br = false;
        r.mag = u256_sub(b.mag, a.mag, &br);
        r.neg = b.neg;
    }
    return c_norm(r);
}

static bool eval(Sema *s, Expr *e, Const *out, bool report);

static bool eval_decl(Sema *s, Decl *d, Span use, Const *out, bool report) {
    (void)report;
    if (!d->const_done) {
        if (d->const_busy) {
            /* reported whatever the caller asked: no other message would say why */
            diag_error(s->d, use, "constant '%s' depends on itself", d->name);
            s->const_silent = true;
            return false;
        }
        sema_check_const_decl(s, d);
    }
    if (!d->const_done) {
        s->const_silent = true; /* its own error was reported */
        return false;
    }
    U256 v = d->const_value;
    bool sg = d->type && d->type->kind == TY_INT && d->type->is_signed;
    if (sg && (v.w[3] >> 63)) {
        out->mag = u256_neg(v);
        out->neg = true;
    } else {
        *out = c_from(v);
    }
    return true;
}

/* Evaluates an integer constant expression. With `report`, says why it is not one. */
static bool eval(Sema *s, Expr *e, Const *out, bool report) {
    if (!e)
        return false;
    switch (e->kind) {
    case EX_INT:
        *out = c_from(expr_ival(e));
        return true;
    case EX_NAME: {
        Sym *sym = e->sym ? e->sym : sema_lookup(s, e->name);
        if (sym && sym->kind == SYM_CONST && sym->decl)
            return eval_decl(s, sym->decl, e->span, out, report);
        if (report)
            diag_error(s->d, e->span, "'%s' is not a constant", e->name ? e->name : "?");
        return false;
    }
    case EX_UNARY: {
        Const a;
        if (!eval(s, e->lhs, &a, report))
            return false;
        if (e->op == UN_NEG) {
            a.neg = !a.neg;
            *out = c_norm(a);
            return true;
        }
        if (e->op == UN_BNOT && e->type && e->type->kind == TY_INT) {
            U256 v = u256_trunc(u256_not(sema_const_to_u256(a)), e->type->bits,
                                e->type->is_signed);
            bool neg = e->type->is_signed && (v.w[3] >> 63);
            out->mag = neg ? u256_neg(v) : v;
            out->neg = neg;
            return true;
        }
        break;
    }
    case EX_BINARY: {
        Const a, b;
        if (!eval(s, e->lhs, &a, report) || !eval(s, e->rhs, &b, report))
            return false;
        bool ovf = false;
        switch (e->op) {
        case BIN_ADD: case BIN_WADD:
            *out = c_add(a, b, &ovf);
            break;
        case BIN_SUB: case BIN_WSUB:
            b.neg = !b.neg;
            *out = c_add(a, c_norm(b), &ovf);
            break;
        case BIN_MUL: case BIN_WMUL:
            out->mag = u256_mul(a.mag, b.mag, &ovf);
            out->neg = a.neg != b.neg;
            *out = c_norm(*out);
            break;
        case BIN_DIV: case BIN_MOD: {
            if (c_is_zero(b)) {
                if (report)
                    diag_error(s->d, e->span, "division by zero in a constant expression");
                return false;
            }
            U256 rem;
            U256 q = u256_udiv(a.mag, b.mag, &rem);
            if (e->op == BIN_DIV) {
                out->mag = q;
                out->neg = a.neg != b.neg;
            } else {
                out->mag = rem;
                out->neg = a.neg;
            }
            *out = c_norm(*out);
            break;
        }
        case BIN_SHL: case BIN_SHR: {
            if (a.neg || b.neg)
                goto notconst;
            unsigned n = u256_bit_length(b.mag) > 16 ? 1000 : (unsigned)u256_low64(b.mag);
            if (e->op == BIN_SHL) {
                if (n >= 256 ? !c_is_zero(a) : u256_bit_length(a.mag) + n > 256)
                    ovf = true;
                *out = c_from(n >= 256 ? u256_from_u64(0) : u256_shl(a.mag, n));
            } else {
                *out = c_from(n >= 256 ? u256_from_u64(0) : u256_lshr(a.mag, n));
            }
            break;
        }
        case BIN_BAND: case BIN_BOR: case BIN_BXOR: {
            if (a.neg || b.neg)
                goto notconst;
            *out = c_from(e->op == BIN_BAND ? u256_and(a.mag, b.mag)
                          : e->op == BIN_BOR ? u256_or(a.mag, b.mag)
                                             : u256_xor(a.mag, b.mag));
            break;
        }
        default:
            goto notconst;
        }
        if (ovf) {
            if (report)
                diag_error(s->d, e->span, "overflow in constant expression");
            return false;
        }
        return true;
    }
    case EX_CAST: {
        Const a;
        if (!eval(s, e->lhs, &a, report))
            return false;
        Type *t = e->tref ? e->tref->type : NULL;
        if (t && t->kind == TY_INT && !sema_const_fits(a, t)) {
            if (report)
                diag_error(s->d, e->span, "constant %s does not fit in %s",
                           sema_const_str(s, a), sema_type_str(s, t));
            return false;
        }
        *out = a;
        return true;
    }
    default:
        break;
    }
notconst:
    if (report)
        diag_error(s->d, e->span, "expression is not a compile-time constant");
    return false;
}

bool sema_const_eval(Sema *s, Expr *e, Const *out, bool report) {
    return eval(s, e, out, report);
}

/* A positive bound (array length, list/string bound) written as a constant expression. */
bool sema_const_bound(Sema *s, Expr *e, const char *what, uint32_t *out) {
    if (!e)
        return false;
    bool was = s->in_const;
    s->in_const = true;
    Type *t = sema_expr(s, e, s->t_u256);
    s->in_const = was;
    if (t->kind == TY_ERROR)
        return false;
    if (!sema_is_int(t)) {
        diag_error(s->d, e->span, "%s must be an integer, found %s", what, sema_type_str(s, t));
        return false;
    }
    sema_default_lit(s, e);
    Const c;
    if (!eval(s, e, &c, true))
        return false;
    if (c.neg || c_is_zero(c)) {
        diag_error(s->d, e->span, "%s must be positive", what);
        return false;
    }
    if (u256_bit_length(c.mag) > 32) {
        diag_error(s->d, e->span, "%s is too large (limit is %u)", what, SEMA_MAX_BOUND);
        return false;
    }
    *out = (uint32_t)u256_low64(c.mag);
    return true;
}

/* Types and evaluates `const NAME: T = e;` once; used lazily by other constants. */
void sema_check_const_decl(Sema *s, Decl *d) {
    if (d->const_done || d->const_busy || d->state)
        return;
    d->state = 1; /* checked once, whether or not it is a valid constant */
    d->const_busy = true;
    SemaHome saved;
    sema_enter_home(s, d, &saved);
    Type *t = d->type ? d->type : sema_resolve_tref(s, d->tref);
    sema_leave_home(s, &saved);
    d->type = t;
    if (d->sym)
        d->sym->type = t;
    if (t->kind != TY_ERROR && t->kind != TY_INT) {
        diag_error(s->d, d->tref ? d->tref->span : d->span,
                   "constant '%s' must have an integer type, not %s", d->name,
                   sema_type_str(s, t));
    } else if (d->init) {
        SemaHome saved;
        sema_enter_home(s, d, &saved);
        s->in_const = true;
        Type *it = sema_expr(s, d->init, t);
        bool ok = it->kind != TY_ERROR && sema_coerce(s, d->init, t, NULL);
        sema_leave_home(s, &saved);
        Const c;
        if (ok && t->kind == TY_INT) {
            s->const_silent = false;
            if (!eval(s, d->init, &c, false)) {
                if (!s->const_silent)
                    diag_error(s->d, d->init->span,
                               "initialiser of constant '%s' is not a compile-time constant",
                               d->name);
                s->const_silent = false;
            } else if (!sema_const_fits(c, t)) {
                diag_error(s->d, d->init->span, "constant %s does not fit in %s",
                           sema_const_str(s, c), sema_type_str(s, t));
            } else {
                d->const_value = sema_const_to_u256(c);
                d->const_done = true;
            }
        }
    }
    d->const_busy = false;
}
