/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The options of eal_init(), one line each (STYLE R23).
 *
 * This file is an X-macro list and has no include guard: it is designed
 * to be included several times, each time with EAL_OPTION() defined to
 * generate something else (the EAL_OPT_* ids and EAL_OPTF_* bits, the
 * parser table and the usage text in eal_options.c; the tests use it to
 * check that every option is covered). It is private to libeal.
 *
 * EAL_OPTION(id, name, short_name, arg, scope, metavar, help)
 *   id          EAL_OPT_<id> and EAL_OPTF_<id>
 *   name        long name without "--", or NULL when there is only a short one
 *   short_name  the letter of "-x", or 0
 *   arg         NONE; REQUIRED ("--opt=v", "--opt v", "-xv", "-x v");
 *               OPTIONAL (only "--opt=v": "--opt v" leaves v alone)
 *   scope       ANY; PRIMARY: refused with an explicit
 *               --proc-type=secondary, which takes it from the primary
 *   metavar     what the value looks like, for the usage text and the
 *               messages; for keyword values, the keywords joined with '|'
 *   help        one line for the usage text
 *
 * The order of the lines is the order of the usage text. Adding an option
 * means a line here and a case in opt_apply() (the compiler points at the
 * missing case), then docs/options.md.
 */

EAL_OPTION(PROC_TYPE, "proc-type", 0, REQUIRED, ANY, "primary|secondary|auto",
	"process role; auto: primary unless a primary already runs (default auto)")
EAL_OPTION(FILE_PREFIX, "file-prefix", 0, REQUIRED, ANY, "PREFIX",
	"names the runtime directory and the hugepage files (default eal)")
EAL_OPTION(RUNTIME_DIR, "runtime-dir", 0, REQUIRED, ANY, "DIR",
	"absolute base directory of the runtime files (default /var/run/eal, $XDG_RUNTIME_DIR/eal or /tmp/eal-<uid>)")
EAL_OPTION(ATTACH_TIMEOUT, "attach-timeout", 0, REQUIRED, ANY, "MS",
	"how long a secondary waits for the primary to finish its init, 1-3600000 ms (default 10000)")
EAL_OPTION(HUGE_DIR, "huge-dir", 0, REQUIRED, PRIMARY, "DIR",
	"hugetlbfs directory to use instead of the detected mount point")
EAL_OPTION(MEMORY, NULL, 'm', REQUIRED, PRIMARY, "SIZE",
	"memory to reserve at init, in MiB or with a K, M or G suffix")
EAL_OPTION(SOCKET_MEM, "socket-mem", 0, REQUIRED, PRIMARY, "SIZE,SIZE,...",
	"memory to reserve at init on each NUMA node, in MiB or with a suffix")
EAL_OPTION(SOCKET_LIMIT, "socket-limit", 0, REQUIRED, PRIMARY, "SIZE,SIZE,...",
	"most memory to use on each NUMA node, 0 for no limit (not with --legacy-mem)")
EAL_OPTION(LEGACY_MEM, "legacy-mem", 0, NONE, PRIMARY, NULL,
	"map all memory at init, sorted by physical address; never grow or shrink")
EAL_OPTION(NO_HUGE, "no-huge", 0, NONE, PRIMARY, NULL,
	"use 4 KiB pages instead of hugepages (64 MiB unless -m is given)")
EAL_OPTION(HUGE_REQUIRED, "huge-required", 0, NONE, PRIMARY, NULL,
	"fail when no hugepages are usable instead of falling back to 4 KiB pages")
EAL_OPTION(IN_MEMORY, "in-memory", 0, NONE, ANY, NULL,
	"use no file at all: implies --no-shconf; no secondary can attach")
EAL_OPTION(NO_SHCONF, "no-shconf", 0, NONE, ANY, NULL,
	"no shared config files; no secondary can attach")
EAL_OPTION(SINGLE_FILE_SEGMENTS, "single-file-segments", 0, NONE, PRIMARY, NULL,
	"one hugepage file per memseg list instead of one per page")
EAL_OPTION(HUGE_UNLINK, "huge-unlink", 0, OPTIONAL, PRIMARY, "existing|always|never",
	"when to remove hugepage files; no value means always (default existing)")
EAL_OPTION(BASE_VIRTADDR, "base-virtaddr", 0, REQUIRED, PRIMARY, "HEX",
	"where to place the shared memory, rounded up to 16 MiB (default 0x520000000000)")
EAL_OPTION(IOVA_MODE, "iova-mode", 0, REQUIRED, PRIMARY, "pa|va",
	"addresses given to devices: physical or virtual (default: decided at init)")
EAL_OPTION(MATCH_ALLOCATIONS, "match-allocations", 0, NONE, PRIMARY, NULL,
	"give memory back to the system exactly as it was allocated")
EAL_OPTION(LOG_LEVEL, "log-level", 0, REQUIRED, ANY, "[COMPONENT:]LEVEL",
	"log level (emerg..debug or 1-8), for all components or one; repeatable")
EAL_OPTION(HELP, "help", 'h', NONE, ANY, NULL,
	"print this text and initialise nothing")
EAL_OPTION(VERSION, "version", 'v', NONE, ANY, NULL,
	"print the libeal version and initialise nothing")
