/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct eal_hugepage_info: what a primary learned about the machine's
 * hugepages, and what it tells its secondaries (eal_hugepage_info.c).
 *
 * Words, as in src/eal_memcfg.h: a *page size* is one hugepage size the
 * kernel offers (a directory <sysfs>/kernel/mm/hugepages/hugepages-<N>kB);
 * its *mount* is the hugetlbfs mount point chosen for it, and its *dir* is
 * where backing files go: the mount itself, or the --huge-dir directory
 * under it. *Usable* pages are the ones this primary may take: free pages
 * not promised to someone else, per NUMA node.
 *
 * The struct is process-local. The primary publishes it to secondaries as
 * the "hugepage_info" file in the runtime directory: a versioned,
 * checksummed record without the lock fds (docs/hugepages.md describes
 * the format byte by byte).
 */
#ifndef EAL_HUGEPAGE_INFO_H
#define EAL_HUGEPAGE_INFO_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_hugepage.h"

struct eal_internal_config;

/* Name of the record in the runtime directory. */
#define EAL_HUGEPAGE_INFO_FILE "hugepage_info"

/* One page size. */
struct eal_hugepage_size_info {
	uint64_t page_size;        /* bytes, a power of two */
	/* Counts from <sysfs>/kernel/mm/hugepages/hugepages-<N>kB/ */
	uint64_t nr_pages;         /* nr_hugepages: reserved (persistent) pages */
	uint64_t free_pages;       /* free_hugepages: not mapped by anyone */
	uint64_t resv_pages;       /* resv_hugepages: free but promised to a mapping */
	uint64_t surplus_pages;    /* surplus_hugepages: allocated beyond nr */
	uint64_t overcommit_pages; /* nr_overcommit_hugepages: surplus allowed */
	/* Per node, from <sysfs>/devices/system/node/node<N>/hugepages/ */
	unsigned int n_nodes;      /* highest node with data + 1; 0: no data */
	uint64_t node_nr_pages[EAL_MAX_NUMA_NODES];
	uint64_t node_free_pages[EAL_MAX_NUMA_NODES];
	/* Where backing files go: the mount or the --huge-dir directory
	 * under it; "" when no writable hugetlbfs is mounted for the size. */
	char dir[PATH_MAX];
	bool mounted;
	/* Pages this primary may use, per node (DPDK's rule): in dynamic
	 * mode each node's free count; in legacy mode, or when no node has
	 * data, free - resv + (overcommit - surplus) on node 0. Zero for a
	 * size that cannot be used (unmounted outside --in-memory). */
	uint32_t num_pages[EAL_MAX_NUMA_NODES];
	/* Process-local: the flock(LOCK_EX)ed fd of dir, or -1. Never
	 * written to the record. */
	int lock_fd;
};

struct eal_hugepage_info {
	unsigned int n_sizes;      /* valid entries of sizes[] */
	uint64_t default_size;     /* meminfo Hugepagesize, bytes; 0: unknown */
	struct eal_hugepage_size_info sizes[EAL_MAX_HUGEPAGE_SIZES]; /* largest first */
};

/* ---- discovery and the primary's sequence ------------------------------ */

/*
 * Read sysfs and procfs (roots: eal__os_sysfs_root/procfs_root) into
 * *hi: sizes largest first with their counts, per-node counts, the default
 * size, the hugetlbfs mount (or @huge_dir, which must be a hugetlbfs mount
 * point or a directory under one) of each size, and num_pages under the
 * rules of @in_memory and @legacy_mem. No lock is taken, nothing written;
 * every lock_fd is -1. No hugepage support at all is 0 sizes, not an error.
 * Returns -EIO (a file could not be read or parsed; one ERR names it),
 * -EINVAL (@huge_dir is unusable; one ERR says why) or -ENOMEM. *hi is
 * untouched on failure.
 */
int eal__hugepage_info_discover(struct eal_hugepage_info *hi, const char *huge_dir,
				bool in_memory, bool legacy_mem);

/*
 * The primary's sequence: discover; flock(LOCK_EX) each chosen dir
 * (blocking: another primary may be counting the same pages); remove this
 * prefix's stale backing files that no live process holds (with
 * --huge-unlink=never they are kept and counted as usable instead); count
 * usable pages; write <runtime dir>/hugepage_info when the process has a
 * runtime directory. The dir locks stay held until
 * eal__hugepage_dirs_unlock(). All or nothing: on failure nothing is held
 * and *hi is untouched.
 */
