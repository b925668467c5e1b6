/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Logging. Every line libeal prints goes through one sink. By default that
 * sink writes lines at WARNING and above to stderr, so the library is quiet
 * when embedded; an application routes our lines into its own log with
 * eal_log_set_handler() and chooses how much it wants per component with
 * eal_log_set_level() (or the --log-level option of eal_init()).
 *
 * Levels use DPDK's numbering (RTE_LOG_EMERG = 1 ... RTE_LOG_DEBUG = 8).
 */
#ifndef EAL_LOG_H
#define EAL_LOG_H

#include "eal_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Severity of a log line, numbered as DPDK's RTE_LOG_*. */
enum eal_log_level {
	EAL_LOG_EMERG = 1,   /**< system is unusable */
	EAL_LOG_ALERT = 2,   /**< action must be taken immediately */
	EAL_LOG_CRIT = 3,    /**< critical conditions */
	EAL_LOG_ERR = 4,     /**< an operation failed */
	EAL_LOG_WARNING = 5, /**< something is wrong but we carry on */
	EAL_LOG_NOTICE = 6,  /**< normal but significant */
	EAL_LOG_INFO = 7,    /**< informational */
	EAL_LOG_DEBUG = 8,   /**< debugging detail */
};

/** Components: each source file of libeal logs under one of these. */
enum eal_log_component {
	EAL_LOGC_EAL,      /**< "eal": init, options, cleanup */
	EAL_LOGC_OS,       /**< "os": system calls (DEBUG only) */
	EAL_LOGC_MCFG,     /**< "mcfg": runtime dir, shared config, locks */
	EAL_LOGC_FBARRAY,  /**< "fbarray": file-backed arrays */
	EAL_LOGC_HUGEINFO, /**< "hugeinfo": hugepage discovery */
	EAL_LOGC_MEMSEG,   /**< "memseg": memseg lists */
	EAL_LOGC_MEMZONE,  /**< "memzone": memzones */
	EAL_LOGC_MEMORY,   /**< "memory": memory init, legacy/dynamic, IOVA */
	EAL_LOGC_HEAP,     /**< "heap": malloc heaps */
	EAL_LOGC_COUNT     /**< number of components (not a component) */
};

/**
 * A log sink.
 *
 * @param arg
 *   The pointer given to eal_log_set_handler().
 * @param level
 *   Severity of the line.
 * @param component
 *   Name of the component ("eal", "mcfg", "fbarray", ...).
 * @param line
 *   The formatted text, without a trailing newline.
 */
typedef void (*eal_log_handler_t)(void *arg, enum eal_log_level level,
				  const char *component, const char *line);

/**
 * Route every log line to @p fn. Lines logged before the first handler was
 * set (up to 16 KiB) are replayed to it, filtered by the current levels.
 *
 * @param fn
 *   The sink, or NULL to restore the default (stderr).
 * @param arg
 *   Passed to @p fn unchanged.
 */
EAL_API void eal_log_set_handler(eal_log_handler_t fn, void *arg);

/**
 * Set the most verbose level that is emitted.
 *
 * @param component
 *   A component name ("fbarray"), or NULL or "*" for all components.
 * @param level
 *   EAL_LOG_EMERG .. EAL_LOG_DEBUG.
 * @return
 *   0 on success, -1 with @ref eal_errno EINVAL for an unknown component or
 *   a level out of range.
 */
EAL_API int eal_log_set_level(const char *component, int level);

/**
 * Current level of a component.
 *
 * @param component
 *   A component name.
 * @return
 *   The level, or -1 with @ref eal_errno EINVAL for an unknown component.
 */
EAL_API int eal_log_get_level(const char *component);

#ifdef __cplusplus
}
#endif

#endif /* EAL_LOG_H */
