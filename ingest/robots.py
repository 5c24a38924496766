"""robots.txt and sitemaps.

The rules are matched by ``protego`` as RFC 9309 says: the most specific
(longest) matching rule wins, ``Allow`` wins a tie, ``*`` matches any run of
characters and a trailing ``$`` anchors the end of the path (``Disallow:
/*.pdf$`` refuses ``/a.pdf`` but not ``/a.pdf?page=2``). The standard
library's ``urllib.robotparser`` gets both wrong (first rule wins, wildcards
are literal), which is why it is not used.

How an unfetchable robots.txt is treated (RFC 9309 §2.3.1, as Google does it):

* 2xx: the rules apply (``Disallow``, ``Allow``, ``Crawl-delay``, ``Sitemap``).
* 3xx: followed (up to ``ingest.max_redirects`` hops) like any page.
* 4xx (404, 410, also 401/403): "unavailable" — there are no rules, everything
  may be crawled.
* 5xx, 429, a timeout (``ingest.timeout_s``; a hanging robots.txt never hangs
  the crawl) or a connection failure: "unreachable" — the site is treated as
  fully disallowed **for this run**: nothing is fetched, every stored document
  of the site is kept as it is, the site is reported as failed (so ``tenkan
  refresh`` exits non-zero) and the next run asks again.
"""

from __future__ import annotations

import gzip
import html
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from protego import Protego

from tenkan.errors import FetchError

__all__ = ["Robots", "fetch_robots", "fetch_sitemap_urls"]

log = logging.getLogger(__name__)


@dataclass
class Robots:
    status: str  # "rules" | "none" (4xx: allow all) | "unreachable" (disallow all this run)
    reason: str = ""
    crawl_delay: float = 0.0
    sitemaps: list[str] = field(default_factory=list)
    _parser: Any = None  # protego.Protego when status == "rules"
    _agent: str = "*"

    def can_fetch(self, url: str) -> bool:
        if self.status == "none":
            return True
        if self.status == "unreachable" or self._parser is None:
            return False
        return self._parser.can_fetch(url, self._agent)


def _agent_token(user_agent: str) -> str:
    return user_agent.split("/")[0].split()[0] if user_agent.strip() else "*"


def fetch_robots(fetcher, base: str, user_agent: str) -> Robots:
    """Fetch and parse ``<base>/robots.txt`` (``base`` = scheme://host[:port])."""
    url = base.rstrip("/") + "/robots.txt"
    try:
        resp = fetcher.get(url, retries=0, max_bytes=512_000)
    except FetchError as exc:
        return Robots("unreachable", f"robots.txt {url} unreachable ({exc}); site treated as disallowed this run")
    if 400 <= resp.status < 500 and resp.status != 429:
        log.info("%s: HTTP %d, no rules: everything allowed", url, resp.status)
        return Robots("none", f"robots.txt HTTP {resp.status}")
    if resp.status != 200:
        return Robots("unreachable", f"robots.txt {url} answered HTTP {resp.status}; site treated as disallowed this run")
    text = resp.body.decode("utf-8", errors="replace")
    parser = Protego.parse(text)
    agent = _agent_token(user_agent)
    delay = parser.crawl_delay(agent)
    try:
        delay = float(delay) if delay is not None else 0.0
    except (TypeError, ValueError):
        delay = 0.0
    if delay != delay:  # NaN from a malformed Crawl-delay
        delay = 0.0
    sitemaps = [fetcher.mirror.from_wire(s.strip()) for s in (parser.sitemaps or []) if s.strip()]
    return Robots("rules", "", crawl_delay=max(0.0, delay), sitemaps=sitemaps, _parser=parser, _agent=agent)


_LOC = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.I | re.S)


def fetch_sitemap_urls(fetcher, url: str, allowed_hosts: set[str], limit: int = 50_000, _depth: int = 0) -> list[str]:
    """Page URLs listed in a sitemap (sitemap indexes followed two levels deep)."""
    try:
        resp = fetcher.get(url, retries=1)
    except FetchError as exc:
        log.warning("sitemap %s skipped: %s", url, exc)
        return []
    if resp.status != 200:
        log.warning("sitemap %s skipped: HTTP %d", url, resp.status)
        return []
    body = resp.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            log.warning("sitemap %s skipped: bad gzip", url)
            return []
    text = body.decode("utf-8", errors="replace")
    locs = [fetcher.mirror.from_wire(html.unescape(m)) for m in _LOC.findall(text)]
    locs = [u for u in locs if urlsplit(u).netloc.lower() in allowed_hosts]
    if "<sitemapindex" in text[:2000].lower() and _depth < 2:
        out: list[str] = []
        for child in locs[:100]:
            out.extend(fetch_sitemap_urls(fetcher, child, allowed_hosts, limit - len(out), _depth + 1))
            if len(out) >= limit:
                break
        return out[:limit]
    return locs[:limit]
