/* layout.c — the wasm backend's view of the contract's Solidity face. The storage layout
 * and the ABI JSON are computed once for every target by backends/abi (abi.h); this file
 * only adapts them to the backend's WbLayout (slot and offset of each variable and field). */
#include "backends/abi/abi.h"
#include "internal.h"

uint32_t wb_storage_bytes(const IrType *t) {
    return abi_storage_bytes(t);
}

uint32_t wb_storage_slots(const IrModule *m, const WbLayout *l, const IrType *t) {
    return abi_storage_slots(m, l->struct_slots, t);
}

static WbSlot *copy_slots(Arena *a, const AbiSlot *from, int n) {
    WbSlot *to = arena_alloc(a, sizeof(WbSlot) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        to[i] = (WbSlot){from[i].slot, from[i].offset};
    return to;
}

void wb_layout_compute(const IrModule *m, Arena *a, WbLayout *l) {
    AbiLayout al;
    abi_layout_compute(m, a, &al);
    l->struct_slots = al.struct_slots;
    l->fields = arena_alloc(a, sizeof *l->fields * (size_t)(m->nstructs + 1));
    for (int s = 0; s < m->nstructs; s++)
        l->fields[s] = copy_slots(a, al.fields[s], m->structs[s].nfields);
    l->vars = copy_slots(a, al.vars, m->nstorage);
}

void wb_storage_position(const IrModule *m, int var, U256 *slot, unsigned *offset) {
    abi_storage_position(m, var, slot, offset);
}

char *wb_abi_json(const IrModule *m, Arena *a) {
    return abi_json(m, a);
}
