/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The public heap API (include/eal/eal_malloc.h): argument checks, eal_errno,
 * zeroing and the copy of a moving realloc, over the heap set of
 * src/eal_malloc_heap.c. Writes nothing in the shared config itself.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_HEAP

#include <errno.h>
#include <string.h>

#include "eal_malloc.h"
#include "eal_malloc_heap.h"
#include "eal_memcfg.h"
#include "eal_private.h"

static void *
heap_alloc(size_t size, unsigned int align, int socket)
{
	void *p = NULL;
	int rc;

	if (size == 0 || (align & (align - 1)) != 0) {
		return eal__fail_null(-EINVAL);
	}
	rc = eal__malloc_heap_alloc(socket, size, align != 0 ? align : EAL_CACHE_LINE_SIZE, 0, 0,
				    &p, NULL, NULL);
	if (rc < 0) /* before eal_init: no memory, as DPDK says */
		return eal__fail_null(rc == -ENODEV ? -ENOMEM : rc);
	return p;
}

EAL_API void *
eal_malloc_socket(const char *type, size_t size, unsigned int align, int socket)
{
	(void)type;
	return heap_alloc(size, align, socket);
}

EAL_API void *
eal_malloc(const char *type, size_t size, unsigned int align)
{
	return eal_malloc_socket(type, size, align, EAL_SOCKET_ID_ANY);
}

EAL_API void *
eal_zmalloc_socket(const char *type, size_t size, unsigned int align, int socket)
{
	void *p = eal_malloc_socket(type, size, align, socket);

	/* Blocks are reused without clearing: clear here, only what the
	 * caller asked for. */
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

EAL_API void *
eal_zmalloc(const char *type, size_t size, unsigned int align)
{
	return eal_zmalloc_socket(type, size, align, EAL_SOCKET_ID_ANY);
}

EAL_API void *
eal_calloc_socket(const char *type, size_t num, size_t size, unsigned int align, int socket)
{
	size_t total;

	if (__builtin_mul_overflow(num, size, &total)) {
		return eal__fail_null(-EINVAL);
	}
	return eal_zmalloc_socket(type, total, align, socket);
}

EAL_API void *
eal_calloc(const char *type, size_t num, size_t size, unsigned int align)
{
	return eal_calloc_socket(type, num, size, align, EAL_SOCKET_ID_ANY);
}

EAL_API void *
eal_realloc_socket(void *ptr, size_t size, unsigned int align, int socket)
{
	struct eal_malloc_heap *heap;
	size_t old;
	void *q;
	int rc;

	if (ptr == NULL)
		return eal_malloc_socket(NULL, size, align, socket);
	if (size == 0 || (align & (align - 1)) != 0) {
		return eal__fail_null(-EINVAL);
	}
	if (eal__malloc_heap_owner(ptr, "realloc", &heap) < 0) {
		return eal__fail_null(-EINVAL);
	}
	(void)eal__heap_lock(heap);
	old = eal__heap_usable_size(ptr);
	rc = -EINVAL;
	if (old != 0 && (socket == EAL_SOCKET_ID_ANY || socket == heap->socket_id) &&
	    ((uintptr_t)ptr & ((align != 0 ? align : EAL_CACHE_LINE_SIZE) - 1)) == 0)
		rc = eal__heap_realloc_in_place(ptr, size);
	eal__heap_unlock(heap);
	if (old == 0) {
		return eal__fail_null(-EINVAL);
	}
	if (rc == 0)
		return ptr;
	q = eal_malloc_socket(NULL, size, align, socket);
	if (q == NULL)
		return NULL;
	memcpy(q, ptr, old < size ? old : size);
	(void)eal__malloc_heap_free(ptr);
	return q;
}

EAL_API void *
eal_realloc(void *ptr, size_t size, unsigned int align)
{
	return eal_realloc_socket(ptr, size, align, EAL_SOCKET_ID_ANY);
}

EAL_API void
eal_free(void *ptr)
{
	if (ptr != NULL)
		(void)eal__malloc_heap_free(ptr);
}

EAL_API eal_iova_t
eal_malloc_virt2iova(const void *addr)
{
	return eal_mem_virt2iova(addr);
}

EAL_API int
eal_malloc_get_socket_stats(int socket, struct eal_malloc_socket_stats *stats)
{
	struct eal__heap_stats st;

	if (stats == NULL || socket < 0 || socket >= EAL_MAX_NUMA_NODES)
		return eal__fail(-EINVAL);
	eal__malloc_heaps_stats(socket, &st);
	stats->heap_totalsz_bytes = st.heap_totalsz_bytes;
	stats->heap_freesz_bytes = st.heap_freesz_bytes;
	stats->greatest_free_size = st.greatest_free_size;
	stats->free_count = st.free_count;
	stats->alloc_count = st.alloc_count;
	stats->heap_allocsz_bytes = st.heap_allocsz_bytes;
	return 0;
}

EAL_API void
eal_malloc_dump_stats(FILE *f, const char *type)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	(void)type;
	if (f == NULL)
		f = stdout;
	for (unsigned int i = 0; mcfg != NULL && i < mcfg->n_heaps; i++) {
		struct eal_malloc_heap *heap = &mcfg->malloc_heaps[i].heap;
		struct eal__heap_stats st;

		(void)eal__heap_lock(heap);
		eal__heap_stats(heap, &st);
		eal__heap_unlock(heap);
		fprintf(f, "heap %s: socket %d, total %zu, free %zu, greatest free %zu, %u allocations, %u free blocks\n",
			heap->name, heap->socket_id, st.heap_totalsz_bytes, st.heap_freesz_bytes,
			st.greatest_free_size, st.alloc_count, st.free_count);
	}
}

EAL_API int
eal_malloc_validate(void)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	int bad = 0;

	for (unsigned int i = 0; mcfg != NULL && i < mcfg->n_heaps; i++) {
		struct eal_malloc_heap *heap = &mcfg->malloc_heaps[i].heap;
		char why[256];
		int rc;

		(void)eal__heap_lock(heap);
		rc = eal__heap_validate(heap, why, sizeof(why));
		eal__heap_unlock(heap);
		if (rc < 0) {
			EAL_LOG(ERR, "heap %s is corrupt: %s", heap->name, why);
			bad = rc;
		}
	}
	return bad < 0 ? eal__fail(bad) : 0;
}
