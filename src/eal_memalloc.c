/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dynamic page allocator: maps hugepages into memseg lists on demand
 * and gives them back to the kernel, in every process at once. Owns
 * mcfg->hotplug_gen and mcfg->procs, and the memsegs of dynamic lists.
 *
 * Backings (one per process run, from the options):
 *   PAGE_FILES  a hugetlbfs file per page, "<prefix>map_<list>_<idx>"
 *               (DPDK's default); each process maps it by name.
 *   LIST_FILES  --single-file-segments: a hugetlbfs file per memseg list,
 *               "<prefix>map_<list>", page idx at offset idx * page size;
 *               grown with fallocate, shrunk by punching holes.
 *   MEMFD_PAGE, MEMFD_LIST  --in-memory: the same with memfd_create
 *               (MFD_HUGETLB); no file anywhere, no other process.
 * A page is allocated with fallocate before it is mapped, so an empty pool
 * is ENOSPC there instead of SIGBUS at first touch (which is still
 * guarded). Every process that maps a backing file holds flock(LOCK_SH) on
 * it, so a new primary's stale-file sweep never takes a live page.
 *
 * Multi-process (see docs/dynamic-memory.md): the memseg lists in the
 * shared config say which pages exist. A process that changes them holds
 * the memory hotplug write lock, maps or unmaps its own view, publishes
 * (msl->version, then mcfg->hotplug_gen + futex wake) and waits until each
 * process in mcfg->procs has applied the change (its seen_gen), then
 * releases the hugepages (unlink or punch hole) and returns. Each process
 * runs a hotplug thread that sleeps on hotplug_gen and applies changes:
 * maps new pages from their files at the same address, unmaps freed ones,
 * and calls the memory event callbacks. The wait is bounded
 * (HOTPLUG_TIMEOUT_MS, DPDK's 5 s) and checks every 10 ms whether the
 * process still lives: a dead one is dropped from the table, a hung one
 * is marked stalled (one WARNING) and not waited for again until it has
 * caught up; when it wakes it resyncs every list in full.
 *
 * Locks: hotplug write lock (shared) -> ma.lock (this process's view).
 * The hotplug thread takes only ma.lock: the writer waits for it while
 * holding the hotplug lock.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004u
#endif
#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif

/* How long a writer waits for another process to apply a change. */
#define HOTPLUG_TIMEOUT_MS 5000u
/* How often a waiting writer checks that the other process still lives. */
#define HOTPLUG_POLL_NS (10u * 1000u * 1000u)

enum backing {
	BACKING_NONE = 0,
	BACKING_PAGE_FILES,
	BACKING_LIST_FILES,
	BACKING_MEMFD_PAGE,
	BACKING_MEMFD_LIST,
};

/* This process's view of one memseg list. */
struct msl_local {
	uint32_t version;   /* msl->version this view matches */
	int list_fd;        /* LIST_FILES / MEMFD_LIST: the list's file, or -1 */
	int *fds;           /* PAGE_FILES / MEMFD_PAGE: fd per page, -1 none */
	uint8_t *mapped;    /* 1: this process maps the page */
	unsigned int n_mapped;
};

static struct {
	pthread_mutex_t lock; /* the views below; after the hotplug lock */
	struct eal_mem_config *mcfg;
	const struct eal_internal_config *cfg;
	enum backing backing;
	bool active;
	int slot;             /* our entry in mcfg->procs, or -1 */
	int inflight;         /* the record of the allocation under way (hotplug
			       * write lock held), or -1 */
	uint32_t applied_gen; /* hotplug thread: last hotplug_gen applied */
	pthread_t thread;
	int32_t thread_tid;   /* the hotplug thread's */
	bool thread_running;
	volatile bool stop;
	struct msl_local lists[EAL_MAX_MEMSEG_LISTS];
} ma = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.slot = -1,
	.inflight = -1,
};

static bool
msl_is_dynamic(const struct eal_memseg_list *msl)
{
	return msl->base_va != NULL && msl->external == 0;
}

static bool
backing_per_page(void)
{
	return ma.backing == BACKING_PAGE_FILES || ma.backing == BACKING_MEMFD_PAGE;
}

static bool
backing_is_memfd(void)
{
	return ma.backing == BACKING_MEMFD_PAGE || ma.backing == BACKING_MEMFD_LIST;
}

static unsigned int
msl_index(const struct eal_memseg_list *msl)
{
	return (unsigned int)(msl - ma.mcfg->memsegs);
}

/* The hugetlbfs directory of @page_sz, or NULL. */
static const char *
huge_dir(uint64_t page_sz)
{
	const struct eal_hugepage_info *hi = &ma.cfg->hugepage_info;

	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].page_size == page_sz && hi->sizes[i].dir[0] != '\0')
			return hi->sizes[i].dir;
	return NULL;
}

/* Backing file of page @idx of list @list (PAGE_FILES), or of the list
 * itself (LIST_FILES, @idx ignored). */
static int
backing_path(char *buf, size_t size, const struct eal_memseg_list *msl, unsigned int idx)
{
	const char *dir = huge_dir(msl->page_sz);
	unsigned int list = msl_index(msl);

	if (dir == NULL)
		return -ENOENT;
	if (ma.backing == BACKING_LIST_FILES)
		return eal__hugepage_file_path(buf, size, dir, ma.cfg->p.file_prefix, -1, list);
	return eal__hugepage_file_path(buf, size, dir, ma.cfg->p.file_prefix, (int)list, idx);
}

/* Remove page @idx's file (PAGE_FILES); a missing file is fine. */
static void
page_file_remove(const struct eal_memseg_list *msl, unsigned int idx)
{
	char path[PATH_MAX];

	if (backing_path(path, sizeof(path), msl, idx) == 0)
		(void)eal__os_unlink(path, true);
}

static unsigned int
log2_u64(uint64_t v)
{
	return 63u - (unsigned int)__builtin_clzll(v);
}

/* Allocate this process's view arrays of a list on first use. */
static int
local_get(const struct eal_memseg_list *msl, struct msl_local **ret)
{
	struct msl_local *l = &ma.lists[msl_index(msl)];
	unsigned int n = msl->memseg_arr.len;

	if (l->mapped == NULL) {
		l->mapped = calloc(n, 1);
		if (l->mapped == NULL)
			return -ENOMEM;
		if (backing_per_page()) {
			l->fds = malloc(n * sizeof(*l->fds));
			if (l->fds == NULL) {
				free(l->mapped);
				l->mapped = NULL;
				return -ENOMEM;
			}
			for (unsigned int i = 0; i < n; i++)
				l->fds[i] = -1;
		}
	}
	*ret = l;
	return 0;
}

/* The list's file, opened (and, when @create, created at the list's
 * size) once per process and held with LOCK_SH. */
static int
list_fd_get(const struct eal_memseg_list *msl, struct msl_local *l, bool create)
{
	char path[PATH_MAX], name[32];
	uint64_t size;
	int fd, rc;

	if (l->list_fd >= 0)
		return l->list_fd;
	if (ma.backing == BACKING_MEMFD_LIST) {
		if (!create)
			return -ENOENT;
		snprintf(name, sizeof(name), "eal_seg_%u", msl_index(msl));
		rc = eal__os_memfd(name, MFD_HUGETLB | (log2_u64(msl->page_sz) << MFD_HUGE_SHIFT),
				   &fd);
		if (rc < 0)
			return rc;
	} else {
		rc = backing_path(path, sizeof(path), msl, 0);
		if (rc < 0)
			return rc;
		rc = eal__os_open(path, O_RDWR | (create ? O_CREAT : 0), 0600, &fd);
		if (rc < 0)
			return rc;
		rc = eal__os_flock(fd, LOCK_SH);
		if (rc < 0) {
			eal__os_close(fd);
			return rc;
		}
	}
	rc = eal__os_fsize(fd, &size);
	if (rc == 0 && size < msl->len)
		rc = eal__os_ftruncate(fd, msl->len);
	if (rc < 0) {
		eal__os_close(fd);
		return rc;
	}
	l->list_fd = fd;
	return fd;
}

