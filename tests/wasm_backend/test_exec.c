/* test_exec.c — runs compiled contracts on the bundled VM (vm/vm.h) under a small Stylus
 * host: vm_hooks over an in-memory storage map with the write cache Stylus has (a revert
 * drops the call's writes, flushed or not), value transfers, return data and logs. Scenarios: the
 * token's mint/transfer/balances/errors/ABI validation, byte-checked against the Solidity
 * ABI, and a 256-bit arithmetic harness checked against ir/'s U256 on random vectors.
 * usage: test_exec SOURCE_DIR */
#include <stdlib.h>
#include <string.h>

#include "backends/wasm/wasm.h"
#include "frontend/frontend.h"
#include "vm/vm.h"

static int failures, passed;
#define CHECK(cond, ...) \
    ((cond) ? (void)passed++ : (fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__), \
                                fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), (void)failures++))

/* ---------------- the host ---------------- */
enum { MAXSLOTS = 512, MAXLOGS = 16 };
typedef struct Slot { uint8_t key[32], val[32]; } Slot;
typedef struct Host {
    const uint8_t *wasm; size_t nwasm;
    VmStore *store;
    VmFunc *entry;
    VmMemory *mem;
    Slot committed[MAXSLOTS]; int ncommitted;
    Slot pending[MAXSLOTS]; int npending;
    Slot saved[MAXSLOTS]; int nsaved;   /* committed storage when the call began */
    uint8_t sender[20];
    U256 value;                      /* msg.value of the call in progress */
    U256 balance;                    /* the contract's */
    int token_mode;                  /* the token's answer: 0 true, 1 revert 0xdead, 2 false, 3 short, 4 dirty, 5 answer[] */
    uint8_t answer[512]; uint32_t nanswer;
    uint8_t ret[512]; uint32_t nret;  /* return data of the last call out */
    uint8_t called[256]; size_t ncalled; uint8_t callee[20];
    bool flushed_before_call;
    const uint8_t *calldata; size_t ncalldata;
    uint8_t result[4096]; size_t nresult;
    uint8_t logs[MAXLOGS][1024]; size_t nlog[MAXLOGS]; int ntopics[MAXLOGS]; int nlogs;
} Host;

typedef struct Cd { uint8_t b[1024]; size_t n; } Cd;
static void cd_sel(Cd *c, const char *sig) {
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(c->b, h, 4);
    c->n = 4;
}
static void cd_word(Cd *c, U256 v) {
    for (int k = 0; k < 32; k++)
        c->b[c->n + (size_t)k] = (uint8_t)(v.w[(31 - k) / 8] >> (8 * ((31 - k) % 8)));
    c->n += 32;
}
static void cd_bytes(Cd *c, const void *p, size_t n) {
    memcpy(c->b + c->n, p, n);
    memset(c->b + c->n + n, 0, (32 - n % 32) % 32);
    c->n += (n + 31) / 32 * 32;
}
static U256 word_at(const uint8_t *p) {
    U256 v = {{0}};
    for (int k = 0; k < 32; k++)
        v.w[(31 - k) / 8] |= (uint64_t)p[k] << (8 * ((31 - k) % 8));
    return v;
}

static Slot *find(Slot *t, int n, const uint8_t key[32]) {
    for (int k = 0; k < n; k++)
        if (memcmp(t[k].key, key, 32) == 0)
            return &t[k];
    return NULL;
}
static void put(Slot *t, int *n, const uint8_t key[32], const uint8_t val[32]) {
    Slot *s = find(t, *n, key);
    if (!s && *n < MAXSLOTS)
        s = &t[(*n)++], memcpy(s->key, key, 32);
    if (s)
        memcpy(s->val, val, 32);
}
static void flush(Host *h) {
    for (int k = 0; k < h->npending; k++)
        put(h->committed, &h->ncommitted, h->pending[k].key, h->pending[k].val);
    h->npending = 0;
}
static void storage_get(Host *h, const uint8_t key[32], uint8_t out[32]) {
    Slot *s = find(h->pending, h->npending, key);
    if (!s)
        s = find(h->committed, h->ncommitted, key);
    if (s)
        memcpy(out, s->val, 32);
    else
        memset(out, 0, 32);
}

static Host *H;   /* the host of the call in progress (host functions get it as ud too) */
#define RD(a, p, n) vm_memory_read(H->mem, (uint32_t)(a), (p), (n))
#define WR(a, p, n) vm_memory_write(H->mem, (uint32_t)(a), (p), (n))

static VmStatus h_read_args(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)r; return WR(a[0], H->calldata, H->ncalldata); }
static VmStatus h_write_result(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    H->nresult = (size_t)(uint32_t)a[1] < sizeof H->result ? (uint32_t)a[1] : sizeof H->result;
    return RD(a[0], H->result, H->nresult);
}
static VmStatus h_load(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint8_t k[32], v[32];
    VmStatus s = RD(a[0], k, 32);
    if (s != VM_OK)
        return s;
    storage_get(H, k, v);
    return WR(a[1], v, 32);
}
static VmStatus h_cache(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint8_t k[32], v[32];
    VmStatus s = RD(a[0], k, 32);
    if (s == VM_OK)
        s = RD(a[1], v, 32);
    if (s == VM_OK)
        put(H->pending, &H->npending, k, v);
    return s;
}
static VmStatus h_flush(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a, (void)r; flush(H); return VM_OK; }
static VmStatus h_sender(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)r; return WR(a[0], H->sender, 20); }
static VmStatus h_value(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    Cd w = {{0}, 0};
    cd_word(&w, H->value);
    return WR(a[0], w.b, 32);
}
static VmStatus h_addr(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint8_t x[20] = {0};
    x[19] = 0xcc;
    return WR(a[0], x, 20);
}
static VmStatus h_zero_i(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a; r[0] = 0; return VM_OK; }
static VmStatus h_number(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a; r[0] = 1000; return VM_OK; }
static VmStatus h_log(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    if (H->nlogs >= MAXLOGS || (uint32_t)a[1] > 1024)
        return VM_OK;
    int k = H->nlogs++;
    H->nlog[k] = (uint32_t)a[1];
    H->ntopics[k] = (int)(uint32_t)a[2];
    return RD(a[0], H->logs[k], H->nlog[k]);
}
static VmStatus h_keccak(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint32_t n = (uint32_t)a[1];
    uint8_t *buf = malloc(n + 1), out[32];
    VmStatus s = RD(a[0], buf, n);
    if (s == VM_OK) {
        keccak256(buf, n, out);
        s = WR(a[2], out, 32);
    }
    free(buf);
    return s;
}
static VmStatus h_call_fail(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a; r[0] = 1; return VM_OK; }
/* A call to an account without code: the value moves, nothing runs, no return data. */
/* A call with calldata goes to a token whose answer the test chooses (H->token_mode);
 * one without is a value transfer to an account without code. */
static VmStatus h_call_eoa(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud;
    uint32_t zero = 0;
    uint8_t v[32];
    VmStatus s = RD(a[3], v, 32);
    if (s != VM_OK)
        return s;
    H->nret = 0;
    if ((uint32_t)a[2]) {
        H->ncalled = (uint32_t)a[2] < sizeof H->called ? (uint32_t)a[2] : sizeof H->called;
        H->flushed_before_call = H->npending == 0;
        if ((s = RD(a[1], H->called, H->ncalled)) != VM_OK || (s = RD(a[0], H->callee, 20)) != VM_OK)
            return s;
        static const uint8_t answers[][33] = {{32, [32] = 1}, {2, 0xde, 0xad}, {32}, {4, 0, 0, 0, 1}, {32, [32] = 2}};
        if (H->token_mode == 5) {
            memcpy(H->ret, H->answer, H->nanswer);
            H->nret = H->nanswer;
        } else {
            memcpy(H->ret, answers[H->token_mode] + 1, answers[H->token_mode][0]);
            H->nret = answers[H->token_mode][0];
        }
        r[0] = H->token_mode == 1;
        return WR(a[5], &H->nret, 4);
    }
    U256 value = word_at(v);
    bool borrow;
    U256 left = u256_sub(H->balance, value, &borrow);
    r[0] = borrow;            /* the EVM's CALL fails when the balance is short */
    if (!borrow)
        H->balance = left;
    return WR(a[5], &zero, 4);
}
static VmStatus h_read_ret(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud;
    uint32_t off = (uint32_t)a[1], n = (uint32_t)a[2];
    if (off > H->nret)
        off = H->nret;
    if (n > H->nret - off)
        n = H->nret - off;
    VmStatus s = WR(a[0], H->ret + off, n);
    r[0] = n;   /* results share the argument slots: written last */
    return s;
}
static VmStatus h_ret_size(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a; r[0] = H->nret; return VM_OK; }
static VmStatus h_balance(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint8_t x[20];
    VmStatus s = RD(a[0], x, 20);
    Cd w = {{0}, 0};
    cd_word(&w, x[19] == 0xcc && !x[0] ? H->balance : u256_from_u64(0));
    return s == VM_OK ? WR(a[1], w.b, 32) : s;
}
static VmStatus h_nop(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a, (void)r; return VM_OK; }

