/* main.c — `writ-bench-frontend`: the frontend benchmark without the CLI. */
#include "bench_frontend.h"

int main(int argc, char **argv) {
    return bench_frontend(argc, argv);
}