/* ---- this process's view: map and unmap runs of pages ----------------- */

/* Open page @idx's backing for mapping: PAGE_FILES by name (@create: make
 * it and allocate its hugepage), MEMFD_PAGE a new memfd. *ret_dirty: the
 * file already held a page (--huge-unlink=never). */
static int
page_fd_open(const struct eal_memseg_list *msl, unsigned int idx, bool create, int *ret_fd,
	     bool *ret_dirty)
{
	char path[PATH_MAX];
	uint64_t size = 0;
	int fd, rc;

	*ret_dirty = false;
	if (ma.backing == BACKING_MEMFD_PAGE) {
		char name[40];

		snprintf(name, sizeof(name), "eal_seg_%u-%u", msl_index(msl), idx);
		rc = eal__os_memfd(name, MFD_HUGETLB | (log2_u64(msl->page_sz) << MFD_HUGE_SHIFT),
				   &fd);
		if (rc < 0)
			return rc;
	} else {
		rc = backing_path(path, sizeof(path), msl, idx);
		if (rc < 0)
			return rc;
		rc = eal__os_open(path, O_RDWR | (create ? O_CREAT : 0), 0600, &fd);
		if (rc < 0)
			return rc;
		rc = eal__os_flock(fd, LOCK_SH);
		/* Only a kept file (--huge-unlink=never) can already hold a
		 * page; other policies removed it when its page was freed. */
		if (rc == 0 && create && ma.mcfg->huge_unlink == EAL_HUGE_UNLINK_NEVER)
			rc = eal__os_fsize(fd, &size);
		if (rc < 0) {
			eal__os_close(fd);
			return rc;
		}
		*ret_dirty = size >= msl->page_sz;
	}
	if (create && !*ret_dirty) {
		rc = eal__os_fallocate(fd, 0, msl->page_sz);
		if (rc < 0) {
			eal__os_close(fd);
			if (ma.backing == BACKING_PAGE_FILES)
				(void)eal__os_unlink(path, true);
			return rc;
		}
	}
	*ret_fd = fd;
	return 0;
}

/* Map pages [idx, idx + n) of @msl in this process. @create: they are new
 * (allocate their hugepages and touch them); otherwise another process
 * made them. On failure nothing of the run stays mapped or open here
 * (page files this call created are removed). */
static int
view_map(struct eal_memseg_list *msl, struct msl_local *l, unsigned int idx, unsigned int n,
	 bool create, bool *ret_dirty)
{
	size_t pg = msl->page_sz;
	void *va = EAL_PTR_ADD(msl->base_va, (size_t)idx * pg);
	int flags = MAP_SHARED | MAP_FIXED | (create ? MAP_POPULATE : 0);
	unsigned int done = 0;
	bool dirty = false;
	int rc;

	if (!backing_per_page()) {
		int fd = list_fd_get(msl, l, create);

		if (fd < 0)
			return fd;
		if (create) {
			rc = eal__os_fallocate(fd, (uint64_t)idx * pg, (uint64_t)n * pg);
			if (rc < 0) {
				/* hugetlbfs keeps the pages it got before failing */
				(void)eal__os_punch_hole(fd, (uint64_t)idx * pg, (uint64_t)n * pg);
				return rc;
			}
		}
		rc = eal__os_mmap_fixed(va, (size_t)n * pg, PROT_READ | PROT_WRITE, flags, fd,
					(uint64_t)idx * pg);
		if (rc < 0) {
			if (create)
				(void)eal__os_punch_hole(fd, (uint64_t)idx * pg, (uint64_t)n * pg);
			return rc;
		}
		done = n;
	} else {
		for (; done < n; done++) {
			void *p = EAL_PTR_ADD(va, (size_t)done * pg);
			bool d;
			int fd;

			rc = page_fd_open(msl, idx + done, create, &fd, &d);
			if (rc < 0)
				goto fail;
			rc = eal__os_mmap_fixed(p, pg, PROT_READ | PROT_WRITE, flags, fd, 0);
			if (rc < 0) {
				eal__os_close(fd);
				goto fail_unlink_one;
			}
			l->fds[idx + done] = fd;
			dirty = dirty || d;
			if (create && ma.backing == BACKING_PAGE_FILES &&
			    ma.mcfg->huge_unlink == EAL_HUGE_UNLINK_ALWAYS)
				page_file_remove(msl, idx + done);
		}
	}
	if (create) {
		rc = eal__os_touch_guarded_range(va, (size_t)n * pg, pg);
		if (rc < 0)
			goto fail;
	}
	for (unsigned int i = 0; i < n; i++)
		l->mapped[idx + i] = 1;
	l->n_mapped += n;
	if (ret_dirty != NULL)
		*ret_dirty = dirty;
	return 0;

fail_unlink_one:
	if (create && ma.backing == BACKING_PAGE_FILES)
		page_file_remove(msl, idx + done);
fail:
	(void)eal__os_unmap_to_reserved(va, (size_t)n * pg);
	if (backing_per_page()) {
		for (unsigned int i = 0; i < done; i++) {
			eal__os_close(l->fds[idx + i]);
			l->fds[idx + i] = -1;
			if (create && ma.backing == BACKING_PAGE_FILES)
				page_file_remove(msl, idx + i);
		}
	} else if (create) {
		(void)eal__os_punch_hole(l->list_fd, (uint64_t)idx * pg, (uint64_t)n * pg);
	}
	return rc;
}

/* Unmap pages [idx, idx + n) of @msl in this process and close their
 * files (the hugepages go back once every process did and the writer
 * released them). */
static void
view_unmap(struct eal_memseg_list *msl, struct msl_local *l, unsigned int idx, unsigned int n)
{
	size_t pg = msl->page_sz;

	(void)eal__os_unmap_to_reserved(EAL_PTR_ADD(msl->base_va, (size_t)idx * pg),
					(size_t)n * pg);
	for (unsigned int i = idx; i < idx + n; i++) {
		if (l->fds != NULL && l->fds[i] >= 0) {
			eal__os_close(l->fds[i]);
			l->fds[i] = -1;
		}
		if (l->mapped[i]) {
			l->mapped[i] = 0;
			l->n_mapped--;
		}
	}
}

/* Give the hugepages of [idx, idx + n) back: every process has unmapped
 * them (or was given up on). */
static void
backing_release(struct eal_memseg_list *msl, struct msl_local *l, unsigned int idx, unsigned int n)
{
	if (!backing_per_page()) {
		if (l->list_fd >= 0)
			(void)eal__os_punch_hole(l->list_fd, (uint64_t)idx * msl->page_sz,
						 (uint64_t)n * msl->page_sz);
		return;
	}
	if (ma.backing != BACKING_PAGE_FILES || ma.mcfg->huge_unlink == EAL_HUGE_UNLINK_NEVER)
		return;
	for (unsigned int i = idx; i < idx + n; i++)
		page_file_remove(msl, i);
}

