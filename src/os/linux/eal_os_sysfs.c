/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux primitives for reading the kernel's view of the machine (sysfs,
 * procfs) and for the small file jobs around hugepage directories: listing
 * a directory, opening and unlinking relative to a directory fd, resolving
 * a path, and replacing a file atomically.
 *
 * The sysfs and procfs roots are redirectable so that tests can run
 * discovery against fixture trees: EAL_SYSFS_ROOT and EAL_PROCFS_ROOT are
 * read at every call (never cached), with secure_getenv() so that a
 * set-uid program cannot be pointed at a forged tree. Reads are bounded:
 * a file larger than the caller's limit is an error (-EFBIG), never a
 * truncated answer. Writes nothing in the shared config and takes no lock.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

static const char *
root_from_env(const char *name, const char *dflt)
{
	const char *v = secure_getenv(name);

	return v != NULL && v[0] != '\0' ? v : dflt;
}

const char *
eal__os_sysfs_root(void)
{
	return root_from_env("EAL_SYSFS_ROOT", "/sys");
}

const char *
eal__os_procfs_root(void)
{
	return root_from_env("EAL_PROCFS_ROOT", "/proc");
}

/*
 * Read from @fd into buf[*len, cap) until end of file (*ret_eof = true) or
 * until the buffer is full (*ret_eof = false). *len grows as data comes.
 */
static int
read_more(int fd, const char *path, char *buf, size_t cap, size_t *len, bool *ret_eof)
{
	while (*len < cap) {
		ssize_t n = read(fd, buf + *len, cap - *len);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			EAL_LOG(DEBUG, "read(%s, %zu bytes at %zu): %s", path, cap - *len, *len,
				strerror(err));
			return -err;
		}
		if (n == 0) {
			*ret_eof = true;
			return 0;
		}
		*len += (size_t)n;
	}
	*ret_eof = false;
	return 0;
}

/*
 * Open for reading. Kernel trees are full of symlinks (/proc/mounts is
 * one, to self/mounts), so @follow allows them; files libeal wrote
 * itself are opened with O_NOFOLLOW (eal__os_open) so that a planted
 * link is refused.
 */
static int
open_read(const char *path, bool follow, int *ret_fd)
{
	int fd;

	if (!follow)
		return eal__os_open(path, O_RDONLY, 0, ret_fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "open(%s, O_RDONLY): %s", path, strerror(err));
		return -err;
	}
	*ret_fd = fd;
	return 0;
}

int
eal__os_read_file(const char *path, bool follow, char *buf, size_t size, size_t *ret_len)
{
	size_t len = 0;
	bool eof;
	int fd, rc;

	if (size == 0)
		return -EINVAL;
	rc = open_read(path, follow, &fd);
	if (rc < 0)
		return rc;
	/* Room for size bytes though only size - 1 may come: a full buffer
	 * tells a file of exactly size - 1 bytes from a longer one. */
	rc = read_more(fd, path, buf, size, &len, &eof);
	(void)eal__os_close(fd);
	if (rc < 0)
		return rc;
	if (!eof) {
		EAL_LOG(DEBUG, "%s: larger than %zu bytes", path, size - 1);
		return -EFBIG;
	}
	buf[len] = '\0';
	*ret_len = len;
	return 0;
}

int
eal__os_read_file_alloc(const char *path, bool follow, size_t max, char **ret_buf,
			size_t *ret_len)
{
	/* procfs files report size 0, so grow the buffer geometrically
	 * instead of trusting fstat; start small, most files are. */
	size_t cap = 4096, len = 0;
	bool eof = false;
	char *buf = NULL;
	int fd, rc;

	if (max == 0 || max > SIZE_MAX / 4)
		return -EINVAL;
	rc = open_read(path, follow, &fd);
	if (rc < 0)
		return rc;
	while (!eof) {
		char *nbuf;

		/* Up to max + 1 bytes, the extra one to see a longer file;
		 * one more byte of room for the NUL. */
		if (cap > max + 1)
			cap = max + 1;
		nbuf = realloc(buf, cap + 1);
		if (nbuf == NULL) {
			rc = -ENOMEM;
			goto fail;
		}
		buf = nbuf;
		rc = read_more(fd, path, buf, cap, &len, &eof);
		if (rc < 0)
			goto fail;
		if (len > max) {
			EAL_LOG(DEBUG, "%s: larger than %zu bytes", path, max);
			rc = -EFBIG;
			goto fail;
		}
		cap *= 2;
	}
	buf[len] = '\0';
	(void)eal__os_close(fd);
	*ret_buf = buf;
	*ret_len = len;
	return 0;

fail:
	free(buf);
	(void)eal__os_close(fd);
	return rc;
}

