/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dynamic memory in one process, on real 2 MiB hugepages (issue 5): the
 * page allocator (eal__memalloc_alloc / _free) grows and shrinks for each
 * backing and gives every hugepage back; -m preallocates pinned pages;
 * --socket-limit and validators refuse growth; an allocation larger than
 * the free pool is rolled back whole; event callbacks see every change;
 * --huge-unlink=never keeps files. Counts are the kernel's
 * (free_hugepages) and the files in the hugetlbfs mount.
 *
 * Needs 40 free 2 MiB hugepages and a writable mount; exits 77 otherwise.
 * Runs alone (it compares the system's free page count).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_memory.h"
#include "eal_malloc.h"
#include "eal_memzone.h"
#include "eal_memcfg.h"
#include "eal_private.h"

#define PG (2ull << 20)

static long free_at_start;

static void
init_with(const char *a, const char *b, const char *c)
{
	char **argv;
	int argc = eal_test_argv(&argv, a, b, c, NULL);

	assert_int_equal(eal_init(argc, argv), argc - 1);
}

static void
fill_check(void *addr, unsigned int n, uint64_t seed)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t *p = EAL_PTR_ADD(addr, (size_t)i * PG);

		p[0] = seed + i;
		p[PG / 8 - 1] = ~(seed + i);
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t *p = EAL_PTR_ADD(addr, (size_t)i * PG);

		assert_true(p[0] == seed + i && p[PG / 8 - 1] == ~(seed + i));
	}
}

static bool
resident(const void *addr)
{
	unsigned char v = 0;

	return mincore((void *)(uintptr_t)addr, 4096, &v) == 0 && (v & 1);
}

/* Grow and shrink a few times; every page comes back each time. */
static void
cycles(void)
{
	void *a[8];

	for (int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < 8; i++) {
			assert_int_equal(eal__memalloc_alloc(PG, 0, i + 1, 0, &a[i]), 0);
			fill_check(a[i], i + 1, (uint64_t)round << 32 | i);
			assert_true(eal_mem_virt2memseg(a[i], NULL) != NULL);
			assert_int_equal(eal_mem_virt2iova(a[i]) != EAL_BAD_IOVA, 1);
		}
		assert_int_equal(eal_memory_size(), 36 * PG);
		assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 36);
		for (unsigned int i = 0; i < 8; i++) {
			assert_int_equal(eal__memalloc_free(a[i], (i + 1) * PG), 0);
			assert_false(resident(a[i]));
			assert_null(eal_mem_virt2memseg(a[i], NULL));
		}
		assert_int_equal(eal_memory_size(), 0);
		assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	}
}

static void
cycles_with(const char *opt)
{
	const char *mount = eal_test_huge_mount_2m();

	init_with(opt, NULL, NULL);
	cycles();
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()),
			 opt != NULL && strcmp(opt, "--single-file-segments") == 0 ? 1 : 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
}

static void
test_cycles_page_files(void **state)
{
	(void)state;
	cycles_with(NULL);
}

static void
test_cycles_single_file(void **state)
{
	(void)state;
	cycles_with("--single-file-segments");
}

static void
test_cycles_in_memory(void **state)
{
	(void)state;
	cycles_with("--in-memory");
}

static void
test_cycles_in_memory_single_file(void **state)
{
	const char *mount = eal_test_huge_mount_2m();

	(void)state;
	init_with("--in-memory", "--single-file-segments", NULL);
	cycles();
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
}

static int
count_pinned(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	if (ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE)
		++*(unsigned int *)arg;
	return 0;
}

static int
first_seg(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	*(void **)arg = ms->addr;
	return 1;
}

/* -m 64: 32 pinned pages, one file each, until cleanup. */
static void
test_prealloc_pinned(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	unsigned int pinned = 0;
	void *first = NULL, *more;

	(void)state;
	init_with("-m", "64", NULL);
	assert_int_equal(eal_memory_size(), 32 * PG);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 32);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 32);
	assert_int_equal(eal_memseg_walk(count_pinned, &pinned), 0);
	assert_int_equal(pinned, 32);
	assert_int_equal(eal_memseg_walk(first_seg, &first), 1);
	fill_check(first, 32, 7);
	assert_int_equal(eal__memalloc_free(first, PG), -EBUSY);
	/* On-demand pages next to the pinned ones come and go. */
	assert_int_equal(eal__memalloc_alloc(PG, 0, 2, 0, &more), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 34);
	assert_int_equal(eal__memalloc_free(more, 2 * PG), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 32);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
}

