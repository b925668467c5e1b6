/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * va_survey: what occupies this process's address space, and which
 * candidate bases for the shared VA region are free in it.
 *
 * Standalone (no libeal). Optionally behaves like a large application
 * first (threads with default stacks, a large malloc, big PROT_NONE
 * reservations, dlopen), then reads /proc/self/maps, classifies and prints
 * the occupied ranges, and finally tries
 *   mmap(base, size, PROT_NONE,
 *        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE)
 * for every candidate base and region size, through libc (so a sanitizer's
 * or valgrind's mmap wrapper sees it, as it would see libeal's call) and
 * through the raw system call. Every successful probe is unmapped again.
 *
 * Results: ok (mapped at base), moved (mapped elsewhere: the flag was
 * dropped by a wrapper or an old kernel), or the errno name.
 *
 * Build: cc -O1 -g -o va_survey va_survey.c -ldl -lpthread
 *        (-DVA_BIG_BSS adds a 1 GiB BSS array, for -no-pie builds)
 * Usage: va_survey [-l] [-j] [-q] [-R] [-t threads] [-m malloc_mib]
 *                  [-s shape] [-r run] [-b base,base,...] [-z gib,gib,...]
 *   -l  large-application load before the survey
 *   -j  JSON lines instead of text
 *   -q  no mapping list, probes only
 *   -R  no raw-syscall probes (under valgrind they are the same path)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define GIB (1ull << 30)
#define TIB (1ull << 40)
#define MAX_MAPS 8192
#define MAX_RANGES 4096
#define MAX_BASES 64
#define MAX_SIZES 8
#define MAX_THREADS 256
#define MAPS_BUF (4u << 20)

#if defined(__SANITIZE_ADDRESS__)
#define VA_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define VA_TSAN 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(VA_ASAN)
#define VA_ASAN 1
#endif
#if __has_feature(thread_sanitizer) && !defined(VA_TSAN)
#define VA_TSAN 1
#endif
#if __has_feature(memory_sanitizer)
#define VA_MSAN 1
#endif
#if __has_feature(dataflow_sanitizer)
#define VA_DFSAN 1
#endif
#endif

#if defined(VA_ASAN)
#define VA_SANITIZER "asan"
#define VA_ALLOC_CLS "asan-allocator"
#define VA_SHADOW_CLS "asan-shadow"
#define VA_PROT_CLS "asan-protected"
/* Exported by the ASan runtimes of gcc and clang. */
void __asan_get_shadow_mapping(size_t *shadow_scale, size_t *shadow_offset);
#elif defined(VA_TSAN)
#define VA_SANITIZER "tsan"
#define VA_ALLOC_CLS "tsan-allocator"
#define VA_SHADOW_CLS "tsan-shadow"
#define VA_PROT_CLS "tsan-protected"
#elif defined(VA_MSAN)
#define VA_SANITIZER "msan"
#define VA_ALLOC_CLS "msan-allocator"
#define VA_SHADOW_CLS "msan-shadow"
#define VA_PROT_CLS "msan-protected"
#elif defined(VA_DFSAN)
#define VA_SANITIZER "dfsan"
#define VA_ALLOC_CLS "dfsan-allocator"
#define VA_SHADOW_CLS "dfsan-shadow"
#define VA_PROT_CLS "dfsan-protected"
#else
#define VA_SANITIZER NULL
#define VA_ALLOC_CLS "malloc-arena"
#define VA_SHADOW_CLS "anon"
#define VA_PROT_CLS "anon"
#endif

#ifdef VA_BIG_BSS
/* Non-static and touched, so that neither compiler nor linker drops it. */
char va_big_bss[1ull << 30];
#endif

struct map {
	uint64_t start, end;
	char prot[5];
	char name[256];
	const char *cls;
};

struct range {
	uint64_t start, end;
	const char *cls;
	char name[64];
};

struct known {
	uint64_t start, end;
	const char *cls;
};

static struct map maps[MAX_MAPS];
static unsigned int n_maps;
static struct range ranges[MAX_RANGES];
static unsigned int n_ranges;
static struct known known[MAX_THREADS + 16];
static unsigned int n_known;
static char maps_buf[MAPS_BUF];

