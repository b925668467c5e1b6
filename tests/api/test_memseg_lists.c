/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Default-mode memseg lists on real hugepages (exit 77 without them): the
 * primary reserves DPDK 22.11's layout (4 lists of 8192 x 2 MiB on one
 * node) from one range; a secondary reserves the same range and sees the
 * same lists at the same addresses. Public API only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

struct lists {
	unsigned int n;
	uint64_t base[16], len[16], page[16];
	unsigned int segs[16];
};

static int
list_cb(const struct eal_memseg_list *msl, void *arg)
{
	struct lists *l = arg;

	if (l->n < 16) {
		l->base[l->n] = (uint64_t)(uintptr_t)msl->base_va;
		l->len[l->n] = msl->len;
		l->page[l->n] = msl->page_sz;
		l->segs[l->n] = msl->memseg_arr.len;
		l->n++;
	}
	return 0;
}

/* "<n> <base0> <base1>..." of this process's lists. */
static void
describe(char *buf, size_t size)
{
	struct lists l = { 0 };
	size_t off;

	eal_memseg_list_walk(list_cb, &l);
	off = (size_t)snprintf(buf, size, "%u", l.n);
	for (unsigned int i = 0; i < l.n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, " %" PRIx64, l.base[i]);
}

static void
test_layout_and_secondary(void **state)
{
	char **argv, mine[512], theirs[512];
	struct lists l = { 0 };
	int argc, fd;
	pid_t pid;

	(void)state;
	argc = eal_test_argv(&argv, "--proc-type=primary", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(eal_memseg_list_walk(list_cb, &l), 0);
	/* Every 2 MiB type gets 4 lists of 8192 segments, placed back to back
	 * in one reservation (other page sizes, if reserved, add theirs). */
	{
		unsigned int n2m = 0;

		for (unsigned int i = 0; i < l.n; i++) {
			if (i > 0)
				assert_true(l.base[i] >= l.base[i - 1] + l.len[i - 1]);
			if (l.page[i] != 2u << 20)
				continue;
			n2m++;
			assert_int_equal(l.segs[i], 8192);
			assert_int_equal(l.len[i], 8192ull * (2u << 20));
		}
		assert_int_equal(n2m % 4, 0);
		assert_true(n2m >= 4);
	}
	describe(mine, sizeof(mine));
	pid = eal_test_spawn("child", &fd, "--file-prefix", eal_test_prefix(), "--runtime-dir",
			     eal_test_runtime_base(), "--proc-type=secondary", NULL);
	assert_int_equal(eal_test_read_line(fd, theirs, sizeof(theirs), 20000), 0);
	close(fd);
	assert_int_equal(eal_test_wait(pid, 20000), 0);
	assert_string_equal(theirs, mine);
	assert_int_equal(eal_cleanup(), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_secondary),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL) {
		char *args[16] = { (char *)"child" }, buf[512];
		int n = 1;

		for (int i = 0; i < eal_test_child_argc() && n < 15; i++)
			args[n++] = eal_test_child_argv()[i];
		if (eal_init(n, args) < 0) {
			printf("err %d\n", eal_errno);
			return 1;
		}
		describe(buf, sizeof(buf));
		printf("%s\n", buf);
		fflush(stdout);
		return eal_cleanup() == 0 ? 0 : 2;
	}
	eal_test_require_hugepages();
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
