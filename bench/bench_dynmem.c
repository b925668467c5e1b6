/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dynamic memory (the default mode) on 2 MiB hugepages, against the
 * kernel's own limit measured in the same run; JSON lines on stdout.
 *
 *   bench_dynmem [--runs N] [--dpdk PATH]
 *
 * Cases, each figure the median of N rounds (default 21):
 * - grow_64m: eal__memalloc_alloc of 32 pages in one call, a byte written
 *   to each page, then eal__memalloc_free of them: ms to grow, to shrink,
 *   and to grow per page; with per-page files (the default) and with
 *   --single-file-segments;
 * - the kernel's limit for the same work: mmap(MAP_SHARED | MAP_ANONYMOUS
 *   | MAP_HUGETLB) of 32 pages, a byte written to each, munmap;
 * - init_none, init_m64: eal_init, then eal_cleanup, in a fresh process,
 *   with nothing preallocated and with -m 64 (against the kernel's 32
 *   pages);
 * - attach_1g: a secondary's eal_init in a fresh process while a primary
 *   has 512 pages (1 GiB) allocated; per-page files and single-file
 *   segments.
 * The grow, kernel and init measurements are interleaved: each round
 * takes one of every case, the order rotating from round to round. The
 * grow cases and the kernel's limit run alike, each in a long-lived
 * child (one eal_init for libeal's) that measures a round per byte this
 * process writes to it: none of them pays for being forked or woken up
 * differently from the others. With --dpdk PATH (bench_dynmem_dpdk,
 * built when libdpdk-dev is installed) DPDK 22.11's same workloads take
 * part in the same rounds. Detail lines per library first, then one
 * result line per case with every figure, the ratios (of the medians) and
 * the target (bench_common.h).
 *
 * Before anything is measured the free hugepage pool is mapped and
 * touched once: in a VM the first touch of a page the pool just got is
 * far slower (the host faults it in), and the kernel hands out the pages
 * freed last first, so later runs reuse warm pages. When the pool has
 * more free pages than this benchmark needs, 256 of them stay out of the
 * warm-up, for whoever else uses hugepages meanwhile.
 *
 * Needs root, and about 600 free 2 MiB hugepages on /dev/hugepages for
 * the attach case (bench/run.sh reserves them; with fewer, that case is
 * left out). A measurement that finds the pool momentarily empty (some
 * other process holds it) is retried.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <eal.h>

#include "eal_private.h"

#include "bench_common.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#define PAGE_SZ (2ull << 20)
#define GROW_PAGES 32u    /* 64 MiB */
#define ATTACH_PAGES 512u /* 1 GiB */
/* Free pages the attach case needs (its primary's, plus some slack). */
#define ATTACH_NEED 600
/* Pages left out of the warm-up when the pool has plenty (see above). */
#define WARM_KEEP 256
#define MAX_RUNS 101
/* Tries per measurement while the pool is momentarily empty, and per
 * child start (a start that fails for another reason fails fast). */
#define RETRIES 100
#define START_RETRIES 10
#define RETRY_US 50000

static char rt_base[256];

static double
ms_since(uint64_t t0, uint64_t t1)
{
	return (double)(t1 - t0) / 1e6;
}

/* Write a byte to each of @n pages from @p. */
static void
touch_pages(void *p, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		((volatile char *)p)[(size_t)i * PAGE_SZ] = 1;
}

/* The kernel's limit: 32 hugepages mapped, touched, unmapped. */
static int
kernel_round(double v[3])
{
	size_t len = (size_t)GROW_PAGES * PAGE_SZ;
	uint64_t t0 = bench_now_ns(), t1;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);

	if (p == MAP_FAILED)
		return -1;
	touch_pages(p, GROW_PAGES);
	t1 = bench_now_ns();
	munmap(p, len);
	v[0] = ms_since(t0, t1);
	v[1] = ms_since(t1, bench_now_ns());
	v[2] = GROW_PAGES;
	return 0;
}

/* ---- children: what each measures --------------------------------------- */

static int
eal_args(char **argv, const char *prefix, const char *extra1, const char *extra2)
{
	int n = 0;

	argv[n++] = (char *)"bench_dynmem";
	argv[n++] = (char *)"--file-prefix";
	argv[n++] = (char *)prefix;
	argv[n++] = (char *)"--runtime-dir";
	argv[n++] = rt_base;
	argv[n++] = (char *)"--log-level";
	argv[n++] = (char *)"error";
	if (extra1 != NULL)
		argv[n++] = (char *)extra1;
	if (extra2 != NULL)
		argv[n++] = (char *)extra2;
	argv[n] = NULL;
	return n;
}

