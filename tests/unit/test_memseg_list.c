/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memseg-list sizing (src/eal_memseg_list.c, eal__memseg_lists_plan):
 * DPDK 22.11's rules and limits, checked against the layouts the reference
 * observed and derived (dpdk-eal-memory.md §1.5, §4.2), plus its errors.
 */
#include <errno.h>

#include "eal_test.h"
#include "eal_private.h"

#define MB (1ull << 20)
#define GB (1ull << 30)

struct expect {
	uint64_t page_sz;
	int socket;
	unsigned int n_lists, n_segs;
};

static void
check_plan(const uint64_t *sizes, unsigned int n_sizes, unsigned int n_sockets,
	   const struct expect *want, unsigned int n_want)
{
	struct eal__msl_spec out[EAL_MAX_MEMSEG_LISTS];
	unsigned int n = 0, k = 0;

	assert_int_equal(eal__memseg_lists_plan(sizes, n_sizes, n_sockets, out, EAL_DIM(out), &n),
			 0);
	for (unsigned int w = 0; w < n_want; w++) {
		for (unsigned int l = 0; l < want[w].n_lists; l++, k++) {
			assert_true(k < n);
			assert_int_equal(out[k].page_sz, want[w].page_sz);
			assert_int_equal(out[k].socket, want[w].socket);
			assert_int_equal(out[k].n_segs, want[w].n_segs);
		}
	}
	assert_int_equal(n, k);
}

static void
test_2m_one_node(void **state)
{
	const uint64_t sizes[] = { 2 * MB };
	const struct expect want[] = { { 2 * MB, 0, 4, 8192 } }; /* 64 GiB (obs) */

	(void)state;
	check_plan(sizes, 1, 1, want, 1);
}

static void
test_1g_and_2m(void **state)
{
	const uint64_t sizes[] = { GB, 2 * MB };
	const struct expect want[] = { { GB, 0, 2, 32 }, { 2 * MB, 0, 4, 8192 } };

	(void)state;
	check_plan(sizes, 2, 1, want, 2);
}

static void
test_two_nodes_two_sizes(void **state)
{
	/* 4 types: 64 GiB per type still fits under 512 GiB; 12 lists. */
	const uint64_t sizes[] = { GB, 2 * MB };
	const struct expect want[] = { { GB, 0, 2, 32 }, { GB, 1, 2, 32 },
				       { 2 * MB, 0, 4, 8192 }, { 2 * MB, 1, 4, 8192 } };

	(void)state;
	check_plan(sizes, 2, 2, want, 4);
}

static void
test_sixteen_types(void **state)
{
	/* 8 nodes x 2 sizes: 512 GiB / 16 = 32 GiB per type. */
	const uint64_t sizes[] = { GB, 2 * MB };
	struct expect want[16];

	(void)state;
	for (int node = 0; node < 8; node++) {
		want[node] = (struct expect){ GB, node, 1, 32 };
		want[8 + node] = (struct expect){ 2 * MB, node, 2, 8192 };
	}
	check_plan(sizes, 2, 8, want, 16);
}

static void
test_errors(void **state)
{
	struct eal__msl_spec out[4];
	const uint64_t bad[] = { 3 * MB };
	const uint64_t good[] = { 2 * MB };
	unsigned int n = 99;

	(void)state;
	assert_int_equal(eal__memseg_lists_plan(bad, 1, 1, out, 4, &n), -EINVAL);
	assert_int_equal(eal__memseg_lists_plan(good, 0, 1, out, 4, &n), -EINVAL);
	assert_int_equal(eal__memseg_lists_plan(good, 1, 0, out, 4, &n), -EINVAL);
	assert_int_equal(eal__memseg_lists_plan(good, 1, 1, out, 3, &n), -ENOSPC);
	assert_int_equal(n, 99); /* untouched on failure */
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2m_one_node),
		cmocka_unit_test(test_1g_and_2m),
		cmocka_unit_test(test_two_nodes_two_sizes),
		cmocka_unit_test(test_sixteen_types),
		cmocka_unit_test(test_errors),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
