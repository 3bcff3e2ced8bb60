/* ast.h — the syntax tree shared by the parser (parse.c), the checker (sema_*.c) and the
 * lowering to IR (lower_*.c). Internal to frontend/: other stages see only frontend.h.
 * Layout: every node has a kind, a span, and flat fields; the "sema" fields are filled by
 * the checker and read by the lowering. All nodes live in the compilation's arena. */
#ifndef WRIT_AST_H
#define WRIT_AST_H

#include "../ir/base.h"

typedef struct Type Type;
typedef struct Expr Expr;
typedef struct Stmt Stmt;
typedef struct Block Block;
typedef struct Decl Decl;
typedef struct Sym Sym;

/* ---------------- semantic types (built by sema, read by lowering) ---------------- */
typedef enum TypeKind {
    TY_ERROR,    /* after a type error; silences cascades */
    TY_VOID,
    TY_BOOL,
    TY_INT,      /* bits 8..256, is_signed */
    TY_INTLIT,   /* an integer literal not yet given a type; value in Expr.ival */
    TY_ADDRESS,
    TY_BYTES,    /* bytesN: bits = 8*N */
    TY_STRING,   /* string<N>: len = max bytes */
    TY_ARRAY,    /* [elem; len] */
    TY_LIST,     /* list<elem, len>: len = max elements */
    TY_MAP,      /* map<key, val> — storage only */
    TY_STRUCT,   /* decl = the struct */
    TY_IFACE,    /* a typed handle to a contract: decl = interface or contract */
    TY_COUNT
} TypeKind;

struct Type {
    TypeKind kind;
    uint16_t bits;     /* TY_INT, TY_BYTES */
    bool is_signed;    /* TY_INT */
    uint32_t len;      /* TY_ARRAY length, TY_LIST / TY_STRING bound */
    Type *elem;        /* TY_ARRAY, TY_LIST */
    Type *key, *val;   /* TY_MAP */
    Decl *decl;        /* TY_STRUCT, TY_IFACE */
};

/* ---------------- syntactic type references ---------------- */
typedef enum TypeRefKind { TR_NAME, TR_ARRAY } TypeRefKind;

/* `u256`, `Proposal`, `map<K, V>`, `list<T, N>`, `string<N>`, `[T; N]`. A plain name
 * (`u256`, `Proposal`) is allocated without targs/size/elem (32 bytes instead of 56):
 * read those through tref_size/tref_elem, or targs up to ntargs. */
typedef struct TypeRef {
    uint8_t kind;            /* TypeRefKind */
    bool full;               /* targs, size and elem are allocated */
    int16_t ntargs;
    Span span;
    const char *name;        /* TR_NAME (interned) */
    Type *type;              /* sema */
    struct TypeRef **targs;  /* TR_NAME generic type arguments: map<K,V> -> K,V; list<T,N> -> T */
    Expr *size;              /* list/string bound, array length (a constant expression) */
    struct TypeRef *elem;    /* TR_ARRAY element */
} TypeRef;
#define TYPEREF_PLAIN_SIZE offsetof(TypeRef, targs)

static inline Expr *tref_size(const TypeRef *t) { return t->full ? t->size : NULL; }
static inline struct TypeRef *tref_elem(const TypeRef *t) { return t->full ? t->elem : NULL; }

/* ---------------- expressions ---------------- */
typedef enum ExprKind {
    EX_INT,        /* ival */
    EX_BOOL,       /* bval */
    EX_STRING,     /* str/str_len: the decoded bytes */
    EX_NAME,       /* name; also `result`, `self`, `msg`, `block` resolve here */
    EX_UNARY,      /* op lhs */
    EX_BINARY,     /* lhs op rhs */
    EX_CALL,       /* lhs(args): internal call, builtin, event-free call, conversion
                      `address(x)`, interface handle `IToken(addr)`, method `x.f(args)` */
    EX_INDEX,      /* lhs[rhs] */
    EX_FIELD,      /* lhs.name */
    EX_CAST,       /* lhs as tref (checked: reverts if the value does not fit) */
    EX_STRUCT_LIT, /* tref { field_names[i]: args[i] } */
    EX_ARRAY_LIT,  /* [args...] */
    EX_FORALL,     /* forall name in lhs..rhs: body   (specs only) */
    EX_COUNT
} ExprKind;

