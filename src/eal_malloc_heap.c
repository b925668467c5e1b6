/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The set of heaps in the shared config, and how they grow and shrink.
 * Owns mcfg->n_heaps and mcfg->malloc_heaps[].
 *
 * One heap per memory type (NUMA node x page size), so that a request for
 * a page size (the EAL_MEMZONE_* size flags) is a choice of heap, and the
 * O(1) heap (src/eal_malloc_elem.c) never has to filter blocks. A request
 * tries the heaps of its node, smallest page size first; EAL_SOCKET_ID_ANY
 * tries the calling thread's node first, then the others.
 *
 * Growth: when no heap has a block, the page allocator maps enough pages
 * of the heap's size (src/eal_memalloc.c) and they become a new region of
 * that heap. The pages are mapped without the heap lock held, then the
 * lock is taken to add and allocate. The lock order is the one of
 * src/eal_memcfg.h (mlock, heap locks, the memory hotplug lock): a shrink
 * holds its heap's lock while the page allocator takes the hotplug lock,
 * and the reclaim of pages in no heap takes every heap lock, in index
 * order, before the hotplug lock; nothing takes a heap lock while holding
 * the hotplug lock.
 *
 * Shrink: after a free, whole pages of free blocks beyond one page's
 * worth of free memory per heap (the hysteresis that keeps a malloc/free
 * loop at a page boundary from mapping and unmapping every time) go back
 * to the page allocator and the kernel. Pinned pages (-m) never go. The
 * scan for such pages runs only when a free may have made one
 * (free_may_release): not on the hot path of small allocations.
 * Legacy and no-huge memory never grows or shrinks.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_HEAP

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_internal_cfg.h"
#include "eal_malloc_heap.h"
#include "eal_memcfg.h"
#include "eal_memzone.h" /* the EAL_MEMZONE_* flags */
#include "eal_os.h"
#include "eal_private.h"

/* Space an allocation needs beyond its size in a new region: region
 * header, block header, trailer slack, end sentinel. */
#define GROW_OVERHEAD (4u * EAL__HEAP_HDR_SIZE)

static const struct {
	unsigned int flag;
	uint64_t size;
} page_flags[] = {
	{ EAL_MEMZONE_256KB, 256ull << 10 }, { EAL_MEMZONE_2MB, 2ull << 20 },
	{ EAL_MEMZONE_16MB, 16ull << 20 },   { EAL_MEMZONE_256MB, 256ull << 20 },
	{ EAL_MEMZONE_512MB, 512ull << 20 }, { EAL_MEMZONE_1GB, 1ull << 30 },
	{ EAL_MEMZONE_4GB, 4ull << 30 },     { EAL_MEMZONE_16GB, 16ull << 30 },
};

static unsigned int
page_flag_mask(void)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < EAL_DIM(page_flags); i++)
		m |= page_flags[i].flag;
	return m;
}

/* Whether @page_sz is among the sizes @flags asks for (none: any). */
static bool
page_size_wanted(unsigned int flags, uint64_t page_sz)
{
	if ((flags & page_flag_mask()) == 0)
		return true;
	for (unsigned int i = 0; i < EAL_DIM(page_flags); i++)
		if ((flags & page_flags[i].flag) && page_flags[i].size == page_sz)
			return true;
	return false;
}

static struct eal_mcfg_heap *
heap_find(struct eal_mem_config *mcfg, int socket, uint64_t page_sz)
{
	for (unsigned int i = 0; i < mcfg->n_heaps; i++)
		if (mcfg->malloc_heaps[i].heap.socket_id == socket &&
		    mcfg->malloc_heaps[i].page_sz == page_sz)
			return &mcfg->malloc_heaps[i];
	return NULL;
}

/* Remember [lo, hi) as pinned; a run already known is extended. */
static void
pinned_add(struct eal_mcfg_heap *h, uint64_t lo, uint64_t hi)
{
	if (h->n_pinned == EAL_MCFG_HEAP_PINNED_UNKNOWN)
		return;
	for (uint32_t i = 0; i < h->n_pinned; i++) {
		if (h->pinned[i][1] == lo) {
			h->pinned[i][1] = hi;
			return;
		}
		if (h->pinned[i][0] == hi) {
			h->pinned[i][0] = lo;
			return;
		}
	}
	if (h->n_pinned == EAL_MCFG_HEAP_PINNED) {
		h->n_pinned = EAL_MCFG_HEAP_PINNED_UNKNOWN;
		return;
	}
	h->pinned[h->n_pinned][0] = lo;
	h->pinned[h->n_pinned][1] = hi;
	h->n_pinned++;
}

