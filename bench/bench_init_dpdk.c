/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's side of bench_init: one cold rte_eal_init + rte_eal_cleanup with
 * 64 MiB of memory (--no-huge, or --legacy-mem with "legacy"), printed in
 * microseconds. Built only when libdpdk-dev is
 * installed; run by bench_init --dpdk.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>

int
main(int argc, char **argv_in)
{
	char prefix[64];
	/* argv_in[1] == "legacy": --legacy-mem instead of --no-huge. */
	char *mem = argc > 1 && argv_in[1][0] == 'l' ? (char *)"--legacy-mem" : (char *)"--no-huge";
	char *argv[] = { (char *)"bench_init_dpdk", mem, (char *)"-m", (char *)"64",
			 (char *)"--no-pci", (char *)"--no-telemetry", (char *)"--no-shconf",
			 (char *)"--log-level=lib.eal:error", (char *)"--file-prefix", prefix, NULL };
	struct timespec a, b;

	snprintf(prefix, sizeof(prefix), "bench_init_dpdk_%d", (int)getpid());
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (rte_eal_init(10, argv) < 0 || rte_eal_cleanup() < 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.1f\n", (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3);
	return 0;
}
