/* cmd_check.c — `writ check FILE...`: the frontend up to the safety rules, per file. */
#include <string.h>

#include "cli.h"
#include "frontend/frontend.h"

int cmd_check(int argc, char **argv) {
    if (argc < 2)
        return cli_usage_error("check", "no input files");
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("check", "unknown option '%s'", argv[i]);
    }
    for (int i = 1; i < argc; i++) {
        Compilation c;
        fe_init(&c, cli_stdlib_dir());
        if (fe_load(&c, argv[i]))
            fe_check(&c);
        diag_print(&c.diags, stderr);
        if (c.diags.errors)
            status = EXIT_INPUT;
        fe_free(&c);
    }
    return status;
}
