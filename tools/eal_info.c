/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal-info: what an application holds under one --file-prefix, read from
 * its runtime files without joining it: processes, memory mode, memseg
 * lists, memzones, heap statistics.
 *
 * The tool never attaches as a secondary and never takes a lock. It opens
 * the files read-only and copies what it needs with pread(): a snapshot,
 * and a file that shrinks meanwhile gives a short read where a mapping
 * would raise SIGBUS. Whether the primary lives is asked of the kernel
 * with F_OFD_GETLK on the config's lock. Every value read is checked
 * before use: magic, layout version and size of the config, each count
 * against this build's limits, each fbarray file against its own header
 * and against the config's description of it. Pointers stored in the
 * config are printed, never followed: an fbarray's contents come from the
 * file "fbarray_<name>" of the runtime directory. Which processes are
 * attached comes from the config (primary pid, process table) and from
 * /proc/<pid>/maps (who maps the config file).
 *
 * docs/eal-info.md is the user's guide and the JSON schema. Exit status:
 * 0 running, 1 nothing runs, 2 usage, 3 stale (the primary died),
 * 4 files that cannot be read as a libeal application's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "eal_build_config.h"
#include "eal_common.h"
#include "eal_errno.h"
#include "eal_log.h"

#include "eal_file_layout.h"
#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#include "eal_info.h"

#define PROG "eal-info"

/* Used runs listed per memseg list, in JSON and in the text table. */
#define RUNS_JSON_MAX 256u
#define RUNS_TEXT_MAX 4u
#define WARN_MAX 32u
#define MSG_LEN 512u
/* The header fields, whose offsets never change (src/eal_memcfg.h). */
#define MCFG_HDR_LEN (offsetof(struct eal_mem_config, mem_cfg_addr) + sizeof(uint64_t))

/* The fbarray file layout: src/eal_file_layout.h. */

/* ======================================================================
 * Messages
 * ====================================================================== */

/* The last error, repeated in the JSON object printed on failure. */
static char last_error[MSG_LEN];

static void EAL_FORMAT(1, 2)
say_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", last_error);
}

/* The option checks of the library log why a prefix or directory is
 * refused, once: show its warnings and errors under our name. */
static void
log_line(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	(void)component;
	if (level <= EAL_LOG_WARNING)
		fprintf(stderr, PROG ": %s\n", line);
}

/* ======================================================================
 * The report: everything read, checked, in private memory
 * ====================================================================== */

enum state {
	STATE_RUNNING,  /* the primary holds the lock and finished init */
	STATE_STARTING, /* the primary holds the lock, init not finished */
	STATE_STALE,    /* nobody holds the lock: the primary died */
};

static const char *const state_names[] = {
	[STATE_RUNNING] = "running",
	[STATE_STARTING] = "starting",
	[STATE_STALE] = "stale",
};

/* A process: the primary, an entry of the process table, or a process
 * found mapping the config. */
struct proc_entry {
	int32_t pid;
	bool primary;
	bool alive;    /* a process with this pid exists and is no zombie */
	int attached;  /* 1: it maps this config, 0: it does not, -1: unknown */
	bool in_table; /* listed in the config's process table */
	uint32_t seen_gen;
	bool stalled;
};

/* One fbarray file, as read. */
struct fb_snap {
	bool ok;
	char error[MSG_LEN]; /* why it could not be read, when !ok */
	unsigned int used;   /* set bits of the mask */
	uint64_t *mask;      /* bits at or past len cleared */
	void *data;          /* len * elt_sz bytes, when asked for */
};

/* Used segments and bytes of one memory type (page size x socket). */
struct type_use {
	uint64_t page_sz;
	int socket;
	uint64_t used;
	uint64_t total;
};

struct report {
	const char *prefix;
	char dir[PATH_MAX];    /* "<base>/<prefix>" */
	char config_path[PATH_MAX + 8];
	int dir_fd;
	enum state state;
	bool lock_held;
	bool header_only;      /* the primary is still creating the file */
	struct stat config_st;
	struct eal_mem_config *mcfg; /* private copy of the whole config */
	bool have_zones;       /* the memzone table exists */
	struct proc_entry *procs;
	unsigned int n_procs;
	unsigned int n_attached;
	struct fb_snap msl[EAL_MAX_MEMSEG_LISTS];
	struct fb_snap zones;
	struct type_use types[EAL_MAX_MEMSEG_LISTS];
	unsigned int n_types;
	char warnings[WARN_MAX][MSG_LEN];
	unsigned int n_warnings;
};

static void EAL_FORMAT(2, 3)
report_warn(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n_warnings >= WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(r->warnings[r->n_warnings++], MSG_LEN, fmt, ap);
	va_end(ap);
}

static void
report_free(struct report *r)
{
	for (unsigned int i = 0; i < EAL_DIM(r->msl); i++) {
		free(r->msl[i].mask);
		free(r->msl[i].data);
	}
	free(r->zones.mask);
	free(r->zones.data);
	free(r->procs);
	free(r->mcfg);
	if (r->dir_fd >= 0)
		close(r->dir_fd);
}

static int
exit_status(const struct report *r)
{
	return r->state == STATE_STALE ? EXIT_STALE : EXIT_RUNNING;
}

/* ======================================================================
 * Finding the runtime directory
 * ====================================================================== */

/*
 * "<base>/<prefix>" into r->dir. The prefix and --runtime-dir go through
 * the library's own option checks, so that a name libeal refuses is
 * refused here with the same words.
 */
static int
resolve_dir(struct report *r, const char *prefix, const char *base_arg)
{
	static struct eal_internal_config cfg;
	char *args[6], base[PATH_MAX];
	int n = 0, used, rc;

	args[n++] = (char *)PROG;
	if (prefix != NULL) {
		args[n++] = (char *)"--file-prefix";
		args[n++] = (char *)prefix;
	}
	if (base_arg != NULL) {
		args[n++] = (char *)"--runtime-dir";
		args[n++] = (char *)base_arg;
	}
	args[n] = NULL;
	rc = eal__options_parse(&cfg, n, args, &used);
	if (rc == 0)
		rc = eal__options_check(&cfg);
	if (rc < 0)
		return EXIT_USAGE; /* the library said why */
	r->prefix = cfg.p.file_prefix;
	rc = eal__runtime_base(&cfg, base, sizeof(base));
	if (rc == 0) {
		n = snprintf(r->dir, sizeof(r->dir), "%s/%s", base, r->prefix);
		if (n < 0 || (size_t)n >= sizeof(r->dir))
			rc = -ENAMETOOLONG;
	}
	if (rc < 0) {
		say_error("the runtime directory of prefix '%s' is too long a path", r->prefix);
		return EXIT_USAGE;
	}
	snprintf(r->config_path, sizeof(r->config_path), "%s/config", r->dir);
	return CONTINUE;
}

/* Files named like fbarray files in the directory: what a primary that
 * died after removing its config may have left. */
static unsigned int
count_fbarray_files(int dir_fd)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "fbarray_", 8) == 0)
			n++;
	closedir(d);
	return n;
}

static int
open_dir(struct report *r)
{
	r->dir_fd = open(r->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r->dir_fd >= 0)
		return CONTINUE;
	if (errno == ENOENT) {
		say_error("nothing runs with --file-prefix=%s: %s does not exist", r->prefix,
			  r->dir);
		return EXIT_ABSENT;
	}
	if (errno == EACCES)
		say_error("cannot read %s: %s (run eal-info as the application's user, or as root)",
			  r->dir, strerror(errno));
	else if (errno == ENOTDIR || errno == ELOOP)
		say_error("%s is not a directory (a symbolic link is not followed)", r->dir);
	else
		say_error("cannot open %s: %s", r->dir, strerror(errno));
	return EXIT_INVALID;
}

