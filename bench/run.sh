#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build the benchmarks (release) and run them all; JSON lines on stdout.
# When libdpdk-dev is installed (root: installed here), each benchmark also
# runs DPDK 22.11's same workload in the same run and prints the ratio.
#   bench/run.sh
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh
ensure_packages meson ninja-build gcc pkg-config libnuma-dev libdpdk-dev
# Legacy and PA-mode cases need hugepages: reserved for the run, restored.
# bench_dynmem's secondary attach needs 1 GiB of them held by a primary.
EAL_TEST_HUGEPAGES=${EAL_TEST_HUGEPAGES:-1100} hugepages_setup
if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench -Dbench=true -Dtests=disabled -Dexamples=false -Dbuildtype=release >/dev/null
fi
ninja -C build-bench >/dev/null
build-bench/bench/bench_fbarray
build-bench/bench/bench_iova
dpdk=
[ -x build-bench/bench/bench_init_dpdk ] && dpdk="--dpdk build-bench/bench/bench_init_dpdk"
# shellcheck disable=SC2086
build-bench/bench/bench_init $dpdk
dpdk=
[ -x build-bench/bench/bench_memory_dpdk ] && dpdk="--dpdk build-bench/bench/bench_memory_dpdk"
# shellcheck disable=SC2086
build-bench/bench/bench_memory $dpdk
dpdk=
[ -x build-bench/bench/bench_dynmem_dpdk ] && dpdk="--dpdk build-bench/bench/bench_dynmem_dpdk"
# shellcheck disable=SC2086
build-bench/bench/bench_dynmem $dpdk
