/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memseg lists: VA reservation, creation (primary), attach (secondary),
 * walks and address translation. Owns mcfg->memsegs[], n_memseg_lists and
 * mem_va_addr/len.
 *
 * Every list of the application is carved from ONE range of the address
 * region (src/eal_region.c), right after its head, each list aligned to
 * its page size. A secondary has reserved the whole region, lists
 * included, before it maps anything (DPDK 22.11 makes one call per list
 * at addresses the kernel chose for the primary), so attaching the lists
 * cannot meet an address clash.
 *
 * Locks: walks take the memory hotplug lock for reading; creation and
 * attach run inside eal_init before anything else can see the lists.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMSEG

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "eal.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

static void
lists_undo(struct eal_mem_config *mcfg, unsigned int n, bool primary)
{
	while (n-- > 0) {
		struct eal_fbarray *arr = &mcfg->memsegs[n].memseg_arr;

		/* A primary whose secondaries still run cannot destroy the
		 * fbarray (EBUSY): it only detaches; the file goes with the
		 * last user. */
		if (!primary || eal_fbarray_destroy(arr) < 0)
			(void)eal_fbarray_detach(arr);
	}
}

/*
 * The reservation is address space only (PROT_NONE, MAP_NORESERVE: no
 * memory, no commit charge), but RLIMIT_AS counts it all, and dynamic
 * memory reserves for the most it may ever grow to (64 GiB per page size
 * and node by default). ENOMEM from mmap here is nearly always `ulimit
 * -v`: say so, with the size, and name the option that makes it smaller.
 */
static void
reserve_failed(const struct eal_mem_config *mcfg, uint64_t total, int rc)
{
	const char *fix;

	if (rc != -ENOMEM) {
		EAL_LOG(ERR, "cannot reserve %" PRIu64 " MiB of address space for memory: %s",
			total >> 20, eal_strerror(rc));
		return;
	}
	if (mcfg->no_huge || mcfg->legacy_mem)
		fix = "ask for less memory with -m";
	else
		fix = "use --legacy-mem, which reserves only the memory -m/--socket-mem map (dynamic memory reserves room to grow), or rebuild with a smaller -Dmax_mem_mb_per_type";
	EAL_LOG(ERR, "cannot reserve %" PRIu64 " MiB of address space for memory: %s; it is address space only, not memory, but the address-space limit (ulimit -v) counts it: raise the limit, or %s",
		total >> 20, eal_strerror(rc), fix);
}

int
eal__memseg_lists_create(struct eal_mem_config *mcfg, const struct eal__msl_spec *specs,
			 unsigned int n)
{
	uint64_t max_align = eal__os_page_size(), total = 0, off = 0, base;
	unsigned int i;
	int rc;

	if (n == 0 || n > EAL_MAX_MEMSEG_LISTS) {
		EAL_LOG(ERR, "%u memseg lists requested, at most %d fit (max_memseg_lists)", n,
			EAL_MAX_MEMSEG_LISTS);
		return -ENOSPC;
	}
	for (i = 0; i < n; i++) {
		if (specs[i].page_sz > max_align)
			max_align = specs[i].page_sz;
		total = EAL_ALIGN_CEIL(total, specs[i].page_sz) +
			(uint64_t)specs[i].n_segs * specs[i].page_sz;
	}
	rc = eal__region_take_mem(mcfg, total, max_align, &base);
	if (rc == -EADDRINUSE)
		return rc; /* logged, with what holds the range */
	if (rc < 0) {
		reserve_failed(mcfg, total, rc);
		return rc;
	}

	for (i = 0; i < n; i++) {
		struct eal_memseg_list *msl = &mcfg->memsegs[i];
		char name[EAL_FBARRAY_NAME_LEN];

		off = EAL_ALIGN_CEIL(off, specs[i].page_sz);
		memset(msl, 0, sizeof(*msl));
		msl->base_va = (void *)(uintptr_t)(base + off);
		msl->page_sz = specs[i].page_sz;
		msl->socket_id = specs[i].socket;
		msl->len = (size_t)specs[i].n_segs * specs[i].page_sz;
		snprintf(name, sizeof(name), "memseg-%" PRIu64 "k-%d-%u", specs[i].page_sz >> 10,
			 specs[i].socket, i);
		rc = eal_fbarray_init(&msl->memseg_arr, name, specs[i].n_segs,
				      sizeof(struct eal_memseg));
		if (rc < 0) {
			rc = -eal_errno;
			EAL_LOG(ERR, "cannot create memseg list %s: %s", name, eal_strerror(rc));
			lists_undo(mcfg, i, true);
			return rc;
		}
		off += msl->len;
	}
	mcfg->mem_va_addr = base;
	mcfg->mem_va_len = total;
	mcfg->n_memseg_lists = n;
	return 0;
}

