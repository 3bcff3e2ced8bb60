/* lia.c — the integer view of a bit-vector formula, a quick first try at proving it.
 *
 * Most of what a contract's checks and specs need is linear: a balance plus an amount stays
 * below the supply, a difference is taken only when it does not wrap. After bit-blasting,
 * a SAT solver proves such facts about 256-bit adders with tens of thousands of conflicts
 * (0.2 to 0.7 s each on the ERC20's transfer); a simplex over the integers proves them in
 * a millisecond. So each bit-vector term of width w becomes an integer in [0, 2^w):
 *
 *   exact:   numerals, constants (with their range), bvadd / bvsub / bvneg (the sum and a
 *            fresh carry times 2^w), bvnot, products and shifts by constants, quotient and
 *            remainder by a nonzero constant, concat, zero and sign extension, extract, ite,
 *            comparisons (signed ones through the two's complement value), equalities,
 *            arrays (select, store, constant arrays, with the range of each value read) and
 *            uninterpreted functions (same function over the integer view of its arguments)
 *   dropped: anything else (products of two variables, bitwise operations, quantifiers,
 *            tuples) becomes a fresh constant — an integer with the term's range, or a
 *            Boolean — that the solver may choose freely.
 *
 * Every definition introduced (a carry, a quotient, the pieces of an extract) has a
 * solution for any values of the terms it is defined from, and a dropped term only loses
 * constraints: every model of the bit-vector formula is a model of its integer view. So
 * when the view is unsat, the formula is: that is the only answer used (a model of the
 * view proves nothing; the bit-vector query then decides). */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>

#include "lia.h"
#include "astmemo.h"

struct Lia {
    Z3_context z;
    unsigned rlimit;
    Z3_sort int_sort;
    AstMemo terms;        /* expression id -> its integer view (NULL: a sort not modelled) */
    AstMemo decls;        /* function declaration id -> the integer one (as an AST) */
    Z3_ast *side;     /* the assumption's view, definitions and ranges: asserted by each check */
    int nside, cside;
    char *pow2[1100]; /* decimal 2^k, made on demand */
    int unknowns;     /* checks that ran out of their limit */
    unsigned max_rlimit;      /* the most rlimit units one check used (WRIT_VERIFY_STATS) */
};

static void side(Lia *l, Z3_ast c) {
    if (l->nside == l->cside) {
        int cap = l->cside ? 2 * l->cside : 64;
        Z3_ast *p = realloc(l->side, (size_t)cap * sizeof *p);
        if (!p)
            return; /* dropping a definition only loses constraints: still sound */
        l->side = p, l->cside = cap;
    }
    l->side[l->nside++] = c;
}

/* 2^k as an integer numeral */
static Z3_ast pow2(Lia *l, unsigned k) {
    if (k >= sizeof l->pow2 / sizeof l->pow2[0])
        k = sizeof l->pow2 / sizeof l->pow2[0] - 1; /* not reached: widths stay below */
    if (!l->pow2[k]) {
        /* decimal digits, least significant first, doubled k times */
        char *d = calloc(k / 3 + 3, 1);
        if (!d)
            return Z3_mk_int(l->z, 1, l->int_sort);
        int n = 1;
        d[0] = 1;
        for (unsigned i = 0; i < k; i++) {
            int carry = 0;
            for (int j = 0; j < n; j++) {
                int x = d[j] * 2 + carry;
                d[j] = (char)(x % 10), carry = x / 10;
            }
            if (carry)
                d[n++] = (char)carry;
        }
        char *s = malloc((size_t)n + 1);
        if (!s) {
            free(d);
            return Z3_mk_int(l->z, 1, l->int_sort);
        }
        for (int j = 0; j < n; j++)
            s[j] = (char)('0' + d[n - 1 - j]);
        s[n] = 0;
        free(d);
        l->pow2[k] = s;
    }
    return Z3_mk_numeral(l->z, l->pow2[k], l->int_sort);
}

static Z3_ast num(Lia *l, int v) {
    return Z3_mk_int(l->z, v, l->int_sort);
}

static Z3_ast add2(Z3_context z, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_add(z, 2, x);
}

