/* SPDX-License-Identifier: BSD-3-Clause */
/* Test fixtures: see eal_test.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "eal.h"
#include "eal_log.h"
#include "eal_test.h"

static char self_exe[PATH_MAX];
static char prefix[128] = "test";
static char runtime_base[PATH_MAX];
static char runtime_dir[PATH_MAX + 200];
static const char *child_role;
static int child_argc;
static char **child_argv;

uint64_t
eal_test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
eal_test_rm_rf(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL) {
		(void)unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char sub[PATH_MAX + 300];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			eal_test_rm_rf(sub);
		else
			(void)unlink(sub);
	}
	closedir(d);
	(void)rmdir(path);
}

static void
mkdir_p(const char *path)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(tmp, 0700);
			*p = '/';
		}
	}
	(void)mkdir(tmp, 0700);
}

void
eal_test_setup(int argc, char **argv)
{
	const char *base = getenv("EAL_TEST_RUNTIME_BASE");
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n > 0)
		self_exe[n] = '\0';
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--prefix") == 0 && i + 1 < argc) {
			snprintf(prefix, sizeof(prefix), "%s", argv[++i]);
		} else if (strcmp(argv[i], "--child") == 0 && i + 1 < argc) {
			child_role = argv[i + 1];
			child_argc = argc - (i + 2);
			child_argv = argv + i + 2;
			break;
		}
	}
	if (base == NULL || *base == '\0')
		base = "/tmp/eal-tests";
	snprintf(runtime_base, sizeof(runtime_base), "%s/%s", base, prefix);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s/%s", runtime_base, prefix);
	if (child_role == NULL) {
		/* Parent: start from an empty, private base directory. */
		eal_test_rm_rf(runtime_base);
		mkdir_p(runtime_base);
		(void)chmod(runtime_base, 0700);
	}
	/* Children of the cmocka runner must not inherit the TAP env's
	 * expectations about output: nothing to do, they just exit. */
}

const char *eal_test_prefix(void) { return prefix; }
const char *eal_test_runtime_base(void) { return runtime_base; }
const char *eal_test_runtime_dir(void) { return runtime_dir; }
const char *eal_test_child_role(void) { return child_role; }
int eal_test_child_argc(void) { return child_argc; }
char **eal_test_child_argv(void) { return child_argv; }

static char *argv_store[64];
static char argv_strings[64][PATH_MAX];

static int
build_argv(char ***ret_argv, const char *pfx, const char *extra, va_list ap)
{
	int argc = 0;
	const char *fixed[] = { "eal_test", "--file-prefix", pfx, "--runtime-dir", runtime_base };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(argv_strings[argc], PATH_MAX, "%s", fixed[i]);
		argv_store[argc] = argv_strings[argc];
		argc++;
	}
	for (const char *a = extra; a != NULL && argc < 63; a = va_arg(ap, const char *)) {
		snprintf(argv_strings[argc], PATH_MAX, "%s", a);
		argv_store[argc] = argv_strings[argc];
		argc++;
	}
	argv_store[argc] = NULL;
	*ret_argv = argv_store;
	return argc;
}

int
eal_test_argv(char ***ret_argv, const char *extra, ...)
{
	va_list ap;
	int n;

	va_start(ap, extra);
	n = build_argv(ret_argv, prefix, extra, ap);
	va_end(ap);
	return n;
}

int
eal_test_argv_prefix(char ***ret_argv, const char *pfx, const char *extra, ...)
{
	va_list ap;
	int n;

	va_start(ap, extra);
	n = build_argv(ret_argv, pfx, extra, ap);
	va_end(ap);
	return n;
}

pid_t
eal_test_spawnv(const char *role, int *ret_out_fd, char *const *extra)
{
	char *args[64];
	int argc = 0, pipefd[2] = { -1, -1 };
	pid_t pid, parent;

	args[argc++] = self_exe;
	args[argc++] = (char *)"--prefix";
	args[argc++] = prefix;
	args[argc++] = (char *)"--child";
	args[argc++] = (char *)role;
	for (; extra != NULL && *extra != NULL && argc < 63; extra++)
		args[argc++] = *extra;
	args[argc] = NULL;

	if (ret_out_fd != NULL && pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	parent = getpid();
	pid = fork();
	if (pid == 0) {
		/* A test that fails mid-way must not leave children behind
		 * (a stopped one would hold its hugepages and files for
		 * ever): they die with the thread that spawned them. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		/* Without a pipe, the child's stdout would mix into the TAP
		 * stream of the parent: send it to stderr instead. */
		dup2(pipefd[1] >= 0 ? pipefd[1] : STDERR_FILENO, STDOUT_FILENO);
		execv(self_exe, args);
		_exit(127);
	}
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (ret_out_fd != NULL)
		*ret_out_fd = pipefd[0];
	return pid;
}

pid_t
eal_test_spawn(const char *role, int *ret_out_fd, ...)
{
	char *extra[64];
	int n = 0;
	va_list ap;

	va_start(ap, ret_out_fd);
	for (char *a = va_arg(ap, char *); a != NULL && n < 63; a = va_arg(ap, char *))
		extra[n++] = a;
	va_end(ap);
	extra[n] = NULL;
	return eal_test_spawnv(role, ret_out_fd, extra);
}

int
eal_test_wait(pid_t pid, unsigned int timeout_ms)
{
	uint64_t deadline = eal_test_now_ms() + timeout_ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0)
			return -1;
		if (eal_test_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(2000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int
eal_test_read_line(int fd, char *buf, size_t size, unsigned int timeout_ms)
{
	uint64_t deadline = eal_test_now_ms() + timeout_ms;
	size_t len = 0;

	while (len + 1 < size) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int64_t left = (int64_t)(deadline - eal_test_now_ms());
		char c;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		buf[len++] = c;
	}
	buf[len] = '\0';
	return 0;
}

int
eal_test_dir_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

void
eal_test_require_hugepages(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long free_pages = 0;

	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "HugePages_Free: %ld", &free_pages) == 1)
				break;
		fclose(f);
	}
	if (free_pages <= 0) {
		printf("# SKIP: no free hugepages\n");
		exit(EAL_TEST_SKIP);
	}
	/* Not root, with root's mount: libeal runs on 4 KiB pages then. */
	if (eal_test_huge_mount_2m() == NULL || access(eal_test_huge_mount_2m(), W_OK) != 0) {
		printf("# SKIP: no hugetlbfs mount this user can write\n");
		exit(EAL_TEST_SKIP);
	}
}

