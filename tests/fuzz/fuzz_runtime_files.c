/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the runtime files a secondary reads, through the
 * library's own readers, on real files in a private runtime directory:
 *
 *   mode 0  <runtime dir>/config: the shared config header a secondary
 *           checks (magic, layout version, size, "complete"), through
 *           eal__mcfg_init() as a secondary, with a "primary" (this
 *           process, on another open file description) holding the
 *           config's OFD lock;
 *   mode 1  <runtime dir>/hugepage_data: the legacy page table, through
 *           eal__legacy_attach() against a fixture shared config of two
 *           memseg lists (8 KiB and 4 KiB "pages" of plain files) whose
 *           ranges this process reserves at fixed addresses; each input
 *           runs twice, as given and with its checksum made valid;
 *   mode 2  <runtime dir>/fbarray_fz-fb: an fbarray file, through
 *           eal_fbarray_attach() of a struct whose len, elt_sz and count
 *           come from the input, at a fixed free address.
 *
 * The input is a mode byte (bits 0-1: the mode; bit 2: pad the file with
 * zeros to the size its struct expects, modes 0 and 2; bit 3, mode 0:
 * write this build's layout version and size into the header, so that
 * seeds survive a layout change) and the file.
 * For mode 2 the file follows 12 bytes: len, elt_sz and count, 32-bit
 * little endian.
 *
 * Besides "no crash, no sanitizer report", it checks properties:
 * - a refusal is exactly one ERR line, no log line holds a control
 *   character (a value quoted from a file must not forge lines), and
 *   no fd is left open either way;
 * - an accepted config has the right magic, version, size and
 *   "complete", is mapped where its header says (not at NULL), and
 *   leaves nothing mapped after eal__mcfg_fini();
 * - an accepted page table has one entry per page in use in the shared
 *   config, and every such page shows the content of the file of its
 *   size that its entry names;
 * - an accepted fbarray file has the size and metadata of the struct,
 *   is_used() reads the file's mask, every search answers within the
 *   array, and as the reference model does when the count agrees with
 *   the mask; it detaches cleanly.
 *
 * Seeds: the config headers and fbarray files of tests/fuzz/corpus/runtime
 * were written by the library itself (eal__mcfg_init() as a primary,
 * eal_fbarray_init()), the page tables by this file's encoder of the
 * fixture (the legacy writer needs real hugepages); regenerate with
 *   FUZZ_RUNTIME_SEEDS=tests/fuzz/corpus/runtime <builddir>/tests/fuzz/fuzz_runtime_files
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_file_layout.h"
#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"
#include "fuzz_fbarray_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define MODE_MCFG 0
#define MODE_LEGACY 1
#define MODE_FBARRAY 2
#define MODE_MASK 3
#define F_PAD 4
#define F_STAMP 8

#define PREFIX "fz"
/* Where the fixture's memseg lists and the fuzzed fbarray live: far from
 * the kernel's own choices (top down from 0x7f...) and from ASan's
 * allocator (0x600000000000) and shadow, and fixed so that the seeds'
 * addresses stay valid from one process to the next. */
#define MSL_ADDR 0x530000000000ull
#define MSL_STRIDE 0x100000ull
#define FB_ADDR 0x540000000000ull
#define FB_MAX_MAP (1u << 20)
/* Arrays this long or shorter get every search checked. */
#define FB_MODEL_MAX 4096

/* ---- the hugepage_data format (src/eal_hugepage_legacy.c) ---------------- */

/* struct eal_hugepage_data_hdr and _entry: src/eal_file_layout.h */

/* FNV-1a 64 of the record, its checksum field read as zeros. */
static uint64_t
data_checksum(const uint8_t *buf, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++) {
		bool in_sum = i >= offsetof(struct eal_hugepage_data_hdr, checksum) && i < sizeof(struct eal_hugepage_data_hdr);

		h = (h ^ (in_sum ? 0 : buf[i])) * 0x100000001b3ull;
	}
	return h;
}

/* The shared config header: struct eal_mcfg_header (src/eal_memcfg.h). */

/* ---- the fbarray file format (src/eal_fbarray.c) ------------------------- */

/* (src/eal_file_layout.h) */

static size_t
fb_meta_offset(uint32_t len, uint32_t elt_sz)
{
	return ((size_t)len * elt_sz + 7) & ~(size_t)7;
}

