/* parse_dump.c — runs the lexer and parser alone on one file and prints the diagnostics
 * (stderr) and, with --ast, the syntax tree with byte spans (stdout); --tokens prints the
 * lexer's tokens instead. Parser goldens use it
 * so that they do not depend on the checker. `--gen KIND N` writes a generated input to
 * stdout instead (deep nesting, long identifiers), so big inputs are never committed; `--gen-raw KIND N` prints the input itself. */
#include <stdlib.h>
#include <string.h>

#include "frontend/internal.h"
#include "frontend/lex.h"

static const char *bin_names[BIN_COUNT] = {
    "+", "-", "*", "/", "%", "+%", "-%", "*%", "<<", ">>", "&", "|", "^",
    "==", "!=", "<", "<=", ">", ">=", "&&", "||", "==>",
};
static const char *un_names[UN_COUNT] = {"-", "!", "~"};

static void indent(int d) {
    for (int i = 0; i < d; i++)
        fputs("  ", stdout);
}

static void sp(Span s) {
    printf(" @%u..%u", s.start, s.end);
}

static void dump_expr(Expr *e, int d, const char *role);

static void dump_type(TypeRef *t, int d, const char *role) {
    indent(d);
    printf("%s%s", role, role[0] ? ": " : "");
    if (!t) {
        printf("(null)\n");
        return;
    }
    if (t->kind == TR_ARRAY) {
        printf("array");
        sp(t->span);
        printf("\n");
        dump_type(t->elem, d + 1, "elem");
        dump_expr(t->size, d + 1, "size");
        return;
    }
    printf("type %s", t->name);
    sp(t->span);
    printf("\n");
    for (int i = 0; i < t->ntargs; i++)
        dump_type(t->targs[i], d + 1, "targ");
    if (tref_size(t))
        dump_expr(t->size, d + 1, "size");
}

static void dump_expr(Expr *e, int d, const char *role) {
    indent(d);
    printf("%s%s", role, role[0] ? ": " : "");
    if (!e) {
        printf("(null)\n");
        return;
    }
    char buf[80];
    switch (e->kind) {
    case EX_INT: u256_to_dec(expr_ival(e), false, buf); printf("int %s", buf); break;
    case EX_BOOL: printf("bool %s", e->bval ? "true" : "false"); break;
    case EX_STRING:
        printf("string \"");
        for (uint32_t i = 0; i < e->str_len; i++) {
            unsigned char c = (unsigned char)e->str[i];
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
                putchar(c);
            else
                printf("\\x%02x", c);
        }
        printf("\"");
        break;
    case EX_NAME: printf("name %s", e->name); break;
    case EX_UNARY: printf("unary %s", un_names[e->op]); break;
    case EX_BINARY: printf("binary %s", bin_names[e->op]); break;
    case EX_CALL: printf("call"); break;
    case EX_INDEX: printf("index"); break;
    case EX_FIELD: printf("field .%s", e->name); break;
    case EX_CAST: printf("cast"); break;
    case EX_STRUCT_LIT: printf("struct_lit %s", e->tref->name); break;
    case EX_ARRAY_LIT: printf("array_lit"); break;
    case EX_FORALL: printf("forall %s", e->name); break;
    default: printf("?"); break;
    }
    sp(e->span);
    printf("\n");
    if (e->kind == EX_FORALL) {
        dump_expr(e->lhs, d + 1, "lo");
        dump_expr(e->rhs, d + 1, "hi");
        dump_expr(e->body, d + 1, "body");
        return;
    }
    if (e->lhs)
        dump_expr(e->lhs, d + 1, "");
    if ((e->kind == EX_BINARY || e->kind == EX_INDEX) && e->rhs)
        dump_expr(e->rhs, d + 1, "");
    if (e->kind == EX_CAST)
        dump_type(e->tref, d + 1, "to");
    if (e->kind == EX_CALL && e->call_value)
        dump_expr(e->call_value, d + 1, "value");
    const char **names = e->kind == EX_STRUCT_LIT ? e->field_names : NULL;
    for (int i = 0; i < e->nargs; i++)
        dump_expr(e->args[i], d + 1, names ? names[i] : "arg");
}

static void dump_block(Block *b, int d, const char *role);

