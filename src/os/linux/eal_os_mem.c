/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Linux memory primitives of the OS contract (src/eal_os.h): mmap, munmap
 * and address-space reservations. Reservations are PROT_NONE and
 * MAP_NORESERVE, so they cost no memory and no commit charge, and are
 * excluded from core dumps (they may later hold gigabytes of hugepages).
 */
#define EAL_LOG_COMPONENT EAL_LOGC_OS

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eal_os.h"
#include "eal_private.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

size_t
eal__os_page_size(void)
{
	static size_t page_size;

	if (EAL_UNLIKELY(page_size == 0))
		page_size = (size_t)sysconf(_SC_PAGESIZE);
	return page_size;
}

/* Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and treat it as a hint:
 * check where the mapping landed and undo it when it is elsewhere. */
static int
mmap_exact(void *addr, size_t len, int prot, int flags, int fd, uint64_t off, void **ret)
{
	void *p = mmap(addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, (off_t)off);

	if (p == MAP_FAILED)
		return -errno;
	if (p != addr) {
		(void)munmap(p, len);
		return -EEXIST;
	}
	*ret = p;
	return 0;
}

int
eal__os_mmap(void *addr, size_t len, int prot, int flags, int fd, uint64_t off, void **ret_addr)
{
	void *p = NULL;

	if (flags & MAP_FIXED_NOREPLACE) {
		int rc = mmap_exact(addr, len, prot, flags & ~MAP_FIXED_NOREPLACE, fd, off, &p);

		if (rc < 0) {
			EAL_LOG(DEBUG, "mmap(%p, %zu, 0x%x, 0x%x|FIXED_NOREPLACE, %d, %llu): %s", addr,
				len, (unsigned int)prot, (unsigned int)flags, fd,
				(unsigned long long)off, strerror(-rc));
			return rc;
		}
	} else {
		p = mmap(addr, len, prot, flags, fd, (off_t)off);
		if (p == MAP_FAILED) {
			int err = errno;

			EAL_LOG(DEBUG, "mmap(%p, %zu, 0x%x, 0x%x, %d, %llu): %s", addr, len,
				(unsigned int)prot, (unsigned int)flags, fd,
				(unsigned long long)off, strerror(err));
			return -err;
		}
	}
	*ret_addr = p;
	return 0;
}

int
eal__os_mmap_fixed(void *addr, size_t len, int prot, int flags, int fd, uint64_t off)
{
	void *p = mmap(addr, len, prot, flags | MAP_FIXED, fd, (off_t)off);

	if (p == MAP_FAILED) {
		int err = errno;

		EAL_LOG(DEBUG, "mmap(%p, %zu, 0x%x, 0x%x|MAP_FIXED, %d, %llu): %s", addr, len,
			(unsigned int)prot, (unsigned int)flags, fd, (unsigned long long)off,
			strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_munmap(void *addr, size_t len)
{
	if (addr == NULL || len == 0)
		return 0;
	if (munmap(addr, len) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "munmap(%p, %zu): %s", addr, len, strerror(err));
		return -err;
	}
	return 0;
}

int
eal__os_reserve_va(void *addr, size_t len, bool exact, void **ret_addr)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p = NULL;
	int rc;

	if (exact)
		flags |= MAP_FIXED_NOREPLACE;
	rc = eal__os_mmap(addr, len, PROT_NONE, flags, -1, 0, &p);
	if (rc < 0)
		return rc;
	/* Not fatal: a core dump would only be larger. */
	if (madvise(p, len, MADV_DONTDUMP) < 0)
		EAL_LOG(DEBUG, "madvise(%p, %zu, MADV_DONTDUMP): %s", p, len, strerror(errno));
	*ret_addr = p;
	return 0;
}

static __thread sigjmp_buf touch_jmp;

static void
touch_sigbus(int sig)
{
	(void)sig;
	siglongjmp(touch_jmp, 1);
}

int
eal__os_touch_guarded_range(void *addr, size_t len, size_t stride)
{
	struct sigaction sa, old;
	volatile int rc = 0; /* live across siglongjmp */
	volatile size_t off = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = touch_sigbus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old) < 0) {
		int err = errno;

		EAL_LOG(DEBUG, "sigaction(SIGBUS): %s", strerror(err));
		return -err;
	}
	if (sigsetjmp(touch_jmp, 1) == 0) {
		for (; off < len; off += stride) {
			volatile unsigned char *p = (unsigned char *)addr + off;

			*p = *p;
		}
	} else {
		EAL_LOG(DEBUG, "SIGBUS on first touch of %p", (void *)((char *)addr + off));
		rc = -ENOMEM;
	}
	(void)sigaction(SIGBUS, &old, NULL);
	return rc;
}

int
eal__os_touch_guarded(void *addr)
{
	return eal__os_touch_guarded_range(addr, 1, 1);
}

void
eal__os_advise_random(void *addr, size_t len)
{
	if (madvise(addr, len, MADV_RANDOM) < 0)
		EAL_LOG(DEBUG, "madvise(%p, %zu, MADV_RANDOM): %s", addr, len, strerror(errno));
}

static bool (*segv_claim)(void *addr);
static struct sigaction segv_prev;

static void
segv_handler(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	/* si_code > 0: raised by the kernel for a fault, not kill(2). */
	if (segv_claim != NULL && si->si_code > 0 && segv_claim(si->si_addr)) {
		errno = saved;
		return; /* mapped now: the access runs again */
	}
	if (segv_prev.sa_flags & SA_SIGINFO) {
		segv_prev.sa_sigaction(sig, si, uc);
	} else if (segv_prev.sa_handler != SIG_DFL && segv_prev.sa_handler != SIG_IGN) {
		segv_prev.sa_handler(sig);
	} else {
		/* The default action on the retried access. */
		signal(SIGSEGV, SIG_DFL);
	}
	errno = saved;
}

int
eal__os_segv_hook_install(bool (*claim)(void *addr))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	segv_claim = claim;
	if (sigaction(SIGSEGV, &sa, &segv_prev) < 0) {
		int err = errno;

		segv_claim = NULL;
		EAL_LOG(DEBUG, "sigaction(SIGSEGV): %s", strerror(err));
		return -err;
	}
	return 0;
}

void
eal__os_segv_hook_remove(void)
{
	struct sigaction cur;

	if (segv_claim == NULL)
		return;
	if (sigaction(SIGSEGV, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) &&
	    cur.sa_sigaction == segv_handler)
		(void)sigaction(SIGSEGV, &segv_prev, NULL);
	segv_claim = NULL;
}

int
eal__os_unmap_to_reserved(void *addr, size_t len)
{
	int rc = eal__os_mmap_fixed(addr, len, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (rc == 0)
		(void)madvise(addr, len, MADV_DONTDUMP);
	return rc;
}
