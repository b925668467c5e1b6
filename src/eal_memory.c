/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The memory stage of eal_init (STYLE R5): dispatch by mode, init in the
 * primary, attach in a secondary. Owns mcfg->iova_mode_used and
 * mcfg->nohuge_path.
 *
 * No-huge memory (--no-huge, or the fallback when no hugepage is usable):
 * -m bytes (default 64 MiB) of 4 KiB pages in one memseg list. With shared
 * files the backing is a file in /dev/shm (tmpfs), named by uid and prefix,
 * allocated up front with fallocate so that a full /dev/shm is a clear
 * ENOSPC at init rather than a SIGBUS later; secondaries map the same file
 * over the same reserved range and see the same bytes at the same
 * addresses. DPDK 22.11 cannot attach a secondary to a --no-huge primary.
 * Without shared files (--no-shconf, --in-memory) it is a memfd.
 * IOVA is the virtual address, unless --iova-mode=pa forces physical
 * addresses (and they are visible): then the pages are populated and each
 * memseg gets its page's own frame address.
 *
 * Legacy hugepage memory is src/eal_hugepage_legacy.c; the default
 * (dynamic) mode is src/eal_hugepage_dynamic.c and src/eal_memalloc.c.
 * Both hold an open file per hugepage (dynamic: unless
 * --single-file-segments), so this stage raises the soft RLIMIT_NOFILE
 * first and, when the descriptors still run out, says which limit and
 * what lifts it.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#define NOHUGE_PAGE_SZ 4096u
#define NOHUGE_SHM_DIR "/dev/shm"

/*
 * Is there room for @len bytes behind @fd? Pages of a tmpfs file are
 * allocated when first touched; allocating (and zeroing) all of them here
 * with fallocate would cost ~10 ms per 64 MiB of init time, so we only
 * check that the file system has the room now: a full /dev/shm is then a
 * clear ENOSPC at init. Space taken by others later can still fail a first
 * touch (SIGBUS), as anonymous memory can hit the OOM killer: docs say so.
 */
static int
nohuge_check_space(int fd, uint64_t len)
{
	uint64_t avail;
	int rc = eal__os_fs_avail(fd, &avail);

	if (rc < 0)
		return rc;
	return avail >= len ? 0 : -ENOSPC;
}

/* The no-huge memory file of this uid and prefix. */
static int
nohuge_file(const struct eal_internal_config *cfg, char *buf, size_t size)
{
	int n = snprintf(buf, size, NOHUGE_SHM_DIR "/eal-%u-%s.nohuge", (unsigned int)geteuid(),
			 cfg->p.file_prefix);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

static int
nohuge_open_backing(struct eal_internal_config *cfg, struct eal_mem_config *mcfg, uint64_t len)
{
	char path[sizeof(mcfg->nohuge_path)];
	int fd, rc, n;

	mcfg->nohuge_path[0] = '\0';
	if (cfg->no_shared_files) {
		rc = eal__os_memfd("eal-nohuge", 0, &fd);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot create the memory file for --no-huge: %s",
				eal_strerror(rc));
			return rc;
		}
	} else {
		n = nohuge_file(cfg, path, sizeof(path));
		if (n < 0)
			return n;
		rc = eal__os_open(path, O_RDWR | O_CREAT | O_EXCL, 0600, &fd);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot create %s for 4 KiB shared memory: %s (secondaries map this file; without them, --no-shconf keeps the memory in a memfd)",
				path, eal_strerror(rc));
			return rc;
		}
		/* Held while this primary lives (cfg->mem_fd): the name has no
		 * runtime directory in it, see nohuge_reclaim(). */
		(void)eal__os_flock(fd, LOCK_EX | LOCK_NB);
		memcpy(mcfg->nohuge_path, path, (size_t)n + 1);
	}
	rc = eal__os_ftruncate(fd, len);
	/* A memfd lives on the kernel's internal tmpfs mount, which reports
	 * no size: only a file in /dev/shm can be checked. */
	if (rc == 0 && !cfg->no_shared_files)
		rc = nohuge_check_space(fd, len);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot allocate %" PRIu64 " MiB of 4 KiB pages in %s: %s%s", len >> 20,
			cfg->no_shared_files ? "memory" : NOHUGE_SHM_DIR, eal_strerror(rc),
			rc == -ENOSPC ? " (free space there, or ask for less with -m; --no-shconf keeps the memory in a memfd instead, without secondaries)" : "");
		if (mcfg->nohuge_path[0] != '\0')
			(void)eal__os_unlink(mcfg->nohuge_path, true);
		mcfg->nohuge_path[0] = '\0';
		eal__os_close(fd);
		return rc;
	}
	cfg->mem_fd = fd;
	return 0;
}

