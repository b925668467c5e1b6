/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash recovery (issue 8 item 1), on real 2 MiB hugepages: a process is
 * SIGKILLed at each fault point of eal_init, the secondary's attach, page
 * allocation, the heap and memzones (EAL_TEST_FAULT, src/eal_test_hook.c),
 * as the primary and as a secondary wherever a secondary reaches the point.
 *
 * Each case of the table runs the same scene, every process a child:
 *  - a primary P and a long-lived secondary S start, each reserves a
 *    memzone and allocates a block and fills them with its pattern; a
 *    victim secondary V does the same when the victim is a secondary;
 *  - the victim is armed (at spawn for the points inside eal_init, else
 *    right before its action) and does what reaches the point; it must
 *    die by SIGKILL there;
 *  - each survivor checks that it keeps working: the heaps validate, every
 *    zone reserved before is found with its contents, its own block is
 *    intact, the zone the victim was reserving or freeing is there exactly
 *    when its descriptor was marked used, and it reserves, looks up,
 *    allocates (growing the heap by new pages), reallocates and frees; the
 *    memzone index then matches the table; then it exits cleanly;
 *  - a new primary of the same prefix starts, works the same way and exits;
 *  - then the free 2 MiB hugepage count is back at its baseline, no
 *    hugepage file of the prefix is left, and the runtime directory is gone.
 * One line per case goes to stdout: point, victim, outcome; the last line
 * counts the cases survived. EAL_TEST_FILTER=<glob> runs some cases only,
 * EAL_TEST_CHILD_LOG=1 shows the children's DEBUG log.
 *
 * Needs 64 free 2 MiB hugepages; exits 77 otherwise. Runs alone.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"
#include "eal_malloc.h"
#include "eal_memcfg.h"
#include "eal_memconfig.h"
#include "eal_memzone.h"
#include "eal_private.h"

#define MiB (1ull << 20)
#define WAIT_MS 30000
#define ZONE_LEN 65536
#define BLOCK_LEN 3000
/* Several pages: the heap maps new ones unless that much is free. */
#define BIG_LEN (6 * MiB)

/* What the victim does, once armed, to reach its point. */
enum act {
	ACT_NONE,       /* a survivor */
	ACT_INIT,       /* armed at spawn: dies inside eal_init */
	ACT_MALLOC,     /* small allocations */
	ACT_FREE,       /* free a small block next to free space */
	ACT_REALLOC,    /* grow a block in place */
	ACT_GROW,       /* an allocation the heap maps new pages for */
	ACT_SHRINK,     /* free a block of several pages: they go back */
	ACT_MZ_RESERVE, /* reserve a memzone */
	ACT_MZ_FREE,    /* free a memzone */
	ACT_MZ_SHIFT,   /* free a memzone whose index neighbour moves back */
	ACT_IDLE,       /* wait: another process's page change reaches it */
};

struct crash_case {
	const char *point;
	bool secondary; /* the victim: a secondary, else the primary */
	enum act act;
	const char *opt; /* an option of the victim primary, or NULL */
};

#define P false
#define S true

