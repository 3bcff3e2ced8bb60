/* cmd_bench.c — `writ bench [NAME] [ARGS...]`: runs the benchmarks that live in bench/,
 * each of which prints its figures as ratios against its own reference or target. */
#include <string.h>

#include "bench/evm/bench_evm.h"
#include "bench/frontend/bench_frontend.h"
#include "bench/verify/bench_verify.h"
#include "cli.h"

typedef struct Bench {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *what;
} Bench;

static const Bench benches[] = {
    {"frontend", bench_frontend, "check + lower of a generated 100k-line program set: lines/s, bytes/line"},
    {"vm", bench_vm, "the VM against native code on the shared wasm programs; contract mode"},
    {"evm", bench_evm, "the ERC20's EVM gas and size against solc's builds; compile time"},
    {"verify", bench_verify, "writ verify, cache off: the ERC20 on one core, every example with 2 jobs"},
};
enum { NBENCHES = sizeof benches / sizeof benches[0] };

int cmd_bench(int argc, char **argv) {
    if (argc >= 2 && argv[1][0] != '-') {
        for (int i = 0; i < NBENCHES; i++)
            if (strcmp(argv[1], benches[i].name) == 0)
                return benches[i].run(argc - 1, argv + 1);
        return cli_usage_error("bench", "unknown benchmark '%s'", argv[1]);
    }
    int status = EXIT_OK;
    for (int i = 0; i < NBENCHES; i++) {
        printf("== writ bench %s: %s\n", benches[i].name, benches[i].what);
        char *args[] = {(char *)benches[i].name, NULL};
        int s = benches[i].run(1, args);
        if (s != EXIT_OK)
            status = s;
    }
    return status;
}