static Z3_ast sub2(Z3_context z, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_sub(z, 2, x);
}

static Z3_ast mul2(Z3_context z, Z3_ast a, Z3_ast b) {
    Z3_ast x[2] = {a, b};
    return Z3_mk_mul(z, 2, x);
}

/* lo <= x < hi, as a side constraint */
static void range(Lia *l, Z3_ast x, Z3_ast lo, Z3_ast hi) {
    Z3_ast c[2] = {Z3_mk_le(l->z, lo, x), Z3_mk_lt(l->z, x, hi)};
    side(l, Z3_mk_and(l->z, 2, c));
}

static Z3_ast fresh_int(Lia *l) {
    return Z3_mk_fresh_const(l->z, "lia", l->int_sort);
}

/* A fresh integer in [0, 2^w): a value of w bits */
static Z3_ast fresh_bv(Lia *l, unsigned w) {
    Z3_ast x = fresh_int(l);
    range(l, x, num(l, 0), pow2(l, w));
    return x;
}

/* The integer view's sort of s; NULL when the view does not model it. */
static Z3_sort isort(Lia *l, Z3_sort s) {
    switch (Z3_get_sort_kind(l->z, s)) {
    case Z3_BV_SORT:
        return l->int_sort;
    case Z3_BOOL_SORT:
        return s;
    case Z3_ARRAY_SORT: {
        Z3_sort d = isort(l, Z3_get_array_sort_domain(l->z, s));
        Z3_sort r = isort(l, Z3_get_array_sort_range(l->z, s));
        return d && r ? Z3_mk_array_sort(l->z, d, r) : NULL;
    }
    default:
        return NULL;
    }
}

/* A fresh term of sort s's view (ranged when s is a bit-vector); NULL when not modelled. */
static Z3_ast fresh_of(Lia *l, Z3_sort s) {
    Z3_sort is = isort(l, s);
    if (!is)
        return NULL;
    if (Z3_get_sort_kind(l->z, s) == Z3_BV_SORT)
        return fresh_bv(l, Z3_get_bv_sort_size(l->z, s));
    return Z3_mk_fresh_const(l->z, "lia", is);
}

/* two's complement value of x (w bits) */
static Z3_ast signed_of(Lia *l, Z3_ast x, unsigned w) {
    return Z3_mk_ite(l->z, Z3_mk_ge(l->z, x, pow2(l, w - 1)), sub2(l->z, x, pow2(l, w)), x);
}

/* r = v - 2^w * c with c in [0, maxc] and r in [0, 2^w): v reduced modulo 2^w, for v in
 * [0, (maxc + 1) * 2^w); with maxc < 0, v in (-2^w, 2^w) and c in [-1, 0]. */
static Z3_ast wrap(Lia *l, Z3_ast v, unsigned w, int maxc) {
    Z3_context z = l->z;
    Z3_ast c = fresh_int(l), r = fresh_int(l);
    if (maxc < 0)
        range(l, c, num(l, -1), num(l, 1));
    else
        range(l, c, num(l, 0), num(l, maxc + 1));
    range(l, r, num(l, 0), pow2(l, w));
    side(l, Z3_mk_eq(z, r, sub2(z, v, mul2(z, pow2(l, w), c))));
    return r;
}

/* q and r with x = q * k + r, 0 <= r < k (k a positive numeral); returns q, sets *rem. */
static Z3_ast divmod(Lia *l, Z3_ast x, Z3_ast k, unsigned w, Z3_ast *rem) {
    Z3_context z = l->z;
    Z3_ast q = fresh_int(l), r = fresh_int(l);
    range(l, q, num(l, 0), pow2(l, w));
    range(l, r, num(l, 0), k);
    side(l, Z3_mk_eq(z, x, add2(z, mul2(z, q, k), r)));
    *rem = r;
    return q;
}

static Z3_ast tr(Lia *l, Z3_ast a);

/* the numeral's value as an integer numeral; NULL when a is not a numeral */
static Z3_ast numeral(Lia *l, Z3_ast a) {
    if (!Z3_is_numeral_ast(l->z, a))
        return NULL;
    const char *s = Z3_get_numeral_string(l->z, a);
    return s ? Z3_mk_numeral(l->z, s, l->int_sort) : NULL;
}

