/* cmd_verify.c — `writ verify FILE... [--format text|json|sarif] [--jobs N] [--depth K]
 * [--rlimit N] [--emit-tests DIR] [--no-cache]`: every contract's optimised IR through the
 * verifier (verify_run.c: cached, in parallel), each violation replayed on the VM before it
 * is reported; findings printed like compiler errors, as JSON or as SARIF 2.1.0 (GitHub
 * code scanning), then a summary. Exit status: 0 all proved, 1 a violation, 2 unknown or an
 * error. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "verify_cli.h"

typedef enum Format { FMT_TEXT, FMT_JSON, FMT_SARIF } Format;

typedef CliBuf Out;

typedef struct VerifyCtx {
    Format format;
    CliVerifyRun run;
    const char *emit_dir;
    const char *file;      /* the file being verified */
    bool dump;             /* --dump-results: the serialized form (tests) */
    Out entries;           /* json / sarif: results so far */
    int nentries;
    char *kinds[64];       /* sarif rules, in order of first use (copies: a module's arena
                            * is gone once its file is done) */
    int nkinds;
    int proved, violated, unknown, emitted;
    bool failed;
} VerifyCtx;

#define out_put cli_buf_put
#define out_f cli_buf_f

static void out_json(Out *o, const char *s) {
    out_put(o, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            out_f(o, "\\%c", c);
        else if (c < 0x20)
            out_f(o, "\\u%04x", c);
        else
            out_put(o, (const char *)&c, 1);
    }
    out_put(o, "\"", 1);
}

static const char *const verdict_names[] = {"proved", "violated", "unknown"};

