/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepage discovery: which page sizes the kernel offers, how many pages
 * of each are reserved and free (globally and per NUMA node), where
 * hugetlbfs is mounted for each, and how many pages this primary may use.
 *
 * Sources: <sysfs>/kernel/mm/hugepages/, <sysfs>/devices/system/node/,
 * <procfs>/meminfo and <procfs>/mounts, all through eal_os_sysfs.c so
 * that tests can point them at fixture trees. Every parser works on a
 * bounded buffer and is exposed for the fuzzer. The primary then locks
 * each chosen directory, removes its own prefix's stale backing files and
 * publishes the result as the "hugepage_info" record, which secondaries
 * read instead of probing. Writes nothing in the shared config; takes
 * flock(LOCK_EX) on the hugepage directories (released by
 * eal__hugepage_dirs_unlock()) and no other lock.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_HUGEINFO

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "eal_hugepage_info.h"
#include "eal_internal_cfg.h"
#include "eal_os.h"
#include "eal_private.h"

_Static_assert(EAL_HUGEPAGE_MOUNT_LEN >= PATH_MAX, "public mount field too small for a path");

/* sysfs lists at most this many size directories before we stop looking:
 * real kernels have 2 to 5. */
#define HPI_MAX_CANDIDATES 32
/* Bounds of the files we read. */
#define HPI_COUNT_FILE_MAX 64
#define HPI_MEMINFO_MAX (64u << 10)
#define HPI_MOUNTS_MAX (4u << 20)

static bool
is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* "2048 kB": the unit the kernel uses in sysfs names and meminfo. */
static const char *
size_str(char *buf, size_t size, uint64_t page_size)
{
	snprintf(buf, size, "%" PRIu64 " kB", page_size >> 10);
	return buf;
}

/* "2M", "1G", "64K": the value of a hugetlbfs pagesize= option. */
static const char *
pagesize_opt(char *buf, size_t size, uint64_t page_size)
{
	if (page_size % (UINT64_C(1) << 30) == 0)
		snprintf(buf, size, "%" PRIu64 "G", page_size >> 30);
	else if (page_size % (UINT64_C(1) << 20) == 0)
		snprintf(buf, size, "%" PRIu64 "M", page_size >> 20);
	else
		snprintf(buf, size, "%" PRIu64 "K", page_size >> 10);
	return buf;
}

/* Up to @size - 1 bytes of untrusted text for a log line, with anything
 * unprintable shown as '?'. */
static const char *
printable(char *buf, size_t size, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < size; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* ======================================================================
 * Parsers over memory
 * ====================================================================== */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Decimal digits at *pos (at least one) up to @end; *pos moves past them. */
static int
parse_decimal(const char **pos, const char *end, uint64_t *ret)
{
	const char *p = *pos;
	uint64_t v = 0;

	if (p == end || !is_digit(*p))
		return -EINVAL;
	for (; p < end && is_digit(*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*pos = p;
	*ret = v;
	return 0;
}

/* sysfs prints counts with "%lu\n": anything else (a sign, a leading blank,
 * hex, trailing text) means the tree is not what we think it is. */
int
eal__hugepage_parse_count(const char *buf, size_t len, uint64_t *ret_count)
{
	const char *p = buf, *end = buf + len;
	uint64_t v;
	int rc;

	rc = parse_decimal(&p, end, &v);
	if (rc < 0)
		return rc;
	/* sysfs ends its values with a newline; accept any white space. */
	for (; p < end; p++)
		if (!is_blank(*p) && *p != '\n')
			return -EINVAL;
	*ret_count = v;
	return 0;
}

/* The kernel names each size directory "hugepages-%lukB" (hugetlb.c,
 * hugetlb_sysfs_add_hstate). */
int
eal__hugepage_parse_dirname(const char *name, uint64_t *ret_size)
{
	static const char head[] = "hugepages-";
	const char *p = name, *end;
	uint64_t kb;
	int rc;

	if (strncmp(name, head, sizeof(head) - 1) != 0)
		return -EINVAL;
	p += sizeof(head) - 1;
	end = p + strlen(p);
	/* A leading zero would give two names for one size. */
	if (*p == '0')
		return -EINVAL;
	rc = parse_decimal(&p, end, &kb);
	if (rc < 0)
		return rc;
	if (strcmp(p, "kB") != 0)
		return -EINVAL;
	if (kb > UINT64_MAX >> 10)
		return -ERANGE;
	if (!is_pow2(kb))
		return -EINVAL;
	*ret_size = kb << 10;
	return 0;
}

/* The next line of [*pos, end) without its newline; false at the end. */
static bool
next_line(const char **pos, const char *end, const char **ret_line, size_t *ret_len)
{
	const char *p = *pos, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', (size_t)(end - p));
	*ret_line = p;
	*ret_len = (size_t)((nl != NULL ? nl : end) - p);
	*pos = nl != NULL ? nl + 1 : end;
	return true;
}

/* Only the first "Hugepagesize:" line counts; the key must start the line
 * (meminfo never indents). */
int
eal__hugepage_parse_meminfo(const char *buf, size_t len, uint64_t *ret_size)
{
	static const char key[] = "Hugepagesize:";
	const char *pos = buf, *end = buf + len, *line;
	size_t n;

	while (next_line(&pos, end, &line, &n)) {
		const char *p = line, *le = line + n;
		uint64_t kb;

		if (n < sizeof(key) - 1 || memcmp(line, key, sizeof(key) - 1) != 0)
			continue;
		p += sizeof(key) - 1;
		while (p < le && is_blank(*p))
			p++;
		if (parse_decimal(&p, le, &kb) < 0)
			return -EINVAL;
		while (p < le && is_blank(*p))
			p++;
		if (le - p < 2 || memcmp(p, "kB", 2) != 0)
			return -EINVAL;
		for (p += 2; p < le; p++)
			if (!is_blank(*p))
				return -EINVAL;
		if (kb > UINT64_MAX >> 10 || !is_pow2(kb))
			return -EINVAL;
		*ret_size = kb << 10;
		return 0;
	}
	return -ENOENT;
}

struct field {
	const char *p;
	size_t n;
};

/* Split a line at runs of blanks; returns the number of fields (those
 * beyond @max are counted, not stored). */
static unsigned int
split_fields(const char *p, size_t n, struct field *f, unsigned int max)
{
	unsigned int k = 0;
	size_t i = 0;

	while (i < n) {
		size_t start;

		while (i < n && is_blank(p[i]))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && !is_blank(p[i]))
			i++;
		if (k < max) {
			f[k].p = p + start;
			f[k].n = i - start;
		}
		k++;
	}
	return k;
}

static bool
field_is(const struct field *f, const char *s)
{
	size_t n = strlen(s);

	return f->n == n && memcmp(f->p, s, n) == 0;
}

static bool
is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/*
 * The kernel writes a space, tab, newline and backslash in a mount path
 * as \040, \011, \012 and \134 (fs/proc_namespace.c, mangle()). Decode
 * any three-digit octal escape; leave a backslash that starts none.
 */
static int
decode_path(const struct field *f, char *out, size_t size)
{
	size_t i = 0, o = 0;

	while (i < f->n) {
		char c = f->p[i];

		if (c == '\\' && f->n - i >= 4 && is_octal(f->p[i + 1]) && is_octal(f->p[i + 2]) &&
		    is_octal(f->p[i + 3])) {
			unsigned int v = (unsigned int)(f->p[i + 1] - '0') * 64 +
					 (unsigned int)(f->p[i + 2] - '0') * 8 +
					 (unsigned int)(f->p[i + 3] - '0');

			if (v == 0 || v > 255)
				return -EINVAL;
			c = (char)v;
			i += 4;
		} else {
			i++;
		}
		if (o + 1 >= size)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return out[0] == '/' ? 0 : -EINVAL;
}

/* "pagesize=2M": K/M/G suffixes (either case), none meaning bytes. */
static int
parse_pagesize(const char *p, size_t n, uint64_t *ret)
{
	char tmp[32];
	uint64_t v;

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (eal__parse_size(tmp, 1, &v) < 0 || !is_pow2(v) || v < 4096)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The comma-separated options field: only "ro" and "pagesize=" matter;
 * an option that merely starts with "ro" (e.g. "rootcontext=") is not
 * read-only. */
static int
parse_mount_options(const struct field *f, struct eal_hugepage_mount *m)
{
	static const char ps[] = "pagesize=";
	const char *p = f->p, *end = f->p + f->n;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma != NULL ? comma : end) - p);

		if (n == 2 && memcmp(p, "ro", 2) == 0) {
			m->read_only = true;
		} else if (n >= sizeof(ps) - 1 && memcmp(p, ps, sizeof(ps) - 1) == 0) {
			if (parse_pagesize(p + sizeof(ps) - 1, n - (sizeof(ps) - 1),
					   &m->page_size) < 0)
				return -EINVAL;
		}
		p = comma != NULL ? comma + 1 : end;
	}
	return 0;
}

/*
 * /proc/mounts lines: "<device> <mount point> <type> <options> <dump>
 * <pass>", blank-separated, with blanks inside fields escaped as octal.
 * Lines of other types are only counted (their fields are not checked
 * beyond there being four), so a strange fuse mount cannot stop us.
 */
int
eal__hugepage_parse_mounts(const char *buf, size_t len, eal__hugepage_mount_cb cb, void *arg,
			   unsigned int *ret_line)
{
	const char *pos = buf, *end = buf + len, *line;
	struct eal_hugepage_mount m;
	unsigned int lineno = 0;
	size_t n;

	while (next_line(&pos, end, &line, &n)) {
		struct field f[4];
		unsigned int nf;
		int rc;

		lineno++;
		nf = split_fields(line, n, f, EAL_DIM(f));
		if (nf == 0)
			continue;
		/* device, mount point, type, options[, dump, pass] */
		if (nf < 4)
			goto malformed;
		if (!field_is(&f[2], "hugetlbfs"))
			continue;
		memset(&m, 0, sizeof(m));
		if (decode_path(&f[1], m.path, sizeof(m.path)) < 0 ||
		    parse_mount_options(&f[3], &m) < 0)
			goto malformed;
		rc = cb(arg, &m);
		if (rc != 0)
			return rc;
	}
	return 0;

malformed:
	if (ret_line != NULL)
		*ret_line = lineno;
	return -EINVAL;
}

/* ======================================================================
 * Discovery
 * ====================================================================== */

static int EAL_FORMAT(3, 4)
root_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		EAL_LOG(ERR, "a path under %s or %s is too long; shorten EAL_SYSFS_ROOT or EAL_PROCFS_ROOT",
			eal__os_sysfs_root(), eal__os_procfs_root());
		return -EIO;
	}
	return 0;
}

