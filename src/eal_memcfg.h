/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * struct eal_mem_config: the state every process of an application shares.
 *
 * Glossary (these words mean exactly this everywhere in libeal, R4):
 * - system page: the kernel's base page (4 KiB on x86_64).
 * - hugepage: a page from a hugetlbfs pool (2 MiB, 1 GiB).
 * - segment (memseg): one page of memory managed by libeal, system page or
 *   hugepage, with its virtual address, IOVA and NUMA node.
 * - memseg list (MSL): an fbarray of segments over one VA reservation, all
 *   of one memory type.
 * - memory type: page size x NUMA node, as DPDK.
 * - memzone: a named, reserved block of shared memory.
 * - heap element: a block of a malloc heap, with its header.
 * - primary / secondary: the process that created this config / one that
 *   attached to it.
 *
 * The primary maps this struct from <runtime dir>/config at an address it
 * records in mem_cfg_addr; secondaries map it at that same address, so
 * pointers inside it are valid everywhere. Without shared files
 * (--no-shconf, --in-memory) it is anonymous memory.
 *
 * Ownership (R7): each field is written only by the file named beside it;
 * others read it or call the owner's functions.
 *
 * Lock order (take them in this order, release in reverse; the one
 * statement of it, which other files refer to):
 *   1. mlock                 (memzones)
 *   2. heap locks            (one per heap; one at a time, except the
 *                             reclaim of pages in no heap, which takes
 *                             all of them in index order)
 *   3. memory_hotplug_lock   (memory layout: memseg lists and pages)
 * A heap that gives pages back holds its lock while the page allocator
 * takes the hotplug lock; a heap grows by mapping pages first, without
 * its lock. Nothing takes a heap lock or mlock with the hotplug lock held
 * (event callbacks, which run then, must not allocate).
 * All are eal_rwlock: a holder killed with SIGKILL does not block others.
 *
 * Layout versioning: EAL_MCFG_VERSION changes whenever the layout below
 * changes; a secondary refuses a config with another version or size.
 */
#ifndef EAL_MEMCFG_H
#define EAL_MEMCFG_H

#include <stddef.h>
#include <stdint.h>

#include "eal_build_config.h"
#include "eal_fbarray.h"
#include "eal_lock.h"
#include "eal_memory.h"
#include "eal_malloc_heap.h"
#include "eal_memzone.h"

/* "EALMCFG\0" as a little-endian number; written when the file is set up. */
#define EAL_MCFG_MAGIC 0x0047464d434c4145ull
/* Bump on any layout change. High 16 bits: library major version. */
#define EAL_MCFG_VERSION ((uint32_t)(EAL_VERSION_MAJOR << 16) | 9u)
/* Value of `complete` once the primary finished init. */
#define EAL_MCFG_COMPLETE 0x434f4d50u /* "COMP" */

/*
 * The address region (src/eal_region.c): one range of address space
 * holds everything the processes share, at the same address in each:
 *
 *   mem_cfg_addr                                   + region_len
 *   | config | fbarray area (512 MiB) | pad | memseg VA (all lists) |
 *
 * The primary reserves it at --base-virtaddr (default
 * EAL_DEFAULT_BASE_VIRTADDR); a secondary reserves all of it with one
 * MAP_FIXED_NOREPLACE before it maps anything, then maps each piece
 * inside it with MAP_FIXED. Whatever is unmapped inside it goes back to a
 * PROT_NONE reservation, never to the kernel, while the process uses it.
 */
#define EAL_REGION_GRANULE (64ull << 10)
#define EAL_REGION_FBARRAY_LEN (512ull << 20)
#define EAL_REGION_FBARRAY_GRANULES (EAL_REGION_FBARRAY_LEN / EAL_REGION_GRANULE)

/* Pinned VA ranges remembered per heap (more: n_pinned is
 * EAL_MCFG_HEAP_PINNED_UNKNOWN and every free checks its pages). */
