#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of tools/eal-hugepages, printed as TAP.

    test_eal_hugepages.py TOOL FIXTURES_DIR

--show and --json run on fixture trees (tests/fixtures, see its README.md)
through EAL_SYSFS_ROOT / EAL_PROCFS_ROOT. Actions that write (--reserve,
--clear) run only on copies in a temporary directory, with the test hook
EAL_HUGEPAGES_ASSUME_ROOT=1; --mount and --unmount only with --dry-run.
On the real machine, only --show and --json run.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import traceback

TOOL = os.path.abspath(sys.argv[1])
FIXTURES = os.path.abspath(sys.argv[2])
M = 1 << 20
G = 1 << 30
NOBODY = 65534

results = []


class Skip(Exception):
    """Raised by a test that cannot run here; the message says why."""


def test(fn, name=None):
    """Run one test now: a failed assert (or any exception) is 'not ok'.
    The name is the first line of the docstring unless given."""
    name = name or fn.__doc__.strip().splitlines()[0]
    try:
        fn()
    except Skip as e:
        results.append((True, "%s # SKIP %s" % (name, e), ""))
    except Exception:  # noqa: BLE001 - every failure becomes a TAP line
        results.append((False, name, traceback.format_exc()))
    else:
        results.append((True, name, ""))
    return fn


def env_for(tree=None, assume_root=False):
    env = {k: v for k, v in os.environ.items()
           if k not in ("EAL_SYSFS_ROOT", "EAL_PROCFS_ROOT", "EAL_HUGEPAGES_ASSUME_ROOT")}
    env["LC_ALL"] = "C"
    if tree is not None:
        env["EAL_SYSFS_ROOT"] = os.path.join(tree, "sys")
        env["EAL_PROCFS_ROOT"] = os.path.join(tree, "proc")
    if assume_root:
        env["EAL_HUGEPAGES_ASSUME_ROOT"] = "1"
    return env


