/* parse_expr.c — expressions (REFERENCE.md §5): precedence climbing over one table of
 * binary operators, then casts, unary operators, postfix calls/indexing/fields and the
 * primaries (literals, names, struct and array literals, `forall`). */
#include <string.h>

#include "parse.h"

static Expr *expr_new(Parser *P, ExprKind kind, uint32_t start) {
    Expr *e = parse_expr_alloc(P, kind);
    e->span = (Span){(uint16_t)P->file, start, start};
    return e;
}

static Expr *expr_end(Parser *P, Expr *e) {
    e->span = parse_span_from(P, e->span.start);
    return e;
}

/* Binding power of each binary operator, lowest first (`==>` is handled on its own). */
enum {
    PREC_NONE, PREC_OR, PREC_AND, PREC_CMP, PREC_BOR, PREC_BXOR, PREC_BAND, PREC_SHIFT,
    PREC_ADD, PREC_MUL
};

static int binop(int kind, int *op) {
    switch (kind) {
    case TK_OROR: *op = BIN_LOR; return PREC_OR;
    case TK_ANDAND: *op = BIN_LAND; return PREC_AND;
    case TK_EQEQ: *op = BIN_EQ; return PREC_CMP;
    case TK_NE: *op = BIN_NE; return PREC_CMP;
    case TK_LT: *op = BIN_LT; return PREC_CMP;
    case TK_LE: *op = BIN_LE; return PREC_CMP;
    case TK_GT: *op = BIN_GT; return PREC_CMP;
    case TK_GE: *op = BIN_GE; return PREC_CMP;
    case TK_PIPE: *op = BIN_BOR; return PREC_BOR;
    case TK_CARET: *op = BIN_BXOR; return PREC_BXOR;
    case TK_AMP: *op = BIN_BAND; return PREC_BAND;
    case TK_SHL: *op = BIN_SHL; return PREC_SHIFT;
    case TK_SHR: *op = BIN_SHR; return PREC_SHIFT;
    case TK_PLUS: *op = BIN_ADD; return PREC_ADD;
    case TK_MINUS: *op = BIN_SUB; return PREC_ADD;
    case TK_WPLUS: *op = BIN_WADD; return PREC_ADD;
    case TK_WMINUS: *op = BIN_WSUB; return PREC_ADD;
    case TK_STAR: *op = BIN_MUL; return PREC_MUL;
    case TK_SLASH: *op = BIN_DIV; return PREC_MUL;
    case TK_PERCENT: *op = BIN_MOD; return PREC_MUL;
    case TK_WSTAR: *op = BIN_WMUL; return PREC_MUL;
    default: return PREC_NONE;
    }
}

/* Parses with `no_struct` cleared: inside brackets a struct literal is unambiguous. */
static Expr *parse_expr_in_brackets(Parser *P) {
    bool ns = P->no_struct;
    P->no_struct = false;
    Expr *e = parse_expr(P);
    P->no_struct = ns;
    return e;
}

/* grammar:
 * call_args = "(" [ expr { "," expr } [ "," ] ] ")" ;
 */
static void parse_call_args(Parser *P, Expr *call) {
    PtrVec v = {0};
    parse_expect(P, TK_LPAREN, "to begin the arguments");
    while (!parse_at(P, TK_RPAREN) && !parse_at(P, TK_EOF) && !P->panicking) {
        ptrvec_push(&P->scratch, &v, parse_expr_in_brackets(P));
        if (!parse_accept(P, TK_COMMA))
            break;
    }
    parse_expect(P, TK_RPAREN, "to close the arguments");
    call->args = PARSE_VEC(P, Expr, v);
    call->nargs = v.len;
}

/* grammar:
 * struct_lit = IDENT "{" [ field_init { "," field_init } [ "," ] ] "}" ;
 * field_init = IDENT ":" expr ;
 */
