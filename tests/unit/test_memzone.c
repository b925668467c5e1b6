/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of src/eal_memzone.c, in four parts:
 *
 * 1. The name index alone, against a model: fixed seeds, thousands of
 *    random inserts, duplicate inserts, removals and lookups per run, with
 *    random hashes, clusters of homes around the wrap point, and many
 *    names sharing one whole hash; after the runs the layout must be the
 *    one a fresh table of the same names has (backward-shift deletion
 *    leaves no trace, so lookups never slow down).
 * 2. The memzone layer on a state built here (anonymous zone table, index
 *    and lock in this process's memory) over a fake heap: a bump allocator
 *    that honours align and bound, has 2 MiB "pages" on sockets 0 and 1,
 *    and can be told to fail. DPDK's memzone_autotest catalogue (basic,
 *    free and reuse, filling the table, too big, flags, aligned, bounded,
 *    invalid alignment and flags, largest free block), error values and
 *    their order, one ERR line per failure, walk, dump, repair after a
 *    writer died, threads.
 * 3. Init and fini on a shared config in anonymous memory; every public
 *    function before eal_init().
 * 4. The public functions after eal_init(--no-huge), the memzone table's
 *    file, and a secondary process that attaches and shares it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal.h"
#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_private.h"
#include "eal_test.h"

#define MB (1ull << 20)
#define FAKE_SIZE (64u << 20)
#define FAKE_PAGE (2u << 20)
#define FAKE_IOVA_BASE 0x4000000000ull


/* ========================================================================
 * 1. The name index against a model
 */

#define MODEL_IDS 4096

/* Names by id: the "descriptors" the index points at. A freed id gets an
 * empty name, so a stale index entry can match nothing. */
static char model_name[MODEL_IDS][16];
static uint64_t model_hash[MODEL_IDS];
static bool model_live[MODEL_IDS];
static struct eal_memzone_index mix, fresh;

static bool
model_eq(const void *ctx, uint32_t idx, const char *name)
{
	(void)ctx;
	return idx < MODEL_IDS && strcmp(model_name[idx], name) == 0;
}

/* A hash with zero high half: the index then uses exactly its low half. */
#define LOW(x) ((uint64_t)(uint32_t)(x))

static void
test_hash_vectors(void **state)
{
	(void)state;
	/* FNV-1a 64's published vectors. */
	assert_true(eal__memzone_name_hash("") == 0xcbf29ce484222325ull);
	assert_true(eal__memzone_name_hash("a") == 0xaf63dc4c8601ec8cull);
	assert_true(eal__memzone_name_hash("foobar") == 0x85944171f73967e8ull);
	/* Case matters, and so does every byte. */
	assert_true(eal__memzone_name_hash("Foobar") != eal__memzone_name_hash("foobar"));
	assert_true(eal__memzone_name_hash("ring_17") != eal__memzone_name_hash("ring_18"));
}

/* The homes of 2560 names like those applications use spread over the
 * default table: no slot is home to more than a handful. */
static void
test_hash_spread(void **state)
{
	static uint16_t per_home[EAL_MEMZONE_INDEX_SLOTS];
	unsigned int worst = 0, used = 0;

	(void)state;
	assert_int_equal(eal__memzone_index_init(&mix, EAL_MEMZONE_INDEX_SLOTS), 0);
	memset(per_home, 0, sizeof(per_home));
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i++) {
		uint32_t s;

		snprintf(model_name[i], sizeof(model_name[i]), "mbuf_pool_%u", i);
		assert_int_equal(eal__memzone_index_insert(&mix, eal__memzone_name_hash(model_name[i]),
							   model_name[i], i, model_eq, NULL), 0);
		/* Where did it land relative to its home? Recover the home
		 * from the slot that holds it. */
		for (s = 0; s <= mix.mask; s++)
			if (mix.slot[s].ref == i + 1)
				break;
		assert_true(s <= mix.mask);
		per_home[mix.slot[s].hash & mix.mask]++;
	}
	for (unsigned int s = 0; s <= mix.mask; s++) {
		worst = per_home[s] > worst ? per_home[s] : worst;
		used += per_home[s] != 0;
	}
	/* A uniform hash puts 2560 names on about 2200 distinct homes of
	 * 8192, and rarely more than 5 on one. */
	assert_true(worst <= 7);
	assert_true(used >= EAL_MAX_MEMZONE * 3 / 4);
	assert_true(eal__memzone_index_is_valid(&mix));
}

static void
test_index_errors(void **state)
{
	uint32_t idx = 77;

	(void)state;
	memset(&mix, 0xa5, sizeof(mix));
	assert_int_equal(eal__memzone_index_init(&mix, 0), -EINVAL);
	assert_int_equal(eal__memzone_index_init(&mix, 1), -EINVAL);
	assert_int_equal(eal__memzone_index_init(&mix, 12), -EINVAL);
	assert_int_equal(eal__memzone_index_init(&mix, EAL_MEMZONE_INDEX_SLOTS * 2), -EINVAL);
	assert_int_equal(mix.mask, 0xa5a5a5a5); /* untouched on failure */
	/* A damaged mask is refused, never used to index the table. */
	assert_int_equal(eal__memzone_index_find(&mix, 1, "a", model_eq, NULL, &idx), -ENOENT);
	assert_int_equal(eal__memzone_index_insert(&mix, 1, "a", 0, model_eq, NULL), -EINVAL);
	assert_int_equal(eal__memzone_index_remove(&mix, 1, 0), -ENOENT);
	assert_false(eal__memzone_index_is_valid(&mix));

	assert_int_equal(eal__memzone_index_init(&mix, 8), 0);
	assert_int_equal(mix.mask, 7);
	assert_int_equal(mix.count, 0);
	assert_true(eal__memzone_index_is_valid(&mix));
	strcpy(model_name[0], "a");
	strcpy(model_name[1], "b");
	assert_int_equal(eal__memzone_index_find(&mix, LOW(3), "a", model_eq, NULL, &idx), -ENOENT);
	assert_int_equal(idx, 77);
	assert_int_equal(eal__memzone_index_insert(&mix, LOW(3), "a", UINT32_MAX, model_eq, NULL),
			 -EINVAL);
	assert_int_equal(eal__memzone_index_insert(&mix, LOW(3), "a", 0, model_eq, NULL), 0);
	assert_int_equal(eal__memzone_index_insert(&mix, LOW(3), "a", 1, model_eq, NULL), -EEXIST);
	/* Same whole hash, other name: both live side by side. */
	assert_int_equal(eal__memzone_index_insert(&mix, LOW(3), "b", 1, model_eq, NULL), 0);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(3), "b", model_eq, NULL, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(3), "a", model_eq, NULL, &idx), 0);
	assert_int_equal(idx, 0);
	/* Wrong hash: a different probe sequence, not found. */
	assert_int_equal(eal__memzone_index_find(&mix, LOW(5), "a", model_eq, NULL, &idx), -ENOENT);
	assert_int_equal(eal__memzone_index_remove(&mix, LOW(3), 5), -ENOENT);
	assert_int_equal(eal__memzone_index_remove(&mix, LOW(3), 0), 0);
	assert_int_equal(eal__memzone_index_remove(&mix, LOW(3), 0), -ENOENT);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(3), "b", model_eq, NULL, &idx), 0);
	assert_int_equal(mix.count, 1);

	/* Full: 7 entries in 8 slots, the 8th is refused, and lookups of
	 * absent names still end (on the one empty slot). */
	for (uint32_t i = 2; i < 8; i++) {
		snprintf(model_name[i], sizeof(model_name[i]), "n%u", i);
		assert_int_equal(eal__memzone_index_insert(&mix, LOW(i * 5), model_name[i], i,
							   model_eq, NULL), 0);
	}
	assert_int_equal(mix.count, 7);
	strcpy(model_name[8], "n8");
	assert_int_equal(eal__memzone_index_insert(&mix, LOW(1), "n8", 8, model_eq, NULL), -ENOSPC);
	for (uint32_t h = 0; h < 16; h++)
		assert_int_equal(eal__memzone_index_find(&mix, LOW(h), "zz", model_eq, NULL, &idx),
				 -ENOENT);
	assert_true(eal__memzone_index_is_valid(&mix));
}

/* Where each entry sits, by name. */
static int
slot_of(const struct eal_memzone_index *ix, uint32_t idx)
{
	for (uint32_t s = 0; s <= ix->mask; s++)
		if (ix->slot[s].ref == idx + 1)
			return (int)s;
	return -1;
}

/* A backward shift across the end of the table, worked by hand. */
static void
test_index_backward_shift(void **state)
{
	/* id: name, home (8 slots; distinct whole hashes) */
	static const uint32_t tag[] = { 6, 6 + 8, 7, 0 + 8, 2 }; /* A B C D E */
	uint32_t idx;

	(void)state;
	assert_int_equal(eal__memzone_index_init(&mix, 8), 0);
	for (uint32_t i = 0; i < 5; i++) {
		snprintf(model_name[i], sizeof(model_name[i]), "%c", 'A' + i);
		assert_int_equal(eal__memzone_index_insert(&mix, LOW(tag[i]), model_name[i], i,
							   model_eq, NULL), 0);
	}
	/* A@6 B@7 C@0 D@1 E@2 */
	assert_int_equal(slot_of(&mix, 0), 6);
	assert_int_equal(slot_of(&mix, 1), 7);
	assert_int_equal(slot_of(&mix, 2), 0);
	assert_int_equal(slot_of(&mix, 3), 1);
	assert_int_equal(slot_of(&mix, 4), 2);

	/* Remove A: B, C and D each move back one slot (across the wrap);
	 * E is at its home and stays; slot 1 empties. */
	assert_int_equal(eal__memzone_index_remove(&mix, LOW(tag[0]), 0), 0);
	assert_int_equal(slot_of(&mix, 1), 6);
	assert_int_equal(slot_of(&mix, 2), 7);
	assert_int_equal(slot_of(&mix, 3), 0);
	assert_int_equal(slot_of(&mix, 4), 2);
	assert_int_equal(mix.slot[1].ref, 0);
	assert_int_equal(mix.slot[1].hash, 0);

	/* Remove C: D is at its home (0) and stays; 7 empties. */
	assert_int_equal(eal__memzone_index_remove(&mix, LOW(tag[2]), 2), 0);
	assert_int_equal(slot_of(&mix, 3), 0);
	assert_int_equal(mix.slot[7].ref, 0);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[1]), "B", model_eq, NULL, &idx), 0);
	assert_int_equal(idx, 1);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[3]), "D", model_eq, NULL, &idx), 0);
	assert_int_equal(idx, 3);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[4]), "E", model_eq, NULL, &idx), 0);
	assert_int_equal(idx, 4);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[0]), "A", model_eq, NULL, &idx),
			 -ENOENT);
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[2]), "C", model_eq, NULL, &idx),
			 -ENOENT);
	assert_int_equal(mix.count, 3);
	assert_true(eal__memzone_index_is_valid(&mix));

	/* The checker sees what a broken shift would leave: B (home 6)
	 * behind an empty slot 7... */
	mix.slot[7] = mix.slot[6];
	mix.slot[6] = (struct eal_memzone_index_slot){ 0, 0 };
	assert_int_equal(eal__memzone_index_find(&mix, LOW(tag[1]), "B", model_eq, NULL, &idx),
			 -ENOENT);
	assert_false(eal__memzone_index_is_valid(&mix));
	mix.slot[6] = mix.slot[7];
	mix.slot[7] = (struct eal_memzone_index_slot){ 0, 0 };
	assert_true(eal__memzone_index_is_valid(&mix));
	/* ...a wrong count, and a hash left in an empty slot. */
	mix.count = 2;
	assert_false(eal__memzone_index_is_valid(&mix));
	mix.count = 3;
	mix.slot[5].hash = 1;
	assert_false(eal__memzone_index_is_valid(&mix));
	mix.slot[5].hash = 0;
	assert_true(eal__memzone_index_is_valid(&mix));
}