static const struct { const char *name, *params, *results; VmHostFn fn; } hooks[] = {
    {"read_args", "i", "", h_read_args}, {"write_result", "ii", "", h_write_result},
    {"storage_load_bytes32", "ii", "", h_load}, {"storage_cache_bytes32", "ii", "", h_cache},
    {"storage_flush_cache", "i", "", h_flush}, {"msg_sender", "i", "", h_sender},
    {"msg_value", "i", "", h_value}, {"msg_reentrant", "", "i", h_zero_i},
    {"block_number", "", "I", h_number}, {"block_timestamp", "", "I", h_number},
    {"chainid", "", "I", h_number}, {"contract_address", "i", "", h_addr},
    {"tx_origin", "i", "", h_sender}, {"emit_log", "iii", "", h_log},
    {"native_keccak256", "iii", "", h_keccak}, {"account_balance", "ii", "", h_balance},
    {"call_contract", "iiiiIi", "i", h_call_eoa}, {"static_call_contract", "iiiIi", "i", h_call_fail},
    {"read_return_data", "iii", "i", h_read_ret}, {"return_data_size", "", "i", h_ret_size},
    {"pay_for_memory_grow", "i", "", h_nop},
};

/* Loads and instantiates the contract once; Stylus runs each call in a fresh instance,
 * which the generated code does not depend on (it resets its heap at entry). */
static bool instantiate(Host *h) {
    H = h;
    VmLimits lim = vm_default_limits();
    h->store = vm_store_new(&lim);
    VmModule *mod;
    VmError err;
    if (vm_module_load(h->store, h->wasm, h->nwasm, &mod, &err) != VM_OK) {
        fprintf(stderr, "vm: load: %s\n", err.msg);
        return false;
    }
    uint32_t ni = vm_module_import_count(mod);
    VmExtern *imps = calloc(ni + 1, sizeof *imps);
    for (uint32_t i = 0; i < ni; i++) {
        const char *mn, *nm;
        size_t ml, nl;
        uint8_t kind;
        vm_module_import(mod, i, &mn, &ml, &nm, &nl, &kind);
        for (size_t k = 0; k < sizeof hooks / sizeof hooks[0]; k++)
            if (strlen(hooks[k].name) == nl && memcmp(hooks[k].name, nm, nl) == 0)
                imps[i] = (VmExtern){VM_EXTERN_FUNC, vm_host_func_new(h->store, hooks[k].params, hooks[k].results, hooks[k].fn, h)};
    }
    VmInstance *inst;
    VmStatus st = vm_instantiate(h->store, mod, imps, ni, &inst, &err);
    free(imps);
    if (st != VM_OK) {
        fprintf(stderr, "vm: instantiate: %s\n", err.msg);
        return false;
    }
    VmExtern mem, entry;
    vm_instance_export(inst, "memory", &mem);
    vm_instance_export(inst, "user_entrypoint", &entry);
    h->mem = mem.ptr, h->entry = entry.ptr;
    return true;
}

/* One transaction: user_entrypoint(len); returns its status (0 ok, 1 revert) or -1 when
 * the VM trapped. Reverts drop the pending storage writes. */
static int call(Host *h, const uint8_t *cd, size_t n) {
    H = h;
    h->calldata = cd, h->ncalldata = n, h->nresult = 0, h->nlogs = 0;
    U256 before = h->balance;
    memcpy(h->saved, h->committed, sizeof(Slot) * (size_t)h->ncommitted);
    h->nsaved = h->ncommitted;
    h->balance = u256_add(h->balance, h->value, NULL);
    VmValue arg = {VM_I32, n}, res;
    VmStatus st = vm_invoke(h->store, h->entry, &arg, 1, &res, 1);
    int status = -1;
    if (st != VM_OK)
        fprintf(stderr, "vm: trap: %s (%s)\n", vm_status_str(st), vm_store_trap_message(h->store));
    else
        status = (int)(uint32_t)res.bits;
    if (status != 0) {   /* a revert undoes the call's writes, flushed ones too (the EVM journal) */
        h->npending = 0, h->balance = before;
        memcpy(h->committed, h->saved, sizeof(Slot) * (size_t)h->nsaved);
        h->ncommitted = h->nsaved;
    }
    return status;
}

/* ---------------- calldata and expectations ---------------- */
static U256 addr(uint8_t last) { U256 v = u256_from_u64(0xa11ce00000ull | last); v.w[2] = 0xdeadbeefu; return v; }
static void set_sender(Host *h, U256 a) {
    for (int k = 0; k < 20; k++)
        h->sender[k] = (uint8_t)(a.w[(19 - k) / 8] >> (8 * ((19 - k) % 8)));
}

static bool compile(const char *src, const char *stdlib_dir, const char *contract, Host *h, Compilation *c) {
    fe_init(c, stdlib_dir);
    if (!fe_load(c, src) || !fe_check(c) || !fe_lower(c)) {
        diag_print(&c->diags, stderr);
        return false;
    }
    for (int i = 0; i < c->nmodules; i++) {
        IrModule *m = c->modules[i];
        if (strcmp(m->name, contract) != 0)
            continue;
        WbOutput out;
        WbOptions opt = {0};
        if (!ir_optimize(m, NULL, true, &c->diags) || !wb_compile(m, &opt, &out, &c->diags)) {
            diag_print(&c->diags, stderr);
            return false;
        }
        h->wasm = out.wasm, h->nwasm = out.nwasm;
        return instantiate(h);
    }
    return false;
}

static void token_scenario(const char *root) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/examples/token.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    if (!compile(src, lib, "Token", h, &c)) {
        CHECK(false, "token does not compile");
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h);
        return;
    }
    U256 zero = u256_from_u64(0), A = addr(1), B = addr(2);
    Cd cd;
    /* the constructor, as cargo-stylus calls it: stylus_constructor() ++ abi.encode(args) */
    cd_sel(&cd, "stylus_constructor()");
    CHECK(cd.b[0] == 0x55 && cd.b[1] == 0x85 && cd.b[2] == 0x25 && cd.b[3] == 0x8d, "WB_CONSTRUCTOR_SELECTOR");
    cd_word(&cd, u256_from_u64(0x40)), cd_word(&cd, u256_from_u64(0x80));
    cd_word(&cd, u256_from_u64(5)), cd_bytes(&cd, "Token", 5), cd_word(&cd, u256_from_u64(3)), cd_bytes(&cd, "TKN", 3);
    set_sender(h, zero);   /* the owner: address 0 */
    CHECK(call(h, cd.b, cd.n) == 0, "the constructor runs");
    CHECK(call(h, cd.b, cd.n) == 1, "and only once");
    cd_sel(&cd, "mint(address,uint256)"), cd_word(&cd, A), cd_word(&cd, u256_from_u64(1000));
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 0, "mint succeeds with no return data");
    CHECK(h->nlogs == 1 && h->ntopics[0] == 3 && h->nlog[0] == 128, "mint logs Transfer with 3 topics, 32 data bytes");
    uint8_t t0[32];
    keccak256("Transfer(address,address,uint256)", 33, t0);
    CHECK(memcmp(h->logs[0], t0, 32) == 0, "topic0 is keccak of the signature");
    CHECK(u256_eq(word_at(h->logs[0] + 32), zero) && u256_eq(word_at(h->logs[0] + 64), A) &&
          u256_eq(word_at(h->logs[0] + 96), u256_from_u64(1000)), "Transfer(0, A, 1000)");
    /* the Solidity slot of balances[A]: keccak256(A . 3) */
    uint8_t key[64], slot[32], v[32];
    for (int k = 0; k < 32; k++)
        key[k] = (uint8_t)(A.w[(31 - k) / 8] >> (8 * ((31 - k) % 8)));
    memset(key + 32, 0, 32), key[63] = 3;
    keccak256(key, 64, slot);
    storage_get(h, slot, v);
    CHECK(u256_eq(word_at(v), u256_from_u64(1000)), "balances[A] lives at keccak256(A . 3)");
    memset(slot, 0, 32), slot[31] = 2;
    storage_get(h, slot, v);
    CHECK(u256_eq(word_at(v), u256_from_u64(1000)), "totalSupply lives at slot 2");

    set_sender(h, A);
    cd_sel(&cd, "transfer(address,uint256)"), cd_word(&cd, B), cd_word(&cd, u256_from_u64(300));
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 32 && u256_eq(word_at(h->result), u256_from_u64(1)),
          "transfer returns true");
    cd_sel(&cd, "balanceOf(address)"), cd_word(&cd, A);
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 32 && u256_eq(word_at(h->result), u256_from_u64(700)), "balanceOf(A) = 700");
    cd_sel(&cd, "balanceOf(address)"), cd_word(&cd, B);
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 32 && u256_eq(word_at(h->result), u256_from_u64(300)), "balanceOf(B) = 300");
    cd_sel(&cd, "totalSupply()");
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 32 && u256_eq(word_at(h->result), u256_from_u64(1000)), "totalSupply() = 1000");
    cd_sel(&cd, "decimals()");
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 32 && u256_eq(word_at(h->result), u256_from_u64(18)), "decimals() = 18");

    /* custom error: selector ++ abi.encode(args); the failed call's writes are dropped */
    cd_sel(&cd, "transfer(address,uint256)"), cd_word(&cd, B), cd_word(&cd, u256_from_u64(800));
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 4 + 96, "overdraft reverts with InsufficientBalance data");
    uint8_t sel[32];
    keccak256("InsufficientBalance(address,uint256,uint256)", 44, sel);
    CHECK(memcmp(h->result, sel, 4) == 0 && u256_eq(word_at(h->result + 4), A) &&
          u256_eq(word_at(h->result + 36), u256_from_u64(700)) && u256_eq(word_at(h->result + 68), u256_from_u64(800)),
          "InsufficientBalance(A, 700, 800)");
    /* ABI validation: short calldata, dirty address bits, unknown selector */
    cd_sel(&cd, "transfer(address,uint256)"), cd_word(&cd, B);
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "short calldata reverts empty");
    U256 dirty = B;
    dirty.w[3] = 1;
    cd_sel(&cd, "transfer(address,uint256)"), cd_word(&cd, dirty), cd_word(&cd, u256_from_u64(1));
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "dirty address bits revert");
    cd_sel(&cd, "nosuch()");
    CHECK(call(h, cd.b, cd.n) == 1, "unknown selector reverts");
    CHECK(call(h, cd.b, 3) == 1, "calldata shorter than a selector reverts");
    /* approve / transferFrom through the nested map */
    cd_sel(&cd, "approve(address,uint256)"), cd_word(&cd, B), cd_word(&cd, u256_from_u64(50));
    CHECK(call(h, cd.b, cd.n) == 0, "approve");
    set_sender(h, B);
    cd_sel(&cd, "transferFrom(address,address,uint256)"), cd_word(&cd, A), cd_word(&cd, B), cd_word(&cd, u256_from_u64(20));
    CHECK(call(h, cd.b, cd.n) == 0, "transferFrom within the allowance");
    cd_sel(&cd, "allowance(address,address)"), cd_word(&cd, A), cd_word(&cd, B);
    CHECK(call(h, cd.b, cd.n) == 0 && u256_eq(word_at(h->result), u256_from_u64(30)), "allowance(A, B) = 30");
    cd_sel(&cd, "name()");
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 96 && u256_eq(word_at(h->result), u256_from_u64(32)) &&
          u256_eq(word_at(h->result + 32), u256_from_u64(5)) && !memcmp(h->result + 64, "Token\0", 6),
          "name() = \"Token\", set by the constructor");
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
}

