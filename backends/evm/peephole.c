/* peephole.c — the assembler-level optimiser: rewrite rules over windows of items, given as
 * data (a pattern and its replacement, with variables for constants and labels), then two
 * structural passes: code after an unconditional exit up to the next label is dropped, and
 * labels no push refers to lose their JUMPDEST (one byte and one gas each). Runs to a fixed
 * point before the assembler settles push widths. */
#include <string.h>

#include "internal.h"

/* One item of a pattern or replacement. P_PUSH / P_LABELREF / P_LABEL carry a variable:
 * the first occurrence in a pattern binds it, later ones must be equal. */
typedef enum PKind { P_END, P_OP, P_PUSH, P_LABELREF, P_LABEL } PKind;
typedef struct PItem {
    uint8_t kind;
    uint8_t op;     /* P_OP */
    uint8_t var;    /* P_PUSH, P_LABELREF, P_LABEL: variable 0..3 */
} PItem;

enum { RULE_MAX = 8, VARS = 4 };
typedef struct Rule {
    const char *name;
    PItem pat[RULE_MAX];
    PItem rep[RULE_MAX];
} Rule;

#define OP(o) {P_OP, EVM_##o, 0}
#define PUSH(v) {P_PUSH, 0, v}
#define REF(v) {P_LABELREF, 0, v}
#define LBL(v) {P_LABEL, 0, v}

static const Rule rules[] = {
    /* a word stored and read back at once stays on the stack too */
    {"store-load", {PUSH(0), OP(MSTORE), PUSH(0), OP(MLOAD)}, {OP(DUP1), PUSH(0), OP(MSTORE)}},
    /* if !c goto a; goto b; a: ...  =>  if c goto b; a: ... */
    {"branch-over-jump", {OP(ISZERO), REF(0), OP(JUMPI), REF(1), OP(JUMP), LBL(0)},
     {REF(1), OP(JUMPI), LBL(0)}},
    {"jump-to-next", {REF(0), OP(JUMP), LBL(0)}, {LBL(0)}},
    {"double-not-branch", {OP(ISZERO), OP(ISZERO), REF(0), OP(JUMPI)}, {REF(0), OP(JUMPI)}},
    /* a checked copy whose original is dropped: check the original */
    {"check-dropped-shr", {OP(DUP1), PUSH(0), OP(SHR), REF(1), OP(JUMPI), OP(POP)},
     {PUSH(0), OP(SHR), REF(1), OP(JUMPI)}},
    {"check-dropped-shl", {OP(DUP1), PUSH(0), OP(SHL), REF(1), OP(JUMPI), OP(POP)},
     {PUSH(0), OP(SHL), REF(1), OP(JUMPI)}},
    /* [p] v DUP2 MSTORE s SWAP1 => v p MSTORE s p: one word stored at p, [s, p] left */
    {"store-at-pushed-cd", {PUSH(0), PUSH(1), OP(CALLDATALOAD), OP(DUP2), OP(MSTORE), PUSH(2),
                            OP(SWAP1)},
     {PUSH(1), OP(CALLDATALOAD), PUSH(0), OP(MSTORE), PUSH(2), PUSH(0)}},
    {"store-at-pushed-m", {PUSH(0), PUSH(1), OP(MLOAD), OP(DUP2), OP(MSTORE), PUSH(2), OP(SWAP1)},
     {PUSH(1), OP(MLOAD), PUSH(0), OP(MSTORE), PUSH(2), PUSH(0)}},
    {"push-pop", {PUSH(0), OP(POP)}, {{P_END, 0, 0}}},
    {"dup-pop", {OP(DUP1), OP(POP)}, {{P_END, 0, 0}}},
    {"swap-add", {OP(SWAP1), OP(ADD)}, {OP(ADD)}},
    {"swap-mul", {OP(SWAP1), OP(MUL)}, {OP(MUL)}},
    {"swap-and", {OP(SWAP1), OP(AND)}, {OP(AND)}},
    {"swap-or", {OP(SWAP1), OP(OR)}, {OP(OR)}},
    {"swap-xor", {OP(SWAP1), OP(XOR)}, {OP(XOR)}},
    {"swap-eq", {OP(SWAP1), OP(EQ)}, {OP(EQ)}},
    {"dup-swap", {OP(DUP1), OP(SWAP1)}, {OP(DUP1)}},
    {"swap-swap", {OP(SWAP1), OP(SWAP1)}, {{P_END, 0, 0}}},
};
enum { NRULES = sizeof rules / sizeof rules[0] };

