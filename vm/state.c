/* state.c — the in-memory world state behind contract.h's narrow interface: accounts
 * (balance, nonce, code) and storage in open-addressing hash tables, logs in an array, and an
 * undo journal that makes snapshot/revert/commit cheap. A persistent store replaces this file. */
#include <stdlib.h>

#include "vm/vm_int.h"
#include "vm/contract.h"

typedef struct { bool used; VmcAddr a; VmcWord k, v; } Slot32;
typedef struct { bool used; VmcAddr a; VmcWord balance; uint64_t nonce; uint8_t *code; size_t ncode; } Account;

enum { J_STORAGE, J_BALANCE, J_NONCE, J_CODE, J_LOG };
typedef struct {
    uint8_t kind;
    VmcAddr a; VmcWord k;    /* the entry's key (tables rehash: no indices) */
    VmcWord old; uint64_t old_n; uint8_t *old_code; size_t old_ncode;
} Undo;

struct VmcState {
    Slot32 *slots; uint32_t nslots, capslots;
    Account *accts; uint32_t naccts, capaccts;
    VmcLog *logs; uint32_t nlogs, caplogs;
    Undo *journal; uint32_t njournal, capjournal;
    uint32_t depth; /* open snapshots */
};

static uint64_t mix(const uint8_t *p, size_t n) {
    uint64_t h = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3u;
    return h ^ (h >> 29);
}
static uint64_t slot_hash(const VmcAddr *a, const VmcWord *k) {
    uint64_t w[4]; memcpy(w, k->b, 32);
    return mix(a->b, 20) ^ ((w[0] ^ w[1] ^ w[2] ^ w[3]) * 0xff51afd7ed558ccdu);
}

VmcState *vmc_state_new(void) { return vm_alloc(sizeof(VmcState)); }

void vmc_state_free(VmcState *st) {
    if (!st) return;
    for (uint32_t i = 0; i < st->capaccts; i++) if (st->accts[i].used) vm_free(st->accts[i].code);
    for (uint32_t i = 0; i < st->njournal; i++) if (st->journal[i].kind == J_CODE) vm_free(st->journal[i].old_code);
    for (uint32_t i = 0; i < st->nlogs; i++) vm_free(st->logs[i].data);
    vm_free(st->slots); vm_free(st->accts); vm_free(st->logs); vm_free(st->journal); vm_free(st);
}

/* ---- storage ---- */
static Slot32 *slot_find(Slot32 *t, uint32_t cap, const VmcAddr *a, const VmcWord *k) {
    if (!cap) return NULL;
    for (uint32_t i = (uint32_t)slot_hash(a, k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
        Slot32 *s = &t[i];
        if (!s->used || (!memcmp(s->k.b, k->b, 32) && !memcmp(s->a.b, a->b, 20))) return s;
    }
}

static VmStatus slots_grow(VmcState *st) {
    uint32_t cap = st->capslots ? st->capslots * 2 : 64;
    Slot32 *t = vm_alloc(sizeof *t * cap);
    if (!t) return VM_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < st->capslots; i++)
        if (st->slots[i].used) *slot_find(t, cap, &st->slots[i].a, &st->slots[i].k) = st->slots[i];
    vm_free(st->slots);
    st->slots = t; st->capslots = cap;
    return VM_OK;
}

static VmStatus journal(VmcState *st, Undo u) {
    if (!st->depth) return VM_OK;
    if (st->njournal == st->capjournal) {
        uint32_t cap = st->capjournal ? st->capjournal * 2 : 64;
        Undo *j = vm_realloc(st->journal, sizeof *j * cap);
        if (!j) return VM_OUT_OF_MEMORY;
        st->journal = j; st->capjournal = cap;
    }
    st->journal[st->njournal++] = u;
    return VM_OK;
}

VmcWord vmc_state_storage(VmcState *st, const VmcAddr *a, const VmcWord *key) {
    Slot32 *s = slot_find(st->slots, st->capslots, a, key);
    VmcWord z = {{0}};
    return s && s->used ? s->v : z;
}

static VmStatus storage_put(VmcState *st, const VmcAddr *a, const VmcWord *key, const VmcWord *v, bool log) {
    VmStatus st2;
    if ((st->nslots + 1) * 4 > st->capslots * 3 && (st2 = slots_grow(st)) != VM_OK) return st2;
    Slot32 *s = slot_find(st->slots, st->capslots, a, key);
    if (log) {
        Undo u = { .kind = J_STORAGE, .a = *a, .k = *key };
        if (s->used) u.old = s->v;
        if ((st2 = journal(st, u)) != VM_OK) return st2;
    }
    if (!s->used) { s->used = true; s->a = *a; s->k = *key; st->nslots++; }
    s->v = *v;
    return VM_OK;
}

VmStatus vmc_state_set_storage(VmcState *st, const VmcAddr *a, const VmcWord *key, const VmcWord *v) {
    return storage_put(st, a, key, v, true);
}

