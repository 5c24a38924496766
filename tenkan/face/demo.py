"""The demo: the whole pipeline on the embedded defaults, from one command.

serve the bundled site on loopback → crawl → index → (train or use the committed
adapter) → answer sample questions with citations → evaluate → start the app.
Each step calls the stage's library function; this module only sequences them
and prints what happened.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import index
import ingest
from assistant import Assistant
from eval.questions import load_questions
from eval.runner import run_demo_eval
from generator import find_adapter
from generator.demo import train_demo_adapter
from ingest.demo_server import CANONICAL_BASE, DEFAULT_PORT, DemoSiteServer
from tenkan.paths import REPO_ROOT, Workspace

log = logging.getLogger(__name__)

#: Asked in the demo, one per area (an emergency, a medicine caution, daily life).
SAMPLE_QUESTIONS = [
    "子どもの発作が5分以上止まらないときはどうすればいいですか？",
    "バルプロ酸を飲んでいて妊娠を考えています。気をつけることは？",
    "てんかんがあっても車の運転免許は取れますか？",
]


def _say(msg: str) -> None:
    print(msg, flush=True)


@contextmanager
def demo_site_running(cfg):
    """Serve the demo site on its canonical port, or on a free one with an ingest mirror."""
    try:
        srv = DemoSiteServer(port=DEFAULT_PORT)
    except OSError:
        srv = DemoSiteServer(port=0)
        cfg.ingest.mirror = {**cfg.ingest.mirror, CANONICAL_BASE: srv.base_url}
        _say(f"  port {DEFAULT_PORT} is busy: serving the demo site at {srv.base_url} and crawling it as {CANONICAL_BASE}")
    with srv:
        yield srv


def _step(n: int, title: str) -> float:
    _say(f"\n[{n}] {title}")
    return time.perf_counter()


def _done(t0: float, detail: str = "") -> None:
    _say(f"    done in {time.perf_counter() - t0:.1f} s{(' — ' + detail) if detail else ''}")


def print_answer(ans: dict) -> None:
    safety = ans.get("safety", {})
    if safety.get("emergency"):
        _say("    ⚠ 緊急の可能性があります（119番）")
    _say("    " + ans["answer"].replace("\n", "\n    "))
    for c in ans.get("citations", []):
        page = f" 「p.{c['page']}」" if c.get("page") else ""  # a page of a PDF document (url ends in #page=N)
        _say(f"      [{c['n']}] {c['title']}{page} — {c['url']}")
    _say(f"    (mode={ans['mode']}, grounded={ans['grounded']})")


def run_demo(cfg, ws: Workspace, *, app: bool = True, train: bool = False, eval_limit: int = 5,
             mode: str | None = None, resume: bool = False) -> int:
    total = time.perf_counter()
    with demo_site_running(cfg) as srv:
        t = _step(1, f"crawl the demo site ({srv.base_url}) → {ws.corpus_dir()}")
        summary = ingest.crawl(cfg, ws)
        _done(t)
        _say("    " + summary.format().split("\n")[0])

        t = _step(2, f"index the corpus → {ws.index_dir()}")
        isum = index.build(cfg, ws)
        _done(t, f"generation {isum.generation}: {isum.documents} documents, {isum.chunks} chunks, "
                 f"embedder {isum.embedder} ({isum.dim}-d), {isum.embedded_chunks} embedded")


        if train:
            t = _step(3, "build instruction data and LoRA-train the demo adapter (one epoch: 1 to 3.5 hours on 2 CPU "
                         "cores, minutes on a GPU; checkpoints every 25 steps, --resume continues)")
            adapter = train_demo_adapter(cfg, ws, exclude_questions=[q["question"] for q in load_questions()],
                                         resume=resume)
            _done(t, f"adapter {adapter}")
        else:
            t = _step(3, "tuned generator: use the committed demo adapter (`tenkan demo --train` retrains it)")
            adapter = find_adapter(ws, cfg)
            _done(t, f"adapter {adapter}" if adapter else "no adapter found: generated modes fall back to the base model")

        asst = Assistant(cfg, ws)
        use_mode = asst.resolve_mode(mode or "auto")
        t = _step(4, f"answer {len(SAMPLE_QUESTIONS)} sample questions (mode {use_mode})")
        for q in SAMPLE_QUESTIONS:
            _say(f"\n  Q: {q}")
            ans = asst.ask(q, mode=use_mode).to_dict()
            print_answer(ans)
        _done(t)

        t = _step(5, f"evaluate answer modes on the demo question set (generated modes on {eval_limit} questions)")

        run_dir = run_demo_eval(cfg, ws, generated_limit=eval_limit, assistant=asst)
        _done(t, f"report: {run_dir / 'report.md'}")
        _say(f"\ndemo pipeline finished in {time.perf_counter() - total:.0f} s")

        if not app:
            return 0
        return run_app(ws)


def run_app(ws: Workspace, port: int = 8501) -> int:
    """Start the Streamlit app on loopback and block until interrupted."""
    env = {**os.environ, "TENKAN_HOME": str(ws.root)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "streamlit_app.py"),
           "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
           "--browser.gatherUsageStats", "false"]
    _say(f"\n[6] app: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
    proc = subprocess.Popen(cmd, env=env, cwd=REPO_ROOT)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        return 0