static int plen(const PItem *p) {
    int n = 0;
    while (n < RULE_MAX && p[n].kind != P_END)
        n++;
    return n;
}

/* Does the pattern match at items[i..]? Binds pushes in imm[], labels in lab[]. */
static bool match(const EvmAsm *a, int i, const Rule *r, U256 *imm, int *lab) {
    bool bound[VARS] = {false};
    int n = plen(r->pat);
    if (i + n > a->n)
        return false;
    for (int k = 0; k < n; k++) {
        const EvmItem *it = &a->items[i + k];
        const PItem *p = &r->pat[k];
        switch ((PKind)p->kind) {
        case P_OP:
            if (it->kind != EI_OP || it->op != p->op)
                return false;
            break;
        case P_PUSH:
            if (it->kind != EI_PUSH)
                return false;
            if (bound[p->var] && !u256_eq(imm[p->var], it->imm))
                return false;
            imm[p->var] = it->imm, bound[p->var] = true;
            break;
        case P_LABELREF:
        case P_LABEL:
            if (it->kind != (p->kind == P_LABEL ? EI_LABEL : EI_PUSHLABEL))
                return false;
            if (bound[p->var] && lab[p->var] != it->label)
                return false;
            lab[p->var] = it->label, bound[p->var] = true;
            break;
        case P_END:
            break;
        }
    }
    return true;
}

static unsigned byte_width(U256 v) {
    return (u256_bit_length(v) + 7) / 8;
}

/* Applies the rules left to right over the whole buffer once; true when any fired. */
static bool apply_rules(EvmAsm *a) {
    EvmItem *out = ARENA_ARRAY(a->arena, EvmItem, a->n + 1);
    int n = 0;
    bool changed = false;
    for (int i = 0; i < a->n;) {
        U256 imm[VARS];
        int lab[VARS];
        const Rule *r = NULL;
        for (int k = 0; k < NRULES && !r; k++)
            if (match(a, i, &rules[k], imm, lab))
                r = &rules[k];
        if (!r) {
            out[n++] = a->items[i++];
            continue;
        }
        const EvmItem *first = &a->items[i];
        int np = plen(r->pat), nr = plen(r->rep);
        for (int k = 0; k < nr; k++) {
            const PItem *p = &r->rep[k];
            EvmItem it = *first;
            it.comment = NULL;
            it.jump = '-';
            it.label = -1;
            if (p->kind == P_OP) {
                it.kind = EI_OP, it.op = p->op;
                /* a jump keeps its source-map kind ('i' / 'o') from the pattern's jump */
                for (int q = 0; q < np; q++)
                    if (a->items[i + q].kind == EI_OP && a->items[i + q].op == p->op)
                        it.jump = a->items[i + q].jump;
            } else if (p->kind == P_PUSH) {
                it.kind = EI_PUSH, it.imm = imm[p->var];
                it.width = (uint8_t)byte_width(it.imm);
            } else {
                it.kind = p->kind == P_LABEL ? EI_LABEL : EI_PUSHLABEL;
                it.label = lab[p->var];
                it.width = 1;
            }
            out[n++] = it;
        }
        i += np;
        changed = true;
    }
    a->items = out;
    a->n = n;
    a->cap = a->n + 1;
    return changed;
}

static bool is_op(const EvmItem *it, EvmOp op) {
    return it->kind == EI_OP && it->op == op;
}