static int
init_or_report(int argc, char **argv)
{
	if (eal_init(argc, argv) < 0) {
		fprintf(stderr, "bench_dynmem: eal_init: %s\n", eal_strerror(eal_errno));
		return -1;
	}
	return 0;
}

/* Wait for EOF on stdin (the parent is done with us). */
static void
wait_parent(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) > 0)
		;
}

/* A primary that grows by 64 MiB and shrinks back once per byte on
 * stdin, printing "grow_ms shrink_ms pages" (or "fail") per round. */
static int
child_grow(bool sfs)
{
	char *argv[16];
	int argc = eal_args(argv, sfs ? "bench_dyn_sfs" : "bench_dyn",
			    sfs ? "--single-file-segments" : NULL, NULL);
	char c;

	if (init_or_report(argc, argv) < 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1) {
		uint64_t t0, t1, t2;
		void *addr;
		int rc;

		t0 = bench_now_ns();
		rc = eal__memalloc_alloc(PAGE_SZ, EAL_SOCKET_ID_ANY, GROW_PAGES, 0, &addr);
		if (rc < 0) {
			printf("fail\n"); /* the pool ran out: the parent retries */
			fflush(stdout);
			continue;
		}
		touch_pages(addr, GROW_PAGES);
		t1 = bench_now_ns();
		rc = eal__memalloc_free(addr, (size_t)GROW_PAGES * PAGE_SZ);
		t2 = bench_now_ns();
		if (rc < 0) {
			fprintf(stderr, "bench_dynmem: eal__memalloc_free: %s\n", eal_strerror(rc));
			break;
		}
		printf("%.4f %.4f %u\n", ms_since(t0, t1), ms_since(t1, t2), GROW_PAGES);
		fflush(stdout);
	}
	return eal_cleanup() < 0;
}

/* One eal_init + eal_cleanup, nothing preallocated or -m 64:
 * "init_ms cleanup_ms". */
static int
child_init(bool m64)
{
	char *argv[16];
	int argc = eal_args(argv, "bench_dyn_init", m64 ? "-m" : NULL, m64 ? "64" : NULL);
	uint64_t t0 = bench_now_ns(), t1;

	if (init_or_report(argc, argv) < 0)
		return 1;
	t1 = bench_now_ns();
	if (eal_cleanup() < 0)
		return 1;
	printf("%.4f %.4f\n", ms_since(t0, t1), ms_since(t1, bench_now_ns()));
	return 0;
}

/* A primary with 1 GiB allocated, until EOF on stdin. */
static int
child_hold(bool sfs)
{
	char *argv[16];
	int argc = eal_args(argv, sfs ? "bench_dyn_attach_sfs" : "bench_dyn_attach",
			    "--proc-type=primary", sfs ? "--single-file-segments" : NULL);
	void *addr;
	int rc;

	if (init_or_report(argc, argv) < 0)
		return 1;
	rc = eal__memalloc_alloc(PAGE_SZ, EAL_SOCKET_ID_ANY, ATTACH_PAGES, 0, &addr);
	if (rc < 0) {
		fprintf(stderr, "bench_dynmem: cannot allocate %u pages: %s\n", ATTACH_PAGES,
			eal_strerror(rc));
		(void)eal_cleanup();
		return 1;
	}
	touch_pages(addr, ATTACH_PAGES);
	printf("ready\n");
	fflush(stdout);
	wait_parent();
	(void)eal__memalloc_free(addr, (size_t)ATTACH_PAGES * PAGE_SZ);
	return eal_cleanup() < 0;
}

static int
sum_len(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	*(uint64_t *)arg += ms->len;
	return 0;
}

/* A secondary's eal_init + eal_cleanup: "init_ms cleanup_ms mapped_mib". */
static int
child_attach(bool sfs)
{
	char *argv[16];
	int argc = eal_args(argv, sfs ? "bench_dyn_attach_sfs" : "bench_dyn_attach",
			    "--proc-type=secondary", NULL);
	uint64_t t0 = bench_now_ns(), t1, t2, mapped = 0;

	if (init_or_report(argc, argv) < 0)
		return 1;
	t1 = bench_now_ns();
	(void)eal_memseg_walk(sum_len, &mapped); /* in neither figure */
	t2 = bench_now_ns();
	if (eal_cleanup() < 0)
		return 1;
	printf("%.4f %.4f %.0f\n", ms_since(t0, t1), ms_since(t2, bench_now_ns()),
	       (double)mapped / (1 << 20));
	return 0;
}

