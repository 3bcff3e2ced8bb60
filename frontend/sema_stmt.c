/* sema_stmt.c — checking of function bodies and specs: locals and their scopes, assignments
 * (what may be written, and by whom), control flow (loop bounds, break/continue, returns on
 * every path), emit/revert/require, ghost updates, and the unreachable-code and
 * unused-local warnings. */
#include <string.h>

#include "sema.h"

static bool is_err(const Type *t) {
    return !t || t->kind == TY_ERROR;
}

static const char *fn_name(Decl *f) {
    return f->kind == D_INIT ? "init" : f->name ? f->name : "?";
}

static void check_block(Sema *s, Block *b, bool new_scope);

static Sym *declare_local(Sema *s, SymKind kind, const char *name, Span sp, Type *t) {
    /* a local's symbol goes with the body (FnRegion) */
    Arena *outer = s->a;
    if (s->fn && s->fn->region)
        s->a = &s->fn->region->body;
    Sym *v = sema_declare(s, s->scope, kind, name, sp);
    s->a = outer;
    v->type = t;
    v->index = s->nlocals++;
    v->fn = s->fn;
    return v;
}

/* ---------------- assignment ---------------- */

/* Is `target` something this statement may write? Reports why not. */
static bool check_target(Sema *s, Stmt *st, Expr *target) {
    Expr *root = sema_root(target);
    if (!root || root->kind != EX_NAME || !root->sym) {
        if (root && root->kind == EX_NAME && !root->sym)
            return false; /* unknown name, already reported */
        if (target && !is_err(target->type))
            diag_error(s->d, target->span, "cannot assign to this expression");
        return false;
    }
    Sym *sym = root->sym;
    switch (sym->kind) {
    case SYM_LOCAL: case SYM_PARAM:
        if (st->is_ghost) {
            diag_error(s->d, target->span, "a `ghost` statement can only update ghost variables");
            return false;
        }
        return true;
    case SYM_LOOP_VAR: case SYM_FORALL_VAR:
        diag_error(s->d, target->span, "cannot assign to loop variable '%s'", sym->name);
        return false;
    case SYM_CONST:
        diag_error(s->d, target->span, "cannot assign to constant '%s'", sym->name);
        return false;
    case SYM_GHOST:
        if (!st->is_ghost) {
            diag_error(s->d, target->span,
                       "ghost variable '%s' can only be written by a `ghost` statement",
                       sym->name);
            return false;
        }
        return true;
    case SYM_STORAGE:
        if (st->is_ghost) {
            diag_error(s->d, target->span, "a `ghost` statement can only update ghost variables");
            return false;
        }
        if (s->fn && (s->fn->flags & DF_VIEW))
            diag_error(s->d, target->span, "view function '%s' cannot write storage",
                       fn_name(s->fn));
        if (s->fn)
            s->fn->writes_storage = true;
        return true;
    default:
        diag_error(s->d, target->span, "cannot assign to %s '%s'",
                   sym->kind == SYM_FN ? "function" : "declaration", sym->name);
        return false;
    }
}

static void check_assign(Sema *s, Stmt *st) {
    bool was = s->in_ghost;
    if (st->is_ghost)
        s->in_ghost = true;
    s->in_target = true;
    Type *tt = sema_expr(s, st->target, NULL);
    s->in_target = false;
    Expr *root = sema_root(st->target);
    /* a plain `x = e` does not read x */
    if (st->op < 0 && root && root->kind == EX_NAME && root->sym && root->sym->uses > 0)
        root->sym->uses--;
    bool ok = st->target && check_target(s, st, st->target);
    if (ok && sema_has_map(tt)) {
        diag_error(s->d, st->target->span,
                   "cannot assign a whole %s: maps live only in storage and are never copied",
                   sema_type_str(s, tt));
        ok = false;
    }
    if (st->op < 0 || !ok || is_err(tt)) {
        Type *vt = sema_expr(s, st->value, ok ? tt : NULL);
        if (ok && st->value && !is_err(vt))
            sema_coerce(s, st->value, tt, NULL);
        else if (st->value)
            sema_default_lit(s, st->value);
        s->in_ghost = was;
        return;
    }
    /* compound: target op= value */
    int op = st->op;
    bool shift = op == BIN_SHL || op == BIN_SHR;
    bool bitwise = op == BIN_BAND || op == BIN_BOR || op == BIN_BXOR;
    if (tt->kind != TY_INT && !((shift || bitwise) && tt->kind == TY_BYTES)) {
        diag_error(s->d, st->target->span, "compound assignment needs an integer, found %s",
                   sema_type_str(s, tt));
        sema_rvalue(s, st->value, NULL);
    } else if (shift) {
        Type *vt = sema_rvalue(s, st->value, NULL);
        if (st->value && !is_err(vt) && (vt->kind != TY_INT || vt->is_signed))
            diag_error(s->d, st->value->span, "shift count must be an unsigned integer, found %s",
                       sema_type_str(s, vt));
    } else {
        Type *vt = sema_expr(s, st->value, tt);
        if (st->value && !is_err(vt))
            sema_coerce(s, st->value, tt, NULL);
    }
    s->in_ghost = was;
}