/* A count file; a missing optional one reads as 0. Every failure is -EIO
 * with one ERR naming the file and showing what it holds. */
static int
read_count(const char *path, bool optional, uint64_t *ret)
{
	char buf[HPI_COUNT_FILE_MAX], show[40];
	size_t len;
	int rc;

	rc = eal__os_read_file(path, true, buf, sizeof(buf), &len);
	if (rc == -ENOENT && optional) {
		*ret = 0;
		return 0;
	}
	if (rc == -EFBIG) {
		EAL_LOG(ERR, "malformed %s: more than %zu bytes for one page count (is EAL_SYSFS_ROOT pointing at a real sysfs tree?)",
			path, sizeof(buf) - 1);
		return -EIO;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot read %s: %s (check that sysfs is mounted and readable)", path,
			eal_strerror(rc));
		return -EIO;
	}
	if (eal__hugepage_parse_count(buf, len, ret) < 0) {
		while (len > 0 && (buf[len - 1] == '\n' || is_blank(buf[len - 1])))
			len--;
		EAL_LOG(ERR, "malformed %s: '%s' is not a page count (is EAL_SYSFS_ROOT pointing at a real sysfs tree?)",
			path, printable(show, sizeof(show), buf, len));
		return -EIO;
	}
	return 0;
}

/* A size directory of sysfs, before the EAL_MAX_HUGEPAGE_SIZES cut. */
struct size_candidate {
	uint64_t page_size;
	uint64_t nr, free, resv, surplus, overcommit;
};

/* Everything <sysfs>/kernel/mm/hugepages lists, up to a bound that no
 * real kernel reaches (a forged tree may list thousands). */
struct size_scan {
	struct size_candidate c[HPI_MAX_CANDIDATES];
	unsigned int n;
	unsigned int dropped;
};

static int
size_scan_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	struct size_scan *s = arg;
	uint64_t size;

	if (type != EAL_OS_FT_DIR || eal__hugepage_parse_dirname(name, &size) < 0) {
		EAL_LOG(DEBUG, "ignoring %s in the hugepages directory", name);
		return 0;
	}
	if (s->n == EAL_DIM(s->c)) {
		s->dropped++;
		return 0;
	}
	s->c[s->n++].page_size = size;
	return 0;
}

/*
 * The five global counts of one size. Their meaning (kernel
 * Documentation/admin-guide/mm/hugetlbpage.rst): nr = the persistent pool;
 * free = pool pages nobody mapped; resv = free pages already promised to a
 * mapping that has not faulted them in yet (so not really available);
 * surplus = pages allocated beyond nr, up to nr_overcommit.
 */
