#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds tests/consumer, a project of its own, against libeal the ways
# README's "Use it in your project" gives, and runs each program:
#   a. libeal as a meson subproject (subprojects/libeal.wrap beside a
#      symlink to this source tree): asked for shared (static: false), with
#      the parent's -Ddefault_library=static, and asked for static
#      (static: true). Each time: no libeal test, example or tool target
#      exists, nothing of libeal is installed but the shared library it
#      links, and the static ones need no libeal.so.
#   b. libeal installed into a scratch prefix, found through pkg-config:
#      `cc ... $(pkg-config --cflags --libs libeal)` (runs with
#      LD_LIBRARY_PATH), `pkg-config --static` (no libeal.so needed), a
#      fully static `cc -static`, and a meson project with
#      dependency('libeal') and dependency('libeal', static: true).
# Everything happens in a scratch directory, removed at exit; each step is
# bounded by timeout(1). Exits 1 at the first failure, saying what failed.
#
#   tests/consumer/run.sh [LIBEAL_SOURCE_DIR]
# Environment: MESON, NINJA, CC, PKG_CONFIG (commands; default meson,
# ninja, cc, pkg-config), CONSUMER_JOBS (ninja -j; default nproc),
# CONSUMER_KEEP=1 (keep the scratch directory, and say where).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${1:-$here/../..}" && pwd)
meson=${MESON:-meson}
ninja=${NINJA:-ninja}
cc=${CC:-cc}
pkg_config=${PKG_CONFIG:-pkg-config}
jobs=${CONSUMER_JOBS:-$(nproc 2>/dev/null || echo 2)}

# What the calling build or test harness set must not leak into ours.
unset LD_LIBRARY_PATH PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR \
	MESON_TESTTHREADS MESONINTROSPECT DESTDIR

fail() {
	echo "consumer: FAIL: $*" >&2
	exit 1
}
say() {
	echo "consumer: $*"
}

for tool in "$meson" "$ninja" "${cc%% *}" "$pkg_config" python3 readelf nm ldd timeout; do
	command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/libeal-consumer.XXXXXX")
