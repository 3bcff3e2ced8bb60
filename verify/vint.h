/* vint.h — verify/'s internal header: the encoder's state shared by encode.c (IR -> Z3
 * terms) and verify.c (obligations, queries, counterexamples). */
#ifndef WRIT_VINT_H
#define WRIT_VINT_H

#include <string.h>
#include <z3.h>

#include "verify.h"
#include "astmemo.h"

/* One thing to prove: `cond` holds whenever `pc` does (under the function's assumptions). */
/* The abstraction an uninterpreted keccak puts on what is encoded after it (Enc.approx). */
#define VER_APPROX_KECCAK "keccak is uninterpreted"

/* Two abstractions in force as one reason: the first, except that any other outranks
 * keccak's (only a keccak-only model may be confirmed by replay: verify.c). */
static inline const char *approx_join(const char *a, const char *b) {
    if (!a || (b && strcmp(a, VER_APPROX_KECCAK) == 0))
        return b ? b : a;
    return a;
}

typedef struct VObl {
    const void *key;      /* what merges repeated obligations: the check or the spec function */
    IrInstr *at;          /* check instruction, or NULL (spec obligations) */
    IrFunc *where;        /* the function holding `at` / the spec function */
    const char *kind;
    Span span;
    Z3_ast pc, cond;      /* cond NULL: the obligation could not be encoded (unknown) */
    const char *approx;   /* the abstraction in force when it was encoded (NULL: exact) */
} VObl;

/* Values of `sum(m)` are bit-vectors of VER_WIDE bits read as signed: wide enough that a
 * map's sum (at most 2^160 keys of at most 2^256) and anything a spec adds to or
 * subtracts from it is exact, so `sum` is the unbounded integer of the reference. */
enum { VER_WIDE = 512 };

/* A key at which a map variable with a tracked sum is read or written: the pre-state
 * values at these keys are bounded by the pre-state sum (axioms added per query). */
typedef struct VKey {
    int var;
    Z3_ast key;
} VKey;

/* A storage read, kept to print the pre-state values a counterexample depends on. */
typedef struct VRead {
    int var;
    int nkeys;
    Z3_ast keys[4];
    IrType *key_types[4];
    IrType *type;
} VRead;

typedef struct Enc {
    Z3_context z;
    IrModule *m;
    Arena *arena;                 /* per public function */
    /* The state is an array of nst terms: the storage variables [0, ns), the tracked sum
     * of each map variable [ns, 2ns) (NULL when its sum is not used), the contract's
     * balance at 2ns. */
    int ns, nst;
    bool *has_sum;                /* per variable: a map of integers whose sum() a spec reads */
    bool havoc_xcall;             /* external calls may re-enter and change the storage */
    Z3_ast *entry;                /* the pre-state (NULL entries: unsupported type) */
    Z3_ast env[IR_ENV_COUNT];
    bool env_used[IR_ENV_COUNT];
    const char *fail;             /* why the function cannot be encoded (NULL when it can) */
    const char *approx;           /* an abstraction the formula relies on (NULL: exact) */
    int fresh;
    bool in_spec;                 /* encoding a spec function: no obligations */
    VObl *obls; int nobls, cap;
    VRead *reads; int nreads, rcap;
    VKey *skeys; int nskeys, skcap;
    bool agg;                     /* tuples (structs, lists, strings) in the formulas */
    Z3_ast defs;                  /* definitions of fresh constants (quotients) and what the call
                                   * summaries proved of their callees: always true */
    struct VDiv { Z3_ast x, c, q, r; } *divs; int ndivs, dcap;
    /* checked adds and subs (their check dominates every use of the value): the value's
     * term and its operands, so that a wide comparison reads the value extended to
     * VER_WIDE bits as the exact sum or difference it is; `unsafe`: the same term also
     * came from a wrapping operation, so it is never split; `sgn`: a signed operation,
     * exact when sign-extended (an unsigned one when zero-extended) */
    struct VSplit { Z3_ast v, a, b; bool sub, sgn, unsafe; } *splits; int nsplits, spcap;
    /* call summaries (summary.c): per callee and shape of arguments (constants where the
     * calls pass one, NULL where free), whether its body was proved against its contract
     * in this transition; summarising > 0 while such a body is encoded (calls inlined) */
    struct VSum { int g; Z3_ast *shape; bool proved; } *sums; int nsums, sumcap;
    int summarising;
    /* Work done encoding this Enc's formulas, counted (never timed): one per instruction
     * encoded (loop copies and inlined bodies included), more for a product or quotient of
     * two variables (Z3 bit-blasts those into width^2 gates before its resource limit
     * counts). Past work_max the encoding fails: the function is unknown, "formula
     * too large", instead of minutes and gigabytes in Z3. */
    long work;
    /* the same, since the transition being encoded began (the multi-transaction search
     * encodes many in one Enc: each gets work_max, all together ENC_SEARCH_WORKS times it) */
    long tx_work;
    long work_max;        /* per transition (the search: 8 times it in all); enc_work_max */
} Enc;

enum { ENC_WORK_MAX = 2000, ENC_SEARCH_WORKS = 8 };

/* The encoding budget for a query limit: ENC_WORK_MAX at the default limit and below (a
 * build's), growing with the limit above it, so `--rlimit` buys bigger formulas too. */