/* ---------------- loops ---------------- */

/* The `len()` bound of `xs.len()` when xs is a bounded list, string or array. */
static bool len_bound(Expr *e, uint32_t *out) {
    if (!e || e->kind != EX_CALL || e->builtin != BI_LEN || !e->lhs || !e->lhs->lhs)
        return false;
    Type *t = e->lhs->lhs->type;
    if (!t || (t->kind != TY_LIST && t->kind != TY_ARRAY && t->kind != TY_STRING))
        return false;
    *out = t->len;
    return true;
}

static void check_for(Sema *s, Stmt *st) {
    Type *vt = s->t_error;
    if (st->iter) {
        Type *t = sema_rvalue(s, st->iter, NULL);
        if (!is_err(t)) {
            if (t->kind == TY_LIST || t->kind == TY_ARRAY) {
                vt = t->elem;
                st->trip_bound = t->len;
            } else {
                diag_error(s->d, st->iter->span, "cannot iterate over %s; use a range a..b",
                           sema_type_str(s, t));
            }
        }
    } else {
        sema_expr(s, st->lo, NULL);
        sema_expr(s, st->hi, NULL);
        if (st->lo && st->hi) {
            Type *lt = st->lo->type, *ht = st->hi->type;
            if (lt->kind == TY_INTLIT && ht->kind == TY_INTLIT) {
                sema_default_lit(s, st->lo);
                sema_default_lit(s, st->hi);
            } else if (lt->kind == TY_INTLIT && ht->kind == TY_INT) {
                sema_coerce(s, st->lo, ht, NULL);
            } else if (ht->kind == TY_INTLIT && lt->kind == TY_INT) {
                sema_coerce(s, st->hi, lt, NULL);
            }
            lt = st->lo->type;
            ht = st->hi->type;
            if (!is_err(lt) && !is_err(ht)) {
                if (lt->kind != TY_INT || ht->kind != TY_INT) {
                    diag_error(s->d, st->lo->span, "loop range needs integers, found %s..%s",
                               sema_type_str(s, lt), sema_type_str(s, ht));
                } else if (lt == ht || lt->is_signed == ht->is_signed) {
                    vt = lt->bits >= ht->bits ? lt : ht;
                } else {
                    diag_error(s->d, st->hi->span,
                               "loop bounds differ in sign: %s and %s; convert one with `as`",
                               sema_type_str(s, lt), sema_type_str(s, ht));
                }
            }
            if (!is_err(vt)) {
                Const lo, hi;
                uint32_t lb;
                bool klo = sema_const_eval(s, st->lo, &lo, false);
                bool khi = sema_const_eval(s, st->hi, &hi, false);
                if (klo && khi) {
                    /* trip count = max(0, hi - lo) */
                    U256 a = sema_const_to_u256(lo), b = sema_const_to_u256(hi);
                    bool lt_ = vt->is_signed ? i256_cmp(b, a) <= 0 : u256_cmp(b, a) <= 0;
                    bool br = false;
                    U256 n = lt_ ? u256_from_u64(0) : u256_sub(b, a, &br);
                    if (u256_bit_length(n) > 32)
                        diag_error(s->d, st->hi->span,
                                   "loop runs too many times (limit is %u iterations)",
                                   SEMA_MAX_BOUND);
                    else
                        st->trip_bound = (uint32_t)u256_low64(n);
                } else if (klo && len_bound(st->hi, &lb)) {
                    U256 a = sema_const_to_u256(lo);
                    st->trip_bound = lo.neg ? lb
                                     : u256_bit_length(a) > 32 || u256_low64(a) >= lb
                                         ? 0
                                         : lb - (uint32_t)u256_low64(a);
                } else {
                    Expr *bad = klo ? st->hi : st->lo;
                    diag_error(s->d, bad->span, "loop bound must be known at compile time");
                }
            }
        }
    }
    Scope *sc = sema_push_scope(s);
    st->sym = declare_local(s, SYM_LOOP_VAR, st->name, st->name_span.file ? st->name_span
                                                                          : st->span, vt);
    (void)sc;
    s->loop_depth++;
    check_block(s, st->body, false);
    s->loop_depth--;
    sema_pop_scope(s);
}