prefix_tag=consumer_$$
cleanup() {
	# Only this run's files: its scratch directory and its no-huge files.
	if [ -n "${CONSUMER_KEEP:-}" ]; then
		echo "consumer: kept $tmp"
	else
		rm -rf "$tmp"
	fi
	rm -f /dev/shm/eal-*-"$prefix_tag"_*.nohuge
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# run LOG SECONDS COMMAND...: runs COMMAND with its output in LOG; on
# failure or timeout prints the end of LOG and fails.
run() {
	log=$1
	secs=$2
	shift 2
	if timeout -k 10 "$secs" "$@" >"$log" 2>&1; then
		return 0
	else
		status=$?
	fi
	tail -n 40 "$log" >&2
	[ $status -eq 124 ] && fail "timed out after ${secs}s: $*"
	fail "exit status $status: $*"
}

# check_run NAME PROGRAM [ENV...]: runs PROGRAM (with ENV) on no-huge
# memory with its own file prefix and runtime directory; it must print ok.
check_run() {
	name=$1
	prog=$2
	shift 2
	mkdir -p "$tmp/run"
	run "$tmp/$name.out" 60 env "$@" "$prog" --no-huge -m 16 \
		--file-prefix="${prefix_tag}_$name" --runtime-dir="$tmp/run/$name"
	grep -q ': ok$' "$tmp/$name.out" || fail "$name: no ok line: $(cat "$tmp/$name.out")"
	say "$name: $(tail -n 1 "$tmp/$name.out")"
}

# needs_libeal_so PROGRAM: whether PROGRAM's dynamic section names libeal.so.
needs_libeal_so() {
	readelf -d "$1" | grep 'NEEDED' | grep -q 'libeal\.so'
}

# check_static NAME PROGRAM: linked with libeal.a: neither the dynamic
# section nor ldd has libeal.so, and libeal's code is in the program.
check_static() {
	needs_libeal_so "$2" && fail "$1: linked with libeal.so, not libeal.a: $(readelf -d "$2" | grep NEEDED)"
	if ldd "$2" >"$tmp/ldd" 2>&1 && grep -q 'libeal' "$tmp/ldd"; then
		fail "$1: ldd shows libeal: $(grep libeal "$tmp/ldd")"
	fi
	nm "$2" 2>/dev/null | grep -q ' T eal_init$' || fail "$1: eal_init is not defined in the program"
	say "$1: links libeal.a (no libeal.so in ldd)"
}

# The consumer project, without subprojects/ (b) and with them (a).
parent=$tmp/parent
mkdir -p "$parent/subprojects"
cp "$here/meson.build" "$here/meson_options.txt" "$here/consumer.c" "$parent/"
cp -R "$parent" "$tmp/parent-pc"
rm -rf "$tmp/parent-pc/subprojects"
cp "$here/libeal.wrap" "$parent/subprojects/libeal.wrap"
ln -s "$src" "$parent/subprojects/libeal"

# --- a. libeal as a subproject --------------------------------------------
# check_subproject BUILD: no libeal target but the library (what test,
# example, tool or benchmark would be an executable), and none built.
check_subproject() {
	"$meson" introspect --targets "$1" >"$tmp/targets.json" ||
		fail "meson introspect --targets $1"
	python3 - "$tmp/targets.json" <<'EOF' || fail "libeal defines more than its library as a subproject"
import json, sys
targets = [t for t in json.load(open(sys.argv[1])) if t.get("subproject") == "libeal"]
extra = [t["name"] + " (" + t["type"] + ")" for t in targets
         if t["type"] not in ("shared library", "static library")]
if extra:
    print("consumer: libeal targets in the parent's build: " + ", ".join(extra), file=sys.stderr)
    sys.exit(1)
EOF
	for d in tests examples tools bench; do
		if [ -d "$1/subprojects/libeal/$d" ] &&
			[ -n "$(find "$1/subprojects/libeal/$d" -type f -perm -u+x)" ]; then
			fail "programs were built in $1/subprojects/libeal/$d"
		fi
	done
}

# check_installed BUILD WHAT: what `meson install` would install of
# libeal: nothing, or only the shared library (WHAT: none or shared).
check_installed() {
	"$meson" introspect --installed "$1" >"$tmp/installed.json" ||
		fail "meson introspect --installed $1"
	python3 - "$tmp/installed.json" "$2" <<'EOF' || fail "libeal installs more than it should as a subproject ($2)"
import json, os, re, sys
installed = json.load(open(sys.argv[1])).values()
ours = [p for p in installed if os.path.basename(p) != "consumer"]
allowed = re.compile(r"libeal\.so(\.[0-9]+)*$") if sys.argv[2] == "shared" else None
extra = [p for p in ours if allowed is None or not allowed.search(p)]
if extra:
    print("consumer: would install: " + ", ".join(sorted(extra)), file=sys.stderr)
    sys.exit(1)
if sys.argv[2] == "shared" and not ours:
    print("consumer: the shared libeal its program links would not be installed", file=sys.stderr)
    sys.exit(1)
EOF
}

# shared: dependency('libeal', static: false); default-static: the parent's
# own default_library=static (libeal stays 'both' and gives the archive);
# static: dependency('libeal', static: true), libeal.a only.
for variant in shared default-static static; do
	b=$tmp/build-sub-$variant
	case $variant in
	shared) opts=-Dlink=shared ;;
	default-static) opts=-Ddefault_library=static ;;
	static) opts=-Dlink=static ;;
	esac
	say "subproject, $variant ($opts)"
	run "$tmp/setup-$variant.log" 300 "$meson" setup "$b" "$parent" --wrap-mode=nodownload "$opts"
	run "$tmp/ninja-$variant.log" 900 "$ninja" -C "$b" -j "$jobs"
	check_subproject "$b"
	if [ $variant = shared ]; then
		needs_libeal_so "$b/consumer" || fail "subproject-$variant: the program does not link libeal.so"
		ldd "$b/consumer" | grep -q "libeal\.so.* => $b/subprojects/libeal/" ||
			fail "subproject-$variant: ldd does not find the subproject's libeal.so: $(ldd "$b/consumer" | grep libeal)"
		check_installed "$b" shared
		say "subproject-$variant: links the subproject's libeal.so; installs only it"
	else
		check_static "subproject-$variant" "$b/consumer"
		check_installed "$b" none
		say "subproject-$variant: installs nothing of libeal"
	fi
	check_run "subproject-$variant" "$b/consumer"
done

