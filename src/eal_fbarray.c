/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File-backed arrays (include/eal/eal_fbarray.h): DPDK's rte_fbarray with
 * the same semantics and error values, and word-at-a-time searches.
 *
 * One mapping per array, the same address in every process:
 *
 *   data[len * elt_sz] | pad to 8 | struct eal_fbarray_meta | mask[n_masks]
 *
 * rounded up to the system page size. Bit i % 64 of mask word i / 64 is 1
 * when element i is used; bits at or past len are always 0. When the
 * process has a runtime directory the mapping is MAP_SHARED over the file
 * "<runtime dir>/fbarray_<name>": every process that maps it holds a
 * LOCK_SH flock, so LOCK_EX|LOCK_NB succeeds only for a file nobody uses
 * (init of a fresh or stale file, destroy). Without a runtime directory
 * (no eal_init, --no-shconf, --in-memory) the array is private anonymous
 * memory and cannot be attached.
 *
 * Locks: searches take arr->rwlock for reading, set_used/set_free for
 * writing; arr->count and the mask change only under the write lock.
 * init/attach/detach/destroy serialise on areas_lock, which protects the
 * process-local list of mapped arrays. Writes no mem_config field.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_FBARRAY

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>

#include "eal_fbarray.h"
#include "eal_file_layout.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MASK_BITS 64
#define ALL_ONES UINT64_MAX
/* Words looked at one by one before skipping four at a time. */
#define SHORT_SCAN 4

/* An array mapped by this process. Nodes are allocated by init/attach
 * only; the search paths never look at the list. */
struct mapped_area {
	struct mapped_area *next;
	void *addr;
	size_t size;
	int fd;	      /* holds LOCK_SH; -1 for anonymous memory */
	bool created; /* init ran here: cleanup may remove the file */
	char path[];  /* backing file, "" for anonymous memory */
};

static pthread_mutex_t areas_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mapped_area *areas;

/* ------------------------------------------------------------------------
 * Layout
 */

static inline unsigned int
mask_words(unsigned int len)
{
	return (len + MASK_BITS - 1) / MASK_BITS;
}

/* Offset of the metadata: the data rounded up so the mask is aligned. */
static inline size_t
meta_offset(unsigned int len, unsigned int elt_sz)
{
	return EAL_ALIGN_CEIL((size_t)len * elt_sz, sizeof(uint64_t));
}

static inline struct eal_fbarray_meta *
fbarray_meta(const struct eal_fbarray *arr)
{
	return EAL_PTR_ADD(arr->data, meta_offset(arr->len, arr->elt_sz));
}

static inline uint64_t *
fbarray_mask(const struct eal_fbarray *arr)
{
	return EAL_PTR_ADD(arr->data,
			   meta_offset(arr->len, arr->elt_sz) + sizeof(struct eal_fbarray_meta));
}

/* Mapping size for len elements of elt_sz bytes: the data, up to 7
 * bytes of padding so the header and mask are 8-byte aligned, the header,
 * one word per 64 elements, all rounded up to a page. -EINVAL when it
 * does not fit in size_t, which needs a 32-bit size_t: on 64 bits,
 * INT_MAX * UINT_MAX is below 2^63 and mmap() answers ENOMEM instead. */
static int
mapping_size(unsigned int len, unsigned int elt_sz, size_t *ret_size)
{
	size_t page = eal__os_page_size();
	size_t data, sz;

	if (__builtin_mul_overflow((size_t)len, (size_t)elt_sz, &data) ||
	    __builtin_add_overflow(data, sizeof(uint64_t) - 1 + sizeof(struct eal_fbarray_meta), &sz) ||
	    __builtin_add_overflow(sz, (size_t)mask_words(len) * sizeof(uint64_t), &sz) ||
	    __builtin_add_overflow(sz, page - 1, &sz))
		return -EINVAL;
	*ret_size = EAL_ALIGN_FLOOR(sz, page);
	return 0;
}

/* DPDK's checks on name, len and elt_sz; a name becomes a file name, so
 * it also may not contain '/'. */
static int
check_params(const char *name, unsigned int len, unsigned int elt_sz)
{
	size_t nlen;

	if (name == NULL || len == 0 || elt_sz == 0 || len > INT_MAX)
		return -EINVAL;
	nlen = strnlen(name, EAL_FBARRAY_NAME_LEN);
	if (nlen == EAL_FBARRAY_NAME_LEN)
		return -ENAMETOOLONG;
	if (nlen == 0 || memchr(name, '/', nlen) != NULL)
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------------------------
 * The list of arrays mapped by this process (areas_lock held)
 */

static struct mapped_area *
area_find(const void *addr)
{
	for (struct mapped_area *a = areas; a != NULL; a = a->next)
		if (a->addr == addr)
			return a;
	return NULL;
}

/* One malloc per init/attach: the list is never walked by searches, so
 * its cost does not matter, and it has no fixed limit. */
static int
area_add(void *addr, size_t size, int fd, bool created, const char *path)
{
	size_t plen = strlen(path) + 1;
	struct mapped_area *a = malloc(sizeof(*a) + plen);

	if (a == NULL)
		return -ENOMEM;
	a->addr = addr;
	a->size = size;
	a->fd = fd;
	a->created = created;
	memcpy(a->path, path, plen);
	a->next = areas;
	areas = a;
	return 0;
}

static void
area_remove(struct mapped_area *victim)
{
	for (struct mapped_area **p = &areas; *p != NULL; p = &(*p)->next) {
		if (*p == victim) {
			*p = victim->next;
			free(victim);
			return;
		}
	}
}

/* Remove the file of an area if nobody maps it any more. The lock upgrade
 * is how we know: every process mapping the file holds LOCK_SH on it. */
static int
area_remove_file(struct mapped_area *a)
{
	int rc;

	if (a->fd < 0)
		return 0;
	rc = eal__os_flock(a->fd, LOCK_EX | LOCK_NB);
	if (rc < 0) {
		/* flock converts by dropping the old lock first: take the
		 * shared one back so others still see us as a user. */
		(void)eal__os_flock(a->fd, LOCK_SH | LOCK_NB);
		return rc == -EWOULDBLOCK ? -EBUSY : rc;
	}
	rc = eal__os_unlink(a->path, true);
	if (rc < 0)
		(void)eal__os_flock(a->fd, LOCK_SH | LOCK_NB);
	return rc;
}

/* Unmap an area and forget it. Inside the address region the range goes
 * back to a reservation; once the file is gone (@file_removed) its
 * address space is free for other arrays, in every process. */
static void
area_unmap(struct mapped_area *a, bool file_removed)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	(void)eal__region_release(mcfg, a->addr, a->size);
	if (file_removed && eal__region_contains(mcfg, a->addr, a->size))
		eal__region_fbarray_free(mcfg, a->addr, a->size);
	(void)eal__os_close(a->fd);
	area_remove(a);
}

