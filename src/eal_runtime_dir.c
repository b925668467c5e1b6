/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The runtime directory: where a primary publishes its shared files
 * (config, fbarray_*, hugepage_info, ...) for secondaries to find.
 *
 *   <base>/<prefix>/     base = --runtime-dir, else
 *                               $RUNTIME_DIRECTORY/eal (systemd), else
 *                               /var/run/eal          (root), else
 *                               $XDG_RUNTIME_DIR/eal, else
 *                               /tmp/eal-<uid>
 *
 * Directories are 0700 and files 0600. An existing directory is used only
 * when it is a real directory owned by us and not writable by others, so a
 * planted symlink or a directory of another user is refused; a secondary
 * applies the same rule to the base and the directory before it reads
 * anything there. Once its init is complete, the primary removes what
 * dead processes left in the directory. With --no-shconf or --in-memory
 * nothing is created and eal__runtime_path() answers -ENOENT. Writes
 * nothing in the shared config.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MCFG

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_hugepage_info.h"
#include "eal_internal_cfg.h"
#include "eal_os.h"
#include "eal_private.h"

/* The directory in use, for eal__runtime_path(); NULL when none. */
static const char *current_dir;

int
eal__runtime_base(const struct eal_internal_config *cfg, char *buf, size_t size)
{
	const char *env;
	int n;

	if (cfg->p.runtime_dir != NULL)
		n = snprintf(buf, size, "%s", cfg->p.runtime_dir);
	else if ((env = getenv("RUNTIME_DIRECTORY")) != NULL && env[0] == '/')
		n = snprintf(buf, size, "%s/eal", env);
	else if (geteuid() == 0)
		n = snprintf(buf, size, "/var/run/eal");
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] == '/')
		n = snprintf(buf, size, "%s/eal", env);
	else
		n = snprintf(buf, size, "/tmp/eal-%u", (unsigned int)geteuid());
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/*
 * A secondary trusts what it reads below the runtime directory (the
 * hugepage directories it creates page files in come from hugepage_info),
 * so it holds the directories to the rule a primary applies to ones that
 * already exist (eal__os_mkdir_private): a real directory, not a symbolic
 * link, owned by this uid and writable by no one else. A primary of
 * another user therefore gives EACCES, root attaching to a user's primary
 * included: root would otherwise act on files that user controls.
 * lstat(2) is called here because the OS contract has no stat primitive.
 */
static int
secondary_check_dir(const struct eal_internal_config *cfg, const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		int err = errno;

		if (err == ENOENT)
			EAL_LOG(ERR, "no primary process runs with --file-prefix=%s: %s does not exist; start the primary first",
				cfg->p.file_prefix, dir);
		else
			EAL_LOG(ERR, "cannot look up %s: %s; is the primary process of --file-prefix=%s run by another user? Run the secondary as that user",
				dir, eal_strerror(err), cfg->p.file_prefix);
		return -err;
	}
	if (!S_ISDIR(st.st_mode)) {
		EAL_LOG(ERR, "%s is not a directory (a symbolic link?); a secondary attaches only through a runtime directory its primary created",
			dir);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0022) != 0) {
		EAL_LOG(ERR, "%s belongs to uid %u and has mode 0%o: a secondary trusts only a runtime directory of its own uid (%u) that no one else can write; run it as the user of the primary process",
			dir, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777),
			(unsigned int)geteuid());
		return -EACCES;
	}
	return 0;
}

