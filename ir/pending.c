/* pending.c — placeholders for the IR parser, validator and passes while they are written;
 * each goes when its file lands. */
#include "internal.h"

IrModule *ir_module_parse(Arena *a, DiagSink *diags, int file) {
    (void)a;
    diag_error(diags, (Span){(uint16_t)file, 0, 0}, "the IR parser is not built yet");
    return NULL;
}

bool ir_module_verify(IrModule *m, DiagSink *diags) {
    (void)m;
    (void)diags;
    return true;
}

const IrPass ir_passes[] = {{NULL, NULL}};
const int ir_npasses = 0;
const IrPass *ir_pass_find(const char *name) {
    (void)name;
    return NULL;
}
bool ir_optimize(IrModule *m, const char *stop_after, bool validate, DiagSink *diags) {
    (void)m;
    (void)stop_after;
    (void)validate;
    (void)diags;
    return true;
}
