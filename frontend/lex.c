/* lex.c — the lexer: source bytes -> tokens (REFERENCE.md §1). Owns identifiers,
 * keywords, integer and string literals, operators, comments and every lexical error.
 * It never stops early: a bad byte is reported and skipped, so the parser always sees a
 * token stream ending with TK_EOF. */
#include <stdlib.h>
#include <string.h>

#include "lex.h"

static const char *const tok_names[TK_COUNT] = {
    [TK_EOF] = "end of file",
    [TK_IDENT] = "identifier",
    [TK_INT] = "integer literal",
    [TK_STRING] = "string literal",
#define X(k, s) [k] = "'" s "'",
    WRIT_PUNCTS(X) WRIT_KEYWORDS(X)
#undef X
};

static const struct {
    const char *s;
    uint32_t len;
    int kind;
} keywords[] = {
#define X(k, s) {s, sizeof(s) - 1, k},
    WRIT_KEYWORDS(X)
#undef X
}, puncts[] = {
#define X(k, s) {s, sizeof(s) - 1, k},
    WRIT_PUNCTS(X)
#undef X
};

enum {
    NKEYWORDS = sizeof keywords / sizeof keywords[0],
    NPUNCTS = sizeof puncts / sizeof puncts[0],
};

/* Chains of the keywords and of the operators that start with each byte, so an identifier
 * or an operator is compared only with the few entries sharing its first byte. Built once
 * from the tables above; entries are 1-based (0 ends a chain). */
static uint8_t kw_head[256], kw_next[NKEYWORDS], punct_head[256], punct_next[NPUNCTS];
static bool chains_built;

static void build_chains(void) {
    for (int i = NKEYWORDS - 1; i >= 0; i--) {
        unsigned char c = (unsigned char)keywords[i].s[0];
        kw_next[i] = kw_head[c];
        kw_head[c] = (uint8_t)(i + 1);
    }
    for (int i = NPUNCTS - 1; i >= 0; i--) {
        unsigned char c = (unsigned char)puncts[i].s[0];
        punct_next[i] = punct_head[c];
        punct_head[c] = (uint8_t)(i + 1);
    }
    chains_built = true;
}
_Static_assert(NKEYWORDS < 255 && NPUNCTS < 255, "chain entries are bytes");

const char *lex_tok_name(int kind) {
    return kind >= 0 && kind < TK_COUNT ? tok_names[kind] : "?";
}

typedef struct Lexer {
    Program *p;
    int file;
    const char *src;
    uint32_t len, pos;
    Token *toks;
    int n, cap;
    bool bol;
    bool after_bad;
} Lexer;

static Span span(Lexer *lx, uint32_t start, uint32_t end) {
    return (Span){(uint16_t)lx->file, start, end};
}

static Token *push(Lexer *lx, int kind, uint32_t start, uint32_t end) {
    if (lx->n == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 256;
        Token *t = realloc(lx->toks, sizeof(Token) * (size_t)lx->cap);
        if (!t)
            abort();
        lx->toks = t;
    }
    Token *t = &lx->toks[lx->n++];
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)kind;
    t->start = start;
    t->end = end;
    t->bol = lx->bol;
    t->after_bad = lx->after_bad;
    lx->bol = lx->after_bad = false;
    return t;
}

static bool is_ident_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

static bool is_ident_char(int c) {
    return is_ident_start(c) || is_digit(c);
}