int
eal__runtime_dir_init(struct eal_internal_config *cfg)
{
	char base[PATH_MAX];
	int rc, n;

	cfg->runtime_dir[0] = '\0';
	cfg->runtime_dir_created = false;
	cfg->runtime_base_created = false;
	if (cfg->no_shared_files)
		return 0;

	rc = eal__runtime_base(cfg, base, sizeof(base));
	if (rc == 0) {
		n = snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s/%s", base,
			     cfg->p.file_prefix);
		/* Leave room for the longest fixed name ("/hugepage_info"); longer
		 * fbarray names are checked by eal__runtime_path(). */
		if (n < 0 || (size_t)n >= sizeof(cfg->runtime_dir) - 16)
			rc = -ENAMETOOLONG;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "runtime directory for prefix '%s' under '%s' is too long",
			cfg->p.file_prefix, base);
		cfg->runtime_dir[0] = '\0';
		return rc;
	}

	/* An explicit secondary only looks: without a primary there is
	 * nothing to find, and creating the directory would leave litter. */
	if (cfg->p.proc_type == EAL_PROC_SECONDARY) {
		/* The directory first: its owner is the most useful thing to
		 * name. The base is checked too, because whoever can write
		 * there could swap the directory after this check. */
		rc = secondary_check_dir(cfg, cfg->runtime_dir);
		if (rc == 0)
			rc = secondary_check_dir(cfg, base);
		if (rc < 0) {
			cfg->runtime_dir[0] = '\0';
			return rc;
		}
		current_dir = cfg->runtime_dir;
		return 0;
	}

	cfg->runtime_base_created = !eal__os_exists(base);
	rc = eal__os_mkdir_private(base, 0700);
	if (rc < 0)
		goto fail;
	cfg->runtime_dir_created = !eal__os_exists(cfg->runtime_dir);
	rc = eal__os_mkdir_private(cfg->runtime_dir, 0700);
	if (rc < 0)
		goto fail_base;
	current_dir = cfg->runtime_dir;
	return 0;

fail_base:
	if (cfg->runtime_base_created)
		(void)eal__os_rmdir(base);
	EAL_LOG(ERR, "cannot create runtime directory %s: %s (it must be a directory owned by uid %u with mode 0700; use --runtime-dir or --file-prefix)",
		cfg->runtime_dir, eal_strerror(rc), (unsigned int)geteuid());
	cfg->runtime_dir[0] = '\0';
	return rc;
fail:
	EAL_LOG(ERR, "cannot create runtime base directory %s: %s (it must be a directory owned by uid %u, not writable by others; use --runtime-dir)",
		base, eal_strerror(rc), (unsigned int)geteuid());
	cfg->runtime_dir[0] = '\0';
	return rc;
}

/* What the primary's clean-up keeps besides arrays in use. */
struct clean_ctx {
	int dfd;
	bool keep_info; /* this primary published hugepage_info */
	bool keep_data; /* ... and hugepage_data (legacy memory) */
	unsigned int held; /* eal__runtime_dir_held_arrays */
};

/* "<name>.tmp-<pid>": a record eal__os_write_file_atomic() was writing
 * when its process died. */
static bool
is_tmp_of(const char *name, const char *record)
{
	size_t n = strlen(record);

	return strncmp(name, record, n) == 0 && strncmp(name + n, ".tmp-", 5) == 0;
}

/*
 * One entry of the runtime directory, seen by its primary once init is
 * complete (it holds the config lock, so it alone owns the prefix):
 * - fbarray files are removed when no live process holds them (every
 *   process that maps an array keeps a flock on its file; the kernel
 *   drops it when the process dies), unlinked while locked so that check
 *   and removal concern the same unused file;
 * - hugepage_info and hugepage_data are removed when this primary did not
 *   write them: a dead primary of another mode left them, and they would
 *   keep the directory from being removed at exit;
 * - temporary records of a process that died while writing one go.
 * A symbolic link under one of these names (libeal never makes one) is
 * removed, not followed. Anything else is not ours and stays.
 */
static int
clean_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	const struct clean_ctx *c = arg;
	bool stale;
	int fd;

	if (type == EAL_OS_FT_DIR)
		return 0;
	if (strncmp(name, "fbarray_", 8) == 0 && type == EAL_OS_FT_REG) {
		if (eal__os_openat(c->dfd, name, O_RDONLY | O_NONBLOCK, 0, &fd) < 0)
			return 0;
		if (eal__os_flock(fd, LOCK_EX | LOCK_NB) == 0) {
			EAL_LOG(DEBUG, "removing stale %s", name);
			(void)eal__os_unlinkat(c->dfd, name);
		}
		eal__os_close(fd);
		return 0;
	}
	if (strncmp(name, "fbarray_", 8) == 0) {
		stale = true; /* never a live array's file */
	} else if (strcmp(name, EAL_HUGEPAGE_INFO_FILE) == 0) {
		stale = !c->keep_info || type != EAL_OS_FT_REG;
	} else if (strcmp(name, EAL_HUGEPAGE_DATA_FILE) == 0) {
		stale = !c->keep_data || type != EAL_OS_FT_REG;
	} else {
		stale = is_tmp_of(name, EAL_HUGEPAGE_INFO_FILE) ||
			is_tmp_of(name, EAL_HUGEPAGE_DATA_FILE);
	}
	if (stale) {
		EAL_LOG(DEBUG, "removing stale %s", name);
		(void)eal__os_unlinkat(c->dfd, name);
	}
	return 0;
}

