#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds the Debian packages of debian/ from a copy of the tree (so neither
# build files nor ../*.deb land beside it) and checks them:
#   - the versions: debian/changelog's is meson.build's, and debian/control
#     names the library package that the version's soname calls for
#     (docs/abi.md);
#   - dpkg-buildpackage -us -uc -b, with dpkg-gensymbols failing on any
#     symbol added or lost against debian/libeal<soversion>.symbols;
#   - lintian: no error (warnings are printed, and allowed);
#   - each package's file list (dpkg-deb -c) is exactly the expected one,
#     and the library's soname is right;
#   - the three packages unpacked into a scratch root (dpkg -x, nothing is
#     installed into the system): a small program builds against that
#     root's headers, pkg-config file and shared library, and runs
#     (eal_version, then eal_init --no-huge --in-memory, eal_malloc,
#     eal_cleanup); so does one linked with libeal.a; the tools run.
# Installs the Debian packages it needs when root (tools/setup-common.sh).
#
#   tools/check-debian.sh
set -eu
cd "$(dirname "$0")/.."
. tools/setup-common.sh

ensure_packages build-essential debhelper dpkg-dev lintian meson ninja-build \
	pkg-config libnuma-dev scdoc

failures=0
fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}
ok() {
	echo "ok: $*"
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-debian.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# --- versions -------------------------------------------------------------
upstream=$(meson introspect --projectinfo meson.build 2>/dev/null |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])') || upstream=
if [ -z "$upstream" ]; then
	echo "FAIL: meson introspect --projectinfo meson.build gives no version" >&2
	exit 1
fi
deb_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
echo "== versions: meson.build $upstream, debian/changelog $deb_version"
if [ "${deb_version%-*}" != "$upstream" ]; then
	echo "FAIL: debian/changelog is at $deb_version but meson.build at $upstream: add a changelog entry (dch -v $upstream)" >&2
	exit 1
fi
# The soname is libeal.so.<ABI>, the ABI number of docs/abi.md: 0 for
# every 0.x release so far (meson's default soversion, the major).
soversion=${upstream%%.*}
libpkg=libeal$soversion
if ! grep -q "^Package: $libpkg\$" debian/control; then
	echo "FAIL: version $upstream means soname libeal.so.$soversion and package $libpkg (docs/abi.md), which debian/control does not define" >&2
	exit 1
fi
ok "version $upstream: soname libeal.so.$soversion, package $libpkg"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=usr/lib/$triplet

# --- build ----------------------------------------------------------------
src=$tmp/libeal-$upstream
mkdir "$src"
for f in * .[!.]*; do
	case $f in
	.git | build*) continue ;;
	esac
	[ -e "$f" ] || continue
	cp -a "$f" "$src/"
