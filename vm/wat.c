/* wat.c — the WebAssembly 2.0 text format (no SIMD) to the binary format: a two-pass parser
 * over wat_lex.c's tokens (pass 1 names every index space and reads explicit types, pass 2
 * emits sections). Malformed text is rejected with "LINE:COL: reason", the reason using the
 * spec suite's wording where it has one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/wat_int.h"

/* ---- token helpers ---- */

static bool tok_is(Wat *p, const Tok *t, const char *kw) {
    return t->kind == T_ATOM && strlen(kw) == t->len && memcmp(p->src + t->off, kw, t->len) == 0;
}
/* True when the next tokens are "(" KW. */
static bool at_paren_kw(Wat *p, const char *kw) {
    return wat_peek(p)->kind == T_LP && tok_is(p, wat_peek2(p), kw);
}
static bool expect_lp(Wat *p) {
    if (wat_peek(p)->kind != T_LP) return wat_fail_tok(p, "unexpected token, expected '('");
    p->pos++;
    return true;
}
static bool expect_rp(Wat *p) {
    if (wat_peek(p)->kind != T_RP) {
        if (wat_peek(p)->kind == T_ATOM) { /* a stray literal-like atom: what the spec calls it */
            unsigned char c = (unsigned char)p->src[wat_peek(p)->off];
            if (!(c >= 'a' && c <= 'z') && c != '$') return wat_fail_tok(p, "unknown operator");
        }
        return wat_fail_tok(p, "unexpected token, expected ')'");
    }
    p->pos++;
    return true;
}
static bool expect_kw(Wat *p, const char *kw) {
    if (!tok_is(p, wat_peek(p), kw)) {
        char why[64];
        snprintf(why, sizeof why, "unexpected token, expected '%s'", kw);
        return wat_fail_tok(p, why);
    }
    p->pos++;
    return true;
}
static bool is_id(Wat *p, const Tok *t) { return t->kind == T_ATOM && t->len > 1 && p->src[t->off] == '$'; }
static Name tok_name(Wat *p, const Tok *t) { return (Name){ p->src + t->off, t->len }; }

/* Skips a balanced parenthesised group starting at "(". */
static bool skip_group(Wat *p) {
    int level = 0;
    do {
        Tok *t = wat_peek(p);
        if (t->kind == T_EOF) return wat_fail_tok(p, "unbalanced parentheses");
        if (t->kind == T_LP) level++;
        else if (t->kind == T_RP) level--;
        p->pos++;
    } while (level > 0);
    return true;
}

/* A name: a string that must be valid UTF-8 after escapes; appended to b with its length. */
static bool parse_name(Wat *p, Buf *b) {
    Tok *t = wat_peek(p);
    if (t->kind != T_STR) return wat_fail_tok(p, "unexpected token, expected a string");
    Buf s = { 0 };
    if (!wat_decode_string(p, t, &s)) { wat_buf_free(&s); return false; }
    for (size_t i = 0; i < s.n;) {
        int l = wat_utf8_len(s.p + i, s.n - i);
        if (!l) { wat_buf_free(&s); return wat_fail_at(p, t->off, "malformed UTF-8 encoding"); }
        i += l;
    }
    wat_buf_u32(b, s.n);
    wat_buf_put(b, s.p, s.n);
    wat_buf_free(&s);
    p->pos++;
    return true;
}

/* A u32 atom (indices, limits, memarg fields). */
static bool parse_u32(Wat *p, uint32_t *out) {
    Tok *t = wat_peek(p);
    if (t->kind != T_ATOM) return wat_fail_tok(p, "unexpected token, expected a number");
    const char *s = p->src + t->off;
    uint64_t v;
    bool ovf;
    if (!wat_lit_uint(s, t->len, &v, &ovf)) return wat_fail_tok_note(p, "unknown operator", "not an unsigned integer");
    if (ovf || v > 0xffffffffu) return wat_fail_tok(p, "i32 constant out of range");
    *out = (uint32_t)v;
    p->pos++;
    return true;
}
static bool at_u32(Wat *p) {
    Tok *t = wat_peek(p);
    return t->kind == T_ATOM && p->src[t->off] >= '0' && p->src[t->off] <= '9';
}

/* ---- index spaces ---- */