static const struct crash_case cases[] = {
	/* the primary's eal_init, in stage order */
	{ "init-after-runtime-dir", P, ACT_INIT, NULL },
	{ "mcfg-primary-created", P, ACT_INIT, NULL },
	{ "init-after-config", P, ACT_INIT, NULL },
	{ "init-after-hugepage-info", P, ACT_INIT, NULL },
	{ "dynamic-lists-reserved", P, ACT_INIT, NULL },
	{ "memalloc-registered", P, ACT_INIT, NULL },
	{ "memalloc-recorded", P, ACT_INIT, "-m 4" },	/* preallocating */
	{ "legacy-before-touch", P, ACT_INIT, "--legacy-mem -m 8" },
	{ "init-after-memory", P, ACT_INIT, "-m 4" },
	{ "init-after-heaps", P, ACT_INIT, "-m 4" },
	{ "init-after-memzones", P, ACT_INIT, "-m 4" },
	{ "mcfg-before-complete", P, ACT_INIT, "-m 4" },
	/* a secondary's attach */
	{ "init-after-config", S, ACT_INIT, NULL },
	{ "init-after-hugepage-info", S, ACT_INIT, NULL },
	{ "memalloc-registered", S, ACT_INIT, NULL },
	{ "memalloc-attach-synced", S, ACT_INIT, NULL },
	{ "init-after-memory", S, ACT_INIT, NULL },
	{ "init-after-memzones", S, ACT_INIT, NULL },
	/* page allocation, in both */
	{ "memalloc-mapped", P, ACT_GROW, NULL },
	{ "memalloc-mapped", S, ACT_GROW, NULL },
	{ "memalloc-recorded", P, ACT_GROW, NULL },
	{ "memalloc-recorded", S, ACT_GROW, NULL },
	{ "memalloc-before-publish", P, ACT_GROW, NULL },
	{ "memalloc-before-publish", S, ACT_GROW, NULL },
	{ "memalloc-heap-in-flight", P, ACT_GROW, NULL },
	{ "memalloc-heap-in-flight", S, ACT_GROW, NULL },
	{ "heap-grown-in-flight", P, ACT_GROW, NULL },
	{ "heap-grown-in-flight", S, ACT_GROW, NULL },
	{ "memfree-unrecorded", P, ACT_SHRINK, NULL },
	{ "memfree-unrecorded", S, ACT_SHRINK, NULL },
	{ "memfree-before-release", P, ACT_SHRINK, NULL },
	{ "memfree-before-release", S, ACT_SHRINK, NULL },
	{ "hotplug-sync", P, ACT_IDLE, NULL },
	{ "hotplug-sync", S, ACT_IDLE, NULL },
	/* the heap */
	{ "heap-header-half", P, ACT_MALLOC, NULL },
	{ "heap-header-half", S, ACT_MALLOC, NULL },
	{ "heap-alloc-placed", P, ACT_MALLOC, NULL },
	{ "heap-alloc-placed", S, ACT_MALLOC, NULL },
	{ "heap-free-merged", P, ACT_FREE, NULL },
	{ "heap-free-merged", S, ACT_FREE, NULL },
	{ "heap-realloc-grown", P, ACT_REALLOC, NULL },
	{ "heap-realloc-grown", S, ACT_REALLOC, NULL },
	{ "heap-region-linking", P, ACT_GROW, NULL },
	{ "heap-region-linking", S, ACT_GROW, NULL },
	{ "heap-released", P, ACT_SHRINK, NULL },
	{ "heap-released", S, ACT_SHRINK, NULL },
	{ "heap-carve-half", P, ACT_SHRINK, NULL },
	{ "heap-carve-half", S, ACT_SHRINK, NULL },
	/* memzones */
	{ "memzone-allocated", P, ACT_MZ_RESERVE, NULL },
	{ "memzone-allocated", S, ACT_MZ_RESERVE, NULL },
	{ "memzone-described", P, ACT_MZ_RESERVE, NULL },
	{ "memzone-described", S, ACT_MZ_RESERVE, NULL },
	{ "memzone-indexed", P, ACT_MZ_RESERVE, NULL },
	{ "memzone-indexed", S, ACT_MZ_RESERVE, NULL },
	{ "memzone-unindexed", P, ACT_MZ_FREE, NULL },
	{ "memzone-unindexed", S, ACT_MZ_FREE, NULL },
	{ "memzone-index-shifting", P, ACT_MZ_SHIFT, NULL },
	{ "memzone-index-shifting", S, ACT_MZ_SHIFT, NULL },
	{ "memzone-before-heap-free", P, ACT_MZ_FREE, NULL },
	{ "memzone-before-heap-free", S, ACT_MZ_FREE, NULL },
};

/* ---- child side ----------------------------------------------------- */

