"""`tenkan refresh` end to end: twice against the demo site, the lock, and a SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.fixtures.ingest import page, send, site_toml

KEYS = ("fetched", "unchanged", "changed", "new", "removed", "failed")


def tenkan(capsys, *argv) -> tuple[int, str]:
    from tenkan.face.cli.main import main

    capsys.readouterr()
    code = main(list(argv))
    cap = capsys.readouterr()
    tenkan.err = cap.err
    return code, cap.out


def test_refresh_twice_second_run_all_unchanged_index_not_rebuilt(demo_site, tmp_path, capsys):
    home = str(tmp_path / "home")
    args = ["refresh", "--json", "--home", home, "--mirror", f"http://127.0.0.1:8765={demo_site.base_url}",
            "--set", 'index.embedder="hash:64"', "-q"]
    code, out = tenkan(capsys, *args)
    first = json.loads(out.strip().splitlines()[-1])
    assert code == 0, first
    assert all(isinstance(first[k], int) for k in KEYS)
    assert first["new"] == first["documents"] >= 30 and first["failed"] == 0
    assert first["index"] == "updated"
    current = (tmp_path / "home" / "index" / "CURRENT").read_text()

    code, out = tenkan(capsys, *args)
    second = json.loads(out.strip().splitlines()[-1])
    assert code == 0
    assert (second["changed"], second["new"], second["removed"], second["failed"]) == (0, 0, 0, 0)
    assert second["unchanged"] == second["fetched"] == first["fetched"]
    assert second["index"] == "unchanged"
    assert (tmp_path / "home" / "index" / "CURRENT").read_text() == current, "the index was not rebuilt"
    runs = sorted((tmp_path / "home" / "corpus" / "runs").glob("*.json"))
    assert len(runs) == 2 and json.loads(runs[-1].read_text())["unchanged"] == second["unchanged"]


def test_refresh_exits_nonzero_when_nothing_can_be_fetched(tmp_path, capsys):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there
    home = str(tmp_path / "home")
    code, out = tenkan(capsys, "refresh", "--home", home, "--mirror", f"http://127.0.0.1:8765=http://127.0.0.1:{port}",
                       "--set", "ingest.timeout_s=1", "-q")
    assert code == 3
    assert "FAILED" in out and "robots.txt" in out


def test_second_run_is_refused_while_one_holds_the_lock(demo_corpus, capsys):
    from ingest.corpus import corpus_lock

    ws = demo_corpus.workspace
    with corpus_lock(ws):
        code, _ = tenkan(capsys, "refresh", "--home", str(ws.root), "--no-index", "-q",
                         "--mirror", f"http://127.0.0.1:8765={demo_corpus.server.base_url}")
    assert code == 4
    assert "another crawl or refresh is running" in tenkan.err


@pytest.mark.slow
def test_sigkill_mid_refresh_loses_nothing_and_next_run_is_clean(tmp_path, hostile_site, capsys):
    s = hostile_site
    n = 12
    mode = {"version": 1, "delay": 0.0}
    r = s.routes
    r["/robots.txt"] = lambda h: send(h, 404, b"")
    r["/"] = lambda h: send(h, 200, page("目次", "<p>" + "このサイトの目次です。発作と治療について説明します。" * 4 + "</p>" +
                                         "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(n))))

    def make(i):
        def handler(h):
            time.sleep(mode["delay"])
            txt = f"第{i}章（版{mode['version']}）：" + "てんかんの治療は薬物療法が中心で、多くの人は薬で発作が抑えられます。" * (3 + i)
            send(h, 200, page(f"ページ{i}", f"<p>{txt}</p><p>番号{i}の内容の{'改訂' if mode['version'] > 1 else '初版'}です。</p>"))
        return handler
    for i in range(n):
        r[f"/p{i}.html"] = make(i)
    sites = site_toml(tmp_path, s.base_url, concurrency=1)
    home = tmp_path / "home"
    base = ["--home", str(home), "--set", f"ingest.sites_file={json.dumps(sites)}", "--set", 'ingest.sites=["hostile"]',
            "--set", "ingest.near_duplicate_threshold=0.98"]
    code, out = tenkan(capsys, "refresh", "--no-index", "--json", *base)
    assert code == 0 and json.loads(out.splitlines()[-1])["new"] == n + 1

    mode.update(version=2, delay=0.4)
    proc = subprocess.Popen([sys.executable, "-m", "tenkan.face.cli.main", "refresh", "--no-index", *base],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=os.getcwd())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(s.hits.get(f"/p{i}.html", 0) for i in range(n)) < n + 4:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    db = sqlite3.connect(home / "corpus" / "crawl.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    lines = (home / "corpus" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [json.loads(line) for line in lines]  # every line complete
    assert len(docs) == n + 1, "no stored document lost"

    mode.update(delay=0.0)
    code, out = tenkan(capsys, "refresh", "--no-index", "--json", *base)
    after = json.loads(out.splitlines()[-1])
    assert code == 0, after
    assert after["new"] == 0 and after["removed"] == 0
    docs = {d["url"]: d for d in (json.loads(x) for x in (home / "corpus" / "documents.jsonl").read_text().splitlines())}
    assert len(docs) == n + 1
    assert all("改訂" in d["text"] for u, d in docs.items() if "/p" in u), "every page reached its new version"
    # pages the killed run had stored already count as unchanged now, the rest as changed
    assert after["changed"] + after["unchanged"] == n + 1 and 0 < after["changed"] < n
