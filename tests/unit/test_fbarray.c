/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of src/eal_fbarray.c.
 *
 * The first tests run without eal_init(), so arrays are anonymous
 * memory: every function with its boundary cases and error values, the
 * checks of DPDK's fbarray_autotest (test_invalid, test_basic, test_find
 * with each setup, cross_msk, cross_rev_msk, broken_run, rev_broken_run,
 * unaligned), the observed 22.11 vectors, dump_metadata, count repair
 * after a dead writer, and threads.
 *
 * The file tests then call eal_init() for a runtime directory and
 * check the file-backed life cycle inside one process: the file, its
 * mode and size, EBUSY/EEXIST/ENOENT/EINVAL/EADDRINUSE, stale files, and
 * that no fd, mapping or file is left after a failure. Sharing between
 * processes is in tests/mp/test_mp_fbarray.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal.h"
#include "eal_fbarray.h"
#include "eal_private.h"
#include "eal_test.h"

#define expect_fail(call, err) \
	do { \
		eal_errno = 0; \
		assert_int_equal((call), -1); \
		assert_int_equal(eal_errno, (err)); \
	} while (0)

#define expect_null(call, err) \
	do { \
		eal_errno = 0; \
		assert_null(call); \
		assert_int_equal(eal_errno, (err)); \
	} while (0)

/* ---- helpers ----------------------------------------------------------- */

static int
count_fds(void)
{
	return eal_test_dir_entries("/proc/self/fd");
}

static int
count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Whether the page at p is mapped with access in this process. After
 * eal_init() an unmapped array's range goes back to a PROT_NONE
 * reservation of the address region: that counts as not mapped. */
static bool
is_mapped(const void *p)
{
	unsigned long long lo, hi, a = (unsigned long long)(uintptr_t)p;
	FILE *f = fopen("/proc/self/maps", "r");
	char perms[8], line[512];
	bool mapped = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) == 3 && lo <= a && a < hi)
			mapped = strcmp(perms, "---p") != 0;
	fclose(f);
	return mapped;
}

static void
set_range(struct eal_fbarray *a, unsigned int first, unsigned int last, bool used)
{
	for (unsigned int i = first; i <= last; i++)
		assert_int_equal(used ? eal_fbarray_set_used(a, i) : eal_fbarray_set_free(a, i), 0);
}

/* ---- DPDK's catalogue (reference §2.1), written anew ------------------ */

/* [first, last] is a maximal run of elements in state `used`. */
static void
ensure_correct(struct eal_fbarray *a, unsigned int first, unsigned int last, bool used)
{
	int (*contig)(struct eal_fbarray *, unsigned int) =
		used ? eal_fbarray_find_contig_used : eal_fbarray_find_contig_free;
	int (*rev_contig)(struct eal_fbarray *, unsigned int) =
		used ? eal_fbarray_find_rev_contig_used : eal_fbarray_find_rev_contig_free;
	int (*next)(struct eal_fbarray *, unsigned int) =
		used ? eal_fbarray_find_next_used : eal_fbarray_find_next_free;
	int (*prev)(struct eal_fbarray *, unsigned int) =
		used ? eal_fbarray_find_prev_used : eal_fbarray_find_prev_free;
	int (*next_n)(struct eal_fbarray *, unsigned int, unsigned int) =
		used ? eal_fbarray_find_next_n_used : eal_fbarray_find_next_n_free;
	int (*prev_n)(struct eal_fbarray *, unsigned int, unsigned int) =
		used ? eal_fbarray_find_prev_n_used : eal_fbarray_find_prev_n_free;

	for (unsigned int cur = first; cur <= last; cur++) {
		int cur_len = (int)(last - cur + 1), i = (int)(cur - first);

		assert_int_equal(contig(a, cur), cur_len);
		assert_int_equal(rev_contig(a, last), (int)(last - first + 1));
		assert_int_equal(rev_contig(a, cur), i + 1);
		assert_int_equal(next(a, cur), (int)cur);
		assert_int_equal(next_n(a, cur, 1), (int)cur);
		assert_int_equal(next_n(a, cur, (unsigned int)cur_len), (int)cur);
		assert_int_equal(prev(a, cur), (int)cur);
		assert_int_equal(prev_n(a, last, (unsigned int)cur_len), (int)cur);
	}
}

/* Elements [start, end] are used, the rest of the len-element array free. */
static void
check_biggest(struct eal_fbarray *a, unsigned int start, unsigned int end)
{
	unsigned int len = a->len, low = start, high = len - 1 - end;

	assert_int_equal(eal_fbarray_find_biggest_used(a, 0), (int)start);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(a, len - 1), (int)start);
	assert_int_equal(eal_fbarray_find_contig_used(a, start), (int)(end - start + 1));

	if (low == 0 && high == 0) {
		expect_fail(eal_fbarray_find_biggest_free(a, 0), ENOSPC);
		expect_fail(eal_fbarray_find_rev_biggest_free(a, len - 1), ENOSPC);
	} else {
		/* Forward, the low chunk wins a tie; backward, the high one. */
		int fwd = low >= high ? 0 : (int)end + 1;
		int rev = high >= low ? (int)end + 1 : 0;
		unsigned int big = low > high ? low : high;

		assert_int_equal(eal_fbarray_find_biggest_free(a, 0), fwd);
		assert_int_equal(eal_fbarray_find_contig_free(a, (unsigned int)fwd), (int)big);
		assert_int_equal(eal_fbarray_find_rev_biggest_free(a, len - 1), rev);
		assert_int_equal(eal_fbarray_find_rev_contig_free(a, (unsigned int)rev + big - 1),
				 (int)big);
	}
	if (start == 0)
		expect_fail(eal_fbarray_find_rev_biggest_free(a, end), ENOSPC);
	else
		assert_int_equal(eal_fbarray_find_rev_biggest_free(a, end), 0);
	if (end == len - 1)
		expect_fail(eal_fbarray_find_biggest_free(a, start), ENOSPC);
	else
		assert_int_equal(eal_fbarray_find_biggest_free(a, start), (int)end + 1);
}