done
echo "== dpkg-buildpackage -us -uc -b (in $src)"
if ! (cd "$src" && DPKG_GENSYMBOLS_CHECK_LEVEL=4 dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -n 60 "$tmp/build.log" >&2
	if grep -q 'dpkg-gensymbols: error' "$tmp/build.log"; then
		echo "FAIL: the exported symbols differ from debian/$libpkg.symbols (diff above): list a new symbol with the version that first ships it (docs/abi.md)" >&2
	fi
	built=$src/debian/tmp/$libdir/libeal.so.$upstream
	if [ -f "$built" ]; then
		soname=$(readelf -d "$built" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
		[ "$soname" = "libeal.so.$soversion" ] ||
			echo "FAIL: the build made soname $soname, version $upstream calls for libeal.so.$soversion (src/meson.build soversion, docs/abi.md)" >&2
	fi
	echo "FAIL: dpkg-buildpackage (last 60 lines above)" >&2
	exit 1
fi
ok "packages built: $(cd "$tmp" && echo *.deb)"

# --- lintian --------------------------------------------------------------
changes=$tmp/libeal_${deb_version}_$arch.changes
echo "== lintian $(basename "$changes")"
status=0
lintian --fail-on error --display-info "$changes" >"$tmp/lintian.log" 2>&1 || status=$?
sed -i '/running with root privileges is not recommended/d' "$tmp/lintian.log"
if [ -s "$tmp/lintian.log" ]; then
	sed 's/^/  /' "$tmp/lintian.log"
else
	echo "  (no tags)"
fi
if [ "$status" -eq 0 ]; then
	ok "lintian: no error"
else
	fail "lintian reports errors (E: above) or failed (exit $status)"
fi

# --- file lists -----------------------------------------------------------
# Plain files and symlinks of a .deb, without the leading ./
deb_files() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | LC_ALL=C sort
}

# check_files PACKAGE EXPECTED-PATH...
check_files() {
	pkg=$1
	shift
	deb=$tmp/${pkg}_${deb_version}_$arch.deb
	echo "== $pkg: file list"
	if [ ! -f "$deb" ]; then
		fail "$pkg: $(basename "$deb") was not built"
		return 0
	fi
	printf '%s\n' "$@" "usr/share/doc/$pkg/changelog.gz" "usr/share/doc/$pkg/copyright" |
		LC_ALL=C sort >"$tmp/expected"
	deb_files "$deb" >"$tmp/actual"
	sed 's/^/  /' "$tmp/actual"
	missing=$(LC_ALL=C comm -23 "$tmp/expected" "$tmp/actual")
	extra=$(LC_ALL=C comm -13 "$tmp/expected" "$tmp/actual")
	# shellcheck disable=SC2086
	[ -z "$missing" ] || fail "$pkg lacks: "$missing
	# shellcheck disable=SC2086
	[ -z "$extra" ] || fail "$pkg has unexpected files: "$extra
	[ -n "$missing$extra" ] || ok "$pkg: the $(wc -l <"$tmp/actual") expected files"
}

check_files "$libpkg" "$libdir/libeal.so.$soversion" "$libdir/libeal.so.$upstream"

headers=eal_build_config.h
for h in include/eal/*.h; do
	headers="$headers ${h##*/}"
done
set --
for h in $headers; do
	set -- "$@" "usr/include/eal/$h"
done
check_files libeal-dev "$@" "$libdir/libeal.a" "$libdir/libeal.so" "$libdir/pkgconfig/libeal.pc" \
	"$libdir/pkgconfig/libeal-libs.pc"

set -- usr/bin/eal-hugepages usr/bin/eal-info
if [ -d man ]; then
	set -- "$@" usr/share/man/man1/eal-hugepages.1.gz usr/share/man/man1/eal-info.1.gz
	for p in man/*.7 man/*.7.*; do
		[ -e "$p" ] || continue
		p=${p##*/}
		set -- "$@" "usr/share/man/man7/${p%%.7*}.7.gz"
	done
else
	echo "(no man/ in the tree yet: no man page expected)"
fi
check_files eal-tools "$@"

for deb in "$tmp"/*.deb; do
	case ${deb##*/} in
	"${libpkg}_"* | "${libpkg}-dbgsym_"* | libeal-dev_* | eal-tools_* | eal-tools-dbgsym_*) ;;
	*) fail "unexpected package ${deb##*/}" ;;
	esac
done

echo "== $libpkg: soname, symlink, symbols"
root=$tmp/root
mkdir "$root"
for pkg in "$libpkg" libeal-dev eal-tools; do
	deb=$tmp/${pkg}_${deb_version}_$arch.deb
	[ -f "$deb" ] && dpkg -x "$deb" "$root"
done
so=$root/$libdir/libeal.so.$upstream
if [ -f "$so" ]; then
	soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	if [ "$soname" = "libeal.so.$soversion" ]; then
		ok "SONAME $soname"
	else
		fail "SONAME of libeal.so.$upstream is '$soname', not libeal.so.$soversion (src/meson.build soversion, docs/abi.md)"
	fi
	link=$(readlink "$root/$libdir/libeal.so.$soversion" || true)
	if [ "$link" = "libeal.so.$upstream" ]; then
		ok "libeal.so.$soversion -> $link"
	else
		fail "libeal.so.$soversion points to '$link', not libeal.so.$upstream"
	fi
fi
dpkg-deb --ctrl-tarfile "$tmp/${libpkg}_${deb_version}_$arch.deb" | tar -xOf - ./symbols >"$tmp/symbols" 2>/dev/null || true
if head -n 1 "$tmp/symbols" | grep -qx "libeal.so.$soversion $libpkg #MINVER#"; then
	ok "symbols file: $(grep -c '@EAL_' "$tmp/symbols") symbols"
