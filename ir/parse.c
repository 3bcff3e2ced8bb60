/* parse.c — reads the IR text form that ir/print.c writes (grammar in docs/IR.md) back
 * into an IrModule. Line-oriented: every declaration and instruction ends at a newline,
 * and an error skips to the next line so that one run reports many. Bad input never
 * crashes or hangs; the module is returned only when there was no error. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define IR_MAX_ID 1000000 /* value and block numbers in the text */

enum { T_EOF, T_NL, T_IDENT, T_NUM, T_STR, T_PUNCT, T_ARROW };

typedef struct Tok {
    int kind;
    uint32_t start, end;
} Tok;

typedef struct FieldFix { IrInstr *instr; int step; Tok name; } FieldFix;
typedef struct FuncFix { int *slot; Tok name; bool by_index; uint32_t index; } FuncFix;
typedef struct SpanRec { int file; uint32_t start, line, col; Tok where; } SpanRec;

typedef struct P {
    Arena *a;          /* the module's */
    Arena scratch;     /* tokens, tables and fixups; freed at the end */
    DiagSink *d;
    int file;
    const char *src;
    uint32_t len;
    Tok *toks;
    int ntoks, cap_toks, pos;
    IrModule *m;
    int errors_at_start;
    bool quiet;        /* lookahead that the real parse reports on later */
    /* the function being parsed */
    IrFunc *f;
    IrInstr **vals;
    Tok *val_use;
    bool *val_def;
    int nvals;
    IrBlock **blocks;
    Tok *block_use;
    bool *block_def;
    int nblocks;
    IrBlock *last_block;
    FieldFix *fields;
    int nfields, cap_fields;
    /* module-wide fixups */
    FuncFix *funcs;
    int nfuncfix, cap_funcfix;
    SpanRec *spans;
    int nspans, cap_spans;
    const char **sources;
    int nsources, cap_sources;
} P;

/* Parser temporaries live in a scratch arena freed when parsing ends; a grown array
 * abandons its old storage there. */
static void *regrow(Arena *a, void *old, size_t old_bytes, size_t new_bytes) {
    void *q = arena_alloc(a, new_bytes);
    if (old_bytes) memcpy(q, old, old_bytes);
    return q;
}

#define VPUSH(arr, n, cap, val)                                                          \
    do {                                                                                 \
        if ((n) == (cap)) {                                                              \
            int grown_ = (cap) ? (cap) * 2 : 16;                                         \
            (arr) = regrow(&p->scratch, (arr), sizeof *(arr) * (size_t)(cap),            \
                           sizeof *(arr) * (size_t)grown_);                              \
            (cap) = grown_;                                                              \
        }                                                                                \
        (arr)[(n)++] = (val);                                                            \
    } while (0)

static Span tok_span(P *p, Tok t) { return (Span){(uint16_t)p->file, t.start, t.end}; }

