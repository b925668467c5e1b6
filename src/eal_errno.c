/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_errno and eal_strerror(). eal_errno is thread-local and is written
 * only by the public wrappers (eal__fail()). eal_strerror() uses
 * strerror_r into a per-thread buffer, so its result is never clobbered by
 * another thread, and always returns text.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_EAL

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_private.h"

EAL_API __thread int eal_errno_value;

EAL_API const char *
eal_strerror(int errnum)
{
	static __thread char buf[128];

	if (errnum < 0)
		errnum = -errnum;
	/* GNU strerror_r may return a static string instead of filling buf. */
	return strerror_r(errnum, buf, sizeof(buf));
}

void
eal__assert_fail(const char *expr, const char *file, int line, const char *func)
{
	/* Assertions catch programming errors only (R15): report and stop. */
	eal__log(EAL_LOG_CRIT, EAL_LOGC_EAL, "assertion \"%s\" failed at %s:%d in %s()", expr, file,
		 line, func);
	abort();
}
