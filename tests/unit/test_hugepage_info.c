/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepage discovery (src/eal_hugepage_info.c) against the fixture trees
 * of tests/fixtures/ (EAL_SYSFS_ROOT / EAL_PROCFS_ROOT), the parsers on
 * their own, the backing-file name matcher, the hugepage_info record
 * (round trip and every refusal), and the primary's sequence on a plain
 * temporary directory posing as a hugetlbfs mount: dir lock, removal of
 * this prefix's stale files only, files held by a live process kept.
 *
 * The fixtures are found through $EAL_TEST_FIXTURES (set by meson), else
 * next to this source file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_hugepage.h"
#include "eal_hugepage_info.h"
#include "eal_internal_cfg.h"
#include "eal_os.h"
#include "eal_private.h"

#define MB (UINT64_C(1) << 20)
#define GB (UINT64_C(1) << 30)

/* ---- log capture: eal_test_log_capture() (tests/helpers) ----------- */

static void
log_clear(void)
{
	eal_test_log_n = 0;
}

static void
log_dump(void)
{
	for (unsigned int i = 0; i < eal_test_log_n; i++)
		print_message("# log %d: %s\n", (int)eal_test_log_lines[i].level, eal_test_log_lines[i].text);
}

#define assert_log(level, needle, count) \
	do { \
		if (eal_test_log_count(EAL_LOG_##level, needle) != (count)) { \
			log_dump(); \
			fail_msg("expected %u %s line(s) with \"%s\"", (unsigned int)(count), \
				 #level, needle); \
		} \
	} while (0)

/* ---- fixtures --------------------------------------------------------- */

static char fixtures[PATH_MAX];

static void
find_fixtures(void)
{
	const char *env = getenv("EAL_TEST_FIXTURES");
	char *slash;

	if (env != NULL && env[0] != '\0') {
		snprintf(fixtures, sizeof(fixtures), "%s", env);
		return;
	}
	/* tests/unit/<this file> -> tests/fixtures */
	snprintf(fixtures, sizeof(fixtures), "%s", __FILE__);
	slash = strrchr(fixtures, '/');
	if (slash != NULL)
		snprintf(slash, sizeof(fixtures) - (size_t)(slash - fixtures), "/../fixtures");
	else
		snprintf(fixtures, sizeof(fixtures), "tests/fixtures");
}

static void
use_fixture(const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s/sys", fixtures, name);
	if (access(path, F_OK) != 0)
		fail_msg("fixture %s not found (set EAL_TEST_FIXTURES)", path);
	setenv("EAL_SYSFS_ROOT", path, 1);
	snprintf(path, sizeof(path), "%s/%s/proc", fixtures, name);
	setenv("EAL_PROCFS_ROOT", path, 1);
	log_clear();
}

static void
discover_ok(const char *fixture, struct eal_hugepage_info *hi, const char *huge_dir,
	    bool in_memory, bool legacy)
{
	int rc;

	use_fixture(fixture);
	rc = eal__hugepage_info_discover(hi, huge_dir, in_memory, legacy);
	if (rc != 0) {
		log_dump();
		fail_msg("discovery of %s failed: %d", fixture, rc);
	}
	assert_log(ERR, "", 0);
}

/* Discovery fails with @err and leaves *hi alone. */
static void
discover_fails(const char *fixture, const char *huge_dir, int err)
{
	struct eal_hugepage_info hi;

	memset(&hi, 0x5a, sizeof(hi));
	use_fixture(fixture);
	assert_int_equal(eal__hugepage_info_discover(&hi, huge_dir, false, false), err);
	for (size_t i = 0; i < sizeof(hi); i++)
		assert_int_equal(((unsigned char *)&hi)[i], 0x5a);
}

static const struct eal_hugepage_size_info *
size_of(const struct eal_hugepage_info *hi, uint64_t page_size)
{
	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].page_size == page_size)
			return &hi->sizes[i];
	fail_msg("no size %llu", (unsigned long long)page_size);
	return NULL;
}

static void
assert_fds_closed(const struct eal_hugepage_info *hi)
{
	for (unsigned int i = 0; i < EAL_MAX_HUGEPAGE_SIZES; i++)
		assert_int_equal(hi->sizes[i].lock_fd, -1);
}

/* ---- discovery on fixture trees ---------------------------------------- */

