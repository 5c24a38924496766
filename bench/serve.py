"""`tenkan serve` under load: latency of extractive answers through the OpenAI API.

Usage: .venv/bin/python bench/serve.py [--home DIR] [--concurrency 50] [--sequential 20]

Starts the real server (uvicorn on a free loopback port) over the workspace's index
(`tenkan demo --no-app`, or `tenkan crawl && tenkan index`), sends `--sequential`
requests one at a time, then `--concurrency` requests at once, each with the official
`openai` client, and reports errors and latency percentiles (whole request, client side).
Questions: the fact questions of data/eval/parts; the concurrent burst asks ones the
sequential round did not (no warm query caches). Prints and saves bench/results/serve.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

from tenkan.face.config import load_config
from tenkan.face.server.runner import ServerThread
from tenkan.manifest import atomic_write_json
from tenkan.paths import Workspace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))  # nearest rank
    return xs[k]


def _summary(lat: list[float], wall: float, errors: list[str]) -> dict:
    return {"requests": len(lat) + len(errors), "errors": len(errors), "error_samples": errors[:3],
            "p50_s": round(_pct(lat, 50), 3), "p95_s": round(_pct(lat, 95), 3), "max_s": round(max(lat), 3) if lat else None,
            "mean_s": round(statistics.mean(lat), 3) if lat else None, "wall_s": round(wall, 2),
            "requests_per_s": round(len(lat) / wall, 2) if wall else None}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="workspace (default: $TENKAN_HOME or ./var)")
    ap.add_argument("--concurrency", type=int, default=50, help="requests sent at once")
    ap.add_argument("--sequential", type=int, default=20, help="requests sent one at a time first")
    ap.add_argument("--mode", default="extractive")
    args = ap.parse_args()

    import openai

    from tenkan.face.server.app import create_app  # starlette at its top: loaded only here

    rows = [json.loads(line) for f in sorted(glob.glob(str(ROOT / "data/eval/parts/*.jsonl")))
            for line in open(f, encoding="utf-8") if line.strip()]
    questions = [r["question"] for r in rows if r.get("type") == "fact"] or ["発作が5分以上続いたら？"]
    cfg = load_config()
    if args.mode == "extractive":
        cfg.serve.preload_generator = False  # the extractive load test needs no model
    ws = Workspace.from_home(args.home)
    app = create_app(cfg, ws)
    state = app.state.tenkan
    t = time.perf_counter()
    with ServerThread(app, cfg) as srv:
        state.ready.wait(600)
        if state.load_error:
            print(f"the server could not load: {state.load_error}", file=sys.stderr)
            return 1
        ready_s = time.perf_counter() - t
        client = openai.OpenAI(base_url=srv.url + "/v1", api_key="bench", max_retries=0, timeout=300)
        model = f"tenkan-{args.mode}"

        def one(q: str, lat: list, errors: list) -> None:
            t0 = time.perf_counter()
            try:
                r = client.chat.completions.create(model=model, messages=[{"role": "user", "content": q}])
                if not r.choices[0].message.content:
                    raise RuntimeError("empty answer")
                lat.append(time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001 - counted and sampled
                errors.append(f"{type(exc).__name__}: {exc}"[:200])

        seq_lat, seq_err = [], []
        t0 = time.perf_counter()
        for i in range(args.sequential):
            one(questions[i % len(questions)], seq_lat, seq_err)
        seq = _summary(seq_lat, time.perf_counter() - t0, seq_err)

        con_lat, con_err = [], []
        # questions the sequential round did not ask (the retriever caches query vectors)
        burst = [questions[(args.sequential + i) % len(questions)] for i in range(args.concurrency)]
        threads = [threading.Thread(target=one, args=(q, con_lat, con_err)) for q in burst]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        con = _summary(con_lat, time.perf_counter() - t0, con_err)

    results = {
        "mode": args.mode, "questions": len(questions), "index_chunks": state.loaded.get("index", {}).get("chunks"),
        "embedder": state.loaded.get("index", {}).get("embedder"), "ready_s": round(ready_s, 2),
        "workers": cfg.serve.workers, "sequential": seq, "concurrent": {"concurrency": args.concurrency, **con},
        "client": "openai " + openai.__version__, "command": "bench/serve.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(), "cpus": os.cpu_count(),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(json.dumps(results, ensure_ascii=False, indent=1))
    out = ROOT / "bench" / "results" / "serve.json"
    atomic_write_json(out, results)
    print(f"saved {out.relative_to(ROOT)}")
    return 0 if not (seq_err or con_err) else 1


if __name__ == "__main__":
    sys.exit(main())
