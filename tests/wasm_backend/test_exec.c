/* test_exec.c — runs compiled contracts on the bundled VM (vm/vm.h) under a small Stylus
 * host: vm_hooks over an in-memory storage map with the write cache Stylus has (flushed
 * writes commit, a revert drops them), captured return data and logs. Scenarios: the
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
    VmMemory *mem;
    Slot committed[MAXSLOTS]; int ncommitted;
    Slot pending[MAXSLOTS]; int npending;
    uint8_t sender[20];
    const uint8_t *calldata; size_t ncalldata;
    uint8_t result[4096]; size_t nresult;
    uint8_t logs[MAXLOGS][1024]; size_t nlog[MAXLOGS]; int ntopics[MAXLOGS]; int nlogs;
} Host;

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
static VmStatus h_zero32(void *ud, uint64_t *a, uint64_t *r) {
    (void)ud, (void)r;
    uint8_t z[32] = {0};
    return WR(a[0], z, 32);
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
static VmStatus h_nop(void *ud, uint64_t *a, uint64_t *r) { (void)ud, (void)a, (void)r; return VM_OK; }

static const struct { const char *name, *params, *results; VmHostFn fn; } hooks[] = {
    {"read_args", "i", "", h_read_args}, {"write_result", "ii", "", h_write_result},
    {"storage_load_bytes32", "ii", "", h_load}, {"storage_cache_bytes32", "ii", "", h_cache},
    {"storage_flush_cache", "i", "", h_flush}, {"msg_sender", "i", "", h_sender},
    {"msg_value", "i", "", h_zero32}, {"msg_reentrant", "", "i", h_zero_i},
    {"block_number", "", "I", h_number}, {"block_timestamp", "", "I", h_number},
    {"chainid", "", "I", h_number}, {"contract_address", "i", "", h_addr},
    {"tx_origin", "i", "", h_sender}, {"emit_log", "iii", "", h_log},
    {"native_keccak256", "iii", "", h_keccak}, {"account_balance", "ii", "", h_zero32},
    {"call_contract", "iiiiIi", "i", h_call_fail}, {"static_call_contract", "iiiIi", "i", h_call_fail},
    {"read_return_data", "iii", "i", h_zero_i}, {"return_data_size", "", "i", h_zero_i},
    {"pay_for_memory_grow", "i", "", h_nop},
};

/* One transaction: a fresh instance, user_entrypoint(len); returns its status (0 ok, 1
 * revert) or -1 when the VM failed. Reverts drop the pending storage writes. */
static int call(Host *h, const uint8_t *cd, size_t n) {
    H = h;
    h->calldata = cd, h->ncalldata = n, h->nresult = 0, h->nlogs = 0;
    VmLimits lim = vm_default_limits();
    VmStore *s = vm_store_new(&lim);
    VmModule *mod;
    VmError err;
    int status = -1;
    if (vm_module_load(s, h->wasm, h->nwasm, &mod, &err) != VM_OK) {
        fprintf(stderr, "vm: load: %s\n", err.msg);
        goto done;
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
                imps[i] = (VmExtern){VM_EXTERN_FUNC, vm_host_func_new(s, hooks[k].params, hooks[k].results, hooks[k].fn, h)};
    }
    VmInstance *inst;
    VmStatus st = vm_instantiate(s, mod, imps, ni, &inst, &err);
    free(imps);
    if (st != VM_OK) {
        fprintf(stderr, "vm: instantiate: %s\n", err.msg);
        goto done;
    }
    VmExtern mem, entry;
    vm_instance_export(inst, "memory", &mem);
    vm_instance_export(inst, "user_entrypoint", &entry);
    h->mem = mem.ptr;
    VmValue arg = {VM_I32, n}, res;
    st = vm_invoke(s, entry.ptr, &arg, 1, &res, 1);
    if (st != VM_OK) {
        fprintf(stderr, "vm: trap: %s (%s)\n", vm_status_str(st), vm_store_trap_message(s));
        goto done;
    }
    status = (int)(uint32_t)res.bits;
done:
    if (status != 0)
        h->npending = 0;
    vm_store_free(s);
    return status;
}

/* ---------------- calldata and expectations ---------------- */
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
static U256 word_at(const uint8_t *p) {
    U256 v = {{0}};
    for (int k = 0; k < 32; k++)
        v.w[(31 - k) / 8] |= (uint64_t)p[k] << (8 * ((31 - k) % 8));
    return v;
}
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
        return true;
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
        fe_free(&c), free(h);
        return;
    }
    U256 zero = u256_from_u64(0), A = addr(1), B = addr(2);
    Cd cd;
    /* the owner is unset (no constructor on Stylus): address 0 may mint */
    set_sender(h, zero);
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
    CHECK(call(h, cd.b, cd.n) == 0 && h->nresult == 64 && u256_eq(word_at(h->result), u256_from_u64(32)) &&
          u256_is_zero(word_at(h->result + 32)), "name() is the empty string, ABI-encoded");
    fe_free(&c);
    free(h);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_exec SOURCE_DIR\n");
        return 2;
    }
    token_scenario(argv[1]);
    printf("%d checks passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
