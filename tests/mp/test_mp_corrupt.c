/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Corrupted runtime files (issue 8 item 2), on real 2 MiB hugepages.
 *
 * Each case starts a primary of one memory mode (dynamic, --legacy-mem,
 * --no-huge), SIGKILLs it once its init completed so that its files stay
 * behind with nobody holding them, damages one file, and then:
 *  - a secondary refuses with the expected eal_errno and an ERR line that
 *    names the problem, and exits normally (no crash, no hang). Without a
 *    primary a secondary stops at the liveness check (ESRCH) before
 *    reading anything, so the test itself takes the config's lock while
 *    the secondary runs: the file checks are what is exercised;
 *  - a new primary with the same prefix starts, reserves a memzone and
 *    uses the heap, and once it exits the free hugepage count is back to
 *    its baseline and no file of the prefix is left anywhere (runtime
 *    directory, hugetlbfs, /dev/shm).
 * Damage: truncated config, wrong magic, a newer layout version, counts
 * beyond their maximum in the config; random bytes, a flipped byte, a
 * truncation or an impossible count in hugepage_info and hugepage_data,
 * entries pointing outside hugetlbfs or past their memseg list (with a
 * valid checksum, so the field checks and not the checksum refuse them);
 * fbarray files shorter than the struct in the config says; a truncated
 * or unnamed 4 KiB memory file.
 *
 * Files read once at attach (hugepage_info, hugepage_data) are also
 * damaged under a live primary: the secondary refuses, and once the file
 * is put back the next secondary attaches and the primary exits cleanly.
 *
 * Needs 16 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memcfg.h"
#include "eal_memzone.h"
#include "eal_private.h"

#define PFX "--file-prefix"
#define RTD "--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())
#define WAIT_MS 30000

/* ======================================================================
 * Child side
 * ====================================================================== */

/* Every ERR (or worse) line of the child, joined with " | ". */
static char err_lines[3000];

static void
collect_err(void *arg, enum eal_log_level level, const char *comp, const char *line)
{
	size_t n = strlen(err_lines);

	(void)arg;
	(void)comp;
	if (level > EAL_LOG_ERR || n + 4 >= sizeof(err_lines))
		return;
	snprintf(err_lines + n, sizeof(err_lines) - n, "%s%s", n > 0 ? " | " : "", line);
}

/* Use the memory as an application would: a memzone and a heap block,
 * written and read back. 0, or the line of the first failed step. */
static int
use_memory(void)
{
	const struct eal_memzone *mz;
	char name[32];
	uint8_t *p;

	snprintf(name, sizeof(name), "corrupt_%d", (int)getpid());
	mz = eal_memzone_reserve(name, 1 << 20, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL)
		return __LINE__;
	memset(mz->addr, 0x5a, mz->len);
	if (((const uint8_t *)mz->addr)[mz->len - 1] != 0x5a || eal_memzone_free(mz) != 0)
		return __LINE__;
	p = eal_malloc("corrupt", 64 << 10, 0);
	if (p == NULL)
		return __LINE__;
	memset(p, 0xa5, 64 << 10);
	if (p[(64 << 10) - 1] != 0xa5)
		return __LINE__;
	eal_free(p);
	return eal_malloc_validate() == 0 ? 0 : __LINE__;
}

/* "try": eal_init with the arguments; prints "err <eal_errno> <ERR
 * lines>" or, after using the memory, "ok <process type> <0 or line>". */
