/* test_wasm.c — every example and stdlib contract through the frontend, the IR passes and
 * the wasm backend: binaryen validates it (inside wb_compile), wabt's wasm-validate too
 * (skipped loudly when absent), the Stylus shape holds (imports only from vm_hooks with
 * the hostio signatures, exports exactly user_entrypoint and memory), no f32/f64 anywhere,
 * a source map back to the .writ files, and the same bytes on a second compilation.
 * usage: test_wasm SOURCE_DIR OUT_DIR */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/wasm/wasm.h"
#include "frontend/frontend.h"

static int failures, checked;
static bool have_wabt;

#define FAIL(...) (fprintf(stderr, "FAIL: " __VA_ARGS__), fputc('\n', stderr), failures++)

/* ---------------- a small reader of the module's sections ---------------- */
typedef struct Rd {
    const uint8_t *p, *end;
    bool bad;
} Rd;

static uint32_t uleb(Rd *r) {
    uint32_t v = 0;
    for (int s = 0; s < 35; s += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint32_t)(b & 0x7f) << s;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return v;
}

typedef struct FType {
    char sig[16];   /* "ii>i": params, '>', results; i = i32, I = i64 */
} FType;

static char vt(uint8_t b) {
    return b == 0x7f ? 'i' : b == 0x7e ? 'I' : b == 0x7d ? 'f' : b == 0x7c ? 'F' : '?';
}

static const struct { const char *name, *sig; } hostio[] = {
    {"read_args", "i>"}, {"write_result", "ii>"}, {"storage_load_bytes32", "ii>"},
    {"storage_cache_bytes32", "ii>"}, {"storage_flush_cache", "i>"}, {"msg_sender", "i>"},
    {"msg_value", "i>"}, {"msg_reentrant", ">i"}, {"block_number", ">I"},
    {"block_timestamp", ">I"}, {"chainid", ">I"}, {"contract_address", "i>"},
    {"tx_origin", "i>"}, {"emit_log", "iii>"}, {"native_keccak256", "iii>"},
    {"account_balance", "ii>"}, {"call_contract", "iiiiIi>i"},
    {"static_call_contract", "iiiIi>i"}, {"read_return_data", "iii>i"},
    {"return_data_size", ">i"}, {"pay_for_memory_grow", "i>"},
};

static bool check_shape(const char *name, const uint8_t *w, size_t n) {
    Rd r = {w + 8, w + n, false};
    if (n < 8 || memcmp(w, "\0asm\1\0\0\0", 8) != 0) {
        FAIL("%s: not a wasm module", name);
        return false;
    }
    FType types[256];
    int ntypes = 0, nfuncimports = 0;
    bool entry = false, memory = false, ok = true;
    while (r.p < r.end && !r.bad) {
        uint8_t id = *r.p++;
        uint32_t size = uleb(&r);
        Rd s = {r.p, r.p + size, false};
        r.p += size;
        if (id == 1) {
            uint32_t cnt = uleb(&s);
            for (uint32_t k = 0; k < cnt && !s.bad; k++) {
                FType t = {{0}};
                int q = 0;
                s.p++;   /* 0x60 */
                uint32_t np = uleb(&s);
                for (uint32_t j = 0; j < np && q < 14; j++)
                    t.sig[q++] = vt(*s.p++);
                t.sig[q++] = '>';
                uint32_t nr = uleb(&s);
                for (uint32_t j = 0; j < nr && q < 15; j++)
                    t.sig[q++] = vt(*s.p++);
                if (strchr(t.sig, 'f') || strchr(t.sig, 'F')) {
                    FAIL("%s: a function type uses floats (%s)", name, t.sig);
                    ok = false;
                }
                if (ntypes < 256)
                    types[ntypes++] = t;
            }
        } else if (id == 2) {
            uint32_t cnt = uleb(&s);
            for (uint32_t k = 0; k < cnt && !s.bad; k++) {
                uint32_t ml = uleb(&s);
                char mod[64] = {0}, fld[64] = {0};
                memcpy(mod, s.p, ml < 63 ? ml : 63), s.p += ml;
                uint32_t fl = uleb(&s);
                memcpy(fld, s.p, fl < 63 ? fl : 63), s.p += fl;
                uint8_t kind = *s.p++;
                if (kind != 0) {
                    FAIL("%s: import %s.%s is not a function", name, mod, fld);
                    return false;
                }
                uint32_t ti = uleb(&s);
                nfuncimports++;
                bool known = false;
                for (size_t h = 0; h < sizeof hostio / sizeof hostio[0]; h++)
                    if (strcmp(hostio[h].name, fld) == 0) {
                        known = true;
                        if (ti >= (uint32_t)ntypes || strcmp(types[ti].sig, hostio[h].sig) != 0) {
                            FAIL("%s: import %s has signature %s, Stylus says %s", name, fld,
                                 ti < (uint32_t)ntypes ? types[ti].sig : "?", hostio[h].sig);
                            ok = false;
                        }
                    }
                if (strcmp(mod, "vm_hooks") != 0 || !known) {
                    FAIL("%s: unexpected import %s.%s", name, mod, fld);
                    ok = false;
                }
            }
        } else if (id == 7) {
            uint32_t cnt = uleb(&s);
            for (uint32_t k = 0; k < cnt && !s.bad; k++) {
                uint32_t l = uleb(&s);
                char fld[64] = {0};
                memcpy(fld, s.p, l < 63 ? l : 63), s.p += l;
                uint8_t kind = *s.p++;
                uleb(&s);
                if (strcmp(fld, "user_entrypoint") == 0 && kind == 0)
                    entry = true;
                else if (strcmp(fld, "memory") == 0 && kind == 2)
                    memory = true;
                else {
                    FAIL("%s: unexpected export %s", name, fld);
                    ok = false;
                }
            }
        } else if (id == 6) {
            uint32_t cnt = uleb(&s);
            for (uint32_t k = 0; k < cnt && !s.bad; k++) {
                uint8_t t = *s.p;
                if (t == 0x7d || t == 0x7c) {
                    FAIL("%s: a float global", name);
                    ok = false;
                }
                break;
            }
        }
    }
    (void)nfuncimports;
    if (r.bad) {
        FAIL("%s: malformed sections", name);
        return false;
    }
    if (!entry || !memory) {
        FAIL("%s: user_entrypoint or memory is not exported", name);
        ok = false;
    }
    return ok;
}

