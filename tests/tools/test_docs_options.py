#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""docs/options.md against the option parser. Printed as TAP.

    test_docs_options.py SOURCE_ROOT

What is checked
  - Every option of src/eal_option_list.h has a row in the table under
    "## Options" of docs/options.md whose first cell is the option written
    as --help writes it: "-x, --name", "--name=METAVAR" (a required value),
    "--name[=METAVAR]" (an optional one), "-x METAVAR" (short only). So the
    row shows the argument form, and a changed metavar or argument kind
    fails until the doc follows.
  - Every row of that table names an option of the list (nothing removed
    or misspelt stays documented).
  - The default: for each option whose default can be read from the code,
    the "default" cell contains it. Defaults come from params_given() in
    src/eal_options.c (the field each option sets and the value that means
    "not given"), resolved through the keyword tables (EAL_PROC_AUTO ->
    auto), the #defines of src/ (EAL_DEFAULT_ATTACH_TIMEOUT_MS -> 10000),
    and a few named constants (DEFAULT_SOURCES below); flags default to
    "off". The "(default ...)" of the option's --help line must agree with
    the code too.
  - The `struct eal_params` cell names the field that params_given() reads,
    and that field exists in include/eal/eal.h.
  - Limits the value cells state: FACTS below (e.g. attach-timeout's
    maximum, the prefix length), each computed from a #define.
  - The sentence that lists the options only a primary may set names
    exactly the PRIMARY-scope options of the list.

Before the real check the script runs the same checks on a small option
list and document in memory, one of which is wrong on purpose, and checks
that exactly that one fails.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_docs_errors import (Source, _cells, expect_failures, print_tap,  # noqa: E402
                              split_args)

# Options whose "not given" value (NULL or 0) means a default kept
# elsewhere: option id -> how to compute the default text(s).
DEFAULT_SOURCES = {
    "FILE_PREFIX": ("macro_str", "EAL_DEFAULT_PREFIX"),
    "BASE_VIRTADDR": ("macro_hex", "EAL_DEFAULT_BASE_VIRTADDR"),
    "RUNTIME_DIR": ("runtime_bases", "eal__runtime_base"),
}

# (option id, column, text with {MACRO} replaced by the macro's value,
# optionally minus 1 with {MACRO-1}; {MACRO/MiB} in MiB).
FACTS = [
    ("ATTACH_TIMEOUT", "value", "1–{ATTACH_TIMEOUT_MAX_MS}"),
    ("FILE_PREFIX", "value", "1–{EAL_PREFIX_MAX-1}"),
    ("LOG_LEVEL", "differences from DPDK 22.11", "up to {EAL_MAX_LOG_LEVEL_ARGS}"),
    ("BASE_VIRTADDR", "differences from DPDK 22.11", "{EAL_BASE_VIRTADDR_ALIGN/MiB} MiB"),
    ("MEMORY", "default", "{EAL_NO_HUGE_DEFAULT_MEMORY/MiB} MiB with `--no-huge`"),
]


def parse_option_list(src):
    """[{id, name, short, arg, scope, metavar, help}] of eal_option_list.h."""
    opts, toks = [], src.toks
    for i, t in enumerate(toks):
        if t.val != "EAL_OPTION" or i + 1 >= len(toks) or toks[i + 1].val != "(":
            continue
        args, _ = split_args(toks, i + 1)
        if len(args) != 7:
            raise ValueError("line %d: EAL_OPTION with %d arguments" % (t.line, len(args)))

        def text(a):
            return None if a[0].val == "NULL" else "".join(x.val for x in a if x.kind == "str")
        short = args[2][0].val
        opts.append({"id": args[0][0].val, "name": text(args[1]),
                     "short": short[1] if short.startswith("'") else None,
                     "arg": args[3][0].val, "scope": args[4][0].val,
                     "metavar": text(args[5]), "help": text(args[6]), "line": t.line})
    return opts


def usage_form(o):
    """The option as --help writes it (eal__options_usage)."""
    s = ""
    if o["short"]:
        s += "-" + o["short"] + (", " if o["name"] else "")
    if o["name"]:
        s += "--" + o["name"]
    if o["arg"] == "OPTIONAL":
        s += "[=%s]" % o["metavar"]
    elif o["arg"] == "REQUIRED":
        s += ("=" if o["name"] else " ") + o["metavar"]
    return s


