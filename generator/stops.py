"""When generation stops: stop sequences, a sentence limit and loops, applied to text whole or
streamed piece by piece.

The rules belong to the prompt template (``generator/templates/<name>.json``: ``stop``,
``max_sentences``, ``loop_min_chars``); :meth:`generator.prompter.Prompter.stop_filter` makes
the filter, and every runtime (transformers, llama.cpp, an endpoint) feeds its pieces through
it, so an answer ends at the same place whichever model wrote it.

- **Stop sequences** end the text where they start (the template's next-section marker).
- **Sentence limit:** after ``max_sentences`` sentences (ended by 。！？ or a line break) the
  text ends, keeping a citation marker such as ``[2]`` written right after the last one.
- **Loops:** a run of the same unit repeated back to back (「質問：質問：質問：質問：」, one
  sentence three times) is cut after its first copy, and a sentence that repeats an earlier
  one ends the text before it. Greedy decoding of a small model falls into such loops; the
  repetition penalty makes them rarer, this makes them harmless.
"""

from __future__ import annotations

import re
from typing import Sequence

__all__ = ["StopFilter", "cut_at_stops", "apply_stops"]

_END = "。！？!?\n"
#: a citation marker right after a sentence end, e.g. "[2]" or " [1][3]"
_CITE = re.compile(r"^[ \t]*(?:\[\d{1,2}\])+")
#: a prefix that may still grow into a citation marker
_CITE_PREFIX = re.compile(r"^[ \t]*(?:\[\d{1,2}\])*(?:\[\d{0,2})?$")
_LONGEST_UNIT = 80


def cut_at_stops(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """``text`` up to the earliest stop sequence, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stops if s) if i != -1), default=-1)
    return (text, False) if cut == -1 else (text[:cut], True)


def _sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end (runs of end marks count once; empty lines do not count)."""
    ends, start = [], 0
    i = 0
    while i < len(text):
        if text[i] in _END:
            j = i
            while j + 1 < len(text) and text[j + 1] in _END:
                j += 1
            if text[start:i].strip():
                ends.append(j + 1)
            start = j + 1
            i = j + 1
        else:
            i += 1
    return ends


def _loop_cut(text: str, min_chars: int) -> int | None:
    """Where a back-to-back repetition at the end of ``text`` should be cut (after its first copy)."""
    n = len(text)
    for p in range(1, min(_LONGEST_UNIT, n // 3) + 1):
        reps = max(3, -(-min_chars // p))  # at least 3 copies and min_chars characters
        if reps * p > n:
            continue
        unit = text[n - p:]
        if not unit.strip() or text[n - reps * p:] != unit * reps:
            continue
        start = n - reps * p
        while start - p >= 0 and text[start - p:start] == unit:
            start -= p
        return start + p
    return None


def _norm(sentence: str) -> str:
    return re.sub(r"\s+|\[\d{1,2}\]", "", sentence)


class StopFilter:
    """Feeds text pieces through, holding back what a rule might still cut.

    ``feed(piece)`` returns the text that is final; ``stopped`` turns true when a rule ended
    the text (the caller stops generating); ``flush()`` returns what was held back at the end.
    """

    def __init__(self, stops: Sequence[str], *, max_sentences: int = 0, loop_min_chars: int = 0):
        self.stops = [s for s in stops if s]
        self.max_sentences = max_sentences
        self.loop_min_chars = loop_min_chars
        self.text = ""       # everything fed, up to the cut once stopped
        self.emitted = 0     # characters of ``text`` already returned
        self.stopped = False
        self.reason = ""     # "stop", "sentences" or "loop" once stopped

    # -- the rules on the whole text so far ----------------------------------
    def _cut(self, final: bool) -> tuple[int | None, str, int]:
        """(cut offset or None, reason, offset up to which the text is safe to emit)."""
        text = self.text
        cuts: list[tuple[int, str]] = []
        upto, found = cut_at_stops(text, self.stops)
        if found:
            cuts.append((len(upto), "stop"))
        safe = len(text)
        if not found:
            for s in self.stops:  # hold a tail that may be the start of a stop sequence
                for k in range(min(len(s) - 1, len(text)), 0, -1):
                    if text.endswith(s[:k]):
                        safe = min(safe, len(text) - k)
                        break
        if self.loop_min_chars:
            ends = _sentence_ends(text)
            seen, start = set(), 0
            for e in ends:
                s = _norm(text[start:e])
                if s and s in seen:
                    m = _CITE.match(text[start:e])  # the earlier sentence keeps its citation
                    cuts.append((start + (len(m.group(0)) if m else 0), "loop"))
                    break
                seen.add(s)
                start = e
            at = _loop_cut(text, self.loop_min_chars)
            if at is not None:
                cuts.append((at, "loop"))
            # a sentence in progress may still turn out to repeat an earlier one
            safe = min(safe, ends[-1] if ends else 0) if not final else safe
        if self.max_sentences:
            ends = _sentence_ends(text)
            if len(ends) >= self.max_sentences:
                e = ends[self.max_sentences - 1]
                tail = text[e:]
                m = _CITE.match(tail)
                if m and (len(m.group(0)) < len(tail) or final):
                    cuts.append((e + len(m.group(0)), "sentences"))
                elif not _CITE_PREFIX.match(tail) or final:
                    cuts.append((e, "sentences"))
                else:
                    safe = min(safe, e)
        if cuts:
            at, why = min(cuts)
            return at, why, at
        return None, "", safe

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        self.text += piece
        return self._advance(final=False)

    def _advance(self, final: bool) -> str:
        at, why, safe = self._cut(final)
        if at is not None:
            self.text, self.stopped, self.reason = self.text[:at], True, why
            safe = at
        safe = max(safe, self.emitted)
        out = self.text[self.emitted:safe]
        self.emitted = safe
        return out

    def flush(self) -> str:
        if self.stopped:
            return ""
        out = self._advance(final=True)
        rest = self.text[self.emitted:]
        self.emitted = len(self.text)
        return out + rest

    def apply(self, text: str) -> str:
        """The whole of ``text`` through the rules (for a reply that arrived in one piece)."""
        return self.feed(text) + self.flush()


def apply_stops(text: str, stops: Sequence[str], *, max_sentences: int = 0, loop_min_chars: int = 0) -> str:
    """``text`` cut by the stop rules (see :class:`StopFilter`)."""
    return StopFilter(stops, max_sentences=max_sentences, loop_min_chars=loop_min_chars).apply(text)
