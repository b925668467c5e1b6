/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robust process-shared reader-writer locks (include/eal/eal_lock.h).
 *
 * writer:     0, or (pid << 32 | tid) of the thread holding the write lock.
 * readers[i]: 0, or (pid << 32 | count): read holds of one process.
 *
 * Readers and the writer synchronise Dekker-style: a reader first adds
 * itself to its slot and then looks at the writer word; a writer first
 * publishes itself in the writer word and then looks at the slots. All of
 * these accesses are sequentially consistent, so at least one of the two
 * sees the other, and a reader that sees a writer backs out and waits.
 *
 * Who holds what is always written down by pid, so a waiter that has spun
 * for a while checks whether those pids still live. A dead reader's slot
 * is reset with a CAS. A dead writer's word is never simply cleared: the
 * protected data may be half-updated, and whoever takes the lock next
 * must learn that, so its owner can repair or report it (through the
 * internal eal__rwlock_write_lock()). A waiting writer that finds the
 * holder dead takes the word over with one CAS, as recovered; a waiting
 * reader that finds it dead puts RECOVERED there instead, which readers
 * treat as free and the next writer takes over as recovered. Whoever
 * reaps, the repair runs in the next writer, whichever process it is in.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MCFG

#include <errno.h>

#include "eal_os.h"
#include "eal_private.h"

#define SEQ __ATOMIC_SEQ_CST
/* Busy spins before yielding, and yields between liveness checks. */
#define SPINS_BEFORE_YIELD 128
#define YIELDS_BEFORE_CHECK 64

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ volatile("yield" ::: "memory")
#else
#define cpu_relax() __asm__ volatile("" ::: "memory")
#endif

/* The writer word after a reader reaped a dead writer: free, but the next
 * writer is told the lock was recovered. pid 0 is no process. */
#define RECOVERED 1ull

#define SLOT_PID(v) ((int32_t)((v) >> 32))
#define SLOT_COUNT(v) ((uint32_t)(v))
#define MAKE_SLOT(pid, count) (((uint64_t)(uint32_t)(pid) << 32) | (uint32_t)(count))

static inline uint64_t
self_id(void)
{
	return MAKE_SLOT(eal__os_getpid(), eal__os_gettid());
}

/* Waiting with backoff; returns true when it is time to check liveness. */
struct backoff {
	unsigned int spins;
	unsigned int yields;
};

static bool
backoff_wait(struct backoff *b)
{
	if (b->spins < SPINS_BEFORE_YIELD) {
		b->spins++;
		cpu_relax();
		return false;
	}
	if (++b->yields < YIELDS_BEFORE_CHECK) {
		eal__os_yield();
		return false;
	}
	b->yields = 0;
	/* Long waits sleep a little so a stuck holder does not eat a core. */
	eal__os_sleep_us(100);
	return true;
}

/* Replace the writer word @w by @to if its holder is dead: @to is the
 * reaping writer itself, or RECOVERED from a reader. Returns true if
 * replaced (one waiter wins). */
static bool
reap_dead_writer(eal_rwlock_t *lock, uint64_t w, uint64_t to)
{
	if (w == 0 || w == RECOVERED || eal__os_pid_alive(SLOT_PID(w)))
		return false;
	if (!__atomic_compare_exchange_n(&lock->writer, &w, to, false, SEQ, SEQ))
		return false;
	EAL_LOG(WARNING, "lock %p: writer pid %d died holding it; lock recovered", (void *)lock,
		(int)SLOT_PID(w));
	return true;
}

static bool
reap_dead_reader(eal_rwlock_t *lock, unsigned int i, uint64_t v)
{
	if (v == 0 || SLOT_COUNT(v) == 0 || eal__os_pid_alive(SLOT_PID(v)))
		return false;
	if (!__atomic_compare_exchange_n(&lock->readers[i], &v, 0, false, SEQ, SEQ))
		return false;
	EAL_LOG(WARNING, "lock %p: reader pid %d died holding %u read lock(s); released",
		(void *)lock, (int)SLOT_PID(v), SLOT_COUNT(v));
	return true;
}

