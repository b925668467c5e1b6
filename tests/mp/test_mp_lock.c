/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared config's locks across real processes: a secondary SIGKILLed
 * while holding the memory hotplug lock (for writing or reading) or the
 * memzone lock does not hang the next locker, in the primary or in
 * another secondary. Public API only.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

#define PFX "--file-prefix"
#define RTD "--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())

/* Child: attach as a secondary, take the named lock, report, then either
 * hold it until killed ("hold") or release it and exit ("take"). */
static int
child(const char *role, int argc, char **argv)
{
	char *args[16] = { (char *)"child" };
	const char *which = argv[0];
	int n = 1;

	for (int i = 1; i < argc && n < 15; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d\n", eal_errno);
		return 1;
	}
	if (strcmp(which, "mem-write") == 0)
		eal_mcfg_mem_write_lock();
	else if (strcmp(which, "mem-read") == 0)
		eal_mcfg_mem_read_lock();
	else
		eal_mcfg_mlock_write_lock();
	printf("locked\n");
	fflush(stdout);
	if (strcmp(role, "hold") == 0)
		for (;;)
			pause();
	if (strcmp(which, "mem-write") == 0)
		eal_mcfg_mem_write_unlock();
	else if (strcmp(which, "mem-read") == 0)
		eal_mcfg_mem_read_unlock();
	else
		eal_mcfg_mlock_write_unlock();
	return eal_cleanup() == 0 ? 0 : 2;
}

static void
kill_holder(const char *which)
{
	char line[64];
	pid_t pid, next;
	uint64_t t0;
	int fd;

	pid = eal_test_spawn("hold", &fd, which, PFX, eal_test_prefix(), RTD, BASE,
			     "--proc-type=secondary", NULL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 10000), 0);
	assert_string_equal(line, "locked");
	close(fd);
	kill(pid, SIGKILL);
	assert_int_equal(eal_test_wait(pid, 5000), 128 + SIGKILL);

	/* Another secondary gets the same lock (and releases it)... */
	t0 = eal_test_now_ms();
	next = eal_test_spawn("take", &fd, which, PFX, eal_test_prefix(), RTD, BASE,
			      "--proc-type=secondary", NULL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 10000), 0);
	assert_string_equal(line, "locked");
	close(fd);
	assert_int_equal(eal_test_wait(next, 10000), 0);
	assert_true(eal_test_now_ms() - t0 < 10000);

	/* ...and so does the primary, for writing. */
	if (strcmp(which, "mlock-write") == 0) {
		eal_mcfg_mlock_write_lock();
		eal_mcfg_mlock_write_unlock();
	} else {
		eal_mcfg_mem_write_lock();
		eal_mcfg_mem_write_unlock();
	}
}

static void
test_killed_writer(void **state)
{
	(void)state;
	kill_holder("mem-write");
}

static void
test_killed_reader(void **state)
{
	(void)state;
	kill_holder("mem-read");
}

static void
test_killed_memzone_writer(void **state)
{
	(void)state;
	kill_holder("mlock-write");
}

static int
setup(void **state)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--proc-type=primary", NULL);

	(void)state;
	return eal_init(argc, argv) == argc - 1 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return eal_cleanup();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_killed_writer),
		cmocka_unit_test(test_killed_reader),
		cmocka_unit_test(test_killed_memzone_writer),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_role(), eal_test_child_argc(), eal_test_child_argv());
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
