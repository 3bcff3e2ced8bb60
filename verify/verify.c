/* verify.c — obligations and verdicts. Per public function (and init): fresh constants
 * for the parameters, the environment and the pre-state storage; `requires` and the
 * invariants assumed at entry (init starts from zeroed storage instead); the body encoded
 * (encode.c); then one query per obligation, each on its own solver with a deterministic
 * resource limit. A model becomes a counterexample: arguments, sender, value and the
 * pre-state values the function read. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "lia.h"
#include "vint.h"

void ver_report_add(IrModule *m, VerReport *rep, VerResult r) {
    rep->results = arena_grow(m->arena, rep->results, rep->n, &rep->cap, sizeof r, 32);
    rep->results[rep->n++] = r;
    if (r.verdict == VER_PROVED)
        rep->proved++;
    else if (r.verdict == VER_VIOLATED)
        rep->violated++;
    else
        rep->unknown++;
}

/* Grows a string in the arena: returns a copy of `a` followed by `b`. */
char *ver_cat(Arena *ar, const char *a, const char *b) {
    size_t la = a ? strlen(a) : 0, lb = strlen(b);
    char *s = arena_alloc(ar, la + lb + 1);
    if (la)
        memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
    return s;
}

/* The model's value of `x` as bits; false when the model leaves it undetermined. */
bool ver_model_bits(Z3_context z, Z3_model mdl, Z3_ast x, IrType *t, U256 *out) {
    Z3_ast v;
    if (!Z3_model_eval(z, mdl, x, true, &v))
        return false;
    if (t->kind == IRT_BOOL) {
        *out = u256_from_u64(Z3_get_bool_value(z, v) == Z3_L_TRUE);
        return true;
    }
    const char *dec = Z3_get_numeral_string(z, v);
    return dec && u256_parse(dec, strlen(dec), out);
}

/* Writes a value of IR type t as a counterexample shows it. */
void ver_show_bits(U256 u, IrType *t, char *buf, size_t size) {
    char tmp[100];
    if (t->kind == IRT_BOOL)
        snprintf(tmp, sizeof tmp, "%s", u256_is_zero(u) ? "false" : "true");
    else if (t->kind == IRT_ADDRESS || t->kind == IRT_BYTES)
        u256_to_hex(u, tmp);
    else if (t->kind == IRT_INT && t->is_signed)
        u256_to_dec(u256_trunc(u, t->bits, true), true, tmp);
    else
        u256_to_dec(u, false, tmp);
    snprintf(buf, size, "%s", tmp);
}

/* Reads the model into a one-step counterexample (kept in the module's arena, as results
 * are) and its text: arguments, environment, then each pre-state place read, once. */
