#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests of tools/eal-info, printed as TAP.

    test_eal_info.py EAL_INFO EAL_INFO_APP

The applications are tests/tools/eal_info_app processes: a --no-huge
primary (so that no hugepage is needed) that reserves named memzones and
allocates a few blocks, and secondaries that attach and may reserve zones
of their own; each prints what it got and waits for "exit" on stdin.
eal-info must report exactly that, while they run, after they were killed
with SIGKILL (stale files, exit 3), for a prefix where nothing runs
(exit 1), and for crafted broken files (exit 4, one clear line, no crash).

Runtime files go to $EAL_TEST_RUNTIME_BASE/tool_eal_info (emptied at
start), one unique prefix per case. The hugepage case runs only with at
least 8 free 2 MiB hugepages and a hugetlbfs mount, and is reported as a
TAP SKIP otherwise.
"""

import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

TOOL = os.path.abspath(sys.argv[1])
APP = os.path.abspath(sys.argv[2])
if os.environ.get("EAL_TEST_RUNTIME_BASE"):
    BASE = os.path.join(os.environ["EAL_TEST_RUNTIME_BASE"], "tool_eal_info")
else:
    BASE = os.path.join(tempfile.mkdtemp(prefix="eal-info-test-"), "base")
M = 1 << 20
NOHUGE_MEM = ["--no-huge", "-m", "16"]
TIMEOUT = 30

EXIT_RUNNING, EXIT_ABSENT, EXIT_USAGE, EXIT_STALE, EXIT_INVALID = 0, 1, 2, 3, 4

results = []


class Skip(Exception):
    """Raised by a test that cannot run here; the message says why."""


def test(fn):
    """Run one test now: a failed assert (or any exception) is 'not ok'.
    The name is the first line of the docstring."""
    name = fn.__doc__.strip().splitlines()[0]
    try:
        fn()
    except Skip as e:
        results.append((True, "%s # SKIP %s" % (name, e), ""))
    except Exception:  # noqa: BLE001 - every failure becomes a TAP line
        results.append((False, name, traceback.format_exc()))
    else:
        results.append((True, name, ""))
    return fn


def prefix_for(case):
    return "eal_info_%d_%s" % (os.getpid(), case)


def run(prefix, *extra, base=BASE):
    p = subprocess.run([TOOL, "--file-prefix", prefix, "--runtime-dir", base] + list(extra),
                       capture_output=True, text=True, timeout=60)
    check_clean_exit(p.returncode, p.stderr)
    return p.returncode, p.stdout, p.stderr


def run_json(prefix, *extra, want_rc=EXIT_RUNNING):
    rc, out, err = run(prefix, "--json", *extra)
    assert rc == want_rc, (rc, out, err)
    return json.loads(out), err


def check_clean_exit(rc, err):
    """No signal, no sanitizer report: a clean exit whatever the input."""
    assert rc >= 0, "killed by signal %d: %s" % (-rc, err)
    for bad in ("Sanitizer", "runtime error", "Segmentation", "Assertion"):
        assert bad not in err, err


# ---- the application -------------------------------------------------------

class App:
    """One eal_info_app process; its stdout lines arrive through a queue."""

    def __init__(self, prefix, eal_args, zones=(), mallocs=()):
        args = [APP, "--file-prefix", prefix, "--runtime-dir", BASE] + list(eal_args) + ["--"]
        for name, size in zones:
            args += ["--zone", "%s:%d" % (name, size)]
        for size in mallocs:
            args += ["--malloc", str(size)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        self.lines = queue.Queue()
        self.zones = {}
        self.role = None
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_ready()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _line(self):
        try:
            line = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("pid %d: no output within %d s" % (self.pid, TIMEOUT))
        if line is None:
            self.proc.wait(timeout=TIMEOUT)
            raise AssertionError("pid %d exited with %d: %s" %
                                 (self.pid, self.proc.returncode, self.proc.stderr.read()))
        return line

    def _wait_ready(self):
        while True:
            w = self._line().split()
            if w == ["ready"]:
                return
            if w[0] == "zone":
                self.zones[w[1]] = {"size": int(w[2]), "socket": int(w[3]), "iova": int(w[4]),
                                    "addr": int(w[5]), "page_size": int(w[6])}
            elif w[0] == "pid":
                assert int(w[1]) == self.pid, w
                self.role = w[2]

    def stats(self):
        """{socket: (total, free, alloc_count, free_count)} from the library."""
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        out = {}
        while True:
            w = self._line().split()
            if w == ["done"]:
                return out
            assert w[0] == "heap", w
            out[int(w[1])] = tuple(int(x) for x in w[2:6])

    def exit(self):
        self.proc.stdin.write("exit\n")
        self.proc.stdin.flush()
        rc = self.proc.wait(timeout=TIMEOUT)
        assert rc == 0, (self.pid, rc, self.proc.stderr.read())

    def kill(self):
        """SIGKILL; the process stays a zombie until reap()."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            wait_dead(self.pid)

    def reap(self):
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=TIMEOUT)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                f.close()

    def close(self):
        """Clean up: "exit" when still running (so that hugepages go back),
        SIGKILL when that fails; never raises."""
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.proc.stdin.write("exit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=TIMEOUT)
        self.reap()


def wait_dead(pid):
    """Until @pid has exited (a zombie, or gone): its locks are released."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/stat" % pid) as f:
                state = f.read().rpartition(")")[2].split()[0]
        except FileNotFoundError:
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)
    raise AssertionError("pid %d did not die" % pid)


@contextlib.contextmanager
def application(case, zones=(), mallocs=(), secondaries=(), eal_args=NOHUGE_MEM):
    """A primary and its secondaries (a list of zone lists, one per
    secondary) under a fresh prefix; everything is killed and removed at
    the end, whatever happens."""
    prefix = prefix_for(case)
    apps = []
    try:
        apps.append(App(prefix, ["--proc-type=primary"] + list(eal_args), zones, mallocs))
        for sec_zones in secondaries:
            apps.append(App(prefix, ["--proc-type=secondary"], sec_zones))
        yield prefix, apps
    finally:
        for a in reversed(apps):
            a.close()
        remove_prefix(prefix)


def hugetlbfs_mounts():
    try:
        with open("/proc/mounts") as f:
            return [line.split()[1] for line in f if line.split()[2:3] == ["hugetlbfs"]]
    except OSError:
        return []


def remove_prefix(prefix):
    """What a killed primary leaves: its runtime dir, its no-huge file, its
    hugepage files (whose pages would stay taken)."""
    shutil.rmtree(os.path.join(BASE, prefix), ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink("/dev/shm/eal-%d-%s.nohuge" % (os.geteuid(), prefix))
    for mnt in hugetlbfs_mounts():
        with contextlib.suppress(OSError):
            for name in os.listdir(mnt):
                if name.startswith(prefix + "map_"):
                    os.unlink(os.path.join(mnt, name))


def all_zones(apps):
    zones = {}
    for a in apps:
        zones.update(a.zones)
    return zones


def json_zones(d):
    return {z["name"]: {k: z[k] for k in ("size", "socket", "iova", "addr", "page_size")}
            for z in d["memzones"]}


def dir_digest(path):
    """Names, sizes, modes and contents of every file of a directory."""
    out = {}
    for name in sorted(os.listdir(path)):
        p = os.path.join(path, name)
        st = os.lstat(p)
        with open(p, "rb") as f:
            out[name] = (st.st_size, st.st_mode, st.st_mtime_ns,
                         hashlib.sha256(f.read()).hexdigest())
    return out


PRIMARY_ZONES = [("info_zone_a", 65536), ("info_zone_b", 1000), ("info_zone_c", 3 * 4096 + 64),
                 ("info.zone-d", 64)]
SECONDARY_ZONES = [[("info_sec_1", 4096)], [("info_sec_2", 8192)]]


# ---- a running application -------------------------------------------------

def prepare_base():
    shutil.rmtree(BASE, ignore_errors=True)
    os.makedirs(BASE, mode=0o700)
    os.chmod(BASE, 0o700)


prepare_base()


@test
def t_running_json():
    """running: --json matches the zones, pids, process count and heap stats of 1+2 processes"""
    with application("json", PRIMARY_ZONES, [5000, 100], SECONDARY_ZONES) as (prefix, apps):
        primary, sec = apps[0], apps[1:]
        stats = primary.stats()
        d, err = run_json(prefix)
        assert err == "", err
        assert d["tool"] == "eal-info" and d["prefix"] == prefix, d
        assert d["runtime_dir"] == os.path.join(BASE, prefix), d["runtime_dir"]
        assert d["state"] == "running" and d["exit_status"] == 0 and d["lock_held"] is True
        assert d["config"]["complete"] is True
        assert d["primary_pid"] == primary.pid and d["primary_alive"] is True
        assert d["process_count"] == 3, d["processes"]
        assert d["secondaries_counter"] == 2
        assert [(p["pid"], p["role"], p["alive"], p["attached"]) for p in d["processes"]] == \
            [(primary.pid, "primary", True, True)] + \
            sorted((s.pid, "secondary", True, True) for s in sec), d["processes"]
        assert primary.role == "primary" and all(s.role == "secondary" for s in sec)
        # Every zone, with the size, socket, IOVA and address the library gave.
        assert json_zones(d) == all_zones(apps), (json_zones(d), all_zones(apps))
        for name, size in PRIMARY_ZONES + [z for s in SECONDARY_ZONES for z in s]:
            got = [z for z in d["memzones"] if z["name"] == name]
            assert len(got) == 1 and got[0]["size"] >= size, (name, got)
        assert d["memzone_table"]["used"] == 6 and d["memzone_table"]["error"] is None
        # The heap statistics the library computes, socket by socket.
        assert {s["socket"]: (s["total_bytes"], s["free_bytes"], s["alloc_count"], s["free_count"])
                for s in d["heap_sockets"]} == stats, (d["heap_sockets"], stats)
        assert sum(h["alloc_count"] for h in d["heaps"]) >= 2 + 6
        # No-huge memory: one list of 4 KiB pages, all mapped at init.
        mem = d["memory"]
        assert mem["mode"] == "no-huge" and mem["no_huge"] is True and d["hugepages"] == []
        assert mem["nohuge_file"] == "/dev/shm/eal-%d-%s.nohuge" % (os.geteuid(), prefix)
        assert [(m["page_size"], m["segments"], m["used"], m["free"], m["n_runs"],
                 m["runs"]) for m in d["memseg_lists"]] == \
            [(4096, 16 * M // 4096, 16 * M // 4096, 0, 1, [[0, 16 * M // 4096]])]
        assert d["locks"]["memzones"]["writer"] is None
        assert d["warnings"] == [], d["warnings"]


@test
def t_running_text():
    """running: the human output names the state, every pid and every zone"""
    with application("text", PRIMARY_ZONES, [], SECONDARY_ZONES[:1]) as (prefix, apps):
        rc, out, err = run(prefix)
        assert rc == 0 and err == "", (rc, err)
        assert "running: primary pid %d is alive" % apps[0].pid in out, out
        assert re.search(r"^processes\s+2 attached", out, re.M), out
        for a in apps:
            assert re.search(r"^\s+%d\s+%s\s+yes\s+yes" % (a.pid, a.role), out, re.M), out
        for name in all_zones(apps):
            assert re.search(r"^\s+%s\s" % re.escape(name), out, re.M), (name, out)
        assert "memzones      5 of " in out, out
        assert "no-huge" in out and "read without" in out


@test
def t_secondary_exit():
    """a secondary that exits is no longer attached; its zone stays"""
    with application("secexit", PRIMARY_ZONES[:1], [], SECONDARY_ZONES) as (prefix, apps):
        apps[2].exit()
        d, _ = run_json(prefix)
        assert d["process_count"] == 2 and d["secondaries_counter"] == 1, d["processes"]
        assert apps[2].pid not in [p["pid"] for p in d["processes"]], d["processes"]
        assert "info_sec_2" in json_zones(d)


@test
def t_read_only():
    """eal-info changes no file and takes no lock: a secondary attaches right after"""
    with application("readonly", PRIMARY_ZONES[:2]) as (prefix, apps):
        before = dir_digest(os.path.join(BASE, prefix))
        for extra in ([], ["--json"]):
            rc, _, _ = run(prefix, *extra)
            assert rc == 0
        assert dir_digest(os.path.join(BASE, prefix)) == before
        apps.append(App(prefix, ["--proc-type=secondary"], [("info_after", 128)]))
        d, _ = run_json(prefix)
        assert d["process_count"] == 2 and "info_after" in json_zones(d)


# ---- stale files -------------------------------------------------------------

@test
def t_stale_all_killed():
    """SIGKILL of primary and secondaries: 'stale: primary pid N is not running', exit 3"""
    with application("stale", PRIMARY_ZONES, [4096], SECONDARY_ZONES) as (prefix, apps):
        zones = all_zones(apps)
        for a in apps:
            a.kill()
        # The processes are zombies now (not reaped): not alive either.
        rc, out, err = run(prefix)
        line = "stale: primary pid %d is not running" % apps[0].pid
        assert rc == EXIT_STALE and line in err and line in out, (rc, out, err)
        for name in zones:
            assert name in out, (name, out)
        d, err = run_json(prefix, want_rc=EXIT_STALE)
        assert line in err
        assert d["state"] == "stale" and d["exit_status"] == EXIT_STALE
        assert d["lock_held"] is False and d["primary_alive"] is False
        assert d["process_count"] == 0, d["processes"]
        assert all(not p["alive"] and p["attached"] is False for p in d["processes"])
        assert d["primary_pid"] == apps[0].pid
        assert json_zones(d) == zones
        for a in apps:
            a.reap()
        d, _ = run_json(prefix, want_rc=EXIT_STALE)
        assert d["process_count"] == 0 and json_zones(d) == zones


@test
def t_stale_primary_killed():
    """SIGKILL of the primary alone: stale, and the live secondaries are listed"""
    with application("orphans", PRIMARY_ZONES[:1], [], SECONDARY_ZONES) as (prefix, apps):
        apps[0].kill()
        apps[0].reap()
        d, err = run_json(prefix, want_rc=EXIT_STALE)
        assert "stale: primary pid %d is not running" % apps[0].pid in err, err
        assert d["process_count"] == 2, d["processes"]
        assert {p["pid"] for p in d["processes"] if p["alive"] and p["attached"]} == \
            {apps[1].pid, apps[2].pid}


# ---- --list and --clean ------------------------------------------------------------


def list_state(prefix):
    """The STATE column of prefix's line in --list (None: not listed)."""
    p = subprocess.run([TOOL, "--list", "--runtime-dir", BASE], capture_output=True,
                       text=True, timeout=60)
    check_clean_exit(p.returncode, p.stderr)
    for line in p.stdout.splitlines():
        cols = line.split()
        if cols and cols[0] == prefix:
            return cols[1]
    return None


def clean(prefix):
    p = subprocess.run([TOOL, "--clean", "--file-prefix", prefix, "--runtime-dir", BASE],
                       capture_output=True, text=True, timeout=60)
    check_clean_exit(p.returncode, p.stderr)
    return p.returncode, p.stdout, p.stderr


@test
def t_list_and_clean():
    """--list names each prefix's state; --clean refuses while a process lives, then removes everything"""
    with application("clean", PRIMARY_ZONES[:1], [], SECONDARY_ZONES[:1]) as (prefix, apps):
        d = os.path.join(BASE, prefix)
        assert list_state(prefix) == "live"
        rc, _, err = clean(prefix)
        assert rc == 5 and "its primary (pid %d) is running" % apps[0].pid in err, (rc, err)
        assert os.path.isdir(d)
        # The primary dies; its secondary maps the memory still.
        apps[0].kill()
        apps[0].reap()
        assert list_state(prefix) == "orphans"
        rc, _, err = clean(prefix)
        assert rc == 5 and "a process still maps its memory" in err, (rc, err)
        assert os.path.isdir(d)
        apps[1].kill()
        apps[1].reap()
        assert list_state(prefix) == "dead"
        rc, out, err = clean(prefix)
        assert rc == 0 and "removed" in out, (rc, out, err)
        assert not os.path.exists(d)
        assert not os.path.exists("/dev/shm/eal-%d-%s.nohuge" % (os.geteuid(), prefix))
        assert list_state(prefix) is None
        rc, out, _ = clean(prefix)  # nothing left: nothing to do, still 0
        assert rc == 0, out
    p = subprocess.run([TOOL, "--list", "--clean"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p
    p = subprocess.run([TOOL, "--clean"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "--clean needs --file-prefix" in p.stderr, p


# ---- nothing there -------------------------------------------------------------

@test
def t_absent():
    """a prefix where nothing runs: exit 1 and 'nothing runs with --file-prefix=...'"""
    prefix = prefix_for("absent")
    rc, out, err = run(prefix)
    assert rc == EXIT_ABSENT and out == "", (rc, out, err)
    assert err == "eal-info: nothing runs with --file-prefix=%s: %s does not exist\n" % (
        prefix, os.path.join(BASE, prefix)), err
    d, _ = run_json(prefix, want_rc=EXIT_ABSENT)
    assert d["state"] == "absent" and "nothing runs" in d["error"], d
    # A directory without a config (a primary that exited cleanly leaves none).
    os.mkdir(os.path.join(BASE, prefix), 0o700)
    try:
        rc, out, err = run(prefix)
        assert rc == EXIT_ABSENT and "has no config file" in err, (rc, err)
    finally:
        remove_prefix(prefix)
    # After a clean exit, the same.
    with application("exited", PRIMARY_ZONES[:1]) as (prefix, apps):
        apps[0].exit()
        rc, out, err = run(prefix)
        assert rc == EXIT_ABSENT and "nothing runs" in err, (rc, err)


@test
def t_usage():
    """bad options and prefixes: exit 2 with the reason"""
    for args, want in ((["--bogus"], "unknown option --bogus"),
                       (["--file-prefix"], "--file-prefix needs a value"),
                       (["--file-prefix", "a/b"], "contains '/'"),
                       (["--file-prefix", "x", "--runtime-dir", "rel"], "not an absolute path"),
                       (["stray"], "unexpected argument")):
        p = subprocess.run([TOOL] + args, capture_output=True, text=True, timeout=60)
        check_clean_exit(p.returncode, p.stderr)
        assert p.returncode == EXIT_USAGE and want in p.stderr, (args, p.returncode, p.stderr)
    p = subprocess.run([TOOL, "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "Exit status" in p.stdout


# ---- broken files ----------------------------------------------------------------

def stale_copy():
    """The runtime files of a SIGKILLed application, copied (the original
    removed), with what --json says of them."""
    with application("source", PRIMARY_ZONES[:2]) as (prefix, apps):
        apps[0].kill()
        d, _ = run_json(prefix, want_rc=EXIT_STALE)
        src = os.path.join(BASE, prefix)
        files = {n: open(os.path.join(src, n), "rb").read() for n in os.listdir(src)}
    return files, d


def craft(case, files, edit=None):
    """A runtime dir holding @files (name -> bytes), @edit applied to them."""
    prefix = prefix_for(case)
    d = os.path.join(BASE, prefix)
    shutil.rmtree(d, ignore_errors=True)
    os.mkdir(d, 0o700)
    files = dict(files)
    if edit:
        edit(files)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return prefix


def expect_invalid(prefix, want):
    try:
        for extra in ([], ["--json"]):
            rc, out, err = run(prefix, *extra)
            assert rc == EXIT_INVALID, (prefix, rc, out, err)
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("eal-info: ") and want in lines[0], \
                (want, err)
            if extra:
                d = json.loads(out)
                assert d["state"] == "invalid" and want in d["error"], d
            else:
                assert out == "", out
    finally:
        remove_prefix(prefix)


def patch(data, off, fmt, *vals):
    return data[:off] + struct.pack(fmt, *vals) + data[off + struct.calcsize(fmt):]


@test
def t_broken_crafted():
    """crafted configs: empty, truncated header, wrong magic, garbage: exit 4, one line"""
    magic = struct.pack("<Q", 0x0047464d434c4145)
    cases = [
        ("empty", b"", "0 bytes, shorter than a libeal config header"),
        ("short", magic + b"\0" * 8, "16 bytes, shorter than a libeal config header"),
        ("nomagic", b"\0" * 8192, "has no magic number"),
        ("magic", b"DPDKCFG\0" + b"\xff" * 8184, "is not a libeal shared config"),
        ("garbage", bytes(range(256)) * 64, "is not a libeal shared config"),
        ("hdronly", magic + struct.pack("<II", 0x7fff0001, 64) + b"\0" * 16,
         "has layout version 0x7fff0001 (64 bytes)"),
    ]
    for case, data, want in cases:
        expect_invalid(craft("c_" + case, {"config": data}), want)
    # Not a regular file, or a symbolic link: refused, not followed.
    prefix = craft("c_fifo", {})
    os.mkfifo(os.path.join(BASE, prefix, "config"))
    expect_invalid(prefix, "not a regular file")
    prefix = craft("c_link", {})
    os.symlink("/etc/passwd", os.path.join(BASE, prefix, "config"))
    expect_invalid(prefix, "a symbolic link")


@test
def t_broken_real():
    """a real stale config truncated, of another version, or with counts past the limits: exit 4"""
    files, d = stale_copy()
    cfg = files["config"]
    size = d["config"]["size"]
    # The fields are found by their values, which --json gave.
    msl_n = cfg.find(struct.pack("<QQI", d["memory"]["va_addr"], d["memory"]["va_len"], 1))
    mz = cfg.find(b"memzone".ljust(64, b"\0"))
    msl_name = cfg.find(d["memseg_lists"][0]["fbarray"].encode().ljust(64, b"\0"))
    assert msl_n > 0 and mz > 0 and msl_name > 0, (msl_n, mz, msl_name)
    cases = [
        ("half", lambda f: f.update(config=cfg[:len(cfg) // 2]),
         "shorter than the %d bytes of its layout" % size),
        ("version", lambda f: f.update(config=patch(cfg, 8, "<I", 0x12345)),
         "has layout version 0x00012345"),
        ("size", lambda f: f.update(config=patch(cfg, 12, "<I", size + 8)),
         "(%d bytes); this eal-info reads" % (size + 8)),
        ("pid", lambda f: f.update(config=patch(cfg, 20, "<i", -5)), "primary pid -5 is not a pid"),
        ("n_msl", lambda f: f.update(config=patch(cfg, msl_n + 16, "<I", 100000)),
         "100000 memseg lists"),
        ("mz_count", lambda f: f.update(config=patch(cfg, mz + 64, "<I", 1 << 30)),
         "memzone table: 1073741824 of"),
        ("mz_len", lambda f: f.update(config=patch(cfg, mz + 68, "<I", 0xffffffff)),
         "memzone table: 4294967295 elements"),
        ("mz_elt", lambda f: f.update(config=patch(cfg, mz + 72, "<I", 1)),
         "memzone table: elements of 1 bytes"),
        ("msl_name", lambda f: f.update(config=cfg[:msl_name] + b"../x/y\0" + cfg[msl_name + 7:]),
         "memseg list 0: fbarray name is not a file name"),
        ("msl_noterm", lambda f: f.update(config=cfg[:msl_name] + b"A" * 64 + cfg[msl_name + 64:]),
         "memseg list 0: fbarray name is not a file name"),
    ]
    for case, edit, want in cases:
        expect_invalid(craft("r_" + case, files, edit), want)


@test
def t_broken_fbarrays():
    """truncated, missing or foreign fbarray files: reported per list, still exit 3, no crash"""
    files, d = stale_copy()
    msl_file = "fbarray_" + d["memseg_lists"][0]["fbarray"]

    def edit(f):
        f["fbarray_memzone"] = f["fbarray_memzone"][:100]
        f[msl_file] = f["fbarray_memzone"]
    prefix = craft("f_trunc", files, edit)
    try:
        d2, _ = run_json(prefix, want_rc=EXIT_STALE)
        assert "is 100 bytes" in d2["memzone_table"]["error"], d2["memzone_table"]
        assert d2["memzones"] == [] and d2["memseg_lists"][0]["used"] is None
        assert d2["memseg_lists"][0]["error"].startswith(msl_file + " is 100 bytes")
        assert len(d2["warnings"]) == 2, d2["warnings"]
        rc, out, _ = run(prefix)
        assert rc == EXIT_STALE and "unreadable" in out
    finally:
        remove_prefix(prefix)

    def swap(f):
        # Same size, another array's header: must not be taken for it.
        f["fbarray_memzone"] = f[msl_file][:len(f["fbarray_memzone"])].ljust(
            len(f["fbarray_memzone"]), b"\0")
        del f[msl_file]
    prefix = craft("f_swap", files, swap)
    try:
        d2, _ = run_json(prefix, want_rc=EXIT_STALE)
        assert d2["memzones"] == [] and d2["memzone_table"]["error"] is not None
        assert "No such file" in d2["memseg_lists"][0]["error"], d2["memseg_lists"]
    finally:
        remove_prefix(prefix)


# ---- hugepages (optional) ----------------------------------------------------------

def free_2m_hugepages():
    try:
        with open("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages") as f:
            free = int(f.read())
    except (OSError, ValueError):
        return 0
    # a mount this user cannot write is skipped by libeal (4 KiB fallback)
    writable = [m for m in hugetlbfs_mounts() if os.access(m, os.W_OK)]
    return free if writable else 0


@test
def t_hugepages():
    """dynamic hugepage memory: page size, pages in use, the process table"""
    if free_2m_hugepages() < 8:
        raise Skip("needs 8 free 2 MiB hugepages and a hugetlbfs mount")
    zones = [("info_huge_a", 1 * M), ("info_huge_b", 64)]
    with application("huge", zones, [], [[("info_huge_sec", 4096)]],
                     eal_args=["--huge-required"]) as (prefix, apps):
        d, _ = run_json(prefix)
        assert d["memory"]["mode"] == "dynamic" and d["memory"]["no_huge"] is False
        assert json_zones(d) == all_zones(apps)
        assert all(z["page_size"] == 2 * M for z in d["memzones"]), d["memzones"]
        used = sum(h["used"] for h in d["hugepages"] if h["page_size"] == 2 * M)
        assert used >= 1 and used == sum(m["used"] for m in d["memseg_lists"]
                                          if m["page_size"] == 2 * M), d["hugepages"]
        table = {p["pid"] for p in d["processes"] if p["in_process_table"]}
        assert table == {a.pid for a in apps}, d["processes"]
        assert d["process_count"] == 2


def main():
    shutil.rmtree(BASE, ignore_errors=True)
    print("1..%d" % len(results))
    for i, (ok, name, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        for line in detail.splitlines():
            print("# " + line)
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
