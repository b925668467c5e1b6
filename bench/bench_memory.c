/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory benchmark (issue 4): eal_mem_virt2iova ns/op on random addresses
 * inside 64 MiB of memory, in VA mode (--no-huge) and PA mode
 * (--legacy-mem, needs free hugepages and root), against libeal and, built
 * with -DBENCH_DPDK as bench_memory_dpdk, against DPDK's rte_mem_virt2iova
 * on the same layout. Each measurement runs in a fresh process; the libeal
 * program runs the DPDK one when given --dpdk PATH and prints the ratios.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_common.h"
#include <unistd.h>

#ifdef BENCH_DPDK
#include "bench_dpdk_cleanup.h"
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

/* Up to 64 MiB worth of memsegs; addresses are drawn inside them only
 * (legacy memory has one-page holes between runs). */
struct segs {
	unsigned int n;
	char *addr[16384];
	size_t len[16384];
};

static int
seg_cb(const msl_t *msl, const ms_t *ms, void *arg)
{
	struct segs *s = arg;

	(void)msl;
	if (s->n < 16384) {
		s->addr[s->n] = ms->addr;
		s->len[s->n++] = ms->len;
	}
	return 0;
}

static double
bench_virt2iova(void)
{
	static void *addr[N_ADDR];
	static struct segs s;
	uint64_t x = 0x9e3779b97f4a7c15ull, sink = 0, best = UINT64_MAX;

	WALK(seg_cb, &s);
	if (s.n == 0)
		return -1;
	for (int i = 0; i < N_ADDR; i++) {
		unsigned int k;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		k = (unsigned int)(x % s.n);
		addr[i] = s.addr[k] + (x >> 20) % s.len[k];
	}
	for (int rep = 0; rep < 5; rep++) {
		uint64_t t0 = bench_now_ns();

		for (int k = 0; k < 100; k++)
			for (int i = 0; i < N_ADDR; i++)
				sink += VIRT2IOVA(addr[i]);
		t0 = bench_now_ns() - t0;
		if (t0 < best)
			best = t0;
	}
	if (sink == 42)
		printf("#\n");
	return (double)best / (100.0 * N_ADDR);
}

/* One measurement in a fresh process: this binary (or DPDK's) with
 * "--run va|pa" prints one JSON line; returns its ns_per_op, -1 on failure. */
static double
run(const char *exe, const char *mode)
{
	char *argv[] = { (char *)exe, (char *)"--run", (char *)mode, NULL };
	char buf[256];
	const char *q;

	if (bench_run(argv, buf, sizeof(buf)) < 0)
		return -1;
	fputs(buf, stdout);
	q = strstr(buf, "\"ns_per_op\":");
	return q != NULL ? strtod(q + 12, NULL) : -1;
}

/* Measure in this process: 64 MiB of 4 KiB pages (IOVA as VA), or legacy
 * hugepages with physical addresses (PA). */
static int
measure(const char *mode)
{
	char prefix[64];
	bool pa = strcmp(mode, "pa") == 0;
	double ns;

	snprintf(prefix, sizeof(prefix), "bench_mem_%d", (int)getpid());
	{
#ifdef BENCH_DPDK
		char *eargv[] = { (char *)"bench", pa ? (char *)"--legacy-mem" : (char *)"--no-huge",
				  (char *)"-m", (char *)"64", (char *)"--no-pci", (char *)"--no-telemetry",
				  (char *)"--no-shconf", (char *)"--log-level=lib.eal:error",
				  pa ? (char *)"--iova-mode=pa" : (char *)"--iova-mode=va",
				  (char *)"--file-prefix", prefix, NULL };

		if (rte_eal_init(11, eargv) < 0)
			return 1;
#else
		/* PA: legacy hugepages, and no silent fallback to 4 KiB pages. */
		char *eargv[] = { (char *)"bench", (char *)"-m", (char *)"64", (char *)"--no-shconf",
				  (char *)"--file-prefix", prefix,
				  pa ? (char *)"--legacy-mem" : (char *)"--no-huge",
				  (char *)"--iova-mode=pa", (char *)"--huge-required", NULL };

		if (eal_init(pa ? 9 : 7, eargv) < 0)
			return 1;
#endif
	}
	ns = bench_virt2iova();
	printf("{\"bench\":\"memory\",\"impl\":\"" IMPL "\",\"case\":\"virt2iova_%s\",\"ns_per_op\":%.2f}\n",
	       mode, ns);
	fflush(stdout);
#ifdef BENCH_DPDK
	rte_eal_cleanup();
	bench_remove_hugepage_files(prefix);
#else
	eal_cleanup();
#endif
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const modes[] = { "va", "pa" };
	const char *dpdk = NULL;

	if (argc == 3 && strcmp(argv[1], "--run") == 0)
		return measure(argv[2]);
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--dpdk") == 0)
			dpdk = argv[i + 1];
	/* PA needs hugepages (legacy memory) and root; VA always runs. */
	for (int m = 0; m < 2; m++) {
		double l = run(argv[0], modes[m]), d = 0;
		char kase[32];
		struct bench_result r = {
			.bench = "memory",
			.kase = kase,
			.unit = "ns",
		};

		if (l < 0) {
			fprintf(stderr, "bench_memory: %s mode not measured (needs free hugepages and root for pa)\n",
				modes[m]);
			continue;
		}
		if (dpdk != NULL && (d = run(dpdk, modes[m])) < 0)
			d = 0;
		snprintf(kase, sizeof(kase), "virt2iova_%s", modes[m]);
		r.desc = m == 0 ? "`eal_mem_virt2iova`, random addresses in 64 MiB, IOVA as VA (`--no-huge`)"
			        : "`eal_mem_virt2iova`, random addresses in 64 MiB, IOVA as PA (`--legacy-mem`)";
		r.libeal = l;
		r.dpdk = d;
		/* DESIGN.md: "virt->IOVA translation without a syscall". */
		if (m == 1) {
			r.target = "no syscall: < 100 ns";
			r.ok = l < 100.0;
		}
		bench_print_result(&r);
	}
	return 0;
}