/* Bad arguments, and frees of what is not an allocation. */
/* Threads of this process named @name (/proc/self/task/<tid>/comm). */
static int
threads_named(const char *name)
{
	char path[300], comm[32];
	struct dirent *d;
	DIR *dir = opendir("/proc/self/task");
	int n = 0;

	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (f != NULL && fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, name, strlen(name)) == 0 && comm[strlen(name)] == '\n')
			n++;
		if (f != NULL)
			fclose(f);
	}
	closedir(dir);
	return n;
}

/* The hotplug thread has a name, as DPDK's threads do (ps, top, gdb). */
static void
test_thread_named(void **state)
{
	(void)state;
	assert_int_equal(threads_named("eal-hotplug"), 0);
	init_with(NULL, NULL, NULL);
	for (int i = 0; i < 1000 && threads_named("eal-hotplug") == 0; i++)
		usleep(1000); /* it names itself when it starts */
	assert_int_equal(threads_named("eal-hotplug"), 1);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(threads_named("eal-hotplug"), 0);
}

static void
test_bad_arguments(void **state)
{
	void *a;

	(void)state;
	init_with(NULL, NULL, NULL);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 0, 0, &a), -EINVAL);
	assert_int_equal(eal__memalloc_alloc(3 << 20, 0, 1, 0, &a), -EINVAL);
	assert_int_equal(eal__memalloc_alloc(PG, EAL_MAX_NUMA_NODES, 1, 0, &a), -EINVAL);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, NULL), -EINVAL);
	assert_int_equal(eal__memalloc_alloc(1ull << 40, 0, 1, 0, &a), -ENOMEM);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 2, 0, &a), 0);
	assert_int_equal(eal__memalloc_free(NULL, PG), -EINVAL);
	assert_int_equal(eal__memalloc_free(&a, PG), -EINVAL);                 /* not ours */
	assert_int_equal(eal__memalloc_free(EAL_PTR_ADD(a, 4096), PG), -EINVAL); /* not aligned */
	assert_int_equal(eal__memalloc_free(a, PG + 4096), -EINVAL);
	assert_int_equal(eal__memalloc_free(a, 3 * PG), -EINVAL);              /* one page too many */
	assert_int_equal(eal__memalloc_free(a, 2 * PG), 0);
	assert_int_equal(eal__memalloc_free(a, 2 * PG), -EINVAL);              /* double free */
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
}

/* More pages than the pool has free: nothing half-done stays. */
static void
test_pool_exhausted_rolls_back(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	long avail;
	void *a = NULL, *keep;
	const char *opts[] = { NULL, "--single-file-segments" };

	(void)state;
	for (unsigned int k = 0; k < EAL_DIM(opts); k++) {
		init_with(opts[k], NULL, NULL);
		assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &keep), 0);
		avail = eal_test_free_hugepages_2m();
		int level = eal_log_get_level("memory");

		eal_test_log_capture("memory", EAL_LOG_DEBUG);
		eal_log_set_level("memory", EAL_LOG_DEBUG);
		assert_int_equal(eal__memalloc_alloc(PG, 0, (unsigned int)avail + 3, 0, &a), -ENOMEM);
		/* Expected: quiet (DEBUG), as DPDK. */
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0);
		assert_true(eal_test_log_count(EAL_LOG_DEBUG, "cannot allocate") >= 1);
		eal_log_set_level("memory", level);
		eal_log_set_handler(NULL, NULL);
		assert_int_equal(eal_test_free_hugepages_2m(), avail);
		assert_int_equal(eal_memory_size(), PG);
		assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 1);
		/* and the pool still serves what it has */
		assert_int_equal(eal__memalloc_alloc(PG, 0, 4, 0, &a), 0);
		assert_int_equal(eal__memalloc_free(a, 4 * PG), 0);
		assert_int_equal(eal__memalloc_free(keep, PG), 0);
		assert_int_equal(eal_cleanup(), 0);
		assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
		assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
	}
}