enum hash_mode {
	HASH_RANDOM,   /* 64 random bits */
	HASH_WRAP,     /* homes in a window across the end of the table, and
			* equal whole hashes within it */
	HASH_FEW,      /* four whole hashes for every name */
	HASH_ONE,      /* one whole hash for every name */
	HASH_MODES
};

struct model_run {
	uint32_t slots;   /* table size */
	uint32_t ids;     /* ids (descriptors) available */
	enum hash_mode mode;
	unsigned int ops;
	unsigned int check_every; /* full check period */
};

static uint32_t model_n_live, model_next_name;

static uint64_t
model_new_hash(enum hash_mode mode, uint32_t mask)
{
	switch (mode) {
	case HASH_WRAP:
		return LOW(((mask - 2 + eal_test_rng_below(5)) & mask) + eal_test_rng_below(3) * (mask + 1));
	case HASH_FEW:
		return (1 + eal_test_rng_below(4)) * 0x9e3779b97f4a7c15ull;
	case HASH_ONE:
		return 0x1234567800000042ull;
	default:
		return eal_test_rng64();
	}
}

static int
model_free_id(uint32_t ids)
{
	for (uint32_t i = 0; i < ids; i++)
		if (!model_live[i])
			return (int)i;
	return -1;
}

static int
model_random_live(uint32_t ids)
{
	uint32_t k;

	if (model_n_live == 0)
		return -1;
	k = eal_test_rng_below(model_n_live);
	for (uint32_t i = 0; i < ids; i++)
		if (model_live[i] && k-- == 0)
			return (int)i;
	return -1;
}

/* Sum over entries of their distance from home. */
static uint64_t
displacement(const struct eal_memzone_index *ix)
{
	uint64_t d = 0;

	for (uint32_t s = 0; s <= ix->mask; s++)
		if (ix->slot[s].ref != 0)
			d += (s - ix->slot[s].hash) & ix->mask;
	return d;
}

/* The index equals the model: count, validity, every live name found at
 * its id. */
static void
model_check_all(uint32_t ids)
{
	uint32_t idx;

	assert_int_equal(mix.count, model_n_live);
	assert_true(eal__memzone_index_is_valid(&mix));
	for (uint32_t i = 0; i < ids; i++) {
		if (!model_live[i])
			continue;
		assert_int_equal(eal__memzone_index_find(&mix, model_hash[i], model_name[i], model_eq,
							 NULL, &idx), 0);
		assert_int_equal(idx, i);
	}
}

/*
 * Linear probing puts a set of keys in the same slots, with the same total
 * distance from home, whatever the order they were inserted in; deletion
 * by backward shift leaves the table as if the deleted key had never been
 * inserted. So after any history the index must have exactly the occupied
 * slots and the displacement of a fresh table of the live names. A
 * tombstone, or a shift that stopped early, breaks this.
 */
static void
model_check_fresh(uint32_t ids)
{
	assert_int_equal(eal__memzone_index_init(&fresh, mix.mask + 1), 0);
	for (uint32_t i = 0; i < ids; i++)
		if (model_live[i])
			assert_int_equal(eal__memzone_index_insert(&fresh, model_hash[i],
								   model_name[i], i, model_eq,
								   NULL), 0);
	for (uint32_t s = 0; s <= mix.mask; s++)
		assert_int_equal(mix.slot[s].ref != 0, fresh.slot[s].ref != 0);
	assert_true(displacement(&mix) == displacement(&fresh));
}

static void
model_run(const struct model_run *r, uint64_t seed)
{
	uint32_t idx;

	eal_test_rng_seed(seed);
	memset(model_live, 0, sizeof(model_live));
	memset(model_name, 0, sizeof(model_name));
	model_n_live = 0;
	model_next_name = 0;
	assert_int_equal(eal__memzone_index_init(&mix, r->slots), 0);

	for (unsigned int op = 0; op < r->ops; op++) {
		uint32_t p = eal_test_rng_below(100);
		int id = model_free_id(r->ids), live = model_random_live(r->ids);
		bool full = model_n_live >= mix.mask;

		if (p < 45 && id >= 0) {
			/* A new name. */
			char name[16];
			uint64_t h = model_new_hash(r->mode, mix.mask);
			int rc;

			snprintf(name, sizeof(name), "n%u", model_next_name++);
			strcpy(model_name[id], name);
			rc = eal__memzone_index_insert(&mix, h, name, (uint32_t)id, model_eq, NULL);
			if (full) {
				assert_int_equal(rc, -ENOSPC);
				model_name[id][0] = '\0';
			} else {
				assert_int_equal(rc, 0);
				model_hash[id] = h;
				model_live[id] = true;
				model_n_live++;
			}
		} else if (p < 55 && id >= 0 && live >= 0) {
			/* A name that exists, under another id. */
			assert_int_equal(eal__memzone_index_insert(&mix, model_hash[live],
								   model_name[live], (uint32_t)id,
								   model_eq, NULL),
					 full ? -ENOSPC : -EEXIST);
		} else if (p < 85 && live >= 0) {
			assert_int_equal(eal__memzone_index_remove(&mix, model_hash[live],
								   (uint32_t)live), 0);
			model_live[live] = false;
			model_name[live][0] = '\0';
			model_n_live--;
			assert_int_equal(eal__memzone_index_find(&mix, model_hash[live], "", model_eq,
								 NULL, &idx), -ENOENT);
		} else if (p < 90 && id >= 0) {
			/* An id that is not in: whatever the hash, not found. */
			assert_int_equal(eal__memzone_index_remove(&mix, model_new_hash(r->mode, mix.mask),
								   (uint32_t)id), -ENOENT);
		} else {
			char name[16];

			snprintf(name, sizeof(name), "x%u", (unsigned int)eal_test_rng_below(1000000));
			assert_int_equal(eal__memzone_index_find(&mix, model_new_hash(r->mode, mix.mask),
								 name, model_eq, NULL, &idx), -ENOENT);
			if (live >= 0) {
				assert_int_equal(eal__memzone_index_find(&mix, model_hash[live],
									 model_name[live], model_eq,
									 NULL, &idx), 0);
				assert_int_equal(idx, (uint32_t)live);
			}
		}
		assert_int_equal(mix.count, model_n_live);
		if (op % r->check_every == 0)
			model_check_all(r->ids);
	}
	model_check_all(r->ids);
	model_check_fresh(r->ids);
}

static void
test_index_model_small(void **state)
{
	(void)state;
	/* 16 slots, up to 15 entries: clusters cover most of the table and
	 * inserts regularly meet -ENOSPC. */
	for (int mode = 0; mode < HASH_MODES; mode++) {
		const struct model_run r = { 16, 16, (enum hash_mode)mode, 10000, 1 };

		for (uint64_t seed = 1; seed <= 4; seed++)
			model_run(&r, seed * 100 + (uint64_t)mode);
	}
}

static void
test_index_model_medium(void **state)
{
	(void)state;
	/* 256 slots, 128 ids: the memzone layer's worst load (one half). */
	for (int mode = 0; mode < HASH_MODES; mode++) {
		const struct model_run r = { 256, 128, (enum hash_mode)mode, 10000,
					      mode == HASH_ONE ? 16 : 4 };

		for (uint64_t seed = 1; seed <= 3; seed++)
			model_run(&r, seed * 1000 + (uint64_t)mode);
	}
}

static void
test_index_model_full_size(void **state)
{
	(void)state;
	/* The real table with EAL_MAX_MEMZONE ids. */
	for (int mode = 0; mode < 2; mode++) {
		const struct model_run r = { EAL_MEMZONE_INDEX_SLOTS, EAL_MAX_MEMZONE,
					     (enum hash_mode)mode, 20000, 500 };

		for (uint64_t seed = 1; seed <= 2; seed++)
			model_run(&r, seed * 7 + (uint64_t)mode);
	}
}

/* Lookups do not slow down with churn: a full table that lived through
 * 100 000 removals and insertions probes as little as a fresh one. */
static void
test_index_no_degradation(void **state)
{
	const uint32_t ids = EAL_MAX_MEMZONE;
	uint64_t d;

	(void)state;
	eal_test_rng_seed(99);
	memset(model_live, 0, sizeof(model_live));
	model_n_live = 0;
	assert_int_equal(eal__memzone_index_init(&mix, EAL_MEMZONE_INDEX_SLOTS), 0);
	for (uint32_t i = 0; i < ids; i++) {
		snprintf(model_name[i], sizeof(model_name[i]), "z%u", i);
		model_hash[i] = eal__memzone_name_hash(model_name[i]);
		model_live[i] = true;
		model_n_live++;
		assert_int_equal(eal__memzone_index_insert(&mix, model_hash[i], model_name[i], i,
							   model_eq, NULL), 0);
	}
	for (uint32_t k = 0; k < 100000; k++) {
		uint32_t i = eal_test_rng_below(ids);

		assert_int_equal(eal__memzone_index_remove(&mix, model_hash[i], i), 0);
		snprintf(model_name[i], sizeof(model_name[i]), "z%u_%u", i, k);
		model_hash[i] = eal__memzone_name_hash(model_name[i]);
		assert_int_equal(eal__memzone_index_insert(&mix, model_hash[i], model_name[i], i,
							   model_eq, NULL), 0);
	}
	model_check_all(ids);
	model_check_fresh(ids);
	/* At load 0.31 linear probing averages well under one extra slot. */
	d = displacement(&mix);
	assert_true(d < ids);
	assert_int_equal(mix.count, ids);
}

/* ========================================================================
 * 2. The memzone layer over a fake heap
 */

struct fake_alloc {
	void *p;
	size_t len;
	bool live;
};

static struct {
	char *base;
	size_t cur;
	int fail;                /* next alloc returns this when non-zero */
	size_t biggest;          /* biggest_free answer */
	int biggest_rc;
	bool iova_none;          /* virt2iova knows nothing (and sets eal_errno) */
	bool iova_scatter;       /* every page at a distant IOVA */
	/* the last calls */
	int a_socket;
	size_t a_size, a_align, a_bound;
	unsigned int a_flags;
	int b_socket;
	unsigned int b_flags;
	size_t b_align;
	unsigned int n_alloc, n_free, n_biggest, n_bad_free;
	struct fake_alloc allocs[16384];
	unsigned int n_allocs;
} fake;

