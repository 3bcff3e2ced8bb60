/* host.c — the `vm_hooks` host functions Writ's wasm output imports (Stylus hostio
 * signatures, backends/wasm/README.md), each charging its gas.def cost, over the frame's
 * memory and the chain's state. */
#include <stdio.h>

#include "vm/contract_int.h"
#include "ir/ir.h" /* keccak256 */

enum {
#define GAS(name, cost)
#define PRICE(name, cost)
#define HOST(name, cost) HC_##name = cost,
#include "vm/gas.def"
#undef PRICE
#undef HOST
#undef GAS
};

static VmStatus trap(VmcFrame *fr, VmStatus st, const char *msg) {
    snprintf(fr->msg, sizeof fr->msg, "%s", msg);
    return st;
}

static VmStatus charge(VmcFrame *fr, uint64_t cost, uint64_t bytes) {
    VmStore *s = fr->r->s;
    cost += (bytes + 31) / 32 * VM_GAS_PER_WORD;
    if (s->gas < cost) { s->gas = 0; return trap(fr, VM_TRAP_OUT_OF_GAS, "out of gas in a host function"); }
    s->gas -= cost;
    return VM_OK;
}

/* Guest memory [p, p+n), or NULL when out of bounds. */
static uint8_t *mem(VmcFrame *fr, uint64_t p, uint64_t n) {
    VmMemory *m = fr->r->mem;
    if (p + n > m->size) return NULL;
    vm_memory_mark(m->dirty, p, n); /* reads too: conservative */
    return m->data + p;
}

#define FR ((VmcFrame *)((Runner *)ud)->fr)
#define CHARGE(name, bytes) do { VmStatus cs_ = charge(fr, HC_##name, (bytes)); if (cs_) return cs_; } while (0)
#define MEM(var, p, n) uint8_t *var = mem(fr, (p), (n)); if (!var) return trap(fr, VM_TRAP_MEM_OOB, "host function: out of bounds memory access")

static VmStatus h_read_args(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    CHARGE(read_args, fr->nargs);
    MEM(d, (uint32_t)a[0], fr->nargs);
    if (fr->nargs) memcpy(d, fr->args, fr->nargs);
    return VM_OK;
}

static VmStatus h_write_result(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    uint32_t p = (uint32_t)a[0], n = (uint32_t)a[1];
    CHARGE(write_result, n);
    if (n > VMC_MAX_DATA) return trap(fr, VM_LIMIT, "return data too large (limit is 1 MiB)");
    MEM(d, p, n);
    uint8_t *o = vm_realloc(fr->out, n ? n : 1);
    if (!o) return VM_OUT_OF_MEMORY;
    memcpy(o, d, n);
    fr->out = o; fr->nout = n;
    return VM_OK;
}

static VmStatus h_storage_load(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    CHARGE(storage_load_bytes32, 0);
    MEM(k, (uint32_t)a[0], 32);
    MEM(d, (uint32_t)a[1], 32);
    VmcWord key; memcpy(key.b, k, 32);
    VmcWord v = vmc_state_storage(fr->c->st, &fr->self, &key);
    memcpy(d, v.b, 32);
    return VM_OK;
}

/* Writes go straight to the journaled state: a revert undoes them like a dropped cache. */
static VmStatus h_storage_cache(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    CHARGE(storage_cache_bytes32, 0);
    if (fr->is_static) return trap(fr, VM_TRAP_HOST, "storage write in a static call");
    MEM(k, (uint32_t)a[0], 32);
    MEM(v, (uint32_t)a[1], 32);
    VmcWord key, val; memcpy(key.b, k, 32); memcpy(val.b, v, 32);
    return vmc_state_set_storage(fr->c->st, &fr->self, &key, &val);
}

static VmStatus h_storage_flush(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; (void)r;
    CHARGE(storage_flush_cache, 0);
    return VM_OK;
}

static VmStatus put(VmcFrame *fr, uint64_t p, const void *src, size_t n) {
    MEM(d, p, n);
    memcpy(d, src, n);
    return VM_OK;
}