static const char *counterexample(Enc *e, Z3_model mdl, IrFunc *f, int fidx, Z3_ast *params,
                                  VerCex **cex_out) {
    Z3_context z = e->z;
    IrModule *m = e->m;
    char *out = NULL;
    char val[100], line[600];
    VerCex *cex = arena_alloc(m->arena, sizeof *cex);
    memset(cex, 0, sizeof *cex);
    cex->from_init = f->kind == IR_FN_INIT;
    VerStep *st = arena_alloc(m->arena, sizeof *st);
    memset(st, 0, sizeof *st);
    cex->steps = st;
    cex->nsteps = 1;
    st->func = f->name;
    st->fidx = fidx;
    st->nargs = f->nparams;
    st->args = arena_alloc(m->arena, (f->nparams + 1) * sizeof *st->args);
    for (int i = 0; i < f->nparams; i++) {
        VerValue *a = &st->args[i];
        *a = (VerValue){.name = f->params[i].name, .var = -1};
        if (!params[i] || !ver_model_bits(z, mdl, params[i], f->params[i].type, &a->value))
            continue;
        a->type = f->params[i].type;
        ver_show_bits(a->value, a->type, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", f->params[i].name, val);
        out = ver_cat(e->arena, out, line);
    }
    static const char *const env_names[IR_ENV_COUNT] = {
        "msg.sender", "msg.value", "tx.origin", "this", "block.number", "block.timestamp",
        "block.chainid"};
    for (int k = 0; k < IR_ENV_COUNT; k++) {
        /* the contract's address is the replay's: the encoding ties it only to the
         * sender (they differ) and to balance(self) */
        if ((k > IR_ENV_CALLVALUE && !e->env_used[k]) || k == IR_ENV_ADDRESS)
            continue;
        IrType *t = k == IR_ENV_CALLER || k == IR_ENV_ORIGIN || k == IR_ENV_ADDRESS
                        ? ir_type_address(m) : ir_type_int(m, 256, false);
        if (!ver_model_bits(z, mdl, e->env[k], t, &st->env[k]))
            continue;
        st->env_used[k] = true;
        ver_show_bits(st->env[k], t, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", env_names[k], val);
        out = ver_cat(e->arena, out, line);
    }
    /* the pre-state values read, each place once (init reads zeroed storage: no pre-state) */
    cex->pre = arena_alloc(m->arena, (e->nreads + 1) * sizeof *cex->pre);
    for (int r = 0; r < e->nreads && !cex->from_init; r++) {
        VRead *rd = &e->reads[r];
        if (!e->entry[rd->var])
            continue;
        VerValue pv = {.var = rd->var, .nkeys = rd->nkeys, .type = rd->type};
        pv.keys = arena_alloc(m->arena, (rd->nkeys + 1) * sizeof *pv.keys);
        pv.key_types = arena_alloc(m->arena, (rd->nkeys + 1) * sizeof *pv.key_types);
        char place[400];
        size_t len = (size_t)snprintf(place, sizeof place, "%s", m->storage[rd->var].name);
        Z3_ast arr = e->entry[rd->var];
        bool known = true;
        for (int i = 0; i < rd->nkeys; i++) {
            pv.key_types[i] = rd->key_types[i];
            known &= ver_model_bits(z, mdl, rd->keys[i], rd->key_types[i], &pv.keys[i]);
            ver_show_bits(pv.keys[i], rd->key_types[i], val, sizeof val);
            if (len < sizeof place)
                len += (size_t)snprintf(place + len, sizeof place - len, "[%s]", val);
            arr = Z3_mk_select(z, arr, rd->keys[i]);
        }
        bool dup = false;
        for (int i = 0; i < cex->npre && !dup; i++)
            dup = strcmp(cex->pre[i].name, place) == 0;
        if (dup || !known || !ver_model_bits(z, mdl, arr, rd->type, &pv.value))
            continue;
        pv.name = ver_cat(m->arena, NULL, place);
        cex->pre[cex->npre++] = pv;
        ver_show_bits(pv.value, rd->type, val, sizeof val);
        snprintf(line, sizeof line, "%s%s = %s", out ? ", " : "", place, val);
        out = ver_cat(e->arena, out, line);
    }
    *cex_out = cex;
    return out ? out : "any input";
}

/* The queries of one transition share a solver: the assumptions are asserted once and each
 * obligation is checked inside push/pop, with the resource limit per check (Z3's rlimit
 * counts from the start of each check: deterministic). */


/* ---------------- reads through writes ----------------
 * A storage map is an array written with `store`; a spec or a later read looks at it with
 * `select`. select(store(a, i, v), j) is ite(i = j, v, select(a, j)), and a read through a
 * merge of two paths, select(ite(c, a, b), j), is ite(c, select(a, j), select(b, j)): with
 * every read pushed down to the arrays of the pre-state, what is left of the arrays is a
 * few reads of fresh constants at symbolic keys, which the solver decides far faster than
 * the array theory's lemmas about writes (transfer's overflow query: 0.6 s -> 0.2 s). The
 * rewrite is an identity: the formula means the same. */
/* mm[0]: term id -> rewritten term; mm[1]: select(arr, key) id -> pushed down */
/* The walks over Z3 terms below recurse on the term's depth, which a long unrolled loop
 * or a long chain of merged states makes deep: past WALK_MAX_DEPTH nested calls a walk
 * stops descending (the rewrites leave the subterm as it is, which means the same; the
 * nonlinear test answers yes, which only skips a round), so no input overflows the stack. */
enum { WALK_MAX_DEPTH = 4000 };
static int walk_depth;

static Z3_ast read_through(Z3_context z, AstMemo *mm, Z3_ast a);

/* select(arr, key), arr and key already rewritten. Merged states share their arrays (an
 * ite of two stores into the same map, and so on for every branch), so the result is kept
 * per select(arr, key) term: each (array, key) pair is pushed down once, not once per path
 * (gold's redeem spent a minute here before). */
static Z3_ast select_down(Z3_context z, AstMemo *mm, Z3_ast arr, Z3_ast key, int depth) {
    Z3_ast sel = Z3_mk_select(z, arr, key);
    if (depth >= 1000 || Z3_get_ast_kind(z, arr) != Z3_APP_AST)
        return sel;
    unsigned id = Z3_get_ast_id(z, sel);
    Z3_ast r = astmemo_get(&mm[1], id, NULL);
    if (r)
        return r;
    Z3_app app = Z3_to_app(z, arr);
    Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
    unsigned n = Z3_get_app_num_args(z, app);
    r = sel;
    if (k == Z3_OP_STORE && n == 3) {
        Z3_ast i = Z3_get_app_arg(z, app, 1), v = Z3_get_app_arg(z, app, 2);
        r = Z3_mk_ite(z, Z3_mk_eq(z, i, key), v,
                      select_down(z, mm, Z3_get_app_arg(z, app, 0), key, depth + 1));
    } else if (k == Z3_OP_ITE && n == 3) {
        r = Z3_mk_ite(z, Z3_get_app_arg(z, app, 0),
                      select_down(z, mm, Z3_get_app_arg(z, app, 1), key, depth + 1),
                      select_down(z, mm, Z3_get_app_arg(z, app, 2), key, depth + 1));
    }
    astmemo_put(&mm[1], id, r);
    return r;
}

static Z3_ast read_through_at(Z3_context z, AstMemo *mm, Z3_ast a) {
    if (Z3_get_ast_kind(z, a) != Z3_APP_AST)
        return a;
    Z3_app app = Z3_to_app(z, a);
    unsigned n = Z3_get_app_num_args(z, app);
    if (n == 0)
        return a;
    unsigned id = Z3_get_ast_id(z, a);
    Z3_ast r = astmemo_get(mm, id, NULL);
    if (r)
        return r;
    Z3_ast small[8], *args = n <= 8 ? small : malloc(n * sizeof *args);
    if (!args)
        return a;
    bool changed = false;
    for (unsigned i = 0; i < n; i++) {
        Z3_ast x = Z3_get_app_arg(z, app, i);
        args[i] = read_through(z, mm, x);
        changed |= args[i] != x;
    }
    Z3_decl_kind k = Z3_get_decl_kind(z, Z3_get_app_decl(z, app));
    if (k == Z3_OP_SELECT && n == 2)
        r = select_down(z, mm, args[0], args[1], 0);
    else
        r = changed ? Z3_update_term(z, a, n, args) : a;
    if (args != small)
        free(args);
    astmemo_put(mm, id, r);
    return r;
}

/* ---------------- tidy: what reaches the bit-blaster ----------------
 * Z3 4.8's rewriter writes every a - b and -a as a + (-1 * b): the product cancels
 * against sums (x - y + y simplifies to x), but what is left is bit-blasted as a full
 * multiplier by the all-ones constant, one adder per bit (65,536 full adders for one u256
 * subtraction): that was why the queries of gold.writ ran for minutes. Each formula is
 * simplified first (the cancellations happen), then the remaining products by -1 become
 * ~b + 1, which Z3's rewriter leaves alone and which blasts into one adder. */
static Z3_ast unmul(Query *q, Z3_ast a);

static bool all_ones(Z3_context z, Z3_ast c) {
    if (!Z3_is_numeral_ast(z, c))
        return false;
    Z3_sort s = Z3_get_sort(z, c);
    if (Z3_get_sort_kind(z, s) != Z3_BV_SORT)
        return false;
    unsigned w = Z3_get_bv_sort_size(z, s);
    const char *str = Z3_get_numeral_binary_string(z, c);
    if (!str || strlen(str) != w)
        return false;
    for (const char *p = str; *p; p++)
        if (*p != '1')
            return false;
    return true;
}

static Z3_ast read_through(Z3_context z, AstMemo *mm, Z3_ast a) {
    if (walk_depth >= WALK_MAX_DEPTH)
        return a;
    walk_depth++;
    Z3_ast r = read_through_at(z, mm, a);
    walk_depth--;
    return r;
}

static Z3_ast unmul_at(Query *q, Z3_ast a);

static Z3_ast unmul(Query *q, Z3_ast a) {
    if (walk_depth >= WALK_MAX_DEPTH)
        return a;
    walk_depth++;
    Z3_ast r = unmul_at(q, a);
    walk_depth--;
    return r;
}

static Z3_ast unmul_at(Query *q, Z3_ast a) {
    Z3_context z = q->e->z;
    if (Z3_get_ast_kind(z, a) != Z3_APP_AST)
        return a;
    Z3_app app = Z3_to_app(z, a);
    unsigned n = Z3_get_app_num_args(z, app);
    if (n == 0)
        return a;
    unsigned id = Z3_get_ast_id(z, a);
    Z3_ast r = astmemo_get(&q->memo, id, NULL);
    if (r)
        return r;
    Z3_ast small[8], *args = n <= 8 ? small : malloc(n * sizeof *args);
    if (!args)
        return a;
    bool changed = false;
    for (unsigned i = 0; i < n; i++) {
        Z3_ast x = Z3_get_app_arg(z, app, i);
        args[i] = unmul(q, x);
        changed |= args[i] != x;
    }
    Z3_func_decl d = Z3_get_app_decl(z, app);
    Z3_decl_kind k = Z3_get_decl_kind(z, d);
    if (k == Z3_OP_BMUL && n == 2 && (all_ones(z, args[0]) || all_ones(z, args[1]))) {
        Z3_ast x = all_ones(z, args[0]) ? args[1] : args[0];
        r = Z3_mk_bvadd(z, Z3_mk_bvnot(z, x), Z3_mk_int(z, 1, Z3_get_sort(z, x)));
    } else if (k == Z3_OP_BNEG && n == 1) {
        r = Z3_mk_bvadd(z, Z3_mk_bvnot(z, args[0]), Z3_mk_int(z, 1, Z3_get_sort(z, args[0])));
    } else {
        r = changed ? Z3_update_term(z, a, n, args) : a;
    }
    if (args != small)
        free(args);
    astmemo_put(&q->memo, id, r);
    return r;
}

Z3_ast ver_tidy(Query *q, Z3_ast a) {
    return unmul(q, Z3_simplify(q->e->z, a));
}

void ver_query_open(Query *q, Enc *e, unsigned rlimit, IrFunc *f, int fidx, Z3_ast *params,
                       Z3_ast assume) {
    Z3_context z = e->z;
    *q = (Query){.e = e, .rlimit = rlimit, .f = f, .fidx = fidx, .params = params};
    /* QF_ABV's configuration of the SMT core is about 10x faster than the plain one on
     * these queries, but incomplete with tuples (structs, lists, strings) */
    q->s = e->agg ? Z3_mk_simple_solver(z)
                  : Z3_mk_solver_for_logic(z, Z3_mk_string_symbol(z, "QF_ABV"));
    Z3_solver_inc_ref(z, q->s);
    Z3_params p = Z3_mk_params(z);
    Z3_params_inc_ref(z, p);
    Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), rlimit);
    Z3_solver_set_params(z, q->s, p);
    Z3_params_dec_ref(z, p);
    Z3_solver_assert(z, q->s, ver_tidy(q, assume));
}

