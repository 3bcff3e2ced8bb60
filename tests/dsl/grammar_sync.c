/* grammar_sync.c — keeps dsl/grammar.ebnf and the parser in step. Checks:
 *  1. the syntactic productions (lower-case names) of grammar.ebnf and the "grammar:"
 *     comments above the parse functions (frontend/parse*.c) are the same set, token for
 *     token; none is defined twice; each comment sits right above a parse_* definition;
 *  2. every name used on a right-hand side is defined, and every production but `module`
 *     is used somewhere;
 *  3. every keyword and operator of the lexer (frontend/lex.h tables) appears in the
 *     grammar, and every token the syntactic productions use is one the lexer produces
 *     (or a contextual word listed below).
 * `--self-test` also checks that mutated copies of the inputs fail, so the test can fail.
 * usage: grammar_sync [--self-test] grammar.ebnf lex.h parse.c [parse_*.c ...] */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Identifiers that act as tokens in one position only, without being keywords. */
static const char *const contextual[] = {"value"};

typedef struct Prod {
    char *name;
    char *rhs; /* tokens separated by single spaces */
    bool used;
} Prod;

typedef struct Grammar {
    Prod *p;
    int n, cap;
} Grammar;

static bool quiet;
static int failures;

static void fail(const char *fmt, ...) {
    failures++;
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("grammar_sync: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "grammar_sync: cannot read %s\n", path);
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

static char *xstrndup(const char *s, size_t n) {
    char *r = malloc(n + 1);
    if (!r)
        exit(2);
    memcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* Next EBNF token of s (skipping spaces) into tok; returns the position after it. */
static const char *next_tok(const char *s, char *tok, size_t cap) {
    while (*s && isspace((unsigned char)*s))
        s++;
    const char *b = s;
    if (!*s) {
        tok[0] = 0;
        return s;
    }
    if (*s == '"' || *s == '\'' || *s == '?') {
        char q = *s++;
        while (*s && *s != q)
            s++;
        if (*s)
            s++;
    } else if (isalnum((unsigned char)*s) || *s == '_') {
        while (isalnum((unsigned char)*s) || *s == '_')
            s++;
    } else {
        s++;
    }
    size_t n = (size_t)(s - b) < cap - 1 ? (size_t)(s - b) : cap - 1;
    memcpy(tok, b, n);
    tok[n] = 0;
    return s;
}

static void add_prods(Grammar *g, const char *text, const char *where) {
    char tok[512];
    const char *s = text;
    for (;;) {
        s = next_tok(s, tok, sizeof tok);
        if (!tok[0])
            return;
        char *name = xstrndup(tok, strlen(tok));
        s = next_tok(s, tok, sizeof tok);
        if (strcmp(tok, "=") != 0) {
            fail("%s: expected '=' after '%s'", where, name);
            free(name);
            return;
        }
        size_t cap = 256, len = 0;
        char *rhs = malloc(cap);
        rhs[0] = 0;
        for (;;) {
            s = next_tok(s, tok, sizeof tok);
            if (!tok[0]) {
                fail("%s: production '%s' has no ';'", where, name);
                break;
            }
            if (strcmp(tok, ";") == 0)
                break;
            size_t k = strlen(tok);
            if (len + k + 2 > cap) {
                cap = (len + k + 2) * 2;
                rhs = realloc(rhs, cap);
            }
            if (len)
                rhs[len++] = ' ';
            memcpy(rhs + len, tok, k + 1);
            len += k;
        }
        if (g->n == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 64;
            g->p = realloc(g->p, sizeof(Prod) * (size_t)g->cap);
        }
        g->p[g->n++] = (Prod){name, rhs, false};
    }
}

static Prod *find(Grammar *g, const char *name) {
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->p[i].name, name) == 0)
            return &g->p[i];
    return NULL;
}

static bool is_lexical(const char *name) {
    for (; *name; name++)
        if (islower((unsigned char)*name))
            return false;
    return true;
}

/* The EBNF text without (* comments *). */
static char *strip_comments(const char *s) {
    char *out = xstrndup(s, strlen(s));
    char *w = out;
    while (*s) {
        if (s[0] == '(' && s[1] == '*') {
            const char *e = strstr(s + 2, "*)");
            s = e ? e + 2 : s + strlen(s);
            *w++ = ' ';
        } else if (*s == '"' || *s == '\'') {
            char q = *s;
            *w++ = *s++;
            while (*s && *s != q)
                *w++ = *s++;
            if (*s)
                *w++ = *s++;
        } else {
            *w++ = *s++;
        }
    }
    *w = 0;
    return out;
}

/* The productions written in `grammar:` comments of a C file, one text. */
static char *c_grammar(const char *src) {
    size_t cap = strlen(src) + 1, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    const char *s = src;
    while ((s = strstr(s, "/* grammar:")) != NULL) {
        s += strlen("/* grammar:");
        const char *e = strstr(s, "*/");
        if (!e)
            break;
        /* The line after the comment must define the parse function it describes. */
        const char *nl = strchr(e, '\n');
        const char *eol = nl ? strchr(nl + 1, '\n') : NULL;
        const char *fn = nl ? strstr(nl + 1, "parse_") : NULL;
        if (!fn || !eol || fn > eol || (fn[-1] != ' ' && fn[-1] != '*') || !strchr(fn, '(') ||
            strchr(fn, '(') > eol || *(eol - 1) != '{') {
            char first[64];
            const char *b = s + strspn(s, " \t\n*");
            size_t k = strcspn(b, "\n=");
            k = k < sizeof first - 1 ? k : sizeof first - 1;
            memcpy(first, b, k);
            first[k] = 0;
            fail("the grammar comment of '%s' is not directly above a parse_* function definition",
                 first);
        }
        for (; s < e; s++) {
            /* drop the leading " * " of each comment line */
            if (*s == '\n') {
                out[len++] = ' ';
                while (s + 1 < e && (s[1] == ' ' || s[1] == '\t'))
                    s++;
                if (s + 1 < e && s[1] == '*' && s + 2 <= e && s[2] != '/')
                    s++;
                continue;
            }
            out[len++] = *s;
        }
        out[len++] = ' ';
        out[len] = 0;
    }
    return out;
}

/* Spellings from one X-macro table of lex.h: the quoted strings after `X(NAME, `. */
static int lexer_spellings(const char *lexh, const char *table, char out[][16], int max) {
    const char *s = strstr(lexh, table);
    if (!s) {
        fail("lex.h has no table %s", table);
        return 0;
    }
    const char *end = strstr(s, "\n\n");
    if (!end)
        end = s + strlen(s);
    int n = 0;
    while ((s = strstr(s, "X(")) != NULL && s < end) {
        const char *q = strchr(s, '"');
        if (!q || q > end)
            break;
        const char *q2 = strchr(q + 1, '"');
        if (!q2 || n >= max)
            break;
        size_t k = (size_t)(q2 - q - 1) < 15 ? (size_t)(q2 - q - 1) : 15;
        memcpy(out[n], q + 1, k);
        out[n][k] = 0;
        n++;
        s = q2;
    }
    return n;
}

static int check(const char *ebnf_text, const char *lexh, char **c_texts, int nc) {
    failures = 0;
    Grammar eg = {0}, cg = {0};
    char *stripped = strip_comments(ebnf_text);
    add_prods(&eg, stripped, "grammar.ebnf");
    free(stripped);
    for (int i = 0; i < nc; i++) {
        char *t = c_grammar(c_texts[i]);
        add_prods(&cg, t, "parser comment");
        free(t);
    }

    /* 1. the same syntactic productions, defined once */
    for (int i = 0; i < eg.n; i++) {
        for (int k = 0; k < i; k++)
            if (strcmp(eg.p[i].name, eg.p[k].name) == 0)
                fail("grammar.ebnf defines '%s' twice", eg.p[i].name);
        if (is_lexical(eg.p[i].name))
            continue;
        Prod *c = find(&cg, eg.p[i].name);
        if (!c)
            fail("'%s' is in grammar.ebnf but above no parse function", eg.p[i].name);
        else if (strcmp(c->rhs, eg.p[i].rhs) != 0)
            fail("'%s' differs:\n  grammar.ebnf: %s\n  parser:       %s", eg.p[i].name,
                 eg.p[i].rhs, c->rhs);
    }
    for (int i = 0; i < cg.n; i++) {
        for (int k = 0; k < i; k++)
            if (strcmp(cg.p[i].name, cg.p[k].name) == 0)
                fail("the parser comments define '%s' twice", cg.p[i].name);
        if (is_lexical(cg.p[i].name))
            fail("'%s' in a parser comment is lexical (upper case)", cg.p[i].name);
        else if (!find(&eg, cg.p[i].name))
            fail("'%s' is above a parse function but not in grammar.ebnf", cg.p[i].name);
    }

    /* 2 and 3: references and tokens */
    char kws[128][16], puncts[128][16];
    int nkw = lexer_spellings(lexh, "#define WRIT_KEYWORDS(X)", kws, 128);
    int npu = lexer_spellings(lexh, "#define WRIT_PUNCTS(X)", puncts, 128);
    if (nkw < 10 || npu < 10)
        fail("found only %d keywords and %d operators in lex.h", nkw, npu);
    bool kw_seen[128] = {0}, pu_seen[128] = {0};
    for (int i = 0; i < eg.n; i++) {
        bool lexical = is_lexical(eg.p[i].name);
        char tok[512];
        const char *s = eg.p[i].rhs;
        for (;;) {
            s = next_tok(s, tok, sizeof tok);
            if (!tok[0])
                break;
            if (tok[0] == '"' || tok[0] == '\'') {
                if (lexical)
                    continue;
                size_t k = strlen(tok);
                char word[512];
                memcpy(word, tok + 1, k - 2);
                word[k - 2] = 0;
                bool known = false;
                for (int j = 0; j < nkw; j++)
                    if (strcmp(kws[j], word) == 0)
                        known = kw_seen[j] = true;
                for (int j = 0; j < npu; j++)
                    if (strcmp(puncts[j], word) == 0)
                        known = pu_seen[j] = true;
                for (size_t j = 0; j < sizeof contextual / sizeof contextual[0]; j++)
                    if (strcmp(contextual[j], word) == 0)
                        known = true;
                if (!known)
                    fail("'%s' uses %s, which the lexer does not produce", eg.p[i].name, tok);
            } else if (isalpha((unsigned char)tok[0]) || tok[0] == '_') {
                Prod *d = find(&eg, tok);
                if (d)
                    d->used = true;
                else if (strcmp(tok, "EOF") != 0)
                    fail("'%s' uses '%s', which is not defined", eg.p[i].name, tok);
            }
        }
    }
    for (int i = 0; i < eg.n; i++)
        if (!eg.p[i].used && strcmp(eg.p[i].name, "module") != 0 &&
            strcmp(eg.p[i].name, "COMMENT") != 0) /* the two roots */
            fail("'%s' is defined but never used", eg.p[i].name);
    for (int j = 0; j < nkw; j++)
        if (!kw_seen[j])
            fail("keyword \"%s\" of the lexer is not in the grammar", kws[j]);
    for (int j = 0; j < npu; j++)
        if (!pu_seen[j])
            fail("operator \"%s\" of the lexer is not in the grammar", puncts[j]);

    for (int i = 0; i < eg.n; i++)
        free(eg.p[i].name), free(eg.p[i].rhs);
    for (int i = 0; i < cg.n; i++)
        free(cg.p[i].name), free(cg.p[i].rhs);
    free(eg.p);
    free(cg.p);
    return failures;
}

/* s with the first occurrence of `from` replaced by `to` (s itself if absent: the
 * self-test then fails loudly, as it should when its anchor text is gone). */
static char *replace(const char *s, const char *from, const char *to) {
    const char *at = strstr(s, from);
    if (!at) {
        fprintf(stderr, "grammar_sync: self-test anchor '%s' not found\n", from);
        exit(1);
    }
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *r = malloc(n + 1);
    size_t a = (size_t)(at - s);
    memcpy(r, s, a);
    strcpy(r + a, to);
    strcat(r, at + strlen(from));
    return r;
}

int main(int argc, char **argv) {
    int a = 1;
    bool self_test = argc > 1 && strcmp(argv[1], "--self-test") == 0;
    if (self_test)
        a++;
    if (argc - a < 3) {
        fprintf(stderr, "usage: grammar_sync [--self-test] grammar.ebnf lex.h parse.c...\n");
        return 2;
    }
    char *ebnf = read_file(argv[a]);
    char *lexh = read_file(argv[a + 1]);
    int nc = argc - a - 2;
    char **cs = malloc(sizeof(char *) * (size_t)nc);
    for (int i = 0; i < nc; i++)
        cs[i] = read_file(argv[a + 2 + i]);

    int rc = 0;
    if (check(ebnf, lexh, cs, nc)) {
        fprintf(stderr, "grammar_sync: %d problem(s)\n", failures);
        rc = 1;
    }
    if (self_test && rc == 0) {
        /* Each mutation must be caught. */
        struct {
            const char *what, *from, *to;
            int target; /* 0 = grammar.ebnf, 1 = lex.h, 2 = first parser file */
        } muts[] = {
            {"a production dropped from grammar.ebnf", "assert_stmt = \"assert\" expr \";\" ;", "", 0},
            {"a production changed in grammar.ebnf", "\"if\" cond_expr block", "\"if\" expr block", 0},
            {"a keyword missing from grammar.ebnf", "\"reentrant\"", "\"reentrnt\"", 0},
            {"a new keyword in the lexer", "X(KW_SELF, \"self\")", "X(KW_SELF, \"self\") X(KW_NEW, \"new\")", 1},
            {"a new operator in the lexer", "X(TK_TILDE, \"~\")", "X(TK_TILDE, \"~\") X(TK_AT, \"@\")", 1},
            {"a production comment removed from the parser", "/* grammar:", "/* ", 2},
            {"a production comment away from its function", "/* grammar:", "/* grammar: x = y ; */\nint z;\n/* ", 2},
        };
        quiet = true;
        for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++) {
            char *e = ebnf, *l = lexh;
            char **cc = malloc(sizeof(char *) * (size_t)nc);
            memcpy(cc, cs, sizeof(char *) * (size_t)nc);
            int t = muts[i].target;
            char *m = replace(t == 0 ? ebnf : t == 1 ? lexh : cs[0], muts[i].from, muts[i].to);
            if (t == 0)
                e = m;
            else if (t == 1)
                l = m;
            else
                cc[0] = m;
            int f = check(e, l, cc, nc);
            free(m);
            free(cc);
            if (f == 0) {
                fprintf(stderr, "grammar_sync: self-test: %s was not detected\n", muts[i].what);
                rc = 1;
            }
        }
        quiet = false;
        if (rc == 0)
            printf("grammar_sync: in sync; %zu mutations detected\n", sizeof muts / sizeof muts[0]);
    } else if (rc == 0) {
        printf("grammar_sync: in sync\n");
    }
    free(ebnf);
    free(lexh);
    for (int i = 0; i < nc; i++)
        free(cs[i]);
    free(cs);
    return rc;
}
