/* types.c — IR types: interning per module (equal types are equal pointers), the text
 * form of a type and its Solidity ABI name. */
#include "internal.h"

#include <string.h>

static IrType *intern_type(IrModule *m, IrType proto) {
    for (int i = 0; i < m->types.len; i++) {
        IrType *t = m->types.items[i];
        if (t->kind == proto.kind && t->bits == proto.bits && t->is_signed == proto.is_signed &&
            t->len == proto.len && t->elem == proto.elem && t->key == proto.key &&
            t->val == proto.val && t->struct_index == proto.struct_index)
            return t;
    }
    IrType *t = ARENA_NEW(m->arena, IrType);
    *t = proto;
    ptrvec_push(m->arena, &m->types, t);
    return t;
}

static IrType proto_of(IrTypeKind k) {
    IrType t;
    memset(&t, 0, sizeof t);
    t.kind = k;
    t.struct_index = -1;
    return t;
}

IrType *ir_type_void(IrModule *m) { return intern_type(m, proto_of(IRT_VOID)); }

IrType *ir_type_bool(IrModule *m) {
    IrType t = proto_of(IRT_BOOL);
    t.bits = 1;
    return intern_type(m, t);
}

IrType *ir_type_int(IrModule *m, unsigned bits, bool is_signed) {
    IrType t = proto_of(IRT_INT);
    t.bits = (uint16_t)bits;
    t.is_signed = is_signed;
    return intern_type(m, t);
}

IrType *ir_type_address(IrModule *m) {
    IrType t = proto_of(IRT_ADDRESS);
    t.bits = 160;
    return intern_type(m, t);
}

IrType *ir_type_bytes(IrModule *m, unsigned n) {
    IrType t = proto_of(IRT_BYTES);
    t.bits = (uint16_t)(8 * n);
    return intern_type(m, t);
}

IrType *ir_type_string(IrModule *m, uint32_t max_len) {
    IrType t = proto_of(IRT_STRING);
    t.len = max_len;
    return intern_type(m, t);
}

IrType *ir_type_array(IrModule *m, IrType *elem, uint32_t len) {
    IrType t = proto_of(IRT_ARRAY);
    t.elem = elem;
    t.len = len;
    return intern_type(m, t);
}

IrType *ir_type_list(IrModule *m, IrType *elem, uint32_t max_len) {
    IrType t = proto_of(IRT_LIST);
    t.elem = elem;
    t.len = max_len;
    return intern_type(m, t);
}

IrType *ir_type_map(IrModule *m, IrType *key, IrType *val) {
    IrType t = proto_of(IRT_MAP);
    t.key = key;
    t.val = val;
    return intern_type(m, t);
}

IrType *ir_type_struct(IrModule *m, int struct_index) {
    IrType t = proto_of(IRT_STRUCT);
    t.struct_index = struct_index;
    return intern_type(m, t);
}

IrType *ir_type_ref(IrModule *m, IrType *elem) {
    IrType t = proto_of(IRT_REF);
    t.elem = elem;
    return intern_type(m, t);
}

bool ir_type_is_aggregate(const IrType *t) {
    return t && (t->kind == IRT_STRING || t->kind == IRT_ARRAY || t->kind == IRT_LIST ||
                 t->kind == IRT_STRUCT || t->kind == IRT_MAP);
}

bool ir_is_ident(const char *s) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

bool ir_type_is_int(const IrType *t) { return t && t->kind == IRT_INT; }

unsigned ir_type_bits(const IrType *t) {
    if (!t) return 256;
    switch (t->kind) {
    case IRT_BOOL: return 1;
    case IRT_INT: case IRT_ADDRESS: case IRT_BYTES: return t->bits ? t->bits : 256;
    default: return 256;
    }
}

/* A bounded writer: output past the end is dropped, the buffer stays NUL-terminated. */
typedef struct Buf {
    char *p;
    size_t size, len;
} Buf;

static void put(Buf *b, const char *s) {
    for (; *s; s++) {
        if (b->len + 1 < b->size) b->p[b->len] = *s;
        b->len++;
    }
    if (b->size) b->p[b->len < b->size ? b->len : b->size - 1] = 0;
}

static void putu(Buf *b, unsigned long v) {
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%lu", v);
    put(b, tmp);
}

/* Both writers stop once the buffer is full: a struct holding itself twice would
 * otherwise take exponential time to spell out. */
