/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The options of eal_init() and eal_init_params(): from argv or from a
 * struct eal_params into struct eal_internal_config, then one check of
 * every rule shared by both.
 *
 * The parser is a table generated from eal_option_list.h and does not use
 * getopt: getopt permutes argv, keeps global state between calls and
 * accepts abbreviated long options, none of which an embedded library may
 * impose on its caller. argv is never modified.
 *
 * Work is split in two so that both entry points share the rules:
 * converting (eal__options_parse(), eal__options_from_params()) checks only
 * the syntax of a value and where it is stored; eal__options_check()
 * validates values and the combinations of options. Every refusal is one
 * ERR line that names the option and its value (both options for a
 * conflict), then -EINVAL. Writes nothing shared.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_EAL

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "eal_internal_cfg.h"
#include "eal_private.h"

/* Option ids, in the order of the list, and their bits in cfg->given. */
enum eal_opt {
#define EAL_OPTION(id, ...) EAL_OPT_##id,
#include "eal_option_list.h"
#undef EAL_OPTION
};

enum {
#define EAL_OPTION(id, ...) EAL_OPTF_##id = 1 << EAL_OPT_##id,
#include "eal_option_list.h"
#undef EAL_OPTION
};

/* Kept out of enum eal_opt so that -Wswitch finds a missing case. */
enum {
	EAL_OPT_COUNT = 0
#define EAL_OPTION(...) + 1
#include "eal_option_list.h"
#undef EAL_OPTION
};

_Static_assert(EAL_OPT_COUNT <= 31, "EAL_OPTF_* bits must fit in an int enumerator");

#define OPTF(id) (UINT64_C(1) << (id))

enum opt_arg {
	OPT_ARG_NONE,
	OPT_ARG_REQUIRED,
	OPT_ARG_OPTIONAL,
};

#define OPT_SCOPE_ANY 0
#define OPT_SCOPE_PRIMARY 1

struct opt_def {
	const char *name;    /* long name, or NULL */
	char short_name;     /* or 0 */
	enum opt_arg arg;
	const char *metavar; /* NULL when the option takes no value */
	const char *help;
};

