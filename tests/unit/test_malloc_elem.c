/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of src/eal_malloc_elem.c, the O(1) heap core.
 *
 * Each test builds a heap over anonymous memory: one PROT_NONE
 * reservation in which regions are made writable, so that a walk or a
 * write that strays outside the heap's memory faults instead of passing
 * unnoticed. Regions: A and B, 4 MiB each and adjacent in VA (the heap
 * must keep them apart), C, 4 MiB after a 4 MiB hole, and D, 2 MiB on a
 * 2 MiB boundary for the release tests. Pages given back through
 * eal__heap_release_pages() are made PROT_NONE again.
 *
 * The randomised tests run fixed seeds against a shadow model of the live
 * allocations: no overlap, alignment and bound respected, contents
 * preserved (a per-allocation pattern checked at free and resize),
 * statistics equal to the model's, eal__heap_validate() clean every few
 * steps, and an -ENOMEM only when no free block is large enough. The last
 * test prints (never asserts) the time per alloc/free pair against glibc.
 * No eal_init().
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_malloc_heap.h"
#include "eal_private.h"
#include "eal_test.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define HDR ((size_t)EAL__HEAP_HDR_SIZE)
#define REGION_SZ (4 * MiB)
/* Region overhead: a region header and an end sentinel. */
#define REGION_OVERHEAD (2 * HDR)

/* Reservation layout (offsets from a 2 MiB-aligned base). */
#define OFF_A 0
#define OFF_B (4 * MiB)
#define OFF_C (12 * MiB)
#define OFF_D (18 * MiB)
#define D_SZ (2 * MiB)
#define RESERVE_SZ (22 * MiB)

enum { REG_A = 1, REG_B = 2, REG_C = 4, REG_D = 8 };

static struct {
	struct eal_malloc_heap *heap;
	uint8_t *raw;   /* the mmap, for munmap */
	size_t raw_len;
	uint8_t *base;  /* 2 MiB aligned */
	size_t total;   /* bytes added to the heap */
	unsigned int n_regions;
} fx;

/* ---- helpers ----------------------------------------------------------- */


static void
make_rw(void *p, size_t len)
{
	assert_int_equal(mprotect(p, len, PROT_READ | PROT_WRITE), 0);
}

static void
add_region(size_t off, size_t len)
{
	make_rw(fx.base + off, len);
	assert_int_equal(eal__heap_add_memory(fx.heap, fx.base + off, len), 0);
	fx.total += len;
	fx.n_regions++;
}

