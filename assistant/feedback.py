"""Ratings of answers given in the app, kept in the workspace (``feedback/ratings.jsonl``)."""

from __future__ import annotations

import datetime as _dt
import json
import threading
from pathlib import Path
from typing import Any

from tenkan.manifest import read_manifest, write_manifest

__all__ = ["save_rating", "load_ratings", "RATINGS_FILE"]

RATINGS_FILE = "ratings.jsonl"
_lock = threading.Lock()


def save_rating(ws, answer: dict[str, Any], rating: int, comment: str = "") -> Path:
    """Append one rating (+1 helpful, -1 not helpful) of ``answer`` (an ``Answer.to_dict()``)."""
    if rating not in (1, -1):
        raise ValueError("rating must be 1 (helpful) or -1 (not helpful)")
    d = ws.feedback_dir(create=True)
    if read_manifest(d) is None:
        write_manifest(d, "tenkan app (ratings)", extra={"format": f"{RATINGS_FILE}: one JSON object per line"})
    rec = {
        "time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "rating": rating,
        "comment": comment,
        "question": answer.get("question", ""),
        "mode": answer.get("mode", ""),
        "answer": answer.get("answer", ""),
        "grounding": answer.get("grounding", ""),
        "citations": [c.get("chunk_id") for c in answer.get("citations", [])],
    }
    path = d / RATINGS_FILE
    line = json.dumps(rec, ensure_ascii=False) + "\n"
    with _lock, open(path, "a", encoding="utf-8") as fh:  # one short line per write: append is atomic enough
        fh.write(line)
    return path


def load_ratings(ws) -> list[dict]:
    path = ws.feedback_dir() / RATINGS_FILE
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a torn last line from a crash: skip it, keep the rest
    return out
