/* lower_stmt.c — statements and structured control flow: if/else, bounded `for` loops
 * (header, body, latch, exit; `break` and `continue` jump to exit and latch), early
 * return, revert/require (a branch to a block ending in `revert`), assert, emit,
 * assignments to locals (SSA variables), to storage and to memory places, ghost updates. */
#include <string.h>

#include "lower.h"

static Type ty_bool_s = {.kind = TY_BOOL};
static Type ty_u256_s = {.kind = TY_INT, .bits = 256};

static bool is_local(Sym *s) {
    return s && (s->kind == SYM_LOCAL || s->kind == SYM_PARAM || s->kind == SYM_LOOP_VAR ||
                 s->kind == SYM_FORALL_VAR);
}

static int var_for(Lower *L, Sym *s, Type *t) {
    int var = lower_var_of(L, s);
    return var >= 0 ? var : lower_var_new(L, s, lower_vtype(L, t));
}

static IrInstr **lower_args(Lower *L, Expr *call, Decl *d) {
    IrInstr **args = ARENA_ARRAY(&L->tmp, IrInstr *, call->nargs + 1);
    for (int k = 0; k < call->nargs; k++) {
        Type *want = d && k < d->nparams ? d->params[k].type : NULL;
        args[k] = lower_expr_to(L, call->args[k], want);
    }
    return args;
}

static Decl *called_decl(Expr *call) {
    if (call->sym && call->sym->decl)
        return call->sym->decl;
    return call->callee_decl;
}

/* Ends the current block with a revert: a custom error, Error(string), or no data. */
static void lower_revert(Lower *L, Expr *call, Expr *msg, Span sp) {
    if (call) {
        Decl *ed = called_decl(call);
        IrInstr **args = lower_args(L, call, ed);
        IrInstr *r = lower_emit(L, IR_REVERT, NULL, args, call->nargs, call->span);
        r->error = lower_error_index(L, ed);
    } else if (msg) {
        IrInstr *s = lower_expr_to(L, msg, NULL);
        lower_emit(L, IR_REVERT_MSG, NULL, &s, 1, msg->span);
    } else {
        lower_emit(L, IR_REVERT_PLAIN, NULL, NULL, 0, sp);
    }
    L->cur = NULL;
}

static void lower_assign(Lower *L, Stmt *s) {
    Expr *tgt = s->target;
    bool saved = L->ghost;
    if (s->is_ghost)
        L->ghost = true;
    if (tgt->kind == EX_NAME && is_local(tgt->sym)) {
        Type *t = tgt->sym->type ? tgt->sym->type : tgt->type;
        int var = var_for(L, tgt->sym, t);
        IrInstr *v;
        if (s->op < 0) {
            v = lower_expr_to(L, s->value, t);
            v = lower_copy_if_shared(L, s->value, v);
        } else {
            IrInstr *cur = lower_var_read(L, var, L->cur, tgt->span);
            IrInstr *rhs = lower_expr_to(L, s->value, t);
            v = lower_arith(L, s->op, cur, rhs, s->span,
                            lower_op_span(L, tgt->span, s->value->span, s->span));
        }
        lower_var_write(L, var, L->cur, v);
    } else {
        Place pl;
        if (!lower_place(L, tgt, &pl)) {
            diag_error(L->p->diags, tgt->span, "internal: cannot assign to this expression");
            L->ghost = saved;
            return;
        }
        IrInstr *v;
        if (s->op < 0) {
            v = lower_expr_to(L, s->value, pl.type);
            if (pl.var < 0) /* sstore copies; memory would alias */
                v = lower_copy_if_shared(L, s->value, v);
        } else {
            IrInstr *cur = lower_place_load(L, &pl, tgt->span);
            IrInstr *rhs = lower_expr_to(L, s->value, pl.type);
            v = lower_arith(L, s->op, cur, rhs, s->span,
                            lower_op_span(L, tgt->span, s->value->span, s->span));
        }
        lower_place_store(L, &pl, v, s->span);
    }
    L->ghost = saved;
}

/* Branches on a condition to t or f: `&&`, `||` and `!` become control flow rather than
 * bool phis. The caller seals t and f once every edge into them exists. */
static void lower_cond(Lower *L, Expr *e, IrBlock *t, IrBlock *f) {
    if (e->kind == EX_BINARY && (e->op == BIN_LAND || e->op == BIN_LOR)) {
        IrBlock *mid = lower_block_new(L);
        if (e->op == BIN_LAND)
            lower_cond(L, e->lhs, mid, f);
        else
            lower_cond(L, e->lhs, t, mid);
        lower_seal(L, mid);
        lower_set_block(L, mid);
        lower_cond(L, e->rhs, t, f);
        return;
    }
    if (e->kind == EX_UNARY && e->op == UN_NOT) {
        lower_cond(L, e->lhs, f, t);
        return;
    }
    IrInstr *c = lower_expr_to(L, e, &ty_bool_s);
    lower_br(L, c, t, f, e->span);
}