typedef enum UnOp { UN_NEG, UN_NOT, UN_BNOT, UN_COUNT } UnOp;

typedef enum BinOp {
    BIN_ADD, BIN_SUB, BIN_MUL, BIN_DIV, BIN_MOD, /* checked */
    BIN_WADD, BIN_WSUB, BIN_WMUL,                /* +% -% *%  wrapping */
    BIN_SHL, BIN_SHR, BIN_BAND, BIN_BOR, BIN_BXOR,
    BIN_EQ, BIN_NE, BIN_LT, BIN_LE, BIN_GT, BIN_GE,
    BIN_LAND, BIN_LOR,
    BIN_IMPLIES,                                 /* ==>  specs only */
    BIN_COUNT
} BinOp;

/* What a call or name turned out to be, decided by sema. */
typedef enum Builtin {
    BI_NONE,
    BI_OLD,          /* old(e)                specs: ensures */
    BI_SUM,          /* sum(map)              specs */
    BI_RESULT,       /* result                specs: ensures */
    BI_MSG_SENDER, BI_MSG_VALUE, BI_BLOCK_NUMBER, BI_BLOCK_TIMESTAMP, BI_SELF,
    BI_TX_ORIGIN, BI_CHAIN_ID,
    BI_KECCAK256,    /* keccak256(a, b, ...) over the packed encoding */
    BI_SEND,         /* send(to, amount): transfer value, revert on failure; an external call */
    BI_BALANCE,      /* balance(addr) */
    BI_LEN,          /* x.len()     list / string / array */
    BI_PUSH,         /* x.push(v)   storage or local list */
    BI_POP,          /* x.pop()     */
    BI_CONVERT,      /* T(x): address(0), bytes32(x), u256(x)... conversion by type name */
    BI_IFACE_HANDLE, /* IToken(addr) */
    BI_EXT_CALL,     /* IToken(addr).f(args) — callee_decl is the interface fn */
    BI_MIN, BI_MAX,  /* min(a, b), max(a, b) */
    BI_COUNT
} Builtin;

/* An expression node is allocated with only the bytes its kind uses (expr_size[kind]: 40 to
 * 80 bytes; a name is 56, a binary operation 56, a small literal 48): the kind-specific
 * fields share four slots after `lhs`. Read a field only on the kinds its comment names —
 * on other kinds it is another field's bytes or past the end of the node (test builds
 * poison those bytes, so ASan reports the read). kind, op, builtin, the flags, span,
 * nargs, type and lhs are valid on every kind (lhs NULL, nargs 0 when unused); generic
 * walkers list the children with expr_children(). */
struct Expr {
    uint8_t kind;          /* ExprKind */
    int8_t op;             /* UnOp / BinOp */
    uint8_t builtin;       /* Builtin (sema) */
    bool is_lvalue_storage;/* sema: the expression designates (part of) storage */
    Span span;
    bool in_spec;          /* sema: inside a spec clause (old/result/sum/forall allowed) */
    bool bval;             /* EX_BOOL */
    bool ival_big;         /* EX_INT: the value does not fit 64 bits and is in *ival_p */
    int nargs;             /* EX_CALL, EX_STRUCT_LIT, EX_ARRAY_LIT: elements of args */
    /* sema. `type` is set on every expression and is never TY_INTLIT after checking: a
       literal takes the type its context expects (u256 when none). The callee name of a
       call (lhs of EX_CALL naming a fn/event/error/type) and env bases (`msg`) get TY_VOID. */
    Type *type;
    Expr *lhs;             /* EX_UNARY, EX_BINARY, EX_CALL (callee), EX_INDEX, EX_FIELD,
                              EX_CAST, EX_FORALL (low bound); NULL on the other kinds */
    union {                /* slot A */
        const char *name;  /* EX_NAME, EX_FIELD, EX_FORALL variable (interned) */
        Type *op_type;     /* EX_BINARY (sema): the operands' common type after implicit
                              widening (differs from `type` for comparisons: bool); EX_CALL
                              BI_MIN/MAX likewise. An operand whose own type is narrower is
                              widened to it. Likewise a value is widened to the type of the
                              variable, parameter, field or return slot it is stored in. */
        const char *str;   /* EX_STRING bytes (not NUL-terminated necessarily) */
        TypeRef *tref;     /* EX_CAST target, EX_STRUCT_LIT struct */
        uint64_t ival_small; /* EX_INT unless ival_big: read through expr_ival() */
        U256 *ival_p;      /* EX_INT when ival_big */
    };
    union {                /* slot B */
        Sym *sym;          /* EX_NAME: what it names; EX_CALL: the callee (fn/event/error) */
        Expr *rhs;         /* EX_BINARY, EX_INDEX, EX_FORALL (high bound) */
        uint32_t str_len;  /* EX_STRING */
        const char **field_names; /* EX_STRUCT_LIT */
    };
    union {                /* slot C */
        Expr **args;       /* EX_CALL arguments, EX_STRUCT_LIT field values, EX_ARRAY_LIT
                              elements */
        Expr *body;        /* EX_FORALL */
    };
    union {                /* slot D */
        Expr *call_value;  /* EX_CALL: external call option `{value: e}` */
        Sym *var_sym;      /* EX_FORALL (sema): the bound variable */
    };
    Decl *callee_decl;     /* EX_CALL (sema): internal or external function called */
};
_Static_assert(sizeof(Expr) == 80, "Expr layout: a call is 80 bytes");

