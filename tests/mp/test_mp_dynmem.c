/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dynamic memory across real processes, on real 2 MiB hugepages (issue 5
 * item 3): a primary and three secondaries. Pages mapped after they
 * attached, by the primary and by a secondary, are readable and writable
 * in all four as soon as the allocating call returned; pages freed by a
 * secondary are unmapped everywhere and back in the kernel's pool; event
 * callbacks fire in every process with the right address and length;
 * all four grow and shrink concurrently for a fixed number of rounds; a
 * secondary SIGKILLed while it allocates does not block the others, nor
 * does a stopped one for longer than the bounded wait (once). Run
 * once with a file per page and once with --single-file-segments.
 *
 * The processes talk through a control block in a hugepage the primary
 * allocates before the secondaries start (its address is an argument):
 * that every secondary sees it is the first check.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_memory.h"
#include "eal_memcfg.h"
#include "eal_private.h"

#define PG (2ull << 20)
#define N_SEC 3
#define ROUNDS 40
#define WAIT_MS 30000

enum phase {
	PH_ATTACHED = 1, /* secondaries: attached, callbacks registered */
	PH_CHECK_PRIMARY, /* read/write the primary's new pages */
	PH_SEC_ALLOC,     /* secondary 0 allocates two pages */
	PH_CHECK_SEC,     /* everyone reads/writes them */
	PH_SEC_FREE,      /* secondary 1 frees the primary's pages */
	PH_CHECK_FREED,   /* everyone: those pages are gone */
	PH_STRESS,        /* concurrent grow/shrink */
	PH_EXIT,
};

struct ctl {
	volatile uint32_t phase;
	volatile uint32_t done[N_SEC];   /* last phase each secondary finished */
	volatile uint32_t failed[N_SEC]; /* line of the first failed check, 0 */
	volatile uint64_t addr[2];       /* [0] primary's pages, [1] secondary's */
	volatile uint64_t len[2];
	volatile uint64_t mark[N_SEC];   /* each secondary's write into addr[0]/[1] */
	volatile uint64_t stress_ops[N_SEC];
};

/* What one process's callback saw. */
struct seen {
	unsigned int n_alloc, n_free;
	const void *last_alloc, *last_free;
	size_t last_alloc_len, last_free_len;
};

static void
on_event(enum eal_mem_event ev, const void *addr, size_t len, void *arg)
{
	struct seen *s = arg;

	if (ev == EAL_MEM_EVENT_ALLOC) {
		s->n_alloc++;
		s->last_alloc = addr;
		s->last_alloc_len = len;
	} else {
		s->n_free++;
		s->last_free = addr;
		s->last_free_len = len;
	}
}

static bool
resident(const volatile void *addr)
{
	unsigned char v = 0;

	return mincore((void *)(uintptr_t)addr, 4096, &v) == 0 && (v & 1);
}

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Allocate, write, check and free random runs of pages. */
static int
stress(uint64_t seed, unsigned int rounds, uint64_t *ret_ops)
{
	for (unsigned int r = 0; r < rounds; r++) {
		unsigned int n = 1 + (unsigned int)(xorshift(&seed) % 3);
		volatile uint64_t *p;
		void *a;

		if (eal__memalloc_alloc(PG, 0, n, 0, &a) != 0)
			return __LINE__;
		p = a;
		for (unsigned int i = 0; i < n; i++)
			p[i * (PG / 8)] = seed + i;
		for (unsigned int i = 0; i < n; i++)
			if (p[i * (PG / 8)] != seed + i)
				return __LINE__;
		if (eal__memalloc_free(a, n * PG) != 0)
			return __LINE__;
		*ret_ops += 2;
	}
	return 0;
}

static bool
wait_phase(struct ctl *c, uint32_t ph)
{
	uint64_t end = eal_test_now_ms() + WAIT_MS;

	while (c->phase < ph)
		if (eal_test_now_ms() > end)
			return false;
		else
			usleep(200);
	return true;
}