static void lower_if(Lower *L, Stmt *s) {
    IrBlock *tb = lower_block_new(L);
    IrBlock *eb = s->els ? lower_block_new(L) : NULL;
    IrBlock *join = lower_block_new(L);
    lower_cond(L, s->expr, tb, eb ? eb : join);
    lower_seal(L, tb);
    lower_set_block(L, tb);
    lower_block_stmts(L, s->then);
    if (L->cur)
        lower_jmp(L, join, s->then->span);
    if (eb) {
        lower_seal(L, eb);
        lower_set_block(L, eb);
        lower_block_stmts(L, s->els);
        if (L->cur)
            lower_jmp(L, join, s->els->span);
    }
    lower_seal(L, join);
    if (lower_npreds(L, join))
        lower_set_block(L, join);
}

/* for i in lo..hi { body }   and   for x in xs { body }
 *   pre:    i = lo (or index = 0, n = len xs); jmp header
 *   header: br i < hi, body, exit
 *   body:   (x = xs[index];) ...; jmp latch
 *   latch:  i = i + 1; jmp header      (cannot overflow: i < hi) */
static void lower_for(Lower *L, Stmt *s) {
    IrType *u256 = ir_type_int(L->m, 256, false);
    Type *vt = s->sym && s->sym->type ? s->sym->type : &ty_u256_s;
    int ivar;
    IrInstr *hi;
    Place pl = {0};
    bool over_list = s->iter != NULL;
    if (!over_list) {
        IrInstr *lo = lower_expr_to(L, s->lo, vt);
        hi = lower_expr_to(L, s->hi, vt);
        ivar = var_for(L, s->sym, vt);
        lower_var_write(L, ivar, L->cur, lo);
    } else {
        if (!lower_place(L, s->iter, &pl)) {
            memset(&pl, 0, sizeof pl);
            pl.var = -1;
            pl.root = lower_expr(L, s->iter);
            pl.type = s->iter->type;
        }
        hi = lower_place_len(L, &pl, s->iter->span);
        ivar = lower_var_new(L, NULL, u256);
        lower_var_write(L, ivar, L->cur, lower_const_u64(L, u256, 0, s->span));
    }
    IrBlock *header = lower_block_new(L);
    IrBlock *body = lower_block_new(L);
    IrBlock *latch = lower_block_new(L);
    IrBlock *exit = lower_block_new(L);
    lower_jmp(L, header, s->span);
    lower_set_block(L, header);
    IrInstr *iv = lower_var_read(L, ivar, header, s->name_span);
    IrInstr *ab[2] = {iv, hi};
    IrInstr *c = lower_emit(L, IR_LT, ir_type_bool(L->m), ab, 2, s->span);
    lower_br(L, c, body, exit, s->span);
    lower_seal(L, body);
    lower_set_block(L, body);
    if (over_list) {
        Place at = pl;
        at.type = pl.type->elem;
        lower_place_index(L, &at, lower_var_read(L, ivar, body, s->name_span));
        IrInstr *x = lower_place_load(L, &at, s->iter->span);
        lower_var_write(L, var_for(L, s->sym, vt), body, x);
    }
    LLoop loop = {.brk = exit, .cont = latch, .outer = L->loop};
    L->loop = &loop;
    lower_block_stmts(L, s->body);
    L->loop = loop.outer;
    if (L->cur)
        lower_jmp(L, latch, s->body->span);
    lower_seal(L, latch);
    if (lower_npreds(L, latch)) {
        lower_set_block(L, latch);
        IrInstr *i = lower_var_read(L, ivar, latch, s->name_span);
        IrInstr *one = lower_const_u64(L, i->type, 1, s->span);
        IrInstr *inc[2] = {i, one};
        lower_var_write(L, ivar, latch, lower_emit(L, IR_ADD, i->type, inc, 2, s->span));
        lower_jmp(L, header, s->span);
    }
    lower_seal(L, header);
    lower_seal(L, exit);
    if (lower_npreds(L, exit))
        lower_set_block(L, exit);
}

