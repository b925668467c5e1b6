/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DPDK names for libeal: include this header instead of DPDK's EAL memory
 * headers and a program written against DPDK 22.11's rte_eal_init(),
 * rte_memzone_*, rte_malloc*, rte_fbarray_*, rte_memseg_* and their types
 * builds against libeal without changes to its code.
 *
 * Every DPDK name is mapped onto the libeal name that has the same
 * parameters and semantics (rte_ becomes eal_, RTE_ becomes EAL_):
 *  - functions, struct tags, enum tags and constants are macros, so
 *    `struct rte_memzone` is `struct eal_memzone`, a pointer to
 *    rte_malloc is a pointer to eal_malloc, and callbacks written for
 *    DPDK (walks, memory events, validators) have exactly the type
 *    libeal expects;
 *  - typedefs (rte_iova_t, rte_memseg_walk_t, ...) are typedefs of the
 *    libeal ones;
 *  - the few names whose libeal counterpart behaves differently are
 *    static inline functions that restore DPDK's behaviour
 *    (rte_rwlock_*_trylock, rte_exit).
 *
 * The block at the end of this header checks at compile time that each
 * mapped function and callback type has the prototype DPDK 22.11 declares,
 * so a change of a libeal signature that would break ported code fails
 * the build of every program that includes this header.
 *
 * What is not mapped (no libeal counterpart: lcores, devices, rings,
 * mempools, logging for applications, external heaps, ...) stays
 * undefined, so the compiler names each DPDK call that needs porting by
 * hand. docs/porting.md lists every mapped name and every behaviour that
 * differs from DPDK.
 *
 * This header is opt-in: no other libeal header includes it, and it
 * defines nothing that starts with eal_ or EAL_ except its own include
 * guard and the private helper EAL_RTE_SAME_TYPE_.
 *
 * @code
 * #include <eal_rte_compat.h>   // instead of <rte_eal.h>, <rte_memzone.h>, ...
 *
 * int main(int argc, char **argv)
 * {
 *         if (rte_eal_init(argc, argv) < 0)
 *                 rte_exit(EXIT_FAILURE, "rte_eal_init: %s\n", rte_strerror(rte_errno));
 *         const struct rte_memzone *mz =
 *                 rte_memzone_reserve("state", 4096, SOCKET_ID_ANY, 0);
 *         ...
 *         rte_eal_cleanup();
 * }
 * @endcode
 */
#ifndef EAL_RTE_COMPAT_H
#define EAL_RTE_COMPAT_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "eal.h"

/**
 * @name Common macros (DPDK's rte_common.h)
 * @{
 */
#define RTE_CACHE_LINE_SIZE EAL_CACHE_LINE_SIZE /**< 64, as DPDK on x86_64 */
#define SOCKET_ID_ANY EAL_SOCKET_ID_ANY         /**< any NUMA node (-1) */
#define RTE_ALIGN_CEIL(v, a) EAL_ALIGN_CEIL(v, a)   /**< align up to a power of two */
#define RTE_ALIGN_FLOOR(v, a) EAL_ALIGN_FLOOR(v, a) /**< align down to a power of two */
#define RTE_ALIGN(v, a) EAL_ALIGN_CEIL(v, a)        /**< RTE_ALIGN_CEIL */
#define RTE_PTR_ADD(p, off) EAL_PTR_ADD(p, off)     /**< pointer plus bytes */
#define RTE_DIM(a) EAL_DIM(a)                       /**< elements of a static array */
#define RTE_SET_USED(x) ((void)(x))                 /**< silence an unused variable */
#define __rte_unused __attribute__((__unused__))    /**< unused parameter or variable */
#define __rte_aligned(a) __attribute__((__aligned__(a))) /**< alignment of a type or object */
#define __rte_cache_aligned __rte_aligned(RTE_CACHE_LINE_SIZE) /**< cache-line aligned */
/** @} */

/**
 * @name Build-time limits (DPDK's rte_config.h / rte_build_config.h)
 * The values are this libeal build's, from meson options whose defaults
 * are DPDK 22.11's.
 * @{
 */
