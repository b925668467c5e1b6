#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Checks that the shared library exports exactly the functions and variables
# marked EAL_API in the public headers: nothing internal leaks out (eal__*,
# static helpers) and nothing public is missing.
# usage: check_symbols.sh <libeal.so> <public header>...
set -eu
lib=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBV]$/ {print $3}' | sed 's/@.*//' | sort -u >"$tmp/exported"
# Names declared with EAL_API: the identifier before the first '('.
grep -h 'EAL_API' "$@" | grep -v '#define' |
	sed -n 's/.*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' | sort -u >"$tmp/declared"
# Exported variables declared extern in headers.
grep -h '^extern .*eal_' "$@" | sed -n 's/.*[ *]\([a-z_][a-z0-9_]*\);.*/\1/p' >>"$tmp/declared"
sort -u -o "$tmp/declared" "$tmp/declared"

status=0
if grep -q '^eal__' "$tmp/exported"; then
	echo "internal symbols exported:"; grep '^eal__' "$tmp/exported"; status=1
fi
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
if [ -n "$extra" ]; then echo "exported but not declared EAL_API:"; echo "$extra"; status=1; fi
if [ -n "$missing" ]; then echo "declared EAL_API but not exported:"; echo "$missing"; status=1; fi
[ $status -eq 0 ] && echo "ok: $(wc -l <"$tmp/exported") symbols exported, all declared"
exit $status