/* ======================================================================
 * Reading files: read-only, no lock, no mapping
 * ====================================================================== */

/* Read exactly @len bytes at @off. -EPROTO when the file ends first: it
 * is truncated, or shrank while we read. */
static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPROTO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Open a regular file of the runtime directory for reading. O_NONBLOCK:
 * a FIFO planted under the name cannot hang us; O_NOFOLLOW: a symbolic
 * link cannot lead elsewhere (-ELOOP). Anything but a regular file is
 * -EMEDIUMTYPE, which open_error() names. */
static int
open_runtime_file(int dir_fd, const char *name, int *ret_fd, struct stat *ret_st)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	if (fstat(fd, ret_st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (!S_ISREG(ret_st->st_mode)) {
		close(fd);
		return -EMEDIUMTYPE;
	}
	*ret_fd = fd;
	return 0;
}

static const char *
open_error(int rc)
{
	if (rc == -EMEDIUMTYPE)
		return "not a regular file";
	if (rc == -ELOOP)
		return "a symbolic link (not followed)";
	return strerror(-rc);
}

/*
 * Whether a process holds a lock on the config. Only the primary locks it
 * (an OFD write lock on the header, held for its whole life, dropped by
 * the kernel when it dies). Asking about the whole file needs no
 * knowledge of the exact range, and F_OFD_GETLK takes nothing.
 */
static int
config_lock_held(int fd, bool *ret_held)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0,
	};

	if (fcntl(fd, F_OFD_GETLK, &fl) < 0)
		return -errno;
	*ret_held = fl.l_type != F_UNLCK;
	return 0;
}

/* ---- the config ------------------------------------------------------ */

/* A NUL-terminated string of at most @size - 1 bytes. */
static bool
str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* The name of an fbarray whose file we will open: "fbarray_<name>" must
 * stay in the runtime directory. */
static bool
fb_name_ok(const struct eal_fbarray *a)
{
	return str_ok(a->name, sizeof(a->name)) && a->name[0] != '\0' &&
	       strchr(a->name, '/') == NULL;
}

/* The config's description of an fbarray: the file holds elements of
 * @elt_sz bytes, at most @max_len of them. */
static int
check_fb_desc(const struct eal_fbarray *a, const char *what, unsigned int elt_sz,
	      unsigned int max_len, char *why, size_t size)
{
	if (!fb_name_ok(a))
		snprintf(why, size, "%s: fbarray name is not a file name", what);
	else if (a->elt_sz != elt_sz)
		snprintf(why, size, "%s: elements of %u bytes, expected %u", what, a->elt_sz,
			 elt_sz);
	else if (a->len == 0 || a->len > max_len)
		snprintf(why, size, "%s: %u elements, expected 1 to %u", what, a->len, max_len);
	else if (a->count > a->len)
		snprintf(why, size, "%s: %u of %u elements used", what, a->count, a->len);
	else
		return 0;
	return -EPROTO;
}

/* Every count and string of the copy, before anything trusts it. */
static int
check_config(const struct eal_mem_config *m, bool *ret_have_zones, char *why, size_t size)
{
	char what[64];
	int rc;

	if (m->primary_pid <= 0) {
		snprintf(why, size, "primary pid %d is not a pid", (int)m->primary_pid);
		return -EPROTO;
	}
	if (m->n_memseg_lists > EAL_MAX_MEMSEG_LISTS) {
		snprintf(why, size, "%u memseg lists, this build has at most %d", m->n_memseg_lists,
			 EAL_MAX_MEMSEG_LISTS);
		return -EPROTO;
	}
	if (m->n_heaps > EAL_MAX_HEAPS) {
		snprintf(why, size, "%u heaps, this build has at most %d", m->n_heaps, EAL_MAX_HEAPS);
		return -EPROTO;
	}
	if (!str_ok(m->nohuge_path, sizeof(m->nohuge_path))) {
		snprintf(why, size, "the no-huge file name is not terminated");
		return -EPROTO;
	}
	for (unsigned int i = 0; i < m->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &m->memsegs[i];

		snprintf(what, sizeof(what), "memseg list %u", i);
		rc = check_fb_desc(&msl->memseg_arr, what, sizeof(struct eal_memseg), INT_MAX, why,
				   size);
		if (rc < 0)
			return rc;
		if (msl->page_sz == 0 || (msl->page_sz & (msl->page_sz - 1)) != 0) {
			snprintf(why, size, "%s: page size %" PRIu64 " is not a power of two", what,
				 msl->page_sz);
			return -EPROTO;
		}
	}
	/* A primary that died before the memzone stage has no table yet. */
	*ret_have_zones = m->memzones.name[0] != '\0' || m->memzones.len != 0;
	if (*ret_have_zones) {
		rc = check_fb_desc(&m->memzones, "memzone table", sizeof(struct eal_memzone),
				   EAL_MEMZONE_INDEX_SLOTS / 2, why, size);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < m->n_heaps; i++) {
		if (!str_ok(m->malloc_heaps[i].heap.name, sizeof(m->malloc_heaps[i].heap.name))) {
			snprintf(why, size, "heap %u: name is not terminated", i);
			return -EPROTO;
		}
	}
	return 0;
}

/* The header of the copy: ours, and a layout this tool reads. */
static int
check_header(const struct report *r, const struct eal_mem_config *m)
{
	if (m->magic != EAL_MCFG_MAGIC) {
		if (m->magic == 0)
			say_error("%s has no magic number: a primary died while creating it, or it is not a libeal config",
				  r->config_path);
		else
			say_error("%s is not a libeal shared config (magic 0x%016" PRIx64 ", expected 0x%016llx)",
				  r->config_path, m->magic, EAL_MCFG_MAGIC);
		return EXIT_INVALID;
	}
	if (m->version != EAL_MCFG_VERSION || m->size != sizeof(*m)) {
		say_error("%s has layout version 0x%08x (%u bytes); this eal-info reads version 0x%08x (%zu bytes): use the eal-info of the application's libeal",
			  r->config_path, m->version, m->size, EAL_MCFG_VERSION, sizeof(*m));
		return EXIT_INVALID;
	}
	return CONTINUE;
}

/*
 * Read and check the config into r->mcfg. A file that is too short or
 * without magic is the primary still creating it when the lock is held,
 * and an error otherwise.
 */
static int
read_config(struct report *r, int fd)
{
	uint64_t fsize = (uint64_t)r->config_st.st_size;
	char why[MSG_LEN];
	int rc;

	r->mcfg = calloc(1, sizeof(*r->mcfg));
	if (r->mcfg == NULL) {
		say_error("out of memory");
		return EXIT_INVALID;
	}
	if (fsize >= MCFG_HDR_LEN) {
		rc = read_at(fd, r->mcfg, MCFG_HDR_LEN, 0);
		if (rc < 0 && rc != -EPROTO) {
			say_error("cannot read %s: %s", r->config_path, strerror(-rc));
			return EXIT_INVALID;
		}
		if (rc == -EPROTO)
			fsize = 0;
	}
	if (r->lock_held && (fsize < MCFG_HDR_LEN || r->mcfg->magic == 0)) {
		r->header_only = true;
		r->state = STATE_STARTING;
		return CONTINUE;
	}
	if (fsize < MCFG_HDR_LEN) {
		say_error("%s is %" PRIu64 " bytes, shorter than a libeal config header (%zu bytes): it is truncated, or not a libeal config",
			  r->config_path, fsize, MCFG_HDR_LEN);
		return EXIT_INVALID;
	}
	rc = check_header(r, r->mcfg);
	if (rc != CONTINUE)
		return rc;
	if (fsize < sizeof(*r->mcfg)) {
		say_error("%s is %" PRIu64 " bytes, shorter than the %zu bytes of its layout: it is truncated",
			  r->config_path, fsize, sizeof(*r->mcfg));
		return EXIT_INVALID;
	}
	rc = read_at(fd, r->mcfg, sizeof(*r->mcfg), 0);
	if (rc < 0) {
		say_error("cannot read %s: %s", r->config_path,
			  rc == -EPROTO ? "it shrank while being read" : strerror(-rc));
		return EXIT_INVALID;
	}
	/* The second read saw the header again: a new primary may have
	 * rewritten the file in between. */
	rc = check_header(r, r->mcfg);
	if (rc != CONTINUE)
		return rc;
	if (check_config(r->mcfg, &r->have_zones, why, sizeof(why)) < 0) {
		say_error("%s is inconsistent: %s", r->config_path, why);
		return EXIT_INVALID;
	}
	if (r->lock_held)
		r->state = r->mcfg->complete == EAL_MCFG_COMPLETE ? STATE_RUNNING : STATE_STARTING;
	else
		r->state = STATE_STALE;
	return CONTINUE;
}