static int
clean_dir(const struct eal_internal_config *cfg, bool keep_info, bool keep_data)
{
	struct clean_ctx c = { -1, keep_info, keep_data, 0 };
	int rc;

	rc = eal__os_open(cfg->runtime_dir, O_RDONLY | O_DIRECTORY, 0, &c.dfd);
	if (rc < 0)
		return rc;
	rc = eal__os_dir_foreach(c.dfd, ".", clean_cb, &c);
	eal__os_close(c.dfd);
	return rc;
}

static int
count_held_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	struct clean_ctx *c = arg;
	int fd;

	if (type != EAL_OS_FT_REG || strncmp(name, "fbarray_", 8) != 0)
		return 0;
	if (eal__os_openat(c->dfd, name, O_RDONLY | O_NONBLOCK, 0, &fd) < 0)
		return 0;
	if (eal__os_flock(fd, LOCK_EX | LOCK_NB) == -EWOULDBLOCK)
		c->held++;
	else
		(void)eal__os_flock(fd, LOCK_UN);
	eal__os_close(fd);
	return 0;
}

unsigned int
eal__runtime_dir_held_arrays(const struct eal_internal_config *cfg)
{
	struct clean_ctx c = { -1, false, false, 0 };

	if (cfg->runtime_dir[0] == '\0' ||
	    eal__os_open(cfg->runtime_dir, O_RDONLY | O_DIRECTORY, 0, &c.dfd) < 0)
		return 0;
	(void)eal__os_dir_foreach(c.dfd, ".", count_held_cb, &c);
	eal__os_close(c.dfd);
	return c.held;
}

int
eal__runtime_dir_clean(const struct eal_internal_config *cfg)
{
	if (cfg->runtime_dir[0] == '\0' || cfg->process_type != EAL_PROC_PRIMARY)
		return 0;
	return clean_dir(cfg, !cfg->p.no_huge, !cfg->p.no_huge && cfg->p.legacy_mem);
}

void
eal__runtime_dir_fini(struct eal_internal_config *cfg)
{
	char base[PATH_MAX];
	char *slash;
	bool last;

	if (cfg->runtime_dir[0] == '\0') {
		current_dir = NULL;
		return;
	}
	/* A secondary that outlives a primary that exited may be the last
	 * process of the prefix: it removes the records and the arrays no
	 * process holds any more (each holds a flock on the arrays it maps),
	 * and the directory once it is empty. */
	last = cfg->process_type == EAL_PROC_SECONDARY && eal__mcfg_primary_exited();
	current_dir = NULL;
	if (last)
		(void)clean_dir(cfg, false, false);
	/* Otherwise only the process that made the directories removes
	 * them, and only when empty: a secondary or another primary may
	 * still use them. */
	if (cfg->process_type == EAL_PROC_PRIMARY || cfg->runtime_dir_created || last)
		(void)eal__os_rmdir(cfg->runtime_dir);
	if (cfg->runtime_base_created) {
		snprintf(base, sizeof(base), "%s", cfg->runtime_dir);
		slash = strrchr(base, '/');
		if (slash != NULL) {
			*slash = '\0';
			(void)eal__os_rmdir(base);
		}
	}
	cfg->runtime_dir[0] = '\0';
}

const char *
eal__runtime_dir_path(void)
{
	return current_dir;
}

int
eal__runtime_path(char *buf, size_t size, const char *name)
{
	int n;

	if (current_dir == NULL)
		return -ENOENT;
	n = snprintf(buf, size, "%s/%s", current_dir, name);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}