#define RTE_MAX_MEMSEG_LISTS EAL_MAX_MEMSEG_LISTS       /**< memseg lists */
#define RTE_MAX_MEMSEG_PER_LIST EAL_MAX_MEMSEG_PER_LIST /**< segments per list */
#define RTE_MAX_MEMSEG_PER_TYPE EAL_MAX_MEMSEG_PER_TYPE /**< segments per page size and node */
#define RTE_MAX_MEM_MB_PER_TYPE EAL_MAX_MEM_MB_PER_TYPE /**< VA per page size and node, MiB */
#define RTE_MAX_MEM_MB EAL_MAX_MEM_MB                   /**< VA for all memory types, MiB */
#define RTE_MAX_MEM_MB_PER_LIST EAL_MAX_MEM_MB_PER_LIST /**< VA per list, MiB */
#define RTE_MAX_MEMZONE EAL_MAX_MEMZONE                 /**< memzone descriptors */
#define RTE_MAX_HEAPS EAL_MAX_HEAPS                     /**< malloc heaps */
#define RTE_MAX_NUMA_NODES EAL_MAX_NUMA_NODES           /**< NUMA nodes */
/** @} */

/**
 * @name Errors (DPDK's rte_errno.h)
 * @{
 */
#define rte_errno eal_errno       /**< thread-local error of the last failed call; assignable */
#define rte_strerror eal_strerror /**< describe an error value */
/** @} */

/**
 * @name Init and process (DPDK's rte_eal.h)
 * rte_eal_init() returns the number of EAL arguments consumed and puts
 * the program name before the application's arguments, as DPDK does.
 * @{
 */
#define rte_proc_type_t eal_proc_type             /**< enum rte_proc_type_t */
#define RTE_PROC_AUTO EAL_PROC_AUTO               /**< -1 */
#define RTE_PROC_PRIMARY EAL_PROC_PRIMARY         /**< 0 */
#define RTE_PROC_SECONDARY EAL_PROC_SECONDARY     /**< 1 */
#define RTE_PROC_INVALID EAL_PROC_INVALID         /**< 2 */
#define rte_iova_mode eal_iova_mode               /**< enum rte_iova_mode */
#define RTE_IOVA_DC EAL_IOVA_DC                   /**< 0 */
#define RTE_IOVA_PA EAL_IOVA_PA                   /**< 1 */
#define RTE_IOVA_VA EAL_IOVA_VA                   /**< 2 */
#define rte_eal_init eal_init                     /**< initialise from argv */
#define rte_eal_cleanup eal_cleanup               /**< release everything */
#define rte_eal_process_type eal_process_type     /**< primary or secondary */
#define rte_eal_primary_proc_alive eal_primary_proc_alive /**< a primary holds this config */
#define rte_eal_get_runtime_dir eal_runtime_dir   /**< runtime directory of the prefix */
#define rte_eal_iova_mode eal_iova_mode           /**< IOVA mode in effect */

/**
 * Print a message to stderr, release libeal (eal_cleanup()) and exit
 * the process with @p exit_code (DPDK's rte_exit()). Never returns.
 *
 * @param exit_code
 *   The process's exit status.
 * @param format
 *   printf() format of the message, then its arguments.
 */
static inline __attribute__((__noreturn__, __format__(__printf__, 2, 3))) void
rte_exit(int exit_code, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	(void)eal_cleanup();
	exit(exit_code);
}
/** @} */

/**
 * @name Memory segments (DPDK's rte_memory.h)
 * @{
 */