static int
load_config(struct report *r)
{
	int fd, rc;

	rc = open_runtime_file(r->dir_fd, "config", &fd, &r->config_st);
	if (rc == -ENOENT) {
		unsigned int left = count_fbarray_files(r->dir_fd);

		if (left > 0)
			say_error("nothing runs with --file-prefix=%s: %s has no config file (%u fbarray files are left in it)",
				  r->prefix, r->dir, left);
		else
			say_error("nothing runs with --file-prefix=%s: %s has no config file",
				  r->prefix, r->dir);
		return EXIT_ABSENT;
	}
	if (rc < 0) {
		say_error("cannot read %s: %s", r->config_path, open_error(rc));
		return EXIT_INVALID;
	}
	rc = config_lock_held(fd, &r->lock_held);
	if (rc < 0) {
		say_error("cannot ask whether %s is locked: %s", r->config_path, strerror(-rc));
		close(fd);
		return EXIT_INVALID;
	}
	rc = read_config(r, fd);
	close(fd);
	return rc;
}

/* ---- fbarray files ---------------------------------------------------- */

static void EAL_FORMAT(2, 3)
fb_fail(struct fb_snap *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
}

/*
 * Read the fbarray the config describes as @a from its own file: the
 * mask, and the elements when @want_data. The file's header must
 * describe the same array; the sizes come from the config (already
 * checked) and the file must be long enough for them, so nothing is
 * allocated beyond the file's own size.
 */
static void
fb_load(struct report *r, const struct eal_fbarray *a, bool want_data, struct fb_snap *s)
{
	char file[EAL_FBARRAY_NAME_LEN + sizeof("fbarray_")];
	uint64_t data_len = (uint64_t)a->len * a->elt_sz;
	uint64_t meta_off = EAL_ALIGN_CEIL(data_len, (uint64_t)sizeof(uint64_t));
	unsigned int words = (a->len + 63) / 64;
	uint64_t need = meta_off + sizeof(struct eal_fbarray_meta) + (uint64_t)words * sizeof(uint64_t);
	struct eal_fbarray_meta meta;
	struct stat st;
	int fd, rc;

	snprintf(file, sizeof(file), "fbarray_%s", a->name);
	rc = open_runtime_file(r->dir_fd, file, &fd, &st);
	if (rc < 0) {
		fb_fail(s, "cannot open %s: %s", file, open_error(rc));
		return;
	}
	if ((uint64_t)st.st_size < need) {
		fb_fail(s, "%s is %lld bytes, but %u elements of %u bytes need %" PRIu64 ": it is truncated or belongs to another array",
			file, (long long)st.st_size, a->len, a->elt_sz, need);
		goto opened;
	}
	rc = read_at(fd, &meta, sizeof(meta), meta_off);
	if (rc < 0) {
		fb_fail(s, "cannot read %s: %s", file, rc == -EPROTO ? "it shrank" : strerror(-rc));
		goto opened;
	}
	if (meta.magic != EAL_FBARRAY_MAGIC || meta.len != a->len || meta.elt_sz != a->elt_sz ||
	    meta.n_masks != words) {
		fb_fail(s, "%s describes %u elements of %u bytes (magic 0x%08x), the config %u of %u: they do not belong together",
			file, meta.len, meta.elt_sz, meta.magic, a->len, a->elt_sz);
		goto opened;
	}
	s->mask = malloc((size_t)words * sizeof(uint64_t));
	s->data = want_data ? malloc(data_len) : NULL;
	if (s->mask == NULL || (want_data && s->data == NULL)) {
		fb_fail(s, "%s: out of memory", file);
		goto opened;
	}
	rc = read_at(fd, s->mask, (size_t)words * sizeof(uint64_t), meta_off + sizeof(meta));
	if (rc == 0 && want_data)
		rc = read_at(fd, s->data, data_len, 0);
	if (rc < 0) {
		fb_fail(s, "cannot read %s: %s", file, rc == -EPROTO ? "it shrank" : strerror(-rc));
		goto opened;
	}
	/* Bits past len are zero in a sound file; do not count garbage. */
	if (a->len % 64 != 0)
		s->mask[words - 1] &= (UINT64_C(1) << (a->len % 64)) - 1;
	for (unsigned int i = 0; i < words; i++)
		s->used += (unsigned int)__builtin_popcountll(s->mask[i]);
	s->ok = true;
opened:
	close(fd);
}

static bool
fb_used(const struct fb_snap *s, unsigned int i)
{
	return (s->mask[i / 64] >> (i % 64)) & 1;
}

/* The next run of used elements at or after *pos: its start and length,
 * false when there is none. Advances *pos past it. */
static bool
next_run(const struct fb_snap *s, unsigned int len, unsigned int *pos, unsigned int *ret_start,
	 unsigned int *ret_n)
{
	unsigned int i = *pos, start;

	while (i < len && !fb_used(s, i))
		i++;
	if (i >= len)
		return false;
	start = i;
	while (i < len && fb_used(s, i))
		i++;
	*ret_start = start;
	*ret_n = i - start;
	*pos = i;
	return true;
}

struct run_stats {
	unsigned int runs;
	unsigned int largest_used;
	unsigned int largest_free;
};

static struct run_stats
msl_run_stats(const struct fb_snap *s, unsigned int len)
{
	struct run_stats rs = { 0, 0, 0 };
	unsigned int pos = 0, start, n, prev_end = 0;

	while (next_run(s, len, &pos, &start, &n)) {
		rs.runs++;
		if (n > rs.largest_used)
			rs.largest_used = n;
		if (start - prev_end > rs.largest_free)
			rs.largest_free = start - prev_end;
		prev_end = start + n;
	}
	if (len - prev_end > rs.largest_free)
		rs.largest_free = len - prev_end;
	return rs;
}

/* The used segments of each memory type, from the lists' files (the
 * config's count when a file could not be read). */
static void
sum_types(struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;

	for (unsigned int i = 0; i < m->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &m->memsegs[i];
		struct type_use *t = NULL;

		for (unsigned int k = 0; k < r->n_types; k++)
			if (r->types[k].page_sz == msl->page_sz && r->types[k].socket == msl->socket_id)
				t = &r->types[k];
		if (t == NULL) {
			t = &r->types[r->n_types++];
			t->page_sz = msl->page_sz;
			t->socket = msl->socket_id;
		}
		t->used += r->msl[i].ok ? r->msl[i].used : msl->memseg_arr.count;
		t->total += msl->memseg_arr.len;
	}
}

