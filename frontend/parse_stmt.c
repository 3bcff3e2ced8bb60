/* parse_stmt.c — statements and blocks (REFERENCE.md §4), with the statement-level error
 * recovery: after an error the block skips to the next ';' or to its closing '}'. */
#include <string.h>

#include "parse.h"

/* A node of stmt_size[kind] bytes (see arena_alloc_part). */
static Stmt *stmt_new(Parser *P, StmtKind kind, uint32_t start) {
    Stmt *s = arena_alloc_part(P->arena, stmt_size[kind], sizeof(Stmt));
    s->kind = (uint8_t)kind;
    s->span = (Span){(uint16_t)P->file, start, start};
    return s;
}

static Stmt *stmt_end(Parser *P, Stmt *s) {
    s->span = parse_span_from(P, s->span.start);
    return s;
}

/* After an error in a statement: skip to just after the next ';' of this block, or to the
 * '}' that closes it, or to an item keyword at the start of a line (a '}' is missing). */
static void sync_stmt(Parser *P) {
    int level = 0;
    int start = P->pos;
    for (;;) {
        Token *t = parse_peek(P);
        if (t->kind == TK_EOF)
            break;
        if (level == 0) {
            if (t->kind == TK_RBRACE)
                break;
            if (t->kind == TK_SEMI) {
                parse_advance(P);
                break;
            }
            if (P->pos > start && t->bol && parse_is_item_start(P) && t->kind != KW_CONST)
                break;
        }
        parse_advance(P);
        if (t->kind == TK_LPAREN || t->kind == TK_LBRACKET || t->kind == TK_LBRACE)
            level++;
        else if ((t->kind == TK_RPAREN || t->kind == TK_RBRACKET || t->kind == TK_RBRACE) &&
                 level > 0 && --level == 0 && t->kind == TK_RBRACE && !parse_at(P, KW_ELSE))
            break; /* a braced body ends the statement, unless an `else` continues it */
    }
    P->panicking = false;
}

static int assign_op(int kind) {
    switch (kind) {
    case TK_ASSIGN: return -1;
    case TK_PLUS_EQ: return BIN_ADD;
    case TK_MINUS_EQ: return BIN_SUB;
    case TK_STAR_EQ: return BIN_MUL;
    case TK_SLASH_EQ: return BIN_DIV;
    case TK_PERCENT_EQ: return BIN_MOD;
    case TK_AMP_EQ: return BIN_BAND;
    case TK_PIPE_EQ: return BIN_BOR;
    case TK_CARET_EQ: return BIN_BXOR;
    case TK_SHL_EQ: return BIN_SHL;
    case TK_SHR_EQ: return BIN_SHR;
    case TK_WPLUS_EQ: return BIN_WADD;
    case TK_WMINUS_EQ: return BIN_WSUB;
    case TK_WSTAR_EQ: return BIN_WMUL;
    default: return -2;
    }
}

/* grammar:
 * let_stmt = "let" IDENT [ ":" type ] "=" expr ";" ;
 */
static Stmt *parse_let(Parser *P, uint32_t start) {
    Stmt *s = stmt_new(P, ST_LET, start);
    Token *t = parse_peek(P);
    if (t->kind == TK_IDENT) {
        parse_advance(P);
        s->name = t->s;
        s->name_span = parse_tok_span(P, t);
    } else {
        parse_error(P, parse_tok_span(P, t), "expected a variable name after 'let', found %s",
                    lex_tok_name(t->kind));
        return stmt_end(P, s);
    }
    if (parse_accept(P, TK_COLON))
        s->tref = parse_type(P);
    if (parse_expect(P, TK_ASSIGN, "after the variable (a 'let' needs an initial value)"))
        s->init = parse_expr(P);
    parse_expect_semi(P, "after the 'let' statement");
    return stmt_end(P, s);
}