void ver_query_close(Query *q) {
    astmemo_free(&q->memo);
    Z3_solver_dec_ref(q->e->z, q->s);
}

/* One query: can `pc` hold with `cond` false (and `extra`, when given)? */
static VerVerdict decide(Query *q, Z3_ast pc, Z3_ast cond, Z3_ast extra, const char *approx,
                         const char **detail, VerCex **cex_out) {
    Enc *e = q->e;
    Z3_context z = e->z;
    Z3_solver s = q->s;
    Z3_solver_push(z, s);
    Z3_solver_assert(z, s, ver_tidy(q, pc));
    Z3_solver_assert(z, s, ver_tidy(q, Z3_mk_not(z, cond)));
    if (extra)
        Z3_solver_assert(z, s, ver_tidy(q, extra));
    VerVerdict v;
    const char *dump = getenv("WRIT_VERIFY_DUMP");
    if (dump) {
        static int nq;
        char path[300];
        snprintf(path, sizeof path, "%s/q%03d.smt2", dump, nq++);
        FILE *fp = fopen(path, "w");
        if (fp) {
            fprintf(fp, "; %s %s\n%s(check-sat)\n", q->f->name, cond ? "" : "", Z3_solver_to_string(z, s));
            fclose(fp);
        }
    }
    clock_t t0 = clock();
    Z3_lbool res = Z3_solver_check(z, s);
    if (getenv("WRIT_VERIFY_STATS")) {
        Z3_stats st = Z3_solver_get_statistics(z, s);
        Z3_stats_inc_ref(z, st);
        fprintf(stderr, "query %s %s: %d in %.3fs;", q->f->name, q->label ? q->label : "", (int)res,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
        for (unsigned i = 0; i < Z3_stats_size(z, st); i++) {
            const char *k = Z3_stats_get_key(z, st, i);
            if (strstr(k, "rlimit") || strstr(k, "conflicts") || strstr(k, "memory"))
                fprintf(stderr, " %s=%s", k, Z3_stats_is_uint(z, st, i) ? (char[32]){0} : "");
            if (strstr(k, "rlimit") || strstr(k, "conflicts"))
                fprintf(stderr, "%u", Z3_stats_is_uint(z, st, i) ? Z3_stats_get_uint_value(z, st, i) : 0);
        }
        fprintf(stderr, "\n");
        Z3_stats_dec_ref(z, st);
    }
    switch (res) {
    case Z3_L_FALSE:
        v = VER_PROVED;
        break;
    case Z3_L_TRUE: {
        Z3_model mdl = Z3_solver_get_model(z, s);
        Z3_model_inc_ref(z, mdl);
        VerCex *mc = NULL;
        const char *cex = counterexample(e, mdl, q->f, q->fidx, q->params, &mc);
        Z3_model_dec_ref(z, mdl);
        if (approx) {
            v = VER_UNKNOWN;
            *detail = ver_cat(e->arena, ver_cat(e->arena, "possible failure (", approx),
                          ver_cat(e->arena, ", so the counterexample may be spurious): ", cex));
        } else {
            v = VER_VIOLATED;
            *detail = cex;
            *cex_out = mc;
        }
        break;
    }
    default: {
        const char *why = Z3_solver_get_reason_unknown(z, s);
        /* A function whose query ran out of resources (wide nonlinear arithmetic) gets a
         * sixteenth of the limit for the rest: a deterministic budget, so one such
         * function does not take minutes (std.math's sqrt: 5 queries of 8 s each at the
         * full limit). Never 0, which Z3 reads as no limit at all. */
        unsigned used = q->rlimit;
        if (++q->exhausted == 1) {
            unsigned lim = q->rlimit / 16 ? q->rlimit / 16 : 1;
            Z3_params p = Z3_mk_params(z);
            Z3_params_inc_ref(z, p);
            Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), lim);
            Z3_solver_set_params(z, s, p);
            Z3_params_dec_ref(z, p);
            q->rlimit = lim;
        }
        v = VER_UNKNOWN;
        char lim[80];
        snprintf(lim, sizeof lim, "solver gave up within rlimit %u (Z3: ", used);
        *detail = ver_cat(e->arena, ver_cat(e->arena, lim, why ? why : "unknown"), ")");
        break;
    }
    }
    Z3_solver_pop(z, s, 1);
    return v;
}