static const struct opt_def opt_defs[EAL_OPT_COUNT] = {
#define EAL_OPTION(id, name, short_name, arg, scope, metavar, help) \
	[EAL_OPT_##id] = { name, short_name, OPT_ARG_##arg, metavar, help },
#include "eal_option_list.h"
#undef EAL_OPTION
};

/* What an explicit --proc-type=secondary refuses. */
static const uint64_t primary_only_mask = 0
#define EAL_OPTION(id, name, short_name, arg, scope, ...) \
	| (OPT_SCOPE_##scope == OPT_SCOPE_PRIMARY ? OPTF(EAL_OPT_##id) : 0)
#include "eal_option_list.h"
#undef EAL_OPTION
	;

/* Longest option name with its value in a message; longer ones are cut. */
#define OPT_WHAT_MAX 320
#define MIB (UINT64_C(1) << 20)
#define ATTACH_TIMEOUT_MAX_MS 3600000u
/* A list has one value per NUMA node. */
#define TOO_MANY_NODES "more than %d values: that is how many NUMA nodes this build handles (max_numa_nodes)"
/* Room the runtime files need below --runtime-dir: "/<prefix>/<name>". */
#define RUNTIME_DIR_ROOM 100

/* ---- values ---------------------------------------------------------- */

struct keyword {
	const char *word;
	int value;
};

/* Keyword values, NULL-terminated; the metavar of each option lists them. */
static const struct keyword proc_type_words[] = {
	{ "primary", EAL_PROC_PRIMARY },
	{ "secondary", EAL_PROC_SECONDARY },
	{ "auto", EAL_PROC_AUTO },
	{ NULL, 0 },
};

static const struct keyword huge_unlink_words[] = {
	{ "existing", EAL_HUGE_UNLINK_EXISTING },
	{ "always", EAL_HUGE_UNLINK_ALWAYS },
	{ "never", EAL_HUGE_UNLINK_NEVER },
	{ NULL, 0 },
};

static const struct keyword iova_mode_words[] = {
	{ "pa", EAL_IOVA_PA },
	{ "va", EAL_IOVA_VA },
	{ NULL, 0 },
};

static const char *
keyword_name(const struct keyword *words, int value)
{
	for (; words->word != NULL; words++)
		if (words->value == value)
			return words->word;
	return NULL;
}

/* "--name=value", "--name", "-x value" or "-x": an option as messages show it. */
static const char *
opt_spell(enum eal_opt id, const char *v, char *buf, size_t size)
{
	const struct opt_def *d = &opt_defs[id];

	if (d->name != NULL)
		snprintf(buf, size, "--%s%s%s", d->name, v != NULL ? "=" : "", v != NULL ? v : "");
	else
		snprintf(buf, size, "-%c%s%s", d->short_name, v != NULL ? " " : "",
			 v != NULL ? v : "");
	return buf;
}

/* The one ERR line of a refused value: "<option>=<value>: <why>". */
static int EAL_FORMAT(3, 4)
refuse(enum eal_opt id, const char *v, const char *fmt, ...)
{
	char what[OPT_WHAT_MAX], why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	EAL_LOG(ERR, "%s: %s", opt_spell(id, v, what, sizeof(what)), why);
	return -EINVAL;
}

static int
parse_keyword(enum eal_opt id, const char *v, const struct keyword *words, int *ret)
{
	for (; words->word != NULL; words++) {
		if (strcasecmp(v, words->word) == 0) {
			*ret = words->value;
			return 0;
		}
	}
	return refuse(id, v, "expected %s", opt_defs[id].metavar);
}

/*
 * Digits in @base (10 or 16) up to the first other character, with no
 * sign and no space: strtoull() would accept " -1" and return 2^64 - 1.
 * -EINVAL when there is no digit, -ERANGE above UINT64_MAX.
 */
static int
parse_uint(const char *s, unsigned int base, uint64_t *ret, const char **ret_end)
{
	uint64_t v = 0;
	const char *c;

	for (c = s;; c++) {
		unsigned int d;

		if (*c >= '0' && *c <= '9')
			d = (unsigned int)(*c - '0');
		else if (*c >= 'a' && *c <= 'f')
			d = (unsigned int)(*c - 'a') + 10;
		else if (*c >= 'A' && *c <= 'F')
			d = (unsigned int)(*c - 'A') + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (c == s)
		return -EINVAL;
	*ret = v;
	*ret_end = c;
	return 0;
}

const char *
eal__format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned int u = 0;

	if (bytes == 0) {
		snprintf(buf, len, "0");
		return buf;
	}
	while (u < sizeof(units) - 1 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else
		snprintf(buf, len, "%" PRIu64 "%c", bytes, units[u - 1]);
	return buf;
}

int
eal__parse_size(const char *s, uint64_t default_unit, uint64_t *ret)
{
	uint64_t v, unit = default_unit;
	const char *end;
	int rc;

	if (s == NULL || ret == NULL || default_unit == 0)
		return -EINVAL;
	rc = parse_uint(s, 10, &v, &end);
	if (rc < 0)
		return rc;
	switch (*end) {
	case '\0':
		break;
	case 'K':
	case 'k':
		unit = UINT64_C(1) << 10;
		end++;
		break;
	case 'M':
	case 'm':
		unit = UINT64_C(1) << 20;
		end++;
		break;
	case 'G':
	case 'g':
		unit = UINT64_C(1) << 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	if (v > UINT64_MAX / unit)
		return -ERANGE;
	*ret = v * unit;
	return 0;
}

static int
parse_size_opt(enum eal_opt id, const char *v, uint64_t *ret)
{
	int rc = eal__parse_size(v, MIB, ret);

	if (rc == -ERANGE)
		return refuse(id, v, "too large");
	if (rc < 0)
		return refuse(id, v, "not a size: use a number of MiB, or a number ending in K, M or G");
	return 0;
}

/*
 * "a,b,c": one size per NUMA node, from node 0. An empty field is refused
 * rather than read as 0: "2,,2" is more likely a typo than a request for
 * nothing on node 1, and DPDK refuses it too. The values go to a local
 * array first, so that a refused list leaves the previous one whole.
 */
static int
parse_size_list(enum eal_opt id, const char *v, uint64_t *ret_vals, unsigned int *ret_n)
{
	uint64_t vals[EAL_MAX_NUMA_NODES] = { 0 };
	unsigned int n = 0;
	const char *s = v;

	if (*v == '\0')
		return refuse(id, v, "empty list: give one size per NUMA node, e.g. 1024,1024");
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		char item[32];
		int rc;

		if (len == 0)
			return refuse(id, v, comma != NULL ? "empty value in the list" : "trailing comma");
		if (n == EAL_MAX_NUMA_NODES)
			return refuse(id, v, TOO_MANY_NODES, EAL_MAX_NUMA_NODES);
		rc = -EINVAL;
		if (len < sizeof(item)) {
			memcpy(item, s, len);
			item[len] = '\0';
			rc = eal__parse_size(item, MIB, &vals[n]);
		}
		if (rc < 0)
			return refuse(id, v, "value %u, \"%.*s\", is %s", n, (int)len, s,
				      rc == -ERANGE ? "too large" : "not a size (MiB, or a number ending in K, M or G)");
		n++;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	memcpy(ret_vals, vals, sizeof(vals));
	*ret_n = n;
	return 0;
}

/*
 * Copy a string option into its buffer in cfg, and point the params at it.
 * strnlen(): a string from struct eal_params may be as long as the caller
 * likes, and only the part that could fit is read.
 */
static int
copy_string(enum eal_opt id, const char *v, char *buf, size_t size, const char **ret_ptr)
{
	size_t len = strnlen(v, size);

	if (len == size)
		return refuse(id, v, "longer than %zu characters", size - 1);
	memcpy(buf, v, len + 1);
	*ret_ptr = buf;
	return 0;
}

/*
 * DPDK rounds the hint up to 16 MiB so that the first pages it maps there
 * can be of any size up to that. 0 is refused: it would silently mean "the
 * default", which is not what someone who typed an address asked for.
 */
static int
set_base_virtaddr(struct eal_internal_config *cfg, const char *v, uint64_t addr)
{
	if (addr == 0)
		return refuse(EAL_OPT_BASE_VIRTADDR, v, "must not be 0: leave the option out for the default");
	if (addr > UINT64_MAX - (EAL_BASE_VIRTADDR_ALIGN - 1))
		return refuse(EAL_OPT_BASE_VIRTADDR, v, "too large");
	cfg->p.base_virtaddr = EAL_ALIGN_CEIL(addr, EAL_BASE_VIRTADDR_ALIGN);
	return 0;
}

static int
parse_base_virtaddr(struct eal_internal_config *cfg, const char *v)
{
	const char *digits = v, *end;
	uint64_t addr;
	int rc;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		digits += 2;
	rc = parse_uint(digits, 16, &addr, &end);
	if (rc == 0 && *end != '\0')
		rc = -EINVAL;
	if (rc == -ERANGE)
		return refuse(EAL_OPT_BASE_VIRTADDR, v, "too large");
	if (rc < 0)
		return refuse(EAL_OPT_BASE_VIRTADDR, v, "not a hexadecimal address");
	return set_base_virtaddr(cfg, v, addr);
}

/* Bounded by an hour: a primary that needs longer than that to initialise
 * is stuck, and a secondary should say so rather than wait for ever. */
static int
check_attach_timeout(const char *v, uint64_t ms)
{
	if (ms < 1 || ms > ATTACH_TIMEOUT_MAX_MS)
		return refuse(EAL_OPT_ATTACH_TIMEOUT, v, "out of range: give 1 to %u milliseconds",
			      ATTACH_TIMEOUT_MAX_MS);
	return 0;
}

static int
parse_attach_timeout(struct eal_params *p, const char *v)
{
	const char *end;
	uint64_t ms;
	int rc;

	rc = parse_uint(v, 10, &ms, &end);
	if (rc == -EINVAL || (rc == 0 && *end != '\0'))
		return refuse(EAL_OPT_ATTACH_TIMEOUT, v, "not a number of milliseconds");
	/* Checked here too, as the number may not fit the field that
	 * eal__options_check() sees; the message then shows what was typed. */
	if (rc == -ERANGE)
		ms = UINT64_MAX;
	rc = check_attach_timeout(v, ms);
	if (rc == 0)
		p->attach_timeout_ms = (unsigned int)ms;
	return rc;
}

static int
add_log_level(struct eal_internal_config *cfg, const char *v)
{
	struct eal_log_level_arg *arg;
	int comp, level;

	if (eal__log_parse_level(v, &comp, &level) < 0)
		return refuse(EAL_OPT_LOG_LEVEL, v,
			      "expected a level (emerg, alert, crit, err, warning, notice, info, debug or 1-8), optionally after \"<component>:\"");
	if (cfg->n_log_levels == EAL_MAX_LOG_LEVEL_ARGS)
		return refuse(EAL_OPT_LOG_LEVEL, v, "more than %d --log-level options",
			      EAL_MAX_LOG_LEVEL_ARGS);
	/* The list keeps the order of argv, so that a later option wins
	 * over an earlier one for the same component. */
	arg = &cfg->log_levels[cfg->n_log_levels++];
	arg->component = comp;
	arg->level = level;
	if (comp < 0)
		cfg->p.log_level = level;
	return 0;
}

/* ---- argv ------------------------------------------------------------ */

/*
 * Store the value @v (NULL for none) of option @id. On failure cfg is left
 * half-written: the caller discards it, and every parse starts by
 * resetting it.
 */
static int
opt_apply(struct eal_internal_config *cfg, enum eal_opt id, const char *v)
{
	struct eal_params *p = &cfg->p;
	int k = 0, rc = 0;

	switch (id) {
	case EAL_OPT_PROC_TYPE:
		rc = parse_keyword(id, v, proc_type_words, &k);
		p->proc_type = (enum eal_proc_type)k;
		break;
	case EAL_OPT_FILE_PREFIX:
		rc = copy_string(id, v, cfg->file_prefix, sizeof(cfg->file_prefix),
				 &p->file_prefix);
		break;
	case EAL_OPT_RUNTIME_DIR:
		rc = copy_string(id, v, cfg->runtime_base, sizeof(cfg->runtime_base),
				 &p->runtime_dir);
		break;
	case EAL_OPT_ATTACH_TIMEOUT:
		rc = parse_attach_timeout(p, v);
		break;
	case EAL_OPT_HUGE_DIR:
		rc = copy_string(id, v, cfg->huge_dir, sizeof(cfg->huge_dir), &p->huge_dir);
		break;
	case EAL_OPT_MEMORY:
		rc = parse_size_opt(id, v, &p->memory);
		break;
	case EAL_OPT_SOCKET_MEM:
		rc = parse_size_list(id, v, p->socket_mem, &p->n_socket_mem);
		break;
	case EAL_OPT_SOCKET_LIMIT:
		rc = parse_size_list(id, v, p->socket_limit, &p->n_socket_limit);
		break;
	case EAL_OPT_LEGACY_MEM:
		p->legacy_mem = true;
		break;
	case EAL_OPT_HUGE_REQUIRED:
		p->huge_required = true;
		break;
	case EAL_OPT_NO_HUGE:
		p->no_huge = true;
		break;
	case EAL_OPT_IN_MEMORY:
		/* As DPDK: no file at all includes no shared config file. Only
		 * in_memory is "given", so that messages name what was typed. */
		p->in_memory = true;
		p->no_shconf = true;
		break;
	case EAL_OPT_NO_SHCONF:
		p->no_shconf = true;
		break;
	case EAL_OPT_SINGLE_FILE_SEGMENTS:
		p->single_file_segments = true;
		break;
	case EAL_OPT_HUGE_UNLINK:
		/* As DPDK: the option alone means "always". */
		k = EAL_HUGE_UNLINK_ALWAYS;
		if (v != NULL)
			rc = parse_keyword(id, v, huge_unlink_words, &k);
		p->huge_unlink = (enum eal_huge_unlink)k;
		break;
	case EAL_OPT_BASE_VIRTADDR:
		rc = parse_base_virtaddr(cfg, v);
		break;
	case EAL_OPT_IOVA_MODE:
		rc = parse_keyword(id, v, iova_mode_words, &k);
		p->iova_mode = (enum eal_iova_mode)k;
		break;
	case EAL_OPT_MATCH_ALLOCATIONS:
		p->match_allocations = true;
		break;
	case EAL_OPT_LOG_LEVEL:
		rc = add_log_level(cfg, v);
		break;
	case EAL_OPT_HELP:
		cfg->help = true;
		break;
	case EAL_OPT_VERSION:
		cfg->version = true;
		break;
	}
	return rc;
}

static int
find_long(const char *name, size_t len)
{
	for (int i = 0; i < EAL_OPT_COUNT; i++)
		if (opt_defs[i].name != NULL && strncmp(opt_defs[i].name, name, len) == 0 &&
		    opt_defs[i].name[len] == '\0')
			return i;
	return -1;
}

/* @c is never 0: a lone "-" ends the options before this is called. */
static int
find_short(char c)
{
	for (int i = 0; i < EAL_OPT_COUNT; i++)
		if (opt_defs[i].short_name == c)
			return i;
	return -1;
}

/*
 * One option from args[0] (args[1] is its value in "--opt value" and
 * "-x value"; n counts the entries left). *ret_used: entries taken; the
 * option's bit is added to *given.
 */
static int
parse_one(struct eal_internal_config *cfg, int n, char **args, int *ret_used, uint64_t *given)
{
	const char *arg = args[0], *v = NULL, *inline_v = NULL;
	int id;

	if (arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');
		size_t len = eq != NULL ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);

		id = find_long(arg + 2, len);
		if (eq != NULL)
			inline_v = eq + 1;
	} else {
		id = find_short(arg[1]);
		if (arg[2] != '\0')
			inline_v = arg + 2;
		/* "-hv": short options are not bundled. */
		if (id >= 0 && opt_defs[id].arg == OPT_ARG_NONE && inline_v != NULL)
			id = -1;
	}
	if (id < 0) {
		EAL_LOG(ERR, "%s: unknown option; see --help", arg);
		return -EINVAL;
	}

	*ret_used = 1;
	switch (opt_defs[id].arg) {
	case OPT_ARG_NONE:
		if (inline_v != NULL)
			return refuse(id, inline_v, "takes no value");
		break;
	case OPT_ARG_OPTIONAL:
		v = inline_v;
		break;
	case OPT_ARG_REQUIRED:
		v = inline_v;
		if (v != NULL)
			break;
		/* A detached value starting with "--" is taken for the next
		 * option (getopt would swallow it as the value). */
		if (n < 2 || args[1] == NULL)
			return refuse(id, NULL, "missing value (%s)", opt_defs[id].metavar);
		if (strncmp(args[1], "--", 2) == 0)
			return refuse(id, NULL, "missing value (%s): \"%s\" is an option",
				      opt_defs[id].metavar, args[1]);
		v = args[1];
		*ret_used = 2;
		break;
	}
	if (opt_apply(cfg, (enum eal_opt)id, v) < 0)
		return -EINVAL;
	*given |= OPTF(id);
	return 0;
}

/* The flags that say whether an option was given, from cfg->given. */
static void
options_set_given(struct eal_internal_config *cfg, uint64_t given)
{
	cfg->given = given;
	cfg->proc_type_explicit = (given & EAL_OPTF_PROC_TYPE) != 0;
	cfg->memory_set = (given & EAL_OPTF_MEMORY) != 0;
	cfg->base_virtaddr_set = (given & EAL_OPTF_BASE_VIRTADDR) != 0;
	cfg->p.huge_unlink_set = (given & EAL_OPTF_HUGE_UNLINK) != 0;
}

static void
options_reset(struct eal_internal_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	eal_params_init(&cfg->p);
	memcpy(cfg->file_prefix, EAL_DEFAULT_PREFIX, sizeof(EAL_DEFAULT_PREFIX));
	cfg->p.file_prefix = cfg->file_prefix;
	cfg->process_type = EAL_PROC_INVALID;
	cfg->mcfg_fd = -1;
}

EAL_API void
eal_params_init(struct eal_params *p)
{
	if (p == NULL)
		return;
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->proc_type = EAL_PROC_AUTO;
	p->huge_unlink = EAL_HUGE_UNLINK_EXISTING;
	p->iova_mode = EAL_IOVA_DC;
	p->attach_timeout_ms = EAL_DEFAULT_ATTACH_TIMEOUT_MS;
}

int
eal__options_parse(struct eal_internal_config *cfg, int argc, char **argv, int *ret_consumed)
{
	uint64_t given = 0;
	int i, used, rc;

	options_reset(cfg);
	if (argc < 1 || argv == NULL) {
		EAL_LOG(ERR, "argc is %d and argv %s: argv[0] must be the program name", argc,
			argv == NULL ? "NULL" : "set");
		return -EINVAL;
	}
	for (i = 1; i < argc && argv[i] != NULL; i += used) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		/* The first argument that is not an option ends ours ("-" is
		 * one: it conventionally names stdin). Unlike GNU getopt, the
		 * options after it are the application's, not ours. */
		if (arg[0] != '-' || arg[1] == '\0')
			break;
		rc = parse_one(cfg, argc - i, &argv[i], &used, &given);
		if (rc < 0)
			return rc;
	}
	options_set_given(cfg, given);
	*ret_consumed = i;
	return 0;
}

/* ---- struct eal_params ----------------------------------------------- */

/*
 * The options a struct "gives": its fields that differ from the defaults.
 * A struct cannot tell "-m 0" from no -m, so the combinations it is
 * checked for are those of the equivalent command line without the
 * options that would only restate a default.
 */
static uint64_t
params_given(const struct eal_params *p)
{
	const bool set[EAL_OPT_COUNT] = {
		[EAL_OPT_PROC_TYPE] = p->proc_type != EAL_PROC_AUTO,
		[EAL_OPT_FILE_PREFIX] = p->file_prefix != NULL,
		[EAL_OPT_RUNTIME_DIR] = p->runtime_dir != NULL,
		[EAL_OPT_ATTACH_TIMEOUT] = p->attach_timeout_ms != EAL_DEFAULT_ATTACH_TIMEOUT_MS,
		[EAL_OPT_HUGE_DIR] = p->huge_dir != NULL,
		[EAL_OPT_MEMORY] = p->memory != 0,
		[EAL_OPT_SOCKET_MEM] = p->n_socket_mem != 0,
		[EAL_OPT_SOCKET_LIMIT] = p->n_socket_limit != 0,
		[EAL_OPT_LEGACY_MEM] = p->legacy_mem,
		[EAL_OPT_NO_HUGE] = p->no_huge,
		[EAL_OPT_HUGE_REQUIRED] = p->huge_required,
		[EAL_OPT_IN_MEMORY] = p->in_memory,
		[EAL_OPT_NO_SHCONF] = p->no_shconf,
		[EAL_OPT_SINGLE_FILE_SEGMENTS] = p->single_file_segments,
		[EAL_OPT_HUGE_UNLINK] = p->huge_unlink_set ||
					p->huge_unlink != EAL_HUGE_UNLINK_EXISTING,
		[EAL_OPT_BASE_VIRTADDR] = p->base_virtaddr != 0,
		[EAL_OPT_IOVA_MODE] = p->iova_mode != EAL_IOVA_DC,
		[EAL_OPT_MATCH_ALLOCATIONS] = p->match_allocations,
		[EAL_OPT_LOG_LEVEL] = p->log_level != 0,
	};
	uint64_t given = 0;

	for (int i = 0; i < EAL_OPT_COUNT; i++)
		if (set[i])
			given |= OPTF(i);
	return given;
}

/*
 * The caller runs eal__options_check() next, as after eal__options_parse().
 * Only what cannot wait is refused here: a struct of another layout, and
 * strings that do not fit the buffers of cfg. The struct's own strings are
 * copied, so the caller may free them after eal_init_params(). @params
 * must not point into @cfg.
 */
int
eal__options_from_params(struct eal_internal_config *cfg, const void *params)
{
	const struct eal_params *in = params;
	struct eal_params *p = &cfg->p;
	int rc = 0;

	options_reset(cfg);
	if (in == NULL)
		return 0;
	if (in->size != sizeof(*in)) {
		EAL_LOG(ERR, "struct eal_params has size %u but this libeal's has %zu: fill it with eal_params_init() and rebuild against these headers",
			in->size, sizeof(*in));
		return -EINVAL;
	}
	*p = *in;
	p->file_prefix = cfg->file_prefix;
	p->runtime_dir = NULL;
	p->huge_dir = NULL;
	if (in->file_prefix != NULL)
		rc = copy_string(EAL_OPT_FILE_PREFIX, in->file_prefix, cfg->file_prefix,
				 sizeof(cfg->file_prefix), &p->file_prefix);
	if (rc == 0 && in->runtime_dir != NULL)
		rc = copy_string(EAL_OPT_RUNTIME_DIR, in->runtime_dir, cfg->runtime_base,
				 sizeof(cfg->runtime_base), &p->runtime_dir);
	if (rc == 0 && in->huge_dir != NULL)
		rc = copy_string(EAL_OPT_HUGE_DIR, in->huge_dir, cfg->huge_dir,
				 sizeof(cfg->huge_dir), &p->huge_dir);
	if (rc == 0 && in->base_virtaddr != 0) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%" PRIx64, in->base_virtaddr);
		rc = set_base_virtaddr(cfg, hex, in->base_virtaddr);
	}
	if (rc < 0)
		return rc;

	options_set_given(cfg, params_given(in));
	if (p->in_memory)
		p->no_shconf = true;
	return 0;
}

/* ---- checks ---------------------------------------------------------- */

/*
 * Why @s cannot be a file prefix, or NULL. The prefix names a directory
 * and starts file names, in paths built without further escaping: '/' and
 * ".." would leave the runtime base, "." would be the base itself. '%' is
 * refused as by DPDK, which builds file names with printf-style patterns;
 * control characters would end up in file names and in log lines. ".." is
 * refused anywhere in the prefix, not only as the whole of it, to keep the
 * rule simple to state.
 */
static const char *
prefix_problem(const char *s)
{
	if (s[0] == '\0')
		return "empty";
	if (strcmp(s, ".") == 0)
		return "\".\" would name the base directory itself";
	if (strstr(s, "..") != NULL)
		return "contains \"..\"";
	for (const char *c = s; *c != '\0'; c++) {
		if (*c == '/')
			return "contains '/'";
		if (*c == '%')
			return "contains '%'";
		if (!isprint((unsigned char)*c))
			return "contains a character that is not printable";
	}
	return NULL;
}

/* Only ".." as a whole component climbs: "/srv/a..b" is a fine directory. */
static bool
has_dotdot_component(const char *path)
{
	for (const char *c = path; (c = strstr(c, "..")) != NULL; c += 2)
		if ((c == path || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
			return true;
	return false;
}

/* An enum field of struct eal_params that names none of its option's keywords. */
static int
refuse_enum(enum eal_opt id, int value)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", value);
	return refuse(id, num, "expected %s", opt_defs[id].metavar);
}

/*
 * Values, one option at a time. Most of these cannot be wrong after
 * eal__options_parse(), but a struct eal_params can hold anything: an enum
 * out of range, a count beyond its array, a timeout of 0.
 */
static int
check_values(const struct eal_internal_config *cfg)
{
	const struct eal_params *p = &cfg->p;
	const char *why;
	char num[24];

	if (keyword_name(proc_type_words, p->proc_type) == NULL)
		return refuse_enum(EAL_OPT_PROC_TYPE, p->proc_type);
	why = prefix_problem(p->file_prefix);
	if (why != NULL)
		return refuse(EAL_OPT_FILE_PREFIX, p->file_prefix,
			      "%s; a prefix names a directory and files: use letters, digits, '-', '_' or '.'",
			      why);
	if (p->runtime_dir != NULL) {
		if (p->runtime_dir[0] != '/')
			return refuse(EAL_OPT_RUNTIME_DIR, p->runtime_dir, "not an absolute path");
		if (has_dotdot_component(p->runtime_dir))
			return refuse(EAL_OPT_RUNTIME_DIR, p->runtime_dir, "contains \"..\"");
		if (strlen(p->runtime_dir) >= PATH_MAX - RUNTIME_DIR_ROOM)
			return refuse(EAL_OPT_RUNTIME_DIR, p->runtime_dir,
				      "longer than %d characters: the runtime files' paths must fit in PATH_MAX",
				      PATH_MAX - RUNTIME_DIR_ROOM - 1);
	}
	if (p->huge_dir != NULL && p->huge_dir[0] == '\0')
		return refuse(EAL_OPT_HUGE_DIR, p->huge_dir, "empty");
	/* Symbolic links are resolved once at init and the real directory
	 * must be on hugetlbfs (eal_hugepage_info.c); ".." is refused as for
	 * --runtime-dir, so that what the user wrote is where files go. */
	if (p->huge_dir != NULL && has_dotdot_component(p->huge_dir))
		return refuse(EAL_OPT_HUGE_DIR, p->huge_dir, "contains \"..\"");
	if (p->n_socket_mem > EAL_MAX_NUMA_NODES) {
		snprintf(num, sizeof(num), "%u values", p->n_socket_mem);
		return refuse(EAL_OPT_SOCKET_MEM, num, TOO_MANY_NODES, EAL_MAX_NUMA_NODES);
	}
	if (p->n_socket_limit > EAL_MAX_NUMA_NODES) {
		snprintf(num, sizeof(num), "%u values", p->n_socket_limit);
		return refuse(EAL_OPT_SOCKET_LIMIT, num, TOO_MANY_NODES, EAL_MAX_NUMA_NODES);
	}
	if (keyword_name(huge_unlink_words, p->huge_unlink) == NULL)
		return refuse_enum(EAL_OPT_HUGE_UNLINK, p->huge_unlink);
	if (p->iova_mode != EAL_IOVA_DC && keyword_name(iova_mode_words, p->iova_mode) == NULL)
		return refuse_enum(EAL_OPT_IOVA_MODE, p->iova_mode);
	snprintf(num, sizeof(num), "%u", p->attach_timeout_ms);
	if (check_attach_timeout(num, p->attach_timeout_ms) < 0)
		return -EINVAL;
	if (p->log_level < 0 || p->log_level > EAL_LOG_DEBUG) {
		snprintf(num, sizeof(num), "%d", p->log_level);
		return refuse(EAL_OPT_LOG_LEVEL, num, "expected 1 (emerg) to 8 (debug), or 0 to leave the levels alone");
	}
	return 0;
}

/*
 * --in-memory unlinks every file as soon as it exists, so an explicit
 * --huge-unlink(=always) only restates it; that is why the rules below do
 * not apply with --in-memory.
 */
static bool
unlink_not_default_without_in_memory(const struct eal_params *p)
{
	return p->huge_unlink != EAL_HUGE_UNLINK_EXISTING && !p->in_memory;
}

static bool
unlink_never(const struct eal_params *p)
{
	return p->huge_unlink == EAL_HUGE_UNLINK_NEVER;
}

static bool
unlink_always_without_in_memory(const struct eal_params *p)
{
	return p->huge_unlink == EAL_HUGE_UNLINK_ALWAYS && !p->in_memory;
}

static bool
is_secondary(const struct eal_params *p)
{
	return p->proc_type == EAL_PROC_SECONDARY;
}

/* Options @a and @b are refused together when both are given and @when
 * (if set) holds. */
struct conflict {
	enum eal_opt a, b;
	bool (*when)(const struct eal_params *p);
	const char *why;
};

static const struct conflict conflicts[] = {
	{ EAL_OPT_MEMORY, EAL_OPT_SOCKET_MEM, NULL,
	  "give the total with -m or the amount per node with --socket-mem, not both" },
	{ EAL_OPT_NO_HUGE, EAL_OPT_SOCKET_MEM, NULL,
	  "memory without hugepages is not placed per NUMA node; use -m" },
	{ EAL_OPT_NO_HUGE, EAL_OPT_HUGE_UNLINK, unlink_not_default_without_in_memory,
	  "without hugepages there are no hugepage files to unlink or keep" },
	{ EAL_OPT_NO_HUGE, EAL_OPT_HUGE_REQUIRED, NULL,
	  "one asks for 4 KiB pages, the other refuses to run without hugepages" },
	{ EAL_OPT_NO_HUGE, EAL_OPT_MATCH_ALLOCATIONS, NULL,
	  "memory without hugepages is mapped once and never given back" },
	{ EAL_OPT_LEGACY_MEM, EAL_OPT_IN_MEMORY, NULL,
	  "legacy memory is mapped from hugepage files, and --in-memory uses none" },
	{ EAL_OPT_LEGACY_MEM, EAL_OPT_MATCH_ALLOCATIONS, NULL,
	  "legacy memory is never given back, so there is nothing to match" },
	{ EAL_OPT_LEGACY_MEM, EAL_OPT_SOCKET_LIMIT, NULL,
	  "legacy memory is all mapped at init, so there is nothing to limit (DPDK 22.11 only logs this)" },
	{ EAL_OPT_IN_MEMORY, EAL_OPT_HUGE_UNLINK, unlink_never,
	  "in-memory pages have no files to keep" },
	{ EAL_OPT_SINGLE_FILE_SEGMENTS, EAL_OPT_HUGE_UNLINK, unlink_always_without_in_memory,
	  "one file holds many pages and must stay until the last is freed; add --in-memory for memory with no files" },
	{ EAL_OPT_IN_MEMORY, EAL_OPT_PROC_TYPE, is_secondary,
	  "a secondary attaches through the shared files, and this option creates none" },
	{ EAL_OPT_NO_SHCONF, EAL_OPT_PROC_TYPE, is_secondary,
	  "a secondary attaches through the shared files, and this option creates none" },
};

/* An option as a conflict names it: with its keyword value, if it has one. */
static const char *
opt_describe(const struct eal_params *p, enum eal_opt id, char *buf, size_t size)
{
	const char *v = NULL;

	if (id == EAL_OPT_PROC_TYPE)
		v = keyword_name(proc_type_words, p->proc_type);
	else if (id == EAL_OPT_HUGE_UNLINK)
		v = keyword_name(huge_unlink_words, p->huge_unlink);
	else if (id == EAL_OPT_IOVA_MODE)
		v = keyword_name(iova_mode_words, p->iova_mode);
	return opt_spell(id, v, buf, size);
}

static int
refuse_pair(const struct eal_params *p, enum eal_opt a, enum eal_opt b, const char *why)
{
	char wa[OPT_WHAT_MAX], wb[OPT_WHAT_MAX];

	EAL_LOG(ERR, "%s and %s cannot be used together: %s", opt_describe(p, a, wa, sizeof(wa)),
		opt_describe(p, b, wb, sizeof(wb)), why);
	return -EINVAL;
}

/*
 * Safe to run more than once. With --help or --version nothing is checked:
 * the caller prints and stops.
 */
int
eal__options_check(struct eal_internal_config *cfg)
{
	const struct eal_params *p = &cfg->p;
	uint64_t primary_only;
	int rc;

	if (cfg->help || cfg->version)
		return 0;
	/* Values first: a conflict message quotes values, which must be sane. */
	rc = check_values(cfg);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < EAL_DIM(conflicts); i++) {
		const struct conflict *c = &conflicts[i];

		if ((cfg->given & OPTF(c->a)) && (cfg->given & OPTF(c->b)) &&
		    (c->when == NULL || c->when(p)))
			return refuse_pair(p, c->a, c->b, c->why);
	}
	/* DPDK's secondaries ignore these silently; we say so, naming the
	 * first such option in the order of the list. */
	primary_only = cfg->given & primary_only_mask;
	if (is_secondary(p) && primary_only != 0)
		return refuse_pair(p, EAL_OPT_PROC_TYPE,
				   (enum eal_opt)__builtin_ctzll(primary_only),
				   "a secondary takes this setting from the primary; leave it out");
	return 0;
}

/* ---- usage ----------------------------------------------------------- */

#define USAGE_COLUMN 30

void
eal__options_usage(const char *prgname, void *f)
{
	FILE *out = f != NULL ? f : stdout;

	fprintf(out, "Usage: %s [EAL options] [--] [application arguments]\n\nEAL options:\n",
		prgname != NULL ? prgname : "eal");
	for (int i = 0; i < EAL_OPT_COUNT; i++) {
		const struct opt_def *d = &opt_defs[i];
		char left[96];
		int n = 0;

		if (d->short_name != 0)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "-%c%s", d->short_name,
				      d->name != NULL ? ", " : "");
		if (d->name != NULL)
			n += snprintf(left + n, sizeof(left) - (size_t)n, "--%s", d->name);
		if (d->arg == OPT_ARG_OPTIONAL)
			snprintf(left + n, sizeof(left) - (size_t)n, "[=%s]", d->metavar);
		else if (d->arg == OPT_ARG_REQUIRED)
			snprintf(left + n, sizeof(left) - (size_t)n, "%s%s",
				 d->name != NULL ? "=" : " ", d->metavar);
		/* A name too long for its column gets a line of its own. */
		if (strlen(left) > USAGE_COLUMN)
			fprintf(out, "  %s\n  %-*s", left, USAGE_COLUMN, "");
		else
			fprintf(out, "  %-*s", USAGE_COLUMN, left);
		fprintf(out, " %s%s\n", d->help,
			(primary_only_mask & OPTF(i)) != 0 ? " [primary only]" : "");
	}
	fprintf(out, "\nA value may follow its option as --opt=value or --opt value (-m 64 or -m64).\n"
		     "Sizes are in MiB unless they end in K, M or G. EAL options end at \"--\"\n"
		     "or at the first argument that is not an option.\n");
}

void
eal__options_note_ignored(const struct eal_internal_config *cfg)
{
	char list[512];
	size_t len = 0;

	if (cfg->process_type != EAL_PROC_SECONDARY)
		return;
	list[0] = '\0';
	for (int id = 0; id < EAL_OPT_COUNT; id++) {
		char what[OPT_WHAT_MAX];
		int n;

		if (!(cfg->given & primary_only_mask & OPTF(id)))
			continue;
		n = snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
			     opt_spell((enum eal_opt)id, NULL, what, sizeof(what)));
		if (n < 0 || (size_t)n >= sizeof(list) - len)
			break;
		len += (size_t)n;
	}
	if (len > 0)
		EAL_LOG(WARNING, "running as a secondary: %s ignored (the primary's settings apply), ignoring",
			list);
}
