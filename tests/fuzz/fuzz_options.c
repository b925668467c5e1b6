/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the options of eal_init() (src/eal_options.c) and
 * the value parsers behind them. The input is an argument vector: words
 * separated by NUL bytes (as the kernel lays out argv), after a fixed
 * argv[0]. Each input goes through eal__options_parse() and, when that
 * accepts it, eal__options_check(), as eal_init() does; every word also
 * goes through eal__parse_size(), eal__log_parse_level() and
 * eal__format_size() on its own.
 *
 * Besides "no crash, no sanitizer report", it checks properties:
 * - a refusal is -EINVAL with exactly one ERR line, and no log line of
 *   any kind holds a control character (one message, one line: STYLE
 *   R17; a newline or an escape sequence quoted from argv would forge
 *   lines or drive the terminal);
 * - argv is never modified, and parsing stops at "--" or a non-option;
 * - whatever the parser accepts is in range: keywords of their enums,
 *   lists within max_numa_nodes, the attach timeout within 1 ms - 1 h,
 *   the VA base a non-zero multiple of 16 MiB, at most 16 log levels of
 *   1-8 on known components, strings NUL-terminated in their buffers,
 *   and the "given" flags matching what was set;
 * - whatever eal__options_check() accepts obeys the rules it promises:
 *   a prefix usable as a file name, an absolute runtime dir and a
 *   hugepage dir without "..",
 *   no primary-only option with an explicit secondary, none of the
 *   unconditional conflicts; and the same settings passed as a struct
 *   eal_params (eal_init_params()) are accepted too and read back equal;
 * - eal__parse_size() agrees with a plain reference parser, and
 *   eal__format_size() prints a number and unit worth exactly the bytes.
 *
 * Nothing is allocated by the parser, so nothing can leak between inputs:
 * every parse starts by resetting the config.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eal_internal_cfg.h"
#include "eal_private.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Option ids and scopes, generated from the list as eal_options.c does. */
enum {
#define EAL_OPTION(id, ...) F_OPT_##id,
#include "eal_option_list.h"
#undef EAL_OPTION
	F_OPT_COUNT
};

#define F_SCOPE_ANY 0
#define F_SCOPE_PRIMARY 1

static const uint64_t primary_only = 0
#define EAL_OPTION(id, name, short_name, arg, scope, ...) \
	| ((uint64_t)F_SCOPE_##scope << F_OPT_##id)
#include "eal_option_list.h"
#undef EAL_OPTION
	;

#define GIVEN(cfg, id) (((cfg)->given >> F_OPT_##id) & 1)

#define MAX_WORDS 128
#define ATTACH_TIMEOUT_MAX_MS 3600000u
/* eal_options.c keeps this much room below --runtime-dir */
#define RUNTIME_DIR_ROOM 100

static struct fuzz_log_count logged;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	eal_log_set_handler(fuzz_log_handler, &logged);
	/* Every line, so that the handler sees any a refusal would print. */
	eal__log_set_level_id(-1, EAL_LOG_DEBUG);
	return 0;
}

/* ---- value parsers ------------------------------------------------------ */

/* What eal__parse_size() promises, written the plain way. */
static int
ref_parse_size(const char *s, uint64_t unit, uint64_t *ret)
{
	uint64_t v = 0;
	const char *c = s;

	if (!isdigit((unsigned char)*c))
		return -EINVAL;
	for (; isdigit((unsigned char)*c); c++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *c - '0', &v))
			return -ERANGE;
	if (*c != '\0' && strchr("kKmMgG", *c) != NULL) {
		unit = tolower((unsigned char)*c) == 'k' ? 1ull << 10 :
		       tolower((unsigned char)*c) == 'm' ? 1ull << 20 : 1ull << 30;
		c++;
	}
	if (*c != '\0')
		return -EINVAL;
	if (__builtin_mul_overflow(v, unit, &v))
		return -ERANGE;
	*ret = v;
	return 0;
}

/* eal__format_size(): "0", or "<n><unit>" worth exactly @bytes in the
 * largest unit that divides it. */
static void
check_format_size(uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	char text[32], *end;
	unsigned int shift;
	uint64_t n;

	eal__format_size(text, sizeof(text), bytes);
	if (bytes == 0) {
		CHECK(strcmp(text, "0") == 0);
		return;
	}
	n = strtoull(text, &end, 10);
	CHECK(*end != '\0' && strchr(units, *end) != NULL && end[1] == '\0');
	shift = 10 * (unsigned int)(strchr(units, *end) - units);
	CHECK(n > 0 && n <= UINT64_MAX >> shift && n << shift == bytes);
	CHECK(n % 1024 != 0 || *end == 'E');
}

