/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libeal: DPDK's EAL memory initialisation, and nothing else.
 *
 * Basic workflow:
 * 1. eal_init(argc, argv) with DPDK's options (or eal_init_params() with a
 *    struct filled by eal_params_init()). The first process of an
 *    application becomes the primary: it creates the runtime directory
 *    and the shared config. Later processes with the same --file-prefix
 *    become secondaries and map the same config at the same address.
 * 2. Use the shared memory (fbarrays, memzones, heap).
 * 3. eal_cleanup() releases everything this process created; eal_init()
 *    may then be called again.
 *
 * Init is all or nothing: when it fails, nothing is left behind (no file,
 * mapping, fd or lock) and @ref eal_errno holds the real cause.
 */
#ifndef EAL_H
#define EAL_H

#include <stdbool.h>

#include "eal_build_config.h"
#include "eal_common.h"
#include "eal_errno.h"
#include "eal_fbarray.h"
#include "eal_hugepage.h"
#include "eal_lock.h"
#include "eal_log.h"
#include "eal_memconfig.h"
#include "eal_malloc.h"
#include "eal_memory.h"
#include "eal_memzone.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Process role, numbered as DPDK's enum rte_proc_type_t. */
enum eal_proc_type {
	EAL_PROC_AUTO = -1,     /**< primary if no primary runs, else secondary */
	EAL_PROC_PRIMARY = 0,   /**< creates the shared config */
	EAL_PROC_SECONDARY = 1, /**< attaches to a running primary */
	EAL_PROC_INVALID = 2,   /**< before eal_init() / after eal_cleanup() */
};

/** How hugepage backing files are unlinked (--huge-unlink). */
enum eal_huge_unlink {
	EAL_HUGE_UNLINK_EXISTING = 0, /**< remove stale files at start (default) */
	EAL_HUGE_UNLINK_ALWAYS = 1,   /**< also unlink each file once mapped */
	EAL_HUGE_UNLINK_NEVER = 2,    /**< keep and reuse files */
};

/** IOVA mode request (--iova-mode). */
enum eal_iova_mode {
	EAL_IOVA_DC = 0, /**< let libeal decide (DPDK RTE_IOVA_DC) */
	EAL_IOVA_PA = 1, /**< physical addresses */
	EAL_IOVA_VA = 2, /**< virtual addresses */
};

/**
 * Every setting of eal_init(), as a struct, for programs that have no argv
 * to give. Start from eal_params_init(); sizes are in bytes.
 */
struct eal_params {
	uint32_t size;                  /**< sizeof(struct eal_params); set by eal_params_init() */
	enum eal_proc_type proc_type;   /**< --proc-type; default EAL_PROC_AUTO */
	const char *file_prefix;        /**< --file-prefix; NULL means "eal" */
	const char *runtime_dir;        /**< --runtime-dir base; NULL: $RUNTIME_DIRECTORY/eal, /var/run/eal, $XDG_RUNTIME_DIR/eal or /tmp/eal-\<uid\> */
	const char *huge_dir;           /**< --huge-dir; NULL: auto-detect */
	uint64_t memory;                /**< -m; 0: nothing preallocated (64 MiB with no_huge) */
	unsigned int n_socket_mem;      /**< number of valid socket_mem entries (0: --socket-mem not given) */
	uint64_t socket_mem[EAL_MAX_NUMA_NODES];   /**< --socket-mem, per node */
	unsigned int n_socket_limit;    /**< number of valid socket_limit entries */
	uint64_t socket_limit[EAL_MAX_NUMA_NODES]; /**< --socket-limit, per node, 0 = no limit */
	bool legacy_mem;                /**< --legacy-mem */
	bool no_huge;                   /**< --no-huge */
	bool huge_required;             /**< --huge-required: no fallback to 4 KiB pages */
	bool in_memory;                 /**< --in-memory (implies no_shconf) */
	bool no_shconf;                 /**< --no-shconf */
	bool single_file_segments;      /**< --single-file-segments */
	bool match_allocations;         /**< --match-allocations */
	bool huge_unlink_set;           /**< --huge-unlink given (conflict checks) */
	enum eal_huge_unlink huge_unlink; /**< --huge-unlink policy */
	uint64_t base_virtaddr;         /**< --base-virtaddr; 0 = default hint */
	enum eal_iova_mode iova_mode;   /**< --iova-mode */
	int log_level;                  /**< --log-level for all components; 0 = leave as is */
	unsigned int attach_timeout_ms; /**< --attach-timeout: how long a secondary waits for the primary to finish init (default 10000) */
};