typedef eal_iova_t rte_iova_t;                          /**< an IOVA */
#define RTE_BAD_IOVA EAL_BAD_IOVA                       /**< no IOVA */
#define RTE_MEMSEG_FLAG_DO_NOT_FREE EAL_MEMSEG_FLAG_DO_NOT_FREE /**< pinned page */
#define RTE_MEMSEG_FLAG_DIRTY EAL_MEMSEG_FLAG_DIRTY     /**< may hold old data */
#define rte_memseg eal_memseg                           /**< struct rte_memseg */
#define rte_memseg_list eal_memseg_list                 /**< struct rte_memseg_list */
typedef eal_memseg_walk_t rte_memseg_walk_t;            /**< rte_memseg_walk() callback */
typedef eal_memseg_contig_walk_t rte_memseg_contig_walk_t; /**< rte_memseg_contig_walk() callback */
typedef eal_memseg_list_walk_t rte_memseg_list_walk_t;  /**< rte_memseg_list_walk() callback */
#define rte_memseg_walk eal_memseg_walk                 /**< every used segment */
#define rte_memseg_walk_thread_unsafe eal_memseg_walk_thread_unsafe /**< same, lock held */
#define rte_memseg_contig_walk eal_memseg_contig_walk   /**< VA-contiguous runs */
#define rte_memseg_contig_walk_thread_unsafe eal_memseg_contig_walk_thread_unsafe /**< same, lock held */
#define rte_memseg_list_walk eal_memseg_list_walk       /**< every list in use */
#define rte_memseg_list_walk_thread_unsafe eal_memseg_list_walk_thread_unsafe /**< same, lock held */
#define rte_mem_virt2memseg_list eal_mem_virt2memseg_list /**< list of an address */
#define rte_mem_virt2memseg eal_mem_virt2memseg         /**< segment of an address */
#define rte_mem_virt2iova eal_mem_virt2iova             /**< IOVA of an address */
#define rte_mem_iova2virt eal_mem_iova2virt             /**< address of an IOVA */
#define rte_dump_physmem_layout eal_memory_dump         /**< print the layout */
#define rte_eal_get_physmem_size eal_memory_size        /**< bytes in used segments */
#define rte_mem_event eal_mem_event                     /**< enum rte_mem_event */
#define RTE_MEM_EVENT_ALLOC EAL_MEM_EVENT_ALLOC         /**< pages were mapped */
#define RTE_MEM_EVENT_FREE EAL_MEM_EVENT_FREE           /**< pages will be unmapped */
#define RTE_MEM_EVENT_CALLBACK_NAME_LEN EAL_MEM_EVENT_CALLBACK_NAME_LEN /**< 64 */
#define RTE_MEM_ALLOC_VALIDATOR_NAME_LEN EAL_MEM_ALLOC_VALIDATOR_NAME_LEN /**< 64 */
typedef eal_mem_event_callback_t rte_mem_event_callback_t; /**< memory event callback */
typedef eal_mem_alloc_validator_t rte_mem_alloc_validator_t; /**< allocation validator */
#define rte_mem_event_callback_register eal_mem_event_callback_register /**< add a callback */
#define rte_mem_event_callback_unregister eal_mem_event_callback_unregister /**< remove it */
#define rte_mem_alloc_validator_register eal_mem_alloc_validator_register /**< add a validator */
#define rte_mem_alloc_validator_unregister eal_mem_alloc_validator_unregister /**< remove it */
/** @} */

/**
 * @name Memzones (DPDK's rte_memzone.h)
 * rte_memzone_free() returns 0 or -EINVAL as DPDK's does (and also sets
 * rte_errno); see eal_memzone.h for the other differences.
 * @{
 */
#define RTE_MEMZONE_NAMESIZE EAL_MEMZONE_NAMESIZE       /**< 32, NUL included */
#define RTE_MEMZONE_2MB EAL_MEMZONE_2MB                 /**< 2 MiB pages */
#define RTE_MEMZONE_1GB EAL_MEMZONE_1GB                 /**< 1 GiB pages */
#define RTE_MEMZONE_16MB EAL_MEMZONE_16MB               /**< 16 MiB pages */
#define RTE_MEMZONE_16GB EAL_MEMZONE_16GB               /**< 16 GiB pages */
#define RTE_MEMZONE_256KB EAL_MEMZONE_256KB             /**< 256 KiB pages */
#define RTE_MEMZONE_256MB EAL_MEMZONE_256MB             /**< 256 MiB pages */
#define RTE_MEMZONE_512MB EAL_MEMZONE_512MB             /**< 512 MiB pages */
#define RTE_MEMZONE_4GB EAL_MEMZONE_4GB                 /**< 4 GiB pages */
#define RTE_MEMZONE_SIZE_HINT_ONLY EAL_MEMZONE_SIZE_HINT_ONLY /**< page sizes are a preference */
#define RTE_MEMZONE_IOVA_CONTIG EAL_MEMZONE_IOVA_CONTIG /**< contiguous in IOVA */
#define rte_memzone eal_memzone                         /**< struct rte_memzone */
#define rte_memzone_reserve eal_memzone_reserve         /**< reserve a zone */
#define rte_memzone_reserve_aligned eal_memzone_reserve_aligned /**< with an alignment */
#define rte_memzone_reserve_bounded eal_memzone_reserve_bounded /**< and a boundary */
#define rte_memzone_free eal_memzone_free               /**< free a zone */
#define rte_memzone_lookup eal_memzone_lookup           /**< find a zone by name */
#define rte_memzone_walk eal_memzone_walk               /**< every zone */
#define rte_memzone_dump eal_memzone_dump               /**< print every zone */
/** @} */