static Z3_ast and2v(Z3_context z, Z3_ast a, Z3_ast b) {
    if (!a)
        return b;
    Z3_ast x[2] = {a, b};
    return Z3_mk_and(z, 2, x);
}

static const char *const env_const[IR_ENV_COUNT] = {
    "msg.sender", "msg.value", "tx.origin", "this", "block.number", "block.timestamp",
    "block.chainid"};

void ver_env(Enc *e) {
    for (int k = 0; k < IR_ENV_COUNT; k++)
        e->env[k] = enc_fresh(e, env_const[k],
                              Z3_mk_bv_sort(e->z, k == IR_ENV_CALLER || k == IR_ENV_ORIGIN ||
                                                          k == IR_ENV_ADDRESS ? 160 : 256));
}

/* The state a transaction's body starts from: the pre-state with the value sent added to
 * the balance (no overflow: there is not that much ether), and the facts that hold for
 * every call of f: a function that is not payable receives no value (the dispatcher
 * rejects it). */
Z3_ast ver_tx_start(Enc *e, IrFunc *f, Z3_ast *pre, Z3_ast *state) {
    Z3_context z = e->z;
    memcpy(state, pre, e->nst * sizeof *state);
    Z3_ast val = e->env[IR_ENV_CALLVALUE];
    /* the balance is kept in VER_WIDE bits (see encode.c); it and the value sent fit in
     * 256 bits together (there is not that much ether) */
    IrType *u256 = ir_type_int(e->m, 256, false);
    Z3_sort ws = Z3_mk_bv_sort(z, VER_WIDE);
    Z3_ast lim = Z3_simplify(z, Z3_mk_bvshl(z, Z3_mk_int(z, 1, ws), Z3_mk_int(z, 256, ws)));
    Z3_ast after = Z3_mk_bvadd(z, pre[ENC_BAL(e)], enc_wide(e, val, u256));
    Z3_ast facts = Z3_mk_bvult(z, after, lim);
    facts = and2v(z, facts, Z3_mk_bvult(z, pre[ENC_BAL(e)], lim));
    if (!(f->flags & IR_FN_PAYABLE))
        facts = and2v(z, facts, Z3_mk_eq(z, val, Z3_mk_numeral(z, "0", Z3_mk_bv_sort(z, 256))));
    state[ENC_BAL(e)] = after;
    /* the contract is not its own caller, and no one signs for the zero address */
    Z3_ast zero160 = Z3_mk_numeral(z, "0", Z3_mk_bv_sort(z, 160));
    facts = and2v(z, facts, Z3_mk_not(z, Z3_mk_eq(z, e->env[IR_ENV_CALLER], e->env[IR_ENV_ADDRESS])));
    facts = and2v(z, facts, Z3_mk_not(z, Z3_mk_eq(z, e->env[IR_ENV_CALLER], zero160)));
    facts = and2v(z, facts, Z3_mk_not(z, Z3_mk_eq(z, e->env[IR_ENV_ORIGIN], zero160)));
    /* block number, timestamp and chain id are below 2^64 (EIP-1985's sane limits, which
     * clients enforce; the VM's block has 64-bit fields): a counterexample needing a
     * timestamp of 2^255 is not one any chain can produce */
    Z3_ast lim64 = Z3_mk_numeral(z, "18446744073709551616", Z3_mk_bv_sort(z, 256));
    facts = and2v(z, facts, Z3_mk_bvult(z, e->env[IR_ENV_NUMBER], lim64));
    facts = and2v(z, facts, Z3_mk_bvult(z, e->env[IR_ENV_TIMESTAMP], lim64));
    facts = and2v(z, facts, Z3_mk_bvult(z, e->env[IR_ENV_CHAINID], lim64));
    return facts;
}

static bool is_spec_kind(const char *k) {
    return strcmp(k, "postcondition") == 0 || strcmp(k, "reverts_if") == 0 ||
           strcmp(k, "unexpected revert") == 0 || strcmp(k, "precondition") == 0;
}


/* ---------------- all obligations of a transition at once ----------------
 * Most obligations hold, and proving them one by one bit-blasts the function again for
 * every check. So a transition's obligations are first decided together: can any of them
 * fail? Obligation i contributes its failure condition `pc_i && !cond_i` (with the
 * function's requires for the spec obligations, which assume it; without for the checks,
 * whose first query does not assume it either). No model: every one of them is proved,
 * the verdict its own query would give. Each round tries
 *   1. the integer view (lia.c), all together, then one by one: most are proved there in
 *      a millisecond;
 *   2. what is left on bit-vectors, together, on a fresh solver that is never pushed (Z3
 *      then solves equations and drops unconstrained terms before it bit-blasts, which its
 *      incremental core does not); a model names the failure conditions it satisfies, and
 *      the rest is tried again.
 * A check that fails as it stands gets a second round under the function's requires and
 * outside its reverts_if, as its own queries would: proved there, it is proved and kept in
 * the code (`keep`), as one by one.
 * This happens in a Z3 context of its own (the formulas are translated into it): the
 * function's own context sees nothing of it. When everything is proved, that is the
 * answer; otherwise the obligations run one by one exactly as they would without the
 * batch — same solver, same order, same terms created — so verdicts and counterexamples
 * of a function that fails are what they always were. Deterministic: resource limits. */
static bool batch_member(const VObl *ob, const VerOptions *o) {
    return ob->cond && !(o->checks_only && is_spec_kind(ob->kind));
}

typedef struct Batch {
    Z3_context z;         /* the batch's context */
    Enc e;                /* only .z: what ver_tidy reads */
    Query q;              /* only the tidy memo */
    AstMemo mm[2];        /* read_through's memos */
    unsigned rlimit;
    const char *fname;
} Batch;

static Z3_solver batch_solver(Batch *b, bool agg) {
    Z3_context z = b->z;
    Z3_solver s = agg ? Z3_mk_simple_solver(z)
                      : Z3_mk_solver_for_logic(z, Z3_mk_string_symbol(z, "QF_ABV"));
    Z3_solver_inc_ref(z, s);
    Z3_params p = Z3_mk_params(z);
    Z3_params_inc_ref(z, p);
    Z3_params_set_uint(z, p, Z3_mk_string_symbol(z, "rlimit"), b->rlimit);
    Z3_solver_set_params(z, s, p);
    Z3_params_dec_ref(z, p);
    return s;
}