/* ---- applying other processes' changes ---------------------------------- */

/* Whether this view's page @i still is the page the list describes:
 * after a stall the page may have been freed and allocated again. */
static bool
view_page_current(struct eal_memseg_list *msl, struct msl_local *l, unsigned int i)
{
	char path[PATH_MAX];
	bool same = true;

	if (ma.backing != BACKING_PAGE_FILES || l->fds[i] < 0)
		return true;
	if (backing_path(path, sizeof(path), msl, i) < 0 ||
	    eal__os_same_file(l->fds[i], path, &same) < 0)
		return false;
	return same;
}

/* Bring this process's view of one list to the shared state, calling the
 * event callbacks: FREE before a run is unmapped, ALLOC after one is
 * mapped. Pages that cannot be mapped are logged and left out (and the
 * view stays behind, so the next pass retries). */
static int
sync_list(struct eal_memseg_list *msl, bool full)
{
	uint32_t version = __atomic_load_n(&msl->version, __ATOMIC_ACQUIRE);
	struct msl_local *l;
	unsigned int n = msl->memseg_arr.len;
	size_t pg = msl->page_sz;
	int rc, failed = 0;

	if (msl->base_va == NULL || n == 0)
		return 0;
	rc = local_get(msl, &l);
	if (rc < 0)
		return rc;
	if (!full && l->version == version)
		return 0;
	/* Pass 1: runs to unmap (free in the list, or replaced). */
	for (unsigned int i = 0; i < n;) {
		unsigned int start = i;

		while (i < n && l->mapped[i] &&
		       (eal_fbarray_is_used(&msl->memseg_arr, i) != 1 ||
			(full && !view_page_current(msl, l, i))))
			i++;
		if (i > start) {
			eal__mem_event_notify(EAL_MEM_EVENT_FREE,
					      EAL_PTR_ADD(msl->base_va, (size_t)start * pg),
					      (size_t)(i - start) * pg);
			view_unmap(msl, l, start, i - start);
		} else {
			i++;
		}
	}
	/* Pass 2: runs to map. */
	for (unsigned int i = 0; i < n;) {
		unsigned int start = i;

		while (i < n && !l->mapped[i] && eal_fbarray_is_used(&msl->memseg_arr, i) == 1)
			i++;
		if (i == start) {
			i++;
			continue;
		}
		rc = view_map(msl, l, start, i - start, false, NULL);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot map pages %u-%u of memseg list %u that another process allocated: %s",
				start, i - 1, msl_index(msl), eal_strerror(rc));
			failed = rc;
			continue;
		}
		eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, EAL_PTR_ADD(msl->base_va, (size_t)start * pg),
				      (size_t)(i - start) * pg);
	}
	if (failed == 0)
		l->version = version;
	return failed;
}

static int
sync_all(bool full)
{
	int rc = 0;

	for (unsigned int i = 0; i < ma.mcfg->n_memseg_lists; i++) {
		int r = sync_list(&ma.mcfg->memsegs[i], full);

		if (r < 0)
			rc = r;
	}
	return rc;
}

static bool
gen_reached(uint32_t seen, uint32_t gen)
{
	return (int32_t)(seen - gen) >= 0;
}

static void *
hotplug_thread(void *arg)
{
	struct eal_mcfg_proc *me = &ma.mcfg->procs[ma.slot];

	(void)arg;
	eal__os_thread_name("eal-hotplug"); /* as DPDK names its threads */
	__atomic_store_n(&ma.thread_tid, eal__os_gettid(), __ATOMIC_RELEASE);
	for (;;) {
		uint32_t gen = __atomic_load_n(&ma.mcfg->hotplug_gen, __ATOMIC_ACQUIRE);
		bool full;
		int rc;

		if (ma.stop)
			break;
		if (gen == __atomic_load_n(&ma.applied_gen, __ATOMIC_ACQUIRE)) {
			(void)eal__os_futex_wait(&ma.mcfg->hotplug_gen, gen, 0);
			continue;
		}
		full = __atomic_load_n(&me->stalled, __ATOMIC_ACQUIRE) != 0;
		if (full)
			EAL_LOG(WARNING, "this process fell behind other processes' memory changes: checking every page");
		eal__test_point("hotplug-sync");
		pthread_mutex_lock(&ma.lock);
		rc = sync_all(full);
		pthread_mutex_unlock(&ma.lock);
		if (rc < 0) {
			/* Mark ourselves behind so the next pass checks everything. */
			__atomic_store_n(&me->stalled, 1, __ATOMIC_RELEASE);
		} else if (full) {
			__atomic_store_n(&me->stalled, 0, __ATOMIC_RELEASE);
		}
		pthread_mutex_lock(&ma.lock);
		/* A writer of this process may have moved it further meanwhile. */
		if (gen_reached(gen, ma.applied_gen)) {
			__atomic_store_n(&ma.applied_gen, gen, __ATOMIC_RELEASE);
			__atomic_store_n(&me->seen_gen, gen, __ATOMIC_RELEASE);
		}
		pthread_mutex_unlock(&ma.lock);
		eal__os_futex_wake(&me->seen_gen, INT32_MAX);
	}
	return NULL;
}

/* Whether @a is in a page another process mapped that this one has not:
 * in use in its list, absent from this view. Read without locks (a
 * signal handler): a torn answer only costs one catch-up or one fault. */
static bool
published_not_mapped(uint64_t a)
{
	struct eal_mem_config *mcfg = ma.mcfg;

	if (a - mcfg->mem_va_addr >= mcfg->mem_va_len)
		return false;
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++) {
		struct eal_memseg_list *msl = &mcfg->memsegs[i];
		uint64_t off = a - (uint64_t)(uintptr_t)msl->base_va;
		unsigned int idx;

		if (off >= msl->len || !msl_is_dynamic(msl))
			continue;
		idx = (unsigned int)(off / msl->page_sz);
		return eal_fbarray_is_used(&msl->memseg_arr, idx) == 1 && ma.lists[i].mapped != NULL &&
		       !ma.lists[i].mapped[idx];
	}
	return false;
}

/*
 * The SIGSEGV hook (eal__os_segv_hook_install): a thread touching a page
 * that another process mapped while this process could not follow
 * (stopped, or slow) waits until the hotplug thread has applied every
 * change published so far; then the access runs again. The page was
 * published before its address could reach this thread, so one
 * catch-up is enough; a fault that remains is the program's own and goes
 * to the previous handler. Async-signal-safe: loads, futexes, the clock.
 */
static bool
fault_catch_up(void *addr)
{
	struct eal_mem_config *mcfg = ma.mcfg;
	uint64_t deadline;
	struct eal_mcfg_proc *me;
	uint32_t gen;

	if (mcfg == NULL || ma.slot < 0 || !ma.thread_running ||
	    eal__os_gettid() == __atomic_load_n(&ma.thread_tid, __ATOMIC_ACQUIRE) ||
	    !published_not_mapped((uint64_t)(uintptr_t)addr))
		return false;
	me = &mcfg->procs[ma.slot];
	gen = __atomic_load_n(&mcfg->hotplug_gen, __ATOMIC_ACQUIRE);
	deadline = eal__os_time_ns() + (uint64_t)HOTPLUG_TIMEOUT_MS * 2000000u;
	while (!gen_reached(__atomic_load_n(&ma.applied_gen, __ATOMIC_ACQUIRE), gen)) {
		uint32_t seen = __atomic_load_n(&me->seen_gen, __ATOMIC_ACQUIRE);

		if (eal__os_time_ns() > deadline)
			return false;
		eal__os_futex_wake(&mcfg->hotplug_gen, INT32_MAX);
		(void)eal__os_futex_wait(&me->seen_gen, seen, 1000000u);
	}
	return !published_not_mapped((uint64_t)(uintptr_t)addr);
}

