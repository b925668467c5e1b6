/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime files through the public API: directory 0700 and files 0600,
 * --no-shconf and --in-memory create nothing, cleanup removes what init
 * created, and planted symlinks or foreign directories are refused without
 * touching their targets.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

static char path_buf[PATH_MAX + 256];

static const char *
rpath(const char *sub)
{
	snprintf(path_buf, sizeof(path_buf), "%s/%s", eal_test_runtime_base(), sub);
	return path_buf;
}

static void
test_permissions_and_cleanup(void **state)
{
	struct stat st;
	char **argv;
	int argc;

	(void)state;
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_string_equal(eal_runtime_dir(), eal_test_runtime_dir());
	assert_int_equal(lstat(eal_test_runtime_dir(), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(path_buf, sizeof(path_buf), "%s/config", eal_test_runtime_dir());
	assert_int_equal(lstat(path_buf, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
}

static void
test_default_base_modes(void **state)
{
	/* Without --runtime-dir the base comes from the environment; point
	 * RUNTIME_DIRECTORY (systemd's) at our private directory. */
	char *argv[] = { (char *)"prog", (char *)"--file-prefix=envbase", NULL };
	struct stat st;

	(void)state;
	setenv("RUNTIME_DIRECTORY", eal_test_runtime_base(), 1);
	assert_int_equal(eal_init(2, argv), 1);
	assert_int_equal(lstat(rpath("eal/envbase/config"), &st), 0);
	assert_int_equal(lstat(rpath("eal"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(eal_cleanup(), 0);
	unsetenv("RUNTIME_DIRECTORY");
	/* The base directory we created is gone too. */
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
}

static void
test_no_files_modes(void **state)
{
	static const char *const modes[] = { "--no-shconf", "--in-memory" };
	char **argv;
	int argc;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		argc = eal_test_argv(&argv, modes[i], NULL);
		assert_int_equal(eal_init(argc, argv), argc - 1);
		assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
		assert_null(eal_runtime_dir());
		assert_int_equal(eal_errno, ENOENT);
		assert_int_equal(eal_process_type(), EAL_PROC_PRIMARY);
		assert_int_equal(eal_cleanup(), 0);
	}
}

static void
test_symlinked_prefix_dir_refused(void **state)
{
	char target[PATH_MAX + 256];
	char **argv;
	struct stat st;
	int argc;

	(void)state;
	/* <base>/<prefix> is a symlink to a directory elsewhere. */
	snprintf(target, sizeof(target), "%s/target", eal_test_runtime_base());
	assert_int_equal(mkdir(target, 0700), 0);
	assert_int_equal(symlink(target, eal_test_runtime_dir()), 0);
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, ENOTDIR);
	assert_int_equal(eal_test_dir_entries(target), 0); /* nothing created there */
	assert_int_equal(lstat(eal_test_runtime_dir(), &st), 0);
	assert_true(S_ISLNK(st.st_mode)); /* and the link itself left alone */
	unlink(eal_test_runtime_dir());
	rmdir(target);
}

static void
test_symlinked_config_refused(void **state)
{
	char victim[PATH_MAX + 256], cfg[PATH_MAX + 256];
	char **argv;
	struct stat st;
	int argc, fd;

	(void)state;
	/* A config path planted as a symlink to a file we must not truncate. */
	snprintf(victim, sizeof(victim), "%s/victim", eal_test_runtime_base());
	fd = open(victim, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "precious", 8), 8);
	close(fd);
	assert_int_equal(mkdir(eal_test_runtime_dir(), 0700), 0);
	snprintf(cfg, sizeof(cfg), "%s/config", eal_test_runtime_dir());
	assert_int_equal(symlink(victim, cfg), 0);
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, ELOOP);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 8);
	unlink(cfg);
	rmdir(eal_test_runtime_dir());
	unlink(victim);
}

static void
test_foreign_or_open_dir_refused(void **state)
{
	char **argv;
	int argc;

	(void)state;
	/* A prefix directory others can write into is not ours to use. */
	assert_int_equal(mkdir(eal_test_runtime_dir(), 0700), 0);
	assert_int_equal(chmod(eal_test_runtime_dir(), 0777), 0);
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, EACCES);
	if (geteuid() == 0) {
		/* Owned by another user (nobody). */
		assert_int_equal(chmod(eal_test_runtime_dir(), 0700), 0);
		assert_int_equal(chown(eal_test_runtime_dir(), 65534, 65534), 0);
		assert_int_equal(eal_init(argc, argv), -1);
		assert_int_equal(eal_errno, EACCES);
	}
	rmdir(eal_test_runtime_dir());
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permissions_and_cleanup),
		cmocka_unit_test(test_default_base_modes),
		cmocka_unit_test(test_no_files_modes),
		cmocka_unit_test(test_symlinked_prefix_dir_refused),
		cmocka_unit_test(test_symlinked_config_refused),
		cmocka_unit_test(test_foreign_or_open_dir_refused),
	};

	eal_test_setup(argc, argv);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