/* Whether a mapped area overlaps [addr, addr + size). */
static bool
area_overlaps(const void *addr, size_t size)
{
	uintptr_t lo = (uintptr_t)addr;

	for (struct mapped_area *a = areas; a != NULL; a = a->next)
		if ((uintptr_t)a->addr < lo + size && lo < (uintptr_t)a->addr + a->size)
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * Bit scans
 *
 * Every search works on 64-bit words of a "view" in which the elements in
 * the wanted state are 1 bits: the mask itself for used elements, its
 * complement for free ones. Bits past len read as 0 in both views, so a
 * run never extends past the end of the array. Word i holds elements
 * [64i, 64i + 63], element 64i + b at bit b.
 */

struct bits {
	const uint64_t *w;
	uint64_t flip;	   /* 0 to look for used elements, ~0 for free ones */
	unsigned int last; /* index of the last word */
	unsigned int len;
};

/* Valid bits of the last mask word of an array of len elements. */
static inline uint64_t
tail_bits(unsigned int len)
{
	return ALL_ONES >> ((MASK_BITS - len % MASK_BITS) % MASK_BITS);
}

static inline struct bits
bits_view(const struct eal_fbarray *arr, bool used)
{
	struct bits b = {
		.w = fbarray_mask(arr),
		.flip = used ? 0 : ALL_ONES,
		.last = (arr->len - 1) / MASK_BITS,
		.len = arr->len,
	};

	return b;
}

static inline uint64_t
bits_word(const struct bits *b, unsigned int i)
{
	uint64_t v = b->w[i] ^ b->flip;

	return i == b->last ? v & tail_bits(b->len) : v;
}

/* The short scans are inlined into each public search, so the view lives
 * in registers. */
#define SCAN_INLINE static inline __attribute__((always_inline))

/* Trailing / leading ones; w must not be all ones. */
static inline unsigned int
ones_low(uint64_t w)
{
	return (unsigned int)__builtin_ctzll(~w);
}

static inline unsigned int
ones_high(uint64_t w)
{
	return (unsigned int)__builtin_clzll(~w);
}

/* Bit p is set in the result iff bits p .. p + n - 1 of w are all set
 * (1 <= n <= 64). Doubling the covered width costs log2(n) shift-ands. */
static inline uint64_t
run_starts(uint64_t w, unsigned int n)
{
	unsigned int have = 1;

	while (have * 2 <= n) {
		w &= w >> have;
		have *= 2;
	}
	if (have < n)
		w &= w >> (n - have);
	return w;
}

/* Mirror image: bit p is set iff bits p - n + 1 .. p of w are all set. */
static inline uint64_t
run_ends(uint64_t w, unsigned int n)
{
	unsigned int have = 1;

	while (have * 2 <= n) {
		w &= w << have;
		have *= 2;
	}
	if (have < n)
		w &= w << (n - have);
	return w;
}

/* The first word of a forward scan, without the bits below start. */
static inline uint64_t
first_word_up(const struct bits *b, unsigned int start)
{
	return bits_word(b, start / MASK_BITS) & (ALL_ONES << (start % MASK_BITS));
}

/* The first word of a backward scan, without the bits above start. */
static inline uint64_t
first_word_down(const struct bits *b, unsigned int start)
{
	return bits_word(b, start / MASK_BITS) & (ALL_ONES >> (MASK_BITS - 1 - start % MASK_BITS));
}

/*
 * Long stretches of words that are all 0 or all 1 in the view (a full or
 * empty region) are skipped four words per test. The single-element
 * searches look at SHORT_SCAN words one by one first: most answers are
 * that close, and for them the plain loop is cheaper.
 *
 * skip_up() returns the index of the first word at or after i whose view
 * differs from v (0 or ALL_ONES), or the last word: the last word may hold
 * bits past len, so it is always looked at through bits_word().
 */
static inline unsigned int
skip_up(const struct bits *b, unsigned int i, uint64_t v)
{
	const uint64_t *m = b->w;
	uint64_t raw = v ^ b->flip;

	while (i + 4 <= b->last &&
	       ((m[i] ^ raw) | (m[i + 1] ^ raw) | (m[i + 2] ^ raw) | (m[i + 3] ^ raw)) == 0)
		i += 4;
	while (i < b->last && m[i] == raw)
		i++;
	return i;
}

/* Going down: the first word at or below i that differs from v, or word
 * 0. Starting at the last word, nothing is skipped. */
static inline unsigned int
skip_down(const struct bits *b, unsigned int i, uint64_t v)
{
	const uint64_t *m = b->w;
	uint64_t raw = v ^ b->flip;

	if (i == b->last)
		return i;
	while (i >= 4 &&
	       ((m[i] ^ raw) | (m[i - 1] ^ raw) | (m[i - 2] ^ raw) | (m[i - 3] ^ raw)) == 0)
		i -= 4;
	while (i > 0 && m[i] == raw)
		i--;
	return i;
}

SCAN_INLINE int
scan_next(const struct bits *b, unsigned int start, int not_found)
{
	unsigned int i = start / MASK_BITS;
	uint64_t w = first_word_up(b, start);

	for (unsigned int k = 0; w == 0; k++) {
		if (++i > b->last)
			return not_found;
		if (k >= SHORT_SCAN)
			i = skip_up(b, i, 0);
		w = bits_word(b, i);
	}
	return (int)(i * MASK_BITS + (unsigned int)__builtin_ctzll(w));
}

SCAN_INLINE int
scan_prev(const struct bits *b, unsigned int start, int not_found)
{
	unsigned int i = start / MASK_BITS;
	uint64_t w = first_word_down(b, start);

	for (unsigned int k = 0; w == 0; k++) {
		if (i-- == 0)
			return not_found;
		if (k >= SHORT_SCAN)
			i = skip_down(b, i, 0);
		w = bits_word(b, i);
	}
	return (int)(i * MASK_BITS + MASK_BITS - 1 - (unsigned int)__builtin_clzll(w));
}

/* Length of the run of set bits starting at start, going up. */
SCAN_INLINE int
scan_contig(const struct bits *b, unsigned int start)
{
	unsigned int i = start / MASK_BITS, sh = start % MASK_BITS;
	uint64_t w = bits_word(b, i) >> sh;
	unsigned int total, t;

	/* The shift brings in zeros, so a run stops at bit 63 at the latest. */
	t = w == ALL_ONES ? MASK_BITS : ones_low(w);
	if (t < MASK_BITS - sh)
		return (int)t;
	total = MASK_BITS - sh;
	for (unsigned int k = 0; ++i <= b->last; k++) {
		if (k >= SHORT_SCAN) {
			unsigned int j = skip_up(b, i, ALL_ONES);

			total += (j - i) * MASK_BITS;
			i = j;
		}
		w = bits_word(b, i);
		if (w != ALL_ONES)
			return (int)(total + ones_low(w));
		total += MASK_BITS;
	}
	return (int)total;
}

/* Length of the run of set bits ending at start, going down. */
SCAN_INLINE int
scan_rev_contig(const struct bits *b, unsigned int start)
{
	unsigned int i = start / MASK_BITS, sh = MASK_BITS - 1 - start % MASK_BITS;
	uint64_t w = bits_word(b, i) << sh;
	unsigned int total, t;

	t = w == ALL_ONES ? MASK_BITS : ones_high(w);
	if (t < MASK_BITS - sh)
		return (int)t;
	total = MASK_BITS - sh;
	for (unsigned int k = 0; i-- > 0; k++) {
		if (k >= SHORT_SCAN) {
			unsigned int j = skip_down(b, i, ALL_ONES);

			total += (i - j) * MASK_BITS;
			i = j;
		}
		w = bits_word(b, i);
		if (w != ALL_ONES)
			return (int)(total + ones_high(w));
		total += MASK_BITS;
	}
	return (int)total;
}

/*
 * After a word without a set bit (no run carried), the following such
 * words change nothing; after an all-ones word (a run carried), the
 * following all-ones words only make the run longer. Skip both kinds;
 * returns the word to look at. Mixed words never get here, so dense
 * layouts pay one predictable branch per word.
 */
static inline unsigned int
skip_carry_up(const struct bits *b, unsigned int i, unsigned int *run_len)
{
	unsigned int j;

	if (*run_len == 0)
		return skip_up(b, i, 0);
	j = skip_up(b, i, ALL_ONES);
	*run_len += (j - i) * MASK_BITS;
	return j;
}

static inline unsigned int
skip_carry_down(const struct bits *b, unsigned int i, unsigned int *run_len)
{
	unsigned int j;

	if (*run_len == 0)
		return skip_down(b, i, 0);
	j = skip_down(b, i, ALL_ONES);
	*run_len += (i - j) * MASK_BITS;
	return j;
}

/*
 * Lowest p >= start with bits p .. p + n - 1 set. A run is carried from
 * word to word (run_start, run_len); inside a word, the ones at its bottom
 * extend the carried run, runs strictly inside it are found with
 * run_starts() (only possible for n < 64), and the ones at its top start
 * the next carried run. A few operations per word, whatever the layout.
 */
static int
scan_next_n(const struct bits *b, unsigned int start, unsigned int n, int not_found)
{
	unsigned int i = start / MASK_BITS;
	unsigned int run_start = start, run_len = 0;
	uint64_t w = first_word_up(b, start);

	for (;;) {
		unsigned int base = i * MASK_BITS, top;

		if (run_len == 0)
			run_start = base; /* only used if bit 0 is set */
		if (w == ALL_ONES) {
			run_len += MASK_BITS;
			if (run_len >= n)
				return (int)run_start;
		} else {
			if (run_len + ones_low(w) >= n)
				return (int)run_start;
			if (n < MASK_BITS) {
				uint64_t x = run_starts(w, n);

				if (x != 0)
					return (int)(base + (unsigned int)__builtin_ctzll(x));
			}
			top = ones_high(w);
			run_len = top;
			run_start = base + MASK_BITS - top;
		}
		if (++i > b->last)
			return not_found;
		/* Nothing left can complete a run of n. */
		if (run_len + (b->len - i * MASK_BITS) < n)
			return not_found;
		if (w == 0 || w == ALL_ONES)
			i = skip_carry_up(b, i, &run_len);
		w = bits_word(b, i);
	}
}

/* Highest r with r + n - 1 <= start and bits r .. r + n - 1 set: the same
 * scan going down, carrying the run by its top end. */
static int
scan_prev_n(const struct bits *b, unsigned int start, unsigned int n, int not_found)
{
	unsigned int i = start / MASK_BITS;
	unsigned int run_end = start, run_len = 0;
	uint64_t w = first_word_down(b, start);

	for (;;) {
		unsigned int base = i * MASK_BITS, low;

		if (run_len == 0)
			run_end = base + MASK_BITS - 1; /* only used if bit 63 is set */
		if (w == ALL_ONES) {
			run_len += MASK_BITS;
			if (run_len >= n)
				return (int)(run_end - n + 1);
		} else {
			if (run_len + ones_high(w) >= n)
				return (int)(run_end - n + 1);
			if (n < MASK_BITS) {
				uint64_t x = run_ends(w, n);

				if (x != 0)
					return (int)(base + MASK_BITS - n -
						     (unsigned int)__builtin_clzll(x));
			}
			low = ones_low(w);
			run_len = low;
			run_end = base + low - 1;
		}
		if (i == 0 || run_len + i * MASK_BITS < n)
			return not_found;
		i--;
		if (w == 0 || w == ALL_ONES)
			i = skip_carry_down(b, i, &run_len);
		w = bits_word(b, i);
	}
}

/*
 * Start of the first longest run at or after start. Runs are carried
 * across words as in scan_next_n(). Inside a word only runs longer than
 * the best so far matter, and run_starts(w, best + 1) finds them; each hit
 * raises the best, so a word costs one run_starts() call almost always.
 * Ties keep the first run (strict comparisons).
 */
static int
scan_biggest(const struct bits *b, unsigned int start, int not_found)
{
	unsigned int i = start / MASK_BITS;
	unsigned int best_start = 0, best_len = 0;
	unsigned int cur_start = start, cur_len = 0;
	uint64_t w = first_word_up(b, start);

	for (;;) {
		unsigned int base = i * MASK_BITS;

		if (cur_len == 0)
			cur_start = base;
		if (w == ALL_ONES) {
			cur_len += MASK_BITS;
		} else {
			cur_len += ones_low(w);
			if (cur_len > best_len) {
				best_len = cur_len;
				best_start = cur_start;
			}
			/* A run inside a word is at most 63 bits long. A run
			 * reaching bit 63 may be recorded here with part of its
			 * length; it is carried on with the same start. */
			while (best_len < MASK_BITS - 1) {
				uint64_t x = run_starts(w, best_len + 1);
				unsigned int p;

				if (x == 0)
					break;
				p = (unsigned int)__builtin_ctzll(x);
				best_len = ones_low(w >> p);
				best_start = base + p;
			}
			cur_len = ones_high(w);
			cur_start = base + MASK_BITS - cur_len;
		}
		if (++i > b->last)
			break;
		/* What is left cannot beat the best (a tie loses). */
		if (best_len >= cur_len + (b->len - i * MASK_BITS))
			break;
		if (w == 0 || w == ALL_ONES)
			i = skip_carry_up(b, i, &cur_len);
		w = bits_word(b, i);
	}
	if (cur_len > best_len) {
		best_len = cur_len;
		best_start = cur_start;
	}
	return best_len == 0 ? not_found : (int)best_start;
}

/* Lowest index of the first longest run at or below start, scanning
 * down: scan_biggest() mirrored, runs carried by their top end. */
static int
scan_rev_biggest(const struct bits *b, unsigned int start, int not_found)
{
	unsigned int i = start / MASK_BITS;
	unsigned int best_end = 0, best_len = 0;
	unsigned int cur_end = start, cur_len = 0;
	uint64_t w = first_word_down(b, start);

	for (;;) {
		unsigned int base = i * MASK_BITS;

		if (cur_len == 0)
			cur_end = base + MASK_BITS - 1;
		if (w == ALL_ONES) {
			cur_len += MASK_BITS;
		} else {
			cur_len += ones_high(w);
			if (cur_len > best_len) {
				best_len = cur_len;
				best_end = cur_end;
			}
			while (best_len < MASK_BITS - 1) {
				uint64_t x = run_ends(w, best_len + 1);
				unsigned int q;

				if (x == 0)
					break;
				q = MASK_BITS - 1 - (unsigned int)__builtin_clzll(x);
				best_len = ones_high(w << (MASK_BITS - 1 - q));
				best_end = base + q;
			}
			cur_len = ones_low(w);
			cur_end = base + cur_len - 1;
		}
		if (i == 0 || best_len >= cur_len + i * MASK_BITS)
			break;
		i--;
		if (w == 0 || w == ALL_ONES)
			i = skip_carry_down(b, i, &cur_len);
		w = bits_word(b, i);
	}
	if (cur_len > best_len) {
		best_len = cur_len;
		best_end = cur_end;
	}
	return best_len == 0 ? not_found : (int)(best_end - best_len + 1);
}

/* Invariant checker (EAL_ASSERT_EXPENSIVE): metadata, count against the
 * mask, no bit set past len. Caller holds the lock. */
static bool
fbarray_is_valid(const struct eal_fbarray *arr)
{
	const struct eal_fbarray_meta *meta = fbarray_meta(arr);
	const uint64_t *m = fbarray_mask(arr);
	unsigned int n = mask_words(arr->len), used = 0;
	struct bits b = bits_view(arr, true);

	if (meta->magic != EAL_FBARRAY_MAGIC || meta->len != arr->len || meta->elt_sz != arr->elt_sz ||
	    meta->n_masks != n)
		return false;
	for (unsigned int i = 0; i < n; i++)
		used += (unsigned int)__builtin_popcountll(m[i]);
	return used == arr->count && (m[b.last] & ~tail_bits(arr->len)) == 0;
}

/* ------------------------------------------------------------------------
 * Searches: argument checks, fast paths on count, read lock
 */

enum find_op {
	FIND_NEXT,
	FIND_PREV,
	FIND_NEXT_N,
	FIND_PREV_N,
	FIND_CONTIG,
	FIND_REV_CONTIG,
	FIND_BIGGEST,
	FIND_REV_BIGGEST,
};

/* Answer from count alone when no element, or every element, is in the
 * wanted state. Returns 1 and sets *ret when it could. With every element
 * in the state, each search's answer follows from start alone: the run
 * through start spans the whole array. */
static inline int
find_fast_path(enum find_op op, unsigned int len, unsigned int in_state, unsigned int start,
	       unsigned int n, int not_found, int *ret)
{
	if (in_state == 0) {
		*ret = op == FIND_CONTIG || op == FIND_REV_CONTIG ? 0 : not_found;
		return 1;
	}
	if (in_state != len)
		return 0;
	switch (op) {
	case FIND_NEXT:
	case FIND_PREV:
	case FIND_NEXT_N:
	case FIND_BIGGEST:
		*ret = (int)start;
		break;
	case FIND_PREV_N:
		*ret = (int)(start - n + 1);
		break;
	case FIND_CONTIG:
		*ret = (int)(len - start);
		break;
	case FIND_REV_CONTIG:
		*ret = (int)(start + 1);
		break;
	case FIND_REV_BIGGEST:
		*ret = 0;
		break;
	}
	return 1;
}

/* The search itself, on whatever the mask holds now: returns an index,
 * a count, or -errno. Called with or without the read lock (see
 * find_locked). */
static inline __attribute__((always_inline)) int
find_body(struct eal_fbarray *arr, unsigned int start, unsigned int n, enum find_op op,
	  bool used, int not_found)
{
	unsigned int len = arr->len, in_state;
	struct bits b;
	int rc = not_found;

	in_state = used ? arr->count : len - arr->count;
	if (find_fast_path(op, len, in_state, start, n, not_found, &rc))
		goto out;
	if ((op == FIND_NEXT_N || op == FIND_PREV_N) && in_state < n) {
		rc = not_found;
		goto out;
	}
	b = bits_view(arr, used);
	switch (op) {
	case FIND_NEXT:
		rc = scan_next(&b, start, not_found);
		break;
	case FIND_PREV:
		rc = scan_prev(&b, start, not_found);
		break;
	case FIND_NEXT_N:
		rc = scan_next_n(&b, start, n, not_found);
		break;
	case FIND_PREV_N:
		rc = scan_prev_n(&b, start, n, not_found);
		break;
	case FIND_CONTIG:
		rc = scan_contig(&b, start);
		break;
	case FIND_REV_CONTIG:
		rc = scan_rev_contig(&b, start);
		break;
	case FIND_BIGGEST:
		rc = scan_biggest(&b, start, not_found);
		break;
	case FIND_REV_BIGGEST:
		rc = scan_rev_biggest(&b, start, not_found);
		break;
	}
out:
	return rc;
}


/* Body of every public search; op and used are constants at each call
 * site, so each public function compiles to its own straight path. */
static inline __attribute__((always_inline)) int
find_locked(struct eal_fbarray *arr, unsigned int start, unsigned int n, enum find_op op,
	    bool used)
{
	int not_found = used ? -ENOENT : -ENOSPC;
	unsigned int len, seq;
	int rc;

	if (EAL_UNLIKELY(arr == NULL || start >= arr->len))
		return eal__fail(-EINVAL);
	len = arr->len;
	/* len, elt_sz and data never change while the array is mapped, so
	 * they may be read before taking the lock; count and the mask may
	 * not. */
	if (op == FIND_NEXT_N || op == FIND_PREV_N) {
		if (EAL_UNLIKELY(n == 0 || n > len))
			return eal__fail(-EINVAL);
		/* The window does not fit: no need to look. */
		if (op == FIND_NEXT_N ? len - start < n : start < n - 1)
			return eal__fail(not_found);
	}

	/*
	 * Optimistic first (seqlock): search without the lock and keep the
	 * answer if no writer changed the array meanwhile (seq even and
	 * unchanged). A search only reads, its loops are bounded by len, and
	 * an answer computed from a torn view is thrown away, so racing with a
	 * writer is harmless. Otherwise search again under the read lock.
	 * This keeps searches as cheap as DPDK's even though our lock is
	 * costlier (it records holders by pid to survive their death).
	 */
	seq = __atomic_load_n(&arr->seq, __ATOMIC_ACQUIRE);
	if (EAL_LIKELY((seq & 1) == 0)) {
		rc = find_body(arr, start, n, op, used, not_found);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (EAL_LIKELY(__atomic_load_n(&arr->seq, __ATOMIC_RELAXED) == seq))
			return rc < 0 ? eal__fail(rc) : rc;
	}
	eal_rwlock_read_lock(&arr->rwlock);
	rc = find_body(arr, start, n, op, used, not_found);
	eal_rwlock_read_unlock(&arr->rwlock);
	return rc < 0 ? eal__fail(rc) : rc;
}

/* The free and used variants of a search taking (arr, start). */
#define FBARRAY_FIND_PAIR(what, op) \
	EAL_API int \
	eal_fbarray_##what##_free(struct eal_fbarray *arr, unsigned int start) \
	{ \
		return find_locked(arr, start, 1, op, false); \
	} \
	EAL_API int \
	eal_fbarray_##what##_used(struct eal_fbarray *arr, unsigned int start) \
	{ \
		return find_locked(arr, start, 1, op, true); \
	}

/* The free and used variants of a search taking (arr, start, n). */
#define FBARRAY_FIND_N_PAIR(what, op) \
	EAL_API int \
	eal_fbarray_##what##_free(struct eal_fbarray *arr, unsigned int start, unsigned int n) \
	{ \
		return find_locked(arr, start, n, op, false); \
	} \
	EAL_API int \
	eal_fbarray_##what##_used(struct eal_fbarray *arr, unsigned int start, unsigned int n) \
	{ \
		return find_locked(arr, start, n, op, true); \
	}

/* eal_fbarray_find_next_free() ... eal_fbarray_find_rev_biggest_used() */
FBARRAY_FIND_PAIR(find_next, FIND_NEXT)
FBARRAY_FIND_PAIR(find_prev, FIND_PREV)
FBARRAY_FIND_N_PAIR(find_next_n, FIND_NEXT_N)
FBARRAY_FIND_N_PAIR(find_prev_n, FIND_PREV_N)
FBARRAY_FIND_PAIR(find_contig, FIND_CONTIG)
FBARRAY_FIND_PAIR(find_rev_contig, FIND_REV_CONTIG)
FBARRAY_FIND_PAIR(find_biggest, FIND_BIGGEST)
FBARRAY_FIND_PAIR(find_rev_biggest, FIND_REV_BIGGEST)

/* ------------------------------------------------------------------------
 * Element access
 */

EAL_API void *
eal_fbarray_get(const struct eal_fbarray *arr, unsigned int idx)
{
	if (arr == NULL || idx >= arr->len) {
		return eal__fail_null(-EINVAL);
	}
	return EAL_PTR_ADD(arr->data, (size_t)idx * arr->elt_sz);
}

EAL_API int
eal_fbarray_find_idx(const struct eal_fbarray *arr, const void *elt)
{
	uintptr_t lo, p = (uintptr_t)elt;

	if (arr == NULL || elt == NULL)
		return eal__fail(-EINVAL);
	lo = (uintptr_t)arr->data;
	if (p < lo || p - lo >= (size_t)arr->len * arr->elt_sz)
		return eal__fail(-EINVAL);
	return (int)((p - lo) / arr->elt_sz);
}

EAL_API int
eal_fbarray_is_used(struct eal_fbarray *arr, unsigned int idx)
{
	int used;

	if (arr == NULL || idx >= arr->len)
		return eal__fail(-EINVAL);
	/* One bit of one word: an atomic load is already a consistent
	 * snapshot, so no lock is needed (DPDK takes the read lock). */
	used = (int)((__atomic_load_n(&fbarray_mask(arr)[idx / MASK_BITS], __ATOMIC_ACQUIRE) >>
		      (idx % MASK_BITS)) & 1);
	return used;
}

/* Recount after a writer died holding the lock: it may have changed the
 * mask without the count, and the mask is what searches trust. */
static void
fbarray_repair_count(struct eal_fbarray *arr)
{
	const uint64_t *m = fbarray_mask(arr);
	unsigned int used = 0;

	for (unsigned int i = 0; i < mask_words(arr->len); i++)
		used += (unsigned int)__builtin_popcountll(m[i]);
	if (used != arr->count)
		EAL_LOG(WARNING, "fbarray '%s': count %u repaired to %u after a writer died",
			arr->name, arr->count, used);
	arr->count = used;
}

/* set_used / set_free. The write lock excludes readers in every process,
 * so the plain read-modify-write of the mask word is safe: all writers of
 * a mask word hold the lock. */
static int
set_state(struct eal_fbarray *arr, unsigned int idx, bool used)
{
	uint64_t *w, bit;
	unsigned int seq;

	if (arr == NULL || idx >= arr->len)
		return eal__fail(-EINVAL);
	w = &fbarray_mask(arr)[idx / MASK_BITS];
	bit = (uint64_t)1 << (idx % MASK_BITS);

	if (EAL_UNLIKELY(eal__rwlock_write_lock(&arr->rwlock) != 0))
		fbarray_repair_count(arr);
	/* Odd while we change the mask: optimistic searches retry locked. */
	seq = arr->seq | 1; /* a dead writer may have left it odd */
	__atomic_store_n(&arr->seq, seq, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* Idempotent: count moves only when the bit does. Only writers
	 * change a mask word, but is_used reads it without the lock: store it
	 * atomically. */
	if (used && !(*w & bit)) {
		__atomic_store_n(w, *w | bit, __ATOMIC_RELEASE);
		if (EAL_UNLIKELY(arr->count >= arr->len))
			fbarray_repair_count(arr); /* a count the mask disagrees with */
		else
			arr->count++;
	} else if (!used && (*w & bit)) {
		__atomic_store_n(w, *w & ~bit, __ATOMIC_RELEASE);
		if (EAL_UNLIKELY(arr->count == 0))
			fbarray_repair_count(arr);
		else
			arr->count--;
	}
	__atomic_store_n(&arr->seq, seq + 1, __ATOMIC_RELEASE);
	EAL_ASSERT_EXPENSIVE(fbarray_is_valid(arr));
	eal_rwlock_write_unlock(&arr->rwlock);
	return 0;
}

EAL_API int
eal_fbarray_set_used(struct eal_fbarray *arr, unsigned int idx)
{
	return set_state(arr, idx, true);
}

EAL_API int
eal_fbarray_set_free(struct eal_fbarray *arr, unsigned int idx)
{
	return set_state(arr, idx, false);
}

/* ------------------------------------------------------------------------
 * Life cycle
 */

/* Build "<runtime dir>/fbarray_<name>". */
static int
fbarray_path(char *buf, size_t size, const char *name)
{
	char file[EAL_FBARRAY_NAME_LEN + sizeof("fbarray_")];

	snprintf(file, sizeof(file), "fbarray_%s", name);
	return eal__runtime_path(buf, size, file);
}

/* Files are opened with O_NOFOLLOW: a planted symbolic link gives ELOOP,
 * whose own text does not say what to do. */
static void
log_symlink(const char *name, const char *path)
{
	EAL_LOG(ERR, "fbarray '%s': %s is a symbolic link, which libeal never creates and does not follow (it could redirect writes to another file); remove it",
		name, path);
}

/* Map @size bytes of @fd (anonymous memory when -1) at @va, a range of
 * the address region reserved for it, or anywhere when @va is NULL (no
 * eal_init yet). */
static int
map_at(void *va, size_t size, int fd, void **ret_addr)
{
	int flags = fd >= 0 ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS;
	int rc;

	if (va == NULL)
		return eal__os_mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0, ret_addr);
	rc = eal__os_mmap_fixed(va, size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (rc == 0)
		*ret_addr = va;
	return rc;
}

/* Create or take over the backing file and map it at @va (see map_at). A
 * stale file (its creator died) is reused: LOCK_EX proves nobody maps it.
 * Truncating to 0 first hands out zero pages without touching them, which
 * is what makes init of a large array cheap. */
static int
init_file(const char *path, size_t size, void *va, void **ret_addr, int *ret_fd)
{
	void *addr;
	int fd, rc;

	rc = eal__os_open(path, O_CREAT | O_RDWR, 0600, &fd);
	if (rc < 0)
		return rc;
	rc = eal__os_flock(fd, LOCK_EX | LOCK_NB);
	if (rc < 0) {
		rc = rc == -EWOULDBLOCK ? -EBUSY : rc;
		goto opened;
	}
	rc = eal__os_ftruncate(fd, 0);
	if (rc == 0)
		rc = eal__os_ftruncate(fd, size);
	if (rc < 0)
		goto locked;
	rc = map_at(va, size, fd, &addr);
	if (rc < 0)
		goto locked;
	eal__os_advise_random(addr, size);
	/* Readers may come now. A failed downgrade means someone grabbed
	 * LOCK_EX in the instant flock had no lock on the file. */
	rc = eal__os_flock(fd, LOCK_SH | LOCK_NB);
	if (rc < 0) {
		rc = rc == -EWOULDBLOCK ? -EBUSY : rc;
		goto mapped;
	}
	*ret_addr = addr;
	*ret_fd = fd;
	return 0;

mapped:
	(void)eal__region_release(eal__mcfg(), addr, size);
locked:
	/* The file is ours (we hold or held LOCK_EX): leave nothing. */
	(void)eal__os_unlink(path, true);
opened:
	(void)eal__os_close(fd);
	return rc;
}

static int
fbarray_init(struct eal_fbarray *arr, const char *name, unsigned int len, unsigned int elt_sz)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	char path[PATH_MAX] = "";
	struct eal_fbarray_meta *meta;
	void *addr, *va = NULL;
	size_t size;
	int fd = -1, rc;

	rc = mapping_size(len, elt_sz, &size);
	if (rc < 0) {
		EAL_LOG(ERR, "fbarray '%s': %u elements of %u bytes do not fit in memory", name,
			len, elt_sz);
		return rc;
	}
	/* After eal_init every array lives in the address region, where
	 * every process of the application has the range reserved. */
	if (mcfg != NULL && eal__region_fbarray_alloc(mcfg, size, &va) < 0) {
		EAL_LOG(ERR, "fbarray '%s': no room for %zu bytes in the arrays' %llu MiB of the shared address region (destroy arrays no longer used)",
			name, size, (unsigned long long)(EAL_REGION_FBARRAY_LEN >> 20));
		return -ENOMEM;
	}
	if (eal__runtime_dir_path() != NULL) {
		rc = fbarray_path(path, sizeof(path), name);
		if (rc == 0)
			rc = init_file(path, size, va, &addr, &fd);
	} else {
		rc = map_at(va, size, -1, &addr);
	}
	if (rc < 0) {
		if (rc == -EBUSY)
			EAL_LOG(ERR, "fbarray '%s': %s is in use by another process, or this one already created it",
				name, path);
		else if (rc == -ELOOP)
			log_symlink(name, path);
		else
			EAL_LOG(ERR, "fbarray '%s': cannot create %zu bytes%s%s: %s", name, size,
				path[0] != '\0' ? " in " : "", path, eal_strerror(rc));
		goto fail_va;
	}
	/* From here on nothing can fail but the bookkeeping; the caller's
	 * struct is written last, so a failure leaves it untouched (R11). */
	rc = area_add(addr, size, fd, true, path);
	if (rc < 0) {
		EAL_LOG(ERR, "fbarray '%s': out of memory for the list of mapped arrays", name);
		if (fd >= 0)
			(void)eal__os_unlink(path, true);
		if (va == NULL)
			(void)eal__os_munmap(addr, size);
		(void)eal__os_close(fd);
		goto fail_va;
	}

	/* The mapping is zero (fresh file or anonymous memory): all free,
	 * count 0. Only the header needs writing. */
	memset(arr, 0, sizeof(*arr));
	memcpy(arr->name, name, strlen(name) + 1);
	arr->len = len;
	arr->elt_sz = elt_sz;
	arr->data = addr;
	eal_rwlock_init(&arr->rwlock);
	meta = fbarray_meta(arr);
	meta->magic = EAL_FBARRAY_MAGIC;
	meta->len = len;
	meta->elt_sz = elt_sz;
	meta->n_masks = mask_words(len);
	return 0;

fail_va:
	/* A failed MAP_FIXED may have unmapped the range: reserve it again. */
	if (va != NULL) {
		(void)eal__region_release(mcfg, va, size);
		eal__region_fbarray_free(mcfg, va, size);
	}
	return rc;
}

EAL_API int
eal_fbarray_init(struct eal_fbarray *arr, const char *name, unsigned int len, unsigned int elt_sz)
{
	int rc;

	if (arr == NULL)
		return eal__fail(-EINVAL);
	rc = check_params(name, len, elt_sz);
	if (rc < 0) {
		EAL_LOG(ERR, "fbarray init: invalid %s (name %s%s%s, len %u, elt_sz %u)",
			rc == -ENAMETOOLONG ? "name: too long" : "arguments",
			name != NULL ? "'" : "", name != NULL ? name : "NULL",
			name != NULL ? "'" : "", len, elt_sz);
		return eal__fail(rc);
	}
	pthread_mutex_lock(&areas_lock);
	rc = fbarray_init(arr, name, len, elt_sz);
	pthread_mutex_unlock(&areas_lock);
	return rc < 0 ? eal__fail(rc) : 0;
}

/* Check that the mapped metadata describes the caller's struct. */
static int
attach_check_meta(const struct eal_fbarray *arr)
{
	const struct eal_fbarray_meta *meta = fbarray_meta(arr);

	if (meta->magic != EAL_FBARRAY_MAGIC || meta->len != arr->len ||
	    meta->elt_sz != arr->elt_sz || meta->n_masks != mask_words(arr->len)) {
		EAL_LOG(ERR, "fbarray '%s': the file describes %u elements of %u bytes (magic 0x%08x), the struct %u of %u; the struct is corrupt or from another build",
			arr->name, meta->len, meta->elt_sz, meta->magic, arr->len, arr->elt_sz);
		return -EINVAL;
	}
	/* Bits past the last element are never set: searches would find
	 * elements that do not exist. (A count that disagrees with the mask
	 * can be a writer's transient state, or a dead one's: the next
	 * writer recounts.) */
	if ((fbarray_mask(arr)[mask_words(arr->len) - 1] & ~tail_bits(arr->len)) != 0) {
		EAL_LOG(ERR, "fbarray '%s': the file marks elements past its length %u as used; the file is corrupt",
			arr->name, arr->len);
		return -EINVAL;
	}
	return 0;
}

/* Map @fd at arr->data. Inside the address region that range is reserved
 * in every process: map over the reservation, but only in the fbarray
 * area and where no array of ours is (a corrupt struct could point at the
 * config or at memory). Elsewhere the range must be free. */
static int
attach_map(const struct eal_fbarray *arr, size_t size, int fd, void **ret_addr)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	int rc;

	if (!eal__region_contains(mcfg, arr->data, size))
		return eal__os_mmap(arr->data, size, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0, ret_addr);
	if (!eal__region_in_fbarray_area(mcfg, arr->data, size) || area_overlaps(arr->data, size))
		return -EEXIST;
	rc = eal__os_mmap_fixed(arr->data, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rc == 0)
		*ret_addr = arr->data;
	return rc;
}

