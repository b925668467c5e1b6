/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stopped processes and memory changes (issue 15), on real 2 MiB
 * hugepages: a secondary is SIGSTOPped while a writer secondary grows and
 * shrinks memory again and again (each round maps a new 6 MiB block,
 * fills it with a pattern, publishes it in a memzone and frees the block
 * before: the heap gives those pages back). Then it is continued, and its
 * main thread at once reads the block published last, page by page.
 *   - idle: the stopped secondary only watches the published block;
 *   - busy: it allocates, fills, checks and frees blocks of its own in two
 *     threads when it is stopped (at a random moment, perhaps inside the
 *     heap).
 * Every read must give the writer's pattern (never a stale page left at
 * that address, never a fault), the writer must get through all its
 * rounds while the other is stopped (a stopped process is not waited
 * for: one NOTICE), and afterwards the heaps validate everywhere and
 * every hugepage comes back. No timing is asserted.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memzone.h"

#define WAIT_MS 30000u
#define MIB (1ull << 20)
#define BLOCK (6 * MIB)
#define ROUNDS 6
#define STOPS 3

/* In the memzone "stop_ctl". */
struct ctl {
	volatile uint64_t gen;    /* the writer's round, published last */
	volatile uint64_t block;  /* its block */
	volatile uint64_t seed;
	volatile uint64_t go;     /* the parent: rounds the writer may do */
	volatile uint64_t done;   /* the writer: rounds done */
	volatile uint64_t checked; /* the watcher: rounds checked */
	volatile uint64_t bad;    /* pages that read wrong */
	volatile uint64_t stop;   /* everyone: clean up and exit */
};

static unsigned char
pattern(uint64_t seed, size_t off)
{
	return (unsigned char)((seed * 0x9e3779b97f4a7c15ull >> 56) ^ (off >> 12) ^ off);
}

static void
fill(unsigned char *p, size_t len, uint64_t seed)
{
	for (size_t off = 0; off < len; off += 4096)
		memset(p + off, pattern(seed, off), 4096);
}

/* Pages of [p, p + len) whose first and last byte are not the pattern. */
static uint64_t
count_bad(const unsigned char *p, size_t len, uint64_t seed)
{
	uint64_t bad = 0;

	for (size_t off = 0; off < len; off += 4096)
		bad += p[off] != pattern(seed, off) || p[off + 4095] != pattern(seed, off);
	return bad;
}

static int
init(int argc, char **argv)
{
	char *args[16] = { (char *)"child" };
	int n = 1;

	for (int i = 0; i < argc && n < 15; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d %s\n", eal_errno, eal_strerror(eal_errno));
		return -1;
	}
	return 0;
}

/* The busy secondary's threads: blocks of their own, until stop. */
static void *
busy_thread(void *arg)
{
	struct ctl *c = arg;
	uint64_t seed = (uint64_t)(uintptr_t)&seed;

	while (!c->stop) {
		size_t len = (seed++ % 4 == 0) ? 3 * MIB : 4096 * (1 + seed % 16);
		unsigned char *p = eal_malloc(NULL, len, 0);

		if (p == NULL)
			continue; /* a stopped holder can make growth wait: retry */
		fill(p, len, seed);
		if (count_bad(p, len, seed) != 0)
			__atomic_add_fetch(&c->bad, 1, __ATOMIC_RELAXED);
		eal_free(p);
	}
	return NULL;
}

