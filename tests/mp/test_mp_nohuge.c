/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * No-huge memory across real processes (issue 4 item 2): a --no-huge
 * primary and two secondaries see the same bytes at the same addresses
 * (DPDK 22.11 cannot attach a secondary to a --no-huge primary); walks
 * agree in all three; address translation on random addresses; a
 * secondary whose range is taken fails clearly; memory files go away with
 * the primary. Public API only.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

#define PFX "--file-prefix"
#define RTD "--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())
#define MEM_MB 16
#define N_PAGES (MEM_MB * 256)

struct walk_sum {
	unsigned int n;
	uint64_t first, last;
	unsigned int runs;
	size_t run_len;
};

static int
count_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, void *arg)
{
	struct walk_sum *w = arg;

	(void)msl;
	if (w->n++ == 0)
		w->first = (uint64_t)(uintptr_t)ms->addr;
	w->last = (uint64_t)(uintptr_t)ms->addr;
	return 0;
}

static int
contig_cb(const struct eal_memseg_list *msl, const struct eal_memseg *ms, size_t len, void *arg)
{
	struct walk_sum *w = arg;

	(void)msl;
	(void)ms;
	w->runs++;
	w->run_len = len;
	return 0;
}

static struct walk_sum
walks(void)
{
	struct walk_sum w = { 0 };

	assert_int_equal(eal_memseg_walk(count_cb, &w), 0);
	assert_int_equal(eal_memseg_contig_walk(contig_cb, &w), 0);
	return w;
}

/* The byte pattern process @who writes at page @i. */
static uint64_t
pattern(unsigned int who, unsigned int i)
{
	return 0x9e3779b97f4a7c15ull * (i + 1) ^ ((uint64_t)who << 56);
}