static const char *shape = "unnamed";
static int run_no;
static int json;
static int loaded;
static int in_valgrind;

static uint64_t def_bases[] = {
	0x100000000ull,    0x1000000000ull,   0x2000000000ull,   0x10000000000ull,
	0x100000000000ull, 0x200000000000ull, 0x300000000000ull, 0x400000000000ull,
	0x500000000000ull, 0x520000000000ull, 0x550000000000ull, 0x600000000000ull,
	0x700000000000ull,
};
static uint64_t bases[MAX_BASES];
static unsigned int n_bases;
static uint64_t sizes_gib[MAX_SIZES] = { 600, 70 };
static unsigned int n_sizes = 2;

static pthread_mutex_t park_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cond = PTHREAD_COND_INITIALIZER;
static int park_release;
static unsigned int park_count;

static const char *errname(int e)
{
	switch (e) {
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case ENOMEM:
		return "ENOMEM";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	default:
		return "other";
	}
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (json)
		printf("{\"shape\":\"%s\",\"load\":1,\"run\":%d,\"kind\":\"note\","
		       "\"text\":\"%s\"}\n", shape, run_no, buf);
	else
		printf("# %s\n", buf);
}

static void add_known(uint64_t start, uint64_t end, const char *cls)
{
	if (n_known < sizeof(known) / sizeof(known[0]) && end > start) {
		known[n_known].start = start;
		known[n_known].end = end;
		known[n_known].cls = cls;
		n_known++;
	}
}

static void *park(void *arg)
{
	pthread_attr_t attr;
	void *addr;
	size_t size, guard = 0;

	(void)arg;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			pthread_attr_getguardsize(&attr, &guard);
			pthread_mutex_lock(&park_lock);
			add_known((uintptr_t)addr - guard, (uintptr_t)addr + size, "thread-stack");
			pthread_mutex_unlock(&park_lock);
		}
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_lock(&park_lock);
	park_count++;
	pthread_cond_broadcast(&park_cond);
	while (!park_release)
		pthread_cond_wait(&park_cond, &park_lock);
	pthread_mutex_unlock(&park_lock);
	return NULL;
}

static pthread_t threads[MAX_THREADS];
static char *big_block; /* reachable: no leak report from LeakSanitizer */
static unsigned int n_threads;

static void load_app(unsigned int nthr, uint64_t malloc_mib)
{
	static const uint64_t res_gib[] = { 1, 4, 64 };
	static const char *const libs[] = { "libm.so.6", "libz.so.1" };
	unsigned int i;
	char *p;

	for (i = 0; i < nthr && i < MAX_THREADS; i++) {
		if (pthread_create(&threads[i], NULL, park, NULL) != 0)
			break;
		n_threads++;
	}
	pthread_mutex_lock(&park_lock);
	while (park_count < n_threads)
		pthread_cond_wait(&park_cond, &park_lock);
	pthread_mutex_unlock(&park_lock);

	p = big_block = malloc((size_t)(malloc_mib << 20));
	if (p) {
		p[0] = 1;
		add_known((uintptr_t)p, (uintptr_t)p + (malloc_mib << 20), "load-malloc");
	} else {
		note("load: malloc of %" PRIu64 " MiB failed", malloc_mib);
	}
	for (i = 0; i < sizeof(res_gib) / sizeof(res_gib[0]); i++) {
		void *r = mmap(NULL, res_gib[i] * GIB, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (r != MAP_FAILED)
			add_known((uintptr_t)r, (uintptr_t)r + res_gib[i] * GIB, "load-mmap");
		else
			note("load: mmap of %" PRIu64 " GiB failed: %s", res_gib[i], errname(errno));
	}
	for (i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL) == NULL)
			note("load: dlopen %s failed: %s", libs[i], dlerror());
	loaded = 1;
}

static void release_threads(void)
{
	unsigned int i;

	pthread_mutex_lock(&park_lock);
	park_release = 1;
	pthread_cond_broadcast(&park_cond);
	pthread_mutex_unlock(&park_lock);
	for (i = 0; i < n_threads; i++)
		pthread_join(threads[i], NULL);
}

