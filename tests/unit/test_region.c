/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The address region (src/eal_region.c) alone, without eal_init(): the
 * /proc/self/maps readers on fixture text (a free base, what occupies a
 * range), the fbarray area's allocator on a config in calloc()ed memory,
 * and the real reservations: a primary's head at a free base or, when the
 * base is taken, at another whole TiB with one WARNING; a secondary that
 * finds its range taken gets one ERR line naming the occupant and a free
 * base; impossible region fields are EPROTO; the memory VA grows the
 * region and the trim gives the unused tail back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "eal_test.h"
#include "eal_memcfg.h"
#include "eal_private.h"

#define TIB (1ull << 40)
#define MIB (1ull << 20)

/* ---- maps text -------------------------------------------------------- */

static const char maps_typical[] =
	"555555554000-555555556000 r--p 00000000 fe:01 1234   /usr/bin/app\n"
	"555555556000-555555577000 rw-p 00000000 00:00 0      [heap]\n"
	"7ffff7dd0000-7ffff7df2000 r-xp 00000000 fe:01 99     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffff7ff0000-7ffff7ff4000 rw-p 00000000 00:00 0 \n"
	"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0      [stack]\n";

static void
test_free_base(void **state)
{
	char maps[1024];

	(void)state;
	assert_int_equal(eal__region_free_base(maps_typical, 600ull << 30), 82 * TIB);
	/* Something at 82 TiB: the next whole TiB. */
	snprintf(maps, sizeof(maps), "%s520000000000-520000001000 rw-p 0 0:0 0 [anon:x]\n",
		 maps_typical);
	assert_int_equal(eal__region_free_base(maps, 600ull << 30), 83 * TIB);
	/* 82 to 85 TiB taken: down to 32 TiB. */
	snprintf(maps, sizeof(maps), "520000000000-550000000000 ---p 0 0:0 0\n");
	assert_int_equal(eal__region_free_base(maps, 600ull << 30), 32 * TIB);
	/* 32 TiB to 128 TiB all taken: 17 TiB, above ASan's shadow. */
	snprintf(maps, sizeof(maps), "200000000000-800000000000 ---p 0 0:0 0\n");
	assert_int_equal(eal__region_free_base(maps, 600ull << 30), 17 * TIB);
	/* A region larger than any whole-TiB gap fits nowhere. */
	assert_int_equal(eal__region_free_base(maps_typical, 200 * TIB), 0);
	/* Lines that are not mappings are skipped, not misread. */
	assert_int_equal(eal__region_free_base("garbage\n\nzz-yy\n", TIB), 82 * TIB);
}

static void
test_describe_taken(void **state)
{
	char buf[320];

	(void)state;
	eal__region_describe_taken(maps_typical, 0x555555555000ull, 0x1000, buf, sizeof(buf));
	assert_string_equal(buf, "[0x555555554000, 0x555555556000) /usr/bin/app");
	eal__region_describe_taken(maps_typical, 0x555555560000ull, 0x1000, buf, sizeof(buf));
	assert_string_equal(buf, "[0x555555556000, 0x555555577000) [heap]");
	eal__region_describe_taken(maps_typical, 0x7ffff7ff1000ull, 0x1000, buf, sizeof(buf));
	assert_string_equal(buf, "[0x7ffff7ff0000, 0x7ffff7ff4000) anonymous memory");
	eal__region_describe_taken(maps_typical, 0x7ffff7de0000ull, 0x100000000ull, buf,
				   sizeof(buf));
	assert_string_equal(buf, "[0x7ffff7dd0000, 0x7ffff7df2000) /usr/lib/x86_64-linux-gnu/libc.so.6 and 2 more mapping(s)");
	eal__region_describe_taken(maps_typical, 0x100000000ull, 0x1000, buf, sizeof(buf));
	assert_string_equal(buf, "a mapping that is gone again");
}

/* ---- the fbarray area, on a config in calloc()ed memory ---------------- */

static struct eal_mem_config *
fake_config(uint64_t addr)
{
	struct eal_mem_config *mcfg = calloc(1, sizeof(*mcfg));

	assert_non_null(mcfg);
	mcfg->mem_cfg_addr = addr;
	eal__region_init_shared(mcfg);
	return mcfg;
}

