/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The log sink (STYLE R17-R19). Lines are formatted into a fixed stack
 * buffer (no allocation, safe in low-memory paths) and handed to the
 * handler: by default stderr, WARNING and above. Until a handler is set,
 * lines are also kept in a 16 KiB buffer so that the first
 * eal_log_set_handler() can replay what happened before it.
 *
 * Levels are per component and process-local. The state is protected by a
 * process-local mutex: logging is never on a hot path.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_EAL

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eal_private.h"

#define LOG_LINE_MAX 512
#define LOG_EARLY_MAX (16 * 1024)
#define LOG_DEFAULT_LEVEL EAL_LOG_WARNING

static const char *const component_names[EAL_LOGC_COUNT] = {
	[EAL_LOGC_EAL] = "eal",
	[EAL_LOGC_OS] = "os",
	[EAL_LOGC_MCFG] = "mcfg",
	[EAL_LOGC_FBARRAY] = "fbarray",
	[EAL_LOGC_HUGEINFO] = "hugeinfo",
	[EAL_LOGC_MEMSEG] = "memseg",
	[EAL_LOGC_MEMZONE] = "memzone",
	[EAL_LOGC_MEMORY] = "memory",
	[EAL_LOGC_HEAP] = "heap",
};

static const char *const level_names[] = {
	[EAL_LOG_EMERG] = "emerg", [EAL_LOG_ALERT] = "alert",
	[EAL_LOG_CRIT] = "crit",   [EAL_LOG_ERR] = "err",
	[EAL_LOG_WARNING] = "warning", [EAL_LOG_NOTICE] = "notice",
	[EAL_LOG_INFO] = "info",   [EAL_LOG_DEBUG] = "debug",
};

static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned char levels[EAL_LOGC_COUNT] = {
	LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL,
	LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL,
	LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL, LOG_DEFAULT_LEVEL,
};
static eal_log_handler_t handler;
static void *handler_arg;
static bool handler_ever_set;

/* Lines logged before the first handler: "<level><comp>\0<text>\0"... */
static char early[LOG_EARLY_MAX];
static size_t early_len;

_Static_assert(EAL_LOGC_COUNT == 9, "update levels[] and component_names[]");

bool
eal__log_enabled(enum eal_log_level level, enum eal_log_component comp)
{
	/* A racy read is fine: levels change rarely and a stale value only
	 * decides whether one line is printed. */
	return (int)level <= __atomic_load_n(&levels[comp], __ATOMIC_RELAXED);
}

static void
default_handler(enum eal_log_level level, const char *comp, const char *line)
{
	if (level > EAL_LOG_WARNING)
		fprintf(stderr, "EAL: %s: %s\n", comp, line);
	else
		fprintf(stderr, "EAL: %s: %s: %s\n", comp, level_names[level], line);
}

static void
early_keep(enum eal_log_level level, enum eal_log_component comp, const char *line)
{
	size_t n = strlen(line) + 3;

	if (early_len + n > sizeof(early))
		return;
	early[early_len++] = (char)level;
	early[early_len++] = (char)comp;
	memcpy(&early[early_len], line, n - 2);
	early_len += n - 2;
}

void
eal__log(enum eal_log_level level, enum eal_log_component comp, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One message, one line: values quoted from argv or files must not
	 * forge another line or reach the terminal as escape sequences. */
	for (char *c = line; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';

	pthread_mutex_lock(&log_mutex);
	if (handler != NULL) {
		handler(handler_arg, level, component_names[comp], line);
	} else {
		default_handler(level, component_names[comp], line);
		if (!handler_ever_set)
			early_keep(level, comp, line);
	}
	pthread_mutex_unlock(&log_mutex);
}

EAL_API void
eal_log_set_handler(eal_log_handler_t fn, void *arg)
{
	size_t off = 0;

	pthread_mutex_lock(&log_mutex);
	handler = fn;
	handler_arg = arg;
	if (fn != NULL && !handler_ever_set) {
		handler_ever_set = true;
		while (off < early_len) {
			enum eal_log_level level = (enum eal_log_level)early[off];
			enum eal_log_component comp = (enum eal_log_component)early[off + 1];
			const char *text = &early[off + 2];

			fn(arg, level, component_names[comp], text);
			off += strlen(text) + 3;
		}
		early_len = 0;
	}
	pthread_mutex_unlock(&log_mutex);
}

int
eal__log_component_by_name(const char *name)
{
	if (name == NULL || strcmp(name, "*") == 0 || strcmp(name, "eal.*") == 0)
		return -1;
	for (int i = 0; i < EAL_LOGC_COUNT; i++)
		if (strcmp(name, component_names[i]) == 0)
			return i;
	return -ENOENT;
}

static int
parse_level(const char *s, int *ret)
{
	char *end;
	long v;

	for (int i = EAL_LOG_EMERG; i <= EAL_LOG_DEBUG; i++) {
		if (strcasecmp(s, level_names[i]) == 0) {
			*ret = i;
			return 0;
		}
	}
	if (strcasecmp(s, "error") == 0) {
		*ret = EAL_LOG_ERR;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < EAL_LOG_EMERG || v > EAL_LOG_DEBUG)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

int
eal__log_parse_level(const char *arg, int *ret_comp, int *ret_level)
{
	char comp[64];
	const char *colon = strrchr(arg, ':');
	int c = -1, level, rc;

	if (colon != NULL) {
		size_t n = (size_t)(colon - arg);

		if (n == 0 || n >= sizeof(comp))
			return -EINVAL;
		memcpy(comp, arg, n);
		comp[n] = '\0';
		c = eal__log_component_by_name(comp);
		if (c == -ENOENT)
			return -EINVAL;
		arg = colon + 1;
	}
	rc = parse_level(arg, &level);
	if (rc < 0)
		return rc;
	*ret_comp = c;
	*ret_level = level;
	return 0;
}

void
eal__log_set_level_id(int comp, int level)
{
	for (int i = 0; i < EAL_LOGC_COUNT; i++)
		if (comp < 0 || comp == i)
			__atomic_store_n(&levels[i], (unsigned char)level, __ATOMIC_RELAXED);
}

EAL_API int
eal_log_set_level(const char *component, int level)
{
	int comp = eal__log_component_by_name(component);

	if (comp == -ENOENT || level < EAL_LOG_EMERG || level > EAL_LOG_DEBUG)
		return eal__fail(-EINVAL);
	eal__log_set_level_id(comp, level);
	return 0;
}

EAL_API int
eal_log_get_level(const char *component)
{
	int comp = eal__log_component_by_name(component);

	if (comp < 0)
		return eal__fail(-EINVAL);
	return __atomic_load_n(&levels[comp], __ATOMIC_RELAXED);
}

void
eal__log_reset(void)
{
	pthread_mutex_lock(&log_mutex);
	handler = NULL;
	handler_arg = NULL;
	pthread_mutex_unlock(&log_mutex);
	eal__log_set_level_id(-1, LOG_DEFAULT_LEVEL);
}
