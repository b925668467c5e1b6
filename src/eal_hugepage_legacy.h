/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy hugepage memory (--legacy-mem), src/eal_hugepage_legacy.c.
 *
 * Temporary header: these prototypes belong under an
 * "eal_hugepage_legacy.c" heading of src/eal_private.h (STYLE R3), where
 * they will move.
 */
#ifndef EAL_HUGEPAGE_LEGACY_H
#define EAL_HUGEPAGE_LEGACY_H

struct eal_internal_config;
struct eal_mem_config;

/* Name of the page table a legacy primary publishes in its runtime dir. */
#define EAL_HUGEPAGE_DATA_FILE "hugepage_data"

/*
 * Primary: map the hugepages -m / --socket-mem ask for (all usable pages
 * when neither is given), sort them by physical address, create one memseg
 * list per (page size, node) and remap each list's pages there so that
 * physically contiguous runs are virtually contiguous, then publish
 * <runtime dir>/hugepage_data. Sets mcfg->iova_mode_used.
 * All or nothing: on failure nothing is left mapped, open, locked or on
 * disk. Returns -ENOMEM (not enough pages, or the pool shrank while
 * mapping: one ERR names size, socket, asked and found), -EINVAL
 * (--socket-mem names a node that does not exist, or IOVA as PA is
 * forced without physical addresses), -errno of the system.
 */
int eal__legacy_init(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Secondary, after eal__memseg_lists_attach(): read hugepage_data and map
 * every page at the address the primary recorded. -EPROTO for a corrupt
 * or inconsistent record, -ENOTSUP when the primary unlinked its files
 * (--huge-unlink=always), -errno of the system; nothing held on failure.
 */
int eal__legacy_attach(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Release what init or attach holds, after eal__memseg_lists_fini() has
 * unmapped the range: close the page fds (dropping their locks); a primary
 * also unlinks its page files (not with --huge-unlink=never) and
 * hugepage_data. Idempotent; a no-op when legacy memory is not in use.
 */
void eal__legacy_fini(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

#endif /* EAL_HUGEPAGE_LEGACY_H */