/*
 * Whether freeing @f may have made pages worth giving back, so that the
 * release (a scan of the big free blocks) runs only then:
 * - a whole page of the merged free block overlaps the freed block, and
 *   is not pinned: a page that just became free;
 * - or a page's worth of memory came free since the heap's lowest point
 *   after the last attempt: whole pages the hysteresis kept then, or that
 *   growth mapped, may go now.
 * Neither holds when a free merges into the big pinned block of -m, which
 * otherwise would be tried, and refused, at every free.
 */
static bool
free_may_release(const struct eal_mcfg_heap *h, const struct eal__heap_freed *f)
{
	uint64_t pg = h->page_sz;
	/* with the region header before and the end sentinel after, which
	 * go with the block's pages when it fills its region */
	uint64_t lo = EAL_ALIGN_CEIL(f->merged_lo - EAL__HEAP_HDR_SIZE, pg);
	uint64_t hi = EAL_ALIGN_FLOOR(f->merged_hi + EAL__HEAP_HDR_SIZE, pg);

	if (h->heap.free_size >= h->release_low + pg)
		return true;
	if (EAL_ALIGN_FLOOR(f->lo, pg) > lo)
		lo = EAL_ALIGN_FLOOR(f->lo, pg);
	if (EAL_ALIGN_CEIL(f->hi, pg) < hi)
		hi = EAL_ALIGN_CEIL(f->hi, pg);
	if (lo >= hi)
		return false;
	if (h->n_pinned == EAL_MCFG_HEAP_PINNED_UNKNOWN)
		return true;
	for (uint32_t i = 0; i < h->n_pinned; i++)
		if (h->pinned[i][0] <= lo && hi <= h->pinned[i][1])
			return false;
	return true;
}

static int
heap_add_run(const struct eal_memseg_list *msl, const struct eal_memseg *ms, size_t len, void *arg)
{
	struct eal_mem_config *mcfg = arg;
	struct eal_mcfg_heap *h = heap_find(mcfg, msl->socket_id, msl->page_sz);
	int rc;

	if (h == NULL)
		return -1;
	rc = eal__heap_add_memory(&h->heap, ms->addr, len);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot give %zu bytes at %p to heap %s: %s", len, ms->addr,
			h->heap.name, eal_strerror(rc));
		return -1;
	}
	if (ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE)
		pinned_add(h, (uintptr_t)ms->addr, (uintptr_t)ms->addr + len);
	return 0;
}

int
eal__malloc_heaps_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	if (cfg->process_type != EAL_PROC_PRIMARY) {
		/* The heaps are in the shared config already; a process that
		 * died before this one came may have left pages in none. */
		eal__malloc_heaps_reclaim();
		return 0;
	}
	mcfg->n_heaps = 0;
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &mcfg->memsegs[i];
		struct eal_mcfg_heap *h;
		char name[EAL__HEAP_NAME_LEN];

		if (msl->base_va == NULL || heap_find(mcfg, msl->socket_id, msl->page_sz) != NULL)
			continue;
		if (mcfg->n_heaps == EAL_MAX_HEAPS) {
			EAL_LOG(ERR, "more memory types than heaps (%d): raise the max_heaps build option",
				EAL_MAX_HEAPS);
			return -ENOSPC;
		}
		h = &mcfg->malloc_heaps[mcfg->n_heaps++];
		snprintf(name, sizeof(name), "socket_%d_%" PRIu64 "kB", msl->socket_id,
			 msl->page_sz >> 10);
		eal__heap_init(&h->heap, name, msl->socket_id);
		h->n_pinned = 0;
		h->release_low = 0;
		h->page_sz = msl->page_sz;
	}
	/* Memory mapped at init (no-huge, legacy, -m): to its heap, one
	 * region per VA-contiguous run. */
	if (eal_memseg_contig_walk_thread_unsafe(heap_add_run, mcfg) < 0)
		return -ENOMEM;
	return 0;
}

