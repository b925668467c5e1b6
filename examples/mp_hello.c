/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mp_hello: one primary and one secondary sharing memory.
 *
 *   mp_hello [EAL options]            run as the primary
 *   mp_hello secondary [EAL options]  (started by the primary)
 *
 * The primary initialises libeal, creates a shared fbarray of greetings,
 * then starts this same binary as a secondary and waits. The secondary
 * attaches to the primary's shared config (same --file-prefix), attaches
 * the fbarray at the same virtual address, prints what it sees and writes
 * an answer the primary then reads.
 *
 * The fbarray's descriptor reaches the secondary through a pipe here;
 * with memzones an application would keep it in a named memzone instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <eal.h>

#define SLOT_SIZE 64
#define N_SLOTS 16

static int
run_secondary(int argc, char **argv)
{
	struct eal_fbarray arr;
	int idx;

	argv[0] = (char *)"mp_hello-secondary";
	if (eal_init(argc, argv) < 0) {
		fprintf(stderr, "secondary: eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	if (fread(&arr, sizeof(arr), 1, stdin) != 1 || eal_fbarray_attach(&arr) < 0) {
		fprintf(stderr, "secondary: cannot attach the greetings array: %s\n",
			eal_strerror(eal_errno));
		eal_cleanup();
		return 1;
	}
	printf("secondary %d: attached as %s, runtime dir %s\n", (int)getpid(),
	       eal_process_type() == EAL_PROC_SECONDARY ? "SECONDARY" : "?", eal_runtime_dir());
	printf("secondary %d: array '%s' at %p, %u of %u slots used:\n", (int)getpid(), arr.name,
	       arr.data, arr.count, arr.len);
	for (idx = eal_fbarray_find_next_used(&arr, 0); idx >= 0;
	     idx = idx + 1 < (int)arr.len ? eal_fbarray_find_next_used(&arr, (unsigned int)idx + 1) : -1)
		printf("  [%d] %s\n", idx, (char *)eal_fbarray_get(&arr, (unsigned int)idx));
	idx = eal_fbarray_find_next_free(&arr, 0);
	if (idx >= 0) {
		snprintf(eal_fbarray_get(&arr, (unsigned int)idx), SLOT_SIZE,
			 "hello back from secondary %d", (int)getpid());
		eal_fbarray_set_used(&arr, (unsigned int)idx);
	}
	eal_fbarray_detach(&arr);
	return eal_cleanup() == 0 && idx >= 0 ? 0 : 1;
}

static int
run_primary(int argc, char **argv)
{
	struct eal_fbarray arr;
	char *child_argv[64];
	int consumed, pipefd[2], status, n = 0, ok = 0;
	pid_t pid;

	consumed = eal_init(argc, argv);
	if (consumed < 0) {
		if (eal_errno == ECANCELED) /* --help / --version */
			return 0;
		fprintf(stderr, "primary: eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	printf("primary %d: initialised, runtime dir %s\n", (int)getpid(),
	       eal_runtime_dir() ? eal_runtime_dir() : "(none: no shared files)");
	if (eal_fbarray_init(&arr, "greetings", N_SLOTS, SLOT_SIZE) < 0) {
		fprintf(stderr, "primary: eal_fbarray_init: %s\n", eal_strerror(eal_errno));
		eal_cleanup();
		return 1;
	}
	snprintf(eal_fbarray_get(&arr, 0), SLOT_SIZE, "hello from primary %d", (int)getpid());
	eal_fbarray_set_used(&arr, 0);
	snprintf(eal_fbarray_get(&arr, 3), SLOT_SIZE, "shared memory, same address everywhere");
	eal_fbarray_set_used(&arr, 3);

	/* Start the secondary: same binary, same EAL options. */
	child_argv[n++] = argv[0];
	child_argv[n++] = (char *)"secondary";
	for (int i = 1; i <= consumed && n < 60; i++)
		child_argv[n++] = argv[i];
	child_argv[n++] = (char *)"--proc-type=secondary";
	child_argv[n] = NULL;
	if (pipe(pipefd) < 0) {
		perror("pipe");
		goto out;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[0], STDIN_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv("/proc/self/exe", child_argv);
		_exit(127);
	}
	close(pipefd[0]);
	if (write(pipefd[1], &arr, sizeof(arr)) != (ssize_t)sizeof(arr))
		perror("write");
	close(pipefd[1]);
	waitpid(pid, &status, 0);

	for (int idx = 0; idx < (int)arr.len; idx++)
		if (eal_fbarray_is_used(&arr, (unsigned int)idx) == 1 &&
		    strncmp(eal_fbarray_get(&arr, (unsigned int)idx), "hello back", 10) == 0) {
			printf("primary %d: read the secondary's answer in slot %d: %s\n",
			       (int)getpid(), idx, (char *)eal_fbarray_get(&arr, (unsigned int)idx));
			ok = 1;
		}
	ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
out:
	eal_fbarray_destroy(&arr);
	eal_cleanup();
	printf("%s\n", ok ? "mp_hello: OK" : "mp_hello: FAILED");
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "secondary") == 0)
		return run_secondary(argc - 1, argv + 1);
	return run_primary(argc, argv);
}
