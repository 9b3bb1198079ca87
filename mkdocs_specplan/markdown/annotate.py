"""A Python-Markdown extension that annotates the pages of a feature while they are rendered.

It works on the element tree, after inline processing and before the table of contents and the
builder's link and anchor checks: requirement and task IDs get ``id`` attributes that anchor
validation sees whatever else the page holds, principle headings get stable anchors, mentions
of known IDs become links, and relative links that leave ``specs_dir`` are pointed at the
published pages. Code, raw HTML and existing links are never touched. Free of MkDocs: the
plugin says per page what to do (:class:`PageAnnotations`).
"""

from __future__ import annotations

import dataclasses
import operator
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field

import markdown

from ..speckit import mdtree
from ..speckit.documents import TASK_ID, IdSyntax, anchor_of, find_definitions, find_principles
from ..support.incremental import LastBuild, no_cycle_collection
from ..support.mdlex import outside_code

# After attr_list (8), before the table of contents and the builder's anchor check (5) and link
# rewriting (0), so the links made here are checked like the author's own.
PRIORITY = 6
_TASK_ID_RE = re.compile(rf"[*_`]*({TASK_ID})")


@dataclass(frozen=True)
class Trace:
    """Where a requirement is carried: ``(label, href)`` pairs for its plan and its tasks."""

    planned: tuple[tuple[str, str], ...] = ()
    tasks: tuple[tuple[str, str], ...] = ()
    uncovered: bool = False  # neither its plan nor its tasks carry it: marked as such


@dataclass
class PageAnnotations:
    """What to do to one page."""

    definitions: IdSyntax | None = None  # anchor the requirements and stories the page defines
    traces: dict[str, Trace] = field(default_factory=dict)  # shown beside each requirement
    tasks: bool = False  # anchor task items (#t012)
    principles: bool = False  # anchor numbered principles (#article-ii)
    mentions: dict[str, str] = field(default_factory=dict)  # ID -> href for mentions to link
    mention_syntax: IdSyntax | None = None
    rewrite_link: Callable[[str], str | None] | None = None  # a relative href -> the href to use
    note_html: str | None = None  # a block put right after the page's title
    safe_links: bool = False  # the plugin's own pages: only http(s), mailto and relative links, no on* attributes


# What a replay must have been made with: every field but the rewriter (its answers are asked
# again) and the note (inserted anew each time)
_replayed = operator.attrgetter(
    *(f.name for f in dataclasses.fields(PageAnnotations) if f.name not in ("rewrite_link", "note_html"))
)


