/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IOVA (src/eal_iova.c, src/os/linux/eal_os_pagemap.c).
 *
 * Against the real /proc/self/pagemap (run as root, as CI does): physical
 * addresses of anonymous pages, batches against single lookups, untouched
 * pages, a 2 MiB hugepage when the pool has a free one (skipped otherwise).
 * Against a crafted pagemap under EAL_PROCFS_ROOT: exact decoding of the
 * present bit, flag bits, PFN 0, swap entries and the end of the file; a
 * missing pagemap; the mode table for every request x no_huge x
 * availability. In a forked child that drops root: no physical addresses.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_os.h"
#include "eal_private.h"

#define PG 4096u
#define PRESENT (UINT64_C(1) << 63)
#define SWAPPED (UINT64_C(1) << 62)
#define SOFT_DIRTY (UINT64_C(1) << 55)
#define EXCLUSIVE (UINT64_C(1) << 56)
#define FILE_SHARED (UINT64_C(1) << 61)
#define HUGE_2M (UINT64_C(2) << 20)
#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

/*
 * CMocka 1.1 reports skip() as "not ok N # SKIP", which meson 1.0.1's TAP
 * parser counts as a failure: a case that cannot run here says why on a
 * comment line and passes.
 */
#define SKIP_UNLESS(cond, why) \
	do { \
		if (!(cond)) { \
			print_message("# skipped: %s\n", why); \
			return; \
		} \
	} while (0)

/* ---- log capture: eal_test_log_capture() (tests/helpers) ----------- */

/* ---- crafted procfs ---------------------------------------------------- */

static char procfs_dir[4096];
static char pagemap_path[4300];

/* A fresh <base>/procfs/self/ with no pagemap yet, EAL_PROCFS_ROOT set. */
static int
procfs_setup(void **state)
{
	char self[4200];

	(void)state;
	snprintf(procfs_dir, sizeof(procfs_dir), "%s/procfs", eal_test_runtime_base());
	eal_test_rm_rf(procfs_dir);
	assert_int_equal(mkdir(procfs_dir, 0700), 0);
	snprintf(self, sizeof(self), "%s/self", procfs_dir);
	assert_int_equal(mkdir(self, 0700), 0);
	snprintf(pagemap_path, sizeof(pagemap_path), "%s/pagemap", self);
	setenv("EAL_PROCFS_ROOT", procfs_dir, 1);
	eal_test_log_n = 0;
	return 0;
}

static int
procfs_teardown(void **state)
{
	(void)state;
	unsetenv("EAL_PROCFS_ROOT");
	eal_test_rm_rf(procfs_dir);
	return 0;
}

struct pm_entry {
	uint64_t vpn;
	uint64_t raw;
};

/* Write a sparse pagemap with @n entries; then cut it to @size bytes
 * when @size is not 0. */
