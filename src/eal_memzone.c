/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memzones (DPDK 22.11's rte_memzone_*): named blocks of heap memory whose
 * descriptors every process can find. Owns mcfg->memzones (an fbarray
 * "memzone" of struct eal_memzone, EAL_MAX_MEMZONE entries) and
 * mcfg->memzone_index (struct eal_memzone_index, src/eal_memzone.h).
 *
 * Three layers, bottom up:
 *  - the name index: open addressing with linear probing and backward-shift
 *    deletion, pure functions over a struct eal_memzone_index (no lock, no
 *    log, names compared through a callback) so tests can drive it alone;
 *  - the memzone layer over a struct eal_memzone_state (zone table, index,
 *    lock, heap): argument checks in DPDK's order, one ERR line per failure,
 *    repair after a process died mid-change;
 *  - the process's memzones: init/fini stage and the public functions,
 *    which find the state in the shared config.
 *
 * Locks: reserve and free hold the memzone lock (mcfg->mlock) for writing,
 * lookup, walk and dump for reading. mlock comes first in the order of
 * src/eal_memcfg.h (mlock, heap locks, memory hotplug lock): reserve calls
 * the heap with it held; free gives the memory back after releasing it.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMZONE

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_memzone.h"
#include "eal_private.h"

/* Ported code may rely on DPDK's layout (it sends descriptors to devices,
 * or shares them with programs built against DPDK's headers). */
_Static_assert(sizeof(struct eal_memzone) == 72, "struct eal_memzone must stay 72 bytes");
_Static_assert(offsetof(struct eal_memzone, iova) == 32, "iova offset");
_Static_assert(offsetof(struct eal_memzone, addr) == 40, "addr offset");
_Static_assert(offsetof(struct eal_memzone, len) == 48, "len offset");
_Static_assert(offsetof(struct eal_memzone, hugepage_sz) == 56, "hugepage_sz offset");
_Static_assert(offsetof(struct eal_memzone, socket_id) == 64, "socket_id offset");
_Static_assert(offsetof(struct eal_memzone, flags) == 68, "flags offset");
/* The index must stay at most half full with every zone in it. */
_Static_assert(EAL_MEMZONE_INDEX_SLOTS >= 2u * EAL_MAX_MEMZONE, "index too small");

#define MZ_NAME_MAX (EAL_MEMZONE_NAMESIZE - 1)

#define MZ_PAGE_SIZE_FLAGS \
	(EAL_MEMZONE_2MB | EAL_MEMZONE_1GB | EAL_MEMZONE_16MB | EAL_MEMZONE_16GB | \
	 EAL_MEMZONE_256KB | EAL_MEMZONE_256MB | EAL_MEMZONE_512MB | EAL_MEMZONE_4GB)
#define MZ_VALID_FLAGS (MZ_PAGE_SIZE_FLAGS | EAL_MEMZONE_SIZE_HINT_ONLY | EAL_MEMZONE_IOVA_CONTIG)

/* ------------------------------------------------------------------------
 * The name index
 */

#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

uint64_t
eal__memzone_name_hash(const char *name)
{
	uint64_t h = FNV64_OFFSET;

	for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
		h ^= *p;
		h *= FNV64_PRIME;
	}
	return h;
}

/* What a slot stores, and where the entry's home is. The multiplication in
 * FNV only carries upwards, so its high half is the better mixed one:
 * folding it in keeps names that differ only in their last characters
 * ("ring_17", "ring_18") from sharing low bits, which pick the home. */
static inline uint32_t
hash_tag(uint64_t hash)
{
	return (uint32_t)(hash ^ (hash >> 32));
}

int
eal__memzone_index_init(struct eal_memzone_index *ix, uint32_t n_slots)
{
	if (n_slots < 2 || n_slots > EAL_MEMZONE_INDEX_SLOTS || (n_slots & (n_slots - 1)) != 0)
		return -EINVAL;
	ix->mask = n_slots - 1;
	ix->count = 0;
	memset(ix->slot, 0, (size_t)n_slots * sizeof(ix->slot[0]));
	return 0;
}

int
eal__memzone_index_find(const struct eal_memzone_index *ix, uint64_t hash, const char *name,
			eal__memzone_name_eq_t eq, const void *ctx, uint32_t *ret_idx)
{
	uint32_t tag = hash_tag(hash), mask = ix->mask, s = tag & mask;

	/* The index is in shared memory: a damaged mask must not make us
	 * read outside it. */
	if (EAL_UNLIKELY(mask >= EAL_MEMZONE_INDEX_SLOTS))
		return -ENOENT;
	/* An empty slot ends the probe; the bound only matters for a table
	 * corrupted into having none. */
	for (uint32_t n = 0; n <= mask; n++, s = (s + 1) & mask) {
		const struct eal_memzone_index_slot *e = &ix->slot[s];

		if (e->ref == 0)
			break;
		if (e->hash == tag && eq(ctx, e->ref - 1, name)) {
			*ret_idx = e->ref - 1;
			return 0;
		}
	}
	return -ENOENT;
}

