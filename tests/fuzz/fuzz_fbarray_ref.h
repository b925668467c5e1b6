/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference model of fbarray searches, shared by fuzz_fbarray.c and
 * fuzz_runtime_files.c: one bool per element, and every search answered
 * by walking the elements one at a time, as the semantics in
 * include/eal/eal_fbarray.h are written (UNTRACED: not what is being
 * fuzzed). Also the call of the library's search of the same kind, with
 * its answer in the model's terms.
 */
#ifndef FUZZ_FBARRAY_REF_H
#define FUZZ_FBARRAY_REF_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "eal_errno.h"
#include "eal_fbarray.h"
#include "fuzz_common.h"

enum ref_search {
	S_NEXT,
	S_PREV,
	S_NEXT_N,
	S_PREV_N,
	S_CONTIG,
	S_REV_CONTIG,
	S_BIGGEST,
	S_REV_BIGGEST,
	S_COUNT
};

static inline bool
ref_takes_n(enum ref_search s)
{
	return s == S_NEXT_N || s == S_PREV_N;
}

/* Longest run in @state at or after @start; a run through @start counts
 * from @start, and the first (lowest) of equal runs wins. */
static inline UNTRACED int
ref_biggest(const bool *used, unsigned int len, bool state, unsigned int start, int not_found)
{
	unsigned int best = 0, best_lo = 0, cur = 0;

	for (unsigned int i = start; i <= len; i++) {
		if (i < len && used[i] == state) {
			cur++;
			continue;
		}
		if (cur > best) {
			best = cur;
			best_lo = i - cur;
		}
		cur = 0;
	}
	return best == 0 ? not_found : (int)best_lo;
}

/* The same going down from @start: the first run met (the highest) wins
 * a tie; returns its lowest index. */
static inline UNTRACED int
ref_rev_biggest(const bool *used, bool state, unsigned int start, int not_found)
{
	unsigned int best = 0, best_lo = 0, cur = 0;

	for (long i = start; i >= -1; i--) {
		if (i >= 0 && used[i] == state) {
			cur++;
			continue;
		}
		if (cur > best) {
			best = cur;
			best_lo = (unsigned int)(i + 1);
		}
		cur = 0;
	}
	return best == 0 ? not_found : (int)best_lo;
}

/* The model's answer for the @len elements of @used: >= 0, or -errno. */
static inline UNTRACED int
ref_search(const bool *used, unsigned int len, enum ref_search s, bool state, unsigned int start,
	   unsigned int n)
{
	int not_found = state ? -ENOENT : -ENOSPC;
	unsigned int run = 0;

	if (start >= len)
		return -EINVAL;
	if (ref_takes_n(s) && (n == 0 || n > len))
		return -EINVAL;
	switch (s) {
	case S_NEXT:
		n = 1;
		/* fall through */
	case S_NEXT_N:
		for (unsigned int i = start; i < len; i++) {
			run = used[i] == state ? run + 1 : 0;
			if (run == n)
				return (int)(i + 1 - n);
		}
		return not_found;
	case S_PREV:
		n = 1;
		/* fall through */
	case S_PREV_N:
		for (unsigned int i = start + 1; i-- > 0;) {
			run = used[i] == state ? run + 1 : 0;
			if (run == n)
				return (int)i;
		}
		return not_found;
	case S_CONTIG:
		while (start + run < len && used[start + run] == state)
			run++;
		return (int)run;
	case S_REV_CONTIG:
		while (run <= start && used[start - run] == state)
			run++;
		return (int)run;
	case S_BIGGEST:
		return ref_biggest(used, len, state, start, not_found);
	case S_REV_BIGGEST:
		return ref_rev_biggest(used, state, start, not_found);
	case S_COUNT:
		break;
	}
	abort();
}

/* A library result in the model's terms: >= 0, or -eal_errno. */
static inline UNTRACED int
lib_result(int rc)
{
	if (rc >= 0)
		return rc;
	CHECK(rc == -1 && eal_errno > 0);
	return -eal_errno;
}

/* The library's search of kind @s (@n ignored unless it takes one). */
static inline UNTRACED int
lib_search(struct eal_fbarray *arr, enum ref_search s, bool state, unsigned int start,
	   unsigned int n)
{
	typedef int (*find_fn)(struct eal_fbarray *, unsigned int);
	typedef int (*find_n_fn)(struct eal_fbarray *, unsigned int, unsigned int);
	static const find_fn finds[S_COUNT][2] = {
		[S_NEXT] = { eal_fbarray_find_next_free, eal_fbarray_find_next_used },
		[S_PREV] = { eal_fbarray_find_prev_free, eal_fbarray_find_prev_used },
		[S_CONTIG] = { eal_fbarray_find_contig_free, eal_fbarray_find_contig_used },
		[S_REV_CONTIG] = { eal_fbarray_find_rev_contig_free,
				   eal_fbarray_find_rev_contig_used },
		[S_BIGGEST] = { eal_fbarray_find_biggest_free, eal_fbarray_find_biggest_used },
		[S_REV_BIGGEST] = { eal_fbarray_find_rev_biggest_free,
				    eal_fbarray_find_rev_biggest_used },
	};
	static const find_n_fn finds_n[S_COUNT][2] = {
		[S_NEXT_N] = { eal_fbarray_find_next_n_free, eal_fbarray_find_next_n_used },
		[S_PREV_N] = { eal_fbarray_find_prev_n_free, eal_fbarray_find_prev_n_used },
	};

	eal_errno = 0;
	if (ref_takes_n(s))
		return lib_result(finds_n[s][state](arr, start, n));
	return lib_result(finds[s][state](arr, start));
}

#endif /* FUZZ_FBARRAY_REF_H */
