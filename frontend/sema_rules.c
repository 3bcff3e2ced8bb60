/* sema_rules.c — the safety rules that need every body checked first: no recursion (the
 * call graph is acyclic; the error names the cycle), effects closed over the call graph
 * (Decl.writes_storage, calls_external, may_reenter), and no storage write after an external
 * call that can re-enter, on any path, unless the function is `reentrant` (REFERENCE §6). */
#include <string.h>

#include "sema.h"

static const char *fn_name(Decl *f) {
    return f->kind == D_INIT ? "init" : f->name ? f->name : "?";
}

/* ---------------- recursion ---------------- */

typedef struct Walk {
    Sema *s;
    Decl **stack;
    int depth;
} Walk;

static void dfs(Walk *w, Decl *f) {
    f->state = 1;
    w->stack[w->depth++] = f;
    for (int i = 0; i < f->ncallees; i++) {
        Decl *g = f->callees[i];
        if (g->state == 1) {
            int k = w->depth - 1;
            while (k > 0 && w->stack[k] != g)
                k--;
            size_t len = 0;
            for (int j = k; j < w->depth; j++)
                len += strlen(fn_name(w->stack[j])) + 4;
            len += strlen(fn_name(g)) + 1;
            char *path = arena_alloc(w->s->a, len);
            char *o = path;
            for (int j = k; j < w->depth; j++) {
                size_t n = strlen(fn_name(w->stack[j]));
                memcpy(o, fn_name(w->stack[j]), n);
                o += n;
                memcpy(o, " -> ", 4);
                o += 4;
            }
            memcpy(o, fn_name(g), strlen(fn_name(g)) + 1);
            diag_error(w->s->d, f->callee_spans[i], "recursion is not allowed: %s", path);
        } else if (g->state == 0 && g->body) {
            dfs(w, g);
        }
    }
    w->depth--;
    f->state = 2;
}

/* ---------------- reentrancy ---------------- */

typedef struct RState {
    bool dead;      /* no path reaches here */
    Expr *ext;      /* an external call that happened on some path to here */
    Decl *via;      /* when ext is a call of an internal function that calls out */
} RState;

typedef struct Reent {
    Sema *s;
    Decl *fn;
    PtrVec reported;  /* sites already reported (loops are walked twice) */
    RState *jumps;    /* break/continue states of the innermost loop */
} Reent;

static RState join(RState a, RState b) {
    if (a.dead)
        return b;
    if (b.dead)
        return a;
    RState r = a;
    if (!r.ext) {
        r.ext = b.ext;
        r.via = b.via;
    }
    return r;
}

static void report(Reent *r, Expr *site, RState *st, const char *what) {
    if (!st->ext || st->dead || (r->fn->flags & DF_REENTRANT))
        return;
    for (int i = 0; i < r->reported.len; i++)
        if (r->reported.items[i] == site)
            return;
    ptrvec_push(r->s->a, &r->reported, site);
    Diag *d = diag_error(r->s->d, site->span,
                         "%s after an external call; mark '%s' `reentrant` to allow it", what,
                         fn_name(r->fn));
    if (st->via)
        diag_note(r->s->d, d, st->ext->span, "'%s' makes an external call, called here",
                  fn_name(st->via));
    else
        diag_note(r->s->d, d, st->ext->span, "the external call is here");
}

static bool is_storage_place(Expr *e) {
    Expr *root = sema_root(e);
    return e && e->is_lvalue_storage && root && root->kind == EX_NAME && root->sym &&
           root->sym->kind == SYM_STORAGE;
}

static void r_expr(Reent *r, Expr *e, RState *st);

/* Evaluates the index expressions of a place (the place itself is written, not read). */
static void r_place(Reent *r, Expr *e, RState *st) {
    while (e && (e->kind == EX_INDEX || e->kind == EX_FIELD)) {
        if (e->kind == EX_INDEX)
            r_expr(r, e->rhs, st);
        e = e->lhs;
    }
}