static void
heap_build(unsigned int regions)
{
	void *h;

	fx.raw_len = RESERVE_SZ + 2 * MiB;
	fx.raw = mmap(NULL, fx.raw_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
		      0);
	assert_true(fx.raw != MAP_FAILED);
	fx.base = (uint8_t *)EAL_ALIGN_CEIL((uintptr_t)fx.raw, 2 * MiB);
	h = mmap(NULL, sizeof(*fx.heap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	assert_true(h != MAP_FAILED);
	fx.heap = h;
	fx.total = 0;
	fx.n_regions = 0;
	eal__heap_init(fx.heap, "test_heap", 0);
	if (regions & REG_A)
		add_region(OFF_A, REGION_SZ);
	if (regions & REG_B)
		add_region(OFF_B, REGION_SZ);
	if (regions & REG_C)
		add_region(OFF_C, REGION_SZ);
	if (regions & REG_D)
		add_region(OFF_D, D_SZ);
}

static int
setup_abc(void **state)
{
	(void)state;
	heap_build(REG_A | REG_B | REG_C);
	return 0;
}

static int
setup_a(void **state)
{
	(void)state;
	heap_build(REG_A);
	return 0;
}

static int
setup_none(void **state)
{
	(void)state;
	heap_build(0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	munmap(fx.heap, sizeof(*fx.heap));
	munmap(fx.raw, fx.raw_len);
	memset(&fx, 0, sizeof(fx));
	return 0;
}

#define assert_valid(heap) \
	do { \
		char why_[256]; \
		int rc_ = eal__heap_validate((heap), why_, sizeof(why_)); \
		if (rc_ != 0) \
			fail_msg("heap invalid (%d): %s", rc_, why_); \
	} while (0)

/* validate must fail, and its reason contain @needle. */
#define assert_invalid(heap, needle) \
	do { \
		char why_[256]; \
		assert_int_equal(eal__heap_validate((heap), why_, sizeof(why_)), -EUCLEAN); \
		if (strstr(why_, (needle)) == NULL) \
			fail_msg("validate said \"%s\", expected \"%s\"", why_, (needle)); \
	} while (0)

static struct eal__heap_stats
stats(void)
{
	struct eal__heap_stats s;

	eal__heap_stats(fx.heap, &s);
	return s;
}

static void *
must_alloc(size_t size, size_t align, size_t bound)
{
	void *p = NULL;
	int rc = eal__heap_alloc(fx.heap, size, align, bound, &p);

	if (rc != 0)
		fail_msg("alloc(%zu, %zu, %zu): %d", size, align, bound, rc);
	return p;
}

static void
must_free(void *p)
{
	struct eal_malloc_heap *h = NULL;

	assert_int_equal(eal__heap_free(p, &h), 0);
	assert_ptr_equal(h, fx.heap);
}

/* Everything free: one free block per region, nothing allocated. */
static void
assert_all_free(void)
{
	struct eal__heap_stats s = stats();

	assert_int_equal(s.heap_totalsz_bytes, fx.total);
	assert_int_equal(s.heap_freesz_bytes, fx.total - fx.n_regions * REGION_OVERHEAD);
	assert_int_equal(s.free_count, fx.n_regions);
	assert_int_equal(s.alloc_count, 0);
	assert_int_equal(fx.heap->n_regions, fx.n_regions);
	assert_valid(fx.heap);
}

/* Per-allocation pattern: the 8 bytes at offset i (a multiple of 8) are
 * a word made from the seed and i, so a prefix of a pattern is the
 * pattern of the prefix (resizing keeps it). */
static inline uint64_t
pattern_word(uint64_t seed, size_t i)
{
	return (seed * 0xbf58476d1ce4e5b9ull + i) * 0x9e3779b97f4a7c15ull;
}

static void
pattern_fill(uint8_t *p, size_t len, uint64_t seed)
{
	size_t i;
	uint64_t v;

	for (i = 0; i + 8 <= len; i += 8) {
		v = pattern_word(seed, i);
		memcpy(p + i, &v, 8);
	}
	v = pattern_word(seed, i);
	memcpy(p + i, &v, len - i);
}

static bool
pattern_ok(const uint8_t *p, size_t len, uint64_t seed)
{
	size_t i;
	uint64_t v;

	for (i = 0; i + 8 <= len; i += 8) {
		v = pattern_word(seed, i);
		if (memcmp(p + i, &v, 8) != 0)
			return false;
	}
	v = pattern_word(seed, i);
	return memcmp(p + i, &v, len - i) == 0;
}

static size_t
pow2_ceil(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* ---- set-up and arguments --------------------------------------------- */

static void
test_init_and_add(void **state)
{
	struct eal__heap_stats s;
	static uint8_t buf[1024] __attribute__((aligned(64)));

	(void)state;
	assert_string_equal(fx.heap->name, "test_heap");
	assert_int_equal(fx.heap->socket_id, 0);
	s = stats();
	assert_int_equal(s.heap_totalsz_bytes, 0);
	assert_int_equal(s.free_count, 0);
	assert_int_equal(s.greatest_free_size, 0);
	assert_valid(fx.heap);

	/* Arguments: alignment, length, minimum. */
	assert_int_equal(eal__heap_add_memory(fx.heap, NULL, 4096), -EINVAL);
	assert_int_equal(eal__heap_add_memory(fx.heap, buf + 8, 512), -EINVAL);
	assert_int_equal(eal__heap_add_memory(fx.heap, buf, 500), -EINVAL);
	assert_int_equal(eal__heap_add_memory(fx.heap, buf, EAL__HEAP_MIN_REGION - 64), -EINVAL);
	assert_int_equal(eal__heap_add_memory(fx.heap, buf, (size_t)EAL__HEAP_MAX_REGION + 64),
			 -EINVAL);
	assert_valid(fx.heap);

	/* The smallest region holds one 128-byte block: one allocation of
	 * up to 64 bytes. */
	assert_int_equal(eal__heap_add_memory(fx.heap, buf, EAL__HEAP_MIN_REGION), 0);
	fx.total = EAL__HEAP_MIN_REGION;
	fx.n_regions = 1;
	assert_all_free();
	s = stats();
	assert_int_equal(s.greatest_free_size, 2 * HDR);
	{
		void *p = must_alloc(64, 0, 0), *q = NULL;

		assert_ptr_equal(p, buf + 2 * HDR);
		assert_int_equal(eal__heap_alloc(fx.heap, 1, 0, 0, &q), -ENOMEM);
		assert_null(q);
		must_free(p);
	}
	assert_all_free();

	/* Adjacent regions stay apart: A then B right after it. */
	add_region(OFF_A, REGION_SZ);
	add_region(OFF_B, REGION_SZ);
	assert_all_free();
	s = stats();
	assert_int_equal(s.greatest_free_size, REGION_SZ - REGION_OVERHEAD);
	{
		void *p = NULL;

		/* Fits in A + B merged, not in either. */
		assert_int_equal(eal__heap_alloc(fx.heap, REGION_SZ, 0, 0, &p), -ENOMEM);
		assert_null(p);
	}
	assert_int_equal(eal__heap_add_memory(fx.heap, fx.base + OFF_C, 0), -EINVAL);

	/* An uninitialised heap is refused. */
	{
		struct eal_malloc_heap *z = calloc(1, sizeof(*z));

		assert_non_null(z);
		assert_int_equal(eal__heap_add_memory(z, fx.base + OFF_C, REGION_SZ), -EINVAL);
		assert_int_equal(eal__heap_validate(z, NULL, 0), -EUCLEAN);
		free(z);
	}
	/* The lock is a mutex over the heap. */
	assert_int_equal(eal__heap_lock(fx.heap), 0);
	assert_int_equal(eal_rwlock_is_write_locked(&fx.heap->lock), 1);
	eal__heap_unlock(fx.heap);
	assert_int_equal(eal_rwlock_is_write_locked(&fx.heap->lock), 0);
}

static void
test_alloc_invalid(void **state)
{
	void *p = (void *)0x1;

	(void)state;
	assert_int_equal(eal__heap_alloc(fx.heap, 0, 0, 0, &p), -EINVAL);
	assert_int_equal(eal__heap_alloc(fx.heap, 64, 3, 0, &p), -EINVAL);
	assert_int_equal(eal__heap_alloc(fx.heap, 64, 96, 0, &p), -EINVAL);
	assert_int_equal(eal__heap_alloc(fx.heap, 64, 0, 100, &p), -EINVAL);
	assert_int_equal(eal__heap_alloc(fx.heap, 5000, 0, 4096, &p), -EINVAL);
	assert_int_equal(eal__heap_alloc(fx.heap, SIZE_MAX, 0, 0, &p), -ENOMEM);
	assert_int_equal(eal__heap_alloc(fx.heap, SIZE_MAX - 7, 64, 0, &p), -ENOMEM);
	assert_int_equal(eal__heap_alloc(fx.heap, 64, (size_t)1 << 62, 0, &p), -ENOMEM);
	assert_int_equal(eal__heap_alloc(fx.heap, 4 * MiB, 0, 0, &p), -ENOMEM);
	/* ret_ptr untouched on failure. */
	assert_ptr_equal(p, (void *)0x1);
	assert_all_free();

	/* Small alignments mean 64, a bound equal to the size is fine. */
	p = must_alloc(10, 8, 0);
	assert_int_equal((uintptr_t)p % 64, 0);
	must_free(p);
	p = must_alloc(4096, 0, 4096);
	assert_int_equal((uintptr_t)p % 4096, 0);
	must_free(p);
	assert_all_free();
}

/* ---- allocation, free, alignment, bound ---------------------------------- */

static void
test_basic(void **state)
{
	struct eal__heap_stats s;
	uint8_t *p, *q, *r;

	(void)state;
	p = must_alloc(1, 0, 0);
	assert_int_equal((uintptr_t)p % 64, 0);
	assert_int_equal(eal__heap_usable_size(p), 8);
	assert_int_equal(eal__heap_elem_check(p), 0);
	{
		struct eal_malloc_heap *h = NULL;

		assert_int_equal(eal__heap_of(p, &h), 0);
		assert_ptr_equal(h, fx.heap);
	}
	s = stats();
	assert_int_equal(s.alloc_count, 1);
	assert_int_equal(s.free_count, 1);
	/* Header and one line of data. */
	assert_int_equal(s.heap_freesz_bytes, fx.total - REGION_OVERHEAD - 2 * HDR);
	assert_int_equal(s.heap_allocsz_bytes, REGION_OVERHEAD + 2 * HDR);

	/* Blocks are taken from the top of the free block, so in a fresh
	 * region they go downwards from its end. */
	assert_ptr_equal(p, fx.base + OFF_A + REGION_SZ - 2 * HDR);
	q = must_alloc(100, 0, 0);
	assert_int_equal(eal__heap_usable_size(q), 104);
	assert_ptr_equal(q, p - 3 * HDR);
	r = must_alloc(128, 0, 0);
	assert_ptr_equal(r, q - 3 * HDR);
	assert_int_equal(eal__heap_usable_size(r), 128);
	memset(p, 0xa1, 8);
	memset(q, 0xb2, 104);
	memset(r, 0xc3, 128);
	assert_valid(fx.heap);

	/* Free the middle one: a free block between two busy ones. */
	must_free(q);
	s = stats();
	assert_int_equal(s.free_count, 2);
	assert_int_equal(s.alloc_count, 2);
	assert_valid(fx.heap);
	assert_int_equal(eal__heap_elem_check(q), -EINVAL);
	assert_int_equal(eal__heap_usable_size(q), 0);
	/* It is reused first for a size that fits its 3 lines. */
	q = must_alloc(120, 0, 0);
	assert_ptr_equal(q, p - 3 * HDR);
	must_free(p);
	must_free(r);
	must_free(q);
	assert_all_free();
}

static void
test_alignment(void **state)
{
	static const size_t aligns[] = { 64, 128, 256, 4096, 65536, 2 * MiB };
	void *ps[EAL_DIM(aligns) * 3];
	unsigned int n = 0;

	(void)state;
	for (unsigned int round = 0; round < 3; round++) {
		for (unsigned int i = 0; i < EAL_DIM(aligns); i++) {
			size_t size = round == 0 ? 1 : round == 1 ? 1000 : 70000;
			uint8_t *p;

			/* One region of 4 MiB on 2 MiB has one 2 MiB
			 * aligned spot for data: its start is the header. */
			if (aligns[i] == 2 * MiB && round > 0) {
				void *q = NULL;

				assert_int_equal(eal__heap_alloc(fx.heap, size, aligns[i], 0, &q),
						 -ENOMEM);
				continue;
			}
			p = must_alloc(size, aligns[i], 0);

			assert_int_equal((uintptr_t)p % aligns[i], 0);
			assert_true(eal__heap_usable_size(p) >= size);
			memset(p, 0x5a, size);
			ps[n++] = p;
			assert_valid(fx.heap);
		}
	}
	for (unsigned int i = 0; i < n; i += 2)
		must_free(ps[i]);
	assert_valid(fx.heap);
	for (unsigned int i = 1; i < n; i += 2)
		must_free(ps[i]);
	assert_all_free();

	/* A 64-byte gap below an aligned block, after a busy block: it
	 * becomes slack of that block, not a 64-byte free block. */
	{
		uint8_t *end = fx.base + OFF_A + REGION_SZ - HDR; /* end sentinel */
		uint8_t *a1 = must_alloc(192, 0, 0);             /* [end - 256, end) */
		uint8_t *a2 = must_alloc(100, 0, 0);             /* [end - 448, end - 256) */
		uint8_t *a3 = must_alloc(100, 0, 0);             /* [end - 640, end - 448) */
		uint8_t *b;
		struct eal__heap_stats s0, s;

		assert_ptr_equal(a1, end - 3 * HDR);
		assert_ptr_equal(a3, end - 9 * HDR);
		must_free(a2);
		/* The free block [end - 448, end - 256): data aligned on 128
		 * as high as it fits is end - 320, with its header at
		 * end - 384: 64 bytes above the block's start. */
		s0 = stats();
		b = must_alloc(64, 128, 0);
		assert_ptr_equal(b, end - 5 * HDR);
		assert_int_equal((uintptr_t)b % 128, 0);
		s = stats();
		assert_int_equal(s.free_count, s0.free_count - 1);
		assert_int_equal(s.heap_freesz_bytes, s0.heap_freesz_bytes - 3 * HDR);
		assert_int_equal(eal__heap_usable_size(a3), 104);
		assert_valid(fx.heap);
		must_free(a3); /* with its slack */
		assert_valid(fx.heap);
		must_free(b);
		must_free(a1);
	}
	assert_all_free();
}

static bool
crosses(uintptr_t p, size_t size, size_t bound)
{
	return bound != 0 && (p / bound) != ((p + size - 1) / bound);
}

static void
test_bound(void **state)
{
	void *ps[512];
	unsigned int n = 0;

	(void)state;
	/* Sizes that cross a 4 KiB boundary often when packed. */
	for (unsigned int i = 0; i < EAL_DIM(ps); i++) {
		size_t size = 1500 + (i * 577) % 2500;
		size_t bound = i % 3 == 0 ? 4096 : i % 3 == 1 ? 8192 : 0;
		uint8_t *p = must_alloc(size, i % 5 == 0 ? 128 : 0, bound);

		if (bound != 0)
			assert_false(crosses((uintptr_t)p, size, bound));
		pattern_fill(p, size, i);
		ps[n++] = p;
	}
	assert_valid(fx.heap);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(pattern_ok(ps[i], 1500 + (i * 577) % 2500, i));
		must_free(ps[i]);
	}
	assert_all_free();

	/* The worst case: the aligned spot crosses, the block is sized for
	 * the jump to the next multiple of bound. */
	{
		/* a takes [end - 3968, end), the end sentinel's address on
		 * 2 MiB; the highest spot for b would be 2048 bytes that end
		 * at end - 3968, crossing end - 4096: b ends there instead. */
		uint8_t *a = must_alloc(4096 - 3 * HDR, 0, 0);
		uint8_t *b = must_alloc(2048, 0, 4096);

		assert_false(crosses((uintptr_t)b, 2048, 4096));
		assert_int_equal(((uintptr_t)b + 2048) % 4096, 0);
		assert_ptr_equal(b + 2048, fx.base + OFF_C + REGION_SZ - 4096);
		assert_valid(fx.heap);
		must_free(a);
		must_free(b);
	}
	assert_all_free();
}

/*
 * Good fit: after -ENOMEM for a size, no free block may be large enough
 * for it once rounded up to its class (1/32 of its size, at most).
 */
static void
test_exhaust(void **state)
{
	static const size_t sizes[] = { 64, 1000, 4096, 100000, 1 * MiB };

	(void)state;
	for (unsigned int k = 0; k < EAL_DIM(sizes); k++) {
		void **ps = calloc(REGION_SZ / 64, sizeof(*ps));
		unsigned int n = 0;
		void *p;
		int rc;
		struct eal__heap_stats s;
		size_t need = EAL_ALIGN_CEIL(HDR + EAL_ALIGN_CEIL(sizes[k], 8), HDR);

		assert_non_null(ps);
		while ((rc = eal__heap_alloc(fx.heap, sizes[k], 0, 0, &p)) == 0)
			ps[n++] = p;
		assert_int_equal(rc, -ENOMEM);
		s = stats();
		assert_true(s.greatest_free_size < need + need / 32 + HDR);
		/* The region was used up to the last block's worth. */
		assert_true(s.heap_freesz_bytes < need + need / 32 + HDR);
		assert_int_equal(s.alloc_count, n);
		assert_valid(fx.heap);
		/* Free in a scrambled order. */
		for (unsigned int i = 0; i < n; i++) {
			unsigned int j = (unsigned int)((i * 7919ull) % n);

			if (ps[j] != NULL) {
				must_free(ps[j]);
				ps[j] = NULL;
			}
		}
		for (unsigned int i = 0; i < n; i++)
			if (ps[i] != NULL)
				must_free(ps[i]);
		assert_all_free();
		free(ps);
	}
}

/* ---- realloc in place --------------------------------------------------- */

static void
test_realloc_in_place(void **state)
{
	uint8_t *p, *q, *r;
	struct eal__heap_stats s;

	(void)state;
	/* Allocated downwards: r, then q below it, then p below q. p grows
	 * into q, r stays. */
	r = must_alloc(1000, 0, 0);
	q = must_alloc(1000, 0, 0);
	p = must_alloc(1000, 0, 0);
	assert_ptr_equal(q, p + 1088);
	assert_ptr_equal(r, q + 1088);
	pattern_fill(p, 1000, 1);
	pattern_fill(r, 1000, 3);

	/* Next block busy: no growth, nothing changes. */
	assert_int_equal(eal__heap_realloc_in_place(p, 1100), -ENOMEM);
	assert_int_equal(eal__heap_usable_size(p), 1000);
	/* Within the block's slack (1000 + 64 -> 17 lines, 1088 bytes). */
	assert_int_equal(eal__heap_realloc_in_place(p, 1024), 0);
	assert_int_equal(eal__heap_usable_size(p), 1024);
	assert_true(pattern_ok(p, 1000, 1));
	assert_valid(fx.heap);

	/* Grow into the freed neighbour. */
	must_free(q);
	assert_int_equal(eal__heap_realloc_in_place(p, 1500), 0);
	assert_int_equal(eal__heap_usable_size(p), 1504);
	assert_true(pattern_ok(p, 1000, 1));
	s = stats();
	assert_int_equal(s.free_count, 2); /* the rest of q, and the region's bottom */
	assert_valid(fx.heap);
	/* All of it: the 64-byte rest would be useless, it is taken too. */
	assert_int_equal(eal__heap_realloc_in_place(p, 2048), 0);
	s = stats();
	assert_int_equal(s.free_count, 1);
	assert_true(pattern_ok(p, 1000, 1));
	assert_valid(fx.heap);
	assert_int_equal(eal__heap_realloc_in_place(p, 2113), -ENOMEM);
	assert_int_equal(eal__heap_usable_size(p), 2048);

	/* Shrink: the tail becomes a free block before r. */
	assert_int_equal(eal__heap_realloc_in_place(p, 200), 0);
	assert_int_equal(eal__heap_usable_size(p), 200);
	assert_true(pattern_ok(p, 200, 1));
	s = stats();
	assert_int_equal(s.free_count, 2);
	assert_valid(fx.heap);
	/* Shrink again next to that free block: the tail joins it. */
	assert_int_equal(eal__heap_realloc_in_place(p, 8), 0);
	s = stats();
	assert_int_equal(s.free_count, 2);
	assert_valid(fx.heap);
	/* Grow it back over all of the free block after it, then shrink
	 * by less than a block next to a busy one: slack, no new block. */
	assert_int_equal(eal__heap_realloc_in_place(p, 2 * 1088 - HDR), 0);
	s = stats();
	assert_int_equal(s.free_count, 1);
	assert_int_equal(eal__heap_realloc_in_place(p, 2000), 0);
	assert_int_equal(eal__heap_usable_size(p), 2000);
	s = stats();
	assert_int_equal(s.free_count, 1);
	assert_valid(fx.heap);
	assert_true(pattern_ok(r, 1000, 3));

	/* Errors. */
	assert_int_equal(eal__heap_realloc_in_place(p, 0), -EINVAL);
	assert_int_equal(eal__heap_realloc_in_place(p, SIZE_MAX), -ENOMEM);
	assert_int_equal(eal__heap_realloc_in_place(p + 64, 10), -EINVAL);
	must_free(p);
	assert_int_equal(eal__heap_realloc_in_place(p, 10), -EINVAL);
	must_free(r);
	assert_all_free();
}

/* ---- bad pointers and corruption --------------------------------------- */

static void
expect_free_error(void *ptr, int err)
{
	char needle[32];
	struct eal_malloc_heap *h = (void *)0x1;

	snprintf(needle, sizeof(needle), "(%p)", ptr);
	eal_test_log_n = 0;
	assert_int_equal(eal__heap_free(ptr, &h), err);
	assert_ptr_equal(h, (void *)0x1);
	/* One ERR line, naming the pointer. */
	assert_int_equal(eal_test_log_n, 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, needle), 1);
}

static void
test_bad_pointers(void **state)
{
	static uint8_t foreign[4096] __attribute__((aligned(64)));
	uint8_t *p, *q, *r, *outside;
	struct eal__heap_stats before, after;

	(void)state;
	p = must_alloc(300, 0, 0);
	q = must_alloc(300, 0, 0);
	r = must_alloc(300, 0, 0);
	pattern_fill(p, 300, 11);
	pattern_fill(q, 300, 12);
	pattern_fill(r, 300, 13);
	before = stats();

	/* Misaligned, NULL, interior, foreign memory, free memory. */
	expect_free_error(p + 8, -EINVAL);
	expect_free_error(NULL, -EINVAL);
	expect_free_error(p + 64, -EINVAL);
	expect_free_error(p + 256, -EINVAL);
	expect_free_error(foreign + 128, -EINVAL);
	outside = r - 8192; /* inside the free bottom of the region */
	expect_free_error(outside, -EINVAL);
	assert_true(strstr(eal_test_log_lines[0].text, "not the start") != NULL);
	assert_int_equal(eal__heap_elem_check(p + 64), -EINVAL);
	assert_int_equal(eal__heap_elem_check(foreign + 64), -EINVAL);
	assert_int_equal(eal__heap_elem_check(p + 1), -EINVAL);
	assert_int_equal(eal__heap_usable_size(foreign + 64), 0);
	{
		struct eal_malloc_heap *h = (void *)0x1;

		assert_int_equal(eal__heap_of(foreign + 64, &h), -EINVAL);
		assert_int_equal(eal__heap_of(p + 64, &h), -EINVAL);
		assert_int_equal(eal__heap_of(p + 8, &h), -EINVAL);
		assert_int_equal(eal__heap_of(NULL, &h), -EINVAL);
		assert_ptr_equal(h, (void *)0x1);
	}
	after = stats();
	assert_memory_equal(&before, &after, sizeof(before));
	assert_valid(fx.heap);

	/* Double free, plain and after the block merged away. */
	must_free(q);
	expect_free_error(q, -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "double free"), 1);
	must_free(p); /* p (above q) merges into q's block: its header is gone */
	expect_free_error(p, -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "double free"), 1);
	expect_free_error(q, -EINVAL);
	assert_valid(fx.heap);
	assert_true(pattern_ok(r, 300, 13));
	must_free(r);
	expect_free_error(r, -EINVAL);
	{
		struct eal_malloc_heap *h = NULL;

		assert_int_equal(eal__heap_of(r, &h), -EINVAL);
	}
	/* realloc of a freed block says so, without calling it a double free. */
	eal_test_log_n = 0;
	assert_int_equal(eal__heap_realloc_in_place(r, 10), -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "already freed"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "double free"), 0);
	assert_all_free();
}

