#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build libeal and run the multi-process demo, examples/mp_pipeline: a
# primary and two secondaries passing buffers through rings in shared
# memory, checked end to end, with the default memory (hugepages when
# usable, else 4 KiB shared pages). Installs missing Debian packages (as
# root).
#
#   tools/demo.sh [EAL options] [-- mp_pipeline options]
#   e.g. tools/demo.sh --no-huge -- --stages 4 --seconds 5
#
# EAL_DEMO_BUILDDIR chooses the build directory (default: build-demo).
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh

ensure_packages meson ninja-build gcc pkg-config libnuma-dev

build=${EAL_DEMO_BUILDDIR:-build-demo}
if [ ! -f "$build/build.ninja" ]; then
	echo "demo: configuring $build"
	meson setup "$build" -Dexamples=true -Dtests=disabled >/dev/null
fi
echo "demo: building examples/mp_pipeline and eal-info"
ninja -C "$build" examples/mp_pipeline tools/eal-info | grep -v '^ninja: ' || true
echo "demo: running (eal-info --list shows it from another terminal)"
exec "$build/examples/mp_pipeline" "$@"