/* ---- the writer's side: publish a change and wait for everyone --------- */

/* Wait until process @p applied @gen: bounded, dead processes dropped.
 * False when it did not (it is stalled): it may still map what @gen
 * unmapped. */
static bool
wait_for_proc(struct eal_mcfg_proc *p, uint32_t gen)
{
	int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);
	uint64_t deadline = eal__os_time_ns() + (uint64_t)HOTPLUG_TIMEOUT_MS * 1000000u;
	unsigned int polls = 0;

	for (;;) {
		uint32_t seen = __atomic_load_n(&p->seen_gen, __ATOMIC_ACQUIRE);

		if (gen_reached(seen, gen) || __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE) != pid)
			return true;
		if (!eal__os_pid_alive(pid)) {
			/* It cannot map anything any more: free its slot. */
			if (__atomic_compare_exchange_n(&p->pid, &pid, 0, false, __ATOMIC_ACQ_REL,
							__ATOMIC_RELAXED))
				EAL_LOG(DEBUG, "process %d died; dropped from the hotplug table", (int)pid);
			eal__memalloc_reclaim_request(); /* it may have left pages */
			return true;
		}
		/* A stopped process (SIGSTOP, a debugger) applies nothing
		 * until it runs again: waiting for it blocks everyone for the
		 * whole bound. It catches up when continued (before it can
		 * reach a page mapped meanwhile: fault_catch_up), and the
		 * pages freed meanwhile are not reused until then. */
		if (polls++ > 0 && eal__os_pid_stopped(pid)) {
			__atomic_store_n(&p->stalled, 1, __ATOMIC_RELEASE);
			EAL_LOG(NOTICE, "process %d is stopped: not waiting for it to apply a memory change (it catches up when it runs again)",
				(int)pid);
			return false;
		}
		if (eal__os_time_ns() >= deadline) {
			__atomic_store_n(&p->stalled, 1, __ATOMIC_RELEASE);
			EAL_LOG(WARNING, "process %d did not apply a memory change within %u ms: not waiting for it (it resyncs when it runs again)",
				(int)pid, HOTPLUG_TIMEOUT_MS);
			return false;
		}
		(void)eal__os_futex_wait(&p->seen_gen, seen, HOTPLUG_POLL_NS);
	}
}

/* Publish the change made under the hotplug write lock and wait until
 * every other registered process applied it. Returns the generation
 * published, and in *ret_all whether every live process applied it (not
 * when one is stalled). */
static uint32_t
publish_and_wait(bool *ret_all)
{
	struct eal_mem_config *mcfg = ma.mcfg;
	bool all = true;
	uint32_t gen;

	if (ret_all != NULL)
		*ret_all = true;
	if (ma.slot < 0)
		return 0; /* no shared files: nobody else */
	/* When our view was current before this change, it is current after
	 * it: tell our hotplug thread before it wakes, so it goes back to
	 * sleep without taking ma.lock. (Not when it is behind: then it must
	 * apply what it missed.) */
	gen = __atomic_load_n(&mcfg->hotplug_gen, __ATOMIC_RELAXED) + 1;
	if (__atomic_load_n(&ma.applied_gen, __ATOMIC_ACQUIRE) == gen - 1 &&
	    !__atomic_load_n(&mcfg->procs[ma.slot].stalled, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&ma.applied_gen, gen, __ATOMIC_RELEASE);
		__atomic_store_n(&mcfg->procs[ma.slot].seen_gen, gen, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&mcfg->hotplug_gen, gen, __ATOMIC_SEQ_CST);
	eal__os_futex_wake(&mcfg->hotplug_gen, INT32_MAX);
	for (int i = 0; i < EAL_MCFG_MAX_PROCS; i++) {
		struct eal_mcfg_proc *p = &mcfg->procs[i];

		if (i == ma.slot || __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE) == 0)
			continue;
		/* A stalled process is waited for again once it caught up. */
		if (__atomic_load_n(&p->stalled, __ATOMIC_ACQUIRE) &&
		    !gen_reached(__atomic_load_n(&p->seen_gen, __ATOMIC_ACQUIRE), gen - 1)) {
			all = false;
			continue;
		}
		if (!wait_for_proc(p, gen))
			all = false;
	}
	if (ret_all != NULL)
		*ret_all = all;
	return gen;
}

/* Whether every live process other than this one applied @gen. */
static bool
all_applied(uint32_t gen)
{
	for (int i = 0; i < EAL_MCFG_MAX_PROCS; i++) {
		struct eal_mcfg_proc *p = &ma.mcfg->procs[i];
		int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);

		if (i == ma.slot || pid == 0 ||
		    gen_reached(__atomic_load_n(&p->seen_gen, __ATOMIC_ACQUIRE), gen))
			continue;
		if (eal__os_pid_alive(pid))
			return false;
	}
	return true;
}

/* Whether slot @i of @msl may take a new page: not a page freed while a
 * process that may still map it had not caught up (hotplug lock held). */
static bool
slot_reusable(struct eal_memseg_list *msl, unsigned int i)
{
	struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, i);

	if (!(ms->flags & EAL__MEMSEG_FLAG_QUARANTINE))
		return true;
	if (!all_applied(ms->nrank))
		return false;
	ms->flags = 0;
	ms->nrank = 0;
	return true;
}

/* The first run of @n free slots of @msl that may all take new pages. */
static int
find_reusable_run(struct eal_memseg_list *msl, unsigned int n)
{
	unsigned int start = 0;

	for (;;) {
		int idx = eal_fbarray_find_next_n_free(&msl->memseg_arr, start, n);
		unsigned int k;

		if (idx < 0)
			return idx;
		for (k = 0; k < n && slot_reusable(msl, (unsigned int)idx + k); k++)
			;
		if (k == n)
			return idx;
		start = (unsigned int)idx + k + 1;
		if (start + n > msl->memseg_arr.len)
			return -1;
	}
}

/* Take the hotplug write lock. When it was recovered from a process that
 * died holding it, that process may have changed a list without bumping
 * its version: bump them all, so every process compares every list at the
 * next change. */
static void
hotplug_write_lock(void)
{
	if (eal__rwlock_write_lock(&ma.mcfg->memory_hotplug_lock) != 1)
		return;
	EAL_LOG(WARNING, "memory hotplug lock recovered from a dead process: every process rechecks every memseg list");
	eal__memalloc_reclaim_request();
	for (unsigned int i = 0; i < ma.mcfg->n_memseg_lists; i++)
		__atomic_add_fetch(&ma.mcfg->memsegs[i].version, 1, __ATOMIC_RELEASE);
	/* Our own view first: the publish that follows skips our thread. */
	pthread_mutex_lock(&ma.lock);
	if (sync_all(true) < 0)
		EAL_LOG(WARNING, "some pages the dead process recorded cannot be mapped here");
	pthread_mutex_unlock(&ma.lock);
}

static void
hotplug_write_unlock(void)
{
	eal_rwlock_write_unlock(&ma.mcfg->memory_hotplug_lock);
}

