/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fbarray benchmark: the workload of docs/fbarray.md, against libeal and,
 * when libdpdk-dev is installed, against DPDK's rte_fbarray.
 *
 * One array of 2^20 elements of 8 bytes in three layouts (random half
 * used, first half used, blocks of 256 used / 256 free); searches start at
 * uniformly random indices, set_used/set_free/is_used take random indices.
 * Each figure is the median of BENCH_REPS timed passes, in ns per call.
 *
 * The same file builds two programs: bench_fbarray (libeal) and, with
 * -DBENCH_DPDK, bench_fbarray_dpdk; the two libraries are never linked
 * into one binary. bench_fbarray prints its own JSON lines, then runs
 * bench_fbarray_dpdk (path given at build time or with --dpdk PATH;
 * --no-dpdk skips it), echoes its lines and prints one result line per
 * (op, layout), with DPDK's figure and the ratios when it ran (see
 * bench_common.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_common.h"

#ifdef BENCH_DPDK
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fbarray.h>
/* The thin layer that lets one workload call either library. */
typedef struct rte_fbarray fb_t;
#define FB(fn) rte_fbarray_##fn
#define IMPL "dpdk"
#else
#include "eal_errno.h"
#include "eal_fbarray.h"
typedef struct eal_fbarray fb_t;
#define FB(fn) eal_fbarray_##fn
#define IMPL "libeal"
#endif

#define LEN (1u << 20)
#define ELT_SZ 8
#define N_STARTS 4096 /* random starts/indices, cycled through */
#define BENCH_REPS 5
#define PASS_NS 40000000ull /* aim for 40 ms per timed pass */

static uint64_t rng_state = 0x1234567;

static uint32_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

enum layout { RANDOM_HALF, FIRST_HALF, BLOCKS_256, LAYOUT_COUNT };
static const char *const layout_names[LAYOUT_COUNT] = { "random_half", "first_half",
							"blocks_256" };

enum op {
	OP_FIND_NEXT_FREE,
	OP_FIND_NEXT_N_FREE_64,
	OP_FIND_PREV_N_FREE_64,
	OP_FIND_CONTIG_FREE,
	OP_FIND_BIGGEST_FREE,
	OP_FIND_NEXT_USED,
	OP_FIND_PREV_FREE,
	OP_IS_USED,
	OP_SET_USED,
	OP_SET_FREE,
	OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
	"find_next_free", "find_next_n_free_64", "find_prev_n_free_64", "find_contig_free",
	"find_biggest_free", "find_next_used", "find_prev_free", "is_used",
	"set_used", "set_free",
};

static fb_t arr;
static unsigned int starts[N_STARTS];
static volatile long sink;

static bool
layout_used(enum layout l, unsigned int i, uint32_t r)
{
	switch (l) {
	case RANDOM_HALF:
		return (r & 1) != 0;
	case FIRST_HALF:
		return i < LEN / 2;
	case BLOCKS_256:
		return (i / 256) % 2 == 0;
	case LAYOUT_COUNT:
		break;
	}
	return false;
}

static void
apply_layout(enum layout l)
{
	rng_state = 42 + (uint64_t)l;
	for (unsigned int i = 0; i < LEN; i++) {
		int rc = layout_used(l, i, rng()) ? FB(set_used)(&arr, i) : FB(set_free)(&arr, i);

		if (rc != 0) {
			fprintf(stderr, "bench: set %u failed\n", i);
			exit(1);
		}
	}
}

