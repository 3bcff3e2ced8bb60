/* bench_evm.h — the EVM benchmark as a callable driver, so `writ bench evm` and the
 * standalone `writ-bench-evm` run the same code. */
#ifndef WRIT_BENCH_EVM_H
#define WRIT_BENCH_EVM_H

/* argv[0] is the command's name; options follow (see --help). Returns 0 when Writ's
 * build ran and gave the same results as solc's on every call, 1 when it did not (or,
 * with --enforce, when a target was missed), 2 on bad usage or when a tool is missing. */
int bench_evm(int argc, char **argv);

#endif
