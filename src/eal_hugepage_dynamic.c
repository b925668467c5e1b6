/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dynamic memory, the default mode: the init stage. Reserves the memseg
 * lists (DPDK 22.11's sizing: 4 lists of 8192 segments per 2 MiB type, 2
 * of 32 per 1 GiB type, for every page size with pages, on every node
 * with libnuma and node 0 without, as DPDK), chooses the IOVA mode, starts
 * the page allocator (src/eal_memalloc.c), registers the --socket-limit
 * validators and preallocates -m / --socket-mem. Preallocated pages are
 * pinned (EAL_MEMSEG_FLAG_DO_NOT_FREE) until eal_cleanup(); everything
 * else is mapped on demand and given back when freed.
 *
 * Preallocation follows DPDK's calc_num_pages_per_socket: on each node,
 * the largest page size first, as many whole pages as fit in what is
 * left and are free; the rest is rounded up to pages of the smallest
 * size. -m without --socket-mem goes to the calling thread's node (DPDK
 * spreads it by lcores, which libeal does not have), or to the first
 * node with memory when that one has none.
 */
#define EAL_LOG_COMPONENT EAL_LOGC_MEMORY

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "eal_internal_cfg.h"
#include "eal_memcfg.h"
#include "eal_os.h"
#include "eal_private.h"

#define SOCKET_LIMIT_VALIDATOR "socket-limit"

/* Called only when the total would reach the limit: always refuses (the
 * registry logs which validator refused, with the sizes). */
static int
socket_limit_refuse(int socket_id, size_t cur_limit, size_t new_len)
{
	(void)socket_id;
	(void)cur_limit;
	(void)new_len;
	return -1;
}

static int
lists_reserve(const struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	struct eal__msl_spec specs[EAL_MAX_MEMSEG_LISTS];
	uint64_t sizes[EAL_MAX_HUGEPAGE_SIZES];
	unsigned int n_sizes = 0, n_sockets = 1, n_specs;
	int rc;

	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		const struct eal_hugepage_size_info *sz = &hi->sizes[i];
		bool has_pages = false;

		for (unsigned int node = 0; node < EAL_MAX_NUMA_NODES; node++)
			has_pages = has_pages || sz->num_pages[node] > 0;
		if (!has_pages)
			continue;
		sizes[n_sizes++] = sz->page_size;
		if (EAL_HAVE_LIBNUMA && sz->n_nodes > n_sockets)
			n_sockets = sz->n_nodes;
	}
	if (n_sizes == 0)
		return 0;
	if (n_sockets > EAL_MAX_NUMA_NODES)
		n_sockets = EAL_MAX_NUMA_NODES;
	rc = eal__memseg_lists_plan(sizes, n_sizes, n_sockets, specs, EAL_DIM(specs), &n_specs);
	if (rc < 0) {
		EAL_LOG(ERR, "cannot size memseg lists for %u page size(s) on %u node(s): %s (raise max_memseg_lists)",
			n_sizes, n_sockets, eal_strerror(rc));
		return rc;
	}
	return eal__memseg_lists_create(mcfg, specs, n_specs);
}

/* Free pages of @page_sz the primary may use on @node. */
static uint64_t
pages_available(const struct eal_hugepage_info *hi, uint64_t page_sz, int node)
{
	for (unsigned int i = 0; i < hi->n_sizes; i++)
		if (hi->sizes[i].page_size == page_sz)
			return hi->sizes[i].num_pages[node];
	return 0;
}

static bool
node_has_lists(const struct eal_mem_config *mcfg, int node, uint64_t page_sz)
{
	for (unsigned int i = 0; i < mcfg->n_memseg_lists; i++)
		if (mcfg->memsegs[i].socket_id == node &&
		    (page_sz == 0 || mcfg->memsegs[i].page_sz == page_sz))
			return true;
	return false;
}

/* Allocate @n pinned pages of @page_sz on @node, in runs as long as the
 * lists allow. */
static int
prealloc_pages(uint64_t page_sz, int node, uint64_t n)
{
	uint64_t chunk = n;

	while (n > 0) {
		void *addr;
		int rc;

		if (chunk > n)
			chunk = n;
		if (chunk > INT32_MAX)
			chunk = INT32_MAX;
		rc = eal__memalloc_alloc(page_sz, node, (unsigned int)chunk, EAL__MEMALLOC_PIN, &addr);
		if (rc == -ENOMEM && chunk > 1) {
			chunk /= 2; /* longer than any free run: smaller runs */
			continue;
		}
		if (rc < 0)
			return rc;
		n -= chunk;
	}
	return 0;
}

static int
prealloc_node(const struct eal_internal_config *cfg, const struct eal_mem_config *mcfg, int node,
	      uint64_t bytes)
{
	const struct eal_hugepage_info *hi = &cfg->hugepage_info;
	uint64_t left = bytes, smallest = 0, avail = 0, avail_pages = 0;
	int rc;

	/* Not enough free, whatever the layout: say so at once, in one line,
	 * rather than after trying smaller and smaller runs. */
	for (unsigned int i = 0; i < hi->n_sizes; i++) {
		if (!node_has_lists(mcfg, node, hi->sizes[i].page_size))
			continue;
		avail += pages_available(hi, hi->sizes[i].page_size, node) * hi->sizes[i].page_size;
		avail_pages += pages_available(hi, hi->sizes[i].page_size, node);
	}
	if (avail < bytes) {
		EAL_LOG(ERR, "cannot preallocate %" PRIu64 " MiB on socket %d: only %" PRIu64 " MiB of hugepages (%" PRIu64 " pages) are free there; ask for less, free some (eal-hugepages shows who holds them), or reserve more",
			bytes >> 20, node, avail >> 20, avail_pages);
		return -ENOMEM;
	}
	/* hugepage_info lists sizes largest first */
	for (unsigned int i = 0; i < hi->n_sizes && left > 0; i++) {
		uint64_t sz = hi->sizes[i].page_size, n;

		if (!node_has_lists(mcfg, node, sz))
			continue;
		smallest = sz;
		n = left / sz;
		if (n > pages_available(hi, sz, node))
			n = pages_available(hi, sz, node);
		if (n == 0)
			continue;
		rc = prealloc_pages(sz, node, n);
		if (rc < 0)
			goto fail;
		left -= n * sz;
	}
	if (left > 0 && smallest != 0) {
		rc = prealloc_pages(smallest, node, (left + smallest - 1) / smallest);
		if (rc < 0)
			goto fail;
		left = 0;
	}
	if (left > 0) {
		rc = -ENOMEM;
		goto fail;
	}
	return 0;

fail:
	EAL_LOG(ERR, "cannot preallocate %" PRIu64 " MiB on socket %d: %s (free hugepages there: see eal-hugepages)",
		bytes >> 20, node, eal_strerror(rc));
	return rc;
}

