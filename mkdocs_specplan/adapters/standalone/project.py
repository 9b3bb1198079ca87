"""A site's ``mkdocs.yml`` read as MkDocs reads it (``!ENV``, ``INHERIT``, its own option types),
for builders that do not run MkDocs plugins: the plugin's options and the few of MkDocs' own the
pipeline needs (folders, URLs, exclude_docs / draft_docs / not_in_nav). Tags that name Python
objects (``!!python/name:...``, as Material's configurations write them) are read as plain values:
only the Markdown builder needs those."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import ConfigurationError
from mkdocs.utils.yaml import get_yaml_loader, yaml_load

from ...config import SpecPlanConfig, site_config
from ...pipeline.options import OptionError, SiteConfig


class ProjectError(Exception):
    """The configuration cannot be read or is wrong."""


class SiteSettings(base.Config):
    """MkDocs' own options the pipeline needs, validated by MkDocs' option types."""

    site_name = c.Type(str, default="")
    docs_dir = c.DocsDir(default="docs", exists=True)
    site_dir = c.SiteDir(default="site")
    use_directory_urls = c.Type(bool, default=True)
    exclude_docs = c.Optional(c.PathSpec())
    draft_docs = c.Optional(c.PathSpec())
    not_in_nav = c.Optional(c.PathSpec())


SETTINGS = ("site_name", "docs_dir", "site_dir", "use_directory_urls", "exclude_docs", "draft_docs", "not_in_nav")


def _loader() -> type[yaml.BaseLoader]:
    loader: Any = get_yaml_loader()

    class Tolerant(loader):  # type: ignore[misc]
        """MkDocs' loader, with Python tags read as the plain values they are written with."""

    def plain(loader: yaml.BaseLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_mapping(node)  # type: ignore[arg-type]

    Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", plain)
    return Tolerant


def plugin_options(document: dict[str, Any]) -> dict[str, Any] | None:
    """The ``specplan`` plugin's options in a ``mkdocs.yml`` (empty when it is listed bare; None when
    it is not listed)."""
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
    return None


@dataclass
class Project:
    """A site's configuration, as the pipeline needs it."""

    config: SiteConfig
    settings: SiteSettings  # MkDocs' own options (get_files reads the site's files with them)
    enabled: bool = True

    @classmethod
    def open(cls, config_file: str) -> Project:
        path = os.path.abspath(config_file)
        try:
            with open(path, encoding="utf-8-sig") as handle:
                document = yaml_load(handle, _loader())
        except (OSError, ConfigurationError, yaml.YAMLError) as exc:
            raise ProjectError(f"{config_file}: cannot be read ({' '.join(str(exc).split())[:300]})") from None
        if not isinstance(document, dict):
            raise ProjectError(f"{config_file}: expected a mapping of settings")
        settings = SiteSettings(config_file_path=path)
        settings.load_dict({k: document[k] for k in SETTINGS if k in document})
        errors, _ = settings.validate()
        if errors:
            raise ProjectError("; ".join(f"{config_file}: {name}: {error}" for name, error in errors))
        raw = plugin_options(document)
        options: Any = SpecPlanConfig(config_file_path=path)
        options.load_dict(raw or {})
        errors, _ = options.validate()
        if errors:
            raise ProjectError("; ".join(f"specplan: {name}: {error}" for name, error in errors))
        try:
            config = site_config(
                options,
                docs_dir=settings.docs_dir,
                site_dir=settings.site_dir,
                config_file=path,
                use_directory_urls=settings.use_directory_urls,
            )
        except OptionError as exc:
            raise ProjectError(f"specplan: {exc}") from None
        return cls(config, settings, enabled=raw is not None and config.enabled)
