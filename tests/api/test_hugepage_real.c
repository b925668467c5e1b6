/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hugepage discovery on the real machine (no fixture roots): it agrees
 * with /proc/meminfo and the mount table; the primary's sequence removes a
 * stale backing file of its prefix left by a SIGKILLed process, frees its
 * page, and leaves alone another prefix's file and a file a live process
 * holds; a secondary process reads the primary's hugepage_info and refuses
 * a corrupt one.
 *
 * Needs 2 MiB hugepages: at least 4 free and a writable hugetlbfs mount
 * for them; exits 77 (skip) otherwise. Links the internal library for
 * eal__hugepage_info_init(). Every file it creates in the mount is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_hugepage.h"
#include "eal_hugepage_info.h"
#include "eal_internal_cfg.h"
#include "eal_private.h"

#define PAGE_2M (UINT64_C(2) << 20)
#define MIN_FREE 4
#define OTHER_PREFIX "hpreal_other_"

/* The first writable hugetlbfs mount for 2 MiB pages, found without the
 * code under test. */
static char huge_mount[PATH_MAX];

struct meminfo {
	long total, free, rsvd, surp, size_kb;
};

static void
read_meminfo(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];

	memset(m, 0, sizeof(*m));
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		(void)(sscanf(line, "HugePages_Total: %ld", &m->total) == 1 ||
		       sscanf(line, "HugePages_Free: %ld", &m->free) == 1 ||
		       sscanf(line, "HugePages_Rsvd: %ld", &m->rsvd) == 1 ||
		       sscanf(line, "HugePages_Surp: %ld", &m->surp) == 1 ||
		       sscanf(line, "Hugepagesize: %ld kB", &m->size_kb) == 1);
	}
	fclose(f);
}

static bool
find_2m_mount(long default_kb)
{
	FILE *f = setmntent("/proc/mounts", "r");
	struct mntent *e;

	if (f == NULL)
		return false;
	while ((e = getmntent(f)) != NULL) {
		const char *ps = hasmntopt(e, "pagesize");
		bool is_2m;

		if (strcmp(e->mnt_type, "hugetlbfs") != 0 || hasmntopt(e, "ro") != NULL)
			continue;
		if (ps != NULL)
			is_2m = strncmp(ps, "pagesize=2M", 11) == 0 &&
				(ps[11] == ',' || ps[11] == '\0');
		else
			is_2m = default_kb == 2048;
		if (is_2m) {
			snprintf(huge_mount, sizeof(huge_mount), "%s", e->mnt_dir);
			break;
		}
	}
	endmntent(f);
	return huge_mount[0] != '\0';
}

static void
require_hugepages(void)
{
	struct meminfo m;

	read_meminfo(&m);
	if (eal_test_free_hugepages_2m() < MIN_FREE) {
		printf("# SKIP: fewer than %d free 2 MiB hugepages\n", MIN_FREE);
		exit(EAL_TEST_SKIP);
	}
	if (!find_2m_mount(m.size_kb)) {
		printf("# SKIP: no writable hugetlbfs mount for 2 MiB pages\n");
		exit(EAL_TEST_SKIP);
	}
	if (access(huge_mount, W_OK) != 0) {
		printf("# SKIP: %s is not writable by this user\n", huge_mount);
		exit(EAL_TEST_SKIP);
	}
}

static const struct eal_hugepage_size_info *
size_2m(const struct eal_hugepage_info *hi)
{
	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].page_size == PAGE_2M)
			return &hi->sizes[i];
	fail_msg("no 2 MiB size discovered");
	return NULL;
}

static void
path_in_mount(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", huge_mount, name);
}

static bool
exists_in_mount(const char *name)
{
	char path[PATH_MAX + 256];

	path_in_mount(path, sizeof(path), name);
	return access(path, F_OK) == 0;
}

static void
remove_in_mount(const char *name)
{
	char path[PATH_MAX + 256];

	path_in_mount(path, sizeof(path), name);
	(void)unlink(path);
}

/* Child role "map <path>": create the file, fault one hugepage in, hold
 * LOCK_SH as a backing-file user does, say "ready", wait to be killed. */
