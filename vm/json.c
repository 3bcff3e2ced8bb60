/* json.c — a small recursive-descent JSON reader (RFC 8259) for the spec harness: objects,
 * arrays, strings with \u escapes (surrogate pairs to UTF-8), numbers, literals. Bad input
 * gets a byte offset and a reason, never a crash; nesting is bounded. */
#include <stdlib.h>
#include <string.h>

#include "vm/json.h"

typedef struct {
    const char *s;
    size_t pos, len;
    const char *err;
    size_t err_off;
} P;

static bool fail(P *p, const char *msg) {
    if (!p->err) { p->err = msg; p->err_off = p->pos; }
    return false;
}

static void ws(P *p) {
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                               p->s[p->pos] == '\r'))
        p->pos++;
}

static bool hex4(P *p, unsigned *out) {
    if (p->len - p->pos < 4) return fail(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else { p->pos--; return fail(p, "bad hex digit in \\u escape"); }
    }
    *out = v;
    return true;
}

static size_t put_utf8(char *d, unsigned cp) {
    if (cp < 0x80) { d[0] = (char)cp; return 1; }
    if (cp < 0x800) { d[0] = (char)(0xc0 | cp >> 6); d[1] = (char)(0x80 | (cp & 0x3f)); return 2; }
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | cp >> 12); d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | cp >> 18); d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* string := '"' chars '"'; the result never grows past the source length + 1. */
static bool string(P *p, char **out, size_t *outlen) {
    p->pos++; /* opening quote */
    size_t start = p->pos;
    char *d = malloc(p->len - start + 1);
    if (!d) return fail(p, "out of memory");
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->len) { free(d); return fail(p, "unterminated string"); }
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"') break;
        if (c < 0x20) { p->pos--; free(d); return fail(p, "control character in string"); }
        if (c != '\\') { d[n++] = (char)c; continue; }
        if (p->pos >= p->len) { free(d); return fail(p, "unterminated escape"); }
        char e = p->s[p->pos++];
        switch (e) {
        case '"': d[n++] = '"'; break;
        case '\\': d[n++] = '\\'; break;
        case '/': d[n++] = '/'; break;
        case 'b': d[n++] = '\b'; break;
        case 'f': d[n++] = '\f'; break;
        case 'n': d[n++] = '\n'; break;
        case 'r': d[n++] = '\r'; break;
        case 't': d[n++] = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (!hex4(p, &cp)) { free(d); return false; }
            if (cp >= 0xd800 && cp < 0xdc00 && p->len - p->pos >= 6 && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                p->pos += 2;
                if (!hex4(p, &lo)) { free(d); return false; }
                if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                else p->pos = save;
            }
            n += put_utf8(d + n, cp); /* 6 source bytes always cover the output */
            break;
        }
        default: p->pos--; free(d); return fail(p, "bad escape in string");
        }
    }
    d[n] = 0;
    *out = d;
    *outlen = n;
    return true;
}

static bool value(P *p, Json *j, int depth);

static bool push_item(P *p, Json *j, char *key, size_t keylen) {
    if ((j->n & (j->n - 1)) == 0 || j->n == 0) { /* grow at powers of two */
        size_t cap = j->n ? j->n * 2 : 4;
        Json *items = realloc(j->items, sizeof *items * cap);
        if (!items) return fail(p, "out of memory");
        j->items = items;
        if (j->kind == JSON_OBJ) {
            char **keys = realloc(j->keys, sizeof *keys * cap);
            if (!keys) return fail(p, "out of memory");
            j->keys = keys;
            size_t *kl = realloc(j->keylens, sizeof *kl * cap);
            if (!kl) return fail(p, "out of memory");
            j->keylens = kl;
        }
    }
    memset(&j->items[j->n], 0, sizeof j->items[0]);
    if (j->kind == JSON_OBJ) { j->keys[j->n] = key; j->keylens[j->n] = keylen; }
    j->n++;
    return true;
}

