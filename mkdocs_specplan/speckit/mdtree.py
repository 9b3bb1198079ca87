"""Reading Markdown through Python-Markdown's own processors, into an element tree. Free of MkDocs.

Spec-kit documents are read as Python-Markdown reads them: code blocks, inline code, raw HTML and
comments are set aside by its processors, so nothing inside them is ever taken for a requirement,
a task or a principle. The same helpers walk the tree of a page that MkDocs renders, so what is
counted when the site is loaded and what is annotated when a page is rendered agree.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Iterator

import markdown

# Inline patterns kept when reading: enough to tell code, raw HTML, emphasis and line breaks apart.
_READING_PATTERNS = ("backtick", "escape", "linebreak", "html", "entity", "em_strong")
_KNOWN_PATTERNS = (  # Python-Markdown's own inline patterns (the ones not kept are removed when reading)
    "backtick",
    "escape",
    "reference",
    "link",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
    "linebreak",
    "html",
    "entity",
    "not_strong",
    "em_strong",
    "em_strong2",
    "strong_em",
    "strong",
    "emphasis",
    "emphasis2",
)
_PLACEHOLDER_RE = re.compile("\x02wzxhzdk:\\d+\x03")

# Elements whose text is never read: code, and everything a raw HTML block stashed.
SKIPPED_TAGS = frozenset({"code", "pre", "script", "style", "kbd", "samp"})
# Children that end an element's leading text (a list item's nested list, a quote, a table...).
BLOCK_TAGS = frozenset(
    {"ul", "ol", "p", "pre", "blockquote", "table", "div", "dl", "details", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")

_LIST_ITEM_RE = re.compile(r"( *)(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_reader: markdown.Markdown | None = None
_HTML_START_RE = re.compile(r" {0,3}<(?:[A-Za-z/?!])")


LONG_TEXT = 20_000  # characters: a block this long is kept as plain text


class LongTextTreeprocessor(markdown.treeprocessors.Treeprocessor):
    """Blocks longer than ``LONG_TEXT`` characters are kept as plain text.

    Python-Markdown's inline processing takes more than linear time on long runs of emphasis and
    code marks (``*_*_``, `` `<`< ``); a paragraph of that length is never a requirement or a
    task line, so it is left as it is written and the work stays linear in the document's length.
    Runs before the inline processor (priority 20).
    """

    def run(self, root: etree.Element) -> None:
        self.keep_plain(root)

    @staticmethod
    def keep_plain(root: etree.Element) -> bool:
        """Whether the tree has a block that long."""
        found = False
        for element in root.iter():
            if element.text and len(element.text) > LONG_TEXT:
                found = True
                if not isinstance(element.text, markdown.util.AtomicString):
                    element.text = markdown.util.AtomicString(element.text)
        return found


# What each reading pattern starts with: a code mark, an escape, a tag, an entity, emphasis, and
# the two spaces of a hard line break.
_INLINE_MARKS_RE = re.compile(r"[`\\<&*]|  \n")


class PlainTextTreeprocessor(markdown.treeprocessors.Treeprocessor):
    """When reading: text with none of the marks the reading patterns start with is left out of
    inline processing, where no pattern could match it (the same tree, without trying every pattern
    on every line of plain prose). Runs before the inline processor (priority 20)."""

    def run(self, root: etree.Element) -> None:
        atomic = markdown.util.AtomicString
        marks = _INLINE_MARKS_RE.search
        for element in root.iter():
            text = element.text
            if text and not marks(text):
                element.text = atomic(text)
            tail = element.tail
            if tail and not marks(tail):
                element.tail = atomic(tail)


_ATX_RE = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")


class HeadingBreakPreprocessor(markdown.preprocessors.Preprocessor):
    """A blank line after each ``#`` heading (a heading is a block of its own anyway).

    Without it a run of headings is one block, and Python-Markdown's table processor splits the
    rest of that block again for every heading: quadratic time on many headings in a row.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for i, line in enumerate(lines):
            out.append(line)
            if "#" in line[:4] and _ATX_RE.match(line) and i + 1 < len(lines) and lines[i + 1].strip():
                out.append("")
        return out


class HtmlBlockPreprocessor(markdown.preprocessors.Preprocessor):
    """Raw HTML blocks set aside when reading, in linear time.

    Python-Markdown's own HTML block parser takes quadratic time on unclosed tags (``<a <a <a``);
    when reading, a block that starts with a tag runs to the next blank line (a comment, to its
    ``-->``) and is dropped: raw HTML never defines a requirement, a task or a principle.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        until: str | None = None  # "blank" or "-->"
        for line in lines:
            if until == "-->":
                if "-->" in line:
                    until = None
                out.append("")
                continue
            if until == "blank":
                if not line.strip():
                    until = None
                    out.append(line)
                else:
                    out.append("")
                continue
            if _HTML_START_RE.match(line) and (not out or not out[-1].strip()):
                comment = line.lstrip().startswith("<!--")
                until = "-->" if comment and "-->" not in line else (None if comment else "blank")
                out.append("")
                continue
            out.append(line)
        return out


class NestedListPreprocessor(markdown.preprocessors.Preprocessor):
    """Lists nested by two or three spaces, as GitHub reads them and spec-kit's agents write them.

    Python-Markdown nests a list item only when it is indented by four spaces, so ``  - [ ] sub``
    under a task would read as a task of its own. When reading (never when a page is rendered),
    each deeper list item is indented by four spaces per level.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        levels: list[int] = []  # the indentation of each open list level, as written
        for line in lines:
            match = _LIST_ITEM_RE.match(line)
            if match is None:
                if line.strip() and not line.startswith((" ", "\t")):
                    levels = []
                out.append(line)
                continue
            indent = len(match.group(1))
            while levels and levels[-1] > indent:
                levels.pop()
            if not levels or levels[-1] < indent:
                levels.append(indent)
            out.append("    " * (len(levels) - 1) + line[indent:])
        return out


