/* instance.c — loading a module into a store and instantiating it: import matching, globals
 * from constant expressions, tables/memories, element and data segments in spec order,
 * the start function; exports; memory.grow and table.grow. */
#include <stdio.h>

#include "vm/vm_int.h"

VmStatus vm_module_load(VmStore *s, const uint8_t *bytes, size_t len, VmModule **out, VmError *err) {
    VmStatus st = VM_OK;
    VmError local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    *out = NULL;
    VmModule *m = vm_alloc(sizeof *m);
    if (!m) return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    m->start = -1;
    m->fuel = s->lim.fuel != 0;
    m->gas = s->gas_metering;
    m->bytes = vm_alloc(len);
    if (!m->bytes) { st = vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory"); goto fail; }
    if (len) memcpy(m->bytes, bytes, len);
    m->len = len;
    TRY(vm_decode(s, m, err));
    TRY(vm_validate(s, m, err));
    for (uint32_t i = 0; i < m->ntypes; i++) {
        bool oom = false;
        m->types[i].canon = vm_canon_type(s, &m->types[i], &oom);
        if (oom) { st = vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory"); goto fail; }
    }
    m->next = s->modules;
    s->modules = m;
    *out = m;
    return VM_OK;
fail:
    vm_module_release(m);
    return st;
}

uint32_t vm_module_import_count(const VmModule *m) { return m->nimports; }
void vm_module_import(const VmModule *m, uint32_t i, const char **module, size_t *module_len,
                      const char **name, size_t *name_len, uint8_t *kind) {
    *module = m->imports[i].module;
    *module_len = m->imports[i].module_len;
    *name = m->imports[i].name;
    *name_len = m->imports[i].name_len;
    *kind = m->imports[i].kind;
}

int64_t vm_memory_grow(VmStore *s, VmMemory *m, uint32_t delta) {
    uint32_t old = m->pages;
    uint64_t cap = m->has_max ? m->max : VM_MAX_PAGES;
    if (cap > s->lim.memory_pages) cap = s->lim.memory_pages;
    if ((uint64_t)old + delta > cap) return -1;
    if (delta == 0) return old;
    if (s->gas_metering) { /* contract mode: growth is paid for first (gas.def) */
        uint64_t cost = (uint64_t)delta * vm_gas_page_cost();
        if (s->gas < cost) return -1;
        s->gas -= cost;
    }
    uint64_t size = ((uint64_t)old + delta) * 65536;
    if (size > SIZE_MAX) return -1;
    uint8_t *d = vm_realloc(m->data, (size_t)size);
    if (!d) return -1;
    memset(d + m->size, 0, (size_t)(size - m->size));
    m->data = d; m->size = size; m->pages = old + delta;
    return old;
}

int64_t vm_table_grow(VmStore *s, VmTable *t, uint32_t delta, uint64_t init) {
    uint32_t old = t->size;
    uint64_t cap = t->has_max ? t->max : 0xffffffffu;
    if (cap > s->lim.table_size) cap = s->lim.table_size;
    if ((uint64_t)old + delta > cap) return -1;
    if (delta == 0) return old;
    uint64_t *e = vm_realloc(t->elems, sizeof(uint64_t) * ((size_t)old + delta));
    if (!e) return -1;
    for (uint32_t i = 0; i < delta; i++) e[old + i] = init;
    t->elems = e; t->size = old + delta;
    return old;
}

/* Evaluates a validated constant expression. */
static uint64_t eval_const(VmInstance *inst, Expr e) {
    const uint8_t *b = inst->m->bytes;
    size_t pos = e.off, end = (size_t)e.off + e.len;
    uint64_t v = 0, x = 0;
    while (pos < end) {
        uint8_t op = b[pos++];
        switch (op) {
        case 0x0b: return v;
        case 0x41: vm_read_leb(b, end, &pos, 32, true, &x, NULL); v = (uint32_t)x; break;
        case 0x42: vm_read_leb(b, end, &pos, 64, true, &x, NULL); v = x; break;
        case 0x43: { uint32_t f; memcpy(&f, b + pos, 4); pos += 4; v = f; break; }
        case 0x44: memcpy(&v, b + pos, 8); pos += 8; break;
        case 0xd0: pos++; v = 0; break;
        case 0xd2: vm_read_leb(b, end, &pos, 32, false, &x, NULL); v = (uintptr_t)inst->funcs[x]; break;
        case 0x23: vm_read_leb(b, end, &pos, 32, false, &x, NULL); v = inst->globals[x]->val; break;
        default: return v;
        }
    }
    return v;
}

static bool limits_match(Limits have, uint32_t have_size, Limits want) {
    if (have_size < want.min) return false;
    if (want.has_max) {
        if (!have.has_max || have.max > want.max) return false;
    }
    return true;
}

static VmStatus link_imports(VmModule *m, VmInstance *inst, const VmExtern *imports, VmError *err) {
    uint32_t fi = 0, ti = 0, mi = 0, gi = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        Import *im = &m->imports[i];
        const VmExtern *x = &imports[i];
        if (!x->ptr || x->kind != im->kind)
            return vm_error(err, VM_UNLINKABLE, 0, "incompatible import type for %s.%s", im->module, im->name);
        switch (im->kind) {
        case VM_EXTERN_FUNC: {
            VmFunc *f = x->ptr;
            if (f->type->canon != inst->canon[im->type])
                return vm_error(err, VM_UNLINKABLE, 0, "incompatible import type for %s.%s", im->module, im->name);
            inst->funcs[fi++] = f;
            break;
        }
        case VM_EXTERN_TABLE: {
            VmTable *t = x->ptr;
            Limits have = { t->size, t->max, t->has_max };
            if (t->type != im->elem_type || !limits_match(have, t->size, im->lim))
                return vm_error(err, VM_UNLINKABLE, 0, "incompatible import type for %s.%s", im->module, im->name);
            inst->tables[ti++] = t;
            break;
        }
        case VM_EXTERN_MEMORY: {
            VmMemory *mem = x->ptr;
            Limits have = { mem->pages, mem->max, mem->has_max };
            if (!limits_match(have, mem->pages, im->lim))
                return vm_error(err, VM_UNLINKABLE, 0, "incompatible import type for %s.%s", im->module, im->name);
            inst->mems[mi++] = mem;
            break;
        }
        case VM_EXTERN_GLOBAL: {
            VmGlobal *g = x->ptr;
            if (g->type != im->gtype || g->mut != im->gmut)
                return vm_error(err, VM_UNLINKABLE, 0, "incompatible import type for %s.%s", im->module, im->name);
            inst->globals[gi++] = g;
            break;
        }
        }
    }
    return VM_OK;
}

VmStatus vm_instantiate(VmStore *s, VmModule *m, const VmExtern *imports, uint32_t nimports,
                        VmInstance **out, VmError *err) {
    VmStatus st = VM_OK;
    VmError local;
    if (!err) err = &local;
    memset(err, 0, sizeof *err);
    *out = NULL;
    if (nimports != m->nimports)
        return vm_error(err, VM_UNLINKABLE, 0, "module needs %u imports, %u given", m->nimports, nimports);
    VmInstance *inst = vm_alloc(sizeof *inst);
    if (!inst) return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    inst->m = m;
    /* linked first so that vm_store_free releases a half-built instance */
    inst->next = s->instances;
    s->instances = inst;
    inst->funcs = vm_alloc(sizeof(VmFunc *) * (m->nfuncs + 1));
    inst->own_funcs = vm_alloc(sizeof(VmFunc) * (m->nfuncs - m->nfunc_imports + 1));
    inst->tables = vm_alloc(sizeof(VmTable *) * (m->ntables + 1));
    inst->mems = vm_alloc(sizeof(VmMemory *) * (m->nmems + 1));
    inst->globals = vm_alloc(sizeof(VmGlobal *) * (m->nglobals + 1));
    inst->elem_refs = vm_alloc(sizeof(uint64_t *) * (m->nelems + 1));
    inst->elem_len = vm_alloc(sizeof(uint32_t) * (m->nelems + 1));
    inst->data_len = vm_alloc(sizeof(uint32_t) * (m->ndatas + 1));
    inst->canon = vm_alloc(sizeof(uint32_t) * (m->ntypes + 1));
    if (!inst->funcs || !inst->own_funcs || !inst->tables || !inst->mems || !inst->globals ||
        !inst->elem_refs || !inst->elem_len || !inst->data_len || !inst->canon)
        return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    for (uint32_t i = 0; i < m->ntypes; i++) inst->canon[i] = m->types[i].canon;
    TRY(link_imports(m, inst, imports, err));
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        VmFunc *f = &inst->own_funcs[i - m->nfunc_imports];
        f->type = &m->types[m->func_type[i]];
        f->inst = inst;
        f->code = &m->funcs[i - m->nfunc_imports].code;
        inst->funcs[i] = f;
    }
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        TableDef *t = &m->tables[i];
        if (t->lim.min > s->lim.table_size)
            return vm_error(err, VM_LIMIT, 0, "table of %u elements (limit is %u)", t->lim.min, s->lim.table_size);
        if (!(inst->tables[i] = vm_table_new(s, t->type, t->lim.min, t->lim.max, t->lim.has_max)))
            return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    }
    for (uint32_t i = m->nmem_imports; i < m->nmems; i++) {
        Limits *l = &m->mems[i];
        if (l->min > s->lim.memory_pages)
            return vm_error(err, VM_LIMIT, 0, "memory of %u pages (limit is %u)", l->min, s->lim.memory_pages);
        if (!(inst->mems[i] = vm_memory_new(s, l->min, l->max, l->has_max)))
            return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    }
    inst->mem0 = m->nmems ? inst->mems[0] : NULL;
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        GlobalDef *g = &m->globals[i];
        if (!(inst->globals[i] = vm_global_new(s, g->type, g->mut, eval_const(inst, g->init))))
            return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
    }
    for (uint32_t i = 0; i < m->nelems; i++) {
        ElemSeg *e = &m->elems[i];
        inst->elem_refs[i] = vm_alloc(sizeof(uint64_t) * (e->count + 1));
        if (!inst->elem_refs[i]) return vm_error(err, VM_OUT_OF_MEMORY, 0, "out of memory");
        for (uint32_t k = 0; k < e->count; k++)
            inst->elem_refs[i][k] = e->inits ? eval_const(inst, e->inits[k]) : (uintptr_t)inst->funcs[e->funcs[k]];
        inst->elem_len[i] = e->count;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) inst->data_len[i] = m->datas[i].len;
    /* segments in order; a failing one traps but leaves earlier writes in place */
    for (uint32_t i = 0; i < m->nelems; i++) {
        ElemSeg *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            VmTable *t = inst->tables[e->table];
            uint32_t off = (uint32_t)eval_const(inst, e->offset);
            if ((uint64_t)off + e->count > t->size) {
                snprintf(s->trap_msg, sizeof s->trap_msg, "%s", vm_status_str(VM_TRAP_TABLE_OOB));
                return vm_error(err, VM_TRAP_TABLE_OOB, 0, "out of bounds table access");
            }
            if (e->count) memcpy(t->elems + off, inst->elem_refs[i], sizeof(uint64_t) * e->count);
        }
        if (e->mode != SEG_PASSIVE) inst->elem_len[i] = 0;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        DataSeg *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE) continue;
        VmMemory *mem = inst->mems[0];
        uint32_t off = (uint32_t)eval_const(inst, d->offset);
        if ((uint64_t)off + d->len > mem->size) {
            snprintf(s->trap_msg, sizeof s->trap_msg, "%s", vm_status_str(VM_TRAP_MEM_OOB));
            return vm_error(err, VM_TRAP_MEM_OOB, 0, "out of bounds memory access");
        }
        if (d->len) memcpy(mem->data + off, m->bytes + d->off, d->len);
        vm_memory_mark(mem->dirty, off, d->len);
        inst->data_len[i] = 0;
    }
    if (m->start >= 0) {
        st = vm_invoke(s, inst->funcs[m->start], NULL, 0, NULL, 0);
        if (st != VM_OK) return vm_error(err, st, 0, "%s", vm_store_trap_message(s));
    }
    *out = inst;
    return VM_OK;
fail:
    return st;
}

VmStatus vm_instance_export(VmInstance *inst, const char *name, VmExtern *out) {
    return vm_instance_export_n(inst, name, strlen(name), out);
}

VmStatus vm_instance_export_n(VmInstance *inst, const char *name, size_t len, VmExtern *out) {
    VmModule *m = inst->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        if (m->exports[i].name_len == len && memcmp(m->exports[i].name, name, len) == 0) {
            vm_instance_export_name(inst, i, out);
            return VM_OK;
        }
    }
    return VM_NOT_FOUND;
}

uint32_t vm_instance_export_count(const VmInstance *inst) { return inst->m->nexports; }

const char *vm_instance_export_name(const VmInstance *inst, uint32_t i, VmExtern *out) {
    Export *e = &inst->m->exports[i];
    out->kind = e->kind;
    switch (e->kind) {
    case VM_EXTERN_FUNC: out->ptr = inst->funcs[e->idx]; break;
    case VM_EXTERN_TABLE: out->ptr = inst->tables[e->idx]; break;
    case VM_EXTERN_MEMORY: out->ptr = inst->mems[e->idx]; break;
    default: out->ptr = inst->globals[e->idx]; break;
    }
    return e->name;
}
