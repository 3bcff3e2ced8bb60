/* layout.c — Solidity-compatible storage layout (shared by the backends): declaration order from slot 0, small
 * value types packed right to left inside a slot as solc packs them, structs and arrays
 * starting (and ending) whole slots, maps and lists one slot (data at keccak256), strings
 * one slot stored as solc stores them; and its storageLayout JSON. */
#include <stdlib.h>
#include <string.h>

#include "backends/abi/abi.h"

/* snprintf that may truncate (names are bounded in practice, never past the buffer) */
#define FMT(buf, n, ...)                                 \
    do {                                                 \
        if (snprintf(buf, n, __VA_ARGS__) >= (int)(n))   \
            (buf)[(n) - 1] = 0;                          \
    } while (0)

static IrType *strip_ref(const IrType *t) {
    while (t && t->kind == IRT_REF)
        t = t->elem;
    return (IrType *)t;
}

uint32_t abi_storage_bytes(const IrType *t) {
    t = strip_ref(t);
    switch (t->kind) {
    case IRT_BOOL: return 1;
    case IRT_INT: return t->bits / 8;
    case IRT_ADDRESS: return 20;
    case IRT_BYTES: return t->bits / 8;
    default: return 32;
    }
}

static bool is_value(const IrType *t) {
    t = strip_ref(t);
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
           t->kind == IRT_BYTES;
}

uint32_t abi_storage_slots(const IrModule *m, const uint32_t *struct_slots, const IrType *t) {
    t = strip_ref(t);
    switch (t->kind) {
    case IRT_STRUCT: return struct_slots[t->struct_index];
    case IRT_ARRAY: {
        if (is_value(t->elem)) {
            uint32_t per = 32 / abi_storage_bytes(t->elem);
            return (t->len + per - 1) / per;
        }
        return t->len * abi_storage_slots(m, struct_slots, t->elem);
    }
    default: return 1;
    }
}

/* Places `n` members of the given types from slot 0 the way solc does; writes each
 * member's slot and offset and returns the slots used. */
static uint32_t place_members(const IrModule *m, const AbiLayout *l, IrType **types, int n,
                              AbiSlot *out) {
    uint32_t slot = 0, used = 0; /* bytes used in the current slot */
    for (int i = 0; i < n; i++) {
        IrType *t = strip_ref(types[i]);
        if (!t) {
            out[i] = (AbiSlot){{{0}}, 0, 0};
            continue;
        }
        if (is_value(t)) {
            uint32_t b = abi_storage_bytes(t);
            if (used + b > 32) {
                slot++;
                used = 0;
            }
            out[i].slot = u256_from_u64(slot);
            out[i].offset = (uint8_t)used;
            out[i].bytes = b;
            used += b;
        } else {
            if (used) {
                slot++;
                used = 0;
            }
            uint32_t s = abi_storage_slots(m, l->struct_slots, t);
            out[i].slot = u256_from_u64(slot);
            out[i].offset = 0;
            out[i].bytes = 32 * s;
            slot += s;
        }
    }
    return used ? slot + 1 : slot;
}

void abi_layout_compute(const IrModule *m, Arena *arena, AbiLayout *l) {
    l->fields = ARENA_ARRAY(arena, AbiSlot *, m->nstructs + 1);
    l->struct_slots = ARENA_ARRAY(arena, uint32_t, m->nstructs + 1);
    /* Structs may contain earlier structs; the frontend orders them so that a struct's
     * fields refer to structs declared before it or we settle it in a few rounds. */
    for (int round = 0; round < 4; round++)
        for (int s = 0; s < m->nstructs; s++) {
            const IrStruct *st = &m->structs[s];
            IrType **types = ARENA_ARRAY(arena, IrType *, st->nfields + 1);
            for (int f = 0; f < st->nfields; f++)
                types[f] = st->fields[f].type;
            l->fields[s] = ARENA_ARRAY(arena, AbiSlot, st->nfields + 1);
            uint32_t n = place_members(m, l, types, st->nfields, l->fields[s]);
            l->struct_slots[s] = n ? n : 1;
        }
    IrType **types = ARENA_ARRAY(arena, IrType *, m->nstorage + 1);
    for (int i = 0; i < m->nstorage; i++)
        types[i] = m->storage[i].ghost ? NULL : m->storage[i].type;
    l->vars = ARENA_ARRAY(arena, AbiSlot, m->nstorage + 1);
    place_members(m, l, types, m->nstorage, l->vars);
}

