/* grammar_gen.c — the other half of the grammar check: generates random programs from
 * dsl/grammar.ebnf and requires the parser to accept every one without a diagnostic. So a
 * parser that rejects what the grammar allows fails here, as grammar_sync fails when the
 * texts of the two differ. The generator follows the few rules the grammar states in prose
 * (REFERENCE.md): no struct literal directly in a condition, `emit`/`revert`/`require else`
 * take a call, imports come first, which modifiers and bodies a function takes where, and
 * a `forall` is parenthesised when something follows it. The spans of every tree must nest
 * (span_check.h).
 * `--self-test` also checks that a grammar loosened where the parser is strict is caught.
 * usage: grammar_gen [--self-test] grammar.ebnf COUNT [SEED] | grammar_gen --print grammar.ebnf SEED */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/internal.h"
#include "tests/frontend/parse/span_check.h"

/* ---------------- the grammar as a tree ---------------- */
typedef enum { N_SEQ, N_ALT, N_OPT, N_REP, N_TERM, N_NAME, N_SPECIAL } NodeKind;

typedef struct Node {
    NodeKind kind;
    char *text;          /* N_TERM (unquoted), N_NAME, N_SPECIAL */
    struct Node **kids;  /* N_SEQ, N_ALT, N_OPT/N_REP (one: the body) */
    int nkids;
    int prod;            /* N_NAME: index of the production, -1 if lexical/unknown */
    long minsize;        /* tokens in the smallest expansion */
} Node;

typedef struct Prod {
    char *name;
    Node *rhs;
} Prod;

static Prod prods[256];
static int nprods;

static const char *src;
static char tok[512];

static void next(void) {
    for (;;) {
        while (*src && isspace((unsigned char)*src))
            src++;
        if (src[0] == '(' && src[1] == '*') {
            const char *e = strstr(src + 2, "*)");
            src = e ? e + 2 : src + strlen(src);
            continue;
        }
        break;
    }
    const char *b = src;
    if (!*src) {
        tok[0] = 0;
        return;
    }
    if (*src == '"' || *src == '\'' || *src == '?') {
        char q = *src++;
        while (*src && *src != q)
            src++;
        if (*src)
            src++;
    } else if (isalnum((unsigned char)*src) || *src == '_') {
        while (isalnum((unsigned char)*src) || *src == '_')
            src++;
    } else {
        src++;
    }
    size_t n = (size_t)(src - b) < sizeof tok - 1 ? (size_t)(src - b) : sizeof tok - 1;
    memcpy(tok, b, n);
    tok[n] = 0;
}

static Arena arena; /* the grammar tree and its strings */

static Node *node(NodeKind k) {
    Node *n = ARENA_NEW(&arena, Node);
    n->kind = k;
    n->prod = -1;
    return n;
}

static void add_kid(Node *p, Node *k) {
    Node **kids = ARENA_ARRAY(&arena, Node *, p->nkids + 1);
    if (p->nkids)
        memcpy(kids, p->kids, sizeof(Node *) * (size_t)p->nkids);
    kids[p->nkids++] = k;
    p->kids = kids;
}

static Node *parse_alts(void);

static Node *parse_factor(void) {
    Node *n;
    if (tok[0] == '"' || tok[0] == '\'') {
        n = node(N_TERM);
        n->text = arena_strndup(&arena, tok + 1, strlen(tok) - 2);
        next();
    } else if (tok[0] == '?') {
        n = node(N_SPECIAL);
        n->text = arena_strndup(&arena, tok, strlen(tok));
        next();
    } else if (tok[0] == '[' || tok[0] == '{' || tok[0] == '(') {
        char close = tok[0] == '[' ? ']' : tok[0] == '{' ? '}' : ')';
        NodeKind k = tok[0] == '[' ? N_OPT : tok[0] == '{' ? N_REP : N_SEQ;
        next();
        Node *body = parse_alts();
        if (tok[0] != close) {
            fprintf(stderr, "grammar_gen: expected '%c', found '%s'\n", close, tok);
            exit(2);
        }
        next();
        if (k == N_SEQ)
            return body;
        n = node(k);
        add_kid(n, body);
    } else if (isalpha((unsigned char)tok[0]) || tok[0] == '_') {
        n = node(N_NAME);
        n->text = arena_strndup(&arena, tok, strlen(tok));
        next();
    } else {
        fprintf(stderr, "grammar_gen: unexpected '%s'\n", tok);
        exit(2);
    }
    if (strcmp(tok, "-") == 0) { /* exceptions occur in lexical rules only: keep the left */
        next();
        parse_factor();
    }
    return n;
}

