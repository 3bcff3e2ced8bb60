/* evm.c — the EVM backend's pipeline (layout, runtime code, creation code, ABI and layout
 * JSON, source maps, listing) and the Foundry/Hardhat-shaped artifact writer. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *listing_text(const EvmAsm *cre, const EvmAsm *rt, const SrcSet *srcs, Arena *arena) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "; creation code\n");
    evm_asm_listing(cre, srcs, f);
    fprintf(f, "\n; runtime code\n");
    evm_asm_listing(rt, srcs, f);
    fclose(f);
    char *r = arena_strndup(arena, buf ? buf : "", len);
    free(buf);
    return r;
}

bool evm_compile(IrModule *m, Arena *arena, DiagSink *diags, const EvmOptions *opt,
                 EvmOutput *out) {
    memset(out, 0, sizeof *out);
    EvmLayout *l = ARENA_NEW(arena, EvmLayout);
    abi_layout_compute(m, arena, l);
    EvmGen g;
    evm_gen_init(&g, m, l, diags, arena);
    EvmAsm rt, cre;
    evm_asm_init(&rt, arena);
    evm_gen_runtime(&g, &rt);
    const char *err = NULL;
    if (!g.ok)
        return false;
    if (rt.depth_broken && g.stack_params_used) {
        /* a jump back to a label came with another stack depth than the code after the
         * label assumed: params addressed by depth there may be wrong, so compile again
         * reading them from calldata */
        evm_gen_init(&g, m, l, diags, arena);
        g.no_stack_params = true;
        evm_asm_init(&rt, arena);
        evm_gen_runtime(&g, &rt);
        if (!g.ok)
            return false;
    }
    evm_asm_optimize(&rt);
    if (!evm_asm_assemble(&rt, &out->runtime, &out->nruntime, &err)) {
        diag_error(diags, (Span){0}, "evm backend: internal error: label '%s' never placed", err);
        return false;
    }
    evm_asm_init(&cre, arena);
    evm_gen_creation(&g, &cre, out->runtime, out->nruntime);
    if (!g.ok)
        return false;
    evm_asm_optimize(&cre);
    if (!evm_asm_assemble(&cre, &out->creation, &out->ncreation, &err)) {
        diag_error(diags, (Span){0}, "evm backend: internal error: label '%s' never placed", err);
        return false;
    }
    if (out->nruntime > 24576)
        diag_warning(diags, (Span){0},
                     "runtime code of '%s' is %zu bytes, over the EIP-170 limit of 24576",
                     m->name, out->nruntime);
    out->abi_json = abi_json(m, arena);
    out->layout_json = abi_layout_json(m, l, arena);
    out->method_ids_json = abi_method_ids_json(m, arena);
    out->srcmap_creation = evm_asm_srcmap(&cre, arena);
    out->srcmap_runtime = evm_asm_srcmap(&rt, arena);
    if (opt && opt->listing)
        out->listing = listing_text(&cre, &rt, m->srcs, arena);
    return true;
}

static void hex_field(Json *j, const uint8_t *code, size_t n) {
    char *s = malloc(2 * n + 3);
    static const char digits[] = "0123456789abcdef";
    s[0] = '0', s[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        s[2 + 2 * i] = digits[code[i] >> 4];
        s[3 + 2 * i] = digits[code[i] & 15];
    }
    s[2 + 2 * n] = 0;
    json_str(j, s);
    free(s);
}

typedef struct ArtCtx {
    const IrModule *m;
    const EvmOutput *out;
} ArtCtx;

static void fill_artifact(Json *j, const void *vctx) {
    const ArtCtx *c = vctx;
    json_obj_open(j);
    json_key(j, "contractName");
    json_str(j, c->m->name);
    json_key(j, "abi");
    json_raw(j, c->out->abi_json);
    json_key(j, "bytecode");
    json_obj_open(j);
    json_key(j, "object");
    hex_field(j, c->out->creation, c->out->ncreation);
    json_key(j, "sourceMap");
    json_str(j, c->out->srcmap_creation);
    json_obj_close(j);
    json_key(j, "deployedBytecode");
    json_obj_open(j);
    json_key(j, "object");
    hex_field(j, c->out->runtime, c->out->nruntime);
    json_key(j, "sourceMap");
    json_str(j, c->out->srcmap_runtime);
    json_obj_close(j);
    json_key(j, "methodIdentifiers");
    json_raw(j, c->out->method_ids_json);
    json_key(j, "storageLayout");
    json_raw(j, c->out->layout_json);
    if (c->m->srcs && c->m->srcs->count > 0) {
        json_key(j, "sources");
        json_arr_open(j);
        for (int i = 1; i <= c->m->srcs->count; i++)
            json_str(j, c->m->srcs->files[i]->path);
        json_arr_close(j);
    }
    json_obj_close(j);
}

bool evm_write_artifact(const IrModule *m, const EvmOutput *out, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    ArtCtx c = {m, out};
    Json j;
    json_init(&j, f, true);
    fill_artifact(&j, &c);
    fputc('\n', f);
    return fclose(f) == 0;
}
