"""``tenkan serve``: the assistant behind an OpenAI-compatible HTTP API."""

from __future__ import annotations

import logging
import os
import sys

from tenkan.errors import ConfigError
from tenkan.face.server.runner import serve

NAME = "serve"
HELP = "serve the assistant over an OpenAI-compatible HTTP API (/v1/chat/completions)"
DESCRIPTION = """Serve the assistant over HTTP, speaking the OpenAI chat API.

  POST /v1/chat/completions   model "tenkan-<mode>": tenkan-auto, tenkan-rag-ft, tenkan-rag-base,
                              tenkan-ft, tenkan-base, tenkan-extractive; "stream": true for
                              server-sent events. Each choice carries citations, grounding, safety.
  GET  /v1/models             the models above
  GET  /healthz               the process is up
  GET  /readyz                the index (and the generator tenkan-auto uses) are loaded

tenkan-auto answers with the tuned model and sources (rag-ft) when a tuned adapter is present
and its base model loads here, else extractively.

Limits, queue and timeouts are the [serve] keys of tenkan.toml (--set serve.KEY=VALUE).
A bearer token is required on /v1 when $TENKAN_API_KEY (serve.api_key_env) or --api-key is set.
SIGTERM or Ctrl-C stop accepting requests and let running ones finish.

example:
  tenkan serve --port 8000 &
  curl -s http://127.0.0.1:8000/v1/chat/completions -H 'Content-Type: application/json' \\
    -d '{"model": "tenkan-extractive", "messages": [{"role": "user", "content": "発作が5分以上続いたら？"}]}'
"""


def add_arguments(p) -> None:
    p.add_argument("--host", default=None, help="address to listen on (default: serve.host, 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="TCP port (default: serve.port, 8000)")
    p.add_argument("--api-key", default=None, metavar="TOKEN",
                   help="bearer token required on /v1 (default: $TENKAN_API_KEY; prefer the variable, "
                        "a flag shows in the process list)")
    p.add_argument("--log-questions", action="store_true",
                   help="write question text into the access log (off by default: questions are private)")
    p.add_argument("--queue-size", type=int, default=None, help="generated answers that may wait per model")
    p.add_argument("--workers", type=int, default=None, help="threads for retrieval and extractive answers")
    p.add_argument("--timeout", type=float, default=None, help="seconds per request before HTTP 504")


def run(args, ctx) -> int:
    from tenkan.face.server.app import create_app  # starlette and uvicorn load only when serving

    cfg = ctx.config
    s = cfg.serve
    for attr, val in (("host", args.host), ("port", args.port), ("queue_size", args.queue_size),
                      ("workers", args.workers), ("request_timeout", args.timeout)):
        if val is not None:
            setattr(s, attr, val)
    if args.log_questions:
        s.log_questions = True
    try:
        s.__post_init__()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    api_key = args.api_key or os.environ.get(s.api_key_env) or None
    if s.host not in ("127.0.0.1", "localhost", "::1") and not api_key:
        logging.getLogger("tenkan.face.server").warning(
            "listening on %s without a token: anyone who reaches this address can use the API "
            "(set $%s)", s.host, s.api_key_env)
    logging.getLogger("tenkan.face.server.access").setLevel(logging.INFO)
    app = create_app(cfg, ctx.workspace, api_key=api_key)
    print(f"tenkan serve: http://{s.host}:{s.port}/v1 ({'bearer token required' if api_key else 'no token'}); "
          f"Ctrl-C to stop", file=sys.stderr)
    serve(app, cfg, s.host, s.port)
    return 0