static void
test_2m_only(void **state)
{
	struct eal_hugepage_info hi;
	const struct eal_hugepage_size_info *s;

	(void)state;
	discover_ok("2m_only", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	assert_int_equal(hi.default_size, 2 * MB);
	s = &hi.sizes[0];
	assert_int_equal(s->page_size, 2 * MB);
	assert_int_equal(s->nr_pages, 64);
	assert_int_equal(s->free_pages, 60);
	assert_int_equal(s->resv_pages, 2);
	assert_int_equal(s->surplus_pages, 0);
	assert_int_equal(s->overcommit_pages, 0);
	assert_int_equal(s->n_nodes, 1);
	assert_int_equal(s->node_nr_pages[0], 64);
	assert_int_equal(s->node_free_pages[0], 60);
	assert_true(s->mounted);
	assert_string_equal(s->dir, "/dev/hugepages");
	/* Dynamic: node 0's free pages. */
	assert_int_equal(s->num_pages[0], 60);
	assert_fds_closed(&hi);
	assert_log(NOTICE, "", 0);

	/* Legacy: free - resv, on node 0. */
	discover_ok("2m_only", &hi, NULL, false, true);
	assert_int_equal(hi.sizes[0].num_pages[0], 58);
	assert_true(eal__hugepage_info_usable(&hi, false, NULL, 0));
}

static void
test_2m_1g(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("2m_1g", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 2);
	/* Largest first. */
	assert_int_equal(hi.sizes[0].page_size, GB);
	assert_int_equal(hi.sizes[1].page_size, 2 * MB);
	assert_string_equal(hi.sizes[0].dir, "/dev/hugepages-1G");
	assert_string_equal(hi.sizes[1].dir, "/dev/hugepages");
	assert_int_equal(hi.sizes[0].nr_pages, 4);
	assert_int_equal(hi.sizes[0].free_pages, 3);
	assert_int_equal(hi.sizes[0].num_pages[0], 3);
	assert_int_equal(hi.sizes[1].num_pages[0], 500);
	assert_log(NOTICE, "", 0);
}

static void
test_1g_only(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("1g_only", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	assert_int_equal(hi.default_size, GB);
	assert_int_equal(hi.sizes[0].page_size, GB);
	assert_string_equal(hi.sizes[0].dir, "/mnt/huge1g");
	assert_int_equal(hi.sizes[0].num_pages[0], 8);
}

static void
test_numa2_uneven(void **state)
{
	struct eal_hugepage_info hi;
	const struct eal_hugepage_size_info *s;

	(void)state;
	discover_ok("numa2_uneven", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	s = &hi.sizes[0];
	assert_int_equal(s->n_nodes, 2);
	assert_int_equal(s->node_nr_pages[0], 100);
	assert_int_equal(s->node_free_pages[0], 90);
	assert_int_equal(s->node_nr_pages[1], 28);
	assert_int_equal(s->node_free_pages[1], 10);
	assert_int_equal(s->num_pages[0], 90);
	assert_int_equal(s->num_pages[1], 10);
	/* The 1G mount has no sysfs size: ignored quietly. */
	assert_log(NOTICE, "", 0);

	discover_ok("numa2_uneven", &hi, NULL, false, true);
	assert_int_equal(hi.sizes[0].num_pages[0], 100);
	assert_int_equal(hi.sizes[0].num_pages[1], 0);
}

static void
test_numa4_uneven(void **state)
{
	static const uint64_t nr2[] = { 10, 20, 0, 40 }, free2[] = { 10, 15, 0, 36 };
	static const uint64_t nr1[] = { 0, 2, 4, 0 }, free1[] = { 0, 2, 3, 0 };
	struct eal_hugepage_info hi;
	const struct eal_hugepage_size_info *s2, *s1;

	(void)state;
	discover_ok("numa4_uneven", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 2);
	s1 = size_of(&hi, GB);
	s2 = size_of(&hi, 2 * MB);
	/* node4 has no hugepages directory (memoryless): no data. */
	assert_int_equal(s2->n_nodes, 4);
	assert_int_equal(s1->n_nodes, 4);
	for (unsigned int n = 0; n < 4; n++) {
		assert_int_equal(s2->node_nr_pages[n], nr2[n]);
		assert_int_equal(s2->node_free_pages[n], free2[n]);
		assert_int_equal(s2->num_pages[n], free2[n]);
		assert_int_equal(s1->node_nr_pages[n], nr1[n]);
		assert_int_equal(s1->node_free_pages[n], free1[n]);
		assert_int_equal(s1->num_pages[n], free1[n]);
	}
	if (EAL_MAX_NUMA_NODES > 4)
		assert_int_equal(s2->num_pages[4], 0);
	assert_string_equal(s1->dir, "/dev/hugepages-1G");
}

static void
test_reserved_unmounted(void **state)
{
	struct eal_hugepage_info hi;
	char why[256];

	(void)state;
	discover_ok("reserved_unmounted", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	assert_false(hi.sizes[0].mounted);
	assert_string_equal(hi.sizes[0].dir, "");
	assert_int_equal(hi.sizes[0].num_pages[0], 0);
	assert_log(NOTICE, "64 hugepages of size 2048 kB reserved, but no mounted hugetlbfs found for that size", 1);
	assert_log(NOTICE, "mount -t hugetlbfs -o pagesize=2M", 1);
	assert_false(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));
	assert_string_equal(why, "2048 kB pages reserved but hugetlbfs not mounted");

	/* --in-memory: usable through memfd, no NOTICE. */
	discover_ok("reserved_unmounted", &hi, NULL, true, false);
	assert_int_equal(hi.sizes[0].num_pages[0], 64);
	assert_log(NOTICE, "", 0);
	assert_log(INFO, "used through memfd", 1);
	assert_true(eal__hugepage_info_usable(&hi, true, why, sizeof(why)));
}

static void
test_mount_no_pagesize(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("mount_no_pagesize", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 2);
	assert_true(size_of(&hi, 2 * MB)->mounted);
	assert_string_equal(size_of(&hi, 2 * MB)->dir, "/dev/hugepages");
	assert_false(size_of(&hi, GB)->mounted);
	assert_log(NOTICE, "2 hugepages of size 1048576 kB reserved, but no mounted hugetlbfs", 1);
	assert_log(NOTICE, "pagesize=1G", 1);
}

static void
test_mount_pagesize_1g(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("mount_pagesize_1g", &hi, NULL, false, false);
	assert_int_equal(hi.default_size, 2 * MB);
	assert_true(size_of(&hi, GB)->mounted);
	assert_string_equal(size_of(&hi, GB)->dir, "/dev/hugepages1G");
	assert_false(size_of(&hi, 2 * MB)->mounted);
	/* Nothing reserved for 2M: nothing to say about its mount. */
	assert_log(NOTICE, "", 0);
}

static void
test_two_mounts_one_size(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("two_mounts_one_size", &hi, NULL, false, false);
	assert_string_equal(hi.sizes[0].dir, "/mnt/huge_a");
}

static void
test_huge_dir(void **state)
{
	static const struct {
		const char *arg;
		uint64_t size;
		const char *dir;
	} ok[] = {
		{ "/mnt/second", 2 * MB, "/mnt/second" },
		{ "/mnt/second/", 2 * MB, "/mnt/second" },
		{ "/mnt/second/app/", 2 * MB, "/mnt/second/app" },
		{ "//mnt/./first//x/../y", 2 * MB, "/mnt/first/y" },
		{ "/mnt/first", 2 * MB, "/mnt/first" },
		/* the deepest mount holding the directory wins */
		{ "/mnt/second/deep", GB, "/mnt/second/deep" },
		{ "/mnt/second/deep/app", GB, "/mnt/second/deep/app" },
		{ "/mnt/second/deeper", 2 * MB, "/mnt/second/deeper" },
	};
	struct eal_hugepage_info hi;

	(void)state;
	for (size_t i = 0; i < EAL_DIM(ok); i++) {
		const struct eal_hugepage_size_info *s, *other;

		discover_ok("huge_dir_second", &hi, ok[i].arg, false, false);
		s = size_of(&hi, ok[i].size);
		other = size_of(&hi, ok[i].size == GB ? 2 * MB : GB);
		assert_true(s->mounted);
		assert_string_equal(s->dir, ok[i].dir);
		/* Only the chosen size uses --huge-dir. */
		assert_false(other->mounted);
		assert_int_equal(other->num_pages[0], 0);
		assert_log(NOTICE, "", 0);
		assert_log(INFO, "--huge-dir", 1);
	}

	discover_fails("huge_dir_second", "/mnt/elsewhere", -EINVAL);
	assert_log(ERR, "--huge-dir /mnt/elsewhere is not a hugetlbfs mount point nor a directory under one", 1);
	discover_fails("huge_dir_second", "/mnt/firstborn", -EINVAL);
	assert_log(ERR, "is not a hugetlbfs mount point", 1);
	discover_fails("huge_dir_second", "/mnt/readonly/x", -EINVAL);
	assert_log(ERR, "read-only hugetlbfs mount /mnt/readonly", 1);
	discover_fails("huge_dir_second", "no/such/relative/dir", -EINVAL);
	assert_log(ERR, "--huge-dir no/such/relative/dir", 1);
	assert_int_equal(eal_test_log_n, 1);
	/* No hugepage size at all: nothing can match. */
	discover_fails("container_no_sysfs", "/dev/hugepages", -EINVAL);
	assert_log(ERR, "--huge-dir", 1);
	/* A mount whose size the kernel does not list. */
	discover_fails("numa2_uneven", "/dev/hugepages-1G", -EINVAL);
	assert_log(ERR, "does not list", 1);
	/* A mount without pagesize= and no default size. */
	discover_fails("meminfo_no_hugepagesize", "/dev/hugepages", -EINVAL);
	assert_log(ERR, "no pagesize= option", 1);
}

static void
test_mount_space(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("mount_space", &hi, NULL, false, false);
	assert_string_equal(size_of(&hi, 2 * MB)->dir, "/mnt/huge pages");
	assert_string_equal(size_of(&hi, GB)->dir, "/mnt/tab\tdir\\x");
	/* --huge-dir names the decoded path. */
	discover_ok("mount_space", &hi, "/mnt/huge pages/sub", false, false);
	assert_string_equal(size_of(&hi, 2 * MB)->dir, "/mnt/huge pages/sub");
}

static void
test_readonly_mount(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("readonly_mount", &hi, NULL, false, false);
	assert_string_equal(hi.sizes[0].dir, "/mnt/rw");
	assert_log(NOTICE, "skipping read-only hugetlbfs mount /mnt/ro", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_NOTICE, ""), 1);
}

static void
test_container(void **state)
{
	struct eal_hugepage_info hi;
	char why[256];

	(void)state;
	discover_ok("container_no_sysfs", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 0);
	assert_log(NOTICE, "", 0);
	assert_log(INFO, "no hugepage support", 1);
	assert_false(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));
	assert_non_null(strstr(why, "no hugepages"));
	assert_int_equal(eal_hugepage_info_get(NULL, 0), 0);
}

static void
test_malformed(void **state)
{
	(void)state;
	discover_fails("malformed_numbers", NULL, -EIO);
	assert_log(ERR, "hugepages-2048kB/free_hugepages: '12abc' is not a page count", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);

	discover_fails("malformed_node", NULL, -EIO);
	assert_log(ERR, "node1/hugepages/hugepages-2048kB/free_hugepages: '-1'", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);

	discover_fails("malformed_meminfo", NULL, -EIO);
	assert_log(ERR, "malformed Hugepagesize line in", 1);
	assert_log(ERR, "/proc/meminfo", 1);

	discover_fails("malformed_mounts", NULL, -EIO);
	assert_log(ERR, "malformed line 6 in", 1);
	assert_log(ERR, "/proc/mounts", 1);

	discover_fails("mounts_short_line", NULL, -EIO);
	assert_log(ERR, "malformed line 6", 1);

	discover_fails("count_overflow", NULL, -EIO);
	assert_log(ERR, "'99999999999999999999' is not a page count", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
}

static void
test_meminfo_no_hugepagesize(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("meminfo_no_hugepagesize", &hi, NULL, false, false);
	assert_int_equal(hi.default_size, 0);
	assert_false(hi.sizes[0].mounted);
	assert_log(NOTICE, "has no Hugepagesize line", 1);
	assert_log(NOTICE, "ignoring hugetlbfs mount /dev/hugepages: it has no pagesize= option", 1);
	assert_log(NOTICE, "16 hugepages of size 2048 kB reserved, but no mounted hugetlbfs", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_NOTICE, ""), 3);
}

static void
test_empty_mounts(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("empty_mounts", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	assert_false(hi.sizes[0].mounted);
	assert_log(NOTICE, "32 hugepages of size 2048 kB reserved, but no mounted hugetlbfs", 1);
}

static void
test_too_many_sizes(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("too_many_sizes", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, EAL_MAX_HUGEPAGE_SIZES);
	/* Sizes with pages stay; then the largest; sorted largest first. */
	assert_int_equal(hi.sizes[0].page_size, 16 * GB);
	assert_int_equal(hi.sizes[1].page_size, GB);
	assert_int_equal(hi.sizes[2].page_size, 32 * MB);
	assert_int_equal(hi.sizes[3].page_size, 2 * MB);
	assert_log(NOTICE, "ignoring hugepage size 64 kB", 1);
	/* No node directory: counts are global on node 0. */
	assert_int_equal(hi.sizes[3].n_nodes, 0);
	assert_int_equal(hi.sizes[3].num_pages[0], 10);
}

static void
test_overcommit(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("overcommit", &hi, NULL, false, false);
	assert_int_equal(hi.sizes[0].surplus_pages, 2);
	assert_int_equal(hi.sizes[0].overcommit_pages, 8);
	assert_int_equal(hi.sizes[0].num_pages[0], 4);
	discover_ok("overcommit", &hi, NULL, false, true);
	assert_int_equal(hi.sizes[0].num_pages[0], 4 - 1 + (8 - 2));
}

static void
test_usable_reasons(void **state)
{
	struct eal_hugepage_info hi;
	char why[256];

	(void)state;
	discover_ok("all_in_use", &hi, NULL, false, false);
	assert_false(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));
	assert_string_equal(why, "all 64 reserved 2048 kB pages are in use");

	discover_ok("none_reserved", &hi, NULL, false, false);
	assert_false(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));
	assert_string_equal(why, "no hugepages reserved");

	discover_ok("mount_no_pagesize", &hi, NULL, false, false);
	assert_true(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));

	/* Several reasons, and a short buffer. */
	discover_ok("mount_no_pagesize", &hi, NULL, false, false);
	memset(hi.sizes[1].num_pages, 0, sizeof(hi.sizes[1].num_pages));
	hi.sizes[1].nr_pages = 32;
	assert_false(eal__hugepage_info_usable(&hi, false, why, sizeof(why)));
	assert_string_equal(why, "1048576 kB pages reserved but hugetlbfs not mounted; all 32 reserved 2048 kB pages are in use");
	assert_false(eal__hugepage_info_usable(&hi, false, why, 8));
	assert_int_equal(strlen(why), 7);
	assert_false(eal__hugepage_info_usable(&hi, false, NULL, 0));
}

