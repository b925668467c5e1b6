/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared config across real processes (src/eal_mcfg.c): a secondary maps
 * the primary's config at the same address; a second primary is refused
 * and the first is untouched; a secondary without a primary, or with a
 * dead, stuck, foreign or incompatible one, fails with the right eal_errno
 * in bounded time; auto picks primary then secondary; a new primary takes
 * over a SIGKILLed one's files.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eal_test.h"
#include "eal_test_child.h"
#include "eal.h"
#include "eal_memcfg.h"
#include "eal_private.h"

#define PFX "--file-prefix"
#define RTD "--runtime-dir"
#define BASE ((char *)eal_test_runtime_base())

static void *
mcfg_addr(void)
{
	return eal__mcfg();
}

static int
primary_pid(void)
{
	return eal__mcfg() ? eal__mcfg()->primary_pid : 0;
}

/* Child side: WARNING lines saying options were ignored. */
static int n_ignored_warnings;

static void
count_ignored(void *arg, enum eal_log_level level, const char *comp, const char *line)
{
	(void)arg;
	(void)comp;
	if (level == EAL_LOG_WARNING && strstr(line, "-m ignored") != NULL)
		n_ignored_warnings++;
}

/* Bit 0: the memzone lock is write-locked, as this process sees it.
 * Bits 1+: number of "ignored option" warnings. */
static int
child_extra(void)
{
	int locked = eal__mcfg() ? eal_rwlock_is_write_locked(&eal__mcfg()->mlock) : 0;

	return locked | (n_ignored_warnings << 1);
}

/* Parse "ok <type> <addr> <pid>" or "err <errno>". */
struct result {
	bool ok;
	int type, err, pid, extra;
	void *addr;
};

static struct result
parse(const char *line)
{
	struct result r = { 0 };

	if (sscanf(line, "ok %d %p %d %d", &r.type, &r.addr, &r.pid, &r.extra) == 4)
		r.ok = true;
	else if (sscanf(line, "err %d", &r.err) != 1)
		r.err = -1;
	return r;
}

static void
test_secondary_same_address(void **state)
{
	char line[256], **argv;
	struct result r;
	int argc, st;

	(void)state;
	argc = eal_test_argv_prefix(&argv, "mcfg_same", "--proc-type=primary", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	assert_int_equal(eal_process_type(), EAL_PROC_PRIMARY);
	assert_int_equal(eal_primary_proc_alive(NULL), 1);

	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_same", RTD, BASE,
			  "--proc-type=secondary", NULL);
	r = parse(line);
	assert_true(r.ok);
	assert_int_equal(st, 0);
	assert_int_equal(r.type, EAL_PROC_SECONDARY);
	assert_ptr_equal(r.addr, eal__mcfg());
	assert_int_equal(r.pid, getpid());
	assert_int_equal(r.extra, 0);

	/* The same bytes, not a copy: a lock taken here is seen there. An
	 * auto process that becomes secondary says that -m does not apply. */
	eal_mcfg_mlock_write_lock();
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_same", RTD, BASE, "-m",
			  "64", NULL);
	eal_mcfg_mlock_write_unlock();
	r = parse(line);
	assert_true(r.ok);
	assert_int_equal(r.type, EAL_PROC_SECONDARY); /* auto -> secondary */
	assert_int_equal(r.extra, 1 | (1 << 1));
	assert_int_equal(eal__mcfg()->n_secondaries, 0); /* both detached */
	assert_int_equal(eal_cleanup(), 0);
}

static void
test_two_primaries(void **state)
{
	char line[256], **argv, path[PATH_MAX + 64];
	struct result r;
	int argc, st;

	(void)state;
	argc = eal_test_argv_prefix(&argv, "mcfg_two", "--proc-type=primary", NULL);
	assert_int_equal(eal_init(argc, argv), argc - 1);
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_two", RTD, BASE,
			  "--proc-type=primary", NULL);
	r = parse(line);
	assert_false(r.ok);
	assert_int_equal(r.err, EBUSY);
	assert_int_equal(st, 1);
	/* The first primary is untouched: its config is still there, still
	 * locked, still complete, and a secondary can still attach. */
	snprintf(path, sizeof(path), "%s/mcfg_two/config", BASE);
	assert_int_equal(eal_primary_proc_alive(path), 1);
	assert_int_equal(eal__mcfg()->complete, EAL_MCFG_COMPLETE);
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_two", RTD, BASE,
			  "--proc-type=secondary", NULL);
	assert_true(parse(line).ok);
	assert_int_equal(eal_cleanup(), 0);
	assert_int_equal(eal_primary_proc_alive(path), 0);
}

