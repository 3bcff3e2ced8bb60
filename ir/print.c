/* print.c — the IR text form (docs/IR.md): module header, declarations, functions,
 * blocks and instructions with their spans. ir/parse.c reads exactly this back. */
#include "internal.h"

#include <string.h>

typedef struct Printer {
    const IrModule *m;
    FILE *out;
} Printer;

static void pr_type(Printer *p, const IrType *t) {
    char buf[1024];
    ir_type_print(p->m, t, buf, sizeof buf);
    fputs(buf, p->out);
}

static void pr_string(Printer *p, const uint8_t *s, uint32_t n);

/* Names print bare when they are identifiers, quoted otherwise. */
static void pr_name(Printer *p, const char *s) {
    if (s && ir_is_ident(s)) fputs(s, p->out);
    else pr_string(p, (const uint8_t *)(s ? s : ""), s ? (uint32_t)strlen(s) : 0);
}

static void pr_span(Printer *p, Span sp) {
    if (sp.file == 0) return;
    SrcFile *f = p->m->srcs ? src_get(p->m->srcs, sp.file) : NULL;
    if (f) {
        uint32_t line, col;
        src_line_col(f, sp.start, &line, &col);
        fprintf(p->out, " !%u:%u:%u@%u-%u", sp.file, line, col, sp.start, sp.end);
    } else {
        fprintf(p->out, " !%u@%u-%u", sp.file, sp.start, sp.end);
    }
}

static void pr_string(Printer *p, const uint8_t *s, uint32_t n) {
    fputc('"', p->out);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c == '"' || c == '\\') fprintf(p->out, "\\%c", c);
        else if (c == '\n') fputs("\\n", p->out);
        else if (c == '\t') fputs("\\t", p->out);
        else if (c < 0x20 || c >= 0x7f) fprintf(p->out, "\\x%02x", c);
        else fputc(c, p->out);
    }
    fputc('"', p->out);
}

static void pr_fields(Printer *p, const IrField *fs, int n, bool with_indexed) {
    for (int i = 0; i < n; i++) {
        if (i) fputs(", ", p->out);
        pr_name(p, fs[i].name);
        fputs(": ", p->out);
        pr_type(p, fs[i].type);
        if (with_indexed && fs[i].indexed) fputs(" indexed", p->out);
    }
}

/* A reference to a named declaration: the name when it finds this index, else #N. */
static void pr_ref(Printer *p, const char *sigil, const char *name, int index, int found) {
    if (name && found == index) {
        fputs(sigil, p->out);
        pr_name(p, name);
    } else fprintf(p->out, "%s#%d", sigil, index);
}

static int find_storage(const IrModule *m, const char *name) {
    for (int i = 0; i < m->nstorage; i++)
        if (m->storage[i].name && strcmp(m->storage[i].name, name) == 0) return i;
    return -1;
}

static int find_event(const IrEvent *es, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (es[i].name && strcmp(es[i].name, name) == 0) return i;
    return -1;
}

static void pr_storage_ref(Printer *p, int var) {
    const IrModule *m = p->m;
    const char *name = var >= 0 && var < m->nstorage ? m->storage[var].name : NULL;
    pr_ref(p, "@", name, var, name ? find_storage(m, name) : -2);
}

static void pr_func_ref(Printer *p, int idx) {
    const IrModule *m = p->m;
    const char *name = idx >= 0 && idx < m->nfuncs ? m->funcs[idx]->name : NULL;
    pr_ref(p, "$", name, idx, name ? ir_func_find(m, name) : -2);
}

static void pr_event_ref(Printer *p, const IrEvent *es, int n, int idx) {
    const char *name = idx >= 0 && idx < n ? es[idx].name : NULL;
    pr_ref(p, "", name, idx, name ? find_event(es, n, name) : -2);
}

static void pr_value(Printer *p, const IrInstr *v) {
    if (v && v->id >= 0) fprintf(p->out, "%%%d", v->id);
    else fputs("%?", p->out);
}

static void pr_args(Printer *p, const IrInstr *i, int from) {
    for (int k = from; k < i->nargs; k++) {
        if (k > from) fputs(", ", p->out);
        pr_value(p, i->args[k]);
    }
}

static void pr_path(Printer *p, const IrInstr *i, IrType *t, int *argk) {
    for (int s = 0; s < i->npath; s++) {
        IrPathElem e = i->path[s];
        if (e.kind == IR_PATH_INDEX) {
            fputc('[', p->out);
            pr_value(p, *argk < i->nargs ? i->args[*argk] : NULL);
            (*argk)++;
            fputc(']', p->out);
        } else {
            IrType *ft = ir_path_step(p->m, t, e);
            if (ft) {
                fputc('.', p->out);
                pr_name(p, p->m->structs[t->struct_index].fields[e.field].name);
            } else fprintf(p->out, ".%u", e.field);
        }
        t = ir_path_step(p->m, t, e);
    }
}