static bool is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int hex_val(int c) {
    return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Length of the well-formed UTF-8 sequence at s (0 if it is not one). */
static uint32_t utf8_len(const unsigned char *s, uint32_t avail) {
    unsigned c = s[0];
    uint32_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (n > avail)
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (uint32_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Skips whitespace and comments; false at end of input. */
static void skip_space(Lexer *lx) {
    for (;;) {
        if (lx->pos >= lx->len)
            return;
        char c = lx->src[lx->pos];
        if (c == '\n') {
            lx->bol = true;
            lx->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            lx->pos++;
        } else if (c == '/' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '/') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
        } else if (c == '/' && lx->pos + 1 < lx->len && lx->src[lx->pos + 1] == '*') {
            uint32_t open = lx->pos;
            lx->pos += 2;
            for (;;) {
                if (lx->pos + 1 >= lx->len) {
                    lx->pos = lx->len;
                    diag_error(lx->p->diags, span(lx, open, open + 2),
                               "unterminated block comment");
                    return;
                }
                if (lx->src[lx->pos] == '*' && lx->src[lx->pos + 1] == '/') {
                    lx->pos += 2;
                    break;
                }
                if (lx->src[lx->pos] == '\n')
                    lx->bol = true;
                lx->pos++;
            }
        } else {
            return;
        }
    }
}

static void lex_ident(Lexer *lx) {
    uint32_t start = lx->pos;
    while (lx->pos < lx->len && is_ident_char((unsigned char)lx->src[lx->pos]))
        lx->pos++;
    uint32_t n = lx->pos - start;
    const char *s = lx->src + start;
    for (int k = kw_head[(unsigned char)s[0]]; k; k = kw_next[k - 1])
        if (keywords[k - 1].len == n && memcmp(keywords[k - 1].s, s, n) == 0) {
            push(lx, keywords[k - 1].kind, start, lx->pos);
            return;
        }
    if (n > LEX_MAX_IDENT) {
        diag_error(lx->p->diags, span(lx, start, start + LEX_MAX_IDENT),
                   "identifier too long (limit is %d bytes)", LEX_MAX_IDENT);
        n = LEX_MAX_IDENT;
    }
    Token *t = push(lx, TK_IDENT, start, lx->pos);
    t->s = intern(lx->p->names, s, n);
    t->len = n;
}

/* Decimal `1_000` or hex `0xff_ff`. The whole run of letters and digits is one token so
 * that `12abc` is one bad literal, not a number and a name. */
static void lex_int(Lexer *lx) {
    uint32_t start = lx->pos;
    while (lx->pos < lx->len && is_ident_char((unsigned char)lx->src[lx->pos]))
        lx->pos++;
    const char *s = lx->src + start;
    uint32_t n = lx->pos - start;
    Token *t = push(lx, TK_INT, start, lx->pos);
    t->s = s;
    t->len = n;
    bool hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    uint32_t i = hex ? 2 : 0;
    bool any = false;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '_')
            continue;
        if (hex ? is_hex(c) : is_digit(c)) {
            any = true;
            continue;
        }
        diag_error(lx->p->diags, span(lx, start + i, start + i + 1),
                   "invalid digit '%c' in %s integer literal", c, hex ? "hexadecimal" : "decimal");
        t->len = 0; /* the parser reads a zero */
        return;
    }
    U256 v;
    if (!any) {
        diag_error(lx->p->diags, span(lx, start, lx->pos), "integer literal has no digits");
        t->len = 0;
    } else if (!u256_parse(s, n, &v)) {
        diag_error(lx->p->diags, span(lx, start, lx->pos), "integer literal too large");
        t->len = 0;
    }
}

/* "text" with \n \t \r \\ \" \0 \xNN; a raw newline or the end of input unterminates it. */
static void lex_string(Lexer *lx) {
    uint32_t start = lx->pos++;
    uint32_t end = start + 1;
    while (end < lx->len && lx->src[end] != '"' && lx->src[end] != '\n') {
        if (lx->src[end] == '\\' && end + 1 < lx->len && lx->src[end + 1] != '\n')
            end++;
        end++;
    }
    bool closed = end < lx->len && lx->src[end] == '"';
    if (!closed)
        diag_error(lx->p->diags, span(lx, start, start + 1), "unterminated string literal");
    char *buf = arena_alloc(lx->p->arena, end - start + 1);
    uint32_t k = 0;
    bool bad_utf8 = false;
    while (lx->pos < end) {
        unsigned char c = (unsigned char)lx->src[lx->pos];
        if (c == 0) {
            diag_error(lx->p->diags, span(lx, lx->pos, lx->pos + 1),
                       "NUL byte in string literal (write \\0)");
            lx->pos++;
            continue;
        }
        if (c >= 0x80) {
            uint32_t n = utf8_len((const unsigned char *)lx->src + lx->pos, end - lx->pos);
            if (!n && !bad_utf8)
                diag_error(lx->p->diags, span(lx, lx->pos, lx->pos + 1),
                           "invalid UTF-8 in string literal (write bytes as \\xNN)");
            bad_utf8 |= !n;
            n = n ? n : 1;
            memcpy(buf + k, lx->src + lx->pos, n);
            k += n;
            lx->pos += n;
            continue;
        }
        if (c != '\\') {
            buf[k++] = (char)c;
            lx->pos++;
            continue;
        }
        uint32_t esc = lx->pos;
        if (lx->pos + 1 >= end) {
            lx->pos = end;
            break;
        }
        char e = lx->src[lx->pos + 1];
        lx->pos += 2;
        switch (e) {
        case 'n': buf[k++] = '\n'; break;
        case 't': buf[k++] = '\t'; break;
        case 'r': buf[k++] = '\r'; break;
        case '\\': buf[k++] = '\\'; break;
        case '"': buf[k++] = '"'; break;
        case '0': buf[k++] = 0; break;
        case 'x':
            if (lx->pos + 1 < end && is_hex((unsigned char)lx->src[lx->pos]) &&
                is_hex((unsigned char)lx->src[lx->pos + 1])) {
                buf[k++] = (char)(hex_val((unsigned char)lx->src[lx->pos]) * 16 +
                                  hex_val((unsigned char)lx->src[lx->pos + 1]));
                lx->pos += 2;
            } else {
                diag_error(lx->p->diags, span(lx, esc, lx->pos),
                           "\\x must be followed by two hexadecimal digits");
            }
            break;
        default:
            if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7f)
                diag_error(lx->p->diags, span(lx, esc, esc + 2),
                           "unknown escape sequence '\\%c'", e);
            else
                diag_error(lx->p->diags, span(lx, esc, esc + 2), "unknown escape sequence");
        }
    }
    if (closed)
        lx->pos = end + 1;
    Token *t = push(lx, TK_STRING, start, lx->pos);
    t->bad = !closed;
    t->s = buf;
    t->len = k;
}

