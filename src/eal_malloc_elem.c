/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HEAP ELEMENTS: the O(1) core of the shared heap, a two-level segregated
 * fit allocator (TLSF) over memory regions handed to it page run by page
 * run. Structures and layout: src/eal_malloc_heap.h.
 *
 * Allocation rounds the request up to the next size-class boundary, so
 * that every block of the first non-empty class at or above it fits, and
 * finds that class with two bit scans; free merges with the physical
 * neighbours through the prev link and the size, then pushes the result on
 * its class list. Neither walks anything. An allocation takes the top of
 * the block found, so the rest usually stays on its list untouched;
 * alignment and bounds are handled by searching for a block large enough
 * for the worst placement, and what is left below (and above, when the
 * placement leaves a gap) stays free.
 *
 * Every header is sealed with a hash; headers are checked before they are
 * trusted, so a bad pointer, a double free or a buffer overflow is
 * reported (one ERR line) and nothing is written.
 *
 * Owns struct eal_malloc_heap (one per heap in the shared config; the heap
 * layer in eal_malloc_heap.c places and grows them). Locks: every function
 * but eal__heap_init() (no user yet) and eal__heap_of() (two words of a
 * live allocation's header, which never change while it lives) expects
 * the caller to hold the heap's lock (eal__heap_lock()): even a live
 * block's header is rewritten when a neighbour changes.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_HEAP

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "eal_malloc_heap.h"
#include "eal_private.h"

#define HDR ((uint64_t)EAL__HEAP_HDR_SIZE)
#define SL_SHIFT EAL__HEAP_SL_SHIFT
#define SL_COUNT EAL__HEAP_SL_COUNT
#define FL_COUNT EAL__HEAP_FL_COUNT

/* A tail shorter than this stays in the busy block as slack: a 64-byte
 * free block could never be allocated and would only clutter the lists. */
#define MIN_SPLIT (2 * HDR)

/* "EALHEAP1": eal__heap_init() has run. */
#define HEAP_MAGIC 0x31504145484c4145ull

/* Header states, XORed with the header's address into magic. Far apart
 * in every byte, so that no small corruption turns one into another. */
#define ST_FREE 0x9e7d2c3a5b1f4e01ull
#define ST_BUSY 0x5a17c0debeefa202ull
#define ST_END 0x3c6ef372fe94f803ull
#define ST_REGION 0xa54ff53a5f1d3604ull
/* A header merged into its neighbour: still recognisable, so that freeing
 * the old pointer again is reported as a double free. */
#define ST_DEAD 0x510e527fade68205ull

#define TRAILER_KEY 0x9b05688c2b3e6c1full

typedef struct eal_malloc_elem elem_t;

/* ------------------------------------------------------------------------
 * Headers
 */

static inline elem_t *
elem_at(uintptr_t addr)
{
	return (elem_t *)addr;
}

static inline uintptr_t
elem_addr(const elem_t *e)
{
	return (uintptr_t)e;
}

static inline elem_t *
elem_next(const elem_t *e)
{
	return elem_at(elem_addr(e) + e->size);
}

static inline void *
elem_data(const elem_t *e)
{
	return (void *)(elem_addr(e) + HDR);
}

static inline bool
elem_is(const elem_t *e, uint64_t state)
{
	return e->magic == (state ^ elem_addr(e));
}

static inline uint64_t
trailer_value(uintptr_t addr)
{
	return TRAILER_KEY ^ addr;
}

/* The seal: covers everything a walk or a merge trusts. The free-list and
 * region-list links are left out (they change on every list operation);
 * validate checks them against the lists instead. Each field pair goes
 * through its own multiplication by an odd constant (a bijection), so any
 * change to one field changes the seal; the products are independent, so
 * sealing costs a few cycles on every free and allocation. */
static inline uint64_t
elem_hash_at(const elem_t *e, uintptr_t addr)
{
	uint64_t h = ((e->magic + (uintptr_t)e->heap) * 0xff51afd7ed558ccdull) ^
		     ((e->size + ((uint64_t)(uintptr_t)e->prev << 1)) * 0xc4ceb9fe1a85ec53ull);

	if (e->magic == (ST_BUSY ^ addr))
		h ^= (e->u.busy.usable + (e->u.busy.unused << 1)) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The seal of header e, at the address it is (or will be) written to. */
static inline bool
elem_sealed(const elem_t *e)
{
	return e->check == elem_hash_at(e, elem_addr(e));
}

/*
 * Write the header h at addr, sealed. A header is several words: a holder
 * killed half-way through would leave one that is neither old nor new, so
 * h goes to heap->pending first and the next holder redoes the copy
 * (heap_repair). Only the seal-covered words matter there; list links are
 * rebuilt. The fences order the three steps for the next holder, which
 * may run on another CPU (a compiler barrier only, on x86).
 */
static elem_t *
elem_commit(struct eal_malloc_heap *heap, uintptr_t addr, elem_t *h)
{
	elem_t *e = elem_at(addr);

	h->check = elem_hash_at(h, addr);
	heap->pending = *h;
	__atomic_store_n(&heap->pending_at, addr, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(e, h, HDR / 2);
	EAL_TEST_POINT("heap-header-half");
	memcpy((char *)e + HDR / 2, (const char *)h + HDR / 2, HDR / 2);
	__atomic_store_n(&heap->pending_at, 0, __ATOMIC_RELEASE);
	return e;
}

/*
 * Write the header h at addr, sealed, straight: only for a header inside
 * a free block, past its header, which no walk of the chain reaches until
 * a later elem_commit() (the block shrunk over it) links it. Torn, it is
 * never seen; it saves the pending record on the hot path of allocation.
 */
static elem_t *
elem_commit_unlinked(uintptr_t addr, elem_t *h)
{
	elem_t *e = elem_at(addr);

	h->check = elem_hash_at(h, addr);
	memcpy(e, h, HDR);
	return e;
}

/* A new header of state at addr (other state-specific words zero; a busy
 * block's usable size), written through elem_commit, or
 * elem_commit_unlinked when !linked. */
static inline elem_t *
elem_write_at(struct eal_malloc_heap *heap, uintptr_t addr, uint64_t state, elem_t *prev,
	      uint64_t size, uint64_t usable, bool linked)
{
	elem_t h = {
		.guard = trailer_value(addr),
		.magic = state ^ addr,
		.heap = heap,
		.prev = prev,
		.size = size,
	};

	if (state == ST_BUSY)
		h.u.busy.usable = usable;
	return linked ? elem_commit(heap, addr, &h) : elem_commit_unlinked(addr, &h);
}

static inline elem_t *
elem_write(struct eal_malloc_heap *heap, uintptr_t addr, uint64_t state, elem_t *prev,
	   uint64_t size)
{
	return elem_write_at(heap, addr, state, prev, size, 0, true);
}

/* Rewrite e's size and prev (a busy block's usable size too: usable 0
 * keeps it), links untouched. */
static inline void
elem_resize(struct eal_malloc_heap *heap, elem_t *e, elem_t *prev, uint64_t size, uint64_t usable)
{
	elem_t h = *e;

	h.prev = prev;
	h.size = size;
	if (usable != 0)
		h.u.busy.usable = usable;
	(void)elem_commit(heap, elem_addr(e), &h);
}

/* A header absorbed by a merge stops being one. The guard word stays: it
 * may be the trailer word of the busy block before. */
static inline void
elem_kill(elem_t *e)
{
	e->magic = ST_DEAD ^ elem_addr(e);
	e->check = 0;
}

/* Whether e is an intact header of heap in one of the states a block's
 * neighbour can be in. */
static inline bool
neighbour_ok(const elem_t *e, const struct eal_malloc_heap *heap)
{
	return (elem_is(e, ST_BUSY) || elem_is(e, ST_FREE) || elem_is(e, ST_END)) &&
	       e->heap == heap && elem_sealed(e);
}

static inline bool
trailer_ok(const elem_t *e)
{
	uintptr_t t = elem_addr(e) + HDR + e->u.busy.usable;

	return *(const uint64_t *)t == trailer_value(t);
}

/* A busy block of size bytes at addr with usable bytes: its trailer
 * first, then its header in one elem_commit (elem_commit_unlinked when
 * !linked, see there). */
static elem_t *
busy_write(struct eal_malloc_heap *heap, uintptr_t addr, elem_t *prev, uint64_t size,
	   uint64_t usable, bool linked)
{
	uintptr_t t = addr + HDR + usable;

	*(uint64_t *)t = trailer_value(t);
	return elem_write_at(heap, addr, ST_BUSY, prev, size, usable, linked);
}

/* Busy block e now size bytes with usable bytes. Growing, the new
 * trailer may land on the header after e, so e first takes the space
 * with its old usable size (its trailer stays valid), then that header
 * (absorbed) is marked dead, then the new trailer is written, then the
 * new usable size: every step leaves a consistent chain. */
static inline void
resize_busy(struct eal_malloc_heap *heap, elem_t *e, uint64_t size, uint64_t usable,
	    elem_t *absorbed)
{
	uintptr_t t = elem_addr(e) + HDR + usable;

	if (size > e->size) {
		elem_resize(heap, e, e->prev, size, 0);
		EAL_TEST_POINT("heap-realloc-grown");
	}
	if (absorbed != NULL)
		elem_kill(absorbed); /* may share a word with the new trailer */
	*(uint64_t *)t = trailer_value(t);
	elem_resize(heap, e, e->prev, size, usable);
}

/* Block size for a payload of usable bytes. */
static inline uint64_t
busy_size(uint64_t usable)
{
	return EAL_ALIGN_CEIL(HDR + usable, HDR);
}

/* ------------------------------------------------------------------------
 * Size classes and free lists
 */

/* The class holding blocks of size bytes (a multiple of 64). */
static inline void
size_class(uint64_t size, unsigned int *ret_fl, unsigned int *ret_sl)
{
	uint64_t u = size >> EAL__HEAP_UNIT_SHIFT;
	unsigned int k;

	if (u < SL_COUNT) {
		*ret_fl = 0;
		*ret_sl = (unsigned int)u;
		return;
	}
	k = 63u - (unsigned int)__builtin_clzll(u);
	*ret_fl = k - SL_SHIFT + 1;
	*ret_sl = (unsigned int)(u >> (k - SL_SHIFT)) - SL_COUNT;
}

/* The lowest class whose every block holds size bytes: size rounded up to
 * the next class boundary. */
static inline void
search_class(uint64_t size, unsigned int *ret_fl, unsigned int *ret_sl)
{
	uint64_t u = size >> EAL__HEAP_UNIT_SHIFT;

	if (u >= SL_COUNT) {
		unsigned int k = 63u - (unsigned int)__builtin_clzll(u);

		u += ((uint64_t)1 << (k - SL_SHIFT)) - 1;
	}
	size_class(u << EAL__HEAP_UNIT_SHIFT, ret_fl, ret_sl);
}

/* Head of the first non-empty list at class (fl, sl) or above. */
static inline elem_t *
find_block(const struct eal_malloc_heap *heap, unsigned int fl, unsigned int sl)
{
	uint32_t slmap;
	uint64_t flmap;

	if (fl >= FL_COUNT)
		return NULL;
	slmap = heap->sl_bitmap[fl] & (~0u << sl);
	if (slmap == 0) {
		flmap = heap->fl_bitmap & (~0ull << (fl + 1));
		if (flmap == 0)
			return NULL;
		fl = (unsigned int)__builtin_ctzll(flmap);
		slmap = heap->sl_bitmap[fl];
	}
	return heap->free_lists[fl][__builtin_ctz(slmap)];
}

/* Push a sealed free block on its list; it counts as free from now on. */
static void
free_insert(struct eal_malloc_heap *heap, elem_t *e)
{
	unsigned int fl, sl;
	elem_t *head;

	size_class(e->size, &fl, &sl);
	head = heap->free_lists[fl][sl];
	e->u.free.next = head;
	e->u.free.prev = NULL;
	if (head != NULL)
		head->u.free.prev = e;
	heap->free_lists[fl][sl] = e;
	heap->sl_bitmap[fl] |= 1u << sl;
	heap->fl_bitmap |= 1ull << fl;
	heap->free_size += e->size;
	heap->free_count++;
}

/* Take a block of size bytes off its list, given its links (read before,
 * by the release path, whose block may already be unmapped). */
static void
free_unlink_links(struct eal_malloc_heap *heap, uint64_t size, elem_t *next, elem_t *prev)
{
	unsigned int fl, sl;

	size_class(size, &fl, &sl);
	if (prev != NULL) {
		prev->u.free.next = next;
	} else {
		heap->free_lists[fl][sl] = next;
		if (next == NULL) {
			heap->sl_bitmap[fl] &= ~(1u << sl);
			if (heap->sl_bitmap[fl] == 0)
				heap->fl_bitmap &= ~(1ull << fl);
		}
	}
	if (next != NULL)
		next->u.free.prev = prev;
	heap->free_size -= size;
	heap->free_count--;
}

static inline void
free_unlink(struct eal_malloc_heap *heap, elem_t *e)
{
	free_unlink_links(heap, e->size, e->u.free.next, e->u.free.prev);
}

/* Write a free block and list it. */
static elem_t *
free_block_make(struct eal_malloc_heap *heap, uintptr_t addr, elem_t *prev, uint64_t size)
{
	elem_t *e = elem_write(heap, addr, ST_FREE, prev, size);

	free_insert(heap, e);
	return e;
}

/*
 * A prev link changes alone, in two one-word writes and without the
 * pending record: the seal for the new link first, then the link. A
 * holder killed between the two leaves a header sealed for the prev the
 * chain says it has, which region_repair() recognises (prev_link_torn)
 * and completes. Frees and allocations change two links each: this halves
 * their header writes.
 */
static inline void
set_prev(struct eal_malloc_heap *heap, elem_t *e, elem_t *prev)
{
	elem_t h = *e;

	(void)heap;
	h.prev = prev;
	__atomic_store_n(&e->check, elem_hash_at(&h, elem_addr(e)), __ATOMIC_RELAXED);
	EAL_TEST_POINT("heap-prev-half");
	__atomic_store_n(&e->prev, prev, __ATOMIC_RELEASE);
}

/* Whether e is sound but for a set_prev() to @prev cut short (its seal
 * is for @prev already); then finishes it. */
static bool
prev_link_torn(elem_t *e, const struct eal_malloc_heap *heap, elem_t *prev)
{
	elem_t h = *e;

	if (!(elem_is(e, ST_BUSY) || elem_is(e, ST_FREE) || elem_is(e, ST_END)) || e->heap != heap)
		return false;
	h.prev = prev;
	if (e->check != elem_hash_at(&h, elem_addr(e)))
		return false;
	e->prev = prev;
	return true;
}

/* ------------------------------------------------------------------------
 * The list of regions
 */

static void
region_link(struct eal_malloc_heap *heap, elem_t *r)
{
	r->u.region.prev = NULL;
	r->u.region.next = heap->regions;
	if (heap->regions != NULL)
		heap->regions->u.region.prev = r;
	heap->regions = r;
	heap->n_regions++;
}

/* Kinds of heap->reshape.active. */
#define RESHAPE_ADD 1   /* link region */
#define RESHAPE_CARVE 2 /* carve the hole [h0, h1) out of block (carve_reshape) */

static void carve_reshape(struct eal_malloc_heap *heap, const struct eal__heap_reshape *rs);

static void
reshape_begin(struct eal_malloc_heap *heap, const struct eal__heap_reshape *rs)
{
	struct eal__heap_reshape r = *rs;
	uint64_t kind = r.active;

	r.active = 0;
	heap->reshape = r;
	__atomic_store_n(&heap->reshape.active, kind, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
reshape_end(struct eal_malloc_heap *heap)
{
	__atomic_store_n(&heap->reshape.active, 0, __ATOMIC_RELEASE);
}

/* Whether region header r is on the heap's list (bounded walk). */
static bool
region_listed(const struct eal_malloc_heap *heap, const elem_t *r)
{
	uint32_t n = 0;

	for (const elem_t *x = heap->regions; x != NULL && n <= heap->n_regions + 2;
	     x = x->u.region.next, n++)
		if (x == r)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * The invariant checker (eal__heap_validate, EAL_ASSERT_EXPENSIVE)
 */

static int EAL_FORMAT(3, 4)
bad(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EUCLEAN;
}

struct walk_totals {
	uint64_t total, free_size, n_free, n_busy;
};

/* Walk one region's blocks in address order. Each header is checked
 * before its size is followed, and the walk never goes further than the
 * heap's total size, so a corrupt heap does not send it astray. */
static int
region_check(const struct eal_malloc_heap *heap, const elem_t *r, struct walk_totals *t, char *why,
	     size_t why_len)
{
	const elem_t *x = elem_at(elem_addr(r) + HDR), *prev = NULL;
	uint64_t len = HDR;
	bool prev_free = false;

	for (;;) {
		if (!neighbour_ok(x, heap))
			return bad(why, why_len, "region %p: header at %p is corrupt",
				   (const void *)r, (const void *)x);
		if (x->guard != trailer_value(elem_addr(x)))
			return bad(why, why_len,
				   "region %p: guard word at %p overwritten (an overflow)",
				   (const void *)r, (const void *)x);
		if (x->prev != prev)
			return bad(why, why_len, "region %p: block %p has prev %p, expected %p",
				   (const void *)r, (const void *)x, (const void *)x->prev,
				   (const void *)prev);
		if (elem_is(x, ST_END)) {
			if (x->size != HDR)
				return bad(why, why_len,
					   "region %p: end sentinel %p has size %" PRIu64,
					   (const void *)r, (const void *)x, x->size);
			if (prev == NULL)
				return bad(why, why_len, "region %p has no block", (const void *)r);
			len += HDR;
			break;
		}
		if (x->size < HDR || x->size % HDR != 0 || len > heap->total_size ||
		    x->size > heap->total_size - len)
			return bad(why, why_len, "region %p: block %p has size %" PRIu64,
				   (const void *)r, (const void *)x, x->size);
		if (elem_is(x, ST_FREE)) {
			if (prev_free)
				return bad(why, why_len,
					   "region %p: free blocks %p and %p are adjacent",
					   (const void *)r, (const void *)prev, (const void *)x);
			t->free_size += x->size;
			t->n_free++;
			prev_free = true;
		} else {
			uint64_t usable = x->u.busy.usable;

			if (usable == 0 || usable % 8 != 0 || usable > x->size - HDR)
				return bad(why, why_len,
					   "block %p: usable size %" PRIu64 " in %" PRIu64,
					   (const void *)x, usable, x->size);
			if (!trailer_ok(x))
				return bad(why, why_len,
					   "allocation %p: trailing canary overwritten",
					   elem_data(x));
			t->n_busy++;
			prev_free = false;
		}
		len += x->size;
		prev = x;
		x = elem_next(x);
	}
	t->total += len;
	return 0;
}

/* Whether e, a sealed free block, is a member of its region's chain:
 * what precedes it points at it, and what follows points back. */
static bool
chained(const struct eal_malloc_heap *heap, const elem_t *e)
{
	const elem_t *next = elem_next(e);

	if (e->prev == NULL) {
		const elem_t *r = elem_at(elem_addr(e) - HDR);

		if (!elem_is(r, ST_REGION) || r->heap != heap || !elem_sealed(r))
			return false;
	} else if (!neighbour_ok(e->prev, heap) || elem_next(e->prev) != e) {
		return false;
	}
	return neighbour_ok(next, heap) && next->prev == e;
}

static int
lists_check(const struct eal_malloc_heap *heap, uint64_t n_free, char *why, size_t why_len)
{
	uint64_t listed = 0;

	if (heap->fl_bitmap >> FL_COUNT != 0)
		return bad(why, why_len, "first-level bitmap %#" PRIx64 " has bits past class %u",
			   heap->fl_bitmap, FL_COUNT - 1);
	for (unsigned int fl = 0; fl < FL_COUNT; fl++) {
		if (!!(heap->fl_bitmap & (1ull << fl)) != (heap->sl_bitmap[fl] != 0))
			return bad(why, why_len, "first-level bit %u does not match its bitmap %#x",
				   fl, heap->sl_bitmap[fl]);
		for (unsigned int sl = 0; sl < SL_COUNT; sl++) {
			const elem_t *x = heap->free_lists[fl][sl], *xprev = NULL;

			if (!!(heap->sl_bitmap[fl] & (1u << sl)) != (x != NULL))
				return bad(why, why_len,
					   "bit of class (%u, %u) does not match its list", fl, sl);
			for (; x != NULL; xprev = x, x = x->u.free.next) {
				unsigned int xfl, xsl;

				/* Bounded: a cycle ends here. */
				if (++listed > n_free)
					return bad(why, why_len,
						   "free lists hold more than the %" PRIu64
						   " free blocks of the regions",
						   n_free);
				if (!elem_is(x, ST_FREE) || x->heap != heap || !elem_sealed(x))
					return bad(why, why_len,
						   "class (%u, %u) lists %p, not a free block", fl,
						   sl, (const void *)x);
				size_class(x->size, &xfl, &xsl);
				if (xfl != fl || xsl != sl)
					return bad(why, why_len,
						   "free block %p of %" PRIu64
						   " bytes is in class (%u, %u), not (%u, %u)",
						   (const void *)x, x->size, fl, sl, xfl, xsl);
				if (x->u.free.prev != xprev)
					return bad(why, why_len,
						   "free list (%u, %u): back link of %p broken", fl,
						   sl, (const void *)x);
				if (!chained(heap, x))
					return bad(why, why_len,
						   "listed free block %p is not in a region",
						   (const void *)x);
			}
		}
	}
	/* Every listed block is a distinct free block of a region (links
	 * consistent, no cycle), so equal counts mean every free block is
	 * listed. */
	if (listed != n_free)
		return bad(why, why_len, "regions have %" PRIu64 " free blocks, lists %" PRIu64,
			   n_free, listed);
	return 0;
}

static int
heap_check(const struct eal_malloc_heap *heap, char *why, size_t why_len)
{
	struct walk_totals t = { 0 };
	const elem_t *r, *rprev = NULL;
	uint32_t n = 0;
	int rc;

	if (heap->magic != HEAP_MAGIC)
		return bad(why, why_len, "heap %p is not initialised", (const void *)heap);
	for (r = heap->regions; r != NULL; rprev = r, r = r->u.region.next) {
		if (++n > heap->n_regions)
			return bad(why, why_len, "region list longer than n_regions (%u)",
				   heap->n_regions);
		if (!elem_is(r, ST_REGION) || r->heap != heap || !elem_sealed(r) || r->size != HDR)
			return bad(why, why_len, "region header %p is corrupt", (const void *)r);
		if (r->u.region.prev != rprev)
			return bad(why, why_len, "region list: back link of %p broken",
				   (const void *)r);
		rc = region_check(heap, r, &t, why, why_len);
		if (rc < 0)
			return rc;
	}
	if (n != heap->n_regions)
		return bad(why, why_len, "%u regions listed, n_regions says %u", n,
			   heap->n_regions);
	if (t.total != heap->total_size)
		return bad(why, why_len,
			   "regions add up to %" PRIu64 " bytes, total_size says %" PRIu64, t.total,
			   heap->total_size);
	if (t.free_size != heap->free_size || t.n_free != heap->free_count)
		return bad(why, why_len,
			   "%" PRIu64 " free blocks of %" PRIu64 " bytes, stats say %" PRIu64
			   " of %" PRIu64,
			   t.n_free, t.free_size, heap->free_count, heap->free_size);
	if (t.n_busy != heap->alloc_count)
		return bad(why, why_len, "%" PRIu64 " busy blocks, alloc_count says %" PRIu64,
			   t.n_busy, heap->alloc_count);
	return lists_check(heap, t.n_free, why, why_len);
}

/* ------------------------------------------------------------------------
 * Pointers from callers
 */

/*
 * The busy block whose data starts at ptr. Nothing is written. With op
 * set, a failure is logged (one ERR line naming op and ptr):
 *   -EINVAL   ptr is not the start of a live allocation (misaligned,
 *             foreign, interior, already freed);
 *   -EUCLEAN  it is one, but its header does not match its seal or heap,
 *             or its trailing canary was overwritten.
 */
static int
busy_elem(const void *ptr, const char *op, elem_t **ret)
{
	uintptr_t p = (uintptr_t)ptr;
	elem_t *e;

	if (p == 0 || p % HDR != 0) {
		if (op != NULL)
			EAL_LOG(ERR, "%s(%p): not a heap allocation (misaligned); nothing done", op,
				ptr);
		return -EINVAL;
	}
	e = elem_at(p - HDR);
	if (!elem_is(e, ST_BUSY)) {
		if (op == NULL)
			return -EINVAL;
		if (elem_is(e, ST_FREE) || elem_is(e, ST_DEAD))
			EAL_LOG(ERR, "%s(%p): already freed%s; nothing done", op, ptr,
				strcmp(op, "free") == 0 ? " (double free)" : "");
		else
			EAL_LOG(ERR,
				"%s(%p): not the start of a heap allocation, or its header was "
				"overwritten; nothing done",
				op, ptr);
		return -EINVAL;
	}
	if (!elem_sealed(e) || e->heap == NULL || e->heap->magic != HEAP_MAGIC) {
		if (op != NULL)
			EAL_LOG(ERR,
				"%s(%p): header corrupt (written before this allocation or "
				"past the end of the one before it); nothing done",
				op, ptr);
		return -EUCLEAN;
	}
	if (!trailer_ok(e)) {
		if (op != NULL)
			EAL_LOG(ERR,
				"%s(%p): heap %s: the %" PRIu64 "-byte allocation was written past "
				"its end (canary at %p overwritten); nothing done",
				op, ptr, e->heap->name, e->u.busy.usable,
				(void *)(p + e->u.busy.usable));
		return -EUCLEAN;
	}
	*ret = e;
	return 0;
}

/* Whether heap was disabled after a dead holder left it corrupt (one
 * ERR line naming op and ptr). */
static bool
heap_disabled(const struct eal_malloc_heap *heap, const char *op, const void *ptr)
{
	if (!heap->broken)
		return false;
	EAL_LOG(ERR, "%s(%p): heap %s is disabled (left corrupt by a dead process); nothing done",
		op, ptr, heap->name);
	return true;
}

/* The header after busy block e, checked before a merge relies on it. */
static int
next_of_busy(const elem_t *e, const char *op, elem_t **ret)
{
	elem_t *next = elem_next(e);

	if (!neighbour_ok(next, e->heap) || next->prev != e) {
		EAL_LOG(ERR,
			"%s(%p): heap %s: the header after this allocation (%p) is corrupt, "
			"likely a buffer overflow; nothing done",
			op, elem_data(e), e->heap->name, (void *)next);
		return -EUCLEAN;
	}
	*ret = next;
	return 0;
}

/* ------------------------------------------------------------------------
 * Heap set-up
 */

void
eal__heap_init(struct eal_malloc_heap *heap, const char *name, int socket_id)
{
	memset(heap, 0, sizeof(*heap));
	eal_rwlock_init(&heap->lock);
	snprintf(heap->name, sizeof(heap->name), "%s", name != NULL ? name : "");
	heap->socket_id = socket_id;
	heap->magic = HEAP_MAGIC;
}

/* ------------------------------------------------------------------------
 * Surviving a dead holder
 *
 * Every operation writes in an order that keeps each region's block chain
 * walkable after every single header write: new headers go where no walk
 * looks (inside a free or shrinking block), then one header write links
 * them in, and absorbed headers are killed only once out of the chain.
 * A header write itself goes through heap->pending (elem_commit), and a
 * change of the region list through heap->reshape. So a holder killed at
 * any point leaves: at most one header to redo, at most one reshape to
 * finish, and derived state (free lists, bitmaps, statistics, prev links,
 * two adjacent free blocks) to rebuild from the chains. That is
 * heap_repair. What it cannot explain (a header that fails its seal, an
 * overwritten canary: damage, not an interrupted operation) makes the
 * heap refuse further use (heap->broken) rather than work on a chain it
 * cannot trust. An allocation the dead process was making or freeing may
 * stay allocated (a leak of that block, never an overlap).
 */

/* Walk one region's chain for heap_repair: fix prev links, merge adjacent
 * free blocks, list the free ones, count. */
static int
region_repair(struct eal_malloc_heap *heap, elem_t *r, struct walk_totals *t, char *why,
	      size_t why_len)
{
	elem_t *x = elem_at(elem_addr(r) + HDR), *prev = NULL;
	uint64_t len = HDR;

	for (;;) {
		if (!neighbour_ok(x, heap) && !prev_link_torn(x, heap, prev))
			return bad(why, why_len, "region %p: header at %p is corrupt", (void *)r,
				   (void *)x);
		if (x->prev != prev)
			set_prev(heap, x, prev);
		if (elem_is(x, ST_END))
			break;
		if (x->size < HDR || x->size % HDR != 0 || x->size > EAL__HEAP_MAX_REGION - len)
			return bad(why, why_len, "region %p: block %p has size %" PRIu64, (void *)r,
				   (void *)x, x->size);
		if (elem_is(x, ST_FREE) && prev != NULL && elem_is(prev, ST_FREE)) {
			/* a merge the dead holder did not finish */
			elem_resize(heap, prev, prev->prev, prev->size + x->size, 0);
			elem_kill(x);
			t->free_size += x->size;
			len += x->size;
			x = elem_next(prev);
			continue;
		}
		if (elem_is(x, ST_FREE)) {
			t->free_size += x->size;
			t->n_free++;
		} else {
			t->n_busy++;
		}
		len += x->size;
		prev = x;
		x = elem_next(x);
	}
	if (prev == NULL)
		return bad(why, why_len, "region %p has no block", (void *)r);
	t->total += len + HDR;
	return 0;
}

static int
heap_repair(struct eal_malloc_heap *heap, char *why, size_t why_len)
{
	struct walk_totals t = { 0 };
	uint64_t at = __atomic_load_n(&heap->pending_at, __ATOMIC_ACQUIRE);
	elem_t *r, *rprev = NULL;
	uint32_t n = 0;
	int rc;

	if (at != 0) {
		*elem_at(at) = heap->pending;
		heap->pending_at = 0;
	}
	/* A reshape first: a carve may have unmapped a region header still
	 * on the list. The list's forward links are always whole (one-word
	 * writes); back links and the count follow from them. */
	switch (heap->reshape.active) {
	case 0:
		break;
	case RESHAPE_ADD:
		r = elem_at(heap->reshape.region);
		if (!region_listed(heap, r))
			region_link(heap, r);
		break;
	case RESHAPE_CARVE:
		carve_reshape(heap, &heap->reshape);
		break;
	default:
		return bad(why, why_len, "unknown reshape record %" PRIu64, heap->reshape.active);
	}
	reshape_end(heap);
	for (r = heap->regions; r != NULL; rprev = r, r = r->u.region.next) {
		if (!elem_is(r, ST_REGION) || r->heap != heap || !elem_sealed(r))
			return bad(why, why_len, "region header %p is corrupt", (void *)r);
		if (++n > heap->n_regions + 2)
			return bad(why, why_len, "region list longer than %u regions",
				   heap->n_regions);
		r->u.region.prev = rprev;
	}
	heap->n_regions = n;

	heap->fl_bitmap = 0;
	memset(heap->sl_bitmap, 0, sizeof(heap->sl_bitmap));
	memset(heap->free_lists, 0, sizeof(heap->free_lists));
	for (r = heap->regions; r != NULL; r = r->u.region.next) {
		rc = region_repair(heap, r, &t, why, why_len);
		if (rc < 0)
			return rc;
	}
	heap->total_size = t.total;
	heap->alloc_count = t.n_busy;
	heap->free_size = 0;
	heap->free_count = 0;
	for (r = heap->regions; r != NULL; r = r->u.region.next)
		for (elem_t *x = elem_at(elem_addr(r) + HDR); !elem_is(x, ST_END); x = elem_next(x))
			if (elem_is(x, ST_FREE))
				free_insert(heap, x);
	return heap_check(heap, why, why_len);
}

/* A holder killed mid-operation may have left the heap half-changed: the
 * next holder finishes and rebuilds what it left (heap_repair), checks
 * the heap whole and says what it found; a heap it cannot trust is
 * disabled (issue 6: never silently corrupt). */
int
eal__heap_lock(struct eal_malloc_heap *heap)
{
	char why[200];
	int rc = eal__rwlock_excl_lock(&heap->lock);

	if (rc != 1 || heap->broken)
		return rc;
	/* Nothing in flight first: a heap_check() walk would follow a
	 * region whose pages a dead carve had already released. */
	if (heap->pending_at == 0 && heap->reshape.active == 0 &&
	    heap_check(heap, why, sizeof(why)) == 0) {
		EAL_LOG(WARNING, "heap %s: lock recovered from a dead process; the heap checks out",
			heap->name);
	} else if (heap_repair(heap, why, sizeof(why)) == 0) {
		EAL_LOG(WARNING,
			"heap %s: lock recovered from a dead process that died mid-operation; "
			"the heap is repaired and checks out",
			heap->name);
	} else {
		heap->broken = 1;
		EAL_LOG(ERR,
			"heap %s: lock recovered from a dead process that left the heap corrupt: %s; "
			"the heap is disabled (its memory stays allocated until the application exits)",
			heap->name, why);
	}
	return rc;
}

void
eal__heap_unlock(struct eal_malloc_heap *heap)
{
	eal_rwlock_write_unlock(&heap->lock);
}

/* One past region r's end sentinel (walks its blocks). */
static uintptr_t
region_end(const elem_t *r)
{
	const elem_t *x = elem_at(elem_addr(r) + HDR);

	while (!elem_is(x, ST_END))
		x = elem_next(x);
	return elem_addr(x) + HDR;
}

/* Whether [s, s + len) overlaps memory of the heap (EAL_ASSERT_EXPENSIVE:
 * regions keep no length, so this walks every block). */
static bool
heap_overlaps(const struct eal_malloc_heap *heap, uintptr_t s, size_t len)
{
	for (const elem_t *r = heap->regions; r != NULL; r = r->u.region.next)
		if (s < region_end(r) && elem_addr(r) < s + len)
			return true;
	return false;
}

int
eal__heap_add_memory(struct eal_malloc_heap *heap, void *start, size_t len)
{
	uintptr_t s = (uintptr_t)start;
	elem_t *r, *f;

	if (heap->magic != HEAP_MAGIC || s == 0 || s % HDR != 0 || len % HDR != 0 ||
	    len < EAL__HEAP_MIN_REGION || len > EAL__HEAP_MAX_REGION || s + len < s)
		return -EINVAL;
	EAL_ASSERT_EXPENSIVE(!heap_overlaps(heap, s, len));

	if (heap->broken)
		return -EUCLEAN;

	/* Made whole outside the heap, then linked under a reshape record
	 * (a dead holder's half-made link is finished by the next). */
	r = elem_write(heap, s, ST_REGION, NULL, HDR);
	f = elem_write(heap, s + HDR, ST_FREE, NULL, len - 2 * HDR);
	(void)elem_write(heap, s + len - HDR, ST_END, f, HDR);
	reshape_begin(heap, &(struct eal__heap_reshape){ .active = RESHAPE_ADD, .region = s });
	EAL_TEST_POINT("heap-region-linking");
	region_link(heap, r);
	reshape_end(heap);
	free_insert(heap, f);
	heap->total_size += len;
	EAL_ASSERT_EXPENSIVE(heap_check(heap, NULL, 0) == 0);
	return 0;
}

/* ------------------------------------------------------------------------
 * Allocation
 */

/*
 * Where the data of an allocation goes in the free block [a, b): as high
 * as it fits, aligned; when that would cross a multiple m of bound, the
 * highest aligned spot that ends at or before m (at least m - bound, as
 * bound > align there). The caller sized the block for the worst case.
 *
 * Taking the top of the block leaves the block's header where it is: most
 * of the time its class does not change, so it stays on its list and no
 * other free block's header is touched.
 */
static inline uintptr_t
place_high(uintptr_t b, uint64_t need, uint64_t size, uint64_t align, uint64_t bound)
{
	uintptr_t p = EAL_ALIGN_FLOOR(b - need + HDR, (uintptr_t)align);

	if (bound != 0) {
		uintptr_t m = EAL_ALIGN_FLOOR(p + size - 1, (uintptr_t)bound);

		if (m > p)
			p = EAL_ALIGN_FLOOR(m - size, (uintptr_t)align);
	}
	return p;
}

/* Shrink free block f to size bytes, moving it only when its class
 * changes. */
static void
free_shrink(struct eal_malloc_heap *heap, elem_t *f, uint64_t size)
{
	unsigned int ofl, osl, nfl, nsl;

	size_class(f->size, &ofl, &osl);
	size_class(size, &nfl, &nsl);
	if (ofl == nfl && osl == nsl) {
		heap->free_size -= f->size - size;
		elem_resize(heap, f, f->prev, size, 0);
	} else {
		free_unlink(heap, f);
		elem_resize(heap, f, f->prev, size, 0);
		free_insert(heap, f);
	}
}

int
eal__heap_alloc(struct eal_malloc_heap *heap, size_t size, size_t align, size_t bound,
		void **ret_ptr)
{
	uint64_t usable, need, search, tail, head;
	unsigned int fl, sl;
	elem_t *f, *e, *prev, *next, *tail_blk = NULL;
	uintptr_t a, b, p, ea;

	EAL_ASSERT(heap->magic == HEAP_MAGIC);
	if (heap->broken)
		return -EUCLEAN;
	if (size == 0 || (align & (align - 1)) != 0 || (bound & (bound - 1)) != 0 ||
	    (bound != 0 && size > bound))
		return -EINVAL;
	if (align < HDR)
		align = HDR;
	/* No region holds more: without this the sums below could wrap. */
	if (size > EAL__HEAP_MAX_REGION || align > EAL__HEAP_MAX_REGION)
		return -ENOMEM;

	usable = EAL_ALIGN_CEIL((uint64_t)size, 8);
	need = busy_size(usable);
	/* Worst-case distance from the top of a block down to the start
	 * of what the allocation needs: up to align - 64 to reach
	 * alignment, then, when a multiple of bound lies inside, a move
	 * below it of less than size and at most bound - align. */
	search = need + align - HDR;
	if (bound > align) {
		uint64_t jump = EAL_ALIGN_FLOOR((uint64_t)size - 1, align);

		search += jump < bound - align ? jump : bound - align;
	}
	if (search >= EAL__HEAP_MAX_REGION)
		return -ENOMEM;
	search_class(search, &fl, &sl);
	f = find_block(heap, fl, sl);
	if (f == NULL)
		return -ENOMEM;
	EAL_ASSERT_INTERNAL(elem_is(f, ST_FREE) && f->size >= search);

	a = elem_addr(f);
	b = a + f->size;
	next = elem_at(b);
	p = place_high(b, need, size, align, bound);
	ea = p - HDR;
	EAL_ASSERT_INTERNAL(ea >= a && ea + need <= b);
	tail = b - (ea + need);
	if (tail < MIN_SPLIT)
		need += tail; /* kept as slack */
	head = ea - a;

	/*
	 * Crash-safe order: what is new is written inside f first, where no
	 * walk of the chain looks, then one header write makes it part of
	 * the chain (f shrunk, the block before grown, or e over f's
	 * header). Prev links and lists come last: heap_repair rebuilds them.
	 */
	if (head == 0 || (head == HDR && f->prev != NULL)) {
		free_unlink(heap, f);
		prev = f->prev;
	} else {
		prev = f;
	}
	if (tail >= MIN_SPLIT)
		tail_blk = elem_write_at(heap, ea + need, ST_FREE, elem_at(ea), tail, 0, false);
	e = busy_write(heap, ea, prev, need, usable, ea == a);
	EAL_TEST_POINT("heap-alloc-placed");
	if (head == HDR && f->prev != NULL) {
		/* 64 bytes after a busy block (a free block never precedes
		 * a free one): slack of that block rather than a free
		 * block nothing could ever use. */
		elem_resize(heap, prev, prev->prev, prev->size + HDR, 0);
		elem_kill(f);
	} else if (head != 0) {
		free_shrink(heap, f, head);
	}
	/* What follows the allocation now follows e or a free tail; when e
	 * took all of f, it follows e at f's address already. */
	if (tail_blk != NULL) {
		free_insert(heap, tail_blk);
		set_prev(heap, next, tail_blk);
	} else if (ea != a) {
		set_prev(heap, next, e);
	}
	heap->alloc_count++;
	EAL_ASSERT_EXPENSIVE(heap_check(heap, NULL, 0) == 0);
	*ret_ptr = (void *)p;
	return 0;
}

/* ------------------------------------------------------------------------
 * Free and resize
 */

int
eal__heap_free(void *ptr, struct eal_malloc_heap **ret_heap)
{
	return eal__heap_free_span(ptr, ret_heap, NULL);
}

int
eal__heap_free_span(void *ptr, struct eal_malloc_heap **ret_heap, struct eal__heap_freed *ret_span)
{
	struct eal_malloc_heap *heap;
	elem_t *e, *prev, *next, *after, *f;
	uintptr_t start;
	uint64_t size, freed_size;
	int rc;

	rc = busy_elem(ptr, "free", &e);
	if (rc < 0)
		return rc;
	heap = e->heap;
	if (heap_disabled(heap, "free", ptr))
		return -EUCLEAN;
	rc = next_of_busy(e, "free", &next);
	if (rc < 0)
		return rc;
	prev = e->prev;
	/* A busy block before is left alone: its magic is all we need. A
	 * free one is merged with, so all of it is checked. */
	if (prev != NULL && !elem_is(prev, ST_BUSY) &&
	    (!elem_is(prev, ST_FREE) || prev->heap != heap || !elem_sealed(prev) ||
	     elem_next(prev) != e)) {
		EAL_LOG(ERR,
			"free(%p): heap %s: the header before this allocation (%p) is corrupt; "
			"nothing done",
			ptr, heap->name, (void *)prev);
		return -EUCLEAN;
	}
	/* The header after a free next block gets a new prev: check it too,
	 * before anything is written. */
	after = next;
	if (elem_is(next, ST_FREE)) {
		after = elem_next(next);
		if (!neighbour_ok(after, heap) || after->prev != next) {
			EAL_LOG(ERR, "free(%p): heap %s: header %p is corrupt; nothing done", ptr,
				heap->name, (void *)after);
			return -EUCLEAN;
		}
	}

	start = elem_addr(e);
	size = e->size;
	freed_size = size;
	if (after != next) {
		free_unlink(heap, next);
		size += next->size;
	}
	if (prev != NULL && elem_is(prev, ST_FREE)) {
		free_unlink(heap, prev);
		start = elem_addr(prev);
		size += prev->size;
		prev = prev->prev;
	}
	/* One header write (over e, or over the free block before) makes the
	 * merged block; the headers it absorbed are marked dead after it, so
	 * that a walk never meets one. Reusing a guard word is fine, the
	 * value depends on the address only. The header after points at e
	 * already unless a merge moved the start or the end. */
	f = free_block_make(heap, start, prev, size);
	EAL_TEST_POINT("heap-free-merged");
	if (after != next)
		elem_kill(next);
	if (start != elem_addr(e))
		elem_kill(e);
	if (start != elem_addr(e) || after != next)
		set_prev(heap, after, f);
	heap->alloc_count--;
	EAL_ASSERT_EXPENSIVE(heap_check(heap, NULL, 0) == 0);
	if (ret_heap != NULL)
		*ret_heap = heap;
	if (ret_span != NULL) {
		ret_span->lo = elem_addr(e);
		ret_span->hi = elem_addr(e) + freed_size;
		ret_span->merged_lo = start;
		ret_span->merged_hi = start + size;
	}
	return 0;
}

int
eal__heap_realloc_in_place(void *ptr, size_t new_size)
{
	struct eal_malloc_heap *heap;
	uint64_t usable, need, total;
	elem_t *e, *next, *after, *tail;
	uintptr_t ea;
	int rc;

	rc = busy_elem(ptr, "realloc", &e);
	if (rc < 0)
		return rc;
	if (new_size == 0)
		return -EINVAL;
	if (new_size > EAL__HEAP_MAX_REGION)
		return -ENOMEM;
	heap = e->heap;
	if (heap_disabled(heap, "realloc", ptr))
		return -EUCLEAN;
	rc = next_of_busy(e, "realloc", &next);
	if (rc < 0)
		return rc;
	ea = elem_addr(e);
	usable = EAL_ALIGN_CEIL((uint64_t)new_size, 8);
	need = busy_size(usable);

	after = next;
	if (elem_is(next, ST_FREE)) {
		after = elem_next(next);
		if (!neighbour_ok(after, heap) || after->prev != next) {
			EAL_LOG(ERR, "realloc(%p): heap %s: header %p is corrupt; nothing done",
				ptr, heap->name, (void *)after);
			return -EUCLEAN;
		}
	}
	/* Bytes available in place: the block, and the free one after. */
	total = e->size + (after != next ? next->size : 0);
	if (need > total)
		return -ENOMEM;

	/* Crash-safe order as in alloc: a new free tail is written where no
	 * walk looks (inside e, or inside the free block after), then e's
	 * header (size and usable in one write, trailer first) exposes it. */
	if (need < e->size && after != next) {
		/* Shrink next to a free block: the tail joins it. */
		free_unlink(heap, next);
		tail = elem_write(heap, ea + need, ST_FREE, e, total - need);
		resize_busy(heap, e, need, usable, NULL);
		elem_kill(next);
		free_insert(heap, tail);
		set_prev(heap, after, tail);
	} else if (need < e->size && e->size - need >= MIN_SPLIT) {
		/* Shrink next to a busy block: split only a tail worth a
		 * block, else it stays slack. */
		tail = elem_write(heap, ea + need, ST_FREE, e, e->size - need);
		resize_busy(heap, e, need, usable, NULL);
		free_insert(heap, tail);
		set_prev(heap, next, tail);
	} else if (need > e->size) {
		/* Grow into the free block after. */
		free_unlink(heap, next);
		if (total - need >= MIN_SPLIT) {
			tail = elem_write(heap, ea + need, ST_FREE, e, total - need);
			resize_busy(heap, e, need, usable, next);
			free_insert(heap, tail);
			set_prev(heap, after, tail);
		} else {
			resize_busy(heap, e, total, usable, next);
			set_prev(heap, after, e);
		}
	} else {
		resize_busy(heap, e, e->size, usable, NULL);
	}
	EAL_ASSERT_EXPENSIVE(heap_check(heap, NULL, 0) == 0);
	return 0;
}

/* ------------------------------------------------------------------------
 * Queries
 */

int
eal__heap_of(const void *ptr, struct eal_malloc_heap **ret_heap)
{
	uintptr_t p = (uintptr_t)ptr;
	const elem_t *e;

	if (p == 0 || p % HDR != 0)
		return -EINVAL;
	e = elem_at(p - HDR);
	if (!elem_is(e, ST_BUSY))
		return -EINVAL;
	*ret_heap = e->heap;
	return 0;
}

int
eal__heap_regions(const struct eal_malloc_heap *heap, uintptr_t (*out)[2], unsigned int max,
		  unsigned int *ret_n)
{
	unsigned int n = 0;

	if (heap->magic != HEAP_MAGIC || heap->broken)
		return -EUCLEAN;
	for (const elem_t *r = heap->regions; r != NULL; r = r->u.region.next) {
		const elem_t *e = elem_at(elem_addr(r) + HDR);
		uint64_t left = heap->total_size;

		if (n == max || !elem_is(r, ST_REGION))
			return -EUCLEAN;
		/* To the end sentinel, never past the heap's total size. */
		while (!elem_is(e, ST_END)) {
			if ((!elem_is(e, ST_FREE) && !elem_is(e, ST_BUSY)) || e->size == 0 ||
			    e->size > left)
				return -EUCLEAN;
			left -= e->size;
			e = elem_next(e);
		}
		out[n][0] = elem_addr(r);
		out[n][1] = elem_addr(e) + HDR;
		n++;
	}
	*ret_n = n;
	return 0;
}

uint64_t
eal__heap_tag(const void *ptr)
{
	struct eal_malloc_heap *heap;

	if (eal__heap_of(ptr, &heap) < 0)
		return EAL__HEAP_TAG_MALLOC;
	return elem_at((uintptr_t)ptr - HDR)->u.busy.unused;
}

int
eal__heap_tag_set(void *ptr, uint64_t tag)
{
	elem_t *e, h;
	int rc;

	rc = busy_elem(ptr, NULL, &e);
	if (rc < 0)
		return rc;
	h = *e;
	h.u.busy.unused = tag;
	(void)elem_commit(e->heap, elem_addr(e), &h);
	return 0;
}

size_t
eal__heap_usable_size(const void *ptr)
{
	elem_t *e;

	if (busy_elem(ptr, NULL, &e) < 0)
		return 0;
	return e->u.busy.usable;
}

int
eal__heap_elem_check(const void *ptr)
{
	elem_t *e;

	return busy_elem(ptr, NULL, &e);
}

int
eal__heap_elem_find(struct eal_malloc_heap *heap, const void *inner, void **ret_start,
		    size_t *ret_size)
{
	uintptr_t p = (uintptr_t)inner;
	const elem_t *r, *best = NULL, *x;

	/* Regions do not overlap: the one holding p, if any, is the one
	 * starting closest below it. */
	for (r = heap->regions; r != NULL; r = r->u.region.next)
		if (elem_addr(r) <= p && (best == NULL || elem_addr(r) > elem_addr(best)))
			best = r;
	if (best == NULL)
		return -ENOENT;
	for (x = elem_at(elem_addr(best) + HDR);; x = elem_next(x)) {
		if (!neighbour_ok(x, heap))
			return -EUCLEAN;
		if (elem_is(x, ST_END))
			return -ENOENT; /* past the region, or in a header */
		if (p < elem_addr(x) + x->size)
			break;
	}
	if (!elem_is(x, ST_BUSY) || p < elem_addr(x) + HDR ||
	    p >= elem_addr(x) + HDR + x->u.busy.usable)
		return -ENOENT;
	*ret_start = elem_data(x);
	*ret_size = x->u.busy.usable;
	return 0;
}

int
eal__heap_validate(struct eal_malloc_heap *heap, char *why, size_t why_len)
{
	int rc = heap->broken ? bad(why, why_len, "heap %s is disabled: a dead process left it corrupt",
				    heap->name)
			      : heap_check(heap, why, why_len);

	if (rc == 0 && why != NULL && why_len > 0)
		why[0] = '\0';
	return rc;
}

void
eal__heap_stats(const struct eal_malloc_heap *heap, struct eal__heap_stats *out)
{
	size_t greatest = 0;

	if (heap->fl_bitmap != 0) {
		/* The largest block is in the highest non-empty class. */
		unsigned int fl = 63u - (unsigned int)__builtin_clzll(heap->fl_bitmap);
		unsigned int sl = 31u - (unsigned int)__builtin_clz(heap->sl_bitmap[fl]);

		for (const elem_t *x = heap->free_lists[fl][sl]; x != NULL; x = x->u.free.next)
			if (x->size > greatest)
				greatest = x->size;
	}
	out->heap_totalsz_bytes = heap->total_size;
	out->heap_freesz_bytes = heap->free_size;
	out->greatest_free_size = greatest;
	out->free_count = (unsigned int)heap->free_count;
	out->alloc_count = (unsigned int)heap->alloc_count;
	out->heap_allocsz_bytes = heap->total_size - heap->free_size;
}

/* ------------------------------------------------------------------------
 * Giving whole pages back
 */

/*
 * Whole pages of a free block [a, b) to carve out, as the hole [h0, h1):
 *
 * - left edge: when the block is the first of its region and the region
 *   starts on a page, the hole starts there and the region header goes
 *   with it; otherwise the hole starts on the first page boundary that
 *   leaves room for a new end sentinel (plus a 64-byte block when nothing
 *   else would be left of the region), and what lies before the sentinel
 *   stays a free block.
 * - right edge, mirrored: the hole ends at the region's end when the block
 *   is the last one and the region ends on a page; otherwise on the last
 *   boundary that leaves room for a new region header (plus a block), and
 *   what lies after it stays a free block of a new region.
 *
 * Headers and sentinels thus never land in the hole. When giving all of it
 * would leave fewer than keep_free bytes free, the hole is cut short from
 * the right. Returns the hole's length, 0 when there is nothing to carve.
 */
struct carve {
	uintptr_t h0, h1;
	bool left_gone, right_gone; /* the region's head / tail goes with the hole */
};

static uint64_t
carve_plan(const struct eal_malloc_heap *heap, const elem_t *f, uint64_t page_sz,
	   uint64_t keep_free, struct carve *c)
{
	uintptr_t a = elem_addr(f), b = a + f->size, pg = (uintptr_t)page_sz;
	bool first = f->prev == NULL, last = elem_is(elem_at(b), ST_END);
	uint64_t budget, cost, lfree, rfree, n;

	if (first && (a - HDR) % pg == 0) {
		c->h0 = a - HDR;
		c->left_gone = true;
	} else {
		c->h0 = EAL_ALIGN_CEIL(a + HDR + (first ? HDR : 0), pg);
		c->left_gone = false;
	}
	if (last && (b + HDR) % pg == 0) {
		c->h1 = b + HDR;
		c->right_gone = true;
	} else {
		if (b < a + 2 * HDR + (last ? HDR : 0))
			return 0;
		c->h1 = EAL_ALIGN_FLOOR(b - HDR - (last ? HDR : 0), pg);
		c->right_gone = false;
	}
	if (c->h1 <= c->h0 || c->h1 - c->h0 < pg)
		return 0;

	/* What the free bytes lose: the block, less what stays free. */
	lfree = c->left_gone ? 0 : c->h0 - HDR - a;
	rfree = c->right_gone ? 0 : b - c->h1 - HDR;
	cost = f->size - lfree - rfree;
	budget = heap->free_size > keep_free ? heap->free_size - keep_free : 0;
	if (cost <= budget)
		return c->h1 - c->h0;

	/* n pages from h0, a new region header after them: the loss is
	 * n pages, plus the new end sentinel and region header when the
	 * region's head stays (a region header leaves with the head
	 * otherwise, which offsets the new one). */
	cost = c->left_gone ? 0 : 2 * HDR;
	if (budget < cost + pg)
		return 0;
	n = (budget - cost) / pg;
	EAL_ASSERT_INTERNAL(n < (c->h1 - c->h0) / pg);
	c->h1 = c->h0 + n * pg;
	c->right_gone = false;
	return c->h1 - c->h0;
}

/*
 * The heap around a released hole (heap->reshape says which): a new end
 * sentinel before it (or the region's head unlinked) and a new region
 * after it (or nothing, when the region's tail went too). Written only
 * from the record and from headers outside the hole, which may be
 * unmapped already (so the region list is walked only once a region
 * whose head was in the hole is off it), and idempotent: a holder killed half-way leaves the
 * record, and the next holder runs this again (heap_repair). Lists and
 * statistics are the caller's (or heap_repair's).
 */
static void
carve_reshape(struct eal_malloc_heap *heap, const struct eal__heap_reshape *rs)
{
	uintptr_t a = rs->block, b = a + rs->size;
	elem_t *prev = (elem_t *)(uintptr_t)rs->prev, *next = elem_at(b);

	if (rs->left_gone) {
		elem_t *r = elem_at(rs->region), *pred = NULL;
		elem_t *rnext = (elem_t *)(uintptr_t)rs->region_next;
		bool listed = heap->regions == r;

		uint32_t n = 0;

		for (pred = listed ? NULL : heap->regions; pred != NULL && n <= heap->n_regions + 2;
		     pred = pred->u.region.next, n++)
			if (pred->u.region.next == r) {
				listed = true;
				break;
			}
		if (listed) {
			if (pred == NULL)
				heap->regions = rnext;
			else
				pred->u.region.next = rnext;
			if (rnext != NULL)
				rnext->u.region.prev = pred;
			heap->n_regions--;
		}
	} else {
		/* The sentinel first, inside the block; then the block shrinks
		 * onto it (or the sentinel replaces the block's header). */
		if (rs->h0 - HDR > a) {
			(void)elem_write(heap, rs->h0 - HDR, ST_END, elem_at(a), HDR);
			(void)elem_write(heap, a, ST_FREE, prev, rs->h0 - HDR - a);
		} else {
			(void)elem_write(heap, rs->h0 - HDR, ST_END, prev, HDR);
		}
	}
	EAL_TEST_POINT("heap-carve-half");
	if (!rs->right_gone) {
		elem_t *r = elem_write(heap, rs->h1, ST_REGION, NULL, HDR), *first = NULL;

		if (b > rs->h1 + HDR)
			first = elem_write(heap, rs->h1 + HDR, ST_FREE, NULL, b - rs->h1 - HDR);
		set_prev(heap, next, first);
		if (!region_listed(heap, r))
			region_link(heap, r);
	}
}

/*
 * Give the hole of c back through release, then re-shape the heap around
 * it under a reshape record (a dead holder's half-done re-shaping is
 * finished by the next holder). When release fails the heap is untouched.
 */
static int
carve_apply(struct eal_malloc_heap *heap, elem_t *f, const struct carve *c,
	    int (*release)(void *addr, size_t len, void *arg), void *arg)
{
	uintptr_t a = elem_addr(f);
	struct eal__heap_reshape rs = {
		.active = RESHAPE_CARVE,
		.block = a,
		.size = f->size,
		.prev = (uintptr_t)f->prev,
		.h0 = c->h0,
		.h1 = c->h1,
		.left_gone = c->left_gone,
		.right_gone = c->right_gone,
	};
	int rc;

	if (c->left_gone) {
		rs.region = a - HDR;
		rs.region_next = (uintptr_t)elem_at(a - HDR)->u.region.next;
	}
	free_unlink(heap, f);
	reshape_begin(heap, &rs);
	rc = release((void *)c->h0, c->h1 - c->h0, arg);
	if (rc < 0) {
		reshape_end(heap);
		free_insert(heap, f);
		EAL_LOG(DEBUG, "heap %s: [%p, +%#" PRIxPTR ") not released: %s; kept", heap->name,
			(void *)c->h0, c->h1 - c->h0, eal_strerror(-rc));
		return rc;
	}
	EAL_TEST_POINT("heap-released");
	carve_reshape(heap, &rs);
	reshape_end(heap);
	if (!c->left_gone && c->h0 - HDR > a)
		free_insert(heap, elem_at(a));
	if (!c->right_gone && elem_addr(elem_at(a + rs.size)) > c->h1 + HDR)
		free_insert(heap, elem_at(c->h1 + HDR));
	heap->total_size -= c->h1 - c->h0;
	return 0;
}

int
eal__heap_release_pages(struct eal_malloc_heap *heap, size_t page_sz, size_t keep_free,
			int (*release)(void *addr, size_t len, void *arg), void *arg)
{
	unsigned int fl_min, sl_min;
	int first_rc = 0;

	if (heap->broken)
		return -EUCLEAN;
	if (heap->magic != HEAP_MAGIC || release == NULL || page_sz < EAL__HEAP_MIN_REGION ||
	    (page_sz & (page_sz - 1)) != 0 || page_sz > EAL__HEAP_MAX_REGION)
		return -EINVAL;
	/* Only blocks of at least a page, less the sentinels of a region of
	 * one page, can hold one. Largest first: they hold the most whole
	 * pages and may free whole regions. */
	size_class(page_sz - 2 * HDR, &fl_min, &sl_min);
	for (unsigned int fl = FL_COUNT; fl-- > fl_min;) {
		if (!(heap->fl_bitmap & (1ull << fl)))
			continue;
		for (unsigned int sl = SL_COUNT; sl-- > 0;) {
			elem_t *x, *xnext;

			if (!(heap->sl_bitmap[fl] & (1u << sl)))
				continue;
			/*
			 * Carving takes x off this list and pushes only
			 * smaller pieces; following the saved link never
			 * revisits them, and none could give a page: a whole
			 * carve leaves no whole page in them, and a carve cut
			 * short leaves less than a page of budget.
			 */
			for (x = heap->free_lists[fl][sl]; x != NULL; x = xnext) {
				struct carve c;
				int rc;

				xnext = x->u.free.next;
				if (heap->free_size <= keep_free)
					goto out;
				if (carve_plan(heap, x, page_sz, keep_free, &c) == 0)
					continue;
				rc = carve_apply(heap, x, &c, release, arg);
				if (rc < 0 && first_rc == 0)
					first_rc = rc;
			}
		}
	}
out:
	EAL_ASSERT_EXPENSIVE(heap_check(heap, NULL, 0) == 0);
	return first_rc;
}
