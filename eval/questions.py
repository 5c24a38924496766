"""The evaluation questions, the eval stage's artifact: ``data/eval/questions.jsonl`` + its sha256 in
``manifest.json``, and the one loader every reader of a question set goes through.

Each line: ``{"id", "question", "urls": [demo-site URLs that answer it], "reference", "type"}``
with type one of fact, procedure, emergency, out-of-scope (``urls`` empty for out-of-scope).

``load_questions(path)`` verifies the file against the sha256 recorded in the ``manifest.json``
beside it before returning anything, so scores are always computed on the set a manifest names;
there is no way to skip the check. ``python -m eval.questions --freeze`` merges
``data/eval/parts/*.jsonl``, validates and (re)writes both files; ``python -m eval.questions
--record FILE`` records the sha256 of a question set of your own in the ``manifest.json`` beside it
(``tenkan eval --questions FILE`` reads it through the same loader).

Two more frozen sets sit beside it (split once into ``tune`` and ``test``; split and validated by
``data/eval/split_styles.py``), their sha256 and line counts recorded by the same freeze:
``styles.jsonl`` (questions in users' wording: ``{"id", "question", "style", "gold_pages",
"must_mention", "split"}``) and ``emergencies.jsonl`` (emergencies and look-alikes: ``{"id", "text",
"emergency", "kinds", "style", "split"}``), read with ``load_styles()`` and ``load_emergencies()``.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

from index.urls import page_key
from tenkan.errors import EvalError
from tenkan.jatext import normalize
from tenkan.manifest import atomic_write_json, atomic_write_text, sha256_file
from tenkan.paths import DEMO_SITE_DIR, EVAL_DIR

__all__ = ["load_questions", "load_styles", "load_emergencies", "validate", "merge_parts", "freeze", "record",
           "TYPES", "BATCHES", "batch_of", "QUESTIONS_FILE", "STYLES_FILE", "EMERGENCIES_FILE", "MANIFEST_FILE", "FREEZE_COMMAND"]

TYPES = ("fact", "procedure", "emergency", "out-of-scope")
QUESTIONS_FILE = EVAL_DIR / "questions.jsonl"
#: the last id of each earlier batch of the split sets (data/eval/split_styles.py keeps the same
#: cuts): rows after a cut were written later, by someone who had not seen the matcher, and their
#: test rows had never been measured when the batch landed -- reports give each batch apart
BATCHES = {"styles.jsonl": ("S-243", "S-355"), "emergencies.jsonl": ("E-187", "E-297")}
STYLES_FILE = EVAL_DIR / "styles.jsonl"
EMERGENCIES_FILE = EVAL_DIR / "emergencies.jsonl"
MANIFEST_FILE = EVAL_DIR / "manifest.json"
SPLITS = ("tune", "test")
FIELDS = ("id", "question", "urls", "reference", "type")
FREEZE_COMMAND = "python -m eval.questions --freeze"


def load_questions(path: str | Path | None = None) -> list[dict]:
    """The rows of a question set (default: the bundled one), after checking the file against the sha256
    in the ``manifest.json`` beside it (:class:`EvalError` when it is missing or differs)."""
    return _load_frozen(Path(path) if path else QUESTIONS_FILE)


def load_styles(split: str | None = None, path: str | Path | None = None) -> list[dict]:
    """The questions in users' wording (only the ``split`` half when given), sha256-checked."""
    return _split(_load_frozen(Path(path) if path else STYLES_FILE), split)


def load_emergencies(split: str | None = None, path: str | Path | None = None) -> list[dict]:
    """The emergency and look-alike messages (only the ``split`` half when given), sha256-checked."""
    return _split(_load_frozen(Path(path) if path else EMERGENCIES_FILE), split)


def batch_of(row_id: str, file_name: str) -> int:
    """The batch (1, 2, ...) of a row of a split set, from :data:`BATCHES`."""
    def num(x: str) -> int:
        return int(x.split("-")[-1])
    return 1 + sum(num(row_id) > num(cut) for cut in BATCHES.get(file_name, ()))


def _split(rows: list[dict], split: str | None) -> list[dict]:
    if split not in (None, *SPLITS):
        raise EvalError(f"unknown split {split!r}: one of {SPLITS}")
    return [r for r in rows if split is None or r["split"] == split]


