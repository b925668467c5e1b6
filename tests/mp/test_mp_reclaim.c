/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * No page stays in no heap (issue 15): a secondary is SIGKILLed at each
 * point of a heap's growth and shrink where the pages it maps or unmaps
 * belong to no heap for a moment (EAL_TEST_FAULT):
 *   memalloc-heap-in-flight  pages mapped for the heap, not in it yet;
 *   heap-grown-in-flight     in the heap, its in-flight record not cleared;
 *   memfree-unrecorded       a shrink: pages out of the heap and unmarked,
 *                            other processes not told yet;
 *   memfree-before-release   ... told, hugepages not given back yet.
 * Then a new secondary attaches while the primary lives on. It must find
 * every page in use in a heap (memory in no heap = 0: the bytes of the
 * memseg walk equal the heaps' total), the heaps validating, and no more
 * hugepage files than pages in use; it still allocates and frees. In the
 * default mode (a file per page) and with --single-file-segments. At the
 * end every hugepage is free again and no file of the prefix is left.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memory.h"

#define WAIT_MS 20000u
#define MIB (1ull << 20)
#define BIG (6 * MIB)

static int
add_seg(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	*(uint64_t *)arg += ms->len;
	return 0;
}

static int
count_pages(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	(void)ms;
	(*(int *)arg)++;
	return 0;
}

/* Roles. primary: init, idle until SIGUSR1. grow/shrink: the victims
 * (EAL_TEST_FAULT kills them): map pages for a block, and free it.
 * check: the figures, then allocate and free. */
static int
child(int argc, char **argv)
{
	const char *role = eal_test_child_role();
	char *args[24] = { (char *)"child" };
	uint64_t mapped = 0, heap = 0;
	int n = 1, pages = 0;
	void *p;

	eal_test_catch_usr1();
	for (int i = 0; i < argc && n < 23; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d %s\n", eal_errno, eal_strerror(eal_errno));
		return 1;
	}
	if (strcmp(role, "primary") == 0) {
		printf("ok\n");
		fflush(stdout);
		eal_test_wait_usr1();
		return eal_cleanup() == 0 ? 0 : 5;
	}
	if (strcmp(role, "grow") == 0 || strcmp(role, "shrink") == 0) {
		p = eal_malloc(NULL, BIG, 0);
		if (p == NULL)
			return 2;
		eal_free(p); /* the shrink; the grow victim died before */
		return 3;    /* the fault point was never reached */
	}
	/* check */
	if (eal_memseg_walk(add_seg, &mapped) < 0 || eal_memseg_walk(count_pages, &pages) < 0)
		return 2;
	for (int s = 0; s < EAL_MAX_NUMA_NODES; s++) {
		struct eal_malloc_socket_stats st;

		if (eal_malloc_get_socket_stats(s, &st) == 0)
			heap += st.heap_totalsz_bytes;
	}
	printf("mapped %" PRIu64 " heap %" PRIu64 " pages %d validate %d\n", mapped, heap, pages,
	       eal_malloc_validate());
	fflush(stdout);
	eal_test_wait_usr1(); /* the parent counts the files meanwhile */
	p = eal_malloc(NULL, BIG, 0);
	if (p == NULL)
		return 4;
	memset(p, 1, BIG);
	eal_free(p);
	return eal_cleanup() == 0 ? 0 : 5;
}

/* The children of the case running, killed if it fails half-way. */
static pid_t prim, checker;

static int
kill_children(void **state)
{
	(void)state;
	if (checker > 0)
		(void)kill(checker, SIGKILL), (void)eal_test_wait(checker, WAIT_MS);
	if (prim > 0)
		(void)kill(prim, SIGKILL), (void)eal_test_wait(prim, WAIT_MS);
	prim = checker = 0;
	return 0;
}

static void
run(const char *mode, const char *point, const char *act)
{
	long free_base = eal_test_reclaimed_free_2m();
	unsigned long long mapped, heap;
	int pages, valid, fd, files;
	char line[160];
	pid_t victim;

	assert_true(free_base > 0);
	prim = eal_test_start_app("primary", (const char *const[]){ mode, NULL });

	/* For a shrink, the growth before it must get through. */
	setenv("EAL_TEST_FAULT", point, 1);
	victim = eal_test_spawn_app(act, NULL, NULL);
	unsetenv("EAL_TEST_FAULT");
	if (eal_test_wait(victim, WAIT_MS) != 128 + SIGKILL)
		fail_msg("%s: the victim was not killed at its point", point);

	checker = eal_test_spawn_app("check", NULL, &fd);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	close(fd);
	if (sscanf(line, "mapped %llu heap %llu pages %d validate %d", &mapped, &heap, &pages,
		   &valid) != 4)
		fail_msg("%s: checker said '%s'", point, line);
	files = eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix());
	print_message("# %-24s %-24s in no heap %lld KiB, %d page(s) in use, %d file(s), %ld hugepages held\n",
		      mode != NULL ? mode : "(a file per page)", point,
		      ((long long)mapped - (long long)heap) / 1024, pages, files,
		      free_base - eal_test_free_hugepages_2m());
	/* Every hugepage not in use is back with the kernel. */
	if (eal_test_free_hugepages_2m() != free_base - pages)
		fail_msg("%s: %ld hugepages held for %d pages in use", point,
			 free_base - eal_test_free_hugepages_2m(), pages);
	assert_int_equal(kill(checker, SIGUSR1), 0);
	assert_int_equal(eal_test_wait(checker, WAIT_MS), 0);
	checker = 0;
	assert_int_equal(valid, 0);
	if (mapped != heap)
		fail_msg("%s: %llu bytes mapped, %llu in heaps", point, mapped, heap);
	if (mode == NULL && files > pages)
		fail_msg("%s: %d hugepage files for %d pages in use", point, files, pages);

	assert_int_equal(kill(prim, SIGUSR1), 0);
	assert_int_equal(eal_test_wait(prim, WAIT_MS), 0);
	prim = 0;
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

static const char *const modes[] = { NULL, "--single-file-segments" };

#define CASE(fn, point, act) \
	static void fn(void **state) \
	{ \
		(void)state; \
		for (size_t m = 0; m < EAL_DIM(modes); m++) \
			run(modes[m], point, act); \
	}

CASE(test_grow_mapped, "memalloc-heap-in-flight", "grow")
CASE(test_grow_linked, "heap-grown-in-flight", "grow")
CASE(test_shrink_unrecorded, "memfree-unrecorded", "shrink")
CASE(test_shrink_unreleased, "memfree-before-release", "shrink")

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_grow_mapped, kill_children),
		cmocka_unit_test_teardown(test_grow_linked, kill_children),
		cmocka_unit_test_teardown(test_shrink_unrecorded, kill_children),
		cmocka_unit_test_teardown(test_shrink_unreleased, kill_children),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_test_require_hugepages_2m(64);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
