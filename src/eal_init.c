/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_init() and eal_cleanup(): a table of stages, each {name, do, undo}.
 *
 * Init is all or nothing (R14): when a stage fails, the stages already
 * done are undone in reverse order, so no mapping, fd, lock or runtime file
 * is left behind, and eal_errno holds the failing stage's own error (DPDK
 * overwrites it with ENOMEM). eal_cleanup() runs every undo; afterwards
 * eal_init() may run again. A process-local mutex serialises the two.
 *
 * This is the only file (with the public wrappers) that owns process-global
 * state: the internal config and the pointer to the shared config, handed
 * to every stage explicitly (R8).
 */
#define EAL_LOG_COMPONENT EAL_LOGC_EAL

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

struct eal_stage {
	const char *name;
	int (*run)(struct eal_internal_config *cfg);
	void (*undo)(struct eal_internal_config *cfg);
	/* Fault-injection point reached once the stage is done (NULL: none):
	 * a process killed there leaves that stage's files, locks and pages
	 * for the others and for the next primary to cope with. */
	const char *done_point;
};

static pthread_mutex_t init_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct eal_internal_config internal_cfg;
static struct eal_mem_config *mcfg_ptr;
static bool initialized;

static int
stage_log_levels(struct eal_internal_config *cfg)
{
	if (cfg->p.log_level != 0)
		eal__log_set_level_id(-1, cfg->p.log_level);
	for (unsigned int i = 0; i < cfg->n_log_levels; i++)
		eal__log_set_level_id(cfg->log_levels[i].component, cfg->log_levels[i].level);
	return 0;
}

static int
stage_mcfg(struct eal_internal_config *cfg)
{
	int rc = eal__mcfg_init(cfg);

	if (rc < 0)
		return rc;
	mcfg_ptr = cfg->mcfg_addr;
	eal__options_note_ignored(cfg);
	return 0;
}

static void
stage_mcfg_undo(struct eal_internal_config *cfg)
{
	mcfg_ptr = NULL;
	eal__mcfg_fini(cfg);
}

/* Whether this process can reserve hugepages (the default size's
 * nr_hugepages, as eal-hugepages writes it). */
static bool
nr_hugepages_writable(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/kernel/mm/hugepages", eal__os_sysfs_root());
	return eal__os_file_writable("/proc/sys/vm/nr_hugepages") && eal__os_exists(path);
}

/*
 * Hugepages. The primary discovers them (locking the hugetlbfs dirs until
 * memory is set up, removing its own prefix's stale files) and publishes
 * hugepage_info; a secondary reads that file. When no hugepage is usable
 * the primary falls back to 4 KiB pages with one WARNING, unless
 * --huge-required asks to fail instead. DPDK simply fails here.
 */
static int
stage_hugepage_info(struct eal_internal_config *cfg)
{
	struct eal_hugepage_info *hi = &cfg->hugepage_info;
	char path[PATH_MAX], why[256], fix[PATH_MAX + 256];
	int rc;

	memset(hi, 0, sizeof(*hi));
	for (unsigned int i = 0; i < EAL_DIM(hi->sizes); i++)
		hi->sizes[i].lock_fd = -1;
	cfg->hugepage_fallback = false;

	if (cfg->process_type == EAL_PROC_SECONDARY) {
		/* The primary's mode applies (it may have fallen back). */
		if (((struct eal_mem_config *)cfg->mcfg_addr)->no_huge)
			return 0;
		rc = eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE);
		if (rc == 0)
			rc = eal__hugepage_info_read(hi, path);
		return rc;
	}
	if (cfg->p.no_huge)
		return 0;

	rc = eal__hugepage_info_init(hi, cfg);
	if (rc < 0)
		return rc;
	if (eal__hugepage_info_usable(hi, cfg->p.in_memory, why, sizeof(why)))
		return 0;
	eal__hugepage_advice(hi, geteuid() == 0, nr_hugepages_writable(), fix, sizeof(fix));

	eal__hugepage_info_fini(hi);
	if (eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE) == 0)
		(void)eal__os_unlink(path, true);
	if (cfg->p.huge_required) {
		EAL_LOG(ERR, "no usable hugepages: %s; %s (or drop --huge-required to run on 4 KiB pages)",
			why, fix);
		return -ENOMEM;
	}
	EAL_LOG(WARNING, "no usable hugepages (%s): using 4 KiB pages instead; for hugepages %s, or pass --no-huge to choose 4 KiB pages quietly",
		why, fix);
	cfg->hugepage_fallback = true;
	cfg->p.no_huge = true;
	eal__mcfg_update_from_internal(cfg->mcfg_addr, cfg);
	return 0;
}