/* Bytes allocated for a node of each kind: up to the end of its last field. */
/* Bytes of a node of type T up to the end of `field`: the size of the kinds that end there. */
#define NODE_END(T, field) (offsetof(T, field) + sizeof(((T *)0)->field))
#define EXPR_END(field) NODE_END(Expr, field)
static const uint8_t expr_size[EX_COUNT] = {
    [EX_INT] = EXPR_END(ival_small),   [EX_BOOL] = EXPR_END(lhs),
    [EX_STRING] = EXPR_END(str_len),   [EX_NAME] = EXPR_END(sym),
    [EX_UNARY] = EXPR_END(lhs),        [EX_BINARY] = EXPR_END(rhs),
    [EX_CALL] = EXPR_END(callee_decl), [EX_INDEX] = EXPR_END(rhs),
    [EX_FIELD] = EXPR_END(name),       [EX_CAST] = EXPR_END(tref),
    [EX_STRUCT_LIT] = EXPR_END(args),  [EX_ARRAY_LIT] = EXPR_END(args),
    [EX_FORALL] = EXPR_END(var_sym),
};

/* The value of an EX_INT literal. */
static inline U256 expr_ival(const Expr *e) {
    return e->ival_big ? *e->ival_p : u256_from_u64(e->ival_small);
}

/* Generic walkers visit every child whatever the kind: expr_child(e, i) for i below
 * expr_nchildren(e), NULL for a slot the kind does not have (0 lhs, 1 rhs or forall high
 * bound, 2 forall body or call value, 3... args). */
static inline int expr_nchildren(const Expr *e) {
    return 3 + e->nargs;
}
static inline Expr *expr_child(const Expr *e, int i) {
    switch (i) {
    case 0:
        return e->lhs;
    case 1:
        return e->kind == EX_BINARY || e->kind == EX_INDEX || e->kind == EX_FORALL ? e->rhs
                                                                                     : NULL;
    case 2:
        return e->kind == EX_FORALL ? e->body : e->kind == EX_CALL ? e->call_value : NULL;
    default:
        return e->args[i - 3];
    }
}


/* ---------------- statements ---------------- */
typedef enum StmtKind {
    ST_LET,      /* let name[: tref] = init; */
    ST_ASSIGN,   /* target op= value;   op is -1 for plain '=' else a BinOp */
    ST_EXPR,     /* expr; */
    ST_IF,       /* if expr then [else els] ; els is a Block (an else-if is a block of one ST_IF) */
    ST_FOR,      /* for name in lo..hi body   or   for name in iter body */
    ST_RETURN,   /* return [expr]; */
    ST_EMIT,     /* emit call;      call is an EX_CALL naming an event */
    ST_REVERT,   /* revert call;    call names an error, or expr is a string message */
    ST_REQUIRE,  /* require expr [else call-or-string]; */
    ST_ASSERT,   /* assert expr; */
    ST_BLOCK,    /* { ... } */
    ST_BREAK,
    ST_CONTINUE,
    ST_COUNT
} StmtKind;

struct Block {
    Stmt **stmts;
    int n;
    Span span;
};

