/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exhaustion (issue 8 item 5): when a resource runs out, eal_init() and
 * heap growth fail with the real errno and an ERR line that says what ran
 * out and what to do, leave nothing behind (no fd, no mapping, no
 * hugepage, no file), and work once the cause is gone:
 *
 *   - the hugepage pool short or empty (this process maps the free pages
 *     itself with MAP_HUGETLB while a child runs);
 *   - RLIMIT_NOFILE 64 (one open file per page: dynamic, legacy and
 *     --in-memory run out, --single-file-segments does not; a low soft
 *     limit alone is raised by libeal);
 *   - RLIMIT_AS too small for the up-front address-space reservation;
 *   - /dev/shm full (a 64 KiB tmpfs over it, for --no-huge);
 *   - the runtime directory not writable (a read-only bind mount, and a
 *     mode-0500 directory for a process of another uid);
 *   - the --huge-dir hugetlbfs unmounted after a primary died with pages
 *     in it, and every hugetlbfs unmounted (the documented fallback).
 *
 * Each case runs in a child, so limits and mounts never reach this
 * process: mounts are made in a private mount namespace (unshare, then
 * MS_PRIVATE on /) and vanish with the child. The child checks, right
 * after each failed eal_init(), that its fds, its reservations, the free
 * hugepage count and the prefix's files are what they were before; this
 * process checks the same after the child exits, and that the system's
 * /dev/shm and hugetlbfs mounts are untouched.
 *
 * Needs root (mount namespaces, another uid) and 160 free 2 MiB
 * hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memory.h"

#define PG (2ull << 20)
#define MIB (1ull << 20)
#define WAIT_MS 120000
/* Pages left free in the "short pool" case: fewer than -m 64 needs. */
#define SHORT_FREE 4
/* The uid the unwritable-runtime-dir case runs as. */
#define OTHER_UID 65534

static long free_base;
/* The system's 2 MiB hugetlbfs mount, looked up once (the helper opens
 * the mount table at each call and does not close it once it cached
 * the answer). */
static const char *huge_mount;
/* The private hugetlbfs mount point of the --huge-dir case. */
static char hugetlbfs_dir[PATH_MAX + 16];

/* ====================================================================
 * Child side: log capture, snapshots, expectations
 * ==================================================================== */

#define LOG_MAX 64

static struct {
	enum eal_log_level level;
	char text[512];
} logs[LOG_MAX];
static unsigned int n_logs;

/* Every component, WARNING and worse; echoed to stderr for the test log. */
static void
log_cb(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (level > EAL_LOG_WARNING)
		return;
	fprintf(stderr, "# [%s] %s\n", component, line);
	if (n_logs == LOG_MAX)
		return;
	logs[n_logs].level = level;
	snprintf(logs[n_logs].text, sizeof(logs[0].text), "%s", line);
	n_logs++;
}

/* Whether one line at @level holds @a and (when not NULL) @b. */
static bool
logged(enum eal_log_level level, const char *a, const char *b)
{
	for (unsigned int i = 0; i < n_logs; i++)
		if (logs[i].level == level && strstr(logs[i].text, a) != NULL &&
		    (b == NULL || strstr(logs[i].text, b) != NULL))
			return true;
	return false;
}

/* ERR lines captured since n_logs was last reset. */
static unsigned int
n_errs(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < n_logs; i++)
		n += logs[i].level == EAL_LOG_ERR;
	return n;
}

/* Where this child's runtime files go (another uid needs another base),
 * and a second hugetlbfs directory to watch for the prefix's files. */
static const char *rt_base;
static char rt_dir[PATH_MAX];
static const char *extra_huge_dir;

static int
init_list(const char *const *extra)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"exhaustion";
	argv[argc++] = (char *)"--file-prefix";
	argv[argc++] = (char *)eal_test_prefix();
	argv[argc++] = (char *)"--runtime-dir";
	argv[argc++] = (char *)rt_base;
	for (; *extra != NULL && argc < 31; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	n_logs = 0;
	return eal_init(argc, argv);
}