int
eal__memzone_index_insert(struct eal_memzone_index *ix, uint64_t hash, const char *name,
			  uint32_t idx, eal__memzone_name_eq_t eq, const void *ctx)
{
	uint32_t tag = hash_tag(hash), mask = ix->mask, s = tag & mask;

	if (idx == UINT32_MAX || mask >= EAL_MEMZONE_INDEX_SLOTS)
		return -EINVAL;
	/* At least one slot stays empty, so that every probe ends. */
	if (ix->count >= mask)
		return -ENOSPC;
	for (uint32_t n = 0; n <= mask; n++, s = (s + 1) & mask) {
		struct eal_memzone_index_slot *e = &ix->slot[s];

		if (e->ref == 0) {
			e->hash = tag;
			e->ref = idx + 1;
			ix->count++;
			return 0;
		}
		if (e->hash == tag && eq(ctx, e->ref - 1, name))
			return -EEXIST;
	}
	return -ENOSPC; /* count was wrong: no empty slot */
}

int
eal__memzone_index_remove(struct eal_memzone_index *ix, uint64_t hash, uint32_t idx)
{
	uint32_t mask = ix->mask, i = hash_tag(hash) & mask, n;

	if (mask >= EAL_MEMZONE_INDEX_SLOTS)
		return -ENOENT;
	for (n = 0; n <= mask; n++, i = (i + 1) & mask) {
		if (ix->slot[i].ref == 0)
			return -ENOENT;
		if (ix->slot[i].ref == idx + 1)
			break;
	}
	if (n > mask)
		return -ENOENT;

	/*
	 * Backward shift: slot i is now a hole. Walk the rest of the cluster;
	 * an entry at j whose home lies cyclically in (i, j] must stay (moving
	 * it to i would put it before its home, where probes never look);
	 * any other entry moves into the hole, which moves to j. The cluster
	 * ends at the first empty slot, and the last hole becomes empty.
	 */
	for (uint32_t j = i, k = 0; k < mask; k++) {
		struct eal_memzone_index_slot *e;
		uint32_t home;

		j = (j + 1) & mask;
		e = &ix->slot[j];
		if (e->ref == 0)
			break;
		home = e->hash & mask;
		if (((j - home) & mask) < ((j - i) & mask))
			continue;
		ix->slot[i] = *e;
		/* Killed here: the moved entry is in the index twice. */
		EAL_TEST_POINT("memzone-index-shifting");
		i = j;
	}
	ix->slot[i].ref = 0;
	ix->slot[i].hash = 0;
	ix->count--;
	return 0;
}

bool
eal__memzone_index_is_valid(const struct eal_memzone_index *ix)
{
	uint32_t mask = ix->mask, n = 0;

	if (mask == 0 || mask >= EAL_MEMZONE_INDEX_SLOTS || ((mask + 1) & mask) != 0)
		return false;
	for (uint32_t s = 0; s <= mask; s++) {
		const struct eal_memzone_index_slot *e = &ix->slot[s];

		if (e->ref == 0) {
			if (e->hash != 0)
				return false;
			continue;
		}
		n++;
		/* Reachable: no empty slot between its home and itself. */
		for (uint32_t k = e->hash & mask; k != s; k = (k + 1) & mask)
			if (ix->slot[k].ref == 0)
				return false;
	}
	return n == ix->count && n < mask + 1;
}

/* ------------------------------------------------------------------------
 * The memzone layer: helpers
 */

static inline struct eal_memzone *
zone_at(const struct eal_fbarray *zones, uint32_t idx)
{
	return (struct eal_memzone *)EAL_PTR_ADD(zones->data, (size_t)idx * zones->elt_sz);
}

/* The index's name comparison: the descriptor's name, bounded by its size
 * (a corrupt descriptor without a NUL cannot make us read past it). */
static bool
zone_name_eq(const void *ctx, uint32_t idx, const char *name)
{
	const struct eal_fbarray *zones = ctx;

	return idx < zones->len &&
	       strncmp(zone_at(zones, idx)->name, name, EAL_MEMZONE_NAMESIZE) == 0;
}

/* The fbarray's searches set eal_errno when they find nothing; a
 * successful memzone call must leave it as it was. -1 when none. */
static int
next_in_state(struct eal_fbarray *zones, unsigned int start, bool used)
{
	int saved = eal_errno, i;

	if (start >= zones->len)
		return -1;
	i = used ? eal_fbarray_find_next_used(zones, start) : eal_fbarray_find_next_free(zones, start);
	eal_errno = saved;
	return i;
}

static inline int
next_used(struct eal_fbarray *zones, unsigned int start)
{
	return next_in_state(zones, start, true);
}

static eal_iova_t
zone_iova(const struct eal_memzone_state *st, const void *addr)
{
	int saved = eal_errno;
	eal_iova_t iova = st->heap->virt2iova(addr);

	eal_errno = saved; /* EAL_BAD_IOVA is an answer here, not a failure */
	return iova;
}

/* A name as it can be printed in one log line: long names are cut. */
struct shown_name {
	char s[EAL_MEMZONE_NAMESIZE + 4];
};

