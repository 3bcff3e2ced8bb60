/* contract.c — contract mode: the chain (state + block env + compiled contracts), deploy
 * and call, frames with their runners (one store each, so calls can nest and re-enter),
 * gas accounting across frames, value transfers and rollback. */
#include <stdio.h>

#include "vm/contract_int.h"
#include "ir/ir.h" /* keccak256 */

#define CONSTRUCTOR_SELECTOR 0x5585258du /* backends/wasm/wasm.h WB_CONSTRUCTOR_SELECTOR */

VmcWord vmc_word_u64(uint64_t x) {
    VmcWord w = {{0}};
    for (int i = 0; i < 8; i++) w.b[31 - i] = (uint8_t)(x >> (8 * i));
    return w;
}
uint64_t vmc_word_low64(const VmcWord *w) {
    uint64_t x = 0;
    for (int i = 24; i < 32; i++) x = x << 8 | w->b[i];
    return x;
}

VmcChain *vmc_chain_new(const VmcEnv *env) {
    VmcChain *c = vm_alloc(sizeof *c);
    if (!c) return NULL;
    c->st = vmc_state_new();
    if (!c->st) { vm_free(c); return NULL; }
    c->env = env ? *env : (VmcEnv){ .block_number = 1, .block_timestamp = 1, .chain_id = 412346 };
    return c;
}

void vmc_chain_free(VmcChain *c) {
    if (!c) return;
    for (Runner *r = c->all, *n; r; r = n) {
        n = r->next;
        vm_store_free(r->s); vm_free(r->image); vm_free(r->globals0); vm_free(r);
    }
    vm_free(c->contracts); vm_free(c->ret); vm_free(c->kcache);
    vmc_state_free(c->st);
    vm_free(c);
}
VmcState *vmc_chain_state(VmcChain *c) { return c->st; }
VmcEnv *vmc_chain_env(VmcChain *c) { return &c->env; }

/* ---- compiling a contract ---- */

static bool float_type(uint8_t t) { return t == VM_F32 || t == VM_F64; }

static VmStatus reject_float_types(VmModule *m, char *msg, size_t n) {
    for (uint32_t i = 0; i < m->ntypes; i++)
        for (uint32_t k = 0; k < m->types[i].nparams + m->types[i].nresults; k++)
            if (float_type(m->types[i].types[k])) {
                snprintf(msg, n, "contract uses floating point (%s in type %u)",
                         m->types[i].types[k] == VM_F32 ? "f32" : "f64", i);
                return VM_INVALID;
            }
    for (uint32_t i = 0; i < m->nfuncs - m->nfunc_imports; i++)
        for (uint32_t k = 0; k < m->funcs[i].nlocals; k++)
            if (float_type(m->funcs[i].local_types[k])) {
                snprintf(msg, n, "contract uses floating point (a local of function %u)", i + m->nfunc_imports);
                return VM_INVALID;
            }
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (float_type(m->globals[i].type)) {
            snprintf(msg, n, "contract uses floating point (global %u)", i);
            return VM_INVALID;
        }
    return VM_OK;
}