static bool
flag_file_exists(const char *kind)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s-%d", eal_test_runtime_base(), kind, (int)getpid());
	return access(path, F_OK) == 0;
}

/* Wait (bounded) until the parent creates "<base>/<kind>-<our pid>". */
static bool
wait_flag(const char *kind)
{
	uint64_t end = eal_test_now_ms() + 2 * WAIT_MS;

	while (!flag_file_exists(kind))
		if (eal_test_now_ms() > end)
			return false;
		else
			usleep(1000);
	return true;
}

/* One line to the parent: @word, and @code unless it is 0. */
static void
say(const char *word, int code)
{
	if (code != 0)
		printf("%s %d\n", word, code);
	else
		printf("%s\n", word);
	fflush(stdout);
}

static void
pattern_fill(void *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i++)
		((unsigned char *)p)[i] = (unsigned char)(seed + i * 13);
}

static bool
pattern_ok(const void *p, size_t len, unsigned char seed)
{
	for (size_t i = 0; i < len; i++)
		if (((const unsigned char *)p)[i] != (unsigned char)(seed + i * 13))
			return false;
	return true;
}

/* Each process's zone and block carry a pattern seeded by its name. */
static unsigned char
seed_of(const char *who)
{
	return (unsigned char)(who[0] * 7);
}

/* The memzone index describes exactly the table, and no change is open. */
static bool
memzone_index_consistent(void)
{
	struct eal_mem_config *mcfg = eal__mcfg();
	bool ok;

	eal_mcfg_mlock_read_lock();
	ok = (mcfg->memzone_index.gen & 1) == 0 &&
	     eal__memzone_index_is_valid(&mcfg->memzone_index) &&
	     mcfg->memzone_index.count == mcfg->memzones.count;
	eal_mcfg_mlock_read_unlock();
	return ok;
}

#define CHECK(e) \
	do { \
		if (!(e)) \
			return __LINE__; \
	} while (0)

/* What every process that keeps running must still be able to do. */
static int
work(const char *who)
{
	const struct eal_memzone *mz;
	unsigned char *p, *big;
	char name[32];

	CHECK(eal_malloc_validate() == 0);
	snprintf(name, sizeof(name), "work_%s_%d", who, (int)getpid());
	mz = eal_memzone_reserve(name, 100000, EAL_SOCKET_ID_ANY, 0);
	CHECK(mz != NULL);
	pattern_fill(mz->addr, mz->len, 1);
	CHECK(eal_memzone_lookup(name) == mz);
	CHECK(memzone_index_consistent());
	p = eal_malloc(NULL, 5000, 0);
	CHECK(p != NULL);
	pattern_fill(p, 5000, 2);
	p = eal_realloc(p, 20000, 0);
	CHECK(p != NULL && pattern_ok(p, 5000, 2));
	big = eal_malloc(NULL, BIG_LEN, 0);
	CHECK(big != NULL);
	big[0] = 0x5a;
	big[BIG_LEN - 1] = 0xa5;
	CHECK(big[0] == 0x5a && big[BIG_LEN - 1] == 0xa5);
	eal_free(big);
	eal_free(p);
	CHECK(pattern_ok(mz->addr, mz->len, 1));
	CHECK(eal_memzone_free(mz) == 0);
	CHECK(eal_memzone_lookup(name) == NULL);
	CHECK(memzone_index_consistent());
	CHECK(eal_malloc_validate() == 0);
	return 0;
}

/* Two zone names with the same home slot in the index: freeing the first
 * moves the second back (the hash's tag as src/eal_memzone.c folds it). */
