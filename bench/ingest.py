"""Ingest benchmark: extraction throughput over the demo site served locally with
rate limiting off, and the cost of a refresh with nothing changed versus a full
crawl (same run). Prints the figures and saves them to bench/results/ingest.json.

    .venv/bin/python bench/ingest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import statistics
import tempfile
import time
import sys
from pathlib import Path

# this file is named like the package it measures: keep bench/ off the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "ingest.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from ingest.demo_server import DemoSiteServer
    from ingest.jobs import crawl
    from tenkan.config import load_config
    from tenkan.paths import Workspace

    full_s, refresh_s, pages = [], [], 0
    with DemoSiteServer(port=0) as srv:
        cfg = load_config(None, [f'ingest.mirror={{"http://127.0.0.1:8765" = "{srv.base_url}"}}',
                                 "ingest.rate_limits=false"])
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                ws = Workspace(Path(tmp))
                t = time.perf_counter()
                first = crawl(cfg, ws)  # empty workspace: every page downloaded and extracted
                full_s.append(time.perf_counter() - t)
                pages = first.to_dict()["fetched"]
                t = time.perf_counter()
                again = crawl(cfg, ws)  # nothing changed: conditional GET, 304s
                refresh_s.append(time.perf_counter() - t)
                assert again.to_dict()["unchanged"] == pages, again.format()
    full, ref = statistics.median(full_s), statistics.median(refresh_s)
    res = {
        "pages": pages,
        "full_crawl_s": round(full, 3),
        "pages_per_s": round(pages / full, 2),
        "refresh_unchanged_s": round(ref, 3),
        "refresh_to_full_ratio": round(ref / full, 3),
        "repeats": args.repeat,
        "full_crawl_runs_s": [round(x, 3) for x in full_s],
        "refresh_runs_s": [round(x, 3) for x in refresh_s],
        "concurrency": 4,
        "rate_limits": False,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
