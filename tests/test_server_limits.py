"""``tenkan serve`` under pressure: the generation queue (429 + Retry-After), deadlines (504),
graceful shutdown, missing models (503), and what ``tenkan-auto`` resolves to."""

import json
import threading
import time

import httpx
import openai
import pytest

from tests.fixtures.server import GROUNDED, GatedGenerator, SlowGenerator, client, running_server

Q = "発作が5分以上続いたらどうすればいい？"
MSG = [{"role": "user", "content": Q}]


def _wait(cond, timeout=20.0):
    t = time.monotonic()
    while not cond():
        assert time.monotonic() - t < timeout, "condition not reached"
        time.sleep(0.02)


def test_generation_queue_full_gets_429_with_retry_after_and_extractive_still_answers(poisoned_index):
    gen = GatedGenerator(GROUNDED)
    with running_server(poisoned_index, generator=gen, queue_size=1, retry_after=7) as srv:
        c = client(srv, timeout=60)
        results = []

        def ask():
            r = c.chat.completions.create(model="tenkan-rag-ft", messages=MSG)
            results.append(r.choices[0].grounding)

        first = threading.Thread(target=ask)
        first.start()
        _wait(lambda: gen.started == 1)  # one generating ...
        second = threading.Thread(target=ask)
        second.start()
        _wait(lambda: srv.state.gate.admitted("ft") == 2)  # ... one waiting: the queue (size 1) is full
        with pytest.raises(openai.RateLimitError) as e:
            c.chat.completions.create(model="tenkan-rag-ft", messages=MSG)
        assert e.value.response.headers["Retry-After"] == "7" and e.value.code == "queue_full"
        r = httpx.post(srv.url + "/v1/chat/completions", json={"model": "tenkan-ft", "messages": MSG}, timeout=30)
        assert r.status_code == 429 and r.json()["error"]["type"] == "rate_limit_error"
        # extractive answers do not queue behind generation
        t = time.perf_counter()
        r = c.chat.completions.create(model="tenkan-extractive", messages=MSG)
        assert r.choices[0].grounding == "extractive" and time.perf_counter() - t < 10
        assert gen.started == 1  # the waiting request has not started generating: serialised
        gen.release.set()
        first.join(30)
        second.join(30)
        assert results == ["verified", "verified"]
        assert srv.state.gate.admitted("ft") == 0
        # room again
        assert c.chat.completions.create(model="tenkan-rag-ft", messages=MSG).choices[0].grounding == "verified"


def test_request_deadline_gives_504_and_frees_the_queue(poisoned_index):
    gen = GatedGenerator(GROUNDED)
    with running_server(poisoned_index, generator=gen, request_timeout=0.5) as srv:
        r = httpx.post(srv.url + "/v1/chat/completions", json={"model": "tenkan-rag-ft", "messages": MSG}, timeout=30)
        assert r.status_code == 504 and r.json()["error"]["code"] == "timeout"
        gen.release.set()
        _wait(lambda: srv.state.gate.admitted("ft") == 0)  # the worker stopped and gave its place back
        # a stream that passes its deadline after it started ends with an error event and [DONE]
        gen.release.clear()
        slow = SlowGenerator(GROUNDED, delay=0.1)
    with running_server(poisoned_index, generator=slow, request_timeout=1.0) as srv:
        with httpx.stream("POST", srv.url + "/v1/chat/completions", timeout=30,
                          json={"model": "tenkan-rag-ft", "stream": True, "messages": MSG}) as r:
            assert r.status_code == 200
            lines = [ln for ln in r.iter_lines() if ln]
        assert lines[-1] == "data: [DONE]"
        assert json.loads(lines[-2][6:])["error"]["code"] == "timeout"


def test_graceful_shutdown_finishes_the_running_request(poisoned_index):
    slow = SlowGenerator(GROUNDED, delay=0.02)  # ~1.5 s of generation
    with running_server(poisoned_index, generator=slow) as srv:
        out = {}

        def ask():
            out["r"] = httpx.post(srv.url + "/v1/chat/completions", timeout=30,
                                  json={"model": "tenkan-rag-ft", "messages": MSG})

        t = threading.Thread(target=ask)
        t.start()
        _wait(lambda: srv.state.gate.admitted("ft") == 1)
        time.sleep(0.2)
        srv.stop()  # what SIGTERM does: stop accepting, let the running request finish
        t.join(30)
        assert out["r"].status_code == 200 and out["r"].json()["choices"][0]["grounding"] == "verified"
        assert not srv.thread.is_alive()
        with pytest.raises(httpx.TransportError):
            httpx.get(srv.url + "/healthz", timeout=2)


