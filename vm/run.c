/* run.c — `writ vm run FILE.wasm|FILE.wat [--invoke NAME] [ARGS...]`: instantiate a module (imports
 * only from the `spectest` host module), call an export with integer/float arguments and print its results (unsigned
 * decimal for integers, as the benchmark checksums are written). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm.h"
#include "vm/wat.h"

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0) { fclose(f); return NULL; }
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static bool parse_arg(const char *s, uint8_t type, VmValue *v) {
    char *end;
    errno = 0;
    v->type = type;
    if (type == VM_F32) { float f = strtof(s, &end); uint32_t b; memcpy(&b, &f, 4); v->bits = b; }
    else if (type == VM_F64) { double d = strtod(s, &end); memcpy(&v->bits, &d, 8); }
    else if (s[0] == '-') { v->bits = (uint64_t)strtoll(s, &end, 0); }
    else { v->bits = strtoull(s, &end, 0); }
    if (type == VM_I32) v->bits &= 0xffffffffu;
    return errno == 0 && *end == 0 && end != s;
}

static void print_value(VmValue v) {
    switch (v.type) {
    case VM_I32: case VM_I64: printf("%llu\n", (unsigned long long)v.bits); break;
    case VM_F32: { uint32_t b = (uint32_t)v.bits; float f; memcpy(&f, &b, 4); printf("%.9g\n", f); break; }
    case VM_F64: { double d; memcpy(&d, &v.bits, 8); printf("%.17g\n", d); break; }
    default: printf("ref:%llx\n", (unsigned long long)v.bits); break;
    }
}

int vm_run_main(int argc, char **argv) {
    const char *file = NULL, *fn = NULL;
    int argi = argc;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) { fn = argv[++i]; argi = i + 1; break; }
        if (!file) file = argv[i];
        else { argi = i; break; }
    }
    if (!file) { fprintf(stderr, "usage: writ vm run FILE.wasm|FILE.wat [--invoke NAME] [ARGS...]\n"); return 2; }
    size_t len;
    char *bytes = slurp(file, &len);
    if (!bytes) { fprintf(stderr, "writ vm run: cannot read %s\n", file); return 1; }
    if (vm_wat_is_text_name(file)) { /* text: read it into a binary module first */
        uint8_t *bin;
        size_t blen;
        VmError werr;
        if (vm_wat_to_wasm(bytes, len, &bin, &blen, &werr) != VM_OK) {
            fprintf(stderr, "%s:%s\n", file, werr.msg);
            free(bytes);
            return 1;
        }
        free(bytes);
        if (!(bytes = malloc(blen + 1))) { vm_wat_free(bin); return 1; }
        memcpy(bytes, bin, blen);
        len = blen;
        vm_wat_free(bin);
    }
    int rc = 1;
    VmStore *s = vm_store_new(NULL);
    VmModule *m;
    VmInstance *inst;
    VmError err;
    if (!s) { fprintf(stderr, "writ vm run: out of memory\n"); free(bytes); return 1; }
    if (vm_module_load(s, (const uint8_t *)bytes, len, &m, &err) != VM_OK) {
        fprintf(stderr, "%s: byte %zu: %s: %s\n", file, err.offset, vm_status_str(err.status), err.msg);
        goto out;
    }
    uint32_t nimp = vm_module_import_count(m);
    VmExtern *imports = calloc(nimp + 1, sizeof *imports);
    if (!imports) goto out;
    if (nimp && !vm_spectest_imports(s, m, imports)) {
        for (uint32_t i = 0; i < nimp; i++) {
            if (imports[i].ptr) continue;
            const char *mod, *name;
            size_t ml, nl;
            uint8_t kind;
            vm_module_import(m, i, &mod, &ml, &name, &nl, &kind);
            fprintf(stderr, "%s: unresolved import %s.%s (run provides only 'spectest')\n", file, mod, name);
            break;
        }
        free(imports);
        goto out;
    }
    VmStatus ist = vm_instantiate(s, m, imports, nimp, &inst, &err);
    free(imports);
    if (ist != VM_OK) {
        fprintf(stderr, "%s: %s\n", file, err.msg);
        goto out;
    }
    if (!fn) { rc = 0; goto out; }
    VmExtern x;
    if (vm_instance_export(inst, fn, &x) != VM_OK || x.kind != VM_EXTERN_FUNC) {
        fprintf(stderr, "%s: no exported function '%s'\n", file, fn);
        goto out;
    }
    VmFunc *f = x.ptr;
    uint32_t np = vm_func_param_count(f), nr = vm_func_result_count(f);
    if ((uint32_t)(argc - argi) != np) {
        fprintf(stderr, "%s: '%s' takes %u arguments, %d given\n", file, fn, np, argc - argi);
        goto out;
    }
    VmValue *args = calloc(np + 1, sizeof *args), *res = calloc(nr + 1, sizeof *res);
    if (!args || !res) { free(args); free(res); goto out; }
    bool ok = true;
    for (uint32_t i = 0; i < np && ok; i++)
        if (!parse_arg(argv[argi + i], vm_func_param_type(f, i), &args[i])) {
            fprintf(stderr, "%s: bad argument '%s'\n", file, argv[argi + i]);
            ok = false;
        }
    if (ok) {
        VmStatus st = vm_invoke(s, f, args, np, res, nr);
        if (st != VM_OK) fprintf(stderr, "%s: trap: %s\n", file, vm_store_trap_message(s));
        else {
            for (uint32_t i = 0; i < nr; i++) print_value(res[i]);
            rc = 0;
        }
    }
    free(args);
    free(res);
out:
    vm_store_free(s);
    free(bytes);
    return rc;
}
