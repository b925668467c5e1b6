/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fbarrays shared between real processes (public API only).
 *
 * The parent calls eal_init() and becomes the primary; children are this
 * binary re-executed as secondaries with the same file prefix. A struct
 * eal_fbarray reaches a child in one of two ways:
 * - as a copy of its bytes in a file: the child attaches its copy, and
 *   both see the same elements and used bits (but each its own count and
 *   lock, as with any copy);
 * - in a MAP_SHARED mapping of a file that both map: then the count and
 *   the lock are shared too, as for a struct in the shared config.
 * Children report on stdout, one line per step; the parent tells a child
 * to go on by creating a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal.h"
#include "eal_errno.h"
#include "eal_fbarray.h"
#include "eal_test.h"

#define TIMEOUT_MS 20000
#define SHARED_LEN 4096
#define CONCURRENT_SETS 2000

/* ---- paths and small helpers (both sides) ------------------------------ */

static void
base_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", eal_test_runtime_base(), name);
}

static void
array_file(char *buf, size_t size, const char *arr_name)
{
	snprintf(buf, size, "%s/fbarray_%s", eal_test_runtime_dir(), arr_name);
}

static bool
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Pass a struct's bytes through a file: write it (parent) or read it
 * back (child). */
static int
struct_file(const char *name, struct eal_fbarray *arr, bool write)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	base_path(path, sizeof(path), name);
	f = fopen(path, write ? "wb" : "rb");
	if (f == NULL)
		return -1;
	n = write ? fwrite(arr, sizeof(*arr), 1, f) : fread(arr, sizeof(*arr), 1, f);
	return fclose(f) == 0 && n == 1 ? 0 : -1;
}

/* A struct eal_fbarray in a MAP_SHARED file mapping (any address). */
static struct eal_fbarray *
map_shared_struct(const char *name, bool create)
{
	char path[PATH_MAX];
	void *p;
	int fd;

	base_path(path, sizeof(path), name);
	fd = open(path, create ? O_RDWR | O_CREAT | O_TRUNC : O_RDWR, 0600);
	if (fd < 0)
		return NULL;
	if (create && ftruncate(fd, (off_t)sizeof(struct eal_fbarray)) != 0) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, sizeof(struct eal_fbarray), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static void
touch(const char *name)
{
	char path[PATH_MAX];
	FILE *f;

	base_path(path, sizeof(path), name);
	f = fopen(path, "w");
	if (f != NULL)
		fclose(f);
}

static bool
wait_for_file(const char *name, unsigned int timeout_ms)
{
	char path[PATH_MAX];
	uint64_t deadline = eal_test_now_ms() + timeout_ms;

	base_path(path, sizeof(path), name);
	while (!exists(path)) {
		if (eal_test_now_ms() > deadline)
			return false;
		usleep(1000);
	}
	return true;
}

/* ---- child side ---------------------------------------------------------- */

static void
say(const char *fmt, ...) EAL_FORMAT(1, 2);

static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int
child_fail(const char *what)
{
	say("FAIL %s: rc errno %d (%s)", what, eal_errno, eal_strerror(eal_errno));
	return 1;
}

static int
child_eal_init(void)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--proc-type=secondary", NULL);

	return eal_init(argc, argv) < 0 ? -1 : 0;
}

/* Attach a copy of the struct, check the parent's data, write, wait,
 * detach. */
static int
child_copy(void)
{
	struct eal_fbarray arr;

	if (child_eal_init() < 0)
		return child_fail("eal_init");
	if (struct_file("copy.bin", &arr, false) < 0)
		return child_fail("read struct");
	if (eal_fbarray_attach(&arr) < 0)
		return child_fail("attach");
	/* A second attach of the same array in this process. */
	if (eal_fbarray_attach(&arr) != -1 || eal_errno != EEXIST)
		return child_fail("double attach");
	if (eal_fbarray_is_used(&arr, 7) != 1 || eal_fbarray_is_used(&arr, 8) != 0 ||
	    eal_fbarray_find_contig_used(&arr, 100) != 50 ||
	    strcmp(eal_fbarray_get(&arr, 7), "parent") != 0)
		return child_fail("parent's data");
	say("attached");

	if (eal_fbarray_set_used(&arr, 500) < 0 || eal_fbarray_set_free(&arr, 120) < 0)
		return child_fail("set");
	strcpy(eal_fbarray_get(&arr, 500), "child");
	say("written");

	if (!wait_for_file("copy.go", TIMEOUT_MS))
		return child_fail("wait for go");
	if (eal_fbarray_detach(&arr) < 0)
		return child_fail("detach");
	if (eal_fbarray_detach(&arr) != -1 || eal_errno != ENOENT)
		return child_fail("second detach");
	say("detached");
	return eal_cleanup() == 0 ? 0 : child_fail("eal_cleanup");
}