/*
 * DPDK 22.11's sizing of memseg lists for dynamic memory
 * (eal_dynmem_memseg_lists_init), per memory type (page size x node):
 *
 *   max_mem_type = min(MAX_MEM_MB_PER_TYPE, MAX_MEM_MB / n_types)
 *   segs_type    = min(max_mem_type / page size, MAX_MEMSEG_PER_TYPE)
 *   segs_list    = min(segs_type, MAX_MEMSEG_PER_LIST)
 *   mem_list     = min(segs_list x page size, MAX_MEM_MB_PER_LIST)
 *   n_segs       = min(segs_list, mem_list / page size)
 *   n_lists      = min(segs_type / n_segs, max_mem_type / mem_list,
 *                      MAX_MEMSEG_LISTS / n_types)
 *
 * e.g. 2 MiB pages on one node: 4 lists of 8192 segments (64 GiB of VA);
 * 1 GiB pages: 2 lists of 32. Types come page size first (largest first,
 * as @page_sizes is sorted), then node.
 */
int
eal__memseg_lists_plan(const uint64_t *page_sizes, unsigned int n_sizes, unsigned int n_sockets,
		       struct eal__msl_spec *out, unsigned int max, unsigned int *ret_n)
{
	const uint64_t mib = 1ull << 20;
	unsigned int n_types = n_sizes * n_sockets, n = 0;

	if (n_types == 0 || n_types > EAL_MAX_MEMSEG_LISTS)
		return -EINVAL;
	for (unsigned int t = 0; t < n_types; t++) {
		uint64_t pgsz = page_sizes[t / n_sockets];
		uint64_t max_mem_type, segs_type, segs_list, mem_list, n_segs, n_lists;

		if (pgsz == 0 || (pgsz & (pgsz - 1)) != 0)
			return -EINVAL;
		max_mem_type = (uint64_t)EAL_MAX_MEM_MB_PER_TYPE * mib;
		if ((uint64_t)EAL_MAX_MEM_MB * mib / n_types < max_mem_type)
			max_mem_type = (uint64_t)EAL_MAX_MEM_MB * mib / n_types;
		segs_type = max_mem_type / pgsz;
		if (segs_type > EAL_MAX_MEMSEG_PER_TYPE)
			segs_type = EAL_MAX_MEMSEG_PER_TYPE;
		segs_list = segs_type < EAL_MAX_MEMSEG_PER_LIST ? segs_type : EAL_MAX_MEMSEG_PER_LIST;
		mem_list = segs_list * pgsz;
		if (mem_list > (uint64_t)EAL_MAX_MEM_MB_PER_LIST * mib)
			mem_list = (uint64_t)EAL_MAX_MEM_MB_PER_LIST * mib;
		n_segs = mem_list / pgsz < segs_list ? mem_list / pgsz : segs_list;
		if (n_segs == 0)
			return -EINVAL; /* a page larger than a whole list */
		n_lists = segs_type / n_segs;
		if (max_mem_type / mem_list < n_lists)
			n_lists = max_mem_type / mem_list;
		if ((uint64_t)(EAL_MAX_MEMSEG_LISTS / n_types) < n_lists)
			n_lists = EAL_MAX_MEMSEG_LISTS / n_types;
		for (uint64_t l = 0; l < n_lists; l++) {
			if (n >= max)
				return -ENOSPC;
			out[n++] = (struct eal__msl_spec){ pgsz, (int)(t % n_sockets),
							   (unsigned int)n_segs };
		}
	}
	*ret_n = n;
	return 0;
}

