/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Security of the runtime files (issue 8 item 6), on real 2 MiB hugepages.
 *
 * - Modes: with umask 0, everything libeal creates is private to its
 *   user: runtime base and directory 0700, config, fbarray and record
 *   files 0600, hugepage files 0600, the --no-huge memory file 0600.
 * - Another uid: a process of uid 65534 cannot read a root primary's
 *   files and cannot attach (secondary or auto: EACCES, with a message
 *   naming the owner), even when the base directory is traversable
 *   (0711); a root process refuses a primary of uid 65534 in the same way.
 * - Symbolic links planted under the names libeal uses, in the runtime
 *   directory and in the hugepage directory, pointing at a victim file:
 *   the victim's contents and size never change; eal_init either refuses
 *   (ELOOP, a message saying "symbolic link") or replaces the link
 *   (records written by rename) and then works; a secondary never reads
 *   through a link.
 * - Paths: --file-prefix with '/' or "..", --huge-dir and --runtime-dir
 *   with "..", are refused (EINVAL) before anything is created; a
 *   symlinked runtime base or runtime directory is refused; --huge-dir
 *   through a link is resolved once: to hugetlbfs it works (files in the
 *   real directory), elsewhere it is refused.
 * Bounds checks of what a secondary reads are in test_mp_corrupt.c.
 *
 * The uid cases fork without exec and call eal_init in the child, so the
 * parent never calls eal_init itself. Needs 16 free 2 MiB hugepages;
 * exits 77 otherwise. Runs alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"
#include "eal_memzone.h"
#include "eal_private.h"

#define PFX "--file-prefix"
#define RTD "--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())
#define WAIT_MS 30000
#define NOBODY 65534
#define VICTIM_TEXT "a file libeal must never write\n"

/* ======================================================================
 * Processes
 * ====================================================================== */

/* ERR lines of a child, joined with " | ". */
static char err_lines[2048];

static void
collect_err(void *arg, enum eal_log_level level, const char *comp, const char *line)
{
	size_t n = strlen(err_lines);

	(void)arg;
	(void)comp;
	if (level <= EAL_LOG_ERR && n + 4 < sizeof(err_lines))
		snprintf(err_lines + n, sizeof(err_lines) - n, "%s%s", n > 0 ? " | " : "", line);
}

struct result {
	bool ok;
	int err;               /* eal_errno on failure */
	int work;              /* 0 when a memzone could be reserved and used */
	char msg[sizeof(err_lines)];
};

/* In a forked child: become @uid (root stays root) for good. */
static void
become(uid_t uid)
{
	if (uid == 0)
		return;
	if (setgroups(0, NULL) != 0 || setgid(uid) != 0 || setuid(uid) != 0)
		_exit(120);
	/* setuid makes the process non-dumpable, which gives /proc/self to
	 * root; libeal reads there like any program. */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static int
child_init(const char *prefix, const char *base, const char *const *args)
{
	char *argv[24];
	int argc = 0;

	argv[argc++] = (char *)"child";
	argv[argc++] = (char *)PFX;
	argv[argc++] = (char *)prefix;
	argv[argc++] = (char *)RTD;
	argv[argc++] = (char *)base;
	for (unsigned int i = 0; args != NULL && args[i] != NULL && argc < 23; i++)
		argv[argc++] = (char *)args[i];
	argv[argc] = NULL;
	err_lines[0] = '\0';
	eal_log_set_level(NULL, EAL_LOG_ERR); /* the parent runs at CRIT */
	eal_log_set_handler(collect_err, NULL);
	return eal_init(argc, argv);
}

static int
child_work(void)
{
	const struct eal_memzone *mz = eal_memzone_reserve("security", 1 << 20, EAL_SOCKET_ID_ANY,
							    0);

	if (mz == NULL)
		return __LINE__;
	memset(mz->addr, 0x3c, mz->len);
	return eal_memzone_free(mz) == 0 ? 0 : __LINE__;
}

static void
send_result(int fd, const struct result *r)
{
	(void)!write(fd, r, sizeof(*r));
	close(fd);
}

/*
 * Fork; the child becomes @uid, runs eal_init for @prefix under @base with
 * @args, uses a memzone when that worked, cleans up and reports. The
 * parent waits for it; a child that dies or hangs fails the test.
 */
static void
run_as(struct result *r, uid_t uid, const char *prefix, const char *base,
       const char *const *args)
{
	int p[2], status = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct result c = { 0 };

		close(p[0]);
		become(uid);
		if (child_init(prefix, base, args) < 0) {
			c.err = eal_errno;
			snprintf(c.msg, sizeof(c.msg), "%s", err_lines);
		} else {
			c.ok = true;
			c.work = child_work();
			if (eal_cleanup() != 0)
				c.work = __LINE__;
		}
		send_result(p[1], &c);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], r, sizeof(*r)) != (ssize_t)sizeof(*r)) {
		r->err = -1;
		snprintf(r->msg, sizeof(r->msg), "the child reported nothing");
	}
	close(p[0]);
	status = eal_test_wait(pid, WAIT_MS);
	if (status != 0)
		fail_msg("child of uid %u for %s exited with status %d", (unsigned int)uid, prefix,
			 status);
	print_message("# %s as uid %u: %s\n", prefix, (unsigned int)uid,
		      r->ok ? "attached/started" : r->msg);
}

