/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A secondary attaches every time, whatever its address space looks like
 * (real 2 MiB hugepages, default memory mode, nothing preallocated).
 *
 * A launcher (this binary re-executed, which never calls eal_init())
 * starts a thread, then forks the primary without exec. The primary
 * reserves a memzone holding a pattern and the address of a heap block
 * with another, and waits. Then 600 secondaries (200 under ASan: a 1 %
 * failure rate fails the run with 99.8 % and 87 % probability),
 * each a new process, 4 at a time, each of one of these shapes:
 *   a. this binary re-executed;
 *   b. attach_other: another program, not PIE, a 256 MiB BSS, libm,
 *      libnuma and zlib;
 *   c. this binary, mapping 1, 4 and 64 GiB of PROT_NONE memory first;
 *   d. forked without exec by the launcher, which forked the primary,
 *      runs a thread and allocated memory since (the kernel puts it where
 *      it put the primary's first mappings);
 *   e. this binary, starting 8 threads that malloc and free first;
 *   f. attach_other built with AddressSanitizer (not in a sanitized
 *      build, where every program already is).
 * Each one runs eal_init as a secondary, finds the zone at the primary's
 * address with its pattern, reads the block, allocates, writes and frees
 * 64 KiB of its own, checks that its own memory was left alone and cleans
 * up (attach_other.c). Every one must attach: one failure in 600 fails the
 * test. Then the primary finds the pattern intact and counts, in the zone,
 * as many secondaries as exited with "ok"; once it cleaned up, no file of
 * the prefix is left and every hugepage is free again.
 *
 * Exit status: 0 pass, 77 without 16 free 2 MiB hugepages. Runs alone (it
 * compares the system's free hugepage count). EAL_TEST_ATTACHES sets the
 * number of secondaries.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal.h"

/* What every secondary does, and the zone's layout. */
#define ATTACH_OTHER_NO_MAIN
#include "attach_other.c"

#if defined(__SANITIZE_ADDRESS__)
#define ATTACH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ATTACH_ASAN 1
#endif
#endif

#ifdef ATTACH_ASAN
#define ATTACHES 200
#else
#define ATTACHES 600
#endif
#define MAX_ATTACHES 3000
#define CONCURRENT 4
#define JOB_MS 30000u   /* one secondary */
#define RUN_MS 130000u  /* every secondary (meson's timeout is 180 s) */
#define STOP_MS 15000u  /* the primary's last checks and cleanup */
#define E_THREADS 8

static const char *const shape_what[ATTACH_SHAPES] = {
	"this binary re-executed",
	"attach_other: not PIE, 256 MiB BSS, more libraries",
	"69 GiB of PROT_NONE mappings first",
	"forked without exec by the launcher of the primary",
	"8 threads started first",
	"attach_other built with AddressSanitizer",
};

/* ------------------------------------------------------------------------
 * Secondaries of shapes a, c and e: this binary, "--child sec-<shape>"
 */

/* c: address space taken before eal_init(), where the kernel puts it. */
static const size_t c_len[] = { 1ull << 30, 4ull << 30, 64ull << 30 };
static void *c_addr[EAL_DIM(c_len)];

static bool
inside(const void *p, const void *base, size_t len)
{
	return p != NULL && (uintptr_t)p >= (uintptr_t)base && (uintptr_t)p - (uintptr_t)base < len;
}

/* Each region is still mapped PROT_NONE (/proc/self/maps) and holds none
 * of the shared memory. */
static int
c_intact(const void *zone, const void *block, char *why, size_t len)
{
	for (unsigned int r = 0; r < EAL_DIM(c_len); r++) {
		uintptr_t start = (uintptr_t)c_addr[r], end = start + c_len[r], covered = start;
		char line[512], perms[8];
		unsigned long s, e;
		FILE *f;

		if (inside(zone, c_addr[r], c_len[r]) || inside(block, c_addr[r], c_len[r])) {
			snprintf(why, len, "shared memory %p/%p inside our mapping [%p, +%zu GiB)",
				 zone, block, c_addr[r], c_len[r] >> 30);
			return -1;
		}
		f = fopen("/proc/self/maps", "r");
		if (f == NULL) {
			snprintf(why, len, "/proc/self/maps: %s", strerror(errno));
			return -1;
		}
		while (covered < end && fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) == 3 && s <= covered &&
			    e > covered && strcmp(perms, "---p") == 0)
				covered = e;
		fclose(f);
		if (covered < end) {
			snprintf(why, len, "our PROT_NONE mapping [%p, +%zu GiB) is not there from %#lx on",
				 c_addr[r], c_len[r] >> 30, (unsigned long)covered);
			return -1;
		}
	}
	return 0;
}

/* e: threads with default stacks that keep allocating while eal_init()
 * runs (glibc gives each its own arena, mapped then). */
struct e_thread {
	pthread_t t;
	unsigned int i;
	volatile uint64_t *mark; /* on its stack */
	uint64_t ops;
};
static struct e_thread e_threads[E_THREADS];
static uint32_t e_started, e_stop;

static void *
e_churn(void *arg)
{
	static const size_t sizes[] = { 24, 200, 4096, 40000, 300000, 1000 };
	struct e_thread *t = arg;
	volatile uint64_t mark = ATTACH_GOLDEN ^ t->i;

	t->mark = &mark;
	__atomic_fetch_add(&e_started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&e_stop, __ATOMIC_ACQUIRE)) {
		char *p = malloc(sizes[t->ops % EAL_DIM(sizes)]);

		if (p != NULL)
			memset(p, (int)t->i, 64);
		free(p);
		t->ops++;
		usleep(100);
	}
	return NULL;
}

