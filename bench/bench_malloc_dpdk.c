/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's side of bench_malloc: rte_malloc / rte_free and rte_memzone_* on
 * the workload of bench_malloc_work.h. Built only when libdpdk-dev is
 * installed; run by bench_malloc --dpdk PATH, as its peer:
 *
 *   bench_malloc_dpdk CPU
 *
 * rte_eal_init with -m 256 (2 MiB hugepages, so the heap never grows) and
 * its main lcore on CPU, one round unmeasured, "ready"; then per byte on
 * stdin one round, printed as a line of figures (bench_malloc_work.h).
 * At EOF it cleans up and removes the hugepage files its pinned pages
 * leave behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "bench_common.h"
#include "bench_dpdk_cleanup.h"
#include "bench_malloc_work.h"

#define BM_IMPL dpdk
#define BM_ALLOC(size) rte_malloc(NULL, (size), 0)
#define BM_FREE(p) rte_free(p)
#define BM_MZ_T struct rte_memzone
#define BM_MZ_RESERVE(n) rte_memzone_reserve((n), BM_ZONE_LEN, SOCKET_ID_ANY, 0)
#define BM_MZ_LOOKUP(n) rte_memzone_lookup(n)
#define BM_MZ_FREE(mz) rte_memzone_free(mz)
#include "bench_malloc_loops.h"

static struct bm_seq seq;

int
main(int argc, char **argv_in)
{
	const char *cpu = argc > 1 ? argv_in[1] : "0";
	char prefix[64], lcores[32];
	char *argv[] = { (char *)"bench_malloc_dpdk", (char *)"--no-pci", (char *)"--no-telemetry",
			 (char *)"--log-level=error", (char *)"-m", (char *)"256",
			 (char *)"--file-prefix", prefix, (char *)"-l", lcores, NULL };
	double v[BM_N_CASES];
	int rc = 0;
	char c;

	snprintf(prefix, sizeof(prefix), "bench_malloc_dpdk_%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "%s", cpu);
	if (rte_eal_init(10, argv) < 0) {
		fprintf(stderr, "bench_malloc_dpdk: rte_eal_init: %s\n", rte_strerror(rte_errno));
		bench_remove_hugepage_files(prefix);
		return 1;
	}
	bm_seq_init(&seq);
	if (bm_round_dpdk(&seq, v) < 0) {
		rc = 1;
		goto cleanup;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) == 1) {
		if (bm_round_dpdk(&seq, v) < 0) {
			printf("fail\n");
			fflush(stdout);
			rc = 1;
			break;
		}
		bm_print_round(v);
	}
cleanup:
	if (rte_eal_cleanup() < 0)
		rc = 1;
	bench_remove_hugepage_files(prefix);
	return rc;
}