static int
read_size_counts(struct size_candidate *c)
{
	static const char *const names[] = { "nr_hugepages", "free_hugepages", "resv_hugepages",
					     "surplus_hugepages", "nr_overcommit_hugepages" };
	uint64_t *dst[] = { &c->nr, &c->free, &c->resv, &c->surplus, &c->overcommit };
	char path[PATH_MAX];

	for (size_t i = 0; i < EAL_DIM(names); i++) {
		int rc = root_path(path, sizeof(path), "%s/kernel/mm/hugepages/hugepages-%" PRIu64
				   "kB/%s", eal__os_sysfs_root(), c->page_size >> 10, names[i]);

		/* nr and free are always there; the others are read as 0
		 * when a trimmed-down tree lacks them. */
		if (rc == 0)
			rc = read_count(path, i >= 2, dst[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Sizes with reserved pages first, then larger first: who stays when
 * there are more sizes than EAL_MAX_HUGEPAGE_SIZES. */
static int
cmp_keep(const void *a, const void *b)
{
	const struct size_candidate *x = a, *y = b;
	bool xr = x->nr > 0 || x->overcommit > 0, yr = y->nr > 0 || y->overcommit > 0;

	if (xr != yr)
		return xr ? -1 : 1;
	return x->page_size > y->page_size ? -1 : x->page_size < y->page_size;
}

static int
cmp_size_desc(const void *a, const void *b)
{
	const struct size_candidate *x = a, *y = b;

	return x->page_size > y->page_size ? -1 : x->page_size < y->page_size;
}

/*
 * Step 1: the sizes, with their global counts, at most
 * EAL_MAX_HUGEPAGE_SIZES of them, largest first. No hugepages directory is
 * a machine without hugepages (0 sizes), not an error: containers often
 * hide it, and the caller decides what no hugepages means.
 */
static int
discover_sizes(struct eal_hugepage_info *hi)
{
	struct size_scan *scan;
	char path[PATH_MAX], s[32];
	unsigned int keep;
	int rc;

	if (root_path(path, sizeof(path), "%s/kernel/mm/hugepages", eal__os_sysfs_root()) < 0)
		return -EIO;
	scan = calloc(1, sizeof(*scan));
	if (scan == NULL)
		return -ENOMEM;
	rc = eal__os_dir_foreach(AT_FDCWD, path, size_scan_cb, scan);
	if (rc == -ENOENT) {
		/* Containers and kernels without CONFIG_HUGETLBFS. */
		EAL_LOG(INFO, "no hugepage support: %s does not exist", path);
		free(scan);
		return 0;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot list %s: %s (check that sysfs is mounted and readable)", path,
			eal_strerror(rc));
		free(scan);
		return -EIO;
	}
	if (scan->dropped > 0)
		EAL_LOG(NOTICE, "%s lists more than %d page sizes; ignoring %u of them", path,
			HPI_MAX_CANDIDATES, scan->dropped);
	for (unsigned int i = 0; i < scan->n; i++) {
		rc = read_size_counts(&scan->c[i]);
		if (rc < 0) {
			free(scan);
			return rc;
		}
	}
	keep = scan->n;
	if (keep > EAL_MAX_HUGEPAGE_SIZES) {
		qsort(scan->c, scan->n, sizeof(scan->c[0]), cmp_keep);
		keep = EAL_MAX_HUGEPAGE_SIZES;
		for (unsigned int i = keep; i < scan->n; i++)
			EAL_LOG(NOTICE, "ignoring hugepage size %s: at most %d sizes are tracked (EAL_MAX_HUGEPAGE_SIZES)",
				size_str(s, sizeof(s), scan->c[i].page_size), EAL_MAX_HUGEPAGE_SIZES);
	}
	qsort(scan->c, keep, sizeof(scan->c[0]), cmp_size_desc);
	for (unsigned int i = 0; i < keep; i++) {
		struct eal_hugepage_size_info *sz = &hi->sizes[i];
		const struct size_candidate *c = &scan->c[i];

		sz->page_size = c->page_size;
		sz->nr_pages = c->nr;
		sz->free_pages = c->free;
		sz->resv_pages = c->resv;
		sz->surplus_pages = c->surplus;
		sz->overcommit_pages = c->overcommit;
	}
	hi->n_sizes = keep;
	free(scan);
	return 0;
}

/* The node<N> directories of <sysfs>/devices/system/node. */
struct node_scan {
	bool present[EAL_MAX_NUMA_NODES];
	unsigned int ignored;  /* nodes numbered EAL_MAX_NUMA_NODES or above */
};

static int
node_scan_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	struct node_scan *s = arg;
	const char *p = name + 4;
	uint64_t id;

	if (type != EAL_OS_FT_DIR || strncmp(name, "node", 4) != 0 ||
	    parse_decimal(&p, name + strlen(name), &id) < 0 || *p != '\0')
		return 0;
	if (id >= EAL_MAX_NUMA_NODES)
		s->ignored++;
	else
		s->present[id] = true;
	return 0;
}

/* One per-node count of one size; -ENOENT (quietly) when the node has no
 * directory for that size, else as read_count(). */
static int
read_node_count(unsigned int node, uint64_t kb, const char *name, uint64_t *ret_count)
{
	char path[PATH_MAX];

	if (root_path(path, sizeof(path),
		      "%s/devices/system/node/node%u/hugepages/hugepages-%" PRIu64 "kB/%s",
		      eal__os_sysfs_root(), node, kb, name) < 0)
		return -EIO;
	if (!eal__os_exists(path))
		return -ENOENT;
	return read_count(path, false, ret_count);
}

/*
 * Per-node counts of every size found. The kernel splits each size's
 * reserved pages between nodes (round robin at boot, or as written per
 * node); dynamic memory mode takes pages per node, so it needs these.
 * Called again after stale files went, hence the reset of every field.
 */
static int
discover_nodes(struct eal_hugepage_info *hi)
{
	struct node_scan scan;
	char path[PATH_MAX];
	int rc;

	memset(&scan, 0, sizeof(scan));
	if (root_path(path, sizeof(path), "%s/devices/system/node", eal__os_sysfs_root()) < 0)
		return -EIO;
	rc = eal__os_dir_foreach(AT_FDCWD, path, node_scan_cb, &scan);
	if (rc == -ENOENT) {
		/* No NUMA support in the kernel: global counts only. */
		EAL_LOG(DEBUG, "%s does not exist: no per-node hugepage counts", path);
		return 0;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot list %s: %s (check that sysfs is mounted and readable)", path,
			eal_strerror(rc));
		return -EIO;
	}
	if (scan.ignored > 0)
		EAL_LOG(NOTICE, "ignoring %u NUMA node(s) numbered %d or above (meson option max_numa_nodes)",
			scan.ignored, EAL_MAX_NUMA_NODES);

	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		struct eal_hugepage_size_info *sz = &hi->sizes[i];

		sz->n_nodes = 0;
		for (unsigned int n = 0; n < EAL_MAX_NUMA_NODES; n++) {
			uint64_t kb = sz->page_size >> 10;

			sz->node_nr_pages[n] = 0;
			sz->node_free_pages[n] = 0;
			if (!scan.present[n])
				continue;
			/* A node without memory has no hugepages directory:
			 * no data for it, not an error. */
			rc = read_node_count(n, kb, "nr_hugepages", &sz->node_nr_pages[n]);
			if (rc == -ENOENT)
				continue;
			if (rc == 0)
				rc = read_node_count(n, kb, "free_hugepages", &sz->node_free_pages[n]);
			if (rc < 0)
				return rc;
			sz->n_nodes = n + 1;
		}
	}
	return 0;
}

/*
 * Hugepagesize from meminfo: the size that a hugetlbfs mount without
 * pagesize= serves (recent kernels show pagesize= on every hugetlbfs
 * mount, older ones and hand-written tables may not). None (0) is
 * allowed, with a NOTICE: only such mounts are affected.
 */
static int
discover_default_size(struct eal_hugepage_info *hi)
{
	char path[PATH_MAX], *buf;
	size_t len;
	int rc;

	hi->default_size = 0;
	if (root_path(path, sizeof(path), "%s/meminfo", eal__os_procfs_root()) < 0)
		return -EIO;
	rc = eal__os_read_file_alloc(path, true, HPI_MEMINFO_MAX, &buf, &len);
	if (rc < 0) {
		if (hi->n_sizes > 0)
			EAL_LOG(NOTICE, "cannot read %s (%s): no default hugepage size, so hugetlbfs mounts without pagesize= are ignored",
				path, eal_strerror(rc));
		return 0;
	}
	rc = eal__hugepage_parse_meminfo(buf, len, &hi->default_size);
	free(buf);
	if (rc == -ENOENT) {
		if (hi->n_sizes > 0)
			EAL_LOG(NOTICE, "%s has no Hugepagesize line: no default hugepage size, so hugetlbfs mounts without pagesize= are ignored",
				path);
		return 0;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "malformed Hugepagesize line in %s (is EAL_PROCFS_ROOT pointing at a real procfs tree?)",
			path);
		return -EIO;
	}
	return 0;
}

/* Index of @page_size in hi->sizes, or -1. */
static int
size_index(const struct eal_hugepage_info *hi, uint64_t page_size)
{
	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].page_size == page_size)
			return (int)i;
	return -1;
}

/* Whether @dir is @mount or lies under it. */
static bool
path_is_under(const char *dir, const char *mount)
{
	size_t n = strlen(mount);

	if (n == 1 && mount[0] == '/')
		return dir[0] == '/';
	return strncmp(dir, mount, n) == 0 && (dir[n] == '\0' || dir[n] == '/');
}

struct mount_scan {
	struct eal_hugepage_info *hi;
	const char *huge_dir;      /* norm, or NULL */
	char norm[PATH_MAX];       /* --huge-dir, normalised */
	/* --huge-dir: the deepest mount holding it */
	size_t best_len;
	uint64_t best_size;
	bool best_ro;
	char best_mount[PATH_MAX];
};

/*
 * One hugetlbfs mount, in mount-table order. Without --huge-dir: the first
 * writable mount of each known size is taken. With it: only remember the
 * deepest mount holding the directory; the choice is made after the scan.
 */
/* Whether the mount table is this machine's, not a fixture tree's
 * (EAL_PROCFS_ROOT): only then do its paths name our directories. */
static bool
mounts_are_real(void)
{
	return strcmp(eal__os_procfs_root(), "/proc") == 0;
}