/**
 * @name Heap (DPDK's rte_malloc.h)
 * @{
 */
#define rte_malloc_socket_stats eal_malloc_socket_stats /**< struct rte_malloc_socket_stats */
#define rte_malloc eal_malloc                           /**< allocate */
#define rte_zmalloc eal_zmalloc                         /**< allocate zeroed */
#define rte_calloc eal_calloc                           /**< allocate an array, zeroed */
#define rte_realloc eal_realloc                         /**< resize */
#define rte_malloc_socket eal_malloc_socket             /**< allocate on a node */
#define rte_zmalloc_socket eal_zmalloc_socket           /**< allocate zeroed on a node */
#define rte_calloc_socket eal_calloc_socket             /**< array on a node */
#define rte_realloc_socket eal_realloc_socket           /**< resize onto a node */
#define rte_free eal_free                               /**< free */
#define rte_malloc_virt2iova eal_malloc_virt2iova       /**< IOVA of heap memory */
#define rte_malloc_get_socket_stats eal_malloc_get_socket_stats /**< heap statistics */
#define rte_malloc_dump_stats eal_malloc_dump_stats     /**< print heap statistics */
/** @} */

/**
 * @name File-backed arrays (DPDK's rte_fbarray.h)
 * @{
 */
#define RTE_FBARRAY_NAME_LEN EAL_FBARRAY_NAME_LEN       /**< 64, NUL included */
#define rte_fbarray eal_fbarray                         /**< struct rte_fbarray */
#define rte_fbarray_init eal_fbarray_init               /**< create */
#define rte_fbarray_attach eal_fbarray_attach           /**< map another process's array */
#define rte_fbarray_detach eal_fbarray_detach           /**< unmap */
#define rte_fbarray_destroy eal_fbarray_destroy         /**< remove */
#define rte_fbarray_get eal_fbarray_get                 /**< element address */
#define rte_fbarray_find_idx eal_fbarray_find_idx       /**< element index */
#define rte_fbarray_set_used eal_fbarray_set_used       /**< mark used */
#define rte_fbarray_set_free eal_fbarray_set_free       /**< mark free */
#define rte_fbarray_is_used eal_fbarray_is_used         /**< used or free */
#define rte_fbarray_find_next_free eal_fbarray_find_next_free /**< search up */
#define rte_fbarray_find_next_used eal_fbarray_find_next_used /**< search up */
#define rte_fbarray_find_next_n_free eal_fbarray_find_next_n_free /**< run, up */
#define rte_fbarray_find_next_n_used eal_fbarray_find_next_n_used /**< run, up */
#define rte_fbarray_find_contig_free eal_fbarray_find_contig_free /**< run length, up */
#define rte_fbarray_find_contig_used eal_fbarray_find_contig_used /**< run length, up */
#define rte_fbarray_find_prev_free eal_fbarray_find_prev_free /**< search down */
#define rte_fbarray_find_prev_used eal_fbarray_find_prev_used /**< search down */
#define rte_fbarray_find_prev_n_free eal_fbarray_find_prev_n_free /**< run, down */
#define rte_fbarray_find_prev_n_used eal_fbarray_find_prev_n_used /**< run, down */
#define rte_fbarray_find_rev_contig_free eal_fbarray_find_rev_contig_free /**< run length, down */
#define rte_fbarray_find_rev_contig_used eal_fbarray_find_rev_contig_used /**< run length, down */
#define rte_fbarray_find_biggest_free eal_fbarray_find_biggest_free /**< longest run, up */
#define rte_fbarray_find_biggest_used eal_fbarray_find_biggest_used /**< longest run, up */
#define rte_fbarray_find_rev_biggest_free eal_fbarray_find_rev_biggest_free /**< longest run, down */
#define rte_fbarray_find_rev_biggest_used eal_fbarray_find_rev_biggest_used /**< longest run, down */
#define rte_fbarray_dump_metadata eal_fbarray_dump_metadata /**< print */
/** @} */

