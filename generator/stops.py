"""Stop sequences applied to generated text, whole or streamed piece by piece."""

from __future__ import annotations

from typing import Sequence

__all__ = ["StopFilter", "cut_at_stops"]


def cut_at_stops(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """``text`` up to the earliest stop sequence, and whether one was found."""
    cut = min((i for i in (text.find(s) for s in stops if s) if i != -1), default=-1)
    return (text, False) if cut == -1 else (text[:cut], True)


class StopFilter:
    """Feeds text pieces through, holding back what might be the start of a stop sequence."""

    def __init__(self, stops: Sequence[str]):
        self.stops = [s for s in stops if s]
        self.buf = ""
        self.stopped = False

    def feed(self, piece: str) -> str:
        if self.stopped:
            return ""
        self.buf += piece
        out, found = cut_at_stops(self.buf, self.stops)
        if found:
            self.buf, self.stopped = "", True
            return out
        hold = 0
        for s in self.stops:
            for k in range(min(len(s) - 1, len(self.buf)), 0, -1):
                if self.buf.endswith(s[:k]):
                    hold = max(hold, k)
                    break
        out = self.buf[: len(self.buf) - hold]
        self.buf = self.buf[len(self.buf) - hold:]
        return out

    def flush(self) -> str:
        out, self.buf = ("" if self.stopped else self.buf), ""
        return out
