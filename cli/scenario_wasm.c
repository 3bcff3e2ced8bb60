/* scenario_wasm.c — the wasm runner of `writ test`: each deployment's contract is compiled by
 * the wasm backend and the transactions run on the bundled VM's contract mode (vm/contract.h)
 * in this process, answering the node driver's requests (it still encodes values with the
 * ABI and checks the expectations, exactly as for the EVM). */
#include <stdlib.h>
#include <string.h>

#include "backends/wasm/wasm.h"
#include "cli.h"
#include "frontend/frontend.h"
#include "scenario.h"
#include "vm/contract.h"

enum { WASM_GAS_LIMIT = 30000000 };

typedef struct WasmHost {
    VmcChain *chain;
    uint8_t **code;
    size_t *ncode;
    int ndeploys;
} WasmHost;

bool scen_wasm_available(void) {
    return true;
}

static bool compile_wasm(WasmHost *w, Scenario *sc, const ScDeploy *d, int i, FILE *err) {
    Compilation c;
    fe_init(&c, cli_stdlib_dir());
    bool ok = false;
    if (!fe_load(&c, d->source) || !fe_check(&c) || !fe_lower(&c))
        goto done;
    for (int k = 0; k < c.nmodules; k++) {
        IrModule *m = c.modules[k];
        if (strcmp(m->name, d->contract) != 0)
            continue;
#ifdef NDEBUG
        bool validate = false;
#else
        bool validate = true;
#endif
        WbOptions opt = {.oz = false};
        WbOutput out;
        if (!ir_optimize(m, NULL, validate, &c.diags) ||
            cli_prove_checks(m, cli_test_keep_checks, &c.diags) != EXIT_OK || /* as `writ build` */
            !wb_compile(m, &opt, &out, &c.diags))
            break;
        w->code[i] = malloc(out.nwasm ? out.nwasm : 1);
        if (w->code[i]) {
            memcpy(w->code[i], out.wasm, out.nwasm);
            w->ncode[i] = out.nwasm;
            ok = true;
        }
    }
done:
    if (!ok) {
        diag_print(&c.diags, err);
        scen_error(sc, err, d->at, "the wasm backend cannot compile '%s'", d->contract);
    }
    fe_free(&c);
    return ok;
}

static bool wasm_prepare(void *ud, Scenario *sc, FILE *err) {
    WasmHost *w = ud;
    w->ndeploys = sc->ndeploys;
    w->code = calloc((size_t)sc->ndeploys + 1, sizeof *w->code);
    w->ncode = calloc((size_t)sc->ndeploys + 1, sizeof *w->ncode);
    if (!w->code || !w->ncode)
        return false;
    bool ok = true;
    for (int i = 0; i < sc->ndeploys; i++)
        ok &= compile_wasm(w, sc, &sc->deploys[i], i, err);
    return ok;
}