static void
load_fbarrays(struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;

	for (unsigned int i = 0; i < m->n_memseg_lists; i++) {
		const struct eal_fbarray *a = &m->memsegs[i].memseg_arr;

		fb_load(r, a, false, &r->msl[i]);
		if (!r->msl[i].ok)
			report_warn(r, "memseg list %u: %s", i, r->msl[i].error);
		else if (r->msl[i].used != a->count)
			report_warn(r, "memseg list %u: the config counts %u used segments, its file %u (it changed while read)",
				    i, a->count, r->msl[i].used);
	}
	sum_types(r);
	if (!r->have_zones)
		return;
	fb_load(r, &m->memzones, true, &r->zones);
	if (!r->zones.ok)
		report_warn(r, "memzones: %s", r->zones.error);
	else if (r->zones.used != m->memzones.count)
		report_warn(r, "memzones: the config counts %u, the table's file %u (it changed while read)",
			    m->memzones.count, r->zones.used);
	if (m->memzone_index.gen % 2 != 0)
		report_warn(r, "memzones: an update was in progress (or its process died in it); the list may be off by one");
}

/* ======================================================================
 * Processes
 * ====================================================================== */

/* A process with this pid exists and has not exited: signal 0 sends
 * nothing, and a zombie (exited, not yet reaped) does not count. */
static bool
pid_alive(int32_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "%s/%d/stat", eal__os_procfs_root(), (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, even ')'. */
	p = strrchr(buf, ')');
	return p == NULL || p[1] == '\0' || (p[2] != 'Z' && p[2] != 'X');
}

/* 1 when process @pid maps the file @st, 0 when not, -1 when its maps
 * cannot be read (another user's process). */
static int
maps_file(int32_t pid, const struct stat *st)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/maps", eal__os_procfs_root(), (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -1;
	while (!found && getline(&line, &cap, f) > 0) {
		unsigned int maj, min;
		unsigned long long ino;

		/* "start-end perms offset maj:min inode path" */
		if (sscanf(line, "%*s %*s %*s %x:%x %llu", &maj, &min, &ino) == 3 &&
		    ino == (unsigned long long)st->st_ino && makedev(maj, min) == st->st_dev)
			found = 1;
	}
	free(line);
	fclose(f);
	return found;
}

static struct proc_entry *
proc_get(struct report *r, int32_t pid)
{
	struct proc_entry *p;

	for (unsigned int i = 0; i < r->n_procs; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	p = realloc(r->procs, (r->n_procs + 1) * sizeof(*p));
	if (p == NULL)
		return NULL;
	r->procs = p;
	p = &p[r->n_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->attached = -1;
	return p;
}

/* Every process of /proc that maps the config: secondaries of any
 * memory mode (the process table lists only those of dynamic memory).
 * -ENOMEM, or 0 (a /proc that cannot be listed is a warning). */
static int
scan_proc(struct report *r)
{
	const char *root = eal__os_procfs_root();
	struct dirent *de;
	DIR *d;

	d = opendir(root);
	if (d == NULL) {
		report_warn(r, "cannot list the processes in %s: %s; attached processes are those the config lists",
			    root, strerror(errno));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		struct proc_entry *p;
		char *end;
		long pid;
		int rc;

		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 0 || pid > INT32_MAX || errno != 0 || pid == getpid())
			continue;
		rc = maps_file((int32_t)pid, &r->config_st);
		if (rc == 1) {
			p = proc_get(r, (int32_t)pid);
			if (p == NULL) {
				closedir(d);
				return -ENOMEM;
			}
			p->attached = 1;
		} else {
			for (unsigned int i = 0; i < r->n_procs; i++)
				if (r->procs[i].pid == pid)
					r->procs[i].attached = rc;
		}
	}
	closedir(d);
	return 0;
}

static int
cmp_proc(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;

	if (x->primary != y->primary)
		return x->primary ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The primary first (always r->procs[0] afterwards), then the process
 * table, then whoever maps the config. */
static int
load_processes(struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	struct proc_entry *p;

	p = proc_get(r, m->primary_pid);
	if (p == NULL)
		return -ENOMEM;
	p->primary = true;
	for (unsigned int i = 0; i < EAL_MCFG_MAX_PROCS; i++) {
		const struct eal_mcfg_proc *t = &m->procs[i];

		if (t->pid == 0)
			continue;
		if (t->pid < 0) {
			report_warn(r, "process table slot %u holds pid %d, ignoring", i, (int)t->pid);
			continue;
		}
		p = proc_get(r, t->pid);
		if (p == NULL)
			return -ENOMEM;
		p->in_table = true;
		p->seen_gen = t->seen_gen;
		p->stalled = t->stalled != 0;
	}
	if (scan_proc(r) < 0)
		return -ENOMEM;
	for (unsigned int i = 0; i < r->n_procs; i++) {
		p = &r->procs[i];
		p->alive = p->attached == 1 || pid_alive(p->pid);
		if (!p->alive)
			p->attached = 0;
		if (p->attached == 1)
			r->n_attached++;
	}
	qsort(r->procs, r->n_procs, sizeof(*r->procs), cmp_proc);
	p = &r->procs[0];
	if (r->lock_held && !p->alive)
		report_warn(r, "the config is locked, but primary pid %d is not running: a child of the primary may hold its file open",
			    (int)p->pid);
	else if (!r->lock_held && p->alive)
		report_warn(r, "pid %d runs but does not hold the config's lock: it is not this application's primary (the pid was reused)",
			    (int)p->pid);
	return 0;
}

/* ======================================================================
 * Names of recorded values
 * ====================================================================== */

static const char *
mode_name(const struct eal_mem_config *m)
{
	if (m->no_huge)
		return "no-huge";
	return m->legacy_mem ? "legacy" : "dynamic";
}

static const char *
iova_name(uint32_t mode)
{
	switch (mode) {
	case EAL_IOVA_DC:
		return "auto";
	case EAL_IOVA_PA:
		return "pa";
	case EAL_IOVA_VA:
		return "va";
	default:
		return "unknown";
	}
}

static const char *
unlink_name(uint32_t policy)
{
	switch (policy) {
	case EAL_HUGE_UNLINK_EXISTING:
		return "existing";
	case EAL_HUGE_UNLINK_ALWAYS:
		return "always";
	case EAL_HUGE_UNLINK_NEVER:
		return "never";
	default:
		return "unknown";
	}
}

/* The pids that hold a shared lock: the writer, and the readers. */
struct lock_view {
	int32_t writer; /* 0: none */
	int32_t readers[EAL_RWLOCK_READER_SLOTS];
	unsigned int n_readers;
};

static struct lock_view
lock_view(const eal_rwlock_t *l)
{
	struct lock_view v = { .writer = (int32_t)(l->writer >> 32) };

	for (unsigned int i = 0; i < EAL_RWLOCK_READER_SLOTS; i++)
		if ((uint32_t)l->readers[i] != 0)
			v.readers[v.n_readers++] = (int32_t)(l->readers[i] >> 32);
	return v;
}

static bool
lock_held(const struct lock_view *v)
{
	return v->writer != 0 || v->n_readers > 0;
}

/* The two locks of the config, by the names docs/eal-info.md gives. */
static const char *const mcfg_lock_names[] = { "memory_hotplug", "memzones" };

static const eal_rwlock_t *
mcfg_lock(const struct eal_mem_config *m, unsigned int i)
{
	return i == 0 ? &m->memory_hotplug_lock : &m->mlock;
}

static bool
any_lock_held(const struct eal_mem_config *m)
{
	struct lock_view v;

	for (unsigned int i = 0; i < EAL_DIM(mcfg_lock_names); i++) {
		v = lock_view(mcfg_lock(m, i));
		if (lock_held(&v))
			return true;
	}
	for (unsigned int i = 0; i < m->n_heaps; i++) {
		v = lock_view(&m->malloc_heaps[i].heap.lock);
		if (lock_held(&v))
			return true;
	}
	return false;
}

static const struct eal_memzone *
zone_at(const struct report *r, unsigned int i)
{
	return (const struct eal_memzone *)r->zones.data + i;
}

/* A memzone name: NUL-terminated within its field, or cut there. */
static int
zone_name_len(const struct eal_memzone *z)
{
	return (int)strnlen(z->name, sizeof(z->name));
}

/* Sums of the heaps of one socket, as eal_malloc_get_socket_stats(). */
struct socket_sum {
	int socket;
	uint64_t total, free, alloc_count, free_count;
};

static unsigned int
heap_sockets(const struct eal_mem_config *m, struct socket_sum *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < m->n_heaps; i++) {
		const struct eal_malloc_heap *h = &m->malloc_heaps[i].heap;
		struct socket_sum *s = NULL;

		for (unsigned int k = 0; k < n; k++)
			if (out[k].socket == h->socket_id)
				s = &out[k];
		if (s == NULL) {
			s = &out[n++];
			memset(s, 0, sizeof(*s));
			s->socket = h->socket_id;
		}
		s->total += h->total_size;
		s->free += h->free_size;
		s->alloc_count += h->alloc_count;
		s->free_count += h->free_count;
	}
	return n;
}

/* ======================================================================
 * Text output
 * ====================================================================== */

/* Names from the files may hold any byte: control characters and the
 * backslash are shown as \ooo, so they cannot garble the terminal. */
static void
put_text(FILE *f, const char *s, int len, int width)
{
	int shown = 0;

	for (int i = 0; i < len && s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '\\') {
			fprintf(f, "\\%03o", c);
			shown += 4;
		} else {
			fputc(c, f);
			shown++;
		}
	}
	for (; shown < width; shown++)
		fputc(' ', f);
}