static void
test_fbarray_area(void **state)
{
	struct eal_mem_config *mcfg = fake_config(32 * TIB);
	uint64_t area = 32 * TIB + eal__region_config_len();
	void *a, *b, *c, *d;

	(void)state;
	assert_int_equal(mcfg->region_len, eal__region_head_len());
	assert_int_equal(eal__region_fbarray_alloc(mcfg, 4096, &a), 0);
	assert_int_equal((uint64_t)(uintptr_t)a, area);
	/* A granule per array at least; larger ones take whole granules. */
	assert_int_equal(eal__region_fbarray_alloc(mcfg, EAL_REGION_GRANULE + 1, &b), 0);
	assert_int_equal((uint64_t)(uintptr_t)b, area + EAL_REGION_GRANULE);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, 100, &c), 0);
	assert_int_equal((uint64_t)(uintptr_t)c, area + 3 * EAL_REGION_GRANULE);
	assert_true(eal__region_in_fbarray_area(mcfg, b, 2 * EAL_REGION_GRANULE));
	assert_false(eal__region_in_fbarray_area(mcfg, (char *)b + 4096, 4096)); /* not a start */
	assert_false(eal__region_in_fbarray_area(mcfg, (void *)(uintptr_t)(32 * TIB), 4096));
	assert_false(eal__region_in_fbarray_area(mcfg, (char *)a + EAL_REGION_FBARRAY_LEN, 1));

	/* Freed space is found again, first fit. */
	eal__region_fbarray_free(mcfg, b, EAL_REGION_GRANULE + 1);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, 4096, &d), 0);
	assert_ptr_equal(d, b);
	/* Larger than the area, or than what is left: ENOMEM, nothing taken. */
	assert_int_equal(eal__region_fbarray_alloc(mcfg, EAL_REGION_FBARRAY_LEN + 1, &d), -ENOMEM);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, EAL_REGION_FBARRAY_LEN - EAL_REGION_GRANULE,
						   &d), -ENOMEM);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, 0, &d), -ENOMEM);
	eal__region_fbarray_free(mcfg, a, 4096);
	eal__region_fbarray_free(mcfg, b, 4096);
	eal__region_fbarray_free(mcfg, c, 100);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, EAL_REGION_FBARRAY_LEN, &d), 0);
	assert_int_equal((uint64_t)(uintptr_t)d, area);
	/* A pointer outside the area is ignored, not a stray bit cleared. */
	eal__region_fbarray_free(mcfg, (void *)(uintptr_t)(16 * TIB), 4096);
	assert_int_equal(eal__region_fbarray_alloc(mcfg, 4096, &a), -ENOMEM);
	free(mcfg);
}

/* ---- real reservations ------------------------------------------------- */

static bool
is_reserved(uint64_t addr)
{
	unsigned long long lo, hi;
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo <= addr && addr < hi)
			found = true;
	fclose(f);
	return found;
}

/* A whole-TiB base free in this process right now. */
static uint64_t
free_base_here(uint64_t len)
{
	char *maps = NULL;
	size_t n = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	uint64_t base;

	assert_non_null(f);
	assert_true(getdelim(&maps, &n, '\0', f) > 0);
	fclose(f);
	base = eal__region_free_base(maps, len);
	free(maps);
	assert_true(base != 0);
	return base;
}

static void
test_reserve_primary(void **state)
{
	uint64_t head = eal__region_head_len(), base = free_base_here(4 * TIB), got;
	void *addr;

	(void)state;
	eal_test_log_capture("mcfg", EAL_LOG_DEBUG);
	eal_test_log_n = 0;
	assert_int_equal(eal__region_reserve(base, true, &addr), 0);
	assert_int_equal((uint64_t)(uintptr_t)addr, base);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, ""), 0);

	/* The base is taken now: another whole TiB, with one WARNING that
	 * names what is there. */
	assert_int_equal(eal__region_reserve(base, true, &addr), 0);
	got = (uint64_t)(uintptr_t)addr;
	assert_true(got != base && got % TIB == 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "instead"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "anonymous memory"), 1);
	eal__region_unmap(addr, head);
	eal__region_unmap((void *)(uintptr_t)base, head);
	assert_false(is_reserved(base));
	assert_false(is_reserved(got));
}

