/* lia_diff.c — a differential test of verify/lia.c, the integer view of bit-vector
 * formulas: random formulas over small bit-vectors (every operation the view models
 * exactly, and some it drops), each decided by the view and by Z3 on bit-vectors. The view
 * may fail to prove (sat or unknown), but whenever it says unsat, the bit-vectors must not
 * have a model: one that does is an unsound translation, and the test fails with the
 * formula. Deterministic (a fixed seed); also counts how often the view proves what the
 * bit-vectors prove, so a view that stopped working shows too.
 * usage: lia_diff [N formulas] [seed] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <z3.h>

#include "verify/lia.h"

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

enum { W = 6 }; /* small widths: wrapping is reached often */

static Z3_context z;
static Z3_ast vars[4], arr;

static Z3_ast bv(int depth, unsigned w);

static Z3_ast resize(Z3_ast a, unsigned w) {
    unsigned aw = Z3_get_bv_sort_size(z, Z3_get_sort(z, a));
    if (aw == w)
        return a;
    if (aw < w)
        return rnd(2) ? Z3_mk_zero_ext(z, w - aw, a) : Z3_mk_sign_ext(z, w - aw, a);
    unsigned lo = rnd(aw - w + 1);
    return Z3_mk_extract(z, lo + w - 1, lo, a);
}

static Z3_ast numeral(unsigned w) {
    static const unsigned special[] = {0, 1, 2, 3};
    unsigned v = rnd(3) ? rnd(1u << w) : special[rnd(4)];
    if (rnd(5) == 0)
        v = (1u << w) - 1;
    return Z3_mk_unsigned_int(z, v, Z3_mk_bv_sort(z, w));
}

static Z3_ast boolean(int depth);

static Z3_ast bv(int depth, unsigned w) {
    if (depth <= 0 || rnd(5) == 0) {
        unsigned k = rnd(6);
        if (k < 3)
            return resize(vars[rnd(4)], w);
        if (k < 4)
            return resize(Z3_mk_select(z, arr, resize(vars[rnd(4)], W)), w);
        return numeral(w);
    }
    Z3_ast a = bv(depth - 1, w), b = bv(depth - 1, w);
    switch (rnd(20)) {
    case 0: case 1: case 2: return Z3_mk_bvadd(z, a, b);
    case 3: case 4: return Z3_mk_bvsub(z, a, b);
    case 5: return Z3_mk_bvneg(z, a);
    case 6: return Z3_mk_bvnot(z, a);
    case 7: return Z3_mk_bvmul(z, a, numeral(w));
    case 8: return Z3_mk_bvmul(z, a, b); /* dropped by the view */
    case 9: return Z3_mk_bvshl(z, a, Z3_mk_unsigned_int(z, rnd(w + 1), Z3_mk_bv_sort(z, w)));
    case 10: return Z3_mk_bvlshr(z, a, Z3_mk_unsigned_int(z, rnd(w + 1), Z3_mk_bv_sort(z, w)));
    case 11: return Z3_mk_bvudiv(z, a, numeral(w));
    case 12: return Z3_mk_bvurem(z, a, numeral(w));
    case 13: return Z3_mk_ite(z, boolean(depth - 1), a, b);
    case 14: { /* concat of two halves, back to w */
        unsigned h = w / 2 ? w / 2 : 1;
        return resize(Z3_mk_concat(z, bv(depth - 1, h), bv(depth - 1, w - h ? w - h : 1)), w);
    }
    case 15: return resize(bv(depth - 1, w + 1 + rnd(3)), w);
    case 16: return Z3_mk_bvand(z, a, b); /* dropped */
    case 17: { /* a read through a write, of m or of a constant array */
        Z3_ast base = rnd(3) ? arr : Z3_mk_const_array(z, Z3_mk_bv_sort(z, W), numeral(W));
        Z3_ast st = Z3_mk_store(z, base, resize(a, W), resize(b, W));
        return resize(Z3_mk_select(z, st, resize(bv(depth - 1, W), W)), w);
    }
    default: return Z3_mk_bvadd(z, a, numeral(w));
    }
}

