/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_init / eal_init_params / eal_cleanup through the public API: the
 * arguments consumed, run-once (EALREADY), init/cleanup/init, --help and
 * --version, failures that leave nothing on disk and keep the real
 * eal_errno, log routing, eal_strerror.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

/* Log capture. */
static char last_err[512];
static int n_err;
static int n_debug;

static void
capture(void *arg, enum eal_log_level level, const char *comp, const char *line)
{
	(void)arg;
	(void)comp;
	if (level <= EAL_LOG_ERR) {
		n_err++;
		snprintf(last_err, sizeof(last_err), "%s", line);
	}
	if (level == EAL_LOG_DEBUG)
		n_debug++;
}

static int
reset_capture(void **state)
{
	(void)state;
	n_err = 0;
	n_debug = 0;
	last_err[0] = '\0';
	return 0;
}

static void
test_consumed_and_rest(void **state)
{
	char **argv;
	int argc;

	(void)state;
	argc = eal_test_argv(&argv, "--", "app-arg", "--app-flag", NULL);
	/* 4 option words + "--" are consumed; as with DPDK, the program name
	 * moves to just before the application's arguments. */
	assert_int_equal(eal_init(argc, argv), 5);
	assert_string_equal(argv[5], "eal_test");
	assert_string_equal(argv[6], "app-arg");
	assert_int_equal(eal_process_type(), EAL_PROC_PRIMARY);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_process_type(), EAL_PROC_INVALID);

	argc = eal_test_argv(&argv, "app-arg", NULL);
	assert_int_equal(eal_init(argc, argv), 4); /* stops at the first non-option */
	assert_string_equal(argv[5], "app-arg");
	assert_int_equal(eal_cleanup(), 0);
}

static void
test_init_twice(void **state)
{
	char **argv;
	int argc;

	(void)state;
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	eal_errno = 0;
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, EALREADY);
	assert_int_equal(eal_init_params(NULL), -1);
	assert_int_equal(eal_errno, EALREADY);
	/* Still initialised and working. */
	assert_int_equal(eal_process_type(), EAL_PROC_PRIMARY);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_cleanup(), -1);
	assert_int_equal(eal_errno, EALREADY);
}

static void
test_init_cleanup_init(void **state)
{
	char **argv;
	int argc;

	(void)state;
	for (int i = 0; i < 5; i++) {
		argc = eal_test_argv(&argv, i % 2 ? "--no-shconf" : "--proc-type=auto", NULL);
		assert_int_equal(eal_init(argc, argv), argc - 1);
		assert_int_equal(eal_process_type(), EAL_PROC_PRIMARY);
		assert_int_equal(eal_primary_proc_alive(NULL), 1);
		assert_int_equal(eal_cleanup(), 0);
	}
	/* Nothing left on disk after the last cleanup. */
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
}

static void
test_init_params(void **state)
{
	struct eal_params p;
	const char *dir;
	char want[4200];

	(void)state;
	eal_params_init(&p);
	assert_int_equal(p.size, sizeof(p));
	assert_int_equal(p.proc_type, EAL_PROC_AUTO);
	p.file_prefix = "params";
	p.runtime_dir = eal_test_runtime_base();
	assert_int_equal(eal_init_params(&p), 0);
	dir = eal_runtime_dir();
	snprintf(want, sizeof(want), "%s/params", eal_test_runtime_base());
	assert_non_null(dir);
	assert_string_equal(dir, want);
	assert_int_equal(eal_cleanup(), 0);
	assert_null(eal_runtime_dir());
	assert_int_equal(eal_errno, ENOENT);

	/* A struct from another ABI is refused. */
	p.size = sizeof(p) - 8;
	assert_int_equal(eal_init_params(&p), -1);
	assert_int_equal(eal_errno, EINVAL);
	/* Conflicts are checked the same way as on the command line. */
	eal_params_init(&p);
	p.runtime_dir = eal_test_runtime_base();
	p.legacy_mem = true;
	p.in_memory = true;
	assert_int_equal(eal_init_params(&p), -1);
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
}