static void
test_overflow(void **state)
{
	static const size_t sizes[] = { 1, 100, 128, 4096, 5000 };

	(void)state;
	for (unsigned int i = 0; i < EAL_DIM(sizes); i++) {
		uint8_t *p = must_alloc(sizes[i], 0, 0);
		uint8_t *q = must_alloc(64, 0, 0);
		size_t usable = eal__heap_usable_size(p);
		uint8_t saved;

		pattern_fill(p, usable, i);
		assert_valid(fx.heap);
		/* One byte past the usable size. */
		saved = p[usable];
		p[usable] ^= 0x40;
		assert_invalid(fx.heap, "canary");
		assert_int_equal(eal__heap_elem_check(p), -EUCLEAN);
		expect_free_error(p, -EUCLEAN);
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "past its end"), 1);
		assert_int_equal(eal__heap_realloc_in_place(p, 8), -EUCLEAN);
		p[usable] = saved;
		assert_valid(fx.heap);
		assert_int_equal(eal__heap_elem_check(p), 0);
		assert_true(pattern_ok(p, usable, i));
		must_free(p);
		must_free(q);
		assert_all_free();
	}

	/* Underflow into the header: each field matters. */
	for (unsigned int off = 8; off < HDR; off += 8) {
		uint8_t *p = must_alloc(200, 0, 0);
		uint8_t *q = must_alloc(200, 0, 0);
		uint8_t hdr[HDR];

		memcpy(hdr, p - HDR, HDR);
		p[(ptrdiff_t)off - (ptrdiff_t)HDR] ^= 0x1;
		assert_invalid(fx.heap, "corrupt");
		assert_int_equal(eal__heap_elem_check(p), off == 8 ? -EINVAL : -EUCLEAN);
		expect_free_error(p, off == 8 ? -EINVAL : -EUCLEAN);
		memcpy(p - HDR, hdr, HDR);
		assert_valid(fx.heap);
		must_free(p);
		must_free(q);
		assert_all_free();
	}

	/* A stray write on the guard word of a header after a free block
	 * (here the region's end sentinel). */
	{
		uint8_t *end = fx.base + OFF_A + REGION_SZ - HDR;
		uint64_t saved;

		memcpy(&saved, end, 8);
		end[3] ^= 0x10;
		assert_invalid(fx.heap, "guard word");
		memcpy(end, &saved, 8);
		assert_all_free();
	}

	/* The header after an allocation overwritten (a long overflow):
	 * free refuses to merge through it. q lies below p. */
	{
		uint8_t *p = must_alloc(200, 0, 0);
		uint8_t *q = must_alloc(200, 0, 0);
		struct eal_malloc_elem *ph = (struct eal_malloc_elem *)(void *)(p - HDR);
		uint64_t size = ph->size;

		assert_ptr_equal(q + 320, p);
		ph->size = 1u << 20;
		assert_invalid(fx.heap, "corrupt");
		expect_free_error(q, -EUCLEAN);
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "after this allocation"), 1);
		ph->size = size;
		assert_valid(fx.heap);
		must_free(q);
		must_free(p);
		assert_all_free();
	}
}