static size_t
fb_file_size(uint32_t len, uint32_t elt_sz)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t sz = (size_t)len * elt_sz + 7 + sizeof(struct eal_fbarray_meta) + (len + 63) / 64 * 8;

	return (sz + page - 1) / page * page;
}

/* ---- the fixture ---------------------------------------------------------- */

#define N_LISTS 2
#define N_SEGS 8

/* Two memseg lists of "pages" backed by plain files: size index i of
 * hugepage_info is list i, its used pages those of @used. */
static const struct {
	uint64_t page_sz;
	int socket;
	unsigned int used; /* bit j: memseg j is in use */
} lists[N_LISTS] = {
	{ 8192, 0, 0x26 },
	{ 4096, 1, 0x81 },
};

static struct {
	char base[64];                   /* private directory of everything */
	struct eal_internal_config cfg;  /* primary's settings, runtime dir made */
	struct eal_internal_config sec;  /* a secondary's, per input */
	struct eal_mem_config *mcfg;     /* anonymous fixture config */
	size_t mcfg_len;
	int lock_fd;                     /* "primary" holding the config's lock */
	char config[PATH_MAX], data[PATH_MAX], fb[PATH_MAX];
	struct fuzz_log_count log;       /* lines logged */
} fx = { .lock_fd = -1 };

static bool used_ref[FB_MAX_MAP];

/*
 * Waits that do not wait. A secondary polls the primary (eal_mcfg.c) with
 * eal__os_sleep_us() until a deadline read from eal__os_time_ns(); this
 * target is linked with --wrap for both (tests/fuzz/meson.build), and a
 * sleep moves the clock on instead of sleeping. The timeout paths still
 * run, in microseconds: with a real 1 ms wait for every such input (a
 * zero magic, an incomplete or truncated config), most of a run was
 * spent asleep (1300 executions/s instead of 8000).
 */
uint64_t __real_eal__os_time_ns(void);
uint64_t __wrap_eal__os_time_ns(void);
void __wrap_eal__os_sleep_us(unsigned int us);

static uint64_t skipped_ns;

uint64_t
__wrap_eal__os_time_ns(void)
{
	return __real_eal__os_time_ns() + skipped_ns;
}

void
__wrap_eal__os_sleep_us(unsigned int us)
{
	skipped_ns += (uint64_t)us * 1000;
}

/* The lowest free fd: it moves when an fd leaks. */
static int
lowest_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK(fd >= 0);
	close(fd);
	return fd;
}

static void
write_file(const char *path, const void *buf, size_t len, size_t pad_to)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	CHECK(fd >= 0);
	CHECK(len == 0 || write(fd, buf, len) == (ssize_t)len);
	if (pad_to > len)
		CHECK(ftruncate(fd, (off_t)pad_to) == 0);
	close(fd);
}

static void *
list_base(unsigned int i)
{
	return (void *)(uintptr_t)(MSL_ADDR + i * MSL_STRIDE);
}

/* Reserve (again) the VA of list @i, dropping whatever attach mapped. */
static void
list_reserve(unsigned int i, bool fixed)
{
	size_t len = N_SEGS * lists[i].page_sz;
	void *p = mmap(list_base(i), len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       (fixed ? MAP_FIXED : MAP_FIXED_NOREPLACE), -1, 0);

	CHECK(p == list_base(i));
}

static bool
list_has_pages(unsigned int i)
{
	unsigned char vec[N_SEGS * 2];
	size_t len = N_SEGS * lists[i].page_sz;

	CHECK(len / (size_t)sysconf(_SC_PAGESIZE) <= sizeof(vec));
	CHECK(mincore(list_base(i), len, vec) == 0);
	for (size_t p = 0; p < len / (size_t)sysconf(_SC_PAGESIZE); p++)
		if (vec[p] & 1)
			return true;
	return false;
}

static void
page_file(char *buf, size_t size, unsigned int list, unsigned int k)
{
	CHECK(eal__hugepage_file_path(buf, size, fx.cfg.hugepage_info.sizes[list].dir, PREFIX, -1,
				      k) == 0);
}

