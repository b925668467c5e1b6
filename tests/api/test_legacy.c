/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy memory (--legacy-mem) on real 2 MiB hugepages (issue 4 item 3):
 * every memseg's IOVA is what /proc/self/pagemap says (read here, not
 * through libeal); contig-walk runs are PA- and VA-contiguous; a secondary
 * sees the same memsegs and bytes; eal_cleanup() gives every page back and
 * leaves no page file; --huge-unlink=always leaves no file even while
 * running (and a secondary is refused); too few pages, a --socket-mem node
 * that does not exist, and a pool that shrinks between discovery and
 * mapping all fail cleanly with nothing leaked; a secondary refuses a
 * corrupt hugepage_data (EPROTO). Public API only.
 *
 * Needs at least 8 free 2 MiB pages and a hugetlbfs mount for them; exits
 * 77 (skip) otherwise. The pool-shrink case also needs to write
 * nr_hugepages (root) and restores it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

#define PAGE_2M (UINT64_C(2) << 20)
#define MIN_FREE 8
#define SYSFS_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define PFX (char *)"--file-prefix"
#define RTD (char *)"--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())

static char huge_mount[PATH_MAX];
static char last_err[1024];

/* ---- the machine, read without libeal ---------------------------------- */

static long
sysfs_2m(const char *name)
{
	char path[256];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), SYSFS_2M "%s", name);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int
set_nr_2m(long n)
{
	FILE *f = fopen(SYSFS_2M "nr_hugepages", "w");
	int rc;

	if (f == NULL)
		return -1;
	rc = fprintf(f, "%ld\n", n) > 0 ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

/* A 2 MiB hugetlbfs mount this user can create files in. */
static bool
find_2m_mount(void)
{
	const char *m = eal_test_huge_mount_2m();

	if (m == NULL || access(m, W_OK) != 0)
		return false;
	snprintf(huge_mount, sizeof(huge_mount), "%s", m);
	return true;
}

/* Page files of this test's prefix in the mount. */
static int
page_files(void)
{
	char want[128];
	struct dirent *d;
	DIR *dir = opendir(huge_mount);
	int n = 0;

	assert_non_null(dir);
	snprintf(want, sizeof(want), "%smap_", eal_test_prefix());
	while ((d = readdir(dir)) != NULL)
		n += strncmp(d->d_name, want, strlen(want)) == 0;
	closedir(dir);
	return n;
}

/* Physical address of @va from the pagemap (root only), or 0. */
static uint64_t
pagemap_pa(const void *va)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e = 0;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &e, sizeof(e), (off_t)((uintptr_t)va / 4096) * 8), 8);
	close(fd);
	if (!(e >> 63) || (e & ((UINT64_C(1) << 55) - 1)) == 0)
		return 0;
	return (e & ((UINT64_C(1) << 55) - 1)) * 4096 + (uintptr_t)va % 4096;
}

static void
log_sink(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	(void)component;
	if (level <= EAL_LOG_ERR)
		snprintf(last_err, sizeof(last_err), "%s", line);
}

/* ---- walks ------------------------------------------------------------- */

struct check {
	unsigned int segs, runs;
	uint64_t digest;
	bool pa;
};

static uint64_t
mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

static int
seg_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	struct check *c = arg;

	(void)msl;
	c->segs++;
	c->digest = mix(mix(mix(c->digest, (uintptr_t)ms->addr), ms->iova),
			(uint64_t)ms->socket_id << 32 | ms->len);
	return 0;
}

/* Each run: consecutive VAs and IOVAs, and each IOVA is pagemap's. */
static int
run_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, size_t len, void *arg)
{
	struct check *c = arg;

	c->runs++;
	if (msl->page_sz != PAGE_2M || len % PAGE_2M != 0)
		return -1;
	for (size_t off = 0; off < len; off += PAGE_2M) {
		char *va = (char *)ms->addr + off;
		const struct eal_memseg *s = eal_mem_virt2memseg(va, NULL);

		if (s == NULL || s->addr != va || s->iova != ms->iova + off)
			return -1;
		if (c->pa ? s->iova != pagemap_pa(va) : s->iova != (uintptr_t)va)
			return -1;
	}
	return 0;
}

