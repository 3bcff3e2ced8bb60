/* lex.h — tokens of the Writ language (REFERENCE.md §1), shared by lex.c and parse*.c.
 * Keywords and punctuators are one X-macro table each; the grammar-sync test
 * (tests/dsl/) reads the spellings from this file, so it is the one list of them. */
#ifndef WRIT_LEX_H
#define WRIT_LEX_H

#include "ast.h"

/* X(enum name, spelling) — every reserved word. */
#define WRIT_KEYWORDS(X)                                                                     \
    X(KW_CONTRACT, "contract") X(KW_INTERFACE, "interface") X(KW_STRUCT, "struct")           \
    X(KW_IMPORT, "import") X(KW_FN, "fn") X(KW_INIT, "init") X(KW_PUB, "pub")                \
    X(KW_VIEW, "view") X(KW_PAYABLE, "payable") X(KW_REENTRANT, "reentrant")                 \
    X(KW_STORAGE, "storage") X(KW_GHOST, "ghost") X(KW_CONST, "const")                       \
    X(KW_EVENT, "event") X(KW_ERROR, "error") X(KW_INDEXED, "indexed")                       \
    X(KW_INVARIANT, "invariant") X(KW_REQUIRES, "requires") X(KW_ENSURES, "ensures")         \
    X(KW_REVERTS_IF, "reverts_if") X(KW_LET, "let") X(KW_IF, "if") X(KW_ELSE, "else")        \
    X(KW_FOR, "for") X(KW_IN, "in") X(KW_RETURN, "return") X(KW_EMIT, "emit")                \
    X(KW_REVERT, "revert") X(KW_REQUIRE, "require") X(KW_ASSERT, "assert")                   \
    X(KW_BREAK, "break") X(KW_CONTINUE, "continue") X(KW_AS, "as") X(KW_TRUE, "true")        \
    X(KW_FALSE, "false") X(KW_FORALL, "forall") X(KW_MAP, "map") X(KW_LIST, "list")          \
    X(KW_STRING, "string") X(KW_SELF, "self")

/* X(enum name, spelling) — every operator and delimiter. The lexer takes the longest. */
#define WRIT_PUNCTS(X)                                                                       \
    X(TK_LPAREN, "(") X(TK_RPAREN, ")") X(TK_LBRACE, "{") X(TK_RBRACE, "}")                  \
    X(TK_LBRACKET, "[") X(TK_RBRACKET, "]") X(TK_COMMA, ",") X(TK_SEMI, ";")                 \
    X(TK_COLON, ":") X(TK_DOT, ".") X(TK_DOTDOT, "..") X(TK_ARROW, "->")                     \
    X(TK_PLUS, "+") X(TK_MINUS, "-") X(TK_STAR, "*") X(TK_SLASH, "/") X(TK_PERCENT, "%")     \
    X(TK_WPLUS, "+%") X(TK_WMINUS, "-%") X(TK_WSTAR, "*%")                                   \
    X(TK_SHL, "<<") X(TK_SHR, ">>") X(TK_AMP, "&") X(TK_PIPE, "|") X(TK_CARET, "^")          \
    X(TK_TILDE, "~") X(TK_BANG, "!") X(TK_ANDAND, "&&") X(TK_OROR, "||")                     \
    X(TK_EQEQ, "==") X(TK_NE, "!=") X(TK_LT, "<") X(TK_LE, "<=") X(TK_GT, ">")               \
    X(TK_GE, ">=") X(TK_IMPLIES, "==>") X(TK_ASSIGN, "=")                                    \
    X(TK_PLUS_EQ, "+=") X(TK_MINUS_EQ, "-=") X(TK_STAR_EQ, "*=") X(TK_SLASH_EQ, "/=")        \
    X(TK_PERCENT_EQ, "%=") X(TK_AMP_EQ, "&=") X(TK_PIPE_EQ, "|=") X(TK_CARET_EQ, "^=")       \
    X(TK_SHL_EQ, "<<=") X(TK_SHR_EQ, ">>=") X(TK_WPLUS_EQ, "+%=") X(TK_WMINUS_EQ, "-%=")     \
    X(TK_WSTAR_EQ, "*%=")

typedef enum TokKind {
    TK_EOF,
    TK_IDENT,  /* s = interned name */
    TK_INT,    /* s/len = the literal's text; value checked by the lexer */
    TK_STRING, /* s/len = the decoded bytes (arena) */
#define X(k, s) k,
    WRIT_PUNCTS(X) WRIT_KEYWORDS(X)
#undef X
    TK_COUNT
} TokKind;

_Static_assert(TK_COUNT <= 256, "token kinds are stored in a byte");

typedef struct Token {
    uint8_t kind;       /* TokKind */
    bool bol;           /* a newline separates it from the previous token */
    bool bad;           /* the lexer reported it (unterminated string): no cascades */
    bool after_bad;     /* follows bytes the lexer reported as invalid: no cascades */
    uint32_t start, end;
    uint32_t len;
    const char *s;
} Token;

/* Identifiers longer than this are an error (the name is cut to it). */
enum { LEX_MAX_IDENT = 256 };

/* Splits a whole file into tokens ending with TK_EOF. Errors go to p->diags; the lexer
 * never stops early. The array is malloc'ed: the caller frees it. */
Token *lex_file(Program *p, int file, int *ntoks);
/* "'fn'", "';'", "identifier", ... for messages. */
const char *lex_tok_name(int kind);

#endif