def macros(sources):
    """#define NAME value of every source, the last definition winning
    (EAL_DEFAULT_BASE_VIRTADDR: the build without sanitizers)."""
    out = {}
    for src in sources:
        for d in src.directives:
            if len(d) >= 3 and d[0].val == "define" and d[1].kind == "ident" and (
                    d[2].val != "(" or d[2].space):
                out[d[1].val] = d[2:]
    return out


def macro_value(defs, name):
    """A #define as a Python int or str, or None."""
    body = defs.get(name)
    if body is None:
        return None
    if all(t.kind == "str" for t in body):
        return "".join(t.val for t in body)
    expr = " ".join(re.sub(r"^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$", r"\1", t.val) for t in body)
    if not re.fullmatch(r"[0-9a-fA-FxX ()<>*+-]*", expr):
        return None
    try:
        return int(eval(expr, {"__builtins__": {}}))  # digits and operators only
    except (SyntaxError, TypeError, ValueError):
        return None


def function_body(src, name):
    for fname, _, a, b in src.functions():
        if fname == name:
            return src.toks[a:b + 1]
    return None


def params_given(src):
    """option id -> (field, default token or None for a flag)."""
    body = function_body(src, "params_given")
    if body is None:
        raise ValueError("no params_given() in %s" % src.rel)
    out = {}
    for i in range(len(body) - 3):
        if (body[i].val == "[" and body[i + 1].val.startswith("EAL_OPT_") and
                body[i + 2].val == "]" and body[i + 3].val == "="):
            expr, depth = [], 0
            for t in body[i + 4:]:
                if t.val in "([{":
                    depth += 1
                elif t.val in ")]}":
                    if depth == 0:
                        break
                    depth -= 1
                elif t.val == "," and depth == 0:
                    break
                expr.append(t)
            field, default = None, None
            for k, t in enumerate(expr):
                if t.val == "->" and k + 1 < len(expr):
                    field = expr[k + 1].val
                    if k + 3 < len(expr) and expr[k + 2].val == "!=":
                        default = expr[k + 3].val
            out[body[i + 1].val[len("EAL_OPT_"):]] = (field, default)
    return out


def keyword_words(src):
    """ENUM_CONSTANT -> keyword, from the { "word", CONSTANT } tables."""
    out, toks = {}, src.toks
    for i in range(len(toks) - 4):
        if (toks[i].val == "{" and toks[i + 1].kind == "str" and toks[i + 2].val == "," and
                toks[i + 3].kind == "ident" and toks[i + 4].val == "}"):
            out.setdefault(toks[i + 3].val, toks[i + 1].val)
    return out


def runtime_bases(src, fn):
    """The default runtime bases written by @fn: "$ENV/eal" for each
    getenv() it reads, and its absolute literals ("%u" as <uid>)."""
    body = function_body(src, fn) or []
    out = []
    for i, t in enumerate(body):
        if t.val == "getenv" and body[i + 2].kind == "str":
            out.append("$%s/eal" % body[i + 2].val)
        elif t.kind == "str" and t.val.startswith("/"):
            out.append(t.val.replace("%u", "<uid>"))
    return out


def code_default(o, given, words, defs, sources_by_name):
    """The texts the default cell must contain, or None when the code does
    not say it in a form we can check."""
    oid = o["id"]
    if oid in DEFAULT_SOURCES:
        kind, name = DEFAULT_SOURCES[oid]
        if kind == "macro_str":
            return [macro_value(defs, name)]
        if kind == "macro_hex":
            return ["0x%x" % macro_value(defs, name)]
        return runtime_bases(sources_by_name["eal_runtime_dir.c"], name)
    if oid not in given:
        return None
    field, default = given[oid]
    if default is None:
        return ["off"]
    if default in words:
        return [words[default]]
    v = macro_value(defs, default)
    if isinstance(v, int):
        return [str(v)]
    if default == "0" and oid == "MEMORY":
        return ["0"]
    return None