/* ---- allocation ----------------------------------------------------------- */

/* Bytes of memory in use on @socket (every dynamic list on it). */
static size_t
socket_mem_used(int socket)
{
	size_t total = 0;

	for (unsigned int i = 0; i < ma.mcfg->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &ma.mcfg->memsegs[i];

		if (msl->socket_id == socket)
			total += (size_t)msl->memseg_arr.count * msl->page_sz;
	}
	return total;
}

/* Fill the memsegs of a new run and mark them used. */
static int
segs_publish(struct eal_memseg_list *msl, unsigned int idx, unsigned int n, unsigned int flags,
	     bool dirty)
{
	enum { BATCH = 64 };
	size_t pg = msl->page_sz;
	bool pa = ma.mcfg->iova_mode_used == EAL_IOVA_PA;

	for (unsigned int b = 0; b < n; b += BATCH) {
		unsigned int k = n - b < BATCH ? n - b : BATCH;
		const void *addrs[BATCH];
		uint64_t iova[BATCH];

		for (unsigned int i = 0; i < k; i++) {
			addrs[i] = EAL_PTR_ADD(msl->base_va, (size_t)(idx + b + i) * pg);
			iova[i] = (uint64_t)(uintptr_t)addrs[i];
		}
		if (pa) {
			int rc = eal__iova_virt2phys(addrs, k, iova);

			for (unsigned int i = 0; rc == 0 && i < k; i++)
				if (iova[i] == EAL_BAD_IOVA)
					rc = -EFAULT;
			if (rc < 0) {
				EAL_LOG(ERR, "cannot read the physical address of a new page at %p (IOVA as PA): %s",
					addrs[0], eal_strerror(rc));
				return rc;
			}
		}
		for (unsigned int i = 0; i < k; i++) {
			struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, idx + b + i);

			ms->addr = (void *)(uintptr_t)addrs[i];
			ms->iova = iova[i];
			ms->len = pg;
			ms->hugepage_sz = pg;
			ms->socket_id = msl->socket_id;
			ms->nchannel = 0;
			ms->nrank = 0;
			ms->flags = ((flags & EAL__MEMALLOC_PIN) ? EAL_MEMSEG_FLAG_DO_NOT_FREE : 0) |
				    (dirty ? EAL_MEMSEG_FLAG_DIRTY : 0) |
				    (ma.inflight >= 0 ? EAL__MEMSEG_FLAG_HEAP : 0);
		}
	}
	for (unsigned int i = 0; i < n; i++)
		(void)eal_fbarray_set_used(&msl->memseg_arr, idx + i);
	return 0;
}

/* Whether pages can land on more than one node (else there is nothing to
 * check: one get_mempolicy per page costs ~1 us). */
static bool
several_nodes(void)
{
	const struct eal_hugepage_info *hi = &ma.cfg->hugepage_info;

	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].n_nodes > 1)
			return true;
	return false;
}

/* Check the new pages are on the node they were asked on. */
static int
check_placement(const struct eal_memseg_list *msl, unsigned int idx, unsigned int n)
{
	if (!EAL_HAVE_LIBNUMA || !several_nodes())
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		const void *va = EAL_PTR_ADD(msl->base_va, (size_t)(idx + i) * msl->page_sz);
		int node;

		if (eal__os_numa_node_of(va, &node) < 0)
			return 0; /* no NUMA support in the kernel: node 0 only */
		if (node != msl->socket_id) {
			EAL_LOG(ERR, "page at %p landed on NUMA node %d instead of %d (no free %" PRIu64 " kB pages there?): not using it",
				va, node, msl->socket_id, msl->page_sz >> 10);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Map @n pages into @msl at a free run: all or nothing. -ENOMEM: no free
 * run that long in this list; -ENOSPC: the pool is out of pages. */
static int
alloc_in_list(struct eal_memseg_list *msl, unsigned int n, unsigned int flags, void **ret_addr)
{
	struct eal_os_numa_policy saved;
	struct msl_local *l;
	bool policy_set = false, dirty = false;
	int idx, rc;

	idx = find_reusable_run(msl, n);
	if (idx < 0)
		return -ENOMEM;
	rc = local_get(msl, &l);
	if (rc < 0)
		return rc;
	/* The range is in flight from before its pages are marked in use. */
	if (ma.inflight >= 0) {
		struct eal_mcfg_inflight *r = &ma.mcfg->inflight[ma.inflight];

		r->va = (uint64_t)(uintptr_t)EAL_PTR_ADD(msl->base_va, (size_t)idx * msl->page_sz);
		__atomic_store_n(&r->len, (uint64_t)n * msl->page_sz, __ATOMIC_RELEASE);
	}
	if (EAL_HAVE_LIBNUMA && eal__os_numa_prefer(msl->socket_id, &saved) == 0)
		policy_set = true;
	rc = view_map(msl, l, (unsigned int)idx, n, true, &dirty);
	if (rc == 0)
		eal__test_point("memalloc-mapped");
	if (policy_set)
		(void)eal__os_numa_restore(&saved);
	if (rc == 0)
		rc = check_placement(msl, (unsigned int)idx, n);
	if (rc == 0)
		rc = segs_publish(msl, (unsigned int)idx, n, flags, dirty);
	if (rc < 0) {
		if (l->mapped[idx]) {
			view_unmap(msl, l, (unsigned int)idx, n);
			backing_release(msl, l, (unsigned int)idx, n);
		}
		return rc;
	}
	eal__test_point("memalloc-recorded");
	__atomic_add_fetch(&msl->version, 1, __ATOMIC_RELEASE);
	l->version = msl->version;
	*ret_addr = EAL_PTR_ADD(msl->base_va, (size_t)idx * msl->page_sz);
	return 0;
}


/* Lists to try, in order: @page_sz (0: the smallest with lists), on
 * @socket or, for EAL_SOCKET_ID_ANY, this thread's node first. */
static int
alloc_try_lists(uint64_t page_sz, int socket, unsigned int n, unsigned int flags,
		void **ret_addr)
{
	struct eal_mem_config *mcfg = ma.mcfg;
	int here = 0, rc = -ENOMEM;
	bool tried_validate[EAL_MAX_NUMA_NODES] = { false };

	if (socket == EAL_SOCKET_ID_ANY && eal__os_numa_current_node(&here) < 0)
		here = 0;
	/* Pass 0: the wanted (or local) node; pass 1: any other (ANY only). */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++) {
			struct eal_memseg_list *msl = &mcfg->memsegs[i];
			int s = msl->socket_id;

			if (!msl_is_dynamic(msl) || msl->page_sz != page_sz)
				continue;
			if (socket != EAL_SOCKET_ID_ANY ? s != socket : (pass == 0) != (s == here))
				continue;
			if (s >= 0 && s < EAL_MAX_NUMA_NODES && !tried_validate[s]) {
				int v = eal__mem_alloc_validate(
					s, socket_mem_used(s) + (size_t)n * page_sz);

				tried_validate[s] = true;
				if (v < 0) {
					rc = v;
					break; /* this node refuses: no list of it */
				}
			}
			rc = alloc_in_list(msl, n, flags, ret_addr);
			if (rc != -ENOMEM)
				return rc;
		}
		if (socket != EAL_SOCKET_ID_ANY)
			break;
	}
	return rc;
}

/* eal__memalloc_alloc(), with the range recorded in mcfg->inflight[@inflight]
 * (-1: none) from before its pages are marked in use. */
