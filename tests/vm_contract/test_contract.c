/* test_contract.c — contract mode end to end: examples/erc20.writ, token.writ and
 * multisig.writ compiled by the wasm backend, deployed and called on the VM's contract mode
 * (vm/contract.h): returns, Solidity-ABI revert data, logs, storage slots, gas determinism,
 * out of gas, rollback, cross-contract calls, and float modules rejected at deploy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/frontend.h"
#include "backends/wasm/wasm.h"
#include "vm/contract.h"

static int checks, failures;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* ---- ABI helpers ---- */
typedef struct { uint8_t b[1024]; size_t n; } Buf;
static void sel(Buf *b, const char *sig) {
    uint8_t h[32]; keccak256(sig, strlen(sig), h);
    memcpy(b->b, h, 4); b->n = 4;
}
static void word(Buf *b, uint64_t x) {
    memset(b->b + b->n, 0, 32);
    for (int i = 0; i < 8; i++) b->b[b->n + 31 - i] = (uint8_t)(x >> (8 * i));
    b->n += 32;
}
static VmcAddr addr(uint8_t k) { VmcAddr a = {{0}}; a.b[19] = k; a.b[0] = 0xaa; return a; }
static void waddr(Buf *b, VmcAddr a) { memset(b->b + b->n, 0, 12); memcpy(b->b + b->n + 12, a.b, 20); b->n += 32; }
static void wstr(Buf *b, const char *s) { /* the tail of a string */
    size_t n = strlen(s); word(b, n);
    memset(b->b + b->n, 0, 32); memcpy(b->b + b->n, s, n); b->n += 32;
}
static bool ret_word(const VmcResult *r, uint64_t x) {
    Buf b = {.n = 0}; word(&b, x);
    return r->nret == 32 && !memcmp(r->ret, b.b, 32);
}
static void topic(uint8_t out[32], const char *sig) { keccak256(sig, strlen(sig), out); }

/* ---- compiling ---- */
static uint8_t *compile(const char *root, const char *file, const char *contract, size_t *n) {
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/%s", root, file);
    snprintf(lib, sizeof lib, "%s/stdlib", root);
    Compilation c;
    uint8_t *bytes = NULL;
    fe_init(&c, lib);
    if (fe_load(&c, src) && fe_check(&c) && fe_lower(&c)) {
        for (int i = 0; i < c.nmodules; i++) {
            IrModule *m = c.modules[i];
            WbOutput out;
            WbOptions opt = {0};
            if (strcmp(m->name, contract)) continue;
            if (ir_optimize(m, NULL, true, &c.diags) && wb_compile(m, &opt, &out, &c.diags)) {
                bytes = malloc(out.nwasm); memcpy(bytes, out.wasm, out.nwasm); *n = out.nwasm;
            }
        }
    }
    if (!bytes) diag_print(&c.diags, stderr);
    fe_free(&c);
    return bytes;
}

static const uint64_t GAS = 10000000;

static VmcAddr deploy_token(VmcChain *c, const uint8_t *w, size_t n, VmcAddr owner, VmcResult *r) {
    Buf a = {.n = 0};
    word(&a, 0x40); word(&a, 0x80); wstr(&a, "Writ Token"); wstr(&a, "WRT");
    VmcTx tx = { .from = owner, .data = a.b, .len = a.n, .gas = GAS, .constructor = true };
    vmc_deploy(c, &tx, w, n, r);
    return r->created;
}

static VmStatus call(VmcChain *c, VmcAddr from, VmcAddr to, const Buf *d, uint64_t gas, VmcResult *r) {
    VmcTx tx = { .from = from, .to = to, .data = d->b, .len = d->n, .gas = gas };
    return vmc_call(c, &tx, r);
}

static VmStatus transfer(VmcChain *c, VmcAddr tok, VmcAddr from, VmcAddr to, uint64_t amt, uint64_t gas, VmcResult *r) {
    Buf d; sel(&d, "transfer(address,uint256)"); waddr(&d, to); word(&d, amt);
    return call(c, from, tok, &d, gas, r);
}

