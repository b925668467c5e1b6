/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of contents of libeal's internals (STYLE R3).
 *
 * Every non-static eal__ function is declared here, under the heading of
 * the file that owns it; nothing else may be non-static. Internal functions
 * return 0 or -errno and pass results out through ret_ parameters (R11);
 * only the public wrappers set eal_errno (R12).
 *
 * Each .c file defines EAL_LOG_COMPONENT (an enum eal_log_component) before
 * including this header, then logs with EAL_LOG(LEVEL, "fmt", ...): the
 * newline is appended, and a newline in the format is a compile error.
 */
#ifndef EAL_PRIVATE_H
#define EAL_PRIVATE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_common.h"
#include "eal_errno.h"
#include "eal_lock.h"
#include "eal_log.h"

struct eal_internal_config;
struct eal_mem_config;

/* ---- assertions (R25) ------------------------------------------------ */

#ifndef EAL_DEBUG
#define EAL_DEBUG 1
#endif

void eal__assert_fail(const char *expr, const char *file, int line, const char *func);

#define EAL__ASSERT_AT(lvl, e) \
	((EAL_DEBUG >= (lvl) && !(e)) ? eal__assert_fail(#e, __FILE__, __LINE__, __func__) : (void)0)
/* API misuse that can be detected cheaply. */
#define EAL_ASSERT(e) EAL__ASSERT_AT(1, e)
/* Internal invariants. */
#define EAL_ASSERT_INTERNAL(e) EAL__ASSERT_AT(2, e)
/* Invariant checkers that walk whole structures. */
#define EAL_ASSERT_EXPENSIVE(e) EAL__ASSERT_AT(3, e)

#define EAL_LIKELY(x) __builtin_expect(!!(x), 1)
#define EAL_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- eal_log.c ------------------------------------------------------- */

void eal__log(enum eal_log_level level, enum eal_log_component comp, const char *fmt, ...)
	EAL_FORMAT(3, 4);
bool eal__log_enabled(enum eal_log_level level, enum eal_log_component comp);
/* Parse "debug", "8", "fbarray:debug", "*:info"; applies nothing. */
int eal__log_parse_level(const char *arg, int *ret_comp, int *ret_level);
/* Component by name; -1 for "*" (all), -ENOENT when unknown. */
int eal__log_component_by_name(const char *name);
/* Reset levels and handler to the defaults (tests). */
void eal__log_reset(void);
/* Set a component's level, -1 for all (no validation: callers parsed it). */
void eal__log_set_level_id(int comp, int level);

/* Rejects a format string containing a newline at compile time (R17).
 * Only gcc folds __builtin_strchr on literals in a constant expression;
 * clang builds skip the check (CI builds with both). */
#if defined(__clang__)
#define EAL__LOG_CHECK_NO_NEWLINE(fmt) ((void)0)
#else
#define EAL__LOG_CHECK_NO_NEWLINE(fmt) \
	_Static_assert(!__builtin_strchr(fmt, '\n'), "log format must not contain a newline")
#endif

#define EAL_LOG(level, ...) \
	do { \
		EAL__LOG_CHECK_NO_NEWLINE(EAL__FIRST(__VA_ARGS__, "")); \
		if (eal__log_enabled(EAL_LOG_##level, EAL_LOG_COMPONENT)) \
			eal__log(EAL_LOG_##level, EAL_LOG_COMPONENT, __VA_ARGS__); \
	} while (0)
#define EAL__FIRST(a, ...) a

/* ---- eal_errno.c ----------------------------------------------------- */

/* Set eal_errno from a -errno result and return -1 (public wrappers). */
static inline int
eal__fail(int rc)
{
	eal_errno = rc < 0 ? -rc : rc;
	return -1;
}

/* ---- eal_lock.c ------------------------------------------------------ */

/* Take the write lock; returns 1 when it was recovered from a dead writer
 * (the protected data may be half-updated), 0 otherwise. */
int eal__rwlock_write_lock(eal_rwlock_t *lock);

/* ---- eal_test_hook.c ------------------------------------------------- */

/*
 * Fault injection for crash tests. When the environment variable
 * EAL_TEST_FAULT names @point ("mcfg-before-complete", ...), the process
 * acts at that point: "<point>" or "<point>:kill" sends SIGKILL to itself,
 * "<point>:sleep=<ms>" sleeps. Read once per eal_init. Costs one branch
 * when unset.
 */
void eal__test_point(const char *point);
void eal__test_hook_reload(void);

/* ---- eal_init.c ------------------------------------------------------ */

/* The shared config of this process, or NULL before init. */
struct eal_mem_config *eal__mcfg(void);
/* The per-process config, or NULL before init. */
const struct eal_internal_config *eal__internal_cfg(void);
/* Whether eal_init() has completed in this process. */
bool eal__initialized(void);

/* ---- eal_options.c --------------------------------------------------- */

/* Parse argv into @cfg (defaults first). *ret_consumed: arguments used. */
int eal__options_parse(struct eal_internal_config *cfg, int argc, char **argv, int *ret_consumed);
/* Fill @cfg from a public struct. */
int eal__options_from_params(struct eal_internal_config *cfg, const void *params);
/* Cross-option checks shared by both entry points (one ERR line each). */
int eal__options_check(struct eal_internal_config *cfg);
/* A process that became secondary through --proc-type=auto: one WARNING
 * naming the primary-only options it was given, which do not apply. */
void eal__options_note_ignored(const struct eal_internal_config *cfg);
/* Usage text to @f. */
void eal__options_usage(const char *prgname, void *f);
/* Parse a size with optional K/M/G suffix; no suffix means @default_unit bytes. */
int eal__parse_size(const char *s, uint64_t default_unit, uint64_t *ret);

/* ---- eal_runtime_dir.c ----------------------------------------------- */

/* Compute and (primary) create or (secondary) find the runtime directory. */
int eal__runtime_dir_init(struct eal_internal_config *cfg);
/* Primary: remove fbarray files left by dead processes (DPDK's
 * eal_clean_runtime_dir); files held by live processes stay. */
int eal__runtime_dir_clean(const struct eal_internal_config *cfg);
/* Remove files this process created and the directory if empty. */
void eal__runtime_dir_fini(struct eal_internal_config *cfg);
/* Build "<runtime dir>/<name>" into @buf. -ENAMETOOLONG if it does not fit;
 * -ENOENT when this process uses no runtime directory. */
int eal__runtime_path(char *buf, size_t size, const char *name);
/* The runtime dir, or NULL when none is used (no-shconf, in-memory, no init). */
const char *eal__runtime_dir_path(void);

/* ---- eal_mcfg.c ------------------------------------------------------ */

int eal__mcfg_init(struct eal_internal_config *cfg);
void eal__mcfg_fini(struct eal_internal_config *cfg);
/* Primary: copy mode flags settled after creation into the config. */
void eal__mcfg_update_from_internal(struct eal_mem_config *mcfg,
				    const struct eal_internal_config *cfg);
/* Primary: mark the config complete (last step of init). */
void eal__mcfg_complete(struct eal_mem_config *mcfg);
/* 1 when a live primary holds the config file at @path, else 0. */
int eal__primary_alive_at(const char *path);

/* ---- eal_memseg_list.c ----------------------------------------------- */

/* One memseg list to create: @n_segs pages of @page_sz on node @socket. */
struct eal__msl_spec {
	uint64_t page_sz;
	int socket;
	unsigned int n_segs;
};
/* DPDK 22.11's memseg-list sizing for dynamic memory: the lists for
 * @n_sizes page sizes (largest first) on @n_sockets nodes, into @out. */
int eal__memseg_lists_plan(const uint64_t *page_sizes, unsigned int n_sizes, unsigned int n_sockets,
			   struct eal__msl_spec *out, unsigned int max, unsigned int *ret_n);
/* Primary: reserve one VA range for all lists and create their fbarrays. */
int eal__memseg_lists_create(struct eal_mem_config *mcfg, const struct eal__msl_spec *specs,
			     unsigned int n);
/* Secondary: reserve the primary's range exactly and attach the lists. */
int eal__memseg_lists_attach(struct eal_mem_config *mcfg);
/* Destroy (primary) or detach (secondary) the lists and unmap the range. */
void eal__memseg_lists_fini(struct eal_mem_config *mcfg, bool primary);

/* ---- eal_memory.c ----------------------------------------------------- */

/* Memory stage of eal_init: dispatch by mode, init or attach. */
int eal__memory_init(struct eal_internal_config *cfg);
void eal__memory_fini(struct eal_internal_config *cfg);

/* ---- eal_fbarray.c --------------------------------------------------- */

/* Unmap every fbarray this process mapped and forget them (cleanup). */
void eal__fbarray_forget_all(void);

#endif /* EAL_PRIVATE_H */
