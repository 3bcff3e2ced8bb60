/* u256.c — 256-bit two's complement integers on four little-endian u64 limbs: the
 * arithmetic the frontend folds with, the IR folds with, and the printers/parsers use. */
#include "base.h"

#include <string.h>

U256 u256_from_u64(uint64_t v) {
    U256 r = {{v, 0, 0, 0}};
    return r;
}

bool u256_is_zero(U256 a) { return (a.w[0] | a.w[1] | a.w[2] | a.w[3]) == 0; }

bool u256_eq(U256 a, U256 b) {
    return a.w[0] == b.w[0] && a.w[1] == b.w[1] && a.w[2] == b.w[2] && a.w[3] == b.w[3];
}

int u256_cmp(U256 a, U256 b) {
    for (int i = 3; i >= 0; i--)
        if (a.w[i] != b.w[i]) return a.w[i] < b.w[i] ? -1 : 1;
    return 0;
}

int i256_cmp(U256 a, U256 b) {
    bool na = a.w[3] >> 63, nb = b.w[3] >> 63;
    if (na != nb) return na ? -1 : 1;
    return u256_cmp(a, b);
}

U256 u256_add(U256 a, U256 b, bool *carry) {
    U256 r;
    unsigned c = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t s = a.w[i] + b.w[i];
        unsigned c1 = s < a.w[i];
        uint64_t s2 = s + c;
        unsigned c2 = s2 < s;
        r.w[i] = s2;
        c = c1 | c2;
    }
    if (carry) *carry = c;
    return r;
}

U256 u256_sub(U256 a, U256 b, bool *borrow) {
    U256 r;
    unsigned br = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d = a.w[i] - b.w[i];
        unsigned b1 = a.w[i] < b.w[i];
        uint64_t d2 = d - br;
        unsigned b2 = d < (uint64_t)br;
        r.w[i] = d2;
        br = b1 | b2;
    }
    if (borrow) *borrow = br;
    return r;
}

