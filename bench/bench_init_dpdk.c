/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's side of bench_init. Built only when libdpdk-dev is installed.
 *
 *   bench_init_dpdk [no_huge|legacy]   one cold rte_eal_init + rte_eal_cleanup
 *                                      with 64 MiB, printed in microseconds
 *   bench_init_dpdk hold PREFIX        a primary (-m 64, hugepages) that
 *                                      prints "ready" and waits for EOF on stdin
 *   bench_init_dpdk attach PREFIX      one secondary rte_eal_init +
 *                                      rte_eal_cleanup, in microseconds
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

#include "bench_dpdk_cleanup.h"

static double
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int
main(int argc, char **argv_in)
{
	const char *mode = argc > 1 ? argv_in[1] : "no_huge";
	char prefix[64];
	char *argv[16] = { (char *)"bench_init_dpdk", (char *)"--no-pci", (char *)"--no-telemetry",
			   (char *)"--log-level=lib.eal:error", (char *)"--file-prefix", prefix };
	int n = 6;
	double t0;

	if (argc > 2)
		snprintf(prefix, sizeof(prefix), "%s", argv_in[2]);
	else
		snprintf(prefix, sizeof(prefix), "bench_init_dpdk_%d", (int)getpid());
	if (strcmp(mode, "attach") == 0) {
		argv[n++] = (char *)"--proc-type=secondary";
	} else {
		argv[n++] = strcmp(mode, "legacy") == 0 ? (char *)"--legacy-mem"
			  : strcmp(mode, "hold") == 0	  ? (char *)"--single-file-segments"
							  : (char *)"--no-huge";
		argv[n++] = (char *)"-m";
		argv[n++] = (char *)"64";
		if (strcmp(mode, "hold") != 0)
			argv[n++] = (char *)"--no-shconf";
	}
	argv[n] = NULL;
	t0 = now_us();
	if (rte_eal_init(n, argv) < 0)
		return 1;
	if (strcmp(mode, "hold") == 0) {
		char c;

		printf("ready\n");
		fflush(stdout);
		while (read(STDIN_FILENO, &c, 1) > 0)
			;
		rte_eal_cleanup();
		bench_remove_hugepage_files(prefix);
		return 0;
	}
	if (rte_eal_cleanup() < 0)
		return 1;
	printf("%.1f\n", now_us() - t0);
	bench_remove_hugepage_files(prefix);
	return 0;
}