static void
text_state(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;

	printf("prefix        %s\n", r->prefix);
	printf("runtime dir   %s\n", r->dir);
	if (r->header_only) {
		printf("state         starting: the primary is creating %s\n", r->config_path);
		return;
	}
	switch (r->state) {
	case STATE_RUNNING:
		printf("state         running: primary pid %d is alive\n", (int)m->primary_pid);
		break;
	case STATE_STARTING:
		printf("state         starting: primary pid %d has not finished eal_init\n",
		       (int)m->primary_pid);
		break;
	case STATE_STALE:
		printf("state         stale: primary pid %d is not running; these are the files it left\n",
		       (int)m->primary_pid);
		break;
	}
	printf("config        %s: layout 0x%08x, %u bytes, at 0x%" PRIx64 " in every process%s\n",
	       r->config_path, m->version, m->size, m->mem_cfg_addr,
	       m->complete == EAL_MCFG_COMPLETE ? "" : ", init not complete");
	printf("values        a snapshot, read without taking any lock\n");
}

static void
text_processes(const struct report *r)
{
	static const char *const attached[] = { "?", "no", "yes" };
	unsigned int secondaries = 0;

	for (unsigned int i = 0; i < r->n_procs; i++)
		if (!r->procs[i].primary && r->procs[i].attached == 1)
			secondaries++;
	printf("processes     %u attached (%s primary, %u secondar%s); the config counts %u secondar%s\n",
	       r->n_attached, r->procs[0].attached == 1 ? "the" : "no", secondaries,
	       secondaries == 1 ? "y" : "ies", r->mcfg->n_secondaries,
	       r->mcfg->n_secondaries == 1 ? "y" : "ies");
	printf("  %-8s %-10s %-6s %-9s %s\n", "PID", "ROLE", "ALIVE", "ATTACHED", "PROCESS TABLE");
	for (unsigned int i = 0; i < r->n_procs; i++) {
		const struct proc_entry *p = &r->procs[i];
		char table[48] = "-";

		if (p->in_table)
			snprintf(table, sizeof(table), "gen %u%s", p->seen_gen,
				 p->stalled ? ", stalled" : "");
		printf("  %-8d %-10s %-6s %-9s %s\n", (int)p->pid, p->primary ? "primary" : "secondary",
		       p->alive ? "yes" : "no", attached[p->attached + 1], table);
	}
}

static void
text_memory(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	char a[24], b[24];
	bool limits = false;

	printf("memory        %s", mode_name(m));
	if (m->no_huge)
		printf(": 4 KiB system pages (--no-huge, or no usable hugepages), %s%s\n",
		       m->nohuge_path[0] != '\0' ? "file " : "anonymous",
		       m->nohuge_path);
	else
		printf(" hugepages%s\n", m->single_file_segments ? ", single-file segments" : "");
	printf("              IOVA %s (requested %s), huge-unlink %s\n", iova_name(m->iova_mode_used),
	       iova_name(m->iova_mode), unlink_name(m->huge_unlink));
	printf("              VA 0x%" PRIx64 " + %s, base hint 0x%" PRIx64 ", hotplug generation %u\n",
	       m->mem_va_addr, eal__format_size(a, sizeof(a), m->mem_va_len), m->base_virtaddr,
	       m->hotplug_gen);
	for (unsigned int i = 0; i < EAL_MAX_NUMA_NODES; i++) {
		if (m->socket_limit[i] == 0)
			continue;
		printf("%s socket %u: %s", limits ? "," : "              socket limits", i,
		       eal__format_size(a, sizeof(a), m->socket_limit[i]));
		limits = true;
	}
	if (limits)
		printf("\n");

	if (m->no_huge) {
		printf("hugepages     none (no-huge mode)\n");
	} else if (r->n_types == 0) {
		printf("hugepages     none\n");
	} else {
		printf("hugepages     in use, per page size and socket\n");
		printf("  %-6s %-6s %-8s %-8s %s\n", "SIZE", "SOCKET", "USED", "LISTED", "BYTES");
		for (unsigned int i = 0; i < r->n_types; i++) {
			const struct type_use *t = &r->types[i];

			printf("  %-6s %-6d %-8" PRIu64 " %-8" PRIu64 " %s\n",
			       eal__format_size(a, sizeof(a), t->page_sz), t->socket, t->used, t->total,
			       eal__format_size(b, sizeof(b), t->used * t->page_sz));
		}
	}
}

static void
text_msls(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	char a[24], b[24];

	printf("memseg lists  %u\n", m->n_memseg_lists);
	if (m->n_memseg_lists == 0)
		return;
	printf("  %-3s %-5s %-6s %-8s %-8s %-8s %-5s %-8s %s\n", "#", "PAGE", "SOCKET", "SEGMENTS",
	       "USED", "FREE", "RUNS", "LARGEST", "VA");
	for (unsigned int i = 0; i < m->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &m->memsegs[i];
		const struct fb_snap *s = &r->msl[i];
		unsigned int len = msl->memseg_arr.len;
		struct run_stats rs;

		if (!s->ok) {
			printf("  %-3u %-5s %-6d %-8u (unreadable: %s)\n", i,
			       eal__format_size(a, sizeof(a), msl->page_sz), msl->socket_id, len, s->error);
			continue;
		}
		rs = msl_run_stats(s, len);
		printf("  %-3u %-5s %-6d %-8u %-8u %-8u %-5u %-8u 0x%" PRIx64 " + %s\n", i,
		       eal__format_size(a, sizeof(a), msl->page_sz), msl->socket_id, len, s->used,
		       len - s->used, rs.runs, rs.largest_used, msl->addr_64,
		       eal__format_size(b, sizeof(b), msl->len));
		if (rs.runs > 0) {
			unsigned int pos = 0, start, n, k = 0;

			printf("      used runs (first+count):");
			while (k < RUNS_TEXT_MAX && next_run(s, len, &pos, &start, &n)) {
				printf(" %u+%u", start, n);
				k++;
			}
			printf("%s\n", rs.runs > k ? " ..." : "");
		}
	}
}