static bool literal(P *p, const char *word) {
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) return fail(p, "unexpected token");
    p->pos += n;
    return true;
}

static bool value(P *p, Json *j, int depth) {
    ws(p);
    if (p->pos >= p->len) return fail(p, "unexpected end of input");
    if (depth > JSON_MAX_DEPTH) return fail(p, "nesting too deep (limit is 200)");
    char c = p->s[p->pos];
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->kind = c == '{' ? JSON_OBJ : JSON_ARR;
        p->pos++;
        ws(p);
        if (p->pos < p->len && p->s[p->pos] == close) { p->pos++; return true; }
        for (;;) {
            char *key = NULL;
            size_t keylen = 0;
            if (j->kind == JSON_OBJ) {
                ws(p);
                if (p->pos >= p->len || p->s[p->pos] != '"') return fail(p, "expected a string key");
                if (!string(p, &key, &keylen)) return false;
                ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':') { free(key); return fail(p, "expected ':'"); }
                p->pos++;
            }
            if (!push_item(p, j, key, keylen)) { free(key); return false; }
            if (!value(p, &j->items[j->n - 1], depth + 1)) return false;
            ws(p);
            if (p->pos >= p->len) return fail(p, "unexpected end of input");
            if (p->s[p->pos] == ',') { p->pos++; continue; }
            if (p->s[p->pos] == close) { p->pos++; return true; }
            return fail(p, j->kind == JSON_OBJ ? "expected ',' or '}'" : "expected ',' or ']'");
        }
    }
    if (c == '"') { j->kind = JSON_STR; return string(p, &j->str, &j->len); }
    if (c == 't') { j->kind = JSON_BOOL; j->b = true; return literal(p, "true"); }
    if (c == 'f') { j->kind = JSON_BOOL; return literal(p, "false"); }
    if (c == 'n') { j->kind = JSON_NULL; return literal(p, "null"); }
    if (c == '-' || (c >= '0' && c <= '9')) {
        size_t start = p->pos;
        if (p->s[p->pos] == '-') p->pos++;
        size_t digits = p->pos;
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
        if (p->pos == digits) return fail(p, "bad number");
        if (p->pos < p->len && p->s[p->pos] == '.') {
            p->pos++;
            size_t f = p->pos;
            while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
            if (p->pos == f) return fail(p, "bad number");
        }
        if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
            p->pos++;
            if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
            size_t f = p->pos;
            while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
            if (p->pos == f) return fail(p, "bad number");
        }
        char buf[64];
        size_t n = p->pos - start;
        if (n >= sizeof buf) n = sizeof buf - 1;
        memcpy(buf, p->s + start, n);
        buf[n] = 0;
        j->kind = JSON_NUM;
        j->num = strtod(buf, NULL);
        return true;
    }
    return fail(p, "unexpected character");
}

static void release(Json *j) {
    for (size_t i = 0; i < j->n; i++) {
        release(&j->items[i]);
        if (j->keys) free(j->keys[i]);
    }
    free(j->items); free(j->keys); free(j->keylens); free(j->str);
}

void json_free(Json *j) {
    if (!j) return;
    release(j);
    free(j);
}

Json *json_parse(const char *text, size_t len, size_t *err_off, const char **err_msg) {
    P p = { text, 0, len, NULL, 0 };
    Json *j = calloc(1, sizeof *j);
    if (!j) { *err_off = 0; *err_msg = "out of memory"; return NULL; }
    if (value(&p, j, 0)) {
        ws(&p);
        if (p.pos == p.len) return j;
        fail(&p, "trailing characters after the document");
    }
    *err_off = p.err_off;
    *err_msg = p.err;
    json_free(j);
    return NULL;
}

const Json *json_get(const Json *obj, const char *key) {
    if (!obj || obj->kind != JSON_OBJ) return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
    return NULL;
}

const char *json_get_str(const Json *obj, const char *key) {
    const Json *v = json_get(obj, key);
    return v && v->kind == JSON_STR ? v->str : NULL;
}
