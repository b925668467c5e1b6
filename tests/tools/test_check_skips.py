#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""tools/check-skips.py on testlog.json fixtures, as TAP.

    test_check_skips.py CHECK_SKIPS_PY

A skipped test and a skipped CMocka case (TAP and default output) are
each listed once, with the test's "# SKIP:" reason; --strict fails on any
skip and passes a run without one.
"""
import json
import os
import subprocess
import sys
import tempfile

LOG = [
    {"name": "libeal:mp / mp_heap", "result": "SKIP",
     "stdout": "# SKIP: fewer than 400 free 2 MiB hugepages\n"},
    {"name": "libeal:api / api_legacy", "result": "OK",
     "stdout": "[ RUN      ] test_pool_shrinks\n[  SKIPPED ] test_pool_shrinks\n"
               "[  SKIPPED ] 1 test(s), listed below:\n[  SKIPPED ] test_pool_shrinks\n"},
    {"name": "libeal:unit / unit_x", "result": "OK",
     "stdout": "1..2\nnot ok 1 # SKIP test_a\nok 2 - test_b\n"},
    {"name": "libeal:unit / unit_y", "result": "OK", "stdout": "1..1\nok 1 - test_c\n"},
]


def run(tool, log, *args):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        for t in log:
            f.write(json.dumps(t) + "\n")
    try:
        p = subprocess.run([sys.executable, tool, *args, f.name], capture_output=True,
                           text=True, check=False)
    finally:
        os.unlink(f.name)
    return p.returncode, p.stdout.splitlines()


def main():
    tool = sys.argv[1]
    results = []
    rc, lines = run(tool, LOG)
    results.append((rc == 0, "without --strict a skip is listed, not an error"))
    results.append((lines == [
        "skipped: libeal:mp / mp_heap: fewer than 400 free 2 MiB hugepages",
        "skipped: libeal:api / api_legacy (case test_pool_shrinks): no reason printed",
        "skipped: libeal:unit / unit_x (case test_a): no reason printed",
    ], "each skip once, with its reason: %r" % lines))
    rc, _ = run(tool, LOG, "--strict")
    results.append((rc == 1, "--strict fails on a skip"))
    rc, lines = run(tool, LOG[3:], "--strict")
    results.append((rc == 0 and lines == [], "--strict passes a run without skips"))
    print("1..%d" % len(results))
    for n, (ok, desc) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
    return 1 if any(not ok for ok, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
