/* scenario_evm.c — the EVM runner of `writ test`: compiles each deployment's contract with
 * the EVM backend, writes the artifacts and a plan (the scenario as JSON, every value with
 * its line and column) into a temporary folder, and plays it on @ethereumjs/evm through
 * node and cli/scenario_evm.mjs. That script encodes values with the contracts' ABI and
 * checks the expectations; this file prints its verdicts against the scenario's lines. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backends/evm/evm.h"
#include "cli.h"
#include "frontend/frontend.h"
#include "scenario.h"

#ifndef WRIT_BUILD_DIR
#define WRIT_BUILD_DIR "build"
#endif

/* The folder with evmrun.mjs and its node_modules: $WRIT_EVM_ORACLE, else the copy the
 * tests install in the build tree (tests/oracle/setup.sh). */
static const char *oracle_dir(void) {
    const char *env = getenv("WRIT_EVM_ORACLE");
    return env && *env ? env : WRIT_BUILD_DIR "/oracle";
}

static bool file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static bool node_on_path(void) {
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char buf[4096];
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof buf, "%.*s/node", (int)n, path);
        if (access(buf, X_OK) == 0)
            return true;
        path += n + (path[n] == ':');
    }
    return false;
}

/* ---------------------------------------------------------------- plan JSON */

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void json_node(FILE *f, const ScNode *n) {
    if (!n) {
        fputs("null", f);
        return;
    }
    static const char kinds[SC_KIND_COUNT] = {'s', 'a', 'm'};
    fprintf(f, "{\"k\":\"%c\",\"l\":%d,\"c\":%d,", kinds[n->kind], n->line, n->col);
    if (n->kind == SC_SCALAR) {
        fprintf(f, "\"q\":%s,\"v\":", n->quoted ? "true" : "false");
        json_str(f, n->text);
    } else {
        fputs("\"v\":[", f);
        for (int i = 0; i < n->n; i++) {
            if (i)
                fputc(',', f);
            if (n->kind == SC_MAP) {
                fputc('[', f);
                json_node(f, n->items[2 * i]);
                fputc(',', f);
                json_node(f, n->items[2 * i + 1]);
                fputc(']', f);
            } else {
                json_node(f, n->items[i]);
            }
        }
        fputc(']', f);
    }
    fputc('}', f);
}

/* A sender or value as a plain JSON string (null when absent); '@' dropped from names. */
static void json_name(FILE *f, const ScNode *n) {
    if (!n)
        fputs("null", f);
    else
        json_str(f, n->text[0] == '@' ? n->text + 1 : n->text);
}