static int
child_try(int argc, char **argv)
{
	char *args[64];
	int n = 0, work;

	args[n++] = (char *)"child";
	for (int i = 0; i < argc && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	eal_log_set_handler(collect_err, NULL);
	if (eal_init(n, args) < 0) {
		printf("err %d %s\n", eal_errno, err_lines);
		fflush(stdout);
		return 1;
	}
	work = use_memory();
	printf("ok %d %d\n", (int)eal_process_type(), work);
	fflush(stdout);
	return eal_cleanup() == 0 ? 0 : 2;
}

/* ======================================================================
 * Parent side: processes
 * ====================================================================== */

struct mode {
	const char *name;
	const char *args[4]; /* NULL-terminated */
	bool huge;           /* backed by hugepage files */
};

/* -m: memory the primary maps at init, so the killed primary leaves page
 * files behind for the secondary to map and the next primary to reclaim. */
static const struct mode dyn = { "dynamic", { "-m", "4", NULL }, true };
static const struct mode legacy = { "legacy", { "--legacy-mem", "-m", "4", NULL }, true };
static const struct mode nohuge = { "no-huge", { "--no-huge", "-m", "16", NULL }, false };

struct outcome {
	bool ok;
	int type, work, err, status;
	char msg[sizeof(err_lines)];
};

/* Run "try" for @prefix with the mode's arguments and up to two more. */
static void
try_init(struct outcome *o, const char *prefix, const struct mode *m, const char *a1,
	 const char *a2)
{
	char *args[16], line[sizeof(err_lines) + 64];
	int n = 0, fd, off = 0;
	pid_t pid;

	args[n++] = (char *)PFX;
	args[n++] = (char *)prefix;
	args[n++] = (char *)RTD;
	args[n++] = BASE;
	for (unsigned int i = 0; m != NULL && m->args[i] != NULL; i++)
		args[n++] = (char *)m->args[i];
	if (a1 != NULL)
		args[n++] = (char *)a1;
	if (a2 != NULL)
		args[n++] = (char *)a2;
	args[n] = NULL;
	memset(o, 0, sizeof(*o));
	pid = eal_test_spawnv("try", &fd, args);
	assert_true(pid > 0);
	if (eal_test_read_line(fd, line, sizeof(line), WAIT_MS) < 0)
		line[0] = '\0';
	close(fd);
	o->status = eal_test_wait(pid, WAIT_MS);
	if (sscanf(line, "ok %d %d", &o->type, &o->work) == 2) {
		o->ok = true;
	} else if (sscanf(line, "err %d %n", &o->err, &off) == 1 && off > 0) {
		snprintf(o->msg, sizeof(o->msg), "%s", line + off);
	} else {
		o->err = -1;
		snprintf(o->msg, sizeof(o->msg), "no answer (status %d): '%s'", o->status, line);
	}
}

/* A primary of @m for @prefix, SIGKILLed once init completed. */
static void
killed_primary(const char *prefix, const struct mode *m)
{
	char line[256];
	pid_t pid;

	pid = eal_test_start_holder(line, sizeof(line), PFX, prefix, RTD, BASE, m->args[0],
				    m->args[1], m->args[2], NULL);
	assert_true(pid > 0);
	if (strncmp(line, "ok 0 ", 5) != 0) {
		kill(pid, SIGKILL);
		eal_test_wait(pid, WAIT_MS);
		fail_msg("%s primary of %s did not start: '%s'", m->name, prefix, line);
	}
	kill(pid, SIGKILL);
	assert_int_equal(eal_test_wait(pid, WAIT_MS), 128 + SIGKILL);
}

static void
rt_path(char *buf, size_t size, const char *prefix, const char *file)
{
	snprintf(buf, size, "%s/%s/%s", BASE, prefix, file);
}

static const char *
shm_path(const char *prefix)
{
	static char path[256];

	snprintf(path, sizeof(path), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)geteuid(), prefix);
	return path;
}

/* Hold the config's primary lock, as a live primary does, so that a
 * secondary gets past the liveness check to the file checks. */
static int
impersonate_primary(const char *prefix)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 64 };
	char path[PATH_MAX];
	int fd;

	rt_path(path, sizeof(path), prefix, "config");
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	return fd;
}

/* Nothing of @prefix is left and the hugepages are all back. */
static void
assert_no_trace(const char *prefix, long free_base)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", BASE, prefix);
	assert_int_equal(eal_test_dir_entries(dir), -1);
	assert_int_equal(eal_test_prefix_files(eal_test_huge_mount_2m(), prefix), 0);
	assert_int_equal(access(shm_path(prefix), F_OK), -1);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

/* A new primary of @m takes over @prefix, works, and leaves nothing. */
static void
assert_new_primary_replaces(const char *prefix, const struct mode *m, long free_base)
{
	struct outcome o;

	try_init(&o, prefix, m, NULL, NULL);
	if (!o.ok)
		fail_msg("new %s primary of %s refused: errno %d: %s", m->name, prefix, o.err, o.msg);
	assert_int_equal(o.type, EAL_PROC_PRIMARY);
	assert_int_equal(o.work, 0);
	assert_int_equal(o.status, 0);
	assert_no_trace(prefix, free_base);
}

/* The secondary refused with @err and an ERR line holding @needle, and
 * exited by itself (status 1: no crash, no timeout). */