static int
colliding_names(const char *who, char a[32], char b[32])
{
	uint32_t mask = eal__mcfg()->memzone_index.mask;
	int *first = malloc(((size_t)mask + 1) * sizeof(*first));

	if (first == NULL)
		return -1;
	for (uint32_t i = 0; i <= mask; i++)
		first[i] = -1;
	for (int i = 0; i < 100000; i++) {
		char name[32];
		uint64_t h;
		uint32_t home;

		snprintf(name, sizeof(name), "shift_%s_%d", who, i);
		h = eal__memzone_name_hash(name);
		home = (uint32_t)(h ^ (h >> 32)) & mask;
		if (first[home] >= 0) {
			snprintf(a, 32, "shift_%s_%d", who, first[home]);
			snprintf(b, 32, "%s", name);
			free(first);
			return 0;
		}
		first[home] = i;
	}
	free(first);
	return -1;
}

static const struct eal_memzone *own_zone;
static void *own_block;

/*
 * The zones of a memzone change the victim died in, as every survivor
 * must see them once the table is repaired: the zone table's used bit is
 * the truth (src/eal_memzone.c, index_rebuild), so a zone is there when
 * its descriptor was complete and marked, whatever the index said. A
 * zone that is there works: it is written, and the last survivor (s)
 * frees it.
 */
static int
victim_zones(const char *who, const char *point, const char *vwho)
{
	static const struct {
		const char *point, *zone; /* zone NULL: the two colliding ones */
		bool there;
	} after[] = {
		{ "memzone-allocated", "mznew", false },
		{ "memzone-described", "mznew", true },
		{ "memzone-indexed", "mznew", true },
		{ "memzone-unindexed", "mzfree", true },
		{ "memzone-index-shifting", NULL, true },
		{ "memzone-before-heap-free", "mzfree", false },
	};
	char names[2][32];
	unsigned int n = 1;

	for (unsigned int i = 0; i < EAL_DIM(after); i++) {
		if (strcmp(point, after[i].point) != 0)
			continue;
		if (after[i].zone != NULL)
			snprintf(names[0], sizeof(names[0]), "%s_%s", after[i].zone, vwho);
		else if (colliding_names(vwho, names[0], names[1]) == 0)
			n = 2;
		else
			return __LINE__;
		for (unsigned int k = 0; k < n; k++) {
			const struct eal_memzone *mz = eal_memzone_lookup(names[k]);

			CHECK((mz != NULL) == after[i].there);
			if (mz == NULL)
				continue;
			CHECK(mz->len == 4096);
			pattern_fill(mz->addr, mz->len, 3);
			CHECK(pattern_ok(mz->addr, mz->len, 3));
			if (strcmp(who, "s") == 0) {
				CHECK(eal_memzone_free(mz) == 0);
				CHECK(eal_memzone_lookup(names[k]) == NULL);
			}
		}
	}
	return 0;
}

/* A survivor, after the victim died: what was there before is intact,
 * and everything still works. */
static int
survive(const char *who, const char *point, const char *vwho)
{
	static const char *const names[] = { "p", "s", "v" };
	int rc;

	CHECK(eal_malloc_validate() == 0);
	for (unsigned int i = 0; i < EAL_DIM(names); i++) {
		const struct eal_memzone *mz;
		char zname[32];

		snprintf(zname, sizeof(zname), "zone_%s", names[i]);
		mz = eal_memzone_lookup(zname);
		/* the victim secondary's may not exist (killed in init) */
		CHECK(mz != NULL || strcmp(names[i], "v") == 0);
		CHECK(mz == NULL || (mz->len == ZONE_LEN &&
				     pattern_ok(mz->addr, ZONE_LEN, seed_of(names[i]))));
	}
	CHECK(pattern_ok(own_block, BLOCK_LEN, seed_of(who)));
	rc = victim_zones(who, point, vwho);
	return rc != 0 ? rc : work(who);
}

/* State the victim's action starts from, made before it is armed. */
struct prepared {
	void *a;
	const struct eal_memzone *mz;
};