static void
test_no_numa_and_missing_counts(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	discover_ok("no_numa", &hi, NULL, false, false);
	assert_int_equal(hi.sizes[0].n_nodes, 0);
	assert_int_equal(hi.sizes[0].num_pages[0], 18);

	discover_ok("missing_counts", &hi, NULL, false, false);
	assert_int_equal(hi.sizes[0].nr_pages, 12);
	assert_int_equal(hi.sizes[0].free_pages, 11);
	assert_int_equal(hi.sizes[0].resv_pages, 0);
	assert_int_equal(hi.sizes[0].surplus_pages, 0);
	assert_int_equal(hi.sizes[0].overcommit_pages, 0);

	discover_ok("odd_entries", &hi, NULL, false, false);
	assert_int_equal(hi.n_sizes, 1);
	assert_int_equal(hi.sizes[0].page_size, 2 * MB);
}

static void
test_missing_procfs(void **state)
{
	struct eal_hugepage_info hi;

	(void)state;
	use_fixture("2m_only");
	setenv("EAL_PROCFS_ROOT", "/nonexistent-eal-procfs", 1);
	assert_int_equal(eal__hugepage_info_discover(&hi, NULL, false, false), 0);
	assert_int_equal(hi.default_size, 0);
	assert_false(hi.sizes[0].mounted);
	assert_log(NOTICE, "cannot read /nonexistent-eal-procfs/meminfo", 1);
	assert_log(NOTICE, "cannot read /nonexistent-eal-procfs/mounts", 1);
	assert_log(NOTICE, "reserved, but no mounted hugetlbfs", 1);
	assert_log(ERR, "", 0);

	/* A sysfs root that is a file: listing fails, -EIO. */
	use_fixture("2m_only");
	setenv("EAL_SYSFS_ROOT", "/dev/null", 1);
	assert_int_equal(eal__hugepage_info_discover(&hi, NULL, false, false), -EIO);
	assert_log(ERR, "cannot list /dev/null/kernel/mm/hugepages", 1);
}

static void
test_public_get(void **state)
{
	struct eal_hugepage_size sz[EAL_MAX_HUGEPAGE_SIZES];

	(void)state;
	use_fixture("numa2_uneven");
	assert_int_equal(eal_hugepage_info_get(sz, EAL_DIM(sz)), 1);
	assert_int_equal(sz[0].page_size, 2 * MB);
	assert_true(sz[0].is_default);
	assert_int_equal(sz[0].total_pages, 128);
	assert_int_equal(sz[0].free_pages, 100);
	assert_int_equal(sz[0].n_nodes, 2);
	assert_int_equal(sz[0].node_total[1], 28);
	assert_int_equal(sz[0].node_free[1], 10);
	assert_string_equal(sz[0].mount, "/dev/hugepages");

	use_fixture("2m_1g");
	assert_int_equal(eal_hugepage_info_get(NULL, 0), 2);
	assert_int_equal(eal_hugepage_info_get(sz, 1), 1);
	assert_int_equal(sz[0].page_size, GB);
	assert_false(sz[0].is_default);
	assert_string_equal(sz[0].mount, "/dev/hugepages-1G");

	assert_int_equal(eal_hugepage_info_get(NULL, 1), -1);
	assert_int_equal(eal_errno, EINVAL);
	use_fixture("malformed_numbers");
	assert_int_equal(eal_hugepage_info_get(sz, EAL_DIM(sz)), -1);
	assert_int_equal(eal_errno, EIO);
	use_fixture("reserved_unmounted");
	assert_int_equal(eal_hugepage_info_get(sz, EAL_DIM(sz)), 1);
	assert_string_equal(sz[0].mount, "");
}

/* ---- parsers ------------------------------------------------------------ */

static void
test_parse_count(void **state)
{
	static const struct {
		const char *in;
		int rc;
		uint64_t v;
	} v[] = {
		{ "0\n", 0, 0 },
		{ "64\n", 0, 64 },
		{ "12\n\n", 0, 12 },
		{ "7 \t", 0, 7 },
		{ "18446744073709551615\n", 0, UINT64_MAX },
		{ "18446744073709551616\n", -ERANGE, 0 },
		{ "", -EINVAL, 0 },
		{ "\n", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 },
		{ "-1", -EINVAL, 0 },
		{ "+1", -EINVAL, 0 },
		{ "1 2", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 },
	};
	uint64_t r;

	(void)state;
	for (size_t i = 0; i < EAL_DIM(v); i++) {
		r = 12345;
		assert_int_equal(eal__hugepage_parse_count(v[i].in, strlen(v[i].in), &r), v[i].rc);
		assert_int_equal(r, v[i].rc == 0 ? v[i].v : 12345);
	}
	/* Length-bounded: no NUL needed, bytes past len ignored. */
	assert_int_equal(eal__hugepage_parse_count("42x", 2, &r), 0);
	assert_int_equal(r, 42);
}

static void
test_parse_dirname(void **state)
{
	uint64_t r = 0;

	(void)state;
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-2048kB", &r), 0);
	assert_int_equal(r, 2 * MB);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-1048576kB", &r), 0);
	assert_int_equal(r, GB);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-64kB", &r), 0);
	assert_int_equal(r, 64 << 10);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-3000kB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-02048kB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-0kB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-kB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-2048KB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-2048kBx", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-2048", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepage-2048kB", &r), -EINVAL);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-36028797018963968kB", &r),
			 -ERANGE);
	assert_int_equal(eal__hugepage_parse_dirname("hugepages-99999999999999999999kB", &r),
			 -ERANGE);
}