static void
check_find(struct eal_fbarray *a, unsigned int start, unsigned int end)
{
	assert_int_equal(a->count, end - start + 1);
	if (start > 0)
		ensure_correct(a, 0, start - 1, false);
	ensure_correct(a, start, end, true);
	if (end < a->len - 1)
		ensure_correct(a, end + 1, a->len - 1, false);
	check_biggest(a, start, end);
}

/* ---- fixtures ---------------------------------------------------------- */

static struct eal_fbarray arr;	/* 256 elements of int, as DPDK's suite */
static bool eal_up;		/* the file tests called eal_init() */
static struct eal_fbarray unal; /* 60 elements of int */

static int
setup_arrays(void **state)
{
	(void)state;
	if (eal_fbarray_init(&arr, "fbarray_autotest", 256, sizeof(int)) != 0 ||
	    eal_fbarray_init(&unal, "fbarray_unaligned_autotest", 60, sizeof(int)) != 0)
		return -1;
	return 0;
}

static int
teardown_arrays(void **state)
{
	int rc = 0;

	(void)state;
	if (eal_fbarray_destroy(&arr) != 0 || eal_fbarray_destroy(&unal) != 0)
		rc = -1;
	if (eal_up && eal_cleanup() != 0)
		rc = -1;
	return rc;
}

/* Each test starts with every element free. */
static int
reset(void **state)
{
	(void)state;
	set_range(&arr, 0, arr.len - 1, false);
	set_range(&unal, 0, unal.len - 1, false);
	return arr.count == 0 && unal.count == 0 ? 0 : -1;
}

/* ---- argument checks --------------------------------------------------- */

