/* bench_frontend.h — the frontend benchmark as a callable driver, so `writ bench frontend`
 * and the standalone `writ-bench-frontend` run the same code. */
#ifndef WRIT_BENCH_FRONTEND_H
#define WRIT_BENCH_FRONTEND_H

/* argv[0] is the command's name; options follow (see --help). Returns 0 when every
 * generated file checked and lowered cleanly (and, with --enforce, the targets were met),
 * 1 on compile errors or missed targets, 2 on bad usage or I/O errors. */
int bench_frontend(int argc, char **argv);

#endif
