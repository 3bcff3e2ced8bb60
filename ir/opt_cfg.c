/* opt_cfg.c — CFG simplification: branches on constants become jumps, unreachable blocks
 * go, a block jumping to a successor it alone reaches absorbs it, and phis with a single
 * distinct operand are replaced by it. Phi operand lists follow every edge change. */
#include "internal.h"


static void phi_drop_pred(IrBlock *b, IrBlock *pred) {
    for (IrInstr *i = b->first; i && i->op == IR_PHI; i = i->next) {
        int w = 0;
        for (int k = 0; k < i->nargs; k++) {
            if (i->phi_blocks[k] == pred) continue;
            i->args[w] = i->args[k];
            i->phi_blocks[w] = i->phi_blocks[k];
            w++;
        }
        i->nargs = w;
    }
}

static void phi_rename_pred(IrBlock *b, IrBlock *from, IrBlock *to) {
    for (IrInstr *i = b->first; i && i->op == IR_PHI; i = i->next)
        for (int k = 0; k < i->nargs; k++)
            if (i->phi_blocks[k] == from) i->phi_blocks[k] = to;
}

static int nsucc(const IrInstr *t) {
    return !t ? 0 : t->op == IR_JMP ? 1 : t->op == IR_BR ? 2 : 0;
}

static bool fold_branches(IrFunc *f) {
    bool changed = false;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *t = b->last;
        if (!t || t->op != IR_BR) continue;
        IrBlock *keep, *drop;
        if (t->targets[0] == t->targets[1]) {
            keep = t->targets[0];
            drop = NULL;
        } else if (t->args[0]->op == IR_CONST) {
            bool c = !u256_is_zero(*t->args[0]->imm);
            keep = t->targets[c ? 0 : 1];
            drop = t->targets[c ? 1 : 0];
        } else {
            continue;
        }
        if (drop) phi_drop_pred(drop, b);
        t->op = IR_JMP;
        t->nargs = 0;
        t->targets[0] = keep;
        t->targets[1] = NULL;
        changed = true;
    }
    return changed;
}

static bool remove_unreachable(IrFunc *f) {
    int n = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        if (b->id + 1 > n) n = b->id + 1;
    Arena scratch;
    arena_init(&scratch);
    char *seen = arena_alloc(&scratch, (size_t)n + 1);
    IrBlock **stack = ARENA_ARRAY(&scratch, IrBlock *, ((size_t)n + 1) * 2);
    int sp = 0;
    stack[sp++] = f->entry;
    seen[f->entry->id] = 1;
    while (sp) {
        IrBlock *b = stack[--sp];
        for (int k = 0; k < nsucc(b->last); k++) {
            IrBlock *s = b->last->targets[k];
            if (!seen[s->id]) {
                seen[s->id] = 1;
                stack[sp++] = s;
            }
        }
    }
    bool changed = false;
    IrBlock *prev = f->entry;
    for (IrBlock *b = f->entry->next_in_func; b; b = prev->next_in_func) {
        if (seen[b->id]) {
            prev = b;
            continue;
        }
        for (int k = 0; k < nsucc(b->last); k++)
            if (seen[b->last->targets[k]->id]) phi_drop_pred(b->last->targets[k], b);
        prev->next_in_func = b->next_in_func;
        b->next_in_func = NULL;
        changed = true;
    }
    arena_free(&scratch);
    return changed;
}

/* Phis whose operands are all one value (or the phi itself) are that value. */
static bool simplify_phis(IrFunc *f) {
    bool changed = false;
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *next;
        for (IrInstr *i = b->first; i && i->op == IR_PHI; i = next) {
            next = i->next;
            IrInstr *same = NULL;
            bool one = true;
            for (int k = 0; k < i->nargs && one; k++) {
                if (i->args[k] == i || i->args[k] == same) continue;
                if (same) one = false;
                else same = i->args[k];
            }
            if (!one || !same) continue;
            ir_replace_uses(f, i, same);
            ir_instr_remove(i);
            changed = true;
        }
    }
    return changed;
}

static bool merge_blocks(IrFunc *f) {
    bool changed = false;
    ir_cfg_compute(f);
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        for (;;) {
            IrInstr *t = b->last;
            if (!t || t->op != IR_JMP) break;
            IrBlock *c = t->targets[0];
            if (c == b || c == f->entry || c->npreds != 1) break;
            /* c's phis have the single operand from b */
            IrInstr *next;
            for (IrInstr *i = c->first; i && i->op == IR_PHI; i = next) {
                next = i->next;
                if (i->nargs != 1) return changed; /* malformed: leave it to the validator */
                ir_replace_uses(f, i, i->args[0]);
                ir_instr_remove(i);
            }
            ir_instr_remove(t);
            for (IrInstr *i = c->first; i; i = next) {
                next = i->next;
                ir_instr_remove(i);
                ir_block_append(b, i);
            }
            /* c's successors now come from b: their phis and predecessor lists say so */
            for (int k = 0; k < nsucc(b->last); k++) {
                IrBlock *s = b->last->targets[k];
                phi_rename_pred(s, c, b);
                for (int q = 0; q < s->npreds; q++)
                    if (s->preds[q] == c) s->preds[q] = b;
            }
            IrBlock *p = f->entry;
            while (p->next_in_func != c) p = p->next_in_func;
            p->next_in_func = c->next_in_func;
            c->next_in_func = NULL;
            changed = true;
        }
    }
    return changed;
}

bool opt_simplify_cfg(IrFunc *f) {
    if (!f->entry) return false;
    bool changed = fold_branches(f);
    changed |= remove_unreachable(f);
    ir_cfg_compute(f);
    changed |= simplify_phis(f);
    changed |= merge_blocks(f);
    changed |= simplify_phis(f);
    ir_cfg_compute(f);
    return changed;
}