/* The heap is thread-safe (its own locks); free is called without the
 * memzone lock, so the fake needs one too. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

static int
fake_alloc_locked(int socket, size_t size, size_t align, size_t bound, unsigned int flags,
		  void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz)
{
	const unsigned int sizes = EAL_MEMZONE_2MB | EAL_MEMZONE_1GB | EAL_MEMZONE_16MB |
				   EAL_MEMZONE_16GB | EAL_MEMZONE_256KB | EAL_MEMZONE_256MB |
				   EAL_MEMZONE_512MB | EAL_MEMZONE_4GB;
	size_t off;

	fake.n_alloc++;
	fake.a_socket = socket;
	fake.a_size = size;
	fake.a_align = align;
	fake.a_bound = bound;
	fake.a_flags = flags;
	if (fake.fail != 0) {
		int rc = fake.fail;

		fake.fail = 0;
		return rc;
	}
	/* Two nodes. */
	if (socket != EAL_SOCKET_ID_ANY && socket != 0 && socket != 1)
		return -EINVAL;
	/* Only 2 MiB pages: other sizes only as a hint. */
	if ((flags & sizes) != 0 && !(flags & EAL_MEMZONE_2MB) &&
	    !(flags & EAL_MEMZONE_SIZE_HINT_ONLY))
		return -ENOMEM;
	if (size == 0 || align == 0 || (align & (align - 1)) != 0)
		return -EINVAL;
	if (size > FAKE_SIZE || align > FAKE_SIZE)
		return -ENOMEM;
	/* The base is 2 MiB aligned, so offsets and addresses (and IOVAs)
	 * have the same alignment up to a page. */
	off = (fake.cur + align - 1) & ~(align - 1);
	if (bound != 0 && off / bound != (off + size - 1) / bound)
		off = (off + bound - 1) & ~(bound - 1);
	if (off + size > FAKE_SIZE || fake.n_allocs == EAL_DIM(fake.allocs))
		return -ENOMEM;
	fake.cur = off + size;
	fake.allocs[fake.n_allocs++] = (struct fake_alloc){ fake.base + off, size, true };
	*ret_ptr = fake.base + off;
	*ret_socket = socket == EAL_SOCKET_ID_ANY ? 0 : socket;
	*ret_page_sz = FAKE_PAGE;
	return 0;
}

static int
fake_alloc(int socket, size_t size, size_t align, size_t bound, unsigned int flags,
	   void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz)
{
	int rc;

	pthread_mutex_lock(&fake_lock);
	rc = fake_alloc_locked(socket, size, align, bound, flags, ret_ptr, ret_socket,
			       ret_page_sz);
	pthread_mutex_unlock(&fake_lock);
	return rc;
}

static int
fake_free(void *ptr)
{
	int rc = -EINVAL;

	pthread_mutex_lock(&fake_lock);
	fake.n_free++;
	for (unsigned int i = fake.n_allocs; i-- > 0;) {
		if (fake.allocs[i].p == ptr && fake.allocs[i].live) {
			fake.allocs[i].live = false;
			rc = 0;
			break;
		}
	}
	if (rc < 0)
		fake.n_bad_free++;
	pthread_mutex_unlock(&fake_lock);
	return rc;
}

static int
fake_biggest(int socket, unsigned int flags, size_t align, size_t *ret_len)
{
	fake.n_biggest++;
	fake.b_socket = socket;
	fake.b_flags = flags;
	fake.b_align = align;
	if (fake.biggest_rc != 0)
		return fake.biggest_rc;
	*ret_len = fake.biggest;
	return 0;
}

static eal_iova_t
fake_iova(const void *addr)
{
	uintptr_t a = (uintptr_t)addr, b = (uintptr_t)fake.base;

	if (fake.iova_none || a < b || a - b >= FAKE_SIZE) {
		eal_errno = EINVAL; /* as eal_mem_virt2iova() */
		return EAL_BAD_IOVA;
	}
	if (fake.iova_scatter) /* page k at 4 MiB * k: never contiguous */
		return FAKE_IOVA_BASE + (a - b) / FAKE_PAGE * 2 * FAKE_PAGE + (a - b) % FAKE_PAGE;
	return FAKE_IOVA_BASE + (a - b);
}

static const struct eal_memzone_heap fake_heap = {
	.alloc = fake_alloc,
	.free = fake_free,
	.biggest_free = fake_biggest,
	.virt2iova = fake_iova,
};

/* Live allocations of the fake heap. */
static unsigned int
fake_live(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < fake.n_allocs; i++)
		n += fake.allocs[i].live;
	return n;
}

static void
fake_reset(void)
{
	char *base = fake.base;

	memset(&fake, 0, sizeof(fake));
	if (base == NULL) {
		base = mmap(NULL, FAKE_SIZE + FAKE_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		assert_true(base != MAP_FAILED);
		base = (char *)EAL_ALIGN_CEIL((uintptr_t)base, (uintptr_t)FAKE_PAGE);
	}
	fake.base = base;
	/* Start at an odd offset so that alignment is really worked for. */
	fake.cur = 8;
	fake.biggest = 1 * MB + 100;
}

/* The state under test: table, index and lock in this process. */
static struct eal_fbarray t_zones;
static struct eal_memzone_index t_index;
static eal_rwlock_t t_lock;
static struct eal_memzone_state t_st;

#define SMALL_MAX 64

static int
make_state(unsigned int max)
{
	fake_reset();
	memset(&t_zones, 0, sizeof(t_zones));
	memset(&t_index, 0x5a, sizeof(t_index)); /* create() must not rely on zeroes */
	eal_rwlock_init(&t_lock);
	t_st = (struct eal_memzone_state){ &t_zones, &t_index, &t_lock, &fake_heap, false };
	if (eal__memzone_state_create(&t_st, max) != 0)
		return -1;
	eal_test_log_capture("memzone", EAL_LOG_DEBUG);
	eal_log_set_level("memzone", EAL_LOG_WARNING);
	return 0;
}

static int
setup_small(void **state)
{
	(void)state;
	return make_state(SMALL_MAX);
}

static int
setup_full(void **state)
{
	(void)state;
	return make_state(EAL_MAX_MEMZONE);
}

static int
teardown_state(void **state)
{
	(void)state;
	eal__memzone_state_release(&t_st, true);
	/* Destroyed: the struct is zeroed, as eal_fbarray_destroy() does. */
	return t_zones.data == NULL && t_index.count == 0 ? 0 : -1;
}

static int last_rc;

static const struct eal_memzone *
rsv(const char *name, size_t len, int socket, unsigned int flags, unsigned int align,
    unsigned int bound)
{
	const struct eal_memzone *mz = (const struct eal_memzone *)(uintptr_t)0x1;

	last_rc = eal__memzone_reserve(&t_st, name, len, socket, flags, align, bound, &mz);
	if (last_rc < 0) {
		/* *ret_mz untouched on failure (R11) */
		assert_ptr_equal(mz, (const void *)(uintptr_t)0x1);
		return NULL;
	}
	return mz;
}

/* eal_memzone_reserve() semantics: align on a cache line. */
static const struct eal_memzone *
rsv_simple(const char *name, size_t len, int socket, unsigned int flags)
{
	return rsv(name, len, socket, flags, EAL_CACHE_LINE_SIZE, 0);
}

static const struct eal_memzone *
lookup(const char *name)
{
	const struct eal_memzone *mz = NULL;
	int rc = eal__memzone_lookup(&t_st, name, &mz);

	assert_true(rc == 0 || rc == -ENOENT);
	assert_true((rc == 0) == (mz != NULL));
	return mz;
}

/* The call fails with @err and logs exactly one ERR line, which names
 * @needle (the zone, usually). */
#define expect_fail_logged(call, err, needle) \
	do { \
		eal_test_log_n = 0; \
		assert_null(call); \
		assert_int_equal(last_rc, -(err)); \
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1); \
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, (needle)), 1); \
	} while (0)

/* An expected failure (ENOMEM, ENOSPC, EEXIST) is quiet, as in DPDK:
 * nothing above DEBUG; at DEBUG one line says why. */
#define expect_fail_quiet(call, err, needle) \
	do { \
		eal_test_log_n = 0; \
		eal_log_set_level("memzone", EAL_LOG_DEBUG); \
		assert_null(call); \
		eal_log_set_level("memzone", EAL_LOG_WARNING); \
		assert_int_equal(last_rc, -(err)); \
		assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0); \
		assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, ""), 0); \
		assert_int_equal(eal_test_log_count(EAL_LOG_DEBUG, (needle)), 1); \
	} while (0)

static unsigned int walk_n;

static void
count_cb(const struct eal_memzone *mz, void *arg)
{
	(void)mz;
	(void)arg;
	walk_n++;
}

static unsigned int
walk_count(void)
{
	walk_n = 0;
	eal__memzone_walk(&t_st, count_cb, NULL);
	return walk_n;
}

static void
check_zone(const struct eal_memzone *mz, const char *name, size_t len, int socket)
{
	assert_non_null(mz);
	assert_string_equal(mz->name, name);
	assert_int_equal(mz->len, len);
	assert_int_equal(mz->len % EAL_CACHE_LINE_SIZE, 0);
	assert_int_equal((uintptr_t)mz->addr % EAL_CACHE_LINE_SIZE, 0);
	assert_true(mz->iova == fake_iova(mz->addr));
	assert_int_equal(mz->iova % EAL_CACHE_LINE_SIZE, 0);
	assert_int_equal(mz->hugepage_sz, FAKE_PAGE);
	assert_int_equal(mz->socket_id, socket);
	assert_int_equal(mz->flags, 0);
	/* The memory is usable. */
	memset(mz->addr, 0xab, mz->len);
}

static bool
overlap(const struct eal_memzone *a, const struct eal_memzone *b)
{
	return a->iova < b->iova + b->len && b->iova < a->iova + a->len;
}

/* DPDK's test_memzone_basic. */
static void
test_basic(void **state)
{
	const struct eal_memzone *mz1, *mz2, *mz3, *mz4;

	(void)state;
	assert_int_equal(walk_count(), 0);
	mz1 = rsv_simple("testzone1", 100, EAL_SOCKET_ID_ANY, 0);
	mz2 = rsv_simple("testzone2", 1000, 0, 0);
	mz3 = rsv_simple("testzone3", 1000, 1, 0);
	mz4 = rsv_simple("testzone4", 1024, EAL_SOCKET_ID_ANY, 0);
	check_zone(mz1, "testzone1", 128, 0);
	check_zone(mz2, "testzone2", 1024, 0);
	check_zone(mz3, "testzone3", 1024, 1);
	check_zone(mz4, "testzone4", 1024, 0);
	assert_int_equal(walk_count(), 4);
	assert_int_equal(t_zones.count, 4);
	assert_int_equal(t_index.count, 4);
	assert_false(overlap(mz1, mz2) || overlap(mz1, mz3) || overlap(mz1, mz4) ||
		     overlap(mz2, mz3) || overlap(mz2, mz4) || overlap(mz3, mz4));
	/* The descriptors are in the shared table. */
	assert_ptr_equal(mz1, t_zones.data);
	assert_ptr_equal(mz2, (const char *)t_zones.data + sizeof(struct eal_memzone));
	assert_ptr_equal(lookup("testzone1"), mz1);
	assert_ptr_equal(lookup("testzone3"), mz3);
	assert_null(lookup("testzone"));
	assert_null(lookup("testzone11"));
	assert_null(lookup("Testzone1"));
	/* Asked with the heap's own arguments. */
	assert_int_equal(fake.a_size, 1024);
	assert_int_equal(fake.a_align, EAL_CACHE_LINE_SIZE);
	assert_int_equal(fake.a_bound, 0);
	assert_int_equal(fake.a_socket, EAL_SOCKET_ID_ANY);

	expect_fail_quiet(rsv_simple("testzone1", 100, EAL_SOCKET_ID_ANY, 0), EEXIST,
			   "memzone 'testzone1': name already used");
	assert_int_equal(fake.n_alloc, 4); /* the heap was not asked */

	assert_int_equal(eal__memzone_free(&t_st, mz1), 0);
	assert_int_equal(eal__memzone_free(&t_st, mz2), 0);
	assert_int_equal(eal__memzone_free(&t_st, mz3), 0);
	assert_int_equal(eal__memzone_free(&t_st, mz4), 0);
	assert_int_equal(walk_count(), 0);
	assert_int_equal(fake.n_free, 4);
	assert_int_equal(fake.n_bad_free, 0);
	assert_int_equal(fake_live(), 0);
	assert_null(lookup("testzone1"));
	assert_int_equal(t_index.count, 0);
	assert_true(eal__memzone_index_is_valid(&t_index));
}

