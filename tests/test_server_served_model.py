"""Generation from a served model behind `tenkan serve`: generator.base_model = "openai:<url>"
and generator.adapter = the name the server holds the LoRA adapter under (vLLM
--enable-lora --lora-modules NAME=DIR). A stdlib OpenAI-compatible stub on 127.0.0.1 stands
in for vLLM / llama.cpp's server, which cannot run here."""

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fixtures.server import GROUNDED, client

Q = "発作が5分以上続いたらどうすればいい？"


class _Engine(BaseHTTPRequestHandler):
    requests: list = []

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        type(self).requests.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i in range(0, len(GROUNDED), 4):
            last = i + 4 >= len(GROUNDED)
            choice = {"index": 0, "text": GROUNDED[i:i + 4], "finish_reason": "stop" if last else None}
            self.wfile.write(f"data: {json.dumps({'choices': [choice]}, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


def test_tuned_mode_generates_on_the_served_adapter(poisoned_index):
    from tenkan.face.server.app import create_app
    from tenkan.face.server.runner import ServerThread

    _Engine.requests = []
    engine = ThreadingHTTPServer(("127.0.0.1", 0), _Engine)
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    try:
        cfg = copy.deepcopy(poisoned_index.config)
        cfg.generator.base_model = f"openai:http://127.0.0.1:{engine.server_address[1]}/v1"
        cfg.generator.adapter = "tenkan-demo-lora"  # held by the engine only: no local directory of that name
        app = create_app(cfg, poisoned_index.workspace, retriever=poisoned_index.retriever)
        with ServerThread(app, cfg) as srv:
            assert app.state.tenkan.ready.wait(30)
            assert app.state.tenkan.loaded["auto"] == "rag-ft"  # an endpoint with an adapter name: tuned mode
            r = client(srv).chat.completions.create(model="tenkan-auto", messages=[{"role": "user", "content": Q}])
    finally:
        engine.shutdown()
    choice = r.choices[0]
    assert choice.tenkan["mode"] == "rag-ft" and choice.tenkan["model"] == "openai:tenkan-demo-lora"
    assert choice.grounding == "verified" and choice.citations[0]["chunk_id"] == "d-firstaid#0"
    path, body = _Engine.requests[-1]
    assert path == "/v1/completions" and body["model"] == "tenkan-demo-lora" and body["stream"] is True
    assert "発作が5分以上続く場合" in body["prompt"]  # the retrieved source is in the prompt