static int
e_intact(const void *zone, const void *block, char *why, size_t len)
{
	(void)zone;
	(void)block;
	for (unsigned int i = 0; i < E_THREADS; i++)
		if (*e_threads[i].mark != (ATTACH_GOLDEN ^ i)) {
			snprintf(why, len, "thread %u's stack at %p changed", i,
				 (void *)(uintptr_t)e_threads[i].mark);
			return -1;
		}
	return 0;
}

static int
secondary_role(char shape, int argc, char **argv)
{
	char *args[64] = { (char *)"test_mp_attach" };
	attach_own_check_t check = NULL;
	int n = 1, rc;

	for (int i = 0; i < argc && n < 63; i++)
		args[n++] = argv[i];
	if (shape == 'c') {
		for (unsigned int r = 0; r < EAL_DIM(c_len); r++) {
			c_addr[r] = mmap(NULL, c_len[r], PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			if (c_addr[r] == MAP_FAILED) {
				printf("fail ? c: mmap of %zu GiB: %s\n", c_len[r] >> 30,
				       strerror(errno));
				return 1;
			}
		}
		check = c_intact;
	} else if (shape == 'e') {
		for (unsigned int i = 0; i < E_THREADS; i++) {
			e_threads[i].i = i;
			if (pthread_create(&e_threads[i].t, NULL, e_churn, &e_threads[i]) != 0) {
				printf("fail ? e: pthread_create\n");
				return 1;
			}
		}
		while (__atomic_load_n(&e_started, __ATOMIC_SEQ_CST) < E_THREADS)
			usleep(100);
		check = e_intact;
	}
	rc = attach_secondary(n, args, check);
	if (shape == 'e') {
		__atomic_store_n(&e_stop, 1, __ATOMIC_RELEASE);
		for (unsigned int i = 0; i < E_THREADS; i++)
			pthread_join(e_threads[i].t, NULL);
	}
	return rc;
}

/* ------------------------------------------------------------------------
 * The primary (forked by the launcher)
 */

static unsigned int primary_errs, primary_warns;

static void
primary_log(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (level > EAL_LOG_WARNING)
		return;
	if (level <= EAL_LOG_ERR)
		primary_errs++;
	else
		primary_warns++;
	fprintf(stderr, "mp_attach: primary (pid %d): libeal %s: %s: %s\n", (int)getpid(),
		level <= EAL_LOG_ERR ? "ERR" : "WARNING", component, line);
}

/* A failed check says "primary-fail ..." on @out once; the primary
 * then goes on to clean up, so that no page or file is left. */
#define PRIMARY_CHECK(e) \
	do { \
		if (!(e) && !failed) { \
			attach_say(out, "primary-fail line %d: %s: eal_errno %d (%s)", __LINE__, #e, \
				   eal_errno, eal_strerror(eal_errno)); \
			failed = true; \
		} \
	} while (0)

/* Sets up the zone, says "ready <zone> <descriptor>" on @out, waits
 * for EOF on @stop, then checks, cleans up, and says "done ..." and
 * "primary-clean". */
static int
primary(int out, int stop)
{
	const struct eal_memzone *mz = NULL;
	struct eal_malloc_socket_stats st;
	struct attach_hdr *h = NULL;
	unsigned int n_fill = 0;
	bool failed = false;
	void *fill[32], *block = NULL;
	char **argv, c;
	ssize_t r;
	int argc;

	eal_log_set_handler(primary_log, NULL);
	PRIMARY_CHECK(eal_log_set_level(NULL, EAL_LOG_WARNING) == 0);
	argc = eal_test_argv(&argv, "--proc-type=primary", NULL);
	PRIMARY_CHECK(eal_init(argc, argv) == argc - 1);
	if (failed)
		return 1;
	mz = eal_memzone_reserve(ATTACH_ZONE_NAME, ATTACH_ZONE_LEN, EAL_SOCKET_ID_ANY, 0);
	PRIMARY_CHECK(mz != NULL);
	if (mz != NULL) {
		PRIMARY_CHECK(mz->hugepage_sz == ATTACH_PAGE_SZ);
		h = mz->addr;
		memset(h, 0, ATTACH_HDR_LEN);
		h->seed = attach_mix64(eal_test_now_ms() ^ ((uint64_t)getpid() << 32));
		attach_fill((char *)h + ATTACH_HDR_LEN, ATTACH_ZONE_LEN - ATTACH_HDR_LEN,
			    attach_key(h->seed, 1));
		block = eal_malloc(NULL, ATTACH_BLOCK_LEN, 0);
		PRIMARY_CHECK(block != NULL);
	}
	if (block != NULL) {
		attach_fill(block, ATTACH_BLOCK_LEN, attach_key(h->seed, 2));
		h->self = (uintptr_t)h;
		h->desc = (uintptr_t)mz;
		h->block = (uintptr_t)block;
		h->block_len = ATTACH_BLOCK_LEN;
		__atomic_store_n(&h->magic, ATTACH_MAGIC, __ATOMIC_RELEASE);
	}
	/* Take the heap's free space, so that the first secondary's 64 KiB
	 * must grow it: map a new page, which every process then maps. A
	 * free element fits about 12 KiB less than its size (headers,
	 * alignment): leave 32 KiB in each. */
	while (!failed && n_fill < EAL_DIM(fill) &&
	       eal_malloc_get_socket_stats(mz->socket_id, &st) == 0 &&
	       st.greatest_free_size >= ATTACH_OWN_LEN) {
		fill[n_fill] = eal_malloc(NULL, st.greatest_free_size - (32u << 10), 0);
		PRIMARY_CHECK(fill[n_fill] != NULL);
		n_fill += fill[n_fill] != NULL;
	}
	PRIMARY_CHECK(n_fill < EAL_DIM(fill));
	if (!failed) {
		attach_say(out, "ready %" PRIxPTR " %" PRIxPTR, (uintptr_t)h, (uintptr_t)mz);
		do
			r = read(stop, &c, 1);
		while (r > 0 || (r < 0 && errno == EINTR));

		PRIMARY_CHECK(h->magic == ATTACH_MAGIC && h->self == (uintptr_t)h &&
			      h->desc == (uintptr_t)mz && h->block == (uintptr_t)block);
		PRIMARY_CHECK(eal_memzone_lookup(ATTACH_ZONE_NAME) == mz);
		PRIMARY_CHECK(attach_check((char *)h + ATTACH_HDR_LEN,
					   ATTACH_ZONE_LEN - ATTACH_HDR_LEN,
					   attach_key(h->seed, 1)) == ATTACH_ZONE_LEN - ATTACH_HDR_LEN);
		PRIMARY_CHECK(attach_check(block, ATTACH_BLOCK_LEN, attach_key(h->seed, 2)) ==
			      ATTACH_BLOCK_LEN);
		PRIMARY_CHECK(eal_malloc_validate() == 0);
		attach_say(out, "done a %u b %u c %u d %u e %u f %u grew %u errs %u warnings %u",
			   h->attached[0], h->attached[1], h->attached[2], h->attached[3],
			   h->attached[4], h->attached[5], h->grew, primary_errs, primary_warns);
	}
	for (unsigned int i = 0; i < n_fill; i++)
		eal_free(fill[i]);
	eal_free(block);
	if (mz != NULL)
		PRIMARY_CHECK(eal_memzone_free(mz) == 0);
	PRIMARY_CHECK(eal_cleanup() == 0);
	PRIMARY_CHECK(eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()) == 0);
	PRIMARY_CHECK(primary_errs == 0);
	if (failed)
		return 1;
	attach_say(out, "primary-clean");
	return 0;
}

