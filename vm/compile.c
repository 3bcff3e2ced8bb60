/* compile.c — the buffer pre-decoded code is emitted into: handler addresses and immediates
 * as 64-bit words, forward-branch chains patched when their block ends, and relocation of
 * branch targets from word indices to addresses once a function is complete. */
#include "vm/vm_int.h"

static void put(Emitter *e, Word w) {
    if (e->oom) return;
    if (e->len == e->cap) {
        uint32_t cap = e->cap ? e->cap * 2 : 64;
        Word *n = vm_realloc(e->w, sizeof *n * cap);
        if (!n) { e->oom = true; return; }
        e->w = n; e->cap = cap;
    }
    e->w[e->len++] = w;
}

void em_op(Emitter *e, int op) { Word w; w.h = e->labels[op]; put(e, w); }
void em_h(Emitter *e, const void *handler) { Word w; w.h = handler; put(e, w); }
void em_u(Emitter *e, uint64_t v) { Word w; w.u = v; put(e, w); }

uint32_t em_target(Emitter *e, uint32_t chain) {
    uint32_t at = e->len;
    em_u(e, chain);
    return e->oom ? 0 : at;
}

static void reloc(Emitter *e, uint32_t at) {
    if (e->oom) return;
    if (e->nrelocs == e->caprelocs) {
        uint32_t cap = e->caprelocs ? e->caprelocs * 2 : 32;
        uint32_t *n = vm_realloc(e->relocs, sizeof *n * cap);
        if (!n) { e->oom = true; return; }
        e->relocs = n; e->caprelocs = cap;
    }
    e->relocs[e->nrelocs++] = at;
}

/* Every slot on the chain gets `target`; the chain is threaded through the slots themselves. */
void em_patch(Emitter *e, uint32_t chain, uint32_t target) {
    while (chain && !e->oom) {
        uint32_t next = (uint32_t)e->w[chain].u;
        e->w[chain].u = target;
        reloc(e, chain);
        chain = next;
    }
}

VmStatus em_finish(Emitter *e, Code *code) {
    if (e->oom) { em_free(e); return VM_OUT_OF_MEMORY; }
    for (uint32_t i = 0; i < e->nrelocs; i++) {
        Word *w = &e->w[e->relocs[i]];
        w->t = e->w + w->u;
    }
    vm_free(e->relocs);
    code->words = e->w;
    e->w = NULL; e->relocs = NULL;
    return VM_OK;
}

void em_free(Emitter *e) {
    vm_free(e->w); vm_free(e->relocs);
    e->w = NULL; e->relocs = NULL;
}