static struct shown_name
shown(const char *name)
{
	struct shown_name n;

	if (strnlen(name, EAL_MEMZONE_NAMESIZE) < EAL_MEMZONE_NAMESIZE)
		snprintf(n.s, sizeof(n.s), "%s", name);
	else
		snprintf(n.s, sizeof(n.s), "%.*s...", MZ_NAME_MAX, name);
	return n;
}

static const char *
socket_str(int socket, char *buf, size_t size)
{
	if (socket == EAL_SOCKET_ID_ANY)
		return "any";
	snprintf(buf, size, "%d", socket);
	return buf;
}

/* Zone @name (hash @hash) by a scan of the table alone: the fallback of
 * readers while the index waits for repair. */
static int
scan_find(struct eal_memzone_state *st, const char *name, uint32_t *ret_idx)
{
	for (int i = next_used(st->zones, 0); i >= 0; i = next_used(st->zones, (unsigned int)i + 1)) {
		if (zone_name_eq(st->zones, (uint32_t)i, name)) {
			*ret_idx = (uint32_t)i;
			return 0;
		}
	}
	return -ENOENT;
}

/* Lookup with the lock held for reading. */
static int
find_locked(struct eal_memzone_state *st, const char *name, uint64_t hash, uint32_t *ret_idx)
{
	/* Odd outside a writer's hold: a writer died mid-change and nobody
	 * has repaired the index yet; readers may not write it, so they
	 * search the table, which is always right. */
	if (EAL_UNLIKELY(__atomic_load_n(&st->index->gen, __ATOMIC_ACQUIRE) & 1))
		return scan_find(st, name, ret_idx);
	return eal__memzone_index_find(st->index, hash, name, zone_name_eq, st->zones, ret_idx);
}

/* Whether the index describes exactly the used descriptors (R25). */
static bool
state_is_valid(struct eal_memzone_state *st)
{
	uint32_t idx;

	if (!eal__memzone_index_is_valid(st->index) || st->index->count != st->zones->count)
		return false;
	for (int i = next_used(st->zones, 0); i >= 0; i = next_used(st->zones, (unsigned int)i + 1)) {
		const char *name = zone_at(st->zones, (uint32_t)i)->name;

		if (eal__memzone_index_find(st->index, eal__memzone_name_hash(name), name,
					    zone_name_eq, st->zones, &idx) != 0 ||
		    idx != (uint32_t)i)
			return false;
	}
	return true;
}

/*
 * Rebuild the index from the used descriptors (write lock held). A writer
 * died between write_begin() and write_end(): the table may hold a
 * descriptor the index lacks (reserve died before indexing it) or the
 * index an entry the table no longer has (free died after set_free), and
 * a backward shift may be half done. The table is the truth because each
 * change there is one bit: a descriptor is complete before its bit is set
 * and its bit is cleared before it is wiped.
 */
static void
index_rebuild(struct eal_memzone_state *st)
{
	struct eal_memzone_index *ix = st->index;
	unsigned int dropped = 0;
	uint32_t slots = ix->mask + 1;

	EAL_LOG(WARNING, "memzone table: a process died while changing it; rebuilding the name index from its %u memzones",
		st->zones->count);
	if (st->zones->len > slots / 2 || eal__memzone_index_init(ix, slots) < 0) {
		/* The mask itself was damaged: back to the size create() uses. */
		if (st->zones->len == 0 || st->zones->len > EAL_MEMZONE_INDEX_SLOTS / 2 ||
		    eal__memzone_index_init(ix, EAL__POW2_CEIL(2u * st->zones->len)) < 0) {
			EAL_LOG(ERR, "memzone table: %u descriptors cannot be indexed; memzones stay unusable",
				st->zones->len);
			return;
		}
	}
	for (int i = next_used(st->zones, 0); i >= 0; i = next_used(st->zones, (unsigned int)i + 1)) {
		struct eal_memzone *mz = zone_at(st->zones, (uint32_t)i);

		if (memchr(mz->name, '\0', sizeof(mz->name)) == NULL ||
		    eal__memzone_index_insert(ix, eal__memzone_name_hash(mz->name), mz->name,
					      (uint32_t)i, zone_name_eq, st->zones) < 0) {
			/* Cannot happen unless the memory itself was
			 * scribbled on; keep the table consistent. */
			(void)eal_fbarray_set_free(st->zones, (unsigned int)i);
			memset(mz, 0, sizeof(*mz));
			dropped++;
		}
	}
	if (dropped > 0)
		EAL_LOG(WARNING, "memzone table: %u descriptors had a corrupt or duplicate name and were dropped (their memory stays allocated)",
			dropped);
}