/* Child: attach, check what the primary wrote, write its own pages. */
static int
child(int argc, char **argv)
{
	char *args[16] = { (char *)"child" };
	unsigned int who = (unsigned int)atoi(argv[0]);
	uint64_t want_base = strtoull(argv[1], NULL, 16);
	struct walk_sum w;
	uint64_t *p;
	int n = 1;

	for (int i = 2; i < argc && n < 15; i++)
		args[n++] = argv[i];
	if (strcmp(eal_test_child_role(), "squat") == 0) {
		/* Take the primary's range first: attach must fail cleanly. */
		void *q = mmap((void *)(uintptr_t)want_base, 4096, PROT_READ,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (q == MAP_FAILED)
			return 3;
	}
	if (eal_init(n, args) < 0) {
		printf("err %d\n", eal_errno);
		return 1;
	}
	w = walks();
	p = (uint64_t *)(uintptr_t)w.first;
	if (w.n != N_PAGES || w.first != want_base || w.runs != 1 ||
	    w.run_len != (size_t)MEM_MB << 20 || eal_iova_mode() != EAL_IOVA_VA ||
	    eal_memory_size() != (uint64_t)MEM_MB << 20) {
		printf("bad layout n=%u first=%#" PRIx64 " runs=%u\n", w.n, w.first, w.runs);
		return 1;
	}
	for (unsigned int i = 0; i < N_PAGES; i++)
		if (p[i * 512] != pattern(0, i)) {
			printf("bad byte at page %u\n", i);
			return 1;
		}
	/* Each secondary owns a slice of pages and writes it. */
	for (unsigned int i = who * 100; i < who * 100 + 100; i++)
		p[i * 512 + 1] = pattern(who, i);
	printf("ok\n");
	fflush(stdout);
	return eal_cleanup() == 0 ? 0 : 2;
}

static uint64_t base_addr;

static int
setup(void **state)
{
	char **argv;
	int argc = eal_test_argv(&argv, "--no-huge", "-m", "16", "--proc-type=primary", NULL);
	struct walk_sum w;
	uint64_t *p;

	(void)state;
	if (eal_init(argc, argv) != argc - 1)
		return -1;
	w = walks();
	base_addr = w.first;
	p = (uint64_t *)(uintptr_t)base_addr;
	for (unsigned int i = 0; i < N_PAGES; i++)
		p[i * 512] = pattern(0, i);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return eal_cleanup();
}

static void
test_layout_and_walks(void **state)
{
	struct walk_sum w = walks();
	const struct eal_memseg_list *msl = eal_mem_virt2memseg_list((void *)(uintptr_t)base_addr);

	(void)state;
	assert_int_equal(w.n, N_PAGES);
	assert_int_equal(w.runs, 1);
	assert_int_equal(w.run_len, (size_t)MEM_MB << 20);
	assert_int_equal(w.last - w.first, (uint64_t)(N_PAGES - 1) * 4096);
	assert_int_equal(eal_memory_size(), (uint64_t)MEM_MB << 20);
	assert_int_equal(eal_iova_mode(), EAL_IOVA_VA);
	assert_non_null(msl);
	assert_int_equal(msl->page_sz, 4096);
	assert_int_equal(msl->memseg_arr.count, N_PAGES);
	assert_int_equal(msl->socket_id, 0);
}

static void
test_two_secondaries(void **state)
{
	char base_hex[32], line[128];
	uint64_t *p = (uint64_t *)(uintptr_t)base_addr;
	pid_t pid[2];
	int fd[2];

	(void)state;
	snprintf(base_hex, sizeof(base_hex), "%" PRIx64, base_addr);
	for (int k = 0; k < 2; k++) {
		char who[4];

		snprintf(who, sizeof(who), "%d", k + 1);
		pid[k] = eal_test_spawn("check", &fd[k], who, base_hex, PFX, eal_test_prefix(), RTD,
					BASE, "--proc-type=secondary", NULL);
	}
	for (int k = 0; k < 2; k++) {
		assert_int_equal(eal_test_read_line(fd[k], line, sizeof(line), 20000), 0);
		close(fd[k]);
		assert_string_equal(line, "ok");
		assert_int_equal(eal_test_wait(pid[k], 20000), 0);
	}
	/* Both secondaries' writes are here, at the same addresses. */
	for (unsigned int who = 1; who <= 2; who++)
		for (unsigned int i = who * 100; i < who * 100 + 100; i++)
			assert_true(p[i * 512 + 1] == pattern(who, i));
}

static void
test_translation(void **state)
{
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (int k = 0; k < 20000; k++) {
		uint64_t off, a;
		const struct eal_memseg *ms;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		off = x % ((uint64_t)MEM_MB << 20);
		a = base_addr + off;
		ms = eal_mem_virt2memseg((void *)(uintptr_t)a, NULL);
		assert_non_null(ms);
		assert_true((uint64_t)(uintptr_t)ms->addr <= a && a < (uint64_t)(uintptr_t)ms->addr + 4096);
		assert_true(eal_mem_virt2iova((void *)(uintptr_t)a) == a);
		assert_ptr_equal(eal_mem_iova2virt(a), (void *)(uintptr_t)a);
	}
	/* Outside libeal's memory: no answer, EINVAL. */
	eal_errno = 0;
	assert_null(eal_mem_virt2memseg(&x, NULL));
	assert_int_equal(eal_errno, EINVAL);
	assert_true(eal_mem_virt2iova(&x) == EAL_BAD_IOVA);
	assert_null(eal_mem_virt2memseg_list((void *)(uintptr_t)(base_addr + ((uint64_t)MEM_MB << 20))));
	assert_null(eal_mem_iova2virt((eal_iova_t)(uintptr_t)&x));
}

static void
test_dump_grouped(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	eal_memory_dump(f);
	fclose(f);
	/* One line for the list, one per contiguous run, one total. */
	assert_non_null(strstr(buf, "segs 0-4095"));
	assert_non_null(strstr(buf, "total memory in segments: 16777216 bytes"));
	assert_null(strstr(buf, "segs 1-"));
	free(buf);
}

static void
test_secondary_range_taken(void **state)
{
	char base_hex[32], line[128];
	pid_t pid;
	int fd;

	(void)state;
	snprintf(base_hex, sizeof(base_hex), "%" PRIx64, base_addr);
	pid = eal_test_spawn("squat", &fd, "3", base_hex, PFX, eal_test_prefix(), RTD, BASE,
			     "--proc-type=secondary", NULL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 20000), 0);
	close(fd);
	assert_string_equal(line, "err 98"); /* EADDRINUSE */
	assert_int_equal(eal_test_wait(pid, 20000), 1);
}

/* The /dev/shm file is named by uid and prefix only: a primary of the
 * same prefix under another runtime directory must not take this live
 * primary's memory away (it used to unlink and replace the file). */
