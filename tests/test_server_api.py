"""``tenkan serve`` answers the official ``openai`` client: a real server on a free loopback
port, a real (hash-embedder) FAISS/BM25 index, a scripted generator standing in for a model."""

import json
import logging
import threading

import httpx
import openai
import pytest

from tests.fixtures.server import GROUNDED, RecordingRetriever, client, running_server

Q = "発作が5分以上続いたらどうすればいい？"


@pytest.fixture(scope="module")
def server(poisoned_index):
    rec = RecordingRetriever(poisoned_index.retriever)
    with running_server(poisoned_index, retriever=rec) as srv:
        srv.retriever = rec
        yield srv


def test_plain_answer_with_citations_and_extras(server):
    r = client(server).chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": Q}])
    choice = r.choices[0]
    assert r.object == "chat.completion" and r.model == "tenkan-extractive" and choice.finish_reason == "stop"
    assert "119" in choice.message.content and choice.message.role == "assistant"
    cites = choice.citations
    assert cites and cites[0]["url"].endswith("/life/first-aid.html") and cites[0]["title"] == "発作が起きたときの応急手当"
    quoted = cites[0]["quote"].split(" … ")  # the sentences quoted from [1], in the answer's order
    assert cites[0]["n"] == 1 and all(s.rstrip("。") in choice.message.content for s in quoted)
    assert quoted[-1].rstrip("。") + "[1]。" in choice.message.content
    assert choice.grounding == "extractive"
    assert choice.safety["emergency"] is True
    assert choice.tenkan["mode"] == "extractive" and choice.tenkan["grounded"] is True


def test_generated_answer_is_checked_and_cited(server):
    r = client(server).chat.completions.create(model="tenkan-rag-ft", messages=[{"role": "user", "content": Q}])
    choice = r.choices[0]
    assert choice.grounding == "verified" and choice.tenkan["model"] == "scripted"
    assert "救急車を呼んでください[1]" in choice.message.content
    assert [c["chunk_id"] for c in choice.citations] == ["d-firstaid#0"]


def test_streamed_answer_in_openai_chunks_ends_with_the_checked_answer(server):
    chunks = list(client(server).chat.completions.create(
        model="tenkan-rag-ft", stream=True, messages=[{"role": "user", "content": Q}]))
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.object == "chat.completion.chunk" and c.id == chunks[0].id for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 2  # streamed in pieces
    last = chunks[-1].choices[0]
    assert last.finish_reason == "stop" and not last.delta.content
    assert last.answer == text and last.replaces_stream is False
    assert last.grounding == "verified" and last.citations[0]["chunk_id"] == "d-firstaid#0"
    assert last.safety["emergency"] is True