/* A primary of @uid kept alive until holder_stop(). */
struct holder {
	pid_t pid;
	int stop_fd;
};

static bool
holder_start(struct holder *h, uid_t uid, const char *prefix, const char *base,
	     const char *const *args, struct result *r)
{
	int res[2], stop[2];

	memset(r, 0, sizeof(*r));
	assert_int_equal(pipe2(res, O_CLOEXEC), 0);
	assert_int_equal(pipe2(stop, O_CLOEXEC), 0);
	fflush(NULL);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		struct result c = { 0 };
		char b;

		close(res[0]);
		close(stop[1]);
		become(uid);
		c.ok = child_init(prefix, base, args) >= 0;
		c.err = c.ok ? 0 : eal_errno;
		snprintf(c.msg, sizeof(c.msg), "%s", err_lines);
		send_result(res[1], &c);
		if (!c.ok)
			_exit(1);
		(void)!read(stop[0], &b, 1); /* until the parent closes it */
		_exit(eal_cleanup() == 0 ? 0 : 2);
	}
	close(res[1]);
	close(stop[0]);
	h->stop_fd = stop[1];
	if (read(res[0], r, sizeof(*r)) != (ssize_t)sizeof(*r))
		r->ok = false;
	close(res[0]);
	return r->ok;
}

static int
holder_stop(struct holder *h)
{
	close(h->stop_fd);
	return eal_test_wait(h->pid, WAIT_MS);
}

/* ======================================================================
 * Files
 * ====================================================================== */

static const char *
shm_path(const char *prefix, uid_t uid)
{
	static char path[256];

	snprintf(path, sizeof(path), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)uid, prefix);
	return path;
}

/* @path is a @type of mode @mode owned by this uid. */
static void
assert_private(const char *path, mode_t type, mode_t mode)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	if ((st.st_mode & S_IFMT) != type || (st.st_mode & 07777) != mode || st.st_uid != geteuid())
		fail_msg("%s: mode 0%o (type 0%o), uid %u; want 0%o (type 0%o), uid %u", path,
			 (unsigned int)(st.st_mode & 07777), (unsigned int)(st.st_mode & S_IFMT),
			 (unsigned int)st.st_uid, (unsigned int)mode, (unsigned int)type,
			 (unsigned int)geteuid());
}

/* Every entry of @dir (whose names start with @start) is a 0600 file of
 * ours; returns how many there are. */
static int
assert_private_files(const char *dir, const char *start)
{
	char names[64][256], path[4 * PATH_MAX + 300];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < 64)
		if (e->d_name[0] != '.' && strncmp(e->d_name, start, strlen(start)) == 0)
			snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	closedir(d);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		assert_private(path, S_IFREG, 0600);
	}
	return n;
}

static char victim[PATH_MAX];