struct snap {
	int fds;             /* entries of /proc/self/fd */
	uint64_t reserved;   /* bytes of PROT_NONE anonymous mappings */
	int named;           /* mappings of the prefix's files or our memfds */
	long free_pages;     /* free 2 MiB hugepages */
	int rt_entries;      /* entries of the runtime dir, -1 when missing */
};

static int
count_fds(void)
{
	return eal_test_dir_entries("/proc/self/fd") - 1; /* opendir's own */
}

/* Whether a mapped file is one of libeal's: runtime files, hugepage
 * files of the prefix, --no-huge memory, its memfds. */
static bool
is_ours(const char *path)
{
	char pages[128];

	snprintf(pages, sizeof(pages), "/%smap_", eal_test_prefix());
	return strncmp(path, rt_base, strlen(rt_base)) == 0 || strstr(path, pages) != NULL ||
	       strncmp(path, "/dev/shm/eal-", 13) == 0 || strncmp(path, "/memfd:eal", 10) == 0;
}

static void
scan_maps(struct snap *s)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[PATH_MAX + 128];

	assert_non_null(f);
	s->reserved = 0;
	s->named = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi, inode;
		char perms[8];
		int path = 0;

		if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &lo, &hi, perms, &inode, &path) < 4)
			continue;
		if (is_ours(line + path))
			s->named++;
		else if (strcmp(perms, "---p") == 0 && inode == 0 &&
			 (line[path] == '\0' || line[path] == '\n'))
			s->reserved += hi - lo;
	}
	fclose(f);
}

static void
snap_take(struct snap *s)
{
	s->fds = count_fds();
	scan_maps(s);
	s->free_pages = eal_test_free_hugepages_2m();
	s->rt_entries = eal_test_dir_entries(rt_dir);
}

static int
prefix_files(void)
{
	int n = eal_test_prefix_files(huge_mount, eal_test_prefix());
	int extra = extra_huge_dir != NULL ? eal_test_prefix_files(extra_huge_dir,
								   eal_test_prefix()) : 0;

	/* the extra directory may be gone (unmounted and removed) */
	return extra > 0 ? n + extra : n;
}

/* The --no-huge memory file of @uid and our prefix. */
static void
nohuge_path(char *buf, size_t size, uid_t uid)
{
	snprintf(buf, size, "/dev/shm/eal-%u-%s.nohuge", (unsigned int)uid, eal_test_prefix());
}

static bool
nohuge_file_exists(uid_t uid)
{
	char path[PATH_MAX];

	nohuge_path(path, sizeof(path), uid);
	return access(path, F_OK) == 0;
}

/* Nothing of libeal left in this process or on disk since @before. A
 * thread's stack guard is 4 KiB of PROT_NONE; a reservation is at least
 * the -m of a --no-huge run (8 MiB here). */
static void
snap_check(const struct snap *before)
{
	struct snap now;

	snap_take(&now);
	assert_int_equal(now.fds, before->fds);
	assert_true(now.reserved < before->reserved + MIB);
	assert_int_equal(now.named, 0);
	assert_int_equal(now.free_pages, before->free_pages);
	assert_int_equal(prefix_files(), 0);
	assert_false(nohuge_file_exists(geteuid()));
	assert_true(now.rt_entries <= (before->rt_entries > 0 ? before->rt_entries : 0));
}

/* eal_init(@extra) fails with @err and an ERR line holding @a (and @b),
 * and leaves nothing behind. */
static void
expect_fail(int err, const char *a, const char *b, const char *const *extra)
{
	struct snap before;

	snap_take(&before);
	assert_int_equal(init_list(extra), -1);
	assert_int_equal(eal_errno, err);
	if (!logged(EAL_LOG_ERR, a, b))
		fail_msg("no ERR line with '%s'%s%s", a, b ? " and " : "", b ? b : "");
	snap_check(&before);
}

#define EXPECT_FAIL(err, a, b, ...) \
	expect_fail(err, a, b, (const char *const[]){ __VA_ARGS__, NULL })

/* A successful run: ok_begin(), work, ok_end() checks cleanup left
 * nothing either. */