def _how_to_freeze(path: Path) -> str:
    if path.resolve().parent == EVAL_DIR.resolve():
        return FREEZE_COMMAND
    return f"python -m eval.questions --record {path} (the bundled sets in data/eval: {FREEZE_COMMAND})"


def _load_frozen(path: Path) -> list[dict]:
    """The JSON lines of a frozen file, after checking it against the sha256 in its manifest.json."""
    if not path.is_file():
        raise EvalError(f"no evaluation set at {path}", hint=_how_to_freeze(path))
    mpath = path.parent / "manifest.json"
    if not mpath.is_file():
        raise EvalError(f"{path} has no manifest.json beside it with its sha256", hint=_how_to_freeze(path))
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise EvalError(f"{mpath} is not JSON ({exc})", hint=_how_to_freeze(path)) from exc
    want = ((manifest.get("files") or {}).get(path.name) or {}).get("sha256")
    got = sha256_file(path)
    if want is None:
        raise EvalError(f"{mpath} records no sha256 for {path.name}", hint=_how_to_freeze(path))
    if want != got:
        raise EvalError(
            f"{path} does not match the sha256 frozen in {mpath} ({got[:12]} != {str(want)[:12]}): "
            "the evaluation set changed", hint=f"restore the file, or re-freeze deliberately: {_how_to_freeze(path)}")
    return _rows(path)


def _rows(path: Path) -> list[dict]:
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise EvalError(f"{path}:{i}: not JSON ({exc})") from exc
    return out