static bool is_zero_numeral(Lia *l, Z3_ast a) {
    const char *s = Z3_is_numeral_ast(l->z, a) ? Z3_get_numeral_string(l->z, a) : NULL;
    return s && strcmp(s, "0") == 0;
}

/* small numeral value (shift amounts); -1 when not a numeral below 2^20 */
static long small_numeral(Lia *l, Z3_ast a) {
    const char *s = Z3_is_numeral_ast(l->z, a) ? Z3_get_numeral_string(l->z, a) : NULL;
    if (!s || strlen(s) > 7)
        return -1;
    return strtol(s, NULL, 10);
}

static Z3_func_decl idecl(Lia *l, Z3_func_decl d) {
    Z3_context z = l->z;
    unsigned id = Z3_get_ast_id(z, Z3_func_decl_to_ast(z, d));
    bool found;
    Z3_ast v = astmemo_get(&l->decls, id, &found);
    if (found)
        return v ? Z3_to_func_decl(z, v) : NULL;
    unsigned n = Z3_get_domain_size(z, d);
    Z3_sort dom[16];
    Z3_sort rng = isort(l, Z3_get_range(z, d));
    Z3_func_decl nd = NULL;
    bool ok = rng && n <= 16;
    for (unsigned i = 0; ok && i < n; i++) /* arrays as arguments: see Z3_OP_EQ */
        ok = Z3_get_sort_kind(z, Z3_get_domain(z, d, i)) != Z3_ARRAY_SORT &&
             (dom[i] = isort(l, Z3_get_domain(z, d, i))) != NULL;
    if (ok)
        nd = Z3_mk_fresh_func_decl(z, "lia", n, dom, rng);
    astmemo_put(&l->decls, id, nd ? Z3_func_decl_to_ast(z, nd) : NULL);
    return nd;
}

/* The translation of application a (kind k, n translated args x, bit-width w of the
 * result when a bit-vector); NULL: not modelled (the caller drops it). */
