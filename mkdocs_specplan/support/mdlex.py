"""One lexer for the parts of Markdown text that are never read as Markdown: fenced code blocks
(any length, backticks or tildes), inline code spans, and HTML comments. The renderer, the
importer, the readers' helpers and the link rewriter all use it, so they agree on where code is.
Linear in the text's length. Free of MkDocs.

Fences follow CommonMark: an opening fence is three or more backticks or tildes, indented by at
most three spaces (a backtick fence's info string has no backtick); it is closed by a fence of the
same character, at least as long, with nothing after it but spaces; an unclosed fence runs to the
end. A code span is a run of backticks closed by the next run of the same length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

_OPEN_RE = re.compile(r" {0,3}(`{3,}(?=[^`]*$)|~{3,})")
_CLOSE_RE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*$")
_OPEN_ANY_RE = re.compile(r"[ \t]*(`{3,}(?=[^`]*$)|~{3,})")
_CLOSE_ANY_RE = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*$")


def fenced(lines: Iterable[str], *, nested: bool = False) -> Iterator[tuple[str, bool]]:
    """Each line, and whether it belongs to a fenced code block (its fences included). ``nested``:
    a fence may be indented any amount (inside list items: text this package writes itself)."""
    fence: str | None = None  # the open fence's characters
    open_re, close_re = (_OPEN_ANY_RE, _CLOSE_ANY_RE) if nested else (_OPEN_RE, _CLOSE_RE)
    for line in lines:
        if fence is None:
            opening = open_re.match(line)
            if opening:
                fence = opening.group(1)
            yield line, fence is not None
            continue
        closing = close_re.match(line)
        if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
            fence = None
        yield line, True


def outside_code(line: str) -> list[tuple[str, bool]]:
    """A line cut into (text, is inline code) pieces: a run of backticks up to the next run as long."""
    pieces: list[tuple[str, bool]] = []
    last = 0
    opened: tuple[int, int] | None = None  # (start, length) of an open backtick run
    i = line.find("`")
    while i != -1 and i < len(line):
        j = i
        while j < len(line) and line[j] == "`":
            j += 1
        if opened is None:
            opened = (i, j - i)
        elif j - i == opened[1]:
            pieces.append((line[last : opened[0]], False))
            pieces.append((line[opened[0] : j], True))
            last, opened = j, None
        i = line.find("`", j)
    pieces.append((line[last:], False))
    return pieces


@dataclass(frozen=True)
class Segment:
    """A piece of a text: ``text``, ``fence`` (a fenced code block's lines), ``code`` (a code span)
    or ``comment`` (an HTML comment). The pieces of a text joined are the text."""

    kind: str
    text: str


def segments(text: str, *, comments: bool = True) -> Iterator[Segment]:
    """A text's pieces; with ``comments`` false, HTML comments are text like any other."""
    lines = text.split("\n")
    in_comment = False
    last = len(lines) - 1
    for index, (line, code) in enumerate(fenced(lines)):
        end = "" if index == last else "\n"
        if code:
            yield Segment("fence", line + end)
            continue
        for piece, is_code in outside_code(line) if not in_comment else [(line, False)]:
            if is_code:
                yield Segment("code", piece)
                continue
            if not comments:
                yield Segment("text", piece)
                continue
            for kind, part in _comments(piece, in_comment):
                in_comment = kind == "open-comment"
                yield Segment("comment" if kind != "text" else "text", part)
        if end:
            yield Segment("comment" if in_comment else "text", end)


def _comments(piece: str, inside: bool) -> Iterator[tuple[str, str]]:
    """HTML comments in a piece of a line: ("text" | "comment" | "open-comment", part)."""
    pos = 0
    while pos < len(piece):
        if inside:
            close = piece.find("-->", pos)
            if close == -1:
                yield "open-comment", piece[pos:]
                return
            yield "comment", piece[pos : close + 3]
            pos, inside = close + 3, False
            continue
        start = piece.find("<!--", pos)
        if start == -1:
            yield "text", piece[pos:]
            return
        if start > pos:
            yield "text", piece[pos:start]
        pos, inside = start, True
        close = piece.find("-->", pos + 4)
        if close == -1:
            yield "open-comment", piece[pos:]
            return
        yield "comment", piece[pos : close + 3]
        pos, inside = close + 3, False


# -- link destinations -----------------------------------------------------------------------
_REFERENCE_RE = re.compile(r"( {0,3}\[[^\]\n]{1,999}\]:[ \t]*)(<[^>\n]*>|\S+)")


def rewrite_links(text: str, rewrite: Callable[[str], str | None]) -> str:
    """The text with each link destination (inline links and images, reference definitions)
    outside code and comments replaced by ``rewrite(destination)`` where that gives one."""
    out: list[str] = []
    at_line_start = True
    for segment in segments(text):
        if segment.kind != "text":
            out.append(segment.text)
            at_line_start = segment.text.endswith("\n")
            continue
        piece = segment.text
        if at_line_start:
            piece = _REFERENCE_RE.sub(lambda m: m.group(1) + _replaced(m.group(2), rewrite), piece, count=1)
        out.append(_inline(piece, rewrite))
        at_line_start = piece.endswith("\n")
    return "".join(out)


def _replaced(destination: str, rewrite: Callable[[str], str | None]) -> str:
    bracketed = destination.startswith("<") and destination.endswith(">")
    new = rewrite(destination[1:-1] if bracketed else destination)
    if new is None:
        return destination
    return f"<{new}>" if bracketed else new


def _inline(piece: str, rewrite: Callable[[str], str | None]) -> str:
    """Inline link destinations: ``](dest`` up to a space, a title or the closing parenthesis."""
    out: list[str] = []
    pos = 0
    while True:
        start = piece.find("](", pos)
        if start == -1:
            out.append(piece[pos:])
            return "".join(out)
        begin = start + 2
        while begin < len(piece) and piece[begin] in " \t":
            begin += 1
        end = _destination_end(piece, begin)
        out.append(piece[pos:begin])
        out.append(_replaced(piece[begin:end], rewrite) if end > begin else "")
        pos = end


def _destination_end(piece: str, begin: int) -> int:
    """Where a link destination that starts at ``begin`` ends (balanced parentheses, or ``<...>``)."""
    if begin < len(piece) and piece[begin] == "<":
        close = piece.find(">", begin)
        return close + 1 if close != -1 else begin
    depth = 0
    i = begin
    while i < len(piece):
        c = piece[i]
        if c in " \t\n":
            break
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return min(i, len(piece))