/* Run op on `calls` starts; returns elapsed ns. */
static uint64_t
run_op(enum op op, unsigned long calls)
{
	uint64_t t0 = now_ns();
	long acc = 0;

	for (unsigned long k = 0; k < calls; k++) {
		unsigned int s = starts[k % N_STARTS];

		switch (op) {
		case OP_FIND_NEXT_FREE:
			acc += FB(find_next_free)(&arr, s);
			break;
		case OP_FIND_NEXT_N_FREE_64:
			acc += FB(find_next_n_free)(&arr, s, 64);
			break;
		case OP_FIND_PREV_N_FREE_64:
			acc += FB(find_prev_n_free)(&arr, s, 64);
			break;
		case OP_FIND_CONTIG_FREE:
			acc += FB(find_contig_free)(&arr, s);
			break;
		case OP_FIND_BIGGEST_FREE:
			acc += FB(find_biggest_free)(&arr, s);
			break;
		case OP_FIND_NEXT_USED:
			acc += FB(find_next_used)(&arr, s);
			break;
		case OP_FIND_PREV_FREE:
			acc += FB(find_prev_free)(&arr, s);
			break;
		case OP_IS_USED:
			acc += FB(is_used)(&arr, s);
			break;
		case OP_SET_USED:
			acc += FB(set_used)(&arr, s);
			break;
		case OP_SET_FREE:
			acc += FB(set_free)(&arr, s);
			break;
		case OP_COUNT:
			break;
		}
	}
	sink = acc;
	return now_ns() - t0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median ns per call over BENCH_REPS passes of about PASS_NS each. */
static double
measure(enum op op)
{
	double reps[BENCH_REPS];
	unsigned long calls = 1;
	uint64_t t;

	/* Calibrate: double the number of calls until a pass is long. */
	while ((t = run_op(op, calls)) < PASS_NS / 8 && calls < (1ul << 30))
		calls *= 2;
	calls = (unsigned long)((double)calls * (double)PASS_NS / (double)(t ? t : 1)) + 1;
	for (int r = 0; r < BENCH_REPS; r++)
		reps[r] = (double)run_op(op, calls) / (double)calls;
	qsort(reps, BENCH_REPS, sizeof(reps[0]), cmp_double);
	return reps[BENCH_REPS / 2];
}

static double results[LAYOUT_COUNT][OP_COUNT];

static void
run_all(void)
{
	for (int l = 0; l < LAYOUT_COUNT; l++) {
		apply_layout((enum layout)l);
		rng_state = 7;
		for (int k = 0; k < N_STARTS; k++)
			starts[k] = rng() % LEN;
		for (int op = 0; op < OP_COUNT; op++) {
			/* set_* change the layout: start each from the layout. */
			if (op == OP_SET_USED || op == OP_SET_FREE)
				apply_layout((enum layout)l);
			results[l][op] = measure((enum op)op);
			printf("{\"bench\":\"fbarray\",\"impl\":\"%s\",\"case\":\"%s/%s\",\"layout\":\"%s\",\"op\":\"%s\",\"ns_per_op\":%.2f}\n",
			       IMPL, op_names[op], layout_names[l], layout_names[l], op_names[op],
			       results[l][op]);
			fflush(stdout);
		}
	}
}

#ifdef BENCH_DPDK

int
main(int argc, char **argv)
{
	static const char *const fixed[] = { "--no-huge", "--no-pci", "--no-telemetry", "-m", "64",
					     "-l", "0", "--log-level=lib.eal:error", "--no-shconf",
					     "--file-prefix" };
	static char args[16][64];
	char *eal_argv[16];
	int eal_argc = 0;

	(void)argc;
	snprintf(args[eal_argc], sizeof(args[0]), "%s", argv[0]);
	eal_argv[eal_argc] = args[eal_argc];
	eal_argc++;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++, eal_argc++) {
		snprintf(args[eal_argc], sizeof(args[0]), "%s", fixed[i]);
		eal_argv[eal_argc] = args[eal_argc];
	}
	snprintf(args[eal_argc], sizeof(args[0]), "bench_fb_%d", (int)getpid());
	eal_argv[eal_argc] = args[eal_argc];
	eal_argc++;
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "bench_fbarray_dpdk: rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_fbarray_init(&arr, "bench", LEN, ELT_SZ) < 0) {
		fprintf(stderr, "bench_fbarray_dpdk: init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	run_all();
	(void)rte_fbarray_destroy(&arr);
	rte_eal_cleanup();
	return 0;
}

#else /* libeal */

#ifndef BENCH_DPDK_EXE
#define BENCH_DPDK_EXE ""
#endif

static int
find_op(const char *name)
{
	for (int op = 0; op < OP_COUNT; op++)
		if (strcmp(op_names[op], name) == 0)
			return op;
	return -1;
}

static int
find_layout(const char *name)
{
	for (int l = 0; l < LAYOUT_COUNT; l++)
		if (strcmp(layout_names[l], name) == 0)
			return l;
	return -1;
}

/* DPDK's figures, 0 where there is none. */
static double dpdk_results[LAYOUT_COUNT][OP_COUNT];

/* Run the DPDK build, echo its lines and keep its figures. */
static int
run_dpdk(const char *exe)
{
	char line[512], layout[64], opname[64];
	double ns;
	FILE *p;
	int rc;

	if (access(exe, X_OK) != 0) {
		fprintf(stderr, "bench_fbarray: %s not found: DPDK comparison skipped\n", exe);
		return 0;
	}
	p = popen(exe, "r");
	if (p == NULL) {
		fprintf(stderr, "bench_fbarray: cannot run %s: %s\n", exe, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), p) != NULL) {
		int op, l;

		fputs(line, stdout);
		if (sscanf(line,
			   "{\"bench\":\"fbarray\",\"impl\":\"dpdk\",\"case\":\"%*[^\"]\",\"layout\":\"%63[^\"]\",\"op\":\"%63[^\"]\",\"ns_per_op\":%lf}",
			   layout, opname, &ns) != 3)
			continue;
		op = find_op(opname);
		l = find_layout(layout);
		if (op < 0 || l < 0)
			continue;
		dpdk_results[l][op] = ns;
	}
	rc = pclose(p);
	if (rc != 0) {
		fprintf(stderr, "bench_fbarray: %s failed (status %d)\n", exe, rc);
		return 1;
	}
	return 0;
}