static void
test_parse_meminfo(void **state)
{
	static const char good[] = "MemTotal: 1 kB\nHugepagesize:       2048 kB\nHugetlb: 0 kB\n";
	uint64_t r = 0;

	(void)state;
	assert_int_equal(eal__hugepage_parse_meminfo(good, strlen(good), &r), 0);
	assert_int_equal(r, 2 * MB);
#define MI(s) eal__hugepage_parse_meminfo(s, strlen(s), &r)
	assert_int_equal(MI("Hugepagesize: 1048576 kB"), 0);
	assert_int_equal(r, GB);
	assert_int_equal(MI("Hugepagesize:\t64\tkB  \n"), 0);
	assert_int_equal(r, 64 << 10);
	assert_int_equal(MI(""), -ENOENT);
	assert_int_equal(MI("MemTotal: 1 kB\nHugePages_Total: 2\n"), -ENOENT);
	assert_int_equal(MI(" Hugepagesize: 2048 kB\n"), -ENOENT);
	assert_int_equal(MI("Hugepagesize: 2048\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 2048 MB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 2048 kB x\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 3000 kB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 0 kB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: kB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 99999999999999999999 kB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize: 36028797018963968 kB\n"), -EINVAL);
	assert_int_equal(MI("Hugepagesize:"), -EINVAL);
#undef MI
}

#define MOUNTS_MAX 8

struct mounts_seen {
	unsigned int n;
	struct eal_hugepage_mount m[MOUNTS_MAX];
	unsigned int stop_after;
};

static int
mounts_cb(void *arg, const struct eal_hugepage_mount *m)
{
	struct mounts_seen *s = arg;

	assert_true(s->n < MOUNTS_MAX);
	s->m[s->n++] = *m;
	return s->stop_after != 0 && s->n == s->stop_after ? 42 : 0;
}

static int
parse_mounts_str(const char *text, struct mounts_seen *s, unsigned int *line)
{
	memset(s, 0, sizeof(*s));
	return eal__hugepage_parse_mounts(text, strlen(text), mounts_cb, s, line);
}

static void
test_parse_mounts(void **state)
{
	struct mounts_seen s;
	unsigned int line = 0;

	(void)state;
	assert_int_equal(parse_mounts_str("", &s, &line), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(parse_mounts_str("\n\n  \n", &s, &line), 0);
	assert_int_equal(
		parse_mounts_str("proc /proc proc rw 0 0\n"
				 "nodev /a hugetlbfs rw,relatime,pagesize=2M 0 0\n"
				 "nodev /b\\040c hugetlbfs ro,pagesize=1024M\n"
				 "x /d\\011\\012\\134e\\ hugetlbfs rw,pagesize=64K,mode=1770 0 0\n"
				 "x /f hugetlbfs rw,relatime,pagesize=2m,rox,xro 0 0",
				 &s, &line),
		0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.m[0].path, "/a");
	assert_int_equal(s.m[0].page_size, 2 * MB);
	assert_false(s.m[0].read_only);
	assert_string_equal(s.m[1].path, "/b c");
	assert_int_equal(s.m[1].page_size, GB);
	assert_true(s.m[1].read_only);
	/* A backslash that starts no escape stays. */
	assert_string_equal(s.m[2].path, "/d\t\n\\e\\");
	assert_int_equal(s.m[2].page_size, 64 << 10);
	assert_string_equal(s.m[3].path, "/f");
	assert_int_equal(s.m[3].page_size, 2 * MB);
	assert_false(s.m[3].read_only);

	/* No pagesize= option: 0. */
	assert_int_equal(parse_mounts_str("n /g hugetlbfs rw 0 0\n", &s, &line), 0);
	assert_int_equal(s.m[0].page_size, 0);
	/* Other file systems are not parsed beyond their type. */
	assert_int_equal(parse_mounts_str("n relative tmpfs pagesize=3M 0 0\n", &s, &line), 0);
	assert_int_equal(s.n, 0);

	/* The callback stops the parse. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(eal__hugepage_parse_mounts("n /a hugetlbfs rw\nn /b hugetlbfs rw\n", 36,
						    mounts_cb, &s, &line),
			 42);
	assert_int_equal(s.n, 1);

	/* Malformed lines, with their numbers. */
	static const struct {
		const char *text;
		unsigned int line;
	} bad[] = {
		{ "n /a hugetlbfs\n", 1 },
		{ "ok / ext4 rw 0 0\nn /a\n", 2 },
		{ "n /a hugetlbfs rw,pagesize=3M\n", 1 },
		{ "n /a hugetlbfs rw,pagesize=\n", 1 },
		{ "n /a hugetlbfs pagesize=2X\n", 1 },
		{ "n /a hugetlbfs pagesize=1K\n", 1 },
		{ "n /a hugetlbfs pagesize=123456789012345678901234567890123\n", 1 },
		{ "n /a hugetlbfs pagesize=99999999999G\n", 1 },
		{ "n relative hugetlbfs rw\n", 1 },
		{ "n /a\\000b hugetlbfs rw\n", 1 },
		{ "n /a\\777 hugetlbfs rw\n", 1 },
		{ "\n\nn /a hugetlbfs\n", 3 },
	};
	for (size_t i = 0; i < EAL_DIM(bad); i++) {
		line = 0;
		assert_int_equal(parse_mounts_str(bad[i].text, &s, &line), -EINVAL);
		assert_int_equal(line, bad[i].line);
	}
	/* A path that does not fit PATH_MAX. */
	{
		static char big[PATH_MAX + 128];
		size_t n = PATH_MAX + 64;

		memcpy(big, "n /", 3);
		memset(big + 3, 'a', n);
		snprintf(big + 3 + n, sizeof(big) - 3 - n, " hugetlbfs rw\n");
		assert_int_equal(parse_mounts_str(big, &s, NULL), -EINVAL);
	}
}

/* ---- file names ------------------------------------------------------- */

static void
test_file_names(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(eal__hugepage_file_path(buf, sizeof(buf), "/d", "app", -1, 7), 0);
	assert_string_equal(buf, "/d/appmap_7");
	assert_int_equal(eal__hugepage_file_path(buf, sizeof(buf), "/d", "app", 3, 12), 0);
	assert_string_equal(buf, "/d/appmap_3_12");
	assert_int_equal(eal__hugepage_file_path(buf, 10, "/d", "app", 3, 12), -ENAMETOOLONG);
	assert_int_equal(eal__hugepage_file_path(buf, 11, "/d", "app", -1, 7), -ENAMETOOLONG);
	assert_int_equal(eal__hugepage_file_path(buf, 12, "/d", "app", -1, 7), 0);

	assert_true(eal__hugepage_file_is_ours("amap_0", "a"));
	assert_true(eal__hugepage_file_is_ours("amap_123", "a"));
	assert_true(eal__hugepage_file_is_ours("amap_1_2", "a"));
	assert_true(eal__hugepage_file_is_ours("rtemap_0", "rte"));
	assert_true(eal__hugepage_file_is_ours("a.bmap_0", "a.b"));
	/* Our own generated names match. */
	assert_int_equal(eal__hugepage_file_path(buf, sizeof(buf), "/d", "p", 5, 6), 0);
	assert_true(eal__hugepage_file_is_ours(buf + 3, "p"));

	/* Another prefix that starts with ours never matches. */
	assert_false(eal__hugepage_file_is_ours("abmap_0", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_xmap_0", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_1map_2", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_1_map_2", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_map_2", "a"));
	/* Nor does a prefix that is a longer version of the file's. */
	assert_false(eal__hugepage_file_is_ours("amap_0", "am"));
	assert_false(eal__hugepage_file_is_ours("amap_0", "ab"));
	/* Shape. */
	assert_false(eal__hugepage_file_is_ours("amap_", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_1_", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_1_2_3", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_-1", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_0.tmp", "a"));
	assert_false(eal__hugepage_file_is_ours("amap_0 ", "a"));
	assert_false(eal__hugepage_file_is_ours("map_0", "a"));
	assert_false(eal__hugepage_file_is_ours("amap0", "a"));
	assert_false(eal__hugepage_file_is_ours("map_0", ""));
}

/* ---- the hugepage_info record ------------------------------------------ */

static char tmpdir[PATH_MAX];

static void
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/hpi-XXXXXX", eal_test_runtime_base());
	assert_non_null(mkdtemp(tmpdir));
}

