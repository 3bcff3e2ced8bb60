/* spec.c — the official spec-suite harness (`writ vm spec DIR`): reads wast2json output,
 * runs every command kind against the engine with the `spectest` host module and
 * registered instances, and prints passed/failed/skipped per file. Text-format modules
 * (.wat, assert_malformed on module quote) go through the WAT reader (wat.c) first. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/json.h"
#include "vm/wat.h"
#include "vm/vm.h"

enum { SPEC_MAX_NAMED = 4096, SPEC_MAX_VALUES = 64 };

typedef struct { char *name; VmInstance *inst; } Named;

typedef struct {
    const char *field;
    VmExtern ext;
} HostExport;

typedef struct {
    VmStore *store;
    const char *dir; /* folder of the json file */
    VmInstance *cur;
    Named named[SPEC_MAX_NAMED]; int nnamed;
    Named regs[SPEC_MAX_NAMED]; int nregs;
    HostExport spectest[16]; int nspectest;
    int passed, failed, skipped;
    int texts, texts_matched; /* expected error texts of assert_malformed/invalid vs ours */
    bool verbose;
    const char *file;
} Spec;

static VmStatus host_print(void *ud, uint64_t *args, uint64_t *results) {
    (void)ud; (void)args; (void)results;
    return VM_OK;
}

static bool make_spectest(Spec *s) {
    static const struct { const char *name, *params; } prints[] = {
        { "print", "" }, { "print_i32", "i" }, { "print_i64", "I" }, { "print_f32", "f" },
        { "print_f64", "F" }, { "print_i32_f32", "if" }, { "print_f64_f64", "FF" },
    };
    s->nspectest = 0;
    for (unsigned i = 0; i < sizeof prints / sizeof prints[0]; i++) {
        VmFunc *f = vm_host_func_new(s->store, prints[i].params, "", host_print, NULL);
        if (!f) return false;
        s->spectest[s->nspectest++] = (HostExport){ prints[i].name, { VM_EXTERN_FUNC, f } };
    }
    float f32 = 666.6f;
    double f64 = 666.6;
    uint32_t b32;
    uint64_t b64;
    memcpy(&b32, &f32, 4);
    memcpy(&b64, &f64, 8);
    VmGlobal *g[4] = {
        vm_global_new(s->store, VM_I32, false, 666), vm_global_new(s->store, VM_I64, false, 666),
        vm_global_new(s->store, VM_F32, false, b32), vm_global_new(s->store, VM_F64, false, b64),
    };
    static const char *gnames[4] = { "global_i32", "global_i64", "global_f32", "global_f64" };
    for (int i = 0; i < 4; i++) {
        if (!g[i]) return false;
        s->spectest[s->nspectest++] = (HostExport){ gnames[i], { VM_EXTERN_GLOBAL, g[i] } };
    }
    VmTable *t = vm_table_new(s->store, VM_FUNCREF, 10, 20, true);
    VmMemory *m = vm_memory_new(s->store, 1, 2, true);
    if (!t || !m) return false;
    s->spectest[s->nspectest++] = (HostExport){ "table", { VM_EXTERN_TABLE, t } };
    s->spectest[s->nspectest++] = (HostExport){ "memory", { VM_EXTERN_MEMORY, m } };
    return true;
}

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb; cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void failf(Spec *s, int line, const char *fmt, const char *a, const char *b) {
    s->failed++;
    if (s->verbose) {
        printf("  FAIL %s:%d: ", s->file, line);
        printf(fmt, a, b);
        printf("\n");
    }
}

static VmInstance *find_instance(Spec *s, const char *name) {
    if (!name) return s->cur;
    for (int i = s->nnamed; i-- > 0;)
        if (strcmp(s->named[i].name, name) == 0) return s->named[i].inst;
    return NULL;
}

static VmStatus resolve_imports(Spec *s, VmModule *m, VmExtern **out) {
    uint32_t n = vm_module_import_count(m);
    VmExtern *ext = calloc(n + 1, sizeof *ext);
    if (!ext) return VM_OUT_OF_MEMORY;
    for (uint32_t i = 0; i < n; i++) {
        const char *mod, *name;
        size_t mlen, nlen;
        uint8_t kind;
        vm_module_import(m, i, &mod, &mlen, &name, &nlen, &kind);
        ext[i].kind = kind;
        if (mlen == 8 && memcmp(mod, "spectest", 8) == 0) {
            for (int k = 0; k < s->nspectest; k++)
                if (strlen(s->spectest[k].field) == nlen && memcmp(s->spectest[k].field, name, nlen) == 0)
                    ext[i] = s->spectest[k].ext;
            continue;
        }
        for (int r = s->nregs; r-- > 0;) {
            if (strlen(s->regs[r].name) == mlen && memcmp(s->regs[r].name, mod, mlen) == 0) {
                VmExtern x;
                if (vm_instance_export_n(s->regs[r].inst, name, nlen, &x) == VM_OK) ext[i] = x;
                break;
            }
        }
    }
    *out = ext;
    return VM_OK;
}