static struct check
check_layout(void)
{
	struct check c = { .digest = 0xcbf29ce484222325ull, .pa = eal_iova_mode() == EAL_IOVA_PA };

	assert_int_equal(eal_memseg_walk(seg_cb, &c), 0);
	assert_int_equal(eal_memseg_contig_walk(run_cb, &c), 0);
	return c;
}

static uint64_t
pattern(unsigned int who, unsigned int i)
{
	return 0x9e3779b97f4a7c15ull * (i + 1) ^ ((uint64_t)who << 56);
}

struct marks {
	unsigned int who, i;
	bool write, ok;
};

/* Word @who of each page: written by process @who, checked by others. */
static int
mark_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	struct marks *m = arg;
	volatile uint64_t *p = ms->addr;

	(void)msl;
	if (m->write)
		p[m->who] = pattern(m->who, m->i);
	else if (p[m->who] != pattern(m->who, m->i))
		m->ok = false;
	m->i++;
	return 0;
}

static bool
marks(unsigned int who, bool write)
{
	struct marks m = { who, 0, write, true };

	assert_int_equal(eal_memseg_walk(mark_cb, &m), 0);
	return m.ok;
}

/* ---- children ---------------------------------------------------------- */

/* "secondary": attach, print the layout digest, check the primary's marks,
 * write its own. "init": try eal_init with the given arguments. Both print
 * one line: "ok <segs> <digest>" or "err <eal_errno>". */
static int
child(int argc, char **argv)
{
	char *args[24] = { (char *)"child" };
	struct check c;
	int n = 1;

	for (int i = 0; i < argc && n < 23; i++)
		args[n++] = argv[i];
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	if (eal_init(n, args) < 0) {
		printf("err %d\n", eal_errno);
		return 1;
	}
	c = check_layout();
	if (strcmp(eal_test_child_role(), "secondary") == 0) {
		if (!marks(0, false)) {
			printf("bad bytes\n");
			return 1;
		}
		marks(1, true);
	}
	printf("ok %u %" PRIx64 "\n", c.segs, c.digest);
	fflush(stdout);
	return eal_cleanup() == 0 ? 0 : 2;
}

static void
run_child(const char *role, char *line, size_t size, int *ret_status, char *const *extra)
{
	int fd;
	pid_t pid = eal_test_spawnv(role, &fd, extra);

	assert_true(pid > 0);
	if (eal_test_read_line(fd, line, size, 30000) < 0)
		line[0] = '\0';
	close(fd);
	*ret_status = eal_test_wait(pid, 30000);
}

/* ---- tests ------------------------------------------------------------- */

static int
init_legacy(const char *a, const char *b)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--legacy-mem", "--proc-type=primary", a, b, NULL);

	last_err[0] = '\0';
	return eal_init(argc, argv) == argc - 1 ? 0 : -1;
}

static void
test_layout_secondary_cleanup(void **state)
{
	long free0 = sysfs_2m("free_hugepages");
	char *extra[] = { PFX, (char *)eal_test_prefix(), RTD, BASE, (char *)"--proc-type=secondary",
			  NULL };
	char line[128], want[128];
	struct check c;
	int status;

	(void)state;
	assert_int_equal(init_legacy("-m", "8"), 0);
	c = check_layout();
	assert_int_equal(c.segs, 4);
	assert_true(c.runs >= 1 && c.runs <= 4);
	assert_true(eal_memory_size() == 8 * (UINT64_C(1) << 20));
	assert_int_equal(sysfs_2m("free_hugepages"), free0 - 4);
	assert_int_equal(page_files(), 4);
	marks(0, true);

	run_child("secondary", line, sizeof(line), &status, extra);
	snprintf(want, sizeof(want), "ok %u %" PRIx64, c.segs, c.digest);
	assert_string_equal(line, want);
	assert_int_equal(status, 0);
	assert_true(marks(1, false));

	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(sysfs_2m("free_hugepages"), free0);
	assert_int_equal(page_files(), 0);
}