static size_t read_maps(void)
{
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (len < sizeof(maps_buf) - 1 &&
	       (n = read(fd, maps_buf + len, sizeof(maps_buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	maps_buf[len] = '\0';
	return len;
}

static void parse_maps(void)
{
	char *line = maps_buf, *nl;

	n_maps = 0;
	while (*line && n_maps < MAX_MAPS) {
		struct map *m = &maps[n_maps];
		unsigned long long s, e;
		int off = 0;
		char *name;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (sscanf(line, "%llx-%llx %4s %*s %*s %*s %n", &s, &e, m->prot, &off) >= 3) {
			m->start = s;
			m->end = e;
			name = off > 0 ? line + off : "";
			while (*name == ' ')
				name++;
			snprintf(m->name, sizeof(m->name), "%s", name);
			m->cls = NULL;
			n_maps++;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

static int is_cls(const struct map *m, const char *cls)
{
	return m->cls && !strcmp(m->cls, cls);
}

static const char *classify_file(const struct map *m, const char *exe)
{
	if (strstr(m->name, "/valgrind/") || strstr(m->name, "/vgdb-pipe"))
		return "valgrind";
	if (VA_SANITIZER && strstr(m->name, "/tsan."))
		return VA_SHADOW_CLS; /* TSan's shadow of read-only data */
	if (exe[0] && !strcmp(m->name, exe))
		return "binary";
	if (strstr(m->name, ".so"))
		return "lib";
	return "file";
}

static const char *classify_bracket(const struct map *m)
{
	if (!strcmp(m->name, "[heap]"))
		return "heap";
	if (!strcmp(m->name, "[stack]"))
		return "stack";
	if (!strcmp(m->name, "[vsyscall]"))
		return "vsyscall";
	if (!strncmp(m->name, "[v", 2))
		return "vdso";
	return NULL;
}

/*
 * Valgrind's own memory is anonymous too. Its address space manager
 * (amd64 Linux) puts the client's stack just below its top address and
 * its own area from the middle of [64 MiB, top): recognise that area.
 */
static void classify_valgrind(void)
{
	uint64_t top = 0, vstart;
	unsigned int i;

	for (i = 0; i < n_maps; i++)
		if (is_cls(&maps[i], "stack") && strcmp(maps[i].name, "[stack]"))
			top = (maps[i].end + GIB - 1) & ~(GIB - 1);
	if (!top)
		return;
	vstart = (0x4000000ull + (top - 0x4000000ull) / 2 + 0xfff) & ~0xfffull;
	for (i = 0; i < n_maps; i++)
		if (maps[i].start >= vstart && maps[i].end <= top &&
		    (is_cls(&maps[i], "anon") || is_cls(&maps[i], "file")))
			maps[i].cls = "valgrind";
}

static void classify(void)
{
	char exe[256] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	uint64_t win_lo = 0, win_hi = 0;
	unsigned int i, k, alloc = MAX_MAPS;
	void *small;
	int grew;
	volatile char here = 0;
#ifdef VA_ASAN
	size_t scale = 0, offset = 0;
	uint64_t sh_lo = 0, sh_hi = 0, gap_lo = 0, gap_hi = 0;

	/* Shadow of the 47-bit space, and its own shadow (the gap). */
	__asan_get_shadow_mapping(&scale, &offset);
	if (offset) {
		sh_lo = offset;
		sh_hi = offset + ((1ull << 47) >> scale);
		gap_lo = offset + (sh_lo >> scale);
		gap_hi = offset + (sh_hi >> scale);
	}
#endif

	if (n > 0)
		exe[n] = '\0';
	else
		exe[0] = '\0';
	/* A small block shows where the (sanitizer's) allocator lives. */
	small = malloc(64);

	for (i = 0; i < n_maps; i++) {
		struct map *m = &maps[i];
		uint64_t len = m->end - m->start;

		m->cls = NULL;
		if (m->name[0] == '/') {
			m->cls = classify_file(m, exe);
			if (is_cls(m, "valgrind"))
				in_valgrind = 1;
			continue;
		}
		/* Our own load first: valgrind's client mappings may get [heap]. */
		for (k = 0; k < n_known && !m->cls; k++)
			if (m->start < known[k].end && known[k].start < m->end)
				m->cls = known[k].cls;
		if (m->cls)
			continue;
		if (m->name[0] == '[' && (m->cls = classify_bracket(m)) != NULL)
			continue;
		/* Under valgrind the client's stack is not the kernel's [stack]. */
		if ((uintptr_t)&here >= m->start && (uintptr_t)&here < m->end) {
			m->cls = "stack";
			continue;
		}
		if (m->name[0] && m->name[0] != '[') {
			/* e.g. TSan's "tsan.rodata.<pid> (deleted)" shadow */
			m->cls = VA_SANITIZER ? VA_SHADOW_CLS : "file";
			continue;
		}
#ifdef VA_ASAN
		/* The runtime rounds the low shadow down by a page or so. */
		if (m->start < sh_hi && m->end > sh_lo - 0x100000) {
			m->cls = m->start >= gap_lo && m->end <= gap_hi ? "asan-shadow-gap"
									: "asan-shadow";
			continue;
		}
#endif
		if (small && (uintptr_t)small >= m->start && (uintptr_t)small < m->end) {
			m->cls = VA_ALLOC_CLS;
			alloc = i;
			continue;
		}
		/* Bss of the binary or of a library: anonymous, right after it. */
		if (i > 0 && maps[i - 1].end == m->start &&
		    (is_cls(&maps[i - 1], "binary") || is_cls(&maps[i - 1], "lib") ||
		     is_cls(&maps[i - 1], "valgrind"))) {
			m->cls = maps[i - 1].cls;
			memcpy(m->name, maps[i - 1].name, sizeof(m->name));
			continue;
		}
		if (VA_SANITIZER && len >= GIB)
			m->cls = strcmp(m->prot, "---p") ? VA_SHADOW_CLS : VA_PROT_CLS;
		else
			m->cls = "anon";
	}
	/*
	 * The allocator's space: the anonymous mappings contiguous with the
	 * small block's, inside the 4 TiB-aligned window holding it.
	 */
	if (alloc < n_maps) {
		win_lo = maps[alloc].start & ~(4 * TIB - 1);
		win_hi = win_lo + 4 * TIB + (1u << 20);
	}
	do {
		grew = 0;
		for (i = 0; alloc < n_maps && i < n_maps; i++) {
			struct map *m = &maps[i];

			if (m->name[0] || m->start < win_lo || m->end > win_hi ||
			    !(is_cls(m, "anon") || is_cls(m, VA_SHADOW_CLS) || is_cls(m, VA_PROT_CLS)))
				continue;
			if ((i > 0 && maps[i - 1].end == m->start && is_cls(&maps[i - 1], VA_ALLOC_CLS)) ||
			    (i + 1 < n_maps && m->end == maps[i + 1].start &&
			     is_cls(&maps[i + 1], VA_ALLOC_CLS))) {
				m->cls = VA_ALLOC_CLS;
				grew = 1;
			}
		}
	} while (grew);
	/* Small pieces between two parts of a shadow belong to it. */
	for (i = 1; VA_SANITIZER && i + 1 < n_maps; i++) {
		struct map *m = &maps[i];

		if (is_cls(m, "anon") && !m->name[0] && maps[i - 1].cls == maps[i + 1].cls &&
		    (is_cls(&maps[i - 1], VA_SHADOW_CLS) || is_cls(&maps[i - 1], VA_PROT_CLS)) &&
		    m->start - maps[i - 1].end <= (1u << 20) &&
		    maps[i + 1].start - m->end <= (1u << 20))
			m->cls = maps[i - 1].cls;
	}
	if (in_valgrind)
		classify_valgrind();
	free(small);
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Consecutive mappings of one class and name become one range. */
static void merge(void)
{
	unsigned int i;

	n_ranges = 0;
	for (i = 0; i < n_maps; i++) {
		const struct map *m = &maps[i];
		const char *nm = m->name[0] == '/' ? basename_of(m->name) : "";
		struct range *r = n_ranges ? &ranges[n_ranges - 1] : NULL;

		if (strcmp(m->cls, "lib") && strcmp(m->cls, "binary") && strcmp(m->cls, "file") &&
		    strcmp(m->cls, "valgrind"))
			nm = "";
		/* Pieces of one area, a few guard pages apart, count as one. */
		if (r && !strcmp(r->cls, m->cls) && !strcmp(r->name, nm) &&
		    (m->start - r->end <= (1u << 20) || m->name[0] == '/')) {
			r->end = m->end;
			continue;
		}
		if (n_ranges == MAX_RANGES)
			break;
		r = &ranges[n_ranges++];
		r->start = m->start;
		r->end = m->end;
		r->cls = m->cls;
		snprintf(r->name, sizeof(r->name), "%s", nm);
	}
}

static void fmt_size(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned int u = 0;
	double d = (double)v;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	snprintf(buf, len, d >= 100 || d == (uint64_t)d ? "%.0f %s" : "%.1f %s", d, unit[u]);
}

static void print_ranges(void)
{
	unsigned int i;
	char sz[32];

	for (i = 0; i < n_ranges; i++) {
		const struct range *r = &ranges[i];

		fmt_size(r->end - r->start, sz, sizeof(sz));
		if (json)
			printf("{\"shape\":\"%s\",\"load\":%d,\"run\":%d,\"kind\":\"map\","
			       "\"start\":\"0x%" PRIx64 "\",\"end\":\"0x%" PRIx64 "\","
			       "\"class\":\"%s\",\"name\":\"%s\"}\n",
			       shape, loaded, run_no, r->start, r->end, r->cls, r->name);
		else
			printf("%014" PRIx64 "-%014" PRIx64 " %9s  %-18s %s\n", r->start, r->end, sz,
			       r->cls, r->name);
	}
}

/* The first class found in [lo, hi), from the list read before probing. */
static const char *blocker(uint64_t lo, uint64_t hi)
{
	unsigned int i;

	for (i = 0; i < n_ranges; i++)
		if (ranges[i].start < hi && lo < ranges[i].end)
			return ranges[i].cls;
	return "";
}

static const char *probe(uint64_t base, uint64_t len, int raw, uint64_t *got)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE;
	void *want = (void *)(uintptr_t)base;
	void *p;

	errno = 0;
	if (raw)
		p = (void *)syscall(SYS_mmap, want, (size_t)len, PROT_NONE, flags, -1, 0L);
	else
		p = mmap(want, (size_t)len, PROT_NONE, flags, -1, 0);
	*got = 0;
	if (p == MAP_FAILED)
		return errname(errno);
	*got = (uintptr_t)p;
	if (raw)
		syscall(SYS_munmap, p, (size_t)len);
	else
		munmap(p, (size_t)len);
	return p == want ? "ok" : "moved";
}

struct probe_job {
	uint64_t base, len, got;
	const char *res;
};

static int probe_child(void *arg)
{
	struct probe_job *j = arg;

	j->res = probe(j->base, j->len, 0, &j->got);
	return 0;
}

/* A mapping of exactly @len that is not in the list read before probing. */
static void unmap_leftover(uint64_t len)
{
	static char buf[MAPS_BUF];
	char *line = buf, *nl;
	unsigned long long s, e;
	unsigned int i;
	ssize_t n;
	size_t got = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (sscanf(line, "%llx-%llx", &s, &e) == 2 && e - s == len) {
			for (i = 0; i < n_maps; i++)
				if (maps[i].start < e && s < maps[i].end)
					break;
			if (i == n_maps)
				syscall(SYS_munmap, (void *)(uintptr_t)s, (size_t)len);
		}
		if (!nl)
			break;
	}
}

/*
 * The libc probe runs in a child sharing this address space (clone with
 * CLONE_VM | CLONE_VFORK): TSan's mmap wrapper kills the process when the
 * kernel returns an address outside its application ranges, and a fork()
 * child of a threaded process would bypass TSan's wrappers altogether.
 * Under valgrind it runs in place (valgrind never kills for this).
 */
typedef int (*clone_fn)(int (*)(void *), void *, int, void *, ...);
static clone_fn real_clone;

static const char *probe_libc(uint64_t base, uint64_t len, uint64_t *got)
{
	static char died[32];
	static void *stack;
	const size_t stack_sz = 1u << 20;
	struct probe_job job = { base, len, 0, NULL };
	int status = 0;
	pid_t pid;

	if (!in_valgrind && !stack) {
		stack = mmap(NULL, stack_sz, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (stack == MAP_FAILED)
			stack = NULL;
	}
	/* libc's own clone: TSan's wrapper of clone() assumes a fork. */
	if (!in_valgrind && !real_clone) {
		void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);

		if (libc)
			real_clone = (clone_fn)dlsym(libc, "clone");
	}
	if (in_valgrind || !stack || !real_clone)
		return probe(base, len, 0, got);
	fflush(stdout);
	pid = real_clone(probe_child, (char *)stack + stack_sz, CLONE_VM | CLONE_VFORK | SIGCHLD,
			 &job);
	if (pid < 0)
		return probe(base, len, 0, got);
	waitpid(pid, &status, 0);
	*got = job.got;
	if (job.res && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return job.res;
	unmap_leftover(len);
	if (WIFSIGNALED(status))
		snprintf(died, sizeof(died), "died-sig%d", WTERMSIG(status));
	else
		snprintf(died, sizeof(died), "died-exit%d", WEXITSTATUS(status));
	return died;
}

static int no_raw;

static void probe_all(void)
{
	unsigned int b, s;

	for (b = 0; b < n_bases; b++) {
		for (s = 0; s < n_sizes; s++) {
			uint64_t len = sizes_gib[s] * GIB, got, got_raw;
			const char *res = probe_libc(bases[b], len, &got);
			const char *raw = no_raw ? "-" : probe(bases[b], len, 1, &got_raw);
			const char *blk = blocker(bases[b], bases[b] + len);

			if (json)
				printf("{\"shape\":\"%s\",\"load\":%d,\"run\":%d,\"kind\":\"probe\","
				       "\"base\":\"0x%" PRIx64 "\",\"size_gib\":%" PRIu64 ","
				       "\"result\":\"%s\",\"raw\":\"%s\",\"blocker\":\"%s\","
				       "\"got\":\"0x%" PRIx64 "\"}\n",
				       shape, loaded, run_no, bases[b], sizes_gib[s], res, raw, blk,
				       got);
			else
				printf("probe 0x%014" PRIx64 " %4" PRIu64 " GiB: %-10s raw %-7s%s%s\n",
				       bases[b], sizes_gib[s], res, raw, blk[0] ? " overlaps " : "",
				       blk);
			if (!json && !strcmp(res, "moved"))
				printf("      (mapped at 0x%" PRIx64 " instead)\n", got);
		}
	}
}

static unsigned int parse_list(const char *s, uint64_t *out, unsigned int max)
{
	unsigned int n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = strtoull(s, &end, 0);
		if (end == s)
			break;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

int main(int argc, char **argv)
{
	unsigned int nthr = 8;
	uint64_t malloc_mib = 1024;
	int load = 0, quiet = 0, c;

	n_bases = sizeof(def_bases) / sizeof(def_bases[0]);
	memcpy(bases, def_bases, sizeof(def_bases));
	while ((c = getopt(argc, argv, "ljqRt:m:s:r:b:z:")) != -1) {
		switch (c) {
		case 'l':
			load = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'R':
			no_raw = 1;
			break;
		case 't':
			nthr = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'm':
			malloc_mib = strtoull(optarg, NULL, 0);
			break;
		case 's':
			shape = optarg;
			break;
		case 'r':
			run_no = atoi(optarg);
			break;
		case 'b':
			n_bases = parse_list(optarg, bases, MAX_BASES);
			break;
		case 'z':
			n_sizes = parse_list(optarg, sizes_gib, MAX_SIZES);
			break;
		default:
			fprintf(stderr, "usage: %s [-l] [-j] [-q] [-R] [-t threads] [-m malloc_mib] "
				"[-s shape] [-r run] [-b base,...] [-z gib,...]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifdef VA_BIG_BSS
	*(volatile char *)&va_big_bss[0] = 1;
#endif
	if (load)
		load_app(nthr, malloc_mib);
	read_maps();
	parse_maps();
	classify();
	merge();
	if (!json)
		printf("# shape %s, load %d, sanitizer %s%s, %u mappings\n", shape, loaded,
		       VA_SANITIZER ? VA_SANITIZER : "none", in_valgrind ? ", valgrind" : "",
		       n_maps);
	if (!quiet)
		print_ranges();
	probe_all();
	if (load)
		release_threads();
	fflush(stdout);
	return 0;
}
