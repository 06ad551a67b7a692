/*
 * spawn_time.c - startup time for `make bench`: runs a command N times
 * with posix_spawn (no shell in between, so nothing else is counted) and
 * prints the median and fastest wall time of one run, and the median CPU
 * time (user + system, from wait4), which other load on the machine does
 * not stretch the way it stretches wall time.
 * Usage: spawn_time N CMD [ARG...]; prints "median", "min" and "cpu" (s).
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int n = argc > 2 ? atoi(argv[1]) : 0;
    posix_spawn_file_actions_t fa;
    double *t, *c;

    if (n < 1) {
        fprintf(stderr, "usage: spawn_time N CMD [ARG...]\n");
        return 2;
    }
    t = calloc((size_t)n, sizeof *t);
    c = calloc((size_t)n, sizeof *c);
    if (!t || !c)
        return 1;
    /* no terminal: a host that would start a REPL on a tty does not */
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    for (int i = 0; i < n; i++) {
        struct rusage ru;
        pid_t pid;
        int st;
        double t0 = now();
        if (posix_spawnp(&pid, argv[2], &fa, NULL, argv + 2, environ) != 0) {
            perror("spawn_time: posix_spawnp");
            return 1;
        }
        if (wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "spawn_time: %s failed\n", argv[2]);
            return 1;
        }
        t[i] = now() - t0;
        c[i] = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec
               + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    }
    qsort(t, (size_t)n, sizeof *t, cmp);
    qsort(c, (size_t)n, sizeof *c, cmp);
    printf("median %.6f\nmin %.6f\ncpu %.6f\n", median(t, n), t[0], median(c, n));
    return 0;
}