static struct snap ok_snap;

static void
ok_begin_list(const char *const *extra)
{
	snap_take(&ok_snap);
	assert_true(init_list(extra) >= 0);
}

#define OK_BEGIN(...) ok_begin_list((const char *const[]){ __VA_ARGS__, NULL })

static void
ok_end(void)
{
	assert_int_equal(eal_cleanup(), 0);
	snap_check(&ok_snap);
	assert_true(eal_test_dir_entries(rt_dir) <= 0);
}

static int
page_size_cb(const struct eal_memseg_list *msl, void *arg)
{
	*(uint64_t *)arg = msl->page_sz;
	return 1;
}

/* Page size of the first memseg list (0: none). */
static uint64_t
page_size(void)
{
	uint64_t sz = 0;

	(void)eal_memseg_list_walk(page_size_cb, &sz);
	return sz;
}

/* Allocate and free @mb MiB from the heap: 0, or the eal_errno. */
static int
heap_try(size_t mb)
{
	void *p = eal_malloc(NULL, mb * MIB, 0);

	if (p == NULL)
		return eal_errno;
	memset(p, 0x5a, mb * MIB);
	eal_free(p);
	return 0;
}

/* Growing the heap by @mb MiB fails with @err and an ERR line holding
 * @why (none for ENOMEM: an expected failure is quiet, as in DPDK),
 * keeping no fd, hugepage or file of the attempt; a small allocation
 * still works. */
static void
heap_grow_fails(size_t mb, int err, const char *why)
{
	struct snap before, now;

	snap_take(&before);
	n_logs = 0;
	assert_int_equal(heap_try(mb), err);
	if (err == ENOMEM)
		assert_false(logged(EAL_LOG_ERR, "cannot allocate", NULL));
	else
		assert_true(logged(EAL_LOG_ERR, "cannot allocate", why));
	snap_take(&now);
	assert_int_equal(now.fds, before.fds);
	assert_int_equal(now.free_pages, before.free_pages);
	assert_int_equal(now.named, before.named);
	assert_int_equal(heap_try(1), 0);
}

static void
set_limit(int resource, rlim_t cur, rlim_t max)
{
	struct rlimit rl = { cur, max };

	assert_int_equal(setrlimit(resource, &rl), 0);
}