static void
assert_info_equal(const struct eal_hugepage_info *a, const struct eal_hugepage_info *b)
{
	assert_int_equal(a->n_sizes, b->n_sizes);
	assert_int_equal(a->default_size, b->default_size);
	for (unsigned int i = 0; i < a->n_sizes; i++) {
		const struct eal_hugepage_size_info *x = &a->sizes[i], *y = &b->sizes[i];

		assert_int_equal(x->page_size, y->page_size);
		assert_int_equal(x->nr_pages, y->nr_pages);
		assert_int_equal(x->free_pages, y->free_pages);
		assert_int_equal(x->resv_pages, y->resv_pages);
		assert_int_equal(x->surplus_pages, y->surplus_pages);
		assert_int_equal(x->overcommit_pages, y->overcommit_pages);
		assert_int_equal(x->n_nodes, y->n_nodes);
		assert_int_equal(x->mounted, y->mounted);
		assert_string_equal(x->dir, y->dir);
		assert_memory_equal(x->node_nr_pages, y->node_nr_pages, sizeof(x->node_nr_pages));
		assert_memory_equal(x->node_free_pages, y->node_free_pages,
				    sizeof(x->node_free_pages));
		assert_memory_equal(x->num_pages, y->num_pages, sizeof(x->num_pages));
	}
}

static void
test_record_round_trip(void **state)
{
	struct eal_hugepage_info hi, back;
	char path[PATH_MAX + 32];
	struct stat st;

	(void)state;
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/hugepage_info", tmpdir);
	discover_ok("numa4_uneven", &hi, NULL, false, false);
	/* Fds never travel. */
	hi.sizes[0].lock_fd = 99;
	assert_int_equal(eal__hugepage_info_write(&hi, path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Only the record: the temporary file is gone. */
	assert_int_equal(eal_test_dir_entries(tmpdir), 1);
	memset(&back, 0x77, sizeof(back));
	assert_int_equal(eal__hugepage_info_read(&back, path), 0);
	assert_info_equal(&hi, &back);
	assert_fds_closed(&back);

	/* Rewriting replaces it; zero sizes is a valid record. */
	discover_ok("container_no_sysfs", &hi, NULL, false, false);
	assert_int_equal(eal__hugepage_info_write(&hi, path), 0);
	assert_int_equal(eal__hugepage_info_read(&back, path), 0);
	assert_int_equal(back.n_sizes, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 48);

	/* Every fixture that discovers round-trips. */
	discover_ok("mount_space", &hi, NULL, false, false);
	assert_int_equal(eal__hugepage_info_write(&hi, path), 0);
	assert_int_equal(eal__hugepage_info_read(&back, path), 0);
	assert_info_equal(&hi, &back);

	/* A missing file: the errno, with an ERR saying what to check. */
	log_clear();
	snprintf(path, sizeof(path), "%s/nothing", tmpdir);
	assert_int_equal(eal__hugepage_info_read(&back, path), -ENOENT);
	assert_log(ERR, "is the primary process running?", 1);

	/* Writing into a missing directory fails cleanly. */
	snprintf(path, sizeof(path), "%s/no/such/dir/hugepage_info", tmpdir);
	assert_int_equal(eal__hugepage_info_write(&hi, path), -ENOENT);

	/* Encoding refuses an impossible struct and a short buffer. */
	{
		uint8_t small[16];
		size_t len;

		hi.n_sizes = EAL_MAX_HUGEPAGE_SIZES + 1;
		assert_int_equal(eal__hugepage_info_encode(&hi, small, sizeof(small), &len),
				 -EINVAL);
		hi.n_sizes = 1;
		assert_int_equal(eal__hugepage_info_encode(&hi, small, sizeof(small), &len),
				 -ENOSPC);
	}
	eal_test_rm_rf(tmpdir);
}

/* Encode the 2m_1g fixture into @buf (record_max bytes); returns its length. */
static size_t
encoded_record(uint8_t *buf)
{
	struct eal_hugepage_info hi;
	size_t len = 0;

	discover_ok("2m_1g", &hi, NULL, false, false);
	assert_int_equal(eal__hugepage_info_encode(&hi, buf, eal__hugepage_info_record_max(), &len),
			 0);
	return len;
}

/* A little-endian field of the record (docs/hugepages.md). */
static void
put_field(uint8_t *p, uint64_t v, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#define put32(p, v) put_field(p, v, 4)
#define put64(p, v) put_field(p, v, 8)

/* After an edit: the checksum a writer would have put there. */
static void
fix_checksum(uint8_t *buf, size_t len)
{
	put64(buf + 40, eal__hugepage_info_record_checksum(buf, len));
}

/* Entry layout (docs/hugepages.md): offsets within an entry. */
#define ENTRY0 48u
#define ENTRY_SIZE_AT(buf) ((size_t)((buf)[16] | (buf)[17] << 8 | (buf)[18] << 16))
#define ENTRY_DIR_OFF (ENTRY_SIZE_AT(buf) - PATH_MAX)

static void
expect_refused(const uint8_t *buf, size_t len, const char *why_part)
{
	struct eal_hugepage_info hi;
	char why[256] = "";

	memset(&hi, 0x33, sizeof(hi));
	assert_int_equal(eal__hugepage_info_decode(&hi, buf, len, why, sizeof(why)), -EPROTO);
	if (strstr(why, why_part) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", why, why_part);
	for (size_t i = 0; i < sizeof(hi); i++)
		assert_int_equal(((unsigned char *)&hi)[i], 0x33);
}

static void
test_record_refusals(void **state)
{
	size_t max = eal__hugepage_info_record_max(), len;
	uint8_t *buf = malloc(max + 64), *orig = malloc(max + 64);
	struct eal_hugepage_info hi;

	(void)state;
	assert_non_null(buf);
	assert_non_null(orig);
	len = encoded_record(orig);
	assert_int_equal(len, 48 + 2 * ENTRY_SIZE_AT(orig));
	assert_int_equal(eal__hugepage_info_decode(&hi, orig, len, NULL, 0), 0);

#define RESET() memcpy(buf, orig, len)
	/* Truncated anywhere. */
	RESET();
	expect_refused(buf, 0, "truncated");
	expect_refused(buf, 47, "truncated");
	expect_refused(buf, 48, "truncated");
	expect_refused(buf, len - 1, "truncated");
	expect_refused(buf, len - ENTRY_SIZE_AT(orig), "truncated");
	/* Oversized. */
	memset(buf + len, 0, 8);
	expect_refused(buf, len + 1, "oversized");
	/* Corrupt: one flipped bit anywhere, in the header or an entry. */
	for (size_t off = 0; off < len; off += 97) {
		RESET();
		buf[off] ^= 0x10;
		expect_refused(buf, len, off < 8 ? "magic" : "");
	}
	RESET();
	buf[len - 1] ^= 1;
	expect_refused(buf, len, "checksum mismatch");
	RESET();
	buf[ENTRY0 + 9] ^= 1;
	expect_refused(buf, len, "checksum mismatch");
	/* Bad magic. */
	RESET();
	memcpy(buf, "EALHPINX", 8);
	fix_checksum(buf, len);
	expect_refused(buf, len, "bad magic");
	/* Another format version, with a valid checksum. */
	RESET();
	put32(buf + 8, 2);
	fix_checksum(buf, len);
	expect_refused(buf, len, "format version 2, this libeal reads version 1");
	/* Other header and entry sizes. */
	RESET();
	put32(buf + 12, 56);
	fix_checksum(buf, len);
	expect_refused(buf, len, "header size");
	RESET();
	put32(buf + 16, 100);
	fix_checksum(buf, len);
	expect_refused(buf, len, "entry size");
	/* Another NUMA build. */
	RESET();
	put32(buf + 24, EAL_MAX_NUMA_NODES + 1);
	fix_checksum(buf, len);
	expect_refused(buf, len, "NUMA nodes");
	/* Too many sizes (checked before the length, so no huge read). */
	RESET();
	put32(buf + 20, EAL_MAX_HUGEPAGE_SIZES + 1);
	fix_checksum(buf, len);
	expect_refused(buf, len, "page sizes, at most");
	RESET();
	put32(buf + 20, UINT32_MAX);
	expect_refused(buf, len, "page sizes, at most");
	/* Reserved field. */
	RESET();
	put32(buf + 28, 1);
	fix_checksum(buf, len);
	expect_refused(buf, len, "reserved");
	/* Default size not a power of two. */
	RESET();
	put64(buf + 32, 3 * MB);
	fix_checksum(buf, len);
	expect_refused(buf, len, "default page size");
	/* Page size not a power of two, or too small. */
	RESET();
	put64(buf + ENTRY0, 3 * MB);
	fix_checksum(buf, len);
	expect_refused(buf, len, "entry 0: page size 3145728 is not a power of two");
	RESET();
	put64(buf + ENTRY0, 0);
	fix_checksum(buf, len);
	expect_refused(buf, len, "entry 0: page size 0");
	RESET();
	put64(buf + ENTRY0, 2048);
	fix_checksum(buf, len);
	expect_refused(buf, len, "entry 0: page size 2048");
	/* Sizes out of order (both 1G). */
	RESET();
	put64(buf + ENTRY0 + ENTRY_SIZE_AT(orig), GB);
	fix_checksum(buf, len);
	expect_refused(buf, len, "not in decreasing order");
	/* Unknown flags; too many nodes. */
	RESET();
	put32(buf + ENTRY0 + 48, 3);
	fix_checksum(buf, len);
	expect_refused(buf, len, "unknown flags");
	RESET();
	put32(buf + ENTRY0 + 52, EAL_MAX_NUMA_NODES + 1);
	fix_checksum(buf, len);
	expect_refused(buf, len, "NUMA nodes, at most");
	/* Unterminated directory. */
	RESET();
	memset(buf + ENTRY0 + ENTRY_DIR_OFF, 'a', PATH_MAX);
	fix_checksum(buf, len);
	expect_refused(buf, len, "not terminated");
	/* Garbage after the directory's terminator. */
	RESET();
	buf[ENTRY0 + ENTRY_DIR_OFF + PATH_MAX - 1] = 'z';
	fix_checksum(buf, len);
	expect_refused(buf, len, "bytes after the directory name are not zero");
	/* Mounted without a directory, a directory without mounted, a
	 * relative directory. */
	RESET();
	memset(buf + ENTRY0 + ENTRY_DIR_OFF, 0, PATH_MAX);
	fix_checksum(buf, len);
	expect_refused(buf, len, "mounted flag");
	RESET();
	put32(buf + ENTRY0 + 48, 0);
	fix_checksum(buf, len);
	expect_refused(buf, len, "mounted flag");
	RESET();
	buf[ENTRY0 + ENTRY_DIR_OFF] = 'x';
	fix_checksum(buf, len);
	expect_refused(buf, len, "mounted flag");
	/* The untouched record still decodes. */
	RESET();
	assert_int_equal(eal__hugepage_info_decode(&hi, buf, len, NULL, 0), 0);
	assert_int_equal(eal__hugepage_info_record_checksum(buf, 47), 0);
#undef RESET
	free(buf);
	free(orig);
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The file reader: one ERR line per refusal, -EPROTO. */
static void
test_record_file_refusals(void **state)
{
	size_t max = eal__hugepage_info_record_max(), len;
	uint8_t *buf = calloc(1, max + 4096);
	struct eal_hugepage_info hi;
	char path[PATH_MAX + 32];

	(void)state;
	assert_non_null(buf);
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/hugepage_info", tmpdir);
	len = encoded_record(buf);

	write_bytes(path, buf, len / 2);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "truncated", 1);
	assert_log(ERR, "restart the primary process", 1);
	assert_int_equal(eal_test_log_n, 1);

	buf[100] ^= 0xff;
	write_bytes(path, buf, len);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "checksum mismatch", 1);
	buf[100] ^= 0xff;

	put32(buf + 8, 7);
	fix_checksum(buf, len);
	write_bytes(path, buf, len);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "format version 7", 1);

	/* Far larger than any record: refused without reading it all. */
	write_bytes(path, buf, max + 4096);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "larger than any hugepage_info record", 1);

	/* Exactly one byte too many. */
	put32(buf + 8, 1);
	fix_checksum(buf, len);
	write_bytes(path, buf, len + 1);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "oversized", 1);

	/* Empty. */
	write_bytes(path, buf, 0);
	log_clear();
	assert_int_equal(eal__hugepage_info_read(&hi, path), -EPROTO);
	assert_log(ERR, "truncated", 1);

	/* A symlink in place of the record is not followed. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(eal__hugepage_info_read(&hi, path), -ELOOP);
	free(buf);
	eal_test_rm_rf(tmpdir);
}

/* ---- the primary's sequence on a plain directory ----------------------- */

static char fake_root[PATH_MAX];
static char fake_huge[PATH_MAX + 16];

static void
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(tmp, 0700);
			*p = '/';
		}
	}
	(void)mkdir(tmp, 0700);
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX + 256];

	mkdir_p(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_bytes(path, text, strlen(text));
}

