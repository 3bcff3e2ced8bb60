/* gen.h — the frontend benchmark's program generator: realistic Writ contracts (storage,
 * structs, events, errors, specs, loops, free functions), varied by a seeded PRNG so that
 * no two functions are the same text. Every generated name is unique across the whole
 * set, so the files may also be concatenated into one compilation unit. */
#ifndef WRIT_BENCH_GEN_H
#define WRIT_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

typedef struct GenBuf {
    char *data;
    size_t len, cap;
    long lines;
} GenBuf;

void genbuf_free(GenBuf *b);

/* Appends one file's worth of source (a few free functions and one contract, about
 * 150-700 lines) for file number `index` to `out`. Deterministic in (seed, index). */
void gen_file(GenBuf *out, uint64_t seed, int index);

#endif
