/* cmd_ir.c — `writ ir`: prints a contract's IR after lowering or after any pass, and
 * reads IR text back (--parse) through the validator. */
#include <string.h>

#include "cli.h"

typedef struct IrPrint {
    const char *after; /* NULL: as lowered; "all" or a pass name */
    int printed;
} IrPrint;

/* Optimises (when asked) and prints one module; modules are separated by a blank line. */
static int print_module(IrModule *m, DiagSink *diags, void *ctx) {
    IrPrint *p = ctx;
    if (p->after) {
        int status = cli_optimize("ir", m, strcmp(p->after, "all") == 0 ? NULL : p->after, diags);
        if (status != EXIT_OK)
            return status;
    }
    if (p->printed++)
        fputc('\n', stdout);
    ir_module_print(m, stdout);
    return EXIT_OK;
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
    IrPrint p = {.after = after};
    return parse ? cli_module_from_ir_text("ir", file, print_module, &p)
                 : cli_modules_from_source("ir", file, print_module, &p);
}