class AnnotateTreeprocessor(markdown.treeprocessors.Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: SpecPlanExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        page = self.extension.current
        source, self.extension.source = self.extension.source, None
        if page is None:
            return
        try:
            with no_cycle_collection():
                replays = self.extension.replays
                if replays is None or source is None:
                    self._annotate(root, page, None)
                else:
                    self._annotate_again(root, page, replays, source)
                if page.note_html:
                    _insert_note(root, self.md.htmlStash.store(page.note_html))
        except Exception as exc:
            self.extension.errors.append(f"{type(exc).__name__}: {exc}")

    def _annotate_again(
        self, root: etree.Element, page: PageAnnotations, replays: LastBuild[Source, Replay], source: Source
    ) -> None:
        """A serve rebuild: a page whose text and annotations are the last build's gets the last
        build's edits again, without the search for what to annotate (the same tree gives the same
        edits); any other page is annotated, and what it became is kept for the next rebuild."""
        kept = replays.last(source)
        if kept is not None and _replayed(kept.page) == _replayed(page) and kept.apply(root, page.rewrite_link):
            replays.keep(source, kept)
            return
        recording = _Recording(root, page.rewrite_link)
        asking = page if page.rewrite_link is None else dataclasses.replace(page, rewrite_link=recording.rewrite)
        self._annotate(root, asking, recording)
        replay = recording.replay(dataclasses.replace(page, rewrite_link=None, note_html=None))
        if replay is not None:
            replays.keep(source, replay)

    def _annotate(self, root: etree.Element, page: PageAnnotations, recording: _Recording | None) -> None:
        touched = recording.touched if recording is not None else None
        if page.safe_links:
            _neutralise(root, touched)
        if page.rewrite_link is not None:
            _rewrite_links(root, page.rewrite_link, touched)
        _checkboxes(root, touched)
        anchoring = page.definitions is not None or page.tasks or page.principles
        used = {el.get("id") for el in root.iter() if el.get("id")} if anchoring else set()
        if page.definitions is not None:
            parents = {child: parent for parent in root.iter() for child in parent}
            for definition in find_definitions(root, page.definitions):
                anchor = definition.requirement.anchor
                if anchor in used:
                    continue
                used.add(anchor)
                _place_anchor(definition.element, definition.before, anchor, "specplan-req-anchor", touched)
                trace = page.traces.get(definition.requirement.id)
                if trace is not None and (trace.planned or trace.tasks or trace.uncovered) and definition.before is None:
                    _add_trace(definition.element, trace, parents, touched)
        if page.tasks:
            _anchor_tasks(root, used, touched)
        if page.principles:
            for heading in find_principles(root):
                anchor = heading.principle.anchor
                if anchor not in used:
                    used.add(anchor)
                    _place_anchor(heading.element, None, anchor, "specplan-anchor", touched)
        if page.mentions and page.mention_syntax is not None:
            _link_mentions(root, page.mention_syntax, page.mentions, touched)


# An element's state: its attributes, text, tail and children (each an index of an element the
# tree had before annotating, or a copy of an element the annotation made; None: the ones it had).
_State = tuple[int, dict[str, str], str | None, str | None, tuple[int | etree.Element, ...] | None]


class _Recording:
    """What annotating one page changes: the elements it touched, as they end up, and the answers
    of the page's link rewriter (which depends on the site's files, not on the page)."""

    def __init__(self, root: etree.Element, rewrite_link: Callable[[str], str | None] | None) -> None:
        self.elements = list(root.iter())
        self.children = [tuple(element) for element in self.elements]  # each one's children, before
        self.touched: list[etree.Element] = []
        self.rewrites: list[tuple[str, str | None]] = []
        self.rewrite_link = rewrite_link

    def rewrite(self, href: str) -> str | None:
        assert self.rewrite_link is not None
        new = self.rewrite_link(href)
        self.rewrites.append((href, new))
        return new

    def replay(self, page: PageAnnotations) -> Replay | None:
        index = {element: i for i, element in enumerate(self.elements)}
        states: list[_State] = []
        for element in dict.fromkeys(self.touched):
            place = index.get(element)
            if place is None:
                continue  # made while annotating: its parent's state holds it
            if tuple(element) == self.children[place]:  # the children it had: the same tree has them
                states.append((place, dict(element.attrib), element.text, element.tail, None))
                continue
            children: list[int | etree.Element] = []
            for child in element:
                at = index.get(child)
                if at is None:
                    if any(e in index for e in child.iter()):
                        return None  # never the case: what annotating makes holds only what it made
                    children.append(child.__deepcopy__({}))
                else:
                    children.append(at)
            states.append((place, dict(element.attrib), element.text, element.tail, tuple(children)))
        rewrites = tuple(self.rewrites) if self.rewrite_link is not None else None
        return Replay(page, len(self.elements), tuple(states), rewrites)


@dataclass(frozen=True)
class Replay:
    """A page's annotation, to be done again on the same tree (a ``mkdocs serve`` rebuild)."""

    page: PageAnnotations  # what the page was annotated with (without its rewriter and note)
    size: int  # the number of elements before annotating
    states: tuple[_State, ...]
    rewrites: tuple[tuple[str, str | None], ...] | None  # the rewriter's answers, asked again first (None: no rewriter)

    def apply(self, root: etree.Element, rewrite_link: Callable[[str], str | None] | None) -> bool:
        """Whether the edits were made again: not when the rewriter answers otherwise now, or the
        tree is not the one they were made on."""
        if (self.rewrites is None) != (rewrite_link is None):
            return False  # a rewriter then and none now, or the other way round (pages of one text)
        if self.rewrites is not None and rewrite_link is not None and any(rewrite_link(h) != new for h, new in self.rewrites):
            return False
        elements = list(root.iter())
        if len(elements) != self.size:
            return False
        for place, attributes, text, tail, children in self.states:
            element = elements[place]
            element.attrib.clear()
            element.attrib.update(attributes)
            element.text, element.tail = text, tail
            if children is not None:
                element[:] = [elements[c] if isinstance(c, int) else c.__deepcopy__({}) for c in children]
        return True


class SpecPlanExtension(markdown.Extension):
    """Register with ``markdown_extensions`` (the plugin does it for you); ``current`` is set per page."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.current: PageAnnotations | None = None
        self.errors: list[str] = []  # failures while annotating the current page
        self.escaped: LastBuild[tuple[str, ...], Source] | None = None  # serve: each page text the preprocessor saw
        self.replays: LastBuild[Source, Replay] | None = None  # serve: each page's annotation, by its text
        self.source: Source | None = None  # serve: the current page's text

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        self.register(md, "specplan")

    def register(self, md: markdown.Markdown, name: str) -> None:
        """The processors, named after ``name`` (two registrations under other names both run)."""
        md.treeprocessors.register(AnnotateTreeprocessor(md, self), f"{name}_annotate", PRIORITY)
        md.treeprocessors.register(_LongText(md, self), f"{name}_long_text", 25)
        md.preprocessors.register(_UnclosedTags(md, self), f"{name}_unclosed_tags", 21)


# a tag's start with no ">" before the next "<"; the lookahead and backreference make the scan atomic
# (as a possessive [^<>]*+ would, from Python 3.11): a closed tag is never scanned again backwards
_UNCLOSED_RE = re.compile(r"<[A-Za-z/!?](?=([^<>]*))\1(?:<|\Z)")


def escape_unclosed_tags(line: str) -> str:
    """A ``<`` that starts a tag with no ``>`` before the next ``<`` becomes ``&lt;`` (outside code).

    Browsers show such a ``<`` as text anyway; Python-Markdown's HTML block parser takes quadratic
    time on many of them (``<a <a <a``), so on the plugin's pages they are escaped first.
    """
    if "<" not in line or _UNCLOSED_RE.search(line) is None:
        return line  # every "<" that starts a tag is closed: nothing to escape
    out = []
    for piece, code in outside_code(line):
        if code or "<" not in piece:
            out.append(piece)
            continue
        chars = list(piece)
        positions = [i for i, c in enumerate(piece) if c == "<"]
        for k, i in enumerate(positions):
            following = positions[k + 1] if k + 1 < len(positions) else len(piece)
            starts_tag = i + 1 < len(piece) and (piece[i + 1].isalpha() or piece[i + 1] in "/!?")
            if starts_tag and piece.find(">", i + 1, following) == -1:
                chars[i] = "&lt;"
        out.append("".join(chars))
    return "".join(out)


# a task line's labels: "- [ ] T012 [P] [US1] ..." (spec-kit's task format)
_TASK_LABELS_RE = re.compile(rf"^( {{0,8}}[-*+] +\[[ xX]\] +[*`]*{TASK_ID}[*`]*)((?: *\[[^\]\[\s]{{1,24}}\])+)")
_LABEL_RE = re.compile(r"\[([^\]\[\s]{1,24})\]")


def escape_task_labels(line: str) -> str:
    """A task's ``[P]`` and ``[US1]`` labels as text: never reference links (mkdocs-autorefs reads
    an undefined ``[US1]`` as a cross-reference and fails a strict build)."""
    match = _TASK_LABELS_RE.match(line) if "]" in line and "T" in line else None
    if match is None:
        return line
    labels = _LABEL_RE.sub(lambda m: f"\\[{m.group(1)}\\]", match.group(2))
    return match.group(1) + labels + line[match.end() :]


@dataclass(eq=False)
class Source:
    """A page's text as the escaping preprocessor saw it, what that made of it, and whether its
    tree had a text long enough to be kept plain (serve: the same text gives the same tree)."""

    text: tuple[str, ...]
    lines: list[str]
    long_text: bool | None = None  # not known until the tree is walked


class _UnclosedTags(markdown.preprocessors.Preprocessor):
    """On the plugin's own pages only; after fenced code is set aside, before HTML blocks are parsed.
    Also sets spec-kit's task labels as text."""

    def __init__(self, md: markdown.Markdown, extension: SpecPlanExtension) -> None:
        super().__init__(md)
        self.extension = extension
        self.breaks = mdtree.HeadingBreakPreprocessor(md)

    def run(self, lines: list[str]) -> list[str]:
        if self.extension.current is None:
            return lines
        escaped = self.extension.escaped
        if escaped is None:
            return self._escape(lines)
        # the text is its own key (compared line by line on a hit: no digest to compute, and the
        # lines are shared with the escaped ones, which keep the lines that need no escaping)
        source = escaped.last(text := tuple(lines))
        if source is None:
            source = Source(text, self._escape(lines))
        escaped.keep(source.text, source)
        self.extension.source = source
        return list(source.lines)

    def _escape(self, lines: list[str]) -> list[str]:
        return self.breaks.run([escape_task_labels(escape_unclosed_tags(line)) for line in lines])