/* Take the memzone lock for writing and open a change (gen odd). */
static void
write_begin(struct eal_memzone_state *st)
{
	uint32_t gen;

	/* eal__rwlock_write_lock() reports a dead writer only to the thread
	 * that reaped it, which may have been a reader: gen is what tells. */
	(void)eal__rwlock_write_lock(st->lock);
	gen = __atomic_load_n(&st->index->gen, __ATOMIC_ACQUIRE);
	if (EAL_UNLIKELY(gen & 1))
		index_rebuild(st);
	__atomic_store_n(&st->index->gen, gen | 1, __ATOMIC_RELAXED);
	/* Changes below must not become visible before gen is odd. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
write_end(struct eal_memzone_state *st)
{
	EAL_ASSERT_EXPENSIVE(state_is_valid(st));
	__atomic_store_n(&st->index->gen, (st->index->gen | 1) + 1, __ATOMIC_RELEASE);
	eal_rwlock_write_unlock(st->lock);
}

/* ------------------------------------------------------------------------
 * The memzone layer: life cycle
 */

int
eal__memzone_state_create(struct eal_memzone_state *st, unsigned int max)
{
	uint32_t slots;
	int rc;

	if (max == 0 || max > EAL_MEMZONE_INDEX_SLOTS / 2) {
		EAL_LOG(ERR, "cannot create a memzone table of %u descriptors: 1 to %u fit in the index",
			max, EAL_MEMZONE_INDEX_SLOTS / 2);
		return -EINVAL;
	}
	slots = EAL__POW2_CEIL(2u * max);
	if (eal_fbarray_init(st->zones, "memzone", max, sizeof(struct eal_memzone)) < 0) {
		rc = -eal_errno;
		EAL_LOG(ERR, "cannot create the memzone table (fbarray 'memzone', %u descriptors): %s",
			max, eal_strerror(rc));
		return rc;
	}
	(void)eal__memzone_index_init(st->index, slots);
	st->index->gen = 0;
	EAL_LOG(DEBUG, "memzone table: %u descriptors, name index of %u slots", max, slots);
	return 0;
}

int
eal__memzone_state_attach(struct eal_memzone_state *st)
{
	const struct eal_memzone_index *ix = st->index;
	const struct eal_fbarray *zones = st->zones;
	uint32_t slots = ix->mask + 1;
	int rc;

	/* Everything the primary wrote is checked before it is used: a
	 * primary built with other options has the same config size when
	 * only max_memzone differs within one power of two. */
	if (zones->elt_sz != sizeof(struct eal_memzone) || zones->len == 0 || slots < 2 ||
	    slots > EAL_MEMZONE_INDEX_SLOTS || (slots & (slots - 1)) != 0 ||
	    zones->len > slots / 2 || ix->count > zones->len) {
		EAL_LOG(ERR, "the primary's memzone table (%u descriptors of %u bytes, index of %" PRIu32 " slots) does not fit this build (descriptors of %zu bytes, index of at most %u slots): build both with the same options",
			zones->len, zones->elt_sz, slots, sizeof(struct eal_memzone),
			EAL_MEMZONE_INDEX_SLOTS);
		return -EPROTO;
	}
	if (eal_fbarray_attach(st->zones) < 0) {
		rc = -eal_errno;
		EAL_LOG(ERR, "cannot attach the memzone table: %s", eal_strerror(rc));
		return rc;
	}
	return 0;
}

void
eal__memzone_state_release(struct eal_memzone_state *st, bool primary)
{
	int saved = eal_errno;

	/* A primary whose secondaries still run cannot destroy the table
	 * (EBUSY): it detaches, and the file goes with the last user. */
	if (primary && eal_fbarray_destroy(st->zones) == 0) {
		(void)eal__memzone_index_init(st->index, st->index->mask + 1);
		st->index->gen = 0;
	} else {
		(void)eal_fbarray_detach(st->zones);
	}
	eal_errno = saved;
}

/* ------------------------------------------------------------------------
 * The memzone layer: operations
 */

/* Checks in DPDK 22.11's order, so that a call with several faults fails
 * with the same error as there. Write lock held; *len/align/socket get
 * the values to allocate with. */
static int
reserve_check(struct eal_memzone_state *st, const char *name, size_t *len, int *socket,
	      unsigned int flags, unsigned int *align, unsigned int bound, uint64_t *ret_hash)
{
	const struct shown_name sn = shown(name);
	const char *n = sn.s;
	size_t name_len = strnlen(name, EAL_MEMZONE_NAMESIZE), rounded;
	uint32_t idx;

	if (st->zones->count >= st->zones->len) {
		/* Expected failures (ENOSPC, EEXIST, ENOMEM) are DEBUG, as in
		 * DPDK: callers probe (rte_mempool tries IOVA_CONTIG first). */
		EAL_LOG(DEBUG, "cannot reserve memzone '%s': %u memzones exist (max_memzone); free one, or build with a larger -Dmax_memzone",
			n, st->zones->len);
		return -ENOSPC;
	}
	if (name_len > MZ_NAME_MAX) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': name longer than %d characters", n,
			MZ_NAME_MAX);
		return -ENAMETOOLONG;
	}
	*ret_hash = eal__memzone_name_hash(name);
	if (eal__memzone_index_find(st->index, *ret_hash, name, zone_name_eq, st->zones, &idx) == 0) {
		EAL_LOG(DEBUG, "memzone '%s': name already used (by the zone of %zu bytes at %p)", n,
			zone_at(st->zones, idx)->len, zone_at(st->zones, idx)->addr);
		return -EEXIST;
	}
	if (*align != 0 && (*align & (*align - 1)) != 0) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': alignment %u is not a power of two", n,
			*align);
		return -EINVAL;
	}
	if (*align < EAL_CACHE_LINE_SIZE)
		*align = EAL_CACHE_LINE_SIZE;
	if (*len > SIZE_MAX - (EAL_CACHE_LINE_SIZE - 1)) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': length %zu is too large", n, *len);
		return -EINVAL;
	}
	/* Zones are whole cache lines, so two zones never share one. The
	 * bound is checked against at least one line, even for len 0. */
	*len = EAL_ALIGN_CEIL(*len, (size_t)EAL_CACHE_LINE_SIZE);
	rounded = *len > EAL_CACHE_LINE_SIZE ? *len : EAL_CACHE_LINE_SIZE;
	if (bound != 0 && ((bound & (bound - 1)) != 0 || bound < rounded)) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': bound %u %s", n, bound,
			(bound & (bound - 1)) != 0 ? "is not a power of two"
						   : "is smaller than the length");
		return -EINVAL;
	}
	if (*socket < 0 && *socket != EAL_SOCKET_ID_ANY) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': socket %d is not a NUMA node (EAL_SOCKET_ID_ANY is %d)",
			n, *socket, EAL_SOCKET_ID_ANY);
		return -EINVAL;
	}
	if ((flags & ~MZ_VALID_FLAGS) != 0) {
		EAL_LOG(ERR, "cannot reserve memzone '%s': unknown flags 0x%x", n,
			flags & ~MZ_VALID_FLAGS);
		return -EINVAL;
	}
	/* 4 KiB pages have no NUMA placement: every node is "any", as in
	 * DPDK. Ids at or above the node limit are left to the heap (DPDK
	 * numbers external heaps there). */
	if (st->no_huge && *socket >= 0 && *socket < EAL_MAX_NUMA_NODES)
		*socket = EAL_SOCKET_ID_ANY;
	return 0;
}