def test_raw_sse_stream_ends_with_done(server):
    with httpx.stream("POST", server.url + "/v1/chat/completions", timeout=30,
                      json={"model": "tenkan-extractive", "stream": True,
                            "messages": [{"role": "user", "content": Q}]}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [ln for ln in r.iter_lines() if ln]
    assert all(ln.startswith("data: ") for ln in lines)
    assert lines[-1] == "data: [DONE]"
    final = json.loads(lines[-2][6:])["choices"][0]
    assert final["finish_reason"] == "stop" and final["grounding"] == "extractive" and final["citations"]


def test_conversation_history_completes_a_follow_up(server):
    c = client(server)
    follow = "それは妊娠中も大丈夫？"
    server.retriever.queries.clear()
    r = c.chat.completions.create(model="tenkan-extractive", messages=[
        {"role": "system", "content": "あなたは親切なアシスタントです。"},
        {"role": "user", "content": "ラモトリギンの副作用は？"},
        {"role": "assistant", "content": "飲み始めの時期には発疹に注意が必要です[1]。"},
        {"role": "user", "content": follow}])
    with_history = server.retriever.queries[-1]
    server.retriever.queries.clear()
    c.chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": follow}])
    alone = server.retriever.queries[-1]
    assert "ラモトリギン" in with_history and "ラモトリギン" not in alone
    assert any("pregnancy" in x["url"] or "lamotrigine" in x["url"] for x in r.choices[0].citations)


def test_unknown_fields_are_ignored_and_content_parts_accepted(server):
    r = httpx.post(server.url + "/v1/chat/completions", timeout=30, json={
        "model": "tenkan-extractive", "temperature": 0.2, "top_p": 0.9, "user": "u1", "seed": 3,
        "messages": [{"role": "user", "content": [{"type": "text", "text": Q}], "name": "p"}]})
    assert r.status_code == 200 and "119" in r.json()["choices"][0]["message"]["content"]


@pytest.mark.parametrize("body, status, param, code", [
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": Q}]}, 404, "model", "model_not_found"),
    ({"messages": [{"role": "user", "content": Q}]}, 400, "model", "missing_required_parameter"),
    ({"model": "tenkan-extractive", "messages": []}, 400, "messages", None),
    ({"model": "tenkan-extractive", "messages": [{"role": "user", "content": "あ" * 2001}]}, 400, "messages",
     "question_too_long"),
    ({"model": "tenkan-extractive", "messages": [{"role": "user", "content": Q}, {"role": "assistant", "content": "x"}]},
     400, "messages", None),
    ({"model": "tenkan-extractive", "messages": [{"role": "wizard", "content": Q}]}, 400, "messages[0].role", None),
    ({"model": "tenkan-extractive", "n": 2, "messages": [{"role": "user", "content": Q}]}, 400, "n", None),
    ({"model": "tenkan-extractive", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
     400, "messages[0].content", "unsupported_content"),
])
def test_wrong_requests_get_openai_shaped_errors(server, body, status, param, code):
    r = httpx.post(server.url + "/v1/chat/completions", json=body, timeout=30)
    assert r.status_code == status
    err = r.json()["error"]
    assert set(err) == {"message", "type", "param", "code"} and err["message"]
    assert err["type"] == "invalid_request_error" and err["param"] == param and err["code"] == code


def test_the_openai_client_raises_its_own_error_types(server):
    c = client(server)
    with pytest.raises(openai.BadRequestError) as e:
        c.chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": "て" * 2500}])
    assert e.value.code == "question_too_long"
    with pytest.raises(openai.NotFoundError):
        c.chat.completions.create(model="tenkan-nonsense", messages=[{"role": "user", "content": Q}])
    with pytest.raises(openai.APIStatusError) as e:  # 64 KiB body limit, checked before parsing
        c.chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": Q}] * 60
                                  + [{"role": "user", "content": "x" * 70000}])
    assert e.value.status_code == 413 and e.value.code == "request_too_large"


def test_bad_json_and_chunked_oversized_bodies(server):
    r = httpx.post(server.url + "/v1/chat/completions", content=b"{not json", timeout=30,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"

    def body():  # no Content-Length: the limit is enforced while reading
        for _ in range(80):
            yield b"x" * 1024

    r = httpx.post(server.url + "/v1/chat/completions", content=body(), timeout=30)
    assert r.status_code == 413


def test_models_health_ready_and_unknown_paths(server):
    models = client(server).models.list()
    ids = [m.id for m in models.data]
    assert ids == ["tenkan-auto", "tenkan-rag-ft", "tenkan-ft", "tenkan-rag-base", "tenkan-base", "tenkan-extractive"]
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(server.url + "/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready" and ready.json()["index"]["chunks"] > 0
    r = httpx.get(server.url + "/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert httpx.get(server.url + "/v1/chat/completions").status_code == 405


def test_bearer_token_is_required_on_v1_when_set(poisoned_index):
    with running_server(poisoned_index, api_key="s3cret-token") as srv:
        with pytest.raises(openai.AuthenticationError) as e:
            client(srv, api_key="wrong").chat.completions.create(
                model="tenkan-extractive", messages=[{"role": "user", "content": Q}])
        assert e.value.status_code == 401 and e.value.code == "invalid_api_key"
        assert httpx.post(srv.url + "/v1/chat/completions", json={}).status_code == 401  # checked before the body
        assert httpx.get(srv.url + "/v1/models").status_code == 401
        assert httpx.get(srv.url + "/v1/nothing").status_code == 401
        assert httpx.get(srv.url + "/healthz").status_code == 200  # probes need no token
        r = client(srv, api_key="s3cret-token").chat.completions.create(
            model="tenkan-extractive", messages=[{"role": "user", "content": Q}])
        assert r.choices[0].citations
        assert len(client(srv, api_key="s3cret-token").models.list().data) == 6


def test_access_log_leaves_question_text_out_unless_asked(poisoned_index, caplog):
    secret = "娘の発作が5分以上続いたらどうすればいい？"
    caplog.set_level(logging.INFO, logger="tenkan.face.server.access")
    with running_server(poisoned_index) as srv:
        client(srv).chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": secret}])
    lines = [r.getMessage() for r in caplog.records if r.name == "tenkan.face.server.access"]
    assert any("POST /v1/chat/completions 200" in ln and f"q_chars={len(secret)}" in ln for ln in lines)
    assert not any("娘" in ln for ln in lines)
    caplog.clear()
    with running_server(poisoned_index, log_questions=True) as srv:
        client(srv).chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": secret}])
    lines = [r.getMessage() for r in caplog.records if r.name == "tenkan.face.server.access"]
    assert any(secret in ln for ln in lines)


def test_concurrent_extractive_requests_all_succeed_with_the_same_answer(server):
    """50 at once (the bounded load test; latency figures come from bench/serve.py)."""
    c = client(server, timeout=60)
    qs = [Q, "ラモトリギンの副作用は？", "妊娠中の薬について教えて", "お風呂で気をつけることは？", "発作のときの応急手当は？"]
    expected = {q: c.chat.completions.create(model="tenkan-extractive",
                                             messages=[{"role": "user", "content": q}]).choices[0].message.content
                for q in qs}
    results, errors = {}, []

    def one(i):
        q = qs[i % len(qs)]
        try:
            r = c.chat.completions.create(model="tenkan-extractive", messages=[{"role": "user", "content": q}])
            results[i] = (q, r.choices[0].message.content)
        except Exception as exc:  # noqa: BLE001 - counted
            errors.append(repr(exc))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 50
    assert all(text == expected[q] for q, text in results.values())