static void
assert_refused(const struct outcome *o, const char *what, int err, const char *needle)
{
	if (o->ok)
		fail_msg("%s: the secondary attached", what);
	print_message("# %s: %s (%d): %s\n", what, strerror(o->err), o->err, o->msg);
	if (o->err != err || strstr(o->msg, needle) == NULL)
		fail_msg("%s: errno %d (want %d), message '%s' (want '%s')", what, o->err, err,
			 o->msg, needle);
	assert_int_equal(o->status, 1);
}

/* ======================================================================
 * Damage
 * ====================================================================== */

static long
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

static void
read_all(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, 0), (ssize_t)len);
	close(fd);
}

/* Replace @path's contents with @len bytes (a new inode, as the primary
 * writes these files, so a live primary's mappings are not touched). */
static void
write_all(const char *path, const void *buf, size_t len)
{
	char tmp[PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
}

static void
patch(const char *path, long off, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, data, len, off), (ssize_t)len);
	close(fd);
}

static void
patch_u32(const char *path, long off, uint32_t v)
{
	patch(path, off, &v, sizeof(v));
}

static uint32_t
read_u32(const char *path, long off)
{
	uint32_t v = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, sizeof(v), off), (ssize_t)sizeof(v));
	close(fd);
	return v;
}

static void
truncate_half(const char *path)
{
	assert_int_equal(truncate(path, file_size(path) / 2), 0);
}

static void
truncate_16(const char *path)
{
	assert_int_equal(truncate(path, 16), 0);
}

static void
truncate_0(const char *path)
{
	assert_int_equal(truncate(path, 0), 0);
}

static void
random_bytes(const char *path)
{
	size_t len = (size_t)file_size(path);
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)eal_test_rng64();
	write_all(path, buf, len);
	free(buf);
}