int
eal__memseg_lists_attach(struct eal_mem_config *mcfg)
{
	void *want = (void *)(uintptr_t)mcfg->mem_va_addr;
	unsigned int i;
	int rc;

	if (mcfg->n_memseg_lists == 0)
		return 0;
	if (mcfg->n_memseg_lists > EAL_MAX_MEMSEG_LISTS || mcfg->mem_va_len == 0) {
		EAL_LOG(ERR, "shared config holds %u memseg lists over %" PRIu64 " bytes: corrupt",
			mcfg->n_memseg_lists, mcfg->mem_va_len);
		return -EPROTO;
	}
	/* The region reserved at attach holds the lists' range: a config
	 * that puts it elsewhere is corrupt, and mapping there could land
	 * on this process's own memory. */
	if (!eal__region_contains(mcfg, want, (size_t)mcfg->mem_va_len) ||
	    mcfg->mem_va_addr < mcfg->mem_cfg_addr + eal__region_head_len()) {
		EAL_LOG(ERR, "shared config puts memory at [0x%" PRIx64 ", 0x%" PRIx64 "), outside its address region: corrupt",
			mcfg->mem_va_addr, mcfg->mem_va_addr + mcfg->mem_va_len);
		return -EPROTO;
	}
	for (i = 0; i < mcfg->n_memseg_lists; i++) {
		if (eal_fbarray_attach(&mcfg->memsegs[i].memseg_arr) < 0) {
			rc = -eal_errno;
			EAL_LOG(ERR, "cannot attach memseg list %s: %s",
				mcfg->memsegs[i].memseg_arr.name, eal_strerror(rc));
			lists_undo(mcfg, i, false);
			return rc;
		}
	}
	return 0;
}

void
eal__memseg_lists_fini(struct eal_mem_config *mcfg, bool primary)
{
	if (mcfg->n_memseg_lists == 0)
		return;
	lists_undo(mcfg, mcfg->n_memseg_lists, primary);
	/* The pages mapped in the range leave this process; the range stays
	 * reserved until the region goes. */
	(void)eal__region_release(mcfg, (void *)(uintptr_t)mcfg->mem_va_addr,
				  (size_t)mcfg->mem_va_len);
	/* A failed init forgets the lists. A complete config may outlive its
	 * primary, in secondaries that still translate addresses with it. */
	if (primary && __atomic_load_n(&mcfg->complete, __ATOMIC_ACQUIRE) != EAL_MCFG_COMPLETE) {
		mcfg->n_memseg_lists = 0;
		mcfg->mem_va_addr = 0;
		mcfg->mem_va_len = 0;
	}
}

/* ---- walks ------------------------------------------------------------ */

EAL_API int
eal_memseg_list_walk_thread_unsafe(eal_memseg_list_walk_t func, void *arg)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	if (func == NULL)
		return eal__fail(-EINVAL);
	for (unsigned int i = 0; mcfg != NULL && i < mcfg->n_memseg_lists; i++) {
		int rc = func(&mcfg->memsegs[i], arg);

		if (rc != 0)
			return rc < 0 ? -1 : 1;
	}
	return 0;
}

/* Call @run for each run of used memsegs of each list (first index and
 * count; used elements of a list are VA-contiguous by construction).
 * Returns 0, or 1 / -1 as soon as @run returns non-zero. */
static int
for_each_run(int (*run)(struct eal_memseg_list *msl, unsigned int idx, unsigned int n,
			void *ctx),
	     void *ctx)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	for (unsigned int i = 0; mcfg != NULL && i < mcfg->n_memseg_lists; i++) {
		struct eal_memseg_list *msl = &mcfg->memsegs[i];
		struct eal_fbarray *arr = &msl->memseg_arr;
		int idx = arr->count ? eal_fbarray_find_next_used(arr, 0) : -1;

		while (idx >= 0) {
			unsigned int n = (unsigned int)eal_fbarray_find_contig_used(arr,
										   (unsigned int)idx);
			int rc = run(msl, (unsigned int)idx, n, ctx);

			if (rc != 0)
				return rc < 0 ? -1 : 1;
			if ((unsigned int)idx + n >= arr->len)
				break;
			idx = eal_fbarray_find_next_used(arr, (unsigned int)idx + n);
		}
	}
	return 0;
}

