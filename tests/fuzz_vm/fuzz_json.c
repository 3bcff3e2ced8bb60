/* fuzz_json.c — libFuzzer target for the spec harness's JSON reader: any bytes must parse or
 * give a byte offset within the input and a reason; nothing may crash or leak. */
#include <stdlib.h>

#include "vm/json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    size_t off = 0;
    const char *msg = NULL;
    Json *j = json_parse((const char *)data, size, &off, &msg);
    if (!j && (off > size || !msg)) abort();
    if (j) (void)json_get_str(j, "type");
    json_free(j);
    return 0;
}