static uint64_t balance_of(VmcChain *c, VmcAddr tok, VmcAddr who) {
    Buf d; sel(&d, "balanceOf(address)"); waddr(&d, who);
    VmcResult r;
    if (call(c, who, tok, &d, GAS, &r) != VM_OK || r.nret != 32) return UINT64_MAX;
    VmcWord w; memcpy(w.b, r.ret, 32);
    return vmc_word_low64(&w);
}

static void token_tests(const char *root, const char *file) {
    size_t n = 0;
    uint8_t *w = compile(root, file, "Token", &n);
    CHECK(w, "%s compiles to wasm", file);
    if (!w) return;
    VmcChain *c = vmc_chain_new(NULL);
    VmcAddr O = addr(1), A = addr(2), B = addr(3), C = addr(4);
    VmcResult r;
    VmcAddr T = deploy_token(c, w, n, O, &r);
    CHECK(r.status == VM_OK, "%s: deploy: %s", file, r.msg);
    CHECK(r.gas_used > 0, "deploy used gas");

    /* the constructor ran once: a second init reverts */
    Buf d; sel(&d, "decimals()");
    CHECK(call(c, A, T, &d, GAS, &r) == VM_OK && ret_word(&r, 18), "decimals() = 18");
    d.b[0] = 0x55; d.b[1] = 0x58; d.b[2] = 0x52; d.b[3] = 0x8d; d.n = 4;
    CHECK(call(c, O, T, &d, GAS, &r) == VM_REVERT, "constructor cannot run twice");

    /* mint: Transfer(0, A, 1000) */
    sel(&d, "mint(address,uint256)"); waddr(&d, A); word(&d, 1000);
    CHECK(call(c, O, T, &d, GAS, &r) == VM_OK, "mint: %s", r.msg);
    CHECK(r.nret == 0, "mint returns nothing");
    uint8_t t0[32]; topic(t0, "Transfer(address,address,uint256)");
    CHECK(r.nlogs == 1 && r.logs[0].ntopics == 3 && !memcmp(r.logs[0].topics[0].b, t0, 32) &&
          r.logs[0].topics[2].b[31] == 2 && r.logs[0].len == 32 && r.logs[0].data[30] == 0x03 &&
          r.logs[0].data[31] == 0xe8 && !memcmp(r.logs[0].addr.b, T.b, 20), "mint logs Transfer(0, A, 1000)");
    CHECK(balance_of(c, T, A) == 1000, "balanceOf(A) = 1000");

    /* totalSupply lives in slot 2 (Solidity layout) */
    VmcWord k = vmc_word_u64(2), v = vmc_state_storage(vmc_chain_state(c), &T, &k);
    CHECK(vmc_word_low64(&v) == 1000, "slot 2 (totalSupply) = 1000");

    /* non-owner mint: NotOwner(A) */
    sel(&d, "mint(address,uint256)"); waddr(&d, A); word(&d, 1);
    Buf e; sel(&e, "NotOwner(address)"); waddr(&e, A);
    CHECK(call(c, A, T, &d, GAS, &r) == VM_REVERT && r.nret == e.n && !memcmp(r.ret, e.b, e.n), "mint by A reverts NotOwner(A)");
    CHECK(r.nlogs == 0, "reverted tx has no logs");

    /* transfer */
    CHECK(transfer(c, T, A, B, 300, GAS, &r) == VM_OK && ret_word(&r, 1), "transfer(B, 300) returns true: %s", r.msg);
    CHECK(r.nlogs == 1, "transfer logs");
    CHECK(balance_of(c, T, A) == 700 && balance_of(c, T, B) == 300, "balances after transfer");
    /* insufficient balance: custom error, byte-identical to Solidity's ABI encoding */
    sel(&e, "InsufficientBalance(address,uint256,uint256)"); waddr(&e, A); word(&e, 700); word(&e, 10000);
    CHECK(transfer(c, T, A, B, 10000, GAS, &r) == VM_REVERT && r.nret == e.n && !memcmp(r.ret, e.b, e.n),
          "transfer over balance reverts InsufficientBalance(A, 700, 10000)");
    CHECK(balance_of(c, T, A) == 700 && balance_of(c, T, B) == 300, "a revert changes nothing");

    /* approve / transferFrom */
    sel(&d, "approve(address,uint256)"); waddr(&d, C); word(&d, 500);
    CHECK(call(c, A, T, &d, GAS, &r) == VM_OK && ret_word(&r, 1), "approve(C, 500)");
    uint8_t ta[32]; topic(ta, "Approval(address,address,uint256)");
    CHECK(r.nlogs == 1 && !memcmp(r.logs[0].topics[0].b, ta, 32), "approve logs Approval");
    sel(&d, "transferFrom(address,address,uint256)"); waddr(&d, A); waddr(&d, B); word(&d, 200);
    CHECK(call(c, C, T, &d, GAS, &r) == VM_OK && ret_word(&r, 1), "transferFrom(A, B, 200) by C: %s", r.msg);
    sel(&d, "allowance(address,address)"); waddr(&d, A); waddr(&d, C);
    CHECK(call(c, C, T, &d, GAS, &r) == VM_OK && ret_word(&r, 300), "allowance(A, C) = 300");
    sel(&d, "transferFrom(address,address,uint256)"); waddr(&d, A); waddr(&d, B); word(&d, 1000);
    sel(&e, "InsufficientAllowance(address,uint256,uint256)"); waddr(&e, C); word(&e, 300); word(&e, 1000);
    CHECK(call(c, C, T, &d, GAS, &r) == VM_REVERT && r.nret == e.n && !memcmp(r.ret, e.b, e.n),
          "transferFrom over allowance reverts InsufficientAllowance(C, 300, 1000)");
    sel(&d, "approve(address,uint256)"); waddr(&d, (VmcAddr){{0}}); word(&d, 5);
    sel(&e, "ZeroAddress()");
    CHECK(call(c, A, T, &d, GAS, &r) == VM_REVERT && r.nret == 4 && !memcmp(r.ret, e.b, 4), "approve(0) reverts ZeroAddress()");
    CHECK(balance_of(c, T, A) == 500 && balance_of(c, T, B) == 500, "balances after transferFrom");

    /* unknown selector, short calldata: empty revert */
    d.n = 3;
    CHECK(call(c, A, T, &d, GAS, &r) == VM_REVERT && r.nret == 0, "short calldata reverts empty");

    /* gas: deterministic, and running out traps and rolls back */
    VmcResult r1, r2;
    transfer(c, T, A, B, 1, GAS, &r1);
    transfer(c, T, A, B, 1, GAS, &r2);
    CHECK(r1.status == VM_OK && r1.gas_used == r2.gas_used && r1.gas_used > 100, "same transfer, same gas (%llu, %llu)",
          (unsigned long long)r1.gas_used, (unsigned long long)r2.gas_used);
    uint64_t used = r1.gas_used;
    CHECK(transfer(c, T, A, B, 1, used - 1, &r) == VM_TRAP_OUT_OF_GAS, "one gas short: out of gas (%s)", r.msg);
    CHECK(r.gas_used == used - 1 && r.nlogs == 0, "out of gas consumes the limit");
    CHECK(balance_of(c, T, A) == 498, "out of gas changes nothing");
    CHECK(transfer(c, T, A, B, 1, used, &r) == VM_OK && r.gas_used == used, "exactly enough gas");
    CHECK(transfer(c, T, A, B, 1, 10, &r) == VM_TRAP_OUT_OF_GAS, "10 gas: out of gas");

    /* a second chain, same history: same gas for everything */
    VmcChain *c2 = vmc_chain_new(NULL);
    VmcResult q;
    VmcAddr T2 = deploy_token(c2, w, n, O, &q);
    CHECK(!memcmp(T2.b, T.b, 20), "same deployer and nonce, same address");
    sel(&d, "mint(address,uint256)"); waddr(&d, A); word(&d, 1000);
    VmcResult m1, m2;
    VmcTx tx = { .from = O, .to = T, .data = d.b, .len = d.n, .gas = GAS };
    vmc_call(c, &tx, &m1);
    tx.to = T2;
    vmc_call(c2, &tx, &m2);
    CHECK(m1.status == VM_OK && m1.gas_used == m2.gas_used, "mint costs the same on two chains");
    vmc_chain_free(c2);

    vmc_chain_free(c);
    free(w);
}