/**
 * @name Shared config locks (DPDK's rte_eal_memconfig.h)
 * @{
 */
#define rte_mcfg_mem_read_lock eal_mcfg_mem_read_lock     /**< hotplug lock, read */
#define rte_mcfg_mem_read_unlock eal_mcfg_mem_read_unlock /**< release it */
#define rte_mcfg_mem_write_lock eal_mcfg_mem_write_lock   /**< hotplug lock, write */
#define rte_mcfg_mem_write_unlock eal_mcfg_mem_write_unlock /**< release it */
#define rte_mcfg_mlock_read_lock eal_mcfg_mlock_read_lock /**< memzone lock, read */
#define rte_mcfg_mlock_read_unlock eal_mcfg_mlock_read_unlock /**< release it */
#define rte_mcfg_mlock_write_lock eal_mcfg_mlock_write_lock /**< memzone lock, write */
#define rte_mcfg_mlock_write_unlock eal_mcfg_mlock_write_unlock /**< release it */
#define rte_mcfg_get_single_file_segments eal_mcfg_get_single_file_segments /**< 1 or 0 */
/** @} */

/**
 * @name Reader-writer locks (DPDK's rte_rwlock.h)
 * libeal's lock is process-shared and survives a holder that dies (see
 * eal_lock.h); it is larger than DPDK's 4-byte lock. The try-lock
 * functions return 0 or -EBUSY, as DPDK's.
 * @{
 */
typedef eal_rwlock_t rte_rwlock_t;                       /**< a reader-writer lock */
#define RTE_RWLOCK_INITIALIZER EAL_RWLOCK_INITIALIZER    /**< unlocked */
#define rte_rwlock_init eal_rwlock_init                  /**< unlock */
#define rte_rwlock_read_lock eal_rwlock_read_lock        /**< take for reading */
#define rte_rwlock_read_unlock eal_rwlock_read_unlock    /**< release a read hold */
#define rte_rwlock_write_lock eal_rwlock_write_lock      /**< take for writing */
#define rte_rwlock_write_unlock eal_rwlock_write_unlock  /**< release the write hold */

/**
 * Try to take @p rwl for reading (DPDK's rte_rwlock_read_trylock()).
 *
 * @param rwl
 *   The lock.
 * @return
 *   0 when taken, -EBUSY when a writer holds it.
 */
static inline int
rte_rwlock_read_trylock(rte_rwlock_t *rwl)
{
	return eal_rwlock_read_trylock(rwl) == 0 ? 0 : -EBUSY;
}

/**
 * Try to take @p rwl for writing (DPDK's rte_rwlock_write_trylock()).
 *
 * @param rwl
 *   The lock.
 * @return
 *   0 when taken, -EBUSY when anyone holds it.
 */
static inline int
rte_rwlock_write_trylock(rte_rwlock_t *rwl)
{
	return eal_rwlock_write_trylock(rwl) == 0 ? 0 : -EBUSY;
}
/** @} */

/*
 * Compile-time proof that the mapping keeps DPDK's prototypes: each
 * libeal function and callback type must be compatible with the type
 * DPDK 22.11 declares for its rte_ name (written here with the rte_
 * names, as in DPDK's headers). Structs whose layout DPDK programs may
 * depend on (descriptors passed to devices or other programs) keep
 * DPDK's size.
 */
#ifndef __cplusplus
/** Private: @p fn has the function pointer type @p type. */
#define EAL_RTE_SAME_TYPE_(fn, type) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&(fn)), type), \
		       #fn " must keep DPDK's prototype")

EAL_RTE_SAME_TYPE_(rte_eal_init, int (*)(int, char **));
EAL_RTE_SAME_TYPE_(rte_eal_cleanup, int (*)(void));
EAL_RTE_SAME_TYPE_(rte_eal_process_type, enum rte_proc_type_t (*)(void));
EAL_RTE_SAME_TYPE_(rte_eal_primary_proc_alive, int (*)(const char *));
EAL_RTE_SAME_TYPE_(rte_eal_get_runtime_dir, const char *(*)(void));
EAL_RTE_SAME_TYPE_(rte_eal_iova_mode, enum rte_iova_mode (*)(void));
EAL_RTE_SAME_TYPE_(rte_strerror, const char *(*)(int));

