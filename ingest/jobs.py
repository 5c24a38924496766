"""The two jobs: :func:`crawl` (fill / update the corpus) and :func:`refresh`
(crawl incrementally + update the index; what cron runs). Both take the corpus
lock, so two runs never overlap."""

from __future__ import annotations

import logging

from ingest.corpus import corpus_lock, write_run_summary
from ingest.summary import CrawlSummary

__all__ = ["crawl", "refresh"]

log = logging.getLogger("ingest")


def crawl(cfg, ws, *, full: bool = False) -> CrawlSummary:
    """Crawl the configured sites into ``ws.corpus_dir()``.

    Pages already in the crawl state are asked for with conditional GET unless
    ``full`` (then everything is downloaded and extracted again; documents whose
    text did not change still keep their version). Returns the run summary,
    also saved to ``corpus/runs/<run-id>.json``.
    """
    from ingest.crawler import run_crawl

    with corpus_lock(ws):
        summary = run_crawl(cfg, ws, kind="crawl", full=full)
        write_run_summary(ws, summary)
    return summary


def _index_current(ws) -> bool:
    idx = ws.index_dir()
    return (idx / "CURRENT").is_file() or (idx / "manifest.json").is_file()


def refresh(cfg, ws, *, update_index: bool | None = None, full: bool = False) -> CrawlSummary:
    """Incremental crawl, then ``index.build(cfg, ws)`` when the corpus changed.

    The summary's ``index`` says what happened to the index: ``updated``,
    ``unchanged`` (nothing changed and an index exists: not rebuilt),
    ``skipped: <why>`` or ``failed: <why>``.
    """
    from ingest.crawler import run_crawl

    update_index = cfg.ingest.update_index if update_index is None else update_index
    with corpus_lock(ws):
        summary = run_crawl(cfg, ws, kind="refresh", full=full)
        if not update_index:
            summary.index = "skipped: disabled (ingest.update_index = false)"
        elif summary.documents == 0:
            summary.index = "skipped: no documents"
        elif not summary.changed_corpus and _index_current(ws):
            summary.index = "unchanged"
        else:
            summary.index = _update_index(cfg, ws)
        write_run_summary(ws, summary)
    return summary


def _update_index(cfg, ws) -> str:
    try:
        import index as index_stage

        build = index_stage.build
    except (ImportError, AttributeError) as exc:
        log.warning("index update skipped: the index stage is not available (%s)", exc)
        return f"skipped: index stage not available ({exc})"
    try:
        result = build(cfg, ws)
    except Exception as exc:  # noqa: BLE001 - reported in the summary and the exit code
        log.error("index update failed: %s", exc)
        return f"failed: {type(exc).__name__}: {exc}"
    log.info("index updated: %s", result)
    return "updated"