/* wabt: validation, and the disassembly has no f32./f64. instruction */
static bool check_wabt(const char *name, const char *file) {
    if (!have_wabt)
        return true;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "wasm-validate '%s'", file);
    if (system(cmd) != 0) {
        FAIL("%s: wasm-validate rejects %s", name, file);
        return false;
    }
    snprintf(cmd, sizeof cmd, "wasm-objdump -d '%s' | grep -Eq '(f32|f64)[.]'", file);
    if (system(cmd) == 0) {
        FAIL("%s: a floating-point instruction in %s", name, file);
        return false;
    }
    snprintf(cmd, sizeof cmd, "wasm-objdump -x '%s' | grep -Eq '(f32|f64)'", file);
    if (system(cmd) == 0) {
        FAIL("%s: a floating-point type in %s", name, file);
        return false;
    }
    return true;
}

static void compile_file(const char *src, const char *stdlib_dir, const char *outdir) {
    for (int round = 0; round < 3; round++) {
        Compilation c;
        fe_init(&c, stdlib_dir);
        if (!fe_load(&c, src) || !fe_check(&c) || !fe_lower(&c)) {
            diag_print(&c.diags, stderr);
            FAIL("%s: the frontend rejects it", src);
            fe_free(&c);
            return;
        }
        static uint8_t *first[64];
        static size_t nfirst[64];
        for (int i = 0; i < c.nmodules; i++) {
            IrModule *m = c.modules[i];
            if (!ir_optimize(m, NULL, true, &c.diags)) {
                FAIL("%s: IR passes", src);
                continue;
            }
            WbOptions opt = {.oz = round == 2};   /* 0: -O2 and checks, 1: again, 2: -Oz */
            WbOutput out;
            if (!wb_compile(m, &opt, &out, &c.diags)) {
                diag_print(&c.diags, stderr);
                FAIL("%s: contract %s does not compile", src, m->name);
                continue;
            }
            if (round == 0) {
                checked++;
                first[i] = malloc(out.nwasm);
                memcpy(first[i], out.wasm, out.nwasm);
                nfirst[i] = out.nwasm;
                if (!wb_write_artifacts(m, &out, outdir)) {
                    FAIL("%s: cannot write artifacts into %s", src, outdir);
                    continue;
                }
                char file[4096];
                snprintf(file, sizeof file, "%s/%s.wasm", outdir, m->name);
                bool ok = check_shape(m->name, out.wasm, out.nwasm) && check_wabt(m->name, file);
                if (!out.source_map || !strstr(out.source_map, ".writ\"") || strstr(out.source_map, "\"mappings\":\"\"")) {
                    FAIL("%s: no source map back to the .writ sources", m->name);
                    ok = false;
                }
                printf("%-5s %-28s %-14s %6zu bytes\n", ok ? "ok" : "FAIL", src + strlen(src) - (strlen(src) > 28 ? 28 : strlen(src)),
                       m->name, out.nwasm);
            } else if (round == 1) {
                if (out.nwasm != nfirst[i] || memcmp(out.wasm, first[i], out.nwasm) != 0)
                    FAIL("%s: %s: a second compilation gives other bytes", src, m->name);
                free(first[i]);
            } else {
                char file[4096];
                snprintf(file, sizeof file, "%s/%s.Oz.wasm", outdir, m->name);
                FILE *fp = fopen(file, "wb");
                if (fp)
                    fwrite(out.wasm, 1, out.nwasm, fp), fclose(fp);
                bool ok = check_shape(m->name, out.wasm, out.nwasm) && check_wabt(m->name, file);
                printf("%-5s %-28s %-14s %6zu bytes (-Oz)\n", ok ? "ok" : "FAIL", "", m->name, out.nwasm);
            }
        }
        fe_free(&c);
    }
}