static void
fixture_lists(void)
{
	struct eal_mem_config *m = fx.mcfg;

	m->n_memseg_lists = N_LISTS;
	for (unsigned int i = 0; i < N_LISTS; i++) {
		struct eal_memseg_list *msl = &m->memsegs[i];
		char name[32];
		unsigned int k = 0;

		list_reserve(i, false);
		msl->base_va = list_base(i);
		msl->page_sz = lists[i].page_sz;
		msl->socket_id = lists[i].socket;
		msl->len = N_SEGS * lists[i].page_sz;
		snprintf(name, sizeof(name), PREFIX "-msl-%u", i);
		CHECK(eal_fbarray_init(&msl->memseg_arr, name, N_SEGS, sizeof(struct eal_memseg)) == 0);
		for (unsigned int j = 0; j < N_SEGS; j++) {
			struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, j);
			char path[PATH_MAX], mark[32];

			if (!(lists[i].used & (1u << j)))
				continue;
			CHECK(eal_fbarray_set_used(&msl->memseg_arr, j) == 0);
			ms->addr = (char *)list_base(i) + j * lists[i].page_sz;
			ms->iova = 0x100000000ull + i * 0x1000000ull + j * lists[i].page_sz;
			ms->len = lists[i].page_sz;
			ms->hugepage_sz = lists[i].page_sz;
			ms->socket_id = lists[i].socket;
			/* The k-th page of the size is file <prefix>map_<k>, which
			 * says which it is in its first bytes. */
			page_file(path, sizeof(path), i, k);
			snprintf(mark, sizeof(mark), "fz:%u:%u", i, k);
			write_file(path, mark, strlen(mark) + 1, lists[i].page_sz);
			k++;
		}
	}
}