/* ---------------- the arithmetic harness ---------------- */
typedef struct Ty { const char *name; unsigned bits; bool sg; } Ty;
static const Ty tys[] = {{"u8", 8, false}, {"i8", 8, true}, {"u32", 32, false}, {"i64", 64, true},
                         {"u64", 64, false}, {"u128", 128, false}, {"i128", 128, true},
                         {"u160", 160, false}, {"u256", 256, false}, {"i256", 256, true}};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}
static U256 canon(U256 v, Ty t) { return u256_trunc(v, t.bits, t.sg); }
static bool neg(U256 v) { return v.w[3] >> 63; }
static U256 value(Ty t, int k) {
    U256 one = u256_from_u64(1), v;
    switch (k) {
    case 0: return u256_from_u64(0);
    case 1: return one;
    case 2: return canon(u256_neg(one), t);                                  /* -1 or max */
    case 3: return canon(u256_sub(u256_shl(one, t.bits - 1), one, NULL), t); /* max signed */
    case 4: return canon(u256_shl(one, t.bits - 1), t);                      /* min signed */
    case 5: return u256_from_u64(2);
    case 6: return canon(u256_from_u64(next() & 0xff), t);
    default:
        for (int q = 0; q < 4; q++)
            v.w[q] = next();
        return canon(u256_lshr(v, (unsigned)(next() % 256)), t);
    }
}

/* Expected outcome: returns the Panic code, or 0 with *r the result. */
static int expect(const char *op, Ty t, U256 a, U256 b, U256 *r) {
    bool of = false, carry = false;
    U256 s, rem;
    if (!strcmp(op, "add") || !strcmp(op, "sub")) {
        bool add = op[0] == 'a';
        s = add ? u256_add(a, b, &carry) : u256_sub(a, b, &carry);
        if (!t.sg)
            of = t.bits == 256 ? carry : !u256_fits(s, t.bits, false);
        else if (t.bits < 256)
            of = !u256_fits(s, t.bits, true);
        else
            of = (add ? neg(a) == neg(b) : neg(a) != neg(b)) && neg(s) != neg(a);
        *r = s;
        return of ? 0x11 : 0;
    }
    if (!strcmp(op, "mul")) {
        if (!t.sg) {
            s = u256_mul(a, b, &of);
            *r = s;
            return of || !u256_fits(s, t.bits, false) ? 0x11 : 0;
        }
        U256 ma = neg(a) ? u256_neg(a) : a, mb = neg(b) ? u256_neg(b) : b;
        U256 p = u256_mul(ma, mb, &of);
        bool n = neg(a) != neg(b);
        U256 min = u256_shl(u256_from_u64(1), 255);
        s = n ? u256_neg(p) : p;
        if (neg(p) && !(n && u256_eq(p, min)))
            of = true;
        *r = s;
        return of || !u256_fits(s, t.bits, true) ? 0x11 : 0;
    }
    if (!strcmp(op, "div") || !strcmp(op, "mod")) {
        if (u256_is_zero(b))
            return 0x12;
        U256 m1 = u256_neg(u256_from_u64(1)), min = canon(u256_shl(u256_from_u64(1), t.bits - 1), t);
        if (t.sg && u256_eq(b, m1) && u256_eq(a, min))
            return 0x11;
        s = t.sg ? u256_sdiv(a, b, &rem) : u256_udiv(a, b, &rem);
        *r = canon(op[0] == 'd' ? s : rem, t);
        return 0;
    }
    if (!strcmp(op, "wadd")) { *r = canon(u256_add(a, b, NULL), t); return 0; }
    if (!strcmp(op, "wsub")) { *r = canon(u256_sub(a, b, NULL), t); return 0; }
    if (!strcmp(op, "wmul")) { *r = canon(u256_mul(a, b, NULL), t); return 0; }
    unsigned n = b.w[1] | b.w[2] | b.w[3] || b.w[0] > 256 ? 256 : (unsigned)b.w[0];
    if (!strcmp(op, "shl")) { *r = n >= t.bits ? u256_from_u64(0) : canon(u256_shl(a, n), t); return 0; }
    if (!strcmp(op, "shr")) {
        *r = t.sg ? u256_ashr(a, n > 255 ? 255 : n) : n >= 256 ? u256_from_u64(0) : u256_lshr(a, n);
        return 0;
    }
    int c = t.sg ? i256_cmp(a, b) : u256_cmp(a, b);
    *r = u256_from_u64(!strcmp(op, "lt") ? c < 0 : c <= 0);
    return 0;
}

static void arith_scenario(const char *root) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/tests/wasm_backend/arith.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    if (!compile(src, lib, "Arith", h, &c)) {
        CHECK(false, "arith.writ does not compile");
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h);
        return;
    }
    static const char *const ops[] = {"add", "sub", "mul", "div", "mod", "wadd", "wsub", "wmul",
                                      "shl", "shr", "lt", "le"};
    static const unsigned shifts[] = {0, 1, 7, 8, 63, 64, 65, 127, 128, 159, 160, 200, 255, 256, 300};
    int before = failures;
    for (size_t ti = 0; ti < sizeof tys / sizeof tys[0]; ti++) {
        Ty t = tys[ti];
        for (size_t oi = 0; oi < sizeof ops / sizeof ops[0]; oi++) {
            const char *op = ops[oi];
            bool shift = op[0] == 's' && op[1] == 'h';
            char sig[64];
            snprintf(sig, sizeof sig, "%s_%s(%s%d,%s)", op, t.name, t.sg ? "int" : "uint", t.bits,
                     shift ? "uint256" : "");
            if (!shift)
                snprintf(sig, sizeof sig, "%s_%s(%s%d,%s%d)", op, t.name, t.sg ? "int" : "uint", t.bits,
                         t.sg ? "int" : "uint", t.bits);
            for (int k = 0; k < 40; k++) {
                U256 a = value(t, k % 9), b = shift ? u256_from_u64(k < 15 ? shifts[k] : next() % 270) : value(t, (k / 9 + k) % 9);
                if (k >= 27) {
                    a = value(t, 7 + k % 2);
                    b = shift ? b : value(t, 7);
                }
                U256 want = {{0}};
                int panic = expect(op, t, a, b, &want);
                Cd cd;
                cd_sel(&cd, sig), cd_word(&cd, a), cd_word(&cd, b);
                int st = call(h, cd.b, cd.n);
                char as[80], bs[80];
                u256_to_hex(a, as), u256_to_hex(b, bs);
                if (panic) {
                    CHECK(st == 1 && h->nresult == 36 && h->result[0] == 0x4e && h->result[35] == panic,
                          "%s(%s, %s): expected Panic(0x%x), status %d, %zu bytes", sig, as, bs, panic, st, h->nresult);
                } else {
                    char ws[80], gs[80] = "-";
                    u256_to_hex(want, ws);
                    if (h->nresult == 32)
                        u256_to_hex(word_at(h->result), gs);
                    CHECK(st == 0 && h->nresult == 32 && u256_eq(word_at(h->result), want),
                          "%s(%s, %s): expected %s, got status %d %s", sig, as, bs, ws, st, gs);
                }
                if (failures - before > 20) {
                    fprintf(stderr, "(stopping the arithmetic harness after 20 failures)\n");
                    vm_store_free(h->store), fe_free(&c), free(h);
                    return;
                }
            }
        }
    }
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
}