else
	fail "$libpkg has no symbols file for libeal.so.$soversion"
fi
dev_depends=$(dpkg-deb -f "$tmp/libeal-dev_${deb_version}_$arch.deb" Depends 2>/dev/null || true)
case ", $dev_depends," in
*", $libpkg (= $deb_version),"*) ok "libeal-dev depends on $libpkg (= $deb_version)" ;;
*) fail "libeal-dev's Depends ($dev_depends) lacks $libpkg (= $deb_version)" ;;
esac

# --- build and run against the scratch root -------------------------------
echo "== a program built against the unpacked packages ($root)"
cat >"$tmp/smoke.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <eal.h>
#include <eal_malloc.h>

int main(int argc, char **argv)
{
	char *eal_args[] = { argv[0], "--no-huge", "--in-memory", "-m", "16", NULL };
	const char *v = eal_version();
	void *p;

	(void)argc;
	printf("eal_version() %s, EAL_VERSION %s\n", v, EAL_VERSION);
	if (strcmp(v, EXPECTED_VERSION) != 0 || strcmp(v, EAL_VERSION) != 0)
		return 1;
	if (eal_init(5, eal_args) < 0) {
		printf("eal_init: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	p = eal_malloc("smoke", 4096, 64);
	if (p == NULL) {
		printf("eal_malloc: %s\n", eal_strerror(eal_errno));
		return 1;
	}
	memset(p, 0xa5, 4096);
	eal_free(p);
	if (eal_cleanup() != 0)
		return 1;
	printf("eal_init, eal_malloc, eal_free, eal_cleanup: ok\n");
	return 0;
}
EOF
pc() {
	PKG_CONFIG_SYSROOT_DIR=$root PKG_CONFIG_PATH=$root/$libdir/pkgconfig pkg-config "$@" libeal
}
if flags=$(pc --cflags --libs); then
	echo "pkg-config --cflags --libs libeal: $flags"
	case $flags in
	*"-I$root/usr/include/eal"*"-L$root/$libdir"*) ;;
	*) fail "pkg-config's flags do not point into the scratch root" ;;
	esac
	# shellcheck disable=SC2086
	if gcc -Wall -Wextra -Werror -DEXPECTED_VERSION="\"$upstream\"" "$tmp/smoke.c" $flags -o "$tmp/smoke"; then
		ok "compiled and linked against libeal.so"
		if LD_LIBRARY_PATH=$root/$libdir ldd "$tmp/smoke" | grep -q "libeal.so.$soversion => $root/$libdir/"; then
			ok "it loads libeal.so.$soversion from the scratch root"
		else
			fail "it does not load libeal.so.$soversion from the scratch root: $(LD_LIBRARY_PATH=$root/$libdir ldd "$tmp/smoke" | grep libeal)"
		fi
		if LD_LIBRARY_PATH=$root/$libdir "$tmp/smoke"; then
			ok "it runs"
		else
			fail "the program linked with libeal.so failed"
		fi
	else
		fail "the program does not compile or link against libeal.so"
	fi
	# `pkg-config --static` must give the archive (README).
	# shellcheck disable=SC2046
	if gcc -Wall -Wextra -Werror -DEXPECTED_VERSION="\"$upstream\"" "$tmp/smoke.c" \
		$(pc --cflags) $(pc --static --libs) -o "$tmp/smoke-static"; then
		ok "compiled and linked with pkg-config --static (libeal.a)"
		if ldd "$tmp/smoke-static" | grep -q libeal; then
			fail "the program linked with libeal.a still needs libeal.so"
		fi
		if "$tmp/smoke-static"; then
			ok "it runs"
		else
			fail "the program linked with libeal.a failed"
		fi
	else
		fail "the program does not compile or link with libeal.a"
	fi
else
	fail "pkg-config finds no libeal in the scratch root"
fi
for t in eal-hugepages eal-info; do
	if "$root/usr/bin/$t" --help >/dev/null; then
		ok "$t --help"
	else
		fail "$t --help failed"
	fi
done

if [ "$failures" -ne 0 ]; then
	echo "check-debian: $failures check(s) failed" >&2
	exit 1
fi
echo "check-debian: all checks passed"