static void
victim_create(void)
{
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", BASE);
	fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, VICTIM_TEXT, strlen(VICTIM_TEXT)), (ssize_t)strlen(VICTIM_TEXT));
	close(fd);
}

/* The victim is still the same regular file with the same bytes. */
static void
assert_victim_intact(void)
{
	char buf[256] = "";
	struct stat st;
	int fd;

	assert_int_equal(lstat(victim, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, (off_t)strlen(VICTIM_TEXT));
	fd = open(victim, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf) - 1), (ssize_t)strlen(VICTIM_TEXT));
	close(fd);
	assert_string_equal(buf, VICTIM_TEXT);
}

/* Nothing of @prefix is left under @base, in hugetlbfs or /dev/shm, and
 * the hugepages are back. */
static void
assert_no_trace(const char *base, const char *prefix, uid_t uid, long free_base)
{
	char dir[PATH_MAX + 64];

	snprintf(dir, sizeof(dir), "%s/%s", base, prefix);
	assert_int_equal(eal_test_dir_entries(dir), -1);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), prefix), 0);
	assert_int_equal(access(shm_path(prefix, uid), F_OK), -1);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

static void
assert_refused(const struct result *r, const char *what, int err, const char *needle)
{
	if (r->ok)
		fail_msg("%s: eal_init succeeded", what);
	if (r->err != err || strstr(r->msg, needle) == NULL)
		fail_msg("%s: errno %d (want %d), message '%s' (want '%s')", what, r->err, err,
			 r->msg, needle);
}

static void
assert_worked(const struct result *r, const char *what)
{
	if (!r->ok)
		fail_msg("%s: errno %d: %s", what, r->err, r->msg);
	assert_int_equal(r->work, 0);
}

/* ======================================================================
 * Modes
 * ====================================================================== */

static void
check_modes(const char *prefix, const char *const *args, bool huge)
{
	long free_base = eal_test_free_hugepages_2m();
	char base[PATH_MAX], dir[PATH_MAX + 64], line[256];
	const char *mount = eal_test_huge_mount_2m();
	mode_t old = umask(0);
	int n_files, n_pages;
	pid_t pid;

	/* A base libeal creates itself (a fresh --runtime-dir). */
	snprintf(base, sizeof(base), "%s/fresh-%s", BASE, prefix);
	snprintf(dir, sizeof(dir), "%s/%s", base, prefix);
	pid = eal_test_start_holder(line, sizeof(line), PFX, prefix, RTD, base, args[0], args[1],
				    args[2], NULL);
	umask(old);
	assert_true(pid > 0);
	if (strncmp(line, "ok 0 ", 5) != 0) {
		eal_test_stop_holder(pid);
		fail_msg("primary %s did not start: '%s'", prefix, line);
	}
	assert_private(base, S_IFDIR, 0700);
	assert_private(dir, S_IFDIR, 0700);
	n_files = assert_private_files(dir, "");
	n_pages = assert_private_files(mount, prefix);
	if (!huge)
		assert_private(shm_path(prefix, geteuid()), S_IFREG, 0600);
	assert_int_equal(eal_test_stop_holder(pid), 0);

	assert_true(n_files >= 3); /* config, fbarrays, hugepage_info... */
	assert_true(huge ? n_pages > 0 : n_pages == 0);
	assert_no_trace(BASE, prefix, geteuid(), free_base);
	assert_int_equal(eal_test_dir_entries(base), -1); /* the base it made goes too */
}

static void
test_modes(void **state)
{
	const char *const dyn[] = { "-m", "4", NULL, NULL };
	const char *const legacy[] = { "--legacy-mem", "-m", "4", NULL };
	const char *const nohuge[] = { "--no-huge", "-m", "16", NULL };

	(void)state;
	check_modes("modes_dyn", dyn, true);
	check_modes("modes_legacy", legacy, true);
	check_modes("modes_nohuge", nohuge, false);
}

/* ======================================================================
 * Another uid
 * ====================================================================== */

/* A base under /tmp that uid 65534 can traverse (0711) but not list, so
 * that what stops it is libeal's own directory, not the test's path. */
