/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option parser (src/eal_options.c): a table of argument vectors, good
 * and bad, driven through eal__options_parse() + eal__options_check() as
 * eal_init() does; then eal__parse_size(), eal__options_from_params(),
 * eal_params_init() and the usage text.
 *
 * Every failure must produce exactly one ERR line naming the option and its
 * value (both options for a conflict), and every success none: a log
 * handler counts them. The cases follow DPDK's eal_flags tests where they
 * apply (socket-mem lists, -m with --socket-mem, --no-huge conflicts,
 * base-virtaddr), with libeal's stricter rules where it refuses what DPDK
 * ignores.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_test.h"
#include "eal_internal_cfg.h"
#include "eal_private.h"

/* The option bits, generated from the list as eal_options.c does. */
enum {
#define EAL_OPTION(id, ...) T_OPT_##id,
#include "eal_option_list.h"
#undef EAL_OPTION
	T_OPT_COUNT
};

enum {
#define EAL_OPTION(id, ...) EAL_OPTF_##id = 1 << T_OPT_##id,
#include "eal_option_list.h"
#undef EAL_OPTION
};

#define ALL_OPTIONS ((UINT64_C(1) << T_OPT_COUNT) - 1)
#define MB(x) ((uint64_t)(x) << 20)
#define KB(x) ((uint64_t)(x) << 10)
#define GB(x) ((uint64_t)(x) << 30)
/* The longest file prefix (EAL_PREFIX_MAX - 1 characters), and one more. */
#define PREFIX_63 "012345678901234567890123456789012345678901234567890123456789012"
#define PREFIX_64 PREFIX_63 "3"

/* ---- log capture ----------------------------------------------------- */

static struct {
	unsigned int n_err;  /* lines at ERR or worse */
	char err[512];       /* the last of them */
} cap;

static void
capture(void *arg, enum eal_log_level level, const char *component, const char *line)
{
	(void)arg;
	(void)component;
	if (level <= EAL_LOG_ERR) {
		cap.n_err++;
		snprintf(cap.err, sizeof(cap.err), "%s", line);
	}
}

static void
cap_reset(void)
{
	memset(&cap, 0, sizeof(cap));
}

/* Exactly one ERR line since cap_reset(), containing @a and @b (if set). */
static void
assert_one_err(const char *a, const char *b)
{
	if (cap.n_err != 1)
		fail_msg("expected 1 ERR line, got %u (last: \"%s\")", cap.n_err, cap.err);
	if (a != NULL && strstr(cap.err, a) == NULL)
		fail_msg("ERR line \"%s\" does not contain \"%s\"", cap.err, a);
	if (b != NULL && strstr(cap.err, b) == NULL)
		fail_msg("ERR line \"%s\" does not contain \"%s\"", cap.err, b);
}

/* ---- the table ------------------------------------------------------- */

enum field {
	F_NONE,
	F_GIVEN,
	F_PROC_TYPE,
	F_PROC_EXPLICIT,
	F_PREFIX,       /* string */
	F_RUNTIME_DIR,  /* string */
	F_HUGE_DIR,     /* string */
	F_MEMORY,
	F_MEMORY_SET,
	F_N_SOCKET_MEM,
	F_SOCKET_MEM0,
	F_SOCKET_MEM1,
	F_N_SOCKET_LIMIT,
	F_SOCKET_LIMIT0,
	F_SOCKET_LIMIT1,
	F_LEGACY_MEM,
	F_NO_HUGE,
	F_HUGE_REQUIRED,
	F_IN_MEMORY,
	F_NO_SHCONF,
	F_SINGLE_FILE,
	F_MATCH_ALLOC,
	F_UNLINK,
	F_UNLINK_SET,
	F_BASE,
	F_BASE_SET,
	F_IOVA,
	F_TIMEOUT,
	F_LOG_LEVEL,
	F_N_LOG,
	F_LOG0_COMP,
	F_LOG0_LEVEL,
	F_LOG1_COMP,
	F_LOG1_LEVEL,
	F_HELP,
	F_VERSION,
};

struct check {
	enum field field;
	long long v;
	const char *s;
};

struct vec {
	int line;
	const char *args[10]; /* after argv[0], NULL-terminated */
	int ret;              /* arguments consumed (argv[0] counted), or -EINVAL */
	const char *err[2];   /* a failure's ERR line contains both */
	struct check c[7];    /* fields checked after a success */
};

#define T(...) { .line = __LINE__, __VA_ARGS__ }
#define ARGS(...) .args = { __VA_ARGS__ }
#define OK(n, ...) .ret = (n), .c = { __VA_ARGS__ }
#define FAIL(a, b) .ret = -EINVAL, .err = { a, b }
#define IS(f, val) { .field = (f), .v = (long long)(val) }
#define STR(f, str) { .field = (f), .s = (str) }
#define GIVEN(mask) IS(F_GIVEN, mask)