static int
alloc_pages(uint64_t page_sz, int socket, unsigned int n, unsigned int flags, int inflight,
	    void **ret_addr)
{
	void *addr = NULL;
	int rc;

	if (n == 0 || ret_addr == NULL || (page_sz & (page_sz - 1)) != 0 ||
	    (socket != EAL_SOCKET_ID_ANY && (socket < 0 || socket >= EAL_MAX_NUMA_NODES)))
		return -EINVAL;
	if (!ma.active)
		return -ENOTSUP;
	if (page_sz == 0) {
		/* The smallest size with lists: the least memory per request. */
		for (unsigned int i = 0; i < ma.mcfg->n_memseg_lists; i++)
			if (msl_is_dynamic(&ma.mcfg->memsegs[i]) &&
			    (page_sz == 0 || ma.mcfg->memsegs[i].page_sz < page_sz))
				page_sz = ma.mcfg->memsegs[i].page_sz;
		if (page_sz == 0)
			return -ENOMEM;
	}
	hotplug_write_lock();
	pthread_mutex_lock(&ma.lock);
	ma.inflight = inflight;
	rc = alloc_try_lists(page_sz, socket, n, flags, &addr);
	ma.inflight = -1;
	pthread_mutex_unlock(&ma.lock);
	if (rc == 0) {
		eal__mem_event_notify(EAL_MEM_EVENT_ALLOC, addr, (size_t)n * page_sz);
		eal__test_point("memalloc-before-publish");
		(void)publish_and_wait(NULL);
	}
	hotplug_write_unlock();
	if (rc == -ENOSPC)
		rc = -ENOMEM; /* hugetlbfs: the pool has no free page */
	/* Expected (the heap then says ENOMEM to its caller, as DPDK,
	 * quietly): DEBUG. */
	if (rc == -ENOMEM && socket == EAL_SOCKET_ID_ANY)
		EAL_LOG(DEBUG, "cannot allocate %u page(s) of %" PRIu64 " kB on any socket: no free run that long, no free hugepages, or a limit refused",
			n, page_sz >> 10);
	else if (rc == -ENOMEM)
		EAL_LOG(DEBUG, "cannot allocate %u page(s) of %" PRIu64 " kB on socket %d: no free run that long, no free hugepages, or a limit refused",
			n, page_sz >> 10, socket);
	else if (rc < 0)
		EAL_LOG(ERR, "cannot allocate %u page(s) of %" PRIu64 " kB: %s", n, page_sz >> 10,
			eal_strerror(rc));
	if (rc == 0)
		*ret_addr = addr;
	return rc;
}

int
eal__memalloc_alloc(uint64_t page_sz, int socket, unsigned int n, unsigned int flags,
		    void **ret_addr)
{
	return alloc_pages(page_sz, socket, n, flags, -1, ret_addr);
}

/* ---- pages for heaps: in flight, and reclaimed from the dead -------------- */

void
eal__memalloc_reclaim_request(void)
{
	if (ma.mcfg != NULL)
		__atomic_store_n(&ma.mcfg->reclaim_wanted, 1, __ATOMIC_RELEASE);
}

bool
eal__memalloc_reclaim_wanted(void)
{
	return ma.mcfg != NULL && __atomic_load_n(&ma.mcfg->reclaim_wanted, __ATOMIC_ACQUIRE);
}

bool
eal__memalloc_look_for_dead(void)
{
	bool dead = false;

	if (ma.mcfg == NULL || ma.slot < 0)
		return false;
	for (int i = 0; i < EAL_MCFG_MAX_INFLIGHT && !dead; i++) {
		int32_t pid = __atomic_load_n(&ma.mcfg->inflight[i].pid, __ATOMIC_ACQUIRE);

		dead = pid > 0 && !eal__os_pid_alive(pid);
	}
	for (int i = 0; i < EAL_MCFG_MAX_PROCS && !dead; i++) {
		int32_t pid = __atomic_load_n(&ma.mcfg->procs[i].pid, __ATOMIC_ACQUIRE);

		dead = pid > 0 && !eal__os_pid_alive(pid);
	}
	if (dead)
		eal__memalloc_reclaim_request();
	return dead || eal__memalloc_reclaim_wanted();
}

/* A free record, or a dead process's that holds no range: ours. A dead
 * one's with a range stays for the reclaim. -1 when none is free. */
