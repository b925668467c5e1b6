/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hello: the smallest complete libeal program.
 *
 *   hello [EAL options]        e.g. hello --no-huge, hello -m 64
 *
 * It initialises libeal, reserves a memzone and writes into it, prints
 * the memory layout (memseg lists and their runs of segments, memzones,
 * heap statistics per NUMA node), frees the zone, releases libeal and
 * exits 0. Any failure prints what failed and why, and exits 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include <eal.h>

#define ZONE_NAME "hello_zone"
#define ZONE_LEN (1u << 20)

/* Sizes in the unit a reader expects for them. */
static const char *
human_size(uint64_t bytes, char *buf, size_t size)
{
	if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
		snprintf(buf, size, "%" PRIu64 " GiB", bytes >> 30);
	else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", bytes >> 20);
	else if (bytes >= (1ull << 10) && bytes % (1ull << 10) == 0)
		snprintf(buf, size, "%" PRIu64 " KiB", bytes >> 10);
	else
		snprintf(buf, size, "%" PRIu64 " B", bytes);
	return buf;
}

static int
print_list(const struct eal_memseg_list *msl, void *arg)
{
	char pg[32], len[32];

	(void)arg;
	printf("  list %p: %s pages, socket %d, %u of %u segments used, %s of address space\n",
	       msl->base_va, human_size(msl->page_sz, pg, sizeof(pg)), msl->socket_id,
	       msl->memseg_arr.count, msl->memseg_arr.len, human_size(msl->len, len, sizeof(len)));
	return 0;
}

/* One line per run of segments that are contiguous in virtual address. */
static int
print_run(const struct eal_memseg_list *msl, const struct eal_memseg *ms, size_t len, void *arg)
{
	char pg[32], sz[32];
	unsigned int *n_runs = arg;

	(*n_runs)++;
	printf("  run %p-%p: %s (%zu x %s pages), IOVA 0x%" PRIx64 ", socket %d%s\n", ms->addr,
	       EAL_PTR_ADD(ms->addr, len), human_size(len, sz, sizeof(sz)),
	       (size_t)(len / msl->page_sz), human_size(msl->page_sz, pg, sizeof(pg)), ms->iova,
	       ms->socket_id, ms->flags & EAL_MEMSEG_FLAG_DO_NOT_FREE ? ", pinned" : "");
	return 0;
}

static void
print_zone(const struct eal_memzone *mz, void *arg)
{
	char pg[32];
	unsigned int *n_zones = arg;

	(*n_zones)++;
	printf("  zone '%s': %p, %zu bytes, IOVA 0x%" PRIx64 ", %s pages, socket %d\n", mz->name,
	       mz->addr, mz->len, mz->iova, human_size(mz->hugepage_sz, pg, sizeof(pg)),
	       mz->socket_id);
}

static void
print_layout(void)
{
	struct eal_malloc_socket_stats st;
	unsigned int n_runs = 0, n_zones = 0;
	char total[32];

	printf("memseg lists:\n");
	eal_memseg_list_walk(print_list, NULL);
	printf("segments in use (runs contiguous in VA), %s in all:\n",
	       human_size(eal_memory_size(), total, sizeof(total)));
	eal_memseg_contig_walk(print_run, &n_runs);
	if (n_runs == 0)
		printf("  (none)\n");
	printf("memzones:\n");
	eal_memzone_walk(print_zone, &n_zones);
	if (n_zones == 0)
		printf("  (none)\n");
	printf("heaps, per NUMA node:\n");
	for (int socket = 0; socket < EAL_MAX_NUMA_NODES; socket++) {
		if (eal_malloc_get_socket_stats(socket, &st) < 0 || st.heap_totalsz_bytes == 0)
			continue;
		printf("  socket %d: %zu bytes, %zu free (largest free block %zu), %u allocations, %u free blocks\n",
		       socket, st.heap_totalsz_bytes, st.heap_freesz_bytes, st.greatest_free_size,
		       st.alloc_count, st.free_count);
	}
}

int
main(int argc, char **argv)
{
	const struct eal_memzone *mz;
	int rc;

	if (eal_init(argc, argv) < 0) {
		if (eal_errno == ECANCELED) /* --help or --version */
			return 0;
		fprintf(stderr, "hello: eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	printf("hello: libeal %s, %s process, IOVA as %s, runtime dir %s\n", eal_version(),
	       eal_process_type() == EAL_PROC_PRIMARY ? "primary" : "secondary",
	       eal_iova_mode() == EAL_IOVA_PA ? "PA" : "VA",
	       eal_runtime_dir() != NULL ? eal_runtime_dir() : "(none)");

	mz = eal_memzone_reserve(ZONE_NAME, ZONE_LEN, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		fprintf(stderr, "hello: eal_memzone_reserve(%s, %u bytes): %s\n", ZONE_NAME, ZONE_LEN,
			eal_strerror(eal_errno));
		eal_cleanup();
		return 1;
	}
	/* The zone is ordinary memory: every process of the application sees
	 * these bytes at mz->addr. */
	snprintf(mz->addr, mz->len, "hello from process %d", (int)getpid());
	printf("reserved '%s': %zu bytes at %p, holding \"%s\"\n\n", mz->name, mz->len, mz->addr,
	       (const char *)mz->addr);

	print_layout();

	rc = eal_memzone_free(mz);
	if (rc < 0)
		fprintf(stderr, "hello: eal_memzone_free: %s\n", eal_strerror(-rc));
	if (eal_cleanup() < 0) {
		fprintf(stderr, "hello: eal_cleanup: %s\n", eal_strerror(eal_errno));
		rc = -1;
	}
	printf("\nhello: %s\n", rc == 0 ? "OK" : "FAILED");
	return rc == 0 ? 0 : 1;
}
