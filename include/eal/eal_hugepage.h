/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Read-only view of the machine's hugepages: the page sizes the kernel
 * offers, how many pages of each are reserved, free and in use, per NUMA
 * node, and where hugetlbfs is mounted for each size.
 *
 * These functions do not need eal_init(): tools and applications may call
 * them at any time, e.g. to tell a user what to set up. They read sysfs and
 * procfs each time they are called (nothing is cached), so the answer is
 * current; they never write anything.
 *
 * The roots of sysfs and procfs can be redirected for tests with the
 * environment variables EAL_SYSFS_ROOT (default "/sys") and
 * EAL_PROCFS_ROOT (default "/proc").
 *
 * @code
 * struct eal_hugepage_size sz[EAL_MAX_HUGEPAGE_SIZES];
 * int n = eal_hugepage_info_get(sz, EAL_DIM(sz));
 * for (int i = 0; i < n; i++)
 *         printf("%llu kB: %u free, mounted at %s\n",
 *                (unsigned long long)(sz[i].page_size >> 10), sz[i].free_pages,
 *                sz[i].mount[0] ? sz[i].mount : "(not mounted)");
 * @endcode
 */
#ifndef EAL_HUGEPAGE_H
#define EAL_HUGEPAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most hugepage sizes tracked (DPDK tracks 3, 4 on ARM). */
#define EAL_MAX_HUGEPAGE_SIZES 4

/** Longest hugetlbfs mount path reported, including the NUL (Linux's
 * PATH_MAX, so that every mount point fits). */
#define EAL_HUGEPAGE_MOUNT_LEN 4096

/** One hugepage size as the kernel reports it. */
struct eal_hugepage_size {
	uint64_t page_size;       /**< bytes, e.g. 2097152 */
	bool is_default;          /**< the default size (meminfo "Hugepagesize") */
	uint32_t total_pages;     /**< nr_hugepages */
	uint32_t free_pages;      /**< free_hugepages */
	uint32_t resv_pages;      /**< resv_hugepages: promised, not yet faulted */
	uint32_t surplus_pages;   /**< surplus_hugepages */
	uint32_t overcommit_pages; /**< nr_overcommit_hugepages */
	unsigned int n_nodes;     /**< NUMA nodes reported (0: no per-node data) */
	uint32_t node_total[EAL_MAX_NUMA_NODES]; /**< nr_hugepages per node */
	uint32_t node_free[EAL_MAX_NUMA_NODES];  /**< free_hugepages per node */
	char mount[EAL_HUGEPAGE_MOUNT_LEN]; /**< first writable hugetlbfs mount for
					       this size in the mount table, "" when
					       none (octal escapes such as \040
					       decoded) */
};

/**
 * List the hugepage sizes of this machine, largest first.
 *
 * Sizes are those of \<sysfs\>/kernel/mm/hugepages (at most
 * EAL_MAX_HUGEPAGE_SIZES; when the kernel offers more, sizes with reserved
 * pages are preferred, then larger ones). Counts above UINT32_MAX read as
 * UINT32_MAX. Read-only hugetlbfs mounts are not reported; a mount
 * without a pagesize= option counts for the default size.
 *
 * @param sizes
 *   Array to fill; may be NULL when @p max is 0.
 * @param max
 *   Number of entries of @p sizes. 0 asks only how many sizes there are.
 * @return
 *   The number of entries filled: min(sizes found, @p max); with @p max 0,
 *   the number of sizes found. 0 when the kernel has no hugepage support
 *   (as in many containers). Or -1 with @ref eal_errno set to:
 *   - EINVAL: @p sizes is NULL while @p max > 0;
 *   - EIO: a sysfs or procfs file could not be read or parsed (one ERR
 *     log line names it);
 *   - ENOMEM: out of memory.
 */
EAL_API int eal_hugepage_info_get(struct eal_hugepage_size *sizes, unsigned int max);

#ifdef __cplusplus
}
#endif

#endif /* EAL_HUGEPAGE_H */