/* grammar:
 * if_stmt = "if" cond_expr block [ "else" ( if_stmt | block ) ] ;
 */
static Stmt *parse_if(Parser *P, uint32_t start) {
    Stmt *first = stmt_new(P, ST_IF, start);
    /* An else-if chain is built in a loop: a long chain is not deep nesting. */
    Stmt *s = first;
    Stmt **chain = NULL;
    int n = 0, cap = 0;
    /* The tree nests one level per `else if`: it counts against the nesting limit. */
    int entered = 0;
    for (;;) {
        s->expr = parse_cond_expr(P);
        s->then = parse_block(P);
        if (!parse_at(P, KW_ELSE))
            break;
        parse_advance(P);
        Token *t = parse_peek(P);
        if (t->kind != KW_IF) {
            s->els = parse_block(P);
            break;
        }
        if (P->depth >= PARSE_MAX_DEPTH) {
            parse_error(P, parse_tok_span(P, t), "'else if' chain nested too deeply (limit is %d)",
                        PARSE_MAX_DEPTH);
            break;
        }
        P->depth++;
        entered++;
        parse_advance(P);
        Stmt *elif = stmt_new(P, ST_IF, t->start);
        Block *b = ARENA_NEW(P->arena, Block);
        b->stmts = ARENA_ARRAY(P->arena, Stmt *, 1);
        b->stmts[0] = elif;
        b->n = 1;
        s->els = b;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            Stmt **c = ARENA_ARRAY(&P->scratch, Stmt *, cap);
            if (n)
                memcpy(c, chain, sizeof(Stmt *) * (size_t)n);
            chain = c;
        }
        chain[n++] = elif;
        s = elif;
    }
    P->depth -= entered;
    /* Each link ends where the whole chain ends; its else-block spans the link. */
    for (int i = n - 1; i >= 0; i--) {
        stmt_end(P, chain[i]);
        Block *b = i == 0 ? first->els : chain[i - 1]->els;
        b->span = chain[i]->span;
    }
    return stmt_end(P, first);
}

/* grammar:
 * for_stmt = "for" IDENT "in" cond_expr [ ".." cond_expr ] block ;
 */
static Stmt *parse_for(Parser *P, uint32_t start) {
    Stmt *s = stmt_new(P, ST_FOR, start);
    Token *t = parse_peek(P);
    if (t->kind != TK_IDENT) {
        parse_error(P, parse_tok_span(P, t), "expected a loop variable after 'for', found %s",
                    lex_tok_name(t->kind));
        return stmt_end(P, s);
    }
    parse_advance(P);
    s->name = t->s;
    s->name_span = parse_tok_span(P, t);
    parse_expect(P, KW_IN, "after the loop variable");
    Expr *e = parse_cond_expr(P);
    if (parse_accept(P, TK_DOTDOT)) {
        s->lo = e;
        s->hi = parse_cond_expr(P);
    } else {
        s->iter = e;
    }
    s->body = parse_block(P);
    return stmt_end(P, s);
}

/* The error or event call of `emit`, `revert` and `require ... else`. */
static Expr *parse_named_call(Parser *P, const char *what) {
    Token *t = parse_peek(P);
    if (t->kind != TK_IDENT) {
        parse_error(P, parse_tok_span(P, t), "expected %s, found %s", what, lex_tok_name(t->kind));
        return parse_error_expr(P, parse_tok_span(P, t));
    }
    Expr *e = parse_postfix_expr(P);
    if (e->kind != EX_CALL && !P->panicking)
        parse_error(P, e->span, "expected %s", what);
    return e;
}

/* grammar:
 * emit_stmt = "emit" postfix_expr ";" ;
 * revert_stmt = "revert" ( STRING | postfix_expr ) ";" ;
 * require_stmt = "require" cond_expr [ "else" ( STRING | postfix_expr ) ] ";" ;
 * assert_stmt = "assert" expr ";" ;
 */
