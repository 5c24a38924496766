"""One Prompter for training and inference, built from a template data file
(``generator/templates/<name>.json``; fields in the README beside them)."""

from __future__ import annotations

import json
import re
import string
from functools import lru_cache
from importlib import resources
from typing import Iterable, Sequence

from generator.stops import StopFilter
from tenkan.errors import ConfigError

#: a citation marker as a model writes it (「[1]」, 「［2］」, 「【3】」), removed before comparing text
_MARKER = re.compile(r"\s*[\[［【]\s*\d{1,2}\s*[\]］】]")

__all__ = ["Prompter", "available_templates"]

_REQUIRED = ("prompt_input", "prompt_no_input", "response_split", "stop", "context_item",
             "context_separator", "citation")


def available_templates() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("generator.templates").iterdir()
                  if p.name.endswith(".json"))


@lru_cache(maxsize=None)
def _load(name: str) -> dict:
    res = resources.files("generator.templates").joinpath(f"{name}.json")
    if not res.is_file():
        raise ConfigError(f"prompt template {name!r} does not exist",
                          hint=f"available: {', '.join(available_templates())}")
    data = json.loads(res.read_text(encoding="utf-8"))
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ConfigError(f"prompt template {name!r} lacks field(s) {', '.join(missing)}")
    return data


def _fields(fmt: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(fmt) if f}


def _fill(fmt: str, where: str, **values) -> str:
    need = _fields(fmt)
    missing = sorted(f for f in need if values.get(f) is None)
    if missing:
        raise ConfigError(f"template field {where!r} needs variable(s) {', '.join(missing)}")
    return fmt.format(**{k: values[k] for k in need})


class Prompter:
    """Build prompts from, and parse responses with, one template."""

    def __init__(self, template: str = "alpaca_ja"):
        self.template_name = template
        self.t = _load(template)

    # -- building -------------------------------------------------------
    def build(self, instruction: str, input: str | None = None) -> str:
        """The prompt up to and including the response marker."""
        if instruction is None or not str(instruction).strip():
            raise ConfigError("prompt needs a non-empty instruction")
        if input:
            return _fill(self.t["prompt_input"], "prompt_input", instruction=instruction, input=input)
        return _fill(self.t["prompt_no_input"], "prompt_no_input", instruction=instruction)

    def build_training(self, instruction: str, input: str | None, output: str) -> tuple[str, str]:
        """``(prompt, full_text)``: the loss is taken on ``full_text[len(prompt):]`` only."""
        if output is None:
            raise ConfigError("training example needs an output")
        prompt = self.build(instruction, input)
        return prompt, prompt + output

    def format_context(self, sources: Iterable[tuple[str, str]] | Sequence[dict]) -> str:
        """Numbered sources for ``input``: items are ``(title, text)`` pairs or dicts with those keys."""
        items = []
        for i, s in enumerate(sources, 1):
            title, text = (s["title"], s["text"]) if isinstance(s, dict) else s
            items.append(_fill(self.t["context_item"], "context_item", n=i, title=title or "", text=text))
        return self.t["context_separator"].join(items)

    @property
    def no_answer(self) -> str:
        return self.t.get("no_answer", "")

    def says_no_answer(self, text: str) -> bool:
        """Does ``text`` (a response, citation markers or not) contain the template's no-answer? Its
        first sentence is enough: a model may go on after it or cite a source after it."""
        if not self.no_answer:
            return False
        head = re.split(r"[。！？!?\n]", self.no_answer, maxsplit=1)[0]
        return bool(head) and head in _MARKER.sub("", text)

    def cite(self, n: int) -> str:
        return _fill(self.t["citation"], "citation", n=n)

    # -- parsing --------------------------------------------------------
    @property
    def stop(self) -> list[str]:
        return list(self.t["stop"])

    def stop_filter(self) -> StopFilter:
        """A fresh filter with this template's stop rules: its stop sequences, at most
        ``max_sentences`` sentences (0 = no limit), and loops of at least ``loop_min_chars``
        characters cut (0 = off). Every runtime streams through one."""
        return StopFilter(self.stop, max_sentences=int(self.t.get("max_sentences", 0)),
                          loop_min_chars=int(self.t.get("loop_min_chars", 0)))

    def cut_at_stop(self, text: str) -> str:
        cut = len(text)
        for s in self.stop:
            i = text.find(s)
            if i != -1:
                cut = min(cut, i)
        return text[:cut]

    def parse(self, generated: str) -> str:
        """The response part of ``generated`` (prompt + response, or response alone), cut by the
        template's stop rules (:meth:`stop_filter`)."""
        split = self.t["response_split"]
        if split in generated:
            generated = generated.split(split)[-1]
        return self.stop_filter().apply(generated.lstrip("\n")).strip()