static void
text_zones(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	char a[24], b[24];

	if (!r->have_zones) {
		printf("memzones      no memzone table yet\n");
		return;
	}
	if (!r->zones.ok) {
		printf("memzones      unreadable: %s\n", r->zones.error);
		return;
	}
	printf("memzones      %u of %u\n", r->zones.used, m->memzones.len);
	if (r->zones.used == 0)
		return;
	printf("  %-32s %-8s %-6s %-5s %-18s %s\n", "NAME", "SIZE", "SOCKET", "PAGE", "IOVA",
	       "ADDRESS");
	for (unsigned int i = 0; i < m->memzones.len; i++) {
		const struct eal_memzone *z;
		char iova[24];

		if (!fb_used(&r->zones, i))
			continue;
		z = zone_at(r, i);
		if (z->iova == EAL_BAD_IOVA)
			snprintf(iova, sizeof(iova), "none");
		else
			snprintf(iova, sizeof(iova), "0x%" PRIx64, z->iova);
		printf("  ");
		put_text(stdout, z->name, zone_name_len(z), 32);
		printf(" %-8s %-6d %-5s %-18s 0x%" PRIx64 "\n", eal__format_size(a, sizeof(a), z->len),
		       z->socket_id, eal__format_size(b, sizeof(b), z->hugepage_sz), iova, z->addr_64);
	}
}

static void
text_heaps(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	char a[24];

	printf("heaps         %u (statistics as last written, read without the heap locks; bytes)\n",
	       m->n_heaps);
	if (m->n_heaps == 0)
		return;
	printf("  %-20s %-6s %-5s %-12s %-12s %-12s %-7s %-11s %s\n", "NAME", "SOCKET", "PAGE",
	       "TOTAL", "FREE", "IN USE", "ALLOCS", "FREE BLOCKS", "REGIONS");
	for (unsigned int i = 0; i < m->n_heaps; i++) {
		const struct eal_mcfg_heap *mh = &m->malloc_heaps[i];
		const struct eal_malloc_heap *h = &mh->heap;

		printf("  ");
		put_text(stdout, h->name, (int)sizeof(h->name), 20);
		printf(" %-6d %-5s %-12" PRIu64 " %-12" PRIu64 " %-12" PRIu64 " %-7" PRIu64
		       " %-11" PRIu64 " %u\n",
		       h->socket_id, eal__format_size(a, sizeof(a), mh->page_sz), h->total_size,
		       h->free_size, h->total_size - h->free_size, h->alloc_count, h->free_count,
		       h->n_regions);
	}
}

static void
text_lock(const char *name, const struct lock_view *v)
{
	printf("              %s:", name);
	if (v->writer != 0)
		printf(" written by pid %d%s", (int)v->writer,
		       pid_alive(v->writer) ? "" : " (dead: the next taker recovers it)");
	for (unsigned int k = 0; k < v->n_readers; k++)
		printf(" read by pid %d%s", (int)v->readers[k], pid_alive(v->readers[k]) ? "" : " (dead)");
	printf("\n");
}

static void
text_locks(const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	bool any = any_lock_held(m);

	printf("locks         %s\n", any ? "held at the time of reading:" : "none held");
	if (!any)
		return;
	for (unsigned int i = 0; i < EAL_DIM(mcfg_lock_names); i++) {
		struct lock_view v = lock_view(mcfg_lock(m, i));

		if (lock_held(&v))
			text_lock(mcfg_lock_names[i], &v);
	}
	for (unsigned int i = 0; i < m->n_heaps; i++) {
		struct lock_view v = lock_view(&m->malloc_heaps[i].heap.lock);
		char name[EAL__HEAP_NAME_LEN + 8];

		if (!lock_held(&v))
			continue;
		snprintf(name, sizeof(name), "heap %s", m->malloc_heaps[i].heap.name);
		text_lock(name, &v);
	}
}

static void
print_text(const struct report *r)
{
	text_state(r);
	if (!r->header_only) {
		text_processes(r);
		text_memory(r);
		text_msls(r);
		text_zones(r);
		text_heaps(r);
		text_locks(r);
	}
	if (r->n_warnings > 0) {
		printf("warnings\n");
		for (unsigned int i = 0; i < r->n_warnings; i++)
			printf("  - %s\n", r->warnings[i]);
	}
}

/* ======================================================================
 * JSON output
 * ====================================================================== */

/* Length of the well-formed UTF-8 sequence at @p (at most @avail bytes
 * long), 0 when it is not one: no overlong forms, no surrogates, nothing
 * past U+10FFFF (RFC 3629). */
