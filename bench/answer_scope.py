"""Does the assistant answer what its sources cover, in the words users really write?

Usage: .venv/bin/python bench/answer_scope.py [--home DIR] [--split tune|test|both] [--set KEY=VALUE ...]

Asks questions in extractive mode (the app's default) and reports:

* ``styles``: the user-wording set (``data/eval/styles.jsonl``), per half (``tune`` / ``test``)
  and per style: gold page among the retrieved sources (``gold_retrieved@4``), gold page cited,
  must-mention present (every ``must_mention`` span of the question in the answer text, and the
  share of spans present), in-scope declined (answered "the sources do not say" or "outside
  scope") and out-of-scope declined. Thresholds, weights and lexicon entries are chosen on
  ``tune`` only; ``test`` is reported, never looked at while tuning.
* ``emergencies``: the emergency-wording set (``data/eval/emergencies.jsonl``) per half:
  emergencies whose answer starts with the 119 guidance, emergencies declared out of scope
  (must be 0), emergencies whose answer cites a page about emergencies, and false alarms among
  the look-alike non-emergencies.
* ``own``: the project's own set (``data/eval/questions.jsonl``): in-scope answered, gold page
  cited, out-of-scope declined (kept from regressing).
* ``dev``: development lists (``data/eval/dev/*.tsv``: a gold page and a question per line, ``-`` for one
  the pages do not answer), written to develop one rule and looked at freely: in-scope declined and gold
  page cited, out-of-scope declined.
* ``timing``: seconds per extractive answer after the index is loaded (median, p95).

Needs an index in the workspace (`tenkan crawl && tenkan index`). Prints and saves
bench/results/answer_scope.json (``--out`` elsewhere, e.g. while tuning on one half).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import time
from pathlib import Path

from assistant import Assistant
from index import open_index
from index.embcache import EmbeddingCache
from index.embedders import Embedder
from eval.questions import BATCHES, batch_of, load_emergencies, load_questions, load_styles
from index.urls import page_key
from tenkan.face.config import load_config
from tenkan.jatext import normalize
from tenkan.manifest import atomic_write_json
from tenkan.paths import REPO_ROOT, Workspace

DECLINED = ("no_sources", "out_of_scope")
GUIDANCE_HEAD = "【緊急】"


def _squash(text: str) -> str:
    return re.sub(r"\s+|\[\d+\]", "", normalize(text))


class RememberedQueries(Embedder):
    """The index's embedder, with every query vector it makes kept in a SQLite file and read back
    the next time the same text is asked (``--remember-queries``): repeated development runs
    over thousands of questions spend most of their time embedding the same queries again. The
    vectors are the model's own, so answers are unchanged; answer times are not (they leave out
    the embedding), which is why the committed figures are measured without it."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.cache = EmbeddingCache(path, {**inner.describe(), "role": "query"}, inner.dim)

    def describe(self) -> dict:
        return self.inner.describe()

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str):
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        v = self.cache.get_many([sha]).get(sha)
        if v is None:
            v = self.inner.embed_query(text)
            self.cache.put_many([(sha, v)])
        return v


def ask_all(asst: Assistant, questions: list[dict], key: str = "question") -> list[dict]:
    rows = []
    for q in questions:
        t = time.perf_counter()
        ans = asst.ask(q[key], mode="extractive")
        seconds = time.perf_counter() - t
        # what retrieval found, also when the answer declined (a declined answer gives no sources)
        aq = asst.analyse(q[key])
        retrieved = asst.search(aq)
        gold = set(q.get("gold_pages") or [page_key(u) for u in q.get("urls", [])])
        answer = _squash(ans.answer)
        spans = q.get("must_mention") or []
        present = [s for s in spans if _squash(s) in answer]
        rows.append({
            "id": q["id"], "style": q.get("style") or q.get("type"), "split": q.get("split", ""),
            "in_scope": bool(gold), "gold": sorted(gold), "grounding": ans.grounding,
            "declined": ans.grounding in DECLINED,
            "emergency": bool(ans.safety.get("emergency")), "emergency_kinds": ans.safety.get("emergency_kinds"),
            "guidance_first": ans.answer.startswith(GUIDANCE_HEAD),
            "gold_retrieved": bool(gold & {page_key(h.url) for h in retrieved}),
            "gold_cited": bool(gold & {page_key(c.url) for c in ans.citations}),
            "cites_emergency_page": bool(EMERGENCY_PAGES & {page_key(c.url) for c in ans.citations}),
            "must_mention": len(present) / len(spans) if spans else None,
            "must_mention_all": len(present) == len(spans) if spans else None,
            "relevance": ans.relevance, "query": ans.query, "seconds": round(seconds, 4),
        })
    return rows


