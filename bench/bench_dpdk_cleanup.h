/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK's legacy memory leaves its "<prefix>map_*" hugepage files behind
 * after rte_eal_cleanup() (by design; the next DPDK primary deletes them).
 * The DPDK side of the benchmarks removes its own right away, so a
 * benchmark run gives every hugepage back.
 */
#ifndef BENCH_DPDK_CLEANUP_H
#define BENCH_DPDK_CLEANUP_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
bench_remove_hugepage_files(const char *prefix)
{
	char line[512], dir[256], path[600], want[128];
	FILE *m = fopen("/proc/mounts", "r");

	if (m == NULL)
		return;
	snprintf(want, sizeof(want), "%smap_", prefix);
	while (fgets(line, sizeof(line), m) != NULL) {
		struct dirent *e;
		DIR *d;

		if (sscanf(line, "%*s %255s hugetlbfs", dir) != 1 || strstr(line, " hugetlbfs ") == NULL)
			continue;
		d = opendir(dir);
		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, want, strlen(want)) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			(void)unlink(path);
		}
		closedir(d);
	}
	fclose(m);
}

#endif /* BENCH_DPDK_CLEANUP_H */
