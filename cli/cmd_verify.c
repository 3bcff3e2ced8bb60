/* cmd_verify.c — `writ verify FILE... [--format text|json]`: every contract's optimised IR
 * through the verifier; findings printed like compiler errors (or as JSON), then a
 * summary. Exit status: 0 all proved, 1 a violation, 2 unknown or an error. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "verify/verify.h"

typedef struct VerifyCtx {
    bool json;
    unsigned rlimit;
    int nprinted;
    int proved, violated, unknown;
} VerifyCtx;

static void json_str(FILE *out, const char *s) {
    fputc('"', out);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static const char *const verdict_names[] = {"proved", "violated", "unknown"};

static int verify_module(IrModule *m, DiagSink *diags, void *vctx) {
    VerifyCtx *ctx = vctx;
    int st = cli_optimize("verify", m, NULL, diags);
    if (st != EXIT_OK)
        return st;
    VerReport rep = {0};
    VerOptions vo = {.rlimit = ctx->rlimit, .only_func = -1};
    ver_module_verify(m, &vo, &rep);
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
        if (ctx->json) {
            printf("%s\n  {\"contract\": ", ctx->nprinted++ ? "," : "");
            json_str(stdout, m->name);
            printf(", \"function\": ");
            json_str(stdout, r->func);
            printf(", \"in\": ");
            json_str(stdout, r->where);
            printf(", \"kind\": ");
            json_str(stdout, r->kind);
            printf(", \"file\": ");
            json_str(stdout, path);
            printf(", \"line\": %u, \"col\": %u, \"verdict\": \"%s\"", line, col,
                   verdict_names[r->verdict]);
            if (r->detail) {
                printf(", \"%s\": ", r->verdict == VER_VIOLATED ? "counterexample" : "reason");
                json_str(stdout, r->detail);
            }
            printf("}");
        } else if (r->verdict == VER_VIOLATED) {
            printf("%s:%u:%u: error: %s can fail: %s\n", path, line, col, what, r->detail);
        } else if (r->verdict == VER_UNKNOWN) {
            printf("%s:%u:%u: warning: %s not proved: %s\n", path, line, col, what, r->detail);
        }
    }
    ctx->proved += rep.proved;
    ctx->violated += rep.violated;
    ctx->unknown += rep.unknown;
    return EXIT_OK;
}

int cmd_verify(int argc, char **argv) {
    VerifyCtx ctx = {.rlimit = VER_RLIMIT_DEFAULT};
    int nfiles = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rlimit") == 0) {
            char *end = NULL;
            unsigned long v = i + 1 < argc ? strtoul(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || !end || *end || v == 0 || v > 4000000000UL)
                return cli_usage_error("verify", "--rlimit needs a positive number");
            ctx.rlimit = (unsigned)v;
            i++;
        } else if (strcmp(argv[i], "--format") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("verify", "--format needs 'text' or 'json'");
            i++;
            if (strcmp(argv[i], "json") == 0)
                ctx.json = true;
            else if (strcmp(argv[i], "text") != 0)
                return cli_usage_error("verify", "unknown format '%s'", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage_error("verify", "unknown option '%s'", argv[i]);
        } else {
            nfiles++;
        }
    }
    if (nfiles == 0)
        return cli_usage_error("verify", "no input files");
    int status = EXIT_OK;
    if (ctx.json)
        printf("{\"results\": [");
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "--rlimit") == 0) {
            i++;
            continue;
        }
        if (cli_modules_from_source("verify", argv[i], verify_module, &ctx) != EXIT_OK)
            status = 2;
    }
    if (ctx.json)
        printf("%s], \"proved\": %d, \"violated\": %d, \"unknown\": %d}\n", ctx.nprinted ? "\n" : "",
               ctx.proved, ctx.violated, ctx.unknown);
    else
        printf("%d proved, %d violated, %d unknown\n", ctx.proved, ctx.violated, ctx.unknown);
    if (ctx.violated)
        return 1;
    if (ctx.unknown || status != EXIT_OK)
        return 2;
    return EXIT_OK;
}
