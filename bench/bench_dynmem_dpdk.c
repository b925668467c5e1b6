/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's side of bench_dynmem: dynamic memory on 2 MiB hugepages. Built
 * only when libdpdk-dev is installed. ms figures on stdout, as
 * bench_dynmem's own children print them:
 *
 *   bench_dynmem_dpdk grow page|sfs    a primary (per-page files, or
 *       --single-file-segments) that prints "ready", then per byte on
 *       stdin grows its heap by 64 MiB and shrinks it back: rte_malloc of
 *       63 MiB (with the element's header, 32 new pages), a byte written
 *       to each page, rte_free; prints "grow_ms shrink_ms pages" where
 *       pages is what the heap grew by. Pages the heap keeps after the
 *       free are reported on stderr (DPDK returns only whole free pages).
 *   bench_dynmem_dpdk init none|m64    one rte_eal_init (nothing
 *       preallocated, or -m 64) + rte_eal_cleanup: "init_ms cleanup_ms"
 *   bench_dynmem_dpdk hold page|sfs    a primary whose heap has 1 GiB of
 *       pages; prints "ready" and waits for EOF on stdin
 *   bench_dynmem_dpdk attach page|sfs  one secondary rte_eal_init +
 *       rte_eal_cleanup against hold: "init_ms cleanup_ms mapped_mib"
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "bench_dpdk_cleanup.h"

#define PAGE_SZ (2ull << 20)
#define GROW_PAGES 32u
#define ATTACH_PAGES 512u

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
touch_pages(void *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE_SZ)
		((volatile char *)p)[off] = 1;
}

/* Bytes of hugepages in this socket's heap. */
static uint64_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats s;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &s) < 0)
		return 0;
	return s.heap_totalsz_bytes;
}

/* Grow by 64 MiB and back once per byte on stdin. */
static int
grow(void)
{
	size_t len = (size_t)GROW_PAGES * PAGE_SZ - PAGE_SZ / 2;
	char c;

	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1) {
		uint64_t h0 = heap_bytes(), h1, h2;
		double t0, t1, t2, t3;
		void *p;

		t0 = now_ms();
		p = rte_malloc_socket("bench", len, 0, (int)rte_socket_id());
		if (p == NULL) {
			printf("fail\n"); /* the pool ran out: the parent retries */
			fflush(stdout);
			continue;
		}
		touch_pages(p, len);
		t1 = now_ms();
		h1 = heap_bytes();
		t2 = now_ms();
		rte_free(p);
		t3 = now_ms();
		h2 = heap_bytes();
		if (h2 != h0)
			fprintf(stderr, "bench_dynmem_dpdk: the heap kept %.0f of %.0f new pages after rte_free\n",
				(double)(h2 - h0) / PAGE_SZ, (double)(h1 - h0) / PAGE_SZ);
		printf("%.4f %.4f %.0f\n", t1 - t0, t3 - t2, (double)(h1 - h0) / PAGE_SZ);
		fflush(stdout);
	}
	return 0;
}

/* Fill the heap to 1 GiB of pages and wait for EOF on stdin. */
static int
hold(void)
{
	uint64_t have = heap_bytes() / PAGE_SZ;
	size_t len;
	void *p = NULL;
	char c;

	/* The new pages: what 1 GiB lacks, the header in the last one. */
	if (have < ATTACH_PAGES) {
		len = (size_t)(ATTACH_PAGES - have) * PAGE_SZ - PAGE_SZ / 2;
		p = rte_malloc_socket("bench", len, 0, (int)rte_socket_id());
		if (p == NULL) {
			fprintf(stderr, "bench_dynmem_dpdk: cannot allocate %zu MiB\n", len >> 20);
			return 1;
		}
		touch_pages(p, len);
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		;
	rte_free(p);
	return 0;
}

static int
sum_len(const struct rte_memseg_list *msl, const struct rte_memseg *ms, void *arg)
{
	(void)msl;
	*(uint64_t *)arg += ms->len;
	return 0;
}

int
main(int argc, char **argv_in)
{
	const char *role = argc > 1 ? argv_in[1] : "init";
	const char *arg = argc > 2 ? argv_in[2] : "none";
	bool sfs = strcmp(arg, "sfs") == 0;
	char prefix[64];
	char *argv[16] = { (char *)"bench_dynmem_dpdk", (char *)"--no-pci",
			   (char *)"--no-telemetry", (char *)"-l", (char *)"0",
			   (char *)"--log-level=error", (char *)"--file-prefix", prefix };
	int n = 8, rc = 0;
	uint64_t mapped = 0;
	double t0, t1, t2;

	if (strcmp(role, "init") == 0)
		snprintf(prefix, sizeof(prefix), "bench_dyn_dpdk_init");
	else if (strcmp(role, "grow") == 0)
		snprintf(prefix, sizeof(prefix), "bench_dyn_dpdk%s", sfs ? "_sfs" : "");
	else
		snprintf(prefix, sizeof(prefix), "bench_dyn_dpdk_attach%s", sfs ? "_sfs" : "");
	if (strcmp(role, "attach") == 0) {
		argv[n++] = (char *)"--proc-type=secondary";
	} else {
		if (sfs)
			argv[n++] = (char *)"--single-file-segments";
		if (strcmp(arg, "m64") == 0) {
			argv[n++] = (char *)"-m";
			argv[n++] = (char *)"64";
		}
	}
	argv[n] = NULL;
	t0 = now_ms();
	if (rte_eal_init(n, argv) < 0) {
		if (strcmp(role, "attach") != 0)
			bench_remove_hugepage_files(prefix);
		return 1;
	}
	t1 = now_ms();
	if (strcmp(role, "grow") == 0)
		rc = grow();
	else if (strcmp(role, "hold") == 0)
		rc = hold();
	else if (strcmp(role, "attach") == 0)
		(void)rte_memseg_walk(sum_len, &mapped); /* in neither figure */
	t2 = now_ms();
	if (rte_eal_cleanup() < 0)
		rc = 1;
	if (strcmp(role, "init") == 0)
		printf("%.4f %.4f\n", t1 - t0, now_ms() - t2);
	else if (strcmp(role, "attach") == 0)
		printf("%.4f %.4f %.0f\n", t1 - t0, now_ms() - t2, (double)mapped / (1 << 20));
	/* The pages a primary still had stay in its files: remove them. */
	if (strcmp(role, "attach") != 0)
		bench_remove_hugepage_files(prefix);
	return rc;
}
