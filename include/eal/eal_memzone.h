/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Memzones (DPDK's rte_memzone.h, renamed): named blocks of shared memory
 * that never move.
 *
 * A memzone is a block carved from libeal's malloc heaps, with a name that
 * every process of the application can look up. Its descriptor (struct
 * eal_memzone) and its memory are at the same address in every process,
 * so a pointer into a memzone can be handed to another process as it is.
 * Memzones are how processes find shared objects by name: a ring, a pool,
 * a table of application state.
 *
 * Basic workflow is expected to be the following:
 *  1. After eal_init(), one process (often the primary) reserves a zone
 *     with eal_memzone_reserve(), eal_memzone_reserve_aligned() or
 *     eal_memzone_reserve_bounded(), and initialises its contents.
 *  2. Other processes find it with eal_memzone_lookup() by name, and use
 *     @c addr (or @c iova for DMA) directly.
 *  3. When nobody uses it any more, one process releases it with
 *     eal_memzone_free(); its memory goes back to the heap and its name and
 *     descriptor slot can be reused.
 *
 * Differences from DPDK 22.11 that a program ported from rte_memzone_*
 * can notice:
 *  - lookup costs the same whatever the number of zones (a hash index in
 *    the shared config; DPDK scans every descriptor);
 *  - eal_memzone_free() sets @ref eal_errno as well as returning -EINVAL;
 *  - every call fails with ENODEV before eal_init() instead of crashing;
 *  - a process that dies while reserving or freeing a zone does not leave
 *    the others blocked or the name index broken.
 *
 * Limits: at most EAL_MAX_MEMZONE zones exist at once (build option
 * @c max_memzone, 2560 by default as in DPDK 22.11); names have at most
 * EAL_MEMZONE_NAMESIZE - 1 characters and are compared exactly (case
 * matters).
 *
 * Concurrency: every function may be called from any thread of any
 * process. Reserving and freeing take the memzone lock
 * (eal_mcfg_mlock_write_lock()) for writing; lookups, walks and dumps take
 * it for reading. The contents of a zone are not protected by anything:
 * synchronise access to them yourself.
 *
 * Errors: functions returning a pointer return NULL with @ref eal_errno
 * set; a successful call leaves @ref eal_errno unchanged.
 */
#ifndef EAL_MEMZONE_H
#define EAL_MEMZONE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eal_common.h"
#include "eal_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a memzone name, including the terminating NUL (DPDK's
 * RTE_MEMZONE_NAMESIZE): names have at most 31 characters. */
#define EAL_MEMZONE_NAMESIZE 32

/**
 * @name Memzone flags
 * The @p flags of the reserve functions (DPDK's RTE_MEMZONE_*, same
 * values). Page-size flags ask for memory on pages of that size; several
 * of them mean "any of these sizes". Without EAL_MEMZONE_SIZE_HINT_ONLY a
 * page size that cannot be served fails the call with ENOMEM; with it,
 * other page sizes are used instead. Any other bit fails with EINVAL.
 * @{
 */
#define EAL_MEMZONE_2MB 0x00000001   /**< use 2 MiB pages */
#define EAL_MEMZONE_1GB 0x00000002   /**< use 1 GiB pages */
#define EAL_MEMZONE_16MB 0x00000100  /**< use 16 MiB pages */
#define EAL_MEMZONE_16GB 0x00000200  /**< use 16 GiB pages */
#define EAL_MEMZONE_256KB 0x00010000 /**< use 256 KiB pages */
#define EAL_MEMZONE_256MB 0x00020000 /**< use 256 MiB pages */
#define EAL_MEMZONE_512MB 0x00040000 /**< use 512 MiB pages */
#define EAL_MEMZONE_4GB 0x00080000   /**< use 4 GiB pages */
/** The page-size flags are a preference: fall back to other sizes. */
#define EAL_MEMZONE_SIZE_HINT_ONLY 0x00000004
/** The zone must be contiguous in IOVA (for devices that DMA to it as one
 * block). */
#define EAL_MEMZONE_IOVA_CONTIG 0x00100000
/** @} */

/**
 * A memzone descriptor (DPDK's struct rte_memzone, same layout: 72 bytes).
 *
 * Descriptors live in shared memory, at the same address in every
 * process. Treat them as read-only; they stay valid until the zone is
 * freed, after which the slot may describe another zone.
 */
struct eal_memzone {
	char name[EAL_MEMZONE_NAMESIZE]; /**< name, NUL-terminated */
	eal_iova_t iova;                 /**< IOVA of @c addr (EAL_BAD_IOVA when
					      the memory has none) */
	union {
		void *addr;              /**< start, same in every process */
		uint64_t addr_64;        /**< makes sure addr takes 64 bits */
	};
	size_t len;                      /**< length, bytes (a multiple of
					      EAL_CACHE_LINE_SIZE) */
	uint64_t hugepage_sz;            /**< size of the pages under the zone */
	int32_t socket_id;               /**< NUMA node of the memory */
	uint32_t flags;                  /**< always 0 (kept for DPDK
					      compatibility) */
};