/* ------------------------------------------------------------------------
 * The launcher: "--child launcher <command fd>"
 *
 * Commands, one a line: "d <id>" forks a secondary of shape d; "stop" or
 * EOF ends the run. On stdout (the test's pipe, shared with the children
 * it forks, one write() a line): the primary's lines, "pid <id> <pid>",
 * the secondaries' own lines, "exit <id> <status>" and at the end
 * "primary-exit <status>".
 */

static int l_cmd = -1, l_from_primary = -1, l_stop = -1, l_work[2] = { -1, -1 };
static uint32_t l_worker_started, l_primary_forked;

/* The thread the launcher starts before it forks anything: once the
 * primary is forked it allocates now and then, as a thread of any
 * launcher does (its first malloc() maps it an arena), until EOF on
 * l_work. Whatever the launcher maps after that fork (this arena, the
 * main thread's 1 MiB buffer), its secondaries inherit: the kernel put
 * it where it put the primary's first mappings, since both started from
 * the same address space. */
static void *
l_worker_thread(void *arg)
{
	static const size_t sizes[] = { 100, 5000, 70000, 200000 };
	volatile char stack_use[4096];
	struct pollfd p = { .fd = l_work[0], .events = POLLIN };
	unsigned int k = 0;

	(void)arg;
	stack_use[0] = stack_use[4095] = 1;
	__atomic_store_n(&l_worker_started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&l_primary_forked, __ATOMIC_ACQUIRE))
		usleep(100);
	for (;;) {
		int n = poll(&p, 1, 1);
		char *b;

		if (n > 0 || (n < 0 && errno != EINTR))
			break;
		b = malloc(sizes[k++ % EAL_DIM(sizes)]);
		if (b != NULL)
			b[0] = 1;
		free(b);
	}
	return NULL;
}