static Node *parse_seq(void) {
    Node *s = node(N_SEQ);
    while (tok[0] && strcmp(tok, "|") && strcmp(tok, ";") && strcmp(tok, "]") &&
           strcmp(tok, "}") && strcmp(tok, ")"))
        add_kid(s, parse_factor());
    return s->nkids == 1 ? s->kids[0] : s;
}

static Node *parse_alts(void) {
    Node *a = node(N_ALT);
    add_kid(a, parse_seq());
    while (strcmp(tok, "|") == 0) {
        next();
        add_kid(a, parse_seq());
    }
    return a->nkids == 1 ? a->kids[0] : a;
}

static int find_prod(const char *name) {
    for (int i = 0; i < nprods; i++)
        if (strcmp(prods[i].name, name) == 0)
            return i;
    return -1;
}

static void link(Node *n) {
    if (n->kind == N_NAME)
        n->prod = find_prod(n->text);
    for (int i = 0; i < n->nkids; i++)
        link(n->kids[i]);
}

#define INF (1L << 40)

/* The size of the smallest expansion, computed to a fixed point (lexical names are 1). */
static long size_of(Node *n) {
    switch (n->kind) {
    case N_TERM: case N_SPECIAL: return 1;
    case N_NAME:
        if (n->prod < 0 || isupper((unsigned char)n->text[0]))
            return strcmp(n->text, "EOF") == 0 ? 0 : 1;
        return prods[n->prod].rhs->minsize;
    case N_OPT: case N_REP: return 0;
    case N_SEQ: {
        long s = 0;
        for (int i = 0; i < n->nkids; i++) {
            s += n->kids[i]->minsize;
            if (s > INF)
                s = INF;
        }
        return s;
    }
    case N_ALT: {
        long m = INF;
        for (int i = 0; i < n->nkids; i++)
            if (n->kids[i]->minsize < m)
                m = n->kids[i]->minsize;
        return m;
    }
    }
    return INF;
}

static bool settle(Node *n) {
    bool changed = false;
    for (int i = 0; i < n->nkids; i++)
        changed |= settle(n->kids[i]);
    long s = size_of(n);
    if (s != n->minsize) {
        n->minsize = s;
        changed = true;
    }
    return changed;
}

static void init_sizes(Node *n) {
    n->minsize = INF;
    for (int i = 0; i < n->nkids; i++)
        init_sizes(n->kids[i]);
}

/* ---------------- generation ---------------- */
static unsigned long rng;
static unsigned rnd(unsigned n) {
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng >> 33) % n);
}

static char *out;
static size_t out_len, out_cap;
static char last[64];       /* the last token emitted */
static int bracket;         /* open ( [ { in the output */
static int cond_bracket = -1; /* bracket depth of the condition being generated, or -1 */
static enum { AT_FILE, AT_CONTRACT, AT_INTERFACE } place;
static bool seen_item;      /* a non-import item was emitted: no more imports */

enum { MAX_DEPTH = 60, MAX_OUT = 6000, EXPR_DEPTH = 22 };

static void emit(const char *s) {
    size_t n = strlen(s);
    if (out_len + n + 2 >= out_cap) {
        out_cap = (out_len + n + 2) * 2;
        out = realloc(out, out_cap);
    }
    /* `>>` must be split by the parser where types close: glue some `>` together. */
    bool glue = strcmp(s, ">") == 0 && strcmp(last, ">") == 0 && rnd(2);
    if (out_len && !glue && out[out_len - 1] != '\n')
        out[out_len++] = ' ';
    memcpy(out + out_len, s, n);
    out_len += n;
    if (strcmp(s, ";") == 0 || strcmp(s, "{") == 0 || strcmp(s, "}") == 0)
        out[out_len++] = '\n';
    out[out_len] = 0;
    snprintf(last, sizeof last, "%s", s);
    if (strchr("([{", s[0]) && !s[1])
        bracket++;
    if (strchr(")]}", s[0]) && !s[1])
        bracket--;
}

static void gen(Node *n, int depth);

/* Where the current expression or type began: they get a budget of their own, so that
 * statements, not sprawling expressions, fill the programs. */