bool vm_spectest_imports(VmStore *store, VmModule *m, VmExtern *out) {
    Spec *s = calloc(1, sizeof *s);
    if (!s) return false;
    s->store = store;
    bool ok = make_spectest(s);
    VmExtern *ext = NULL;
    if (ok && resolve_imports(s, m, &ext) == VM_OK) {
        for (uint32_t i = 0; i < vm_module_import_count(m); i++) {
            out[i] = ext[i];
            if (!ext[i].ptr) ok = false;
        }
    } else {
        ok = false;
    }
    free(ext);
    free(s);
    return ok;
}

/* Loads the module file; *inst set when instantiated. Returns the failing status. */
static VmStatus load_module(Spec *s, const char *filename, VmModule **mod, VmInstance **inst, VmError *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", s->dir, filename);
    size_t len;
    char *bytes = read_file(path, &len);
    *inst = NULL;
    *mod = NULL;
    if (!bytes) { snprintf(err->msg, sizeof err->msg, "cannot read %s", path); err->status = VM_NOT_FOUND; return VM_NOT_FOUND; }
    if (vm_wat_is_text_name(filename)) { /* a text module: the WAT reader must accept it first */
        uint8_t *bin;
        size_t blen;
        VmStatus wst = vm_wat_to_wasm(bytes, len, &bin, &blen, err);
        free(bytes);
        if (wst != VM_OK) return wst;
        VmStatus st = vm_module_load(s->store, bin, blen, mod, err);
        vm_wat_free(bin);
        if (st != VM_OK) return st;
        bytes = NULL;
    } else {
        VmStatus st = vm_module_load(s->store, (const uint8_t *)bytes, len, mod, err);
        free(bytes);
        if (st != VM_OK) return st;
    }
    VmStatus st;
    VmExtern *ext = NULL;
    if ((st = resolve_imports(s, *mod, &ext)) != VM_OK) return st;
    st = vm_instantiate(s->store, *mod, ext, vm_module_import_count(*mod), inst, err);
    free(ext);
    return st;
}

static bool parse_value(const Json *v, VmValue *out) {
    const char *type = json_get_str(v, "type"), *val = json_get_str(v, "value");
    if (!type) return false;
    if (strcmp(type, "i32") == 0) out->type = VM_I32;
    else if (strcmp(type, "i64") == 0) out->type = VM_I64;
    else if (strcmp(type, "f32") == 0) out->type = VM_F32;
    else if (strcmp(type, "f64") == 0) out->type = VM_F64;
    else if (strcmp(type, "externref") == 0) out->type = VM_EXTERNREF;
    else if (strcmp(type, "funcref") == 0) out->type = VM_FUNCREF;
    else return false;
    out->bits = 0;
    if (!val) return true;
    if (strcmp(val, "null") == 0) { out->bits = 0; return true; }
    if (strncmp(val, "nan:", 4) == 0) return true;
    errno = 0;
    out->bits = strtoull(val, NULL, 10);
    if (out->type == VM_EXTERNREF) out->bits += 1; /* keep ref.extern 0 apart from null */
    return errno == 0;
}

/* Runs an action; on success fills results. */
static VmStatus run_action(Spec *s, const Json *action, VmValue *results, uint32_t *nresults, const char **why) {
    const char *type = json_get_str(action, "type");
    const Json *field = json_get(action, "field");
    VmInstance *inst = find_instance(s, json_get_str(action, "module"));
    *why = "no such module";
    if (!inst || !type || !field || field->kind != JSON_STR) return VM_NOT_FOUND;
    VmExtern x;
    *why = "no such export";
    if (vm_instance_export_n(inst, field->str, field->len, &x) != VM_OK) return VM_NOT_FOUND;
    if (strcmp(type, "get") == 0) {
        if (x.kind != VM_EXTERN_GLOBAL) return VM_NOT_FOUND;
        results[0] = vm_global_get(x.ptr);
        *nresults = 1;
        return VM_OK;
    }
    if (x.kind != VM_EXTERN_FUNC) return VM_NOT_FOUND;
    const Json *args = json_get(action, "args");
    VmValue in[SPEC_MAX_VALUES];
    uint32_t nargs = 0;
    *why = "bad arguments";
    if (args && args->kind == JSON_ARR) {
        if (args->n > SPEC_MAX_VALUES) return VM_BAD_ARGS;
        for (size_t i = 0; i < args->n; i++)
            if (!parse_value(&args->items[i], &in[nargs++])) return VM_BAD_ARGS;
    }
    VmFunc *f = x.ptr;
    *nresults = vm_func_result_count(f);
    if (*nresults > SPEC_MAX_VALUES) return VM_BAD_ARGS;
    *why = "trap";
    return vm_invoke(s->store, f, in, nargs, results, *nresults);
}