def _reading_instance() -> markdown.Markdown:
    global _reader
    if _reader is None:
        md = markdown.Markdown(extensions=["tables", "fenced_code"])
        md.preprocessors.deregister("html_block")
        md.preprocessors.register(HtmlBlockPreprocessor(md), "specplan_html_blocks", 20)
        md.preprocessors.register(NestedListPreprocessor(md), "specplan_nested_lists", 15)
        md.preprocessors.register(HeadingBreakPreprocessor(md), "specplan_heading_breaks", 14)
        md.treeprocessors.register(LongTextTreeprocessor(md), "specplan_long_text", 25)
        md.treeprocessors.register(PlainTextTreeprocessor(md), "specplan_plain_text", 24)
        for name in [name for name in _KNOWN_PATTERNS if name in md.inlinePatterns]:
            if name not in _READING_PATTERNS:
                md.inlinePatterns.deregister(name)
        _reader = md
    return _reader


def parse(text: str) -> etree.Element:
    """The element tree of a Markdown document (as Python-Markdown builds it, before serializing)."""
    md = _reading_instance()
    md.reset()
    lines = text.split("\n")
    for prep in md.preprocessors:
        lines = prep.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    assert root is not None
    for processor in md.treeprocessors:
        new_root = processor.run(root)
        if new_root is not None:
            root = new_root
    return root


def clean(text: str | None) -> str:
    """Text without stash placeholders (raw HTML and code blocks that Python-Markdown set aside)."""
    if not text:
        return ""
    return _PLACEHOLDER_RE.sub("", text) if "\x02" in text else text


def plain(element: etree.Element, *, skip_blocks: bool = False, code: bool = False) -> str:
    """The readable text of an element and its descendants, code and raw HTML left out.

    With ``skip_blocks``, nested block elements (a list item's sub-list, ...) are left out too;
    with ``code``, inline code is kept (as text to show, never to search for IDs).
    """
    if element.tag == "code":  # Python-Markdown keeps code spans escaped for HTML
        return html.unescape(element.text or "")
    parts: list[str] = [clean(element.text)]
    for child in element:
        if (child.tag in SKIPPED_TAGS and not (code and child.tag == "code")) or (skip_blocks and child.tag in BLOCK_TAGS):
            pass
        else:
            parts.append(plain(child, skip_blocks=skip_blocks, code=code))
        parts.append(clean(child.tail))
    return "".join(parts)


def lead(element: etree.Element, *, code: bool = False) -> str:
    """The text an element starts with: a list item's own line(s), a paragraph, a heading, a row's first cell."""
    if element.tag == "li" and not (element.text or "").strip() and len(element) and element[0].tag == "p":
        return plain(element[0], code=code)
    if element.tag == "tr":
        cells = [c for c in element if c.tag in ("td", "th")]
        return plain(cells[0], code=code) if cells else ""
    return plain(element, skip_blocks=True, code=code)


def one_line(text: str) -> str:
    """Runs of white space (line breaks included) folded to one space, trimmed."""
    return " ".join(text.split())


def walk(root: etree.Element) -> Iterator[tuple[etree.Element, tuple[etree.Element, ...]]]:
    """Every element with its ancestors (outermost first), skipping code and raw HTML subtrees."""
    stack: list[tuple[etree.Element, tuple[etree.Element, ...]]] = [(root, ())]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        inner = (*ancestors, element)
        for child in reversed(list(element)):
            if child.tag not in SKIPPED_TAGS:
                stack.append((child, inner))


def text_nodes(root: etree.Element) -> Iterator[str]:
    """Every piece of readable text in the document, code, raw HTML and links' targets left out."""
    for element, _ in walk(root):
        if element.text:
            yield clean(element.text)
        for child in element:
            if child.tail:
                yield clean(child.tail)


def is_checkbox(text: str) -> tuple[bool, str] | None:
    """``[ ] rest`` / ``[x] rest`` / ``[X] rest``: (done, rest), or None."""
    if len(text) >= 3 and text[0] == "[" and text[2] == "]" and text[1] in " xX" and (len(text) == 3 or text[3] in " \t"):
        return text[1] != " ", text[3:].lstrip()
    return None