def run(args, tree=None, assume_root=False, prefix=(), env=None):
    p = subprocess.run(list(prefix) + [TOOL] + list(args), capture_output=True, text=True,
                       env=env if env is not None else env_for(tree, assume_root),
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def fixture(name):
    return os.path.join(FIXTURES, name)


def copy_fixture(name, tmp):
    dst = os.path.join(tmp, name)
    shutil.copytree(fixture(name), dst)
    return dst


def read_int(path):
    with open(path) as f:
        return int(f.read().strip())


def size_dir(tree, kb):
    return os.path.join(tree, "sys/kernel/mm/hugepages/hugepages-%dkB" % kb)


def node_file(tree, node, kb):
    return os.path.join(tree, "sys/devices/system/node/node%d/hugepages/hugepages-%dkB/nr_hugepages"
                        % (node, kb))


def show_json(tree, *extra):
    rc, out, err = run(["--json"] + list(extra), tree)
    assert rc == 0, (rc, out, err)
    return json.loads(out)


def show_both(name):
    """--show and --json on fixture @name: both succeed quietly."""
    rc, out, err = run(["--show"], fixture(name))
    assert rc == 0 and err == "", (rc, err)
    return out, show_json(fixture(name))


def check_sizes(data, want):
    """want: [(page_size, default, total, free, resv, mount, [(node_total, node_free)])]"""
    got = [(s["page_size"], s["default"], s["total"], s["free"], s["reserved"], s["mount"],
            [(n["total"], n["free"]) for n in s["nodes"]]) for s in data["sizes"]]
    assert got == want, got
    for s in data["sizes"]:
        for key in ("surplus", "overcommit", "usable"):
            assert key in s, key
        assert [n["node"] for n in s["nodes"]] == list(range(len(s["nodes"])))


def table_row(out, size, default, total, free, resv, surplus, mount):
    pat = r"^%s\s+%s\s+%d\s+%d\s+%d\s+%d\s+%s$" % (
        size, default, total, free, resv, surplus, re.escape(mount))
    assert re.search(pat, out, re.M), "no row /%s/ in:\n%s" % (pat, out)


# ---- --show and --json on fixture trees ----------------------------------

@test
def t_2m_only():
    """2m_only: table and JSON show 64 reserved, 60 free, 2 resv, /dev/hugepages"""
    rc, out, err = run([], fixture("2m_only"))
    assert rc == 0 and err == "", (rc, err)
    table_row(out, "2M", "yes", 64, 60, 2, 0, "/dev/hugepages")
    assert re.search(r"^2M\s+64/60$", out, re.M), out
    assert "Files in hugetlbfs:" in out
    assert "run `" not in out, "a usable machine gets no hint"
    d = show_json(fixture("2m_only"))
    check_sizes(d, [(2 * M, True, 64, 60, 2, "/dev/hugepages", [(64, 60)])])
    assert d["default_page_size"] == 2 * M
    assert d["usable"] is True and d["hint"] is None
    assert [(m["path"], m["page_size"], m["read_only"]) for m in d["mounts"]] == \
        [("/dev/hugepages", 2 * M, False)]


@test
def t_2m_1g():
    """2m_1g: both sizes, largest first, each with its mount"""
    out, d = show_both("2m_1g")
    table_row(out, "1G", "no", 4, 3, 0, 0, "/dev/hugepages-1G")
    table_row(out, "2M", "yes", 512, 500, 0, 0, "/dev/hugepages")
    assert out.index("1G ") < out.index("2M ")
    check_sizes(d, [(G, False, 4, 3, 0, "/dev/hugepages-1G", [(4, 3)]),
                    (2 * M, True, 512, 500, 0, "/dev/hugepages", [(512, 500)])])
    assert {m["path"]: m["page_size"] for m in d["mounts"]} == \
        {"/dev/hugepages": 2 * M, "/dev/hugepages-1G": G}


@test
def t_numa2_uneven():
    """numa2_uneven: per-node totals 100/90 and 28/10"""
    out, d = show_both("numa2_uneven")
    table_row(out, "2M", "yes", 128, 100, 0, 0, "/dev/hugepages")
    assert re.search(r"^SIZE\s+NODE0\s+NODE1$", out, re.M), out
    assert re.search(r"^2M\s+100/90\s+28/10$", out, re.M), out
    check_sizes(d, [(2 * M, True, 128, 100, 0, "/dev/hugepages", [(100, 90), (28, 10)])])


@test
def t_reserved_unmounted():
    """reserved_unmounted: 'not mounted' and a --mount hint"""
    out, d = show_both("reserved_unmounted")
    table_row(out, "2M", "yes", 64, 64, 0, 0, "not mounted")
    assert "no hugetlbfs mounted" in out
    assert out.rstrip().splitlines()[-1].endswith("run `eal-hugepages --mount` as root"), out
    check_sizes(d, [(2 * M, True, 64, 64, 0, None, [(64, 64)])])
    assert d["mounts"] == [] and d["usable"] is False and "--mount" in d["hint"]


@test
def t_container_no_sysfs():
    """container_no_sysfs: no sizes is not an error; the hint says so"""
    out, d = show_both("container_no_sysfs")
    assert "no hugepage sizes" in out and "offers no hugepages" in out, out
    assert d["sizes"] == [] and d["mounts"] == [] and d["prefixes"] == []
    assert d["default_page_size"] is None and d["usable"] is False


@test
def t_mount_space():
    """mount_space: decoded mount paths, escaped in the table, exact in JSON"""
    out, d = show_both("mount_space")
    table_row(out, "2M", "yes", 8, 8, 0, 0, "/mnt/huge pages")
    table_row(out, "1G", "no", 1, 1, 0, 0, "/mnt/tab\\011dir\\134x")
    assert "\t" not in out
    check_sizes(d, [(G, False, 1, 1, 0, "/mnt/tab\tdir\\x", [(1, 1)]),
                    (2 * M, True, 8, 8, 0, "/mnt/huge pages", [(8, 8)])])


@test
def t_readonly_mount():
    """readonly_mount: the writable mount serves the size; both are listed"""
    out, d = show_both("readonly_mount")
    table_row(out, "2M", "yes", 16, 16, 0, 0, "/mnt/rw")
    assert "/mnt/ro (2M pages, read-only)" in out, out
    check_sizes(d, [(2 * M, True, 16, 16, 0, "/mnt/rw", [(16, 16)])])
    assert [(m["path"], m["read_only"]) for m in d["mounts"]] == \
        [("/mnt/ro", True), ("/mnt/rw", False)]


@test
def t_two_mounts_one_size():
    """two_mounts_one_size: the first mount serves the size; both are listed"""
    out, d = show_both("two_mounts_one_size")
    table_row(out, "2M", "yes", 16, 16, 0, 0, "/mnt/huge_a")
    assert "/mnt/huge_b (2M pages)" in out
    assert [m["path"] for m in d["mounts"]] == ["/mnt/huge_a", "/mnt/huge_b"]


@test
def t_malformed():
    """malformed_numbers: exit 1 with a message naming the file"""
    rc, out, err = run([], fixture("malformed_numbers"))
    assert rc == 1 and out == "", (rc, out)
    assert "free_hugepages" in err and err.startswith("eal-hugepages: "), err


# ---- the files in hugetlbfs ----------------------------------------------

def mounts_escape(path):
    return "".join("\\%03o" % ord(c) if c in " \t\n\\" else c for c in path)


@test
def t_prefixes():
    """files: prefixes, counts, bytes, in use vs stale, in table and JSON"""
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_fixture("2m_only", tmp)
        mnt = os.path.join(tmp, "huge dir")
        os.makedirs(os.path.join(mnt, "sub"))
        with open(os.path.join(tree, "proc/mounts"), "w") as f:
            f.write("nodev %s hugetlbfs rw,relatime,pagesize=2M 0 0\n" % mounts_escape(mnt))
        for name in ("appmap_0", "appmap_1", "app2map_0_3", "notes.txt", "sub/appmap_7",
                     "xmap_", "ymap_1_"):
            with open(os.path.join(mnt, name), "wb") as f:
                f.write(b"\1" * 8192)
        held = os.open(os.path.join(mnt, "app2map_0_3"), os.O_RDONLY)
        try:
            fcntl.flock(held, fcntl.LOCK_SH)
            rc, out, err = run([], tree)
            d = show_json(tree)
        finally:
            os.close(held)
        assert rc == 0, err
        assert re.search(r"^\s+app\s+2\s+\S+\s+stale", out, re.M), out
        assert re.search(r"^\s+app2\s+1\s+\S+\s+in use$", out, re.M), out
        assert re.search(r"^\s+app\s+1\s+\S+\s+stale.* in %s$" % re.escape(mnt + "/sub"), out,
                         re.M), out
        assert "(and 3 other file(s))" in out, out
        got = {(p["prefix"], p["dir"]): (p["files"], p["in_use"], p["stale"], p["unknown"])
               for p in d["prefixes"]}
        assert got == {("app", mnt): (2, 0, 2, 0), ("app2", mnt): (1, 1, 0, 0),
                       ("app", mnt + "/sub"): (1, 0, 1, 0)}, got
        for p in d["prefixes"]:
            assert p["mount"] == mnt and p["bytes"] >= 8192 * p["files"], p
        assert d["mounts"][0]["other_files"] == 3 and d["mounts"][0]["error"] is None


# ---- actions on copies ---------------------------------------------------

# (what, fixture, arguments, {(node or None, kB): nr_hugepages after}, text in stdout)
WRITE_CASES = [
    ("--reserve 512M writes 256 to nr_hugepages", "2m_only", ["--reserve", "512M"],
     {(None, 2048): 256}, "2M pages: 256 reserved (512M), was 64"),
    ("--reserve 64M:1 writes 32 to node1's file only", "numa2_uneven", ["--reserve", "64M:1"],
     {(1, 2048): 32, (0, 2048): 100, (None, 2048): 128}, "on node 1: 32 reserved (64M), was 28"),
    ("-p 1G --reserve 2G writes 2 to the 1G size", "2m_1g", ["-p", "1G", "--reserve", "2G"],
     {(None, 1048576): 2, (None, 2048): 512}, "1G pages: 2 reserved (2G), was 4"),
    ("--pagesize=1G --reserve=3G", "2m_1g", ["--pagesize=1G", "--reserve=3G"],
     {(None, 1048576): 3}, "1G pages: 3 reserved"),
    ("--reserve 3M rounds up to 2 pages and says so", "2m_only", ["--reserve", "3M"],
     {(None, 2048): 2}, "rounding up to 2 page(s)"),
    ("--clear zeroes every size's nr_hugepages", "2m_1g", ["--clear"],
     {(None, 2048): 0, (None, 1048576): 0}, "none reserved now, was 512"),
    ("--clear without hugepage support: nothing to clear", "container_no_sysfs", ["--clear"],
     {}, "nothing to clear"),
    ("--reserve --dry-run prints the write and changes nothing", "2m_only",
     ["--reserve", "1G", "--dry-run"], {(None, 2048): 64}, "would write 512 to "),
    ("--clear --dry-run changes nothing", "2m_1g", ["--clear", "--dry-run"],
     {(None, 2048): 512, (None, 1048576): 4}, "would write 0 to "),
    ("dpdk-hugepages.py's -n NODE: --reserve 64M -n 1 is 64M:1", "numa2_uneven",
     ["--reserve", "64M", "-n", "1"], {(1, 2048): 32, (0, 2048): 100},
     "on node 1: 32 reserved (64M), was 28"),
    ("--node=1 with --reserve 64M:1 agrees", "numa2_uneven",
     ["--reserve", "64M:1", "--node=1"], {(1, 2048): 32}, "on node 1: 32 reserved"),
]


def nr_file(tree, node, kb):
    if node is None:
        return os.path.join(size_dir(tree, kb), "nr_hugepages")
    return node_file(tree, node, kb)


def write_case(fixture_name, args, want, text):
    def check():
        with tempfile.TemporaryDirectory() as tmp:
            tree = copy_fixture(fixture_name, tmp)
            rc, out, err = run(args, tree, assume_root=True)
            assert rc == 0, (rc, out, err)
            got = {k: read_int(nr_file(tree, *k)) for k in want}
            assert got == want, got
            assert text in out, out
    return check


for _what, _fixture, _args, _want, _text in WRITE_CASES:
    test(write_case(_fixture, _args, _want, _text), _what)


@test
def t_reserve_json():
    """--reserve with --json: messages on stderr, the new state as JSON"""
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_fixture("2m_only", tmp)
        rc, out, err = run(["--reserve", "128M", "--json"], tree, assume_root=True)
        assert rc == 0, err
        assert "64 reserved" in err or "was 64" in err, err
        assert json.loads(out)["sizes"][0]["total"] == 64


@test
def t_dpdk_spellings():
    """dpdk-hugepages.py's --setup SIZE (clear, unmount, reserve, mount), -d DIR, and -n"""
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "mnt")
        rc, out, _ = run(["--setup", "64M", "-n", "1", "-d", target, "--dry-run"],
                         fixture("numa2_uneven"))
        assert rc == 0, out
        lines = out.splitlines()
        clear = [i for i, l in enumerate(lines) if l.startswith("would write 0 to ")]
        reserve = [i for i, l in enumerate(lines) if "node1" in l and "would write 32" in l]
        mount = [i for i, l in enumerate(lines) if l == "would mount hugetlbfs at %s (pagesize=2M)" % target]
        assert clear and reserve and mount and clear[0] < reserve[0] < mount[0], out
        assert not os.path.exists(target)
    for args, text in ((["-n", "0"], "--node needs --reserve or --setup"),
                       (["--reserve", "64M:0", "-n", "1"], "name two nodes"),
                       (["-d", "/tmp/x"], "--directory needs --mount or --setup"),
                       (["--reserve", "64M", "-n", "x"], "not a NUMA node number")):
        rc, _, err = run(args + ["--dry-run"], fixture("numa2_uneven"))
        assert rc == 2 and text in err, (args, rc, err)


