"""Our own scripts without their comments, as phones download them.

The scripts under ``static/js/`` are written for the people who maintain them: a third of
``capture.js`` is comments. A resident's phone on a weak signal has no use for them, so they are
served without, every other character kept where it was: the same tokens on the same lines (a
comment's lines stay, empty), so an error's line number still points at the source's line.
Checked against the JavaScript parser ESLint uses (espree) on every file:
``tests/webapp/test_js_comments.py``.

Not a minifier: names, spaces and line breaks stay, only comments (and the spaces that end a line)
go. A comment that spans lines becomes its line breaks (JavaScript's automatic semicolons see a
comment with a line break in it as one); a comment within a line becomes one space.
"""

from __future__ import annotations

#: After one of these characters, ``/`` starts a regular expression, not a division.
_REGEX_AFTER_CHAR = set("(,=:[!&|?{};+-*%<>~^")
#: After one of these words too (``return /x/.test(s)``).
_REGEX_AFTER_WORD = {
    "return",
    "typeof",
    "case",
    "do",
    "else",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "instanceof",
    "yield",
    "await",
}
_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


class Unreadable(ValueError):
    """A string, template, regular expression or comment that does not end."""


def strip_comments(source: str) -> str:
    """``source`` (JavaScript) without its comments, every other token on the line it was on;
    raises :class:`Unreadable` for what it cannot read to its end."""
    out: list[str] = []
    i, n = 0, len(source)
    last = ""  # the last significant character, or word, written
    # one entry per template literal we are inside of: the brace depth of its current ``${ }``
    templates: list[int] = []
    depth = 0
    while i < n:
        c = source[i]
        if c == "/" and source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "/" and source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise Unreadable(f"comment not closed (character {i})")
            out.append("\n" * source.count("\n", i, end) or " ")
            i = end + 2
            continue
        if c in "'\"":
            end = _string_end(source, i, c)
            out.append(source[i:end])
            i, last = end, c
            continue
        if c == "`" or (c == "}" and templates and templates[-1] == depth):
            if c == "}":
                templates.pop()
                depth -= 1
            end, opens = _template_part_end(source, i + 1)
            out.append(source[i:end])
            i, last = end, "`"
            if opens:
                depth += 1
                templates.append(depth)
            continue
        if c == "/" and (last in _REGEX_AFTER_CHAR or last in _REGEX_AFTER_WORD or not last):
            end = _regex_end(source, i)
            out.append(source[i:end])
            i, last = end, "/x/"
            continue
        if c in _WORD:
            start = i
            while i < n and source[i] in _WORD:
                i += 1
            last = source[start:i]
            out.append(last)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if not c.isspace():
            last = c
        out.append(c)
        i += 1
    return "\n".join(line.rstrip() for line in "".join(out).split("\n"))


def _string_end(source: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == quote:
            return j + 1
        if ch == "\n":
            break
        j += 1
    raise Unreadable(f"string not closed (character {i})")


def _template_part_end(source: str, j: int) -> tuple[int, bool]:
    """From inside a template literal: the end of its text part, and whether a ``${`` opened there."""
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "`":
            return j + 1, False
        if source.startswith("${", j):
            return j + 2, True
        j += 1
    raise Unreadable("template literal not closed")


def _regex_end(source: str, i: int) -> int:
    j, in_class = i + 1, False
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            break
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "/" and not in_class:
            j += 1
            while j < len(source) and source[j] in _WORD:
                j += 1  # flags
            return j
        j += 1
    raise Unreadable(f"regular expression not closed (character {i})")


def without_comments(source: str) -> str:
    """:func:`strip_comments`, or ``source`` as it is when it cannot be read (a script is served
    whole rather than not at all; the test on every file keeps that from happening unseen)."""
    try:
        return strip_comments(source)
    except Unreadable:
        return source