/* In a child forked by the launcher: die with it; close the launcher's
 * pipes (the primary's EOF on l_stop must come when the launcher closes
 * it, not when the last secondary exits). */
static void
l_child_setup(pid_t launcher)
{
	int fds[] = { l_cmd, l_from_primary, l_stop, l_work[0], l_work[1] };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != launcher)
		_exit(127);
	for (unsigned int i = 0; i < EAL_DIM(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

struct l_sec {
	pid_t pid;
	unsigned int id;
};

static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
launcher(int argc, char **argv)
{
	struct l_sec secs[CONCURRENT * 4] = { { 0, 0 } };
	char zone[32] = "", desc[32] = "", cmdbuf[256], pbuf[1024];
	size_t cmdlen = 0, plen = 0;
	pid_t self = getpid(), primary_pid;
	int to_primary[2], from_primary[2], primary_status = -1, rc = 0;
	bool stopping = false, primary_gone = false;
	pthread_t worker;
	uint64_t deadline = 0;
	char *scratch;

	if (argc != 1)
		return 2;
	l_cmd = atoi(argv[0]);
	if (pipe2(l_work, O_CLOEXEC) < 0 || pipe2(to_primary, O_CLOEXEC) < 0 ||
	    pipe2(from_primary, O_CLOEXEC) < 0)
		return 3;
	if (pthread_create(&worker, NULL, l_worker_thread, NULL) != 0)
		return 4;
	while (!__atomic_load_n(&l_worker_started, __ATOMIC_SEQ_CST))
		usleep(100);

	l_from_primary = from_primary[0];
	l_stop = to_primary[1];
	primary_pid = fork();
	if (primary_pid == 0) {
		l_child_setup(self);
		_exit(primary(from_primary[1], to_primary[0]));
	}
	close(to_primary[0]);
	close(from_primary[1]);
	if (primary_pid < 0)
		return 5;
	__atomic_store_n(&l_primary_forked, 1, __ATOMIC_RELEASE);
	/* A launcher's buffer for its children's output (malloc maps it). */
	scratch = malloc(1u << 20);
	if (scratch == NULL)
		return 5;
	memset(scratch, 0, 1u << 20);

	while (!primary_gone || !stopping) {
		struct pollfd pfd[2] = {
			{ .fd = stopping ? -1 : l_cmd, .events = POLLIN },
			{ .fd = l_from_primary, .events = POLLIN },
		};
		pid_t pid;
		int st;

		if (stopping && eal_test_now_ms() > deadline) {
			kill(primary_pid, SIGKILL);
			for (unsigned int i = 0; i < EAL_DIM(secs); i++)
				if (secs[i].pid > 0)
					kill(secs[i].pid, SIGKILL);
			rc = 6;
			deadline = UINT64_MAX;
		}
		(void)poll(pfd, 2, 5);
		/* The primary's lines go on as they are; "ready" tells us
		 * the arguments of our secondaries. */
		if (pfd[1].revents != 0) {
			ssize_t r = read(l_from_primary, pbuf + plen, sizeof(pbuf) - 1 - plen);
			char *nl;

			if (r <= 0) {
				close(l_from_primary);
				l_from_primary = -1;
			} else {
				plen += (size_t)r;
			}
			while ((nl = memchr(pbuf, '\n', plen)) != NULL) {
				*nl = '\0';
				attach_say(STDOUT_FILENO, "%s", pbuf);
				(void)sscanf(pbuf, "ready %31s %31s", zone, desc);
				plen -= (size_t)(nl + 1 - pbuf);
				memmove(pbuf, nl + 1, plen);
			}
			if (plen == sizeof(pbuf) - 1)
				plen = 0;
		}
		if (pfd[0].revents != 0) {
			ssize_t r = read(l_cmd, cmdbuf + cmdlen, sizeof(cmdbuf) - 1 - cmdlen);
			char *nl;

			if (r <= 0) {
				stopping = true;
			} else {
				cmdlen += (size_t)r;
			}
			while (!stopping && (nl = memchr(cmdbuf, '\n', cmdlen)) != NULL) {
				unsigned int id;

				*nl = '\0';
				if (strcmp(cmdbuf, "stop") == 0) {
					stopping = true;
				} else if (sscanf(cmdbuf, "d %u", &id) == 1) {
					unsigned int s = 0;
					char id_s[16];

					while (s < EAL_DIM(secs) && secs[s].pid != 0)
						s++;
					snprintf(id_s, sizeof(id_s), "%u", id);
					pid = s < EAL_DIM(secs) ? fork() : -1;
					if (pid == 0) {
						char **args;
						int n;

						l_child_setup(self);
						n = eal_test_argv(&args, "--proc-type=secondary", "--",
								  "d", id_s, zone, desc, NULL);
						_exit(attach_secondary(n, args, NULL));
					}
					if (pid < 0) {
						attach_say(STDOUT_FILENO, "exit %u 126", id);
					} else {
						secs[s].pid = pid;
						secs[s].id = id;
						attach_say(STDOUT_FILENO, "pid %u %d", id, (int)pid);
					}
				}
				cmdlen -= (size_t)(nl + 1 - cmdbuf);
				memmove(cmdbuf, nl + 1, cmdlen);
			}
			if (stopping) {
				/* EOF on its pipe: the primary checks and cleans up. */
				close(l_stop);
				l_stop = -1;
				deadline = eal_test_now_ms() + STOP_MS;
			}
		}
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == primary_pid) {
				primary_status = status_of(st);
				primary_gone = true;
				continue;
			}
			for (unsigned int i = 0; i < EAL_DIM(secs); i++)
				if (secs[i].pid == pid) {
					attach_say(STDOUT_FILENO, "exit %u %d", secs[i].id, status_of(st));
					secs[i].pid = 0;
				}
		}
	}
	/* The primary's last lines. */
	while (l_from_primary >= 0 && plen < sizeof(pbuf) - 1) {
		ssize_t r = read(l_from_primary, pbuf + plen, sizeof(pbuf) - 1 - plen);

		if (r <= 0)
			break;
		plen += (size_t)r;
	}
	for (char *s = pbuf, *nl; (nl = memchr(s, '\n', plen - (size_t)(s - pbuf))) != NULL;
	     s = nl + 1) {
		*nl = '\0';
		attach_say(STDOUT_FILENO, "%s", s);
	}
	for (unsigned int i = 0; i < EAL_DIM(secs); i++)
		if (secs[i].pid > 0) {
			int st;

			kill(secs[i].pid, SIGKILL);
			waitpid(secs[i].pid, &st, 0);
			attach_say(STDOUT_FILENO, "exit %u %d", secs[i].id, status_of(st));
		}
	attach_say(STDOUT_FILENO, "primary-exit %d", primary_status);
	close(l_work[1]);
	pthread_join(worker, NULL);
	free(scratch);
	return rc;
}