static int
child(int argc, char **argv)
{
	const char *role = eal_test_child_role();
	const struct eal_memzone *mz;
	struct ctl *c;

	if (init(argc, argv) < 0)
		return 1;
	if (strcmp(role, "primary") == 0) {
		mz = eal_memzone_reserve("stop_ctl", sizeof(struct ctl), EAL_SOCKET_ID_ANY, 0);
		if (mz == NULL)
			return 2;
		c = mz->addr;
		memset(c, 0, sizeof(*c));
		printf("ok\n");
		fflush(stdout);
		while (!c->stop)
			usleep(1000);
		return eal_malloc_validate() == 0 && eal_cleanup() == 0 ? 0 : 5;
	}
	mz = eal_memzone_lookup("stop_ctl");
	if (mz == NULL)
		return 2;
	c = mz->addr;
	if (strcmp(role, "writer") == 0) {
		unsigned char *cur = NULL;

		printf("ok\n");
		fflush(stdout);
		while (!c->stop) {
			unsigned char *next;

			if (c->done == c->go) {
				usleep(200);
				continue;
			}
			next = eal_malloc(NULL, BLOCK, 0);
			if (next == NULL)
				return 3;
			fill(next, BLOCK, c->done + 1);
			c->block = (uint64_t)(uintptr_t)next;
			c->seed = c->done + 1;
			__atomic_store_n(&c->gen, c->done + 1, __ATOMIC_RELEASE);
			eal_free(cur); /* its pages go back: the heap keeps one */
			cur = next;
			__atomic_add_fetch(&c->done, 1, __ATOMIC_RELEASE);
		}
		/* The last block stays published until the others stopped. */
		return eal_malloc_validate() == 0 && eal_cleanup() == 0 ? 0 : 5;
	}
	/* watcher: idle or busy; its main thread reads each new block. */
	{
		pthread_t t[2];
		bool busy = strcmp(role, "busy") == 0;
		uint64_t seen = 0;

		for (int i = 0; busy && i < 2; i++)
			if (pthread_create(&t[i], NULL, busy_thread, c) != 0)
				return 4;
		printf("ok\n");
		fflush(stdout);
		while (!c->stop) {
			uint64_t gen = __atomic_load_n(&c->gen, __ATOMIC_ACQUIRE);

			if (gen == seen) {
				usleep(100);
				continue;
			}
			/* The writer frees a block only after publishing the next
			 * one, and waits for the parent between rounds. */
			__atomic_add_fetch(&c->bad,
					   count_bad((const unsigned char *)(uintptr_t)c->block, BLOCK,
						     c->seed),
					   __ATOMIC_RELAXED);
			seen = gen;
			__atomic_store_n(&c->checked, gen, __ATOMIC_RELEASE);
		}
		for (int i = 0; busy && i < 2; i++)
			pthread_join(t[i], NULL);
		return eal_malloc_validate() == 0 && eal_cleanup() == 0 ? 0 : 5;
	}
}

/* The parent reads the control block through a secondary of its own. */
static struct ctl *
attach_ctl(void)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--proc-type=secondary", NULL);
	const struct eal_memzone *mz;

	assert_int_equal(eal_init(argc, argv), argc - 1);
	mz = eal_memzone_lookup("stop_ctl");
	assert_non_null(mz);
	return mz->addr;
}

static bool
wait_for(volatile uint64_t *v, uint64_t want)
{
	uint64_t end = eal_test_now_ms() + WAIT_MS;

	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want)
		if (eal_test_now_ms() > end)
			return false;
		else
			usleep(1000);
	return true;
}

static void
run(const char *watcher_role)
{
	long free_base = eal_test_reclaimed_free_2m();
	pid_t prim, writer, watcher;
	struct ctl *c;

	assert_true(free_base > 0);
	prim = eal_test_start_app("primary", NULL);
	c = attach_ctl();
	writer = eal_test_start_app("writer", NULL);
	watcher = eal_test_start_app(watcher_role, NULL);
	eal_test_rng_seed(0x5709);
	for (int s = 0; s < STOPS; s++) {
		uint64_t target = c->go + ROUNDS;

		/* One round with everyone running, then the stop. */
		c->go++;
		assert_true(wait_for(&c->checked, c->go));
		usleep((useconds_t)(1000 * (5 + eal_test_rng_below(40))));
		assert_int_equal(kill(watcher, SIGSTOP), 0);
		c->go = target;
		if (strcmp(watcher_role, "idle") == 0) {
			/* Nobody waits for a stopped process. */
			if (!wait_for(&c->done, target))
				fail_msg("stop %d: the writer did %lu of %lu rounds while the watcher was stopped",
					 s, (unsigned long)c->done, (unsigned long)target);
		} else {
			/* Stopped inside the heap, it holds the heap's lock:
			 * growth waits for it (docs/reliability.md). */
			usleep(300000);
		}
		assert_int_equal(kill(watcher, SIGCONT), 0);
		assert_true(wait_for(&c->done, target));
		if (!wait_for(&c->checked, target))
			fail_msg("stop %d: the %s watcher did not get through (checked %lu)", s,
				 watcher_role, (unsigned long)c->checked);
		assert_int_equal(c->bad, 0);
	}
	print_message("# %s: %d stops, %lu rounds, %lu bad pages\n", watcher_role, STOPS,
		      (unsigned long)c->done, (unsigned long)c->bad);
	assert_int_equal(eal_malloc_validate(), 0);
	c->stop = 1;
	assert_int_equal(eal_test_wait(watcher, WAIT_MS), 0);
	assert_int_equal(eal_test_wait(writer, WAIT_MS), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_wait(prim, WAIT_MS), 0);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

static void
test_idle_secondary_stopped(void **state)
{
	(void)state;
	run("idle");
}

static void
test_busy_secondary_stopped(void **state)
{
	(void)state;
	run("busy");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_secondary_stopped),
		cmocka_unit_test(test_busy_secondary_stopped),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_test_require_hugepages_2m(64);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