static void err(P *p, Tok t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void err(P *p, Tok t, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    if (p->quiet) return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_error(p->d, tok_span(p, t), "%s", msg);
}

/* ---------------- lexer ---------------- */
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static void lex(P *p) {
    uint32_t i = 0;
    const char *s = p->src;
    while (i < p->len) {
        char c = s[i];
        Tok t = {T_PUNCT, i, i + 1};
        if (c == ' ' || c == '\t' || c == '\r') { i++; continue; }
        if (c == '/' && i + 1 < p->len && s[i + 1] == '/') {
            while (i < p->len && s[i] != '\n') i++;
            continue;
        }
        if (c == '\n') {
            t.kind = T_NL;
            i++;
            if (p->ntoks > 0 && p->toks[p->ntoks - 1].kind == T_NL) continue;
        } else if (is_alpha(c)) {
            t.kind = T_IDENT;
            while (i < p->len && (is_alpha(s[i]) || is_digit(s[i]))) i++;
            t.end = i;
        } else if (is_digit(c)) {
            t.kind = T_NUM;
            while (i < p->len && (is_alpha(s[i]) || is_digit(s[i]))) i++;
            t.end = i;
        } else if (c == '"') {
            t.kind = T_STR;
            i++;
            while (i < p->len && s[i] != '"' && s[i] != '\n') i += (s[i] == '\\' && i + 1 < p->len && s[i + 1] != '\n') ? 2 : 1;
            if (i >= p->len || s[i] != '"') {
                t.end = i;
                err(p, t, "unterminated string");
                continue;
            }
            i++;
            t.end = i;
        } else if (c == '-' && i + 1 < p->len && s[i + 1] == '>') {
            t.kind = T_ARROW;
            i += 2;
            t.end = i;
        } else if (strchr("()[]{},:=@%$!.#<>;-", c) && c) {
            i++;
        } else {
            if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
                err(p, t, "unexpected byte 0x%02x", (unsigned char)c);
            else
                err(p, t, "unexpected character '%c'", c);
            i++;
            continue;
        }
        VPUSH(p->toks, p->ntoks, p->cap_toks, t);
    }
    Tok nl = {T_NL, p->len, p->len}, eof = {T_EOF, p->len, p->len};
    if (p->ntoks == 0 || p->toks[p->ntoks - 1].kind != T_NL) VPUSH(p->toks, p->ntoks, p->cap_toks, nl);
    VPUSH(p->toks, p->ntoks, p->cap_toks, eof);
}

static Tok peek(P *p) { return p->toks[p->pos]; }
static Tok peek2(P *p) { return p->toks[p->pos + 1 < p->ntoks ? p->pos + 1 : p->pos]; }
static Tok next(P *p) {
    Tok t = p->toks[p->pos];
    if (t.kind != T_EOF) p->pos++;
    return t;
}
static bool is_punct(P *p, Tok t, char c) { return t.kind == T_PUNCT && p->src[t.start] == c; }
static bool tok_is(P *p, Tok t, const char *word) {
    size_t n = strlen(word);
    return t.kind == T_IDENT && t.end - t.start == n && memcmp(p->src + t.start, word, n) == 0;
}
static bool accept(P *p, char c) {
    if (is_punct(p, peek(p), c)) {
        next(p);
        return true;
    }
    return false;
}
static bool accept_word(P *p, const char *w) {
    if (tok_is(p, peek(p), w)) {
        next(p);
        return true;
    }
    return false;
}

static const char *describe(P *p, Tok t, char *buf, size_t n) {
    switch (t.kind) {
    case T_EOF: return "end of file";
    case T_NL: return "end of line";
    default: {
        uint32_t len = t.end - t.start;
        if (len > 40) len = 40;
        snprintf(buf, n, "'%.*s'", (int)len, p->src + t.start);
        return buf;
    }
    }
}

static bool expect(P *p, char c, const char *what) {
    if (accept(p, c)) return true;
    char buf[64];
    err(p, peek(p), "expected '%c' %s, found %s", c, what, describe(p, peek(p), buf, sizeof buf));
    return false;
}

static bool expect_nl(P *p) {
    Tok t = peek(p);
    if (t.kind == T_NL) {
        next(p);
        return true;
    }
    if (t.kind == T_EOF) return true;
    char buf[64];
    err(p, t, "expected end of line, found %s", describe(p, t, buf, sizeof buf));
    return false;
}

static void skip_line(P *p) {
    while (peek(p).kind != T_NL && peek(p).kind != T_EOF) next(p);
    if (peek(p).kind == T_NL) next(p);
}

static char *tok_text(P *p, Tok t) { return arena_strndup(p->a, p->src + t.start, t.end - t.start); }

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes a string token's escapes into arena memory. */
static bool decode_string(P *p, Tok t, uint8_t **out, uint32_t *n) {
    uint8_t *buf = arena_alloc(p->a, t.end - t.start + 1);
    uint32_t k = 0;
    for (uint32_t i = t.start + 1; i + 1 < t.end; i++) {
        char c = p->src[i];
        if (c != '\\') {
            buf[k++] = (uint8_t)c;
            continue;
        }
        char e = p->src[++i];
        if (e == 'n') buf[k++] = '\n';
        else if (e == 't') buf[k++] = '\t';
        else if (e == '"' || e == '\\') buf[k++] = (uint8_t)e;
        else if (e == 'x' && i + 2 < t.end - 1 && hexval(p->src[i + 1]) >= 0 &&
                 hexval(p->src[i + 2]) >= 0) {
            buf[k++] = (uint8_t)(hexval(p->src[i + 1]) * 16 + hexval(p->src[i + 2]));
            i += 2;
        } else {
            err(p, t, "bad escape in string");
            return false;
        }
    }
    buf[k] = 0;
    *out = buf;
    *n = k;
    return true;
}

/* NAME := IDENT | STRING */
static const char *parse_name(P *p, const char *what) {
    Tok t = peek(p);
    if (t.kind == T_IDENT) {
        next(p);
        return tok_text(p, t);
    }
    if (t.kind == T_STR) {
        next(p);
        uint8_t *s;
        uint32_t n;
        if (!decode_string(p, t, &s, &n)) return NULL;
        if (strlen((char *)s) != n) {
            err(p, t, "NUL byte in %s", what);
            return NULL;
        }
        return (const char *)s;
    }
    char buf[64];
    err(p, t, "expected %s, found %s", what, describe(p, t, buf, sizeof buf));
    return NULL;
}

static bool parse_u256_tok(P *p, Tok t, U256 *v) {
    if (t.kind != T_NUM || !u256_parse(p->src + t.start, t.end - t.start, v)) {
        char buf[64];
        err(p, t, "expected a number (decimal or 0x-hex, at most 256 bits), found %s",
            describe(p, t, buf, sizeof buf));
        return false;
    }
    return true;
}

static bool parse_u32(P *p, uint32_t limit, uint32_t *out, const char *what) {
    Tok t = next(p);
    U256 v;
    if (!parse_u256_tok(p, t, &v)) return false;
    if (u256_cmp(v, u256_from_u64(limit)) > 0) {
        err(p, t, "%s too large (limit is %u)", what, limit);
        return false;
    }
    *out = (uint32_t)v.w[0];
    return true;
}

/* ---------------- types ---------------- */
static int find_struct(IrModule *m, const char *name) {
    for (int i = 0; i < m->nstructs; i++)
        if (strcmp(m->structs[i].name, name) == 0) return i;
    return -1;
}

/* type := 'void' | 'bool' | 'address' | uN | iN | bytesN | 'string' '<' N '>'
 *       | '[' type ';' N ']' | 'list' '<' type ',' N '>' | 'map' '<' type ',' type '>'
 *       | ':' (NAME | '#' N) | 'ref' type */
static IrType *parse_type_depth(P *p, int depth) {
    Tok t = peek(p);
    char buf[64];
    if (depth > 100) {
        err(p, t, "type nested too deeply (limit is 100)");
        return NULL;
    }
    if (accept(p, '[')) {
        IrType *e = parse_type_depth(p, depth + 1);
        uint32_t n;
        if (!e || !expect(p, ';', "in array type") || !parse_u32(p, UINT32_MAX, &n, "array length") ||
            !expect(p, ']', "after array length"))
            return NULL;
        return ir_type_array(p->m, e, n);
    }
    if (accept(p, ':')) {
        if (accept(p, '#')) {
            uint32_t n;
            if (!parse_u32(p, INT32_MAX, &n, "struct number")) return NULL;
            return ir_type_struct(p->m, (int)n);
        }
        Tok nt = peek(p);
        const char *name = parse_name(p, "struct name");
        if (!name) return NULL;
        int k = find_struct(p->m, name);
        if (k < 0) {
            err(p, nt, "unknown struct '%s'", name);
            return NULL;
        }
        return ir_type_struct(p->m, k);
    }
    if (t.kind != T_IDENT) {
        err(p, t, "expected a type, found %s", describe(p, t, buf, sizeof buf));
        return NULL;
    }
    next(p);
    const char *s = p->src + t.start;
    uint32_t n = t.end - t.start;
    if (tok_is(p, t, "void")) return ir_type_void(p->m);
    if (tok_is(p, t, "bool")) return ir_type_bool(p->m);
    if (tok_is(p, t, "address")) return ir_type_address(p->m);
    if (tok_is(p, t, "ref")) {
        IrType *e = parse_type_depth(p, depth + 1);
        return e ? ir_type_ref(p->m, e) : NULL;
    }
    if (tok_is(p, t, "string")) {
        uint32_t len;
        if (!expect(p, '<', "after 'string'") || !parse_u32(p, UINT32_MAX, &len, "string bound") ||
            !expect(p, '>', "after the string bound"))
            return NULL;
        return ir_type_string(p->m, len);
    }
    if (tok_is(p, t, "list")) {
        uint32_t len;
        IrType *e;
        if (!expect(p, '<', "after 'list'") || !(e = parse_type_depth(p, depth + 1)) ||
            !expect(p, ',', "in list type") || !parse_u32(p, UINT32_MAX, &len, "list bound") ||
            !expect(p, '>', "after the list bound"))
            return NULL;
        return ir_type_list(p->m, e, len);
    }
    if (tok_is(p, t, "map")) {
        IrType *k, *v;
        if (!expect(p, '<', "after 'map'") || !(k = parse_type_depth(p, depth + 1)) ||
            !expect(p, ',', "in map type") || !(v = parse_type_depth(p, depth + 1)) ||
            !expect(p, '>', "after the map value type"))
            return NULL;
        return ir_type_map(p->m, k, v);
    }
    /* uN, iN, bytesN */
    uint32_t prefix = (s[0] == 'u' || s[0] == 'i') ? 1 : (n > 5 && memcmp(s, "bytes", 5) == 0) ? 5 : 0;
    if (prefix && n > prefix && n - prefix <= 3) {
        unsigned v = 0;
        bool ok = s[prefix] != '0';
        for (uint32_t k = prefix; k < n; k++) {
            if (!is_digit(s[k])) ok = false;
            else v = v * 10 + (unsigned)(s[k] - '0');
        }
        if (ok && prefix == 5 && v >= 1 && v <= 32) return ir_type_bytes(p->m, v);
        if (ok && prefix == 1 && v >= 1 && v <= 256)
            return ir_type_int(p->m, v, s[0] == 'i');
    }
    err(p, t, "unknown type %s", describe(p, t, buf, sizeof buf));
    return NULL;
}

static IrType *parse_type(P *p) { return parse_type_depth(p, 0); }

/* ---------------- spans ---------------- */
/* span := '!' FILE [':' LINE ':' COL] '@' START '-' END */
static bool parse_span(P *p, Span *out) {
    *out = (Span){0, 0, 0};
    if (!is_punct(p, peek(p), '!')) return true;
    Tok bang = next(p);
    uint32_t file, line = 0, col = 0, start, end;
    if (!parse_u32(p, 65535, &file, "file number")) return false;
    bool has_lc = accept(p, ':');
    if (has_lc && (!parse_u32(p, 1u << 22, &line, "line") || !expect(p, ':', "between line and column") ||
                   !parse_u32(p, UINT32_MAX, &col, "column")))
        return false;
    if (!expect(p, '@', "before the byte span") || !parse_u32(p, UINT32_MAX, &start, "offset") ||
        !expect(p, '-', "in the byte span") || !parse_u32(p, UINT32_MAX, &end, "offset"))
        return false;
    if (file == 0 || end < start) {
        err(p, bang, "bad span (file numbers start at 1; end >= start)");
        return false;
    }
    bool declared = (int)file <= p->nsources;
    if (has_lc != declared) {
        err(p, bang, declared ? "span in source %u needs its line:col" :
                                "span with line:col in file %u, which no 'source' line declares",
            file);
        return false;
    }
    if (has_lc) {
        if (line == 0 || col == 0 || col - 1 > start) {
            err(p, bang, "line:col %u:%u cannot be at byte %u", line, col, start);
            return false;
        }
        SpanRec r = {(int)file, start, line, col, bang};
        VPUSH(p->spans, p->nspans, p->cap_spans, r);
    }
    *out = (Span){(uint16_t)file, start, end};
    return true;
}

static int cmp_spanrec(const void *x, const void *y) {
    const SpanRec *a = x, *b = y;
    if (a->file != b->file) return a->file < b->file ? -1 : 1;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    return a->start < b->start ? -1 : a->start > b->start;
}

/* The source files themselves are not at hand, so each declared file gets a skeleton:
 * line starts recovered from the line:col of every span, enough for the printer to
 * write the same line:col again. Inconsistent line:col is an error. */
static void build_sources(P *p) {
    if (p->nsources == 0) return;
    SrcSet *set = ARENA_NEW(p->a, SrcSet);
    set->files = ARENA_ARRAY(p->a, SrcFile *, p->nsources + 1);
    set->count = set->cap = p->nsources;
    if (p->nspans) qsort(p->spans, (size_t)p->nspans, sizeof *p->spans, cmp_spanrec);
    int r = 0;
    for (int k = 1; k <= p->nsources; k++) {
        SrcFile *f = ARENA_NEW(p->a, SrcFile);
        f->path = p->sources[k - 1];
        f->text = "";
        f->id = k;
        set->files[k] = f;
        int first = r;
        uint32_t max_line = 1, max_off = 0;
        for (; r < p->nspans && p->spans[r].file == k; r++) {
            if (p->spans[r].line > max_line) max_line = p->spans[r].line;
            if (p->spans[r].start > max_off) max_off = p->spans[r].start;
        }
        f->len = max_off;
        f->line_count = max_line;
        f->line_starts = ARENA_ARRAY(p->a, uint32_t, max_line);
        for (uint32_t l = 0; l < max_line; l++) f->line_starts[l] = UINT32_MAX;
        for (int q = r - 1; q >= first; q--) /* the first span of a line wins */
            f->line_starts[p->spans[q].line - 1] = p->spans[q].start - (p->spans[q].col - 1);
        if (f->line_starts[0] == UINT32_MAX) f->line_starts[0] = 0;
        /* lines without a span sit just before the next line that has one */
        for (uint32_t l = max_line - 1; l >= 1; l--)
            if (f->line_starts[l - 1] == UINT32_MAX) f->line_starts[l - 1] = f->line_starts[l] - 1;
        bool ok = f->line_starts[0] == 0;
        for (uint32_t l = 1; l < max_line && ok; l++)
            ok = f->line_starts[l] > f->line_starts[l - 1];
        for (int q = first; q < r; q++) {
            uint32_t line = 0, col = 0;
            if (ok) src_line_col(f, p->spans[q].start, &line, &col);
            if (line != p->spans[q].line || col != p->spans[q].col) {
                err(p, p->spans[q].where, "line:col %u:%u disagrees with the other spans of source %d",
                    p->spans[q].line, p->spans[q].col, k);
                return;
            }
        }
    }
    p->m->srcs = set;
}

/* ---------------- values and blocks of the current function ---------------- */
static bool grow_ids(P *p, uint32_t id, bool blocks) {
    int *n = blocks ? &p->nblocks : &p->nvals;
    if ((int)id < *n) return true;
    int cap = *n ? *n : 16;
    while (cap <= (int)id) cap *= 2;
    size_t o = (size_t)*n, c = (size_t)cap;
    if (blocks) {
        p->blocks = regrow(&p->scratch, p->blocks, sizeof *p->blocks * o, sizeof *p->blocks * c);
        p->block_use = regrow(&p->scratch, p->block_use, sizeof *p->block_use * o, sizeof *p->block_use * c);
        p->block_def = regrow(&p->scratch, p->block_def, sizeof *p->block_def * o, sizeof *p->block_def * c);
    } else {
        p->vals = regrow(&p->scratch, p->vals, sizeof *p->vals * o, sizeof *p->vals * c);
        p->val_use = regrow(&p->scratch, p->val_use, sizeof *p->val_use * o, sizeof *p->val_use * c);
        p->val_def = regrow(&p->scratch, p->val_def, sizeof *p->val_def * o, sizeof *p->val_def * c);
    }
    *n = cap;
    return true;
}

/* The one object that stands for %id in this function: uses made before the definition
 * point at it and the definition fills it in. `use` records where it was first used. */
static IrInstr *value_slot(P *p, uint32_t id, const Tok *use) {
    grow_ids(p, id, false);
    IrInstr *i = p->vals[id];
    if (!i) {
        i = ARENA_NEW(p->a, IrInstr);
        i->id = (int)id;
        i->var = -1;
        p->vals[id] = i;
        p->val_use[id].kind = T_EOF; /* not used yet */
    }
    if (use && p->val_use[id].kind == T_EOF) p->val_use[id] = *use;
    return i;
}

/* value := '%' N */
static IrInstr *parse_value(P *p) {
    Tok t = peek(p);
    if (!is_punct(p, t, '%')) {
        char buf[64];
        err(p, t, "expected a value (%%N), found %s", describe(p, t, buf, sizeof buf));
        return NULL;
    }
    next(p);
    uint32_t id;
    if (!parse_u32(p, IR_MAX_ID, &id, "value number")) return NULL;
    return value_slot(p, id, &t);
}

static IrBlock *block_slot(P *p, uint32_t id, Tok where) {
    grow_ids(p, id, true);
    if (!p->blocks[id]) {
        IrBlock *b = ARENA_NEW(p->a, IrBlock);
        b->id = (int)id;
        p->blocks[id] = b;
        p->block_use[id] = where;
    }
    return p->blocks[id];
}

/* Reads "bbN" from an identifier token. */
static bool block_number(P *p, Tok t, uint32_t *id) {
    uint32_t n = t.end - t.start;
    const char *s = p->src + t.start;
    if (t.kind != T_IDENT || n < 3 || n > 9 || s[0] != 'b' || s[1] != 'b') return false;
    uint32_t v = 0;
    for (uint32_t k = 2; k < n; k++) {
        if (!is_digit(s[k])) return false;
        v = v * 10 + (uint32_t)(s[k] - '0');
    }
    if (v > IR_MAX_ID || (s[2] == '0' && n > 3)) return false;
    *id = v;
    return true;
}

static IrBlock *parse_block_ref(P *p) {
    Tok t = next(p);
    uint32_t id;
    if (!block_number(p, t, &id)) {
        char buf[64];
        err(p, t, "expected a block (bbN), found %s", describe(p, t, buf, sizeof buf));
        return NULL;
    }
    return block_slot(p, id, t);
}

/* ---------------- instructions ---------------- */
static IrInstr **args_push(P *p, IrInstr **args, int *n, IrInstr *v) {
    args = ir_grow(p->a, args, *n, sizeof *args);
    args[(*n)++] = v;
    return args;
}

/* args := [value {',' value}] ; stops at ')' or end of line */
static bool parse_arg_list(P *p, IrInstr *i, char close) {
    if (close && is_punct(p, peek(p), close)) return true;
    if (!close && (peek(p).kind == T_NL || peek(p).kind == T_EOF || tok_is(p, peek(p), "proven") ||
                   tok_is(p, peek(p), "ghost") || is_punct(p, peek(p), '!')))
        return true;
    do {
        IrInstr *v = parse_value(p);
        if (!v) return false;
        int n = i->nargs;
        i->args = args_push(p, i->args, &n, v);
        i->nargs = (uint16_t)n;
    } while (accept(p, ','));
    return true;
}

/* path := { '[' value ']' | '.' (NAME | N) } */
static bool parse_path(P *p, IrInstr *i, IrInstr **index_args, int *nindex) {
    for (;;) {
        IrPathElem e = {IR_PATH_INDEX, 0};
        if (accept(p, '[')) {
            IrInstr *v = parse_value(p);
            if (!v || !expect(p, ']', "after the index")) return false;
            index_args = args_push(p, index_args, nindex, v);
            i->args = index_args;
        } else if (accept(p, '.')) {
            e.kind = IR_PATH_FIELD;
            Tok t = peek(p);
            if (t.kind == T_NUM) {
                if (!parse_u32(p, INT32_MAX, &e.field, "field number")) return false;
            } else {
                if (!parse_name(p, "field name")) return false;
                FieldFix fx = {i, i->npath, t};
                VPUSH(p->fields, p->nfields, p->cap_fields, fx);
            }
        } else {
            return true;
        }
        i->path = ir_grow(p->a, i->path, i->npath, sizeof *i->path);
        i->path[i->npath++] = e;
    }
}

static int find_storage(IrModule *m, const char *name) {
    for (int i = 0; i < m->nstorage; i++)
        if (strcmp(m->storage[i].name, name) == 0) return i;
    return -1;
}

static int find_event(IrEvent *es, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(es[i].name, name) == 0) return i;
    return -1;
}

