/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Child-process roles shared by the multi-process tests.
 *
 * "init" runs eal_init() with the given arguments, prints one line
 *   "ok <type> <mcfg-addr-or-0> <primary-pid> <extra>"
 *   (the callbacks may be NULL: 0 is printed) or "err <eal_errno>"
 *   and exits (cleanup first).
 * "hold" does the same, then keeps running until the file
 *   "<runtime base>/stop-<pid>" appears (or 60 s pass), then cleans up.
 *   This lets a parent keep a primary alive without signals.
 */
#ifndef EAL_TEST_CHILD_H
#define EAL_TEST_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/* Run a child role; returns the exit status for main(). */
int eal_test_child_main(const char *role, int argc, char **argv, void *(*mcfg_addr)(void),
			int (*primary_pid)(void), int (*extra)(void));

/* Parent side: spawn "hold" with args and wait for its first line. */
pid_t eal_test_start_holder(char *line, size_t size, ...);
/* Ask a holder to stop and wait for it; returns its exit status. */
int eal_test_stop_holder(pid_t pid);
/* Run "init" with args; returns the line it printed (empty on crash) and
 * its exit status through ret_status. */
void eal_test_run_init(char *line, size_t size, int *ret_status, unsigned int timeout_ms, ...);

#endif /* EAL_TEST_CHILD_H */
