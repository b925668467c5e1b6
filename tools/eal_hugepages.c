/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal-hugepages: show the machine's hugepages and, as root, set them up for
 * libeal programs (reserve, clear, mount, unmount), like DPDK's
 * dpdk-hugepages.py.
 *
 * Reading goes through the library: eal_hugepage_info_get() for the sizes
 * and their counts, the internal mounts parser for every hugetlbfs mount
 * (not only the one discovery picks per size), and
 * eal__hugepage_file_is_ours() to tell which libeal prefix a backing file
 * belongs to. Writing is done here with plain system calls, because the
 * library never changes the machine's configuration. The sysfs and procfs
 * roots follow EAL_SYSFS_ROOT / EAL_PROCFS_ROOT, so that the tests can run
 * every action on a copy of a fixture tree. docs/eal-hugepages.md is the
 * user's guide; exit status: 0 done, 1 failed, 2 usage error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_build_config.h"
#include "eal_common.h"
#include "eal_errno.h"
#include "eal_hugepage.h"
#include "eal_log.h"

#include "eal_hugepage_info.h"
#include "eal_private.h"
#include "eal_os.h"

#define PROG "eal-hugepages"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	/* parse_args(): go on with the command (never an exit status) */
	CONTINUE = -1,
};

#define DEFAULT_MOUNT "/dev/hugepages"
/* What the hint suggests reserving, and when a reservation is not enough. */
#define HINT_RESERVE (256ull << 20)
/* Bounds of what we read and of how deep we look for backing files
 * (libeal's --huge-dir may be a directory under a mount). */
#define MOUNTS_MAX (4u << 20)
#define COUNT_FILE_MAX 64
#define SCAN_DEPTH_MAX 8
/* Largest NUMA node number accepted in SIZE:NODE before looking at sysfs. */
#define NODE_ARG_MAX 65535u

/* ======================================================================
 * Messages
 * ====================================================================== */

/* Where action reports go: stdout, or stderr when stdout carries JSON. */
static FILE *msg_out;

static void EAL_FORMAT(1, 2)
say_error(const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void EAL_FORMAT(1, 2)
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(msg_out, fmt, ap);
	va_end(ap);
	fputc('\n', msg_out);
}

/* The library logs the detail of a failure (which file, which line) once;
 * show its warnings and errors under our name, drop the rest. */
static void
log_line(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	(void)component;
	if (level <= EAL_LOG_WARNING)
		fprintf(stderr, PROG ": %s\n", line);
}

/* ======================================================================
 * Sizes: "512M" in, "2M" out
 * ====================================================================== */

/*
 * "512M", "2G", "64k", "1GiB", "2MB" or a plain number of bytes. Units
 * are binary, as the kernel's own "2048kB" and hugetlbfs pagesize= are.
 */
static int
parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "KMGTPE";
	const char *p = s, *u;
	uint64_t v = 0;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	u = *p != '\0' ? strchr(units, toupper((unsigned char)*p)) : NULL;
	if (u != NULL) {
		shift = 10 * (unsigned int)(u - units + 1);
		p++;
		if (p[0] == 'i' && p[1] == 'B')
			p += 2;
	}
	if (*p == 'B' || (*p == 'b' && shift > 0))
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (v > UINT64_MAX >> shift)
		return -ERANGE;
	*ret = v << shift;
	return 0;
}

/* a * b, or UINT64_MAX when it does not fit (only ever printed). */
static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* ======================================================================
 * Text and JSON output
 * ====================================================================== */

/* Paths and prefix names come from the file system and may hold any byte
 * but '/': in the table, control characters and the backslash are shown
 * as \ooo, as /proc/mounts does, so that they cannot garble the terminal
 * and the escapes stay unambiguous. */
static bool
needs_escape(char c)
{
	return (unsigned char)c < 0x20 || c == 0x7f || c == '\\';
}

static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += needs_escape(*s) ? 4 : 1;
	return n;
}

static void
put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (needs_escape(*s))
			fprintf(f, "\\%03o", (unsigned char)*s);
		else
			fputc(*s, f);
	}
}

static void
put_text_padded(FILE *f, const char *s, size_t width)
{
	put_text(f, s);
	for (size_t n = text_width(s); n < width; n++)
		fputc(' ', f);
}

/* Length of the valid UTF-8 sequence at @s (1 to 4), or 0 when it is not
 * one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static unsigned int
utf8_len(const unsigned char *s)
{
	unsigned int n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (unsigned int i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* A JSON string. JSON text must be UTF-8, file names need not be: a byte
 * that starts no valid sequence becomes U+FFFD. */
static void
put_json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s != '\0') {
		unsigned int n = utf8_len(s);

		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
		} else if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
	}
	fputc('"', f);
}

/* ======================================================================
 * The machine: sizes, hugetlbfs mounts and the files in them
 * ====================================================================== */

/* What the lock probe says about one backing file. */
enum probe {
	PROBE_HELD,    /* a live process holds a lock on it */
	PROBE_STALE,   /* nobody does: left behind by a dead process */
	PROBE_UNKNOWN, /* could not be opened or locked (permissions) */
};

/* The backing files of one prefix in one directory. */
struct prefix_files {
	char *name;
	char *dir;           /* the directory holding them: the mount or below */
	unsigned int files;
	unsigned int count[3]; /* by enum probe */
	uint64_t bytes;      /* allocated (st_blocks), i.e. hugepage memory held */
};

struct mount_info {
	char path[PATH_MAX];
	uint64_t page_size;  /* pagesize=, else the default size; 0: unknown */
	bool read_only;
	int scan_err;        /* 0, or -errno when the mount could not be listed */
	unsigned int other_files; /* regular files not named like backing files */
	struct prefix_files *prefixes;
	unsigned int n_prefixes;
};

struct machine {
	struct eal_hugepage_size sizes[EAL_MAX_HUGEPAGE_SIZES];
	unsigned int n_sizes;
	uint64_t default_size; /* 0: unknown */
	struct mount_info *mounts;
	unsigned int n_mounts;
};

static void
machine_free(struct machine *m)
{
	for (unsigned int i = 0; i < m->n_mounts; i++) {
		struct mount_info *mi = &m->mounts[i];

		for (unsigned int k = 0; k < mi->n_prefixes; k++) {
			free(mi->prefixes[k].name);
			free(mi->prefixes[k].dir);
		}
		free(mi->prefixes);
	}
	free(m->mounts);
	m->mounts = NULL;
	m->n_mounts = 0;
}

static const struct eal_hugepage_size *
find_size(const struct machine *m, uint64_t page_size)
{
	for (unsigned int i = 0; i < m->n_sizes; i++)
		if (m->sizes[i].page_size == page_size)
			return &m->sizes[i];
	return NULL;
}