static Z3_ast batch_prep(Batch *b, Z3_ast a) {
    return ver_tidy(&b->q, read_through(b->z, b->mm, Z3_simplify(b->z, a)));
}

static void batch_stats(Batch *b, const char *what, int nd, int res, clock_t t0) {
    if (getenv("WRIT_VERIFY_STATS"))
        fprintf(stderr, "batch %s %s (%d obligations): %d in %.3fs\n", b->fname, what, nd, res,
                (double)(clock() - t0) / CLOCKS_PER_SEC);
}

/* Does a contain a product of two variables, or a quotient or remainder by a variable?
 * Bit-blasted, each is a 256x256 array of adders that Z3 builds whole before it charges
 * its resource limit: a batch of such a function's obligations can take seconds for a
 * small limit (std.math's ceil_div, 4 s at a build's limit), so those go one by one. */
static bool nonlinear_at(Z3_context z, AstMemo *seen, Z3_ast a);

static bool nonlinear(Z3_context z, AstMemo *seen, Z3_ast a) {
    if (walk_depth >= WALK_MAX_DEPTH)
        return true;
    walk_depth++;
    bool r = nonlinear_at(z, seen, a);
    walk_depth--;
    return r;
}

static bool nonlinear_at(Z3_context z, AstMemo *seen, Z3_ast a) {
    if (Z3_get_ast_kind(z, a) != Z3_APP_AST)
        return false;
    Z3_app app = Z3_to_app(z, a);
    unsigned n = Z3_get_app_num_args(z, app);
    if (n == 0)
        return false;
    unsigned id = Z3_get_ast_id(z, a);
    if (astmemo_get(seen, id, NULL))
        return false;
    astmemo_put(seen, id, a);
    switch (Z3_get_decl_kind(z, Z3_get_app_decl(z, app))) {
    case Z3_OP_BMUL: {
        int vars = 0;
        for (unsigned i = 0; i < n; i++)
            vars += !Z3_is_numeral_ast(z, Z3_get_app_arg(z, app, i));
        if (vars > 1)
            return true;
        break;
    }
    case Z3_OP_BUDIV: case Z3_OP_BUDIV_I: case Z3_OP_BUREM: case Z3_OP_BUREM_I:
    case Z3_OP_BSDIV: case Z3_OP_BSDIV_I: case Z3_OP_BSREM: case Z3_OP_BSREM_I:
    case Z3_OP_BSMOD: case Z3_OP_BSMOD_I:
        if (n == 2 && !Z3_is_numeral_ast(z, Z3_get_app_arg(z, app, 1)))
            return true;
        break;
    default:
        break;
    }
    for (unsigned i = 0; i < n; i++)
        if (nonlinear(z, seen, Z3_get_app_arg(z, app, i)))
            return true;
    return false;
}

/* Decides the failure conditions fail[i] of the obligations with open[i] (under `as`):
 * clears open[i] and sets proved[i] for those shown unsat; clears open[i] and sets
 * failed[i] for those a model satisfies; leaves open[i] where the limit ran out. */
static void batch_round(Batch *b, bool agg, Z3_ast as, int n, Z3_ast *fail, bool *open,
                        bool *proved, bool *failed) {
    Z3_context z = b->z;
    Z3_ast *disj = calloc((size_t)n + 1, sizeof *disj);
    if (!disj)
        return;
    int nd = 0;
    for (int i = 0; i < n; i++)
        nd += open[i];
    /* 1. the integer view: together, then one by one */
    if (nd && !getenv("WRIT_VERIFY_NOLIA")) {
        clock_t t0 = clock();
        /* half the query's limit, at most 1,000,000: the examples' proofs take at most
         * 210,000 (WRIT_VERIFY_STATS), so a build's budget (a fortieth) still affords them */
        unsigned lim = b->rlimit / 2 < 1000000 ? b->rlimit / 2 : 1000000;
        Lia *lia = lia_open(z, lim ? lim : 1, as);
        int k = 0, np = 0;
        for (int i = 0; i < n; i++)
            if (open[i])
                disj[k++] = fail[i];
        bool every = lia_unsat(lia, Z3_mk_or(z, (unsigned)k, disj));
        /* one by one, until two of them ran out of the limit: a function the view cannot
         * decide quickly costs at most a few limits here */
        for (int i = 0; i < n; i++)
            if (open[i] && (every || (nd > 1 && lia_unknowns(lia) < 2 && lia_unsat(lia, fail[i]))))
                open[i] = false, proved[i] = true, nd--, np++;
        if (getenv("WRIT_VERIFY_STATS"))
            fprintf(stderr, "batch %s integers: rlimit %u at most, %d unknown\n", b->fname,
                    lia_max_rlimit(lia), lia_unknowns(lia));
        lia_close(lia);
        if (getenv("WRIT_VERIFY_LIA_CHECK")) /* testing lia.c: bit-vectors agree? */
            for (int i = 0; i < n; i++) {
                if (!proved[i] || !fail[i])
                    continue;
                Z3_solver s = batch_solver(b, agg);
                Z3_solver_assert(z, s, as);
                Z3_solver_assert(z, s, fail[i]);
                Z3_lbool r = Z3_solver_check(z, s);
                Z3_solver_dec_ref(z, s);
                fprintf(stderr, "lia-check %s #%d: bit-vectors say %d\n", b->fname, i, (int)r);
                if (r == Z3_L_TRUE)
                    abort();
            }
        batch_stats(b, "integers", k, np, t0);
    }
    /* 2. bit-vectors, together; a model names some that fail, the rest again (not for
     * products or quotients of variables: see nonlinear()) */
    if (nd > 0) {
        AstMemo seen = {0};
        bool nl = nonlinear(z, &seen, as);
        for (int i = 0; i < n && !nl; i++)
            nl = open[i] && nonlinear(z, &seen, fail[i]);
        astmemo_free(&seen);
        if (nl) {
            batch_stats(b, "bit-vectors skipped (nonlinear)", nd, 0, clock());
            nd = 0;
        }
    }
    while (nd > 0) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (open[i])
                disj[k++] = fail[i];
        Z3_solver s = batch_solver(b, agg);
        /* pushed first, as the one-by-one queries are: Z3's incremental core bit-blasts
         * lazily and keeps to the resource limit, where its non-incremental path bit-blasts
         * wide products and quotients whole before it looks at the limit (std.math's
         * ceil_div in a build: 19 s for a limit of 500,000) */
        Z3_solver_push(z, s);
        Z3_solver_assert(z, s, as);
        Z3_solver_assert(z, s, k == 1 ? disj[0] : Z3_mk_or(z, (unsigned)k, disj));
        const char *dump = getenv("WRIT_VERIFY_DUMP");
        if (dump) {
            static int nb;
            char path[300];
            snprintf(path, sizeof path, "%s/b%03d.smt2", dump, nb++);
            FILE *fp = fopen(path, "w");
            if (fp) {
                fprintf(fp, "; %s batch\n%s(check-sat)\n", b->fname, Z3_solver_to_string(z, s));
                fclose(fp);
            }
        }
        clock_t t0 = clock();
        Z3_lbool res = Z3_solver_check(z, s);
        batch_stats(b, "bit-vectors", k, (int)res, t0);
        int hit = 0;
        if (res == Z3_L_FALSE) {
            for (int i = 0; i < n; i++)
                if (open[i])
                    open[i] = false, proved[i] = true;
            nd = 0;
        } else if (res == Z3_L_TRUE) {
            Z3_model mdl = Z3_solver_get_model(z, s);
            Z3_model_inc_ref(z, mdl);
            for (int i = 0; i < n; i++) {
                Z3_ast val;
                if (open[i] && Z3_model_eval(z, mdl, fail[i], true, &val) &&
                    Z3_get_bool_value(z, val) == Z3_L_TRUE)
                    open[i] = false, failed[i] = true, nd--, hit++;
            }
            Z3_model_dec_ref(z, mdl);
        }
        Z3_solver_dec_ref(z, s);
        if (!hit)
            break; /* unknown (or a model that names none): the rest stays open */
    }
    free(disj);
}