/* Attach the struct in shared memory and race the parent on set_used. */
static int
child_shared(void)
{
	struct eal_fbarray *arr;

	if (child_eal_init() < 0)
		return child_fail("eal_init");
	arr = map_shared_struct("shared.bin", false);
	if (arr == NULL)
		return child_fail("map struct");
	if (eal_fbarray_attach(arr) < 0)
		return child_fail("attach");
	say("attached");
	if (!wait_for_file("shared.go", TIMEOUT_MS))
		return child_fail("wait for go");
	/* Odd indices are ours, even ones the parent's. */
	for (unsigned int k = 0; k < CONCURRENT_SETS; k++) {
		unsigned int i = (2 * k + 1) % SHARED_LEN;

		if (eal_fbarray_set_used(arr, i) < 0)
			return child_fail("set_used");
		if (eal_fbarray_find_next_used(arr, i) != (int)i)
			return child_fail("find_next_used");
	}
	say("done");
	if (eal_fbarray_detach(arr) < 0)
		return child_fail("detach");
	return eal_cleanup() == 0 ? 0 : child_fail("eal_cleanup");
}

/* init of a name the parent holds; then an array of our own that we
 * never destroy (the process exits with it). */
static int
child_init(void)
{
	struct eal_fbarray mine;

	if (child_eal_init() < 0)
		return child_fail("eal_init");
	if (eal_fbarray_init(&mine, "dup", 64, 8) != -1)
		return child_fail("init of a name in use succeeded");
	say("init dup: %s", eal_errno == EBUSY ? "EBUSY" : eal_strerror(eal_errno));
	if (eal_fbarray_init(&mine, "orphan", 64, 8) < 0)
		return child_fail("init orphan");
	if (eal_fbarray_set_used(&mine, 5) < 0)
		return child_fail("set orphan");
	say("orphan made");
	_exit(0); /* no detach, no cleanup: as if it crashed */
}

/* Attach and wait to be killed. */
static int
child_attach_and_hang(void)
{
	struct eal_fbarray arr;

	if (child_eal_init() < 0)
		return child_fail("eal_init");
	if (struct_file("hang.bin", &arr, false) < 0 || eal_fbarray_attach(&arr) < 0)
		return child_fail("attach");
	say("attached");
	for (;;)
		pause();
}

static int
child_main(const char *role)
{
	if (strcmp(role, "copy") == 0)
		return child_copy();
	if (strcmp(role, "shared") == 0)
		return child_shared();
	if (strcmp(role, "init") == 0)
		return child_init();
	if (strcmp(role, "hang") == 0)
		return child_attach_and_hang();
	say("FAIL unknown role %s", role);
	return 2;
}

/* ---- parent side ----------------------------------------------------------- */

static void
expect_line(int fd, const char *want)
{
	char line[256];

	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), TIMEOUT_MS), 0);
	assert_string_equal(line, want);
}

static int
setup_primary(void **state)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--proc-type=primary", NULL);

	(void)state;
	if (eal_init(argc, argv) < 0) {
		print_error("eal_init: %s\n", eal_strerror(eal_errno));
		return -1;
	}
	return 0;
}

static int
teardown_primary(void **state)
{
	(void)state;
	return eal_cleanup() == 0 ? 0 : -1;
}

/* A child attaches a copy of the struct: both see the same elements and
 * bits; destroy waits for the child to detach. */
static void
test_attach_copy(void **state)
{
	struct eal_fbarray arr;
	char path[PATH_MAX];
	pid_t pid;
	int out;

	(void)state;
	array_file(path, sizeof(path), "copy");
	assert_int_equal(eal_fbarray_init(&arr, "copy", 1000, 16), 0);
	assert_true(exists(path));
	assert_int_equal(eal_fbarray_set_used(&arr, 7), 0);
	for (unsigned int i = 100; i < 150; i++)
		assert_int_equal(eal_fbarray_set_used(&arr, i), 0);
	strcpy(eal_fbarray_get(&arr, 7), "parent");
	assert_int_equal(struct_file("copy.bin", &arr, true), 0);

	pid = eal_test_spawn("copy", &out, NULL);
	assert_true(pid > 0);
	expect_line(out, "attached");
	expect_line(out, "written");

	/* The child's writes, through the shared file. Our count is our
	 * own: the child changed its copy of the struct. */
	assert_int_equal(eal_fbarray_is_used(&arr, 500), 1);
	assert_int_equal(eal_fbarray_is_used(&arr, 120), 0);
	assert_string_equal(eal_fbarray_get(&arr, 500), "child");
	assert_int_equal(eal_fbarray_find_next_used(&arr, 150), 500);
	assert_int_equal(eal_fbarray_find_contig_used(&arr, 100), 20);

	/* The child still maps it. */
	eal_errno = 0;
	assert_int_equal(eal_fbarray_destroy(&arr), -1);
	assert_int_equal(eal_errno, EBUSY);
	assert_true(exists(path));
	assert_int_equal(eal_fbarray_is_used(&arr, 7), 1); /* still ours */

	touch("copy.go");
	expect_line(out, "detached");
	assert_int_equal(eal_test_wait(pid, TIMEOUT_MS), 0);
	close(out);

	assert_int_equal(eal_fbarray_destroy(&arr), 0);
	assert_false(exists(path));
}