static void type_text(const IrModule *m, const IrType *t, Buf *b, int depth) {
    if (b->len >= b->size) return;
    if (!t) { put(b, "void"); return; }
    if (depth > 64) { put(b, "..."); return; }
    switch (t->kind) {
    case IRT_VOID: put(b, "void"); break;
    case IRT_BOOL: put(b, "bool"); break;
    case IRT_INT: put(b, t->is_signed ? "i" : "u"); putu(b, t->bits); break;
    case IRT_ADDRESS: put(b, "address"); break;
    case IRT_BYTES: put(b, "bytes"); putu(b, t->bits / 8u); break;
    case IRT_STRING: put(b, "string<"); putu(b, t->len); put(b, ">"); break;
    case IRT_ARRAY:
        put(b, "[");
        type_text(m, t->elem, b, depth + 1);
        put(b, "; ");
        putu(b, t->len);
        put(b, "]");
        break;
    case IRT_LIST:
        put(b, "list<");
        type_text(m, t->elem, b, depth + 1);
        put(b, ", ");
        putu(b, t->len);
        put(b, ">");
        break;
    case IRT_MAP:
        put(b, "map<");
        type_text(m, t->key, b, depth + 1);
        put(b, ", ");
        type_text(m, t->val, b, depth + 1);
        put(b, ">");
        break;
    case IRT_STRUCT:
        if (m && t->struct_index >= 0 && t->struct_index < m->nstructs) {
            const char *n = m->structs[t->struct_index].name;
            put(b, ":");
            if (n && ir_is_ident(n)) {
                put(b, n);
            } else {
                put(b, "\"");
                for (; n && *n; n++) {
                    char c[5] = {*n, 0};
                    if (*n == '"' || *n == '\\') { c[0] = '\\'; c[1] = *n; }
                    else if ((unsigned char)*n < 0x20 || (unsigned char)*n >= 0x7f)
                        snprintf(c, sizeof c, "\\x%02x", (unsigned char)*n);
                    put(b, c);
                }
                put(b, "\"");
            }
        } else {
            put(b, ":#");
            putu(b, (unsigned long)(long)t->struct_index);
        }
        break;
    case IRT_REF: put(b, "ref "); type_text(m, t->elem, b, depth + 1); break;
    default: put(b, "?"); break;
    }
}

void ir_type_print(const IrModule *m, const IrType *t, char *buf, size_t size) {
    Buf b = {buf, size, 0};
    if (size) buf[0] = 0;
    type_text(m, t, &b, 0);
}

static void abi_text(const IrModule *m, const IrType *t, Buf *b, int depth) {
    if (b->len >= b->size) return;
    if (!t || depth > 64) { put(b, "?"); return; }
    switch (t->kind) {
    case IRT_BOOL: put(b, "bool"); break;
    case IRT_INT: put(b, t->is_signed ? "int" : "uint"); putu(b, t->bits); break;
    case IRT_ADDRESS: put(b, "address"); break;
    case IRT_BYTES: put(b, "bytes"); putu(b, t->bits / 8u); break;
    case IRT_STRING: put(b, "string"); break;
    case IRT_ARRAY: abi_text(m, t->elem, b, depth + 1); put(b, "["); putu(b, t->len); put(b, "]"); break;
    case IRT_LIST: abi_text(m, t->elem, b, depth + 1); put(b, "[]"); break;
    case IRT_STRUCT:
        put(b, "(");
        if (m && t->struct_index >= 0 && t->struct_index < m->nstructs) {
            const IrStruct *s = &m->structs[t->struct_index];
            for (int i = 0; i < s->nfields; i++) {
                if (i) put(b, ",");
                abi_text(m, s->fields[i].type, b, depth + 1);
            }
        }
        put(b, ")");
        break;
    case IRT_REF: abi_text(m, t->elem, b, depth); break;
    case IRT_MAP: put(b, "mapping"); break;
    case IRT_VOID: put(b, ""); break;
    default: put(b, "?"); break;
    }
}

void ir_type_abi_name(const IrModule *m, const IrType *t, char *buf, size_t size) {
    Buf b = {buf, size, 0};
    if (size) buf[0] = 0;
    abi_text(m, t, &b, 0);
}

IrType *ir_path_step(const IrModule *m, IrType *t, IrPathElem e) {
    if (!t) return NULL;
    if (e.kind == IR_PATH_INDEX) {
        if (t->kind == IRT_MAP) return t->val;
        if (t->kind == IRT_ARRAY || t->kind == IRT_LIST) return t->elem;
        return NULL;
    }
    if (t->kind != IRT_STRUCT || t->struct_index < 0 || t->struct_index >= m->nstructs)
        return NULL;
    const IrStruct *s = &m->structs[t->struct_index];
    if (e.field >= (uint32_t)s->nfields) return NULL;
    return s->fields[e.field].type;
}