static void compile_dir(const char *dir, const char *stdlib_dir, const char *outdir) {
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    if (n < 0) {
        FAIL("cannot list %s", dir);
        return;
    }
    for (int k = 0; k < n; k++) {
        const char *nm = ents[k]->d_name;
        size_t l = strlen(nm);
        if (l > 5 && strcmp(nm + l - 5, ".writ") == 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, nm);
            compile_file(path, stdlib_dir, outdir);
        }
        free(ents[k]);
    }
    free(ents);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: test_wasm SOURCE_DIR OUT_DIR\n");
        return 2;
    }
    char examples[4096], stdlib_dir[4096];
    snprintf(examples, sizeof examples, "%s/examples", argv[1]);
    snprintf(stdlib_dir, sizeof stdlib_dir, "%s/stdlib", argv[1]);
    mkdir(argv[2], 0777);
    have_wabt = system("wasm-validate --version >/dev/null 2>&1") == 0 &&
                system("wasm-objdump --version >/dev/null 2>&1") == 0;
    if (!have_wabt)
        fprintf(stderr, "SKIPPED: wabt (wasm-validate, wasm-objdump) is not installed: "
                        "apt-get install wabt; only binaryen's validation ran\n");
    /* the CLI's one call, on a .writ and on its IR text */
    char path[4096], dir[4096], wir[4096];
    snprintf(path, sizeof path, "%s/examples/token.writ", argv[1]);
    snprintf(dir, sizeof dir, "%s/build_file", argv[2]);
    if (wb_build_file(path, stdlib_dir, dir, true, stderr) != 0)
        FAIL("wb_build_file(%s)", path);
    snprintf(path, sizeof path, "%s/Token.json", dir);
    FILE *f = fopen(path, "r");
    char json[1 << 14] = {0};
    if (!f || !fread(json, 1, sizeof json - 1, f) || !strstr(json, "\"abi\"") || !strstr(json, "\"code_hash\": \"0x") ||
        !strstr(json, "\"transfer\""))
        FAIL("%s lacks the abi or the code hash", path);
    if (f)
        fclose(f);
    Compilation c;
    fe_init(&c, stdlib_dir);
    snprintf(path, sizeof path, "%s/examples/token.writ", argv[1]);
    snprintf(wir, sizeof wir, "%s/token.wir", argv[2]);
    if (fe_load(&c, path) && fe_check(&c) && fe_lower(&c) && (f = fopen(wir, "w"))) {
        ir_module_print(c.modules[0], f);
        fclose(f);
        if (wb_build_file(wir, stdlib_dir, dir, false, stderr) != 0)
            FAIL("wb_build_file(%s)", wir);
    } else {
        FAIL("cannot write %s", wir);
    }
    fe_free(&c);
    compile_dir(examples, stdlib_dir, argv[2]);
    compile_dir(stdlib_dir, stdlib_dir, argv[2]);
    printf("%d contracts compiled and checked, %d failures\n", checked, failures);
    return failures ? 1 : 0;
}
