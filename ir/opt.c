/* opt.c — the pass table and the optimisation pipeline: every pass in order, over every
 * function, until nothing changes; optionally validating after each pass. */
#include "internal.h"

#include <string.h>

bool opt_fold(IrFunc *f);
bool opt_dce(IrFunc *f);
bool opt_simplify_cfg(IrFunc *f);

#define IR_OPT_MAX_ROUNDS 50 /* a fixed point comes long before; this only bounds a bug */

const IrPass ir_passes[] = {
    {"fold", opt_fold},
    {"simplify-cfg", opt_simplify_cfg},
    {"dce", opt_dce},
};
const int ir_npasses = (int)(sizeof ir_passes / sizeof ir_passes[0]);

const IrPass *ir_pass_find(const char *name) {
    for (int k = 0; k < ir_npasses; k++)
        if (strcmp(ir_passes[k].name, name) == 0) return &ir_passes[k];
    return NULL;
}

static bool run_pass(IrModule *m, const IrPass *p) {
    bool changed = false;
    for (int k = 0; k < m->nfuncs; k++) changed |= p->run(m->funcs[k]);
    for (int k = 0; k < m->nspecs; k++) changed |= p->run(m->specs[k]);
    return changed;
}

bool ir_optimize(IrModule *m, const char *stop_after, bool validate, DiagSink *diags) {
    if (stop_after && !ir_pass_find(stop_after)) {
        diag_error(diags, (Span){0, 0, 0}, "unknown IR pass '%s'", stop_after);
        return false;
    }
    for (int round = 0; round < IR_OPT_MAX_ROUNDS; round++) {
        bool changed = false;
        for (int k = 0; k < ir_npasses; k++) {
            changed |= run_pass(m, &ir_passes[k]);
            if (validate && !ir_module_verify(m, diags)) {
                diag_error(diags, (Span){0, 0, 0}, "the IR is invalid after pass '%s'",
                           ir_passes[k].name);
                return false;
            }
            if (stop_after && strcmp(stop_after, ir_passes[k].name) == 0) return true;
        }
        if (!changed) return true;
    }
    return true;
}