/* len == 0: the largest block the heap can give now, in whole cache lines. */
static int
reserve_biggest(struct eal_memzone_state *st, const char *n, int socket, unsigned int flags,
		unsigned int align, size_t *ret_len)
{
	char sb[16];
	size_t len = 0;
	int rc;

	rc = st->heap->biggest_free(socket, flags, align, &len);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot reserve memzone '%s' of the largest free size: the heap cannot tell it (socket %s, flags 0x%x): %s",
			n, socket_str(socket, sb, sizeof(sb)), flags, eal_strerror(rc));
		return rc;
	}
	len = EAL_ALIGN_FLOOR(len, (size_t)EAL_CACHE_LINE_SIZE);
	if (len == 0) {
		EAL_LOG(DEBUG, "cannot reserve memzone '%s' of the largest free size: no free memory on socket %s (flags 0x%x)",
			n, socket_str(socket, sb, sizeof(sb)), flags);
		return -ENOMEM;
	}
	*ret_len = len;
	return 0;
}

static int
reserve_locked(struct eal_memzone_state *st, const char *name, size_t len, int socket,
	       unsigned int flags, unsigned int align, unsigned int bound,
	       const struct eal_memzone **ret_mz)
{
	const struct shown_name sn = shown(name);
	const char *n = sn.s;
	uint64_t hash, page_sz = 0;
	int rc, got_socket = socket, idx;
	struct eal_memzone *mz;
	void *addr = NULL;
	char sb[16];

	rc = reserve_check(st, name, &len, &socket, flags, &align, bound, &hash);
	if (rc < 0)
		return rc;
	if (len == 0 && bound != 0)
		len = bound;
	else if (len == 0 && (rc = reserve_biggest(st, n, socket, flags, align, &len)) < 0)
		return rc;

	/* Asked with the memzone lock held: two processes reserving one name
	 * cannot both get memory, and the count checked above still holds
	 * when the descriptor is taken below. */
	rc = st->heap->alloc(socket, len, align, bound, flags, &addr, &got_socket, &page_sz);
	if (rc < 0) {
		if (rc == -ENOMEM && (flags & EAL_MEMZONE_IOVA_CONTIG))
			EAL_LOG(DEBUG, "cannot reserve memzone '%s': no IOVA-contiguous block of %zu bytes (align %u, bound %u, socket %s, flags 0x%x); dynamic memory rarely gets physically contiguous pages: use larger pages (1 GiB), --legacy-mem, or --iova-mode=va",
				n, len, align, bound, socket_str(socket, sb, sizeof(sb)), flags);
		else if (rc == -ENOMEM)
			EAL_LOG(DEBUG, "cannot reserve memzone '%s': no free block of %zu bytes (align %u, bound %u, socket %s, flags 0x%x); free memory, or give more with -m / --socket-mem",
				n, len, align, bound, socket_str(socket, sb, sizeof(sb)), flags);
		else
			EAL_LOG(ERR, "cannot reserve memzone '%s' (%zu bytes, socket %s, flags 0x%x): the heap refused: %s",
				n, len, socket_str(socket, sb, sizeof(sb)), flags, eal_strerror(rc));
		return rc;
	}
	/* Killed here: the heap has a block that no descriptor names. */
	EAL_TEST_POINT("memzone-allocated");

	/* The lowest free descriptor, so freed ones are reused first (as
	 * DPDK). There is one: the count was checked under this lock. */
	idx = next_in_state(st->zones, 0, false);
	EAL_ASSERT_INTERNAL(idx >= 0);
	if (EAL_UNLIKELY(idx < 0)) {
		(void)st->heap->free(addr);
		EAL_LOG(ERR, "cannot reserve memzone '%s': no free descriptor although the table counts %u of %u used",
			n, st->zones->count, st->zones->len);
		return -ENOSPC;
	}
	/* Complete the descriptor before its used bit is set: the bit is what
	 * a repair trusts (index_rebuild). */
	mz = zone_at(st->zones, (uint32_t)idx);
	memset(mz, 0, sizeof(*mz));
	memcpy(mz->name, name, strlen(name) + 1);
	mz->addr = addr;
	mz->len = len;
	mz->iova = zone_iova(st, addr);
	mz->hugepage_sz = page_sz;
	mz->socket_id = got_socket;
	mz->flags = 0;
	(void)eal_fbarray_set_used(st->zones, (unsigned int)idx);
	EAL_TEST_POINT("memzone-described"); /* in the table, not in the index */
	rc = eal__memzone_index_insert(st->index, hash, name, (uint32_t)idx, zone_name_eq, st->zones);
	EAL_ASSERT_INTERNAL(rc == 0); /* name checked absent, index never more than half full */
	EAL_TEST_POINT("memzone-indexed"); /* complete, but the change is still open */
	EAL_LOG(DEBUG, "memzone '%s' reserved: %zu bytes at %p, iova 0x%" PRIx64 ", socket %d, pages of %" PRIu64 " bytes",
		name, len, addr, mz->iova, got_socket, page_sz);
	*ret_mz = mz;
	return 0;
}