static Z3_ast tr_app(Lia *l, Z3_ast a, Z3_app app, Z3_decl_kind k, unsigned n, Z3_ast *args,
                     Z3_ast *x) {
    Z3_context z = l->z;
    Z3_sort s = Z3_get_sort(z, a);
    unsigned w = Z3_get_sort_kind(z, s) == Z3_BV_SORT ? Z3_get_bv_sort_size(z, s) : 0;
    Z3_func_decl d = Z3_get_app_decl(z, app);
    for (unsigned i = 0; i < n; i++)
        if (!x[i] && k != Z3_OP_BNUM)
            return NULL;
    switch (k) {
    case Z3_OP_TRUE:
        return Z3_mk_true(z);
    case Z3_OP_FALSE:
        return Z3_mk_false(z);
    case Z3_OP_BNUM:
        return numeral(l, a);
    case Z3_OP_AND:
        return Z3_mk_and(z, n, x);
    case Z3_OP_OR:
        return Z3_mk_or(z, n, x);
    case Z3_OP_NOT:
        return Z3_mk_not(z, x[0]);
    case Z3_OP_IMPLIES:
        return Z3_mk_implies(z, x[0], x[1]);
    case Z3_OP_XOR:
        return n == 2 ? Z3_mk_xor(z, x[0], x[1]) : NULL;
    case Z3_OP_IFF:
    case Z3_OP_EQ:
    case Z3_OP_DISTINCT:
        /* arrays compare by their values at every key, the integer view's at integers that
         * are no bit-vector too: equalities of arrays are dropped */
        if (Z3_get_sort_kind(z, Z3_get_sort(z, args[0])) == Z3_ARRAY_SORT)
            return NULL;
        return k == Z3_OP_DISTINCT ? Z3_mk_distinct(z, n, x)
             : n == 2              ? Z3_mk_eq(z, x[0], x[1]) : NULL;
    case Z3_OP_ITE:
        return Z3_mk_ite(z, x[0], x[1], x[2]);
    case Z3_OP_ULEQ:
        return Z3_mk_le(z, x[0], x[1]);
    case Z3_OP_ULT:
        return Z3_mk_lt(z, x[0], x[1]);
    case Z3_OP_UGEQ:
        return Z3_mk_ge(z, x[0], x[1]);
    case Z3_OP_UGT:
        return Z3_mk_gt(z, x[0], x[1]);
    case Z3_OP_SLEQ:
    case Z3_OP_SLT:
    case Z3_OP_SGEQ:
    case Z3_OP_SGT: {
        unsigned aw = Z3_get_bv_sort_size(z, Z3_get_sort(z, args[0]));
        Z3_ast p = signed_of(l, x[0], aw), q = signed_of(l, x[1], aw);
        return k == Z3_OP_SLEQ ? Z3_mk_le(z, p, q)
             : k == Z3_OP_SLT  ? Z3_mk_lt(z, p, q)
             : k == Z3_OP_SGEQ ? Z3_mk_ge(z, p, q)
                               : Z3_mk_gt(z, p, q);
    }
    case Z3_OP_BADD:
        return n == 1 ? x[0] : wrap(l, Z3_mk_add(z, n, x), w, (int)n - 1);
    case Z3_OP_BSUB:
        return n == 2 ? wrap(l, sub2(z, x[0], x[1]), w, -1) : NULL;
    case Z3_OP_BNEG:
        return wrap(l, Z3_mk_unary_minus(z, x[0]), w, -1);
    case Z3_OP_BNOT:
        return sub2(z, sub2(z, pow2(l, w), num(l, 1)), x[0]);
    case Z3_OP_BMUL: {
        /* a product by constants only: k * v - 2^w * q with q in [0, k) */
        int var = -1;
        Z3_ast kk = NULL;
        for (unsigned i = 0; i < n; i++) {
            if (Z3_is_numeral_ast(z, args[i]))
                kk = kk ? mul2(z, kk, x[i]) : x[i];
            else if (var < 0)
                var = (int)i;
            else
                return NULL;
        }
        if (var < 0 || !kk)
            return NULL;
        kk = Z3_simplify(z, kk);
        Z3_ast c = fresh_int(l), r = fresh_int(l);
        range(l, c, num(l, 0), Z3_simplify(z, add2(z, kk, num(l, 1))));
        range(l, r, num(l, 0), pow2(l, w));
        side(l, Z3_mk_eq(z, r, sub2(z, mul2(z, kk, x[var]), mul2(z, pow2(l, w), c))));
        return r;
    }
    case Z3_OP_BUDIV:
    case Z3_OP_BUDIV_I:
    case Z3_OP_BUREM:
    case Z3_OP_BUREM_I: {
        if (!Z3_is_numeral_ast(z, args[1]) || is_zero_numeral(l, args[1]))
            return NULL;
        Z3_ast rem, q = divmod(l, x[0], x[1], w, &rem);
        return k == Z3_OP_BUDIV || k == Z3_OP_BUDIV_I ? q : rem;
    }
    case Z3_OP_BSHL: {
        long sh = small_numeral(l, args[1]);
        if (sh < 0)
            return NULL;
        if ((unsigned long)sh >= w)
            return num(l, 0);
        Z3_ast c = fresh_int(l), r = fresh_int(l);
        range(l, c, num(l, 0), pow2(l, (unsigned)sh));
        range(l, r, num(l, 0), pow2(l, w));
        side(l, Z3_mk_eq(z, r, sub2(z, mul2(z, pow2(l, (unsigned)sh), x[0]), mul2(z, pow2(l, w), c))));
        return r;
    }
    case Z3_OP_BLSHR: {
        long sh = small_numeral(l, args[1]);
        if (sh < 0)
            return NULL;
        if ((unsigned long)sh >= w)
            return num(l, 0);
        Z3_ast rem;
        return divmod(l, x[0], pow2(l, (unsigned)sh), w, &rem);
    }
    case Z3_OP_CONCAT: {
        Z3_ast v = x[0];
        for (unsigned i = 1; i < n; i++) {
            unsigned wi = Z3_get_bv_sort_size(z, Z3_get_sort(z, args[i]));
            v = add2(z, mul2(z, v, pow2(l, wi)), x[i]);
        }
        return v;
    }
    case Z3_OP_ZERO_EXT:
        return x[0];
    case Z3_OP_SIGN_EXT: {
        unsigned aw = Z3_get_bv_sort_size(z, Z3_get_sort(z, args[0]));
        return Z3_mk_ite(z, Z3_mk_ge(z, x[0], pow2(l, aw - 1)),
                         add2(z, x[0], sub2(z, pow2(l, w), pow2(l, aw))), x[0]);
    }
    case Z3_OP_EXTRACT: {
        unsigned hi = (unsigned)Z3_get_decl_int_parameter(z, d, 0);
        unsigned lo = (unsigned)Z3_get_decl_int_parameter(z, d, 1);
        unsigned aw = Z3_get_bv_sort_size(z, Z3_get_sort(z, args[0]));
        if (lo == 0 && hi + 1 == aw)
            return x[0];
        /* x = top * 2^(hi+1) + mid * 2^lo + low */
        Z3_ast mid = fresh_bv(l, hi - lo + 1), sum = mul2(z, mid, pow2(l, lo));
        if (lo > 0)
            sum = add2(z, sum, fresh_bv(l, lo));
        if (hi + 1 < aw)
            sum = add2(z, sum, mul2(z, fresh_bv(l, aw - hi - 1), pow2(l, hi + 1)));
        side(l, Z3_mk_eq(z, x[0], sum));
        return mid;
    }
    case Z3_OP_SELECT:
        return n == 2 ? Z3_mk_select(z, x[0], x[1]) : NULL;
    case Z3_OP_STORE:
        return n == 3 ? Z3_mk_store(z, x[0], x[1], x[2]) : NULL;
    case Z3_OP_CONST_ARRAY: {
        Z3_sort is = isort(l, s);
        return is && n == 1 ? Z3_mk_const_array(z, Z3_get_array_sort_domain(z, is), x[0]) : NULL;
    }
    case Z3_OP_UNINTERPRETED: {
        if (n == 0) {
            Z3_sort is = isort(l, s);
            Z3_symbol sym = Z3_get_decl_name(z, d);
            const char *name = Z3_get_symbol_kind(z, sym) == Z3_STRING_SYMBOL
                                   ? Z3_get_symbol_string(z, sym) : "c";
            return is ? Z3_mk_fresh_const(z, name, is) : NULL;
        }
        Z3_func_decl nd = idecl(l, d);
        return nd ? Z3_mk_app(z, nd, n, x) : NULL;
    }
    default:
        return NULL;
    }
}

