/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct eal_hugepage_info: what a primary learned about the machine's
 * hugepages, and what it tells its secondaries (eal_hugepage_info.c).
 *
 * Words, as in src/eal_memcfg.h: a *page size* is one hugepage size the
 * kernel offers (a directory <sysfs>/kernel/mm/hugepages/hugepages-<N>kB);
 * its *mount* is the hugetlbfs mount point chosen for it, and its *dir* is
 * where backing files go: the mount itself, or the --huge-dir directory
 * under it. *Usable* pages are the ones this primary may take: free pages
 * not promised to someone else, per NUMA node.
 *
 * The struct is process-local. The primary publishes it to secondaries as
 * the "hugepage_info" file in the runtime directory: a versioned,
 * checksummed record without the lock fds (docs/hugepages.md describes
 * the format byte by byte).
 */
#ifndef EAL_HUGEPAGE_INFO_H
#define EAL_HUGEPAGE_INFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_hugepage.h"

struct eal_internal_config;

/* Name of the record in the runtime directory. */
#define EAL_HUGEPAGE_INFO_FILE "hugepage_info"

/* One page size. */
struct eal_hugepage_size_info {
	uint64_t page_size;        /* bytes, a power of two */
	/* Counts from <sysfs>/kernel/mm/hugepages/hugepages-<N>kB/ */
	uint64_t nr_pages;         /* nr_hugepages: reserved (persistent) pages */
	uint64_t free_pages;       /* free_hugepages: not mapped by anyone */
	uint64_t resv_pages;       /* resv_hugepages: free but promised to a mapping */
	uint64_t surplus_pages;    /* surplus_hugepages: allocated beyond nr */
	uint64_t overcommit_pages; /* nr_overcommit_hugepages: surplus allowed */
	/* Per node, from <sysfs>/devices/system/node/node<N>/hugepages/ */
	unsigned int n_nodes;      /* highest node with data + 1; 0: no data */
	uint64_t node_nr_pages[EAL_MAX_NUMA_NODES];
	uint64_t node_free_pages[EAL_MAX_NUMA_NODES];
	/* Where backing files go: the mount or the --huge-dir directory
	 * under it; "" when no writable hugetlbfs is mounted for the size. */
	char dir[PATH_MAX];
	bool mounted;
	/* Pages this primary may use, per node (DPDK's rule): in dynamic
	 * mode each node's free count; in legacy mode, or when no node has
	 * data, free - resv + (overcommit - surplus) on node 0. Zero for a
	 * size that cannot be used (unmounted outside --in-memory). */
	uint32_t num_pages[EAL_MAX_NUMA_NODES];
	/* Process-local: the flock(LOCK_EX)ed fd of dir, or -1. Never
	 * written to the record. */
	int lock_fd;
};

struct eal_hugepage_info {
	unsigned int n_sizes;      /* valid entries of sizes[] */
	uint64_t default_size;     /* meminfo Hugepagesize, bytes; 0: unknown */
	struct eal_hugepage_size_info sizes[EAL_MAX_HUGEPAGE_SIZES]; /* largest first */
	/* Process-local, for the advice: the first hugetlbfs mount skipped
	 * because this user cannot create files in it ("" none). */
	char unwritable_mount[PATH_MAX];
};

/* One hugetlbfs line of a mounts text. */
struct eal_hugepage_mount {
	char path[PATH_MAX]; /* mount point, octal escapes decoded */
	uint64_t page_size;  /* pagesize= in bytes; 0 when the option is absent */
	bool read_only;      /* "ro" option */
};

/* Called for each hugetlbfs mount in file order: 0 continues, anything
 * else stops the parse and is returned. */
typedef int (*eal__hugepage_mount_cb)(void *arg, const struct eal_hugepage_mount *m);

#endif /* EAL_HUGEPAGE_INFO_H */
