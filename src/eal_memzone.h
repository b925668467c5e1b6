/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal memzone structures (src/eal_memzone.c): the name index that
 * lives in the shared config, and the state the memzone layer works on.
 *
 * This header has the same file name as the public include/eal/eal_memzone.h:
 * a file in src/ that writes #include "eal_memzone.h" gets this one (the
 * directory of the including file is searched first), which includes the
 * public one by its "eal/" path. Files outside src/ reach this one through
 * eal_private.h.
 */
#ifndef EAL_MEMZONE_INTERNAL_H
#define EAL_MEMZONE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_fbarray.h"
#include "eal_lock.h"
#include "eal/eal_memzone.h"

#ifndef EAL_MAX_MEMZONE
#define EAL_MAX_MEMZONE 2560
#endif

/* Smallest power of two >= x (x >= 1, below 2^31), as a constant expression. */
#define EAL__P2_SMEAR(x) ((x) | ((x) >> 1) | ((x) >> 2) | ((x) >> 4) | ((x) >> 8) | ((x) >> 16))
#define EAL__POW2_CEIL(x) (EAL__P2_SMEAR((uint32_t)(x) - 1u) + 1u)

/*
 * Slots of the name index: a power of two of at least twice the number of
 * zones, so that the table is never more than half full and an open
 * addressing probe stays short (about 1.5 slots for a hit and 2.5 for a
 * miss at that load, in expectation). 8192 slots (64 KiB) by default.
 */
#define EAL_MEMZONE_INDEX_SLOTS EAL__POW2_CEIL(2u * (uint32_t)EAL_MAX_MEMZONE)

_Static_assert(EAL_MAX_MEMZONE >= 1 && EAL_MAX_MEMZONE <= (1 << 30), "max_memzone out of range");

/*
 * One slot of the index: @ref is 0 when the slot is empty, else the
 * memzone's fbarray index + 1; @hash is the low 32 bits of the name's hash.
 * Keeping the hash beside the reference lets a probe skip other names
 * without reading their descriptors, and lets a deletion find each
 * entry's home slot without hashing names again. Eight slots share a
 * cache line.
 */
struct eal_memzone_index_slot {
	uint32_t ref;
	uint32_t hash;
};

/*
 * The name index (in struct eal_mem_config, owner eal_memzone.c):
 * open addressing with linear probing over slot[0 .. mask], an entry whose
 * hash is h lives in the first slot at or after its home h & mask (wrapping)
 * that was free when it was inserted. Deletion shifts the entries that
 * follow back towards their homes, so there are no tombstones and a probe
 * never passes more entries than a fresh table of the same content would
 * have: lookups do not slow down after many reserve/free cycles.
 *
 * Invariant: for every entry at slot s with home h, no slot in the cyclic
 * range [h, s) is empty; count is the number of non-empty slots.
 */
struct eal_memzone_index {
	uint32_t mask;    /* slots in use - 1 (a power of two - 1) */
	uint32_t count;   /* entries */
	/*
	 * Odd while a writer changes the zone table or the index (under the
	 * memzone lock, eal_memzone.c). A process killed in between leaves
	 * it odd: the next writer rebuilds the index from the zone table,
	 * and readers meanwhile search the zone table itself.
	 */
	uint32_t gen;
	uint32_t pad;
	struct eal_memzone_index_slot slot[EAL_MEMZONE_INDEX_SLOTS];
};

/*
 * Name comparison for the index functions: true when the entry @idx (an
 * fbarray index, or whatever numbering the caller uses) is named @name.
 */
typedef bool (*eal__memzone_name_eq_t)(const void *ctx, uint32_t idx, const char *name);

/*
 * Where reserve and free get memory. The memzone layer of a process uses
 * the malloc heap's functions (eal_malloc_heap.c) and eal_mem_virt2iova();
 * unit tests give their own. Same contracts as the heap's functions.
 */
struct eal_memzone_heap {
	int (*alloc)(int socket, size_t size, size_t align, size_t bound, unsigned int flags,
		     void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz);
	int (*free)(void *ptr);
	int (*biggest_free)(int socket, unsigned int flags, size_t align, size_t *ret_len);
	eal_iova_t (*virt2iova)(const void *addr); /* EAL_BAD_IOVA when unknown */
};

/*
 * What the memzone layer works on: pointers to the shared zone table,
 * index and lock (inside struct eal_mem_config for the process-wide
 * memzones, anywhere for tests), plus per-process settings. Cheap to
 * build on every call.
 */
struct eal_memzone_state {
	struct eal_fbarray *zones;            /* fbarray of struct eal_memzone */
	struct eal_memzone_index *index;      /* name -> zones index */
	eal_rwlock_t *lock;                   /* the memzone lock (mcfg->mlock) */
	const struct eal_memzone_heap *heap;
	bool no_huge;                         /* serve nodes as EAL_SOCKET_ID_ANY */
};

#endif /* EAL_MEMZONE_INTERNAL_H */