static const struct vec vectors[] = {
	/* defaults and the end of the options */
	T(ARGS(NULL), OK(1, GIVEN(0), IS(F_PROC_TYPE, EAL_PROC_AUTO), STR(F_PREFIX, "eal"),
			  IS(F_TIMEOUT, EAL_DEFAULT_ATTACH_TIMEOUT_MS), STR(F_RUNTIME_DIR, NULL),
			  STR(F_HUGE_DIR, NULL))),
	T(ARGS("--", "-m", "64"), OK(2, GIVEN(0), IS(F_MEMORY, 0))),
	T(ARGS("-m", "64", "--", "--bogus", "app"), OK(4, IS(F_MEMORY, MB(64)))),
	T(ARGS("--no-huge", "app", "--legacy-mem"), OK(2, IS(F_NO_HUGE, 1), IS(F_LEGACY_MEM, 0))),
	T(ARGS("-", "-m", "64"), OK(1, IS(F_MEMORY, 0))),
	T(ARGS("--no-shconf", "--", "--"), OK(3, IS(F_NO_SHCONF, 1))),

	/* --proc-type */
	T(ARGS("--proc-type=primary"), OK(2, IS(F_PROC_TYPE, EAL_PROC_PRIMARY), IS(F_PROC_EXPLICIT, 1),
					 GIVEN(EAL_OPTF_PROC_TYPE))),
	T(ARGS("--proc-type", "secondary"), OK(3, IS(F_PROC_TYPE, EAL_PROC_SECONDARY))),
	T(ARGS("--proc-type=AUTO"), OK(2, IS(F_PROC_TYPE, EAL_PROC_AUTO), IS(F_PROC_EXPLICIT, 1))),
	T(ARGS("--proc-type=Secondary"), OK(2, IS(F_PROC_TYPE, EAL_PROC_SECONDARY))),
	T(ARGS("--proc-type=bogus"), FAIL("--proc-type=bogus", "primary|secondary|auto")),
	T(ARGS("--proc-type="), FAIL("--proc-type=:", "expected")),
	T(ARGS("--proc-type"), FAIL("--proc-type", "missing value")),

	/* --file-prefix */
	T(ARGS("--file-prefix=abc"), OK(2, STR(F_PREFIX, "abc"), GIVEN(EAL_OPTF_FILE_PREFIX))),
	T(ARGS("--file-prefix", "x-1_2.y"), OK(3, STR(F_PREFIX, "x-1_2.y"))),
	T(ARGS("--file-prefix=" PREFIX_63), OK(2, STR(F_PREFIX, PREFIX_63))),
	T(ARGS("--file-prefix=" PREFIX_64), FAIL("--file-prefix=" PREFIX_64, "longer than 63")),
	T(ARGS("--file-prefix="), FAIL("--file-prefix=:", "empty")),
	T(ARGS("--file-prefix=a/b"), FAIL("--file-prefix=a/b", "'/'")),
	T(ARGS("--file-prefix=.."), FAIL("--file-prefix=..:", "\"..\"")),
	T(ARGS("--file-prefix=a..b"), FAIL("--file-prefix=a..b", "\"..\"")),
	T(ARGS("--file-prefix=."), FAIL("--file-prefix=.:", "itself")),
	T(ARGS("--file-prefix=x%y"), FAIL("--file-prefix=x%y", "'%'")),
	T(ARGS("--file-prefix=a\tb"), FAIL("--file-prefix=a?b", "printable")),
	T(ARGS("--file-prefix", "--no-huge"), FAIL("--file-prefix: missing value", "\"--no-huge\"")),

	/* --runtime-dir, --huge-dir, --attach-timeout */
	T(ARGS("--runtime-dir=/tmp/x..y/z"), OK(2, STR(F_RUNTIME_DIR, "/tmp/x..y/z"),
					       GIVEN(EAL_OPTF_RUNTIME_DIR))),
	T(ARGS("--runtime-dir", "rel/dir"), FAIL("--runtime-dir=rel/dir", "absolute")),
	T(ARGS("--runtime-dir=/a/../b"), FAIL("--runtime-dir=/a/../b", "\"..\"")),
	T(ARGS("--runtime-dir=/a/.."), FAIL("--runtime-dir=/a/..:", "\"..\"")),
	T(ARGS("--runtime-dir="), FAIL("--runtime-dir=:", "absolute")),
	T(ARGS("--huge-dir", "/mnt/huge"), OK(3, STR(F_HUGE_DIR, "/mnt/huge"), GIVEN(EAL_OPTF_HUGE_DIR))),
	T(ARGS("--huge-dir=relative/ok"), OK(2, STR(F_HUGE_DIR, "relative/ok"))),
	T(ARGS("--huge-dir="), FAIL("--huge-dir=:", "empty")),
	T(ARGS("--no-huge", "--huge-dir"), FAIL("--huge-dir: missing value", NULL)),
	T(ARGS("--attach-timeout=1"), OK(2, IS(F_TIMEOUT, 1), GIVEN(EAL_OPTF_ATTACH_TIMEOUT))),
	T(ARGS("--attach-timeout", "3600000"), OK(3, IS(F_TIMEOUT, 3600000))),
	T(ARGS("--attach-timeout=0"), FAIL("--attach-timeout=0:", "1 to 3600000")),
	T(ARGS("--attach-timeout=3600001"), FAIL("--attach-timeout=3600001", "1 to 3600000")),
	T(ARGS("--attach-timeout=99999999999999999999999"), FAIL("--attach-timeout=9999", "out of range")),
	T(ARGS("--attach-timeout=10s"), FAIL("--attach-timeout=10s", "milliseconds")),
	T(ARGS("--attach-timeout=-5"), FAIL("--attach-timeout=-5", "milliseconds")),

	/* -m */
	T(ARGS("-m", "64"), OK(3, IS(F_MEMORY, MB(64)), IS(F_MEMORY_SET, 1), GIVEN(EAL_OPTF_MEMORY))),
	T(ARGS("-m64"), OK(2, IS(F_MEMORY, MB(64)))),
	T(ARGS("-m", "512K"), OK(3, IS(F_MEMORY, KB(512)))),
	T(ARGS("-m", "2g"), OK(3, IS(F_MEMORY, GB(2)))),
	T(ARGS("-m", "3M"), OK(3, IS(F_MEMORY, MB(3)))),
	T(ARGS("-m", "0"), OK(3, IS(F_MEMORY, 0), IS(F_MEMORY_SET, 1))),
	T(ARGS("-m", "1", "-m", "2"), OK(5, IS(F_MEMORY, MB(2)))),
	T(ARGS("-m", "abc"), FAIL("-m abc:", "not a size")),
	T(ARGS("-m", "-5"), FAIL("-m -5:", "not a size")),
	T(ARGS("-m", "1T"), FAIL("-m 1T:", "not a size")),
	T(ARGS("-m", "64MB"), FAIL("-m 64MB:", "not a size")),
	T(ARGS("-m", "+64"), FAIL("-m +64:", "not a size")),
	T(ARGS("-m", " 64"), FAIL("-m  64:", "not a size")),
	T(ARGS("-m", ""), FAIL("-m :", "not a size")),
	T(ARGS("-m=64"), FAIL("-m =64:", "not a size")),
	T(ARGS("-m", "17592186044416"), FAIL("-m 17592186044416:", "too large")),
	T(ARGS("-m", "99999999999999999999999"), FAIL("-m 99999999999999999999999:", "too large")),
	T(ARGS("-m"), FAIL("-m: missing value", NULL)),

	/* --socket-mem, --socket-limit */
	T(ARGS("--socket-mem=0,0"), OK(2, IS(F_N_SOCKET_MEM, 2), IS(F_SOCKET_MEM0, 0), IS(F_SOCKET_MEM1, 0),
				      GIVEN(EAL_OPTF_SOCKET_MEM))),
	T(ARGS("--socket-mem", "1024,2G"), OK(3, IS(F_N_SOCKET_MEM, 2), IS(F_SOCKET_MEM0, MB(1024)),
					     IS(F_SOCKET_MEM1, GB(2)))),
	T(ARGS("--socket-mem=1,2", "--socket-mem=3"), OK(3, IS(F_N_SOCKET_MEM, 1), IS(F_SOCKET_MEM0, MB(3)),
							 IS(F_SOCKET_MEM1, 0))),
	T(ARGS("--socket-mem=2,,"), FAIL("--socket-mem=2,,:", "empty value")),
	T(ARGS("--socket-mem=2,,2"), FAIL("--socket-mem=2,,2:", "empty value")),
	T(ARGS("--socket-mem=,2"), FAIL("--socket-mem=,2:", "empty value")),
	T(ARGS("--socket-mem=2,2,"), FAIL("--socket-mem=2,2,:", "trailing comma")),
	T(ARGS("--socket-mem=2,Fred"), FAIL("--socket-mem=2,Fred:", "\"Fred\"")),
	T(ARGS("--socket-mem=Fred0"), FAIL("--socket-mem=Fred0:", "\"Fred0\"")),
	T(ARGS("--socket-mem=2 ,2"), FAIL("--socket-mem=2 ,2:", "\"2 \"")),
	T(ARGS("--socket-mem=-1"), FAIL("--socket-mem=-1:", "not a size")),
	T(ARGS("--socket-mem=1,17592186044416"), FAIL("--socket-mem=1,17592186044416:", "too large")),
	T(ARGS("--socket-mem="), FAIL("--socket-mem=:", "empty list")),
#if EAL_MAX_NUMA_NODES == 8
	T(ARGS("--socket-mem=1,2,3,4,5,6,7,8,9"), FAIL("--socket-mem=1,2,3,4,5,6,7,8,9:", "more than 8")),
	T(ARGS("--socket-mem=1,2,3,4,5,6,7,8"), OK(2, IS(F_N_SOCKET_MEM, 8))),
#endif
	T(ARGS("--socket-limit=0,512"),
	  OK(2, IS(F_N_SOCKET_LIMIT, 2), IS(F_SOCKET_LIMIT0, 0), IS(F_SOCKET_LIMIT1, MB(512)),
	     GIVEN(EAL_OPTF_SOCKET_LIMIT))),
	T(ARGS("--socket-limit", "1G"), OK(3, IS(F_N_SOCKET_LIMIT, 1), IS(F_SOCKET_LIMIT0, GB(1)))),
	T(ARGS("--socket-limit=1,,2"), FAIL("--socket-limit=1,,2:", "empty value")),
	T(ARGS("--socket-limit=x"), FAIL("--socket-limit=x:", "\"x\"")),

	/* flags */
	T(ARGS("--legacy-mem"), OK(2, IS(F_LEGACY_MEM, 1), GIVEN(EAL_OPTF_LEGACY_MEM))),
	T(ARGS("--no-huge", "-m", "18"), OK(4, IS(F_NO_HUGE, 1), IS(F_MEMORY, MB(18)),
					    GIVEN(EAL_OPTF_NO_HUGE | EAL_OPTF_MEMORY))),
	T(ARGS("--in-memory"), OK(2, IS(F_IN_MEMORY, 1), IS(F_NO_SHCONF, 1), GIVEN(EAL_OPTF_IN_MEMORY))),
	T(ARGS("--no-shconf"), OK(2, IS(F_NO_SHCONF, 1), IS(F_IN_MEMORY, 0), GIVEN(EAL_OPTF_NO_SHCONF))),
	T(ARGS("--single-file-segments"), OK(2, IS(F_SINGLE_FILE, 1), GIVEN(EAL_OPTF_SINGLE_FILE_SEGMENTS))),
	T(ARGS("--match-allocations"), OK(2, IS(F_MATCH_ALLOC, 1), GIVEN(EAL_OPTF_MATCH_ALLOCATIONS))),
	T(ARGS("--no-huge=1"), FAIL("--no-huge=1:", "takes no value")),
	T(ARGS("--legacy-mem="), FAIL("--legacy-mem=:", "takes no value")),

	/* --huge-unlink: a value only after '=' */
	T(ARGS("--huge-unlink"), OK(2, IS(F_UNLINK, EAL_HUGE_UNLINK_ALWAYS), IS(F_UNLINK_SET, 1),
				    GIVEN(EAL_OPTF_HUGE_UNLINK))),
	T(ARGS("--huge-unlink=never"), OK(2, IS(F_UNLINK, EAL_HUGE_UNLINK_NEVER))),
	T(ARGS("--huge-unlink=existing"), OK(2, IS(F_UNLINK, EAL_HUGE_UNLINK_EXISTING), IS(F_UNLINK_SET, 1))),
	T(ARGS("--huge-unlink=Always"), OK(2, IS(F_UNLINK, EAL_HUGE_UNLINK_ALWAYS))),
	T(ARGS("--huge-unlink", "never"), OK(2, IS(F_UNLINK, EAL_HUGE_UNLINK_ALWAYS))),
	T(ARGS("--huge-unlink=sometimes"), FAIL("--huge-unlink=sometimes:", "existing|always|never")),
	T(ARGS("--huge-unlink="), FAIL("--huge-unlink=:", "existing|always|never")),

	/* --base-virtaddr: hexadecimal, rounded up to 16 MiB */
	T(ARGS("--base-virtaddr=0x12345678"), OK(2, IS(F_BASE, 0x13000000), IS(F_BASE_SET, 1),
						GIVEN(EAL_OPTF_BASE_VIRTADDR))),
	T(ARGS("--base-virtaddr", "200000000"), OK(3, IS(F_BASE, 0x200000000))),
	T(ARGS("--base-virtaddr=0X1000000"), OK(2, IS(F_BASE, 0x1000000))),
	T(ARGS("--base-virtaddr=1"), OK(2, IS(F_BASE, 0x1000000))),
	T(ARGS("--base-virtaddr=7fffffffAbCd"), OK(2, IS(F_BASE, 0x800000000000))),
	T(ARGS("--base-virtaddr=zz"), FAIL("--base-virtaddr=zz:", "hexadecimal")),
	T(ARGS("--base-virtaddr=0x"), FAIL("--base-virtaddr=0x:", "hexadecimal")),
	T(ARGS("--base-virtaddr=0x12345678zz"), FAIL("--base-virtaddr=0x12345678zz:", "hexadecimal")),
	T(ARGS("--base-virtaddr=-0x1000"), FAIL("--base-virtaddr=-0x1000:", "hexadecimal")),
	T(ARGS("--base-virtaddr= 0x1000"), FAIL("--base-virtaddr= 0x1000:", "hexadecimal")),
	T(ARGS("--base-virtaddr=0"), FAIL("--base-virtaddr=0:", "not be 0")),
	T(ARGS("--base-virtaddr=0x0"), FAIL("--base-virtaddr=0x0:", "not be 0")),
	T(ARGS("--base-virtaddr=0x10000000000000000"), FAIL("--base-virtaddr=0x10000000000000000:", "too large")),
	T(ARGS("--base-virtaddr=0xffffffffffffffff"), FAIL("--base-virtaddr=0xffffffffffffffff:", "too large")),

	/* --iova-mode */
	T(ARGS("--iova-mode=pa"), OK(2, IS(F_IOVA, EAL_IOVA_PA), GIVEN(EAL_OPTF_IOVA_MODE))),
	T(ARGS("--iova-mode", "va"), OK(3, IS(F_IOVA, EAL_IOVA_VA))),
	T(ARGS("--iova-mode=xx"), FAIL("--iova-mode=xx:", "pa|va")),
	T(ARGS("--iova-mode=dc"), FAIL("--iova-mode=dc:", "pa|va")),

	/* --log-level */
	T(ARGS("--log-level=debug"), OK(2, IS(F_N_LOG, 1), IS(F_LOG0_COMP, -1), IS(F_LOG0_LEVEL, EAL_LOG_DEBUG),
					IS(F_LOG_LEVEL, EAL_LOG_DEBUG), GIVEN(EAL_OPTF_LOG_LEVEL))),
	T(ARGS("--log-level", "fbarray:info", "--log-level=3"),
	  OK(4, IS(F_N_LOG, 2), IS(F_LOG0_COMP, EAL_LOGC_FBARRAY), IS(F_LOG0_LEVEL, EAL_LOG_INFO),
	     IS(F_LOG1_COMP, -1), IS(F_LOG1_LEVEL, EAL_LOG_CRIT), IS(F_LOG_LEVEL, EAL_LOG_CRIT))),
	T(ARGS("--log-level=mcfg:8"), OK(2, IS(F_N_LOG, 1), IS(F_LOG0_COMP, EAL_LOGC_MCFG), IS(F_LOG_LEVEL, 0))),
	T(ARGS("--log-level=loud"), FAIL("--log-level=loud:", "expected a level")),
	T(ARGS("--log-level=bogus:debug"), FAIL("--log-level=bogus:debug:", "expected a level")),
	T(ARGS("--log-level=9"), FAIL("--log-level=9:", "expected a level")),

	/* --help, --version */
	T(ARGS("--help"), OK(2, IS(F_HELP, 1), GIVEN(EAL_OPTF_HELP))),
	T(ARGS("-h"), OK(2, IS(F_HELP, 1))),
	T(ARGS("--version"), OK(2, IS(F_VERSION, 1), GIVEN(EAL_OPTF_VERSION))),
	T(ARGS("-v"), OK(2, IS(F_VERSION, 1), IS(F_HELP, 0))),
	/* Nothing is cross-checked when the caller only prints. */
	T(ARGS("--help", "-m", "1", "--socket-mem=1"), OK(5, IS(F_HELP, 1), IS(F_MEMORY, MB(1)))),
	T(ARGS("--help=yes"), FAIL("--help=yes:", "takes no value")),

	/* unknown options */
	T(ARGS("--bogus"), FAIL("--bogus:", "unknown option")),
	T(ARGS("--bogus=1", "-m", "64"), FAIL("--bogus=1:", "unknown option")),
	T(ARGS("-x"), FAIL("-x:", "unknown option")),
	T(ARGS("-hv"), FAIL("-hv:", "unknown option")),
	T(ARGS("--file-pre=abc"), FAIL("--file-pre=abc:", "unknown option")),
	T(ARGS("---m"), FAIL("---m:", "unknown option")),

	/* conflicts DPDK refuses (and --legacy-mem with --socket-limit, which it only logs) */
	T(ARGS("-m", "64", "--socket-mem=64"), FAIL("-m and --socket-mem cannot", NULL)),
	T(ARGS("--socket-mem=64", "-m", "64"), FAIL("-m and --socket-mem cannot", NULL)),
	T(ARGS("-m", "0", "--socket-mem=0"), FAIL("-m and --socket-mem cannot", NULL)),
	T(ARGS("--no-huge", "--socket-mem=18"), FAIL("--no-huge and --socket-mem cannot", NULL)),
	T(ARGS("--no-huge", "--huge-unlink"), FAIL("--no-huge and --huge-unlink=always cannot", NULL)),
	T(ARGS("--no-huge", "--huge-unlink=never"), FAIL("--no-huge and --huge-unlink=never cannot", NULL)),
	T(ARGS("--no-huge", "--huge-unlink=existing"), OK(3, IS(F_NO_HUGE, 1))),
	T(ARGS("--huge-required"), OK(2, IS(F_HUGE_REQUIRED, 1), GIVEN(EAL_OPTF_HUGE_REQUIRED))),
	T(ARGS("--no-huge", "--huge-required"), FAIL("--no-huge and --huge-required cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--huge-required"),
	  FAIL("--proc-type=secondary and --huge-required cannot", NULL)),
	T(ARGS("--no-huge", "--huge-unlink", "--in-memory"), OK(4, IS(F_IN_MEMORY, 1))),
	T(ARGS("--no-huge", "--match-allocations"), FAIL("--no-huge and --match-allocations cannot", NULL)),
	T(ARGS("--in-memory", "--legacy-mem"), FAIL("--legacy-mem and --in-memory cannot", NULL)),
	T(ARGS("--legacy-mem", "--match-allocations"), FAIL("--legacy-mem and --match-allocations cannot", NULL)),
	T(ARGS("--legacy-mem", "--socket-limit=64"), FAIL("--legacy-mem and --socket-limit cannot", NULL)),
	T(ARGS("--in-memory", "--huge-unlink=never"), FAIL("--in-memory and --huge-unlink=never cannot", NULL)),
	T(ARGS("--in-memory", "--huge-unlink"), OK(3, IS(F_UNLINK, EAL_HUGE_UNLINK_ALWAYS))),
	T(ARGS("--single-file-segments", "--huge-unlink"),
	  FAIL("--single-file-segments and --huge-unlink=always cannot", NULL)),
	T(ARGS("--huge-unlink=always", "--single-file-segments"),
	  FAIL("--single-file-segments and --huge-unlink=always cannot", NULL)),
	T(ARGS("--single-file-segments", "--huge-unlink", "--in-memory"), OK(4, IS(F_SINGLE_FILE, 1))),
	T(ARGS("--single-file-segments", "--huge-unlink=never"), OK(3, IS(F_UNLINK, EAL_HUGE_UNLINK_NEVER))),
	T(ARGS("--in-memory", "--proc-type=secondary"), FAIL("--in-memory and --proc-type=secondary cannot", NULL)),
	T(ARGS("--proc-type", "secondary", "--no-shconf"),
	  FAIL("--no-shconf and --proc-type=secondary cannot", NULL)),
	T(ARGS("--proc-type=auto", "--no-shconf", "--no-huge"), OK(4, IS(F_NO_SHCONF, 1))),
	T(ARGS("--proc-type=primary", "--in-memory", "--legacy-mem"), FAIL("--legacy-mem and --in-memory", NULL)),

	/* an explicit secondary refuses what it takes from the primary */
	T(ARGS("--proc-type=secondary", "-m", "18"), FAIL("--proc-type=secondary and -m cannot", "primary")),
	T(ARGS("--proc-type=secondary", "--socket-mem=1"), FAIL("--proc-type=secondary and --socket-mem cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--socket-limit=1"), FAIL("--proc-type=secondary and --socket-limit cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--legacy-mem"), FAIL("--proc-type=secondary and --legacy-mem cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--no-huge"), FAIL("--proc-type=secondary and --no-huge cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--single-file-segments"),
	  FAIL("--proc-type=secondary and --single-file-segments cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--huge-unlink=existing"),
	  FAIL("--proc-type=secondary and --huge-unlink=existing cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--base-virtaddr=0x200000000"),
	  FAIL("--proc-type=secondary and --base-virtaddr cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--match-allocations"),
	  FAIL("--proc-type=secondary and --match-allocations cannot", NULL)),
	T(ARGS("--huge-dir=/mnt/huge", "--proc-type=secondary"), FAIL("--proc-type=secondary and --huge-dir cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--iova-mode=va"), FAIL("--proc-type=secondary and --iova-mode=va cannot", NULL)),
	T(ARGS("--proc-type=secondary", "--file-prefix=p", "--log-level=info", "--attach-timeout=50",
	       "--runtime-dir=/tmp/r"),
	  OK(6, IS(F_PROC_TYPE, EAL_PROC_SECONDARY), STR(F_PREFIX, "p"), IS(F_TIMEOUT, 50),
	     GIVEN(EAL_OPTF_PROC_TYPE | EAL_OPTF_FILE_PREFIX | EAL_OPTF_LOG_LEVEL |
		   EAL_OPTF_ATTACH_TIMEOUT | EAL_OPTF_RUNTIME_DIR))),
	T(ARGS("--proc-type=auto", "-m", "64", "--huge-dir", "/x"), OK(6, IS(F_MEMORY, MB(64)))),
	T(ARGS("--proc-type=primary", "--legacy-mem", "-m", "64", "--iova-mode=pa"), OK(6, IS(F_LEGACY_MEM, 1))),
};