def _pages() -> dict[str, tuple[str, str]]:
    """path -> (title, encoding) from data/demo_site/_PAGES.tsv (encoding ``pdf`` for PDF documents)."""
    out = {}
    for line in (DEMO_SITE_DIR / "_PAGES.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 4:
            out[parts[0]] = (parts[2], parts[3].split()[0])
    return out


def _page_text(path: str, encoding: str) -> str:
    if encoding.lower() == "pdf":  # a PDF document of the demo site: its text layer
        from pdfminer.high_level import extract_text

        return re.sub(r"\s+", "", extract_text(str(DEMO_SITE_DIR / path.lstrip("/"))))
    raw = (DEMO_SITE_DIR / path.lstrip("/")).read_bytes()
    enc = {"shift_jis": "cp932"}.get(encoding.lower(), encoding)
    text = raw.decode(enc, errors="replace")
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", text, flags=re.S | re.I)
    return re.sub(r"\s+", "", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def validate(questions: list[dict], min_count: int = 80, copy_span: int = 25) -> list[str]:
    """Problems with a question list (empty when valid)."""
    problems: list[str] = []
    pages = _pages()
    texts = {p: _page_text(p, enc) for p, (_, enc) in pages.items() if (DEMO_SITE_DIR / p.lstrip("/")).is_file()}
    keys = {page_key(p) for p in pages}
    seen_ids, seen_q = set(), {}
    if len(questions) < min_count:
        problems.append(f"only {len(questions)} questions, need at least {min_count}")
    for q in questions:
        qid = q.get("id", "?")
        if sorted(q) != sorted(FIELDS):
            problems.append(f"{qid}: fields {sorted(q)} != {sorted(FIELDS)}")
            continue
        if qid in seen_ids:
            problems.append(f"{qid}: duplicate id")
        seen_ids.add(qid)
        key = re.sub(r"[\s？?。！!、]", "", normalize(q["question"]))
        if key in seen_q:
            problems.append(f"{qid}: same question as {seen_q[key]}")
        seen_q[key] = qid
        if q["type"] not in TYPES:
            problems.append(f"{qid}: type {q['type']!r} not in {TYPES}")
        if q["type"] == "out-of-scope" and q["urls"]:
            problems.append(f"{qid}: out-of-scope question with urls")
        if q["type"] != "out-of-scope" and not q["urls"]:
            problems.append(f"{qid}: no url")
        for u in q["urls"]:
            p = page_key(u)
            if p not in keys:
                problems.append(f"{qid}: url {u} is not a page of data/demo_site/_PAGES.tsv")
            elif p.startswith("/staff/"):
                problems.append(f"{qid}: url {u} is disallowed by robots.txt")
        if not q["reference"].strip() or not q["question"].strip():
            problems.append(f"{qid}: empty question or reference")
        # written in the user's words: no long span copied from any page
        qs = re.sub(r"\s+", "", q["question"])
        for p, t in texts.items():
            if qs.rstrip("？?") in t or any(qs[i:i + copy_span] in t for i in range(max(0, len(qs) - copy_span + 1))
                                           if len(qs) >= copy_span):
                problems.append(f"{qid}: question copies text of {p}")
                break
    return problems


def merge_parts(parts_dir: Path | None = None) -> list[dict]:
    parts_dir = parts_dir or EVAL_DIR / "parts"
    out = []
    for f in sorted(parts_dir.glob("*.jsonl")):
        out += [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def freeze(questions: list[dict], out: Path | None = None) -> dict:
    """Write questions.jsonl and its manifest (sha256, counts by type), recording the sha256 and
    line count of styles.jsonl and emergencies.jsonl too when they are beside it."""
    out = out or QUESTIONS_FILE
    atomic_write_text(out, "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions))
    counts: dict[str, int] = {}
    for q in questions:
        counts[q["type"]] = counts.get(q["type"], 0) + 1
    manifest = {
        "producer": FREEZE_COMMAND,
        "description": "Demo-site evaluation questions in patients' and caregivers' words, each with the "
                       "demo-site page(s) that answer it, a short reference answer and a type; beside them "
                       "styles.jsonl (questions in users' wording) and emergencies.jsonl (emergencies and "
                       "look-alikes), each split once into tune and test.",
        "files": {out.name: {"sha256": sha256_file(out), "lines": len(questions)}},
        "count": len(questions), "by_type": counts,
        "sources": sorted(p.name for p in (EVAL_DIR / "parts").glob("*.jsonl")),
        "url_base": "http://127.0.0.1:8765 (compare pages by path: index.urls.page_key)",
    }
    for extra in (out.parent / STYLES_FILE.name, out.parent / EMERGENCIES_FILE.name):
        if extra.is_file():
            lines = sum(1 for line in extra.read_text(encoding="utf-8").splitlines() if line.strip())
            manifest["files"][extra.name] = {"sha256": sha256_file(extra), "lines": lines}
    atomic_write_json(out.parent / "manifest.json", manifest)
    return manifest


def record(path: str | Path) -> dict:
    """Record the sha256 and line count of a question set of one's own in the ``manifest.json`` beside it
    (other entries of that manifest are kept), so :func:`load_questions` accepts it. Returns the entry."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"no question set at {path}")
    rows = _rows(path)
    if not rows or not all(isinstance(r, dict) and str(r.get("question") or "").strip() for r in rows):
        raise EvalError(f"{path} is not a question set: every line needs a non-empty 'question'")
    mpath = path.parent / "manifest.json"
    manifest: dict = {}
    if mpath.is_file():
        try:
            manifest = json.loads(mpath.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise EvalError(f"{mpath} exists and is not JSON ({exc}); not overwriting it") from exc
    manifest.setdefault("producer", "python -m eval.questions --record")
    entry = {"sha256": sha256_file(path), "lines": len(rows)}
    manifest.setdefault("files", {})[path.name] = entry
    atomic_write_json(mpath, manifest)
    return entry


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.questions", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--freeze", action="store_true", help="merge data/eval/parts/*.jsonl, validate, write")
    ap.add_argument("--record", metavar="FILE", help="record FILE's sha256 in the manifest.json beside it")
    args = ap.parse_args(argv)
    if args.record:
        try:
            entry = record(args.record)
        except EvalError as exc:
            print(f"eval.questions: error: {exc}", file=sys.stderr)
            return 2
        print(f"recorded {args.record}: {entry['lines']} lines sha256 {entry['sha256']}")
        return 0
    qs = merge_parts() if args.freeze else load_questions()
    problems = validate(qs)
    for p in problems:
        print("invalid:", p, file=sys.stderr)
    if problems:
        return 1
    if args.freeze:
        m = freeze(qs)
        print(f"froze {m['count']} questions {m['by_type']} sha256 {m['files'][QUESTIONS_FILE.name]['sha256']}")
        for name in (STYLES_FILE.name, EMERGENCIES_FILE.name):
            if name in m["files"]:
                print(f"froze {name}: {m['files'][name]['lines']} lines sha256 {m['files'][name]['sha256']}")
    else:
        print(f"{len(qs)} questions valid and match the manifest")
        for name, load in ((STYLES_FILE.name, load_styles), (EMERGENCIES_FILE.name, load_emergencies)):
            if (EVAL_DIR / name).is_file():
                print(f"{len(load())} rows of {name} match the manifest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