class _LongText(mdtree.LongTextTreeprocessor):
    """On the plugin's own pages (plans, the dashboard, a feature's documents) only."""

    def __init__(self, md: markdown.Markdown, extension: SpecPlanExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        if self.extension.current is None:
            return
        source = self.extension.source
        if source is None or source.long_text is not False:  # walked, unless the same text had none
            found = self.keep_plain(root)
            if source is not None:
                source.long_text = found


# -- the pieces -------------------------------------------------------------------------------
SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(url: str) -> bool:
    """http, https, mailto and relative URLs; never javascript:, data:, vbscript: or other schemes."""
    if ":" not in url:
        return True  # no scheme at all
    cleaned = "".join(c for c in url if c > " " and c != "\x7f").lower()  # browsers ignore these in a scheme
    scheme, sep, _ = cleaned.partition(":")
    if not sep or "/" in scheme or "?" in scheme or "#" in scheme:
        return True  # no scheme: a relative URL
    return scheme in SAFE_SCHEMES


# the one style Python-Markdown's tables extension writes (a column's alignment)
_ALIGN_RE = re.compile(r"text-align: (?:left|right|center);")


def _neutralise(root: etree.Element, touched: list[etree.Element] | None) -> None:
    """Links and images with other schemes lose their target; on* and style attributes are removed
    (but a table column's alignment)."""
    for element in root.iter():
        names = element.keys()  # not .attrib: that gives every element an attribute dict of its own
        if not names:
            continue
        attrib = element.attrib
        for name in names:
            lowered = name.lower()
            if (
                lowered.startswith("on")
                or lowered in ("formaction", "srcdoc")
                or (lowered == "style" and not _ALIGN_RE.fullmatch(attrib[name]))
            ):
                del attrib[name]
            elif lowered in ("href", "src", "xlink:href", "action") and not safe_url(attrib[name]):
                attrib[name] = "#"
            else:
                continue
            if touched is not None:
                touched.append(element)


def _place_anchor(
    element: etree.Element, before: etree.Element | None, anchor: str, css: str, touched: list[etree.Element] | None
) -> None:
    """An ID on a list item or table row; an empty anchor element inside a heading or before a line."""
    if touched is not None:
        touched.append(element)
    if before is None and element.tag in ("li", "tr") and not element.get("id"):
        element.set("id", anchor)
        return
    marker = etree.Element("span", {"id": anchor, "class": css})
    if before is not None:
        index = list(element).index(before)
        element.insert(index, marker)
        return
    marker.tail = element.text
    element.text = None
    element.insert(0, marker)


def _add_trace(
    element: etree.Element, trace: Trace, parents: dict[etree.Element, etree.Element], touched: list[etree.Element] | None
) -> None:
    """A small line beside a requirement: where the plan covers it and which tasks carry it."""
    note = etree.Element("span", {"class": "specplan-req-trace" + (" specplan-req-uncovered" if trace.uncovered else "")})
    note.text = " Not covered by the plan or the tasks" if trace.uncovered and not (trace.planned or trace.tasks) else " "
    parts: list[tuple[str, tuple[tuple[str, str], ...]]] = [("Planned: ", trace.planned), ("Tasks: ", trace.tasks)]
    first = True
    last: etree.Element | None = None
    for label, links in parts:
        if not links:
            continue
        prefix = ("" if first else " · ") + label
        first = False
        if last is None:
            note.text = (note.text or "") + prefix
        else:
            last.tail = (last.tail or "") + prefix
        for i, (text, href) in enumerate(links):
            link = etree.SubElement(note, "a", {"href": href})
            link.text = text
            if i + 1 < len(links):
                link.tail = ", "
            last = link
    if element.tag in mdtree.HEADINGS:
        parent = parents.get(element)
        if parent is None:
            return
        block = etree.Element("p", {"class": "specplan-req-trace-block"})
        block.append(note)
        parent.insert(list(parent).index(element) + 1, block)
        if touched is not None:
            touched.append(parent)
        return
    if element.tag == "tr":
        cells = [c for c in element if c.tag in ("td", "th")]
        target = cells[-1] if cells else element
        target.append(note)
        if touched is not None:
            touched.append(target)
        return
    # a list item: after its own text, before any nested list
    target = (
        element[0]
        if element.tag == "li" and not (element.text or "").strip() and len(element) and element[0].tag == "p"
        else element
    )
    blocks = [i for i, c in enumerate(target) if c.tag in mdtree.BLOCK_TAGS]
    target.insert(blocks[0] if blocks else len(target), note)
    if touched is not None:
        touched.append(target)


_BOX_RE = re.compile(r"\s*\[([ xX])\](?:[ \t]+|\Z)")


def _checkboxes(root: etree.Element, touched: list[etree.Element] | None) -> None:
    """``- [x] ...`` items as checked boxes, ``- [ ] ...`` as empty ones (what pymdownx.tasklist
    does, where the site has not enabled it; where it has, no item starts with the mark any more)."""
    for li in list(root.iter("li")):
        holder = li[0] if not (li.text or "").strip() and len(li) and li[0].tag == "p" else li
        match = _BOX_RE.match(holder.text or "")
        if match is None or (holder is li and match.end() == len(li.text or "") and not len(li)):
            continue
        attributes = {"type": "checkbox", "disabled": "disabled"}
        if match.group(1) != " ":
            attributes["checked"] = "checked"
        box = etree.Element("input", attributes)
        box.tail = " " + (holder.text or "")[match.end() :]
        holder.text = ""
        holder.insert(0, box)
        li.set("class", " ".join(filter(None, (li.get("class"), "specplan-checkbox-item"))))
        if touched is not None:
            touched.append(li)
            if holder is not li:
                touched.append(holder)


def _anchor_tasks(root: etree.Element, used: set[str | None], touched: list[etree.Element] | None) -> None:
    for element, _ in mdtree.walk(root):
        if element.tag != "li" or element.get("id"):
            continue
        lead = mdtree.lead(element, code=True).lstrip()  # an ID in code is an ID
        box = mdtree.is_checkbox(lead)
        match = _TASK_ID_RE.match(box[1] if box else lead)
        if match:
            anchor = anchor_of(match.group(1))
            if anchor not in used:
                used.add(anchor)
                element.set("id", anchor)
                if touched is not None:
                    touched.append(element)


_NO_LINKS_IN = frozenset({"a", "code", "pre", "script", "style", "h1", "h2", "h3", "h4", "h5", "h6"})


_STASHED_RE = re.compile("\x02[^\x02\x03]*\x03")


def _link_mentions(root: etree.Element, syntax: IdSyntax, targets: dict[str, str], touched: list[etree.Element] | None) -> None:
    """Mentions of known IDs in text become links (never in code, links or headings)."""
    search = syntax.mention_re.search
    if search("\n".join(root.itertext())) is None:  # the page's text (more than is linked) mentions nothing
        return

    def split(text: str) -> list[str | etree.Element] | None:
        pieces: list[str | etree.Element] = []
        last = 0
        # stashed raw HTML (a tasklist's checkbox, say) stays whole, wherever the text is cut
        stashed = [m.span() for m in _STASHED_RE.finditer(text)] if "\x02" in text else []
        for match in syntax.mention_re.finditer(text):
            href = targets.get(syntax.normalise(match))
            if href is None or any(a < match.end() and match.start() < b for a, b in stashed):
                continue
            pieces.append(text[last : match.start()])
            link = etree.Element("a", {"href": href, "class": "specplan-mention"})
            link.text = match.group(0)
            pieces.append(link)
            last = match.end()
        if not pieces:
            return None
        pieces.append(text[last:])
        return pieces

    # code, links and headings are not entered: their text is never linked, nor the text between
    # their children (a child's tail); the text after one of them (its own tail) is
    texts: list[etree.Element] = []
    tails: list[tuple[etree.Element, etree.Element]] = []  # (child, parent)
    stack = [root]
    while stack:
        element = stack.pop()
        text = element.text
        if text and search(text):
            texts.append(element)
        for child in element:
            tail = child.tail
            if tail and search(tail):
                tails.append((child, element))
            if child.tag not in _NO_LINKS_IN:
                stack.append(child)
    _split_texts(texts, tails, split, touched)


def _split_texts(
    texts: list[etree.Element],
    tails: list[tuple[etree.Element, etree.Element]],
    split: Callable[[str], list[str | etree.Element] | None],
    touched: list[etree.Element] | None,
) -> None:
    """Each text (an element's, or a child's tail in its parent) as its pieces: text, link, text..."""
    for element in texts:
        pieces = split(element.text or "")
        if pieces:
            element.text = pieces[0]  # type: ignore[assignment]
            _insert_pieces(element, 0, pieces[1:])
            if touched is not None:
                touched.append(element)
    for child, parent in tails:
        pieces = split(child.tail or "")
        if pieces:
            child.tail = pieces[0]  # type: ignore[assignment]
            _insert_pieces(parent, list(parent).index(child) + 1, pieces[1:])
            if touched is not None:
                touched += (child, parent)


def _insert_pieces(parent: etree.Element, index: int, pieces: list[str | etree.Element]) -> None:
    """Insert link elements (each followed by the text after it) into ``parent`` at ``index``."""
    for i in range(0, len(pieces), 2):
        link = pieces[i]
        assert isinstance(link, etree.Element)
        text = pieces[i + 1] if i + 1 < len(pieces) else ""
        link.tail = text if isinstance(text, str) else ""
        parent.insert(index, link)
        index += 1


def _rewrite_links(root: etree.Element, rewrite: Callable[[str], str | None], touched: list[etree.Element] | None) -> None:
    for element in root.iter():
        attr = "href" if element.tag == "a" else "src" if element.tag == "img" else None
        value = element.get(attr) if attr else None
        if attr and value:
            new = rewrite(value)
            if new is not None:
                element.set(attr, new)
                if touched is not None:
                    touched.append(element)


def _insert_note(root: etree.Element, placeholder: str) -> None:
    """The note goes right after the first top-level H1 (the title stays first), else at the top."""
    block = etree.Element("p")
    block.text = placeholder
    children = list(root)
    for i, child in enumerate(children):
        if child.tag == "h1":
            root.insert(i + 1, block)
            return
    root.insert(0, block)
