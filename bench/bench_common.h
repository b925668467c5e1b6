/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers shared by the benchmark programs: running a child and
 * reading what it prints, long-lived child "peers" that measure one round
 * per byte written to them, medians, and the one line per measurement
 * that every program prints (bench_print_result(); the format is below).
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
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

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of @n values (sorts them). */
static inline double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

/* ---- peers ---------------------------------------------------------------- */

/* A long-lived child that measures a round per byte written to it and
 * answers with one line. Peers run one at a time, so none of them pays
 * for being forked or woken up differently from the others. */
struct bench_peer {
	pid_t pid;
	int to;     /* its stdin */
	FILE *from; /* its stdout */
};

/* Close its stdin (EOF: it cleans up and exits) and reap it. 0 when it
 * exited with status 0. */
static inline int
bench_peer_stop(struct bench_peer *p)
{
	int status = 0;

	if (p->pid <= 0)
		return -1;
	close(p->to);
	fclose(p->from);
	waitpid(p->pid, &status, 0);
	p->pid = 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Start @argv (argv[0] is the program path) and wait for its "ready"
 * line. The pipes are close-on-exec, so no other child holds them open.
 * Set SIGPIPE to SIG_IGN in the caller: a peer that died shows as a
 * failed round. */
static inline int
bench_peer_start(struct bench_peer *p, char *const argv[])
{
	int in[2], out[2];
	char line[64];

	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	p->pid = fork();
	if (p->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->to = in[1];
	p->from = fdopen(out[0], "r");
	if (p->pid < 0 || p->from == NULL) {
		if (p->from == NULL)
			close(out[0]);
		close(p->to);
		if (p->pid > 0)
			waitpid(p->pid, NULL, 0);
		p->pid = 0;
		return -1;
	}
	if (fgets(line, sizeof(line), p->from) == NULL || strncmp(line, "ready", 5) != 0) {
		(void)bench_peer_stop(p);
		return -1;
	}
	return 0;
}

/* Send @cmd and read the peer's answer line into @line. 0, or -1 when
 * the peer is gone. */
static inline int
bench_peer_ask(struct bench_peer *p, char cmd, char *line, size_t size)
{
	if (write(p->to, &cmd, 1) != 1 || fgets(line, (int)size, p->from) == NULL)
		return -1;
	return 0;
}

/* ---- result lines ----------------------------------------------------------
 *
 * Every program prints its detail lines, one per implementation and case
 * ({"bench":..,"impl":"libeal"|"dpdk"|"glibc"|"kernel","case":..,...}),
 * then exactly one result line per measurement, with or without DPDK:
 *
 *   {"bench":B,"case":C,"desc":D,"unit":"ns"|"us"|"ms",
 *    "libeal":x[,"dpdk":y,"libeal_vs_dpdk":x/y,"speedup":y/x]
 *    [,"glibc":z,"libeal_vs_glibc":x/z][,"kernel":k,"libeal_vs_kernel":x/k]
 *    [,"target":T,"ok":true|false]}
 *
 * Result lines are the ones with a "unit"; bench/report.py turns them into
 * the Markdown table of docs/benchmarks.md. A ratio below 1 means libeal
 * takes less time. "target" is a sentence ("<= 1.1x kernel") naming the
 * goal the project set for that measurement, where it set one.
 */

struct bench_result {
	const char *bench;
	const char *kase;   /* the case's short name */
	const char *desc;   /* what is measured, for people (no '"' or '\\') */
	const char *unit;   /* "ns", "us" or "ms" */
	double libeal;
	double dpdk;        /* the others: left out unless > 0 */
	double glibc;
	double kernel;
	const char *target; /* NULL: none */
	bool ok;            /* target met */
};

static inline void
bench_print_result(const struct bench_result *r)
{
	printf("{\"bench\":\"%s\",\"case\":\"%s\",\"desc\":\"%s\",\"unit\":\"%s\",\"libeal\":%.6g",
	       r->bench, r->kase, r->desc, r->unit, r->libeal);
	if (r->dpdk > 0)
		printf(",\"dpdk\":%.6g,\"libeal_vs_dpdk\":%.4g,\"speedup\":%.4g", r->dpdk,
		       r->libeal / r->dpdk, r->dpdk / r->libeal);
	if (r->glibc > 0)
		printf(",\"glibc\":%.6g,\"libeal_vs_glibc\":%.4g", r->glibc, r->libeal / r->glibc);
	if (r->kernel > 0)
		printf(",\"kernel\":%.6g,\"libeal_vs_kernel\":%.4g", r->kernel, r->libeal / r->kernel);
	if (r->target != NULL)
		printf(",\"target\":\"%s\",\"ok\":%s", r->target, r->ok ? "true" : "false");
	printf("}\n");
	fflush(stdout);
}

#endif /* BENCH_COMMON_H */