static void
test_unlink_always(void **state)
{
	long free0 = sysfs_2m("free_hugepages");
	char *extra[] = { PFX, (char *)eal_test_prefix(), RTD, BASE, (char *)"--proc-type=secondary",
			  NULL };
	char line[128];
	int status;

	(void)state;
	{
		char **argv;
		int argc = eal_test_argv(&argv, "--legacy-mem", "--proc-type=primary", "-m", "8",
					 "--huge-unlink=always", NULL);

		assert_int_equal(eal_init(argc, argv), argc - 1);
	}
	assert_int_equal(page_files(), 0);
	assert_int_equal(check_layout().segs, 4);
	assert_int_equal(sysfs_2m("free_hugepages"), free0 - 4);
	/* No names to open: a secondary is refused, clearly. */
	run_child("secondary", line, sizeof(line), &status, extra);
	assert_string_equal(line, "err 95"); /* ENOTSUP */
	assert_int_equal(status, 1);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(sysfs_2m("free_hugepages"), free0);
	assert_int_equal(page_files(), 0);
}

/* A corrupt page table is refused by the secondary (EPROTO), no crash. */
static void
test_corrupt_record(void **state)
{
	char *extra[] = { PFX, (char *)eal_test_prefix(), RTD, BASE, (char *)"--proc-type=secondary",
			  NULL };
	char path[PATH_MAX + 32], line[128], c;
	int fd, status;

	(void)state;
	assert_int_equal(init_legacy("-m", "4"), 0);
	snprintf(path, sizeof(path), "%s/hugepage_data", eal_test_runtime_dir());
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	/* One byte of the first entry's address. */
	assert_int_equal(pread(fd, &c, 1, 40 + 96), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, 40 + 96), 1);
	close(fd);
	run_child("secondary", line, sizeof(line), &status, extra);
	assert_string_equal(line, "err 71"); /* EPROTO */
	assert_int_equal(status, 1);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(page_files(), 0);
}

static void
test_not_enough(void **state)
{
	long free0 = sysfs_2m("free_hugepages");
	char mb[32];

	(void)state;
	snprintf(mb, sizeof(mb), "%ld", (free0 + 2) * 2);
	assert_int_equal(init_legacy("-m", mb), -1);
	assert_int_equal(eal_errno, ENOMEM);
	assert_non_null(strstr(last_err, "2048 kB"));
	assert_non_null(strstr(last_err, "socket 0"));
	assert_non_null(strstr(last_err, "asked for"));
	assert_non_null(strstr(last_err, "found"));
	assert_int_equal(sysfs_2m("free_hugepages"), free0);
	assert_int_equal(page_files(), 0);
}

static void
test_socket_mem_no_such_node(void **state)
{
	char list[64] = "";
	long free0 = sysfs_2m("free_hugepages");
	int nodes = 0;

	(void)state;
	/* One 0 per existing node, then 2 MiB on the first that does not exist. */
	for (char path[64];; nodes++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", nodes);
		if (access(path, F_OK) != 0)
			break;
	}
	if (nodes == 0)
		nodes = 1;
	if (nodes >= EAL_MAX_NUMA_NODES)
		skip();
	for (int i = 0; i < nodes; i++)
		strcat(list, "0,");
	strcat(list, "2");
	assert_int_equal(init_legacy("--socket-mem", list), -1);
	assert_int_equal(eal_errno, EINVAL);
	assert_non_null(strstr(last_err, "socket-mem"));
	assert_int_equal(sysfs_2m("free_hugepages"), free0);
	assert_int_equal(page_files(), 0);
}

/* The pool shrinks while the child sleeps between discovery and mapping:
 * it maps 2 pages, the third fails; ENOMEM and everything given back. */