/* A declaration by NAME or '#' N; `count` bounds N. */
static bool parse_decl_ref(P *p, int count, const char *what, int (*find)(P *, const char *),
                           int *out) {
    Tok t = peek(p);
    if (accept(p, '#')) {
        uint32_t n;
        if (!parse_u32(p, INT32_MAX, &n, "index")) return false;
        *out = (int)n;
        (void)count;
        return true;
    }
    const char *name = parse_name(p, what);
    if (!name) return false;
    *out = find(p, name);
    if (*out < 0) {
        err(p, t, "unknown %s '%s'", what, name);
        return false;
    }
    return true;
}

static int find_storage_p(P *p, const char *n) { return find_storage(p->m, n); }
static int find_event_p(P *p, const char *n) { return find_event(p->m->events, p->m->nevents, n); }
static int find_error_p(P *p, const char *n) { return find_event(p->m->errors, p->m->nerrors, n); }
static int find_iface_p(P *p, const char *n) {
    for (int i = 0; i < p->m->nifaces; i++)
        if (strcmp(p->m->ifaces[i].name, n) == 0) return i;
    return -1;
}

/* place := ('@' REF | value) path ; stores and setlen then ',' value */
static bool parse_place(P *p, IrInstr *i) {
    IrInstr *value = NULL;
    IrInstr **idx = NULL;
    int nidx = 0;
    int prefix = ir_place_prefix(i->op);
    bool value_first = i->op == IR_SSTORE || i->op == IR_SSETLEN || i->op == IR_MSTORE ||
                       i->op == IR_MSETLEN;
    /* reserve the prefix operands; filled below */
    for (int k = 0; k < prefix; k++) idx = args_push(p, idx, &nidx, NULL);
    i->args = idx;
    i->nargs = nidx;
    if (ir_is_storage_place(i->op)) {
        if (!expect(p, '@', "before the storage variable") ||
            !parse_decl_ref(p, p->m->nstorage, "storage variable", find_storage_p, &i->var))
            return false;
    } else {
        IrInstr *root = parse_value(p);
        if (!root) return false;
        i->args[prefix - 1] = root;
    }
    int nargs = i->nargs;
    bool path_ok = parse_path(p, i, i->args, &nargs);
    i->nargs = (uint16_t)nargs;
    if (!path_ok) return false;
    if (value_first) {
        if (!expect(p, ',', "before the stored value") || !(value = parse_value(p))) return false;
        i->args[0] = value;
    }
    return true;
}