static int
child_map(int argc, char **argv)
{
	void *p;
	int fd;

	if (argc < 1)
		return 2;
	fd = open(argv[0], O_CREAT | O_RDWR, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)PAGE_2M) < 0)
		return 3;
	p = mmap(NULL, PAGE_2M, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 4;
	memset(p, 0xa5, PAGE_2M);
	if (flock(fd, LOCK_SH) < 0)
		return 5;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

/* Child role "read <path>": a secondary reading the primary's record;
 * prints the 2 MiB entry and exits with the error number on failure. */
static int
child_read(int argc, char **argv)
{
	struct eal_hugepage_info hi;
	int rc;

	if (argc < 1)
		return 2;
	rc = eal__hugepage_info_read(&hi, argv[0]);
	if (rc < 0)
		return -rc;
	for (unsigned int i = 0; i < hi.n_sizes; i++)
		if (hi.sizes[i].page_size == PAGE_2M)
			printf("%u %llu %u %s\n", hi.n_sizes,
			       (unsigned long long)hi.sizes[i].free_pages, hi.sizes[i].num_pages[0],
			       hi.sizes[i].dir);
	fflush(stdout);
	return 0;
}

/* Children still alive and files created, for the teardown: a failed
 * assertion must not leave a process holding a hugepage, nor a file. */
static pid_t children[8];
static unsigned int n_children;
static char created[8][128];
static unsigned int n_created;

static void
forget_child(pid_t pid)
{
	for (unsigned int i = 0; i < n_children; i++)
		if (children[i] == pid)
			children[i] = children[--n_children];
}

static int
cleanup(void **state)
{
	(void)state;
	while (n_children > 0) {
		kill(children[0], SIGKILL);
		(void)eal_test_wait(children[0], 10000);
		forget_child(children[0]);
	}
	while (n_created > 0)
		remove_in_mount(created[--n_created]);
	return 0;
}

/* Start a "map" child on @name in the mount; returns its pid once ready. */
static pid_t
spawn_mapper(const char *name)
{
	char path[PATH_MAX + 256], line[64];
	int out;
	pid_t pid;

	path_in_mount(path, sizeof(path), name);
	assert_true(n_created < EAL_DIM(created) && n_children < EAL_DIM(children));
	snprintf(created[n_created++], sizeof(created[0]), "%s", name);
	pid = eal_test_spawn("map", &out, path, NULL);
	assert_true(pid > 0);
	children[n_children++] = pid;
	if (eal_test_read_line(out, line, sizeof(line), 10000) != 0 || strcmp(line, "ready") != 0) {
		close(out);
		kill(pid, SIGKILL);
		eal_test_wait(pid, 5000);
		fail_msg("mapper child for %s did not start", name);
	}
	close(out);
	return pid;
}

static void
kill_child(pid_t pid)
{
	kill(pid, SIGKILL);
	forget_child(pid);
	assert_int_equal(eal_test_wait(pid, 10000), 128 + SIGKILL);
}

static void
prefix_cfg(struct eal_internal_config *cfg, const char *prefix)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->file_prefix, sizeof(cfg->file_prefix), "%s", prefix);
	cfg->p.file_prefix = cfg->file_prefix;
	cfg->p.proc_type = EAL_PROC_PRIMARY;
	cfg->process_type = EAL_PROC_PRIMARY;
}

static void
test_agrees_with_meminfo(void **state)
{
	struct eal_hugepage_size pub[EAL_MAX_HUGEPAGE_SIZES];
	const struct eal_hugepage_size_info *s = NULL;
	struct eal_hugepage_info hi;
	struct meminfo m;
	uint64_t node_total = 0;
	int n;

	(void)state;
	read_meminfo(&m);
	assert_int_equal(eal__hugepage_info_discover(&hi, NULL, false, false), 0);
	assert_int_equal(hi.default_size, (uint64_t)m.size_kb << 10);
	for (unsigned int i = 0; i < hi.n_sizes; i++) {
		if (i > 0)
			assert_true(hi.sizes[i].page_size < hi.sizes[i - 1].page_size);
		if (hi.sizes[i].page_size == hi.default_size)
			s = &hi.sizes[i];
	}
	assert_non_null(s);
	/* meminfo's HugePages_* lines are the default size's sysfs counts. */
	assert_int_equal(s->nr_pages, m.total);
	assert_int_equal(s->free_pages, m.free);
	assert_int_equal(s->resv_pages, m.rsvd);
	assert_int_equal(s->surplus_pages, m.surp);
	for (unsigned int k = 0; k < s->n_nodes; k++)
		node_total += s->node_nr_pages[k];
	if (s->n_nodes > 0)
		assert_int_equal(node_total, s->nr_pages);
	assert_string_equal(size_2m(&hi)->dir, huge_mount);
	assert_true(eal__hugepage_info_usable(&hi, false, NULL, 0));

	/* The public query says the same. */
	n = eal_hugepage_info_get(pub, EAL_DIM(pub));
	assert_int_equal(n, (int)hi.n_sizes);
	for (int i = 0; i < n; i++) {
		assert_int_equal(pub[i].page_size, hi.sizes[i].page_size);
		assert_int_equal(pub[i].total_pages, hi.sizes[i].nr_pages);
		assert_int_equal(pub[i].is_default, hi.sizes[i].page_size == hi.default_size);
		assert_string_equal(pub[i].mount, hi.sizes[i].dir);
	}
}

