/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fault injection for crash-recovery tests (see eal_private.h).
 *
 * EAL_TEST_FAULT=<point>[@<n>][:kill|:sleep=<ms>] makes the process
 * SIGKILL itself, or sleep, when it reaches the named point (the n-th
 * time, with @<n>). The variable is read
 * when eal_init() starts (eal__test_hook_reload), never in a hot path; an
 * unset variable costs one predictable branch per point.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_EAL

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

/* Without -Dfault_injection (and outside the internal library of test
 * builds) this file is empty: eal_private.h makes every point a no-op. */
#if defined(EAL_FAULT_INJECTION)

static char fault_point[64];
static unsigned int fault_sleep_ms;
static unsigned long fault_hit; /* act at this hit (0: every one) */
static unsigned long fault_hits;
bool eal__test_fault_armed;

void
eal__test_hook_reload(void)
{
	const char *v = getenv("EAL_TEST_FAULT");
	const char *colon;
	size_t n;

	eal__test_fault_armed = false;
	fault_sleep_ms = 0;
	if (v == NULL || *v == '\0')
		return;
	colon = strchr(v, ':');
	n = colon != NULL ? (size_t)(colon - v) : strlen(v);
	if (n >= sizeof(fault_point))
		return;
	memcpy(fault_point, v, n);
	fault_point[n] = '\0';
	fault_hits = 0;
	fault_hit = 0;
	if (strchr(fault_point, '@') != NULL) {
		fault_hit = strtoul(strchr(fault_point, '@') + 1, NULL, 10);
		*strchr(fault_point, '@') = '\0';
	}
	if (colon != NULL && strncmp(colon + 1, "sleep=", 6) == 0)
		fault_sleep_ms = (unsigned int)strtoul(colon + 7, NULL, 10);
	eal__test_fault_armed = true;
}

void
eal__test_point(const char *point)
{
	if (EAL_LIKELY(!eal__test_fault_armed) || strcmp(point, fault_point) != 0)
		return;
	if (fault_hit != 0 && ++fault_hits != fault_hit)
		return;
	if (fault_sleep_ms != 0) {
		EAL_LOG(NOTICE, "test fault point %s: sleeping %u ms", point, fault_sleep_ms);
		eal__os_sleep_us(fault_sleep_ms * 1000u);
		return;
	}
	EAL_LOG(NOTICE, "test fault point %s: killing pid %d", point, (int)getpid());
	kill(getpid(), SIGKILL);
}

#endif /* EAL_FAULT_INJECTION */