static bool value_matches(const Json *want, VmValue got) {
    const char *type = json_get_str(want, "type"), *val = json_get_str(want, "value");
    VmValue w;
    if (!parse_value(want, &w) || w.type != got.type) return false;
    (void)type;
    if (val && strcmp(val, "nan:canonical") == 0)
        return w.type == VM_F32 ? (got.bits & 0x7fffffffu) == 0x7fc00000u
                                : (got.bits & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
    if (val && strcmp(val, "nan:arithmetic") == 0)
        return w.type == VM_F32 ? (got.bits & 0x7fc00000u) == 0x7fc00000u
                                : (got.bits & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
    if (!val && (w.type == VM_FUNCREF || w.type == VM_EXTERNREF)) return got.bits != 0;
    return w.bits == got.bits;
}

static bool text_matches(const char *want, const char *got) {
    if (!want) return true;
    size_t a = strlen(want), b = strlen(got);
    return strncmp(want, got, a < b ? a : b) == 0;
}

static void command(Spec *s, const Json *c) {
    const char *type = json_get_str(c, "type");
    const Json *linej = json_get(c, "line");
    int line = linej && linej->kind == JSON_NUM ? (int)linej->num : 0;
    const char *filename = json_get_str(c, "filename");
    const char *text = json_get_str(c, "text");
    VmError err;
    memset(&err, 0, sizeof err);
    if (!type) { failf(s, line, "command without a type%s%s", "", ""); return; }
    if (strcmp(type, "module") == 0) {
        VmModule *m;
        VmInstance *inst;
        if (!filename) { failf(s, line, "module without filename%s%s", "", ""); return; }
        VmStatus st = load_module(s, filename, &m, &inst, &err);
        if (st != VM_OK) {
            s->cur = NULL;
            failf(s, line, "module %s: %s", filename, err.msg);
            return;
        }
        s->cur = inst;
        const char *name = json_get_str(c, "name");
        if (name && s->nnamed < SPEC_MAX_NAMED) s->named[s->nnamed++] = (Named){ strdup(name), inst };
        s->passed++;
        return;
    }
    if (strcmp(type, "register") == 0) {
        VmInstance *inst = find_instance(s, json_get_str(c, "name"));
        const char *as = json_get_str(c, "as");
        if (!inst || !as || s->nregs >= SPEC_MAX_NAMED) { failf(s, line, "register failed%s%s", "", ""); return; }
        s->regs[s->nregs++] = (Named){ strdup(as), inst };
        s->passed++;
        return;
    }
    if (strcmp(type, "assert_malformed") == 0 || strcmp(type, "assert_invalid") == 0 ||
        strcmp(type, "assert_unlinkable") == 0 || strcmp(type, "assert_uninstantiable") == 0) {
        if (!filename) { failf(s, line, "%s without filename%s", type, ""); return; }
        VmModule *m;
        VmInstance *inst;
        VmStatus st = load_module(s, filename, &m, &inst, &err);
        bool load_failed = m == NULL;
        bool ok;
        if (type[7] == 'm' || type[7] == 'i') ok = load_failed && st != VM_NOT_FOUND;
        else if (type[7] == 'u' && type[9] == 'l') ok = !load_failed && st == VM_UNLINKABLE;
        else ok = !load_failed && vm_status_is_trap(st) && text_matches(text, vm_status_str(st));
        /* an invalid text module must read, then fail validation */
        if (type[7] == 'i' && vm_wat_is_text_name(filename) && st == VM_MALFORMED) ok = false;
        if (ok) s->passed++;
        else failf(s, line, "%s: got \"%s\"", type, st == VM_OK ? "success" : err.msg);
        if (ok && (type[7] == 'm' || type[7] == 'i') && text) {
            s->texts++;
            if (strstr(err.msg, text)) s->texts_matched++;
            else if (s->verbose) printf("  text %s:%d: want \"%s\", said \"%s\"\n", s->file, line, text, err.msg);
        }
        return;
    }
    const Json *action = json_get(c, "action");
    if (!action) { failf(s, line, "unknown command %s%s", type, ""); return; }
    VmValue results[SPEC_MAX_VALUES];
    uint32_t n = 0;
    const char *why;
    VmStatus st = run_action(s, action, results, &n, &why);
    if (strcmp(type, "action") == 0) {
        if (st == VM_OK) s->passed++;
        else failf(s, line, "action: %s %s", why, vm_status_str(st));
        return;
    }
    if (strcmp(type, "assert_return") == 0) {
        if (st != VM_OK) { failf(s, line, "assert_return: %s: %s", why, vm_status_str(st)); return; }
        const Json *exp = json_get(c, "expected");
        size_t ne = exp && exp->kind == JSON_ARR ? exp->n : 0;
        if (ne != n) { failf(s, line, "assert_return: result count differs%s%s", "", ""); return; }
        for (uint32_t i = 0; i < n; i++) {
            if (!value_matches(&exp->items[i], results[i])) {
                char got[64];
                snprintf(got, sizeof got, "%llu", (unsigned long long)results[i].bits);
                failf(s, line, "assert_return: want %s, got %s", json_get_str(&exp->items[i], "value"), got);
                return;
            }
        }
        s->passed++;
        return;
    }
    if (strcmp(type, "assert_trap") == 0 || strcmp(type, "assert_exhaustion") == 0) {
        bool ok = vm_status_is_trap(st) && text_matches(text, vm_status_str(st));
        if (ok) s->passed++;
        else failf(s, line, "%s: got %s", type, st == VM_OK ? "success" : vm_status_str(st));
        return;
    }
    failf(s, line, "unknown command %s%s", type, "");
}

/* Runs one NAME/NAME.json; prints its row. */
static void run_file(const char *jsondir, const char *name, bool verbose, int tot[5]) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s.json", jsondir, name, name);
    size_t len;
    char *text = read_file(path, &len);
    if (!text) { printf("%-28s cannot read %s\n", name, path); tot[1]++; return; }
    size_t off;
    const char *msg;
    Json *doc = json_parse(text, len, &off, &msg);
    free(text);
    if (!doc) { printf("%-28s %s: bad JSON at byte %zu: %s\n", name, path, off, msg); tot[1]++; return; }
    Spec *s = calloc(1, sizeof *s);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", jsondir, name);
    if (s) {
        s->dir = dir;
        s->verbose = verbose;
        s->file = name;
        s->store = vm_store_new(NULL);
    }
    if (!s || !s->store || !make_spectest(s)) {
        printf("%-28s out of memory\n", name);
        tot[1]++;
    } else {
        const Json *cmds = json_get(doc, "commands");
        for (size_t i = 0; cmds && cmds->kind == JSON_ARR && i < cmds->n; i++) command(s, &cmds->items[i]);
        printf("%-28s %7d %7d %7d\n", name, s->passed, s->failed, s->skipped);
        tot[0] += s->passed; tot[1] += s->failed; tot[2] += s->skipped;
        tot[3] += s->texts; tot[4] += s->texts_matched;
    }
    if (s) {
        for (int i = 0; i < s->nnamed; i++) free(s->named[i].name);
        for (int i = 0; i < s->nregs; i++) free(s->regs[i].name);
        vm_store_free(s->store);
        free(s);
    }
    json_free(doc);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int vm_spec_main(int argc, char **argv) {
    const char *dir = NULL, *only = NULL;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) only = argv[++i];
        else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) verbose = true;
        else if (!dir) dir = argv[i];
        else { fprintf(stderr, "writ vm spec: unexpected argument '%s'\n", argv[i]); return 2; }
    }
    if (!dir) { fprintf(stderr, "usage: writ vm spec DIR [--file NAME] [-v]\n"); return 2; }
    char jsondir[4096];
    snprintf(jsondir, sizeof jsondir, "%s/json", dir);
    DIR *d = opendir(jsondir);
    if (!d) {
        snprintf(jsondir, sizeof jsondir, "%s", dir);
        d = opendir(jsondir);
    }
    if (!d) { fprintf(stderr, "writ vm spec: cannot open %s\n", dir); return 2; }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        if (only && strcmp(only, e->d_name) != 0) continue;
        char **nn = realloc(names, sizeof *names * (n + 1));
        if (!nn) break;
        names = nn;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    printf("%-28s %7s %7s %7s\n", "file", "passed", "failed", "skipped");
    int tot[5] = { 0, 0, 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        run_file(jsondir, names[i], verbose, tot);
        free(names[i]);
    }
    free(names);
    printf("%-28s %7d %7d %7d\n", "total", tot[0], tot[1], tot[2]);
    printf("passed %d of %d commands; %d skipped\n",
           tot[0], tot[0] + tot[1] + tot[2], tot[2]);
    printf("error texts: %d of %d rejected modules (assert_malformed/assert_invalid) gave the spec's wording\n",
           tot[4], tot[3]);
    if (only && n == 0) { fprintf(stderr, "writ vm spec: no file named %s\n", only); return 2; }
    return tot[1] ? 1 : 0;
}