/*
 * Remove the /dev/shm memory file a dead primary of this uid and prefix
 * left, whatever mode it ran in. The name does not say which runtime
 * directory it belongs to: a primary of the same prefix under another
 * --runtime-dir that is alive holds its lock, and then this primary
 * refuses (-EBUSY) instead of taking the other application's memory away.
 */
static int
nohuge_reclaim(const struct eal_internal_config *cfg, const char *path)
{
	int fd, rc;

	rc = eal__os_open(path, O_RDWR, 0, &fd);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		/* not a file this uid can open (a planted link): just gone */
		(void)eal__os_unlink(path, true);
		return 0;
	}
	rc = eal__os_flock(fd, LOCK_EX | LOCK_NB);
	if (rc == -EWOULDBLOCK) {
		EAL_LOG(ERR, "%s is the memory of a running primary process with --file-prefix=%s under another runtime directory; use another --file-prefix",
			path, cfg->p.file_prefix);
		eal__os_close(fd);
		return -EBUSY;
	}
	(void)eal__os_unlink(path, true);
	eal__os_close(fd);
	return 0;
}

/* --iova-mode=pa with 4 KiB pages: each memseg's IOVA from pagemap, read
 * in batches (one open, consecutive pages per pread). */
static int
nohuge_fill_pa(struct eal_memseg_list *msl, unsigned int n_segs)
{
	enum { BATCH = 512 };
	const void *addrs[BATCH];
	uint64_t pa[BATCH];

	for (unsigned int i = 0; i < n_segs; i += BATCH) {
		unsigned int n = n_segs - i < BATCH ? n_segs - i : BATCH;
		int rc;

		for (unsigned int k = 0; k < n; k++)
			addrs[k] = EAL_PTR_ADD(msl->base_va, (size_t)(i + k) * NOHUGE_PAGE_SZ);
		rc = eal__iova_virt2phys(addrs, n, pa);
		if (rc < 0) {
			EAL_LOG(ERR, "cannot read physical addresses for --iova-mode=pa: %s",
				eal_strerror(rc));
			return rc;
		}
		for (unsigned int k = 0; k < n; k++) {
			struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, i + k);

			if (pa[k] == EAL_BAD_IOVA) {
				EAL_LOG(ERR, "page %p has no physical address: cannot use --iova-mode=pa",
					ms->addr);
				return -EFAULT;
			}
			ms->iova = pa[k];
		}
	}
	return 0;
}