static long long
field_value(const struct eal_internal_config *cfg, enum field f)
{
	const struct eal_params *p = &cfg->p;

	switch (f) {
	case F_GIVEN: return (long long)cfg->given;
	case F_PROC_TYPE: return p->proc_type;
	case F_PROC_EXPLICIT: return cfg->proc_type_explicit;
	case F_MEMORY: return (long long)p->memory;
	case F_MEMORY_SET: return cfg->memory_set;
	case F_N_SOCKET_MEM: return p->n_socket_mem;
	case F_SOCKET_MEM0: return (long long)p->socket_mem[0];
	case F_SOCKET_MEM1: return (long long)p->socket_mem[1];
	case F_N_SOCKET_LIMIT: return p->n_socket_limit;
	case F_SOCKET_LIMIT0: return (long long)p->socket_limit[0];
	case F_SOCKET_LIMIT1: return (long long)p->socket_limit[1];
	case F_LEGACY_MEM: return p->legacy_mem;
	case F_NO_HUGE: return p->no_huge;
	case F_HUGE_REQUIRED: return p->huge_required;
	case F_IN_MEMORY: return p->in_memory;
	case F_NO_SHCONF: return p->no_shconf;
	case F_SINGLE_FILE: return p->single_file_segments;
	case F_MATCH_ALLOC: return p->match_allocations;
	case F_UNLINK: return p->huge_unlink;
	case F_UNLINK_SET: return p->huge_unlink_set;
	case F_BASE: return (long long)p->base_virtaddr;
	case F_BASE_SET: return cfg->base_virtaddr_set;
	case F_IOVA: return p->iova_mode;
	case F_TIMEOUT: return p->attach_timeout_ms;
	case F_LOG_LEVEL: return p->log_level;
	case F_N_LOG: return cfg->n_log_levels;
	case F_LOG0_COMP: return cfg->log_levels[0].component;
	case F_LOG0_LEVEL: return cfg->log_levels[0].level;
	case F_LOG1_COMP: return cfg->log_levels[1].component;
	case F_LOG1_LEVEL: return cfg->log_levels[1].level;
	case F_HELP: return cfg->help;
	case F_VERSION: return cfg->version;
	case F_NONE:
	case F_PREFIX:
	case F_RUNTIME_DIR:
	case F_HUGE_DIR:
		break;
	}
	return 0;
}

