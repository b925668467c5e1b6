/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of contents of libeal's internals (STYLE R3).
 *
 * Every non-static eal__ function is declared here, under the heading of
 * the file that owns it; nothing else may be non-static. Internal functions
 * return 0 or -errno and pass results out through ret_ parameters (R11);
 * only the public wrappers set eal_errno (R12).
 *
 * Each .c file defines EAL_LOG_COMPONENT (an enum eal_log_component) before
 * including this header, then logs with EAL_LOG(LEVEL, "fmt", ...): the
 * newline is appended, and a newline in the format is a compile error.
 */
#ifndef EAL_PRIVATE_H
#define EAL_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_common.h"
#include "eal_errno.h"
#include "eal_lock.h"
#include "eal_log.h"
#include "eal.h"
#include "eal_hugepage_info.h"
#include "eal_memory.h"
#include "eal_memzone.h"

struct eal_internal_config;
struct eal_mem_config;

/* ---- assertions (R25) ------------------------------------------------ */

#ifndef EAL_DEBUG
#define EAL_DEBUG 1
#endif

void eal__assert_fail(const char *expr, const char *file, int line, const char *func);

#define EAL__ASSERT_AT(lvl, e) \
	((EAL_DEBUG >= (lvl) && !(e)) ? eal__assert_fail(#e, __FILE__, __LINE__, __func__) : (void)0)
/* API misuse that can be detected cheaply. */
#define EAL_ASSERT(e) EAL__ASSERT_AT(1, e)
/* Internal invariants. */
#define EAL_ASSERT_INTERNAL(e) EAL__ASSERT_AT(2, e)
/* Invariant checkers that walk whole structures. */
#define EAL_ASSERT_EXPENSIVE(e) EAL__ASSERT_AT(3, e)

#define EAL_LIKELY(x) __builtin_expect(!!(x), 1)
#define EAL_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- eal_log.c ------------------------------------------------------- */

void eal__log(enum eal_log_level level, enum eal_log_component comp, const char *fmt, ...)
	EAL_FORMAT(3, 4);
bool eal__log_enabled(enum eal_log_level level, enum eal_log_component comp);
/* Parse "debug", "8", "fbarray:debug", "*:info"; applies nothing. */
int eal__log_parse_level(const char *arg, int *ret_comp, int *ret_level);
/* Component by name; -1 for "*" (all), -ENOENT when unknown. */
int eal__log_component_by_name(const char *name);
/* Reset levels and handler to the defaults (tests). */
void eal__log_reset(void);
/* Set a component's level, -1 for all (no validation: callers parsed it). */
void eal__log_set_level_id(int comp, int level);

/* Rejects a format string containing a newline at compile time (R17).
 * Only gcc folds __builtin_strchr on literals in a constant expression;
 * clang builds skip the check (CI builds with both). */
#if defined(__clang__)
#define EAL__LOG_CHECK_NO_NEWLINE(fmt) ((void)0)
#else
#define EAL__LOG_CHECK_NO_NEWLINE(fmt) \
	_Static_assert(!__builtin_strchr(fmt, '\n'), "log format must not contain a newline")
#endif

#define EAL_LOG(level, ...) \
	do { \
		EAL__LOG_CHECK_NO_NEWLINE(EAL__FIRST(__VA_ARGS__, "")); \
		if (eal__log_enabled(EAL_LOG_##level, EAL_LOG_COMPONENT)) \
			eal__log(EAL_LOG_##level, EAL_LOG_COMPONENT, __VA_ARGS__); \
	} while (0)
#define EAL__FIRST(a, ...) a

/* ---- eal_errno.c ----------------------------------------------------- */

/* Set eal_errno from a -errno result and return -1 (public wrappers);
 * the only writer of eal_errno on failure, with eal__fail_null for the
 * wrappers that return a pointer. */
static inline int
eal__fail(int rc)
{
	eal_errno = rc < 0 ? -rc : rc;
	return -1;
}

static inline void *
eal__fail_null(int rc)
{
	(void)eal__fail(rc);
	return NULL;
}

/* ---- eal_lock.c ------------------------------------------------------ */

/* Take the write lock; returns 1 when it was recovered from a dead writer
 * (the protected data may be half-updated), 0 otherwise. */
int eal__rwlock_write_lock(eal_rwlock_t *lock);
/* eal__rwlock_write_lock() for a lock that is never read-locked (the
 * heaps' locks): does not look at the reader slots. */
int eal__rwlock_excl_lock(eal_rwlock_t *lock);

/* ---- eal_test_hook.c ------------------------------------------------- */

/*
 * Fault injection for crash tests. When the environment variable
 * EAL_TEST_FAULT names @point ("mcfg-before-complete", ...), the process
 * acts at that point: "<point>" or "<point>:kill" sends SIGKILL to itself,
 * "<point>:sleep=<ms>" sleeps; "<point>@<n>" acts at the n-th time the
 * point is reached only. Read once per eal_init. EAL_TEST_POINT costs one
 * predictable branch when unset (hot paths use it).
 */
#if defined(EAL_FAULT_INJECTION)
extern bool eal__test_fault_armed;
void eal__test_point(const char *point);
void eal__test_hook_reload(void);
#define EAL_TEST_POINT(point)                          \
	do {                                           \
		if (EAL_UNLIKELY(eal__test_fault_armed)) \
			eal__test_point(point);        \
	} while (0)
#else
/* Not compiled in (meson -Dfault_injection, src/meson.build): nothing. */
static inline void
eal__test_point(const char *point)
{
	(void)point;
}

static inline void
eal__test_hook_reload(void)
{
}
#define EAL_TEST_POINT(point) ((void)0)
#endif

/* ---- eal_init.c ------------------------------------------------------ */

/* The shared config of this process, or NULL before init. */
struct eal_mem_config *eal__mcfg(void);
/* The per-process config, or NULL before init. */
const struct eal_internal_config *eal__internal_cfg(void);
/* Whether eal_init() has completed in this process. */
bool eal__initialized(void);

/* ---- eal_options.c --------------------------------------------------- */

/* Parse argv into @cfg (defaults first). *ret_consumed: arguments used. */
int eal__options_parse(struct eal_internal_config *cfg, int argc, char **argv, int *ret_consumed);
/* Fill @cfg from a public struct. */
int eal__options_from_params(struct eal_internal_config *cfg, const void *params);
/* Cross-option checks shared by both entry points (one ERR line each). */
int eal__options_check(struct eal_internal_config *cfg);
/* A process that became secondary through --proc-type=auto: one WARNING
 * naming the primary-only options it was given, which do not apply. */
void eal__options_note_ignored(const struct eal_internal_config *cfg);
/* Usage text to @f. */
void eal__options_usage(const char *prgname, void *f);
/* Parse a size with optional K/M/G suffix; no suffix means @default_unit bytes. */
int eal__parse_size(const char *s, uint64_t default_unit, uint64_t *ret);
/* @bytes exactly, in the largest binary unit that divides it ("2M", "1G",
 * "1536M", "100B", "0"), into @buf; returns @buf (tools' tables). */
const char *eal__format_size(char *buf, size_t len, uint64_t bytes);

/* ---- eal_runtime_dir.c ----------------------------------------------- */

/* Compute and (primary) create or (secondary) find the runtime directory. */
int eal__runtime_dir_init(struct eal_internal_config *cfg);
/* The base directory of runtime directories for @cfg: --runtime-dir, else
 * $RUNTIME_DIRECTORY/eal, /var/run/eal (root), $XDG_RUNTIME_DIR/eal,
 * /tmp/eal-<uid> (also tools/eal-info). -ENAMETOOLONG when it does not fit. */
int eal__runtime_base(const struct eal_internal_config *cfg, char *buf, size_t size);
/* Primary: remove fbarray files left by dead processes (DPDK's
 * eal_clean_runtime_dir), hugepage_info/hugepage_data records this
 * primary did not write, half-written *.tmp-<pid> files and symlinks
 * under libeal's file names; files held by live processes stay. */
int eal__runtime_dir_clean(const struct eal_internal_config *cfg);
/* fbarray files of the runtime directory that a live process maps (its
 * flock): a new primary finds a dead one's orphaned secondaries so. */
unsigned int eal__runtime_dir_held_arrays(const struct eal_internal_config *cfg);
/* Remove files this process created and the directory if empty. */
void eal__runtime_dir_fini(struct eal_internal_config *cfg);
/* Build "<runtime dir>/<name>" into @buf. -ENAMETOOLONG if it does not fit;
 * -ENOENT when this process uses no runtime directory. */
int eal__runtime_path(char *buf, size_t size, const char *name);
/* The runtime dir, or NULL when none is used (no-shconf, in-memory, no init). */
const char *eal__runtime_dir_path(void);

/* ---- eal_mcfg.c ------------------------------------------------------ */

int eal__mcfg_init(struct eal_internal_config *cfg);
void eal__mcfg_fini(struct eal_internal_config *cfg);
/* Primary: copy mode flags settled after creation into the config. */
void eal__mcfg_update_from_internal(struct eal_mem_config *mcfg,
				    const struct eal_internal_config *cfg);
/* Primary: mark the config complete (last step of init). */
void eal__mcfg_complete(struct eal_mem_config *mcfg);
/* 1 when a live primary holds the config file at @path, else 0. */
int eal__primary_alive_at(const char *path);
/* Whether this process's primary exited normally (its cleanup removed
 * `config`): a secondary leaving then may be the last of the prefix, and
 * removes what nobody holds any more. A killed primary's config stays,
 * for the next primary to take over. */
bool eal__mcfg_primary_exited(void);

/* ---- eal_region.c ------------------------------------------------------ */

/* Bytes of the config's slot at the start of the address region. */
size_t eal__region_config_len(void);
/* Bytes of the head: config slot and fbarray area. */
uint64_t eal__region_head_len(void);
/* Primary: reserve the head of the region (config slot, fbarray area) at
 * @base, or, when that is taken, at the first free whole TiB (WARNING). */
int eal__region_reserve(uint64_t base, bool base_given, void **ret_addr);
/* Primary, once the config is mapped: region_len and the fbarray area. */
void eal__region_init_shared(struct eal_mem_config *mcfg);
/* Secondary: reserve the primary's whole region exactly, first thing;
 * -EADDRINUSE with one line naming the occupant and a free base. */
int eal__region_attach(uint64_t addr, uint64_t len);
/* Unmap the whole region (cleanup, or a failed init). */
void eal__region_unmap(void *addr, uint64_t len);
/* Whether [addr, addr + len) lies inside the region. */
bool eal__region_contains(const struct eal_mem_config *mcfg, const void *addr, size_t len);
/* Unmap [addr, addr + len): back to a reservation inside the region, to
 * the kernel outside it. */
int eal__region_release(const struct eal_mem_config *mcfg, void *addr, size_t len);
/* Primary: @total bytes of memseg VA aligned to @align, after the head,
 * growing the region when needed; -EADDRINUSE (logged) when taken. */
int eal__region_take_mem(struct eal_mem_config *mcfg, uint64_t total, uint64_t align,
			 uint64_t *ret_base);
/* Primary, before `complete`: give back the reserved tail nothing uses. */
void eal__region_trim(struct eal_mem_config *mcfg);
/* Address space for an fbarray mapping of @len bytes from the fbarray
 * area (-ENOMEM when full), and back. */
int eal__region_fbarray_alloc(struct eal_mem_config *mcfg, size_t len, void **ret_addr);
void eal__region_fbarray_free(struct eal_mem_config *mcfg, const void *addr, size_t len);
bool eal__region_in_fbarray_area(const struct eal_mem_config *mcfg, const void *addr, size_t len);
/* /proc/self/maps text helpers (unit-tested on fixture text): a whole-TiB
 * base free for @len bytes (0: none), and what occupies a range. */
uint64_t eal__region_free_base(const char *maps, uint64_t len);
void eal__region_describe_taken(const char *maps, uint64_t addr, uint64_t len, char *buf,
				size_t size);

/* ---- eal_memseg_list.c ----------------------------------------------- */

/* One memseg list to create: @n_segs pages of @page_sz on node @socket. */
struct eal__msl_spec {
	uint64_t page_sz;
	int socket;
	unsigned int n_segs;
};
/* DPDK 22.11's memseg-list sizing for dynamic memory: the lists for
 * @n_sizes page sizes (largest first) on @n_sockets nodes, into @out. */
int eal__memseg_lists_plan(const uint64_t *page_sizes, unsigned int n_sizes, unsigned int n_sockets,
			   struct eal__msl_spec *out, unsigned int max, unsigned int *ret_n);
/* Primary: take one VA range of the region for all lists and create
 * their fbarrays. */
int eal__memseg_lists_create(struct eal_mem_config *mcfg, const struct eal__msl_spec *specs,
			     unsigned int n);
/* Whether @addr is in a page of a memseg list that is in use (mapped in
 * every process that has caught up); quiet, for pointer checks. */
bool eal__mem_in_use(const void *addr);
/* Secondary: check the lists' range lies in the region; attach them. */
int eal__memseg_lists_attach(struct eal_mem_config *mcfg);
/* Destroy (primary) or detach (secondary) the lists; the range's pages
 * leave this process (the range stays reserved in the region). */
void eal__memseg_lists_fini(struct eal_mem_config *mcfg, bool primary);

/* ---- eal_memory.c ----------------------------------------------------- */

/* Memory stage of eal_init: dispatch by mode, init or attach. */
int eal__memory_init(struct eal_internal_config *cfg);
void eal__memory_fini(struct eal_internal_config *cfg);

/* ---- eal_mem_event.c ------------------------------------------------- */

/*
 * Call every registered memory event callback of this process with
 * (@event, @addr, @len). Callbacks run in registration order, under the
 * registry's read lock (registering from inside a callback deadlocks:
 * the public docs forbid it).
 */
void eal__mem_event_notify(enum eal_mem_event event, const void *addr, size_t len);

/*
 * Ask the validators of this process registered on @socket with a limit
 * at or below @new_len whether memory on @socket may grow to @new_len
 * bytes. 0 when every one allows it (or none applies); -ENOMEM when one
 * refuses (one ERR line names it, the socket and the sizes).
 */
int eal__mem_alloc_validate(int socket, size_t new_len);

/* Forget every callback and validator (tests). */
void eal__mem_event_reset(void);

/* ---- eal_memalloc.c (the dynamic page allocator) ------------------------ */

/* eal__memalloc_alloc() flags */
#define EAL__MEMALLOC_PIN (1u << 0) /* pages stay until cleanup (-m / --socket-mem) */
/* A memseg flag of libeal's own (beside DPDK's in eal_memory.h): a page
 * mapped for a heap (eal__memalloc_alloc_for_heap), which
 * eal__memalloc_reclaim() gives back when no heap owns it. Pages without
 * it belong to their caller and are never reclaimed. */
#define EAL__MEMSEG_FLAG_HEAP (1u << 15)
/* In a FREE memseg slot: the page was freed while a process had not
 * applied the change (stopped, or slow); the slot is not reused until
 * every live process has applied generation ms->nrank, so none can still
 * reach the old page at that address. */
#define EAL__MEMSEG_FLAG_QUARANTINE (1u << 14)

/*
 * Set up the page allocator of this process, in dynamic mode, after the
 * memseg lists are created or attached: raise RLIMIT_NOFILE to its hard
 * limit (per-page files); in a secondary, map every page in use; with
 * shared files, register in the process table of the shared config and
 * start the hotplug thread that maps and unmaps pages other processes
 * allocate and free. Nothing held on failure.
 */
int eal__memalloc_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Unmap and close everything of this process, leave the process table and
 * stop the hotplug thread; a primary also removes the backing files (not
 * with --huge-unlink=never). Call before the lists are unmapped.
 * Idempotent.
 */
void eal__memalloc_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Map @n VA-contiguous pages of @page_sz (0: the smallest hugepage size
 * with a memseg list) on NUMA node @socket (EAL_SOCKET_ID_ANY: the
 * caller's node first, then the others) into one memseg list. Every
 * process attached sees them before this returns (except one that does
 * not answer within the hotplug timeout: one WARNING names it).
 * All or nothing. *ret_addr gets the first page's address.
 * Returns -ENOMEM (no free run of @n pages, the pool ran out, a validator
 * refused: one ERR line says which), -EINVAL (bad arguments), -ENOTSUP
 * (legacy or no-huge memory), -errno of the system.
 */
int eal__memalloc_alloc(uint64_t page_sz, int socket, unsigned int n, unsigned int flags,
			void **ret_addr);

/*
 * eal__memalloc_alloc() of pages for a heap: recorded in flight (in the
 * shared config) from before they are marked in use until the heap owns
 * them and calls eal__memalloc_settle(*ret_ticket) under its lock.
 */
int eal__memalloc_alloc_for_heap(uint64_t page_sz, int socket, unsigned int n, void **ret_addr,
				 int *ret_ticket);
void eal__memalloc_settle(int ticket);

/* Whether a process died since the last reclaim (cheap: one load). */
bool eal__memalloc_reclaim_wanted(void);
/* Look for dead processes in the process table and the in-flight
 * records (a kill(2) each); request a reclaim and say so when one is. */
bool eal__memalloc_look_for_dead(void);
/* Note that a process died: the next reclaim looks. */
void eal__memalloc_reclaim_request(void);

/*
 * Give back every heap page (EAL__MEMSEG_FLAG_HEAP, not pinned) in use
 * that @owned() says no heap owns and that no live process has in flight:
 * what processes killed between mapping pages and linking them into a
 * heap, or between unlinking and unmapping them, left behind. The caller
 * holds every heap lock (so no live process is half-way through a shrink
 * and @owned() can read the heaps). Clears the dead processes' records.
 * *ret_freed (may be NULL) gets the bytes given back.
 */
int eal__memalloc_reclaim(bool (*owned)(const void *addr, size_t len, void *arg), void *arg,
			  uint64_t *ret_freed);

/*
 * Unmap [@addr, @addr + @len), whole pages of one memseg list allocated
 * by eal__memalloc_alloc(), in every process, and give the hugepages back
 * to the kernel. -EINVAL when the range is not whole allocated pages of
 * one list, -EBUSY for pinned pages, -ENOTSUP in legacy or no-huge mode.
 */
int eal__memalloc_free(void *addr, size_t len);

/* ---- eal_hugepage_dynamic.c (dynamic mode init) ------------------------ */

/*
 * Primary: reserve the memseg lists (DPDK 22.11's sizing), choose the IOVA
 * mode, set up the allocator and preallocate -m / --socket-mem (pinned).
 * Secondary: attach the lists and the allocator. Nothing held on failure.
 */
int eal__dynamic_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);
void eal__dynamic_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/* ---- eal_memzone.c (structs: src/eal_memzone.h) ------------------------ */

/* the name index: pure functions (no lock, no log), tests drive them alone */

/* 64-bit FNV-1a of @name, up to its NUL. */
uint64_t eal__memzone_name_hash(const char *name);

/* Empty @ix with @n_slots slots, a power of two from 2 to
 * EAL_MEMZONE_INDEX_SLOTS; -EINVAL otherwise (ix untouched). Leaves gen. */
int eal__memzone_index_init(struct eal_memzone_index *ix, uint32_t n_slots);

/* The entry named @name, whose hash is @hash: 0 with *ret_idx, or -ENOENT.
 * @eq(@ctx, idx, @name) compares names. */
int eal__memzone_index_find(const struct eal_memzone_index *ix, uint64_t hash, const char *name,
			    eal__memzone_name_eq_t eq, const void *ctx, uint32_t *ret_idx);

/* Add entry @idx (below UINT32_MAX) named @name. -EEXIST when an entry
 * has that name, -ENOSPC when only one slot would stay empty, -EINVAL. */
int eal__memzone_index_insert(struct eal_memzone_index *ix, uint64_t hash, const char *name,
			      uint32_t idx, eal__memzone_name_eq_t eq, const void *ctx);

/* Remove entry @idx, inserted with @hash (backward shift, no tombstone).
 * -ENOENT when it is not there. */
int eal__memzone_index_remove(struct eal_memzone_index *ix, uint64_t hash, uint32_t idx);

/* The index invariant: every entry reachable from its home, count right. */
bool eal__memzone_index_is_valid(const struct eal_memzone_index *ix);

/* the memzone layer over a state; each function takes st->lock itself */

/* Create the zone table "memzone" of @max descriptors (1 to
 * EAL_MEMZONE_INDEX_SLOTS / 2) in *st->zones and an empty index of
 * 2 * @max slots rounded up to a power of two. */
int eal__memzone_state_create(struct eal_memzone_state *st, unsigned int max);
/* A secondary: check what the primary wrote (-EPROTO, one ERR line) and
 * attach the zone table. */
int eal__memzone_state_attach(struct eal_memzone_state *st);
/* Destroy the table (@primary; detach instead while another process maps
 * it) or detach it. eal_errno untouched. */
void eal__memzone_state_release(struct eal_memzone_state *st, bool primary);

/* DPDK 22.11's rte_memzone_* semantics, with -errno returns: */
int eal__memzone_reserve(struct eal_memzone_state *st, const char *name, size_t len, int socket,
			 unsigned int flags, unsigned int align, unsigned int bound,
			 const struct eal_memzone **ret_mz);
int eal__memzone_free(struct eal_memzone_state *st, const struct eal_memzone *mz);
/* -ENOENT when no zone has that name (nothing logged). */
int eal__memzone_lookup(struct eal_memzone_state *st, const char *name,
			const struct eal_memzone **ret_mz);
void eal__memzone_walk(struct eal_memzone_state *st, void (*func)(const struct eal_memzone *, void *),
		       void *arg);
void eal__memzone_dump(struct eal_memzone_state *st, FILE *f);

/* the process's memzones, in the shared config */

/* Stage of eal_init after the heaps: a primary creates mcfg->memzones and
 * mcfg->memzone_index, a secondary checks and attaches them. -EALREADY
 * when this process has them already. Nothing held on failure. */
int eal__memzone_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);
/* Destroy (primary) or detach (secondary). Idempotent. */
void eal__memzone_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);
/* Tests: the heap the public functions use; NULL restores the malloc heap. */
void eal__memzone_set_heap(const struct eal_memzone_heap *heap);

/* ---- eal_malloc_elem.c (structs: src/eal_malloc_heap.h) ---------------- */

/*
 * The O(1) heap core: a two-level segregated fit allocator over regions of
 * shared memory. Everything lives in struct eal_malloc_heap and in 64-byte
 * headers inside the managed memory, with plain pointers (the same VA in
 * every process). Functions marked "lock held" expect the caller to hold
 * the heap's lock (eal__heap_lock()).
 */
struct eal_malloc_heap;
struct eal__heap_stats;

/* Set up an empty heap in @heap (any memory: the whole struct is
 * overwritten). @name is truncated to EAL__HEAP_NAME_LEN - 1 characters.
 * Only while no process uses the heap. */
void eal__heap_init(struct eal_malloc_heap *heap, const char *name, int socket_id);

/* Take the heap's lock (a robust rwlock used as a mutex). Returns 1 when
 * it was recovered from a dead holder, whose update may be half done (run
 * eal__heap_validate()), 0 otherwise. */
int eal__heap_lock(struct eal_malloc_heap *heap);

/* Release the heap's lock. */
void eal__heap_unlock(struct eal_malloc_heap *heap);

/*
 * Lock held. Add [@start, @start + @len) to the heap as a new region, one
 * free block between a region header and an end sentinel (128 bytes of
 * overhead); regions never merge, even when adjacent. @start 64-aligned,
 * @len a multiple of 64, at least EAL__HEAP_MIN_REGION and at most
 * EAL__HEAP_MAX_REGION, not overlapping memory the heap already has (not
 * checked below debug level 3). -EINVAL otherwise.
 */
int eal__heap_add_memory(struct eal_malloc_heap *heap, void *start, size_t len);

/*
 * Lock held. Allocate @size bytes aligned on @align (a power of two; 0 and
 * anything below 64 mean 64) that do not cross a multiple of @bound (a
 * power of two, at least @size; 0 for none), in O(1). *ret_ptr gets the
 * data. -EINVAL for @size 0 or a bad @align or @bound; -ENOMEM when no
 * free block is large enough (grow the heap and retry) or the request is
 * larger than any region can be.
 */
int eal__heap_alloc(struct eal_malloc_heap *heap, size_t size, size_t align, size_t bound,
		    void **ret_ptr);

/*
 * Lock held (of the heap *ret_heap will name). Free the allocation at
 * @ptr, merging with free neighbours, in O(1); *ret_heap (when not NULL)
 * gets its heap. Nothing is written on failure, which is logged (one ERR
 * line with @ptr): -EINVAL when @ptr is not the start of a live allocation
 * (foreign, interior, double free); -EUCLEAN when its header, the trailing
 * canary after its data or a neighbour's header was overwritten. @ptr must
 * be readable 64 bytes below (callers check it is libeal memory first).
 */
int eal__heap_free(void *ptr, struct eal_malloc_heap **ret_heap);

/* The block eal__heap_free_span() freed, and the free block it is part
 * of after merging: [lo, hi) and [merged_lo, merged_hi), headers
 * included. */
struct eal__heap_freed {
	uintptr_t lo, hi;
	uintptr_t merged_lo, merged_hi;
};

/* eal__heap_free(), telling the caller where the freed memory ended up
 * (@ret_span may be NULL). */
int eal__heap_free_span(void *ptr, struct eal_malloc_heap **ret_heap,
			struct eal__heap_freed *ret_span);

/*
 * Lock held. Resize the allocation at @ptr to @new_size bytes without
 * moving it: shrink by splitting the tail off, grow into a free block
 * after it. -ENOMEM when it cannot grow in place (nothing changed);
 * -EINVAL for @new_size 0; errors of eal__heap_free() for @ptr.
 */
int eal__heap_realloc_in_place(void *ptr, size_t new_size);

/*
 * No lock needed. The heap of the live allocation at @ptr, to lock before
 * calling the functions below on it: reads the header's magic and heap
 * words, which do not change while the allocation lives. -EINVAL when
 * @ptr is not the start of a live allocation. The seal is not checked
 * (only the lock makes it stable): callers check that *ret_heap is one of
 * their heaps before using it. @ptr must be readable 64 bytes below.
 */
int eal__heap_of(const void *ptr, struct eal_malloc_heap **ret_heap);

/* Lock held. The address ranges [out[i][0], out[i][1]) of the heap's
 * regions, at most @max. -EUCLEAN when the heap is disabled or its chain
 * does not add up (then nothing may be taken from it). */
int eal__heap_regions(const struct eal_malloc_heap *heap, uintptr_t (*out)[2], unsigned int max,
		      unsigned int *ret_n);

/* Owner tags of a live allocation (its header's tag word, sealed). */
#define EAL__HEAP_TAG_MALLOC 0u  /* eal_malloc & co. */
#define EAL__HEAP_TAG_MEMZONE 1u /* a memzone's memory: eal_free refuses it */

/* No lock needed. The tag of the live allocation at @ptr (as
 * eal__heap_of: @ptr readable 64 bytes below). */
uint64_t eal__heap_tag(const void *ptr);

/* Lock held. Set the tag of the live allocation at @ptr (a logged header
 * write, repaired like any other). -EINVAL when it is none. */
int eal__heap_tag_set(void *ptr, uint64_t tag);

/* Lock held. Bytes usable at @ptr, the start of a live allocation (the
 * size asked for, rounded up to 8); 0 when @ptr is not one or its header
 * or trailing canary is corrupt. */
size_t eal__heap_usable_size(const void *ptr);

/* Lock held. 0 when @ptr is the start of a live, intact allocation;
 * -EINVAL when it is not the start of a live allocation; -EUCLEAN when it
 * is one but its header or trailing canary was overwritten. Logs
 * nothing. */
int eal__heap_elem_check(const void *ptr);

/*
 * Lock held. The allocation of @heap whose data holds @inner (any byte of
 * [data, data + usable size)): *ret_start and *ret_size get its data and
 * usable size. -ENOENT when @inner is in no live allocation of @heap;
 * -EUCLEAN when a corrupt header stops the walk. Costs O(regions + blocks
 * of the region holding @inner): for diagnostics and virt2iova.
 */
int eal__heap_elem_find(struct eal_malloc_heap *heap, const void *inner, void **ret_start,
			size_t *ret_size);

/*
 * Lock held. Check every invariant: each region's headers, seals, guards
 * and trailing canaries, sizes adding up to the region, prev links, no two
 * adjacent free blocks; every free block in the right list and every list
 * entry a free block; bitmaps matching the lists; statistics matching the
 * blocks. 0, or -EUCLEAN with a one-line reason in @why (when not NULL).
 * Logs nothing. O(blocks).
 */
int eal__heap_validate(struct eal_malloc_heap *heap, char *why, size_t why_len);

/* Lock held. The heap's statistics (sizes include headers, as DPDK's). */
void eal__heap_stats(const struct eal_malloc_heap *heap, struct eal__heap_stats *out);

/*
 * Lock held. Carve whole @page_sz-aligned pages out of the free blocks,
 * largest blocks first, as long as at least @keep_free bytes stay free,
 * and hand each carved run to @release(addr, len, @arg) (which unmaps
 * it). No header lies in a run: a page goes only when the free block
 * reaches 64 bytes past it on each side (room for a new end sentinel and
 * region header), or reaches the region's page-aligned edge. The block
 * keeps its parts before and after the run as free blocks; the run
 * becomes a gap between two regions, or takes a whole free region with
 * it. @release is called before the heap is re-shaped around the run, so
 * it may unmap the run at once; when it fails (returns < 0) that run
 * stays in the heap unchanged and the others are still tried. Returns the
 * first failure, else 0; -EINVAL for a @page_sz that is not a power of
 * two of at least EAL__HEAP_MIN_REGION (256), or no @release. Costs
 * O(free blocks of at least a page).
 */
int eal__heap_release_pages(struct eal_malloc_heap *heap, size_t page_sz, size_t keep_free,
			    int (*release)(void *addr, size_t len, void *arg), void *arg);

/* ---- eal_malloc_heap.c (the heap set; structs: src/eal_malloc_heap.h) -- */

struct eal__heap_stats;

/* Primary: one heap per memory type, holding the memory mapped at init.
 * Secondaries find them in the shared config. */
int eal__malloc_heaps_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Allocate @size bytes (@align a power of two, @bound 0 or a power of two
 * not below @size) on @socket (EAL_SOCKET_ID_ANY: this thread's node
 * first), growing a heap with the page allocator when no block fits.
 * @flags: the EAL_MEMZONE_* page-size bits (with SIZE_HINT_ONLY: other
 * sizes after them) and IOVA_CONTIG. *ret_socket and *ret_page_sz (when
 * not NULL) get the heap's node and page size. -EINVAL, -ENOMEM, -ENODEV
 * (no eal_init).
 */
int eal__malloc_heap_alloc(int socket, size_t size, size_t align, size_t bound, unsigned int flags,
			   void **ret_ptr, int *ret_socket, uint64_t *ret_page_sz);

/* Free; whole free pages beyond one page per heap go back to the system.
 * -EINVAL (logged) for a pointer that is not a live allocation, mapped or
 * not (nothing is read outside pages in use), or that is a memzone's. */
int eal__malloc_heap_free(void *ptr);
/* When a process of the table died (eal__memalloc_look_for_dead): give
 * back the pages it left in no heap (eal__memalloc_reclaim). Takes every
 * heap lock. */
void eal__malloc_heaps_reclaim(void);
/* The same for memzones: allocations tagged EAL__HEAP_TAG_MEMZONE. */
int eal__malloc_heap_alloc_zone(int socket, size_t size, size_t align, size_t bound,
				unsigned int flags, void **ret_ptr, int *ret_socket,
				uint64_t *ret_page_sz);
int eal__malloc_heap_free_zone(void *ptr);
/* The heap of eal_malloc's live allocation @ptr, for @op ("realloc"):
 * -EINVAL (logged) as eal__malloc_heap_free refuses. */
int eal__malloc_heap_owner(const void *ptr, const char *op, struct eal_malloc_heap **ret_heap);

/* The largest allocation one block could give on @socket (ANY: any node)
 * with @flags' page sizes and @align: for a memzone of length 0. */
int eal__malloc_heap_biggest_free(int socket, unsigned int flags, size_t align, size_t *ret_len);

/* Sum of the statistics of @socket's heaps. */
void eal__malloc_heaps_stats(int socket, struct eal__heap_stats *out);

/* ---- eal_hugepage_info.c (structs: src/eal_hugepage_info.h) ----------- */

/* discovery and the primary's sequence ------------------------------ */

/*
 * Read sysfs and procfs (roots: eal__os_sysfs_root/procfs_root) into
 * *hi: sizes largest first with their counts, per-node counts, the default
 * size, the hugetlbfs mount (or @huge_dir, which must be a hugetlbfs mount
 * point or a directory under one) of each size, and num_pages under the
 * rules of @in_memory and @legacy_mem. No lock is taken, nothing written;
 * every lock_fd is -1. No hugepage support at all is 0 sizes, not an error.
 * Returns -EIO (a file could not be read or parsed; one ERR names it),
 * -EINVAL (@huge_dir is unusable; one ERR says why) or -ENOMEM. *hi is
 * untouched on failure.
 */
int eal__hugepage_info_discover(struct eal_hugepage_info *hi, const char *huge_dir,
				bool in_memory, bool legacy_mem);

/*
 * The primary's sequence: discover; flock(LOCK_EX) each chosen dir
 * (blocking: another primary may be counting the same pages); remove this
 * prefix's stale backing files that no live process holds (with
 * --huge-unlink=never they are kept and counted as usable instead); count
 * usable pages; write <runtime dir>/hugepage_info when the process has a
 * runtime directory. The dir locks stay held until
 * eal__hugepage_dirs_unlock(). All or nothing: on failure nothing is held
 * and *hi is untouched.
 */
int eal__hugepage_info_init(struct eal_hugepage_info *hi, const struct eal_internal_config *cfg);

/* Release the dir locks (after memory init). Idempotent. */
void eal__hugepage_dirs_unlock(struct eal_hugepage_info *hi);

/* Release everything *hi holds. Idempotent; a zeroed struct is fine. */
void eal__hugepage_info_fini(struct eal_hugepage_info *hi);

/*
 * Whether any size has usable pages. When none has, @why (when not NULL)
 * gets one sentence saying why, such as "no hugepages reserved" or
 * "all 64 reserved 2048 kB pages are in use".
 */
/* Advice for a machine eal__hugepage_info_usable() refused, for a process
 * that is @root or not and @can_reserve (writes nr_hugepages) or not. */
void eal__hugepage_advice(const struct eal_hugepage_info *hi, bool root, bool can_reserve, char *buf,
			  size_t len);
bool eal__hugepage_info_usable(const struct eal_hugepage_info *hi, bool in_memory, char *why,
			       size_t why_len);

/* backing file names ------------------------------------------------ */

/* "<dir>/<prefix>map_<idx>" (list < 0) or "<dir>/<prefix>map_<list>_<idx>".
 * -ENAMETOOLONG when it does not fit in @size. */
int eal__hugepage_file_path(char *buf, size_t size, const char *dir, const char *prefix,
			    int list, unsigned int idx);

/* Remove every backing file of @prefix in @dir that no live process
 * holds (the stale-file rule of init, for a primary's cleanup). */
int eal__hugepage_dir_sweep(const char *dir, const char *prefix);

/* Whether @name is exactly "<prefix>map_<digits>" or
 * "<prefix>map_<digits>_<digits>" (so "a" never claims "abmap_0"). */
bool eal__hugepage_file_is_ours(const char *name, const char *prefix);

/* the hugepage_info record ------------------------------------------ */

/* Write *hi to @path atomically (0600). */
int eal__hugepage_info_write(const struct eal_hugepage_info *hi, const char *path);

/* Read and check a record written by eal__hugepage_info_write(). Refuses
 * anything truncated, oversized, corrupt, of another version or out of
 * range with -EPROTO and one ERR line; -errno when it cannot be read.
 * Every lock_fd of the result is -1. */
int eal__hugepage_info_read(struct eal_hugepage_info *hi, const char *path);

/* Largest record size, for readers' buffers. */
size_t eal__hugepage_info_record_max(void);

/* Encode into @buf (at least eal__hugepage_info_record_max() bytes). */
int eal__hugepage_info_encode(const struct eal_hugepage_info *hi, void *buf, size_t size,
			      size_t *ret_len);

/* Decode and check @len bytes. -EPROTO when the content is refused, with
 * the reason in @why (when not NULL). *hi is untouched on failure. */
int eal__hugepage_info_decode(struct eal_hugepage_info *hi, const void *buf, size_t len,
			      char *why, size_t why_len);

/* The checksum a record of @len bytes should carry (fuzzers use it to
 * reach the checks behind the checksum). 0 when @len is below a header. */
uint64_t eal__hugepage_info_record_checksum(const void *buf, size_t len);

/* parsers over memory (exposed for tests and fuzzing) --------------- */

/* A sysfs count: decimal digits, then optional white space. -EINVAL when
 * malformed, -ERANGE above UINT64_MAX. */
int eal__hugepage_parse_count(const char *buf, size_t len, uint64_t *ret_count);

/* A sysfs directory name "hugepages-<N>kB" into bytes (a power of two). */
int eal__hugepage_parse_dirname(const char *name, uint64_t *ret_size);

/* "Hugepagesize: <N> kB" of a meminfo text: -ENOENT without that line,
 * -EINVAL when it is malformed. */
int eal__hugepage_parse_meminfo(const char *buf, size_t len, uint64_t *ret_size);

/* Parse a mounts text (/proc/mounts format). -EINVAL when a line is
 * malformed (*ret_line, when not NULL, gets its 1-based number). */
int eal__hugepage_parse_mounts(const char *buf, size_t len, eal__hugepage_mount_cb cb, void *arg,
			       unsigned int *ret_line);

/* ---- eal_hugepage_legacy.c --------------------------------------------- */

/* Name of the page table a legacy primary publishes in its runtime dir. */
#define EAL_HUGEPAGE_DATA_FILE "hugepage_data"

/*
 * Primary: map the hugepages -m / --socket-mem ask for (all usable pages
 * when neither is given), sort them by physical address, create one memseg
 * list per (page size, node) and remap each list's pages there so that
 * physically contiguous runs are virtually contiguous, then publish
 * <runtime dir>/hugepage_data. Sets mcfg->iova_mode_used.
 * All or nothing: on failure nothing is left mapped, open, locked or on
 * disk. Returns -ENOMEM (not enough pages, or the pool shrank while
 * mapping: one ERR names size, socket, asked and found), -EINVAL
 * (--socket-mem names a node that does not exist, or IOVA as PA is
 * forced without physical addresses), -errno of the system.
 */
int eal__legacy_init(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Secondary, after eal__memseg_lists_attach(): read hugepage_data and map
 * every page at the address the primary recorded. -EPROTO for a corrupt
 * or inconsistent record, -ENOTSUP when the primary unlinked its files
 * (--huge-unlink=always), -errno of the system; nothing held on failure.
 */
int eal__legacy_attach(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/*
 * Release what init or attach holds, after eal__memseg_lists_fini() has
 * unmapped the range: close the page fds (dropping their locks); a primary
 * also unlinks its page files (not with --huge-unlink=never) and
 * hugepage_data. Idempotent; a no-op when legacy memory is not in use.
 */
void eal__legacy_fini(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg);

/* ---- eal_iova.c ------------------------------------------------------- */

/*
 * Physical address of each of @n addresses: ret_pa[i] = PFN * system page
 * size + offset of addrs[i] in its system page.
 *
 * The pages must be resident (touched). A page that is not present, or
 * whose PFN reads as 0 (an unprivileged reader: since Linux 4.0 the kernel
 * hides PFNs from processes without CAP_SYS_ADMIN), gives EAL_BAD_IOVA for
 * that entry only.
 *
 * Cost: one open of the pagemap for the whole batch, then one pread per
 * run of addresses whose pages lie within 512 pages (2 MiB of VA) of each
 * other, so a batch over one hugepage or a sorted batch over a memseg list
 * costs a few system calls in all. n == 0 opens nothing.
 *
 * Returns 0 when the pagemap could be read (even if every entry is
 * EAL_BAD_IOVA); -EACCES, -EPERM, -ENOENT, ... as opening or reading it
 * gave; -EINVAL for NULL arrays; -ENOMEM when a batch spanning several
 * runs needs a staging array and none can be allocated. On failure
 * ret_pa is left untouched. Logs nothing above DEBUG: the caller decides.
 */
int eal__iova_virt2phys(const void *const *addrs, unsigned int n, uint64_t *ret_pa);

/*
 * Whether this process can see real physical addresses: the pagemap opens
 * and gives a non-zero PFN for a resident private page. The page probed is
 * the one holding *ret itself (read and written back, so resident), which
 * lets a test describe it in a crafted EAL_PROCFS_ROOT pagemap.
 *
 * Returns 0; *ret is false when the pagemap is missing, unreadable or
 * hides PFNs (the reason is logged at DEBUG).
 */
int eal__iova_pa_available(bool *ret);

/*
 * The IOVA mode a primary uses, from the --iova-mode request:
 *   EAL_IOVA_PA: PA when physical addresses are available, else -EINVAL
 *                with one ERR line saying to run as root or use VA;
 *   EAL_IOVA_VA: VA (the pagemap is not read);
 *   EAL_IOVA_DC: PA when available and hugepages are used (!@no_huge),
 *                else VA: DPDK's choice when no device bus has a say.
 * Availability is probed as eal__iova_pa_available() does, on the page of
 * *ret_mode. The decision is logged at INFO.
 *
 * Returns 0 with *ret_mode set; -EINVAL for forced PA without physical
 * addresses or a request that is not an enum eal_iova_mode value
 * (*ret_mode untouched).
 */
int eal__iova_mode_select(enum eal_iova_mode requested, bool no_huge,
			  enum eal_iova_mode *ret_mode);

/* ---- eal_fbarray.c --------------------------------------------------- */

/* Unmap every fbarray this process mapped and forget them (cleanup). */
void eal__fbarray_forget_all(void);

#endif /* EAL_PRIVATE_H */