static void set_flags_and_span(P *p, IrInstr *i, bool *ok) {
    for (;;) {
        if (accept_word(p, "proven")) i->flags |= IR_F_PROVEN;
        else if (accept_word(p, "ghost")) i->flags |= IR_F_GHOST;
        else break;
    }
    if (*ok) *ok = parse_span(p, &i->span);
}

static IrOp find_op(const char *name) {
    for (int k = 0; k < IR_OP_COUNT; k++)
        if (strcmp(ir_op_info[k].name, name) == 0) return (IrOp)k;
    return IR_OP_COUNT;
}

/* instr := ['%' N '='] OP [type] operands {'proven' | 'ghost'} [span] NL */
static bool parse_instr(P *p, IrBlock *b) {
    Tok start = peek(p);
    IrInstr *i = NULL;
    Tok def = start;
    uint32_t id = 0;
    bool named = false;
    char buf[64];
    if (accept(p, '%')) {
        if (!parse_u32(p, IR_MAX_ID, &id, "value number") || !expect(p, '=', "after the value name"))
            return false;
        named = true;
    }
    /* op name: identifiers joined by adjacent dots ("check.add") */
    Tok ot = next(p);
    if (ot.kind != T_IDENT) {
        err(p, ot, "expected an instruction, found %s", describe(p, ot, buf, sizeof buf));
        return false;
    }
    char name[32];
    uint32_t end = ot.end;
    while (is_punct(p, peek(p), '.') && peek(p).start == end && peek2(p).kind == T_IDENT &&
           peek2(p).start == end + 1) {
        next(p);
        end = next(p).end;
    }
    size_t nl = end - ot.start < sizeof name ? end - ot.start : 0;
    memcpy(name, p->src + ot.start, nl);
    name[nl] = 0;
    IrOp op = nl ? find_op(name) : IR_OP_COUNT;
    if (op == IR_OP_COUNT) {
        ot.end = end;
        err(p, ot, "unknown instruction '%s'", nl ? name : "?");
        return false;
    }
    const IrOpInfo *info = &ir_op_info[op];
    grow_ids(p, id, false);
    if (named && p->val_def[id]) {
        err(p, def, "value %%%u is defined twice", id);
        return false;
    }
    if (named) {
        /* the slot becomes the definition (registered first, so that a phi may use itself;
         * a failed earlier attempt may have left operands in it) */
        i = value_slot(p, id, NULL);
        memset(i, 0, sizeof *i);
        i->id = (int)id;
    } else {
        i = ARENA_NEW(p->a, IrInstr);
        i->id = -1;
    }
    i->op = (uint8_t)op;
    ir_instr_defaults(i);
    i->type = ir_type_void(p->m);
    if ((info->flags & OPF_RESULT) || op == IR_CHECK_CAST) {
        IrType *t = parse_type(p);
        if (!t) return false;
        i->type = t;
    }
    bool ok = true;
    switch (op) {
    case IR_PARAM: {
        uint32_t n;
        ok = parse_u32(p, 65535, &n, "parameter number");
        i->imm = ir_imm(p->m, u256_from_u64(n));
        break;
    }
    case IR_CONST: {
        Tok t = peek(p);
        U256 v = u256_from_u64(0);
        if (accept_word(p, "true")) v = u256_from_u64(1);
        else if (accept_word(p, "false")) v = u256_from_u64(0);
        else {
            bool neg = accept(p, '-');
            ok = parse_u256_tok(p, next(p), &v);
            if (ok && neg) {
                if (v.w[3] >> 63 && !(u256_eq(v, u256_shl(u256_from_u64(1), 255)))) {
                    err(p, t, "negative constant out of range");
                    ok = false;
                }
                v = u256_neg(v);
            }
        }
        i->imm = ir_imm(p->m, v);
        break;
    }
    case IR_STR: {
        Tok t = next(p);
        uint8_t *s;
        if (t.kind != T_STR) {
            err(p, t, "expected a string, found %s", describe(p, t, buf, sizeof buf));
            ok = false;
        } else {
            ok = decode_string(p, t, &s, &i->nbytes);
            i->bytes = ok ? s : NULL;
        }
        break;
    }
    case IR_PHI:
        /* phi := '[' value ',' block ']' {',' ...} */
        if (peek(p).kind == T_NL) break;
        do {
            IrInstr *v;
            IrBlock *from;
            if (!expect(p, '[', "before a phi operand") || !(v = parse_value(p)) ||
                !expect(p, ',', "in a phi operand") || !(from = parse_block_ref(p)) ||
                !expect(p, ']', "after a phi operand")) {
                ok = false;
                break;
            }
            i->phi_blocks = ir_grow(p->a, i->phi_blocks, i->nargs, sizeof *i->phi_blocks);
            i->phi_blocks[i->nargs] = from;
            int n = i->nargs;
            i->args = args_push(p, i->args, &n, v);
            i->nargs = (uint16_t)n;
        } while (accept(p, ','));
        break;
    case IR_ENV: {
        Tok t = next(p);
        i->env = IR_ENV_COUNT;
        for (int k = 0; k < IR_ENV_COUNT; k++)
            if (tok_is(p, t, ir_env_names[k])) i->env = (IrEnv)k;
        if (i->env == IR_ENV_COUNT) {
            err(p, t, "unknown environment value %s", describe(p, t, buf, sizeof buf));
            ok = false;
        }
        break;
    }
    case IR_ALLOCA:
        i->alloc_type = i->type && i->type->kind == IRT_REF ? i->type->elem : NULL;
        break;
    case IR_CALL: {
        Tok t = peek(p);
        if (!expect(p, '$', "before the callee")) { ok = false; break; }
        FuncFix fx = {&i->callee, t, false, 0};
        if (accept(p, '#')) {
            fx.by_index = true;
            ok = parse_u32(p, INT32_MAX, &fx.index, "function number");
        } else {
            fx.name = peek(p);
            ok = parse_name(p, "function name") != NULL;
        }
        if (ok) VPUSH(p->funcs, p->nfuncfix, p->cap_funcfix, fx);
        ok = ok && expect(p, '(', "before the call's arguments") && parse_arg_list(p, i, ')') &&
             expect(p, ')', "after the call's arguments");
        break;
    }
    case IR_XCALL: {
        Tok t = peek(p);
        ok = parse_decl_ref(p, p->m->nifaces, "interface", find_iface_p, &i->iface) &&
             expect(p, '.', "between interface and function");
        if (!ok) break;
        if (accept(p, '#')) {
            uint32_t n;
            ok = parse_u32(p, INT32_MAX, &n, "function number");
            i->xfn = (int)n;
        } else {
            Tok ft = peek(p);
            const char *fname = parse_name(p, "interface function");
            ok = fname != NULL;
            if (ok && i->iface >= 0 && i->iface < p->m->nifaces) {
                IrIface *x = &p->m->ifaces[i->iface];
                for (int k = 0; k < x->nfns && i->xfn < 0; k++)
                    if (strcmp(x->fns[k]->name, fname) == 0) i->xfn = k;
                if (i->xfn < 0) {
                    err(p, ft, "interface '%s' has no function '%s'", x->name, fname);
                    ok = false;
                }
            } else if (ok) {
                err(p, t, "unknown interface number");
                ok = false;
            }
        }
        ok = ok && expect(p, '(', "before the call's arguments") && parse_arg_list(p, i, ')') &&
             expect(p, ')', "after the call's arguments");
        break;
    }
    case IR_EMIT:
    case IR_REVERT:
        ok = (op == IR_EMIT ? parse_decl_ref(p, p->m->nevents, "event", find_event_p, &i->event)
                            : parse_decl_ref(p, p->m->nerrors, "error", find_error_p, &i->error)) &&
             expect(p, '(', "before the fields") && parse_arg_list(p, i, ')') &&
             expect(p, ')', "after the fields");
        break;
    case IR_JMP:
        i->targets = ARENA_ARRAY(p->a, IrBlock *, 2);
        ok = (i->targets[0] = parse_block_ref(p)) != NULL;
        break;
    case IR_BR: {
        i->targets = ARENA_ARRAY(p->a, IrBlock *, 2);
        IrInstr *c = parse_value(p);
        ok = c && expect(p, ',', "after the branch condition") &&
             (i->targets[0] = parse_block_ref(p)) && expect(p, ',', "between branch targets") &&
             (i->targets[1] = parse_block_ref(p));
        if (c) {
            int n = i->nargs;
            i->args = args_push(p, i->args, &n, c);
            i->nargs = (uint16_t)n;
        }
        break;
    }
    default:
        if (ir_is_storage_place(op) || ir_is_memory_place(op)) ok = parse_place(p, i);
        else ok = parse_arg_list(p, i, 0);
        break;
    }
    set_flags_and_span(p, i, &ok);
    if (!ok) return false;
    bool has_result = (info->flags & OPF_RESULT) && i->type->kind != IRT_VOID;
    if (named && !has_result) {
        err(p, start, "'%s' %s, so it cannot be named %%%u", info->name,
            (info->flags & OPF_RESULT) ? "has type void" : "produces no value", id);
        return false;
    }
    if (!named && has_result) {
        err(p, start, "the value of '%s' needs a name (%%N = %s ...)", info->name, info->name);
        return false;
    }
    if (!expect_nl(p)) return false;
    if (named) {
        i->id = (int)id;
        p->vals[id] = i;
        p->val_def[id] = true;
    }
    ir_block_append(b, i);
    return true;
}

