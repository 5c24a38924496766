"""Split and validate ``styles.jsonl`` and ``emergencies.jsonl`` (standalone: no project imports).

    python data/eval/split_styles.py            # validate both files
    python data/eval/split_styles.py --assign   # give each row without a split one, then validate
    python data/eval/split_styles.py --corpus /path/to/documents.jsonl   # also check spans on crawled text

The split is made once, by row: ``--assign`` only fills rows whose ``split`` is empty, so rows
that already have one keep it. Rows are visited in a seeded order and each goes to the half where
its strata (style and first gold page for styles.jsonl; emergency flag, kinds and style for
emergencies.jsonl) are fewer so far. Rows appended later are split the same way with the earlier
rows fixed (splitting everything afresh would move earlier test rows into tune); ``BATCHES`` records
the last id of each earlier batch so that ``reproduce`` can replay the split from empty.
After changing either file, re-freeze: ``python -m eval.questions --freeze``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE.parent / "demo_site"
STYLES_FILE = HERE / "styles.jsonl"
EMERGENCIES_FILE = HERE / "emergencies.jsonl"
SEED = 20261001
SPLITS = ("tune", "test")

STYLES = ("casual", "hiragana", "typo", "everyday_words", "symptom", "third_person", "story", "short",
          "mixed_english", "out_of_scope")
STYLE_FIELDS = ("id", "question", "style", "gold_pages", "must_mention", "split")
MIN_STYLES, MIN_PER_STYLE, MIN_OOS, MIN_PER_STYLE_SPLIT = 200, 18, 34, 9
NOT_GOLD = ("/index.html", "/about.html")
GENERIC = {"てんかん", "発作", "主治医", "薬", "お薬"}

KINDS = ("long_seizure", "repeated_seizures", "no_recovery", "breathing", "injury", "first_seizure", "water",
         "pregnancy")
EM_STYLES = ("hiragana", "katakana", "typo", "mixed_english", "run_on", "casual", "kanji")
EM_FIELDS = ("id", "text", "emergency", "kinds", "style", "split")
MIN_EM, MIN_NON, MIN_EM_SPLIT, MIN_KIND_SPLIT = 84, 84, 42, 4
# Last id of each batch that was split before later rows were appended (a new batch: add its cut here
# when the next one is appended). Rows after the last cut form the current batch.
BATCHES = {"styles.jsonl": ("S-243", "S-355"), "emergencies.jsonl": ("E-187", "E-297")}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def pages() -> dict[str, str]:
    """path -> encoding, from the demo site's _PAGES.tsv."""
    out = {}
    for line in (SITE / "_PAGES.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 4:
            out[parts[0]] = parts[3].split()[0]
    return out


def page_text(path: str, encoding: str) -> str:
    """A page's visible text without whitespace (the approach of eval.questions._page_text)."""
    if encoding.lower() == "pdf":  # a PDF document of the demo site: its text layer
        from pdfminer.high_level import extract_text

        return re.sub(r"\s+", "", extract_text(str(SITE / path.lstrip("/"))))
    raw = (SITE / path.lstrip("/")).read_bytes()
    text = raw.decode({"shift_jis": "cp932"}.get(encoding.lower(), encoding), errors="replace")
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S | re.I)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def corpus_texts(path: Path) -> dict[str, str]:
    """path -> crawled text without whitespace, from a corpus documents.jsonl."""
    out = {}
    for d in read(path):
        out[re.sub(r"^[a-z]+://[^/]+", "", d["url"]).split("#")[0]] = re.sub(r"\s+", "", d["text"])
    return out


def assign(rows: list[dict], strata, seed: int = SEED) -> int:
    """Give rows without a split one: seeded order, each to the half with fewer of its strata."""
    rng = random.Random(seed)
    counts = Counter((r["split"], s) for r in rows if r.get("split") in SPLITS for s in strata(r))
    todo = sorted((r for r in rows if r.get("split") not in SPLITS), key=lambda r: r["id"])
    rng.shuffle(todo)
    for r in todo:
        load = {sp: sum(w * counts[(sp, s)] for s, w in strata(r).items()) for sp in SPLITS}
        r["split"] = min(SPLITS, key=lambda sp: (load[sp], rng.random()))
        counts.update((r["split"], s) for s in strata(r))
    return len(todo)


def reproduce(rows: list[dict], strata, cuts: tuple[str, ...]) -> int:
    """Split rows without a split batch by batch, as they were appended: each batch with the earlier ones fixed."""
    n = 0
    for cut in cuts:
        n += assign([r for r in rows if r["id"] <= cut], strata)
    return n + assign(rows, strata)


def style_strata(r: dict) -> dict:
    return {("style", r["style"]): 10, ("page", (r["gold_pages"] or ["-"])[0]): 6}


def emergency_strata(r: dict) -> dict:
    out = {("emergency", r["emergency"]): 4, ("style", r["style"]): 2, ("em-style", r["emergency"], r["style"]): 2}
    out.update({("kind", k): 8 for k in r["kinds"]})
    return out


