/* store.c — the allocation hook, status names, the store (owner of every runtime object and
 * of the execution stacks), store-wide function type ids, and host-made objects. */
#include <stdio.h>
#include <stdlib.h>

#include "vm/vm_int.h"

static void *default_alloc(void *ud, void *ptr, size_t size) {
    (void)ud;
    if (size == 0) { free(ptr); return NULL; }
    return realloc(ptr, size);
}
static VmAllocFn alloc_fn = default_alloc;
static void *alloc_ud;

void *vm_alloc(size_t n) {
    void *p = alloc_fn(alloc_ud, NULL, n ? n : 1);
    if (p) memset(p, 0, n ? n : 1);
    return p;
}
void *vm_realloc(void *p, size_t n) { return alloc_fn(alloc_ud, p, n ? n : 1); }
void vm_free(void *p) { if (p) alloc_fn(alloc_ud, p, 0); }

enum { BIG_MIN = 16384, BIG_SLOTS = 4 };
typedef struct { void *p; size_t n; bool zeroed; VmAllocFn fn; void *ud; } BigBlock;
static _Thread_local BigBlock big_cache[BIG_SLOTS];

/* Only the default allocator's blocks are kept: an allocation hook sees every block back
 * when its store is freed (tests/vm/alloc_fail counts them). */
void vm_set_alloc(VmAllocFn fn, void *ud) {
    for (int i = 0; i < BIG_SLOTS; i++)
        if (big_cache[i].p) { big_cache[i].fn(big_cache[i].ud, big_cache[i].p, 0); big_cache[i].p = NULL; }
    alloc_fn = fn ? fn : default_alloc; alloc_ud = ud;
}

void *vm_big_alloc(size_t n, bool zero) {
    if (n >= BIG_MIN && alloc_fn == default_alloc) {
        BigBlock *hit = NULL;
        for (int i = 0; i < BIG_SLOTS; i++) {
            BigBlock *b = &big_cache[i];
            if (!b->p || b->n != n || b->fn != alloc_fn || b->ud != alloc_ud) continue;
            if (!hit || (zero && b->zeroed && !hit->zeroed) || (!zero && !b->zeroed && hit->zeroed)) hit = b;
        }
        if (hit) {
            void *p = hit->p;
            if (zero && !hit->zeroed) memset(p, 0, n);
            hit->p = NULL;
            return p;
        }
    }
    return zero ? vm_alloc(n) : vm_realloc(NULL, n);
}

void vm_big_free(void *p, size_t n, bool zeroed) {
    if (!p) return;
    if (n >= BIG_MIN && alloc_fn == default_alloc) {
        BigBlock *slot = NULL;
        for (int i = 0; i < BIG_SLOTS && !slot; i++)
            if (!big_cache[i].p) slot = &big_cache[i];
        if (!slot) { /* full: the new block replaces the first one */
            slot = &big_cache[0];
            slot->fn(slot->ud, slot->p, 0);
        }
        *slot = (BigBlock){ p, n, zeroed, alloc_fn, alloc_ud };
        return;
    }
    vm_free(p);
}

static const char *const status_names[] = {
#define X(name, msg) msg,
#include "vm/status.def"
#undef X
};
_Static_assert(sizeof status_names / sizeof status_names[0] == VM_STATUS_COUNT, "status table");

const char *vm_status_str(VmStatus s) { return (unsigned)s < VM_STATUS_COUNT ? status_names[s] : "?"; }
bool vm_status_is_trap(VmStatus s) { return s >= VM_TRAP_UNREACHABLE && s < VM_STATUS_COUNT; }

VmLimits vm_default_limits(void) {
    VmLimits l = { .call_depth = 20000, .stack_slots = 1u << 20, .memory_pages = 65536,
                   .table_size = 10000000, .fuel = 0 };
    return l;
}

VmStore *vm_store_new(const VmLimits *lim) {
    VmStore *s = vm_alloc(sizeof *s);
    if (!s) return NULL;
    s->lim = lim ? *lim : vm_default_limits();
    if (s->lim.call_depth < 2) s->lim.call_depth = 2;
    if (s->lim.stack_slots < 16) s->lim.stack_slots = 16;
    s->fuel = s->lim.fuel;
    return s; /* the stacks come with the first call */
}

/* A memory's bytes go back zeroed when few chunks were written: only the marked ones (and
 * every chunk aliasing them) are cleared. */