static void
make_shared_base(char *buf, size_t size, uid_t owner)
{
	snprintf(buf, size, "/tmp/eal-security-XXXXXX");
	assert_non_null(mkdtemp(buf));
	assert_int_equal(chmod(buf, 0711), 0);
	assert_int_equal(chown(buf, owner, owner), 0);
}

static void
test_other_uid_cannot_attach(void **state)
{
	const char *const primary[] = { "-m", "4", NULL };
	const char *const secondary[] = { "--proc-type=secondary", NULL };
	const char *const as_primary[] = { "--proc-type=primary", NULL };
	long free_base = eal_test_free_hugepages_2m();
	struct result r, sec, aut, pri, again;
	char base[64], dir[128], path[192];
	int peek_status, holder_status;
	struct holder h;
	pid_t pid;

	(void)state;
	make_shared_base(base, sizeof(base), 0);
	snprintf(dir, sizeof(dir), "%s/uid_root", base);
	if (!holder_start(&h, 0, "uid_root", base, primary, &r)) {
		holder_stop(&h);
		eal_test_rm_rf(base);
		fail_msg("root primary: %s", r.msg);
	}
	/* uid 65534 can neither list the directory nor open the config. */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		become(NOBODY);
		snprintf(path, sizeof(path), "%s/config", dir);
		_exit((opendir(dir) == NULL && errno == EACCES ? 0 : 1) |
		      (open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 2));
	}
	peek_status = eal_test_wait(pid, WAIT_MS);
	run_as(&sec, NOBODY, "uid_root", base, secondary);
	run_as(&aut, NOBODY, "uid_root", base, NULL);
	run_as(&pri, NOBODY, "uid_root", base, as_primary);
	/* The primary is unharmed: its own user still attaches. */
	run_as(&again, 0, "uid_root", base, secondary);
	holder_status = holder_stop(&h);
	eal_test_rm_rf(base);

	assert_int_equal(peek_status, 0);
	assert_refused(&sec, "secondary of uid 65534", EACCES, "/uid_root belongs to uid 0");
	assert_refused(&aut, "auto of uid 65534", EACCES, "must be a directory owned by uid 65534");
	assert_refused(&pri, "primary of uid 65534", EACCES, "must be a directory owned by uid 65534");
	assert_worked(&again, "root secondary");
	assert_int_equal(holder_status, 0);
	assert_no_trace(base, "uid_root", 0, free_base);
}

/* The other way round: root does not attach to a primary of uid 65534
 * (it would act on files that user controls). */
static void
test_root_refuses_other_uid(void **state)
{
	const char *const primary[] = { "--no-huge", "-m", "16", NULL };
	const char *const secondary[] = { "--proc-type=secondary", NULL };
	struct result r, sec, aut, own;
	char base[64];
	struct holder h;
	int st;

	(void)state;
	make_shared_base(base, sizeof(base), NOBODY);
	if (!holder_start(&h, NOBODY, "uid_nobody", base, primary, &r)) {
		holder_stop(&h);
		eal_test_rm_rf(base);
		fail_msg("primary of uid 65534: %s", r.msg);
	}
	run_as(&sec, 0, "uid_nobody", base, secondary);
	run_as(&aut, 0, "uid_nobody", base, NULL);
	run_as(&own, NOBODY, "uid_nobody", base, secondary);
	st = holder_stop(&h);
	assert_int_equal(st, 0);
	assert_int_equal(eal_test_dir_entries(base), 0); /* it removed its directory */
	assert_int_equal(access(shm_path("uid_nobody", NOBODY), F_OK), -1);
	eal_test_rm_rf(base);

	assert_refused(&sec, "root secondary", EACCES, "/uid_nobody belongs to uid 65534");
	assert_refused(&aut, "root auto", EACCES, "must be a directory owned by uid 0");
	assert_worked(&own, "secondary of uid 65534");
}

/* A normal user and root's hugetlbfs mount (0755 root, as
 * /dev/hugepages usually is): without --huge-dir the mount is skipped and
 * the user runs on 4 KiB shared pages (it used to init on hugepages and
 * fail every allocation with EACCES); with it, init refuses clearly. */