/* The integer view of a, memoized; NULL only when a's sort is not modelled. */
/* tr recurses on the term's depth: past TR_MAX_DEPTH nested calls a term is dropped (any
 * value of its sort, which only loses constraints), so a deep term never overflows the
 * stack. */
enum { TR_MAX_DEPTH = 4000 };
static int tr_depth;

static Z3_ast tr_at(Lia *l, Z3_ast a);

static Z3_ast tr(Lia *l, Z3_ast a) {
    if (tr_depth >= TR_MAX_DEPTH)
        return fresh_of(l, Z3_get_sort(l->z, a));
    tr_depth++;
    Z3_ast r = tr_at(l, a);
    tr_depth--;
    return r;
}

static Z3_ast tr_at(Lia *l, Z3_ast a) {
    Z3_context z = l->z;
    unsigned id = Z3_get_ast_id(z, a);
    bool found;
    Z3_ast r = astmemo_get(&l->terms, id, &found);
    if (found)
        return r;
    Z3_sort s = Z3_get_sort(z, a);
    r = NULL;
    if (Z3_get_ast_kind(z, a) == Z3_APP_AST || Z3_get_ast_kind(z, a) == Z3_NUMERAL_AST) {
        Z3_app app = Z3_to_app(z, a);
        unsigned n = Z3_get_app_num_args(z, app);
        Z3_ast small[8], *x = n <= 8 ? small : malloc(n * sizeof *x);
        Z3_ast sa[8], *args = n <= 8 ? sa : malloc(n * sizeof *args);
        if (x && args) {
            for (unsigned i = 0; i < n; i++) {
                args[i] = Z3_get_app_arg(z, app, i);
                x[i] = tr(l, args[i]);
            }
            Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
            r = tr_app(l, a, app, k, n, args, x);
            /* what is read from an array or returned by a function has its range */
            if (r && Z3_get_sort_kind(z, s) == Z3_BV_SORT &&
                (k == Z3_OP_SELECT || (k == Z3_OP_UNINTERPRETED)))
                range(l, r, num(l, 0), pow2(l, Z3_get_bv_sort_size(z, s)));
        }
        if (x != small)
            free(x);
        if (args != sa)
            free(args);
    }
    if (!r)
        r = fresh_of(l, s); /* dropped: any value of its sort */
    astmemo_put(&l->terms, id, r);
    return r;
}

