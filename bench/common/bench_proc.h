/* bench_proc.h — what the benchmarks that time whole `writ` processes share: the clock,
 * a child's CPU time, medians, and finding the writ executable. */
#ifndef WRIT_BENCH_PROC_H
#define WRIT_BENCH_PROC_H

#include <stddef.h>
#include <sys/resource.h>

/* Monotonic wall clock, in milliseconds. */
double bench_now_ms(void);
/* User + system time in milliseconds (what the machine's load does not change). */
double bench_cpu_ms(const struct rusage *ru);
/* Sorts xs[0..n) and returns its median (the upper one for even n). */
double bench_median(double *xs, int n);
/* The writ executable when none is given: this process, if it is writ (its path in buf). */
const char *bench_self_writ(char *buf, size_t n);

#endif