int eal__hugepage_info_init(struct eal_hugepage_info *hi, const struct eal_internal_config *cfg);

/* Release the dir locks (after memory init). Idempotent. */
void eal__hugepage_dirs_unlock(struct eal_hugepage_info *hi);

/* Release everything *hi holds. Idempotent; a zeroed struct is fine. */
void eal__hugepage_info_fini(struct eal_hugepage_info *hi);

/*
 * Whether any size has usable pages. When none has, @why (when not NULL)
 * gets one sentence saying why, such as "no hugepages reserved" or
 * "all 64 reserved 2048 kB pages are in use".
 */
bool eal__hugepage_info_usable(const struct eal_hugepage_info *hi, bool in_memory, char *why,
			       size_t why_len);

/* ---- backing file names ------------------------------------------------ */

/* "<dir>/<prefix>map_<idx>" (list < 0) or "<dir>/<prefix>map_<list>_<idx>".
 * -ENAMETOOLONG when it does not fit in @size. */
int eal__hugepage_file_path(char *buf, size_t size, const char *dir, const char *prefix,
			    int list, unsigned int idx);

/* Whether @name is exactly "<prefix>map_<digits>" or
 * "<prefix>map_<digits>_<digits>" (so "a" never claims "abmap_0"). */
bool eal__hugepage_file_is_ours(const char *name, const char *prefix);

/* ---- the hugepage_info record ------------------------------------------ */

/* Write *hi to @path atomically (0600). */
int eal__hugepage_info_write(const struct eal_hugepage_info *hi, const char *path);

/* Read and check a record written by eal__hugepage_info_write(). Refuses
 * anything truncated, oversized, corrupt, of another version or out of
 * range with -EPROTO and one ERR line; -errno when it cannot be read.
 * Every lock_fd of the result is -1. */
int eal__hugepage_info_read(struct eal_hugepage_info *hi, const char *path);

/* Largest record size, for readers' buffers. */
size_t eal__hugepage_info_record_max(void);

/* Encode into @buf (at least eal__hugepage_info_record_max() bytes). */
int eal__hugepage_info_encode(const struct eal_hugepage_info *hi, void *buf, size_t size,
			      size_t *ret_len);

/* Decode and check @len bytes. -EPROTO when the content is refused, with
 * the reason in @why (when not NULL). *hi is untouched on failure. */
int eal__hugepage_info_decode(struct eal_hugepage_info *hi, const void *buf, size_t len,
			      char *why, size_t why_len);

/* The checksum a record of @len bytes should carry (fuzzers use it to
 * reach the checks behind the checksum). 0 when @len is below a header. */
uint64_t eal__hugepage_info_record_checksum(const void *buf, size_t len);

/* ---- parsers over memory (exposed for tests and fuzzing) --------------- */

/* A sysfs count: decimal digits, then optional white space. -EINVAL when
 * malformed, -ERANGE above UINT64_MAX. */
int eal__hugepage_parse_count(const char *buf, size_t len, uint64_t *ret_count);

/* A sysfs directory name "hugepages-<N>kB" into bytes (a power of two). */
int eal__hugepage_parse_dirname(const char *name, uint64_t *ret_size);

/* "Hugepagesize: <N> kB" of a meminfo text: -ENOENT without that line,
 * -EINVAL when it is malformed. */
int eal__hugepage_parse_meminfo(const char *buf, size_t len, uint64_t *ret_size);

/* One hugetlbfs line of a mounts text. */
struct eal_hugepage_mount {
	char path[PATH_MAX]; /* mount point, octal escapes decoded */
	uint64_t page_size;  /* pagesize= in bytes; 0 when the option is absent */
	bool read_only;      /* "ro" option */
};

/* Called for each hugetlbfs mount in file order: 0 continues, anything
 * else stops the parse and is returned. */
typedef int (*eal__hugepage_mount_cb)(void *arg, const struct eal_hugepage_mount *m);

/* Parse a mounts text (/proc/mounts format). -EINVAL when a line is
 * malformed (*ret_line, when not NULL, gets its 1-based number). */
int eal__hugepage_parse_mounts(const char *buf, size_t len, eal__hugepage_mount_cb cb, void *arg,
			       unsigned int *ret_line);

#endif /* EAL_HUGEPAGE_INFO_H */