/* ---- interior pointers ---------------------------------------------------- */

static void
test_elem_find(void **state)
{
	uint8_t *p, *q, *r, *big;
	void *start = NULL;
	size_t size = 0;

	(void)state;
	p = must_alloc(1000, 0, 0);
	q = must_alloc(100, 0, 0);
	big = must_alloc(3 * MiB, 0, 0); /* does not fit behind p and q in... any region: fine */
	r = must_alloc(3 * MiB, 0, 0);   /* another region */
	assert_int_equal(eal__heap_elem_find(fx.heap, p, &start, &size), 0);
	assert_ptr_equal(start, p);
	assert_int_equal(size, 1000);
	assert_int_equal(eal__heap_elem_find(fx.heap, p + 999, &start, &size), 0);
	assert_ptr_equal(start, p);
	assert_int_equal(eal__heap_elem_find(fx.heap, q + 50, &start, &size), 0);
	assert_ptr_equal(start, q);
	assert_int_equal(size, 104);
	assert_int_equal(eal__heap_elem_find(fx.heap, big + 3 * MiB - 1, &start, &size), 0);
	assert_ptr_equal(start, big);
	assert_int_equal(eal__heap_elem_find(fx.heap, r + 12345, &start, &size), 0);
	assert_ptr_equal(start, r);
	assert_int_equal(size, 3 * MiB);

	start = (void *)0x1;
	size = 7;
	/* Past the usable bytes, in a header, in a free block, in a region
	 * header or sentinel, outside the heap. */
	assert_int_equal(eal__heap_elem_find(fx.heap, p + 1000, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, q - 1, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, q - HDR, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, fx.base + OFF_A, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, fx.base + OFF_B - 1, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, fx.base + OFF_C - 1, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, fx.base + OFF_C + REGION_SZ, &start, &size),
			 -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, fx.base - 1, &start, &size), -ENOENT);
	assert_int_equal(eal__heap_elem_find(fx.heap, r + 3 * MiB + 4096, &start, &size), -ENOENT);
	assert_ptr_equal(start, (void *)0x1);
	assert_int_equal(size, 7);
	must_free(q);
	assert_int_equal(eal__heap_elem_find(fx.heap, q + 50, &start, &size), -ENOENT);
	must_free(p);
	must_free(big);
	must_free(r);
	assert_all_free();
}

/* ---- the randomised model ------------------------------------------------ */

#define MAX_LIVE 1024

struct live {
	uint8_t *p;
	size_t size;   /* bytes filled with the pattern */
	size_t usable; /* as reported */
	uint64_t seed;
};

struct model {
	struct live a[MAX_LIVE];
	unsigned int n;
	uint64_t next_seed;
	unsigned long allocs, frees, grows, shrinks, enomem, realloc_enomem;
};

static size_t
model_busy_min(const struct model *m)
{
	size_t sum = 0;

	for (unsigned int i = 0; i < m->n; i++)
		sum += EAL_ALIGN_CEIL(HDR + m->a[i].usable, HDR);
	return sum;
}

static void
model_check_stats(const struct model *m)
{
	struct eal__heap_stats s = stats();

	assert_int_equal(s.alloc_count, m->n);
	assert_int_equal(s.heap_totalsz_bytes, fx.total);
	/* Busy blocks hold at least their header and usable bytes. */
	assert_true(s.heap_freesz_bytes + model_busy_min(m) + fx.n_regions * REGION_OVERHEAD <=
		    fx.total);
	assert_int_equal(s.heap_allocsz_bytes, fx.total - s.heap_freesz_bytes);
}

static void
model_check_new(const struct model *m, const uint8_t *p, size_t size, size_t usable)
{
	for (unsigned int i = 0; i < m->n; i++) {
		const struct live *l = &m->a[i];

		if (p < l->p + l->usable && l->p < p + usable)
			fail_msg("%p+%zu overlaps live %p+%zu", (const void *)p, usable,
				 (const void *)l->p, l->usable);
	}
	assert_true(usable >= size && usable < size + 8);
	assert_true(p >= fx.base && p + usable <= fx.base + RESERVE_SZ);
}

static size_t
random_size(size_t max_shift)
{
	return 1 + (size_t)eal_test_rng_below((uint64_t)1 << eal_test_rng_below(max_shift + 1));
}

static void
model_alloc(struct model *m, size_t max_shift)
{
	static const size_t aligns[] = { 0, 0, 0, 64, 128, 4096 };
	size_t size = random_size(max_shift), align, bound = 0, search, need;
	uint64_t pick = eal_test_rng_below(100);
	uint8_t *p = NULL;
	int rc;

	align = pick < 2 ? 2 * MiB : aligns[eal_test_rng_below(EAL_DIM(aligns))];
	if (eal_test_rng_below(5) == 0)
		bound = pow2_ceil(size) << eal_test_rng_below(3);
	rc = eal__heap_alloc(fx.heap, size, align, bound, (void **)&p);
	if (rc == -ENOMEM) {
		/* Only when no block could hold the worst placement. */
		struct eal__heap_stats s = stats();
		size_t a = align < HDR ? HDR : align;

		need = EAL_ALIGN_CEIL(HDR + EAL_ALIGN_CEIL(size, 8), HDR);
		search = need + a - HDR + (bound > a ? size : 0);
		if (s.greatest_free_size >= search + search / 32 + HDR)
			fail_msg("alloc(%zu, %zu, %zu): -ENOMEM with a free block of %zu", size,
				 align, bound, s.greatest_free_size);
		m->enomem++;
		return;
	}
	assert_int_equal(rc, 0);
	if (align != 0)
		assert_int_equal((uintptr_t)p % align, 0);
	assert_int_equal((uintptr_t)p % 64, 0);
	assert_false(crosses((uintptr_t)p, size, bound));
	model_check_new(m, p, size, eal__heap_usable_size(p));
	m->a[m->n] = (struct live){ p, size, eal__heap_usable_size(p), m->next_seed++ };
	pattern_fill(p, size, m->a[m->n].seed);
	m->n++;
	m->allocs++;
}

static void
model_free(struct model *m, unsigned int i)
{
	struct live *l = &m->a[i];

	if (!pattern_ok(l->p, l->size, l->seed))
		fail_msg("contents of %p (%zu bytes) changed", (void *)l->p, l->size);
	must_free(l->p);
	*l = m->a[--m->n];
	m->frees++;
}

