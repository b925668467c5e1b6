/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared heap through the public API, on real 2 MiB hugepages (issue
 * 6): random malloc/zmalloc/calloc/realloc/free of 1 B to 8 MiB against a
 * shadow model that checks contents, alignment and bounds at every step,
 * eal_malloc_validate clean at the end; after everything is freed the
 * heap's pages are back with the kernel; a loop at a page boundary does
 * not map and unmap every time; bad pointers and double frees are
 * reported and change nothing; an overwritten header is found by validate.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memory.h"
#include "eal_memzone.h"

#define PG (2ull << 20)
#define SLOTS 256
#define OPS 6000

struct live {
	unsigned char *p;
	size_t size;
	unsigned int align;
	unsigned char seed;
};

static long free_base;

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void
fill(struct live *l)
{
	for (size_t i = 0; i < l->size; i++)
		l->p[i] = (unsigned char)(l->seed + i * 7);
}

static void
check(const struct live *l, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		if (l->p[i] != (unsigned char)(l->seed + i * 7))
			fail_msg("allocation %p of %zu: byte %zu changed", (void *)l->p, l->size, i);
}

static size_t
random_size(uint64_t *x)
{
	switch (xorshift(x) % 8) {
	case 0:
		return 1 + xorshift(x) % 8;
	case 1:
	case 2:
	case 3:
		return 1 + xorshift(x) % 512;
	case 4:
	case 5:
		return 1 + xorshift(x) % 65536;
	case 6:
		return 1 + xorshift(x) % (1u << 20);
	default:
		return 1 + xorshift(x) % (8u << 20);
	}
}

static void
init(void)
{
	char **argv;
	int argc = eal_test_argv(&argv, NULL);

	assert_int_equal(eal_init(argc, argv), argc - 1);
}