static void r_expr(Reent *r, Expr *e, RState *st) {
    if (!e || st->dead)
        return;
    switch (e->kind) {
    case EX_CALL: {
        if (e->lhs && e->lhs->kind == EX_FIELD)
            r_expr(r, e->lhs->lhs, st);
        for (int i = 0; i < e->nargs; i++)
            r_expr(r, e->args[i], st);
        r_expr(r, e->call_value, st);
        bool reenters = e->builtin == BI_SEND ||
                        (e->builtin == BI_EXT_CALL && e->callee_decl &&
                         !(e->callee_decl->flags & DF_VIEW));
        if (e->builtin == BI_EXT_CALL || e->builtin == BI_SEND) {
            /* a view function is called with STATICCALL: it cannot re-enter to change state */
            if (reenters && !st->ext) {
                st->ext = e;
                st->via = NULL;
            }
        } else if (e->builtin == BI_PUSH || e->builtin == BI_POP) {
            if (is_storage_place(e->lhs->lhs))
                report(r, e, st, "storage write");
        } else if (e->builtin == BI_NONE && e->callee_decl) {
            Decl *g = e->callee_decl;
            if (g->writes_storage && st->ext)
                report(r, e, st,
                       sema_fmt(r->s, "call of '%s' (which writes storage)", fn_name(g)));
            if (g->may_reenter && !st->ext) {
                st->ext = e;
                st->via = g;
            }
        }
        return;
    }
    case EX_FORALL:
        return;
    case EX_STRUCT_LIT: case EX_ARRAY_LIT:
        for (int i = 0; i < e->nargs; i++)
            r_expr(r, e->args[i], st);
        return;
    default:
        r_expr(r, e->lhs, st);
        if (e->kind == EX_BINARY || e->kind == EX_INDEX)
            r_expr(r, e->rhs, st);
        return;
    }
}

static void r_block(Reent *r, Block *b, RState *st);

static void r_stmt(Reent *r, Stmt *x, RState *st) {
    switch (x->kind) {
    case ST_LET:
        r_expr(r, x->init, st);
        break;
    case ST_ASSIGN:
        r_expr(r, x->value, st);
        r_place(r, x->target, st);
        if (!x->is_ghost && is_storage_place(x->target))
            report(r, x->target, st, "storage write");
        break;
    case ST_EXPR: case ST_ASSERT:
        r_expr(r, x->expr, st);
        break;
    case ST_IF: {
        r_expr(r, x->expr, st);
        RState a = *st, b = *st;
        r_block(r, x->then, &a);
        r_block(r, x->els, &b);
        *st = join(a, b);
        break;
    }
    case ST_FOR: {
        r_expr(r, x->lo, st);
        r_expr(r, x->hi, st);
        r_expr(r, x->iter, st);
        RState *outer = r->jumps;
        RState jumps = {true, NULL, NULL};
        r->jumps = &jumps;
        RState a = *st;
        r_block(r, x->body, &a);
        a = join(a, jumps);
        if (a.ext && !st->ext) {
            /* the second iteration runs after the first one's external call */
            RState b = a;
            r_block(r, x->body, &b);
            a = join(a, join(b, jumps));
        }
        r->jumps = outer;
        *st = join(*st, a);
        break;
    }
    case ST_RETURN:
        r_expr(r, x->expr, st);
        st->dead = true;
        break;
    case ST_REVERT:
        r_expr(r, x->call, st);
        st->dead = true;
        break;
    case ST_EMIT:
        r_expr(r, x->call, st);
        break;
    case ST_REQUIRE:
        r_expr(r, x->expr, st);
        break;
    case ST_BLOCK:
        r_block(r, x->body, st);
        break;
    case ST_BREAK: case ST_CONTINUE:
        if (r->jumps)
            *r->jumps = join(*r->jumps, *st);
        st->dead = true;
        break;
    case ST_COUNT:
        break;
    }
}

static void r_block(Reent *r, Block *b, RState *st) {
    if (!b)
        return;
    for (int i = 0; i < b->n && !st->dead; i++)
        if (b->stmts[i])
            r_stmt(r, b->stmts[i], st);
}

void sema_rules_compute(Sema *s) {
    Decl **fns = (Decl **)s->fns.items;
    int n = s->fns.len;
    /* 1. recursion */
    Walk w = {s, ARENA_ARRAY(&s->scratch, Decl *, n + 1), 0};
    for (int i = 0; i < n; i++)
        fns[i]->state = 0;
    for (int i = 0; i < n; i++)
        if (fns[i]->state == 0)
            dfs(&w, fns[i]);
    /* 2. effects through callees (a fixpoint also terminates on the cycles reported) */
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < n; i++) {
            Decl *f = fns[i];
            for (int k = 0; k < f->ncallees; k++) {
                Decl *g = f->callees[k];
                if (g->writes_storage && !f->writes_storage)
                    changed = f->writes_storage = true;
                if (g->calls_external && !f->calls_external)
                    changed = f->calls_external = true;
                if (g->may_reenter && !f->may_reenter)
                    changed = f->may_reenter = true;
            }
        }
    }
    /* 3. storage writes after external calls */
    for (int i = 0; i < n; i++) {
        Decl *f = fns[i];
        if ((f->flags & DF_REENTRANT) || !f->may_reenter || !f->body)
            continue;
        Reent r = {s, f, {0}, NULL};
        RState st = {false, NULL, NULL};
        r_block(&r, f->body, &st);
    }
}