static int
mount_cb(void *arg, const struct eal_hugepage_mount *hm)
{
	struct machine *m = arg;
	struct mount_info *mi;

	mi = realloc(m->mounts, (m->n_mounts + 1) * sizeof(*mi));
	if (mi == NULL)
		return -ENOMEM;
	m->mounts = mi;
	mi = &mi[m->n_mounts++];
	memset(mi, 0, sizeof(*mi));
	_Static_assert(sizeof(mi->path) == sizeof(hm->path), "mount path sizes differ");
	memcpy(mi->path, hm->path, sizeof(mi->path));
	/* The kernel uses the default size for a mount without pagesize=. */
	mi->page_size = hm->page_size != 0 ? hm->page_size : m->default_size;
	mi->read_only = hm->read_only;
	return 0;
}

/* Every hugetlbfs mount of <procfs>/mounts, read-only ones included. */
static int
load_mounts(struct machine *m)
{
	char path[PATH_MAX];
	unsigned int line = 0;
	size_t len;
	char *buf;
	int rc;

	snprintf(path, sizeof(path), "%s/mounts", eal__os_procfs_root());
	rc = eal__os_read_file_alloc(path, true, MOUNTS_MAX, &buf, &len);
	if (rc < 0) {
		say_error("cannot read %s: %s", path, eal_strerror(-rc));
		return rc;
	}
	rc = eal__hugepage_parse_mounts(buf, len, mount_cb, m, &line);
	free(buf);
	if (rc == -EINVAL)
		say_error("%s:%u: malformed line", path, line);
	else if (rc < 0)
		say_error("cannot read %s: %s", path, eal_strerror(-rc));
	return rc;
}

/*
 * Is a live process using this backing file? Every libeal (and DPDK)
 * process holds a flock on each file it maps for as long as it maps it,
 * and the kernel drops that lock when the process dies. So LOCK_EX |
 * LOCK_NB fails with EWOULDBLOCK exactly on the files in use. The lock
 * is ours for an instant only: a process that tried to lock the file
 * with LOCK_NB at that very moment would fail, as it would against a
 * starting primary clearing its stale files (the library probes the
 * same way).
 */
static enum probe
probe_file(int dir_fd, const char *name)
{
	enum probe r = PROBE_UNKNOWN;
	int fd;

	/* O_NONBLOCK: never hang on a FIFO named like a backing file. */
	fd = openat(dir_fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return PROBE_UNKNOWN;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		(void)flock(fd, LOCK_UN);
		r = PROBE_STALE;
	} else if (errno == EWOULDBLOCK) {
		r = PROBE_HELD;
	}
	close(fd);
	return r;
}

/*
 * The prefix of a backing file "<prefix>map_<n>" or "<prefix>map_<l>_<n>"
 * into @buf, or false when @name is not one. The suffix after the last
 * "map_" holds only digits and '_', so that is where the prefix ends; the
 * library's own rule then confirms it.
 */
static bool
backing_file_prefix(const char *name, char *buf, size_t size)
{
	const char *p = NULL, *q = name;
	size_t n;

	while ((q = strstr(q, "map_")) != NULL)
		p = q++;
	if (p == NULL)
		return false;
	n = (size_t)(p - name);
	if (n == 0 || n >= size)
		return false;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return eal__hugepage_file_is_ours(name, buf);
}

static struct prefix_files *
prefix_get(struct mount_info *mi, const char *dir, const char *name)
{
	struct prefix_files *pf;

	for (unsigned int i = 0; i < mi->n_prefixes; i++) {
		pf = &mi->prefixes[i];
		if (strcmp(pf->name, name) == 0 && strcmp(pf->dir, dir) == 0)
			return pf;
	}
	pf = realloc(mi->prefixes, (mi->n_prefixes + 1) * sizeof(*pf));
	if (pf == NULL)
		return NULL;
	mi->prefixes = pf;
	pf = &pf[mi->n_prefixes];
	memset(pf, 0, sizeof(*pf));
	pf->name = strdup(name);
	pf->dir = strdup(dir);
	if (pf->name == NULL || pf->dir == NULL) {
		free(pf->name);
		free(pf->dir);
		return NULL;
	}
	mi->n_prefixes++;
	return pf;
}

/*
 * Count the backing files in the directory @dir_fd (named @dir), and in
 * its subdirectories down to SCAN_DEPTH_MAX, staying on the mount's
 * device: a hugetlbfs mounted below this one is listed on its own.
 * Takes @dir_fd. -errno when the directory cannot be listed or memory
 * runs out.
 */
