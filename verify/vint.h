/* vint.h — verify/'s internal header: the encoder's state shared by encode.c (IR -> Z3
 * terms) and verify.c (obligations, queries, counterexamples). */
#ifndef WRIT_VINT_H
#define WRIT_VINT_H

#include <z3.h>

#include "verify.h"

/* One thing to prove: `cond` holds whenever `pc` does (under the function's assumptions). */
typedef struct VObl {
    IrInstr *at;          /* check instruction, or NULL (spec obligations) */
    IrFunc *where;        /* the function holding `at` / the spec function */
    const char *kind;
    Span span;
    Z3_ast pc, cond;
    const char *approx;   /* the abstraction in force when it was encoded (NULL: exact) */
} VObl;

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
    Z3_ast *entry;                /* storage arrays at entry, per variable (NULL: unsupported type) */
    Z3_ast env[IR_ENV_COUNT];
    bool env_used[IR_ENV_COUNT];
    const char *fail;             /* why the function cannot be encoded (NULL when it can) */
    const char *approx;           /* an abstraction the formula relies on (NULL: exact) */
    int fresh;
    bool in_spec;                 /* encoding a spec function: no obligations */
    VObl *obls; int nobls, cap;
    VRead *reads; int nreads, rcap;
} Enc;

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

#endif
