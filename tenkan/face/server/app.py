"""``tenkan serve``'s ASGI app (Starlette): the assistant behind the OpenAI chat API.

Routes: ``POST /v1/chat/completions``, ``GET /v1/models``, ``GET /healthz`` (the
process is up), ``GET /readyz`` (the index, and the generator ``tenkan-auto`` uses,
are loaded).

How a request runs: the event loop only parses, checks and relays; the answer itself
(:meth:`assistant.Assistant.ask_stream`) runs in a worker thread, so retrieval and
extractive answers of many requests run side by side. Generated answers pass the
:class:`~tenkan.face.server.gate.GenerationGate`: one generates per model, ``queue_size``
wait, the next is answered 429. Every request has a deadline (504 when it passes; the
worker stops at its next piece of text). Shutdown (SIGTERM / Ctrl-C) stops accepting
connections and lets running requests finish (uvicorn's graceful shutdown).

The access log (logger ``tenkan.face.server.access``) records method, path, status, time,
mode and the question's length, not its text unless ``serve.log_questions`` is set:
patients' questions are private.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

import generator
from assistant import Assistant
from assistant.answer import FinalEvent, TokenEvent
from tenkan.errors import ModelUnavailableError, TenkanError
from tenkan.face.server.gate import GenerationGate, QueueFull, SerialGenerator
from assistant.modes import generator_key, resolve_mode
from tenkan.face.server.openai_api import (
    ApiError,
    chunk,
    completion,
    final_chunk,
    models_list,
    new_id,
    parse_chat_request,
)

__all__ = ["create_app", "ServerState"]

log = logging.getLogger("tenkan.face.server")
access_log = logging.getLogger("tenkan.face.server.access")

_END = object()


class ServerState:
    """What the routes share: settings, the assistant, the gate, the worker threads, readiness.

    ``retriever``, ``generator_loader`` (``"ft" | "base" -> generator``) and ``auto``
    (``() -> mode``) replace the real components in tests and benchmarks."""

    def __init__(self, cfg, ws, *, api_key: str | None = None, retriever: Any = None,
                 generator_loader: Callable[[str], Any] | None = None, auto: Callable[[], str] | None = None):
        self.cfg = cfg
        self.ws = ws
        self.scfg = cfg.serve
        self.api_key = api_key or None
        self.gate = GenerationGate(self.scfg.queue_size)
        self._loader = generator_loader or self._load_generator
        self._gens: dict[str, SerialGenerator] = {}
        self._gens_lock = threading.Lock()
        self.assistant = Assistant(cfg, ws, retriever=retriever, generator_loader=self._generator)
        self.auto = auto or (lambda: resolve_mode("auto", cfg, ws))
        # extractive answers use `workers` threads; admitted generated requests (at most
        # 1 + queue_size per generator) have threads of their own, so neither starves the other
        self.executor = ThreadPoolExecutor(max_workers=self.scfg.workers, thread_name_prefix="tenkan-answer")
        self.gen_executor = ThreadPoolExecutor(max_workers=2 * (self.scfg.queue_size + 1),
                                               thread_name_prefix="tenkan-generate")
        self.created = int(time.time())
        self.ready = threading.Event()
        self.load_error: str | None = None
        self.loaded: dict[str, Any] = {}
        self._cancels: set[threading.Event] = set()

    # -- components ---------------------------------------------------------------------
    def _load_generator(self, key: str):
        adapter = None
        if key == "ft":
            adapter = generator.find_adapter(self.ws, self.cfg)
            if adapter is None:
                raise ModelUnavailableError("the tuned modes need a tuned adapter and none was found",
                                            hint="tenkan dataset && tenkan train (or use tenkan-extractive)")
        return generator.load_generator(self.cfg, self.ws, adapter)

    def _generator(self, key: str) -> SerialGenerator:
        with self._gens_lock:
            if key not in self._gens:
                self._gens[key] = SerialGenerator(self._loader(key), self.gate.lock(key))
                self.loaded[f"generator_{key}"] = self._gens[key].name
            return self._gens[key]

    def load(self) -> None:
        """Open the index, answer one warm-up question, load the generator ``tenkan-auto`` uses."""
        try:
            t = time.perf_counter()
            r = self.assistant.retriever
            manifest = getattr(r, "manifest", {}) or {}
            emb = manifest.get("embedder")
            self.loaded["index"] = {"chunks": manifest.get("chunks"),
                                    "embedder": emb.get("name") if isinstance(emb, dict) else emb}
            self.assistant.ask("てんかんの発作とは何ですか？", mode="extractive")  # tokenizer, vocabularies
            mode = self.auto()
            self.loaded["auto"] = mode
            key = generator_key(mode)
            if key is not None and self.scfg.preload_generator:
                self._generator(key)
            self.loaded["load_s"] = round(time.perf_counter() - t, 2)
            log.info("ready in %.1f s: %s", time.perf_counter() - t, self.loaded)
        except Exception as exc:  # noqa: BLE001 - reported by /readyz and every request
            self.load_error = f"{type(exc).__name__}: {exc}"
            log.error("loading failed: %s", self.load_error)
        finally:
            self.ready.set()

    # -- requests -----------------------------------------------------------------------
    def check_auth(self, request: Request) -> None:
        if not self.api_key:
            return
        got = request.headers.get("authorization", "")
        scheme, _, token = got.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.api_key.encode()):
            raise ApiError(401, "invalid or missing API key: send 'Authorization: Bearer <token>'",
                           code="invalid_api_key", headers={"WWW-Authenticate": "Bearer"})

    async def wait_ready(self, deadline: float) -> None:
        if not self.ready.is_set():
            loop = asyncio.get_running_loop()
            left = max(0.0, deadline - time.monotonic())
            ok = await loop.run_in_executor(None, self.ready.wait, left)
            if not ok:
                raise ApiError(503, "the server is still loading the index and models", type="server_error",
                               code="not_ready", headers={"Retry-After": "5"})
        if self.load_error:
            raise ApiError(503, f"the server could not load its index or models: {self.load_error}",
                           type="server_error", code="not_ready")

    def start_answer(self, loop: asyncio.AbstractEventLoop, question: str, mode: str,
                     history: list[tuple[str, str]], ticket) -> tuple[asyncio.Queue, threading.Event]:
        """Run the answer in a worker thread; its events arrive on the returned queue."""
        q: asyncio.Queue = asyncio.Queue()
        cancel = threading.Event()
        self._cancels.add(cancel)

        def put(item) -> None:
            try:
                loop.call_soon_threadsafe(q.put_nowait, item)
            except RuntimeError:  # the loop is gone (shutdown): nobody is listening
                pass

        def work() -> None:
            try:
                if ticket.key is not None:
                    # load (or fail to load) the model before any text, so that a missing model
                    # is a plain HTTP error even for a streamed emergency answer
                    self._generator(ticket.key)
                events = self.assistant.ask_stream(question, mode=mode, history=history)
                try:
                    for ev in events:
                        if cancel.is_set():
                            break
                        put(ev)
                finally:
                    events.close()
            except BaseException as exc:  # noqa: BLE001 - handed to the request
                put(exc)
            finally:
                ticket.release()
                self._cancels.discard(cancel)
                put(_END)

        (self.executor if ticket.key is None else self.gen_executor).submit(work)
        return q, cancel

    def close(self) -> None:
        for c in list(self._cancels):
            c.set()
        for ex in (self.executor, self.gen_executor):
            ex.shutdown(wait=False, cancel_futures=True)


def _error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def _api_error(exc: BaseException) -> ApiError:
    """An exception raised while answering, as the error the client sees."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ModelUnavailableError):
        return ApiError(503, f"{exc}", type="server_error", code="model_unavailable")
    if isinstance(exc, TenkanError):
        return ApiError(400, f"{exc}", code="invalid_request")
    log.error("answer failed", exc_info=exc)
    return ApiError(500, f"the server failed to answer ({type(exc).__name__}); see its log", type="server_error")