static void
test_invalid(void **state)
{
	struct eal_fbarray d;
	char name[80];
	int x;

	(void)state;
	expect_fail(eal_fbarray_attach(NULL), EINVAL);
	expect_fail(eal_fbarray_detach(NULL), EINVAL);
	expect_fail(eal_fbarray_destroy(NULL), EINVAL);
	expect_null(eal_fbarray_get(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_idx(NULL, &x), EINVAL);
	expect_fail(eal_fbarray_set_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_set_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_is_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_contig_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_contig_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_rev_contig_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_rev_contig_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_next_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_next_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_prev_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_prev_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_next_n_free(NULL, 0, 0), EINVAL);
	expect_fail(eal_fbarray_find_next_n_used(NULL, 0, 0), EINVAL);
	expect_fail(eal_fbarray_find_prev_n_free(NULL, 0, 0), EINVAL);
	expect_fail(eal_fbarray_find_prev_n_used(NULL, 0, 0), EINVAL);
	expect_fail(eal_fbarray_find_next_n_free(NULL, 0, 1), EINVAL);
	expect_fail(eal_fbarray_find_biggest_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_biggest_used(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_rev_biggest_free(NULL, 0), EINVAL);
	expect_fail(eal_fbarray_find_rev_biggest_used(NULL, 0), EINVAL);

	expect_fail(eal_fbarray_init(NULL, "fail", 16, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, NULL, 16, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, "fail", 0, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, "fail", 16, 0), EINVAL);
	expect_fail(eal_fbarray_init(&d, "fail", INT_MAX + 1U, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, "fail", UINT_MAX, 16), EINVAL);
	/* Names: empty, with '/', 64 characters; 63 are fine. */
	expect_fail(eal_fbarray_init(&d, "", 16, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, "a/b", 16, 16), EINVAL);
	expect_fail(eal_fbarray_init(&d, "/", 16, 16), EINVAL);
	memset(name, 'n', sizeof(name));
	name[64] = '\0';
	expect_fail(eal_fbarray_init(&d, name, 16, 16), ENAMETOOLONG);
	name[79] = '\0';
	expect_fail(eal_fbarray_init(&d, name, 16, 16), ENAMETOOLONG);
	name[63] = '\0';
	assert_int_equal(eal_fbarray_init(&d, name, 16, 16), 0);
	assert_string_equal(d.name, name);
	assert_int_equal(eal_fbarray_destroy(&d), 0);

	/* Checks on a valid array. */
	assert_int_equal(eal_fbarray_init(&d, "success", 256, 8), 0);
	expect_null(eal_fbarray_get(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_idx(&d, NULL), EINVAL);
	expect_fail(eal_fbarray_set_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_set_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_is_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_contig_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_contig_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_rev_contig_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_rev_contig_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_next_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_next_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_prev_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_prev_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_biggest_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_biggest_used(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_rev_biggest_free(&d, 256), EINVAL);
	expect_fail(eal_fbarray_find_rev_biggest_used(&d, 256), EINVAL);
	{
		static const unsigned int bad[][2] = { { 256, 1 }, { 0, 257 }, { 0, 0 },
						       { 255, 0 }, { 255, 257 } };

		for (size_t i = 0; i < EAL_DIM(bad); i++) {
			expect_fail(eal_fbarray_find_next_n_free(&d, bad[i][0], bad[i][1]), EINVAL);
			expect_fail(eal_fbarray_find_next_n_used(&d, bad[i][0], bad[i][1]), EINVAL);
			expect_fail(eal_fbarray_find_prev_n_free(&d, bad[i][0], bad[i][1]), EINVAL);
			expect_fail(eal_fbarray_find_prev_n_used(&d, bad[i][0], bad[i][1]), EINVAL);
		}
	}
	/* A failed call leaves eal_errno alone on the next success. */
	eal_errno = 1234;
	assert_int_equal(eal_fbarray_find_next_free(&d, 0), 0);
	assert_int_equal(eal_errno, 1234);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

/* A size beyond the address space fails cleanly (the overflow check itself
 * only triggers with a 32-bit size_t). */
static void
test_init_too_big(void **state)
{
	struct eal_fbarray d;
	int fds = count_fds(), maps = count_maps();

	/* valgrind's own mmap refuses such a size with EINVAL before the
	 * kernel sees it (the valgrind run of tools/test.sh) */
	const char *preload = getenv("LD_PRELOAD");
	int want = preload != NULL && strstr(preload, "vgpreload") != NULL ? EINVAL : ENOMEM;

	(void)state;
	memset(&d, 0x5a, sizeof(d));
	for (int i = 0; i < 50; i++)
		expect_fail(eal_fbarray_init(&d, "huge", INT_MAX, UINT_MAX), want);
	/* Untouched on failure. */
	assert_int_equal(d.len, 0x5a5a5a5au);
	assert_int_equal(count_fds(), fds);
	assert_true(count_maps() <= maps + 2);
}

/* ---- DPDK test_basic ---------------------------------------------------- */

static void
check_free_all(struct eal_fbarray *a)
{
	unsigned int last = a->len - 1;

	assert_int_equal(eal_fbarray_find_next_free(a, 0), 0);
	assert_int_equal(eal_fbarray_find_next_n_free(a, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_contig_free(a, 0), (int)a->len);
	assert_int_equal(eal_fbarray_find_prev_free(a, 0), 0);
	assert_int_equal(eal_fbarray_find_prev_n_free(a, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_rev_contig_free(a, 0), 1);
	assert_int_equal(eal_fbarray_find_prev_free(a, last), (int)last);
	assert_int_equal(eal_fbarray_find_prev_n_free(a, last, 1), (int)last);
	assert_int_equal(eal_fbarray_find_rev_contig_free(a, last), (int)a->len);
	expect_fail(eal_fbarray_find_next_used(a, 0), ENOENT);
	expect_fail(eal_fbarray_find_next_n_used(a, 0, 1), ENOENT);
	assert_int_equal(eal_fbarray_find_contig_used(a, 0), 0);
	expect_fail(eal_fbarray_find_prev_used(a, last), ENOENT);
	expect_fail(eal_fbarray_find_prev_n_used(a, last, 1), ENOENT);
	assert_int_equal(eal_fbarray_find_rev_contig_used(a, last), 0);
}

static void
test_basic(void **state)
{
	(void)state;
	assert_int_equal(arr.count, 0);
	check_free_all(&arr);

	assert_int_equal(eal_fbarray_is_used(&arr, 0), 0);
	assert_int_equal(eal_fbarray_set_used(&arr, 0), 0);
	assert_int_not_equal(eal_fbarray_is_used(&arr, 0), 0);

	assert_int_equal(eal_fbarray_find_next_used(&arr, 0), 0);
	assert_int_equal(eal_fbarray_find_next_n_used(&arr, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_contig_used(&arr, 0), 1);
	assert_int_equal(eal_fbarray_find_prev_used(&arr, 255), 0);
	assert_int_equal(eal_fbarray_find_prev_n_used(&arr, 255, 1), 0);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&arr, 0), 1);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&arr, 255), 0);
	expect_fail(eal_fbarray_find_next_used(&arr, 1), ENOENT);
	expect_fail(eal_fbarray_find_next_n_used(&arr, 1, 1), ENOENT);
	assert_int_equal(eal_fbarray_find_contig_used(&arr, 1), 0);
	assert_int_equal(eal_fbarray_find_contig_free(&arr, 1), 255);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&arr, 255), 255);
	assert_int_equal(arr.count, 1);

	for (unsigned int i = 0; i < arr.len; i++) {
		void *p = eal_fbarray_get(&arr, i);

		assert_non_null(p);
		assert_ptr_equal(p, (char *)arr.data + i * sizeof(int));
		assert_int_equal(eal_fbarray_find_idx(&arr, p), (int)i);
	}

	assert_int_equal(eal_fbarray_set_free(&arr, 0), 0);
	assert_int_equal(arr.count, 0);
	assert_int_equal(eal_fbarray_is_used(&arr, 0), 0);
	check_free_all(&arr);
}

/* ---- DPDK test_find and its setups ------------------------------------- */

static void
run_find(unsigned int start, unsigned int end)
{
	set_range(&arr, start, end, true);
	check_find(&arr, start, end);
}

static void
test_find_first_msk(void **state)
{
	(void)state;
	run_find(3, 10);
}

static void
test_find_cross_msk(void **state)
{
	(void)state;
	run_find(70, 160);
}

static void
test_find_multi_msk(void **state)
{
	(void)state;
	run_find(3, 236);
}

static void
test_find_last_msk(void **state)
{
	(void)state;
	run_find(236, 255);
}

static void
test_find_full_msk(void **state)
{
	(void)state;
	run_find(0, 63);
}

static void
test_find_full_msk_contig_fwd(void **state)
{
	(void)state;
	run_find(64, 128);
}

static void
test_find_full_msk_contig_rev(void **state)
{
	(void)state;
	run_find(63, 127);
}

static void
test_find_full_index(void **state)
{
	(void)state;
	run_find(0, 255);
}

static void
test_empty(void **state)
{
	(void)state;
	assert_int_equal(arr.count, 0);
	ensure_correct(&arr, 0, 255, false);
	expect_fail(eal_fbarray_find_biggest_used(&arr, 0), ENOENT);
	expect_fail(eal_fbarray_find_rev_biggest_used(&arr, 255), ENOENT);
	assert_int_equal(eal_fbarray_find_biggest_free(&arr, 0), 0);
	assert_int_equal(eal_fbarray_find_contig_free(&arr, 0), 256);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&arr, 255), 0);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&arr, 255), 256);
}

/* The lookahead/lookbehind regressions DPDK fixed in 24.07. */
static void
test_lookahead(void **state)
{
	(void)state;
	run_find(64, 64);
	assert_int_equal(eal_fbarray_find_next_n_free(&arr, 1, 64), 65);
}

static void
test_lookbehind(void **state)
{
	(void)state;
	run_find(63, 63);
	assert_int_equal(eal_fbarray_find_prev_n_free(&arr, 64, 2), 61);
}

static void
test_broken_run(void **state)
{
	(void)state;
	assert_int_equal(eal_fbarray_set_used(&arr, 61), 0);
	assert_int_equal(eal_fbarray_set_used(&arr, 70), 0);
	assert_int_equal(eal_fbarray_find_next_n_free(&arr, 0, 62), 71);
}

