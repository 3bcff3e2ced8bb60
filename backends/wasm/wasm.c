/* wasm.c — the backend's pipeline: read-only data, the runtime skeleton (runtime.c),
 * contract functions (codegen.c), entry points (abi.c), binaryen's optimiser and
 * validator, the bytes; then the artifacts and the one-call build used by the CLI. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend/frontend.h"
#include "internal.h"

/* String literals become memory images in the read-only data; returns its size. */
static uint32_t layout_rodata(WbGen *g, uint8_t **out) {
    uint32_t n = 0, cap = 0;
    uint8_t *data = NULL;
    g->str_addr = arena_alloc(g->arena, sizeof *g->str_addr * (size_t)(g->m->nfuncs + 1));
    for (int fi = 0; fi < g->m->nfuncs; fi++) {
        IrFunc *f = g->m->funcs[fi];
        int nids = f->ninstrs + 1;
        for (IrBlock *b = f->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next)
                nids = i->id >= nids ? i->id + 1 : nids;
        g->str_addr[fi] = arena_alloc(g->arena, sizeof(uint32_t) * (size_t)nids);
        for (IrBlock *b = f->entry; b; b = b->next_in_func)
            for (IrInstr *i = b->first; i; i = i->next) {
                if (i->op != IR_STR)
                    continue;
                uint32_t size = wb_mem_size(g, i->type);
                if (size < 32 + i->nbytes)
                    size = 32 + (i->nbytes + 31) / 32 * 32;
                if (n + size > cap) {
                    uint32_t nc = cap ? 2 * cap : 1024;
                    while (nc < n + size)
                        nc *= 2;
                    uint8_t *d = arena_alloc(g->arena, nc);
                    if (n)
                        memcpy(d, data, n);
                    data = d, cap = nc;
                }
                g->str_addr[fi][i->id] = WB_RODATA + n;
                uint64_t len = i->nbytes;
                memcpy(data + n, &len, 8);   /* little-endian hosts only, like the limbs */
                memcpy(data + n + 32, i->bytes, i->nbytes);
                n += size;
            }
    }
    *out = data;
    return n;
}

static uint32_t leb(const uint8_t *b, size_t n, size_t *p) {
    uint32_t v = 0;
    for (int sh = 0; *p < n && sh < 35; sh += 7) {
        uint8_t x = b[(*p)++];
        v |= (uint32_t)(x & 0x7f) << sh;
        if (!(x & 0x80))
            break;
    }
    return v;
}

/* The module's length without a last custom section named sourceMappingURL. */
static size_t strip_url_section(const void *bytes, size_t n) {
    const uint8_t *b = bytes;
    size_t p = 8, last = n;
    while (p < n) {
        size_t start = p;
        uint8_t id = b[p++];
        uint32_t size = leb(b, n, &p);
        size_t body = p;
        p += size;
        if (id == 0 && p == n) {
            size_t q = body;
            uint32_t nl = leb(b, n, &q);
            if (nl == 16 && q + 16 <= n && memcmp(b + q, "sourceMappingURL", 16) == 0)
                last = start;
        }
    }
    return last;
}

bool wb_compile(IrModule *m, const WbOptions *opt, WbOutput *out, DiagSink *diags) {
    WbGen g0 = {0}, *g = &g0;
    g->m = m, g->arena = m->arena, g->diags = diags, g->ok = true;
    memset(out, 0, sizeof *out);
    wb_layout_compute(m, m->arena, &g->layout);
    uint8_t *rodata;
    uint32_t nrodata = layout_rodata(g, &rodata);
    g->heap_base = (WB_RODATA + nrodata + 31) / 32 * 32;
    char *text = wb_runtime_text(m->arena, rodata, nrodata);
    g->mod = BinaryenModuleParse(text);
    if (!g->mod) {
        diag_error(diags, (Span){0}, "wasm backend: internal error: the runtime text does not parse");
        return false;
    }
    BinaryenModuleSetFeatures(g->mod, BinaryenFeatureMVP());
    g->nfiles = m->srcs ? m->srcs->count + 1 : 0;
    g->file_index = arena_alloc(m->arena, sizeof *g->file_index * (size_t)(g->nfiles + 1));
    wb_compile_funcs(g);
    if (g->ok)
        wb_compile_entry(g);
    if (g->ok && !BinaryenModuleValidate(g->mod)) {
        diag_error(diags, (Span){0}, "wasm backend: internal error: binaryen rejects the module of '%s'", m->name);
        g->ok = false;
    }
    if (g->ok) {
        BinaryenSetOptimizeLevel(2);
        BinaryenSetShrinkLevel(opt && opt->oz ? 2 : 0);
        BinaryenSetDebugInfo(false);
        BinaryenModuleOptimize(g->mod);
        if (!BinaryenModuleValidate(g->mod)) {
            diag_error(diags, (Span){0}, "wasm backend: internal error: the optimised module of '%s' is invalid", m->name);
            g->ok = false;
        }
    }
    if (g->ok) {
        /* With sources, the bytes come from the write that also makes the source map (it
         * skips binaryen's Stack IR, so its code differs by a few bytes from a plain
         * write); the trailing sourceMappingURL section is cut off. */
        char url[256];
        snprintf(url, sizeof url, "%s.wasm.map", m->name);
        bool map = m->srcs && g->nfiles > 1;
        BinaryenModuleAllocateAndWriteResult r = BinaryenModuleAllocateAndWrite(g->mod, map ? url : NULL);
        size_t n = map ? strip_url_section(r.binary, r.binaryBytes) : r.binaryBytes;
        out->wasm = arena_alloc(m->arena, n + 1);
        memcpy(out->wasm, r.binary, n);
        out->nwasm = n;
        if (map && r.sourceMap)
            out->source_map = arena_strndup(m->arena, r.sourceMap, strlen(r.sourceMap));
        free(r.binary);
        free(r.sourceMap);
        out->abi_json = wb_abi_json(m, m->arena);
    }
    BinaryenModuleDispose(g->mod);
    return g->ok;
}