/* ---------------- aggregates and packed storage ---------------- */
static void cd_str(Cd *c, const char *s) {
    cd_word(c, u256_from_u64(strlen(s)));
    cd_bytes(c, s, strlen(s));
}
static U256 neg64(int64_t v) { U256 x = u256_from_u64((uint64_t)v); if (v < 0) x.w[1] = x.w[2] = x.w[3] = ~0ull; return x; }
static void dump(const char *what, const uint8_t *p, size_t n) {
    fprintf(stderr, "  %s (%zu bytes):", what, n);
    for (size_t k = 0; k < n; k++)
        fprintf(stderr, "%s%02x", k % 32 ? "" : "\n    ", p[k]);
    fputc('\n', stderr);
}
static bool same(Host *h, int st, const Cd *want) {
    if (!(st == 0 && h->nresult == want->n && memcmp(h->result, want->b, want->n) == 0))
        fprintf(stderr, "status %d\n", st), dump("got", h->result, h->nresult), dump("want", want->b, want->n);
    return st == 0 && h->nresult == want->n && memcmp(h->result, want->b, want->n) == 0;
}
static U256 slot_word(Host *h, U256 slot) {
    Cd k = {{0}, 0};
    cd_word(&k, slot);
    uint8_t v[32];
    storage_get(h, k.b, v);
    return word_at(v);
}
static U256 hash_words(U256 a, U256 b, int n) {
    Cd k = {{0}, 0};
    cd_word(&k, a);
    if (n == 2)
        cd_word(&k, b);
    uint8_t out[32];
    keccak256(k.b, k.n, out);
    return word_at(out);
}