static void
test_rev_broken_run(void **state)
{
	(void)state;
	assert_int_equal(eal_fbarray_set_used(&arr, 130), 0);
	assert_int_equal(eal_fbarray_set_used(&arr, 70), 0);
	assert_int_equal(eal_fbarray_find_prev_n_free(&arr, 190, 62), 8);
	/* The other direction over the same runs. */
	assert_int_equal(eal_fbarray_find_next_n_free(&arr, 0, 62), 0);
	assert_int_equal(eal_fbarray_find_next_n_free(&arr, 9, 62), 131);
	expect_fail(eal_fbarray_find_next_n_free(&arr, 9, 126), ENOSPC);
	assert_int_equal(eal_fbarray_find_next_n_free(&arr, 9, 125), 131);
}

static void
test_find_unaligned(void **state)
{
	(void)state;
	/* One free element at the end of a 60-element array. */
	set_range(&unal, 0, 58, true);
	assert_int_equal(unal.count, 59);
	ensure_correct(&unal, 0, 58, true);
	ensure_correct(&unal, 59, 59, false);
	check_biggest(&unal, 0, 58);
	/* Then all used. */
	assert_int_equal(eal_fbarray_set_used(&unal, 59), 0);
	ensure_correct(&unal, 0, 59, true);
	check_biggest(&unal, 0, 59);
	expect_fail(eal_fbarray_find_next_free(&unal, 0), ENOSPC);
	expect_fail(eal_fbarray_find_prev_free(&unal, 59), ENOSPC);
	expect_fail(eal_fbarray_find_next_n_free(&unal, 0, 1), ENOSPC);
	/* Free at both ends, used in between. */
	set_range(&unal, 0, 59, false);
	set_range(&unal, 5, 50, true);
	check_find(&unal, 5, 50);
}

/* ---- observed DPDK 22.11 vectors (reference §1.3, obs) ----------------- */

static void
test_observed(void **state)
{
	struct eal_fbarray d;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "obs", 100, 8), 0);
	set_range(&d, 40, 49, true);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 95), ENOSPC);
	expect_fail(eal_fbarray_find_next_n_free(&d, 90, 20), ENOSPC);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 101), EINVAL);
	/* Double set_used succeeds and does not count twice. */
	assert_int_equal(eal_fbarray_set_used(&d, 40), 0);
	assert_int_equal(d.count, 10);
	assert_int_equal(eal_fbarray_set_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_set_free(&d, 0), 0);
	assert_int_equal(d.count, 10);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
	/* A second destroy (the struct is zeroed now). */
	expect_fail(eal_fbarray_destroy(&d), ENOENT);
	expect_fail(eal_fbarray_detach(&d), ENOENT);
	assert_int_equal(d.len, 0);
	assert_null(d.data);
}

/* ---- boundary cases ----------------------------------------------------- */

static void
test_len_one(void **state)
{
	struct eal_fbarray d;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "one", 1, 1), 0);
	assert_int_equal(eal_fbarray_find_next_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_prev_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 0, 1), 0);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 2), EINVAL);
	assert_int_equal(eal_fbarray_find_contig_free(&d, 0), 1);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&d, 0), 1);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 0), 0);
	expect_fail(eal_fbarray_find_next_used(&d, 0), ENOENT);
	expect_fail(eal_fbarray_find_prev_used(&d, 0), ENOENT);
	expect_fail(eal_fbarray_find_next_n_used(&d, 0, 1), ENOENT);
	expect_fail(eal_fbarray_find_prev_n_used(&d, 0, 1), ENOENT);
	expect_fail(eal_fbarray_find_biggest_used(&d, 0), ENOENT);
	expect_fail(eal_fbarray_find_rev_biggest_used(&d, 0), ENOENT);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 0), 0);
	expect_fail(eal_fbarray_find_next_free(&d, 1), EINVAL);

	assert_int_equal(eal_fbarray_set_used(&d, 0), 0);
	assert_int_equal(d.count, 1);
	assert_int_equal(eal_fbarray_find_next_used(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_prev_used(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_next_n_used(&d, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_prev_n_used(&d, 0, 1), 0);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 0), 1);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&d, 0), 1);
	assert_int_equal(eal_fbarray_find_biggest_used(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(&d, 0), 0);
	expect_fail(eal_fbarray_find_next_free(&d, 0), ENOSPC);
	expect_fail(eal_fbarray_find_prev_free(&d, 0), ENOSPC);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 1), ENOSPC);
	expect_fail(eal_fbarray_find_prev_n_free(&d, 0, 1), ENOSPC);
	expect_fail(eal_fbarray_find_biggest_free(&d, 0), ENOSPC);
	expect_fail(eal_fbarray_find_rev_biggest_free(&d, 0), ENOSPC);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

