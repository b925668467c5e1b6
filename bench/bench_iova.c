/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of reading physical addresses from /proc/self/pagemap
 * (eal__iova_virt2phys), one JSON line per operation, then the result
 * lines (bench_common.h):
 *   virt2phys_single     one address per call (open + pread + close)
 *   virt2phys_batch512   512 consecutive pages per call, ns per address
 *   virt2phys_scattered  512 pages in random order over 64 MiB, per address
 *   open_pread_close     the same three system calls written out by hand,
 *                        the way DPDK's rte_mem_virt2phy pays them per call
 *   pa_available         the availability probe
 * Each figure is the median of 5 runs. Run as root to read real frame
 * numbers (the cost is the same without root; the answers are not).
 *
 * Usage: bench_iova [--iters N]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

#include "bench_common.h"

#define PG 4096u
#define BATCH 512u
#define RUNS 5
#define SCATTER_PAGES (64u * 256u) /* 64 MiB */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The medians, by op name (for the result lines). */
static struct {
	const char *op;
	double ns;
} medians[8];
static int n_medians;

static void
report(const char *op, double runs[RUNS])
{
	const char *impl = strcmp(op, "open_pread_close") == 0 ? "kernel" : "libeal";

	qsort(runs, RUNS, sizeof(runs[0]), cmp_double);
	printf("{\"bench\":\"iova\",\"impl\":\"%s\",\"case\":\"%s\",\"ns_per_op\":%.2f}\n", impl, op,
	       runs[RUNS / 2]);
	fflush(stdout);
	if (n_medians < 8) {
		medians[n_medians].op = op;
		medians[n_medians++].ns = runs[RUNS / 2];
	}
}

static double
median_of(const char *op)
{
	for (int i = 0; i < n_medians; i++)
		if (strcmp(medians[i].op, op) == 0)
			return medians[i].ns;
	return 0;
}

/* The result lines (bench_common.h's format, libeal only: DPDK has no
 * batched lookup; its per-call cost is the kernel figure). */
static void
print_results(void)
{
	static const struct {
		const char *op, *desc;
	} cases[] = {
		{ "virt2phys_single", "pagemap lookup of one address (open + pread + close)" },
		{ "virt2phys_batch512", "pagemap lookup of 512 consecutive pages, per address" },
		{ "virt2phys_scattered", "pagemap lookup of 512 pages scattered over 64 MiB, per address" },
		{ "pa_available", "probe: are physical addresses readable?" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_result r = {
			.bench = "iova",
			.kase = cases[i].op,
			.desc = cases[i].desc,
			.unit = "ns",
			.libeal = median_of(cases[i].op),
			.kernel = i == 0 ? median_of("open_pread_close") : 0,
		};

		if (r.libeal > 0)
			bench_print_result(&r);
	}
}

static int
bench_virt2phys(const char *op, const void *const *addrs, unsigned int n, unsigned int iters)
{
	static uint64_t pa[BATCH];
	double runs[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned int i = 0; i < iters; i++) {
			int rc = eal__iova_virt2phys(addrs, n, pa);

			if (rc < 0) {
				fprintf(stderr, "bench_iova: virt2phys: %s\n", strerror(-rc));
				return -1;
			}
		}
		runs[r] = (double)(now_ns() - t0) / ((double)iters * n);
	}
	if (pa[0] == EAL_BAD_IOVA)
		fprintf(stderr, "bench_iova: no physical addresses (not root?): timing only\n");
	report(op, runs);
	return 0;
}

/* One lookup as DPDK does it: open, pread one entry, close, every call. */
static int
bench_open_pread_close(const void *addr, unsigned int iters)
{
	double runs[RUNS];

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned int i = 0; i < iters; i++) {
			uint64_t e;
			int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

			if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)addr / PG * 8)) != 8) {
				fprintf(stderr, "bench_iova: pagemap: %s\n", strerror(errno));
				if (fd >= 0)
					close(fd);
				return -1;
			}
			close(fd);
		}
		runs[r] = (double)(now_ns() - t0) / iters;
	}
	report("open_pread_close", runs);
	return 0;
}

static void
bench_pa_available(unsigned int iters)
{
	double runs[RUNS];
	bool avail = false;

	for (int r = 0; r < RUNS; r++) {
		uint64_t t0 = now_ns();

		for (unsigned int i = 0; i < iters; i++)
			(void)eal__iova_pa_available(&avail);
		runs[r] = (double)(now_ns() - t0) / iters;
	}
	report("pa_available", runs);
}

int
main(int argc, char **argv)
{
	static const void *addrs[BATCH];
	unsigned int iters = 20000;
	char *m;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) {
			iters = (unsigned int)strtoul(argv[++i], NULL, 0);
		} else {
			fprintf(stderr, "usage: %s [--iters N]\n", argv[0]);
			return 2;
		}
	}
	if (iters == 0)
		iters = 1;
	m = mmap(NULL, (size_t)SCATTER_PAGES * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m == MAP_FAILED) {
		perror("bench_iova: mmap");
		return 1;
	}
	memset(m, 1, (size_t)SCATTER_PAGES * PG);

	addrs[0] = m;
	if (bench_virt2phys("virt2phys_single", addrs, 1, iters) < 0)
		return 1;
	for (unsigned int i = 0; i < BATCH; i++)
		addrs[i] = m + (size_t)i * PG;
	if (bench_virt2phys("virt2phys_batch512", addrs, BATCH, iters / 20 + 1) < 0)
		return 1;
	srand(1);
	for (unsigned int i = 0; i < BATCH; i++)
		addrs[i] = m + (size_t)((unsigned int)rand() % SCATTER_PAGES) * PG;
	if (bench_virt2phys("virt2phys_scattered", addrs, BATCH, iters / 200 + 1) < 0)
		return 1;
	if (bench_open_pread_close(m, iters) < 0)
		return 1;
	bench_pa_available(iters);
	munmap(m, (size_t)SCATTER_PAGES * PG);
	print_results();
	return 0;
}