/* Like an expression, a statement is allocated with only the bytes its kind uses
 * (stmt_size[kind]: 24 to 88 bytes; a return is 32, an assignment 40, a let 72): its
 * fields share three slots. Read a field only on the kinds its comment names; test builds
 * poison the bytes past the kind's end. stmt_nchildren/stmt_expr_child/stmt_block_child
 * list the children for generic walkers. */
struct Stmt {
    uint8_t kind;         /* StmtKind */
    int8_t op;            /* ST_ASSIGN: -1 for plain '=', else a BinOp */
    bool is_ghost;        /* `ghost x = e;` — an update of a ghost variable */
    bool unreachable;     /* sema: follows a return/revert in the same block */
    Span span;
    uint32_t trip_bound;  /* sema, ST_FOR: the compile-time bound on iterations */
    union {               /* slot A */
        Expr *expr;       /* ST_EXPR, ST_RETURN, ST_IF cond, ST_REQUIRE cond, ST_ASSERT,
                             ST_REVERT string message (EX_STRING, the same node as msg) */
        Expr *target;     /* ST_ASSIGN */
        Expr *init;       /* ST_LET */
        Block *body;      /* ST_FOR, ST_BLOCK */
    };
    union {               /* slot B */
        Expr *call;       /* ST_EMIT, ST_REVERT, ST_REQUIRE else-error: EX_CALL */
        Expr *value;      /* ST_ASSIGN */
        Block *then;      /* ST_IF */
        TypeRef *tref;    /* ST_LET optional type */
        Expr *lo;         /* ST_FOR over a range */
    };
    union {               /* slot C */
        Expr *msg;        /* ST_REQUIRE / ST_REVERT with a string message */
        Block *els;       /* ST_IF */
        Sym *sym;         /* sema, ST_LET / ST_FOR: the local declared */
    };
    const char *name;     /* ST_LET, ST_FOR variable */
    Span name_span;       /* ST_LET, ST_FOR */
    Expr *hi;             /* ST_FOR over a range */
    Expr *iter;           /* ST_FOR over a list/array */
};
_Static_assert(sizeof(Stmt) == 88, "Stmt layout: a for statement is 88 bytes");

#define STMT_END(field) NODE_END(Stmt, field)
static const uint8_t stmt_size[ST_COUNT] = {
    [ST_LET] = STMT_END(name_span), [ST_ASSIGN] = STMT_END(value),
    [ST_EXPR] = STMT_END(expr),     [ST_IF] = STMT_END(els),
    [ST_FOR] = STMT_END(iter),      [ST_RETURN] = STMT_END(expr),
    [ST_EMIT] = STMT_END(call),     [ST_REVERT] = STMT_END(msg),
    [ST_REQUIRE] = STMT_END(msg),   [ST_ASSERT] = STMT_END(expr),
    [ST_BLOCK] = STMT_END(body),    [ST_BREAK] = STMT_END(trip_bound),
    [ST_CONTINUE] = STMT_END(trip_bound),
};

/* The expressions a statement holds, whatever its kind: stmt_expr_child(s, i) for i below
 * STMT_NEXPRS, NULL for what the kind does not have (a revert's string message once). */
enum { STMT_NEXPRS = 6 };
static inline Expr *stmt_expr_child(const Stmt *s, int i) {
    switch (s->kind) {
    case ST_LET: return i == 0 ? s->init : NULL;
    case ST_ASSIGN: return i == 0 ? s->target : i == 1 ? s->value : NULL;
    case ST_EXPR: case ST_RETURN: case ST_ASSERT: case ST_IF: return i == 0 ? s->expr : NULL;
    case ST_FOR: return i == 0 ? s->lo : i == 1 ? s->hi : i == 2 ? s->iter : NULL;
    case ST_EMIT: return i == 0 ? s->call : NULL;
    case ST_REVERT: return i == 0 ? s->call : i == 1 ? s->msg : NULL;
    case ST_REQUIRE: return i == 0 ? s->expr : i == 1 ? s->call : i == 2 ? s->msg : NULL;
    default: return NULL;
    }
}
/* The blocks a statement holds: i below 2 (then/else, or a loop's or block's body). */
static inline Block *stmt_block_child(const Stmt *s, int i) {
    switch (s->kind) {
    case ST_IF: return i == 0 ? s->then : i == 1 ? s->els : NULL;
    case ST_FOR: case ST_BLOCK: return i == 0 ? s->body : NULL;
    default: return NULL;
    }
}

