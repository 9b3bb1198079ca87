"""Plan pages, the dashboard and the JSON for builders that are not MkDocs (Zensical, any generator
that runs Python-Markdown). Reads the same ``mkdocs.yml`` options as the plugin.

A page of the site stands in for each generated page: a *stub*, one HTML comment that names what
to render there, e.g. ``<!-- specplan: plan.yaml 3f2a9c1b0d4e -->`` in ``specs/001-x/plan.md`` or
``<!-- specplan: dashboard 3f2a9c1b0d4e -->`` in ``plans/index.md``. ``specplan build`` writes
the stubs (the hex digest changes whenever an input does, so a builder's own cache re-renders
them), the JSON and the stylesheet; the Markdown extension (:mod:`mkdocs_specplan.extension`)
replaces each stub by its page while the builder renders it. Free of MkDocs' build machinery (its
configuration classes validate the options).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...core.model import Problem, Settings
from ...project.features import Constitution, Siblings, SiteFiles
from ...project.loading import CSS_PATH, CSS_URI, LoadedSite, SiteOptions, constitution_candidates, glob_to_regex, load_site
from ...project.portfolio import Portfolio, build_portfolio
from ...project.records import PlanPage, PlanSource
from ...speckit.documents import IdSyntax, read_constitution
from ...support.text import decode_text
from ...views.dashboard import dashboard_view
from ...views.export import export_json
from ...views.plan_page import PageOptions, front_matter, render_plan_page
from ...views.renderer import Renderer

STUB_RE = re.compile(r"^\s*<!--\s*specplan:\s*(?P<target>[^\s>]+)(?:\s+(?P<digest>[0-9a-f]{6,64}))?\s*-->\s*$")
DASHBOARD = "dashboard"
STUB_LIMIT = 4096  # a stub is one line, with its front matter: larger files are never stubs


class ProjectError(Exception):
    """The configuration cannot be read or is wrong."""


def stub_target(text: str) -> tuple[str, str | None] | None:
    """(what a stub page names, its digest), or None when the text is not a stub. Front matter is allowed."""
    if len(text) > STUB_LIMIT:
        return None
    body = text
    if body.startswith("---"):
        end = body.find("\n---", 3)
        if end == -1:
            return None
        body = body[body.find("\n", end + 1) + 1 :] if body.find("\n", end + 1) != -1 else ""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) != 1:
        return None
    match = STUB_RE.match(lines[0])
    return (match.group("target"), match.group("digest")) if match else None


def stub_text(target: str, digest: str, meta: str = "") -> str:
    return f"{meta}<!-- specplan: {target} {digest} -->\n"


class _Tolerant(yaml.SafeLoader):
    """mkdocs.yml with tags this module does not need (!ENV, !!python/name:...) read as plain values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_Tolerant.add_multi_constructor("!", _any_tag)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", _any_tag)


def plugin_options(document: dict[str, Any]) -> dict[str, Any]:
    """The ``specplan`` plugin's options in a ``mkdocs.yml`` (empty when it is listed bare or not at all)."""
    plugins = document.get("plugins") or []
    items = (
        plugins.items()
        if isinstance(plugins, dict)
        else (
            (p, None) if isinstance(p, str) else next(iter(p.items()), (None, None))
            for p in plugins
            if isinstance(p, (str, dict))
        )
    )
    for name, options in items:
        if name == "specplan":
            return dict(options or {})
    return {}


@dataclass
class Project:
    """A site's configuration, as this package needs it."""

    root: str
    docs_dir: str
    options: Any  # SpecPlanConfig, validated
    settings: Settings
    today: dt.date
    renderer: Renderer
    digest_salt: str = ""
    dashboard_uri: str | None = "plans/index.md"
    json_uri: str | None = "plans/plans.json"

    @classmethod
    def open(cls, config_file: str) -> Project:
        from ...config import SpecPlanConfig, build_date, make_settings, site_path

        try:
            with open(config_file, encoding="utf-8") as handle:
                document = yaml.load(handle, Loader=_Tolerant) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ProjectError(f"{config_file}: cannot be read ({' '.join(str(exc).split())[:200]})") from None
        if not isinstance(document, dict):
            raise ProjectError(f"{config_file}: expected a mapping of settings")
        root = os.path.dirname(os.path.abspath(config_file))
        raw = plugin_options(document)
        options: Any = SpecPlanConfig(config_file_path=os.path.abspath(config_file))
        options.load_dict(raw)
        errors, _ = options.validate()
        if errors:
            raise ProjectError("; ".join(f"specplan: {name}: {error}" for name, error in errors))
        try:
            today = build_date(options.build_date)
            renderer = Renderer(make_settings(options), options.template, options.templates_dir)
        except Exception as exc:
            raise ProjectError(f"specplan: {exc}") from None
        docs_dir = os.path.join(root, str(document.get("docs_dir") or "docs"))
        salt = repr(sorted(raw.items(), key=lambda kv: kv[0]))
        project = cls(root, docs_dir, options, renderer.settings, today, renderer, salt)
        try:
            project.dashboard_uri = site_path(options.dashboard, "plans/index.md", ".md")
            project.json_uri = site_path(options.json, "plans/plans.json", ".json")
        except ValueError as exc:
            raise ProjectError(f"specplan: {exc}") from None
        return project


