/* wat_lex.c — the WAT reader's tokens and literals: error positions (LINE:COL), byte
 * buffers, the lexer (comments, UTF-8, strings, reserved tokens), string escapes and number
 * literals with the spec's syntax, ranges and rounding (strtof/strtod round correctly). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/wat_int.h"

static bool failv(Wat *p, uint32_t off, const char *fmt, va_list ap) {
    if (p->failed) return false;
    p->failed = true;
    uint32_t line = 1, col = 1;
    for (uint32_t i = 0; i < off && i < p->len; i++) {
        if (p->src[i] == '\n') { line++; col = 1; }
        else if (((unsigned char)p->src[i] & 0xc0) != 0x80) col++;
    }
    char why[160];
    vsnprintf(why, sizeof why, fmt, ap);
    p->err->status = VM_MALFORMED;
    p->err->offset = off;
    snprintf(p->err->msg, sizeof p->err->msg, "%u:%u: %s", line, col, why);
    return false;
}

bool wat_fail_at(Wat *p, uint32_t off, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    failv(p, off, fmt, ap);
    va_end(ap);
    return false;
}

Tok *wat_peek(Wat *p) { return &p->toks[p->pos]; }
Tok *wat_peek2(Wat *p) { return &p->toks[p->pos + 1 < p->ntok ? p->pos + 1 : p->pos]; }

/* Fails at the current token with its text quoted. */
bool wat_fail_tok(Wat *p, const char *why) {
    Tok *t = wat_peek(p);
    if (t->kind == T_EOF) return wat_fail_at(p, t->off, "%s: unexpected end of input", why);
    int n = t->len > 40 ? 40 : (int)t->len;
    return wat_fail_at(p, t->off, "%s '%.*s'", why, n, p->src + t->off);
}

/* Fails at the current token: "WHY 'TOKEN' (NOTE)". */
bool wat_fail_tok_note(Wat *p, const char *why, const char *note) {
    Tok *t = wat_peek(p);
    int n = t->len > 40 ? 40 : (int)t->len;
    return wat_fail_at(p, t->off, "%s '%.*s' (%s)", why, n, p->src + t->off, note);
}

/* ---- buffers ---- */

void wat_buf_put(Buf *b, const void *src, size_t n) {
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = vm_realloc(b->p, cap);
        if (!q) { b->oom = true; return; }
        b->p = q;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}
void wat_buf_byte(Buf *b, uint8_t v) { wat_buf_put(b, &v, 1); }
void wat_buf_u32(Buf *b, uint64_t v) {
    do { uint8_t c = v & 0x7f; v >>= 7; wat_buf_byte(b, c | (v ? 0x80 : 0)); } while (v);
}
void wat_buf_s64(Buf *b, int64_t v) {
    for (;;) {
        uint8_t c = v & 0x7f;
        v >>= 7; /* arithmetic shift on every supported compiler */
        bool done = (v == 0 && !(c & 0x40)) || (v == -1 && (c & 0x40));
        wat_buf_byte(b, c | (done ? 0 : 0x80));
        if (done) break;
    }
}
void wat_buf_free(Buf *b) { vm_free(b->p); b->p = NULL; b->n = b->cap = 0; }

/* ---- lexer ---- */

