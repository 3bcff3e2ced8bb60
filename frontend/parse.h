/* parse.h — the parser's internal state and helpers, shared by parse.c (items, types,
 * recovery), parse_stmt.c and parse_expr.c. Nothing outside these three files uses it. */
#ifndef WRIT_PARSE_H
#define WRIT_PARSE_H

#include "lex.h"

/* Nesting of expressions, blocks and types; deeper input is reported, not recursed into. */
enum { PARSE_MAX_DEPTH = 256 };

typedef struct Parser {
    Program *prog;
    Arena *arena;
    /* Lists under construction (ptrvec growth, parameters and specs before they are copied
     * into their final arrays of exact size): freed when the file is parsed, so only the
     * tree itself stays in the compilation's arena. */
    Arena scratch;
    DiagSink *diags;
    int file;
    Token *toks;
    int ntoks, pos;
    int depth;
    /* After an error the parser is "panicking": further errors are dropped until it
     * re-synchronises at a statement or item boundary, so one mistake gives one message. */
    bool panicking;
    /* In an `if`/`for`/`require` condition and in spec clauses `Name {` starts the block,
     * not a struct literal (as in Rust); brackets lift the restriction. */
    bool no_struct;
    /* After `>>` was split to close a type, the consumed first '>' ends at split_end while
     * the token at split_pos (the remaining '>') is still current: spans end there. */
    int split_pos;
    uint32_t split_end;
} Parser;

/* ---- tokens (parse.c) ---- */
Token *parse_peek(Parser *P);
Token *parse_peek_at(Parser *P, int k);
bool parse_at(Parser *P, int kind);
bool parse_accept(Parser *P, int kind);
Token *parse_advance(Parser *P);
Span parse_tok_span(Parser *P, const Token *t);
Span parse_span_from(Parser *P, uint32_t start); /* start .. end of the previous token */
uint32_t parse_prev_end(Parser *P);

/* ---- errors and recovery (parse.c) ---- */
void parse_error(Parser *P, Span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool parse_expect(Parser *P, int kind, const char *context);
bool parse_expect_semi(Parser *P, const char *context);
/* Enters one nesting level; false (after reporting and skipping the nested input) when the
 * limit is reached. Every true must be paired with parse_leave. */
bool parse_enter(Parser *P, const char *what);
void parse_leave(Parser *P);
bool parse_is_item_start(Parser *P);

/* ---- grammar ---- */
TypeRef *parse_type(Parser *P);
Expr *parse_expr(Parser *P);
Expr *parse_cond_expr(Parser *P);
Expr *parse_postfix_expr(Parser *P);
Expr *parse_size_expr(Parser *P);
Expr *parse_string_expr(Parser *P); /* at a TK_STRING */
Expr *parse_error_expr(Parser *P, Span sp);
Expr *parse_expr_alloc(Parser *P, ExprKind kind); /* expr_size[kind] bytes, zeroed */
void parse_set_ival(Parser *P, Expr *e, U256 v);  /* an EX_INT's value */
Block *parse_block(Parser *P);

/* Copies a PtrVec into an exact-size arena array of T*. */
#define PARSE_VEC(P, T, v) ((T **)parse_vec_copy((P), &(v)))
void **parse_vec_copy(Parser *P, PtrVec *v);

#endif
