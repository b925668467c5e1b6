#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""List the tests a `meson test` run skipped, with the reason each gave.

    tools/check-skips.py [--strict] BUILD_DIR/meson-logs/testlog[-SETUP].json

A test skipped as a whole (meson's SKIP: exit 77, or TAP "1..0 # SKIP"),
and a case inside a test that CMocka reports skipped ("not ok N # SKIP
name" in TAP, "[  SKIPPED ] name" otherwise), both count. The reason is the test's own "# SKIP: ..."
line when it printed one.

With --strict, any skip is an error (exit 1): tools/test.sh passes it as
root on a machine with hugepages, where every test must run for real.
Without it the list is informational and the exit status is 0.
"""
import json
import re
import sys

CASE_SKIP = re.compile(r"^(?:(?:not )?ok \d+ # SKIP (\S+)|\[  SKIPPED \] (\S+))$")
REASON = re.compile(r"^#\s*SKIP:?\s*(.*)$")


def skips(log_path):
    """(test name, reason) for every skip in one testlog.json."""
    out = []
    with open(log_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            t = json.loads(line)
            text = t.get("stdout") or ""
            reasons = [m.group(1) for m in map(REASON.match, text.splitlines()) if m]
            reason = reasons[0] if reasons and reasons[0] else "no reason printed"
            if t.get("result") == "SKIP":
                out.append((t["name"], reason))
                continue
            cases = []
            for case in map(CASE_SKIP.match, text.splitlines()):
                if case and (case.group(1) or case.group(2)) not in cases:
                    cases.append(case.group(1) or case.group(2))
            out += [("%s (case %s)" % (t["name"], c), reason) for c in cases]
    return out


def main(argv):
    strict = "--strict" in argv
    logs = [a for a in argv if a != "--strict"]
    if not logs:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    found = []
    for log in logs:
        found += skips(log)
    for name, reason in found:
        print("skipped: %s: %s" % (name, reason))
    if found and strict:
        print("%d skip(s): as root with hugepages every test must run; "
              "see the reasons above" % len(found), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