/* Attach in this order: cheap local checks, open, shared lock (so the
 * file cannot be destroyed or re-created under us), size check, map at
 * the fixed address, header check. Each failure undoes what was done. */
static int
fbarray_attach(const struct eal_fbarray *arr, size_t size)
{
	char path[PATH_MAX];
	uint64_t fsize;
	void *addr;
	int fd, rc;

	/* Another mapping over the range is caught by MAP_FIXED_NOREPLACE;
	 * an array at this very address is a double attach. */
	if (area_find(arr->data) != NULL) {
		EAL_LOG(ERR, "fbarray '%s': an array is already mapped at %p in this process (attached twice?)",
			arr->name, arr->data);
		return -EEXIST;
	}
	if (eal__runtime_dir_path() == NULL) {
		EAL_LOG(ERR, "fbarray '%s': cannot attach without shared files (no eal_init, --no-shconf or --in-memory)",
			arr->name);
		return -ENOTSUP;
	}
	rc = fbarray_path(path, sizeof(path), arr->name);
	if (rc == 0)
		rc = eal__os_open(path, O_RDWR, 0, &fd);
	if (rc == -ELOOP)
		log_symlink(arr->name, path);
	else if (rc < 0)
		EAL_LOG(ERR, "fbarray '%s': cannot open its file: %s (was it created with this --file-prefix?)",
			arr->name, eal_strerror(rc));
	if (rc < 0)
		return rc;
	/* Only fails while someone initialises or destroys the file. */
	rc = eal__os_flock(fd, LOCK_SH | LOCK_NB);
	if (rc < 0) {
		rc = rc == -EWOULDBLOCK ? -EBUSY : rc;
		EAL_LOG(ERR, "fbarray '%s': %s is being created or destroyed: %s", arr->name, path,
			eal_strerror(rc));
		goto opened;
	}
	rc = eal__os_fsize(fd, &fsize);
	if (rc == 0 && fsize != size) {
		EAL_LOG(ERR, "fbarray '%s': %s has %" PRIu64 " bytes, but len %u and elt_sz %u need %zu; the file is truncated or foreign, or the struct is corrupt or from another build",
			arr->name, path, fsize, arr->len, arr->elt_sz, size);
		rc = -EINVAL;
	}
	if (rc < 0)
		goto opened;
	rc = attach_map(arr, size, fd, &addr);
	if (rc < 0) {
		if (rc == -EEXIST)
			rc = -EADDRINUSE;
		EAL_LOG(ERR, "fbarray '%s': cannot map %s at %p: %s (something else, maybe another fbarray, uses that address range in this process)",
			arr->name, path, arr->data, eal_strerror(rc));
		goto opened;
	}
	rc = attach_check_meta(arr);
	if (rc == 0)
		rc = area_add(addr, size, fd, false, path);
	if (rc < 0)
		goto mapped;
	return 0;

mapped:
	(void)eal__region_release(eal__mcfg(), addr, size);
opened:
	/* Closing drops LOCK_SH. */
	(void)eal__os_close(fd);
	return rc;
}

