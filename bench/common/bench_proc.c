/* bench_proc.c — see bench_proc.h. */
#include "bench_proc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double bench_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

double bench_cpu_ms(const struct rusage *ru) {
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1e-3;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *xs, int n) {
    qsort(xs, (size_t)n, sizeof *xs, cmp_double);
    return xs[n / 2];
}

const char *bench_self_writ(char *buf, size_t n) {
    ssize_t k = readlink("/proc/self/exe", buf, n - 1);
    if (k <= 0)
        return NULL;
    buf[k] = 0;
    const char *base = strrchr(buf, '/');
    base = base ? base + 1 : buf;
    return !strcmp(base, "writ") ? buf : NULL;
}
