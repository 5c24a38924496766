"""The crawl: robots.txt, sitemaps and links per site, fetched with per-host
rate limits and concurrency, decoded, extracted, versioned in SQLite, then
de-duplicated, tombstoned and exported to ``corpus/documents.jsonl``.

Worker threads only fetch and extract; the calling thread owns the SQLite
connection and writes each page's outcome in its own transaction.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from ingest.config import IngestConfig, IngestSettings
from ingest.corpus import STATE_DB, export_corpus
from ingest.dedup import find_duplicates
from ingest.encoding import MojibakeError, decode_html
from ingest.extract import extract_links, extract_page
from ingest.fetch import Fetcher, MirrorMap, TooLargeError
from ingest.pdf import GENERIC_TYPES, PDF_TYPES, PdfLimits, PdfSkipped, extract_pdf, is_pdf, looks_like_html
from ingest.robots import fetch_robots, fetch_sitemap_urls
from ingest.sites import load_sites
from ingest.state import CrawlState
from ingest.summary import CrawlSummary, SiteSummary
from tenkan.errors import FetchError
from tenkan.manifest import sha256_text
from tenkan.paths import Workspace

__all__ = ["run_crawl", "doc_id_for"]

log = logging.getLogger("ingest.crawl")

_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"PK\x03\x04", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"\x7fELF", b"OggS", b"RIFF")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
#: Link targets that are never pages: not followed (a start URL or sitemap entry still is fetched).
_NOT_PAGES = (".xml", ".xml.gz", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".ico", ".css", ".js",
              ".zip", ".gz", ".mp3", ".mp4", ".mov", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt")


def _not_a_page(url: str, pdf_ok: bool) -> bool:
    """Links not worth following: files that are never pages, and PDFs on a site with pdf = false."""
    path = urlsplit(url).path.lower()
    return path.endswith(_NOT_PAGES) or (not pdf_ok and path.endswith(".pdf"))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def doc_id_for(canonical_url: str) -> str:
    """Stable document id of a canonical URL: ``d-`` + 12 hex of its sha256."""
    return "d-" + hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:12]


@dataclass
class PageResult:
    url: str
    depth: int
    kind: str  # content | not_modified | not_found | failed | skipped
    status: int | None = None
    final_url: str = ""
    redirects: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    extracted: object = None
    links: list[str] | None = None
    canonical: str | None = None
    encoding: str | None = None
    reason: str = ""
    media_type: str = "text/html"
    #: why a PDF was not stored (PdfSkipped.kind: needs_ocr, encrypted, truncated, damaged, limit, empty)
    pdf_problem: str = ""


def _fetch_page(fetcher: Fetcher, cfg: IngestConfig, url: str, depth: int, row: dict | None, full: bool, allowed,
                pdf_ok: bool = False) -> PageResult:
    etag = last_mod = None
    if not full and row and row.get("content_hash") and row.get("state") in ("ok", "not_modified", "duplicate"):
        etag, last_mod = row.get("etag"), row.get("last_modified")
    try:
        resp = fetcher.get(url, etag=etag, last_modified=last_mod, allowed=allowed,
                           pdf_max_bytes=cfg.pdf_max_bytes if pdf_ok else None)
    except TooLargeError as exc:
        if exc.pdf:  # a document decision, not a failure to retry
            return PageResult(url, depth, "skipped", reason=str(exc), final_url=url, media_type="application/pdf")
        return PageResult(url, depth, "failed", reason=str(exc), final_url=url)
    except FetchError as exc:
        return PageResult(url, depth, "failed", reason=str(exc), final_url=url)
    res = PageResult(url, depth, "failed", status=resp.status, final_url=resp.url, redirects=resp.redirects,
                     etag=resp.headers.get("etag"), last_modified=resp.headers.get("last-modified"))
    if resp.status == 304:
        if not (etag or last_mod):
            res.reason = "HTTP 304 to an unconditional request"
            return res
        res.kind = "not_modified"
        return res
    if resp.status in (404, 410):
        res.kind, res.reason = "not_found", f"HTTP {resp.status}"
        return res
    if resp.status != 200:
        res.reason = f"HTTP {resp.status}"
        return res
    res.kind = "skipped"
    body = resp.body
    ctype = resp.content_type.split(";")[0].strip().lower()
    if ctype in PDF_TYPES or (ctype in GENERIC_TYPES and is_pdf(body)):
        return _pdf_result(res, body, ctype, cfg, pdf_ok, resp.headers.get("link", ""))
    if ctype not in _HTML_TYPES:
        res.reason = f"not an HTML page (Content-Type {ctype})"
        return res
    if not body.strip():
        res.reason = "empty page (no body)"
        return res
    head = body[:4096]
    if is_pdf(head) and head.lstrip().startswith(b"%PDF-"):
        res.reason = f"a PDF served as {ctype or 'no content type'} (Content-Type and content disagree)"
        res.media_type = "application/pdf"
        return res
    if head.lstrip().startswith(_BINARY_MAGIC) or b"\x00" in head:
        res.reason = f"binary content served as {ctype or 'no content type'}"
        return res
    try:
        html, res.encoding = decode_html(body, resp.content_type)
    except MojibakeError as exc:
        res.reason = str(exc)
        return res
    res.links, res.canonical, lang = extract_links(html, resp.url)
    try:
        ex = extract_page(html, resp.url, lang)
    except Exception as exc:  # noqa: BLE001 - a broken page must not stop the crawl
        log.warning("%s: extraction failed: %s", url, exc)
        res.reason = f"extraction failed: {type(exc).__name__}: {exc}"
        return res
    if ex is None or len(ex.text) < cfg.min_text_chars:
        res.reason = f"too little text ({len(ex.text) if ex else 0} characters < min_text_chars {cfg.min_text_chars})"
        return res
    res.kind, res.extracted = "content", ex
    return res


_LINK_CANONICAL = re.compile(r'<\s*([^>\s]+)\s*>\s*;[^,]*\brel\s*=\s*"?canonical"?', re.I)


def _pdf_result(res: PageResult, body: bytes, ctype: str, cfg: IngestConfig, pdf_ok: bool, link_header: str) -> PageResult:
    """A response served as a PDF: checked, read in a bounded child process, or skipped with the reason."""
    res.media_type = "application/pdf"
    if not pdf_ok:
        res.reason = "a PDF document, and PDF documents are off for this site (pdf = false)"
        return res
    if not is_pdf(body):
        res.reason = (f"HTML served as {ctype} (no %PDF- header)" if looks_like_html(body)
                      else f"served as {ctype} but not a PDF (no %PDF- header)")
        return res
    try:
        ex = extract_pdf(body, res.final_url or res.url, PdfLimits.from_config(cfg))
    except PdfSkipped as exc:
        res.reason, res.pdf_problem = exc.reason, exc.kind
        return res
    except Exception as exc:  # noqa: BLE001 - a broken PDF must not stop the crawl
        log.warning("%s: PDF extraction failed: %s", res.url, exc)
        res.reason = f"PDF extraction failed: {type(exc).__name__}: {exc}"
        return res
    m = _LINK_CANONICAL.search(link_header or "")
    if m:  # a PDF names its canonical URL in an HTTP Link header, if anywhere
        res.canonical = urljoin(res.final_url or res.url, m.group(1)).split("#")[0]
    res.links = []
    res.kind, res.extracted = "content", ex
    return res


class _SiteRun:
    def __init__(self, cfg: IngestSettings, site, state: CrawlState, mirror: MirrorMap, summary: CrawlSummary,
                 events: dict, full: bool):
        self.cfg, self.ing, self.site, self.state, self.full = cfg, cfg.ingest, site, state, full
        self.summary = summary
        self.s = summary.sites.setdefault(site.name, SiteSummary(site.name))
        self.events = events
        self.fetcher = Fetcher(self.ing, site.user_agent or self.ing.user_agent, mirror, site.concurrency)
        self.robots: dict[str, object] = {}
        self.produced: dict[str, str] = {}  # doc_id -> page URL that produced it this run
        self.done: set[str] = set()

    def reason(self, kind: str, url: str, reason: str) -> None:
        self.summary.reasons.append({"site": self.site.name, "kind": kind, "url": url, "reason": reason})

    def allowed(self, url: str) -> str | None:
        why = self.site.path_allowed(url)
        if why:
            return why
        host = urlsplit(url).netloc.lower()
        robots = self.robots.get(host)
        if robots is None:
            return f"host {host} is outside the site"
        if not robots.can_fetch(url):
            return "disallowed by robots.txt" if robots.status == "rules" else robots.reason
        return None

    # -- setup ----------------------------------------------------------------
    def _load_robots(self) -> bool:
        ok_hosts = 0
        for host in sorted(self.site.allowed_hosts):
            scheme = next((urlsplit(u).scheme for u in self.site.start_urls + self.site.sitemaps
                           if urlsplit(u).netloc.lower() == host), "https")
            r = fetch_robots(self.fetcher, f"{scheme}://{host}", self.fetcher.user_agent)
            self.robots[host] = r
            if r.status == "unreachable":
                log.warning("site %s: %s", self.site.name, r.reason)
                self.reason("robots", f"{scheme}://{host}/robots.txt", r.reason)
                continue
            ok_hosts += 1
            interval = max(self.site.rate_limit_s, r.crawl_delay) if self.ing.rate_limits else 0.0
            self.fetcher.set_interval(host, interval)
            self.s.robots = f"{r.status}" + (f", crawl-delay {r.crawl_delay:g} s" if r.crawl_delay else "")
        if not ok_hosts:
            self.s.status, self.s.reason = "failed", next(iter(self.robots.values())).reason if self.robots else "no hosts"
            self.s.robots = "unreachable"
            return False
        return True

    def _seeds(self) -> dict[str, int]:
        seeds: dict[str, int] = {u: 0 for u in self.site.start_urls}
        sitemaps = list(self.site.sitemaps)
        for r in self.robots.values():
            sitemaps += [u for u in getattr(r, "sitemaps", []) if u not in sitemaps]
        for sm in sitemaps:
            if urlsplit(sm).netloc.lower() not in self.site.allowed_hosts:
                continue
            for u in fetch_sitemap_urls(self.fetcher, sm, self.site.allowed_hosts, limit=self.site.max_pages * 2):
                seeds.setdefault(u.split("#")[0], 0)
        # everything known from earlier runs is re-checked (conditional GET), so
        # changed and vanished pages are noticed even when no longer linked
        for row in self.state.pages(self.site.name):
            if row["doc_id"] or row["state"] == "not_found":
                seeds.setdefault(row["url"], min(row["depth"] or 0, self.site.max_depth))
        return seeds

    # -- main loop ----------------------------------------------------------------
    def run(self) -> None:
        t0 = time.monotonic()
        try:
            if not self._load_robots():
                return
            pending = self._seeds()
            depth = 0
            budget = self.site.max_pages
            capped = 0
            with ThreadPoolExecutor(max_workers=self.site.concurrency, thread_name_prefix=f"crawl-{self.site.name}") as pool:
                while depth <= self.site.max_depth:
                    batch = sorted(u for u, d in pending.items() if d == depth and u not in self.done)
                    if not batch:
                        if any(d > depth for u, d in pending.items() if u not in self.done):
                            depth += 1
                            continue
                        break
                    todo = []
                    for u in batch:
                        self.done.add(u)
                        why = self.allowed(u)
                        if not why and not self.site.pdf and urlsplit(u).path.lower().endswith(".pdf"):
                            why = "disallowed: PDF documents are off for this site (pdf = false)"
                        if why:
                            self.s.skipped += why.startswith("disallowed")
                            if why.startswith("disallowed"):
                                log.info("skip %s: %s", u, why)
                                self.reason("skipped", u, why)
                            continue
                        if budget <= 0:
                            capped += 1
                            continue
                        budget -= 1
                        todo.append(u)
                    rows = {u: self.state.page(u) for u in todo}
                    results = pool.map(
                        lambda u: _fetch_page(self.fetcher, self.ing, u, depth, rows[u], self.full, self.allowed,
                                              self.site.pdf), todo
                    )
                    for res in results:
                        for link in self._apply(res) or []:
                            if link not in self.done and depth + 1 <= self.site.max_depth and \
                                    not _not_a_page(link, self.site.pdf) and \
                                    self.site.path_allowed(link) is None:
                                if pending.get(link, 10**9) > depth + 1:
                                    pending[link] = depth + 1
                    depth_left = [u for u, d in pending.items() if d == depth and u not in self.done]
                    if not depth_left:
                        depth += 1
            if capped:
                self.s.skipped += capped
                self.reason("skipped", self.site.start_urls[0] if self.site.start_urls else self.site.name,
                            f"{capped} page(s) not fetched: max_pages {self.site.max_pages} reached")
            attempted = self.s.fetched + self.s.failed + self.s.not_found
            if self.s.fetched == 0:
                self.s.status = "failed"
                self.s.reason = "nothing could be fetched" if attempted else "no page to fetch (check start_urls, allow/deny, robots.txt)"
        finally:
            self.fetcher.close()
            log.info("site %s crawled in %.1f s", self.site.name, time.monotonic() - t0)

    def _apply(self, res: PageResult) -> list[str] | None:
        now = _now()
        st = self.state
        site = self.site.name
        # redirect hops: remember where they lead
        chain = res.redirects + [res.final_url] if res.redirects else []
        for hop, nxt in zip(chain, chain[1:]):
            prev = st.page(hop)
            st.upsert_page(hop, site=site, state="redirect", redirect_to=nxt, depth=res.depth, last_fetched=now,
                           last_seen=now, first_seen=(prev or {}).get("first_seen") or now, fail_count=0, gone_count=0,
                           last_error=None, status=301)
            self.s.redirects += 1
        url = res.final_url or res.url
        if res.redirects:
            if url in self.done and url != res.url:
                return None
            self.done.add(url)
        row = st.page(url) or {}
        base = dict(site=site, depth=min(res.depth, row.get("depth") if row.get("depth") is not None else res.depth),
                    last_fetched=now, first_seen=row.get("first_seen") or now)
        if res.kind == "failed":
            self.s.failed += 1
            log.warning("failed %s: %s", url, res.reason)
            self.reason("failed", url, res.reason)
            st.upsert_page(url, **base, status=res.status, fail_count=(row.get("fail_count") or 0) + 1,
                           last_error=res.reason, state=row.get("state") if row.get("doc_id") else "failed")
            return json.loads(row["links"]) if row.get("links") else None
        if res.kind == "not_found":
            self.s.not_found += 1
            gone = (row.get("gone_count") or 0) + 1
            log.info("not found %s (%s, %d consecutive)", url, res.reason, gone)
            self.reason("not_found", url, f"{res.reason} ({gone} consecutive run(s))")
            st.upsert_page(url, **base, status=res.status, gone_count=gone, last_error=res.reason,
                           state="not_found" if not row.get("doc_id") else row.get("state"))
            return None
        self.s.fetched += 1
        if res.kind == "not_modified":
            self.s.unchanged += 1
            st.upsert_page(url, **base, status=304, last_seen=now, fail_count=0, gone_count=0, last_error=None,
                           etag=res.etag or row.get("etag"), last_modified=res.last_modified or row.get("last_modified"))
            if row.get("doc_id"):
                self.events.setdefault(row["doc_id"], "unchanged")
            return json.loads(row["links"]) if row.get("links") else None
        if res.kind == "skipped":
            self.s.skipped += 1
            if res.pdf_problem == "needs_ocr":
                self.s.needs_ocr += 1
            log.warning("skipped %s: %s", url, res.reason)
            self.reason("skipped", url, res.reason)
            st.upsert_page(url, **base, status=res.status, last_seen=now, fail_count=0, gone_count=0,
                           last_error=res.reason, links=res.links or [], encoding=res.encoding,
                           state=row.get("state") if row.get("doc_id") else "skipped")
            return res.links
        # content
        ex = res.extracted
        if ex.pages is not None:
            self.s.pdf_documents += 1
            self.s.pdf_pages += len(ex.pages)
        for note in ex.notes:
            log.info("%s: %s", url, note)
            self.reason("note", url, note)
        canonical = res.canonical or url
        if urlsplit(canonical).netloc.lower() not in self.site.allowed_hosts:
            canonical = url
        doc_id = doc_id_for(canonical)
        other = self.produced.get(doc_id)
        # pages.canonical_url is what the page declared (NULL: nothing); dedup prefers self-declared ones
        page_vals = dict(base, status=200, etag=res.etag, last_modified=res.last_modified, canonical_url=res.canonical,
                         encoding=res.encoding, links=res.links or [], last_seen=now, fail_count=0, gone_count=0,
                         last_error=None, doc_id=doc_id)
        if other and (other == canonical or url != canonical):
            # another URL of the same document was stored this run; the canonical one wins
            st.upsert_page(url, **page_vals, state="duplicate", content_hash=sha256_text(ex.text))
            self.reason("duplicate", url, f"same canonical URL as {other}")
            return res.links
        self.produced[doc_id] = url
        h = sha256_text(ex.text)
        existing = st.doc(doc_id)
        if existing and existing["state"] != "tombstoned" and existing["content_hash"] == h and \
                (existing.get("pages") or None) == (json.dumps(ex.pages) if ex.pages is not None else None):
            self.events[doc_id] = self.events.get(doc_id) if self.events.get(doc_id) in ("new", "changed") else "unchanged"
            if self.events[doc_id] == "unchanged":
                self.s.unchanged += 1
            last_changed = row.get("last_changed") or now
        else:
            record = {
                "doc_id": doc_id, "url": url, "canonical_url": canonical, "site": site, "title": ex.title,
                "date": ex.date, "language": ex.language, "attribution": self.site.attribution, "text": ex.text,
                "content_hash": h, "fetched_at": now, "flags": ex.flags, "media_type": ex.media_type,
                "pages": ex.pages,
            }
            if ex.flags:
                log.warning("%s flagged %s: kept as plain text", url, ",".join(ex.flags))
                self.reason("flagged", url, ", ".join(ex.flags))
            version = st.add_version(record, now)
            kind = "changed" if existing and existing["state"] != "tombstoned" else "new"
            self.events[doc_id] = self.events.get(doc_id) if self.events.get(doc_id) == "new" else kind
            log.info("%s %s (v%d)", kind, url, version)
            last_changed = now
        st.upsert_page(url, **page_vals, state="ok", content_hash=h, last_changed=last_changed)
        return res.links

    def tombstones(self, now: str) -> None:
        for d in self.state.docs(("live", "duplicate"), site=self.site.name):
            row = self.state.page(d["page_url"])
            if row and (row.get("gone_count") or 0) >= self.ing.tombstone_after:
                was_live = d["state"] == "live"
                self.state.set_doc_state(d["doc_id"], "tombstoned", now)
                if was_live:
                    self.s.removed += 1
                    self.reason("removed", d["page_url"], f"HTTP {row.get('status')} on {row['gone_count']} consecutive runs: tombstoned")
                    log.info("tombstoned %s", d["page_url"])


def _dedup(cfg: IngestSettings, state: CrawlState, summary: CrawlSummary, events: dict, now: str) -> None:
    docs = state.docs(("live", "duplicate"))
    for d in docs:
        d["is_new"] = events.get(d["doc_id"]) == "new"
        row = state.page(d["page_url"]) or {}
        d["declared_canonical"] = row.get("canonical_url")
    dup_of = find_duplicates(docs, cfg.ingest.near_duplicate_threshold)
    by_id = {d["doc_id"]: d for d in docs}
    for d in docs:
        target = dup_of.get(d["doc_id"])
        if target and (d["state"] != "duplicate" or d["duplicate_of"] != target):
            state.set_doc_state(d["doc_id"], "duplicate", now, duplicate_of=target)
            s = summary.sites.get(d["site"])
            if s is not None and d["state"] == "live":
                s.duplicates += 1
            summary.reasons.append({"site": d["site"], "kind": "duplicate", "url": d["url"],
                                    "reason": f"duplicate of {by_id[target]['url']}"})
            log.info("duplicate %s of %s", d["url"], by_id[target]["url"])
        elif not target and d["state"] == "duplicate":
            state.set_doc_state(d["doc_id"], "live", now)


def run_crawl(cfg: IngestSettings, ws: Workspace, *, kind: str = "crawl", full: bool = False) -> CrawlSummary:
    """Crawl every configured site once (the caller holds the corpus lock)."""
    t0 = time.monotonic()
    started = _now()
    run_id = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    sites = load_sites(cfg.ingest.sites_file or None, cfg.ingest.sites)
    corpus = ws.corpus_dir(create=True)
    summary = CrawlSummary(run_id=run_id, kind=kind, started=started)
    events: dict[str, str] = {}
    mirror = MirrorMap(cfg.ingest.mirror)
    with CrawlState(corpus / STATE_DB) as state:
        state.start_run(run_id, kind, started)
        runs = []
        for site in sites.values():
            log.info("crawling site %s (%s)", site.name, site.title)
            r = _SiteRun(cfg, site, state, mirror, summary, events, full)
            r.run()
            runs.append(r)
        now = _now()
        for r in runs:
            if r.s.status != "failed" or r.s.robots != "unreachable":
                r.tombstones(now)
        if any(k in ("new", "changed") for k in events.values()) or any(x.s.removed for x in runs):
            _dedup(cfg, state, summary, events, now)  # nothing new: the duplicate sets cannot have changed
        live = state.docs(("live",))
        site_of = {d["doc_id"]: d["site"] for d in live}
        for site_sum in summary.sites.values():
            site_sum.new = sum(1 for i, k in events.items() if k == "new" and site_of.get(i) == site_sum.name)
            site_sum.changed = sum(1 for i, k in events.items() if k == "changed" and site_of.get(i) == site_sum.name)
            site_sum.documents = sum(1 for d in live if d["site"] == site_sum.name)
        summary.documents = len(live)
        export_corpus(cfg, ws, state, summary, sites)
        summary.finished = _now()
        summary.duration_s = time.monotonic() - t0
        state.finish_run(run_id, summary.finished, summary.to_dict())
    return summary

