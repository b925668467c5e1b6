/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory benchmark (issue 4): eal_mem_virt2iova ns/op on random addresses
 * inside 64 MiB of no-huge memory (IOVA as VA), against libeal and, built
 * with -DBENCH_DPDK as bench_memory_dpdk, against DPDK's
 * rte_mem_virt2iova on the same layout (--no-huge -m 64). The libeal
 * program runs the DPDK one when given --dpdk PATH and prints the ratio.
 * (PA-mode translation needs hugepages: it comes with legacy memory.)
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_DPDK
#include <rte_eal.h>
#include <rte_memory.h>
#define IMPL "dpdk"
#define VIRT2IOVA(a) rte_mem_virt2iova(a)
typedef struct rte_memseg ms_t;
typedef struct rte_memseg_list msl_t;
#define WALK rte_memseg_walk
#else
#include <eal.h>
#define IMPL "libeal"
#define VIRT2IOVA(a) eal_mem_virt2iova(a)
typedef struct eal_memseg ms_t;
typedef struct eal_memseg_list msl_t;
#define WALK eal_memseg_walk
#endif

#define N_ADDR 4096
#define MEM (64ull << 20)

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
first_cb(const msl_t *msl, const ms_t *ms, void *arg)
{
	(void)msl;
	*(void **)arg = ms->addr;
	return 1;
}

static double
bench_virt2iova(void)
{
	static void *addr[N_ADDR];
	uint64_t x = 0x9e3779b97f4a7c15ull, sink = 0, best = UINT64_MAX;
	char *base = NULL;

	WALK(first_cb, &base);
	for (int i = 0; i < N_ADDR; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		addr[i] = base + x % MEM;
	}
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = now_ns();

		for (int k = 0; k < 100; k++)
			for (int i = 0; i < N_ADDR; i++)
				sink += VIRT2IOVA(addr[i]);
		t0 = now_ns() - t0;
		if (t0 < best)
			best = t0;
	}
	if (sink == 42)
		printf("#\n");
	return (double)best / (100.0 * N_ADDR);
}

int
main(int argc, char **argv)
{
	char prefix[64];
	double ns;

	(void)argc; /* only the libeal program looks at its arguments */
	snprintf(prefix, sizeof(prefix), "bench_mem_%d", (int)getpid());
	{
#ifdef BENCH_DPDK
		char *eargv[] = { argv[0], (char *)"--no-huge", (char *)"-m", (char *)"64",
				  (char *)"--no-pci", (char *)"--no-telemetry", (char *)"--no-shconf",
				  (char *)"--log-level=lib.eal:error", (char *)"--file-prefix", prefix,
				  NULL };
		if (rte_eal_init(10, eargv) < 0)
			return 1;
#else
		char *eargv[] = { argv[0], (char *)"--no-huge", (char *)"-m", (char *)"64",
				  (char *)"--no-shconf", (char *)"--file-prefix", prefix, NULL };
		if (eal_init(7, eargv) < 0)
			return 1;
#endif
	}
	ns = bench_virt2iova();
	printf("{\"bench\":\"memory\",\"impl\":\"" IMPL "\",\"op\":\"virt2iova_va\",\"ns_per_op\":%.2f}\n", ns);
	fflush(stdout);
#ifdef BENCH_DPDK
	rte_eal_cleanup();
#else
	eal_cleanup();
	for (int i = 1; i + 1 < argc; i++) {
		const char *dpdk = argv[i + 1];
		int p[2], status;
		char buf[256] = "";
		double dns;
		const char *q;
		pid_t pid;
		ssize_t n;

		if (strcmp(argv[i], "--dpdk") != 0)
			continue;
		if (pipe(p) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			dup2(p[1], STDOUT_FILENO);
			execl(dpdk, dpdk, (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		n = read(p[0], buf, sizeof(buf) - 1);
		close(p[0]);
		waitpid(pid, &status, 0);
		if (n > 0 && (q = strstr(buf, "\"ns_per_op\":")) != NULL) {
			buf[n] = '\0';
			fputs(buf, stdout);
			dns = strtod(q + 12, NULL);
			printf("{\"bench\":\"memory\",\"op\":\"virt2iova_va\",\"libeal_ns\":%.2f,\"dpdk_ns\":%.2f,\"speedup\":%.2f}\n",
			       ns, dns, dns / ns);
		} else {
			fprintf(stderr, "bench_memory: %s failed; no comparison\n", dpdk);
		}
	}
#endif
	return 0;
}