int
eal__memzone_reserve(struct eal_memzone_state *st, const char *name, size_t len, int socket,
		     unsigned int flags, unsigned int align, unsigned int bound,
		     const struct eal_memzone **ret_mz)
{
	int rc;

	if (name == NULL) {
		EAL_LOG(ERR, "cannot reserve a memzone: the name is NULL");
		return -EINVAL;
	}
	write_begin(st);
	rc = reserve_locked(st, name, len, socket, flags, align, bound, ret_mz);
	write_end(st);
	return rc;
}

/* Forget the zone @mz describes; *ret_addr gets its memory for the heap. */
static int
free_locked(struct eal_memzone_state *st, const struct eal_memzone *mz, void **ret_addr)
{
	uintptr_t base = (uintptr_t)st->zones->data, p = (uintptr_t)mz;
	size_t size = (size_t)st->zones->len * st->zones->elt_sz;
	struct eal_memzone *zone;
	uint32_t idx;
	int rc;

	if (p < base || p - base >= size || (p - base) % st->zones->elt_sz != 0) {
		EAL_LOG(ERR, "cannot free memzone %p: not a memzone descriptor", (const void *)mz);
		return -EINVAL;
	}
	idx = (uint32_t)((p - base) / st->zones->elt_sz);
	if (eal_fbarray_is_used(st->zones, idx) != 1) {
		EAL_LOG(ERR, "cannot free memzone %p: it is not reserved (freed twice?)",
			(const void *)mz);
		return -EINVAL;
	}
	zone = zone_at(st->zones, idx);
	rc = eal__memzone_index_remove(st->index, eal__memzone_name_hash(zone->name), idx);
	EAL_ASSERT_INTERNAL(rc == 0);
	(void)rc;
	EAL_TEST_POINT("memzone-unindexed"); /* in the table, not in the index */
	*ret_addr = zone->addr;
	EAL_LOG(DEBUG, "memzone '%s' freed: %zu bytes at %p", zone->name, zone->len, zone->addr);
	/* Bit first, then the contents: a repair after a crash in between
	 * sees a free slot with stale contents, never a used one with a
	 * wiped name. */
	(void)eal_fbarray_set_free(st->zones, idx);
	memset(zone, 0, sizeof(*zone));
	return 0;
}

int
eal__memzone_free(struct eal_memzone_state *st, const struct eal_memzone *mz)
{
	void *addr = NULL;
	int rc;

	if (mz == NULL) {
		EAL_LOG(ERR, "cannot free a memzone: the descriptor is NULL");
		return -EINVAL;
	}
	write_begin(st);
	rc = free_locked(st, mz, &addr);
	write_end(st);
	if (rc < 0)
		return rc;
	/* Killed here: the zone is gone, its block stays allocated. */
	EAL_TEST_POINT("memzone-before-heap-free");
	/* After the memzone lock is released, as DPDK: giving memory back
	 * may unmap pages and wait until every process has unmapped them;
	 * lookups in all processes need not wait for that. */
	rc = st->heap->free(addr);
	if (rc < 0)
		EAL_LOG(WARNING, "memzone memory at %p could not go back to the heap (%s); it stays allocated, ignoring",
			addr, eal_strerror(rc));
	return 0;
}

/* Walks this thread is in (lookups and walks from a walk's callback run
 * under its read hold). */
static __thread unsigned int walk_depth;