static void
fuzz_size(const char *w)
{
	static const uint64_t units[] = { 1, 1ull << 20, 3 };

	for (size_t i = 0; i < EAL_DIM(units); i++) {
		uint64_t got = 0xdead, want = 0xbeef;
		int rc = eal__parse_size(w, units[i], &got);

		CHECK(rc == ref_parse_size(w, units[i], &want));
		if (rc == 0) {
			CHECK(got == want);
			check_format_size(got);
		}
	}
}

static void
fuzz_log_level(const char *w)
{
	int comp = -2, level = -2;

	if (eal__log_parse_level(w, &comp, &level) != 0)
		return;
	CHECK(level >= EAL_LOG_EMERG && level <= EAL_LOG_DEBUG);
	CHECK(comp >= -1 && comp < EAL_LOGC_COUNT);
	/* A component is named before the last ':' only. */
	CHECK(comp == -1 || strrchr(w, ':') != NULL);
}

/* ---- the parser --------------------------------------------------------- */

static bool
str_in(const char *s, const char *buf, size_t size)
{
	return s == buf && memchr(buf, '\0', size) != NULL;
}

static bool
has_dotdot_component(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i + 1 < n; i++)
		if (path[i] == '.' && path[i + 1] == '.' && (i == 0 || path[i - 1] == '/') &&
		    (i + 2 == n || path[i + 2] == '/'))
			return true;
	return false;
}

/* What eal__options_parse() may leave in cfg after accepting argv. */
static void
check_parsed(const struct eal_internal_config *cfg, int argc, char **argv, int consumed)
{
	const struct eal_params *p = &cfg->p;
	int last_all = 0;

	CHECK(consumed >= 1 && consumed <= argc);
	if (consumed < argc)
		CHECK(strcmp(argv[consumed - 1], "--") == 0 || argv[consumed][0] != '-' ||
		      argv[consumed][1] == '\0');
	CHECK(cfg->given < (UINT64_C(1) << F_OPT_COUNT));

	CHECK(p->size == sizeof(*p));
	CHECK(p->proc_type == EAL_PROC_PRIMARY || p->proc_type == EAL_PROC_SECONDARY ||
	      p->proc_type == EAL_PROC_AUTO);
	CHECK(cfg->proc_type_explicit == GIVEN(cfg, PROC_TYPE));
	CHECK(str_in(p->file_prefix, cfg->file_prefix, sizeof(cfg->file_prefix)));
	CHECK(GIVEN(cfg, FILE_PREFIX) || strcmp(p->file_prefix, EAL_DEFAULT_PREFIX) == 0);
	CHECK(p->runtime_dir == NULL ? !GIVEN(cfg, RUNTIME_DIR) :
		str_in(p->runtime_dir, cfg->runtime_base, sizeof(cfg->runtime_base)));
	CHECK(p->huge_dir == NULL ? !GIVEN(cfg, HUGE_DIR) :
		str_in(p->huge_dir, cfg->huge_dir, sizeof(cfg->huge_dir)));
	CHECK(p->attach_timeout_ms >= 1 && p->attach_timeout_ms <= ATTACH_TIMEOUT_MAX_MS);
	CHECK(GIVEN(cfg, ATTACH_TIMEOUT) || p->attach_timeout_ms == EAL_DEFAULT_ATTACH_TIMEOUT_MS);
	CHECK(cfg->memory_set == GIVEN(cfg, MEMORY));
	CHECK(cfg->memory_set || p->memory == 0);
	CHECK(p->n_socket_mem <= EAL_MAX_NUMA_NODES);
	CHECK(p->n_socket_limit <= EAL_MAX_NUMA_NODES);
	CHECK((p->n_socket_mem > 0) == GIVEN(cfg, SOCKET_MEM));
	CHECK((p->n_socket_limit > 0) == GIVEN(cfg, SOCKET_LIMIT));
	for (unsigned int i = p->n_socket_mem; i < EAL_MAX_NUMA_NODES; i++)
		CHECK(p->socket_mem[i] == 0);
	for (unsigned int i = p->n_socket_limit; i < EAL_MAX_NUMA_NODES; i++)
		CHECK(p->socket_limit[i] == 0);
	CHECK(p->legacy_mem == GIVEN(cfg, LEGACY_MEM));
	CHECK(p->no_huge == GIVEN(cfg, NO_HUGE));
	CHECK(p->huge_required == GIVEN(cfg, HUGE_REQUIRED));
	CHECK(p->in_memory == GIVEN(cfg, IN_MEMORY));
	CHECK(p->no_shconf == (GIVEN(cfg, NO_SHCONF) || p->in_memory));
	CHECK(p->single_file_segments == GIVEN(cfg, SINGLE_FILE_SEGMENTS));
	CHECK(p->match_allocations == GIVEN(cfg, MATCH_ALLOCATIONS));
	CHECK(p->huge_unlink_set == GIVEN(cfg, HUGE_UNLINK));
	CHECK(p->huge_unlink == EAL_HUGE_UNLINK_EXISTING || p->huge_unlink == EAL_HUGE_UNLINK_ALWAYS ||
	      p->huge_unlink == EAL_HUGE_UNLINK_NEVER);
	CHECK(p->huge_unlink_set || p->huge_unlink == EAL_HUGE_UNLINK_EXISTING);
	CHECK(cfg->base_virtaddr_set == GIVEN(cfg, BASE_VIRTADDR));
	CHECK(cfg->base_virtaddr_set == (p->base_virtaddr != 0));
	CHECK(p->base_virtaddr % EAL_BASE_VIRTADDR_ALIGN == 0);
	CHECK(p->iova_mode == EAL_IOVA_DC || p->iova_mode == EAL_IOVA_PA ||
	      p->iova_mode == EAL_IOVA_VA);
	CHECK(GIVEN(cfg, IOVA_MODE) || p->iova_mode == EAL_IOVA_DC);
	CHECK(cfg->help == GIVEN(cfg, HELP));
	CHECK(cfg->version == GIVEN(cfg, VERSION));

	CHECK(cfg->n_log_levels <= EAL_MAX_LOG_LEVEL_ARGS);
	CHECK((cfg->n_log_levels > 0) == GIVEN(cfg, LOG_LEVEL));
	for (unsigned int i = 0; i < cfg->n_log_levels; i++) {
		const struct eal_log_level_arg *a = &cfg->log_levels[i];

		CHECK(a->level >= EAL_LOG_EMERG && a->level <= EAL_LOG_DEBUG);
		CHECK(a->component >= -1 && a->component < EAL_LOGC_COUNT);
		if (a->component == -1)
			last_all = a->level;
	}
	CHECK(p->log_level == last_all);
	/* Nothing derived while initialising is set by the parser. */
	CHECK(cfg->process_type == EAL_PROC_INVALID && cfg->mcfg_fd == -1 &&
	      cfg->mcfg_addr == NULL && cfg->runtime_dir[0] == '\0');
}