static void dump_stmt(Stmt *s, int d) {
    static const char *names[ST_COUNT] = {"let", "assign", "expr", "if", "for", "return",
                                          "emit", "revert", "require", "assert", "block",
                                          "break", "continue"};
    indent(d);
    printf("%s%s", s->is_ghost ? "ghost " : "", names[s->kind]);
    bool named = s->kind == ST_LET || s->kind == ST_FOR;
    if (named && s->name)
        printf(" %s", s->name);
    if (s->kind == ST_ASSIGN)
        printf(" %s=", s->op < 0 ? "" : bin_names[s->op]);
    sp(s->span);
    printf("\n");
    /* each kind's fields, in the order the dump has always printed them */
    switch (s->kind) {
    case ST_LET:
        if (s->tref)
            dump_type(s->tref, d + 1, "type");
        if (s->init)
            dump_expr(s->init, d + 1, "init");
        break;
    case ST_ASSIGN:
        if (s->target)
            dump_expr(s->target, d + 1, "target");
        if (s->value)
            dump_expr(s->value, d + 1, "value");
        break;
    case ST_EXPR: case ST_RETURN: case ST_ASSERT: case ST_IF: case ST_REQUIRE:
        if (s->expr)
            dump_expr(s->expr, d + 1, "expr");
        break;
    default:
        break;
    }
    if (s->kind == ST_EMIT || s->kind == ST_REVERT || s->kind == ST_REQUIRE) {
        if (s->call)
            dump_expr(s->call, d + 1, "call");
        if (s->kind != ST_EMIT && s->msg)
            dump_expr(s->msg, d + 1, "msg");
    }
    if (s->kind == ST_FOR) {
        if (s->lo)
            dump_expr(s->lo, d + 1, "lo");
        if (s->hi)
            dump_expr(s->hi, d + 1, "hi");
        if (s->iter)
            dump_expr(s->iter, d + 1, "iter");
    }
    if (s->kind == ST_IF) {
        if (s->then)
            dump_block(s->then, d + 1, "then");
        if (s->els)
            dump_block(s->els, d + 1, "else");
    }
    if ((s->kind == ST_FOR || s->kind == ST_BLOCK) && s->body)
        dump_block(s->body, d + 1, "body");
}

static void dump_block(Block *b, int d, const char *role) {
    indent(d);
    printf("%s {", role);
    sp(b->span);
    printf("\n");
    for (int i = 0; i < b->n; i++)
        dump_stmt(b->stmts[i], d + 1);
    indent(d);
    printf("}\n");
}

static void dump_decl(Decl *x, int d) {
    static const char *names[D_COUNT] = {"import", "contract", "interface", "struct", "fn",
                                         "init", "storage", "ghost", "const", "event",
                                         "error", "invariant"};
    indent(d);
    printf("%s", names[x->kind]);
    if (x->flags & DF_PUB)
        printf(" pub");
    if (x->flags & DF_VIEW)
        printf(" view");
    if (x->flags & DF_PAYABLE)
        printf(" payable");
    if (x->flags & DF_REENTRANT)
        printf(" reentrant");
    if (x->name)
        printf(" %s", x->name);
    sp(x->span);
    if (x->name)
        printf(" name@%u..%u", x->name_span.start, x->name_span.end);
    printf("\n");
    for (int i = 0; DECL_HAS(x, nall_members) && i < x->nbases; i++) {
        indent(d + 1);
        printf("base %s", x->bases[i]);
        sp(x->base_spans[i]);
        printf("\n");
    }
    for (int i = 0; i < x->nparams; i++) {
        Param *pm = &x->params[i];
        indent(d + 1);
        printf("param %s%s", pm->indexed ? "indexed " : "", pm->name);
        sp(pm->span);
        printf("\n");
        dump_type(pm->tref, d + 2, "");
    }
    bool fn = DECL_HAS(x, nlocals);
    if (fn && x->ret)
        dump_type(x->ret, d + 1, "returns");
    static const char *specs[SP_COUNT] = {"requires", "ensures", "reverts_if"};
    for (int i = 0; fn && i < x->nspecs; i++)
        dump_expr(x->specs[i].expr, d + 1, specs[x->specs[i].kind]);
    if (DECL_HAS(x, tref) && x->tref)
        dump_type(x->tref, d + 1, "type");
    if (DECL_HAS(x, init) && x->init)
        dump_expr(x->init, d + 1, "value");
    if (DECL_HAS(x, expr) && x->expr)
        dump_expr(x->expr, d + 1, "expr");
    if (fn && x->body)
        dump_block(x->body, d + 1, "body");
    for (int i = 0; DECL_HAS(x, nall_members) && i < x->nmembers; i++)
        dump_decl(x->members[i], d + 1);
}