/* 100 elements: the last mask word is partial. */
static void
test_len_100(void **state)
{
	struct eal_fbarray d;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "hundred", 100, 8), 0);
	/* start == len - 1 on an empty array (count == 0 fast path). */
	assert_int_equal(eal_fbarray_find_next_free(&d, 99), 99);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 99, 1), 99);
	expect_fail(eal_fbarray_find_next_n_free(&d, 99, 2), ENOSPC);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 99, 100), 0);
	expect_fail(eal_fbarray_find_prev_n_free(&d, 98, 100), ENOSPC);
	assert_int_equal(eal_fbarray_find_contig_free(&d, 99), 1);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&d, 99), 100);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 99), 99);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 99), 0);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 50), 0);

	/* A run crossing the word boundary at 64. */
	set_range(&d, 60, 70, true);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 60), 11);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 63), 8);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&d, 70), 11);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&d, 64), 5);
	assert_int_equal(eal_fbarray_find_next_n_used(&d, 0, 11), 60);
	expect_fail(eal_fbarray_find_next_n_used(&d, 0, 12), ENOENT);
	expect_fail(eal_fbarray_find_next_n_used(&d, 61, 11), ENOENT);
	assert_int_equal(eal_fbarray_find_prev_n_used(&d, 99, 11), 60);
	assert_int_equal(eal_fbarray_find_prev_n_used(&d, 99, 5), 66);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 99, 29), 71);
	expect_fail(eal_fbarray_find_prev_n_free(&d, 99, 61), ENOSPC);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 99, 60), 0);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 1, 29), 1);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 1, 59), 1);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 31, 29), 31);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 32, 29), 71);
	expect_fail(eal_fbarray_find_next_n_free(&d, 1, 60), ENOSPC);
	assert_int_equal(eal_fbarray_find_next_free(&d, 60), 71);
	assert_int_equal(eal_fbarray_find_prev_free(&d, 70), 59);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 65), 71);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 99), 0);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 80), 0);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 20), 0);
	assert_int_equal(eal_fbarray_find_biggest_used(&d, 65), 65);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(&d, 65), 60);

	/* Full array (count == len fast path); bits past 100 stay clear. */
	set_range(&d, 0, 99, true);
	assert_int_equal(d.count, 100);
	expect_fail(eal_fbarray_find_next_free(&d, 0), ENOSPC);
	expect_fail(eal_fbarray_find_prev_free(&d, 99), ENOSPC);
	expect_fail(eal_fbarray_find_biggest_free(&d, 0), ENOSPC);
	assert_int_equal(eal_fbarray_find_contig_free(&d, 10), 0);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 37), 63);
	assert_int_equal(eal_fbarray_find_rev_contig_used(&d, 99), 100);
	assert_int_equal(eal_fbarray_find_next_n_used(&d, 0, 100), 0);
	assert_int_equal(eal_fbarray_find_prev_n_used(&d, 99, 100), 0);
	assert_int_equal(eal_fbarray_find_prev_n_used(&d, 80, 30), 51);
	assert_int_equal(eal_fbarray_find_biggest_used(&d, 50), 50);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(&d, 50), 0);

	/* One free element at the very end: only the scan can find it. */
	assert_int_equal(eal_fbarray_set_free(&d, 99), 0);
	assert_int_equal(eal_fbarray_find_next_free(&d, 0), 99);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 0, 1), 99);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 2), ENOSPC);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 0), 99);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 99), 99);
	expect_fail(eal_fbarray_find_rev_biggest_free(&d, 98), ENOSPC);
	assert_int_equal(eal_fbarray_find_contig_used(&d, 0), 99);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

/* Long runs over many words, and n == len. */
static void
test_long_runs(void **state)
{
	struct eal_fbarray d;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "long", 1000, 4), 0);
	set_range(&d, 0, 999, true);
	set_range(&d, 100, 899, false); /* 800 free across 13 words */
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 0, 800), 100);
	expect_fail(eal_fbarray_find_next_n_free(&d, 0, 801), ENOSPC);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 500, 400), 500);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 999, 800), 100);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 500, 401), 100);
	expect_fail(eal_fbarray_find_prev_n_free(&d, 500, 402), ENOSPC);
	assert_int_equal(eal_fbarray_find_contig_free(&d, 100), 800);
	assert_int_equal(eal_fbarray_find_rev_contig_free(&d, 899), 800);
	assert_int_equal(eal_fbarray_find_next_used(&d, 100), 900);
	assert_int_equal(eal_fbarray_find_prev_used(&d, 899), 99);
	assert_int_equal(eal_fbarray_find_biggest_free(&d, 0), 100);
	assert_int_equal(eal_fbarray_find_rev_biggest_free(&d, 999), 100);
	assert_int_equal(eal_fbarray_find_biggest_used(&d, 0), 0);
	assert_int_equal(eal_fbarray_find_biggest_used(&d, 50), 900);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(&d, 999), 900);
	assert_int_equal(eal_fbarray_find_rev_biggest_used(&d, 950), 0);
	expect_fail(eal_fbarray_find_next_n_used(&d, 0, 1000), ENOENT);
	set_range(&d, 0, 999, false);
	assert_int_equal(eal_fbarray_find_next_n_free(&d, 0, 1000), 0);
	assert_int_equal(eal_fbarray_find_prev_n_free(&d, 999, 1000), 0);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

/* ---- element access ----------------------------------------------------- */

static void
test_get_find_idx(void **state)
{
	struct eal_fbarray d;
	char *base;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "elts", 100, 24), 0);
	base = d.data;
	assert_non_null(base);
	assert_int_equal((uintptr_t)base % (uintptr_t)sysconf(_SC_PAGESIZE), 0);
	for (unsigned int i = 0; i < 100; i++) {
		char *p = eal_fbarray_get(&d, i);

		assert_ptr_equal(p, base + 24 * i);
		memset(p, (int)i, 24); /* writable, zero before */
		assert_int_equal(eal_fbarray_find_idx(&d, p), (int)i);
		assert_int_equal(eal_fbarray_find_idx(&d, p + 23), (int)i);
	}
	assert_int_equal(((char *)eal_fbarray_get(&d, 7))[5], 7);
	expect_fail(eal_fbarray_find_idx(&d, base - 1), EINVAL);
	expect_fail(eal_fbarray_find_idx(&d, base + 2400), EINVAL);
	expect_null(eal_fbarray_get(&d, 100), EINVAL);
	/* Setting elements used does not touch their contents. */
	assert_int_equal(eal_fbarray_set_used(&d, 7), 0);
	assert_int_equal(((char *)eal_fbarray_get(&d, 7))[5], 7);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

static void
test_set_is_used(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 256; i += 3)
		assert_int_equal(eal_fbarray_set_used(&arr, i), 0);
	assert_int_equal(arr.count, 86);
	for (unsigned int i = 0; i < 256; i++)
		assert_int_equal(eal_fbarray_is_used(&arr, i), i % 3 == 0);
	for (unsigned int i = 0; i < 256; i += 3)
		assert_int_equal(eal_fbarray_set_used(&arr, i), 0);
	assert_int_equal(arr.count, 86);
	for (unsigned int i = 0; i < 256; i += 6)
		assert_int_equal(eal_fbarray_set_free(&arr, i), 0);
	assert_int_equal(arr.count, 43);
}

/* ---- dump --------------------------------------------------------------- */

static char *
dump_to_string(struct eal_fbarray *a)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	eal_fbarray_dump_metadata(a, f);
	fclose(f);
	return buf;
}

