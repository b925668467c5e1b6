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
#include <string.h>
#include <sys/syscall.h>
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

/* getcpu(2) knows the node without libnuma. */
int
eal__os_numa_current_node(int *ret_node)
{
	unsigned int cpu, node;

	if (syscall(SYS_getcpu, &cpu, &node, NULL) < 0)
		return -errno;
	*ret_node = (int)node;
	return 0;
}
