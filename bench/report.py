#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Turn the JSON lines of the benchmark programs into one Markdown report.

    bench/report.py --machine [BUILD_DIR]
        print one JSON line describing this machine (and the build in
        BUILD_DIR): bench/run.sh puts it first in its output.
    bench/report.py [-o FILE] [JSON_FILE ...]
        read the JSON lines (files, or stdin) and write the report to FILE
        (or stdout). Lines that are not JSON are ignored.

The report has one table with a row per result line (the lines with a
"unit"; their format is described in bench/bench_common.h), the machine
and date at the top, the targets and whether they are met, and how to
reproduce. When FILE exists, the text between the markers
"<!-- notes:begin -->" and "<!-- notes:end -->" is kept: notes written by
hand survive a new run.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

NOTES_BEGIN = "<!-- notes:begin -->"
NOTES_END = "<!-- notes:end -->"

# What each program measures and how (one sentence each), in run order.
BENCHES = {
    "fbarray": "`eal_fbarray` against `rte_fbarray`: one array of 2^20 elements of "
    "8 B in three layouts, searches from random starts; median of 5 timed passes; "
    "libeal's program runs first, then DPDK's.",
    "iova": "physical addresses from `/proc/self/pagemap` (libeal only); the "
    "kernel column is an open + pread + close per lookup, which is what DPDK's "
    "`rte_mem_virt2phy` pays on every call; median of 5.",
    "init": "`eal_init` + `eal_cleanup`; median of 21, DPDK's runs after "
    "libeal's in the same invocation.",
    "memory": "`eal_mem_virt2iova` / `rte_mem_virt2iova` on random addresses in "
    "64 MiB; best of 5 passes, each mode in a fresh process.",
    "dynmem": "dynamic memory on 2 MiB hugepages: median of 21 rounds in which "
    "libeal, DPDK and the kernel's limit (an anonymous `MAP_HUGETLB` mapping of "
    "the same pages, each written) take turns.",
    "malloc": "the shared heap and memzones with `-m 256` on 2 MiB hugepages (the "
    "heap never grows), `EAL_SOCKET_ID_ANY` as DPDK's `rte_malloc(NULL, ...)`: median "
    "of 21 rounds in which libeal, glibc (in libeal's process) and DPDK take turns, "
    "all pinned to one CPU.",
}


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def read_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""


def machine(build_dir):
    """This machine and build, as a dict."""
    cpuinfo = read_file("/proc/cpuinfo")
    meminfo = read_file("/proc/meminfo")
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    family = re.search(r"^cpu family\s*:\s*(\d+)$", cpuinfo, re.M)
    cpu_model = re.search(r"^model\s*:\s*(\d+)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    huge_total = re.search(r"^HugePages_Total:\s*(\d+)", meminfo, re.M)
    huge_size = re.search(r"^Hugepagesize:\s*(\d+) kB", meminfo, re.M)
    flags = re.search(r"^flags\s*:(.*)$", cpuinfo, re.M)
    hypervisor = bool(flags) and " hypervisor" in flags.group(1)
    m = {
        "bench": "machine",
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": model.group(1).strip() if model else platform.processor(),
        "cpu_family": int(family.group(1)) if family else None,
        "cpu_model": int(cpu_model.group(1)) if cpu_model else None,
        "cores": os.cpu_count(),
        "virtual": hypervisor,
        "kernel": platform.release(),
        "memory_gib": round(int(mem.group(1)) / 1048576, 1) if mem else None,
        "hugepages": int(huge_total.group(1)) if huge_total else None,
        "hugepage_kib": int(huge_size.group(1)) if huge_size else None,
        "os": "",
        "dpdk": run(["pkg-config", "--modversion", "libdpdk"]),
        "compiler": run(["cc", "--version"]).split("\n")[0],
        "libeal": run(["git", "describe", "--always", "--dirty"]),
        "loadavg": " ".join(read_file("/proc/loadavg").split()[:3]),
    }
    osr = read_file("/etc/os-release")
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)"?$', osr, re.M)
    m["os"] = pretty.group(1) if pretty else ""
    if build_dir:
        opts = read_file(os.path.join(build_dir, "meson-info",
                                      "intro-buildoptions.json"))
        if opts:
            o = {x["name"]: x["value"] for x in json.loads(opts)}
            m["build"] = "buildtype=%s, debug_level=%s" % (
                o.get("buildtype"), o.get("debug_level"))
    return m


def fmt_time(ns):
    """ns as a short human figure with its unit (3 significant digits)."""
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        v = ns / scale
        if v < 1000 or unit == "s":
            break
    if v >= 100:
        s = "{:,.0f}".format(v).replace(",", " ")
    elif v >= 10:
        s = "%.1f" % v
    elif v >= 1:
        s = "%.2f" % v
    else:
        s = "%.3f" % v
    return "%s %s" % (s, unit)


TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def fmt_ratio(r):
    """libeal's time / the other's, with words."""
    if r <= 0:
        return ""
    f = 1 / r if r < 1 else r
    factor = "%.0f" % f if f >= 100 else "%.1f" % f if f >= 10 else "%.2f" % f
    words = "%sx %s" % (factor, "faster" if r < 1 else "slower")
    if 0.95 <= r <= 1.05:
        words = "about the same"
    return "%s (%s)" % (("%.3g" % r), words)


def results(lines):
    """The result lines, in order; a later line for the same case wins."""
    rows = {}
    for x in lines:
        if "unit" in x and "libeal" in x and "bench" in x and "case" in x:
            rows[(x["bench"], x["case"])] = x
    return list(rows.values())


def parse(stream):
    out = []
    for line in stream:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def table(rows):
    have_dpdk = any("dpdk" in r for r in rows)
    head = ["benchmark", "measurement", "libeal"]
    if have_dpdk:
        head += ["DPDK 22.11", "libeal / DPDK"]
    head += ["glibc or kernel", "libeal / that", "target", "met"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        k = TO_NS.get(r["unit"], 1.0)
        cells = [r["bench"], "%s (`%s`)" % (r.get("desc", ""), r["case"]),
                 fmt_time(r["libeal"] * k)]
        if have_dpdk:
            if "dpdk" in r:
                cells += [fmt_time(r["dpdk"] * k), fmt_ratio(r["libeal"] / r["dpdk"])]
            else:
                cells += ["", ""]
        ref = "glibc" if "glibc" in r else "kernel" if "kernel" in r else None
        if ref:
            cells += ["%s %s" % (ref, fmt_time(r[ref] * k)),
                      fmt_ratio(r["libeal"] / r[ref])]
        else:
            cells += ["", ""]
        if "target" in r:
            cells += [r["target"], "yes" if r.get("ok") else "**no**"]
        else:
            cells += ["", ""]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return out


def machine_section(m, load_end):
    cpu = m.get("cpu", "?")
    if m.get("cpu_family") is not None:
        cpu += " (family %s, model %s)" % (m["cpu_family"], m["cpu_model"])
    cores = "%s%s" % (m.get("cores", "?"), " vCPUs (a virtual machine)"
                      if m.get("virtual") else " CPUs")
    huge = ""
    if m.get("hugepages") is not None:
        huge = ", %s hugepages of %s KiB reserved during the run" % (
            m["hugepages"], m.get("hugepage_kib"))
    rows = [
        ("date", m.get("date", "?")),
        ("CPU", cpu),
        ("cores", cores),
        ("memory", "%s GiB%s" % (m.get("memory_gib", "?"), huge)),
        ("kernel", "Linux %s (%s)" % (m.get("kernel", "?"), m.get("os", ""))),
        ("compiler", m.get("compiler", "?")),
        ("libeal", "commit %s, %s" % (m.get("libeal", "?"),
                                      m.get("build", "meson build"))),
        ("DPDK", ("%s (Debian libdpdk-dev)" % m["dpdk"]) if m.get("dpdk")
         else "not installed: no comparison"),
    ]
    if m.get("loadavg"):
        load = "%s at the start" % m["loadavg"]
        if load_end:
            load += ", %s at the end" % load_end
        rows.append(("load average (1, 5, 15 min)",
                     load + " (other jobs share the machine)"))
    out = ["| | |", "|---|---|"]
    out += ["| %s | %s |" % (k, v) for k, v in rows]
    return out


def targets_section(rows):
    out = []
    with_target = [r for r in rows if "target" in r]
    met = [r for r in with_target if r.get("ok")]
    out.append("%d of %d targets are met in this run." % (len(met), len(with_target)))
    out.append("")
    for r in with_target:
        k = TO_NS.get(r["unit"], 1.0)
        fig = fmt_time(r["libeal"] * k)
        if "kernel" in r:
            fig += " = %.2fx the kernel's %s" % (r["libeal"] / r["kernel"],
                                                 fmt_time(r["kernel"] * k))
        out.append("- %s `%s`: %s — %s, target %s." % (
            "met:" if r.get("ok") else "**not met:**", r["case"], r.get("desc", ""),
            fig, r["target"]))
    vs = [r for r in rows if "dpdk" in r]
    if vs:
        slower = [r for r in vs if r["libeal"] > r["dpdk"] * 1.05]
        out.append("")
        out.append("Against DPDK 22.11 (the baseline document's figures are the "
                   "numbers to beat): libeal takes less time in %d of %d "
                   "measurements, about the same (within 5%%) in %d, more in %d%s" % (
                       sum(1 for r in vs if r["libeal"] < r["dpdk"] * 0.95), len(vs),
                       sum(1 for r in vs if abs(r["libeal"] / r["dpdk"] - 1) <= 0.05),
                       len(slower), ":" if slower else "."))
        for r in slower:
            out.append("- `%s/%s` (%s): %s" % (
                r["bench"], r["case"], r.get("desc", ""),
                fmt_ratio(r["libeal"] / r["dpdk"])))
    return out


def derived_notes(rows):
    """Notes whose figures come from this run."""
    by = {(r["bench"], r["case"]): r for r in rows}
    out = []
    a, b = by.get(("malloc", "memzone_lookup_2000")), by.get(("malloc", "memzone_lookup_1"))
    if a and b and "dpdk" in a and "dpdk" in b:
        out.append(
            "- Memzone lookup with 2000 zones against 1 zone: libeal %s vs %s, DPDK %s "
            "vs %s (DPDK compares the name with every zone)." % (
                fmt_time(a["libeal"] * TO_NS[a["unit"]]),
                fmt_time(b["libeal"] * TO_NS[b["unit"]]),
                fmt_time(a["dpdk"] * TO_NS[a["unit"]]),
                fmt_time(b["dpdk"] * TO_NS[b["unit"]])))
    return out


def render(lines, old_text):
    machines = [x for x in lines if x.get("bench") == "machine"]
    m = machines[-1] if machines else machine(None)
    rows = results(lines)
    benches = []
    for r in rows:
        if r["bench"] not in benches:
            benches.append(r["bench"])

    notes = ""
    if NOTES_BEGIN in old_text and NOTES_END in old_text:
        notes = old_text.split(NOTES_BEGIN, 1)[1].split(NOTES_END, 1)[0].strip("\n")

    out = ["# Benchmarks", "",
           "Generated by `bench/run.sh --markdown docs/benchmarks.md` from the JSON "
           "lines of one run of every benchmark program (`bench/report.py` turns them "
           "into this page). Edit only the notes section below: the rest is "
           "replaced by the next run.", "",
           "## Machine", ""]
    ends = [x for x in lines if x.get("bench") == "load" and x.get("when") == "end"]
    out += machine_section(m, ends[-1].get("loadavg") if ends else "")
    out += ["", "## Results", "",
            "Times per operation (medians; the programs are listed below). "
            "The ratios are libeal's time divided by the other's: below 1, libeal "
            "takes less time. DPDK, libeal and glibc are measured in the same "
            "invocation, so compare ratios, not absolute times, between runs: the "
            "machine is shared and noisy.", ""]
    for b in benches:
        out.append("- **%s**: %s" % (b, BENCHES.get(b, "")))
    out.append("")
    out += table(rows)
    out += ["", "## Targets", "",
            "The goals the project set (DESIGN.md \"Where we go beyond DPDK\", "
            "docs/dynamic-memory.md) against the DPDK 22.11 baseline "
            "(`reference/dpdk-22.11-baseline.md`), as the programs check them.", ""]
    out += targets_section(rows)
    derived = derived_notes(rows)
    if derived:
        out += ["", "## Observations from this run", ""] + derived
    out += ["", "## How to reproduce", "",
            "As root on a machine with `libdpdk-dev` (the script installs the "
            "packages it needs; it reserves 1100 2 MiB hugepages for the run and "
            "restores the previous count when it exits). Where other people run "
            "hugepage tests, hold their lock:", "",
            "```",
            "flock /tmp/eal-hugepages.lock bench/run.sh --markdown docs/benchmarks.md",
            "```", "",
            "`bench/run.sh` builds the programs in `build-bench` (release), runs each "
            "with its DPDK twin, prints every JSON line on stdout and writes this "
            "page. One program alone, e.g. "
            "`build-bench/bench/bench_malloc --runs 5 --dpdk "
            "build-bench/bench/bench_malloc_dpdk`; a saved run: "
            "`bench/report.py -o FILE run.json`.", "",
            "## Notes", "", NOTES_BEGIN]
    if notes:
        out.append(notes)
    out += [NOTES_END, ""]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--machine", nargs="?", const="", metavar="BUILD_DIR",
                    help="print this machine as a JSON line and exit")
    ap.add_argument("-o", "--output", help="the Markdown file (default: stdout)")
    ap.add_argument("inputs", nargs="*", help="files of JSON lines (default: stdin)")
    args = ap.parse_args()
    if args.machine is not None:
        print(json.dumps(machine(args.machine), ensure_ascii=False, separators=(",", ":")))
        return 0
    lines = []
    if args.inputs:
        for path in args.inputs:
            with open(path, encoding="utf-8") as f:
                lines += parse(f)
    else:
        lines = parse(sys.stdin)
    if not results(lines):
        print("report.py: no result lines in the input", file=sys.stderr)
        return 1
    old = read_file(args.output) if args.output else ""
    text = render(lines, old)
    if args.output:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, args.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