/* ---------------------------------------------------------------- hex */

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses hex digits ("-" is empty) right-aligned into `out` of n bytes. */
static void hex_right(const char *s, uint8_t *out, size_t n) {
    memset(out, 0, n);
    if (strcmp(s, "-") == 0)
        return;
    size_t len = strlen(s);
    for (size_t i = 0; i < len && i < 2 * n; i++) {
        int v = hexval(s[len - 1 - i]);
        if (v < 0)
            v = 0;
        out[n - 1 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
}

/* Parses "-" or an even number of hex digits into a malloc'd buffer. */
static uint8_t *hex_bytes(const char *s, size_t *n) {
    size_t len = strcmp(s, "-") == 0 ? 0 : strlen(s) / 2;
    uint8_t *b = malloc(len + 1);
    if (!b) {
        *n = 0;
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        b[i] = (uint8_t)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
    }
    *n = len;
    return b;
}

static void put_hex(FILE *f, const uint8_t *b, size_t n) {
    if (n == 0)
        fputc('-', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}

/* status gas created data nlogs (address topics data)... */
static void put_result(FILE *f, VmStatus st, const VmcResult *r, bool deploy) {
    const char *s = st == VM_OK ? "ok" : st == VM_REVERT ? "revert" : vm_status_str(st);
    fprintf(f, "%s%s%s\t%llu\t", s, st == VM_OK || st == VM_REVERT || !r->msg[0] ? "" : ": ",
            st == VM_OK || st == VM_REVERT ? "" : r->msg, (unsigned long long)r->gas_used);
    if (deploy && st == VM_OK)
        put_hex(f, r->created.b, 20);
    else
        fputc('-', f);
    fputc('\t', f);
    put_hex(f, r->ret, r->nret);
    uint32_t nlogs = st == VM_OK ? r->nlogs : 0;
    fprintf(f, "\t%u", nlogs);
    for (uint32_t i = 0; i < nlogs; i++) {
        const VmcLog *l = &r->logs[i];
        fputc('\t', f);
        put_hex(f, l->addr.b, 20);
        fputc('\t', f);
        if (l->ntopics == 0)
            fputc('-', f);
        for (uint32_t t = 0; t < l->ntopics; t++) {
            if (t)
                fputc(',', f);
            put_hex(f, l->topics[t].b, 32);
        }
        fputc('\t', f);
        put_hex(f, l->data, l->len);
    }
    fputc('\n', f);
}

static void wasm_answer(void *ud, char **f, int n, FILE *reply) {
    WasmHost *w = ud;
    VmcState *st = vmc_chain_state(w->chain);
    VmcAddr a, b;
    VmcWord word, key;
    if (strcmp(f[0], "FUND") == 0 && n >= 3) {
        hex_right(f[1], a.b, 20);
        hex_right(f[2], word.b, 32);
        vmc_state_set_balance(st, &a, &word);
        fputs("ok\n", reply);
    } else if (strcmp(f[0], "DEPLOY") == 0 && n >= 7) {
        int i = atoi(f[1]);
        hex_right(f[2], a.b, 20);
        VmcTx tx = {.from = a, .gas = WASM_GAS_LIMIT, .constructor = strcmp(f[5], "1") == 0};
        hex_right(f[3], tx.value.b, 32);
        vmc_chain_env(w->chain)->block_timestamp = strtoull(f[4], NULL, 10);
        uint8_t *data = hex_bytes(f[6], &tx.len);
        tx.data = data;
        VmcResult r;
        memset(&r, 0, sizeof r);
        VmStatus s = i >= 0 && i < w->ndeploys && w->code[i]
                         ? vmc_deploy(w->chain, &tx, w->code[i], w->ncode[i], &r)
                         : VM_NOT_FOUND;
        put_result(reply, s, &r, true);
        free(data);
    } else if (strcmp(f[0], "CALL") == 0 && n >= 6) {
        hex_right(f[1], a.b, 20);
        hex_right(f[2], b.b, 20);
        VmcTx tx = {.from = a, .to = b, .gas = WASM_GAS_LIMIT};
        hex_right(f[3], tx.value.b, 32);
        vmc_chain_env(w->chain)->block_timestamp = strtoull(f[4], NULL, 10);
        uint8_t *data = hex_bytes(f[5], &tx.len);
        tx.data = data;
        VmcResult r;
        memset(&r, 0, sizeof r);
        VmStatus s = vmc_call(w->chain, &tx, &r);
        put_result(reply, s, &r, false);
        free(data);
    } else if (strcmp(f[0], "SLOAD") == 0 && n >= 3) {
        hex_right(f[1], a.b, 20);
        hex_right(f[2], key.b, 32);
        word = vmc_state_storage(st, &a, &key);
        put_hex(reply, word.b, 32);
        fputc('\n', reply);
    } else if (strcmp(f[0], "BALANCE") == 0 && n >= 2) {
        hex_right(f[1], a.b, 20);
        word = vmc_state_balance(st, &a);
        put_hex(reply, word.b, 32);
        fputc('\n', reply);
    } else {
        fputs("error\tunknown request\n", reply);
    }
}

int scen_run_wasm(Scenario *sc, ScOutcome *outcomes, FILE *out, FILE *err) {
    WasmHost w = {.chain = vmc_chain_new(NULL)};
    if (!w.chain) {
        fprintf(err, "writ test: out of memory\n");
        return EXIT_USAGE;
    }
    /* The oracle EVM's block: number 0, time 0 until a step sets it, mainnet's chain id, so
     * that the targets run in one environment and can be compared. */
    vmc_chain_env(w.chain)->block_timestamp = 0;
    vmc_chain_env(w.chain)->block_number = 0;
    vmc_chain_env(w.chain)->chain_id = 1;
    ScHost host = {.name = " [wasm]", .ud = &w, .prepare = wasm_prepare, .answer = wasm_answer};
    int status = scen_run_node(sc, &host, outcomes, out, err);
    for (int i = 0; i < w.ndeploys; i++)
        free(w.code[i]);
    free(w.code);
    free(w.ncode);
    vmc_chain_free(w.chain);
    return status;
}
