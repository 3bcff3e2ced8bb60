/* json.c — a small deterministic JSON writer for the artifacts (ABI, storage layout,
 * method identifiers): proper string escaping, optional two-space indentation. */
#include <stdlib.h>
#include <string.h>

#include "backends/abi/abi.h"

void json_init(Json *j, FILE *out, bool pretty) {
    memset(j, 0, sizeof *j);
    j->out = out;
    j->pretty = pretty;
    j->first[0] = true;
}

static void newline(Json *j) {
    if (!j->pretty)
        return;
    fputc('\n', j->out);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->out);
}

/* Separator before a value or key at the current depth. */
static void before_value(Json *j) {
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        fputc(',', j->out);
    j->first[j->depth] = false;
    if (j->depth)
        newline(j);
}

static void open(Json *j, char c) {
    before_value(j);
    fputc(c, j->out);
    if (j->depth < 63)
        j->depth++;
    j->first[j->depth] = true;
}

static void close(Json *j, char c) {
    bool empty = j->first[j->depth];
    j->depth--;
    if (!empty)
        newline(j);
    fputc(c, j->out);
}

void json_obj_open(Json *j) { open(j, '{'); }
void json_obj_close(Json *j) { close(j, '}'); }
void json_arr_open(Json *j) { open(j, '['); }
void json_arr_close(Json *j) { close(j, ']'); }

static void write_string(FILE *out, const char *s, size_t n) {
    fputc('"', out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        case '\b': fputs("\\b", out); break;
        case '\f': fputs("\\f", out); break;
        default:
            if (c < 0x20)
                fprintf(out, "\\u%04x", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

void json_key(Json *j, const char *k) {
    before_value(j);
    write_string(j->out, k, strlen(k));
    fputs(j->pretty ? ": " : ":", j->out);
    j->after_key = true;
}

void json_str(Json *j, const char *s) { json_strn(j, s, strlen(s)); }

void json_strn(Json *j, const char *s, size_t n) {
    before_value(j);
    write_string(j->out, s, n);
}

void json_int(Json *j, long long v) {
    before_value(j);
    fprintf(j->out, "%lld", v);
}

void json_bool(Json *j, bool v) {
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void json_raw(Json *j, const char *text) {
    before_value(j);
    fputs(text, j->out);
}

char *json_to_string(Arena *arena, bool pretty, void (*fill)(Json *, const void *), const void *ctx) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    Json j;
    json_init(&j, f, pretty);
    fill(&j, ctx);
    fclose(f);
    char *r = arena_strndup(arena, buf ? buf : "", len);
    free(buf);
    return r;
}