/* A mount namespace of our own, where mounts propagate nowhere. */
static void
private_mounts(void)
{
	assert_int_equal(unshare(CLONE_NEWNS), 0);
	assert_int_equal(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
}

/* ====================================================================
 * Child roles
 * ==================================================================== */

/* SHORT_FREE pages free: preallocation (dynamic and legacy) and heap
 * growth past them fail whole; what fits still works. */
static void
child_pool_short(void **state)
{
	(void)state;
	/* One line each, at once (issue 18): not a retry per halving. */
	EXPECT_FAIL(ENOMEM, "cannot preallocate 64 MiB", "only 8 MiB of hugepages (4 pages) are free",
		    "-m", "64");
	assert_int_equal(n_errs(), 1);
	EXPECT_FAIL(ENOMEM, "not enough hugepages for socket 0", "found 4 of 2048 kB",
		    "--legacy-mem", "-m", "64");
	assert_int_equal(n_errs(), 1);

	OK_BEGIN("--huge-required");
	heap_grow_fails(64, ENOMEM, "no free hugepages");
	ok_end();
}

/* No page free: --huge-required refuses; by default init falls back to
 * 4 KiB pages with one WARNING (docs/hugepages.md). */
static void
child_pool_empty(void **state)
{
	(void)state;
	EXPECT_FAIL(ENOMEM, "no usable hugepages", "reserved 2048 kB pages are in use",
		    "--huge-required", "-m", "64");

	OK_BEGIN("-m", "64");
	assert_true(logged(EAL_LOG_WARNING, "no usable hugepages", "using 4 KiB pages"));
	assert_int_equal(page_size(), 4096);
	assert_int_equal(eal_memory_size(), 64 * MIB);
	assert_int_equal(heap_try(16), 0);
	ok_end();
}

/* The pool back: the same requests succeed on hugepages. */
static void
child_pool_ok(void **state)
{
	(void)state;
	OK_BEGIN("-m", "64");
	assert_int_equal(page_size(), PG);
	assert_int_equal(eal_memory_size(), 64 * MIB);
	assert_int_equal(heap_try(64), 0);
	ok_end();
	OK_BEGIN("--legacy-mem", "-m", "64");
	assert_int_equal(eal_memory_size(), 64 * MIB);
	ok_end();
}

/* 64 open files at most, hard limit too: one file per page runs out
 * (dynamic, legacy, --in-memory), one per memseg list does not. */
static void
child_nofile(void **state)
{
	(void)state;
	set_limit(RLIMIT_NOFILE, 64, 64);
	EXPECT_FAIL(EMFILE, "ulimit -n", "--single-file-segments", "-m", "256");
	EXPECT_FAIL(EMFILE, "ulimit -n", "--legacy-mem", "--legacy-mem", "-m", "256");
	EXPECT_FAIL(EMFILE, "ulimit -n", "--single-file-segments", "--in-memory", "-m", "256");

	OK_BEGIN("--single-file-segments", "-m", "256");
	assert_int_equal(eal_memory_size(), 256 * MIB);
	assert_int_equal(heap_try(128), 0);
	ok_end();

	/* Growth of the heap past the limit: EMFILE, nothing kept. */
	OK_BEGIN("--huge-required");
	heap_grow_fails(256, EMFILE, "Too many open files");
	ok_end();
}

/* The limit raised (only the soft one is low: libeal raises it to the
 * hard one, in every mode): the same requests succeed. Raising a hard
 * limit needs CAP_SYS_RESOURCE, which a container may not have. */
static void
child_nofile_soft(void **state)
{
	struct rlimit rl;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_max >= 256); /* 128 pages and init's own files */
	set_limit(RLIMIT_NOFILE, 64, rl.rlim_max);
	OK_BEGIN("--legacy-mem", "-m", "256");
	assert_int_equal(eal_memory_size(), 256 * MIB);
	ok_end();
	set_limit(RLIMIT_NOFILE, 64, rl.rlim_max);
	OK_BEGIN("-m", "256");
	assert_int_equal(eal_memory_size(), 256 * MIB);
	assert_int_equal(heap_try(128), 0);
	ok_end();
	set_limit(RLIMIT_NOFILE, 64, rl.rlim_max);
	OK_BEGIN("--in-memory", "-m", "256");
	assert_int_equal(heap_try(128), 0);
	ok_end();
}

/* VmSize of this process, in bytes. */
static uint64_t
vm_size(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	uint64_t kb = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %" SCNu64, &kb) == 1)
			break;
	fclose(f);
	assert_true(kb > 0);
	return kb << 10;
}

/* 1 GiB of address space left: dynamic memory's reservation (64 GiB per
 * page size by default) does not fit, legacy memory's does; --no-huge
 * -m 2048 does not. The soft limit is relative to what this process
 * already maps (a sanitizer's shadow is terabytes). */
