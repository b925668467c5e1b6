/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port_from_dpdk: a program written against DPDK's EAL memory API, built
 * against libeal through <eal_rte_compat.h>. Only the #include lines
 * differ between the two builds; the code below them is DPDK code.
 *
 *   port_from_dpdk [EAL options]
 *
 * Built with -DUSE_DPDK and `pkg-config --cflags --libs libdpdk` instead,
 * the same file builds against DPDK 22.11. docs/porting.md explains each
 * name it uses and what behaves differently.
 *
 * It keeps its state in a memzone (as a DPDK application shares state
 * between processes), including a file-backed array; uses the heap; walks
 * the memory segments and translates an address to its IOVA; checks
 * DPDK's error conventions (rte_errno, rte_memzone_free()'s negative
 * return); then frees everything and exits 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef USE_DPDK
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fbarray.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#else
#include <eal_rte_compat.h>
#endif

#define STATE_MZ_NAME "port_state"
#define N_SLOTS 64

/* Shared state of the application, in a memzone: every process finds it
 * by name, at the same address. */
struct app_state {
	uint64_t generation;
	struct rte_fbarray slots; /* which slots of the table are in use */
	uint32_t table[N_SLOTS];
} __rte_cache_aligned;

struct seg_count {
	unsigned int segs;
	uint64_t bytes;
};

static int
count_seg(const struct rte_memseg_list *msl __rte_unused, const struct rte_memseg *ms, void *arg)
{
	struct seg_count *c = arg;

	c->segs++;
	c->bytes += ms->len;
	return 0;
}

static int
print_list(const struct rte_memseg_list *msl, void *arg __rte_unused)
{
	printf("  memseg list at %p: page size %" PRIu64 ", socket %d, %u/%u segments used\n",
	       msl->base_va, msl->page_sz, msl->socket_id, msl->memseg_arr.count,
	       msl->memseg_arr.len);
	return 0;
}