/* Add one read hold for this process. Returns the slot index, or -1 when
 * every slot belongs to another live reading process. */
static int
reader_enter(eal_rwlock_t *lock, int32_t pid)
{
	unsigned int start = (uint32_t)pid % EAL_RWLOCK_READER_SLOTS;

	for (unsigned int k = 0; k < EAL_RWLOCK_READER_SLOTS; k++) {
		unsigned int i = (start + k) % EAL_RWLOCK_READER_SLOTS;
		uint64_t v = __atomic_load_n(&lock->readers[i], SEQ);

		for (;;) {
			uint64_t nv;

			if (SLOT_PID(v) == pid)
				nv = MAKE_SLOT(pid, SLOT_COUNT(v) + 1);
			else if (SLOT_COUNT(v) == 0)
				nv = MAKE_SLOT(pid, 1); /* free, or idle: take it over */
			else
				break;
			if (__atomic_compare_exchange_n(&lock->readers[i], &v, nv, false, SEQ, SEQ))
				return (int)i;
		}
	}
	return -1;
}

static void
reader_leave(eal_rwlock_t *lock, int32_t pid)
{
	unsigned int start = (uint32_t)pid % EAL_RWLOCK_READER_SLOTS;

	for (unsigned int k = 0; k < EAL_RWLOCK_READER_SLOTS; k++) {
		unsigned int i = (start + k) % EAL_RWLOCK_READER_SLOTS;
		uint64_t v = __atomic_load_n(&lock->readers[i], __ATOMIC_RELAXED);

		if (SLOT_PID(v) != pid || SLOT_COUNT(v) == 0)
			continue;
		/* While its count is not zero, a slot tagged with our pid is
		 * changed by nobody else (others take over only idle slots, and
		 * reapers only dead pids): a plain decrement is enough. At zero
		 * the slot stays tagged and idle, free for anyone to take. */
		__atomic_fetch_sub(&lock->readers[i], 1, __ATOMIC_RELEASE);
		return;
	}
	EAL_ASSERT(!"read unlock without a read hold");
}

/* Readers may pass a writer that is this very thread (nested walks). */
static bool
writer_blocks_reader(uint64_t w, uint64_t self)
{
	return w != 0 && w != RECOVERED && w != self;
}

