/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Randomised check of every fbarray search against a naive model.
 *
 * The model keeps one bool per element and answers each query by looking
 * at elements one at a time (through the run lengths up[i] / down[i] of
 * the state at each element, themselves computed one element at a time).
 * Thousands of arrays of varied lengths and densities are built with fixed
 * seeds; every search, free and used, is asked from many starts and run
 * lengths, and the return value and eal_errno must match the model's.
 * Anonymous arrays: no eal_init.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_errno.h"
#include "eal_fbarray.h"
#include "eal_test.h"

#define MAX_LEN 1100


/* ---- the model -------------------------------------------------------- */

struct model {
	unsigned int len;
	bool used[MAX_LEN];
	/* Per state (0 free, 1 used): run length starting at i going up,
	 * and ending at i going down. */
	unsigned int up[2][MAX_LEN + 1];
	unsigned int down[2][MAX_LEN];
};

static struct model m;

static void
model_runs(void)
{
	for (int s = 0; s < 2; s++) {
		m.up[s][m.len] = 0;
		for (unsigned int i = m.len; i-- > 0;)
			m.up[s][i] = m.used[i] == (s == 1) ? m.up[s][i + 1] + 1 : 0;
		for (unsigned int i = 0; i < m.len; i++)
			m.down[s][i] = m.used[i] == (s == 1) ? (i > 0 ? m.down[s][i - 1] : 0) + 1 : 0;
	}
}

enum op {
	OP_NEXT,
	OP_PREV,
	OP_NEXT_N,
	OP_PREV_N,
	OP_CONTIG,
	OP_REV_CONTIG,
	OP_BIGGEST,
	OP_REV_BIGGEST,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"next", "prev", "next_n", "prev_n", "contig", "rev_contig", "biggest", "rev_biggest",
};

static bool
op_takes_n(enum op op)
{
	return op == OP_NEXT_N || op == OP_PREV_N;
}

/* Expected result: >= 0, or -errno. */
static int
model_query(enum op op, bool used, unsigned int start, unsigned int n)
{
	int s = used ? 1 : 0, not_found = used ? -ENOENT : -ENOSPC;
	unsigned int best = 0, best_at = 0;

	if (start >= m.len)
		return -EINVAL;
	if (op_takes_n(op) && (n == 0 || n > m.len))
		return -EINVAL;
	switch (op) {
	case OP_NEXT:
		for (unsigned int i = start; i < m.len; i++)
			if (m.used[i] == used)
				return (int)i;
		return not_found;
	case OP_PREV:
		for (unsigned int i = start + 1; i-- > 0;)
			if (m.used[i] == used)
				return (int)i;
		return not_found;
	case OP_NEXT_N:
		for (unsigned int i = start; i < m.len; i++)
			if (m.up[s][i] >= n)
				return (int)i;
		return not_found;
	case OP_PREV_N:
		if (start + 1 < n)
			return not_found;
		for (unsigned int r = start + 1 - n + 1; r-- > 0;)
			if (m.up[s][r] >= n)
				return (int)r;
		return not_found;
	case OP_CONTIG:
		return (int)m.up[s][start];
	case OP_REV_CONTIG:
		return (int)m.down[s][start];
	case OP_BIGGEST:
		/* Runs begin at start or after an element of the other state. */
		for (unsigned int i = start; i < m.len; i++) {
			if (m.used[i] != used || (i > start && m.used[i - 1] == used))
				continue;
			if (m.up[s][i] > best) {
				best = m.up[s][i];
				best_at = i;
			}
		}
		return best == 0 ? not_found : (int)best_at;
	case OP_REV_BIGGEST:
		for (unsigned int i = start + 1; i-- > 0;) {
			if (m.used[i] != used || (i < start && m.used[i + 1] == used))
				continue;
			if (m.down[s][i] > best) {
				best = m.down[s][i];
				best_at = i + 1 - best;
			}
		}
		return best == 0 ? not_found : (int)best_at;
	case OP_COUNT:
		break;
	}
	return -EINVAL;
}

/* ---- the library ------------------------------------------------------- */

typedef int (*find1_fn)(struct eal_fbarray *, unsigned int);
typedef int (*findn_fn)(struct eal_fbarray *, unsigned int, unsigned int);