/* MultiSig (threshold 1) paying out tokens it holds through Token.transfer. */
static void multisig_tests(const char *root) {
    size_t nt = 0, nm = 0;
    uint8_t *wt = compile(root, "examples/erc20.writ", "Token", &nt), *wm = compile(root, "examples/multisig.writ", "MultiSig", &nm);
    CHECK(wt && wm, "erc20 and multisig compile");
    if (!wt || !wm) { free(wt); free(wm); return; }
    VmcChain *c = vmc_chain_new(NULL);
    VmcAddr O = addr(1), B = addr(3);
    VmcResult r;
    VmcAddr T = deploy_token(c, wt, nt, O, &r);
    CHECK(r.status == VM_OK, "token deploy");
    Buf a = {.n = 0};
    word(&a, 0x40); word(&a, 1); word(&a, 1); waddr(&a, O);
    VmcTx tx = { .from = O, .data = a.b, .len = a.n, .gas = GAS, .constructor = true };
    vmc_deploy(c, &tx, wm, nm, &r);
    VmcAddr M = r.created;
    CHECK(r.status == VM_OK, "multisig deploy: %s", r.msg);
    Buf d; sel(&d, "mint(address,uint256)"); waddr(&d, M); word(&d, 1000);
    CHECK(call(c, O, T, &d, GAS, &r) == VM_OK, "mint to the multisig");
    sel(&d, "submitTokenTransfer(address,address,uint256)"); waddr(&d, T); waddr(&d, B); word(&d, 250);
    CHECK(call(c, O, M, &d, GAS, &r) == VM_OK && ret_word(&r, 0), "submitTokenTransfer -> 0: %s", r.msg);
    sel(&d, "execute(uint256)"); word(&d, 0);
    CHECK(call(c, O, M, &d, GAS, &r) == VM_OK, "execute(0) calls the token: %s", r.msg);
    bool from_token = false;
    for (uint32_t i = 0; i < r.nlogs; i++) from_token |= !memcmp(r.logs[i].addr.b, T.b, 20);
    CHECK(from_token, "the token's Transfer is among execute's logs");
    CHECK(balance_of(c, T, M) == 750 && balance_of(c, T, B) == 250, "the multisig paid 250");
    /* a transfer the multisig cannot cover: the callee's revert rolls everything back */
    sel(&d, "submitTokenTransfer(address,address,uint256)"); waddr(&d, T); waddr(&d, B); word(&d, 5000);
    CHECK(call(c, O, M, &d, GAS, &r) == VM_OK && ret_word(&r, 1), "submit #1");
    sel(&d, "execute(uint256)"); word(&d, 1);
    CHECK(call(c, O, M, &d, GAS, &r) == VM_REVERT && r.nret >= 4, "execute(1) reverts (callee reverted)");
    CHECK(balance_of(c, T, M) == 750 && balance_of(c, T, B) == 250, "nothing moved");
    CHECK(call(c, O, M, &d, GAS, &r) == VM_REVERT, "execute(1) still pending: reverts again");
    vmc_chain_free(c);
    free(wt); free(wm);
}