static void
model_realloc(struct model *m, unsigned int i, size_t max_shift)
{
	struct live *l = &m->a[i], self;
	size_t new_size, keep;
	int rc;

	if (eal_test_rng_below(2) == 0)
		new_size = 1 + (size_t)eal_test_rng_below(l->size);
	else
		new_size = l->size + random_size(max_shift);
	rc = eal__heap_realloc_in_place(l->p, new_size);
	keep = new_size < l->size ? new_size : l->size;
	if (rc == -ENOMEM) {
		assert_true(new_size > l->usable);
		assert_int_equal(eal__heap_usable_size(l->p), l->usable);
		assert_true(pattern_ok(l->p, l->size, l->seed));
		m->realloc_enomem++;
		return;
	}
	assert_int_equal(rc, 0);
	if (!pattern_ok(l->p, keep, l->seed))
		fail_msg("realloc %zu -> %zu lost the contents", l->size, new_size);
	if (new_size > l->size)
		m->grows++;
	else
		m->shrinks++;
	/* Take it out of the model, check it against the others, put it
	 * back with its new size and a new pattern. */
	self = *l;
	self.size = new_size;
	self.usable = eal__heap_usable_size(self.p);
	self.seed = m->next_seed++;
	*l = m->a[--m->n];
	model_check_new(m, self.p, self.size, self.usable);
	m->a[m->n++] = self;
	pattern_fill(self.p, self.size, self.seed);
}

static void
model_run(uint64_t seed, unsigned int steps, size_t max_shift, unsigned int validate_every)
{
	struct model *m = calloc(1, sizeof(*m));
	void *start = NULL;
	size_t size = 0;

	assert_non_null(m);
	eal_test_rng_seed(seed);
	m->next_seed = seed << 32;
	for (unsigned int step = 0; step < steps; step++) {
		uint64_t op = eal_test_rng_below(100);

		if (m->n == 0 || (op < 45 && m->n < MAX_LIVE))
			model_alloc(m, max_shift);
		else if (op < 80 || m->n == MAX_LIVE)
			model_free(m, (unsigned int)eal_test_rng_below(m->n));
		else
			model_realloc(m, (unsigned int)eal_test_rng_below(m->n), max_shift);

		model_check_stats(m);
		if (m->n > 0) {
			struct live *l = &m->a[eal_test_rng_below(m->n)];
			size_t off = (size_t)eal_test_rng_below(l->usable);

			assert_int_equal(eal__heap_elem_find(fx.heap, l->p + off, &start, &size),
					 0);
			assert_ptr_equal(start, l->p);
			assert_int_equal(size, l->usable);
			assert_int_equal(eal__heap_elem_check(l->p), 0);
		}
		if (step % validate_every == 0)
			assert_valid(fx.heap);
	}
	assert_valid(fx.heap);
	print_message("# seed %" PRIu64 ": %lu allocs (%lu ENOMEM), %lu frees, %lu grows and "
		      "%lu shrinks in place (%lu ENOMEM), %u live at the end\n",
		      seed, m->allocs, m->enomem, m->frees, m->grows, m->shrinks, m->realloc_enomem,
		      m->n);
	/* Each outcome happened: the run covered what it claims to. */
	assert_true(m->allocs > 0 && m->frees > 0 && m->grows > 0 && m->shrinks > 0);
	while (m->n > 0)
		model_free(m, (unsigned int)eal_test_rng_below(m->n));
	assert_all_free();
	free(m);
}

static void
test_random_mixed(void **state)
{
	static const uint64_t seeds[] = { 1, 2, 3, 42, 20240601 };

	(void)state;
	for (unsigned int i = 0; i < EAL_DIM(seeds); i++)
		model_run(seeds[i], 4000, 20, 50);
}

static void
test_random_small(void **state)
{
	static const uint64_t seeds[] = { 7, 8, 9 };

	(void)state;
	/* Up to 4 KiB: many blocks, many merges, the heap rarely full. */
	for (unsigned int i = 0; i < EAL_DIM(seeds); i++)
		model_run(seeds[i], 6000, 12, 100);
}

static void
test_random_full(void **state)
{
	(void)state;
	/* Up to 1 MiB on one region: often full, ENOMEM paths. */
	model_run(99, 4000, 20, 25);
}

/* ---- releasing pages ------------------------------------------------------ */

#define MAX_RUNS 64

static struct {
	uintptr_t addr[MAX_RUNS];
	size_t len[MAX_RUNS];
	unsigned int n;
	int fail_rc;        /* returned instead of releasing */
	unsigned int fail_mask; /* which calls fail (bit i: call i) */
	unsigned int calls;
} rel;

static int
release_cb(void *addr, size_t len, void *arg)
{
	unsigned int call = rel.calls++;

	assert_ptr_equal(arg, &rel);
	if (call < 32 && (rel.fail_mask & (1u << call)))
		return rel.fail_rc;
	assert_true(rel.n < MAX_RUNS);
	rel.addr[rel.n] = (uintptr_t)addr;
	rel.len[rel.n] = len;
	rel.n++;
	/* Gone: any later access by the heap faults. */
	assert_int_equal(mprotect(addr, len, PROT_NONE), 0);
	return 0;
}

static void
rel_reset(void)
{
	memset(&rel, 0, sizeof(rel));
}

static size_t
rel_total(void)
{
	size_t sum = 0;

	for (unsigned int i = 0; i < rel.n; i++)
		sum += rel.len[i];
	return sum;
}

/* Every released run is whole pages and overlaps no live allocation. */
static void
rel_check_runs(size_t page_sz, void *const *live, const size_t *live_len, unsigned int n_live)
{
	for (unsigned int i = 0; i < rel.n; i++) {
		assert_int_equal(rel.addr[i] % page_sz, 0);
		assert_int_equal(rel.len[i] % page_sz, 0);
		assert_true(rel.len[i] > 0);
		for (unsigned int j = 0; j < n_live; j++) {
			uintptr_t p = (uintptr_t)live[j] - HDR;

			assert_false(p < rel.addr[i] + rel.len[i] &&
				     rel.addr[i] < (uintptr_t)live[j] + live_len[j]);
		}
	}
}

static void
test_release_whole_region(void **state)
{
	struct eal__heap_stats s;

	(void)state;
	add_region(OFF_D, D_SZ);
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, 2 * MiB, 0, release_cb, &rel), 0);
	assert_int_equal(rel.n, 1);
	assert_int_equal(rel.addr[0], (uintptr_t)(fx.base + OFF_D));
	assert_int_equal(rel.len[0], D_SZ);
	s = stats();
	assert_int_equal(s.heap_totalsz_bytes, 0);
	assert_int_equal(s.heap_freesz_bytes, 0);
	assert_int_equal(s.free_count, 0);
	assert_int_equal(fx.heap->n_regions, 0);
	assert_valid(fx.heap);
	fx.total = 0;
	fx.n_regions = 0;
	/* Empty: alloc fails until memory comes back. */
	{
		void *p = NULL;

		assert_int_equal(eal__heap_alloc(fx.heap, 64, 0, 0, &p), -ENOMEM);
	}
	add_region(OFF_D, D_SZ);
	assert_all_free();

	/* keep_free: the region's free bytes are all there is; keeping even
	 * one byte keeps the only page. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, 2 * MiB, 1, release_cb, &rel), 0);
	assert_int_equal(rel.calls, 0);
	assert_all_free();

	/* No whole 2 MiB page in a 4 MiB region that is not 2 MiB aligned
	 * at both ends... A and B are: each goes alone, never merged. */
	add_region(OFF_A, REGION_SZ);
	add_region(OFF_B, REGION_SZ);
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, 2 * MiB, 0, release_cb, &rel), 0);
	assert_int_equal(rel.n, 3);
	assert_int_equal(rel_total(), D_SZ + 2 * REGION_SZ);
	for (unsigned int i = 0; i < rel.n; i++)
		assert_true(rel.len[i] == REGION_SZ || rel.len[i] == D_SZ);
	assert_int_equal(stats().heap_totalsz_bytes, 0);
	assert_valid(fx.heap);

	/* Invalid arguments. */
	assert_int_equal(eal__heap_release_pages(fx.heap, 3000, 0, release_cb, &rel), -EINVAL);
	assert_int_equal(eal__heap_release_pages(fx.heap, 32, 0, release_cb, &rel), -EINVAL);
	assert_int_equal(eal__heap_release_pages(fx.heap, 4096, 0, NULL, &rel), -EINVAL);
}

/* Expected hole of a free block [a, b): see carve_plan() in the source. */
static void
hole_of(uintptr_t a, uintptr_t b, bool first, bool last, size_t pg, uintptr_t *h0, uintptr_t *h1)
{
	if (first && (a - HDR) % pg == 0)
		*h0 = a - HDR;
	else
		*h0 = EAL_ALIGN_CEIL(a + HDR + (first ? HDR : 0), pg);
	if (last && (b + HDR) % pg == 0)
		*h1 = b + HDR;
	else
		*h1 = EAL_ALIGN_FLOOR(b - HDR - (last ? HDR : 0), pg);
}

