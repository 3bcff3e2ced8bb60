/* fuzz_frontend.c — libFuzzer target over the front half of the frontend: lexer, parser,
 * and (when the input parses) the checker. Any crash, sanitizer report, leak or hang is a
 * bug; diagnostics are the expected outcome for most inputs. After parsing it also checks
 * that every span of the tree lies in its file and, when there was no error, inside its
 * parent's span, and that every diagnostic's span lies in its file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "frontend/internal.h"
#include "tests/frontend/parse/span_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Compilation c;
    fe_init(&c, WRIT_SOURCE_DIR "/stdlib");
    bool ok = fe_load_text(&c, "fuzz.writ", (const char *)data, size);
    Program *p = c.prog;
    if (p->nmodules > 0)
        span_check_module(&c.srcs, p->modules[0], c.diags.errors == 0);
    for (Diag *d = c.diags.first; d; d = d->next) {
        SrcFile *f = src_get(&c.srcs, d->span.file);
        if (f && (d->span.start > d->span.end || d->span.end > f->len))
            abort();
    }
    if (ok)
        fe_check(&c);
    fe_free(&c);
    return 0;
}
