/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_malloc's timed loops, generated for one allocator per inclusion
 * (this header has no include guard on purpose). Before including it,
 * define:
 *   BM_IMPL            a suffix for the generated names (libeal, glibc, dpdk)
 *   BM_ALLOC(size)     allocate, NULL on failure
 *   BM_FREE(ptr)       free
 * and, for a library with memzones:
 *   BM_MZ_T            the descriptor type
 *   BM_MZ_RESERVE(n)   reserve BM_ZONE_LEN bytes named n, NULL on failure
 *   BM_MZ_LOOKUP(n)    look n up, NULL when missing
 *   BM_MZ_FREE(mz)     free, 0 on success
 * It defines bm_round_<impl>(seq, v), which runs every case once into
 * v[BM_N_CASES] (-1 where a case does not apply) and returns 0, or -1
 * after giving back what it took. It undefines the macros above.
 *
 * The loops call the allocators directly, not through function pointers,
 * so that glibc's 8 ns pairs are not measured with an indirect call added.
 * Each block gets one byte written (volatile: the compiler may not drop
 * the allocation), as a program would write its memory.
 */
#include <stddef.h>
#include <stdint.h>

#include "bench_common.h"
#include "bench_malloc_work.h"

#define BM_CAT2(a, b) a##_##b
#define BM_CAT(a, b) BM_CAT2(a, b)
#define BM_FN(name) BM_CAT(name, BM_IMPL)

static void *BM_FN(bm_live)[BM_LIVE];

/* ns per malloc + free pair of @size bytes, or -1. */
static double
BM_FN(bm_pair)(size_t size)
{
	uint64_t t0 = bench_now_ns(), t;
	unsigned long n = 0;

	do {
		for (int c = 0; c < BM_CHUNK; c++) {
			void *p = BM_ALLOC(size);

			if (p == NULL)
				return -1;
			*(volatile char *)p = (char)c;
			BM_FREE(p);
		}
		n += BM_CHUNK;
	} while ((t = bench_now_ns() - t0) < BM_BUDGET_NS);
	return (double)t / (double)n;
}

/* The mixed workload: fill, BM_OPS replacements, drain. */
static int
BM_FN(bm_mixed)(const struct bm_seq *s, double *v)
{
	void **live = BM_FN(bm_live);
	unsigned int i;
	uint64_t t0, t1, t2, t3;

	t0 = bench_now_ns();
	for (i = 0; i < BM_LIVE; i++) {
		live[i] = BM_ALLOC(s->fill_size[i]);
		if (live[i] == NULL)
			goto failed;
		*(volatile char *)live[i] = 1;
	}
	t1 = bench_now_ns();
	for (i = 0; i < BM_OPS; i++) {
		uint32_t k = s->op_slot[i];

		BM_FREE(live[k]);
		live[k] = BM_ALLOC(s->op_size[i]);
		if (live[k] == NULL) {
			i = BM_LIVE;
			goto failed;
		}
		*(volatile char *)live[k] = 2;
	}
	t2 = bench_now_ns();
	for (i = 0; i < BM_LIVE; i++)
		BM_FREE(live[i]);
	t3 = bench_now_ns();
	v[BM_MIXED_FILL] = (double)(t1 - t0) / BM_LIVE;
	v[BM_MIXED_OP] = (double)(t2 - t1) / BM_OPS;
	v[BM_MIXED_DRAIN] = (double)(t3 - t2) / BM_LIVE;
	return 0;

failed:
	fprintf(stderr, "bench_malloc: out of memory in the mixed workload\n");
	/* Everything below @i is allocated, except a slot whose replacement
	 * just failed (NULL: freeing it is a no-op everywhere). */
	while (i-- > 0)
		BM_FREE(live[i]);
	return -1;
}

#ifdef BM_MZ_T

static const BM_MZ_T *BM_FN(bm_zone)[BM_ZONES];
/* Where the lookups' results go, so that they are not optimised away. */
static volatile uintptr_t BM_FN(bm_sink);

/* ns per lookup of @name, repeated for the time budget. */
static double
BM_FN(bm_lookup_one)(const char *name, uintptr_t *acc)
{
	uint64_t t0 = bench_now_ns(), t;
	unsigned long n = 0;

	do {
		for (int c = 0; c < BM_CHUNK; c++)
			*acc += (uintptr_t)BM_MZ_LOOKUP(name);
		n += BM_CHUNK;
	} while ((t = bench_now_ns() - t0) < BM_BUDGET_NS);
	return (double)t / (double)n;
}

/* ns per reserve while the zones of @mz[0..count) exist: batches of
 * BM_EXTRA more reserved (timed) and freed (not timed), for the time
 * budget. */
