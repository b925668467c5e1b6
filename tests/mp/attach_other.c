/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * attach_other: a secondary of tests/mp/test_mp_attach.c that is another
 * program than the primary's, with an address space unlike it: not
 * position-independent (its text at 0x400000), a 256 MiB BSS touched
 * every 8 MiB, and more shared libraries (libm, and libnuma and zlib when
 * they are found). meson builds it a second time with AddressSanitizer
 * (attach_other_asan), whose shadow takes the low 16 TiB.
 *
 * The first part of this file is what every secondary of that test does,
 * whatever its shape; test_mp_attach.c includes it with
 * ATTACH_OTHER_NO_MAIN defined. A secondary runs eal_init() on argv as
 * an application gets it, finds the primary's memzone at the primary's
 * address with its pattern, reads the primary's heap block, allocates,
 * writes and frees 64 KiB of its own, checks that libeal left its own
 * memory alone, and runs eal_cleanup(). It prints one line, "ok <id> ..."
 * or "fail <id> <shape> pid <pid>: <step>: eal_errno ..., libeal: <the
 * first ERR line>", and exits 0 only after "ok".
 *
 * Usage: attach_other [EAL options] -- <shape> <id> <zone addr> <zone descriptor addr>
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal.h"

/* ------------------------------------------------------------------------
 * The memzone the primary shares: a header, then a pattern
 */

#define ATTACH_ZONE_NAME "mp_attach"
#define ATTACH_ZONE_LEN (1u << 20)
#define ATTACH_HDR_LEN 4096u
#define ATTACH_BLOCK_LEN (256u << 10) /* the primary's heap block */
#define ATTACH_OWN_LEN (64u << 10)    /* each secondary's block */
#define ATTACH_PAGE_SZ (2ull << 20)
#define ATTACH_MAGIC 0x6d705f6174746163ull
#define ATTACH_SHAPES 6               /* 'a' .. 'f' */
#define ATTACH_GOLDEN 0x9e3779b97f4a7c15ull

struct attach_hdr {
	uint64_t magic;     /* written last by the primary */
	uint64_t self;      /* the zone's address in the primary */
	uint64_t desc;      /* its descriptor's address in the primary */
	uint64_t block;     /* the primary's heap block */
	uint64_t block_len;
	uint64_t seed;      /* keys of the patterns */
	uint32_t attached[ATTACH_SHAPES]; /* secondaries that passed every check, per shape */
	uint32_t grew;      /* of them, those whose allocation grew the memory */
};

static uint64_t
attach_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Word i of the zone's pattern (which = 1) or of the primary's block
 * (which = 2) holds key + i * GOLDEN. */
static uint64_t
attach_key(uint64_t seed, unsigned int which)
{
	return attach_mix64(seed ^ ((uint64_t)which << 56));
}

static void
attach_fill(void *p, size_t len, uint64_t key)
{
	uint64_t *q = p, v = key;

	for (size_t i = 0; i < len / 8; i++, v += ATTACH_GOLDEN)
		q[i] = v;
}

/* Offset of the first word of [p, p + len) that is not the pattern of
 * @key, or len when all are. */
static size_t
attach_check(const void *p, size_t len, uint64_t key)
{
	const volatile uint64_t *q = p;
	uint64_t v = key;

	for (size_t i = 0; i < len / 8; i++, v += ATTACH_GOLDEN)
		if (q[i] != v)
			return i * 8;
	return len;
}

/* ------------------------------------------------------------------------
 * One secondary
 */

/* The caller's check that libeal did not touch this process's own
 * memory (its BSS, its mappings, its threads' stacks), given where the
 * shared memory is: 0, or -1 with a reason in @why. */
typedef int (*attach_own_check_t)(const void *zone, const void *block, char *why, size_t len);

static char attach_first_log[320];
static unsigned int attach_n_err, attach_n_warn;
static const char *attach_shape = "?", *attach_id = "?";

/* libeal's ERR and WARNING lines go to stderr (meson's log) with this
 * process's name; the first ERR line (the first WARNING when there is
 * none) also goes into the failure line. */
static void
attach_log(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (level > EAL_LOG_WARNING)
		return;
	if (level <= EAL_LOG_ERR) {
		if (attach_n_err++ == 0)
			snprintf(attach_first_log, sizeof(attach_first_log), "%s: %s", component,
				 line);
	} else if (attach_n_warn++ == 0 && attach_n_err == 0) {
		snprintf(attach_first_log, sizeof(attach_first_log), "%s: %s", component, line);
	}
	fprintf(stderr, "mp_attach: secondary %s (shape %s, pid %d): libeal %s: %s: %s\n",
		attach_id, attach_shape, (int)getpid(), level <= EAL_LOG_ERR ? "ERR" : "WARNING",
		component, line);
}

