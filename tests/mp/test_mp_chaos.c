/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Kill storm (chaos_kill_storm, suite stress): secondaries SIGKILLed at
 * random instants while they use the shared heap and memzones leave the
 * application sound, and leave no page outside the heaps.
 *
 * A primary (dynamic memory on real 2 MiB hugepages, --socket-limit=768)
 * and EAL_CHAOS_PROCS secondaries (6), 2 threads each. Every thread runs a
 * random mix (seeded; the seed is printed, EAL_TEST_SEED replays the
 * operation sequences): eal_malloc / zmalloc / realloc / free of 16 B to
 * 256 KiB, 1 % of 1 to 6 MiB (the heap maps and unmaps pages), memzone
 * reserve / lookup / free, and hand-overs through a table of 256 slots in
 * the primary's zone "chaos_ctl": a thread publishes a fresh block or
 * zone, another process claims it (CAS PUBLISHED -> CLAIMED|pid), checks
 * it, and frees, refills or republishes it; a slot left mid-change by a
 * dead pid is taken back by anyone. Every block and zone holds a header
 * (magic, size, seed) and a pattern from that seed, checked before every
 * realloc and free and at every claim. What a thread owns is recorded in
 * the table too (per role and thread, with the state of the operation in
 * flight), so the process that replaces a killed one adopts its blocks and
 * zones, checks them and carries on: a kill leaks at most the blocks its
 * threads were allocating, reallocating or freeing at that instant.
 *
 * The parent SIGKILLs a random secondary every 50 to 200 ms for
 * EAL_CHAOS_SECONDS (20) and starts a new process in its role at once;
 * at the end it kills all of them, one by one at random instants. Then:
 *  - a checker secondary attaches; eal_malloc_validate() is 0; every page
 *    in a memseg is in a heap ("in no heap" = memseg bytes - heap bytes is
 *    0: this is the figure that shows pages leaked by kills); every
 *    published, claimed and adopted block and zone still has its pattern;
 *    1 MiB from eal_malloc and a 1 MiB memzone can be had; it frees all of
 *    it and says how much no one owns any more;
 *  - a survivor secondary attaches, the primary is SIGKILLed, and the
 *    survivor keeps allocating and freeing for 1.5 s (it may fail to grow;
 *    it must not crash or hang); then it is killed too;
 *  - a fresh primary of the same prefix initialises over the dead ones'
 *    files and cleans up: the free 2 MiB hugepage count is back to the
 *    baseline, no hugepage file of the prefix and no runtime file is left.
 * It fails on any corruption, failed check in a worker, crash, failed
 * attach, hang (every wait is bounded), page outside the heaps, failed
 * validate or checker allocation, or anything not reclaimed. No timing is
 * asserted. The last line sums it up ("chaos: ... ops, ... kills, ...").
 *
 * Exit status: 0 pass, 77 without 400 free 2 MiB hugepages. Runs alone
 * (it compares the system's free hugepage count).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"
#include "eal_log.h"
#include "eal_malloc.h"
#include "eal_memory.h"
#include "eal_memzone.h"

#define KiB ((uint64_t)1 << 10)
#define MiB ((uint64_t)1 << 20)
#define THREADS 2
#define DEFAULT_PROCS 6
#define MAX_PROCS 16
#define DEFAULT_SECONDS 20
#define SLOTS 256
#define OWN_BLOCKS 24
#define OWN_ZONES 4
#define BUDGET (16 * MiB)     /* bytes a thread owns at most */
#define KILL_MIN_MS 50
#define KILL_MAX_MS 200
#define WAIT_MS 30000u        /* any handshake, any reaping */
#define STALL_MS 10000u       /* no operation anywhere for this long: a hang */
#define SURVIVE_MS 1500u      /* the survivor works this long without a primary */
#define SLACK_MS 180000u      /* children give up this long after the storm */
#define CTL_NAME "chaos_ctl"
#define CTL_MAGIC 0x63616f735f63746cull
#define BLK_MAGIC 0xc4a05b1cu
#define GOLDEN 0x9e3779b97f4a7c15ull
#define MIN_SIZE 16           /* the header */
#define EXIT_ATTACH 10        /* eal_init failed */
#define EXIT_NO_CTL 11        /* attached, but no control zone */

/* ------------------------------------------------------------------------
 * Shared state: the control zone
 */

/* Operation counts, per role, so that they survive the kills. */
enum {
	C_OPS, C_MALLOC, C_REALLOC, C_FREE, C_BIG, C_ZRESERVE, C_ZLOOKUP, C_ZFREE, C_PUBLISH,
	C_CLAIM, C_REPUBLISH, C_REFILL, C_CLAIM_FREE, C_REAP, C_ADOPT, C_DROP, C_ENOMEM,
	C_VALIDATE, C_LOG_ERR, C_LOG_WARN, N_COUNTERS
};
static const char *const counter_names[N_COUNTERS] = {
	"ops", "malloc", "realloc", "free", "blocks >= 1 MiB", "zone reserve", "zone lookup",
	"zone free", "published", "claimed", "republished", "refilled", "claimed and freed",
	"taken back from the dead", "adopted", "dropped in flight", "ENOMEM", "validate",
	"ERR lines", "WARNING lines",
};

/* A block or zone a thread owns, and the operation in flight on it: what
 * the next process of the role finds when this one is killed. */
enum {
	OWN_EMPTY = 0,
	OWN_RESERVING, /* zone: name chosen, eal_memzone_reserve() may have run */
	OWN_FILLING,   /* it exists; the pattern may be incomplete */
	OWN_LIVE,      /* it exists with its whole pattern; nothing in flight */
	OWN_BUSY,      /* block: eal_free() or eal_realloc() in flight: may be gone */
	OWN_FREEING,   /* zone: eal_memzone_free() in flight (it is found by name) */
};

struct own {
	uint32_t state;  /* written last (release) */
	uint32_t size;   /* bytes of pattern */
	uint64_t addr;
	uint64_t seed;
	char name[EAL_MEMZONE_NAMESIZE]; /* zones */
};

struct reg {
	struct own b[OWN_BLOCKS];
	struct own z[OWN_ZONES];
};

/* One role: a secondary restarted after each kill. Only one process of a
 * role exists at a time (the parent starts the next after reaping). */
struct role {
	int32_t pid;  /* the latest process of the role */
	uint32_t gen; /* processes of the role started: zone names are unique */
	uint64_t n[N_COUNTERS];
	struct reg reg[THREADS];
};

/* A slot's word: SLOT_* in the high half, the pid that holds it in the
 * low half (0 for EMPTY and PUBLISHED). The holder alone writes the other
 * fields. A WRITING slot's block or zone exists once addr (or, for a
 * zone, named) is set; FREEING means it may be gone. */
enum { SLOT_EMPTY = 0, SLOT_WRITING, SLOT_PUBLISHED, SLOT_CLAIMED, SLOT_FREEING };
#define SLOT_WORD(st, pid) (((uint64_t)(st) << 32) | (uint32_t)(pid))
#define SLOT_STATE(v) ((uint32_t)((v) >> 32))
#define SLOT_PID(v) ((pid_t)(uint32_t)(v))
enum { KIND_BLOCK = 1, KIND_ZONE = 2 };

struct slot {
	uint64_t word;
	uint32_t kind;
	uint32_t size;
	uint64_t addr;  /* 0 until the block or zone exists */
	uint64_t seed;
	uint32_t named; /* zone: name complete, reserve may have run */
	uint32_t pad;
	char name[EAL_MEMZONE_NAMESIZE];
};

struct ctl {
	uint64_t magic; /* written last by the primary */
	uint64_t self;  /* the zone's address */
	uint64_t seed;
	uint64_t deadline_ms; /* CLOCK_MONOTONIC: children stop by then */
	uint32_t n_procs;
	uint32_t corruptions; /* pattern mismatches, any process */
	uint32_t errors;      /* other failed checks, any process */
	uint32_t pad;
	struct role role[MAX_PROCS];
	struct slot slot[SLOTS];
};

/* ------------------------------------------------------------------------
 * Per-thread state
 */

struct worker {
	struct ctl *c;
	struct role *role; /* NULL in the checker and the survivor */
	struct reg *reg;
	const char *who;   /* "secondary", "checker", "survivor" */
	unsigned int r, t;
	uint32_t gen;
	pid_t pid;
	uint64_t rng;
	uint64_t names;    /* zone names made */
};

static void
count(struct worker *w, unsigned int what)
{
	if (w->role != NULL)
		__atomic_fetch_add(&w->role->n[what], 1, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------------------
 * Log: ERR and WARNING lines are counted per role; the first ERR lines
 * and 3 WARNING lines of each process are printed. They are reported, not
 * failures (a recovery warns).
 */

static struct ctl *log_ctl;
static int log_role = -1;
static const char *log_who = "parent";
static uint32_t log_warn_printed, log_err_printed;
static uint64_t log_err;

static void
log_line(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (level > EAL_LOG_WARNING)
		return;
	if (level <= EAL_LOG_ERR)
		__atomic_fetch_add(&log_err, 1, __ATOMIC_RELAXED);
	if (log_ctl != NULL && log_role >= 0)
		__atomic_fetch_add(&log_ctl->role[log_role].n[level <= EAL_LOG_ERR ? C_LOG_ERR : C_LOG_WARN],
				   1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(level <= EAL_LOG_ERR ? &log_err_printed : &log_warn_printed, 1,
			       __ATOMIC_RELAXED) < (level <= EAL_LOG_ERR ? 20u : 3u))
		fprintf(stderr, "chaos: %s pid %d: libeal %s: %s: %s\n", log_who, (int)getpid(),
			level <= EAL_LOG_ERR ? "ERR" : "WARNING", component, line);
}

/* ------------------------------------------------------------------------
 * Random numbers: each thread draws from its own state (eal_test_rng_*_r).
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

static uint64_t
new_seed(struct worker *w)
{
	return eal_test_rng64_r(&w->rng) | 1;
}

/* 16 B .. 256 KiB, each power of two about as likely; 1 in 100 of
 * 1 .. 6 MiB. */
static size_t
random_size(struct worker *w)
{
	unsigned int shift;

	if (rnd(w, 100) == 0)
		return MiB + rnd(w, 5 * MiB + 1);
	shift = 4 + (unsigned int)rnd(w, 14);
	return ((size_t)1 << shift) + rnd(w, (size_t)1 << shift);
}

/* ------------------------------------------------------------------------
 * Patterns: a block or zone of size bytes starts with its header (magic,
 * size, seed); 64-bit word i >= 2 holds eal_test_mix64(seed ^ i * GOLDEN), a
 * partial last word its first bytes.
 */

struct hdr {
	uint32_t magic;
	uint32_t size;
	uint64_t seed;
};

static uint64_t
word_at(uint64_t seed, size_t i)
{
	return eal_test_mix64(seed ^ (i * GOLDEN));
}

static unsigned char
expected_byte(uint64_t seed, size_t size, size_t off)
{
	struct hdr h = { BLK_MAGIC, (uint32_t)size, seed };
	uint64_t v = word_at(seed, off / 8);

	if (off < sizeof(h))
		return ((const unsigned char *)&h)[off];
	return ((const unsigned char *)&v)[off % 8];
}

/* The header, and the pattern from byte @from on (rounded down to a word). */
static void
pattern_fill(void *p, size_t from, size_t size, uint64_t seed)
{
	struct hdr h = { BLK_MAGIC, (uint32_t)size, seed };
	uint64_t *q = p;
	size_t n = size / 8;

	memcpy(p, &h, sizeof(h));
	for (size_t i = from / 8 < 2 ? 2 : from / 8; i < n; i++)
		q[i] = word_at(seed, i);
	if (size % 8 != 0) {
		uint64_t v = word_at(seed, n);

		memcpy(q + n, &v, size % 8);
	}
}

/* First byte of [0, upto) that differs from the pattern of a block of
 * @size bytes with @seed, or upto. */
static size_t
pattern_check(const void *p, size_t size, size_t upto, uint64_t seed)
{
	struct hdr h = { BLK_MAGIC, (uint32_t)size, seed };
	const unsigned char *b = p;
	const uint64_t *q = p;
	size_t n = upto / 8;

	for (size_t i = 0; i < sizeof(h) && i < upto; i++)
		if (b[i] != ((const unsigned char *)&h)[i])
			return i;
	for (size_t i = 2; i < n; i++) {
		uint64_t v = word_at(seed, i);

		if (q[i] != v)
			return i * 8 + (size_t)__builtin_ctzll(q[i] ^ v) / 8;
	}
	for (size_t i = (n < 2 ? 2 : n) * 8; i < upto; i++)
		if (b[i] != expected_byte(seed, size, i))
			return i;
	return upto;
}

static size_t
zero_check(const void *p, size_t size)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != 0)
			return i;
	return size;
}

/* ------------------------------------------------------------------------
 * Failures: counted in the control zone, one line each on stderr
 */

static void error_at(struct worker *w, const char *fmt, ...) EAL_FORMAT(2, 3);

static void
error_at(struct worker *w, const char *fmt, ...)
{
	int err = eal_errno;
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&w->c->errors, 1, __ATOMIC_SEQ_CST);
	fprintf(stderr,
		"chaos: ERROR: %s; %s %u thread %u (pid %d, gen %u), eal_errno %d (%s), seed 0x%" PRIx64
		"\n",
		msg, w->who, w->r, w->t, (int)w->pid, w->gen, err, eal_strerror(err), w->c->seed);
}

