/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test fixtures shared by every suite.
 *
 * Each test executable is started by meson as `<exe> --prefix <name>`; it
 * calls eal_test_setup(argc, argv) first. The fixture gives it a private
 * runtime base directory ($EAL_TEST_RUNTIME_BASE/<name>, emptied at
 * start) and file prefix, so tests can run in parallel, and helpers to
 * re-execute the same binary as a child process (multi-process tests):
 * a child is started with `--child <role> [args...]` and main() dispatches
 * on eal_test_child_role().
 */
#ifndef EAL_TEST_H
#define EAL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "eal_log.h"

#define EAL_TEST_SKIP 77

/* Parse --prefix / --child; prepare the runtime base. */
void eal_test_setup(int argc, char **argv);
/* File prefix of this test ("test_<name>"). */
const char *eal_test_prefix(void);
/* Runtime base directory of this test (passed as --runtime-dir). */
const char *eal_test_runtime_base(void);
/* "<base>/<prefix>": where libeal puts this test's runtime files. */
const char *eal_test_runtime_dir(void);
/* Role given with --child, or NULL in the parent. */
const char *eal_test_child_role(void);
/* Arguments after --child <role> (child only). */
int eal_test_child_argc(void);
char **eal_test_child_argv(void);

/*
 * Build an argv for eal_init(): "prog --file-prefix <prefix> --runtime-dir
 * <base>" followed by the NULL-terminated list of extra arguments. Returns
 * argc; the strings are static storage valid until the next call.
 */
int eal_test_argv(char ***ret_argv, const char *extra, ...);
/* Same with an explicit prefix. */
int eal_test_argv_prefix(char ***ret_argv, const char *prefix, const char *extra, ...);

/* Start this binary again as `--child <role> args...` (NULL-terminated).
 * stdout of the child goes to a pipe when ret_out_fd is not NULL. */
pid_t eal_test_spawn(const char *role, int *ret_out_fd, ...);
/* Same with a NULL-terminated argument array. */
pid_t eal_test_spawnv(const char *role, int *ret_out_fd, char *const *extra);
/*
 * Start this binary as child @role of this test's application: its
 * --file-prefix and --runtime-dir, then --proc-type=primary and the
 * NULL-terminated @opts (may be NULL) when @role is "primary", else
 * --proc-type=secondary. eal_test_spawn_app hands back the child's stdout
 * in *ret_fd; eal_test_start_app waits (EAL_TEST_CHILD_WAIT_MS) for its
 * first line and fails the test unless it is "ok".
 */
#define EAL_TEST_CHILD_WAIT_MS 20000u
pid_t eal_test_spawn_app(const char *role, const char *const *opts, int *ret_fd);
pid_t eal_test_start_app(const char *role, const char *const *opts);

/* In a child: from eal_test_catch_usr1() on, eal_test_wait_usr1() returns
 * once the parent sent SIGUSR1 ("clean up and exit"). */
void eal_test_catch_usr1(void);
void eal_test_wait_usr1(void);

/* Wait for a child; kills it after timeout_ms. Returns its exit status,
 * 128+signal when killed by a signal, or -1 on timeout. */
int eal_test_wait(pid_t pid, unsigned int timeout_ms);
/* Read a line (without newline) from fd within timeout_ms; 0 or -1. */
int eal_test_read_line(int fd, char *buf, size_t size, unsigned int timeout_ms);

/* Number of entries in a directory (not . and ..), -1 if it is missing. */
int eal_test_dir_entries(const char *path);
/* rm -rf */
void eal_test_rm_rf(const char *path);

/* The first writable hugetlbfs mount of 2 MiB pages, or NULL. */
const char *eal_test_huge_mount_2m(void);
/* free_hugepages of the 2 MiB pool (sysfs), -1 when unreadable. */
long eal_test_free_hugepages_2m(void);
/* Files in @dir whose name starts with "<prefix>map_", -1 if @dir is missing. */
int eal_test_prefix_files(const char *dir, const char *file_prefix);
/* Exit 77 unless @n free 2 MiB hugepages and a writable mount exist. */
void eal_test_require_hugepages_2m(long n);
/* Let a primary of this test's prefix reclaim what a killed earlier run
 * left (eal_init + eal_cleanup), then return the free 2 MiB hugepages:
 * the baseline the test compares with. -1 when that init failed. */
long eal_test_reclaimed_free_2m(void);

/* Exit 77 unless 2 MiB hugepages are reserved, free and mounted. */
void eal_test_require_hugepages(void);

/* Log capture: eal_test_log_capture(component, max_level) routes libeal's
 * log into eal_test_log_lines[] (lines of @component up to @max_level;
 * at most EAL_TEST_LOG_MAX), counted in eal_test_log_n (reset it to 0
 * between cases). */
#define EAL_TEST_LOG_MAX 64
struct eal_test_log_line {
	enum eal_log_level level;
	char text[512];
};
extern struct eal_test_log_line eal_test_log_lines[EAL_TEST_LOG_MAX];
extern unsigned int eal_test_log_n;
void eal_test_log_capture(const char *component, enum eal_log_level max_level);
/* Captured lines at exactly @level containing @needle ("" = any). */
unsigned int eal_test_log_count(enum eal_log_level level, const char *needle);

/* A seeded PRNG (xorshift64*), the same sequence on every libc, shared
 * by the randomized tests: the _r forms on a state of the caller's (one
 * per thread), the others on one global state. */
static inline void
eal_test_rng_seed_r(uint64_t *state, uint64_t seed)
{
	*state = seed * 0x9e3779b97f4a7c15ull + 1;
}

static inline uint64_t
eal_test_rng64_r(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n) for n < 2^32, without a division (benchmark loops
 * call it). */
static inline uint64_t
eal_test_rng_below_r(uint64_t *state, uint64_t n)
{
	return ((eal_test_rng64_r(state) >> 32) * n) >> 32;
}

/* A 64-bit mixer (splitmix64's finalizer): seeds and pattern keys from
 * any value. */
static inline uint64_t
eal_test_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

extern uint64_t eal_test_rng_state;

static inline void
eal_test_rng_seed(uint64_t seed)
{
	eal_test_rng_seed_r(&eal_test_rng_state, seed);
}

static inline uint64_t
eal_test_rng64(void)
{
	return eal_test_rng64_r(&eal_test_rng_state);
}

static inline uint64_t
eal_test_rng_below(uint64_t n)
{
	return eal_test_rng_below_r(&eal_test_rng_state, n);
}

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t eal_test_now_ms(void);

#endif /* EAL_TEST_H */
