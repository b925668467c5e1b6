#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every message libeal can print at NOTICE or above is in
docs/troubleshooting.md, and every message row there is still in src/.
Printed as TAP.

    test_docs_errors.py SOURCE_ROOT       the check (meson test docs_errors)
    test_docs_errors.py --list SOURCE_ROOT
                                          the messages found, one a line

What counts as a message
  - The format of every EAL_LOG(LEVEL, fmt, ...) and eal__log(EAL_LOG_LEVEL,
    comp, fmt, ...) in src/**/*.c and src/**/*.h, at NOTICE or above (the
    default sink prints WARNING and above; NOTICE says why hugepages were
    not used, which is what people look for). Adjacent string literals are
    joined, inttypes.h macros (PRIu64...) and #defined string constants are
    expanded, and each branch of a ?: between formats is its own message.
  - Function-like macros whose body calls EAL_LOG with a format built from
    one of their parameters: each call of such a macro is a message.
  - Functions marked EAL_FORMAT(n, m) in src/ that build (part of) a line
    that is logged: each call is a message, with the text the function
    adds around it (FORMAT_FUNCTIONS below). Every EAL_FORMAT function must
    be listed there, so that a new one is classified, not missed.
  - snprintf() into a buffer named why..., and the string tables in
    REASON_SOURCES: reasons that a message prints with %s.

