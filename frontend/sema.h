/* sema.h — what the checker's files (sema_*.c) share: the checking context, scopes, the
 * type table and constant values. Nothing outside frontend/sema_*.c includes it. */
#ifndef WRIT_SEMA_H
#define WRIT_SEMA_H

#include "internal.h"

/* Limits, named so the messages can say them. */
#define SEMA_MAX_BOUND 0xffffffffu   /* array length, list/string bound, loop trip count */
#define SEMA_MAX_INDEXED 3           /* indexed fields of one event */

/* A scope is a flat list of symbols; lookups walk outward. Scopes are small. */
typedef struct Scope Scope;
struct Scope {
    Scope *up;
    Sym **syms;
    int n, cap;
    Sym **index;    /* open-addressing hash of syms by name, once the scope is large */
    int index_cap;  /* a power of two, or 0 while the scope is searched linearly */
};

/* A compile-time integer: magnitude plus sign, so both u256 max and i256 min fit. */
typedef struct Const {
    U256 mag;
    bool neg;
} Const;

typedef struct Sema {
    Program *p;
    Arena *a;
    /* What only the checker needs (scopes and their tables, the per-function lists of
     * locals and functions): freed when sema_check returns. Symbols live in `a`. */
    Arena scratch;
    DiagSink *d;
    Interner *in;

    Module *mod;         /* module being checked */
    Decl *contract;      /* contract being checked, or NULL (free items) */
    Decl *fn;            /* function or init being checked, or NULL */
    Scope *scope;        /* innermost scope */
    Scope *imports;      /* scope of the current module's imported items */

    bool in_spec;        /* inside requires/ensures/reverts_if/invariant */
    bool in_ensures;     /* old() and result allowed */
    bool in_ghost;       /* right-hand side or target of a `ghost` statement */
    bool in_const;       /* a const initialiser or a type bound */
    bool in_target;      /* the place written by an assignment (not a read of it) */
    bool const_silent;   /* a constant's evaluation failed with an error already given */
    int loop_depth;
    int nlocals;
    int callee_cap;      /* the function's call graph grows in scratch (see note_call) */
    PtrVec locals;       /* Sym* of the function's `let` locals, for the unused warning */

    /* interned types */
    Type *t_error, *t_void, *t_bool, *t_address, *t_intlit, *t_u256;
    Type *t_int[2][33];  /* [is_signed][bits/8] */
    Type *t_bytes[33];
    PtrVec types;        /* composite types, for interning */

    PtrVec fns;          /* every D_FN / D_INIT with a body, in check order */
    Scope **mod_scopes;  /* per module (index as in Program.modules): its items */
    Scope **imp_scopes;  /* per module: the items of the modules it imports */
} Sema;

/* Where a declaration's names resolve: saved and restored around out-of-order work (a
 * constant evaluated when first used, a type resolved for another module). */
typedef struct SemaHome {
    Module *mod;
    Decl *contract, *fn;
    Scope *scope, *imports;
    bool in_spec, in_ensures, in_ghost, in_const;
} SemaHome;

/* sema_resolve.c */
Sym *sema_lookup(Sema *s, const char *name);
Sym *sema_declare(Sema *s, Scope *sc, SymKind kind, const char *name, Span span);
Scope *sema_push_scope(Sema *s);
void sema_pop_scope(Sema *s);
void sema_enter_home(Sema *s, Decl *d, SemaHome *saved);
void sema_leave_home(Sema *s, SemaHome *saved);
const char *sema_suggest(Sema *s, const char *name, bool types_only);
const char *sema_closest(const char *name, const char *const *cands, int n);
Decl *sema_member(Decl *iface_or_contract, const char *name); /* fn of an interface handle */

/* sema_types.c */
void sema_types_init(Sema *s);
Type *sema_type_int(Sema *s, unsigned bits, bool is_signed);
Type *sema_type_intern(Sema *s, Type t);
Type *sema_resolve_tref(Sema *s, TypeRef *tr);
Type *sema_elementary_by_name(Sema *s, const char *name); /* u8, bytes32, address...; or NULL */
const char *sema_type_str(Sema *s, const Type *t);
bool sema_is_int(const Type *t);       /* TY_INT or TY_INTLIT */
bool sema_has_map(const Type *t);      /* a map, or an aggregate holding one */
bool sema_is_elementary(const Type *t);
bool sema_const_eval(Sema *s, Expr *e, Const *out, bool report);
bool sema_const_fits(Const c, const Type *t);
char *sema_const_str(Sema *s, Const c);
U256 sema_const_to_u256(Const c);
bool sema_const_bound(Sema *s, Expr *e, const char *what, uint32_t *out);
void sema_check_const_decl(Sema *s, Decl *d);

/* sema_expr.c */
Type *sema_expr(Sema *s, Expr *e, Type *want);
/* Checks `e` against `to`: implicit conversions (§3), literal fit. Reports and returns
 * false on a mismatch. `what` names the context ("argument 1 of 'f'"), may be NULL. */
bool sema_coerce(Sema *s, Expr *e, Type *to, const char *what);
Type *sema_rvalue(Sema *s, Expr *e, Type *want);  /* sema_expr then coerce or default */
void sema_cond(Sema *s, Expr *e);                 /* a bool condition */
void sema_default_lit(Sema *s, Expr *e);          /* untyped literal -> u256 */
void sema_check_args(Sema *s, Expr *call, Param *params, int nparams, const char *kind,
                     const char *name);
Expr *sema_root(Expr *e);                         /* x in x[i].f */

/* sema_stmt.c */
void sema_check_fn(Sema *s, Decl *fn);
void sema_check_specs(Sema *s, Decl *fn);
bool sema_block_exits(Block *b);

/* sema_rules.c */
void sema_rules_compute(Sema *s);

/* sema_abi.c */
void sema_abi_compute(Sema *s, Decl *contract);
void sema_abi_iface(Sema *s, Decl *iface);
void sema_abi_item(Sema *s, Decl *d);   /* event / error signature and selector */

/* helpers */
char *sema_fmt(Sema *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
