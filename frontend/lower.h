/* lower.h — internal to the lowering (lower*.c): the state shared by its files while one
 * checked contract becomes one IrModule. lower.c owns the module (storage, structs, events,
 * errors, interfaces, function shells, getters); lower_ssa.c the blocks and the on-the-fly
 * SSA construction; lower_expr.c expressions and places; lower_stmt.c statements and
 * control flow; lower_spec.c spec functions. */
#ifndef WRIT_LOWER_H
#define WRIT_LOWER_H

#include "internal.h"

/* Per-block state of the SSA construction (Braun et al. 2013). */
typedef struct LBlock {
    IrBlock *b;
    IrInstr **defs;       /* current definition of each variable in this block, by var id */
    int ndefs;
    IrBlock **preds;      /* predecessors, in the order their edges were made */
    int npreds, cappreds;
    bool sealed;          /* every predecessor is known */
    IrInstr **inc_phis;   /* incomplete phis (block not sealed yet) and their variables */
    int *inc_vars;
    int ninc, capinc;
    int order;            /* when the lowering first emitted into it; 0 = never */
} LBlock;

typedef struct LLoop {
    IrBlock *brk, *cont;
    struct LLoop *outer;
} LLoop;

/* A place: a storage variable (var >= 0) or memory rooted at a ref (root), then a path
 * whose IR_PATH_INDEX elements consume `idx` in order. */
typedef struct Place {
    int var;
    IrInstr *root;
    IrPathElem path[16];
    int npath;
    IrInstr *idx[16];
    int nidx;
    Type *type;           /* the type at the end of the path */
    bool ghost;
} Place;

typedef struct Lower {
    Program *p;
    Decl *contract;
    IrModule *m;
    Arena *a;             /* the compilation's arena: what the IR keeps */
    Arena mod;            /* scratch for the whole module (maps, parameter lists) */
    Arena tmp;            /* scratch for one function (SSA tables), reset per function */
    /* module maps: index i of each vector is the IR index of the declaration */
    PtrVec storage, structs, events, errors, ifaces, funcs;
    PtrVec todo;          /* functions whose bodies are still to lower */
    /* the function being lowered */
    IrFunc *f;
    Decl *fn;             /* its declaration (NULL for getters) */
    IrBlock *cur;         /* NULL after a terminator: what follows is unreachable */
    LBlock **lb;          /* by block id */
    int nlb, caplb;
    int nentered;
    Sym **var_syms;       /* variable id -> symbol (NULL for hidden variables) */
    IrType **var_types;
    int *var_params;      /* parameter number of a parameter's variable, else -1 */
    Span *var_spans;
    int nvars, capvars;
    LLoop *loop;
    /* spec lowering */
    bool in_spec;         /* storage reads in a spec function */
    bool in_old;          /* inside old(...) */
    IrType *result_type;  /* ensures: the owner's return type */
    bool ghost;           /* lowering a ghost update: every instruction is IR_F_GHOST */
} Lower;

/* Does fn return a value? (Its type reference is gone after checking: Program.decl_types.) */
static inline bool lower_returns(const Decl *fn) {
    return fn->type && fn->type->kind != TY_VOID;
}

/* lower.c */
IrType *lower_type(Lower *L, Type *t);   /* storage form: aggregates as themselves */
IrType *lower_vtype(Lower *L, Type *t);  /* value form: aggregates are refs */
bool lower_is_aggregate(Type *t);
int lower_storage_index(Lower *L, Decl *d);
int lower_struct_index(Lower *L, Decl *d);
int lower_event_index(Lower *L, Decl *d);
int lower_error_index(Lower *L, Decl *d);
int lower_iface_index(Lower *L, Decl *iface);
int lower_func_index(Lower *L, Decl *fn);
int lower_field_index(Decl *st, const char *name);
/* A function's body (specs: its spec clauses or an invariant's expression) is still there
 * to lower; an internal error when an earlier module released it (FnRegion). */
bool lower_region_usable(Lower *L, Decl *d, bool specs);
/* Releases it when this module is the last to lower it. */
void lower_region_release(Lower *L, Decl *d, bool specs);

/* lower_ssa.c */
void lower_func_begin(Lower *L, IrFunc *f);
void lower_func_end(Lower *L);
IrBlock *lower_block_new(Lower *L);
void lower_set_block(Lower *L, IrBlock *b);
void lower_seal(Lower *L, IrBlock *b);
IrInstr *lower_emit(Lower *L, IrOp op, IrType *t, IrInstr **args, int nargs, Span sp);
IrInstr *lower_const(Lower *L, IrType *t, U256 v, Span sp);
IrInstr *lower_const_u64(Lower *L, IrType *t, uint64_t v, Span sp);
void lower_jmp(Lower *L, IrBlock *to, Span sp);
void lower_br(Lower *L, IrInstr *c, IrBlock *t, IrBlock *e, Span sp);
void lower_add_pred(Lower *L, IrBlock *b, IrBlock *pred);
int lower_npreds(Lower *L, IrBlock *b);
int lower_var_new(Lower *L, Sym *s, IrType *t);
/* A parameter's variable: its `param` instruction is made at the top of the entry block
 * when the parameter is first read, so unused parameters cost nothing. */
int lower_var_param(Lower *L, Sym *s, IrType *t, int number, Span sp);
int lower_var_of(Lower *L, Sym *s);       /* -1 if the symbol has no variable yet */
void lower_var_write(Lower *L, int var, IrBlock *b, IrInstr *v);
IrInstr *lower_var_read(Lower *L, int var, IrBlock *b, Span sp);

/* lower_expr.c */
IrInstr *lower_expr(Lower *L, Expr *e);
IrInstr *lower_expr_to(Lower *L, Expr *e, Type *want);
IrInstr *lower_coerce(Lower *L, IrInstr *v, Type *from, Type *to, Span sp);
/* `op` on a and b; a check first when op is checked, spanning `opsp` (the operator). */
IrInstr *lower_arith(Lower *L, int op, IrInstr *a, IrInstr *b, Span sp, Span opsp);
/* The operator between two operands in the source (`+`, `+=`, ` as `), else `whole`. */
Span lower_op_span(Lower *L, Span lhs, Span rhs, Span whole);
IrInstr *lower_copy_if_shared(Lower *L, Expr *e, IrInstr *v);
bool lower_place(Lower *L, Expr *e, Place *pl);
IrInstr *lower_place_load(Lower *L, Place *pl, Span sp);
void lower_place_store(Lower *L, Place *pl, IrInstr *v, Span sp);
IrInstr *lower_place_len(Lower *L, Place *pl, Span sp);  /* length of the list/array there */
void lower_place_index(Lower *L, Place *pl, IrInstr *idx); /* extends the path by [idx] */
bool lower_const_eval(Expr *e, U256 *out);
Type *lower_common_type(Type *a, Type *b);

/* lower_stmt.c */
void lower_block_stmts(Lower *L, Block *blk);
void lower_fn_body(Lower *L, Decl *fn, IrFunc *f);

/* lower_spec.c */
void lower_specs(Lower *L, Decl *fn, int owner);
void lower_invariant(Lower *L, Decl *inv);
IrInstr *lower_forall(Lower *L, Expr *e);

#endif