/* ---------------- functions ---------------- */
typedef struct Header {
    IrFuncKind kind;
    unsigned flags;
    const char *name;
    IrParam *params;
    int nparams;
    IrType *ret;
    bool has_owner, owner_by_index;
    Tok owner_name;
    uint32_t owner_index;
    const char *signature;
    uint32_t selector;
    Span span;
} Header;

static const char *const kind_words[IR_FN_KIND_COUNT] = {
    [IR_FN] = "fn", [IR_FN_INIT] = "init", [IR_FN_REQUIRES] = "requires",
    [IR_FN_ENSURES] = "ensures", [IR_FN_REVERTS_IF] = "reverts_if",
    [IR_FN_INVARIANT] = "invariant",
};

static int kind_of(P *p, Tok t) {
    for (int k = 0; k < IR_FN_KIND_COUNT; k++)
        if (tok_is(p, t, kind_words[k])) return k;
    return -1;
}

/* header := KIND {FLAG} NAME '(' [NAME ':' type {',' ...}] ')' ['->' type]
 *           ['owner' '$' (NAME | '#' N)] ['abi' STRING N] [span] */
static bool parse_header(P *p, Header *h) {
    memset(h, 0, sizeof *h);
    h->kind = (IrFuncKind)kind_of(p, next(p));
    static const char *const flag_words[] = {"pub", "view", "payable", "reentrant"};
    for (;;) {
        bool found = false;
        for (int k = 0; k < 4; k++)
            if (tok_is(p, peek(p), flag_words[k]) && !is_punct(p, peek2(p), '(')) {
                next(p);
                h->flags |= 1u << k;
                found = true;
            }
        if (!found) break;
    }
    if (!(h->name = parse_name(p, "function name")) || !expect(p, '(', "before the parameters"))
        return false;
    if (!is_punct(p, peek(p), ')')) {
        do {
            IrParam prm;
            if (!(prm.name = parse_name(p, "parameter name")) ||
                !expect(p, ':', "after the parameter name") || !(prm.type = parse_type(p)))
                return false;
            h->params = ir_grow(p->a, h->params, h->nparams, sizeof *h->params);
            h->params[h->nparams++] = prm;
        } while (accept(p, ','));
    }
    if (!expect(p, ')', "after the parameters")) return false;
    h->ret = ir_type_void(p->m);
    if (peek(p).kind == T_ARROW) {
        next(p);
        if (!(h->ret = parse_type(p))) return false;
    }
    if (accept_word(p, "owner")) {
        h->has_owner = true;
        if (!expect(p, '$', "before the owner")) return false;
        if (accept(p, '#')) {
            h->owner_by_index = true;
            if (!parse_u32(p, INT32_MAX, &h->owner_index, "function number")) return false;
        } else {
            h->owner_name = peek(p);
            if (!parse_name(p, "owner function")) return false;
        }
    }
    if (accept_word(p, "abi")) {
        Tok t = peek(p);
        U256 sel;
        if (!(h->signature = parse_name(p, "ABI signature"))) return false;
        if (t.kind != T_STR) {
            err(p, t, "the ABI signature is a string");
            return false;
        }
        Tok st = next(p);
        if (!parse_u256_tok(p, st, &sel)) return false;
        if (u256_cmp(sel, u256_from_u64(0xffffffffu)) > 0) {
            err(p, st, "selector wider than 4 bytes");
            return false;
        }
        h->selector = (uint32_t)sel.w[0];
    }
    return parse_span(p, &h->span);
}

