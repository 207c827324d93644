/* Helpers shared by the benchmarks: a monotonic clock, fatal errors, database file cleanup. */
#ifndef REFLITE_BENCH_UTIL_H
#define REFLITE_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench: %s: %s\n", what, msg);
    exit(1);
}

/* Remove a database file and its WAL, shared-memory and journal files. */
static inline void remove_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static inline int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* For each of n rows (ratios[i * rounds .. +rounds): one ratio per round, each taken side by
 * side), the minimum, median and maximum: the median holds when the machine's speed drifts
 * between rounds.  The ratios are sorted in place. */
static inline void print_ratio_spread(const char *const *names, int n, double *ratios, int rounds)
{
    printf("ratio by round     %8s %8s %8s\n", "min", "median", "max");
    for (int i = 0; i < n; i++) {
        double *v = ratios + i * rounds;
        qsort(v, (size_t)rounds, sizeof *v, bench_by_value);
        double med = rounds % 2 ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2;
        printf("%-18s %8.3f %8.3f %8.3f\n", names[i], v[0], med, v[rounds - 1]);
    }
}

#endif