/* ------------------------------------------------------------------------
 * The test
 */

struct job {
	unsigned int shape;
	pid_t pid;        /* shape d: from the launcher's "pid" line */
	int fd;           /* our end of its stdout, -1 (shape d: none) */
	uint64_t start_ms;
	bool running, done, ok;
	int status;       /* exit status, 128 + signal, -1 not known */
	char line[600];   /* its result line */
	size_t len;
};

static struct job jobs[MAX_ATTACHES];
static const char *other_exe[2]; /* attach_other, attach_other_asan */
static long free_base;

/* Like eal_test_spawnv(), for another program. */
static pid_t
spawn_other(const char *exe, int *ret_fd, char *const *args)
{
	int pipefd[2];
	pid_t pid, parent = getpid();

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		dup2(pipefd[1], STDOUT_FILENO);
		execv(exe, args);
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	*ret_fd = pipefd[0];
	return pid;
}

struct run {
	int cmd;          /* to the launcher */
	int lfd;          /* from it */
	pid_t lpid;
	char lbuf[4096];
	size_t llen;
	char zone[32], desc[32];
	bool ready, done_line, clean_line, lost;
	char primary_fail[600];
	unsigned int counted[ATTACH_SHAPES], grew, errs, warns;
	int primary_status;
};

static void
job_finish(struct job *j, int status)
{
	unsigned int id;

	j->running = false;
	j->done = true;
	j->status = status;
	j->ok = status == 0 && sscanf(j->line, "ok %u", &id) == 1 && id == (unsigned int)(j - jobs);
	if (j->fd >= 0) {
		close(j->fd);
		j->fd = -1;
	}
	if (!j->ok)
		fprintf(stderr, "mp_attach: secondary %u (shape %c) failed, exit status %d: %s\n",
			(unsigned int)(j - jobs), 'a' + j->shape, status,
			j->line[0] != '\0' ? j->line : "(no result line)");
}

