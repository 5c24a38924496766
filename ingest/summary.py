"""Run summaries of crawl and refresh: counts per site and in total, with reasons.

``CrawlSummary.to_dict()`` is what ``tenkan refresh --json`` prints and what is
saved to ``corpus/runs/<run-id>.json``. Integer keys: ``fetched`` (pages answered
200 or 304), ``unchanged`` (304 or same content hash), ``changed`` (new version
stored), ``new`` (new document), ``removed`` (tombstoned), ``failed`` (fetch
failed: network, timeout, HTTP error, too large, bad redirect), ``skipped``
(content rejected: mojibake, binary, empty; or excluded: robots.txt, max_pages),
``not_found`` (404/410), ``duplicates`` (documents set aside as duplicates this
run), ``redirects`` and ``documents`` (live documents after the run); for PDF
documents ``pdf_documents`` and ``pdf_pages`` (read this run: new, changed or
unchanged; a 304 reads nothing) and ``needs_ocr`` (PDFs skipped because they are
images without a text layer; also counted in ``skipped``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["SiteSummary", "CrawlSummary", "COUNT_KEYS", "EXIT_OK", "EXIT_SITE_FAILED", "EXIT_LOCKED", "EXIT_INDEX_FAILED"]

COUNT_KEYS = ("fetched", "unchanged", "changed", "new", "removed", "failed", "skipped", "not_found",
              "duplicates", "redirects", "pdf_documents", "pdf_pages", "needs_ocr")

#: Exit codes of `tenkan crawl` / `tenkan refresh` (1 = configuration or other error).
EXIT_OK = 0
EXIT_SITE_FAILED = 3   # a site failed completely, or nothing could be fetched
EXIT_LOCKED = 4        # another crawl/refresh holds the workspace lock
EXIT_INDEX_FAILED = 5  # the corpus was refreshed but the index update failed


@dataclass
class SiteSummary:
    name: str
    fetched: int = 0
    unchanged: int = 0
    changed: int = 0
    new: int = 0
    removed: int = 0
    failed: int = 0
    skipped: int = 0
    not_found: int = 0
    duplicates: int = 0
    redirects: int = 0
    pdf_documents: int = 0
    pdf_pages: int = 0
    needs_ocr: int = 0
    documents: int = 0
    robots: str = ""
    status: str = "ok"  # ok | failed
    reason: str = ""


@dataclass
class CrawlSummary:
    run_id: str
    kind: str  # crawl | refresh
    started: str
    finished: str = ""
    duration_s: float = 0.0
    sites: dict[str, SiteSummary] = field(default_factory=dict)
    reasons: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    index: str = "not run"

    def total(self, key: str) -> int:
        return sum(getattr(s, key) for s in self.sites.values())

    @property
    def fetched(self) -> int:
        return self.total("fetched")

    @property
    def changed_corpus(self) -> bool:
        return any(self.total(k) for k in ("changed", "new", "removed", "duplicates"))

    @property
    def failed_sites(self) -> list[str]:
        return [n for n, s in self.sites.items() if s.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed_sites and self.fetched > 0

    @property
    def exit_code(self) -> int:
        if not self.ok:
            return EXIT_SITE_FAILED
        if self.index.startswith("failed"):
            return EXIT_INDEX_FAILED
        return EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: self.total(k) for k in COUNT_KEYS}
        out.update(
            documents=self.documents, ok=self.ok, failed_sites=self.failed_sites, index=self.index,
            run_id=self.run_id, kind=self.kind, started=self.started, finished=self.finished,
            duration_s=round(self.duration_s, 3),
            sites={n: asdict(s) for n, s in self.sites.items()}, reasons=self.reasons,
        )
        return out

    def format(self) -> str:
        """Human-readable lines for stdout."""
        d = self.to_dict()
        lines = [
            f"{self.kind} {self.run_id}: fetched {d['fetched']}, unchanged {d['unchanged']}, changed {d['changed']}, "
            f"new {d['new']}, removed {d['removed']}, failed {d['failed']}, skipped {d['skipped']}, "
            f"not found {d['not_found']}, duplicates {d['duplicates']}"
            + (f", PDF {d['pdf_documents']} ({d['pdf_pages']} pages, {d['needs_ocr']} need OCR)"
               if d["pdf_documents"] or d["needs_ocr"] else "")
            + f" → {self.documents} documents ({self.duration_s:.1f} s); index: {self.index}"
        ]
        for s in self.sites.values():
            state = "FAILED: " + s.reason if s.status == "failed" else "ok"
            lines.append(f"  site {s.name}: {state} (fetched {s.fetched}, failed {s.failed}, documents {s.documents})")
        for r in self.reasons[:50]:
            lines.append(f"  {r['kind']}: {r['url']}: {r['reason']}")
        if len(self.reasons) > 50:
            lines.append(f"  … {len(self.reasons) - 50} more in the run summary file")
        return "\n".join(lines)