/* The kernel's limit, measured as the other peers are: one round per
 * byte on stdin. */
static int
child_kernel(void)
{
	char c;

	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1) {
		double v[3];

		if (kernel_round(v) < 0)
			printf("fail\n");
		else
			printf("%.4f %.4f %.0f\n", v[0], v[1], v[2]);
		fflush(stdout);
	}
	return 0;
}

static int
child(const char *role, const char *arg)
{
	bool sfs = strcmp(arg, "sfs") == 0;

	if (strcmp(role, "kernel") == 0)
		return child_kernel();
	if (strcmp(role, "grow") == 0)
		return child_grow(sfs);
	if (strcmp(role, "init") == 0)
		return child_init(strcmp(arg, "m64") == 0);
	if (strcmp(role, "hold") == 0)
		return child_hold(sfs);
	if (strcmp(role, "attach") == 0)
		return child_attach(sfs);
	return 2;
}

/* ---- the parent: peers and rounds ----------------------------------------- */

/* Start a peer, retrying while the pool is momentarily empty. */
static int
peer_start_retry(struct bench_peer *p, char *const argv[])
{
	for (int i = 0; i < START_RETRIES; i++) {
		if (bench_peer_start(p, argv) == 0)
			return 0;
		usleep(RETRY_US);
	}
	fprintf(stderr, "bench_dynmem: %s %s %s did not start\n", argv[0], argv[1], argv[2]);
	return -1;
}

/* One round of a peer: up to 3 numbers. -1 when it could not. */
static int
peer_round(struct bench_peer *p, double v[3])
{
	char line[128];

	if (bench_peer_ask(p, 'g', line, sizeof(line)) < 0)
		return -1;
	v[2] = 0;
	return sscanf(line, "%lf %lf %lf", &v[0], &v[1], &v[2]) >= 2 ? 0 : -1;
}

/* A fresh process's one measurement: up to 3 numbers. */
static int
run_once(char *const argv[], double v[3])
{
	char buf[128];

	if (bench_run(argv, buf, sizeof(buf)) < 0)
		return -1;
	v[2] = 0;
	return sscanf(buf, "%lf %lf %lf", &v[0], &v[1], &v[2]) >= 2 ? 0 : -1;
}

/* Map and touch @n free hugepages at once, then give them back; prints
 * the first-touch cost. */
static void
warm_up(long n)
{
	size_t len = (size_t)n * PAGE_SZ;
	uint64_t t0 = bench_now_ns();
	void *p;

	if (n <= 0)
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "bench_dynmem: warm-up of %ld hugepages: %s\n", n, strerror(errno));
		return;
	}
	touch_pages(p, (unsigned int)n);
	printf("{\"bench\":\"dynmem\",\"impl\":\"kernel\",\"case\":\"warmup\",\"pages\":%ld,\"ms_per_page\":%.4f}\n",
	       n, ms_since(t0, bench_now_ns()) / (double)n);
	fflush(stdout);
	munmap(p, len);
}

/* What one round measures, in rotating order. */
enum item {
	KERNEL,
	GROW_EAL,
	GROW_EAL_SFS,
	GROW_DPDK,
	GROW_DPDK_SFS,
	INIT_EAL_NONE,
	INIT_EAL_M64,
	INIT_DPDK_NONE,
	INIT_DPDK_M64,
	N_ITEMS
};

static const char *const item_names[N_ITEMS] = {
	"kernel",
	"libeal grow",
	"libeal grow --single-file-segments",
	"DPDK grow",
	"DPDK grow --single-file-segments",
	"libeal init",
	"libeal init -m 64",
	"DPDK init",
	"DPDK init -m 64",
};

struct series {
	bool on;
	bool is_peer;           /* measured by a long-lived child */
	struct bench_peer peer; /* is_peer: that child */
	char *argv[6];          /* the peer's command, or the one run per round */
	double v[3][MAX_RUNS];
};

static struct series items[N_ITEMS];