/* Don't trust the fields of a struct found in shared memory. */
static int
check_struct(const struct eal_fbarray *arr, size_t *ret_size)
{
	int rc;

	if (arr == NULL)
		return -EINVAL;
	rc = check_params(arr->name, arr->len, arr->elt_sz);
	if (rc == 0)
		rc = mapping_size(arr->len, arr->elt_sz, ret_size);
	if (rc == 0 && (arr->data == NULL ||
			((uintptr_t)arr->data & (eal__os_page_size() - 1)) != 0 ||
			arr->count > arr->len))
		rc = -EINVAL;
	return rc;
}

EAL_API int
eal_fbarray_attach(struct eal_fbarray *arr)
{
	size_t size;
	int rc;

	rc = check_struct(arr, &size);
	if (rc < 0) {
		EAL_LOG(ERR, "fbarray attach: invalid struct (NULL, bad name, len, elt_sz, count or data address)");
		return eal__fail(rc);
	}
	pthread_mutex_lock(&areas_lock);
	rc = fbarray_attach(arr, size);
	pthread_mutex_unlock(&areas_lock);
	return rc < 0 ? eal__fail(rc) : 0;
}

/* Find the area mapped at arr->data; the struct must still describe it.
 * Nothing mapped there (a zeroed struct after destroy, too) is ENOENT,
 * as DPDK. */