static void
test_secondary_without_primary(void **state)
{
	char line[256], dir[PATH_MAX + 64];
	int st;

	(void)state;
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_nobody", RTD, BASE,
			  "--proc-type=secondary", NULL);
	assert_int_equal(parse(line).err, ENOENT);
	/* Nothing was created for it. */
	snprintf(dir, sizeof(dir), "%s/mcfg_nobody", BASE);
	assert_int_equal(eal_test_dir_entries(dir), -1);
}

static void
test_auto_primary_then_secondary(void **state)
{
	char line[256], line2[256];
	struct result r, r2;
	pid_t holder;
	int st;

	(void)state;
	holder = eal_test_start_holder(line, sizeof(line), PFX, "mcfg_auto", RTD, BASE, NULL);
	r = parse(line);
	assert_true(r.ok);
	assert_int_equal(r.type, EAL_PROC_PRIMARY);
	eal_test_run_init(line2, sizeof(line2), &st, 10000, PFX, "mcfg_auto", RTD, BASE,
			  "--proc-type=auto", NULL);
	r2 = parse(line2);
	assert_true(r2.ok);
	assert_int_equal(r2.type, EAL_PROC_SECONDARY);
	assert_ptr_equal(r2.addr, r.addr);
	assert_int_equal(r2.pid, holder);
	assert_int_equal(eal_test_stop_holder(holder), 0);
}

/* Fake a primary: hold the OFD lock on a config we write ourselves. */
static int
fake_primary(const char *prefix, const void *hdr, size_t len)
{
	char path[PATH_MAX + 64];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 64 };
	int fd;

	snprintf(path, sizeof(path), "%s/%s", BASE, prefix);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/config", BASE, prefix);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hdr, len), (ssize_t)len);
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	return fd;
}

/* Path of the 4 KiB memory file a primary of @prefix shares. */
static const char *
shm_path(const char *prefix)
{
	static char path[256];

	snprintf(path, sizeof(path), "/dev/shm/eal-%u-%s.nohuge", (unsigned int)geteuid(), prefix);
	return path;
}

/* A new primary of @prefix takes over what a killed one left (its memory
 * file included) and leaves nothing when it exits. */
static void
reclaim(const char *prefix)
{
	char line[256], dir[PATH_MAX + 64];
	int st;

	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, (char *)prefix, RTD, BASE, NULL);
	assert_true(parse(line).ok);
	assert_int_equal(parse(line).type, EAL_PROC_PRIMARY);
	assert_int_equal(st, 0);
	snprintf(dir, sizeof(dir), "%s/%s", BASE, prefix);
	assert_int_equal(eal_test_dir_entries(dir), -1);
	assert_int_equal(access(shm_path(prefix), F_OK), -1);
}

static void
test_bad_magic_and_version(void **state)
{
	struct eal_mem_config hdr;
	char line[256];
	uint64_t t0;
	int fd, st;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = 0x1122334455667788ull;
	fd = fake_primary("mcfg_magic", &hdr, sizeof(hdr));
	t0 = eal_test_now_ms();
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_magic", RTD, BASE,
			  "--proc-type=secondary", NULL);
	assert_int_equal(parse(line).err, EPROTO);
	assert_true(eal_test_now_ms() - t0 < 5000); /* refused at once, not after a timeout */
	close(fd);

	hdr.magic = EAL_MCFG_MAGIC;
	hdr.version = EAL_MCFG_VERSION + 1;
	hdr.size = sizeof(hdr);
	hdr.complete = EAL_MCFG_COMPLETE;
	fd = fake_primary("mcfg_version", &hdr, sizeof(hdr));
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_version", RTD, BASE, NULL);
	assert_int_equal(parse(line).err, EPROTO);
	close(fd);

	/* A truncated config from a "primary" that never grows it. */
	fd = fake_primary("mcfg_short", &hdr, 16);
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_short", RTD, BASE,
			  "--attach-timeout=200", NULL);
	assert_int_equal(parse(line).err, EPROTO);
	close(fd);
}