/* ---------------- events and errors ---------------- */

/* `emit E(args)`, `revert Err(args)`, `require c else Err(args)`: the call must name an
 * event (want == SYM_EVENT) or an error. */
static void check_named_call(Sema *s, Expr *call, SymKind want) {
    const char *kind = want == SYM_EVENT ? "event" : "error";
    if (!call)
        return;
    if (call->kind != EX_CALL || !call->lhs || call->lhs->kind != EX_NAME) {
        diag_error(s->d, call->span, "expected %s %s(...)", want == SYM_EVENT ? "an event"
                   : "an error", want == SYM_EVENT ? "Event" : "Error");
        sema_rvalue(s, call, NULL);
        return;
    }
    Expr *l = call->lhs;
    l->type = s->t_void;
    call->type = s->t_void;
    call->in_spec = s->in_spec;
    Sym *sym = sema_lookup(s, l->name);
    if (!sym || sym->kind != want) {
        if (sym)
            diag_error(s->d, l->span, "'%s' is not an %s", l->name, kind);
        else {
            const char *sug = NULL;
            /* suggest among names of the wanted kind only */
            for (Scope *sc = s->scope; sc && !sug; sc = sc->up)
                for (int i = 0; i < sc->n; i++) {
                    Sym *c = sc->syms[i];
                    if (c->kind == want && strlen(c->name) > 2 &&
                        (!strncmp(c->name, l->name, 3) || strstr(c->name, l->name)))
                        sug = c->name;
                }
            if (sug)
                diag_error(s->d, l->span, "unknown %s '%s'; did you mean '%s'?", kind, l->name,
                           sug);
            else
                diag_error(s->d, l->span, "unknown %s '%s'", kind, l->name);
        }
        for (int i = 0; i < call->nargs; i++)
            sema_rvalue(s, call->args[i], NULL);
        return;
    }
    l->sym = sym;
    call->sym = sym;
    sym->uses++;
    Decl *d = sym->decl;
    sema_check_args(s, call, d->params, d->nparams, kind, d->name);
}

static void check_message(Sema *s, Expr *m) {
    if (!m)
        return;
    Type *t = sema_expr(s, m, NULL);
    if (!is_err(t) && t->kind != TY_STRING) {
        sema_default_lit(s, m);
        diag_error(s->d, m->span, "expected an error or a string message, found %s",
                   sema_type_str(s, t));
    }
}

/* ---------------- statements ---------------- */

/* Does control never fall through the end of this statement? */
static bool stmt_exits(Stmt *st) {
    if (!st)
        return false;
    switch (st->kind) {
    case ST_RETURN: case ST_REVERT:
        return true;
    case ST_IF:
        return st->els && sema_block_exits(st->then) && sema_block_exits(st->els);
    case ST_BLOCK:
        return sema_block_exits(st->body);
    default:
        return false;
    }
}

bool sema_block_exits(Block *b) {
    if (!b)
        return false;
    for (int i = 0; i < b->n; i++)
        if (stmt_exits(b->stmts[i]))
            return true;
    return false;
}

static bool stmt_jumps(Stmt *st);

