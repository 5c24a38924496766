"""``tenkan dataset``: Alpaca-format instruction data from the index's chunks.

Pipeline: group chunks by document → candidates from each strategy → remove
exact and near-duplicate candidates → split train/dev/test *by document* →
make the example shapes (closed-book; context-conditioned with numbered sources
and distractors from the same split, the answer citing its source by ``[n]``;
a few unanswerable context examples teach the template's ``no_answer``) →
``datasets/<name>/{train,dev,test}.jsonl, stats.json, manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import index as _index
from generator.config import GeneratorSettings
from generator.openai_client import OpenAIClient
from generator.prompter import Prompter
from generator.strategies import Candidate, boilerplate_sentences, faq_pairs, heading_pairs, teacher_pairs
from tenkan.errors import DatasetError
from tenkan.jatext import char_ngrams, normalize, split_sentences
from tenkan.manifest import atomic_write_json, atomic_write_text, sha256_file, write_manifest
from tenkan.paths import Workspace, portable_path

__all__ = ["build_dataset", "make_examples", "split_by_document", "dedupe", "collect_candidates",
           "read_split", "DatasetSummary", "SPLITS"]

log = logging.getLogger(__name__)
SPLITS = ("train", "dev", "test")


@dataclass
class DatasetSummary:
    directory: Path
    counts: dict
    stats: dict


def collect_candidates(chunks: Iterable, gcfg, teacher: Callable[[str], str] | None = None) -> list[Candidate]:
    by_doc: dict[str, list] = defaultdict(list)
    for ch in chunks:
        by_doc[ch.doc_id].append(ch)
    out: list[Candidate] = []
    bp = boilerplate_sentences((c for chs in by_doc.values() for c in chs), min_docs=3)
    kw = dict(max_answer_chars=gcfg.answer_chars, min_answer_chars=gcfg.min_answer_chars, boilerplate=bp)
    teacher_budget = gcfg.teacher_max_chunks
    for doc_id in sorted(by_doc):
        chs = sorted(by_doc[doc_id], key=lambda c: c.n)
        if "faq" in gcfg.strategies:
            out += faq_pairs(chs, **kw)
        if "heading" in gcfg.strategies:
            out += heading_pairs(chs, **kw)
        if "teacher" in gcfg.strategies and teacher is not None and teacher_budget > 0:
            take = chs[:teacher_budget]
            teacher_budget -= len(take)
            out += teacher_pairs(take, teacher, min_answer_chars=gcfg.min_answer_chars)
    return out


def _key(text: str) -> str:
    return "".join(normalize(text).split())


def dedupe(cands: Sequence[Candidate], threshold: float = 0.85, seed: int = 13) -> tuple[list[Candidate], dict]:
    """Drop exact duplicates (normalised question+answer) and near-duplicates
    (MinHash Jaccard over character 3-grams ≥ ``threshold``); the first one stays."""
    from datasketch import MinHash, MinHashLSH

    kept: list[Candidate] = []
    seen: set[str] = set()
    removed = {"exact": 0, "near": 0}
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    hashes: dict[str, MinHash] = {}
    for i, c in enumerate(cands):
        k = hashlib.sha256((_key(c.question) + "\x00" + _key(c.answer)).encode()).hexdigest()
        if k in seen:
            removed["exact"] += 1
            continue
        seen.add(k)
        mh = MinHash(num_perm=128, seed=seed)
        for g in set(char_ngrams(_key(c.question + c.answer), 3)):
            mh.update(g.encode("utf-8"))
        # LSH proposes candidates; the Jaccard estimate decides (banding lets lower pairs through)
        if any(mh.jaccard(hashes[k]) >= threshold for k in lsh.query(mh)):
            removed["near"] += 1
            continue
        lsh.insert(str(i), mh)
        hashes[str(i)] = mh
        kept.append(c)
    return kept, removed


def split_by_document(doc_ids: Iterable[str], fractions: Sequence[float], seed: int = 13) -> dict[str, str]:
    """Assign each document to one split. Deterministic for a seed; with three or more
    documents dev and test get at least one each when their fraction is > 0."""
    docs = sorted(set(doc_ids), key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).hexdigest())
    n = len(docs)
    counts = [int(round(f * n)) for f in fractions]
    for i in (2, 1):
        if fractions[i] > 0 and counts[i] == 0 and n >= 3:
            counts[i] = 1
    counts[0] = max(0, n - counts[1] - counts[2])
    out, pos = {}, 0
    for split, cnt in zip(SPLITS, counts):
        for d in docs[pos : pos + cnt]:
            out[d] = split
        pos += cnt
    return out


def _cite_sentences(answer: str, cite: str) -> str:
    return "".join(s + cite for s in split_sentences(answer))


def _sim(a: set[str], b: set[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def make_examples(cands: Sequence[Candidate], chunks_by_split: dict[str, list], assign: dict[str, str],
                  gcfg, prompter: Prompter) -> dict[str, list[dict]]:
    """Both shapes of example for each candidate, grouped by split."""
    rng = random.Random(gcfg.seed)
    grams = {s: [(c, set(char_ngrams(c.text, 2))) for c in chs] for s, chs in chunks_by_split.items()}
    # distractor pools: training inputs show training pages only (no test text leaks into
    # training); dev/test examples may also show training pages
    grams = {"train": grams.get("train", []), "dev": grams.get("train", []) + grams.get("dev", []),
             "test": grams.get("train", []) + grams.get("test", [])}
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    cut = gcfg.context_chars
    for i, c in enumerate(cands):
        split = assign[c.doc_id]
        base = {"source_chunk_ids": list(c.chunk_ids), "url": c.url, "title": c.title, "doc_id": c.doc_id,
                "strategy": c.strategy, "answer": c.answer}
        if "closed" in gcfg.shapes:
            out[split].append({"instruction": c.question, "input": "", "output": c.answer,
                               "shape": "closed", **base})
        if "context" in gcfg.shapes:
            q = set(char_ngrams(c.question + c.heading, 2))
            # lexically nearest chunks of *other* documents in the same split: they look
            # relevant but do not hold the answer
            pool = sorted((x for x in grams.get(split, []) if x[0].doc_id != c.doc_id),
                          key=lambda x: -_sim(q, x[1]))
            distract = [x[0] for x in pool[: gcfg.distractors * 3]]
            rng.shuffle(distract)
            distract = distract[: gcfg.distractors]
            src_text = (c.source_text or c.answer)
            if len(src_text) > cut:
                src_text = src_text[: max(cut, len(c.answer))]
            sources = [{"title": d.title, "text": d.text[:cut], "chunk_id": d.chunk_id} for d in distract]
            pos = rng.randint(0, len(sources))
            sources.insert(pos, {"title": c.title, "text": src_text, "chunk_id": c.chunk_ids[0] if c.chunk_ids else ""})
            out[split].append({
                "instruction": c.question, "input": prompter.format_context(sources),
                "output": _cite_sentences(c.answer, prompter.cite(pos + 1)), "shape": "context",
                "context_chunk_ids": [s["chunk_id"] for s in sources], "answer_source": pos + 1, **base})
            # every 8th candidate also gets an unanswerable variant (distractors only)
            if prompter.no_answer and distract and i % 8 == 7:
                srcs = [{"title": d.title, "text": d.text[:cut]} for d in distract]
                out[split].append({
                    "instruction": c.question, "input": prompter.format_context(srcs),
                    "output": prompter.no_answer, "shape": "context", "unanswerable": True,
                    "context_chunk_ids": [d.chunk_id for d in distract], "answer_source": None,
                    **{**base, "source_chunk_ids": []}})
    for s in SPLITS:
        for j, ex in enumerate(out[s]):
            ex["id"] = f"{s}-{j:05d}"
    return out


def _lengths(xs: list[int]) -> dict:
    if not xs:
        return {"mean": 0, "median": 0, "max": 0}
    return {"mean": round(statistics.fmean(xs), 1), "median": statistics.median(xs), "max": max(xs)}


def _stats(examples: dict[str, list[dict]], removed: dict, assign: dict[str, str], n_chunks: int) -> dict:
    allx = [e for s in SPLITS for e in examples[s]]
    return {
        "examples": {s: len(examples[s]) for s in SPLITS},
        "documents": {s: sum(1 for v in assign.values() if v == s) for s in SPLITS},
        "chunks": n_chunks,
        "by_strategy": dict(Counter(e["strategy"] for e in allx)),
        "by_shape": dict(Counter(e["shape"] for e in allx)),
        "by_split_strategy_shape": {s: dict(Counter(f"{e['strategy']}/{e['shape']}" for e in examples[s]))
                                    for s in SPLITS},
        "unanswerable": sum(1 for e in allx if e.get("unanswerable")),
        "duplicates_removed": removed,
        "chars": {k: _lengths([len(e[k]) for e in allx]) for k in ("instruction", "input", "output")},
    }


def build_dataset(cfg: GeneratorSettings, ws: Workspace, name: str | None = None, *, chunks: Iterable | None = None) -> DatasetSummary:
    """Build ``datasets/<name>/`` from the index (or from ``chunks`` given directly)."""
    gcfg = cfg.generator
    name = name or gcfg.dataset
    index_ref = "chunks given directly"
    if chunks is None:
        retriever = _index.open_index(ws, cfg)
        chunks = list(retriever.iter_chunks())
        m = getattr(retriever, "manifest", {}) or {}
        index_ref = f"index generation {m.get('generation', '?')} ({m.get('embedder', '?')})"
    else:
        chunks = list(chunks)
    if not chunks:
        raise DatasetError("the index has no chunks to make examples from", hint="tenkan crawl && tenkan index")
    teacher = None
    if "teacher" in gcfg.strategies and gcfg.teacher_url:
        client = OpenAIClient.from_env(gcfg.teacher_url, gcfg.api_key_env, gcfg.request_timeout, gcfg.request_retries)
        model = gcfg.teacher_model or "teacher"

        def teacher(prompt: str) -> str:
            return client.complete(prompt, model=model, api="chat", max_tokens=512, temperature=0.0)

    prompter = Prompter(gcfg.template)
    cands = collect_candidates(chunks, gcfg, teacher)
    cands, removed = dedupe(cands, gcfg.near_dup_threshold, gcfg.seed)
    if not cands:
        raise DatasetError("no strategy produced an example from these chunks",
                           hint="check generator.strategies, or set generator.teacher_url")
    assign = split_by_document({c.doc_id for c in chunks}, gcfg.split, gcfg.seed)
    chunks_by_split: dict[str, list] = defaultdict(list)
    for ch in chunks:
        chunks_by_split[assign[ch.doc_id]].append(ch)
    examples = make_examples(cands, chunks_by_split, assign, gcfg, prompter)
    stats = _stats(examples, removed, assign, len(chunks))

    out = ws.datasets_dir(create=True) / name
    tmp = out.with_name(f".{name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for s in SPLITS:
        atomic_write_text(tmp / f"{s}.jsonl", "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples[s]))
    atomic_write_json(tmp / "stats.json", stats)

    write_manifest(tmp, "tenkan dataset", inputs={"index": index_ref}, settings=gcfg,
                   extra={"name": name, "template": gcfg.template, "counts": stats["examples"],
                          "outputs": {s: {"path": portable_path(out / f"{s}.jsonl", ws.root), "sha256": sha256_file(tmp / f"{s}.jsonl")}
                                      for s in SPLITS},
                          "split_of_document": assign})
    old = out.with_name(f".{name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    log.info("dataset %s: %s examples (%s)", name, stats["examples"], stats["by_strategy"])
    return DatasetSummary(out, stats["examples"], stats)


def read_split(directory: str | Path, split: str = "train") -> list[dict]:
    p = Path(directory) / f"{split}.jsonl"
    if not p.is_file():
        raise DatasetError(f"{p} does not exist", hint="tenkan dataset")
    rows = []
    for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as exc:
            raise DatasetError(f"{p}:{i} is not valid JSON: {exc}") from exc
    return rows