static bool write_plan(const Scenario *sc, const char *dir, const char *path) {
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("{\"accounts\":[", f);
    for (int i = 0; i < sc->naccounts; i++) {
        fprintf(f, "%s{\"name\":", i ? "," : "");
        json_str(f, sc->accounts[i].name->text);
        fputs(",\"balance\":", f);
        json_str(f, sc->accounts[i].balance->text);
        fputc('}', f);
    }
    fputs("],\n\"deployments\":[", f);
    for (int i = 0; i < sc->ndeploys; i++) {
        const ScDeploy *d = &sc->deploys[i];
        fprintf(f, "%s{\"l\":%d,\"c\":%d,\"name\":", i ? ",\n" : "", d->at->line, d->at->col);
        json_str(f, d->name);
        fputs(",\"contract\":", f);
        json_str(f, d->contract);
        fprintf(f, ",\"artifact\":");
        char art[4096];
        snprintf(art, sizeof art, "%s/%s.json", dir, d->name);
        json_str(f, art);
        fputs(",\"args\":", f);
        json_node(f, d->args);
        fputs(",\"from\":", f);
        json_name(f, d->from);
        fputs(",\"value\":", f);
        json_name(f, d->value);
        fputs(",\"time\":", f);
        json_name(f, d->time);
        fputs(",\"reverts\":", f);
        json_node(f, d->reverts);
        fputs(",\"events\":", f);
        json_node(f, d->events);
        fputc('}', f);
    }
    fputs("],\n\"steps\":[", f);
    for (int i = 0; i < sc->nsteps; i++) {
        const ScStep *s = &sc->steps[i];
        fprintf(f, "%s{\"l\":%d,\"c\":%d,\"sig\":", i ? ",\n" : "", s->at->line, s->at->col);
        json_str(f, s->call->text);
        fputs(",\"call\":", f);
        json_node(f, s->call);
        fputs(",\"to\":", f);
        json_str(f, s->to->name);
        fputs(",\"from\":", f);
        json_name(f, s->from);
        fputs(",\"value\":", f);
        json_name(f, s->value);
        fputs(",\"time\":", f);
        json_name(f, s->time);
        const struct { const char *key; const ScNode *n; } parts[] = {
            {"args", s->args},         {"returns", s->returns}, {"reverts", s->reverts},
            {"events", s->events},     {"storage", s->storage}, {"balances", s->balances},
        };
        for (size_t j = 0; j < sizeof parts / sizeof parts[0]; j++) {
            fprintf(f, ",\"%s\":", parts[j].key);
            json_node(f, parts[j].n);
        }
        if (s->gas_at_most) {
            fputs(",\"gas_at_most\":", f);
            json_str(f, s->gas_at_most->text);
        }
        fputc('}', f);
    }
    fputs("]}\n", f);
    return fclose(f) == 0;
}

/* ---------------------------------------------------------------- compiling */

/* Compiles d's source and writes DIR/NAME.json for its contract. Checks that every step
 * sent to d calls a function the contract has. */
