/* abi.c — (shared by the backends) the Solidity ABI description of a contract (functions, constructor, events,
 * errors, with tuple components for structs) and its methodIdentifiers map. */
#include <string.h>

#include "backends/abi/abi.h"

/* snprintf that may truncate (names are bounded in practice, never past the buffer) */
#define FMT(buf, n, ...)                                 \
    do {                                                 \
        if (snprintf(buf, n, __VA_ARGS__) >= (int)(n))   \
            (buf)[(n) - 1] = 0;                          \
    } while (0)

static const IrType *strip_ref(const IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return t;
}

/* The "type" string of an ABI parameter: tuples are "tuple", arrays keep their suffix. */
static void abi_type(const IrModule *m, const IrType *t, char *buf, size_t n) {
    t = strip_ref(t);
    char e[256];
    switch (t->kind) {
    case IRT_STRUCT: FMT(buf, n, "tuple"); break;
    case IRT_ARRAY:
        abi_type(m, t->elem, e, sizeof e);
        FMT(buf, n, "%s[%u]", e, t->len);
        break;
    case IRT_LIST:
        abi_type(m, t->elem, e, sizeof e);
        FMT(buf, n, "%s[]", e);
        break;
    default: ir_type_abi_name(m, t, buf, n); break;
    }
}

static const IrType *innermost(const IrType *t) {
    t = strip_ref(t);
    while (t->kind == IRT_ARRAY || t->kind == IRT_LIST)
        t = strip_ref(t->elem);
    return t;
}

static void param(Json *j, const IrModule *m, const char *name, const IrType *t, int indexed) {
    char buf[512];
    json_obj_open(j);
    json_key(j, "name");
    json_str(j, name ? name : "");
    json_key(j, "type");
    abi_type(m, t, buf, sizeof buf);
    json_str(j, buf);
    const IrType *in = innermost(t);
    if (in->kind == IRT_STRUCT) {
        const IrStruct *st = &m->structs[in->struct_index];
        json_key(j, "components");
        json_arr_open(j);
        for (int f = 0; f < st->nfields; f++)
            param(j, m, st->fields[f].name, st->fields[f].type, -1);
        json_arr_close(j);
        char it[512];
        FMT(it, sizeof it, "struct %s.%s%s", m->name, st->name, buf + strlen("tuple"));
        json_key(j, "internalType");
        json_str(j, it);
    } else {
        json_key(j, "internalType");
        json_str(j, buf);
    }
    if (indexed >= 0) {
        json_key(j, "indexed");
        json_bool(j, indexed != 0);
    }
    json_obj_close(j);
}

static const char *mutability(unsigned flags) {
    if (flags & IR_FN_VIEW)
        return "view";
    if (flags & IR_FN_PAYABLE)
        return "payable";
    return "nonpayable";
}

static void fill_abi(Json *j, const void *vm) {
    const IrModule *m = vm;
    json_arr_open(j);
    for (int i = 0; i < m->nfuncs; i++) {
        const IrFunc *f = m->funcs[i];
        if (f->kind != IR_FN_INIT)
            continue;
        json_obj_open(j);
        json_key(j, "type");
        json_str(j, "constructor");
        json_key(j, "inputs");
        json_arr_open(j);
        for (int p = 0; p < f->nparams; p++)
            param(j, m, f->params[p].name, f->params[p].type, -1);
        json_arr_close(j);
        json_key(j, "stateMutability");
        json_str(j, f->flags & IR_FN_PAYABLE ? "payable" : "nonpayable");
        json_obj_close(j);
    }
    for (int i = 0; i < m->nfuncs; i++) {
        const IrFunc *f = m->funcs[i];
        if (f->kind != IR_FN || !(f->flags & IR_FN_PUB))
            continue;
        json_obj_open(j);
        json_key(j, "type");
        json_str(j, "function");
        json_key(j, "name");
        json_str(j, f->name);
        json_key(j, "inputs");
        json_arr_open(j);
        for (int p = 0; p < f->nparams; p++)
            param(j, m, f->params[p].name, f->params[p].type, -1);
        json_arr_close(j);
        json_key(j, "outputs");
        json_arr_open(j);
        if (f->ret && f->ret->kind != IRT_VOID)
            param(j, m, "", f->ret, -1);
        json_arr_close(j);
        json_key(j, "stateMutability");
        json_str(j, mutability(f->flags));
        json_obj_close(j);
    }
    for (int i = 0; i < m->nevents; i++) {
        const IrEvent *e = &m->events[i];
        json_obj_open(j);
        json_key(j, "type");
        json_str(j, "event");
        json_key(j, "name");
        json_str(j, e->name);
        json_key(j, "inputs");
        json_arr_open(j);
        for (int p = 0; p < e->nfields; p++)
            param(j, m, e->fields[p].name, e->fields[p].type, e->fields[p].indexed);
        json_arr_close(j);
        json_key(j, "anonymous");
        json_bool(j, false);
        json_obj_close(j);
    }
    for (int i = 0; i < m->nerrors; i++) {
        const IrEvent *e = &m->errors[i];
        json_obj_open(j);
        json_key(j, "type");
        json_str(j, "error");
        json_key(j, "name");
        json_str(j, e->name);
        json_key(j, "inputs");
        json_arr_open(j);
        for (int p = 0; p < e->nfields; p++)
            param(j, m, e->fields[p].name, e->fields[p].type, -1);
        json_arr_close(j);
        json_obj_close(j);
    }
    json_arr_close(j);
}

char *abi_json(const IrModule *m, Arena *arena) {
    return json_to_string(arena, false, fill_abi, m);
}

static void fill_ids(Json *j, const void *vm) {
    const IrModule *m = vm;
    /* sorted by signature, as solc prints them */
    const IrFunc *fs[1024];
    int n = 0;
    for (int i = 0; i < m->nfuncs && n < 1024; i++)
        if (m->funcs[i]->kind == IR_FN && (m->funcs[i]->flags & IR_FN_PUB))
            fs[n++] = m->funcs[i];
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && strcmp(fs[b - 1]->signature, fs[b]->signature) > 0; b--) {
            const IrFunc *t = fs[b];
            fs[b] = fs[b - 1];
            fs[b - 1] = t;
        }
    json_obj_open(j);
    for (int i = 0; i < n; i++) {
        char hex[16];
        FMT(hex, sizeof hex, "%08x", fs[i]->selector);
        json_key(j, fs[i]->signature);
        json_str(j, hex);
    }
    json_obj_close(j);
}

char *abi_method_ids_json(const IrModule *m, Arena *arena) {
    return json_to_string(arena, false, fill_ids, m);
}