/*
 * A fake machine: 2 MiB pages (16 reserved, @free free), node 0, and a
 * plain directory listed as a hugetlbfs mount.
 */
static void
make_fake_machine(unsigned int free_pages)
{
	char dir[PATH_MAX + 128], text[PATH_MAX + 128];

	snprintf(fake_root, sizeof(fake_root), "%s/machine-XXXXXX", eal_test_runtime_base());
	assert_non_null(mkdtemp(fake_root));
	snprintf(fake_huge, sizeof(fake_huge), "%s/huge", fake_root);
	assert_int_equal(mkdir(fake_huge, 0755), 0);

	snprintf(dir, sizeof(dir), "%s/sys/kernel/mm/hugepages/hugepages-2048kB", fake_root);
	write_text(dir, "nr_hugepages", "16\n");
	snprintf(text, sizeof(text), "%u\n", free_pages);
	write_text(dir, "free_hugepages", text);
	write_text(dir, "resv_hugepages", "0\n");
	write_text(dir, "surplus_hugepages", "0\n");
	write_text(dir, "nr_overcommit_hugepages", "0\n");
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/node/node0/hugepages/hugepages-2048kB",
		 fake_root);
	write_text(dir, "nr_hugepages", "16\n");
	write_text(dir, "free_hugepages", text);
	snprintf(dir, sizeof(dir), "%s/proc", fake_root);
	write_text(dir, "meminfo", "Hugepagesize:       2048 kB\n");
	snprintf(text, sizeof(text), "nodev %s hugetlbfs rw,relatime,pagesize=2M 0 0\n", fake_huge);
	/* As on a real system, mounts is a symlink (to self/mounts). */
	write_text(dir, "self_mounts", text);
	snprintf(text, sizeof(text), "%s/proc/mounts", fake_root);
	assert_int_equal(symlink("self_mounts", text), 0);

	snprintf(dir, sizeof(dir), "%s/sys", fake_root);
	setenv("EAL_SYSFS_ROOT", dir, 1);
	snprintf(dir, sizeof(dir), "%s/proc", fake_root);
	setenv("EAL_PROCFS_ROOT", dir, 1);
	log_clear();
}

static void
set_fake_free(unsigned int free_pages)
{
	char dir[PATH_MAX + 128], text[32];

	snprintf(text, sizeof(text), "%u\n", free_pages);
	snprintf(dir, sizeof(dir), "%s/sys/kernel/mm/hugepages/hugepages-2048kB", fake_root);
	write_text(dir, "free_hugepages", text);
	snprintf(dir, sizeof(dir), "%s/sys/devices/system/node/node0/hugepages/hugepages-2048kB",
		 fake_root);
	write_text(dir, "free_hugepages", text);
}