static bool block_jumps(Block *b) {
    if (!b)
        return false;
    for (int i = 0; i < b->n; i++)
        if (stmt_jumps(b->stmts[i]))
            return true;
    return false;
}

/* Does control leave the rest of the block (return, revert, break, continue)? */
static bool stmt_jumps(Stmt *st) {
    if (!st)
        return false;
    if (st->kind == ST_BREAK || st->kind == ST_CONTINUE)
        return true;
    if (st->kind == ST_IF)
        return st->els && block_jumps(st->then) && block_jumps(st->els);
    if (st->kind == ST_BLOCK)
        return block_jumps(st->body);
    return stmt_exits(st);
}

static void check_stmt(Sema *s, Stmt *st) {
    switch (st->kind) {
    case ST_LET: {
        Type *t = NULL;
        if (st->tref) {
            t = sema_resolve_tref(s, st->tref);
            if (sema_has_map(t)) {
                diag_error(s->d, st->tref->span,
                           "a local cannot have type %s: maps live only in storage",
                           sema_type_str(s, t));
                t = s->t_error;
            }
        }
        if (st->init) {
            Type *it = sema_expr(s, st->init, t);
            if (t) {
                if (!is_err(it))
                    sema_coerce(s, st->init, t, NULL);
            } else {
                sema_default_lit(s, st->init);
                t = st->init->type;
                if (t->kind == TY_VOID) {
                    diag_error(s->d, st->init->span, "this expression has no value");
                    t = s->t_error;
                } else if (sema_has_map(t)) {
                    diag_error(s->d, st->init->span,
                               "a value of type %s cannot be copied: maps live only in storage",
                               sema_type_str(s, t));
                    t = s->t_error;
                }
            }
        } else if (!t) {
            t = s->t_error;
        }
        Sym *v = declare_local(s, SYM_LOCAL, st->name,
                               st->name_span.file ? st->name_span : st->span, t);
        st->sym = v;
        ptrvec_push(&s->scratch, &s->locals, v);
        break;
    }
    case ST_ASSIGN:
        check_assign(s, st);
        break;
    case ST_EXPR:
        if (st->expr) {
            sema_expr(s, st->expr, NULL);
            sema_default_lit(s, st->expr);
            if (st->expr->kind != EX_CALL && !is_err(st->expr->type))
                diag_warning(s->d, st->expr->span, "expression result is unused");
        }
        break;
    case ST_IF:
        sema_cond(s, st->expr);
        check_block(s, st->then, true);
        check_block(s, st->els, true);
        break;
    case ST_FOR:
        check_for(s, st);
        break;
    case ST_RETURN: {
        Type *rt = s->fn && s->fn->type ? s->fn->type : s->t_void;
        if (st->expr) {
            if (rt->kind == TY_VOID) {
                diag_error(s->d, st->expr->span, "%s '%s' does not return a value",
                           s->fn && s->fn->kind == D_INIT ? "" : "function",
                           s->fn ? fn_name(s->fn) : "?");
                sema_rvalue(s, st->expr, NULL);
            } else {
                Type *t = sema_expr(s, st->expr, rt);
                if (!is_err(t))
                    sema_coerce(s, st->expr, rt, "return value");
            }
        } else if (rt->kind != TY_VOID && !is_err(rt)) {
            diag_error(s->d, st->span, "function '%s' must return a %s value",
                       s->fn ? fn_name(s->fn) : "?", sema_type_str(s, rt));
        }
        break;
    }
    case ST_EMIT:
        check_named_call(s, st->call, SYM_EVENT);
        if (s->fn) {
            if (s->fn->flags & DF_VIEW)
                diag_error(s->d, st->span, "view function '%s' cannot emit events",
                           fn_name(s->fn));
            else if (s->fn->is_free)
                diag_error(s->d, st->span, "free function '%s' cannot emit events",
                           fn_name(s->fn));
            s->fn->emits = true;
        }
        break;
    case ST_REVERT:
        if (st->call)
            check_named_call(s, st->call, SYM_ERROR);
        check_message(s, st->msg);
        if (!st->call && !st->msg)
            check_message(s, st->expr);
        break;
    case ST_REQUIRE:
        sema_cond(s, st->expr);
        if (st->call)
            check_named_call(s, st->call, SYM_ERROR);
        check_message(s, st->msg);
        break;
    case ST_ASSERT:
        sema_cond(s, st->expr);
        break;
    case ST_BLOCK:
        check_block(s, st->body, true);
        break;
    case ST_BREAK: case ST_CONTINUE:
        if (s->loop_depth == 0)
            diag_error(s->d, st->span, "`%s` outside a loop",
                       st->kind == ST_BREAK ? "break" : "continue");
        break;
    case ST_COUNT:
        break;
    }
}

