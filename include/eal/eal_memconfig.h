/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Locks of the shared memory configuration. The configuration itself is
 * private (src/eal_memcfg.h); applications only take its locks, e.g. to
 * walk memory with the *_thread_unsafe walkers.
 *
 * Lock order: memory hotplug lock before the memzone lock. Both are
 * eal_rwlock locks: a process killed while holding one does not block the
 * others (see eal_lock.h).
 *
 * These functions do nothing when eal_init() has not completed.
 */
#ifndef EAL_MEMCONFIG_H
#define EAL_MEMCONFIG_H

#include "eal_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Take the memory hotplug lock for reading (rte_mcfg_mem_read_lock). */
EAL_API void eal_mcfg_mem_read_lock(void);
/** Release the memory hotplug read lock (rte_mcfg_mem_read_unlock). */
EAL_API void eal_mcfg_mem_read_unlock(void);
/** Take the memory hotplug lock for writing (rte_mcfg_mem_write_lock). */
EAL_API void eal_mcfg_mem_write_lock(void);
/** Release the memory hotplug write lock (rte_mcfg_mem_write_unlock). */
EAL_API void eal_mcfg_mem_write_unlock(void);
/** Take the memzone lock for reading (rte_mcfg_mlock_read_lock). */
EAL_API void eal_mcfg_mlock_read_lock(void);
/** Release the memzone read lock (rte_mcfg_mlock_read_unlock). */
EAL_API void eal_mcfg_mlock_read_unlock(void);
/** Take the memzone lock for writing (rte_mcfg_mlock_write_lock). */
EAL_API void eal_mcfg_mlock_write_lock(void);
/** Release the memzone write lock (rte_mcfg_mlock_write_unlock). */
EAL_API void eal_mcfg_mlock_write_unlock(void);

/**
 * Whether the shared config uses single-file segments
 * (rte_mcfg_get_single_file_segments).
 *
 * @return
 *   1 or 0; 0 before eal_init().
 */
EAL_API int eal_mcfg_get_single_file_segments(void);

#ifdef __cplusplus
}
#endif

#endif /* EAL_MEMCONFIG_H */