static int expr_base = -1;

static bool minimal(int depth) {
    return depth > MAX_DEPTH || out_len > MAX_OUT ||
           (expr_base >= 0 && depth - expr_base > EXPR_DEPTH);
}

static void gen_lexical(const char *name) {
    static const char *idents[] = {"a", "b", "x", "y", "foo", "Bar", "_z", "t1", "value", "owner", "S"};
    static const char *ints[] = {"0", "1", "42", "0xff", "1_000", "0X1F"};
    static const char *strings[] = {"\"s\"", "\"\"", "\"a\\n\\x41\""};
    if (strcmp(name, "IDENT") == 0)
        emit(idents[rnd(sizeof idents / sizeof idents[0])]);
    else if (strcmp(name, "INT") == 0)
        emit(ints[rnd(sizeof ints / sizeof ints[0])]);
    else if (strcmp(name, "STRING") == 0)
        emit(strings[rnd(sizeof strings / sizeof strings[0])]);
    else if (strcmp(name, "EOF") != 0) {
        fprintf(stderr, "grammar_gen: no generator for lexical '%s'\n", name);
        exit(2);
    }
}

/* Whether an alternative may be chosen here (the prose rules). */
static bool allowed(const char *prod, Node *alt) {
    const char *name = alt->kind == N_NAME ? alt->text : NULL;
    if (!name && alt->kind == N_SEQ && alt->nkids && alt->kids[0]->kind == N_NAME)
        name = alt->kids[0]->text;
    if (!name)
        return true;
    if (strcmp(prod, "item") == 0 && strcmp(name, "import_decl") == 0 && seen_item)
        return false;
    if (strcmp(prod, "primary") == 0 && strcmp(name, "struct_lit") == 0 && bracket == cond_bracket)
        return false;
    return true;
}

static Node *choose(const char *prod, Node *alts, int depth) {
    Node *best = NULL;
    if (minimal(depth)) {
        for (int i = 0; i < alts->nkids; i++)
            if (allowed(prod, alts->kids[i]) && (!best || alts->kids[i]->minsize < best->minsize))
                best = alts->kids[i];
        return best;
    }
    /* Mostly plain names and literals, so that types and expressions stay readable. */
    if ((!strcmp(prod, "type") || !strcmp(prod, "primary")) && rnd(3))
        return choose(prod, alts, MAX_DEPTH + 1);
    for (int tries = 0; tries < 50; tries++) {
        Node *a = alts->kids[rnd((unsigned)alts->nkids)];
        if (allowed(prod, a))
            return a;
    }
    return choose(prod, alts, MAX_DEPTH + 1);
}

/* fn_decl by hand: which modifiers and which ending depend on where it is. */
static void gen_fn(Node *rhs, int depth) {
    static const char *mods_contract[] = {"pub", "view", "payable", "reentrant"};
    static const char *mods_iface[] = {"view", "payable"};
    const char **mods = place == AT_INTERFACE ? mods_iface : mods_contract;
    int nm = place == AT_FILE ? 0 : place == AT_INTERFACE ? 2 : 4;
    for (int i = 0; i < nm; i++)
        if (!minimal(depth) && rnd(3) == 0)
            emit(mods[i]);
    /* the rest of the production, but the ending chosen by place */
    for (int i = 0; i < rhs->nkids; i++) {
        Node *k = rhs->kids[i];
        if (k->kind == N_REP && k->kids[0]->kind == N_NAME &&
            strcmp(k->kids[0]->text, "fn_modifier") == 0)
            continue;
        if (k->kind == N_ALT) {
            if (place == AT_INTERFACE)
                emit(";");
            else
                gen(prods[find_prod("block")].rhs, depth + 1);
            continue;
        }
        gen(k, depth + 1);
    }
}

