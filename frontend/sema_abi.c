/* sema_abi.c — the contract ABI: canonical signatures of pub functions, pub storage getters
 * (as solc makes them: map keys and array indices become parameters), interface functions,
 * events and errors (REFERENCE §3 table), their 4-byte selectors, and duplicate selectors. */
#include <string.h>

#include "sema.h"

typedef struct Buf {
    char *p;
    size_t len, cap;
    Arena *a;
} Buf;

static void put(Buf *b, const char *s) {
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *np = arena_alloc(b->a, cap);
        if (b->len)
            memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* The ABI name of a type; false for types that have none (maps). */
static bool abi_type(Sema *s, Buf *b, const Type *t) {
    char tmp[32];
    switch (t->kind) {
    case TY_BOOL: put(b, "bool"); return true;
    case TY_ADDRESS: case TY_IFACE: put(b, "address"); return true;
    case TY_INT:
        snprintf(tmp, sizeof tmp, "%sint%u", t->is_signed ? "" : "u", t->bits);
        put(b, tmp);
        return true;
    case TY_BYTES:
        snprintf(tmp, sizeof tmp, "bytes%u", t->bits / 8);
        put(b, tmp);
        return true;
    case TY_STRING: put(b, "string"); return true;
    case TY_ARRAY:
        if (!abi_type(s, b, t->elem))
            return false;
        snprintf(tmp, sizeof tmp, "[%u]", t->len);
        put(b, tmp);
        return true;
    case TY_LIST:
        if (!abi_type(s, b, t->elem))
            return false;
        put(b, "[]");
        return true;
    case TY_STRUCT:
        put(b, "(");
        for (int i = 0; i < t->decl->nparams; i++) {
            if (i)
                put(b, ",");
            if (!t->decl->params[i].type || !abi_type(s, b, t->decl->params[i].type))
                return false;
        }
        put(b, ")");
        return true;
    default:
        return false;
    }
}

static uint32_t selector_of(const char *sig) {
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

/* name(T1,T2,...) from a parameter list; NULL when a type has no ABI form. */
static char *signature(Sema *s, const char *name, Param *ps, int n) {
    Buf b = {NULL, 0, 0, s->a};
    put(&b, name);
    put(&b, "(");
    for (int i = 0; i < n; i++) {
        if (i)
            put(&b, ",");
        if (!ps[i].type || ps[i].type->kind == TY_ERROR || !abi_type(s, &b, ps[i].type))
            return NULL;
    }
    put(&b, ")");
    return b.p;
}

static void fn_abi(Sema *s, Decl *d) {
    if (d->signature || !d->name)
        return;
    d->signature = signature(s, d->name, d->params, d->nparams);
    if (d->signature)
        d->selector = selector_of(d->signature);
}

/* `pub storage x: map<K, list<T, N>>` is the view function x(K, uint256) -> T, as in solc. */
static void getter_abi(Sema *s, Decl *d) {
    if (d->signature || !d->type || d->type->kind == TY_ERROR)
        return;
    Buf b = {NULL, 0, 0, s->a};
    put(&b, d->name);
    put(&b, "(");
    int n = 0;
    for (Type *t = d->type;; n++) {
        if (t->kind == TY_MAP) {
            if (n)
                put(&b, ",");
            if (!abi_type(s, &b, t->key))
                return;
            t = t->val;
        } else if (t->kind == TY_ARRAY || t->kind == TY_LIST) {
            if (n)
                put(&b, ",");
            put(&b, "uint256");
            t = t->elem;
        } else {
            break;
        }
    }
    put(&b, ")");
    d->signature = b.p;
    d->selector = selector_of(b.p);
}

void sema_abi_item(Sema *s, Decl *d) {
    fn_abi(s, d);
}

void sema_abi_iface(Sema *s, Decl *it) {
    for (int i = 0; i < it->nmembers; i++)
        if (it->members[i] && it->members[i]->kind == D_FN)
            fn_abi(s, it->members[i]);
}

void sema_abi_compute(Sema *s, Decl *c) {
    Decl **seen = ARENA_ARRAY(s->a, Decl *, c->nall_members + 1);
    int nseen = 0;
    for (int i = 0; i < c->nall_members; i++) {
        Decl *d = c->all_members[i];
        if (!(d->flags & DF_PUB) || (d->kind != D_FN && d->kind != D_STORAGE))
            continue;
        if (d->kind == D_FN)
            fn_abi(s, d);
        else
            getter_abi(s, d);
        if (!d->signature)
            continue;
        for (int k = 0; k < nseen; k++)
            if (seen[k]->selector == d->selector && seen[k]->name != d->name) {
                Span sp = d->parent == c ? d->name_span : c->name_span;
                Diag *dg = diag_error(s->d, sp,
                                      "'%s' and '%s' have the same selector 0x%08x in contract "
                                      "'%s'", seen[k]->signature, d->signature, d->selector,
                                      c->name);
                diag_note(s->d, dg, seen[k]->name_span, "first defined here");
                break;
            }
        seen[nseen++] = d;
    }
}