static void memory_release(VmMemory *m) {
    size_t n = m->size ? (size_t)m->size : 1;
    if (n < BIG_MIN || n > ((size_t)4 << 20) || alloc_fn != default_alloc) { vm_free(m->data); return; }
    const size_t chunk = (size_t)1 << VM_DIRTY_SHIFT;
    for (size_t k = 0; k < VM_DIRTY_N; k++) {
        if (!m->dirty[k]) continue;
        for (size_t a = k * chunk; a < n; a += VM_DIRTY_N * chunk)
            memset(m->data + a, 0, chunk + 8 < n - a ? chunk + 8 : n - a);
    }
    vm_big_free(m->data, n, true);
}

void vm_store_free(VmStore *s) {
    if (!s) return;
    for (VmInstance *i = s->instances, *n; i; i = n) {
        n = i->next;
        for (uint32_t k = 0; k < i->m->nelems; k++) vm_free(i->elem_refs ? i->elem_refs[k] : NULL);
        vm_free(i->elem_refs); vm_free(i->elem_len); vm_free(i->data_len);
        vm_free(i->funcs); vm_free(i->own_funcs); vm_free(i->tables); vm_free(i->mems);
        vm_free(i->globals); vm_free(i->canon); vm_free(i);
    }
    for (VmModule *m = s->modules, *n; m; m = n) { n = m->next; vm_module_release(m); }
    for (VmFunc *f = s->hostfuncs, *n; f; f = n) { n = f->next; vm_free(f->own_type.types); vm_free(f); }
    for (VmTable *t = s->tables, *n; t; t = n) { n = t->next; vm_free(t->elems); vm_free(t); }
    for (VmMemory *m = s->mems, *n; m; m = n) { n = m->next; memory_release(m); vm_free(m); }
    for (VmGlobal *g = s->globals, *n; g; g = n) { n = g->next; vm_free(g); }
    for (uint32_t i = 0; i < s->ncanon; i++) vm_free(s->canon[i].types);
    vm_free(s->canon);
    vm_big_free(s->stack, sizeof(Slot) * s->lim.stack_slots, false);
    vm_big_free(s->frames, sizeof(Frame) * s->lim.call_depth, false);
    vm_free(s);
}

const char *vm_store_trap_message(VmStore *s) { return s->trap_msg; }

static bool type_eq(const FuncType *a, const FuncType *b) {
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           memcmp(a->types, b->types, a->nparams + a->nresults) == 0;
}

uint32_t vm_canon_type(VmStore *s, const FuncType *t, bool *oom) {
    for (uint32_t i = 0; i < s->ncanon; i++)
        if (type_eq(&s->canon[i], t)) return i;
    if (s->ncanon == s->capcanon) {
        uint32_t cap = s->capcanon ? s->capcanon * 2 : 16;
        FuncType *n = vm_realloc(s->canon, sizeof *n * cap);
        if (!n) { *oom = true; return 0; }
        s->canon = n; s->capcanon = cap;
    }
    FuncType c = *t;
    c.types = vm_alloc(t->nparams + t->nresults);
    if (!c.types) { *oom = true; return 0; }
    memcpy(c.types, t->types, t->nparams + t->nresults);
    c.canon = s->ncanon;
    s->canon[s->ncanon] = c;
    return s->ncanon++;
}

static uint8_t type_code(char c) {
    switch (c) {
    case 'i': return VM_I32; case 'I': return VM_I64; case 'f': return VM_F32;
    case 'F': return VM_F64; case 'r': return VM_FUNCREF; default: return VM_EXTERNREF;
    }
}

VmFunc *vm_host_func_new(VmStore *s, const char *params, const char *results, VmHostFn fn, void *ud) {
    VmFunc *f = vm_alloc(sizeof *f);
    if (!f) return NULL;
    uint32_t np = (uint32_t)strlen(params), nr = (uint32_t)strlen(results);
    f->own_type.types = vm_alloc(np + nr);
    if (!f->own_type.types) { vm_free(f); return NULL; }
    for (uint32_t i = 0; i < np; i++) f->own_type.types[i] = type_code(params[i]);
    for (uint32_t i = 0; i < nr; i++) f->own_type.types[np + i] = type_code(results[i]);
    f->own_type.nparams = np; f->own_type.nresults = nr;
    bool oom = false;
    f->own_type.canon = vm_canon_type(s, &f->own_type, &oom);
    if (oom) { vm_free(f->own_type.types); vm_free(f); return NULL; }
    f->type = &f->own_type; f->host = fn; f->ud = ud;
    f->next = s->hostfuncs; s->hostfuncs = f;
    return f;
}