/* The rule store-at-pushed with a value read by DUPn (a parameter on the stack):
 * [p] DUPn DUP2 MSTORE s SWAP1  =>  DUP(n-1) p MSTORE s p   (n >= 2; the word at p, [s, p] left) */
static bool store_at_pushed_dup(EvmAsm *a) {
    bool changed = false;
    for (int i = 0; i + 6 <= a->n; i++) {
        EvmItem *it = &a->items[i];
        if (it[0].kind != EI_PUSH || it[1].kind != EI_OP || it[1].op < EVM_DUP2 ||
            it[1].op > EVM_DUP16 || !is_op(&it[2], EVM_DUP2) || !is_op(&it[3], EVM_MSTORE) ||
            it[4].kind != EI_PUSH || !is_op(&it[5], EVM_SWAP1))
            continue;
        EvmItem p = it[0], d = it[1];
        d.op = (uint8_t)(d.op - 1);
        it[0] = d;
        it[1] = p;
        it[2] = it[3];                 /* MSTORE */
        it[3] = it[4];                 /* s */
        it[4] = p;
        it[4].comment = NULL;
        /* drop the SWAP1 */
        memmove(&it[5], &it[6], sizeof(EvmItem) * (size_t)(a->n - i - 6));
        a->n--;
        changed = true;
    }
    return changed;
}

static bool is_exit(const EvmItem *it) {
    if (it->kind != EI_OP)
        return false;
    switch ((EvmOp)it->op) {
    case EVM_JUMP: case EVM_STOP: case EVM_RETURN: case EVM_REVERT: case EVM_INVALID:
    case EVM_SELFDESTRUCT:
        return true;
    default:
        return false;
    }
}

/* Drops code that no path reaches: after an exit, up to the next label, mark or data. */
static bool drop_unreachable(EvmAsm *a) {
    int n = 0;
    bool dead = false, changed = false;
    for (int i = 0; i < a->n; i++) {
        EvmItem *it = &a->items[i];
        if (it->kind == EI_LABEL || it->kind == EI_MARK || it->kind == EI_DATA)
            dead = false;
        if (dead) {
            changed = true;
            continue;
        }
        a->items[n++] = *it;
        if (is_exit(it))
            dead = true;
    }
    a->n = n;
    return changed;
}

/* Labels placed at the same spot (only marks between): pushes of the later ones refer
 * to the first, so that one JUMPDEST serves all. */
static void alias_labels(EvmAsm *a) {
    int *alias = ARENA_ARRAY(a->arena, int, a->nlabels + 1);
    for (int l = 0; l < a->nlabels; l++)
        alias[l] = l;
    int first = -1;
    for (int i = 0; i < a->n; i++) {
        EvmItem *it = &a->items[i];
        if (it->kind == EI_LABEL) {
            if (first >= 0)
                alias[it->label] = first, it->kind = EI_MARK;
            else
                first = it->label;
        } else if (it->kind != EI_MARK) {
            first = -1;
        }
    }
    for (int i = 0; i < a->n; i++)
        if (a->items[i].kind == EI_PUSHLABEL)
            a->items[i].label = alias[a->items[i].label];
}

/* A label no push refers to is only fallen into: no JUMPDEST needed. */
static bool unmark_unused_labels(EvmAsm *a) {
    bool *used = ARENA_ARRAY(a->arena, bool, a->nlabels + 1);
    for (int i = 0; i < a->n; i++)
        if (a->items[i].kind == EI_PUSHLABEL)
            used[a->items[i].label] = true;
    bool changed = false;
    for (int i = 0; i < a->n; i++) {
        EvmItem *it = &a->items[i];
        if (it->kind == EI_LABEL && !used[it->label])
            it->kind = EI_MARK, changed = true;
    }
    return changed;
}

static bool same_item(const EvmItem *x, const EvmItem *y) {
    if (x->kind != y->kind)
        return false;
    switch ((EvmItemKind)x->kind) {
    case EI_OP: return x->op == y->op;
    case EI_PUSH: return u256_eq(x->imm, y->imm);
    case EI_PUSHLABEL: return x->label == y->label;
    default: return false;   /* labels, marks and data never merge */
    }
}

