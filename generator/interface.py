"""What every generator offers, whatever runs it (transformers, llama.cpp, an endpoint)."""

from __future__ import annotations

from typing import Iterator

__all__ = ["Generator"]


class Generator:
    """Interface: ``name``, ``generate(prompt, max_new_tokens=None)``, ``stream(...)``."""

    name: str = "generator"

    def generate(self, prompt: str, max_new_tokens: int | None = None) -> str:
        return "".join(self.stream(prompt, max_new_tokens))

    def stream(self, prompt: str, max_new_tokens: int | None = None) -> Iterator[str]:  # pragma: no cover
        raise NotImplementedError