static Z3_ast boolean(int depth) {
    if (depth <= 0 || rnd(4) == 0) {
        unsigned w = 1 + rnd(W + 2);
        Z3_ast a = bv(depth, w), b = bv(depth, w);
        switch (rnd(9)) {
        case 0: return Z3_mk_eq(z, a, b);
        case 1: return Z3_mk_bvule(z, a, b);
        case 2: return Z3_mk_bvult(z, a, b);
        case 3: return Z3_mk_bvuge(z, a, b);
        case 4: return Z3_mk_bvsle(z, a, b);
        case 5: return Z3_mk_bvslt(z, a, b);
        case 6: return Z3_mk_bvsgt(z, a, b);
        case 7: return Z3_mk_distinct(z, 2, (Z3_ast[]){a, b});
        default: return Z3_mk_bvugt(z, a, b);
        }
    }
    Z3_ast p = boolean(depth - 1), q = boolean(depth - 1);
    switch (rnd(6)) {
    case 0: return Z3_mk_and(z, 2, (Z3_ast[]){p, q});
    case 1: return Z3_mk_or(z, 2, (Z3_ast[]){p, q});
    case 2: return Z3_mk_not(z, p);
    case 3: return Z3_mk_implies(z, p, q);
    case 4: return Z3_mk_xor(z, p, q);
    default: return Z3_mk_eq(z, p, q);
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 400;
    if (argc > 2)
        rng = strtoull(argv[2], NULL, 10) | 1;
    Z3_config cfg = Z3_mk_config();
    z = Z3_mk_context(cfg);
    Z3_del_config(cfg);
    Z3_sort s = Z3_mk_bv_sort(z, W);
    const char *names[4] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++)
        vars[i] = Z3_mk_const(z, Z3_mk_string_symbol(z, names[i]), s);
    arr = Z3_mk_const(z, Z3_mk_string_symbol(z, "m"), Z3_mk_array_sort(z, s, s));
    int both = 0, bv_unsat = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        /* half random, half unsat by construction: a term differs from its simplified
         * form (Z3's rewriter: an equivalent term, often written differently) */
        Z3_ast assume = boolean(2), phi;
        if (i % 2) {
            phi = boolean(3);
        } else if (i % 4 == 0) {
            Z3_ast t = bv(3, 1 + rnd(W + 2));
            phi = Z3_mk_not(z, Z3_mk_eq(z, t, Z3_simplify(z, t)));
        } else {
            Z3_ast p = boolean(3);
            phi = Z3_mk_not(z, Z3_mk_eq(z, p, Z3_simplify(z, p)));
        }
        Z3_solver sv = Z3_mk_solver(z);
        Z3_solver_inc_ref(z, sv);
        Z3_solver_assert(z, sv, assume);
        Z3_solver_assert(z, sv, phi);
        Z3_lbool r = Z3_solver_check(z, sv);
        Lia *l = lia_open(z, 200000, assume);
        bool lu = lia_unsat(l, phi);
        lia_close(l);
        bv_unsat += r == Z3_L_FALSE;
        both += r == Z3_L_FALSE && lu;
        if (lu && r == Z3_L_TRUE) {
            bad++;
            if (bad <= 3)
                printf("UNSOUND: the view says unsat, the bit-vectors have a model:\n%s\n",
                       Z3_solver_to_string(z, sv));
        }
        Z3_solver_dec_ref(z, sv);
    }
    printf("lia_diff: %d formulas, %d unsat on bit-vectors, %d of them proved by the integer "
           "view; %d unsound\n", n, bv_unsat, both, bad);
    Z3_del_context(z);
    return bad ? 1 : both == 0 && bv_unsat > 0 ? 1 : 0;
}
