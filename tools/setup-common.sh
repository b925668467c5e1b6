# SPDX-License-Identifier: BSD-3-Clause
# Shared by tools/test.sh and tools/demo.sh (sourced, not run).
#
# ensure_packages PKG...  installs the Debian packages that are missing,
#                         with apt-get, when running as root; otherwise
#                         names them and fails.
# hugepages_setup         as root: reserves the 2 MiB hugepages the largest
#                         test needs ($EAL_TEST_HUGEPAGES, default 512:
#                         stress_heap maps 400) and mounts hugetlbfs at
#                         /dev/hugepages when absent, and registers
#                         hugepages_restore to undo exactly that on exit.
#                         Sets HP_STRICT=1 when every hugepage test can
#                         run: then a skipped test is a failure. Without
#                         root it does nothing (libeal then falls back to
#                         4 KiB shared pages, and those tests skip).
# check_skips LOG...      lists the tests a meson run skipped, and why;
#                         fails when HP_STRICT=1.

missing_packages() {
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			printf '%s ' "$p"
	done
}

ensure_packages() {
	missing=$(missing_packages "$@")
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages: $missing" >&2
		echo "install them with: sudo apt-get install $missing" >&2
		exit 1
	fi
	echo "installing: $missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
}

HP_NR=/proc/sys/vm/nr_hugepages
hp_saved_nr=
hp_mounted=

hugepages_restore() {
	if [ -n "$hp_mounted" ]; then
		umount /dev/hugepages 2>/dev/null || true
	fi
	if [ -n "$hp_saved_nr" ]; then
		echo "$hp_saved_nr" >"$HP_NR" 2>/dev/null || true
	fi
}

HP_STRICT=0

hugepages_setup() {
	want=${EAL_TEST_HUGEPAGES:-512}
	if [ "$(id -u)" -ne 0 ]; then
		echo "hugepages: not root: hugepage tests skip (libeal runs on 4 KiB pages)"
		return 0
	fi
	if [ ! -w "$HP_NR" ] || [ ! -d /sys/kernel/mm/hugepages/hugepages-2048kB ]; then
		echo "hugepages: this kernel offers no 2 MiB hugepages: hugepage tests skip"
		return 0
	fi
	cur=$(cat "$HP_NR")
	if [ "$cur" -lt "$want" ]; then
		hp_saved_nr=$cur
		echo "$want" >"$HP_NR" || true
	fi
	if ! grep -q ' /dev/hugepages hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages
		if mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null; then
			hp_mounted=1
		fi
	fi
	trap hugepages_restore EXIT INT TERM
	free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	echo "hugepages: $free free of the $want the tests need"
	if [ "$free" -lt "$want" ]; then
		echo "hugepages: the kernel gave only $free free 2 MiB pages (memory fragmented, or in use): free memory, or reserve them at boot (hugepages=$want)" >&2
		exit 1
	fi
	HP_STRICT=1
}

check_skips() {
	if [ "$HP_STRICT" = 1 ]; then
		python3 tools/check-skips.py --strict "$@"
	else
		python3 tools/check-skips.py "$@"
	fi
}
