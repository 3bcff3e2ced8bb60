/* main.c — `writ-bench-evm`: the EVM benchmark without the CLI. */
#include "bench_evm.h"

int main(int argc, char **argv) {
    return bench_evm(argc, argv);
}