static const char *
field_string(const struct eal_internal_config *cfg, enum field f)
{
	switch (f) {
	case F_PREFIX: return cfg->p.file_prefix;
	case F_RUNTIME_DIR: return cfg->p.runtime_dir;
	case F_HUGE_DIR: return cfg->p.huge_dir;
	default: return NULL;
	}
}

static bool
field_is_string(enum field f)
{
	return f == F_PREFIX || f == F_RUNTIME_DIR || f == F_HUGE_DIR;
}

static void
check_fields(const struct vec *t, const struct eal_internal_config *cfg)
{
	for (size_t i = 0; i < EAL_DIM(t->c) && t->c[i].field != F_NONE; i++) {
		const struct check *c = &t->c[i];

		if (field_is_string(c->field)) {
			const char *got = field_string(cfg, c->field);

			if ((got == NULL) != (c->s == NULL) ||
			    (got != NULL && strcmp(got, c->s) != 0))
				fail_msg("line %d: field %d is \"%s\", expected \"%s\"", t->line, c->field,
					 got ? got : "(null)", c->s ? c->s : "(null)");
		} else if (field_value(cfg, c->field) != c->v) {
			long long got = field_value(cfg, c->field);

			fail_msg("line %d: field %d is %lld (%#llx), expected %lld (%#llx)", t->line,
				 c->field, got, got, c->v, c->v);
		}
	}
}