static int
nohuge_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	uint64_t len = cfg->p.memory != 0 ? cfg->p.memory : EAL_NO_HUGE_DEFAULT_MEMORY;
	bool pa = cfg->p.iova_mode == EAL_IOVA_PA;
	struct eal__msl_spec spec;
	struct eal_memseg_list *msl;
	int rc;

	len = EAL_ALIGN_CEIL(len, (uint64_t)NOHUGE_PAGE_SZ);
	if (len / NOHUGE_PAGE_SZ > INT32_MAX) {
		EAL_LOG(ERR, "-m %" PRIu64 " MiB is too much for 4 KiB pages (at most %" PRIu64 " MiB)",
			len >> 20, ((uint64_t)INT32_MAX * NOHUGE_PAGE_SZ) >> 20);
		return -EINVAL;
	}
	if (cfg->p.iova_mode == EAL_IOVA_PA) {
		/* PA only when forced, and only when frames are visible (root);
		 * every 4 KiB page then has its own, unrelated physical address. */
		enum eal_iova_mode mode;

		rc = eal__iova_mode_select(EAL_IOVA_PA, true, &mode);
		if (rc < 0)
			return rc;
	}
	spec = (struct eal__msl_spec){ NOHUGE_PAGE_SZ, 0, (unsigned int)(len / NOHUGE_PAGE_SZ) };
	rc = eal__memseg_lists_create(mcfg, &spec, 1);
	if (rc < 0)
		return rc;
	msl = &mcfg->memsegs[0];
	rc = nohuge_open_backing(cfg, mcfg, len);
	if (rc < 0)
		goto fail_lists;
	/* PA mode needs every page resident to have a frame: populate. */
	rc = eal__os_mmap_fixed(msl->base_va, (size_t)len, PROT_READ | PROT_WRITE,
				MAP_SHARED | (pa ? MAP_POPULATE : 0), cfg->mem_fd, 0);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot map %" PRIu64 " MiB of 4 KiB pages at %p: %s", len >> 20,
			msl->base_va, eal_strerror(rc));
		goto fail_backing;
	}
	for (unsigned int i = 0; i < spec.n_segs; i++) {
		struct eal_memseg *ms = eal_fbarray_get(&msl->memseg_arr, i);

		ms->addr = EAL_PTR_ADD(msl->base_va, (size_t)i * NOHUGE_PAGE_SZ);
		ms->iova = (eal_iova_t)(uintptr_t)ms->addr;
		ms->len = NOHUGE_PAGE_SZ;
		ms->hugepage_sz = NOHUGE_PAGE_SZ;
		ms->socket_id = 0;
		(void)eal_fbarray_set_used(&msl->memseg_arr, i);
	}
	if (pa) {
		rc = nohuge_fill_pa(msl, spec.n_segs);
		if (rc < 0)
			goto fail_backing;
	}
	msl->version++;
	mcfg->iova_mode_used = pa ? EAL_IOVA_PA : EAL_IOVA_VA;
	EAL_LOG(INFO, "%" PRIu64 " MiB of 4 KiB pages at %p%s%s", len >> 20, msl->base_va,
		mcfg->nohuge_path[0] ? ", shared through " : "", mcfg->nohuge_path);
	return 0;

fail_backing:
	if (mcfg->nohuge_path[0] != '\0')
		(void)eal__os_unlink(mcfg->nohuge_path, true);
	mcfg->nohuge_path[0] = '\0';
	eal__os_close(cfg->mem_fd);
	cfg->mem_fd = -1;
fail_lists:
	eal__memseg_lists_fini(mcfg, true);
	return rc;
}

static int
nohuge_attach(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	struct eal_memseg_list *msl = &mcfg->memsegs[0];
	uint64_t size;
	int fd, rc;

	if (mcfg->nohuge_path[0] == '\0' || memchr(mcfg->nohuge_path, '\0',
						   sizeof(mcfg->nohuge_path)) == NULL ||
	    strncmp(mcfg->nohuge_path, NOHUGE_SHM_DIR "/", sizeof(NOHUGE_SHM_DIR)) != 0) {
		EAL_LOG(ERR, "the shared config names no valid 4 KiB memory file: corrupt config");
		return -EPROTO;
	}
	rc = eal__os_open(mcfg->nohuge_path, O_RDWR, 0, &fd);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot open the primary's memory %s: %s", mcfg->nohuge_path,
			eal_strerror(rc));
		return rc;
	}
	rc = eal__os_fsize(fd, &size);
	if (rc == 0 && size < msl->len) {
		EAL_LOG(ERR, "%s is %" PRIu64 " bytes, shorter than the %zu the primary maps: not the primary's file",
			mcfg->nohuge_path, size, msl->len);
		rc = -EPROTO;
	}
	if (rc == 0)
		rc = eal__os_mmap_fixed(msl->base_va, msl->len, PROT_READ | PROT_WRITE, MAP_SHARED,
					fd, 0);
	if (rc < 0) {
		if (rc != -EPROTO)
			EAL_LOG(ERR, "cannot map the primary's memory %s at %p: %s",
				mcfg->nohuge_path, msl->base_va, eal_strerror(rc));
		eal__os_close(fd);
		return rc;
	}
	cfg->mem_fd = fd;
	return 0;
}

/*
 * Legacy memory keeps one open file per hugepage for as long as it is
 * mapped (its flock is the proof of life other primaries check), dynamic
 * memory too unless --single-file-segments: the common soft limit of 1024
 * open files is 2 GiB of 2 MiB pages. Raise the soft limit to the hard one
 * first, as the dynamic allocator does (src/eal_memalloc.c).
 */
static void
memory_raise_nofile(void)
{
	uint64_t limit;

	if (eal__os_raise_nofile(&limit) == 0)
		EAL_LOG(DEBUG, "open files limit: %" PRIu64, limit);
}