static void
test_release_middle(void **state)
{
	const size_t pg = 4096;
	uint8_t *p, *x, *q;
	void *live[3];
	size_t live_len[3];
	uintptr_t xa, xb, ya, yb, h0, h1, g0, g1;
	struct eal__heap_stats s0, s;

	(void)state;
	add_region(OFF_D, D_SZ);
	/* Downwards from the region's end: p, then x (1 MiB), then q; the
	 * rest is the free bottom. Then x is freed: a free block in the
	 * middle of the region, and one at its start. */
	p = must_alloc(100, 0, 0);
	x = must_alloc(1 * MiB, 0, 0);
	q = must_alloc(5000, 0, 0);
	pattern_fill(p, 100, 1);
	pattern_fill(q, 5000, 2);
	xa = (uintptr_t)x - HDR;
	xb = (uintptr_t)p - HDR;
	ya = (uintptr_t)(fx.base + OFF_D + HDR);
	yb = (uintptr_t)q - HDR;
	must_free(x);
	assert_valid(fx.heap);
	s0 = stats();
	assert_int_equal(s0.free_count, 2);

	hole_of(xa, xb, false, false, pg, &h0, &h1);
	hole_of(ya, yb, true, false, pg, &g0, &g1);
	assert_int_equal(g0, (uintptr_t)(fx.base + OFF_D)); /* the head goes */

	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), 0);
	assert_int_equal(rel.n, 2);
	/* Largest first: the middle (1 MiB), then the bottom (a bit less). */
	assert_int_equal(rel.addr[0], h0);
	assert_int_equal(rel.len[0], h1 - h0);
	assert_int_equal(rel.addr[1], g0);
	assert_int_equal(rel.len[1], g1 - g0);
	live[0] = p;
	live_len[0] = 100;
	live[1] = q;
	live_len[1] = 5000;
	rel_check_runs(pg, live, live_len, 2);

	s = stats();
	assert_int_equal(s.heap_totalsz_bytes, s0.heap_totalsz_bytes - rel_total());
	/* Free bytes lost: the runs, and the new end sentinel and region
	 * header of the split. (The bottom's run takes the region header
	 * with it and a new one comes out of its free bytes: even.) */
	assert_int_equal(s.heap_freesz_bytes, s0.heap_freesz_bytes - rel_total() - 2 * HDR);
	assert_int_equal(fx.heap->n_regions, 2);
	assert_valid(fx.heap);
	assert_true(pattern_ok(p, 100, 1));
	assert_true(pattern_ok(q, 5000, 2));

	/* Nothing left to give. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), 0);
	assert_int_equal(rel.calls, 0);

	/* Small allocations still work in the pieces; large ones need the
	 * memory back. */
	{
		void *a = must_alloc(200, 0, 0), *b = NULL;

		assert_int_equal(eal__heap_alloc(fx.heap, 100 * KiB, 0, 0, &b), -ENOMEM);
		assert_valid(fx.heap);
		must_free(a);
	}
	fx.total = stats().heap_totalsz_bytes;
	fx.n_regions = fx.heap->n_regions;
	for (unsigned int i = 0; i < 2; i++) {
		uintptr_t addr = i == 0 ? g0 : h0;
		size_t len = i == 0 ? g1 - g0 : h1 - h0;

		make_rw((void *)addr, len);
		assert_int_equal(eal__heap_add_memory(fx.heap, (void *)addr, len), 0);
		fx.total += len;
		fx.n_regions++;
	}
	{
		void *a = must_alloc(100 * KiB, 0, 0);

		memset(a, 1, 100 * KiB);
		must_free(a);
	}
	must_free(p);
	must_free(q);
	assert_all_free();
	assert_int_equal(fx.n_regions, 4);
}

static void
test_release_keep_free(void **state)
{
	const size_t pg = 4096;
	struct eal__heap_stats s;
	size_t free0, keep;

	(void)state;
	add_region(OFF_A, REGION_SZ);
	free0 = stats().heap_freesz_bytes;
	keep = 1 * MiB;

	/* Exactly the whole pages beyond keep_free go. The region starts on
	 * a page, so its head (header included) goes first. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, keep, release_cb, &rel), 0);
	assert_int_equal(rel_total(), (free0 - keep) / pg * pg);
	assert_int_equal(rel.addr[0], (uintptr_t)(fx.base + OFF_A));
	s = stats();
	assert_true(s.heap_freesz_bytes >= keep);
	assert_true(s.heap_freesz_bytes < keep + pg);
	assert_int_equal(s.heap_totalsz_bytes, REGION_SZ - rel_total());
	assert_valid(fx.heap);

	/* Hysteresis: the same call again gives nothing. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, keep, release_cb, &rel), 0);
	assert_int_equal(rel.calls, 0);

	/* The kept memory serves allocations. */
	{
		void *a = must_alloc(512 * KiB, 0, 0);

		memset(a, 2, 512 * KiB);
		assert_valid(fx.heap);
		must_free(a);
	}
	/* keep_free 0: the rest of the region, which is whole pages. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), 0);
	assert_int_equal(rel.n, 1);
	assert_int_equal(rel.addr[0] + rel.len[0], (uintptr_t)(fx.base + OFF_A + REGION_SZ));
	s = stats();
	assert_int_equal(s.heap_totalsz_bytes, 0);
	assert_int_equal(fx.heap->n_regions, 0);
	assert_valid(fx.heap);

	/* Small allocations with 200 KiB free blocks between them, and
	 * keep_free ten pages and a bit below the free bytes: the largest
	 * free block, the region's bottom, starts on a page with the region
	 * header, which goes with its head: the loss is the pages alone,
	 * ten of them. */
	add_region(OFF_B, REGION_SZ);
	{
		void *small[16], *gap[16];
		size_t lens[16];
		size_t before, k;

		for (unsigned int i = 0; i < 16; i++) {
			lens[i] = 1000;
			small[i] = must_alloc(lens[i], 0, 0);
			gap[i] = must_alloc(200 * KiB, 0, 0);
		}
		for (unsigned int i = 0; i < 16; i++)
			must_free(gap[i]);
		assert_valid(fx.heap);
		before = stats().heap_freesz_bytes;
		k = before - 10 * pg - 100;
		rel_reset();
		assert_int_equal(eal__heap_release_pages(fx.heap, pg, k, release_cb, &rel), 0);
		s = stats();
		assert_true(s.heap_freesz_bytes >= k);
		assert_int_equal(rel_total(), 10 * pg);
		assert_int_equal(rel.n, 1);
		assert_int_equal(rel.addr[0], (uintptr_t)(fx.base + OFF_B));
		rel_check_runs(pg, small, lens, 16);
		assert_valid(fx.heap);
		rel_reset();
		assert_int_equal(eal__heap_release_pages(fx.heap, pg, k, release_cb, &rel), 0);
		assert_int_equal(rel.calls, 0);
		for (unsigned int i = 0; i < 16; i++)
			must_free(small[i]);
		assert_valid(fx.heap);
		assert_int_equal(stats().alloc_count, 0);
	}
}

static void
test_release_failure(void **state)
{
	const size_t pg = 4096;
	struct eal__heap_stats s0, s;
	uint8_t *p, *q;

	(void)state;
	add_region(OFF_A, REGION_SZ);
	add_region(OFF_B, REGION_SZ);
	p = must_alloc(500 * KiB, 0, 0);
	q = must_alloc(500 * KiB, 0, 0);
	pattern_fill(q, 500 * KiB, 5);
	must_free(p);
	s0 = stats();

	/* Every release refused (pinned pages): the heap is untouched and the
	 * first error is returned. */
	rel_reset();
	rel.fail_rc = -EBUSY;
	rel.fail_mask = ~0u;
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), -EBUSY);
	assert_int_equal(rel.calls, 3);
	s = stats();
	assert_memory_equal(&s, &s0, sizeof(s));
	assert_valid(fx.heap);

	/* The first refused, the others go. */
	rel_reset();
	rel.fail_rc = -EPERM;
	rel.fail_mask = 1;
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), -EPERM);
	assert_int_equal(rel.calls, 3);
	assert_int_equal(rel.n, 2);
	s = stats();
	assert_int_equal(s.heap_totalsz_bytes, s0.heap_totalsz_bytes - rel_total());
	assert_valid(fx.heap);
	assert_true(pattern_ok(q, 500 * KiB, 5));

	/* Asked again, the refused one goes now. */
	rel_reset();
	assert_int_equal(eal__heap_release_pages(fx.heap, pg, 0, release_cb, &rel), 0);
	assert_int_equal(rel.n, 1);
	assert_valid(fx.heap);
	must_free(q);
	assert_valid(fx.heap);
}

/* Random allocations, then release with random keep_free and page sizes:
 * the heap stays valid, the contents stay, allocation keeps working. */
