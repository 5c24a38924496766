"""robots.txt as RFC 9309 reads it: longest match wins, ``*`` and ``$`` are patterns,
the group of our own product token beats ``*``; and a crawl fetches exactly what
those rules allow."""

from __future__ import annotations

import pytest

from tests.fixtures.ingest import page, send
from tests.test_ingest_faults import JA, body, run_crawl


def _robots(hostile_site, text: str, user_agent: str = "tenkan/0.1 (+test)"):
    from ingest.config import IngestConfig
    from ingest.fetch import Fetcher
    from ingest.robots import fetch_robots

    hostile_site.routes["/robots.txt"] = lambda h: send(h, 200, text.encode("utf-8"), "text/plain")
    fetcher = Fetcher(IngestConfig(timeout_s=2.0, max_retries=0), user_agent)
    try:
        return fetch_robots(fetcher, hostile_site.base_url, user_agent)
    finally:
        fetcher.close()


CASES = [
    # (robots.txt, path, allowed) -- the first two are the cases urllib.robotparser gets wrong
    ("User-agent: *\nDisallow: /*.pdf$\n", "/a.pdf", False),
    ("User-agent: *\nDisallow: /private\nAllow: /private/public-page.html\n", "/private/public-page.html", True),
    ("User-agent: *\nDisallow: /private\nAllow: /private/public-page.html\n", "/private/other.html", False),
    ("User-agent: *\nDisallow: /*.pdf$\n", "/a.pdf?page=2", True),          # $ anchors the end
    ("User-agent: *\nDisallow: /*.pdf$\n", "/docs/b.PDF", True),            # paths are case-sensitive
    ("User-agent: *\nDisallow: /*?print=\n", "/article.html?print=1", False),
    ("User-agent: *\nDisallow: /*?print=\n", "/article.html", True),
    ("User-agent: *\nAllow: /shop/*/help\nDisallow: /shop/\n", "/shop/x/help", True),  # longer rule wins, order ignored
    ("User-agent: *\nAllow: /shop/*/help\nDisallow: /shop/\n", "/shop/x/cart", False),
    ("User-agent: *\nDisallow: /page\nAllow: /page\n", "/page", True),        # equal length: Allow wins
    ("User-agent: *\nDisallow:\n", "/anything.html", True),                    # empty Disallow = allow all
    ("User-agent: *\nDisallow: /\n\nUser-agent: tenkan\nDisallow: /no/\n", "/yes.html", True),  # our own group
    ("User-agent: *\nDisallow: /\n\nUser-agent: tenkan\nDisallow: /no/\n", "/no/x.html", False),
    ("User-agent: otherbot\nDisallow: /\n", "/x.html", True),                  # someone else's group
]


@pytest.mark.parametrize("text,path,allowed", CASES)
def test_rules_follow_rfc9309(hostile_site, text, path, allowed):
    r = _robots(hostile_site, text)
    assert r.status == "rules"
    assert r.can_fetch(hostile_site.base_url + path) is allowed


def test_crawl_delay_and_sitemaps_are_read(hostile_site):
    r = _robots(hostile_site, "User-agent: tenkan\nCrawl-delay: 1.5\nDisallow: /x\n\n"
                              "User-agent: *\nCrawl-delay: 9\n\nSitemap: http://127.0.0.1:1/sitemap.xml\n")
    assert r.crawl_delay == 1.5
    assert r.sitemaps == ["http://127.0.0.1:1/sitemap.xml"]
    bad = _robots(hostile_site, "User-agent: *\nCrawl-delay: soon\n")
    assert bad.crawl_delay == 0.0 and bad.status == "rules"


def test_unfetchable_robots_policy_is_kept(hostile_site):
    from ingest.config import IngestConfig
    from ingest.fetch import Fetcher
    from ingest.robots import fetch_robots

    fetcher = Fetcher(IngestConfig(timeout_s=1.0, max_retries=0), "tenkan/0.1")
    try:
        for status, expected in ((404, "none"), (403, "none"), (500, "unreachable"), (429, "unreachable")):
            hostile_site.routes["/robots.txt"] = lambda h, s=status: send(h, s, b"")
            r = fetch_robots(fetcher, hostile_site.base_url, "tenkan/0.1")
            assert r.status == expected, status
            assert r.can_fetch(hostile_site.base_url + "/a.html") is (expected == "none")
    finally:
        fetcher.close()


def test_crawl_fetches_exactly_what_rfc9309_allows(tmp_path, hostile_site):
    """A site whose robots.txt uses wildcards, ``$`` and Allow overrides inside a disallowed
    folder: the crawl requests exactly the allowed pages and none of the others."""
    s = hostile_site
    robots = ("User-agent: *\nDisallow: /\n\n"            # everyone else: nothing
              "User-agent: tenkan\n"
              "Disallow: /private\n"
              "Allow: /private/public-page.html\n"
              "Disallow: /*.php$\n"
              "Disallow: /*?print=\n")
    s.routes["/robots.txt"] = lambda h: send(h, 200, robots.encode(), "text/plain")
    pages = {
        "/": True,
        "/private/public-page.html": True,     # Allow overrides the shorter Disallow
        "/private/secret.html": False,
        "/privatestuff.html": False,           # /private is a prefix match
        "/old.php": False,                     # /*.php$
        "/old.php?id=2": True,                 # $ anchors the end: a query string escapes it
        "/article.html": True,
        "/article.html?print=1": False,        # /*?print=
    }
    links = "".join(f'<li><a href="{p}">{p}</a></li>' for p in pages if p != "/")
    requested: list[str] = []

    def route(h):
        requested.append(h.path)
        text = body(JA + f"（{h.path}）", 3) + (f"<ul>{links}</ul>" if h.path == "/" else "")
        send(h, 200, page(f"ページ {h.path}", text))

    for p in pages:
        s.routes[p.split("?")[0]] = route
    summary, ws = run_crawl(tmp_path, s, user_agent="tenkan/0.1 (+https://example.invalid/bot)")
    assert summary.ok, summary.format()
    assert sorted(set(requested)) == sorted(p for p, ok in pages.items() if ok)
    reasons = {r["url"][len(s.base_url):]: r["reason"] for r in summary.reasons}
    for p, ok in pages.items():
        if not ok:
            assert reasons.get(p) == "disallowed by robots.txt", (p, reasons.get(p))