static int
mount_scan_cb(void *arg, const struct eal_hugepage_mount *m)
{
	struct mount_scan *s = arg;
	struct eal_hugepage_info *hi = s->hi;
	uint64_t size = m->page_size != 0 ? m->page_size : hi->default_size;
	int i;

	if (s->huge_dir != NULL) {
		size_t n = strlen(m->path);

		/* Longest mount prefix wins; on a tie the later line is
		 * the mount on top, the one the path really reaches. */
		if (path_is_under(s->huge_dir, m->path) && n >= s->best_len) {
			s->best_len = n;
			s->best_size = size;
			s->best_ro = m->read_only;
			memcpy(s->best_mount, m->path, n + 1);
		}
		return 0;
	}
	if (m->read_only) {
		EAL_LOG(NOTICE, "skipping read-only hugetlbfs mount %s", m->path);
		return 0;
	}
	/* A mount this user cannot create files in (root's /dev/hugepages
	 * for a normal user) would make every page allocation fail: skip
	 * it, so that the fallback to 4 KiB pages applies and says why. */
	if (mounts_are_real() && eal__os_dir_writable(m->path) == -EACCES) {
		EAL_LOG(NOTICE, "skipping hugetlbfs mount %s: this user (uid %u) cannot create files in it",
			m->path, (unsigned int)geteuid());
		if (hi->unwritable_mount[0] == '\0')
			snprintf(hi->unwritable_mount, sizeof(hi->unwritable_mount), "%s", m->path);
		return 0;
	}
	if (size == 0) {
		EAL_LOG(NOTICE, "ignoring hugetlbfs mount %s: it has no pagesize= option and the default hugepage size is unknown",
			m->path);
		return 0;
	}
	i = size_index(hi, size);
	if (i < 0) {
		EAL_LOG(DEBUG, "ignoring hugetlbfs mount %s: page size %" PRIu64 " not offered",
			m->path, size);
		return 0;
	}
	if (hi->sizes[i].mounted) {
		EAL_LOG(DEBUG, "ignoring hugetlbfs mount %s: using %s for that size", m->path,
			hi->sizes[i].dir);
		return 0;
	}
	memcpy(hi->sizes[i].dir, m->path, strlen(m->path) + 1);
	hi->sizes[i].mounted = true;
	return 0;
}

/*
 * An absolute form of --huge-dir to compare with mount points: the real
 * path when it exists (symlinks, "..", a trailing slash), else the same
 * steps done on the text, so that a directory still to be created (and a
 * fixture tree's invented paths) can be checked too.
 */
static int
normalize_dir(const char *in, char *out, size_t size)
{
	size_t o = 0;
	const char *p = in;

	if (eal__os_realpath(in, out, size) == 0)
		return 0;
	if (in[0] != '/')
		return -EINVAL;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash != NULL ? (size_t)(slash - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o + 1 + n + 1 > size)
				return -ENAMETOOLONG;
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return 0;
}

/*
 * Steps 4 and 5: a directory for each size, from the mount table, or the
 * --huge-dir one for its size alone. An unreadable mount table is "no
 * mounts" (NOTICE); a malformed one is -EIO; an unusable --huge-dir is
 * -EINVAL. Each failure logs one ERR line.
 */
static int
discover_mounts(struct eal_hugepage_info *hi, const char *huge_dir)
{
	struct mount_scan *s;
	char path[PATH_MAX], *buf = NULL, sz[32];
	unsigned int line = 0;
	size_t len = 0;
	int rc, i;

	if (root_path(path, sizeof(path), "%s/mounts", eal__os_procfs_root()) < 0)
		return -EIO;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->hi = hi;
	if (huge_dir != NULL) {
		if (normalize_dir(huge_dir, s->norm, sizeof(s->norm)) < 0) {
			EAL_LOG(ERR, "--huge-dir %s: not an existing directory nor an absolute path; give the absolute path of a hugetlbfs mount or of a directory under one",
				huge_dir);
			rc = -EINVAL;
			goto out;
		}
		s->huge_dir = s->norm;
	}

	rc = eal__os_read_file_alloc(path, true, HPI_MOUNTS_MAX, &buf, &len);
	if (rc == -EFBIG) {
		EAL_LOG(ERR, "%s is larger than %u bytes: too many mounts to scan", path,
			HPI_MOUNTS_MAX);
		rc = -EIO;
		goto out;
	}
	if (rc < 0) {
		/* Without a mount table no size has a mount; the per-size
		 * notices below say what that means. */
		EAL_LOG(NOTICE, "cannot read %s (%s): assuming no hugetlbfs is mounted", path,
			eal_strerror(rc));
		buf = NULL;
		len = 0;
	}
	rc = eal__hugepage_parse_mounts(buf != NULL ? buf : "", len, mount_scan_cb, s, &line);
	if (rc < 0) {
		EAL_LOG(ERR, "malformed line %u in %s (is EAL_PROCFS_ROOT pointing at a real procfs tree?)",
			line, path);
		rc = -EIO;
		goto out;
	}

	if (s->huge_dir != NULL) {
		if (s->best_len == 0) {
			EAL_LOG(ERR, "--huge-dir %s is not a hugetlbfs mount point nor a directory under one (see %s); mount one with: mount -t hugetlbfs nodev <dir>",
				s->huge_dir, path);
			rc = -EINVAL;
			goto out;
		}
		if (s->best_ro) {
			EAL_LOG(ERR, "--huge-dir %s is on the read-only hugetlbfs mount %s; remount it read-write or choose another directory",
				s->huge_dir, s->best_mount);
			rc = -EINVAL;
			goto out;
		}
		if (mounts_are_real() && eal__os_dir_writable(s->huge_dir) == -EACCES) {
			EAL_LOG(ERR, "--huge-dir %s: this user (uid %u) cannot create files in it; give the user write access (e.g. mount -t hugetlbfs -o uid=<uid> nodev <dir>) or run as the owner",
				s->huge_dir, (unsigned int)geteuid());
			rc = -EACCES;
			goto out;
		}
		i = s->best_size != 0 ? size_index(hi, s->best_size) : -1;
		if (i < 0) {
			if (s->best_size != 0)
				EAL_LOG(ERR, "--huge-dir %s is on hugetlbfs mount %s of page size %s, which the kernel does not list in %s/kernel/mm/hugepages",
					s->huge_dir, s->best_mount, size_str(sz, sizeof(sz), s->best_size),
					eal__os_sysfs_root());
			else
				EAL_LOG(ERR, "--huge-dir %s is on hugetlbfs mount %s, which has no pagesize= option while the default hugepage size is unknown; remount it with -o pagesize=<size>",
					s->huge_dir, s->best_mount);
			rc = -EINVAL;
			goto out;
		}
		memcpy(hi->sizes[i].dir, s->huge_dir, strlen(s->huge_dir) + 1);
		hi->sizes[i].mounted = true;
	}
	rc = 0;
out:
	free(buf);
	free(s);
	return rc;
}

/* Counts come from files: sums saturate instead of wrapping. */
static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Page counts are 32-bit in the record's num_pages and the public API. */
static uint32_t
clamp_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * DPDK's rule (eal_hugepage_info.c, calc_num_pages). In dynamic mode pages
 * are taken per node, so each node's free count is what it can give.
 * Otherwise, or when no node reports any, count globally on node 0: free
 * pages not promised to existing mappings (resv), plus the surplus pages
 * the kernel may still create (overcommit - surplus), plus stale files
 * kept for reuse.
 */
static void
count_usable(struct eal_hugepage_size_info *s, bool in_memory, bool legacy_mem,
	     uint64_t reusable)
{
	uint64_t global;

	memset(s->num_pages, 0, sizeof(s->num_pages));
	if (!s->mounted && !in_memory)
		return;
	if (!legacy_mem && reusable == 0) {
		uint64_t total = 0;

		for (unsigned int n = 0; n < s->n_nodes && n < EAL_MAX_NUMA_NODES; n++) {
			s->num_pages[n] = clamp_u32(s->node_free_pages[n]);
			total += s->num_pages[n];
		}
		if (total > 0)
			return;
	}
	global = s->free_pages > s->resv_pages ? s->free_pages - s->resv_pages : 0;
	if (s->overcommit_pages > s->surplus_pages)
		global = add_sat(global, s->overcommit_pages - s->surplus_pages);
	global = add_sat(global, reusable);
	s->num_pages[0] = clamp_u32(global);
}

