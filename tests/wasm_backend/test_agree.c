/* test_agree.c — the wasm backend keeps its own Solidity layout and ABI JSON (layout.c) so
 * that it depends on no other backend; this checks that they agree with the EVM
 * backend's on every example and stdlib contract: the ABI JSON byte for byte, and every
 * storage variable's slot and offset against the EVM artifact's storageLayout.
 * usage: test_agree SOURCE_DIR */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "backends/evm/evm.h"
#include "backends/wasm/internal.h"
#include "frontend/frontend.h"

static int failures, checked;
#define FAIL(...) (fprintf(stderr, "FAIL: " __VA_ARGS__), fputc('\n', stderr), failures++)

static void agree(IrModule *m, DiagSink *diags) {
    Arena a;
    arena_init(&a);
    EvmOptions eo = {0};
    EvmOutput eout;
    if (!evm_compile(m, &a, diags, &eo, &eout)) {
        fprintf(stderr, "SKIPPED: the EVM backend does not compile %s\n", m->name);
        arena_free(&a);
        return;
    }
    char *abi = wb_abi_json(m, &a);
    if (strcmp(abi, eout.abi_json) != 0)
        FAIL("%s: the ABI JSON differs from the EVM backend's\n  wasm: %s\n  evm:  %s", m->name, abi, eout.abi_json);
    WbLayout l;
    wb_layout_compute(m, &a, &l);
    for (int i = 0; i < m->nstorage; i++) {
        if (m->storage[i].ghost)
            continue;
        char pat[256];
        snprintf(pat, sizeof pat, "\"label\":\"%s\"", m->storage[i].name);
        const char *p = strstr(eout.layout_json, pat);
        unsigned off = 0;
        char slot[100] = {0};
        if (!p || sscanf(p + strlen(pat), ",\"offset\":%u,\"slot\":\"%99[0-9]\"", &off, slot) != 2) {
            FAIL("%s: '%s' not found in the EVM storageLayout", m->name, m->storage[i].name);
            continue;
        }
        U256 want;
        u256_parse(slot, strlen(slot), &want);
        if (!u256_eq(want, l.vars[i].slot) || off != l.vars[i].offset)
            FAIL("%s.%s: wasm slot %llu offset %u, EVM slot %s offset %u", m->name, m->storage[i].name,
                 (unsigned long long)u256_low64(l.vars[i].slot), l.vars[i].offset, slot, off);
        checked++;
    }
    arena_free(&a);
}

static void dir(const char *root, const char *sub, const char *lib) {
    char d[4096];
    snprintf(d, sizeof d, "%s/%s", root, sub);
    struct dirent **ents;
    int n = scandir(d, &ents, NULL, alphasort);
    for (int k = 0; k < n; k++) {
        size_t l = strlen(ents[k]->d_name);
        if (l > 5 && !strcmp(ents[k]->d_name + l - 5, ".writ")) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", d, ents[k]->d_name);
            Compilation c;
            fe_init(&c, lib);
            if (fe_load(&c, path) && fe_check(&c) && fe_lower(&c))
                for (int i = 0; i < c.nmodules; i++)
                    agree(c.modules[i], &c.diags);
            fe_free(&c);
        }
        free(ents[k]);
    }
    if (n >= 0)
        free(ents);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_agree SOURCE_DIR\n");
        return 2;
    }
    char lib[4096];
    snprintf(lib, sizeof lib, "%s/stdlib", argv[1]);
    dir(argv[1], "examples", lib);
    dir(argv[1], "stdlib", lib);
    dir(argv[1], "tests/wasm_backend", lib);
    printf("%d storage variables agree, %d failures\n", checked, failures);
    return failures ? 1 : 0;
}