int
eal__memzone_lookup(struct eal_memzone_state *st, const char *name,
		    const struct eal_memzone **ret_mz)
{
	uint64_t hash;
	uint32_t idx;
	int rc;

	if (name == NULL) {
		EAL_LOG(ERR, "cannot look up a memzone: the name is NULL");
		return -EINVAL;
	}
	/* No descriptor holds a name this long. */
	if (strnlen(name, EAL_MEMZONE_NAMESIZE) > MZ_NAME_MAX)
		return -ENOENT;
	/* Hashed before locking: the read hold covers only the probe, which
	 * reads one or two cache lines of the index and one descriptor. */
	hash = eal__memzone_name_hash(name);
	/* Inside a walk's callback this thread holds the read lock already:
	 * taking it again could wait behind a writer that waits for the walk
	 * (the lock lets a waiting writer stop new readers). */
	if (walk_depth == 0)
		eal_rwlock_read_lock(st->lock);
	rc = find_locked(st, name, hash, &idx);
	if (rc == 0)
		*ret_mz = zone_at(st->zones, idx);
	if (walk_depth == 0)
		eal_rwlock_read_unlock(st->lock);
	return rc;
}

/* The callback runs under the read hold (DPDK's contract): it may look
 * zones up, since read holds nest, but a reserve or free from it would
 * wait for itself. */
void
eal__memzone_walk(struct eal_memzone_state *st, void (*func)(const struct eal_memzone *, void *),
		  void *arg)
{
	if (func == NULL)
		return;
	if (walk_depth == 0)
		eal_rwlock_read_lock(st->lock);
	walk_depth++;
	for (int i = next_used(st->zones, 0); i >= 0; i = next_used(st->zones, (unsigned int)i + 1))
		func(zone_at(st->zones, (uint32_t)i), arg);
	walk_depth--;
	if (walk_depth == 0)
		eal_rwlock_read_unlock(st->lock);
}

static void
dump_run(FILE *f, uintptr_t va, eal_iova_t iova, size_t len, uint64_t page_sz)
{
	fprintf(f, "  addr: %p iova: 0x%" PRIx64 " len: 0x%zx pagesz: 0x%" PRIx64 "\n",
		(void *)va, iova, len, page_sz);
}

/* The pages under @mz, one line per run contiguous in IOVA (DPDK prints
 * one line per page: 262144 lines for 1 GiB of 4 KiB pages). */
static void
dump_pages(const struct eal_memzone_state *st, const struct eal_memzone *mz, FILE *f)
{
	uintptr_t start = (uintptr_t)mz->addr, end = start + mz->len, page, run_va;
	uint64_t pg = mz->hugepage_sz;
	eal_iova_t run_iova;
	size_t run_len;

	fprintf(f, "physical segments used:\n");
	if (mz->len == 0)
		return;
	if (pg == 0 || (pg & (pg - 1)) != 0)
		pg = mz->len; /* unknown page size: the zone as one block */
	run_va = EAL_ALIGN_FLOOR(start, (uintptr_t)pg);
	run_iova = zone_iova(st, (const void *)run_va);
	run_len = (size_t)pg;
	for (page = run_va + pg; page < end; page += pg) {
		eal_iova_t iova = zone_iova(st, (const void *)page);

		if (run_iova != EAL_BAD_IOVA && iova == run_iova + run_len) {
			run_len += (size_t)pg;
			continue;
		}
		dump_run(f, run_va, run_iova, run_len, mz->hugepage_sz);
		run_va = page;
		run_iova = iova;
		run_len = (size_t)pg;
	}
	dump_run(f, run_va, run_iova, run_len, mz->hugepage_sz);
}

void
eal__memzone_dump(struct eal_memzone_state *st, FILE *f)
{
	uint64_t total = 0;

	/* Printed under the read hold, as DPDK: a slow stream delays
	 * writers, but the listing is one consistent snapshot. */
	eal_rwlock_read_lock(st->lock);
	for (int i = next_used(st->zones, 0); i >= 0; i = next_used(st->zones, (unsigned int)i + 1)) {
		const struct eal_memzone *mz = zone_at(st->zones, (uint32_t)i);

		fprintf(f, "Zone %d: name:<%s>, len:0x%zx, virt:%p, socket_id:%" PRId32 ", flags:%" PRIx32 "\n",
			i, mz->name, mz->len, mz->addr, mz->socket_id, mz->flags);
		dump_pages(st, mz, f);
		total += mz->len;
	}
	eal_rwlock_read_unlock(st->lock);
	fprintf(f, "Total Memory Zones size = %" PRIu64 "M\n", total >> 20);
}

/* ------------------------------------------------------------------------
 * The process's memzones, in the shared config
 */

static const struct eal_memzone_heap malloc_heap = {
	.alloc = eal__malloc_heap_alloc_zone,
	.free = eal__malloc_heap_free_zone,
	.biggest_free = eal__malloc_heap_biggest_free,
	.virt2iova = eal_mem_virt2iova,
};