static int
lib_query(struct eal_fbarray *arr, enum op op, bool used, unsigned int start, unsigned int n)
{
	static const find1_fn f1[OP_COUNT][2] = {
		[OP_NEXT] = { eal_fbarray_find_next_free, eal_fbarray_find_next_used },
		[OP_PREV] = { eal_fbarray_find_prev_free, eal_fbarray_find_prev_used },
		[OP_CONTIG] = { eal_fbarray_find_contig_free, eal_fbarray_find_contig_used },
		[OP_REV_CONTIG] = { eal_fbarray_find_rev_contig_free,
				    eal_fbarray_find_rev_contig_used },
		[OP_BIGGEST] = { eal_fbarray_find_biggest_free, eal_fbarray_find_biggest_used },
		[OP_REV_BIGGEST] = { eal_fbarray_find_rev_biggest_free,
				     eal_fbarray_find_rev_biggest_used },
	};
	static const findn_fn fn[OP_COUNT][2] = {
		[OP_NEXT_N] = { eal_fbarray_find_next_n_free, eal_fbarray_find_next_n_used },
		[OP_PREV_N] = { eal_fbarray_find_prev_n_free, eal_fbarray_find_prev_n_used },
	};
	int rc;

	eal_errno = 0;
	if (op_takes_n(op))
		rc = fn[op][used](arr, start, n);
	else
		rc = f1[op][used](arr, start);
	if (rc == -1)
		return eal_errno > 0 ? -eal_errno : -1000; /* -1 without errno */
	return rc;
}

static uint64_t cur_seed;
static unsigned long queries;

static void
check_query(struct eal_fbarray *arr, enum op op, bool used, unsigned int start, unsigned int n)
{
	int want = model_query(op, used, start, n);
	int got = lib_query(arr, op, used, start, n);

	queries++;
	if (got != want) {
		print_error("seed %" PRIu64 " len %u count %u: find_%s_%s(start %u, n %u) = %d, model %d (negative: -eal_errno)\n",
			    cur_seed, m.len, arr->count, op_names[op], used ? "used" : "free", start,
			    n, got, want);
		fail();
	}
}

/* A handful of run lengths worth asking about: tiny, word-sized, random,
 * the whole array, and out of range. */
static unsigned int
pick_n(unsigned int k)
{
	static const unsigned int fixed[] = { 1, 2, 3, 63, 64, 65, 127, 128, 129 };

	if (k < EAL_DIM(fixed))
		return fixed[k];
	switch (k - EAL_DIM(fixed)) {
	case 0:
		return 0;
	case 1:
		return m.len;
	case 2:
		return m.len + 1;
	case 3:
		return m.len > 1 ? m.len - 1 : 1;
	default:
		return 1 + (unsigned int)eal_test_rng_below(m.len);
	}
}

#define N_PICKS 15

static void
check_start(struct eal_fbarray *arr, unsigned int start)
{
	for (int op = 0; op < OP_COUNT; op++) {
		for (int used = 0; used < 2; used++) {
			if (!op_takes_n((enum op)op)) {
				check_query(arr, (enum op)op, used, start, 0);
				continue;
			}
			for (unsigned int k = 0; k < N_PICKS; k++)
				check_query(arr, (enum op)op, used, start, pick_n(k));
		}
	}
}

/* Every start on short arrays; elsewhere word edges and random ones. */
static void
check_all(struct eal_fbarray *arr)
{
	unsigned int used = 0;

	for (unsigned int i = 0; i < m.len; i++)
		used += m.used[i];
	assert_int_equal(arr->count, used);
	model_runs();
	if (m.len <= 160) {
		for (unsigned int s = 0; s < m.len; s++)
			check_start(arr, s);
	} else {
		static const unsigned int edges[] = { 0, 1, 62, 63, 64, 65, 127, 128 };

		for (unsigned int k = 0; k < EAL_DIM(edges); k++)
			check_start(arr, edges[k]);
		check_start(arr, m.len - 1);
		check_start(arr, m.len - 2);
		for (unsigned int k = 0; k < 24; k++)
			check_start(arr, (unsigned int)eal_test_rng_below(m.len));
	}
	check_start(arr, m.len); /* EINVAL everywhere */
}

/* ---- array shapes ------------------------------------------------------ */

enum shape {
	SHAPE_EMPTY,
	SHAPE_FULL,
	SHAPE_RANDOM,	/* each element used with a random probability */
	SHAPE_RUNS,	/* alternating runs of random lengths */
	SHAPE_LONG_RUNS, /* alternating runs of up to 300 elements */
	SHAPE_NEARLY_FULL,
	SHAPE_NEARLY_EMPTY,
	SHAPE_COUNT
};

static void
fill(enum shape shape)
{
	unsigned int p = (unsigned int)eal_test_rng_below(101), i = 0;
	bool state = (unsigned int)eal_test_rng_below(2) == 1;

	switch (shape) {
	case SHAPE_EMPTY:
	case SHAPE_FULL:
		memset(m.used, shape == SHAPE_FULL, m.len);
		break;
	case SHAPE_RANDOM:
		for (i = 0; i < m.len; i++)
			m.used[i] = (unsigned int)eal_test_rng_below(100) < p;
		break;
	case SHAPE_RUNS:
	case SHAPE_LONG_RUNS:
		while (i < m.len) {
			unsigned int run = 1 + (unsigned int)eal_test_rng_below(shape == SHAPE_RUNS ? 80 : 300);

			for (; run > 0 && i < m.len; run--)
				m.used[i++] = state;
			state = !state;
		}
		break;
	case SHAPE_NEARLY_FULL:
	case SHAPE_NEARLY_EMPTY:
		memset(m.used, shape == SHAPE_NEARLY_FULL, m.len);
		for (unsigned int k = 1 + (unsigned int)eal_test_rng_below(4); k > 0; k--)
			m.used[(unsigned int)eal_test_rng_below(m.len)] = shape != SHAPE_NEARLY_FULL;
		break;
	case SHAPE_COUNT:
		break;
	}
}