static uint32_t est_size(const EvmItem *it) {
    return it->kind == EI_PUSH ? 1u + it->width : it->kind == EI_PUSHLABEL ? 3u : 1u;
}

static bool is_revert(const EvmItem *it) {
    return it->kind == EI_OP && (it->op == EVM_REVERT || it->op == EVM_INVALID);
}

/* `ISZERO PUSH ok JUMPI <code ending in REVERT> ok:` (a require and its failure) becomes
 * `PUSH fail JUMPI ok: ...` with the failing code moved to the end: the passing path loses
 * the ISZERO and the JUMPDEST it fell into. True when a block moved. */
static bool move_cold_blocks(EvmAsm *a) {
    int *refs = ARENA_ARRAY(a->arena, int, a->nlabels + 1);
    for (int i = 0; i < a->n; i++)
        if (a->items[i].kind == EI_PUSHLABEL)
            refs[a->items[i].label]++;
    int tail = a->n;   /* trailing marks and data (creation code's runtime) stay last */
    while (tail > 0 && (a->items[tail - 1].kind == EI_MARK || a->items[tail - 1].kind == EI_DATA))
        tail--;
    EvmItem *hot = ARENA_ARRAY(a->arena, EvmItem, a->n + 1);
    EvmItem *cold = ARENA_ARRAY(a->arena, EvmItem, 2 * a->n + 1);
    int nh = 0, nc = 0;
    bool moved = false;
    for (int i = 0; i < tail; i++) {
        const EvmItem *it = &a->items[i];
        int e = i + 3;
        bool ok = it->kind == EI_OP && it->op == EVM_ISZERO && i + 2 < tail &&
                  a->items[i + 1].kind == EI_PUSHLABEL && a->items[i + 2].kind == EI_OP &&
                  a->items[i + 2].op == EVM_JUMPI;
        for (; ok && e < tail && !is_exit(&a->items[e]); e++) {
            const EvmItem *x = &a->items[e];
            if (x->kind == EI_DATA || ((x->kind == EI_LABEL || x->kind == EI_MARK) && refs[x->label]))
                ok = false;   /* nothing else may enter the moved code */
        }
        ok = ok && e + 1 < tail && is_revert(&a->items[e]) && a->items[e + 1].kind == EI_LABEL &&
             a->items[e + 1].label == a->items[i + 1].label;
        if (!ok) {
            hot[nh++] = *it;
            continue;
        }
        int fail = evm_asm_new_label(a, NULL);
        EvmItem push = a->items[i + 1];
        push.label = fail;
        hot[nh++] = push;
        hot[nh++] = a->items[i + 2];
        EvmItem lbl = a->items[i + 3];
        lbl.kind = EI_LABEL, lbl.label = fail, lbl.comment = NULL, lbl.jump = '-';
        cold[nc++] = lbl;
        for (int k = i + 3; k <= e; k++)
            cold[nc++] = a->items[k];
        i = e;   /* `ok:` comes next, fallen into now */
        moved = true;
    }
    if (!moved)
        return false;
    if (nh && !is_exit(&hot[nh - 1])) {
        /* running off the end of the code stops: the moved blocks must not change that */
        EvmItem stop = hot[nh - 1];
        stop.kind = EI_OP, stop.op = EVM_STOP, stop.label = -1, stop.comment = NULL;
        stop.jump = '-';
        hot[nh++] = stop;
    }
    EvmItem *out = ARENA_ARRAY(a->arena, EvmItem, nh + nc + (a->n - tail) + 1);
    memcpy(out, hot, sizeof *out * (size_t)nh);
    memcpy(out + nh, cold, sizeof *out * (size_t)nc);
    memcpy(out + nh + nc, a->items + tail, sizeof *out * (size_t)(a->n - tail));
    a->items = out;
    a->n = nh + nc + (a->n - tail);
    a->cap = a->n + 1;
    return true;
}