static void
test_unwritable_huge_mount(void **state)
{
	const char *mnt = eal_test_huge_mount_2m();
	const char *const dflt[] = { "-m", "16", NULL };
	const char *const dir[] = { "--huge-dir", mnt, "-m", "16", NULL };
	struct result fallback, refused;
	struct stat st;
	char base[64];

	(void)state;
	if (mnt == NULL || stat(mnt, &st) != 0 || st.st_uid == NOBODY || (st.st_mode & 0002))
		skip(); /* the mount must be one uid 65534 cannot write */
	make_shared_base(base, sizeof(base), NOBODY);
	run_as(&fallback, NOBODY, "huge_ro_user", base, dflt);
	run_as(&refused, NOBODY, "huge_ro_user", base, dir);
	eal_test_rm_rf(base);
	assert_worked(&fallback, "uid 65534 without --huge-dir");
	assert_refused(&refused, "uid 65534 with --huge-dir", EACCES, "cannot create files in it");
}

/* ======================================================================
 * Symbolic links
 * ====================================================================== */

struct planted {
	const char *prefix;
	const char *name;          /* in the runtime directory, or a page file */
	bool in_huge_dir;
	const char *args[4];
	bool refused;              /* else: the link is replaced and init works */
	const char *needle;
};

static const struct planted planted[] = {
	{ "ln_config", "config", false, { NULL }, true, "config" },
	{ "ln_memzone", "fbarray_memzone", false, { NULL }, true, "fbarray_memzone" },
	{ "ln_memseg", "fbarray_memseg-2048k-0-0", false, { NULL }, true, "fbarray 'memseg-2048k-0-0'" },
	{ "ln_memseg4k", "fbarray_memseg-4k-0-0", false, { "--no-huge", NULL }, true,
	  "fbarray 'memseg-4k-0-0'" },
	{ "ln_hpi", "hugepage_info", false, { NULL }, false, NULL },
	{ "ln_hpd", "hugepage_data", false, { "--legacy-mem", "-m", "4", NULL }, false, NULL },
	{ "ln_hpd_dyn", "hugepage_data", false, { NULL }, false, NULL },
	{ "ln_legacy_page", "ln_legacy_pagemap_0", true, { "--legacy-mem", "-m", "4", NULL },
	  true, "ln_legacy_pagemap_0" },
	{ "ln_dyn_page", "ln_dyn_pagemap_0_0", true, { "-m", "4", NULL }, true,
	  "ln_dyn_pagemap_0_0" },
};

static void
test_planted_links(void **state)
{
	(void)state;
	victim_create();
	for (size_t i = 0; i < EAL_DIM(planted); i++) {
		const struct planted *c = &planted[i];
		long free_base = eal_test_free_hugepages_2m();
		char dir[PATH_MAX], link[PATH_MAX + 128];
		struct result r;
		bool link_left;

		snprintf(dir, sizeof(dir), "%s/%s", BASE, c->prefix);
		assert_int_equal(mkdir(dir, 0700), 0);
		snprintf(link, sizeof(link), "%s/%s", c->in_huge_dir ? eal_test_huge_mount_2m() : dir,
			 c->name);
		if (c->in_huge_dir && symlink(victim, link) != 0) {
			/* hugetlbfs has no symlink operation: no link can be
			 * planted among page files in the first place. */
			assert_int_equal(errno, EINVAL);
			print_message("# %s: hugetlbfs refuses symbolic links\n", c->name);
			assert_int_equal(rmdir(dir), 0);
			continue;
		}
		if (!c->in_huge_dir)
			assert_int_equal(symlink(victim, link), 0);
		run_as(&r, 0, c->prefix, BASE, c->args);
		link_left = access(link, F_OK) == 0 || errno != ENOENT;
		(void)unlink(link);
		(void)rmdir(dir);

		assert_victim_intact();
		if (c->refused) {
			assert_refused(&r, c->name, ELOOP, c->needle);
			assert_true(strstr(r.msg, "symbolic link") != NULL);
			assert_true(link_left);
		} else {
			assert_worked(&r, c->name);
			assert_false(link_left); /* replaced, then removed at exit */
		}
		assert_no_trace(BASE, c->prefix, 0, free_base);
	}
	assert_int_equal(unlink(victim), 0);
}