/*
 * Say why reserved pages will not be used: the commonest set-up mistake is
 * reserving pages and forgetting the mount (or mounting another size).
 * NOTICE only when it is likely a mistake; INFO when the user chose it.
 */
static void
notice_unmounted(const struct eal_hugepage_info *hi, const char *huge_dir, bool in_memory)
{
	char sz[32], opt[32];

	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		const struct eal_hugepage_size_info *s = &hi->sizes[i];

		if (s->mounted || s->nr_pages == 0)
			continue;
		size_str(sz, sizeof(sz), s->page_size);
		if (huge_dir != NULL)
			EAL_LOG(INFO, "%" PRIu64 " hugepages of size %s not used: --huge-dir %s selects another size",
				s->nr_pages, sz, huge_dir);
		else if (in_memory)
			EAL_LOG(INFO, "%" PRIu64 " hugepages of size %s reserved without a hugetlbfs mount: used through memfd (--in-memory)",
				s->nr_pages, sz);
		else
			EAL_LOG(NOTICE, "%" PRIu64 " hugepages of size %s reserved, but no mounted hugetlbfs found for that size; mount one with: mount -t hugetlbfs -o pagesize=%s nodev <dir>",
				s->nr_pages, sz, pagesize_opt(opt, sizeof(opt), s->page_size));
	}
}

/* An empty result: zero everywhere (no stack bytes reach the record),
 * every lock_fd -1. */
static void
reset_info(struct eal_hugepage_info *hi)
{
	memset(hi, 0, sizeof(*hi));
	for (unsigned int i = 0; i < EAL_MAX_HUGEPAGE_SIZES; i++)
		hi->sizes[i].lock_fd = -1;
}

/* Discovery into @hi, which the caller owns and discards on failure.
 * Steps 1 to 6 of docs/hugepages.md, section 2. */
static int
discover_into(struct eal_hugepage_info *hi, const char *huge_dir, bool in_memory,
	      bool legacy_mem)
{
	int rc;

	reset_info(hi);
	rc = discover_sizes(hi);
	if (rc == 0)
		rc = discover_nodes(hi);
	if (rc == 0)
		rc = discover_default_size(hi);
	if (rc == 0)
		rc = discover_mounts(hi, huge_dir);
	if (rc < 0)
		return rc;
	notice_unmounted(hi, huge_dir, in_memory);
	for (unsigned int i = 0; i < hi->n_sizes; i++)
		count_usable(&hi->sizes[i], in_memory, legacy_mem, 0);
	return 0;
}

/* On the heap: the struct holds a PATH_MAX directory per size, and
 * discovery may run on small thread stacks (public query). */
int
eal__hugepage_info_discover(struct eal_hugepage_info *hi, const char *huge_dir, bool in_memory,
			    bool legacy_mem)
{
	struct eal_hugepage_info *tmp = malloc(sizeof(*tmp));
	int rc;

	if (tmp == NULL)
		return -ENOMEM;
	rc = discover_into(tmp, huge_dir, in_memory, legacy_mem);
	if (rc == 0)
		memcpy(hi, tmp, sizeof(*hi));
	free(tmp);
	return rc;
}

/* ======================================================================
 * Backing file names
 * ====================================================================== */

/* DPDK's names (eal_filesystem.h), so that tools which know DPDK's
 * layout read ours; list < 0 is the legacy one-list form. */
int
eal__hugepage_file_path(char *buf, size_t size, const char *dir, const char *prefix, int list,
			unsigned int idx)
{
	int n;

	if (list < 0)
		n = snprintf(buf, size, "%s/%smap_%u", dir, prefix, idx);
	else
		n = snprintf(buf, size, "%s/%smap_%d_%u", dir, prefix, list, idx);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* One or more digits at *p; *p moves past them. */
static bool
skip_digits(const char **p)
{
	const char *s = *p;

	while (is_digit(**p))
		(*p)++;
	return *p != s;
}

/*
 * The tail after the prefix must be exactly "map_" digits ["_" digits].
 * That is enough to tell prefixes apart: a file of another prefix P + X
 * is named P + X + "map_...", so its tail after P starts with X followed
 * by the letters of "map_", which can never be all digits and
 * underscores after our own "map_".
 */
bool
eal__hugepage_file_is_ours(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;

	if (n == 0 || strncmp(name, prefix, n) != 0)
		return false;
	p = name + n;
	if (strncmp(p, "map_", 4) != 0)
		return false;
	p += 4;
	if (!skip_digits(&p))
		return false;
	if (*p == '_') {
		p++;
		if (!skip_digits(&p))
			return false;
	}
	return *p == '\0';
}

/* ======================================================================
 * The primary's sequence: lock, clean, count, publish
 * ====================================================================== */

/* Step 7: open the size's directory and hold flock(LOCK_EX) on it in
 * s->lock_fd. One ERR line on failure. */
static int
lock_dir(struct eal_hugepage_size_info *s)
{
	char sz[32];
	int fd, rc;

	rc = eal__os_open(s->dir, O_RDONLY | O_DIRECTORY, 0, &fd);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot open hugepage directory %s (%s pages): %s; check that it exists and that this user may use it",
			s->dir, size_str(sz, sizeof(sz), s->page_size), eal_strerror(rc));
		return rc;
	}
	/* Another primary (of any prefix) holds the lock while it counts
	 * and takes free pages: wait for it, or both would count the same
	 * pages as theirs. */
	rc = eal__os_flock(fd, LOCK_EX | LOCK_NB);
	if (rc == -EWOULDBLOCK) {
		EAL_LOG(NOTICE, "waiting for hugepage directory %s: another process is initialising its memory there",
			s->dir);
		rc = eal__os_flock(fd, LOCK_EX);
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot lock hugepage directory %s: %s", s->dir, eal_strerror(rc));
		(void)eal__os_close(fd);
		return rc;
	}
	s->lock_fd = fd;
	return 0;
}

struct clear_ctx {
	const struct eal_hugepage_size_info *s;
	const char *prefix;
	bool keep;            /* --huge-unlink=never: count, do not remove */
	unsigned int removed, in_use, failed;
	uint64_t reusable;    /* pages in kept stale files */
};

/*
 * A file of our prefix that nobody holds is stale: every process that maps
 * a backing file keeps a flock on it for as long as it does, and the
 * kernel drops that lock when the process dies. So LOCK_EX | LOCK_NB
 * succeeds exactly on the files no live process uses. Other prefixes'
 * files are never looked at: they belong to other applications.
 */
static int
clear_cb(void *arg, const char *name, enum eal_os_ftype type)
{
	struct clear_ctx *c = arg;
	uint64_t bytes;
	int fd, rc;

	if (type != EAL_OS_FT_REG || !eal__hugepage_file_is_ours(name, c->prefix))
		return 0;
	/* O_NONBLOCK: never hang on a FIFO planted under our name. */
	rc = eal__os_openat(c->s->lock_fd, name, O_RDONLY | O_NONBLOCK, 0, &fd);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		EAL_LOG(WARNING, "cannot open stale hugepage file %s/%s: %s, ignoring", c->s->dir,
			name, eal_strerror(rc));
		c->failed++;
		return 0;
	}
	rc = eal__os_flock(fd, LOCK_EX | LOCK_NB);
	if (rc == -EWOULDBLOCK) {
		EAL_LOG(DEBUG, "%s/%s is in use by a live process: kept", c->s->dir, name);
		c->in_use++;
	} else if (rc < 0) {
		EAL_LOG(WARNING, "cannot lock hugepage file %s/%s: %s, ignoring", c->s->dir, name,
			eal_strerror(rc));
		c->failed++;
	} else if (c->keep) {
		if (eal__os_fsize(fd, &bytes) == 0)
			c->reusable += bytes / c->s->page_size;
	} else {
		/* Unlink while holding the lock, so that the check and the
		 * removal concern the same unused file. */
		rc = eal__os_unlinkat(c->s->lock_fd, name);
		if (rc < 0 && rc != -ENOENT) {
			EAL_LOG(WARNING, "cannot remove stale hugepage file %s/%s: %s, ignoring",
				c->s->dir, name, eal_strerror(rc));
			c->failed++;
		} else if (rc == 0) {
			c->removed++;
		}
	}
	(void)eal__os_close(fd);
	return 0;
}

