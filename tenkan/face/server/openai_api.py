"""The OpenAI chat-completions wire format, as ``tenkan serve`` speaks it.

Pure functions, no web framework: :func:`parse_chat_request` turns a request body
into a :class:`ChatRequest` (or raises :class:`ApiError` with an OpenAI-shaped
error), :func:`completion` / :func:`chunk` / :func:`final_chunk` shape answers.

tenkan's extras travel next to the message of each choice: ``citations`` (the
answer's citation dicts, passed through as the assistant made them: n, url, title,
quote, chunk_id, and whatever later versions add), ``grounding``, ``safety`` and
``tenkan`` (mode actually used, grounded, model, timings). Unknown request fields
are ignored, as OpenAI does.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from tenkan.vocab import MODE_SETTINGS

__all__ = ["ApiError", "ChatRequest", "API_MODES", "MODEL_PREFIX", "model_id", "parse_chat_request",
           "completion", "chunk", "final_chunk", "extras", "models_list"]

MODEL_PREFIX = "tenkan-"
#: What a client may ask for: every answer mode, and ``auto`` (``assistant.modes.resolve_mode``).
API_MODES = MODE_SETTINGS
_ROLES = ("system", "developer", "user", "assistant", "tool", "function")


class ApiError(Exception):
    """An error answered in OpenAI's shape: ``{"error": {"message", "type", "param", "code"}}``."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def model_id(mode: str) -> str:
    return MODEL_PREFIX + mode


@dataclass
class ChatRequest:
    model: str
    mode: str  # one of API_MODES
    question: str
    history: list[tuple[str, str]] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False


def _text(content: Any, i: int) -> str:
    """A message's text: a string, or a list of ``{"type": "text", "text": ...}`` parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        out = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise ApiError(400, f"messages[{i}].content: only text parts are supported",
                               param=f"messages[{i}].content", code="unsupported_content")
            out.append(part["text"])
        return "".join(out)
    raise ApiError(400, f"messages[{i}].content must be a string or a list of text parts",
                   param=f"messages[{i}].content")


def parse_chat_request(body: Any, *, max_question_chars: int, max_messages: int) -> ChatRequest:
    """Validate a ``/v1/chat/completions`` body. The last message is the question (it must be
    the user's); earlier user and assistant messages are the conversation history; system,
    developer and tool messages are accepted and not used."""
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise ApiError(400, "you must provide a model parameter", param="model", code="missing_required_parameter")
    mode = model[len(MODEL_PREFIX):] if model.startswith(MODEL_PREFIX) else ""
    if mode not in API_MODES:
        raise ApiError(404, f"the model {model!r} does not exist; use one of "
                            f"{', '.join(model_id(m) for m in API_MODES)}", param="model", code="model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "messages must be a non-empty array", param="messages",
                       code="missing_required_parameter" if messages is None else None)
    if len(messages) > max_messages:
        raise ApiError(400, f"too many messages ({len(messages)}); at most {max_messages}", param="messages",
                       code="too_many_messages")
    turns: list[tuple[str, str]] = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            raise ApiError(400, f"messages[{i}] must be an object", param=f"messages[{i}]")
        role = m.get("role")
        if role not in _ROLES:
            raise ApiError(400, f"messages[{i}].role must be one of {', '.join(_ROLES)}", param=f"messages[{i}].role")
        text = _text(m.get("content"), i)
        if role in ("user", "assistant"):
            turns.append((role, text))
    if messages[-1].get("role") != "user":
        raise ApiError(400, "the last message must be the user's question", param="messages")
    question = turns[-1][1].strip()
    if not question:
        raise ApiError(400, "the question (the last user message) is empty", param="messages")
    if len(question) > max_question_chars:
        raise ApiError(400, f"the question is {len(question)} characters long; at most {max_question_chars} "
                            "are accepted", param="messages", code="question_too_long")
    n = body.get("n", 1)
    if n not in (1, None):
        raise ApiError(400, "only n=1 is supported", param="n")
    stream = body.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise ApiError(400, "stream must be a boolean", param="stream")
    opts = body.get("stream_options") or {}
    include_usage = bool(isinstance(opts, dict) and opts.get("include_usage"))
    return ChatRequest(model=model, mode=mode, question=question, history=turns[:-1], stream=stream,
                       include_usage=include_usage)


def new_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def extras(answer: dict) -> dict:
    """The fields tenkan adds next to the message, from ``Answer.to_dict()``."""
    return {
        "citations": [dict(c) for c in answer.get("citations", [])],
        "grounding": answer.get("grounding"),
        "safety": dict(answer.get("safety") or {}),
        "tenkan": {"mode": answer.get("mode"), "grounded": answer.get("grounded"), "model": answer.get("model"),
                   "timings": dict(answer.get("timings") or {})},
    }


def completion(cid: str, model: str, answer: dict, created: int | None = None) -> dict:
    """A ``chat.completion`` object for a finished answer."""
    return {
        "id": cid,
        "object": "chat.completion",
        "created": int(created or time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.get("answer", "")},
                     "finish_reason": "stop", "logprobs": None, **extras(answer)}],
    }


def chunk(cid: str, model: str, created: int, delta: dict, finish_reason: str | None = None, **more) -> dict:
    """One ``chat.completion.chunk``."""
    return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None, **more}]}


def final_chunk(cid: str, model: str, created: int, answer: dict, streamed: str) -> dict:
    """The last chunk: no new text, ``finish_reason: stop``, and the checked answer with the extras.

    ``answer`` is the authoritative text (``replaces_stream`` is true when it differs from
    what was streamed, e.g. when a generated answer fell back to quoting the sources: a
    client shows ``answer`` instead)."""
    text = answer.get("answer", "")
    return chunk(cid, model, created, {}, "stop", answer=text, replaces_stream=text != streamed, **extras(answer))


def models_list(created: int, auto_resolves_to: str | None = None) -> dict:
    data = []
    for m in API_MODES:
        item = {"id": model_id(m), "object": "model", "created": created, "owned_by": "tenkan"}
        if m == "auto" and auto_resolves_to:
            item["resolves_to"] = model_id(auto_resolves_to)
        data.append(item)
    return {"object": "list", "data": data}
