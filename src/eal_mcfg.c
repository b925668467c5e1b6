/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared config: create (primary), attach (secondary), complete, and
 * the public lock functions. Owns every header and mode field of struct
 * eal_mem_config (src/eal_memcfg.h).
 *
 * Primary: open <runtime>/config, take an OFD write lock on the header
 * range (held for the life of the process; the kernel drops it when the
 * process dies, which is how others know the primary is alive), reserve
 * the address region (src/eal_region.c) and map the file at its start,
 * fill the header, and at the very end of eal_init write `complete`.
 *
 * Secondary: open the file, check that the primary holds the lock, read
 * the header (pread: nothing is mapped yet), check magic, version and
 * size, wait (bounded, and failing fast when the primary dies) for
 * `complete`, reserve the whole region at the primary's address as this
 * process's first mapping, then map the file read-write at its start.
 *
 * Auto: whoever gets the lock is the primary; everyone else attaches.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MCFG

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The primary's OFD lock covers the header; eal_primary_proc_alive()
 * tests the same range. */
#define MCFG_LOCK_START 0
#define MCFG_LOCK_LEN 64

static size_t
mcfg_map_len(void)
{
	return EAL_ALIGN_CEIL(sizeof(struct eal_mem_config), eal__os_page_size());
}

/* @zeroed: the memory is known to be zero (a new file or an anonymous
 * mapping): not writing ~400 KiB of zeros saves a page fault per page of
 * the config that init never touches. */
static void
mcfg_fill(struct eal_mem_config *mcfg, const struct eal_internal_config *cfg, bool zeroed)
{
	/* A stale config of a dead primary may be reused: `complete` goes to
	 * zero first so nobody attaches to a half-written one. */
	__atomic_store_n(&mcfg->complete, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&mcfg->magic, 0, __ATOMIC_SEQ_CST);
	if (!zeroed)
		memset((char *)mcfg + sizeof(mcfg->magic), 0, sizeof(*mcfg) - sizeof(mcfg->magic));
	mcfg->version = EAL_MCFG_VERSION;
	mcfg->size = (uint32_t)sizeof(*mcfg);
	mcfg->primary_pid = eal__os_getpid();
	mcfg->mem_cfg_addr = (uint64_t)(uintptr_t)mcfg;
	eal__region_init_shared(mcfg);
	eal_rwlock_init(&mcfg->memory_hotplug_lock);
	eal_rwlock_init(&mcfg->mlock);
	eal__mcfg_update_from_internal(mcfg, cfg);
	mcfg->iova_mode = (uint32_t)cfg->p.iova_mode;
	mcfg->base_virtaddr = cfg->p.base_virtaddr != 0 ? cfg->p.base_virtaddr
							 : EAL_DEFAULT_BASE_VIRTADDR;
	__atomic_store_n(&mcfg->magic, EAL_MCFG_MAGIC, __ATOMIC_RELEASE);
}

/* Reserve the address region and map the config at its start: over the
 * reservation, so nothing can come in between. @fd < 0: anonymous. */
static int
mcfg_map_primary(struct eal_internal_config *cfg, int fd)
{
	uint64_t base = cfg->p.base_virtaddr != 0 ? cfg->p.base_virtaddr : EAL_DEFAULT_BASE_VIRTADDR;
	size_t len = mcfg_map_len();
	void *addr;
	int rc;

	rc = eal__region_reserve(base, cfg->base_virtaddr_set, &addr);
	if (rc < 0)
		return rc;
	if (fd >= 0)
		rc = eal__os_mmap_fixed(addr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	else
		rc = eal__os_mmap_fixed(addr, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot map the %s config (%zu bytes) at %p: %s",
			fd >= 0 ? "shared" : "process", len, addr, eal_strerror(rc));
		eal__region_unmap(addr, eal__region_head_len());
		return rc;
	}
	cfg->mcfg_addr = addr;
	cfg->mcfg_len = len;
	return 0;
}

