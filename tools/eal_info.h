/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal-info's pieces: the report of one prefix (eal_info.c) and the list
 * of every prefix and the clean-up of a dead one (eal_info_clean.c).
 */
#ifndef EAL_INFO_H
#define EAL_INFO_H

/* Exit statuses (docs/eal-info.md). */
enum {
	EXIT_RUNNING = 0,
	EXIT_ABSENT = 1,
	EXIT_USAGE = 2,
	EXIT_STALE = 3,
	EXIT_INVALID = 4,
	EXIT_BUSY = 5, /* --clean: a process of the prefix lives, nothing removed */
	/* internal: go on (never an exit status) */
	CONTINUE = -1,
};

/* Every prefix under the runtime base @base, one line each with its
 * state (live, orphans, dead, stale files). EXIT_ABSENT when none. */
int eal_info_list(const char *base);

/* Remove the files of prefix @prefix (runtime directory @dir, its
 * hugepage files, its --no-huge file); EXIT_BUSY, nothing removed, while
 * any process of it lives. */
int eal_info_clean(const char *dir, const char *prefix);

#endif /* EAL_INFO_H */