static Expr *parse_struct_lit(Parser *P, Token *name) {
    Expr *e = expr_new(P, EX_STRUCT_LIT, name->start);
    TypeRef *tr = ARENA_NEW(P->arena, TypeRef);
    tr->kind = TR_NAME;
    tr->span = parse_tok_span(P, name);
    tr->name = name->s;
    e->tref = tr;
    parse_expect(P, TK_LBRACE, "to begin the struct literal");
    PtrVec names = {0}, vals = {0};
    while (!parse_at(P, TK_RBRACE) && !parse_at(P, TK_EOF) && !P->panicking) {
        Token *f = parse_peek(P);
        if (f->kind != TK_IDENT) {
            parse_error(P, parse_tok_span(P, f), "expected a field name, found %s",
                        lex_tok_name(f->kind));
            break;
        }
        parse_advance(P);
        parse_expect(P, TK_COLON, "after the field name");
        ptrvec_push(&P->scratch, &names, (void *)f->s);
        ptrvec_push(&P->scratch, &vals, parse_expr_in_brackets(P));
        if (!parse_accept(P, TK_COMMA))
            break;
    }
    parse_expect(P, TK_RBRACE, "to close the struct literal");
    e->field_names = (const char **)parse_vec_copy(P, &names);
    e->args = PARSE_VEC(P, Expr, vals);
    e->nargs = vals.len;
    return expr_end(P, e);
}

/* grammar:
 * array_lit = "[" [ expr { "," expr } [ "," ] ] "]" ;
 */
static Expr *parse_array_lit(Parser *P) {
    Expr *e = expr_new(P, EX_ARRAY_LIT, parse_advance(P)->start);
    PtrVec v = {0};
    while (!parse_at(P, TK_RBRACKET) && !parse_at(P, TK_EOF) && !P->panicking) {
        ptrvec_push(&P->scratch, &v, parse_expr_in_brackets(P));
        if (!parse_accept(P, TK_COMMA))
            break;
    }
    parse_expect(P, TK_RBRACKET, "to close the array literal");
    e->args = PARSE_VEC(P, Expr, v);
    e->nargs = v.len;
    return expr_end(P, e);
}

/* grammar:
 * forall_expr = "forall" IDENT "in" expr ".." expr ":" expr ;
 */
static Expr *parse_forall(Parser *P) {
    Expr *e = expr_new(P, EX_FORALL, parse_advance(P)->start);
    Token *t = parse_peek(P);
    if (t->kind != TK_IDENT) {
        parse_error(P, parse_tok_span(P, t), "expected a variable after 'forall', found %s",
                    lex_tok_name(t->kind));
        return expr_end(P, e);
    }
    parse_advance(P);
    e->name = t->s;
    parse_expect(P, KW_IN, "after the 'forall' variable");
    e->lhs = parse_expr_in_brackets(P);
    parse_expect(P, TK_DOTDOT, "in the 'forall' range ('forall i in a..b: e')");
    e->rhs = parse_expr_in_brackets(P);
    parse_expect(P, TK_COLON, "before the body of 'forall'");
    e->body = parse_expr(P);
    return expr_end(P, e);
}

/* A string literal alone, as `revert` and `require ... else` take it. */
Expr *parse_string_expr(Parser *P) {
    Token *t = parse_advance(P);
    Expr *e = expr_new(P, EX_STRING, t->start);
    e->str = t->s;
    e->str_len = t->len;
    return expr_end(P, e);
}

/* A struct literal starts with `Name {` followed by `}` or `field:`; a block that follows
 * a condition does not (and is excluded by no_struct anyway). */
static bool at_struct_lit(Parser *P) {
    if (P->no_struct || parse_peek_at(P, 1)->kind != TK_LBRACE)
        return false;
    Token *a = parse_peek_at(P, 2);
    return a->kind == TK_RBRACE || (a->kind == TK_IDENT && parse_peek_at(P, 3)->kind == TK_COLON);
}

/* grammar:
 * primary = INT | STRING | "true" | "false" | "self" | IDENT | struct_lit | array_lit
 *         | forall_expr | "(" expr ")" ;
 */
static Expr *parse_primary(Parser *P) {
    Token *t = parse_peek(P);
    Expr *e;
    switch (t->kind) {
    case TK_INT:
        parse_advance(P);
        e = expr_new(P, EX_INT, t->start);
        if (t->len) {
            U256 v = u256_from_u64(0);
            u256_parse(t->s, t->len, &v);
            parse_set_ival(P, e, v);
        }
        return expr_end(P, e);
    case TK_STRING:
        return parse_string_expr(P);
    case KW_TRUE: case KW_FALSE:
        parse_advance(P);
        e = expr_new(P, EX_BOOL, t->start);
        e->bval = t->kind == KW_TRUE;
        return expr_end(P, e);
    case KW_SELF:
        parse_advance(P);
        e = expr_new(P, EX_NAME, t->start);
        e->name = intern(P->prog->names, "self", 4);
        return expr_end(P, e);
    case TK_IDENT:
        if (at_struct_lit(P)) {
            parse_advance(P);
            return parse_struct_lit(P, t);
        }
        parse_advance(P);
        e = expr_new(P, EX_NAME, t->start);
        e->name = t->s;
        return expr_end(P, e);
    case TK_LPAREN:
        parse_advance(P);
        e = parse_expr_in_brackets(P);
        parse_expect(P, TK_RPAREN, "to close the parenthesis");
        return e;
    case TK_LBRACKET:
        return parse_array_lit(P);
    case KW_FORALL:
        return parse_forall(P);
    default:
        parse_error(P, parse_tok_span(P, t), "expected expression, found %s", lex_tok_name(t->kind));
        return parse_error_expr(P, parse_tok_span(P, t));
    }
}

