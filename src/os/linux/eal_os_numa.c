/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux NUMA primitives of the OS contract (src/eal_os.h): the node of a
 * resident page and the calling thread's memory policy, through libnuma's
 * system-call wrappers (numaif.h). Built without libnuma every primitive
 * returns -ENOTSUP, so callers need no #if of their own.
 *
 * Writes nothing in the shared config and takes no lock. The policy is
 * per thread: eal_init() runs on one thread, and restores what it saved.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

#if EAL_HAVE_LIBNUMA
#include <numaif.h>

#define WORD_BITS (8 * sizeof(unsigned long))
#define MASK_BITS (WORD_BITS * EAL_OS_NUMA_MASK_WORDS)

int
eal__os_numa_node_of(const void *addr, int *ret_node)
{
	int node = -1;

	if (get_mempolicy(&node, NULL, 0, (void *)(uintptr_t)addr, MPOL_F_NODE | MPOL_F_ADDR) < 0) {
		int rc = -errno;

		EAL_LOG(DEBUG, "get_mempolicy(MPOL_F_NODE|MPOL_F_ADDR, %p): %s", addr, strerror(-rc));
		return rc;
	}
	*ret_node = node;
	return 0;
}

int
eal__os_numa_prefer(int node, struct eal_os_numa_policy *ret_saved)
{
	struct eal_os_numa_policy saved;
	unsigned long mask[EAL_OS_NUMA_MASK_WORDS] = { 0 };
	int rc;

	if (node < 0 || (size_t)node >= MASK_BITS)
		return -EINVAL;
	memset(&saved, 0, sizeof(saved));
	if (get_mempolicy(&saved.mode, saved.mask, MASK_BITS, NULL, 0) < 0) {
		rc = -errno;
		EAL_LOG(DEBUG, "get_mempolicy(self, maxnode %zu): %s", MASK_BITS, strerror(-rc));
		return rc;
	}
	mask[(size_t)node / WORD_BITS] = 1ul << ((size_t)node % WORD_BITS);
	if (set_mempolicy(MPOL_PREFERRED, mask, MASK_BITS) < 0) {
		rc = -errno;
		EAL_LOG(DEBUG, "set_mempolicy(MPOL_PREFERRED, node %d): %s", node, strerror(-rc));
		return rc;
	}
	*ret_saved = saved;
	return 0;
}

int
eal__os_numa_restore(const struct eal_os_numa_policy *saved)
{
	/* MPOL_DEFAULT takes no node mask. */
	const unsigned long *mask = saved->mode == MPOL_DEFAULT ? NULL : saved->mask;

	if (set_mempolicy(saved->mode, mask, mask != NULL ? MASK_BITS : 0) < 0) {
		int rc = -errno;

		EAL_LOG(DEBUG, "set_mempolicy(mode %d) to restore the saved policy: %s", saved->mode,
			strerror(-rc));
		return rc;
	}
	return 0;
}

#else /* !EAL_HAVE_LIBNUMA */

int
eal__os_numa_node_of(const void *addr, int *ret_node)
{
	(void)addr;
	(void)ret_node;
	return -ENOTSUP;
}

int
eal__os_numa_prefer(int node, struct eal_os_numa_policy *ret_saved)
{
	(void)node;
	(void)ret_saved;
	return -ENOTSUP;
}

int
eal__os_numa_restore(const struct eal_os_numa_policy *saved)
{
	(void)saved;
	return -ENOTSUP;
}

#endif /* EAL_HAVE_LIBNUMA */

/*
 * The node of the CPU this thread runs on, for EAL_SOCKET_ID_ANY: asked
 * at every allocation, so it must cost nanoseconds, not a system call.
 * sched_getcpu() is a read of the thread's rseq area (glibc >= 2.35) or
 * a vDSO call; the CPU's node is remembered per CPU, learned from
 * getcpu() (vDSO too) the first time a thread runs on it. CPUs beyond the
 * table ask getcpu() every time. A thread may migrate right after: the
 * answer is a placement hint, as in DPDK.
 */
#define NODE_CACHE_CPUS 1024

/* node + 1 per CPU; 0 = not learned yet. */
static uint8_t cpu_node_cache[NODE_CACHE_CPUS];

int
eal__os_numa_current_node(int *ret_node)
{
	unsigned int cpu, node;
	int c = sched_getcpu();

	if (c >= 0 && c < NODE_CACHE_CPUS) {
		uint8_t n = __atomic_load_n(&cpu_node_cache[c], __ATOMIC_RELAXED);

		if (n != 0) {
			*ret_node = n - 1;
			return 0;
		}
	}
	if (getcpu(&cpu, &node) < 0)
		return -errno;
	if (cpu < NODE_CACHE_CPUS && node < UINT8_MAX)
		__atomic_store_n(&cpu_node_cache[cpu], (uint8_t)(node + 1), __ATOMIC_RELAXED);
	*ret_node = (int)node;
	return 0;
}