@dataclass
class StandaloneSite:
    """The site under ``docs_dir``, loaded as the plugin loads it."""

    project: Project
    uris: set[str] = field(default_factory=set)
    stubs: dict[str, str] = field(default_factory=dict)  # page path -> what it names
    loaded: LoadedSite | None = None
    digest: str = ""
    problems: list[Problem] = field(default_factory=list)
    _by_key: dict[str, PlanPage] | None = None

    def _walk(self) -> list[tuple[str, os.stat_result]]:
        found = []
        docs = self.project.docs_dir
        for folder, dirnames, filenames in os.walk(docs):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = os.path.join(folder, name)
                try:
                    found.append((Path(os.path.relpath(path, docs)).as_posix(), os.stat(path)))
                except OSError:
                    continue
        return found

    def _read(self, uri: str) -> str | None:
        path = os.path.join(self.project.docs_dir, uri)
        try:
            if os.path.getsize(path) > self.project.options.max_document_size:
                self.problems.append(Problem(uri, None, None, "", "is more than max_document_size; it is not read"))
                return None
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        text, guess = decode_text(data)
        if guess is not None:
            self.problems.append(Problem(uri, None, None, "", f"is not UTF-8; it was read as {guess}. Save it as UTF-8"))
        return text

    def load(self) -> StandaloneSite:
        files = self._walk()
        generated = {self.project.json_uri or "", CSS_URI}
        signature = hashlib.sha256(self.project.digest_salt.encode())
        small_pages = [(uri, st) for uri, st in files if uri.endswith(".md") and st.st_size <= STUB_LIMIT]
        for uri, _ in small_pages:
            text = self._read(uri)
            stub = stub_target(text or "")
            if stub is not None:
                self.stubs[uri] = stub[0]
        for uri, st in files:
            if uri in self.stubs or uri in generated:
                continue
            self.uris.add(uri)
            signature.update(f"{uri}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
        signature.update(self.project.today.isoformat().encode())
        self.digest = signature.hexdigest()[:12]
        options = self.project.options
        patterns = [glob_to_regex(p.lstrip("/")) for p in options.sources]
        sources = []
        for uri in sorted(u for u in self.uris if any(p.match(u) for p in patterns)):
            abs_path = os.path.join(self.project.docs_dir, uri)
            text = self._read(uri)
            error = None if text is not None else "cannot be read"
            if os.path.getsize(abs_path) > options.max_file_size:
                text, error = "", "is more than max_file_size; it is not read"
            sources.append(PlanSource(uri, text or "", uri, error, abs_path))
        site_options = SiteOptions(
            self.project.settings,
            Siblings(**options.siblings),
            IdSyntax(tuple(options.requirement_prefixes), tuple(options.story_labels)),
            options.missing_links == "warn",
            self.project.today,
            baseline=options.baseline.strip() or "approved",
            history=options.history,
        )
        site = SiteFiles(set(self.uris) - {s.src_uri for s in sources}, self._read)
        self.loaded = load_site(site, sources, self._constitution(), site_options)
        return self

    def _constitution(self) -> Constitution | None:
        candidates = constitution_candidates(self.uris)
        if not candidates:
            return None
        text = self._read(candidates[0])
        return Constitution(candidates[0], read_constitution(text)) if text is not None else None

    @property
    def pages(self) -> list[PlanPage]:
        return self.loaded.pages if self.loaded else []

    def plan_markdown(self, page: PlanPage) -> str:
        if self._by_key is None:  # once per loaded site: a builder renders every plan page from it
            self._by_key = {p.source.src_uri: p for p in self.pages}
        options = PageOptions(self.project.options.timeline, self.project.options.show_missing_sections)
        return render_plan_page(page, self._by_key, self.project.today, self.project.renderer, options)

    def portfolio(self, dashboard_uri: str) -> Portfolio:
        assert self.loaded is not None
        stubbed = {posixpath.join(p.source.folder, "plan.md") for p in self.pages}
        site_pages = {u for u in self.uris if u.endswith(".md")} | stubbed | {dashboard_uri}

        def url_of(uri: str | None) -> str | None:
            return page_url(uri) if uri and uri in site_pages else None

        features = sorted(self.loaded.features.values(), key=lambda f: f.folder)
        return build_portfolio(
            self.pages,
            features,
            (dashboard_uri, page_url(dashboard_uri)),
            url_of,
            self.project.settings,
            self.project.today,
            stale_days=self.project.options.stale_days,
            edges=self.loaded.edges,
            critical_plans=self.loaded.critical_plans,
        )

    def dashboard_markdown(self, dashboard_uri: str) -> str:
        options = self.project.options
        json_uri = self.project.json_uri
        folder = posixpath.dirname(dashboard_uri) or "."
        json_href = posixpath.relpath(json_uri, folder) if json_uri else None
        view = dashboard_view(self.portfolio(dashboard_uri), options.dashboard_title, json_href)
        return self.project.renderer.render_markdown("dashboard.md.j2", dashboard=view)

    def export(self, dashboard_uri: str) -> str:
        return export_json(self.portfolio(dashboard_uri), self.project.options.json_indent)

    def plan_for(self, stub_uri: str, target: str) -> PlanPage | None:
        wanted = posixpath.normpath(posixpath.join(posixpath.dirname(stub_uri), target))
        return next((p for p in self.pages if p.source.src_uri == wanted), None)


def page_url(uri: str) -> str:
    """A page's URL with directory URLs: "specs/x/spec.md" -> "specs/x/spec/", "plans/index.md" -> "plans/"."""
    stem = uri[: -len(".md")] if uri.endswith(".md") else uri
    if stem == "index" or stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def write_site(site: StandaloneSite) -> tuple[list[str], list[Problem]]:
    """Write the stubs, the JSON and the stylesheet into docs_dir; remove stubs whose plan is gone.

    Returns the paths written (relative to docs_dir) and the problems met (a hand-written page in
    a generated page's place is kept)."""
    project, docs = site.project, site.project.docs_dir
    written: list[str] = []
    problems: list[Problem] = []
    wanted: dict[str, str] = {}
    for page in site.pages:
        uri = posixpath.join(page.source.folder, "plan.md")
        target = posixpath.basename(page.source.src_uri)
        wanted[uri] = stub_text(target, site.digest, front_matter(page.plan))
    if project.dashboard_uri:
        wanted[project.dashboard_uri] = stub_text(DASHBOARD, site.digest, front_matter(None))
    for uri, text in wanted.items():
        if uri in site.uris:  # a page that is not a stub: kept
            problems.append(
                Problem(
                    uri,
                    None,
                    None,
                    "",
                    "a hand-written page is in a generated page's place; it is kept and the page is not generated",
                )
            )
            continue
        if _write(docs, uri, text):
            written.append(uri)
    for uri in site.stubs:
        if uri not in wanted:
            os.remove(os.path.join(docs, uri))
            written.append(uri)
    if project.json_uri and _write(docs, project.json_uri, site.export(project.dashboard_uri or "plans/index.md")):
        written.append(project.json_uri)
    if project.options.css and _write(docs, CSS_URI, CSS_PATH.read_text(encoding="utf-8")):
        written.append(CSS_URI)
    return written, problems


def _write(docs: str, uri: str, text: str) -> bool:
    """Write a file when its text changes (a builder's cache and a watcher see only real changes)."""
    path = os.path.join(docs, uri)
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except (OSError, UnicodeDecodeError):
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return True


MANIFEST = ".specplan-published"  # in docs_dir/<specs_url>: the files specplan build copied there


def published_copies(docs_dir: str, specs_url: str) -> set[str]:
    """The site paths of the specs_dir files ``specplan build`` copied into docs_dir (read from its manifest)."""
    prefix = specs_url.strip().strip("/")
    try:
        with open(os.path.join(docs_dir, prefix, MANIFEST), encoding="utf-8") as handle:
            return {posixpath.join(prefix, line.rstrip("\n")) for line in handle if line.strip()}
    except OSError:
        return set()


def publish_specs(project: Project) -> tuple[list[str], list[Problem]]:
    """Copy specs_dir into docs_dir/<specs_url> (what the plugin publishes without copying), keeping a
    manifest so a copy whose source is gone is removed and the plugin knows the copies for its own."""
    options = project.options
    if not options.specs_dir:
        return [], []
    root = os.path.realpath(options.specs_dir)
    prefix = options.specs_url.strip().strip("/")
    target = os.path.join(project.docs_dir, prefix)
    before = {uri[len(prefix) + 1 :] if prefix else uri for uri in published_copies(project.docs_dir, options.specs_url)}
    copied: list[str] = []
    problems: list[Problem] = []
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(n for n in filenames if not n.startswith(".")):
            source = os.path.join(folder, name)
            rel = Path(os.path.relpath(source, root)).as_posix()
            if not os.path.realpath(source).startswith(root + os.sep) or not os.path.isfile(source):
                problems.append(Problem(rel, None, None, "", "links outside specs_dir or cannot be read; it is not published"))
                continue
            dest = os.path.join(target, rel)
            if os.path.exists(dest) and rel not in before:
                problems.append(
                    Problem(rel, None, None, "", f"not published, because docs_dir already has {posixpath.join(prefix, rel)}")
                )
                continue
            data = Path(source).read_bytes()
            if not os.path.exists(dest) or Path(dest).read_bytes() != data:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                Path(dest).write_bytes(data)
            copied.append(rel)
    for gone in sorted(before - set(copied)):
        path = os.path.join(target, gone)
        if os.path.isfile(path):
            os.remove(path)
    os.makedirs(target, exist_ok=True)
    _write(project.docs_dir, posixpath.join(prefix, MANIFEST), "".join(f"{rel}\n" for rel in copied))
    return copied, problems