/* The verdicts of e's obligations when the batch settles all of them: status[i] is 1 for
 * proved (what the obligation's first query gives), 2 for a check proved only under the
 * function's requires or outside its reverts_if (the later queries: proved, `keep`).
 * False when some obligation is not settled (it fails, or the limit ran out). */
static bool batch_prove(Enc *e, const VerOptions *o, IrFunc *f, unsigned rlimit, Z3_ast assume,
                        Z3_ast req, Z3_ast revif, char *status) {
    Z3_context z0 = e->z;
    int nobl = e->nobls, nmem = 0;
    /* the formulas, translated in one go (shared terms once) */
    Z3_ast_vector v = Z3_mk_ast_vector(z0);
    Z3_ast_vector_inc_ref(z0, v);
    Z3_ast_vector_push(z0, v, assume);
    Z3_ast_vector_push(z0, v, req ? req : assume);
    Z3_ast_vector_push(z0, v, revif ? revif : assume);
    for (int i = 0; i < nobl; i++) {
        VObl *ob = &e->obls[i];
        if (!batch_member(ob, o))
            continue;
        Z3_ast_vector_push(z0, v, ob->pc);
        Z3_ast_vector_push(z0, v, ob->cond);
        nmem++;
    }
    if (nmem == 0) {
        Z3_ast_vector_dec_ref(z0, v);
        return true;
    }
    clock_t tprep = clock();
    Z3_config cfg = Z3_mk_config();
    Z3_set_param_value(cfg, "model", "true");
    Batch b = {.z = Z3_mk_context(cfg), .rlimit = rlimit, .fname = f->name};
    Z3_del_config(cfg);
    Z3_set_error_handler(b.z, NULL);
    Z3_context z = b.z;
    b.e.z = z;
    b.q.e = &b.e;
    Z3_ast_vector tv = Z3_ast_vector_translate(z0, v, z);
    Z3_ast_vector_inc_ref(z, tv);
    Z3_ast_vector_dec_ref(z0, v);
    size_t sz = (size_t)nobl + 1;
    bool *open = calloc(sz, 1), *proved = calloc(sz, 1), *failed = calloc(sz, 1);
    Z3_ast *fail = calloc(sz, sizeof *fail);
    bool all = false;
    if (!open || !proved || !failed || !fail)
        goto done;
    Z3_ast as = batch_prep(&b, Z3_ast_vector_get(z, tv, 0));
    Z3_ast rq = req ? Z3_ast_vector_get(z, tv, 1) : NULL;
    Z3_ast nrif = revif ? Z3_mk_not(z, Z3_ast_vector_get(z, tv, 2)) : NULL;
    for (int i = 0, k = 3; i < nobl; i++, k += 2) {
        VObl *ob = &e->obls[i];
        if (!batch_member(ob, o)) {
            k -= 2;
            continue;
        }
        Z3_ast x[3] = {Z3_ast_vector_get(z, tv, (unsigned)k),
                       Z3_mk_not(z, Z3_ast_vector_get(z, tv, (unsigned)k + 1)), rq};
        fail[i] = batch_prep(&b, Z3_mk_and(z, ob->at || !rq ? 2 : 3, x));
        open[i] = true;
    }
    if (getenv("WRIT_VERIFY_STATS"))
        fprintf(stderr, "batch %s: formulas translated and prepared in %.3fs\n", f->name,
                (double)(clock() - tprep) / CLOCKS_PER_SEC);
    batch_round(&b, e->agg, as, nobl, fail, open, proved, failed);
    for (int i = 0; i < nobl; i++)
        if (proved[i])
            status[i] = 1;
    /* checks that fail as they stand: proved under the requires and outside reverts_if? */
    bool retry = false;
    for (int i = 0; i < nobl; i++) {
        VObl *ob = &e->obls[i];
        if (!failed[i] || !ob->at || (!rq && !nrif))
            continue;
        Z3_ast x[3];
        int nx = 0;
        x[nx++] = fail[i];
        if (rq)
            x[nx++] = rq;
        if (nrif)
            x[nx++] = nrif;
        fail[i] = batch_prep(&b, Z3_mk_and(z, (unsigned)nx, x));
        failed[i] = false, proved[i] = false, open[i] = true, retry = true;
    }
    if (retry) {
        batch_round(&b, e->agg, as, nobl, fail, open, proved, failed);
        for (int i = 0; i < nobl; i++)
            if (proved[i] && !status[i])
                status[i] = 2;
    }
    all = true;
    for (int i = 0; i < nobl; i++)
        if (batch_member(&e->obls[i], o) && !status[i])
            all = false;
done:
    free(open), free(proved), free(failed), free(fail);
    astmemo_free(&b.mm[0]);
    astmemo_free(&b.mm[1]);
    astmemo_free(&b.q.memo);
    Z3_ast_vector_dec_ref(z, tv);
    Z3_del_context(z);
    return all;
}

/* A check whose model is abstract only through keccak (the hash of a model may differ from
 * the real one) still yields its counterexample: the replay on the VM confirms a check
 * (every OPF_CHECK op reverts with its own Panic code) only by that exact Panic
 * (cli/verify_replay.c), else it is reported unknown. Other abstractions (an unmodelled
 * requires or invariant) could admit pre-states no run reaches, which a replay from that
 * pre-state cannot rule out: those stay unknown. */