/* ---------------- declarations ---------------- */
typedef enum DeclKind {
    D_IMPORT,     /* import std.math;     name = "std.math" */
    D_CONTRACT,   /* contract Name [: Base, ...] { members } */
    D_INTERFACE,  /* interface Name { fn signatures } */
    D_STRUCT,     /* struct Name { fields } */
    D_FN,         /* [pub] [view] [payable] [reentrant] fn name(params) [-> ret] specs body */
    D_INIT,       /* init(params) [payable] specs body */
    D_STORAGE,    /* [pub] storage name: T;   pub generates a view getter, as solc does */
    D_GHOST,      /* ghost name: T; */
    D_CONST,      /* const NAME: T = expr; */
    D_EVENT,      /* event Name(indexed a: T, b: U); */
    D_ERROR,      /* error Name(a: T); */
    D_INVARIANT,  /* invariant expr; */
    D_COUNT
} DeclKind;

enum {
    DF_PUB = 1 << 0,
    DF_VIEW = 1 << 1,
    DF_PAYABLE = 1 << 2,
    DF_REENTRANT = 1 << 3,
    DF_SPEC_CALLED = 1 << 4, /* sema: called from a spec (not in any callees list) */
};

typedef struct Param {
    const char *name;
    TypeRef *tref;
    Type *type;     /* sema */
    Sym *sym;       /* sema: the parameter as a local */
    Span span;
    bool indexed;   /* event fields */
} Param;

typedef enum SpecKind { SP_REQUIRES, SP_ENSURES, SP_REVERTS_IF, SP_COUNT } SpecKind;

typedef struct Spec {
    SpecKind kind;
    Span span;
    Expr *expr;
} Spec;

/* A declaration is allocated with only the bytes its kind uses (decl_size[kind]): the
 * fields every kind has come first, then those of functions (the most common), then those
 * of storage, constants and invariants, then those of contracts and interfaces. Read a
 * field only on the kinds its comment names; in test builds the bytes past a kind's end
 * are poisoned, so a read of a field the kind does not have traps. */
struct Decl {
    uint8_t kind;          /* DeclKind */
    /* sema flags */
    bool calls_external;   /* fn: performs an external call (directly or via callees) */
    bool writes_storage;   /* fn: writes storage (directly or via callees) */
    bool emits;            /* fn: emits an event directly */
    bool may_reenter;      /* fn: makes an external call that can re-enter (a non-view
                              interface function or send; view calls are static calls),
                              directly or via callees — what the reentrancy rule tracks */
    bool is_free;          /* fn: a free function (no contract: cannot touch storage) */
    bool const_busy;       /* D_CONST: being evaluated (cycle detection) */
    bool const_done;       /* D_CONST: const_value is valid */
    unsigned flags;        /* DF_* */
    int file;              /* source file id */
    Span span;
    Span name_span;
    const char *name;      /* interned; NULL for invariants */
    Decl *parent;          /* enclosing contract / interface */
    Param *params;         /* fn, init, event, error, struct fields */
    int nparams;
    /* sema */
    int index;             /* storage: declaration order within the contract (bases first);
                              ghosts are numbered the same way, separately from storage */
    uint32_t selector;     /* the same decls as signature: first 4 bytes of keccak256(signature) */
    int state;             /* sema-private scratch (cycle detection) */
    Type *type;            /* storage/ghost/const type, fn return type, struct/iface type */
    Sym *sym;
    char *signature;       /* pub fn / event / error / interface fn: "transfer(address,uint256)";
                              pub storage: its getter "balances(address)" (map keys and
                              array indices become parameters, as in solc) */
    struct FnRegion *region; /* fn/init/invariant: where its body and specs live */
    /* ---- fn, init (and every kind below) ---- */
    TypeRef *ret;          /* fn return type or NULL */
    Spec *specs;
    Block *body;           /* fn/init; NULL in an interface */
    Decl **callees;        /* fn/init: internal functions it calls directly (call graph), each once */
    Span *callee_spans;    /* where each callee is first called */
    int nspecs;
    int ncallees;
    int nlocals;           /* fn/init: params, locals and loop variables, numbered by Sym.index */
    /* ---- invariant, storage, ghost, const (and every kind below) ---- */
    Expr *expr;            /* invariant */
    TypeRef *tref;         /* storage, ghost, const */
    Expr *init;            /* const value */
    U256 const_value;      /* D_CONST after evaluation */
    /* ---- contract, interface ---- */
    Decl **members;        /* contract / interface */
    const char **bases;    /* contract bases */
    Span *base_spans;
    Decl **all_members;    /* contract: own members after bases, in layout order (each base
                              once, depth first); at most one D_INIT: its own, else the one
                              inherited. Decl.index is a member's place in the layout of the
                              contract that declares it: lay out a contract by all_members. */
    struct Scope *scope;   /* contract / interface: its member scope (sema-private) */
    int nmembers;
    int nbases;
    int nall_members;
};
_Static_assert(sizeof(Decl) <= 280, "Decl layout");