/**
 * Fill @p p with the defaults (those of eal_init() with no options).
 *
 * @param p
 *   The struct to fill.
 */
EAL_API void eal_params_init(struct eal_params *p);

/**
 * Initialise libeal from command-line arguments (rte_eal_init).
 *
 * Options use DPDK's spelling: --proc-type, --file-prefix, --huge-dir, -m,
 * --socket-mem, --socket-limit, --legacy-mem, --no-huge, --in-memory,
 * --no-shconf, --single-file-segments, --huge-unlink, --base-virtaddr,
 * --iova-mode, --match-allocations, --log-level, --help, --version, plus
 * libeal's --runtime-dir and --attach-timeout. argv[0] is the program name.
 * Parsing stops at "--" (which is consumed) or at the first argument that
 * is not an option.
 *
 * @param argc
 *   Number of arguments.
 * @param argv
 *   Arguments. As DPDK does, argv[ret] is overwritten with argv[0] on
 *   success; nothing else is modified.
 * @return
 *   The number of EAL arguments consumed, not counting argv[0] (as
 *   rte_eal_init): after `argc -= ret; argv += ret;` argv[0] is the program
 *   name and argv[1] the first application argument; or -1 with
 *   @ref eal_errno set to:
 *   - EINVAL: a bad or conflicting option (one ERR line names it);
 *   - EALREADY: already initialised;
 *   - ECANCELED: --help or --version was given (text printed to stdout,
 *     nothing initialised; DPDK exits the process instead);
 *   - EBUSY: a primary with this prefix already runs (--proc-type=primary);
 *   - ENOENT / ESRCH / ETIMEDOUT: a secondary found no primary, a dead one,
 *     or one that did not finish init in time;
 *   - EPROTO: the shared config has another layout version or bad magic;
 *   - EADDRINUSE: a secondary could not map the config at the primary's
 *     address (use --base-virtaddr in the primary);
 *   - other errno values from the system call that failed.
 */
EAL_API EAL_NODISCARD int eal_init(int argc, char **argv);

/**
 * Initialise libeal from a struct; the same as eal_init() with the
 * equivalent options.
 *
 * @param p
 *   Settings, from eal_params_init() then modified; NULL means defaults.
 * @return
 *   0, or -1 with @ref eal_errno as eal_init() (EINVAL also when
 *   p->size is not sizeof(struct eal_params)).
 */
EAL_API EAL_NODISCARD int eal_init_params(const struct eal_params *p);

/**
 * Release everything eal_init() set up in this process: mappings, fds,
 * locks; a primary also removes the runtime files it created. Safe to call
 * any number of times.
 *
 * @return
 *   0, or -1 with @ref eal_errno EALREADY when libeal is not initialised.
 */
EAL_API int eal_cleanup(void);

/**
 * This process's role.
 *
 * @return
 *   EAL_PROC_PRIMARY or EAL_PROC_SECONDARY, or EAL_PROC_INVALID when not
 *   initialised.
 */
EAL_API enum eal_proc_type eal_process_type(void);

/**
 * Whether a primary process holds a config file (rte_eal_primary_proc_alive).
 *
 * @param config_file_path
 *   Path of a "config" file, or NULL for this process's own prefix.
 * @return
 *   1 if a live primary holds it, 0 otherwise (no file, no lock, or NULL
 *   before eal_init()).
 */
EAL_API int eal_primary_proc_alive(const char *config_file_path);

/**
 * Runtime directory of this process's prefix (rte_eal_get_runtime_dir).
 *
 * @return
 *   The path, or NULL with @ref eal_errno ENOENT before eal_init() and
 *   under --no-shconf / --in-memory, where no directory is used.
 */
EAL_API const char *eal_runtime_dir(void);

/**
 * The IOVA mode in effect (rte_eal_iova_mode).
 *
 * @return
 *   EAL_IOVA_PA or EAL_IOVA_VA once memory is set up; EAL_IOVA_DC before
 *   eal_init().
 */
EAL_API enum eal_iova_mode eal_iova_mode(void);

/**
 * The libeal version string, e.g. "0.1.0".
 *
 * @return
 *   A constant string.
 */
EAL_API const char *eal_version(void);

#ifdef __cplusplus
}
#endif

#endif /* EAL_H */