static int
inflight_claim(void)
{
	int32_t me = eal__os_getpid();

	for (int i = 0; i < EAL_MCFG_MAX_INFLIGHT; i++) {
		struct eal_mcfg_inflight *r = &ma.mcfg->inflight[i];
		int32_t pid = __atomic_load_n(&r->pid, __ATOMIC_ACQUIRE);

		if (pid != 0 && eal__os_pid_alive(pid))
			continue;
		if (pid != 0 && __atomic_load_n(&r->len, __ATOMIC_ACQUIRE) != 0) {
			eal__memalloc_reclaim_request();
			continue;
		}
		if (__atomic_compare_exchange_n(&r->pid, &pid, me, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

void
eal__memalloc_settle(int ticket)
{
	struct eal_mcfg_inflight *r;

	if (ticket < 0 || ticket >= EAL_MCFG_MAX_INFLIGHT || ma.mcfg == NULL)
		return;
	r = &ma.mcfg->inflight[ticket];
	__atomic_store_n(&r->len, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&r->pid, 0, __ATOMIC_RELEASE);
}

int
eal__memalloc_alloc_for_heap(uint64_t page_sz, int socket, unsigned int n, void **ret_addr,
			     int *ret_ticket)
{
	int ticket, rc;

	if (!ma.active || ma.slot < 0) {
		/* No shared files: no other process to leave pages to. */
		*ret_ticket = -1;
		return alloc_pages(page_sz, socket, n, 0, -1, ret_addr);
	}
	ticket = inflight_claim();
	if (ticket < 0) {
		EAL_LOG(DEBUG, "no free in-flight record for a heap's growth (%d in use)",
			EAL_MCFG_MAX_INFLIGHT);
		return -ENOMEM;
	}
	rc = alloc_pages(page_sz, socket, n, 0, ticket, ret_addr);
	if (rc < 0) {
		eal__memalloc_settle(ticket);
		return rc;
	}
	eal__test_point("memalloc-heap-in-flight");
	*ret_ticket = ticket;
	return 0;
}

static void free_locked(struct eal_memseg_list *msl, struct msl_local *l, unsigned int idx,
			unsigned int n);

int
eal__memalloc_free(void *addr, size_t len)
{
	struct eal_memseg_list *msl;
	struct msl_local *l;
	unsigned int idx, n;
	int rc = 0;

	if (addr == NULL || len == 0)
		return -EINVAL;
	if (!ma.active)
		return -ENOTSUP;
	msl = eal_mem_virt2memseg_list(addr);
	if (msl == NULL || !msl_is_dynamic(msl) ||
	    ((uintptr_t)addr - (uintptr_t)msl->base_va) % msl->page_sz != 0 ||
	    len % msl->page_sz != 0 ||
	    (uintptr_t)addr - (uintptr_t)msl->base_va + len > msl->len)
		return -EINVAL;
	idx = (unsigned int)(((uintptr_t)addr - (uintptr_t)msl->base_va) / msl->page_sz);
	n = (unsigned int)(len / msl->page_sz);

	hotplug_write_lock();
	pthread_mutex_lock(&ma.lock);
	rc = local_get(msl, &l);
	for (unsigned int i = idx; rc == 0 && i < idx + n; i++) {
		const struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, i);

		if (eal_fbarray_is_used(&msl->memseg_arr, i) != 1 || !l->mapped[i])
			rc = -EINVAL;
		else if (ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE)
			rc = -EBUSY;
	}
	pthread_mutex_unlock(&ma.lock);
	if (rc == 0)
		free_locked(msl, l, idx, n);
	hotplug_write_unlock();
	return rc;
}

/* Free pages [idx, idx + n) of @msl, in use and mapped here, in every
 * process; the hotplug write lock held. */
static void
free_locked(struct eal_memseg_list *msl, struct msl_local *l, unsigned int idx, unsigned int n)
{
	void *addr = EAL_PTR_ADD(msl->base_va, (size_t)idx * msl->page_sz);
	uint32_t gen;
	bool all;

	eal__mem_event_notify(EAL_MEM_EVENT_FREE, addr, (size_t)n * msl->page_sz);
	pthread_mutex_lock(&ma.lock);
	view_unmap(msl, l, idx, n);
	for (unsigned int i = idx; i < idx + n; i++) {
		memset(eal_fbarray_get(&msl->memseg_arr, i), 0, sizeof(struct eal_memseg));
		(void)eal_fbarray_set_free(&msl->memseg_arr, i);
	}
	__atomic_add_fetch(&msl->version, 1, __ATOMIC_RELEASE);
	l->version = msl->version;
	pthread_mutex_unlock(&ma.lock);
	eal__test_point("memfree-unrecorded");
	gen = publish_and_wait(&all);
	/* A process that did not apply the change (stopped, slow) may still
	 * map the old pages: their slots take no new page until it has, so
	 * it never reads another page through an address it has not caught
	 * up on. The hugepages go back now (its mapping keeps its own). */
	for (unsigned int i = idx; !all && i < idx + n; i++) {
		struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, i);

		ms->nrank = gen;
		ms->flags = EAL__MEMSEG_FLAG_QUARANTINE;
	}
	eal__test_point("memfree-before-release");
	/* Every process unmapped the pages (or was given up on): release. */
	pthread_mutex_lock(&ma.lock);
	backing_release(msl, l, idx, n);
	pthread_mutex_unlock(&ma.lock);
}

static void files_sweep(void);

/* Give back the hugepages of every free page that still has them. */
static void
backings_release_free(void)
{
	if (backing_per_page()) {
		if (ma.backing == BACKING_PAGE_FILES && ma.mcfg->huge_unlink != EAL_HUGE_UNLINK_NEVER)
			files_sweep();
		return;
	}
	for (unsigned int m = 0; m < ma.mcfg->n_memseg_lists; m++) {
		struct eal_memseg_list *msl = &ma.mcfg->memsegs[m];
		struct msl_local *l;
		int idx = 0, n;

		if (!msl_is_dynamic(msl) || local_get(msl, &l) < 0)
			continue;
		pthread_mutex_lock(&ma.lock);
		while ((idx = eal_fbarray_find_next_free(&msl->memseg_arr, (unsigned int)idx)) >= 0) {
			n = eal_fbarray_find_contig_free(&msl->memseg_arr, (unsigned int)idx);
			if (n <= 0)
				break;
			backing_release(msl, l, (unsigned int)idx, (unsigned int)n);
			idx += n;
			if ((unsigned int)idx >= msl->memseg_arr.len)
				break;
		}
		pthread_mutex_unlock(&ma.lock);
	}
}

/* Whether page @i of @msl is in a live process's allocation in flight. */
static bool
in_flight(const struct eal_memseg_list *msl, unsigned int i)
{
	uint64_t a = (uint64_t)(uintptr_t)msl->base_va + (uint64_t)i * msl->page_sz;

	for (int k = 0; k < EAL_MCFG_MAX_INFLIGHT; k++) {
		const struct eal_mcfg_inflight *r = &ma.mcfg->inflight[k];
		int32_t pid = __atomic_load_n(&r->pid, __ATOMIC_ACQUIRE);
		uint64_t len = __atomic_load_n(&r->len, __ATOMIC_ACQUIRE);

		if (pid != 0 && len != 0 && a - r->va < len && eal__os_pid_alive(pid))
			return true;
	}
	return false;
}

/* Whether page @i of @msl is a heap's page that nobody owns. */
static bool
orphan(const struct eal_memseg_list *msl, unsigned int i,
       bool (*owned)(const void *addr, size_t len, void *arg), void *arg)
{
	const struct eal_memseg *ms;

	if (eal_fbarray_is_used((struct eal_fbarray *)&msl->memseg_arr, i) != 1)
		return false;
	ms = eal_fbarray_get((struct eal_fbarray *)&msl->memseg_arr, i);
	return (ms->flags & EAL__MEMSEG_FLAG_HEAP) && !(ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE) &&
	       !in_flight(msl, i) && !owned(ms->addr, msl->page_sz, arg);
}

int
eal__memalloc_reclaim(bool (*owned)(const void *addr, size_t len, void *arg), void *arg,
		      uint64_t *ret_freed)
{
	struct eal_mem_config *mcfg = ma.mcfg;
	uint64_t freed = 0;
	int rc = 0;

	if (!ma.active || ma.slot < 0)
		return 0;
	hotplug_write_lock();
	/* A change can be requested again while this runs: clear it first. */
	__atomic_store_n(&mcfg->reclaim_wanted, 0, __ATOMIC_RELEASE);
	pthread_mutex_lock(&ma.lock);
	rc = sync_all(false); /* the dead's pages mapped here too */
	pthread_mutex_unlock(&ma.lock);
	for (unsigned int m = 0; rc == 0 && m < mcfg->n_memseg_lists; m++) {
		struct eal_memseg_list *msl = &mcfg->memsegs[m];
		struct msl_local *l;

		if (!msl_is_dynamic(msl) || msl->memseg_arr.count == 0)
			continue;
		rc = local_get(msl, &l);
		for (unsigned int i = 0; rc == 0 && i < msl->memseg_arr.len; i++) {
			unsigned int n = 0;

			while (i + n < msl->memseg_arr.len && orphan(msl, i + n, owned, arg) &&
			       l->mapped[i + n])
				n++;
			if (n == 0)
				continue;
			EAL_LOG(WARNING, "%u page(s) of %" PRIu64 " kB at %p belonged to no heap (a process died between mapping them and giving them to a heap, or back): given back",
				n, msl->page_sz >> 10, EAL_PTR_ADD(msl->base_va, (size_t)i * msl->page_sz));
			free_locked(msl, l, i, n);
			freed += (uint64_t)n * msl->page_sz;
			i += n - 1;
		}
	}
	/* A process killed between unmarking pages and giving their
	 * hugepages back left those in their files: no page is in flight
	 * (creation needs the lock we hold) and every page in use is mapped
	 * by a live process, which holds its file, so what nobody holds is
	 * free. */
	if (rc == 0) {
		/* A process that stopped with pages it then lost (the dead
		 * writer never published) still maps them and holds their
		 * files: make everyone apply the lists as they are first. */
		(void)publish_and_wait(NULL);
		backings_release_free();
	}
	/* The dead's records go; a live process's stay. */
	for (int k = 0; k < EAL_MCFG_MAX_INFLIGHT; k++) {
		struct eal_mcfg_inflight *r = &mcfg->inflight[k];
		int32_t pid = __atomic_load_n(&r->pid, __ATOMIC_ACQUIRE);

		if (pid != 0 && !eal__os_pid_alive(pid) &&
		    __atomic_compare_exchange_n(&r->pid, &pid, -1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED)) {
			__atomic_store_n(&r->len, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&r->pid, 0, __ATOMIC_RELEASE);
		}
	}
	hotplug_write_unlock();
	if (ret_freed != NULL)
		*ret_freed = freed;
	return rc;
}

/* ---- init and fini ---------------------------------------------------------- */

static int
proc_register(void)
{
	struct eal_mem_config *mcfg = ma.mcfg;
	int32_t me = eal__os_getpid();

	for (int i = 0; i < EAL_MCFG_MAX_PROCS; i++) {
		struct eal_mcfg_proc *p = &mcfg->procs[i];
		int32_t pid = __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE);

		if (pid != 0 && pid != me && eal__os_pid_alive(pid))
			continue;
		if (!__atomic_compare_exchange_n(&p->pid, &pid, me, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_RELAXED))
			continue;
		if (pid != 0 && pid != me)
			eal__memalloc_reclaim_request(); /* a dead process's slot */
		__atomic_store_n(&p->stalled, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&p->seen_gen, __atomic_load_n(&mcfg->hotplug_gen, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		ma.slot = i;
		return 0;
	}
	EAL_LOG(ERR, "%d processes already use this prefix's memory: no room for another (EAL_MCFG_MAX_PROCS)",
		EAL_MCFG_MAX_PROCS);
	return -EUSERS;
}

static void
proc_unregister(void)
{
	if (ma.slot < 0)
		return;
	__atomic_store_n(&ma.mcfg->procs[ma.slot].pid, 0, __ATOMIC_RELEASE);
	ma.slot = -1;
}

/* Unmap and close everything this process holds. A mapping keeps its
 * file open (and its flock held) after close: unmap first. */
static void
views_free(void)
{
	for (unsigned int i = 0; i < EAL_MAX_MEMSEG_LISTS; i++) {
		struct msl_local *l = &ma.lists[i];
		struct eal_memseg_list *msl = &ma.mcfg->memsegs[i];

		if (l->n_mapped > 0)
			(void)eal__os_unmap_to_reserved(msl->base_va, msl->len);

		for (unsigned int k = 0; l->fds != NULL && k < ma.mcfg->memsegs[i].memseg_arr.len; k++)
			eal__os_close(l->fds[k]);
		eal__os_close(l->list_fd);
		free(l->fds);
		free(l->mapped);
		memset(l, 0, sizeof(*l));
		l->list_fd = -1;
	}
}

/* The primary's cleanup: remove every file of the prefix nobody holds any
 * more, whoever made it, including those of processes killed half-way
 * through an allocation. */
static void
files_sweep(void)
{
	const struct eal_hugepage_info *hi = &ma.cfg->hugepage_info;

	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].dir[0] != '\0' &&
		    eal__hugepage_dir_sweep(hi->sizes[i].dir, ma.cfg->p.file_prefix) < 0)
			EAL_LOG(WARNING, "cannot remove the hugepage files in %s, ignoring",
				hi->sizes[i].dir);
}

static enum backing
backing_of(const struct eal_internal_config *cfg, const struct eal_mem_config *mcfg)
{
	if (cfg->p.in_memory)
		return mcfg->single_file_segments ? BACKING_MEMFD_LIST : BACKING_MEMFD_PAGE;
	return mcfg->single_file_segments ? BACKING_LIST_FILES : BACKING_PAGE_FILES;
}

int
eal__memalloc_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	bool secondary = cfg->process_type == EAL_PROC_SECONDARY;
	uint64_t nofile;
	int rc;

	ma.mcfg = mcfg;
	ma.cfg = cfg;
	ma.backing = backing_of(cfg, mcfg);
	ma.stop = false;
	ma.slot = -1;
	for (unsigned int i = 0; i < EAL_MAX_MEMSEG_LISTS; i++)
		ma.lists[i].list_fd = -1;
	if (backing_per_page() && eal__os_raise_nofile(&nofile) == 0)
		EAL_LOG(DEBUG, "open files limit: %" PRIu64, nofile);
	if (secondary && mcfg->huge_unlink == EAL_HUGE_UNLINK_ALWAYS) {
		EAL_LOG(ERR, "the primary removes its hugepage files (--huge-unlink=always): a secondary cannot map its memory");
		return -ENOTSUP;
	}
	ma.active = true;
	if (cfg->no_shared_files)
		return 0;

	/* Register and catch up under the read lock: no change can slip
	 * between the generation we record and the pages we map. */
	eal_rwlock_read_lock(&mcfg->memory_hotplug_lock);
	rc = proc_register();
	if (rc == 0) {
		/* Killed here: a slot names a dead pid that never applies a
		 * change, and the hotplug read lock has a dead reader. */
		eal__test_point("memalloc-registered");
		ma.applied_gen = mcfg->procs[ma.slot].seen_gen;
		pthread_mutex_lock(&ma.lock);
		rc = secondary ? sync_all(false) : 0;
		pthread_mutex_unlock(&ma.lock);
		if (rc < 0)
			EAL_LOG(ERR, "cannot map the memory the primary and other processes allocated: %s",
				eal_strerror(rc));
		else if (secondary) /* the others' pages mapped and flocked */
			eal__test_point("memalloc-attach-synced");
	}
	eal_rwlock_read_unlock(&mcfg->memory_hotplug_lock);
	if (rc == 0) {
		rc = -pthread_create(&ma.thread, NULL, hotplug_thread, NULL);
		if (rc < 0)
			EAL_LOG(ERR, "cannot start the memory hotplug thread: %s", eal_strerror(rc));
		else
			ma.thread_running = true;
	}
	/* Not fatal: without it a process that was stopped may fault on a
	 * page mapped meanwhile until its hotplug thread has caught up. */
	if (rc == 0 && eal__os_segv_hook_install(fault_catch_up) < 0)
		EAL_LOG(WARNING, "cannot install the SIGSEGV handler that catches up with memory mapped while this process was stopped, ignoring");
	if (rc < 0)
		eal__memalloc_fini(cfg, mcfg);
	return rc;
}