/* Cross-jumping on failure paths: when two code sequences ending in REVERT end with the
 * same items, the later one jumps into the earlier one instead (identical code does the
 * same on any stack, so one copy serves both). Only reverting tails: the extra jump costs
 * gas on paths that fail anyway. One merge per call; true when one was made. */
static bool merge_revert_tails(EvmAsm *a) {
    int best_e1 = -1, best_e2 = -1, best_len = 0;
    uint32_t best_bytes = 0;
    for (int e2 = 0; e2 < a->n; e2++) {
        if (!is_revert(&a->items[e2]))
            continue;
        for (int e1 = 0; e1 < e2; e1++) {
            if (!is_revert(&a->items[e1]) || a->items[e1].op != a->items[e2].op)
                continue;
            int len = 1;
            uint32_t bytes = 1;
            while (e1 - len >= 0 && e2 - len > e1) {
                const EvmItem *x = &a->items[e1 - len], *y = &a->items[e2 - len];
                /* not past a branch: its other path must not pay for the jump */
                if (!same_item(x, y) || is_exit(x) || (x->kind == EI_OP && x->op == EVM_JUMPI))
                    break;
                bytes += est_size(x);
                len++;
            }
            if (bytes > best_bytes) {
                best_bytes = bytes, best_len = len, best_e1 = e1, best_e2 = e2;
            }
        }
    }
    /* a jump is PUSH2 + JUMP + the JUMPDEST: worth it only above that */
    if (best_bytes < 6)
        return false;
    int s1 = best_e1 - best_len + 1, s2 = best_e2 - best_len + 1;
    int label = evm_asm_new_label(a, NULL);
    EvmItem *out = ARENA_ARRAY(a->arena, EvmItem, a->n + 2);
    int n = 0;
    for (int i = 0; i < a->n; i++) {
        if (i == s1) {
            EvmItem l = a->items[i];
            l.kind = EI_LABEL, l.label = label, l.comment = NULL, l.jump = '-';
            out[n++] = l;
        }
        if (i == s2) {
            EvmItem p = a->items[i];
            p.kind = EI_PUSHLABEL, p.label = label, p.width = 1, p.comment = NULL, p.jump = '-';
            out[n++] = p;
            p.kind = EI_OP, p.op = EVM_JUMP, p.label = -1;
            out[n++] = p;
            i = best_e2;
            continue;
        }
        out[n++] = a->items[i];
    }
    a->items = out;
    a->n = n;
    a->cap = n + 2;
    return true;
}

/* ---- redundant stores to scratch memory ---- */
enum { SCRATCH = 4 };   /* words 0x00-0x7f: map keys and slots for hashing */
typedef struct Scratch {
    bool known[SCRATCH];
    U256 val[SCRATCH];
} Scratch;

static void scratch_meet(Scratch *into, const Scratch *other) {
    for (int k = 0; k < SCRATCH; k++)
        if (!other->known[k] || !into->known[k] || !u256_eq(into->val[k], other->val[k]))
            into->known[k] = false;
}

static bool writes_memory(const EvmItem *it) {
    if (it->kind != EI_OP)
        return false;
    switch ((EvmOp)it->op) {
    case EVM_MSTORE: case EVM_MSTORE8: case EVM_MCOPY: case EVM_CALLDATACOPY: case EVM_CODECOPY:
    case EVM_RETURNDATACOPY: case EVM_EXTCODECOPY: case EVM_CALL: case EVM_CALLCODE:
    case EVM_DELEGATECALL: case EVM_STATICCALL:
        return true;
    default:
        return false;
    }
}

static bool is_push_const(const EvmItem *it, uint64_t *v) {
    if (it->kind != EI_PUSH || u256_bit_length(it->imm) > 32)
        return false;
    *v = u256_low64(it->imm);
    return true;
}

/* `PUSH c PUSH k*32 MSTORE` where scratch word k already holds c (the slot of a map hashed
 * again, the same key) is dropped. Known contents flow along straight code and forward
 * jumps; a label reached by anything else (a return address, a backward jump) forgets. */
