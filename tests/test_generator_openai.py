"""OpenAI-compatible endpoints: a tiny stdlib server on 127.0.0.1 stands in for vLLM / llama.cpp."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator import load_generator
from generator.prompter import Prompter
from tenkan.errors import ModelUnavailableError


class _Handler(BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        type(self).requests.append((self.path, body))
        if body["model"] == "missing":
            self.send_response(404)
            self.end_headers()
            self.wfile.write(b'{"error": "model not found"}')
            return
        answer = "救急車を呼んでください。[1]\n### 指示:\n余計な続き"
        chat = self.path.endswith("/chat/completions")
        if body.get("stream"):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(0, len(answer), 3):
                piece = answer[i: i + 3]
                ch = {"delta": {"content": piece}} if chat else {"text": piece}
                self.wfile.write(f"data: {json.dumps({'choices': [ch]}, ensure_ascii=False)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            return
        ch = {"message": {"role": "assistant", "content": answer}} if chat else {"text": answer}
        data = json.dumps({"choices": [ch]}, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub_server():
    _Handler.requests = []
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.mark.parametrize("api", ["completions", "chat"])
def test_endpoint_generation_uses_adapter_name_and_stops(config, workspace, stub_server, api):
    config.generator.base_model = f"openai:{stub_server}/v1"
    config.generator.openai_api = api
    gen = load_generator(config, workspace, adapter="epilepsy-lora")
    prompt = Prompter().build("発作が5分続いたら？")
    assert gen.generate(prompt) == "救急車を呼んでください。[1]"
    assert "".join(gen.stream(prompt)) == "救急車を呼んでください。[1]"
    path, body = _Handler.requests[0]
    assert path == f"/v1/{'chat/completions' if api == 'chat' else 'completions'}"
    assert body["model"] == "epilepsy-lora" and body["temperature"] == 0.0 and "\n### " in body["stop"]
    assert gen.name == "openai:epilepsy-lora"


def test_endpoint_errors_are_model_unavailable(config, workspace, stub_server):
    config.generator.base_model = f"openai:{stub_server}"
    with pytest.raises(ModelUnavailableError, match="404"):
        load_generator(config, workspace, adapter="missing").generate("質問")
    config.generator.base_model = "openai:http://127.0.0.1:9"
    with pytest.raises(ModelUnavailableError, match="cannot reach"):
        load_generator(config, workspace).generate("質問")


def test_teacher_dataset_through_endpoint(config, workspace, monkeypatch):
    """The teacher strategy runs over the same client (stub answering JSON QA pairs)."""
    from generator.dataset import build_dataset
    from tests.fixtures.generator import sample_chunks

    class T(_Handler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
            text = body["messages"][0]["content"]
            src = text.split("資料（", 1)[1].split("\n", 1)[1]
            reply = json.dumps([{"question": "この資料の要点は？", "answer": src[:60]}], ensure_ascii=False)
            data = json.dumps({"choices": [{"message": {"content": reply}}]}, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), T)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        config.generator.teacher_url = f"http://127.0.0.1:{srv.server_address[1]}"
        s = build_dataset(config, workspace, "teach", chunks=sample_chunks(6))
    finally:
        srv.shutdown()
    assert s.stats["by_strategy"].get("teacher", 0) > 0