static int
lookup_area(const struct eal_fbarray *arr, const char *what, struct mapped_area **ret)
{
	struct mapped_area *a;
	size_t size;
	int rc;

	if (arr == NULL) {
		EAL_LOG(ERR, "fbarray %s: NULL array", what);
		return -EINVAL;
	}
	a = area_find(arr->data);
	if (a == NULL) {
		EAL_LOG(ERR, "fbarray '%.*s': cannot %s: nothing is mapped at %p in this process",
			EAL_FBARRAY_NAME_LEN - 1, arr->name, what, arr->data);
		return -ENOENT;
	}
	rc = check_struct(arr, &size);
	if (rc == 0 && a->size != size)
		rc = -EINVAL;
	if (rc < 0) {
		EAL_LOG(ERR, "fbarray '%.*s': cannot %s: the struct (len %u, elt_sz %u, count %u) does not describe the %zu-byte mapping at %p",
			EAL_FBARRAY_NAME_LEN - 1, arr->name, what, arr->len, arr->elt_sz,
			arr->count, a->size, arr->data);
		return rc;
	}
	*ret = a;
	return 0;
}

EAL_API int
eal_fbarray_detach(struct eal_fbarray *arr)
{
	struct mapped_area *a;
	int rc;

	pthread_mutex_lock(&areas_lock);
	rc = lookup_area(arr, "detach", &a);
	if (rc == 0)
		area_unmap(a, false);
	pthread_mutex_unlock(&areas_lock);
	return rc < 0 ? eal__fail(rc) : 0;
}

