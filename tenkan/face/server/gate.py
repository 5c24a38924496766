"""Generation is serialised per model behind a bounded queue.

A small model on a CPU (or one GPU) generates one answer at a time; more requests
than the queue holds are refused at the door (HTTP 429 with ``Retry-After``) rather
than piling up until every one of them times out. Retrieval and extractive answers
do not pass the gate: they run in parallel.

:class:`GenerationGate` counts the requests admitted per generator key (``ft`` /
``base``): one generating plus ``queue_size`` waiting. :class:`SerialGenerator` wraps
a generator so that its ``stream`` runs under the key's lock: a queued request does its
retrieval while it waits and takes the lock only to generate.
"""

from __future__ import annotations

import threading
from typing import Iterator

__all__ = ["GenerationGate", "QueueFull", "SerialGenerator"]


class QueueFull(Exception):
    def __init__(self, key: str, waiting: int):
        super().__init__(f"the {key} generator is busy and {waiting} request(s) already wait")
        self.key = key
        self.waiting = waiting


class GenerationGate:
    def __init__(self, queue_size: int):
        self.queue_size = queue_size
        self._admitted: dict[str, int] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._mu = threading.Lock()

    def lock(self, key: str) -> threading.Lock:
        with self._mu:
            return self._locks.setdefault(key, threading.Lock())

    def admit(self, key: str | None) -> "Ticket":
        """A ticket for one request, or :class:`QueueFull`. ``key`` None (extractive) always passes."""
        if key is None:
            return Ticket(self, None)
        with self._mu:
            n = self._admitted.get(key, 0)
            if n >= 1 + self.queue_size:
                raise QueueFull(key, max(0, n - 1))
            self._admitted[key] = n + 1
        return Ticket(self, key)

    def admitted(self, key: str) -> int:
        """Requests admitted for ``key`` and not finished (generating + waiting)."""
        with self._mu:
            return self._admitted.get(key, 0)

    def _release(self, key: str) -> None:
        with self._mu:
            self._admitted[key] = max(0, self._admitted.get(key, 0) - 1)

    def snapshot(self) -> dict[str, int]:
        with self._mu:
            return dict(self._admitted)


class Ticket:
    def __init__(self, gate: GenerationGate, key: str | None):
        self._gate, self.key, self._done = gate, key, False

    def release(self) -> None:
        if not self._done and self.key is not None:
            self._gate._release(self.key)
        self._done = True


class SerialGenerator:
    """``generator`` whose ``stream``/``generate`` hold ``lock`` while they run."""

    def __init__(self, generator, lock: threading.Lock):
        self._g = generator
        self._lock = lock
        self.name = getattr(generator, "name", type(generator).__name__)

    def __getattr__(self, name):  # tokenizer, prompter, ... of the wrapped generator
        return getattr(self._g, name)

    def stream(self, prompt: str, max_new_tokens: int | None = None) -> Iterator[str]:
        with self._lock:
            yield from self._g.stream(prompt, max_new_tokens)

    def generate(self, prompt: str, max_new_tokens: int | None = None) -> str:
        with self._lock:
            return self._g.generate(prompt, max_new_tokens)
