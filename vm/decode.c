/* decode.c — the binary format: sections in order, LEB128 with length and overflow checks,
 * UTF-8 names, imports/exports, element segment forms 0-7, data segments, data count, code
 * bodies' locals. Errors carry the byte offset and the spec's wording. */
#include <stdarg.h>
#include <stdio.h>

#include "vm/vm_int.h"

VmStatus vm_error(VmError *err, VmStatus st, size_t off, const char *fmt, ...) {
    if (err && err->status == VM_OK) {
        err->status = st;
        err->offset = off;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return st;
}

typedef struct {
    const uint8_t *b;
    size_t pos, end;
    VmError *err;
    bool inner; /* reading inside a section or function: its end is not the file's */
} Rd;

#define END_MSG(r) ((r)->inner ? "unexpected end of section or function" : "unexpected end")

#define MALFORMED(r, ...) vm_error((r)->err, VM_MALFORMED, (r)->pos, __VA_ARGS__)
#define OOM(r) vm_error((r)->err, VM_OUT_OF_MEMORY, (r)->pos, "out of memory")

/* Readers set *out even on failure: callers return at once then, but gcc cannot see it. */
static VmStatus rd_byte(Rd *r, uint8_t *out) {
    *out = 0;
    if (r->pos >= r->end) return MALFORMED(r, "%s", END_MSG(r));
    *out = r->b[r->pos++];
    return VM_OK;
}

/* LEB128 of at most `bits` bits; `sign` for the signed forms. */
static VmStatus rd_leb(Rd *r, unsigned bits, bool sign, uint64_t *out) {
    uint64_t result = 0;
    unsigned shift = 0;
    unsigned maxbytes = (bits + 6) / 7;
    *out = 0;
    for (unsigned i = 0;; i++) {
        if (r->pos >= r->end) return MALFORMED(r, "%s", END_MSG(r));
        uint8_t byte = r->b[r->pos++];
        if (i == maxbytes - 1) {
            if (byte & 0x80) return MALFORMED(r, "integer representation too long");
            unsigned used = bits - shift; /* value bits in this byte */
            if (sign) {
                uint8_t rest = (uint8_t)(byte & 0x7f) >> (used - 1); /* sign bit and above */
                uint8_t all = (uint8_t)(0x7f >> (used - 1));
                if (rest != 0 && rest != all) return MALFORMED(r, "integer too large");
            } else if (used < 7 && (byte >> used) != 0) {
                return MALFORMED(r, "integer too large");
            }
        }
        result |= (uint64_t)(byte & 0x7f) << shift;
        shift += 7;
        if (!(byte & 0x80)) {
            if (sign && shift < 64 && (byte & 0x40)) result |= ~(uint64_t)0 << shift;
            break;
        }
    }
    if (bits < 64 && !sign) result &= ((uint64_t)1 << bits) - 1;
    *out = result;
    return VM_OK;
}

VmStatus vm_read_leb(const uint8_t *b, size_t end, size_t *pos, unsigned bits, bool sign,
                     uint64_t *out, VmError *err) {
    Rd r = { b, *pos, end, err, true };
    VmStatus st = rd_leb(&r, bits, sign, out);
    *pos = r.pos;
    return st;
}

static VmStatus rd_u32(Rd *r, uint32_t *out) {
    uint64_t v;
    VmStatus st = rd_leb(r, 32, false, &v);
    *out = (uint32_t)v;
    return st;
}

VmStatus vm_read_u32(const uint8_t *p, size_t len, size_t *pos, uint32_t *out) {
    Rd r = { p, *pos, len, NULL, true };
    VmStatus st = rd_u32(&r, out);
    *pos = r.pos;
    return st;
}

bool vm_utf8_valid(const uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) { i++; continue; }
        uint32_t cp, need;
        if ((c & 0xe0) == 0xc0) { cp = c & 0x1f; need = 1; }
        else if ((c & 0xf0) == 0xe0) { cp = c & 0x0f; need = 2; }
        else if ((c & 0xf8) == 0xf0) { cp = c & 0x07; need = 3; }
        else return false;
        for (uint32_t k = 1; k <= need; k++) {
            if (i + k >= n || (p[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000))
            return false;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += need + 1;
    }
    return true;
}

static VmStatus rd_name(Rd *r, char **out, uint32_t *lenout) {
    uint32_t n;
    VmStatus st = rd_u32(r, &n);
    if (st) return st;
    if (n > r->end - r->pos) return MALFORMED(r, "unexpected end of section or function");
    if (!vm_utf8_valid(r->b + r->pos, n)) return MALFORMED(r, "malformed UTF-8 encoding");
    if (out) {
        char *s = vm_alloc((size_t)n + 1);
        if (!s) return OOM(r);
        memcpy(s, r->b + r->pos, n);
        *out = s;
        *lenout = n;
    }
    r->pos += n;
    return VM_OK;
}

static bool is_valtype(uint8_t t) {
    return t == VM_I32 || t == VM_I64 || t == VM_F32 || t == VM_F64 || t == VM_FUNCREF ||
           t == VM_EXTERNREF;
}

static VmStatus rd_valtype(Rd *r, uint8_t *t) {
    VmStatus st = rd_byte(r, t);
    if (st) return st;
    if (!is_valtype(*t)) { r->pos--; return MALFORMED(r, "malformed value type"); }
    return VM_OK;
}

static VmStatus rd_reftype(Rd *r, uint8_t *t) {
    VmStatus st = rd_byte(r, t);
    if (st) return st;
    if (*t != VM_FUNCREF && *t != VM_EXTERNREF) { r->pos--; return MALFORMED(r, "malformed reference type"); }
    return VM_OK;
}

static VmStatus rd_limits(Rd *r, Limits *l) {
    uint8_t flag;
    VmStatus st = rd_byte(r, &flag);
    if (st) return st;
    /* the flag is a 1-bit LEB128: a continuation bit means too long, other bits too large */
    if (flag & 0x80) { r->pos--; return MALFORMED(r, "integer representation too long"); }
    if (flag > 1) { r->pos--; return MALFORMED(r, "integer too large"); }
    if ((st = rd_u32(r, &l->min))) return st;
    l->has_max = flag == 1;
    l->max = 0;
    if (l->has_max && (st = rd_u32(r, &l->max))) return st;
    return VM_OK;
}

static VmStatus rd_globaltype(Rd *r, uint8_t *t, bool *mut) {
    VmStatus st = rd_valtype(r, t);
    if (st) return st;
    uint8_t m;
    if ((st = rd_byte(r, &m))) return st;
    if (m > 1) { r->pos--; return MALFORMED(r, "malformed mutability"); }
    *mut = m == 1;
    return VM_OK;
}

/* Skips a constant expression up to and including its `end`; typing happens in validate.c. */
static VmStatus rd_expr(Rd *r, Expr *e) {
    e->off = (uint32_t)r->pos;
    VmStatus st;
    for (;;) {
        uint8_t op;
        uint64_t v;
        if ((st = rd_byte(r, &op))) return st;
        switch (op) {
        case 0x0b: e->len = (uint32_t)(r->pos - e->off); return VM_OK;
        case 0x41: if ((st = rd_leb(r, 32, true, &v))) return st; break;
        case 0x42: if ((st = rd_leb(r, 64, true, &v))) return st; break;
        case 0x43: if (r->end - r->pos < 4) return MALFORMED(r, "%s", END_MSG(r)); r->pos += 4; break;
        case 0x44: if (r->end - r->pos < 8) return MALFORMED(r, "%s", END_MSG(r)); r->pos += 8; break;
        case 0xd0: { uint8_t t; if ((st = rd_reftype(r, &t))) return st; break; }
        case 0xd2: case 0x23: if ((st = rd_leb(r, 32, false, &v))) return st; break;
        default:
            /* other instructions are well-formed but not constant: validation reports them */
            return vm_error(r->err, VM_INVALID, r->pos - 1, "constant expression required");
        }
    }
}

static VmStatus grow(void **arr, uint32_t n, size_t elem, Rd *r) {
    if (n == 0) return VM_OK;
    if (n > r->end - r->pos) /* each entry takes at least one byte */
        return MALFORMED(r, "unexpected end of section or function");
    void *p = vm_alloc((size_t)n * elem);
    if (!p) return OOM(r);
    *arr = p;
    return VM_OK;
}

static VmStatus sec_types(Rd *r, VmModule *m) {
    VmStatus st = rd_u32(r, &m->ntypes);
    if (st || (st = grow((void **)&m->types, m->ntypes, sizeof *m->types, r))) { m->ntypes = 0; return st; }
    for (uint32_t i = 0; i < m->ntypes; i++) {
        uint8_t form;
        if ((st = rd_byte(r, &form))) return st;
        if (form != 0x60) { r->pos--; return MALFORMED(r, "integer representation too long"); }
        uint32_t np, nr;
        if ((st = rd_u32(r, &np))) return st;
        if (np > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
        size_t ppos = r->pos;
        r->pos += np;
        if ((st = rd_u32(r, &nr))) return st;
        if (nr > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
        FuncType *t = &m->types[i];
        t->types = vm_alloc((size_t)np + nr);
        if (!t->types) return OOM(r);
        t->nparams = np; t->nresults = nr;
        size_t rpos = r->pos;
        r->pos = ppos;
        for (uint32_t k = 0; k < np; k++) if ((st = rd_valtype(r, &t->types[k]))) return st;
        r->pos = rpos;
        for (uint32_t k = 0; k < nr; k++) if ((st = rd_valtype(r, &t->types[np + k]))) return st;
    }
    return VM_OK;
}

static VmStatus sec_imports(Rd *r, VmModule *m) {
    VmStatus st = rd_u32(r, &m->nimports);
    if (st || (st = grow((void **)&m->imports, m->nimports, sizeof *m->imports, r))) { m->nimports = 0; return st; }
    for (uint32_t i = 0; i < m->nimports; i++) {
        Import *im = &m->imports[i];
        if ((st = rd_name(r, &im->module, &im->module_len)) || (st = rd_name(r, &im->name, &im->name_len))) return st;
        if ((st = rd_byte(r, &im->kind))) return st;
        switch (im->kind) {
        case VM_EXTERN_FUNC: st = rd_u32(r, &im->type); m->nfunc_imports++; break;
        case VM_EXTERN_TABLE:
            if (!(st = rd_reftype(r, &im->elem_type))) st = rd_limits(r, &im->lim);
            m->ntable_imports++;
            break;
        case VM_EXTERN_MEMORY: st = rd_limits(r, &im->lim); m->nmem_imports++; break;
        case VM_EXTERN_GLOBAL: st = rd_globaltype(r, &im->gtype, &im->gmut); m->nglobal_imports++; break;
        default: r->pos--; return MALFORMED(r, "malformed import kind");
        }
        if (st) return st;
    }
    return VM_OK;
}

static VmStatus sec_funcs(Rd *r, VmModule *m, uint32_t *nfuncs) {
    VmStatus st = rd_u32(r, nfuncs);
    if (st) return st;
    if (*nfuncs > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
    m->nfuncs = m->nfunc_imports + *nfuncs;
    m->func_type = vm_alloc(sizeof(uint32_t) * (m->nfuncs + 1));
    m->funcs = vm_alloc(sizeof(FuncDef) * (*nfuncs + 1));
    if (!m->func_type || !m->funcs) return OOM(r);
    for (uint32_t i = 0; i < *nfuncs; i++) {
        if ((st = rd_u32(r, &m->funcs[i].type))) return st;
        m->func_type[m->nfunc_imports + i] = m->funcs[i].type;
    }
    return VM_OK;
}

static VmStatus sec_tables(Rd *r, VmModule *m) {
    uint32_t n;
    VmStatus st = rd_u32(r, &n);
    if (st) return st;
    if (n > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
    m->ntables = m->ntable_imports + n;
    m->tables = vm_alloc(sizeof(TableDef) * (m->ntables + 1));
    if (!m->tables) return OOM(r);
    for (uint32_t i = 0; i < n; i++) {
        TableDef *t = &m->tables[m->ntable_imports + i];
        if ((st = rd_reftype(r, &t->type)) || (st = rd_limits(r, &t->lim))) return st;
    }
    return VM_OK;
}

static VmStatus sec_mems(Rd *r, VmModule *m) {
    uint32_t n;
    VmStatus st = rd_u32(r, &n);
    if (st) return st;
    if (n > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
    m->nmems = m->nmem_imports + n;
    m->mems = vm_alloc(sizeof(Limits) * (m->nmems + 1));
    if (!m->mems) return OOM(r);
    for (uint32_t i = 0; i < n; i++)
        if ((st = rd_limits(r, &m->mems[m->nmem_imports + i]))) return st;
    return VM_OK;
}

static VmStatus sec_globals(Rd *r, VmModule *m) {
    uint32_t n;
    VmStatus st = rd_u32(r, &n);
    if (st) return st;
    if (n > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
    m->nglobals = m->nglobal_imports + n;
    m->globals = vm_alloc(sizeof(GlobalDef) * (m->nglobals + 1));
    if (!m->globals) return OOM(r);
    for (uint32_t i = 0; i < n; i++) {
        GlobalDef *g = &m->globals[m->nglobal_imports + i];
        if ((st = rd_globaltype(r, &g->type, &g->mut)) || (st = rd_expr(r, &g->init))) return st;
    }
    return VM_OK;
}

static VmStatus sec_exports(Rd *r, VmModule *m) {
    VmStatus st = rd_u32(r, &m->nexports);
    if (st || (st = grow((void **)&m->exports, m->nexports, sizeof *m->exports, r))) { m->nexports = 0; return st; }
    for (uint32_t i = 0; i < m->nexports; i++) {
        Export *e = &m->exports[i];
        if ((st = rd_name(r, &e->name, &e->name_len)) || (st = rd_byte(r, &e->kind))) return st;
        if (e->kind > 3) { r->pos--; return MALFORMED(r, "malformed export kind"); }
        if ((st = rd_u32(r, &e->idx))) return st;
    }
    return VM_OK;
}

static VmStatus sec_elems(Rd *r, VmModule *m) {
    VmStatus st = rd_u32(r, &m->nelems);
    if (st || (st = grow((void **)&m->elems, m->nelems, sizeof *m->elems, r))) { m->nelems = 0; return st; }
    for (uint32_t i = 0; i < m->nelems; i++) {
        ElemSeg *e = &m->elems[i];
        uint32_t flags;
        if ((st = rd_u32(r, &flags))) return st;
        if (flags > 7) return MALFORMED(r, "malformed elements segment kind");
        e->mode = (flags & 1) ? ((flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE) : SEG_ACTIVE;
        e->type = VM_FUNCREF;
        if (flags & 2 && !(flags & 1)) { if ((st = rd_u32(r, &e->table))) return st; }
        if (!(flags & 1)) { if ((st = rd_expr(r, &e->offset))) return st; }
        if (flags & 3) { /* explicit elemkind / reftype */
            if (flags & 4) { if ((st = rd_reftype(r, &e->type))) return st; }
            else {
                uint8_t k;
                if ((st = rd_byte(r, &k))) return st;
                if (k != 0) { r->pos--; return MALFORMED(r, "malformed element kind"); }
            }
        }
        if ((st = rd_u32(r, &e->count))) return st;
        if (e->count > r->end - r->pos) return MALFORMED(r, "%s", END_MSG(r));
        if (flags & 4) {
            e->inits = vm_alloc(sizeof(Expr) * (e->count + 1));
            if (!e->inits) return OOM(r);
            for (uint32_t k = 0; k < e->count; k++) if ((st = rd_expr(r, &e->inits[k]))) return st;
        } else {
            e->funcs = vm_alloc(sizeof(uint32_t) * (e->count + 1));
            if (!e->funcs) return OOM(r);
            for (uint32_t k = 0; k < e->count; k++) if ((st = rd_u32(r, &e->funcs[k]))) return st;
        }
    }
    return VM_OK;
}

static VmStatus sec_code(Rd *r, VmModule *m, uint32_t nfuncs) {
    uint32_t n;
    VmStatus st = rd_u32(r, &n);
    if (st) return st;
    if (n != nfuncs) return MALFORMED(r, "function and code section have inconsistent lengths");
    for (uint32_t i = 0; i < n; i++) {
        FuncDef *f = &m->funcs[i];
        uint32_t size;
        if ((st = rd_u32(r, &size))) return st;
        if (size > r->end - r->pos) return MALFORMED(r, "unexpected end of section or function");
        Rd b = { r->b, r->pos, r->pos + size, r->err, true };
        uint32_t ngroups;
        if ((st = rd_u32(&b, &ngroups))) return st;
        const FuncType *t = f->type < m->ntypes ? &m->types[f->type] : NULL;
        uint64_t total = t ? t->nparams : 0;
        size_t groups_at = b.pos;
        for (uint32_t g = 0; g < ngroups; g++) {
            uint32_t cnt;
            uint8_t ty;
            if ((st = rd_u32(&b, &cnt)) || (st = rd_valtype(&b, &ty))) return st;
            total += cnt;
            if (total > 0xffffffffu) return MALFORMED(&b, "too many locals");
        }
        if (total > VM_MAX_LOCALS)
            return vm_error(r->err, VM_LIMIT, b.pos, "too many locals in function %u (limit is %d)",
                            m->nfunc_imports + i, VM_MAX_LOCALS);
        f->nlocals = (uint32_t)total;
        f->local_types = vm_alloc(total + 1);
        if (!f->local_types) return OOM(r);
        uint32_t k = 0;
        if (t) for (; k < t->nparams; k++) f->local_types[k] = t->types[k];
        b.pos = groups_at;
        for (uint32_t g = 0; g < ngroups; g++) {
            uint32_t cnt;
            uint8_t ty;
            rd_u32(&b, &cnt);
            rd_valtype(&b, &ty);
            for (uint32_t c = 0; c < cnt; c++) f->local_types[k++] = ty;
        }
        f->body_off = (uint32_t)b.pos;
        f->body_len = (uint32_t)(b.end - b.pos);
        r->pos += size;
    }
    return VM_OK;
}

static VmStatus sec_datas(Rd *r, VmModule *m) {
    VmStatus st = rd_u32(r, &m->ndatas);
    if (st) { m->ndatas = 0; return st; }
    if (m->has_datacount && m->datacount != m->ndatas)
        return MALFORMED(r, "data count and data section have inconsistent lengths");
    if ((st = grow((void **)&m->datas, m->ndatas, sizeof *m->datas, r))) { m->ndatas = 0; return st; }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        DataSeg *d = &m->datas[i];
        uint32_t flags, mem = 0;
        if ((st = rd_u32(r, &flags))) return st;
        if (flags > 2) return MALFORMED(r, "malformed data segment kind");
        d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        if (flags == 2 && (st = rd_u32(r, &mem))) return st;
        if (mem != 0) return vm_error(r->err, VM_INVALID, r->pos, "unknown memory %u", mem);
        if (flags != 1 && (st = rd_expr(r, &d->offset))) return st;
        if ((st = rd_u32(r, &d->len))) return st;
        if (d->len > r->end - r->pos) return MALFORMED(r, "unexpected end of section or function");
        d->off = (uint32_t)r->pos;
        r->pos += d->len;
    }
    return VM_OK;
}

/* Section ids in their required order (data count sits between element and code). */
static int section_rank(uint8_t id) {
    static const int rank[13] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10 };
    return rank[id];
}

VmStatus vm_decode(VmStore *s, VmModule *m, VmError *err) {
    (void)s;
    Rd r = { m->bytes, 0, m->len, err, false };
    VmStatus st = VM_OK;
    static const uint8_t magic[4] = { 0, 'a', 's', 'm' };
    if (m->len < 4) return MALFORMED(&r, "unexpected end");
    if (m->len < 4 || memcmp(m->bytes, magic, 4) != 0)
        return MALFORMED(&r, "magic header not detected");
    if (m->len < 8) { r.pos = 4; return MALFORMED(&r, "unexpected end"); }
    if (m->bytes[4] != 1 || m->bytes[5] || m->bytes[6] || m->bytes[7]) {
        r.pos = 4;
        return MALFORMED(&r, "unknown binary version");
    }
    r.pos = 8;
    int last = 0;
    uint32_t nfuncs = 0;
    bool have_code = false;
    while (r.pos < r.end) {
        uint8_t id;
        uint32_t size;
        TRY(rd_byte(&r, &id));
        if (id > 12) { r.pos--; return MALFORMED(&r, "malformed section id"); }
        TRY(rd_u32(&r, &size));
        if (size > r.end - r.pos) return MALFORMED(&r, "length out of bounds");
        Rd sr = { r.b, r.pos, r.pos + size, err, true };
        if (id != 0) {
            int rank = section_rank(id);
            if (rank <= last) return MALFORMED(&r, "unexpected content after last section");
            last = rank;
        }
        switch (id) {
        case 0: TRY(rd_name(&sr, NULL, NULL)); sr.pos = sr.end; break;
        case 1: TRY(sec_types(&sr, m)); break;
        case 2: TRY(sec_imports(&sr, m)); break;
        case 3: TRY(sec_funcs(&sr, m, &nfuncs)); break;
        case 4: TRY(sec_tables(&sr, m)); break;
        case 5: TRY(sec_mems(&sr, m)); break;
        case 6: TRY(sec_globals(&sr, m)); break;
        case 7: TRY(sec_exports(&sr, m)); break;
        case 8: { uint32_t f; TRY(rd_u32(&sr, &f)); m->start = f; break; }
        case 9: TRY(sec_elems(&sr, m)); break;
        case 10: TRY(sec_code(&sr, m, nfuncs)); have_code = true; break;
        case 11: TRY(sec_datas(&sr, m)); break;
        case 12: TRY(rd_u32(&sr, &m->datacount)); m->has_datacount = true; break;
        }
        if (sr.pos != sr.end) return MALFORMED(&sr, "section size mismatch");
        r.pos = sr.end;
    }
    if (nfuncs && !have_code) return MALFORMED(&r, "function and code section have inconsistent lengths");
    if (m->has_datacount && m->datacount != m->ndatas && !m->datas)
        return MALFORMED(&r, "data count and data section have inconsistent lengths");
    /* fill the index spaces that sections left empty, then copy imported entries in */
    if (!m->func_type) {
        m->nfuncs = m->nfunc_imports;
        if (!(m->func_type = vm_alloc(sizeof(uint32_t) * (m->nfuncs + 1)))) return OOM(&r);
    }
    if (!m->funcs && !(m->funcs = vm_alloc(sizeof(FuncDef)))) return OOM(&r);
    if (!m->tables) { m->ntables = m->ntable_imports; if (!(m->tables = vm_alloc(sizeof(TableDef) * (m->ntables + 1)))) return OOM(&r); }
    if (!m->mems) { m->nmems = m->nmem_imports; if (!(m->mems = vm_alloc(sizeof(Limits) * (m->nmems + 1)))) return OOM(&r); }
    if (!m->globals) { m->nglobals = m->nglobal_imports; if (!(m->globals = vm_alloc(sizeof(GlobalDef) * (m->nglobals + 1)))) return OOM(&r); }
    uint32_t fi = 0, ti = 0, mi = 0, gi = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        Import *im = &m->imports[i];
        switch (im->kind) {
        case VM_EXTERN_FUNC: m->func_type[fi++] = im->type; break;
        case VM_EXTERN_TABLE: m->tables[ti].type = im->elem_type; m->tables[ti++].lim = im->lim; break;
        case VM_EXTERN_MEMORY: m->mems[mi++] = im->lim; break;
        case VM_EXTERN_GLOBAL: m->globals[gi].type = im->gtype; m->globals[gi++].mut = im->gmut; break;
        }
    }
    return VM_OK;
fail:
    return st;
}

void vm_module_release(VmModule *m) {
    if (!m) return;
    for (uint32_t i = 0; i < m->ntypes; i++) vm_free(m->types[i].types);
    for (uint32_t i = 0; i < m->nimports; i++) { vm_free(m->imports[i].module); vm_free(m->imports[i].name); }
    for (uint32_t i = 0; i < m->nexports; i++) vm_free(m->exports[i].name);
    for (uint32_t i = 0; i < m->nelems; i++) { vm_free(m->elems[i].inits); vm_free(m->elems[i].funcs); }
    if (m->funcs)
        for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++) {
            vm_free(m->funcs[i].local_types);
            vm_free(m->funcs[i].code.words);
        }
    vm_free(m->types); vm_free(m->imports); vm_free(m->exports); vm_free(m->elems);
    vm_free(m->funcs); vm_free(m->func_type); vm_free(m->tables); vm_free(m->mems);
    vm_free(m->globals); vm_free(m->datas); vm_free(m->declared); vm_free(m->bytes); vm_free(m);
}
