/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_init + eal_cleanup timing, printed as JSON lines.
 *
 *   bench_init [--runs N] [--dpdk PATH]
 *
 * Every case uses 64 MiB of 4 KiB pages (--no-huge -m 64), as DPDK's side.
 * Measures, each as the median of N runs:
 * - warm: eal_init + eal_cleanup repeated in one process (primary, shared
 *   config on disk; and --no-shconf);
 * - cold: a fresh process doing one eal_init + eal_cleanup (this binary
 *   re-executed with --child), as an application start sees it;
 * - attach: a secondary's eal_init while a primary holds the prefix.
 * - cold with --legacy-mem -m 64 (2 MiB hugepages), when 64 are free.
 * With --dpdk PATH (bench_init_dpdk, built when libdpdk-dev is installed)
 * it runs DPDK's rte_eal_init + rte_eal_cleanup cold in the same run, with
 * its minimal-memory options, and DPDK's secondary attach. Detail lines
 * first, then one result line per case with the ratios (bench_common.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <eal.h>

#include "bench_common.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
median_us(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 1000.0;
}

#define MAX_RUNS 1000

/* The memory option of every case: --no-huge, or --legacy-mem. */
static char *mem_opt = (char *)"--no-huge";

static char rt_base[256];
static uint64_t samples[MAX_RUNS];

static int
init_args(char **argv, const char *prefix, const char *extra)
{
	int n = 0;

	argv[n++] = (char *)"bench_init";
	argv[n++] = (char *)"--file-prefix";
	argv[n++] = (char *)prefix;
	argv[n++] = (char *)"--runtime-dir";
	argv[n++] = rt_base;
	/* The same memory as DPDK's side: 64 MiB of 4 KiB pages (a secondary
	 * takes it from its primary). */
	if (extra == NULL || strcmp(extra, "--proc-type=secondary") != 0) {
		argv[n++] = mem_opt;
		argv[n++] = (char *)"-m";
		argv[n++] = (char *)"64";
	}
	if (extra != NULL)
		argv[n++] = (char *)extra;
	argv[n] = NULL;
	return n;
}

static double
warm(int runs, const char *extra)
{
	uint64_t *t = samples;
	char *argv[12];

	for (int i = 0; i < runs; i++) {
		/* eal_init moves argv[0] (as DPDK): rebuild argv every time. */
		int argc = init_args(argv, "bench_warm", extra);
		uint64_t t0 = bench_now_ns();

		if (eal_init(argc, argv) < 0 || eal_cleanup() < 0) {
			fprintf(stderr, "eal_init: %s\n", eal_strerror(eal_errno));
			exit(1);
		}
		t[i] = bench_now_ns() - t0;
	}
	return median_us(t, runs);
}

/* Run a command that prints one number (µs) on stdout; return it. */
static double
run_child(char *const argv[])
{
	char buf[64];

	return bench_run(argv, buf, sizeof(buf)) == 0 ? strtod(buf, NULL) : -1;
}

static double
cold(int runs, char *self, const char *mode)
{
	uint64_t *t = samples;
	char *argv[] = { self, (char *)"--child", (char *)mode, rt_base, NULL };

	for (int i = 0; i < runs; i++) {
		double v = run_child(argv);

		if (v < 0)
			return -1;
		t[i] = (uint64_t)(v * 1000.0);
	}
	return median_us(t, runs);
}

static int
child(const char *mode)
{
	char *argv[12];
	int argc = init_args(argv, strcmp(mode, "attach") == 0 ? "bench_attach" : "bench_cold",
			     strcmp(mode, "attach") == 0 ? "--proc-type=secondary" : NULL);
	uint64_t t0 = bench_now_ns();

	if (eal_init(argc, argv) < 0 || eal_cleanup() < 0)
		return 1;
	printf("%.1f\n", (double)(bench_now_ns() - t0) / 1000.0);
	return 0;
}

/* DPDK's cold init with the same memory option: its median (µs), or 0. */
static double
compare(int runs, const char *dpdk, const char *mode)
{
	uint64_t *t = samples;
	char *dargv[] = { (char *)dpdk, (char *)mode, NULL };
	double d;

	if (dpdk == NULL)
		return 0;
	for (int i = 0; i < runs; i++) {
		double v = run_child(dargv);

		if (v < 0) {
			fprintf(stderr, "bench_init: %s %s failed (needs root for DPDK); no comparison\n",
				dpdk, mode);
			return 0;
		}
		t[i] = (uint64_t)(v * 1000.0);
	}
	d = median_us(t, runs);
	printf("{\"bench\":\"init\",\"impl\":\"dpdk\",\"case\":\"cold_primary_%s\",\"us\":%.1f}\n", mode,
	       d);
	return d;
}

/* DPDK's secondary attach: a DPDK primary (-m 64 on hugepages; DPDK cannot
 * attach to a --no-huge primary) holds a prefix while a secondary
 * attaches. A fresh primary for every secondary: after one secondary's
 * rte_eal_cleanup, the next secondary of the same DPDK 22.11 primary
 * fails in rte_service_init ("Error allocating from heap"), and the
 * primary finds its hugepage file already unlinked when it cleans up.
 * The median (µs), or 0. */
static double
dpdk_attach(int runs, const char *dpdk)
{
	char prefix[64];
	char *hold[] = { (char *)dpdk, (char *)"hold", prefix, NULL };
	char *att[] = { (char *)dpdk, (char *)"attach", prefix, NULL };
	uint64_t *t = samples;
	bool ok = true;
	double d;

	snprintf(prefix, sizeof(prefix), "bench_attach_dpdk_%d", (int)getpid());
	for (int i = 0; i < runs && ok; i++) {
		struct bench_peer primary;
		double v = -1;

		if (bench_peer_start(&primary, hold) == 0) {
			v = run_child(att);
			if (bench_peer_stop(&primary) < 0)
				v = -1;
		}
		ok = v >= 0;
		t[i] = (uint64_t)(v * 1000.0);
	}
	if (!ok) {
		fprintf(stderr, "bench_init: DPDK secondary attach failed; no comparison\n");
		return 0;
	}
	d = median_us(t, runs);
	printf("{\"bench\":\"init\",\"impl\":\"dpdk\",\"case\":\"secondary_attach\",\"us\":%.1f}\n", d);
	return d;
}

/* One result line, in ms. */
static void
result(const char *kase, const char *desc, double libeal_us, double dpdk_us, const char *target,
       bool ok)
{
	struct bench_result r = {
		.bench = "init",
		.kase = kase,
		.desc = desc,
		.unit = "ms",
		.libeal = libeal_us / 1000.0,
		.dpdk = dpdk_us / 1000.0,
		.target = target,
		.ok = ok,
	};

	bench_print_result(&r);
}

int
main(int argc, char **argv)
{
	int runs = 21;
	const char *dpdk = NULL;
	double w, wn, c, a, l = 0, dc, dl = 0, da = 0;

	if (argc >= 4 && strcmp(argv[1], "--child") == 0) {
		snprintf(rt_base, sizeof(rt_base), "%s", argv[3]);
		if (strcmp(argv[2], "cold_legacy") == 0)
			mem_opt = (char *)"--legacy-mem";
		return child(argv[2]);
	}
	bench_parse_args(argc, argv, &runs, &dpdk, MAX_RUNS);
	snprintf(rt_base, sizeof(rt_base), "/tmp/eal-bench-%d", (int)getpid());

	w = warm(runs, NULL);
	wn = warm(runs, "--no-shconf");
	c = cold(runs, argv[0], "cold");
	{
		/* A primary holds bench_attach while secondaries attach. */
		char *pargv[12];
		int pargc = init_args(pargv, "bench_attach", "--proc-type=primary");

		if (eal_init(pargc, pargv) < 0) {
			fprintf(stderr, "primary: %s\n", eal_strerror(eal_errno));
			return 1;
		}
		a = cold(runs, argv[0], "attach");
		(void)eal_cleanup();
	}
	printf("{\"bench\":\"init\",\"impl\":\"libeal\",\"case\":\"warm_primary\",\"us\":%.1f}\n", w);
	printf("{\"bench\":\"init\",\"impl\":\"libeal\",\"case\":\"warm_no_shconf\",\"us\":%.1f}\n", wn);
	printf("{\"bench\":\"init\",\"impl\":\"libeal\",\"case\":\"cold_primary_no_huge\",\"us\":%.1f}\n", c);
	printf("{\"bench\":\"init\",\"impl\":\"libeal\",\"case\":\"secondary_attach\",\"us\":%.1f}\n", a);
	fflush(stdout);
	dc = compare(runs, dpdk, "no_huge");
	if (bench_hugepages_free() >= 64) {
		l = cold(runs, argv[0], "cold_legacy");
		printf("{\"bench\":\"init\",\"impl\":\"libeal\",\"case\":\"cold_primary_legacy\",\"us\":%.1f}\n", l);
		fflush(stdout);
		dl = compare(runs, dpdk, "legacy");
	} else {
		fprintf(stderr, "bench_init: fewer than 64 free 2 MiB hugepages: no legacy case\n");
	}
	if (dpdk != NULL && bench_hugepages_free() >= 64)
		da = dpdk_attach(runs, dpdk);
	/* "Start-up in milliseconds" (docs: DESIGN.md): read as under 10 ms. */
	result("warm_primary", "`eal_init` + `eal_cleanup` repeated in one process, `--no-huge -m 64`", w,
	       0, NULL, false);
	result("warm_no_shconf", "the same with `--no-shconf`", wn, 0, NULL, false);
	result("cold_primary_no_huge",
	       "`eal_init` + `eal_cleanup` in a fresh process, `--no-huge -m 64`", c, dc,
	       "<= 10 ms", c <= 10000.0);
	if (l > 0)
		result("cold_primary_legacy",
		       "`eal_init` + `eal_cleanup` in a fresh process, `--legacy-mem -m 64`", l, dl,
		       "<= 10 ms", l <= 10000.0);
	result("secondary_attach",
	       "secondary `eal_init` + `eal_cleanup` (libeal primary `--no-huge -m 64`; DPDK's `-m 64` on hugepages)",
	       a, da, "< 1 ms", a < 1000.0);
	rmdir(rt_base);
	return 0;
}