static void
test_dump(void **state)
{
	struct eal_fbarray d, copy;
	char *s;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "dump", 130, 8), 0);
	assert_int_equal(eal_fbarray_set_used(&d, 0), 0);
	assert_int_equal(eal_fbarray_set_used(&d, 65), 0);
	assert_int_equal(eal_fbarray_set_used(&d, 129), 0);
	s = dump_to_string(&d);
	assert_string_equal(s, "File-backed array: dump\n"
			       "size: 130 occupied: 3 elt_sz: 8\n"
			       "msk idx 0: 0x0000000000000001\n"
			       "msk idx 1: 0x0000000000000002\n"
			       "msk idx 2: 0x0000000000000002\n");
	free(s);

	/* NULL arguments: EINVAL, nothing printed. */
	eal_errno = 0;
	eal_fbarray_dump_metadata(NULL, stdout);
	assert_int_equal(eal_errno, EINVAL);
	eal_errno = 0;
	eal_fbarray_dump_metadata(&d, NULL);
	assert_int_equal(eal_errno, EINVAL);

	/* A struct that does not describe a mapping of this process. */
	copy = d;
	copy.len = 0;
	s = dump_to_string(&copy);
	assert_string_equal(s, "Invalid file-backed array\n");
	free(s);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
	s = dump_to_string(&d);
	assert_string_equal(s, "Invalid file-backed array\n");
	free(s);
}

/* ---- life cycle without a runtime directory ---------------------------- */

static void
test_anon_lifecycle(void **state)
{
	struct eal_fbarray d, copy;
	int fds = count_fds();
	void *data;

	(void)state;
	assert_null(eal__runtime_dir_path());
	assert_int_equal(eal_fbarray_init(&d, "anon", 5000, 8), 0);
	assert_int_equal(count_fds(), fds); /* no file */
	data = d.data;
	assert_true(is_mapped(data));

	/* Attaching what is mapped here already. */
	copy = d;
	expect_fail(eal_fbarray_attach(&copy), EEXIST);
	/* The same name twice is fine without files. */
	assert_int_equal(eal_fbarray_init(&copy, "anon", 10, 8), 0);
	assert_int_equal(eal_fbarray_destroy(&copy), 0);

	/* A struct that does not match the mapping. */
	copy = d;
	copy.len = 100000;
	expect_fail(eal_fbarray_detach(&copy), EINVAL);
	expect_fail(eal_fbarray_destroy(&copy), EINVAL);
	copy.len = 0;
	expect_fail(eal_fbarray_detach(&copy), EINVAL);
	copy = d;
	copy.data = (char *)d.data + 4096;
	expect_fail(eal_fbarray_detach(&copy), ENOENT);

	assert_int_equal(eal_fbarray_detach(&d), 0);
	assert_false(is_mapped(data));
	assert_ptr_equal(d.data, data); /* detach leaves the struct */
	expect_fail(eal_fbarray_detach(&d), ENOENT);
	expect_fail(eal_fbarray_destroy(&d), ENOENT);
	/* Nothing to attach to without files. */
	expect_fail(eal_fbarray_attach(&d), ENOTSUP);
	assert_int_equal(count_fds(), fds);
}

/* attach does not trust the struct. */
static void
test_attach_invalid_struct(void **state)
{
	struct eal_fbarray d, bad;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "victim", 64, 8), 0);
	assert_int_equal(eal_fbarray_detach(&d), 0);

	bad = d;
	bad.len = 0;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.elt_sz = 0;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.len = INT_MAX + 1U;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.data = NULL;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.data = (char *)d.data + 8;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.count = 65;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.name[0] = '\0';
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	strcpy(bad.name, "a/b");
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	memset(bad.name, 'x', sizeof(bad.name)); /* not terminated */
	expect_fail(eal_fbarray_attach(&bad), ENAMETOOLONG);
	expect_fail(eal_fbarray_detach(&bad), ENOENT);
}

/* eal_cleanup's hook: everything mapped here goes away. */
static void
test_forget_all(void **state)
{
	struct eal_fbarray a, b;

	(void)state;
	assert_int_equal(eal_fbarray_init(&a, "forget_a", 100, 8), 0);
	assert_int_equal(eal_fbarray_init(&b, "forget_b", 100000, 8), 0);
	eal__fbarray_forget_all();
	assert_false(is_mapped(a.data));
	assert_false(is_mapped(b.data));
	expect_fail(eal_fbarray_detach(&a), ENOENT);
	expect_fail(eal_fbarray_destroy(&b), ENOENT);
	eal__fbarray_forget_all(); /* again: nothing left */
	/* The suite's own arrays were forgotten too: make them again. */
	assert_int_equal(setup_arrays(NULL), 0);
}

/* ---- robustness ------------------------------------------------------- */

/* A writer that died holding the lock may have changed the mask without
 * the count: the next writer takes the lock over and recounts. */
static void
test_dead_writer_repair(void **state)
{
	pid_t child;
	int status;

	(void)state;
	child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);

	set_range(&arr, 10, 14, true);
	arr.rwlock.writer = ((uint64_t)(uint32_t)child << 32) | 1;
	arr.count = 99; /* what the dead writer left */
	assert_int_equal(eal_fbarray_set_used(&arr, 15), 0);
	assert_int_equal(arr.count, 6);
	assert_int_equal(arr.rwlock.writer, 0);
	assert_int_equal(eal_fbarray_find_contig_used(&arr, 10), 6);
}

#define N_THREADS 4

