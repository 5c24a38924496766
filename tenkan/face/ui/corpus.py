"""Reading the workspace for the corpus and evaluator pages (no Streamlit here: testable on its own)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from eval.run import list_runs
from index import live_manifest
from ingest import has_corpus, last_run_summary, load_documents, read_corpus_manifest
from tenkan.errors import CorpusError, IndexCorruptError, IndexMismatchError
from tenkan.manifest import read_manifest
from tenkan.paths import Workspace

__all__ = ["corpus_summary", "list_runs", "read_run"]


def _page_row(d: dict[str, Any]) -> dict[str, Any]:
    pdf = d.get("media_type") == "application/pdf"
    return {"タイトル": d.get("title", ""), "URL": d.get("url", ""), "サイト": d.get("site", ""),
            "種類": "PDF" if pdf else "HTML", "PDFのページ数": len(d.get("pages") or []) if pdf else None,
            "取得日時": d.get("fetched_at", ""), "文字数": len(d.get("text", ""))}


def corpus_summary(ws: Workspace) -> dict[str, Any]:
    """What the corpus page shows, read through the artifacts' owners (ingest, index).

    ``corpus_manifest`` (``ingest.CorpusManifest``) and ``index_manifest``
    (``index.GenerationManifest``) are None when absent; a corpus or index that cannot be read
    is reported in ``corpus_error`` / ``index_error`` (the error's text: message and what to run)."""
    corpus_error = index_error = None
    docs: list[dict[str, Any]] = []
    if has_corpus(ws):
        try:
            docs = load_documents(ws)
        except CorpusError as exc:
            corpus_error = str(exc)  # the message and, after it, what to run
    try:
        summary = last_run_summary(ws)
    except CorpusError:
        summary = None
    try:
        cm = read_corpus_manifest(ws)
    except CorpusError:
        cm = None
    last = (summary or {}).get("finished") or (summary or {}).get("run_id") or (cm.created if cm else None)
    try:
        im = live_manifest(ws)
    except (IndexCorruptError, IndexMismatchError) as exc:
        im, index_error = None, str(exc)
    return {"documents": len(docs), "sites": dict(Counter(d.get("site", "?") for d in docs)),
            "pages": [_page_row(d) for d in docs], "last_refresh": last, "refresh_summary": summary,
            "corpus_manifest": cm, "corpus_error": corpus_error, "index_manifest": im,
            "generation": im.name if im else None, "index_error": index_error}


def _table(metrics) -> list[dict] | None:
    modes = metrics.get("modes") if isinstance(metrics, dict) else None
    if not isinstance(modes, dict):
        return None
    rows = []
    for mode, vals in modes.items():
        if isinstance(vals, dict):
            rows.append({"mode": mode, **{k: v for k, v in vals.items() if isinstance(v, (int, float, str))}})
    return rows or None


def read_run(run: Path) -> dict:
    metrics = None
    mp = run / "metrics.json"
    if mp.is_file():
        try:
            metrics = json.loads(mp.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            metrics = None
    report = (run / "report.md").read_text(encoding="utf-8") if (run / "report.md").is_file() else ""
    return {"metrics": metrics, "table": _table(metrics), "report": report,
            "plots": sorted(run.glob("*.png")), "manifest": read_manifest(run)}