static enum eal_os_ftype
ftype_of(int dfd, const struct dirent *e)
{
	struct stat st;

	switch (e->d_type) {
	case DT_REG:
		return EAL_OS_FT_REG;
	case DT_DIR:
		return EAL_OS_FT_DIR;
	case DT_UNKNOWN:
		/* Some file systems do not fill d_type: ask, without
		 * following a symlink. */
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return EAL_OS_FT_OTHER;
		if (S_ISREG(st.st_mode))
			return EAL_OS_FT_REG;
		if (S_ISDIR(st.st_mode))
			return EAL_OS_FT_DIR;
		return EAL_OS_FT_OTHER;
	default:
		return EAL_OS_FT_OTHER;
	}
}

int
eal__os_dir_foreach(int at_fd, const char *path, eal__os_dir_cb cb, void *arg)
{
	struct dirent *e;
	DIR *d;
	int fd, rc = 0;

	/* A fresh fd for the directory: fdopendir() takes ownership of it,
	 * and the caller's @at_fd (often a held lock) must stay open. */
	fd = openat(at_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "openat(%d, %s, O_DIRECTORY): %s", at_fd, path, strerror(err));
		return -err;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		int err = errno;

		EAL_LOG(DEBUG, "fdopendir(%s): %s", path, strerror(err));
		(void)close(fd);
		return -err;
	}
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (e == NULL) {
			if (errno != 0) {
				rc = -errno;
				EAL_LOG(DEBUG, "readdir(%s): %s", path, strerror(-rc));
			}
			break;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		rc = cb(arg, e->d_name, ftype_of(dirfd(d), e));
		if (rc != 0)
			break;
	}
	(void)closedir(d);
	return rc < 0 ? rc : 0;
}

int
eal__os_openat(int at_fd, const char *name, int flags, mode_t mode, int *ret_fd)
{
	int fd = openat(at_fd, name, flags | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "openat(%d, %s, 0x%x, 0%o): %s", at_fd, name, (unsigned int)flags,
			(unsigned int)mode, strerror(err));
		return -err;
	}
	*ret_fd = fd;
	return 0;
}

int
eal__os_unlinkat(int at_fd, const char *name)
{
	if (unlinkat(at_fd, name, 0) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "unlinkat(%d, %s): %s", at_fd, name, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_realpath(const char *path, char *buf, size_t size)
{
	char tmp[PATH_MAX];
	size_t n;

	if (realpath(path, tmp) == NULL) {
		int err = errno;

		EAL_LOG(DEBUG, "realpath(%s): %s", path, strerror(err));
		return -err;
	}
	n = strlen(tmp);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, tmp, n + 1);
	return 0;
}

static int
write_all(int fd, const char *path, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			EAL_LOG(DEBUG, "write(%s, %zu bytes): %s", path, len, strerror(err));
			return -err;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
eal__os_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, n, rc;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)eal__os_getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* A temporary file left by a dead process that had our pid: it is
	 * ours to replace (the directory is private to this uid). */
	rc = eal__os_unlink(tmp, true);
	if (rc < 0)
		return rc;
	rc = eal__os_open(tmp, O_WRONLY | O_CREAT | O_EXCL, mode, &fd);
	if (rc < 0)
		return rc;
	rc = write_all(fd, tmp, data, len);
	(void)eal__os_close(fd);
	if (rc < 0)
		goto fail;
	/* rename(2) replaces the old file in one step: a reader sees the old
	 * record or the new one, never a partial write. */
	if (rename(tmp, path) < 0) {
		rc = -errno;
		EAL_LOG(DEBUG, "rename(%s, %s): %s", tmp, path, strerror(-rc));
		goto fail;
	}
	return 0;

fail:
	(void)eal__os_unlink(tmp, true);
	return rc;
}