EAL_RTE_SAME_TYPE_(rte_memseg_walk, int (*)(rte_memseg_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_memseg_walk_thread_unsafe, int (*)(rte_memseg_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_memseg_contig_walk, int (*)(rte_memseg_contig_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_memseg_contig_walk_thread_unsafe,
		   int (*)(rte_memseg_contig_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_memseg_list_walk, int (*)(rte_memseg_list_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_memseg_list_walk_thread_unsafe, int (*)(rte_memseg_list_walk_t, void *));
EAL_RTE_SAME_TYPE_(rte_mem_virt2memseg_list, struct rte_memseg_list *(*)(const void *));
EAL_RTE_SAME_TYPE_(rte_mem_virt2memseg,
		   struct rte_memseg *(*)(const void *, const struct rte_memseg_list *));
EAL_RTE_SAME_TYPE_(rte_mem_virt2iova, rte_iova_t (*)(const void *));
EAL_RTE_SAME_TYPE_(rte_mem_iova2virt, void *(*)(rte_iova_t));
EAL_RTE_SAME_TYPE_(rte_dump_physmem_layout, void (*)(FILE *));
EAL_RTE_SAME_TYPE_(rte_eal_get_physmem_size, uint64_t (*)(void));
EAL_RTE_SAME_TYPE_(rte_mem_event_callback_register,
		   int (*)(const char *, rte_mem_event_callback_t, void *));
EAL_RTE_SAME_TYPE_(rte_mem_event_callback_unregister, int (*)(const char *, void *));
EAL_RTE_SAME_TYPE_(rte_mem_alloc_validator_register,
		   int (*)(const char *, rte_mem_alloc_validator_t, int, size_t));
EAL_RTE_SAME_TYPE_(rte_mem_alloc_validator_unregister, int (*)(const char *, int));
_Static_assert(__builtin_types_compatible_p(rte_memseg_walk_t,
		int (*)(const struct rte_memseg_list *, const struct rte_memseg *, void *)),
	       "rte_memseg_walk_t must keep DPDK's type");
_Static_assert(__builtin_types_compatible_p(rte_memseg_contig_walk_t,
		int (*)(const struct rte_memseg_list *, const struct rte_memseg *, size_t, void *)),
	       "rte_memseg_contig_walk_t must keep DPDK's type");
_Static_assert(__builtin_types_compatible_p(rte_memseg_list_walk_t,
		int (*)(const struct rte_memseg_list *, void *)),
	       "rte_memseg_list_walk_t must keep DPDK's type");
_Static_assert(__builtin_types_compatible_p(rte_mem_event_callback_t,
		void (*)(enum rte_mem_event, const void *, size_t, void *)),
	       "rte_mem_event_callback_t must keep DPDK's type");
_Static_assert(__builtin_types_compatible_p(rte_mem_alloc_validator_t,
		int (*)(int, size_t, size_t)),
	       "rte_mem_alloc_validator_t must keep DPDK's type");

EAL_RTE_SAME_TYPE_(rte_memzone_reserve,
		   const struct rte_memzone *(*)(const char *, size_t, int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_memzone_reserve_aligned,
		   const struct rte_memzone *(*)(const char *, size_t, int, unsigned int,
						 unsigned int));
EAL_RTE_SAME_TYPE_(rte_memzone_reserve_bounded,
		   const struct rte_memzone *(*)(const char *, size_t, int, unsigned int,
						 unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_memzone_free, int (*)(const struct rte_memzone *));
EAL_RTE_SAME_TYPE_(rte_memzone_lookup, const struct rte_memzone *(*)(const char *));
EAL_RTE_SAME_TYPE_(rte_memzone_walk,
		   void (*)(void (*)(const struct rte_memzone *, void *), void *));
EAL_RTE_SAME_TYPE_(rte_memzone_dump, void (*)(FILE *));

EAL_RTE_SAME_TYPE_(rte_malloc, void *(*)(const char *, size_t, unsigned int));
EAL_RTE_SAME_TYPE_(rte_zmalloc, void *(*)(const char *, size_t, unsigned int));
EAL_RTE_SAME_TYPE_(rte_calloc, void *(*)(const char *, size_t, size_t, unsigned int));
EAL_RTE_SAME_TYPE_(rte_realloc, void *(*)(void *, size_t, unsigned int));
EAL_RTE_SAME_TYPE_(rte_malloc_socket, void *(*)(const char *, size_t, unsigned int, int));
EAL_RTE_SAME_TYPE_(rte_zmalloc_socket, void *(*)(const char *, size_t, unsigned int, int));
EAL_RTE_SAME_TYPE_(rte_calloc_socket,
		   void *(*)(const char *, size_t, size_t, unsigned int, int));
EAL_RTE_SAME_TYPE_(rte_realloc_socket, void *(*)(void *, size_t, unsigned int, int));
EAL_RTE_SAME_TYPE_(rte_free, void (*)(void *));
EAL_RTE_SAME_TYPE_(rte_malloc_virt2iova, rte_iova_t (*)(const void *));
EAL_RTE_SAME_TYPE_(rte_malloc_get_socket_stats,
		   int (*)(int, struct rte_malloc_socket_stats *));
EAL_RTE_SAME_TYPE_(rte_malloc_dump_stats, void (*)(FILE *, const char *));

EAL_RTE_SAME_TYPE_(rte_fbarray_init,
		   int (*)(struct rte_fbarray *, const char *, unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_attach, int (*)(struct rte_fbarray *));
EAL_RTE_SAME_TYPE_(rte_fbarray_detach, int (*)(struct rte_fbarray *));
EAL_RTE_SAME_TYPE_(rte_fbarray_destroy, int (*)(struct rte_fbarray *));
EAL_RTE_SAME_TYPE_(rte_fbarray_get, void *(*)(const struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_idx, int (*)(const struct rte_fbarray *, const void *));
EAL_RTE_SAME_TYPE_(rte_fbarray_set_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_set_free, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_is_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_next_free, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_next_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_next_n_free,
		   int (*)(struct rte_fbarray *, unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_next_n_used,
		   int (*)(struct rte_fbarray *, unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_contig_free, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_contig_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_prev_free, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_prev_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_prev_n_free,
		   int (*)(struct rte_fbarray *, unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_prev_n_used,
		   int (*)(struct rte_fbarray *, unsigned int, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_rev_contig_free,
		   int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_rev_contig_used,
		   int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_biggest_free, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_biggest_used, int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_rev_biggest_free,
		   int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_find_rev_biggest_used,
		   int (*)(struct rte_fbarray *, unsigned int));
EAL_RTE_SAME_TYPE_(rte_fbarray_dump_metadata, void (*)(struct rte_fbarray *, FILE *));

EAL_RTE_SAME_TYPE_(rte_mcfg_mem_read_lock, void (*)(void));
EAL_RTE_SAME_TYPE_(rte_mcfg_mem_read_unlock, void (*)(void));
EAL_RTE_SAME_TYPE_(rte_mcfg_mem_write_lock, void (*)(void));
EAL_RTE_SAME_TYPE_(rte_mcfg_mem_write_unlock, void (*)(void));
EAL_RTE_SAME_TYPE_(rte_mcfg_get_single_file_segments, int (*)(void));
EAL_RTE_SAME_TYPE_(rte_rwlock_read_lock, void (*)(rte_rwlock_t *));
EAL_RTE_SAME_TYPE_(rte_rwlock_write_lock, void (*)(rte_rwlock_t *));

/* DPDK 22.11 sizes on 64-bit targets (struct rte_memseg 48, rte_memzone
 * 72, rte_malloc_socket_stats 40 bytes). */
#if __SIZEOF_POINTER__ == 8
_Static_assert(sizeof(struct rte_memseg) == 48, "struct rte_memseg must keep DPDK's size");
_Static_assert(sizeof(struct rte_memzone) == 72, "struct rte_memzone must keep DPDK's size");
_Static_assert(sizeof(struct rte_malloc_socket_stats) == 40,
	       "struct rte_malloc_socket_stats must keep DPDK's size");
#endif
#endif /* !__cplusplus */

#endif /* EAL_RTE_COMPAT_H */
