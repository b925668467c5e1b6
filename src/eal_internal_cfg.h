/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct eal_internal_config: this process's settings (STYLE R9).
 *
 * Filled by eal_options.c from argv or from a struct eal_params, checked
 * once by eal__options_check(), then read by every stage of eal_init().
 * It is never shared: what primary and secondaries must agree on is copied
 * into struct eal_mem_config by eal_mcfg.c, by name.
 */
#ifndef EAL_INTERNAL_CFG_H
#define EAL_INTERNAL_CFG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "eal.h"
#include "eal_hugepage_info.h"

#define EAL_DEFAULT_PREFIX "eal"
#define EAL_PREFIX_MAX 64
#define EAL_NO_HUGE_DEFAULT_MEMORY (64ull << 20)
#define EAL_DEFAULT_ATTACH_TIMEOUT_MS 10000u
/* Where the address region (src/eal_region.c) starts unless
 * --base-virtaddr says otherwise: 82 TiB, the same in every build, so that
 * a primary and a secondary built differently (one with AddressSanitizer,
 * one under valgrind) agree. Measured free for 600 GiB in every run of
 * plain, non-PIE, ASan, MSan, DFSan, LSan, UBSan and valgrind processes
 * (tools/va-survey.sh; docs/multi-process.md): above ASan's shadow, below
 * its allocator and below the lowest PIE binary, far from the kernel's
 * mmap area. DPDK's 4 GiB is in ASan's shadow gap and refused by
 * valgrind; SPDK's 32 TiB is MSan's shadow. No base suits TSan. */
#define EAL_DEFAULT_BASE_VIRTADDR 0x520000000000ull
#define EAL_BASE_VIRTADDR_ALIGN (16ull << 20)
#define EAL_MAX_LOG_LEVEL_ARGS 16

struct eal_log_level_arg {
	int component; /* -1: all */
	int level;
};

struct eal_internal_config {
	/* settings, as the user gave them (eal_options.c) */
	struct eal_params p;
	char file_prefix[EAL_PREFIX_MAX];     /* p.file_prefix points here */
	char runtime_base[PATH_MAX];          /* p.runtime_dir points here when set */
	char huge_dir[PATH_MAX];              /* p.huge_dir points here when set */
	bool proc_type_explicit;              /* --proc-type given */
	bool memory_set;                      /* -m given */
	bool base_virtaddr_set;               /* --base-virtaddr given */
	bool help, version;                   /* --help / --version */
	unsigned int n_log_levels;
	struct eal_log_level_arg log_levels[EAL_MAX_LOG_LEVEL_ARGS];
	/* Options given on the command line, for messages and for the
	 * secondary check: a mask of EAL_OPTF_* (eal_options.c). */
	uint64_t given;

	/* derived while initialising */
	enum eal_proc_type process_type;      /* resolved role (eal_mcfg.c) */
	bool no_shared_files;                 /* no_shconf || in_memory */
	char runtime_dir[PATH_MAX];           /* "<base>/<prefix>" (eal_runtime_dir.c) */
	bool runtime_dir_created;             /* we created the prefix dir */
	bool runtime_base_created;            /* we created the base dir */

	/* hugepages (eal_hugepage_info.c): discovered by the primary, read
	 * from the runtime file by a secondary */
	struct eal_hugepage_info hugepage_info;
	bool hugepage_fallback;               /* no usable hugepages: 4 KiB pages instead */

	/* memory (eal_memory.c): fd of the no-huge backing, or -1 */
	int mem_fd;

	/* shared config (eal_mcfg.c) */
	int mcfg_fd;
	void *mcfg_addr;
	size_t mcfg_len;
};

#endif /* EAL_INTERNAL_CFG_H */