/* --socket-limit 16: growth to 16 MiB or more is refused (DPDK's rule). */
static void
test_socket_limit(void **state)
{
	void *a, *b;

	(void)state;
	init_with("--socket-limit", "16", NULL);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 7, 0, &a), 0);
	eal_test_log_capture("memory", EAL_LOG_ERR);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &b), -ENOMEM);
	assert_true(eal_test_log_count(EAL_LOG_ERR, "socket-limit") >= 1);
	eal_log_set_handler(NULL, NULL);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 7);
	assert_int_equal(eal__memalloc_free(a, 7 * PG), 0);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 7, 0, &a), 0);
	assert_int_equal(eal__memalloc_free(a, 7 * PG), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
}

struct event_log {
	unsigned int n;
	enum eal_mem_event ev[8];
	const void *addr[8];
	size_t len[8];
};

static void
record_event(enum eal_mem_event ev, const void *addr, size_t len, void *arg)
{
	struct event_log *log = arg;

	if (log->n < 8) {
		log->ev[log->n] = ev;
		log->addr[log->n] = addr;
		log->len[log->n] = len;
	}
	log->n++;
}

static unsigned int validator_calls;
static size_t validator_limit, validator_len;
static int validator_answer;

static int
validator(int socket, size_t cur_limit, size_t new_len)
{
	validator_calls++;
	validator_limit = cur_limit;
	validator_len = new_len;
	return socket == 0 ? validator_answer : -2;
}

static void
test_events_and_validators(void **state)
{
	struct event_log log = { 0 };
	void *a, *b;

	(void)state;
	init_with(NULL, NULL, NULL);
	assert_int_equal(eal_mem_event_callback_register("test", record_event, &log), 0);
	assert_int_equal(eal_mem_alloc_validator_register("test", validator, 0, 4 * PG), 0);

	assert_int_equal(eal__memalloc_alloc(PG, 0, 3, 0, &a), 0);
	assert_int_equal(validator_calls, 0); /* 6 MiB < the 8 MiB limit */
	assert_int_equal(log.n, 1);
	assert_int_equal(log.ev[0], EAL_MEM_EVENT_ALLOC);
	assert_ptr_equal(log.addr[0], a);
	assert_int_equal(log.len[0], 3 * PG);

	validator_answer = 0;
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &b), 0); /* reaches 8 MiB */
	assert_int_equal(validator_calls, 1);
	assert_int_equal(validator_limit, 4 * PG);
	assert_int_equal(validator_len, 4 * PG);
	validator_answer = -1;
	assert_int_equal(eal__memalloc_alloc(PG, 0, 2, 0, &b), -ENOMEM);
	assert_int_equal(validator_calls, 2);
	assert_int_equal(validator_len, 6 * PG);
	assert_int_equal(log.n, 2); /* nothing mapped, no event */

	assert_int_equal(eal__memalloc_free(a, 3 * PG), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.ev[2], EAL_MEM_EVENT_FREE);
	assert_ptr_equal(log.addr[2], a);
	assert_int_equal(log.len[2], 3 * PG);

	assert_int_equal(eal_mem_event_callback_unregister("test", &log), 0);
	assert_int_equal(eal_mem_alloc_validator_unregister("test", 0), 0);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 2, 0, &a), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(eal__memalloc_free(a, 2 * PG), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
}

/* --legacy-mem: no allocator, and the event API says so (DPDK: ENOTSUP). */
static void
test_legacy_refuses(void **state)
{
	struct event_log log = { 0 };
	void *a;

	(void)state;
	init_with("--legacy-mem", "-m", "4");
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &a), -ENOTSUP);
	assert_int_equal(eal_mem_event_callback_register("x", record_event, &log), -1);
	assert_int_equal(eal_errno, ENOTSUP);
	assert_int_equal(eal_mem_alloc_validator_register("x", validator, 0, 0), -1);
	assert_int_equal(eal_errno, ENOTSUP);
	assert_int_equal(eal_cleanup(), 0);
}

/* --huge-unlink=never: a freed page keeps its file (DPDK), which the next
 * allocation reuses and marks dirty. */