static void
pagemap_write(const struct pm_entry *e, unsigned int n, off_t size)
{
	int fd = open(pagemap_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	for (unsigned int i = 0; i < n; i++)
		assert_int_equal(pwrite(fd, &e[i].raw, 8, (off_t)(e[i].vpn * 8)), 8);
	if (size != 0)
		assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

static uint64_t
vpn_of(const void *p)
{
	return (uint64_t)(uintptr_t)p / PG;
}

/* ---- helpers ------------------------------------------------------------ */

static unsigned int
count_fds(void)
{
	int n = eal_test_dir_entries("/proc/self/fd");

	assert_true(n > 0);
	return (unsigned int)n;
}

static uint64_t
one_pa(const void *addr)
{
	uint64_t pa = SENTINEL;

	assert_int_equal(eal__iova_virt2phys(&addr, 1, &pa), 0);
	assert_true(pa != SENTINEL);
	return pa;
}

/* ---- real pagemap -------------------------------------------------------- */

static void
test_pa_available(void **state)
{
	bool avail = false;

	(void)state;
	SKIP_UNLESS(geteuid() == 0, "needs root to see physical addresses");
	assert_int_equal(eal__iova_pa_available(&avail), 0);
	assert_true(avail);
}

static void
test_anon_pages(void **state)
{
	enum { NPAGES = 16 };
	const void *addrs[2 * NPAGES];
	uint64_t pa[2 * NPAGES];
	char *m;

	(void)state;
	SKIP_UNLESS(geteuid() == 0, "needs root to see physical addresses");
	m = mmap(NULL, NPAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	for (unsigned int i = 0; i < NPAGES; i++) {
		m[i * PG] = 1;
		addrs[2 * i] = m + i * PG + 17;
		addrs[2 * i + 1] = m + i * PG + 4000;
	}
	assert_int_equal(eal__iova_virt2phys(addrs, 2 * NPAGES, pa), 0);
	for (unsigned int i = 0; i < 2 * NPAGES; i++) {
		assert_true(pa[i] != EAL_BAD_IOVA);
		assert_int_equal(pa[i] & (PG - 1), (uintptr_t)addrs[i] & (PG - 1));
		/* The batch agrees with one lookup at a time. */
		assert_int_equal(one_pa(addrs[i]), pa[i]);
	}
	/* Two addresses in one page: PAs one offset apart. */
	for (unsigned int i = 0; i < NPAGES; i++)
		assert_int_equal(pa[2 * i + 1] - pa[2 * i], 4000 - 17);
	munmap(m, NPAGES * PG);
}

/* Addresses far apart and out of order take several reads (and, beyond
 * 64 addresses, a malloc()ed staging array): same answers. */
static void
test_scattered_batch(void **state)
{
	enum { N = 200 };
	const void *addrs[N];
	uint64_t pa[N], single[N];
	static char data_page[PG] __attribute__((aligned(4096)));
	char *m;

	(void)state;
	SKIP_UNLESS(geteuid() == 0, "needs root to see physical addresses");
	m = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	memset(m, 1, 8 * PG);
	data_page[0] = 1;
	for (unsigned int i = 0; i < N; i++) {
		/* Alternate between a .bss page and the mapping, backwards. */
		addrs[i] = i % 2 ? (const void *)(data_page + i) :
				   (const void *)(m + (7 - i % 8) * PG + i);
		single[i] = one_pa(addrs[i]);
		assert_true(single[i] != EAL_BAD_IOVA);
	}
	for (unsigned int n = 1; n <= N; n = n < 60 ? n + 7 : n * 2) {
		unsigned int k = n > N ? N : n;

		memset(pa, 0xff, sizeof(pa));
		assert_int_equal(eal__iova_virt2phys(addrs, k, pa), 0);
		for (unsigned int i = 0; i < k; i++)
			assert_int_equal(pa[i], single[i]);
	}
	munmap(m, 8 * PG);
}

static void
test_untouched_page(void **state)
{
	const void *addrs[3];
	uint64_t pa[3];
	char *m;

	(void)state;
	m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(m != MAP_FAILED);
	m[PG] = 1;
	addrs[0] = m;
	addrs[1] = m + PG + 5;
	addrs[2] = m + 3 * PG;
	assert_int_equal(eal__iova_virt2phys(addrs, 3, pa), 0);
	assert_int_equal(pa[0], EAL_BAD_IOVA);
	assert_int_equal(pa[2], EAL_BAD_IOVA);
	if (geteuid() == 0)
		assert_int_equal(pa[1] & (PG - 1), 5);
	else
		assert_int_equal(pa[1], EAL_BAD_IOVA);
	munmap(m, 4 * PG);
}

static unsigned long
free_2m_hugepages(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	unsigned long n = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

static void
test_hugepage_2m(void **state)
{
	enum { N = HUGE_2M / PG };
	static const void *addrs[N];
	static uint64_t pa[N];
	char *m;

	(void)state;
	SKIP_UNLESS(geteuid() == 0, "needs root to see physical addresses");
	SKIP_UNLESS(free_2m_hugepages() > 0, "no free 2 MiB hugepage");
	m = mmap(NULL, HUGE_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	/* The free page may have gone to someone else meanwhile. */
	SKIP_UNLESS(m != MAP_FAILED, "the free 2 MiB hugepage was taken meanwhile");
	/* One touch faults in the whole 2 MiB page. */
	m[0] = 1;
	for (unsigned int i = 0; i < N; i++)
		addrs[i] = m + (size_t)i * PG + (i % PG);
	assert_int_equal(eal__iova_virt2phys(addrs, N, pa), 0);
	assert_true(pa[0] != EAL_BAD_IOVA);
	assert_int_equal(pa[0] % HUGE_2M, 0);
	for (unsigned int i = 0; i < N; i++)
		assert_int_equal(pa[i], pa[0] + (uint64_t)i * PG + (i % PG));
	munmap(m, HUGE_2M);
}

static void
test_bad_args(void **state)
{
	const void *addr = &addr;
	uint64_t pa = SENTINEL;

	(void)state;
	/* Nothing asked, nothing opened, nothing written. */
	assert_int_equal(eal__iova_virt2phys(NULL, 0, NULL), 0);
	assert_int_equal(eal__iova_virt2phys(&addr, 0, &pa), 0);
	assert_int_equal(pa, SENTINEL);
	assert_int_equal(eal__iova_virt2phys(NULL, 1, &pa), -EINVAL);
	assert_int_equal(eal__iova_virt2phys(&addr, 1, NULL), -EINVAL);
	assert_int_equal(pa, SENTINEL);
}

/* ---- crafted pagemap ------------------------------------------------------ */

static void
test_fixture_decoding(void **state)
{
	const uint64_t base = 0x10000; /* a page number: VA 0x10000000 */
	const struct pm_entry e[] = {
		{ base + 0, PRESENT | 0x12345 },
		{ base + 1, PRESENT | 0 },                           /* hidden PFN */
		{ base + 2, SWAPPED | 0x777 },                       /* swap slot */
		{ base + 3, 0x4242 },                                /* bit 63 clear */
		{ base + 4, PRESENT | SOFT_DIRTY | EXCLUSIVE | FILE_SHARED | 0xabcde },
		{ base + 5, PRESENT | ((UINT64_C(1) << 52) - 1) },   /* highest PA */
		{ base + 6, PRESENT | (UINT64_C(1) << 52) },         /* past 2^64 */
		{ base + 700, PRESENT | 0x42 },                      /* another window */
		{ base + 1000, PRESENT | 0x99 },                     /* last entry */
	};
	const void *addrs[12];
	uint64_t pa[12];
	uint64_t expect[12] = {
		0x12345000 + 0x123, EAL_BAD_IOVA, EAL_BAD_IOVA, EAL_BAD_IOVA,
		0xabcde000 + 0xfff, 0xfffffffffffff000, EAL_BAD_IOVA,
		0x42000, 0x99000 + 8, 0x12345000, EAL_BAD_IOVA, EAL_BAD_IOVA,
	};
	unsigned int fds = count_fds();

	(void)state;
	pagemap_write(e, sizeof(e) / sizeof(e[0]), 0);
	addrs[0] = (const void *)(uintptr_t)((base + 0) * PG + 0x123);
	addrs[1] = (const void *)(uintptr_t)((base + 1) * PG + 1);
	addrs[2] = (const void *)(uintptr_t)((base + 2) * PG);
	addrs[3] = (const void *)(uintptr_t)((base + 3) * PG);
	addrs[4] = (const void *)(uintptr_t)((base + 4) * PG + 0xfff);
	addrs[5] = (const void *)(uintptr_t)((base + 5) * PG);
	addrs[6] = (const void *)(uintptr_t)((base + 6) * PG);
	addrs[7] = (const void *)(uintptr_t)((base + 700) * PG);
	addrs[8] = (const void *)(uintptr_t)((base + 1000) * PG + 8);
	addrs[9] = (const void *)(uintptr_t)((base + 0) * PG);       /* back again */
	addrs[10] = (const void *)(uintptr_t)((base + 1001) * PG);   /* past EOF */
	addrs[11] = (const void *)(uintptr_t)((base + 7) * PG);      /* hole: 0 */
	assert_int_equal(eal__iova_virt2phys(addrs, 12, pa), 0);
	for (unsigned int i = 0; i < 12; i++) {
		print_message("# entry %u: pa 0x%" PRIx64 "\n", i, pa[i]);
		assert_int_equal(pa[i], expect[i]);
		assert_int_equal(one_pa(addrs[i]), expect[i]);
	}

	/* A file cut inside the last entry: that entry is absent. */
	pagemap_write(e, sizeof(e) / sizeof(e[0]), (off_t)((base + 1000) * 8 + 5));
	assert_int_equal(one_pa(addrs[8]), EAL_BAD_IOVA);
	assert_int_equal(one_pa(addrs[7]), 0x42000);
	assert_int_equal(count_fds(), fds);
}

static void
test_fixture_missing(void **state)
{
	const void *addrs[2] = { &addrs, &addrs[1] };
	uint64_t pa[2] = { SENTINEL, SENTINEL };
	enum eal_iova_mode mode = (enum eal_iova_mode)99;
	unsigned int fds = count_fds();
	bool avail = true;

	(void)state;
	/* No self/pagemap under the root at all. */
	assert_int_equal(eal__iova_virt2phys(addrs, 2, pa), -ENOENT);
	assert_int_equal(pa[0], SENTINEL);
	assert_int_equal(pa[1], SENTINEL);
	assert_int_equal(eal__iova_pa_available(&avail), 0);
	assert_false(avail);

	eal_test_log_n = 0;
	assert_int_equal(eal__iova_mode_select(EAL_IOVA_PA, false, &mode), -EINVAL);
	assert_int_equal(mode, 99);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR,
		"Cannot use IOVA as 'PA' since physical addresses are not available; run as root (CAP_SYS_ADMIN) or use --iova-mode=va"), 1);
	assert_int_equal(eal_test_log_count(EAL_LOG_INFO, ""), 0);

	/* The default falls back to VA quietly (INFO only). */
	eal_test_log_n = 0;
	assert_int_equal(eal__iova_mode_select(EAL_IOVA_DC, false, &mode), 0);
	assert_int_equal(mode, EAL_IOVA_VA);
	assert_int_equal(eal_test_log_count(EAL_LOG_ERR, ""), 0);
	assert_int_equal(eal_test_log_count(EAL_LOG_INFO, "IOVA mode: VA"), 1);
	assert_int_equal(count_fds(), fds);
}

/* A pagemap where the page of @probe is present with @pfn. */
static void
pagemap_for(const void *probe, uint64_t pfn)
{
	const struct pm_entry e = { vpn_of(probe), PRESENT | pfn };

	pagemap_write(&e, 1, 0);
}

static void
test_fixture_available(void **state)
{
	bool avail = false;

	(void)state;
	pagemap_for(&avail, 0x1234);
	assert_int_equal(eal__iova_pa_available(&avail), 0);
	assert_true(avail);
	pagemap_for(&avail, 0);
	assert_int_equal(eal__iova_pa_available(&avail), 0);
	assert_false(avail);
}

static void
test_mode_table(void **state)
{
	static const char *const names[] = { "DC", "PA", "VA" };
	static const struct {
		enum eal_iova_mode requested;
		bool no_huge, avail;
		int rc;
		enum eal_iova_mode mode;
	} table[] = {
		{ EAL_IOVA_DC, false, true, 0, EAL_IOVA_PA },
		{ EAL_IOVA_DC, false, false, 0, EAL_IOVA_VA },
		{ EAL_IOVA_DC, true, true, 0, EAL_IOVA_VA },
		{ EAL_IOVA_DC, true, false, 0, EAL_IOVA_VA },
		{ EAL_IOVA_PA, false, true, 0, EAL_IOVA_PA },
		{ EAL_IOVA_PA, false, false, -EINVAL, 0 },
		{ EAL_IOVA_PA, true, true, 0, EAL_IOVA_PA },
		{ EAL_IOVA_PA, true, false, -EINVAL, 0 },
		{ EAL_IOVA_VA, false, true, 0, EAL_IOVA_VA },
		{ EAL_IOVA_VA, false, false, 0, EAL_IOVA_VA },
		{ EAL_IOVA_VA, true, true, 0, EAL_IOVA_VA },
		{ EAL_IOVA_VA, true, false, 0, EAL_IOVA_VA },
	};
	enum eal_iova_mode mode;

	(void)state;
	for (unsigned int i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *want = table[i].mode == EAL_IOVA_PA ? "IOVA mode: PA" :
								  "IOVA mode: VA";
		int rc;

		print_message("# requested %s, no_huge %d, available %d\n",
			      names[table[i].requested], table[i].no_huge, table[i].avail);
		/* Availability is probed on the page of the result. */
		pagemap_for(&mode, table[i].avail ? 0x8000 : 0);
		mode = (enum eal_iova_mode)77;
		eal_test_log_n = 0;
		rc = eal__iova_mode_select(table[i].requested, table[i].no_huge, &mode);
		assert_int_equal(rc, table[i].rc);
		if (rc < 0) {
			assert_int_equal(mode, 77);
			assert_int_equal(eal_test_log_count(EAL_LOG_ERR, "Cannot use IOVA as 'PA'"), 1);
			assert_int_equal(eal_test_log_n, 1);
		} else {
			assert_int_equal(mode, table[i].mode);
			assert_int_equal(eal_test_log_count(EAL_LOG_INFO, want), 1);
			assert_int_equal(eal_test_log_n, 1);
		}
	}
	/* Not an enum eal_iova_mode value. */
	mode = (enum eal_iova_mode)77;
	assert_int_equal(eal__iova_mode_select((enum eal_iova_mode)3, false, &mode), -EINVAL);
	assert_int_equal(mode, 77);
}

/* ---- unprivileged ---------------------------------------------------------- */

/* Child: drop root, then expect no physical addresses. Exit code: 0, or
 * the number of the first failed check. */
static int
nonroot_child(void)
{
	enum eal_iova_mode mode = EAL_IOVA_DC;
	volatile char page[64];
	const void *addr = (const void *)page;
	uint64_t pa = SENTINEL;
	bool avail = true;
	int rc;

	page[0] = 1;
	if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
		return 1;
	/* A set*id() call makes the process non-dumpable, which makes its
	 * /proc/self files root's: the pagemap does not even open. */
	rc = eal__iova_virt2phys(&addr, 1, &pa);
	if (rc != -EACCES || pa != SENTINEL)
		return 2;
	if (eal__iova_pa_available(&avail) != 0 || avail)
		return 3;
	/* Dumpable again (an ordinary unprivileged process): the pagemap
	 * opens, but every PFN reads 0. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
		return 4;
	rc = eal__iova_virt2phys(&addr, 1, &pa);
	if (rc != 0 || pa != EAL_BAD_IOVA)
		return 5;
	avail = true;
	if (eal__iova_pa_available(&avail) != 0 || avail)
		return 6;
	if (eal__iova_mode_select(EAL_IOVA_PA, false, &mode) != -EINVAL || mode != EAL_IOVA_DC)
		return 7;
	if (eal__iova_mode_select(EAL_IOVA_DC, false, &mode) != 0 || mode != EAL_IOVA_VA)
		return 8;
	return 0;
}

static void
test_nonroot(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	/* Without root we cannot switch users; test_untouched_page then
	 * covers PFN 0. */
	SKIP_UNLESS(geteuid() == 0, "needs root to drop it");
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(nonroot_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- fds -------------------------------------------------------------------- */

static void
test_no_fd_leak(void **state)
{
	const void *addrs[100];
	uint64_t pa[100];
	unsigned int fds = count_fds();
	enum eal_iova_mode mode;
	bool avail;

	(void)state;
	for (unsigned int i = 0; i < 100; i++)
		addrs[i] = (const char *)&addrs - (i % 2 ? i : (size_t)i << 22);
	for (unsigned int i = 0; i < 50; i++) {
		assert_int_equal(eal__iova_virt2phys(addrs, 100, pa), 0);
		assert_int_equal(eal__iova_virt2phys(addrs, 1, pa), 0);
		assert_int_equal(eal__iova_pa_available(&avail), 0);
		assert_int_equal(eal__iova_mode_select(EAL_IOVA_DC, false, &mode), 0);
	}
	assert_int_equal(count_fds(), fds);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pa_available),
		cmocka_unit_test(test_anon_pages),
		cmocka_unit_test(test_scattered_batch),
		cmocka_unit_test(test_untouched_page),
		cmocka_unit_test(test_hugepage_2m),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test_setup_teardown(test_fixture_decoding, procfs_setup, procfs_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_missing, procfs_setup, procfs_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_available, procfs_setup, procfs_teardown),
		cmocka_unit_test_setup_teardown(test_mode_table, procfs_setup, procfs_teardown),
		cmocka_unit_test(test_nonroot),
		cmocka_unit_test(test_no_fd_leak),
	};

	eal_test_setup(argc, argv);
	/* Every line, INFO included, goes to the capture handler (and none
	 * to stderr, where the TAP stream is read). */
	eal_test_log_capture("memory", EAL_LOG_INFO);
	eal_log_set_level("memory", EAL_LOG_INFO);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