EAL_API int
eal_fbarray_destroy(struct eal_fbarray *arr)
{
	struct mapped_area *a;
	int rc;

	/* areas_lock is held throughout, so another thread of this process
	 * cannot attach the array between the lock upgrade and the unmap. */
	pthread_mutex_lock(&areas_lock);
	rc = lookup_area(arr, "destroy", &a);
	if (rc == 0) {
		rc = area_remove_file(a);
		if (rc == -EBUSY)
			EAL_LOG(DEBUG, "fbarray '%s': cannot destroy: another process is using it",
				arr->name);
		else if (rc < 0)
			EAL_LOG(ERR, "fbarray '%s': cannot remove %s: %s", arr->name, a->path,
				eal_strerror(rc));
	}
	if (rc == 0) {
		area_unmap(a, true);
		memset(arr, 0, sizeof(*arr));
	}
	pthread_mutex_unlock(&areas_lock);
	return rc < 0 ? eal__fail(rc) : 0;
}

void
eal__fbarray_forget_all(void)
{
	pthread_mutex_lock(&areas_lock);
	while (areas != NULL) {
		/* Files we created and nobody else maps go too, so cleanup
		 * leaves the runtime directory empty; detach semantics for
		 * the rest. */
		bool removed = areas->created && area_remove_file(areas) == 0;

		area_unmap(areas, removed);
	}
	pthread_mutex_unlock(&areas_lock);
}