static int
read_lock(eal_rwlock_t *lock, bool try)
{
	int32_t pid = eal__os_getpid();
	struct backoff b = { 0, 0 };
	uint64_t self = 0;

	for (;;) {
		uint64_t w;

		/* Optimistic: count ourselves in, then look for a writer. */
		if (reader_enter(lock, pid) >= 0) {
			w = __atomic_load_n(&lock->writer, SEQ);
			if (EAL_LIKELY(w == 0 || w == RECOVERED))
				return 0;
			if (self == 0)
				self = MAKE_SLOT(pid, eal__os_gettid());
			if (!writer_blocks_reader(w, self))
				return 0;
			reader_leave(lock, pid); /* a writer is in: back off */
		} else {
			/* Every slot belongs to another reading process. */
			if (try)
				return -EBUSY;
			if (backoff_wait(&b))
				for (unsigned int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
					reap_dead_reader(lock, i,
							 __atomic_load_n(&lock->readers[i], SEQ));
			continue;
		}
		if (try)
			return -EBUSY;
		if (self == 0)
			self = MAKE_SLOT(pid, eal__os_gettid());
		/* Wait for the writer to leave without touching our slot. */
		while (writer_blocks_reader(w = __atomic_load_n(&lock->writer, SEQ), self)) {
			if (backoff_wait(&b))
				reap_dead_writer(lock, w, RECOVERED);
		}
	}
}

static bool readers_present(eal_rwlock_t *lock);

/* Wait until no other process or thread holds a read lock. */
static void
wait_readers(eal_rwlock_t *lock)
{
	if (EAL_LIKELY(!readers_present(lock)))
		return;
	for (unsigned int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++) {
		struct backoff b = { 0, 0 };
		uint64_t v;

		while ((v = __atomic_load_n(&lock->readers[i], SEQ)) != 0 && SLOT_COUNT(v) != 0) {
			if (backoff_wait(&b))
				reap_dead_reader(lock, i, v);
		}
	}
}

static bool
readers_present(eal_rwlock_t *lock)
{
	uint32_t any = 0;

	/* No early exit: a straight OR over two cache lines is cheaper than
	 * a branch per slot on the uncontended path. */
	for (unsigned int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
		any |= SLOT_COUNT(__atomic_load_n(&lock->readers[i], SEQ));
	return any != 0;
}

/* The writer word: taken, or recovered from a dead holder (1). */
static int
writer_acquire(eal_rwlock_t *lock)
{
	uint64_t self = self_id();
	struct backoff b = { 0, 0 };
	int recovered = 0;

	for (;;) {
		uint64_t w = 0;

		if (__atomic_compare_exchange_n(&lock->writer, &w, self, false, SEQ, SEQ))
			break;
		if (w == RECOVERED) {
			if (__atomic_compare_exchange_n(&lock->writer, &w, self, false, SEQ, SEQ)) {
				recovered = 1;
				break;
			}
			continue;
		}
		EAL_ASSERT(w != self); /* not recursive */
		/* A dead holder's word becomes ours in the same CAS: no other
		 * waiter can take the lock in between without the news. */
		if (backoff_wait(&b) && reap_dead_writer(lock, w, self)) {
			recovered = 1;
			break;
		}
	}
	return recovered;
}

int
eal__rwlock_write_lock(eal_rwlock_t *lock)
{
	int recovered = writer_acquire(lock);

	wait_readers(lock);
	return recovered;
}

int
eal__rwlock_excl_lock(eal_rwlock_t *lock)
{
	EAL_ASSERT_INTERNAL(!readers_present(lock));
	return writer_acquire(lock);
}

EAL_API void
eal_rwlock_init(eal_rwlock_t *lock)
{
	__atomic_store_n(&lock->writer, 0, SEQ);
	for (unsigned int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
		__atomic_store_n(&lock->readers[i], 0, SEQ);
}

EAL_API void
eal_rwlock_read_lock(eal_rwlock_t *lock)
{
	(void)read_lock(lock, false);
}

EAL_API int
eal_rwlock_read_trylock(eal_rwlock_t *lock)
{
	int rc = read_lock(lock, true);

	return rc < 0 ? eal__fail(rc) : 0;
}

EAL_API void
eal_rwlock_read_unlock(eal_rwlock_t *lock)
{
	reader_leave(lock, eal__os_getpid());
}

EAL_API void
eal_rwlock_write_lock(eal_rwlock_t *lock)
{
	(void)eal__rwlock_write_lock(lock);
}

EAL_API int
eal_rwlock_write_trylock(eal_rwlock_t *lock)
{
	uint64_t w = 0;

	/* Free, or free after a dead writer (RECOVERED): the public lock
	 * has no way to say so, and nothing of libeal's own uses trylock. */
	if (!__atomic_compare_exchange_n(&lock->writer, &w, self_id(), false, SEQ, SEQ) &&
	    (w != RECOVERED ||
	     !__atomic_compare_exchange_n(&lock->writer, &w, self_id(), false, SEQ, SEQ)))
		return eal__fail(-EBUSY);
	if (readers_present(lock)) {
		__atomic_store_n(&lock->writer, 0, SEQ);
		return eal__fail(-EBUSY);
	}
	return 0;
}

EAL_API void
eal_rwlock_write_unlock(eal_rwlock_t *lock)
{
	EAL_ASSERT_INTERNAL(__atomic_load_n(&lock->writer, __ATOMIC_RELAXED) == self_id());
	/* Release is enough: the Dekker ordering matters only on entry. */
	__atomic_store_n(&lock->writer, 0, __ATOMIC_RELEASE);
}

EAL_API int
eal_rwlock_is_write_locked(const eal_rwlock_t *lock)
{
	uint64_t w = __atomic_load_n(&lock->writer, SEQ);

	return w != 0 && w != RECOVERED;
}
