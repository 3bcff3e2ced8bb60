/* fuzz_frontend.c — libFuzzer target over the front half of the frontend: lexer, parser,
 * and (when the input parses) the checker. Any crash, sanitizer report, leak or hang is a
 * bug; diagnostics are the expected outcome for most inputs. After parsing it also checks
 * that every span of the tree lies in its file and, when there was no error, inside its
 * parent's span, and that every diagnostic's span lies in its file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "frontend/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Ctx {
    int file;
    uint32_t len;
    bool nested; /* check that children lie inside parents (after an error-free parse) */
} Ctx;

static void check_span(Ctx *c, Span s, Span parent) {
    if (s.file != c->file || s.start > s.end || s.end > c->len)
        abort();
    if (c->nested && parent.file && (s.start < parent.start || s.end > parent.end))
        abort();
}

static void walk_expr(Ctx *c, Expr *e, Span parent);

static void walk_type(Ctx *c, TypeRef *t, Span parent) {
    if (!t)
        return;
    check_span(c, t->span, parent);
    for (int i = 0; i < t->ntargs; i++)
        walk_type(c, t->targs[i], t->span);
    walk_type(c, t->elem, t->span);
    walk_expr(c, t->size, t->span);
}

static void walk_expr(Ctx *c, Expr *e, Span parent) {
    if (!e)
        return;
    check_span(c, e->span, parent);
    walk_expr(c, e->lhs, e->span);
    walk_expr(c, e->rhs, e->span);
    walk_expr(c, e->body, e->span);
    walk_expr(c, e->call_value, e->span);
    for (int i = 0; i < e->nargs; i++)
        walk_expr(c, e->args[i], e->span);
    if (e->kind == EX_CAST)
        walk_type(c, e->tref, e->span);
}

static void walk_block(Ctx *c, Block *b, Span parent);

static void walk_stmt(Ctx *c, Stmt *s, Span parent) {
    check_span(c, s->span, parent);
    walk_type(c, s->tref, s->span);
    Expr *es[] = {s->init, s->target, s->value, s->expr, s->call, s->msg, s->lo, s->hi, s->iter};
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
        walk_expr(c, es[i], s->span);
    walk_block(c, s->then, s->span);
    walk_block(c, s->els, s->span);
    walk_block(c, s->body, s->span);
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
    walk_type(c, d->ret, d->span);
    for (int i = 0; i < d->nspecs; i++) {
        check_span(c, d->specs[i].span, d->span);
        walk_expr(c, d->specs[i].expr, d->specs[i].span);
    }
    walk_block(c, d->body, d->span);
    walk_type(c, d->tref, d->span);
    walk_expr(c, d->init, d->span);
    walk_expr(c, d->expr, d->span);
    for (int i = 0; i < d->nmembers; i++)
        walk_decl(c, d->members[i], d->span);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Compilation c;
    fe_init(&c, WRIT_SOURCE_DIR "/stdlib");
    bool ok = fe_load_text(&c, "fuzz.writ", (const char *)data, size);
    Program *p = c.prog;
    if (p->nmodules > 0) {
        Module *m = p->modules[0];
        Ctx ctx = {m->file, src_get(&c.srcs, m->file)->len, c.diags.errors == 0};
        for (int i = 0; i < m->nitems; i++)
            walk_decl(&ctx, m->items[i], (Span){0, 0, 0});
    }
    for (Diag *d = c.diags.first; d; d = d->next) {
        SrcFile *f = src_get(&c.srcs, d->span.file);
        if (f && (d->span.start > d->span.end || d->span.end > f->len))
            abort();
    }
    if (ok)
        fe_check(&c);
    fe_free(&c);
    return 0;
}