/* `{value: e}` between a method name and its arguments: `I(a).f{value: v}(args)`. */
static bool at_call_value(Parser *P) {
    Token *a = parse_peek_at(P, 1);
    return parse_at(P, TK_LBRACE) && a->kind == TK_IDENT && a->len == 5 &&
           memcmp(a->s, "value", 5) == 0 && parse_peek_at(P, 2)->kind == TK_COLON;
}

/* grammar:
 * postfix_expr = primary { call_args | call_value call_args | "[" expr "]" | "." IDENT } ;
 * call_value = "{" "value" ":" expr "}" ;
 */
Expr *parse_postfix_expr(Parser *P) {
    uint32_t start = parse_peek(P)->start;
    Expr *e = parse_primary(P);
    int entered = 0; /* each postfix operation nests the tree one level deeper */
    while (!P->panicking) {
        Token *t = parse_peek(P);
        bool postfix = t->kind == TK_LPAREN || t->kind == TK_LBRACKET || t->kind == TK_DOT ||
                       at_call_value(P);
        if (!postfix || !parse_enter(P, "expression"))
            break;
        entered++;
        if (t->kind == TK_LPAREN || at_call_value(P)) {
            Expr *c = expr_new(P, EX_CALL, start);
            c->lhs = e;
            if (t->kind == TK_LBRACE) {
                parse_advance(P);
                parse_advance(P);
                parse_advance(P);
                c->call_value = parse_expr_in_brackets(P);
                parse_expect(P, TK_RBRACE, "to close the call options");
            }
            parse_call_args(P, c);
            e = expr_end(P, c);
        } else if (t->kind == TK_LBRACKET) {
            parse_advance(P);
            Expr *x = expr_new(P, EX_INDEX, start);
            x->lhs = e;
            x->rhs = parse_expr_in_brackets(P);
            parse_expect(P, TK_RBRACKET, "to close the index");
            e = expr_end(P, x);
        } else if (t->kind == TK_DOT) {
            parse_advance(P);
            Token *n = parse_peek(P);
            Expr *f = expr_new(P, EX_FIELD, start);
            f->lhs = e;
            if (n->kind == TK_IDENT) {
                parse_advance(P);
                f->name = n->s;
            } else if (n->kind == TK_INT && e->kind == EX_INT && e->span.end == t->start &&
                       t->end == n->start) {
                parse_error(P, (Span){(uint16_t)P->file, e->span.start, n->end},
                            "Writ has no fractional numbers: integers only");
                f->name = intern(P->prog->names, "<error>", 7);
            } else {
                parse_error(P, parse_tok_span(P, n), "expected a field or method name after '.', found %s",
                            lex_tok_name(n->kind));
                f->name = intern(P->prog->names, "<error>", 7);
            }
            e = expr_end(P, f);
        }
    }
    P->depth -= entered;
    return e;
}

/* grammar:
 * unary_expr = ( "-" | "!" | "~" ) unary_expr | postfix_expr ;
 */
static Expr *parse_unary(Parser *P) {
    Token *t = parse_peek(P);
    int op = t->kind == TK_MINUS ? UN_NEG : t->kind == TK_BANG ? UN_NOT : t->kind == TK_TILDE ? UN_BNOT : -1;
    if (op < 0)
        return parse_postfix_expr(P);
    parse_advance(P);
    Expr *e = expr_new(P, EX_UNARY, t->start);
    e->op = op;
    if (!parse_enter(P, "expression")) {
        e->lhs = parse_error_expr(P, parse_tok_span(P, t));
        return expr_end(P, e);
    }
    e->lhs = parse_unary(P);
    parse_leave(P);
    return expr_end(P, e);
}

/* grammar:
 * cast_expr = unary_expr { "as" type } ;
 */