static int
mcfg_create_anonymous(struct eal_internal_config *cfg)
{
	int rc = mcfg_map_primary(cfg, -1); /* logs its failures */

	if (rc < 0)
		return rc;
	cfg->mcfg_fd = -1;
	cfg->process_type = EAL_PROC_PRIMARY;
	mcfg_fill(cfg->mcfg_addr, cfg, true);
	return 0;
}

/* Open (creating if needed) and try to take the primary's lock. *ret_locked tells whether this
 * process is now the primary. */
static int
mcfg_open_and_lock(const char *path, int *ret_fd, bool *ret_locked)
{
	int fd, rc;

	rc = eal__os_open(path, O_RDWR | O_CREAT, 0600, &fd);
	if (rc < 0)
		return rc;
	rc = eal__os_range_lock(fd, F_WRLCK, MCFG_LOCK_START, MCFG_LOCK_LEN, false);
	if (rc < 0 && rc != -EAGAIN) {
		eal__os_close(fd);
		return rc;
	}
	*ret_fd = fd;
	*ret_locked = rc == 0;
	return 0;
}

static int
mcfg_become_primary(struct eal_internal_config *cfg, const char *path, int fd)
{
	uint64_t old_size = 1;
	int rc;

	/* A new file is all zeros once sized; a stale one is cleared. */
	(void)eal__os_fsize(fd, &old_size);
	rc = eal__os_ftruncate(fd, mcfg_map_len());
	if (rc < 0)
		goto fail;
	rc = mcfg_map_primary(cfg, fd);
	if (rc < 0)
		goto fail_logged;
	cfg->mcfg_fd = fd;
	cfg->process_type = EAL_PROC_PRIMARY;
	mcfg_fill(cfg->mcfg_addr, cfg, old_size == 0);
	EAL_LOG(DEBUG, "primary: shared config %s mapped at %p (%zu bytes)", path, cfg->mcfg_addr,
		cfg->mcfg_len);
	eal__test_point("mcfg-primary-created");
	return 0;

fail:
	EAL_LOG(ERR, "cannot set up the shared config %s: %s", path, eal_strerror(rc));
fail_logged:
	(void)eal__os_unlink(path, true);
	eal__os_close(fd);
	return rc;
}

/* Wait until the primary has finished init. Returns 0, -EPROTO (not our
 * file, or another layout), -ESRCH (primary died) or -ETIMEDOUT. */
static int
mcfg_wait_complete(const struct eal_internal_config *cfg, const char *path, int fd,
		   struct eal_mcfg_header *hdr)
{
	uint64_t deadline = eal__os_time_ns() + (uint64_t)cfg->p.attach_timeout_ms * 1000000ull;
	unsigned int sleep_us = 50;
	bool locked;
	int rc;

	for (;;) {
		/* pread is coherent with the primary's stores through its
		 * shared mapping (the same page cache pages). */
		rc = eal__os_pread(fd, hdr, sizeof(*hdr), 0);
		if (rc < 0)
			return rc;
		if (hdr->magic == EAL_MCFG_MAGIC) {
			if (hdr->version != EAL_MCFG_VERSION || hdr->size != sizeof(struct eal_mem_config)) {
				EAL_LOG(ERR, "%s has layout version 0x%x (%u bytes) but this libeal %s uses 0x%x (%zu bytes): primary and secondary must use the same libeal version",
					path, hdr->version, hdr->size, EAL_VERSION, EAL_MCFG_VERSION,
					sizeof(struct eal_mem_config));
				return -EPROTO;
			}
			if (hdr->complete == EAL_MCFG_COMPLETE)
				return 0;
		} else if (hdr->magic != 0) {
			/* The primary writes zero before the magic, never garbage. */
			EAL_LOG(ERR, "%s is not a libeal shared config (bad magic 0x%llx); is another program using --file-prefix=%s?",
				path, (unsigned long long)hdr->magic, cfg->p.file_prefix);
			return -EPROTO;
		}
		rc = eal__os_range_lock_test(fd, MCFG_LOCK_START, MCFG_LOCK_LEN, &locked);
		if (rc < 0)
			return rc;
		if (!locked) {
			EAL_LOG(ERR, "the primary process of --file-prefix=%s died before finishing init; start a new primary",
				cfg->p.file_prefix);
			return -ESRCH;
		}
		if (eal__os_time_ns() > deadline) {
			EAL_LOG(ERR, "the primary process (pid %d) of --file-prefix=%s did not finish init within %u ms; is it stuck? (raise --attach-timeout to wait longer)",
				(int)hdr->primary_pid, cfg->p.file_prefix, cfg->p.attach_timeout_ms);
			return -ETIMEDOUT;
		}
		eal__os_sleep_us(sleep_us);
		if (sleep_us < 5000)
			sleep_us *= 2;
	}
}

