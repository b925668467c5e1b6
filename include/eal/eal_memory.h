/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Memory segments (DPDK's rte_memory.h, renamed): the pages libeal manages,
 * grouped in memseg lists, with walks and address translation.
 *
 * A memseg is one page (a hugepage, or a 4 KiB page in no-huge mode) with
 * its virtual address, IOVA (the address a device uses for DMA: physical,
 * or the virtual address itself in IOVA-as-VA mode) and NUMA node. A memseg
 * list is an fbarray of memsegs over one virtual-address reservation, all of
 * one page size and node. Lists live in the shared config, at the same
 * addresses in every process.
 *
 * Walks hold the memory hotplug read lock while they call the callback;
 * the *_thread_unsafe variants expect the caller to hold it
 * (eal_mcfg_mem_read_lock()). A callback returns 0 to continue, 1 to stop
 * the walk successfully, -1 to stop it with an error.
 *
 * Translation functions are table lookups: no system call, in any mode.
 */
#ifndef EAL_MEMORY_H
#define EAL_MEMORY_H

#include <stdint.h>
#include <stdio.h>

#include "eal_common.h"
#include "eal_fbarray.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An IOVA (DPDK's rte_iova_t). */
typedef uint64_t eal_iova_t;

/** No IOVA (DPDK's RTE_BAD_IOVA). */
#define EAL_BAD_IOVA ((eal_iova_t)-1)

/** The memseg is never given back to the system before eal_cleanup(): it
 * was preallocated by -m / --socket-mem (DPDK's RTE_MEMSEG_FLAG_DO_NOT_FREE). */
#define EAL_MEMSEG_FLAG_DO_NOT_FREE (1u << 0)

/** The memseg's memory may hold old data (DPDK's RTE_MEMSEG_FLAG_DIRTY). */
#define EAL_MEMSEG_FLAG_DIRTY (1u << 1)

/** One page of managed memory (DPDK's struct rte_memseg). */
struct eal_memseg {
	eal_iova_t iova;          /**< IOVA of the start of the page */
	union {
		void *addr;       /**< virtual address, same in every process */
		uint64_t addr_64; /**< makes sure addr takes 64 bits */
	};
	size_t len;               /**< length, bytes (the page size) */
	uint64_t hugepage_sz;     /**< page size, bytes */
	int32_t socket_id;        /**< NUMA node */
	uint32_t nchannel;        /**< memory channels (kept for DPDK compatibility) */
	uint32_t nrank;           /**< memory ranks (kept for DPDK compatibility) */
	uint32_t flags;           /**< EAL_MEMSEG_FLAG_* */
};

/** A list of memsegs over one VA reservation (DPDK's struct rte_memseg_list). */
struct eal_memseg_list {
	union {
		void *base_va;    /**< start of the reservation */
		uint64_t addr_64; /**< makes sure base_va takes 64 bits */
	};
	uint64_t page_sz;         /**< page size of every memseg, bytes */
	int socket_id;            /**< NUMA node of every memseg */
	volatile uint32_t version; /**< changes when memsegs are added or removed */
	size_t len;               /**< length of the reservation, bytes */
	unsigned int external;    /**< 1 for external memory (not used yet) */
	unsigned int heap;        /**< 1 when a malloc heap uses this list */
	struct eal_fbarray memseg_arr; /**< the memsegs */
};

/** Callback of eal_memseg_walk(); @p arg is the walk's argument. */
typedef int (*eal_memseg_walk_t)(const struct eal_memseg_list *msl,
				 const struct eal_memseg *ms, void *arg);
/** Callback of eal_memseg_contig_walk(): one VA-contiguous run of @p len bytes. */
typedef int (*eal_memseg_contig_walk_t)(const struct eal_memseg_list *msl,
					const struct eal_memseg *ms, size_t len, void *arg);
/** Callback of eal_memseg_list_walk(). */
typedef int (*eal_memseg_list_walk_t)(const struct eal_memseg_list *msl, void *arg);

/**
 * Call @p func for every memseg in use, list by list, in address order
 * (rte_memseg_walk).
 *
 * @return
 *   0 when every callback returned 0, 1 when one stopped the walk, -1 when
 *   one failed (its eal_errno is kept).
 */
EAL_API int eal_memseg_walk(eal_memseg_walk_t func, void *arg);
/** eal_memseg_walk() for a caller that holds the memory hotplug lock. */
EAL_API int eal_memseg_walk_thread_unsafe(eal_memseg_walk_t func, void *arg);

/**
 * Call @p func once per run of memsegs that are contiguous in virtual
 * address (rte_memseg_contig_walk); @p ms is the first of the run.
 *
 * @return
 *   As eal_memseg_walk().
 */
EAL_API int eal_memseg_contig_walk(eal_memseg_contig_walk_t func, void *arg);
/** eal_memseg_contig_walk() for a caller that holds the memory hotplug lock. */
EAL_API int eal_memseg_contig_walk_thread_unsafe(eal_memseg_contig_walk_t func, void *arg);

/**
 * Call @p func for every memseg list in use (rte_memseg_list_walk).
 *
 * @return
 *   As eal_memseg_walk().
 */
EAL_API int eal_memseg_list_walk(eal_memseg_list_walk_t func, void *arg);
/** eal_memseg_list_walk() for a caller that holds the memory hotplug lock. */
EAL_API int eal_memseg_list_walk_thread_unsafe(eal_memseg_list_walk_t func, void *arg);

/**
 * The memseg list whose reservation contains @p addr
 * (rte_mem_virt2memseg_list).
 *
 * @return
 *   The list, or NULL (with @ref eal_errno EINVAL) when @p addr is not in
 *   memory managed by libeal.
 */
EAL_API struct eal_memseg_list *eal_mem_virt2memseg_list(const void *addr);

/**
 * The memseg containing @p addr (rte_mem_virt2memseg).
 *
 * @param addr
 *   Any address inside a page (not only its start).
 * @param msl
 *   Its list if known, or NULL to look it up.
 * @return
 *   The memseg, or NULL with @ref eal_errno EINVAL when @p addr is not in a
 *   memseg in use.
 */
EAL_API struct eal_memseg *eal_mem_virt2memseg(const void *addr,
					       const struct eal_memseg_list *msl);

/**
 * IOVA of any address inside a memseg (rte_mem_virt2iova). A table lookup:
 * DPDK reads /proc/self/pagemap on each call in PA mode.
 *
 * @return
 *   The IOVA, or EAL_BAD_IOVA with @ref eal_errno EINVAL when @p addr is
 *   not in a memseg in use.
 */
EAL_API eal_iova_t eal_mem_virt2iova(const void *addr);

/**
 * Virtual address of an IOVA inside a memseg (rte_mem_iova2virt).
 *
 * @return
 *   The address, or NULL with @ref eal_errno EINVAL when no memseg holds
 *   @p iova.
 */
EAL_API void *eal_mem_iova2virt(eal_iova_t iova);

/**
 * Print the memory layout to @p f (rte_dump_physmem_layout): each list, then
 * one line per run of segments contiguous in both VA and IOVA (not one line
 * per page), and the total.
 *
 * @param f
 *   The stream; NULL means stdout.
 */
EAL_API void eal_memory_dump(FILE *f);

/**
 * Total memory in memsegs in use (rte_eal_get_physmem_size).
 *
 * @return
 *   Bytes.
 */
EAL_API uint64_t eal_memory_size(void);

/** Longest name of a memory event callback, with its NUL. */
#define EAL_MEM_EVENT_CALLBACK_NAME_LEN 64
/** Longest name of an allocation validator, with its NUL. */
#define EAL_MEM_ALLOC_VALIDATOR_NAME_LEN 64

/** What happened to a range of memory (DPDK's enum rte_mem_event). */
enum eal_mem_event {
	EAL_MEM_EVENT_ALLOC = 0, /**< pages were mapped: called after mapping */
	EAL_MEM_EVENT_FREE,      /**< pages will be unmapped: called before */
};

/**
 * A memory event callback (DPDK's rte_mem_event_callback_t): @p len bytes
 * at @p addr, one VA-contiguous run of pages of one memseg list.
 *
 * Called in every process that registered it, in the process that mapped
 * or freed the pages and in every other attached process, while the
 * memory hotplug lock is held by the process that changes the layout: a
 * callback must not allocate or free memory, must not register or
 * unregister callbacks, and must only use the *_thread_unsafe walks. In processes other than the one that changed the
 * layout it runs on libeal's hotplug thread.
 */
typedef void (*eal_mem_event_callback_t)(enum eal_mem_event event_type, const void *addr,
					 size_t len, void *arg);

/**
 * Register a memory event callback (rte_mem_event_callback_register).
 *
 * May be called before eal_init(). A name and argument pair is registered
 * once.
 *
 * @return
 *   0, or -1 with eal_errno: EINVAL (@p name or @p clb NULL, empty name),
 *   ENAMETOOLONG (name of EAL_MEM_EVENT_CALLBACK_NAME_LEN characters or
 *   more), EEXIST (@p name with @p arg is registered), ENOTSUP (legacy or
 *   no-huge memory, which never changes), ENOMEM.
 */
EAL_API int eal_mem_event_callback_register(const char *name, eal_mem_event_callback_t clb,
					    void *arg);

/**
 * Unregister a callback (rte_mem_event_callback_unregister).
 *
 * @return
 *   0, or -1 with eal_errno: EINVAL (@p name NULL or empty), ENAMETOOLONG,
 *   ENOENT (not registered with @p arg), ENOTSUP (legacy or no-huge memory).
 */
EAL_API int eal_mem_event_callback_unregister(const char *name, void *arg);

/**
 * An allocation validator (DPDK's rte_mem_alloc_validator_t): memory on
 * @p socket_id is about to grow to @p new_len bytes, at or above the
 * @p cur_limit it was registered with. Return 0 to allow, -1 to refuse
 * (the allocation then fails with ENOMEM).
 */
typedef int (*eal_mem_alloc_validator_t)(int socket_id, size_t cur_limit, size_t new_len);

/**
 * Register an allocation validator for one NUMA node
 * (rte_mem_alloc_validator_register). It is called, in the process that
 * allocates, before the memory on @p socket_id grows to a total of
 * @p limit bytes or more. --socket-limit registers one named
 * "socket-limit" in every process.
 *
 * @return
 *   0, or -1 with eal_errno: EINVAL (@p name or @p clb NULL, empty name,
 *   @p socket_id negative or not below EAL_MAX_NUMA_NODES),
 *   ENAMETOOLONG, EEXIST (@p name on @p socket_id is registered), ENOTSUP
 *   (legacy or no-huge memory), ENOMEM.
 */
EAL_API int eal_mem_alloc_validator_register(const char *name, eal_mem_alloc_validator_t clb,
					     int socket_id, size_t limit);

/**
 * Unregister a validator (rte_mem_alloc_validator_unregister).
 *
 * @return
 *   0, or -1 with eal_errno: EINVAL, ENAMETOOLONG, ENOENT (not registered
 *   on @p socket_id), ENOTSUP.
 */
EAL_API int eal_mem_alloc_validator_unregister(const char *name, int socket_id);

#ifdef __cplusplus
}
#endif

#endif /* EAL_MEMORY_H */