static bool confirmed_by_panic(const VObl *ob) {
    return ob->at && (ir_op_info[ob->at->op].flags & OPF_CHECK) && ob->approx &&
           strcmp(ob->approx, VER_APPROX_KECCAK) == 0;
}

static void verify_func(IrModule *m, IrFunc *f, int fidx, const VerOptions *o, unsigned rlimit,
                        VerReport *rep, Z3_context z) {
    Arena arena;
    arena_init(&arena);
    Enc e = {.z = z, .arena = &arena, .work_max = enc_work_max(rlimit)};
    enc_setup(&e, m, f);
    bool init = f->kind == IR_FN_INIT;
    e.entry = arena_alloc(&arena, (e.nst + 1) * sizeof *e.entry);
    Z3_ast *state = arena_alloc(&arena, (e.nst + 1) * sizeof *state);
    enc_prestate(&e, init, e.entry);
    ver_env(&e);
    Z3_ast *params = arena_alloc(&arena, (f->nparams + 1) * sizeof *params);
    for (int i = 0; i < f->nparams; i++) {
        Z3_sort s = enc_sort(&e, f->params[i].type);
        params[i] = s ? Z3_mk_const(z, Z3_mk_string_symbol(z, f->params[i].name), s) : NULL;
    }
    /* assumptions at entry: those that hold at run time (`rt`: the invariants, proved
     * inductive separately, and the dispatcher's facts), and the function's requires
     * (`req`: a public function's requires is not enforced by the compiled code) */
    Z3_ast rt = ver_tx_start(&e, f, e.entry, state);
    for (int i = 0; i < f->nparams; i++)
        rt = and2v(z, rt, enc_len_bounds(&e, params[i], f->params[i].type));

    Z3_ast req = NULL, revif = NULL;
    IrFunc *rsp = NULL;
    bool uses_inv = false;
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        bool mine = sp->kind == IR_FN_REQUIRES && sp->owner == fidx;
        bool inv = sp->kind == IR_FN_INVARIANT && !init;
        bool rif = sp->kind == IR_FN_REVERTS_IF && sp->owner == fidx;
        if (!mine && !inv && !rif)
            continue;
        Z3_ast c = enc_spec(&e, sp, params, e.entry, e.entry, NULL);
        if (rif) {
            if (!c) {
                enc_push_obl(&e, (VObl){sp, NULL, sp, "reverts_if", sp->span, Z3_mk_true(z), NULL, NULL});
                continue;
            }
            revif = revif ? Z3_mk_or(z, 2, (Z3_ast[]){revif, c}) : c;
            rsp = rsp ? rsp : sp;
        } else if (!c) { /* dropping an assumption is sound; counterexamples may be spurious */
            e.approx = "a requires or invariant is not modelled";
        } else if (mine) {
            req = and2v(z, req, c);
        } else {
            rt = and2v(z, rt, c);
            uses_inv = true;
        }
    }
    Z3_ast ok = NULL, val = NULL;
    if (!e.fail)
        enc_func(&e, f, params, Z3_mk_true(z), state, e.entry, NULL, &ok, &val, 0);
    if (getenv("WRIT_VERIFY_STATS"))
        fprintf(stderr, "encode %s: work %ld%s\n", f->name, e.work, e.fail ? " (failed)" : "");
    if (e.fail) {
        ver_report_add(m, rep, (VerResult){VER_UNKNOWN, "function", f->name, f->name, f->span, NULL,
                                       ver_cat(m->arena, "not encoded: ", e.fail), NULL, 0, fidx,
                                       false, false});
        arena_free(&arena);
        return;
    }
    /* ensures of f, the invariants (init establishes them, every public function keeps
     * them), and f's reverts_if in both directions: each clause forces a revert, and a
     * revert needs one of the clauses */
    for (int i = 0; i < m->nspecs; i++) {
        IrFunc *sp = m->specs[i];
        bool ens = sp->kind == IR_FN_ENSURES && sp->owner == fidx;
        bool inv = sp->kind == IR_FN_INVARIANT;
        bool rif = sp->kind == IR_FN_REVERTS_IF && sp->owner == fidx && revif;
        if (!ens && !inv && !rif)
            continue;
        if (o->checks_only && !inv)
            continue;
        if (rif) {
            Z3_ast c = enc_spec(&e, sp, params, e.entry, e.entry, NULL);
            if (c)
                enc_push_obl(&e, (VObl){sp, NULL, sp, "reverts_if", sp->span, c, Z3_mk_not(z, ok), e.approx});
            continue;
        }
        Z3_ast c = enc_spec(&e, sp, params, state, e.entry, val);
        enc_push_obl(&e, (VObl){sp, NULL, sp, ens ? "postcondition" : "invariant", sp->span, ok, c, e.approx});
    }
    if (revif && !o->checks_only)
        enc_push_obl(&e, (VObl){rsp, NULL, rsp, "unexpected revert", f->span, Z3_mk_not(z, ok), revif,
                            e.approx});
    Z3_ast axioms = init ? Z3_mk_true(z) : enc_sum_axioms(&e, e.entry, 0);
    /* the stored lists and strings within their bounds, when the formulas hold tuples */
    for (int v = 0; v < m->nstorage && !init && e.agg; v++)
        axioms = and2v(z, axioms, enc_len_bounds(&e, e.entry[v], m->storage[v].type));
    if (e.defs)
        axioms = and2v(z, axioms, e.defs);
    Z3_ast assume = and2v(z, rt, axioms);
    /* all at once first (in a context of its own): when everything is settled there,
     * nothing more to ask; otherwise one query per obligation, as always */
    char *status = arena_alloc(&arena, (size_t)e.nobls + 1);
    memset(status, 0, (size_t)e.nobls + 1);
    bool settled = !getenv("WRIT_VERIFY_NOBATCH") &&
                   batch_prove(&e, o, f, rlimit, assume, req, revif, status);
    Query q = {0};
    if (!settled)
        ver_query_open(&q, &e, rlimit, f, fidx, params, assume);
    /* the unwinding obligations first: when one fails, nothing else is proved */
    const char *unwound = NULL;
    for (int i = 0; i < e.nobls; i++) {
        VObl *ob = &e.obls[i];
        if (strcmp(ob->kind, "loop bound") != 0)
            continue;
        const char *detail = NULL;
        VerCex *cex = NULL;
        VerVerdict v = settled ? VER_PROVED
                                 : decide(&q, ob->pc, ob->cond, req, ob->approx, &detail, &cex);
        if (v == VER_VIOLATED) {
            v = VER_UNKNOWN;
            detail = ver_cat(&arena, "the loop may run longer than it was unrolled: ", detail);
        }
        if (v != VER_PROVED)
            unwound = "a loop was not fully unrolled";
        ver_report_add(m, rep, (VerResult){v, ob->kind, f->name, ob->where->name, ob->span, NULL,
                                       detail ? ver_cat(m->arena, NULL, detail) : NULL, NULL, 0, fidx,
                                       req != NULL, uses_inv});
    }
    for (int i = 0; i < e.nobls; i++) {
        VObl *ob = &e.obls[i];
        if (strcmp(ob->kind, "loop bound") == 0)
            continue;
        if (o->checks_only && is_spec_kind(ob->kind))
            continue;
        const char *approx = confirmed_by_panic(ob) ? NULL : ob->approx;
        const char *detail = NULL;
        VerCex *cex = NULL;
        VerVerdict v;
        bool keep = false;
        q.label = ob->kind;
        if (!ob->cond) {
            v = VER_UNKNOWN;
            detail = "not encoded: a spec uses what the verifier does not model yet";
        } else if (settled) {
            v = VER_PROVED;
            keep = status[i] == 2;
        } else if (o->checks_only && q.exhausted >= 2) {
            /* for a build, a function whose checks keep exhausting the limit keeps the
             * rest of them (deterministic, and a build stays fast) */
            v = VER_UNKNOWN;
            detail = "not tried: the function's budget is spent";
        } else if (ob->at && req) {
            /* a check: first without the requires, which the code does not enforce */
            v = decide(&q, ob->pc, ob->cond, NULL, approx, &detail, &cex);
            if (v != VER_PROVED) {
                detail = NULL, cex = NULL;
                v = decide(&q, ob->pc, ob->cond, req, approx, &detail, &cex);
                keep = true;
            }
        } else {
            v = decide(&q, ob->pc, ob->cond, req, approx, &detail, &cex);
        }
        if (ob->at && revif && v != VER_PROVED) {
            /* a check may fail where the function's reverts_if says it reverts */
            const char *d2 = NULL;
            VerCex *c2 = NULL;
            VerVerdict v2 = decide(&q, ob->pc, ob->cond, and2v(z, req, Z3_mk_not(z, revif)),
                                   approx, &d2, &c2);
            if (v2 == VER_PROVED || v == VER_UNKNOWN) {
                if (v2 == VER_PROVED)
                    detail = NULL;
                v = v2 == VER_PROVED ? VER_PROVED : v;
                keep = true;
            } else {
                v = v2, detail = d2, cex = c2;
            }
        }
        if (v == VER_PROVED && unwound) {
            v = VER_UNKNOWN;
            detail = ver_cat(&arena, "holds for the unrolled iterations only: ", unwound);
        }
        ver_report_add(m, rep, (VerResult){v, ob->kind, f->name, ob->where->name, ob->span, ob->at,
                                       detail ? ver_cat(m->arena, NULL, detail) : NULL,
                                       v == VER_VIOLATED ? cex : NULL, 0, fidx,
                                       keep || (req != NULL && !ob->at), uses_inv});
    }
    if (!settled)
        ver_query_close(&q);
    arena_free(&arena);
}

