/* difftest.c — passes never change behaviour: builds random valid functions with the
 * builder (loop-free CFGs with phis, arithmetic, checks, constant branches, storage),
 * runs each in a small IR interpreter before and after ir_optimize, and compares the
 * outcome (return value and final storage, or which check reverted).
 *   difftest [SEED] [COUNT] */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

/* ---------------- a tiny interpreter for the generated subset ---------------- */
#define NSLOTS 8
typedef struct State {
    U256 scalar[2];
    U256 keys[NSLOTS], vals[NSLOTS];
    int nkeys;
} State;

typedef struct Outcome {
    int kind; /* 0 returned, 1 check failed, 2 revert.plain, 3 interpreter limit */
    int check_op;
    U256 value;
    State st;
} Outcome;

static bool is_signed(const IrType *t) { return t->kind == IRT_INT && t->is_signed; }
static unsigned bits_of(const IrType *t) { return t->kind == IRT_BOOL ? 1 : t->bits; }
static U256 canon(const IrType *t, U256 v) {
    if (t->kind == IRT_BOOL) return u256_from_u64(v.w[0] & 1);
    return u256_trunc(v, bits_of(t), is_signed(t));
}

static U256 *map_slot(State *s, U256 key, bool create) {
    for (int k = 0; k < s->nkeys; k++)
        if (u256_eq(s->keys[k], key)) return &s->vals[k];
    if (!create || s->nkeys == NSLOTS) return NULL;
    s->keys[s->nkeys] = key;
    s->vals[s->nkeys] = u256_from_u64(0);
    return &s->vals[s->nkeys++];
}

static bool check_ok(const IrInstr *i, U256 a, U256 b) {
    const IrType *t = i->args[0]->type;
    unsigned n = bits_of(t);
    bool sg = is_signed(t);
    /* exact results: operands are at most 64 bits here, so 256-bit arithmetic is exact */
    switch (i->op) {
    case IR_CHECK_ADD: return u256_fits(u256_add(a, b, NULL), n, sg);
    case IR_CHECK_SUB: return u256_fits(u256_sub(a, b, NULL), n, sg);
    case IR_CHECK_MUL: return u256_fits(u256_mul(a, b, NULL), n, sg);
    case IR_CHECK_DIV:
        if (u256_is_zero(b)) return false;
        return u256_fits(sg ? u256_sdiv(a, b, NULL) : u256_udiv(a, b, NULL), n, sg);
    default: return true;
    }
}