#define CHECK(c, who, e) \
	do { \
		if (!(e) && (c)->failed[who] == 0) \
			(c)->failed[who] = __LINE__; \
	} while (0)

/* A secondary: attach, then follow the primary's phases. */
static int
child(int argc, char **argv)
{
	char *args[16] = { (char *)"child" };
	unsigned int who = (unsigned int)atoi(argv[0]);
	struct ctl *c = (struct ctl *)(uintptr_t)strtoull(argv[1], NULL, 16);
	struct seen seen = { 0 };
	int n = 1;

	for (int i = 2; i < argc && n < 15; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d\n", eal_errno);
		return 1;
	}
	if (strncmp(eal_test_child_role(), "faulty", 6) == 0) {
		/* EAL_TEST_FAULT names a point: allocate and free until it
		 * kills us (a hotplug-sync fault waits for the parent). */
		uint64_t ops = 0, end = eal_test_now_ms() + WAIT_MS;

		printf("ok\n");
		fflush(stdout);
		while (eal_test_now_ms() < end)
			if (strcmp(getenv("EAL_TEST_FAULT"), "hotplug-sync") == 0)
				usleep(1000);
			else if (stress(who + 1, 1, &ops) != 0)
				return 6;
		return 7; /* the fault point was never reached */
	}
	if (strcmp(eal_test_child_role(), "crash") == 0) {
		/* A primary killed with pages mapped and files on disk. */
		void *a;

		if (eal__memalloc_alloc(PG, 0, 4, 0, &a) != 0)
			return 6;
		printf("ok\n");
		fflush(stdout);
		kill(getpid(), SIGKILL);
	}
	if (eal_mem_event_callback_register("mp", on_event, &seen) < 0)
		return 2;
	if (strcmp(eal_test_child_role(), "idle") == 0) {
		/* Stopped and continued by the parent; then checks that it caught
		 * up with what changed meanwhile. */
		printf("ok\n");
		fflush(stdout);
		if (!wait_phase(c, PH_EXIT))
			return 4;
		CHECK(c, who, ((volatile uint64_t *)(uintptr_t)c->addr[1])[0] == 0xb0b);
		CHECK(c, who, !resident((void *)(uintptr_t)c->addr[0]));
		CHECK(c, who, seen.n_alloc >= 2 && seen.n_free >= 1);
		c->done[who] = PH_EXIT;
		return eal_cleanup() == 0 ? 0 : 5;
	}
	if (strcmp(eal_test_child_role(), "limited") == 0) {
		/* The primary's --socket-limit 8 applies here too: with its one
		 * control page, 3 more pages reach 8 MiB and are refused. */
		void *a;

		CHECK(c, who, eal__memalloc_alloc(PG, 0, 3, 0, &a) == -ENOMEM);
		CHECK(c, who, eal__memalloc_alloc(PG, 0, 2, 0, &a) == 0);
		CHECK(c, who, eal__memalloc_free(a, 2 * PG) == 0);
		c->done[who] = PH_EXIT;
		printf("ok\n");
		return eal_cleanup() == 0 ? 0 : 5;
	}
	if (strcmp(eal_test_child_role(), "looper") == 0) {
		/* Allocate and free until killed. */
		uint64_t ops = 0;

		printf("ok\n");
		fflush(stdout);
		for (;;)
			if (stress(who * 7919 + 1, 1, &ops) != 0)
				return 3;
	}
	/* The control block is the primary's page: mapped at attach. */
	c->done[who] = PH_ATTACHED;
	printf("ok\n");
	fflush(stdout);

	if (!wait_phase(c, PH_CHECK_PRIMARY))
		return 4;
	{
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)c->addr[0];

		CHECK(c, who, seen.n_alloc == 1 && seen.last_alloc == (const void *)p &&
				      seen.last_alloc_len == c->len[0]);
		for (unsigned int i = 0; i < c->len[0] / PG; i++)
			CHECK(c, who, p[i * (PG / 8)] == 0xab00 + i);
		p[1 + who] = c->mark[who] = 0x5ec0 + who;
	}
	c->done[who] = PH_CHECK_PRIMARY;

	if (!wait_phase(c, PH_SEC_ALLOC))
		return 4;
	if (who == 0) {
		void *a;

		CHECK(c, who, eal__memalloc_alloc(PG, 0, 2, 0, &a) == 0);
		((volatile uint64_t *)a)[0] = 0xcafe;
		((volatile uint64_t *)a)[PG / 8] = 0xcaff;
		c->addr[1] = (uint64_t)(uintptr_t)a;
		c->len[1] = 2 * PG;
	}
	c->done[who] = PH_SEC_ALLOC;

	if (!wait_phase(c, PH_CHECK_SEC))
		return 4;
	{
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)c->addr[1];

		CHECK(c, who, p[0] == 0xcafe && p[PG / 8] == 0xcaff);
		p[8 + who] = 0x5ec1 + who;
		CHECK(c, who, seen.last_alloc == (const void *)p && seen.last_alloc_len == 2 * PG);
		CHECK(c, who, seen.n_alloc == 2);
	}
	c->done[who] = PH_CHECK_SEC;

	if (!wait_phase(c, PH_SEC_FREE))
		return 4;
	if (who == 1) {
		CHECK(c, who, eal__memalloc_free((void *)(uintptr_t)c->addr[0], c->len[0]) == 0);
		CHECK(c, who, !resident((void *)(uintptr_t)c->addr[0]));
	}
	c->done[who] = PH_SEC_FREE;

	if (!wait_phase(c, PH_CHECK_FREED))
		return 4;
	CHECK(c, who, !resident((void *)(uintptr_t)c->addr[0]));
	CHECK(c, who, eal_mem_virt2memseg((void *)(uintptr_t)c->addr[0], NULL) == NULL);
	CHECK(c, who, seen.n_free == 1 && seen.last_free == (const void *)(uintptr_t)c->addr[0] &&
			      seen.last_free_len == c->len[0]);
	c->done[who] = PH_CHECK_FREED;

	if (!wait_phase(c, PH_STRESS))
		return 4;
	{
		uint64_t ops = 0;
		int line = stress(0x1234567ull * (who + 1), ROUNDS, &ops);

		CHECK(c, who, line == 0);
		c->stress_ops[who] = ops;
	}
	c->done[who] = PH_STRESS;

	if (!wait_phase(c, PH_EXIT))
		return 4;
	(void)eal_mem_event_callback_unregister("mp", &seen);
	return eal_cleanup() == 0 ? 0 : 5;
}