/* A secondary reads the live primary's records only as regular files:
 * the same bytes behind a link are refused. */
static void
test_secondary_never_follows(void **state)
{
	const char *const dyn[] = { "-m", "4", NULL };
	const char *const secondary[] = { "--proc-type=secondary", NULL };
	const char *names[] = { "hugepage_info", "fbarray_memzone", "config" };
	long free_base = eal_test_free_hugepages_2m();
	struct result r[EAL_DIM(names)], ok, own;
	char path[PATH_MAX], moved[PATH_MAX + 8];
	struct holder h;

	(void)state;
	if (!holder_start(&h, 0, "ln_live", BASE, dyn, &own)) {
		holder_stop(&h);
		fail_msg("primary: %s", own.msg);
	}
	for (size_t i = 0; i < EAL_DIM(names); i++) {
		snprintf(path, sizeof(path), "%s/ln_live/%s", BASE, names[i]);
		snprintf(moved, sizeof(moved), "%s/moved-%s", BASE, names[i]);
		assert_int_equal(rename(path, moved), 0);
		assert_int_equal(symlink(moved, path), 0);
		run_as(&r[i], 0, "ln_live", BASE, secondary);
		assert_int_equal(rename(moved, path), 0); /* over the link */
	}
	run_as(&ok, 0, "ln_live", BASE, secondary);
	assert_int_equal(holder_stop(&h), 0);

	assert_refused(&r[0], "hugepage_info link", ELOOP, "hugepage_info");
	assert_refused(&r[1], "fbarray_memzone link", ELOOP, "symbolic link");
	assert_refused(&r[2], "config link", ELOOP, "symbolic link");
	assert_worked(&ok, "secondary after repair");
	assert_no_trace(BASE, "ln_live", 0, free_base);
}

/* ======================================================================
 * Paths
 * ====================================================================== */

/* eal_init refuses @arg=@value with EINVAL and a message holding @needle,
 * and creates nothing. Runs in this process: it fails before any state. */
static void
assert_bad_path(const char *opt, const char *value, const char *needle)
{
	int before = eal_test_dir_entries(BASE), argc;
	char **argv, arg[PATH_MAX + 32];

	snprintf(arg, sizeof(arg), "%s=%s", opt, value);
	argc = eal_test_argv_prefix(&argv, "paths", arg, NULL);
	eal_log_set_level(NULL, EAL_LOG_ERR);
	eal_test_log_capture("eal", EAL_LOG_ERR);
	assert_int_equal(eal_init(argc, argv), -1);
	assert_int_equal(eal_errno, EINVAL);
	if (eal_test_log_count(EAL_LOG_ERR, needle) != 1)
		fail_msg("%s: no ERR line with '%s' (%u lines, first '%s')", arg, needle,
			 eal_test_log_n, eal_test_log_n > 0 ? eal_test_log_lines[0].text : "");
	assert_int_equal(eal_test_dir_entries(BASE), before);
	eal_log_set_handler(NULL, NULL);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
}

static void
test_path_options(void **state)
{
	char mount_up[PATH_MAX + 8];

	(void)state;
	assert_bad_path("--file-prefix", "../escape", "contains \"..\"");
	assert_bad_path("--file-prefix", "..", "contains \"..\"");
	assert_bad_path("--file-prefix", "a..b", "contains \"..\"");
	assert_bad_path("--file-prefix", "sub/dir", "contains '/'");
	assert_bad_path("--file-prefix", "/abs", "contains '/'");
	assert_bad_path("--file-prefix", ".", "base directory itself");
	snprintf(mount_up, sizeof(mount_up), "%s/..", eal_test_huge_mount_2m());
	assert_bad_path("--huge-dir", mount_up, "contains \"..\"");
	assert_bad_path("--huge-dir", "/dev/hugepages/../../tmp", "contains \"..\"");
	assert_bad_path("--huge-dir", "../hugepages", "contains \"..\"");
	assert_bad_path("--runtime-dir", "/tmp/../etc", "contains \"..\"");
	assert_bad_path("--runtime-dir", "relative", "not an absolute path");
}

