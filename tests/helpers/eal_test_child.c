/* SPDX-License-Identifier: BSD-3-Clause */
/* Child-process roles for multi-process tests: see eal_test_child.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal.h"
#include "eal_test.h"
#include "eal_test_child.h"

static bool
stop_requested(void)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/stop-%d", eal_test_runtime_base(), (int)getpid());
	return access(path, F_OK) == 0;
}

int
eal_test_child_main(const char *role, int argc, char **argv, void *(*mcfg_addr)(void),
		    int (*primary_pid)(void), int (*extra)(void))
{
	char *args[64];
	int n = 0, rc;

	args[n++] = (char *)"child";
	for (int i = 0; i < argc && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	rc = eal_init(n, args);
	if (rc < 0) {
		printf("err %d\n", eal_errno);
		fflush(stdout);
		return 1;
	}
	printf("ok %d %#lx %d %d\n", (int)eal_process_type(),
	       (unsigned long)(uintptr_t)(mcfg_addr ? mcfg_addr() : NULL),
	       primary_pid ? primary_pid() : 0, extra ? extra() : 0);
	fflush(stdout);
	if (strcmp(role, "hold") == 0) {
		for (int i = 0; i < 6000 && !stop_requested(); i++)
			usleep(10000);
	}
	return eal_cleanup() == 0 ? 0 : 2;
}

/* Spawn @role with the NULL-terminated arguments of @ap and read the first
 * line it prints (empty when it prints none within @timeout_ms). */
static pid_t
spawn_read_line(const char *role, char *line, size_t size, unsigned int timeout_ms, va_list ap)
{
	char *args[32];
	int n = 0, fd;
	pid_t pid;

	for (char *a = va_arg(ap, char *); a != NULL && n < 31; a = va_arg(ap, char *))
		args[n++] = a;
	args[n] = NULL;
	pid = eal_test_spawnv(role, &fd, args);
	if (eal_test_read_line(fd, line, size, timeout_ms) < 0)
		line[0] = '\0';
	close(fd);
	return pid;
}

pid_t
eal_test_start_holder(char *line, size_t size, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, size);
	pid = spawn_read_line("hold", line, size, 30000, ap);
	va_end(ap);
	return pid;
}

int
eal_test_stop_holder(pid_t pid)
{
	char path[PATH_MAX + 64];
	int fd, status;

	snprintf(path, sizeof(path), "%s/stop-%d", eal_test_runtime_base(), (int)pid);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0)
		close(fd);
	status = eal_test_wait(pid, 30000);
	unlink(path);
	return status;
}

void
eal_test_run_init(char *line, size_t size, int *ret_status, unsigned int timeout_ms, ...)
{
	va_list ap;
	pid_t pid;

	va_start(ap, timeout_ms);
	pid = spawn_read_line("init", line, size, timeout_ms, ap);
	va_end(ap);
	*ret_status = eal_test_wait(pid, timeout_ms);
}
