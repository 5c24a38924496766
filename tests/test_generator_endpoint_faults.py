"""The endpoint client (generator, teacher, judge) against a local server that
misbehaves: 503s and 429s are retried with backoff, a dropped connection is retried,
an error event mid-stream and a stream cut short raise a clear error, and every stop
sequence is honoured although the server takes only four."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tenkan.errors import ModelUnavailableError, TenkanError


class Endpoint:
    """An OpenAI-compatible server on 127.0.0.1 whose behaviour a test scripts.

    ``script`` is a list of actions taken by successive requests (the last one repeats):
    ``("status", code)``, ``("drop",)`` (close the socket without answering),
    ``("ok", text)``, ``("stream", [pieces], tail)`` where ``tail`` is ``"finish"``,
    ``("error", message)`` (an error event), ``("vllm-error", message)`` or ``"cut"``
    (connection closed without finish_reason or [DONE]).
    """

    def __init__(self):
        self.script: list = [("ok", "はい")]
        self.requests: list[tuple[str, dict]] = []
        ep = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
                n = len(ep.requests)
                ep.requests.append((self.path, body))
                action = ep.script[min(n, len(ep.script) - 1)]
                chat = self.path.endswith("/chat/completions")
                kind = action[0]
                if kind == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "status":
                    data = json.dumps({"error": {"message": f"busy ({action[1]})"}}).encode()
                    self.send_response(action[1])
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("retry-after-ms", "10")
                    self.end_headers()
                    self.wfile.write(data)
                    return
                if kind == "ok":
                    ch = ({"index": 0, "message": {"role": "assistant", "content": action[1]}, "finish_reason": "stop"}
                          if chat else {"index": 0, "text": action[1], "finish_reason": "stop"})
                    data = json.dumps({"id": "x", "object": "chat.completion" if chat else "text_completion",
                                       "created": 0, "model": body["model"], "choices": [ch]},
                                      ensure_ascii=False).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                # streams: no Content-Length, the connection closes at the end
                self.close_connection = True
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()

                def event(obj):
                    self.wfile.write(f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()

                def chunk(piece, finish=None):
                    ch = ({"index": 0, "delta": {"content": piece}, "finish_reason": finish} if chat
                          else {"index": 0, "text": piece, "finish_reason": finish})
                    event({"id": "x", "object": "chat.completion.chunk" if chat else "text_completion",
                           "created": 0, "model": body["model"], "choices": [ch]})

                pieces, tail = action[1], action[2]
                for p in pieces:
                    chunk(p)
                if tail == "finish":
                    chunk("", "stop")
                    self.wfile.write(b"data: [DONE]\n\n")
                elif tail[0] == "error":
                    event({"error": {"message": tail[1], "type": "server_error"}})
                elif tail[0] == "vllm-error":
                    event({"object": "error", "message": tail[1], "type": "BadRequestError", "code": 400})
                # "cut": just close

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def endpoint():
    ep = Endpoint()
    yield ep
    ep.close()


def _client(ep, retries=3):
    from generator.openai_client import OpenAIClient

    return OpenAIClient(ep.url, timeout=5.0, max_retries=retries)


@pytest.mark.parametrize("api", ["completions", "chat"])
@pytest.mark.parametrize("code", [503, 429, 500])
def test_transient_status_is_retried(endpoint, api, code):
    endpoint.script = [("status", code), ("status", code), ("ok", "救急車を呼んでください。")]
    assert _client(endpoint).complete("質問", model="m", api=api) == "救急車を呼んでください。"
    assert len(endpoint.requests) == 3


def test_dropped_connection_is_retried(endpoint):
    endpoint.script = [("drop",), ("ok", "はい")]
    assert _client(endpoint).complete("質問", model="m") == "はい"
    assert len(endpoint.requests) == 2


def test_persistent_503_gives_up_with_a_clear_error(endpoint):
    endpoint.script = [("status", 503)]
    with pytest.raises(ModelUnavailableError, match=r"HTTP 503 \(after 3 attempts\)"):
        _client(endpoint, retries=2).complete("質問", model="m")
    assert len(endpoint.requests) == 3


def test_client_errors_are_not_retried(endpoint):
    endpoint.script = [("status", 404)]
    with pytest.raises(ModelUnavailableError, match="HTTP 404"):
        _client(endpoint).complete("質問", model="missing")
    assert len(endpoint.requests) == 1


@pytest.mark.parametrize("api", ["completions", "chat"])
@pytest.mark.parametrize("tail", [("error", "CUDA out of memory"), ("vllm-error", "prompt too long")])
def test_error_event_mid_stream_raises(endpoint, api, tail):
    endpoint.script = [("stream", ["発作が", "5分以上"], tail)]
    got = []
    with pytest.raises(TenkanError, match=tail[1]) as ei:
        for piece in _client(endpoint).stream("質問", model="m", api=api):
            got.append(piece)
    assert isinstance(ei.value, ModelUnavailableError)
    assert "in the middle of the stream" in str(ei.value)
    assert "".join(got) in ("", "発作が", "発作が5分以上")  # what came before the error, never a "complete" answer


def test_stream_cut_short_raises(endpoint):
    endpoint.script = [("stream", ["発作が", "続いたら"], "cut")]
    with pytest.raises(ModelUnavailableError, match="ended before the server finished"):
        list(_client(endpoint).stream("質問", model="m"))


def test_complete_stream_passes(endpoint):
    endpoint.script = [("stream", ["発作が", "続いたら", "119番"], "finish")]
    assert "".join(_client(endpoint).stream("質問", model="m")) == "発作が続いたら119番"


STOPS = ["\n### ", "\n指示:", "</s>", "<|end|>", "\n入力:", "【終わり】"]


@pytest.mark.parametrize("api", ["completions", "chat"])
def test_all_stop_sequences_are_honoured(endpoint, api):
    """The server gets the first four; the fifth and sixth are applied client-side."""
    text = "安静にしてください。[1]【終わり】余計な続き\n### 指示: もっと"
    endpoint.script = [("ok", text)]
    c = _client(endpoint)
    assert c.complete("質問", model="m", api=api, stop=STOPS) == "安静にしてください。[1]"
    assert endpoint.requests[0][1]["stop"] == STOPS[:4]
    endpoint.script = [("stream", ["安静に", "してください。[1]【終", "わり】余計な続き"], "finish")]
    assert "".join(c.stream("質問", model="m", api=api, stop=STOPS)) == "安静にしてください。[1]"


def test_generator_and_judge_share_the_client(endpoint, config, workspace):
    """The generator (load_generator) and the judge retry through the same client."""
    from eval.judge import OpenAIJudge
    from generator import load_generator

    endpoint.script = [("status", 503), ("ok", "はい")]
    judge = OpenAIJudge(endpoint.url, model="judge", retries=2)
    assert judge.complete("判定して") == "はい" and len(endpoint.requests) == 2

    endpoint.requests.clear()
    endpoint.script = [("drop",), ("stream", ["救急車を", "呼んでください。"], ("error", "worker died"))]
    config.generator.base_model = f"openai:{endpoint.url}"
    gen = load_generator(config, workspace, adapter="epilepsy-lora")
    with pytest.raises(ModelUnavailableError, match="worker died"):
        list(gen.stream("質問"))
    assert len(endpoint.requests) == 2