/* One bit deep inside the file: the header still looks right. */
static void
flip_middle_byte(const char *path)
{
	long off = file_size(path) / 2 + 3;
	uint8_t b;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &b, 1, off), 1);
	b ^= 0x10;
	assert_int_equal(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static void
config_bad_magic(const char *path)
{
	uint64_t magic = 0x0123456789abcdefull;

	patch(path, offsetof(struct eal_mem_config, magic), &magic, sizeof(magic));
}

static void
config_newer_version(const char *path)
{
	long off = offsetof(struct eal_mem_config, version);

	patch_u32(path, off, read_u32(path, off) + 1);
}

static void
config_many_lists(const char *path)
{
	patch_u32(path, offsetof(struct eal_mem_config, n_memseg_lists), 100000);
}

/* The memzone table and the first memseg list claim twice their length:
 * sizes that the files (and the memzone index) do not have. */
static void
config_memzones_longer(const char *path)
{
	long off = offsetof(struct eal_mem_config, memzones) + offsetof(struct eal_fbarray, len);

	patch_u32(path, off, read_u32(path, off) * 2);
}

static void
config_memseg_list_longer(const char *path)
{
	long off = offsetof(struct eal_mem_config, memsegs) +
		   offsetof(struct eal_memseg_list, memseg_arr) + offsetof(struct eal_fbarray, len);

	patch_u32(path, off, read_u32(path, off) * 2);
}

static void
config_null_address(const char *path)
{
	uint64_t zero = 0;

	patch(path, offsetof(struct eal_mem_config, mem_cfg_addr), &zero, sizeof(zero));
}

static void
config_foreign_nohuge_path(const char *path)
{
	static const char name[] = "/etc/passwd";

	patch(path, offsetof(struct eal_mem_config, nohuge_path), name, sizeof(name));
}

/* hugepage_info: u32 n_sizes at byte 20 of the little-endian header
 * (docs/hugepages.md); the count is checked before the checksum. */
static void
hpi_many_sizes(const char *path)
{
	uint8_t v[4] = { 0xe8, 0x03, 0, 0 }; /* 1000 */

	patch(path, 20, v, sizeof(v));
}

/*
 * hugepage_data (private to src/eal_hugepage_legacy.c, native byte order):
 * a 40-byte header {u64 magic, u32 version, hdr_size, entry_size, count,
 * flags, reserved, u64 checksum} and 128-byte entries {char name[96], u64
 * va, iova, size, i32 socket, u32 size_idx}; the checksum is FNV-1a 64 of
 * the whole file with its own field zero. The crafted cases recompute it,
 * so that the field checks, not the checksum, have to refuse them.
 */
#define HPD_COUNT 20
#define HPD_CSUM 32
#define HPD_HDR 40
#define HPD_ENT 128
#define HPD_E_VA 96
#define HPD_E_SIZE_IDX 124

static void
hpd_reseal(uint8_t *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	memset(buf + HPD_CSUM, 0, 8);
	for (size_t i = 0; i < len; i++)
		h = (h ^ buf[i]) * 0x100000001b3ull;
	memcpy(buf + HPD_CSUM, &h, 8);
}

/* Load, let @edit change the first entry, reseal, store. */
static void
hpd_edit(const char *path, void (*edit)(uint8_t *entry))
{
	size_t len = (size_t)file_size(path);
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	assert_true(len >= HPD_HDR + HPD_ENT);
	read_all(path, buf, len);
	edit(buf + HPD_HDR);
	hpd_reseal(buf, len);
	write_all(path, buf, len);
	free(buf);
}

static void
edit_name_outside(uint8_t *e)
{
	memset(e, 0, 96);
	memcpy(e, "../../../etc/passwd", sizeof("../../../etc/passwd"));
}

static void
edit_va_beyond(uint8_t *e)
{
	uint64_t va;

	memcpy(&va, e + HPD_E_VA, 8);
	va += 1ull << 40;
	memcpy(e + HPD_E_VA, &va, 8);
}

static void
edit_size_idx(uint8_t *e)
{
	uint32_t idx = 7;

	memcpy(e + HPD_E_SIZE_IDX, &idx, 4);
}

static void
hpd_name_outside(const char *path)
{
	hpd_edit(path, edit_name_outside);
}

static void
hpd_va_beyond(const char *path)
{
	hpd_edit(path, edit_va_beyond);
}

static void
hpd_size_idx_beyond(const char *path)
{
	hpd_edit(path, edit_size_idx);
}

/* More entries than the file holds, checksum kept right. */
static void
hpd_count_beyond(const char *path)
{
	size_t len = (size_t)file_size(path);
	uint8_t *buf = malloc(len);
	uint32_t count;

	assert_non_null(buf);
	read_all(path, buf, len);
	memcpy(&count, buf + HPD_COUNT, 4);
	count += 1000;
	memcpy(buf + HPD_COUNT, &count, 4);
	hpd_reseal(buf, len);
	write_all(path, buf, len);
	free(buf);
}

/* ======================================================================
 * Cases
 * ====================================================================== */

struct corruption {
	const char *what;
	const struct mode *mode;
	const char *file;              /* in the runtime dir; NULL: the 4 KiB memory file */
	void (*damage)(const char *path);
	int err;                       /* the secondary's eal_errno */
	const char *needle;            /* in its ERR lines */
	const struct mode *next;       /* the replacing primary's mode (NULL: the same) */
};

#define MS0 "fbarray_memseg-2048k-0-0"

static const struct corruption cases[] = {
	/* the shared config */
	{ "config truncated to 16 bytes", &dyn, "config", truncate_16, EPROTO,
	  "is 16 bytes, shorter than a shared config", NULL },
	{ "config truncated to 0 bytes", &legacy, "config", truncate_0, EPROTO,
	  "is 0 bytes, shorter than a shared config", NULL },
	{ "config with a wrong magic", &dyn, "config", config_bad_magic, EPROTO,
	  "is not a libeal shared config (bad magic", NULL },
	{ "config of a newer layout version", &dyn, "config", config_newer_version, EPROTO,
	  "primary and secondary must use the same libeal version", NULL },
	{ "config with a wrong magic, no-huge", &nohuge, "config", config_bad_magic, EPROTO,
	  "bad magic", NULL },
	{ "config of a newer layout version, no-huge", &nohuge, "config", config_newer_version,
	  EPROTO, "same libeal version", NULL },
	{ "config truncated, no-huge", &nohuge, "config", truncate_half, EPROTO,
	  "shorter than a shared config", NULL },
	{ "config counting more memseg lists than exist", &dyn, "config", config_many_lists,
	  EPROTO, "100000 memseg lists", NULL },
	{ "config with a memzone table longer than its index", &dyn, "config",
	  config_memzones_longer, EPROTO, "does not fit this build", NULL },
	{ "config with a memseg list longer than its file", &dyn, "config",
	  config_memseg_list_longer, EINVAL, "fbarray 'memseg-2048k-0-0'", NULL },
	{ "config mapped at address 0", &dyn, "config", config_null_address, EPROTO,
	  "address 0x0", NULL },
	{ "config naming a 4 KiB memory file outside /dev/shm", &nohuge, "config",
	  config_foreign_nohuge_path, EPROTO, "no valid 4 KiB memory file", NULL },
	/* hugepage_info */
	{ "hugepage_info of random bytes", &dyn, "hugepage_info", random_bytes, EPROTO,
	  "hugepage_info record (bad magic)", &legacy },
	{ "hugepage_info with a flipped byte", &dyn, "hugepage_info", flip_middle_byte, EPROTO,
	  "checksum mismatch", NULL },
	{ "hugepage_info truncated", &dyn, "hugepage_info", truncate_half, EPROTO,
	  "truncated", NULL },
	{ "hugepage_info counting 1000 page sizes", &dyn, "hugepage_info", hpi_many_sizes, EPROTO,
	  "1000 page sizes, at most", NULL },
	{ "hugepage_info of random bytes, legacy", &legacy, "hugepage_info", random_bytes, EPROTO,
	  "bad magic", NULL },
	/* hugepage_data */
	{ "hugepage_data of random bytes", &legacy, "hugepage_data", random_bytes, EPROTO,
	  "not a legacy page table", &dyn },
	{ "hugepage_data with a flipped byte", &legacy, "hugepage_data", flip_middle_byte, EPROTO,
	  "bad checksum", NULL },
	{ "hugepage_data truncated", &legacy, "hugepage_data", truncate_half, EPROTO,
	  "its length does not match its page count", NULL },
	{ "hugepage_data counting more pages than it holds", &legacy, "hugepage_data",
	  hpd_count_beyond, EPROTO, "its length does not match its page count", NULL },
	{ "hugepage_data naming a file outside hugetlbfs", &legacy, "hugepage_data",
	  hpd_name_outside, EPROTO, "an entry does not match the shared config", NULL },
	{ "hugepage_data with a page past its memseg list", &legacy, "hugepage_data",
	  hpd_va_beyond, EPROTO, "an entry does not match the shared config", NULL },
	{ "hugepage_data with a page size index beyond hugepage_info", &legacy, "hugepage_data",
	  hpd_size_idx_beyond, EPROTO, "an entry does not match the shared config", NULL },
	/* fbarray files shorter than the struct in the config says */
	{ "memzone fbarray truncated", &dyn, "fbarray_memzone", truncate_half, EINVAL,
	  "fbarray 'memzone'", NULL },
	{ "memseg fbarray truncated", &dyn, MS0, truncate_16, EINVAL,
	  "fbarray 'memseg-2048k-0-0'", NULL },
	{ "memseg fbarray truncated, legacy", &legacy, MS0, truncate_half, EINVAL,
	  "fbarray 'memseg-2048k-0-0'", NULL },
	{ "memseg fbarray truncated, no-huge", &nohuge, "fbarray_memseg-4k-0-0", truncate_half,
	  EINVAL, "fbarray 'memseg-4k-0-0'", NULL },
	/* the 4 KiB memory file of --no-huge */
	{ "no-huge memory file truncated", &nohuge, NULL, truncate_half, EPROTO,
	  "shorter than the", NULL },
};

static void
run_case(const struct corruption *c, unsigned int i, long free_base)
{
	char prefix[32], path[PATH_MAX];
	struct outcome o;
	int lock_fd;

	snprintf(prefix, sizeof(prefix), "corrupt%u", i);
	killed_primary(prefix, c->mode);
	if (c->file != NULL)
		rt_path(path, sizeof(path), prefix, c->file);
	else
		snprintf(path, sizeof(path), "%s", shm_path(prefix));
	c->damage(path);

	lock_fd = impersonate_primary(prefix);
	try_init(&o, prefix, NULL, "--proc-type=secondary", "--attach-timeout=300");
	close(lock_fd);
	assert_refused(&o, c->what, c->err, c->needle);

	assert_new_primary_replaces(prefix, c->next != NULL ? c->next : c->mode, free_base);
}

/* One test per case, so a failure names it. */
static void
test_case(void **state)
{
	const struct corruption *c = *state;

	run_case(c, (unsigned int)(c - cases), eal_test_free_hugepages_2m());
}

/* Without anyone holding the config, a secondary stops at the liveness
 * check, whatever the files contain; the files are not even read. */
static void
test_dead_primary_damaged_files(void **state)
{
	const char *prefix = "corrupt_dead";
	long free_base = eal_test_free_hugepages_2m();
	char path[PATH_MAX];
	struct outcome o;

	(void)state;
	killed_primary(prefix, &legacy);
	rt_path(path, sizeof(path), prefix, "hugepage_info");
	random_bytes(path);
	rt_path(path, sizeof(path), prefix, "hugepage_data");
	random_bytes(path);
	/* A record the dead primary was still writing (see
	 * eal__os_write_file_atomic): the next primary removes it too. */
	rt_path(path, sizeof(path), prefix, "hugepage_data.tmp-99999999");
	write_all(path, "partial", 7);
	try_init(&o, prefix, NULL, "--proc-type=secondary", NULL);
	assert_refused(&o, "dead primary", ESRCH, "no primary process runs");
	assert_new_primary_replaces(prefix, &legacy, free_base);
}

/* Damage @file of a live @m primary: the secondary refuses, the primary
 * is unaffected (a secondary attaches once the file is back, and it
 * exits cleanly), and nothing is left. */
static void
live_case(const char *prefix, const struct mode *m, const char *file,
	  void (*damage)(const char *path), const char *needle)
{
	long free_base = eal_test_free_hugepages_2m();
	char line[256], path[PATH_MAX];
	struct outcome o, o2;
	size_t len;
	uint8_t *saved;
	pid_t holder;

	holder = eal_test_start_holder(line, sizeof(line), PFX, prefix, RTD, BASE, m->args[0],
				       m->args[1], m->args[2], NULL);
	assert_true(holder > 0);
	rt_path(path, sizeof(path), prefix, file);
	len = (size_t)file_size(path);
	saved = malloc(len);
	assert_non_null(saved);
	read_all(path, saved, len);
	damage(path);
	try_init(&o, prefix, NULL, "--proc-type=secondary", NULL);
	write_all(path, saved, len);
	free(saved);
	try_init(&o2, prefix, NULL, "--proc-type=secondary", NULL);
	assert_int_equal(eal_test_stop_holder(holder), 0);

	assert_int_equal(strncmp(line, "ok 0 ", 5), 0);
	assert_refused(&o, file, EPROTO, needle);
	if (!o2.ok)
		fail_msg("secondary after repair: errno %d: %s", o2.err, o2.msg);
	assert_int_equal(o2.type, EAL_PROC_SECONDARY);
	assert_int_equal(o2.work, 0);
	assert_int_equal(o2.status, 0);
	assert_no_trace(prefix, free_base);
}

static void
test_live_hugepage_info(void **state)
{
	(void)state;
	live_case("live_hpi", &dyn, "hugepage_info", random_bytes, "bad magic");
	live_case("live_hpi_flip", &dyn, "hugepage_info", flip_middle_byte, "checksum mismatch");
}

static void
test_live_hugepage_data(void **state)
{
	(void)state;
	live_case("live_hpd", &legacy, "hugepage_data", random_bytes, "not a legacy page table");
	live_case("live_hpd_va", &legacy, "hugepage_data", hpd_va_beyond,
		  "an entry does not match the shared config");
	live_case("live_hpd_count", &legacy, "hugepage_data", hpd_count_beyond,
		  "its length does not match its page count");
}

int
main(int argc, char **argv)
{
	struct CMUnitTest tests[EAL_DIM(cases) + 3];
	size_t n = 0;

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL) {
		if (strcmp(eal_test_child_role(), "try") == 0)
			return child_try(eal_test_child_argc(), eal_test_child_argv());
		return eal_test_child_main(eal_test_child_role(), eal_test_child_argc(),
					   eal_test_child_argv(), NULL, NULL, NULL);
	}
	eal_test_require_hugepages_2m(16);
	eal_test_rng_seed(8);
	for (size_t i = 0; i < EAL_DIM(cases); i++)
		tests[n++] = (struct CMUnitTest){ .name = cases[i].what, .test_func = test_case,
						  .initial_state = (void *)(uintptr_t)&cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dead_primary_damaged_files);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_live_hugepage_info);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_live_hugepage_data);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return _cmocka_run_group_tests("mp_corrupt", tests, n, NULL, NULL);
}
