/* test_vmc.c — the wasm backend's output on the VM's contract mode (vm/contract.h), the
 * host `writ` itself will run it on: the token deployed with its constructor, minted,
 * transferred, its reverts rolled back, its logs and its gas.
 * usage: test_vmc SOURCE_DIR */
#include <stdlib.h>
#include <string.h>

#include "backends/wasm/wasm.h"
#include "frontend/frontend.h"
#include "vm/contract.h"

static int failures, passed;
#define CHECK(cond, ...) \
    ((cond) ? (void)passed++ : (fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__), \
                                fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), (void)failures++))

typedef struct Cd { uint8_t b[512]; size_t n; } Cd;
static void sel(Cd *c, const char *sig) {
    uint8_t h[32];
    keccak256(sig, strlen(sig), h);
    memcpy(c->b, h, 4), c->n = 4;
}
static void word(Cd *c, uint64_t v) {
    memset(c->b + c->n, 0, 32);
    for (int k = 0; k < 8; k++)
        c->b[c->n + 31 - (size_t)k] = (uint8_t)(v >> (8 * k));
    c->n += 32;
}
static void addr_word(Cd *c, const VmcAddr *a) {
    memset(c->b + c->n, 0, 12), memcpy(c->b + c->n + 12, a->b, 20), c->n += 32;
}
static void bytes(Cd *c, const char *s) {
    size_t n = strlen(s);
    word(c, n);
    memset(c->b + c->n, 0, (n + 31) / 32 * 32), memcpy(c->b + c->n, s, n), c->n += (n + 31) / 32 * 32;
}
static uint64_t low64(const uint8_t *w) {
    uint64_t v = 0;
    for (int k = 24; k < 32; k++)
        v = v << 8 | w[k];
    return v;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_vmc SOURCE_DIR\n");
        return 2;
    }
    char src[4096], lib[4096];
    snprintf(src, sizeof src, "%s/examples/token.writ", argv[1]);
    snprintf(lib, sizeof lib, "%s/stdlib", argv[1]);
    Compilation c;
    fe_init(&c, lib);
    WbOutput out;
    WbOptions opt = {0};
    if (!fe_load(&c, src) || !fe_check(&c) || !fe_lower(&c) || !ir_optimize(c.modules[0], NULL, true, &c.diags) ||
        !wb_compile(c.modules[0], &opt, &out, &c.diags)) {
        diag_print(&c.diags, stderr);
        fe_free(&c);
        return 1;
    }
    VmcChain *ch = vmc_chain_new(NULL);
    VmcAddr owner = {{0}}, alice = {{0}}, bob = {{0}};
    owner.b[19] = 1, alice.b[19] = 2, bob.b[19] = 3;
    Cd cd = {{0}, 0};
    word(&cd, 0x40), word(&cd, 0x80), bytes(&cd, "Token"), bytes(&cd, "TKN");
    VmcTx tx = {.from = owner, .data = cd.b, .len = cd.n, .gas = 10000000, .constructor = true};
    VmcResult r;
    vmc_deploy(ch, &tx, out.wasm, out.nwasm, &r);
    CHECK(r.status == VM_OK, "deploy with the constructor: %s %s", vm_status_str(r.status), r.msg);
    VmcAddr token = r.created;
    tx = (VmcTx){.from = owner, .to = token, .gas = 10000000};

    sel(&cd, "mint(address,uint256)"), addr_word(&cd, &alice), word(&cd, 1000);
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_OK && r.nlogs == 1 && r.logs[0].ntopics == 3 && r.gas_used > 0,
          "mint: %s %s, %u logs", vm_status_str(r.status), r.msg, r.nlogs);
    tx.from = alice;
    sel(&cd, "transfer(address,uint256)"), addr_word(&cd, &bob), word(&cd, 300);
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_OK && r.nret == 32 && low64(r.ret) == 1, "transfer returns true: %s %s", vm_status_str(r.status), r.msg);
    printf("transfer: %llu gas\n", (unsigned long long)r.gas_used);
    sel(&cd, "transfer(address,uint256)"), addr_word(&cd, &bob), word(&cd, 5000);
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_REVERT && r.nret == 100, "overdraft reverts with InsufficientBalance data: %s", vm_status_str(r.status));
    sel(&cd, "balanceOf(address)"), addr_word(&cd, &bob);
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_OK && r.nret == 32 && low64(r.ret) == 300, "balanceOf(bob) = 300");
    tx.from = bob;
    sel(&cd, "mint(address,uint256)"), addr_word(&cd, &bob), word(&cd, 1);
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_REVERT && r.nret == 36, "bob cannot mint: NotOwner(bob)");
    sel(&cd, "name()");
    tx.data = cd.b, tx.len = cd.n;
    vmc_call(ch, &tx, &r);
    CHECK(r.status == VM_OK && r.nret == 96 && !memcmp(r.ret + 64, "Token", 5), "name() = \"Token\"");
    vmc_chain_free(ch);
    fe_free(&c);
    printf("%d checks passed, %d failed\n", passed, failures);
    return failures ? 1 : 0;
}
