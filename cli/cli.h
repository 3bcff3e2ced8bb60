/* cli.h — what the `writ` subcommands share: the exit-status convention, the command
 * table and option helpers. Each subcommand lives in its own cmd_*.c file. */
#ifndef WRIT_CLI_H
#define WRIT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ir/ir.h"

/* Exit statuses, documented in `writ help` and README.md. */
enum {
    EXIT_OK = 0,       /* success */
    EXIT_INPUT = 1,    /* the input is wrong: errors in a contract, an invalid module... */
    EXIT_USAGE = 2,    /* bad command line, or an internal error */
};

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;
    const char *usage;                 /* full help text */
} Command;

int cmd_check(int argc, char **argv);
int cmd_ir(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int bench_vm(int argc, char **argv); /* bench_vm.c */
int cmd_test(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* True when argv holds -h or --help; the caller prints its usage. */
bool cli_wants_help(int argc, char **argv);
/* Prints "writ CMD: message" and the usage hint; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The folder `import std.x;` reads from: $WRIT_STDLIB, else the one built in. */
const char *cli_stdlib_dir(void);
/* pipeline.c: the ways into the IR. Each validates the IR, calls `fn` on every module (one
 * per contract; IR text holds one) until one returns non-zero, prints the diagnostics and
 * returns the status. `cmd` names the command in messages. */
typedef int (*CliModuleFn)(IrModule *m, DiagSink *diags, void *ctx);
int cli_modules_from_source(const char *cmd, const char *path, CliModuleFn fn, void *ctx);
int cli_module_from_ir_text(const char *cmd, const char *path, CliModuleFn fn, void *ctx);
/* Runs the optimisation pipeline up to `stop_after` (NULL: all of it). */
int cli_optimize(const char *cmd, IrModule *m, const char *stop_after, DiagSink *diags);

/* The checks (overflow, bounds, division, asserts) the verifier proves can never fail are
 * marked IR_F_PROVEN in m (already optimised), so every backend omits them: the verifier
 * runs with checks only, through the cache (verify_run.c). With `keep` nothing changes
 * (`--keep-checks`). Returns EXIT_OK, or EXIT_USAGE on an internal error. */
int cli_prove_checks(IrModule *m, bool keep, DiagSink *diags);
/* `writ test --keep-checks`: the scenarios' contracts keep every check (cmd_test.c). */
extern bool cli_test_keep_checks;

/* Finds a command by name in the table (NULL if none). */
const Command *cli_find_command(const char *name);

#endif