static double
BM_FN(bm_reserve_at)(const struct bm_seq *s)
{
	const BM_MZ_T *x[BM_EXTRA];
	uint64_t spent = 0, t0 = bench_now_ns(), t;
	unsigned long n = 0;

	do {
		unsigned int j;

		t = bench_now_ns();
		for (j = 0; j < BM_EXTRA; j++) {
			x[j] = BM_MZ_RESERVE(s->extra_name[j]);
			if (x[j] == NULL)
				break;
		}
		spent += bench_now_ns() - t;
		for (unsigned int k = 0; k < j; k++)
			(void)BM_MZ_FREE(x[k]);
		if (j < BM_EXTRA) {
			fprintf(stderr, "bench_malloc: reserve of an extra zone failed\n");
			return -1;
		}
		n += BM_EXTRA;
	} while (bench_now_ns() - t0 < BM_BUDGET_NS);
	return (double)spent / (double)n;
}

/* ns per lookup of a random one of the first @count zones. */
static double
BM_FN(bm_lookup_random)(const struct bm_seq *s, unsigned int count, uintptr_t *acc)
{
	uint64_t t0 = bench_now_ns(), t;
	unsigned long n = 0;
	unsigned int k = 0;

	do {
		for (int c = 0; c < BM_CHUNK; c++) {
			*acc += (uintptr_t)BM_MZ_LOOKUP(s->zone_name[s->look[k] % count]);
			k = (k + 1) % BM_LOOKUPS;
		}
		n += BM_CHUNK;
	} while ((t = bench_now_ns() - t0) < BM_BUDGET_NS);
	return (double)t / (double)n;
}

static int
BM_FN(bm_memzones)(const struct bm_seq *s, double *v)
{
	static const unsigned int counts[BM_N_COUNTS] = BM_ZONE_COUNTS;
	static const int reserve_case[BM_N_COUNTS] = { BM_MZ_RESERVE_100, BM_MZ_RESERVE_1000,
						       BM_MZ_RESERVE_2000 };
	static const int lookup_case[BM_N_COUNTS] = { BM_MZ_LOOKUP_100, BM_MZ_LOOKUP_1000,
						      BM_MZ_LOOKUP_2000 };
	const BM_MZ_T **mz = BM_FN(bm_zone);
	uintptr_t acc = 0;
	uint64_t t0;
	unsigned int i = 0;
	int rc = -1;

	mz[0] = BM_MZ_RESERVE(s->zone_name[0]);
	if (mz[0] == NULL) {
		fprintf(stderr, "bench_malloc: memzone reserve failed\n");
		return -1;
	}
	i = 1;
	v[BM_MZ_LOOKUP_1] = BM_FN(bm_lookup_one)(s->zone_name[0], &acc);

	for (int c = 0; c < BM_N_COUNTS; c++) {
		for (; i < counts[c]; i++) {
			mz[i] = BM_MZ_RESERVE(s->zone_name[i]);
			if (mz[i] == NULL) {
				fprintf(stderr, "bench_malloc: memzone reserve %u failed\n", i);
				goto free_zones;
			}
		}
		/* Every name finds its own zone (not timed). */
		for (unsigned int j = 0; j < i; j++) {
			if (BM_MZ_LOOKUP(s->zone_name[j]) != mz[j]) {
				fprintf(stderr, "bench_malloc: lookup of %s found the wrong zone\n",
					s->zone_name[j]);
				goto free_zones;
			}
		}
		v[reserve_case[c]] = BM_FN(bm_reserve_at)(s);
		if (v[reserve_case[c]] < 0)
			goto free_zones;
		v[lookup_case[c]] = BM_FN(bm_lookup_random)(s, i, &acc);
	}

	if (BM_MZ_LOOKUP("bench_mz_missing") != NULL) {
		fprintf(stderr, "bench_malloc: a missing name was found\n");
		goto free_zones;
	}
	v[BM_MZ_LOOKUP_MISS] = BM_FN(bm_lookup_one)("bench_mz_missing", &acc);
	rc = 0;

free_zones:
	BM_FN(bm_sink) = acc;
	t0 = bench_now_ns();
	for (unsigned int j = 0; j < i; j++)
		(void)BM_MZ_FREE(mz[j]);
	v[BM_MZ_FREE] = (double)(bench_now_ns() - t0) / i;
	return rc;
}

#endif /* BM_MZ_T */

static int
BM_FN(bm_round)(const struct bm_seq *s, double v[BM_N_CASES])
{
	static const size_t pair_size[4] = { 64, 1024, 65536, 1 << 20 };

	for (int c = 0; c < BM_N_CASES; c++)
		v[c] = -1;
	for (int j = 0; j < 4; j++) {
		v[BM_PAIR_64 + j] = BM_FN(bm_pair)(pair_size[j]);
		if (v[BM_PAIR_64 + j] < 0)
			return -1;
	}
	if (BM_FN(bm_mixed)(s, v) < 0)
		return -1;
#ifdef BM_MZ_T
	if (BM_FN(bm_memzones)(s, v) < 0)
		return -1;
#endif
	return 0;
}

#undef BM_FN
#undef BM_CAT
#undef BM_CAT2
#undef BM_IMPL
#undef BM_ALLOC
#undef BM_FREE
#undef BM_MZ_T
#undef BM_MZ_RESERVE
#undef BM_MZ_LOOKUP
#undef BM_MZ_FREE