def test_tuned_mode_without_adapter_is_503_and_tenkan_auto_falls_back(poisoned_index, tiny_model_dir):
    """The real generator loader: a local base model with no tuned adapter for it."""
    import copy

    from tenkan.face.server.app import create_app
    from tenkan.face.server.runner import ServerThread

    cfg = copy.deepcopy(poisoned_index.config)
    cfg.generator.base_model = str(tiny_model_dir)  # the committed demo adapter is for Gemma: it does not apply
    cfg.serve.preload_generator = False
    app = create_app(cfg, poisoned_index.workspace, retriever=poisoned_index.retriever)
    with ServerThread(app, cfg) as srv:
        _wait(lambda: app.state.tenkan.ready.is_set())
        c = client(srv)
        with pytest.raises(openai.APIStatusError) as e:
            c.chat.completions.create(model="tenkan-rag-ft", messages=MSG)
        assert e.value.status_code == 503 and e.value.code == "model_unavailable"
        with pytest.raises(openai.APIStatusError) as e:  # streamed: still a plain HTTP error
            list(c.chat.completions.create(model="tenkan-ft", messages=MSG, stream=True))
        assert e.value.status_code == 503
        r = c.chat.completions.create(model="tenkan-auto", messages=MSG)
        assert r.model == "tenkan-auto" and r.choices[0].tenkan["mode"] == "extractive"
        assert httpx.get(srv.url + "/readyz").json()["auto"] == "extractive"
        models = httpx.get(srv.url + "/v1/models").json()["data"]
        assert models[0] == {**models[0], "id": "tenkan-auto", "resolves_to": "tenkan-extractive"}


def test_auto_mode_is_rag_ft_when_an_adapter_for_a_loadable_base_is_present(config, workspace, tiny_model_dir):
    from assistant.modes import resolve_mode

    def auto_mode(cfg, ws):
        return resolve_mode("auto", cfg, ws)

    config.generator.base_model = str(tiny_model_dir)
    assert auto_mode(config, workspace) == "extractive"
    ad = workspace.adapters_dir(create=True) / config.generator.adapter
    ad.mkdir(parents=True)
    (ad / "adapter_config.json").write_text("{}", encoding="utf-8")
    (ad / "training_card.json").write_text(json.dumps({"base_model": {"source": str(tiny_model_dir)}}),
                                           encoding="utf-8")
    assert auto_mode(config, workspace) == "rag-ft"
    config.generator.base_model = str(workspace.root / "no-such-model")  # adapter present, base not loadable
    (ad / "training_card.json").write_text(json.dumps({"base_model": {"source": config.generator.base_model}}),
                                           encoding="utf-8")
    assert auto_mode(config, workspace) == "extractive"


def test_readyz_reports_a_failed_load_and_requests_get_503(tmp_path, hash_index_config):
    from tenkan.paths import Workspace
    from tenkan.face.server.app import create_app
    from tenkan.face.server.runner import ServerThread

    ws = Workspace(tmp_path / "empty")  # no index was ever built here
    app = create_app(hash_index_config, ws)
    with ServerThread(app, hash_index_config) as srv:
        _wait(lambda: app.state.tenkan.ready.is_set())
        r = httpx.get(srv.url + "/readyz")
        assert r.status_code == 503 and r.json()["status"] == "failed" and "Index" in r.json()["error"]
        assert httpx.get(srv.url + "/healthz").status_code == 200
        r = httpx.post(srv.url + "/v1/chat/completions", json={"model": "tenkan-extractive", "messages": MSG})
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_ready"


def test_serve_config_rejects_bad_values():
    from tenkan.face.config import load_config
    from tenkan.errors import ConfigError

    with pytest.raises(ConfigError, match="queue_size"):
        load_config(overrides=["serve.queue_size=-1"])
    with pytest.raises(ConfigError, match="port"):
        load_config(overrides=["serve.port=70000"])
    assert load_config(overrides=["serve.queue_size=0"]).serve.queue_size == 0