/* A fresh runner: store, module (validated, metered, float-free), host imports, instance. */
static VmStatus runner_new(VmcChain *c, const uint8_t *code, size_t len, Runner **out, char *msg, size_t nmsg) {
    VmStatus st = VM_OK;
    VmLimits lim = vm_default_limits();
    lim.call_depth = VMC_MAX_WASM_CALL_DEPTH;
    lim.stack_slots = VMC_MAX_STACK_SLOTS;
    lim.memory_pages = VMC_MAX_PAGES;
    lim.table_size = 65536;
    Runner *r = vm_alloc(sizeof *r);
    VmExtern *imps = NULL;
    if (!r) return VM_OUT_OF_MEMORY;
    r->s = vm_store_new(&lim);
    if (!r->s) { st = VM_OUT_OF_MEMORY; goto fail; }
    r->s->gas_metering = true;
    VmModule *m;
    VmError err;
    if ((st = vm_module_load(r->s, code, len, &m, &err)) != VM_OK) {
        snprintf(msg, nmsg, "%s (offset %zu)", err.msg, err.offset);
        goto fail;
    }
    if ((st = reject_float_types(m, msg, nmsg)) != VM_OK) goto fail;
    uint32_t n = vm_module_import_count(m);
    imps = vm_alloc(sizeof *imps * (n ? n : 1));
    if (!imps) { st = VM_OUT_OF_MEMORY; goto fail; }
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name; size_t ml, nl; uint8_t kind;
        vm_module_import(m, i, &mod, &ml, &name, &nl, &kind);
        const VmcHost *h = ml == 8 && !memcmp(mod, "vm_hooks", 8) ? vmc_host_find(name, nl) : NULL;
        if (!h || kind != VM_EXTERN_FUNC) {
            snprintf(msg, nmsg, "unknown import %.*s.%.*s", (int)ml, mod, (int)nl, name);
            st = VM_UNLINKABLE;
            goto fail;
        }
        imps[i].kind = VM_EXTERN_FUNC;
        imps[i].ptr = vm_host_func_new(r->s, h->params, h->results, h->fn, r);
        if (!imps[i].ptr) { st = VM_OUT_OF_MEMORY; goto fail; }
    }
    if ((st = vm_instantiate(r->s, m, imps, n, &r->inst, &err)) != VM_OK) {
        snprintf(msg, nmsg, "%s", err.msg);
        goto fail;
    }
    VmExtern e;
    if (vm_instance_export(r->inst, "user_entrypoint", &e) != VM_OK || e.kind != VM_EXTERN_FUNC ||
        vm_func_param_count(e.ptr) != 1 || vm_func_result_count(e.ptr) != 1) {
        snprintf(msg, nmsg, "no export user_entrypoint(i32) -> i32");
        st = VM_UNLINKABLE;
        goto fail;
    }
    r->entry = e.ptr;
    if (vm_instance_export(r->inst, "memory", &e) != VM_OK || e.kind != VM_EXTERN_MEMORY) {
        snprintf(msg, nmsg, "no memory export");
        st = VM_UNLINKABLE;
        goto fail;
    }
    r->mem = e.ptr;
    r->image_size = r->mem->size; r->image_pages = r->mem->pages;
    r->image = vm_alloc(r->image_size ? r->image_size : 1);
    r->globals0 = vm_alloc(sizeof(uint64_t) * (m->nglobals ? m->nglobals : 1));
    if (!r->image || !r->globals0) { st = VM_OUT_OF_MEMORY; goto fail; }
    memcpy(r->image, r->mem->data, r->image_size);
    memset(r->mem->dirty, 0, sizeof r->mem->dirty);
    for (uint32_t i = 0; i < m->nglobals; i++) r->globals0[i] = r->inst->globals[i]->val;
    vm_free(imps);
    r->next = c->all; c->all = r;
    *out = r;
    return VM_OK;
fail:
    if (st == VM_OUT_OF_MEMORY && !msg[0]) snprintf(msg, nmsg, "out of memory");
    vm_free(imps);
    if (r) { vm_store_free(r->s); vm_free(r->image); vm_free(r->globals0); vm_free(r); }
    return st;
}

static Contract *contract_find(VmcChain *c, const VmcAddr *a) {
    for (uint32_t i = 0; i < c->ncontracts; i++)
        if (!memcmp(c->contracts[i].addr.b, a->b, 20)) return &c->contracts[i];
    return NULL;
}

static Contract *contract_add(VmcChain *c, const VmcAddr *a) {
    Contract *k = contract_find(c, a);
    if (k) return k;
    if (c->ncontracts == c->capcontracts) {
        uint32_t cap = c->capcontracts ? c->capcontracts * 2 : 8;
        Contract *t = vm_realloc(c->contracts, sizeof *t * cap);
        if (!t) return NULL;
        c->contracts = t; c->capcontracts = cap;
    }
    k = &c->contracts[c->ncontracts++];
    k->addr = *a; k->idle = NULL;
    return k;
}

/* Back to the instantiated state: initial memory (size and bytes) and globals. Only the
 * chunks written since the last reset are copied back (vm_int.h: a chunk's mark covers every
 * chunk that aliases it, and a write starting in a chunk may run 7 bytes into the next); bytes
 * above the image are cut off, and zeroed again by memory.grow if it regrows. */