static void
child_address_space(void **state)
{
	struct rlimit rl;
	char line[128];
	pid_t primary;

	(void)state;
	/* A primary without the limit (limits are inherited: start it first). */
	primary = eal_test_start_holder(line, sizeof(line), "--file-prefix", eal_test_prefix(),
					"--runtime-dir", rt_base, NULL);
	assert_true(primary > 0);
	assert_int_equal(strncmp(line, "ok", 2), 0);

	assert_int_equal(getrlimit(RLIMIT_AS, &rl), 0);
	set_limit(RLIMIT_AS, vm_size() + 1024 * MIB, rl.rlim_max);
	/* A secondary must reserve what the primary reserved. */
	EXPECT_FAIL(ENOMEM, "cannot reserve the primary's memory range", "ulimit -v",
		    "--proc-type=secondary");
	set_limit(RLIMIT_AS, rl.rlim_max, rl.rlim_max);
	assert_true(init_list((const char *const[]){ "--proc-type=secondary", NULL }) >= 0);
	assert_int_equal(heap_try(4), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_test_stop_holder(primary), 0);

	set_limit(RLIMIT_AS, vm_size() + 1024 * MIB, rl.rlim_max);
	EXPECT_FAIL(ENOMEM, "MiB of address space for memory",
		    "(ulimit -v) counts it: raise the limit, or use --legacy-mem", "--huge-required");
	EXPECT_FAIL(ENOMEM, "cannot reserve 2048 MiB of address space", "ask for less memory with -m",
		    "--no-huge", "-m", "2048");

	/* (legacy lists hold physically contiguous runs: small allocations) */
	OK_BEGIN("--legacy-mem", "-m", "16");
	assert_int_equal(eal_memory_size(), 16 * MIB);
	assert_int_equal(heap_try(1), 0);
	ok_end();

	set_limit(RLIMIT_AS, rl.rlim_max, rl.rlim_max);
	OK_BEGIN("-m", "16");
	assert_int_equal(page_size(), PG);
	assert_int_equal(heap_try(32), 0);
	ok_end();
}

/* /dev/shm, where --no-huge memory lives, with 64 KiB: ENOSPC at init,
 * not SIGBUS later; a memfd (--in-memory) does not use it. */
static void
child_shm_full(void **state)
{
	(void)state;
	private_mounts();
	assert_int_equal(mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
			       "size=64k,mode=1777"), 0);
	EXPECT_FAIL(ENOSPC, "cannot allocate 16 MiB of 4 KiB pages in /dev/shm",
		    "ask for less with -m", "--no-huge", "-m", "16");

	OK_BEGIN("--no-huge", "--in-memory", "-m", "16");
	assert_int_equal(eal_memory_size(), 16 * MIB);
	assert_int_equal(heap_try(8), 0);
	ok_end();

	/* Room again (the system's /dev/shm shows through). */
	assert_int_equal(umount2("/dev/shm", 0), 0);
	OK_BEGIN("--no-huge", "-m", "16");
	assert_true(nohuge_file_exists(geteuid()));
	assert_int_equal(heap_try(8), 0);
	ok_end();
}

/* The runtime base read-only (root ignores modes, not a read-only
 * mount): fails before any hugepage is touched, whether the prefix's
 * directory must be made or already exists. */
static void
child_rtdir_readonly(void **state)
{
	(void)state;
	private_mounts();
	assert_int_equal(mount(rt_base, rt_base, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, rt_base, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), 0);
	EXPECT_FAIL(EROFS, "cannot create runtime directory", "--runtime-dir", "-m", "8");
	EXPECT_FAIL(EROFS, "cannot create runtime directory", "--runtime-dir", "--no-huge");
	assert_int_equal(umount2(rt_base, 0), 0);

	assert_int_equal(mkdir(rt_dir, 0700), 0);
	assert_int_equal(mount(rt_base, rt_base, NULL, MS_BIND, NULL), 0);
	assert_int_equal(mount(NULL, rt_base, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL), 0);
	EXPECT_FAIL(EROFS, "shared config", rt_dir, "-m", "8");
	assert_int_equal(eal_test_dir_entries(rt_dir), 0);
	assert_int_equal(umount2(rt_base, 0), 0);

	OK_BEGIN("-m", "8");
	assert_int_equal(eal_memory_size(), 8 * MIB);
	ok_end();
}

/* Another uid, whose runtime base is mode 0500: EACCES; 0700 works. */
static const char *child_arg;

static void
child_rtdir_other_uid(void **state)
{
	const char *base = child_arg;
	gid_t gid = OTHER_UID;

	(void)state;

	assert_int_equal(setgroups(1, &gid), 0);
	assert_int_equal(setgid(OTHER_UID), 0);
	assert_int_equal(setuid(OTHER_UID), 0);
	/* A process that changed uid loses access to its own /proc files. */
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	rt_base = base;
	snprintf(rt_dir, sizeof(rt_dir), "%s/%s", base, eal_test_prefix());
	EXPECT_FAIL(EACCES, "cannot create runtime directory", "owned by uid 65534", "--no-huge",
		    "-m", "8");
	assert_int_equal(chmod(base, 0700), 0);
	OK_BEGIN("--no-huge", "-m", "8");
	assert_true(nohuge_file_exists(OTHER_UID));
	assert_int_equal(heap_try(4), 0);
	ok_end();
}