static int
prepare(enum act act, const char *who, struct prepared *pr)
{
	char a[32], b[32];

	switch (act) {
	case ACT_FREE:
		pr->a = eal_malloc(NULL, 4000, 0);
		return pr->a != NULL ? 0 : -1;
	case ACT_REALLOC:
		/* shrunk in place: the free tail it leaves lets it grow back */
		pr->a = eal_malloc(NULL, 8000, 0);
		return pr->a != NULL && eal_realloc(pr->a, 1000, 0) == pr->a ? 0 : -1;
	case ACT_SHRINK:
		pr->a = eal_malloc(NULL, BIG_LEN, 0);
		return pr->a != NULL ? 0 : -1;
	case ACT_MZ_FREE:
		snprintf(a, sizeof(a), "mzfree_%s", who);
		pr->mz = eal_memzone_reserve(a, 4096, EAL_SOCKET_ID_ANY, 0);
		return pr->mz != NULL ? 0 : -1;
	case ACT_MZ_SHIFT:
		if (colliding_names(who, a, b) < 0)
			return -1;
		pr->mz = eal_memzone_reserve(a, 4096, EAL_SOCKET_ID_ANY, 0);
		return pr->mz != NULL && eal_memzone_reserve(b, 4096, EAL_SOCKET_ID_ANY, 0) != NULL
			       ? 0 : -1;
	default:
		return 0;
	}
}

static void
act_armed(enum act act, const char *who, struct prepared *pr)
{
	char name[32];

	switch (act) {
	case ACT_MALLOC:
		for (int i = 0; i < 16; i++)
			(void)eal_malloc(NULL, 2000 + 100 * (size_t)i, 0);
		break;
	case ACT_FREE:
		eal_free(pr->a);
		break;
	case ACT_REALLOC:
		(void)eal_realloc(pr->a, 6000, 0);
		break;
	case ACT_GROW:
		(void)eal_malloc(NULL, BIG_LEN, 0);
		break;
	case ACT_SHRINK:
		eal_free(pr->a);
		break;
	case ACT_MZ_RESERVE:
		snprintf(name, sizeof(name), "mznew_%s", who);
		(void)eal_memzone_reserve(name, 4096, EAL_SOCKET_ID_ANY, 0);
		break;
	case ACT_MZ_FREE:
	case ACT_MZ_SHIFT:
		(void)eal_memzone_free(pr->mz);
		break;
	case ACT_IDLE:
		for (uint64_t end = eal_test_now_ms() + WAIT_MS; eal_test_now_ms() < end;)
			usleep(1000);
		break;
	default:
		break;
	}
}

/*
 * "worker <who> <act> <point> <victim's who> <eal args...>": init, reserve zone_<who>
 * and a block, print "ok", wait for the go file; then a victim prepares,
 * arms <point> and acts (printing "armed" first), a survivor checks
 * ("checked ok" or "checked fail <line>"), waits for the stop file and
 * exits. Exit status 0, or 1 init or setup failed, 2 cleanup failed, 3 a
 * check failed, 4 the parent did not go on, 7 the point was not reached.
 */
static int
worker(int argc, char **argv)
{
	char *args[32] = { (char *)"worker" };
	const char *who = argv[0], *point = argv[2], *vwho = argv[3];
	enum act act = (enum act)atoi(argv[1]);
	struct prepared pr = { 0 };
	char zname[32];
	int n = 1, rc;

	for (int i = 4; i < argc && n < 31; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		say("err", eal_errno);
		return 1;
	}
	if (act == ACT_INIT) {
		say("unreached", 0);
		(void)eal_cleanup();
		return 7;
	}
	snprintf(zname, sizeof(zname), "zone_%s", who);
	own_zone = eal_memzone_reserve(zname, ZONE_LEN, EAL_SOCKET_ID_ANY, 0);
	own_block = eal_malloc(NULL, BLOCK_LEN, 0);
	if (own_zone == NULL || own_block == NULL) {
		say("err setup", eal_errno);
		return 1;
	}
	pattern_fill(own_zone->addr, ZONE_LEN, seed_of(who));
	pattern_fill(own_block, BLOCK_LEN, seed_of(who));
	say("ok", 0);
	if (!wait_flag("go")) {
		rc = 4;
	} else if (act != ACT_NONE) {
		/* right before arming: nobody else changes the heap meanwhile */
		if (prepare(act, who, &pr) < 0) {
			say("err prepare", eal_errno);
			rc = 1;
		} else {
			setenv("EAL_TEST_FAULT", point, 1);
			eal__test_hook_reload();
			say("armed", 0);
			act_armed(act, who, &pr);
			say("unreached", 0);
			rc = 7;
		}
	} else {
		int line = survive(who, point, vwho);

		say(line != 0 ? "checked fail" : "checked ok", line);
		rc = !wait_flag("stop") ? 4 : line != 0 ? 3 : 0;
	}
	return eal_cleanup() == 0 ? rc : 2;
}