static void drop_scratch_rewrites(EvmAsm *a) {
    int nl = a->nlabels;
    int *refs = ARENA_ARRAY(a->arena, int, nl + 1), *seen = ARENA_ARRAY(a->arena, int, nl + 1);
    bool *indirect = ARENA_ARRAY(a->arena, bool, nl + 1);
    Scratch *at = ARENA_ARRAY(a->arena, Scratch, nl + 1);
    for (int i = 0; i < a->n; i++) {
        const EvmItem *it = &a->items[i];
        if (it->kind != EI_PUSHLABEL)
            continue;
        refs[it->label]++;
        const EvmItem *nx = i + 1 < a->n ? &a->items[i + 1] : NULL;
        if (!nx || nx->kind != EI_OP || (nx->op != EVM_JUMP && nx->op != EVM_JUMPI))
            indirect[it->label] = true;
    }
    Scratch cur = {0};
    int n = 0;
    for (int i = 0; i < a->n; i++) {
        EvmItem *it = &a->items[i];
        if (it->kind == EI_LABEL) {
            bool fall = n > 0 && !is_exit(&a->items[n - 1]);
            int l = it->label;
            if (indirect[l] || seen[l] < refs[l]) {
                memset(&cur, 0, sizeof cur);
            } else if (!fall) {
                cur = at[l];
            } else if (seen[l]) {
                scratch_meet(&cur, &at[l]);
            }
        } else if (it->kind == EI_DATA) {
            memset(&cur, 0, sizeof cur);
        } else if (it->kind == EI_PUSHLABEL && !indirect[it->label]) {
            int l = it->label;
            if (seen[l]++)
                scratch_meet(&at[l], &cur);
            else
                at[l] = cur;
        }
        uint64_t addr;
        if (i + 2 < a->n && is_push_const(&a->items[i + 1], &addr) && addr % 32 == 0 &&
            addr < 32 * SCRATCH && a->items[i].kind == EI_PUSH &&
            a->items[i + 2].kind == EI_OP && a->items[i + 2].op == EVM_MSTORE) {
            int k = (int)(addr / 32);
            if (cur.known[k] && u256_eq(cur.val[k], it->imm)) {
                i += 2;   /* the word holds it already */
                continue;
            }
            cur.known[k] = true, cur.val[k] = it->imm;
            a->items[n++] = a->items[i], a->items[n++] = a->items[i + 1];
            a->items[n++] = a->items[i + 2];
            i += 2;
            continue;
        }
        if (writes_memory(it)) {
            /* a store at a constant address outside scratch forgets nothing */
            const EvmItem *pv = n > 0 ? &a->items[n - 1] : NULL;
            if ((it->op == EVM_MSTORE || it->op == EVM_MSTORE8) && pv && is_push_const(pv, &addr)) {
                for (int k = 0; k < SCRATCH; k++)
                    if (addr < 32u * k + 32 && addr + 32 > 32u * k)
                        cur.known[k] = false;
            } else {
                memset(&cur, 0, sizeof cur);
            }
        }
        a->items[n++] = *it;
    }
    a->n = n;
}

void evm_asm_optimize(EvmAsm *a) {
    for (int round = 0; round < 64; round++) {
        bool changed = apply_rules(a);
        changed = store_at_pushed_dup(a) || changed;
        changed = drop_unreachable(a) || changed;
        if (!changed)
            break;
    }
    move_cold_blocks(a);
    for (int round = 0; round < 256 && merge_revert_tails(a); round++)
        ;
    unmark_unused_labels(a);
    alias_labels(a);
    drop_scratch_rewrites(a);
    /* labels' item indexes moved */
    for (int l = 0; l < a->nlabels; l++)
        a->label_item[l] = -1;
    for (int i = 0; i < a->n; i++)
        if (a->items[i].kind == EI_LABEL || a->items[i].kind == EI_MARK)
            a->label_item[a->items[i].label] = i;
}