static void
test_stale_files(void **state)
{
	char ours_stale[128], ours_held[128], ours_list[128], theirs[128], longer[128];
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;
	pid_t held;
	long free_before;
	int fd;

	(void)state;
	prefix_cfg(&cfg, eal_test_prefix());
	snprintf(ours_stale, sizeof(ours_stale), "%smap_0", eal_test_prefix());
	snprintf(ours_list, sizeof(ours_list), "%smap_1_0", eal_test_prefix());
	snprintf(ours_held, sizeof(ours_held), "%smap_2", eal_test_prefix());
	snprintf(theirs, sizeof(theirs), "%smap_0", OTHER_PREFIX);
	/* A prefix that starts with ours. */
	snprintf(longer, sizeof(longer), "%sbmap_0", eal_test_prefix());
	remove_in_mount(theirs);
	remove_in_mount(longer);

	/* Primaries that died with their pages mapped (SIGKILL: no
	 * cleanup), one of ours with two files, one of another prefix,
	 * one of a prefix that extends ours. */
	kill_child(spawn_mapper(ours_stale));
	kill_child(spawn_mapper(ours_list));
	kill_child(spawn_mapper(theirs));
	kill_child(spawn_mapper(longer));
	/* A live process of our prefix (a secondary of the dead primary). */
	held = spawn_mapper(ours_held);
	assert_true(exists_in_mount(ours_stale));

	free_before = eal_test_free_hugepages_2m();
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_false(exists_in_mount(ours_stale));
	assert_false(exists_in_mount(ours_list));
	assert_true(exists_in_mount(ours_held));
	assert_true(exists_in_mount(theirs));
	assert_true(exists_in_mount(longer));
	/* The two stale pages went back to the kernel, and the counts were
	 * read after the cleanup (assumes nobody else allocates meanwhile). */
	print_message("# free 2M pages: %ld before init, %llu after\n", free_before,
		      (unsigned long long)size_2m(&hi)->free_pages);
	assert_true((long)size_2m(&hi)->free_pages >= free_before + 2);
	assert_true(size_2m(&hi)->num_pages[0] > 0 || size_2m(&hi)->n_nodes > 1);

	/* The mount stays locked until the dirs are unlocked. */
	fd = open(huge_mount, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	eal__hugepage_dirs_unlock(&hi);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	eal__hugepage_info_fini(&hi);

	/* Once its holder dies, the held file is stale too. */
	kill_child(held);
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	assert_false(exists_in_mount(ours_held));
	assert_true(exists_in_mount(theirs));
	eal__hugepage_info_fini(&hi);
}

static void
test_secondary_reads_record(void **state)
{
	struct eal_internal_config cfg;
	struct eal_hugepage_info hi;
	char path[PATH_MAX + 64], line[PATH_MAX + 64], expect[PATH_MAX + 64];
	pid_t pid;
	int out, fd;
	uint8_t byte;

	(void)state;
	prefix_cfg(&cfg, eal_test_prefix());
	snprintf(cfg.runtime_base, sizeof(cfg.runtime_base), "%s", eal_test_runtime_base());
	cfg.p.runtime_dir = cfg.runtime_base;
	assert_int_equal(eal__runtime_dir_init(&cfg), 0);
	assert_int_equal(eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE), 0);
	assert_int_equal(eal__hugepage_info_init(&hi, &cfg), 0);
	eal__hugepage_dirs_unlock(&hi);

	pid = eal_test_spawn("read", &out, path, NULL);
	assert_true(pid > 0);
	assert_int_equal(eal_test_read_line(out, line, sizeof(line), 10000), 0);
	close(out);
	assert_int_equal(eal_test_wait(pid, 10000), 0);
	snprintf(expect, sizeof(expect), "%u %llu %u %s", hi.n_sizes,
		 (unsigned long long)size_2m(&hi)->free_pages, size_2m(&hi)->num_pages[0],
		 size_2m(&hi)->dir);
	assert_string_equal(line, expect);

	/* One corrupt byte: the secondary refuses it with EPROTO. */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, 60), 1);
	byte ^= 0x01;
	assert_int_equal(pwrite(fd, &byte, 1, 60), 1);
	close(fd);
	pid = eal_test_spawn("read", NULL, path, NULL);
	assert_true(pid > 0);
	assert_int_equal(eal_test_wait(pid, 10000), EPROTO);

	eal__hugepage_info_fini(&hi);
	assert_int_equal(unlink(path), 0);
	eal__runtime_dir_fini(&cfg);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agrees_with_meminfo),
		cmocka_unit_test_teardown(test_stale_files, cleanup),
		cmocka_unit_test(test_secondary_reads_record),
	};
	const char *role;

	eal_test_setup(argc, argv);
	/* The real machine, whatever the environment says. */
	unsetenv("EAL_SYSFS_ROOT");
	unsetenv("EAL_PROCFS_ROOT");
	role = eal_test_child_role();
	if (role != NULL && strcmp(role, "map") == 0)
		return child_map(eal_test_child_argc(), eal_test_child_argv());
	if (role != NULL && strcmp(role, "read") == 0)
		return child_read(eal_test_child_argc(), eal_test_child_argv());
	require_hugepages();
	return cmocka_run_group_tests_name("hugepage_real", tests, NULL, NULL);
}