/* "fresh <eal args...>": the next primary of the prefix works and exits. */
static int
fresh(int argc, char **argv)
{
	char *args[32] = { (char *)"fresh", (char *)"--proc-type=primary" };
	int n = 2, rc;

	for (int i = 0; i < argc && n < 31; i++)
		args[n++] = argv[i];
	if (eal_init(n, args) < 0) {
		say("fresh err", eal_errno);
		return 1;
	}
	rc = work("fresh");
	say(rc != 0 ? "fresh fail" : "fresh ok", rc);
	return eal_cleanup() == 0 && rc == 0 ? 0 : 2;
}

/* ---- parent side ---------------------------------------------------- */

static long free_base;
static unsigned int n_survived;

/* Children of the running case: killed by the teardown if still there. */
static struct {
	pid_t pid;
	int fd;
} kids[3];
static bool case_passed;

static void
touch_flag(const char *kind, pid_t pid)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s-%d", eal_test_runtime_base(), kind, (int)pid);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

/* Child k has ended (waited for): forget it, its pipe and its go file. */
static void
kid_done(int k)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/go-%d", eal_test_runtime_base(), (int)kids[k].pid);
	(void)unlink(path);
	if (kids[k].fd >= 0)
		close(kids[k].fd);
	kids[k].pid = 0;
	kids[k].fd = -1;
}

/* Start a worker; k indexes kids[]. The victim gets its fault point in
 * its environment when it is to die inside eal_init. */
static void
spawn_worker(int k, const char *who, enum act act, const struct crash_case *c)
{
	/* the case's option is the victim primary's */
	const char *opt = strcmp(who, "p") == 0 && !c->secondary ? c->opt : NULL;
	char act_s[8], optbuf[64], *extra[16];
	int n = 0;

	snprintf(act_s, sizeof(act_s), "%d", (int)act);
	extra[n++] = (char *)who;
	extra[n++] = act_s;
	extra[n++] = (char *)c->point;
	extra[n++] = (char *)(c->secondary ? "v" : "p");
	extra[n++] = (char *)"--file-prefix";
	extra[n++] = (char *)eal_test_prefix();
	extra[n++] = (char *)"--runtime-dir";
	extra[n++] = (char *)eal_test_runtime_base();
	extra[n++] = (char *)(strcmp(who, "p") == 0 ? "--proc-type=primary"
						    : "--proc-type=secondary");
	if (opt != NULL) {
		snprintf(optbuf, sizeof(optbuf), "%s", opt);
		for (char *t = strtok(optbuf, " "); t != NULL && n < 15; t = strtok(NULL, " "))
			extra[n++] = t;
	}
	extra[n] = NULL;
	if (act == ACT_INIT)
		setenv("EAL_TEST_FAULT", c->point, 1);
	kids[k].pid = eal_test_spawnv("worker", &kids[k].fd, extra);
	unsetenv("EAL_TEST_FAULT");
	assert_true(kids[k].pid > 0);
}

