/* ir_tool.c — test driver for the IR stage, run by ctest:
 *   ir_tool print FILE.wir          parse and print (the golden round-trip form)
 *   ir_tool roundtrip FILE.wir      parse, print, and fail unless the text is byte-identical
 *   ir_tool verify FILE.wir         parse and validate; diagnostics on stderr
 *   ir_tool opt PASS|all FILE.wir   parse, validate, run one pass (or the pipeline), print */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

static int usage(void) {
    fprintf(stderr, "usage: ir_tool print|roundtrip|verify FILE | opt PASS|all FILE\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    const char *cmd = argv[1];
    const char *pass = NULL, *path = argv[2];
    if (strcmp(cmd, "opt") == 0) {
        if (argc < 4) return usage();
        pass = argv[2];
        path = argv[3];
    }
    SrcSet srcs = {0};
    DiagSink diags;
    diag_init(&diags, &srcs);
    Arena arena;
    arena_init(&arena);
    int rc = 0;
    int file = src_load(&srcs, path);
    if (file < 0) {
        fprintf(stderr, "ir_tool: cannot read %s\n", path);
        rc = 2;
        goto done;
    }
    IrModule *m = ir_module_parse(&arena, &diags, file);
    if (!m) {
        rc = 1;
        goto done;
    }
    if (strcmp(cmd, "print") == 0) {
        ir_module_print(m, stdout);
    } else if (strcmp(cmd, "roundtrip") == 0) {
        char *buf = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&buf, &len);
        ir_module_print(m, mem);
        fclose(mem);
        SrcFile *f = src_get(&srcs, file);
        if (len != f->len || memcmp(buf, f->text, len) != 0) {
            fputs(buf, stdout);
            fprintf(stderr, "ir_tool: %s does not round-trip (printed text above)\n", path);
            rc = 1;
        }
        free(buf);
    } else if (strcmp(cmd, "verify") == 0) {
        if (!ir_module_verify(m, &diags)) rc = 1;
        else printf("ok\n");
    } else if (strcmp(cmd, "opt") == 0) {
        if (!ir_module_verify(m, &diags)) {
            rc = 1;
        } else if (strcmp(pass, "all") == 0) {
            if (!ir_optimize(m, NULL, true, &diags)) rc = 1;
            ir_module_print(m, stdout);
        } else {
            const IrPass *ps = ir_pass_find(pass);
            if (!ps) {
                fprintf(stderr, "ir_tool: no pass '%s'\n", pass);
                rc = 2;
                goto done;
            }
            for (int k = 0; k < m->nfuncs; k++) ps->run(m->funcs[k]);
            for (int k = 0; k < m->nspecs; k++) ps->run(m->specs[k]);
            if (!ir_module_verify(m, &diags)) rc = 1;
            ir_module_print(m, stdout);
        }
    } else {
        rc = usage();
    }
done:
    fflush(stdout);
    diag_print(&diags, stderr);
    diag_free(&diags);
    arena_free(&arena);
    srcset_free(&srcs);
    return rc;
}