/* The runtime directory, or its base, replaced by a link to a directory
 * elsewhere: neither a primary nor a secondary goes through it, and
 * nothing is created at the other end. */
static void
test_linked_runtime_dirs(void **state)
{
	const char *const secondary[] = { "--proc-type=secondary", NULL };
	char elsewhere[PATH_MAX], link[PATH_MAX + 32], linkbase[PATH_MAX + 32];
	struct result pri, sec, viabase;

	(void)state;
	snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", BASE);
	assert_int_equal(mkdir(elsewhere, 0700), 0);
	snprintf(link, sizeof(link), "%s/ln_dir", BASE);
	assert_int_equal(symlink(elsewhere, link), 0);
	run_as(&pri, 0, "ln_dir", BASE, NULL);
	run_as(&sec, 0, "ln_dir", BASE, secondary);
	snprintf(linkbase, sizeof(linkbase), "%s/ln_base", BASE);
	assert_int_equal(symlink(elsewhere, linkbase), 0);
	run_as(&viabase, 0, "via_base", linkbase, NULL);
	assert_int_equal(eal_test_dir_entries(elsewhere), 0);
	unlink(link);
	unlink(linkbase);
	rmdir(elsewhere);

	assert_refused(&pri, "linked runtime dir, primary", ENOTDIR, "ln_dir");
	assert_refused(&sec, "linked runtime dir, secondary", ENOTDIR, "is not a directory");
	assert_refused(&viabase, "linked runtime base", ENOTDIR, "ln_base");
}

/* --huge-dir through a link: resolved once. To hugetlbfs it works and the
 * page files are in the real directory; to anything else it is refused. */
static void
test_huge_dir_links(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	char to_huge[PATH_MAX], to_tmp[PATH_MAX], line[256], opt[PATH_MAX + 16];
	const char *args[] = { NULL, "-m", "4", NULL };
	long free_base = eal_test_free_hugepages_2m();
	struct result r;
	pid_t pid;
	int n_real;

	(void)state;
	snprintf(to_huge, sizeof(to_huge), "%s/ln_huge", BASE);
	snprintf(to_tmp, sizeof(to_tmp), "%s/ln_tmp", BASE);
	assert_int_equal(symlink(mount, to_huge), 0);
	assert_int_equal(symlink("/tmp", to_tmp), 0);

	snprintf(opt, sizeof(opt), "--huge-dir=%s", to_tmp);
	args[0] = opt;
	run_as(&r, 0, "hd_tmp", BASE, args);

	pid = eal_test_start_holder(line, sizeof(line), PFX, "hd_huge", RTD, BASE, "--huge-dir",
				    to_huge, "-m", "4", NULL);
	n_real = eal_test_prefix_files(mount, "hd_huge");
	assert_int_equal(eal_test_stop_holder(pid), 0);
	unlink(to_huge);
	unlink(to_tmp);

	assert_refused(&r, "--huge-dir to /tmp", EINVAL, "is not a hugetlbfs mount point");
	assert_int_equal(strncmp(line, "ok 0 ", 5), 0);
	assert_int_equal(n_real, 2);
	assert_no_trace(BASE, "hd_huge", 0, free_base);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_other_uid_cannot_attach),
		cmocka_unit_test(test_root_refuses_other_uid),
		cmocka_unit_test(test_unwritable_huge_mount),
		cmocka_unit_test(test_planted_links),
		cmocka_unit_test(test_secondary_never_follows),
		cmocka_unit_test(test_path_options),
		cmocka_unit_test(test_linked_runtime_dirs),
		cmocka_unit_test(test_huge_dir_links),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return eal_test_child_main(eal_test_child_role(), eal_test_child_argc(),
					   eal_test_child_argv(), NULL, NULL, NULL);
	eal_test_require_hugepages_2m(16);
	if (geteuid() != 0) {
		/* chown, setuid and writing into hugetlbfs need root; CI runs
		 * as root. */
		printf("# SKIP: not root\n");
		return EAL_TEST_SKIP;
	}
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
