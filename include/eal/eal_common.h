/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Macros shared by every public libeal header: symbol export, attributes
 * and small alignment helpers. Nothing here has a run-time cost.
 */
#ifndef EAL_COMMON_H
#define EAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a function as part of the exported API (the library is built with
 * hidden visibility and a version script, so nothing else is exported). */
#define EAL_API __attribute__((visibility("default")))

/** The result of this function must be checked. */
#define EAL_NODISCARD __attribute__((warn_unused_result))

/** printf-style format checking: format string at @p f, arguments from @p a. */
#define EAL_FORMAT(f, a) __attribute__((format(printf, f, a)))

/** Size of a CPU cache line, as DPDK's RTE_CACHE_LINE_SIZE on x86_64. */
#define EAL_CACHE_LINE_SIZE 64

/** Align @p v up to the power of two @p a. */
#define EAL_ALIGN_CEIL(v, a) (((v) + ((__typeof__(v))(a) - 1)) & ~((__typeof__(v))(a) - 1))

/** Align @p v down to the power of two @p a. */
#define EAL_ALIGN_FLOOR(v, a) ((v) & ~((__typeof__(v))(a) - 1))

/** Add a byte offset to a pointer. */
#define EAL_PTR_ADD(p, off) ((void *)((uintptr_t)(p) + (off)))

/** Number of elements of a static array. */
#define EAL_DIM(a) (sizeof(a) / sizeof((a)[0]))

/** Any NUMA node (DPDK's SOCKET_ID_ANY). */
#define EAL_SOCKET_ID_ANY -1

#ifdef __cplusplus
}
#endif

#endif /* EAL_COMMON_H */