static void
test_same_prefix_other_runtime_dir(void **state)
{
	char base_hex[32], line[128], other[PATH_MAX], path[256];
	uint64_t *p = (uint64_t *)(uintptr_t)base_addr;
	struct stat before, after;
	pid_t pid;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)geteuid(),
		 eal_test_prefix());
	assert_int_equal(stat(path, &before), 0);
	snprintf(other, sizeof(other), "%s-other", eal_test_runtime_base());
	snprintf(base_hex, sizeof(base_hex), "%" PRIx64, base_addr);
	pid = eal_test_spawn("check", &fd, "0", base_hex, PFX, eal_test_prefix(), RTD, other,
			     "--no-huge", "-m", "16", "--proc-type=primary", NULL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 20000), 0);
	close(fd);
	assert_string_equal(line, "err 16"); /* EBUSY */
	assert_int_equal(eal_test_wait(pid, 20000), 1);
	eal_test_rm_rf(other);
	/* the same file, the same memory */
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	for (unsigned int i = 0; i < N_PAGES; i++)
		assert_true(p[i * 512] == pattern(0, i));
}

static void
test_memory_file_lifecycle(void **state)
{
	char path[256];

	(void)state;
	snprintf(path, sizeof(path), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)geteuid(),
		 eal_test_prefix());
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* Without shared files the memory is a memfd: nothing in /dev/shm. */
	{
		char **argv;
		int argc = eal_test_argv(&argv, "--no-huge", "-m", "16", "--no-shconf", NULL);

		assert_int_equal(eal_init(argc, argv), argc - 1);
		assert_int_equal(access(path, F_OK), -1);
		assert_int_equal(eal_memory_size(), (uint64_t)MEM_MB << 20);
		((volatile char *)(uintptr_t)walks().first)[0] = 1;
		assert_int_equal(eal_cleanup(), 0);
	}
	assert_int_equal(setup(NULL), 0);
}

/* Physical address of @va from /proc/self/pagemap, 0 when not visible. */
static uint64_t
pagemap_pa(const void *va)
{
	uint64_t e = 0, vpn = (uint64_t)(uintptr_t)va / 4096;
	FILE *f = fopen("/proc/self/pagemap", "rb");

	if (f == NULL)
		return 0;
	if (fseeko(f, (off_t)(vpn * 8), SEEK_SET) != 0 || fread(&e, 8, 1, f) != 1)
		e = 0;
	fclose(f);
	if (!(e >> 63) || (e & ((1ull << 55) - 1)) == 0)
		return 0;
	return (e & ((1ull << 55) - 1)) * 4096 + (uint64_t)(uintptr_t)va % 4096;
}

/* --iova-mode=pa with 4 KiB pages: as root every memseg's IOVA is its
 * page's frame address; without visible frames init refuses (EINVAL). */
static void
test_pa_forced(void **state)
{
	char **argv;
	int argc, rc;
	struct walk_sum w;

	(void)state;
	assert_int_equal(eal_cleanup(), 0);
	argc = eal_test_argv(&argv, "--no-huge", "-m", "4", "--no-shconf", "--iova-mode=pa", NULL);
	rc = eal_init(argc, argv);
	if (geteuid() != 0) {
		assert_int_equal(rc, -1);
		assert_int_equal(eal_errno, EINVAL);
	} else {
		assert_int_equal(rc, argc - 1);
		assert_int_equal(eal_iova_mode(), EAL_IOVA_PA);
		w = walks();
		for (uint64_t off = 0; off < (4u << 20); off += 4096 * 37 + 8) {
			const char *va = (const char *)(uintptr_t)w.first + off;

			assert_true(eal_mem_virt2iova(va) == pagemap_pa(va));
			assert_ptr_equal(eal_mem_iova2virt(eal_mem_virt2iova(va)), va);
		}
		assert_int_equal(eal_cleanup(), 0);
	}
	assert_int_equal(setup(NULL), 0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_walks),
		cmocka_unit_test(test_two_secondaries),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_dump_grouped),
		cmocka_unit_test(test_secondary_range_taken),
		cmocka_unit_test(test_same_prefix_other_runtime_dir),
		cmocka_unit_test(test_memory_file_lifecycle),
		cmocka_unit_test(test_pa_forced),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL)
		return child(eal_test_child_argc(), eal_test_child_argv());
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