static void
test_release_random(void **state)
{
	static const size_t pages[] = { 4096, 65536, 2 * MiB };
	struct model *m = calloc(1, sizeof(*m));
	unsigned long runs = 0, bytes = 0;
	int rc;

	(void)state;
	assert_non_null(m);
	eal_test_rng_seed(77);
	m->next_seed = 1;
	for (unsigned int round = 0; round < 40; round++) {
		size_t pg = pages[eal_test_rng_below(EAL_DIM(pages))];
		struct eal__heap_stats s0 = stats(), s;
		size_t keep = (size_t)eal_test_rng_below(s0.heap_freesz_bytes + 1);
		void *live[MAX_LIVE];
		size_t live_len[MAX_LIVE];

		for (unsigned int k = 0; k < 60; k++) {
			if (m->n == 0 || (eal_test_rng_below(100) < 55 && m->n < MAX_LIVE))
				model_alloc(m, 18);
			else
				model_free(m, (unsigned int)eal_test_rng_below(m->n));
		}
		s0 = stats();
		rel_reset();
		assert_int_equal(eal__heap_release_pages(fx.heap, pg, keep, release_cb, &rel), 0);
		s = stats();
		for (unsigned int i = 0; i < m->n; i++) {
			live[i] = m->a[i].p;
			live_len[i] = m->a[i].usable;
		}
		rel_check_runs(pg, live, live_len, m->n);
		assert_int_equal(s.heap_totalsz_bytes, s0.heap_totalsz_bytes - rel_total());
		if (rel.n > 0)
			assert_true(s.heap_freesz_bytes >= keep);
		assert_valid(fx.heap);
		for (unsigned int i = 0; i < m->n; i++)
			assert_true(pattern_ok(m->a[i].p, m->a[i].size, m->a[i].seed));
		runs += rel.n;
		bytes += rel_total();
		/* Nothing more could go: asked again, the heap gives nothing. */
		{
			unsigned int n = rel.n;

			rel.calls = 0;
			assert_int_equal(eal__heap_release_pages(fx.heap, pg, keep, release_cb, &rel),
					 0);
			assert_int_equal(rel.calls, 0);
			assert_int_equal(rel.n, n);
		}
		/* Give the runs back, as a page allocator would map them
		 * again: new regions. */
		fx.total = s.heap_totalsz_bytes;
		fx.n_regions = fx.heap->n_regions;
		for (unsigned int i = 0; i < rel.n; i++) {
			make_rw((void *)rel.addr[i], rel.len[i]);
			rc = eal__heap_add_memory(fx.heap, (void *)rel.addr[i], rel.len[i]);
			assert_int_equal(rc, 0);
			fx.total += rel.len[i];
			fx.n_regions++;
		}
		model_check_stats(m);
		assert_valid(fx.heap);
	}
	print_message("# release: %lu runs, %lu bytes over 40 rounds; %u regions at the end\n",
		      runs, bytes, fx.heap->n_regions);
	assert_true(runs > 40);
	while (m->n > 0)
		model_free(m, (unsigned int)eal_test_rng_below(m->n));
	assert_valid(fx.heap);
	assert_int_equal(stats().alloc_count, 0);
	assert_int_equal(stats().free_count, fx.heap->n_regions);
	free(m);
}

/* ---- speed (printed, never asserted) ------------------------------------ */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define BENCH_SLOTS 1024
/* At debug level 3 every operation runs the heap checker: timing means
 * nothing there, only that the workload runs. */
#if EAL_DEBUG >= 3
#define BENCH_OPS 20000
#else
#define BENCH_OPS 2000000
#endif

/* The mixed workload: a window of slots; each step frees the slot's
 * block or allocates one of a size drawn mostly small, sometimes large. */
static size_t
bench_size(void)
{
	uint64_t r = eal_test_rng_below(100);

	if (r < 60)
		return 16 + (size_t)eal_test_rng_below(240);
	if (r < 90)
		return 256 + (size_t)eal_test_rng_below(3840);
	return 4096 + (size_t)eal_test_rng_below(60 * 1024);
}

static double
bench_heap(bool locked)
{
	static void *slot[BENCH_SLOTS];
	unsigned long pairs = 0;
	uint64_t t0, t1;

	memset(slot, 0, sizeof(slot));
	eal_test_rng_seed(5);
	t0 = now_ns();
	for (unsigned int i = 0; i < BENCH_OPS; i++) {
		unsigned int k = (unsigned int)eal_test_rng_below(BENCH_SLOTS);

		if (locked)
			(void)eal__heap_lock(fx.heap);
		if (slot[k] != NULL) {
			(void)eal__heap_free(slot[k], NULL);
			slot[k] = NULL;
			pairs++;
		} else if (eal__heap_alloc(fx.heap, bench_size(), 0, 0, &slot[k]) == 0) {
			*(volatile char *)slot[k] = 1;
		} else {
			slot[k] = NULL;
		}
		if (locked)
			eal__heap_unlock(fx.heap);
	}
	t1 = now_ns();
	for (unsigned int k = 0; k < BENCH_SLOTS; k++)
		if (slot[k] != NULL)
			assert_int_equal(eal__heap_free(slot[k], NULL), 0);
	return (double)(t1 - t0) / (double)pairs;
}

static double
bench_glibc(void)
{
	static void *slot[BENCH_SLOTS];
	unsigned long pairs = 0;
	uint64_t t0, t1;

	memset(slot, 0, sizeof(slot));
	eal_test_rng_seed(5);
	t0 = now_ns();
	for (unsigned int i = 0; i < BENCH_OPS; i++) {
		unsigned int k = (unsigned int)eal_test_rng_below(BENCH_SLOTS);

		if (slot[k] != NULL) {
			free(slot[k]);
			slot[k] = NULL;
			pairs++;
		} else {
			slot[k] = malloc(bench_size());
			*(volatile char *)slot[k] = 1;
		}
	}
	t1 = now_ns();
	for (unsigned int k = 0; k < BENCH_SLOTS; k++)
		free(slot[k]);
	return (double)(t1 - t0) / (double)pairs;
}

static void
test_speed(void **state)
{
	double core, locked, libc;

	(void)state;
	/* meson sets MALLOC_PERTURB_, which has glibc fill memory on every
	 * call: compare with glibc as programs run it. */
	(void)mallopt(M_PERTURB, 0);
	/* Warm both up once (page faults), then measure. */
	(void)bench_heap(false);
	(void)bench_glibc();
	core = bench_heap(false);
	locked = bench_heap(true);
	libc = bench_glibc();
	assert_valid(fx.heap);
	assert_all_free();
	print_message("# mixed workload (16 B..64 KiB, %u live slots, %u ops%s): %.1f ns per "
		      "alloc/free pair (%.1f with the heap lock), glibc malloc %.1f ns\n",
		      BENCH_SLOTS, BENCH_OPS, EAL_DEBUG >= 3 ? ", debug level 3" : "", core,
		      locked, libc);
}

/* A process killed holding the heap lock: the next holder gets the lock
 * (1: recovered), checks the heap and says whether it is sound; a heap
 * the dead process left corrupt is reported, not used silently. */
static void
test_lock_recovered_from_dead_holder(void **state)
{
	size_t len = 1 << 20;
	struct eal_malloc_heap *heap = mmap(NULL, sizeof(*heap) + len, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	void *mem = (char *)heap + EAL_ALIGN_CEIL(sizeof(*heap), 4096);
	void *p = NULL;

	(void)state;
	assert_true(heap != MAP_FAILED);
	eal__heap_init(heap, "dead", 0);
	assert_int_equal(eal__heap_add_memory(heap, mem, len - 4096 * 4), 0);
	assert_int_equal(eal__heap_alloc(heap, 1000, 0, 0, &p), 0);
	eal_test_log_capture("heap", EAL_LOG_WARNING);
	for (int corrupt = 0; corrupt < 2; corrupt++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			(void)eal__heap_lock(heap);
			if (corrupt)
				memset((char *)p + 1000, 0x77, 200); /* over the next header */
			_exit(0); /* dies holding the lock */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		eal_test_log_n = 0;
		assert_int_equal(eal__heap_lock(heap), 1);
		if (corrupt)
			assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "left the heap corrupt"), 1);
		else
			assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "checks out"), 1);
		eal__heap_unlock(heap);
	}
	eal_log_set_handler(NULL, NULL);
	munmap(heap, sizeof(*heap) + len);
}

/* What a crash child released, in shared memory: the parent makes it
 * inaccessible once the child is dead, as a real release would have (a
 * recovery that walks into released pages then faults). */
struct released_log {
	uint64_t n;
	uint64_t range[64][2];
};

/* eal__heap_release_pages() callback of the crash test: the pages stay
 * mapped (the parent keeps checking the heap around them); logged. */
static int
release_keep_mapped(void *addr, size_t len, void *arg)
{
	struct released_log *log = arg;

	if (log != NULL && log->n < EAL_DIM(log->range)) {
		log->range[log->n][0] = (uintptr_t)addr;
		log->range[log->n][1] = len;
		log->n++;
	}
	return 0;
}

/* The child's workload: every kind of operation, in a fixed order, so
 * that "<point>@<n>" lands at a known spot. Returns only if the fault
 * point was not reached. */
static void
crash_child_work(struct eal_malloc_heap *heap, uint8_t *spare, size_t spare_len,
		 volatile int64_t *live, struct released_log *released)
{
	void *p[48] = { NULL };

	(void)eal__heap_lock(heap);
	for (unsigned int i = 0; i < EAL_DIM(p); i++)
		if (eal__heap_alloc(heap, 100 + 300 * i, i % 3 ? 0 : 4096, 0, &p[i]) == 0)
			++*live;
	/* odd ones freed first: the even ones, below them, grow into them */
	for (unsigned int i = 1; i < EAL_DIM(p); i += 2)
		if (eal__heap_free(p[i], NULL) == 0)
			--*live;
	for (unsigned int i = 0; i < EAL_DIM(p); i += 2)
		(void)eal__heap_realloc_in_place(p[i], i % 4 ? 60 : 300 + 400 * i);
	for (unsigned int i = 0; i < EAL_DIM(p); i += 2)
		if (eal__heap_free(p[i], NULL) == 0)
			--*live;
	(void)eal__heap_release_pages(heap, 4096, 0, release_keep_mapped, released);
	(void)eal__heap_add_memory(heap, spare, spare_len);
	eal__heap_unlock(heap);
}

