/* lia.h — verify/'s integer view of its bit-vector formulas (lia.c): a quick first try at
 * proving an obligation with linear integer arithmetic before the bit-blaster sees it. */
#ifndef WRIT_LIA_H
#define WRIT_LIA_H

#include <stdbool.h>
#include <z3.h>

typedef struct Lia Lia;

/* A solver over the integer view of `assume` (a Bool over bit-vectors, arrays of them and
 * uninterpreted functions), with a resource limit per check (deterministic). */
Lia *lia_open(Z3_context z, unsigned rlimit, Z3_ast assume);
/* True when assume && phi has no model in the integer view, hence none as bit-vectors: the
 * view is exact for what it translates and gives up information (never adds any) for what
 * it does not, so unsat here is unsat there. False: satisfiable, unknown or not tried. */
bool lia_unsat(Lia *l, Z3_ast phi);
/* How many checks so far ran out of the limit (the caller stops asking after a few). */
int lia_unknowns(const Lia *l);
/* The most resource units one check used (only counted with WRIT_VERIFY_STATS set). */
unsigned lia_max_rlimit(const Lia *l);
void lia_close(Lia *l);

#endif
