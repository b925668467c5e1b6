/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA: physical addresses of pages, and the choice between IOVA as PA and
 * IOVA as VA (DPDK's --iova-mode).
 *
 * Physical addresses come from /proc/self/pagemap through the primitive in
 * src/os/linux/eal_os_pagemap.c. They are read in batches, one open per
 * batch, because that is how memory init needs them (every page of a
 * memseg list at once), and the memseg then stores its IOVA so that
 * eal_mem_virt2iova() never reads the pagemap again. DPDK opens, reads and
 * closes the file for every address (rte_mem_virt2phy, ~4.5 us a call).
 *
 * Writes nothing in the shared config and takes no lock; callers store the
 * mode they get from eal__iova_mode_select().
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eal_os.h"
#include "eal_private.h"

/*
 * Pagemap entries read by one pread: 4 KiB of entries, 2 MiB of address
 * space, one 2 MiB hugepage. Addresses closer together than this share a
 * read; reading entries nobody asked for in between costs the kernel a
 * page-table walk over them, far less than another system call.
 */
#define IOVA_WINDOW 512u

/* Results of a batch that needs several reads are staged (the caller's
 * array must stay untouched if a later read fails): on the stack up to
 * this many addresses, in malloc()ed memory above. */
#define IOVA_STAGE_STACK 64u

static inline uint64_t
addr_vpn(const void *addr, unsigned int shift)
{
	return (uint64_t)(uintptr_t)addr >> shift;
}

/*
 * Extend a run from addrs[i]: the following addresses as long as all their
 * pages fit in one window [*ret_lo, *ret_hi], in any order. Returns the
 * index just past the run.
 */
static unsigned int
iova_run(const void *const *addrs, unsigned int i, unsigned int n, unsigned int shift,
	 uint64_t *ret_lo, uint64_t *ret_hi)
{
	uint64_t lo = addr_vpn(addrs[i], shift), hi = lo;
	unsigned int j;

	for (j = i + 1; j < n; j++) {
		uint64_t v = addr_vpn(addrs[j], shift);
		uint64_t nlo = v < lo ? v : lo, nhi = v > hi ? v : hi;

		if (nhi - nlo >= IOVA_WINDOW)
			break;
		lo = nlo;
		hi = nhi;
	}
	*ret_lo = lo;
	*ret_hi = hi;
	return j;
}

static inline uint64_t
pfn_to_pa(uint64_t pfn, const void *addr, unsigned int shift)
{
	/* PFN 0 is what an unprivileged reader gets for every page: no
	 * information, not frame 0. A PFN too large for a 64-bit address
	 * can only come from a forged file. */
	if (pfn == EAL_OS_PFN_ABSENT || pfn == 0 || pfn > (UINT64_MAX >> shift))
		return EAL_BAD_IOVA;
	return (pfn << shift) | ((uint64_t)(uintptr_t)addr & ((UINT64_C(1) << shift) - 1));
}

int
eal__iova_virt2phys(const void *const *addrs, unsigned int n, uint64_t *ret_pa)
{
	uint64_t pfn[IOVA_WINDOW], stage_stack[IOVA_STAGE_STACK];
	uint64_t *out = ret_pa, lo, hi;
	unsigned int shift, i, end;
	int fd, rc;

	if (n == 0)
		return 0;
	if (addrs == NULL || ret_pa == NULL)
		return -EINVAL;
	shift = (unsigned int)__builtin_ctzll((unsigned long long)eal__os_page_size());

	rc = eal__os_pagemap_open(&fd);
	if (rc < 0)
		return rc;
	end = iova_run(addrs, 0, n, shift, &lo, &hi);
	/* One read for the whole batch (the common case: one address, or the
	 * pages of one hugepage) writes ret_pa only once it has succeeded;
	 * several reads go through a staging array. */
	if (end < n) {
		if (n <= IOVA_STAGE_STACK) {
			out = stage_stack;
		} else {
			out = malloc((size_t)n * sizeof(*out));
			if (out == NULL) {
				rc = -ENOMEM;
				goto opened;
			}
		}
	}
	for (i = 0;;) {
		rc = eal__os_pagemap_read(fd, lo, (unsigned int)(hi - lo + 1), pfn);
		if (rc < 0)
			goto staged;
		for (; i < end; i++)
			out[i] = pfn_to_pa(pfn[addr_vpn(addrs[i], shift) - lo], addrs[i], shift);
		if (i == n)
			break;
		end = iova_run(addrs, i, n, shift, &lo, &hi);
	}
	if (out != ret_pa)
		memcpy(ret_pa, out, (size_t)n * sizeof(*out));

staged:
	if (out != ret_pa && out != stage_stack)
		free(out);
opened:
	(void)eal__os_close(fd);
	return rc;
}

/*
 * Whether the pagemap gives a real PFN for the page holding @page. The
 * page is made resident first by writing back one of its bytes (char
 * access: the byte may be indeterminate, and char has no trap values).
 */
static bool
iova_probe(void *page)
{
	volatile unsigned char *p = page;
	const void *addr = page;
	uint64_t pa;
	int rc;

	*p = *p;
	rc = eal__iova_virt2phys(&addr, 1, &pa);
	if (rc < 0) {
		EAL_LOG(DEBUG, "pagemap not readable (%s): physical addresses not available",
			eal_strerror(-rc));
		return false;
	}
	if (pa == EAL_BAD_IOVA) {
		/* The usual reason: no CAP_SYS_ADMIN, so every PFN reads 0. */
		EAL_LOG(DEBUG, "pagemap gives no frame number for a resident page: physical addresses not available");
		return false;
	}
	return true;
}

int
eal__iova_pa_available(bool *ret)
{
	*ret = iova_probe(ret);
	return 0;
}

static const char *
iova_mode_name(enum eal_iova_mode mode)
{
	return mode == EAL_IOVA_PA ? "PA" : "VA";
}

int
eal__iova_mode_select(enum eal_iova_mode requested, bool no_huge,
		      enum eal_iova_mode *ret_mode)
{
	enum eal_iova_mode mode;
	const char *why;

	switch (requested) {
	case EAL_IOVA_PA:
		if (!iova_probe(ret_mode)) {
			EAL_LOG(ERR, "Cannot use IOVA as 'PA' since physical addresses are not available; run as root (CAP_SYS_ADMIN) or use --iova-mode=va");
			return -EINVAL;
		}
		mode = EAL_IOVA_PA;
		why = "requested";
		break;
	case EAL_IOVA_VA:
		mode = EAL_IOVA_VA;
		why = "requested";
		break;
	case EAL_IOVA_DC:
		/* Without hugepages DPDK does not look for physical addresses
		 * at all (4 KiB pages are rarely contiguous, and may move). */
		if (no_huge) {
			mode = EAL_IOVA_VA;
			why = "default without hugepages";
		} else if (iova_probe(ret_mode)) {
			mode = EAL_IOVA_PA;
			why = "default, physical addresses available";
		} else {
			mode = EAL_IOVA_VA;
			why = "default, physical addresses not available";
		}
		break;
	default:
		return -EINVAL;
	}
	EAL_LOG(INFO, "IOVA mode: %s (%s)", iova_mode_name(mode), why);
	*ret_mode = mode;
	return 0;
}