static int
measure(enum item it, double v[3])
{
	struct series *s = &items[it];

	if (s->is_peer)
		return peer_round(&s->peer, v);
	return run_once(s->argv, v);
}

static int
rounds(int runs)
{
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < N_ITEMS; k++) {
			enum item it = (enum item)((r + k) % N_ITEMS);
			double v[3];
			int i;

			if (!items[it].on)
				continue;
			for (i = 0; i < RETRIES && measure(it, v) < 0; i++)
				usleep(RETRY_US);
			if (i == RETRIES) {
				fprintf(stderr, "bench_dynmem: %s keeps failing\n", item_names[it]);
				return -1;
			}
			for (int j = 0; j < 3; j++)
				items[it].v[j][r] = v[j];
		}
	}
	return 0;
}

static void
set_argv(struct series *s, const char *exe, const char *role, const char *arg)
{
	s->argv[0] = (char *)exe;
	s->argv[1] = (char *)role;
	s->argv[2] = (char *)arg;
	s->argv[3] = NULL;
	s->on = true;
}

static void
set_child_argv(struct series *s, char *self, const char *role, const char *arg)
{
	s->argv[0] = self;
	s->argv[1] = (char *)"--child";
	s->argv[2] = (char *)role;
	s->argv[3] = (char *)arg;
	s->argv[4] = rt_base;
	s->argv[5] = NULL;
	s->on = true;
}

/* Medians of one series: [0] grow / init, [1] shrink / cleanup, [2] pages. */
static void
medians(enum item it, int runs, double m[3])
{
	for (int j = 0; j < 3; j++)
		m[j] = bench_median(items[it].v[j], runs);
}

/* Two result lines: growth per page against the kernel's (@name, @desc),
 * and the shrink of the whole 64 MiB (@shrink_name, @shrink_desc). */
static void
report_grow(int runs, const char *name, const char *desc, const char *shrink_name,
	    const char *shrink_desc, enum item eal, enum item dpdk, const double k[3])
{
	struct bench_result r;
	double l[3], d[3];

	medians(eal, runs, l);
	printf("{\"bench\":\"dynmem\",\"impl\":\"libeal\",\"case\":\"%s\",\"pages\":%.0f,\"grow_ms\":%.3f,\"shrink_ms\":%.3f,\"ms_per_page\":%.4f}\n",
	       name, l[2], l[0], l[1], l[0] / l[2]);
	if (items[dpdk].on) {
		medians(dpdk, runs, d);
		printf("{\"bench\":\"dynmem\",\"impl\":\"dpdk\",\"case\":\"%s\",\"pages\":%.0f,\"grow_ms\":%.3f,\"shrink_ms\":%.3f,\"ms_per_page\":%.4f}\n",
		       name, d[2], d[0], d[1], d[0] / d[2]);
	}
	r = (struct bench_result){
		.bench = "dynmem",
		.kase = name,
		.desc = desc,
		.unit = "ms",
		.libeal = l[0] / l[2],
		.dpdk = items[dpdk].on ? d[0] / d[2] : 0,
		.kernel = k[0] / k[2],
		.target = "<= 1.1x kernel",
		.ok = (l[0] / l[2]) <= 1.1 * (k[0] / k[2]),
	};
	bench_print_result(&r);
	r = (struct bench_result){
		.bench = "dynmem",
		.kase = shrink_name,
		.desc = shrink_desc,
		.unit = "ms",
		.libeal = l[1],
		.dpdk = items[dpdk].on ? d[1] : 0,
		.kernel = k[1],
	};
	bench_print_result(&r);
}

/* @k: the kernel's limit for the same pages, or NULL (then the target
 * is 2 ms). */
static void
report_init(int runs, const char *name, const char *desc, enum item eal, enum item dpdk,
	    const double k[3])
{
	struct bench_result r;
	double l[3], d[3];

	medians(eal, runs, l);
	printf("{\"bench\":\"dynmem\",\"impl\":\"libeal\",\"case\":\"%s\",\"init_ms\":%.3f,\"cleanup_ms\":%.3f}\n",
	       name, l[0], l[1]);
	if (items[dpdk].on) {
		medians(dpdk, runs, d);
		printf("{\"bench\":\"dynmem\",\"impl\":\"dpdk\",\"case\":\"%s\",\"init_ms\":%.3f,\"cleanup_ms\":%.3f}\n",
		       name, d[0], d[1]);
	}
	r = (struct bench_result){
		.bench = "dynmem",
		.kase = name,
		.desc = desc,
		.unit = "ms",
		.libeal = l[0],
		.dpdk = items[dpdk].on ? d[0] : 0,
		.kernel = k != NULL ? k[0] : 0,
		.target = k != NULL ? "<= 1.3x kernel" : "<= 2 ms",
		.ok = k != NULL ? l[0] <= 1.3 * k[0] : l[0] <= 2.0,
	};
	bench_print_result(&r);
}

