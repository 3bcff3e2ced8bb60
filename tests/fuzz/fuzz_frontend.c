/* fuzz_frontend.c — libFuzzer target over the whole frontend front half: lexer, parser,
 * and (when the input parses) the checker. Any crash, sanitizer report, leak or hang is a
 * bug; diagnostics are the expected outcome for most inputs. */
#include <stddef.h>
#include <stdint.h>

#include "frontend/frontend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Compilation c;
    fe_init(&c, WRIT_SOURCE_DIR "/stdlib");
    if (fe_load_text(&c, "fuzz.writ", (const char *)data, size))
        fe_check(&c);
    fe_free(&c);
    return 0;
}