struct walk_ctx {
	union {
		eal_memseg_walk_t seg;
		eal_memseg_contig_walk_t contig;
	} func;
	void *arg;
};

static int
seg_run(struct eal_memseg_list *msl, unsigned int idx, unsigned int n, void *ctx)
{
	struct walk_ctx *w = ctx;

	for (unsigned int k = idx; k < idx + n; k++) {
		int rc = w->func.seg(msl, eal_fbarray_get(&msl->memseg_arr, k), w->arg);

		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
contig_run(struct eal_memseg_list *msl, unsigned int idx, unsigned int n, void *ctx)
{
	struct walk_ctx *w = ctx;

	return w->func.contig(msl, eal_fbarray_get(&msl->memseg_arr, idx),
			      (size_t)n * msl->page_sz, w->arg);
}

EAL_API int
eal_memseg_walk_thread_unsafe(eal_memseg_walk_t func, void *arg)
{
	struct walk_ctx w = { .func.seg = func, .arg = arg };

	if (func == NULL)
		return eal__fail(-EINVAL);
	return for_each_run(seg_run, &w);
}

EAL_API int
eal_memseg_contig_walk_thread_unsafe(eal_memseg_contig_walk_t func, void *arg)
{
	struct walk_ctx w = { .func.contig = func, .arg = arg };

	if (func == NULL)
		return eal__fail(-EINVAL);
	return for_each_run(contig_run, &w);
}

#define LOCKED_WALK(name, type) \
	EAL_API int eal_##name(type func, void *arg) \
	{ \
		int rc; \
		eal_mcfg_mem_read_lock(); \
		rc = eal_##name##_thread_unsafe(func, arg); \
		eal_mcfg_mem_read_unlock(); \
		return rc; \
	}

LOCKED_WALK(memseg_walk, eal_memseg_walk_t)
LOCKED_WALK(memseg_contig_walk, eal_memseg_contig_walk_t)
LOCKED_WALK(memseg_list_walk, eal_memseg_list_walk_t)

/* ---- translation ------------------------------------------------------ */

/* The list holding @a, or NULL. One range check rejects everything
 * outside our memory; the common single-list case needs no loop. */
static inline struct eal_memseg_list *
virt2msl(struct eal_mem_config *mcfg, uint64_t a)
{
	if (mcfg == NULL || a - mcfg->mem_va_addr >= mcfg->mem_va_len)
		return NULL;
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++) {
		struct eal_memseg_list *msl = &mcfg->memsegs[i];

		if (a - (uint64_t)(uintptr_t)msl->base_va < msl->len)
			return msl;
	}
	return NULL;
}

/* The memseg in use holding @a inside @msl, or NULL. Page sizes are powers
 * of two: a shift, not a 64-bit division, on this hot path. */
static inline struct eal_memseg *
msl_virt2memseg(const struct eal_memseg_list *msl, uint64_t a)
{
	uint64_t off = a - (uint64_t)(uintptr_t)msl->base_va;
	struct eal_fbarray *arr = (struct eal_fbarray *)(uintptr_t)&msl->memseg_arr;
	unsigned int idx;

	if (off >= msl->len)
		return NULL;
	idx = (unsigned int)(off >> __builtin_ctzll(msl->page_sz));
	/* The used bit of one element: a single word, read without the lock. */
	if (eal_fbarray_is_used(arr, idx) != 1)
		return NULL;
	return (struct eal_memseg *)EAL_PTR_ADD(arr->data, (size_t)idx * sizeof(struct eal_memseg));
}

bool
eal__mem_in_use(const void *addr)
{
	uint64_t a = (uint64_t)(uintptr_t)addr;
	const struct eal_memseg_list *msl = virt2msl(eal__mcfg(), a);

	return msl != NULL && msl_virt2memseg(msl, a) != NULL;
}

EAL_API struct eal_memseg_list *
eal_mem_virt2memseg_list(const void *addr)
{
	struct eal_memseg_list *msl = virt2msl(eal__mcfg(), (uint64_t)(uintptr_t)addr);

	return msl != NULL ? msl : eal__fail_null(-EINVAL);
}

EAL_API struct eal_memseg *
eal_mem_virt2memseg(const void *addr, const struct eal_memseg_list *msl)
{
	uint64_t a = (uint64_t)(uintptr_t)addr;
	struct eal_memseg *ms;

	if (msl == NULL)
		msl = virt2msl(eal__mcfg(), a);
	ms = msl != NULL ? msl_virt2memseg(msl, a) : NULL;
	return ms != NULL ? ms : eal__fail_null(-EINVAL);
}

EAL_API eal_iova_t
eal_mem_virt2iova(const void *addr)
{
	uint64_t a = (uint64_t)(uintptr_t)addr;
	const struct eal_memseg_list *msl = virt2msl(eal__mcfg(), a);
	const struct eal_memseg *ms = msl != NULL ? msl_virt2memseg(msl, a) : NULL;

	if (ms == NULL || ms->iova == EAL_BAD_IOVA) {
		(void)eal__fail(-EINVAL);
		return EAL_BAD_IOVA;
	}
	return ms->iova + (a - (uint64_t)(uintptr_t)ms->addr);
}

struct iova_find {
	eal_iova_t iova;
	void *va;
};

static int
iova_find_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	struct iova_find *f = arg;

	(void)msl;
	if (ms->iova == EAL_BAD_IOVA || f->iova - ms->iova >= ms->len)
		return 0;
	f->va = EAL_PTR_ADD(ms->addr, f->iova - ms->iova);
	return 1;
}

