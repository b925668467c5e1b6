#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs a program that must fail in one particular way: it must exit with
# status 1 (not 0, not a crash or a signal) and print every MESSAGE
# (stdout and stderr together; a MESSAGE is one line of text).
#
#   expect_failure.sh MESSAGE... -- PROGRAM [ARGS...]
#
# Used by the tests of examples/mp_pipeline that inject a fault.
messages=
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	messages="$messages$1
"
	shift
done
if [ $# -lt 2 ]; then
	echo "usage: expect_failure.sh MESSAGE... -- PROGRAM [ARGS...]" >&2
	exit 2
fi
shift
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne 1 ]; then
	echo "expect_failure: exit status $status, expected 1" >&2
	exit 1
fi
missing=$(printf '%s' "$messages" | while IFS= read -r m; do
	printf '%s\n' "$out" | grep -qF -- "$m" || printf '"%s" ' "$m"
done)
if [ -n "$missing" ]; then
	echo "expect_failure: the output does not say $missing" >&2
	exit 1
fi
echo "expect_failure: failed as expected"
