/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between libeal and the operating system (STYLE R34).
 *
 * Every system call libeal makes goes through one of these primitives, so
 * that unit tests can intercept them (-Wl,--wrap) and so that no other file
 * needs an #ifdef. The Linux implementation lives in src/os/linux/.
 *
 * Common rules:
 * - Each primitive returns 0 (or a documented non-negative value) on
 *   success and -errno on failure; results go out through ret_ parameters,
 *   which are left untouched on failure.
 * - Failures are logged once, at DEBUG, with the call, all its arguments and
 *   the error text; the caller decides whether that is an ERR for the user.
 * - Every fd is opened O_CLOEXEC; paths libeal creates are opened with
 *   O_NOFOLLOW so a planted symlink is never followed.
 */
#ifndef EAL_OS_H
#define EAL_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- files ---------------------------------------------------------- */

/* open(2) with O_CLOEXEC | O_NOFOLLOW added to @flags. */
int eal__os_open(const char *path, int flags, mode_t mode, int *ret_fd);

/* close(2); fd < 0 is accepted and ignored (destructors take half-built
 * objects). Always returns 0: there is nothing useful to do on failure. */
int eal__os_close(int fd);

/* ftruncate(2). */
int eal__os_ftruncate(int fd, uint64_t len);

/* fstat(2) size of an open file. */
int eal__os_fsize(int fd, uint64_t *ret_size);

/* flock(2) with @op one of LOCK_SH, LOCK_EX, LOCK_UN, optionally | LOCK_NB.
 * A lock held by someone else with LOCK_NB gives -EWOULDBLOCK. */
int eal__os_flock(int fd, int op);

/* Open-file-description byte-range lock (F_OFD_SETLK / F_OFD_SETLKW) on
 * [start, start + len). OFD locks belong to the open file, not the process,
 * so closing another fd to the same file (as eal_primary_proc_alive does)
 * never drops them, and the kernel drops them when the holder dies.
 * @type is F_RDLCK, F_WRLCK or F_UNLCK. Held elsewhere without @wait: -EAGAIN. */
int eal__os_range_lock(int fd, short type, uint64_t start, uint64_t len, bool wait);

/* Whether someone else holds a conflicting OFD or POSIX lock on the range
 * (F_OFD_GETLK as for a write lock). ret_locked: true when held. */
int eal__os_range_lock_test(int fd, uint64_t start, uint64_t len, bool *ret_locked);

/* unlink(2); a missing file is not an error when @missing_ok. */
int eal__os_unlink(const char *path, bool missing_ok);

/* mkdir(2) with @mode; an existing directory is accepted when it is a real
 * directory (not a symlink) owned by us with no group/other access. */
int eal__os_mkdir_private(const char *path, mode_t mode);

/* rmdir(2); a missing or non-empty directory is not an error. */
int eal__os_rmdir(const char *path);

/* access(2)-free existence test: 1 when @path exists (lstat), else 0. */
int eal__os_exists(const char *path);

/* Whether this process (effective ids) may create files in directory
 * @path: 0, or -EACCES, -EROFS, -ENOENT, ... */
int eal__os_dir_writable(const char *path);

/* fallocate(2) mode 0: allocate [off, off + len) now, so that running out
 * of space is an error here (-ENOSPC) instead of SIGBUS at first touch. */
int eal__os_fallocate(int fd, uint64_t off, uint64_t len);

/* fallocate(2) FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE: free the pages
 * of [off, off + len); on hugetlbfs every process's mapping of them goes. */
int eal__os_punch_hole(int fd, uint64_t off, uint64_t len);

/* pread(2) of exactly @len bytes at @off; a shorter file gives -ENODATA. */
int eal__os_pread(int fd, void *buf, size_t len, uint64_t off);

/* Whether @fd is the file @path names now (same device and inode); a
 * missing @path is false, not an error. */
int eal__os_same_file(int fd, const char *path, bool *ret_same);

/* Bytes free for unprivileged users on the file system of @fd (fstatvfs). */
int eal__os_fs_avail(int fd, uint64_t *ret_avail);

/* memfd_create(2) with MFD_CLOEXEC added to @flags. */
int eal__os_memfd(const char *name, unsigned int flags, int *ret_fd);

/* ---- memory --------------------------------------------------------- */

/* System page size (sysconf, cached). */
size_t eal__os_page_size(void);

/* mmap(2). With @fixed_noreplace the mapping must land exactly at @addr
 * (MAP_FIXED_NOREPLACE): a taken range gives -EEXIST. Without it @addr is
 * a hint. */
int eal__os_mmap(void *addr, size_t len, int prot, int flags, int fd, uint64_t off,
		 void **ret_addr);

/* mmap(2) over an existing reservation at exactly @addr (MAP_FIXED). */
int eal__os_mmap_fixed(void *addr, size_t len, int prot, int flags, int fd, uint64_t off);

/* munmap(2); NULL/0 is accepted and ignored. */
int eal__os_munmap(void *addr, size_t len);