static bool is_idchar(unsigned char c) {
    if (c <= 0x20 || c >= 0x7f) return false;
    return !strchr("\"(),;[]{}", c);
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if malformed. */
int wat_utf8_len(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    int len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return 0;
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

static bool push_tok(Wat *p, TokKind k, size_t off, size_t len) {
    if (p->ntok == p->cap) {
        uint32_t cap = p->cap ? p->cap * 2 : 256;
        Tok *t = vm_realloc(p->toks, cap * sizeof *t);
        if (!t) return wat_fail_at(p, (uint32_t)off, "out of memory");
        p->toks = t;
        p->cap = cap;
    }
    p->toks[p->ntok++] = (Tok){ k, (uint32_t)off, (uint32_t)len };
    return true;
}

/* Skips a string body from the opening quote; returns the offset after the closing quote. */
static bool scan_string(Wat *p, size_t *i) {
    const unsigned char *s = (const unsigned char *)p->src;
    size_t start = *i, j = *i + 1;
    for (;;) {
        if (j >= p->len) return wat_fail_at(p, (uint32_t)start, "unclosed string");
        unsigned char c = s[j];
        if (c == '"') { *i = j + 1; return true; }
        if (c == '\n') return wat_fail_at(p, (uint32_t)start, "unclosed string");
        if (c < 0x20 || c == 0x7f) return wat_fail_at(p, (uint32_t)j, "illegal character in string");
        if (c == '\\') {
            if (j + 1 >= p->len) return wat_fail_at(p, (uint32_t)start, "unclosed string");
            j += 2;
            continue;
        }
        int l = wat_utf8_len(s + j, p->len - j);
        if (!l) return wat_fail_at(p, (uint32_t)j, "malformed UTF-8 encoding");
        j += l;
    }
}

/* Tokens: ( ) strings and atoms (maximal runs of idchars). A run mixing idchars and strings,
 * or stray characters like ',' '[' are reserved tokens: malformed. */
bool wat_lex(Wat *p) {
    const unsigned char *s = (const unsigned char *)p->src;
    size_t i = 0, n = p->len;
    while (i < n) {
        unsigned char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { i++; continue; }
        if (c == ';' && i + 1 < n && s[i + 1] == ';') {
            while (i < n && s[i] != '\n') {
                int l = wat_utf8_len(s + i, n - i);
                if (!l) return wat_fail_at(p, (uint32_t)i, "malformed UTF-8 encoding");
                i += l;
            }
            continue;
        }
        if (c == '(' && i + 1 < n && s[i + 1] == ';') {
            size_t start = i;
            int level = 1;
            i += 2;
            while (level > 0) {
                if (i >= n) return wat_fail_at(p, (uint32_t)start, "unclosed block comment");
                if (s[i] == '(' && i + 1 < n && s[i + 1] == ';') { level++; i += 2; }
                else if (s[i] == ';' && i + 1 < n && s[i + 1] == ')') { level--; i += 2; }
                else {
                    int l = wat_utf8_len(s + i, n - i);
                    if (!l) return wat_fail_at(p, (uint32_t)i, "malformed UTF-8 encoding");
                    i += l;
                }
            }
            continue;
        }
        if (c == '(') { OK(push_tok(p, T_LP, i, 1)); i++; continue; }
        if (c == ')') { OK(push_tok(p, T_RP, i, 1)); i++; continue; }
        if (c == '"' || is_idchar(c)) {
            size_t start = i;
            int strings = 0, idchars = 0;
            while (i < n && (s[i] == '"' || is_idchar(s[i]))) {
                if (s[i] == '"') { OK(scan_string(p, &i)); strings++; }
                else { i++; idchars++; }
            }
            if (strings == 1 && idchars == 0) { OK(push_tok(p, T_STR, start, i - start)); continue; }
            if (strings == 0) { OK(push_tok(p, T_ATOM, start, i - start)); continue; }
            return wat_fail_at(p, (uint32_t)start, "unknown operator '%.*s' (tokens must be separated)",
                           (int)((i - start) > 40 ? 40 : (i - start)), p->src + start);
        }
        if (c >= 0x80 && !wat_utf8_len(s + i, n - i)) return wat_fail_at(p, (uint32_t)i, "malformed UTF-8 encoding");
        return wat_fail_at(p, (uint32_t)i, "unexpected character '%c'", c >= 0x21 && c < 0x7f ? c : '?');
    }
    return push_tok(p, T_EOF, n, 0);
}

/* Decodes a string token into b (escapes resolved). */
bool wat_decode_string(Wat *p, const Tok *t, Buf *b) {
    const char *s = p->src + t->off + 1;
    size_t n = t->len - 2;
    for (size_t i = 0; i < n;) {
        if (s[i] != '\\') { wat_buf_byte(b, (uint8_t)s[i++]); continue; }
        char e = s[i + 1];
        uint32_t at = (uint32_t)(t->off + 1 + i);
        i += 2;
        switch (e) {
        case 't': wat_buf_byte(b, '\t'); break;
        case 'n': wat_buf_byte(b, '\n'); break;
        case 'r': wat_buf_byte(b, '\r'); break;
        case '"': wat_buf_byte(b, '"'); break;
        case '\'': wat_buf_byte(b, '\''); break;
        case '\\': wat_buf_byte(b, '\\'); break;
        case 'u': {
            if (i >= n || s[i] != '{') return wat_fail_at(p, at, "malformed escape in string");
            i++;
            uint32_t cp = 0;
            int digits = 0;
            bool under = false;
            while (i < n && s[i] != '}') {
                char c = s[i];
                int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (c == '_' && digits && !under) { under = true; i++; continue; }
                if (v < 0) return wat_fail_at(p, at, "malformed escape in string");
                under = false;
                if (cp > 0x10ffff) return wat_fail_at(p, at, "malformed escape in string (code point out of range)");
                cp = cp * 16 + (uint32_t)v;
                digits++;
                i++;
            }
            if (i >= n || !digits || under) return wat_fail_at(p, at, "malformed escape in string");
            i++;
            if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return wat_fail_at(p, at, "malformed escape in string (not a Unicode scalar value)");
            if (cp < 0x80) wat_buf_byte(b, (uint8_t)cp);
            else if (cp < 0x800) { wat_buf_byte(b, 0xc0 | cp >> 6); wat_buf_byte(b, 0x80 | (cp & 0x3f)); }
            else if (cp < 0x10000) {
                wat_buf_byte(b, 0xe0 | cp >> 12); wat_buf_byte(b, 0x80 | (cp >> 6 & 0x3f)); wat_buf_byte(b, 0x80 | (cp & 0x3f));
            } else {
                wat_buf_byte(b, 0xf0 | cp >> 18); wat_buf_byte(b, 0x80 | (cp >> 12 & 0x3f));
                wat_buf_byte(b, 0x80 | (cp >> 6 & 0x3f)); wat_buf_byte(b, 0x80 | (cp & 0x3f));
            }
            break;
        }
        default: {
            int h1 = e >= '0' && e <= '9' ? e - '0' : e >= 'a' && e <= 'f' ? e - 'a' + 10
                   : e >= 'A' && e <= 'F' ? e - 'A' + 10 : -1;
            char e2 = i < n ? s[i] : 0;
            int h2 = e2 >= '0' && e2 <= '9' ? e2 - '0' : e2 >= 'a' && e2 <= 'f' ? e2 - 'a' + 10
                   : e2 >= 'A' && e2 <= 'F' ? e2 - 'A' + 10 : -1;
            if (h1 < 0 || h2 < 0) return wat_fail_at(p, at, "unknown escape in string");
            wat_buf_byte(b, (uint8_t)(h1 * 16 + h2));
            i++;
        }
        }
    }
    if (b->oom) return wat_fail_at(p, t->off, "out of memory");
    return true;
}

/* ---- number literals ---- */

/* Digits with single underscores between them; returns the count of characters consumed
 * (0 if none) and appends the digits to dst. */
static size_t scan_digits(const char *s, size_t n, bool hex, char *dst, size_t *dn) {
    size_t i = 0;
    for (;;) {
        if (i >= n) break;
        char c = s[i];
        bool dig = (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
        if (dig) { dst[(*dn)++] = c; i++; continue; }
        if (c == '_' && i > 0 && i + 1 < n) {
            char d = s[i + 1];
            bool next = (d >= '0' && d <= '9') || (hex && ((d >= 'a' && d <= 'f') || (d >= 'A' && d <= 'F')));
            if (next) { i++; continue; }
        }
        break;
    }
    if (i > 0 && s[i - 1] == '_') return 0;
    return i;
}

/* An unsigned integer literal (decimal or 0x hex, underscores allowed): false if malformed;
 * *overflow when it does not fit 64 bits. */
bool wat_lit_uint(const char *s, size_t n, uint64_t *out, bool *overflow) {
    bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
    if (hex) { s += 2; n -= 2; }
    uint64_t v = 0;
    *overflow = false;
    size_t i = 0;
    if (n == 0) return false;
    while (i < n) {
        char c = s[i];
        if (c == '_') {
            if (i == 0 || i + 1 >= n || s[i - 1] == '_') return false;
            i++;
            continue;
        }
        int d = c >= '0' && c <= '9' ? c - '0'
              : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
              : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return false;
        uint64_t base = hex ? 16 : 10;
        if (v > (UINT64_MAX - (uint64_t)d) / base) *overflow = true;
        v = v * base + (uint64_t)d;
        i++;
    }
    *out = v;
    return true;
}

/* iN literal: sign? uint, in [-2^(N-1), 2^N-1]. 1 ok, 0 malformed, -1 out of range. */
int wat_lit_int(const char *s, size_t n, int bits, uint64_t *out) {
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) { neg = s[0] == '-'; s++; n--; }
    uint64_t v;
    bool ovf;
    if (!wat_lit_uint(s, n, &v, &ovf)) return 0;
    if (ovf) return -1;
    uint64_t max = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
    if (!neg && v > max) return -1;
    if (neg && v > (1ull << (bits - 1))) return -1;
    if (neg) v = (uint64_t)0 - v;
    if (bits == 32) v &= 0xffffffffu;
    *out = v;
    return 1;
}

/* fN literal to its bits. 1 ok, 0 malformed, -1 out of range. */
int wat_lit_float(const char *s, size_t n, int bits, uint64_t *out) {
    uint64_t sign = 0;
    int mant = bits == 32 ? 23 : 52;
    uint64_t expmask = bits == 32 ? 0xffull << 23 : 0x7ffull << 52;
    if (n && (s[0] == '+' || s[0] == '-')) {
        if (s[0] == '-') sign = 1ull << (bits - 1);
        s++;
        n--;
    }
    if (n == 3 && memcmp(s, "inf", 3) == 0) { *out = sign | expmask; return 1; }
    if (n == 3 && memcmp(s, "nan", 3) == 0) { *out = sign | expmask | 1ull << (mant - 1); return 1; }
    if (n > 4 && memcmp(s, "nan:", 4) == 0) {
        if (n < 7 || s[4] != '0' || s[5] != 'x') return 0;
        uint64_t v;
        bool ovf;
        if (!wat_lit_uint(s + 4, n - 4, &v, &ovf)) return 0;
        if (ovf || v == 0 || v >= 1ull << mant) return -1;
        *out = sign | expmask | v;
        return 1;
    }
    bool hex = n > 2 && s[0] == '0' && s[1] == 'x';
    char *buf = malloc(n + 8);
    if (!buf) return 0;
    size_t bn = 0, i = 0;
    if (hex) { buf[bn++] = '0'; buf[bn++] = 'x'; i = 2; }
    size_t k = scan_digits(s + i, n - i, hex, buf, &bn);
    int ok = 1;
    if (!k) ok = 0;
    i += k;
    if (ok && i < n && s[i] == '.') {
        buf[bn++] = '.';
        i++;
        if (i < n && s[i] != (hex ? 'p' : 'e') && s[i] != (hex ? 'P' : 'E')) {
            k = scan_digits(s + i, n - i, hex, buf, &bn);
            if (!k) ok = 0;
            i += k;
        }
    }
    if (ok && i < n && (s[i] == (hex ? 'p' : 'e') || s[i] == (hex ? 'P' : 'E'))) {
        buf[bn++] = hex ? 'p' : 'e';
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) buf[bn++] = s[i++];
        k = scan_digits(s + i, n - i, false, buf, &bn);
        if (!k) ok = 0;
        i += k;
    }
    if (ok && i != n) ok = 0;
    if (ok) {
        buf[bn] = 0;
        errno = 0;
        if (bits == 32) {
            float f = strtof(buf, NULL);
            if (isinf(f)) ok = -1;
            uint32_t u;
            memcpy(&u, &f, 4);
            *out = u | sign;
        } else {
            double d = strtod(buf, NULL);
            if (isinf(d)) ok = -1;
            memcpy(out, &d, 8);
            *out |= sign;
        }
    }
    free(buf);
    return ok;
}