@test
def t_mount_dry_run():
    """--mount/--unmount --dry-run: already mounted, would mount, would unmount"""
    rc, out, _ = run(["--mount", "--dry-run"], fixture("2m_only"))
    assert rc == 0 and "/dev/hugepages is already a hugetlbfs mount for 2M pages" in out, out
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "new", "dir")
        rc, out, _ = run(["-p", "1G", "--mount", target, "--dry-run"], fixture("2m_1g"))
        assert rc == 0, out
        assert "would create directory %s" % target in out, out
        assert "would mount hugetlbfs at %s (pagesize=1G)" % target in out, out
        assert not os.path.exists(target)
    rc, out, _ = run(["--unmount", "--dry-run"], fixture("two_mounts_one_size"))
    assert rc == 0 and out == "would unmount /mnt/huge_b\nwould unmount /mnt/huge_a\n", out
    rc, _, err = run(["--unmount=/mnt/elsewhere", "--dry-run"], fixture("two_mounts_one_size"))
    assert rc == 1 and "not a hugetlbfs mount" in err, err
    rc, _, err = run(["-p", "1G", "--mount", "/dev/hugepages", "--dry-run"], fixture("2m_1g"))
    assert rc == 1 and "already a hugetlbfs mount for 2M pages, not 1G" in err, err