#define EAL_MCFG_HEAP_PINNED 4
#define EAL_MCFG_HEAP_PINNED_UNKNOWN UINT32_MAX

/* A heap and the page size of its memory (eal_malloc_heap.c). pinned[]:
 * the VA ranges [lo, hi) of the pages mapped at init that never go back
 * (-m, --socket-mem), so that a free next to them does not try;
 * release_low: the heap's lowest free_size since it last tried to give
 * pages back (both under the heap's lock). */
struct eal_mcfg_heap {
	struct eal_malloc_heap heap;
	uint64_t page_sz;
	uint64_t release_low;
	uint32_t n_pinned;
	uint32_t reserved;
	uint64_t pinned[EAL_MCFG_HEAP_PINNED][2];
};

/*
 * Pages a process is mapping for a heap that no heap owns yet
 * (eal_memalloc.c): claimed before the pages are marked in use, given
 * their range under the hotplug write lock, cleared once the heap owns
 * them (under its lock). A process killed in between leaves its pages in
 * no heap; eal__memalloc_reclaim() gives back every heap page that no heap
 * owns and no live process has in flight.
 */
#define EAL_MCFG_MAX_INFLIGHT 64
struct eal_mcfg_inflight {
	int32_t pid;  /* 0: free */
	uint32_t pad;
	uint64_t va;  /* first page */
	uint64_t len; /* 0: no pages yet */
};

/* Processes that map dynamic memory and must follow layout changes. */
#define EAL_MCFG_MAX_PROCS 64

/*
 * One process in the hotplug table (eal_memalloc.c). A process that
 * changes the memory layout bumps hotplug_gen and waits until every live
 * process listed here has applied it (seen_gen), for a bounded time.
 */
struct eal_mcfg_proc {
	int32_t pid;       /* 0: free slot; a dead pid's slot is reused */
	uint32_t seen_gen; /* futex word: the hotplug_gen this process has applied */
	uint32_t stalled;  /* 1: a writer gave up waiting for it; it resyncs in full */
	uint32_t pad;
};

struct eal_mem_config {
	/* header: fixed offsets, checked before anything else is trusted */
	uint64_t magic;           /* owner: eal_mcfg.c; EAL_MCFG_MAGIC */
	uint32_t version;         /* owner: eal_mcfg.c; EAL_MCFG_VERSION */
	uint32_t size;            /* owner: eal_mcfg.c; sizeof(struct eal_mem_config) */
	uint32_t complete;        /* owner: eal_mcfg.c; EAL_MCFG_COMPLETE, written last */
	int32_t primary_pid;      /* owner: eal_mcfg.c */
	uint64_t mem_cfg_addr;    /* owner: eal_mcfg.c; where every process maps this: the
				   * start of the address region (eal_region.c) */
	uint64_t region_len;      /* owner: eal_region.c; bytes of the region from mem_cfg_addr */

	/* the two config-wide locks (their order: the list above) */
	eal_rwlock_t memory_hotplug_lock; /* owner: eal_mcfg.c (lock functions) */
	eal_rwlock_t mlock;               /* owner: eal_mcfg.c (lock functions) */

	/* mode flags primary and secondaries must agree on (R9) */
	uint32_t legacy_mem;           /* owner: eal_mcfg.c, copied from the primary's options */
	uint32_t single_file_segments; /* owner: eal_mcfg.c */
	uint32_t no_huge;              /* owner: eal_mcfg.c */
	uint32_t iova_mode;            /* owner: eal_mcfg.c (enum eal_iova_mode requested) */
	uint64_t base_virtaddr;        /* owner: eal_mcfg.c: VA hint for later reservations */
	uint32_t huge_unlink;          /* owner: eal_mcfg.c; enum eal_huge_unlink */
	uint32_t pad1;
	uint64_t socket_limit[EAL_MAX_NUMA_NODES]; /* owner: eal_mcfg.c; --socket-limit, bytes, 0 none */