/* First touch of a newly mapped page at @addr (read and write back one
 * byte), guarded against SIGBUS: the kernel takes a hugepage from its pool
 * at fault time, so an emptied pool or a hugetlb cgroup limit shows up as
 * SIGBUS, which becomes -ENOMEM here. The handler is installed only around
 * the touch and the previous one is restored (R16); the jump buffer is
 * per thread. */
int eal__os_touch_guarded(void *addr);

/* madvise(MADV_RANDOM): no readahead on faults in [addr, addr + len). A
 * sparse file on ext4 otherwise gets large folios allocated and zeroed
 * around every first touch. Advisory: errors are ignored. */
void eal__os_advise_random(void *addr, size_t len);

/* eal__os_touch_guarded() for every @stride bytes of [addr, addr + len),
 * with one handler installation for the whole range. */
int eal__os_touch_guarded_range(void *addr, size_t len, size_t stride);

/*
 * Fault-driven catch-up: while installed, a SIGSEGV whose address @claim
 * takes (it returns true once the address is mapped) is retried; any other
 * goes to the handler installed before, or kills the process as it would
 * have. @claim runs in the signal handler: async-signal-safe code only.
 * One hook per process; remove restores the previous handler if ours is
 * still the one installed.
 */
int eal__os_segv_hook_install(bool (*claim)(void *addr));
void eal__os_segv_hook_remove(void);

/* Put a reservation (PROT_NONE, no memory) back over [addr, addr + len),
 * replacing whatever is mapped there: pages leave this process, the range
 * stays ours. */
int eal__os_unmap_to_reserved(void *addr, size_t len);

/* Reserve @len bytes of address space: PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS,
 * MAP_NORESERVE, excluded from core dumps. @addr is a hint unless @exact,
 * in which case the range must be free (-EEXIST otherwise). */
int eal__os_reserve_va(void *addr, size_t len, bool exact, void **ret_addr);

/* ---- processes ------------------------------------------------------ */

/* This process's pid, cached (reset in a fork child). Inline: the shared
 * locks ask for it on every operation. */
extern int32_t eal__os_cached_pid;
int32_t eal__os_getpid_slow(void);
static inline int32_t
eal__os_getpid(void)
{
	int32_t pid = __atomic_load_n(&eal__os_cached_pid, __ATOMIC_RELAXED);

	return __builtin_expect(pid != 0, 1) ? pid : eal__os_getpid_slow();
}

/* This thread's tid, cached per thread (reset in a fork child); inline
 * for the same reason. */
extern __thread int32_t eal__os_cached_tid __attribute__((tls_model("initial-exec")));
int32_t eal__os_gettid_slow(void);
static inline int32_t
eal__os_gettid(void)
{
	int32_t tid = eal__os_cached_tid;

	return __builtin_expect(tid != 0, 1) ? tid : eal__os_gettid_slow();
}

/* Whether this process may write the file @path (faccessat W_OK: a
 * read-only /sys in a container says no). */
bool eal__os_file_writable(const char *path);

/* Whether @pid names a live process (kill(pid, 0); EPERM counts as alive). */
bool eal__os_pid_alive(int32_t pid);
/* Name the calling thread (at most 15 characters: ps, top, gdb show it). */
void eal__os_thread_name(const char *name);

/* Whether @pid is stopped (SIGSTOP, a debugger: /proc/<pid>/stat). */
bool eal__os_pid_stopped(int32_t pid);

/* Monotonic clock in nanoseconds. */
uint64_t eal__os_time_ns(void);

/* Sleep for @us microseconds. */
void eal__os_sleep_us(unsigned int us);

/* Yield the CPU (sched_yield). */
void eal__os_yield(void);

/* Wait while *@addr == @val, at most @timeout_ns (0: no limit); the word
 * may be in memory shared between processes. 0 when woken or *addr
 * differed, -ETIMEDOUT, -EINTR. */
int eal__os_futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns);

/* Wake up to @n waiters on @addr (INT32_MAX: all), in any process. */
void eal__os_futex_wake(uint32_t *addr, int n);

/* Raise the soft RLIMIT_NOFILE to the hard limit; *ret_limit gets the
 * soft limit in effect. */
int eal__os_raise_nofile(uint64_t *ret_limit);

/* ---- sysfs / procfs (eal_os_sysfs.c) ---- */

/* Root of sysfs: $EAL_SYSFS_ROOT when set and not empty, else "/sys".
 * Read at every call (tests switch between fixture trees); ignored in
 * set-uid programs (secure_getenv). */
const char *eal__os_sysfs_root(void);

/* Root of procfs: $EAL_PROCFS_ROOT, else "/proc"; as above. */
const char *eal__os_procfs_root(void);

/* Read a whole file into @buf and NUL-terminate it. A file longer than
 * @size - 1 bytes gives -EFBIG (never a silently truncated answer).
 * @follow: follow a symlink at @path, as kernel trees need (/proc/mounts
 * is one); false for files libeal wrote (a link gives -ELOOP). */