/* Secondary attach while a primary (@exe hold) has 1 GiB: the medians of
 * "init_ms cleanup_ms mapped_mib" of @runs secondaries, or -1. @self:
 * @exe is this program (its roles take --child and the runtime dir). */
static int
attach(int runs, char *exe, bool self, bool sfs, double m[3])
{
	static double v[3][MAX_RUNS];
	struct series hold = { .on = false }, sec = { .on = false };
	const char *arg = sfs ? "sfs" : "page";
	int i;

	if (self) {
		set_child_argv(&hold, exe, "hold", arg);
		set_child_argv(&sec, exe, "attach", arg);
	} else {
		set_argv(&hold, exe, "hold", arg);
		set_argv(&sec, exe, "attach", arg);
	}
	if (peer_start_retry(&hold.peer, hold.argv) < 0)
		return -1;
	for (int r = 0; r < runs; r++) {
		double x[3];

		for (i = 0; i < START_RETRIES && run_once(sec.argv, x) < 0; i++)
			usleep(RETRY_US);
		if (i == START_RETRIES) {
			(void)bench_peer_stop(&hold.peer);
			return -1;
		}
		for (int j = 0; j < 3; j++)
			v[j][r] = x[j];
	}
	if (bench_peer_stop(&hold.peer) < 0)
		fprintf(stderr, "bench_dynmem: %s hold %s did not exit cleanly\n", exe, arg);
	for (int j = 0; j < 3; j++)
		m[j] = bench_median(v[j], runs);
	return 0;
}

static void
report_attach(int runs, char *self, const char *dpdk, bool sfs)
{
	const char *name = sfs ? "attach_1g_single_file" : "attach_1g_page_files";
	struct bench_result r;
	double l[3], d[3];
	bool have_dpdk = false;

	if (attach(runs, self, true, sfs, l) < 0) {
		fprintf(stderr, "bench_dynmem: %s: libeal failed\n", name);
		return;
	}
	printf("{\"bench\":\"dynmem\",\"impl\":\"libeal\",\"case\":\"%s\",\"mapped_mib\":%.0f,\"init_ms\":%.3f,\"cleanup_ms\":%.3f}\n",
	       name, l[2], l[0], l[1]);
	fflush(stdout);
	if (dpdk != NULL) {
		have_dpdk = attach(runs, (char *)dpdk, false, sfs, d) == 0;
		if (have_dpdk)
			printf("{\"bench\":\"dynmem\",\"impl\":\"dpdk\",\"case\":\"%s\",\"mapped_mib\":%.0f,\"init_ms\":%.3f,\"cleanup_ms\":%.3f}\n",
			       name, d[2], d[0], d[1]);
		else
			fprintf(stderr, "bench_dynmem: %s: DPDK failed; no comparison\n", name);
	}
	r = (struct bench_result){
		.bench = "dynmem",
		.kase = name,
		.desc = sfs ? "secondary `eal_init` while the primary has 1 GiB mapped, `--single-file-segments`"
			    : "secondary `eal_init` while the primary has 1 GiB mapped, a file per page",
		.unit = "ms",
		.libeal = l[0],
		.dpdk = have_dpdk ? d[0] : 0,
		.target = "<= 1 ms",
		.ok = l[0] <= 1.0,
	};
	bench_print_result(&r);
}

