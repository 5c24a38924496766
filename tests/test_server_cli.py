"""`tenkan serve` as a user starts it: a subprocess on a free loopback port over a real
(hash-embedder) index, the token from $TENKAN_API_KEY, stopped with SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tenkan_serve_command_answers_and_stops_on_sigterm(poisoned_index, tmp_path):
    cfg_file = tmp_path / "t.toml"
    cfg_file.write_text('[index]\nembedder = "hash:256"\n', encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "TENKAN_API_KEY": "cli-token"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tenkan.face.cli.main", "--home", str(poisoned_index.workspace.root), "--config",
         str(cfg_file), "serve", "--port", str(port), "--set", "serve.preload_generator=false"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        t = time.monotonic()
        while True:
            assert proc.poll() is None, proc.stderr.read()[-2000:]
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() - t < 120, "tenkan serve did not become ready"
            time.sleep(0.3)
        q = "入浴のときに気をつけることは？"
        body = {"model": "tenkan-extractive", "messages": [{"role": "user", "content": q}]}
        assert httpx.post(url + "/v1/chat/completions", json=body, timeout=30).status_code == 401
        r = httpx.post(url + "/v1/chat/completions", json=body, timeout=30,
                       headers={"Authorization": "Bearer cli-token"})
        assert r.status_code == 200 and r.json()["choices"][0]["citations"]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    assert "bearer token required" in err and "POST /v1/chat/completions 200" in err
    assert q not in err  # the access log leaves the question out
