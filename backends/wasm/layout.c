/* layout.c — the contract's Solidity face, kept in this folder so that the wasm target
 * depends on no other backend: the storage layout as solc assigns it (declaration order,
 * small value types packed low to high in a slot, structs and fixed arrays on whole
 * slots, maps/lists/strings one slot each) and the ABI JSON (the shape solc writes). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool is_value(const IrType *t) {
    t = wb_strip(t);
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS || t->kind == IRT_BYTES;
}

uint32_t wb_storage_bytes(const IrType *t) {
    t = wb_strip(t);
    switch (t->kind) {
    case IRT_BOOL: return 1;
    case IRT_ADDRESS: return 20;
    case IRT_INT: case IRT_BYTES: return t->bits / 8;
    default: return 32;
    }
}

uint32_t wb_storage_slots(const IrModule *m, const WbLayout *l, const IrType *t) {
    (void)m;
    t = wb_strip(t);
    if (t->kind == IRT_STRUCT)
        return l->struct_slots[t->struct_index];
    if (t->kind == IRT_ARRAY) {
        if (is_value(t->elem)) {
            uint32_t per = 32 / wb_storage_bytes(t->elem);
            return (t->len + per - 1) / per;
        }
        return t->len * wb_storage_slots(m, l, t->elem);
    }
    return 1;
}

/* Places n members (NULL types take no room) from slot 0; returns the slots used. */
static uint32_t place(const IrModule *m, const WbLayout *l, IrType **types, int n, WbSlot *out) {
    uint32_t slot = 0, used = 0;
    for (int i = 0; i < n; i++) {
        IrType *t = types[i] ? wb_strip(types[i]) : NULL;
        if (!t) {
            out[i] = (WbSlot){{{0}}, 0};
            continue;
        }
        if (is_value(t)) {
            uint32_t b = wb_storage_bytes(t);
            if (used + b > 32)
                slot++, used = 0;
            out[i] = (WbSlot){u256_from_u64(slot), (uint8_t)used};
            used += b;
            continue;
        }
        if (used)
            slot++, used = 0;
        out[i] = (WbSlot){u256_from_u64(slot), 0};
        slot += wb_storage_slots(m, l, t);
    }
    return used ? slot + 1 : slot;
}

void wb_layout_compute(const IrModule *m, Arena *a, WbLayout *l) {
    l->fields = arena_alloc(a, sizeof *l->fields * (size_t)(m->nstructs + 1));
    l->struct_slots = arena_alloc(a, sizeof *l->struct_slots * (size_t)(m->nstructs + 1));
    /* a struct may hold structs declared after it: a few rounds settle the sizes */
    for (int round = 0; round < 4; round++)
        for (int s = 0; s < m->nstructs; s++) {
            const IrStruct *st = &m->structs[s];
            IrType **types = arena_alloc(a, sizeof *types * (size_t)(st->nfields + 1));
            for (int f = 0; f < st->nfields; f++)
                types[f] = st->fields[f].type;
            l->fields[s] = arena_alloc(a, sizeof(WbSlot) * (size_t)(st->nfields + 1));
            uint32_t n = place(m, l, types, st->nfields, l->fields[s]);
            l->struct_slots[s] = n ? n : 1;
        }
    IrType **types = arena_alloc(a, sizeof *types * (size_t)(m->nstorage + 1));
    for (int i = 0; i < m->nstorage; i++)
        types[i] = m->storage[i].ghost ? NULL : m->storage[i].type;   /* ghosts take no slot */
    l->vars = arena_alloc(a, sizeof(WbSlot) * (size_t)(m->nstorage + 1));
    place(m, l, types, m->nstorage, l->vars);
}

void wb_storage_position(const IrModule *m, int var, U256 *slot, unsigned *offset) {
    Arena a;
    arena_init(&a);
    WbLayout l;
    wb_layout_compute(m, &a, &l);
    *slot = l.vars[var].slot;
    *offset = l.vars[var].offset;
    arena_free(&a);
}

/* ---------------- ABI JSON ---------------- */
static void str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* "type": tuples are "tuple", arrays keep their suffixes */
static void abi_type(const IrModule *m, const IrType *t, char *buf, size_t n) {
    t = wb_strip(t);
    char e[256];
    if (t->kind == IRT_STRUCT) {
        snprintf(buf, n, "tuple");
    } else if (t->kind == IRT_ARRAY || t->kind == IRT_LIST) {
        abi_type(m, t->elem, e, sizeof e);
        if (t->kind == IRT_ARRAY)
            snprintf(buf, n, "%s[%u]", e, t->len);
        else
            snprintf(buf, n, "%s[]", e);
    } else {
        ir_type_abi_name(m, t, buf, n);
    }
}