static struct ctl *ctl;
static long free_base;
static struct seen primary_seen;

static void
all_done(uint32_t ph)
{
	uint64_t end = eal_test_now_ms() + WAIT_MS;
	bool ok;

	do {
		ok = true;
		for (int k = 0; k < N_SEC; k++)
			ok = ok && ctl->done[k] >= ph;
		if (!ok)
			usleep(200);
	} while (!ok && eal_test_now_ms() < end);
	for (int k = 0; k < N_SEC; k++)
		if (ctl->failed[k] != 0)
			fail_msg("secondary %d: check at line %u failed", k, ctl->failed[k]);
	assert_true(ok);
}

static void
start(const char *opt)
{
	char **argv;
	int argc = opt != NULL ? eal_test_argv(&argv, opt, "--proc-type=primary", NULL)
			       : eal_test_argv(&argv, "--proc-type=primary", NULL);
	void *a;

	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &a), 0);
	ctl = a;
	memset(ctl, 0, sizeof(*ctl));
	assert_int_equal(eal_mem_event_callback_register("mp", on_event, &primary_seen), 0);
}

static void
stop(void)
{
	assert_int_equal(eal_mem_event_callback_unregister("mp", &primary_seen), 0);
	assert_int_equal(eal__memalloc_free(ctl, PG), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
}

static pid_t
spawn(const char *role, int who, int *fd)
{
	char who_s[16], ctl_s[32];

	snprintf(who_s, sizeof(who_s), "%d", who);
	snprintf(ctl_s, sizeof(ctl_s), "%" PRIxPTR, (uintptr_t)ctl);
	return eal_test_spawn(role, fd, who_s, ctl_s, "--file-prefix", eal_test_prefix(),
			      "--runtime-dir", eal_test_runtime_base(), "--proc-type=secondary",
			      NULL);
}

static void
four_processes(const char *opt)
{
	char line[64];
	pid_t pid[N_SEC];
	int fd[N_SEC];
	volatile uint64_t *p;
	void *a;
	uint64_t ops = 0;

	memset(&primary_seen, 0, sizeof(primary_seen));
	start(opt);
	for (int k = 0; k < N_SEC; k++)
		pid[k] = spawn("sec", k, &fd[k]);
	for (int k = 0; k < N_SEC; k++) {
		assert_int_equal(eal_test_read_line(fd[k], line, sizeof(line), WAIT_MS), 0);
		assert_string_equal(line, "ok");
	}
	all_done(PH_ATTACHED);

	/* The primary maps 3 pages after everyone attached. */
	assert_int_equal(eal__memalloc_alloc(PG, 0, 3, 0, &a), 0);
	p = a;
	for (unsigned int i = 0; i < 3; i++)
		p[i * (PG / 8)] = 0xab00 + i;
	ctl->addr[0] = (uint64_t)(uintptr_t)a;
	ctl->len[0] = 3 * PG;
	ctl->phase = PH_CHECK_PRIMARY;
	all_done(PH_CHECK_PRIMARY);
	for (int k = 0; k < N_SEC; k++)
		assert_true(p[1 + k] == 0x5ec0u + (unsigned int)k);

	ctl->phase = PH_SEC_ALLOC;
	all_done(PH_SEC_ALLOC);
	/* Secondary 0's pages: here before its call returned. */
	p = (volatile uint64_t *)(uintptr_t)ctl->addr[1];
	assert_true(p[0] == 0xcafe && p[PG / 8] == 0xcaff);
	assert_ptr_equal(primary_seen.last_alloc, (const void *)p);
	assert_int_equal(primary_seen.last_alloc_len, 2 * PG);
	ctl->phase = PH_CHECK_SEC;
	all_done(PH_CHECK_SEC);
	for (int k = 0; k < N_SEC; k++)
		assert_true(p[8 + k] == 0x5ec1u + (unsigned int)k);

	/* Secondary 1 frees the primary's 3 pages: gone everywhere. */
	ctl->phase = PH_SEC_FREE;
	all_done(PH_SEC_FREE);
	assert_false(resident((void *)(uintptr_t)ctl->addr[0]));
	assert_int_equal(primary_seen.n_free, 1);
	assert_ptr_equal(primary_seen.last_free, (const void *)(uintptr_t)ctl->addr[0]);
	/* control page + secondary 0's two pages remain */
	assert_int_equal(eal_test_free_hugepages_2m(), free_base - 3);
	ctl->phase = PH_CHECK_FREED;
	all_done(PH_CHECK_FREED);

	/* All four grow and shrink at once. */
	ctl->phase = PH_STRESS;
	assert_int_equal(stress(42, ROUNDS, &ops), 0);
	all_done(PH_STRESS);
	for (int k = 0; k < N_SEC; k++)
		assert_int_equal(ctl->stress_ops[k], 2 * ROUNDS);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base - 3);

	ctl->phase = PH_EXIT;
	for (int k = 0; k < N_SEC; k++) {
		close(fd[k]);
		assert_int_equal(eal_test_wait(pid[k], WAIT_MS), 0);
	}
	assert_int_equal(eal__memalloc_free((void *)(uintptr_t)ctl->addr[1], 2 * PG), 0);
	stop();
}