/* Start a primary on @dir that dies (SIGKILL) once initialised. */
static void
primary_dies(const char *dir)
{
	char line[64];
	int fd, status;
	pid_t pid = eal_test_spawn("die", &fd, "--huge-dir", dir, "-m", "8", NULL);

	assert_true(pid > 0);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), WAIT_MS), 0);
	close(fd);
	assert_string_equal(line, "ok");
	status = eal_test_wait(pid, WAIT_MS);
	assert_int_equal(status, 128 + SIGKILL);
}

/* A --huge-dir mount removed after a primary died holding 4 pages in it:
 * the pages come back with the mount, --huge-dir then names no
 * hugetlbfs (EINVAL), the default mount works, a new mount at the same
 * place starts empty. With no hugetlbfs at all: the 4 KiB fallback, or
 * ENOMEM with --huge-required. */
static void
child_hugedir_removed(void **state)
{
	const char *dir = hugetlbfs_dir;
	long free0 = eal_test_free_hugepages_2m();

	(void)state;
	private_mounts();
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	assert_int_equal(mount("nodev", dir, "hugetlbfs", 0, "pagesize=2M"), 0);
	extra_huge_dir = dir;

	primary_dies(dir);
	assert_int_equal(eal_test_prefix_files(dir, eal_test_prefix()), 4);
	assert_int_equal(eal_test_free_hugepages_2m(), free0 - 4);
	assert_int_equal(umount2(dir, 0), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free0);
	assert_int_equal(eal_test_prefix_files(dir, eal_test_prefix()), 0);

	EXPECT_FAIL(EINVAL, "--huge-dir", "is not a hugetlbfs mount point", "--huge-dir", dir,
		    "-m", "8");
	/* The dead primary's runtime files do not get in the way. */
	OK_BEGIN("-m", "8");
	assert_int_equal(eal_test_prefix_files(huge_mount, eal_test_prefix()), 4);
	ok_end();

	assert_int_equal(mount("nodev", dir, "hugetlbfs", 0, "pagesize=2M"), 0);
	OK_BEGIN("--huge-dir", dir, "-m", "8");
	assert_int_equal(eal_test_prefix_files(dir, eal_test_prefix()), 4);
	assert_int_equal(eal_test_prefix_files(huge_mount, eal_test_prefix()), 0);
	ok_end();
	assert_int_equal(umount2(dir, 0), 0);

	/* No hugetlbfs left in this namespace. */
	assert_int_equal(umount2(huge_mount, 0), 0);
	EXPECT_FAIL(ENOMEM, "no usable hugepages", "hugetlbfs not mounted", "--huge-required",
		    "-m", "8");
	OK_BEGIN("-m", "8");
	assert_true(logged(EAL_LOG_WARNING, "2048 kB pages reserved but hugetlbfs not mounted",
			   "using 4 KiB pages"));
	assert_int_equal(page_size(), 4096);
	ok_end();
	assert_int_equal(rmdir(dir), 0);
}

/* "die": a primary killed right after its init. */
static int
child_die(int argc, char **argv)
{
	const char *extra[16];
	int n = 0;

	for (int i = 0; i < argc && n < 15; i++)
		extra[n++] = argv[i];
	extra[n] = NULL;
	if (init_list(extra) < 0)
		return 1;
	printf("ok\n");
	fflush(stdout);
	raise(SIGKILL);
	return 2;
}