def help_default(o):
    m = re.search(r"\(default:? ([^)]*)\)", o["help"] or "")
    return m.group(1) if m else None


def options_table(markdown):
    """Rows of the table under "## Options": [(line, {column: cell})]."""
    lines = markdown.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == "## Options")
    except StopIteration:
        return None
    rows, header = [], None
    for n in range(start + 1, len(lines)):
        line = lines[n]
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if header is not None:
                break
            continue
        cells = _cells(line)
        if header is None:
            header = [c.lower() for c in cells]
        elif not re.match(r"^:?-+:?$", cells[0]):
            rows.append((n + 1, dict(zip(header, cells))))
    return rows


def conflict_pairs(src):
    """(id a, id b) of each entry of conflicts[] in eal_options.c."""
    toks, pairs = src.toks, []
    for i, t in enumerate(toks):
        if t.val == "conflicts" and toks[i + 1].val == "[":
            j = i
            while toks[j].val != "{":
                j += 1
            for entry in split_args(toks, j)[0]:
                ids = [x.val[len("EAL_OPT_"):] for x in entry if x.val.startswith("EAL_OPT_")]
                if len(ids) >= 2:
                    pairs.append((ids[0], ids[1]))
            break
    return pairs


def section_rows(markdown, heading):
    """First cells of the rows of the first table under @heading."""
    m = re.search(r"^%s\n(.*?)(?=^## |\Z)" % re.escape(heading), markdown, re.S | re.M)
    if m is None:
        return []
    lines = [l for l in m.group(1).splitlines() if l.startswith("|")]
    return [_cells(l)[0] for l in lines[2:]]


def check_conflicts(opts, options_src, markdown):
    """Every refused pair of conflicts[] has a row under "## Combinations
    that are refused", and every row of two options is such a pair."""
    out = []
    name = {o["id"]: "--" + o["name"] if o["name"] else "-" + o["short"] for o in opts}
    rows = []
    for cell in section_rows(markdown, "## Combinations that are refused"):
        spans = [x.replace("\\|", "|") for x in re.findall(r"`([^`]+)`", cell)]
        ids = [oid for oid, n in name.items() if any(x == n or x.startswith(n + "=")
                                                      for x in spans)]
        rows.append((cell, frozenset(ids)))
    pairs = conflict_pairs(options_src)
    for a, b in pairs:
        ok = any(ids == frozenset((a, b)) for _, ids in rows)
        out.append((ok, "the refused combination %s + %s has a row in \"Combinations that "
                    "are refused\"" % (name.get(a, a), name.get(b, b))))
    for cell, ids in rows:
        if len(ids) == 2 and "primary-only" not in cell:
            ok = any(ids == frozenset(p) for p in pairs)
            out.append((ok, "combination row %s is refused by conflicts[] in "
                        "src/eal_options.c" % cell))
    return out


def span_text(cell):
    """The code span that a cell starts with, '\\|' read as '|'."""
    m = re.match(r"^(`+)(?!`)(.+?)(?<!`)\1", cell)
    return m.group(2).replace("\\|", "|").strip() if m else None


def struct_fields(header_text):
    m = re.search(r"struct eal_params \{(.*?)\n\};", header_text, re.S)
    if m is None:
        return set()
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return set(re.findall(r"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*;", body))


def fact_text(text, defs):
    def sub(m):
        name, op = m.group(1), m.group(2)
        v = macro_value(defs, name)
        if not isinstance(v, int):
            return "{%s: no such numeric #define}" % name
        if op == "-1":
            v -= 1
        elif op == "/MiB":
            v >>= 20
        return str(v)
    return re.sub(r"\{(\w+)(-1|/MiB)?\}", sub, text)