int
main(int argc, char **argv)
{
	int runs = 21, rc = 0;
	const char *dpdk = NULL;
	long free_pages, warm;
	double k[3];

	if (argc >= 5 && strcmp(argv[1], "--child") == 0) {
		snprintf(rt_base, sizeof(rt_base), "%s", argv[4]);
		return child(argv[2], argv[3]);
	}
	bench_parse_args(argc, argv, &runs, &dpdk, MAX_RUNS);
	snprintf(rt_base, sizeof(rt_base), "/tmp/eal-bench-dynmem-%d", (int)getpid());
	/* A child that died shows as a failed round, not as SIGPIPE here. */
	signal(SIGPIPE, SIG_IGN);

	free_pages = bench_hugepages_free();
	if (free_pages < GROW_PAGES * 2) {
		fprintf(stderr, "bench_dynmem: %ld free 2 MiB hugepages, needs %u (run bench/run.sh as root): skipped\n",
			free_pages, GROW_PAGES * 2);
		return 0;
	}
	warm = free_pages > ATTACH_NEED + WARM_KEEP ? free_pages - WARM_KEEP : free_pages;
	warm_up(warm);

	set_child_argv(&items[KERNEL], argv[0], "kernel", "-");
	set_child_argv(&items[GROW_EAL], argv[0], "grow", "page");
	set_child_argv(&items[GROW_EAL_SFS], argv[0], "grow", "sfs");
	set_child_argv(&items[INIT_EAL_NONE], argv[0], "init", "none");
	set_child_argv(&items[INIT_EAL_M64], argv[0], "init", "m64");
	if (dpdk != NULL) {
		set_argv(&items[GROW_DPDK], dpdk, "grow", "page");
		set_argv(&items[GROW_DPDK_SFS], dpdk, "grow", "sfs");
		set_argv(&items[INIT_DPDK_NONE], dpdk, "init", "none");
		set_argv(&items[INIT_DPDK_M64], dpdk, "init", "m64");
	}
	for (int it = KERNEL; it <= GROW_DPDK_SFS; it++)
		items[it].is_peer = items[it].on;
	for (int it = KERNEL; it <= GROW_DPDK_SFS; it++) {
		if (!items[it].on || peer_start_retry(&items[it].peer, items[it].argv) == 0)
			continue;
		if (it >= GROW_DPDK) {
			fprintf(stderr, "bench_dynmem: DPDK did not start (needs root); no comparison\n");
			items[GROW_DPDK].on = items[GROW_DPDK_SFS].on = false;
			items[INIT_DPDK_NONE].on = items[INIT_DPDK_M64].on = false;
			if (it == GROW_DPDK_SFS)
				(void)bench_peer_stop(&items[GROW_DPDK].peer);
			break;
		}
		rc = 1;
	}
	if (rc == 0 && rounds(runs) < 0)
		rc = 1;
	for (int it = KERNEL; it <= GROW_DPDK_SFS; it++)
		if (items[it].on && items[it].peer.pid > 0 && bench_peer_stop(&items[it].peer) < 0)
			fprintf(stderr, "bench_dynmem: %s: the child failed\n", item_names[it]);
	if (rc != 0) {
		rmdir(rt_base);
		return rc;
	}

	medians(KERNEL, runs, k);
	printf("{\"bench\":\"dynmem\",\"impl\":\"kernel\",\"case\":\"grow_64m\",\"pages\":%u,\"grow_ms\":%.3f,\"shrink_ms\":%.3f,\"ms_per_page\":%.4f}\n",
	       GROW_PAGES, k[0], k[1], k[0] / GROW_PAGES);
	k[2] = GROW_PAGES;
	report_grow(runs, "grow_64m_page_files",
		    "grow by 64 MiB (32 pages, each written), a file per page; per page",
		    "shrink_64m_page_files", "give the 64 MiB back, a file per page", GROW_EAL,
		    GROW_DPDK, k);
	report_grow(runs, "grow_64m_single_file",
		    "grow by 64 MiB (32 pages, each written), `--single-file-segments`; per page",
		    "shrink_64m_single_file", "give the 64 MiB back, `--single-file-segments`",
		    GROW_EAL_SFS, GROW_DPDK_SFS, k);
	report_init(runs, "init_none", "`eal_init` with nothing preallocated (fresh process)",
		    INIT_EAL_NONE, INIT_DPDK_NONE, NULL);
	report_init(runs, "init_m64", "`eal_init -m 64` (32 pages) in a fresh process",
		    INIT_EAL_M64, INIT_DPDK_M64, k);
	fflush(stdout);

	if (bench_hugepages_free() >= ATTACH_NEED) {
		report_attach(runs, argv[0], dpdk, false);
		report_attach(runs, argv[0], dpdk, true);
	} else {
		fprintf(stderr, "bench_dynmem: fewer than %d free 2 MiB hugepages: no attach case\n",
			ATTACH_NEED);
	}
	rmdir(rt_base);
	return 0;
}
