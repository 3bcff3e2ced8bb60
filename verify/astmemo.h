/* astmemo.h — a map from Z3 AST ids to ASTs: the memo of every walk over Z3 terms in
 * verify/ (reads through writes, tidy, the nonlinear test, the integer view). Open
 * addressing, grown by doubling; the values may be NULL (astmemo_get's `found` tells). */
#ifndef WRIT_VERIFY_ASTMEMO_H
#define WRIT_VERIFY_ASTMEMO_H

#include <stdbool.h>
#include <z3.h>

typedef struct AstMemo {
    unsigned *id;         /* AST id + 1; 0: empty */
    Z3_ast *val;
    unsigned cap, n;
} AstMemo;

/* The value stored for id, or NULL; *found (when given) says whether id is there at all. */
Z3_ast astmemo_get(const AstMemo *m, unsigned id, bool *found);
/* Stores v for id (not there yet). When memory runs out the map stays as it was: a memo
 * that forgets only costs the walk its work again. */
void astmemo_put(AstMemo *m, unsigned id, Z3_ast v);
void astmemo_free(AstMemo *m);

#endif
