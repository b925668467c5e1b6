/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Normal exit in any order leaves nothing behind (issue 15): a primary and
 * secondaries that each allocated memory (the secondaries' own pages too)
 * exit with eal_cleanup() in every order — primary first, primary last,
 * primary between two secondaries — in each memory mode. Once the last
 * process of the prefix is gone, no hugepage file of the prefix is left,
 * every hugepage is free again, the runtime directory is gone, and with
 * --no-huge so is the /dev/shm file. Public API only.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone (it
 * compares the system's free hugepage count).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memzone.h"

#define WAIT_MS 20000u
#define MIB (1u << 20)

/* A process of the application: init with the given options, allocate
 * 6 x 1 MiB (pages of its own), check the primary's zone, say "ok", and on
 * SIGUSR1 clean up and exit. */
/* Children print libeal's ERR lines on stdout, for the parent to read,
 * and count them: a secondary that logged one fails. */
static unsigned int n_errs;

static void
log_to_stdout(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	(void)component;
	if (level <= EAL_LOG_ERR) {
		n_errs++;
		printf("log: %s\n", line);
		fprintf(stderr, "%s: log: %s\n", eal_test_child_role(), line);
	}
}

static int
child(int argc, char **argv)
{
	char *args[24] = { (char *)"child" };
	const struct eal_memzone *mz;
	bool primary = strcmp(eal_test_child_role(), "primary") == 0;
	unsigned char *p[6];
	int n = 1;

	eal_test_catch_usr1();
	signal(SIGPIPE, SIG_IGN); /* the parent stops reading after "ok" */
	eal_log_set_handler(log_to_stdout, NULL);
	for (int i = 0; i < argc && n < 23; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d %s\n", eal_errno, eal_strerror(eal_errno));
		return 1;
	}
	mz = primary ? eal_memzone_reserve("exit_order", 1 * MIB, EAL_SOCKET_ID_ANY, 0)
		     : eal_memzone_lookup("exit_order");
	if (mz == NULL)
		return 2;
	if (primary)
		memset(mz->addr, 0x77, mz->len);
	else if (((unsigned char *)mz->addr)[mz->len - 1] != 0x77)
		return 3;
	for (int i = 0; i < 6; i++) {
		p[i] = eal_malloc(NULL, MIB, 0);
		if (p[i] == NULL)
			return 4;
		memset(p[i], 0x11, MIB);
	}
	printf("ok\n");
	fflush(stdout);
	eal_test_wait_usr1();
	for (int i = 0; i < 6; i++)
		eal_free(p[i]);
	if (eal_cleanup() != 0)
		return 5;
	return primary || n_errs == 0 ? 0 : 6;
}

static void
stop(pid_t pid)
{
	assert_int_equal(kill(pid, SIGUSR1), 0);
	assert_int_equal(eal_test_wait(pid, WAIT_MS), 0);
}

static const char *const modes[][4] = {
	{ NULL },                                      /* dynamic, a file per page */
	{ "--single-file-segments", NULL },
	{ "--legacy-mem", "-m", "64", NULL },
	{ "--no-huge", "-m", "64", NULL },
};

/* @order: which process stops when, as indexes into [primary, sec1, sec2]. */
static void
run_order(const unsigned int *order, unsigned int n)
{
	long free_base = eal_test_reclaimed_free_2m();
	char shm[256];

	assert_true(free_base > 0);
	snprintf(shm, sizeof(shm), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)getuid(),
		 eal_test_prefix());
	for (size_t m = 0; m < EAL_DIM(modes); m++) {
		pid_t pids[3];

		pids[0] = eal_test_start_app("primary", modes[m]);
		for (unsigned int i = 1; i < n; i++)
			pids[i] = eal_test_start_app("secondary", NULL);
		for (unsigned int i = 0; i < n; i++)
			stop(pids[order[i]]);
		if (eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()) != 0)
			fail_msg("mode %zu: %d hugepage files left", m,
				 eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()));
		assert_int_equal(eal_test_free_hugepages_2m(), free_base);
		if (eal_test_dir_entries(eal_test_runtime_dir()) != -1)
			fail_msg("mode %zu: the runtime directory is left, %d entries", m,
				 eal_test_dir_entries(eal_test_runtime_dir()));
		assert_int_equal(access(shm, F_OK), -1);
	}
}

static void
test_primary_first(void **state)
{
	const unsigned int order[] = { 0, 1 };

	(void)state;
	run_order(order, 2);
}

static void
test_primary_last(void **state)
{
	const unsigned int order[] = { 1, 0 };

	(void)state;
	run_order(order, 2);
}

static void
test_primary_between(void **state)
{
	const unsigned int order[] = { 1, 0, 2 };

	(void)state;
	run_order(order, 3);
}

/* A primary killed under its secondary: a new primary of the prefix is
 * refused (EBUSY) with one line that names the orphaned secondary as the
 * cause, not an fbarray; once the orphan exits, it starts. */
static void
test_orphans_named(void **state)
{
	long free_base = eal_test_reclaimed_free_2m();
	char line[512];
	pid_t prim, sec, again;
	int fd;

	(void)state;
	prim = eal_test_start_app("primary", NULL);
	sec = eal_test_start_app("secondary", NULL);
	assert_int_equal(kill(prim, SIGKILL), 0);
	assert_int_equal(eal_test_wait(prim, WAIT_MS), 128 + SIGKILL);
	again = eal_test_spawn_app("primary", NULL, &fd);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_non_null(strstr(line, "orphaned secondaries"));
	assert_non_null(strstr(line, "eal-info --list"));
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	assert_string_equal(line, "err 16 Device or resource busy");
	close(fd);
	assert_int_equal(eal_test_wait(again, WAIT_MS), 1);
	stop(sec);
	again = eal_test_start_app("primary", NULL);
	stop(again);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primary_first),
		cmocka_unit_test(test_primary_last),
		cmocka_unit_test(test_primary_between),
		cmocka_unit_test(test_orphans_named),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_test_require_hugepages_2m(64);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