/* Step 8 for one directory, listed through the locked fd so that the
 * directory cannot be swapped under us. Files that cannot be removed are
 * WARNINGs: they only cost pages. */
static int
clear_dir(const struct eal_hugepage_size_info *s, const char *prefix, bool keep,
	  uint64_t *ret_reusable)
{
	struct clear_ctx c = { .s = s, .prefix = prefix, .keep = keep };
	int rc;

	rc = eal__os_dir_foreach(s->lock_fd, ".", clear_cb, &c);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot list hugepage directory %s: %s", s->dir, eal_strerror(rc));
		return rc;
	}
	if (c.removed > 0 || c.in_use > 0)
		EAL_LOG(INFO, "%s: removed %u stale file(s) of prefix '%s', left %u in use by live processes",
			s->dir, c.removed, prefix, c.in_use);
	if (keep && c.reusable > 0)
		EAL_LOG(INFO, "%s: %" PRIu64 " page(s) in stale files of prefix '%s' kept for reuse (--huge-unlink=never)",
			s->dir, c.reusable, prefix);
	*ret_reusable = c.reusable;
	return 0;
}

int
eal__hugepage_dir_sweep(const char *dir, const char *prefix)
{
	struct eal_hugepage_size_info *s = calloc(1, sizeof(*s));
	struct clear_ctx c = { .s = s, .prefix = prefix };
	int rc;

	if (s == NULL)
		return -ENOMEM;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	rc = eal__os_open(dir, O_RDONLY | O_DIRECTORY, 0, &s->lock_fd);
	if (rc == 0) {
		rc = eal__os_dir_foreach(s->lock_fd, ".", clear_cb, &c);
		eal__os_close(s->lock_fd);
	}
	if (rc == 0 && c.removed > 0)
		EAL_LOG(DEBUG, "%s: removed %u file(s) of prefix '%s'", dir, c.removed, prefix);
	free(s);
	return rc;
}

/* After the stale files went, the free counts went up: read them again. */
static int
refresh_counts(struct eal_hugepage_info *hi)
{
	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		struct size_candidate c = { .page_size = hi->sizes[i].page_size };
		int rc = read_size_counts(&c);

		if (rc < 0)
			return rc;
		hi->sizes[i].nr_pages = c.nr;
		hi->sizes[i].free_pages = c.free;
		hi->sizes[i].resv_pages = c.resv;
		hi->sizes[i].surplus_pages = c.surplus;
		hi->sizes[i].overcommit_pages = c.overcommit;
	}
	return discover_nodes(hi);
}

/* Order matters: lock before removing stale files (the lock is what keeps
 * another primary from counting pages while we free them), and count only
 * after removing them. */
int
eal__hugepage_info_init(struct eal_hugepage_info *hi, const struct eal_internal_config *cfg)
{
	const char *prefix = cfg->p.file_prefix != NULL ? cfg->p.file_prefix : EAL_DEFAULT_PREFIX;
	bool keep = cfg->p.huge_unlink == EAL_HUGE_UNLINK_NEVER;
	uint64_t reusable[EAL_MAX_HUGEPAGE_SIZES] = { 0 };
	struct eal_hugepage_info *tmp;
	char path[PATH_MAX];
	int rc;

	tmp = malloc(sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	rc = discover_into(tmp, cfg->p.huge_dir, cfg->p.in_memory, cfg->p.legacy_mem);
	if (rc < 0)
		goto fail;
	for (unsigned int i = 0; i < tmp->n_sizes; i++) {
		if (!tmp->sizes[i].mounted)
			continue;
		rc = lock_dir(&tmp->sizes[i]);
		if (rc == 0)
			rc = clear_dir(&tmp->sizes[i], prefix, keep, &reusable[i]);
		if (rc < 0)
			goto unlock;
	}
	rc = refresh_counts(tmp);
	if (rc < 0)
		goto unlock;
	for (unsigned int i = 0; i < tmp->n_sizes; i++)
		count_usable(&tmp->sizes[i], cfg->p.in_memory, cfg->p.legacy_mem, reusable[i]);

	if (eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE) == 0) {
		rc = eal__hugepage_info_write(tmp, path);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot write %s: %s; check the runtime directory (--runtime-dir)",
				path, eal_strerror(rc));
			goto unlock;
		}
	}
	memcpy(hi, tmp, sizeof(*hi));
	free(tmp);
	return 0;

unlock:
	eal__hugepage_info_fini(tmp);
fail:
	free(tmp);
	return rc;
}

void
eal__hugepage_dirs_unlock(struct eal_hugepage_info *hi)
{
	/* Closing the only fd of the open file description drops the flock. */
	for (unsigned int i = 0; i < hi->n_sizes && i < EAL_MAX_HUGEPAGE_SIZES; i++) {
		if (hi->sizes[i].lock_fd >= 0) {
			(void)eal__os_close(hi->sizes[i].lock_fd);
			hi->sizes[i].lock_fd = -1;
		}
	}
}

void
eal__hugepage_info_fini(struct eal_hugepage_info *hi)
{
	if (hi == NULL)
		return;
	eal__hugepage_dirs_unlock(hi);
}

/* The reasons name each size that has pages, in size order, so that a
 * machine with 1 GiB pages unmounted and 2 MiB pages all taken says both. */
bool
eal__hugepage_info_usable(const struct eal_hugepage_info *hi, bool in_memory, char *why,
			  size_t why_len)
{
	bool reserved = false;
	size_t off = 0;
	char sz[32];

	for (unsigned int i = 0; i < hi->n_sizes; i++)
		for (unsigned int n = 0; n < EAL_MAX_NUMA_NODES; n++)
			if (hi->sizes[i].num_pages[n] > 0)
				return true;
	if (why == NULL || why_len == 0)
		return false;
	why[0] = '\0';
	if (hi->n_sizes == 0) {
		snprintf(why, why_len, "the kernel offers no hugepages (no hugetlb support, as in many containers)");
		return false;
	}
	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		const struct eal_hugepage_size_info *s = &hi->sizes[i];
		int n;

		if (s->nr_pages == 0 && s->overcommit_pages == 0)
			continue;
		reserved = true;
		size_str(sz, sizeof(sz), s->page_size);
		if (!s->mounted && !in_memory)
			n = snprintf(why + off, why_len - off, "%s%s pages reserved but hugetlbfs not mounted",
				     off > 0 ? "; " : "", sz);
		else
			n = snprintf(why + off, why_len - off, "%sall %" PRIu64 " reserved %s pages are in use",
				     off > 0 ? "; " : "", s->nr_pages, sz);
		if (n < 0 || (size_t)n >= why_len - off)
			break;
		off += (size_t)n;
	}
	if (!reserved)
		snprintf(why, why_len, "no hugepages reserved");
	return false;
}

/*
 * What to do about it, for the situation eal__hugepage_info_usable()
 * found, and for this process (root or not, in a container or not): the
 * advice that fixes it, never one that would shrink a pool or that only
 * the host can follow. @root and @can_reserve (nr_hugepages writable)
 * come from the caller so that tests can ask for each case.
 */