static int
child_main(const char *role, int argc, char **argv)
{
	static const struct CMUnitTest roles[] = {
		cmocka_unit_test(child_pool_short),
		cmocka_unit_test(child_pool_empty),
		cmocka_unit_test(child_pool_ok),
		cmocka_unit_test(child_nofile),
		cmocka_unit_test(child_nofile_soft),
		cmocka_unit_test(child_address_space),
		cmocka_unit_test(child_shm_full),
		cmocka_unit_test(child_rtdir_readonly),
		cmocka_unit_test(child_rtdir_other_uid),
		cmocka_unit_test(child_hugedir_removed),
	};
	int ok_fd = dup(STDOUT_FILENO);

	eal_log_set_handler(log_cb, NULL);
	huge_mount = eal_test_huge_mount_2m();
	rt_base = eal_test_runtime_base();
	snprintf(rt_dir, sizeof(rt_dir), "%s", eal_test_runtime_dir());
	child_arg = argc > 0 ? argv[0] : NULL;
	if (strcmp(role, "die") == 0)
		return child_die(argc, argv);
	if (strcmp(role, "hold") == 0)
		return eal_test_child_main(role, argc, argv, NULL, NULL, NULL);
	/* One malloc arena: a thread's own arena is a 64 MiB PROT_NONE
	 * reservation that would look like one of ours. */
	(void)mallopt(M_ARENA_MAX, 1);
	/* The role runs as a CMocka test, which reports on stdout: send
	 * that to the test log, keep the pipe for the final "ok". */
	if (ok_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return 3;
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		/* "child_" + the role with '-' for '_' */
		char name[64];

		snprintf(name, sizeof(name), "child_%s", role);
		for (char *c = name; *c != '\0'; c++)
			if (*c == '-')
				*c = '_';
		if (strcmp(roles[i].name, name) == 0) {
			const struct CMUnitTest one[1] = { roles[i] };

			if (cmocka_run_group_tests_name(role, one, NULL, NULL) != 0)
				return 1;
			return write(ok_fd, "ok\n", 3) == 3 ? 0 : 2;
		}
	}
	fprintf(stderr, "unknown role %s\n", role);
	return 3;
}

/* ====================================================================
 * Parent side
 * ==================================================================== */

/* Free hugepages this process holds (the pool cases). */
static void *hog;
static size_t hog_len;
static long hog_leave; /* free pages while it holds the rest */

static void
hog_take(long leave)
{
	long n = eal_test_free_hugepages_2m() - leave;

	assert_true(n > 0);
	hog_len = (size_t)n * PG;
	hog = mmap(NULL, hog_len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
	if (hog == MAP_FAILED) {
		hog = NULL;
		fail_msg("cannot map %ld hugepages: %s", n, strerror(errno));
	}
	hog_leave = leave;
	assert_int_equal(eal_test_free_hugepages_2m(), leave);
}

static void
hog_release(void)
{
	if (hog != NULL)
		(void)munmap(hog, hog_len);
	hog = NULL;
}

static char other_uid_dir[PATH_MAX];

static int
teardown(void **state)
{
	char path[PATH_MAX];

	(void)state;
	hog_release();
	if (other_uid_dir[0] != '\0')
		eal_test_rm_rf(other_uid_dir);
	other_uid_dir[0] = '\0';
	/* What a child that failed half-way may have left: the mount point
	 * of the hugetlbfs case (the mount went with the child's
	 * namespace), the other uid's --no-huge file (no later primary of
	 * that uid removes it). Hugepage files and runtime files of uid 0
	 * go with the next primary of the prefix. */
	eal_test_rm_rf(hugetlbfs_dir);
	nohuge_path(path, sizeof(path), OTHER_UID);
	(void)unlink(path);
	return 0;
}

/* What the parent sees of the system; equal before and after a child. */
struct sys_state {
	unsigned long shm_blocks;
	char huge_mounts[PATH_MAX];
};

static void
sys_state(struct sys_state *s)
{
	struct statvfs st;
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[PATH_MAX + 256];

	assert_int_equal(statvfs("/dev/shm", &st), 0);
	s->shm_blocks = st.f_blocks;
	s->huge_mounts[0] = '\0';
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t used = strlen(s->huge_mounts);

		if (strstr(line, " hugetlbfs ") != NULL)
			snprintf(s->huge_mounts + used, sizeof(s->huge_mounts) - used, "%s", line);
	}
	fclose(f);
}