static void
touch_in(const char *dir, const char *name, uint64_t size)
{
	char path[PATH_MAX + 256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	close(fd);
}

static bool
exists_in(const char *dir, const char *name)
{
	char path[PATH_MAX + 256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static int
count_fds(void)
{
	return eal_test_dir_entries("/proc/self/fd");
}

/* A live process holding @op (LOCK_SH / LOCK_EX) on @path until
 * release_holder(). */
struct holder {
	pid_t pid;
	int release_fd;
};

static struct holder
start_holder(const char *path, int op)
{
	int ready[2], release[2];
	struct holder h;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	h.pid = fork();
	assert_true(h.pid >= 0);
	if (h.pid == 0) {
		int fd;

		/* Keep only our pipe ends: another holder's release pipe
		 * inherited here would never see its end of file. */
		for (int i = 3; i < 1024; i++)
			if (i != ready[1] && i != release[0])
				close(i);
		fd = open(path, O_RDONLY);
		if (fd < 0 || flock(fd, op) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(2);
		/* Hold until the parent closes its end. */
		while (read(release[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	h.release_fd = release[1];
	return h;
}

static void
release_holder(struct holder *h)
{
	int status;

	close(h->release_fd);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
fake_cfg(struct eal_internal_config *cfg, const char *prefix)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->file_prefix, sizeof(cfg->file_prefix), "%s", prefix);
	cfg->p.file_prefix = cfg->file_prefix;
	cfg->p.proc_type = EAL_PROC_PRIMARY;
	cfg->p.huge_unlink = EAL_HUGE_UNLINK_EXISTING;
	cfg->process_type = EAL_PROC_PRIMARY;
}

static bool
dir_is_locked(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc;

	assert_true(fd >= 0);
	rc = flock(fd, LOCK_EX | LOCK_NB);
	close(fd);
	return rc < 0 && errno == EWOULDBLOCK;
}

static void
test_init_stale_files(void **state)
{
	static const char *const removed[] = { "pmap_0", "pmap_1", "pmap_2_7" };
	static const char *const kept[] = {
		"pmap_3",      /* held by a live process (LOCK_SH) */
		"pmap_4",      /* held by a live process (LOCK_EX) */
		"pxmap_0",     /* prefix "px" */
		"othermap_0",  /* prefix "other" */
		"pmap_5.tmp",  /* not a backing file name */
		"pmap_dir_1",  /* not a backing file name */
		"rtemap_0",    /* DPDK's default prefix */
	};
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;
	struct holder h1, h2;
	char path[PATH_MAX + 64];
	int fds;

	(void)state;
	make_fake_machine(10);
	for (size_t i = 0; i < EAL_DIM(removed); i++)
		touch_in(fake_huge, removed[i], 2 * MB);
	for (size_t i = 0; i < EAL_DIM(kept); i++)
		touch_in(fake_huge, kept[i], 2 * MB);
	/* Our names, but not regular files: a directory, a FIFO, a symlink. */
	snprintf(path, sizeof(path), "%s/pmap_6", fake_huge);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/pmap_7", fake_huge);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/pmap_8", fake_huge);
	assert_int_equal(symlink("pxmap_0", path), 0);

	snprintf(path, sizeof(path), "%s/pmap_3", fake_huge);
	h1 = start_holder(path, LOCK_SH);
	snprintf(path, sizeof(path), "%s/pmap_4", fake_huge);
	h2 = start_holder(path, LOCK_EX);

	fake_cfg(&cfg, "p");
	fds = count_fds();
	memset(&hi, 0, sizeof(hi));
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_log(ERR, "", 0);
	assert_log(INFO, "removed 3 stale file(s) of prefix 'p', left 2 in use", 1);
	for (size_t i = 0; i < EAL_DIM(removed); i++)
		if (exists_in(fake_huge, removed[i]))
			fail_msg("%s was not removed", removed[i]);
	for (size_t i = 0; i < EAL_DIM(kept); i++)
		if (!exists_in(fake_huge, kept[i]))
			fail_msg("%s was removed", kept[i]);
	assert_true(exists_in(fake_huge, "pmap_6"));
	assert_true(exists_in(fake_huge, "pmap_7"));
	assert_true(exists_in(fake_huge, "pmap_8"));

	/* The mount is locked until dirs_unlock, by one fd. */
	assert_int_equal(hi.n_sizes, 1);
	assert_string_equal(hi.sizes[0].dir, fake_huge);
	assert_true(hi.sizes[0].lock_fd >= 0);
	assert_int_equal(count_fds(), fds + 1);
	assert_true(dir_is_locked(fake_huge));
	assert_int_equal(hi.sizes[0].num_pages[0], 10);
	/* No runtime directory in this process: no record written. */
	eal__hugepage_dirs_unlock(&hi);
	assert_int_equal(hi.sizes[0].lock_fd, -1);
	assert_false(dir_is_locked(fake_huge));
	assert_int_equal(count_fds(), fds);
	eal__hugepage_dirs_unlock(&hi);
	eal__hugepage_info_fini(&hi);
	eal__hugepage_info_fini(&hi);
	eal__hugepage_info_fini(NULL);

	/* Once the holders are gone, their files are stale too. */
	release_holder(&h1);
	release_holder(&h2);
	fds = count_fds();
	log_clear();
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_false(exists_in(fake_huge, "pmap_3"));
	assert_false(exists_in(fake_huge, "pmap_4"));
	assert_true(exists_in(fake_huge, "pxmap_0"));
	assert_true(exists_in(fake_huge, "othermap_0"));
	eal__hugepage_info_fini(&hi);
	assert_int_equal(count_fds(), fds);
	eal_test_rm_rf(fake_root);
}

static void
test_init_unlink_never(void **state)
{
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;

	(void)state;
	make_fake_machine(4);
	touch_in(fake_huge, "qmap_0", 2 * MB);
	touch_in(fake_huge, "qmap_1_0", 3 * 2 * MB);
	touch_in(fake_huge, "qqmap_0", 2 * MB);
	fake_cfg(&cfg, "q");
	cfg.p.huge_unlink = EAL_HUGE_UNLINK_NEVER;
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	/* Kept, and counted as usable: 4 free + 1 + 3 in stale files, on
	 * node 0 (DPDK's rule). */
	assert_true(exists_in(fake_huge, "qmap_0"));
	assert_true(exists_in(fake_huge, "qmap_1_0"));
	assert_int_equal(hi.sizes[0].num_pages[0], 8);
	assert_log(INFO, "4 page(s) in stale files of prefix 'q' kept for reuse", 1);
	eal__hugepage_info_fini(&hi);
	eal_test_rm_rf(fake_root);
}

/* With a runtime directory the record is written, and a failed write
 * undoes the whole sequence. */
static void
test_init_writes_record(void **state)
{
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi, back;
	char path[PATH_MAX + 64];
	int fds;

	(void)state;
	make_fake_machine(9);
	fake_cfg(&cfg, "r");
	snprintf(cfg.runtime_base, sizeof(cfg.runtime_base), "%s", eal_test_runtime_base());
	cfg.p.runtime_dir = cfg.runtime_base;
	assert_int_equal(eal__runtime_dir_init(&cfg), 0);
	assert_int_equal(eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE), 0);

	fds = count_fds();
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_int_equal(eal__hugepage_info_read(&back, path), 0);
	assert_info_equal(&hi, &back);
	assert_int_equal(back.sizes[0].num_pages[0], 9);
	assert_fds_closed(&back);
	eal__hugepage_info_fini(&hi);

	/* A failed write undoes everything: no lock, no fd, *hi untouched. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	set_fake_free(3);
	memset(&hi, 0x44, sizeof(hi));
	log_clear();
	assert_true(eal__hugepage_info_init(&hi, &cfg) < 0);
	assert_log(ERR, "cannot write", 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	for (size_t i = 0; i < sizeof(hi); i++)
		assert_int_equal(((unsigned char *)&hi)[i], 0x44);
	assert_false(dir_is_locked(fake_huge));
	assert_int_equal(count_fds(), fds);
	assert_int_equal(rmdir(path), 0);

	eal__runtime_dir_fini(&cfg);
	eal_test_rm_rf(fake_root);
}

static void
test_init_errors(void **state)
{
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;
	int fds = count_fds();

	(void)state;
	/* The mount point does not exist. */
	make_fake_machine(4);
	eal_test_rm_rf(fake_huge);
	fake_cfg(&cfg, "s");
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), -ENOENT);
	assert_log(ERR, "cannot open hugepage directory", 1);
	assert_int_equal(count_fds(), fds);
	eal_test_rm_rf(fake_root);

	/* Discovery errors pass through. */
	use_fixture("malformed_numbers");
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), -EIO);
	cfg.p.huge_dir = "/not/a/mount";
	use_fixture("2m_only");
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), -EINVAL);
	assert_int_equal(count_fds(), fds);

	/* No mount: nothing to lock, nothing usable, but not an error. */
	cfg.p.huge_dir = NULL;
	use_fixture("reserved_unmounted");
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_fds_closed(&hi);
	assert_false(eal__hugepage_info_usable(&hi, false, NULL, 0));
	eal__hugepage_info_fini(&hi);
}