	/* memzones, under mlock */
	struct eal_fbarray memzones;            /* owner: eal_memzone.c; struct eal_memzone descriptors */
	struct eal_memzone_index memzone_index; /* owner: eal_memzone.c; name -> descriptor index */

	/* application fbarrays' address space in the region (eal_region.c):
	 * a bit per EAL_REGION_GRANULE of the fbarray area, under region_lock */
	eal_rwlock_t region_lock;                                      /* owner: eal_region.c */
	uint64_t fbarray_va_used[EAL_REGION_FBARRAY_GRANULES / 64]; /* owner: eal_region.c */

	/* attach bookkeeping */
	uint32_t n_secondaries;   /* owner: eal_mcfg.c; attached now (atomic, informational) */
	uint32_t pad0;

	/* memory layout: every list is carved from one VA reservation, so a
	 * secondary reserves [mem_va_addr, +mem_va_len) in one call */
	uint64_t mem_va_addr;     /* owner: eal_memseg_list.c */
	uint64_t mem_va_len;      /* owner: eal_memseg_list.c */
	uint32_t n_memseg_lists;  /* owner: eal_memseg_list.c; lists in use, from 0 */
	uint32_t iova_mode_used;  /* owner: eal_memory.c (legacy init refines it through eal__iova_mode_select); enum eal_iova_mode in effect */
	struct eal_memseg_list memsegs[EAL_MAX_MEMSEG_LISTS]; /* owner: eal_memseg_list.c */

	/* no-huge memory backing, a tmpfs file secondaries map too;
	 * "" when anonymous (--no-shconf, --in-memory) */
	char nohuge_path[128];    /* owner: eal_memory.c */

	/* dynamic memory: layout changes reach every process (eal_memalloc.c) */
	uint32_t hotplug_gen;     /* owner: eal_memalloc.c; futex word, +1 per change */
	uint32_t pad2;
	struct eal_mcfg_proc procs[EAL_MCFG_MAX_PROCS]; /* owner: eal_memalloc.c */
	uint32_t reclaim_wanted;  /* owner: eal_memalloc.c; a process died: look for pages in no heap */
	uint32_t pad4;
	struct eal_mcfg_inflight inflight[EAL_MCFG_MAX_INFLIGHT]; /* owner: eal_memalloc.c */

	/* heaps: one per memory type */
	uint32_t n_heaps;         /* owner: eal_malloc_heap.c */
	uint32_t pad3;
	struct eal_mcfg_heap malloc_heaps[EAL_MAX_HEAPS]; /* owner: eal_malloc_heap.c (contents: eal_malloc_elem.c) */
};

/* The header a secondary reads (pread) before it maps anything, and what
 * the fuzz harness writes: the first fields of struct eal_mem_config. */
struct eal_mcfg_header {
	uint64_t magic;
	uint32_t version;
	uint32_t size;
	uint32_t complete;
	int32_t primary_pid;
	uint64_t mem_cfg_addr;
	uint64_t region_len;
};

/* The header fields are read before the version is known: their offsets
 * must never change. */
_Static_assert(offsetof(struct eal_mem_config, magic) == 0, "magic offset");
_Static_assert(offsetof(struct eal_mem_config, version) == 8, "version offset");
_Static_assert(offsetof(struct eal_mem_config, size) == 12, "size offset");
_Static_assert(offsetof(struct eal_mem_config, complete) == 16, "complete offset");
_Static_assert(offsetof(struct eal_mem_config, primary_pid) == 20, "primary_pid offset");
_Static_assert(offsetof(struct eal_mem_config, mem_cfg_addr) == 24, "mem_cfg_addr offset");
_Static_assert(offsetof(struct eal_mem_config, region_len) == 32, "region_len offset");
_Static_assert(sizeof(struct eal_mcfg_header) ==
		       offsetof(struct eal_mem_config, memory_hotplug_lock),
	       "struct eal_mcfg_header is the config's header");

#endif /* EAL_MEMCFG_H */