static void runner_reset(Runner *r) {
    VmMemory *m = r->mem;
    if (m->size > r->image_size) { m->size = r->image_size; m->pages = r->image_pages; }
    const uint64_t chunk = (uint64_t)1 << VM_DIRTY_SHIFT;
    for (uint64_t k = 0; k < VM_DIRTY_N; k++) {
        if (!m->dirty[k]) continue;
        m->dirty[k] = 0;
        for (uint64_t a = k * chunk; a < r->image_size; a += VM_DIRTY_N * chunk) {
            uint64_t n = chunk + 8 < r->image_size - a ? chunk + 8 : r->image_size - a;
            memcpy(m->data + a, r->image + a, n);
        }
    }
    VmInstance *in = r->inst;
    for (uint32_t i = 0; i < in->m->nglobals; i++) in->globals[i]->val = r->globals0[i];
}

/* ---- running ---- */

static int word_cmp(const VmcWord *a, const VmcWord *b) { return memcmp(a->b, b->b, 32); }
static VmcWord word_add(VmcWord a, const VmcWord *b) {
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) { unsigned s = a.b[i] + b->b[i] + carry; a.b[i] = (uint8_t)s; carry = s >> 8; }
    return a;
}
static VmcWord word_sub(VmcWord a, const VmcWord *b) {
    int borrow = 0;
    for (int i = 31; i >= 0; i--) { int d = a.b[i] - b->b[i] - borrow; a.b[i] = (uint8_t)d; borrow = d < 0; }
    return a;
}

VmStatus vmc_transfer(VmcState *st, const VmcAddr *from, const VmcAddr *to, const VmcWord *v) {
    VmcWord fb = vmc_state_balance(st, from);
    if (word_cmp(&fb, v) < 0) return VM_REVERT;
    VmStatus s;
    VmcWord nb = word_sub(fb, v);
    if ((s = vmc_state_set_balance(st, from, &nb)) != VM_OK) return s;
    VmcWord tb = vmc_state_balance(st, to);
    nb = word_add(tb, v);
    return vmc_state_set_balance(st, to, &nb);
}

VmStatus vmc_run(VmcChain *c, VmcFrame *fr, uint64_t gas, uint64_t *gas_left) {
    *gas_left = 0;
    if (fr->depth >= VMC_MAX_CALL_DEPTH) { snprintf(fr->msg, sizeof fr->msg, "call depth limit (limit is %d)", VMC_MAX_CALL_DEPTH); return VM_TRAP_STACK; }
    Contract *k = contract_find(c, &fr->code);
    if (!k && !(k = contract_add(c, &fr->code))) return VM_OUT_OF_MEMORY;
    Runner *r = k->idle;
    VmStatus st;
    k->idle = NULL;
    if (!r) {
        size_t len;
        const uint8_t *code = vmc_state_code(c->st, &fr->code, &len);
        if (!code) return VM_NOT_FOUND;
        if ((st = runner_new(c, code, len, &r, fr->msg, sizeof fr->msg)) != VM_OK) return st;
    }
    runner_reset(r);
    r->fr = fr; fr->r = r;
    VmcFrame *outer = c->top;
    c->top = fr;
    r->s->gas = gas;
    VmValue arg = { VM_I32, (uint32_t)fr->nargs }, res = { VM_I32, 0 };
    st = fr->nargs > VMC_MAX_DATA ? VM_LIMIT : vm_invoke(r->s, r->entry, &arg, 1, &res, 1);
    if (st == VM_OK && (uint32_t)res.bits != 0) st = VM_REVERT;
    if (st == VM_OK || st == VM_REVERT) *gas_left = r->s->gas;
    else if (!fr->msg[0]) snprintf(fr->msg, sizeof fr->msg, "%s", vm_store_trap_message(r->s)[0] ? vm_store_trap_message(r->s) : vm_status_str(st));
    if (st != VM_OK && st != VM_REVERT) fr->nout = 0; /* a trap returns no data */
    c->top = outer;
    r->fr = NULL;
    vm_free(fr->rdata); fr->rdata = NULL;
    /* back to the idle list: one runner per contract is kept (re-entry makes more) */
    r->fr = NULL;
    k = contract_find(c, &fr->code);
    if (k && !k->idle) k->idle = r;
    return st;
}