/* Two primaries: the second waits for the first's dir lock. */
static void
test_init_waits_for_dir_lock(void **state)
{
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;
	struct holder h;
	uint64_t t0;
	pid_t releaser;

	(void)state;
	make_fake_machine(4);
	h = start_holder(fake_huge, LOCK_EX);
	/* Release the holder from another process after 300 ms. */
	releaser = fork();
	assert_true(releaser >= 0);
	if (releaser == 0) {
		usleep(300 * 1000);
		close(h.release_fd);
		_exit(0);
	}
	close(h.release_fd);
	h.release_fd = open("/dev/null", O_RDONLY);
	fake_cfg(&cfg, "t");
	t0 = eal_test_now_ms();
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_true(eal_test_now_ms() - t0 >= 250);
	assert_log(NOTICE, "waiting for hugepage directory", 1);
	eal__hugepage_info_fini(&hi);
	assert_int_equal(waitpid(releaser, NULL, 0), releaser);
	release_holder(&h);
	eal_test_rm_rf(fake_root);
}

/* ---- OS helpers ----------------------------------------------------------- */

static void
test_os_read_bounds(void **state)
{
	char buf[8], *big, path[PATH_MAX + 32];
	size_t len;

	(void)state;
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/f", tmpdir);
	write_bytes(path, "1234567", 7);
	assert_int_equal(eal__os_read_file(path, false, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 7);
	assert_string_equal(buf, "1234567");
	write_bytes(path, "12345678", 8);
	assert_int_equal(eal__os_read_file(path, false, buf, sizeof(buf), &len), -EFBIG);
	assert_int_equal(eal__os_read_file(path, false, buf, 0, &len), -EINVAL);
	assert_int_equal(eal__os_read_file_alloc(path, false, 8, &big, &len), 0);
	assert_int_equal(len, 8);
	assert_string_equal(big, "12345678");
	free(big);
	assert_int_equal(eal__os_read_file_alloc(path, false, 7, &big, &len), -EFBIG);
	assert_int_equal(eal__os_read_file_alloc(path, false, 0, &big, &len), -EINVAL);
	assert_int_equal(eal__os_read_file_alloc("/nonexistent-eal", true, 8, &big, &len), -ENOENT);
	/* Growth past the first 4 KiB, and a procfs file (size 0 in stat). */
	{
		char *text = malloc(10000);

		assert_non_null(text);
		memset(text, 'z', 10000);
		write_bytes(path, text, 10000);
		free(text);
	}
	assert_int_equal(eal__os_read_file_alloc(path, false, 10000, &big, &len), 0);
	assert_int_equal(len, 10000);
	assert_int_equal(big[9999], 'z');
	assert_int_equal(big[10000], '\0');
	free(big);
	assert_int_equal(eal__os_read_file_alloc(path, false, 8192, &big, &len), -EFBIG);
	assert_int_equal(eal__os_read_file_alloc("/proc/self/status", true, 1 << 20, &big, &len), 0);
	assert_non_null(strstr(big, "Pid:"));
	free(big);
	/* Symlinks: followed in kernel trees, refused in our own files. */
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	assert_int_equal(symlink("f", path), 0);
	assert_int_equal(eal__os_read_file_alloc(path, true, 10000, &big, &len), 0);
	assert_int_equal(len, 10000);
	free(big);
	assert_int_equal(eal__os_read_file_alloc(path, false, 10000, &big, &len), -ELOOP);
	assert_int_equal(eal__os_read_file(path, false, buf, sizeof(buf), &len), -ELOOP);
	assert_int_equal(eal__os_read_file(path, true, buf, sizeof(buf), &len), -EFBIG);
	/* Roots follow the environment at each call. */
	setenv("EAL_SYSFS_ROOT", "/x", 1);
	assert_string_equal(eal__os_sysfs_root(), "/x");
	setenv("EAL_SYSFS_ROOT", "", 1);
	assert_string_equal(eal__os_sysfs_root(), "/sys");
	unsetenv("EAL_PROCFS_ROOT");
	assert_string_equal(eal__os_procfs_root(), "/proc");
	eal_test_rm_rf(tmpdir);
}

static int
group_setup(void **state)
{
	(void)state;
	find_fixtures();
	eal_test_log_capture("hugeinfo", EAL_LOG_INFO);
	eal_log_set_level("hugeinfo", EAL_LOG_INFO);
	return 0;
}

/*
 * The advice that follows "no usable hugepages" fits the situation and
 * the process (issue 18): a container without hugetlbfs is sent to the
 * host; a mount the user cannot write gets a mount of the user's own, not
 * a reservation; a short pool gets a larger reservation, never one that
 * would shrink it; no reservation gets one, from root, or from the host
 * when this process cannot write nr_hugepages.
 */
static void
test_advice(void **state)
{
	struct eal_hugepage_info hi;
	char fix[PATH_MAX + 256];

	(void)state;
	memset(&hi, 0, sizeof(hi));
	hi.default_size = 2u << 20;
	eal__hugepage_advice(&hi, true, true, fix, sizeof(fix));
	assert_non_null(strstr(fix, "come from the host"));

	hi.n_sizes = 1;
	hi.sizes[0].page_size = 2u << 20;
	hi.sizes[0].nr_pages = 1024;
	hi.sizes[0].free_pages = 1024;
	snprintf(hi.unwritable_mount, sizeof(hi.unwritable_mount), "/dev/hugepages");
	eal__hugepage_advice(&hi, false, false, fix, sizeof(fix));
	assert_non_null(strstr(fix, "/dev/hugepages is mounted but this user cannot create files"));
	assert_non_null(strstr(fix, "--huge-dir"));
	assert_null(strstr(fix, "--reserve"));

	hi.unwritable_mount[0] = '\0';
	eal__hugepage_advice(&hi, true, true, fix, sizeof(fix));
	assert_string_equal(fix, "run `eal-hugepages --mount`");
	eal__hugepage_advice(&hi, false, false, fix, sizeof(fix));
	assert_string_equal(fix, "ask root to run `eal-hugepages --mount`");

	/* Mounted, all 1024 in use: reserve more than 1024 pages (2 GiB). */
	hi.sizes[0].mounted = true;
	hi.sizes[0].free_pages = 0;
	eal__hugepage_advice(&hi, true, true, fix, sizeof(fix));
	assert_non_null(strstr(fix, "--reserve 2304M"));
	assert_non_null(strstr(fix, "eal-info --clean"));
	eal__hugepage_advice(&hi, true, false, fix, sizeof(fix));
	assert_non_null(strstr(fix, "on the host, run `eal-hugepages --reserve 2304M`"));

	/* Nothing reserved. */
	hi.sizes[0].nr_pages = 0;
	eal__hugepage_advice(&hi, true, true, fix, sizeof(fix));
	assert_string_equal(fix, "run `eal-hugepages --reserve 256M --mount`");
	eal__hugepage_advice(&hi, false, false, fix, sizeof(fix));
	assert_string_equal(fix, "ask root to run `eal-hugepages --reserve 256M --mount`");
	eal__hugepage_advice(&hi, true, false, fix, sizeof(fix));
	assert_non_null(strstr(fix, "on the host, run `eal-hugepages --reserve 256M --mount`"));
	assert_non_null(strstr(fix, "a container?"));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2m_only),
		cmocka_unit_test(test_2m_1g),
		cmocka_unit_test(test_1g_only),
		cmocka_unit_test(test_numa2_uneven),
		cmocka_unit_test(test_numa4_uneven),
		cmocka_unit_test(test_reserved_unmounted),
		cmocka_unit_test(test_mount_no_pagesize),
		cmocka_unit_test(test_mount_pagesize_1g),
		cmocka_unit_test(test_two_mounts_one_size),
		cmocka_unit_test(test_huge_dir),
		cmocka_unit_test(test_mount_space),
		cmocka_unit_test(test_readonly_mount),
		cmocka_unit_test(test_container),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_meminfo_no_hugepagesize),
		cmocka_unit_test(test_empty_mounts),
		cmocka_unit_test(test_too_many_sizes),
		cmocka_unit_test(test_overcommit),
		cmocka_unit_test(test_usable_reasons),
		cmocka_unit_test(test_no_numa_and_missing_counts),
		cmocka_unit_test(test_missing_procfs),
		cmocka_unit_test(test_public_get),
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_dirname),
		cmocka_unit_test(test_parse_meminfo),
		cmocka_unit_test(test_parse_mounts),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_refusals),
		cmocka_unit_test(test_record_file_refusals),
		cmocka_unit_test(test_init_stale_files),
		cmocka_unit_test(test_init_unlink_never),
		cmocka_unit_test(test_init_writes_record),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_init_waits_for_dir_lock),
		cmocka_unit_test(test_os_read_bounds),
		cmocka_unit_test(test_advice),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests_name("hugepage_info", tests, group_setup, NULL);
}
