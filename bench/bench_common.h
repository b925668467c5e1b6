/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers shared by the benchmark programs. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run @argv (argv[0] is the program path) with stdout into @buf, which is
 * NUL-terminated. 0 when it printed something and exited 0, else -1. */
static inline int
bench_run(char *const argv[], char *buf, size_t size)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, size - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

#endif /* BENCH_COMMON_H */
