"""Settings of ``tenkan serve`` (the ``[serve]`` table of tenkan.toml)."""

from __future__ import annotations

from dataclasses import dataclass

from tenkan.config import option


@dataclass
class ServeConfig:
    host: str = option("127.0.0.1", "address to listen on (0.0.0.0 exposes the API to the network: set a token)")
    port: int = option(8000, "TCP port")
    api_key_env: str = option(
        "TENKAN_API_KEY",
        "environment variable holding the bearer token every /v1 request must carry (unset or empty = no token; "
        "`tenkan serve --api-key` overrides it). The token itself never goes into a config file",
    )
    max_body_bytes: int = option(65536, "largest request body accepted (larger: HTTP 413)")
    max_question_chars: int = option(2000, "longest question (the last user message) accepted (longer: HTTP 400)")
    max_messages: int = option(64, "most messages in one request (more: HTTP 400)")
    workers: int = option(8, "threads answering retrieval and extractive requests in parallel")
    queue_size: int = option(
        4,
        "generated answers wait per model behind the one being generated; when this many already wait, "
        "a new request gets HTTP 429 with Retry-After",
    )
    retry_after: int = option(10, "seconds a 429 response asks the client to wait (Retry-After header)")
    request_timeout: float = option(120.0, "seconds one request may take before it is answered with HTTP 504")
    shutdown_timeout: float = option(60.0, "seconds a shutdown waits for running requests to finish")
    preload_generator: bool = option(
        True, "also load the generator tenkan-auto uses at start (the index always loads at start); /readyz "
              "says ready once both are loaded")
    log_questions: bool = option(
        False, "write the question text into the access log (off by default: patients' questions are private)")

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        for name in ("max_body_bytes", "max_question_chars", "max_messages", "workers", "retry_after"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.queue_size < 0:
            raise ValueError("queue_size must be >= 0")
        if self.request_timeout <= 0 or self.shutdown_timeout < 0:
            raise ValueError("request_timeout must be > 0 and shutdown_timeout >= 0")