static bool build_deploy(Scenario *sc, const ScDeploy *d, const char *dir, FILE *err) {
    Compilation c;
    fe_init(&c, cli_stdlib_dir());
    bool ok = false;
    const ScNode *src = NULL, *con = NULL;
    for (int i = 0; i < d->at->n; i++) {
        if (strcmp(d->at->items[2 * i]->text, "source") == 0)
            src = d->at->items[2 * i + 1];
        if (strcmp(d->at->items[2 * i]->text, "contract") == 0)
            con = d->at->items[2 * i + 1];
    }
    if (!file_exists(d->source)) {
        scen_error(sc, err, src, "cannot read the contract source '%s'", d->source);
        goto done;
    }
    if (!fe_load(&c, d->source) || !fe_check(&c) || !fe_lower(&c)) {
        diag_print(&c.diags, err);
        scen_error(sc, err, src, "'%s' does not compile", d->source);
        goto done;
    }
    IrModule *m = NULL;
    for (int i = 0; i < c.nmodules; i++)
        if (strcmp(c.modules[i]->name, d->contract) == 0)
            m = c.modules[i];
    if (!m) {
        scen_error(sc, err, con, "'%s' has no contract '%s'", d->source, d->contract);
        goto done;
    }
#ifdef NDEBUG
    bool validate = false;
#else
    bool validate = true;
#endif
    Arena arena;
    arena_init(&arena);
    EvmOutput out;
    EvmOptions opt = {.listing = false};
    if (!ir_optimize(m, NULL, validate, &c.diags) ||
        cli_prove_checks(m, cli_test_keep_checks, &c.diags) != EXIT_OK || /* as `writ build` */
        !evm_compile(m, &arena, &c.diags, &opt, &out)) {
        diag_print(&c.diags, err);
        scen_error(sc, err, con, "the EVM backend cannot compile '%s'", d->contract);
        arena_free(&arena);
        goto done;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", dir, d->name);
    ok = evm_write_artifact(m, &out, path);
    if (!ok)
        fprintf(err, "writ test: cannot write '%s': %s\n", path, strerror(errno));
    for (int i = 0; ok && i < sc->nsteps; i++) {
        const ScStep *s = &sc->steps[i];
        char key[1024];
        snprintf(key, sizeof key, "\"%s\"", s->call->text);
        if (s->to == d && !strstr(out.method_ids_json, key))
            scen_error(sc, err, s->call, "contract %s (deployed as '%s') has no function %s",
                       d->contract, d->name, s->call->text);
    }
    arena_free(&arena);
done:
    fe_free(&c);
    return ok;
}

/* ---------------------------------------------------------------- running */

static const char *step_label(const ScStep *s, char *buf, size_t n) {
    snprintf(buf, n, "%.*s", (int)strcspn(s->call->text, "("), s->call->text);
    return buf;
}

/* Splits a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max) {
    int n = 0;
    line[strcspn(line, "\n")] = 0;
    while (n < max) {
        f[n++] = line;
        char *t = strchr(line, '\t');
        if (!t)
            break;
        *t = 0;
        line = t + 1;
    }
    return n;
}

/* Reads the driver's report: prints verdicts and counts failures; answers the host's
 * requests on `reply`. */
static int read_report(Scenario *sc, const ScHost *host, FILE *in, FILE *reply,
                       ScOutcome *outcomes, FILE *out, FILE *err, int *failed) {
    char *line = NULL;
    size_t cap = 0;
    int status = EXIT_OK;
    const char *tag = host ? host->name : "";
    while (getline(&line, &cap, in) > 0) {
        char *f[64];
        int n = split_tabs(line, f, 64);
        if (strcmp(f[0], "REQ") == 0 && host && reply) {
            host->answer(host->ud, f + 1, n - 1, reply);
            fflush(reply);
        } else if (strcmp(f[0], "ERROR") == 0 && n >= 4) {
            ScNode at = {.line = atoi(f[1]), .col = atoi(f[2])};
            scen_error(sc, err, at.line ? &at : NULL, "%s", f[3]);
            status = EXIT_INPUT;
        } else if (strcmp(f[0], "DEPLOY") == 0 && n >= 5) {
            int i = atoi(f[1]);
            if (i < 0 || i >= sc->ndeploys)
                continue;
            const ScDeploy *d = &sc->deploys[i];
            if (strcmp(f[2], "ok") == 0) {
                fprintf(out, "%s:%d: deploy %s%s: %s (gas %s)\n", sc->path, d->at->line, d->name,
                        tag, f[4], f[3]);
            } else {
                fprintf(out, "%s:%d: deploy %s%s: FAIL: %s\n", sc->path, d->at->line, d->name, tag,
                        f[4]);
                ++*failed;
            }
        } else if (strcmp(f[0], "STEP") == 0 && n >= 6) {
            int i = atoi(f[1]);
            if (i < 0 || i >= sc->nsteps)
                continue;
            const ScStep *s = &sc->steps[i];
            char label[256];
            bool pass = strcmp(f[2], "pass") == 0;
            fprintf(out, "%s:%d: %s%s: %s%s (gas %s)\n", sc->path, s->at->line,
                    step_label(s, label, sizeof label), tag, pass ? "" : "FAIL: ", f[4], f[3]);
            outcomes[i].ran = true;
            outcomes[i].pass = pass;
            free(outcomes[i].observed);
            outcomes[i].observed = strdup(f[5]);
            *failed += !pass;
        } else {
            fprintf(err, "writ test: %s", line);
        }
    }
    free(line);
    return status;
}

static int run_driver(Scenario *sc, const ScHost *host, const char *plan, ScOutcome *outcomes,
                      FILE *out, FILE *err) {
    const char *driver = getenv("WRIT_SCENARIO_DRIVER");
    if (!driver || !*driver)
        driver = WRIT_SOURCE_DIR "/cli/scenario_evm.mjs";
    int fds[2], back[2] = {-1, -1};
    if (pipe(fds) != 0 || (host && pipe(back) != 0)) {
        fprintf(err, "writ test: pipe: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    fflush(out);
    fflush(err);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(err, "writ test: fork: %s\n", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return EXIT_USAGE;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (host) {
            dup2(back[0], 0);
            close(back[0]);
            close(back[1]);
        }
        execlp("node", "node", driver, oracle_dir(), plan, host ? "--host" : (char *)NULL,
               (char *)NULL);
        fprintf(stderr, "writ test: cannot run node: %s\n", strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    FILE *reply = NULL;
    if (host) {
        close(back[0]);
        reply = fdopen(back[1], "w");
    }
    /* A driver that dies mid-request must not take writ with it. */
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);
    FILE *in = fdopen(fds[0], "r");
    int failed = 0;
    int status = read_report(sc, host, in, reply, outcomes, out, err, &failed);
    fclose(in);
    if (reply)
        fclose(reply);
    signal(SIGPIPE, old_pipe);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        fprintf(err, "writ test: the scenario driver (%s) failed (exit %d)\n", driver,
                WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
        return EXIT_USAGE;
    }
    if (status != EXIT_OK)
        return status;
    for (int i = 0; i < sc->nsteps; i++) {
        if (outcomes[i].ran)
            continue;
        char label[256];
        fprintf(out, "%s:%d: %s%s: FAIL: not run (a deployment failed)\n", sc->path,
                sc->steps[i].at->line, step_label(&sc->steps[i], label, sizeof label),
                host ? host->name : "");
        failed++;
    }
    return failed ? EXIT_INPUT : EXIT_OK;
}

static void remove_tree(const char *dir, const Scenario *sc) {
    char path[4096];
    for (int i = 0; i < sc->ndeploys; i++) {
        snprintf(path, sizeof path, "%s/%s.json", dir, sc->deploys[i].name);
        remove(path);
    }
    snprintf(path, sizeof path, "%s/plan.json", dir);
    remove(path);
    rmdir(dir);
}

/* The contracts are compiled (and the calls checked against them) before node is looked
 * for, so a wrong scenario is reported the same everywhere. */
int scen_run_evm(Scenario *sc, ScOutcome *outcomes, FILE *out, FILE *err) {
    return scen_run_node(sc, NULL, outcomes, out, err);
}

int scen_run_node(Scenario *sc, const ScHost *host, ScOutcome *outcomes, FILE *out, FILE *err) {
    char dir[] = "/tmp/writ-test-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(err, "writ test: cannot make a temporary folder: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 0; i < sc->ndeploys; i++)
        if (!build_deploy(sc, &sc->deploys[i], dir, err))
            status = EXIT_INPUT;
    if (status == EXIT_OK && sc->errors)
        status = EXIT_INPUT;
    if (status == EXIT_OK && host && !host->prepare(host->ud, sc, err))
        status = EXIT_INPUT;
    char probe[4096], mjs[4096], plan[4096];
    snprintf(probe, sizeof probe, "%s/node_modules/@ethereumjs/evm", oracle_dir());
    snprintf(mjs, sizeof mjs, "%s/evmrun.mjs", oracle_dir());
    snprintf(plan, sizeof plan, "%s/plan.json", dir);
    if (status == EXIT_OK && !node_on_path()) {
        fprintf(err, "writ test: node not found on PATH: every target needs it (the scenario "
                     "driver, and @ethereumjs/evm for the evm target)\n");
        status = EXIT_USAGE;
    } else if (status == EXIT_OK && (!file_exists(probe) || !file_exists(mjs))) {
        fprintf(err, "writ test: no EVM oracle in '%s' (evmrun.mjs and its node_modules): set "
                     "WRIT_EVM_ORACLE, or install one with tests/oracle/setup.sh SHARED DIR "
                     "(needs npm)\n", oracle_dir());
        status = EXIT_USAGE;
    }
    if (status == EXIT_OK && !write_plan(sc, dir, plan)) {
        fprintf(err, "writ test: cannot write '%s'\n", plan);
        status = EXIT_USAGE;
    }
    if (status == EXIT_OK)
        status = run_driver(sc, host, plan, outcomes, out, err);
    if (!getenv("WRIT_TEST_KEEP"))
        remove_tree(dir, sc);
    else
        fprintf(err, "writ test: kept %s\n", dir);
    return status;
}