static void check_block(Sema *s, Block *b, bool new_scope) {
    if (!b)
        return;
    if (new_scope)
        sema_push_scope(s);
    bool dead = false, warned = false;
    for (int i = 0; i < b->n; i++) {
        Stmt *st = b->stmts[i];
        if (!st)
            continue;
        if (dead) {
            st->unreachable = true;
            if (!warned)
                diag_warning(s->d, st->span, "unreachable code");
            warned = true;
        }
        check_stmt(s, st);
        if (stmt_jumps(st))
            dead = true;
    }
    if (new_scope)
        sema_pop_scope(s);
}

/* ---------------- functions ---------------- */

void sema_check_specs(Sema *s, Decl *fn) {
    for (int i = 0; i < fn->nspecs; i++) {
        Spec *sp = &fn->specs[i];
        s->in_spec = true;
        s->in_ensures = sp->kind == SP_ENSURES;
        sema_cond(s, sp->expr);
        s->in_spec = false;
        s->in_ensures = false;
    }
}

void sema_check_fn(Sema *s, Decl *fn) {
    if (fn->parent && fn->parent->kind == D_INTERFACE)
        return;
    s->fn = fn;
    s->nlocals = 0;
    s->callee_cap = fn->ncallees; /* its callees so far, if it was checked before */
    s->loop_depth = 0;
    s->locals.len = 0;
    Scope *sc = sema_push_scope(s);
    for (int i = 0; i < fn->nparams; i++) {
        Param *pm = &fn->params[i];
        if (!pm->name)
            continue;
        bool dup = false;
        for (int k = 0; k < sc->n; k++)
            dup |= sc->syms[k]->name == pm->name;
        /* duplicates were reported with the signature: keep the first in scope */
        Sym *v = dup ? ARENA_NEW(s->a, Sym) : sema_declare(s, sc, SYM_PARAM, pm->name, pm->span);
        v->kind = SYM_PARAM;
        v->name = pm->name;
        v->span = pm->span;
        v->type = pm->type ? pm->type : s->t_error;
        v->index = s->nlocals++;
        v->fn = fn;
        pm->sym = v;
    }
    sema_check_specs(s, fn);
    if (!fn->body) {
        diag_error(s->d, fn->span, "function '%s' has no body", fn_name(fn));
    } else {
        check_block(s, fn->body, false);
        if (fn->type && fn->type->kind != TY_VOID && !is_err(fn->type) &&
            !sema_block_exits(fn->body))
            diag_error(s->d, fn->name_span.file ? fn->name_span : fn->span,
                       "function '%s' must return a value on every path", fn_name(fn));
    }
    sema_pop_scope(s);
    for (int i = 0; i < s->locals.len; i++) {
        Sym *v = s->locals.items[i];
        if (v->uses == 0 && v->name && v->name[0] != '_' && v->type &&
            v->type->kind != TY_ERROR)
            diag_warning(s->d, v->span, "unused variable '%s'", v->name);
    }
    fn->nlocals = s->nlocals;
    if (fn->ncallees) { /* the call graph outlives the checker's scratch */
        Decl **c = ARENA_ARRAY(s->a, Decl *, fn->ncallees);
        Span *sps = ARENA_ARRAY(s->a, Span, fn->ncallees);
        memcpy(c, fn->callees, sizeof *c * (size_t)fn->ncallees);
        memcpy(sps, fn->callee_spans, sizeof *sps * (size_t)fn->ncallees);
        fn->callees = c;
        fn->callee_spans = sps;
    }
    ptrvec_push(&s->scratch, &s->fns, fn);
    s->fn = NULL;
}