static void
test_four_processes_page_files(void **state)
{
	(void)state;
	four_processes(NULL);
}

static void
test_four_processes_single_file(void **state)
{
	(void)state;
	four_processes("--single-file-segments");
}

/* A secondary killed while it allocates and frees in a loop: the others
 * go on, and the pages it held come back once the primary is gone. */
static void
test_killed_secondary_does_not_block(void **state)
{
	char line[64];
	int fd[2];
	pid_t pid[2];
	uint64_t ops = 0, t0;

	(void)state;
	start(NULL);
	for (int k = 0; k < 2; k++) {
		pid[k] = spawn("looper", k, &fd[k]);
		assert_int_equal(eal_test_read_line(fd[k], line, sizeof(line), WAIT_MS), 0);
		assert_string_equal(line, "ok");
	}
	usleep(50 * 1000);
	assert_int_equal(kill(pid[0], SIGKILL), 0);
	(void)eal_test_wait(pid[0], WAIT_MS);
	t0 = eal_test_now_ms();
	assert_int_equal(stress(7, ROUNDS, &ops), 0);
	/* Not a timing assertion: a blocked writer would wait HOTPLUG_TIMEOUT
	 * (5 s) per change; 40 rounds would take minutes. */
	if (eal_test_now_ms() - t0 > 20000)
		fail_msg("allocation with a killed secondary took %" PRIu64 " ms",
			 eal_test_now_ms() - t0);
	assert_int_equal(kill(pid[1], SIGKILL), 0);
	(void)eal_test_wait(pid[1], WAIT_MS);
	close(fd[0]);
	close(fd[1]);
	/* The primary's cleanup removes the files; the dead loopers' pages
	 * are free once no process maps them. */
	stop();
}

