/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * consumer: a program of another project that uses libeal, built by
 * tests/consumer/run.sh with libeal as a meson subproject and through
 * pkg-config (shared, static and fully static).
 *
 *   consumer [EAL options]     e.g. consumer --no-huge -m 16 --file-prefix=x
 *
 * Initialises libeal, allocates from the shared heap, reserves a memzone,
 * writes into both, releases them and libeal, and prints "ok". Any failure
 * prints what failed and why, and exits 1.
 */
#include <stdio.h>
#include <string.h>

#include <eal.h>

int
main(int argc, char **argv)
{
	const struct eal_memzone *mz;
	void *p;

	if (eal_init(argc, argv) < 0) {
		fprintf(stderr, "consumer: eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	p = eal_malloc("consumer", 4096, 64);
	if (p == NULL) {
		fprintf(stderr, "consumer: eal_malloc: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	memset(p, 0x5a, 4096);
	mz = eal_memzone_reserve("consumer_zone", 65536, EAL_SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		fprintf(stderr, "consumer: eal_memzone_reserve: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	memset(mz->addr, 0xa5, mz->len);
	if (eal_memzone_free(mz) != 0) {
		fprintf(stderr, "consumer: eal_memzone_free: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	eal_free(p);
	if (eal_cleanup() != 0) {
		fprintf(stderr, "consumer: eal_cleanup: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	printf("consumer: libeal %s: eal_init, eal_malloc, a memzone, eal_cleanup: ok\n",
	       eal_version());
	return 0;
}