def validate_styles(rows: list[dict], corpus: dict[str, str] | None = None) -> list[str]:
    problems: list[str] = []
    known = pages()
    texts = {p: page_text(p, enc) for p, enc in known.items() if (SITE / p.lstrip("/")).is_file()}
    ids, seen = set(), {}
    for r in rows:
        rid = r.get("id", "?")
        if sorted(r) != sorted(STYLE_FIELDS):
            problems.append(f"{rid}: fields {sorted(r)} != {sorted(STYLE_FIELDS)}")
            continue
        if not re.fullmatch(r"S-\d{3}", rid) or rid in ids:
            problems.append(f"{rid}: bad or duplicate id")
        ids.add(rid)
        key = re.sub(r"[\s？?。！!、,]", "", r["question"])
        if not key or key in seen:
            problems.append(f"{rid}: empty, or the same question as {seen.get(key)}")
        seen[key] = rid
        if r["style"] not in STYLES:
            problems.append(f"{rid}: style {r['style']!r} not in {STYLES}")
        if r["split"] not in SPLITS:
            problems.append(f"{rid}: split {r['split']!r} not in {SPLITS}")
        gold, spans = r["gold_pages"], r["must_mention"]
        if r["style"] == "out_of_scope":
            if gold or spans:
                problems.append(f"{rid}: out_of_scope with gold_pages or must_mention")
            continue
        if not gold or not 1 <= len(spans) <= 3:
            problems.append(f"{rid}: needs gold_pages and 1-3 must_mention")
        for p in gold:
            if p not in known or p in NOT_GOLD or p.startswith("/staff/"):
                problems.append(f"{rid}: {p} is not a demo-site page that may be gold")
        if gold and gold[0] == "/faq.html":
            problems.append(f"{rid}: /faq.html only as a second gold page")
        for s in spans:
            if s in GENERIC or not 2 <= len(s) <= 20:
                problems.append(f"{rid}: must_mention {s!r} is generic or not 2-20 characters")
            if not any(s in texts.get(p, "") for p in gold):
                problems.append(f"{rid}: must_mention {s!r} is on none of its gold pages")
            if corpus is not None and not any(s in corpus.get(p, "") for p in gold):
                problems.append(f"{rid}: must_mention {s!r} is on none of its gold pages in the crawled corpus")
        q = re.sub(r"\s+", "", r["question"])
        if any(q[i:i + 15] in t for t in texts.values() for i in range(len(q) - 14)):
            problems.append(f"{rid}: question copies 15+ characters of a page")
    by_style = Counter(r.get("style") for r in rows)
    by_split = Counter((r.get("style"), r.get("split")) for r in rows)
    if len(rows) < MIN_STYLES:
        problems.append(f"only {len(rows)} questions, need {MIN_STYLES}")
    for st in STYLES:
        need = MIN_OOS if st == "out_of_scope" else MIN_PER_STYLE
        if by_style[st] < need:
            problems.append(f"style {st}: {by_style[st]} questions, need {need}")
        for sp in SPLITS:
            if by_split[(st, sp)] < MIN_PER_STYLE_SPLIT:
                problems.append(f"style {st}: {by_split[(st, sp)]} in {sp}, need {MIN_PER_STYLE_SPLIT}")
    return problems


def validate_emergencies(rows: list[dict]) -> list[str]:
    problems: list[str] = []
    ids, seen = set(), {}
    for r in rows:
        rid = r.get("id", "?")
        if sorted(r) != sorted(EM_FIELDS):
            problems.append(f"{rid}: fields {sorted(r)} != {sorted(EM_FIELDS)}")
            continue
        if not re.fullmatch(r"E-\d{3}", rid) or rid in ids:
            problems.append(f"{rid}: bad or duplicate id")
        ids.add(rid)
        key = re.sub(r"[\s？?。！!、,]", "", r["text"])
        if not key or key in seen:
            problems.append(f"{rid}: empty, or the same text as {seen.get(key)}")
        seen[key] = rid
        if r["style"] not in EM_STYLES:
            problems.append(f"{rid}: style {r['style']!r} not in {EM_STYLES}")
        if r["split"] not in SPLITS:
            problems.append(f"{rid}: split {r['split']!r} not in {SPLITS}")
        if not isinstance(r["emergency"], bool) or r["emergency"] != bool(r["kinds"]):
            problems.append(f"{rid}: emergency must be true exactly when kinds is not empty")
        if any(k not in KINDS for k in r["kinds"]) or len(set(r["kinds"])) != len(r["kinds"]):
            problems.append(f"{rid}: kinds {r['kinds']} not distinct keys of {KINDS}")
    em = Counter((r.get("emergency"), r.get("split")) for r in rows)
    kinds = Counter((k, r.get("split")) for r in rows for k in r.get("kinds", []))
    if sum(em[(True, sp)] for sp in SPLITS) < MIN_EM or sum(em[(False, sp)] for sp in SPLITS) < MIN_NON:
        problems.append(f"need {MIN_EM} emergencies and {MIN_NON} non-emergencies: {dict(em)}")
    for sp in SPLITS:
        if em[(True, sp)] < MIN_EM_SPLIT:
            problems.append(f"{sp}: {em[(True, sp)]} emergencies, need {MIN_EM_SPLIT}")
        for k in KINDS:
            if kinds[(k, sp)] < MIN_KIND_SPLIT:
                problems.append(f"{sp}: kind {k} {kinds[(k, sp)]} times, need {MIN_KIND_SPLIT}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--assign", action="store_true", help="split the rows that have no split yet, and write")
    ap.add_argument("--corpus", type=Path, help="a documents.jsonl whose crawled text must_mention must match too")
    args = ap.parse_args(argv)
    styles, emergencies = read(STYLES_FILE), read(EMERGENCIES_FILE)
    if args.assign:
        n = assign(styles, style_strata) + assign(emergencies, emergency_strata)
        write(STYLES_FILE, styles)
        write(EMERGENCIES_FILE, emergencies)
        print(f"assigned a split to {n} rows")
    corpus = corpus_texts(args.corpus) if args.corpus else None
    problems = validate_styles(styles, corpus) + validate_emergencies(emergencies)
    for p in problems:
        print("invalid:", p, file=sys.stderr)
    print(f"styles.jsonl: {len(styles)} rows {dict(Counter(r['split'] for r in styles))}; "
          f"emergencies.jsonl: {len(emergencies)} rows {dict(Counter(r['split'] for r in emergencies))}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