static inline long enc_work_max(unsigned rlimit) {
    long scaled = (long)(rlimit / (VER_RLIMIT_DEFAULT / ENC_WORK_MAX));
    return scaled > ENC_WORK_MAX ? scaled : ENC_WORK_MAX;
}

#define ENC_SUM(e, v) ((e)->ns + (v))
#define ENC_BAL(e) (2 * (e)->ns)

/* Sets up e's state layout for m (nst, has_sum, havoc_xcall); f is the public function
 * whose transition is encoded (NULL for a sequence). */
void enc_setup(Enc *e, IrModule *m, IrFunc *f);
/* Fresh pre-state (every variable, sum and the balance) or, for init, the zeroed one. */
void enc_prestate(Enc *e, bool zeroed, Z3_ast *st);
/* Facts true of any pre-state `pre`: every tracked sum bounds the values at the keys the
 * encoding touched (singly and in distinct pairs). */
Z3_ast enc_sum_axioms(Enc *e, Z3_ast *pre, int from_key);
/* The value (Bool) of spec function sp with its owner's arguments, on `state`, with `old`
 * for old() and `result`; NULL when it cannot be encoded (e->fail cleared). */
Z3_ast enc_spec(Enc *e, IrFunc *sp, Z3_ast *args, Z3_ast *state, Z3_ast *old, Z3_ast result);
/* Appends an obligation; one with the same key and kind is merged into it (its failure
 * condition becomes the disjunction). */
void enc_add_obl(Enc *e, const void *key, IrInstr *at, IrFunc *where, const char *kind,
                 Span span, Z3_ast pc, Z3_ast cond);
/* Appends an obligation as it is (no merging with an earlier one of the same key). */
void enc_push_obl(Enc *e, VObl o);
/* Drops what encode.c keeps per Z3 context (the tuple sorts), before it is deleted. */
void enc_forget(Z3_context z);
/* Lists and strings (at the top of v or in its struct fields) within their bounds. */
Z3_ast enc_len_bounds(Enc *e, Z3_ast v, IrType *t);
/* a as a VER_WIDE-bit value (from type t), and back to t's width. */
Z3_ast enc_wide(Enc *e, Z3_ast a, IrType *t);
Z3_ast enc_narrow(Enc *e, Z3_ast a, IrType *t);

/* Sort of a scalar or map type; NULL when the encoder does not model the type. */
Z3_sort enc_sort(Enc *e, IrType *t);
Z3_ast enc_fresh(Enc *e, const char *name, Z3_sort s);
/* Encodes f inlined: `args` are its parameters, `pc` the path condition at its entry,
 * `state` the storage on entry (replaced by the storage on a normal return). On return,
 * *ok is the condition of a normal return and *val the returned value (NULL for void).
 * `old` and `result` serve spec functions. False when the function cannot be encoded
 * (e->fail says why). */
bool enc_func(Enc *e, IrFunc *f, Z3_ast *args, Z3_ast pc, Z3_ast *state, Z3_ast *old,
              Z3_ast result, Z3_ast *ok, Z3_ast *val, int depth);

/* The callee's `requires` at call `in` (arguments av, storage st): an obligation on the
 * path *cur, assumed past the call. */
void enc_call_requires(Enc *e, IrInstr *in, Z3_ast *av, Z3_ast *st, Z3_ast *cur);
/* summary.c: encodes call `in` by the callee's summary when it has one (the result in
 * *val, the path past a normal return in *cur); false when the call must be inlined. */
bool enc_summary_call(Enc *e, IrInstr *in, Z3_ast *av, Z3_ast *st, Z3_ast *cur, Z3_ast *val,
                      int depth);

/* One solver for the queries of a transition (verify.c). */
typedef struct Query {
    Enc *e;
    Z3_solver s;
    unsigned rlimit;
    IrFunc *f;
    int fidx;
    Z3_ast *params;
    AstMemo memo;         /* tidy()'s memo: AST id -> rewritten AST */
    int exhausted;        /* queries that ran out of rlimit so far */
    const char *label;    /* the obligation being decided (for WRIT_VERIFY_STATS) */
} Query;
void ver_query_open(Query *q, Enc *e, unsigned rlimit, IrFunc *f, int fidx, Z3_ast *params,
                    Z3_ast assume);
void ver_query_close(Query *q);
/* A formula as it should reach the solver (simplified, no products by -1). */
Z3_ast ver_tidy(Query *q, Z3_ast a);

/* verify.c, shared with seq.c: fresh environment constants; the start of a transaction of
 * f from `pre` into `state` (value credited), returning the facts every call of f has. */
void ver_env(Enc *e);
char *ver_cat(Arena *ar, const char *a, const char *b);
bool ver_model_bits(Z3_context z, Z3_model mdl, Z3_ast x, IrType *t, U256 *out);
void ver_show_bits(U256 u, IrType *t, char *buf, size_t size);
/* seq.c: the multi-transaction search from init over the results of the single-transaction
 * analysis (the ones not proved are its targets); rewrites the results it settles. */
void ver_search(IrModule *m, const VerOptions *o, unsigned rlimit, VerReport *rep, int first,
                VerReport *out, Z3_context z);
Z3_ast ver_tx_start(Enc *e, IrFunc *f, Z3_ast *pre, Z3_ast *state);

#endif