/* --socket-limit binds secondaries: they register the same validator. */
static void
test_socket_limit_in_secondary(void **state)
{
	char line[64];
	pid_t pid;
	int fd;

	(void)state;
	start("--socket-limit=8");
	pid = spawn("limited", 0, &fd);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "ok");
	close(fd);
	assert_int_equal(eal_test_wait(pid, WAIT_MS), 0);
	if (ctl->failed[0] != 0)
		fail_msg("limited secondary: check at line %u failed", ctl->failed[0]);
	assert_int_equal(ctl->done[0], PH_EXIT);
	stop();
}

/* A SIGKILLed primary's pages and files: the next primary of the prefix
 * takes them back. */
static void
test_killed_primary_reclaimed(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	char line[64];
	pid_t pid;
	int fd;

	(void)state;
	pid = eal_test_spawn("crash", &fd, "0", "0", "--file-prefix", eal_test_prefix(),
			     "--runtime-dir", eal_test_runtime_base(), "--proc-type=primary", NULL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "ok");
	close(fd);
	(void)eal_test_wait(pid, WAIT_MS);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 4);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base - 4);
	start(NULL); /* maps its control page */
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 1);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base - 1);
	stop();
}

/* Processes killed at each fault point of the allocator (issue 8 item 1,
 * for dynamic memory): the survivors keep allocating, and once the
 * primary cleans up every page is back and no file is left. */
static void
crash_at(const char *point, bool primary)
{
	const char *mount = eal_test_huge_mount_2m();
	char line[64];
	uint64_t ops = 0;
	void *a;
	pid_t pid;
	int fd, status;

	if (!primary)
		start(NULL);
	setenv("EAL_TEST_FAULT", point, 1);
	pid = eal_test_spawn(primary ? "faulty-primary" : "faulty", &fd, "0", "0",
			     "--file-prefix", eal_test_prefix(), "--runtime-dir",
			     eal_test_runtime_base(),
			     primary ? "--proc-type=primary" : "--proc-type=secondary", NULL);
	unsetenv("EAL_TEST_FAULT");
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "ok");
	close(fd);
	if (strcmp(point, "hotplug-sync") == 0) {
		/* the secondary dies applying this change: we must not hang */
		assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &a), 0);
		assert_int_equal(eal__memalloc_free(a, PG), 0);
	}
	status = eal_test_wait(pid, WAIT_MS);
	if (status != 128 + SIGKILL)
		fail_msg("%s: child exit status %d, not killed at the point", point, status);
	if (primary)
		start(NULL); /* the next primary of the prefix */
	assert_int_equal(stress(99, 10, &ops), 0);
	stop();
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
}