EAL_API void *
eal_mem_iova2virt(eal_iova_t iova)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	struct iova_find f = { iova, NULL };

	/* IOVA as VA: the answer is the address itself, if it is ours. */
	if (mcfg != NULL && mcfg->iova_mode_used == EAL_IOVA_VA) {
		void *va = (void *)(uintptr_t)iova;

		return eal_mem_virt2memseg(va, NULL) != NULL ? va : NULL;
	}
	if (eal_memseg_walk(iova_find_cb, &f) != 1) {
		return eal__fail_null(-EINVAL);
	}
	return f.va;
}

/* ---- dump ------------------------------------------------------------- */

static int
size_cb(const struct eal_memseg_list *msl, void *arg)
{
	*(uint64_t *)arg += (uint64_t)msl->memseg_arr.count * msl->page_sz;
	return 0;
}

EAL_API uint64_t
eal_memory_size(void)
{
	uint64_t total = 0;

	(void)eal_memseg_list_walk(size_cb, &total);
	return total;
}

static int
dump_list_cb(const struct eal_memseg_list *msl, void *arg)
{
	FILE *f = arg;
	const struct eal_fbarray *arr = &msl->memseg_arr;
	unsigned int i = 0;

	fprintf(f, "list %s: va [%p, %p) page %" PRIu64 " kB socket %d, %u/%u pages used\n",
		arr->name, msl->base_va, EAL_PTR_ADD(msl->base_va, msl->len), msl->page_sz >> 10,
		msl->socket_id, arr->count, arr->len);
	/* One line per run contiguous in both VA and IOVA. */
	while (i < arr->len) {
		const struct eal_memseg *first, *ms;
		unsigned int n = 1;

		if (eal_fbarray_is_used((struct eal_fbarray *)(uintptr_t)arr, i) != 1) {
			i++;
			continue;
		}
		first = eal_fbarray_get(arr, i);
		while (i + n < arr->len &&
		       eal_fbarray_is_used((struct eal_fbarray *)(uintptr_t)arr, i + n) == 1) {
			ms = eal_fbarray_get(arr, i + n);
			if (first->iova == EAL_BAD_IOVA ? ms->iova != EAL_BAD_IOVA
			    : ms->iova != first->iova + (uint64_t)n * msl->page_sz)
				break;
			n++;
		}
		fprintf(f, "  segs %u-%u: va %p len %" PRIu64 " iova 0x%" PRIx64 " socket %d\n", i,
			i + n - 1, first->addr, (uint64_t)n * msl->page_sz, first->iova,
			first->socket_id);
		i += n;
	}
	return 0;
}

EAL_API void
eal_memory_dump(FILE *f)
{
	if (f == NULL)
		f = stdout;
	(void)eal_memseg_list_walk(dump_list_cb, f);
	fprintf(f, "total memory in segments: %" PRIu64 " bytes\n", eal_memory_size());
}