static void result_set(VmcChain *c, VmcResult *out, VmcFrame *fr, VmStatus st, uint64_t gas, uint64_t left, uint32_t log0) {
    vm_free(c->ret);
    c->ret = fr->out; c->nret = fr->nout;
    out->status = st;
    out->ret = c->ret; out->nret = c->nret;
    out->gas_used = gas - left;
    out->nlogs = vmc_state_log_count(c->st) - log0;
    out->logs = out->nlogs ? vmc_state_logs(c->st) + log0 : NULL;
    const char *m = fr->msg[0] ? fr->msg : vm_status_str(st);
    size_t n = strlen(m) < sizeof out->msg - 1 ? strlen(m) : sizeof out->msg - 1;
    memcpy(out->msg, m, n);
    out->msg[n] = 0;
}

static VmStatus tx_run(VmcChain *c, const VmcTx *tx, const VmcAddr *to, const uint8_t *data, size_t len,
                       VmcResult *out, uint32_t snap) {
    uint32_t log0 = vmc_state_log_count(c->st);
    VmcFrame fr = { .c = c, .self = *to, .code = *to, .sender = tx->from, .origin = tx->from, .value = tx->value,
                    .args = data, .nargs = len };
    uint64_t left = 0;
    static const VmcWord zero;
    VmStatus st = word_cmp(&tx->value, &zero) ? vmc_transfer(c->st, &tx->from, to, &tx->value) : VM_OK;
    if (st == VM_REVERT) snprintf(fr.msg, sizeof fr.msg, "insufficient balance for the value sent");
    if (st == VM_OK) st = vmc_run(c, &fr, tx->gas, &left);
    if (st == VM_OK) vmc_state_commit(c->st, snap);
    else { vmc_state_revert(c->st, snap); log0 = vmc_state_log_count(c->st); }
    result_set(c, out, &fr, st, tx->gas, left, log0);
    return st;
}

VmStatus vmc_call(VmcChain *c, const VmcTx *tx, VmcResult *out) {
    memset(out, 0, sizeof *out);
    uint32_t snap = vmc_state_snapshot(c->st);
    return tx_run(c, tx, &tx->to, tx->data, tx->len, out, snap);
}

VmStatus vmc_deploy(VmcChain *c, const VmcTx *tx, const uint8_t *wasm, size_t len, VmcResult *out) {
    memset(out, 0, sizeof *out);
    uint64_t nonce = vmc_state_nonce(c->st, &tx->from);
    uint8_t seed[28], h[32];
    memcpy(seed, tx->from.b, 20);
    for (int i = 0; i < 8; i++) seed[20 + i] = (uint8_t)(nonce >> (56 - 8 * i));
    keccak256(seed, sizeof seed, h);
    memcpy(out->created.b, h + 12, 20);
    VmStatus st = vmc_state_set_nonce(c->st, &tx->from, nonce + 1);
    if (st != VM_OK) return out->status = st;
    Runner *r = NULL;
    st = runner_new(c, wasm, len, &r, out->msg, sizeof out->msg);
    if (st != VM_OK) return out->status = st;
    Contract *k = contract_add(c, &out->created);
    if (!k) return out->status = VM_OUT_OF_MEMORY;
    k->idle = r;
    uint32_t snap = vmc_state_snapshot(c->st);
    if ((st = vmc_state_set_code(c->st, &out->created, wasm, len)) != VM_OK) {
        vmc_state_revert(c->st, snap);
        return out->status = st;
    }
    VmcAddr created = out->created;
    if (!tx->constructor) {
        vmc_state_commit(c->st, snap);
        out->status = VM_OK;
        snprintf(out->msg, sizeof out->msg, "ok");
        return VM_OK;
    }
    if (tx->len > VMC_MAX_DATA) { vmc_state_revert(c->st, snap); return out->status = VM_LIMIT; }
    uint8_t *data = vm_alloc(tx->len + 4);
    if (!data) { vmc_state_revert(c->st, snap); return out->status = VM_OUT_OF_MEMORY; }
    for (int i = 0; i < 4; i++) data[i] = (uint8_t)(CONSTRUCTOR_SELECTOR >> (24 - 8 * i));
    if (tx->len) memcpy(data + 4, tx->data, tx->len);
    st = tx_run(c, tx, &created, data, tx->len + 4, out, snap);
    vm_free(data);
    out->created = created;
    return st;
}