static uint32_t name_hash(const char *s, uint32_t len) {
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* The index of the name in sp, or UINT32_MAX. */
static uint32_t space_find(const Space *sp, const char *s, uint32_t len) {
    if (!sp->nslots) return UINT32_MAX;
    for (uint32_t h = name_hash(s, len) & (sp->nslots - 1);; h = (h + 1) & (sp->nslots - 1)) {
        uint32_t slot = sp->slots[h];
        if (!slot) return UINT32_MAX;
        const Name *nm = &sp->v[slot - 1];
        if (nm->len == len && memcmp(nm->s, s, len) == 0) return slot - 1;
    }
}

static void space_insert(Space *sp, uint32_t idx) {
    uint32_t h = name_hash(sp->v[idx].s, sp->v[idx].len) & (sp->nslots - 1);
    while (sp->slots[h]) h = (h + 1) & (sp->nslots - 1);
    sp->slots[h] = idx + 1;
}

static void space_clear(Space *sp) {
    sp->n = sp->nnamed = 0;
    if (sp->nslots) memset(sp->slots, 0, sp->nslots * sizeof *sp->slots);
}

static bool space_add(Wat *p, Space *sp, Name nm, const char *what, uint32_t off) {
    if (nm.len && space_find(sp, nm.s, nm.len) != UINT32_MAX)
        return wat_fail_at(p, off, "duplicate %s %.*s", what, (int)nm.len, nm.s);
    if (sp->n == sp->cap) {
        uint32_t cap = sp->cap ? sp->cap * 2 : 16;
        Name *v = vm_realloc(sp->v, cap * sizeof *v);
        if (!v) return wat_fail_at(p, off, "out of memory");
        sp->v = v;
        sp->cap = cap;
    }
    sp->v[sp->n++] = nm;
    if (!nm.len) return true;
    if ((sp->nnamed + 1) * 2 > sp->nslots) {
        uint32_t ns = sp->nslots ? sp->nslots * 2 : 16;
        uint32_t *slots = vm_alloc(ns * sizeof *slots);
        if (!slots) return wat_fail_at(p, off, "out of memory");
        vm_free(sp->slots);
        sp->slots = slots;
        sp->nslots = ns;
        for (uint32_t i = 0; i + 1 < sp->n; i++)
            if (sp->v[i].len) space_insert(sp, i);
    }
    space_insert(sp, sp->n - 1);
    sp->nnamed++;
    return true;
}

/* An index: a u32 or an $id of the space. */
static bool parse_idx(Wat *p, Space *sp, const char *what, uint32_t *out) {
    Tok *t = wat_peek(p);
    if (is_id(p, t)) {
        uint32_t i = space_find(sp, p->src + t->off, t->len);
        if (i != UINT32_MAX) {
            *out = i;
            p->pos++;
            return true;
        }
        char why[48];
        snprintf(why, sizeof why, "unknown %s", what);
        return wat_fail_tok(p, why);
    }
    return parse_u32(p, out);
}
static bool at_idx(Wat *p) { return at_u32(p) || is_id(p, wat_peek(p)); }

static bool opt_id(Wat *p, Name *nm) {
    *nm = (Name){ 0 };
    if (is_id(p, wat_peek(p))) { *nm = tok_name(p, wat_peek(p)); p->pos++; }
    return true;
}

/* ---- types ---- */

static int valtype_of(Wat *p, const Tok *t) {
    if (tok_is(p, t, "i32")) return VM_I32;
    if (tok_is(p, t, "i64")) return VM_I64;
    if (tok_is(p, t, "f32")) return VM_F32;
    if (tok_is(p, t, "f64")) return VM_F64;
    if (tok_is(p, t, "funcref")) return VM_FUNCREF;
    if (tok_is(p, t, "externref")) return VM_EXTERNREF;
    return -1;
}
static bool parse_valtype(Wat *p, uint8_t *out) {
    int v = valtype_of(p, wat_peek(p));
    if (v < 0) return wat_fail_tok(p, "unexpected token, expected a value type");
    *out = (uint8_t)v;
    p->pos++;
    return true;
}
static bool parse_reftype(Wat *p, uint8_t *out) {
    int v = valtype_of(p, wat_peek(p));
    if (v != VM_FUNCREF && v != VM_EXTERNREF) return wat_fail_tok(p, "unexpected token, expected a reference type");
    *out = (uint8_t)v;
    p->pos++;
    return true;
}

/* A signature under construction. */
typedef struct { Buf params, results; } Sig;

/* ( param id? t ) | ( param t* ) ...  ( result t* ) ...  — in that order. Param names go into
 * p->locals when names != NULL. */
static bool parse_sig(Wat *p, Sig *sig, bool param_ids, bool names) {
    while (at_paren_kw(p, "param")) {
        p->pos += 2;
        if (is_id(p, wat_peek(p))) {
            if (!param_ids) return wat_fail_tok(p, "unexpected token (no parameter names here)");
            Name nm = tok_name(p, wat_peek(p));
            uint32_t off = wat_peek(p)->off;
            p->pos++;
            uint8_t t = 0;
            OK(parse_valtype(p, &t));
            wat_buf_byte(&sig->params, t);
            if (names) OK(space_add(p, &p->locals, nm, "local", off));
        } else {
            while (wat_peek(p)->kind == T_ATOM) {
                uint8_t t = 0;
                OK(parse_valtype(p, &t));
                wat_buf_byte(&sig->params, t);
                if (names) OK(space_add(p, &p->locals, (Name){ 0 }, "local", 0));
            }
        }
        OK(expect_rp(p));
    }
    while (at_paren_kw(p, "result")) {
        p->pos += 2;
        while (wat_peek(p)->kind == T_ATOM) {
            uint8_t t = 0;
            OK(parse_valtype(p, &t));
            wat_buf_byte(&sig->results, t);
        }
        OK(expect_rp(p));
    }
    if (at_paren_kw(p, "param") || at_paren_kw(p, "result") || at_paren_kw(p, "type"))
        return wat_fail_tok(p, "unexpected token (type, param and result go in that order)");
    if (sig->params.oom || sig->results.oom) return wat_fail_tok(p, "out of memory");
    return true;
}

static bool ftype_eq(const FType *f, const Sig *s) {
    return f->np == s->params.n && f->nr == s->results.n &&
           (!f->np || memcmp(f->t, s->params.p, f->np) == 0) &&
           (!f->nr || memcmp(f->t + f->np, s->results.p, f->nr) == 0);
}

static bool ftype_add(Wat *p, const Sig *s, uint32_t *idx) {
    if (p->nft == p->ftcap) {
        uint32_t cap = p->ftcap ? p->ftcap * 2 : 16;
        FType **v = vm_realloc(p->ft, cap * sizeof *v);
        if (!v) return wat_fail_tok(p, "out of memory");
        p->ft = v;
        p->ftcap = cap;
    }
    FType *f = vm_alloc(sizeof *f + s->params.n + s->results.n + 1);
    if (!f) return wat_fail_tok(p, "out of memory");
    f->np = (uint32_t)s->params.n;
    f->nr = (uint32_t)s->results.n;
    if (f->np) memcpy(f->t, s->params.p, f->np);
    if (f->nr) memcpy(f->t + f->np, s->results.p, f->nr);
    *idx = p->nft;
    p->ft[p->nft++] = f;
    return true;
}

/* typeuse ::= ( type x )? param* result* — resolves to a type index, appending an implicit
 * type when only the inline form is given. */
static bool parse_typeuse(Wat *p, bool param_ids, bool names, uint32_t *idx) {
    bool has_type = false;
    uint32_t x = 0;
    uint32_t at = wat_peek(p)->off;
    if (at_paren_kw(p, "type")) {
        p->pos += 2;
        OK(parse_idx(p, &p->types, "type", &x));
        OK(expect_rp(p));
        has_type = true;
    }
    Sig sig = { 0 };
    bool ok = parse_sig(p, &sig, param_ids, names);
    if (ok && has_type && x >= p->nft) {
        /* an undefined index is the validator's "unknown type" (or an implicit type appended
         * later); only an inline signature to compare with makes it malformed here */
        if (sig.params.n || sig.results.n) ok = wat_fail_at(p, at, "unknown type %u", x);
        *idx = x;
    } else if (ok && has_type) {
        if ((sig.params.n || sig.results.n) && !ftype_eq(p->ft[x], &sig))
            ok = wat_fail_at(p, at, "inline function type does not match type %u", x);
        else if (!sig.params.n && !sig.results.n && names) {
            for (uint32_t i = 0; i < p->ft[x]->np && ok; i++)
                ok = space_add(p, &p->locals, (Name){ 0 }, "local", 0);
        }
        *idx = x;
    } else if (ok) {
        uint32_t i;
        for (i = 0; i < p->nft && !ftype_eq(p->ft[i], &sig); i++) {}
        if (i < p->nft) *idx = i;
        else ok = ftype_add(p, &sig, idx);
    }
    wat_buf_free(&sig.params);
    wat_buf_free(&sig.results);
    return ok;
}

static bool parse_limits(Wat *p, Buf *b) {
    uint32_t min = 0, max = 0;
    OK(parse_u32(p, &min));
    if (at_u32(p)) {
        OK(parse_u32(p, &max));
        wat_buf_byte(b, 1);
        wat_buf_u32(b, min);
        wat_buf_u32(b, max);
    } else {
        wat_buf_byte(b, 0);
        wat_buf_u32(b, min);
    }
    return true;
}

static bool parse_globaltype(Wat *p, Buf *b) {
    uint8_t t = 0;
    if (at_paren_kw(p, "mut")) {
        p->pos += 2;
        OK(parse_valtype(p, &t));
        OK(expect_rp(p));
        wat_buf_byte(b, t);
        wat_buf_byte(b, 1);
    } else {
        OK(parse_valtype(p, &t));
        wat_buf_byte(b, t);
        wat_buf_byte(b, 0);
    }
    return true;
}

/* ---- instructions ---- */

enum {
#define OP(name, prefix, code, imm, sig, align) IMMK_##name,
#include "vm/opcodes.def"
#undef OP
};
enum { IM_NONE, IM_BLOCK, IM_LABEL, IM_BRTAB, IM_FUNC, IM_CALLI, IM_TYPES, IM_LOCAL, IM_GLOBAL,
       IM_TABLE, IM_MEM, IM_MEMIDX, IM_MEMIDX2, IM_I32, IM_I64, IM_F32, IM_F64, IM_DATA, IM_DATA2,
       IM_ELEM, IM_ELEM2, IM_TABLE2, IM_REFTYPE };
typedef struct { const char *name; uint8_t prefix, code, imm, align; } WatOp;
static const WatOp wat_ops[] = {
#define OP(name, prefix, code, imm, sig, align) { #name, prefix, code, IM_##imm, align },
#include "vm/opcodes.def"
#undef OP
};

/* The text name of an opcodes.def row: lower case, the namespace's '_' becomes '.'. */
static void op_text_name(const char *enum_name, char *out, size_t cap) {
    static const char *const spaces[] = { "I32_", "I64_", "F32_", "F64_", "LOCAL_", "GLOBAL_",
                                          "TABLE_", "MEMORY_", "REF_", "ELEM_", "DATA_" };
    size_t dot = 0;
    for (size_t i = 0; i < sizeof spaces / sizeof *spaces; i++)
        if (strncmp(enum_name, spaces[i], strlen(spaces[i])) == 0) dot = strlen(spaces[i]);
    size_t i = 0;
    for (; enum_name[i] && i + 1 < cap; i++) {
        char c = enum_name[i];
        out[i] = i + 1 == dot ? '.' : (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[i] = 0;
}

static const WatOp *find_op(Wat *p, const Tok *t) {
    if (t->kind != T_ATOM || t->len > 30) return NULL;
    char nm[40];
    for (size_t i = 0; i < sizeof wat_ops / sizeof *wat_ops; i++) {
        if (wat_ops[i].prefix == 0xff || i == IMMK_SELECT_T || i == IMMK_ELSE || i == IMMK_END) continue;
        op_text_name(wat_ops[i].name, nm, sizeof nm);
        if (strlen(nm) == t->len && memcmp(nm, p->src + t->off, t->len) == 0) return &wat_ops[i];
    }
    return NULL;
}

static void emit_op(Wat *p, const WatOp *op) {
    if (op->prefix) { wat_buf_byte(p->out, op->prefix); wat_buf_u32(p->out, op->code); }
    else wat_buf_byte(p->out, op->code);
}

static bool parse_instrs(Wat *p);
static bool parse_folded(Wat *p);

/* blocktype ::= ( type x )? param* result* — without parameter names. */
static bool parse_blocktype(Wat *p) {
    if (!at_paren_kw(p, "type") && !at_paren_kw(p, "param")) {
        Sig sig = { 0 };
        bool ok = parse_sig(p, &sig, false, false);
        if (ok && sig.results.n == 0) wat_buf_byte(p->out, 0x40);
        else if (ok && sig.results.n == 1) wat_buf_byte(p->out, sig.results.p[0]);
        else if (ok) {
            uint32_t idx, i;
            for (i = 0; i < p->nft && !ftype_eq(p->ft[i], &sig); i++) {}
            if (i < p->nft) idx = i;
            else ok = ftype_add(p, &sig, &idx);
            if (ok) wat_buf_s64(p->out, idx);
        }
        wat_buf_free(&sig.params);
        wat_buf_free(&sig.results);
        return ok;
    }
    uint32_t idx;
    OK(parse_typeuse(p, false, false, &idx));
    wat_buf_s64(p->out, idx);
    return true;
}

static bool push_label(Wat *p, Name nm) {
    Space *l = &p->labels;
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 16;
        Name *v = vm_realloc(l->v, cap * sizeof *v);
        if (!v) return wat_fail_tok(p, "out of memory");
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = nm;
    return true;
}

static bool parse_label(Wat *p, uint32_t *out) {
    Tok *t = wat_peek(p);
    if (is_id(p, t)) {
        for (uint32_t i = p->labels.n; i-- > 0;)
            if (p->labels.v[i].len == t->len && memcmp(p->labels.v[i].s, p->src + t->off, t->len) == 0) {
                *out = p->labels.n - 1 - i;
                p->pos++;
                return true;
            }
        return wat_fail_tok(p, "unknown label");
    }
    return parse_u32(p, out);
}

/* After `end` or `else`: an optional $id that must repeat the block's label. */
static bool end_label(Wat *p, Name label) {
    if (!is_id(p, wat_peek(p))) return true;
    Tok *t = wat_peek(p);
    if (label.len != t->len || memcmp(label.s, p->src + t->off, t->len) != 0)
        return wat_fail_tok(p, "mismatching label");
    p->pos++;
    return true;
}

/* memarg ::= offset=u32? align=u32? — align a power of two, emitted as its log2. */
static bool parse_memarg(Wat *p, const WatOp *op) {
    uint32_t offset = 0, align = 1u << op->align;
    Tok *t = wat_peek(p);
    if (t->kind == T_ATOM && t->len > 7 && memcmp(p->src + t->off, "offset=", 7) == 0) {
        uint64_t v;
        bool ovf;
        if (!wat_lit_uint(p->src + t->off + 7, t->len - 7, &v, &ovf)) return wat_fail_tok(p, "unknown operator");
        if (ovf || v > 0xffffffffu) return wat_fail_tok(p, "i32 constant out of range");
        offset = (uint32_t)v;
        p->pos++;
        t = wat_peek(p);
    }
    if (t->kind == T_ATOM && t->len > 6 && memcmp(p->src + t->off, "align=", 6) == 0) {
        uint64_t v;
        bool ovf;
        if (!wat_lit_uint(p->src + t->off + 6, t->len - 6, &v, &ovf)) return wat_fail_tok(p, "unknown operator");
        if (ovf || v > 0xffffffffu) return wat_fail_tok(p, "i32 constant out of range");
        if (v == 0 || (v & (v - 1))) return wat_fail_tok(p, "alignment must be a power of two");
        align = (uint32_t)v;
        p->pos++;
    }
    uint32_t log = 0;
    while ((1u << log) < align) log++;
    wat_buf_u32(p->out, log);
    wat_buf_u32(p->out, offset);
    return true;
}

/* The immediates of a plain instruction (everything but block/loop/if). */
static bool parse_imms(Wat *p, const WatOp *op) {
    Buf *o = p->out;
    uint32_t x, y;
    switch (op->imm) {
    case IM_NONE:
        if (op == &wat_ops[IMMK_SELECT] && at_paren_kw(p, "result")) {
            Sig sig = { 0 };
            bool ok = parse_sig(p, &sig, false, false);
            if (ok) {
                wat_buf_byte(o, 0x1c);
                wat_buf_u32(o, sig.results.n);
                wat_buf_put(o, sig.results.p, sig.results.n);
            }
            wat_buf_free(&sig.params);
            wat_buf_free(&sig.results);
            return ok;
        }
        emit_op(p, op);
        return true;
    case IM_LABEL: OK(parse_label(p, &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_BRTAB: {
        Buf labels = { 0 };
        uint32_t n = 0;
        bool ok = true;
        while (ok && at_idx(p)) { ok = parse_label(p, &x); wat_buf_u32(&labels, x); n++; }
        if (ok && n == 0) ok = wat_fail_tok(p, "unexpected token, expected a label");
        if (ok) {
            emit_op(p, op);
            wat_buf_u32(o, n - 1);
            wat_buf_put(o, labels.p, labels.n);
        }
        wat_buf_free(&labels);
        return ok;
    }
    case IM_FUNC: OK(parse_idx(p, &p->funcs, "function", &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_LOCAL: OK(parse_idx(p, &p->locals, "local", &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_GLOBAL: OK(parse_idx(p, &p->globals, "global", &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_TABLE:
        x = 0;
        if (at_idx(p)) OK(parse_idx(p, &p->tables, "table", &x));
        emit_op(p, op);
        wat_buf_u32(o, x);
        return true;
    case IM_CALLI:
        x = 0;
        if (at_idx(p)) OK(parse_idx(p, &p->tables, "table", &x));
        OK(parse_typeuse(p, false, false, &y));
        emit_op(p, op);
        wat_buf_u32(o, y);
        wat_buf_u32(o, x);
        return true;
    case IM_MEM: emit_op(p, op); return parse_memarg(p, op);
    case IM_MEMIDX: emit_op(p, op); wat_buf_byte(o, 0); return true;
    case IM_MEMIDX2: emit_op(p, op); wat_buf_byte(o, 0); wat_buf_byte(o, 0); return true;
    case IM_DATA: OK(parse_idx(p, &p->datas, "data segment", &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_DATA2:
        OK(parse_idx(p, &p->datas, "data segment", &x));
        emit_op(p, op);
        wat_buf_u32(o, x);
        wat_buf_byte(o, 0);
        return true;
    case IM_ELEM: OK(parse_idx(p, &p->elems, "elem segment", &x)); emit_op(p, op); wat_buf_u32(o, x); return true;
    case IM_ELEM2: {
        uint32_t table = 0;
        Tok *n2 = wat_peek2(p);
        bool two = at_idx(p) && n2->kind == T_ATOM && (is_id(p, n2) || (p->src[n2->off] >= '0' && p->src[n2->off] <= '9'));
        if (two) OK(parse_idx(p, &p->tables, "table", &table));
        OK(parse_idx(p, &p->elems, "elem segment", &x));
        emit_op(p, op);
        wat_buf_u32(o, x);
        wat_buf_u32(o, table);
        return true;
    }
    case IM_TABLE2:
        x = y = 0;
        if (at_idx(p)) {
            OK(parse_idx(p, &p->tables, "table", &x));
            OK(parse_idx(p, &p->tables, "table", &y));
        }
        emit_op(p, op);
        wat_buf_u32(o, x);
        wat_buf_u32(o, y);
        return true;
    case IM_REFTYPE:
        if (tok_is(p, wat_peek(p), "func")) x = VM_FUNCREF;
        else if (tok_is(p, wat_peek(p), "extern")) x = VM_EXTERNREF;
        else return wat_fail_tok(p, "unexpected token, expected 'func' or 'extern'");
        p->pos++;
        emit_op(p, op);
        wat_buf_byte(o, (uint8_t)x);
        return true;
    case IM_I32: case IM_I64: case IM_F32: case IM_F64: {
        Tok *t = wat_peek(p);
        if (t->kind != T_ATOM) return wat_fail_tok(p, "unexpected token, expected a number");
        const char *s = p->src + t->off;
        uint64_t v = 0;
        int bits = op->imm == IM_I32 || op->imm == IM_F32 ? 32 : 64;
        bool isint = op->imm == IM_I32 || op->imm == IM_I64;
        size_t sg = s[0] == '-' || s[0] == '+';
        unsigned char c0 = sg < t->len ? (unsigned char)s[sg] : 0;
        /* a keyword where a number belongs (nan:canonical, an operator) is out of place */
        if (c0 >= 'a' && c0 <= 'z' &&
            (isint || !(t->len - sg >= 3 && (memcmp(s + sg, "nan", 3) == 0 || memcmp(s + sg, "inf", 3) == 0)) ||
             (t->len - sg == 13 && (memcmp(s + sg, "nan:canonical", 13) == 0)) ||
             (t->len - sg == 14 && (memcmp(s + sg, "nan:arithmetic", 14) == 0))))
            return wat_fail_tok(p, "unexpected token, expected a number");
        int r = isint ? wat_lit_int(s, t->len, bits, &v) : wat_lit_float(s, t->len, bits, &v);
        if (r == 0) return wat_fail_tok_note(p, "unknown operator", "not a number literal");
        if (r < 0) return wat_fail_tok(p, "constant out of range");
        p->pos++;
        emit_op(p, op);
        if (isint) wat_buf_s64(o, bits == 32 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v);
        else if (bits == 32) { uint32_t u = (uint32_t)v; wat_buf_put(o, &u, 4); }
        else wat_buf_put(o, &v, 8);
        return true;
    }
    default:
        return wat_fail_tok(p, "unexpected token");
    }
}

static bool enter(Wat *p) {
    if (++p->depth > WAT_MAX_DEPTH) return wat_fail_tok(p, "nesting too deep (limit is 1000)");
    return true;
}

static bool fail_unknown_op(Wat *p) {
    Tok *t = wat_peek(p);
    if (tok_is(p, t, "param") || tok_is(p, t, "result") || tok_is(p, t, "type") || tok_is(p, t, "local") ||
        tok_is(p, t, "then") || tok_is(p, t, "else"))
        return wat_fail_tok(p, "unexpected token");
    return wat_fail_tok(p, "unknown operator");
}

/* instr ::= plaininstr | block label bt instr* end id? | loop ... | if label bt instr*
 *           (else id? instr*)? end id? | foldedinstr */
static bool parse_instr(Wat *p) {
    Tok *t = wat_peek(p);
    if (t->kind == T_LP) return parse_folded(p);
    if (t->kind != T_ATOM) return wat_fail_tok(p, "unexpected token");
    bool blk = tok_is(p, t, "block"), loop = tok_is(p, t, "loop"), iff = tok_is(p, t, "if");
    if (blk || loop || iff) {
        OK(enter(p));
        p->pos++;
        wat_buf_byte(p->out, blk ? 0x02 : loop ? 0x03 : 0x04);
        Name label;
        opt_id(p, &label);
        OK(parse_blocktype(p));
        OK(push_label(p, label));
        OK(parse_instrs(p));
        if (iff && tok_is(p, wat_peek(p), "else")) {
            p->pos++;
            OK(end_label(p, label));
            wat_buf_byte(p->out, 0x05);
            OK(parse_instrs(p));
        }
        OK(expect_kw(p, "end"));
        OK(end_label(p, label));
        wat_buf_byte(p->out, 0x0b);
        p->labels.n--;
        p->depth--;
        return true;
    }
    const WatOp *op = find_op(p, t);
    if (!op || op->imm == IM_BLOCK) return fail_unknown_op(p);
    p->pos++;
    return parse_imms(p, op);
}

/* instr* up to ')' , 'end' or 'else'. */
static bool parse_instrs(Wat *p) {
    for (;;) {
        Tok *t = wat_peek(p);
        if (t->kind == T_RP || t->kind == T_EOF || tok_is(p, t, "end") || tok_is(p, t, "else")) return true;
        OK(parse_instr(p));
    }
}

/* foldedinstr ::= ( plaininstr foldedinstr* ) | ( block label bt instr* ) | ( loop ... )
 *               | ( if label bt foldedinstr* ( then instr* ) ( else instr* )? ) */
static bool parse_folded(Wat *p) {
    OK(enter(p));
    p->pos++; /* ( */
    Tok *t = wat_peek(p);
    bool blk = tok_is(p, t, "block"), loop = tok_is(p, t, "loop"), iff = tok_is(p, t, "if");
    if (blk || loop) {
        p->pos++;
        wat_buf_byte(p->out, blk ? 0x02 : 0x03);
        Name label;
        opt_id(p, &label);
        OK(parse_blocktype(p));
        OK(push_label(p, label));
        OK(parse_instrs(p));
        if (wat_peek(p)->kind != T_RP) return wat_fail_tok(p, "unexpected token");
        wat_buf_byte(p->out, 0x0b);
        p->labels.n--;
    } else if (iff) {
        p->pos++;
        Name label;
        opt_id(p, &label);
        /* the block type goes after the condition: parse it into a side buffer */
        Buf bt = { 0 }, *saved = p->out;
        p->out = &bt;
        bool ok = parse_blocktype(p);
        p->out = saved;
        while (ok && wat_peek(p)->kind == T_LP && !at_paren_kw(p, "then")) ok = parse_folded(p);
        if (ok) {
            wat_buf_byte(p->out, 0x04);
            wat_buf_put(p->out, bt.p, bt.n);
        }
        wat_buf_free(&bt);
        OK(ok);
        OK(push_label(p, label));
        if (!at_paren_kw(p, "then")) return wat_fail_tok(p, "unexpected token, expected '(then'");
        p->pos += 2;
        OK(parse_instrs(p));
        OK(expect_rp(p));
        if (at_paren_kw(p, "else")) {
            p->pos += 2;
            wat_buf_byte(p->out, 0x05);
            OK(parse_instrs(p));
            OK(expect_rp(p));
        }
        wat_buf_byte(p->out, 0x0b);
        p->labels.n--;
    } else {
        const WatOp *op = find_op(p, t);
        if (!op || op->imm == IM_BLOCK) return fail_unknown_op(p);
        p->pos++;
        Buf ins = { 0 }, *saved = p->out;
        p->out = &ins;
        bool ok = parse_imms(p, op);
        p->out = saved;
        while (ok && wat_peek(p)->kind == T_LP) ok = parse_folded(p);
        if (ok) wat_buf_put(p->out, ins.p, ins.n);
        wat_buf_free(&ins);
        OK(ok);
    }
    OK(expect_rp(p));
    p->depth--;
    return true;
}

/* A constant expression into b, with its `end`. */
static bool parse_expr_into(Wat *p, Buf *b) {
    Buf *saved = p->out;
    p->out = b;
    uint32_t nl = p->labels.n;
    p->labels.n = 0;
    Space locals = p->locals;
    p->locals = (Space){ 0 };
    bool ok = parse_instrs(p);
    if (ok && wat_peek(p)->kind != T_RP) ok = wat_fail_tok(p, "unexpected token");
    p->locals = locals;
    p->labels.n = nl;
    wat_buf_byte(b, 0x0b);
    p->out = saved;
    return ok;
}

/* ---- module fields ---- */

static const char *const kind_names[] = { "function", "table", "memory", "global" };

/* Pass 1: names every index space, parses explicit types, checks import placement. */
static bool scan_fields(Wat *p) {
    const char *defined = NULL;
    while (wat_peek(p)->kind == T_LP) {
        uint32_t start = p->pos, off = wat_peek(p)->off;
        Tok *kw = wat_peek2(p);
        p->pos += 2;
        Name nm = { 0 };
        if (tok_is(p, kw, "type")) {
            opt_id(p, &nm);
            OK(space_add(p, &p->types, nm, "type", off));
            if (!at_paren_kw(p, "func")) return wat_fail_tok(p, "unexpected token, expected '(func'");
            p->pos += 2;
            Sig sig = { 0 };
            uint32_t idx;
            bool ok = parse_sig(p, &sig, true, false);
            ok = ok && expect_rp(p) && ftype_add(p, &sig, &idx);
            wat_buf_free(&sig.params);
            wat_buf_free(&sig.results);
            OK(ok);
            OK(expect_rp(p));
            p->nexplicit = p->nft;
            continue;
        }
        int kind = tok_is(p, kw, "func") ? 0 : tok_is(p, kw, "table") ? 1 : tok_is(p, kw, "memory") ? 2
                 : tok_is(p, kw, "global") ? 3 : -1;
        Space *spaces[] = { &p->funcs, &p->tables, &p->mems, &p->globals };
        if (tok_is(p, kw, "import")) {
            if (defined) return wat_fail_at(p, off, "import after %s", defined);
            while (wat_peek(p)->kind == T_STR) p->pos++;
            if (wat_peek(p)->kind != T_LP) return wat_fail_tok(p, "unexpected token");
            Tok *d = wat_peek2(p);
            int k = tok_is(p, d, "func") ? 0 : tok_is(p, d, "table") ? 1 : tok_is(p, d, "memory") ? 2
                  : tok_is(p, d, "global") ? 3 : -1;
            if (k < 0) { p->pos++; return wat_fail_tok(p, "unexpected token, expected an import kind"); }
            p->pos += 2;
            opt_id(p, &nm);
            OK(space_add(p, spaces[k], nm, kind_names[k], off));
        } else if (kind >= 0) {
            opt_id(p, &nm);
            OK(space_add(p, spaces[kind], nm, kind_names[kind], off));
            while (at_paren_kw(p, "export")) OK(skip_group(p));
            if (at_paren_kw(p, "import")) {
                if (defined) return wat_fail_at(p, off, "import after %s", defined);
            } else {
                defined = kind_names[kind];
                /* (table funcref (elem ...)) and (memory (data ...)) define a segment */
                if (kind == 1 && wat_peek(p)->kind == T_ATOM && wat_peek2(p)->kind == T_LP &&
                    tok_is(p, &p->toks[p->pos + 2], "elem"))
                    OK(space_add(p, &p->elems, (Name){ 0 }, "elem", off));
                if (kind == 2 && at_paren_kw(p, "data")) OK(space_add(p, &p->datas, (Name){ 0 }, "data", off));
            }
        } else if (tok_is(p, kw, "elem")) {
            opt_id(p, &nm);
            OK(space_add(p, &p->elems, nm, "elem", off));
        } else if (tok_is(p, kw, "data")) {
            opt_id(p, &nm);
            OK(space_add(p, &p->datas, nm, "data", off));
        } else if (tok_is(p, kw, "start")) {
            if (p->has_start) return wat_fail_at(p, off, "multiple start sections");
            p->has_start = true;
        } else if (!tok_is(p, kw, "export")) {
            p->pos--;
            return wat_fail_tok(p, "unexpected token, expected a module field");
        }
        p->pos = start;
        OK(skip_group(p));
    }
    p->has_start = false;
    return true;
}

/* ( export "name" )* inline on a definition of kind k, index idx. */
static bool inline_exports(Wat *p, int k, uint32_t idx) {
    while (at_paren_kw(p, "export")) {
        p->pos += 2;
        OK(parse_name(p, &p->exportsec));
        wat_buf_byte(&p->exportsec, (uint8_t)k);
        wat_buf_u32(&p->exportsec, idx);
        p->nexports++;
        OK(expect_rp(p));
    }
    return true;
}

/* The import description of kind k (after its id), into the import section. */
static bool import_desc(Wat *p, int k) {
    Buf *b = &p->imports;
    wat_buf_byte(b, (uint8_t)k);
    uint32_t idx;
    if (k == 0) {
        OK(parse_typeuse(p, true, false, &idx));
        wat_buf_u32(b, idx);
    } else if (k == 1) {
        Buf lim = { 0 };
        uint8_t t = 0;
        bool ok = parse_limits(p, &lim) && parse_reftype(p, &t);
        if (ok) { wat_buf_byte(b, t); wat_buf_put(b, lim.p, lim.n); }
        wat_buf_free(&lim);
        OK(ok);
    } else if (k == 2) {
        OK(parse_limits(p, b));
    } else {
        OK(parse_globaltype(p, b));
    }
    p->nimports++;
    return true;
}

static bool field_func(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    uint32_t idx = p->nfuncimp + p->nfuncdefs;
    OK(inline_exports(p, 0, idx));
    if (at_paren_kw(p, "import")) {
        p->pos += 2;
        OK(parse_name(p, &p->imports));
        OK(parse_name(p, &p->imports));
        OK(expect_rp(p));
        p->nfuncimp++;
        return import_desc(p, 0);
    }
    p->nfuncdefs++;
    space_clear(&p->locals);
    p->labels.n = 0;
    uint32_t tidx;
    OK(parse_typeuse(p, true, true, &tidx));
    wat_buf_u32(&p->funcsec, tidx);
    /* locals: runs of equal types */
    Buf decl = { 0 };
    uint32_t nruns = 0, run = 0;
    uint8_t last = 0;
    bool ok = true;
    while (ok && at_paren_kw(p, "local")) {
        p->pos += 2;
        if (is_id(p, wat_peek(p))) {
            Name ln = tok_name(p, wat_peek(p));
            uint32_t off = wat_peek(p)->off;
            p->pos++;
            uint8_t t = 0;
            ok = parse_valtype(p, &t) && space_add(p, &p->locals, ln, "local", off);
            if (ok && run && t == last) run++;
            else if (ok) { if (run) { wat_buf_u32(&decl, run); wat_buf_byte(&decl, last); nruns++; } run = 1; last = t; }
        } else {
            while (ok && wat_peek(p)->kind == T_ATOM) {
                uint8_t t = 0;
                ok = parse_valtype(p, &t) && space_add(p, &p->locals, (Name){ 0 }, "local", 0);
                if (ok && run && t == last) run++;
                else if (ok) { if (run) { wat_buf_u32(&decl, run); wat_buf_byte(&decl, last); nruns++; } run = 1; last = t; }
            }
        }
        ok = ok && expect_rp(p);
    }
    if (run) { wat_buf_u32(&decl, run); wat_buf_byte(&decl, last); nruns++; }
    Buf body = { 0 };
    if (ok) {
        wat_buf_u32(&body, nruns);
        wat_buf_put(&body, decl.p, decl.n);
        p->out = &body;
        ok = parse_instrs(p);
        if (ok && wat_peek(p)->kind != T_RP) ok = wat_fail_tok(p, "unexpected token");
        wat_buf_byte(&body, 0x0b);
    }
    if (ok) {
        if (body.oom) ok = wat_fail_tok(p, "out of memory");
        wat_buf_u32(&p->codesec, body.n);
        wat_buf_put(&p->codesec, body.p, body.n);
    }
    wat_buf_free(&decl);
    wat_buf_free(&body);
    return ok;
}

/* elemlist ::= reftype elemexpr* | func funcidx* ; into b, *exprs says which form. */
static bool elem_list(Wat *p, Buf *b, bool *exprs, uint8_t *rt, bool funcs_only, uint8_t def_rt) {
    uint32_t n = 0;
    Buf items = { 0 };
    bool ok = true;
    *rt = def_rt;
    if (!funcs_only && (valtype_of(p, wat_peek(p)) >= 0 || wat_peek(p)->kind == T_LP)) {
        if (wat_peek(p)->kind != T_LP) ok = parse_reftype(p, rt);
        *exprs = true;
        while (ok && wat_peek(p)->kind == T_LP) {
            if (at_paren_kw(p, "item")) {
                p->pos += 2;
                ok = parse_expr_into(p, &items) && expect_rp(p);
            } else {
                Buf *saved = p->out;
                p->out = &items;
                ok = parse_folded(p);
                p->out = saved;
                wat_buf_byte(&items, 0x0b);
            }
            n++;
        }
    } else {
        if (!funcs_only && tok_is(p, wat_peek(p), "func")) p->pos++;
        *exprs = false;
        while (ok && at_idx(p)) {
            uint32_t x;
            ok = parse_idx(p, &p->funcs, "function", &x);
            wat_buf_u32(&items, x);
            n++;
        }
    }
    if (ok) { wat_buf_u32(b, n); wat_buf_put(b, items.p, items.n); }
    wat_buf_free(&items);
    return ok;
}

/* An offset: ( offset instr* ) or one folded instruction. */
static bool offset_expr(Wat *p, Buf *b) {
    if (at_paren_kw(p, "offset")) {
        p->pos += 2;
        OK(parse_expr_into(p, b));
        return expect_rp(p);
    }
    if (wat_peek(p)->kind != T_LP) return wat_fail_tok(p, "unexpected token, expected an offset");
    Buf *saved = p->out;
    p->out = b;
    bool ok = parse_folded(p);
    p->out = saved;
    wat_buf_byte(b, 0x0b);
    return ok;
}

static bool field_elem(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    Buf *b = &p->elemsec;
    Buf list = { 0 }, off = { 0 };
    bool exprs, ok = true;
    uint8_t rt = 0;
    uint32_t table = 0;
    bool has_table = false;
    if (tok_is(p, wat_peek(p), "declare")) {
        p->pos++;
        ok = elem_list(p, &list, &exprs, &rt, false, VM_FUNCREF);
        if (ok && exprs) { wat_buf_byte(b, 7); wat_buf_byte(b, rt); }
        else if (ok) { wat_buf_byte(b, 3); wat_buf_byte(b, 0); }
    } else if (wat_peek(p)->kind == T_LP) {
        if (at_paren_kw(p, "table")) {
            p->pos += 2;
            ok = parse_idx(p, &p->tables, "table", &table) && expect_rp(p);
            has_table = true;
        }
        ok = ok && offset_expr(p, &off);
        /* without a table use, a bare funcidx list is the legacy form */
        bool bare = !has_table && (at_idx(p) || wat_peek(p)->kind == T_RP);
        ok = ok && elem_list(p, &list, &exprs, &rt, bare, VM_FUNCREF);
        if (ok && table == 0 && !has_table && !exprs) { wat_buf_byte(b, 0); wat_buf_put(b, off.p, off.n); }
        else if (ok && table == 0 && exprs && rt == VM_FUNCREF && !has_table) { wat_buf_byte(b, 4); wat_buf_put(b, off.p, off.n); }
        else if (ok && !exprs) { wat_buf_byte(b, 2); wat_buf_u32(b, table); wat_buf_put(b, off.p, off.n); wat_buf_byte(b, 0); }
        else if (ok) { wat_buf_byte(b, 6); wat_buf_u32(b, table); wat_buf_put(b, off.p, off.n); wat_buf_byte(b, rt); }
    } else {
        ok = elem_list(p, &list, &exprs, &rt, false, VM_FUNCREF);
        if (ok && exprs) { wat_buf_byte(b, 5); wat_buf_byte(b, rt); }
        else if (ok) { wat_buf_byte(b, 1); wat_buf_byte(b, 0); }
    }
    if (ok) wat_buf_put(b, list.p, list.n);
    p->nelem++;
    wat_buf_free(&list);
    wat_buf_free(&off);
    return ok;
}

static bool data_strings(Wat *p, Buf *b) {
    Buf s = { 0 };
    bool ok = true;
    while (ok && wat_peek(p)->kind == T_STR) { ok = wat_decode_string(p, wat_peek(p), &s); p->pos++; }
    if (ok) { wat_buf_u32(b, s.n); wat_buf_put(b, s.p, s.n); }
    wat_buf_free(&s);
    return ok;
}

static bool field_data(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    Buf *b = &p->datasec;
    p->ndata++;
    if (wat_peek(p)->kind != T_LP) { wat_buf_byte(b, 1); return data_strings(p, b); }
    uint32_t mem = 0;
    bool has_mem = false;
    if (at_paren_kw(p, "memory")) {
        p->pos += 2;
        OK(parse_idx(p, &p->mems, "memory", &mem));
        OK(expect_rp(p));
        has_mem = true;
    }
    if (mem == 0 && !has_mem) wat_buf_byte(b, 0);
    else { wat_buf_byte(b, 2); wat_buf_u32(b, mem); }
    OK(offset_expr(p, b));
    return data_strings(p, b);
}

static bool field_table(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    uint32_t idx = p->ntabimp + p->ntabdefs;
    OK(inline_exports(p, 1, idx));
    if (at_paren_kw(p, "import")) {
        p->pos += 2;
        OK(parse_name(p, &p->imports));
        OK(parse_name(p, &p->imports));
        OK(expect_rp(p));
        p->ntabimp++;
        return import_desc(p, 1);
    }
    p->ntabdefs++;
    uint8_t rt = 0;
    if (valtype_of(p, wat_peek(p)) >= 0) {
        /* ( table reftype ( elem ... ) ): size from the list, plus an active segment */
        OK(parse_reftype(p, &rt));
        if (!at_paren_kw(p, "elem")) return wat_fail_tok(p, "unexpected token, expected '(elem'");
        p->pos += 2;
        Buf list = { 0 };
        bool exprs;
        uint8_t lrt = 0;
        bool ok = elem_list(p, &list, &exprs, &lrt, at_idx(p) || wat_peek(p)->kind == T_RP, rt);
        uint32_t n = 0;
        if (ok) {
            const uint8_t *q = list.p;
            for (int sh = 0; q < list.p + list.n; sh += 7) { n |= (uint32_t)(*q & 0x7f) << sh; if (!(*q++ & 0x80)) break; }
            wat_buf_byte(&p->tablesec, rt);
            wat_buf_byte(&p->tablesec, 1);
            wat_buf_u32(&p->tablesec, n);
            wat_buf_u32(&p->tablesec, n);
            Buf *b = &p->elemsec;
            if (idx == 0 && !exprs) wat_buf_byte(b, 0);
            else if (!exprs) { wat_buf_byte(b, 2); wat_buf_u32(b, idx); }
            else { wat_buf_byte(b, 6); wat_buf_u32(b, idx); }
            wat_buf_byte(b, 0x41); wat_buf_byte(b, 0); wat_buf_byte(b, 0x0b);
            if (exprs) wat_buf_byte(b, rt);
            else if (idx != 0) wat_buf_byte(b, 0);
            wat_buf_put(b, list.p, list.n);
            p->nelem++;
        }
        wat_buf_free(&list);
        OK(ok);
        return expect_rp(p);
    }
    Buf lim = { 0 };
    bool ok = parse_limits(p, &lim) && parse_reftype(p, &rt);
    if (ok) { wat_buf_byte(&p->tablesec, rt); wat_buf_put(&p->tablesec, lim.p, lim.n); }
    wat_buf_free(&lim);
    return ok;
}

static bool field_memory(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    uint32_t idx = p->nmemimp + p->nmemdefs;
    OK(inline_exports(p, 2, idx));
    if (at_paren_kw(p, "import")) {
        p->pos += 2;
        OK(parse_name(p, &p->imports));
        OK(parse_name(p, &p->imports));
        OK(expect_rp(p));
        p->nmemimp++;
        return import_desc(p, 2);
    }
    p->nmemdefs++;
    if (at_paren_kw(p, "data")) {
        p->pos += 2;
        Buf s = { 0 };
        bool ok = true;
        while (ok && wat_peek(p)->kind == T_STR) { ok = wat_decode_string(p, wat_peek(p), &s); p->pos++; }
        if (ok) {
            uint64_t pages = (s.n + 65535) / 65536;
            wat_buf_byte(&p->memsec, 1);
            wat_buf_u32(&p->memsec, pages);
            wat_buf_u32(&p->memsec, pages);
            Buf *b = &p->datasec;
            if (idx == 0) wat_buf_byte(b, 0);
            else { wat_buf_byte(b, 2); wat_buf_u32(b, idx); }
            wat_buf_byte(b, 0x41); wat_buf_byte(b, 0); wat_buf_byte(b, 0x0b);
            wat_buf_u32(b, s.n);
            wat_buf_put(b, s.p, s.n);
            p->ndata++;
        }
        wat_buf_free(&s);
        OK(ok);
        return expect_rp(p);
    }
    return parse_limits(p, &p->memsec);
}

static bool field_global(Wat *p) {
    Name nm;
    opt_id(p, &nm);
    uint32_t idx = p->nglobimp + p->nglobdefs;
    OK(inline_exports(p, 3, idx));
    if (at_paren_kw(p, "import")) {
        p->pos += 2;
        OK(parse_name(p, &p->imports));
        OK(parse_name(p, &p->imports));
        OK(expect_rp(p));
        p->nglobimp++;
        return import_desc(p, 3);
    }
    p->nglobdefs++;
    OK(parse_globaltype(p, &p->globalsec));
    return parse_expr_into(p, &p->globalsec);
}

/* Pass 2: one field, "(" and keyword already consumed; the closing ")" is left. */
static bool parse_field(Wat *p, const Tok *kw) {
    if (tok_is(p, kw, "type")) { /* parsed in pass 1: skip to the closing ")" */
        for (int level = 0; wat_peek(p)->kind != T_EOF && !(wat_peek(p)->kind == T_RP && level == 0); p->pos++)
            level += wat_peek(p)->kind == T_LP ? 1 : wat_peek(p)->kind == T_RP ? -1 : 0;
        return true;
    }
    if (tok_is(p, kw, "func")) return field_func(p);
    if (tok_is(p, kw, "table")) {
        OK(field_table(p));
        return true;
    }
    if (tok_is(p, kw, "memory")) return field_memory(p);
    if (tok_is(p, kw, "global")) return field_global(p);
    if (tok_is(p, kw, "elem")) return field_elem(p);
    if (tok_is(p, kw, "data")) return field_data(p);
    if (tok_is(p, kw, "start")) {
        uint32_t x;
        OK(parse_idx(p, &p->funcs, "function", &x));
        wat_buf_u32(&p->startsec, x);
        return true;
    }
    if (tok_is(p, kw, "export")) {
        OK(parse_name(p, &p->exportsec));
        OK(expect_lp(p));
        Tok *k = wat_peek(p);
        int kind = tok_is(p, k, "func") ? 0 : tok_is(p, k, "table") ? 1 : tok_is(p, k, "memory") ? 2
                 : tok_is(p, k, "global") ? 3 : -1;
        if (kind < 0) return wat_fail_tok(p, "unexpected token, expected an export kind");
        p->pos++;
        Space *spaces[] = { &p->funcs, &p->tables, &p->mems, &p->globals };
        uint32_t x;
        OK(parse_idx(p, spaces[kind], kind_names[kind], &x));
        OK(expect_rp(p));
        wat_buf_byte(&p->exportsec, (uint8_t)kind);
        wat_buf_u32(&p->exportsec, x);
        p->nexports++;
        return true;
    }
    if (tok_is(p, kw, "import")) {
        OK(parse_name(p, &p->imports));
        OK(parse_name(p, &p->imports));
        OK(expect_lp(p));
        Tok *d = wat_peek(p);
        int k = tok_is(p, d, "func") ? 0 : tok_is(p, d, "table") ? 1 : tok_is(p, d, "memory") ? 2 : 3;
        p->pos++;
        Name nm;
        opt_id(p, &nm);
        uint32_t *cnt[] = { &p->nfuncimp, &p->ntabimp, &p->nmemimp, &p->nglobimp };
        (*cnt[k])++;
        OK(import_desc(p, k));
        return expect_rp(p);
    }
    return wat_fail_tok(p, "unexpected token");
}

static void section(Buf *out, uint8_t id, Buf *body, uint32_t count, bool with_count) {
    Buf tmp = { 0 };
    if (with_count) wat_buf_u32(&tmp, count);
    wat_buf_put(&tmp, body->p, body->n);
    wat_buf_byte(out, id);
    wat_buf_u32(out, tmp.n);
    wat_buf_put(out, tmp.p, tmp.n);
    if (tmp.oom) out->oom = true;
    wat_buf_free(&tmp);
}

static bool parse_text(Wat *p, const char *src, size_t len, Buf *out);

/* module ::= ( module id? field* ) | field* | ( module binary str* ) | ( module quote str* ) */
static bool parse_module(Wat *p, Buf *out) {
    bool wrapped = at_paren_kw(p, "module");
    if (wrapped) {
        p->pos += 2;
        Name nm;
        opt_id(p, &nm);
        if (tok_is(p, wat_peek(p), "binary") || tok_is(p, wat_peek(p), "quote")) {
            bool quote = tok_is(p, wat_peek(p), "quote");
            p->pos++;
            Buf s = { 0 };
            bool ok = true;
            while (ok && wat_peek(p)->kind == T_STR) { ok = wat_decode_string(p, wat_peek(p), &s); p->pos++; }
            ok = ok && expect_rp(p);
            if (ok && wat_peek(p)->kind != T_EOF) ok = wat_fail_tok(p, "unexpected token after the module");
            if (ok && quote) {
                if (p->quote_depth >= 8) ok = wat_fail_tok(p, "nesting too deep (quoted modules)");
                else ok = parse_text(p, (const char *)s.p, s.n, out);
            } else if (ok) {
                wat_buf_put(out, s.p, s.n);
            }
            wat_buf_free(&s);
            return ok;
        }
    }
    uint32_t fields = p->pos;
    OK(scan_fields(p));
    p->pos = fields;
    while (wat_peek(p)->kind == T_LP) {
        p->pos++;
        Tok *kw = wat_peek(p);
        p->pos++;
        OK(parse_field(p, kw));
        OK(expect_rp(p));
    }
    if (wrapped) OK(expect_rp(p));
    if (wat_peek(p)->kind != T_EOF) return wat_fail_tok(p, "unexpected token");
    static const uint8_t header[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
    wat_buf_put(out, header, 8);
    Buf types = { 0 };
    for (uint32_t i = 0; i < p->nft; i++) {
        FType *f = p->ft[i];
        wat_buf_byte(&types, 0x60);
        wat_buf_u32(&types, f->np);
        wat_buf_put(&types, f->t, f->np);
        wat_buf_u32(&types, f->nr);
        wat_buf_put(&types, f->t + f->np, f->nr);
    }
    if (p->nft) section(out, 1, &types, p->nft, true);
    wat_buf_free(&types);
    if (p->nimports) section(out, 2, &p->imports, p->nimports, true);
    if (p->nfuncdefs) section(out, 3, &p->funcsec, p->nfuncdefs, true);
    if (p->ntabdefs) section(out, 4, &p->tablesec, p->ntabdefs, true);
    if (p->nmemdefs) section(out, 5, &p->memsec, p->nmemdefs, true);
    if (p->nglobdefs) section(out, 6, &p->globalsec, p->nglobdefs, true);
    if (p->nexports) section(out, 7, &p->exportsec, p->nexports, true);
    if (p->startsec.n) section(out, 8, &p->startsec, 0, false);
    if (p->nelem) section(out, 9, &p->elemsec, p->nelem, true);
    if (p->ndata) { Buf none = { 0 }; section(out, 12, &none, p->ndata, true); }
    if (p->nfuncdefs) section(out, 10, &p->codesec, p->nfuncdefs, true);
    if (p->ndata) section(out, 11, &p->datasec, p->ndata, true);
    Buf *all[] = { &p->imports, &p->funcsec, &p->tablesec, &p->memsec, &p->globalsec, &p->exportsec,
                   &p->startsec, &p->elemsec, &p->codesec, &p->datasec };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (all[i]->oom) out->oom = true;
    if (out->oom) return wat_fail_at(p, 0, "out of memory");
    return true;
}

static void parser_free(Wat *p) {
    vm_free(p->toks);
    Space *sp[] = { &p->types, &p->funcs, &p->tables, &p->mems, &p->globals, &p->elems, &p->datas,
                    &p->locals, &p->labels };
    for (size_t i = 0; i < sizeof sp / sizeof *sp; i++) { vm_free(sp[i]->v); vm_free(sp[i]->slots); }
    for (uint32_t i = 0; i < p->nft; i++) vm_free(p->ft[i]);
    vm_free(p->ft);
    Buf *all[] = { &p->imports, &p->funcsec, &p->tablesec, &p->memsec, &p->globalsec, &p->exportsec,
                   &p->startsec, &p->elemsec, &p->codesec, &p->datasec };
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) wat_buf_free(all[i]);
}

/* Parses src (a whole module text) into out; errors go to the outer parser's VmError with
 * positions inside the quoted text. */
static bool parse_text(Wat *outer, const char *src, size_t len, Buf *out) {
    Wat p = { 0 };
    p.src = src;
    p.len = len;
    p.err = outer->err;
    p.quote_depth = outer->quote_depth + 1;
    bool ok = wat_lex(&p) && parse_module(&p, out);
    parser_free(&p);
    if (!ok) outer->failed = true;
    return ok;
}

VmStatus vm_wat_to_wasm(const char *src, size_t len, uint8_t **out, size_t *out_len, VmError *err) {
    VmError dummy;
    if (!err) err = &dummy;
    memset(err, 0, sizeof *err);
    *out = NULL;
    *out_len = 0;
    if (len > 0x7fffffffu) {
        err->status = VM_LIMIT;
        snprintf(err->msg, sizeof err->msg, "text module too large (limit is 2 GiB)");
        return VM_LIMIT;
    }
    Wat top = { 0 };
    top.err = err;
    top.quote_depth = -1;
    Buf b = { 0 };
    if (!parse_text(&top, src, len, &b)) {
        wat_buf_free(&b);
        if (err->status == VM_OK) err->status = VM_MALFORMED;
        return err->status;
    }
    *out = b.p;
    *out_len = b.n;
    return VM_OK;
}

void vm_wat_free(uint8_t *bytes) { vm_free(bytes); }

bool vm_wat_is_text_name(const char *path) {
    size_t n = strlen(path);
    return (n > 4 && strcmp(path + n - 4, ".wat") == 0) || (n > 5 && strcmp(path + n - 5, ".wast") == 0);
}