int
main(int argc, char **argv)
{
	const struct rte_memzone *mz, *found;
	struct app_state *state;
	struct seg_count count = { 0, 0 };
	struct rte_memseg *ms;
	rte_iova_t iova;
	uint64_t *buf;
	int ret, idx;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "Cannot init EAL: %s\n", rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (argc > 1)
		rte_exit(EXIT_FAILURE, "%s: unexpected argument '%s'\n", argv[0], argv[1]);
	printf("EAL ready: %s process\n",
	       rte_eal_process_type() == RTE_PROC_PRIMARY ? "primary" : "secondary");

	/* Shared state in a named memzone. */
	mz = rte_memzone_reserve(STATE_MZ_NAME, sizeof(*state), SOCKET_ID_ANY, 0);
	if (mz == NULL)
		rte_exit(EXIT_FAILURE, "Cannot reserve memzone %s: %s\n", STATE_MZ_NAME,
			 rte_strerror(rte_errno));
	found = rte_memzone_lookup(STATE_MZ_NAME);
	if (found != mz)
		rte_exit(EXIT_FAILURE, "Memzone lookup returned %p, expected %p\n", (const void *)found,
			 (const void *)mz);
	if (rte_memzone_reserve(STATE_MZ_NAME, 64, SOCKET_ID_ANY, 0) != NULL || rte_errno != EEXIST)
		rte_exit(EXIT_FAILURE, "Second reserve of %s did not fail with EEXIST\n", STATE_MZ_NAME);
	if ((uintptr_t)mz->addr % RTE_CACHE_LINE_SIZE != 0)
		rte_exit(EXIT_FAILURE, "Memzone not cache-line aligned\n");
	state = mz->addr;
	memset(state, 0, sizeof(*state));
	state->generation = 1;
	printf("memzone %s: %zu bytes at %p, IOVA 0x%" PRIx64 ", socket %d\n", mz->name, mz->len,
	       mz->addr, mz->iova, mz->socket_id);

	/* A file-backed array inside the shared state. */
	if (rte_fbarray_init(&state->slots, "port_slots", N_SLOTS, sizeof(uint32_t)) < 0)
		rte_exit(EXIT_FAILURE, "Cannot init fbarray: %s\n", rte_strerror(rte_errno));
	for (unsigned int i = 0; i < N_SLOTS; i += 3) {
		*(uint32_t *)rte_fbarray_get(&state->slots, i) = i * i;
		if (rte_fbarray_set_used(&state->slots, i) < 0)
			rte_exit(EXIT_FAILURE, "Cannot mark slot %u used: %s\n", i,
				 rte_strerror(rte_errno));
	}
	idx = rte_fbarray_find_next_used(&state->slots, 10);
	if (idx != 12 || rte_fbarray_is_used(&state->slots, 13) != 0 ||
	    rte_fbarray_find_contig_free(&state->slots, 13) != 2 ||
	    rte_fbarray_find_idx(&state->slots, rte_fbarray_get(&state->slots, 12)) != 12)
		rte_exit(EXIT_FAILURE, "Unexpected fbarray search results\n");
	if (rte_fbarray_find_next_n_free(&state->slots, 0, N_SLOTS) >= 0 || rte_errno != ENOSPC)
		rte_exit(EXIT_FAILURE, "A search that cannot succeed did not fail with ENOSPC\n");
	printf("fbarray %s: %u of %u slots used, first used at or after 10: %d (value %u)\n",
	       state->slots.name, state->slots.count, state->slots.len, idx,
	       *(uint32_t *)rte_fbarray_get(&state->slots, (unsigned int)idx));

	/* The heap. */
	buf = rte_zmalloc_socket("port_buf", 1 << 16, RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
	if (buf == NULL)
		rte_exit(EXIT_FAILURE, "rte_zmalloc_socket: %s\n", rte_strerror(rte_errno));
	for (unsigned int i = 0; i < (1 << 16) / sizeof(*buf); i++)
		if (buf[i] != 0)
			rte_exit(EXIT_FAILURE, "rte_zmalloc_socket returned memory that is not zero\n");
	buf[7] = 0xfeed;
	iova = rte_mem_virt2iova(&buf[7]);
	ms = rte_mem_virt2memseg(buf, NULL);
	if (iova == RTE_BAD_IOVA || ms == NULL)
		rte_exit(EXIT_FAILURE, "No IOVA or memseg for heap memory\n");
	printf("heap block at %p: IOVA 0x%" PRIx64 ", in a %zu-byte segment at %p\n", (void *)buf,
	       iova, ms->len, ms->addr);
	rte_free(buf);
	if (rte_malloc(NULL, 64, 3) != NULL)
		rte_exit(EXIT_FAILURE, "rte_malloc accepted an alignment that is not a power of 2\n");

	/* Walk the memory. */
	if (rte_memseg_walk(count_seg, &count) < 0)
		rte_exit(EXIT_FAILURE, "rte_memseg_walk: %s\n", rte_strerror(rte_errno));
	printf("%u memory segments in use, %" PRIu64 " bytes:\n", count.segs, count.bytes);
	rte_memseg_list_walk(print_list, NULL);
	rte_malloc_dump_stats(stdout, NULL);

	/* Release, in reverse order. */
	if (rte_fbarray_destroy(&state->slots) < 0)
		rte_exit(EXIT_FAILURE, "Cannot destroy fbarray: %s\n", rte_strerror(rte_errno));
	ret = rte_memzone_free(mz);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "Cannot free memzone: %s\n", rte_strerror(-ret));
	if (rte_memzone_lookup(STATE_MZ_NAME) != NULL)
		rte_exit(EXIT_FAILURE, "Freed memzone still found\n");
	ret = rte_memzone_free(mz);
	if (ret != -EINVAL)
		rte_exit(EXIT_FAILURE, "Second free of the memzone returned %d, expected -EINVAL\n",
			 ret);

	if (rte_eal_cleanup() < 0)
		rte_exit(EXIT_FAILURE, "rte_eal_cleanup: %s\n", rte_strerror(rte_errno));
	printf("port_from_dpdk: OK\n");
	return 0;
}