/* tests/vm_contract/calls.writ: static calls, re-entry, value. */
static void calls_tests(const char *root) {
    size_t nc = 0, nk = 0;
    uint8_t *wc = compile(root, "tests/vm_contract/calls.writ", "Counter", &nc);
    uint8_t *wk = compile(root, "tests/vm_contract/calls.writ", "Caller", &nk);
    CHECK(wc && wk, "calls.writ compiles");
    if (!wc || !wk) { free(wc); free(wk); return; }
    VmcChain *c = vmc_chain_new(NULL);
    VmcAddr A = addr(2), D = addr(9);
    VmcResult r;
    VmcTx tx = { .from = A, .gas = GAS };
    CHECK(vmc_deploy(c, &tx, wc, nc, &r) == VM_OK, "Counter deploys: %s", r.msg);
    VmcAddr K = r.created;
    CHECK(vmc_deploy(c, &tx, wk, nk, &r) == VM_OK, "Caller deploys: %s", r.msg);
    VmcAddr L = r.created;
    CHECK(memcmp(K.b, L.b, 20) != 0, "two deployments, two addresses");
    Buf d, g; sel(&g, "get()");
    sel(&d, "viaCall(address)"); waddr(&d, K);
    CHECK(call(c, A, L, &d, GAS, &r) == VM_OK && ret_word(&r, 1), "call: Counter.bump through Caller -> 1 (%s)", r.msg);
    CHECK(call(c, A, K, &g, GAS, &r) == VM_OK && ret_word(&r, 1), "Counter.n = 1");
    sel(&d, "viaStatic(address)"); waddr(&d, K);
    CHECK(call(c, A, L, &d, GAS, &r) == VM_REVERT, "a static call of a writing function fails (%s)", r.msg);
    CHECK(call(c, A, K, &g, GAS, &r) == VM_OK && ret_word(&r, 1), "the static call wrote nothing");
    sel(&d, "start(address,bool)"); waddr(&d, K); word(&d, 1);
    CHECK(call(c, A, L, &d, GAS, &r) == VM_REVERT && r.nret == 0, "re-entering a non-reentrant function reverts (empty)");
    sel(&d, "start(address,bool)"); waddr(&d, K); word(&d, 0);
    CHECK(call(c, A, L, &d, GAS, &r) == VM_OK && ret_word(&r, 8), "re-entering a reentrant function works (%s)", r.msg);
    /* value: A pays 100 through Caller to D */
    VmcWord v = vmc_word_u64(1000);
    vmc_state_set_balance(vmc_chain_state(c), &A, &v);
    sel(&d, "forward(address)"); waddr(&d, D);
    VmcTx pay = { .from = A, .to = L, .data = d.b, .len = d.n, .gas = GAS, .value = vmc_word_u64(100) };
    CHECK(vmc_call(c, &pay, &r) == VM_OK, "forward 100: %s", r.msg);
    VmcWord ba = vmc_state_balance(vmc_chain_state(c), &A), bd = vmc_state_balance(vmc_chain_state(c), &D),
            bl = vmc_state_balance(vmc_chain_state(c), &L);
    CHECK(vmc_word_low64(&ba) == 900 && vmc_word_low64(&bd) == 100 && vmc_word_low64(&bl) == 0, "value moved A -> Caller -> D");
    pay.value = vmc_word_u64(5000);
    CHECK(vmc_call(c, &pay, &r) == VM_REVERT, "value over the balance reverts: %s", r.msg);
    ba = vmc_state_balance(vmc_chain_state(c), &A);
    CHECK(vmc_word_low64(&ba) == 900, "nothing moved");
    vmc_chain_free(c);
    free(wc); free(wk);
}