static int
preallocate(const struct eal_internal_config *cfg, const struct eal_mem_config *mcfg)
{
	int rc, here = 0;

	if (cfg->p.n_socket_mem > 0) {
		for (unsigned int node = 0; node < cfg->p.n_socket_mem; node++) {
			if (cfg->p.socket_mem[node] == 0)
				continue;
			if (!node_has_lists(mcfg, (int)node, 0)) {
				char where[160] = "";
				size_t off = 0;

				/* Say where the pages are: reserved on another node,
				 * or --socket-mem's positions are off by one. */
				for (int n = 0; n < EAL_MAX_NUMA_NODES && off < sizeof(where) - 8; n++)
					if (node_has_lists(mcfg, n, 0))
						off += (size_t)snprintf(where + off, sizeof(where) - off,
									"%s%d", off ? ", " : "", n);
				EAL_LOG(ERR, "--socket-mem asks for %" PRIu64 " MiB on socket %u, which has no hugepages; they are on node(s) %s: ask there (--socket-mem lists MiB per node, from node 0), or reserve pages on node %u (eal-hugepages --reserve SIZE:%u)",
					cfg->p.socket_mem[node] >> 20, node, off ? where : "none", node,
					node);
				return -EINVAL;
			}
			rc = prealloc_node(cfg, mcfg, (int)node, cfg->p.socket_mem[node]);
			if (rc < 0)
				return rc;
		}
		return 0;
	}
	if (cfg->p.memory == 0)
		return 0;
	if (eal__os_numa_current_node(&here) < 0 || !node_has_lists(mcfg, here, 0)) {
		here = -1;
		for (int node = 0; node < EAL_MAX_NUMA_NODES && here < 0; node++)
			if (node_has_lists(mcfg, node, 0))
				here = node;
		if (here < 0) {
			EAL_LOG(ERR, "-m %" PRIu64 " MiB: no hugepage memory to preallocate from",
				cfg->p.memory >> 20);
			return -ENOMEM;
		}
	}
	return prealloc_node(cfg, mcfg, here, cfg->p.memory);
}

static void
socket_limits_unregister(const struct eal_mem_config *mcfg)
{
	for (int node = 0; node < EAL_MAX_NUMA_NODES; node++)
		if (mcfg->socket_limit[node] != 0)
			(void)eal_mem_alloc_validator_unregister(SOCKET_LIMIT_VALIDATOR, node);
}

/* --socket-limit applies in every process: each registers the validators
 * from the limits the primary recorded. */
static int
socket_limits_register(const struct eal_mem_config *mcfg)
{
	for (int node = 0; node < EAL_MAX_NUMA_NODES; node++) {
		if (mcfg->socket_limit[node] == 0)
			continue;
		if (eal_mem_alloc_validator_register(SOCKET_LIMIT_VALIDATOR, socket_limit_refuse, node,
						     (size_t)mcfg->socket_limit[node]) < 0) {
			int rc = -eal_errno;

			EAL_LOG(ERR, "cannot apply --socket-limit on socket %d: %s", node,
				eal_strerror(rc));
			socket_limits_unregister(mcfg);
			return rc;
		}
	}
	return 0;
}

int
eal__dynamic_init(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	bool primary = cfg->process_type == EAL_PROC_PRIMARY;
	int rc;

	if (primary) {
		enum eal_iova_mode mode;

		rc = eal__iova_mode_select((enum eal_iova_mode)cfg->p.iova_mode, false, &mode);
		if (rc < 0)
			return rc;
		mcfg->iova_mode_used = (uint32_t)mode;
		rc = lists_reserve(cfg, mcfg);
		if (rc < 0)
			return rc;
		/* VA reserved and list files made, no page allocator yet */
		eal__test_point("dynamic-lists-reserved");
	}
	if (mcfg->n_memseg_lists == 0)
		return 0; /* no hugepages at all: nothing to allocate from */
	rc = eal__memalloc_init(cfg, mcfg);
	if (rc < 0)
		goto fail_lists;
	rc = socket_limits_register(mcfg);
	if (rc < 0)
		goto fail_memalloc;
	if (primary) {
		rc = preallocate(cfg, mcfg);
		if (rc < 0)
			goto fail_limits;
	}
	return 0;

fail_limits:
	socket_limits_unregister(mcfg);
fail_memalloc:
	eal__memalloc_fini(cfg, mcfg);
fail_lists:
	if (primary)
		eal__memseg_lists_fini(mcfg, true);
	return rc;
}

void
eal__dynamic_fini(struct eal_internal_config *cfg, struct eal_mem_config *mcfg)
{
	socket_limits_unregister(mcfg);
	eal__memalloc_fini(cfg, mcfg);
}