/* Whether [p, p + len) is contiguous in IOVA. */
static bool
iova_contig(const void *p, size_t len, uint64_t page_sz)
{
	uintptr_t a = (uintptr_t)p, end = a + len;
	eal_iova_t first = eal_mem_virt2iova(p);

	if (first == EAL_BAD_IOVA)
		return false;
	for (uintptr_t next = EAL_ALIGN_FLOOR(a, page_sz) + page_sz; next < end; next += page_sz)
		if (eal_mem_virt2iova((void *)next) != first + (next - a))
			return false;
	return true;
}

/* Allocate from @h, whose lock the caller holds; with IOVA_CONTIG a
 * block that is not is given back. */
static int
heap_alloc_locked(struct eal_mcfg_heap *h, size_t size, size_t align, size_t bound,
		  unsigned int flags, void **ret_ptr)
{
	void *p;
	int rc;

	rc = eal__heap_alloc(&h->heap, size, align, bound, &p);
	if (rc == 0 && (flags & EAL_MEMZONE_IOVA_CONTIG) && !iova_contig(p, size, h->page_sz)) {
		(void)eal__heap_free(p, NULL);
		rc = -ENOMEM;
	}
	if (rc == 0) {
		if (h->heap.free_size < h->release_low)
			h->release_low = h->heap.free_size;
		*ret_ptr = p;
	}
	return rc;
}

static int
heap_try(struct eal_mcfg_heap *h, size_t size, size_t align, size_t bound, unsigned int flags,
	 void **ret_ptr)
{
	int rc;

	(void)eal__heap_lock(&h->heap);
	rc = heap_alloc_locked(h, size, align, bound, flags, ret_ptr);
	eal__heap_unlock(&h->heap);
	return rc;
}

/* Map pages for one request and allocate from them. */
static int
heap_grow_try(struct eal_mcfg_heap *h, size_t size, size_t align, size_t bound,
	      unsigned int flags, void **ret_ptr)
{
	uint64_t need = (uint64_t)size + (align > EAL__HEAP_HDR_SIZE ? align : 0) + GROW_OVERHEAD;
	uint64_t n;

	/* Good fit searches from the next size class up (classes are 1/32
	 * of a power of two wide): the new block must reach past it. */
	need += need / 16;
	n = (need + h->page_sz - 1) / h->page_sz;
	void *addr;
	int rc, ticket;

	if (bound != 0 && bound < h->page_sz * n)
		n += (size + h->page_sz - 1) / h->page_sz; /* room to skip a boundary */
	if (n > UINT32_MAX)
		return -ENOMEM;
	rc = eal__memalloc_alloc_for_heap(h->page_sz, h->heap.socket_id, (unsigned int)n, &addr,
					  &ticket);
	if (rc < 0)
		return rc == -ENOTSUP ? -ENOMEM : rc;
	/* Added and allocated from in one lock hold: otherwise another
	 * thread could take the new block, or a concurrent free give the new
	 * pages straight back (shrink), and this request fail with ENOMEM
	 * while the pool is far from empty. The pages stop being in flight in
	 * the same hold: a reclaim (which takes every heap lock) sees them
	 * either in flight or in the heap. */
	(void)eal__heap_lock(&h->heap);
	rc = eal__heap_add_memory(&h->heap, addr, (size_t)(n * h->page_sz));
	if (rc == 0)
		EAL_TEST_POINT("heap-grown-in-flight");
	eal__memalloc_settle(ticket);
	if (rc < 0) {
		eal__heap_unlock(&h->heap);
		(void)eal__memalloc_free(addr, (size_t)(n * h->page_sz));
		return rc;
	}
	rc = heap_alloc_locked(h, size, align, bound, flags, ret_ptr);
	eal__heap_unlock(&h->heap);
	return rc;
}