static bool
prefix_ok(const char *s)
{
	if (s[0] == '\0' || strcmp(s, ".") == 0 || strstr(s, "..") != NULL)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == '%' || !isprint((unsigned char)*s))
			return false;
	return true;
}

static bool
both(const struct eal_internal_config *cfg, int a, int b)
{
	return ((cfg->given >> a) & 1) && ((cfg->given >> b) & 1);
}

static void
check_same_params(const struct eal_params *a, const struct eal_params *b)
{
	CHECK(a->proc_type == b->proc_type);
	CHECK(strcmp(a->file_prefix, b->file_prefix) == 0);
	CHECK((a->runtime_dir == NULL) == (b->runtime_dir == NULL));
	CHECK(a->runtime_dir == NULL || strcmp(a->runtime_dir, b->runtime_dir) == 0);
	CHECK((a->huge_dir == NULL) == (b->huge_dir == NULL));
	CHECK(a->huge_dir == NULL || strcmp(a->huge_dir, b->huge_dir) == 0);
	CHECK(a->memory == b->memory);
	CHECK(a->n_socket_mem == b->n_socket_mem && a->n_socket_limit == b->n_socket_limit);
	CHECK(memcmp(a->socket_mem, b->socket_mem, sizeof(a->socket_mem)) == 0);
	CHECK(memcmp(a->socket_limit, b->socket_limit, sizeof(a->socket_limit)) == 0);
	CHECK(a->legacy_mem == b->legacy_mem && a->no_huge == b->no_huge &&
	      a->huge_required == b->huge_required && a->in_memory == b->in_memory &&
	      a->no_shconf == b->no_shconf && a->single_file_segments == b->single_file_segments &&
	      a->match_allocations == b->match_allocations);
	CHECK(a->huge_unlink_set == b->huge_unlink_set && a->huge_unlink == b->huge_unlink);
	CHECK(a->base_virtaddr == b->base_virtaddr && a->iova_mode == b->iova_mode);
	CHECK(a->log_level == b->log_level && a->attach_timeout_ms == b->attach_timeout_ms);
}

