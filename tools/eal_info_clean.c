/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal-info --list and --clean (tools/eal_info.h): every prefix under a
 * runtime base with its state, and the removal of a dead application's
 * files, on purpose. Nothing is removed while a process of the prefix
 * lives: the primary's lock on `config` and every process's flock on the
 * fbarray files and page files it maps say so, as they do for libeal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_hugepage.h"
#include "eal_info.h"
#include "eal_memcfg.h"
#include "eal_private.h"

/* What a runtime directory holds. */
struct prefix_view {
	bool has_config;
	bool primary_alive;
	int32_t primary_pid;    /* from the config header, 0 when unreadable */
	unsigned int files;     /* entries of the directory */
	unsigned int arrays;    /* fbarray_* files */
	unsigned int arrays_held; /* ... that a live process maps */
	unsigned int page_files; /* the prefix's files in the hugetlbfs mounts */
	unsigned int page_files_held;
};

/* Whether a live process holds @fd's flock (each mapper holds LOCK_SH). */
static bool
held(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		(void)flock(fd, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

static bool
file_held(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	bool h;

	if (fd < 0)
		return false;
	h = held(fd);
	close(fd);
	return h;
}

/* The hugetlbfs mounts to look in: one per page size. */
static unsigned int
mounts(struct eal_hugepage_size *sizes, unsigned int max)
{
	int n = eal_hugepage_info_get(sizes, max);

	return n > 0 ? (unsigned int)n : 0;
}

static void
count_page_files(const char *prefix, struct prefix_view *v)
{
	struct eal_hugepage_size sizes[8];
	unsigned int n = mounts(sizes, 8);

	for (unsigned int i = 0; i < n; i++) {
		DIR *d = sizes[i].mount[0] != '\0' ? opendir(sizes[i].mount) : NULL;
		struct dirent *e;

		if (d == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (!eal__hugepage_file_is_ours(e->d_name, prefix))
				continue;
			v->page_files++;
			v->page_files_held += file_held(dirfd(d), e->d_name);
		}
		closedir(d);
	}
}

static int
view_of(const char *dir, const char *prefix, struct prefix_view *v)
{
	char path[PATH_MAX + 16];
	struct dirent *e;
	DIR *d;

	memset(v, 0, sizeof(*v));
	d = opendir(dir);
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		v->files++;
		if (strncmp(e->d_name, "fbarray_", 8) == 0) {
			v->arrays++;
			v->arrays_held += file_held(dirfd(d), e->d_name);
		}
	}
	closedir(d);
	snprintf(path, sizeof(path), "%s/config", dir);
	v->has_config = access(path, F_OK) == 0;
	v->primary_alive = v->has_config && eal__primary_alive_at(path);
	if (v->has_config) {
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0) {
			if (pread(fd, &v->primary_pid, sizeof(v->primary_pid),
				  offsetof(struct eal_mem_config, primary_pid)) !=
			    (ssize_t)sizeof(v->primary_pid))
				v->primary_pid = 0;
			close(fd);
		}
	}
	count_page_files(prefix, v);
	return 0;
}

static const char *
state_of(const struct prefix_view *v)
{
	if (v->primary_alive)
		return "live";
	if (v->arrays_held > 0 || v->page_files_held > 0)
		return "orphans"; /* secondaries of a primary that is gone */
	if (v->has_config)
		return "dead";
	return v->files > 0 || v->page_files > 0 ? "stale files" : "empty";
}

int
eal_info_list(const char *base)
{
	struct dirent *e;
	unsigned int n = 0;
	DIR *d = opendir(base);

	if (d == NULL) {
		if (errno == ENOENT) {
			printf("no libeal application under %s\n", base);
			return EXIT_ABSENT;
		}
		fprintf(stderr, "eal-info: cannot read %s: %s\n", base, strerror(errno));
		return EXIT_INVALID;
	}
	printf("%-24s %-12s %8s %6s %8s %s\n", "PREFIX", "STATE", "PRIMARY", "FILES",
	       "PAGES", "(in " "hugetlbfs files, held by live processes)");
	while ((e = readdir(d)) != NULL) {
		char dir[PATH_MAX];
		struct prefix_view v;

		if (e->d_name[0] == '.' ||
		    (size_t)snprintf(dir, sizeof(dir), "%s/%s", base, e->d_name) >= sizeof(dir))
			continue;
		if (view_of(dir, e->d_name, &v) < 0)
			continue;
		printf("%-24s %-12s %8" PRId32 " %6u %8u (%u held)\n", e->d_name, state_of(&v),
		       v.primary_pid, v.files, v.page_files, v.page_files_held);
		n++;
	}
	closedir(d);
	if (n == 0)
		printf("no libeal application under %s\n", base);
	return n > 0 ? EXIT_RUNNING : EXIT_ABSENT;
}

/* Remove a runtime-directory entry of libeal's, and say so. */
static void
remove_entry(int dfd, const char *dir, const char *name, unsigned int *n)
{
	if (unlinkat(dfd, name, 0) == 0) {
		(*n)++;
		return;
	}
	fprintf(stderr, "eal-info: cannot remove %s/%s: %s\n", dir, name, strerror(errno));
}

static bool
ours(const char *name)
{
	return strcmp(name, "config") == 0 || strncmp(name, "fbarray_", 8) == 0 ||
	       strncmp(name, "hugepage_info", 13) == 0 || strncmp(name, "hugepage_data", 13) == 0;
}

int
eal_info_clean(const char *dir, const char *prefix)
{
	struct eal_hugepage_size sizes[8];
	unsigned int removed = 0, n_mounts;
	struct prefix_view v;
	char shm[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int rc, fd;

	rc = view_of(dir, prefix, &v);
	if (rc == -ENOENT) {
		v = (struct prefix_view){ 0 };
		count_page_files(prefix, &v);
	} else if (rc < 0) {
		fprintf(stderr, "eal-info: cannot read %s: %s\n", dir, strerror(-rc));
		return EXIT_INVALID;
	}
	if (v.primary_alive) {
		fprintf(stderr, "eal-info: --clean %s: refused: its primary (pid %" PRId32 ") is running; stop the application first\n",
			prefix, v.primary_pid);
		return EXIT_BUSY;
	}
	if (v.arrays_held > 0 || v.page_files_held > 0) {
		fprintf(stderr, "eal-info: --clean %s: refused: a process still maps its memory (%u array(s), %u page file(s) held; a secondary that outlived its primary?); stop it first\n",
			prefix, v.arrays_held, v.page_files_held);
		return EXIT_BUSY;
	}
	d = opendir(dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL)
			if (ours(e->d_name))
				remove_entry(dirfd(d), dir, e->d_name, &removed);
		closedir(d);
		if (rmdir(dir) < 0 && errno != ENOENT)
			fprintf(stderr, "eal-info: %s is not empty after the clean-up (files libeal did not make are left): %s\n",
				dir, strerror(errno));
	}
	n_mounts = mounts(sizes, 8);
	for (unsigned int i = 0; i < n_mounts; i++)
		if (sizes[i].mount[0] != '\0')
			(void)eal__hugepage_dir_sweep(sizes[i].mount, prefix);
	/* The --no-huge memory, when its primary (who locks it) is gone. */
	snprintf(shm, sizeof(shm), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)getuid(), prefix);
	fd = open(shm, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		if (!held(fd) && unlink(shm) == 0)
			removed++;
		close(fd);
	}
	printf("removed %u runtime file(s) and %u hugepage file(s) of prefix '%s'\n", removed,
	       v.page_files, prefix);
	return EXIT_RUNNING; /* 0: done */
}
