/* driver.c — the frontend's public entry points (frontend.h): loads the root file and
 * follows its imports, then runs the checker and the lowering in order. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void fe_init(Compilation *c, const char *stdlib_dir) {
    memset(c, 0, sizeof *c);
    arena_init(&c->arena);
    diag_init(&c->diags, &c->srcs);
    c->names = intern_new();
    c->stdlib_dir = stdlib_dir;
    Program *p = ARENA_NEW(&c->arena, Program);
    p->arena = &c->arena;
    p->names = c->names;
    p->srcs = &c->srcs;
    p->diags = &c->diags;
    c->prog = p;
}

void fe_free(Compilation *c) {
    fe_free_regions(c->prog);
    diag_free(&c->diags);
    srcset_free(&c->srcs);
    intern_free(c->names);
    arena_free(&c->arena);
}

static void add_module(Program *p, Module *m) {
    Module **mods = ARENA_ARRAY(p->arena, Module *, p->nmodules + 1);
    if (p->nmodules)
        memcpy(mods, p->modules, sizeof(Module *) * (size_t)p->nmodules);
    mods[p->nmodules++] = m;
    p->modules = mods;
}

/* `import std.token;` -> STDLIB/token.writ; `import a.b;` -> DIR/a/b.writ where DIR is the
 * importing file's folder. Dots become folder separators. */
static char *import_path(Compilation *c, const char *from_path, const char *name) {
    const char *base;
    size_t base_len;
    if (strncmp(name, "std.", 4) == 0) {
        base = c->stdlib_dir;
        base_len = strlen(base);
        name += 4;
    } else {
        base = from_path;
        const char *slash = strrchr(from_path, '/');
        base_len = slash ? (size_t)(slash - from_path) : 0;
        if (!slash)
            base = ".";
        if (!slash)
            base_len = 1;
    }
    size_t n = base_len + 1 + strlen(name) + 6;
    char *out = arena_alloc(&c->arena, n);
    memcpy(out, base, base_len);
    size_t k = base_len;
    out[k++] = '/';
    for (const char *s = name; *s; s++)
        out[k++] = *s == '.' ? '/' : *s;
    memcpy(out + k, ".writ", 6);
    return out;
}

static bool load_imports(Compilation *c, Module *m) {
    Program *p = c->prog;
    SrcFile *from = src_get(&c->srcs, m->file);
    for (int i = 0; i < m->nitems; i++) {
        Decl *d = m->items[i];
        if (d->kind != D_IMPORT)
            continue;
        bool seen = false;
        for (int k = 0; k < p->nmodules; k++)
            if (p->modules[k]->name == d->name)
                seen = true;
        if (seen)
            continue;
        char *path = import_path(c, from->path, d->name);
        int file = src_load(&c->srcs, path);
        if (file < 0) {
            diag_error(&c->diags, d->span, "cannot find module '%s' (looked for %s)", d->name,
                       path);
            continue;
        }
        Module *im = parse_module(p, file);
        if (!im)
            continue;
        im->name = d->name;
        add_module(p, im);
        load_imports(c, im);
    }
    return c->diags.errors == 0;
}

static bool load_root(Compilation *c, int file) {
    Module *m = parse_module(c->prog, file);
    if (!m)
        return false;
    m->name = src_get(&c->srcs, file)->path;
    add_module(c->prog, m);
    load_imports(c, m);
    diag_sort(&c->diags);
    return c->diags.errors == 0;
}

bool fe_load(Compilation *c, const char *path) {
    int file = src_load(&c->srcs, path);
    if (file < 0) {
        diag_error(&c->diags, (Span){0, 0, 0}, "cannot read '%s'", path);
        return false;
    }
    return load_root(c, file);
}

bool fe_load_text(Compilation *c, const char *path, const char *text, size_t len) {
    return load_root(c, src_add(&c->srcs, path, text, len));
}

bool fe_check(Compilation *c) {
    bool ok = sema_check(c->prog) && c->diags.errors == 0;
    arena_free(&c->prog->decl_types); /* resolved into Types */
    diag_sort(&c->diags);
    return ok;
}

/* Marks the free functions contract c's code reaches (through the call graph) as lowered
 * by c, last_lowerer doubling as the visited mark of c's walk. */
static void reach_free_functions(Decl *c, Decl *f) {
    for (int i = 0; i < f->ncallees; i++) {
        Decl *g = f->callees[i];
        if (g->region && !(g->parent && g->parent->kind == D_CONTRACT) &&
            !(g->flags & DF_SPEC_CALLED) && g->region->last_lowerer != c) {
            g->region->last_lowerer = c;
            reach_free_functions(c, g);
        }
    }
}

/* A contract's module lowers the bodies of its own and inherited functions, and of the free
 * functions its code reaches: each body is released by the last contract that lowers it,
 * so in a unit of many contracts a free function's tree goes when its last caller's module
 * is done, not at the end. A free function called from a spec (which the call graph does
 * not record) is kept for the last contract; one no contract reaches is never lowered, and
 * its tree goes before the lowering starts. */
static void mark_last_lowerers(Program *p) {
    if (!p->ncontracts)
        return;
    for (FnRegion *r = p->regions; r; r = r->next)
        r->last_lowerer = NULL;
    for (int i = 0; i < p->ncontracts; i++) {
        Decl *c = p->contracts[i];
        Decl **mem = c->all_members ? c->all_members : c->members;
        int nmem = c->all_members ? c->nall_members : c->nmembers;
        for (int k = 0; k < nmem; k++)
            if (mem[k]->region && mem[k]->parent && mem[k]->parent->kind == D_CONTRACT)
                mem[k]->region->last_lowerer = c;
        for (int k = 0; k < nmem; k++)
            if (mem[k]->kind == D_FN || mem[k]->kind == D_INIT)
                reach_free_functions(c, mem[k]);
    }
    /* free functions called from specs: for the last contract, as any may lower them */
    for (int m = 0; m < p->nmodules; m++)
        for (int i = 0; i < p->modules[m]->nitems; i++) {
            Decl *d = p->modules[m]->items[i];
            if (d->kind != D_FN || !d->region)
                continue;
            if (d->flags & DF_SPEC_CALLED) {
                d->region->last_lowerer = p->contracts[p->ncontracts - 1];
            } else if (!d->region->last_lowerer) {
                /* no contract reaches it: never lowered, so its tree can go now */
                arena_free(&d->region->body);
                arena_free(&d->region->specs);
                d->region->body_released = d->region->specs_released = true;
            }
        }
}

bool fe_lower(Compilation *c) {
    Program *p = c->prog;
    c->modules = ARENA_ARRAY(&c->arena, IrModule *, p->ncontracts + 1);
    c->nmodules = 0;
    mark_last_lowerers(p);
    for (int i = 0; i < p->ncontracts; i++) {
        IrModule *m = lower_contract(p, p->contracts[i], &c->arena);
        if (!m)
            return false;
        m->srcs = &c->srcs;
        c->modules[c->nmodules++] = m;
    }
    return c->diags.errors == 0;
}