static Stmt *parse_emit_revert_require(Parser *P, int kw, uint32_t start) {
    Stmt *s;
    if (kw == KW_EMIT) {
        s = stmt_new(P, ST_EMIT, start);
        s->call = parse_named_call(P, "an event call like 'Name(args)'");
        parse_expect_semi(P, "after the 'emit' statement");
    } else if (kw == KW_REVERT) {
        s = stmt_new(P, ST_REVERT, start);
        if (parse_at(P, TK_STRING))
            s->msg = s->expr = parse_string_expr(P);
        else
            s->call = parse_named_call(P, "an error call like 'Name(args)' or a string message");
        parse_expect_semi(P, "after the 'revert' statement");
    } else if (kw == KW_REQUIRE) {
        s = stmt_new(P, ST_REQUIRE, start);
        s->expr = parse_cond_expr(P);
        if (parse_accept(P, KW_ELSE)) {
            if (parse_at(P, TK_STRING))
                s->msg = parse_string_expr(P);
            else
                s->call = parse_named_call(P, "an error call like 'Name(args)' or a string message");
        }
        parse_expect_semi(P, "after the 'require' statement");
    } else {
        s = stmt_new(P, ST_ASSERT, start);
        s->expr = parse_expr(P);
        parse_expect_semi(P, "after the 'assert' statement");
    }
    return stmt_end(P, s);
}

/* grammar:
 * return_stmt = "return" [ expr ] ";" ;
 */
static Stmt *parse_return(Parser *P, uint32_t start) {
    Stmt *s = stmt_new(P, ST_RETURN, start);
    if (!parse_at(P, TK_SEMI) && !parse_at(P, TK_RBRACE))
        s->expr = parse_expr(P);
    parse_expect_semi(P, "after the 'return' statement");
    return stmt_end(P, s);
}

/* grammar:
 * ghost_stmt = "ghost" postfix_expr assign_op expr ";" ;
 * expr_stmt = expr [ assign_op expr ] ";" ;
 * assign_op = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>="
 *           | "+%=" | "-%=" | "*%=" ;
 */
static Stmt *parse_expr_stmt(Parser *P, uint32_t start, bool ghost) {
    Expr *e = ghost ? parse_postfix_expr(P) : parse_expr(P);
    int op = assign_op(parse_peek(P)->kind);
    if (op != -2) {
        parse_advance(P);
        Stmt *s = stmt_new(P, ST_ASSIGN, start);
        s->target = e;
        s->op = op;
        s->value = parse_expr(P);
        s->is_ghost = ghost;
        parse_expect_semi(P, ghost ? "after the ghost update" : "after the assignment");
        return stmt_end(P, s);
    }
    if (ghost) {
        Token *t = parse_peek(P);
        parse_error(P, parse_tok_span(P, t),
                    "expected '=' in the ghost update ('ghost x = e;'), found %s",
                    lex_tok_name(t->kind));
    }
    Stmt *s = stmt_new(P, ST_EXPR, start);
    s->expr = e;
    parse_expect_semi(P, "after expression");
    return stmt_end(P, s);
}

/* grammar:
 * stmt = let_stmt | if_stmt | for_stmt | return_stmt | emit_stmt | revert_stmt
 *      | require_stmt | assert_stmt | ghost_stmt | block
 *      | "break" ";" | "continue" ";" | expr_stmt ;
 */