/* One result line per (op, layout). */
static void
print_results(void)
{
	static const char *const layout_desc[LAYOUT_COUNT] = {
		"random half used", "first half used", "blocks of 256 used / 256 free"
	};

	for (int l = 0; l < LAYOUT_COUNT; l++) {
		for (int op = 0; op < OP_COUNT; op++) {
			char kase[96], desc[160];
			struct bench_result r = {
				.bench = "fbarray",
				.kase = kase,
				.desc = desc,
				.unit = "ns",
				.libeal = results[l][op],
				.dpdk = dpdk_results[l][op],
			};

			snprintf(kase, sizeof(kase), "%s/%s", op_names[op], layout_names[l]);
			snprintf(desc, sizeof(desc), "`%s`, 2^20 elements, %s", op_names[op],
				 layout_desc[l]);
			bench_print_result(&r);
		}
	}
}

int
main(int argc, char **argv)
{
	const char *dpdk_exe = BENCH_DPDK_EXE;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-dpdk") == 0) {
			dpdk_exe = "";
		} else if (strcmp(argv[i], "--dpdk") == 0 && i + 1 < argc) {
			dpdk_exe = argv[++i];
		} else {
			fprintf(stderr, "usage: %s [--no-dpdk | --dpdk PATH]\n", argv[0]);
			return 2;
		}
	}
	/* No eal_init: without a runtime directory the array is anonymous
	 * memory, as DPDK's with --no-shconf. */
	if (eal_fbarray_init(&arr, "bench", LEN, ELT_SZ) < 0) {
		fprintf(stderr, "bench_fbarray: init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	run_all();
	(void)eal_fbarray_destroy(&arr);
	rc = dpdk_exe[0] != '\0' ? run_dpdk(dpdk_exe) : 0;
	print_results();
	return rc;
}

#endif