#define DECL_END(field) NODE_END(Decl, field)
static const uint16_t decl_size[D_COUNT] = {
    [D_IMPORT] = DECL_END(region),      [D_STRUCT] = DECL_END(region),
    [D_EVENT] = DECL_END(region),       [D_ERROR] = DECL_END(region),
    [D_FN] = DECL_END(nlocals),         [D_INIT] = DECL_END(nlocals),
    [D_INVARIANT] = DECL_END(expr),     [D_STORAGE] = DECL_END(tref),
    [D_GHOST] = DECL_END(tref),         [D_CONST] = DECL_END(const_value),
    [D_CONTRACT] = sizeof(Decl),        [D_INTERFACE] = sizeof(Decl),
};
/* Does declaration d have `field` (code that walks every kind, such as tree dumps)? */
#define DECL_HAS(d, field) (decl_size[(d)->kind] >= DECL_END(field))

/* A function's body (its statements, expressions, type references and the symbols of its
 * locals) and its spec clauses (an invariant's expression too) live in regions of their
 * own, each released once the last IR module that lowers it has lowered it: the tree of
 * what is already lowered and the IR of what is not yet lowered are never alive together.
 * The declaration, its parameters and their symbols stay in the compilation's arena. */
typedef struct FnRegion {
    Arena body;
    Arena specs;
    Decl *last_lowerer;       /* the last contract whose module lowers them (fe_lower) */
    bool body_released, specs_released;
    struct FnRegion *next;    /* Program.regions */
} FnRegion;

/* ---------------- symbols ---------------- */
typedef enum SymKind {
    SYM_LOCAL, SYM_PARAM, SYM_LOOP_VAR, SYM_FORALL_VAR,
    SYM_STORAGE, SYM_GHOST, SYM_CONST,
    SYM_FN, SYM_EVENT, SYM_ERROR, SYM_STRUCT, SYM_INTERFACE, SYM_CONTRACT,
    SYM_BUILTIN,
    SYM_COUNT
} SymKind;

struct Sym {
    uint8_t kind;     /* SymKind */
    uint8_t builtin;  /* Builtin, SYM_BUILTIN */
    int index;        /* locals: number within the function, for the lowering */
    int uses;         /* reads, for the unused-local warning */
    Span span;        /* where it is declared (for "first defined here" notes) */
    const char *name;
    Type *type;
    Decl *decl;       /* for declarations */
    Decl *fn;         /* locals/params: the function that declares it */
};
_Static_assert(sizeof(Sym) <= 56, "Sym layout");

/* ---------------- a whole program: the root file and what it imports ---------------- */
typedef struct Module {
    int file;          /* source file id */
    const char *name;  /* "std.math" for imports, the path for the root */
    Decl **items;
    int nitems;
} Module;

typedef struct Program {
    Arena *arena;
    Interner *names;
    SrcSet *srcs;
    DiagSink *diags;
    Module **modules;  /* modules[0] is the root file; imports follow, each once */
    int nmodules;
    Decl **contracts;  /* every contract of the root module, in source order (sema) */
    int ncontracts;
    FnRegion *regions;  /* every function's and invariant's regions, for fe_free */
    /* The type references of declarations (parameters, fields, returns, storage and
     * constants) are needed until the checker has resolved them into Types: fe_check
     * frees them (then Decl.type says whether a function returns a value). */
    Arena decl_types;
} Program;

#endif