/* Run @role (with an optional argument) in a child; it must print "ok"
 * and exit 0, leaving no hugepage, file or mount behind. */
static void
run_role(const char *role, const char *arg)
{
	struct sys_state before, after;
	char line[64] = "";
	int fd, status;
	pid_t pid;

	sys_state(&before);
	pid = eal_test_spawn(role, &fd, arg, NULL);
	assert_true(pid > 0);
	if (eal_test_read_line(fd, line, sizeof(line), WAIT_MS) < 0)
		line[0] = '\0';
	close(fd);
	status = eal_test_wait(pid, WAIT_MS);
	if (status != 0 || strcmp(line, "ok") != 0)
		fail_msg("child %s: status %d, said '%s' (its checks are in the log above)", role,
			 status, line);
	sys_state(&after);
	assert_int_equal(after.shm_blocks, before.shm_blocks);
	assert_string_equal(after.huge_mounts, before.huge_mounts);
	assert_int_equal(eal_test_prefix_files(huge_mount, eal_test_prefix()), 0);
	assert_true(eal_test_dir_entries(eal_test_runtime_dir()) <= 0);
	assert_false(nohuge_file_exists(0));
	assert_int_equal(eal_test_free_hugepages_2m(), hog != NULL ? hog_leave : free_base);
}

static void
test_pool_exhausted(void **state)
{
	(void)state;
	hog_take(SHORT_FREE);
	run_role("pool-short", NULL);
	hog_release();
	hog_take(0);
	run_role("pool-empty", NULL);
	hog_release();
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
	run_role("pool-ok", NULL);
}

static void
test_open_files_limit(void **state)
{
	(void)state;
	run_role("nofile", NULL);
	run_role("nofile-soft", NULL);
}

static void
test_address_space_limit(void **state)
{
	(void)state;
	run_role("address-space", NULL);
}

static void
test_shm_full(void **state)
{
	(void)state;
	run_role("shm-full", NULL);
}

static void
test_runtime_dir_readonly(void **state)
{
	(void)state;
	run_role("rtdir-readonly", NULL);
}

static void
test_runtime_dir_other_uid(void **state)
{
	char base[PATH_MAX + 8];

	(void)state;
	snprintf(other_uid_dir, sizeof(other_uid_dir), "/tmp/eal-exhaustion-XXXXXX");
	assert_non_null(mkdtemp(other_uid_dir));
	/* The other uid may pass through, not list or write. */
	assert_int_equal(chmod(other_uid_dir, 0711), 0);
	snprintf(base, sizeof(base), "%s/base", other_uid_dir);
	assert_int_equal(mkdir(base, 0500), 0);
	assert_int_equal(chown(base, OTHER_UID, OTHER_UID), 0);
	run_role("rtdir-other-uid", base);
	assert_false(nohuge_file_exists(OTHER_UID));
	assert_int_equal(eal_test_dir_entries(base), 0);
}

static void
test_hugetlbfs_removed(void **state)
{
	(void)state;
	run_role("hugedir-removed", NULL);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_pool_exhausted, teardown),
		cmocka_unit_test_teardown(test_open_files_limit, teardown),
		cmocka_unit_test_teardown(test_address_space_limit, teardown),
		cmocka_unit_test_teardown(test_shm_full, teardown),
		cmocka_unit_test_teardown(test_runtime_dir_readonly, teardown),
		cmocka_unit_test_teardown(test_runtime_dir_other_uid, teardown),
		cmocka_unit_test_teardown(test_hugetlbfs_removed, teardown),
	};

	eal_test_setup(argc, argv);
	snprintf(hugetlbfs_dir, sizeof(hugetlbfs_dir), "%s/hugetlbfs", eal_test_runtime_base());
	if (eal_test_child_role() != NULL)
		return child_main(eal_test_child_role(), eal_test_child_argc(),
				  eal_test_child_argv());
	if (geteuid() != 0) {
		printf("# SKIP: needs root (mount namespaces, another uid)\n");
		return EAL_TEST_SKIP;
	}
	eal_test_require_hugepages_2m(160);
	huge_mount = eal_test_huge_mount_2m();
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
