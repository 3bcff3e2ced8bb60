/* base.c — arenas, source files and spans, the diagnostic sink and the name interner:
 * the plumbing every compiler stage shares (declared in base.h). */
#include "base.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- arenas ---------------- */
struct ArenaChunk {
    ArenaChunk *next;
    size_t size, used;
    uint32_t refs;       /* pool chunks: the regions that allocated in it and are alive */
    _Alignas(16) unsigned char data[];
};

enum { ARENA_CHUNK = 64 * 1024 };

static void *xmalloc(size_t n) {
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "writ: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

/* Freed standard-size chunks are kept for the next arena of this thread (up to a cap), so
 * a process that compiles many files in turn (the CLI over several files, the benchmark,
 * the fuzzers) reuses warm memory instead of faulting fresh pages in for every file. */
enum { ARENA_CACHE_MAX = 256 }; /* 16 MiB */
static _Thread_local ArenaChunk *chunk_cache;
static _Thread_local int chunk_cache_len;

static ArenaChunk *chunk_new(size_t cap) {
    if (cap == ARENA_CHUNK && chunk_cache) {
        ArenaChunk *c = chunk_cache;
        chunk_cache = c->next;
        chunk_cache_len--;
        return c;
    }
    return xmalloc(sizeof(ArenaChunk) + cap);
}

static _Thread_local size_t live_bytes, peak_bytes;

size_t arena_live_bytes(void) { return live_bytes; }
size_t arena_peak_bytes(void) { return peak_bytes; }
void arena_peak_reset(void) { peak_bytes = live_bytes; }

void arena_init(Arena *a) { memset(a, 0, sizeof *a); }

/* Regions. A function's tree lives in a region freed once the function is lowered, and
 * thousands of small regions are alive at once. Chunks of their own would waste each one's
 * tail (87 bytes per source line on the frontend benchmark) and, once freed, be too small
 * for the IR's standard chunks that take their place. So every region bumps through one
 * shared sequence of standard chunks, the pool: a pool chunk counts the regions that
 * allocated in it and goes back to the chunk cache (where the IR's arena finds it) when
 * the last of them is freed. Functions are lowered in about the order they were parsed,
 * so pool chunks empty in order and the memory the tree gives back is the memory the IR
 * takes. A region's Arena keeps in `head` a list of RegionRefs (in the pool too), one per
 * chunk it allocated in, newest first; a block too big for a pool chunk gets a chunk of
 * its own, referenced the same way. */
typedef struct RegionRef {
    struct RegionRef *next;
    ArenaChunk *chunk;
} RegionRef;

static _Thread_local ArenaChunk *pool; /* the pool chunk regions allocate in now */

/* A chunk nobody uses any more: kept for reuse (poisoned in ASan builds, so a read through
 * a stale pointer traps) or freed. */
static void chunk_release(ArenaChunk *c) {
    if (c->size == ARENA_CHUNK && chunk_cache_len < ARENA_CACHE_MAX) {
#ifdef WRIT_ASAN
        ASAN_POISON_MEMORY_REGION(c->data, c->size);
#endif
        c->next = chunk_cache;
        chunk_cache = c;
        chunk_cache_len++;
    } else {
#ifdef WRIT_ASAN
        ASAN_UNPOISON_MEMORY_REGION(c->data, c->size);
#endif
        free(c);
    }
}

static ArenaChunk *chunk_fresh(size_t cap) {
    ArenaChunk *c = chunk_new(cap);
#ifdef WRIT_ASAN
    ASAN_UNPOISON_MEMORY_REGION(c->data, cap);
#endif
    c->next = NULL;
    c->size = cap;
    c->used = 0;
    c->refs = 0;
    return c;
}

void arena_init_region(Arena *a) {
    memset(a, 0, sizeof *a);
    a->region = true;
}

/* Bytes handed out, for the memory benchmark (a region's refs count too). */
static void count_bytes(Arena *a, size_t bytes) {
    a->used_total += bytes;
    live_bytes += bytes;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
}

/* `bytes` from the pool chunk for region a: a new pool chunk when this one is full (the
 * old one given back if no region is left in it), and a ref when a has not allocated in
 * this chunk yet. */
static void *pool_bump(Arena *a, size_t bytes) {
    RegionRef *last = (RegionRef *)a->head;
    bool has = last && last->chunk == pool;
    if (!pool || pool->size - pool->used < bytes + (has ? 0 : sizeof(RegionRef))) {
        if (pool && pool->refs == 0)
            chunk_release(pool);
        pool = chunk_fresh(ARENA_CHUNK);
        has = false;
    }
    if (!has) {
        RegionRef *r = (RegionRef *)(pool->data + pool->used);
        pool->used += sizeof *r;
        *r = (RegionRef){last, pool};
        pool->refs++;
        a->head = (ArenaChunk *)r;
        count_bytes(a, sizeof *r);
    }
    void *p = pool->data + pool->used;
    pool->used += bytes;
    return p;
}

static void *region_alloc(Arena *a, size_t size) {
    if (size <= ARENA_CHUNK / 4)
        return pool_bump(a, size);
    /* a big block: a chunk of its own, referenced like a pool chunk */
    RegionRef *r = pool_bump(a, sizeof *r);
    ArenaChunk *c = chunk_fresh(size);
    c->used = size;
    c->refs = 1;
    *r = (RegionRef){(RegionRef *)a->head, c};
    a->head = (ArenaChunk *)r;
    count_bytes(a, sizeof *r);
    return c->data;
}

/* Drops region a's refs; a chunk whose last region this was is given back (not the pool's
 * current chunk: regions go on allocating in it). Each ref is read before its chunk can go:
 * a ref lives in the chunk it names or in a newer one, and the list runs newest first. */
static void region_free(Arena *a) {
    for (RegionRef *r = (RegionRef *)a->head; r;) {
        RegionRef *next = r->next;
        ArenaChunk *c = r->chunk;
        if (--c->refs == 0 && c != pool)
            chunk_release(c);
        r = next;
    }
}

void arena_free(Arena *a) {
    if (a->region) {
        region_free(a);
    } else {
        for (ArenaChunk *c = a->head, *n; c; c = n) {
            n = c->next;
            chunk_release(c);
        }
    }
    a->head = NULL;
    live_bytes -= a->used_total;
    a->used_total = 0;
}

void *arena_alloc(Arena *a, size_t size) {
    size = (size + 7) & ~(size_t)7; /* 8 bytes: the most any node needs (pointers, U256 limbs) */
    void *p;
    if (a->region) {
        p = region_alloc(a, size);
    } else {
        ArenaChunk *c = a->head;
        if (!c || c->size - c->used < size) {
            size_t cap = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
            c = chunk_fresh(cap);
            /* A big one-off block goes behind the current chunk so its tail stays usable. */
            if (cap != ARENA_CHUNK && a->head) {
                c->next = a->head->next;
                a->head->next = c;
            } else {
                c->next = a->head;
                a->head = c;
            }
        }
        p = c->data + c->used;
        c->used += size;
    }
    count_bytes(a, size);
#ifdef WRIT_ASAN
    ASAN_UNPOISON_MEMORY_REGION(p, size);
#endif
    memset(p, 0, size);
    return p;
}

void *arena_alloc_part(Arena *a, size_t size, size_t full) {
#ifdef WRIT_ASAN
    char *p = arena_alloc(a, full);
    size = (size + 7) & ~(size_t)7;
    if (size < full)
        ASAN_POISON_MEMORY_REGION(p + size, full - size);
    return p;
#else
    (void)full;
    return arena_alloc(a, size);
#endif
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void *arena_grow(Arena *a, void *items, int len, int *cap, size_t elem, int first) {
    if (len < *cap)
        return items;
    int n = *cap ? 2 * *cap : first;
    void *x = arena_alloc(a, elem * (size_t)n);
    if (len)
        memcpy(x, items, elem * (size_t)len);
    *cap = n;
    return x;
}

void ptrvec_push(Arena *a, PtrVec *v, void *item) {
    v->items = arena_grow(a, v->items, v->len, &v->cap, sizeof *v->items, 8);
    v->items[v->len++] = item;
}

/* ---------------- source files ---------------- */
int src_add(SrcSet *set, const char *path, const char *text, size_t len) {
    if (set->count + 1 >= set->cap) {
        int cap = set->cap ? set->cap * 2 : 8;
        SrcFile **files = realloc(set->files, sizeof(SrcFile *) * (size_t)cap);
        if (!files)
            abort();
        if (!set->files)
            files[0] = NULL;
        set->files = files;
        set->cap = cap;
    }
    SrcFile *f = calloc(1, sizeof *f);
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = 0;
    char *p = xmalloc(strlen(path) + 1);
    strcpy(p, path);
    f->path = p;
    f->text = copy;
    f->len = (uint32_t)len;
    f->id = ++set->count;
    set->files[f->id] = f;
    return f->id;
}

int src_load(SrcSet *set, const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    size_t cap = 4096, len = 0;
    char *buf = xmalloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb)
                abort();
            buf = nb;
        }
    }
    bool err = ferror(fp);
    fclose(fp);
    if (err || len > UINT32_MAX - 1) {
        free(buf);
        return -1;
    }
    int id = src_add(set, path, buf, len);
    free(buf);
    return id;
}