static void
test_pool_shrinks(void **state)
{
	char *extra[] = { PFX, (char *)eal_test_prefix(), RTD, BASE, (char *)"--legacy-mem",
			  (char *)"-m", (char *)"8", NULL };
	long nr0 = sysfs_2m("nr_hugepages"), free0 = sysfs_2m("free_hugepages");
	char info[PATH_MAX + 32], line[128];
	uint64_t deadline;
	int fd, status;
	pid_t pid;

	(void)state;
	if (access(SYSFS_2M "nr_hugepages", W_OK) != 0)
		skip();
	snprintf(info, sizeof(info), "%s/hugepage_info", eal_test_runtime_dir());
	setenv("EAL_TEST_FAULT", "legacy-before-touch:sleep=1500", 1);
	pid = eal_test_spawnv("init", &fd, extra);
	unsetenv("EAL_TEST_FAULT");
	assert_true(pid > 0);
	/* hugepage_info appears right before the memory stage. */
	for (deadline = eal_test_now_ms() + 10000; access(info, F_OK) != 0;) {
		assert_true(eal_test_now_ms() < deadline);
		usleep(1000);
	}
	assert_int_equal(set_nr_2m(nr0 - sysfs_2m("free_hugepages") + 2), 0);
	if (eal_test_read_line(fd, line, sizeof(line), 30000) < 0)
		line[0] = '\0';
	close(fd);
	status = eal_test_wait(pid, 30000);
	assert_int_equal(set_nr_2m(nr0), 0);
	assert_string_equal(line, "err 12"); /* ENOMEM */
	assert_int_equal(status, 1);
	assert_int_equal(sysfs_2m("free_hugepages"), free0);
	assert_int_equal(page_files(), 0);
}

/* Node of the page at @va as the kernel reports it (get_mempolicy with
 * MPOL_F_NODE | MPOL_F_ADDR), without linking libnuma into the test. */
static int
kernel_node_of(const void *va)
{
	int node = -1;

	if (syscall(SYS_get_mempolicy, &node, NULL, 0UL, va, 3UL /* F_NODE|F_ADDR */) < 0)
		return -1;
	return node;
}

struct first_seg {
	const struct eal_memseg *ms;
	unsigned int n;
	const struct eal_memseg *all[64];
};

static int
collect_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	struct first_seg *f = arg;

	(void)msl;
	if (f->n < 64)
		f->all[f->n++] = ms;
	return 0;
}

/* Thousands of random addresses inside the memsegs: virt2memseg,
 * virt2iova and iova2virt agree with each other and with pagemap; every
 * memseg's socket is the node the kernel placed its page on. */
static void
test_translation_random(void **state)
{
	struct first_seg f = { 0 };
	uint64_t x = 0x2545f4914f6cdd1dull;
	bool pa;

	(void)state;
	assert_int_equal(init_legacy("-m", "8"), 0);
	pa = eal_iova_mode() == EAL_IOVA_PA;
	assert_int_equal(eal_memseg_walk(collect_cb, &f), 0);
	assert_int_equal(f.n, 4);
	for (unsigned int i = 0; i < f.n; i++)
		assert_int_equal(f.all[i]->socket_id, kernel_node_of(f.all[i]->addr));
	for (int k = 0; k < 20000; k++) {
		const struct eal_memseg *ms;
		char *va;
		eal_iova_t iova;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = f.all[x % f.n];
		va = (char *)ms->addr + (x >> 8) % PAGE_2M;
		assert_ptr_equal(eal_mem_virt2memseg(va, NULL), ms);
		iova = eal_mem_virt2iova(va);
		assert_true(iova == ms->iova + (uint64_t)(va - (char *)ms->addr));
		if (pa && k % 64 == 0) /* pagemap is slow: sample it */
			assert_true(iova == pagemap_pa(va));
		if (!pa)
			assert_true(iova == (uintptr_t)va);
		assert_ptr_equal(eal_mem_iova2virt(iova), va);
	}
	assert_int_equal(eal_cleanup(), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_secondary_cleanup),
		cmocka_unit_test(test_unlink_always),
		cmocka_unit_test(test_corrupt_record),
		cmocka_unit_test(test_not_enough),
		cmocka_unit_test(test_socket_mem_no_such_node),
		cmocka_unit_test(test_pool_shrinks),
		cmocka_unit_test(test_translation_random),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	if (!find_2m_mount() || sysfs_2m("free_hugepages") < MIN_FREE) {
		printf("# SKIP: needs %d free 2 MiB hugepages and a hugetlbfs mount for them\n",
		       MIN_FREE);
		return EAL_TEST_SKIP;
	}
	eal_log_set_handler(log_sink, NULL);
	eal_log_set_level(NULL, EAL_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