static int
heaps_alloc(struct eal_mem_config *mcfg, int socket, size_t size, size_t align, size_t bound,
	    unsigned int flags, void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz)
{
	int sockets[EAL_MAX_NUMA_NODES], n_sockets = 0, here = 0, rc = -ENOMEM;
	bool saw_disabled = false;

	if (socket != EAL_SOCKET_ID_ANY) {		sockets[n_sockets++] = socket;
	} else {
		if (eal__os_numa_current_node(&here) < 0 || here >= EAL_MAX_NUMA_NODES)
			here = 0;
		sockets[n_sockets++] = here;
		for (int s = 0; s < EAL_MAX_NUMA_NODES; s++)
			if (s != here)
				sockets[n_sockets++] = s;
	}
	/* pass 0: existing blocks; pass 1: grow. Within a pass, the sizes
	 * asked for first; with SIZE_HINT_ONLY then any other size. */
	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < n_sockets; k++) {
			for (int strict = 1; strict >= 0; strict--) {
				if (!strict && !(flags & EAL_MEMZONE_SIZE_HINT_ONLY))
					break;
				for (unsigned int i = 0; i < mcfg->n_heaps; i++) {
					struct eal_mcfg_heap *h = &mcfg->malloc_heaps[i];

					if (h->heap.socket_id != sockets[k] ||
					    page_size_wanted(flags, h->page_sz) != (strict == 1))
						continue;
					/* disabled after a dead process left it
					 * corrupt (heap.md): the others serve */
					if (h->heap.broken) {
						saw_disabled = true;
						continue;
					}
					rc = pass == 0 ? heap_try(h, size, align, bound, flags, ret_ptr)
						       : heap_grow_try(h, size, align, bound, flags,
								       ret_ptr);
					if (rc == 0) {
						if (ret_socket != NULL)
							*ret_socket = h->heap.socket_id;
						if (ret_page_sz != NULL)
							*ret_page_sz = h->page_sz;
						return 0;
					}
					if (rc != -ENOMEM)
						return rc;
				}
				if ((flags & page_flag_mask()) == 0)
					break; /* every size was in the strict round */
			}
		}
	}
	return saw_disabled ? -EUCLEAN : -ENOMEM;
}

/* eal__memalloc_reclaim() callback: whether a heap has [addr, +len) in
 * one of its regions (@arg: the regions of every heap, from heaps_reclaim). */
struct heap_regions {
	unsigned int n[EAL_MAX_HEAPS];
	bool unknown[EAL_MAX_HEAPS]; /* the walk failed: take nothing from it */
	uintptr_t (*r[EAL_MAX_HEAPS])[2];
};

static bool
heap_owns(const void *addr, size_t len, void *arg)
{
	const struct eal_memseg_list *msl = eal_mem_virt2memseg_list(addr);
	struct eal_mem_config *mcfg = eal__mcfg();
	const struct heap_regions *hr = arg;
	uintptr_t a = (uintptr_t)addr;

	if (msl == NULL)
		return true;
	for (unsigned int i = 0; i < mcfg->n_heaps; i++) {
		if (mcfg->malloc_heaps[i].heap.socket_id != msl->socket_id ||
		    mcfg->malloc_heaps[i].page_sz != msl->page_sz)
			continue;
		if (hr->unknown[i])
			return true;
		for (unsigned int k = 0; k < hr->n[i]; k++)
			if (a < hr->r[i][k][1] && hr->r[i][k][0] < a + len)
				return true;
	}
	return false;
}

/*
 * Give back the pages that processes killed half-way through a heap's
 * growth or shrink left in no heap. Every heap lock is taken (in order;
 * nothing else holds two), which also runs any repair a dead holder made
 * necessary, then the page allocator's reclaim.
 */
static void
heaps_reclaim(struct eal_mem_config *mcfg)
{
	struct heap_regions hr = { { 0 }, { false }, { NULL } };
	uint64_t freed = 0;

	for (unsigned int i = 0; i < mcfg->n_heaps; i++) {
		struct eal_malloc_heap *heap = &mcfg->malloc_heaps[i].heap;

		(void)eal__heap_lock(heap);
		hr.r[i] = malloc(((size_t)heap->n_regions + 1) * sizeof(*hr.r[i]));
		hr.unknown[i] = hr.r[i] == NULL ||
				eal__heap_regions(heap, hr.r[i], heap->n_regions + 1, &hr.n[i]) < 0;
	}
	(void)eal__memalloc_reclaim(heap_owns, &hr, &freed);
	for (unsigned int i = mcfg->n_heaps; i-- > 0;) {
		eal__heap_unlock(&mcfg->malloc_heaps[i].heap);
		free(hr.r[i]);
	}
	if (freed != 0)
		EAL_LOG(DEBUG, "%" PRIu64 " MiB in no heap given back", freed >> 20);
}