static void
stage_hugepage_info_undo(struct eal_internal_config *cfg)
{
	char path[PATH_MAX];

	eal__hugepage_info_fini(&cfg->hugepage_info);
	if (cfg->process_type == EAL_PROC_PRIMARY &&
	    eal__runtime_path(path, sizeof(path), EAL_HUGEPAGE_INFO_FILE) == 0)
		(void)eal__os_unlink(path, true);
	if (cfg->hugepage_fallback) {
		cfg->p.no_huge = false; /* the user did not ask for it */
		cfg->hugepage_fallback = false;
	}
}

static int
stage_complete(struct eal_internal_config *cfg)
{
	/* Memory is set up: other primaries may now count free pages. */
	eal__hugepage_dirs_unlock(&cfg->hugepage_info);
	/* Not fatal: a stale file only costs disk space. */
	if (eal__runtime_dir_clean(cfg) < 0)
		EAL_LOG(WARNING, "cannot clean stale files in %s, ignoring", cfg->runtime_dir);
	if (cfg->process_type == EAL_PROC_PRIMARY) {
		/* Secondaries reserve exactly what is left. */
		eal__region_trim(cfg->mcfg_addr);
		eal__mcfg_complete(cfg->mcfg_addr);
	}
	EAL_LOG(INFO, "initialised as %s, prefix '%s'%s%s",
		cfg->process_type == EAL_PROC_PRIMARY ? "PRIMARY" : "SECONDARY",
		cfg->p.file_prefix, cfg->runtime_dir[0] ? ", runtime dir " : ", no shared files",
		cfg->runtime_dir);
	return 0;
}

static int
stage_fbarrays(struct eal_internal_config *cfg)
{
	(void)cfg;
	return 0;
}

/* Undone before the shared config, while the address region that holds
 * the arrays is still reserved, and before the runtime directory, so the
 * fbarray files this process created are gone and it can be removed. */
static void
stage_fbarrays_undo(struct eal_internal_config *cfg)
{
	(void)cfg;
	eal__fbarray_forget_all();
}

static int
stage_heaps(struct eal_internal_config *cfg)
{
	return eal__malloc_heaps_init(cfg, cfg->mcfg_addr);
}

static int
stage_memzones(struct eal_internal_config *cfg)
{
	return eal__memzone_init(cfg, cfg->mcfg_addr);
}

static void
stage_memzones_undo(struct eal_internal_config *cfg)
{
	eal__memzone_fini(cfg, cfg->mcfg_addr);
}

static const struct eal_stage stages[] = {
	{ "log levels", stage_log_levels, NULL, NULL },
	{ "runtime directory", eal__runtime_dir_init, eal__runtime_dir_fini,
	  "init-after-runtime-dir" },
	{ "shared config", stage_mcfg, stage_mcfg_undo, "init-after-config" },
	{ "fbarrays", stage_fbarrays, stage_fbarrays_undo, NULL },
	{ "hugepage info", stage_hugepage_info, stage_hugepage_info_undo,
	  "init-after-hugepage-info" },
	{ "memory", eal__memory_init, eal__memory_fini, "init-after-memory" },
	{ "heaps", stage_heaps, NULL, "init-after-heaps" },
	{ "memzones", stage_memzones, stage_memzones_undo, "init-after-memzones" },
	{ "complete", stage_complete, NULL, NULL }, /* mcfg-before-complete inside */
};

static void
undo_stages(struct eal_internal_config *cfg, size_t done)
{
	while (done-- > 0)
		if (stages[done].undo != NULL)
			stages[done].undo(cfg);
}

static int
run_stages(struct eal_internal_config *cfg)
{
	eal__test_hook_reload();
	for (size_t i = 0; i < EAL_DIM(stages); i++) {
		int rc = stages[i].run(cfg);

		if (rc < 0) {
			EAL_LOG(DEBUG, "stage '%s' failed (%s); undoing %zu completed stage(s)",
				stages[i].name, eal_strerror(rc), i);
			undo_stages(cfg, i);
			return rc;
		}
		if (stages[i].done_point != NULL)
			eal__test_point(stages[i].done_point);
	}
	return 0;
}