static void
test_attach_secondary(void **state)
{
	uint64_t head = eal__region_head_len(), base = free_base_here(4 * TIB);
	char want[64];

	(void)state;
	eal_test_log_capture("mcfg", EAL_LOG_DEBUG);
	eal_test_log_n = 0;
	/* Impossible fields: EPROTO, nothing reserved. */
	assert_int_equal(eal__region_attach(0, head), -EPROTO);
	assert_int_equal(eal__region_attach(base + 4096, head), -EPROTO);
	assert_int_equal(eal__region_attach(base, head - 4096), -EPROTO);
	assert_int_equal(eal__region_attach(base, head + 1), -EPROTO);
	assert_int_equal(eal__region_attach(base, 1000 * TIB), -EPROTO);
	assert_int_equal(eal__region_attach((1ull << 56) - TIB, 2 * TIB), -EPROTO);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "the file is corrupt"), 6);
	assert_false(is_reserved(base));

	assert_int_equal(eal__region_attach(base, head + 64 * MIB), 0);
	assert_true(is_reserved(base) && is_reserved(base + head + 64 * MIB - 1));
	/* Taken (by the first attach): one ERR line, the occupant, a base
	 * free here, and the other fix. */
	eal_test_log_n = 0;
	assert_int_equal(eal__region_attach(base, head), -EADDRINUSE);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	snprintf(want, sizeof(want), "it holds [0x%" PRIx64 ", ", base);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, want), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "anonymous memory"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "(free in this process)"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "call eal_init() earlier"), 1);
	eal__region_unmap((void *)(uintptr_t)base, head + 64 * MIB);
	assert_false(is_reserved(base));
}

static void
test_take_mem_and_trim(void **state)
{
	uint64_t head = eal__region_head_len(), base = free_base_here(4 * TIB), mem;
	struct eal_mem_config *mcfg;
	void *addr, *squat;

	(void)state;
	assert_int_equal(eal__region_reserve(base, false, &addr), 0);
	mcfg = fake_config(base);
	/* 1 GiB pages: the lists start at the next 1 GiB boundary. */
	assert_int_equal(eal__region_take_mem(mcfg, 4ull << 30, 1ull << 30, &mem), 0);
	assert_int_equal(mem, EAL_ALIGN_CEIL(base + head, 1ull << 30));
	assert_int_equal(mcfg->region_len, mem + (4ull << 30) - base);
	assert_true(is_reserved(mem) && is_reserved(mem + (4ull << 30) - 1));
	/* Memory released inside the region stays reserved. */
	assert_int_equal(eal__region_release(mcfg, (void *)(uintptr_t)mem, 2 * MIB), 0);
	assert_true(is_reserved(mem));
	/* The lists used 1 GiB of it: the trim gives the rest back. */
	mcfg->mem_va_addr = mem;
	mcfg->mem_va_len = 1ull << 30;
	eal__region_trim(mcfg);
	assert_int_equal(mcfg->region_len, mem + (1ull << 30) - base);
	assert_true(is_reserved(mem + (1ull << 30) - 1));
	assert_false(is_reserved(mem + (1ull << 30)));
	/* Taken right after the head: EADDRINUSE, named. */
	mcfg->mem_va_len = 0;
	eal__region_trim(mcfg); /* back to the head: the old memory VA goes */
	assert_int_equal(mcfg->region_len, head);
	assert_false(is_reserved(mem));
	squat = (void *)(uintptr_t)(EAL_ALIGN_CEIL(base + head, 2 * MIB) + 16 * MIB);
	assert_ptr_equal(mmap(squat, 4096, PROT_READ,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), squat);
	eal_test_log_capture("mcfg", EAL_LOG_DEBUG);
	eal_test_log_n = 0;
	assert_int_equal(eal__region_take_mem(mcfg, 64 * MIB, 2 * MIB, &mem), -EADDRINUSE);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "for memory next to the shared config"), 1);
	assert_int_equal(mcfg->region_len, head);
	assert_int_equal(munmap(squat, 4096), 0);
	eal__region_unmap(addr, mcfg->region_len);
	assert_false(is_reserved(base));
	free(mcfg);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_base),
		cmocka_unit_test(test_describe_taken),
		cmocka_unit_test(test_fbarray_area),
		cmocka_unit_test(test_reserve_primary),
		cmocka_unit_test(test_attach_secondary),
		cmocka_unit_test(test_take_mem_and_trim),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