VmTable *vm_table_new(VmStore *s, uint8_t elem_type, uint32_t min, uint32_t max, bool has_max) {
    if (min > s->lim.table_size) return NULL;
    VmTable *t = vm_alloc(sizeof *t);
    if (!t) return NULL;
    t->elems = vm_alloc(sizeof(uint64_t) * (min ? min : 1));
    if (!t->elems) { vm_free(t); return NULL; }
    t->type = elem_type; t->size = min; t->max = max; t->has_max = has_max;
    t->next = s->tables; s->tables = t;
    return t;
}

VmMemory *vm_memory_new(VmStore *s, uint32_t min, uint32_t max, bool has_max) {
    if (min > s->lim.memory_pages) return NULL;
    VmMemory *m = vm_alloc(sizeof *m);
    if (!m) return NULL;
    m->size = (uint64_t)min * 65536;
    m->data = vm_big_alloc(m->size ? (size_t)m->size : 1, true);
    if (!m->data) { vm_free(m); return NULL; }
    m->pages = min; m->max = max; m->has_max = has_max;
    m->next = s->mems; s->mems = m;
    return m;
}

VmGlobal *vm_global_new(VmStore *s, uint8_t type, bool mut, uint64_t bits) {
    VmGlobal *g = vm_alloc(sizeof *g);
    if (!g) return NULL;
    g->type = type; g->mut = mut; g->val = bits;
    g->next = s->globals; s->globals = g;
    return g;
}

VmValue vm_global_get(const VmGlobal *g) {
    VmValue v = { g->type, g->val };
    if (g->type == VM_I32 || g->type == VM_F32) v.bits &= 0xffffffffu; /* slots keep junk above */
    return v;
}
VmStatus vm_global_set(VmGlobal *g, VmValue v) {
    if (!g->mut || v.type != g->type) return VM_BAD_ARGS;
    g->val = v.bits;
    return VM_OK;
}

uint8_t *vm_memory_data(VmMemory *m, uint64_t *size) { /* the caller may write anywhere */
    if (size) *size = m->size;
    memset(m->dirty, 1, sizeof m->dirty);
    return m->data;
}
VmStatus vm_memory_read(VmMemory *m, uint64_t addr, void *dst, size_t n) {
    if (addr > m->size || n > m->size - addr) return VM_TRAP_MEM_OOB;
    memcpy(dst, m->data + addr, n);
    return VM_OK;
}
VmStatus vm_memory_write(VmMemory *m, uint64_t addr, const void *src, size_t n) {
    if (addr > m->size || n > m->size - addr) return VM_TRAP_MEM_OOB;
    memcpy(m->data + addr, src, n);
    vm_memory_mark(m->dirty, addr, n);
    return VM_OK;
}

uint32_t vm_func_param_count(const VmFunc *f) { return f->type->nparams; }
uint32_t vm_func_result_count(const VmFunc *f) { return f->type->nresults; }
uint8_t vm_func_param_type(const VmFunc *f, uint32_t i) { return f->type->types[i]; }
uint8_t vm_func_result_type(const VmFunc *f, uint32_t i) { return f->type->types[f->type->nparams + i]; }

VmStatus vm_invoke(VmStore *s, VmFunc *f, const VmValue *args, uint32_t nargs, VmValue *results,
                   uint32_t nresults) {
    const FuncType *t = f->type;
    if (nargs != t->nparams || nresults != t->nresults) return VM_BAD_ARGS;
    for (uint32_t i = 0; i < nargs; i++)
        if (args[i].type != t->types[i]) return VM_BAD_ARGS;
    if (s->running) return VM_BAD_ARGS; /* no re-entry from host functions */
    if (!s->stack) {
        /* not zeroed: frames zero their own locals */
        s->stack = vm_big_alloc(sizeof(Slot) * s->lim.stack_slots, false);
        if (!s->stack) return VM_OUT_OF_MEMORY;
    }
    if (!s->frames) {
        s->frames = vm_big_alloc(sizeof(Frame) * s->lim.call_depth, false);
        if (!s->frames) return VM_OUT_OF_MEMORY;
    }
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    if (n > s->lim.stack_slots) return VM_TRAP_STACK;
    Slot *slots = s->stack;
    for (uint32_t i = 0; i < nargs; i++) slots[i].u64 = args[i].bits;
    s->trap_msg[0] = 0;
    VmStatus st = vm_exec(s, f, slots);
    if (st != VM_OK) {
        if (!s->trap_msg[0]) snprintf(s->trap_msg, sizeof s->trap_msg, "%s", vm_status_str(st));
        return st;
    }
    for (uint32_t i = 0; i < nresults; i++) {
        uint8_t ty = t->types[t->nparams + i];
        results[i].type = ty;
        results[i].bits = (ty == VM_I32 || ty == VM_F32) ? slots[i].u32 : slots[i].u64;
    }
    return VM_OK;
}
