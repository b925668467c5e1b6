/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux primitive for reading this process's page table from
 * <procfs>/self/pagemap: one 64-bit entry per virtual page of the system
 * page size, at file offset (virtual page number * 8). The entry format
 * is the kernel's (Documentation/admin-guide/mm/pagemap.rst): bit 63 set
 * when the page is present in RAM, bits 0-54 its page frame number (PFN).
 *
 * The caller opens the file once and reads as many ranges as it needs
 * before closing it (eal_iova.c reads a whole batch of addresses through
 * one fd), so the open, the most expensive part of a lookup, is paid once
 * per batch and not once per address. The procfs root follows
 * EAL_PROCFS_ROOT (eal__os_procfs_root()), so tests can point it at a
 * crafted file. Writes nothing in the shared config and takes no lock.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

#define PAGEMAP_ENTRY_SIZE 8u
#define PAGEMAP_PRESENT (UINT64_C(1) << 63)
#define PAGEMAP_PFN_MASK ((UINT64_C(1) << 55) - 1)

int
eal__os_pagemap_open(int *ret_fd)
{
	char path[PATH_MAX];
	int n;

	n = snprintf(path, sizeof(path), "%s/self/pagemap", eal__os_procfs_root());
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* O_NOFOLLOW (added by eal__os_open) applies to the last component
	 * only: the kernel's /proc/self symlink is still followed, a planted
	 * link in place of the pagemap is not. */
	return eal__os_open(path, O_RDONLY, 0, ret_fd);
}

int
eal__os_pagemap_read(int fd, uint64_t vpn, unsigned int count, uint64_t *pfn)
{
	size_t want = (size_t)count * PAGEMAP_ENTRY_SIZE, got = 0;
	char *buf = (char *)pfn;
	unsigned int full, i;

	/* The offset must fit in off_t; real page numbers are below 2^52. */
	if (count == 0 || vpn > (uint64_t)INT64_MAX / PAGEMAP_ENTRY_SIZE - count)
		return -EINVAL;
	/* The raw entries land in the caller's array and are decoded in
	 * place: no second buffer, no copy. */
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got,
				  (off_t)(vpn * PAGEMAP_ENTRY_SIZE + got));

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			EAL_LOG(DEBUG, "pread(pagemap fd %d, %zu bytes at 0x%" PRIx64 "): %s", fd,
				want - got, vpn * PAGEMAP_ENTRY_SIZE + got, strerror(err));
			return -err;
		}
		/* The kernel answers nothing past the top of the user address
		 * space; a crafted file simply ends. Either way the remaining
		 * pages are not present. */
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* A trailing partial entry (a short crafted file) counts as absent. */
	full = (unsigned int)(got / PAGEMAP_ENTRY_SIZE);
	for (i = 0; i < full; i++) {
		uint64_t e = pfn[i];

		/* Bit 63 clear: not in RAM (never touched, or swapped out,
		 * in which case bits 0-54 hold a swap slot, not a frame). */
		pfn[i] = (e & PAGEMAP_PRESENT) ? (e & PAGEMAP_PFN_MASK) : EAL_OS_PFN_ABSENT;
	}
	for (; i < count; i++)
		pfn[i] = EAL_OS_PFN_ABSENT;
	return 0;
}
