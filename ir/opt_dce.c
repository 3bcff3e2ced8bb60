/* opt_dce.c — dead-code elimination: pure instructions (a result, no effect, not a check
 * or terminator) whose value nothing live uses are removed; liveness is marked from the
 * effects, checks and terminators, so dead phi cycles go too. */
#include "internal.h"


static bool is_pure(const IrInstr *i) {
    unsigned fl = ir_op_info[i->op].flags;
    return (fl & OPF_RESULT) && !(fl & (OPF_EFFECT | OPF_TERM | OPF_CHECK));
}

bool opt_dce(IrFunc *f) {
    int n = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next) n++;
    if (n == 0) return false;
    Arena scratch;
    arena_init(&scratch);
    IrInstr **all = ARENA_ARRAY(&scratch, IrInstr *, n);
    IrInstr **work = ARENA_ARRAY(&scratch, IrInstr *, n);
    /* live marks are kept in a side table indexed by position */
    int k = 0;
    for (IrBlock *b = f->entry; b; b = b->next_in_func)
        for (IrInstr *i = b->first; i; i = i->next) all[k++] = i;
    char *live = arena_alloc(&scratch, (size_t)n);
    /* instruction -> position: a linear-probing table keyed by address */
    size_t cap = 1;
    while (cap < (size_t)n * 2) cap <<= 1;
    IrInstr **keys = ARENA_ARRAY(&scratch, IrInstr *, cap);
    int *pos = ARENA_ARRAY(&scratch, int, cap);
    for (int j = 0; j < n; j++) {
        size_t h = ((uintptr_t)all[j] >> 4) & (cap - 1);
        while (keys[h]) h = (h + 1) & (cap - 1);
        keys[h] = all[j];
        pos[h] = j;
    }
    int nwork = 0;
    for (int j = 0; j < n; j++)
        if (!is_pure(all[j])) {
            live[j] = 1;
            work[nwork++] = all[j];
        }
    while (nwork) {
        IrInstr *i = work[--nwork];
        for (int a = 0; a < i->nargs; a++) {
            IrInstr *d = i->args[a];
            if (!d) continue;
            size_t h = ((uintptr_t)d >> 4) & (cap - 1);
            while (keys[h] && keys[h] != d) h = (h + 1) & (cap - 1);
            if (!keys[h] || live[pos[h]]) continue;
            live[pos[h]] = 1;
            work[nwork++] = d;
        }
    }
    bool changed = false;
    int j = 0; /* the blocks are walked in the order `all` was filled */
    for (IrBlock *b = f->entry; b; b = b->next_in_func) {
        IrInstr *prev = NULL, *next;
        for (IrInstr *i = b->first; i; i = next) {
            next = i->next;
            if (live[j++]) {
                prev = i;
                continue;
            }
            ir_instr_unlink(b, prev, i);
            changed = true;
        }
    }
    arena_free(&scratch);
    return changed;
}