/* ------------------------------------------------------------------------
 * Dump
 */

/* Whether arr looks like an array mapped here (a dump must not fault). */
static bool
dump_is_mapped(const struct eal_fbarray *arr)
{
	struct mapped_area *a;
	size_t size;
	bool ok;

	pthread_mutex_lock(&areas_lock);
	ok = check_struct(arr, &size) == 0 && (a = area_find(arr->data)) != NULL &&
	     a->size == size;
	pthread_mutex_unlock(&areas_lock);
	return ok;
}

EAL_API void
eal_fbarray_dump_metadata(struct eal_fbarray *arr, FILE *f)
{
	const uint64_t *m;

	if (arr == NULL || f == NULL) {
		(void)eal__fail(-EINVAL);
		return;
	}
	/* Reading the mask of an array that is not mapped here would
	 * fault: print DPDK's line for an invalid array instead. */
	if (!dump_is_mapped(arr)) {
		fprintf(f, "Invalid file-backed array\n");
		return;
	}
	eal_rwlock_read_lock(&arr->rwlock);
	fprintf(f, "File-backed array: %s\n", arr->name);
	fprintf(f, "size: %u occupied: %u elt_sz: %u\n", arr->len, arr->count, arr->elt_sz);
	m = fbarray_mask(arr);
	for (unsigned int i = 0; i < mask_words(arr->len); i++)
		fprintf(f, "msk idx %u: 0x%016" PRIx64 "\n", i, m[i]);
	eal_rwlock_read_unlock(&arr->rwlock);
}