static void reset_func_state(P *p) {
    p->nfields = 0;
    p->last_block = NULL;
    if (p->nvals) {
        memset(p->val_def, 0, sizeof *p->val_def * (size_t)p->nvals);
        memset(p->vals, 0, sizeof *p->vals * (size_t)p->nvals);
    }
    if (p->nblocks) {
        memset(p->block_def, 0, sizeof *p->block_def * (size_t)p->nblocks);
        memset(p->blocks, 0, sizeof *p->blocks * (size_t)p->nblocks);
    }
}

static void resolve_fields(P *p) {
    for (int k = 0; k < p->nfields; k++) {
        FieldFix *fx = &p->fields[k];
        IrInstr *i = fx->instr;
        IrType *t = ir_place_root(p->m, i);
        for (int s = 0; s < fx->step && t; s++) t = ir_path_step(p->m, t, i->path[s]);
        char name[256];
        uint32_t n = fx->name.end - fx->name.start;
        bool found = false;
        if (t && t->kind == IRT_STRUCT && t->struct_index >= 0 && t->struct_index < p->m->nstructs) {
            IrStruct *st = &p->m->structs[t->struct_index];
            Tok save = fx->name;
            const char *fname = NULL;
            if (save.kind == T_IDENT) {
                fname = tok_text(p, save);
            } else {
                uint8_t *s;
                uint32_t len;
                if (decode_string(p, save, &s, &len)) fname = (const char *)s;
            }
            for (int f = 0; fname && f < st->nfields; f++)
                if (strcmp(st->fields[f].name, fname) == 0) {
                    i->path[fx->step].field = (uint32_t)f;
                    found = true;
                    break;
                }
        }
        if (!found) {
            char tb[256];
            ir_type_print(p->m, t, tb, sizeof tb);
            snprintf(name, sizeof name, "%.*s", (int)(n > 100 ? 100 : n), p->src + fx->name.start);
            err(p, fx->name, t ? "no field %s in type %s" : "field %s: the place has no type here (is its root a ref?)%s",
                name, t ? tb : "");
        }
    }
}