static void pr_place(Printer *p, const IrInstr *i) {
    int argk = ir_place_prefix(i->op);
    IrType *root = ir_place_root(p->m, i);
    if (ir_is_storage_place(i->op)) {
        pr_storage_ref(p, i->var);
    } else {
        pr_value(p, argk > 0 && argk - 1 < i->nargs ? i->args[argk - 1] : NULL);
    }
    pr_path(p, i, root, &argk);
    bool value_first = i->op == IR_SSTORE || i->op == IR_SSETLEN || i->op == IR_MSTORE ||
                       i->op == IR_MSETLEN;
    if (value_first) {
        fputs(", ", p->out);
        pr_value(p, i->nargs > 0 ? i->args[0] : NULL);
    }
}

static void pr_const(Printer *p, const IrInstr *i) {
    char buf[96];
    const IrType *t = i->type;
    if (t && t->kind == IRT_BOOL && u256_cmp(*i->imm, u256_from_u64(1)) <= 0) {
        fputs(u256_is_zero(*i->imm) ? "false" : "true", p->out);
        return;
    }
    if (t && t->kind == IRT_INT) u256_to_dec(*i->imm, t->is_signed, buf);
    else u256_to_hex(*i->imm, buf);
    fputs(buf, p->out);
}

static void pr_block_id(Printer *p, const IrBlock *b) {
    if (b) fprintf(p->out, "bb%d", b->id);
    else fputs("bb?", p->out);
}

static void pr_instr(Printer *p, const IrInstr *i) {
    const IrOpInfo *info = &ir_op_info[i->op];
    fputs("    ", p->out);
    if (ir_has_result(i)) fprintf(p->out, "%%%d = ", i->id);
    fputs(info->name, p->out);
    bool typed = (info->flags & OPF_RESULT) || i->op == IR_CHECK_CAST;
    if (typed) {
        fputc(' ', p->out);
        pr_type(p, i->type);
    }
    /* operands start with a space when there are any */
    switch (i->op) {
    case IR_PARAM: fprintf(p->out, " %llu", (unsigned long long)i->imm->w[0]); break;
    case IR_CONST: fputc(' ', p->out); pr_const(p, i); break;
    case IR_STR: fputc(' ', p->out); pr_string(p, i->bytes, i->nbytes); break;
    case IR_PHI:
        for (int k = 0; k < i->nargs; k++) {
            fputs(k ? ", [" : " [", p->out);
            pr_value(p, i->args[k]);
            fputs(", ", p->out);
            pr_block_id(p, i->phi_blocks ? i->phi_blocks[k] : NULL);
            fputc(']', p->out);
        }
        break;
    case IR_ENV:
        fprintf(p->out, " %s", (unsigned)i->env < IR_ENV_COUNT ? ir_env_names[i->env] : "?");
        break;
    case IR_ALLOCA: case IR_RESULT: case IR_REVERT_PLAIN: case IR_UNREACHABLE: break;
    case IR_CALL:
        fputc(' ', p->out);
        pr_func_ref(p, i->callee);
        fputc('(', p->out);
        pr_args(p, i, 0);
        fputc(')', p->out);
        break;
    case IR_XCALL: {
        const IrModule *m = p->m;
        fputc(' ', p->out);
        if (i->iface >= 0 && i->iface < m->nifaces && i->xfn >= 0 &&
            i->xfn < m->ifaces[i->iface].nfns) {
            const IrIface *x = &m->ifaces[i->iface];
            fprintf(p->out, "%s.%s", x->name, x->fns[i->xfn]->name);
        } else {
            fprintf(p->out, "#%d.#%d", i->iface, i->xfn);
        }
        fputc('(', p->out);
        pr_args(p, i, 0);
        fputc(')', p->out);
        break;
    }
    case IR_EMIT: case IR_REVERT:
        fputc(' ', p->out);
        if (i->op == IR_EMIT) pr_event_ref(p, p->m->events, p->m->nevents, i->event);
        else pr_event_ref(p, p->m->errors, p->m->nerrors, i->error);
        fputc('(', p->out);
        pr_args(p, i, 0);
        fputc(')', p->out);
        break;
    case IR_JMP:
        fputc(' ', p->out);
        pr_block_id(p, i->targets ? i->targets[0] : NULL);
        break;
    case IR_BR:
        fputc(' ', p->out);
        pr_args(p, i, 0);
        fputs(", ", p->out);
        pr_block_id(p, i->targets ? i->targets[0] : NULL);
        fputs(", ", p->out);
        pr_block_id(p, i->targets ? i->targets[1] : NULL);
        break;
    default:
        if (ir_is_storage_place(i->op) || ir_is_memory_place(i->op)) {
            fputc(' ', p->out);
            pr_place(p, i);
        } else if (i->nargs > 0) {
            fputc(' ', p->out);
            pr_args(p, i, 0);
        }
        break;
    }
    if (i->flags & IR_F_PROVEN) fputs(" proven", p->out);
    if (i->flags & IR_F_GHOST) fputs(" ghost", p->out);
    pr_span(p, i->span);
    fputc('\n', p->out);
}