The matching rule
  A message's conversions (%s, %u, %" PRIu64 ", %.*s...) are placeholders;
  the text between them is fixed. troubleshooting.md writes each message
  as an inline code span, placeholders as <name>. A code span documents the
  message when the whole span, with runs of white space made one space and
  "\\|" (a '|' inside a table) read as '|', equals the fixed fragments in
  order with anything (usually "<name>") where the placeholders are. The
  span must match from its first character to its last: a message is not
  documented by a longer or shorter text.

  Backwards: in every table whose header starts with "message" or
  "reason", the first cell of each row is one code span that must match a
  message of src/ (a row for a message that was removed or reworded
  fails), and a second cell naming a level (err, warning, notice, crit)
  must be the level src/ logs it at ("-" for a reason, printed inside
  another line). Other tables (the "symptom" one) are free text.

  Limits: a message that is mostly placeholders ("<option>: expected
  <keywords>") also matches longer texts; reasons built at run time other
  than through the patterns above are not seen.

A message with no letters in its fixed text (such as "%s: %s") says nothing
by itself; it is skipped when it is the EAL_LOG inside a listed format
function (whose callers are the messages) and fails otherwise.

Before the real check, the script runs its extractor and matcher on a small
example in memory (SELF_TEST_*) and checks what they find, including a
missing message: so a broken extractor cannot pass by finding nothing.
"""

import os
import re
import sys

# Levels that must be documented (DPDK's numbering: smaller is worse).
LEVELS = {"EMERG": 1, "ALERT": 2, "CRIT": 3, "ERR": 4, "WARNING": 5, "NOTICE": 6,
          "INFO": 7, "DEBUG": 8}
MAX_LEVEL = LEVELS["NOTICE"]

# Functions with EAL_FORMAT(n, m): (file name, function) -> the text the
# user sees around the formatted part ("{}"), or None when what the
# function formats is not a message. The level is that of the line that
# prints it.
FORMAT_FUNCTIONS = {
    # "<option>=<value>: <why>", logged at ERR (eal_options.c)
    ("eal_options.c", "refuse"): ("ERR", "%s: {}"),
    # why a hugepage_info file is refused; logged inside an ERR line
    ("eal_hugepage_info.c", "refuse"): ("ERR", "{}"),
    # a path under the sysfs/procfs root: not a message
    ("eal_hugepage_info.c", "root_path"): None,
    # which heap invariant is broken; logged inside an ERR line
    ("eal_malloc_elem.c", "bad"): ("ERR", "{}"),
}

# String tables whose strings a message prints with %s: (file name, name of
# a function or of an initialised variable, level). Each string literal in
# the function's body or the variable's initialiser is a reason.
REASON_SOURCES = [
    ("eal_options.c", "prefix_problem", "ERR"),
    ("eal_options.c", "conflicts", "ERR"),
]

# Variables and parameters that hold a reason a message prints with %s:
# what is assigned to them, passed for them or snprintf'd into them is
# checked too, at the level of the line that prints it.
WHY_RE = re.compile(r"^(?:ret_)?why$")

PRI_RE = re.compile(r"^(?:PRI|SCN)([diouxX])(?:8|16|32|64|MAX|PTR|LEAST\d+|FAST\d+)$")
CONV_RE = re.compile(r"%(?:%|[-+ #0']*(?:\*|\d+)?(?:\.(?:\*|\d+)?)?"
                     r"(?:hh|h|ll|l|j|z|t|L|q)?[diouxXeEfgGaAcspnm])")


class Tok:
    """A C token; space: white space or a comment comes before it (tells
    "#define F(x)" from "#define C (x)")."""
    __slots__ = ("kind", "val", "line", "space")

    def __init__(self, kind, val, line, space=False):
        self.kind, self.val, self.line, self.space = kind, val, line, space

    def __repr__(self):
        return "%s:%r@%d" % (self.kind, self.val, self.line)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b",
            "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def _unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n == "x":
                m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
                out.append(chr(int(m.group(0), 16)))
                i += 2 + len(m.group(0))
                continue
            if n in "01234567":
                m = re.match(r"[0-7]{1,3}", body[i + 1:])
                out.append(chr(int(m.group(0), 8)))
                i += 1 + len(m.group(0))
                continue
            out.append(_ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_TOKEN_RE = re.compile(r"""
    (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<nl>\n)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<str>(?:u8|u|U|L)?"(?:[^"\\\n]|\\.)*")
  | (?P<chr>'(?:[^'\\\n]|\\.)*')
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[A-Za-z_0-9.])*)
  | (?P<punct>\#\#|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\.\.\.|.)
""", re.S | re.X)


def tokenize(text):
    """C tokens of @text without comments, and the preprocessor directives
    as separate token lists: (tokens, directives)."""
    toks, directives = [], []
    line, pos, at_line_start, space = 1, 0, True, False
    directive = None
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        kind = m.lastgroup
        s = m.group(0)
        pos = m.end()
        if kind == "nl":
            line += 1
            at_line_start = True
            if directive is not None:
                directives.append(directive)
                directive = None
            continue
        if kind in ("ws", "comment"):
            line += s.count("\n")
            space = True
            continue
        if kind == "punct" and s == "#" and at_line_start:
            directive = []
            at_line_start = False
            continue
        at_line_start = False
        if kind == "str":
            tok = Tok("str", _unescape(s[s.index('"') + 1:-1]), line, space)
        else:
            tok = Tok(kind, s, line, space)
        space = False
        (directive if directive is not None else toks).append(tok)
    if directive is not None:
        directives.append(directive)
    return toks, directives


def split_args(toks, open_idx):
    """Arguments of the call whose '(' is toks[open_idx]: (list of token
    lists, index of the matching ')')."""
    depth, args, cur = 0, [], []
    for i in range(open_idx, len(toks)):
        t = toks[i]
        if t.kind == "punct" and t.val in "([{":
            depth += 1
            if depth == 1:
                continue
        elif t.kind == "punct" and t.val in ")]}":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, i
        elif t.kind == "punct" and t.val == "," and depth == 1:
            args.append(cur)
            cur = []
            continue
        cur.append(t)
    raise ValueError("unbalanced parentheses from line %d" % toks[open_idx].line)


def _top_level(toks):
    """(index, token) of the tokens outside any bracket."""
    depth = 0
    for i, t in enumerate(toks):
        if t.kind == "punct" and t.val in "([{":
            depth += 1
        elif t.kind == "punct" and t.val in ")]}":
            depth -= 1
        elif depth == 0:
            yield i, t


def _split_ternary(arg):
    """'c ? a : b' -> [a, b] (nested ones split too), or [arg]."""
    q = next((i for i, t in _top_level(arg) if t.kind == "punct" and t.val == "?"), None)
    if q is None:
        return [arg]
    rest, nested = arg[q + 1:], 0
    # the ':' that closes this '?', past any ?: nested in the middle part
    for i, t in _top_level(rest):
        if t.kind == "punct" and t.val == "?":
            nested += 1
        elif t.kind == "punct" and t.val == ":":
            if nested == 0:
                return _split_ternary(rest[:i]) + _split_ternary(rest[i + 1:])
            nested -= 1
    return [arg]


def format_strings(arg, str_macros, params=None):
    """The format strings an argument can be: a list of strings, each made
    of literals, PRI macros and string macros (and, with @params, one
    parameter name written as "\\0name\\0"); None when the argument is not
    a constant format."""
    out = []
    for alt in _split_ternary(arg):
        while (len(alt) >= 2 and alt[0].kind == "punct" and alt[0].val == "(" and
               alt[-1].kind == "punct" and alt[-1].val == ")"):
            alt = alt[1:-1]
        if not alt:
            return None
        s = []
        for t in alt:
            if t.kind == "str":
                s.append(t.val)
            elif t.kind == "ident" and PRI_RE.match(t.val):
                s.append("l" + PRI_RE.match(t.val).group(1))
            elif t.kind == "ident" and t.val in str_macros:
                s.append(str_macros[t.val])
            elif t.kind == "ident" and params is not None and t.val in params:
                s.append("\0" + t.val + "\0")
            else:
                return None
        out.append("".join(s))
    return out


def fragments(fmt):
    """Fixed text of a format, split at its placeholders."""
    frags, cur, pos = [], [], 0
    for m in CONV_RE.finditer(fmt):
        cur.append(fmt[pos:m.start()])
        pos = m.end()
        if m.group(0) == "%%":
            cur.append("%")
            continue
        frags.append("".join(cur))
        cur = []
    cur.append(fmt[pos:])
    frags.append("".join(cur))
    return frags


def normalise_ws(s):
    return re.sub(r"\s+", " ", s).strip()


def message_regex(frags):
    parts = [re.escape(normalise_ws(f)) if f.strip() else r"\s*" for f in frags]
    # white space next to a placeholder is optional: "<n> pages" and
    # "<n>pages" are the same message.
    return re.compile(r"\s*(?:.*?)\s*".join(parts), re.S)


def display(frags):
    return "<>".join(frags)


class Message:
    def __init__(self, path, line, level, fmt, how):
        self.path, self.line, self.level, self.fmt, self.how = path, line, level, fmt, how
        self.frags = fragments(fmt)
        self.regex = message_regex(self.frags)

    def text(self):
        return display(self.frags)

    def has_words(self):
        return re.search(r"[A-Za-z]", "".join(self.frags)) is not None

    def matches(self, span):
        return self.regex.fullmatch(span) is not None


def _string_macros(directives):
    macros = {}
    for d in directives:
        if len(d) >= 3 and d[0].val == "define" and d[1].kind == "ident":
            body = d[2:]
            if body and all(t.kind == "str" or (t.kind == "ident" and PRI_RE.match(t.val))
                            for t in body):
                macros[d[1].val] = "".join(t.val if t.kind == "str"
                                           else "l" + PRI_RE.match(t.val).group(1)
                                           for t in body)
    return macros


def _is_call(toks, i):
    """toks[i] is a name followed by '(': is it a call (not a definition,
    a prototype or a macro parameter list)?"""
    if i > 0:
        p = toks[i - 1]
        if p.kind == "ident" and p.val not in ("return", "else", "case", "do"):
            return False
        if p.kind == "punct" and p.val == "*":
            return False    # "int *f(": a declaration
        if p.kind == "punct" and p.val == ")":
            # "EAL_FORMAT(3, 4) f(" declares, "if (x) f(" calls
            depth = 0
            for j in range(i - 1, -1, -1):
                t = toks[j]
                if t.kind == "punct" and t.val == ")":
                    depth += 1
                elif t.kind == "punct" and t.val == "(":
                    depth -= 1
                    if depth == 0:
                        before = toks[j - 1] if j > 0 else None
                        return not (before is not None and before.val == "EAL_FORMAT")
    return True


class Source:
    """One file of src/: its tokens, directives and string macros."""

    def __init__(self, rel, text):
        self.rel, self.name = rel, os.path.basename(rel)
        self.toks, self.directives = tokenize(text)
        self.str_macros = _string_macros(self.directives)

    def functions(self):
        """Function definitions: (name, parameter names, index of the
        body's '{', index of its '}')."""
        toks, out, i = self.toks, [], 0
        while i < len(toks):
            t = toks[i]
            if (t.kind == "ident" and i + 1 < len(toks) and toks[i + 1].val == "("
                    and not _is_call(toks, i)):
                try:
                    params, close = split_args(toks, i + 1)
                except ValueError:
                    break
                if close + 1 < len(toks) and toks[close + 1].val == "{":
                    _, end = split_args(toks, close + 1)
                    names = [next((x.val for x in reversed(p) if x.kind == "ident"), "")
                             for p in params]
                    out.append((t.val, names, close + 1, end))
                    i = end
            i += 1
        return out


def _macro_callers(sources, str_macros):
    """Function-like macros whose body logs a format built from one of
    their parameters: name -> (fmt arg index, level or level arg index,
    template)."""
    callers = {}
    for src in sources:
        for d in src.directives:
            if (len(d) < 4 or d[0].val != "define" or d[1].val == "EAL_LOG" or
                    d[2].val != "(" or d[2].space):
                continue
            params_args, close = split_args(d, 2)
            params = [a[0].val for a in params_args if a]
            body = d[close + 1:]
            for j, t in enumerate(body):
                if t.val != "EAL_LOG" or j + 1 >= len(body) or body[j + 1].val != "(":
                    continue
                args, _ = split_args(body, j + 1)
                fmts = format_strings(args[1], str_macros, params) if len(args) > 1 else None
                if not fmts or len(fmts) != 1 or fmts[0].count("\0") != 2:
                    continue
                pname = fmts[0].split("\0")[1]
                level = args[0][0].val if args[0] else None
                if level in params:
                    level = params.index(level)
                callers[d[1].val] = (params.index(pname), level,
                                     fmts[0].replace("\0" + pname + "\0", "{}"))
    return callers


def _format_functions(src, problems):
    """This file's EAL_FORMAT functions that make messages, as callers."""
    callers, toks = {}, src.toks
    for i, t in enumerate(toks):
        if t.val != "EAL_FORMAT" or i + 1 >= len(toks) or toks[i + 1].val != "(":
            continue
        fargs, close = split_args(toks, i + 1)
        if len(fargs) != 2 or close + 1 >= len(toks) or toks[close + 1].kind != "ident":
            continue    # the prototype of eal__log, "... EAL_FORMAT(3, 4);"
        fname = toks[close + 1].val
        if (src.name, fname) not in FORMAT_FUNCTIONS:
            problems.append((src.rel, t.line,
                             "%s() takes a format (EAL_FORMAT) but is not classified in "
                             "FORMAT_FUNCTIONS of tests/tools/test_docs_errors.py" % fname))
            continue
        spec = FORMAT_FUNCTIONS[(src.name, fname)]
        if spec is not None:
            callers[fname] = (int(fargs[0][0].val) - 1, spec[0], spec[1])
    return callers


def _levels_passing(toks, a, b, name):
    """The most severe level of the EAL_LOG calls in toks[a:b] that pass
    @name as an argument; ERR when none does (the reason is handed to a
    caller, which prints failures at ERR)."""
    best = None
    for i in range(a, b):
        if toks[i].val != "EAL_LOG" or toks[i + 1].val != "(":
            continue
        args, _ = split_args(toks, i + 1)
        if args and args[0] and any(t.val == name for arg in args[2:] for t in arg):
            lv = args[0][0].val
            if lv in LEVELS and (best is None or LEVELS[lv] < LEVELS[best]):
                best = lv
    return best or "ERR"


def _rhs(toks, i):
    """Tokens from toks[i] to the ';' that ends the statement."""
    depth, j = 0, i
    while j < len(toks):
        v = toks[j].val
        if v in "([{":
            depth += 1
        elif v in ")]}":
            depth -= 1
            if depth < 0:
                break
        elif v == ";" and depth == 0:
            break
        j += 1
    return toks[i:j]


class _Collector:
    def __init__(self, sources):
        self.sources = sources
        self.messages, self.problems, self.seen = [], [], set()
        self.str_macros = {}
        for src in sources:
            self.str_macros.update(src.str_macros)
        self.callers = {"EAL_LOG": (1, None, "{}"), "eal__log": (2, "eal__log", "{}")}
        self.callers.update(_macro_callers(sources, self.str_macros))

    def add(self, src, line, level, fmt, how):
        if level not in LEVELS:
            self.problems.append((src.rel, line, "%s(): cannot tell the level" % how))
            return
        if LEVELS[level] > MAX_LEVEL:
            return
        m = Message(src.rel, line, level, fmt, how)
        if (m.text(), m.line) not in self.seen:
            self.seen.add((m.text(), m.line))
            self.messages.append(m)

    def add_reasons(self, src, line, level, arg, how):
        """A reason printed with %s: its '%' are text, not conversions."""
        for f in format_strings(arg, self.str_macros) or []:
            if re.search(r"[A-Za-z]", f):
                self.add(src, line, level, f.replace("%", "%%"), how)

    def run(self):
        for src in self.sources:
            self.file(src)
        self.reason_tables()
        return self.messages, self.problems

    def file(self, src):
        toks = src.toks
        callers = dict(self.callers)
        callers.update(_format_functions(src, self.problems))
        funcs = src.functions()
        wrappers = [(a, b) for name, _, a, b in funcs if name in callers]
        why_params = {}
        for name, params, a, b in funcs:
            for k, p in enumerate(params):
                if WHY_RE.match(p):
                    why_params[name] = (k, _levels_passing(toks, a, b, p))
            self.why_assignments(src, a, b)

        def level_at(i, name):
            for _, _, a, b in funcs:
                if a <= i <= b:
                    return _levels_passing(toks, a, b, name)
            return "ERR"

        for i, t in enumerate(toks):
            if (t.kind != "ident" or i + 1 >= len(toks) or toks[i + 1].val != "(" or
                    t.val not in callers and t.val not in why_params and t.val != "snprintf"
                    or not _is_call(toks, i)):
                continue
            try:
                args, _ = split_args(toks, i + 1)
            except ValueError as e:
                self.problems.append((src.rel, t.line, str(e)))
                continue
            if t.val in why_params and t.val not in callers:
                k, level = why_params[t.val]
                if len(args) > k:
                    self.add_reasons(src, t.line, level, args[k], t.val)
                continue
            if t.val == "snprintf":
                # snprintf(why, ...): a reason that a message prints
                if args and args[0] and WHY_RE.match(args[0][0].val) and len(args) > 2:
                    for f in format_strings(args[2], self.str_macros) or []:
                        self.add(src, t.line, level_at(i, args[0][0].val), f, "snprintf")
                continue
            fmt_idx, level, tmpl = callers[t.val]
            if level == "eal__log":
                lv = args[0][0].val if args and args[0] else ""
                level = lv[len("EAL_LOG_"):] if lv.startswith("EAL_LOG_") else None
            elif level is None or isinstance(level, int):
                lv_arg = args[level or 0] if len(args) > (level or 0) else []
                level = lv_arg[0].val if lv_arg else None
            if level in LEVELS and LEVELS[level] > MAX_LEVEL:
                continue
            fmts = format_strings(args[fmt_idx], self.str_macros) if len(args) > fmt_idx else None
            if fmts is None:
                self.problems.append((src.rel, t.line,
                                      "%s(): the format is not a string literal, so the "
                                      "message cannot be checked; write it as a literal" % t.val))
                continue
            for f in fmts:
                fmt = tmpl.replace("{}", f)
                # "%s: %s" inside a wrapper: its callers are the messages
                if (not re.search(r"[A-Za-z]", "".join(fragments(fmt))) and
                        any(a <= i <= b for a, b in wrappers)):
                    continue
                self.add(src, t.line, level, fmt, t.val)

    def why_assignments(self, src, a, b):
        """why = "..."; *ret_why = "...": reasons printed with %s."""
        toks = src.toks
        for i in range(a, b):
            t = toks[i]
            if (t.kind == "ident" and WHY_RE.match(t.val) and toks[i + 1].val == "=" and
                    toks[i - 1].val not in (".", "->")):
                level = _levels_passing(toks, a, b, t.val)
                self.add_reasons(src, t.line, level, _rhs(toks, i + 2), "why")

    def reason_tables(self):
        by_name = {s.name: s for s in self.sources}
        for fname, item, level in REASON_SOURCES:
            src, rng = by_name.get(fname), None
            if src is not None:
                rng = next(((a, b) for name, _, a, b in src.functions() if name == item), None)
                for i, t in enumerate(src.toks):
                    if rng is None and t.val == item and src.toks[i + 1].val in ("[", "="):
                        j = i
                        while j < len(src.toks) and src.toks[j].val != "{":
                            j += 1
                        if j < len(src.toks):
                            rng = (j, split_args(src.toks, j)[1])
            if rng is None:
                self.problems.append(("src/" + fname, 0, "REASON_SOURCES names %s, which is "
                                      "not there: update tests/tools/test_docs_errors.py" % item))
                continue
            for t in src.toks[rng[0]:rng[1]]:
                if t.kind == "str":
                    self.add_reasons(src, t.line, level, [t], item)


def collect(sources):
    """Messages of a set of Source, and the problems the extractor found
    (each a (path, line, text) that the TAP output turns into a failure)."""
    return _Collector(sources).run()


def load_sources(root):
    sources = []
    for base, dirs, files in os.walk(os.path.join(root, "src")):
        dirs.sort()
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                path = os.path.join(base, f)
                with open(path, encoding="utf-8") as fh:
                    sources.append(Source(os.path.relpath(path, root), fh.read()))
    return sources


_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def code_spans(markdown):
    """Inline code spans of a Markdown text, outside fenced blocks, as they
    read: white space normalised, '\\|' as '|'."""
    text = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)
    return [normalise_ws(m.group(2).replace("\\|", "|")) for m in _SPAN_RE.finditer(text)]


def _cells(line):
    """Cells of a Markdown table row ('\\|' is not a separator)."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def message_rows(markdown):
    """(line number, span, level cell) of each row of a table whose header
    starts with "message" or "reason": the first cell is one code span."""
    rows, table = [], None
    for n, line in enumerate(markdown.splitlines(), 1):
        if not line.startswith("|"):
            table = None
            continue
        cells = _cells(line)
        if table is None:
            table = "messages" if cells[0].lower() in ("message", "reason") else "other"
            continue
        if table == "other" or re.match(r"^:?-+:?$", cells[0]):
            continue
        m = re.match(r"^(`+)(?!`)(.+?)(?<!`)\1$", cells[0])
        rows.append((n, normalise_ws(m.group(2).replace("\\|", "|")) if m else None,
                     cells[1].lower() if len(cells) > 1 else ""))
    return rows


def check(messages, problems, markdown):
    """[(ok, description)] for every message, problem and message row."""
    spans = code_spans(markdown)
    out = []
    for path, line, text in problems:
        out.append((False, "%s:%d: %s" % (path, line, text)))
    for m in messages:
        where = "%s:%d" % (m.path, m.line)
        if not m.has_words():
            out.append((False, "%s: %s %s: no fixed text to document; log a sentence that "
                        "says what failed" % (where, m.level, m.text())))
            continue
        ok = any(m.matches(s) for s in spans)
        out.append((ok, "%s: %s \"%s\"%s" % (where, m.level, m.text(),
                                              "" if ok else " is not in docs/troubleshooting.md")))
    for n, span, level in message_rows(markdown):
        where = "docs/troubleshooting.md:%d" % n
        if span is None:
            out.append((False, "%s: the first cell of a message table must be one code span"
                        % where))
            continue
        found = [m for m in messages if m.matches(span)]
        if not found:
            out.append((False, "%s: row `%s` matches no message in src/ (removed or "
                        "reworded?)" % (where, span)))
        elif level.upper() in LEVELS and not any(m.level == level.upper() for m in found):
            out.append((False, "%s: row `%s` says %s, src/ logs it at %s" %
                        (where, span, level, "/".join(sorted({m.level.lower() for m in found})))))
        else:
            out.append((True, "%s: row `%s`" % (where, span)))
    return out


# ---- TAP ---------------------------------------------------------------

def expect_failures(failed, cases):
    """[(ok, description)]: for each (text, description) of @cases, that
    one of the @failed check descriptions contains text."""
    return [(any(text in d for d in failed), desc) for text, desc in cases]


def print_tap(results):
    """Print [(ok, description)] as TAP; the number of failures."""
    print("1..%d" % len(results))
    for n, (ok, desc) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, desc.replace("\n", " ")))
    return sum(1 for ok, _ in results if not ok)


# ---- self-test ---------------------------------------------------------

SELF_TEST_SRC = r'''
#define EAL_LOG_COMPONENT EAL_LOGC_EAL
#define TOO_MANY "more than %d values"
#define HEAP_ERR(heap, fmt, ...) EAL_LOG(ERR, "heap %s: " fmt, (heap)->name, ##__VA_ARGS__)
/* EAL_LOG(ERR, "in a comment: not a message"); */
static int EAL_FORMAT(3, 4)
refuse(int id, const char *v, const char *fmt, ...)
{
	EAL_LOG(ERR, "%s: %s", v, fmt);
	return -EINVAL;
}
static const char *
prefix_problem(const char *s)
{
	return s[0] ? "contains '/'" : "empty";
}
void f(int x, uint64_t n)
{
	EAL_LOG(ERR, "cannot map %" PRIu64 " bytes at %p: "
		"%s", n, NULL, "x");
	EAL_LOG(WARNING, x ? "first branch %d" : "second \"branch\"", x);
	EAL_LOG(DEBUG, "debug lines are not checked");
	if (x)
		refuse(1, "v", TOO_MANY, 4);
	HEAP_ERR(h, "corrupt at %p", NULL);
	eal__log(EAL_LOG_CRIT, EAL_LOGC_EAL, "assertion %s failed", "x");
	snprintf(why, sizeof(why), "no hugepages reserved");
	snprintf(buf, sizeof(buf), "%s/not/a/message", "x");
	EAL_LOG(ERR, "100%% undocumented %s", "x");
	EAL_LOG(NOTICE, msg);
}
'''

SELF_TEST_DOC = r'''
| message | level | cause |
|---|---|---|
| `cannot map <len> bytes at <addr>: <why>` | err | a |
| `first branch <n>` | warning | a |
| `second "branch"` | err | logged at WARNING: the level is wrong |
| `<option>: more than <n> values` | err | a |
| `heap <name>: corrupt at <addr>` | err | a |
| `assertion <expr> failed` | crit | a |
| `no hugepages reserved` | – | a reason |
| `contains '/'` | – | a |
| `empty` | – | a |
| `a row that is no message` | err | b |

| symptom | what to do |
|---|---|
| `a symptom table is free text` | a |
'''


def self_test():
    """[(ok, description)] of the extractor and matcher on SELF_TEST_*."""
    saved_f, saved_r = dict(FORMAT_FUNCTIONS), list(REASON_SOURCES)
    FORMAT_FUNCTIONS[("selftest.c", "refuse")] = ("ERR", "%s: {}")
    REASON_SOURCES[:] = [("selftest.c", "prefix_problem", "ERR")]
    try:
        msgs, problems = collect([Source("src/selftest.c", SELF_TEST_SRC)])
        results = check(msgs, problems, SELF_TEST_DOC)
    finally:
        FORMAT_FUNCTIONS.clear()
        FORMAT_FUNCTIONS.update(saved_f)
        REASON_SOURCES[:] = saved_r
    texts = sorted(m.text() for m in msgs)
    expected = sorted([
        "cannot map <> bytes at <>: <>",
        "first branch <>",
        "second \"branch\"",
        "<>: more than <> values",
        "heap <>: corrupt at <>",
        "assertion <> failed",
        "no hugepages reserved",
        "100% undocumented <>",
        "contains '/'",
        "empty",
    ])
    failed = sorted(d for ok, d in results if not ok)
    out = [(texts == expected, "self-test: the extractor finds the example's messages "
            "(got %r)" % texts)]
    out += expect_failures(failed, [
        ("EAL_LOG(): the format is not a string literal",
         "self-test: a format that is not a literal is reported"),
        ("100% undocumented <>\" is not in",
         "self-test: an undocumented message fails, with its file:line"),
        ("row `a row that is no message` matches no message",
         "self-test: a row that matches no message fails"),
        ("row `second \"branch\"` says err, src/ logs it at warning",
         "self-test: a row with the wrong level fails"),
    ])
    out.append((len(failed) == 4, "self-test: exactly those four fail (got %d: %r)" %
                (len(failed), failed)))
    # the matching rule itself
    m = Message("x.c", 1, "ERR", "cannot map %zu bytes: %s", "EAL_LOG")
    out.append((m.matches("cannot map <n> bytes: <why>") and
                not m.matches("cannot map <n> bytes") and
                not m.matches("error: cannot map <n> bytes: <why>") and
                not m.matches("cannot map <n> pages: <why>"),
                "self-test: a span matches only the whole message, fixed parts in order"))
    return out


def main(argv):
    if len(argv) == 3 and argv[1] == "--list":
        msgs, problems = collect(load_sources(argv[2]))
        for m in msgs:
            print("%s:%d\t%s\t%s" % (m.path, m.line, m.level, m.text()))
        for p in problems:
            print("%s:%d\tPROBLEM\t%s" % p, file=sys.stderr)
        return 0
    if len(argv) != 2:
        print("usage: %s [--list] SOURCE_ROOT" % argv[0], file=sys.stderr)
        return 2
    root = argv[1]
    results = self_test()
    with open(os.path.join(root, "docs", "troubleshooting.md"), encoding="utf-8") as fh:
        doc = fh.read()
    msgs, problems = collect(load_sources(root))
    results.append((len(msgs) >= 100, "found %d messages in src/ (a broken extractor finds "
                    "few)" % len(msgs)))
    results += check(msgs, problems, doc)
    n_bad = print_tap(results)
    missing = sum(1 for ok, d in results if not ok and "is not in docs" in d)
    print("# %d messages, %d not documented; %d checks failed" % (len(msgs), missing, n_bad))
    return 1 if n_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
