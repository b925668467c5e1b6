/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by the benchmark programs. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run @argv (argv[0] is the program path) with stdout into @buf, which is
 * NUL-terminated. 0 when it printed something and exited 0, else -1. */
static inline int
bench_run(char *const argv[], char *buf, size_t size)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, size - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* "--runs N" (1..@max_runs, else 21) and "--dpdk PATH" into *runs and
 * *dpdk; anything else is ignored. */
static inline void
bench_parse_args(int argc, char **argv, int *runs, const char **dpdk, int max_runs)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
			*runs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--dpdk") == 0 && i + 1 < argc)
			*dpdk = argv[++i];
	}
	if (*runs < 1 || *runs > max_runs)
		*runs = 21;
}

/* CLOCK_MONOTONIC in nanoseconds. */
static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Free hugepages of the default size (HugePages_Free), 0 if unknown. */
static inline long
bench_hugepages_free(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

#endif /* BENCH_COMMON_H */