/* Z3 allocates and frees large tables with every context and solver (several per
 * function here); glibc serves those from fresh mmaps and gives them back at once, so each
 * one is paid again in page faults: a fifth to a third of the verifier's time on the
 * examples (voting: 110,000 faults, 0.20 s of system time). Kept in the process instead. */
static void keep_freed_memory(void) {
#if defined(__GLIBC__)
    static bool done;
    if (done)
        return;
    done = true;
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
#endif
}

void ver_module_verify(IrModule *m, const VerOptions *o, VerReport *rep) {
    keep_freed_memory();
    unsigned rlimit = o->rlimit ? o->rlimit : VER_RLIMIT_DEFAULT;
    Z3_config cfg = Z3_mk_config();
    Z3_set_param_value(cfg, "model", "true");
    Z3_context z = Z3_mk_context(cfg);
    Z3_del_config(cfg);
    Z3_set_error_handler(z, NULL);
    int first = rep->n;
    for (int i = 0; i < m->nfuncs; i++) {
        IrFunc *f = m->funcs[i];
        if (((f->flags & IR_FN_PUB) || f->kind == IR_FN_INIT) &&
            (o->only_func < 0 || o->only_func == i))
            verify_func(m, f, i, o, rlimit, rep, z);
    }
    /* The multi-transaction search, for the results just found that are not proved (a
     * --jobs worker searches for its own function's: one result per obligation). */
    if (o->depth > 0 && !o->checks_only)
        ver_search(m, o, rlimit, rep, first, rep, z);
    enc_forget(z);
    Z3_del_context(z);
}

/* When is a check proved enough to leave the code? Only when its proof used nothing that
 * was not itself proved or enforced at run time:
 *  - its own verdict is proved in every function it was checked in (inlined copies too),
 *    and without `keep`: not by assuming a public function's `requires` (the compiled code
 *    does not check those: any caller may break them), and not by a reverts_if excuse
 *    (those checks do fire);
 *  - if the proof assumed the contract invariants at entry, every invariant was proved
 *    inductive: established by init and preserved by every public function (all the
 *    "invariant" results are proved, and no function failed to encode);
 *  - no function of the module failed to encode (its inlined checks were never examined);
 *  - every call summary's contract was proved (kinds "summary ...", summary.c): a proof
 *    through a summary assumed the callee's ensures and reverts_if.
 * The invariant rule needs the whole module: with only_func (a --jobs worker), call this
 * on the merged report. */
void ver_mark_proven(const VerReport *rep) {
    bool inv_ok = true;
    for (int i = 0; i < rep->n; i++) {
        const VerResult *r = &rep->results[i];
        if (!r->at && r->verdict != VER_PROVED &&
            (strcmp(r->kind, "function") == 0 || strncmp(r->kind, "summary ", 8) == 0))
            return;
        if (strcmp(r->kind, "invariant") == 0 && r->verdict != VER_PROVED)
            inv_ok = false;
        if (strcmp(r->kind, "loop bound") == 0 && r->verdict != VER_PROVED)
            inv_ok = false;
    }
    for (int i = 0; i < rep->n; i++) {
        IrInstr *at = rep->results[i].at;
        if (!at)
            continue;
        bool all = true;
        for (int j = 0; j < rep->n && all; j++) {
            const VerResult *r = &rep->results[j];
            if (r->at != at)
                continue;
            if (r->verdict != VER_PROVED || r->keep || (r->uses_invariants && !inv_ok))
                all = false;
        }
        if (all)
            at->flags |= IR_F_PROVEN;
    }
}