/* func := header '{' NL { 'bbN' ':' NL { instr } } '}' NL */
static void parse_func(P *p) {
    Tok start = peek(p);
    Header h;
    if (!parse_header(p, &h) || !expect(p, '{', "before the function body") || !expect_nl(p)) {
        /* skip to the closing brace of the body, if any */
        while (peek(p).kind != T_EOF && !(is_punct(p, peek(p), '}') && p->toks[p->pos - 1].kind == T_NL))
            next(p);
        next(p);
        skip_line(p);
        return;
    }
    IrFunc *f = ir_func_new(p->m, h.kind, h.name, h.params, h.nparams, h.ret);
    f->flags = h.flags;
    f->span = h.span;
    f->signature = h.signature;
    f->selector = h.selector;
    if (h.has_owner) {
        FuncFix fx = {&f->owner, h.owner_name, h.owner_by_index, h.owner_index};
        VPUSH(p->funcs, p->nfuncfix, p->cap_funcfix, fx);
    }
    p->f = f;
    reset_func_state(p);
    IrBlock *cur = NULL;
    int max_val = -1, max_block = -1;
    for (;;) {
        Tok t = peek(p);
        if (t.kind == T_EOF) {
            err(p, start, "function '%s' has no closing '}'", h.name);
            break;
        }
        if (t.kind == T_NL) {
            next(p);
            continue;
        }
        if (is_punct(p, t, '}')) {
            next(p);
            expect_nl(p);
            break;
        }
        uint32_t bid;
        if (block_number(p, t, &bid) && is_punct(p, peek2(p), ':')) {
            next(p);
            next(p);
            IrBlock *b = block_slot(p, bid, t);
            if (p->block_def[bid]) {
                err(p, t, "block bb%u is defined twice", bid);
                skip_line(p);
                continue;
            }
            p->block_def[bid] = true;
            if ((int)bid > max_block) max_block = (int)bid;
            if (!f->entry) f->entry = b;
            else p->last_block->next_in_func = b;
            p->last_block = b;
            cur = b;
            if (!expect_nl(p)) skip_line(p);
            continue;
        }
        if (!cur) {
            err(p, t, "instruction outside a block (a label bbN: comes first)");
            skip_line(p);
            continue;
        }
        if (!parse_instr(p, cur)) skip_line(p);
    }
    for (int k = 0; k < p->nvals; k++) {
        if (!p->vals[k]) continue;
        if (!p->val_def[k] && p->val_use[k].kind != T_EOF)
            err(p, p->val_use[k], "value %%%d is used but never defined", k);
        else if (k > max_val) max_val = k;
    }
    for (int k = 0; k < p->nblocks; k++)
        if (p->blocks[k] && !p->block_def[k])
            err(p, p->block_use[k], "block bb%d is used but never defined", k);
    resolve_fields(p);
    f->ninstrs = max_val + 1;
    f->nblocks = max_block + 1;
    p->f = NULL;
}

/* ---------------- declarations ---------------- */
/* fields := [NAME ':' type ['indexed'] {',' ...}] */
static bool parse_fields(P *p, IrField **out, int *n, char close, bool allow_indexed) {
    IrField *fs = NULL;
    *n = 0;
    if (!is_punct(p, peek(p), close)) {
        do {
            IrField fd = {0};
            if (!(fd.name = parse_name(p, "field name")) || !expect(p, ':', "after the field name") ||
                !(fd.type = parse_type(p)))
                return false;
            if (allow_indexed && accept_word(p, "indexed")) fd.indexed = true;
            fs = ir_grow(p->a, fs, *n, sizeof *fs);
            fs[(*n)++] = fd;
        } while (accept(p, ','));
    }
    *out = fs;
    return true;
}