static void
fixture_hugepage_info(void)
{
	struct eal_hugepage_info *hi = &fx.cfg.hugepage_info;

	memset(hi, 0, sizeof(*hi));
	hi->n_sizes = N_LISTS;
	hi->default_size = lists[0].page_sz;
	for (unsigned int i = 0; i < N_LISTS; i++) {
		struct eal_hugepage_size_info *s = &hi->sizes[i];

		s->page_size = lists[i].page_sz;
		s->lock_fd = -1;
		s->mounted = true;
		snprintf(s->dir, sizeof(s->dir), "%s/huge%u", fx.base, i);
		CHECK(mkdir(s->dir, 0700) == 0);
	}
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
cleanup(void)
{
	for (unsigned int i = 0; fx.mcfg != NULL && i < N_LISTS; i++)
		(void)eal_fbarray_destroy(&fx.mcfg->memsegs[i].memseg_arr);
	if (fx.lock_fd >= 0)
		close(fx.lock_fd);
	eal__runtime_dir_fini(&fx.cfg);
	if (fx.base[0] != '\0')
		(void)nftw(fx.base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- seeds ---------------------------------------------------------------- */

static void
seed(const char *dir, const char *name, uint8_t mode, const void *a, size_t alen, const void *b,
     size_t blen)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	CHECK(fwrite(&mode, 1, 1, f) == 1);
	CHECK(alen == 0 || fwrite(a, alen, 1, f) == 1);
	CHECK(blen == 0 || fwrite(b, blen, 1, f) == 1);
	CHECK(fclose(f) == 0);
}

/* Config headers as a primary writes them (the rest of the file is
 * zeros, as F_PAD makes it). */
static void
seeds_mcfg(const char *dir)
{
	static struct eal_internal_config prim;
	struct eal_mcfg_header h;
	const size_t n = sizeof(h);

	prim = fx.cfg;
	prim.p.proc_type = EAL_PROC_PRIMARY;
	CHECK(eal__mcfg_init(&prim) == 0 && prim.process_type == EAL_PROC_PRIMARY);
	eal__mcfg_complete(prim.mcfg_addr);
	memcpy(&h, prim.mcfg_addr, n);
	eal__mcfg_fini(&prim);
	/* Not this generator's pid: regenerated seeds stay the same. */
	h.primary_pid = 1;

	seed(dir, "mcfg_valid", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
	seed(dir, "mcfg_truncated", MODE_MCFG | F_STAMP, &h, n, NULL, 0);
	h.complete = 0;
	seed(dir, "mcfg_incomplete", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
	h.complete = EAL_MCFG_COMPLETE;
	h.version++;
	seed(dir, "mcfg_newer_layout", MODE_MCFG | F_PAD, &h, n, NULL, 0);
	h.version += 1u << 16;
	seed(dir, "mcfg_newer_major", MODE_MCFG | F_PAD, &h, n, NULL, 0);
	h.version = EAL_MCFG_VERSION;
	h.size -= 64;
	seed(dir, "mcfg_other_size", MODE_MCFG | F_PAD, &h, n, NULL, 0);
	h.size = sizeof(struct eal_mem_config);
	h.magic ^= 0x20;
	seed(dir, "mcfg_bad_magic", MODE_MCFG | F_PAD, &h, n, NULL, 0);
	h.magic = EAL_MCFG_MAGIC;
	h.mem_cfg_addr += 4096 + 8;
	seed(dir, "mcfg_unaligned_addr", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
	h.mem_cfg_addr = 0;
	seed(dir, "mcfg_null_addr", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
	h.mem_cfg_addr = EAL_DEFAULT_BASE_VIRTADDR;
	h.region_len = 4096;
	seed(dir, "mcfg_short_region", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
	h.region_len = UINT64_MAX - 4095;
	seed(dir, "mcfg_huge_region", MODE_MCFG | F_PAD | F_STAMP, &h, n, NULL, 0);
}

/* An fbarray file as eal_fbarray_init() and set_used write it, with the
 * struct that describes it; trailing zeros left to F_PAD. */
static void
seed_fbarray(const char *dir, const char *name, uint32_t len, uint32_t elt_sz,
	     const unsigned int *used, size_t n_used, uint8_t flags, int count_delta,
	     uint32_t len_delta, size_t corrupt_at)
{
	struct eal_fbarray a;
	uint32_t hdr[3];
	uint8_t *file;
	size_t size = fb_file_size(len, elt_sz);
	int fd;

	CHECK(eal_fbarray_init(&a, PREFIX "-fb", len, elt_sz) == 0);
	for (size_t i = 0; i < n_used; i++) {
		CHECK(eal_fbarray_set_used(&a, used[i]) == 0);
		memset(eal_fbarray_get(&a, used[i]), 0x5a, elt_sz);
	}
	file = calloc(1, size);
	CHECK(file != NULL);
	fd = open(fx.fb, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0 && read(fd, file, size) == (ssize_t)size);
	close(fd);
	hdr[0] = len + len_delta;
	hdr[1] = elt_sz;
	hdr[2] = a.count + (uint32_t)count_delta;
	CHECK(eal_fbarray_destroy(&a) == 0);
	if (corrupt_at < size)
		file[corrupt_at] ^= 0x01;
	while (size > 0 && file[size - 1] == 0)
		size--;
	seed(dir, name, MODE_FBARRAY | flags, hdr, sizeof(hdr), file, size);
	free(file);
}

static void
seeds_fbarray(const char *dir)
{
	static const unsigned int some[] = { 0, 1, 63, 64, 99 };
	static unsigned int all[64], runs[300];
	size_t meta = fb_meta_offset(100, 8);

	for (unsigned int i = 0; i < 64; i++)
		all[i] = i;
	for (unsigned int i = 0; i < 300; i++)
		runs[i] = i < 150 ? 10 + i : 600 + i;
	seed_fbarray(dir, "fb_len100", 100, 8, some, 5, F_PAD, 0, 0, SIZE_MAX);
	seed_fbarray(dir, "fb_len64_full", 64, 1, all, 64, F_PAD, 0, 0, SIZE_MAX);
	seed_fbarray(dir, "fb_len1000_runs", 1000, 1, runs, 300, F_PAD, 0, 0, SIZE_MAX);
	seed_fbarray(dir, "fb_short_file", 100, 8, some, 5, 0, 0, 0, SIZE_MAX);
	seed_fbarray(dir, "fb_bad_magic", 100, 8, some, 5, F_PAD, 0, 0, meta);
	seed_fbarray(dir, "fb_struct_longer", 100, 8, some, 5, F_PAD, 0, 1, SIZE_MAX);
	seed_fbarray(dir, "fb_count_low", 100, 8, some, 5, F_PAD, -2, 0, SIZE_MAX);
	/* A used bit past len in the last mask word. */
	seed_fbarray(dir, "fb_tail_bit", 100, 8, some, 5, F_PAD, 0, 0, meta + 16 + 8 + 6);
}

/* The page table of the fixture, in VA order. */
static size_t
encode_data(uint8_t *buf, size_t size)
{
	struct eal_hugepage_data_hdr *h = (void *)buf;
	struct eal_hugepage_data_entry *e = (struct eal_hugepage_data_entry *)(h + 1);
	unsigned int n = 0;

	memset(buf, 0, size);
	for (unsigned int i = 0; i < N_LISTS; i++) {
		for (unsigned int j = 0, k = 0; j < N_SEGS; j++) {
			const struct eal_memseg *ms;

			if (!(lists[i].used & (1u << j)))
				continue;
			CHECK(sizeof(*h) + (n + 1) * sizeof(*e) <= size);
			ms = eal_fbarray_get(&fx.mcfg->memsegs[i].memseg_arr, j);
			snprintf(e[n].name, sizeof(e[n].name), PREFIX "map_%u", k++);
			e[n].va = (uint64_t)(uintptr_t)ms->addr;
			e[n].iova = ms->iova;
			e[n].size = ms->len;
			e[n].socket = ms->socket_id;
			e[n].size_idx = i;
			n++;
		}
	}
	*h = (struct eal_hugepage_data_hdr){ .magic = EAL_HUGEPAGE_DATA_MAGIC, .version = EAL_HUGEPAGE_DATA_VERSION,
				.hdr_size = sizeof(*h), .entry_size = sizeof(*e), .count = n };
	h->checksum = data_checksum(buf, sizeof(*h) + n * sizeof(*e));
	return sizeof(*h) + n * sizeof(*e);
}

static void
seed_data(const char *dir, const char *name, uint8_t *buf, size_t len)
{
	struct eal_hugepage_data_hdr *h = (void *)buf;

	h->checksum = data_checksum(buf, len);
	seed(dir, name, MODE_LEGACY, buf, len, NULL, 0);
}

static void
seeds_legacy(const char *dir)
{
	_Alignas(8) uint8_t buf[1024];
	struct eal_hugepage_data_hdr *h = (void *)buf;
	struct eal_hugepage_data_entry *e = (struct eal_hugepage_data_entry *)(h + 1);
	size_t len = encode_data(buf, sizeof(buf));

	seed_data(dir, "data_valid", buf, len);
	h->flags = EAL_HUGEPAGE_DATA_F_UNLINKED;
	seed_data(dir, "data_unlinked", buf, len);
	h->flags = 0;
	h->version = EAL_HUGEPAGE_DATA_VERSION + 1;
	seed_data(dir, "data_newer_version", buf, len);
	h->version = EAL_HUGEPAGE_DATA_VERSION;
	seed_data(dir, "data_one_entry_less", buf, len - sizeof(*e));
	e[1].va += lists[0].page_sz;
	seed_data(dir, "data_wrong_va", buf, len);
	e[1].va -= lists[0].page_sz;
	snprintf(e[0].name, sizeof(e[0].name), "../" PREFIX "map_0");
	seed_data(dir, "data_name_escapes", buf, len);
	snprintf(e[0].name, sizeof(e[0].name), PREFIX "map_9");
	seed_data(dir, "data_missing_file", buf, len);
	snprintf(e[0].name, sizeof(e[0].name), PREFIX "map_0");
	h->checksum = 0;
	seed(dir, "data_bad_checksum", MODE_LEGACY, buf, len, NULL, 0);
}

static void
write_seeds(const char *dir)
{
	seeds_mcfg(dir);
	seeds_fbarray(dir);
	seeds_legacy(dir);
}

/* ---- set-up ----------------------------------------------------------------- */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char opt_dir[PATH_MAX + 16];
	char *args[] = { (char *)"fuzz", (char *)"--proc-type=primary",
			 (char *)"--file-prefix=" PREFIX, opt_dir, (char *)"--attach-timeout=1" };
	const char *seeds = getenv("FUZZ_RUNTIME_SEEDS");
	int consumed;
	void *p;

	(void)argc;
	(void)argv;
	eal_log_set_handler(fuzz_log_handler, &fx.log);
	/* tmpfs: on a disk file system, rewriting a truncated file each run
	 * costs a write-back on close. */
	snprintf(fx.base, sizeof(fx.base), "/dev/shm/eal-fuzz-runtime-XXXXXX");
	CHECK(mkdtemp(fx.base) != NULL);
	atexit(cleanup);
	snprintf(opt_dir, sizeof(opt_dir), "--runtime-dir=%s/run", fx.base);
	CHECK(eal__options_parse(&fx.cfg, (int)EAL_DIM(args), args, &consumed) == 0);
	CHECK(eal__options_check(&fx.cfg) == 0);
	CHECK(eal__runtime_dir_init(&fx.cfg) == 0);
	CHECK(eal__runtime_path(fx.config, sizeof(fx.config), "config") == 0);
	CHECK(eal__runtime_path(fx.data, sizeof(fx.data), EAL_HUGEPAGE_DATA_FILE) == 0);
	CHECK(eal__runtime_path(fx.fb, sizeof(fx.fb), "fbarray_" PREFIX "-fb") == 0);

	fx.mcfg_len = (sizeof(struct eal_mem_config) + 4095) & ~(size_t)4095;
	p = mmap(NULL, fx.mcfg_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	fx.mcfg = p;
	fixture_hugepage_info();
	fixture_lists();
	/* The fbarray address must be free: attach maps there. */
	p = mmap((void *)(uintptr_t)FB_ADDR, FB_MAX_MAP, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK(p == (void *)(uintptr_t)FB_ADDR && munmap(p, FB_MAX_MAP) == 0);

	if (seeds != NULL) {
		write_seeds(seeds);
		exit(0);
	}
	/* The "primary": an OFD lock on another open file description is
	 * as good as another process's for the secondary's check. */
	CHECK(eal__os_open(fx.config, O_RDWR | O_CREAT, 0600, &fx.lock_fd) == 0);
	CHECK(eal__os_range_lock(fx.lock_fd, F_WRLCK, 0, 64, false) == 0);
	return 0;
}

/* ---- mode 0: the shared config ---------------------------------------------- */

static void
fuzz_mcfg(const uint8_t *d, size_t n, bool pad, bool stamp)
{
	const size_t full = sizeof(struct eal_mem_config);
	const off_t n_sec_at = offsetof(struct eal_mem_config, n_secondaries);
	struct eal_mcfg_header h = { 0 };
	uint32_t n_sec = 0;
	int fd = lowest_fd(), rc;

	memcpy(&h, d, n < sizeof(h) ? n : sizeof(h));
	CHECK(ftruncate(fx.lock_fd, 0) == 0);
	CHECK(n == 0 || pwrite(fx.lock_fd, d, n, 0) == (ssize_t)n);
	if (stamp && n >= offsetof(struct eal_mcfg_header, complete)) {
		h.version = EAL_MCFG_VERSION;
		h.size = (uint32_t)full;
		CHECK(pwrite(fx.lock_fd, &h.version, 8, offsetof(struct eal_mcfg_header, version)) == 8);
	}
	if (pad && n < full)
		CHECK(ftruncate(fx.lock_fd, (off_t)full) == 0);
	CHECK(pread(fx.lock_fd, &n_sec, sizeof(n_sec), n_sec_at) >= 0);

	fx.sec = fx.cfg;
	fx.sec.p.proc_type = EAL_PROC_SECONDARY;
	fx.log.n_err = 0;
	rc = eal__mcfg_init(&fx.sec);
	if (rc == 0) {
		const struct eal_mem_config *m = fx.sec.mcfg_addr;

		CHECK(fx.sec.process_type == EAL_PROC_SECONDARY && fx.sec.mcfg_fd == -1);
		CHECK(pad || n >= full);
		CHECK(h.magic == EAL_MCFG_MAGIC && h.version == EAL_MCFG_VERSION && h.size == full &&
		      h.complete == EAL_MCFG_COMPLETE);
		/* Mapped where the header says, and that is a real address. */
		CHECK(m != NULL && (uint64_t)(uintptr_t)m == h.mem_cfg_addr);
		CHECK(m->magic == EAL_MCFG_MAGIC && m->n_secondaries == n_sec + 1);
		eal__mcfg_fini(&fx.sec);
		CHECK(fx.sec.mcfg_addr == NULL);
		CHECK(fx.log.n_err == 0);
	} else {
		CHECK(fx.log.n_err == 1 && fx.sec.mcfg_addr == NULL);
	}
	CHECK(lowest_fd() == fd);
}

/* ---- mode 1: the legacy page table ------------------------------------------ */

/* After an accepted table: every page in use shows the file its entry
 * names, of its own size. */
static void
check_legacy_pages(const uint8_t *d, size_t n)
{
	const struct eal_hugepage_data_entry *e = (const void *)(d + sizeof(struct eal_hugepage_data_hdr));
	unsigned int count, seen = 0;

	CHECK(n >= sizeof(struct eal_hugepage_data_hdr) && (n - sizeof(struct eal_hugepage_data_hdr)) % sizeof(*e) == 0);
	count = (unsigned int)((n - sizeof(struct eal_hugepage_data_hdr)) / sizeof(*e));
	for (unsigned int i = 0; i < N_LISTS; i++) {
		for (unsigned int j = 0; j < N_SEGS; j++) {
			const char *va = (const char *)list_base(i) + j * lists[i].page_sz;
			unsigned int size_idx, k, x;
			const struct eal_hugepage_data_entry *ent = NULL;

			if (!(lists[i].used & (1u << j)))
				continue;
			for (unsigned int q = 0; q < count; q++)
				if (e[q].va == (uint64_t)(uintptr_t)va)
					ent = &e[q];
			CHECK(ent != NULL && ent->size_idx == i);
			CHECK(sscanf(va, "fz:%u:%u", &size_idx, &k) == 2 && size_idx == i);
			CHECK(sscanf(ent->name, PREFIX "map_%u", &x) == 1 && x == k);
			seen++;
		}
	}
	CHECK(seen == count);
}

static void
fuzz_legacy_once(const uint8_t *d, size_t n)
{
	int fd = lowest_fd(), rc;

	write_file(fx.data, d, n, 0);
	fx.sec = fx.cfg;
	fx.sec.p.proc_type = EAL_PROC_SECONDARY;
	fx.log.n_err = 0;
	rc = eal__legacy_attach(&fx.sec, fx.mcfg);
	if (rc == 0) {
		CHECK(fx.log.n_err == 0);
		check_legacy_pages(d, n);
		eal__legacy_fini(&fx.sec, fx.mcfg);
	} else {
		CHECK(fx.log.n_err == 1);
	}
	/* What the memseg-list code does after a failed attach: the range
	 * goes, and with it any page mapped into it. Attach maps pages with
	 * MAP_POPULATE, so a list without a resident page has none. */
	for (unsigned int i = 0; i < N_LISTS; i++)
		if (list_has_pages(i))
			list_reserve(i, true);
	CHECK(lowest_fd() == fd);
}

static void
fuzz_legacy(const uint8_t *d, size_t n)
{
	/* Aligned for the entries, as the reader's malloc()ed buffer is. */
	static _Alignas(8) uint8_t rec[8192];
	uint64_t sum;

	if (n > sizeof(rec))
		return;
	memcpy(rec, d, n);
	fuzz_legacy_once(rec, n);
	/* Again with a valid checksum, to reach the checks behind it. */
	if (n >= sizeof(struct eal_hugepage_data_hdr)) {
		sum = data_checksum(rec, n);
		memcpy(rec + offsetof(struct eal_hugepage_data_hdr, checksum), &sum, sizeof(sum));
		fuzz_legacy_once(rec, n);
	}
}

/* ---- mode 2: an fbarray file ------------------------------------------------ */

/* What any search of an attached array answers, whatever the file says:
 * an index or count within the array, or the documented errno. */
static void
check_search_range(struct eal_fbarray *a, enum ref_search s, bool state, unsigned int start,
		   unsigned int n)
{
	int rc = lib_search(a, s, state, start, n);

	if (s == S_CONTIG)
		CHECK(rc >= 0 && (unsigned int)rc <= a->len - start);
	else if (s == S_REV_CONTIG)
		CHECK(rc >= 0 && (unsigned int)rc <= start + 1);
	else if (rc < 0)
		CHECK(rc == (state ? -ENOENT : -ENOSPC) || (ref_takes_n(s) && rc == -EINVAL));
	else
		CHECK((unsigned int)rc < a->len);
}

static void
check_attached(struct eal_fbarray *a, const uint8_t *file, size_t n)
{
	size_t off = fb_meta_offset(a->len, a->elt_sz), mask = off + sizeof(struct eal_fbarray_meta);
	unsigned int starts[] = { 0, a->len - 1, a->len / 2 };
	unsigned int ns[] = { 1, 2, 64, a->len };
	unsigned int used = 0, limit = a->len < FB_MAX_MAP ? a->len : FB_MAX_MAP;
	struct eal_fbarray_meta meta = { 0 };
	bool agree;

	/* The file is the input, then zeros. */
	for (size_t b = 0; b < sizeof(meta); b++)
		((uint8_t *)&meta)[b] = off + b < n ? file[off + b] : 0;
	CHECK(meta.magic == EAL_FBARRAY_MAGIC && meta.len == a->len && meta.elt_sz == a->elt_sz &&
	      meta.n_masks == (a->len + 63) / 64);
	for (unsigned int i = 0; i < limit; i++) {
		size_t byte = mask + i / 8;

		used_ref[i] = byte < n && (file[byte] >> (i % 8)) & 1;
		used += used_ref[i];
		eal_errno = 0;
		CHECK(eal_fbarray_is_used(a, i) == (int)used_ref[i]);
	}
	agree = limit == a->len && used == a->count;
	for (size_t k = 0; k < EAL_DIM(starts); k++) {
		for (int s = 0; s < S_COUNT; s++) {
			for (size_t j = 0; j < (ref_takes_n(s) ? EAL_DIM(ns) : 1); j++) {
				for (int state = 0; state < 2; state++) {
					if (agree && a->len <= FB_MODEL_MAX)
						CHECK(lib_search(a, s, state, starts[k], ns[j]) ==
						      ref_search(used_ref, a->len, s, state, starts[k],
								 ns[j]));
					check_search_range(a, s, state, starts[k], ns[j]);
				}
			}
		}
	}
	/* A write through the attached array lands in the file's mask, and
	 * moves the count by one, when the count was right to start with. */
	if (agree) {
		bool was = used_ref[0];

		CHECK((was ? eal_fbarray_set_free(a, 0) : eal_fbarray_set_used(a, 0)) == 0);
		CHECK(eal_fbarray_is_used(a, 0) == !was && a->count == (was ? used - 1 : used + 1));
	}
}

static void
fuzz_fbarray(const uint8_t *d, size_t n, bool pad)
{
	struct eal_fbarray a;
	uint32_t hdr[3];
	int fd = lowest_fd(), rc;
	size_t want;

	if (n < sizeof(hdr))
		return;
	memcpy(hdr, d, sizeof(hdr));
	d += sizeof(hdr);
	n -= sizeof(hdr);
	want = hdr[0] <= FB_MAX_MAP && hdr[1] <= FB_MAX_MAP ? fb_file_size(hdr[0], hdr[1]) : 0;
	write_file(fx.fb, d, n, pad && want <= FB_MAX_MAP ? want : 0);

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), PREFIX "-fb");
	a.len = hdr[0];
	a.elt_sz = hdr[1];
	a.count = hdr[2];
	a.data = (void *)(uintptr_t)FB_ADDR;
	eal_rwlock_init(&a.rwlock);
	fx.log.n_err = 0;
	eal_errno = 0;
	rc = eal_fbarray_attach(&a);
	if (rc == 0) {
		struct stat st;

		CHECK(fx.log.n_err == 0);
		CHECK(stat(fx.fb, &st) == 0 && (size_t)st.st_size == want);
		check_attached(&a, d, n);
		CHECK(eal_fbarray_detach(&a) == 0);
	} else {
		CHECK(rc == -1 && fx.log.n_err == 1 && eal_errno != EADDRINUSE && eal_errno != EEXIST);
	}
	CHECK(lowest_fd() == fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] & MODE_MASK) {
	case MODE_MCFG:
		fuzz_mcfg(data + 1, size - 1, data[0] & F_PAD, data[0] & F_STAMP);
		break;
	case MODE_LEGACY:
		fuzz_legacy(data + 1, size - 1);
		break;
	case MODE_FBARRAY:
		fuzz_fbarray(data + 1, size - 1, data[0] & F_PAD);
		break;
	default:
		break;
	}
	return 0;
}