static void
corruption(struct worker *w, const char *what, const void *p, size_t size, uint64_t seed,
	   size_t off, unsigned char want)
{
	const unsigned char *b = p;

	__atomic_fetch_add(&w->c->corruptions, 1, __ATOMIC_SEQ_CST);
	fprintf(stderr,
		"chaos: CORRUPTION: %s at %p, %zu bytes, block seed 0x%" PRIx64
		": byte %zu is 0x%02x, expected 0x%02x; %s %u thread %u (pid %d, gen %u), seed 0x%" PRIx64
		"\n",
		what, p, size, seed, off, b[off], want, w->who, w->r, w->t, (int)w->pid, w->gen,
		w->c->seed);
}

/* Bytes [0, upto) of a block of @size with @seed hold their pattern;
 * otherwise a corruption is reported. */
static bool
check(struct worker *w, const char *what, const void *p, size_t size, size_t upto, uint64_t seed)
{
	size_t at = pattern_check(p, size, upto, seed);

	if (at == upto)
		return true;
	corruption(w, what, p, size, seed, at, expected_byte(seed, size, at));
	return false;
}

/* An allocation failed: ENOMEM is counted (the storm may run the pool
 * low), anything else is an error. */
static void
alloc_failed(struct worker *w, const char *what, size_t size)
{
	if (eal_errno == ENOMEM)
		count(w, C_ENOMEM);
	else
		error_at(w, "%s(%zu) failed", what, size);
}

static void
own_set(struct own *o, uint32_t state)
{
	__atomic_store_n(&o->state, state, __ATOMIC_RELEASE);
}

static void
slot_set(struct slot *s, uint32_t state, pid_t pid)
{
	__atomic_store_n(&s->word, SLOT_WORD(state, pid), __ATOMIC_RELEASE);
}

/* An EMPTY slot has addr and named 0: whoever takes it next and dies
 * before writing them leaves nothing that looks like a block. */
static void
slot_empty(struct slot *s)
{
	__atomic_store_n(&s->addr, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->named, 0, __ATOMIC_RELAXED);
	slot_set(s, SLOT_EMPTY, 0);
}