static unsigned int
utf8_seq_len(const unsigned char *p, size_t avail)
{
	static const uint32_t min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned int n;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = p[0] & 0x1fu;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = p[0] & 0x0fu;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = p[0] & 0x07u;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (unsigned int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if (cp < min_cp[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* A JSON string of the first @max bytes of @str (up to its NUL). JSON is
 * UTF-8: a byte that starts no valid sequence becomes U+FFFD. */
static void
put_json_string(FILE *f, const char *str, size_t max)
{
	const unsigned char *p = (const unsigned char *)str;
	const unsigned char *end = p + strnlen(str, max);

	fputc('"', f);
	while (p < end) {
		unsigned int n = utf8_seq_len(p, (size_t)(end - p));

		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
		} else if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
		} else if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else {
			fputc(*p++, f);
		}
	}
	fputc('"', f);
}

/* A small pretty-printing emitter: a member with a key inside objects,
 * without one (key NULL) inside arrays. */
struct json {
	FILE *f;
	unsigned int depth;
	bool has_members; /* the open container has a member already */
};

static void
j_member(struct json *j, const char *key)
{
	if (j->has_members)
		fputc(',', j->f);
	if (j->depth > 0)
		fprintf(j->f, "\n%*s", (int)(2 * j->depth), "");
	if (key != NULL) {
		put_json_string(j->f, key, SIZE_MAX);
		fputs(": ", j->f);
	}
	j->has_members = true;
}

static void
j_open(struct json *j, const char *key, char c)
{
	if (j->depth > 0 || j->has_members)
		j_member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->has_members = false;
}

static void
j_close(struct json *j, char c)
{
	j->depth--;
	if (j->has_members)
		fprintf(j->f, "\n%*s", (int)(2 * j->depth), "");
	fputc(c, j->f);
	j->has_members = true;
}

static void
j_u64(struct json *j, const char *key, uint64_t v)
{
	j_member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

static void
j_i64(struct json *j, const char *key, int64_t v)
{
	j_member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

static void
j_bool(struct json *j, const char *key, bool v)
{
	j_member(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void
j_null(struct json *j, const char *key)
{
	j_member(j, key);
	fputs("null", j->f);
}

/* @s of at most @max bytes; NULL is null. */
static void
j_strn(struct json *j, const char *key, const char *s, size_t max)
{
	j_member(j, key);
	if (s == NULL)
		fputs("null", j->f);
	else
		put_json_string(j->f, s, max);
}

static void
j_str(struct json *j, const char *key, const char *s)
{
	j_strn(j, key, s, SIZE_MAX);
}

/* An array of numbers, on one line. */
static void
j_i64_array(struct json *j, const char *key, const int64_t *v, unsigned int n)
{
	j_member(j, key);
	fputc('[', j->f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(j->f, "%s%" PRId64, i > 0 ? ", " : "", v[i]);
	fputc(']', j->f);
}

static void
json_processes(struct json *j, const struct report *r)
{
	j_open(j, "processes", '[');
	for (unsigned int i = 0; i < r->n_procs; i++) {
		const struct proc_entry *p = &r->procs[i];

		j_open(j, NULL, '{');
		j_i64(j, "pid", p->pid);
		j_str(j, "role", p->primary ? "primary" : "secondary");
		j_bool(j, "alive", p->alive);
		if (p->attached < 0)
			j_null(j, "attached");
		else
			j_bool(j, "attached", p->attached == 1);
		j_bool(j, "in_process_table", p->in_table);
		if (p->in_table) {
			j_u64(j, "seen_gen", p->seen_gen);
			j_bool(j, "stalled", p->stalled);
		} else {
			j_null(j, "seen_gen");
			j_null(j, "stalled");
		}
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void
json_memory(struct json *j, const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	int64_t limits[EAL_MAX_NUMA_NODES];

	for (unsigned int i = 0; i < EAL_MAX_NUMA_NODES; i++)
		limits[i] = (int64_t)m->socket_limit[i];
	j_open(j, "memory", '{');
	j_str(j, "mode", mode_name(m));
	j_bool(j, "no_huge", m->no_huge != 0);
	j_bool(j, "legacy_mem", m->legacy_mem != 0);
	j_bool(j, "single_file_segments", m->single_file_segments != 0);
	j_str(j, "huge_unlink", unlink_name(m->huge_unlink));
	j_str(j, "iova_mode", iova_name(m->iova_mode_used));
	j_str(j, "iova_mode_requested", iova_name(m->iova_mode));
	j_strn(j, "nohuge_file", m->nohuge_path[0] != '\0' ? m->nohuge_path : NULL,
	       sizeof(m->nohuge_path));
	j_u64(j, "base_virtaddr", m->base_virtaddr);
	j_u64(j, "va_addr", m->mem_va_addr);
	j_u64(j, "va_len", m->mem_va_len);
	j_u64(j, "hotplug_gen", m->hotplug_gen);
	j_i64_array(j, "socket_limit", limits, EAL_MAX_NUMA_NODES);
	j_close(j, '}');

	j_open(j, "hugepages", '[');
	for (unsigned int i = 0; !m->no_huge && i < r->n_types; i++) {
		const struct type_use *t = &r->types[i];

		j_open(j, NULL, '{');
		j_u64(j, "page_size", t->page_sz);
		j_i64(j, "socket", t->socket);
		j_u64(j, "used", t->used);
		j_u64(j, "listed", t->total);
		j_u64(j, "used_bytes", t->used * t->page_sz);
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void
json_msls(struct json *j, const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;

	j_open(j, "memseg_lists", '[');
	for (unsigned int i = 0; i < m->n_memseg_lists; i++) {
		const struct eal_memseg_list *msl = &m->memsegs[i];
		const struct fb_snap *s = &r->msl[i];
		unsigned int len = msl->memseg_arr.len, pos = 0, start, n, k = 0;
		struct run_stats rs = { 0, 0, 0 };

		j_open(j, NULL, '{');
		j_u64(j, "index", i);
		j_strn(j, "fbarray", msl->memseg_arr.name, sizeof(msl->memseg_arr.name));
		j_u64(j, "page_size", msl->page_sz);
		j_i64(j, "socket", msl->socket_id);
		j_u64(j, "base_va", msl->addr_64);
		j_u64(j, "va_len", msl->len);
		j_bool(j, "external", msl->external != 0);
		j_u64(j, "segments", len);
		if (!s->ok) {
			j_null(j, "used");
			j_null(j, "free");
			j_str(j, "error", s->error);
			j_close(j, '}');
			continue;
		}
		rs = msl_run_stats(s, len);
		j_u64(j, "used", s->used);
		j_u64(j, "free", len - s->used);
		j_u64(j, "n_runs", rs.runs);
		j_u64(j, "largest_used_run", rs.largest_used);
		j_u64(j, "largest_free_run", rs.largest_free);
		j_open(j, "runs", '[');
		while (k < RUNS_JSON_MAX && next_run(s, len, &pos, &start, &n)) {
			j_member(j, NULL);
			fprintf(j->f, "[%u, %u]", start, n);
			k++;
		}
		j_close(j, ']');
		j_bool(j, "runs_truncated", rs.runs > k);
		j_null(j, "error");
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void
json_zones(struct json *j, const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;

	j_open(j, "memzone_table", '{');
	j_bool(j, "exists", r->have_zones);
	j_u64(j, "max", r->have_zones ? m->memzones.len : 0);
	if (r->have_zones && r->zones.ok)
		j_u64(j, "used", r->zones.used);
	else
		j_null(j, "used");
	j_strn(j, "error", r->have_zones && !r->zones.ok ? r->zones.error : NULL, MSG_LEN);
	j_close(j, '}');

	j_open(j, "memzones", '[');
	for (unsigned int i = 0; r->have_zones && r->zones.ok && i < m->memzones.len; i++) {
		const struct eal_memzone *z;

		if (!fb_used(&r->zones, i))
			continue;
		z = zone_at(r, i);
		j_open(j, NULL, '{');
		j_strn(j, "name", z->name, sizeof(z->name));
		j_u64(j, "size", z->len);
		j_i64(j, "socket", z->socket_id);
		if (z->iova == EAL_BAD_IOVA)
			j_null(j, "iova");
		else
			j_u64(j, "iova", z->iova);
		j_u64(j, "addr", z->addr_64);
		j_u64(j, "page_size", z->hugepage_sz);
		j_u64(j, "flags", z->flags);
		j_u64(j, "index", i);
		j_close(j, '}');
	}
	j_close(j, ']');
}

static void
json_lock(struct json *j, const char *key, const struct lock_view *v)
{
	int64_t readers[EAL_RWLOCK_READER_SLOTS];

	for (unsigned int k = 0; k < v->n_readers; k++)
		readers[k] = v->readers[k];
	j_open(j, key, '{');
	if (v->writer != 0) {
		j_i64(j, "writer", v->writer);
		j_bool(j, "writer_alive", pid_alive(v->writer));
	} else {
		j_null(j, "writer");
		j_null(j, "writer_alive");
	}
	j_i64_array(j, "readers", readers, v->n_readers);
	j_close(j, '}');
}

static void
json_heaps(struct json *j, const struct report *r)
{
	const struct eal_mem_config *m = r->mcfg;
	struct socket_sum sums[EAL_MAX_HEAPS];
	unsigned int n_sums = heap_sockets(m, sums);

	j_open(j, "heaps", '[');
	for (unsigned int i = 0; i < m->n_heaps; i++) {
		const struct eal_mcfg_heap *mh = &m->malloc_heaps[i];
		const struct eal_malloc_heap *h = &mh->heap;
		struct lock_view v = lock_view(&h->lock);

		j_open(j, NULL, '{');
		j_u64(j, "index", i);
		j_strn(j, "name", h->name, sizeof(h->name));
		j_i64(j, "socket", h->socket_id);
		j_u64(j, "page_size", mh->page_sz);
		j_u64(j, "total_bytes", h->total_size);
		j_u64(j, "free_bytes", h->free_size);
		j_u64(j, "alloc_bytes", h->total_size - h->free_size);
		j_u64(j, "alloc_count", h->alloc_count);
		j_u64(j, "free_count", h->free_count);
		j_u64(j, "regions", h->n_regions);
		json_lock(j, "lock", &v);
		j_close(j, '}');
	}
	j_close(j, ']');

	j_open(j, "heap_sockets", '[');
	for (unsigned int i = 0; i < n_sums; i++) {
		j_open(j, NULL, '{');
		j_i64(j, "socket", sums[i].socket);
		j_u64(j, "total_bytes", sums[i].total);
		j_u64(j, "free_bytes", sums[i].free);
		j_u64(j, "alloc_bytes", sums[i].total - sums[i].free);
		j_u64(j, "alloc_count", sums[i].alloc_count);
		j_u64(j, "free_count", sums[i].free_count);
		j_close(j, '}');
	}
	j_close(j, ']');

	j_open(j, "locks", '{');
	for (unsigned int i = 0; i < EAL_DIM(mcfg_lock_names); i++) {
		struct lock_view v = lock_view(mcfg_lock(m, i));

		json_lock(j, mcfg_lock_names[i], &v);
	}
	j_close(j, '}');
}

/* The members every JSON object starts with. */
static void
json_head(struct json *j, const struct report *r, const char *state, int status)
{
	j_str(j, "tool", PROG);
	j_str(j, "libeal_version", EAL_VERSION);
	j_str(j, "prefix", r->prefix);
	j_str(j, "runtime_dir", r->dir[0] != '\0' ? r->dir : NULL);
	j_str(j, "config_file", r->config_path[0] != '\0' ? r->config_path : NULL);
	j_str(j, "state", state);
	j_i64(j, "exit_status", status);
}

static void
json_warnings(struct json *j, const struct report *r)
{
	j_open(j, "warnings", '[');
	for (unsigned int i = 0; i < r->n_warnings; i++)
		j_str(j, NULL, r->warnings[i]);
	j_close(j, ']');
}

static void
print_json(const struct report *r)
{
	struct json j = { .f = stdout };
	const struct eal_mem_config *m = r->mcfg;

	j_open(&j, NULL, '{');
	json_head(&j, r, state_names[r->state], exit_status(r));
	j_bool(&j, "lock_held", r->lock_held);
	if (r->header_only) {
		j_str(&j, "message", "the primary is creating the config; try again");
		json_warnings(&j, r);
		j_close(&j, '}');
		fputc('\n', stdout);
		return;
	}
	j_bool(&j, "snapshot", true);
	j_open(&j, "config", '{');
	j_u64(&j, "layout_version", m->version);
	j_u64(&j, "size", m->size);
	j_bool(&j, "complete", m->complete == EAL_MCFG_COMPLETE);
	j_u64(&j, "address", m->mem_cfg_addr);
	j_close(&j, '}');
	j_i64(&j, "primary_pid", m->primary_pid);
	j_bool(&j, "primary_alive", r->procs != NULL && r->procs[0].alive);
	j_u64(&j, "process_count", r->n_attached);
	j_u64(&j, "secondaries_counter", m->n_secondaries);
	json_processes(&j, r);
	json_memory(&j, r);
	json_msls(&j, r);
	json_zones(&j, r);
	json_heaps(&j, r);
	json_warnings(&j, r);
	j_close(&j, '}');
	fputc('\n', stdout);
}

/* What --json prints when there is no report: absent, invalid. */
static void
print_json_error(const struct report *r, int status)
{
	struct json j = { .f = stdout };

	j_open(&j, NULL, '{');
	json_head(&j, r, status == EXIT_ABSENT ? "absent" : "invalid", status);
	j_str(&j, "error", last_error);
	j_close(&j, '}');
	fputc('\n', stdout);
}

/* ======================================================================
 * Command line
 * ====================================================================== */

struct opts {
	const char *prefix;
	const char *runtime_dir;
	bool json;
	bool list;  /* --list */
	bool clean; /* --clean */
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG " [--file-prefix PREFIX] [--runtime-dir DIR] [--json]\n"
		"       " PROG " --list [--runtime-dir DIR]\n"
		"       " PROG " --clean --file-prefix PREFIX [--runtime-dir DIR]\n"
		"\n"
		"Show what the libeal application running (or left behind) under PREFIX\n"
		"holds, from its runtime files, without attaching to it or taking a lock.\n"
		"\n"
		"      --file-prefix PREFIX  the application's --file-prefix (default eal)\n"
		"      --runtime-dir DIR     the application's --runtime-dir (default: as libeal,\n"
		"                            $RUNTIME_DIRECTORY/eal, /var/run/eal as root,\n"
		"                            $XDG_RUNTIME_DIR/eal, else /tmp/eal-<uid>)\n"
		"      --json                print one JSON object (docs/eal-info.md)\n"
		"      --list                every prefix under the runtime base and its state:\n"
		"                            live, orphans (secondaries of a primary that is\n"
		"                            gone), dead, stale files\n"
		"      --clean               remove PREFIX's runtime files, hugepage files and\n"
		"                            --no-huge file; refused while a process of it lives\n"
		"  -h, --help                this text\n"
		"\n"
		"Exit status: 0 running (--list: prefixes found; --clean: done), 1 nothing\n"
		"runs under PREFIX, 2 usage error, 3 stale files of a primary that died,\n"
		"4 files that cannot be read, 5 --clean refused: a process of PREFIX lives.\n");
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_PREFIX = 256, OPT_RUNTIME_DIR, OPT_JSON, OPT_LIST, OPT_CLEAN };
	static const struct option longopts[] = {
		{ "file-prefix", required_argument, NULL, OPT_PREFIX },
		{ "runtime-dir", required_argument, NULL, OPT_RUNTIME_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "clean", no_argument, NULL, OPT_CLEAN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_PREFIX:
			o->prefix = optarg;
			break;
		case OPT_RUNTIME_DIR:
			o->runtime_dir = optarg;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_CLEAN:
			o->clean = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_RUNNING;
		case ':':
			say_error("%s needs a value; see --help", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			say_error("unknown option %s; see --help", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		say_error("unexpected argument '%s'; see --help", argv[optind]);
		return EXIT_USAGE;
	}
	if ((o->list && (o->clean || o->json || o->prefix != NULL)) ||
	    (o->clean && (o->json || o->prefix == NULL))) {
		say_error("--list takes only --runtime-dir; --clean needs --file-prefix (and no --json); see --help");
		return EXIT_USAGE;
	}
	return CONTINUE;
}

int
main(int argc, char **argv)
{
	static struct report r;
	struct opts o;
	int rc;

	r.dir_fd = -1;
	eal_log_set_handler(log_line, NULL);
	rc = parse_args(argc, argv, &o);
	if (rc != CONTINUE)
		return rc;
	rc = resolve_dir(&r, o.prefix, o.runtime_dir);
	if (rc == CONTINUE && o.list) {
		*strrchr(r.dir, '/') = '\0'; /* "<base>/<prefix>": the base */
		return eal_info_list(r.dir);
	}
	if (rc == CONTINUE && o.clean)
		return eal_info_clean(r.dir, r.prefix);
	if (rc == CONTINUE)
		rc = open_dir(&r);
	if (rc == CONTINUE)
		rc = load_config(&r);
	if (rc != CONTINUE) {
		if (o.json && rc != EXIT_USAGE)
			print_json_error(&r, rc);
		report_free(&r);
		return rc;
	}
	if (!r.header_only) {
		if (load_processes(&r) < 0) {
			say_error("out of memory");
			report_free(&r);
			return EXIT_INVALID;
		}
		load_fbarrays(&r);
	}
	if (r.state == STATE_STALE)
		fprintf(stderr, PROG ": stale: primary pid %d is not running\n",
			(int)r.mcfg->primary_pid);
	if (o.json)
		print_json(&r);
	else
		print_text(&r);
	rc = exit_status(&r);
	report_free(&r);
	return rc;
}