def check(opts, options_src, runtime_src, defs, header_text, markdown):
    """[(ok, description)]."""
    out = []
    rows = options_table(markdown)
    if not rows:
        return [(False, "docs/options.md has no table under \"## Options\"")]
    by_form = {}
    for n, cells in rows:
        form = span_text(cells.get("option", ""))
        by_form.setdefault(form, (n, cells))
    given = params_given(options_src)
    words = keyword_words(options_src)
    fields = struct_fields(header_text)
    srcs = {"eal_runtime_dir.c": runtime_src}
    known = set()
    for o in opts:
        form = usage_form(o)
        known.add(form)
        row = by_form.get(form)
        label = "%s (src/eal_option_list.h:%d)" % (form, o["line"])
        out.append((row is not None, "%s has a row in docs/options.md%s" %
                    (label, "" if row else ": add one whose first cell is `%s`" %
                     form.replace("|", "\\|"))))
        if row is None:
            continue
        n, cells = row
        want = code_default(o, given, words, defs, srcs)
        if want is not None:
            cell = cells.get("default", "")
            missing = [w for w in want if w not in cell]
            out.append((not missing, "%s: the default cell (docs/options.md:%d) says %s%s" %
                        (form, n, " and ".join(want),
                         "" if not missing else "; it reads \"%s\"" % cell)))
            hd = help_default(o)
            if hd is not None:
                # One default: --help must state it. Several (the runtime
                # bases): each that --help names must be one of the code's.
                named = re.findall(r"\$?[\w/<>-]*/[\w<>-]+", hd)
                ok = (all(w in hd for w in want) if len(want) == 1
                      else bool(named) and all(x in want for x in named))
                out.append((ok, "%s: --help's \"(default %s)\" agrees with the code (%s)" %
                            (form, hd, " and ".join(want))))
        field = given.get(o["id"], (None, None))[0]
        if field is not None:
            cell = cells.get("`struct eal_params`", cells.get("struct eal_params", ""))
            ok = ("`%s`" % field) in cell and field in fields
            out.append((ok, "%s: the struct cell names `%s`, a field of struct eal_params%s" %
                        (form, field, "" if ok else "; it reads \"%s\"" % cell)))
    for n, cells in rows:
        form = span_text(cells.get("option", ""))
        out.append((form in known, "docs/options.md:%d: row `%s` is an option of "
                    "src/eal_option_list.h" % (n, form)))
    for oid, column, text in FACTS:
        o = next((x for x in opts if x["id"] == oid), None)
        row = by_form.get(usage_form(o)) if o else None
        want = fact_text(text, defs)
        ok = row is not None and want in row[1].get(column.lower(), "")
        out.append((ok, "%s: the %s cell says \"%s\"" % (oid, column, want)))
    primary = sorted("`%s`" % ("--" + o["name"] if o["name"] else "-" + o["short"])
                     for o in opts if o["scope"] == "PRIMARY")
    m = re.search(r"Options only a primary may set[^:]*:(.*?)\.\n\n", markdown, re.S)
    listed = sorted(re.findall(r"`[^`]+`", m.group(1))) if m else []
    out.append((listed == primary, "the primary-only list names exactly %s (it names %s)" %
                (", ".join(primary), ", ".join(listed) or "nothing")))
    return out


# ---- self-test ---------------------------------------------------------

SELF_LIST = r'''
EAL_OPTION(PROC_TYPE, "proc-type", 0, REQUIRED, ANY, "primary|secondary",
	"process role (default auto)")
EAL_OPTION(MEMORY, NULL, 'm', REQUIRED, PRIMARY, "SIZE", "memory")
EAL_OPTION(NO_HUGE, "no-huge", 0, NONE, PRIMARY, NULL, "4 KiB pages")
EAL_OPTION(TIMEOUT, "attach-timeout", 0, REQUIRED, ANY, "MS", "wait (default 10000)")
EAL_OPTION(UNLINK, "huge-unlink", 0, OPTIONAL, PRIMARY, "existing|always", "unlink")
'''

SELF_OPTIONS_C = r'''
#define EAL_DEFAULT_TIMEOUT 10000u
static const struct keyword words[] = { { "auto", EAL_PROC_AUTO }, { NULL, 0 } };
static uint64_t
params_given(const struct eal_params *p)
{
	const bool set[EAL_OPT_COUNT] = {
		[EAL_OPT_PROC_TYPE] = p->proc_type != EAL_PROC_AUTO,
		[EAL_OPT_MEMORY] = p->memory != 0,
		[EAL_OPT_NO_HUGE] = p->no_huge,
		[EAL_OPT_TIMEOUT] = p->attach_timeout_ms != EAL_DEFAULT_TIMEOUT,
		[EAL_OPT_UNLINK] = p->huge_unlink != EAL_HUGE_UNLINK_EXISTING,
	};
}
static const struct conflict conflicts[] = {
	{ EAL_OPT_MEMORY, EAL_OPT_NO_HUGE, NULL, "a" },
	{ EAL_OPT_NO_HUGE, EAL_OPT_UNLINK, unlink_set, "b" },
};
'''