static bool
pid_dead(pid_t pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

static int
zone_name(struct worker *w, char *name, char kind)
{
	int n = snprintf(name, EAL_MEMZONE_NAMESIZE, "c%c%u.%u.%u.%" PRIu64, kind, w->r, w->t,
			 w->gen, w->names++);

	return n > 0 && n < EAL_MEMZONE_NAMESIZE ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * What a thread owns: blocks
 */

static uint64_t
held(const struct worker *w)
{
	uint64_t sum = 0;

	for (unsigned int i = 0; i < OWN_BLOCKS; i++)
		if (w->reg->b[i].state != OWN_EMPTY)
			sum += w->reg->b[i].size;
	for (unsigned int i = 0; i < OWN_ZONES; i++)
		if (w->reg->z[i].state != OWN_EMPTY)
			sum += w->reg->z[i].size;
	return sum;
}

static void
block_alloc(struct worker *w, struct own *b)
{
	uint64_t h = held(w);
	size_t size = random_size(w);
	bool zero = rnd(w, 4) == 0;
	unsigned char *p;

	if (h + size > BUDGET)
		size = MIN_SIZE + rnd(w, 4096);
	if (h + size > BUDGET)
		return;
	p = zero ? eal_zmalloc(NULL, size, 0) : eal_malloc(NULL, size, 0);
	if (p == NULL) {
		alloc_failed(w, zero ? "eal_zmalloc" : "eal_malloc", size);
		return;
	}
	if (zero) {
		size_t at = zero_check(p, size);

		if (at != size)
			corruption(w, "eal_zmalloc block not zeroed", p, size, 0, at, 0);
	}
	b->addr = (uintptr_t)p;
	b->size = (uint32_t)size;
	b->seed = new_seed(w);
	own_set(b, OWN_FILLING);
	pattern_fill(p, 0, size, b->seed);
	own_set(b, OWN_LIVE);
	count(w, C_MALLOC);
	if (size >= MiB)
		count(w, C_BIG);
}

static void
block_free(struct worker *w, struct own *b, const char *what)
{
	void *p = (void *)(uintptr_t)b->addr;

	if (what != NULL)
		(void)check(w, what, p, b->size, b->size, b->seed);
	own_set(b, OWN_BUSY);
	eal_free(p);
	own_set(b, OWN_EMPTY);
	count(w, C_FREE);
}

static void
block_realloc(struct worker *w, struct own *b)
{
	unsigned char *p = (void *)(uintptr_t)b->addr, *q;
	size_t old = b->size, size = random_size(w), keep;
	uint64_t h = held(w) - old;
	bool ok;

	if (!check(w, "own block, before eal_realloc", p, old, old, b->seed)) {
		block_free(w, b, NULL);
		return;
	}
	if (h + size > BUDGET)
		size = MIN_SIZE + rnd(w, old);
	own_set(b, OWN_BUSY);
	q = eal_realloc(p, size, 0);
	if (q == NULL) {
		own_set(b, OWN_LIVE);
		alloc_failed(w, "eal_realloc", size);
		return;
	}
	/* The old contents up to the smaller size came along. */
	keep = size < old ? size : old;
	ok = check(w, "own block, after eal_realloc", q, old, keep, b->seed);
	b->addr = (uintptr_t)q;
	b->size = (uint32_t)size;
	own_set(b, OWN_FILLING);
	pattern_fill(q, ok ? keep : 0, size, b->seed);
	own_set(b, OWN_LIVE);
	count(w, C_REALLOC);
	if (size >= MiB)
		count(w, C_BIG);
}

static void
block_op(struct worker *w)
{
	struct own *b = &w->reg->b[rnd(w, OWN_BLOCKS)];
	unsigned int x;

	if (b->state == OWN_EMPTY) {
		block_alloc(w, b);
		return;
	}
	x = (unsigned int)rnd(w, 10);
	if (x < 3)
		block_realloc(w, b);
	else if (x < 8)
		block_free(w, b, "own block, before eal_free");
	else
		(void)check(w, "own block", (void *)(uintptr_t)b->addr, b->size, b->size, b->seed);
}

/* ------------------------------------------------------------------------
 * What a thread owns: zones
 */

/* The zone, found by name at its address, with its pattern; NULL (and an
 * error) when it is gone. */
static const struct eal_memzone *
zone_check(struct worker *w, const struct own *z, const char *what)
{
	const struct eal_memzone *mz = eal_memzone_lookup(z->name);

	count(w, C_ZLOOKUP);
	if (mz == NULL || (uintptr_t)mz->addr != z->addr || mz->len < z->size) {
		error_at(w, "%s: zone %s lost (found %p, at %p, expected at 0x%" PRIx64 ")", what,
			 z->name, (const void *)mz, mz != NULL ? mz->addr : NULL, z->addr);
		return NULL;
	}
	(void)check(w, what, mz->addr, z->size, z->size, z->seed);
	return mz;
}

static void
zone_reserve(struct worker *w, struct own *z)
{
	size_t size = 64 + rnd(w, 512 * KiB);
	const struct eal_memzone *mz;

	if (held(w) + size > BUDGET || zone_name(w, z->name, 'z') < 0)
		return;
	z->size = (uint32_t)size;
	z->addr = 0;
	own_set(z, OWN_RESERVING);
	mz = eal_memzone_reserve(z->name, size, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		own_set(z, OWN_EMPTY);
		alloc_failed(w, "eal_memzone_reserve", size);
		return;
	}
	if (strcmp(mz->name, z->name) != 0 || mz->len < size)
		error_at(w, "zone %s: descriptor says %s, %zu bytes", z->name, mz->name, mz->len);
	z->addr = (uintptr_t)mz->addr;
	z->seed = new_seed(w);
	own_set(z, OWN_FILLING);
	pattern_fill(mz->addr, 0, size, z->seed);
	own_set(z, OWN_LIVE);
	count(w, C_ZRESERVE);
}

static void
zone_free(struct worker *w, struct own *z)
{
	const struct eal_memzone *mz = zone_check(w, z, "own zone, before eal_memzone_free");

	if (mz == NULL) {
		own_set(z, OWN_EMPTY);
		return;
	}
	own_set(z, OWN_FREEING);
	if (eal_memzone_free(mz) != 0)
		error_at(w, "eal_memzone_free(%s) failed", z->name);
	own_set(z, OWN_EMPTY);
	count(w, C_ZFREE);
}

static void
zone_op(struct worker *w)
{
	struct own *z = &w->reg->z[rnd(w, OWN_ZONES)];

	if (z->state == OWN_EMPTY)
		zone_reserve(w, z);
	else if (rnd(w, 2) == 0)
		(void)zone_check(w, z, "own zone");
	else
		zone_free(w, z);
}

/* ------------------------------------------------------------------------
 * The previous process of the role was killed: take over what it owned.
 * Nothing else touches these entries meanwhile.
 */

static void
adopt_block(struct worker *w, struct own *b)
{
	switch (b->state) {
	case OWN_EMPTY:
		return;
	case OWN_LIVE:
		if (check(w, "adopted block", (void *)(uintptr_t)b->addr, b->size, b->size, b->seed))
			count(w, C_ADOPT);
		else
			block_free(w, b, NULL);
		return;
	case OWN_FILLING:
		pattern_fill((void *)(uintptr_t)b->addr, 0, b->size, b->seed);
		own_set(b, OWN_LIVE);
		count(w, C_ADOPT);
		return;
	case OWN_BUSY:
		/* killed in eal_free or eal_realloc: it may be gone */
		own_set(b, OWN_EMPTY);
		count(w, C_DROP);
		return;
	default:
		error_at(w, "own block in state %u", b->state);
		own_set(b, OWN_EMPTY);
	}
}

static void
adopt_zone(struct worker *w, struct own *z)
{
	const struct eal_memzone *mz;

	switch (z->state) {
	case OWN_EMPTY:
		return;
	case OWN_RESERVING:
		/* the reserve ran, or it did not */
		mz = eal_memzone_lookup(z->name);
		if (mz == NULL) {
			own_set(z, OWN_EMPTY);
			return;
		}
		if (mz->len < z->size)
			error_at(w, "zone %s: %zu bytes, asked for %u", z->name, mz->len, z->size);
		z->addr = (uintptr_t)mz->addr;
		z->seed = new_seed(w);
		own_set(z, OWN_FILLING);
		/* fall through */
	case OWN_FILLING:
		mz = eal_memzone_lookup(z->name);
		if (mz == NULL || (uintptr_t)mz->addr != z->addr) {
			error_at(w, "adopted zone %s lost", z->name);
			own_set(z, OWN_EMPTY);
			return;
		}
		pattern_fill(mz->addr, 0, z->size, z->seed);
		own_set(z, OWN_LIVE);
		count(w, C_ADOPT);
		return;
	case OWN_LIVE:
		if (zone_check(w, z, "adopted zone") == NULL)
			own_set(z, OWN_EMPTY);
		else
			count(w, C_ADOPT);
		return;
	case OWN_FREEING:
		mz = eal_memzone_lookup(z->name);
		if (mz != NULL && eal_memzone_free(mz) != 0)
			error_at(w, "eal_memzone_free(%s) of a killed free failed", z->name);
		own_set(z, OWN_EMPTY);
		return;
	default:
		error_at(w, "own zone in state %u", z->state);
		own_set(z, OWN_EMPTY);
	}
}

/* ------------------------------------------------------------------------
 * Hand-overs through the slot table
 */

/* A slot in state @from (pid 0), moved to @to; NULL when none of the 16
 * looked at is. */
static struct slot *
slot_take(struct worker *w, uint32_t from, uint64_t to)
{
	unsigned int start = (unsigned int)rnd(w, SLOTS);

	for (unsigned int k = 0; k < 16; k++) {
		struct slot *s = &w->c->slot[(start + k) % SLOTS];
		uint64_t v = SLOT_WORD(from, 0);

		if (__atomic_compare_exchange_n(&s->word, &v, to, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return s;
	}
	return NULL;
}

/* A fresh block (4 in 5) or zone, published. */
static void
publish(struct worker *w)
{
	struct slot *s = slot_take(w, SLOT_EMPTY, SLOT_WORD(SLOT_WRITING, w->pid));
	const struct eal_memzone *mz;
	size_t size;
	void *p;

	if (s == NULL)
		return;
	size = random_size(w);
	s->kind = rnd(w, 5) == 0 ? KIND_ZONE : KIND_BLOCK;
	s->size = (uint32_t)size;
	s->seed = new_seed(w);
	if (s->kind == KIND_BLOCK) {
		p = eal_malloc(NULL, size, 0);
		if (p == NULL) {
			slot_empty(s);
			alloc_failed(w, "eal_malloc (to publish)", size);
			return;
		}
	} else {
		if (zone_name(w, s->name, 'p') < 0) {
			slot_empty(s);
			return;
		}
		__atomic_store_n(&s->named, 1, __ATOMIC_RELEASE);
		mz = eal_memzone_reserve(s->name, size, EAL_SOCKET_ID_ANY, 0);
		if (mz == NULL) {
			slot_empty(s);
			alloc_failed(w, "eal_memzone_reserve (to publish)", size);
			return;
		}
		p = mz->addr;
		count(w, C_ZRESERVE);
	}
	__atomic_store_n(&s->addr, (uintptr_t)p, __ATOMIC_RELEASE);
	pattern_fill(p, 0, size, s->seed);
	slot_set(s, SLOT_PUBLISHED, 0);
	count(w, C_PUBLISH);
	if (size >= MiB)
		count(w, C_BIG);
}

/* The slot's block or zone holds its pattern. *mz is its zone (NULL when
 * a zone is lost: an error). */
static bool
slot_check(struct worker *w, const struct slot *s, const char *what,
	   const struct eal_memzone **mz)
{
	void *p = (void *)(uintptr_t)s->addr;

	*mz = NULL;
	if (s->kind == KIND_ZONE) {
		*mz = eal_memzone_lookup(s->name);
		count(w, C_ZLOOKUP);
		if (*mz == NULL || (*mz)->addr != p || (*mz)->len < s->size) {
			error_at(w, "%s: zone %s lost (found %p, expected at %p)", what, s->name,
				 (const void *)*mz, p);
			*mz = NULL;
			return false;
		}
	} else if (s->kind != KIND_BLOCK) {
		error_at(w, "%s: slot of kind %u", what, s->kind);
		return false;
	}
	return check(w, what, p, s->size, s->size, s->seed);
}

/* Free the slot's block or zone (its check is done). */
static void
slot_release(struct worker *w, struct slot *s, const struct eal_memzone *mz)
{
	if (s->kind == KIND_BLOCK) {
		eal_free((void *)(uintptr_t)s->addr);
		count(w, C_FREE);
	} else if (mz != NULL) {
		if (eal_memzone_free(mz) != 0)
			error_at(w, "eal_memzone_free(%s) of a claimed zone failed", s->name);
		count(w, C_ZFREE);
	}
}

/* Claim a published block or zone, check it, then republish it (1 in
 * 4), refill it with a new seed (3 in 20) or free it. */
static void
claim(struct worker *w)
{
	struct slot *s = slot_take(w, SLOT_PUBLISHED, SLOT_WORD(SLOT_CLAIMED, w->pid));
	const struct eal_memzone *mz;
	unsigned int x;
	bool ok;

	if (s == NULL)
		return;
	count(w, C_CLAIM);
	ok = slot_check(w, s, "claimed", &mz);
	if (s->kind != KIND_BLOCK && mz == NULL) {
		slot_empty(s);
		return;
	}
	x = (unsigned int)rnd(w, 20);
	if (ok && x < 5) {
		slot_set(s, SLOT_PUBLISHED, 0);
		count(w, C_REPUBLISH);
	} else if (ok && x < 8) {
		slot_set(s, SLOT_WRITING, w->pid);
		s->seed = new_seed(w);
		pattern_fill((void *)(uintptr_t)s->addr, 0, s->size, s->seed);
		slot_set(s, SLOT_PUBLISHED, 0);
		count(w, C_REFILL);
	} else {
		slot_set(s, SLOT_FREEING, w->pid);
		slot_release(w, s, mz);
		slot_empty(s);
		count(w, C_CLAIM_FREE);
	}
}

/* A slot held by a dead pid: CLAIMED goes back to PUBLISHED (the claimer
 * only read it); WRITING is freed (it exists once addr or named is set);
 * FREEING is cleared (a zone is freed if it is still there; a block may be
 * gone: dropped). */
static void
slot_reap(struct worker *w, struct slot *s)
{
	uint64_t v = __atomic_load_n(&s->word, __ATOMIC_ACQUIRE);
	uint32_t st = SLOT_STATE(v);
	pid_t pid = SLOT_PID(v);
	uint64_t addr;

	if ((st != SLOT_WRITING && st != SLOT_CLAIMED && st != SLOT_FREEING) || pid == w->pid ||
	    !pid_dead(pid))
		return;
	if (st == SLOT_CLAIMED) {
		if (__atomic_compare_exchange_n(&s->word, &v, SLOT_WORD(SLOT_PUBLISHED, 0), false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			count(w, C_REAP);
		return;
	}
	if (!__atomic_compare_exchange_n(&s->word, &v, SLOT_WORD(SLOT_FREEING, w->pid), false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	count(w, C_REAP);
	addr = __atomic_load_n(&s->addr, __ATOMIC_ACQUIRE);
	if (s->kind == KIND_BLOCK) {
		if (st == SLOT_WRITING && addr != 0) {
			eal_free((void *)(uintptr_t)addr);
			count(w, C_FREE);
		} else if (st == SLOT_FREEING) {
			count(w, C_DROP);
		}
	} else if (__atomic_load_n(&s->named, __ATOMIC_ACQUIRE) != 0) {
		const struct eal_memzone *mz = eal_memzone_lookup(s->name);

		if (mz != NULL) {
			if (eal_memzone_free(mz) != 0)
				error_at(w, "eal_memzone_free(%s) of a dead pid's zone failed", s->name);
			count(w, C_ZFREE);
		}
	}
	slot_empty(s);
}

static void
reap(struct worker *w)
{
	unsigned int start = (unsigned int)rnd(w, SLOTS);

	for (unsigned int k = 0; k < 32; k++)
		slot_reap(w, &w->c->slot[(start + k) % SLOTS]);
}

/* ------------------------------------------------------------------------
 * Secondary workers
 */

static void
one_op(struct worker *w)
{
	unsigned int x = (unsigned int)rnd(w, 1000);

	if (x < 550) {
		block_op(w);
	} else if (x < 650) {
		zone_op(w);
	} else if (x < 750) {
		publish(w);
	} else if (x < 950) {
		claim(w);
	} else if (x < 999) {
		reap(w);
	} else {
		count(w, C_VALIDATE);
		if (eal_malloc_validate() != 0)
			error_at(w, "eal_malloc_validate() failed during the storm");
	}
	count(w, C_OPS);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (unsigned int i = 0; i < OWN_BLOCKS; i++)
		adopt_block(w, &w->reg->b[i]);
	for (unsigned int i = 0; i < OWN_ZONES; i++)
		adopt_zone(w, &w->reg->z[i]);
	while (eal_test_now_ms() < w->c->deadline_ms)
		one_op(w);
	return NULL;
}

/* "prog" followed by the EAL arguments the parent gave. */
static int
eal_args(char **args, int max, const char *prog, int argc, char **argv)
{
	int n = 0;

	args[n++] = (char *)prog;
	for (int i = 0; i < argc && n < max - 1; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	return n;
}

static int
attach(int argc, char **argv, const char *prog)
{
	char *args[32];
	int n = eal_args(args, 32, prog, argc, argv);

	if (eal_init(n, args) < 0) {
		printf("err %d %s\n", eal_errno, eal_strerror(eal_errno));
		fflush(stdout);
		return -1;
	}
	return 0;
}

static struct ctl *
find_ctl(void)
{
	const struct eal_memzone *mz = eal_memzone_lookup(CTL_NAME);
	struct ctl *c = mz != NULL ? mz->addr : NULL;

	if (c == NULL || __atomic_load_n(&c->magic, __ATOMIC_ACQUIRE) != CTL_MAGIC ||
	    c->self != (uintptr_t)c) {
		printf("err no control zone (%p)\n", (void *)c);
		fflush(stdout);
		return NULL;
	}
	return c;
}

/* `worker <role> <eal args>`: attach, say "ok", run the threads until
 * killed (or the deadline). */
static int
child_worker(int argc, char **argv)
{
	unsigned int r = (unsigned int)atoi(argv[0]);
	struct worker *ws[THREADS];
	pthread_t th[THREADS];
	struct role *role;
	struct ctl *c;
	uint32_t gen;

	log_who = "secondary";
	if (attach(argc - 1, argv + 1, "chaos_secondary") < 0)
		return EXIT_ATTACH;
	c = find_ctl();
	if (c == NULL || r >= c->n_procs)
		return EXIT_NO_CTL;
	role = &c->role[r];
	log_ctl = c;
	log_role = (int)r;
	gen = __atomic_add_fetch(&role->gen, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&role->pid, (int32_t)getpid(), __ATOMIC_RELEASE);
	printf("ok\n");
	fflush(stdout);
	for (unsigned int t = 0; t < THREADS; t++) {
		ws[t] = calloc(1, sizeof(*ws[t]));
		if (ws[t] == NULL)
			return 2;
		*ws[t] = (struct worker){ .c = c, .role = role, .reg = &role->reg[t],
					  .who = "secondary", .r = r, .t = t, .gen = gen,
					  .pid = getpid() };
		rnd_seed(ws[t], eal_test_mix64(c->seed + ((uint64_t)r << 40) + ((uint64_t)gen << 8) + t));
		if (pthread_create(&th[t], NULL, worker_main, ws[t]) != 0)
			return 3;
	}
	for (unsigned int t = 0; t < THREADS; t++) {
		pthread_join(th[t], NULL);
		free(ws[t]);
	}
	return eal_cleanup() == 0 ? 0 : 4;
}

/* ------------------------------------------------------------------------
 * Primary: the control zone, and a watchdog
 */

static uint64_t
total_ops(const struct ctl *c)
{
	uint64_t n = 0;

	for (unsigned int r = 0; r < c->n_procs; r++)
		n += __atomic_load_n(&c->role[r].n[C_OPS], __ATOMIC_RELAXED);
	return n;
}

/* `primary <seed> <procs> <seconds> <eal args>`: reserve the control
 * zone, say "ok", then say "stall <ms>" whenever no secondary completes an
 * operation for STALL_MS, until killed. */
static int
child_primary(int argc, char **argv)
{
	uint64_t seed = strtoull(argv[0], NULL, 0), last_ops = 0, last_ms;
	unsigned int procs = (unsigned int)atoi(argv[1]), secs = (unsigned int)atoi(argv[2]);
	const struct eal_memzone *mz;
	bool stalled = false;
	struct ctl *c;

	log_who = "primary";
	if (attach(argc - 3, argv + 3, "chaos_primary") < 0)
		return EXIT_ATTACH;
	mz = eal_memzone_reserve(CTL_NAME, sizeof(*c), EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		printf("err control zone: %s\n", eal_strerror(eal_errno));
		return EXIT_NO_CTL;
	}
	c = mz->addr;
	memset(c, 0, sizeof(*c));
	c->self = (uintptr_t)c;
	c->seed = seed;
	c->n_procs = procs;
	c->deadline_ms = eal_test_now_ms() + secs * 1000ull + SLACK_MS;
	__atomic_store_n(&c->magic, CTL_MAGIC, __ATOMIC_RELEASE);
	printf("ok\n");
	fflush(stdout);
	last_ms = eal_test_now_ms();
	while (eal_test_now_ms() < c->deadline_ms) {
		uint64_t ops = total_ops(c), now = eal_test_now_ms();

		if (ops != last_ops) {
			last_ops = ops;
			last_ms = now;
			stalled = false;
		} else if (!stalled && now - last_ms > STALL_MS) {
			stalled = true;
			printf("stall %" PRIu64 " ms at %" PRIu64 " ops\n", now - last_ms, ops);
			fflush(stdout);
		}
		usleep(100 * 1000);
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * Checker: after the storm, with every secondary dead
 */

static int
seg_sum(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	(void)msl;
	*(uint64_t *)arg += ms->len;
	return 0;
}

/* Bytes in memsegs, and in the heaps (with their allocations). */
static void
memory_sums(uint64_t *mapped, uint64_t *heap, uint64_t *allocs, uint64_t *alloc_bytes)
{
	*mapped = *heap = *allocs = *alloc_bytes = 0;
	(void)eal_memseg_walk(seg_sum, mapped);
	for (int s = 0; s < EAL_MAX_NUMA_NODES; s++) {
		struct eal_malloc_socket_stats st;

		if (eal_malloc_get_socket_stats(s, &st) != 0)
			continue;
		*heap += st.heap_totalsz_bytes;
		*allocs += st.alloc_count;
		*alloc_bytes += st.heap_allocsz_bytes;
	}
}

/* Free what a dead thread owned; counts what may have leaked. */
static void
release_own(struct worker *w, struct reg *reg, unsigned int *dropped)
{
	for (unsigned int i = 0; i < OWN_BLOCKS; i++) {
		struct own *b = &reg->b[i];

		if (b->state == OWN_LIVE || b->state == OWN_FILLING)
			eal_free((void *)(uintptr_t)b->addr);
		else if (b->state == OWN_BUSY)
			(*dropped)++;
		own_set(b, OWN_EMPTY);
	}
	for (unsigned int i = 0; i < OWN_ZONES; i++) {
		struct own *z = &reg->z[i];
		const struct eal_memzone *mz;

		if (z->state != OWN_EMPTY && (mz = eal_memzone_lookup(z->name)) != NULL &&
		    eal_memzone_free(mz) != 0)
			error_at(w, "checker: eal_memzone_free(%s) failed", z->name);
		own_set(z, OWN_EMPTY);
	}
}

/* What the kernel sees: hugepages in use since the baseline, and files
 * of the prefix in the mount (every page in a memseg has one). */
static void
kernel_line(const char *when, long base, uint64_t mapped)
{
	long used = base - eal_test_free_hugepages_2m();
	int files = eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix());

	printf("info kernel, %s: %ld hugepages in use, %d files of the prefix, %" PRIu64
	       " pages in memsegs: %" PRId64 " pages in files but in no memseg\n",
	       when, used, files, mapped / (2 * MiB), (int64_t)files - (int64_t)(mapped / (2 * MiB)));
}

/* `checker <baseline free hugepages> <eal args>`: one "info ..." line per
 * figure, then "result key=value ...". */
static int
child_checker(int argc, char **argv)
{
	long base = atol(argv[0]);

	uint64_t mapped, heap, allocs, alloc_bytes, mapped2, heap2, allocs2, alloc_bytes2;
	uint64_t total[N_COUNTERS] = { 0 };
	unsigned int published = 0, stale = 0, own_live = 0, dropped = 0;
	uint32_t bad0;
	int validate, validate2;
	bool alloc_ok = false, zone_ok = false;
	const struct eal_memzone *mz;
	struct worker w;
	struct ctl *c;
	void *p;

	log_who = "checker";
	if (attach(argc - 1, argv + 1, "chaos_checker") < 0)
		return EXIT_ATTACH;
	c = find_ctl();
	if (c == NULL)
		return EXIT_NO_CTL;
	w = (struct worker){ .c = c, .who = "checker", .r = MAX_PROCS, .pid = getpid() };
	rnd_seed(&w, eal_test_mix64(c->seed ^ 0xc4ec4e7ull));
	bad0 = __atomic_load_n(&c->corruptions, __ATOMIC_SEQ_CST);

	/* Before anything changes: every page is in a heap, the heaps are sound. */
	memory_sums(&mapped, &heap, &allocs, &alloc_bytes);
	kernel_line("after the storm", base, mapped);
	validate = eal_malloc_validate();
	printf("info %" PRIu64 " MiB in memsegs, %" PRIu64 " MiB in the heaps, %" PRIu64
	       " allocations (%" PRIu64 " MiB); eal_malloc_validate() %d\n",
	       mapped / MiB, heap / MiB, allocs, alloc_bytes / MiB, validate);

	/* Every block and zone someone can still reach has its pattern. */
	for (unsigned int i = 0; i < SLOTS; i++) {
		struct slot *s = &c->slot[i];
		uint32_t st = SLOT_STATE(s->word);

		if (st == SLOT_PUBLISHED || st == SLOT_CLAIMED) {
			(void)slot_check(&w, s, st == SLOT_PUBLISHED ? "checker: published"
								      : "checker: claimed by the dead",
					 &mz);
			published += st == SLOT_PUBLISHED;
			stale += st == SLOT_CLAIMED;
		} else if (st != SLOT_EMPTY) {
			stale++;
		}
	}
	for (unsigned int r = 0; r < c->n_procs; r++)
		for (unsigned int t = 0; t < THREADS; t++) {
			struct reg *reg = &c->role[r].reg[t];

			w.r = r;
			w.t = t;
			for (unsigned int i = 0; i < OWN_BLOCKS; i++)
				if (reg->b[i].state == OWN_LIVE) {
					(void)check(&w, "checker: owned by the dead",
						    (void *)(uintptr_t)reg->b[i].addr, reg->b[i].size,
						    reg->b[i].size, reg->b[i].seed);
					own_live++;
				}
			for (unsigned int i = 0; i < OWN_ZONES; i++)
				if (reg->z[i].state == OWN_LIVE) {
					(void)zone_check(&w, &reg->z[i], "checker: zone owned by the dead");
					own_live++;
				}
		}
	w.r = MAX_PROCS;
	w.t = 0;
	printf("info %u published, %u slots held by the dead, %u blocks and zones owned by the dead, "
	       "checked: %u corrupt\n",
	       published, stale, own_live, __atomic_load_n(&c->corruptions, __ATOMIC_SEQ_CST) - bad0);
	for (unsigned int r = 0; r < c->n_procs; r++)
		for (unsigned int i = 0; i < N_COUNTERS; i++)
			total[i] += c->role[r].n[i];
	for (unsigned int i = 0; i < N_COUNTERS; i++)
		printf("info %-26s %" PRIu64 "\n", counter_names[i], total[i]);

	/* Memory can still be had. */
	p = eal_malloc(NULL, MiB, 0);
	if (p != NULL) {
		uint64_t seed = new_seed(&w);

		pattern_fill(p, 0, MiB, seed);
		alloc_ok = check(&w, "checker: 1 MiB block", p, MiB, MiB, seed);
		eal_free(p);
	}
	mz = eal_memzone_reserve("chaos_check", MiB, EAL_SOCKET_ID_ANY, 0);
	if (mz != NULL) {
		uint64_t seed = new_seed(&w);

		pattern_fill(mz->addr, 0, MiB, seed);
		zone_ok = check(&w, "checker: 1 MiB zone", mz->addr, MiB, MiB, seed) &&
			  eal_memzone_free(mz) == 0;
	}

	/* Free everything the table knows of: what stays allocated then is
	 * what kills left with no owner. */
	for (unsigned int i = 0; i < SLOTS; i++) {
		struct slot *s = &c->slot[i];
		uint32_t st = SLOT_STATE(s->word);

		if (st == SLOT_PUBLISHED || st == SLOT_CLAIMED) {
			/* checked above */
			mz = s->kind == KIND_ZONE ? eal_memzone_lookup(s->name) : NULL;
			slot_set(s, SLOT_FREEING, w.pid);
			slot_release(&w, s, mz);
			slot_empty(s);
		} else if (st != SLOT_EMPTY) {
			dropped += s->kind == KIND_BLOCK && st == SLOT_FREEING;
			slot_reap(&w, s);
		}
	}
	for (unsigned int r = 0; r < c->n_procs; r++)
		for (unsigned int t = 0; t < THREADS; t++)
			release_own(&w, &c->role[r].reg[t], &dropped);
	memory_sums(&mapped2, &heap2, &allocs2, &alloc_bytes2);
	kernel_line("after freeing", base, mapped2);
	validate2 = eal_malloc_validate();
	/* the control zone stays */
	printf("info after freeing everything known: %" PRIu64 " MiB in memsegs, %" PRIu64
	       " MiB in the heaps, %" PRIu64 " allocations left besides the control zone (%" PRIu64
	       " KiB), %u blocks dropped in flight; eal_malloc_validate() %d\n",
	       mapped2 / MiB, heap2 / MiB, allocs2 - 1, (alloc_bytes2 - sizeof(struct ctl)) / KiB,
	       dropped + (unsigned int)total[C_DROP], validate2);
	printf("result in_no_heap=%" PRId64 " in_no_heap_after=%" PRId64 " mapped=%" PRIu64
	       " validate=%d validate_after=%d alloc=%d zone=%d orphans=%" PRIu64 " ops=%" PRIu64
	       " corruptions=%u errors=%u log_err=%" PRIu64 "\n",
	       (int64_t)(mapped - heap), (int64_t)(mapped2 - heap2), mapped, validate, validate2,
	       alloc_ok, zone_ok, allocs2 - 1, total[C_OPS],
	       __atomic_load_n(&c->corruptions, __ATOMIC_SEQ_CST),
	       __atomic_load_n(&c->errors, __ATOMIC_SEQ_CST),
	       __atomic_load_n(&log_err, __ATOMIC_RELAXED));
	fflush(stdout);
	return eal_cleanup() == 0 ? 0 : 2;
}

/* ------------------------------------------------------------------------
 * Survivor: outlives the primary
 */

static volatile sig_atomic_t survivor_go;

static void
on_usr1(int sig)
{
	(void)sig;
	survivor_go = 1;
}

#define SURV_BLOCKS 16

/* `survivor <eal args>`: attach, allocate, say "ok"; on SIGUSR1 (the
 * primary is dead) allocate and free for SURVIVE_MS, say "survived
 * ops=.. null=.. bad=..", then wait to be killed. */
static int
child_survivor(int argc, char **argv)
{
	struct { void *p; size_t size; uint64_t seed; } b[SURV_BLOCKS] = { { 0 } };
	unsigned int ops = 0, nulls = 0, bad = 0;
	uint64_t t0;
	struct worker w;
	struct ctl *c;

	log_who = "survivor";
	signal(SIGUSR1, on_usr1);
	if (attach(argc, argv, "chaos_survivor") < 0)
		return EXIT_ATTACH;
	c = find_ctl();
	if (c == NULL)
		return EXIT_NO_CTL;
	w = (struct worker){ .c = c, .who = "survivor", .r = MAX_PROCS + 1, .pid = getpid() };
	rnd_seed(&w, eal_test_mix64(c->seed ^ 0x5a5a5a5aull));
	for (unsigned int i = 0; i < SURV_BLOCKS / 2; i++) {
		b[i].size = 64 * KiB;
		b[i].seed = new_seed(&w);
		b[i].p = eal_malloc(NULL, b[i].size, 0);
		if (b[i].p == NULL) {
			printf("err eal_malloc: %s\n", eal_strerror(eal_errno));
			return 3;
		}
		pattern_fill(b[i].p, 0, b[i].size, b[i].seed);
	}
	printf("ok\n");
	fflush(stdout);
	t0 = eal_test_now_ms();
	while (!survivor_go)
		if (eal_test_now_ms() - t0 > WAIT_MS)
			return 4;
		else
			usleep(1000);
	t0 = eal_test_now_ms();
	while (eal_test_now_ms() - t0 < SURVIVE_MS) {
		unsigned int i = (unsigned int)rnd(&w, SURV_BLOCKS);

		if (b[i].p == NULL) {
			b[i].size = MIN_SIZE + rnd(&w, 64 * KiB);
			b[i].seed = new_seed(&w);
			b[i].p = eal_malloc(NULL, b[i].size, 0);
			if (b[i].p == NULL)
				nulls++;
			else
				pattern_fill(b[i].p, 0, b[i].size, b[i].seed);
		} else {
			bad += !check(&w, "survivor block", b[i].p, b[i].size, b[i].size, b[i].seed);
			eal_free(b[i].p);
			b[i].p = NULL;
		}
		if (ops % 64 == 0 && eal_memzone_lookup(CTL_NAME) == NULL)
			bad++;
		ops++;
	}
	printf("survived ops=%u null=%u bad=%u\n", ops, nulls, bad);
	fflush(stdout);
	t0 = eal_test_now_ms();
	while (eal_test_now_ms() - t0 < WAIT_MS)
		usleep(10 * 1000);
	return 0;
}

/* `fresh <eal args>`: a new primary over the dead ones' files. */
static int
child_fresh(int argc, char **argv)
{
	log_who = "fresh primary";
	if (attach(argc, argv, "chaos_fresh") < 0)
		return EXIT_ATTACH;
	printf("ok\n");
	fflush(stdout);
	return eal_cleanup() == 0 ? 0 : 2;
}

static int
child(int argc, char **argv)
{
	const char *role = eal_test_child_role();

	if (strcmp(role, "primary") == 0 && argc >= 3)
		return child_primary(argc, argv);
	if (strcmp(role, "worker") == 0 && argc >= 1)
		return child_worker(argc, argv);
	if (strcmp(role, "checker") == 0 && argc >= 1)
		return child_checker(argc, argv);
	if (strcmp(role, "survivor") == 0)
		return child_survivor(argc, argv);
	if (strcmp(role, "fresh") == 0)
		return child_fresh(argc, argv);
	return 127;
}

/* ------------------------------------------------------------------------
 * Parent: the storm
 */

/* A child, its stdout and what it said so far. */
struct proc {
	pid_t pid;
	int fd;
	bool attached;
	size_t len;
	char buf[512];
};

struct tally {
	unsigned int kills, restarts, kills_before_attach, attach_failures, crashes, stalls;
};

static long free_base;
static int other_files_base;
static uint64_t test_seed;
static unsigned int n_procs;
static struct proc primary, secondary[MAX_PROCS], other;
static bool finished;

/* Hugepage files of other prefixes in the mount: when they change, another
 * program used the pool meanwhile and the free count cannot be compared. */
static int
other_files(void)
{
	int all = eal_test_dir_entries(eal_test_huge_mount_2m());

	return all - eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix());
}

static unsigned int
env_uint(const char *name, unsigned int def, unsigned int min, unsigned int max)
{
	const char *s = getenv(name);
	unsigned long v;

	if (s == NULL || *s == '\0')
		return def;
	v = strtoul(s, NULL, 0);
	return v < min ? min : v > max ? max : (unsigned int)v;
}

static uint64_t
seed_from_env(void)
{
	const char *s = getenv("EAL_TEST_SEED");
	struct timespec ts;

	if (s != NULL && *s != '\0')
		return strtoull(s, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return eal_test_mix64((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + (uint64_t)getpid()) &
	       0xffffffffull;
}

static void
proc_spawn(struct proc *p, const char *role, const char *arg0, bool primary_type,
	   const char *const *more)
{
	char *extra[24];
	int n = 0;

	if (arg0 != NULL)
		extra[n++] = (char *)arg0;
	for (; more != NULL && *more != NULL; more++)
		extra[n++] = (char *)*more;
	extra[n++] = (char *)"--file-prefix";
	extra[n++] = (char *)eal_test_prefix();
	extra[n++] = (char *)"--runtime-dir";
	extra[n++] = (char *)eal_test_runtime_base();
	extra[n++] = primary_type ? (char *)"--proc-type=primary" : (char *)"--proc-type=secondary";
	extra[n] = NULL;
	p->pid = eal_test_spawnv(role, &p->fd, extra);
	if (p->pid <= 0)
		fail_msg("cannot start a %s", role);
	p->attached = false;
	p->len = 0;
}

static void
proc_close(struct proc *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->pid = 0;
}

/* A line from secondary @r (MAX_PROCS: the primary). */
static void
proc_line(struct proc *p, unsigned int r, const char *line, struct tally *t)
{
	if (strcmp(line, "ok") == 0) {
		p->attached = true;
	} else if (strncmp(line, "stall", 5) == 0) {
		t->stalls++;
		print_message("# primary: %s: no secondary completed an operation (hang?)\n", line);
	} else if (r < MAX_PROCS) {
		print_message("# secondary %u (pid %d): %s\n", r, (int)p->pid, line);
	} else {
		print_message("# primary: %s\n", line);
	}
}

/* Read what @p said, without waiting. */
static void
proc_read(struct proc *p, unsigned int r, struct tally *t)
{
	for (;;) {
		ssize_t n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
		char *nl;

		if (n <= 0)
			return;
		p->len += (size_t)n;
		p->buf[p->len] = '\0';
		while ((nl = strchr(p->buf, '\n')) != NULL) {
			*nl = '\0';
			proc_line(p, r, p->buf, t);
			memmove(p->buf, nl + 1, p->len - (size_t)(nl + 1 - p->buf) + 1);
			p->len -= (size_t)(nl + 1 - p->buf);
		}
		if (p->len == sizeof(p->buf) - 1)
			p->len = 0; /* a line that long: drop it */
	}
}

/* A secondary ended (@status as eal_test_wait); @killed: by our SIGKILL. */
static void
classify(struct proc *p, unsigned int r, int status, bool killed, struct tally *t)
{
	if (killed && status == 128 + SIGKILL) {
		t->kills_before_attach += !p->attached;
		return;
	}
	if (status == EXIT_ATTACH || status == EXIT_NO_CTL) {
		t->attach_failures++;
		print_message("# secondary %u (pid %d) failed to attach (exit %d)\n", r, (int)p->pid,
			      status);
	} else {
		t->crashes++;
		print_message("# secondary %u (pid %d) %s with status %d%s\n", r, (int)p->pid,
			      status == -1 ? "did not die" : "ended", status,
			      status > 128 ? " (a signal: 128 + its number)" : "");
	}
}

static void
start_secondary(unsigned int r)
{
	char rs[16];

	snprintf(rs, sizeof(rs), "%u", r);
	proc_spawn(&secondary[r], "worker", rs, false, NULL);
	(void)fcntl(secondary[r].fd, F_SETFL, O_NONBLOCK);
}

/* SIGKILL secondary @r and reap it. */
static void
kill_secondary(unsigned int r, struct tally *t)
{
	struct proc *p = &secondary[r];
	int status;

	(void)kill(p->pid, SIGKILL);
	status = eal_test_wait(p->pid, WAIT_MS);
	proc_read(p, r, t);
	classify(p, r, status, true, t);
	proc_close(p);
	t->kills++;
}

/* Wait for @p to say a line; it must be "ok". */
static void
expect_ok(struct proc *p, const char *who)
{
	char line[512];

	if (eal_test_read_line(p->fd, line, sizeof(line), WAIT_MS) != 0)
		fail_msg("%s: no line within %u ms; exit status %d", who, WAIT_MS,
			 eal_test_wait(p->pid, WAIT_MS));
	if (strcmp(line, "ok") != 0)
		fail_msg("%s: %s; exit status %d", who, line, eal_test_wait(p->pid, WAIT_MS));
	p->attached = true;
}

static void
storm(unsigned int secs, struct tally *t)
{
	uint64_t now = eal_test_now_ms(), end = now + secs * 1000ull;
	uint64_t next = now + KILL_MIN_MS + eal_test_rng_below(KILL_MAX_MS - KILL_MIN_MS + 1);

	while ((now = eal_test_now_ms()) < end) {
		struct pollfd pfd[MAX_PROCS + 1];
		int status;

		for (unsigned int r = 0; r < n_procs; r++)
			pfd[r] = (struct pollfd){ .fd = secondary[r].fd, .events = POLLIN };
		pfd[n_procs] = (struct pollfd){ .fd = primary.fd, .events = POLLIN };
		(void)poll(pfd, n_procs + 1, next > now ? (int)(next - now < 10 ? next - now : 10) : 0);
		proc_read(&primary, MAX_PROCS, t);
		if (waitpid(primary.pid, &status, WNOHANG) == primary.pid) {
			primary.pid = 0;
			fail_msg("the primary died during the storm: status %d (seed 0x%" PRIx64 ")",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				 test_seed);
		}
		for (unsigned int r = 0; r < n_procs; r++) {
			struct proc *p = &secondary[r];

			proc_read(p, r, t);
			if (waitpid(p->pid, &status, WNOHANG) != p->pid)
				continue;
			/* it ended by itself */
			proc_read(p, r, t);
			classify(p, r, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				 false, t);
			proc_close(p);
			start_secondary(r);
			t->restarts++;
		}
		if (now >= next) {
			unsigned int r = (unsigned int)eal_test_rng_below(n_procs);

			kill_secondary(r, t);
			start_secondary(r);
			t->restarts++;
			next = eal_test_now_ms() + KILL_MIN_MS +
			       eal_test_rng_below(KILL_MAX_MS - KILL_MIN_MS + 1);
		}
	}
}

/* One secondary after the other, 0 to 20 ms apart, in a random order:
 * each dies at a random instant of its work. */
static void
kill_all(struct tally *t)
{
	unsigned int order[MAX_PROCS];

	for (unsigned int r = 0; r < n_procs; r++)
		order[r] = r;
	for (unsigned int r = n_procs - 1; r > 0; r--) {
		unsigned int k = (unsigned int)eal_test_rng_below(r + 1), x = order[r];

		order[r] = order[k];
		order[k] = x;
	}
	for (unsigned int r = 0; r < n_procs; r++) {
		usleep((unsigned int)eal_test_rng_below(20001));
		kill_secondary(order[r], t);
	}
}

/* The value of "key=" in @line, or -1. */
static int64_t
field(const char *line, const char *key)
{
	char k[64];
	const char *s;

	snprintf(k, sizeof(k), " %s=", key);
	s = strstr(line, k);
	return s != NULL ? strtoll(s + strlen(k), NULL, 10) : -1;
}

struct check_result {
	bool ran;
	int64_t in_no_heap, in_no_heap_after, validate, validate_after, alloc, zone, orphans, ops,
		corruptions, errors, log_err;
};

static void
run_checker(struct check_result *res)
{
	char line[512], base[32];
	int status;

	snprintf(base, sizeof(base), "%ld", free_base);
	proc_spawn(&other, "checker", base, false, NULL);
	for (;;) {
		if (eal_test_read_line(other.fd, line, sizeof(line), WAIT_MS) != 0) {
			print_message("# checker: no line within %u ms (hang?)\n", WAIT_MS);
			break;
		}
		if (strncmp(line, "info ", 5) == 0) {
			print_message("# checker: %s\n", line + 5);
		} else if (strncmp(line, "result ", 7) == 0) {
			res->ran = true;
			res->in_no_heap = field(line, "in_no_heap");
			res->in_no_heap_after = field(line, "in_no_heap_after");
			res->validate = field(line, "validate");
			res->validate_after = field(line, "validate_after");
			res->alloc = field(line, "alloc");
			res->zone = field(line, "zone");
			res->orphans = field(line, "orphans");
			res->ops = field(line, "ops");
			res->corruptions = field(line, "corruptions");
			res->errors = field(line, "errors");
			res->log_err = field(line, "log_err");
			break;
		} else {
			print_message("# checker: %s\n", line);
			break;
		}
	}
	status = eal_test_wait(other.pid, WAIT_MS);
	proc_close(&other);
	if (status != 0) {
		print_message("# checker: exit status %d\n", status);
		res->ran = false;
	}
}

/* A survivor attaches, the primary is killed, the survivor keeps
 * working, then it is killed. */
static bool
run_survivor(unsigned int *ops, unsigned int *bad)
{
	char line[512];
	bool ok = true;
	int status;

	proc_spawn(&other, "survivor", NULL, false, NULL);
	expect_ok(&other, "survivor");
	(void)kill(primary.pid, SIGKILL);
	status = eal_test_wait(primary.pid, WAIT_MS);
	proc_close(&primary);
	if (status != 128 + SIGKILL) {
		print_message("# the primary had ended before its kill: status %d\n", status);
		ok = false;
	}
	(void)kill(other.pid, SIGUSR1);
	if (eal_test_read_line(other.fd, line, sizeof(line), WAIT_MS) != 0 ||
	    strncmp(line, "survived ", 9) != 0) {
		print_message("# survivor: no report within %u ms (hang or crash)\n", WAIT_MS);
		ok = false;
	} else {
		print_message("# survivor without a primary: %s\n", line + 9);
		*ops = (unsigned int)field(line, "ops");
		*bad = (unsigned int)field(line, "bad");
		ok = ok && *bad == 0;
	}
	(void)kill(other.pid, SIGKILL);
	status = eal_test_wait(other.pid, WAIT_MS);
	proc_close(&other);
	if (status != 128 + SIGKILL) {
		print_message("# survivor ended with status %d before its kill\n", status);
		ok = false;
	}
	return ok;
}

static bool
run_fresh(void)
{
	char line[512];
	int status;

	proc_spawn(&other, "fresh", NULL, true, NULL);
	if (eal_test_read_line(other.fd, line, sizeof(line), WAIT_MS) != 0)
		snprintf(line, sizeof(line), "(no line)");
	status = eal_test_wait(other.pid, WAIT_MS);
	proc_close(&other);
	if (strcmp(line, "ok") != 0 || status != 0) {
		print_message("# fresh primary: %s, exit status %d\n", line, status);
		return false;
	}
	return true;
}

/* What failed, for one message. */
struct reasons {
	size_t len;
	char text[1024];
};

static void why(struct reasons *w, const char *fmt, ...) EAL_FORMAT(2, 3);

static void
why(struct reasons *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->len + 3 >= sizeof(w->text))
		return;
	if (w->len != 0) {
		memcpy(w->text + w->len, "; ", 3);
		w->len += 2;
	}
	va_start(ap, fmt);
	n = vsnprintf(w->text + w->len, sizeof(w->text) - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len = w->len + (size_t)n < sizeof(w->text) ? w->len + (size_t)n : sizeof(w->text) - 1;
}

static void
test_kill_storm(void **state)
{
	unsigned int secs = env_uint("EAL_CHAOS_SECONDS", DEFAULT_SECONDS, 1, 3600);
	struct check_result res = { .ran = false };
	unsigned int surv_ops = 0, surv_bad = 0;
	char seed_s[32], procs_s[16], secs_s[16];
	struct tally t = { 0 };
	bool surv_ok, fresh_ok, reclaimed;
	uint64_t corruptions, in_use;
	long free_now;
	int files, dir;
	double in_mib, per_kill_kib;
	struct reasons why_s = { .len = 0 };

	(void)state;
	n_procs = env_uint("EAL_CHAOS_PROCS", DEFAULT_PROCS, 1, MAX_PROCS);
	test_seed = seed_from_env();
	eal_test_rng_seed(test_seed);
	print_message("# %u secondaries x %u threads, SIGKILL every %u-%u ms for %u s "
		      "(EAL_CHAOS_SECONDS); seed 0x%" PRIx64 " (EAL_TEST_SEED=0x%" PRIx64
		      " replays it); baseline %ld free 2 MiB hugepages\n",
		      n_procs, THREADS, KILL_MIN_MS, KILL_MAX_MS, secs, test_seed, test_seed, free_base);

	snprintf(seed_s, sizeof(seed_s), "0x%" PRIx64, test_seed);
	snprintf(procs_s, sizeof(procs_s), "%u", n_procs);
	snprintf(secs_s, sizeof(secs_s), "%u", secs);
	{
		const char *const more[] = { procs_s, secs_s, "--socket-limit=768", NULL };

		proc_spawn(&primary, "primary", seed_s, true, more);
	}
	expect_ok(&primary, "primary");
	(void)fcntl(primary.fd, F_SETFL, O_NONBLOCK);
	for (unsigned int r = 0; r < n_procs; r++) {
		start_secondary(r);
		expect_ok(&secondary[r], "secondary");
	}

	storm(secs, &t);
	kill_all(&t);
	in_use = (uint64_t)(free_base - eal_test_free_hugepages_2m());
	print_message("# storm over: %u kills (%u before the process had attached), %u restarts, "
		      "%u attach failures, %u crashes, %u stalls; %" PRIu64
		      " hugepages in use with no secondary alive\n",
		      t.kills, t.kills_before_attach, t.restarts, t.attach_failures, t.crashes,
		      t.stalls, in_use);

	run_checker(&res);
	surv_ok = run_survivor(&surv_ops, &surv_bad);
	fresh_ok = run_fresh();
	free_now = eal_test_free_hugepages_2m();
	files = eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix());
	dir = eal_test_dir_entries(eal_test_runtime_dir());
	reclaimed = free_now == free_base && files == 0 && dir <= 0;
	if (free_now != free_base)
		print_message("# hugepage files of other programs in %s: %d at the start, %d now "
			      "(if they differ, something else used the pool: this test must run "
			      "alone)\n",
			      eal_test_huge_mount_2m(), other_files_base, other_files());
	finished = true;
	print_message("# after the fresh primary: %ld free hugepages (baseline %ld), %d hugepage files "
		      "of the prefix, runtime directory %s\n",
		      free_now, free_base, files,
		      dir < 0 ? "gone" : dir == 0 ? "empty" : "NOT EMPTY");

	corruptions = (uint64_t)(res.ran ? res.corruptions : 0) + surv_bad;
	in_mib = res.ran ? (double)res.in_no_heap / (double)MiB : -1;
	per_kill_kib = res.ran && t.kills > 0 ? (double)res.in_no_heap / KiB / t.kills : 0;
	if (res.ran)
		print_message("# in no heap after freeing everything known: %.0f MiB; %" PRId64
			      " allocations no one owns; %" PRId64 " errors; %" PRId64
			      " ERR lines in the checker; survivor: %u operations\n",
			      (double)res.in_no_heap_after / (double)MiB, res.orphans, res.errors,
			      res.log_err, surv_ops);
	print_message("chaos: %" PRId64 " ops, %u kills, %u restarts, %" PRIu64
		      " corruptions, in no heap %.0f MiB (%.1f KiB per kill), validate %s, "
		      "fresh primary %s\n",
		      res.ran ? res.ops : 0, t.kills, t.restarts, corruptions, in_mib, per_kill_kib,
		      res.ran && res.validate == 0 && res.validate_after == 0 ? "ok" : "failed",
		      fresh_ok ? "ok" : "failed");

	if (!res.ran)
		why(&why_s, "the checker did not attach or did not finish");
	if (corruptions != 0 || res.errors > 0 || t.attach_failures != 0 || t.crashes != 0 ||
	    t.stalls != 0)
		why(&why_s, "%" PRIu64 " corruptions, %" PRId64 " failed checks, %u attach failures, "
		    "%u crashes, %u stalls",
		    corruptions, res.errors, t.attach_failures, t.crashes, t.stalls);
	if (res.ran && (res.validate != 0 || res.validate_after != 0))
		why(&why_s, "eal_malloc_validate() %" PRId64 ", after freeing %" PRId64, res.validate,
		    res.validate_after);
	if (res.ran && (res.alloc != 1 || res.zone != 1))
		why(&why_s, "checker: 1 MiB eal_malloc %s, 1 MiB memzone %s",
		    res.alloc == 1 ? "ok" : "failed", res.zone == 1 ? "ok" : "failed");
	if (res.ran && (res.in_no_heap != 0 || res.in_no_heap_after != 0))
		why(&why_s, "%" PRId64 " bytes (%.0f MiB) of memsegs in no heap after %u kills (%" PRId64
		    " after freeing everything)",
		    res.in_no_heap, in_mib, t.kills, res.in_no_heap_after);
	if (!surv_ok)
		why(&why_s, "the survivor did not keep working without its primary");
	if (!fresh_ok)
		why(&why_s, "the fresh primary failed");
	if (!reclaimed)
		why(&why_s, "%ld free hugepages (baseline %ld), %d hugepage files, runtime dir %d entries",
		    free_now, free_base, files, dir);
	if (why_s.len != 0)
		fail_msg("seed 0x%" PRIx64 ": %s", test_seed, why_s.text);
}

/* After a failed check: kill every child left, and let a fresh primary
 * reclaim what they held. */
static int
teardown(void **state)
{
	struct proc *all[MAX_PROCS + 2];
	unsigned int n = 0;

	(void)state;
	all[n++] = &primary;
	all[n++] = &other;
	for (unsigned int r = 0; r < MAX_PROCS; r++)
		all[n++] = &secondary[r];
	for (unsigned int i = 0; i < n; i++)
		if (all[i]->pid > 0) {
			(void)kill(all[i]->pid, SIGKILL);
			(void)eal_test_wait(all[i]->pid, WAIT_MS);
			proc_close(all[i]);
		}
	if (!finished)
		(void)run_fresh();
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_kill_storm, teardown),
	};

	eal_test_setup(argc, argv);
	/* Before the first eal_init: lines logged earlier would be replayed. */
	eal_log_set_level(NULL, EAL_LOG_WARNING);
	eal_log_set_handler(log_line, NULL);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_test_require_hugepages_2m(400);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	other_files_base = other_files();
	primary.fd = other.fd = -1;
	for (unsigned int r = 0; r < MAX_PROCS; r++)
		secondary[r].fd = -1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
