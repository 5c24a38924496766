"""The project's own exception types.

Library code raises these with a message that says what went wrong and, where
there is one, the command that fixes it; only the CLI and the Streamlit page
turn them into text for a person.
"""

from __future__ import annotations


class TenkanError(Exception):
    """Base class. ``hint`` is the command or action that fixes the problem."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:  # pragma: no cover - trivial
        base = super().__str__()
        return f"{base}\n  → {self.hint}" if self.hint else base


class ConfigError(TenkanError):
    """A configuration file or override is invalid (unknown key, wrong type, bad value)."""


class FetchError(TenkanError):
    """A page could not be fetched or decoded."""


class FetchTimeout(FetchError):
    """A request ran out of time. ``phase`` says where: ``"connect"`` (no response),
    ``"stalled"`` (no byte for the read timeout) or ``"too slow"`` (the whole
    response took longer than the limit; not retried, a retry would be as slow)."""

    def __init__(self, message: str, phase: str, hint: str | None = None):
        super().__init__(message, hint)
        self.phase = phase


class CorpusError(TenkanError):
    """The crawled corpus is missing or unreadable."""


class IndexMissingError(TenkanError):
    """No index has been built in the workspace yet."""


class IndexCorruptError(TenkanError):
    """The index on disk is damaged or does not match its manifest."""


class IndexMismatchError(TenkanError):
    """The index was built with a different embedding model or dimension."""


class ModelUnavailableError(TenkanError):
    """A model (or its package / endpoint) is not available."""


class LockedError(TenkanError):
    """Another run holds the workspace lock."""


class DatasetError(TenkanError):
    """Instruction data is missing or invalid."""


class EvalError(TenkanError):
    """An evaluation input is invalid or a gate failed."""