static void
launcher_line(struct run *r, char *line)
{
	unsigned int id, v[ATTACH_SHAPES];
	int n, st;

	if (sscanf(line, "ready %31s %31s", r->zone, r->desc) == 2) {
		r->ready = true;
	} else if (sscanf(line, "pid %u %d", &id, &n) == 2 && id < MAX_ATTACHES) {
		jobs[id].pid = n;
	} else if ((strncmp(line, "ok ", 3) == 0 || strncmp(line, "fail ", 5) == 0) &&
		   sscanf(line, "%*s %u", &id) == 1 && id < MAX_ATTACHES && jobs[id].shape == 3) {
		snprintf(jobs[id].line, sizeof(jobs[id].line), "%s", line);
	} else if (sscanf(line, "exit %u %d", &id, &st) == 2 && id < MAX_ATTACHES &&
		   jobs[id].running) {
		job_finish(&jobs[id], st);
	} else if (sscanf(line, "done a %u b %u c %u d %u e %u f %u grew %u errs %u warnings %u",
			  &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &r->grew, &r->errs,
			  &r->warns) == 9) {
		memcpy(r->counted, v, sizeof(v));
		r->done_line = true;
	} else if (strcmp(line, "primary-clean") == 0) {
		r->clean_line = true;
	} else if (sscanf(line, "primary-exit %d", &st) == 1) {
		r->primary_status = st;
	} else {
		if (strncmp(line, "primary-fail", 12) == 0 && r->primary_fail[0] == '\0')
			snprintf(r->primary_fail, sizeof(r->primary_fail), "%s", line);
		fprintf(stderr, "mp_attach: launcher: %s\n", line);
	}
}

/* Read what the launcher said; false once it closed its end. */
static bool
launcher_read(struct run *r)
{
	ssize_t n = read(r->lfd, r->lbuf + r->llen, sizeof(r->lbuf) - 1 - r->llen);
	char *nl;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		r->lost = true;
		return false;
	}
	if (n > 0)
		r->llen += (size_t)n;
	while ((nl = memchr(r->lbuf, '\n', r->llen)) != NULL) {
		*nl = '\0';
		launcher_line(r, r->lbuf);
		r->llen -= (size_t)(nl + 1 - r->lbuf);
		memmove(r->lbuf, nl + 1, r->llen);
	}
	if (r->llen == sizeof(r->lbuf) - 1)
		r->llen = 0;
	return true;
}

static void
job_start(struct run *r, unsigned int id)
{
	struct job *j = &jobs[id];
	char shape_s[2] = { (char)('a' + j->shape), '\0' }, id_s[16];

	snprintf(id_s, sizeof(id_s), "%u", id);
	j->start_ms = eal_test_now_ms();
	j->running = true;
	j->fd = -1;
	j->pid = 0;
	if (j->shape == 3) {
		char cmd[32];
		int n = snprintf(cmd, sizeof(cmd), "d %u\n", id);

		if (write(r->cmd, cmd, (size_t)n) != n) {
			snprintf(j->line, sizeof(j->line), "cannot ask the launcher: %s",
				 strerror(errno));
			job_finish(j, -1);
		}
		return;
	}
	if (j->shape == 1 || j->shape == 5) {
		char *args[] = {
			(char *)other_exe[j->shape == 5], (char *)"--proc-type=secondary",
			(char *)"--file-prefix", (char *)eal_test_prefix(), (char *)"--runtime-dir",
			(char *)eal_test_runtime_base(), (char *)"--", shape_s, id_s, r->zone,
			r->desc, NULL,
		};

		j->pid = spawn_other(other_exe[j->shape == 5], &j->fd, args);
	} else {
		char role[8];

		snprintf(role, sizeof(role), "sec-%c", 'a' + j->shape);
		j->pid = eal_test_spawn(role, &j->fd, "--proc-type=secondary", "--file-prefix",
					eal_test_prefix(), "--runtime-dir", eal_test_runtime_base(),
					"--", shape_s, id_s, r->zone, r->desc, NULL);
	}
	if (j->pid < 0) {
		snprintf(j->line, sizeof(j->line), "cannot start it: %s", strerror(errno));
		job_finish(j, -1);
		return;
	}
	(void)fcntl(j->fd, F_SETFL, O_NONBLOCK);
}

/* Its stdout so far; false at EOF. */
static bool
job_read(struct job *j)
{
	ssize_t n;

	if (j->fd < 0)
		return false;
	while ((n = read(j->fd, j->line + j->len, sizeof(j->line) - 1 - j->len)) > 0) {
		j->len += (size_t)n;
		j->line[j->len] = '\0';
		if (j->len == sizeof(j->line) - 1)
			j->len = 0;
	}
	j->line[strcspn(j->line, "\n")] = '\0';
	return n != 0;
}

/* Start, watch and reap the secondaries, CONCURRENT at a time; false when
 * the deadline came first. */