static void param(FILE *f, const IrModule *m, const char *name, const IrType *t, int indexed) {
    char buf[512];
    abi_type(m, t, buf, sizeof buf);
    fputs("{\"name\":", f), str(f, name ? name : ""), fputs(",\"type\":", f), str(f, buf);
    const IrType *in = wb_strip(t);
    while (in->kind == IRT_ARRAY || in->kind == IRT_LIST)
        in = wb_strip(in->elem);
    if (in->kind == IRT_STRUCT) {
        const IrStruct *st = &m->structs[in->struct_index];
        fputs(",\"components\":[", f);
        for (int k = 0; k < st->nfields; k++) {
            if (k)
                fputc(',', f);
            param(f, m, st->fields[k].name, st->fields[k].type, -1);
        }
        char it[768];
        snprintf(it, sizeof it, "struct %s.%s%s", m->name, st->name, buf + strlen("tuple"));
        fputs("],\"internalType\":", f), str(f, it);
    } else {
        fputs(",\"internalType\":", f), str(f, buf);
    }
    if (indexed >= 0)
        fprintf(f, ",\"indexed\":%s", indexed ? "true" : "false");
    fputc('}', f);
}

static void params(FILE *f, const IrModule *m, const IrParam *ps, int n) {
    fputc('[', f);
    for (int k = 0; k < n; k++) {
        if (k)
            fputc(',', f);
        param(f, m, ps[k].name, ps[k].type, -1);
    }
    fputc(']', f);
}

static void fields(FILE *f, const IrModule *m, const IrField *fs, int n, bool event) {
    fputc('[', f);
    for (int k = 0; k < n; k++) {
        if (k)
            fputc(',', f);
        param(f, m, fs[k].name, fs[k].type, event ? fs[k].indexed : -1);
    }
    fputc(']', f);
}

char *wb_abi_json(const IrModule *m, Arena *a) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return arena_strndup(a, "[]", 2);
    bool first = true;
    fputc('[', f);
    for (int pass = 0; pass < 2; pass++)   /* the constructor first, then the functions */
        for (int i = 0; i < m->nfuncs; i++) {
            const IrFunc *fn = m->funcs[i];
            bool ctor = fn->kind == IR_FN_INIT;
            if (pass == 0 ? !ctor : (fn->kind != IR_FN || !(fn->flags & IR_FN_PUB)))
                continue;
            fputs(first ? "" : ",", f), first = false;
            if (ctor) {
                fputs("{\"type\":\"constructor\",\"inputs\":", f);
                params(f, m, fn->params, fn->nparams);
                fprintf(f, ",\"stateMutability\":\"%s\"}", fn->flags & IR_FN_PAYABLE ? "payable" : "nonpayable");
                continue;
            }
            fputs("{\"type\":\"function\",\"name\":", f), str(f, fn->name), fputs(",\"inputs\":", f);
            params(f, m, fn->params, fn->nparams);
            fputs(",\"outputs\":[", f);
            if (fn->ret && fn->ret->kind != IRT_VOID)
                param(f, m, "", fn->ret, -1);
            fprintf(f, "],\"stateMutability\":\"%s\"}",
                    fn->flags & IR_FN_VIEW ? "view" : fn->flags & IR_FN_PAYABLE ? "payable" : "nonpayable");
        }
    for (int i = 0; i < m->nevents; i++) {
        fputs(first ? "" : ",", f), first = false;
        fputs("{\"type\":\"event\",\"name\":", f), str(f, m->events[i].name), fputs(",\"inputs\":", f);
        fields(f, m, m->events[i].fields, m->events[i].nfields, true);
        fputs(",\"anonymous\":false}", f);
    }
    for (int i = 0; i < m->nerrors; i++) {
        fputs(first ? "" : ",", f), first = false;
        fputs("{\"type\":\"error\",\"name\":", f), str(f, m->errors[i].name), fputs(",\"inputs\":", f);
        fields(f, m, m->errors[i].fields, m->errors[i].nfields, false);
        fputc('}', f);
    }
    fputc(']', f);
    fclose(f);
    char *out = arena_strndup(a, text, len);
    free(text);
    return out;
}