static void *
thread_body(void *p)
{
	unsigned int id = (unsigned int)(uintptr_t)p;

	/* Each thread owns the elements i % N_THREADS == id. */
	for (int round = 0; round < 200; round++) {
		for (unsigned int i = id; i < 256; i += N_THREADS)
			if (eal_fbarray_set_used(&arr, i) != 0)
				return (void *)1;
		for (unsigned int i = id; i < 256; i += N_THREADS) {
			if (eal_fbarray_is_used(&arr, i) != 1)
				return (void *)1;
			(void)eal_fbarray_find_next_free(&arr, i);
			(void)eal_fbarray_find_biggest_used(&arr, 0);
		}
		for (unsigned int i = id; i < 256; i += N_THREADS)
			if (eal_fbarray_set_free(&arr, i) != 0)
				return (void *)1;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t t[N_THREADS];

	(void)state;
	for (uintptr_t i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_body, (void *)i), 0);
	for (int i = 0; i < N_THREADS; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	assert_int_equal(arr.count, 0);
	check_free_all(&arr);
}

/* ---- file-backed group ---------------------------------------------------- */

static void
file_path(char *buf, size_t size, const char *name)
{
	const char *dir = eal__runtime_dir_path();

	assert_non_null(dir);
	snprintf(buf, size, "%s/fbarray_%s", dir, name);
}

/* The file tests run after the anonymous ones, in the same group (one
 * TAP plan): each calls this first; the first call initialises libeal,
 * the group teardown cleans up. */

static int
setup_eal(void **state)
{
	char **argv;
	int argc;

	(void)state;
	if (eal_up)
		return 0;
	argc = eal_test_argv(&argv, NULL);
	if (eal_init(argc, argv) < 0) {
		print_error("eal_init: %s\n", eal_strerror(eal_errno));
		return -1;
	}
	eal_up = true;
	return eal__runtime_dir_path() != NULL ? 0 : -1;
}

static void
test_file_lifecycle(void **state)
{
	struct eal_fbarray d, copy;
	char path[PATH_MAX];
	struct stat st;
	int fds = count_fds();

	(void)state;
	file_path(path, sizeof(path), "life");
	assert_int_equal(eal_fbarray_init(&d, "life", 1000, 16), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* data 16000, header 16, mask 16 words, rounded to pages. */
	assert_int_equal((size_t)st.st_size % (size_t)sysconf(_SC_PAGESIZE), 0);
	assert_true((size_t)st.st_size >= 16000 + 16 + 128);
	assert_true((size_t)st.st_size < 16000 + 16 + 128 + (size_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(count_fds(), fds + 1); /* the fd holding LOCK_SH */

	/* The same name again: the file is in use. */
	expect_fail(eal_fbarray_init(&copy, "life", 1000, 16), EBUSY);
	assert_int_equal(stat(path, &st), 0);
	copy = d;
	expect_fail(eal_fbarray_attach(&copy), EEXIST);

	/* Data survives detach + attach through the file. */
	set_range(&d, 100, 199, true);
	memcpy(eal_fbarray_get(&d, 150), "persistent", 11);
	copy = d;
	assert_int_equal(eal_fbarray_detach(&d), 0);
	assert_false(is_mapped(copy.data));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(stat(path, &st), 0); /* detach keeps the file */
	assert_int_equal(eal_fbarray_attach(&copy), 0);
	assert_string_equal(eal_fbarray_get(&copy, 150), "persistent");
	assert_int_equal(eal_fbarray_find_contig_used(&copy, 100), 100);
	assert_int_equal(copy.count, 100);

	assert_int_equal(eal_fbarray_destroy(&copy), 0);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(count_fds(), fds);
	expect_fail(eal_fbarray_destroy(&copy), ENOENT);
	/* Attaching a destroyed array: no file. */
	expect_fail(eal_fbarray_attach(&d), ENOENT);
	assert_int_equal(count_fds(), fds);
}

/* A file left by a dead process is taken over and starts zeroed. */
static void
test_file_stale(void **state)
{
	struct eal_fbarray d;
	char path[PATH_MAX], junk[8192];
	int fd;

	(void)state;
	file_path(path, sizeof(path), "stale");
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	memset(junk, 0xff, sizeof(junk));
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	close(fd);
	assert_int_equal(eal_fbarray_init(&d, "stale", 64, 8), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(eal_fbarray_is_used(&d, 0), 0);
	assert_int_equal(((char *)eal_fbarray_get(&d, 3))[2], 0);
	expect_fail(eal_fbarray_find_next_used(&d, 0), ENOENT);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

/* attach checks the file against the struct. */
static void
test_file_attach_mismatch(void **state)
{
	struct eal_fbarray d, bad;
	char path[PATH_MAX];
	int fd, fds;

	(void)state;
	file_path(path, sizeof(path), "mismatch");
	assert_int_equal(eal_fbarray_init(&d, "mismatch", 100, 8), 0);
	assert_int_equal(eal_fbarray_detach(&d), 0);
	fds = count_fds();

	/* Same page-rounded size, other len: caught by the header. */
	bad = d;
	bad.len = 101;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	bad = d;
	bad.elt_sz = 9;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	/* Another size: caught by the file size. */
	bad = d;
	bad.len = 100000;
	expect_fail(eal_fbarray_attach(&bad), EINVAL);
	/* A file that grew behind our back. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	expect_fail(eal_fbarray_attach(&d), EINVAL);
	/* Nothing was left mapped or open by the failures. */
	assert_false(is_mapped(d.data));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(unlink(path), 0);
	expect_fail(eal_fbarray_attach(&d), ENOENT);
	assert_int_equal(count_fds(), fds);
}

/* Something else at the array's address: another array of the region
 * (overlapping, at another start), or a mapping of the application's
 * outside the region. Either is EADDRINUSE, with nothing left behind. */
static void
test_file_attach_addr_busy(void **state)
{
	struct eal_fbarray d, other, bad;
	void *p;
	int fds;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "busy", 100, 8), 0);
	assert_int_equal(eal_fbarray_detach(&d), 0);
	assert_int_equal(eal_fbarray_init(&other, "other", 1000, 16), 0);
	fds = count_fds();
	bad = d;
	bad.data = (char *)other.data + 4096;
	expect_fail(eal_fbarray_attach(&bad), EADDRINUSE);
	assert_int_equal(count_fds(), fds);
	assert_true(is_mapped(other.data) && is_mapped(bad.data)); /* untouched */

	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	bad.data = p;
	expect_fail(eal_fbarray_attach(&bad), EADDRINUSE);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(munmap(p, 4096), 0);
	assert_int_equal(eal_fbarray_attach(&d), 0);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
	assert_int_equal(eal_fbarray_destroy(&other), 0);
}

/* A failure after the file was created removes it and closes the fd. */
static void
test_file_init_failure_cleanup(void **state)
{
	struct eal_fbarray d;
	char path[PATH_MAX];
	struct stat st;
	int fds = count_fds(), maps = count_maps();

	(void)state;
	file_path(path, sizeof(path), "toobig");
	for (int i = 0; i < 20; i++) {
		eal_errno = 0;
		assert_int_equal(eal_fbarray_init(&d, "toobig", INT_MAX, UINT_MAX), -1);
		/* EFBIG from ftruncate or ENOMEM from mmap, by file system. */
		assert_true(eal_errno == EFBIG || eal_errno == ENOMEM || eal_errno == EINVAL);
	}
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(count_fds(), fds);
	assert_true(count_maps() <= maps + 2);
}

/* eal_cleanup() removes the fbarray files this process created, when
 * unused, unmaps them and closes their fds; eal_init() works again after. */
static void
test_file_forget_all(void **state)
{
	struct eal_fbarray d;
	char path[PATH_MAX];
	struct stat st;
	int fds;

	(void)state;
	/* Start from a clean slate: no eal_init, so no fd of libeal's own. */
	assert_int_equal(eal_cleanup(), 0);
	eal_up = false;
	fds = count_fds();
	assert_int_equal(setup_eal(NULL), 0);
	file_path(path, sizeof(path), "forgotten");
	assert_int_equal(eal_fbarray_init(&d, "forgotten", 100, 8), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(eal_cleanup(), 0);
	eal_up = false;
	assert_int_equal(stat(path, &st), -1);
	assert_false(is_mapped(d.data));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(setup_eal(NULL), 0);
	assert_int_equal(setup_arrays(NULL), 0);
}

static void
test_file_dump(void **state)
{
	struct eal_fbarray d;
	char *s;

	(void)state;
	assert_int_equal(eal_fbarray_init(&d, "dumpfile", 64, 8), 0);
	assert_int_equal(eal_fbarray_set_used(&d, 63), 0);
	s = dump_to_string(&d);
	assert_string_equal(s, "File-backed array: dumpfile\n"
			       "size: 64 occupied: 1 elt_sz: 8\n"
			       "msk idx 0: 0x8000000000000000\n");
	free(s);
	assert_int_equal(eal_fbarray_destroy(&d), 0);
}

#define file_test(fn) cmocka_unit_test_setup(fn, setup_eal)

/* Searches (optimistic, without the lock) racing a writer in another
 * thread must only return answers that hold in some state of the array.
 * (Single-element writes never produce a torn view a search could act on,
 * so this guards the concurrent paths, not the seq validation itself.) The
 * array stays "all used but one free run of
 * 64 at [100, 163]" at every instant a search could linearise at, while a
 * writer flips single elements away from it (free one, use it again), so
 * no other run longer than 1 ever appears and the run never grows. */
struct race {
	struct eal_fbarray arr;
	volatile int stop;
	unsigned long searches, wrong;
};

static void *
race_writer(void *p)
{
	struct race *r = p;
	unsigned int x = 12345;

	while (!r->stop) {
		unsigned int i;

		x = x * 1103515245u + 12345u;
		/* Not in the free run nor next to it (that would lengthen it). */
		i = (x >> 8) % 190;
		i = i < 99 ? i : i + 66;
		(void)eal_fbarray_set_free(&r->arr, i);
		(void)eal_fbarray_set_used(&r->arr, i);
	}
	return NULL;
}

static void
test_search_race_with_writer(void **state)
{
	struct race r = { .stop = 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(eal_fbarray_init(&r.arr, "race", 256, 8), 0);
	for (unsigned int i = 0; i < 256; i++)
		if (i < 100 || i > 163)
			assert_int_equal(eal_fbarray_set_used(&r.arr, i), 0);
	assert_int_equal(pthread_create(&t, NULL, race_writer, &r), 0);
	for (int k = 0; k < 300000; k++) {
		r.searches += 3;
		r.wrong += eal_fbarray_find_next_n_free(&r.arr, 0, 64) != 100;
		r.wrong += eal_fbarray_find_biggest_free(&r.arr, 0) != 100;
		r.wrong += eal_fbarray_find_contig_free(&r.arr, 100) != 64;
	}
	r.stop = 1;
	pthread_join(t, NULL);
	assert_int_equal(r.wrong, 0);
	assert_int_equal(eal_fbarray_destroy(&r.arr), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		/* Anonymous arrays: no eal_init() yet. */
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_init_too_big),
		cmocka_unit_test_setup(test_basic, reset),
		cmocka_unit_test_setup(test_find_first_msk, reset),
		cmocka_unit_test_setup(test_find_cross_msk, reset),
		cmocka_unit_test_setup(test_find_multi_msk, reset),
		cmocka_unit_test_setup(test_find_last_msk, reset),
		cmocka_unit_test_setup(test_find_full_msk, reset),
		cmocka_unit_test_setup(test_find_full_msk_contig_fwd, reset),
		cmocka_unit_test_setup(test_find_full_msk_contig_rev, reset),
		cmocka_unit_test_setup(test_find_full_index, reset),
		cmocka_unit_test_setup(test_empty, reset),
		cmocka_unit_test_setup(test_lookahead, reset),
		cmocka_unit_test_setup(test_lookbehind, reset),
		cmocka_unit_test_setup(test_broken_run, reset),
		cmocka_unit_test_setup(test_rev_broken_run, reset),
		cmocka_unit_test_setup(test_find_unaligned, reset),
		cmocka_unit_test(test_observed),
		cmocka_unit_test(test_len_one),
		cmocka_unit_test(test_len_100),
		cmocka_unit_test(test_long_runs),
		cmocka_unit_test(test_get_find_idx),
		cmocka_unit_test_setup(test_set_is_used, reset),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_anon_lifecycle),
		cmocka_unit_test(test_attach_invalid_struct),
		cmocka_unit_test_setup(test_dead_writer_repair, reset),
		cmocka_unit_test_setup(test_threads, reset),
		cmocka_unit_test(test_forget_all),
		cmocka_unit_test(test_search_race_with_writer),
		/* File-backed arrays, after eal_init(). */
		file_test(test_file_lifecycle),
		file_test(test_file_stale),
		file_test(test_file_attach_mismatch),
		file_test(test_file_attach_addr_busy),
		file_test(test_file_init_failure_cleanup),
		file_test(test_file_forget_all),
		file_test(test_file_dump),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests_name("fbarray", tests, setup_arrays, teardown_arrays);
}
