/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Robust rwlock (src/eal_lock.c): mutual exclusion between threads and
 * processes, shared reading, trylock results, and recovery when a holder
 * is SIGKILLed, as a writer, as a reader, reaped or still a zombie.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_private.h"

static eal_rwlock_t *
shared_lock(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	eal_rwlock_init(p);
	return p;
}

static void
free_lock(eal_rwlock_t *l)
{
	munmap(l, 4096);
}

static void
test_basic(void **state)
{
	eal_rwlock_t l = EAL_RWLOCK_INITIALIZER;

	(void)state;
	assert_int_equal(eal_rwlock_is_write_locked(&l), 0);
	eal_rwlock_write_lock(&l);
	assert_int_equal(eal_rwlock_is_write_locked(&l), 1);
	/* The writer may read (nested walks). */
	eal_rwlock_read_lock(&l);
	eal_rwlock_read_unlock(&l);
	eal_rwlock_write_unlock(&l);
	assert_int_equal(eal_rwlock_is_write_locked(&l), 0);

	eal_rwlock_read_lock(&l);
	eal_rwlock_read_lock(&l);
	assert_int_equal(eal_rwlock_write_trylock(&l), -1);
	assert_int_equal(eal_errno, EBUSY);
	eal_rwlock_read_unlock(&l);
	eal_rwlock_read_unlock(&l);
	assert_int_equal(eal_rwlock_write_trylock(&l), 0);
	eal_rwlock_write_unlock(&l);
	assert_int_equal(eal_rwlock_read_trylock(&l), 0);
	eal_rwlock_read_unlock(&l);
	/* Everything released: no writer, no read hold in any slot (a slot
	 * stays tagged with the last reader's pid, with a zero count). */
	assert_int_equal(l.writer, 0);
	for (int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
		assert_int_equal(l.readers[i] & 0xffffffffu, 0);
}

struct counter_arg {
	eal_rwlock_t *lock;
	volatile uint64_t *counter;
	unsigned int rounds;
};

static void *
counter_thread(void *p)
{
	struct counter_arg *a = p;

	for (unsigned int i = 0; i < a->rounds; i++) {
		eal_rwlock_write_lock(a->lock);
		/* Non-atomic read-modify-write: only exclusion keeps it exact. */
		uint64_t v = *a->counter;
		*a->counter = v + 1;
		eal_rwlock_write_unlock(a->lock);
		eal_rwlock_read_lock(a->lock);
		eal_rwlock_read_unlock(a->lock);
	}
	return NULL;
}

static void
test_threads_exclusion(void **state)
{
	eal_rwlock_t l = EAL_RWLOCK_INITIALIZER;
	volatile uint64_t counter = 0;
	struct counter_arg a = { &l, &counter, 50000 };
	pthread_t t[4];

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, counter_thread, &a), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, 4 * 50000);
}

static void
test_processes_exclusion(void **state)
{
	eal_rwlock_t *l = shared_lock();
	uint64_t *counter = (uint64_t *)(l + 1);
	struct counter_arg a = { l, counter, 20000 };
	pid_t pid[3];

	(void)state;
	*counter = 0;
	for (int i = 0; i < 3; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			counter_thread(&a);
			_exit(0);
		}
	}
	counter_thread(&a);
	for (int i = 0; i < 3; i++)
		assert_int_equal(eal_test_wait(pid[i], 60000), 0);
	assert_int_equal(*counter, 4 * 20000);
	free_lock(l);
}

static pthread_barrier_t barrier;

static void *
reader_thread(void *p)
{
	eal_rwlock_t *l = p;

	eal_rwlock_read_lock(l);
	/* Both readers must be inside at once, or this barrier never opens. */
	pthread_barrier_wait(&barrier);
	eal_rwlock_read_unlock(l);
	return NULL;
}

static void
test_readers_share(void **state)
{
	eal_rwlock_t l = EAL_RWLOCK_INITIALIZER;
	pthread_t t[2];

	(void)state;
	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader_thread, &l);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
}

static void *
try_reader(void *p)
{
	return (void *)(intptr_t)(eal_rwlock_read_trylock(p) == 0 ? 0 : eal_errno);
}

static void
test_trylock_against_writer(void **state)
{
	eal_rwlock_t l = EAL_RWLOCK_INITIALIZER;
	pthread_t t;
	void *ret;

	(void)state;
	eal_rwlock_write_lock(&l);
	pthread_create(&t, NULL, try_reader, &l);
	pthread_join(t, &ret);
	assert_int_equal((intptr_t)ret, EBUSY);
	eal_rwlock_write_unlock(&l);
	pthread_create(&t, NULL, try_reader, &l);
	pthread_join(t, &ret);
	assert_int_equal((intptr_t)ret, 0);
	/* The thread exited holding a read lock of this process: release it. */
	eal_rwlock_read_unlock(&l);
}

/* A child takes the lock (write or read), tells the parent, and waits. */
static pid_t
child_holding_alive(eal_rwlock_t *l, bool writer)
{
	int p[2];
	char c;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		if (writer)
			eal_rwlock_write_lock(l);
		else
			eal_rwlock_read_lock(l);
		(void)write(p[1], "x", 1);
		for (;;)
			pause();
	}
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

/* The same, killed once it holds the lock. */
static pid_t
child_holding(eal_rwlock_t *l, bool writer)
{
	pid_t pid = child_holding_alive(l, writer);

	kill(pid, SIGKILL);
	return pid;
}

