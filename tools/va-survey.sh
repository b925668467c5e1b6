#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Survey of the virtual address space, for choosing the default VA base
# (--base-virtaddr). Builds tools/va_survey.c in several shapes (plain PIE,
# non-PIE with a 1 GiB BSS, ASan, TSan, MSan, DFSan, LSan, UBSan, valgrind
# memcheck), runs each shape repeatedly with and without a "large
# application" load (ASLR gives another layout each run), and prints
# Markdown: for every
# candidate base and region size, in how many runs it could be reserved
# with MAP_FIXED_NOREPLACE; why not, where not; and what each shape
# occupies. Shapes whose compiler or runtime is missing are skipped.
# No network, no root, nothing installed.
#
#   tools/va-survey.sh
#
# VA_SURVEY_RUNS     runs per shape and load (default 20)
# VA_SURVEY_VG_RUNS  runs under valgrind (default 1: its layout is fixed,
#                    and each free 600 GiB probe costs it seconds)
# VA_SURVEY_JSON     keep the raw JSON lines in this file
set -eu

src=$(cd "$(dirname "$0")" && pwd)/va_survey.c
runs=${VA_SURVEY_RUNS:-20}
vg_runs=${VA_SURVEY_VG_RUNS:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/va-survey.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
all=$tmp/all.jsonl
: >"$all"
: >"$tmp/skipped"

# Layout-neutral runtime settings: no leak check at exit, and MSan does
# not fill the 1 GiB malloc's shadow (it would take a second per run).
ASAN_OPTIONS=detect_leaks=0
MSAN_OPTIONS=poison_in_malloc=0
export ASAN_OPTIONS MSAN_OPTIONS

skip() {
	echo "- $1: skipped, $2" >>"$tmp/skipped"
}

# build NAME CC FLAGS...: builds, then checks that the binary runs.
build() {
	name=$1
	cc=$2
	shift 2
	if ! command -v "$cc" >/dev/null 2>&1; then
		skip "$name" "no $cc"
		return 1
	fi
	if ! "$cc" -O1 -g "$@" -o "$tmp/$name" "$src" -ldl -lpthread \
		>"$tmp/$name.build" 2>&1; then
		skip "$name" "build failed: $(grep -m1 -i error "$tmp/$name.build" || head -n1 "$tmp/$name.build")"
		return 1
	fi
	if ! "$tmp/$name" -q -b 0x100000000 -z 1 >/dev/null 2>"$tmp/$name.check"; then
		skip "$name" "does not run: $(head -n1 "$tmp/$name.check")"
		return 1
	fi
	return 0
}

# survey NAME RUNS COMMAND...: RUNS runs without and with the load.
survey() {
	name=$1
	n=$2
	shift 2
	for load in 0 1; do
		i=1
		while [ "$i" -le "$n" ]; do
			flags="-j -s $name -r $i"
			[ "$load" = 1 ] && flags="$flags -l"
			rc=0
			# shellcheck disable=SC2086 # flags are words
			"$@" $flags >>"$all" 2>>"$tmp/$name.stderr" || rc=$?
			if [ "$rc" != 0 ]; then
				printf '{"shape":"%s","load":%s,"run":%s,"kind":"note","text":"exit status %s"}\n' \
					"$name" "$load" "$i" "$rc" >>"$all"
			fi
			i=$((i + 1))
		done
	done
	echo "$name" >>"$tmp/shapes"
}

: >"$tmp/shapes"
start=$(date +%s)
# name|compiler|flags
while IFS='|' read -r name cc flags; do
	# shellcheck disable=SC2086 # flags are words
	if build "$name" "$cc" $flags; then
		survey "$name" "$runs" "$tmp/$name"
	fi
done <<'EOF'
gcc-pie|gcc|
gcc-nopie-bss|gcc|-no-pie -fno-pie -DVA_BIG_BSS
gcc-asan|gcc|-fsanitize=address
clang-asan|clang|-fsanitize=address
gcc-tsan|gcc|-fsanitize=thread
clang-tsan|clang|-fsanitize=thread
clang-msan|clang|-fsanitize=memory
clang-dfsan|clang|-fsanitize=dataflow
gcc-lsan|gcc|-fsanitize=leak
clang-lsan|clang|-fsanitize=leak
gcc-ubsan|gcc|-fsanitize=undefined
clang-ubsan|clang|-fsanitize=undefined
EOF

if ! command -v valgrind >/dev/null 2>&1; then
	skip valgrind "no valgrind"
elif [ -x "$tmp/gcc-pie" ] || build gcc-pie gcc; then
	if valgrind -q --vgdb=no "$tmp/gcc-pie" -q -R -b 0x200000000000 -z 1 >/dev/null 2>&1; then
		survey valgrind "$vg_runs" valgrind -q --vgdb=no --tool=memcheck "$tmp/gcc-pie" -R
	else
		skip valgrind "valgrind does not run the binary"
	fi
fi
took=$(($(date +%s) - start))

if [ -n "${VA_SURVEY_JSON:-}" ]; then
	cp "$all" "$VA_SURVEY_JSON"
fi

la57=no
grep -qw la57 /proc/cpuinfo 2>/dev/null && la57=yes
vabits=$(sed -n 's/^address sizes.*, \([0-9]*\) bits virtual.*/\1/p' /proc/cpuinfo | head -n1)
echo "# VA survey"
echo
echo "Kernel $(uname -r) $(uname -m), uid $(id -u), ASLR (randomize_va_space) $(cat /proc/sys/kernel/randomize_va_space 2>/dev/null || echo '?'),"
echo "CPU address sizes: ${vabits:-?} bits virtual, la57 flag: $la57."
echo "$(gcc --version 2>/dev/null | head -n1 || echo 'no gcc'); $(clang --version 2>/dev/null | head -n1 || echo 'no clang'); $(valgrind --version 2>/dev/null || echo 'no valgrind')."
echo "$runs runs per shape and load ($vg_runs under valgrind), $took s."
if [ -s "$tmp/skipped" ]; then
	echo
	cat "$tmp/skipped"
fi
echo

awk -v shapes="$(tr '\n' ' ' <"$tmp/shapes")" '
function get(s, k,    i, v) {
	i = index(s, "\"" k "\":")
	if (!i)
		return ""
	v = substr(s, i + length(k) + 3)
	if (substr(v, 1, 1) == "\"") {
		v = substr(v, 2)
		return substr(v, 1, index(v, "\"") - 1)
	}
	match(v, /^[^,}]*/)
	return substr(v, 1, RLENGTH)
}
function hex(h,    i, c, v) {
	v = 0
	h = tolower(h)
	for (i = 3; i <= length(h); i++) {
		c = index("0123456789abcdef", substr(h, i, 1)) - 1
		v = v * 16 + c
	}
	return v
}
BEGIN {
	nsh = split(shapes, shape, " ")
}
{
	kind = get($0, "kind")
	sh = get($0, "shape")
	ld = get($0, "load")
	if (kind == "probe") {
		b = get($0, "base")
		z = get($0, "size_gib")
		res = get($0, "result")
		if (!(b in seenb)) {
			seenb[b] = 1
			base[++nb] = b
		}
		if (!(z in seenz)) {
			seenz[z] = 1
			size[++nz] = z
		}
		k = sh SUBSEP ld SUBSEP b SUBSEP z
		tot[k]++
		if (res == "ok")
			ok[k]++
		else {
			why[k SUBSEP res]++
			w = sh SUBSEP b SUBSEP z SUBSEP res SUBSEP get($0, "blocker") SUBSEP get($0, "raw")
			if (!(w in fail))
				order[++nf] = w
			fail[w]++
		}
		rk = sh SUBSEP ld SUBSEP get($0, "run")
		runs[sh SUBSEP ld] += !(rk in seenrun)
		seenrun[rk] = 1
	} else if (kind == "map" && ld == 1) {
		c = get($0, "class")
		s = hex(get($0, "start"))
		e = hex(get($0, "end"))
		k = sh SUBSEP c
		if (!(k in lo)) {
			lo[k] = s
			hi[k] = e
			corder[sh, ++ncls[sh]] = c
			los[k] = get($0, "start")
			his[k] = get($0, "end")
		}
		if (s < lo[k]) {
			lo[k] = s
			los[k] = get($0, "start")
		}
		if (e > hi[k]) {
			hi[k] = e
			his[k] = get($0, "end")
		}
	} else if (kind == "note") {
		t = get($0, "text")
		if (!((sh, t) in notes))
			norder[++nn] = sh SUBSEP t
		notes[sh, t]++
	}
}
function cell(k,    r, best, n, x) {
	if (!(k in tot))
		return "-"
	if (ok[k] == tot[k])
		return ok[k] "/" tot[k]
	best = ""
	n = 0
	for (x in why) {
		split(x, r, SUBSEP)
		if (r[1] SUBSEP r[2] SUBSEP r[3] SUBSEP r[4] == k && why[x] > n) {
			n = why[x]
			best = r[5]
		}
	}
	return (ok[k] + 0) "/" tot[k] " " best
}
END {
	for (zi = 1; zi <= nz; zi++) {
		z = size[zi]
		printf "## Free for a %s GiB region (runs where the reservation succeeded)\n\n", z
		printf "| shape | load |"
		for (bi = 1; bi <= nb; bi++)
			printf " %s |", base[bi]
		printf "\n|---|---|"
		for (bi = 1; bi <= nb; bi++)
			printf "---|"
		printf "\n"
		for (si = 1; si <= nsh; si++)
			for (ld = 0; ld <= 1; ld++) {
				if (!((shape[si] SUBSEP ld) in runs))
					continue
				printf "| %s | %s |", shape[si], ld ? "yes" : "no"
				for (bi = 1; bi <= nb; bi++)
					printf " %s |", cell(shape[si] SUBSEP ld SUBSEP base[bi] SUBSEP z)
				printf "\n"
			}
		printf "\n"
	}
	printf "## Bases free in every run of every shape\n\n"
	printf "| base |"
	for (zi = 1; zi <= nz; zi++)
		printf " %s GiB |", size[zi]
	printf "\n|---|"
	for (zi = 1; zi <= nz; zi++)
		printf "---|"
	printf "\n"
	for (bi = 1; bi <= nb; bi++) {
		printf "| %s |", base[bi]
		for (zi = 1; zi <= nz; zi++) {
			good = 0
			all = 0
			bad = ""
			for (si = 1; si <= nsh; si++) {
				if (!((shape[si] SUBSEP 0) in runs) && !((shape[si] SUBSEP 1) in runs))
					continue
				allok = 1
				for (ld = 0; ld <= 1; ld++) {
					k = shape[si] SUBSEP ld SUBSEP base[bi] SUBSEP size[zi]
					if ((k in tot) && ok[k] != tot[k])
						allok = 0
				}
				all++
				if (allok)
					good++
				else
					bad = bad (bad == "" ? "" : ", ") shape[si]
			}
			printf " %d/%d%s |", good, all, bad == "" ? "" : " (not: " bad ")"
		}
		printf "\n"
	}
	printf "\n## Why not (result, what overlaps the range, raw system call result)\n\n"
	printf "| shape | base | GiB | result | overlaps | raw syscall | runs |\n|---|---|---|---|---|---|---|\n"
	for (i = 1; i <= nf; i++) {
		split(order[i], r, SUBSEP)
		printf "| %s | %s | %s | %s | %s | %s | %d |\n", r[1], r[2], r[3], r[4], \
			r[5] == "" ? "-" : r[5], r[6], fail[order[i]]
	}
	printf "\n## What each shape occupies (with the load; lowest start and highest end over all runs)\n\n"
	for (si = 1; si <= nsh; si++) {
		sh = shape[si]
		if (!ncls[sh])
			continue
		printf "%s:\n\n| class | lowest start | highest end |\n|---|---|---|\n", sh
		for (i = 1; i <= ncls[sh]; i++) {
			c = corder[sh, i]
			printf "| %s | %s | %s |\n", c, los[sh SUBSEP c], his[sh SUBSEP c]
		}
		printf "\n"
	}
	if (nn) {
		printf "## Notes\n\n"
		for (i = 1; i <= nn; i++) {
			split(norder[i], r, SUBSEP)
			printf "- %s: %s (%d runs)\n", r[1], r[2], notes[r[1], r[2]]
		}
	}
}' "$all"

# What the runtimes said when a probe killed the probing child.
for f in "$tmp"/*.stderr; do
	[ -s "$f" ] || continue
	name=$(basename "$f" .stderr)
	sed -e 's/==[0-9]*==//' -e 's/0x[0-9a-f]*/0x.../g' "$f" | sort | uniq -c | sort -rn | head -n 3 |
		while read -r count line; do
			echo "- $name stderr ($count times): \`$line\`"
		done
done