static void
test_unlink_never_keeps_files(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	struct eal_memseg *ms;
	void *a, *b;
	char path[4096];

	(void)state;
	init_with("--huge-unlink=never", NULL, NULL);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 2, 0, &a), 0);
	ms = eal_mem_virt2memseg(a, NULL);
	assert_non_null(ms);
	assert_int_equal(ms->flags & EAL_MEMSEG_FLAG_DIRTY, 0);
	assert_int_equal(eal__memalloc_free(a, 2 * PG), 0);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 2);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 1, 0, &b), 0);
	assert_ptr_equal(a, b);
	ms = eal_mem_virt2memseg(b, NULL);
	assert_int_equal(ms->flags & EAL_MEMSEG_FLAG_DIRTY, EAL_MEMSEG_FLAG_DIRTY);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 2);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%smap_0_%d", mount, eal_test_prefix(), i);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
}

/* --huge-unlink (= always): no file stays in the mount, pages still come
 * and go. */
static void
test_unlink_always_leaves_no_file(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	void *a;

	(void)state;
	init_with("--huge-unlink", NULL, NULL);
	assert_int_equal(eal__memalloc_alloc(PG, 0, 3, 0, &a), 0);
	fill_check(a, 3, 11);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 3);
	assert_int_equal(eal__memalloc_free(a, 3 * PG), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	assert_int_equal(eal_cleanup(), 0);
}

/* --socket-mem preallocates per node; a node without hugepages is EINVAL. */
static void
test_socket_mem(void **state)
{
	char **argv;
	int argc;

	(void)state;
	init_with("--socket-mem", "8", NULL);
	assert_int_equal(eal_memory_size(), 4 * PG);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start - 4);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);

	argc = eal_test_argv(&argv, "--socket-mem", "0,8", NULL);
	eal_test_log_capture("memory", EAL_LOG_ERR);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, EINVAL);
	/* It says where the pages are, and both fixes (issue 18). */
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "they are on node(s) 0: ask there"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "eal-hugepages --reserve SIZE:1"), 1);
	eal_log_set_handler(NULL, NULL);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	/* and more than the pool: ENOMEM, nothing kept */
	argc = eal_test_argv(&argv, "-m", "1000000", NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, ENOMEM);
	assert_int_equal(eal_test_free_hugepages_2m(), free_at_start);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
}

/* A heap disabled after a dead process left it corrupt (heap.md) is
 * skipped: with no other heap, allocations and memzones fail with
 * EUCLEAN rather than use it, and no page is mapped for it. */
static void
test_disabled_heap_skipped(void **state)
{
	struct eal_mem_config *mcfg;
	char **argv;
	int argc = eal_test_argv(&argv, NULL);
	long free0;
	void *p;

	(void)state;
	assert_int_equal(eal_init(argc, argv), argc - 1);
	mcfg = eal__mcfg();
	assert_non_null(mcfg);
	assert_true(mcfg->n_heaps > 0);
	free0 = eal_test_free_hugepages_2m();
	for (unsigned int i = 0; i < mcfg->n_heaps; i++)
		mcfg->malloc_heaps[i].heap.broken = 1;
	assert_null(eal_malloc(NULL, 4096, 0));
	assert_int_equal(eal_errno, EUCLEAN);
	assert_null(eal_memzone_reserve("on_disabled", 4096, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, EUCLEAN);
	assert_int_equal(eal_test_free_hugepages_2m(), free0);
	for (unsigned int i = 0; i < mcfg->n_heaps; i++)
		mcfg->malloc_heaps[i].heap.broken = 0;
	p = eal_malloc(NULL, 4096, 0);
	assert_non_null(p);
	eal_free(p);
	assert_int_equal(eal_cleanup(), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycles_page_files),
		cmocka_unit_test(test_cycles_single_file),
		cmocka_unit_test(test_cycles_in_memory),
		cmocka_unit_test(test_cycles_in_memory_single_file),
		cmocka_unit_test(test_prealloc_pinned),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_thread_named),
		cmocka_unit_test(test_pool_exhausted_rolls_back),
		cmocka_unit_test(test_socket_limit),
		cmocka_unit_test(test_events_and_validators),
		cmocka_unit_test(test_legacy_refuses),
		cmocka_unit_test(test_unlink_never_keeps_files),
		cmocka_unit_test(test_unlink_always_leaves_no_file),
		cmocka_unit_test(test_socket_mem),
		cmocka_unit_test(test_disabled_heap_skipped),
	};

	eal_test_setup(argc, argv);
	eal_test_require_hugepages_2m(40);
	/* a killed earlier run's leftovers reclaimed first */
	free_at_start = eal_test_reclaimed_free_2m();
	if (free_at_start < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