static void
test_random_against_model(void **state)
{
	static struct live slot[SLOTS];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	struct eal_malloc_socket_stats st;

	(void)state;
	init();
	for (int op = 0; op < OPS; op++) {
		struct live *l = &slot[xorshift(&x) % SLOTS];
		unsigned int aligns[] = { 0, 64, 128, 4096, 65536 };

		if (l->p == NULL) {
			int kind = (int)(xorshift(&x) % 3);

			l->size = random_size(&x);
			l->align = aligns[xorshift(&x) % EAL_DIM(aligns)];
			l->seed = (unsigned char)xorshift(&x);
			if (kind == 0)
				l->p = eal_malloc(NULL, l->size, l->align);
			else if (kind == 1)
				l->p = eal_zmalloc(NULL, l->size, l->align);
			else
				l->p = eal_calloc(NULL, 1, l->size, l->align);
			assert_non_null(l->p);
			assert_int_equal((uintptr_t)l->p % (l->align ? l->align : 64), 0);
			if (kind != 0)
				for (size_t i = 0; i < l->size; i++)
					if (l->p[i] != 0)
						fail_msg("zeroed allocation has byte %zu = %u", i, l->p[i]);
			assert_true(eal_malloc_virt2iova(l->p + l->size - 1) != EAL_BAD_IOVA);
			fill(l);
		} else if (xorshift(&x) % 3 == 0) {
			size_t n = random_size(&x);
			unsigned char *q = eal_realloc(l->p, n, l->align);

			assert_non_null(q);
			assert_int_equal((uintptr_t)q % (l->align ? l->align : 64), 0);
			l->p = q;
			check(l, n < l->size ? n : l->size);
			l->size = n;
			fill(l);
		} else {
			check(l, l->size);
			eal_free(l->p);
			l->p = NULL;
		}
	}
	/* no two live allocations overlap */
	for (int i = 0; i < SLOTS; i++)
		for (int j = i + 1; j < SLOTS; j++)
			if (slot[i].p != NULL && slot[j].p != NULL)
				assert_true(slot[i].p + slot[i].size <= slot[j].p ||
					    slot[j].p + slot[j].size <= slot[i].p);
	assert_int_equal(eal_malloc_validate(), 0);
	for (int i = 0; i < SLOTS; i++) {
		if (slot[i].p != NULL)
			check(&slot[i], slot[i].size);
		eal_free(slot[i].p);
		slot[i].p = NULL;
	}
	assert_int_equal(eal_malloc_validate(), 0);
	assert_int_equal(eal_malloc_get_socket_stats(0, &st), 0);
	assert_int_equal(st.alloc_count, 0);
	print_message("# heap after freeing everything: total %zu, free %zu, %u free blocks\n",
		      st.heap_totalsz_bytes, st.heap_freesz_bytes, st.free_count);
	/* Whole free pages went back: the heap keeps one page's worth of
	 * free memory, which may straddle two pages. */
	assert_true(st.heap_totalsz_bytes <= 2 * PG);
	assert_true(eal_test_free_hugepages_2m() >= free_base - 2);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

/* malloc/free of a page's worth in a loop keeps the page. */
static void
test_page_boundary_hysteresis(void **state)
{
	long during;

	(void)state;
	init();
	for (int i = 0; i < 100; i++) {
		void *p = eal_malloc(NULL, PG - 4096, 0);

		assert_non_null(p);
		if (i == 0)
			during = eal_test_free_hugepages_2m();
		eal_free(p);
		assert_true(eal_test_free_hugepages_2m() <= during + 1);
	}
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

static void
test_bad_pointers(void **state)
{
	char stack[256];
	void *p;

	(void)state;
	init();
	p = eal_malloc(NULL, 1000, 0);
	assert_non_null(p);
	eal_test_log_capture("heap", EAL_LOG_ERR);
	eal_free(stack + 64);                 /* not from the heap */
	eal_free((char *)p + 64);             /* inside an allocation */
	eal_free(p);
	eal_free(p);                          /* double free */
	assert_true(eal_test_log_count(EAL_LOG_ERR, "") >= 3);
	eal_log_set_handler(NULL, NULL);
	assert_int_equal(eal_malloc_validate(), 0);
	assert_null(eal_malloc(NULL, 0, 0));
	assert_int_equal(eal_errno, EINVAL);
	assert_null(eal_malloc(NULL, 64, 3));
	assert_int_equal(eal_errno, EINVAL);
	assert_null(eal_calloc(NULL, SIZE_MAX / 2, 4, 0));
	assert_int_equal(eal_errno, EINVAL);
	assert_null(eal_malloc_socket(NULL, 64, 0, EAL_MAX_NUMA_NODES));
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_malloc_get_socket_stats(-1, NULL), -1);
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_cleanup(), 0);
}

/* memseg_list walk callback: the end of the first list, far past anything
 * a short test maps (its page is not in use). */
static int
list_end(const struct eal_memseg_list *msl, void *arg)
{
	*(void **)arg = (char *)msl->base_va + msl->len - 4096;
	return 1;
}

/*
 * Pointers whose header libeal cannot read safely (issue 15): unmapped,
 * outside or inside the memory's address range, and a memzone's memory.
 * None crashes; each is one ERR line and changes nothing: the zone keeps
 * its memory, and what the heap hands out next does not overlap it.
 */
