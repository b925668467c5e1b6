#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seeds of fuzz_fbarray (tests/fuzz/corpus/fbarray/).

An input is a 3-byte header, the array length - 1 (16 bits, little
endian) and the element size - 1, then 5-byte operations: a kind byte
(bit 6: the used state, bit 7: operands taken raw, out of range) and two
16-bit operands, an index and a count. The kinds are those of enum op in
fuzz_fbarray.c. Run from anywhere: python3 gen_fbarray_seeds.py
"""
import os
import struct

SET_USED, SET_FREE, RANGE_USED, RANGE_FREE, WORD, WRITE, IS_USED, FIND_IDX = range(8)
NEXT, PREV, NEXT_N, PREV_N, CONTIG, REV_CONTIG, BIGGEST, REV_BIGGEST = range(8, 16)
USED, RAW = 0x40, 0x80
SEARCHES = range(NEXT, REV_BIGGEST + 1)


def seed(length, elt_sz, ops):
    out = struct.pack('<HB', length - 1, elt_sz - 1)
    for kind, a, b in ops:
        out += struct.pack('<BHH', kind, a, b)
    return out


def all_searches(starts, n):
    return [(k | s, start, n) for start in starts for k in SEARCHES for s in (0, USED)]


SEEDS = {
    # one element: every search at its only index, both states
    'len1': seed(1, 1, all_searches([0], 1) + [(SET_USED, 0, 0)] + all_searches([0], 1)),
    # exactly one mask word, full (the count fast paths), then one hole
    'len64_full': seed(64, 8, [(RANGE_USED, 0, 64)] + all_searches([0, 63], 64) +
                       [(SET_FREE, 31, 0)] + all_searches([0, 31, 63], 32)),
    # one word and a bit: the tail bits of the last word
    'len65_tail': seed(65, 4, [(RANGE_USED, 60, 5), (SET_USED, 64, 0)] +
                       all_searches([63, 64], 2)),
    # runs crossing words, long skips: 1100 elements of 1 byte
    'len1100_runs': seed(1100, 1, [(RANGE_USED, 60, 140), (RANGE_USED, 400, 600),
                                   (SET_FREE, 700, 0)] +
                         all_searches([0, 59, 64, 199, 200, 1099], 65)),
    # dense patterns word by word, then the biggest runs
    'len300_words': seed(300, 24, [(WORD, 0, 0x1234), (WORD | USED, 64, 0xf0f0),
                                   (WORD, 128, 0x0ff0), (WORD | USED, 256, 0xffff)] +
                         all_searches([0, 150, 299], 3)),
    # element data next to the mask: odd sizes, writes, find_idx
    'elt_odd': seed(130, 47, [(WRITE, 0, 0xaa), (WRITE, 129, 0x55), (FIND_IDX, 0, 3),
                              (FIND_IDX, 381, 0), (RANGE_USED, 0, 130), (WRITE, 64, 0xff)] +
                    all_searches([129], 130)),
    # out of range: indices and counts past len, n = 0
    'out_of_range': seed(100, 2, [(SET_USED | RAW, 100, 0), (SET_FREE | RAW, 65535, 0),
                                  (IS_USED | RAW, 100, 0), (WRITE | RAW, 100, 1),
                                  (FIND_IDX | RAW, 13, 0)] +
                         [(k | RAW, 100, 1) for k in SEARCHES] +
                         [(NEXT_N | RAW, 0, 0), (PREV_N | RAW, 99, 101),
                          (NEXT_N | USED | RAW, 50, 51), (PREV_N, 10, 12)]),
    # almost full, and almost empty: the searches that need the n-run scans
    'len700_sparse': seed(700, 16, [(RANGE_USED, 0, 700), (SET_FREE, 3, 0), (SET_FREE, 500, 0),
                                    (RANGE_FREE, 520, 130)] +
                          all_searches([0, 510, 699], 129)),
}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'fbarray')
os.makedirs(here, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(here, name + '.bin'), 'wb') as f:
        f.write(data)
