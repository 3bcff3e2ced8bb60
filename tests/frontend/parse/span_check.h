/* span_check.h — invariants of the parser's spans, shared by the fuzzer and the grammar
 * generator test: every span of a module's tree lies in its file and (after an error-free
 * parse) inside its parent's span. A violation aborts: the caller is a test. */
#ifndef WRIT_TESTS_SPAN_CHECK_H
#define WRIT_TESTS_SPAN_CHECK_H

#include <stdlib.h>

#include "frontend/internal.h"

typedef struct Ctx {
    int file;
    uint32_t len;
    bool nested; /* check that children lie inside parents (after an error-free parse) */
} Ctx;

static void check_span(Ctx *c, Span s, Span parent) {
    bool bad = s.file != c->file || s.start > s.end || s.end > c->len;
    if (c->nested && parent.file && (s.start < parent.start || s.end > parent.end))
        bad = true;
    if (bad) {
        fprintf(stderr, "span_check: span %u:%u..%u (parent %u..%u, file %d of %u bytes)\n",
                s.file, s.start, s.end, parent.start, parent.end, c->file, c->len);
        abort();
    }
}

static void walk_expr(Ctx *c, Expr *e, Span parent);

static void walk_type(Ctx *c, TypeRef *t, Span parent) {
    if (!t)
        return;
    check_span(c, t->span, parent);
    for (int i = 0; i < t->ntargs; i++)
        walk_type(c, t->targs[i], t->span);
    walk_type(c, tref_elem(t), t->span);
    walk_expr(c, tref_size(t), t->span);
}

static void walk_expr(Ctx *c, Expr *e, Span parent) {
    if (!e)
        return;
    check_span(c, e->span, parent);
    for (int i = 0; i < expr_nchildren(e); i++)
        walk_expr(c, expr_child(e, i), e->span);
    if (e->kind == EX_CAST)
        walk_type(c, e->tref, e->span);
}

static void walk_block(Ctx *c, Block *b, Span parent);

static void walk_stmt(Ctx *c, Stmt *s, Span parent) {
    check_span(c, s->span, parent);
    if (s->kind == ST_LET)
        walk_type(c, s->tref, s->span);
    for (int i = 0; i < STMT_NEXPRS; i++)
        walk_expr(c, stmt_expr_child(s, i), s->span);
    for (int i = 0; i < 2; i++)
        walk_block(c, stmt_block_child(s, i), s->span);
}

static void walk_block(Ctx *c, Block *b, Span parent) {
    if (!b)
        return;
    check_span(c, b->span, parent);
    for (int i = 0; i < b->n; i++)
        walk_stmt(c, b->stmts[i], b->span);
}

static void walk_decl(Ctx *c, Decl *d, Span parent) {
    check_span(c, d->span, parent);
    if (d->name && d->kind != D_INIT)
        check_span(c, d->name_span, d->span);
    for (int i = 0; i < d->nparams; i++) {
        check_span(c, d->params[i].span, d->span);
        walk_type(c, d->params[i].tref, d->span);
    }
    if (DECL_HAS(d, nlocals)) {
        walk_type(c, d->ret, d->span);
        for (int i = 0; i < d->nspecs; i++) {
            check_span(c, d->specs[i].span, d->span);
            walk_expr(c, d->specs[i].expr, d->specs[i].span);
        }
        walk_block(c, d->body, d->span);
    }
    if (DECL_HAS(d, expr))
        walk_expr(c, d->expr, d->span);
    if (DECL_HAS(d, tref))
        walk_type(c, d->tref, d->span);
    if (DECL_HAS(d, init))
        walk_expr(c, d->init, d->span);
    for (int i = 0; DECL_HAS(d, nall_members) && i < d->nmembers; i++)
        walk_decl(c, d->members[i], d->span);
}

/* Checks every item of module m of a compilation whose sources are srcs. */
static inline void span_check_module(SrcSet *srcs, Module *m, bool nested) {
    Ctx ctx = {m->file, src_get(srcs, m->file)->len, nested};
    for (int i = 0; i < m->nitems; i++)
        walk_decl(&ctx, m->items[i], (Span){0, 0, 0});
}

#endif