Lia *lia_open(Z3_context z, unsigned rlimit, Z3_ast assume) {
    Lia *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->z = z;
    l->rlimit = rlimit;
    l->int_sort = Z3_mk_int_sort(z);
    Z3_ast a = tr(l, assume);
    if (a)
        side(l, a);
    return l;
}

bool lia_unsat(Lia *l, Z3_ast phi) {
    if (!l)
        return false;
    Z3_context z = l->z;
    Z3_ast g = tr(l, phi);
    if (!g)
        return false;
    /* a fresh solver for each check, never pushed: Z3 then preprocesses the whole formula
     * (solving equations, eliminating variables) before the simplex sees it, which its
     * incremental core does not — gold's redeem: 3.1 s pushed, 0.13 s fresh */
    Z3_solver s = Z3_mk_solver_for_logic(z, Z3_mk_string_symbol(z, "QF_AUFLIA"));
    Z3_solver_inc_ref(z, s);
    Z3_params p = Z3_mk_params(z);
    Z3_params_inc_ref(z, p);
    Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), l->rlimit);
    Z3_solver_set_params(z, s, p);
    Z3_params_dec_ref(z, p);
    /* the definitions hold for any values (each has a solution) */
    for (int i = 0; i < l->nside; i++)
        Z3_solver_assert(z, s, l->side[i]);
    Z3_solver_assert(z, s, g);
    const char *dump = getenv("WRIT_VERIFY_DUMP");
    if (dump) {
        static int nl;
        char path[300];
        snprintf(path, sizeof path, "%s/l%03d.smt2", dump, nl++);
        FILE *fp = fopen(path, "w");
        if (fp) {
            fprintf(fp, "%s(check-sat)\n", Z3_solver_to_string(z, s));
            fclose(fp);
        }
    }
    clock_t t0 = clock();
    Z3_lbool res = Z3_solver_check(z, s);
    if (getenv("WRIT_VERIFY_STATS") && clock() - t0 > CLOCKS_PER_SEC / 20)
        fprintf(stderr, "  integer view: %d in %.3fs\n", (int)res,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
    l->unknowns += res == Z3_L_UNDEF;
    if (getenv("WRIT_VERIFY_STATS")) {
        Z3_stats st = Z3_solver_get_statistics(z, s);
        Z3_stats_inc_ref(z, st);
        for (unsigned k = 0; k < Z3_stats_size(z, st); k++)
            if (Z3_stats_is_uint(z, st, k) && strcmp(Z3_stats_get_key(z, st, k), "rlimit count") == 0 &&
                Z3_stats_get_uint_value(z, st, k) > l->max_rlimit)
                l->max_rlimit = Z3_stats_get_uint_value(z, st, k);
        Z3_stats_dec_ref(z, st);
    }
    Z3_solver_dec_ref(z, s);
    return res == Z3_L_FALSE;
}

int lia_unknowns(const Lia *l) {
    return l ? l->unknowns : 0;
}

unsigned lia_max_rlimit(const Lia *l) {
    return l ? l->max_rlimit : 0;
}

void lia_close(Lia *l) {
    if (!l)
        return;
    astmemo_free(&l->terms);
    astmemo_free(&l->decls);
    free(l->side);
    for (size_t i = 0; i < sizeof l->pow2 / sizeof l->pow2[0]; i++)
        free(l->pow2[i]);
    free(l);
}