/* Run one vector as eal_init() does: parse, then check. */
static int
run_vector(const struct vec *t, struct eal_internal_config *cfg, int *ret_consumed)
{
	char *argv[EAL_DIM(t->args) + 1] = { (char *)"prog" };
	int argc = 1, rc;

	for (size_t i = 0; i < EAL_DIM(t->args) && t->args[i] != NULL; i++)
		argv[argc++] = (char *)(uintptr_t)t->args[i];
	cap_reset();
	rc = eal__options_parse(cfg, argc, argv, ret_consumed);
	if (rc == 0)
		rc = eal__options_check(cfg);
	return rc;
}

static void
test_vectors(void **state)
{
	static struct eal_internal_config cfg;
	uint64_t covered = 0;
	unsigned int n_ok = 0, n_fail = 0;

	(void)state;
	for (size_t i = 0; i < EAL_DIM(vectors); i++) {
		const struct vec *t = &vectors[i];
		int consumed = -1;
		int rc = run_vector(t, &cfg, &consumed);

		if (t->ret < 0) {
			if (rc != t->ret)
				fail_msg("line %d: returned %d (consumed %d), expected %d", t->line, rc,
					 consumed, t->ret);
			if (cap.n_err != 1 || (t->err[0] && !strstr(cap.err, t->err[0])) ||
			    (t->err[1] && !strstr(cap.err, t->err[1])))
				fail_msg("line %d: %u ERR line(s), last \"%s\"; expected one containing \"%s\" and \"%s\"",
					 t->line, cap.n_err, cap.err, t->err[0], t->err[1] ? t->err[1] : "");
			n_fail++;
		} else {
			if (rc != 0 || consumed != t->ret)
				fail_msg("line %d: returned %d, consumed %d, expected 0 and %d (ERR: \"%s\")",
					 t->line, rc, consumed, t->ret, cap.err);
			if (cap.n_err != 0)
				fail_msg("line %d: a success logged ERR \"%s\"", t->line, cap.err);
			check_fields(t, &cfg);
			covered |= cfg.given;
			n_ok++;
		}
	}
	/* Each option is given in at least one good vector. */
	assert_int_equal(covered, ALL_OPTIONS);
	assert_true(n_ok >= 30);
	assert_true(n_fail >= 30);
	print_message("# %u vectors: %u accepted, %u refused\n", n_ok + n_fail, n_ok, n_fail);
}

/* ---- the parser alone ------------------------------------------------ */