static VmStatus h_msg_sender(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r; CHARGE(msg_sender, 0);
    return put(fr, (uint32_t)a[0], fr->sender.b, 20);
}
static VmStatus h_tx_origin(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r; CHARGE(tx_origin, 0);
    return put(fr, (uint32_t)a[0], fr->origin.b, 20);
}
static VmStatus h_contract_address(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r; CHARGE(contract_address, 0);
    return put(fr, (uint32_t)a[0], fr->self.b, 20);
}
static VmStatus h_msg_value(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r; CHARGE(msg_value, 0);
    return put(fr, (uint32_t)a[0], fr->value.b, 32);
}
static VmStatus h_msg_reentrant(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(msg_reentrant, 0);
    bool re = false;
    for (VmcFrame *p = fr->parent; p; p = p->parent) re |= !memcmp(p->self.b, fr->self.b, 20);
    r[0] = re;
    return VM_OK;
}
static VmStatus h_block_number(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(block_number, 0); r[0] = fr->c->env.block_number; return VM_OK;
}
static VmStatus h_block_timestamp(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(block_timestamp, 0); r[0] = fr->c->env.block_timestamp; return VM_OK;
}
static VmStatus h_chainid(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(chainid, 0); r[0] = fr->c->env.chain_id; return VM_OK;
}
static VmStatus h_evm_gas_left(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(evm_gas_left, 0); r[0] = fr->r->s->gas; return VM_OK;
}
static VmStatus h_evm_ink_left(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(evm_ink_left, 0); r[0] = fr->r->s->gas; return VM_OK;
}
/* memory.grow itself is charged (gas.def); this only pays the hostio. */
static VmStatus h_pay_for_memory_grow(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; (void)r; CHARGE(pay_for_memory_grow, 0); return VM_OK;
}

static VmStatus h_emit_log(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    uint32_t p = (uint32_t)a[0], n = (uint32_t)a[1], t = (uint32_t)a[2];
    CHARGE(emit_log, n);
    if (fr->is_static) return trap(fr, VM_TRAP_HOST, "log in a static call");
    if (t > 4 || (uint64_t)t * 32 > n) return trap(fr, VM_TRAP_HOST, "emit_log: bad topic count");
    MEM(d, p, n);
    VmcLog log = { .addr = fr->self, .ntopics = t, .data = d + 32 * t, .len = n - 32 * t };
    for (uint32_t i = 0; i < t; i++) memcpy(log.topics[i].b, d + 32 * i, 32);
    return vmc_state_log(fr->c->st, &log);
}

static VmStatus h_keccak(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    uint32_t p = (uint32_t)a[0], n = (uint32_t)a[1], o = (uint32_t)a[2];
    CHARGE(native_keccak256, n);
    MEM(d, p, n);
    uint8_t h[32];
    VmcChain *c = fr->c;
    if (n == 64 && !c->kcache) c->kcache = vm_alloc(sizeof *c->kcache * VMC_KECCAK_CACHE);
    if (n == 64 && c->kcache) {
        unsigned i = (d[31] * 31u + d[30] * 7u + d[63] * 131u + d[62] + d[12] * 17u) & (VMC_KECCAK_CACHE - 1);
        if (!c->kcache[i].used || memcmp(c->kcache[i].in, d, 64)) {
            memcpy(c->kcache[i].in, d, 64);
            keccak256(d, 64, c->kcache[i].out);
            c->kcache[i].used = true;
        }
        memcpy(h, c->kcache[i].out, 32);
    } else keccak256(d, n, h);
    return put(fr, o, h, 32);
}

static VmStatus h_account_balance(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)r;
    CHARGE(account_balance, 0);
    MEM(p, (uint32_t)a[0], 20);
    VmcAddr ad; memcpy(ad.b, p, 20);
    VmcWord b = vmc_state_balance(fr->c->st, &ad);
    return put(fr, (uint32_t)a[1], b.b, 32);
}

enum { CALL_NORMAL, CALL_STATIC, CALL_DELEGATE };

/* The three calls: the callee runs in its own frame (own runner and store) with at most
 * 63/64 of the gas left; its state changes are rolled back when it fails. Returns 0 on
 * success, 1 on failure (Stylus' u8), the return data length at `rlen`. */
static VmStatus do_call(VmcFrame *fr, int kind, uint32_t addr_p, uint32_t data_p, uint32_t len,
                        uint32_t value_p, uint64_t gas, uint32_t rlen_p, uint64_t *r) {
    VmcChain *c = fr->c;
    MEM(ap, addr_p, 20);
    MEM(dp, data_p, len);
    MEM(rp, rlen_p, 4); (void)rp;
    VmcFrame callee = { .c = c, .parent = fr, .origin = fr->origin, .args = dp, .nargs = len,
                        .is_static = fr->is_static || kind == CALL_STATIC, .depth = fr->depth + 1 };
    VmcAddr to; memcpy(to.b, ap, 20);
    if (kind == CALL_NORMAL) { MEM(vp, value_p, 32); memcpy(callee.value.b, vp, 32); }
    else if (kind == CALL_DELEGATE) callee.value = fr->value;
    bool has_value = false;
    for (int i = 0; i < 32; i++) has_value |= callee.value.b[i] != 0;
    if (has_value && fr->is_static && kind == CALL_NORMAL)
        return trap(fr, VM_TRAP_HOST, "value transfer in a static call");
    callee.self = kind == CALL_DELEGATE ? fr->self : to; /* delegate: `to`'s code on our storage */
    callee.code = to;
    callee.sender = kind == CALL_DELEGATE ? fr->sender : fr->self;
    uint64_t avail = fr->r->s->gas - fr->r->s->gas / 64;
    if (gas > avail) gas = avail;
    uint32_t snap = vmc_state_snapshot(c->st);
    VmStatus st = VM_OK;
    if (kind == CALL_NORMAL && has_value) st = vmc_transfer(c->st, &fr->self, &to, &callee.value);
    uint64_t left = gas;
    size_t ncode = 0;
    if (st == VM_OK && vmc_state_code(c->st, &to, &ncode) && ncode) {
        st = vmc_run(c, &callee, gas, &left);
    }
    if (st == VM_OUT_OF_MEMORY) { vmc_state_revert(c->st, snap); vm_free(callee.out); return st; }
    if (st == VM_OK) vmc_state_commit(c->st, snap); else vmc_state_revert(c->st, snap);
    fr->r->s->gas -= gas - left;
    vm_free(fr->rdata);
    fr->rdata = callee.out; fr->nrdata = callee.nout;
    uint32_t n = (uint32_t)fr->nrdata;
    memcpy(mem(fr, rlen_p, 4), &n, 4); /* little-endian hosts only, as the VM */
    r[0] = st == VM_OK ? 0 : 1;
    return VM_OK;
}