static Expr *parse_cast(Parser *P) {
    uint32_t start = parse_peek(P)->start;
    Expr *e = parse_unary(P);
    int entered = 0;
    while (parse_at(P, KW_AS) && !P->panicking && parse_enter(P, "expression")) {
        entered++;
        parse_advance(P);
        Expr *c = expr_new(P, EX_CAST, start);
        c->lhs = e;
        c->tref = parse_type(P);
        e = expr_end(P, c);
    }
    P->depth -= entered;
    return e;
}

/* grammar:
 * or_expr = and_expr { "||" and_expr } ;
 * and_expr = cmp_expr { "&&" cmp_expr } ;
 * cmp_expr = bitor_expr [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) bitor_expr ] ;
 * bitor_expr = bitxor_expr { "|" bitxor_expr } ;
 * bitxor_expr = bitand_expr { "^" bitand_expr } ;
 * bitand_expr = shift_expr { "&" shift_expr } ;
 * shift_expr = add_expr { ( "<<" | ">>" ) add_expr } ;
 * add_expr = mul_expr { ( "+" | "-" | "+%" | "-%" ) mul_expr } ;
 * mul_expr = cast_expr { ( "*" | "/" | "%" | "*%" ) cast_expr } ;
 */
static Expr *parse_binary(Parser *P, int min_prec) {
    uint32_t start = parse_peek(P)->start;
    Expr *lhs = parse_cast(P);
    bool compared = false;
    /* A chain `a + b + c ...` builds a tree as deep as it is long: each operator counts as
     * a level, so that later passes, which recurse over the tree, recurse boundedly. */
    int entered = 0;
    while (!P->panicking) {
        int op;
        Token *t = parse_peek(P);
        int prec = binop(t->kind, &op);
        if (prec == PREC_NONE || prec < min_prec)
            break;
        if (prec == PREC_CMP && compared) {
            parse_error(P, parse_tok_span(P, t),
                        "comparison operators cannot be chained; use parentheses");
            break;
        }
        if (!parse_enter(P, "expression"))
            break;
        entered++;
        parse_advance(P);
        Expr *e = expr_new(P, EX_BINARY, start);
        e->op = op;
        e->lhs = lhs;
        e->rhs = parse_binary(P, prec + 1);
        lhs = expr_end(P, e);
        compared = prec == PREC_CMP;
    }
    P->depth -= entered;
    return lhs;
}

/* grammar:
 * expr = or_expr [ "==>" expr ] ;
 */
Expr *parse_expr(Parser *P) {
    Token *t = parse_peek(P);
    if (!parse_enter(P, "expression"))
        return parse_error_expr(P, parse_tok_span(P, t));
    Expr *e = parse_binary(P, PREC_OR);
    if (parse_at(P, TK_IMPLIES) && !P->panicking) {
        parse_advance(P);
        Expr *b = expr_new(P, EX_BINARY, t->start);
        b->op = BIN_IMPLIES;
        b->lhs = e;
        b->rhs = parse_expr(P);
        e = expr_end(P, b);
    }
    parse_leave(P);
    return e;
}

/* After a condition, `{ field: ...` cannot begin a block: it is the rest of a struct
 * literal written without parentheses. Say so, and skip it. */
static void struct_in_cond(Parser *P) {
    if (P->panicking || !parse_at(P, TK_LBRACE) || parse_peek_at(P, 1)->kind != TK_IDENT ||
        parse_peek_at(P, 2)->kind != TK_COLON)
        return;
    uint32_t start = parse_peek(P)->start;
    for (int level = 0;;) {
        int k = parse_peek(P)->kind;
        if (k == TK_EOF)
            break;
        parse_advance(P);
        level += k == TK_LBRACE ? 1 : k == TK_RBRACE ? -1 : 0;
        if (level == 0)
            break;
    }
    diag_error(P->diags, parse_span_from(P, start),
               "a struct literal in a condition must be in parentheses: (Name { field: value })");
}

/* grammar:
 * cond_expr = expr ;
 */
Expr *parse_cond_expr(Parser *P) {
    bool ns = P->no_struct;
    P->no_struct = true;
    Expr *e = parse_expr(P);
    P->no_struct = ns;
    struct_in_cond(P);
    return e;
}

/* grammar:
 * size_expr = add_expr ;
 */
Expr *parse_size_expr(Parser *P) {
    Token *t = parse_peek(P);
    if (!parse_enter(P, "expression"))
        return parse_error_expr(P, parse_tok_span(P, t));
    bool ns = P->no_struct;
    P->no_struct = false;
    Expr *e = parse_binary(P, PREC_ADD);
    P->no_struct = ns;
    parse_leave(P);
    return e;
}
