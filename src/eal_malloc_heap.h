/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared heap's data structures: struct eal_malloc_heap (one per heap,
 * inside struct eal_mem_config) and the 64-byte headers that live inside
 * the memory it manages. Only src/eal_malloc_elem.c writes either; other
 * files call the eal__heap_* functions listed in src/eal_private.h.
 *
 * Every pointer below is a plain pointer: each process maps the config and
 * the heap memory at the same virtual addresses, so no per-process state
 * exists and nothing is allocated with malloc().
 *
 * Words used here:
 * - region: a range handed to eal__heap_add_memory() (whole pages,
 *   usually). It starts with a region header and ends with an end
 *   sentinel, so blocks never merge across regions, even when two regions
 *   are adjacent in VA.
 * - block: the unit the heap splits and merges; a header followed by its
 *   payload, size a multiple of 64. A block is free or busy (an
 *   allocation). A heap element (eal_memcfg.h glossary) is a block.
 *
 * Layout of a region of len bytes at start (64-aligned):
 *
 *   start: REGION header | block | block | ... | block | END header :start+len
 *
 * and of a busy block (data is what the caller gets):
 *
 *   header (64) | data: usable bytes | trailer word | slack to the next 64
 *
 * The trailer word after the data holds trailer_value(its address). When
 * the usable size is a multiple of 64, the trailer word is the first word
 * (guard) of the next header, which always holds that same value: every
 * header's guard is the trailer of whatever comes before it. An overflow
 * past the usable size therefore always hits a word that free and validate
 * check, at no cost in memory.
 */
#ifndef EAL_MALLOC_HEAP_H
#define EAL_MALLOC_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "eal_lock.h"

/* Heap names, as DPDK's RTE_HEAP_NAME_MAX_LEN. */
#define EAL__HEAP_NAME_LEN 32

/* Size of every header, and the granule of block sizes and payloads. */
#define EAL__HEAP_HDR_SIZE 64
#define EAL__HEAP_UNIT_SHIFT 6

/*
 * Size classes (two-level segregated fit). A block of u = size / 64 units
 * is in class (fl, sl):
 *   u < 32:             fl = 0,      sl = u             (one class per size)
 *   2^k <= u < 2^(k+1): fl = k - 4,  sl = the 5 bits after the top one
 * so each power of two is divided into 32 classes of equal width and a
 * class spans at most 1/32 of its lower bound. Blocks up to
 * 2^EAL__HEAP_MAX_SHIFT bytes need FL_COUNT first-level classes.
 */
#define EAL__HEAP_SL_SHIFT 5
#define EAL__HEAP_SL_COUNT (1u << EAL__HEAP_SL_SHIFT)
#define EAL__HEAP_MAX_SHIFT 47
#define EAL__HEAP_FL_COUNT (EAL__HEAP_MAX_SHIFT - EAL__HEAP_UNIT_SHIFT - EAL__HEAP_SL_SHIFT + 1)
/* Largest region, hence largest block (x86_64 user VA is 2^47 anyway). */
#define EAL__HEAP_MAX_REGION ((uint64_t)1 << EAL__HEAP_MAX_SHIFT)
/* Smallest region: header, one 128-byte block, end sentinel. */
#define EAL__HEAP_MIN_REGION (4 * EAL__HEAP_HDR_SIZE)

/*
 * A header: region header, block header or end sentinel, told apart by
 * magic, which is a state constant XORed with the header's own address
 * (so a copied or stale header does not pass). check is a hash of magic,
 * heap, prev, size and, for busy blocks, u.busy: a header whose check does
 * not match is corrupt and is never followed or written.
 */
