/* main.c — the `writ` command: finds the subcommand and runs it. Every subcommand is
 * one row of the table below and one cmd_*.c file. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ir/base.h"

static int cmd_help(int argc, char **argv);

static const Command commands[] = {
    {"check", cmd_check, "check contracts: parse, resolve, types, safety rules",
     "usage: writ check FILE...\n"
     "\n"
     "Parses and checks each Writ source file (and what it imports): names, types and\n"
     "the safety rules. Diagnostics go to stderr as file:line:col: error: message.\n"
     "Exit status: 0 when every file is clean (warnings allowed), 1 when any has errors.\n"},
    {"ir", cmd_ir, "print the IR of a contract, or read and validate IR text",
     "usage: writ ir FILE.writ [--after PASS]\n"
     "       writ ir --parse FILE.wir [--after PASS]\n"
     "\n"
     "Prints the IR of every contract in FILE.writ as lowered from the source. With\n"
     "--after PASS the optimisation pipeline runs up to and including PASS ('all' runs\n"
     "it whole). --parse reads IR text instead, validates it and prints it back.\n"
     "Passes, in pipeline order: fold, dce, simplify-cfg.\n"
     "Exit status: 0 on success, 1 when the input has errors.\n"},
    {"build", cmd_build, "compile contracts to targets: evm (bytecode + ABI), wasm (Stylus)",
     "usage: writ build FILE.writ --target evm,wasm [-o DIR] [--asm] [-Oz] [--keep-checks]\n"
     "\n"
     "Compiles every contract of FILE.writ (or of IR text, FILE.wir) for each target:\n"
     "  evm   DIR/NAME.json in the Foundry/Hardhat shape: abi, bytecode, deployedBytecode,\n"
     "        methodIdentifiers, storageLayout, source map. --asm prints an annotated\n"
     "        assembly listing.\n"
     "  wasm  DIR/NAME.wasm (Arbitrum Stylus shape: user_entrypoint, vm_hooks imports),\n"
     "        DIR/NAME.json (abi, size, code hash) and DIR/NAME.wasm.map. -Oz optimises\n"
     "        for size instead of speed.\n"
     "DIR defaults to out. Checks the verifier proves can never fail (overflow, bounds,\n"
     "division, asserts) are left out of the code; --keep-checks keeps every one. The\n"
     "proofs are cached like `writ verify`'s ($WRIT_CACHE_DIR, default cache/writ-verify).\n"
     "Exit status: 0 on success, 1 when the input has errors.\n"},
    {"vm", cmd_vm, "run WebAssembly: plain modules and the spec test suite",
     "usage: writ vm run FILE.wasm [--invoke NAME] [ARGS...]\n"
     "       writ vm spec DIR [--file NAME]\n"
     "\n"
     "'run' instantiates a module and calls an export, printing its results.\n"
     "'spec' runs the official WebAssembly spec tests (wast2json JSON) found in DIR.\n"},
    {"bench", cmd_bench, "run the benchmarks and print their figures against targets",
     "usage: writ bench [frontend|vm|evm|verify] [ARGS...]\n"
     "\n"
     "Runs one benchmark, or all of them with no name. Each prints its measurements as\n"
     "ratios against a reference run in the same process or script, or against its target.\n"
     "  frontend   check + lower of a generated program set (>= 100k lines):\n"
     "             lines/s on one core and bytes of memory per source line\n"
     "  vm         the shared wasm programs in the VM against gcc -O2 native builds\n"
     "             (ratios, geometric mean); contract mode: instantiate+call, transfers/s\n"
     "  evm        examples/erc20.writ on the EVM oracle against solc's builds: gas per\n"
     "             call, code size, deploy gas; compile time (needs node and npm)\n"
     "  verify     writ verify, cache off: examples/erc20.writ on one core (<= 1 s CPU),\n"
     "             each example alone, all examples with 2 jobs (<= 5 s wall); verdicts\n"},
    {"test", cmd_test, "run scenario files (YAML) against contracts on a target",
     "usage: writ test FILE.yaml... [--target evm|wasm|all] [--keep-checks]\n"
     "\n"
     "Deploys the contracts each scenario names, runs its steps (calls with expected\n"
     "returns, reverts, events, storage, balances and gas) and prints a line per step:\n"
     "FILE:LINE: function: ok (gas N), or FAIL and what differed. Format: docs/SCENARIOS.md.\n"
     "  evm    @ethereumjs/evm through node (default); $WRIT_EVM_ORACLE names the folder\n"
     "         with evmrun.mjs and its node_modules (default: the build tree's oracle/)\n"
     "  wasm   the wasm backend's output on the bundled VM's contract mode (node still\n"
     "         encodes the values and checks the expectations)\n"
     "  all    every target; their outcomes (returns, reverts, events, storage) must agree\n"     "Contracts are built as `writ build` builds them (proven checks left out);\n"
     "--keep-checks keeps every check.\n"
     "Exit status: 0 every step passed, 1 a step failed or a scenario is wrong,\n"
     "2 usage, or no node/oracle/target to run on.\n"},
    {"verify", cmd_verify, "prove a contract's checks and specs with Z3, or find counterexamples",
     "usage: writ verify FILE.writ... [--format text|json|sarif] [--jobs N] [--depth K]\n"
     "                   [--rlimit N] [--emit-tests DIR] [--no-cache]\n"
     "\n"
     "Verifies every public function (and init) of each contract, on the optimised IR:\n"
     "each runtime check, assert, ensures and invariant is proved, violated (with a\n"
     "counterexample: arguments, sender, value, the storage values read) or unknown\n"
     "(with the reason, e.g. the deterministic resource limit or a loop not unrolled).\n"
     "Every counterexample is replayed on the bundled VM before it is reported; one that\n"
     "does not fail there is reported unknown (\"counterexample did not replay\").\n"
     "  --format       text (compiler-style lines), json, or sarif (SARIF 2.1.0, for\n"
     "                 GitHub code scanning)\n"
     "  --jobs N       verify functions in N worker processes (same output for any N)\n"
     "  --depth K      sequences of up to K calls after init in the multi-transaction\n"
     "                 search (default 3; 0: none)\n"
     "  --rlimit N     Z3's resource limit per query (deterministic, unlike a timeout)\n"
     "  --emit-tests DIR  each confirmed counterexample a scenario can replay is written\n"
     "                 to DIR as a scenario file for `writ test`, expecting the failure\n"
     "  --no-cache     ignore and do not write the cache ($WRIT_CACHE_DIR, default\n"
     "                 cache/writ-verify: results per function, keyed by a hash of its IR)\n"
     "Exit status: 0 everything proved, 1 a violation, 2 something unknown or an error.\n"},
    {"help", cmd_help, "show help for writ or for one command",
     "usage: writ help [COMMAND]\n"},
};
enum { NCOMMANDS = sizeof commands / sizeof commands[0] };

const Command *cli_find_command(const char *name) {
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

bool cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    return false;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "writ %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'writ %s --help')\n", cmd);
    va_end(ap);
    return EXIT_USAGE;
}

const char *cli_stdlib_dir(void) {
    const char *env = getenv("WRIT_STDLIB");
    return env && *env ? env : WRIT_STDLIB_DIR;
}

static void print_overview(FILE *out) {
    fprintf(out,
            "writ %s — a smart-contract compiler toolchain and verifying VM\n"
            "\n"
            "usage: writ COMMAND [ARGS...]\n"
            "       writ --version\n"
            "\n"
            "commands:\n",
            WRIT_VERSION);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n"
            "'writ COMMAND --help' shows a command's options.\n"
            "\n"
            "exit status: 0 success, 1 the input is wrong (errors in a contract or module),\n"
            "             2 usage or internal error\n");
}

static int cmd_help(int argc, char **argv) {
    if (argc < 2) {
        print_overview(stdout);
        return EXIT_OK;
    }
    const Command *c = cli_find_command(argv[1]);
    if (!c)
        return cli_usage_error("help", "unknown command '%s'", argv[1]);
    fputs(c->usage, stdout);
    return EXIT_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_overview(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("writ %s\n", WRIT_VERSION);
        return EXIT_OK;
    }
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        print_overview(stdout);
        return EXIT_OK;
    }
    const Command *c = cli_find_command(name);
    if (!c) {
        fprintf(stderr, "writ: unknown command '%s' (see 'writ help')\n", name);
        return EXIT_USAGE;
    }
    if (c->run != cmd_help && cli_wants_help(argc - 1, argv + 1)) {
        fputs(c->usage, stdout);
        return EXIT_OK;
    }
    return c->run(argc - 1, argv + 1);
}
