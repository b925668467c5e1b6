# SPDX-License-Identifier: BSD-3-Clause
# Shared by tools/test.sh and tools/demo.sh (sourced, not run).
#
# ensure_packages PKG...  installs the Debian packages that are missing,
#                         with apt-get, when running as root; otherwise
#                         names them and fails.
# hugepages_setup         as root: reserves 2 MiB hugepages and mounts
#                         hugetlbfs at /dev/hugepages when absent, and
#                         registers hugepages_restore to undo exactly that
#                         on exit. Without root it does nothing (libeal
#                         then falls back to 4 KiB shared pages).

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

hugepages_setup() {
	want=${EAL_TEST_HUGEPAGES:-128}
	[ "$(id -u)" -eq 0 ] || return 0
	[ -w "$HP_NR" ] || return 0
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
	echo "hugepages: $(grep HugePages_Free /proc/meminfo | tr -s ' ')"
}