/* Generated inputs: too big or too repetitive to commit. */
static int gen(FILE *out, const char *kind, long n) {
    if (strcmp(kind, "parens") == 0) {
        fprintf(out, "const C: u256 = ");
        for (long i = 0; i < n; i++)
            fputc('(', out);
        fputc('1', out);
        for (long i = 0; i < n; i++)
            fputc(')', out);
        fprintf(out, ";\nconst D: u256 = 2;\n");
    } else if (strcmp(kind, "unary") == 0) {
        fprintf(out, "const C: u256 = ");
        for (long i = 0; i < n; i++)
            fputc('-', out);
        fprintf(out, "1;\nconst D: u256 = 2;\n");
    } else if (strcmp(kind, "blocks") == 0) {
        fprintf(out, "fn f() {\n");
        for (long i = 0; i < n; i++)
            fputc('{', out);
        fprintf(out, "let x = 1;");
        for (long i = 0; i < n; i++)
            fputc('}', out);
        fprintf(out, "\n}\nfn g() { let y = 2 }\n");
    } else if (strcmp(kind, "types") == 0) {
        fprintf(out, "contract C {\n    storage s: ");
        for (long i = 0; i < n; i++)
            fprintf(out, "map<u8, ");
        fprintf(out, "u8");
        for (long i = 0; i < n; i++)
            fputc('>', out);
        fprintf(out, ";\n    storage t: u256\n}\n");
    } else if (strcmp(kind, "elseif") == 0) {
        fprintf(out, "fn f(x: u256) {\n    if x == 0 { }");
        for (long i = 0; i < n; i++)
            fprintf(out, " else if x == %ld { }", i);
        fprintf(out, "\n}\n");
    } else if (strcmp(kind, "ident") == 0) {
        fprintf(out, "const ");
        for (long i = 0; i < n; i++)
            fputc('a' + (char)(i % 26), out);
        fprintf(out, ": u256 = 1;\nconst ok: u256 = 2\n");
    } else if (strcmp(kind, "calls") == 0) {
        fprintf(out, "fn f() {\n    let x = ");
        for (long i = 0; i < n; i++)
            fprintf(out, "g(1, [");
        fputc('2', out);
        for (long i = 0; i < n; i++)
            fprintf(out, "])");
        fprintf(out, ";\n    let y = 3\n}\n");
    } else if (strcmp(kind, "implies") == 0) {
        fprintf(out, "contract C {\n    invariant true");
        for (long i = 0; i < n; i++)
            fprintf(out, " ==> true");
        fprintf(out, ";\n    invariant false\n}\n");
    } else if (strcmp(kind, "sum") == 0) {
        fprintf(out, "const C: u256 = 1");
        for (long i = 0; i < n; i++)
            fprintf(out, " + 1");
        fprintf(out, ";\n");
    } else {
        fprintf(stderr, "parse_dump: unknown generator '%s'\n", kind);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--gen-raw") == 0)
        return gen(stdout, argv[2], strtol(argv[3], NULL, 10));
    bool generate = argc == 4 && strcmp(argv[1], "--gen") == 0;
    bool ast = argc == 3 && strcmp(argv[1], "--ast") == 0;
    bool tokens = argc == 3 && strcmp(argv[1], "--tokens") == 0;
    if (argc != 2 && !ast && !tokens && !generate) {
        fprintf(stderr, "usage: parse_dump [--ast | --tokens] FILE | parse_dump --gen[-raw] KIND N\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    /* The parser alone: no driver, so no imports are followed and no checker runs. */
    Arena arena;
    SrcSet srcs = {0};
    DiagSink diags;
    arena_init(&arena);
    diag_init(&diags, &srcs);
    Program prog = {.arena = &arena, .names = intern_new(), .srcs = &srcs, .diags = &diags};
    int file;
    if (generate) {
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        int rc = gen(mem, argv[2], strtol(argv[3], NULL, 10));
        fclose(mem);
        char name[64];
        snprintf(name, sizeof name, "<%s x %s>", argv[2], argv[3]);
        file = src_add(&srcs, name, text, len);
        free(text);
        if (rc)
            return rc;
    } else {
        file = src_load(&srcs, path);
    }
    if (file < 0) {
        fprintf(stderr, "parse_dump: cannot read '%s'\n", path);
        return 2;
    }
    if (tokens) {
        int n;
        Token *toks = lex_file(&prog, file, &n);
        for (int i = 0; i < n; i++) {
            Token *t = &toks[i];
            printf("%s%s @%u..%u", t->bol ? "\n" : " ", lex_tok_name(t->kind), t->start, t->end);
            if (t->kind == TK_IDENT || (t->kind == TK_INT && t->len))
                printf("=%.*s", (int)t->len, t->s);
        }
        printf("\n");
        free(toks);
    }
    Module *m = tokens ? NULL : parse_module(&prog, file);
    diag_sort(&diags);
    diag_print(&diags, stderr);
    if (ast && m)
        for (int i = 0; i < m->nitems; i++)
            dump_decl(m->items[i], 0);
    int rc = diags.errors ? 1 : 0;
    diag_free(&diags);
    srcset_free(&srcs);
    intern_free(prog.names);
    fe_free_regions(&prog);
    arena_free(&arena);
    return rc;
}