# --- b. an installed libeal, through pkg-config -----------------------------
prefix=$tmp/prefix
say "installing libeal into $prefix"
run "$tmp/setup-install.log" 300 "$meson" setup "$tmp/build-install" "$src" \
	--prefix "$prefix" --libdir lib -Dtests=disabled -Dexamples=false -Dtools=false
run "$tmp/ninja-install.log" 900 "$ninja" -C "$tmp/build-install" -j "$jobs"
run "$tmp/install.log" 300 "$meson" install -C "$tmp/build-install" --no-rebuild
for f in lib/libeal.a lib/libeal.so lib/pkgconfig/libeal.pc include/eal/eal.h include/eal/eal_build_config.h; do
	[ -e "$prefix/$f" ] || fail "meson install did not install $f"
done

pc() {
	PKG_CONFIG_PATH=$prefix/lib/pkgconfig "$pkg_config" "$@"
}
cflags=$(pc --cflags libeal) || fail "pkg-config --cflags libeal"
libs=$(pc --libs libeal) || fail "pkg-config --libs libeal"
static_libs=$(pc --static --libs libeal) || fail "pkg-config --static --libs libeal"
say "pkg-config --libs libeal: $libs"
say "pkg-config --static --libs libeal: $static_libs"

# Shared: needs libeal.so from the prefix.
# shellcheck disable=SC2086
run "$tmp/cc-shared.log" 120 $cc -Wall -Wextra -Werror -o "$tmp/pc-shared" "$here/consumer.c" $cflags $libs
needs_libeal_so "$tmp/pc-shared" || fail "pkg-config-shared: the program does not link libeal.so"
LD_LIBRARY_PATH=$prefix/lib ldd "$tmp/pc-shared" | grep -q "libeal\.so.* => $prefix/lib/" ||
	fail "pkg-config-shared: ldd does not find libeal.so in $prefix/lib"
say "pkg-config-shared: links $prefix/lib/libeal.so"
check_run pkg-config-shared "$tmp/pc-shared" LD_LIBRARY_PATH="$prefix/lib"

# --static: libeal.a, although libeal.so is beside it; libc stays shared.
# shellcheck disable=SC2086
run "$tmp/cc-static.log" 120 $cc -Wall -Wextra -Werror -o "$tmp/pc-static" "$here/consumer.c" $cflags $static_libs
check_static pkg-config-static "$tmp/pc-static"
check_run pkg-config-static "$tmp/pc-static"

# Fully static: libc, libnuma and libeal archives, no dynamic section.
# shellcheck disable=SC2086
run "$tmp/cc-full-static.log" 120 $cc -static -Wall -Wextra -Werror -o "$tmp/pc-full-static" \
	"$here/consumer.c" $cflags $static_libs
if readelf -d "$tmp/pc-full-static" 2>/dev/null | grep -q NEEDED; then
	fail "pkg-config-full-static: the program still needs: $(readelf -d "$tmp/pc-full-static" | grep NEEDED)"
fi
nm "$tmp/pc-full-static" | grep -q ' T eal_init$' || fail "pkg-config-full-static: eal_init is not in the program"
say "pkg-config-full-static: a static executable, needs no shared library"
check_run pkg-config-full-static "$tmp/pc-full-static"

# A meson project finding the installed libeal through pkg-config.
for link in shared static; do
	b=$tmp/build-pc-$link
	say "meson + pkg-config, dependency('libeal', static: $([ $link = static ] && echo true || echo false))"
	run "$tmp/setup-pc-$link.log" 300 env PKG_CONFIG_PATH="$prefix/lib/pkgconfig" \
		"$meson" setup "$b" "$tmp/parent-pc" --wrap-mode=nofallback -Dlink=$link
	grep -q 'Run-time dependency libeal found: YES' "$tmp/setup-pc-$link.log" ||
		fail "meson-pkg-config-$link: meson did not find libeal through pkg-config"
	run "$tmp/ninja-pc-$link.log" 300 "$ninja" -C "$b" -j "$jobs"
	if [ $link = shared ]; then
		needs_libeal_so "$b/consumer" || fail "meson-pkg-config-$link: the program does not link libeal.so"
		check_run "meson-pkg-config-$link" "$b/consumer" LD_LIBRARY_PATH="$prefix/lib"
	else
		check_static "meson-pkg-config-$link" "$b/consumer"
		check_run "meson-pkg-config-$link" "$b/consumer"
	fi
done

say "all ways of building against libeal work"