static unsigned int
pick_len(void)
{
	switch ((unsigned int)eal_test_rng_below(6)) {
	case 0:
		return 64 * (1 + (unsigned int)eal_test_rng_below(16)); /* whole words */
	case 1:
		return 64 * (1 + (unsigned int)eal_test_rng_below(16)) + (unsigned int)eal_test_rng_below(3) - 1; /* word +- 1 */
	case 2:
		return 1 + (unsigned int)eal_test_rng_below(130);
	default:
		return 1 + (unsigned int)eal_test_rng_below(1000);
	}
}

/* Apply the model to the array through set_used/set_free, starting from
 * whatever the array holds (every transition gets exercised). */
static void
apply(struct eal_fbarray *arr)
{
	for (unsigned int i = 0; i < m.len; i++) {
		int rc = m.used[i] ? eal_fbarray_set_used(arr, i) : eal_fbarray_set_free(arr, i);

		assert_int_equal(rc, 0);
		assert_int_equal(eal_fbarray_is_used(arr, i), m.used[i]);
	}
}

static void
run_seed(uint64_t seed, unsigned int arrays)
{
	struct eal_fbarray arr;

	for (unsigned int a = 0; a < arrays; a++) {
		cur_seed = seed * 1000003u + a;
		eal_test_rng_seed(cur_seed);
		m.len = pick_len();
		assert_int_equal(eal_fbarray_init(&arr, "model", m.len, 1 + (unsigned int)eal_test_rng_below(16)), 0);
		fill((enum shape)(a % SHAPE_COUNT));
		apply(&arr);
		check_all(&arr);
		/* The same array again after a second random shape. */
		fill((enum shape)(unsigned int)eal_test_rng_below(SHAPE_COUNT));
		apply(&arr);
		check_all(&arr);
		assert_int_equal(eal_fbarray_destroy(&arr), 0);
	}
}

static void
test_model_seed1(void **state)
{
	(void)state;
	run_seed(1, 1200);
}

static void
test_model_seed2(void **state)
{
	(void)state;
	run_seed(2, 1200);
}

static void
test_model_seed3(void **state)
{
	(void)state;
	run_seed(3, 1200);
}

/* Single-bit changes one at a time, with a full check after each batch:
 * the mask changes the way a real user changes it. */
static void
test_model_mutations(void **state)
{
	struct eal_fbarray arr;

	(void)state;
	for (unsigned int a = 0; a < 40; a++) {
		cur_seed = 77000 + a;
		eal_test_rng_seed(cur_seed);
		m.len = pick_len();
		memset(m.used, 0, sizeof(m.used));
		assert_int_equal(eal_fbarray_init(&arr, "mutate", m.len, 8), 0);
		for (unsigned int batch = 0; batch < 30; batch++) {
			for (unsigned int k = 1 + (unsigned int)eal_test_rng_below(m.len); k > 0; k--) {
				unsigned int i = (unsigned int)eal_test_rng_below(m.len);

				m.used[i] = (unsigned int)eal_test_rng_below(3) != 0 ? !m.used[i] : m.used[i];
				assert_int_equal(m.used[i] ? eal_fbarray_set_used(&arr, i)
							   : eal_fbarray_set_free(&arr, i),
						 0);
			}
			check_all(&arr);
		}
		assert_int_equal(eal_fbarray_destroy(&arr), 0);
	}
}

/* Lengths 1 .. 200 each once, every shape: the tail mask of each length. */
static void
test_model_every_short_len(void **state)
{
	struct eal_fbarray arr;

	(void)state;
	for (unsigned int len = 1; len <= 200; len++) {
		for (int shape = 0; shape < SHAPE_COUNT; shape++) {
			cur_seed = 900000 + len * SHAPE_COUNT + (unsigned int)shape;
			eal_test_rng_seed(cur_seed);
			m.len = len;
			assert_int_equal(eal_fbarray_init(&arr, "short", len, 4), 0);
			fill((enum shape)shape);
			apply(&arr);
			check_all(&arr);
			assert_int_equal(eal_fbarray_destroy(&arr), 0);
		}
	}
}

static int
report(void **state)
{
	(void)state;
	printf("# %lu queries compared with the model\n", queries);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_every_short_len),
		cmocka_unit_test(test_model_seed1),
		cmocka_unit_test(test_model_seed2),
		cmocka_unit_test(test_model_seed3),
		cmocka_unit_test(test_model_mutations),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests_name("fbarray_model", tests, NULL, report);
}