void
eal__hugepage_advice(const struct eal_hugepage_info *hi, bool root, bool can_reserve, char *buf,
		     size_t len)
{
	uint64_t reserved = 0, in_use = 0, size = hi->default_size != 0 ? hi->default_size : 2u << 20;
	bool unmounted = false;
	char sz[32];

	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		const struct eal_hugepage_size_info *s = &hi->sizes[i];

		if (s->nr_pages == 0 && s->overcommit_pages == 0)
			continue;
		if (!s->mounted)
			unmounted = true;
		if (s->page_size == size) {
			reserved += s->nr_pages * s->page_size;
			in_use += (s->nr_pages - s->free_pages) * s->page_size;
		}
	}
	if (hi->n_sizes == 0) {
		snprintf(buf, len, "hugepages come from the host: reserve and mount them there and bind-mount a hugetlbfs directory into this container (or the kernel lacks hugetlbfs)");
	} else if (unmounted && hi->unwritable_mount[0] != '\0') {
		snprintf(buf, len, "%s is mounted but this user cannot create files in it: mount hugetlbfs for this user (mount -t hugetlbfs -o uid=%u,mode=0700 nodev DIR) and pass --huge-dir DIR, or run as the mount's owner",
			 hi->unwritable_mount, (unsigned int)geteuid());
	} else if (unmounted) {
		snprintf(buf, len, "%s `eal-hugepages --mount`", root ? "run" : "ask root to run");
	} else if (reserved != 0) {
		/* All in use: more, never less than what is reserved. */
		snprintf(sz, sizeof(sz), "%" PRIu64 "M", (reserved >> 20) + 256);
		snprintf(buf, len, "free some (`eal-hugepages` shows which prefixes hold them%s) or %s `eal-hugepages --reserve %s`",
			 in_use != 0 ? ", `eal-info --clean` removes a dead one's" : "",
			 can_reserve ? "run" : root ? "on the host, run" : "ask root to run", sz);
	} else if (can_reserve) {
		snprintf(buf, len, "run `eal-hugepages --reserve 256M --mount`");
	} else {
		snprintf(buf, len, "%s `eal-hugepages --reserve 256M --mount`%s",
			 root ? "on the host, run" : "ask root to run",
			 root ? " (this process cannot change nr_hugepages: a container?)" : "");
	}
}

/* ======================================================================
 * The hugepage_info record
 *
 * Little-endian, no padding left to the compiler:
 *   header (48 bytes): magic "EALHPINF", u32 version, u32 header size,
 *     u32 entry size, u32 n_sizes, u32 max_numa_nodes, u32 reserved (0),
 *     u64 default size, u64 FNV-1a-64 of everything except this field;
 *   n_sizes entries, see ENT_* below. docs/hugepages.md has the table.
 * ====================================================================== */

#define HPI_MAGIC "EALHPINF"
#define HPI_VERSION 1u
#define HDR_SIZE 48u
#define HDR_CSUM_OFF 40u
#define ENT_NODE_NR 56u
#define ENT_NODE_FREE (ENT_NODE_NR + 8u * EAL_MAX_NUMA_NODES)
#define ENT_NUM_PAGES (ENT_NODE_FREE + 8u * EAL_MAX_NUMA_NODES)
#define ENT_DIR EAL_ALIGN_CEIL(ENT_NUM_PAGES + 4u * EAL_MAX_NUMA_NODES, 8u)
#define ENT_SIZE (ENT_DIR + PATH_MAX)
#define ENT_FLAG_MOUNTED 1u

/* Little-endian fields of @n bytes (4 or 8). */
static void
put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t
get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = (v << 8) | p[n];
	return v;
}

#define put_u32(p, v) put_le(p, v, 4)
#define put_u64(p, v) put_le(p, v, 8)
#define get_u32(p) ((uint32_t)get_le(p, 4))
#define get_u64(p) get_le(p, 8)

/* FNV-1a 64: not a defence against forgery (the runtime directory is
 * private), but any torn or damaged byte changes it. */
static uint64_t
fnv1a(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t
eal__hugepage_info_record_checksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	if (len < HDR_SIZE)
		return 0;
	h = fnv1a(h, p, HDR_CSUM_OFF);
	return fnv1a(h, p + HDR_SIZE, len - HDR_SIZE);
}

size_t
eal__hugepage_info_record_max(void)
{
	return HDR_SIZE + (size_t)EAL_MAX_HUGEPAGE_SIZES * ENT_SIZE;
}

int
eal__hugepage_info_encode(const struct eal_hugepage_info *hi, void *buf, size_t size,
			  size_t *ret_len)
{
	size_t len;
	uint8_t *p = buf;

	if (hi->n_sizes > EAL_MAX_HUGEPAGE_SIZES)
		return -EINVAL;
	len = HDR_SIZE + (size_t)hi->n_sizes * ENT_SIZE;
	if (size < len)
		return -ENOSPC;
	memset(buf, 0, len);
	memcpy(p, HPI_MAGIC, 8);
	put_u32(p + 8, HPI_VERSION);
	put_u32(p + 12, HDR_SIZE);
	put_u32(p + 16, ENT_SIZE);
	put_u32(p + 20, hi->n_sizes);
	put_u32(p + 24, EAL_MAX_NUMA_NODES);
	put_u64(p + 32, hi->default_size);
	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		const struct eal_hugepage_size_info *s = &hi->sizes[i];
		uint8_t *e = p + HDR_SIZE + (size_t)i * ENT_SIZE;
		size_t dl = strnlen(s->dir, sizeof(s->dir) - 1);

		put_u64(e, s->page_size);
		put_u64(e + 8, s->nr_pages);
		put_u64(e + 16, s->free_pages);
		put_u64(e + 24, s->resv_pages);
		put_u64(e + 32, s->surplus_pages);
		put_u64(e + 40, s->overcommit_pages);
		put_u32(e + 48, s->mounted ? ENT_FLAG_MOUNTED : 0);
		put_u32(e + 52, s->n_nodes);
		for (unsigned int n = 0; n < EAL_MAX_NUMA_NODES; n++) {
			put_u64(e + ENT_NODE_NR + 8 * n, s->node_nr_pages[n]);
			put_u64(e + ENT_NODE_FREE + 8 * n, s->node_free_pages[n]);
			put_u32(e + ENT_NUM_PAGES + 4 * n, s->num_pages[n]);
		}
		/* The rest of the dir field stays zero: no stack bytes leak
		 * into the file, and the reader finds the terminator. */
		memcpy(e + ENT_DIR, s->dir, dl);
	}
	put_u64(p + HDR_CSUM_OFF, eal__hugepage_info_record_checksum(p, len));
	*ret_len = len;
	return 0;
}