/* Hand-made modules: floats are refused at deploy, with the instruction and offset. */
static void float_tests(void) {
    /* (func (export "user_entrypoint") (param i32) (result i32) f64.const 1 f64.const 2 f64.add drop i32.const 0)
     * plus a memory export: written out by hand */
    static const uint8_t fadd[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,                 /* type (i32) -> i32 */
        0x03, 0x02, 0x01, 0x00,                                         /* func 0 */
        0x05, 0x03, 0x01, 0x00, 0x01,                                   /* memory 1 */
        0x07, 0x1c, 0x02, 0x0f, 'u','s','e','r','_','e','n','t','r','y','p','o','i','n','t', 0x00, 0x00,
        0x06, 'm','e','m','o','r','y', 0x02, 0x00,
        0x0a, 0x0c, 0x01, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x00, 0xa0, 0x1a, 0x41, 0x00, 0x0b,
    };
    /* body: local.get 0 local.get 0 f64.add — invalid anyway, but the float check comes first */
    VmcChain *c = vmc_chain_new(NULL);
    VmcResult r;
    VmcTx tx = { .from = addr(1), .gas = GAS };
    VmStatus st = vmc_deploy(c, &tx, fadd, sizeof fadd, &r);
    CHECK(st == VM_INVALID && strstr(r.msg, "contract uses floating point (f64.add at offset"), "f64.add rejected: %s", r.msg);
    /* an f32 parameter type */
    static const uint8_t ftype[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x05, 0x01, 0x60, 0x01, 0x7d, 0x00,
    };
    st = vmc_deploy(c, &tx, ftype, sizeof ftype, &r);
    CHECK(st == VM_INVALID && strstr(r.msg, "contract uses floating point (f32"), "f32 type rejected: %s", r.msg);
    /* a valid float-free module whose entry loops forever: out of gas */
    static const uint8_t loop[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
        0x03, 0x02, 0x01, 0x00,
        0x05, 0x03, 0x01, 0x00, 0x01,
        0x07, 0x1c, 0x02, 0x0f, 'u','s','e','r','_','e','n','t','r','y','p','o','i','n','t', 0x00, 0x00,
        0x06, 'm','e','m','o','r','y', 0x02, 0x00,
        0x0a, 0x0b, 0x01, 0x09, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x41, 0x00, 0x0b,
    };
    st = vmc_deploy(c, &tx, loop, sizeof loop, &r);
    CHECK(st == VM_OK, "loop module deploys: %s", r.msg);
    VmcTx call_tx = { .from = addr(1), .to = r.created, .gas = 100000 };
    st = vmc_call(c, &call_tx, &r);
    CHECK(st == VM_TRAP_OUT_OF_GAS && r.gas_used == 100000, "infinite loop runs out of gas (%s)", r.msg);
    /* memory growth is paid per page (gas.def); each call starts from the initial size */
    static const uint8_t grow[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
        0x03, 0x02, 0x01, 0x00,
        0x05, 0x03, 0x01, 0x00, 0x01,
        0x07, 0x1c, 0x02, 0x0f, 'u','s','e','r','_','e','n','t','r','y','p','o','i','n','t', 0x00, 0x00,
        0x06, 'm','e','m','o','r','y', 0x02, 0x00,
        0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x41, 0x00, 0x0b,
    };
    st = vmc_deploy(c, &tx, grow, sizeof grow, &r);
    CHECK(st == VM_OK, "grow module deploys: %s", r.msg);
    VmcTx g = { .from = addr(1), .to = r.created, .gas = 100000 };
    VmcResult g1, g2;
    vmc_call(c, &g, &g1);
    vmc_call(c, &g, &g2);
    CHECK(g1.status == VM_OK && g1.gas_used >= 2000 && g1.gas_used == g2.gas_used,
          "memory.grow 1 costs a page (%llu gas, then %llu)", (unsigned long long)g1.gas_used, (unsigned long long)g2.gas_used);
    g.gas = 1000;
    CHECK(vmc_call(c, &g, &r) == VM_OK && r.gas_used < 100, "a grow gas cannot pay for fails (-1) and costs nothing");
    vmc_chain_free(c);
}

