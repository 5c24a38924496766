"""The crawl job: fill or update the corpus under the corpus lock, so two runs never overlap.

``tenkan refresh`` (what cron runs) is this job with ``kind="refresh"`` and an
``then`` step that updates the index; the face composes it
(``tenkan.face.refresh``), because ingest never reaches into the index.
"""

from __future__ import annotations

from typing import Callable, Literal

from ingest.config import IngestSettings
from ingest.corpus import corpus_lock, write_run_summary
from ingest.crawler import run_crawl
from ingest.summary import CrawlSummary
from tenkan.paths import Workspace

__all__ = ["crawl"]


def crawl(cfg: IngestSettings, ws: Workspace, *, full: bool = False, kind: Literal["crawl", "refresh"] = "crawl",
          then: Callable[[CrawlSummary], str] | None = None) -> CrawlSummary:
    """Crawl the configured sites into ``ws.corpus_dir()``.

    Pages already in the crawl state are asked for with conditional GET unless
    ``full`` (then everything is downloaded and extracted again; documents whose
    text did not change still keep their version). ``then(summary)``, when given,
    runs after the crawl while the lock is still held and its result becomes
    ``summary.index`` (what happened to the index). Returns the run summary,
    also saved to ``corpus/runs/<run-id>.json``.
    """
    with corpus_lock(ws):
        summary = run_crawl(cfg, ws, kind=kind, full=full)
        if then is not None:
            summary.index = then(summary)
        write_run_summary(ws, summary)
    return summary
