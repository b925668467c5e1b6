/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The workload of bench_malloc, shared by its two programs so that libeal,
 * DPDK and glibc run exactly the same sequence: the cases, the fixed-seed
 * sequences, the time budget of a measurement, and what a peer prints.
 * The loops themselves are in bench_malloc_loops.h, generated once per
 * allocator.
 *
 * A peer (the libeal program's child, or bench_malloc_dpdk) initialises
 * its library with -m 256 on 2 MiB hugepages, so the heap never has to
 * grow, runs one round unmeasured, prints "ready", then answers each byte
 * on stdin with one round: a line of BM_N_CASES figures in ns, in the
 * order of BM_CASES, -1 for a case that does not apply (memzones for
 * glibc), or "fail".
 */
#ifndef BENCH_MALLOC_WORK_H
#define BENCH_MALLOC_WORK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Memory each library is given at init (-m), MiB. */
#define BM_MEM_MB 256
/* Free 2 MiB hugepages needed for both libraries at once, with slack. */
#define BM_PAGES_NEEDED (2 * (BM_MEM_MB / 2) + 16)

/* The mixed workload: live blocks, operations per round, sizes. */
#define BM_LIVE 10000
#define BM_OPS 1000000
#define BM_MIN_SIZE 16.0
#define BM_SIZE_OCTAVES 10.0 /* 16 B .. 16 KiB */

/* Memzones: measured while 100, 1000 and 2000 zones exist; how big;
 * random lookups cycled through; extra zones reserved (and freed,
 * untimed) in batches to time a reserve at a given count. */
#define BM_ZONES 2000
#define BM_N_COUNTS 3
#define BM_ZONE_COUNTS { 100, 1000, 2000 }
#define BM_ZONE_LEN 4096
#define BM_LOOKUPS 4096
#define BM_EXTRA 32
#define BM_NAME_LEN 32

/* A timed loop runs chunks of BM_CHUNK operations until BM_BUDGET_NS
 * have passed: long enough for a clock read per chunk not to count,
 * short enough for rounds to interleave finely. */
#define BM_BUDGET_NS 5000000ull
#define BM_CHUNK 64

/* id, short name, description (a sentence for the report). */
#define BM_CASES(X)                                                                              \
	X(PAIR_64, "pair_64", "malloc + free pair, 64 B")                                         \
	X(PAIR_1K, "pair_1k", "malloc + free pair, 1 KiB")                                        \
	X(PAIR_64K, "pair_64k", "malloc + free pair, 64 KiB")                                     \
	X(PAIR_1M, "pair_1m", "malloc + free pair, 1 MiB")                                        \
	X(MIXED_OP, "mixed_op",                                                                  \
	  "mixed: 1M ops, each frees a random one of 10 000 live blocks and mallocs its successor (16 B..16 KiB log-uniform), per op") \
	X(MIXED_FILL, "mixed_fill", "mixed: malloc of the first 10 000 blocks, per malloc")        \
	X(MIXED_DRAIN, "mixed_drain", "mixed: free of the 10 000 live blocks at the end, per free") \
	X(MZ_LOOKUP_1, "memzone_lookup_1", "memzone lookup when 1 zone exists")                   \
	X(MZ_RESERVE_100, "memzone_reserve_100", "memzone reserve (4 KiB) while 100 zones exist") \
	X(MZ_LOOKUP_100, "memzone_lookup_100", "memzone lookup of a random existing name, 100 zones") \
	X(MZ_RESERVE_1000, "memzone_reserve_1000", "memzone reserve (4 KiB) while 1000 zones exist") \
	X(MZ_LOOKUP_1000, "memzone_lookup_1000", "memzone lookup of a random existing name, 1000 zones") \
	X(MZ_RESERVE_2000, "memzone_reserve_2000", "memzone reserve (4 KiB) while 2000 zones exist") \
	X(MZ_LOOKUP_2000, "memzone_lookup_2000", "memzone lookup of a random existing name, 2000 zones") \
	X(MZ_LOOKUP_MISS, "memzone_lookup_miss", "memzone lookup of a missing name, 2000 zones")  \
	X(MZ_FREE, "memzone_free", "memzone free, mean while 2000 -> 0 zones exist")

enum bm_case {
#define BM_ENUM(id, name, desc) BM_##id,
	BM_CASES(BM_ENUM)
#undef BM_ENUM
	BM_N_CASES
};

/* The sequences every allocator runs, generated from one fixed seed. */
struct bm_seq {
	uint32_t fill_size[BM_LIVE]; /* the first BM_LIVE blocks */
	uint32_t op_slot[BM_OPS];    /* op i frees live[op_slot[i]] ... */
	uint32_t op_size[BM_OPS];    /* ... and mallocs op_size[i] bytes there */
	uint32_t look[BM_LOOKUPS];   /* random numbers: zone look[i] % count */
	char zone_name[BM_ZONES][BM_NAME_LEN];
	char extra_name[BM_EXTRA][BM_NAME_LEN];
};

/* splitmix64: small, and the same on every build. */
static inline uint64_t
bm_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A size log-uniform over [16 B, 16 KiB). */
static inline uint32_t
bm_rand_size(uint64_t *state)
{
	double u = (double)(bm_rand(state) >> 11) / (double)(1ull << 53);

	return (uint32_t)(BM_MIN_SIZE * exp2(BM_SIZE_OCTAVES * u));
}

static inline void
bm_seq_init(struct bm_seq *s)
{
	uint64_t st = 20221111;

	for (unsigned int i = 0; i < BM_LIVE; i++)
		s->fill_size[i] = bm_rand_size(&st);
	for (unsigned int i = 0; i < BM_OPS; i++) {
		s->op_slot[i] = (uint32_t)(bm_rand(&st) % BM_LIVE);
		s->op_size[i] = bm_rand_size(&st);
	}
	for (unsigned int i = 0; i < BM_LOOKUPS; i++)
		s->look[i] = (uint32_t)bm_rand(&st);
	for (unsigned int i = 0; i < BM_ZONES; i++)
		snprintf(s->zone_name[i], BM_NAME_LEN, "bench_mz_%04u", i);
	for (unsigned int i = 0; i < BM_EXTRA; i++)
		snprintf(s->extra_name[i], BM_NAME_LEN, "bench_mz_extra_%02u", i);
}

/* The answer to one round. */
static inline void
bm_print_round(const double v[BM_N_CASES])
{
	for (int i = 0; i < BM_N_CASES; i++)
		printf("%s%.3f", i == 0 ? "" : " ", v[i]);
	printf("\n");
	fflush(stdout);
}

#endif /* BENCH_MALLOC_WORK_H */