SELF_HEADER = r'''
struct eal_params {
	enum eal_proc_type proc_type;
	uint64_t memory;
	bool no_huge;
	unsigned int attach_timeout_ms;
	enum eal_huge_unlink huge_unlink;
};
'''

SELF_DOC = r'''
## Options

| option | value | default | `struct eal_params` |
|---|---|---|---|
| `--proc-type=primary\|secondary` | a | `auto` | `proc_type` |
| `-m SIZE` | a | 0 | `memory` |
| `--no-huge` | – | off | `no_huge` |
| `--attach-timeout=MS` | a | 1000 | `attach_timeout_ms` |
| `--huge-unlink[=existing\|always]` | a | `existing` | `huge_unlink` |
| `--gone` | a | b | c |

Options only a primary may set: `-m`, `--no-huge`, `--huge-unlink`.

## Combinations that are refused

| options | refused when |
|---|---|
| `--no-huge` + `--huge-unlink=always` | a |
| `--proc-type=secondary` + `-m` | not in conflicts[] |
'''


def self_test():
    saved = list(FACTS)
    FACTS[:] = []
    try:
        lst = Source("src/eal_option_list.h", SELF_LIST)
        opt_c = Source("src/eal_options.c", SELF_OPTIONS_C)
        rt = Source("src/eal_runtime_dir.c", "")
        opts = parse_option_list(lst)
        res = check(opts, opt_c, rt, macros([opt_c]), SELF_HEADER, SELF_DOC)
        res += check_conflicts(opts, opt_c, SELF_DOC)
    finally:
        FACTS[:] = saved
    failed = sorted(d for ok, d in res if not ok)
    out = [(len(res) == 27, "self-test: 27 checks on the example (got %d)" % len(res))]
    out += expect_failures(failed, [
        ("--attach-timeout=MS: the default cell (docs/options.md:9) says 10000",
         "self-test: a default that differs from the code fails"),
        ("row `--gone` is an option", "self-test: a documented option that does not exist fails"),
        ("-m + --no-huge has a row", "self-test: a refused combination missing from the doc fails"),
        ("row `--proc-type=secondary` + `-m` is refused",
         "self-test: a documented combination that the code allows fails"),
    ])
    out.append((len(failed) == 4, "self-test: nothing else fails (got %r)" % failed))
    return out


def main(argv):
    if len(argv) != 2:
        print("usage: %s SOURCE_ROOT" % argv[0], file=sys.stderr)
        return 2
    root = argv[1]

    def src(rel):
        with open(os.path.join(root, rel), encoding="utf-8") as fh:
            return Source(rel, fh.read())
    results = self_test()
    lst = src("src/eal_option_list.h")
    opt_c = src("src/eal_options.c")
    rt = src("src/eal_runtime_dir.c")
    defs = macros([src("src/eal_internal_cfg.h"), opt_c])
    with open(os.path.join(root, "include/eal/eal.h"), encoding="utf-8") as fh:
        header = fh.read()
    with open(os.path.join(root, "docs/options.md"), encoding="utf-8") as fh:
        doc = fh.read()
    opts = parse_option_list(lst)
    results.append((len(opts) >= 10, "found %d options in src/eal_option_list.h" % len(opts)))
    results += check(opts, opt_c, rt, defs, header, doc)
    n_pairs = len(conflict_pairs(opt_c))
    results.append((n_pairs >= 5, "found %d refused combinations in conflicts[] of "
                    "src/eal_options.c" % n_pairs))
    results += check_conflicts(opts, opt_c, doc)
    bad = print_tap(results)
    print("# %d options, %d checks failed" % (len(opts), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
