#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the benchmarks (release) and run them all; JSON lines on stdout
# (the first describes the machine; the format is in bench/bench_common.h).
# When libdpdk-dev is installed (root: installed here), each benchmark also
# runs DPDK 22.11's same workload in the same run and prints the ratio.
#   bench/run.sh [--markdown FILE]
# --markdown FILE also writes the Markdown report of the run to FILE
# (bench/report.py; docs/benchmarks.md is the one in the tree). Where
# others run hugepage tests: flock /tmp/eal-hugepages.lock bench/run.sh ...
set -eu
cd "$(dirname "$0")/.."

markdown=
while [ $# -gt 0 ]; do
	case $1 in
	--markdown)
		[ $# -ge 2 ] || { echo "bench/run.sh: --markdown needs a file" >&2; exit 2; }
		markdown=$2
		shift 2
		;;
	--markdown=*)
		markdown=${1#--markdown=}
		shift
		;;
	*)
		echo "usage: bench/run.sh [--markdown FILE]" >&2
		exit 2
		;;
	esac
done

. tools/setup-common.sh
# stdout carries only JSON lines: what these say goes to stderr.
ensure_packages meson ninja-build gcc pkg-config libnuma-dev libdpdk-dev python3 >&2
# Legacy and PA-mode cases need hugepages: reserved for the run, restored.
# bench_dynmem's secondary attach needs 1 GiB of them held by a primary.
EAL_TEST_HUGEPAGES=${EAL_TEST_HUGEPAGES:-1100} hugepages_setup >&2
tmp=$(mktemp -d /tmp/eal-bench-run.XXXXXX)
# hugepages_setup's trap, and the temporary files.
trap 'rm -rf "$tmp"; hugepages_restore' EXIT
trap 'exit 130' INT TERM

if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench -Dbench=true -Dtests=disabled -Dexamples=false -Dbuildtype=release >&2
fi
# Only the benchmark programs (and what they link): the rest of the tree
# is not needed here.
targets=$(ninja -C build-bench -t targets all | sed -n 's|^\(bench/bench_[a-z0-9_]*\): .*|\1|p')
# shellcheck disable=SC2086
ninja -C build-bench $targets >&2

failed=
# Run a benchmark: its lines to stdout and to the report's input.
run_bench() {
	{
		rc=0
		"$@" || rc=$?
		echo "$rc" >"$tmp/rc"
	} | tee -a "$tmp/json"
	rc=$(cat "$tmp/rc")
	if [ "$rc" -ne 0 ]; then
		echo "bench/run.sh: $* failed (exit status $rc)" >&2
		failed="$failed ${1##*/}"
	fi
}

# The program's DPDK twin, as --dpdk PATH, when it was built.
twin() {
	[ -x "build-bench/bench/$1_dpdk" ] && echo "--dpdk build-bench/bench/$1_dpdk"
	return 0
}

python3 bench/report.py --machine build-bench | tee "$tmp/json"
# bench_fbarray knows its twin's path from the build.
run_bench build-bench/bench/bench_fbarray
run_bench build-bench/bench/bench_iova
for b in bench_init bench_memory bench_dynmem bench_malloc; do
	# shellcheck disable=SC2046
	run_bench "build-bench/bench/$b" $(twin "$b")
done

printf '{"bench":"load","when":"end","loadavg":"%s"}\n' "$(cut -d' ' -f1-3 /proc/loadavg)" |
	tee -a "$tmp/json"

if [ -n "$markdown" ]; then
	python3 bench/report.py -o "$markdown" "$tmp/json"
	echo "bench/run.sh: wrote $markdown" >&2
fi
if [ -n "$failed" ]; then
	echo "bench/run.sh: failed:$failed" >&2
	exit 1
fi