static void
expect_line(int k, const char *want, const char *point)
{
	char line[128];
	int status;
	pid_t pid;

	if (eal_test_read_line(kids[k].fd, line, sizeof(line), WAIT_MS) < 0)
		line[0] = '\0';
	if (strcmp(line, want) == 0)
		return;
	/* Said nothing: it died or hangs; say how it ended. */
	pid = kids[k].pid;
	status = eal_test_wait(pid, 1000);
	kid_done(k);
	fail_msg("%s: process %d said '%s', expected '%s' (exit status %d)", point, (int)pid,
		 line, want, status);
}

static void
expect_killed(int k, const char *point)
{
	pid_t pid = kids[k].pid;
	int status = eal_test_wait(pid, WAIT_MS);

	kid_done(k);
	if (status != 128 + SIGKILL)
		fail_msg("%s: the victim (pid %d) ended with status %d, not SIGKILL at the point",
			 point, (int)pid, status);
}

static void
stop_survivor(int k, const char *point)
{
	pid_t pid = kids[k].pid;
	int status = eal_test_stop_holder(pid);

	kid_done(k);
	if (status != 0)
		fail_msg("%s: survivor %d exited with status %d", point, (int)pid, status);
}

/* A new primary of the prefix works, and once it is gone everything is:
 * pages, hugepage files, runtime files. */
static void
fresh_primary_and_baseline(const char *point)
{
	char dir[PATH_MAX + 64];
	int st;

	kids[0].pid = eal_test_spawn("fresh", &kids[0].fd, "--file-prefix", eal_test_prefix(),
				     "--runtime-dir", eal_test_runtime_base(), NULL);
	expect_line(0, "fresh ok", point);
	st = eal_test_wait(kids[0].pid, WAIT_MS);
	kid_done(0);
	if (st != 0)
		fail_msg("%s: the new primary exited with status %d", point, st);
	if (eal_test_free_hugepages_2m() != free_base)
		fail_msg("%s: %ld free hugepages after everything exited, %ld before", point,
			 eal_test_free_hugepages_2m(), free_base);
	if (eal_test_prefix_files(eal_test_huge_mount_2m(), eal_test_prefix()) != 0)
		fail_msg("%s: hugepage files of the prefix left in %s", point,
			 eal_test_huge_mount_2m());
	snprintf(dir, sizeof(dir), "%s/%s", eal_test_runtime_base(), eal_test_prefix());
	if (eal_test_dir_entries(dir) != -1)
		fail_msg("%s: runtime directory %s left behind (%d entries)", point, dir,
			 eal_test_dir_entries(dir));
	/* the 4 KiB memory file, had anything fallen back to it */
	snprintf(dir, sizeof(dir), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)geteuid(),
		 eal_test_prefix());
	if (access(dir, F_OK) == 0)
		fail_msg("%s: %s left behind", point, dir);
}

static void
run_case(void **state)
{
	const struct crash_case *c = *state;
	const char *victim = c->secondary ? "secondary" : "primary";
	int v = c->secondary ? 2 : 0; /* the victim's kids[] slot */

	case_passed = false;
	if (!c->secondary && c->act == ACT_INIT) {
		/* Nobody can attach before the primary completes: no survivor
		 * but the next primary. */
		spawn_worker(0, "p", ACT_INIT, c);
		expect_killed(0, c->point);
	} else {
		spawn_worker(0, "p", c->secondary ? ACT_NONE : c->act, c);
		expect_line(0, "ok", c->point);
		spawn_worker(1, "s", ACT_NONE, c);
		expect_line(1, "ok", c->point);
		if (c->secondary) {
			spawn_worker(2, "v", c->act, c);
			if (c->act != ACT_INIT)
				expect_line(2, "ok", c->point);
		}
		if (c->act != ACT_INIT) {
			touch_flag("go", kids[v].pid);
			expect_line(v, "armed", c->point);
		}
		/* An idle victim dies when a survivor maps pages (below). */
		if (c->act != ACT_IDLE)
			expect_killed(v, c->point);
		for (int k = 0; k < 3; k++) {
			if (kids[k].pid == 0 || k == v)
				continue;
			touch_flag("go", kids[k].pid);
			expect_line(k, "checked ok", c->point);
		}
		if (c->act == ACT_IDLE)
			expect_killed(v, c->point);
		/* secondaries first: the primary then destroys what it made */
		for (int k = 2; k >= 0; k--)
			if (kids[k].pid != 0)
				stop_survivor(k, c->point);
	}
	fresh_primary_and_baseline(c->point);
	n_survived++;
	case_passed = true;
	printf("fault point %-26s victim %-9s survived\n", c->point, victim);
	fflush(stdout);
}