DEV_DIR = REPO_ROOT / "data/eval/dev"


DEV_EMERGENCIES = DEV_DIR / "emergencies.tsv"


def _dev_rows(path: Path) -> list[list[str]]:
    """The tab-separated (first field, rest) rows of a development list; ``#`` lines are notes."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            if "\t" not in line:
                raise SystemExit(f"{path.relative_to(REPO_ROOT)}:{n}: expected two tab-separated fields")
            rows.append(line.split("\t", 1))
    return rows


def _dev_question(name: str, i: int, gold: str, rest: str) -> dict:
    """A development list's row: a gold page (``-``: none; several separated by spaces when the question asks
    what more than one page answers), the question and, optionally after a second tab, its must-mention spans
    separated by ``|`` (each verbatim on a gold page)."""
    question, _, must = rest.partition("\t")
    return {"id": f"{name}-{i:03d}", "question": question,
            "gold_pages": [] if gold.strip() == "-" else ["/" + g.lstrip("/") for g in gold.split()],
            "must_mention": [m.strip() for m in must.split("|") if m.strip()]}


def load_dev_lists() -> dict[str, list[dict]]:
    """Each question list: ``{name: [{"id", "question", "gold_pages", "must_mention"}, ...]}`` (a gold page,
    then the question, then optionally its must-mention spans; ``-`` for a question the pages do not answer,
    which should be declined)."""
    return {path.stem: [_dev_question(path.stem, i, g, rest) for i, (g, rest) in enumerate(_dev_rows(path), 1)]
            for path in sorted(DEV_DIR.glob("*.tsv")) if path != DEV_EMERGENCIES}


def load_dev_emergencies() -> list[dict]:
    """``data/eval/dev/emergencies.tsv``: ``1``/``0`` (an emergency or a look-alike) and the message."""
    rows = _dev_rows(DEV_EMERGENCIES) if DEV_EMERGENCIES.is_file() else []
    return [{"id": f"dev-E-{i:03d}", "text": t, "emergency": y == "1", "kinds": [], "style": "dev"}
            for i, (y, t) in enumerate(rows, 1)]


def _rate(rows: list[dict], key: str) -> float | None:
    vals = [r[key] for r in rows if r[key] is not None]
    return round(sum(vals) / len(vals), 3) if vals else None


def summarise(rows: list[dict]) -> dict:
    ins = [r for r in rows if r["in_scope"]]
    oos = [r for r in rows if not r["in_scope"]]
    return {
        "in_scope": len(ins), "out_of_scope": len(oos),
        "gold_retrieved@4": _rate(ins, "gold_retrieved"),
        "gold_cited": _rate(ins, "gold_cited"),
        "must_mention_present": _rate(ins, "must_mention_all"),
        "must_mention_spans": _rate(ins, "must_mention"),
        "in_scope_declined": _rate(ins, "declined"),
        "out_of_scope_declined": _rate(oos, "declined"),
    }


def by_style(rows: list[dict]) -> dict:
    styles = sorted({r["style"] for r in rows})
    return {s: summarise([r for r in rows if r["style"] == s]) for s in styles}


def by_batch(rows: list[dict], file_name: str, summary) -> dict:
    """The summary of each batch of the set apart (eval.questions.BATCHES): a later batch, written
    without sight of the matcher, is the fresher test."""
    if not BATCHES.get(file_name):
        return {}
    batches = sorted({batch_of(r["id"], file_name) for r in rows})
    return {str(b): summary([r for r in rows if batch_of(r["id"], file_name) == b]) for b in batches}


#: the demo site's pages about emergencies (what to do, when to call 119, status epilepticus)
EMERGENCY_PAGES = {"/life/when-to-call-119.html", "/life/first-aid.html", "/basics/status-epilepticus.html"}


def emergency_summary(rows: list[dict], truth: dict[str, dict]) -> dict:
    em = [r for r in rows if truth[r["id"]]["emergency"]]
    calm = [r for r in rows if not truth[r["id"]]["emergency"]]
    kind_hits = sum(bool(set(truth[r["id"]]["kinds"]) & set(r["emergency_kinds"] or [])) for r in em)
    return {
        "emergencies": len(em), "guidance_first": sum(r["guidance_first"] for r in em),
        "out_of_scope": sum(r["grounding"] == "out_of_scope" for r in em),
        # what follows the guidance comes from a page about emergencies
        "cite_emergency_page": sum(r["cites_emergency_page"] for r in em),
        "kind_named": kind_hits,
        "non_emergencies": len(calm), "false_alarms": sum(r["emergency"] for r in calm),
        "by_style": {s: {"emergencies": sum(truth[r["id"]]["style"] == s for r in em),
                         "guidance_first": sum(r["guidance_first"] for r in em if truth[r["id"]]["style"] == s)}
                     for s in sorted({truth[r["id"]]["style"] for r in em})},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="workspace (default: $TENKAN_HOME or ./var)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="config override")
    ap.add_argument("--split", choices=("tune", "test", "both"), default="both",
                    help="which half of the style and emergency sets to ask (tune while choosing settings)")
    ap.add_argument("--skip-own", action="store_true", help="do not ask the project's own question set")
    ap.add_argument("--out", default=str(REPO_ROOT / "bench/results/answer_scope.json"))
    ap.add_argument("--rows", action="store_true", help="print each question's outcome (tune rows only)")
    ap.add_argument("--remember-queries", metavar="FILE", nargs="?", const=str(REPO_ROOT / "var/bench-queries.sqlite"),
                    help="keep query vectors in FILE (default var/bench-queries.sqlite) and reuse them: faster "
                         "repeated runs with the same answers, but answer times that leave out embedding")
    args = ap.parse_args()

    ws = Workspace.from_home(args.home)
    cfg = load_config(overrides=args.set)
    retriever = open_index(ws, cfg)
    if args.remember_queries:
        retriever.embedder = RememberedQueries(retriever.embedder, Path(args.remember_queries))
    asst = Assistant(cfg, ws, retriever=retriever)
    asst.ask("てんかんとは？", mode="extractive")  # warm-up: vocabulary, IDF, tokenizer
    splits = ("tune", "test") if args.split == "both" else (args.split,)
    result: dict = {"index": retriever.manifest.get("embedder"), "chunks": retriever.manifest.get("chunks"),
                    "mode": "extractive", "settings": {k: getattr(cfg.assistant, k) for k in (
                        "retrieval_method", "max_sources", "min_coverage", "min_weighted_coverage",
                        "story_weight", "expansion_weight")},
                    "styles": {}, "emergencies": {}}
    seconds: list[float] = []
    per_question: list[dict] = []
    for split in splits:
        rows = ask_all(asst, load_styles(split=split))
        seconds += [r["seconds"] for r in rows]
        result["styles"][split] = {"all": summarise(rows), "by_style": by_style(rows),
                                   "by_batch": by_batch(rows, "styles.jsonl", summarise)}
        messages = load_emergencies(split=split)
        truth = {m["id"]: m for m in messages}
        erows = ask_all(asst, messages, key="text")
        result["emergencies"][split] = emergency_summary(erows, truth)
        result["emergencies"][split]["by_batch"] = by_batch(
            erows, "emergencies.jsonl", lambda rows: {k: v for k, v in emergency_summary(rows, truth).items()
                                                       if k != "by_style"})
        if split == "tune":  # ids of misses only for the half one may look at
            result["emergencies"][split]["missed_ids"] = [r["id"] for r in erows
                                                          if truth[r["id"]]["emergency"] and not r["guidance_first"]]
        if split == "tune":
            per_question += rows + erows
            if args.rows:
                qs = {q["id"]: q for q in load_styles(split="tune")}
                for r in rows:
                    if r["in_scope"] and r["gold_cited"] and r["must_mention_all"] or (
                            not r["in_scope"] and r["declined"]):
                        continue
                    print(r["id"], r["style"], "declined" if r["declined"] else "answered",
                          "retrieved" if r["gold_retrieved"] else "not-retrieved", "cited" if r["gold_cited"] else
                          "MISS", r["must_mention"], r["relevance"].get("reason", ""), "|", qs[r["id"]]["question"],
                          "| gold", r["gold"], qs[r["id"]]["must_mention"], "|", r["query"])
                for r in erows:
                    m = truth[r["id"]]
                    if m["emergency"] != r["guidance_first"] or r["grounding"] == "out_of_scope" and m["emergency"]:
                        print(r["id"], "EMERGENCY" if m["emergency"] else "calm", m["kinds"], "got",
                              r["emergency_kinds"], r["grounding"], "|", m["text"])
    if not args.skip_own:
        own = ask_all(asst, load_questions())
        seconds += [r["seconds"] for r in own]
        s = summarise(own)
        result["own"] = {**s, "in_scope_answered": sum(not r["declined"] for r in own if r["in_scope"]),
                         "out_of_scope_declined_n": sum(r["declined"] for r in own if not r["in_scope"])}
    result["dev"] = {}
    for name, questions in load_dev_lists().items():
        s = summarise(ask_all(asst, questions))
        result["dev"][name] = {k: s[k] for k in ("in_scope", "gold_retrieved@4", "gold_cited", "must_mention_present",
                                                 "in_scope_declined", "out_of_scope", "out_of_scope_declined")}
    dev_messages = load_dev_emergencies()
    if dev_messages:
        truth = {m["id"]: m for m in dev_messages}
        e = emergency_summary(ask_all(asst, dev_messages, key="text"), truth)
        result["dev"]["emergencies"] = {k: v for k, v in e.items() if k != "by_style"}
    result["timing"] = {"answers": len(seconds), "median_s": round(statistics.median(seconds), 4),
                        "p95_s": round(sorted(seconds)[int(0.95 * (len(seconds) - 1))], 4)}
    if args.remember_queries:
        result["timing"]["note"] = "query vectors read back from a file (--remember-queries): embedding left out"
    result["per_question_tune"] = per_question

    for split, s in result["styles"].items():
        a = s["all"]
        print(f"styles/{split}: gold retrieved@4 {a['gold_retrieved@4']}, gold cited {a['gold_cited']}, "
              f"must-mention {a['must_mention_present']} (spans {a['must_mention_spans']}), "
              f"in-scope declined {a['in_scope_declined']}, out-of-scope declined {a['out_of_scope_declined']}")
        for batch, b in s.get("by_batch", {}).items():
            print(f"   batch {batch}: in-scope {b['in_scope']}, gold cited {b['gold_cited']}, must-mention "
                  f"{b['must_mention_present']}, in-scope declined {b['in_scope_declined']}, "
                  f"out-of-scope declined {b['out_of_scope_declined']}")
        for style, b in s["by_style"].items():
            print(f"   {style:15} n={b['in_scope'] or b['out_of_scope']:3} retrieved {b['gold_retrieved@4']} "
                  f"cited {b['gold_cited']} must {b['must_mention_present']} declined "
                  f"{b['in_scope_declined'] if b['in_scope'] else b['out_of_scope_declined']}")
    for split, e in result["emergencies"].items():
        print(f"emergencies/{split}: 119 first {e['guidance_first']}/{e['emergencies']}, out of scope "
              f"{e['out_of_scope']}, citing an emergency page {e['cite_emergency_page']}, "
              f"false alarms {e['false_alarms']}/{e['non_emergencies']}")
        for batch, b in e.get("by_batch", {}).items():
            print(f"   batch {batch}: 119 first {b['guidance_first']}/{b['emergencies']}, "
                  f"false alarms {b['false_alarms']}/{b['non_emergencies']}")
    if "own" in result:
        o = result["own"]
        print(f"own set: answered {o['in_scope_answered']}/{o['in_scope']}, gold cited {o['gold_cited']}, "
              f"out-of-scope declined {o['out_of_scope_declined_n']}/{o['out_of_scope']}")
    for name, d in result["dev"].items():
        if name == "emergencies":
            print(f"dev list emergencies: 119 first {d['guidance_first']}/{d['emergencies']}, "
                  f"false alarms {d['false_alarms']}/{d['non_emergencies']}")
            continue
        parts = []
        if d["in_scope"]:
            parts.append(f"gold retrieved@4 {d['gold_retrieved@4']}, gold cited {d['gold_cited']}, "
                         + (f"must-mention {d['must_mention_present']}, " if d["must_mention_present"] is not None else "")
                         + f"in-scope declined {d['in_scope_declined']} (of {d['in_scope']})")
        if d["out_of_scope"]:
            parts.append(f"out-of-scope declined {d['out_of_scope_declined']} (of {d['out_of_scope']})")
        print(f"dev list {name}: " + "; ".join(parts))
    print(f"timing: median {result['timing']['median_s']} s, p95 {result['timing']['p95_s']} s")
    atomic_write_json(Path(args.out), result)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
