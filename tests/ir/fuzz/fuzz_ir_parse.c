/* fuzz_ir_parse.c — libFuzzer target for the IR text parser and validator. Any input must
 * be rejected with diagnostics or accepted; an accepted module must print, parse back and
 * print identically; a valid module must stay valid through every pass. */
#include "ir/ir.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *print_to_string(IrModule *m, size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) abort();
    ir_module_print(m, f);
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    SrcSet srcs = {0};
    DiagSink diags;
    diag_init(&diags, &srcs);
    Arena arena;
    arena_init(&arena);
    int file = src_add(&srcs, "fuzz.wir", (const char *)data, size);
    IrModule *m = ir_module_parse(&arena, &diags, file);
    FILE *null = fopen("/dev/null", "w");
    diag_print(&diags, null);
    if (m) {
        size_t len1, len2;
        char *text1 = print_to_string(m, &len1);
        int file2 = src_add(&srcs, "printed.wir", text1, len1);
        IrModule *m2 = ir_module_parse(&arena, &diags, file2);
        if (!m2) {
            diag_print(&diags, stderr);
            fprintf(stderr, "printed module does not parse:\n%s", text1);
            abort();
        }
        char *text2 = print_to_string(m2, &len2);
        if (len1 != len2 || memcmp(text1, text2, len1) != 0) {
            fprintf(stderr, "print(parse(print(m))) differs:\n%s\n----\n%s", text1, text2);
            abort();
        }
        free(text2);
        /* the text says everything: the reparsed module is valid exactly when m is */
        bool valid = ir_module_verify(m, &diags);
        if (valid != ir_module_verify(m2, &diags)) {
            diag_print(&diags, stderr);
            fprintf(stderr, "validity differs after print and parse:\n%s", text1);
            abort();
        }
        free(text1);
        if (valid) {
            if (!ir_optimize(m, NULL, true, &diags)) {
                diag_print(&diags, stderr);
                abort();
            }
            size_t len3;
            char *text3 = print_to_string(m, &len3);
            int file3 = src_add(&srcs, "optimized.wir", text3, len3);
            IrModule *m3 = ir_module_parse(&arena, &diags, file3);
            if (!m3 || !ir_module_verify(m3, &diags)) {
                diag_print(&diags, stderr);
                fprintf(stderr, "optimized module does not parse back valid:\n%s", text3);
                abort();
            }
            free(text3);
        }
    }
    fclose(null);
    diag_free(&diags);
    arena_free(&arena);
    srcset_free(&srcs);
    return 0;
}