static void
test_argv_untouched(void **state)
{
	static struct eal_internal_config cfg;
	char a0[] = "prog", a1[] = "--file-prefix=abc", a2[] = "-m", a3[] = "64", a4[] = "--no-huge",
	     a5[] = "app";
	char *argv[] = { a0, a1, a2, a3, a4, a5, NULL };
	char *copy[EAL_DIM(argv)];
	int consumed = 0;

	(void)state;
	memcpy(copy, argv, sizeof(argv));
	assert_int_equal(eal__options_parse(&cfg, 6, argv, &consumed), 0);
	assert_int_equal(consumed, 5);
	assert_memory_equal(copy, argv, sizeof(argv));
	assert_string_equal(a1, "--file-prefix=abc");
	assert_string_equal(a3, "64");
	/* The prefix is copied, not pointed at in argv. */
	assert_ptr_equal(cfg.p.file_prefix, cfg.file_prefix);
	assert_string_equal(cfg.p.file_prefix, "abc");
	/* The options end at argc, or at a NULL entry before it; a value
	 * is never taken from beyond either. */
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), 0);
	assert_int_equal(consumed, 2);
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 3, argv, &consumed), -EINVAL);
	assert_one_err("-m: missing value", NULL);
	argv[3] = NULL;
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 6, argv, &consumed), -EINVAL);
	assert_one_err("-m: missing value", NULL);
	argv[2] = NULL;
	assert_int_equal(eal__options_parse(&cfg, 6, argv, &consumed), 0);
	assert_int_equal(consumed, 2);
}

static void
test_bad_argc(void **state)
{
	static struct eal_internal_config cfg;
	char *argv[] = { (char *)"prog", NULL };
	int consumed = 42;

	(void)state;
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 0, argv, &consumed), -EINVAL);
	assert_one_err("argc is 0", NULL);
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 1, NULL, &consumed), -EINVAL);
	assert_one_err("argv NULL", NULL);
	/* Not clobbered on failure. */
	assert_int_equal(consumed, 42);
	assert_int_equal(eal__options_parse(&cfg, 1, argv, &consumed), 0);
	assert_int_equal(consumed, 1);
}

/* Every parse starts from the defaults, whatever came before. */
static void
test_reparse_resets(void **state)
{
	static struct eal_internal_config cfg;
	char *argv1[] = { (char *)"prog", (char *)"--file-prefix=x", (char *)"--legacy-mem",
			  (char *)"--log-level=debug", (char *)"--socket-mem=1,2", NULL };
	char *argv2[] = { (char *)"prog", NULL };
	int consumed;

	(void)state;
	assert_int_equal(eal__options_parse(&cfg, 5, argv1, &consumed), 0);
	assert_int_equal(eal__options_parse(&cfg, 1, argv2, &consumed), 0);
	assert_string_equal(cfg.p.file_prefix, EAL_DEFAULT_PREFIX);
	assert_false(cfg.p.legacy_mem);
	assert_int_equal(cfg.n_log_levels, 0);
	assert_int_equal(cfg.p.n_socket_mem, 0);
	assert_int_equal(cfg.given, 0);
	assert_int_equal(cfg.mcfg_fd, -1);
	assert_int_equal(cfg.process_type, EAL_PROC_INVALID);
}

/* One value per node is fine, one more is refused, whatever the build's limit. */
static void
test_numa_node_limit(void **state)
{
	static struct eal_internal_config cfg;
	char list[EAL_MAX_NUMA_NODES * 4 + 32] = "--socket-limit=";
	char *argv[] = { (char *)"prog", list, NULL };
	int consumed;

	(void)state;
	for (int i = 0; i < EAL_MAX_NUMA_NODES; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%d", i ? "," : "", i + 1);
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), 0);
	assert_int_equal(eal__options_check(&cfg), 0);
	assert_int_equal(cfg.p.n_socket_limit, EAL_MAX_NUMA_NODES);
	assert_int_equal(cfg.p.socket_limit[EAL_MAX_NUMA_NODES - 1], MB(EAL_MAX_NUMA_NODES));
	strcat(list, ",1");
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), -EINVAL);
	assert_one_err("--socket-limit=1,", "more than");
}

static void
test_log_level_limit(void **state)
{
	static struct eal_internal_config cfg;
	char *argv[EAL_MAX_LOG_LEVEL_ARGS + 3] = { (char *)"prog" };
	int consumed;

	(void)state;
	for (int i = 1; i <= EAL_MAX_LOG_LEVEL_ARGS; i++)
		argv[i] = (char *)"--log-level=heap:debug";
	assert_int_equal(eal__options_parse(&cfg, EAL_MAX_LOG_LEVEL_ARGS + 1, argv, &consumed), 0);
	assert_int_equal(cfg.n_log_levels, EAL_MAX_LOG_LEVEL_ARGS);
	argv[EAL_MAX_LOG_LEVEL_ARGS + 1] = (char *)"--log-level=warning";
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, EAL_MAX_LOG_LEVEL_ARGS + 2, argv, &consumed),
			 -EINVAL);
	assert_one_err("--log-level=warning", "more than");
}

/* Path options: the buffers' limits, with values built at run time. */
static void
test_long_paths(void **state)
{
	static struct eal_internal_config cfg;
	static char arg[PATH_MAX + 64];
	char *argv[] = { (char *)"prog", arg, NULL };
	int n, consumed;

	(void)state;
	/* --huge-dir: up to PATH_MAX - 1 characters. */
	n = snprintf(arg, sizeof(arg), "--huge-dir=");
	memset(arg + n, 'h', PATH_MAX - 1);
	arg[n + PATH_MAX - 1] = '\0';
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), 0);
	assert_int_equal(strlen(cfg.p.huge_dir), PATH_MAX - 1);
	strcat(arg, "h");
	cap_reset();
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), -EINVAL);
	assert_one_err("--huge-dir=hhh", "longer than");

	/* --runtime-dir: room is left for "<prefix>/<file>" below it. */
	n = snprintf(arg, sizeof(arg), "--runtime-dir=/");
	memset(arg + n, 'r', PATH_MAX - 102);
	arg[n + PATH_MAX - 102] = '\0';
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), 0);
	assert_int_equal(eal__options_check(&cfg), 0);
	strcat(arg, "r");
	assert_int_equal(eal__options_parse(&cfg, 2, argv, &consumed), 0);
	cap_reset();
	assert_int_equal(eal__options_check(&cfg), -EINVAL);
	assert_one_err("--runtime-dir=/rrr", "longer than");
}