static void lower_stmt(Lower *L, Stmt *s) {
    switch (s->kind) {
    case ST_LET: {
        Type *t = s->sym && s->sym->type ? s->sym->type : s->init->type;
        IrInstr *v = lower_expr_to(L, s->init, t);
        v = lower_copy_if_shared(L, s->init, v);
        int var = s->sym ? var_for(L, s->sym, t) : lower_var_new(L, NULL, lower_vtype(L, t));
        lower_var_write(L, var, L->cur, v);
        break;
    }
    case ST_ASSIGN:
        lower_assign(L, s);
        break;
    case ST_EXPR:
        lower_expr(L, s->expr);
        break;
    case ST_IF:
        lower_if(L, s);
        break;
    case ST_FOR:
        lower_for(L, s);
        break;
    case ST_RETURN: {
        if (s->expr) {
            Type *rt = L->fn ? L->fn->type : NULL;
            IrInstr *v = lower_expr_to(L, s->expr, rt);
            /* a local dies here and may be handed out; a parameter is the caller's */
            if (s->expr->kind == EX_NAME && s->expr->sym && s->expr->sym->kind == SYM_PARAM)
                v = lower_copy_if_shared(L, s->expr, v);
            lower_emit(L, IR_RET, NULL, &v, 1, s->span);
        } else {
            lower_emit(L, IR_RET, NULL, NULL, 0, s->span);
        }
        L->cur = NULL;
        break;
    }
    case ST_EMIT: {
        Decl *ev = called_decl(s->call);
        IrInstr **args = lower_args(L, s->call, ev);
        IrInstr *i = lower_emit(L, IR_EMIT, NULL, args, s->call->nargs, s->span);
        i->event = lower_event_index(L, ev);
        break;
    }
    case ST_REVERT: {
        Expr *msg = s->msg ? s->msg : (s->expr && s->expr->kind == EX_STRING ? s->expr : NULL);
        lower_revert(L, s->call, msg, s->span);
        break;
    }
    case ST_REQUIRE: {
        IrBlock *fail = lower_block_new(L);
        IrBlock *ok = lower_block_new(L);
        lower_cond(L, s->expr, ok, fail);
        lower_seal(L, fail);
        lower_seal(L, ok);
        lower_set_block(L, fail);
        lower_revert(L, s->call, s->msg, s->span);
        lower_set_block(L, ok);
        break;
    }
    case ST_ASSERT: {
        IrInstr *c = lower_expr_to(L, s->expr, &ty_bool_s);
        lower_emit(L, IR_ASSERT, NULL, &c, 1, s->span);
        break;
    }
    case ST_BLOCK:
        lower_block_stmts(L, s->body);
        break;
    case ST_BREAK:
    case ST_CONTINUE:
        if (L->loop)
            lower_jmp(L, s->kind == ST_BREAK ? L->loop->brk : L->loop->cont, s->span);
        break;
    default:
        break;
    }
}

void lower_block_stmts(Lower *L, Block *blk) {
    if (!blk)
        return;
    for (int i = 0; i < blk->n && L->cur; i++)
        lower_stmt(L, blk->stmts[i]);
}

/* ---------------- aggregate parameters ---------------- */

static Sym *root_sym(Expr *e) {
    while (e && (e->kind == EX_INDEX || e->kind == EX_FIELD))
        e = e->lhs;
    return e && e->kind == EX_NAME ? e->sym : NULL;
}

static bool expr_mutates(Expr *e, Sym *p) {
    if (!e)
        return false;
    if (e->kind == EX_CALL && (e->builtin == BI_PUSH || e->builtin == BI_POP) && e->lhs &&
        e->lhs->kind == EX_FIELD && root_sym(e->lhs->lhs) == p)
        return true;
    for (int k = 0; k < expr_nchildren(e); k++)
        if (expr_mutates(expr_child(e, k), p))
            return true;
    return false;
}

static bool block_mutates(Block *b, Sym *p);

static bool stmt_mutates(Stmt *s, Sym *p) {
    if (s->kind == ST_ASSIGN && s->target->kind != EX_NAME && root_sym(s->target) == p)
        return true;
    for (int i = 0; i < STMT_NEXPRS; i++)
        if (expr_mutates(stmt_expr_child(s, i), p))
            return true;
    return block_mutates(stmt_block_child(s, 0), p) || block_mutates(stmt_block_child(s, 1), p);
}

static bool block_mutates(Block *b, Sym *p) {
    if (!b)
        return false;
    for (int i = 0; i < b->n; i++)
        if (stmt_mutates(b->stmts[i], p))
            return true;
    return false;
}

void lower_fn_body(Lower *L, Decl *fn, IrFunc *f) {
    if (!lower_region_usable(L, fn, false))
        return;
    L->fn = fn;
    L->in_spec = L->in_old = L->ghost = false;
    L->result_type = NULL;
    lower_func_begin(L, f);
    for (int k = 0; k < fn->nparams; k++) {
        Param *pa = &fn->params[k];
        lower_var_param(L, pa->sym, f->params[k].type, k, pa->span);
    }
    /* an aggregate parameter is the caller's memory: a body that writes into it works on
     * its own copy, so that arguments keep value semantics */
    for (int k = 0; k < fn->nparams; k++) {
        Param *pa = &fn->params[k];
        if (!pa->sym || !lower_is_aggregate(pa->type) || !block_mutates(fn->body, pa->sym))
            continue;
        int var = lower_var_of(L, pa->sym);
        IrInstr *pv = lower_var_read(L, var, L->cur, pa->span);
        lower_var_write(L, var, L->cur, lower_emit(L, IR_MLOAD, pv->type, &pv, 1, pa->span));
    }
    lower_block_stmts(L, fn->body);
    if (L->cur) {
        if (!lower_returns(fn) || f->ret->kind == IRT_VOID)
            lower_emit(L, IR_RET, NULL, NULL, 0, fn->body->span);
        else
            lower_emit(L, IR_UNREACHABLE, NULL, NULL, 0, fn->body->span);
    }
    lower_func_end(L);
    lower_region_release(L, fn, false);
}