/* DPDK's test_memzone_free, on a table of SMALL_MAX descriptors. */
static void
test_free_and_reuse(void **state)
{
	const struct eal_memzone *mz[SMALL_MAX + 1], *z0, *z1, *z2;
	char name[32];
	unsigned int n;

	(void)state;
	z0 = rsv_simple("tempzone0", 2000, EAL_SOCKET_ID_ANY, 0);
	z1 = rsv_simple("tempzone1", 4000, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(z0);
	assert_non_null(z1);
	assert_true(z0 < z1);
	assert_ptr_equal(lookup("tempzone0"), z0);
	assert_ptr_equal(lookup("tempzone1"), z1);
	assert_int_equal(eal__memzone_free(&t_st, z0), 0);
	assert_null(lookup("tempzone0"));
	/* The freed descriptor is reused first, and wiped. */
	assert_string_equal(z0->name, "");
	assert_null(z0->addr);
	z2 = rsv_simple("tempzone2", 2000, EAL_SOCKET_ID_ANY, 0);
	assert_ptr_equal(z2, z0);
	assert_ptr_equal(lookup("tempzone2"), z2);
	assert_int_equal(eal__memzone_free(&t_st, z2), 0);
	assert_int_equal(eal__memzone_free(&t_st, z1), 0);
	assert_null(lookup("tempzone2"));
	assert_null(lookup("tempzone1"));

	/* Fill the table with 1-byte zones until it refuses. */
	eal_test_log_n = 0;
	for (n = 0; n <= SMALL_MAX; n++) {
		snprintf(name, sizeof(name), "tempzone%u", n);
		mz[n] = rsv_simple(name, 1, EAL_SOCKET_ID_ANY, 0);
		if (mz[n] == NULL)
			break;
		assert_int_equal(mz[n]->len, EAL_CACHE_LINE_SIZE);
	}
	assert_int_equal(n, SMALL_MAX);
	assert_int_equal(last_rc, -ENOSPC);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0); /* expected: quiet */
	/* Free one; a zone of the largest free size fits again. */
	assert_int_equal(eal__memzone_free(&t_st, mz[17]), 0);
	mz[17] = rsv_simple("tempzone0new", 0, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz[17]);
	assert_int_equal(mz[17]->len, 1 * MB + 64);
	for (n = 0; n < SMALL_MAX; n++)
		assert_int_equal(eal__memzone_free(&t_st, mz[n]), 0);
	assert_int_equal(t_zones.count, 0);
	assert_int_equal(fake_live(), 0);
	assert_int_equal(fake.n_bad_free, 0);
}

static void
test_free_errors(void **state)
{
	const struct eal_memzone *mz;
	struct eal_memzone outside;

	(void)state;
	mz = rsv_simple("victim", 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);

	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_free(&t_st, NULL), -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "NULL"), 1);
	/* Not in the table, or not at the start of a descriptor. */
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_free(&t_st, &outside), -EINVAL);
	assert_int_equal(eal__memzone_free(&t_st, (const struct eal_memzone *)(uintptr_t)
							 ((uintptr_t)mz + 8)),
			 -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "not a memzone descriptor"), 2);
	/* A descriptor that is not reserved. */
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_free(&t_st, mz + 5), -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "not reserved"), 1);
	assert_int_equal(fake.n_free, 0);
	assert_ptr_equal(lookup("victim"), mz);

	assert_int_equal(eal__memzone_free(&t_st, mz), 0);
	/* Twice: refused, and the heap is not asked again. */
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_free(&t_st, mz), -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "freed twice?"), 1);
	assert_int_equal(eal_test_log_n, 1);
	assert_int_equal(fake.n_free, 1);

	/* The heap refusing to take the memory back is a warning: the zone
	 * is gone either way. */
	mz = rsv_simple("victim", 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	fake.allocs[fake.n_allocs - 1].live = false; /* the heap "forgot" it */
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_free(&t_st, mz), 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "could not go back to the heap"), 1);
	assert_null(lookup("victim"));
}