static int
scan_dir(struct mount_info *mi, int dir_fd, const char *dir, dev_t dev, unsigned int depth)
{
	char prefix[NAME_MAX + 1], sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	d = fdopendir(dir_fd);
	if (d == NULL) {
		rc = -errno;
		close(dir_fd);
		return rc;
	}
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		struct prefix_files *pf;
		int fd;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* removed meanwhile */
		if (S_ISDIR(st.st_mode) && st.st_dev == dev && depth < SCAN_DEPTH_MAX) {
			fd = openat(dirfd(d), de->d_name,
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0 ||
			    (size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= sizeof(sub)) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			/* A subdirectory we cannot list is not an error of the mount. */
			rc = scan_dir(mi, fd, sub, dev, depth + 1);
			if (rc != -ENOMEM)
				rc = 0;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (!backing_file_prefix(de->d_name, prefix, sizeof(prefix))) {
			mi->other_files++;
			continue;
		}
		pf = prefix_get(mi, dir, prefix);
		if (pf == NULL) {
			rc = -ENOMEM;
			break;
		}
		pf->files++;
		pf->bytes += (uint64_t)st.st_blocks * 512;
		pf->count[probe_file(dirfd(d), de->d_name)]++;
	}
	if (rc == 0 && errno != 0)
		rc = -errno;
	closedir(d);
	return rc;
}

static int
cmp_prefix(const void *a, const void *b)
{
	const struct prefix_files *x = a, *y = b;
	int c = strcmp(x->dir, y->dir);

	return c != 0 ? c : strcmp(x->name, y->name);
}

static int
scan_mount(struct mount_info *mi)
{
	struct stat st;
	int fd, rc;

	fd = open(mi->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		mi->scan_err = -errno;
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rc = scan_dir(mi, fd, mi->path, st.st_dev, 0);
	if (rc == -ENOMEM)
		return rc;
	mi->scan_err = rc;
	/* qsort() wants a valid base even for no elements. */
	if (mi->n_prefixes > 1)
		qsort(mi->prefixes, mi->n_prefixes, sizeof(*mi->prefixes), cmp_prefix);
	return 0;
}

/* Everything --show prints. 0, or -errno after one message. */
static int
machine_load(struct machine *m)
{
	int n, rc;

	memset(m, 0, sizeof(*m));
	n = eal_hugepage_info_get(m->sizes, EAL_DIM(m->sizes));
	if (n < 0) {
		rc = -eal_errno;
		say_error("cannot read the hugepage configuration: %s", eal_strerror(eal_errno));
		return rc;
	}
	m->n_sizes = (unsigned int)n;
	for (unsigned int i = 0; i < m->n_sizes; i++)
		if (m->sizes[i].is_default)
			m->default_size = m->sizes[i].page_size;
	rc = load_mounts(m);
	for (unsigned int i = 0; rc == 0 && i < m->n_mounts; i++)
		rc = scan_mount(&m->mounts[i]);
	if (rc == -ENOMEM)
		say_error("out of memory");
	if (rc < 0)
		machine_free(m);
	return rc;
}

/* ======================================================================
 * --show: the table
 * ====================================================================== */

/* A size counts as usable when it is mounted and has a page free that no
 * mapping has been promised (libeal's own rule is finer, per node). */
static bool
size_usable(const struct eal_hugepage_size *s)
{
	return s->mount[0] != '\0' && s->free_pages > s->resv_pages;
}

/* One line telling the user what to run when no size is usable; false
 * when something is usable. */
static bool
usable_hint(const struct machine *m, char *buf, size_t len)
{
	const struct eal_hugepage_size *unmounted = NULL, *busy = NULL;
	char sz[32], amount[32];

	for (unsigned int i = 0; i < m->n_sizes; i++) {
		const struct eal_hugepage_size *s = &m->sizes[i];

		if (size_usable(s))
			return false;
		if (s->total_pages == 0 && s->overcommit_pages == 0)
			continue;
		/* Prefer the default size in the advice. */
		if (s->mount[0] == '\0' && (unmounted == NULL || s->is_default))
			unmounted = s;
		else if (s->mount[0] != '\0' && (busy == NULL || s->is_default))
			busy = s;
	}
	if (m->n_sizes == 0) {
		snprintf(buf, len, "the kernel offers no hugepages (no hugetlbfs support, as in many containers): libeal programs will use 4 KiB pages");
	} else if (unmounted != NULL) {
		eal__format_size(sz, sizeof(sz), unmounted->page_size);
		if (unmounted->is_default)
			snprintf(buf, len, "%s pages are reserved but hugetlbfs is not mounted: run `" PROG " --mount` as root",
				 sz);
		else
			snprintf(buf, len, "%s pages are reserved but hugetlbfs is not mounted for them: run `" PROG " -p %s --mount " DEFAULT_MOUNT "-%s` as root",
				 sz, sz, sz);
	} else if (busy != NULL) {
		char opt[48] = "";

		eal__format_size(sz, sizeof(sz), busy->page_size);
		eal__format_size(amount, sizeof(amount),
			 mul_sat(busy->total_pages, busy->page_size) + HINT_RESERVE);
		if (!busy->is_default)
			snprintf(opt, sizeof(opt), " -p %s", sz);
		snprintf(buf, len, "all %" PRIu32 " reserved %s pages are in use: reserve more, e.g. `" PROG "%s --reserve %s` as root",
			 busy->total_pages, sz, opt, amount);
	} else {
		eal__format_size(amount, sizeof(amount), HINT_RESERVE);
		snprintf(buf, len, "no hugepages reserved: run `" PROG " --reserve %s --mount` as root",
			 amount);
	}
	return true;
}

static void
show_sizes(const struct machine *m)
{
	char sz[32], cell[48];
	bool nodes = false;
	unsigned int max_nodes = 0;

	if (m->n_sizes == 0) {
		printf("no hugepage sizes: %s/kernel/mm/hugepages does not exist\n",
		       eal__os_sysfs_root());
		return;
	}
	printf("%-6s %-7s %9s %9s %9s %9s  %s\n", "SIZE", "DEFAULT", "TOTAL", "FREE", "RESV",
	       "SURPLUS", "MOUNT");
	for (unsigned int i = 0; i < m->n_sizes; i++) {
		const struct eal_hugepage_size *s = &m->sizes[i];

		printf("%-6s %-7s %9" PRIu32 " %9" PRIu32 " %9" PRIu32 " %9" PRIu32 "  ",
		       eal__format_size(sz, sizeof(sz), s->page_size), s->is_default ? "yes" : "no",
		       s->total_pages, s->free_pages, s->resv_pages, s->surplus_pages);
		if (s->mount[0] != '\0')
			put_text(stdout, s->mount);
		else
			fputs("not mounted", stdout);
		fputc('\n', stdout);
		nodes = nodes || s->n_nodes > 0;
		if (s->n_nodes > max_nodes)
			max_nodes = s->n_nodes;
	}
	if (!nodes)
		return;
	printf("\nPer NUMA node (total/free pages):\n%-6s", "SIZE");
	for (unsigned int n = 0; n < max_nodes; n++) {
		snprintf(cell, sizeof(cell), "NODE%u", n);
		printf(" %-*s", n + 1 < max_nodes ? 13 : 0, cell);
	}
	fputc('\n', stdout);
	for (unsigned int i = 0; i < m->n_sizes; i++) {
		const struct eal_hugepage_size *s = &m->sizes[i];

		printf("%-6s", eal__format_size(sz, sizeof(sz), s->page_size));
		for (unsigned int n = 0; n < max_nodes; n++) {
			if (n < s->n_nodes)
				snprintf(cell, sizeof(cell), "%" PRIu32 "/%" PRIu32, s->node_total[n],
					 s->node_free[n]);
			else
				snprintf(cell, sizeof(cell), "-");
			printf(" %-*s", n + 1 < max_nodes ? 13 : 0, cell);
		}
		fputc('\n', stdout);
	}
}

/* "in use", "stale", or "2 in use, 1 stale" for a mix. */
static const char *
prefix_state(const struct prefix_files *pf, char *buf, size_t len)
{
	static const char *const names[] = {
		[PROBE_HELD] = "in use",
		[PROBE_STALE] = "stale (no live process)",
		[PROBE_UNKNOWN] = "unknown (cannot open: run as root)",
	};
	size_t off = 0;

	for (unsigned int k = 0; k < EAL_DIM(names); k++)
		if (pf->count[k] == pf->files)
			return names[k];
	buf[0] = '\0';
	for (unsigned int k = 0; k < EAL_DIM(names) && off < len; k++) {
		int n;

		if (pf->count[k] == 0)
			continue;
		n = snprintf(buf + off, len - off, "%s%u %.*s", off > 0 ? ", " : "", pf->count[k],
			     (int)strcspn(names[k], " ("), names[k]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

static void
show_files(const struct machine *m)
{
	char sz[32], bytes[32], state[96];

	printf("\nFiles in hugetlbfs:\n");
	if (m->n_mounts == 0)
		printf("  no hugetlbfs mounted\n");
	for (unsigned int i = 0; i < m->n_mounts; i++) {
		const struct mount_info *mi = &m->mounts[i];
		size_t w = strlen("PREFIX");

		fputs("  ", stdout);
		put_text(stdout, mi->path);
		if (mi->page_size != 0)
			printf(" (%s pages%s)", eal__format_size(sz, sizeof(sz), mi->page_size),
			       mi->read_only ? ", read-only" : "");
		else
			printf(" (default page size unknown%s)", mi->read_only ? ", read-only" : "");
		if (mi->scan_err != 0) {
			printf(": cannot list: %s\n", strerror(-mi->scan_err));
			continue;
		}
		if (mi->n_prefixes == 0) {
			if (mi->other_files > 0)
				printf(": no libeal files, %u other file(s)\n", mi->other_files);
			else
				printf(": no files\n");
			continue;
		}
		fputs(":\n", stdout);
		for (unsigned int k = 0; k < mi->n_prefixes; k++)
			if (text_width(mi->prefixes[k].name) > w)
				w = text_width(mi->prefixes[k].name);
		printf("    %-*s %7s %9s  %s\n", (int)w, "PREFIX", "FILES", "BYTES", "STATE");
		for (unsigned int k = 0; k < mi->n_prefixes; k++) {
			const struct prefix_files *pf = &mi->prefixes[k];

			fputs("    ", stdout);
			put_text_padded(stdout, pf->name, w);
			printf(" %7u %9s  %s", pf->files, eal__format_size(bytes, sizeof(bytes), pf->bytes),
			       prefix_state(pf, state, sizeof(state)));
			if (strcmp(pf->dir, mi->path) != 0) {
				fputs(" in ", stdout);
				put_text(stdout, pf->dir);
			}
			fputc('\n', stdout);
		}
		if (mi->other_files > 0)
			printf("    (and %u other file(s))\n", mi->other_files);
	}
}

static void
show_table(const struct machine *m)
{
	char hint[512];

	show_sizes(m);
	show_files(m);
	if (usable_hint(m, hint, sizeof(hint)))
		printf("\n%s\n", hint);
}

/* ======================================================================
 * --json
 * ====================================================================== */

static void
json_sizes(FILE *f, const struct machine *m)
{
	fputs("  \"sizes\": [", f);
	for (unsigned int i = 0; i < m->n_sizes; i++) {
		const struct eal_hugepage_size *s = &m->sizes[i];

		fprintf(f, "%s\n    {\"page_size\": %" PRIu64 ", \"default\": %s, \"total\": %" PRIu32
			", \"free\": %" PRIu32 ", \"reserved\": %" PRIu32 ", \"surplus\": %" PRIu32
			", \"overcommit\": %" PRIu32 ", \"usable\": %s, \"mount\": ",
			i > 0 ? "," : "", s->page_size, s->is_default ? "true" : "false",
			s->total_pages, s->free_pages, s->resv_pages, s->surplus_pages,
			s->overcommit_pages, size_usable(s) ? "true" : "false");
		if (s->mount[0] != '\0')
			put_json_str(f, s->mount);
		else
			fputs("null", f);
		fputs(", \"nodes\": [", f);
		for (unsigned int n = 0; n < s->n_nodes; n++)
			fprintf(f, "%s{\"node\": %u, \"total\": %" PRIu32 ", \"free\": %" PRIu32 "}",
				n > 0 ? ", " : "", n, s->node_total[n], s->node_free[n]);
		fputs("]}", f);
	}
	fputs(m->n_sizes > 0 ? "\n  ],\n" : "],\n", f);
}

static void
json_mounts(FILE *f, const struct machine *m)
{
	fputs("  \"mounts\": [", f);
	for (unsigned int i = 0; i < m->n_mounts; i++) {
		const struct mount_info *mi = &m->mounts[i];

		fprintf(f, "%s\n    {\"path\": ", i > 0 ? "," : "");
		put_json_str(f, mi->path);
		if (mi->page_size != 0)
			fprintf(f, ", \"page_size\": %" PRIu64, mi->page_size);
		else
			fputs(", \"page_size\": null", f);
		fprintf(f, ", \"read_only\": %s, \"error\": ", mi->read_only ? "true" : "false");
		if (mi->scan_err != 0)
			put_json_str(f, strerror(-mi->scan_err));
		else
			fputs("null", f);
		fprintf(f, ", \"other_files\": %u}", mi->other_files);
	}
	fputs(m->n_mounts > 0 ? "\n  ],\n" : "],\n", f);
}

static void
json_prefixes(FILE *f, const struct machine *m)
{
	bool first = true;

	fputs("  \"prefixes\": [", f);
	for (unsigned int i = 0; i < m->n_mounts; i++) {
		const struct mount_info *mi = &m->mounts[i];

		for (unsigned int k = 0; k < mi->n_prefixes; k++) {
			const struct prefix_files *pf = &mi->prefixes[k];

			fprintf(f, "%s\n    {\"prefix\": ", first ? "" : ",");
			put_json_str(f, pf->name);
			fputs(", \"mount\": ", f);
			put_json_str(f, mi->path);
			fputs(", \"dir\": ", f);
			put_json_str(f, pf->dir);
			fprintf(f, ", \"files\": %u, \"bytes\": %" PRIu64 ", \"in_use\": %u, \"stale\": %u, \"unknown\": %u}",
				pf->files, pf->bytes, pf->count[PROBE_HELD], pf->count[PROBE_STALE],
				pf->count[PROBE_UNKNOWN]);
			first = false;
		}
	}
	fputs(first ? "],\n" : "\n  ],\n", f);
}

static void
show_json(const struct machine *m)
{
	char hint[512];
	bool none = usable_hint(m, hint, sizeof(hint));

	printf("{\n  \"version\": \"%s\",\n", EAL_VERSION);
	if (m->default_size != 0)
		printf("  \"default_page_size\": %" PRIu64 ",\n", m->default_size);
	else
		printf("  \"default_page_size\": null,\n");
	json_sizes(stdout, m);
	json_mounts(stdout, m);
	json_prefixes(stdout, m);
	printf("  \"usable\": %s,\n  \"hint\": ", none ? "false" : "true");
	if (none)
		put_json_str(stdout, hint);
	else
		fputs("null", stdout);
	fputs("\n}\n", stdout);
}

/* ======================================================================
 * Actions: --reserve, --clear, --mount, --unmount
 * ====================================================================== */

struct opts {
	bool show, json, clear, dry_run, mount, unmount;
	const char *mount_dir;   /* NULL: DEFAULT_MOUNT */
	const char *unmount_dir; /* NULL: every hugetlbfs mount */
	const char *reserve_arg; /* as given, for messages; NULL: no --reserve */
	uint64_t reserve_bytes;
	int reserve_node;        /* -1: the whole machine */
	const char *pagesize_arg;
	uint64_t page_size;      /* 0: the default size */
};

static int
read_count(const char *path, uint64_t *ret)
{
	char buf[COUNT_FILE_MAX];
	size_t len;
	int rc;

	rc = eal__os_read_file(path, true, buf, sizeof(buf), &len);
	if (rc == 0)
		rc = eal__hugepage_parse_count(buf, len, ret);
	return rc;
}

/* Write "<value>\n" to a sysfs count file: the kernel acts in write(2),
 * so that is where it says no. */
static int
write_count(const char *path, uint64_t value)
{
	char buf[32];
	int fd, len, rc = 0;
	ssize_t n;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%" PRIu64 "\n", value);
	do
		n = write(fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -errno;
	else if (n != len)
		rc = -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

static const char *
write_hint(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EROFS:
		return "sysfs is read-only here (a container?): reserve hugepages on the host";
	case EINVAL:
		return "the kernel refused the value; 1G pages can often be reserved only at boot (hugepagesz=1G hugepages=N on the kernel command line)";
	case ENOMEM:
		return "not enough free memory: try a smaller amount, or reserve at boot (hugepages=N on the kernel command line)";
	case EBUSY:
		return "the kernel is busy with another change: try again";
	case ENOENT:
		return "this kernel does not offer that page size";
	default:
		return "check the kernel log (dmesg)";
	}
}

/*
 * Set one count file to @want pages and read back what the kernel made of
 * it. The kernel gives fewer pages when memory is short or fragmented,
 * and cannot take back pages that are in use: both are reported, and
 * both make the result 1.
 */
static int
set_pages(const struct machine *m, const char *path, const char *what, uint64_t page_size,
	  uint64_t want, bool dry_run)
{
	char sz[32], amount[32];
	uint64_t was = 0, got;
	int rc;

	eal__format_size(sz, sizeof(sz), page_size);
	eal__format_size(amount, sizeof(amount), mul_sat(want, page_size));
	rc = read_count(path, &was);
	if (rc < 0) {
		say_error("cannot read %s: %s", path, eal_strerror(-rc));
		return EXIT_FAIL;
	}
	if (dry_run) {
		say("would write %" PRIu64 " to %s (%s pages%s: %" PRIu64 " now, %s wanted)", want,
		    path, sz, what, was, amount);
		return EXIT_OK;
	}
	rc = write_count(path, want);
	if (rc < 0) {
		say_error("cannot set %s pages%s to %" PRIu64 ": writing %s: %s; %s", sz, what, want,
			  path, strerror(-rc), write_hint(-rc));
		return EXIT_FAIL;
	}
	rc = read_count(path, &got);
	if (rc < 0) {
		say_error("cannot read back %s: %s", path, eal_strerror(-rc));
		return EXIT_FAIL;
	}
	if (got < want) {
		eal__format_size(amount, sizeof(amount), mul_sat(got, page_size));
		say_error("WARNING: asked for %" PRIu64 " %s pages%s, the kernel gave %" PRIu64
			  " (%s): not enough free contiguous memory; free some memory, try a smaller size, or reserve at boot (hugepages=N on the kernel command line)",
			  want, sz, what, got, amount);
		return EXIT_FAIL;
	}
	if (got > want) {
		say_error("WARNING: %s pages%s: asked for %" PRIu64 ", %" PRIu64
			  " remain: pages in use are released only when the processes holding them exit or their files are removed",
			  sz, what, want, got);
		for (unsigned int i = 0; i < m->n_mounts; i++) {
			const struct mount_info *mi = &m->mounts[i];

			if (mi->page_size != page_size)
				continue;
			for (unsigned int k = 0; k < mi->n_prefixes; k++) {
				const struct prefix_files *pf = &mi->prefixes[k];

				if (pf->count[PROBE_HELD] > 0)
					say_error("  prefix '%s' in %s: %u file(s) held by a live process",
						  pf->name, pf->dir, pf->count[PROBE_HELD]);
				if (pf->count[PROBE_STALE] > 0)
					say_error("  prefix '%s' in %s: %u stale file(s): remove them (rm '%s/%smap_'*) and run --clear again",
						  pf->name, pf->dir, pf->count[PROBE_STALE],
						  pf->dir, pf->name);
			}
		}
		return EXIT_FAIL;
	}
	if (got == 0)
		say("%s pages%s: none reserved now, was %" PRIu64, sz, what, was);
	else
		say("%s pages%s: %" PRIu64 " reserved (%s), was %" PRIu64, sz, what, got, amount, was);
	return EXIT_OK;
}

static int
do_reserve(const struct machine *m, const struct opts *o)
{
	uint64_t pages = o->reserve_bytes / o->page_size;
	char path[PATH_MAX], what[32] = "", sz[32];
	const char *root = eal__os_sysfs_root();
	uint64_t kb = o->page_size >> 10;

	if (o->reserve_bytes % o->page_size != 0) {
		pages++;
		say("%s is not a multiple of %s: rounding up to %" PRIu64 " page(s)", o->reserve_arg,
		    eal__format_size(sz, sizeof(sz), o->page_size), pages);
	}
	if (o->reserve_node < 0) {
		snprintf(path, sizeof(path), "%s/kernel/mm/hugepages/hugepages-%" PRIu64
			 "kB/nr_hugepages", root, kb);
	} else {
		snprintf(path, sizeof(path), "%s/devices/system/node/node%d/hugepages/hugepages-%"
			 PRIu64 "kB/nr_hugepages", root, o->reserve_node, kb);
		snprintf(what, sizeof(what), " on node %d", o->reserve_node);
	}
	return set_pages(m, path, what, o->page_size, pages, o->dry_run);
}

/* Every size of <sysfs>/kernel/mm/hugepages to 0 pages, including sizes
 * beyond the EAL_MAX_HUGEPAGE_SIZES that --show lists. */
static int
do_clear(const struct machine *m, const struct opts *o)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 16];
	struct dirent *de;
	int status = EXIT_OK;
	unsigned int n = 0;
	uint64_t page_size;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/kernel/mm/hugepages", eal__os_sysfs_root());
	d = opendir(dir);
	if (d == NULL && errno == ENOENT) {
		say("the kernel offers no hugepages: nothing to clear");
		return EXIT_OK;
	}
	if (d == NULL) {
		say_error("cannot list %s: %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	while ((de = readdir(d)) != NULL) {
		if (eal__hugepage_parse_dirname(de->d_name, &page_size) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", dir, de->d_name);
		if (set_pages(m, path, "", page_size, 0, o->dry_run) != EXIT_OK)
			status = EXIT_FAIL;
		n++;
	}
	closedir(d);
	if (n == 0)
		say("the kernel offers no hugepages: nothing to clear");
	return status;
}

/* @dir as an absolute path without "." or ".." where it exists, for
 * comparing with the mount table (which the kernel writes canonical). */
static int
absolute_dir(const char *dir, char *buf, size_t size)
{
	char cwd[PATH_MAX];
	size_t n;

	if (eal__os_realpath(dir, buf, size) == 0)
		return 0;
	if (dir[0] == '/') {
		n = (size_t)snprintf(buf, size, "%s", dir);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -errno;
		n = (size_t)snprintf(buf, size, "%s/%s", cwd, dir);
	}
	if (n >= size)
		return -ENAMETOOLONG;
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return 0;
}

/* mkdir -p of an absolute path; *ret_created tells whether the last
 * component was made. */
static int
make_dirs(char *path, bool *ret_created)
{
	char *p = path;
	int rc = 0;

	*ret_created = false;
	do {
		char c;

		p += 1 + strcspn(p + 1, "/");
		c = *p;
		*p = '\0';
		if (mkdir(path, 0755) == 0)
			*ret_created = c == '\0';
		else if (errno != EEXIST)
			rc = -errno;
		*p = c;
	} while (rc == 0 && *p != '\0');
	return rc;
}

/* The mounts table is the one under EAL_PROCFS_ROOT, but mount(2) acts on
 * this machine: refuse to mix a fixture's table with real changes. */
static bool
procfs_redirected(const char *action)
{
	if (strcmp(eal__os_procfs_root(), "/proc") == 0)
		return false;
	say_error("%s acts on this machine's mounts, not on EAL_PROCFS_ROOT=%s: unset it or use --dry-run",
		  action, eal__os_procfs_root());
	return true;
}

static int
do_mount(const struct machine *m, const struct opts *o)
{
	char dir[PATH_MAX], sz[32], have[32], data[64];
	bool created = false;
	struct stat st;
	int rc;

	rc = absolute_dir(o->mount_dir != NULL ? o->mount_dir : DEFAULT_MOUNT, dir, sizeof(dir));
	if (rc < 0) {
		say_error("--mount %s: %s", o->mount_dir, strerror(-rc));
		return EXIT_FAIL;
	}
	eal__format_size(sz, sizeof(sz), o->page_size);
	for (unsigned int i = 0; i < m->n_mounts; i++) {
		const struct mount_info *mi = &m->mounts[i];

		if (strcmp(mi->path, dir) != 0)
			continue;
		if (mi->page_size == o->page_size) {
			say("%s is already a hugetlbfs mount for %s pages", dir, sz);
			return EXIT_OK;
		}
		say_error("%s is already a hugetlbfs mount for %s pages, not %s: unmount it first (--unmount %s) or choose another directory",
			  dir, eal__format_size(have, sizeof(have), mi->page_size), sz, dir);
		return EXIT_FAIL;
	}
	snprintf(data, sizeof(data), "pagesize=%s", sz);
	if (o->dry_run) {
		if (stat(dir, &st) < 0)
			say("would create directory %s", dir);
		say("would mount hugetlbfs at %s (%s)", dir, data);
		return EXIT_OK;
	}
	if (procfs_redirected("--mount"))
		return EXIT_FAIL;
	rc = make_dirs(dir, &created);
	if (rc < 0) {
		say_error("cannot create %s: %s", dir, strerror(-rc));
		return EXIT_FAIL;
	}
	if (mount("nodev", dir, "hugetlbfs", MS_NOSUID | MS_NODEV, data) < 0) {
		int err = errno;
		const char *hint;

		if (created)
			(void)rmdir(dir);
		switch (err) {
		case EPERM:
			hint = "mounting needs CAP_SYS_ADMIN; in a container, mount hugetlbfs on the host and bind-mount it in";
			break;
		case ENODEV:
			hint = "this kernel has no hugetlbfs (CONFIG_HUGETLBFS)";
			break;
		case EINVAL:
			hint = "the kernel does not offer this page size: see `" PROG " --show` for the sizes it has";
			break;
		case EBUSY:
			hint = "something is already mounted there";
			break;
		default:
			hint = "check the kernel log (dmesg)";
			break;
		}
		say_error("cannot mount hugetlbfs at %s (%s): %s; %s", dir, data, strerror(err), hint);
		return EXIT_FAIL;
	}
	say("mounted hugetlbfs at %s for %s pages", dir, sz);
	return EXIT_OK;
}

static int
unmount_one(const char *dir, bool dry_run)
{
	const char *hint;

	if (dry_run) {
		say("would unmount %s", dir);
		return EXIT_OK;
	}
	if (umount2(dir, 0) == 0) {
		say("unmounted %s", dir);
		return EXIT_OK;
	}
	switch (errno) {
	case EBUSY:
		hint = "a process still has files open or mapped there: stop it first (`" PROG "` lists the prefixes in use)";
		break;
	case EPERM:
		hint = "unmounting needs CAP_SYS_ADMIN";
		break;
	default:
		hint = "check the kernel log (dmesg)";
		break;
	}
	say_error("cannot unmount %s: %s; %s", dir, strerror(errno), hint);
	return EXIT_FAIL;
}

/* The given mount, or every hugetlbfs mount, last mounted first (a mount
 * may sit inside another). */
static int
do_unmount(const struct machine *m, const struct opts *o)
{
	char dir[PATH_MAX];
	int status = EXIT_OK, rc;
	bool found = false;

	if (!o->dry_run && procfs_redirected("--unmount"))
		return EXIT_FAIL;
	if (o->unmount_dir != NULL) {
		rc = absolute_dir(o->unmount_dir, dir, sizeof(dir));
		if (rc < 0) {
			say_error("--unmount %s: %s", o->unmount_dir, strerror(-rc));
			return EXIT_FAIL;
		}
	}
	for (unsigned int i = m->n_mounts; i-- > 0;) {
		if (o->unmount_dir != NULL && strcmp(m->mounts[i].path, dir) != 0)
			continue;
		found = true;
		if (unmount_one(m->mounts[i].path, o->dry_run) != EXIT_OK)
			status = EXIT_FAIL;
	}
	if (!found && o->unmount_dir != NULL) {
		say_error("--unmount %s: not a hugetlbfs mount", dir);
		return EXIT_FAIL;
	}
	if (!found)
		say("no hugetlbfs mounted");
	return status;
}

/* ======================================================================
 * Options
 * ====================================================================== */

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [--show | --json]\n"
		"       " PROG " [-p SIZE] [--clear] [--unmount [DIR]] [--reserve SIZE[:NODE]]\n"
		"                     [-n NODE] [--mount [DIR]] [--dry-run] [--show | --json]\n"
		"       " PROG " --setup SIZE [-p SIZE] [-n NODE] [-d DIR]\n"
		"\n"
		"Show the machine's hugepages and, as root, set them up for libeal programs.\n"
		"\n"
		"  -s, --show            a table of page sizes, counts per NUMA node, mounts and\n"
		"                        the libeal files in them (the default)\n"
		"      --json            the same as one JSON object\n"
		"  -p, --pagesize SIZE   page size for --reserve and --mount (default: the\n"
		"                        kernel's default size), e.g. 2M or 1G\n"
		"  -r, --reserve SIZE[:NODE]\n"
		"                        reserve SIZE of memory (e.g. 512M, 2G) in pages of the\n"
		"                        chosen size, on NUMA node NODE or spread by the kernel\n"
		"  -n, --node NODE       the NUMA node for --reserve (as SIZE:NODE)\n"
		"  -c, --clear           release every reserved hugepage that is not in use\n"
		"  -m, --mount [DIR]     mount hugetlbfs for the chosen size at DIR\n"
		"                        (default " DEFAULT_MOUNT "), creating DIR\n"
		"  -d, --directory DIR   the directory for --mount\n"
		"      --setup SIZE      --clear --unmount --reserve SIZE --mount in one go\n"
		"                        (dpdk-hugepages.py's spellings -n, -d, --setup work)\n"
		"  -u, --unmount [DIR]   unmount DIR, or every hugetlbfs mount\n"
		"      --dry-run         print what --reserve, --clear, --mount and --unmount\n"
		"                        would do, and do nothing\n"
		"  -h, --help            this text\n"
		"      --version         the libeal version\n"
		"\n"
		"Actions run in the order clear, unmount, reserve, mount. SIZE takes K, M,\n"
		"G or T (binary units); a plain number is bytes.\n"
		"Exit status: 0 done, 1 failed (or the kernel gave fewer pages than asked),\n"
		"2 usage error.\n"
		"Environment: EAL_SYSFS_ROOT and EAL_PROCFS_ROOT replace /sys and /proc.\n");
}

/* "SIZE" or "SIZE:NODE" of --reserve. */
static int
parse_reserve(const char *arg, struct opts *o)
{
	const char *colon = strrchr(arg, ':');
	char size[64];
	size_t n = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
	unsigned long node;
	char *end;

	if (n < sizeof(size)) {
		memcpy(size, arg, n);
		size[n] = '\0';
	}
	if (n >= sizeof(size) || parse_size(size, &o->reserve_bytes) < 0) {
		say_error("--reserve '%s': not a size (use e.g. 512M, 2G or 64M:1)", arg);
		return EXIT_USAGE;
	}
	o->reserve_node = -1;
	if (colon != NULL) {
		errno = 0;
		node = strtoul(colon + 1, &end, 10);
		if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno != 0 ||
		    node > NODE_ARG_MAX) {
			say_error("--reserve '%s': NODE must be a NUMA node number", arg);
			return EXIT_USAGE;
		}
		o->reserve_node = (int)node;
	}
	o->reserve_arg = arg;
	return CONTINUE;
}

/* --mount and --unmount take an optional DIR, given as --mount=DIR or as
 * the next word when that is not an option. */
static const char *
optional_dir(int argc, char **argv)
{
	if (optarg != NULL)
		return optarg;
	if (optind < argc && argv[optind][0] != '-')
		return argv[optind++];
	return NULL;
}

enum {
	OPT_JSON = 256,
	OPT_DRY_RUN,
	OPT_VERSION,
	OPT_SETUP,
};

/* -n NODE: the node of --reserve, given apart (dpdk-hugepages.py). */
static int
parse_node(const char *arg, int *ret_node)
{
	unsigned long node;
	char *end;

	errno = 0;
	node = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end != '\0' || errno != 0 || node > NODE_ARG_MAX) {
		say_error("--node '%s': not a NUMA node number", arg);
		return EXIT_USAGE;
	}
	*ret_node = (int)node;
	return CONTINUE;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "show", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "pagesize", required_argument, NULL, 'p' },
		{ "reserve", required_argument, NULL, 'r' },
		{ "clear", no_argument, NULL, 'c' },
		{ "mount", optional_argument, NULL, 'm' },
		{ "unmount", optional_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "node", required_argument, NULL, 'n' },
		{ "directory", required_argument, NULL, 'd' },
		{ "setup", required_argument, NULL, OPT_SETUP },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	const char *directory = NULL;
	int c, rc, node = -1;

	memset(o, 0, sizeof(*o));
	o->reserve_node = -1;
	opterr = 0;
	/* '+': stop at the first word that is not an option; ':': report a
	 * missing argument as ':' rather than '?'. */
	while ((c = getopt_long(argc, argv, "+:sp:r:cm::u::hn:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->show = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'p':
			if (parse_size(optarg, &o->page_size) < 0 || o->page_size == 0) {
				say_error("--pagesize '%s': not a page size (use e.g. 2M or 1G)", optarg);
				return EXIT_USAGE;
			}
			o->pagesize_arg = optarg;
			break;
		case 'r':
			rc = parse_reserve(optarg, o);
			if (rc != CONTINUE)
				return rc;
			break;
		case OPT_SETUP:
			/* dpdk-hugepages.py: clear, unmount, reserve, mount. */
			rc = parse_reserve(optarg, o);
			if (rc != CONTINUE)
				return rc;
			o->clear = o->unmount = o->mount = true;
			break;
		case 'n':
			rc = parse_node(optarg, &node);
			if (rc != CONTINUE)
				return rc;
			break;
		case 'd':
			directory = optarg;
			break;
		case 'c':
			o->clear = true;
			break;
		case 'm':
			o->mount = true;
			o->mount_dir = optional_dir(argc, argv);
			break;
		case 'u':
			o->unmount = true;
			o->unmount_dir = optional_dir(argc, argv);
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case OPT_VERSION:
			printf(PROG " (libeal) %s\n", EAL_VERSION);
			return EXIT_OK;
		case ':':
			say_error("option '%s' needs an argument (see --help)", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			/* For a long option, optopt is its value (or 0): name
			 * the word as given, e.g. "--show=x". */
			if (strncmp(argv[optind - 1], "--", 2) == 0)
				say_error("unknown option '%s' (see --help)", argv[optind - 1]);
			else
				say_error("unknown option '-%c' (see --help)", optopt);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		say_error("unexpected argument '%s' (see --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (node >= 0) {
		if (o->reserve_arg == NULL) {
			say_error("--node needs --reserve or --setup");
			return EXIT_USAGE;
		}
		if (o->reserve_node >= 0 && o->reserve_node != node) {
			say_error("--node %d and --reserve %s name two nodes", node, o->reserve_arg);
			return EXIT_USAGE;
		}
		o->reserve_node = node;
	}
	if (directory != NULL) {
		if (!o->mount) {
			say_error("--directory needs --mount or --setup");
			return EXIT_USAGE;
		}
		if (o->mount_dir != NULL && strcmp(o->mount_dir, directory) != 0) {
			say_error("--directory %s and --mount %s name two directories", directory,
				  o->mount_dir);
			return EXIT_USAGE;
		}
		o->mount_dir = directory;
	}
	return CONTINUE;
}

/* Checks that need the machine's sizes: the page size, the node. */
static int
check_args(const struct machine *m, struct opts *o)
{
	const struct eal_hugepage_size *s;
	char path[PATH_MAX], sz[32], list[128] = "";
	size_t off = 0;
	long phys, base;

	for (unsigned int i = 0; i < m->n_sizes && off < sizeof(list); i++) {
		int n = snprintf(list + off, sizeof(list) - off, "%s%s", i > 0 ? ", " : "",
				 eal__format_size(sz, sizeof(sz), m->sizes[i].page_size));

		if (n > 0)
			off += (size_t)n;
	}
	if (o->pagesize_arg != NULL && find_size(m, o->page_size) == NULL) {
		if (m->n_sizes == 0)
			say_error("--pagesize %s: the kernel offers no hugepages", o->pagesize_arg);
		else
			say_error("--pagesize %s: not a hugepage size of this machine (it has %s)",
				  o->pagesize_arg, list);
		return EXIT_USAGE;
	}
	if (o->reserve_arg == NULL && !o->mount)
		return CONTINUE;
	if (o->page_size == 0) {
		if (m->n_sizes == 0) {
			say_error("the kernel offers no hugepages (%s/kernel/mm/hugepages does not exist)",
				  eal__os_sysfs_root());
			return EXIT_FAIL;
		}
		if (m->default_size == 0) {
			say_error("cannot tell the default hugepage size (no Hugepagesize in %s/meminfo): give -p SIZE (one of %s)",
				  eal__os_procfs_root(), list);
			return EXIT_FAIL;
		}
		o->page_size = m->default_size;
	}
	if (o->reserve_arg == NULL)
		return CONTINUE;
	s = find_size(m, o->page_size);
	eal__format_size(sz, sizeof(sz), o->page_size);
	if (o->reserve_node >= 0) {
		snprintf(path, sizeof(path), "%s/devices/system/node/node%d/hugepages/hugepages-%"
			 PRIu64 "kB/nr_hugepages", eal__os_sysfs_root(), o->reserve_node,
			 o->page_size >> 10);
		if (access(path, F_OK) != 0) {
			if (s->n_nodes == 0)
				say_error("--reserve %s: no per-node hugepage data on this machine: reserve without :NODE",
					  o->reserve_arg);
			else
				say_error("--reserve %s: NUMA node %d has no %s hugepages (nodes 0-%u)",
					  o->reserve_arg, o->reserve_node, sz, s->n_nodes - 1);
			return EXIT_USAGE;
		}
	}
	/* Asking the kernel for more than the machine has makes it take
	 * every free page it can find, and the machine grinds to a halt. */
	phys = sysconf(_SC_PHYS_PAGES);
	base = sysconf(_SC_PAGESIZE);
	if (phys > 0 && base > 0 && o->reserve_bytes / (uint64_t)base > (uint64_t)phys) {
		say_error("--reserve %s: more than this machine's memory (%" PRIu64 "M)",
			  o->reserve_arg, mul_sat((uint64_t)phys, (uint64_t)base) >> 20);
		return EXIT_USAGE;
	}
	return CONTINUE;
}

/* Changing hugepages needs root. EAL_HUGEPAGES_ASSUME_ROOT=1 is a test
 * hook, honoured only while EAL_SYSFS_ROOT points at a fixture tree, so
 * that the tests can run --reserve and --clear on a copy of one. */
static int
check_root(const struct opts *o)
{
	const char *action = o->clear ? "--clear" : o->unmount ? "--unmount" :
			     o->reserve_arg != NULL ? "--reserve" : o->mount ? "--mount" : NULL;
	const char *hook = secure_getenv("EAL_HUGEPAGES_ASSUME_ROOT");
	const char *sysfs = secure_getenv("EAL_SYSFS_ROOT");

	if (action == NULL || o->dry_run || geteuid() == 0)
		return CONTINUE;
	if (hook != NULL && strcmp(hook, "1") == 0 && sysfs != NULL && sysfs[0] != '\0')
		return CONTINUE;
	say_error("%s needs root (run with sudo)", action);
	return EXIT_FAIL;
}

static int
run_actions(struct machine *m, const struct opts *o)
{
	int status = EXIT_OK;

	if (o->clear && do_clear(m, o) != EXIT_OK)
		status = EXIT_FAIL;
	if (o->unmount && do_unmount(m, o) != EXIT_OK)
		status = EXIT_FAIL;
	if (o->reserve_arg != NULL && do_reserve(m, o) != EXIT_OK)
		status = EXIT_FAIL;
	/* Mount even when the reservation fell short: the pages it got are
	 * usable, and the message above said what is missing. */
	if (o->mount && do_mount(m, o) != EXIT_OK)
		status = EXIT_FAIL;
	return status;
}

int
main(int argc, char **argv)
{
	bool act, show;
	struct machine m;
	struct opts o;
	int rc, status;

	msg_out = stdout;
	eal_log_set_handler(log_line, NULL);
	rc = parse_args(argc, argv, &o);
	if (rc != CONTINUE)
		return rc;
	act = o.clear || o.unmount || o.mount || o.reserve_arg != NULL;
	show = o.show || o.json || !act;
	if (o.json)
		msg_out = stderr;
	if (machine_load(&m) < 0)
		return EXIT_FAIL;
	rc = check_args(&m, &o);
	if (rc == CONTINUE)
		rc = check_root(&o);
	if (rc != CONTINUE) {
		machine_free(&m);
		return rc;
	}
	status = act ? run_actions(&m, &o) : EXIT_OK;
	if (show && act && !o.dry_run) {
		/* Show the machine as the actions left it. */
		machine_free(&m);
		if (machine_load(&m) < 0)
			return EXIT_FAIL;
		if (!o.json)
			fputc('\n', stdout);
	}
	if (show) {
		if (o.json)
			show_json(&m);
		else
			show_table(&m);
	}
	machine_free(&m);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		say_error("cannot write the output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return status;
}