static void
test_bad_frees(void **state)
{
	const struct eal_memzone *mz;
	unsigned char *q;
	void *gone, *unused = NULL;

	(void)state;
	init();
	gone = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(gone != MAP_FAILED);
	assert_int_equal(munmap(gone, 1 << 16), 0);
	assert_int_equal(eal_memseg_list_walk(list_end, &unused), 1);
	mz = eal_memzone_reserve("bad_frees", 1 << 20, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	memset(mz->addr, 0x3c, mz->len);

	eal_test_log_capture("heap", EAL_LOG_ERR);
	eal_test_log_n = 0;
	eal_free((char *)gone + 4096);             /* unmapped, outside memory */
	eal_free(unused);                          /* unmapped, inside it */
	eal_free((void *)(uintptr_t)0x40);         /* page 0 */
	assert_null(eal_realloc(unused, 64, 0));
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "not memory from a libeal heap"), 4);
	eal_free(mz->addr);
	assert_null(eal_realloc(mz->addr, 64, 0));
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "the memory of a memzone"), 2);
	assert_int_equal(eal_test_log_n, 6);
	eal_log_set_handler(NULL, NULL);

	q = eal_malloc(NULL, mz->len, 0);
	assert_non_null(q);
	assert_true(q + mz->len <= (unsigned char *)mz->addr ||
		    (unsigned char *)mz->addr + mz->len <= q);
	memset(q, 0xc3, mz->len);
	for (size_t i = 0; i < mz->len; i++)
		if (((unsigned char *)mz->addr)[i] != 0x3c)
			fail_msg("memzone byte %zu changed", i);
	assert_ptr_equal(eal_memzone_lookup("bad_frees"), mz);
	assert_int_equal(eal_malloc_validate(), 0);
	eal_free(q);
	assert_int_equal(eal_memzone_free(mz), 0);
	assert_int_equal(eal_malloc_validate(), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

/* A buffer overflow that overwrites the next header: validate says so,
 * free refuses to touch it. */
static void
test_corruption_reported(void **state)
{
	unsigned char *a, *b;

	(void)state;
	init();
	a = eal_malloc(NULL, 256, 0);
	b = eal_malloc(NULL, 256, 0);
	assert_non_null(a);
	assert_non_null(b);
	memset(a, 0x5a, 256 + 64); /* into whatever follows a */
	eal_test_log_capture("heap", EAL_LOG_ERR);
	assert_int_equal(eal_malloc_validate(), -1);
	assert_int_equal(eal_errno, EUCLEAN);
	eal_free(a);
	assert_true(eal_test_log_count(EAL_LOG_ERR, "") >= 2);
	eal_log_set_handler(NULL, NULL);
	/* the process's heap is corrupt: cleanup still unmaps everything */
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

/* Memzones come from the heap: reserve, lookup, duplicate, free, and
 * len 0 (the biggest free block) on 16 MiB preallocated. */
static void
test_memzones_on_the_heap(void **state)
{
	const struct eal_memzone *mz, *big;
	char **argv;
	int argc = eal_test_argv(&argv, "-m", "16", NULL);

	(void)state;
	assert_int_equal(eal_init(argc, argv), argc - 1);
	mz = eal_memzone_reserve("mz_a", 1 << 20, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	assert_ptr_equal(eal_memzone_lookup("mz_a"), mz);
	assert_true(mz->iova == eal_mem_virt2iova(mz->addr));
	assert_null(eal_memzone_reserve("mz_a", 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, EEXIST);
	big = eal_memzone_reserve("mz_big", 0, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(big);
	assert_true(big->len > (8u << 20));
	memset(big->addr, 0xa5, big->len);
	assert_int_equal(eal_malloc_validate(), 0);
	assert_int_equal(eal_memzone_free(big), 0);
	assert_int_equal(eal_memzone_free(mz), 0);
	assert_null(eal_memzone_lookup("mz_a"));
	assert_int_equal(eal_malloc_validate(), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

/* Whether [addr, addr + len) is contiguous in IOVA from iova, checked
 * page by page with eal_mem_virt2iova. */
static bool
iova_run(const void *addr, size_t len, eal_iova_t iova)
{
	for (size_t off = 0; off < len; off += 4096)
		if (eal_mem_virt2iova((const char *)addr + off) != iova + off)
			return false;
	return true;
}

/* reserve_bounded, IOVA_CONTIG and page-size flags on real hugepages,
 * with DPDK's errors for bad flags, alignment and bounds; the zones keep
 * their promises (checked against the memseg translation) and the pages
 * go back after free. */
static void
test_memzone_flags_on_hugepages(void **state)
{
	const struct eal_memzone *mz;
	char **argv;
	int argc = eal_test_argv(&argv, NULL);
	unsigned int contig_ok = 0, contig_enomem = 0;

	(void)state;
	assert_int_equal(eal_init(argc, argv), argc - 1);

	/* bounded: never crosses a multiple of the bound */
	for (unsigned int i = 0; i < 24; i++) {
		char name[32];
		size_t len = 100000 + 37000 * i;

		snprintf(name, sizeof(name), "bounded_%u", i);
		mz = eal_memzone_reserve_bounded(name, len, EAL_SOCKET_ID_ANY, 0, 128, 1 << 20);
		assert_non_null(mz);
		assert_int_equal((uintptr_t)mz->addr % 128, 0);
		assert_int_equal((uintptr_t)mz->addr >> 20, ((uintptr_t)mz->addr + len - 1) >> 20);
		assert_true(mz->len >= len);
		assert_int_equal(mz->hugepage_sz, 2u << 20);
		assert_true(mz->iova == eal_mem_virt2iova(mz->addr));
	}
	/* IOVA-contiguous: within a page always; across pages when the page
	 * allocator got physically consecutive pages, else ENOMEM (DPDK) */
	mz = eal_memzone_reserve_aligned("contig_small", 1 << 20, EAL_SOCKET_ID_ANY,
					 EAL_MEMZONE_IOVA_CONTIG, 1 << 20);
	assert_non_null(mz);
	assert_true(iova_run(mz->addr, mz->len, mz->iova));
	for (unsigned int i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "contig_%u", i);
		mz = eal_memzone_reserve(name, 5u << 20, EAL_SOCKET_ID_ANY,
					 EAL_MEMZONE_IOVA_CONTIG | EAL_MEMZONE_2MB);
		if (mz == NULL) {
			assert_int_equal(eal_errno, ENOMEM);
			contig_enomem++;
			continue;
		}
		assert_true(iova_run(mz->addr, mz->len, mz->iova));
		contig_ok++;
	}
	print_message("# 5 MiB IOVA-contiguous zones: %u reserved, %u ENOMEM\n", contig_ok,
		      contig_enomem);
	/* page sizes: 1 GiB asked for and absent -> ENOMEM, unless only a hint */
	mz = eal_memzone_reserve("gig", 4096, EAL_SOCKET_ID_ANY, EAL_MEMZONE_1GB);
	if (mz != NULL) {
		assert_int_equal(mz->hugepage_sz, 1u << 30); /* a machine with 1 GiB pages */
	} else {
		assert_int_equal(eal_errno, ENOMEM);
		mz = eal_memzone_reserve("gig", 4096, EAL_SOCKET_ID_ANY,
					 EAL_MEMZONE_1GB | EAL_MEMZONE_SIZE_HINT_ONLY);
		assert_non_null(mz);
		assert_int_equal(mz->hugepage_sz, 2u << 20);
	}
	/* DPDK's errors */
	assert_null(eal_memzone_reserve_bounded("bad", 4096, EAL_SOCKET_ID_ANY, 0, 64, 2048));
	assert_int_equal(eal_errno, EINVAL); /* bound < len */
	assert_null(eal_memzone_reserve_bounded("bad", 100, EAL_SOCKET_ID_ANY, 0, 64, 3000));
	assert_int_equal(eal_errno, EINVAL); /* bound not a power of two */
	assert_null(eal_memzone_reserve_aligned("bad", 100, EAL_SOCKET_ID_ANY, 0, 96));
	assert_int_equal(eal_errno, EINVAL); /* align not a power of two */
	assert_null(eal_memzone_reserve("bad", 100, EAL_SOCKET_ID_ANY, 0x40000000));
	assert_int_equal(eal_errno, EINVAL); /* unknown flag */
	assert_null(eal_memzone_reserve("bad", 100, 4242, 0));
	assert_int_equal(eal_errno, EINVAL); /* no such socket */
	assert_null(eal_memzone_reserve("bad", (size_t)1 << 40, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENOMEM);

	assert_int_equal(eal_malloc_validate(), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_page_boundary_hysteresis),
		cmocka_unit_test(test_bad_pointers),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_corruption_reported),
		cmocka_unit_test(test_memzones_on_the_heap),
		cmocka_unit_test(test_memzone_flags_on_hugepages),
	};

	eal_test_setup(argc, argv);
	eal_test_require_hugepages_2m(64);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
