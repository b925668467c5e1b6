#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build libeal and run every test suite: once normally, once under
# AddressSanitizer + UndefinedBehaviorSanitizer, both with -Werror; then a
# warning-free clang build whose libFuzzer targets run for a fixed number
# of executions. Installs missing Debian packages (as root) and
# reserves/mounts hugepages for the run (as root), restoring them after.
#
#   tools/test.sh [extra meson test args]
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh

ensure_packages meson ninja-build gcc clang libclang-rt-14-dev pkg-config libcmocka-dev libnuma-dev
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

echo "== gcc, -Werror, ASan + UBSan"
configure build-san -Dwerror=true -Dtests=enabled -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-san
meson test -C build-san --print-errorlogs --num-processes 4 "$@"

echo "== clang, -Werror: build everything, run the fuzz targets briefly"
if [ ! -f build-clang/build.ninja ]; then
	CC=clang meson setup build-clang -Dwerror=true -Dtests=enabled -Dbench=true \
		-Dfuzz=true >/dev/null
fi
ninja -C build-clang
meson test -C build-clang --suite fuzz --print-errorlogs

echo "all test suites passed"
