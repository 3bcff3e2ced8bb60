/* wat_int.h — internal header of the WAT reader (wat.c parses, wat_lex.c tokenises and reads
 * literals): tokens, buffers, index spaces and the parser state shared by both. */
#ifndef WRIT_VM_WAT_INT_H
#define WRIT_VM_WAT_INT_H

#include "vm/vm_int.h"
#include "vm/wat.h"

enum { WAT_MAX_DEPTH = 1000 }; /* nesting of parentheses and blocks */

typedef enum { T_LP, T_RP, T_ATOM, T_STR, T_EOF } TokKind;
typedef struct { TokKind kind; uint32_t off, len; } Tok;

typedef struct { uint8_t *p; size_t n, cap; bool oom; } Buf;

typedef struct { const char *s; uint32_t len; } Name;           /* an $id, len 0 if none */
/* An index space: names by index, plus an open-addressing table of the named ones (slot =
 * index + 1, 0 = empty) so that lookups stay linear in the module's size. */
typedef struct { Name *v; uint32_t n, cap; uint32_t *slots; uint32_t nslots, nnamed; } Space;
typedef struct { uint32_t np, nr; uint8_t t[]; } FType;           /* params then results */

/* The parser state: one per module text (a quoted module gets its own). */
typedef struct {
    const char *src;
    size_t len;
    Tok *toks;
    uint32_t ntok, cap, pos;
    VmError *err;
    bool failed;
    int quote_depth;
    /* index spaces */
    Space types, funcs, tables, mems, globals, elems, datas, locals, labels;
    FType **ft;
    uint32_t nft, ftcap, nexplicit;
    uint32_t nfuncimp, ntabimp, nmemimp, nglobimp;
    /* sections */
    Buf imports, funcsec, tablesec, memsec, globalsec, exportsec, startsec, elemsec, codesec,
        datasec;
    uint32_t nimports, nfuncdefs, ntabdefs, nmemdefs, nglobdefs, nexports, nelem, ndata;
    bool has_start;
    int depth;
    Buf *out; /* the instruction sink of the current body or expression */
} Wat;

#define OK(e) do { if (!(e)) return false; } while (0)

bool wat_fail_at(Wat *p, uint32_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool wat_fail_tok(Wat *p, const char *why);                           /* "WHY 'TOKEN'" */
bool wat_fail_tok_note(Wat *p, const char *why, const char *note);    /* "WHY 'TOKEN' (NOTE)" */
Tok *wat_peek(Wat *p);
Tok *wat_peek2(Wat *p);

void wat_buf_put(Buf *b, const void *src, size_t n);
void wat_buf_byte(Buf *b, uint8_t v);
void wat_buf_u32(Buf *b, uint64_t v);   /* unsigned LEB128 */
void wat_buf_s64(Buf *b, int64_t v);    /* signed LEB128 */
void wat_buf_free(Buf *b);

int wat_utf8_len(const unsigned char *s, size_t n); /* valid sequence length, 0 if malformed */
bool wat_lex(Wat *p);                                   /* p->src into p->toks, EOF-terminated */
bool wat_decode_string(Wat *p, const Tok *t, Buf *b);  /* escapes resolved, appended to b */

/* Literals: lit_uint false if malformed; lit_int/lit_float 1 ok, 0 malformed, -1 out of range. */
bool wat_lit_uint(const char *s, size_t n, uint64_t *out, bool *overflow);
int wat_lit_int(const char *s, size_t n, int bits, uint64_t *out);
int wat_lit_float(const char *s, size_t n, int bits, uint64_t *out);

#endif