static bool
run_all(struct run *r, unsigned int total, uint64_t deadline)
{
	unsigned int next = 0;

	for (;;) {
		struct pollfd pfd[CONCURRENT + 1];
		unsigned int np = 0, done = 0;

		for (unsigned int i = 0; i < next; i++)
			done += jobs[i].done;
		if (done == total)
			return true;
		while (next - done < CONCURRENT && next < total)
			job_start(r, next++);
		pfd[np++] = (struct pollfd){ .fd = r->lost ? -1 : r->lfd, .events = POLLIN };
		for (unsigned int i = 0; i < next; i++)
			if (jobs[i].running && jobs[i].fd >= 0 && np < EAL_DIM(pfd))
				pfd[np++] = (struct pollfd){ .fd = jobs[i].fd, .events = POLLIN };
		(void)poll(pfd, np, 5);
		if (pfd[0].revents != 0)
			(void)launcher_read(r);

		for (unsigned int i = 0; i < next; i++) {
			struct job *j = &jobs[i];
			int st;

			if (!j->running)
				continue;
			if (j->shape != 3) {
				(void)job_read(j);
				if (waitpid(j->pid, &st, WNOHANG) == j->pid) {
					(void)job_read(j);
					job_finish(j, status_of(st));
					continue;
				}
			} else if (r->lost) {
				snprintf(j->line, sizeof(j->line), "the launcher is gone");
				job_finish(j, -1);
				continue;
			}
			if (eal_test_now_ms() - j->start_ms > JOB_MS && j->pid > 0) {
				/* Reaped on a later round: here (ours) or by the
				 * launcher (shape d), which says "exit". */
				kill(j->pid, SIGKILL);
				if (j->line[0] == '\0')
					snprintf(j->line, sizeof(j->line), "killed after %u ms", JOB_MS);
			}
		}
		if (eal_test_now_ms() > deadline) {
			for (unsigned int i = 0; i < next; i++)
				if (jobs[i].running) {
					int st;

					if (jobs[i].pid > 0)
						kill(jobs[i].pid, SIGKILL);
					if (jobs[i].shape != 3 && jobs[i].pid > 0)
						waitpid(jobs[i].pid, &st, 0);
					snprintf(jobs[i].line, sizeof(jobs[i].line),
						 "still running at the deadline");
					job_finish(&jobs[i], -1);
				}
			return false;
		}
	}
}