int
eal__malloc_heap_alloc(int socket, size_t size, size_t align, size_t bound, unsigned int flags,
		       void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	int rc;

	if (mcfg == NULL)
		return -ENODEV;
	if (size == 0 || (align & (align - 1)) != 0 || (bound & (bound - 1)) != 0 ||
	    (socket != EAL_SOCKET_ID_ANY && (socket < 0 || socket >= EAL_MAX_NUMA_NODES)))
		return -EINVAL;
	if (EAL_UNLIKELY(eal__memalloc_reclaim_wanted()))
		heaps_reclaim(mcfg);
	rc = heaps_alloc(mcfg, socket, size, align, bound, flags, ret_ptr, ret_socket,
			 ret_page_sz);
	/* Out of memory: maybe because the dead still hold some. */
	if (rc == -ENOMEM && eal__memalloc_look_for_dead()) {
		heaps_reclaim(mcfg);
		rc = heaps_alloc(mcfg, socket, size, align, bound, flags, ret_ptr, ret_socket,
				 ret_page_sz);
	}
	return rc;
}

void
eal__malloc_heaps_reclaim(void)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	if (mcfg != NULL && eal__memalloc_look_for_dead())
		heaps_reclaim(mcfg);
}

/* The heap of the live allocation @ptr, when it is one of ours (read
 * without its lock: the caller locks it and the heap checks again). */
static struct eal_mcfg_heap *
heap_of(struct eal_mem_config *mcfg, const void *ptr)
{
	struct eal_malloc_heap *heap;

	if (eal__heap_of(ptr, &heap) < 0)
		return NULL;
	for (unsigned int i = 0; i < mcfg->n_heaps; i++)
		if (&mcfg->malloc_heaps[i].heap == heap)
			return &mcfg->malloc_heaps[i];
	return NULL;
}

/* eal__heap_release_pages() callback: give the pages to the allocator,
 * unless one is pinned (then the heap keeps the whole run). */
static int
release_run(void *addr, size_t len, void *arg)
{
	const struct eal_memseg_list *msl = eal_mem_virt2memseg_list(addr);

	(void)arg;
	if (msl == NULL)
		return -EINVAL;
	for (size_t off = 0; off < len; off += msl->page_sz) {
		const struct eal_memseg *ms = eal_mem_virt2memseg(EAL_PTR_ADD(addr, off), msl);

		if (ms == NULL || (ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE))
			return -EBUSY;
	}
	return eal__memalloc_free(addr, len);
}

/*
 * The heap of the live allocation @ptr with owner @tag, for @op; one ERR
 * line otherwise. The header below @ptr is read only in a page in use:
 * any other address may be unmapped (a stale pointer, a stray one).
 */
static int
owner_of(struct eal_mem_config *mcfg, const void *ptr, uint64_t tag, const char *op,
	 struct eal_mcfg_heap **ret)
{
	uintptr_t p = (uintptr_t)ptr;
	struct eal_mcfg_heap *h = NULL;

	if (mcfg == NULL)
		return -ENODEV;
	if (p >= EAL__HEAP_HDR_SIZE && p % EAL__HEAP_HDR_SIZE == 0 &&
	    eal__mem_in_use((const void *)(p - EAL__HEAP_HDR_SIZE)))
		h = heap_of(mcfg, ptr);
	if (h == NULL) {
		EAL_LOG(ERR, "%s(%p): not memory from a libeal heap, or freed already; nothing done",
			op, ptr);
		return -EINVAL;
	}
	if (eal__heap_tag(ptr) != tag) {
		if (tag == EAL__HEAP_TAG_MALLOC)
			EAL_LOG(ERR, "%s(%p): the memory of a memzone, which only eal_memzone_free() gives back; nothing done",
				op, ptr);
		else
			EAL_LOG(ERR, "%s(%p): not a memzone's memory; nothing done", op, ptr);
		return -EINVAL;
	}
	*ret = h;
	return 0;
}

int
eal__malloc_heap_owner(const void *ptr, const char *op, struct eal_malloc_heap **ret_heap)
{
	struct eal_mcfg_heap *h;
	int rc = owner_of(eal__mcfg(), ptr, EAL__HEAP_TAG_MALLOC, op, &h);

	if (rc == 0)
		*ret_heap = &h->heap;
	return rc;
}