static void
test_parse_size(void **state)
{
	static const struct {
		const char *s;
		uint64_t unit;
		int rc;
		uint64_t v;
	} cases[] = {
		{ "0", MB(1), 0, 0 },
		{ "1", MB(1), 0, MB(1) },
		{ "1", 1, 0, 1 },
		{ "007", 1, 0, 7 },
		{ "1K", MB(1), 0, KB(1) },
		{ "1k", 1, 0, KB(1) },
		{ "3M", 1, 0, MB(3) },
		{ "3m", 1, 0, MB(3) },
		{ "16G", 1, 0, GB(16) },
		{ "16g", MB(1), 0, GB(16) },
		{ "0G", 1, 0, 0 },
		{ "18446744073709551615", 1, 0, UINT64_MAX },
		{ "17592186044415", MB(1), 0, MB(17592186044415ull) },
		{ "17179869183G", 1, 0, GB(17179869183ull) },
		{ "18446744073709551616", 1, -ERANGE, 0 },
		{ "99999999999999999999999", 1, -ERANGE, 0 },
		{ "17592186044416", MB(1), -ERANGE, 0 },
		{ "17179869184G", 1, -ERANGE, 0 },
		{ "18014398509481984K", 1, -ERANGE, 0 },
		{ "", 1, -EINVAL, 0 },
		{ "K", 1, -EINVAL, 0 },
		{ "+1", 1, -EINVAL, 0 },
		{ "-1", 1, -EINVAL, 0 },
		{ " 1", 1, -EINVAL, 0 },
		{ "1 ", 1, -EINVAL, 0 },
		{ "1KB", 1, -EINVAL, 0 },
		{ "1KK", 1, -EINVAL, 0 },
		{ "1T", 1, -EINVAL, 0 },
		{ "1.5", 1, -EINVAL, 0 },
		{ "0x10", 1, -EINVAL, 0 },
		{ "1e3", 1, -EINVAL, 0 },
		{ "12a", 1, -EINVAL, 0 },
		{ "1", 0, -EINVAL, 0 },
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < EAL_DIM(cases); i++) {
		int rc;

		v = 0xdeadbeef;
		rc = eal__parse_size(cases[i].s, cases[i].unit, &v);
		if (rc != cases[i].rc)
			fail_msg("\"%s\" (unit %" PRIu64 "): %d, expected %d", cases[i].s, cases[i].unit, rc,
				 cases[i].rc);
		/* ret_ is not clobbered on failure (R11). */
		assert_int_equal(v, rc == 0 ? cases[i].v : 0xdeadbeef);
	}
	assert_int_equal(eal__parse_size(NULL, 1, &v), -EINVAL);
	assert_int_equal(eal__parse_size("1", 1, NULL), -EINVAL);
}

/* ---- struct eal_params ----------------------------------------------- */

static void
test_params_init(void **state)
{
	struct eal_params p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	eal_params_init(&p);
	assert_int_equal(p.size, sizeof(p));
	assert_int_equal(p.proc_type, EAL_PROC_AUTO);
	assert_null(p.file_prefix);
	assert_null(p.runtime_dir);
	assert_null(p.huge_dir);
	assert_int_equal(p.memory, 0);
	assert_int_equal(p.n_socket_mem, 0);
	assert_int_equal(p.n_socket_limit, 0);
	for (int i = 0; i < EAL_MAX_NUMA_NODES; i++) {
		assert_int_equal(p.socket_mem[i], 0);
		assert_int_equal(p.socket_limit[i], 0);
	}
	assert_false(p.legacy_mem);
	assert_false(p.no_huge);
	assert_false(p.in_memory);
	assert_false(p.no_shconf);
	assert_false(p.single_file_segments);
	assert_false(p.match_allocations);
	assert_false(p.huge_unlink_set);
	assert_int_equal(p.huge_unlink, EAL_HUGE_UNLINK_EXISTING);
	assert_int_equal(p.base_virtaddr, 0);
	assert_int_equal(p.iova_mode, EAL_IOVA_DC);
	assert_int_equal(p.log_level, 0);
	assert_int_equal(p.attach_timeout_ms, EAL_DEFAULT_ATTACH_TIMEOUT_MS);
	eal_params_init(NULL);
}

/* from_params + check, as eal_init_params() does; one ERR line on failure. */
static int
from_params(struct eal_internal_config *cfg, const struct eal_params *p)
{
	int rc;

	cap_reset();
	rc = eal__options_from_params(cfg, p);
	if (rc == 0)
		rc = eal__options_check(cfg);
	if (rc < 0)
		assert_int_equal(cap.n_err, 1);
	else
		assert_int_equal(cap.n_err, 0);
	return rc;
}

/* Refused with one ERR line containing @a and @b (a macro: failures
 * report the caller's line). */
#define assert_refused(cfg, p, a, b) \
	do { \
		assert_int_equal(from_params(cfg, p), -EINVAL); \
		assert_one_err(a, b); \
	} while (0)

static void
test_from_params_defaults(void **state)
{
	static struct eal_internal_config cfg, ref;
	struct eal_params p;
	int consumed;
	char *argv[] = { (char *)"prog", NULL };

	(void)state;
	/* NULL, a default struct and an empty argv give the same config. */
	assert_int_equal(eal__options_parse(&ref, 1, argv, &consumed), 0);
	assert_int_equal(from_params(&cfg, NULL), 0);
	assert_int_equal(cfg.given, 0);
	assert_string_equal(cfg.p.file_prefix, EAL_DEFAULT_PREFIX);
	assert_ptr_equal(cfg.p.file_prefix, cfg.file_prefix);
	eal_params_init(&p);
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_int_equal(cfg.given, 0);
	cfg.p.file_prefix = ref.p.file_prefix = NULL;
	assert_memory_equal(&cfg, &ref, sizeof(cfg));
}

static void
test_from_params_size(void **state)
{
	static struct eal_internal_config cfg;
	struct eal_params p;

	(void)state;
	eal_params_init(&p);
	p.size = sizeof(p) - 8;
	assert_refused(&cfg, &p, "size", "eal_params_init");
	p.size = 0;
	assert_int_equal(from_params(&cfg, &p), -EINVAL);
	p.size = sizeof(p) + 1;
	assert_int_equal(from_params(&cfg, &p), -EINVAL);
}

static void
test_from_params_strings(void **state)
{
	static struct eal_internal_config cfg;
	static char big[PATH_MAX + 16];
	char prefix[] = "mine", rt[] = "/tmp/rt", hd[] = "/mnt/h";
	struct eal_params p;

	(void)state;
	eal_params_init(&p);
	p.file_prefix = prefix;
	p.runtime_dir = rt;
	p.huge_dir = hd;
	assert_int_equal(from_params(&cfg, &p), 0);
	/* Copied: the caller may reuse its buffers. */
	prefix[0] = rt[1] = hd[1] = 'X';
	assert_string_equal(cfg.p.file_prefix, "mine");
	assert_string_equal(cfg.p.runtime_dir, "/tmp/rt");
	assert_string_equal(cfg.p.huge_dir, "/mnt/h");
	assert_ptr_equal(cfg.p.file_prefix, cfg.file_prefix);
	assert_ptr_equal(cfg.p.runtime_dir, cfg.runtime_base);
	assert_ptr_equal(cfg.p.huge_dir, cfg.huge_dir);
	assert_int_equal(cfg.given,
			 EAL_OPTF_FILE_PREFIX | EAL_OPTF_RUNTIME_DIR | EAL_OPTF_HUGE_DIR);

	eal_params_init(&p);
	p.file_prefix = PREFIX_63;
	assert_int_equal(from_params(&cfg, &p), 0);
	p.file_prefix = PREFIX_64;
	assert_refused(&cfg, &p, "--file-prefix=" PREFIX_64, "longer than 63");
	p.file_prefix = "a/b";
	assert_refused(&cfg, &p, "--file-prefix=a/b", "'/'");
	p.file_prefix = "";
	assert_refused(&cfg, &p, "--file-prefix=:", "empty");

	eal_params_init(&p);
	memset(big, 'd', sizeof(big) - 1);
	p.huge_dir = big;
	assert_refused(&cfg, &p, "--huge-dir=ddd", "longer than");
	p.huge_dir = NULL;
	p.runtime_dir = big;
	assert_refused(&cfg, &p, "--runtime-dir=ddd", "longer than");
	p.runtime_dir = "relative";
	assert_refused(&cfg, &p, "--runtime-dir=relative", "absolute");
	p.runtime_dir = NULL;
	p.huge_dir = "";
	assert_refused(&cfg, &p, "--huge-dir=:", "empty");
}