/* ---- accounts ---- */
static Account *acct_find(Account *t, uint32_t cap, const VmcAddr *a) {
    if (!cap) return NULL;
    for (uint32_t i = (uint32_t)mix(a->b, 20) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (!t[i].used || !memcmp(t[i].a.b, a->b, 20)) return &t[i];
}

static Account *acct_get(VmcState *st, const VmcAddr *a) {
    Account *x = acct_find(st->accts, st->capaccts, a);
    return x && x->used ? x : NULL;
}

static Account *acct_make(VmcState *st, const VmcAddr *a) {
    Account *x = acct_get(st, a);
    if (x) return x;
    if ((st->naccts + 1) * 2 > st->capaccts) {
        uint32_t cap = st->capaccts ? st->capaccts * 2 : 16;
        Account *t = vm_alloc(sizeof *t * cap);
        if (!t) return NULL;
        for (uint32_t i = 0; i < st->capaccts; i++)
            if (st->accts[i].used) *acct_find(t, cap, &st->accts[i].a) = st->accts[i];
        vm_free(st->accts);
        st->accts = t; st->capaccts = cap;
    }
    x = acct_find(st->accts, st->capaccts, a);
    x->used = true; x->a = *a; st->naccts++;
    return x;
}

VmcWord vmc_state_balance(VmcState *st, const VmcAddr *a) {
    Account *x = acct_get(st, a);
    VmcWord z = {{0}};
    return x ? x->balance : z;
}

VmStatus vmc_state_set_balance(VmcState *st, const VmcAddr *a, const VmcWord *v) {
    Account *x = acct_make(st, a);
    if (!x) return VM_OUT_OF_MEMORY;
    VmStatus s = journal(st, (Undo){ .kind = J_BALANCE, .a = *a, .old = x->balance });
    if (s == VM_OK) x->balance = *v;
    return s;
}

uint64_t vmc_state_nonce(VmcState *st, const VmcAddr *a) {
    Account *x = acct_get(st, a);
    return x ? x->nonce : 0;
}

VmStatus vmc_state_set_nonce(VmcState *st, const VmcAddr *a, uint64_t n) {
    Account *x = acct_make(st, a);
    if (!x) return VM_OUT_OF_MEMORY;
    VmStatus s = journal(st, (Undo){ .kind = J_NONCE, .a = *a, .old_n = x->nonce });
    if (s == VM_OK) x->nonce = n;
    return s;
}

const uint8_t *vmc_state_code(VmcState *st, const VmcAddr *a, size_t *len) {
    Account *x = acct_get(st, a);
    *len = x ? x->ncode : 0;
    return x ? x->code : NULL;
}

VmStatus vmc_state_set_code(VmcState *st, const VmcAddr *a, const uint8_t *code, size_t len) {
    Account *x = acct_make(st, a);
    if (!x) return VM_OUT_OF_MEMORY;
    uint8_t *c = vm_alloc(len ? len : 1);
    if (!c) return VM_OUT_OF_MEMORY;
    if (len) memcpy(c, code, len);
    VmStatus s = VM_OK;
    if (st->depth) s = journal(st, (Undo){ .kind = J_CODE, .a = *a, .old_code = x->code, .old_ncode = x->ncode });
    else vm_free(x->code);
    if (s != VM_OK) { vm_free(c); return s; }
    x->code = c; x->ncode = len;
    return VM_OK;
}

/* ---- logs ---- */
VmStatus vmc_state_log(VmcState *st, const VmcLog *log) {
    if (st->nlogs == st->caplogs) {
        uint32_t cap = st->caplogs ? st->caplogs * 2 : 16;
        VmcLog *l = vm_realloc(st->logs, sizeof *l * cap);
        if (!l) return VM_OUT_OF_MEMORY;
        st->logs = l; st->caplogs = cap;
    }
    VmcLog c = *log;
    c.data = vm_alloc(log->len ? log->len : 1);
    if (!c.data) return VM_OUT_OF_MEMORY;
    if (log->len) memcpy(c.data, log->data, log->len);
    VmStatus s = journal(st, (Undo){ .kind = J_LOG, .old_n = st->nlogs });
    if (s != VM_OK) { vm_free(c.data); return s; }
    st->logs[st->nlogs++] = c;
    return VM_OK;
}
uint32_t vmc_state_log_count(const VmcState *st) { return st->nlogs; }
const VmcLog *vmc_state_logs(const VmcState *st) { return st->logs; }

/* ---- snapshots ---- */
uint32_t vmc_state_snapshot(VmcState *st) { st->depth++; return st->njournal; }

void vmc_state_revert(VmcState *st, uint32_t snap) {
    while (st->njournal > snap) {
        Undo *u = &st->journal[--st->njournal];
        Account *x = u->kind == J_STORAGE || u->kind == J_LOG ? NULL : acct_get(st, &u->a);
        switch (u->kind) {
        case J_STORAGE: {
            Slot32 *s = slot_find(st->slots, st->capslots, &u->a, &u->k);
            s->v = u->old; /* an entry created since stays, holding zero: the same as unset */
            break;
        }
        case J_BALANCE: x->balance = u->old; break;
        case J_NONCE: x->nonce = u->old_n; break;
        case J_CODE: vm_free(x->code); x->code = u->old_code; x->ncode = u->old_ncode; break;
        case J_LOG:
            while (st->nlogs > u->old_n) vm_free(st->logs[--st->nlogs].data);
            break;
        }
    }
    if (st->depth) st->depth--;
}

void vmc_state_commit(VmcState *st, uint32_t snap) {
    if (st->depth) st->depth--;
    if (st->depth) return; /* a parent may still revert these */
    for (uint32_t i = snap; i < st->njournal; i++)
        if (st->journal[i].kind == J_CODE) vm_free(st->journal[i].old_code);
    st->njournal = snap;
}