SrcFile *src_get(const SrcSet *set, int id) {
    if (!set || id <= 0 || id > set->count)
        return NULL;
    return set->files[id];
}

static void src_index_lines(SrcFile *f) {
    uint32_t n = 1;
    for (uint32_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            n++;
    f->line_starts = xmalloc(sizeof(uint32_t) * n);
    f->line_count = n;
    uint32_t k = 0;
    f->line_starts[k++] = 0;
    for (uint32_t i = 0; i < f->len; i++)
        if (f->text[i] == '\n')
            f->line_starts[k++] = i + 1;
}

void src_line_col(SrcFile *f, uint32_t offset, uint32_t *line, uint32_t *col) {
    if (!f->line_starts)
        src_index_lines(f);
    if (offset > f->len)
        offset = f->len;
    uint32_t lo = 0, hi = f->line_count; /* last line start <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    *line = lo + 1;
    *col = offset - f->line_starts[lo] + 1;
}

void srcset_free(SrcSet *set) {
    for (int i = 1; i <= set->count; i++) {
        SrcFile *f = set->files[i];
        free((void *)f->path);
        free((void *)f->text);
        free(f->line_starts);
        free(f);
    }
    free(set->files);
    memset(set, 0, sizeof *set);
}

/* ---------------- diagnostics ---------------- */
void diag_init(DiagSink *d, SrcSet *srcs) {
    memset(d, 0, sizeof *d);
    d->srcs = srcs;
    d->max_errors = 100;
}

static void diag_free_list(Diag *x) {
    while (x) {
        Diag *n = x->next;
        diag_free_list(x->notes);
        free(x->msg);
        free(x);
        x = n;
    }
}

void diag_free(DiagSink *d) {
    diag_free_list(d->first);
    d->first = d->last = NULL;
}

static Diag *diag_make(DiagLevel level, Span sp, const char *fmt, va_list ap) {
    Diag *x = calloc(1, sizeof *x);
    if (!x)
        abort();
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    x->msg = xmalloc((size_t)n + 1);
    vsnprintf(x->msg, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    x->level = level;
    x->span = sp;
    return x;
}

static Diag *diag_push(DiagSink *d, Diag *x) {
    if (d->last)
        d->last->next = x;
    else
        d->first = x;
    d->last = x;
    return x;
}

/* Past max_errors the diagnostic is still built (callers may attach notes) but not kept. */
static Diag diag_overflow;

Diag *diag_error(DiagSink *d, Span sp, const char *fmt, ...) {
    d->errors++;
    if (d->errors > d->max_errors) {
        return &diag_overflow;
    }
    va_list ap;
    va_start(ap, fmt);
    Diag *x = diag_make(DIAG_ERROR, sp, fmt, ap);
    va_end(ap);
    return diag_push(d, x);
}

Diag *diag_warning(DiagSink *d, Span sp, const char *fmt, ...) {
    d->warnings++;
    if (d->warnings > d->max_errors)
        return &diag_overflow;
    va_list ap;
    va_start(ap, fmt);
    Diag *x = diag_make(DIAG_WARNING, sp, fmt, ap);
    va_end(ap);
    return diag_push(d, x);
}

void diag_note(DiagSink *d, Diag *parent, Span sp, const char *fmt, ...) {
    (void)d;
    if (!parent || parent == &diag_overflow)
        return;
    va_list ap;
    va_start(ap, fmt);
    Diag *x = diag_make(DIAG_NOTE, sp, fmt, ap);
    va_end(ap);
    Diag **tail = &parent->notes;
    while (*tail)
        tail = &(*tail)->next;
    *tail = x;
}

static const char *level_name(DiagLevel l) {
    return l == DIAG_ERROR ? "error" : l == DIAG_WARNING ? "warning" : "note";
}

/* Prints the source line with control bytes and invalid UTF-8 shown as '?' so that a
 * caret lines up and garbage input cannot disturb the terminal. */
static void print_one(DiagSink *d, Diag *x, FILE *out) {
    SrcFile *f = src_get(d->srcs, x->span.file);
    if (!f) {
        fprintf(out, "writ: %s: %s\n", level_name(x->level), x->msg);
        return;
    }
    /* A span past the end of its file (from IR text naming a shorter source) is clamped,
     * so the arithmetic below never wraps. */
    Span sp = x->span;
    if (sp.start > f->len)
        sp.start = f->len;
    if (sp.end > f->len || sp.end < sp.start)
        sp.end = sp.start;
    uint32_t line, col;
    src_line_col(f, sp.start, &line, &col);
    fprintf(out, "%s:%u:%u: %s: %s\n", f->path, line, col, level_name(x->level), x->msg);
    uint32_t ls = f->line_starts[line - 1];
    uint32_t le = ls;
    while (le < f->len && f->text[le] != '\n')
        le++;
    if (le > ls && f->text[le - 1] == '\r') /* CRLF files: the CR is part of the line end */
        le--;
    enum { MAX_SHOWN = 200 };
    uint32_t show_from = ls;
    if (sp.start - ls > MAX_SHOWN / 2)
        show_from = sp.start - MAX_SHOWN / 2;
    uint32_t show_to = le - show_from > MAX_SHOWN ? show_from + MAX_SHOWN : le;
    fputs("  ", out);
    for (uint32_t i = show_from; i < show_to; i++) {
        unsigned char c = (unsigned char)f->text[i];
        fputc(c == '\t' ? ' ' : (c < 0x20 || c >= 0x7f) ? '?' : c, out);
    }
    fputs("\n  ", out);
    uint32_t start = sp.start < show_from ? show_from : sp.start;
    for (uint32_t i = show_from; i < start; i++)
        fputc(' ', out);
    uint32_t end = sp.end > show_to ? show_to : sp.end;
    fputc('^', out);
    for (uint32_t i = start + 1; i < end; i++)
        fputc('~', out);
    fputc('\n', out);
}

void diag_print(DiagSink *d, FILE *out) {
    for (Diag *x = d->first; x; x = x->next) {
        print_one(d, x, out);
        for (Diag *n = x->notes; n; n = n->next)
            print_one(d, n, out);
    }
    if (d->errors > d->max_errors)
        fprintf(out, "writ: too many errors (%d); showing the first %d\n", d->errors,
                d->max_errors);
}

static int diag_cmp(const Diag *a, const Diag *b) {
    if (a->span.file != b->span.file)
        return a->span.file < b->span.file ? -1 : 1;
    if (a->span.start != b->span.start)
        return a->span.start < b->span.start ? -1 : 1;
    return 0;
}

void diag_sort(DiagSink *d) {
    /* insertion into a new list keeps equal keys in report order (stable) */
    Diag *sorted = NULL;
    Diag *x = d->first;
    while (x) {
        Diag *next = x->next;
        Diag **pp = &sorted;
        while (*pp && diag_cmp(*pp, x) <= 0)
            pp = &(*pp)->next;
        x->next = *pp;
        *pp = x;
        x = next;
    }
    d->first = sorted;
    d->last = NULL;
    for (Diag *y = sorted; y; y = y->next)
        d->last = y;
}

/* ---------------- interner: open addressing, FNV-1a ---------------- */
typedef struct InternEntry {
    const char *s;
    size_t len;
    uint64_t hash;
} InternEntry;

struct Interner {
    InternEntry *slots;
    size_t cap, count;
    Arena arena;
};

Interner *intern_new(void) {
    Interner *in = calloc(1, sizeof *in);
    if (!in)
        abort();
    in->cap = 1024;
    in->slots = calloc(in->cap, sizeof(InternEntry));
    if (!in->slots)
        abort();
    arena_init(&in->arena);
    return in;
}

void intern_free(Interner *in) {
    if (!in)
        return;
    free(in->slots);
    arena_free(&in->arena);
    free(in);
}

static uint64_t fnv1a(const char *s, size_t len) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

const char *intern(Interner *in, const char *s, size_t len) {
    if (in->count * 2 >= in->cap) {
        size_t cap = in->cap * 2;
        InternEntry *slots = calloc(cap, sizeof(InternEntry));
        if (!slots)
            abort();
        for (size_t i = 0; i < in->cap; i++) {
            if (!in->slots[i].s)
                continue;
            size_t j = in->slots[i].hash & (cap - 1);
            while (slots[j].s)
                j = (j + 1) & (cap - 1);
            slots[j] = in->slots[i];
        }
        free(in->slots);
        in->slots = slots;
        in->cap = cap;
    }
    uint64_t h = fnv1a(s, len);
    size_t j = h & (in->cap - 1);
    while (in->slots[j].s) {
        InternEntry *e = &in->slots[j];
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
            return e->s;
        j = (j + 1) & (in->cap - 1);
    }
    const char *copy = arena_strndup(&in->arena, s, len);
    in->slots[j] = (InternEntry){copy, len, h};
    in->count++;
    return copy;
}
