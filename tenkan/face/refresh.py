"""The refresh job (what cron runs): an incremental crawl, then the index when the corpus changed.

The face composes it from the two stages' own entry points: ``ingest.crawl`` holds the
corpus lock and writes the run summary; the step after the crawl asks the index stage
whether an index exists and builds it. Ingest never imports the index.
"""

from __future__ import annotations

import logging

import index
import ingest
from ingest.summary import CrawlSummary
from tenkan.face.config import TenkanConfig
from tenkan.paths import Workspace

__all__ = ["refresh"]

log = logging.getLogger("tenkan.refresh")


def refresh(cfg: TenkanConfig, ws: Workspace, *, update_index: bool | None = None, full: bool = False) -> CrawlSummary:
    """Incremental crawl, then ``index.build(cfg, ws)`` when the corpus changed.

    The summary's ``index`` says what happened to the index: ``updated``,
    ``unchanged`` (nothing changed and an index exists: not rebuilt),
    ``skipped: <why>`` or ``failed: <why>`` (the last good index stays live).
    """
    update = cfg.ingest.update_index if update_index is None else update_index

    def update_the_index(summary: CrawlSummary) -> str:
        if not update:
            return "skipped: disabled (ingest.update_index = false)"
        if summary.documents == 0:
            return "skipped: no documents"
        if not summary.changed_corpus and index.has_index(ws):
            return "unchanged"
        try:
            result = index.build(cfg, ws)
        except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
            log.error("index update failed: %s", exc)
            return f"failed: {type(exc).__name__}: {exc}"
        log.info("index updated: %s", result)
        return "updated"

    return ingest.crawl(cfg, ws, kind="refresh", full=full, then=update_the_index)