static void agg_scenario(const char *root) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/tests/wasm_backend/agg.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    if (!compile(src, lib, "Agg", h, &c)) {
        CHECK(false, "agg.writ does not compile");
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h);
        return;
    }
    U256 A = addr(7), w32 = u256_from_u64(32);
    set_sender(h, A);
    Cd cd, want;
    /* a short string: in the slot, 2*len in the low byte */
    cd_sel(&cd, "setTitle(string)"), cd_word(&cd, w32), cd_str(&cd, "hello");
    CHECK(call(h, cd.b, cd.n) == 0, "setTitle(short)");
    want.n = 0, cd_word(&want, u256_from_u64(0x40)), cd_word(&want, u256_from_u64(5)), cd_str(&want, "hello");
    CHECK(h->nlogs == 1 && h->ntopics[0] == 2 && h->nlog[0] == 64 + want.n &&
          u256_eq(word_at(h->logs[0] + 32), A) && memcmp(h->logs[0] + 64, want.b, want.n) == 0,
          "Named(A, \"hello\", 5): indexed sender, string and length in the data");
    U256 s0 = slot_word(h, u256_from_u64(0));
    CHECK(s0.w[0] == 10 && (s0.w[3] >> 24) == 0x68656c6c6full, "short string layout in slot 0");
    cd_sel(&cd, "getTitle()");
    want.n = 0, cd_word(&want, w32), cd_str(&want, "hello");
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getTitle() = \"hello\"");
    /* a long string: 2*len+1 in the slot, the bytes from keccak256(slot) */
    const char *lng = "a string of thirty-eight bytes, long!!";
    cd_sel(&cd, "setTitle(string)"), cd_word(&cd, w32), cd_str(&cd, lng);
    CHECK(call(h, cd.b, cd.n) == 0, "setTitle(long)");
    CHECK(u256_eq(slot_word(h, u256_from_u64(0)), u256_from_u64(77)), "long string: slot 0 holds 2*38+1");
    U256 d0 = slot_word(h, hash_words(u256_from_u64(0), u256_from_u64(0), 1));
    CHECK((d0.w[3] >> 56) == 'a', "long string data at keccak256(0)");
    cd_sel(&cd, "getTitle()");
    want.n = 0, cd_word(&want, w32), cd_str(&want, lng);
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getTitle() = the long string");
    cd_sel(&cd, "titleLen()");
    want.n = 0, cd_word(&want, u256_from_u64(38));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "titleLen() = 38");
    cd_sel(&cd, "setTitle(string)"), cd_word(&cd, w32), cd_str(&cd, "this string has forty-one bytes, too long");
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "a string over its bound reverts empty");
    cd_sel(&cd, "setTitle(string)"), cd_word(&cd, u256_from_u64(0x1000)), cd_str(&cd, "x");
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "an offset past the calldata reverts");

    /* a struct in a map: packed fields in its first slot */
    U256 big = u256_add(u256_shl(u256_from_u64(1), 200), u256_from_u64(3), NULL);
    cd_sel(&cd, "setPair(uint256,(uint8,int16,address,uint256,bool))");
    cd_word(&cd, u256_from_u64(7)), cd_word(&cd, u256_from_u64(200)), cd_word(&cd, neg64(-5));
    cd_word(&cd, A), cd_word(&cd, big), cd_word(&cd, u256_from_u64(1));
    CHECK(call(h, cd.b, cd.n) == 0, "setPair");
    U256 ps = hash_words(u256_from_u64(7), u256_from_u64(1), 2);
    U256 w0 = slot_word(h, ps);
    U256 exp0 = u256_or(u256_or(u256_from_u64(200), u256_from_u64(0xfffbull << 8)), u256_shl(A, 24));
    CHECK(u256_eq(w0, exp0), "Pair's a, b, who packed in slot keccak256(7 . 1)");
    CHECK(u256_eq(slot_word(h, u256_add(ps, u256_from_u64(1), NULL)), big) &&
          u256_eq(slot_word(h, u256_add(ps, u256_from_u64(2), NULL)), u256_from_u64(1)), "Pair's big and ok in the next slots");
    cd_sel(&cd, "getPair(uint256)"), cd_word(&cd, u256_from_u64(7));
    want.n = 0, cd_word(&want, u256_from_u64(200)), cd_word(&want, neg64(-5)), cd_word(&want, A), cd_word(&want, big);
    cd_word(&want, u256_from_u64(1));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getPair(7) encodes the struct inline");
    cd_sel(&cd, "setPairB(uint256,int16)"), cd_word(&cd, u256_from_u64(7)), cd_word(&cd, u256_from_u64(300));
    CHECK(call(h, cd.b, cd.n) == 0, "setPairB");
    cd_sel(&cd, "pairB(uint256)"), cd_word(&cd, u256_from_u64(7));
    want.n = 0, cd_word(&want, u256_from_u64(300));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "pairB(7) = 300");
    CHECK(u256_eq(slot_word(h, ps), u256_or(u256_or(u256_from_u64(200), u256_from_u64(300ull << 8)), u256_shl(A, 24))),
          "setPairB rewrote only b's bytes");
    cd_sel(&cd, "setPairB(uint256,int16)"), cd_word(&cd, u256_from_u64(7)), cd_word(&cd, u256_from_u64(0x8000));
    CHECK(call(h, cd.b, cd.n) == 1, "an int16 without sign extension reverts");

    /* a list of packed u32 */
    for (int k = 1; k <= 3; k++) {
        cd_sel(&cd, "push(uint32)"), cd_word(&cd, u256_from_u64(10u * (unsigned)k));
        CHECK(call(h, cd.b, cd.n) == 0, "push");
    }
    CHECK(u256_eq(slot_word(h, u256_from_u64(2)), u256_from_u64(3)) &&
          u256_eq(slot_word(h, hash_words(u256_from_u64(2), u256_from_u64(0), 1)),
                  u256_or(u256_from_u64(10 | 20ull << 32), u256_shl(u256_from_u64(30), 64))),
          "list length in slot 2, elements packed eight to a slot at keccak256(2)");
    cd_sel(&cd, "pop()");
    want.n = 0, cd_word(&want, u256_from_u64(30));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "pop() = 30");
    cd_sel(&cd, "getXs()");
    want.n = 0, cd_word(&want, w32), cd_word(&want, u256_from_u64(2)), cd_word(&want, u256_from_u64(10)), cd_word(&want, u256_from_u64(20));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getXs() = [10, 20]");
    cd_sel(&cd, "xsAt(uint256)"), cd_word(&cd, u256_from_u64(2));
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 36 && h->result[35] == 0x32, "xsAt(2) panics 0x32");
    cd_sel(&cd, "pop()");
    call(h, cd.b, cd.n), call(h, cd.b, cd.n);
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 36 && h->result[35] == 0x31, "pop() of an empty list panics 0x31");

    /* assigning a shorter list zeroes the elements it drops */
    cd_sel(&cd, "setXs(uint32[])"), cd_word(&cd, w32), cd_word(&cd, u256_from_u64(9));
    for (int k = 1; k <= 9; k++)
        cd_word(&cd, u256_from_u64((unsigned)k));
    CHECK(call(h, cd.b, cd.n) == 0, "setXs(1..9)");
    cd_sel(&cd, "setXs(uint32[])"), cd_word(&cd, w32), cd_word(&cd, u256_from_u64(1)), cd_word(&cd, u256_from_u64(42));
    CHECK(call(h, cd.b, cd.n) == 0, "setXs([42])");
    U256 xd = hash_words(u256_from_u64(2), u256_from_u64(0), 1);
    CHECK(u256_eq(slot_word(h, u256_from_u64(2)), u256_from_u64(1)) && u256_eq(slot_word(h, xd), u256_from_u64(42)) &&
          u256_is_zero(slot_word(h, u256_add(xd, u256_from_u64(1), NULL))), "setXs([42]) leaves one element, the rest zeroed");
    /* a short string over a long one zeroes the old data words */
    cd_sel(&cd, "setTitle(string)"), cd_word(&cd, w32), cd_str(&cd, "hi");
    CHECK(call(h, cd.b, cd.n) == 0 && u256_is_zero(slot_word(h, hash_words(u256_from_u64(0), u256_from_u64(0), 1))) &&
          u256_is_zero(slot_word(h, u256_add(hash_words(u256_from_u64(0), u256_from_u64(0), 1), u256_from_u64(1), NULL))),
          "a short title clears the long one's data words");

    /* a fixed array of u8: 32 per slot */
    cd_sel(&cd, "setSmall(uint256,uint8)"), cd_word(&cd, u256_from_u64(33)), cd_word(&cd, u256_from_u64(7));
    CHECK(call(h, cd.b, cd.n) == 0, "setSmall(33, 7)");
    CHECK(u256_eq(slot_word(h, u256_from_u64(4)), u256_from_u64(7 << 8)), "small[33] is byte 1 of slot 4");
    cd_sel(&cd, "getSmall(uint256)"), cd_word(&cd, u256_from_u64(33));
    want.n = 0, cd_word(&want, u256_from_u64(7));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getSmall(33) = 7");
    cd_sel(&cd, "setSmall(uint256,uint8)"), cd_word(&cd, u256_from_u64(40)), cd_word(&cd, u256_from_u64(1));
    CHECK(call(h, cd.b, cd.n) == 1 && h->result[35] == 0x32, "setSmall(40) panics 0x32");

    /* packed scalars sharing slot 5 */
    cd_sel(&cd, "setPacked(uint8,int32,address,bool)");
    cd_word(&cd, u256_from_u64(0xab)), cd_word(&cd, neg64(-2)), cd_word(&cd, A), cd_word(&cd, u256_from_u64(1));
    CHECK(call(h, cd.b, cd.n) == 0, "setPacked");
    U256 p5 = u256_or(u256_or(u256_from_u64(0xab | 0xfffffffeull << 8), u256_shl(A, 40)), u256_shl(u256_from_u64(1), 200));
    CHECK(u256_eq(slot_word(h, u256_from_u64(5)), p5), "u8, i32, address, bool packed in slot 5 as solc packs them");
    cd_sel(&cd, "getB()");
    want.n = 0, cd_word(&want, neg64(-2));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getB() = -2");
    cd_sel(&cd, "getC()");
    want.n = 0, cd_word(&want, A);
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getC() = A");

    /* bytes4 keys: left-aligned words */
    U256 k4 = u256_shl(u256_from_u64(0xdeadbeef), 224);
    cd_sel(&cd, "setTag(bytes4,int64)"), cd_word(&cd, k4), cd_word(&cd, neg64(-7));
    CHECK(call(h, cd.b, cd.n) == 0, "setTag");
    CHECK(u256_eq(slot_word(h, hash_words(k4, u256_from_u64(6), 2)), u256_from_u64((uint64_t)-7)),
          "tags[0xdeadbeef] at keccak256(left-aligned key . 6), 8 bytes");
    cd_sel(&cd, "getTag(bytes4)"), cd_word(&cd, k4);
    want.n = 0, cd_word(&want, neg64(-7));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getTag = -7");
    cd_sel(&cd, "getTag(bytes4)"), cd_word(&cd, u256_or(k4, u256_from_u64(1)));
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "a bytes4 with dirty low bytes reverts");

    /* errors */
    cd_sel(&cd, "fail(string)"), cd_word(&cd, w32), cd_str(&cd, "abc");
    uint8_t sel[32];
    keccak256("TooLong(string,uint256)", 23, sel);
    want.n = 0, memcpy(want.b, sel, 4), want.n = 4;
    cd_word(&want, u256_from_u64(0x40)), cd_word(&want, u256_from_u64(3)), cd_str(&want, "abc");
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == want.n && memcmp(h->result, want.b, want.n) == 0,
          "TooLong(\"abc\", 3) = selector ++ abi.encode");
    cd_sel(&cd, "failMsg(uint256)"), cd_word(&cd, u256_from_u64(3));
    want.n = 0, memcpy(want.b, "\x08\xc3\x79\xa0", 4), want.n = 4;
    cd_word(&want, w32), cd_str(&want, "x is too small");
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == want.n && memcmp(h->result, want.b, want.n) == 0,
          "require else \"message\" reverts with Error(string)");
    cd_sel(&cd, "failMsg(uint256)"), cd_word(&cd, u256_from_u64(6));
    CHECK(call(h, cd.b, cd.n) == 0, "failMsg(6) passes");

    /* dynamic and static aggregate parameters */
    cd_sel(&cd, "sumList(uint32[])"), cd_word(&cd, w32), cd_word(&cd, u256_from_u64(3));
    cd_word(&cd, u256_from_u64(1)), cd_word(&cd, u256_from_u64(2)), cd_word(&cd, u256_from_u64(0xffffffff));
    want.n = 0, cd_word(&want, u256_from_u64(3 + 0xffffffffull));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "sumList([1, 2, 2^32-1])");
    cd_sel(&cd, "sumList(uint32[])"), cd_word(&cd, w32), cd_word(&cd, u256_from_u64(1)), cd_word(&cd, u256_from_u64(1ull << 32));
    CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "a dirty u32 element reverts");
    cd_sel(&cd, "echo(int8[3])"), cd_word(&cd, neg64(-1)), cd_word(&cd, u256_from_u64(5)), cd_word(&cd, neg64(-128));
    want.n = 0, cd_word(&want, neg64(-1)), cd_word(&want, u256_from_u64(5)), cd_word(&want, neg64(-128));
    CHECK(same(h, call(h, cd.b, cd.n), &want), "echo([-1, 5, -128])");
    cd_sel(&cd, "echo(int8[3])"), cd_word(&cd, u256_from_u64(0x80)), cd_word(&cd, u256_from_u64(5)), cd_word(&cd, u256_from_u64(0));
    CHECK(call(h, cd.b, cd.n) == 1, "an int8 of 0x80 without sign extension reverts");
    cd_sel(&cd, "hash(uint256,string)"), cd_word(&cd, u256_from_u64(5)), cd_word(&cd, u256_from_u64(0x40)), cd_str(&cd, "ab");
    uint8_t pre[34] = {0}, hv[32];
    pre[31] = 5, pre[32] = 'a', pre[33] = 'b';
    keccak256(pre, 34, hv);
    want.n = 0, memcpy(want.b, hv, 32), want.n = 32;
    CHECK(same(h, call(h, cd.b, cd.n), &want), "keccak256(5, \"ab\") over the packed encoding");

    /* nested dynamic encodings: a list of structs holding strings */
    cd_sel(&cd, "addRec(uint32,string)"), cd_word(&cd, u256_from_u64(7)), cd_word(&cd, u256_from_u64(0x40)), cd_str(&cd, "ab");
    CHECK(call(h, cd.b, cd.n) == 0, "addRec(7, \"ab\")");
    cd_sel(&cd, "addRec(uint32,string)"), cd_word(&cd, u256_from_u64(9)), cd_word(&cd, u256_from_u64(0x40)), cd_str(&cd, "xyz");
    CHECK(call(h, cd.b, cd.n) == 0, "addRec(9, \"xyz\")");
    cd_sel(&cd, "getRecs()");
    want.n = 0;
    cd_word(&want, w32), cd_word(&want, u256_from_u64(2)), cd_word(&want, u256_from_u64(0x40)), cd_word(&want, u256_from_u64(0xc0));
    cd_word(&want, u256_from_u64(7)), cd_word(&want, u256_from_u64(0x40)), cd_str(&want, "ab");
    cd_word(&want, u256_from_u64(9)), cd_word(&want, u256_from_u64(0x40)), cd_str(&want, "xyz");
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getRecs() = [(7, \"ab\"), (9, \"xyz\")], offsets as solc writes them");
    cd_sel(&cd, "getRec(uint256)"), cd_word(&cd, u256_from_u64(1));
    want.n = 0;
    cd_word(&want, w32), cd_word(&want, u256_from_u64(9)), cd_word(&want, u256_from_u64(0x40)), cd_str(&want, "xyz");
    CHECK(same(h, call(h, cd.b, cd.n), &want), "getRec(1) = (9, \"xyz\") behind its offset");
    /* assigning a shorter list of structs zeroes the dropped element's slots */
    U256 rd = hash_words(u256_from_u64(7), u256_from_u64(0), 1);   /* recs is slot 7, two slots per Rec */
    CHECK(u256_eq(slot_word(h, u256_add(rd, u256_from_u64(2), NULL)), u256_from_u64(9)), "recs[1].id in its slot");
    cd_sel(&cd, "keepFirstRec()");
    CHECK(call(h, cd.b, cd.n) == 0, "keepFirstRec()");
    CHECK(u256_eq(slot_word(h, u256_from_u64(7)), u256_from_u64(1)) && u256_is_zero(slot_word(h, u256_add(rd, u256_from_u64(2), NULL))) &&
          u256_is_zero(slot_word(h, u256_add(rd, u256_from_u64(3), NULL))) && u256_eq(slot_word(h, rd), u256_from_u64(7)),
          "recs = [recs[0]]: length 1, recs[1]'s slots zeroed, recs[0] kept");
    /* parameters with nested dynamic types: a struct holding a string, a list of such
     * structs, a list of static structs; the canonical encoding comes back byte for byte */
    {
        Cd in, bad;
        cd_sel(&in, "echoRec((uint32,string))");
        size_t b0 = in.n;
        cd_word(&in, w32), cd_word(&in, u256_from_u64(5)), cd_word(&in, u256_from_u64(0x40)), cd_str(&in, "ab");
        want.n = 0, cd_bytes(&want, in.b + b0, in.n - b0);
        CHECK(same(h, call(h, in.b, in.n), &want), "echoRec((5, \"ab\"))");
        bad = in, bad.b[b0 + 32 * 3 + 31] = 13; /* string<12> */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRec: a nested string over its bound reverts empty");
        bad = in, bad.b[b0 + 32 * 2 + 31] = 0x80; /* the string's offset past the data */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRec: a nested offset out of the data reverts empty");
        bad = in, bad.b[b0 + 32 + 27] = 1; /* id: a dirty u32 */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRec: a dirty nested u32 reverts empty");
        bad = in, bad.b[b0 + 32 * 2 + 7] = 1; /* offset >= 2^64 */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRec: an offset over 2^64 reverts empty");
        bad = in, bad.n -= 32; /* the string's bytes cut off */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRec: short calldata reverts empty");
        cd_sel(&in, "echoRecs((uint32,string)[])");
        b0 = in.n;
        cd_word(&in, w32), cd_word(&in, u256_from_u64(2)), cd_word(&in, u256_from_u64(0x40)), cd_word(&in, u256_from_u64(0xc0));
        cd_word(&in, u256_from_u64(1)), cd_word(&in, u256_from_u64(0x40)), cd_str(&in, "x");
        cd_word(&in, u256_from_u64(2)), cd_word(&in, u256_from_u64(0x40)), cd_str(&in, "twelve bytes");
        want.n = 0, cd_bytes(&want, in.b + b0, in.n - b0);
        CHECK(same(h, call(h, in.b, in.n), &want), "echoRecs([(1, \"x\"), (2, \"twelve bytes\")])");
        bad = in, bad.b[b0 + 63] = 6; /* list<_, 5> */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRecs: a list over its bound reverts empty");
        bad = in, bad.b[b0 + 32 * 3 + 31] = 0xe0; /* the second element's offset out of the data */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoRecs: an element offset out of the data reverts empty");
        cd_sel(&cd, "recName((uint32,string)[],uint256)");
        cd_word(&cd, u256_from_u64(0x40)), cd_word(&cd, u256_from_u64(1));
        cd_bytes(&cd, in.b + b0 + 32, in.n - b0 - 32);
        want.n = 0, cd_word(&want, w32), cd_str(&want, "twelve bytes");
        CHECK(same(h, call(h, cd.b, cd.n), &want), "recName(v, 1) = \"twelve bytes\"");
        cd_sel(&in, "echoPairs((uint8,int16,address,uint256,bool)[])");
        b0 = in.n;
        cd_word(&in, w32), cd_word(&in, u256_from_u64(2));
        cd_word(&in, u256_from_u64(1)), cd_word(&in, neg64(-2)), cd_word(&in, A), cd_word(&in, u256_from_u64(9)), cd_word(&in, u256_from_u64(1));
        cd_word(&in, u256_from_u64(255)), cd_word(&in, neg64(300)), cd_word(&in, addr(3)), cd_word(&in, u256_neg(u256_from_u64(1))), cd_word(&in, u256_from_u64(0));
        want.n = 0, cd_bytes(&want, in.b + b0, in.n - b0);
        CHECK(same(h, call(h, in.b, in.n), &want), "echoPairs([...]): a list of static structs");
        bad = in, bad.b[b0 + 32 * 11 + 31] = 2; /* bool 2 */
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoPairs: a dirty bool in an element reverts empty");
        bad = in, bad.n -= 32;
        CHECK(call(h, bad.b, bad.n) == 1 && h->nresult == 0, "echoPairs: elements past the data revert empty");
    }
    /* external calls returning aggregates: the return data decoded and validated as
     * calldata (the EVM backend's abi.decode of returndata) */
    {
        U256 T = addr(9);
        h->token_mode = 5;
        Cd ans = {{0}, 0};
        cd_word(&ans, w32), cd_str(&ans, "from the callee");
        memcpy(h->answer, ans.b, ans.n), h->nanswer = (uint32_t)ans.n;
        cd_sel(&cd, "callName(address)"), cd_word(&cd, T);
        CHECK(same(h, call(h, cd.b, cd.n), &ans), "callName(): the callee's string, re-encoded byte for byte");
        Cd want2;
        cd_sel(&want2, "name()");
        CHECK(h->ncalled == 4 && !memcmp(h->called, want2.b, 4), "callName(): calldata is name()");
        h->answer[31] = 0x60; /* offset past the data */
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callName(): an offset out of the return data reverts empty");
        h->answer[31] = 0x20, h->answer[63] = 41; /* length over the bound */
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callName(): a length over string<40> reverts empty");
        h->nanswer = 31;
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callName(): return data shorter than the head reverts empty");
        ans.n = 0;
        cd_word(&ans, w32), cd_word(&ans, u256_from_u64(3));
        cd_word(&ans, u256_from_u64(1)), cd_word(&ans, u256_from_u64(0xffffffffu)), cd_word(&ans, u256_from_u64(7));
        memcpy(h->answer, ans.b, ans.n), h->nanswer = (uint32_t)ans.n;
        cd_sel(&cd, "callNums(address)"), cd_word(&cd, T);
        CHECK(same(h, call(h, cd.b, cd.n), &ans), "callNums(): list<u32> [1, 0xffffffff, 7]");
        h->answer[32 * 3 + 27] = 1; /* 2^32 + ...: a dirty u32 */
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callNums(): a dirty element reverts empty");
        ans.n = 0;
        cd_word(&ans, u256_from_u64(200)), cd_word(&ans, neg64(-5)), cd_word(&ans, A);
        cd_word(&ans, u256_neg(u256_from_u64(1))), cd_word(&ans, u256_from_u64(1));
        memcpy(h->answer, ans.b, ans.n), h->nanswer = (uint32_t)ans.n;
        cd_sel(&cd, "callPair(address)"), cd_word(&cd, T);
        CHECK(same(h, call(h, cd.b, cd.n), &ans), "callPair(): a static struct returned");
        h->answer[32 + 15] = 0; /* i16 -5 not sign-extended */
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callPair(): a dirty i16 reverts empty");
        h->nanswer = 32 * 4;
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 0, "callPair(): short return data reverts empty");
        h->token_mode = 1;
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 2 && h->result[0] == 0xde, "callPair(): a revert bubbles up");
        h->token_mode = 0;
    }
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
}