static const struct eal_memzone_heap *process_heap = &malloc_heap; /* tests may swap it */
/*
 * Whether this process created or attached mcfg->memzones. Process-local
 * on purpose: a secondary sees the primary's table in the shared config
 * (data set, index filled) before it has mapped the table itself, so
 * nothing in the config can tell whether this process may use it.
 */
static bool zones_ready;

/* Built on every call (four pointers and a flag): no copy of shared
 * state is kept that could go stale. */
static void
state_of(struct eal_mem_config *mcfg, struct eal_memzone_state *st)
{
	st->zones = &mcfg->memzones;
	st->index = &mcfg->memzone_index;
	st->lock = &mcfg->mlock;
	st->heap = process_heap;
	st->no_huge = mcfg->no_huge != 0;
}

void
eal__memzone_set_heap(const struct eal_memzone_heap *heap)
{
	process_heap = heap != NULL ? heap : &malloc_heap;
}

int
eal__memzone_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	struct eal_memzone_state st;
	int rc;

	/* Run once per eal_init(): a second create would find the table's
	 * file in use (EBUSY), a second attach the range mapped (EEXIST). */
	if (zones_ready)
		return -EALREADY;
	state_of(mcfg, &st);
	if (cfg->process_type == EAL_PROC_PRIMARY)
		rc = eal__memzone_state_create(&st, EAL_MAX_MEMZONE);
	else
		rc = eal__memzone_state_attach(&st);
	if (rc < 0)
		return rc;
	zones_ready = true;
	return 0;
}

void
eal__memzone_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	struct eal_memzone_state st;

	if (!zones_ready)
		return;
	zones_ready = false;
	state_of(mcfg, &st);
	eal__memzone_state_release(&st, cfg->process_type == EAL_PROC_PRIMARY);
}

/* The state of this process's memzones, or -ENODEV before init. Only
 * these public wrappers reach the config through eal__mcfg() (R8). */
static int
process_state(struct eal_memzone_state *st)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	if (mcfg == NULL || !zones_ready)
		return -ENODEV;
	state_of(mcfg, st);
	return 0;
}

static const struct eal_memzone *
reserve_public(const char *name, size_t len, int socket_id, unsigned int flags,
	       unsigned int align, unsigned int bound)
{
	const struct eal_memzone *mz = NULL;
	struct eal_memzone_state st;
	int rc;

	rc = process_state(&st);
	if (rc < 0) {
		const struct shown_name sn = shown(name != NULL ? name : "(null)");

		EAL_LOG(ERR, "cannot reserve memzone '%s': libeal is not initialised (call eal_init() first)",
			sn.s);
	} else {
		rc = eal__memzone_reserve(&st, name, len, socket_id, flags, align, bound, &mz);
	}
	if (rc < 0) {
		return eal__fail_null(rc);
	}
	return mz;
}

EAL_API const struct eal_memzone *
eal_memzone_reserve(const char *name, size_t len, int socket_id, unsigned int flags)
{
	return reserve_public(name, len, socket_id, flags, EAL_CACHE_LINE_SIZE, 0);
}

EAL_API const struct eal_memzone *
eal_memzone_reserve_aligned(const char *name, size_t len, int socket_id, unsigned int flags,
			    unsigned int align)
{
	return reserve_public(name, len, socket_id, flags, align, 0);
}

EAL_API const struct eal_memzone *
eal_memzone_reserve_bounded(const char *name, size_t len, int socket_id, unsigned int flags,
			    unsigned int align, unsigned int bound)
{
	return reserve_public(name, len, socket_id, flags, align, bound);
}

/* DPDK returns -EINVAL here and leaves rte_errno alone; we return the same
 * and also set eal_errno, so code written either way works. */
EAL_API int
eal_memzone_free(const struct eal_memzone *mz)
{
	struct eal_memzone_state st;
	int rc;

	rc = process_state(&st);
	if (rc < 0)
		EAL_LOG(ERR, "cannot free memzone %p: libeal is not initialised", (const void *)mz);
	else
		rc = eal__memzone_free(&st, mz);
	if (rc < 0)
		(void)eal__fail(rc);
	return rc;
}

EAL_API const struct eal_memzone *
eal_memzone_lookup(const char *name)
{
	const struct eal_memzone *mz = NULL;
	struct eal_memzone_state st;
	int rc;

	rc = process_state(&st);
	if (rc < 0) {
		const struct shown_name sn = shown(name != NULL ? name : "(null)");

		EAL_LOG(ERR, "cannot look up memzone '%s': libeal is not initialised", sn.s);
	} else {
		rc = eal__memzone_lookup(&st, name, &mz);
	}
	/* Not found is an answer, not an error: eal_errno stays (DPDK). */
	if (rc < 0 && rc != -ENOENT)
		(void)eal__fail(rc);
	return mz;
}

EAL_API void
eal_memzone_walk(void (*func)(const struct eal_memzone *mz, void *arg), void *arg)
{
	struct eal_memzone_state st;

	if (process_state(&st) == 0)
		eal__memzone_walk(&st, func, arg);
}

EAL_API void
eal_memzone_dump(FILE *f)
{
	struct eal_memzone_state st;

	if (process_state(&st) == 0)
		eal__memzone_dump(&st, f != NULL ? f : stdout);
}