static int
heap_free(void *ptr, uint64_t tag)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	struct eal_mcfg_heap *h;
	struct eal__heap_freed span;
	int rc;

	rc = owner_of(mcfg, ptr, tag, "free", &h);
	if (rc < 0)
		return rc;
	(void)eal__heap_lock(&h->heap);
	rc = eal__heap_free_span(ptr, NULL, &span);
	if (rc == 0 && !mcfg->legacy_mem && !mcfg->no_huge &&
	    h->heap.free_size > h->page_sz + GROW_OVERHEAD && free_may_release(h, &span)) {
		(void)eal__heap_release_pages(&h->heap, h->page_sz, h->page_sz, release_run, NULL);
		h->release_low = h->heap.free_size;
	}
	eal__heap_unlock(&h->heap);
	return rc;
}

int
eal__malloc_heap_free(void *ptr)
{
	return heap_free(ptr, EAL__HEAP_TAG_MALLOC);
}

int
eal__malloc_heap_free_zone(void *ptr)
{
	return heap_free(ptr, EAL__HEAP_TAG_MEMZONE);
}

/* A memzone's block is tagged before the zone is published: a process
 * killed in between leaves an untagged block in no zone, which only
 * leaks it, as a kill before the publish always did. */
int
eal__malloc_heap_alloc_zone(int socket, size_t size, size_t align, size_t bound,
			    unsigned int flags, void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz)
{
	struct eal_mcfg_heap *h;
	void *ptr;
	int rc;

	rc = eal__malloc_heap_alloc(socket, size, align, bound, flags, &ptr, ret_socket,
				    ret_page_sz);
	if (rc < 0)
		return rc;
	h = heap_of(eal__mcfg(), ptr);
	EAL_ASSERT_INTERNAL(h != NULL);
	(void)eal__heap_lock(&h->heap);
	rc = eal__heap_tag_set(ptr, EAL__HEAP_TAG_MEMZONE);
	eal__heap_unlock(&h->heap);
	if (rc < 0) {
		(void)eal__malloc_heap_free(ptr);
		return rc;
	}
	*ret_ptr = ptr;
	return 0;
}

int
eal__malloc_heap_biggest_free(int socket, unsigned int flags, size_t align, size_t *ret_len)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	size_t best = 0;

	if (mcfg == NULL)
		return -ENODEV;
	for (unsigned int i = 0; i < mcfg->n_heaps; i++) {
		struct eal_mcfg_heap *h = &mcfg->malloc_heaps[i];
		struct eal__heap_stats st;

		if ((socket != EAL_SOCKET_ID_ANY && h->heap.socket_id != socket) ||
		    (!(flags & EAL_MEMZONE_SIZE_HINT_ONLY) && !page_size_wanted(flags, h->page_sz)))
			continue;
		(void)eal__heap_lock(&h->heap);
		eal__heap_stats(&h->heap, &st);
		eal__heap_unlock(&h->heap);
		/* What a block of that size can give: less its header, and
		 * the worst alignment gap. */
		/* Less its header, the worst alignment gap and one size class
		 * (1/32 of a power of two): the search starts a class up. */
		if (st.greatest_free_size > 2 * EAL__HEAP_HDR_SIZE + align + st.greatest_free_size / 16) {
			size_t usable = st.greatest_free_size - st.greatest_free_size / 16 -
					2 * EAL__HEAP_HDR_SIZE - (align > EAL__HEAP_HDR_SIZE ? align : 0);

			if (usable > best)
				best = usable;
		}
	}
	*ret_len = EAL_ALIGN_FLOOR(best, (size_t)EAL_CACHE_LINE_SIZE);
	return best != 0 ? 0 : -ENOMEM;
}

void
eal__malloc_heaps_stats(int socket, struct eal__heap_stats *out)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	memset(out, 0, sizeof(*out));
	for (unsigned int i = 0; mcfg != NULL && i < mcfg->n_heaps; i++) {
		struct eal_mcfg_heap *h = &mcfg->malloc_heaps[i];
		struct eal__heap_stats st;

		if (h->heap.socket_id != socket)
			continue;
		(void)eal__heap_lock(&h->heap);
		eal__heap_stats(&h->heap, &st);
		eal__heap_unlock(&h->heap);
		out->heap_totalsz_bytes += st.heap_totalsz_bytes;
		out->heap_freesz_bytes += st.heap_freesz_bytes;
		out->heap_allocsz_bytes += st.heap_allocsz_bytes;
		out->free_count += st.free_count;
		out->alloc_count += st.alloc_count;
		if (st.greatest_free_size > out->greatest_free_size)
			out->greatest_free_size = st.greatest_free_size;
	}
}