static void gen_name(Node *n, int depth) {
    if (n->prod < 0 || isupper((unsigned char)n->text[0])) {
        gen_lexical(n->text);
        return;
    }
    const char *name = n->text;
    Node *rhs = prods[n->prod].rhs;
    if (strcmp(name, "fn_decl") == 0) {
        gen_fn(rhs, depth);
        return;
    }
    if (strcmp(name, "postfix_expr") == 0 &&
        (!strcmp(last, "emit") || !strcmp(last, "revert") || !strcmp(last, "else"))) {
        gen_lexical("IDENT"); /* these take a call */
        gen(prods[find_prod("call_args")].rhs, depth + 1);
        return;
    }
    if (strcmp(name, "forall_expr") == 0) {
        emit("("); /* its body extends to the right as far as it can */
        gen(rhs, depth + 1);
        emit(")");
        return;
    }
    if (strcmp(name, "cond_expr") == 0) {
        int saved = cond_bracket, saved_base = expr_base;
        cond_bracket = bracket;
        if (expr_base < 0)
            expr_base = depth;
        gen(rhs, depth + 1);
        cond_bracket = saved;
        expr_base = saved_base;
        return;
    }
    int saved_base = expr_base;
    if (expr_base < 0 && (!strcmp(name, "expr") || !strcmp(name, "cond_expr") ||
                          !strcmp(name, "size_expr") || !strcmp(name, "type")))
        expr_base = depth;
    int saved_place = place;
    if (strcmp(name, "contract_decl") == 0)
        place = AT_CONTRACT;
    else if (strcmp(name, "interface_decl") == 0)
        place = AT_INTERFACE;
    if (rhs->kind == N_ALT) {
        Node *a = choose(name, rhs, depth);
        if (strcmp(name, "item") == 0 && !(a->kind == N_NAME && strcmp(a->text, "import_decl") == 0))
            seen_item = true;
        gen(a, depth + 1);
    } else {
        gen(rhs, depth + 1);
    }
    place = saved_place;
    expr_base = saved_base;
}

static void gen(Node *n, int depth) {
    switch (n->kind) {
    case N_TERM: emit(n->text); break;
    case N_SPECIAL: break;
    case N_NAME: gen_name(n, depth); break;
    case N_SEQ:
        for (int i = 0; i < n->nkids; i++)
            gen(n->kids[i], depth);
        break;
    case N_ALT: gen(choose("", n, depth), depth); break;
    /* Lists of statements, members and specs are long; other repetitions (operator chains,
     * arguments) and optional parts of expressions are short, or programs explode. */
    case N_OPT:
        if (!minimal(depth) && rnd(expr_base < 0 ? 2 : 4) == 0)
            gen(n->kids[0], depth);
        break;
    case N_REP: {
        unsigned r = minimal(depth) ? 0 : rnd(100);
        Node *body = n->kids[0];
        bool list = body->kind == N_NAME &&
                    (!strcmp(body->text, "stmt") || !strcmp(body->text, "member") ||
                     !strcmp(body->text, "spec") || !strcmp(body->text, "fn_decl"));
        int times = list ? (int)(r % 5) : r < 85 ? 0 : r < 97 ? 1 : 2;
        for (int i = 0; i < times; i++)
            gen(n->kids[0], depth);
        break;
    }
    }
}

static char *generate(unsigned long seed) {
    rng = seed * 2654435761UL + 1;
    out_len = 0;
    bracket = 0;
    cond_bracket = -1;
    place = AT_FILE;
    seen_item = false;
    last[0] = 0;
    if (!out) {
        out_cap = 4096;
        out = malloc(out_cap);
    }
    out[0] = 0;
    /* a module of a few items: more items than the grammar's { item } would give */
    int items = 1 + (int)rnd(4);
    Node *item = prods[find_prod("item")].rhs;
    for (int i = 0; i < items; i++) {
        Node *a = choose("item", item, 0);
        if (!(a->kind == N_NAME && strcmp(a->text, "import_decl") == 0))
            seen_item = true;
        gen(a, 1);
    }
    return out;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "grammar_gen: cannot read %s\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    s[n] = 0;
    fclose(f);
    return s;
}

static bool quiet;

/* Parses text; returns the number of errors (printed with the program when nonzero). */
static int parse_text(const char *text, unsigned long seed) {
    Arena arena;
    SrcSet srcs = {0};
    DiagSink diags;
    arena_init(&arena);
    diag_init(&diags, &srcs);
    Program prog = {.arena = &arena, .names = intern_new(), .srcs = &srcs, .diags = &diags};
    char name[64];
    snprintf(name, sizeof name, "<generated %lu>", seed);
    int file = src_add(&srcs, name, text, strlen(text));
    Module *m = parse_module(&prog, file);
    int errors = diags.errors;
    span_check_module(&srcs, m, errors == 0);
    if (errors && !quiet) {
        fprintf(stderr, "grammar_gen: the parser rejects a program of the grammar (seed %lu):\n%s\n",
                seed, text);
        diag_print(&diags, stderr);
    }
    diag_free(&diags);
    srcset_free(&srcs);
    intern_free(prog.names);
    fe_free_regions(&prog);
    arena_free(&arena);
    return errors;
}

