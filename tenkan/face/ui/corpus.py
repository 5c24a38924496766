"""Reading the workspace for the corpus and evaluator pages (no Streamlit here: testable on its own)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from tenkan.manifest import read_manifest

__all__ = ["corpus_summary", "list_runs", "read_run", "index_manifest"]


def index_manifest(ws) -> tuple[dict | None, str | None]:
    """(manifest of the live index generation, its name) read from disk without loading the index."""
    d = ws.index_dir()
    cur = d / "CURRENT"
    if cur.is_file():
        name = cur.read_text(encoding="utf-8").strip()
        m = read_manifest(d / name)
        if m:
            return m, name
    return None, None


def corpus_summary(ws) -> dict:
    docs_path = ws.corpus_dir() / "documents.jsonl"
    sites: Counter = Counter()
    pages = []
    if docs_path.is_file():
        for line in docs_path.read_text(encoding="utf-8").splitlines():
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            sites[d.get("site", "?")] += 1
            pdf = d.get("media_type") == "application/pdf"
            pages.append({"タイトル": d.get("title", ""), "URL": d.get("url", ""), "サイト": d.get("site", ""),
                          "種類": "PDF" if pdf else "HTML", "PDFのページ数": len(d.get("pages") or []) if pdf else None,
                          "取得日時": d.get("fetched_at", ""), "文字数": len(d.get("text", ""))})
    runs = sorted((ws.corpus_dir() / "runs").glob("*.json")) if (ws.corpus_dir() / "runs").is_dir() else []
    summary, last = None, None
    if runs:
        try:
            summary = json.loads(runs[-1].read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            summary = None
        last = (summary or {}).get("finished") or (summary or {}).get("finished_at") or runs[-1].stem
    cm = read_manifest(ws.corpus_dir()) if ws.corpus_dir().is_dir() else None
    if last is None and cm:
        last = cm.get("created")
    im, gen = index_manifest(ws)
    return {"documents": len(pages), "sites": dict(sites), "pages": pages, "last_refresh": last,
            "refresh_summary": summary, "corpus_manifest": cm, "index_manifest": im, "generation": gen}


def list_runs(ws) -> list[Path]:
    d = ws.runs_dir()
    if not d.is_dir():
        return []
    return sorted((p for p in d.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True)


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