static void
test_dead_writer(void **state)
{
	eal_rwlock_t *l = shared_lock();
	pid_t pid;

	(void)state;
	pid = child_holding(l, true);
	assert_int_equal(eal_test_wait(pid, 5000), 128 + SIGKILL);
	assert_int_equal(eal_rwlock_is_write_locked(l), 1);
	/* Reaped: the pid is gone. The next writer recovers and says so. */
	assert_int_equal(eal__rwlock_write_lock(l), 1);
	eal_rwlock_write_unlock(l);
	assert_int_equal(eal__rwlock_write_lock(l), 0);
	eal_rwlock_write_unlock(l);
	free_lock(l);
}

/*
 * The handover (issue 15): a writer dies holding the lock while writers
 * of two processes, three threads each, and a reader process wait. Any
 * of them may find the holder dead, but the first writer to get the lock
 * must be told it was recovered, and only that one, so the owner's repair
 * always runs. Each acquirer appends (recovered) to a log under the lock.
 */
struct handover {
	eal_rwlock_t lock;
	unsigned int n;
	int recovered[8];
};

static void *
handover_writer(void *arg)
{
	struct handover *h = arg;
	int r = eal__rwlock_write_lock(&h->lock);

	h->recovered[h->n++] = r;
	usleep(200);
	eal_rwlock_write_unlock(&h->lock);
	return NULL;
}

static pid_t
handover_waiter(struct handover *h, bool writer)
{
	pthread_t t[3];
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (!writer) {
		eal_rwlock_read_lock(&h->lock);
		eal_rwlock_read_unlock(&h->lock);
		_exit(0);
	}
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, handover_writer, h) != 0)
			_exit(1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static void
test_dead_writer_handover(void **state)
{
	struct handover *h = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				  -1, 0);

	(void)state;
	assert_true(h != MAP_FAILED);
	for (int trial = 0; trial < 8; trial++) {
		pid_t holder, w[3];

		memset(h, 0, sizeof(*h));
		eal_rwlock_init(&h->lock);
		holder = child_holding_alive(&h->lock, true);
		/* Every second trial a reader waits too, and may be the reaper. */
		w[0] = handover_waiter(h, true);
		w[1] = handover_waiter(h, trial % 2 == 0);
		w[2] = handover_waiter(h, true);
		usleep(20000); /* let them all wait */
		kill(holder, SIGKILL);
		assert_int_equal(eal_test_wait(holder, 5000), 128 + SIGKILL);
		for (int i = 0; i < 3; i++)
			assert_int_equal(eal_test_wait(w[i], 20000), 0);
		assert_int_equal(h->n, trial % 2 == 0 ? 9 : 6);
		assert_int_equal(h->recovered[0], 1);
		for (unsigned int i = 1; i < h->n; i++)
			assert_int_equal(h->recovered[i], 0);
		assert_int_equal(eal_rwlock_is_write_locked(&h->lock), 0);
	}
	munmap(h, 4096);
}

static void
test_dead_writer_zombie_reader(void **state)
{
	eal_rwlock_t *l = shared_lock();
	siginfo_t si;
	pid_t pid;

	(void)state;
	pid = child_holding(l, true);
	/* Wait for death without reaping: the child stays a zombie. */
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	eal_rwlock_read_lock(l); /* must not hang */
	eal_rwlock_read_unlock(l);
	assert_int_equal(eal_test_wait(pid, 5000), 128 + SIGKILL);
	free_lock(l);
}

static void
test_dead_reader(void **state)
{
	eal_rwlock_t *l = shared_lock();
	pid_t pid;

	(void)state;
	pid = child_holding(l, false);
	assert_int_equal(eal_test_wait(pid, 5000), 128 + SIGKILL);
	assert_int_equal(eal_rwlock_write_trylock(l), -1);
	assert_int_equal(eal_errno, EBUSY);
	eal_rwlock_write_lock(l); /* waits, finds the reader dead, proceeds */
	eal_rwlock_write_unlock(l);
	free_lock(l);
}

static void
test_many_reader_processes(void **state)
{
	/* More reading processes than slots: the extra ones wait for a slot
	 * and all finish. */
	eal_rwlock_t *l = shared_lock();
	pid_t pid[EAL_RWLOCK_READER_SLOTS + 5];

	(void)state;
	for (unsigned int i = 0; i < EAL_DIM(pid); i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			for (int k = 0; k < 200; k++) {
				eal_rwlock_read_lock(l);
				usleep(50);
				eal_rwlock_read_unlock(l);
			}
			_exit(0);
		}
	}
	for (unsigned int i = 0; i < EAL_DIM(pid); i++)
		assert_int_equal(eal_test_wait(pid[i], 60000), 0);
	for (int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
		assert_int_equal(l->readers[i] & 0xffffffffu, 0);
	free_lock(l);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_threads_exclusion),
		cmocka_unit_test(test_processes_exclusion),
		cmocka_unit_test(test_readers_share),
		cmocka_unit_test(test_trylock_against_writer),
		cmocka_unit_test(test_dead_writer),
		cmocka_unit_test(test_dead_writer_handover),
		cmocka_unit_test(test_dead_writer_zombie_reader),
		cmocka_unit_test(test_dead_reader),
		cmocka_unit_test(test_many_reader_processes),
	};

	eal_test_setup(argc, argv);
	/* Recoveries log a WARNING each; keep the TAP output readable. */
	eal_log_set_level(NULL, EAL_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