static void
test_every_shape_attaches(void **state)
{
	const char *mount = eal_test_huge_mount_2m();
	unsigned int n_shapes = 0, shapes[ATTACH_SHAPES], total = ATTACHES;
	unsigned int n[ATTACH_SHAPES] = { 0 }, ok[ATTACH_SHAPES] = { 0 }, all_ok = 0;
	static struct run r;
	const char *env = getenv("EAL_TEST_ATTACHES");
	uint64_t t0 = eal_test_now_ms(), stop_end;
	bool in_time, counts_match = true;
	char cmdfd_s[16], summary[512];
	int cmd[2], lst;
	size_t sl;

	(void)state;
	if (env != NULL && *env != '\0')
		total = (unsigned int)strtoul(env, NULL, 10);
	if (total == 0 || total > MAX_ATTACHES)
		fail_msg("EAL_TEST_ATTACHES=%s: 1 to %u", env, MAX_ATTACHES);
	for (unsigned int s = 0; s < ATTACH_SHAPES; s++)
		if ((s != 1 || other_exe[0] != NULL) && (s != 5 || other_exe[1] != NULL))
			shapes[n_shapes++] = s;
	/* Round robin: every shape about as often, all through the run. */
	for (unsigned int i = 0; i < total; i++) {
		jobs[i] = (struct job){ .shape = shapes[i % n_shapes], .fd = -1, .status = -1 };
		n[jobs[i].shape]++;
	}
	printf("attach: %u secondaries, %u at a time, of %u shapes:\n", total, CONCURRENT, n_shapes);
	for (unsigned int s = 0; s < n_shapes; s++)
		printf("attach:   %c: %s\n", 'a' + shapes[s], shape_what[shapes[s]]);
	if (other_exe[1] == NULL)
		printf("attach:   (no shape f: %s)\n",
#ifdef ATTACH_ASAN
		       "every program of this build is ASan already"
#else
		       "attach_other_asan was not built"
#endif
		);

	memset(&r, 0, sizeof(r));
	r.primary_status = -1;
	assert_int_equal(pipe2(cmd, O_CLOEXEC), 0);
	assert_int_equal(fcntl(cmd[0], F_SETFD, 0), 0); /* the launcher's */
	snprintf(cmdfd_s, sizeof(cmdfd_s), "%d", cmd[0]);
	r.lpid = eal_test_spawn("launcher", &r.lfd, cmdfd_s, NULL);
	close(cmd[0]);
	r.cmd = cmd[1];
	assert_true(r.lpid > 0);
	(void)fcntl(r.lfd, F_SETFL, O_NONBLOCK);

	while (!r.ready && !r.lost && r.primary_fail[0] == '\0' && eal_test_now_ms() - t0 < JOB_MS) {
		struct pollfd p = { .fd = r.lfd, .events = POLLIN };

		(void)poll(&p, 1, 10);
		(void)launcher_read(&r);
	}
	in_time = r.ready ? run_all(&r, total, t0 + RUN_MS) : true;

	/* Stop: the primary checks and cleans up; then the launcher exits. */
	close(r.cmd);
	stop_end = eal_test_now_ms() + STOP_MS + 5000;
	while (!r.lost && eal_test_now_ms() < stop_end) {
		struct pollfd p = { .fd = r.lfd, .events = POLLIN };

		(void)poll(&p, 1, 10);
		(void)launcher_read(&r);
	}
	lst = eal_test_wait(r.lpid, 5000);
	close(r.lfd);

	for (unsigned int i = 0; i < total; i++)
		if (jobs[i].ok) {
			ok[jobs[i].shape]++;
			all_ok++;
		}
	sl = (size_t)snprintf(summary, sizeof(summary), "attach: %u of %u secondaries attached (shape",
			      all_ok, total);
	for (unsigned int k = 0; k < n_shapes && sl < sizeof(summary); k++) {
		unsigned int s = shapes[k];

		sl += (size_t)snprintf(summary + sl, sizeof(summary) - sl, "%s %c: %u",
				       k == 0 ? "" : ",", 'a' + s, ok[s]);
		if (ok[s] != n[s] && sl < sizeof(summary))
			sl += (size_t)snprintf(summary + sl, sizeof(summary) - sl, " of %u", n[s]);
	}
	if (sl < sizeof(summary))
		snprintf(summary + sl, sizeof(summary) - sl, ") in %.1f s",
			 (double)(eal_test_now_ms() - t0) / 1000.0);
	printf("%s\n", summary);
	for (unsigned int k = 0; k < n_shapes; k++) {
		unsigned int s = shapes[k], first = total;

		for (unsigned int i = 0; i < total && first == total; i++)
			if (jobs[i].shape == s && !jobs[i].ok)
				first = i;
		if (first < total)
			printf("attach: shape %c (%s): %u of %u failed; first (secondary %u, exit status %d): %s\n",
			       'a' + s, shape_what[s], n[s] - ok[s], n[s], first, jobs[first].status,
			       !jobs[first].done ? "(not started before the deadline)" :
			       jobs[first].line[0] != '\0' ? jobs[first].line : "(no result line)");
	}
	if (r.done_line) {
		printf("attach: the primary counted a %u, b %u, c %u, d %u, e %u, f %u; %u grew the memory; %u ERR, %u WARNING lines in the primary\n",
		       r.counted[0], r.counted[1], r.counted[2], r.counted[3], r.counted[4],
		       r.counted[5], r.grew, r.errs, r.warns);
		for (unsigned int s = 0; s < ATTACH_SHAPES; s++)
			counts_match = counts_match && r.counted[s] == ok[s];
	}
	printf("attach: primary exit status %d%s, launcher %d\n", r.primary_status,
	       r.clean_line ? " (cleaned up)" : "", lst);
	fflush(stdout);

	if (!r.ready)
		fail_msg("the primary did not start: %s",
			 r.primary_fail[0] != '\0' ? r.primary_fail : "no \"ready\" line");
	if (!in_time)
		fail_msg("not done after %u s", RUN_MS / 1000);
	if (all_ok != total)
		fail_msg("%u of %u secondaries did not attach", total - all_ok, total);
	if (r.primary_fail[0] != '\0')
		fail_msg("%s", r.primary_fail);
	if (!r.done_line)
		fail_msg("the primary said no \"done\" line (exit status %d)", r.primary_status);
	/* Every "ok" was counted in the shared zone, by shape, and nothing
	 * else was. */
	if (!counts_match)
		fail_msg("the primary counted other numbers of secondaries than said \"ok\"");
	if (r.errs != 0)
		fail_msg("%u ERR lines in the primary", r.errs);
	/* The primary left no room: the first 64 KiB grew the heap. */
	if (r.grew == 0)
		fail_msg("no secondary grew the heap");
	if (!r.clean_line || r.primary_status != 0 || lst != 0)
		fail_msg("the primary did not clean up (exit status %d, launcher's %d)",
			 r.primary_status, lst);
	assert_int_equal(eal_test_prefix_files(mount, eal_test_prefix()), 0);
	assert_int_equal(eal_test_free_hugepages_2m(), free_base);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_shape_attaches),
	};
	const char *role;

	eal_test_setup(argc, argv);
	role = eal_test_child_role();
	if (role != NULL) {
		if (strcmp(role, "launcher") == 0)
			return launcher(eal_test_child_argc(), eal_test_child_argv());
		if (strncmp(role, "sec-", 4) == 0 && role[4] != '\0' && role[5] == '\0')
			return secondary_role(role[4], eal_test_child_argc(),
					      eal_test_child_argv());
		return 2;
	}
	/* meson gives the other programs' paths relative to the build
	 * directory: made absolute, they do not depend on the cwd. */
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], "--other") == 0 || strcmp(argv[i], "--other-asan") == 0) {
			other_exe[argv[i][7] == '-'] = realpath(argv[i + 1], NULL);
			if (other_exe[argv[i][7] == '-'] == NULL) {
				printf("%s %s: %s\n", argv[i], argv[i + 1], strerror(errno));
				return 1;
			}
			i++;
		}
	eal_test_require_hugepages_2m(16);
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	/* SIGPIPE would kill us, not fail the test, if the launcher died. */
	signal(SIGPIPE, SIG_IGN);
	/* a killed earlier run's leftovers reclaimed first */
	free_base = eal_test_reclaimed_free_2m();
	if (free_base < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
