"""Timeouts are told apart by exception type (``FetchTimeout.phase``), not by the
words in a message: a stalled or silent server is retried, a too-slow body is not."""

from __future__ import annotations

import time

import pytest

from tenkan.errors import FetchTimeout
from tests.fixtures.ingest import send


def _fetcher(retries=1, timeout=0.4):
    from ingest.config import IngestConfig
    from ingest.fetch import Fetcher

    return Fetcher(IngestConfig(timeout_s=timeout, max_retries=retries), "tenkan-test/0.1")


def _silent(h):
    time.sleep(1.0)  # no status line at all within the timeout


def _stall(h):
    h.send_response(200)
    h.send_header("Content-Length", "10")
    h.end_headers()
    h.wfile.flush()
    time.sleep(1.0)  # headers, then nothing


def _drip(h):
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    for _ in range(12):  # a byte every 0.1 s: never stalls, never finishes in time
        h.wfile.write(b"<")
        h.wfile.flush()
        time.sleep(0.1)


@pytest.mark.parametrize("route,phase,hits", [(_silent, "connect", 2), (_stall, "stalled", 2), (_drip, "too slow", 1)])
def test_timeout_kinds(hostile_site, route, phase, hits):
    hostile_site.routes["/p.html"] = route
    f = _fetcher(retries=1)
    try:
        with pytest.raises(FetchTimeout) as ei:
            f.get(hostile_site.base_url + "/p.html")
    finally:
        f.close()
    assert ei.value.phase == phase
    assert "timed out" in str(ei.value)
    assert hostile_site.hits["/p.html"] == hits  # retried once unless the body was merely slow


def test_a_stall_then_an_answer_is_retried_successfully(hostile_site):
    state = {"n": 0}

    def flaky(h):
        state["n"] += 1
        if state["n"] == 1:
            _stall(h)
        else:
            send(h, 200, b"<p>ok</p>")
    hostile_site.routes["/p.html"] = flaky
    f = _fetcher(retries=1)
    try:
        resp = f.get(hostile_site.base_url + "/p.html")
    finally:
        f.close()
    assert resp.status == 200 and resp.body == b"<p>ok</p>" and state["n"] == 2