static void
test_names(void **state)
{
	char name31[32], name32[33], longname[1000];
	const struct eal_memzone *mz, *empty;

	(void)state;
	memset(name31, 'n', 31);
	name31[31] = '\0';
	memset(name32, 'n', 32);
	name32[32] = '\0';
	memset(longname, 'l', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';

	mz = rsv_simple(name31, 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	assert_string_equal(mz->name, name31);
	assert_ptr_equal(lookup(name31), mz);
	expect_fail_logged(rsv_simple(name32, 64, EAL_SOCKET_ID_ANY, 0), ENAMETOOLONG,
			   "name longer than 31 characters");
	/* The log shows the name cut, not the whole kilobyte. */
	{
		char cut[40];

		snprintf(cut, sizeof(cut), "'%.31s...'", longname);
		expect_fail_logged(rsv_simple(longname, 64, EAL_SOCKET_ID_ANY, 0), ENAMETOOLONG, cut);
		/* 32 in a row would mean the name was not cut. */
		memset(cut, 'l', 32);
		cut[32] = '\0';
		assert_null(strstr(eal_test_log_lines[0].text, cut));
	}
	/* A 32-character name whose first 31 are a zone's is not that zone. */
	assert_null(lookup(name32));
	assert_null(lookup(longname));
	eal_test_log_n = 0;
	assert_null(rsv_simple(NULL, 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "name is NULL"), 1);
	assert_int_equal(eal__memzone_lookup(&t_st, NULL, &mz), -EINVAL);
	/* DPDK accepts the empty name; so do we. */
	empty = rsv_simple("", 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(empty);
	assert_ptr_equal(lookup(""), empty);
	/* Names that differ in case or in one byte are different zones. */
	assert_non_null(rsv_simple("Zone", 64, EAL_SOCKET_ID_ANY, 0));
	assert_non_null(rsv_simple("zone", 64, EAL_SOCKET_ID_ANY, 0));
	assert_non_null(rsv_simple("zonE", 64, EAL_SOCKET_ID_ANY, 0));
	assert_string_equal(lookup("zone")->name, "zone");
	assert_string_equal(lookup("Zone")->name, "Zone");
	assert_int_equal(walk_count(), 5);
}

/* DPDK's test_memzone_reserve_flags, on a fake heap with 2 MiB pages only;
 * and every defined flag passes through to the heap unchanged. */
static void
test_flags(void **state)
{
	static const unsigned int valid[] = {
		EAL_MEMZONE_2MB, EAL_MEMZONE_1GB, EAL_MEMZONE_16MB, EAL_MEMZONE_16GB,
		EAL_MEMZONE_256KB, EAL_MEMZONE_256MB, EAL_MEMZONE_512MB, EAL_MEMZONE_4GB,
		EAL_MEMZONE_SIZE_HINT_ONLY, EAL_MEMZONE_IOVA_CONTIG,
	};
	const struct eal_memzone *mz;
	unsigned int all = 0;
	char name[32];

	(void)state;
	/* DPDK's values. */
	assert_int_equal(EAL_MEMZONE_2MB, 0x1);
	assert_int_equal(EAL_MEMZONE_1GB, 0x2);
	assert_int_equal(EAL_MEMZONE_SIZE_HINT_ONLY, 0x4);
	assert_int_equal(EAL_MEMZONE_16MB, 0x100);
	assert_int_equal(EAL_MEMZONE_16GB, 0x200);
	assert_int_equal(EAL_MEMZONE_256KB, 0x10000);
	assert_int_equal(EAL_MEMZONE_256MB, 0x20000);
	assert_int_equal(EAL_MEMZONE_512MB, 0x40000);
	assert_int_equal(EAL_MEMZONE_4GB, 0x80000);
	assert_int_equal(EAL_MEMZONE_IOVA_CONTIG, 0x100000);

	mz = rsv_simple("flag_zone_2M", 100, EAL_SOCKET_ID_ANY, EAL_MEMZONE_2MB);
	assert_non_null(mz);
	assert_int_equal(mz->hugepage_sz, 2 * MB);
	mz = rsv_simple("flag_zone_2M_HINT", 100, EAL_SOCKET_ID_ANY,
			EAL_MEMZONE_2MB | EAL_MEMZONE_SIZE_HINT_ONLY);
	assert_non_null(mz);
	assert_int_equal(mz->hugepage_sz, 2 * MB);
	mz = rsv_simple("flag_zone_1G_HINT", 100, EAL_SOCKET_ID_ANY,
			EAL_MEMZONE_1GB | EAL_MEMZONE_SIZE_HINT_ONLY);
	assert_non_null(mz);
	assert_int_equal(mz->hugepage_sz, 2 * MB);
	expect_fail_quiet(rsv_simple("flag_zone_1G", 100, EAL_SOCKET_ID_ANY, EAL_MEMZONE_1GB),
			   ENOMEM, "cannot reserve memzone 'flag_zone_1G': no free block of 128 bytes");
	mz = rsv_simple("flag_zone_2M_1G", 100, EAL_SOCKET_ID_ANY,
			EAL_MEMZONE_2MB | EAL_MEMZONE_1GB);
	assert_non_null(mz);

	for (unsigned int i = 0; i < EAL_DIM(valid); i++) {
		snprintf(name, sizeof(name), "flag_%u", i);
		mz = rsv_simple(name, 64, EAL_SOCKET_ID_ANY, valid[i] | EAL_MEMZONE_SIZE_HINT_ONLY);
		assert_non_null(mz);
		assert_int_equal(fake.a_flags, valid[i] | EAL_MEMZONE_SIZE_HINT_ONLY);
		assert_int_equal(mz->flags, 0);
		all |= valid[i];
	}
	mz = rsv_simple("flag_all", 64, EAL_SOCKET_ID_ANY, all);
	assert_non_null(mz);
	assert_int_equal(fake.a_flags, all);

	/* DPDK's test_memzone_invalid_flags, and every other unknown bit. */
	expect_fail_logged(rsv_simple("flag_bad", 100, EAL_SOCKET_ID_ANY,
				      EAL_MEMZONE_IOVA_CONTIG << 1),
			   EINVAL, "unknown flags 0x200000");
	for (unsigned int bit = 0; bit < 32; bit++) {
		if ((all & (1u << bit)) != 0)
			continue;
		assert_null(rsv_simple("flag_bad", 64, EAL_SOCKET_ID_ANY, 1u << bit));
		assert_int_equal(last_rc, -EINVAL);
		assert_null(rsv_simple("flag_bad", 64, EAL_SOCKET_ID_ANY, all | (1u << bit)));
		assert_int_equal(last_rc, -EINVAL);
	}
	assert_null(lookup("flag_bad"));
}

/* DPDK's test_memzone_aligned and test_memzone_invalid_alignment. */
static void
test_aligned(void **state)
{
	static const unsigned int aligns[] = { 0, 1, 2, 32, 64, 128, 256, 512, 1024, 4096,
					       1u << 20, 1u << 31 };
	const struct eal_memzone *mz[EAL_DIM(aligns)];
	char name[32];

	(void)state;
	for (unsigned int i = 0; i < EAL_DIM(aligns); i++) {
		unsigned int want = aligns[i] < 64 ? 64 : aligns[i];

		snprintf(name, sizeof(name), "aligned_%u", i);
		if (aligns[i] == 1u << 31) {
			/* Valid, only bigger than the fake heap. */
			assert_null(rsv(name, 100, EAL_SOCKET_ID_ANY, 0, aligns[i], 0));
			assert_int_equal(last_rc, -ENOMEM);
			assert_int_equal(fake.a_align, 1u << 31);
			mz[i] = NULL;
			continue;
		}
		mz[i] = rsv(name, 100, EAL_SOCKET_ID_ANY, 0, aligns[i], 0);
		assert_non_null(mz[i]);
		assert_int_equal(fake.a_align, want);
		assert_int_equal((uintptr_t)mz[i]->addr % want, 0);
		assert_int_equal(mz[i]->iova % want, 0);
		assert_int_equal(mz[i]->len, 128);
		for (unsigned int j = 0; j < i; j++)
			assert_false(mz[j] != NULL && overlap(mz[i], mz[j]));
	}
	for (unsigned int i = 0; i < EAL_DIM(aligns); i++)
		if (mz[i] != NULL)
			assert_int_equal(eal__memzone_free(&t_st, mz[i]), 0);

	expect_fail_logged(rsv("invalid_align", 100, EAL_SOCKET_ID_ANY, 0, 100, 0), EINVAL,
			   "alignment 100 is not a power of two");
	assert_null(lookup("invalid_align"));
	for (unsigned int a = 3; a < 5000; a += 7)
		if ((a & (a - 1)) != 0) {
			assert_null(rsv("invalid_align", 100, EAL_SOCKET_ID_ANY, 0, a, 0));
			assert_int_equal(last_rc, -EINVAL);
		}
	assert_null(rsv("invalid_align", 100, EAL_SOCKET_ID_ANY, 0, UINT_MAX, 0));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(fake.n_alloc, EAL_DIM(aligns));
}

/* [iova, iova + len - 1] inside one block of @bound. */
static bool
within_bound(const struct eal_memzone *mz, uint64_t bound)
{
	return mz->iova / bound == (mz->iova + mz->len - 1) / bound;
}

/* DPDK's test_memzone_bounded. */
static void
test_bounded(void **state)
{
	static const struct {
		size_t len;
		unsigned int align, bound;
	} ok[] = { { 100, 128, 128 }, { 100, 256, 128 }, { 100, 64, 1024 }, { 0, 64, 1024 },
		   { 64, 64, 64 }, { 1000, 64, 1024 }, { 3000, 64, 4096 }, { 1 << 20, 64, 1 << 20 } };
	const struct eal_memzone *mz;
	char name[32];

	(void)state;
	expect_fail_logged(rsv("bounded_bad", 100, EAL_SOCKET_ID_ANY, 0, 32, UINT32_MAX), EINVAL,
			   "bound 4294967295 is not a power of two");
	expect_fail_logged(rsv("bounded_bad", 100, EAL_SOCKET_ID_ANY, 0, 32, 32), EINVAL,
			   "bound 32 is smaller than the length");
	/* The rounded length counts: 65 bytes take 128. */
	assert_null(rsv("bounded_bad", 65, EAL_SOCKET_ID_ANY, 0, 64, 64));
	assert_int_equal(last_rc, -EINVAL);
	/* Length 0 counts as one cache line against the bound. */
	assert_null(rsv("bounded_bad", 0, EAL_SOCKET_ID_ANY, 0, 64, 32));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(fake.n_alloc, 0);

	for (unsigned int i = 0; i < EAL_DIM(ok); i++) {
		size_t want = ok[i].len == 0 ? ok[i].bound : EAL_ALIGN_CEIL(ok[i].len, (size_t)64);
		unsigned int align = ok[i].align < 64 ? 64 : ok[i].align;

		/* Push the bump pointer close to a boundary first. */
		fake.cur = EAL_ALIGN_CEIL(fake.cur, (size_t)ok[i].bound) + ok[i].bound - 40;
		snprintf(name, sizeof(name), "bounded_%u", i);
		mz = rsv(name, ok[i].len, EAL_SOCKET_ID_ANY, 0, ok[i].align, ok[i].bound);
		assert_non_null(mz);
		assert_int_equal(fake.a_bound, ok[i].bound);
		assert_int_equal(fake.a_size, want);
		assert_int_equal(mz->len, want);
		assert_int_equal((uintptr_t)mz->addr % align, 0);
		assert_int_equal(mz->iova % align, 0);
		assert_true(within_bound(mz, ok[i].bound));
		assert_int_equal(eal__memzone_free(&t_st, mz), 0);
	}
	/* No bound asked, none passed. */
	assert_non_null(rsv("unbounded", 100, EAL_SOCKET_ID_ANY, 0, 64, 0));
	assert_int_equal(fake.a_bound, 0);
}

/* DPDK's test_memzone_reserving_zone_size_bigger_than_the_maximum, and the
 * exact edge of the length check. */
static void
test_length(void **state)
{
	const struct eal_memzone *mz;

	(void)state;
	expect_fail_logged(rsv_simple("zone_size_bigger_than_the_maximum", (size_t)-1,
				      EAL_SOCKET_ID_ANY, 0),
			   ENAMETOOLONG, "name longer than 31 characters");
	expect_fail_logged(rsv_simple("too_big", (size_t)-1, EAL_SOCKET_ID_ANY, 0), EINVAL,
			   "length 18446744073709551615 is too large");
	assert_null(rsv_simple("too_big", SIZE_MAX - 62, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(fake.n_alloc, 0);
	/* The largest length that rounds without overflow reaches the heap,
	 * which has no such block. */
	assert_null(rsv_simple("too_big", SIZE_MAX - 63, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(last_rc, -ENOMEM);
	assert_int_equal(fake.a_size, SIZE_MAX - 63);
	mz = rsv_simple("one_byte", 1, EAL_SOCKET_ID_ANY, 0);
	assert_int_equal(mz->len, 64);
	mz = rsv_simple("sixty_five", 65, EAL_SOCKET_ID_ANY, 0);
	assert_int_equal(mz->len, 128);
	assert_int_equal(fake.a_size, 128);
}

/* DPDK's test_memzone_reserve_max and _max_aligned: length 0 takes the
 * largest free block the heap reports, in whole cache lines. */
static void
test_biggest(void **state)
{
	const struct eal_memzone *mz;
	char name[32];

	(void)state;
	mz = rsv_simple("max_zone", 0, 1, EAL_MEMZONE_2MB);
	assert_non_null(mz);
	assert_int_equal(fake.n_biggest, 1);
	assert_int_equal(fake.b_socket, 1);
	assert_int_equal(fake.b_flags, EAL_MEMZONE_2MB);
	assert_int_equal(fake.b_align, 64);
	assert_int_equal(mz->len, 1 * MB + 64);
	assert_int_equal(fake.a_size, 1 * MB + 64);
	assert_int_equal(mz->socket_id, 1);
	assert_int_equal(eal__memzone_free(&t_st, mz), 0);

	eal_test_rng_seed(5);
	for (int k = 0; k < 20; k++) {
		unsigned int align = 1u << (eal_test_rng_below(8) + 5);

		fake.biggest = 4096 + eal_test_rng_below(1 << 20);
		snprintf(name, sizeof(name), "max_zone_aligned_%d", k);
		mz = rsv(name, 0, EAL_SOCKET_ID_ANY, 0, align, 0);
		assert_non_null(mz);
		assert_int_equal(fake.b_align, align < 64 ? 64 : align);
		assert_int_equal(mz->len, fake.biggest & ~(size_t)63);
		assert_int_equal((uintptr_t)mz->addr % (align < 64 ? 64 : align), 0);
		assert_int_equal(eal__memzone_free(&t_st, mz), 0);
	}
	/* Nothing free (or less than a cache line): ENOMEM. */
	fake.biggest = 63;
	expect_fail_quiet(rsv_simple("max_zone", 0, EAL_SOCKET_ID_ANY, 0), ENOMEM,
			   "cannot reserve memzone 'max_zone' of the largest free size: no free memory on socket any");
	/* The heap's error goes through. */
	fake.biggest_rc = -EINVAL;
	expect_fail_logged(rsv_simple("max_zone", 0, 9, 0), EINVAL, "the heap cannot tell it");
	fake.biggest_rc = 0;
	/* With a bound, length 0 means the bound: the heap is not asked. */
	fake.n_biggest = 0;
	mz = rsv("bound_zone", 0, EAL_SOCKET_ID_ANY, 0, 64, 4096);
	assert_non_null(mz);
	assert_int_equal(mz->len, 4096);
	assert_int_equal(fake.n_biggest, 0);
}

static void
test_sockets(void **state)
{
	const struct eal_memzone *mz;

	(void)state;
	expect_fail_logged(rsv_simple("sock", 64, -2, 0), EINVAL, "socket -2 is not a NUMA node");
	assert_null(rsv_simple("sock", 64, INT_MIN, 0));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(fake.n_alloc, 0);
	mz = rsv_simple("sock1", 64, 1, 0);
	assert_non_null(mz);
	assert_int_equal(fake.a_socket, 1);
	assert_int_equal(mz->socket_id, 1);
	/* A node the heap does not have: its EINVAL, with our line. */
	expect_fail_logged(rsv_simple("sock7", 64, 7, 0), EINVAL,
			   "cannot reserve memzone 'sock7' (64 bytes, socket 7, flags 0x0): the heap refused");

	/* No hugepages: every node is served as "any", as DPDK. */
	t_st.no_huge = true;
	mz = rsv_simple("nohuge1", 64, 1, 0);
	assert_non_null(mz);
	assert_int_equal(fake.a_socket, EAL_SOCKET_ID_ANY);
	assert_int_equal(mz->socket_id, 0);
	assert_non_null(rsv_simple("nohuge_last", 64, EAL_MAX_NUMA_NODES - 1, 0));
	assert_int_equal(fake.a_socket, EAL_SOCKET_ID_ANY);
	/* Ids beyond the nodes are not touched (DPDK's external heaps). */
	assert_null(rsv_simple("nohuge_ext", 64, EAL_MAX_NUMA_NODES, 0));
	assert_int_equal(fake.a_socket, EAL_MAX_NUMA_NODES);
	assert_null(rsv_simple("nohuge_bad", 64, -2, 0));
	assert_int_equal(last_rc, -EINVAL);
	t_st.no_huge = false;
}

static void
test_enomem(void **state)
{
	const struct eal_memzone *mz;

	(void)state;
	assert_non_null(rsv_simple("before", 64, EAL_SOCKET_ID_ANY, 0));
	fake.fail = -ENOMEM;
	expect_fail_quiet(rsv_simple("nomem", 5000, 0, EAL_MEMZONE_IOVA_CONTIG), ENOMEM,
			  "cannot reserve memzone 'nomem': no IOVA-contiguous block of 5056 bytes (align 64, bound 0, socket 0, flags 0x100000)");
	/* Nothing of it stays: descriptor, index entry, name. */
	assert_int_equal(t_zones.count, 1);
	assert_int_equal(t_index.count, 1);
	assert_null(lookup("nomem"));
	mz = rsv_simple("nomem", 5000, 0, 0);
	assert_non_null(mz);
	/* It took the next descriptor, the failure used none. */
	assert_ptr_equal(mz, (const char *)t_zones.data + sizeof(struct eal_memzone));
	/* The whole fake heap is too small for this. */
	assert_null(rsv_simple("huge", FAKE_SIZE, 0, 0));
	assert_int_equal(last_rc, -ENOMEM);
	/* Another error of the heap goes through as it is. */
	fake.fail = -EIO;
	assert_null(rsv_simple("io", 64, 0, 0));
	assert_int_equal(last_rc, -EIO);
	assert_int_equal(walk_count(), 2);
}

/* Errors come in DPDK's order: a full table first, then the name, then
 * the arguments. */
static void
test_error_order(void **state)
{
	char name[40];

	(void)state;
	assert_non_null(rsv_simple("dup", 64, EAL_SOCKET_ID_ANY, 0));
	memset(name, 'x', 39);
	name[39] = '\0';
	assert_null(rsv(name, (size_t)-1, -5, 1u << 30, 100, 3));
	assert_int_equal(last_rc, -ENAMETOOLONG);
	assert_null(rsv("dup", (size_t)-1, -5, 1u << 30, 100, 3));
	assert_int_equal(last_rc, -EEXIST);
	assert_null(rsv("new", (size_t)-1, -5, 1u << 30, 100, 3));
	assert_int_equal(last_rc, -EINVAL);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "alignment 100"), 1);
	eal_test_log_n = 0;
	assert_null(rsv("new", (size_t)-1, -5, 1u << 30, 64, 3));
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "length"), 1);
	eal_test_log_n = 0;
	assert_null(rsv("new", 64, -5, 1u << 30, 64, 3));
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "bound 3"), 1);
	eal_test_log_n = 0;
	assert_null(rsv("new", 64, -5, 1u << 30, 64, 0));
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "socket -5"), 1);
	eal_test_log_n = 0;
	assert_null(rsv("new", 64, 0, 1u << 30, 64, 0));
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "unknown flags 0x40000000"), 1);
	assert_int_equal(fake.n_alloc, 1);

	/* Full: ENOSPC before anything else, even a duplicate name. */
	for (unsigned int i = 1; i < SMALL_MAX; i++) {
		snprintf(name, sizeof(name), "fill%u", i);
		assert_non_null(rsv_simple(name, 64, EAL_SOCKET_ID_ANY, 0));
	}
	assert_null(rsv("dup", 64, EAL_SOCKET_ID_ANY, 0, 64, 0));
	assert_int_equal(last_rc, -ENOSPC);
	memset(name, 'x', 39);
	assert_null(rsv(name, (size_t)-1, -5, 1u << 30, 100, 3));
	assert_int_equal(last_rc, -ENOSPC);
}