static int
mcfg_attach(struct eal_internal_config *cfg, const char *path, int fd)
{
	const size_t len = mcfg_map_len();
	struct eal_mcfg_header hdr;
	void *addr, *want;
	uint64_t fsize;
	bool locked;
	int rc;

	rc = eal__os_range_lock_test(fd, MCFG_LOCK_START, MCFG_LOCK_LEN, &locked);
	if (rc < 0)
		goto fail;
	if (!locked) {
		EAL_LOG(ERR, "no primary process runs with --file-prefix=%s (%s is not held by any process); start the primary first",
			cfg->p.file_prefix, path);
		rc = -ESRCH;
		goto fail_logged;
	}
	rc = eal__os_fsize(fd, &fsize);
	if (rc < 0)
		goto fail;
	/* A primary that has just taken the lock may not have sized the file
	 * yet: give it the attach timeout. Anything shorter than the struct
	 * would fault (SIGBUS) when read, so it is never mapped. */
	if (fsize < sizeof(struct eal_mem_config)) {
		uint64_t deadline = eal__os_time_ns() + (uint64_t)cfg->p.attach_timeout_ms * 1000000ull;

		while (fsize < sizeof(struct eal_mem_config) && eal__os_time_ns() < deadline) {
			eal__os_sleep_us(500);
			rc = eal__os_fsize(fd, &fsize);
			if (rc < 0)
				goto fail;
		}
		if (fsize < sizeof(struct eal_mem_config)) {
			EAL_LOG(ERR, "%s is %llu bytes, shorter than a shared config (%zu); it is truncated or not a libeal config",
				path, (unsigned long long)fsize, sizeof(struct eal_mem_config));
			rc = -EPROTO;
			goto fail_logged;
		}
	}

	rc = mcfg_wait_complete(cfg, path, fd, &hdr);
	if (rc < 0)
		goto fail_logged;
	want = (void *)(uintptr_t)hdr.mem_cfg_addr;
	/* The kernel never gives a primary page 0, but a privileged
	 * MAP_FIXED_NOREPLACE there succeeds: a zeroed field would leave
	 * this process with its config "at NULL", where everything takes
	 * it for absent. */
	if (want == NULL || ((uintptr_t)want & (eal__os_page_size() - 1)) != 0) {
		EAL_LOG(ERR, "%s records the shared config at address 0x%llx, where no primary maps it (zero or not page-aligned): the file is corrupt; start a new primary",
			path, (unsigned long long)(uintptr_t)want);
		rc = -EPROTO;
		goto fail_logged;
	}
	/* This process's first mapping of the application: all of it. */
	rc = eal__region_attach(hdr.mem_cfg_addr, hdr.region_len);
	if (rc < 0)
		goto fail_logged;
	rc = eal__os_mmap_fixed(want, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (rc < 0) {
		eal__region_unmap(want, hdr.region_len);
		goto fail;
	}
	addr = want;
	eal__os_close(fd);
	cfg->mcfg_fd = -1;
	cfg->mcfg_addr = addr;
	cfg->mcfg_len = len;
	cfg->process_type = EAL_PROC_SECONDARY;
	EAL_LOG(DEBUG, "secondary: shared config %s mapped at %p, primary pid %d", path, addr,
		(int)((struct eal_mem_config *)addr)->primary_pid);
	__atomic_fetch_add(&((struct eal_mem_config *)addr)->n_secondaries, 1, __ATOMIC_RELAXED);
	return 0;

fail:
	EAL_LOG(ERR, "cannot attach to the shared config %s: %s", path, eal_strerror(rc));
fail_logged:
	eal__os_close(fd);
	return rc;
}

/* O_NOFOLLOW turns a planted symbolic link into ELOOP, whose text
 * ("Too many levels of symbolic links") does not say what to do. */
static void
mcfg_open_failed(const char *path, int rc)
{
	if (rc == -ELOOP)
		EAL_LOG(ERR, "cannot open the shared config %s: it is a symbolic link, which libeal never creates and does not follow (it could redirect writes to another file); remove it",
			path);
	else
		EAL_LOG(ERR, "cannot open the shared config %s: %s", path, eal_strerror(rc));
}

int
eal__mcfg_init(struct eal_internal_config *cfg)
{
	char path[PATH_MAX];
	bool locked = false;
	int fd = -1, rc;

	cfg->mcfg_fd = -1;
	cfg->mcfg_addr = NULL;
	if (cfg->no_shared_files)
		return mcfg_create_anonymous(cfg);

	rc = eal__runtime_path(path, sizeof(path), "config");
	if (rc < 0) {
		EAL_LOG(ERR, "runtime path of the shared config: %s", eal_strerror(rc));
		return rc;
	}

	switch (cfg->p.proc_type) {
	case EAL_PROC_SECONDARY:
		rc = eal__os_open(path, O_RDWR, 0, &fd);
		if (rc == -ENOENT) {
			EAL_LOG(ERR, "no primary process runs with --file-prefix=%s (%s does not exist); start the primary first",
				cfg->p.file_prefix, path);
			return rc;
		}
		if (rc < 0) {
			mcfg_open_failed(path, rc);
			return rc;
		}
		return mcfg_attach(cfg, path, fd);
	case EAL_PROC_PRIMARY:
	case EAL_PROC_AUTO:
	default:
		rc = mcfg_open_and_lock(path, &fd, &locked);
		if (rc < 0) {
			mcfg_open_failed(path, rc);
			return rc;
		}
		if (locked) {
			/* Secondaries of a primary that died still map this
			 * config and the prefix's arrays: taking the file over
			 * would wipe their config under them (and fail later on
			 * an fbarray, naming the file, not the cause). */
			unsigned int orphans = eal__runtime_dir_held_arrays(cfg);

			if (orphans > 0) {
				EAL_LOG(ERR, "cannot start a primary with --file-prefix=%s: processes of a previous primary that died still map %u of its arrays (orphaned secondaries); stop them first (`eal-info --list` shows the prefix as orphans)",
					cfg->p.file_prefix, orphans);
				eal__os_close(fd);
				return -EBUSY;
			}
			return mcfg_become_primary(cfg, path, fd);
		}
		if (cfg->p.proc_type == EAL_PROC_PRIMARY) {
			EAL_LOG(ERR, "cannot lock %s: is another primary process running with --file-prefix=%s? (use another --file-prefix, or --proc-type=secondary to attach to it)",
				path, cfg->p.file_prefix);
			eal__os_close(fd);
			return -EBUSY;
		}
		EAL_LOG(INFO, "auto-detected process type: SECONDARY");
		return mcfg_attach(cfg, path, fd);
	}
}

void
eal__mcfg_fini(struct eal_internal_config *cfg)
{
	struct eal_mem_config *mcfg = cfg->mcfg_addr;
	char path[PATH_MAX];

	if (mcfg == NULL)
		return;
	if (cfg->process_type == EAL_PROC_SECONDARY)
		__atomic_fetch_sub(&mcfg->n_secondaries, 1, __ATOMIC_RELAXED);
	else if (cfg->mcfg_fd >= 0) {
		/* Unlink while still holding the lock, so no secondary can find
		 * an unlocked config in between and take it for a stale one. */
		__atomic_store_n(&mcfg->complete, 0, __ATOMIC_SEQ_CST);
		if (eal__runtime_path(path, sizeof(path), "config") == 0)
			(void)eal__os_unlink(path, true);
	}
	/* The config is the region's first piece: everything goes. */
	eal__region_unmap(cfg->mcfg_addr, mcfg->region_len);
	eal__os_close(cfg->mcfg_fd);
	cfg->mcfg_fd = -1;
	cfg->mcfg_addr = NULL;
	cfg->mcfg_len = 0;
}

/* Mode flags the primary settled after the config was created (the
 * fallback to 4 KiB pages); the only place they are copied (R9). */
void
eal__mcfg_update_from_internal(struct eal_mem_config *mcfg, const struct eal_internal_config *cfg)
{
	mcfg->no_huge = cfg->p.no_huge;
	mcfg->legacy_mem = cfg->p.legacy_mem;
	mcfg->single_file_segments = cfg->p.single_file_segments;
	mcfg->huge_unlink = (uint32_t)cfg->p.huge_unlink;
	for (unsigned int i = 0; i < EAL_MAX_NUMA_NODES; i++)
		mcfg->socket_limit[i] = i < cfg->p.n_socket_limit ? cfg->p.socket_limit[i] : 0;
}

void
eal__mcfg_complete(struct eal_mem_config *mcfg)
{
	eal__test_point("mcfg-before-complete");
	__atomic_store_n(&mcfg->complete, EAL_MCFG_COMPLETE, __ATOMIC_RELEASE);
}

bool
eal__mcfg_primary_exited(void)
{
	char path[PATH_MAX];

	return eal__runtime_path(path, sizeof(path), "config") == 0 && !eal__os_exists(path);
}

int
eal__primary_alive_at(const char *path)
{
	bool locked = false;
	int fd, rc;

	rc = eal__os_open(path, O_RDONLY, 0, &fd);
	if (rc < 0)
		return 0;
	rc = eal__os_range_lock_test(fd, MCFG_LOCK_START, MCFG_LOCK_LEN, &locked);
	eal__os_close(fd);
	return rc == 0 && locked;
}

/* ---- public lock functions ------------------------------------------ */

#define MCFG_LOCK_FN(name, field, op) \
	EAL_API void eal_mcfg_##name(void) \
	{ \
		struct eal_mem_config *mcfg = eal__mcfg(); \
		if (mcfg != NULL) \
			eal_rwlock_##op(&mcfg->field); \
	}

MCFG_LOCK_FN(mem_read_lock, memory_hotplug_lock, read_lock)
MCFG_LOCK_FN(mem_read_unlock, memory_hotplug_lock, read_unlock)
MCFG_LOCK_FN(mem_write_lock, memory_hotplug_lock, write_lock)
MCFG_LOCK_FN(mem_write_unlock, memory_hotplug_lock, write_unlock)
MCFG_LOCK_FN(mlock_read_lock, mlock, read_lock)
MCFG_LOCK_FN(mlock_read_unlock, mlock, read_unlock)
MCFG_LOCK_FN(mlock_write_lock, mlock, write_lock)
MCFG_LOCK_FN(mlock_write_unlock, mlock, write_unlock)

EAL_API int
eal_mcfg_get_single_file_segments(void)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	return mcfg != NULL && mcfg->single_file_segments;
}