static void
test_crash_points(void **state)
{
	static const char *const sec_points[] = {
		"memalloc-mapped", "memalloc-recorded", "memalloc-before-publish",
		"memfree-unrecorded", "memfree-before-release", "hotplug-sync",
	};
	static const char *const primary_points[] = {
		"memalloc-mapped", "memalloc-recorded", "memfree-unrecorded",
	};

	(void)state;
	for (unsigned int i = 0; i < EAL_DIM(sec_points); i++)
		crash_at(sec_points[i], false);
	for (unsigned int i = 0; i < EAL_DIM(primary_points); i++)
		crash_at(primary_points[i], true);
}

static struct eal_mcfg_proc *
proc_slot(pid_t pid)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	for (int i = 0; i < EAL_MCFG_MAX_PROCS; i++)
		if (mcfg->procs[i].pid == pid)
			return &mcfg->procs[i];
	return NULL;
}

/* A stopped secondary (a debugger, SIGSTOP): the first change sees it
 * stopped and does not wait (one NOTICE), nor do later ones; when it runs
 * again it catches up with everything, and is waited for again. */
static void
test_hung_secondary_bounded_wait(void **state)
{
	struct eal_mcfg_proc *slot;
	char line[64];
	volatile uint64_t *b;
	void *a, *bp, *c;
	uint64_t t0;
	pid_t pid;
	int fd;

	(void)state;
	start(NULL);
	pid = spawn("idle", 0, &fd);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "ok");
	slot = proc_slot(pid);
	assert_non_null(slot);
	assert_int_equal(kill(pid, SIGSTOP), 0);

	eal_log_set_level(NULL, EAL_LOG_NOTICE);
	eal_test_log_capture("memory", EAL_LOG_NOTICE);
	t0 = eal_test_now_ms();
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &a), 0);
	/* Seen stopped: not waited for at all (one NOTICE), not 5 s. */
	assert_int_equal(eal_test_log_count(EAL_LOG_NOTICE, "is stopped"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "did not apply a memory change"), 0);
	assert_int_equal(slot->stalled, 1);
	assert_true(eal_test_now_ms() - t0 < WAIT_MS); /* bounded: it returned */
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &bp), 0);
	assert_int_equal(eal__memalloc_free(a, PG), 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_NOTICE, "is stopped"), 1);
	eal_log_set_handler(NULL, NULL);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	b = bp;
	b[0] = 0xb0b;
	ctl->addr[0] = (uint64_t)(uintptr_t)a;
	ctl->addr[1] = (uint64_t)(uintptr_t)bp;

	/* Running again, it resyncs in full and clears its mark. */
	assert_int_equal(kill(pid, SIGCONT), 0);
	t0 = eal_test_now_ms();
	while (slot->stalled && eal_test_now_ms() - t0 < WAIT_MS)
		usleep(1000);
	assert_int_equal(slot->stalled, 0);
	/* ... and is waited for again. */
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &c), 0);
	assert_true(slot->seen_gen == eal__mcfg()->hotplug_gen);
	assert_int_equal(eal__memalloc_free(c, PG), 0);
	ctl->phase = PH_EXIT;
	close(fd);
	assert_int_equal(eal_test_wait(pid, WAIT_MS), 0);
	if (ctl->failed[0] != 0)
		fail_msg("stopped secondary: check at line %u failed", ctl->failed[0]);
	assert_int_equal(ctl->done[0], PH_EXIT);
	assert_int_equal(eal__memalloc_free(bp, PG), 0);
	stop();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_processes_page_files),
		cmocka_unit_test(test_four_processes_single_file),
		cmocka_unit_test(test_killed_secondary_does_not_block),
		cmocka_unit_test(test_hung_secondary_bounded_wait),
		cmocka_unit_test(test_socket_limit_in_secondary),
		cmocka_unit_test(test_killed_primary_reclaimed),
		cmocka_unit_test(test_crash_points),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_test_require_hugepages_2m(64);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