/* The struct itself in shared memory: the count and the lock are shared,
 * and concurrent set_used from two processes lose nothing. */
static void
test_shared_struct(void **state)
{
	struct eal_fbarray *arr;
	unsigned int expect = 0;
	pid_t pid;
	int out;

	(void)state;
	arr = map_shared_struct("shared.bin", true);
	assert_non_null(arr);
	assert_int_equal(eal_fbarray_init(arr, "shared", SHARED_LEN, 8), 0);

	pid = eal_test_spawn("shared", &out, NULL);
	assert_true(pid > 0);
	expect_line(out, "attached");
	touch("shared.go");
	for (unsigned int k = 0; k < CONCURRENT_SETS; k++) {
		unsigned int i = (2 * k) % SHARED_LEN;

		assert_int_equal(eal_fbarray_set_used(arr, i), 0);
		assert_true(eal_fbarray_find_prev_used(arr, i) == (int)i);
	}
	expect_line(out, "done");
	assert_int_equal(eal_test_wait(pid, TIMEOUT_MS), 0);
	close(out);

	/* Every index set by either side, counted once. */
	for (unsigned int i = 0; i < SHARED_LEN; i++) {
		bool set = i % 2 == 0 ? i / 2 < CONCURRENT_SETS : (i - 1) / 2 < CONCURRENT_SETS;

		expect += set;
		assert_int_equal(eal_fbarray_is_used(arr, i), set);
	}
	assert_int_equal(arr->count, expect);
	assert_int_equal(eal_fbarray_destroy(arr), 0);
	munmap(arr, sizeof(*arr));
}

/* Names are unique per runtime directory across processes; a dead
 * process's file is taken over. */
static void
test_init_two_processes(void **state)
{
	struct eal_fbarray dup, orphan;
	char path[PATH_MAX];
	pid_t pid;
	int out;

	(void)state;
	assert_int_equal(eal_fbarray_init(&dup, "dup", 64, 8), 0);
	pid = eal_test_spawn("init", &out, NULL);
	assert_true(pid > 0);
	expect_line(out, "init dup: EBUSY");
	expect_line(out, "orphan made");
	assert_int_equal(eal_test_wait(pid, TIMEOUT_MS), 0);
	close(out);

	/* The child died holding "orphan": its file stays, unlocked. */
	array_file(path, sizeof(path), "orphan");
	assert_true(exists(path));
	assert_int_equal(eal_fbarray_init(&orphan, "orphan", 64, 8), 0);
	assert_int_equal(orphan.count, 0);
	assert_int_equal(eal_fbarray_is_used(&orphan, 5), 0); /* zeroed */
	assert_int_equal(eal_fbarray_destroy(&orphan), 0);
	assert_false(exists(path));

	/* The same process may not create a name twice either. */
	eal_errno = 0;
	assert_int_equal(eal_fbarray_init(&orphan, "dup", 64, 8), -1);
	assert_int_equal(eal_errno, EBUSY);
	assert_int_equal(eal_fbarray_destroy(&dup), 0);
}

/* A process killed while attached holds nothing: destroy succeeds. */
static void
test_killed_attacher(void **state)
{
	struct eal_fbarray arr;
	char path[PATH_MAX];
	pid_t pid;
	int out;

	(void)state;
	assert_int_equal(eal_fbarray_init(&arr, "hang", 100, 8), 0);
	assert_int_equal(struct_file("hang.bin", &arr, true), 0);
	pid = eal_test_spawn("hang", &out, NULL);
	assert_true(pid > 0);
	expect_line(out, "attached");
	eal_errno = 0;
	assert_int_equal(eal_fbarray_destroy(&arr), -1);
	assert_int_equal(eal_errno, EBUSY);

	kill(pid, SIGKILL);
	assert_int_equal(eal_test_wait(pid, TIMEOUT_MS), 128 + SIGKILL);
	close(out);
	assert_int_equal(eal_fbarray_destroy(&arr), 0);
	array_file(path, sizeof(path), "hang");
	assert_false(exists(path));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_copy),
		cmocka_unit_test(test_shared_struct),
		cmocka_unit_test(test_init_two_processes),
		cmocka_unit_test(test_killed_attacher),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child_main(eal_test_child_role());
	return cmocka_run_group_tests_name("mp_fbarray", tests, setup_primary, teardown_primary);
}