static void
test_slow_primary(void **state)
{
	char line[256], line2[256];
	pid_t holder;
	int st;

	(void)state;
	/* The primary pauses 700 ms just before writing "complete"; the
	 * secondary starts meanwhile, waits, and attaches. */
	setenv("EAL_TEST_FAULT", "mcfg-before-complete:sleep=700", 1);
	holder = eal_test_spawn("hold", NULL, PFX, "mcfg_slow", RTD, BASE, NULL);
	unsetenv("EAL_TEST_FAULT");
	usleep(200000);
	eal_test_run_init(line2, sizeof(line2), &st, 20000, PFX, "mcfg_slow", RTD, BASE,
			  "--proc-type=secondary", NULL);
	assert_true(parse(line2).ok);
	assert_int_equal(parse(line2).pid, holder);
	(void)line;
	assert_int_equal(eal_test_stop_holder(holder), 0);
}

static void
test_dead_primary_while_waiting(void **state)
{
	char line[256];
	uint64_t t0;
	pid_t holder, sec;
	int fd;

	(void)state;
	setenv("EAL_TEST_FAULT", "mcfg-before-complete:sleep=30000", 1);
	holder = eal_test_spawn("hold", NULL, PFX, "mcfg_dead", RTD, BASE, NULL);
	unsetenv("EAL_TEST_FAULT");
	usleep(300000);
	t0 = eal_test_now_ms();
	sec = eal_test_spawn("init", &fd, PFX, "mcfg_dead", RTD, BASE, "--proc-type=secondary",
			     NULL);
	usleep(300000);
	kill(holder, SIGKILL);
	assert_int_equal(eal_test_wait(holder, 5000), 128 + SIGKILL);
	assert_int_equal(eal_test_read_line(fd, line, sizeof(line), 5000), 0);
	close(fd);
	assert_int_equal(parse(line).err, ESRCH);
	assert_int_equal(eal_test_wait(sec, 5000), 1);
	assert_true(eal_test_now_ms() - t0 < 5000);
	reclaim("mcfg_dead");
}

static void
test_stuck_primary_timeout(void **state)
{
	char line[256];
	pid_t holder;
	int st;

	(void)state;
	setenv("EAL_TEST_FAULT", "mcfg-before-complete:sleep=30000", 1);
	holder = eal_test_spawn("hold", NULL, PFX, "mcfg_stuck", RTD, BASE, NULL);
	unsetenv("EAL_TEST_FAULT");
	usleep(300000);
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_stuck", RTD, BASE,
			  "--proc-type=secondary", "--attach-timeout=300", NULL);
	assert_int_equal(parse(line).err, ETIMEDOUT);
	kill(holder, SIGKILL);
	eal_test_wait(holder, 5000);
	reclaim("mcfg_stuck");
}

static void
test_new_primary_after_kill(void **state)
{
	char line[256];
	pid_t holder;
	int st;

	(void)state;
	holder = eal_test_start_holder(line, sizeof(line), PFX, "mcfg_kill", RTD, BASE, "--no-huge",
				       NULL);
	assert_true(parse(line).ok);
	kill(holder, SIGKILL);
	assert_int_equal(eal_test_wait(holder, 5000), 128 + SIGKILL);
	/* Its files stay behind, unlocked; a secondary refuses them... */
	eal_test_run_init(line, sizeof(line), &st, 10000, PFX, "mcfg_kill", RTD, BASE,
			  "--proc-type=secondary", NULL);
	assert_int_equal(parse(line).err, ESRCH);
	/* ...and a new primary takes them over and cleans up after itself. */
	assert_int_equal(access(shm_path("mcfg_kill"), F_OK), 0); /* left by the killed one */
	reclaim("mcfg_kill");
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secondary_same_address),
		cmocka_unit_test(test_two_primaries),
		cmocka_unit_test(test_secondary_without_primary),
		cmocka_unit_test(test_auto_primary_then_secondary),
		cmocka_unit_test(test_bad_magic_and_version),
		cmocka_unit_test(test_slow_primary),
		cmocka_unit_test(test_dead_primary_while_waiting),
		cmocka_unit_test(test_stuck_primary_timeout),
		cmocka_unit_test(test_new_primary_after_kill),
	};

	eal_test_setup(argc, argv);
	if (eal_test_child_role() != NULL) {
		eal_log_set_handler(count_ignored, NULL);
		return eal_test_child_main(eal_test_child_role(), eal_test_child_argc(),
					   eal_test_child_argv(), mcfg_addr, primary_pid,
					   child_extra);
	}
	eal_log_set_level(NULL, EAL_LOG_CRIT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