static bool parse_decl(P *p) {
    Tok t = next(p);
    if (tok_is(p, t, "source")) {
        uint32_t k;
        Tok st = peek(p);
        const char *path;
        if (!parse_u32(p, 65535, &k, "source number") || !(path = parse_name(p, "source path")))
            return false;
        if ((int)k != p->nsources + 1) {
            err(p, st, "sources are numbered 1, 2, ... in order; expected %d", p->nsources + 1);
            return false;
        }
        VPUSH(p->sources, p->nsources, p->cap_sources, path);
        return expect_nl(p);
    }
    if (tok_is(p, t, "struct")) {
        Tok nt;
        const char *name;
        IrField *fs;
        int n;
        if (!expect(p, ':', "before the struct name")) return false;
        nt = peek(p);
        if (!(name = parse_name(p, "struct name"))) return false;
        int k = find_struct(p->m, name);
        if (k < 0) {
            err(p, nt, "unknown struct '%s'", name);
            return false;
        }
        if (!expect(p, '{', "before the struct fields") || !parse_fields(p, &fs, &n, '}', false) ||
            !expect(p, '}', "after the struct fields"))
            return false;
        p->m->structs[k].fields = fs;
        p->m->structs[k].nfields = n;
        return expect_nl(p);
    }
    if (tok_is(p, t, "storage")) {
        bool ghost = accept_word(p, "ghost");
        Tok nt;
        const char *name;
        IrType *ty;
        Span sp;
        if (!expect(p, '@', "before the storage name")) return false;
        nt = peek(p);
        if (!(name = parse_name(p, "storage name")) || !expect(p, ':', "after the storage name") ||
            !(ty = parse_type(p)) || !parse_span(p, &sp))
            return false;
        if (find_storage(p->m, name) >= 0) {
            err(p, nt, "storage '%s' is declared twice", name);
            return false;
        }
        ir_add_storage(p->m, name, ty, ghost, sp);
        return expect_nl(p);
    }
    if (tok_is(p, t, "event") || tok_is(p, t, "error")) {
        const char *name;
        IrField *fs;
        int n;
        bool ev = tok_is(p, t, "event");
        if (!(name = parse_name(p, ev ? "event name" : "error name")) ||
            !expect(p, '(', "before the fields") || !parse_fields(p, &fs, &n, ')', ev) ||
            !expect(p, ')', "after the fields"))
            return false;
        if (ev) ir_add_event(p->m, name, fs, n);
        else ir_add_error(p->m, name, fs, n);
        return expect_nl(p);
    }
    if (tok_is(p, t, "interface")) {
        const char *name = parse_name(p, "interface name");
        if (!name || !expect(p, '{', "before the interface functions") || !expect_nl(p)) return false;
        int k = ir_add_iface(p->m, name);
        while (!is_punct(p, peek(p), '}') && peek(p).kind != T_EOF) {
            Header h;
            if (!tok_is(p, peek(p), "fn")) {
                char buf[64];
                err(p, peek(p), "expected 'fn' or '}' in interface, found %s",
                    describe(p, peek(p), buf, sizeof buf));
                skip_line(p);
                continue;
            }
            if (!parse_header(p, &h) || !expect_nl(p)) {
                skip_line(p);
                continue;
            }
            IrFunc *f = ir_iface_add_fn(p->m, k, h.name, h.params, h.nparams, h.ret, h.flags);
            f->span = h.span;
            if (h.signature) {
                f->signature = h.signature;
                f->selector = h.selector;
            }
        }
        if (!expect(p, '}', "at the end of the interface")) return false;
        return expect_nl(p);
    }
    char buf[64];
    err(p, t, "expected a declaration or function, found %s", describe(p, t, buf, sizeof buf));
    return false;
}

/* Structs may refer to each other in any order: register every name first. */
static void prescan_structs(P *p) {
    for (int k = 0; k + 2 < p->ntoks; k++) {
        bool line_start = k == 0 || p->toks[k - 1].kind == T_NL;
        if (!line_start || !tok_is(p, p->toks[k], "struct") || !is_punct(p, p->toks[k + 1], ':'))
            continue;
        p->pos = k + 2;
        Tok nt = peek(p);
        p->quiet = true; /* a bad name is reported when the declaration is parsed */
        const char *name = parse_name(p, "struct name");
        p->quiet = false;
        if (!name) continue;
        if (find_struct(p->m, name) >= 0) {
            err(p, nt, "struct '%s' is defined twice", name);
            continue;
        }
        ir_add_struct(p->m, name, NULL, 0);
    }
    p->pos = 0;
}

static void resolve_funcs(P *p) {
    for (int k = 0; k < p->nfuncfix; k++) {
        FuncFix *fx = &p->funcs[k];
        if (fx->by_index) {
            *fx->slot = (int)fx->index;
            continue;
        }
        Tok t = fx->name;
        const char *name = NULL;
        if (t.kind == T_IDENT) {
            name = tok_text(p, t);
        } else {
            uint8_t *s;
            uint32_t n;
            if (decode_string(p, t, &s, &n)) name = (const char *)s;
        }
        int idx = name ? ir_func_find(p->m, name) : -1;
        if (idx < 0) err(p, t, "unknown function '%s'", name ? name : "?");
        *fx->slot = idx;
    }
}

/* module := 'module' NAME NL { decl NL } { func } */
IrModule *ir_module_parse(Arena *a, DiagSink *diags, int file) {
    SrcFile *sf = src_get(diags->srcs, file);
    P p = {0};
    p.a = a;
    p.d = diags;
    p.file = file;
    p.src = sf ? sf->text : "";
    p.len = sf ? sf->len : 0;
    p.errors_at_start = diags->errors;
    arena_init(&p.scratch);
    p.m = ir_module_new(a, "");
    lex(&p);
    prescan_structs(&p);
    if (peek(&p).kind == T_NL) next(&p);
    if (!accept_word(&p, "module")) {
        char buf[64];
        err(&p, peek(&p), "expected 'module NAME' first, found %s", describe(&p, peek(&p), buf, sizeof buf));
    } else {
        const char *name = parse_name(&p, "module name");
        if (name) p.m->name = name;
        if (!name || !expect_nl(&p)) skip_line(&p);
    }
    /* marks the structs whose declaration has been parsed */
    bool *struct_done = ARENA_ARRAY(&p.scratch, bool, p.m->nstructs + 1);
    while (peek(&p).kind != T_EOF) {
        Tok t = peek(&p);
        if (t.kind == T_NL) {
            next(&p);
            continue;
        }
        if (kind_of(&p, t) >= 0) {
            parse_func(&p);
            continue;
        }
        if (tok_is(&p, t, "struct") && is_punct(&p, peek2(&p), ':')) {
            /* a second definition of the same name was reported by the prescan */
            int save = p.pos;
            p.pos += 2;
            p.quiet = true;
            const char *name = parse_name(&p, "struct name");
            p.quiet = false;
            p.pos = save;
            int k = name ? find_struct(p.m, name) : -1;
            if (k >= 0 && struct_done[k]) {
                skip_line(&p);
                continue;
            }
            if (k >= 0) struct_done[k] = true;
        }
        if (!parse_decl(&p)) skip_line(&p);
    }
    resolve_funcs(&p);
    build_sources(&p);
    arena_free(&p.scratch);
    return diags->errors > p.errors_at_start ? NULL : p.m;
}
