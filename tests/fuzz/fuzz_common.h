/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the libFuzzer targets of tests/fuzz share: the check that stops a
 * run (abort(): libFuzzer keeps the input as a crash), the attribute that
 * keeps a target's own checking code out of the coverage feedback, and a
 * log handler that counts lines and checks each one.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdlib.h>

#include "eal_log.h"

#define CHECK(c) \
	do { \
		if (!(c)) \
			abort(); \
	} while (0)

/* For the models and checks of a target: no coverage feedback from them
 * (it would only steer the fuzzer into the checking code) and no tracing
 * of their comparisons, which would cost most of the time. */
#define UNTRACED __attribute__((no_sanitize("coverage")))

/* Lines a log handler saw. */
struct fuzz_log_count {
	unsigned int n_err; /* ERR or worse */
	unsigned int n_all;
};

/*
 * A log handler (eal_log_set_handler(fuzz_log_handler, &count)): counts
 * the lines and checks that each is one non-empty line of printable
 * text. A value quoted in a message (an option, a file's content) must
 * not split it or carry a terminal escape sequence: one message, one
 * line (STYLE R17).
 */
static inline void
fuzz_log_handler(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	struct fuzz_log_count *count = arg;

	(void)component;
	CHECK(line != NULL && line[0] != '\0');
	for (const char *c = line; *c != '\0'; c++)
		CHECK((unsigned char)*c >= 0x20 && *c != 0x7f);
	if (level <= EAL_LOG_ERR)
		count->n_err++;
	count->n_all++;
}

#endif /* FUZZ_COMMON_H */