/* The longest operator or delimiter at the current position. */
static bool lex_punct(Lexer *lx) {
    uint32_t avail = lx->len - lx->pos;
    const char *s = lx->src + lx->pos;
    int best = -1;
    uint32_t best_len = 0;
    for (int k = punct_head[(unsigned char)s[0]]; k; k = punct_next[k - 1]) {
        int i = k - 1;
        if (puncts[i].len > best_len && puncts[i].len <= avail &&
            memcmp(puncts[i].s, s, puncts[i].len) == 0) {
            best = i;
            best_len = puncts[i].len;
        }
    }
    if (best < 0)
        return false;
    push(lx, puncts[best].kind, lx->pos, lx->pos + best_len);
    lx->pos += best_len;
    return true;
}

/* One error for a run of bytes that start no token (binary garbage gives one line). */
static void lex_invalid(Lexer *lx) {
    uint32_t start = lx->pos;
    if (lx->src[start] == '\'') { /* 'text': one error for the whole would-be literal */
        uint32_t e = start + 1;
        while (e < lx->len && lx->src[e] != '\'' && lx->src[e] != '\n')
            e++;
        if (e < lx->len && lx->src[e] == '\'') {
            lx->pos = e + 1;
            lx->after_bad = true;
            diag_error(lx->p->diags, span(lx, start, lx->pos),
                       "invalid character: strings use double quotes");
            return;
        }
    }
    bool nul = false;
    while (lx->pos < lx->len) {
        const unsigned char *s = (const unsigned char *)lx->src + lx->pos;
        unsigned c = *s;
        if (c == '"' || c == '/' || c == ' ' || c == '\n' || c == '\t' || c == '\r' ||
            is_ident_char((int)c))
            break;
        if (c < 0x80 && c != 0 && c >= 0x20 && c != 0x7f && strchr("(){}[],;:.+-*%<>&|^~!=", (int)c))
            break;
        nul |= c == 0;
        uint32_t n = utf8_len(s, lx->len - lx->pos);
        lx->pos += n ? n : 1;
    }
    if (lx->pos == start)
        lx->pos++;
    lx->after_bad = true;
    diag_error(lx->p->diags, span(lx, start, lx->pos),
               nul ? "invalid character (NUL byte)" : "invalid character");
}

Token *lex_file(Program *p, int file, int *ntoks) {
    SrcFile *f = src_get(p->srcs, file);
    Lexer lx = {.p = p, .file = file, .src = f->text, .len = f->len, .bol = true};
    if (!chains_built)
        build_chains();
    for (;;) {
        skip_space(&lx);
        if (lx.pos >= lx.len)
            break;
        unsigned char c = (unsigned char)lx.src[lx.pos];
        if (is_ident_start(c))
            lex_ident(&lx);
        else if (is_digit(c))
            lex_int(&lx);
        else if (c == '"')
            lex_string(&lx);
        else if (!lex_punct(&lx))
            lex_invalid(&lx);
    }
    push(&lx, TK_EOF, lx.len, lx.len);
    *ntoks = lx.n;
    return lx.toks;
}