/* ---------------- the EVM oracle's spec of std.math, run on wasm ---------------- */
/* The value of "key": "..." in line (NULL when absent); copies it into buf. */
static const char *json_field(const char *line, const char *key, char *buf, size_t size) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *e = strchr(p, '"');
    size_t n = e ? (size_t)(e - p) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(buf, p, n), buf[n] = 0;
    return buf;
}

/* Runs tests/examples/math.spec.json (uint256 arguments, one uint256 result or a named
 * custom error) against the wasm build of its harness. */
static void math_spec(const char *root) {
    char path[4096], src[4096], lib[4096];
    snprintf(path, sizeof path, "%s/tests/examples/math.spec.json", root);
    snprintf(src, sizeof src, "%s/tests/examples/math_harness.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "SKIPPED: %s is absent\n", path);
        return;
    }
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    if (!compile(src, lib, "MathHarness", h, &c)) {
        CHECK(false, "math_harness.writ does not compile");
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h), fclose(f);
        return;
    }
    char line[8192];
    int ncalls = 0;
    while (fgets(line, sizeof line, f)) {
        char sig[256], label[256], rev[256];
        if (!json_field(line, "sig", sig, sizeof sig) || !json_field(line, "label", label, sizeof label))
            continue;
        char *close = strchr(sig, ')');
        if (!close)
            continue;
        close[1] = 0;   /* the function signature, without the result types */
        Cd cd;
        cd_sel(&cd, sig);
        bool list = strstr(sig, "[]") != NULL;
        const char *a = strstr(line, "\"args\": [");
        U256 vals[80];
        int nv = 0;
        if (a) {
            a += 9;
            while (*a && *a != ']' && nv < 80) {
                if (*a == '"') {
                    const char *e = strchr(a + 1, '"');
                    if (!e || !u256_parse(a + 1, (size_t)(e - a - 1), &vals[nv]))
                        break;
                    nv++;
                    a = e + 1;
                } else {
                    a++;
                }
            }
        }
        if (list) {   /* one list<u256> argument, written as its elements */
            cd_word(&cd, u256_from_u64(32)), cd_word(&cd, u256_from_u64((uint64_t)nv));
        }
        for (int k = 0; k < nv; k++)
            cd_word(&cd, vals[k]);
        int st = call(h, cd.b, cd.n);
        ncalls++;
        if (json_field(line, "expectRevert", rev, sizeof rev) && rev[0] == '0' && rev[1] == 'x') {
            uint8_t data[128];
            size_t nd = strlen(rev + 2) / 2;
            for (size_t k = 0; k < nd && k < sizeof data; k++) {
                unsigned b;
                sscanf(rev + 2 + 2 * k, "%2x", &b);
                data[k] = (uint8_t)b;
            }
            CHECK(st == 1 && h->nresult == nd && memcmp(h->result, data, nd) == 0, "math spec '%s': expected revert data %s", label, rev);
            continue;
        }
        if (json_field(line, "expectRevert", rev, sizeof rev)) {
            uint8_t hsel[32];
            keccak256(rev, strlen(rev), hsel);
            CHECK(st == 1 && h->nresult >= 4 && memcmp(h->result, hsel, 4) == 0, "math spec '%s': expected %s, status %d", label, rev, st);
            continue;
        }
        const char *e = strstr(line, "\"expect\": [\"");
        U256 want;
        if (!e || !u256_parse(e + 12, strcspn(e + 12, "\""), &want)) {
            CHECK(st == 0, "math spec '%s': status %d", label, st);
            continue;
        }
        CHECK(st == 0 && h->nresult == 32 && u256_eq(word_at(h->result), want), "math spec '%s': status %d", label, st);
    }
    fclose(f);
    CHECK(ncalls > 50, "math spec: only %d calls found", ncalls);
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
}

