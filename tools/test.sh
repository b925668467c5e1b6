#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build libeal and run every test suite: once normally, once under
# AddressSanitizer + UndefinedBehaviorSanitizer, both with -Werror; then a
# warning-free clang build whose libFuzzer targets run for a fixed number
# of executions. Installs missing Debian packages (as root) and
# reserves/mounts hugepages for the run (as root), restoring them after.
# As root on a machine with hugepages every test must run: a skipped test
# fails the run (tools/check-skips.py names it and its reason); as a
# normal user the hugepage tests skip, and the list says why.
#
#   tools/test.sh [extra meson test args]
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh

ensure_packages meson ninja-build gcc clang libclang-rt-14-dev pkg-config libcmocka-dev libnuma-dev valgrind \
	scdoc man-db build-essential debhelper dpkg-dev lintian doxygen
hugepages_setup

configure() {
	dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@" >/dev/null
	fi
}

echo "== gcc, -Werror"
configure build -Dwerror=true -Dtests=enabled -Dexamples=true
ninja -C build
meson test -C build --print-errorlogs --num-processes 4 "$@"
check_skips build/meson-logs/testlog.json
echo "== API reference: doxygen, warnings fail it"
ninja -C build docs >/dev/null

echo "== stress: 8 processes x 2 threads (bounded op count), then a 20 s kill -9 storm"
EAL_STRESS_OPS=${EAL_STRESS_OPS:-1500} meson test -C build --setup stress --suite stress --print-errorlogs
check_skips build/meson-logs/testlog-stress.json

echo "== valgrind: the single-process unit tests, no leak, no invalid access"
# A build with a smaller VA reservation (valgrind's address space is
# smaller than DPDK's default 64 GiB per type); unit_memseg_list is left
# out: it asserts DPDK's default sizing, which this build changes on purpose.
configure build-valgrind -Dtests=enabled -Dexamples=false -Dmax_mem_mb=8192 \
	-Dmax_mem_mb_per_type=2048 -Dmax_mem_mb_per_list=1024
ninja -C build-valgrind
# shellcheck disable=SC2046
meson test -C build-valgrind --print-errorlogs \
	--wrap='valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect -q' \
	$(meson test -C build-valgrind --suite unit --list 2>/dev/null | sed -n 's|^libeal:unit / ||p' | grep -v '^unit_memseg_list$')
check_skips build-valgrind/meson-logs/testlog-valgrind.json

echo "== gcc, -Werror, ASan + UBSan"
configure build-san -Dwerror=true -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-san
meson test -C build-san --print-errorlogs --num-processes 4 "$@"
check_skips build-san/meson-logs/testlog.json

echo "== clang, -Werror: build everything, run the fuzz targets briefly"
if [ ! -f build-clang/build.ninja ]; then
	CC=clang meson setup build-clang -Dwerror=true -Dtests=enabled -Dbench=true \
		-Dfuzz=true >/dev/null
fi
ninja -C build-clang
meson test -C build-clang --suite fuzz --print-errorlogs
check_skips build-clang/meson-logs/testlog.json

echo "== Debian packages: build, lintian, file lists, a program against the unpacked .debs"
sh tools/check-debian.sh

echo "all test suites passed"
