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
 * planted symlink or a directory of another user is refused. With
 * --no-shconf or --in-memory nothing is created and eal__runtime_path()
 * answers -ENOENT. Writes nothing in the shared config.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MCFG

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		if (!eal__os_exists(cfg->runtime_dir)) {
			EAL_LOG(ERR, "no primary process runs with --file-prefix=%s: %s does not exist; start the primary first",
				cfg->p.file_prefix, cfg->runtime_dir);
			cfg->runtime_dir[0] = '\0';
			return -ENOENT;
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

void
eal__runtime_dir_fini(struct eal_internal_config *cfg)
{
	char base[PATH_MAX];
	char *slash;

	current_dir = NULL;
	if (cfg->runtime_dir[0] == '\0')
		return;
	/* Only the process that made the directories removes them, and only
	 * when empty: a secondary or another primary may still use them. */
	if (cfg->process_type == EAL_PROC_PRIMARY || cfg->runtime_dir_created)
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

/* Remove one fbarray file if no live process holds it (every process that
 * maps an fbarray keeps a flock on its file; the kernel drops it when the
 * process dies). Unlinked while locked, so check and removal concern the
 * same unused file. */
static int
clean_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	int dfd = *(int *)arg, fd;

	if (type != EAL_OS_FT_REG || strncmp(name, "fbarray_", 8) != 0)
		return 0;
	if (eal__os_openat(dfd, name, O_RDONLY | O_NONBLOCK, 0, &fd) < 0)
		return 0;
	if (eal__os_flock(fd, LOCK_EX | LOCK_NB) == 0) {
		EAL_LOG(DEBUG, "removing stale %s", name);
		(void)eal__os_unlinkat(dfd, name);
	}
	eal__os_close(fd);
	return 0;
}

int
eal__runtime_dir_clean(const struct eal_internal_config *cfg)
{
	int dfd, rc;

	if (cfg->runtime_dir[0] == '\0' || cfg->process_type != EAL_PROC_PRIMARY)
		return 0;
	rc = eal__os_open(cfg->runtime_dir, O_RDONLY | O_DIRECTORY, 0, &dfd);
	if (rc < 0)
		return rc;
	rc = eal__os_dir_foreach(dfd, ".", clean_cb, &dfd);
	eal__os_close(dfd);
	return rc;
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