static Outcome run(IrFunc *f, const U256 *args, State st) {
    Outcome o;
    memset(&o, 0, sizeof o);
    U256 *val = calloc((size_t)f->ninstrs + 1, sizeof(U256));
    IrBlock *b = f->entry, *from = NULL;
    int steps = 0;
    while (b && steps++ < 10000) {
        /* phis read their operands as of the edge taken */
        int nphi = 0;
        for (IrInstr *i = b->first; i && i->op == IR_PHI; i = i->next) nphi++;
        U256 *tmp = calloc((size_t)nphi + 1, sizeof(U256));
        int k = 0;
        for (IrInstr *i = b->first; i && i->op == IR_PHI; i = i->next, k++)
            for (int a = 0; a < i->nargs; a++)
                if (i->phi_blocks[a] == from) tmp[k] = val[i->args[a]->id];
        k = 0;
        for (IrInstr *i = b->first; i && i->op == IR_PHI; i = i->next, k++) val[i->id] = tmp[k];
        free(tmp);
        IrBlock *next = NULL;
        for (IrInstr *i = b->first; i; i = i->next) {
            if (i->op == IR_PHI) continue;
            U256 a = i->nargs > 0 ? val[i->args[0]->id] : u256_from_u64(0);
            U256 c = i->nargs > 1 ? val[i->args[1]->id] : u256_from_u64(0);
            const IrType *at = i->nargs > 0 ? i->args[0]->type : NULL;
            bool sg = at && is_signed(at);
            U256 r = u256_from_u64(0);
            switch (i->op) {
            case IR_PARAM: r = args[i->imm->w[0]]; break;
            case IR_CONST: r = *i->imm; break;
            case IR_ADD: r = u256_add(a, c, NULL); break;
            case IR_SUB: r = u256_sub(a, c, NULL); break;
            case IR_MUL: r = u256_mul(a, c, NULL); break;
            case IR_DIV:
                if (!u256_is_zero(c)) r = sg ? u256_sdiv(a, c, NULL) : u256_udiv(a, c, NULL);
                break;
            case IR_MOD:
                if (!u256_is_zero(c)) {
                    if (sg) u256_sdiv(a, c, &r);
                    else u256_udiv(a, c, &r);
                }
                break;
            case IR_AND: r = u256_and(a, c); break;
            case IR_OR: r = u256_or(a, c); break;
            case IR_XOR: r = u256_xor(a, c); break;
            case IR_NOT: r = at->kind == IRT_BOOL ? u256_xor(a, u256_from_u64(1)) : u256_not(a); break;
            case IR_NEG: r = u256_neg(a); break;
            case IR_SHL: case IR_SHR: {
                unsigned n = u256_cmp(c, u256_from_u64(bits_of(at))) >= 0 ? 256 : (unsigned)c.w[0];
                r = i->op == IR_SHL ? u256_shl(a, n) : sg ? u256_ashr(a, n) : u256_lshr(a, n);
                break;
            }
            case IR_EQ: r = u256_from_u64(u256_eq(a, c)); break;
            case IR_NE: r = u256_from_u64(!u256_eq(a, c)); break;
            case IR_LT: case IR_LE: case IR_GT: case IR_GE: {
                int x = sg ? i256_cmp(a, c) : u256_cmp(a, c);
                bool v = i->op == IR_LT ? x < 0 : i->op == IR_LE ? x <= 0 : i->op == IR_GT ? x > 0 : x >= 0;
                r = u256_from_u64(v);
                break;
            }
            case IR_SELECT:
                r = u256_is_zero(a) ? val[i->args[2]->id] : c;
                break;
            case IR_CAST: r = a; break;
            case IR_SLOAD:
                if (i->npath == 0) r = st.scalar[i->var];
                else {
                    U256 *p = map_slot(&st, a, false);
                    r = p ? *p : u256_from_u64(0);
                }
                break;
            case IR_SSTORE:
                if (i->npath == 0) st.scalar[i->var] = a;
                else {
                    U256 *p = map_slot(&st, c, true);
                    if (!p) { o.kind = 3; goto out; }
                    *p = a;
                }
                continue;
            case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_DIV:
                if (!check_ok(i, a, c)) {
                    o.kind = 1;
                    o.check_op = i->op;
                    goto out;
                }
                continue;
            case IR_ASSERT:
                if (u256_is_zero(a)) {
                    o.kind = 1;
                    o.check_op = i->op;
                    goto out;
                }
                continue;
            case IR_JMP: next = i->targets[0]; continue;
            case IR_BR: next = i->targets[u256_is_zero(a) ? 1 : 0]; continue;
            case IR_RET:
                o.kind = 0;
                o.value = a;
                o.st = st;
                goto out;
            case IR_REVERT_PLAIN: o.kind = 2; goto out;
            default:
                fprintf(stderr, "difftest: cannot interpret '%s'\n", ir_op_info[i->op].name);
                abort();
            }
            val[i->id] = canon(i->type, r);
        }
        from = b;
        b = next;
    }
    o.kind = 3;
out:
    free(val);
    return o;
}

/* ---------------- random functions ---------------- */
static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static int pick(int n) { return (int)(rnd() % (uint64_t)n); }

#define NVARS 3
#define NBLOCKS 7

static U256 small_value(const IrType *t) {
    static const int64_t edges[] = {0, 1, 2, 3, -1, -2, 7, 100, 127, -128, 255, 256};
    U256 v = pick(3) ? u256_from_u64((uint64_t)edges[pick(12)]) : u256_from_u64(rnd());
    if ((int64_t)v.w[0] < 0) v.w[1] = v.w[2] = v.w[3] = ~0ull; /* sign-extend */
    return canon(t, v);
}

