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

/* Set eal_errno from a -errno result and return -1 (public wrappers). */
static inline int
eal__fail(int rc)
{
	eal_errno = rc < 0 ? -rc : rc;
	return -1;
}

/* ---- eal_lock.c ------------------------------------------------------ */

/* Take the write lock; returns 1 when it was recovered from a dead writer
 * (the protected data may be half-updated), 0 otherwise. */
int eal__rwlock_write_lock(eal_rwlock_t *lock);

/* ---- eal_test_hook.c ------------------------------------------------- */

/*
 * Fault injection for crash tests. When the environment variable
 * EAL_TEST_FAULT names @point ("mcfg-before-complete", ...), the process
 * acts at that point: "<point>" or "<point>:kill" sends SIGKILL to itself,
 * "<point>:sleep=<ms>" sleeps. Read once per eal_init. Costs one branch
 * when unset.
 */
void eal__test_point(const char *point);
void eal__test_hook_reload(void);

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

/* ---- eal_runtime_dir.c ----------------------------------------------- */

/* Compute and (primary) create or (secondary) find the runtime directory. */
int eal__runtime_dir_init(struct eal_internal_config *cfg);
/* Primary: remove fbarray files left by dead processes (DPDK's
 * eal_clean_runtime_dir); files held by live processes stay. */
int eal__runtime_dir_clean(const struct eal_internal_config *cfg);
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
/* Primary: reserve one VA range for all lists and create their fbarrays. */
int eal__memseg_lists_create(struct eal_mem_config *mcfg, const struct eal__msl_spec *specs,
			     unsigned int n);
/* Secondary: reserve the primary's range exactly and attach the lists. */
int eal__memseg_lists_attach(struct eal_mem_config *mcfg);
/* Destroy (primary) or detach (secondary) the lists and unmap the range. */
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
