/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Reader-writer locks that live in shared memory and survive the death of
 * their holder.
 *
 * DPDK protects its shared config with spinlocks and rwlocks; a process
 * killed with SIGKILL while holding one leaves every other process spinning
 * forever. An eal_rwlock records who holds it:
 *
 * - the writer word holds the writer's pid and thread id;
 * - each reading process counts its read holds in a slot tagged with its pid
 *   (pid and count in one 64-bit word, updated with one compare-and-swap).
 *
 * A waiter that spins for a while checks whether the holders it waits for
 * are still alive (kill(pid, 0)); a dead writer's hold is dropped and a dead
 * reader's slot is cleared, with one WARNING line, and the waiter proceeds.
 * The uncontended cost is one atomic operation to lock and one to unlock.
 *
 * Rules: not recursive for writers; a thread holding the write lock may take
 * read locks (nested walks); upgrading read to write deadlocks. At most
 * @ref EAL_RWLOCK_READER_SLOTS processes hold read locks at the same time
 * (further readers wait for a slot). All processes must share a PID
 * namespace (as DPDK secondaries must).
 *
 * The structure may be placed in any memory; zero-filled memory is an
 * unlocked lock.
 */
#ifndef EAL_LOCK_H
#define EAL_LOCK_H

#include "eal_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Number of processes that may hold read locks concurrently. */
#define EAL_RWLOCK_READER_SLOTS 15

/** A robust, process-shared reader-writer lock. Fields are private. */
typedef struct eal_rwlock {
	uint64_t writer; /**< (pid << 32 | tid) of the writer, or 0 */
	uint64_t readers[EAL_RWLOCK_READER_SLOTS]; /**< (pid << 32 | count) */
} eal_rwlock_t;

/** Static initialiser for an unlocked lock. */
#define EAL_RWLOCK_INITIALIZER { 0, { 0 } }

/**
 * Initialise (unlock) a lock. Only call this when no process uses it.
 *
 * @param lock
 *   The lock.
 */
EAL_API void eal_rwlock_init(eal_rwlock_t *lock);

/**
 * Take the lock for reading; waits while a live writer holds it.
 *
 * @param lock
 *   The lock.
 */
EAL_API void eal_rwlock_read_lock(eal_rwlock_t *lock);

/**
 * Try to take the lock for reading.
 *
 * @param lock
 *   The lock.
 * @return
 *   0 when taken, -1 with @ref eal_errno EBUSY when a writer holds it.
 */
EAL_API int eal_rwlock_read_trylock(eal_rwlock_t *lock);

/**
 * Release a read hold taken by this process.
 *
 * @param lock
 *   The lock.
 */
EAL_API void eal_rwlock_read_unlock(eal_rwlock_t *lock);

/**
 * Take the lock for writing; waits for the writer and every reader.
 *
 * @param lock
 *   The lock.
 */
EAL_API void eal_rwlock_write_lock(eal_rwlock_t *lock);

/**
 * Try to take the lock for writing.
 *
 * @param lock
 *   The lock.
 * @return
 *   0 when taken, -1 with @ref eal_errno EBUSY when anyone holds it.
 */
EAL_API int eal_rwlock_write_trylock(eal_rwlock_t *lock);

/**
 * Release the write hold.
 *
 * @param lock
 *   The lock.
 */
EAL_API void eal_rwlock_write_unlock(eal_rwlock_t *lock);

/**
 * Whether some live or dead writer holds the lock (for assertions).
 *
 * @param lock
 *   The lock.
 * @return
 *   1 when write-locked, 0 otherwise.
 */
EAL_API int eal_rwlock_is_write_locked(const eal_rwlock_t *lock);

#ifdef __cplusplus
}
#endif

#endif /* EAL_LOCK_H */
