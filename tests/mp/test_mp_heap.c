/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared heap and memzones used by several processes and threads at
 * once, on real 2 MiB hugepages (issue 6; issue 8 item 4 with --stress).
 *
 * A primary and 3 secondaries (--stress: 7), 2 threads each, run a fixed
 * number of random operations per thread, seeded (the seed is printed;
 * EAL_TEST_SEED repeats it): every eal_malloc / zmalloc / calloc /
 * realloc / free entry point, the _socket ones with EAL_SOCKET_ID_ANY and
 * socket 0, 1 B to 1 MiB (a few to 8 MiB), alignments 0 to 2 MiB;
 * memzone reserve, reserve_aligned, reserve_bounded, lookup, free and
 * walk; heap statistics, validate, and calls that must fail with EINVAL
 * or EEXIST. Every block and zone holds a pattern derived from its owner
 * (pid, thread), address and size, checked before it is resized or freed
 * and whenever it is looked up.
 *
 * Across processes: each thread hands blocks and memzones to a thread of
 * the next process through a mailbox in the control zone "mp_heap_ctl";
 * the receiver checks them and frees them. Each thread publishes zones
 * that the others look up by name (same descriptor, address, contents).
 * At the end each secondary thread leaves a zone that the primary looks
 * up, checks and frees once the secondaries have exited.
 *
 * Then, in the primary: validate is clean, the memzone name index agrees
 * with the zone table, no allocation is left, the heap keeps at most the
 * two pages its shrink rule allows (src/eal_malloc_heap.c keeps one
 * page's worth of free memory, which may span two pages) and every other
 * page is back with the kernel; after eal_cleanup() every page, and no
 * backing file is left.
 *
 * No ERR or WARNING line may be logged, in any process, except the ERR an
 * operation expects: eal_free() returns nothing, so a refused free is
 * only visible there.
 *
 * Exit status: 0 pass, 77 without enough free 2 MiB hugepages. Runs
 * alone (it compares the system's free hugepage count).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memconfig.h"
#include "eal_memcfg.h"
#include "eal_private.h"

#define PG (2ull << 20)
#define THREADS 2
#define PROCS 4
#define STRESS_PROCS 8
#define MAX_WORKERS (STRESS_PROCS * THREADS)
#define OPS 3000
/* 30 to 40 s on a 2-core VM, 40 to 50 s with ASan and UBSan;
 * EAL_STRESS_OPS overrides it. */
#define STRESS_OPS 16000
#define SLOTS 48            /* blocks a thread holds at most */
#define ZSLOTS 8            /* private memzones a thread holds at most */
#define PUBS 4              /* memzones a thread publishes at most */
#define BOX 16              /* entries of a mailbox */
#define BUDGET (16ull << 20) /* bytes of blocks and zones a thread holds at most */
#define WAIT_MS 30000u      /* start-up handshakes, reaping */
#define RUN_MS 150000u      /* the whole mixed run (meson's timeout is 180 s) */
#define STRESS_RUN_MS 540000u /* (600 s) */
#define CTL_NAME "mp_heap_ctl"
#define CTL_MAGIC 0x6d705f686561705full
#define DEFAULT_SEED 0x6d705f68ull
#define GOLDEN 0x9e3779b97f4a7c15ull

/* ------------------------------------------------------------------------
 * Shared state: the control zone
 */

/* A published zone's state word: PUB_* in the high half, the number of
 * readers that pinned it in the low half. The owner frees the zone only
 * after moving the word from PUB_LIVE with no reader to PUB_GOING, so a
 * pinned zone exists for as long as its reader looks at it. */
enum { PUB_EMPTY = 0, PUB_LIVE = 1, PUB_GOING = 2 };
#define PUB_WORD(state) ((uint32_t)(state) << 16)
#define PUB_STATE(v) ((v) >> 16)

/* What a reader needs to find and check a zone or a block of another
 * process. tag identifies the owner (pid << 8 | thread). */
struct item {
	uint32_t kind; /* ITEM_BLOCK or ITEM_ZONE */
	uint32_t pad;
	uint64_t tag;
	uint64_t addr, len;
	uint64_t desc; /* ITEM_ZONE: the descriptor's address */
	char name[EAL_MEMZONE_NAMESIZE];
};
enum { ITEM_BLOCK = 1, ITEM_ZONE = 2 };

struct pub {
	uint32_t state;
	uint32_t pad;
	struct item it; /* written by the owner only while PUB_EMPTY */
};

/* Worker k's outbox, read by worker receiver(k): one producer, one
 * consumer, so head and tail are each written by one side. */
struct mailbox {
	uint32_t head; /* next entry the sender fills */
	uint32_t tail; /* next entry the receiver takes */
	struct item e[BOX];
};

/* Operation counts, to show that the mix did what it says. */
enum {
	N_ALLOC, N_ZALLOC, N_REALLOC, N_REALLOC_MOVED, N_FREE, N_BIG, N_ZRESERVE, N_ZALIGNED,
	N_ZBOUNDED, N_ZLOOKUP, N_ZFREE, N_WALK, N_SENT, N_RECEIVED, N_PUBLISHED,
	N_FOREIGN_LOOKUP, N_EEXIST, N_STATS, N_VALIDATE, N_BAD_CALL, N_COUNTERS
};
static const char *const counter_names[N_COUNTERS] = {
	"malloc", "zmalloc/calloc", "realloc", "realloc moved", "free", "blocks > 1 MiB",
	"zone reserve", "zone reserve_aligned", "zone reserve_bounded", "zone lookup",
	"zone free", "walk", "handed over", "received", "published", "foreign lookup",
	"EEXIST", "stats", "validate", "EINVAL calls",
};

/* What one worker tells the others. */
struct wstate {
	uint32_t mix_done; /* its random operations are over: it sends no more */
	uint32_t finished; /* it freed everything it held */
	uint32_t failed;   /* test line of its first failed check, 0 */
	uint32_t pad;
	uint64_t n[N_COUNTERS];
	struct item end;   /* secondaries: the zone left for the primary */
};

struct ctl {
	uint64_t magic;       /* written last by the primary */
	uint64_t self;        /* the zone's address in the primary */
	uint64_t desc;        /* its descriptor's address in the primary */
	uint64_t seed;
	uint64_t deadline_ms; /* CLOCK_MONOTONIC (system-wide): waits end by then */
	uint32_t n_procs, n_workers, ops;
	uint32_t go;          /* every process attached: start */
	uint32_t abort;       /* a worker failed: everyone stops */
	uint32_t pad;
	struct wstate w[MAX_WORKERS];
	struct pub pub[MAX_WORKERS][PUBS];
	struct mailbox box[MAX_WORKERS];
};

/* ------------------------------------------------------------------------
 * Per-thread state
 */

struct block {
	unsigned char *p; /* NULL: slot empty */
	size_t size;
	unsigned int align;
	uint64_t key;
};

struct zone {
	const struct eal_memzone *mz; /* NULL: slot empty */
	char name[EAL_MEMZONE_NAMESIZE];
	uint64_t key;
};

struct worker {
	struct ctl *c;
	unsigned int id; /* process index * THREADS + thread */
	uint64_t tag;    /* pid << 8 | thread */
	uint64_t rng;    /* this thread's eal_test_rng state */
	uint32_t op;
	const char *what; /* the operation running, for failure lines */
	uint64_t held;    /* bytes of blocks and zones held */
	unsigned int names;
	int rc;           /* 0 done, -1 failed here, 1 stopped by another's failure */
	struct block b[SLOTS];
	struct zone z[ZSLOTS];
	struct zone pz[PUBS]; /* the zones published in c->pub[id] */
};

/* Workers of this process that returned (the main thread polls it). */
static uint32_t threads_done;

/* ------------------------------------------------------------------------
 * Log: every ERR or WARNING line is a failure (the failures the workers
 * provoke, EEXIST, are quiet).
 */

static uint32_t log_unexpected;

static void
log_line(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (level > EAL_LOG_WARNING)
		return;
	__atomic_fetch_add(&log_unexpected, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "mp_heap: pid %d: unexpected %s line from libeal: %s: %s\n", (int)getpid(),
		level == EAL_LOG_WARNING ? "WARNING" : "ERR", component, line);
}

/* ------------------------------------------------------------------------
 * Random numbers: each thread draws its own sequence from its own state
 * (eal_test_rng_*_r), the same for the same seed.
 */

static void
rnd_seed(struct worker *w, uint64_t seed)
{
	eal_test_rng_seed_r(&w->rng, seed);
}

/* Uniform in [0, n), n < 2^32. */
static uint64_t
rnd(struct worker *w, uint64_t n)
{
	return eal_test_rng_below_r(&w->rng, n);
}

/* 1 .. 2^max_shift bytes, each power of two about as likely. */
static size_t
random_size(struct worker *w, unsigned int max_shift)
{
	return 1 + (size_t)rnd(w, 1ull << rnd(w, max_shift + 1));
}

static unsigned int
random_align(struct worker *w)
{
	static const unsigned int aligns[] = { 0, 0, 0, 0, 1, 8, 64, 128, 256, 4096, 65536, 2u << 20 };

	return aligns[rnd(w, EAL_DIM(aligns))];
}

static int
random_socket(struct worker *w)
{
	return rnd(w, 2) != 0 ? EAL_SOCKET_ID_ANY : 0;
}

/* ------------------------------------------------------------------------
 * Patterns: word i of a block holds key + i * GOLDEN, where key mixes
 * the owner's tag, the block's address and its size; a partial last word
 * holds the first bytes of that value.
 */

static uint64_t
pattern_key(uint64_t tag, const void *addr, size_t size)
{
	return eal_test_mix64((tag * GOLDEN) ^ eal_test_mix64((uintptr_t)addr) ^ ((uint64_t)size << 17));
}

static void
pattern_fill(void *p, size_t size, uint64_t key)
{
	uint64_t *q = p, v = key;
	size_t n = size / 8;

	for (size_t i = 0; i < n; i++, v += GOLDEN)
		q[i] = v;
	memcpy(q + n, &v, size % 8);
}

/* Offset of the first byte of [p, p + size) that is not the pattern of
 * @key, or size when all are. */
static size_t
pattern_check(const void *p, size_t size, uint64_t key)
{
	const uint64_t *q = p;
	const unsigned char *b = p;
	uint64_t v = key;
	size_t n = size / 8;

	for (size_t i = 0; i < n; i++, v += GOLDEN)
		if (q[i] != v)
			return i * 8 + (size_t)__builtin_ctzll(q[i] ^ v) / 8;
	for (size_t i = n * 8; i < size; i++, v >>= 8)
		if (b[i] != (unsigned char)v)
			return i;
	return size;
}

/* Offset of the first byte that is not zero, or size. */
static size_t
zero_check(const void *p, size_t size)
{
	const unsigned char *b = p;
	const uint64_t *q = p;
	size_t n = size / 8;

	for (size_t i = 0; i < n; i++)
		if (q[i] != 0)
			return i * 8 + (size_t)__builtin_ctzll(q[i]) / 8;
	for (size_t i = n * 8; i < size; i++)
		if (b[i] != 0)
			return i;
	return size;
}

/* ------------------------------------------------------------------------
 * Failures: one line to stderr with everything needed to look into it,
 * then every worker of every process stops.
 */

static int fail_at(struct worker *w, int line, const void *addr, const char *fmt, ...)
	EAL_FORMAT(4, 5);

static int
fail_at(struct worker *w, int line, const void *addr, const char *fmt, ...)
{
	uint32_t none = 0;
	int err = eal_errno;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr,
		"mp_heap: FAILED: %s; worker %u (pid %d, thread %u), seed 0x%" PRIx64
		", op %u (%s), addr %p, eal_errno %d (%s), test line %d\n",
		msg, w->id, (int)getpid(), w->id % THREADS, w->c->seed, w->op, w->what, addr, err,
		eal_strerror(err), line);
	(void)__atomic_compare_exchange_n(&w->c->w[w->id].failed, &none, (uint32_t)line, false,
					  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->c->abort, 1, __ATOMIC_SEQ_CST);
	return -1;
}

#define CHECK(w, e, addr) \
	do { \
		if (!(e)) \
			return fail_at(w, __LINE__, (const void *)(addr), "%s", #e); \
	} while (0)

/* The pattern of @key over [p, p + size), or a failure naming the byte. */
#define CHECK_PATTERN(w, p, size, key) \
	do { \
		size_t at_ = pattern_check(p, size, key); \
		if (at_ != (size)) \
			return fail_at(w, __LINE__, p, "byte %zu of %zu changed", at_, (size_t)(size)); \
	} while (0)

static bool
stopped(const struct worker *w)
{
	return __atomic_load_n(&w->c->abort, __ATOMIC_ACQUIRE) != 0 ||
	       eal_test_now_ms() > w->c->deadline_ms;
}

static void
bump(struct worker *w, unsigned int what)
{
	w->c->w[w->id].n[what]++;
}

/* ------------------------------------------------------------------------
 * Checks shared by blocks and zones
 */

static bool
overlaps(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + blen && y < x + alen;
}

/* [p, p + size) overlaps nothing else this thread holds. */
static int
check_no_overlap(struct worker *w, const void *p, size_t size, const void *self)
{
	for (unsigned int i = 0; i < SLOTS; i++)
		if (w->b[i].p != NULL && w->b[i].p != self)
			CHECK(w, !overlaps(p, size, w->b[i].p, w->b[i].size), p);
	for (unsigned int i = 0; i < ZSLOTS; i++)
		if (w->z[i].mz != NULL)
			CHECK(w, !overlaps(p, size, w->z[i].mz->addr, w->z[i].mz->len), p);
	for (unsigned int i = 0; i < PUBS; i++)
		if (w->pz[i].mz != NULL)
			CHECK(w, !overlaps(p, size, w->pz[i].mz->addr, w->pz[i].mz->len), p);
	return 0;
}

/* A new or moved allocation: aligned, in libeal memory, on the node
 * asked for, overlapping nothing this thread holds. */
static int
check_new_block(struct worker *w, const unsigned char *p, size_t size, unsigned int align,
		int socket, const void *self)
{
	const struct eal_memseg *first, *last;

	CHECK(w, (uintptr_t)p % EAL_CACHE_LINE_SIZE == 0, p);
	CHECK(w, align == 0 || (uintptr_t)p % align == 0, p);
	first = eal_mem_virt2memseg(p, NULL);
	last = eal_mem_virt2memseg(p + size - 1, NULL);
	CHECK(w, first != NULL && last != NULL, p);
	CHECK(w, socket == EAL_SOCKET_ID_ANY || (first->socket_id == socket && last->socket_id == socket),
	      p);
	return check_no_overlap(w, p, size, self);
}

/* ------------------------------------------------------------------------
 * Blocks
 */

/* One of the allocating functions, chosen at random. *size may grow
 * (calloc); *socket becomes EAL_SOCKET_ID_ANY for those without one. */
static void *
block_alloc_raw(struct worker *w, size_t *size, unsigned int align, int *socket, bool *zeroed)
{
	static const size_t elts[] = { 1, 8, 24, 64, 1000 };
	unsigned int how = (unsigned int)rnd(w, 10);
	size_t elt = elts[rnd(w, EAL_DIM(elts))], num = (*size + elt - 1) / elt;

	*zeroed = how >= 2 && how < 6;
	if (how == 0 || how == 2 || how == 4 || how == 6)
		*socket = EAL_SOCKET_ID_ANY;
	switch (how) {
	case 0:
		w->what = "eal_malloc";
		return eal_malloc("mp_heap", *size, align);
	case 1:
		w->what = "eal_malloc_socket";
		return eal_malloc_socket(NULL, *size, align, *socket);
	case 2:
		w->what = "eal_zmalloc";
		return eal_zmalloc(NULL, *size, align);
	case 3:
		w->what = "eal_zmalloc_socket";
		return eal_zmalloc_socket("mp_heap", *size, align, *socket);
	case 4:
		w->what = "eal_calloc";
		*size = num * elt;
		return eal_calloc(NULL, num, elt, align);
	case 5:
		w->what = "eal_calloc_socket";
		*size = num * elt;
		return eal_calloc_socket(NULL, num, elt, align, *socket);
	case 6:
		w->what = "eal_realloc(NULL)";
		return eal_realloc(NULL, *size, align);
	default:
		w->what = "eal_realloc_socket(NULL)";
		return eal_realloc_socket(NULL, *size, align, *socket);
	}
}

/* A block of @size bytes from any of the allocating functions, checked
 * and filled with its pattern. */
static int
block_new(struct worker *w, struct block *b, size_t size)
{
	unsigned int align = random_align(w);
	int socket = random_socket(w);
	bool zeroed;
	unsigned char *p;

	p = block_alloc_raw(w, &size, align, &socket, &zeroed);
	if (p == NULL)
		return fail_at(w, __LINE__, NULL, "%s(%zu, align %u, socket %d) returned NULL",
			       w->what, size, align, socket);
	if (check_new_block(w, p, size, align, socket, NULL) < 0)
		return -1;
	if (zeroed) {
		size_t at = zero_check(p, size);

		if (at != size)
			return fail_at(w, __LINE__, p, "byte %zu of %zu zeroed bytes is not 0", at,
				       size);
	}
	bump(w, zeroed ? N_ZALLOC : N_ALLOC);
	if (size > (1u << 20))
		bump(w, N_BIG);
	b->p = p;
	b->size = size;
	b->align = align;
	b->key = pattern_key(w->tag, p, size);
	pattern_fill(p, size, b->key);
	return 0;
}

static int
block_alloc(struct worker *w, struct block *b)
{
	/* 1 in 32 up to 8 MiB, the others up to 1 MiB */
	size_t size = random_size(w, rnd(w, 32) == 0 ? 23 : 20);

	if (w->held + size > BUDGET)
		size = 1 + (size_t)rnd(w, 4096);
	if (w->held + size > BUDGET)
		return 0;
	if (block_new(w, b, size) < 0)
		return -1;
	w->held += b->size;
	return 0;
}

static int
block_realloc(struct worker *w, struct block *b)
{
	size_t size = random_size(w, 20), keep;
	unsigned int align = rnd(w, 2) != 0 ? b->align : random_align(w);
	int socket = random_socket(w);
	unsigned char *q;

	if (w->held - b->size + size > BUDGET)
		size = 1 + (size_t)rnd(w, b->size);
	CHECK_PATTERN(w, b->p, b->size, b->key);
	if (rnd(w, 2) != 0) {
		w->what = "eal_realloc";
		socket = EAL_SOCKET_ID_ANY;
		q = eal_realloc(b->p, size, align);
	} else {
		w->what = "eal_realloc_socket";
		q = eal_realloc_socket(b->p, size, align, socket);
	}
	if (q == NULL)
		return fail_at(w, __LINE__, b->p, "%s(%zu -> %zu, align %u, socket %d) returned NULL",
			       w->what, b->size, size, align, socket);
	if (check_new_block(w, q, size, align, socket, b->p) < 0)
		return -1;
	/* The old contents up to the smaller size came along. */
	keep = size < b->size ? size : b->size;
	CHECK_PATTERN(w, q, keep, b->key);
	bump(w, N_REALLOC);
	if (q != b->p)
		bump(w, N_REALLOC_MOVED);
	w->held = w->held - b->size + size;
	b->p = q;
	b->size = size;
	b->align = align;
	b->key = pattern_key(w->tag, q, size);
	pattern_fill(q, size, b->key);
	return 0;
}

static int
block_free(struct worker *w, struct block *b)
{
	w->what = "eal_free";
	CHECK_PATTERN(w, b->p, b->size, b->key);
	eal_free(b->p);
	bump(w, N_FREE);
	w->held -= b->size;
	b->p = NULL;
	return 0;
}

static int
block_op(struct worker *w)
{
	struct block *b = &w->b[rnd(w, SLOTS)];

	if (b->p == NULL)
		return block_alloc(w, b);
	if (rnd(w, 3) == 0)
		return block_realloc(w, b);
	return block_free(w, b);
}

/* ------------------------------------------------------------------------
 * Memzones
 */

/* The smallest power of two >= x (x >= 1). */
static uint64_t
pow2_ceil(uint64_t x)
{
	return x == 1 ? 1 : 1ull << (64 - __builtin_clzll(x - 1));
}

/* Reserve a zone named "<prefix><worker>.<n>" with one of the three
 * reserve functions, check its descriptor and fill it with its pattern. */
static int
zone_reserve(struct worker *w, struct zone *z, const char *prefix)
{
	static const unsigned int flag_sets[] = {
		0, EAL_MEMZONE_2MB, EAL_MEMZONE_2MB | EAL_MEMZONE_SIZE_HINT_ONLY,
	};
	static const unsigned int aligns[] = { 0, 64, 256, 4096, 65536, 1u << 20 };
	unsigned int flags = flag_sets[rnd(w, EAL_DIM(flag_sets))], align = 0, bound = 0;
	int socket = random_socket(w), how = (int)rnd(w, 8);
	size_t len = random_size(w, 18);
	const struct eal_memzone *mz;
	uintptr_t a;

	snprintf(z->name, sizeof(z->name), "%s%u.%u", prefix, w->id, w->names++);
	if (how < 4) {
		w->what = "eal_memzone_reserve";
		mz = eal_memzone_reserve(z->name, len, socket, flags);
		bump(w, N_ZRESERVE);
	} else if (how < 7) {
		w->what = "eal_memzone_reserve_aligned";
		align = aligns[rnd(w, EAL_DIM(aligns))];
		mz = eal_memzone_reserve_aligned(z->name, len, socket, flags, align);
		bump(w, N_ZALIGNED);
	} else {
		/* bound: a power of two of 1 to 4 times the rounded length */
		w->what = "eal_memzone_reserve_bounded";
		len = random_size(w, 16);
		align = aligns[rnd(w, 3)];
		bound = (unsigned int)pow2_ceil(EAL_ALIGN_CEIL(len, (size_t)64)) << rnd(w, 3);
		mz = eal_memzone_reserve_bounded(z->name, len, socket, flags, align, bound);
		bump(w, N_ZBOUNDED);
	}
	if (mz == NULL)
		return fail_at(w, __LINE__, NULL,
			       "%s('%s', %zu, socket %d, flags 0x%x, align %u, bound %u) returned NULL",
			       w->what, z->name, len, socket, flags, align, bound);
	a = (uintptr_t)mz->addr;
	CHECK(w, strcmp(mz->name, z->name) == 0, mz->addr);
	CHECK(w, mz->len == EAL_ALIGN_CEIL(len, (size_t)64), mz->addr);
	CHECK(w, a % EAL_CACHE_LINE_SIZE == 0 && (align == 0 || a % align == 0), mz->addr);
	CHECK(w, mz->hugepage_sz == PG, mz->addr);
	CHECK(w, mz->socket_id >= 0 && (socket == EAL_SOCKET_ID_ANY || mz->socket_id == socket),
	      mz->addr);
	CHECK(w, mz->flags == 0, mz->addr);
	CHECK(w, mz->iova == eal_mem_virt2iova(mz->addr), mz->addr);
	CHECK(w, mz->iova == EAL_BAD_IOVA || align == 0 || mz->iova % align == 0, mz->addr);
	if (bound != 0) {
		uint64_t m = ~((uint64_t)bound - 1);

		CHECK(w, (a & m) == ((a + mz->len - 1) & m), mz->addr);
		CHECK(w, mz->iova == EAL_BAD_IOVA || (mz->iova & m) == ((mz->iova + mz->len - 1) & m),
		      mz->addr);
	}
	CHECK(w, eal_memzone_lookup(z->name) == mz, mz->addr);
	if (check_no_overlap(w, mz->addr, mz->len, NULL) < 0)
		return -1;
	z->mz = mz;
	z->key = pattern_key(w->tag, mz->addr, mz->len);
	pattern_fill(mz->addr, mz->len, z->key);
	return 0;
}

/* Reserving an existing name fails with EEXIST and one ERR line. */
static int
zone_eexist(struct worker *w, const char *name)
{
	const struct eal_memzone *mz;

	w->what = "eal_memzone_reserve (EEXIST)";
	eal_errno = 0;
	/* Expected: quiet (no ERR line, which the log handler would count
	 * as a failure), as in DPDK. */
	mz = eal_memzone_reserve(name, 64, EAL_SOCKET_ID_ANY, 0);
	CHECK(w, mz == NULL && eal_errno == EEXIST, mz);
	bump(w, N_EEXIST);
	return 0;
}

/* Check, free, and make sure the name is gone. */
static int
zone_free(struct worker *w, struct zone *z)
{
	const struct eal_memzone *mz = z->mz;

	w->what = "eal_memzone_free";
	CHECK_PATTERN(w, mz->addr, mz->len, z->key);
	CHECK(w, eal_memzone_free(mz) == 0, mz->addr);
	CHECK(w, eal_memzone_lookup(z->name) == NULL, NULL);
	bump(w, N_ZFREE);
	z->mz = NULL;
	return 0;
}

static int
zone_op(struct worker *w)
{
	struct zone *z = &w->z[rnd(w, ZSLOTS)];

	if (z->mz == NULL) {
		if (zone_reserve(w, z, "p") < 0)
			return -1;
		w->held += z->mz->len;
		return 0;
	}
	if (rnd(w, 2) != 0) {
		w->what = "eal_memzone_lookup";
		CHECK(w, eal_memzone_lookup(z->name) == z->mz, z->mz->addr);
		CHECK_PATTERN(w, z->mz->addr, z->mz->len, z->key);
		bump(w, N_ZLOOKUP);
		return rnd(w, 8) == 0 ? zone_eexist(w, z->name) : 0;
	}
	w->held -= z->mz->len;
	return zone_free(w, z);
}

/* The walk sees every zone this thread holds once, with its address and
 * length, and every other descriptor looks sane. */
struct walk {
	struct worker *w;
	unsigned int n, seen[ZSLOTS + PUBS], bad;
	const struct eal_memzone *first_bad;
};

static bool
our_name(const char *s)
{
	unsigned int a, b;
	char tail;

	if (strcmp(s, CTL_NAME) == 0)
		return true;
	return strchr("pshe", s[0]) != NULL && sscanf(s + 1, "%u.%u%c", &a, &b, &tail) == 2;
}

static void
walk_cb(const struct eal_memzone *mz, void *arg)
{
	struct walk *k = arg;

	k->n++;
	if (memchr(mz->name, '\0', sizeof(mz->name)) == NULL || !our_name(mz->name) ||
	    mz->addr == NULL || mz->len == 0 || mz->len % EAL_CACHE_LINE_SIZE != 0) {
		if (k->bad++ == 0)
			k->first_bad = mz;
		return;
	}
	for (unsigned int i = 0; i < ZSLOTS + PUBS; i++) {
		const struct zone *z = i < ZSLOTS ? &k->w->z[i] : &k->w->pz[i - ZSLOTS];

		if (z->mz == mz) {
			k->seen[i]++;
			if (strcmp(mz->name, z->name) != 0 && k->bad++ == 0)
				k->first_bad = mz;
		}
	}
}

static int
zone_walk(struct worker *w)
{
	struct walk k = { .w = w };
	unsigned int mine = 0;

	w->what = "eal_memzone_walk";
	eal_memzone_walk(walk_cb, &k);
	if (k.bad != 0)
		return fail_at(w, __LINE__, k.first_bad, "walk: %u bad descriptors, first '%.32s'",
			       k.bad, k.first_bad->name);
	for (unsigned int i = 0; i < ZSLOTS + PUBS; i++) {
		const struct zone *z = i < ZSLOTS ? &w->z[i] : &w->pz[i - ZSLOTS];

		if (z->mz != NULL) {
			mine++;
			if (k.seen[i] != 1)
				return fail_at(w, __LINE__, z->mz, "walk saw zone '%s' %u times",
					       z->name, k.seen[i]);
		} else {
			CHECK(w, k.seen[i] == 0, NULL);
		}
	}
	CHECK(w, k.n >= mine + 1, NULL); /* and mp_heap_ctl */
	bump(w, N_WALK);
	return 0;
}

/* ------------------------------------------------------------------------
 * Published zones: owner side, then readers
 */

static int
publish_op(struct worker *w)
{
	unsigned int j = (unsigned int)rnd(w, PUBS);
	struct pub *pb = &w->c->pub[w->id][j];
	struct zone *z = &w->pz[j];
	uint32_t v = PUB_WORD(PUB_LIVE);

	if (z->mz == NULL) {
		if (zone_reserve(w, z, "s") < 0)
			return -1;
		w->held += z->mz->len;
		pb->it.kind = ITEM_ZONE;
		pb->it.tag = w->tag;
		pb->it.addr = (uintptr_t)z->mz->addr;
		pb->it.len = z->mz->len;
		pb->it.desc = (uintptr_t)z->mz;
		memcpy(pb->it.name, z->name, sizeof(pb->it.name));
		/* The contents and the item before the state. */
		__atomic_store_n(&pb->state, PUB_WORD(PUB_LIVE), __ATOMIC_RELEASE);
		bump(w, N_PUBLISHED);
		return 0;
	}
	/* Retire it unless someone is looking at it (try again later). */
	if (!__atomic_compare_exchange_n(&pb->state, &v, PUB_WORD(PUB_GOING), false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	w->held -= z->mz->len;
	if (zone_free(w, z) < 0)
		return -1;
	__atomic_store_n(&pb->state, PUB_WORD(PUB_EMPTY), __ATOMIC_RELEASE);
	return 0;
}

/* Look up a zone another thread published: same descriptor, address,
 * length and contents as its owner saw; its name cannot be taken. */
static int
foreign_lookup(struct worker *w)
{
	unsigned int k = (unsigned int)rnd(w, w->c->n_workers);
	struct pub *pb = &w->c->pub[k][rnd(w, PUBS)];
	const struct eal_memzone *mz;
	uint32_t v;
	int rc = 0;

	if (k == w->id)
		return 0;
	v = __atomic_load_n(&pb->state, __ATOMIC_RELAXED);
	if (PUB_STATE(v) != PUB_LIVE ||
	    !__atomic_compare_exchange_n(&pb->state, &v, v + 1, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		return 0;
	w->what = "eal_memzone_lookup (another thread's zone)";
	mz = eal_memzone_lookup(pb->it.name);
	if (mz == NULL || (uintptr_t)mz != pb->it.desc || (uintptr_t)mz->addr != pb->it.addr ||
	    mz->len != pb->it.len) {
		rc = fail_at(w, __LINE__, (void *)(uintptr_t)pb->it.addr,
			     "lookup('%s') of worker %u: descriptor %p (addr %p, len %zu), published %p (addr 0x%" PRIx64 ", len %" PRIu64 ")",
			     pb->it.name, k, (const void *)mz, mz != NULL ? mz->addr : NULL,
			     mz != NULL ? mz->len : 0, (void *)(uintptr_t)pb->it.desc, pb->it.addr,
			     pb->it.len);
	} else {
		size_t at = pattern_check(mz->addr, mz->len,
					  pattern_key(pb->it.tag, mz->addr, mz->len));

		if (at != mz->len)
			rc = fail_at(w, __LINE__, mz->addr, "zone '%s' of worker %u: byte %zu changed",
				     mz->name, k, at);
		else if (rnd(w, 8) == 0)
			rc = zone_eexist(w, pb->it.name);
	}
	if (rc == 0)
		bump(w, N_FOREIGN_LOOKUP);
	__atomic_fetch_sub(&pb->state, 1, __ATOMIC_RELEASE);
	return rc;
}

/* ------------------------------------------------------------------------
 * Hand-over: worker k sends to the same thread of the next process
 */

static unsigned int
receiver(const struct ctl *c, unsigned int k)
{
	return (k + THREADS) % c->n_workers;
}

static unsigned int
sender(const struct ctl *c, unsigned int k)
{
	return (k + c->n_workers - THREADS) % c->n_workers;
}

static int
send_op(struct worker *w)
{
	struct mailbox *mb = &w->c->box[w->id];
	uint32_t head = mb->head, tail = __atomic_load_n(&mb->tail, __ATOMIC_ACQUIRE);
	struct item *e = &mb->e[head % BOX];

	if (head - tail == BOX)
		return 0; /* the receiver is behind */
	memset(e, 0, sizeof(*e));
	e->tag = w->tag;
	if (rnd(w, 4) != 0) {
		struct block b;

		if (block_new(w, &b, random_size(w, 18)) < 0)
			return -1;
		e->kind = ITEM_BLOCK;
		e->addr = (uintptr_t)b.p;
		e->len = b.size;
	} else {
		struct zone z = { 0 };

		if (zone_reserve(w, &z, "h") < 0)
			return -1;
		e->kind = ITEM_ZONE;
		e->addr = (uintptr_t)z.mz->addr;
		e->len = z.mz->len;
		e->desc = (uintptr_t)z.mz;
		memcpy(e->name, z.name, sizeof(e->name));
	}
	/* The pattern and the entry before the head. */
	__atomic_store_n(&mb->head, head + 1, __ATOMIC_RELEASE);
	bump(w, N_SENT);
	return 0;
}

/* Take one entry from this worker's inbox, check it and free it.
 * Returns 1 when there was one, 0 when the inbox is empty, -1. */
static int
receive_one(struct worker *w)
{
	unsigned int from = sender(w->c, w->id);
	struct mailbox *mb = &w->c->box[from];
	uint32_t tail = mb->tail, head = __atomic_load_n(&mb->head, __ATOMIC_ACQUIRE);
	struct item e;
	void *addr;

	if (tail == head)
		return 0;
	e = mb->e[tail % BOX];
	addr = (void *)(uintptr_t)e.addr;
	if (e.kind == ITEM_BLOCK) {
		w->what = "eal_free (another process's block)";
		CHECK_PATTERN(w, addr, e.len, pattern_key(e.tag, addr, e.len));
		eal_free(addr);
	} else {
		const struct eal_memzone *mz;

		w->what = "eal_memzone_free (another process's zone)";
		CHECK(w, e.kind == ITEM_ZONE, addr);
		mz = eal_memzone_lookup(e.name);
		CHECK(w, mz != NULL && (uintptr_t)mz == e.desc && mz->addr == addr && mz->len == e.len,
		      addr);
		CHECK_PATTERN(w, addr, e.len, pattern_key(e.tag, addr, e.len));
		CHECK(w, eal_memzone_free(mz) == 0, addr);
		CHECK(w, eal_memzone_lookup(e.name) == NULL, addr);
	}
	__atomic_store_n(&mb->tail, tail + 1, __ATOMIC_RELEASE);
	bump(w, N_RECEIVED);
	return 1;
}

/* ------------------------------------------------------------------------
 * Statistics, validate, calls that must fail
 */

static void
stats_sum(struct eal_malloc_socket_stats *sum, bool *ok)
{
	memset(sum, 0, sizeof(*sum));
	*ok = true;
	for (int s = 0; s < EAL_MAX_NUMA_NODES; s++) {
		struct eal_malloc_socket_stats st;

		if (eal_malloc_get_socket_stats(s, &st) != 0) {
			*ok = false;
			continue;
		}
		if (st.heap_allocsz_bytes != st.heap_totalsz_bytes - st.heap_freesz_bytes ||
		    st.greatest_free_size > st.heap_freesz_bytes)
			*ok = false;
		sum->heap_totalsz_bytes += st.heap_totalsz_bytes;
		sum->heap_freesz_bytes += st.heap_freesz_bytes;
		sum->heap_allocsz_bytes += st.heap_allocsz_bytes;
		sum->alloc_count += st.alloc_count;
		sum->free_count += st.free_count;
	}
}

/* The heaps count at least the allocations this thread holds. */
static int
stats_op(struct worker *w)
{
	struct eal_malloc_socket_stats st;
	unsigned int mine = 0;
	bool ok;

	w->what = "eal_malloc_get_socket_stats";
	for (unsigned int i = 0; i < SLOTS; i++)
		mine += w->b[i].p != NULL;
	for (unsigned int i = 0; i < ZSLOTS; i++)
		mine += w->z[i].mz != NULL;
	for (unsigned int i = 0; i < PUBS; i++)
		mine += w->pz[i].mz != NULL;
	stats_sum(&st, &ok);
	CHECK(w, ok, NULL);
	if (st.alloc_count < mine)
		return fail_at(w, __LINE__, NULL, "the heaps count %u allocations, this thread holds %u",
			       st.alloc_count, mine);
	bump(w, N_STATS);
	return 0;
}

static int
validate_op(struct worker *w)
{
	w->what = "eal_malloc_validate";
	CHECK(w, eal_malloc_validate() == 0, NULL);
	bump(w, N_VALIDATE);
	return 0;
}

/* Each fails with EINVAL and changes nothing; a realloc to 0 bytes
 * leaves the block as it was. */
static int
bad_call_op(struct worker *w)
{
	struct block *b = &w->b[rnd(w, SLOTS)];

	w->what = "calls that must fail";
	eal_errno = 0;
	CHECK(w, eal_malloc(NULL, 0, 0) == NULL && eal_errno == EINVAL, NULL);
	eal_errno = 0;
	CHECK(w, eal_zmalloc_socket(NULL, 64, 48, 0) == NULL && eal_errno == EINVAL, NULL);
	eal_errno = 0;
	CHECK(w, eal_calloc(NULL, SIZE_MAX / 2, 4, 0) == NULL && eal_errno == EINVAL, NULL);
	eal_errno = 0;
	CHECK(w, eal_malloc_socket(NULL, 64, 0, EAL_MAX_NUMA_NODES) == NULL && eal_errno == EINVAL,
	      NULL);
	if (b->p != NULL) {
		eal_errno = 0;
		CHECK(w, eal_realloc(b->p, 0, 0) == NULL && eal_errno == EINVAL, b->p);
		CHECK_PATTERN(w, b->p, b->size, b->key);
	}
	/* Not found is not an error: eal_errno stays. */
	eal_errno = 0;
	CHECK(w, eal_memzone_lookup("p9999.0") == NULL && eal_errno == 0, NULL);
	bump(w, N_BAD_CALL);
	return 0;
}

/* ------------------------------------------------------------------------
 * A worker's run
 */

static int
one_op(struct worker *w)
{
	uint64_t r = rnd(w, 1000);

	if (r < 430)
		return block_op(w);
	if (r < 510)
		return send_op(w);
	if (r < 590)
		return receive_one(w) < 0 ? -1 : 0;
	if (r < 720)
		return zone_op(w);
	if (r < 800)
		return foreign_lookup(w);
	if (r < 850)
		return publish_op(w);
	if (r < 880)
		return zone_walk(w);
	if (r < 920)
		return stats_op(w);
	if (r < 925)
		return validate_op(w);
	if (r < 940)
		return bad_call_op(w);
	return block_op(w);
}

/* Everything the sender put in this worker's inbox, up to its last. */
static int
drain(struct worker *w)
{
	unsigned int from = sender(w->c, w->id);

	w->what = "draining the inbox";
	for (;;) {
		/* Read before emptying: when the sender was done then, the
		 * inbox holds all it will ever send. */
		bool done = __atomic_load_n(&w->c->w[from].mix_done, __ATOMIC_ACQUIRE) != 0;
		int got;

		while ((got = receive_one(w)) > 0)
			;
		if (got < 0)
			return -1;
		if (done)
			return 0;
		if (stopped(w))
			return __atomic_load_n(&w->c->abort, __ATOMIC_ACQUIRE) != 0
				       ? 1
				       : fail_at(w, __LINE__, NULL, "worker %u never finished", from);
		sched_yield();
	}
}

/* Free what this worker holds; published zones wait for their readers. */
static int
release_all(struct worker *w)
{
	for (unsigned int i = 0; i < SLOTS; i++)
		if (w->b[i].p != NULL && block_free(w, &w->b[i]) < 0)
			return -1;
	for (unsigned int i = 0; i < ZSLOTS; i++)
		if (w->z[i].mz != NULL && zone_free(w, &w->z[i]) < 0)
			return -1;
	for (unsigned int j = 0; j < PUBS; j++) {
		struct pub *pb = &w->c->pub[w->id][j];
		uint32_t v;

		if (w->pz[j].mz == NULL)
			continue;
		for (;;) {
			v = PUB_WORD(PUB_LIVE);
			if (__atomic_compare_exchange_n(&pb->state, &v, PUB_WORD(PUB_GOING), false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
				break;
			if (stopped(w))
				return 1;
			sched_yield();
		}
		if (zone_free(w, &w->pz[j]) < 0)
			return -1;
		__atomic_store_n(&pb->state, PUB_WORD(PUB_EMPTY), __ATOMIC_RELEASE);
	}
	w->held = 0;
	return 0;
}

static int
worker_run(struct worker *w)
{
	struct ctl *c = w->c;
	struct wstate *ws = &c->w[w->id];
	int rc;

	rnd_seed(w, (c->seed << 8) | w->id);
	for (w->op = 0; w->op < c->ops; w->op++) {
		if (stopped(w))
			return __atomic_load_n(&c->abort, __ATOMIC_ACQUIRE) != 0
				       ? 1
				       : fail_at(w, __LINE__, NULL, "out of time");
		if (one_op(w) < 0)
			return -1;
	}
	__atomic_store_n(&ws->mix_done, 1, __ATOMIC_RELEASE);
	rc = drain(w);
	if (rc == 0)
		rc = release_all(w);
	if (rc == 0 && w->id >= THREADS) {
		/* A zone for the primary to find, check and free. */
		struct zone z = { 0 };

		if (zone_reserve(w, &z, "e") < 0)
			return -1;
		ws->end.kind = ITEM_ZONE;
		ws->end.tag = w->tag;
		ws->end.addr = (uintptr_t)z.mz->addr;
		ws->end.len = z.mz->len;
		ws->end.desc = (uintptr_t)z.mz;
		memcpy(ws->end.name, z.name, sizeof(ws->end.name));
	}
	if (rc == 0)
		__atomic_store_n(&ws->finished, 1, __ATOMIC_RELEASE);
	return rc;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	w->rc = worker_run(w);
	__atomic_fetch_add(&threads_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Start this process's workers: ids proc * THREADS + t. */
static int
workers_start(struct ctl *c, unsigned int proc, struct worker **ws, pthread_t *th)
{
	for (unsigned int t = 0; t < THREADS; t++) {
		ws[t] = calloc(1, sizeof(*ws[t]));
		if (ws[t] == NULL)
			return -1;
		ws[t]->c = c;
		ws[t]->id = proc * THREADS + t;
		ws[t]->tag = ((uint64_t)getpid() << 8) | t;
		ws[t]->what = "start";
		if (pthread_create(&th[t], NULL, worker_main, ws[t]) != 0)
			return -1;
	}
	return 0;
}

/* Wait for the workers until @deadline_ms; 0 when all returned 0, 1 when
 * one failed, -1 when one is still running (not joined: it may be stuck
 * in the library). */
static int
workers_join(struct worker **ws, pthread_t *th, uint64_t deadline_ms)
{
	int rc = 0;

	while (__atomic_load_n(&threads_done, __ATOMIC_ACQUIRE) < THREADS)
		if (eal_test_now_ms() > deadline_ms)
			return -1;
		else
			usleep(1000);
	for (unsigned int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		if (ws[t]->rc != 0)
			rc = 1;
		free(ws[t]);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * Secondary process
 */

static int
child(int argc, char **argv)
{
	char *args[16] = { (char *)"mp_heap_secondary" };
	unsigned int proc = (unsigned int)atoi(argv[0]);
	const struct eal_memzone *mz;
	struct worker *ws[THREADS];
	pthread_t th[THREADS];
	struct ctl *c;
	int n = 1, rc;

	for (int i = 1; i < argc && n < 15; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		printf("err %d\n", eal_errno);
		return 10;
	}
	/* The control zone, at the address and with the descriptor the
	 * primary has. */
	mz = eal_memzone_lookup(CTL_NAME);
	c = mz != NULL ? mz->addr : NULL;
	if (c == NULL || __atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) != CTL_MAGIC ||
	    c->self != (uintptr_t)c || c->desc != (uintptr_t)mz) {
		printf("err ctl %p\n", (void *)c);
		return 11;
	}
	printf("ok\n");
	fflush(stdout);
	while (__atomic_load_n(&c->go, __ATOMIC_ACQUIRE) == 0)
		if (__atomic_load_n(&c->abort, __ATOMIC_ACQUIRE) != 0 ||
		    eal_test_now_ms() > c->deadline_ms)
			return 12;
		else
			usleep(1000);
	if (workers_start(c, proc, ws, th) < 0) {
		__atomic_store_n(&c->abort, 1, __ATOMIC_SEQ_CST);
		return 13;
	}
	rc = workers_join(ws, th, c->deadline_ms + WAIT_MS);
	if (rc < 0) {
		fprintf(stderr, "mp_heap: secondary %u (pid %d): a worker is stuck\n", proc,
			(int)getpid());
		_exit(14);
	}
	rc = rc != 0 ? 15 : __atomic_load_n(&log_unexpected, __ATOMIC_RELAXED) != 0 ? 16 : 0;
	if (eal_cleanup() != 0 && rc == 0)
		rc = 17;
	return rc;
}

/* ------------------------------------------------------------------------
 * Primary: the test
 */

static long free_base;

/* What the teardown undoes after a failed check: secondaries still
 * running, the primary's EAL (not while one of its workers is stuck in
 * the library: it may still use the heap). */
static pid_t child_pid[STRESS_PROCS];
static struct ctl *run_ctl;
static bool workers_stuck;

static uint64_t
test_seed(void)
{
	const char *s = getenv("EAL_TEST_SEED");

	return s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : DEFAULT_SEED;
}

/* Pages the heaps of each node hold once everything is free: the shrink
 * rule keeps at least one page's worth of free memory per heap, and
 * never gives back a page that would leave less; a page's worth spread
 * over two regions is two pages. */
static void
check_pages_back(void)
{
	long held = 0;

	for (int s = 0; s < EAL_MAX_NUMA_NODES; s++) {
		struct eal_malloc_socket_stats st;

		assert_int_equal(eal_malloc_get_socket_stats(s, &st), 0);
		assert_int_equal(st.alloc_count, 0);
		assert_int_equal(st.heap_totalsz_bytes % PG, 0);
		if (st.heap_totalsz_bytes > 2 * PG)
			fail_msg("socket %d: the heaps keep %zu bytes with nothing allocated (at most 2 pages)",
				 s, st.heap_totalsz_bytes);
		held += (long)(st.heap_totalsz_bytes / PG);
	}
	print_message("# heap pages kept with nothing allocated: %ld\n", held);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base - held);
}

/* The memzone table and its name index agree, and hold @n zones. */
static void
check_memzone_index(unsigned int n)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	unsigned int count, zones, gen;
	bool valid;

	assert_non_null(mcfg);
	eal_mcfg_mlock_read_lock();
	valid = eal__memzone_index_is_valid(&mcfg->memzone_index);
	count = mcfg->memzone_index.count;
	zones = mcfg->memzones.count;
	gen = mcfg->memzone_index.gen;
	eal_mcfg_mlock_read_unlock();
	assert_true(valid);
	assert_int_equal(count, n);
	assert_int_equal(zones, n);
	assert_int_equal(gen % 2, 0); /* no change left half done */
}

static void
count_cb(const struct eal_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

/* Every secondary thread's last zone: found by name, same descriptor,
 * address and contents, freed here. */
static void
free_end_zones(struct ctl *c)
{
	for (unsigned int k = THREADS; k < c->n_workers; k++) {
		const struct item *e = &c->w[k].end;
		const struct eal_memzone *mz = eal_memzone_lookup(e->name);
		void *addr = (void *)(uintptr_t)e->addr;

		assert_int_equal(e->kind, ITEM_ZONE);
		assert_non_null(mz);
		assert_true((uintptr_t)mz == e->desc);
		assert_ptr_equal(mz->addr, addr);
		assert_int_equal(mz->len, e->len);
		assert_int_equal(pattern_check(addr, e->len, pattern_key(e->tag, addr, e->len)), e->len);
		assert_int_equal(eal_memzone_free(mz), 0);
		assert_null(eal_memzone_lookup(e->name));
	}
}

/* Start the secondaries and wait until each has attached and found the
 * control zone. */
static void
start_secondaries(struct ctl *c)
{
	int fd[STRESS_PROCS] = { 0 };
	char line[64];

	for (unsigned int p = 1; p < c->n_procs; p++) {
		char proc_s[16];

		snprintf(proc_s, sizeof(proc_s), "%u", p);
		child_pid[p] = eal_test_spawn("secondary", &fd[p], proc_s, "--file-prefix",
					      eal_test_prefix(), "--runtime-dir",
					      eal_test_runtime_base(), "--proc-type=secondary", NULL);
		assert_true(child_pid[p] > 0);
	}
	for (unsigned int p = 1; p < c->n_procs; p++) {
		if (eal_test_read_line(fd[p], line, sizeof(line), WAIT_MS) != 0)
			line[0] = '\0';
		close(fd[p]);
		if (strcmp(line, "ok") != 0)
			fail_msg("secondary %u said '%s'", p, line);
	}
}

/* Reap the secondaries as they exit, until @end_ms: one that fails or
 * dies stops everyone at once instead of at the deadline. Then stop and
 * reap the rest. */
static void
reap_secondaries(struct ctl *c, int *status, uint64_t end_ms)
{
	unsigned int left = c->n_procs - 1;
	long low = free_base;

	while (left > 0 && eal_test_now_ms() < end_ms) {
		long now = eal_test_free_hugepages_2m();

		low = now < low ? now : low;
		for (unsigned int p = 1; p < c->n_procs; p++) {
			int s;

			if (child_pid[p] == 0 || waitpid(child_pid[p], &s, WNOHANG) != child_pid[p])
				continue;
			status[p] = WIFEXITED(s) ? WEXITSTATUS(s) : 128 + WTERMSIG(s);
			child_pid[p] = 0;
			left--;
			if (status[p] != 0)
				__atomic_store_n(&c->abort, 1, __ATOMIC_SEQ_CST);
		}
		usleep(2000);
	}
	for (unsigned int p = 1; p < c->n_procs; p++) {
		if (child_pid[p] == 0)
			continue;
		__atomic_store_n(&c->abort, 1, __ATOMIC_SEQ_CST);
		status[p] = eal_test_wait(child_pid[p], WAIT_MS);
		child_pid[p] = 0;
	}
	print_message("# at most %ld hugepages in use at once\n", free_base - low);
}

/* Everything handed over was received, and the mix ran every operation. */
static void
check_counters(const struct ctl *c)
{
	uint64_t total[N_COUNTERS] = { 0 };

	for (unsigned int k = 0; k < c->n_workers; k++) {
		assert_int_equal(c->box[k].head, c->box[k].tail);
		assert_int_equal(c->w[k].n[N_SENT], c->w[receiver(c, k)].n[N_RECEIVED]);
		for (unsigned int i = 0; i < N_COUNTERS; i++)
			total[i] += c->w[k].n[i];
	}
	for (unsigned int i = 0; i < N_COUNTERS; i++) {
		print_message("# %-22s %" PRIu64 "\n", counter_names[i], total[i]);
		if (c->ops >= 1000 && total[i] == 0)
			fail_msg("no '%s' operation ran", counter_names[i]);
	}
}

static void
run(unsigned int n_procs, unsigned int ops, unsigned int run_ms)
{
	const struct eal_memzone *mz;
	struct worker *ws[THREADS];
	pthread_t th[THREADS];
	int status[STRESS_PROCS] = { 0 };
	uint64_t t0 = eal_test_now_ms(), end;
	unsigned int n_zones = 0, bad = 0, unfinished = 0;
	struct eal_malloc_socket_stats st;
	struct ctl *c;
	char **argv;
	int argc = eal_test_argv(&argv, "--proc-type=primary", NULL), rc;
	bool ok;

	__atomic_store_n(&log_unexpected, 0, __ATOMIC_RELAXED);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	stats_sum(&st, &ok);
	assert_true(ok);
	assert_int_equal(st.alloc_count, 0);

	mz = eal_memzone_reserve(CTL_NAME, sizeof(*c), EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	c = run_ctl = mz->addr;
	memset(c, 0, sizeof(*c));
	c->self = (uintptr_t)c;
	c->desc = (uintptr_t)mz;
	c->seed = test_seed();
	c->deadline_ms = t0 + run_ms;
	c->n_procs = n_procs;
	c->n_workers = n_procs * THREADS;
	c->ops = ops;
	__atomic_store_n(&c->magic, CTL_MAGIC, __ATOMIC_RELEASE);
	print_message("# %u processes x %u threads, %u operations each, seed 0x%" PRIx64
		      " (EAL_TEST_SEED=0x%" PRIx64 " repeats it)\n",
		      n_procs, THREADS, ops, c->seed, c->seed);

	start_secondaries(c);
	__atomic_store_n(&threads_done, 0, __ATOMIC_RELAXED);
	if (workers_start(c, 0, ws, th) < 0) {
		workers_stuck = true; /* whichever started may still run */
		fail_msg("cannot start the primary's threads");
	}
	__atomic_store_n(&c->go, 1, __ATOMIC_RELEASE);
	end = c->deadline_ms + WAIT_MS;
	reap_secondaries(c, status, end);
	rc = workers_join(ws, th, end);
	if (rc < 0) {
		workers_stuck = true;
		fail_msg("a thread of the primary is stuck (seed 0x%" PRIx64 ")", c->seed);
	}
	/* Say everything that went wrong: the FAILED lines on stderr tell
	 * what and where; a process that died has none. */
	for (unsigned int p = 1; p < n_procs; p++) {
		if (status[p] == 0)
			continue;
		print_message("# secondary %u (workers %u, %u) exited with status %d\n", p,
			      p * THREADS, p * THREADS + 1, status[p]);
		bad++;
	}
	for (unsigned int k = 0; k < c->n_workers; k++) {
		if (c->w[k].failed != 0)
			print_message("# worker %u failed at test line %u\n", k, c->w[k].failed);
		if (c->w[k].finished != 1)
			unfinished++;
	}
	if (unfinished != 0)
		print_message("# %u of %u workers did not finish\n", unfinished, c->n_workers);
	bad += unfinished;
	if (bad != 0 || rc != 0)
		fail_msg("the mixed run failed (seed 0x%" PRIx64 "): see above, and FAILED lines on stderr",
			 c->seed);
	print_message("# the mixed run took %" PRIu64 " ms\n", eal_test_now_ms() - t0);
	check_counters(c);

	/* The secondaries' last zones; then only the control zone is left. */
	free_end_zones(c);
	assert_int_equal(eal_malloc_validate(), 0);
	check_memzone_index(1);
	eal_memzone_walk(count_cb, &n_zones);
	assert_int_equal(n_zones, 1);
	assert_ptr_equal(eal_memzone_lookup(CTL_NAME), mz);
	stats_sum(&st, &ok);
	assert_true(ok);
	assert_int_equal(st.alloc_count, 1);

	/* Nothing left: the heap keeps at most its two pages. */
	run_ctl = NULL;
	assert_int_equal(eal_memzone_free(mz), 0);
	check_memzone_index(0);
	assert_int_equal(eal_malloc_validate(), 0);
	check_pages_back();
	assert_int_equal(__atomic_load_n(&log_unexpected, __ATOMIC_RELAXED), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()), 0);
}

/* After a failed check: stop and reap the secondaries, clean up the
 * primary (unless a worker is stuck), so that the pages go back. */
static int
teardown(void **state)
{
	(void)state;
	if (run_ctl != NULL)
		__atomic_store_n(&run_ctl->abort, 1, __ATOMIC_SEQ_CST);
	for (unsigned int p = 1; p < STRESS_PROCS; p++) {
		if (child_pid[p] > 0)
			(void)eal_test_wait(child_pid[p], WAIT_MS);
		child_pid[p] = 0;
	}
	run_ctl = NULL;
	if (!workers_stuck && eal__initialized())
		(void)eal_cleanup();
	return 0;
}

static void
test_four_processes(void **state)
{
	(void)state;
	run(PROCS, OPS, RUN_MS);
}

static void
test_stress(void **state)
{
	const char *s = getenv("EAL_STRESS_OPS");
	unsigned int ops = s != NULL && *s != '\0' ? (unsigned int)strtoul(s, NULL, 0) : STRESS_OPS;

	(void)state;
	run(STRESS_PROCS, ops, STRESS_RUN_MS);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_four_processes, teardown),
	};
	const struct CMUnitTest stress_tests[] = {
		cmocka_unit_test_teardown(test_stress, teardown),
	};
	bool stress = false;

	eal_test_setup(argc, argv);
	/* Before the first eal_init: lines logged earlier would be replayed. */
	eal_log_set_level(NULL, EAL_LOG_WARNING);
	eal_log_set_handler(log_line, NULL);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	for (int i = 1; i < argc; i++)
		stress = stress || strcmp(argv[i], "--stress") == 0;
	eal_test_require_hugepages_2m(stress ? 400 : 200);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	return stress ? cmocka_run_group_tests(stress_tests, NULL, NULL)
		      : cmocka_run_group_tests(tests, NULL, NULL);
}
