/* astmemo.c — the AST-id map of astmemo.h. */
#include "astmemo.h"

#include <stdlib.h>

enum { ASTMEMO_FIRST = 256 };

static unsigned slot(unsigned id, unsigned cap) {
    return (id * 2654435761u) & (cap - 1);
}

Z3_ast astmemo_get(const AstMemo *m, unsigned id, bool *found) {
    if (found)
        *found = false;
    if (!m->cap)
        return NULL;
    for (unsigned h = slot(id, m->cap);; h = (h + 1) & (m->cap - 1)) {
        if (m->id[h] == 0)
            return NULL;
        if (m->id[h] == id + 1) {
            if (found)
                *found = true;
            return m->val[h];
        }
    }
}

void astmemo_put(AstMemo *m, unsigned id, Z3_ast v) {
    if (2 * (m->n + 1) > m->cap) {
        unsigned cap = m->cap ? 2 * m->cap : ASTMEMO_FIRST;
        AstMemo nm = {calloc(cap, sizeof *nm.id), calloc(cap, sizeof *nm.val), cap, 0};
        if (!nm.id || !nm.val) {
            free(nm.id), free(nm.val);
            return;
        }
        for (unsigned i = 0; i < m->cap; i++)
            if (m->id[i])
                astmemo_put(&nm, m->id[i] - 1, m->val[i]);
        free(m->id), free(m->val);
        *m = nm;
    }
    unsigned h = slot(id, m->cap);
    while (m->id[h])
        h = (h + 1) & (m->cap - 1);
    m->id[h] = id + 1;
    m->val[h] = v;
    m->n++;
}

void astmemo_free(AstMemo *m) {
    free(m->id), free(m->val);
    *m = (AstMemo){0};
}
