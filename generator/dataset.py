"""``tenkan dataset``: Alpaca-format instruction data from the index's chunks.

Pipeline: group chunks by document → candidates from each strategy → remove
exact and near-duplicate candidates → split train/dev/test *by document* →
make the example shapes (closed-book; context-conditioned as RAFT does it: the
real retriever's passages for the page's question and for variants in patients'
words, each shown as its best-matching sentence window, the gold passage present
in ``gold_share`` of them with the gold window's own sentences as the target, each
citing ``[n]``, absent in the rest with the template's ``no_answer``; see
``make_examples`` and docs/training.md) →
``datasets/<name>/{train,dev,test}.jsonl, stats.json, manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import shutil
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import index as _index
from generator.config import GeneratorSettings
from generator.context import best_window, window_sources
from generator.openai_client import OpenAIClient
from generator.prompter import Prompter
from generator.strategies import Candidate, boilerplate_sentences, faq_pairs, heading_pairs, teacher_pairs
from generator.styles import styled_questions
from tenkan.errors import DatasetError
from tenkan.jatext import char_ngrams, normalize, split_sentences
from tenkan.lexicon import BRAND_TO_GENERIC
from tenkan.manifest import atomic_write_json, atomic_write_text, sha256_file, write_manifest
from tenkan.paths import Workspace, portable_path

__all__ = ["build_dataset", "list_datasets", "test_split_path", "make_examples", "ContextSearch", "gold_target", "split_by_document", "dedupe", "collect_candidates",
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


def _squash(text: str) -> str:
    return "".join(normalize(text).split())


class ContextSearch:
    """The passages a context-conditioned example shows: the real retriever's hits for the
    example's question (``tenkan dataset``), or, when chunks are given without an index
    (tests, tools), a character-bigram ranking of those chunks standing in for it. Hits are
    restricted to ``allowed`` documents (training inputs show training pages only)."""

    def __init__(self, chunks: Sequence, retriever=None, method: str = "hybrid"):
        self.retriever, self.method = retriever, method
        self.by_id = {c.chunk_id: c for c in chunks}
        self._grams = [(c, set(char_ngrams(c.text, 2))) for c in chunks] if retriever is None else []

    def search(self, question: str, k: int, allowed: set[str], exclude: Callable[[object], bool] = lambda c: False) -> list:
        if self.retriever is None:
            q = set(char_ngrams(question, 2))
            ranked = sorted((x for x in self._grams if x[0].doc_id in allowed and not exclude(x[0])),
                            key=lambda x: (-_sim(q, x[1]), x[0].chunk_id))
            return [x[0] for x in ranked[:k]]
        fetch = k * 3
        while True:
            hits = self.retriever.search(_retrieval_query(question), k=fetch, method=self.method)
            keep = [self.by_id.get(h.chunk_id, h) for h in hits if h.doc_id in allowed and not exclude(h)]
            if len(keep) >= k or len(hits) < fetch or fetch >= 200:
                return keep[:k]
            fetch *= 3


def _retrieval_query(question: str) -> str:
    """The question with the generic names of the brand names in it, as the assistant's query
    analysis adds them (a small part of ``assistant.query.analyse``, which generator may not import)."""
    extra = [g for b, g in BRAND_TO_GENERIC.items() if b in question and g not in question]
    return question + (" " + " ".join(dict.fromkeys(extra)) if extra else "")


def _heading_like(sentence: str) -> bool:
    """What the citation check takes for a heading or a non-sentence (short, no final punctuation)."""
    s = sentence.strip()
    return not s or (len(s) <= 30 and not s.endswith(("。", "！", "？", "!", "?")))


_ANSWER_MARK = re.compile(r"^(?:A|Ａ)\s*[.．:：、]\s*", re.M)
#: a sentence that sends the reader elsewhere answers nothing by itself
_POINTER = re.compile(r"(ご覧ください|ご参照ください|をご確認ください)$")


def gold_target(window: str, section: str, max_sentences: int, max_chars: int) -> list[str]:
    """Target sentences: the gold window's own sentences that belong to the candidate's section,
    in the window's order (the window starts at the sentence that best matches the question,
    so the conclusion comes first), at most ``max_sentences`` and about ``max_chars``."""
    sec = _squash(_ANSWER_MARK.sub("", section))
    out: list[str] = []
    for sent in split_sentences(window):
        sent = _ANSWER_MARK.sub("", sent.removeprefix("- ").strip())
        if len(_squash(sent)) < 6 or _squash(sent) not in sec or _heading_like(sent) or _POINTER.search(sent):
            continue
        if out and (len(out) >= max_sentences or sum(map(len, out)) + len(sent) > max_chars):
            break
        out.append(sent)
    return out


def _gold_chunk(c: Candidate, by_id: dict) -> object | None:
    """The chunk of the candidate's section that holds most of its answer's beginning."""
    chs = [by_id[i] for i in c.chunk_ids if i in by_id]
    if not chs:
        return None
    first = _squash(split_sentences(c.answer)[0] if c.answer else "")[:20]
    return next((ch for ch in chs if first and first in _squash(ch.text)), chs[0])


def make_examples(cands: Sequence[Candidate], chunks_by_split: dict[str, list], assign: dict[str, str],
                  gcfg, prompter: Prompter, search: ContextSearch | None = None,
                  exclude_questions: set[str] | frozenset = frozenset()) -> tuple[dict[str, list[dict]], dict]:
    """The examples of every candidate, grouped by split, and what making them counted.

    * closed-book: the page's question and answer;
    * context-conditioned (RAFT, Zhang et al. 2024), for the page's question and
      ``styled_questions`` variants in patients' words: the ``context_sources`` passages the
      retriever returns for that question, each shown as its best-matching sentence window,
      in the serving format. With probability ``gold_share`` the gold passage is among them
      (``gold_position = "random"``: moved to a uniformly drawn position, or put there in place of
      the lowest-ranked hit when the retriever missed it; ``"retrieved"``: kept where the
      retriever ranked it) and the target is one to three of the gold window's own
      sentences, each ending with its ``[n]``; otherwise every passage of the candidate's
      section is kept out and the target is the template's ``no_answer``.
    """
    rng = random.Random(gcfg.seed)
    all_chunks = [c for chs in chunks_by_split.values() for c in chs]
    search = search or ContextSearch(all_chunks)
    docs = {s: {c.doc_id for c in chunks_by_split.get(s, [])} for s in SPLITS}
    # training inputs show training pages only (no dev/test text leaks into training);
    # dev/test examples may also show training pages
    allowed = {"train": docs["train"], "dev": docs["train"] | docs["dev"], "test": docs["train"] | docs["test"]}
    k = gcfg.context_sources if search.retriever is not None else gcfg.distractors + 1
    wchars = gcfg.window_chars if search.retriever is not None else gcfg.context_chars
    counts = Counter()
    out: dict[str, list[dict]] = {s: [] for s in SPLITS}
    for c in cands:
        split = assign[c.doc_id]
        base = {"source_chunk_ids": list(c.chunk_ids), "url": c.url, "title": c.title, "doc_id": c.doc_id,
                "strategy": c.strategy, "answer": c.answer, "page_question": c.question,
                "section_chunk_ids": list(c.chunk_ids)}
        if "closed" in gcfg.shapes:
            out[split].append({"instruction": c.question, "input": "", "output": c.answer,
                               "shape": "closed", "style": "page", **base})
        if "context" not in gcfg.shapes:
            continue
        gold = _gold_chunk(c, search.by_id)
        section = c.source_text or c.answer
        answer_keys = [_squash(x)[:20] for x in split_sentences(c.answer) if len(_squash(x)) >= 8]
        own = set(c.chunk_ids)

        def holds_answer(ch, own=own, answer_keys=answer_keys) -> bool:
            t = _squash(ch.text)
            return ch.chunk_id in own or any(key in t for key in answer_keys)

        questions = [("page", c.question)]
        if gcfg.styled_questions:
            questions += styled_questions(c.question, gcfg.styled_questions, seed=gcfg.seed,
                                          styles=gcfg.question_styles, heading=c.heading)
        for style, q in questions:
            if _squash(q) in exclude_questions:
                counts["dropped_equal_to_eval_question"] += 1
                continue
            with_gold = gold is not None and rng.random() < gcfg.gold_share
            if with_gold:
                hits = search.search(q, k, allowed[split])
                pos = next((i for i, h in enumerate(hits) if h.chunk_id in own), None)
                retrieved = pos is not None
                if pos is None:
                    hits = hits[: k - 1]
                    pos = rng.randint(0, len(hits))
                    hits.insert(pos, gold)
                elif gcfg.gold_position == "random":
                    # a page's own question nearly always retrieves its page first: left there, the
                    # model learns to quote [1] whatever it says (RAFT shuffles the documents)
                    found = hits.pop(pos)
                    pos = rng.randint(0, len(hits))
                    hits.insert(pos, found)
                gold_hit = hits[pos]
            else:
                hits = search.search(q, k, allowed[split], exclude=holds_answer)
                pos, retrieved = None, False
            if not hits:
                counts["no_passages"] += 1
                continue
            windows = window_sources(q, [(h.title, h.text) for h in hits], max_chars=wchars)
            window_of = "question"
            if with_gold:
                target = gold_target(windows[pos][1], section, gcfg.target_sentences, gcfg.answer_chars)
                if not target:
                    window_of = "section"  # the question's window missed the answer: show the section's own window
                    windows[pos] = (windows[pos][0], best_window(q, section, max_chars=wchars))
                    target = gold_target(windows[pos][1], section, gcfg.target_sentences, gcfg.answer_chars)
                    counts["gold_window_from_section"] += 1
                if not target:
                    counts["no_target_sentence"] += 1
                    continue
                output = "".join(t + prompter.cite(pos + 1) for t in target)
                counts["gold_retrieved" if retrieved else "gold_inserted"] += 1
            else:
                if not prompter.no_answer:
                    continue
                output = prompter.no_answer
                counts["gold_absent"] += 1
            out[split].append({
                "instruction": q, "input": prompter.format_context(windows), "output": output,
                "shape": "context", "style": style, "unanswerable": not with_gold,
                "gold_in_context": with_gold, "gold_retrieved": retrieved, "gold_window": window_of if with_gold else None,
                "context_chunk_ids": [h.chunk_id for h in hits], "answer_source": pos + 1 if with_gold else None,
                **base, "answer": "".join(target) if with_gold else "",
                **({"source_chunk_ids": [gold_hit.chunk_id]} if with_gold else {"source_chunk_ids": []})})
    for s in SPLITS:
        for j, ex in enumerate(out[s]):
            ex["id"] = f"{s}-{j:05d}"
    return out, dict(counts)


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
        "by_style": dict(Counter(e.get("style", "page") for e in allx if e["shape"] == "context")),
        "gold_share": {s: round(sum(1 for e in examples[s] if e.get("gold_in_context")) /
                                max(1, sum(1 for e in examples[s] if e["shape"] == "context")), 3) for s in SPLITS},
        "gold_retrieved_share": round(sum(1 for e in allx if e.get("gold_retrieved")) /
                                      max(1, sum(1 for e in allx if e.get("gold_in_context"))), 3),
        # where the answer's source sits: a model shown it first nearly always learns to cite [1]
        "answer_source": dict(sorted(Counter(e["answer_source"] for e in allx if e.get("answer_source")).items())),
        "duplicates_removed": removed,
        "chars": {k: _lengths([len(e[k]) for e in allx]) for k in ("instruction", "input", "output")},
    }


def build_dataset(cfg: GeneratorSettings, ws: Workspace, name: str | None = None, *, chunks: Iterable | None = None,
                  retriever=None, exclude_questions: Iterable[str] = ()) -> DatasetSummary:
    """Build ``datasets/<name>/`` from the index (or from ``chunks`` given directly; with a
    ``retriever`` too, contexts come from it, else from a lexical stand-in). No training question
    may equal one of ``exclude_questions`` (the face passes the evaluation questions: the eval stage
    owns them and sits above this one)."""
    gcfg = cfg.generator
    name = name or gcfg.dataset
    index_ref = "chunks given directly"
    if chunks is None:
        retriever = retriever or _index.open_index(ws, cfg)
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
    examples, made = make_examples(cands, chunks_by_split, assign, gcfg, prompter,
                                   ContextSearch(chunks, retriever), {_squash(q) for q in exclude_questions})
    stats = _stats(examples, removed, assign, len(chunks))
    stats["context"] = {"retrieval": "index (hybrid)" if retriever is not None else "character bigrams over the given chunks",
                        "sources": gcfg.context_sources if retriever is not None else gcfg.distractors + 1, **made}

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


def list_datasets(ws: Workspace) -> list[str]:
    """Names of the datasets built in workspace ``ws`` (directories with a manifest), sorted."""
    root = ws.datasets_dir()
    return sorted(p.parent.name for p in root.glob("*/manifest.json")) if root.is_dir() else []


def test_split_path(ws: Workspace, dataset: str) -> Path | None:
    """``datasets/<dataset>/test.jsonl``; ``"auto"`` = the most recent dataset that has a non-empty one
    (None when there is none). A named dataset without a test split is a :class:`DatasetError`."""
    root = ws.datasets_dir()
    if dataset != "auto":
        p = root / dataset / "test.jsonl"
        if not p.is_file():
            raise DatasetError(f"dataset {dataset!r} has no test split at {p}", hint="tenkan dataset")
        return p
    if not root.is_dir():
        return None
    found = sorted((p for p in root.glob("*/test.jsonl") if p.stat().st_size > 0), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


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
