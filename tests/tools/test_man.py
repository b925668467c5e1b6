#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The man pages of man/ against groff, the tools and the option list.
Printed as TAP.

    test_man.py EAL_HUGEPAGES EAL_INFO OPTION_LIST [PAGE...]

EAL_HUGEPAGES and EAL_INFO are the built tools, OPTION_LIST is
src/eal_option_list.h, and the PAGEs are the built pages (eal-hugepages.1,
eal-info.1 and libeal.7 from man/meson.build). Meson passes no page when
the pages were not built (scdoc not found, or -Dman=disabled).

What is checked, on each page
  - `man --warnings=w -l` renders it (MANWIDTH=80, LC_ALL=C.UTF-8) with
    exit status 0 and nothing on stderr, and `groff -man -ww -z` finds
    nothing to warn about either;
  - no rendered line is wider than 80 columns, and no word is split over
    two lines (no hyphenation, no break after a "-" inside a word, so an
    option is never cut in two and can be copied);
  - lexgrog(1), which mandb and whatis use, reads its NAME line;
  - .TH names the file's own page and section and carries the tools'
    version (nothing left of "@VERSION@");
  - it has the sections its kind of page must have (REQUIRED_SECTIONS).
On the page of each tool (the page named after it)
  - every option that the tool's --help prints, short and long, is an item
    of the OPTIONS section, and every item there is an option of --help.
On libeal.7
  - every option of OPTION_LIST is an item of OPTIONS written as the
    --help of eal_init() writes it ("-h, --help", "--name=METAVAR",
    "--name[=METAVAR]", "-x METAVAR"), every item is in the list, each
    item but --help and --version gives its default ("Default:"), and
    exactly the PRIMARY-scope options say "[primary only]".

Before the real check the same checks run on a small page of their own,
with faults on purpose, and must find exactly those.

The whole test is a TAP skip ("1..0 # SKIP", exit 0: meson 1.0.1 counts a
TAP test's exit 77 as an error) when no page was built, or when man or
groff is missing; tools/test.sh installs scdoc and man-db, so that a CI
run never skips it.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_docs_errors import expect_failures, print_tap  # noqa: E402

WIDTH = 80
TOOL_SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
                 "EXAMPLES", "FILES", "SEE ALSO"]
