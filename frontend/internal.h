/* internal.h — the frontend's internal interface: what its phases call of each other.
 * lex.c -> parse.c -> sema_*.c -> lower_*.c; all share ast.h. */
#ifndef WRIT_FRONTEND_INTERNAL_H
#define WRIT_FRONTEND_INTERNAL_H

#include "ast.h"
#include "frontend.h"

/* Parses one file into a Module (imports are listed as D_IMPORT items, not followed). */
Module *parse_module(Program *p, int file);

/* Frees every function's body and spec regions (FnRegion) that the lowering has not
 * released: fe_free does; a caller that parses with a Program of its own calls it before
 * freeing the Program's arena. */
void fe_free_regions(Program *p);

/* Name resolution, types, safety rules over every module of the program. */
bool sema_check(Program *p);

/* Lowers one checked contract to IR. */
IrModule *lower_contract(Program *p, Decl *contract, Arena *arena);

#endif
