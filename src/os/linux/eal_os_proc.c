/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux process primitives of the OS contract (src/eal_os.h): cached pid
 * and tid, liveness checks, clocks.
 *
 * glibc stopped caching getpid() in 2.25, and the robust locks ask for the
 * caller's pid on every operation, so we cache it ourselves. A fork child
 * must not keep its parent's values: a pthread_atfork handler, registered
 * once on first use, clears both caches in the child.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

int32_t eal__os_cached_pid;
/* initial-exec: a plain %fs-relative load, no __tls_get_addr call on the
 * lock fast path (libeal is not meant to be dlopen()ed late). */
__thread int32_t eal__os_cached_tid __attribute__((tls_model("initial-exec")));
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void
atfork_child(void)
{
	eal__os_cached_pid = 0;
	eal__os_cached_tid = 0;
}

static void
atfork_register(void)
{
	(void)pthread_atfork(NULL, NULL, atfork_child);
}

int32_t
eal__os_getpid_slow(void)
{
	(void)pthread_once(&atfork_once, atfork_register);
	__atomic_store_n(&eal__os_cached_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	return eal__os_cached_pid;
}

int32_t
eal__os_gettid_slow(void)
{
	(void)pthread_once(&atfork_once, atfork_register);
	eal__os_cached_tid = (int32_t)syscall(SYS_gettid);
	return eal__os_cached_tid;
}

/* The state letter of /proc/<pid>/stat, or 0 when unreadable. */
static char
pid_state(int32_t pid)
{
	char path[64], buf[256];
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may contain ')' so take the last one. */
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* A killed process whose parent has not reaped it yet is a zombie: kill()
 * still finds it, but it holds nothing any more. */
static bool
pid_is_zombie(int32_t pid)
{
	char s = pid_state(pid);

	return s == 'Z' || s == 'X';
}

void
eal__os_thread_name(const char *name)
{
	int rc = pthread_setname_np(pthread_self(), name);

	if (rc != 0)
		EAL_LOG(DEBUG, "pthread_setname_np(%s): %s", name, strerror(rc));
}

bool
eal__os_pid_stopped(int32_t pid)
{
	char s = pid_state(pid);

	return s == 'T' || s == 't';
}

bool
eal__os_pid_alive(int32_t pid)
{
	if (pid <= 0)
		return false;
	/* EPERM: it exists but belongs to someone else. */
	if (kill((pid_t)pid, 0) < 0 && errno != EPERM)
		return false;
	return !pid_is_zombie(pid);
}

uint64_t
eal__os_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
eal__os_sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void
eal__os_yield(void)
{
	sched_yield();
}

int
eal__os_futex_wait(uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };

	/* Not FUTEX_PRIVATE: the word may be shared with other processes. */
	if (syscall(SYS_futex, addr, FUTEX_WAIT, val, timeout_ns != 0 ? &ts : NULL, NULL, 0) < 0) {
		if (errno == EAGAIN)
			return 0;
		return -errno;
	}
	return 0;
}

void
eal__os_futex_wake(uint32_t *addr, int n)
{
	(void)syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
}

int
eal__os_raise_nofile(uint64_t *ret_limit)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			int err = errno;

			EAL_LOG(DEBUG, "setrlimit(NOFILE, %llu): %s", (unsigned long long)rl.rlim_max,
				strerror(err));
			rl.rlim_cur = was;
		}
	}
	*ret_limit = (uint64_t)rl.rlim_cur;
	return 0;
}