void abi_storage_position(const IrModule *m, int var, U256 *slot, unsigned *offset) {
    Arena a;
    arena_init(&a);
    AbiLayout l;
    abi_layout_compute(m, &a, &l);
    *slot = l.vars[var].slot;
    *offset = l.vars[var].offset;
    arena_free(&a);
}

/* ---------------- storageLayout JSON (solc's shape) ---------------- */
typedef struct LayoutCtx {
    const IrModule *m;
    const AbiLayout *l;
    Arena *arena;
    const IrType **seen; /* types already described, in first-use order */
    int nseen;
} LayoutCtx;

static void type_id(const LayoutCtx *c, const IrType *t, char *buf, size_t n) {
    t = strip_ref(t);
    char a[256], b[256];
    switch (t->kind) {
    case IRT_BOOL: FMT(buf, n, "t_bool"); break;
    case IRT_INT: FMT(buf, n, "t_%sint%u", t->is_signed ? "" : "u", t->bits); break;
    case IRT_ADDRESS: FMT(buf, n, "t_address"); break;
    case IRT_BYTES: FMT(buf, n, "t_bytes%u", t->bits / 8); break;
    case IRT_STRING: FMT(buf, n, "t_string_storage"); break;
    case IRT_MAP:
        type_id(c, t->key, a, sizeof a);
        type_id(c, t->val, b, sizeof b);
        FMT(buf, n, "t_mapping(%s,%s)", a, b);
        break;
    case IRT_ARRAY:
        type_id(c, t->elem, a, sizeof a);
        FMT(buf, n, "t_array(%s)%u_storage", a, t->len);
        break;
    case IRT_LIST:
        type_id(c, t->elem, a, sizeof a);
        FMT(buf, n, "t_array(%s)dyn_storage", a);
        break;
    case IRT_STRUCT:
        FMT(buf, n, "t_struct(%s)%d_storage", c->m->structs[t->struct_index].name,
                 t->struct_index);
        break;
    default: FMT(buf, n, "t_unknown"); break;
    }
}

static void type_label(const LayoutCtx *c, const IrType *t, char *buf, size_t n) {
    t = strip_ref(t);
    char a[256], b[256];
    switch (t->kind) {
    case IRT_STRING: FMT(buf, n, "string"); break;
    case IRT_MAP:
        type_label(c, t->key, a, sizeof a);
        type_label(c, t->val, b, sizeof b);
        FMT(buf, n, "mapping(%s => %s)", a, b);
        break;
    case IRT_ARRAY:
        type_label(c, t->elem, a, sizeof a);
        FMT(buf, n, "%s[%u]", a, t->len);
        break;
    case IRT_LIST:
        type_label(c, t->elem, a, sizeof a);
        FMT(buf, n, "%s[]", a);
        break;
    case IRT_STRUCT: FMT(buf, n, "struct %s", c->m->structs[t->struct_index].name); break;
    default: ir_type_abi_name(c->m, t, buf, n); break;
    }
}

static void note_type(LayoutCtx *c, const IrType *t) {
    t = strip_ref(t);
    for (int i = 0; i < c->nseen; i++)
        if (c->seen[i] == t)
            return;
    if (c->nseen >= 4096)
        return;
    c->seen[c->nseen++] = t;
    if (t->kind == IRT_MAP) {
        note_type(c, t->key);
        note_type(c, t->val);
    } else if (t->kind == IRT_ARRAY || t->kind == IRT_LIST) {
        note_type(c, t->elem);
    } else if (t->kind == IRT_STRUCT) {
        const IrStruct *st = &c->m->structs[t->struct_index];
        for (int f = 0; f < st->nfields; f++)
            note_type(c, st->fields[f].type);
    }
}