REQUIRED_SECTIONS = {
    "eal-hugepages.1": TOOL_SECTIONS,
    "eal-info.1": TOOL_SECTIONS,
    "libeal.7": ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "MULTI-PROCESS",
                 "RUNTIME FILES", "ENVIRONMENT", "RETURN VALUE", "EXAMPLES",
                 "SEE ALSO"],
}
# Options of the list that have nothing to default.
NO_DEFAULT = {"HELP", "VERSION"}
# Where the OPTIONS items are in a rendered page: the tag at the section's
# indentation, the text below it indented further.
TAG_INDENT, BODY_INDENT = 7, 11
OPTION_TOKEN = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def man_env(width):
    """The environment for man and groff: a fixed width and locale, and
    nothing of the caller's man settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LC_", "MAN", "GROFF"))
           and k not in ("LANG", "LANGUAGE", "PAGER")}
    env["LC_ALL"] = "C.UTF-8"
    env["MANWIDTH"] = str(width)
    # These pages are ours, not untrusted input; man-db's seccomp sandbox
    # fails in some containers and emulators.
    env["MAN_DISABLE_SECCOMP"] = "1"
    return env


def run(argv, env=None):
    p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60,
                       errors="replace")
    return p.returncode, p.stdout, p.stderr


def render(page):
    """(exit status, text, stderr) of `man -l`, formatting removed."""
    rc, out, err = run(["man", "--warnings=w", "-l", "-P", "cat", os.path.abspath(page)],
                       man_env(WIDTH))
    out = re.sub(r".\x08", "", out)
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    return rc, out, err


def first_line(text):
    lines = [x for x in text.strip().splitlines() if x.strip()]
    return lines[0] if lines else ""


def sections(text):
    """{SECTION: [lines]} of a rendered page; headings are unindented
    capitals, the first and last lines are the header and footer."""
    out, cur = {}, None
    for line in text.splitlines()[1:-1]:
        if re.match(r"^[A-Z][A-Z -]*[A-Z]$", line):
            cur = out.setdefault(line, [])
        elif cur is not None:
            cur.append(line)
    return out


def indent(line):
    return len(line) - len(line.lstrip(" "))


def option_items(lines):
    """[(tag, body text)] of a rendered OPTIONS section: a line at
    TAG_INDENT that starts with "-", followed by lines at BODY_INDENT."""
    items, i = [], 0
    while i < len(lines):
        line = lines[i]
        nxt = next((x for x in lines[i + 1:] if x.strip()), "")
        if (indent(line) == TAG_INDENT and line.strip().startswith("-")
                and indent(nxt) == BODY_INDENT):
            body = []
            i += 1
            while i < len(lines) and (not lines[i].strip() or indent(lines[i]) >= BODY_INDENT):
                body.append(lines[i].strip())
                i += 1
            items.append((line.strip(), " ".join(x for x in body if x)))
            continue
        i += 1
    return items


def tag_options(tag):
    """The option names of an item tag: "-p, --pagesize SIZE" -> -p, --pagesize."""
    return [m.group(1) for m in (OPTION_TOKEN.match(part.strip()) for part in tag.split(", "))
            if m]


def help_options(text):
    """The options a --help text prints in its option column (a line that
    starts with "-" after at most 8 spaces; the text column is further in)."""
    found = []
    for line in text.splitlines():
        m = re.match(r"^ {1,8}(-\S.*?)(?: {2,}|$)", line)
        if m:
            found += [o for o in OPTION_TOKEN.findall(m.group(1)) if o not in found]
    return found


def parse_option_list(text):
    """[{id, name, short, arg, scope, metavar}] of eal_option_list.h."""
    pat = re.compile(r'EAL_OPTION\(\s*(\w+),\s*(NULL|"[^"]*"),\s*(\'.\'|0),\s*(\w+),'
                     r'\s*(\w+),\s*(NULL|"[^"]*")')
    unq = lambda s: None if s in ("NULL", "0") else s[1:-1]  # noqa: E731
    return [{"id": m.group(1), "name": unq(m.group(2)), "short": unq(m.group(3)),
             "arg": m.group(4), "scope": m.group(5), "metavar": unq(m.group(6))}
            for m in pat.finditer(text)]


def usage_form(o):
    """The option as the --help of eal_init() writes it."""
    names = []
    if o["short"]:
        names.append("-" + o["short"])
    if o["name"]:
        names.append("--" + o["name"])
    form = ", ".join(names)
    if o["arg"] == "NONE":
        return form
    if not o["name"]:
        return "%s %s" % (form, o["metavar"])
    if o["arg"] == "OPTIONAL":
        return "%s[=%s]" % (form, o["metavar"])
    return "%s=%s" % (form, o["metavar"])


def split_words(text):
    """Rendered lines that end inside a word: hyphenated (U+2010, or "-"
    in ASCII) or broken after a "-" of the word itself ("--dry-" / "run")."""
    return [x.strip() for x in text.splitlines() if re.search(r"(\w-|\u2010)$", x)]


def th_fields(roff):
    """The quoted arguments of the page's .TH line."""
    m = re.search(r"^\.TH (.*)$", roff, re.M)
    return re.findall(r'"([^"]*)"|(\S+)', m.group(1)) if m else []


# ---- the checks ------------------------------------------------------------

def check_render(page, name, version):
    """Rendering, width, breaks, NAME, .TH and sections of one page."""
    out = []
    rc, text, err = render(page)
    out.append((rc == 0 and err.strip() == "",
                "%s: man -l renders it without a warning (exit %d%s)" %
                (name, rc, ", " + first_line(err) if err.strip() else "")))
    rc, _, err = run(["groff", "-man", "-ww", "-z", page], man_env(WIDTH))
    out.append((rc == 0 and err.strip() == "",
                "%s: groff -man -ww finds nothing to warn about%s" %
                (name, " (" + first_line(err) + ")" if err.strip() else "")))
    wide = [x for x in text.splitlines() if len(x) > WIDTH]
    out.append((not wide, "%s: no line wider than %d columns%s" %
                (name, WIDTH, " (%d: %r)" % (len(wide), wide[0].strip()) if wide else "")))
    split = split_words(text)
    out.append((not split, "%s: no word split over two lines%s" %
                (name, " (%r)" % split[0] if split else "")))
    rc, whatis, _ = run(["lexgrog", page], man_env(WIDTH))
    title = name.rsplit(".", 1)[0]
    out.append((rc == 0 and ('"%s - ' % title) in whatis,
                "%s: lexgrog reads its NAME line (%s)" % (name, whatis.strip() or "nothing")))
    with open(page, encoding="utf-8", errors="replace") as fh:
        roff = fh.read()
    th = ["".join(f) for f in th_fields(roff)]
    want = [title, name.rsplit(".", 1)[1]]
    out.append((th[:2] == want, "%s: .TH names %s(%s) (it says %s)" %
                (name, want[0], want[1], " ".join(th[:2]) or "nothing")))
    footer = "libeal %s" % version
    out.append((len(th) > 3 and th[3] == footer and "@VERSION@" not in roff,
                "%s: the footer says \"%s\"" % (name, footer)))
    have = sections(text)
    for s in REQUIRED_SECTIONS.get(name, []):
        out.append((s in have, "%s: has the section %s" % (name, s)))
    return out, have


