/* cmd_build.c — `writ build FILE --target evm,wasm [-o DIR] [--asm] [-Oz] [--keep-checks]`:
 * the frontend (or the IR text parser for .wir files), the IR passes, the verifier on the
 * checks (those it proves can never fail are omitted by the backends; cached, so cheap once
 * a contract has been built or verified; --keep-checks keeps them all), then each target's
 * backend. EVM: one artifact DIR/NAME.json per contract; wasm: DIR/NAME.wasm, NAME.json,
 * NAME.wasm.map. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "backends/evm/evm.h"
#include "backends/wasm/wasm.h"
#include "cli.h"

typedef struct BuildOpts {
    const char *out_dir;
    bool listing;
    bool keep_checks;
    bool oz;          /* wasm: optimise for size (binaryen -Oz) */
    bool ir_text;     /* the input is a .wir file: its spans point into other sources */
} BuildOpts;

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool make_dir(const char *dir) {
    if (mkdir(dir, 0777) == 0 || errno == EEXIST)
        return true;
    fprintf(stderr, "writ build: cannot create '%s': %s\n", dir, strerror(errno));
    return false;
}

/* The IR passes, then the verifier on the checks (proven ones are marked for the backends). */
static int prepare(IrModule *m, const BuildOpts *o, DiagSink *diags) {
    int status = cli_optimize("build", m, NULL, diags);
    if (status == EXIT_OK)
        status = cli_prove_checks(m, o->keep_checks, diags);
    return status;
}

/* Optimises, compiles and writes one contract. */
static int build_module(IrModule *m, DiagSink *diags, void *ctx) {
    const BuildOpts *o = ctx;
    int status = prepare(m, o, diags);
    if (status != EXIT_OK)
        return status;
    Arena arena;
    arena_init(&arena);
    EvmOptions opt = {.listing = o->listing};
    EvmOutput out;
    if (!evm_compile(m, &arena, diags, &opt, &out)) {
        status = EXIT_INPUT;
        goto done;
    }
    if (o->listing)
        fputs(out.listing, stdout);
    if (!make_dir(o->out_dir)) {
        status = EXIT_USAGE;
        goto done;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", o->out_dir, m->name);
    if (!evm_write_artifact(m, &out, path)) {
        fprintf(stderr, "writ build: cannot write '%s': %s\n", path, strerror(errno));
        status = EXIT_USAGE;
    }
done:
    arena_free(&arena);
    return status;
}

/* The wasm target: the same steps, then the wasm backend's artifacts. */
static int build_wasm_module(IrModule *m, DiagSink *diags, void *ctx) {
    const BuildOpts *o = ctx;
    int status = prepare(m, o, diags);
    if (status != EXIT_OK)
        return status;
    if (o->ir_text)
        m->srcs = NULL; /* no source map for IR text */
    WbOptions opt = {.oz = o->oz};
    WbOutput out;
    if (!wb_compile(m, &opt, &out, diags))
        return EXIT_INPUT;
    if (!make_dir(o->out_dir))
        return EXIT_USAGE;
    if (!wb_write_artifacts(m, &out, o->out_dir)) {
        fprintf(stderr, "writ build: cannot write into '%s': %s\n", o->out_dir, strerror(errno));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_build(int argc, char **argv) {
    const char *file = NULL, *target = NULL;
    BuildOpts o = {.out_dir = "out", .listing = false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--asm") == 0) {
            o.listing = true;
        } else if (strcmp(a, "-Oz") == 0) {
            o.oz = true;
        } else if (strcmp(a, "--keep-checks") == 0) {
            o.keep_checks = true;
        } else if (strcmp(a, "--target") == 0 || strncmp(a, "--target=", 9) == 0) {
            if (a[8] == '=')
                target = a + 9;
            else if (i + 1 < argc)
                target = argv[++i];
            else
                return cli_usage_error("build", "--target needs a target name");
        } else if (strcmp(a, "-o") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("build", "-o needs a directory");
            o.out_dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("build", "unknown option '%s'", a);
        } else if (!file) {
            file = a;
        } else {
            return cli_usage_error("build", "one input file at a time");
        }
    }
    if (!file)
        return cli_usage_error("build", "no input file");
    if (!target)
        return cli_usage_error("build", "--target is required (available: evm, wasm)");
    /* --target evm,wasm builds each target in turn; the first failure decides the status. */
    char targets[64];
    snprintf(targets, sizeof targets, "%s", target);
    for (char *t = strtok(targets, ","); t; t = strtok(NULL, ","))
        if (strcmp(t, "evm") != 0 && strcmp(t, "wasm") != 0)
            return cli_usage_error("build", "unknown target '%s' (available: evm, wasm)", t);
    snprintf(targets, sizeof targets, "%s", target);
    int status = EXIT_OK;
    o.ir_text = ends_with(file, ".wir");
    for (char *t = strtok(targets, ","); t && status == EXIT_OK; t = strtok(NULL, ",")) {
        CliModuleFn fn = strcmp(t, "wasm") == 0 ? build_wasm_module : build_module;
        status = o.ir_text ? cli_module_from_ir_text("build", file, fn, &o)
                           : cli_modules_from_source("build", file, fn, &o);
    }
    return status;
}