static void member(Json *j, const LayoutCtx *c, const char *label, const IrType *t,
                   const AbiSlot *s) {
    char buf[512];
    json_obj_open(j);
    json_key(j, "label");
    json_str(j, label);
    json_key(j, "offset");
    json_int(j, s->offset);
    json_key(j, "slot");
    u256_to_dec(s->slot, false, buf);
    json_str(j, buf);
    json_key(j, "type");
    type_id(c, t, buf, sizeof buf);
    json_str(j, buf);
    json_obj_close(j);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void fill_layout(Json *j, const void *vctx) {
    LayoutCtx *c = (LayoutCtx *)vctx;
    char buf[512];
    json_obj_open(j);
    json_key(j, "storage");
    json_arr_open(j);
    for (int i = 0; i < c->m->nstorage; i++) {
        if (c->m->storage[i].ghost)
            continue;
        member(j, c, c->m->storage[i].name, c->m->storage[i].type, &c->l->vars[i]);
        note_type(c, c->m->storage[i].type);
    }
    json_arr_close(j);
    json_key(j, "types");
    json_obj_open(j);
    /* sorted by id, as solc prints them */
    char **ids = ARENA_ARRAY(c->arena, char *, c->nseen + 1);
    for (int i = 0; i < c->nseen; i++) {
        type_id(c, c->seen[i], buf, sizeof buf);
        ids[i] = arena_strndup(c->arena, buf, strlen(buf));
    }
    int *order = ARENA_ARRAY(c->arena, int, c->nseen + 1);
    char **sorted = ARENA_ARRAY(c->arena, char *, c->nseen + 1);
    memcpy(sorted, ids, sizeof(char *) * (size_t)c->nseen);
    qsort(sorted, (size_t)c->nseen, sizeof(char *), cmp_str);
    for (int k = 0; k < c->nseen; k++)
        for (int i = 0; i < c->nseen; i++)
            if (strcmp(ids[i], sorted[k]) == 0)
                order[k] = i;
    for (int k = 0; k < c->nseen; k++) {
        if (k && strcmp(sorted[k], sorted[k - 1]) == 0)
            continue;
        const IrType *t = c->seen[order[k]];
        json_key(j, sorted[k]);
        json_obj_open(j);
        const char *encoding = t->kind == IRT_MAP ? "mapping"
                               : t->kind == IRT_STRING ? "bytes"
                               : t->kind == IRT_LIST ? "dynamic_array"
                                                     : "inplace";
        json_key(j, "encoding");
        json_str(j, encoding);
        if (t->kind == IRT_MAP) {
            type_id(c, t->key, buf, sizeof buf);
            json_key(j, "key");
            json_str(j, buf);
        }
        if (t->kind == IRT_ARRAY || t->kind == IRT_LIST) {
            type_id(c, t->elem, buf, sizeof buf);
            json_key(j, "base");
            json_str(j, buf);
        }
        type_label(c, t, buf, sizeof buf);
        json_key(j, "label");
        json_str(j, buf);
        if (t->kind == IRT_STRUCT) {
            const IrStruct *st = &c->m->structs[t->struct_index];
            json_key(j, "members");
            json_arr_open(j);
            for (int f = 0; f < st->nfields; f++)
                member(j, c, st->fields[f].name, st->fields[f].type,
                       &c->l->fields[t->struct_index][f]);
            json_arr_close(j);
        }
        uint32_t nb = (t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
                       t->kind == IRT_BYTES)
                          ? abi_storage_bytes(t)
                          : 32 * abi_storage_slots(c->m, c->l->struct_slots, t);
        FMT(buf, sizeof buf, "%u", nb);
        json_key(j, "numberOfBytes");
        json_str(j, buf);
        if (t->kind == IRT_MAP) {
            type_id(c, t->val, buf, sizeof buf);
            json_key(j, "value");
            json_str(j, buf);
        }
        json_obj_close(j);
    }
    json_obj_close(j);
    json_obj_close(j);
}

char *abi_layout_json(const IrModule *m, const AbiLayout *l, Arena *arena) {
    LayoutCtx c = {m, l, arena, NULL, 0};
    c.seen = ARENA_ARRAY(arena, const IrType *, 4096);
    return json_to_string(arena, false, fill_layout, &c);
}