def check_tool_options(name, have, help_text):
    """Every option of --help is an item of OPTIONS, and the reverse."""
    out = []
    wanted = help_options(help_text)
    out.append((len(wanted) >= 3, "%s: found %d options in --help" % (name, len(wanted))))
    items = option_items(have.get("OPTIONS", []))
    documented = [o for tag, _ in items for o in tag_options(tag)]
    for o in wanted:
        out.append((o in documented, "%s: OPTIONS has an item for %s" % (name, o)))
    for o in documented:
        if o not in wanted:
            out.append((False, "%s: OPTIONS item %s is an option of --help" % (name, o)))
    return out


def check_library_options(name, have, opts):
    """OPTIONS of libeal.7 against the option list."""
    out = [(len(opts) >= 10, "%s: found %d options in the option list" % (name, len(opts)))]
    items = dict(option_items(have.get("OPTIONS", [])))
    forms = {usage_form(o): o for o in opts}
    for form, o in forms.items():
        body = items.get(form)
        out.append((body is not None, "%s: OPTIONS has an item \"%s\"" % (name, form)))
        if body is None:
            continue
        if o["id"] not in NO_DEFAULT:
            out.append(("Default:" in body, "%s: %s gives its default" % (name, form)))
        primary = "[primary only]" in body
        out.append((primary == (o["scope"] == "PRIMARY"), "%s: %s %s \"[primary only]\"" %
                    (name, form, "says" if o["scope"] == "PRIMARY" else "does not say")))
    for tag in items:
        if tag not in forms:
            out.append((False, "%s: OPTIONS item \"%s\" is an option of the list" % (name, tag)))
    return out


def check_pages(pages, tools, opts, version):
    """Every check, for {page name: path}, {tool name: --help text}."""
    out = []
    for name in sorted(REQUIRED_SECTIONS):
        if name not in pages:
            out.append((False, "%s was built and given" % name))
    for name, page in sorted(pages.items()):
        res, have = check_render(page, name, version)
        out += res
        title = name.rsplit(".", 1)[0]
        if title in tools:
            out += check_tool_options(name, have, tools[title])
        elif name == "libeal.7":
            out += check_library_options(name, have, opts)
    return out


# ---- self-test -------------------------------------------------------------

SELF_PAGE = r"""
.TH "eal-demo" "1" "2024-01-01" "libeal 9.9.9" "libeal manual"
.nh
.ad l
.SH NAME
eal\-demo \- a page to test the test
.SH OPTIONS
.P
\fB\-g\fR, \fB\-\-good\fR
.RS 4
Documented.
.RE
.P
\fB\-\-extra\fR
.RS 4
Documented, but not an option of --help.
.RE
.XX this macro does not exist
.SH EXAMPLES
.nf
.RS 4
a literal line that is far too long for a terminal of eighty columns, on purpose
.fi
.RE
"""[1:]

SELF_HELP = """Usage: eal-demo [OPTIONS]

  -g, --good     an option
      --gone     an option the page does not document, whose text goes
                 --on and on (not an option: a line of the text)
"""

SELF_LIST = r"""
EAL_OPTION(MEMORY, NULL, 'm', REQUIRED, PRIMARY, "SIZE", "memory")
EAL_OPTION(HUGE_UNLINK, "huge-unlink", 0, OPTIONAL, PRIMARY, "existing|always", "x")
EAL_OPTION(NO_SHCONF, "no-shconf", 0, NONE, ANY, NULL, "no files")
EAL_OPTION(HELP, "help", 'h', NONE, ANY, NULL, "help")
"""

SELF_LIB_PAGE = r"""
.TH "libeal" "7" "2024-01-01" "libeal 9.9.9" "libeal manual"
.SH OPTIONS
.P
\fB\-m\fR \fISIZE\fR
.RS 4
Memory. Default: 0. [primary only]
.RE
.P
\fB\-\-huge\-unlink\fR[=\fIexisting\fR|\fIalways\fR]
.RS 4
When to unlink. [primary only]
.RE
.P
\fB\-\-no\-shconf\fR
.RS 4
No files. Default: off. [primary only]
.RE
.P
\fB\-\-gone\fR=\fIX\fR
.RS 4
Not an option. Default: none.
.RE
"""[1:]