/*
 * A process killed at each fault point inside the heap's operations
 * (several hits of each, so at different states): the next holder
 * finishes or rebuilds what was left, says so, and the heap validates,
 * keeps the parent's allocations intact and goes on working. The dead
 * process's blocks stay allocated, exactly those it had, give or take the
 * one in flight (never lost, never handed out twice). Also: a header the dead process left half-written is redone
 * from heap->pending (heap-header-half).
 */
static void
test_crash_points(void **state)
{
	static const char *const points[] = {
		"heap-header-half@1",   "heap-header-half@2",  "heap-header-half@7",
		"heap-header-half@31",  "heap-header-half@90", "heap-header-half@150",
		"heap-alloc-placed@1",  "heap-alloc-placed@5", "heap-alloc-placed@40",
		"heap-realloc-grown@1", "heap-realloc-grown@5", "heap-free-merged@1",
		"heap-free-merged@20",  "heap-free-merged@40", "heap-released@1",
		"heap-carve-half@1",    "heap-carve-half@2",   "heap-region-linking@1",
		"heap-prev-half@1",     "heap-prev-half@3",    "heap-prev-half@30",
	};
	/* A child that gets as far as the release gives the heap's free
	 * pages away: each round starts with refill_len more when low. */
	const size_t len = 8 * MiB, spare_len = 64 * KiB, refill_len = 2 * MiB;
	size_t map_len = EAL_ALIGN_CEIL(sizeof(struct eal_malloc_heap), 4096) + len +
			 EAL_DIM(points) * (spare_len + refill_len);
	struct eal_malloc_heap *heap =
		mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *mem = (uint8_t *)heap + EAL_ALIGN_CEIL(sizeof(*heap), 4096);
	uint8_t *spare = mem + len;
	volatile int64_t *live =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct released_log *released =
		mmap(NULL, sizeof(*released), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t leaked = 0;
	void *mine[16];
	char why[200];

	(void)state;
	assert_true(heap != MAP_FAILED && live != MAP_FAILED && released != MAP_FAILED);
	eal__heap_init(heap, "crash", 0);
	assert_int_equal(eal__heap_add_memory(heap, mem, len), 0);
	for (unsigned int i = 0; i < EAL_DIM(mine); i++) {
		assert_int_equal(eal__heap_alloc(heap, 1000 + 777 * i, 0, 0, &mine[i]), 0);
		pattern_fill(mine[i], 1000 + 777 * i, 900 + i);
	}
	/* holes between the parent's blocks, so that frees merge both ways */
	for (unsigned int i = 1; i < EAL_DIM(mine); i += 4) {
		assert_int_equal(eal__heap_free(mine[i], NULL), 0);
		mine[i] = NULL;
	}
	eal_test_log_capture("heap", EAL_LOG_WARNING);
	for (unsigned int k = 0; k < EAL_DIM(points); k++) {
		uint8_t *sp = spare + k * spare_len;
		uint64_t before = heap->alloc_count;
		int64_t left;
		pid_t pid;
		int status, rc;

		if (heap->free_size < refill_len)
			assert_int_equal(eal__heap_add_memory(heap, spare + EAL_DIM(points) * spare_len +
									     k * refill_len,
							      refill_len),
					 0);
		*live = 0;
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			setenv("EAL_TEST_FAULT", points[k], 1);
			eal__test_hook_reload();
			crash_child_work(heap, sp, spare_len, live, released);
			_exit(3); /* the point was not reached */
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("%s: child not killed at the point (status %#x)", points[k], status);
		for (uint64_t r = 0; r < released->n; r++)
			assert_int_equal(mprotect((void *)(uintptr_t)released->range[r][0],
						  released->range[r][1], PROT_NONE),
					 0);
		released->n = 0;
		eal_test_log_n = 0;
		assert_int_equal(eal__heap_lock(heap), 1);
		rc = eal__heap_validate(heap, why, sizeof(why));
		if (rc != 0)
			fail_msg("%s: heap invalid after recovery: %s", points[k], why);
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, NULL), 0);
		assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "lock recovered"), 1);
		assert_int_equal(heap->broken, 0);
		/* The dead child's blocks stay allocated (as in DPDK): those it
		 * counted, give or take the one operation in flight. */
		left = (int64_t)(heap->alloc_count - before);
		if (left < *live - 1 || left > *live + 1)
			fail_msg("%s: %" PRId64 " blocks left, the child had %" PRId64 " live",
				 points[k], left, *live);
		leaked += (uint64_t)left;
		for (unsigned int i = 0; i < EAL_DIM(mine); i++)
			if (mine[i] != NULL && !pattern_ok(mine[i], 1000 + 777 * i, 900 + i))
				fail_msg("%s: allocation %u of the parent changed", points[k], i);
		/* the heap goes on: allocate, resize and free around */
		for (unsigned int i = 0; i < 8; i++) {
			void *q;

			assert_int_equal(eal__heap_alloc(heap, 5000 + 100 * i, 64, 0, &q), 0);
			pattern_fill(q, 5000 + 100 * i, i);
			(void)eal__heap_realloc_in_place(q, 9000);
			assert_true(pattern_ok(q, 5000 + 100 * i, i));
			assert_int_equal(eal__heap_free(q, NULL), 0);
		}
		assert_int_equal(eal__heap_validate(heap, why, sizeof(why)), 0);
		eal__heap_unlock(heap);
	}
	eal_log_set_handler(NULL, NULL);

	/* Everything of the parent freed: what stays allocated is what the
	 * dead children had in flight, at most one block each. */
	for (unsigned int i = 0; i < EAL_DIM(mine); i++)
		if (mine[i] != NULL)
			assert_int_equal(eal__heap_free(mine[i], NULL), 0);
	assert_int_equal(eal__heap_validate(heap, why, sizeof(why)), 0);
	print_message("# crash points: %zu, blocks left by dead children: %" PRIu64 "\n",
		      EAL_DIM(points), heap->alloc_count);
	assert_int_equal(heap->alloc_count, leaked);
	munmap(heap, map_len);
	munmap((void *)live, 4096);
	munmap(released, sizeof(*released));
}

/* A dead holder that left a header it cannot explain (here: overwritten
 * by a stray write, no operation in flight): the heap is disabled, every
 * operation on it refused with -EUCLEAN and a message, never run on a
 * broken chain. */
static void
test_broken_heap_disabled(void **state)
{
	size_t len = 1 << 20;
	struct eal_malloc_heap *heap = mmap(NULL, sizeof(*heap) + len, PROT_READ | PROT_WRITE,
					    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *mem = (uint8_t *)heap + EAL_ALIGN_CEIL(sizeof(*heap), 4096);
	void *p = NULL, *q = NULL;
	char why[200];
	pid_t pid;
	int status;

	(void)state;
	assert_true(heap != MAP_FAILED);
	eal__heap_init(heap, "broken", 0);
	assert_int_equal(eal__heap_add_memory(heap, mem, len - 4096 * 4), 0);
	assert_int_equal(eal__heap_alloc(heap, 1000, 0, 0, &p), 0);
	assert_int_equal(eal__heap_alloc(heap, 1000, 0, 0, &q), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)eal__heap_lock(heap);
		memset((uint8_t *)q - HDR + 24, 0x55, 16); /* q's header: prev and size */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	eal_test_log_capture("heap", EAL_LOG_WARNING);
	eal_test_log_n = 0;
	assert_int_equal(eal__heap_lock(heap), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "is disabled"), 1);
	assert_int_equal(heap->broken, 1);
	assert_int_equal(eal__heap_validate(heap, why, sizeof(why)), -EUCLEAN);
	assert_non_null(strstr(why, "disabled"));
	assert_int_equal(eal__heap_alloc(heap, 100, 0, 0, &q), -EUCLEAN);
	assert_int_equal(eal__heap_free(p, NULL), -EUCLEAN);
	assert_int_equal(eal__heap_realloc_in_place(p, 10), -EUCLEAN);
	assert_int_equal(eal__heap_add_memory(heap, mem + len - 4096 * 3, 8192), -EUCLEAN);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "is disabled"), 3);
	eal__heap_unlock(heap);
	eal_log_set_handler(NULL, NULL);
	munmap(heap, sizeof(*heap) + len);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_and_add, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_invalid, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_basic, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_alignment, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_bound, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_exhaust, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_realloc_in_place, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_bad_pointers, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_overflow, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_elem_find, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_random_mixed, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_random_small, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_random_full, setup_a, teardown),
		cmocka_unit_test_setup_teardown(test_release_whole_region, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_release_middle, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_release_keep_free, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_release_failure, setup_none, teardown),
		cmocka_unit_test_setup_teardown(test_release_random, setup_abc, teardown),
		cmocka_unit_test_setup_teardown(test_speed, setup_abc, teardown),
		cmocka_unit_test(test_lock_recovered_from_dead_holder),
		cmocka_unit_test(test_crash_points),
		cmocka_unit_test(test_broken_heap_disabled),
	};

	eal_test_setup(argc, argv);
	/* Errors the tests provoke are checked, not printed. */
	eal_test_log_capture("heap", EAL_LOG_DEBUG);
	return cmocka_run_group_tests_name("malloc_elem", tests, NULL, NULL);
}