/* One write(), so that lines of processes sharing a pipe do not mix
 * (they are shorter than PIPE_BUF). */
static void attach_say(int fd, const char *fmt, ...) EAL_FORMAT(2, 3);

static void
attach_say(int fd, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) != n)
		(void)0; /* the parent is gone: nobody reads it */
}

static int attach_fail(int err, const char *fmt, ...) EAL_FORMAT(2, 3);

static int
attach_fail(int err, const char *fmt, ...)
{
	char step[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	attach_say(STDOUT_FILENO, "fail %s %s pid %d: %s: eal_errno %d (%s), libeal: %s",
		   attach_id, attach_shape, (int)getpid(), step, err,
		   err != 0 ? eal_strerror(err) : "-",
		   attach_first_log[0] != '\0' ? attach_first_log : "-");
	if (eal_process_type() != EAL_PROC_INVALID)
		(void)eal_cleanup();
	return 1;
}

static int
attach_secondary(int argc, char **argv, attach_own_check_t own_check)
{
	const struct eal_memzone *mz;
	const struct attach_hdr *h;
	uint64_t zone, desc, before, after;
	unsigned int shape;
	char why[256];
	size_t off;
	uint64_t *p;
	int n;

	/* The application's arguments follow "--": read here only to name
	 * this process in a failure line; eal_init() says where they are. */
	for (int i = 1; i + 2 < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			attach_shape = argv[i + 1];
			attach_id = argv[i + 2];
			break;
		}
	eal_log_set_handler(attach_log, NULL);
	if (eal_log_set_level(NULL, EAL_LOG_WARNING) < 0)
		return attach_fail(eal_errno, "eal_log_set_level");

	n = eal_init(argc, argv);
	if (n < 0)
		return attach_fail(eal_errno, "eal_init");
	if (eal_process_type() != EAL_PROC_SECONDARY)
		return attach_fail(0, "eal_init made a process of type %d, not a secondary",
				   (int)eal_process_type());
	argc -= n;
	argv += n;
	if (argc != 5 || strcmp(argv[1], attach_shape) != 0 || strcmp(argv[2], attach_id) != 0 ||
	    strlen(argv[1]) != 1 || argv[1][0] < 'a' || argv[1][0] >= 'a' + ATTACH_SHAPES)
		return attach_fail(0, "eal_init returned %d: not the application's arguments", n);
	shape = (unsigned int)(argv[1][0] - 'a');
	zone = strtoull(argv[3], NULL, 16);
	desc = strtoull(argv[4], NULL, 16);

	mz = eal_memzone_lookup(ATTACH_ZONE_NAME);
	if (mz == NULL)
		return attach_fail(eal_errno, "eal_memzone_lookup(\"%s\")", ATTACH_ZONE_NAME);
	if ((uintptr_t)mz != desc || (uintptr_t)mz->addr != zone)
		return attach_fail(0, "memzone descriptor %p at %p: the primary has %#" PRIx64 " at %#" PRIx64,
				   (const void *)mz, mz->addr, desc, zone);
	if (mz->len < ATTACH_ZONE_LEN || mz->hugepage_sz != ATTACH_PAGE_SZ)
		return attach_fail(0, "memzone of %zu bytes on %" PRIu64 " KiB pages", mz->len,
				   mz->hugepage_sz >> 10);
	h = mz->addr;
	if (h->magic != ATTACH_MAGIC || h->self != zone || h->desc != desc)
		return attach_fail(0, "memzone header: magic %#" PRIx64 ", self %#" PRIx64 ", desc %#" PRIx64,
				   h->magic, h->self, h->desc);
	off = attach_check((const char *)h + ATTACH_HDR_LEN, ATTACH_ZONE_LEN - ATTACH_HDR_LEN,
			   attach_key(h->seed, 1));
	if (off != ATTACH_ZONE_LEN - ATTACH_HDR_LEN)
		return attach_fail(0, "memzone byte %zu is not the primary's pattern",
				   ATTACH_HDR_LEN + off);

	/* The primary's heap block, and one of our own. */
	if (h->block_len != ATTACH_BLOCK_LEN ||
	    eal_mem_virt2memseg((const void *)(uintptr_t)h->block, NULL) == NULL)
		return attach_fail(eal_errno, "the primary's block %#" PRIx64 " (%" PRIu64 " bytes) is not libeal memory here",
				   h->block, h->block_len);
	off = attach_check((const void *)(uintptr_t)h->block, ATTACH_BLOCK_LEN, attach_key(h->seed, 2));
	if (off != ATTACH_BLOCK_LEN)
		return attach_fail(0, "byte %zu of the primary's block %#" PRIx64 " changed", off,
				   h->block);
	before = eal_memory_size();
	p = eal_malloc(NULL, ATTACH_OWN_LEN, 0);
	after = eal_memory_size();
	if (p == NULL)
		return attach_fail(eal_errno, "eal_malloc(%u)", ATTACH_OWN_LEN);
	attach_fill(p, ATTACH_OWN_LEN, attach_mix64((uint64_t)getpid() ^ (uintptr_t)p));
	off = attach_check(p, ATTACH_OWN_LEN, attach_mix64((uint64_t)getpid() ^ (uintptr_t)p));
	if (off != ATTACH_OWN_LEN)
		return attach_fail(0, "byte %zu of our block %p does not read back", off, (void *)p);
	eal_free(p);

	if (own_check != NULL && own_check(mz->addr, (const void *)(uintptr_t)h->block, why,
					   sizeof(why)) < 0)
		return attach_fail(0, "after eal_init: %s", why);
	if (attach_n_err > 0)
		return attach_fail(0, "%u ERR lines logged", attach_n_err);
	/* Seen by the primary: these counts are its proof that this many
	 * secondaries got here, whatever their exit statuses say. */
	__atomic_fetch_add(&((struct attach_hdr *)(uintptr_t)h)->attached[shape], 1,
			   __ATOMIC_SEQ_CST);
	if (after > before)
		__atomic_fetch_add(&((struct attach_hdr *)(uintptr_t)h)->grew, 1, __ATOMIC_SEQ_CST);

	if (eal_cleanup() != 0)
		return attach_fail(eal_errno, "eal_cleanup");
	if (own_check != NULL && own_check(NULL, NULL, why, sizeof(why)) < 0)
		return attach_fail(0, "after eal_cleanup: %s", why);
	if (attach_n_err > 0)
		return attach_fail(0, "%u ERR lines logged", attach_n_err);
	attach_say(STDOUT_FILENO, "ok %s %s pid %d grew %d warnings %u", attach_id, attach_shape,
		   (int)getpid(), after > before, attach_n_warn);
	return 0;
}

#ifndef ATTACH_OTHER_NO_MAIN
/* ------------------------------------------------------------------------
 * attach_other itself
 */
#include <math.h>
#ifdef ATTACH_HAVE_NUMA
#include <numa.h>
#endif
#ifdef ATTACH_HAVE_ZLIB
#include <zlib.h>
#endif

#define BSS_LEN (256u << 20)
#define BSS_STEP (8u << 20)

static unsigned char big_bss[BSS_LEN];

/* Every 8 MiB a byte of ours; half-way between, bytes never written. */
static unsigned char
bss_byte(size_t i)
{
	return i % BSS_STEP == 0 ? (unsigned char)(0x5a ^ (i / BSS_STEP)) : 0;
}

static int
bss_intact(const void *zone, const void *block, char *why, size_t len)
{
	const unsigned char *lo = big_bss, *hi = big_bss + BSS_LEN;

	if ((zone != NULL && (const unsigned char *)zone >= lo && (const unsigned char *)zone < hi) ||
	    (block != NULL && (const unsigned char *)block >= lo && (const unsigned char *)block < hi)) {
		snprintf(why, len, "shared memory %p/%p inside the BSS [%p, %p)", zone, block,
			 (const void *)lo, (const void *)hi);
		return -1;
	}
	for (size_t i = 0; i < BSS_LEN; i += BSS_STEP / 2)
		if (((volatile unsigned char *)big_bss)[i] != bss_byte(i)) {
			snprintf(why, len, "BSS byte %zu at %p changed", i, (void *)&big_bss[i]);
			return -1;
		}
	return 0;
}

int
main(int argc, char **argv)
{
	volatile double x = (double)argc;
	volatile unsigned long crc = 0;
	volatile int numa = -2;

	for (size_t i = 0; i < BSS_LEN; i += BSS_STEP)
		big_bss[i] = bss_byte(i);
	/* One call into each library, so that --as-needed keeps them. */
	x = cos(x) + sqrt(x + 1.0);
#ifdef ATTACH_HAVE_ZLIB
	crc = crc32(0, big_bss, 4096);
#endif
#ifdef ATTACH_HAVE_NUMA
	numa = numa_available();
#endif
	(void)x;
	(void)crc;
	(void)numa;
	return attach_secondary(argc, argv, bss_intact);
}
#endif /* ATTACH_OTHER_NO_MAIN */
