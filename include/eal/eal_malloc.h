/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The shared heap (DPDK's rte_malloc.h, renamed): memory every process of
 * the application can use, at the same address in each, from hugepages
 * (or the 4 KiB shared fallback).
 *
 * One heap per NUMA node and page size, in shared memory. Allocation and
 * free are O(1) (two-level segregated fit). A heap grows by mapping pages
 * when no block fits and gives whole free pages back to the system,
 * keeping one page's worth free so a malloc/free loop does not map and
 * unmap each time. Every allocation is cache-line aligned at least.
 *
 * Any thread of any process may call any of these. A pointer that is not
 * from the heap, or is freed twice, is detected and reported (one ERR log
 * line) and nothing is changed. Functions that return a pointer return
 * NULL and set eal_errno on failure: EINVAL (bad argument), ENOMEM.
 */
#ifndef EAL_MALLOC_H
#define EAL_MALLOC_H

#include <stddef.h>
#include <stdio.h>

#include "eal_common.h"
#include "eal_memory.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Heap statistics of one NUMA node (DPDK's struct rte_malloc_socket_stats). */
struct eal_malloc_socket_stats {
	size_t heap_totalsz_bytes; /**< memory in the node's heaps */
	size_t heap_freesz_bytes;  /**< free memory, headers included */
	size_t greatest_free_size; /**< largest free block */
	unsigned int free_count;   /**< free blocks */
	unsigned int alloc_count;  /**< live allocations */
	size_t heap_allocsz_bytes; /**< total - free */
};

/**
 * Allocate @p size bytes aligned to @p align (a power of two; 0 means the
 * cache line) on NUMA node @p socket (EAL_SOCKET_ID_ANY: the calling
 * thread's node first, then the others). @p type is ignored (DPDK's).
 * @return the memory, or NULL with eal_errno EINVAL (size 0, bad align or
 *   socket) or ENOMEM.
 */
EAL_API void *eal_malloc_socket(const char *type, size_t size, unsigned int align, int socket);
/** eal_malloc_socket() on any node. */
EAL_API void *eal_malloc(const char *type, size_t size, unsigned int align);
/** eal_malloc_socket(), the memory zeroed. */
EAL_API void *eal_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket);
/** eal_zmalloc_socket() on any node. */
EAL_API void *eal_zmalloc(const char *type, size_t size, unsigned int align);
/** @p num elements of @p size bytes, zeroed; EINVAL when the product overflows. */
EAL_API void *eal_calloc_socket(const char *type, size_t num, size_t size, unsigned int align,
				int socket);
/** eal_calloc_socket() on any node. */
EAL_API void *eal_calloc(const char *type, size_t num, size_t size, unsigned int align);
/**
 * Resize @p ptr to @p size bytes, keeping its contents (the smaller of
 * the two sizes). In place when the block can grow or shrink there and
 * the alignment and node fit; otherwise a new block, and the old one is
 * freed. NULL @p ptr is eal_malloc_socket(). On failure NULL, and @p ptr
 * is left as it was. Size 0 is EINVAL (DPDK returns NULL too).
 */
EAL_API void *eal_realloc_socket(void *ptr, size_t size, unsigned int align, int socket);
/** eal_realloc_socket() on any node. */
EAL_API void *eal_realloc(void *ptr, size_t size, unsigned int align);
/** Free; NULL is a no-op. A bad pointer or a double free is reported and ignored. */
EAL_API void eal_free(void *ptr);
/**
 * IOVA of @p addr, any address inside an allocation (DPDK's
 * rte_malloc_virt2iova only takes the start of one).
 * @return the IOVA, or EAL_BAD_IOVA when @p addr is not libeal memory.
 */
EAL_API eal_iova_t eal_malloc_virt2iova(const void *addr);
/**
 * Statistics of the heaps of node @p socket.
 * @return 0, or -1 with eal_errno EINVAL (bad socket or NULL @p stats).
 */
EAL_API int eal_malloc_get_socket_stats(int socket, struct eal_malloc_socket_stats *stats);
/** One line per heap with its statistics to @p f (NULL: stdout); @p type ignored. */
EAL_API void eal_malloc_dump_stats(FILE *f, const char *type);
/**
 * Walk every block of every heap and check it: headers, sizes, links,
 * free lists, bitmaps and statistics.
 * @return 0 when every heap is sound; -1 with eal_errno EUCLEAN when one
 *   is corrupt (one ERR line per corrupt heap says where and what).
 */
EAL_API int eal_malloc_validate(void);

#ifdef __cplusplus
}
#endif

#endif /* EAL_MALLOC_H */
