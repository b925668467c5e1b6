/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * File-backed arrays (DPDK's rte_fbarray), shareable between processes.
 *
 * An fbarray is a fixed number of fixed-size elements plus one "used" bit
 * per element, in one mapping that every process sees at the same virtual
 * address, so pointers into it can be shared. libeal keeps its memseg
 * lists and memzones in fbarrays; applications may use them too. The
 * semantics and error values are those of DPDK 22.11's rte_fbarray_*.
 *
 * Basic workflow is expected to be the following:
 *  1. The creating process places a struct eal_fbarray in memory that the
 *     other processes can read (the shared config, or any shared mapping)
 *     and calls eal_fbarray_init() on it. When the process has a runtime
 *     directory (eal_init() without --no-shconf or --in-memory), the
 *     array lives in the file "<runtime dir>/fbarray_<name>"; otherwise it
 *     is private anonymous memory and cannot be attached.
 *  2. Every other process calls eal_fbarray_attach() on the same struct
 *     (or on an exact copy of it: the struct carries the name, sizes and
 *     address). The array is mapped at the address recorded in the struct.
 *  3. Processes use eal_fbarray_get() to reach elements, eal_fbarray_set_used()
 *     / eal_fbarray_set_free() to mark them, and the eal_fbarray_find_*()
 *     functions to search for elements or runs of elements by state.
 *  4. Processes that no longer need the array call eal_fbarray_detach().
 *     The last one calls eal_fbarray_destroy(), which fails with EBUSY as
 *     long as another process has the array mapped.
 *
 * Concurrency: the used bits and the count are protected by @c rwlock, a
 * robust process-shared lock. Searches and eal_fbarray_is_used() take it
 * for reading, eal_fbarray_set_used() and eal_fbarray_set_free() for
 * writing. Element contents are not protected: synchronise them yourself
 * (typically by marking an element used only once it is written).
 * init/attach/detach/destroy are thread-safe within a process.
 *
 * Searches: "free" searches look for elements whose bit is clear, "used"
 * searches for set bits. All of them work on 64 bits at a time, and answer
 * from @c count alone when no element or every element is used. A search
 * that finds nothing fails with @ref eal_errno ENOSPC when it looked for
 * free elements and ENOENT when it looked for used ones, as DPDK.
 *
 * Errors: functions returning int return -1, and functions returning a
 * pointer return NULL, with @ref eal_errno set; a successful call leaves
 * @ref eal_errno unchanged.
 */
#ifndef EAL_FBARRAY_H
#define EAL_FBARRAY_H

#include <stdio.h>

#include "eal_common.h"
#include "eal_lock.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Maximum length of an fbarray name, including the terminating NUL. */
#define EAL_FBARRAY_NAME_LEN 64

/**
 * A file-backed array. Place it in shared memory to share it.
 *
 * The fields are read by every libeal call; treat them as read-only. The
 * struct is filled by eal_fbarray_init() and zeroed by
 * eal_fbarray_destroy(); eal_fbarray_attach() validates it before use.
 */
struct eal_fbarray {
	char name[EAL_FBARRAY_NAME_LEN]; /**< name, also the backing file's suffix */
	unsigned int count;              /**< number of used elements */
	unsigned int len;                /**< number of elements */
	unsigned int elt_sz;             /**< size of each element, bytes */
	unsigned int seq;                /**< change counter, odd while a writer
					      updates the mask (lets searches run
					      without taking the lock) */
	void *data;                      /**< data area, same address in every process */
	eal_rwlock_t rwlock;             /**< protects the used mask and count */
};

/**
 * Create an array of @p len elements of @p elt_sz bytes, all free.
 *
 * The mapping holds the elements, a small header and the used mask, and
 * is rounded up to the system page size; its contents start zeroed. With
 * a runtime directory the file "<runtime dir>/fbarray_<name>" (mode 0600)
 * backs it: a leftover file of a process that died is taken over, a file
 * mapped by a live process is not. Without one (no eal_init(),
 * --no-shconf, --in-memory) the array is private anonymous memory.
 *
 * On failure nothing is left behind (no file, mapping or fd) and @p arr is
 * unchanged.
 *
 * @param arr
 *   The struct to fill; in shared memory if other processes will attach.
 * @param name
 *   Name of the array: 1 to 63 characters, no '/' (it becomes part of a
 *   file name). Unique per runtime directory.
 * @param len
 *   Number of elements, 1 to INT_MAX.
 * @param elt_sz
 *   Size of each element in bytes, at least 1.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr or @p name is NULL, @p name is empty or contains
 *     '/', @p len is 0 or above INT_MAX, @p elt_sz is 0, or the size does
 *     not fit in the address space;
 *   - ENAMETOOLONG: @p name has 64 characters or more, or the file path
 *     does not fit in PATH_MAX;
 *   - EBUSY: another process (or this one) maps an array of this name;
 *   - ENOMEM: no memory or address space for the mapping or the
 *     bookkeeping;
 *   - other errno values from open(), ftruncate() or mmap() (e.g. ENOSPC
 *     when the runtime directory's file system is full).
 */
EAL_API EAL_NODISCARD int eal_fbarray_init(struct eal_fbarray *arr, const char *name,
					    unsigned int len, unsigned int elt_sz);

/**
 * Map an array created by another process, at the address it has there.
 *
 * The fields of @p arr are checked against each other and against the
 * file (size and header) before anything is trusted, so a corrupt or
 * foreign struct fails with EINVAL instead of mapping garbage. The
 * process then holds the file in shared mode until it detaches.
 *
 * @param arr
 *   The struct filled by eal_fbarray_init() in the creating process, or an
 *   exact copy of it.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, or its name, len, elt_sz, count or data
 *     address is invalid, or they do not match the file;
 *   - ENAMETOOLONG: the name in @p arr is not terminated within 64 bytes;
 *   - EEXIST: this process already maps an array at @c data (attached
 *     twice, or created here);
 *   - EADDRINUSE: something else (another mapping, another fbarray)
 *     occupies part of the array's address range in this process;
 *   - ENOTSUP: this process has no runtime directory (no eal_init(),
 *     --no-shconf or --in-memory), so there is no file to attach;
 *   - ENOENT: there is no such array in the runtime directory;
 *   - EBUSY: the array is being created or destroyed right now;
 *   - ENOMEM, or another errno value from open() or mmap().
 */
EAL_API EAL_NODISCARD int eal_fbarray_attach(struct eal_fbarray *arr);

/**
 * Unmap an array from this process. The array and its file stay for the
 * other processes; @p arr is not modified.
 *
 * @param arr
 *   An array created or attached by this process.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, or its fields are invalid or do not describe
 *     the mapping at @c data;
 *   - ENAMETOOLONG: the name in @p arr is not terminated within 64 bytes;
 *   - ENOENT: nothing is mapped at @c data by this process (never
 *     attached, already detached, or a struct zeroed by destroy).
 */
EAL_API int eal_fbarray_detach(struct eal_fbarray *arr);

/**
 * Destroy an array: remove its file, unmap it and zero @p arr. Only
 * possible when no other process has it mapped.
 *
 * @param arr
 *   An array created or attached by this process.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, or its fields are invalid or do not describe
 *     the mapping at @c data;
 *   - ENAMETOOLONG: the name in @p arr is not terminated within 64 bytes;
 *   - ENOENT: nothing is mapped at @c data by this process (including a
 *     second destroy, whose struct is zeroed);
 *   - EBUSY: another process is using it (the array stays usable here);
 *   - another errno value from unlink().
 */
EAL_API int eal_fbarray_destroy(struct eal_fbarray *arr);

/**
 * Address of an element, whether used or free.
 *
 * @param arr
 *   The array.
 * @param idx
 *   Index of the element.
 * @return
 *   The element's address, or NULL with @ref eal_errno set to EINVAL when
 *   @p arr is NULL or @p idx >= len.
 */
EAL_API void *eal_fbarray_get(const struct eal_fbarray *arr, unsigned int idx);

/**
 * Index of the element containing an address.
 *
 * @param arr
 *   The array.
 * @param elt
 *   An address inside the data area (not necessarily an element's start).
 * @return
 *   The index, or -1 with @ref eal_errno set to EINVAL when @p arr or
 *   @p elt is NULL or @p elt is outside [data, data + len * elt_sz).
 */
EAL_API int eal_fbarray_find_idx(const struct eal_fbarray *arr, const void *elt);

/**
 * Mark an element used. Idempotent: @c count changes only when the state
 * does. Takes the write lock.
 *
 * @param arr
 *   The array.
 * @param idx
 *   Index of the element.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to EINVAL when @p arr is
 *   NULL or @p idx >= len.
 */
EAL_API int eal_fbarray_set_used(struct eal_fbarray *arr, unsigned int idx);

/**
 * Mark an element free. Idempotent: @c count changes only when the state
 * does. Takes the write lock.
 *
 * @param arr
 *   The array.
 * @param idx
 *   Index of the element.
 * @return
 *   0 on success, or -1 with @ref eal_errno set to EINVAL when @p arr is
 *   NULL or @p idx >= len.
 */
EAL_API int eal_fbarray_set_free(struct eal_fbarray *arr, unsigned int idx);

/**
 * Whether an element is used.
 *
 * @param arr
 *   The array.
 * @param idx
 *   Index of the element.
 * @return
 *   1 when used, 0 when free, or -1 with @ref eal_errno set to EINVAL
 *   when @p arr is NULL or @p idx >= len.
 */
EAL_API int eal_fbarray_is_used(struct eal_fbarray *arr, unsigned int idx);

/**
 * Lowest index >= @p start of a free element.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at.
 * @return
 *   The index, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOSPC: no free element at or after @p start.
 */
EAL_API int eal_fbarray_find_next_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Lowest index >= @p start of a used element.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at.
 * @return
 *   The index, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOENT: no used element at or after @p start.
 */
EAL_API int eal_fbarray_find_next_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Lowest index >= @p start that begins @p n consecutive free elements.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index the run may begin at.
 * @param n
 *   Length of the run, 1 to len.
 * @return
 *   The index of the run's first element, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, @p start >= len, @p n is 0 or @p n > len;
 *   - ENOSPC: no such run (including when fewer than @p n elements
 *     follow @p start, or fewer than @p n are free in all).
 */
EAL_API int eal_fbarray_find_next_n_free(struct eal_fbarray *arr, unsigned int start,
					 unsigned int n);

/**
 * Lowest index >= @p start that begins @p n consecutive used elements.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index the run may begin at.
 * @param n
 *   Length of the run, 1 to len.
 * @return
 *   The index of the run's first element, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, @p start >= len, @p n is 0 or @p n > len;
 *   - ENOENT: no such run (including when fewer than @p n elements
 *     follow @p start, or fewer than @p n are used in all).
 */
EAL_API int eal_fbarray_find_next_n_used(struct eal_fbarray *arr, unsigned int start,
					 unsigned int n);

/**
 * Number of consecutive free elements starting at @p start.
 *
 * @param arr
 *   The array.
 * @param start
 *   Index of the first element counted.
 * @return
 *   The count (0 when @p start is used), or -1 with @ref eal_errno set to
 *   EINVAL when @p arr is NULL or @p start >= len.
 */
EAL_API int eal_fbarray_find_contig_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Number of consecutive used elements starting at @p start.
 *
 * @param arr
 *   The array.
 * @param start
 *   Index of the first element counted.
 * @return
 *   The count (0 when @p start is free), or -1 with @ref eal_errno set to
 *   EINVAL when @p arr is NULL or @p start >= len.
 */
EAL_API int eal_fbarray_find_contig_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Highest index <= @p start of a free element.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at, going down.
 * @return
 *   The index, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOSPC: no free element at or below @p start.
 */
EAL_API int eal_fbarray_find_prev_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Highest index <= @p start of a used element.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at, going down.
 * @return
 *   The index, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOENT: no used element at or below @p start.
 */
EAL_API int eal_fbarray_find_prev_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Closest run of @p n free elements that ends at or below @p start:
 * the highest r with r + n - 1 <= @p start and r .. r + n - 1 all free.
 * For example, with 70 and 130 used in a 256-element array,
 * find_prev_n_free(190, 62) is 8.
 *
 * @param arr
 *   The array.
 * @param start
 *   Highest index the run may include.
 * @param n
 *   Length of the run, 1 to len.
 * @return
 *   The index of the run's first (lowest) element, or -1 with
 *   @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, @p start >= len, @p n is 0 or @p n > len;
 *   - ENOSPC: no such run (including when @p start < n - 1).
 */
EAL_API int eal_fbarray_find_prev_n_free(struct eal_fbarray *arr, unsigned int start,
					 unsigned int n);

/**
 * Closest run of @p n used elements that ends at or below @p start: the
 * highest r with r + n - 1 <= @p start and r .. r + n - 1 all used.
 *
 * @param arr
 *   The array.
 * @param start
 *   Highest index the run may include.
 * @param n
 *   Length of the run, 1 to len.
 * @return
 *   The index of the run's first (lowest) element, or -1 with
 *   @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL, @p start >= len, @p n is 0 or @p n > len;
 *   - ENOENT: no such run (including when @p start < n - 1).
 */
EAL_API int eal_fbarray_find_prev_n_used(struct eal_fbarray *arr, unsigned int start,
					 unsigned int n);

/**
 * Number of consecutive free elements ending at @p start, counting down.
 *
 * @param arr
 *   The array.
 * @param start
 *   Index of the first element counted.
 * @return
 *   The count (0 when @p start is used), or -1 with @ref eal_errno set to
 *   EINVAL when @p arr is NULL or @p start >= len.
 */
EAL_API int eal_fbarray_find_rev_contig_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Number of consecutive used elements ending at @p start, counting down.
 *
 * @param arr
 *   The array.
 * @param start
 *   Index of the first element counted.
 * @return
 *   The count (0 when @p start is free), or -1 with @ref eal_errno set to
 *   EINVAL when @p arr is NULL or @p start >= len.
 */
EAL_API int eal_fbarray_find_rev_contig_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Start of the longest run of free elements at or after @p start. A run
 * that contains @p start counts from @p start; of several runs of the
 * same length, the first (lowest) one wins.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at.
 * @return
 *   The index of the run's first element, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOSPC: no free element at or after @p start.
 */
EAL_API int eal_fbarray_find_biggest_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Start of the longest run of used elements at or after @p start. A run
 * that contains @p start counts from @p start; of several runs of the
 * same length, the first (lowest) one wins.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at.
 * @return
 *   The index of the run's first element, or -1 with @ref eal_errno set to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOENT: no used element at or after @p start.
 */
EAL_API int eal_fbarray_find_biggest_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Longest run of free elements at or below @p start, searching down. A run
 * that contains @p start counts up to @p start only; of several runs of
 * the same length, the first one found (the highest) wins.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at, going down.
 * @return
 *   The index of the run's lowest element, or -1 with @ref eal_errno set
 *   to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOSPC: no free element at or below @p start.
 */
EAL_API int eal_fbarray_find_rev_biggest_free(struct eal_fbarray *arr, unsigned int start);

/**
 * Longest run of used elements at or below @p start, searching down. A run
 * that contains @p start counts up to @p start only; of several runs of
 * the same length, the first one found (the highest) wins.
 *
 * @param arr
 *   The array.
 * @param start
 *   First index to look at, going down.
 * @return
 *   The index of the run's lowest element, or -1 with @ref eal_errno set
 *   to:
 *   - EINVAL: @p arr is NULL or @p start >= len;
 *   - ENOENT: no used element at or below @p start.
 */
EAL_API int eal_fbarray_find_rev_biggest_used(struct eal_fbarray *arr, unsigned int start);

/**
 * Print an array's name, sizes and used mask, as DPDK:
 *
 * @verbatim
   File-backed array: <name>
   size: <len> occupied: <count> elt_sz: <elt_sz>
   msk idx 0: 0x<16 hex digits>
   ...                                         (one line per 64 elements)
   @endverbatim
 *
 * An array that is not valid or not mapped in this process prints
 * "Invalid file-backed array" instead.
 *
 * @param arr
 *   The array.
 * @param f
 *   Where to print.
 *
 * When @p arr or @p f is NULL nothing is printed and @ref eal_errno is set
 * to EINVAL.
 */
EAL_API void eal_fbarray_dump_metadata(struct eal_fbarray *arr, FILE *f);

#ifdef __cplusplus
}
#endif

#endif /* EAL_FBARRAY_H */