/**
 * Reserve a zone of @p len bytes, aligned on a cache line
 * (rte_memzone_reserve). Same as eal_memzone_reserve_aligned() with
 * @p align EAL_CACHE_LINE_SIZE.
 *
 * @param name
 *   Name of the zone: at most EAL_MEMZONE_NAMESIZE - 1 characters, unique
 *   among the zones that exist.
 * @param len
 *   Length in bytes, rounded up to a multiple of EAL_CACHE_LINE_SIZE
 *   (64). 0 reserves the largest free block of the heap of @p socket_id
 *   (without mapping new pages).
 * @param socket_id
 *   NUMA node of the memory, or EAL_SOCKET_ID_ANY. In no-huge mode every
 *   node is served as EAL_SOCKET_ID_ANY (as in DPDK).
 * @param flags
 *   EAL_MEMZONE_* flags, or 0.
 * @return
 *   The descriptor, or NULL with @ref eal_errno set to:
 *   - ENODEV: eal_init() has not completed in this process;
 *   - EINVAL: @p name is NULL, @p len is above SIZE_MAX - 63,
 *     @p socket_id is negative but not EAL_SOCKET_ID_ANY, or is a node
 *     with no heap, or @p flags has an unknown bit;
 *   - ENOSPC: EAL_MAX_MEMZONE zones already exist;
 *   - ENAMETOOLONG: @p name has EAL_MEMZONE_NAMESIZE characters or more;
 *   - EEXIST: a zone with this name exists;
 *   - ENOMEM: no free block of that size (on that node, with those page
 *     sizes, IOVA-contiguous if asked) could be found or mapped.
 */
EAL_API const struct eal_memzone *eal_memzone_reserve(const char *name, size_t len,
						      int socket_id, unsigned int flags);

/**
 * Reserve a zone whose start is aligned on @p align bytes
 * (rte_memzone_reserve_aligned).
 *
 * @param name
 *   As eal_memzone_reserve().
 * @param len
 *   As eal_memzone_reserve().
 * @param socket_id
 *   As eal_memzone_reserve().
 * @param flags
 *   As eal_memzone_reserve().
 * @param align
 *   Alignment of @c addr and @c iova: 0 or a power of two. Values below
 *   EAL_CACHE_LINE_SIZE (including 0) mean EAL_CACHE_LINE_SIZE.
 * @return
 *   The descriptor, or NULL with @ref eal_errno set as
 *   eal_memzone_reserve(), and EINVAL also when @p align is not 0 and not
 *   a power of two.
 */
EAL_API const struct eal_memzone *eal_memzone_reserve_aligned(const char *name, size_t len,
							      int socket_id, unsigned int flags,
							      unsigned int align);

/**
 * Reserve an aligned zone that does not cross a @p bound boundary
 * (rte_memzone_reserve_bounded): [iova, iova + len - 1] lies within one
 * block of @p bound bytes aligned on @p bound, for devices that cannot
 * DMA across such a boundary.
 *
 * @param name
 *   As eal_memzone_reserve().
 * @param len
 *   As eal_memzone_reserve(), except that 0 with a non-zero @p bound
 *   reserves exactly @p bound bytes.
 * @param socket_id
 *   As eal_memzone_reserve().
 * @param flags
 *   As eal_memzone_reserve().
 * @param align
 *   As eal_memzone_reserve_aligned().
 * @param bound
 *   0 (no boundary), or a power of two not below the rounded @p len.
 * @return
 *   The descriptor, or NULL with @ref eal_errno set as
 *   eal_memzone_reserve_aligned(), and EINVAL also when @p bound is not 0
 *   and is not a power of two or is smaller than @p len rounded up to
 *   EAL_CACHE_LINE_SIZE (at least EAL_CACHE_LINE_SIZE).
 */
EAL_API const struct eal_memzone *eal_memzone_reserve_bounded(const char *name, size_t len,
							      int socket_id, unsigned int flags,
							      unsigned int align, unsigned int bound);

/**
 * Free a zone (rte_memzone_free): its memory goes back to the heap, its
 * name and descriptor can be reused. Pointers to it, in any process, are
 * invalid afterwards.
 *
 * @param mz
 *   A descriptor returned by a reserve function or eal_memzone_lookup().
 * @return
 *   0 on success, or, as DPDK, a negative errno value, here -EINVAL, with
 *   @ref eal_errno set to:
 *   - EINVAL: @p mz is NULL, is not a memzone descriptor, or describes a
 *     zone that is not reserved (freed twice?);
 *   - ENODEV: eal_init() has not completed (returned as -ENODEV).
 */
EAL_API int eal_memzone_free(const struct eal_memzone *mz);

/**
 * Find a zone by name (rte_memzone_lookup). The cost does not depend on
 * the number of zones.
 *
 * @param name
 *   The name, compared exactly.
 * @return
 *   The descriptor, or NULL when no zone has this name (@ref eal_errno is
 *   then left unchanged, as DPDK), or NULL with @ref eal_errno set to:
 *   - EINVAL: @p name is NULL;
 *   - ENODEV: eal_init() has not completed.
 */
EAL_API const struct eal_memzone *eal_memzone_lookup(const char *name);

/**
 * Call @p func for every zone, in descriptor order (rte_memzone_walk).
 *
 * The memzone lock is held for reading during the walk: @p func may look
 * zones up, but reserving or freeing a zone from it deadlocks. Nothing
 * happens when @p func is NULL or before eal_init().
 *
 * @param func
 *   Called with each descriptor and @p arg.
 * @param arg
 *   Passed to @p func.
 */
EAL_API void eal_memzone_walk(void (*func)(const struct eal_memzone *mz, void *arg), void *arg);

/**
 * Print every zone to @p f (rte_memzone_dump): one line per zone in
 * DPDK's format ("Zone 0: name:<x>, len:0x80, virt:0x..., socket_id:0,
 * flags:0"), then the runs of pages under it that are contiguous in IOVA,
 * and the total size. Prints nothing before eal_init().
 *
 * @param f
 *   The stream; NULL means stdout.
 */
EAL_API void eal_memzone_dump(FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* EAL_MEMZONE_H */