static void
test_from_params_values(void **state)
{
	static struct eal_internal_config cfg;
	struct eal_params p;

	(void)state;
	eal_params_init(&p);
	p.proc_type = EAL_PROC_INVALID;
	assert_refused(&cfg, &p, "--proc-type=2", "primary|secondary|auto");

	eal_params_init(&p);
	p.attach_timeout_ms = 0;
	assert_refused(&cfg, &p, "--attach-timeout=0", NULL);
	p.attach_timeout_ms = 3600001;
	assert_int_equal(from_params(&cfg, &p), -EINVAL);
	p.attach_timeout_ms = 250;
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_int_equal(cfg.given, EAL_OPTF_ATTACH_TIMEOUT);

	eal_params_init(&p);
	p.n_socket_mem = EAL_MAX_NUMA_NODES + 1;
	assert_refused(&cfg, &p, "--socket-mem=", "more than");
	eal_params_init(&p);
	p.n_socket_limit = EAL_MAX_NUMA_NODES + 1;
	assert_refused(&cfg, &p, "--socket-limit=", "more than");

	eal_params_init(&p);
	p.huge_unlink = (enum eal_huge_unlink)7;
	assert_refused(&cfg, &p, "--huge-unlink=7", NULL);
	eal_params_init(&p);
	p.iova_mode = (enum eal_iova_mode)9;
	assert_refused(&cfg, &p, "--iova-mode=9", NULL);
	eal_params_init(&p);
	p.log_level = 9;
	assert_refused(&cfg, &p, "--log-level=9", NULL);
	p.log_level = EAL_LOG_DEBUG;
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_int_equal(cfg.p.log_level, EAL_LOG_DEBUG);

	/* Rounded and refused as on the command line. */
	eal_params_init(&p);
	p.base_virtaddr = 0x12345678;
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_int_equal(cfg.p.base_virtaddr, 0x13000000);
	assert_true(cfg.base_virtaddr_set);
	p.base_virtaddr = UINT64_MAX;
	assert_refused(&cfg, &p, "--base-virtaddr=0xffffffffffffffff", "too large");

	/* --in-memory implies --no-shconf; sizes stay in bytes. */
	eal_params_init(&p);
	p.in_memory = true;
	p.memory = MB(64);
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_true(cfg.p.no_shconf);
	assert_true(cfg.memory_set);
	assert_int_equal(cfg.p.memory, MB(64));
	assert_int_equal(cfg.given, EAL_OPTF_IN_MEMORY | EAL_OPTF_MEMORY);

	/* A policy without huge_unlink_set still counts as given. */
	eal_params_init(&p);
	p.huge_unlink = EAL_HUGE_UNLINK_NEVER;
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_true(cfg.p.huge_unlink_set);
}

static void
test_from_params_conflicts(void **state)
{
	static struct eal_internal_config cfg;
	struct eal_params p;

	(void)state;
	eal_params_init(&p);
	p.memory = MB(64);
	p.n_socket_mem = 1;
	p.socket_mem[0] = MB(64);
	assert_refused(&cfg, &p, "-m and --socket-mem cannot", NULL);

	eal_params_init(&p);
	p.legacy_mem = p.in_memory = true;
	assert_refused(&cfg, &p, "--legacy-mem and --in-memory cannot", NULL);

	eal_params_init(&p);
	p.legacy_mem = true;
	p.n_socket_limit = 1;
	assert_refused(&cfg, &p, "--legacy-mem and --socket-limit cannot", NULL);

	eal_params_init(&p);
	p.no_huge = p.match_allocations = true;
	assert_refused(&cfg, &p, "--no-huge and --match-allocations cannot", NULL);

	eal_params_init(&p);
	p.in_memory = true;
	p.huge_unlink_set = true;
	p.huge_unlink = EAL_HUGE_UNLINK_NEVER;
	assert_refused(&cfg, &p, "--in-memory and --huge-unlink=never cannot", NULL);

	eal_params_init(&p);
	p.single_file_segments = true;
	p.huge_unlink = EAL_HUGE_UNLINK_ALWAYS;
	assert_refused(&cfg, &p, "--single-file-segments and --huge-unlink=always cannot", NULL);

	eal_params_init(&p);
	p.proc_type = EAL_PROC_SECONDARY;
	p.no_shconf = true;
	assert_refused(&cfg, &p, "--no-shconf and --proc-type=secondary cannot", NULL);

	eal_params_init(&p);
	p.proc_type = EAL_PROC_SECONDARY;
	p.memory = MB(18);
	assert_refused(&cfg, &p, "--proc-type=secondary and -m cannot", NULL);
	p.memory = 0;
	p.iova_mode = EAL_IOVA_PA;
	assert_refused(&cfg, &p, "--proc-type=secondary and --iova-mode=pa cannot", NULL);
	p.iova_mode = EAL_IOVA_DC;
	p.file_prefix = "other";
	p.attach_timeout_ms = 5;
	assert_int_equal(from_params(&cfg, &p), 0);
	assert_true(cfg.proc_type_explicit);
}

/* ---- usage ----------------------------------------------------------- */

static void
test_usage(void **state)
{
	static const char *const names[] = {
#define EAL_OPTION(id, name, short_name, ...) name,
#include "eal_option_list.h"
#undef EAL_OPTION
	};
	static const char shorts[] = {
#define EAL_OPTION(id, name, short_name, ...) short_name,
#include "eal_option_list.h"
#undef EAL_OPTION
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	eal__options_usage("myprog", f);
	fclose(f);
	assert_non_null(strstr(text, "Usage: myprog "));
	for (size_t i = 0; i < EAL_DIM(names); i++) {
		char word[64];

		if (names[i] != NULL)
			snprintf(word, sizeof(word), "--%s", names[i]);
		else
			snprintf(word, sizeof(word), "-%c ", shorts[i]);
		if (strstr(text, word) == NULL)
			fail_msg("usage does not mention %s", word);
	}
	assert_non_null(strstr(text, "--huge-unlink[=existing|always|never]"));
	assert_non_null(strstr(text, "-h, --help"));
	free(text);
}

static int
group_setup(void **state)
{
	(void)state;
	eal_log_set_handler(capture, NULL);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	eal_log_set_handler(NULL, NULL);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_argv_untouched),
		cmocka_unit_test(test_bad_argc),
		cmocka_unit_test(test_reparse_resets),
		cmocka_unit_test(test_numa_node_limit),
		cmocka_unit_test(test_log_level_limit),
		cmocka_unit_test(test_long_paths),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_params_init),
		cmocka_unit_test(test_from_params_defaults),
		cmocka_unit_test(test_from_params_size),
		cmocka_unit_test(test_from_params_strings),
		cmocka_unit_test(test_from_params_values),
		cmocka_unit_test(test_from_params_conflicts),
		cmocka_unit_test(test_usage),
	};

	eal_test_setup(argc, argv);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
