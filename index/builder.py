"""``index.build``: corpus documents → a new index generation, incrementally.

Per document (by ``content_hash``): unchanged ones keep their chunks, vectors
and BM25 tokens from the live generation; new and changed ones are chunked and
embedded; removed ones are left out. Vectors are also reused for any chunk
whose embedded text is byte-identical to one in the live generation (keyed by
its sha256), so a change of title or chunk settings re-embeds only what moved.
When neither the corpus nor the settings changed, nothing is written at all and
the summary says ``changed=False``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Callable

import numpy as np

from index.bm25 import BM25Index, tokens_for
from index.chunking import CHUNKER_VERSION, chunk_sentences, chunk_text, embedding_text, sentence_key
from index.config import IndexConfig, IndexSettings, index_config
from index.dense import build_faiss, choose_kind, save_faiss
from index.embcache import EmbeddingCache, cached_embed
from index.embedders import Embedder, get_embedder
from index.generations import (FILES, FORMAT, REBUILD, SENTENCE_FILE, GenerationManifest, build_lock, check_embedder,
                               check_generation, cleanup, current_dir, embedder_desc, generation_number,
                               next_tmp_dir, publish)
from index.store import ChunkStore
from index.types import Chunk, IndexSummary
from ingest.corpus import documents_file, load_documents
from tenkan.errors import IndexMismatchError
from tenkan.manifest import sha256_file, write_manifest
from tenkan.paths import Workspace

__all__ = ["build"]

log = logging.getLogger(__name__)

PRODUCER = "tenkan index"

#: settings whose change alters chunk texts / BM25 / the FAISS layout (not just search behaviour)
CHUNK_KEYS = ("chunk_size", "chunk_overlap", "min_chunk", "embed_headings")
BUILD_KEYS = CHUNK_KEYS + ("faiss_index", "faiss_flat_max", "hnsw_m", "hnsw_ef_construction", "ivf_nlist", "bm25_k1",
                           "bm25_b", "sentence_vectors")


def _doc_hash(d: dict) -> str:
    """What identifies a document's chunks: its text's hash, and for a PDF also its page boundaries
    (the same text on other pages must be re-chunked, or citations would name the old pages)."""
    h = d.get("content_hash") or hashlib.sha256(d["text"].encode("utf-8")).hexdigest()
    if d.get("pages"):
        h = hashlib.sha256((h + json.dumps(d["pages"], sort_keys=True)).encode("utf-8")).hexdigest()
    return h


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def corpus_digest(docs: list[dict]) -> str:
    return _digest([[d["doc_id"], _doc_hash(d), d.get("version", 1), d.get("url", ""), d.get("title", "")]
                    for d in docs])


def settings_digest(icfg: IndexConfig, embedder_desc: dict) -> str:
    return _digest({"embedder": embedder_desc, **{k: getattr(icfg, k) for k in BUILD_KEYS}, "format": FORMAT,
                    "chunker": CHUNKER_VERSION})


def _embedder_for(icfg: IndexConfig) -> Embedder:
    return get_embedder(icfg.embedder, icfg.query_prefix, icfg.passage_prefix)


def _chunks_of(doc: dict, icfg: IndexConfig) -> list[tuple[Chunk, str]]:
    """(Chunk, text to embed) for a document."""
    pieces = chunk_text(doc["text"], icfg.chunk_size, icfg.chunk_overlap, icfg.min_chunk, pages=doc.get("pages"))
    out = []
    title = doc.get("title") or ""
    for n, p in enumerate(pieces):
        c = Chunk(f"{doc['doc_id']}#{n}", doc["doc_id"], n, p.text, doc.get("url", ""), title,
                  list(p.headings), int(doc.get("version", 1)), _doc_hash(doc), p.page)
        etext = embedding_text(title, p.headings, p.text) if icfg.embed_headings else p.text
        out.append((c, etext))
    return out


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cache_for(icfg: IndexConfig, index_dir: Path, edesc: dict, emb: Embedder) -> EmbeddingCache | None:
    if icfg.embed_cache == "off":
        return None
    path = index_dir / "embed_cache.sqlite" if icfg.embed_cache == "auto" else Path(icfg.embed_cache).expanduser()
    return EmbeddingCache(path, edesc, emb.dim)


def build(cfg: IndexSettings | IndexConfig, ws: Workspace, full: bool = False, *, embedder: Embedder | None = None,
          progress: bool | None = None, on_phase: Callable[[str], None] | None = None) -> IndexSummary:
    """Build or update the index of workspace ``ws`` from its corpus (``ingest.load_documents``).

    Incremental unless ``full``. ``embedder`` overrides the configured one (tests, benchmarks).
    ``on_phase`` is called with "loaded", "embedded", "written", "renamed", "published".
    """
    icfg = index_config(cfg)
    t0 = time.perf_counter()
    index_dir = ws.index_dir(create=True)
    phase = on_phase or (lambda _p: None)
    with build_lock(ws.lock_path("index")):
        docs = sorted(load_documents(ws), key=lambda d: d["doc_id"])
        emb = embedder or _embedder_for(icfg)
        edesc = embedder_desc(icfg) if embedder is None else {"name": emb.name}
        cdig = corpus_digest(docs)
        sdig = settings_digest(icfg, edesc)

        live = current_dir(index_dir)
        old_manifest: GenerationManifest | None = None
        if live is not None and not full:
            old_manifest = check_generation(live, verify_hashes=True)
            check_embedder(old_manifest, edesc)  # incremental cannot mix vector spaces
            if old_manifest.corpus_digest == cdig and old_manifest.settings_digest == sdig:
                return IndexSummary(
                    changed=False, generation=generation_number(live.name), documents=len(docs),
                    chunks=old_manifest.chunks, unchanged_docs=len(docs), reused_chunks=old_manifest.chunks,
                    embedder=old_manifest.embedder_name, dim=old_manifest.dim, seconds=time.perf_counter() - t0,
                    path=str(live), reason="corpus and settings unchanged",
                )
        phase("loaded")

        # -- what the live generation already has --------------------------------------
        old_docs: dict[str, tuple] = {}
        old_store = None
        old_vecs = None
        vec_by_hash: dict[str, int] = {}
        toks_by_hash: dict[str, list[str]] = {}
        if old_manifest is not None:
            old_store = ChunkStore(live / "chunks.sqlite", readonly=True)
            old_docs = old_store.docs()
            old_vecs = np.load(live / "vectors.npy", mmap_mode="r")
            for r in old_store.iter_rows():
                vec_by_hash.setdefault(r.embed_hash, r.row)
                toks_by_hash.setdefault(r.embed_hash, r.tokens)
        same_chunking = old_manifest is not None and all(
            old_manifest.settings.get(k) == getattr(icfg, k) for k in CHUNK_KEYS) \
            and old_manifest.raw.get("chunker", 1) == CHUNKER_VERSION

        # -- classify documents and lay out the new rows ---------------------------------
        new_ids = {d["doc_id"] for d in docs}
        removed = sorted(set(old_docs) - new_ids)
        added = changed = unchanged = 0
        reuse_rows = old_store.rows_of_docs(
            [d["doc_id"] for d in docs if d["doc_id"] in old_docs and old_docs[d["doc_id"]][0] == _doc_hash(d)]
        ) if (old_store is not None and same_chunking) else {}
        rows: list[tuple[Chunk, str, list[str] | None, int | None]] = []  # chunk, embed_hash, tokens, old row
        to_embed: list[tuple[int, str]] = []  # (new row, text)
        for d in docs:
            did = d["doc_id"]
            if did not in old_docs:
                added += 1
            elif old_docs[did][0] != _doc_hash(d):
                changed += 1
            else:
                unchanged += 1
            title = d.get("title") or ""
            version = int(d.get("version", 1))
            if did in reuse_rows and reuse_rows[did]:
                for r in reuse_rows[did]:
                    c = r.chunk
                    if c.url != d.get("url", "") or c.title != title or c.doc_version != version:
                        c = Chunk(c.chunk_id, did, c.n, c.text, d.get("url", ""), title, c.headings,
                                  version, c.content_hash, c.page)
                    etext = embedding_text(title, c.headings, c.text) if icfg.embed_headings else c.text
                    eh = _sha(etext)
                    if eh == r.embed_hash:
                        rows.append((c, eh, r.tokens, r.row))
                    else:  # title changed: same chunks, new text to embed
                        rows.append((c, eh, tokens_for(etext), vec_by_hash.get(eh)))
                        if rows[-1][3] is None:
                            to_embed.append((len(rows) - 1, etext))
                continue
            for c, etext in _chunks_of(d, icfg):
                eh = _sha(etext)
                old_row = vec_by_hash.get(eh)
                toks = toks_by_hash.get(eh)
                rows.append((c, eh, toks if toks is not None else tokens_for(etext), old_row))
                if old_row is None:
                    to_embed.append((len(rows) - 1, etext))

        # -- embed what is new ---------------------------------------------------------
        texts = [t for _, t in to_embed]
        cache = _cache_for(icfg, index_dir, edesc, emb) if texts else None
        try:
            new_vecs, computed = cached_embed(emb, texts, cache, icfg.embed_batch_size, progress)
        finally:
            if cache is not None:
                cache.close()
        dim = emb.dim
        if old_vecs is not None and old_vecs.shape[1] != dim and len(to_embed) < len(rows):
            raise IndexMismatchError(
                f"the embedder now returns {dim}-d vectors but the index holds {old_vecs.shape[1]}-d ones",
                hint=REBUILD,
            )
        vectors = np.zeros((len(rows), dim), np.float32)
        for (r, _), v in zip(to_embed, new_vecs):
            vectors[r] = v
        for i, (_, _, _, old_row) in enumerate(rows):
            if old_row is not None:
                vectors[i] = old_vecs[old_row]
        sent_keys, sent_vecs = (_sentence_vectors(rows, emb, icfg, index_dir, edesc,
                                                  live if old_manifest is not None else None, progress)
                                if icfg.sentence_vectors else ([], None))
        phase("embedded")

        # -- write the new generation beside the live one ------------------------------
        tmp, n = next_tmp_dir(index_dir)
        store = ChunkStore(tmp / "chunks.sqlite", create=True)
        store.add((i, c, eh, toks) for i, (c, eh, toks, _) in enumerate(rows))
        counts: dict[str, int] = {}
        for c, *_ in rows:
            counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
        store.add_docs((d["doc_id"], _doc_hash(d), int(d.get("version", 1)), d.get("url", ""),
                        d.get("title") or "", counts.get(d["doc_id"], 0)) for d in docs)
        store.add_sentences((k, i) for i, k in enumerate(sent_keys))
        store.commit()
        store.close()
        np.save(tmp / "vectors.npy", vectors)
        if sent_vecs is not None:
            np.save(tmp / SENTENCE_FILE, sent_vecs)
        faiss_kind = choose_kind(icfg.faiss_index, len(rows), icfg.faiss_flat_max)
        faiss_index = build_faiss(vectors, faiss_kind, hnsw_m=icfg.hnsw_m,
                                  hnsw_ef_construction=icfg.hnsw_ef_construction,
                                  hnsw_ef_search=icfg.hnsw_ef_search, ivf_nlist=icfg.ivf_nlist,
                                  ivf_nprobe=icfg.ivf_nprobe)
        save_faiss(faiss_index, tmp / "faiss.index")
        BM25Index.build([toks for _, _, toks, _ in rows], icfg.bm25_k1, icfg.bm25_b).save(tmp / "bm25")
        if old_store is not None:
            old_store.close()
        files = {f: {"size": (tmp / f).stat().st_size, "sha256": sha256_file(tmp / f)}
                 for f in FILES + ((SENTENCE_FILE,) if sent_vecs is not None else ())}
        embedded = len(to_embed)
        summary = IndexSummary(
            changed=True, generation=n, documents=len(docs), chunks=len(rows), added_docs=added,
            changed_docs=changed, removed_docs=len(removed), unchanged_docs=unchanged,
            embedded_chunks=embedded, reused_chunks=len(rows) - embedded, cached_chunks=embedded - computed, embedder=emb.name, dim=dim,
            full=full or old_manifest is None, reason="full rebuild" if (full or old_manifest is None)
            else "incremental update",
        )
        desc = emb.describe() if embedder is not None else {**edesc, "dim": dim}
        write_manifest(
            tmp, PRODUCER, inputs={"documents": documents_file(ws)}, settings=icfg,
            extra={"format": FORMAT, "chunker": CHUNKER_VERSION, "generation": n, "embedder": desc, "dim": dim, "chunks": len(rows),
                   "sentences": len(sent_keys), "documents": len(docs), "corpus_digest": cdig, "settings_digest": sdig, "files": files,
                   "faiss_index": faiss_kind, "build": {k: v for k, v in summary.to_dict().items()
                                                              if k not in ("path", "seconds")}},
        )
        phase("written")
        final = publish(tmp, n, on_phase=phase)
        phase("published")
        cleanup(index_dir, icfg.keep_generations)
        summary.path = str(final)
        summary.seconds = time.perf_counter() - t0
        log.info("index gen-%d: %d docs (%d new, %d changed, %d removed), %d chunks, %d embedded in %.1fs",
                 n, len(docs), added, changed, len(removed), len(rows), embedded, summary.seconds)
        return summary


def _sentence_vectors(rows, emb: Embedder, icfg: IndexConfig, index_dir: Path, edesc: dict, live: Path | None,
                      progress) -> tuple[list[str], np.ndarray]:
    """(keys, vectors) of every distinct sentence of the new generation's chunks: reused from the
    live generation where it has them, then from the embedding cache, embedded otherwise."""
    texts: dict[str, str] = {}
    for c, *_ in rows:
        for sent in chunk_sentences(c.text):
            texts.setdefault(sentence_key(sent), sent)
    keys = list(texts)
    vecs = np.zeros((len(keys), emb.dim), np.float32)
    have: dict[str, int] = {}
    old = None
    if live is not None and (live / SENTENCE_FILE).is_file():
        old_store = ChunkStore(live / "chunks.sqlite", readonly=True)
        try:
            have = old_store.sentence_rows()
        finally:
            old_store.close()
        old = np.load(live / SENTENCE_FILE, mmap_mode="r")
        if old.shape[1] != emb.dim:
            have, old = {}, None
    todo = []
    for i, k in enumerate(keys):
        if k in have and old is not None and have[k] < old.shape[0]:
            vecs[i] = old[have[k]]
        else:
            todo.append(i)
    if todo:
        cache = _cache_for(icfg, index_dir, edesc, emb)
        try:
            new, computed = cached_embed(emb, [texts[keys[i]] for i in todo], cache, icfg.embed_batch_size, progress)
        finally:
            if cache is not None:
                cache.close()
        for i, v in zip(todo, new):
            vecs[i] = v
        log.info("sentence vectors: %d sentences, %d reused, %d embedded", len(keys), len(keys) - len(todo), computed)
    return keys, vecs

