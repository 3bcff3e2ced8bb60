/* keccak.c — Keccak-256 as Ethereum uses it: nettle's Keccak-f[1600] permutation with
 * the original Keccak padding (0x01 ... 0x80), not SHA3-256's 0x06. */
#include "ir.h"

#include <nettle/sha3.h>
#include <string.h>

#define KECCAK256_RATE 136

static void absorb(struct sha3_state *st, const uint8_t *block) {
    for (int i = 0; i < KECCAK256_RATE / 8; i++) {
        uint64_t w = 0;
        for (int b = 7; b >= 0; b--) w = (w << 8) | block[i * 8 + b];
        st->a[i] ^= w;
    }
    sha3_permute(st);
}

void keccak256(const void *data, size_t len, uint8_t out[32]) {
    struct sha3_state st;
    memset(&st, 0, sizeof st);
    const uint8_t *p = data;
    while (len >= KECCAK256_RATE) {
        absorb(&st, p);
        p += KECCAK256_RATE;
        len -= KECCAK256_RATE;
    }
    uint8_t last[KECCAK256_RATE];
    memset(last, 0, sizeof last);
    if (len) memcpy(last, p, len);
    last[len] ^= 0x01;
    last[KECCAK256_RATE - 1] ^= 0x80;
    absorb(&st, last);
    for (int i = 0; i < 4; i++)
        for (int b = 0; b < 8; b++) out[i * 8 + b] = (uint8_t)(st.a[i] >> (8 * b));
}