/* ---------------- the EVM oracle's example specs, run on wasm ---------------- */
/* A minimal JSON reader for the specs in tests/examples. */
typedef struct Jv Jv;
struct Jv {
    char kind;            /* 's' string, 'n' number, 'a' array, 'o' object, 't', 'f', 'z' */
    const char *text;     /* 's', 'n': the characters (not NUL-terminated) */
    size_t len;
    Jv *items;            /* 'a', 'o' */
    const char **keys;    /* 'o' */
    size_t *keylens;
    int n;
};

static const char *ws(const char *p) {
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static const char *jparse(Arena *a, const char *p, Jv *out) {
    p = ws(p);
    memset(out, 0, sizeof *out);
    if (*p == '"') {
        const char *e = p + 1;
        while (*e && *e != '"')
            e += *e == '\\' ? 2 : 1;
        *out = (Jv){.kind = 's', .text = p + 1, .len = (size_t)(e - p - 1)};
        return *e ? e + 1 : e;
    }
    if (*p == '[' || *p == '{') {
        bool obj = *p == '{';
        char close = obj ? '}' : ']';
        Jv tmp[128];
        const char *keys[128];
        size_t kl[128];
        int n = 0;
        p = ws(p + 1);
        while (*p && *p != close && n < 128) {
            if (obj) {
                Jv k;
                p = jparse(a, p, &k);
                keys[n] = k.text, kl[n] = k.len;
                p = ws(p);
                if (*p == ':')
                    p++;
            }
            p = jparse(a, p, &tmp[n++]);
            p = ws(p);
            if (*p == ',')
                p = ws(p + 1);
        }
        out->kind = obj ? 'o' : 'a';
        out->n = n;
        out->items = arena_alloc(a, sizeof(Jv) * (size_t)(n + 1));
        memcpy(out->items, tmp, sizeof(Jv) * (size_t)n);
        if (obj) {
            out->keys = arena_alloc(a, sizeof(char *) * (size_t)(n + 1));
            out->keylens = arena_alloc(a, sizeof(size_t) * (size_t)(n + 1));
            memcpy(out->keys, keys, sizeof(char *) * (size_t)n);
            memcpy(out->keylens, kl, sizeof(size_t) * (size_t)n);
        }
        return *p ? p + 1 : p;
    }
    if (!strncmp(p, "true", 4))
        return out->kind = 't', p + 4;
    if (!strncmp(p, "false", 5))
        return out->kind = 'f', p + 5;
    if (!strncmp(p, "null", 4))
        return out->kind = 'z', p + 4;
    const char *e = p;
    while (*e && (*e == '-' || *e == '.' || (*e >= '0' && *e <= '9') || *e == 'e' || *e == 'E' || *e == '+'))
        e++;
    *out = (Jv){.kind = 'n', .text = p, .len = (size_t)(e - p)};
    return e == p ? p + 1 : e;
}

static const Jv *jget(const Jv *o, const char *key) {
    if (!o || o->kind != 'o')
        return NULL;
    for (int k = 0; k < o->n; k++)
        if (strlen(key) == o->keylens[k] && !memcmp(o->keys[k], key, o->keylens[k]))
            return &o->items[k];
    return NULL;
}
static char *jstr(Arena *a, const Jv *v) { return v ? arena_strndup(a, v->text, v->len) : NULL; }

/* @name -> the low 20 bytes of keccak256("@name") */
static U256 named(const char *s, size_t n) {
    uint8_t h[32];
    keccak256(s, n, h);
    memset(h, 0, 12);
    return word_at(h);
}

/* A JSON value as the ABI word of type `ty` (value types only). */
static bool jword(const Jv *v, const char *ty, U256 *out) {
    if (v->kind == 't' || v->kind == 'f') {
        *out = u256_from_u64(v->kind == 't');
        return true;
    }
    if (v->kind == 's' && v->len && v->text[0] == '@') {
        *out = named(v->text, v->len);
        return true;
    }
    if (v->kind == 's' || v->kind == 'n') {
        if (!strncmp(ty, "bytes", 5) && v->len > 2 && v->text[1] == 'x') {
            uint8_t b[32] = {0};
            for (size_t k = 0; k + 1 < v->len - 2 && k / 2 < 32; k += 2) {
                unsigned x;
                sscanf(v->text + 2 + k, "%2x", &x);
                b[k / 2] = (uint8_t)x;
            }
            *out = word_at(b);
            return true;
        }
        if (v->len && v->text[0] == '-') {
            if (!u256_parse(v->text + 1, v->len - 1, out))
                return false;
            *out = u256_neg(*out);
            return true;
        }
        return u256_parse(v->text, v->len, out);
    }
    return false;
}

/* Splits "f(a,b)(c,d)" into the signature "f(a,b)" and the types lists. */
static int split_types(const char *list, char types[][32], int max) {
    int n = 0;
    const char *p = list;
    while (*p && *p != ')' && n < max) {
        size_t k = strcspn(p, ",)");
        if (k) {
            snprintf(types[n], 32, "%.*s", (int)k, p);
            n++;
        }
        p += k;
        if (*p == ',')
            p++;
    }
    return n;
}

static void run_example_spec(const char *root, const char *specname) {
    char path[4096], lib[4096];
    snprintf(path, sizeof path, "%s/tests/examples/%s", root, specname);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "SKIPPED: %s is absent\n", path);
        return;
    }
    static char text[1 << 16];
    size_t nt = fread(text, 1, sizeof text - 1, f);
    text[nt] = 0;
    fclose(f);
    Arena a;
    arena_init(&a);
    Jv spec;
    jparse(&a, text, &spec);
    char src[4096];
    snprintf(src, sizeof src, "%s/%s", root, jstr(&a, jget(&spec, "input")));
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    char *contract = jstr(&a, jget(&spec, "contract"));
    if (!compile(src, lib, contract, h, &c)) {
        CHECK(false, "%s: %s does not compile", specname, src);
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h), arena_free(&a);
        return;
    }
    const Jv *dep = jget(&spec, "deployer");
    U256 deployer = dep ? named(dep->text, dep->len) : named("@deployer", 9);
    /* the constructor: stylus_constructor() ++ its arguments, from the deployer */
    Cd cd = {{0}, 0};
    cd_word(&cd, u256_from_u64(0));
    cd.n = 4;
    cd.b[0] = (uint8_t)(WB_CONSTRUCTOR_SELECTOR >> 24), cd.b[1] = (uint8_t)(WB_CONSTRUCTOR_SELECTOR >> 16);
    cd.b[2] = (uint8_t)(WB_CONSTRUCTOR_SELECTOR >> 8), cd.b[3] = (uint8_t)WB_CONSTRUCTOR_SELECTOR;
    const Jv *ctor = jget(&spec, "constructor");
    if (ctor) {
        const Jv *ty = jget(ctor, "types"), *args = jget(ctor, "args");
        for (int k = 0; ty && args && k < args->n; k++) {
            U256 w;
            char *t = jstr(&a, &ty->items[k]);
            CHECK(jword(&args->items[k], t, &w), "%s: constructor argument %d", specname, k);
            cd_word(&cd, w);
        }
    }
    set_sender(h, deployer);
    h->value = u256_from_u64(0);
    int cst = call(h, cd.b, cd.n);
    if (cst != 0)
        dump("constructor revert data", h->result, h->nresult);
    CHECK(cst == 0, "%s: the constructor runs", specname);
    CHECK(call(h, cd.b, cd.n) == 1, "%s: the constructor runs once only", specname);
    const Jv *calls = jget(&spec, "calls");
    for (int ci = 0; calls && ci < calls->n; ci++) {
        const Jv *cl = &calls->items[ci];
        char *sig = jstr(&a, jget(cl, "sig")), *label = jstr(&a, jget(cl, "label"));
        char *rp = strchr(sig, ')');
        char ins[16][32], outs[16][32];
        int nin = split_types(strchr(sig, '(') + 1, ins, 16);
        int nout = rp[1] == '(' ? split_types(rp + 2, outs, 16) : 0;
        rp[1] = 0;
        cd_sel(&cd, sig);
        const Jv *args = jget(cl, "args");
        for (int k = 0; args && k < args->n && k < nin; k++) {
            U256 w;
            if (!jword(&args->items[k], ins[k], &w)) {
                CHECK(false, "%s: '%s': argument %d", specname, label, k);
                continue;
            }
            cd_word(&cd, w);
        }
        const Jv *from = jget(cl, "from"), *value = jget(cl, "value");
        set_sender(h, from ? named(from->text, from->len) : named("@deployer", 9));
        h->value = u256_from_u64(0);
        if (value)
            jword(value, "uint256", &h->value);
        int st = call(h, cd.b, cd.n);
        const Jv *rev = jget(cl, "expectRevert"), *exp = jget(cl, "expect"), *logs = jget(cl, "expectLogs");
        if (rev) {
            bool ok = st == 1;
            if (rev->kind == 's' && rev->len) {
                uint8_t hs[32];
                keccak256(rev->text, rev->len, hs);
                ok = ok && h->nresult >= 4 && memcmp(h->result, hs, 4) == 0;
            }
            CHECK(ok, "%s: '%s': expected revert %.*s, status %d", specname, label, (int)rev->len, rev->text, st);
            continue;
        }
        CHECK(st == 0, "%s: '%s': status %d", specname, label, st);
        if (st != 0)
            continue;
        if (logs) {
            U256 nl;
            CHECK(jword(logs, "uint256", &nl) && u256_eq(nl, u256_from_u64((uint64_t)h->nlogs)),
                  "%s: '%s': %d logs", specname, label, h->nlogs);
        }
        for (int k = 0; exp && k < exp->n && k < nout; k++) {
            if (!strcmp(outs[k], "string")) {
                const Jv *v = &exp->items[k];
                Cd want = {{0}, 0};
                cd_word(&want, u256_from_u64(32));
                want.n = 32, cd_word(&want, u256_from_u64(v->len)), cd_bytes(&want, v->text, v->len);
                CHECK(same(h, st, &want), "%s: '%s': string result", specname, label);
                continue;
            }
            U256 w;
            CHECK(jword(&exp->items[k], outs[k], &w) && h->nresult >= 32 * (size_t)(k + 1) &&
                  u256_eq(word_at(h->result + 32 * k), w), "%s: '%s': result %d", specname, label, k);
        }
    }
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
    arena_free(&a);
}