/* Reaching EAL_MAX_MEMZONE on the real-size table; every zone is found
 * through the index. */
static void
test_max_memzone(void **state)
{
	static const struct eal_memzone *mz[EAL_MAX_MEMZONE];
	char name[64];

	(void)state;
	assert_int_equal(t_zones.len, EAL_MAX_MEMZONE);
	assert_int_equal(t_index.mask + 1, EAL_MEMZONE_INDEX_SLOTS);
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i++) {
		snprintf(name, sizeof(name), "MZ_TEST_%u", i);
		mz[i] = rsv_simple(name, 64, EAL_SOCKET_ID_ANY, 0);
		assert_non_null(mz[i]);
	}
	snprintf(name, sizeof(name), "%d memzones exist (max_memzone)", EAL_MAX_MEMZONE);
	expect_fail_quiet(rsv_simple("one_too_many", 64, EAL_SOCKET_ID_ANY, 0), ENOSPC, name);
	assert_int_equal(walk_count(), EAL_MAX_MEMZONE);
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i++) {
		snprintf(name, sizeof(name), "MZ_TEST_%u", i);
		assert_ptr_equal(lookup(name), mz[i]);
	}
	assert_true(eal__memzone_index_is_valid(&t_index));
	/* Free every other one, reserve them again under new names: they
	 * take the freed descriptors, lowest first. */
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i += 2)
		assert_int_equal(eal__memzone_free(&t_st, mz[i]), 0);
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i += 2) {
		snprintf(name, sizeof(name), "MZ_AGAIN_%u", i);
		assert_ptr_equal(rsv_simple(name, 64, EAL_SOCKET_ID_ANY, 0), mz[i]);
	}
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i++) {
		snprintf(name, sizeof(name), i % 2 ? "MZ_TEST_%u" : "MZ_AGAIN_%u", i);
		assert_ptr_equal(lookup(name), mz[i]);
		snprintf(name, sizeof(name), i % 2 ? "MZ_AGAIN_%u" : "MZ_TEST_%u", i);
		assert_null(lookup(name));
	}
	for (unsigned int i = 0; i < EAL_MAX_MEMZONE; i++)
		assert_int_equal(eal__memzone_free(&t_st, mz[i]), 0);
	assert_int_equal(t_index.count, 0);
	assert_int_equal(fake_live(), 0);
}

struct walk_seen {
	unsigned int n;
	unsigned char seen[SMALL_MAX];
	unsigned int nested_ok;
};

static void
seen_cb(const struct eal_memzone *mz, void *arg)
{
	struct walk_seen *w = arg;
	size_t idx = (size_t)(mz - (const struct eal_memzone *)t_zones.data);
	const struct eal_memzone *again = NULL;

	w->n++;
	if (idx < SMALL_MAX)
		w->seen[idx]++;
	/* Lookups from inside a walk work (the read lock nests). */
	if (eal__memzone_lookup(&t_st, mz->name, &again) == 0 && again == mz)
		w->nested_ok++;
}

static void
test_walk(void **state)
{
	const struct eal_memzone *mz[10];
	struct walk_seen w;
	char name[32];

	(void)state;
	for (unsigned int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "walk%u", i);
		mz[i] = rsv_simple(name, 64 * (i + 1), EAL_SOCKET_ID_ANY, 0);
	}
	assert_int_equal(eal__memzone_free(&t_st, mz[3]), 0);
	assert_int_equal(eal__memzone_free(&t_st, mz[7]), 0);
	memset(&w, 0, sizeof(w));
	eal__memzone_walk(&t_st, seen_cb, &w);
	assert_int_equal(w.n, 8);
	assert_int_equal(w.nested_ok, 8);
	for (unsigned int i = 0; i < SMALL_MAX; i++)
		assert_int_equal(w.seen[i], i < 10 && i != 3 && i != 7 ? 1 : 0);
	/* NULL callback: nothing. */
	eal__memzone_walk(&t_st, NULL, &w);
	assert_int_equal(w.n, 8);
}

/* The dump into a string. */
static char *
dump_to_string(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	eal__memzone_dump(&t_st, f);
	fclose(f);
	return buf;
}

static unsigned int
count_substr(const char *s, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void
test_dump(void **state)
{
	const struct eal_memzone *a, *b, *c;
	char *out, line[256];

	(void)state;
	out = dump_to_string();
	assert_string_equal(out, "Total Memory Zones size = 0M\n");
	free(out);

	a = rsv_simple("dump_a", 100, EAL_SOCKET_ID_ANY, 0);
	b = rsv_simple("dump_b", 3 * MB, 1, 0);
	c = rsv("dump_c", 5 * MB, EAL_SOCKET_ID_ANY, 0, FAKE_PAGE, 0); /* 3 pages, aligned */
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	out = dump_to_string();
	snprintf(line, sizeof(line), "Zone 0: name:<dump_a>, len:0x80, virt:%p, socket_id:0, flags:0\n",
		 a->addr);
	assert_int_equal(count_substr(out, line), 1);
	snprintf(line, sizeof(line), "Zone 1: name:<dump_b>, len:0x300000, virt:%p, socket_id:1, flags:0\n",
		 b->addr);
	assert_int_equal(count_substr(out, line), 1);
	assert_int_equal(count_substr(out, "Zone 2: name:<dump_c>"), 1);
	assert_int_equal(count_substr(out, "Zone "), 3);
	assert_int_equal(count_substr(out, "physical segments used:\n"), 3);
	/* IOVA-contiguous: one run per zone, starting at the page under it. */
	snprintf(line, sizeof(line), "  addr: %p iova: 0x%" PRIx64 " len: 0x%x pagesz: 0x%x\n",
		 c->addr, c->iova, 3 * FAKE_PAGE, FAKE_PAGE);
	assert_int_equal(count_substr(out, line), 1);
	assert_int_equal(count_substr(out, "  addr: "), 3);
	assert_int_equal(count_substr(out, "Total Memory Zones size = 8M\n"), 1);
	free(out);

	/* Scattered IOVAs: one line per page. */
	fake.iova_scatter = true;
	out = dump_to_string();
	assert_int_equal(count_substr(out, "  addr: "), 1 + 2 + 3);
	snprintf(line, sizeof(line), "  addr: %p iova: 0x%" PRIx64 " len: 0x%x pagesz: 0x%x\n",
		 (void *)((char *)c->addr + 2 * FAKE_PAGE), fake_iova((char *)c->addr + 2 * FAKE_PAGE),
		 FAKE_PAGE, FAKE_PAGE);
	assert_int_equal(count_substr(out, line), 1);
	free(out);
	fake.iova_scatter = false;

	/* A freed zone is no longer listed; the others keep their numbers. */
	assert_int_equal(eal__memzone_free(&t_st, a), 0);
	out = dump_to_string();
	assert_int_equal(count_substr(out, "dump_a"), 0);
	assert_int_equal(count_substr(out, "Zone 1: name:<dump_b>"), 1);
	free(out);
}

/* A successful call leaves eal_errno alone, even where the table's
 * searches and the IOVA translation set it internally. */
static void
test_errno_untouched(void **state)
{
	const struct eal_memzone *mz;
	char *out;

	(void)state;
	fake.iova_none = true;
	eal_errno = 12345;
	mz = rsv_simple("errno_zone", 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	assert_true(mz->iova == EAL_BAD_IOVA);
	assert_int_equal(eal_errno, 12345);
	assert_non_null(lookup("errno_zone"));
	assert_null(lookup("no_such_zone"));
	assert_int_equal(walk_count(), 1);
	out = dump_to_string();
	free(out);
	assert_int_equal(eal__memzone_free(&t_st, mz), 0);
	assert_int_equal(walk_count(), 0);
	assert_int_equal(eal_errno, 12345);
	/* Successes log no ERR line. */
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0);
}

/* A pid that is certainly dead. */
static pid_t
dead_pid(void)
{
	pid_t child = fork();
	int status;

	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	return child;
}

/* A writer died holding the memzone lock in the middle of a change: the
 * index lost its entries. Readers still find zones (by scanning the
 * table), and the next writer rebuilds the index. */
static void
test_dead_writer(void **state)
{
	const struct eal_memzone *mz[20], *found;
	uint32_t mask = t_index.mask;
	char name[32];

	(void)state;
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "survivor%u", i);
		mz[i] = rsv_simple(name, 64, EAL_SOCKET_ID_ANY, 0);
	}
	/* What a writer killed mid-change leaves: the lock held by a dead
	 * pid, gen odd, the index half rewritten (here: emptied) and a
	 * descriptor marked used whose entry was never added. */
	t_lock.writer = ((uint64_t)(uint32_t)dead_pid() << 32) | 1;
	t_index.gen |= 1;
	assert_int_equal(eal__memzone_index_init(&t_index, mask + 1), 0);

	/* A reader: the lock is recovered, the zones are found anyway. */
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_lookup(&t_st, "survivor7", &found), 0);
	assert_ptr_equal(found, mz[7]);
	assert_null(lookup("survivor20"));
	assert_int_equal(walk_count(), 20);
	assert_int_equal(t_index.count, 0); /* readers do not write */

	/* A writer repairs, once, with a warning. */
	assert_non_null(rsv_simple("after_crash", 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "rebuilding the name index from its 20 memzones"),
			 1);
	assert_int_equal(t_index.gen % 2, 0);
	assert_int_equal(t_index.count, 21);
	assert_true(eal__memzone_index_is_valid(&t_index));
	/* The duplicate check works again: it needs the index. */
	assert_null(rsv_simple("survivor3", 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(last_rc, -EEXIST);
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "survivor%u", i);
		assert_ptr_equal(lookup(name), mz[i]);
	}
	/* Next writers see an even gen: no second rebuild. */
	assert_int_equal(eal__memzone_free(&t_st, mz[0]), 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_WARNING, "rebuilding"), 1);
	assert_int_equal(t_lock.writer, 0);

	/* A free that died after clearing the used bit, before wiping the
	 * descriptor: the index still has the entry; the rebuild drops it. */
	t_index.gen |= 1;
	assert_int_equal(eal_fbarray_set_free(&t_zones, 5), 0);
	assert_non_null(rsv_simple("after_crash2", 64, EAL_SOCKET_ID_ANY, 0));
	assert_null(lookup("survivor5"));
	assert_int_equal(t_index.count, t_zones.count);
	assert_true(eal__memzone_index_is_valid(&t_index));
	/* The descriptor was reused (lowest free: 0, then 5). */
	assert_ptr_equal(lookup("after_crash2"), mz[0]);
	assert_non_null(rsv_simple("after_crash3", 64, EAL_SOCKET_ID_ANY, 0));
	assert_ptr_equal(lookup("after_crash3"), mz[5]);
}