/* What eal__options_check() promises once it accepted cfg. */
static void
check_accepted(const struct eal_internal_config *cfg)
{
	static struct eal_internal_config again;
	const struct eal_params *p = &cfg->p;
	struct eal_params copy;
	uint64_t extra;

	if (cfg->help || cfg->version)
		return;
	CHECK(prefix_ok(p->file_prefix));
	if (p->runtime_dir != NULL)
		CHECK(p->runtime_dir[0] == '/' && !has_dotdot_component(p->runtime_dir) &&
		      strlen(p->runtime_dir) < PATH_MAX - RUNTIME_DIR_ROOM);
	CHECK(p->huge_dir == NULL || (p->huge_dir[0] != '\0' && !has_dotdot_component(p->huge_dir)));
	if (p->proc_type == EAL_PROC_SECONDARY)
		CHECK((cfg->given & primary_only) == 0 && !p->no_shconf);
	CHECK(!both(cfg, F_OPT_MEMORY, F_OPT_SOCKET_MEM));
	CHECK(!both(cfg, F_OPT_NO_HUGE, F_OPT_SOCKET_MEM));
	CHECK(!both(cfg, F_OPT_NO_HUGE, F_OPT_HUGE_REQUIRED));
	CHECK(!both(cfg, F_OPT_NO_HUGE, F_OPT_MATCH_ALLOCATIONS));
	CHECK(!both(cfg, F_OPT_LEGACY_MEM, F_OPT_IN_MEMORY));
	CHECK(!both(cfg, F_OPT_LEGACY_MEM, F_OPT_MATCH_ALLOCATIONS));
	CHECK(!both(cfg, F_OPT_LEGACY_MEM, F_OPT_SOCKET_LIMIT));

	/* A struct gives at most the options argv gave (a struct cannot
	 * say "-m 0"), and the rules only refuse more when more is given:
	 * eal_init_params() must accept the same settings. */
	copy = *p;
	logged.n_err = 0;
	CHECK(eal__options_from_params(&again, &copy) == 0);
	CHECK(eal__options_check(&again) == 0);
	CHECK(logged.n_err == 0);
	/* ... besides the prefix (a struct always names one) and
	 * --no-shconf, which --in-memory sets without "giving" it. */
	extra = again.given & ~cfg->given & ~(UINT64_C(1) << F_OPT_FILE_PREFIX);
	if (p->in_memory)
		extra &= ~(UINT64_C(1) << F_OPT_NO_SHCONF);
	CHECK(extra == 0);
	check_same_params(p, &again.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eal_internal_config cfg;
	static char text[16384 + 1];
	static char *argv[MAX_WORDS + 2], *saved[MAX_WORDS + 2];
	static char backup[sizeof(text)];
	int argc = 1, consumed = -1, rc;
	size_t off = 0;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = (char *)"fuzz";
	/* NUL-separated words; a trailing NUL ends the last one. */
	while (off < size && argc <= MAX_WORDS) {
		argv[argc++] = &text[off];
		off += strlen(&text[off]) + 1;
	}
	argv[argc] = NULL;
	memcpy(saved, argv, sizeof(argv));
	memcpy(backup, text, size + 1);

	logged.n_err = 0;
	logged.n_all = 0;
	rc = eal__options_parse(&cfg, argc, argv, &consumed);
	CHECK(memcmp(saved, argv, sizeof(argv)) == 0 && memcmp(backup, text, size + 1) == 0);
	if (rc == 0) {
		CHECK(logged.n_all == 0);
		check_parsed(&cfg, argc, argv, consumed);
		rc = eal__options_check(&cfg);
		if (rc == 0) {
			CHECK(logged.n_all == 0);
			check_accepted(&cfg);
		}
	}
	if (rc != 0)
		CHECK(rc == -EINVAL && logged.n_err == 1);

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		const char *eq = strchr(w, '=');

		fuzz_size(w);
		fuzz_log_level(w);
		/* The value part of "--opt=value" too, as the parser sees it. */
		if (eq != NULL) {
			fuzz_size(eq + 1);
			fuzz_log_level(eq + 1);
		}
	}
	return 0;
}