def _sse(obj) -> str:
    return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n"


async def _read_json(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the request body is {declared} bytes; at most {limit} are accepted",
                       code="request_too_large")
    buf = bytearray()
    async for part in request.stream():
        buf += part
        if len(buf) > limit:
            raise ApiError(413, f"the request body is larger than {limit} bytes", code="request_too_large")
    try:
        return json.loads(bytes(buf).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "we could not parse the JSON body of your request", code="invalid_json") from None


def create_app(cfg, ws, *, api_key: str | None = None, retriever: Any = None,
               generator_loader: Callable[[str], Any] | None = None, auto: Callable[[], str] | None = None) -> Starlette:
    """The ASGI app. ``cfg.serve`` holds the limits; see :class:`ServerState` for the rest."""
    state = ServerState(cfg, ws, api_key=api_key, retriever=retriever, generator_loader=generator_loader, auto=auto)
    scfg = state.scfg

    def access(request: Request, status: int, t0: float, info: dict) -> None:
        extra = " ".join(f"{k}={v}" for k, v in info.items() if k != "question" and v is not None)
        if scfg.log_questions and info.get("question") is not None:
            extra += f" question={json.dumps(info['question'], ensure_ascii=False)}"
        client = request.client.host if request.client else "-"
        access_log.info("%s %s %s %d %.3fs %s", client, request.method, request.url.path, status,
                        time.perf_counter() - t0, extra)

    async def chat_completions(request: Request) -> Response:
        t0 = time.perf_counter()
        deadline = time.monotonic() + scfg.request_timeout
        info: dict[str, Any] = {}
        try:
            state.check_auth(request)
            body = await _read_json(request, scfg.max_body_bytes)
            req = parse_chat_request(body, max_question_chars=scfg.max_question_chars,
                                     max_messages=scfg.max_messages)
            info.update(model=req.model, stream=req.stream, q_chars=len(req.question), turns=len(req.history),
                        question=req.question)
            await state.wait_ready(deadline)
            mode = state.auto() if req.mode == "auto" else req.mode
            info["mode"] = mode
            try:
                ticket = state.gate.admit(generator_key(mode))
            except QueueFull as exc:
                raise ApiError(429, f"{exc}; try again later", type="rate_limit_error", code="queue_full",
                               headers={"Retry-After": str(scfg.retry_after)}) from None
            loop = asyncio.get_running_loop()
            q, cancel = state.start_answer(loop, req.question, mode, req.history, ticket)
        except ApiError as exc:
            access(request, exc.status, t0, info | {"error": exc.code})
            return _error_response(exc)

        async def next_item():
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError
            return await asyncio.wait_for(q.get(), left)

        timeout = ApiError(504, f"the answer took longer than {scfg.request_timeout:g} s", type="server_error",
                           code="timeout")
        cid, created = new_id(), int(time.time())

        if not req.stream:
            try:
                final = None
                while (item := await next_item()) is not _END:
                    if isinstance(item, BaseException):
                        raise _api_error(item)
                    if isinstance(item, FinalEvent):
                        final = item.answer.to_dict()
                if final is None:
                    raise ApiError(500, "the answer ended without a result", type="server_error")
            except asyncio.TimeoutError:
                cancel.set()
                access(request, 504, t0, info | {"error": "timeout"})
                return _error_response(timeout)
            except ApiError as exc:
                cancel.set()
                access(request, exc.status, t0, info | {"error": exc.code})
                return _error_response(exc)
            info["grounding"] = final.get("grounding")
            access(request, 200, t0, info)
            return JSONResponse(completion(cid, req.model, final, created))

        # streamed: wait for the first piece before sending headers, so that an error that comes
        # before any text (no adapter, a bad question) is still a plain HTTP error
        try:
            first = await next_item()
        except asyncio.TimeoutError:
            cancel.set()
            access(request, 504, t0, info | {"error": "timeout"})
            return _error_response(timeout)
        if isinstance(first, BaseException):
            err = _api_error(first)
            access(request, err.status, t0, info | {"error": err.code})
            return _error_response(err)

        async def events():
            streamed, status = "", 200
            item = first
            try:
                yield _sse(chunk(cid, req.model, created, {"role": "assistant", "content": ""}))
                while item is not _END:
                    if isinstance(item, BaseException):
                        err = _api_error(item)
                        status = err.status
                        yield _sse(err.body())
                        break
                    if isinstance(item, TokenEvent) and item.text:
                        streamed += item.text
                        yield _sse(chunk(cid, req.model, created, {"content": item.text}))
                    elif isinstance(item, FinalEvent):
                        ans = item.answer.to_dict()
                        info["grounding"] = ans.get("grounding")
                        yield _sse(final_chunk(cid, req.model, created, ans, streamed))
                    try:
                        item = await next_item()
                    except asyncio.TimeoutError:
                        status = 504
                        yield _sse(timeout.body())
                        break
                yield "data: [DONE]\n\n"
            finally:
                cancel.set()  # a client that went away stops the worker at its next piece
                access(request, status, t0, info)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    async def models(request: Request) -> Response:
        t0 = time.perf_counter()
        try:
            state.check_auth(request)
        except ApiError as exc:
            access(request, exc.status, t0, {"error": exc.code})
            return _error_response(exc)
        auto = state.loaded.get("auto")
        access(request, 200, t0, {})
        return JSONResponse(models_list(state.created, auto))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if not state.ready.is_set():
            return JSONResponse({"status": "loading"}, status_code=503, headers={"Retry-After": "5"})
        if state.load_error:
            return JSONResponse({"status": "failed", "error": state.load_error}, status_code=503)
        return JSONResponse({"status": "ready", **state.loaded, "queues": state.gate.snapshot()})

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/v1"):
            try:
                state.check_auth(request)
            except ApiError as auth:
                return _error_response(auth)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        return _error_response(ApiError(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}",
                                        code=code))

    @asynccontextmanager
    async def lifespan(app):
        loader = threading.Thread(target=state.load, name="tenkan-load", daemon=True)
        loader.start()
        yield
        state.close()

    app = Starlette(
        routes=[
            Route("/v1/chat/completions", chat_completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.tenkan = state
    return app