static Stmt *parse_stmt(Parser *P) {
    Token *t = parse_peek(P);
    uint32_t start = t->start;
    switch (t->kind) {
    case KW_LET: parse_advance(P); return parse_let(P, start);
    case KW_IF: parse_advance(P); return parse_if(P, start);
    case KW_FOR: parse_advance(P); return parse_for(P, start);
    case KW_RETURN: parse_advance(P); return parse_return(P, start);
    case KW_EMIT: case KW_REVERT: case KW_REQUIRE: case KW_ASSERT:
        parse_advance(P);
        return parse_emit_revert_require(P, t->kind, start);
    case KW_GHOST: parse_advance(P); return parse_expr_stmt(P, start, true);
    case KW_BREAK: case KW_CONTINUE: {
        parse_advance(P);
        Stmt *s = stmt_new(P, t->kind == KW_BREAK ? ST_BREAK : ST_CONTINUE, start);
        parse_expect_semi(P, t->kind == KW_BREAK ? "after 'break'" : "after 'continue'");
        return stmt_end(P, s);
    }
    case TK_LBRACE: {
        Stmt *s = stmt_new(P, ST_BLOCK, start);
        s->body = parse_block(P);
        return stmt_end(P, s);
    }
    case TK_SEMI: /* an empty statement, e.g. after `if c { }` by habit */
        parse_advance(P);
        return NULL;
    case TK_IDENT:
        /* Loops of other languages: say what Writ has instead of "expected ';'". */
        if ((t->len == 5 && memcmp(t->s, "while", 5) == 0) ||
            (t->len == 4 && memcmp(t->s, "loop", 4) == 0)) {
            Token *n = parse_peek_at(P, 1);
            if (n->kind != TK_ASSIGN && n->kind != TK_LPAREN && n->kind != TK_SEMI &&
                n->kind != TK_DOT && n->kind != TK_LBRACKET && assign_op(n->kind) == -2) {
                parse_error(P, parse_tok_span(P, t),
                            "Writ has no '%s' loop: loops are 'for i in a..b' or 'for x in xs', "
                            "with bounds known at compile time", t->s);
                return NULL;
            }
        }
        return parse_expr_stmt(P, start, false);
    default:
        return parse_expr_stmt(P, start, false);
    }
}

/* grammar:
 * block = "{" { stmt } "}" ;
 */
Block *parse_block(Parser *P) {
    Block *b = ARENA_NEW(P->arena, Block);
    Token *open = parse_peek(P);
    b->span = parse_tok_span(P, open);
    if (!parse_expect(P, TK_LBRACE, "to begin a block"))
        return b;
    if (P->depth >= PARSE_MAX_DEPTH) {
        parse_error(P, parse_tok_span(P, open), "block nested too deeply (limit is %d)",
                    PARSE_MAX_DEPTH);
        for (int level = 1; level > 0 && !parse_at(P, TK_EOF);) {
            int k = parse_advance(P)->kind;
            level += k == TK_LBRACE ? 1 : k == TK_RBRACE ? -1 : 0;
        }
        b->span = parse_span_from(P, open->start);
        P->panicking = false; /* the whole block is skipped: this is a clean boundary */
        return b;
    }
    P->depth++;
    /* A block where one is expected is a point of resynchronisation: an error in, say, the
     * condition before it must not swallow its first statement. */
    P->panicking = false;
    PtrVec v = {0};
    for (;;) {
        Token *t = parse_peek(P);
        if (t->kind == TK_RBRACE || t->kind == TK_EOF)
            break;
        if (t->bol && parse_is_item_start(P) && t->kind != KW_CONST)
            break; /* a '}' is missing before the next declaration */
        int before = P->pos;
        Stmt *s = parse_stmt(P);
        if (s)
            ptrvec_push(&P->scratch, &v, s);
        if (P->panicking)
            sync_stmt(P);
        if (P->pos == before)
            parse_advance(P);
    }
    parse_leave(P);
    b->stmts = PARSE_VEC(P, Stmt, v);
    b->n = v.len;
    if (!parse_accept(P, TK_RBRACE)) {
        Token *t = parse_peek(P);
        Diag *d = diag_error(P->diags, parse_tok_span(P, t), "expected '}' to close the block, found %s",
                             lex_tok_name(t->kind));
        diag_note(P->diags, d, parse_tok_span(P, open), "the block opens here");
    }
    b->span = parse_span_from(P, open->start);
    return b;
}
