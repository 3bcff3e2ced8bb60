/* bench_verify.h — the verifier benchmark as a callable driver, so `writ bench verify` and
 * the standalone `writ-bench-verify` run the same code. */
#ifndef WRIT_BENCH_VERIFY_H
#define WRIT_BENCH_VERIFY_H

/* argv[0] is the command's name; options and files follow (see --help). Returns 0 when
 * every run finished (whatever the verdicts), 1 when one did not (or, with --enforce, when
 * a target was missed), 2 on bad usage or when writ cannot be run. */
int bench_verify(int argc, char **argv);

#endif
