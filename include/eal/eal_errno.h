/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Error reporting, DPDK style: a public function that fails returns -1 (or
 * NULL) and sets the thread-local @ref eal_errno to an errno value; it never
 * overwrites the real cause with a generic one.
 *
 * @code
 * if (eal_init(argc, argv) < 0)
 *         fprintf(stderr, "init: %s\n", eal_strerror(eal_errno));
 * @endcode
 */
#ifndef EAL_ERRNO_H
#define EAL_ERRNO_H

#include "eal_common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Per-thread error of the last failed libeal call (errno values).
 * A successful call leaves it unchanged, as rte_errno. */
extern __thread int eal_errno_value;

/** The calling thread's libeal error, like DPDK's rte_errno. Assignable. */
#define eal_errno (eal_errno_value)

/**
 * Describe an error value.
 *
 * @param errnum
 *   An errno value, as found in @ref eal_errno (a negative value is
 *   treated as its absolute value).
 * @return
 *   A constant string; never NULL. Unlike strerror(), the buffer is not
 *   shared between threads and is never overwritten.
 */
EAL_API const char *eal_strerror(int errnum);

#ifdef __cplusplus
}
#endif

#endif /* EAL_ERRNO_H */