static const char *const kind_words[IR_FN_KIND_COUNT] = {
    [IR_FN] = "fn", [IR_FN_INIT] = "init", [IR_FN_REQUIRES] = "requires",
    [IR_FN_ENSURES] = "ensures", [IR_FN_REVERTS_IF] = "reverts_if",
    [IR_FN_INVARIANT] = "invariant",
};

static void pr_signature(Printer *p, const IrFunc *f) {
    fputs((unsigned)f->kind < IR_FN_KIND_COUNT ? kind_words[f->kind] : "fn", p->out);
    if (f->flags & IR_FN_PUB) fputs(" pub", p->out);
    if (f->flags & IR_FN_VIEW) fputs(" view", p->out);
    if (f->flags & IR_FN_PAYABLE) fputs(" payable", p->out);
    if (f->flags & IR_FN_REENTRANT) fputs(" reentrant", p->out);
    fputc(' ', p->out);
    pr_name(p, f->name);
    fputc('(', p->out);
    for (int k = 0; k < f->nparams; k++) {
        if (k) fputs(", ", p->out);
        pr_name(p, f->params[k].name);
        fputs(": ", p->out);
        pr_type(p, f->params[k].type);
    }
    fputc(')', p->out);
    if (f->ret && f->ret->kind != IRT_VOID) {
        fputs(" -> ", p->out);
        pr_type(p, f->ret);
    }
    if (f->owner >= 0) {
        fputs(" owner ", p->out);
        pr_func_ref(p, f->owner);
    }
    if (f->signature) {
        fputs(" abi ", p->out);
        pr_string(p, (const uint8_t *)f->signature, (uint32_t)strlen(f->signature));
        fprintf(p->out, " 0x%08x", f->selector);
    }
    pr_span(p, f->span);
}

static void func_print(Printer *p, const IrFunc *f) {
    pr_signature(p, f);
    fputs(" {\n", p->out);
    for (const IrBlock *b = f->entry; b; b = b->next_in_func) {
        fprintf(p->out, "bb%d:\n", b->id);
        for (const IrInstr *i = b->first; i; i = i->next) pr_instr(p, i);
    }
    fputs("}\n", p->out);
}

void ir_func_print(const IrFunc *f, FILE *out) {
    Printer p = {f->module, out};
    func_print(&p, f);
}

void ir_module_print(const IrModule *m, FILE *out) {
    Printer p = {m, out};
    fputs("module ", out);
    pr_name(&p, m->name);
    fputc('\n', out);
    if (m->srcs)
        for (int k = 1; k <= m->srcs->count; k++) {
            SrcFile *f = src_get(m->srcs, k);
            fprintf(out, "source %d ", k);
            pr_string(&p, (const uint8_t *)f->path, (uint32_t)strlen(f->path));
            fputc('\n', out);
        }
    bool decls = m->nstructs || m->nstorage || m->nevents || m->nerrors || m->nifaces;
    if (decls) fputc('\n', out);
    for (int k = 0; k < m->nstructs; k++) {
        fputs("struct :", out);
        pr_name(&p, m->structs[k].name);
        fputs(" { ", out);
        pr_fields(&p, m->structs[k].fields, m->structs[k].nfields, false);
        fputs(m->structs[k].nfields ? " }\n" : "}\n", out);
    }
    for (int k = 0; k < m->nstorage; k++) {
        fputs(m->storage[k].ghost ? "storage ghost @" : "storage @", out);
        pr_name(&p, m->storage[k].name);
        fputs(": ", out);
        pr_type(&p, m->storage[k].type);
        pr_span(&p, m->storage[k].span);
        fputc('\n', out);
    }
    for (int k = 0; k < m->nevents + m->nerrors; k++) {
        const IrEvent *e = k < m->nevents ? &m->events[k] : &m->errors[k - m->nevents];
        fputs(k < m->nevents ? "event " : "error ", out);
        pr_name(&p, e->name);
        fputc('(', out);
        pr_fields(&p, e->fields, e->nfields, true);
        fputc(')', out);
        fprintf(out, "  // %s 0x", e->signature ? e->signature : "?");
        for (int b = 0; b < (k < m->nevents ? 32 : 4); b++) fprintf(out, "%02x", e->topic0[b]);
        fputc('\n', out);
    }
    for (int k = 0; k < m->nifaces; k++) {
        fputs("interface ", out);
        pr_name(&p, m->ifaces[k].name);
        fputs(" {\n", out);
        for (int j = 0; j < m->ifaces[k].nfns; j++) {
            fputs("    ", out);
            pr_signature(&p, m->ifaces[k].fns[j]);
            fputc('\n', out);
        }
        fputs("}\n", out);
    }
    for (int k = 0; k < m->nfuncs; k++) {
        fputc('\n', out);
        func_print(&p, m->funcs[k]);
    }
    for (int k = 0; k < m->nspecs; k++) {
        fputc('\n', out);
        func_print(&p, m->specs[k]);
    }
}
