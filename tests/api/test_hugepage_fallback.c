/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory-mode decision when no hugepage is usable (issue 3 item 7),
 * with the machine's hugepages hidden behind fixture sysfs/procfs trees:
 * default init falls back to 4 KiB pages with exactly one WARNING that
 * says why and names the eal-hugepages command; --huge-required fails with
 * ENOMEM and that message instead and leaves nothing behind; --no-huge
 * chooses 4 KiB pages quietly; a secondary follows its primary's mode.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"

static int n_warn, n_err;
static char last_warn[512], last_err[512];

static void
capture(void *arg, enum eal_log_level level, const char *comp, const char *line)
{
	(void)arg;
	(void)comp;
	if (level == EAL_LOG_WARNING) {
		n_warn++;
		snprintf(last_warn, sizeof(last_warn), "%s", line);
	} else if (level <= EAL_LOG_ERR) {
		n_err++;
		snprintf(last_err, sizeof(last_err), "%s", line);
	}
}

static int
reset(void **state)
{
	(void)state;
	n_warn = n_err = 0;
	last_warn[0] = last_err[0] = '\0';
	return 0;
}

static void
use_fixture(const char *name)
{
	const char *dir = getenv("EAL_TEST_FIXTURES");
	char sys[PATH_MAX], proc[PATH_MAX];

	if (dir == NULL)
		dir = "tests/fixtures";
	snprintf(sys, sizeof(sys), "%s/%s/sys", dir, name);
	snprintf(proc, sizeof(proc), "%s/%s/proc", dir, name);
	setenv("EAL_SYSFS_ROOT", sys, 1);
	setenv("EAL_PROCFS_ROOT", proc, 1);
}

static void
test_fallback_warns_once(void **state)
{
	/* Fixtures whose hugetlbfs mounts (if any) need not exist here. */
	static const char *const fixtures[] = { "none_reserved", "container_no_sysfs",
						"reserved_unmounted" };
	/* The advice fits the situation (issue 18): reserve, ask the host,
	 * mount (never a reservation when pages are reserved already). */
	static const char *const advice[] = { "eal-hugepages --reserve 256M --mount",
					      "come from the host", "eal-hugepages --mount`" };
	char **argv;
	int argc;

	for (size_t i = 0; i < EAL_DIM(fixtures); i++) {
		reset(state);
		use_fixture(fixtures[i]);
		argc = eal_test_argv(&argv, NULL);
		assert_int_equal(eal_init(argc, argv), argc - 1);
		assert_int_equal(n_warn, 1);
		assert_int_equal(n_err, 0);
		assert_non_null(strstr(last_warn, "no usable hugepages"));
		if (strstr(last_warn, advice[i]) == NULL)
			fail_msg("%s: '%s' does not advise '%s'", fixtures[i], last_warn, advice[i]);
		assert_non_null(strstr(last_warn, "4 KiB pages"));
		assert_int_equal(eal_cleanup(), 0);
	}
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
}

static void
test_huge_required_fails(void **state)
{
	char **argv;
	int argc;

	(void)state;
	use_fixture("none_reserved");
	argc = eal_test_argv(&argv, "--huge-required", NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, ENOMEM);
	assert_int_equal(n_err, 1);
	assert_int_equal(n_warn, 0);
	assert_non_null(strstr(last_err, "no usable hugepages"));
	assert_non_null(strstr(last_err, "eal-hugepages --reserve"));
	/* All or nothing: no runtime file or directory is left. */
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
	assert_int_equal(eal_process_type(), EAL_PROC_INVALID);
}

static void
test_no_huge_is_quiet(void **state)
{
	char **argv;
	int argc;

	(void)state;
	use_fixture("none_reserved");
	argc = eal_test_argv(&argv, "--no-huge", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(n_warn, 0);
	assert_int_equal(eal_cleanup(), 0);
}

static void
test_secondary_follows_fallback(void **state)
{
	char line[256], **argv;
	int argc, st;

	(void)state;
	use_fixture("none_reserved");
	argc = eal_test_argv(&argv, "--proc-type=primary", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	/* The secondary sees real sysfs (a different view) but must not
	 * look: it follows the primary's 4 KiB mode. */
	unsetenv("EAL_SYSFS_ROOT");
	unsetenv("EAL_PROCFS_ROOT");
	eal_test_run_init(line, sizeof(line), &st, 10000, "--file-prefix", (char *)eal_test_prefix(),
			  "--runtime-dir", (char *)eal_test_runtime_base(), "--proc-type=secondary",
			  NULL);
	assert_int_equal(strncmp(line, "ok 1", 4), 0);
	assert_int_equal(st, 0);
	assert_int_equal(eal_cleanup(), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fallback_warns_once, reset),
		cmocka_unit_test_setup(test_huge_required_fails, reset),
		cmocka_unit_test_setup(test_no_huge_is_quiet, reset),
		cmocka_unit_test_setup(test_secondary_follows_fallback, reset),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return eal_test_child_main(eal_test_child_role(), eal_test_child_argc(),
					   eal_test_child_argv(), NULL, NULL, NULL);
	eal_log_set_handler(capture, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