static int EAL_FORMAT(3, 4)
refuse(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && why_len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

/* One entry, into *s (a scratch struct: the caller copies out only a
 * fully checked record). */
static int
decode_entry(struct eal_hugepage_size_info *s, const uint8_t *e, unsigned int i, char *why,
	     size_t why_len)
{
	uint32_t flags = get_u32(e + 48);
	const void *nul;

	s->page_size = get_u64(e);
	s->nr_pages = get_u64(e + 8);
	s->free_pages = get_u64(e + 16);
	s->resv_pages = get_u64(e + 24);
	s->surplus_pages = get_u64(e + 32);
	s->overcommit_pages = get_u64(e + 40);
	s->n_nodes = get_u32(e + 52);
	if (!is_pow2(s->page_size) || s->page_size < 4096)
		return refuse(why, why_len, "entry %u: page size %" PRIu64 " is not a power of two of at least 4096",
			      i, s->page_size);
	if ((flags & ~ENT_FLAG_MOUNTED) != 0)
		return refuse(why, why_len, "entry %u: unknown flags 0x%x", i, flags);
	if (s->n_nodes > EAL_MAX_NUMA_NODES)
		return refuse(why, why_len, "entry %u: %u NUMA nodes, at most %d", i, s->n_nodes,
			      EAL_MAX_NUMA_NODES);
	for (unsigned int n = 0; n < EAL_MAX_NUMA_NODES; n++) {
		s->node_nr_pages[n] = get_u64(e + ENT_NODE_NR + 8 * n);
		s->node_free_pages[n] = get_u64(e + ENT_NODE_FREE + 8 * n);
		s->num_pages[n] = get_u32(e + ENT_NUM_PAGES + 4 * n);
	}
	nul = memchr(e + ENT_DIR, '\0', PATH_MAX);
	if (nul == NULL)
		return refuse(why, why_len, "entry %u: directory name is not terminated", i);
	/* The writer zero-fills the field: one encoding per content. */
	for (const uint8_t *c = nul; c < e + ENT_DIR + PATH_MAX; c++)
		if (*c != 0)
			return refuse(why, why_len, "entry %u: bytes after the directory name are not zero",
				      i);
	memcpy(s->dir, e + ENT_DIR, (size_t)((const uint8_t *)nul - (e + ENT_DIR)) + 1);
	s->mounted = (flags & ENT_FLAG_MOUNTED) != 0;
	if (s->mounted != (s->dir[0] != '\0') || (s->mounted && s->dir[0] != '/'))
		return refuse(why, why_len, "entry %u: directory '%.64s' does not agree with its mounted flag",
			      i, s->dir);
	s->lock_fd = -1;
	return 0;
}

/*
 * Checks go from the outside in: the header's own fields first (magic,
 * version, sizes), because the layout of everything after depends on
 * them; then the length the header implies, before any entry is touched;
 * then the checksum; then each field's range. No value from the file
 * sizes anything before it has been bounded.
 */
int
eal__hugepage_info_decode(struct eal_hugepage_info *hi, const void *buf, size_t len, char *why,
			  size_t why_len)
{
	struct eal_hugepage_info *tmp;
	const uint8_t *p = buf;
	uint32_t n;
	int rc = 0;

	if (len < HDR_SIZE)
		return refuse(why, why_len, "truncated: %zu bytes, a header alone is %u", len, HDR_SIZE);
	if (memcmp(p, HPI_MAGIC, 8) != 0)
		return refuse(why, why_len, "not a hugepage_info record (bad magic)");
	if (get_u32(p + 8) != HPI_VERSION)
		return refuse(why, why_len, "format version %u, this libeal reads version %u",
			      get_u32(p + 8), HPI_VERSION);
	if (get_u32(p + 12) != HDR_SIZE || get_u32(p + 16) != ENT_SIZE)
		return refuse(why, why_len, "header size %u / entry size %u, expected %u / %u",
			      get_u32(p + 12), get_u32(p + 16), HDR_SIZE, (unsigned int)ENT_SIZE);
	if (get_u32(p + 24) != EAL_MAX_NUMA_NODES)
		return refuse(why, why_len, "written by a libeal built for %u NUMA nodes, this one is built for %d (meson option max_numa_nodes)",
			      get_u32(p + 24), EAL_MAX_NUMA_NODES);
	n = get_u32(p + 20);
	if (n > EAL_MAX_HUGEPAGE_SIZES)
		return refuse(why, why_len, "%u page sizes, at most %d", n, EAL_MAX_HUGEPAGE_SIZES);
	if (len < HDR_SIZE + (size_t)n * ENT_SIZE)
		return refuse(why, why_len, "truncated: %zu bytes, %u page sizes need %zu", len, n,
			      HDR_SIZE + (size_t)n * ENT_SIZE);
	if (len > HDR_SIZE + (size_t)n * ENT_SIZE)
		return refuse(why, why_len, "oversized: %zu bytes, %u page sizes need %zu", len, n,
			      HDR_SIZE + (size_t)n * ENT_SIZE);
	if (get_u64(p + HDR_CSUM_OFF) != eal__hugepage_info_record_checksum(p, len))
		return refuse(why, why_len, "checksum mismatch: the file is corrupt");
	if (get_u32(p + 28) != 0)
		return refuse(why, why_len, "reserved header field is not zero");

	tmp = malloc(sizeof(*tmp));
	if (tmp == NULL)
		return -ENOMEM;
	reset_info(tmp);
	tmp->n_sizes = n;
	tmp->default_size = get_u64(p + 32);
	if (tmp->default_size != 0 && (!is_pow2(tmp->default_size) || tmp->default_size < 4096))
		rc = refuse(why, why_len, "default page size %" PRIu64 " is not a power of two",
			    tmp->default_size);
	for (unsigned int i = 0; rc == 0 && i < n; i++) {
		rc = decode_entry(&tmp->sizes[i], p + HDR_SIZE + (size_t)i * ENT_SIZE, i, why,
				  why_len);
		if (rc == 0 && i > 0 && tmp->sizes[i].page_size >= tmp->sizes[i - 1].page_size)
			rc = refuse(why, why_len, "entry %u: page sizes are not in decreasing order", i);
	}
	if (rc == 0)
		memcpy(hi, tmp, sizeof(*hi));
	free(tmp);
	return rc;
}

int
eal__hugepage_info_write(const struct eal_hugepage_info *hi, const char *path)
{
	size_t max = eal__hugepage_info_record_max(), len;
	void *buf = malloc(max);
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	rc = eal__hugepage_info_encode(hi, buf, max, &len);
	if (rc == 0)
		rc = eal__os_write_file_atomic(path, buf, len, 0600);
	free(buf);
	return rc;
}

int
eal__hugepage_info_read(struct eal_hugepage_info *hi, const char *path)
{
	char *buf, why[160];
	size_t len;
	int rc;

	rc = eal__os_read_file_alloc(path, false, eal__hugepage_info_record_max(), &buf, &len);
	if (rc == -EFBIG) {
		EAL_LOG(ERR, "refusing %s: larger than any hugepage_info record; restart the primary process",
			path);
		return -EPROTO;
	}
	if (rc < 0) {
		EAL_LOG(ERR, "cannot read %s: %s; is the primary process running?", path,
			eal_strerror(rc));
		return rc;
	}
	rc = eal__hugepage_info_decode(hi, buf, len, why, sizeof(why));
	free(buf);
	if (rc == -EPROTO)
		EAL_LOG(ERR, "refusing %s: %s; restart the primary process (it may run another libeal version)",
			path, why);
	return rc;
}

/* ======================================================================
 * Public query
 * ====================================================================== */

/* Discovery as a default primary would see it (no --huge-dir, dynamic
 * mode), without taking any lock or touching any file. */
EAL_API int
eal_hugepage_info_get(struct eal_hugepage_size *sizes, unsigned int max)
{
	struct eal_hugepage_info *hi;
	unsigned int n;
	int rc;

	if (sizes == NULL && max > 0)
		return eal__fail(-EINVAL);
	hi = malloc(sizeof(*hi));
	if (hi == NULL)
		return eal__fail(-ENOMEM);
	rc = discover_into(hi, NULL, false, false);
	if (rc < 0) {
		free(hi);
		return eal__fail(rc);
	}
	n = max == 0 ? hi->n_sizes : (hi->n_sizes < max ? hi->n_sizes : max);
	for (unsigned int i = 0; i < n && max > 0; i++) {
		const struct eal_hugepage_size_info *s = &hi->sizes[i];
		struct eal_hugepage_size *d = &sizes[i];

		memset(d, 0, sizeof(*d));
		d->page_size = s->page_size;
		d->is_default = s->page_size == hi->default_size;
		d->total_pages = clamp_u32(s->nr_pages);
		d->free_pages = clamp_u32(s->free_pages);
		d->resv_pages = clamp_u32(s->resv_pages);
		d->surplus_pages = clamp_u32(s->surplus_pages);
		d->overcommit_pages = clamp_u32(s->overcommit_pages);
		d->n_nodes = s->n_nodes;
		for (unsigned int k = 0; k < EAL_MAX_NUMA_NODES; k++) {
			d->node_total[k] = clamp_u32(s->node_nr_pages[k]);
			d->node_free[k] = clamp_u32(s->node_free_pages[k]);
		}
		memcpy(d->mount, s->dir, strlen(s->dir) + 1);
	}
	free(hi);
	return (int)n;
}