/* Threads reserving, looking up and freeing their own zones while others
 * do the same and one thread looks up a fixed zone all along. */
#define N_THREADS 4
#define ROUNDS 300

static volatile int stop_reader;

static void *
worker(void *p)
{
	unsigned int id = (unsigned int)(uintptr_t)p;
	const struct eal_memzone *mz[8], *found;
	char name[32];

	for (unsigned int r = 0; r < ROUNDS; r++) {
		for (unsigned int k = 0; k < 8; k++) {
			snprintf(name, sizeof(name), "t%u_%u_%u", id, r, k);
			if (eal__memzone_reserve(&t_st, name, 64 + k, EAL_SOCKET_ID_ANY, 0, 64, 0,
						 &mz[k]) != 0)
				return (void *)1;
		}
		for (unsigned int k = 0; k < 8; k++) {
			snprintf(name, sizeof(name), "t%u_%u_%u", id, r, k);
			if (eal__memzone_lookup(&t_st, name, &found) != 0 || found != mz[k] ||
			    strcmp(found->name, name) != 0)
				return (void *)2;
		}
		for (unsigned int k = 0; k < 8; k++)
			if (eal__memzone_free(&t_st, mz[k]) != 0)
				return (void *)3;
	}
	return NULL;
}

static void *
reader(void *p)
{
	const struct eal_memzone *want = p, *found;
	uintptr_t bad = 0;

	while (!stop_reader)
		if (eal__memzone_lookup(&t_st, "fixed", &found) != 0 || found != want)
			bad++;
	return (void *)bad;
}

static void
test_threads(void **state)
{
	pthread_t t[N_THREADS], r;
	const struct eal_memzone *fixed;
	void *ret;

	(void)state;
	fixed = rsv_simple("fixed", 64, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(fixed);
	stop_reader = 0;
	assert_int_equal(pthread_create(&r, NULL, reader, (void *)(uintptr_t)fixed), 0);
	for (uintptr_t i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i), 0);
	for (unsigned int i = 0; i < N_THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	stop_reader = 1;
	assert_int_equal(pthread_join(r, &ret), 0);
	assert_null(ret);
	assert_int_equal(t_zones.count, 1);
	assert_int_equal(t_index.count, 1);
	assert_true(eal__memzone_index_is_valid(&t_index));
	assert_int_equal(fake.n_alloc, 1 + N_THREADS * ROUNDS * 8);
	assert_int_equal(fake_live(), 1);
	assert_int_equal(fake.n_bad_free, 0);
}

static void
test_state_create_attach(void **state)
{
	static struct eal_memzone_index ix;
	struct eal_fbarray zones, copy;
	eal_rwlock_t lock = EAL_RWLOCK_INITIALIZER;
	struct eal_memzone_state st = { &zones, &ix, &lock, &fake_heap, false };

	(void)state;
	assert_int_equal(eal__memzone_state_create(&st, 0), -EINVAL);
	assert_int_equal(eal__memzone_state_create(&st, EAL_MEMZONE_INDEX_SLOTS / 2 + 1), -EINVAL);
	/* Sizes: the index is the smallest power of two >= 2 * max. */
	assert_int_equal(eal__memzone_state_create(&st, 1), 0);
	assert_int_equal(zones.len, 1);
	assert_int_equal(ix.mask + 1, 2);
	assert_string_equal(zones.name, "memzone");
	assert_int_equal(zones.elt_sz, sizeof(struct eal_memzone));
	eal__memzone_state_release(&st, true);
	assert_int_equal(eal__memzone_state_create(&st, 100), 0);
	assert_int_equal(ix.mask + 1, 256);
	assert_int_equal(ix.count, 0);
	assert_int_equal(ix.gen, 0);

	/* Attach checks what the primary wrote before mapping anything. */
	copy = zones;
	st.zones = &copy;
	copy.elt_sz = 64;
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	copy = zones;
	copy.len = 129; /* more zones than half the index */
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	copy = zones;
	copy.len = 0;
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	copy = zones;
	ix.mask = 254; /* not a power of two minus one */
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	ix.mask = UINT32_MAX;
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	ix.mask = EAL_MEMZONE_INDEX_SLOTS * 2 - 1;
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	ix.mask = 255;
	ix.count = 101;
	eal_test_log_n = 0;
	assert_int_equal(eal__memzone_state_attach(&st), -EPROTO);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "does not fit this build"), 1);
	ix.count = 0;
	/* Consistent: the fbarray's own answer (mapped here already). */
	assert_int_equal(eal__memzone_state_attach(&st), -EEXIST);
	st.zones = &zones;
	eal__memzone_state_release(&st, true);
	assert_null(zones.data);
}

/* ========================================================================
 * 3. Init and fini on a config in anonymous memory; the public functions
 *    before eal_init()
 */