static void
test_bad_options_create_nothing(void **state)
{
	static const char *const bad[][2] = {
		{ "--bogus", NULL },
		{ "-m", "12x" },
		{ "--socket-mem=1,,2", NULL },
		{ "--proc-type=tertiary", NULL },
		{ "--file-prefix=../evil", NULL },
		{ "--iova-mode=xyz", NULL },
		{ "--base-virtaddr=zz", NULL },
		{ "--legacy-mem", "--in-memory" },
	};
	char **argv;
	int argc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset_capture(state);
		argc = eal_test_argv(&argv, bad[i][0], bad[i][1], NULL);
		eal_errno = 0;
		assert_int_equal(eal_init(argc, argv), -1);
		assert_int_equal(eal_errno, EINVAL);
		/* One ERR line that names the option. */
		assert_int_equal(n_err, 1);
		assert_non_null(strstr(last_err, bad[i][0][1] == '-' ? bad[i][0] + 2 : bad[i][0]));
		assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
		assert_int_equal(eal_process_type(), EAL_PROC_INVALID);
	}
}

static void
test_failed_init_keeps_real_errno(void **state)
{
	char **argv;
	int argc;

	(void)state;
	/* No primary: the real cause (ENOENT), not a generic ENOMEM. */
	argc = eal_test_argv(&argv, "--proc-type=secondary", NULL);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, ENOENT);
	assert_int_equal(n_err, 1);
	assert_non_null(strstr(last_err, "start the primary"));
	assert_int_equal(eal_test_dir_entries(eal_test_runtime_base()), 0);
	/* And init works afterwards. */
	argc = eal_test_argv(&argv, NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(eal_cleanup(), 0);
}

static void
test_help_version(void **state)
{
	char *argv_help[] = { (char *)"prog", (char *)"--help", NULL };
	char *argv_ver[] = { (char *)"prog", (char *)"--version", NULL };

	char out[8192] = "";
	int saved, pipefd[2], rc_help, err_help, rc_ver, err_ver;
	ssize_t n;

	(void)state;
	/* Capture what --help and --version print, away from the TAP stream. */
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_int_equal(pipe(pipefd), 0);
	dup2(pipefd[1], STDOUT_FILENO);
	rc_help = eal_init(2, argv_help);
	err_help = eal_errno;
	rc_ver = eal_init(2, argv_ver);
	err_ver = eal_errno;
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(pipefd[1]);
	n = read(pipefd[0], out, sizeof(out) - 1);
	close(pipefd[0]);
	assert_true(n > 0);
	out[n] = '\0';
	assert_int_equal(rc_help, -1);
	assert_int_equal(err_help, ECANCELED);
	assert_int_equal(rc_ver, -1);
	assert_int_equal(err_ver, ECANCELED);
	assert_non_null(strstr(out, "--file-prefix"));
	assert_non_null(strstr(out, "libeal " EAL_VERSION));
	assert_int_equal(eal_process_type(), EAL_PROC_INVALID);
	assert_string_equal(eal_version(), EAL_VERSION);
}

static void
test_bad_argv(void **state)
{
	(void)state;
	assert_int_equal(eal_init(0, NULL), -1);
	assert_int_equal(eal_errno, EINVAL);
}

static void
test_log_level_option(void **state)
{
	char **argv;
	int argc;

	(void)state;
	argc = eal_test_argv(&argv, "--log-level=mcfg:debug", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(eal_log_get_level("mcfg"), EAL_LOG_DEBUG);
	assert_int_equal(eal_log_get_level("fbarray"), EAL_LOG_WARNING);
	assert_int_equal(eal_cleanup(), 0);
	assert_true(n_debug > 0);
	assert_int_equal(eal_log_set_level(NULL, EAL_LOG_WARNING), 0);
	assert_int_equal(eal_log_set_level("nope", EAL_LOG_DEBUG), -1);
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_log_set_level("mcfg", 9), -1);
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_log_get_level("nope"), -1);
}

static void
test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(eal_strerror(EBUSY), "busy"));
	assert_string_equal(eal_strerror(-EBUSY), eal_strerror(EBUSY));
	assert_non_null(eal_strerror(123456));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_consumed_and_rest, reset_capture),
		cmocka_unit_test_setup(test_init_twice, reset_capture),
		cmocka_unit_test_setup(test_init_cleanup_init, reset_capture),
		cmocka_unit_test_setup(test_init_params, reset_capture),
		cmocka_unit_test_setup(test_bad_options_create_nothing, reset_capture),
		cmocka_unit_test_setup(test_failed_init_keeps_real_errno, reset_capture),
		cmocka_unit_test_setup(test_help_version, reset_capture),
		cmocka_unit_test_setup(test_bad_argv, reset_capture),
		cmocka_unit_test_setup(test_log_level_option, reset_capture),
		cmocka_unit_test_setup(test_strerror, reset_capture),
	};

	eal_test_setup(argc, argv);
	eal_log_set_handler(capture, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
