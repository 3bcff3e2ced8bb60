/* cmd_ir.c — `writ ir`: prints a contract's IR after lowering or after any pass, and
 * reads IR text back (--parse) through the validator. */
#include <string.h>

#include "cli.h"
#include "frontend/frontend.h"

/* Runs the pipeline up to `after` ("all" or a pass name); validation after each pass is on
 * in debug builds, where a failure is an internal error of the pass. */
static int optimize(IrModule *m, const char *after, DiagSink *diags) {
#ifdef NDEBUG
    bool validate = false;
#else
    bool validate = true;
#endif
    const char *stop = strcmp(after, "all") == 0 ? NULL : after;
    if (!ir_optimize(m, stop, validate, diags)) {
        diag_print(diags, stderr);
        fprintf(stderr, "writ ir: internal error: the IR is invalid after a pass\n");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static int ir_from_source(const char *path, const char *after) {
    Compilation c;
    fe_init(&c, cli_stdlib_dir());
    int status = EXIT_OK;
    if (!fe_load(&c, path) || !fe_check(&c) || !fe_lower(&c)) {
        status = EXIT_INPUT;
        goto done;
    }
    for (int i = 0; i < c.nmodules && status == EXIT_OK; i++) {
        IrModule *m = c.modules[i];
        if (!ir_module_verify(m, &c.diags)) {
            fprintf(stderr, "writ ir: internal error: lowering produced invalid IR\n");
            status = EXIT_USAGE;
            break;
        }
        if (after)
            status = optimize(m, after, &c.diags);
        if (status == EXIT_OK) {
            if (i)
                fputc('\n', stdout);
            ir_module_print(m, stdout);
        }
    }
done:
    diag_print(&c.diags, stderr);
    fe_free(&c);
    return status;
}

static int ir_from_text(const char *path, const char *after) {
    SrcSet srcs = {0};
    DiagSink diags;
    diag_init(&diags, &srcs);
    Arena arena;
    arena_init(&arena);
    int status = EXIT_OK;
    int file = src_load(&srcs, path);
    if (file < 0) {
        fprintf(stderr, "writ ir: cannot read '%s'\n", path);
        status = EXIT_INPUT;
        goto done;
    }
    IrModule *m = ir_module_parse(&arena, &diags, file);
    if (!m || diags.errors || !ir_module_verify(m, &diags)) {
        status = EXIT_INPUT;
        goto done;
    }
    if (after)
        status = optimize(m, after, &diags);
    if (status == EXIT_OK)
        ir_module_print(m, stdout);
done:
    diag_print(&diags, stderr);
    diag_free(&diags);
    arena_free(&arena);
    srcset_free(&srcs);
    return status;
}

int cmd_ir(int argc, char **argv) {
    const char *file = NULL, *after = NULL;
    bool parse = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--parse") == 0) {
            parse = true;
        } else if (strcmp(argv[i], "--after") == 0 || strncmp(argv[i], "--after=", 8) == 0) {
            if (argv[i][7] == '=')
                after = argv[i] + 8;
            else if (i + 1 < argc)
                after = argv[++i];
            else
                return cli_usage_error("ir", "--after needs a pass name");
            if (strcmp(after, "all") != 0 && !ir_pass_find(after))
                return cli_usage_error("ir", "unknown pass '%s'", after);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("ir", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("ir", "one input file at a time");
        }
    }
    if (!file)
        return cli_usage_error("ir", "no input file");
    return parse ? ir_from_text(file, after) : ir_from_source(file, after);
}