/* ---------------- external calls: multisig paying out through a token ---------------- */
static void xcall_scenario(const char *root) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/examples/multisig.writ", root);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Host *h = calloc(1, sizeof *h);
    Compilation c;
    if (!compile(src, lib, "MultiSig", h, &c)) {
        CHECK(false, "multisig does not compile");
        if (h->store)
            vm_store_free(h->store);
        fe_free(&c), free(h);
        return;
    }
    U256 alice = named("@alice", 6), bob = named("@bob", 4), tok = named("@token", 6), erin = named("@erin", 5);
    Cd cd = {{0x55, 0x85, 0x25, 0x8d}, 4};
    cd_word(&cd, u256_from_u64(64)), cd_word(&cd, u256_from_u64(1)), cd_word(&cd, u256_from_u64(2));
    cd_word(&cd, alice), cd_word(&cd, bob);
    set_sender(h, alice);
    CHECK(call(h, cd.b, cd.n) == 0, "multisig constructor (threshold 1)");
    uint8_t sel[32];
    for (int mode = 0; mode < 5; mode++) {
        h->token_mode = mode;
        cd_sel(&cd, "submitTokenTransfer(address,address,uint256)"), cd_word(&cd, tok), cd_word(&cd, erin);
        cd_word(&cd, u256_from_u64(77));
        CHECK(call(h, cd.b, cd.n) == 0 && u256_eq(word_at(h->result), u256_from_u64((uint64_t)mode)), "submitTokenTransfer %d", mode);
        cd_sel(&cd, "execute(uint256)"), cd_word(&cd, u256_from_u64((uint64_t)mode));
        h->ncalled = 0;
        int st = call(h, cd.b, cd.n);
        Cd want;
        cd_sel(&want, "transfer(address,uint256)"), cd_word(&want, erin), cd_word(&want, u256_from_u64(77));
        CHECK(h->ncalled == want.n && !memcmp(h->called, want.b, want.n), "mode %d: calldata is transfer(erin, 77)", mode);
        Cd cw = {{0}, 0};
        cd_word(&cw, tok);
        CHECK(!memcmp(h->callee, cw.b + 12, 20), "mode %d: the token is called", mode);
        CHECK(h->flushed_before_call, "mode %d: storage is flushed before the call out", mode);
        switch (mode) {
        case 0: CHECK(st == 0, "a token answering true: executed"); break;
        case 1: CHECK(st == 1 && h->nresult == 2 && h->result[0] == 0xde && h->result[1] == 0xad, "a token's revert bubbles up"); break;
        case 2:
            keccak256("TokenTransferFailed(uint256)", 28, sel);
            CHECK(st == 1 && h->nresult == 36 && !memcmp(h->result, sel, 4) && h->result[35] == 2, "a token answering false: TokenTransferFailed(2)");
            break;
        default: CHECK(st == 1 && h->nresult == 0, "mode %d: short or dirty return data reverts empty", mode); break;
        }
    }
    vm_store_free(h->store);
    fe_free(&c);
    free(h);
}

/* ---------------- proven checks and ghosts are not emitted ---------------- */
/* f(a) = a + 1 with its overflow check marked proven (so max + 1 wraps to 0), g(a) the
 * same with a live check, h(a) stores a ghost first: built with ir/'s builder. */
static void proven_scenario(void) {
    Arena a;
    arena_init(&a);
    IrModule *m = ir_module_new(&a, "P");
    IrType *u = ir_type_int(m, 256, false);
    int ghost = ir_add_storage(m, "shadow", u, true, (Span){0});
    const char *names[3] = {"f", "g", "h"};
    for (int k = 0; k < 3; k++) {
        IrParam *p = arena_alloc(&a, sizeof *p);
        p->name = "a", p->type = u;
        IrFunc *f = ir_func_new(m, IR_FN, names[k], p, 1, u);
        f->flags = IR_FN_PUB;
        ir_func_set_abi(f);
        IrBlock *b = ir_block_new(f);
        f->entry = b;
        IrInstr *x = ir_instr_new(f, IR_PARAM, u, NULL, 0, (Span){0});
        ir_block_append(b, x);
        IrInstr *one = ir_const(f, b, u, u256_from_u64(1), (Span){0});
        if (k == 2) {
            IrInstr *st = ir_instr_new(f, IR_SSTORE, NULL, &x, 1, (Span){0});
            st->var = ghost, st->flags = IR_F_GHOST;
            ir_block_append(b, st);
        }
        IrInstr *chk = ir_check(f, b, IR_CHECK_ADD, x, one, (Span){0});
        if (k != 1)
            chk->flags |= IR_F_PROVEN;
        IrInstr *sum = ir_binop(f, b, IR_ADD, x, one, (Span){0});
        ir_block_append(b, ir_instr_new(f, IR_RET, NULL, &sum, 1, (Span){0}));
    }
    SrcSet srcs = {0};
    DiagSink d;
    diag_init(&d, &srcs);
    CHECK(ir_module_verify(m, &d), "the built module is valid");
    Host *h = calloc(1, sizeof *h);
    WbOutput out;
    WbOptions opt = {0};
    if (!wb_compile(m, &opt, &out, &d) || (h->wasm = out.wasm, h->nwasm = out.nwasm, !instantiate(h))) {
        diag_print(&d, stderr);
        CHECK(false, "the proven-check module compiles");
    } else {
        U256 max = u256_neg(u256_from_u64(1));
        Cd cd;
        cd_sel(&cd, "f(uint256)"), cd_word(&cd, max);
        CHECK(call(h, cd.b, cd.n) == 0 && u256_is_zero(word_at(h->result)), "a proven check is omitted: max + 1 wraps");
        cd_sel(&cd, "g(uint256)"), cd_word(&cd, max);
        CHECK(call(h, cd.b, cd.n) == 1 && h->nresult == 36 && h->result[35] == 0x11, "the same check unproven panics 0x11");
        cd_sel(&cd, "h(uint256)"), cd_word(&cd, u256_from_u64(5));
        CHECK(call(h, cd.b, cd.n) == 0 && h->ncommitted == 0 && u256_eq(word_at(h->result), u256_from_u64(6)),
              "a ghost store writes nothing");
    }
    if (h->store)
        vm_store_free(h->store);
    free(h);
    diag_free(&d);
    arena_free(&a);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_exec SOURCE_DIR\n");
        return 2;
    }
    token_scenario(argv[1]);
    arith_scenario(argv[1]);
    agg_scenario(argv[1]);
    math_spec(argv[1]);
    xcall_scenario(argv[1]);
    proven_scenario();
    static const char *const specs[] = {"auction.spec.json", "escrow-refund.spec.json", "escrow-release.spec.json",
                                        "gold.spec.json", "multisig.spec.json", "voting.spec.json"};
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
        run_example_spec(argv[1], specs[k]);
    printf("%d checks passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