/* Loads a grammar text into prods[] (exits on a malformed one). */
static void load_grammar(const char *text) {
    nprods = 0;
    src = text;
    next();
    while (tok[0]) {
        if (nprods == 256)
            exit(2);
        prods[nprods].name = arena_strndup(&arena, tok, strlen(tok));
        next();
        if (strcmp(tok, "=") != 0) {
            fprintf(stderr, "grammar_gen: expected '=' after %s\n", prods[nprods].name);
            exit(2);
        }
        next();
        prods[nprods].rhs = parse_alts();
        if (strcmp(tok, ";") != 0) {
            fprintf(stderr, "grammar_gen: expected ';' ending %s, found '%s'\n", prods[nprods].name, tok);
            exit(2);
        }
        next();
        nprods++;
    }
    for (int i = 0; i < nprods; i++) {
        link(prods[i].rhs);
        init_sizes(prods[i].rhs);
    }
    for (int round = 0; round < 1000; round++) {
        bool changed = false;
        for (int i = 0; i < nprods; i++)
            changed |= settle(prods[i].rhs);
        if (!changed)
            break;
    }
    if (find_prod("item") < 0 || find_prod("block") < 0 || find_prod("call_args") < 0) {
        fprintf(stderr, "grammar_gen: grammar lacks item, block or call_args\n");
        exit(2);
    }
}

/* Generates and parses count programs; returns how many the parser rejected (stops at 3). */
static int run(long count, unsigned long seed0, size_t *total) {
    int bad = 0;
    for (long i = 0; i < count && bad < 3; i++) {
        char *prog = generate(seed0 + (unsigned long)i);
        *total += strlen(prog);
        if (parse_text(prog, seed0 + (unsigned long)i))
            bad++;
    }
    return bad;
}

int main(int argc, char **argv) {
    bool print = argc == 4 && strcmp(argv[1], "--print") == 0;
    bool self_test = argc > 1 && strcmp(argv[1], "--self-test") == 0;
    int a = self_test ? 2 : 1;
    if (argc - a < 2 || argc - a > 3) {
        fprintf(stderr, "usage: grammar_gen [--self-test] grammar.ebnf COUNT [SEED] | "
                        "grammar_gen --print grammar.ebnf SEED\n");
        return 2;
    }
    arena_init(&arena);
    char *text = read_file(argv[print ? 2 : a]);
    load_grammar(text);
    if (print) {
        fputs(generate(strtoul(argv[3], NULL, 10)), stdout);
        free(out);
        free(text);
        arena_free(&arena);
        return 0;
    }
    long count = strtol(argv[a + 1], NULL, 10);
    unsigned long seed0 = argc - a == 3 ? strtoul(argv[a + 2], NULL, 10) : 1;
    size_t total = 0;
    int rc = run(count, seed0, &total) ? 1 : 0;
    if (rc == 0)
        printf("grammar_gen: %ld generated programs (%zu bytes) parse without a diagnostic\n",
               count, total);
    if (self_test && rc == 0) {
        /* A grammar that allows what the parser rejects (`let x;`) must be caught. */
        const char *from = "\"let\" IDENT [ \":\" type ] \"=\" expr \";\"";
        const char *to = "\"let\" IDENT [ \":\" type ] [ \"=\" expr ] \";\"";
        char *at = strstr(text, from);
        if (!at) {
            fprintf(stderr, "grammar_gen: self-test anchor not found in the grammar\n");
            rc = 1;
        } else {
            size_t n = strlen(text) - strlen(from) + strlen(to);
            char *m = malloc(n + 1);
            memcpy(m, text, (size_t)(at - text));
            strcpy(m + (at - text), to);
            strcat(m, at + strlen(from));
            load_grammar(m);
            quiet = true;
            size_t t2 = 0;
            if (run(count, seed0, &t2) == 0) {
                fprintf(stderr, "grammar_gen: self-test: a grammar allowing `let x;` was not caught\n");
                rc = 1;
            } else {
                printf("grammar_gen: self-test: a grammar allowing `let x;` is caught\n");
            }
            free(m);
        }
    }
    free(out);
    free(text);
    arena_free(&arena);
    return rc;
}