int eal__os_read_file(const char *path, bool follow, char *buf, size_t size, size_t *ret_len);

/* The same into a malloc()ed buffer (NUL-terminated; the caller frees it)
 * for files whose size is not known in advance, such as /proc/mounts.
 * More than @max bytes gives -EFBIG. */
int eal__os_read_file_alloc(const char *path, bool follow, size_t max, char **ret_buf,
			    size_t *ret_len);

/* Directory entry types as eal__os_dir_foreach() reports them. Symlinks,
 * sockets, FIFOs and devices are all EAL_OS_FT_OTHER. */
enum eal_os_ftype {
	EAL_OS_FT_OTHER,
	EAL_OS_FT_REG,
	EAL_OS_FT_DIR,
};

/* Called for each entry except "." and "..": 0 continues, a positive value
 * stops the walk (success), a negative value stops it and is returned. */
typedef int (*eal__os_dir_cb)(void *arg, const char *name, enum eal_os_ftype type);

/* Walk the directory @path, relative to @at_fd (AT_FDCWD, or an open
 * directory: "." then walks that directory itself through a new fd, so the
 * caller's fd and its locks are untouched). Order is the kernel's. */
int eal__os_dir_foreach(int at_fd, const char *path, eal__os_dir_cb cb, void *arg);

/* openat(2) with O_CLOEXEC | O_NOFOLLOW added to @flags. */
int eal__os_openat(int at_fd, const char *name, int flags, mode_t mode, int *ret_fd);

/* unlinkat(2) of a file (not a directory). */
int eal__os_unlinkat(int at_fd, const char *name);

/* realpath(3) into @buf: -ENOENT when a component is missing,
 * -ENAMETOOLONG when the result does not fit. */
int eal__os_realpath(const char *path, char *buf, size_t size);

/* Replace @path with @len bytes of @data atomically: write a temporary
 * file next to it (O_EXCL | O_NOFOLLOW, @mode), then rename(2) it over
 * @path. On failure the temporary file is removed and @path is unchanged. */
int eal__os_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* ---- NUMA (eal_os_numa.c) ------------------------------------------- */
/* Added for legacy memory (src/eal_hugepage_legacy.c). Every primitive
 * returns -ENOTSUP when libeal is built without libnuma
 * (EAL_HAVE_LIBNUMA == 0); callers then treat all memory as node 0. */

/* Nodes a saved memory policy can name (the kernel's MAX_NUMNODES on
 * distribution kernels). */
#define EAL_OS_NUMA_MASK_WORDS (1024 / (8 * sizeof(unsigned long)))

/* A thread's memory policy, as get_mempolicy(2) reports it. */
struct eal_os_numa_policy {
	int mode;
	unsigned long mask[EAL_OS_NUMA_MASK_WORDS];
};

/* NUMA node of the page holding @addr, which must be resident
 * (get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR)). */
int eal__os_numa_node_of(const void *addr, int *ret_node);

/* Save this thread's memory policy into *ret_saved, then prefer @node for
 * new pages (MPOL_PREFERRED: other nodes when it has none left). */
int eal__os_numa_prefer(int node, struct eal_os_numa_policy *ret_saved);

/* Put back a policy saved by eal__os_numa_prefer(). */
int eal__os_numa_restore(const struct eal_os_numa_policy *saved);

/* NUMA node of the CPU the calling thread runs on. */
int eal__os_numa_current_node(int *ret_node);
/* ---- end NUMA ------------------------------------------------------- */

/* ---- /proc/self/pagemap (eal_os_pagemap.c) ---------------------------- */

/* A pagemap entry whose page is not present (see eal__os_pagemap_read). */
#define EAL_OS_PFN_ABSENT UINT64_MAX

/*
 * Open <procfs>/self/pagemap read-only (O_CLOEXEC; the procfs root follows
 * EAL_PROCFS_ROOT). Close it with eal__os_close(). -EACCES/-EPERM when the
 * kernel refuses (Linux 4.0-4.1 for unprivileged readers), -ENOENT without
 * procfs.
 */
int eal__os_pagemap_open(int *ret_fd);

/*
 * Read the entries of @count consecutive virtual pages starting at page
 * number @vpn (address / system page size) with one pread (more only if
 * the kernel answers short). pfn[i] becomes the PFN of page vpn + i when
 * it is present (0 when the kernel hides it), EAL_OS_PFN_ABSENT when not
 * (bit 63 clear, or past the end of the file).
 *
 * @pfn is a buffer of @count entries that is written while reading: on
 * failure its contents are unspecified (callers stage, as eal_iova.c does).
 * Returns 0, -errno of pread, or -EINVAL for count == 0 or an offset past
 * what off_t holds.
 */
int eal__os_pagemap_read(int fd, uint64_t vpn, unsigned int count, uint64_t *pfn);

#endif /* EAL_OS_H */
