/* verify.h — the public header of the verifier: each public function of an IR module
 * becomes one quantifier-free bit-vector formula (Z3), and every check, assert, ensures
 * and invariant is an obligation with a verdict: proved, violated (with a counterexample
 * read from the model) or unknown (with the reason). Z3 never leaks out of verify/. */
#ifndef WRIT_VERIFY_H
#define WRIT_VERIFY_H

#include "ir/ir.h"

typedef enum VerVerdict { VER_PROVED, VER_VIOLATED, VER_UNKNOWN } VerVerdict;

typedef struct VerResult {
    VerVerdict verdict;
    const char *kind;      /* "overflow", "division by zero", "assertion", "postcondition"... */
    const char *func;      /* the public function (or init) whose transition is checked */
    const char *where;     /* the function holding the instruction (differs when inlined) */
    Span span;
    IrInstr *at;           /* the check instruction; NULL for ensures and invariants */
    const char *detail;    /* violated: "amount = 5, msg.sender = 0x1, ..."; unknown: reason */
} VerResult;

typedef struct VerReport {
    VerResult *results;    /* from the module's arena */
    int n, cap;
    int proved, violated, unknown;
} VerReport;

/* Resource limit of one query (Z3 rlimit units: deterministic, not wall time). */
enum { VER_RLIMIT_DEFAULT = 20000000 };

/* Verifies init and every public function of m, appending results to rep. */
void ver_module_verify(IrModule *m, unsigned rlimit, VerReport *rep);
/* Sets IR_F_PROVEN on every check instruction all of whose results in rep are proved. */
void ver_mark_proven(const VerReport *rep);

#endif