@test
def t_mount_refuses_fixture():
    """--mount with a redirected procfs refuses (it would act on the real machine)"""
    with tempfile.TemporaryDirectory() as tmp:
        target = os.path.join(tmp, "m")
        # As root, this also shows that root needs no hook.
        rc, _, err = run(["--mount", target], fixture("2m_only"),
                         assume_root=os.geteuid() != 0)
        assert rc == 1 and "EAL_PROCFS_ROOT" in err, (rc, err)
        assert not os.path.exists(target)


# ---- usage errors --------------------------------------------------------

BAD_ARGS = [
    (["--reserve", "5X"], "5X"),
    (["--reserve", "64M:x"], "64M:x"),
    (["--reserve", ""], "--reserve"),
    (["--reserve", "64M:9"], "node 9"),
    (["-p", "3M", "--reserve", "1G"], "3M"),
    (["-p", "1G", "--reserve", "1G"], "1G"),
    (["--pagesize", "huge", "--reserve", "1G"], "huge"),
    (["--reserve", "99999999999999999999G"], "99999999999999999999G"),
    (["--bogus"], "--bogus"),
    (["-x"], "-x"),
    (["-sx"], "-x"),
    (["--json=yes"], "--json=yes"),
    (["--show=x"], "--show=x"),
    (["--reserve"], "--reserve"),
    (["--show", "extra"], "extra"),
]


