"""The sites file (``data/sites.toml``): one ``[sites.<name>]`` table per site.

Unknown keys and wrong types are errors, like everywhere else in tenkan's
configuration. See the comment at the top of ``data/sites.toml`` for the keys.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tenkan.config import from_dict, option
from tenkan.errors import ConfigError
from tenkan.paths import SITES_FILE

__all__ = ["SiteConfig", "load_sites"]


@dataclass
class SiteConfig:
    name: str = option("", "the table name ([sites.<name>]); filled in by the loader")
    title: str = option("", "human name of the site")
    start_urls: list[str] = option([], "pages the crawl starts from")
    sitemaps: list[str] = option([], "sitemap.xml URLs (robots.txt Sitemap: lines are added)")
    allow: list[str] = option(["^/"], "regular expressions on the URL path (+ ?query); a page must match one")
    deny: list[str] = option([], "regular expressions on the URL path (+ ?query); a page matching one is skipped")
    hosts: list[str] = option([], "extra host names the crawl may visit (the start URLs' hosts always are)")
    max_pages: int = option(500, "most pages fetched per run")
    max_depth: int = option(5, "most links followed from a start URL or sitemap entry")
    rate_limit_s: float = option(1.0, "minimum seconds between two requests to the host (Crawl-delay wins if larger)")
    concurrency: int = option(1, "simultaneous requests to the host")
    user_agent: str = option("", "overrides ingest.user_agent for this site")
    attribution: str = option("", "licence / attribution line stored with every document")
    pdf: bool = option(True, "fetch and extract PDF documents (links, sitemap entries, start URLs) on this site")
    _allow_re: list = field(default_factory=list, init=False, repr=False, compare=False)
    _deny_re: list = field(default_factory=list, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.start_urls and not self.sitemaps:
            raise ValueError("a site needs start_urls or sitemaps")
        for u in self.start_urls + self.sitemaps:
            if urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc:
                raise ValueError(f"{u!r} is not an absolute http(s) URL")
        if self.max_pages < 1 or self.max_depth < 0:
            raise ValueError("max_pages must be >= 1 and max_depth >= 0")
        if self.rate_limit_s < 0:
            raise ValueError("rate_limit_s must be >= 0")
        if self.concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        try:
            self._allow_re = [re.compile(p) for p in self.allow]
            self._deny_re = [re.compile(p) for p in self.deny]
        except re.error as exc:
            raise ValueError(f"bad allow/deny pattern: {exc}") from exc

    @property
    def allowed_hosts(self) -> set[str]:
        hosts = {urlsplit(u).netloc.lower() for u in self.start_urls + self.sitemaps}
        return hosts | {h.lower() for h in self.hosts}

    def path_allowed(self, url: str) -> str | None:
        """None if the site's patterns allow ``url``, else the reason it is excluded."""
        parts = urlsplit(url)
        if parts.netloc.lower() not in self.allowed_hosts:
            return f"host {parts.netloc} is outside the site"
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        if self._allow_re and not any(r.search(target) for r in self._allow_re):
            return "matches no allow pattern"
        for r in self._deny_re:
            if r.search(target):
                return f"matches deny pattern {r.pattern!r}"
        return None


def load_sites(path: str | Path | None, names: list[str] | None = None) -> dict[str, SiteConfig]:
    """Read the sites file; return the named sites (all when ``names`` is None) in order."""
    p = Path(path) if path else SITES_FILE
    if not p.is_file():
        raise ConfigError(f"sites file {p} does not exist", hint="set ingest.sites_file or restore data/sites.toml")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sites file {p} is not valid TOML: {exc}") from exc
    extra = sorted(set(data) - {"sites"})
    if extra:
        raise ConfigError(f"sites file {p}: unknown top-level key(s) {', '.join(extra)}; only [sites.<name>] tables")
    tables = data.get("sites", {})
    wanted = list(tables) if names is None else names
    missing = [n for n in wanted if n not in tables]
    if missing:
        raise ConfigError(
            f"site(s) {', '.join(missing)} not in {p}; defined: {', '.join(tables) or 'none'}",
            hint="fix ingest.sites or add a [sites.<name>] table",
        )
    out = {}
    for n in wanted:
        table = dict(tables[n])
        if "name" in table:
            raise ConfigError(f"[sites.{n}] must not set 'name' (the table name is the name)")
        table["name"] = n
        out[n] = from_dict(SiteConfig, table, f"sites.{n}")
    return out
