"""The one client for OpenAI-compatible HTTP endpoints (vLLM, llama.cpp server, a
hosted API), on the official ``openai`` package: the generator, the dataset
teacher and the LLM judge all go through it.

What it adds to the package:

* **retries** -- 429, 5xx, timeouts and connection failures are retried
  (``max_retries``) with exponential backoff and jitter, honouring
  ``Retry-After`` (the package's own retry loop);
* **errors say what happened** -- everything becomes a
  :class:`~tenkan.errors.ModelUnavailableError` with the endpoint and the status;
  an ``{"error": ...}`` event in the middle of a stream, and a stream that ends
  before the server finished, raise instead of passing for a complete answer;
* **every stop sequence counts** -- the OpenAI API takes at most four, so the
  first :data:`SERVER_STOP_LIMIT` go to the server and all of them are applied
  here to what comes back.
"""

from __future__ import annotations

import logging
import os
from typing import Iterator, Sequence

from generator.stops import StopFilter, cut_at_stops
from tenkan.errors import ModelUnavailableError

__all__ = ["OpenAIClient", "SERVER_STOP_LIMIT", "DEFAULT_RETRIES"]

log = logging.getLogger(__name__)

#: Stop sequences the OpenAI API accepts in one request.
SERVER_STOP_LIMIT = 4
DEFAULT_RETRIES = 3


class OpenAIClient:
    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = 120.0,
                 max_retries: int = DEFAULT_RETRIES):
        base = base_url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        self.base = base
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self._client = None

    @classmethod
    def from_env(cls, base_url: str, key_env: str = "OPENAI_API_KEY", timeout: float = 120.0,
                 max_retries: int = DEFAULT_RETRIES) -> "OpenAIClient":
        return cls(base_url, api_key=os.environ.get(key_env) or None, timeout=timeout, max_retries=max_retries)

    @property
    def client(self):
        if self._client is None:
            from openai import OpenAI  # imported on first use: the package is not light

            # local servers (vLLM without --api-key, llama.cpp) accept any key; the package insists on one
            self._client = OpenAI(base_url=self.base, api_key=self.api_key or "not-needed",
                                  timeout=self.timeout, max_retries=self.max_retries)
        return self._client

    # -- requests ----------------------------------------------------------------
    def _create(self, api: str, prompt: str, model: str, max_tokens: int, stop: Sequence[str] | None,
                temperature: float, stream: bool):
        kw: dict = {"model": model, "max_tokens": max_tokens, "temperature": temperature, "stream": stream}
        stops = [s for s in (stop or []) if s]
        if stops:
            kw["stop"] = stops[:SERVER_STOP_LIMIT]
        path = "/chat/completions" if api == "chat" else "/completions"
        try:
            if api == "chat":
                return path, self.client.chat.completions.create(messages=[{"role": "user", "content": prompt}], **kw)
            return path, self.client.completions.create(prompt=prompt, **kw)
        except Exception as exc:  # noqa: BLE001 - mapped to our error type below
            raise self._error(exc, path) from exc

    def _error(self, exc: Exception, path: str) -> Exception:
        import openai

        where = f"{self.base}{path}"
        if isinstance(exc, openai.APIStatusError):
            detail = ""
            try:
                detail = exc.response.text[:300]
            except Exception:  # noqa: BLE001 - a body we cannot read adds nothing
                pass
            tried = f" (after {self.max_retries + 1} attempts)" if exc.status_code == 429 or exc.status_code >= 500 else ""
            return ModelUnavailableError(f"{where} answered HTTP {exc.status_code}{tried}: {detail}",
                                         hint="check the model/adapter name the server serves, and the server's log")
        if isinstance(exc, openai.APITimeoutError):
            return ModelUnavailableError(f"{where} timed out after {self.timeout:g} s "
                                         f"({self.max_retries + 1} attempts)",
                                         hint="raise generator.request_timeout or check the server's load")
        if isinstance(exc, openai.APIConnectionError):
            return ModelUnavailableError(f"cannot reach {where} ({self.max_retries + 1} attempts): {exc.__cause__ or exc}",
                                         hint="start the server or fix generator.base_model")
        if isinstance(exc, openai.APIError):
            return ModelUnavailableError(f"{where} reported an error: {exc.message}",
                                         hint="the server failed while answering; see its log")
        return exc

    @staticmethod
    def _piece(choice, api: str, delta: bool) -> str:
        if api == "chat":
            part = getattr(choice, "delta" if delta else "message", None)
            return (getattr(part, "content", None) or "") if part is not None else ""
        return getattr(choice, "text", None) or ""

    @staticmethod
    def _extra(obj) -> dict:
        try:
            return obj.model_dump() if hasattr(obj, "model_dump") else dict(obj)
        except Exception:  # noqa: BLE001
            return {}

    def complete(self, prompt: str, *, model: str, api: str = "completions", max_tokens: int = 256,
                 stop: Sequence[str] | None = None, temperature: float = 0.0) -> str:
        """The whole answer, cut at the first of *all* ``stop`` sequences."""
        path, resp = self._create(api, prompt, model, max_tokens, stop, temperature, False)
        choices = getattr(resp, "choices", None)
        if not choices:
            raise ModelUnavailableError(f"{self.base}{path} gave an answer that is not an OpenAI response: "
                                        f"{str(self._extra(resp))[:200]}")
        text = self._piece(choices[0], api, delta=False)
        return cut_at_stops(text, stop or [])[0]

    def stream(self, prompt: str, *, model: str, api: str = "completions", max_tokens: int = 256,
               stop: Sequence[str] | None = None, temperature: float = 0.0) -> Iterator[str]:
        """The answer piece by piece, ending at the first of *all* ``stop`` sequences.

        Raises :class:`ModelUnavailableError` when the server sends an error event or the
        stream ends before the server said it was finished (no ``finish_reason``)."""
        import openai

        path, chunks = self._create(api, prompt, model, max_tokens, stop, temperature, True)
        filt = StopFilter(stop or [])
        finished = False
        try:
            for chunk in chunks:
                choices = getattr(chunk, "choices", None)
                if not choices:
                    data = self._extra(chunk)
                    if data.get("object") == "error" or data.get("message") or data.get("error"):
                        # vLLM's older error chunk: {"object": "error", "message": ...}
                        msg = data.get("message") or data.get("error")
                        raise ModelUnavailableError(f"{self.base}{path} reported an error in the middle of the "
                                                    f"stream: {msg}", hint="the answer is incomplete; see the server's log")
                    continue
                choice = choices[0]
                out = filt.feed(self._piece(choice, api, delta=True))
                if out:
                    yield out
                if filt.stopped:
                    return
                if getattr(choice, "finish_reason", None):
                    finished = True
        except openai.APIError as exc:  # an {"error": ...} event, or the connection broke mid-stream
            raise ModelUnavailableError(f"{self.base}{path} reported an error in the middle of the stream: "
                                        f"{exc.message}", hint="the answer is incomplete; see the server's log") from exc
        except Exception as exc:  # noqa: BLE001 - httpx errors while reading the stream
            if isinstance(exc, ModelUnavailableError):
                raise
            raise ModelUnavailableError(f"{self.base}{path}: the stream broke off ({type(exc).__name__}: {exc})",
                                        hint="the answer is incomplete; see the server's log") from exc
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if not finished:
            raise ModelUnavailableError(f"{self.base}{path}: the stream ended before the server finished the answer",
                                        hint="the answer is incomplete; see the server's log")
        tail = filt.flush()
        if tail:
            yield tail
