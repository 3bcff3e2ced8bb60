/* base.h — what every compiler stage shares: arenas, source spans, diagnostics,
 * interned strings and 256-bit integers. Included through ir/ir.h and frontend/frontend.h;
 * the VM does not use it (it has its own allocation hook). */
#ifndef WRIT_BASE_H
#define WRIT_BASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WRIT_VERSION "0.1.0"

/* ---------- arenas: compiler memory is never freed object by object ---------- */
/* In AddressSanitizer builds arena users may poison bytes of a block that must not be
 * read (the frontend does for the fields an expression kind does not own); arena_alloc
 * unpoisons what it hands out. */
#if defined(__SANITIZE_ADDRESS__)
#define WRIT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WRIT_ASAN 1
#endif
#endif
#ifdef WRIT_ASAN
#include <sanitizer/asan_interface.h>
#endif

typedef struct ArenaChunk ArenaChunk;
typedef struct Arena {
    ArenaChunk *head;
    size_t used_total; /* bytes handed out, for the memory benchmark */
    bool region;       /* arena_init_region: allocates in the shared pool (base.c) */
} Arena;

void arena_init(Arena *a);
/* An arena for a small region freed early (a function's tree): regions share one sequence
 * of standard chunks, each chunk given back when the last region in it is freed, so a
 * thousand small regions alive at once waste no chunk tails and what they free is reused
 * by the arenas that grow after them (base.c says how). */
void arena_init_region(Arena *a);
void arena_free(Arena *a);                 /* frees every chunk at once */
void *arena_alloc(Arena *a, size_t size);  /* zeroed, 8-byte aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
/* The first `size` bytes of an object whose type is `full` bytes long, for nodes
 * allocated only up to their kind's last field: zeroed like arena_alloc. In ASan builds
 * all `full` bytes are allocated and the tail is poisoned, so reading a field the kind
 * does not have traps in the tests. */
void *arena_alloc_part(Arena *a, size_t size, size_t full);
/* Bytes handed out by every arena of this thread and not freed yet, and the most there
 * were since arena_peak_reset (which starts the peak at the present live bytes): what the
 * memory benchmark reports, scratch arenas included. */
size_t arena_live_bytes(void);
size_t arena_peak_bytes(void);
void arena_peak_reset(void);
#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (size_t)(n)))

/* Makes room for one more element in an arena-backed array of `len` elements of `elem`
 * bytes and capacity *cap, doubling it (from `first`) when full; the old storage is
 * abandoned. Returns the array, moved or not. */
void *arena_grow(Arena *a, void *items, int len, int *cap, size_t elem, int first);

/* Growable array of pointers, backed by an arena (old storage is abandoned on growth). */
typedef struct PtrVec {
    void **items;
    int len, cap;
} PtrVec;
void ptrvec_push(Arena *a, PtrVec *v, void *item);

/* ---------- source files and spans ---------- */
typedef struct SrcFile {
    const char *path;   /* as given on the command line / import path */
    const char *text;   /* NUL-terminated copy of the contents */
    uint32_t len;
    uint32_t *line_starts; /* computed lazily by src_line_col */
    uint32_t line_count;
    int id;
} SrcFile;

/* A half-open byte range [start, end) in one file. file == 0 means "no location". */
typedef struct Span {
    uint16_t file;   /* index into the SrcSet, 1-based */
    uint32_t start, end;
} Span;

typedef struct SrcSet {
    SrcFile **files;  /* files[0] unused */
    int count, cap;
} SrcSet;

int src_add(SrcSet *set, const char *path, const char *text, size_t len); /* -> file id */
int src_load(SrcSet *set, const char *path); /* reads a file; -1 if it cannot be read */
SrcFile *src_get(const SrcSet *set, int id);
void src_line_col(SrcFile *f, uint32_t offset, uint32_t *line, uint32_t *col); /* 1-based */
void srcset_free(SrcSet *set);

/* ---------- diagnostics: errors are values that go into a sink ---------- */
typedef enum DiagLevel { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } DiagLevel;

typedef struct Diag {
    DiagLevel level;
    Span span;
    char *msg;
    struct Diag *notes; /* linked "note:" diagnostics attached to this one */
    struct Diag *next;
} Diag;

typedef struct DiagSink {
    SrcSet *srcs;
    Diag *first, *last;
    int errors, warnings;
    int max_errors;     /* stop recording after this many errors (default 100) */
} DiagSink;

void diag_init(DiagSink *d, SrcSet *srcs);
void diag_free(DiagSink *d);
Diag *diag_error(DiagSink *d, Span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
Diag *diag_warning(DiagSink *d, Span sp, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_note(DiagSink *d, Diag *parent, Span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints every diagnostic in the order reported: "file:line:col: error: msg", the source
 * line and a caret under the span. Sorting is the caller's choice (diag_sort). */
void diag_print(DiagSink *d, FILE *out);
void diag_sort(DiagSink *d); /* stable sort by file, then offset */

/* ---------- interned identifiers: equal names are equal pointers ---------- */
typedef struct Interner Interner;
Interner *intern_new(void);
void intern_free(Interner *in);
const char *intern(Interner *in, const char *s, size_t len);

/* ---------- 256-bit integers (two's complement, little-endian 64-bit limbs) ---------- */
typedef struct U256 {
    uint64_t w[4];
} U256;

U256 u256_from_u64(uint64_t v);
bool u256_is_zero(U256 a);
bool u256_eq(U256 a, U256 b);
int u256_cmp(U256 a, U256 b);  /* unsigned */
int i256_cmp(U256 a, U256 b);  /* signed */
U256 u256_add(U256 a, U256 b, bool *carry);
U256 u256_sub(U256 a, U256 b, bool *borrow);
U256 u256_mul(U256 a, U256 b, bool *overflow); /* overflow: high half non-zero */
U256 u256_udiv(U256 a, U256 b, U256 *rem);     /* b != 0 */
U256 u256_sdiv(U256 a, U256 b, U256 *rem);     /* b != 0, truncating toward zero */
U256 u256_and(U256 a, U256 b);
U256 u256_or(U256 a, U256 b);
U256 u256_xor(U256 a, U256 b);
U256 u256_not(U256 a);
U256 u256_neg(U256 a);
U256 u256_shl(U256 a, unsigned n);
U256 u256_lshr(U256 a, unsigned n);
U256 u256_ashr(U256 a, unsigned n);
/* Truncates to `bits` and then zero- or sign-extends back to 256. */
U256 u256_trunc(U256 a, unsigned bits, bool is_signed);
/* Does `a` (read as a 256-bit value of the given signedness) fit in `bits` bits? */
bool u256_fits(U256 a, unsigned bits, bool is_signed);
/* Parses decimal or 0x-hex with optional '_' separators. false on overflow/bad digit. */
bool u256_parse(const char *s, size_t len, U256 *out);
/* Writes decimal (signed: with '-' when negative as a signed 256-bit value); buf >= 80. */
void u256_to_dec(U256 a, bool is_signed, char *buf);
void u256_to_hex(U256 a, char *buf); /* "0x..." minimal digits; buf >= 68 */
uint64_t u256_low64(U256 a);
unsigned u256_bit_length(U256 a);

#endif