struct eal_malloc_elem {
	uint64_t guard;               /* trailer word of what precedes this header */
	uint64_t magic;               /* state ^ address */
	struct eal_malloc_heap *heap; /* owning heap */
	/* Block: the block physically before it in the region, NULL for the
	 * first. End sentinel: the last block. Region header: NULL. */
	struct eal_malloc_elem *prev;
	uint64_t size; /* bytes, header included; 64 for the sentinels */
	union {
		struct {
			struct eal_malloc_elem *next; /* free list of its class */
			struct eal_malloc_elem *prev;
		} free;
		struct {
			uint64_t usable; /* bytes the caller may use (8-byte multiple) */
			uint64_t unused;
		} busy;
		struct {
			struct eal_malloc_elem *next; /* the heap's list of regions */
			struct eal_malloc_elem *prev;
		} region;
	} u;
	uint64_t check; /* hash of the fields above (not the list links) */
};

_Static_assert(sizeof(struct eal_malloc_elem) == EAL__HEAP_HDR_SIZE, "header is one cache line");

/*
 * A heap. Fixed size; lives in shared memory (the config), zero-filled
 * memory is an unlocked, uninitialised heap until eal__heap_init().
 * Everything below `lock` changes only under it (eal__heap_lock()).
 */
struct eal_malloc_heap {
	eal_rwlock_t lock; /* used as a mutex: write side only */
	uint64_t magic;    /* set by eal__heap_init() */
	char name[EAL__HEAP_NAME_LEN];
	int32_t socket_id;
	uint32_t n_regions;
	struct eal_malloc_elem *regions; /* region headers, doubly linked, any order */

	/* statistics, kept exact by every operation */
	uint64_t total_size;  /* sum of region lengths */
	uint64_t free_size;   /* sum of free block sizes, headers included */
	uint64_t alloc_count; /* busy blocks */
	uint64_t free_count;  /* free blocks */

	/* bit fl of fl_bitmap: sl_bitmap[fl] != 0; bit sl of sl_bitmap[fl]:
	 * free_lists[fl][sl] != NULL */
	uint64_t fl_bitmap;
	uint32_t sl_bitmap[EAL__HEAP_FL_COUNT];
	struct eal_malloc_elem *free_lists[EAL__HEAP_FL_COUNT][EAL__HEAP_SL_COUNT];

	/*
	 * Crash recovery (eal_malloc_elem.c, "Surviving a dead holder").
	 * The block chain of each region is the truth; free lists, bitmaps,
	 * statistics and prev links are rebuilt from it. What a holder killed
	 * mid-operation could leave half-done is written here first and
	 * redone by the next holder:
	 * - pending_at/pending: the header being written (0: none);
	 * - reshape: a change of the region list (a region added, or a free
	 *   block carved into a hole of pages about to be released).
	 */
	uint64_t pending_at;
	struct eal_malloc_elem pending;
	struct eal__heap_reshape {
		uint64_t active;   /* 0: none; else the kind (eal_malloc_elem.c) */
		uint64_t block;    /* the free block carved, or the region added */
		uint64_t size;     /* its size before the carve */
		uint64_t prev;     /* its prev */
		uint64_t h0, h1;   /* the hole */
		uint64_t region;   /* the region added; or the carved block's, when its head goes */
		uint64_t region_next; /* that region's successor on the list */
		uint32_t left_gone, right_gone;
	} reshape;
	/* Set when a dead holder left the heap beyond repair: the heap then
	 * refuses every operation (-EUCLEAN) rather than use a broken chain. */
	uint32_t broken;
};

/* Heap statistics, with the field names of DPDK's
 * struct rte_malloc_socket_stats. Sizes include the block headers. */
struct eal__heap_stats {
	size_t heap_totalsz_bytes; /* sum of region lengths */
	size_t heap_freesz_bytes;  /* sum of free block sizes */
	size_t greatest_free_size; /* largest free block, 0 when none */
	unsigned int free_count;   /* free blocks */
	unsigned int alloc_count;  /* live allocations */
	size_t heap_allocsz_bytes; /* total - free (allocations, headers, sentinels) */
};

#endif /* EAL_MALLOC_HEAP_H */
