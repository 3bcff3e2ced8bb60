/* main.c — `writ-bench-verify`: the verifier benchmark without the CLI. */
#include "bench_verify.h"

int main(int argc, char **argv) {
    return bench_verify(argc, argv);
}
