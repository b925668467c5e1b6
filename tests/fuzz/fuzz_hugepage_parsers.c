/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the parsers of hugepage discovery
 * (src/eal_hugepage_info.c): every input goes to the sysfs count parser,
 * the sysfs directory-name parser, the meminfo parser, the mounts parser
 * and the hugepage_info record decoder (twice: as given, and with its
 * checksum made valid, so that mutations reach the checks behind it).
 *
 * Besides "no crash, no sanitizer report", it checks properties:
 * - a mount the parser reports has an absolute, NUL-terminated path that
 *   fits PATH_MAX, and a page size that is 0 or a power of two >= 4 KiB;
 * - a record the decoder accepts encodes back to the same bytes (the
 *   format has one encoding per content);
 * - a decoded page size, count or default size is a power of two.
 *
 * Build (by hand, or with meson -Dfuzz=true and clang):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude/eal -Isrc -I<builddir>/include tests/fuzz/fuzz_hugepage_parsers.c \
 *     src/eal_*.c src/os/linux/eal_*.c -lnuma -lpthread -o fuzz_hugepage_parsers
 *   ./fuzz_hugepage_parsers tests/fuzz/corpus/hugepage
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eal_hugepage_info.h"
#include "eal_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

static bool
pow2_at_least_4k(uint64_t v)
{
	return v >= 4096 && (v & (v - 1)) == 0;
}

static int
mount_cb(void *arg, const struct eal_hugepage_mount *m)
{
	size_t n = strnlen(m->path, sizeof(m->path));

	(void)arg;
	CHECK(n > 0 && n < sizeof(m->path));
	CHECK(m->path[0] == '/');
	CHECK(m->page_size == 0 || pow2_at_least_4k(m->page_size));
	return 0;
}

static void
fuzz_record(const uint8_t *data, size_t size)
{
	static struct eal_hugepage_info hi;
	static uint8_t again[64 << 10];
	char why[256];
	size_t len;

	if (eal__hugepage_info_decode(&hi, data, size, why, sizeof(why)) != 0)
		return;
	CHECK(hi.n_sizes <= EAL_MAX_HUGEPAGE_SIZES);
	CHECK(hi.default_size == 0 || pow2_at_least_4k(hi.default_size));
	for (unsigned int i = 0; i < hi.n_sizes; i++) {
		CHECK(pow2_at_least_4k(hi.sizes[i].page_size));
		CHECK(hi.sizes[i].lock_fd == -1);
		CHECK(hi.sizes[i].n_nodes <= EAL_MAX_NUMA_NODES);
		CHECK(strnlen(hi.sizes[i].dir, PATH_MAX) < PATH_MAX);
	}
	CHECK(eal__hugepage_info_record_max() <= sizeof(again));
	CHECK(eal__hugepage_info_encode(&hi, again, sizeof(again), &len) == 0);
	CHECK(len == size && memcmp(again, data, size) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t fixed[64 << 10];
	const char *text = (const char *)data;
	char name[256];
	uint64_t v;
	size_t n;

	(void)eal__hugepage_parse_count(text, size, &v);
	(void)eal__hugepage_parse_meminfo(text, size, &v);
	(void)eal__hugepage_parse_mounts(text, size, mount_cb, NULL, NULL);

	n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	if (eal__hugepage_parse_dirname(name, &v) == 0)
		CHECK(v >= 1024 && (v & (v - 1)) == 0);

	fuzz_record(data, size);
	if (size >= 48 && size <= sizeof(fixed)) {
		uint64_t sum;

		memcpy(fixed, data, size);
		sum = eal__hugepage_info_record_checksum(fixed, size);
		for (int i = 0; i < 8; i++)
			fixed[40 + i] = (uint8_t)(sum >> (8 * i));
		fuzz_record(fixed, size);
	}
	return 0;
}