/*
 * EMFILE from the memory stage reads like a bug and the lines below it
 * blame the hugetlbfs mount: say which limit ran out and what lifts it.
 * ENFILE is the system-wide table (fs.file-max), not this process's.
 */
static void
memory_nofile_hint(const struct eal_internal_config *cfg, const struct eal_mem_config *mcfg,
		   int rc)
{
	bool per_page = mcfg->legacy_mem || !mcfg->single_file_segments;
	uint64_t limit = 0;

	if (rc == -ENFILE) {
		EAL_LOG(ERR, "the system-wide table of open files is full (sysctl fs.file-max): hugepage memory needs one open file per %s",
			per_page ? "page" : "memseg list");
		return;
	}
	if (rc != -EMFILE)
		return;
	(void)eal__os_raise_nofile(&limit);
	if (mcfg->legacy_mem)
		EAL_LOG(ERR, "out of file descriptors: --legacy-mem keeps one open file per hugepage and this process may open %" PRIu64 "; raise the limit (ulimit -n) or ask for less memory with -m/--socket-mem",
			limit);
	else if (per_page)
		EAL_LOG(ERR, "out of file descriptors: %s keeps one open file per hugepage and this process may open %" PRIu64 "; raise the limit (ulimit -n) or add --single-file-segments (one file per memseg list)",
			cfg->p.in_memory ? "--in-memory" : "dynamic memory", limit);
	else
		EAL_LOG(ERR, "out of file descriptors: this process may open %" PRIu64 " files; raise the limit (ulimit -n)",
			limit);
}

static int
memory_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	int rc;

	if (cfg->process_type == EAL_PROC_SECONDARY) {
		rc = eal__memseg_lists_attach(mcfg);
		if (rc < 0)
			return rc;
		if (mcfg->n_memseg_lists == 0)
			return 0;
		if (mcfg->no_huge) {
			rc = nohuge_attach(cfg, mcfg);
		} else if (mcfg->legacy_mem) {
			memory_raise_nofile();
			rc = eal__legacy_attach(cfg, mcfg);
		} else {
			rc = eal__dynamic_init(cfg, mcfg);
		}
		if (rc < 0)
			eal__memseg_lists_fini(mcfg, false);
		return rc;
	}
	mcfg->iova_mode_used = cfg->p.iova_mode == EAL_IOVA_PA ? EAL_IOVA_PA : EAL_IOVA_VA;
	if (!cfg->no_shared_files) {
		char path[sizeof(mcfg->nohuge_path)];

		if (nohuge_file(cfg, path, sizeof(path)) > 0) {
			rc = nohuge_reclaim(cfg, path);
			if (rc < 0)
				return rc;
		}
	}
	if (mcfg->no_huge)
		return nohuge_init(cfg, mcfg);
	if (mcfg->legacy_mem) {
		memory_raise_nofile();
		return eal__legacy_init(cfg, mcfg);
	}
	return eal__dynamic_init(cfg, mcfg);
}

int
eal__memory_init(struct eal_internal_config *cfg)
{
	struct eal_mem_config *mcfg = cfg->mcfg_addr;
	int rc;

	cfg->mem_fd = -1;
	rc = memory_init(cfg, mcfg);
	if (rc < 0 && !mcfg->no_huge)
		memory_nofile_hint(cfg, mcfg, rc);
	return rc;
}

void
eal__memory_fini(struct eal_internal_config *cfg)
{
	struct eal_mem_config *mcfg = cfg->mcfg_addr;
	bool primary = cfg->process_type == EAL_PROC_PRIMARY;

	if (mcfg == NULL)
		return;
	if (!mcfg->no_huge && !mcfg->legacy_mem)
		eal__dynamic_fini(cfg, mcfg); /* before the lists: it reads them */
	eal__memseg_lists_fini(mcfg, primary);
	eal__legacy_fini(cfg, mcfg); /* legacy pages: fds, files (eal_hugepage_legacy.c) */
	eal__os_close(cfg->mem_fd);
	cfg->mem_fd = -1;
	if (primary && mcfg->nohuge_path[0] != '\0') {
		(void)eal__os_unlink(mcfg->nohuge_path, true);
		mcfg->nohuge_path[0] = '\0';
	}
}

EAL_API enum eal_iova_mode
eal_iova_mode(void)
{
	struct eal_mem_config *mcfg = eal__mcfg();

	return mcfg != NULL ? (enum eal_iova_mode)mcfg->iova_mode_used : EAL_IOVA_DC;
}