U256 u256_mul(U256 a, U256 b, bool *overflow) {
    uint64_t p[8] = {0};
    for (int i = 0; i < 4; i++) {
        unsigned __int128 carry = 0;
        for (int j = 0; j < 4; j++) {
            unsigned __int128 t = (unsigned __int128)a.w[i] * b.w[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = t >> 64;
        }
        p[i + 4] = (uint64_t)carry;
    }
    U256 r = {{p[0], p[1], p[2], p[3]}};
    if (overflow) *overflow = (p[4] | p[5] | p[6] | p[7]) != 0;
    return r;
}

static bool bit_at(U256 a, unsigned i) { return (a.w[i / 64] >> (i % 64)) & 1; }

U256 u256_udiv(U256 a, U256 b, U256 *rem) {
    U256 q = u256_from_u64(0), r = u256_from_u64(0);
    if (u256_is_zero(b)) {
        if (rem) *rem = r;
        return q;
    }
    if (u256_cmp(a, b) < 0) {
        if (rem) *rem = a;
        return q;
    }
    if ((a.w[1] | a.w[2] | a.w[3] | b.w[1] | b.w[2] | b.w[3]) == 0) {
        q.w[0] = a.w[0] / b.w[0];
        if (rem) *rem = u256_from_u64(a.w[0] % b.w[0]);
        return q;
    }
    for (int i = (int)u256_bit_length(a) - 1; i >= 0; i--) {
        r = u256_shl(r, 1);
        r.w[0] |= bit_at(a, (unsigned)i);
        if (u256_cmp(r, b) >= 0) {
            r = u256_sub(r, b, NULL);
            q.w[i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    if (rem) *rem = r;
    return q;
}

static bool is_neg(U256 a) { return a.w[3] >> 63; }

U256 u256_sdiv(U256 a, U256 b, U256 *rem) {
    bool na = is_neg(a), nb = is_neg(b);
    U256 ua = na ? u256_neg(a) : a, ub = nb ? u256_neg(b) : b, r;
    U256 q = u256_udiv(ua, ub, &r);
    if (na != nb) q = u256_neg(q);
    if (na) r = u256_neg(r);
    if (rem) *rem = r;
    return q;
}

U256 u256_and(U256 a, U256 b) {
    for (int i = 0; i < 4; i++) a.w[i] &= b.w[i];
    return a;
}
U256 u256_or(U256 a, U256 b) {
    for (int i = 0; i < 4; i++) a.w[i] |= b.w[i];
    return a;
}
U256 u256_xor(U256 a, U256 b) {
    for (int i = 0; i < 4; i++) a.w[i] ^= b.w[i];
    return a;
}
U256 u256_not(U256 a) {
    for (int i = 0; i < 4; i++) a.w[i] = ~a.w[i];
    return a;
}
U256 u256_neg(U256 a) { return u256_sub(u256_from_u64(0), a, NULL); }

U256 u256_shl(U256 a, unsigned n) {
    U256 r = u256_from_u64(0);
    if (n >= 256) return r;
    unsigned limbs = n / 64, bits = n % 64;
    for (int i = 3; i >= (int)limbs; i--) {
        uint64_t v = a.w[i - limbs] << bits;
        if (bits && i - (int)limbs - 1 >= 0) v |= a.w[i - limbs - 1] >> (64 - bits);
        r.w[i] = v;
    }
    return r;
}

U256 u256_lshr(U256 a, unsigned n) {
    U256 r = u256_from_u64(0);
    if (n >= 256) return r;
    unsigned limbs = n / 64, bits = n % 64;
    for (unsigned i = 0; i + limbs < 4; i++) {
        uint64_t v = a.w[i + limbs] >> bits;
        if (bits && i + limbs + 1 < 4) v |= a.w[i + limbs + 1] << (64 - bits);
        r.w[i] = v;
    }
    return r;
}

U256 u256_ashr(U256 a, unsigned n) {
    bool neg = is_neg(a);
    if (n >= 256) return neg ? u256_not(u256_from_u64(0)) : u256_from_u64(0);
    U256 r = u256_lshr(a, n);
    if (neg && n > 0) r = u256_or(r, u256_shl(u256_not(u256_from_u64(0)), 256 - n));
    return r;
}

U256 u256_trunc(U256 a, unsigned bits, bool is_signed) {
    if (bits == 0 || bits >= 256) return a;
    U256 mask = u256_lshr(u256_not(u256_from_u64(0)), 256 - bits);
    U256 r = u256_and(a, mask);
    if (is_signed && bit_at(r, bits - 1)) r = u256_or(r, u256_not(mask));
    return r;
}

bool u256_fits(U256 a, unsigned bits, bool is_signed) {
    if (bits >= 256) return true;
    return u256_eq(u256_trunc(a, bits, is_signed), a);
}

static int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

bool u256_parse(const char *s, size_t len, U256 *out) {
    unsigned base = 10;
    size_t i = 0;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    U256 r = u256_from_u64(0);
    bool any = false;
    for (; i < len; i++) {
        if (s[i] == '_') continue;
        int d = digit_value(s[i]);
        if (d >= (int)base) return false;
        bool ov1, ov2;
        r = u256_mul(r, u256_from_u64(base), &ov1);
        r = u256_add(r, u256_from_u64((uint64_t)d), &ov2);
        if (ov1 || ov2) return false;
        any = true;
    }
    if (!any) return false;
    if (out) *out = r;
    return true;
}

void u256_to_dec(U256 a, bool is_signed, char *buf) {
    char tmp[80];
    int n = 0;
    bool neg = is_signed && is_neg(a);
    if (neg) a = u256_neg(a);
    /* divide by 10^19 repeatedly: at most 4 rounds for 78 digits */
    const uint64_t chunk = 10000000000000000000ull;
    do {
        U256 r;
        a = u256_udiv(a, u256_from_u64(chunk), &r);
        uint64_t v = r.w[0];
        for (int k = 0; k < 19; k++) {
            tmp[n++] = (char)('0' + v % 10);
            v /= 10;
            if (u256_is_zero(a) && v == 0) break;
        }
    } while (!u256_is_zero(a));
    int o = 0;
    if (neg) buf[o++] = '-';
    while (n > 0) buf[o++] = tmp[--n];
    buf[o] = 0;
}

void u256_to_hex(U256 a, char *buf) {
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    buf[o++] = '0';
    buf[o++] = 'x';
    bool started = false;
    for (int i = 63; i >= 0; i--) {
        unsigned d = (a.w[i / 16] >> ((i % 16) * 4)) & 15;
        if (d || started || i == 0) {
            buf[o++] = hex[d];
            started = true;
        }
    }
    buf[o] = 0;
}

uint64_t u256_low64(U256 a) { return a.w[0]; }

unsigned u256_bit_length(U256 a) {
    for (int i = 3; i >= 0; i--)
        if (a.w[i]) return (unsigned)(i * 64 + 64 - __builtin_clzll(a.w[i]));
    return 0;
}