static VmStatus h_call_contract(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR;
    uint32_t ad = (uint32_t)a[0], d = (uint32_t)a[1], n = (uint32_t)a[2], v = (uint32_t)a[3], rl = (uint32_t)a[5];
    uint64_t gas = a[4];
    CHARGE(call_contract, n);
    return do_call(fr, CALL_NORMAL, ad, d, n, v, gas, rl, r);
}
static VmStatus h_static_call_contract(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR;
    uint32_t ad = (uint32_t)a[0], d = (uint32_t)a[1], n = (uint32_t)a[2], rl = (uint32_t)a[4];
    uint64_t gas = a[3];
    CHARGE(static_call_contract, n);
    return do_call(fr, CALL_STATIC, ad, d, n, 0, gas, rl, r);
}
static VmStatus h_delegate_call_contract(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR;
    uint32_t ad = (uint32_t)a[0], d = (uint32_t)a[1], n = (uint32_t)a[2], rl = (uint32_t)a[4];
    uint64_t gas = a[3];
    CHARGE(delegate_call_contract, n);
    return do_call(fr, CALL_DELEGATE, ad, d, n, 0, gas, rl, r);
}

static VmStatus h_read_return_data(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR;
    uint32_t dest = (uint32_t)a[0], off = (uint32_t)a[1], size = (uint32_t)a[2];
    CHARGE(read_return_data, size);
    size_t n = 0;
    if (off < fr->nrdata) n = fr->nrdata - off < size ? fr->nrdata - off : size;
    MEM(d, dest, n);
    if (n) memcpy(d, fr->rdata + off, n);
    r[0] = n;
    return VM_OK;
}
static VmStatus h_return_data_size(void *ud, uint64_t *a, uint64_t *r) {
    VmcFrame *fr = FR; (void)a; CHARGE(return_data_size, 0); r[0] = fr->nrdata; return VM_OK;
}

static const VmcHost hosts[] = {
    { "read_args", "i", "", h_read_args },
    { "write_result", "ii", "", h_write_result },
    { "storage_load_bytes32", "ii", "", h_storage_load },
    { "storage_cache_bytes32", "ii", "", h_storage_cache },
    { "storage_flush_cache", "i", "", h_storage_flush },
    { "msg_sender", "i", "", h_msg_sender },
    { "msg_value", "i", "", h_msg_value },
    { "msg_reentrant", "", "i", h_msg_reentrant },
    { "block_number", "", "I", h_block_number },
    { "block_timestamp", "", "I", h_block_timestamp },
    { "chainid", "", "I", h_chainid },
    { "contract_address", "i", "", h_contract_address },
    { "tx_origin", "i", "", h_tx_origin },
    { "emit_log", "iii", "", h_emit_log },
    { "native_keccak256", "iii", "", h_keccak },
    { "account_balance", "ii", "", h_account_balance },
    { "evm_gas_left", "", "I", h_evm_gas_left },
    { "evm_ink_left", "", "I", h_evm_ink_left },
    { "pay_for_memory_grow", "i", "", h_pay_for_memory_grow },
    { "call_contract", "iiiiIi", "i", h_call_contract },
    { "static_call_contract", "iiiIi", "i", h_static_call_contract },
    { "delegate_call_contract", "iiiIi", "i", h_delegate_call_contract },
    { "read_return_data", "iii", "i", h_read_return_data },
    { "return_data_size", "", "i", h_return_data_size },
};

const VmcHost *vmc_host_find(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
        if (strlen(hosts[i].name) == len && !memcmp(hosts[i].name, name, len)) return &hosts[i];
    return NULL;
}