/* Shared by both entry points once the settings are parsed and checked. */
static int
init_locked(struct eal_internal_config *cfg, const char *prgname)
{
	int rc;

	if (cfg->help) {
		eal__options_usage(prgname, stdout);
		return -ECANCELED;
	}
	if (cfg->version) {
		printf("libeal %s\n", EAL_VERSION);
		return -ECANCELED;
	}
	cfg->no_shared_files = cfg->p.no_shconf || cfg->p.in_memory;
	cfg->process_type = EAL_PROC_INVALID;
	rc = run_stages(cfg);
	if (rc < 0)
		return rc;
	initialized = true;
	return 0;
}

EAL_API int
eal_init(int argc, char **argv)
{
	int consumed = 0, rc;

	pthread_mutex_lock(&init_mutex);
	if (initialized) {
		rc = -EALREADY;
		goto out;
	}
	if (argc < 1 || argv == NULL) {
		EAL_LOG(ERR, "eal_init: argc must be at least 1 and argv non-NULL (argv[0] is the program name)");
		rc = -EINVAL;
		goto out;
	}
	rc = eal__options_parse(&internal_cfg, argc, argv, &consumed);
	if (rc == 0)
		rc = eal__options_check(&internal_cfg);
	if (rc == 0)
		rc = init_locked(&internal_cfg, argv[0]);
out:
	pthread_mutex_unlock(&init_mutex);
	if (rc < 0)
		return eal__fail(rc);
	/* DPDK's convention, so ported code keeps working: return the number
	 * of EAL arguments (argv[0] not counted) and put the program name
	 * just before the application's arguments, so that after
	 * `argc -= ret; argv += ret;` argv[0] is the program name again. */
	argv[consumed - 1] = argv[0];
	return consumed - 1;
}

EAL_API int
eal_init_params(const struct eal_params *p)
{
	int rc;

	pthread_mutex_lock(&init_mutex);
	if (initialized) {
		rc = -EALREADY;
		goto out;
	}
	rc = eal__options_from_params(&internal_cfg, p);
	if (rc == 0)
		rc = eal__options_check(&internal_cfg);
	if (rc == 0)
		rc = init_locked(&internal_cfg, "eal");
out:
	pthread_mutex_unlock(&init_mutex);
	return rc < 0 ? eal__fail(rc) : 0;
}

EAL_API int
eal_cleanup(void)
{
	pthread_mutex_lock(&init_mutex);
	if (!initialized) {
		pthread_mutex_unlock(&init_mutex);
		return eal__fail(-EALREADY);
	}
	undo_stages(&internal_cfg, EAL_DIM(stages));
	internal_cfg.process_type = EAL_PROC_INVALID;
	initialized = false;
	pthread_mutex_unlock(&init_mutex);
	return 0;
}

EAL_API enum eal_proc_type
eal_process_type(void)
{
	return initialized ? internal_cfg.process_type : EAL_PROC_INVALID;
}

EAL_API const char *
eal_runtime_dir(void)
{
	if (!initialized || internal_cfg.runtime_dir[0] == '\0') {
		return eal__fail_null(-ENOENT);
	}
	return internal_cfg.runtime_dir;
}

EAL_API int
eal_primary_proc_alive(const char *config_file_path)
{
	char path[PATH_MAX];

	if (config_file_path != NULL)
		return eal__primary_alive_at(config_file_path);
	if (!initialized)
		return 0;
	/* Without shared files the only primary is this very process. */
	if (internal_cfg.no_shared_files)
		return internal_cfg.process_type == EAL_PROC_PRIMARY;
	if (eal__runtime_path(path, sizeof(path), "config") < 0)
		return 0;
	return eal__primary_alive_at(path);
}

EAL_API const char *
eal_version(void)
{
	return EAL_VERSION;
}

struct eal_mem_config *
eal__mcfg(void)
{
	return mcfg_ptr;
}

const struct eal_internal_config *
eal__internal_cfg(void)
{
	return initialized ? &internal_cfg : NULL;
}

bool
eal__initialized(void)
{
	return initialized;
}