@test
def t_bad_args():
    """bad arguments: exit 2, one line naming the argument, nothing written"""
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_fixture("numa2_uneven", tmp)
        before = read_int(os.path.join(size_dir(tree, 2048), "nr_hugepages"))
        for args, word in BAD_ARGS:
            rc, out, err = run(args, tree, assume_root=True)
            assert rc == 2, (args, rc, out, err)
            assert out == "" and err.count("\n") == 1, (args, out, err)
            assert err.startswith("eal-hugepages: ") and word in err, (args, err)
        assert read_int(os.path.join(size_dir(tree, 2048), "nr_hugepages")) == before


@test
def t_help_version():
    """--help and --version exit 0"""
    rc, out, _ = run(["--help"])
    assert rc == 0 and out.startswith("Usage: eal-hugepages") and "--reserve" in out
    rc, out, _ = run(["--version"])
    assert rc == 0 and re.match(r"^eal-hugepages \(libeal\) \d+\.\d+\.\d+$", out), out


# ---- not root ------------------------------------------------------------

def as_nobody():
    """A command prefix that runs as an unprivileged user, or None."""
    if os.geteuid() != 0:
        return ()
    for cmd in (["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"],
                ["runuser", "-u", "nobody", "--"]):
        if shutil.which(cmd[0]) is None:
            continue
        try:
            rc, _, _ = run(["--version"], prefix=cmd)
        except OSError:
            continue
        if rc == 0:
            return cmd
    return None