static bool
thread_joined_within_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_timedjoin_np(ma.thread, NULL, &ts) == 0;
}

void
eal__memalloc_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	bool primary = cfg->process_type == EAL_PROC_PRIMARY;

	if (ma.mcfg == NULL || ma.mcfg != mcfg)
		return;
	eal__os_segv_hook_remove();
	if (ma.thread_running) {
		ma.stop = true;
		/* Wakes every process's hotplug thread; the others see no new
		 * generation and sleep again. Repeated: ours may have checked
		 * `stop` just before it went to sleep. */
		do
			eal__os_futex_wake(&mcfg->hotplug_gen, INT32_MAX);
		while (!thread_joined_within_ms(1));
		ma.thread_running = false;
	}
	proc_unregister();
	pthread_mutex_lock(&ma.lock);
	views_free();
	pthread_mutex_unlock(&ma.lock);
	/* The primary, or a secondary outliving a primary that exited: the
	 * sweep removes only files no process holds, so the last one out
	 * leaves none. */
	if ((primary || eal__mcfg_primary_exited()) && !backing_is_memfd() &&
	    mcfg->huge_unlink != EAL_HUGE_UNLINK_NEVER)
		files_sweep();
	ma.active = false;
	ma.mcfg = NULL;
	ma.cfg = NULL;
	ma.backing = BACKING_NONE;
}