bool wb_write_artifacts(const IrModule *m, const WbOutput *out, const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, m->name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(out->wasm, 1, out->nwasm, f) == out->nwasm;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        return false;
    if (out->source_map) {
        snprintf(path, sizeof path, "%s/%s.wasm.map", dir, m->name);
        f = fopen(path, "w");
        if (!f)
            return false;
        ok = fputs(out->source_map, f) >= 0;
        if (fclose(f) != 0 || !ok)
            return false;
    }
    snprintf(path, sizeof path, "%s/%s.json", dir, m->name);
    f = fopen(path, "w");
    if (!f)
        return false;
    uint8_t h[32];
    keccak256(out->wasm, out->nwasm, h);
    char hex[67] = "0x";
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 + 2 * k, 3, "%02x", h[k]);
    fputs("{\n  \"contract\": \"", f), fputs(m->name, f);
    fputs("\",\n  \"target\": \"wasm (Arbitrum Stylus)\",\n  \"abi\": ", f);
    fputs(out->abi_json ? out->abi_json : "[]", f);
    fprintf(f, ",\n  \"wasm_size\": %zu,\n  \"code_hash\": \"%s\"\n}", out->nwasm, hex);
    fputc('\n', f);
    return fclose(f) == 0;
}

static int build_module(IrModule *m, DiagSink *diags, const char *outdir, bool oz, FILE *err) {
    if (!ir_optimize(m, NULL, false, diags)) {
        fprintf(err, "writ build: internal error: the IR is invalid after a pass\n");
        return 1;
    }
    WbOptions opt = {.oz = oz};
    WbOutput out;
    if (!wb_compile(m, &opt, &out, diags))
        return 1;
    if ((mkdir(outdir, 0777) != 0 && errno != EEXIST) || !wb_write_artifacts(m, &out, outdir)) {
        fprintf(err, "writ build: cannot write into '%s': %s\n", outdir, strerror(errno));
        return 1;
    }
    return 0;
}

/* A .wir file: the IR text form, parsed and verified, then the same pipeline. */
static int build_ir_text(const char *path, const char *outdir, bool oz, FILE *err) {
    SrcSet srcs = {0};
    DiagSink diags;
    diag_init(&diags, &srcs);
    Arena arena;
    arena_init(&arena);
    int status = 1;
    int file = src_load(&srcs, path);
    if (file < 0) {
        fprintf(err, "writ build: cannot read '%s'\n", path);
    } else {
        IrModule *m = ir_module_parse(&arena, &diags, file);
        if (m && !diags.errors && ir_module_verify(m, &diags)) {
            m->srcs = NULL; /* spans point into the original sources, not this file */
            status = build_module(m, &diags, outdir, oz, err);
        }
    }
    diag_print(&diags, err);
    diag_free(&diags);
    arena_free(&arena);
    srcset_free(&srcs);
    return status;
}

int wb_build_file(const char *path, const char *stdlib_dir, const char *outdir, bool oz, FILE *err) {
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".wir") == 0)
        return build_ir_text(path, outdir, oz, err);
    Compilation c;
    fe_init(&c, stdlib_dir);
    int status = 0;
    if (!fe_load(&c, path) || !fe_check(&c) || !fe_lower(&c)) {
        status = 1;
    } else {
        for (int i = 0; i < c.nmodules && status == 0; i++) {
            if (!ir_module_verify(c.modules[i], &c.diags)) {
                fprintf(err, "writ build: internal error: lowering produced invalid IR\n");
                status = 1;
                break;
            }
            status = build_module(c.modules[i], &c.diags, outdir, oz, err);
        }
    }
    diag_print(&c.diags, err);
    fe_free(&c);
    return status;
}
