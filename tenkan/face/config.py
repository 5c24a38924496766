"""All of tenkan's settings in one typed object, composed from the stages' configs.

:class:`TenkanConfig` has one field per TOML table, each typed with its stage's
dataclass, so a wrong key or a value of the wrong type in any table is a
:class:`~tenkan.errors.ConfigError` when the file is read, and ``cfg.index.top_k``
is an ``int`` wherever it is used. The stages never import this module: each
declares the tables it reads as a ``Protocol`` in its own ``config.py``
(``index.config.IndexSettings``, ``assistant.config.AssistantSettings``, …),
which this class satisfies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from assistant.config import AssistantConfig
from eval.config import EvalConfig
from generator.config import GeneratorConfig
from index.config import IndexConfig
from ingest.config import IngestConfig
from tenkan.config import compose, read_tables
from tenkan.face.server.config import ServeConfig

__all__ = ["TenkanConfig", "load_config", "SECTIONS"]


@dataclass
class TenkanConfig:
    """All stages' settings. Build it with :func:`load_config`."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    index: IndexConfig = field(default_factory=IndexConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    assistant: AssistantConfig = field(default_factory=AssistantConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    #: where the settings came from (file path or "defaults"); not a TOML key
    source: str = field(default="defaults", compare=False)


#: the TOML tables in file order, with their dataclasses (``tenkan config --keys`` writes them so)
SECTIONS: dict[str, type] = {
    "ingest": IngestConfig,
    "index": IndexConfig,
    "generator": GeneratorConfig,
    "assistant": AssistantConfig,
    "eval": EvalConfig,
    "serve": ServeConfig,
}


def load_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> TenkanConfig:
    """Load settings: dataclass defaults ← TOML file ← ``section.key=value`` overrides.

    ``path`` None means ``$TENKAN_CONFIG`` if set, else the defaults alone (the
    shipped ``tenkan.toml`` documents them and equals them).
    """
    data, source = read_tables(path, overrides)
    return compose(TenkanConfig, data, source=source)
