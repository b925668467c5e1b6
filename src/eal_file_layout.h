/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * On-disk layouts of the runtime files that are not plain shared structs,
 * for their writers and for the programs that read them without the
 * library's code paths (tools/eal-info, the fuzz harnesses): one
 * definition, so that a layout change cannot leave a reader behind.
 * Native byte order: only processes of one machine read them.
 */
#ifndef EAL_FILE_LAYOUT_H
#define EAL_FILE_LAYOUT_H

#include <stdint.h>

/* ---- fbarray_<name> (src/eal_fbarray.c) ----------------------------------
 *
 *   data[len * elt_sz] | pad to 8 | struct eal_fbarray_meta | mask[n_masks]
 *
 * rounded up to the system page size. Bit i % 64 of mask word i / 64 is 1
 * when element i is used; bits at or past len are always 0.
 */

/* "FBAR" + layout version 1, at the start of the metadata. */
#define EAL_FBARRAY_MAGIC 0x46424101u

/* Written by init after the data, read by attach to check that the
 * caller's struct describes this file (sizes alone round to a page). */
struct eal_fbarray_meta {
	uint32_t magic;
	uint32_t len;
	uint32_t elt_sz;
	uint32_t n_masks;
};

/* ---- hugepage_data (src/eal_hugepage_legacy.c) ----------------------------
 *
 * Header, then `count` entries in memseg-list order (strictly increasing
 * VA). The checksum is FNV-1a 64 over the whole file with the checksum
 * field zero. Page files are named relative to the size's directory in
 * hugepage_info, so a record never points outside hugetlbfs.
 */
#define EAL_HUGEPAGE_DATA_MAGIC 0x41544144504c4145ull /* "EALPDATA" */
#define EAL_HUGEPAGE_DATA_VERSION 1u
#define EAL_HUGEPAGE_DATA_F_UNLINKED 1u /* --huge-unlink=always: the files are gone */
#define EAL_HUGEPAGE_DATA_NAME_LEN 96u

struct eal_hugepage_data_hdr {
	uint64_t magic;
	uint32_t version;
	uint32_t hdr_size;
	uint32_t entry_size;
	uint32_t count;
	uint32_t flags;
	uint32_t reserved;
	uint64_t checksum;
};

struct eal_hugepage_data_entry {
	char name[EAL_HUGEPAGE_DATA_NAME_LEN]; /* "<prefix>map_<n>", NUL-terminated */
	uint64_t va;
	uint64_t iova;
	uint64_t size;
	int32_t socket;
	uint32_t size_idx;
};

_Static_assert(sizeof(struct eal_fbarray_meta) == 16, "fbarray metadata layout");
_Static_assert(sizeof(struct eal_hugepage_data_hdr) == 40, "hugepage_data header layout");
_Static_assert(sizeof(struct eal_hugepage_data_entry) == EAL_HUGEPAGE_DATA_NAME_LEN + 32,
	       "hugepage_data entry layout");

#endif /* EAL_FILE_LAYOUT_H */