static IrFunc *generate(IrModule *m, IrType *t, int idx) {
    char name[32];
    snprintf(name, sizeof name, "f%d", idx);
    IrParam ps[2] = {{"a", t}, {"b", t}};
    IrFunc *f = ir_func_new(m, IR_FN, name, ps, 2, t);
    Span sp = {0, 0, 0};
    IrType *bt = ir_type_bool(m);
    IrBlock *bl[NBLOCKS];
    for (int k = 0; k < NBLOCKS; k++) bl[k] = ir_block_new(f);
    /* decide the CFG first: forward edges only, so every run ends */
    int kind[NBLOCKS], to[NBLOCKS][2];
    for (int k = 0; k < NBLOCKS; k++) {
        int r = pick(10);
        if (k == NBLOCKS - 1 || (k > 0 && r == 0)) kind[k] = k == NBLOCKS - 1 || pick(2) ? 0 : 3; /* ret / revert */
        else if (r < 4) kind[k] = 1;                                                      /* jmp */
        else kind[k] = 2;                                                                /* br */
        to[k][0] = k + 1 + pick(NBLOCKS - k - 1 > 0 ? NBLOCKS - k - 1 : 1);
        to[k][1] = k + 1 + pick(NBLOCKS - k - 1 > 0 ? NBLOCKS - k - 1 : 1);
        if (to[k][0] >= NBLOCKS) to[k][0] = NBLOCKS - 1;
        if (to[k][1] >= NBLOCKS) to[k][1] = NBLOCKS - 1;
    }
    IrInstr *out[NBLOCKS][NVARS];
    for (int k = 0; k < NBLOCKS; k++) {
        IrBlock *b = bl[k];
        IrInstr *var[NVARS];
        /* predecessors, deduplicated like ir_cfg_compute */
        int preds[NBLOCKS], np = 0;
        for (int p = 0; p < k; p++) {
            bool edge = (kind[p] == 1 && to[p][0] == k) || (kind[p] == 2 && (to[p][0] == k || to[p][1] == k));
            if (edge) preds[np++] = p;
        }
        if (k == 0) {
            IrInstr *a = ir_instr_new(f, IR_PARAM, t, NULL, 0, sp);
            ir_block_append(b, a);
            IrInstr *c = ir_instr_new(f, IR_PARAM, t, NULL, 0, sp);
            c->imm = ir_imm(f->module, u256_from_u64(1));
            ir_block_append(b, c);
            /* half of the functions start from constants, for fold to chew on */
            bool consts = idx % 2;
            var[0] = consts ? ir_const(f, b, t, small_value(t), sp) : a;
            var[1] = c;
            var[2] = ir_const(f, b, t, small_value(t), sp);
        } else if (np == 0) {
            for (int v = 0; v < NVARS; v++) var[v] = ir_const(f, b, t, small_value(t), sp);
        } else if (np == 1) {
            for (int v = 0; v < NVARS; v++) var[v] = out[preds[0]][v];
        } else {
            for (int v = 0; v < NVARS; v++) {
                IrInstr *phi = ir_phi(f, b, t, sp);
                for (int p = 0; p < np; p++) ir_phi_add(f, phi, out[preds[p]][v], bl[preds[p]]);
                var[v] = phi;
            }
        }
        int n = 1 + pick(6);
        for (int s = 0; s < n; s++) {
            int r = pick(14);
            IrInstr *x = var[pick(NVARS)], *y = var[pick(NVARS)];
            IrInstr *res = NULL;
            if (r < 5) {
                static const IrOp ops[] = {IR_ADD, IR_SUB, IR_MUL, IR_DIV, IR_MOD, IR_AND, IR_OR, IR_XOR, IR_SHL, IR_SHR};
                IrOp op = ops[pick(10)];
                if (pick(2) && (op == IR_ADD || op == IR_SUB || op == IR_MUL || op == IR_DIV))
                    ir_check(f, b, op == IR_ADD ? IR_CHECK_ADD : op == IR_SUB ? IR_CHECK_SUB : op == IR_MUL ? IR_CHECK_MUL : IR_CHECK_DIV, x, y, sp);
                res = ir_binop(f, b, op, x, y, sp);
            } else if (r < 7) {
                res = ir_const(f, b, t, small_value(t), sp);
            } else if (r < 8) {
                res = ir_binop(f, b, pick(2) ? IR_NOT : IR_NEG, x, NULL, sp);
            } else if (r < 10) {
                static const IrOp cmps[] = {IR_EQ, IR_NE, IR_LT, IR_LE, IR_GT, IR_GE};
                IrInstr *c = ir_binop(f, b, cmps[pick(6)], x, y, sp);
                IrInstr *args[3] = {c, x, y};
                res = ir_instr_new(f, IR_SELECT, t, args, 3, sp);
                ir_block_append(b, res);
            } else if (r < 11) {
                IrInstr *ld = ir_instr_new(f, IR_SLOAD, t, NULL, 0, sp);
                ld->var = pick(2);
                ir_block_append(b, ld);
                res = ld;
            } else if (r < 12) {
                IrInstr *st = ir_instr_new(f, IR_SSTORE, NULL, &x, 1, sp);
                st->var = pick(2);
                ir_block_append(b, st);
            } else if (r < 13) {
                IrInstr *args[2] = {x, y};
                IrInstr *st = ir_instr_new(f, IR_SSTORE, NULL, args, 2, sp);
                st->var = 2;
                st->npath = 1;
                st->path = ARENA_NEW(m->arena, IrPathElem);
                ir_block_append(b, st);
            } else {
                IrInstr *ld = ir_instr_new(f, IR_SLOAD, t, &x, 1, sp);
                ld->var = 2;
                ld->npath = 1;
                ld->path = ARENA_NEW(m->arena, IrPathElem);
                ir_block_append(b, ld);
                res = ld;
            }
            if (res) var[pick(NVARS)] = res;
        }
        for (int v = 0; v < NVARS; v++) out[k][v] = var[v];
        switch (kind[k]) {
        case 0: {
            IrInstr *rv = var[pick(NVARS)];
            IrInstr *r = ir_instr_new(f, IR_RET, NULL, &rv, 1, sp);
            ir_block_append(b, r);
            break;
        }
        case 1: ir_jmp(f, b, bl[to[k][0]], sp); break;
        case 2: {
            IrInstr *c = pick(3) ? ir_binop(f, b, IR_LT, var[pick(NVARS)], var[pick(NVARS)], sp)
                                 : ir_const(f, b, bt, u256_from_u64((uint64_t)pick(2)), sp);
            ir_br(f, b, c, bl[to[k][0]], bl[to[k][1]], sp);
            break;
        }
        default: ir_block_append(b, ir_instr_new(f, IR_REVERT_PLAIN, NULL, NULL, 0, sp)); break;
        }
    }
    return f;
}

