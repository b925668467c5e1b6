/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux file primitives of the OS contract (src/eal_os.h): open, locks,
 * directories. Each wrapper logs a failure once at DEBUG with all of its
 * arguments and returns -errno; callers decide what the user sees.
 *
 * Locks: flock(2) marks liveness of fbarray and hugepage files (as DPDK);
 * OFD byte-range locks mark the primary on the config file, because a
 * classic POSIX lock would be dropped as soon as the primary closed any
 * other fd to the same file.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

int
eal__os_open(const char *path, int flags, mode_t mode, int *ret_fd)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "open(%s, 0x%x, 0%o): %s", path, (unsigned int)flags,
			(unsigned int)mode, strerror(err));
		return -err;
	}
	*ret_fd = fd;
	return 0;
}

int
eal__os_close(int fd)
{
	if (fd >= 0)
		(void)close(fd);
	return 0;
}

int
eal__os_ftruncate(int fd, uint64_t len)
{
	if (ftruncate(fd, (off_t)len) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "ftruncate(%d, %llu): %s", fd, (unsigned long long)len,
			strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_fsize(int fd, uint64_t *ret_size)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "fstat(%d): %s", fd, strerror(err));
		return -err;
	}
	*ret_size = (uint64_t)st.st_size;
	return 0;
}

int
eal__os_pread(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			EAL_LOG(DEBUG, "pread(%d, %zu, %llu): %s", fd, len, (unsigned long long)off,
				strerror(err));
			return -err;
		}
		if (n == 0)
			return -ENODATA;
		done += (size_t)n;
	}
	return 0;
}

int
eal__os_flock(int fd, int op)
{
	int rc;

	do {
		rc = flock(fd, op);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		if (err != EWOULDBLOCK)
			EAL_LOG(DEBUG, "flock(%d, 0x%x): %s", fd, (unsigned int)op, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_range_lock(int fd, short type, uint64_t start, uint64_t len, bool wait)
{
	struct flock fl = {
		.l_type = type,
		.l_whence = SEEK_SET,
		.l_start = (off_t)start,
		.l_len = (off_t)len,
	};
	int rc;

	do {
		rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		/* EACCES and EAGAIN both mean "held by someone else". */
		if (err == EACCES)
			err = EAGAIN;
		if (err != EAGAIN)
			EAL_LOG(DEBUG, "fcntl(%d, F_OFD_SETLK%s, type %d, %llu+%llu): %s", fd,
				wait ? "W" : "", type, (unsigned long long)start,
				(unsigned long long)len, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_range_lock_test(int fd, uint64_t start, uint64_t len, bool *ret_locked)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)start,
		.l_len = (off_t)len,
	};

	if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "fcntl(%d, F_OFD_GETLK, %llu+%llu): %s", fd,
			(unsigned long long)start, (unsigned long long)len, strerror(err));
		return -err;
	}
	*ret_locked = fl.l_type != F_UNLCK;
	return 0;
}

int
eal__os_unlink(const char *path, bool missing_ok)
{
	if (unlink(path) < 0) {
		int err = errno;

		if (err == ENOENT && missing_ok)
			return 0;
		EAL_LOG(DEBUG, "unlink(%s): %s", path, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_mkdir_private(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno != EEXIST) {
		int err = errno;

		EAL_LOG(DEBUG, "mkdir(%s, 0%o): %s", path, (unsigned int)mode, strerror(err));
		return -err;
	}
	/* It exists: accept it only if it is a real directory that belongs to
	 * us and that nobody else can write into (no symlink to elsewhere). */
	if (lstat(path, &st) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "lstat(%s): %s", path, strerror(err));
		return -err;
	}
	if (!S_ISDIR(st.st_mode)) {
		EAL_LOG(DEBUG, "%s exists and is not a directory", path);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 0022)) {
		EAL_LOG(DEBUG, "%s: owned by uid %u with mode 0%o", path, (unsigned int)st.st_uid,
			(unsigned int)(st.st_mode & 07777));
		return -EACCES;
	}
	return 0;
}

int
eal__os_rmdir(const char *path)
{
	if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST) {
		int err = errno;

		EAL_LOG(DEBUG, "rmdir(%s): %s", path, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_dir_writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK | X_OK, AT_EACCESS) < 0 ? -errno : 0;
}

bool
eal__os_file_writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

int
eal__os_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
eal__os_fallocate(int fd, uint64_t off, uint64_t len)
{
	int rc;

	do {
		rc = fallocate(fd, 0, (off_t)off, (off_t)len);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "fallocate(%d, 0, %llu, %llu): %s", fd, (unsigned long long)off,
			(unsigned long long)len, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_punch_hole(int fd, uint64_t off, uint64_t len)
{
	int rc;

	do {
		rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "fallocate(%d, PUNCH_HOLE, %llu, %llu): %s", fd,
			(unsigned long long)off, (unsigned long long)len, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_same_file(int fd, const char *path, bool *ret_same)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0)
		return -errno;
	if (lstat(path, &b) < 0) {
		if (errno != ENOENT)
			return -errno;
		*ret_same = false;
		return 0;
	}
	*ret_same = a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	return 0;
}

int
eal__os_memfd(const char *name, unsigned int flags, int *ret_fd)
{
	int fd = memfd_create(name, flags | MFD_CLOEXEC);

	if (fd < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "memfd_create(%s, 0x%x): %s", name, flags, strerror(err));
		return -err;
	}
	*ret_fd = fd;
	return 0;
}

int
eal__os_fs_avail(int fd, uint64_t *ret_avail)
{
	struct statvfs st;

	if (fstatvfs(fd, &st) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "fstatvfs(%d): %s", fd, strerror(err));
		return -err;
	}
	*ret_avail = (uint64_t)st.f_bavail * st.f_frsize;
	return 0;
}
