/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eal_info_app: an application for tests/tools/test_eal_info.py to look
 * at with eal-info. Public API only.
 *
 *   eal_info_app [EAL options] [-- [--zone NAME:BYTES]... [--malloc BYTES]...]
 *
 * Initialises libeal (primary or secondary, as the options make it),
 * reserves the zones (EAL_SOCKET_ID_ANY) and allocates the blocks, prints
 * what it got, then "ready", and waits for commands on stdin, one a line:
 *
 *   stats   print the heap statistics of every socket that has a heap,
 *           then "done"
 *   exit    clean up and exit 0 (so does the end of the input)
 *
 * Lines printed (numbers in decimal):
 *
 *   pid <pid> <primary|secondary>
 *   zone <name> <len> <socket> <iova> <addr> <page size>
 *   heap <socket> <total bytes> <free bytes> <alloc count> <free count>
 *
 * Exit status 1 when init, a reservation or an allocation fails (the
 * reason on stderr).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eal.h"

#define MAX_BLOCKS 64

static void *blocks[MAX_BLOCKS];
static unsigned int n_blocks;

static int
parse_u64(const char *s, uint64_t *ret)
{
	char *end;

	errno = 0;
	*ret = strtoull(s, &end, 0);
	return errno != 0 || end == s || *end != '\0' ? -1 : 0;
}

static int
reserve_zone(const char *spec)
{
	const struct eal_memzone *mz;
	char name[EAL_MEMZONE_NAMESIZE];
	const char *colon = strrchr(spec, ':');
	uint64_t len;

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(name) ||
	    parse_u64(colon + 1, &len) < 0) {
		fprintf(stderr, "bad --zone %s: expected NAME:BYTES\n", spec);
		return -1;
	}
	memcpy(name, spec, (size_t)(colon - spec));
	name[colon - spec] = '\0';
	mz = eal_memzone_reserve(name, len, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		fprintf(stderr, "cannot reserve zone %s of %" PRIu64 " bytes: %s\n", name, len,
			eal_strerror(eal_errno));
		return -1;
	}
	printf("zone %s %zu %d %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", mz->name, mz->len,
	       (int)mz->socket_id, (uint64_t)mz->iova, (uint64_t)(uintptr_t)mz->addr,
	       mz->hugepage_sz);
	return 0;
}

static int
allocate(const char *arg)
{
	uint64_t len;

	if (parse_u64(arg, &len) < 0 || n_blocks >= MAX_BLOCKS) {
		fprintf(stderr, "bad --malloc %s (or more than %d)\n", arg, MAX_BLOCKS);
		return -1;
	}
	blocks[n_blocks] = eal_malloc("eal_info_app", len, 0);
	if (blocks[n_blocks] == NULL) {
		fprintf(stderr, "cannot allocate %" PRIu64 " bytes: %s\n", len,
			eal_strerror(eal_errno));
		return -1;
	}
	n_blocks++;
	return 0;
}

static void
print_stats(void)
{
	struct eal_malloc_socket_stats st;

	for (int socket = 0; eal_malloc_get_socket_stats(socket, &st) == 0; socket++) {
		if (st.heap_totalsz_bytes == 0)
			continue;
		printf("heap %d %zu %zu %u %u\n", socket, st.heap_totalsz_bytes,
		       st.heap_freesz_bytes, st.alloc_count, st.free_count);
	}
	printf("done\n");
}

int
main(int argc, char **argv)
{
	char line[64];
	int n, rc = 0;

	n = eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	/* argv[0] is the program name; eal_init stopped at "--" or at the
	 * first argument that is not an option. */
	for (int i = 1; rc == 0 && i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			continue;
		if (strcmp(argv[i], "--zone") == 0 && i + 1 < argc)
			rc = reserve_zone(argv[++i]);
		else if (strcmp(argv[i], "--malloc") == 0 && i + 1 < argc)
			rc = allocate(argv[++i]);
		else {
			fprintf(stderr, "unknown argument %s\n", argv[i]);
			rc = -1;
		}
	}
	if (rc == 0) {
		printf("pid %d %s\n", (int)getpid(),
		       eal_process_type() == EAL_PROC_PRIMARY ? "primary" : "secondary");
		printf("ready\n");
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin) != NULL) {
			if (strcmp(line, "stats\n") == 0)
				print_stats();
			else if (strcmp(line, "exit\n") == 0)
				break;
			fflush(stdout);
		}
	}
	while (n_blocks > 0)
		eal_free(blocks[--n_blocks]);
	if (eal_cleanup() < 0) {
		fprintf(stderr, "eal_cleanup: %s\n", eal_strerror(eal_errno));
		rc = -1;
	}
	return rc == 0 ? 0 : 1;
}