@contextlib.contextmanager
def unprivileged_copy(name):
    """Yield (prefix, tmp, tree): a copy of fixture @name in the temporary
    directory tmp that the unprivileged user may read and write, and the
    command prefix that runs as that user."""
    prefix = as_nobody()
    if prefix is None:
        raise Skip("no way to run as an unprivileged user")
    with tempfile.TemporaryDirectory() as tmp:
        tree = copy_fixture(name, tmp)
        os.chmod(tmp, 0o777)
        for root, dirs, files in os.walk(tmp):
            for n in dirs:
                os.chmod(os.path.join(root, n), 0o777)
            for n in files:
                os.chmod(os.path.join(root, n), 0o666)
        yield prefix, tmp, tree


@test
def t_not_root():
    """not root: --reserve/--clear/--mount exit 1 with 'needs root'; the hook only with EAL_SYSFS_ROOT"""
    with unprivileged_copy("2m_only") as (prefix, tmp, tree):
        path = os.path.join(size_dir(tree, 2048), "nr_hugepages")
        for args, action in ((["--reserve", "512M"], "--reserve"), (["--clear"], "--clear"),
                             (["--mount", os.path.join(tmp, "m")], "--mount"),
                             (["--unmount"], "--unmount")):
            rc, out, err = run(args, tree, prefix=prefix)
            assert rc == 1, (args, rc, out, err)
            assert err == "eal-hugepages: %s needs root (run with sudo)\n" % action, err
        assert read_int(path) == 64
        # The hook without a redirected sysfs is ignored.
        env = env_for(None, assume_root=True)
        rc, _, err = run(["--reserve", "2M"], prefix=prefix, env=env)
        assert rc == 1 and ("needs root" in err or "offers no hugepages" in err), (rc, err)
        # With it, an unprivileged user may write the copy.
        rc, out, err = run(["--reserve", "4M"], tree, assume_root=True, prefix=prefix)
        assert rc == 0 and read_int(path) == 2, (rc, out, err)
        # --dry-run needs no root.
        rc, out, err = run(["--reserve", "8M", "--dry-run"], tree, prefix=prefix)
        assert rc == 0 and "would write 4" in out, (rc, out, err)


@test
def t_kernel_refusal():
    """a refused write: exit 1 with the errno text and advice"""
    with unprivileged_copy("2m_only") as (prefix, _, tree):
        path = os.path.join(size_dir(tree, 2048), "nr_hugepages")
        os.chmod(path, 0o444)
        rc, _, err = run(["--reserve", "2M"], tree, assume_root=True, prefix=prefix)
        assert rc == 1 and "Permission denied" in err and "host" in err, (rc, err)
        assert read_int(path) == 64


# ---- the real machine ------------------------------------------------------

@test
def t_real_show():
    """real machine: --show and --json succeed and agree with /proc/meminfo"""
    rc, out, err = run([])
    assert rc == 0, (rc, out, err)
    assert "Files in hugetlbfs:" in out, out
    rc, out, err = run(["--json"])
    assert rc == 0, (rc, err)
    d = json.loads(out)
    try:
        kernel_sizes = [n for n in os.listdir("/sys/kernel/mm/hugepages")
                        if n.startswith("hugepages-")]
    except FileNotFoundError:
        kernel_sizes = []
    assert len(d["sizes"]) == min(len(kernel_sizes), 4), (d["sizes"], kernel_sizes)
    meminfo = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            meminfo[k] = v.split()
    if "Hugepagesize" in meminfo and d["sizes"]:
        default = int(meminfo["Hugepagesize"][0]) * 1024
        assert d["default_page_size"] == default, d["default_page_size"]
        s = [s for s in d["sizes"] if s["default"]]
        assert len(s) == 1 and s[0]["page_size"] == default
        assert s[0]["total"] == int(meminfo["HugePages_Total"][0]), (s, meminfo)


def main():
    print("1..%d" % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for line in detail.splitlines():
            print("# " + line)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