/* SARIF rule ids: "writ/" and the kind with dashes ("writ/division-by-zero"). */
static void rule_id(const char *kind, char *buf, size_t n) {
    size_t k = (size_t)snprintf(buf, n, "writ/");
    for (const char *p = kind; *p && k + 1 < n; p++)
        buf[k++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p
                   : (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') : '-';
    buf[k] = 0;
}

/* A path as SARIF wants it: relative to the current folder, with '/' separators. */
static const char *relative_uri(const char *path, char *buf, size_t n) {
    char cwd[4096];
    if (path[0] == '/' && getcwd(cwd, sizeof cwd)) {
        size_t k = strlen(cwd);
        if (strncmp(path, cwd, k) == 0 && path[k] == '/')
            path += k + 1;
    }
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    snprintf(buf, n, "%s", path);
    return buf;
}

static void sarif_result(VerifyCtx *ctx, const VerResult *r, const char *what, const char *path,
                         uint32_t line, uint32_t col) {
    char rid[128], uri[4096];
    rule_id(r->kind, rid, sizeof rid);
    bool known = false;
    for (int k = 0; k < ctx->nkinds && !known; k++)
        known = strcmp(ctx->kinds[k], r->kind) == 0;
    if (!known && ctx->nkinds < 64 && (ctx->kinds[ctx->nkinds] = strdup(r->kind)))
        ctx->nkinds++;
    Out *o = &ctx->entries;
    out_f(o, "%s\n        {\"ruleId\": ", ctx->nentries++ ? "," : "");
    out_json(o, rid);
    out_f(o, ", \"level\": \"%s\", \"message\": {\"text\": ",
          r->verdict == VER_VIOLATED ? "error" : "warning");
    char *msg = NULL;
    if (asprintf(&msg, "%s %s: %s", what, r->verdict == VER_VIOLATED ? "can fail" : "not proved",
                 r->detail ? r->detail : "") < 0)
        msg = NULL;
    out_json(o, msg ? msg : what);
    free(msg);
    out_f(o, "}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
    out_json(o, relative_uri(path, uri, sizeof uri));
    out_f(o, "}, \"region\": {\"startLine\": %u, \"startColumn\": %u}}}]", line ? line : 1,
          col ? col : 1);
    out_f(o, ", \"properties\": {\"function\": ");
    out_json(o, r->func);
    out_f(o, ", \"verdict\": \"%s\"", verdict_names[r->verdict]);
    if (r->verdict == VER_VIOLATED)
        out_f(o, ", \"confirmedOnVm\": %s", r->confirmed > 0 ? "true" : "false");
    out_put(o, "}}", 2);
}

static void json_result(VerifyCtx *ctx, IrModule *m, const VerResult *r, const char *path,
                        uint32_t line, uint32_t col) {
    Out *o = &ctx->entries;
    out_f(o, "%s\n  {\"contract\": ", ctx->nentries++ ? "," : "");
    out_json(o, m->name);
    out_f(o, ", \"function\": ");
    out_json(o, r->func);
    out_f(o, ", \"in\": ");
    out_json(o, r->where);
    out_f(o, ", \"kind\": ");
    out_json(o, r->kind);
    out_f(o, ", \"file\": ");
    out_json(o, path);
    out_f(o, ", \"line\": %u, \"col\": %u, \"verdict\": \"%s\"", line, col,
          verdict_names[r->verdict]);
    if (r->verdict == VER_VIOLATED)
        out_f(o, ", \"confirmed\": %s", r->confirmed > 0 ? "true" : "false");
    if (r->detail) {
        out_f(o, ", \"%s\": ", r->verdict == VER_VIOLATED ? "counterexample" : "reason");
        out_json(o, r->detail);
    }
    out_put(o, "}", 1);
}

static int verify_module(IrModule *m, DiagSink *diags, void *vctx) {
    VerifyCtx *ctx = vctx;
    int st = cli_optimize("verify", m, NULL, diags);
    if (st != EXIT_OK)
        return st;
    VerReport rep = {0};
    if (!cli_verify_module(m, diags->srcs, &ctx->run, &rep)) {
        ctx->failed = true;
        return EXIT_USAGE;
    }
    if (ctx->dump) { /* the serialized form, checked to read back to the same text */
        size_t n = 0, n2 = 0;
        char *text = cli_results_serialize(m, &rep, 0, &n);
        VerReport back = {0};
        char *again = NULL;
        if (cli_results_parse(m, text, n, &back))
            again = cli_results_serialize(m, &back, 0, &n2);
        if (!again || n != n2 || memcmp(text, again, n) != 0) {
            fprintf(stderr, "writ verify: internal error: the results do not read back the same\n");
            ctx->failed = true;
        }
        fwrite(text, 1, n, stdout);
        free(text);
        free(again);
    }
    for (int i = 0; i < rep.n; i++) {
        VerResult *r = &rep.results[i];
        const char *path = "?";
        uint32_t line = 0, col = 0;
        SrcFile *sf = r->span.file && diags->srcs ? src_get(diags->srcs, r->span.file) : NULL;
        if (sf) {
            path = sf->path;
            src_line_col(sf, r->span.start, &line, &col);
        }
        char what[300];
        if (strcmp(r->kind, "function") == 0)
            snprintf(what, sizeof what, "function '%s'", r->func);
        else if (strcmp(r->where, r->func) == 0)
            snprintf(what, sizeof what, "%s in '%s'", r->kind, r->func);
        else
            snprintf(what, sizeof what, "%s in '%s' (checking '%s')", r->kind, r->where, r->func);
        if (ctx->dump)
            ;
        else if (ctx->format == FMT_JSON)
            json_result(ctx, m, r, path, line, col);
        else if (ctx->format == FMT_SARIF && r->verdict != VER_PROVED)
            sarif_result(ctx, r, what, path, line, col);
        else if (ctx->format == FMT_TEXT && r->verdict == VER_VIOLATED)
            printf("%s:%u:%u: error: %s can fail: %s\n", path, line, col, what, r->detail);
        else if (ctx->format == FMT_TEXT && r->verdict == VER_UNKNOWN)
            printf("%s:%u:%u: warning: %s not proved: %s\n", path, line, col, what, r->detail);
        if (ctx->emit_dir && r->verdict == VER_VIOLATED && r->confirmed > 0) {
            if (cli_emit_scenario(m, r, ctx->file, ctx->emit_dir,
                                  ctx->format == FMT_TEXT ? stdout : stderr, stderr))
                ctx->emitted++;
        }
    }
    ctx->proved += rep.proved;
    ctx->violated += rep.violated;
    ctx->unknown += rep.unknown;
    return EXIT_OK;
}

static void print_sarif(VerifyCtx *ctx) {
    printf("{\n  \"version\": \"2.1.0\",\n"
           "  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
           "  \"runs\": [\n    {\n      \"tool\": {\"driver\": {\"name\": \"writ\", "
           "\"version\": \"%s\", \"informationUri\": "
           "\"https://github.com/writ-lang/writ/blob/main/README.md\", \"rules\": [",
           WRIT_VERSION);
    for (int k = 0; k < ctx->nkinds; k++) {
        char rid[128];
        rule_id(ctx->kinds[k], rid, sizeof rid);
        Out o = {0};
        out_json(&o, rid);
        Out d = {0};
        char *text = NULL;
        if (asprintf(&text, "A %s the verifier could not rule out", ctx->kinds[k]) < 0)
            text = NULL;
        out_json(&d, text ? text : ctx->kinds[k]);
        free(text);
        printf("%s\n        {\"id\": %s, \"shortDescription\": {\"text\": %s}, "
               "\"defaultConfiguration\": {\"level\": \"error\"}}",
               k ? "," : "", o.s, d.s);
        free(o.s);
        free(d.s);
    }
    printf("%s]}},\n      \"results\": [%s%s]\n    }\n  ]\n}\n", ctx->nkinds ? "\n      " : "",
           ctx->entries.s ? ctx->entries.s : "", ctx->nentries ? "\n      " : "");
}

static bool parse_int(const char *s, long lo, long hi, long *out) {
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    if (!s || !*s || !end || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int cmd_verify(int argc, char **argv) {
    VerifyCtx ctx = {.format = FMT_TEXT};
    ctx.run = (CliVerifyRun){.opts = {.rlimit = VER_RLIMIT_DEFAULT, .depth = CLI_VERIFY_DEPTH, .only_func = -1},
                             .jobs = 1, .replay = true, .use_cache = true};
    char **files = calloc((size_t)argc + 1, sizeof *files);
    int nfiles = 0;
    if (!files)
        return EXIT_USAGE;
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n = 0;
        if (strcmp(a, "--rlimit") == 0) {
            if (!parse_int(v, 1, 4000000000L, &n)) {
                free(files);
                return cli_usage_error("verify", "--rlimit needs a positive number");
            }
            ctx.run.opts.rlimit = (unsigned)n;
            i++;
        } else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0) {
            if (!parse_int(v, 1, 256, &n)) {
                free(files);
                return cli_usage_error("verify", "--jobs needs a number from 1 to 256");
            }
            ctx.run.jobs = (int)n;
            i++;
        } else if (strcmp(a, "--depth") == 0) {
            if (!parse_int(v, 0, 16, &n)) {
                free(files);
                return cli_usage_error("verify", "--depth needs a number from 0 to 16");
            }
            ctx.run.opts.depth = (int)n;
            i++;
        } else if (strcmp(a, "--emit-tests") == 0) {
            if (!v || !*v) {
                free(files);
                return cli_usage_error("verify", "--emit-tests needs a directory");
            }
            ctx.emit_dir = v;
            i++;
        } else if (strcmp(a, "--format") == 0) {
            if (!v) {
                free(files);
                return cli_usage_error("verify", "--format needs 'text', 'json' or 'sarif'");
            }
            i++;
            if (strcmp(v, "json") == 0)
                ctx.format = FMT_JSON;
            else if (strcmp(v, "sarif") == 0)
                ctx.format = FMT_SARIF;
            else if (strcmp(v, "text") != 0) {
                free(files);
                return cli_usage_error("verify", "unknown format '%s' (text, json or sarif)", v);
            }
        } else if (strcmp(a, "--no-cache") == 0) {
            ctx.run.use_cache = false;
        } else if (strcmp(a, "--dump-results") == 0) {
            ctx.dump = true;
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return cli_usage_error("verify", "unknown option '%s'", a);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0) {
        free(files);
        return cli_usage_error("verify", "no input files");
    }
    for (int i = 0; i < nfiles; i++) {
        ctx.file = files[i];
        if (cli_modules_from_source("verify", files[i], verify_module, &ctx) != EXIT_OK)
            status = EXIT_USAGE;
    }
    free(files);
    if (ctx.dump)
        ;
    else if (ctx.format == FMT_JSON)
        printf("{\"results\": [%s%s], \"proved\": %d, \"violated\": %d, \"unknown\": %d}\n",
               ctx.entries.s ? ctx.entries.s : "", ctx.nentries ? "\n" : "", ctx.proved,
               ctx.violated, ctx.unknown);
    else if (ctx.format == FMT_SARIF)
        print_sarif(&ctx);
    else
        printf("%d proved, %d violated, %d unknown\n", ctx.proved, ctx.violated, ctx.unknown);
    free(ctx.entries.s);
    for (int k = 0; k < ctx.nkinds; k++)
        free(ctx.kinds[k]);
    if (ctx.failed)
        return EXIT_USAGE;
    if (ctx.violated)
        return 1;
    if (ctx.unknown || status != EXIT_OK)
        return 2;
    return EXIT_OK;
}