/* Allocation failing at each call in turn: deploy + mint + transfer must fail cleanly
 * (a status, no crash, no leak under ASan) until there are enough allocations. */
static long alloc_left;
static void *failing_alloc(void *ud, void *p, size_t n) {
    (void)ud;
    if (n == 0) { free(p); return NULL; }
    if (alloc_left-- <= 0) return NULL;
    return realloc(p, n);
}

static void alloc_fail_tests(const char *root) {
    size_t n = 0;
    uint8_t *w = compile(root, "examples/erc20.writ", "Token", &n);
    if (!w) return;
    int ok_at = -1;
    for (long k = 0; k < 2000 && ok_at < 0; k++) {
        alloc_left = k;
        vm_set_alloc(failing_alloc, NULL);
        VmcChain *c = vmc_chain_new(NULL);
        if (c) {
            VmcResult r;
            VmcAddr T = deploy_token(c, w, n, addr(1), &r);
            if (r.status == VM_OK) {
                Buf d; sel(&d, "mint(address,uint256)"); waddr(&d, addr(2)); word(&d, 10);
                if (call(c, addr(1), T, &d, GAS, &r) == VM_OK && transfer(c, T, addr(2), addr(3), 1, GAS, &r) == VM_OK)
                    ok_at = (int)k;
            }
            vmc_chain_free(c);
        }
        vm_set_alloc(NULL, NULL);
    }
    CHECK(ok_at > 0, "allocation failures end in a status until deploy+mint+transfer fit (%d allocations)", ok_at);
    free(w);
}

int main(int argc, char **argv) {
    const char *root = argc > 1 ? argv[1] : ".";
    float_tests();
    token_tests(root, "examples/erc20.writ");
    token_tests(root, "examples/token.writ");
    multisig_tests(root);
    calls_tests(root);
    alloc_fail_tests(root);
    printf("vm_contract: %d checks, %d failures\n", checks, failures);
    return failures != 0;
}
