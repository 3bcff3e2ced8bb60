/* frontend.h — the public header of the frontend: .writ source -> checked AST -> IR.
 * The CLI drives it stage by stage: load, check, lower. Diagnostics collect in
 * `diags`; each stage runs only if the previous one reported no errors. */
#ifndef WRIT_FRONTEND_H
#define WRIT_FRONTEND_H

#include "../ir/ir.h"

struct Program;

typedef struct Compilation {
    Arena arena;               /* AST, types, symbols and the IR all live here */
    SrcSet srcs;
    DiagSink diags;
    Interner *names;
    const char *stdlib_dir;    /* where `import std.x;` looks: STDLIB_DIR/x.writ */
    struct Program *prog;
    IrModule **modules;        /* fe_lower: one IR module per contract of the root file */
    int nmodules;
} Compilation;

void fe_init(Compilation *c, const char *stdlib_dir);
void fe_free(Compilation *c);
/* Reads and parses the root file and, transitively, its imports. false on errors. */
bool fe_load(Compilation *c, const char *path);
/* The same from text in memory (tests, fuzzing); `path` is only used in messages. */
bool fe_load_text(Compilation *c, const char *path, const char *text, size_t len);
/* Resolves names, checks types and the safety rules. false on errors (warnings pass). */
bool fe_check(Compilation *c);
/* Lowers every contract of the root file to an IR module (c->modules). */
bool fe_lower(Compilation *c);

#endif