const char *
eal_test_huge_mount_2m(void)
{
	static char mount[PATH_MAX];
	struct mntent *e;
	FILE *f;

	if (mount[0] != '\0')
		return mount;
	f = setmntent("/proc/mounts", "r");
	if (f == NULL)
		return NULL;
	while ((e = getmntent(f)) != NULL) {
		const char *ps = hasmntopt(e, "pagesize");

		if (strcmp(e->mnt_type, "hugetlbfs") != 0 || hasmntopt(e, "ro") != NULL)
			continue;
		/* without pagesize= the mount has the default size: 2 MiB on x86 */
		if (ps == NULL || (strncmp(ps, "pagesize=2M", 11) == 0 &&
				   (ps[11] == ',' || ps[11] == '\0'))) {
			snprintf(mount, sizeof(mount), "%s", e->mnt_dir);
			break;
		}
	}
	endmntent(f);
	return mount[0] != '\0' ? mount : NULL;
}

long
eal_test_free_hugepages_2m(void)
{
	FILE *f = fopen("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "r");
	long v = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

int
eal_test_prefix_files(const char *dir, const char *file_prefix)
{
	char want[128];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	snprintf(want, sizeof(want), "%smap_", file_prefix);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, want, strlen(want)) == 0)
			n++;
	closedir(d);
	return n;
}

void
eal_test_require_hugepages_2m(long n)
{
	const char *mount = eal_test_huge_mount_2m();

	if (eal_test_free_hugepages_2m() < n) {
		printf("# SKIP: fewer than %ld free 2 MiB hugepages\n", n);
		exit(EAL_TEST_SKIP);
	}
	if (mount == NULL || access(mount, W_OK) != 0) {
		printf("# SKIP: no writable hugetlbfs mount for 2 MiB pages\n");
		exit(EAL_TEST_SKIP);
	}
}

pid_t
eal_test_spawn_app(const char *role, const char *const *opts, int *ret_fd)
{
	char *extra[32];
	int n = 0;

	extra[n++] = (char *)"--file-prefix";
	extra[n++] = (char *)eal_test_prefix();
	extra[n++] = (char *)"--runtime-dir";
	extra[n++] = (char *)eal_test_runtime_base();
	if (strcmp(role, "primary") == 0) {
		extra[n++] = (char *)"--proc-type=primary";
		for (; opts != NULL && *opts != NULL && n < 31; opts++)
			extra[n++] = (char *)*opts;
	} else {
		extra[n++] = (char *)"--proc-type=secondary";
	}
	extra[n] = NULL;
	return eal_test_spawnv(role, ret_fd, extra);
}

pid_t
eal_test_start_app(const char *role, const char *const *opts)
{
	char line[256];
	int fd;
	pid_t pid = eal_test_spawn_app(role, opts, &fd);

	assert_true(pid > 0);
	if (eal_test_read_line(fd, line, sizeof(line), EAL_TEST_CHILD_WAIT_MS) < 0) {
		close(fd);
		fail_msg("%s: no line; exit status %d", role,
			 eal_test_wait(pid, EAL_TEST_CHILD_WAIT_MS));
	}
	close(fd);
	if (strcmp(line, "ok") != 0)
		fail_msg("%s: %s", role, line);
	return pid;
}

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

void
eal_test_catch_usr1(void)
{
	usr1_seen = 0;
	signal(SIGUSR1, on_usr1);
}

void
eal_test_wait_usr1(void)
{
	while (!usr1_seen)
		usleep(1000);
}

long
eal_test_reclaimed_free_2m(void)
{
	char **args;
	int n = eal_test_argv(&args, NULL);

	if (eal_init(n, args) < 0 || eal_cleanup() < 0)
		return -1;
	return eal_test_free_hugepages_2m();
}

uint64_t eal_test_rng_state = 1;

struct eal_test_log_line eal_test_log_lines[EAL_TEST_LOG_MAX];
unsigned int eal_test_log_n;
static char log_component[32];
static enum eal_log_level log_max_level;

static void
log_capture_cb(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	if (strcmp(component, log_component) != 0 || level > log_max_level ||
	    eal_test_log_n == EAL_TEST_LOG_MAX)
		return;
	eal_test_log_lines[eal_test_log_n].level = level;
	snprintf(eal_test_log_lines[eal_test_log_n].text, sizeof(eal_test_log_lines[0].text), "%s",
		 line);
	eal_test_log_n++;
}

void
eal_test_log_capture(const char *component, enum eal_log_level max_level)
{
	snprintf(log_component, sizeof(log_component), "%s", component);
	log_max_level = max_level;
	eal_test_log_n = 0;
	eal_log_set_handler(log_capture_cb, NULL);
}

unsigned int
eal_test_log_count(enum eal_log_level level, const char *needle)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < eal_test_log_n; i++)
		if (eal_test_log_lines[i].level == level &&
		    strstr(eal_test_log_lines[i].text, needle) != NULL)
			n++;
	return n;
}
