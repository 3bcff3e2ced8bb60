/* verify.h — the public header of the verifier: each public function of an IR module
 * becomes one quantifier-free bit-vector formula (Z3), and every check, assert, ensures
 * and invariant is an obligation with a verdict: proved, violated (with a counterexample
 * read from the model) or unknown (with the reason). Z3 never leaks out of verify/. */
#ifndef WRIT_VERIFY_H
#define WRIT_VERIFY_H

#include "ir/ir.h"

typedef enum VerVerdict { VER_PROVED, VER_VIOLATED, VER_UNKNOWN } VerVerdict;

/* A value the model chose: an argument, or a storage place of the pre-state. */
typedef struct VerValue {
    const char *name;      /* "amount", or the place as text: "balances[0x1]" */
    IrType *type;
    U256 value;            /* the bits (two's complement for signed types) */
    int var;               /* pre-state places: IrModule.storage index; -1 for arguments */
    int nkeys;             /* map keys along the place, outermost first */
    U256 *keys;
    IrType **key_types;
} VerValue;

/* One transaction of a counterexample. */
typedef struct VerStep {
    const char *func;      /* the public function, or init */
    int fidx;              /* IrModule.funcs index */
    VerValue *args;        /* one per parameter, in order (type NULL: not modelled, any value) */
    int nargs;
    U256 env[IR_ENV_COUNT];/* msg.sender, msg.value, block.number... as the model chose them */
    bool env_used[IR_ENV_COUNT];
} VerStep;

/* A counterexample in machine form: what a replay on the VM or a scenario file needs.
 * from_init: the steps start at deployment (init is steps[0]), no pre-state is assumed.
 * Otherwise one step runs on a contract whose storage holds `pre` (every other place 0). */
typedef struct VerCex {
    bool from_init;
    VerStep *steps;
    int nsteps;
    VerValue *pre;
    int npre;
} VerCex;

typedef struct VerResult {
    VerVerdict verdict;
    const char *kind;      /* "overflow", "division by zero", "assertion", "postcondition"... */
    const char *func;      /* the public function (or init) whose transition is checked */
    const char *where;     /* the function holding the instruction (differs when inlined) */
    Span span;
    IrInstr *at;           /* the check instruction; NULL for ensures and invariants */
    const char *detail;    /* violated: "amount = 5, msg.sender = 0x1, ..."; unknown: reason */
    VerCex *cex;           /* violated: the counterexample in machine form (else NULL) */
    int confirmed;         /* violated: 1 replayed on the VM and it failed there, 0 not replayed,
                            * -1 replayed and it did not fail (reported as unknown) */
    int fidx;              /* IrModule.funcs index of `func` (-1: a sequence from init) */
    bool keep;             /* a proved check whose proof may not remove it: it used the
                            * function's `requires` (not enforced at run time) or it fires only
                            * where the function's reverts_if announces a revert */
    bool uses_invariants;  /* the proof assumed the contract invariants at entry */
} VerResult;

typedef struct VerReport {
    VerResult *results;    /* from the module's arena */
    int n, cap;
    int proved, violated, unknown;
} VerReport;

/* Resource limit of one query (Z3 rlimit units: deterministic, not wall time). */
enum { VER_RLIMIT_DEFAULT = 20000000 };

typedef struct VerOptions {
    unsigned rlimit;       /* per query; 0: VER_RLIMIT_DEFAULT */
    int depth;             /* multi-transaction search: sequences of up to `depth` public calls
                            * after init (0: no search) */
    int only_func;         /* -1: every function; else only this IrModule.funcs index (a worker
                            * of --jobs takes a share of the functions) */
    bool checks_only;      /* only the check instructions (what `writ build` needs to drop the
                            * proven ones); no spec obligations, no search */
} VerOptions;

/* Verifies init and every public function of m (or the one o->only_func names),
 * appending results to rep. */
void ver_module_verify(IrModule *m, const VerOptions *o, VerReport *rep);
/* Appends one result to rep (grown in m's arena) and counts its verdict: for the
 * verifier's own results and for results read back from a cache or a worker. */
void ver_report_add(IrModule *m, VerReport *rep, VerResult r);
/* Sets IR_F_PROVEN on every check instruction all of whose results in rep are proved. */
void ver_mark_proven(const VerReport *rep);

#endif
