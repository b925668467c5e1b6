#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build libeal and run the multi-process demo (a primary and a secondary
# sharing memory). Installs missing Debian packages (as root).
#
#   tools/demo.sh [EAL options]
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh

ensure_packages meson ninja-build gcc pkg-config libnuma-dev

if [ ! -f build-demo/build.ninja ]; then
	meson setup build-demo -Dexamples=true -Dtests=disabled >/dev/null
fi
ninja -C build-demo >/dev/null
build-demo/examples/mp_hello "$@"
