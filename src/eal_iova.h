/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA internals: physical addresses from /proc/self/pagemap and the
 * choice of IOVA mode (eal_iova.c), and the pagemap primitive they stand
 * on (src/os/linux/eal_os_pagemap.c).
 *
 * Words, as in src/eal_memcfg.h: an *IOVA* is the address a device uses
 * for DMA, either the physical address (PA mode) or the virtual address
 * itself (VA mode). A *PFN* is a page frame number: the physical address
 * of a system page divided by the system page size. The pagemap is
 * indexed by system page (4 KiB), whatever the size of the hugepage that
 * holds it, so a hugepage's PA is the PA of its first system page.
 *
 * Temporary header: the eal__iova_* prototypes belong under an
 * "eal_iova.c" heading of src/eal_private.h and the eal__os_pagemap_*
 * ones in src/eal_os.h, where they will move.
 */
#ifndef EAL_IOVA_H
#define EAL_IOVA_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "eal.h"
#include "eal_memory.h"

/* ---- eal_iova.c -------------------------------------------------------- */

/*
 * Physical address of each of @n addresses: ret_pa[i] = PFN * system page
 * size + offset of addrs[i] in its system page.
 *
 * The pages must be resident (touched). A page that is not present, or
 * whose PFN reads as 0 (an unprivileged reader: since Linux 4.0 the kernel
 * hides PFNs from processes without CAP_SYS_ADMIN), gives EAL_BAD_IOVA for
 * that entry only.
 *
 * Cost: one open of the pagemap for the whole batch, then one pread per
 * run of addresses whose pages lie within 512 pages (2 MiB of VA) of each
 * other, so a batch over one hugepage or a sorted batch over a memseg list
 * costs a few system calls in all. n == 0 opens nothing.
 *
 * Returns 0 when the pagemap could be read (even if every entry is
 * EAL_BAD_IOVA); -EACCES, -EPERM, -ENOENT, ... as opening or reading it
 * gave; -EINVAL for NULL arrays; -ENOMEM when a batch spanning several
 * runs needs a staging array and none can be allocated. On failure
 * ret_pa is left untouched. Logs nothing above DEBUG: the caller decides.
 */
int eal__iova_virt2phys(const void *const *addrs, unsigned int n, uint64_t *ret_pa);

/*
 * Whether this process can see real physical addresses: the pagemap opens
 * and gives a non-zero PFN for a resident private page. The page probed is
 * the one holding *ret itself (read and written back, so resident), which
 * lets a test describe it in a crafted EAL_PROCFS_ROOT pagemap.
 *
 * Returns 0; *ret is false when the pagemap is missing, unreadable or
 * hides PFNs (the reason is logged at DEBUG).
 */
int eal__iova_pa_available(bool *ret);

/*
 * The IOVA mode a primary uses, from the --iova-mode request:
 *   EAL_IOVA_PA: PA when physical addresses are available, else -EINVAL
 *                with one ERR line saying to run as root or use VA;
 *   EAL_IOVA_VA: VA (the pagemap is not read);
 *   EAL_IOVA_DC: PA when available and hugepages are used (!@no_huge),
 *                else VA: DPDK's choice when no device bus has a say.
 * Availability is probed as eal__iova_pa_available() does, on the page of
 * *ret_mode. The decision is logged at INFO.
 *
 * Returns 0 with *ret_mode set; -EINVAL for forced PA without physical
 * addresses or a request that is not an enum eal_iova_mode value
 * (*ret_mode untouched).
 */
int eal__iova_mode_select(enum eal_iova_mode requested, bool no_huge,
			  enum eal_iova_mode *ret_mode);

/* ---- eal_os_pagemap.c (to move into src/eal_os.h) ------------------------ */

/* A pagemap entry whose page is not present (see eal__os_pagemap_read). */
#define EAL_OS_PFN_ABSENT UINT64_MAX

/*
 * Open <procfs>/self/pagemap read-only (O_CLOEXEC; the procfs root follows
 * EAL_PROCFS_ROOT). Close it with eal__os_close(). -EACCES/-EPERM when the
 * kernel refuses (Linux 4.0-4.1 for unprivileged readers), -ENOENT without
 * procfs.
 */
int eal__os_pagemap_open(int *ret_fd);

/*
 * Read the entries of @count consecutive virtual pages starting at page
 * number @vpn (address / system page size) with one pread (more only if
 * the kernel answers short). pfn[i] becomes the PFN of page vpn + i when
 * it is present (0 when the kernel hides it), EAL_OS_PFN_ABSENT when not
 * (bit 63 clear, or past the end of the file).
 *
 * @pfn is a buffer of @count entries that is written while reading: on
 * failure its contents are unspecified (callers stage, as eal_iova.c does).
 * Returns 0, -errno of pread, or -EINVAL for count == 0 or an offset past
 * what off_t holds.
 */
int eal__os_pagemap_read(int fd, uint64_t vpn, unsigned int count, uint64_t *pfn);

#endif /* EAL_IOVA_H */