def self_page(tmp, name, roff):
    page = os.path.join(tmp, name)
    with open(page, "w", encoding="utf-8") as fh:
        fh.write(roff)
    return page


def self_test():
    opts = parse_option_list(SELF_LIST)
    out = [([usage_form(o) for o in opts] == ["-m SIZE", "--huge-unlink[=existing|always]",
                                             "--no-shconf", "-h, --help"],
            "self-test: the option list gives the usage forms of --help")]
    out.append((help_options(SELF_HELP) == ["-g", "--good", "--gone"],
                "self-test: the options of a --help text are found"))
    out.append((split_words("       a --dry-\n       run and a hy\u2010\n       phen\n       a - b")
                == ["a --dry-", "run and a hy\u2010"], "self-test: words split over two lines are found"))
    saved = dict(REQUIRED_SECTIONS)
    REQUIRED_SECTIONS.clear()
    REQUIRED_SECTIONS["eal-demo.1"] = ["NAME", "OPTIONS", "EXIT STATUS"]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            res = check_pages({"eal-demo.1": self_page(tmp, "eal-demo.1", SELF_PAGE)},
                              {"eal-demo": SELF_HELP}, [], "9.9.9")
            _, text, _ = render(self_page(tmp, "libeal.7", SELF_LIB_PAGE))
            res += check_library_options("libeal.7", sections(text), opts)
    finally:
        REQUIRED_SECTIONS.clear()
        REQUIRED_SECTIONS.update(saved)
    failed = sorted(d for ok, d in res if not ok)
    out += expect_failures(failed, [
        ("eal-demo.1: man -l renders it without a warning",
         "self-test: a groff warning in man -l fails"),
        ("eal-demo.1: groff -man -ww finds nothing",
         "self-test: a groff warning in groff -ww fails"),
        ("eal-demo.1: no line wider than", "self-test: a line wider than 80 columns fails"),
        ("eal-demo.1: has the section EXIT STATUS", "self-test: a missing section fails"),
        ("OPTIONS has an item for --gone",
         "self-test: an option of --help missing from the page fails"),
        ("OPTIONS item --extra is an option",
         "self-test: an item that --help does not print fails"),
        ('OPTIONS has an item "-h, --help"',
         "self-test: an option of the list missing from libeal.7 fails"),
        ('OPTIONS item "--gone=X" is an option of the list',
         "self-test: an item of libeal.7 that is not in the list fails"),
        ("--huge-unlink[=existing|always] gives its default",
         "self-test: an item of libeal.7 without its default fails"),
        ('--no-shconf does not say "[primary only]"',
         "self-test: \"[primary only]\" on an option any process may give fails"),
        ("found 4 options in the option list",
         "self-test: an option list of fewer than 10 options fails"),
    ])
    out.append((len(failed) == 11, "self-test: nothing else fails (got %r)" % failed))
    return out


def skip(reason):
    print("# SKIP: %s" % reason)
    print("1..0 # SKIP %s" % reason)
    return 0


def main(argv):
    if len(argv) < 4:
        print("usage: %s EAL_HUGEPAGES EAL_INFO OPTION_LIST [PAGE...]" % argv[0], file=sys.stderr)
        return 2
    tools = [os.path.abspath(t) for t in argv[1:3]]
    option_list, pages = argv[3], argv[4:]
    if not pages:
        return skip("the man pages were not built: %s" %
                    ("scdoc not found (apt-get install scdoc)" if shutil.which("scdoc") is None
                     else "configured with -Dman=disabled"))
    for prog, pkg in (("man", "man-db"), ("groff", "groff-base"), ("lexgrog", "man-db")):
        if shutil.which(prog) is None:
            return skip("%s not found (apt-get install %s)" % (prog, pkg))

    results = self_test()
    helps = {}
    version = None
    for tool in tools:
        rc, text, err = run([tool, "--help"])
        results.append((rc == 0 and text.strip() != "",
                        "%s --help exits 0 and prints the usage (exit %d%s)" %
                        (os.path.basename(tool), rc, ", " + first_line(err) if err else "")))
        helps[os.path.basename(tool)] = text
        if version is None:
            rc, text, _ = run([tool, "--version"])
            m = re.search(r"\(libeal\) (\S+)", text)
            version = m.group(1) if m else None
    # (eal-info has no --version: the version is eal-hugepages'.)
    results.append((version is not None, "eal-hugepages --version names the libeal version"))
    with open(option_list, encoding="utf-8") as fh:
        opts = parse_option_list(fh.read())
    by_name = {os.path.basename(p): p for p in pages}
    results += check_pages(by_name, helps, opts, version)
    bad = print_tap(results)
    print("# %d pages, %d checks failed" % (len(by_name), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
