"""A small client for OpenAI-compatible HTTP endpoints (vLLM, llama.cpp server),
stdlib only: ``/v1/completions`` and ``/v1/chat/completions``, plain or streamed
(server-sent events). Used for inference and by the dataset teacher."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Iterator

from tenkan.errors import ModelUnavailableError

__all__ = ["OpenAIClient"]


class OpenAIClient:
    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = 120.0):
        base = base_url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        self.base = base
        self.api_key = api_key
        self.timeout = timeout

    @classmethod
    def from_env(cls, base_url: str, key_env: str = "OPENAI_API_KEY", timeout: float = 120.0) -> "OpenAIClient":
        return cls(base_url, api_key=os.environ.get(key_env) or None, timeout=timeout)

    def _request(self, path: str, body: dict):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 - configured endpoint
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:300]
            raise ModelUnavailableError(f"{self.base}{path} answered HTTP {exc.code}: {detail}",
                                        hint="check the model/adapter name the server serves") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ModelUnavailableError(f"cannot reach {self.base}{path}: {exc}",
                                        hint="start the server or fix generator.base_model") from exc

    def _body(self, api: str, prompt: str, model: str, max_tokens: int, stop, temperature: float, stream: bool) -> tuple[str, dict]:
        body = {"model": model, "max_tokens": max_tokens, "temperature": temperature, "stream": stream}
        if stop:
            body["stop"] = list(stop)[:4]  # the OpenAI API accepts at most four
        if api == "chat":
            body["messages"] = [{"role": "user", "content": prompt}]
            return "/chat/completions", body
        body["prompt"] = prompt
        return "/completions", body

    @staticmethod
    def _text(choice: dict, api: str, delta: bool = False) -> str:
        if api == "chat":
            part = choice.get("delta" if delta else "message") or {}
            return part.get("content") or ""
        return choice.get("text") or ""

    def complete(self, prompt: str, *, model: str, api: str = "completions", max_tokens: int = 256,
                 stop=None, temperature: float = 0.0) -> str:
        path, body = self._body(api, prompt, model, max_tokens, stop, temperature, False)
        with self._request(path, body) as resp:
            try:
                payload = json.loads(resp.read().decode("utf-8"))
                return self._text(payload["choices"][0], api)
            except (ValueError, KeyError, IndexError) as exc:
                raise ModelUnavailableError(f"{self.base}{path} gave an answer that is not an OpenAI response") from exc

    def stream(self, prompt: str, *, model: str, api: str = "completions", max_tokens: int = 256,
               stop=None, temperature: float = 0.0) -> Iterator[str]:
        path, body = self._body(api, prompt, model, max_tokens, stop, temperature, True)
        with self._request(path, body) as resp:
            for raw in resp:
                line = raw.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                try:
                    choice = json.loads(data)["choices"][0]
                except (ValueError, KeyError, IndexError):
                    continue
                piece = self._text(choice, api, delta=True)
                if piece:
                    yield piece