/* A primary of the prefix starts and exits: whatever dead processes of
 * it left is gone. Returns its exit status. */
static int
reclaim(void)
{
	char line[128];
	int st;

	eal_test_run_init(line, sizeof(line), &st, WAIT_MS, "--file-prefix", eal_test_prefix(),
			  "--runtime-dir", eal_test_runtime_base(), NULL);
	return st;
}

/* Whatever a failed case left: its processes are killed, and a primary
 * of the prefix reclaims their pages and files for the next case. */
static int
teardown_case(void **state)
{
	const struct crash_case *c = *state;

	for (int k = 0; k < 3; k++) {
		if (kids[k].pid > 0) {
			kill(kids[k].pid, SIGKILL);
			(void)eal_test_wait(kids[k].pid, WAIT_MS);
		}
		kid_done(k);
	}
	if (!case_passed) {
		printf("fault point %-26s victim %-9s FAILED\n", c->point,
		       c->secondary ? "secondary" : "primary");
		(void)reclaim();
	}
	return 0;
}

static unsigned int
distinct_points(void)
{
	unsigned int n = 0;

	for (size_t i = 0; i < EAL_DIM(cases); i++) {
		size_t j = 0;

		while (j < i && strcmp(cases[j].point, cases[i].point) != 0)
			j++;
		n += j == i;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct CMUnitTest tests[EAL_DIM(cases)];
	char names[EAL_DIM(cases)][64];
	int failed;

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL) {
		bool debug = getenv("EAL_TEST_CHILD_LOG") != NULL;

		/* EAL_TEST_CHILD_LOG=1: the children's DEBUG log on stderr */
		eal_log_set_level(NULL, debug ? EAL_LOG_DEBUG : EAL_LOG_CRIT);
		if (strcmp(eal_test_child_role(), "worker") == 0)
			return worker(eal_test_child_argc(), eal_test_child_argv());
		if (strcmp(eal_test_child_role(), "fresh") == 0)
			return fresh(eal_test_child_argc(), eal_test_child_argv());
		return eal_test_child_main(eal_test_child_role(), eal_test_child_argc(),
					   eal_test_child_argv(), NULL, NULL, NULL);
	}
	eal_test_require_hugepages_2m(64);
	for (int k = 0; k < 3; k++)
		kids[k].fd = -1;
	if (reclaim() != 0) /* a killed run's leftovers go before counting */
		return 1;
	free_base = eal_test_free_hugepages_2m();
	/* EAL_TEST_FILTER=<glob> runs only the matching cases ("heap-*"). */
	if (getenv("EAL_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("EAL_TEST_FILTER"));
	for (size_t i = 0; i < EAL_DIM(cases); i++) {
		snprintf(names[i], sizeof(names[i]), "%s/%s", cases[i].point,
			 cases[i].secondary ? "secondary" : "primary");
		tests[i] = (struct CMUnitTest){
			.name = names[i],
			.test_func = run_case,
			.teardown_func = teardown_case,
			.initial_state = (void *)&cases[i],
		};
	}
	failed = _cmocka_run_group_tests("mp_crash", tests, EAL_DIM(cases), NULL, NULL);
	printf("fault points survived: %u of %zu cases (point x victim), %u distinct points\n",
	       n_survived, EAL_DIM(cases), distinct_points());
	return failed;
}