static void
count_pub_cb(const struct eal_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

static void
test_public_before_init(void **state)
{
	struct eal_memzone dummy;
	unsigned int n = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_null(eal__mcfg());
	eal_errno = 0;
	assert_null(eal_memzone_reserve("early", 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENODEV);
	eal_errno = 0;
	assert_null(eal_memzone_reserve_aligned("early", 64, EAL_SOCKET_ID_ANY, 0, 128));
	assert_int_equal(eal_errno, ENODEV);
	eal_errno = 0;
	assert_null(eal_memzone_reserve_bounded("early", 64, EAL_SOCKET_ID_ANY, 0, 128, 4096));
	assert_int_equal(eal_errno, ENODEV);
	eal_errno = 0;
	assert_null(eal_memzone_reserve(NULL, 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENODEV);
	eal_errno = 0;
	assert_null(eal_memzone_lookup("early"));
	assert_int_equal(eal_errno, ENODEV);
	eal_errno = 0;
	assert_int_equal(eal_memzone_free(&dummy), -ENODEV);
	assert_int_equal(eal_errno, ENODEV);
	eal_memzone_walk(count_pub_cb, &n);
	assert_int_equal(n, 0);
	f = open_memstream(&buf, &len);
	eal_memzone_dump(f);
	fclose(f);
	assert_int_equal(len, 0);
	free(buf);
}

static struct eal_internal_config fake_cfg;

static void
test_init_fini_fake_mcfg(void **state)
{
	struct eal_mem_config *mcfg = calloc(1, sizeof(*mcfg));
	struct eal_memzone_state st;
	const struct eal_memzone *mz;

	(void)state;
	assert_non_null(mcfg);
	eal_rwlock_init(&mcfg->mlock);
	/* A secondary of a config that holds no table refuses it. */
	fake_cfg.process_type = EAL_PROC_SECONDARY;
	assert_int_equal(eal__memzone_init(&fake_cfg, mcfg), -EPROTO);

	fake_cfg.process_type = EAL_PROC_PRIMARY;
	memset(&mcfg->memzone_index, 0xee, sizeof(mcfg->memzone_index));
	assert_int_equal(eal__memzone_init(&fake_cfg, mcfg), 0);
	assert_int_equal(mcfg->memzones.len, EAL_MAX_MEMZONE);
	assert_int_equal(mcfg->memzones.elt_sz, sizeof(struct eal_memzone));
	assert_string_equal(mcfg->memzones.name, "memzone");
	assert_int_equal(mcfg->memzone_index.mask + 1, EAL_MEMZONE_INDEX_SLOTS);
	assert_int_equal(mcfg->memzone_index.count, 0);
	assert_int_equal(mcfg->memzone_index.gen, 0);
	assert_true(eal__memzone_index_is_valid(&mcfg->memzone_index));
	assert_int_equal(eal__memzone_init(&fake_cfg, mcfg), -EALREADY);

	/* The table works on the config's fields and lock. */
	fake_reset();
	st = (struct eal_memzone_state){ &mcfg->memzones, &mcfg->memzone_index, &mcfg->mlock,
					 &fake_heap, false };
	assert_int_equal(eal__memzone_reserve(&st, "in_mcfg", 64, 0, 0, 64, 0, &mz), 0);
	assert_ptr_equal(mz, mcfg->memzones.data);
	assert_int_equal(mcfg->memzone_index.count, 1);
	/* This process has no eal_init(): the public functions still say so. */
	eal_errno = 0;
	assert_null(eal_memzone_lookup("in_mcfg"));
	assert_int_equal(eal_errno, ENODEV);

	eal__memzone_fini(&fake_cfg, mcfg);
	assert_null(mcfg->memzones.data);
	assert_int_equal(mcfg->memzone_index.count, 0);
	eal__memzone_fini(&fake_cfg, mcfg); /* idempotent */
	/* And again from the start. */
	assert_int_equal(eal__memzone_init(&fake_cfg, mcfg), 0);
	eal__memzone_fini(&fake_cfg, mcfg);
	free(mcfg);
}

/* ========================================================================
 * 4. The public functions after eal_init(), and a secondary process
 */

#define PFX "--file-prefix"
#define RTD "--runtime-dir"

static bool memzones_ours; /* eal_init() does not set memzones up yet: we did */

/* Set up libeal with memzones and the fake heap in this process. */
static int
public_setup(int argc, char **argv)
{
	int rc;

	const struct eal_memzone *probe;
	int probe_errno;

	if (eal_init(argc, argv) < 0) {
		print_error("eal_init: %s\n", eal_strerror(eal_errno));
		return -1;
	}
	eal_errno = 0;
	probe = eal_memzone_lookup("probe");
	probe_errno = eal_errno;
	/* Until the memzone stage is in eal_init(), run it here. */
	rc = eal__memzone_init((struct eal_internal_config *)(uintptr_t)eal__internal_cfg(),
			       eal__mcfg());
	if (rc < 0 && rc != -EALREADY) {
		print_error("memzone init: %s\n", eal_strerror(rc));
		return -1;
	}
	memzones_ours = rc == 0;
	/* Before the memzones are set up the public functions say ENODEV,
	 * even though the shared config exists; after, "not found". */
	if (probe != NULL || probe_errno != (memzones_ours ? ENODEV : 0)) {
		print_error("lookup before memzone init: %p, eal_errno %d\n", (const void *)probe,
			    probe_errno);
		return -1;
	}
	fake_reset();
	eal__memzone_set_heap(&fake_heap);
	return 0;
}

static void
public_teardown(void)
{
	eal__memzone_set_heap(NULL);
	if (memzones_ours)
		eal__memzone_fini((struct eal_internal_config *)(uintptr_t)eal__internal_cfg(),
				  eal__mcfg());
	memzones_ours = false;
	assert_int_equal(eal_cleanup(), 0);
}

static void
test_public_api(void **state)
{
	const struct eal_memzone *mz, *b, *big;
	char path[PATH_MAX + 32], *buf = NULL;
	unsigned int n = 0;
	size_t len = 0;
	FILE *f;
	char **argv;
	int argc;

	(void)state;
	argc = eal_test_argv(&argv, "--no-huge", "-m", "8", NULL);
	assert_int_equal(public_setup(argc, argv), 0);
	/* The table is a file of the runtime directory. */
	snprintf(path, sizeof(path), "%s/fbarray_memzone", eal_test_runtime_dir());
	assert_int_equal(access(path, F_OK), 0);

	eal_errno = 4242;
	mz = eal_memzone_reserve("pub", 100, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);
	assert_int_equal(eal_errno, 4242);
	assert_int_equal(mz->len, 128);
	/* --no-huge: socket 0 is served as any. */
	b = eal_memzone_reserve_aligned("pub_aligned", 1000, 0, EAL_MEMZONE_IOVA_CONTIG, 4096);
	assert_non_null(b);
	assert_int_equal(fake.a_socket, EAL_SOCKET_ID_ANY);
	assert_int_equal(fake.a_flags, EAL_MEMZONE_IOVA_CONTIG);
	assert_int_equal((uintptr_t)b->addr % 4096, 0);
	big = eal_memzone_reserve_bounded("pub_bounded", 0, EAL_SOCKET_ID_ANY, 0, 64, 8192);
	assert_non_null(big);
	assert_int_equal(big->len, 8192);
	assert_int_equal(fake.a_bound, 8192);
	assert_ptr_equal(eal_memzone_lookup("pub"), mz);
	assert_ptr_equal(eal_memzone_lookup("pub_aligned"), b);

	/* Errors through the public functions: NULL + eal_errno. */
	eal_errno = 0;
	assert_null(eal_memzone_reserve("pub", 100, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, EEXIST);
	eal_errno = 0;
	assert_null(eal_memzone_reserve_aligned("pub2", 100, EAL_SOCKET_ID_ANY, 0, 48));
	assert_int_equal(eal_errno, EINVAL);
	eal_errno = 0;
	assert_null(eal_memzone_reserve_bounded("pub2", 100, EAL_SOCKET_ID_ANY, 0, 64, 96));
	assert_int_equal(eal_errno, EINVAL);
	eal_errno = 0;
	assert_null(eal_memzone_reserve("pub2_name_that_is_much_too_long_for_it", 100,
					EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENAMETOOLONG);
	eal_errno = 0;
	assert_null(eal_memzone_reserve(NULL, 100, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, EINVAL);
	eal_errno = 0;
	assert_null(eal_memzone_lookup(NULL));
	assert_int_equal(eal_errno, EINVAL);
	fake.fail = -ENOMEM;
	eal_errno = 0;
	assert_null(eal_memzone_reserve("pub2", 100, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENOMEM);
	/* Not found: NULL, eal_errno untouched (DPDK). */
	eal_errno = 4343;
	assert_null(eal_memzone_lookup("pub2"));
	assert_int_equal(eal_errno, 4343);

	eal_memzone_walk(count_pub_cb, &n);
	assert_int_equal(n, 3);
	eal_memzone_walk(NULL, NULL);

	f = open_memstream(&buf, &len);
	eal_memzone_dump(f);
	fclose(f);
	assert_int_equal(count_substr(buf, "name:<pub>"), 1);
	assert_int_equal(count_substr(buf, "name:<pub_aligned>"), 1);
	assert_int_equal(count_substr(buf, "name:<pub_bounded>"), 1);
	free(buf);

	/* dump(NULL) writes to stdout. */
	{
		char tmpl[] = "/tmp/test_memzone_stdout_XXXXXX", text[4096];
		int fd = mkstemp(tmpl), saved = dup(STDOUT_FILENO);
		ssize_t got;

		assert_true(fd >= 0 && saved >= 0);
		fflush(stdout);
		assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
		eal_memzone_dump(NULL);
		fflush(stdout);
		assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
		close(saved);
		got = pread(fd, text, sizeof(text) - 1, 0);
		close(fd);
		unlink(tmpl);
		assert_true(got > 0);
		text[got] = '\0';
		assert_int_equal(count_substr(text, "name:<pub_aligned>"), 1);
		assert_int_equal(count_substr(text, "Total Memory Zones size = 0M"), 1);
	}

	/* Free: 0, then DPDK's -EINVAL (and eal_errno) for the second time. */
	assert_int_equal(eal_memzone_free(mz), 0);
	assert_null(eal_memzone_lookup("pub"));
	eal_errno = 0;
	assert_int_equal(eal_memzone_free(mz), -EINVAL);
	assert_int_equal(eal_errno, EINVAL);
	eal_errno = 0;
	assert_int_equal(eal_memzone_free(NULL), -EINVAL);
	assert_int_equal(eal_errno, EINVAL);
	assert_int_equal(eal_memzone_free(b), 0);
	assert_int_equal(eal_memzone_free(big), 0);
	assert_int_equal(fake_live(), 0);
	assert_int_equal(fake.n_bad_free, 0);

	public_teardown();
	/* The primary's cleanup removes the file. */
	assert_int_equal(access(path, F_OK), -1);
	eal_errno = 0;
	assert_null(eal_memzone_reserve("late", 64, EAL_SOCKET_ID_ANY, 0));
	assert_int_equal(eal_errno, ENODEV);
}

/* After a failed public test: leave nothing for the next one. */
static int
teardown_public(void **state)
{
	(void)state;
	if (eal__initialized()) {
		eal__memzone_set_heap(NULL);
		if (memzones_ours)
			eal__memzone_fini((struct eal_internal_config *)(uintptr_t)eal__internal_cfg(),
					  eal__mcfg());
		memzones_ours = false;
		(void)eal_cleanup();
	}
	return 0;
}

/* Child: a secondary that attaches the table, finds the primary's zone,
 * is refused its name, and reserves one of its own. */
static int
child_secondary(void)
{
	char *args[16] = { (char *)"child" };
	const struct eal_memzone *mz, *own;
	int n = 1;

	for (int i = 0; i < eal_test_child_argc() && n < 15; i++)
		args[n++] = eal_test_child_argv()[i];
	if (public_setup(n, args) < 0)
		return 1;
	mz = eal_memzone_lookup("shared_zone");
	eal_errno = 0;
	if (eal_memzone_reserve("shared_zone", 64, EAL_SOCKET_ID_ANY, 0) != NULL ||
	    eal_errno != EEXIST) {
		printf("dup not refused\n");
		return 1;
	}
	own = eal_memzone_reserve("child_zone", 1000, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL || own == NULL) {
		printf("lookup %p reserve %p\n", (const void *)mz, (const void *)own);
		return 1;
	}
	printf("%p %zu %p %s\n", (const void *)mz, mz->len, (const void *)own, mz->name);
	fflush(stdout);
	eal__memzone_set_heap(NULL);
	if (memzones_ours)
		eal__memzone_fini((struct eal_internal_config *)(uintptr_t)eal__internal_cfg(),
				  eal__mcfg());
	return eal_cleanup() == 0 ? 0 : 2;
}

static void
test_secondary_shares(void **state)
{
	const struct eal_memzone *mz, *child_mz;
	char line[256], want[256];
	void *child_addr = NULL;
	char **argv;
	int argc, fd;
	pid_t pid;

	(void)state;
	argc = eal_test_argv(&argv, "--no-huge", "-m", "8", "--proc-type=primary", NULL);
	assert_int_equal(public_setup(argc, argv), 0);
	mz = eal_memzone_reserve("shared_zone", 3000, EAL_SOCKET_ID_ANY, 0);
	assert_non_null(mz);

	pid = eal_test_spawn("secondary", &fd, PFX, eal_test_prefix(), RTD,
			     (char *)eal_test_runtime_base(), "--proc-type=secondary", NULL);
	assert_true(pid > 0);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 20000), 0);
	close(fd);
	assert_int_equal(eal_test_wait(pid, 20000), 0);
	/* The child saw our descriptor at our address, with our length. */
	snprintf(want, sizeof(want), "%p 3008 ", (const void *)mz);
	assert_int_equal(strncmp(line, want, strlen(want)), 0);
	assert_int_equal(sscanf(line + strlen(want), "%p", &child_addr), 1);
	assert_non_null(strstr(line, " shared_zone"));
	/* Its zone is in the shared table and index. */
	child_mz = eal_memzone_lookup("child_zone");
	assert_ptr_equal(child_mz, child_addr);
	assert_int_equal(child_mz->len, 1024);
	assert_ptr_equal(child_mz, mz + 1);
	/* Freed here: its memory came from the child's fake heap, which this
	 * process's fake does not know (one warning), but the zone goes. */
	assert_int_equal(eal_memzone_free(child_mz), 0);
	assert_null(eal_memzone_lookup("child_zone"));
	assert_int_equal(eal_memzone_free(mz), 0);
	public_teardown();
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		/* 1. the index */
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_hash_spread),
		cmocka_unit_test(test_index_errors),
		cmocka_unit_test(test_index_backward_shift),
		cmocka_unit_test(test_index_model_small),
		cmocka_unit_test(test_index_model_medium),
		cmocka_unit_test(test_index_model_full_size),
		cmocka_unit_test(test_index_no_degradation),
		/* 2. the memzone layer */
		cmocka_unit_test_setup_teardown(test_basic, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_free_and_reuse, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_free_errors, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_names, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_flags, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_aligned, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_bounded, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_length, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_biggest, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_sockets, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_enomem, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_error_order, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_max_memzone, setup_full, teardown_state),
		cmocka_unit_test_setup_teardown(test_walk, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_dump, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_errno_untouched, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_dead_writer, setup_small, teardown_state),
		cmocka_unit_test_setup_teardown(test_threads, setup_full, teardown_state),
		cmocka_unit_test_setup_teardown(test_state_create_attach, setup_small, teardown_state),
		/* 3. init/fini, before eal_init() */
		cmocka_unit_test(test_public_before_init),
		cmocka_unit_test(test_init_fini_fake_mcfg),
		/* 4. after eal_init() */
		cmocka_unit_test_teardown(test_public_api, teardown_public),
		cmocka_unit_test_teardown(test_secondary_shares, teardown_public),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL) {
		eal_test_log_capture("memzone", EAL_LOG_ERR); /* quiet */
		return strcmp(eal_test_child_role(), "secondary") == 0 ? child_secondary() : 3;
	}
	return cmocka_run_group_tests_name("memzone", tests, NULL, NULL);
}