static bool same(const Outcome *a, const Outcome *b) {
    if (a->kind != b->kind) return false;
    if (a->kind == 1) return a->check_op == b->check_op;
    if (a->kind != 0) return true;
    if (!u256_eq(a->value, b->value)) return false;
    for (int k = 0; k < 2; k++)
        if (!u256_eq(a->st.scalar[k], b->st.scalar[k])) return false;
    /* maps: same contents regardless of insertion order, zero entries equal absent ones */
    for (int pass = 0; pass < 2; pass++) {
        const State *x = pass ? &b->st : &a->st, *y = pass ? &a->st : &b->st;
        for (int k = 0; k < x->nkeys; k++) {
            U256 other = u256_from_u64(0);
            for (int j = 0; j < y->nkeys; j++)
                if (u256_eq(y->keys[j], x->keys[k])) other = y->vals[j];
            if (!u256_eq(other, x->vals[k])) return false;
        }
    }
    return true;
}

int main(int argc, char **argv) {
    rng_state = argc > 1 ? strtoull(argv[1], NULL, 10) * 2654435761u + 1 : 1;
    int count = argc > 2 ? atoi(argv[2]) : 300;
    int failures = 0, runs = 0;
    /* at most 64 bits: the interpreter's checks use 256-bit arithmetic as exact */
    static const unsigned widths[] = {8, 16, 32, 64};
    for (int n = 0; n < count; n++) {
        Arena arena;
        arena_init(&arena);
        IrModule *m = ir_module_new(&arena, "Diff");
        IrType *t = ir_type_int(m, widths[pick(4)], pick(2));
        ir_add_storage(m, "s0", t, false, (Span){0, 0, 0});
        ir_add_storage(m, "s1", t, false, (Span){0, 0, 0});
        ir_add_storage(m, "m", ir_type_map(m, t, t), false, (Span){0, 0, 0});
        IrFunc *f = generate(m, t, n);
        SrcSet srcs = {0};
        DiagSink d;
        diag_init(&d, &srcs);
        if (!ir_module_verify(m, &d)) {
            diag_print(&d, stderr);
            ir_module_print(m, stderr);
            fprintf(stderr, "difftest: generated function %d is invalid\n", n);
            return 2;
        }
        enum { NARGS = 6 };
        U256 args[NARGS][2];
        State st0;
        memset(&st0, 0, sizeof st0);
        st0.scalar[0] = canon(t, u256_from_u64(5));
        Outcome before[NARGS];
        for (int k = 0; k < NARGS; k++) {
            args[k][0] = small_value(t);
            args[k][1] = small_value(t);
            before[k] = run(f, args[k], st0);
        }
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        ir_module_print(m, mem);
        fclose(mem);
        if (!ir_optimize(m, NULL, true, &d)) {
            diag_print(&d, stderr);
            fprintf(stderr, "difftest: invalid after optimisation:\n%s", text);
            return 2;
        }
        for (int k = 0; k < NARGS; k++) {
            Outcome after = run(f, args[k], st0);
            runs++;
            if (!same(&before[k], &after)) {
                char a0[80], a1[80];
                u256_to_dec(args[k][0], true, a0);
                u256_to_dec(args[k][1], true, a1);
                fprintf(stderr, "difftest: function %d with (%s, %s): outcome %d before, %d after\n%s\nafter:\n",
                        n, a0, a1, before[k].kind, after.kind, text);
                ir_module_print(m, stderr);
                failures++;
                break;
            }
        }
        free(text);
        diag_free(&d);
        arena_free(&arena);
        if (failures > 3) break;
    }
    printf("difftest: %d functions, %d runs, %d differences\n", count, runs, failures);
    return failures ? 1 : 0;
}
