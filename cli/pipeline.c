/* pipeline.c — the ways into the IR that several commands share: a .writ file through the
 * frontend, or IR text through its parser. Both validate the IR, hand each module to the
 * command, and print the diagnostics; and the optimisation pipeline, validated after every
 * pass in debug builds. */
#include <stdlib.h>

#include "cli.h"
#include "frontend/frontend.h"
#include "verify_cli.h"

int cli_modules_from_source(const char *cmd, const char *path, CliModuleFn fn, void *ctx) {
    Compilation c;
    fe_init(&c, cli_stdlib_dir());
    int status = EXIT_OK;
    if (!fe_load(&c, path) || !fe_check(&c) || !fe_lower(&c)) {
        status = EXIT_INPUT;
        goto done;
    }
    for (int i = 0; i < c.nmodules && status == EXIT_OK; i++) {
        if (!ir_module_verify(c.modules[i], &c.diags)) {
            fprintf(stderr, "writ %s: internal error: lowering produced invalid IR\n", cmd);
            status = EXIT_USAGE;
            break;
        }
        status = fn(c.modules[i], &c.diags, ctx);
    }
done:
    diag_print(&c.diags, stderr);
    fe_free(&c);
    return status;
}

int cli_module_from_ir_text(const char *cmd, const char *path, CliModuleFn fn, void *ctx) {
    SrcSet srcs = {0};
    DiagSink diags;
    diag_init(&diags, &srcs);
    Arena arena;
    arena_init(&arena);
    int status = EXIT_OK;
    int file = src_load(&srcs, path);
    if (file < 0) {
        fprintf(stderr, "writ %s: cannot read '%s'\n", cmd, path);
        status = EXIT_INPUT;
        goto done;
    }
    IrModule *m = ir_module_parse(&arena, &diags, file);
    if (!m || diags.errors || !ir_module_verify(m, &diags)) {
        status = EXIT_INPUT;
        goto done;
    }
    status = fn(m, &diags, ctx);
done:
    diag_print(&diags, stderr);
    diag_free(&diags);
    arena_free(&arena);
    srcset_free(&srcs);
    return status;
}

int cli_optimize(const char *cmd, IrModule *m, const char *stop_after, DiagSink *diags) {
#ifdef NDEBUG
    bool validate = false;
#else
    bool validate = true;
#endif
    if (!ir_optimize(m, stop_after, validate, diags)) {
        fprintf(stderr, "writ %s: internal error: the IR is invalid after a pass\n", cmd);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The proof budget per check when building: a fortieth of `writ verify`'s, so that a build stays
 * quick; a check whose proof needs more stays in the code (safe, only costlier).
 * $WRIT_BUILD_RLIMIT overrides it. Functions with loops or more than CLI_BUILD_MAX_UNIT
 * instructions (with their callees) are not verified by a build at all (their checks stay).
 * A build never borrows the verdicts of an earlier `writ verify` from the cache, though they
 * may prove more: the bytecode must follow from the source and the options alone, or a
 * block explorer rebuilding the contract would get different code than was deployed. */
enum { CLI_BUILD_MAX_UNIT = 400 };
static unsigned build_rlimit(void) {
    const char *e = getenv("WRIT_BUILD_RLIMIT");
    char *end = NULL;
    unsigned long v = e && *e ? strtoul(e, &end, 10) : 0;
    return v && end && !*end && v <= 4000000000UL ? (unsigned)v : VER_RLIMIT_DEFAULT / 40;
}

int cli_prove_checks(IrModule *m, bool keep, DiagSink *diags) {
    if (keep)
        return EXIT_OK;
    SrcSet *srcs = diags ? diags->srcs : NULL;
    VerReport rep = {0};
    CliVerifyRun run = {.opts = {.rlimit = build_rlimit(), .depth = 0, .only_func = -1,
                                 .checks_only = true},
                        .jobs = 1, .replay = false, .use_cache = true,
                        .max_unit = CLI_BUILD_MAX_UNIT};
    if (!cli_verify_module(m, srcs, &run, &rep))
        return EXIT_USAGE;
    ver_mark_proven(&rep);
    return EXIT_OK;
}
