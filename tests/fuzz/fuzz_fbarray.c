/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for fbarray operation sequences (src/eal_fbarray.c),
 * checked step by step against a reference model: one bool per element,
 * and every search answered by walking the elements one at a time.
 *
 * The input is a header (array length, element size) and a list of
 * 5-byte operations: set used or free (one element, a range, or a whole
 * 64-element mask word from a bit pattern), write an element's data, and
 * each of the 16 searches, is_used and find_idx, with indices in or out
 * of range. After every step the used count must match the model, and a
 * search or is_used must return the model's answer (the value, or -1 with
 * the model's eal_errno). At the end of an input every element's state
 * and data, the metadata dump, and every search from a few starts are
 * compared with the model. The array is anonymous memory (no eal_init,
 * no runtime directory), created by the first input of its shape and
 * destroyed at exit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal_errno.h"
#include "eal_fbarray.h"
#include "fuzz_common.h"
#include "fuzz_fbarray_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* More than 16 mask words, so the 4-word skips of the scans are reached. */
#define MAX_LEN 1100
#define MAX_ELT 48
#define HDR_LEN 3
#define OP_LEN 5

/* ---- the model and the checks ------------------------------------------- */

static struct {
	unsigned int len, elt_sz, count;
	bool used[MAX_LEN];
	uint8_t fill[MAX_LEN]; /* the byte every element's data holds */
} ref;

static struct eal_fbarray arr;

static UNTRACED void
check_search(enum ref_search s, bool state, unsigned int start, unsigned int n)
{
	CHECK(lib_search(&arr, s, state, start, n) ==
	      ref_search(ref.used, ref.len, s, state, start, n));
}

static UNTRACED void
check_used(unsigned int idx)
{
	eal_errno = 0;
	CHECK(lib_result(eal_fbarray_is_used(&arr, idx)) ==
	      (idx < ref.len ? (int)ref.used[idx] : -EINVAL));
}

static UNTRACED void
set_state(unsigned int idx, bool state)
{
	int rc;

	eal_errno = 0;
	rc = state ? eal_fbarray_set_used(&arr, idx) : eal_fbarray_set_free(&arr, idx);
	if (idx >= ref.len) {
		CHECK(lib_result(rc) == -EINVAL);
		return;
	}
	CHECK(rc == 0);
	if (ref.used[idx] != state) {
		if (state)
			ref.count++;
		else
			ref.count--;
	}
	ref.used[idx] = state;
}

/* Element @idx (in range) holds its bytes; with @addr, the pointer
 * arithmetic around it too. */
static UNTRACED void
check_element(unsigned int idx, bool addr)
{
	const uint8_t *e = (const uint8_t *)arr.data + (size_t)idx * ref.elt_sz;

	if (addr) {
		CHECK(eal_fbarray_get(&arr, idx) == e);
		CHECK(eal_fbarray_find_idx(&arr, e) == (int)idx);
		CHECK(eal_fbarray_find_idx(&arr, e + ref.elt_sz - 1) == (int)idx);
	}
	for (unsigned int b = 0; b < ref.elt_sz; b++)
		CHECK(e[b] == ref.fill[idx]);
}

/* The dump prints one mask word per line; they must be the model's. */
static UNTRACED void
check_dump(void)
{
	static char text[128 + (MAX_LEN / 64 + 1) * 48];
	unsigned int words = (ref.len + 63) / 64, w = 0, len, count, elt_sz;
	char *line, *save = NULL;
	FILE *f;

	memset(text, 0, sizeof(text));
	f = fmemopen(text, sizeof(text) - 1, "w");
	CHECK(f != NULL);
	eal_fbarray_dump_metadata(&arr, f);
	CHECK(fclose(f) == 0);
	line = strtok_r(text, "\n", &save);
	CHECK(line != NULL && strcmp(line, "File-backed array: fuzz") == 0);
	line = strtok_r(NULL, "\n", &save);
	CHECK(line != NULL);
	CHECK(sscanf(line, "size: %u occupied: %u elt_sz: %u", &len, &count, &elt_sz) == 3);
	CHECK(len == ref.len && count == ref.count && elt_sz == ref.elt_sz);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		uint64_t mask, want = 0;
		unsigned int idx;

		CHECK(sscanf(line, "msk idx %u: 0x%" SCNx64, &idx, &mask) == 2 && idx == w);
		for (unsigned int b = 0; b < 64 && w * 64 + b < ref.len; b++)
			want |= (uint64_t)ref.used[w * 64 + b] << b;
		CHECK(mask == want);
		w++;
	}
	CHECK(w == words);
}

/* Everything, from a few starts: the ends, @hint and the end of its
 * mask word. */
static UNTRACED void
check_all(unsigned int hint)
{
	unsigned int starts[] = { 0, ref.len - 1, hint % ref.len, (hint | 63) % ref.len };
	unsigned int ns[] = { 1, 64, ref.len, hint % ref.len + 1 };

	CHECK(arr.count == ref.count);
	for (unsigned int i = 0; i < ref.len; i++) {
		check_used(i);
		check_element(i, i == 0 || i == ref.len - 1 || i == hint % ref.len);
	}
	check_used(ref.len);
	check_dump();
	for (size_t k = 0; k < EAL_DIM(starts); k++) {
		for (int s = 0; s < S_COUNT; s++) {
			for (int state = 0; state < 2; state++) {
				if (!ref_takes_n(s)) {
					check_search(s, state, starts[k], 0);
					continue;
				}
				for (size_t j = 0; j < EAL_DIM(ns); j++)
					check_search(s, state, starts[k], ns[j]);
			}
		}
	}
}

/* ---- operations --------------------------------------------------------- */

enum op {
	OP_SET_USED,
	OP_SET_FREE,
	OP_RANGE_USED,
	OP_RANGE_FREE,
	OP_WORD,
	OP_WRITE,
	OP_IS_USED,
	OP_FIND_IDX,
	OP_SEARCH, /* OP_SEARCH + enum ref_search */
	OP_COUNT = OP_SEARCH + S_COUNT
};

/* Bit 7 of the op byte: take the 16-bit operands raw (mostly out of
 * range) instead of folded into the array; bit 6: the used state. */
#define OPF_RAW 0x80
#define OPF_USED 0x40

static void
run_op(const uint8_t *o)
{
	bool raw = o[0] & OPF_RAW, state = o[0] & OPF_USED;
	unsigned int a = o[1] | (unsigned int)o[2] << 8, b = o[3] | (unsigned int)o[4] << 8;
	unsigned int idx = raw ? a : a % ref.len, n = raw ? b : b % (ref.len + 1);
	enum op op = (enum op)((o[0] & 0x3f) % OP_COUNT);

	switch (op) {
	case OP_SET_USED:
	case OP_SET_FREE:
		set_state(idx, op == OP_SET_USED);
		check_used(idx);
		break;
	case OP_RANGE_USED:
	case OP_RANGE_FREE:
		for (unsigned int i = idx; i < ref.len && i - idx < n; i++)
			set_state(i, op == OP_RANGE_USED);
		if (idx > 0)
			check_used(idx - 1);
		check_used(idx + n < ref.len ? idx + n : ref.len - 1);
		break;
	case OP_WORD: {
		/* A 64-bit pattern from 16 bits: each bit of b picks a nibble
		 * of all-ones or of b's low nibble. */
		unsigned int base = (idx / 64) * 64;

		for (unsigned int i = 0; i < 64 && base + i < ref.len; i++) {
			bool bit = (b >> (i / 4)) & 1 ? true : (b >> (i % 4)) & 1;

			set_state(base + i, bit != state);
		}
		break;
	}
	case OP_WRITE:
		if (idx < ref.len) {
			memset(eal_fbarray_get(&arr, idx), b & 0xff, ref.elt_sz);
			ref.fill[idx] = (uint8_t)b;
			check_element(idx, true);
		} else {
			eal_errno = 0;
			CHECK(eal_fbarray_get(&arr, idx) == NULL && eal_errno == EINVAL);
		}
		break;
	case OP_IS_USED:
		check_used(idx);
		break;
	case OP_FIND_IDX: {
		/* Any byte of the data area, or past it. */
		size_t off = (size_t)a * 16 + (b & 15);
		size_t data_len = (size_t)ref.len * ref.elt_sz;

		eal_errno = 0;
		if (off < data_len)
			CHECK(eal_fbarray_find_idx(&arr, (uint8_t *)arr.data + off) ==
			      (int)(off / ref.elt_sz));
		else
			CHECK(lib_result(eal_fbarray_find_idx(&arr, (uint8_t *)arr.data + off)) ==
			      -EINVAL);
		break;
	}
	default:
		check_search((enum ref_search)(op - OP_SEARCH), state, idx, n);
		break;
	}
	CHECK(arr.count == ref.count);
}

static void
destroy_array(void)
{
	if (arr.data == NULL)
		return;
	CHECK(eal_fbarray_destroy(&arr) == 0);
	CHECK(arr.data == NULL && arr.len == 0);
}

/*
 * An array of @len elements of @elt_sz bytes, all free and zeroed. The
 * previous input's array is reused when it has that shape: unmapping one
 * per input (a TLB shootdown in every run) would cost more than all the
 * checks. Reuse leaves nothing behind that a search could see: every used
 * element is set free through the API and the data zeroed.
 */
static void
new_array(unsigned int len, unsigned int elt_sz)
{
	if (arr.data != NULL && (arr.len != len || arr.elt_sz != elt_sz))
		destroy_array();
	if (arr.data == NULL) {
		CHECK(eal_fbarray_init(&arr, "fuzz", len, elt_sz) == 0);
		CHECK(arr.len == len && arr.elt_sz == elt_sz && arr.count == 0);
	} else {
		for (unsigned int i = 0; i < len; i++)
			if (ref.used[i])
				CHECK(eal_fbarray_set_free(&arr, i) == 0);
		CHECK(arr.count == 0);
		memset(arr.data, 0, (size_t)len * elt_sz);
	}
	memset(&ref, 0, sizeof(ref));
	ref.len = len;
	ref.elt_sz = elt_sz;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	atexit(destroy_array);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int hint = 0;

	if (size < HDR_LEN)
		return 0;
	new_array(1 + (data[0] | (unsigned int)data[1] << 8) % MAX_LEN, 1 + data[2] % MAX_ELT);
	for (size_t off = HDR_LEN; off + OP_LEN <= size; off += OP_LEN) {
		run_op(&data[off]);
		hint = data[off + 1] | (unsigned int)data[off + 2] << 8;
	}
	check_all(hint);
	return 0;
}
