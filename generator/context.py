"""Short contexts for small models: the best-matching sentence window of each source.

A 270M model reads four whole chunks (about 1,500 characters) badly and slowly. What it
is given instead, at training and at serving alike, is the window of consecutive
sentences of each source that best matches the question, cut at ``max_chars``. The
citation check still verifies an answer against the full source text; only the prompt
is shorter.

Scoring is lexical by default (content words shared with the question, plus character
bigrams so that kana/kanji variants and compounds still count); a caller that has
sentence vectors (the assistant at serving time) passes ``sentence_score`` to add
embedder similarity. The same function chooses the windows for training examples, so
the model learns on the shape it is served.
"""

from __future__ import annotations

from typing import Callable, Sequence

from tenkan.jatext import char_ngrams, content_tokens, split_sentences

__all__ = ["best_window", "window_sources", "DEFAULT_WINDOW_CHARS"]

#: characters of one source's window (generator.window_chars: 3 sources x 180 characters + the template ~ 420 tokens)
DEFAULT_WINDOW_CHARS = 180


def _lexical(question: str) -> Callable[[str], float]:
    words = set(content_tokens(question))
    grams = set(char_ngrams(question, 2))

    def score(sentence: str) -> float:
        sw = set(content_tokens(sentence))
        sg = set(char_ngrams(sentence, 2))
        w = len(words & sw) / (len(words) or 1)
        g = len(grams & sg) / (len(grams) or 1)
        return w + 0.5 * g

    return score


_FINAL = ("。", "！", "？", "!", "?", "」", "）", ")")


def _is_heading(line: str, has_next: bool) -> bool:
    """A ``#`` line, or a short line without final punctuation followed by more text: the
    chunker keeps a page's headings as plain lines."""
    return line.startswith("#") or (has_next and len(line) <= 40 and not line.startswith(("- ", "・", "※"))
                                    and not line.endswith(_FINAL))


def _lines(text: str) -> list[tuple[int, str]]:
    """``(line number, sentence)`` of a source, headings dropped (the title is shown beside
    the window, and a heading glued to the next sentence reads as a broken sentence)."""
    lines = [x.strip() for x in text.splitlines()]
    lines = [x for x in lines if x]
    out = []
    for i, line in enumerate(lines):
        if _is_heading(line, i + 1 < len(lines)):
            continue
        out.extend((i, s) for s in split_sentences(line) if s.strip())
    return out


def _join(sents: list[tuple[int, str]]) -> str:
    """Sentences of one line run on; a new line of the source (a list item) starts a new line."""
    out = ""
    for k, (line, s) in enumerate(sents):
        out += ("\n" if k and line != sents[k - 1][0] else "") + s
    return out


def best_window(question: str, text: str, *, max_chars: int = DEFAULT_WINDOW_CHARS,
                sentence_score: Callable[[str], float] | None = None) -> str:
    """The run of consecutive sentences of ``text`` that best matches ``question``, at most
    ``max_chars`` long (a single longer sentence is cut at ``max_chars``). The text itself
    when it is short enough."""
    if len(text) <= max_chars:
        return text.strip()
    lined = _lines(text)
    if not lined:
        return text[:max_chars].strip()
    sents = [s for _, s in lined]
    lexical = _lexical(question)
    scores = [lexical(s) + (sentence_score(s) if sentence_score else 0.0) for s in sents]
    # windows start at a sentence that matches (any, when none does) and run forward as far as
    # max_chars allows: what follows a matching sentence is usually its answer
    starts = [i for i, v in enumerate(scores) if v > 0] or [0]
    best, best_score = (0, 1), float("-inf")
    for i in starts:
        total, length, j = 0.0, 0, i
        while j < len(sents) and (j == i or length + len(sents[j]) + 1 <= max_chars):
            length += len(sents[j]) + 1
            total += scores[j]
            j += 1
        if total > best_score + 1e-9:
            best, best_score = (i, j), total
    window = _join(lined[best[0]:best[1]])
    return window[:max_chars].strip()


def window_sources(question: str, sources: Sequence[tuple[str, str]], *, max_chars: int = DEFAULT_WINDOW_CHARS,
                   sentence_score: Callable[[str], float] | None = None) -> list[tuple[str, str]]:
    """``(title, window)`` for each ``(title, text)`` source, in order (for ``Prompter.format_context``)."""
    return [(title, best_window(question, text, max_chars=max_chars, sentence_score=sentence_score))
            for title, text in sources]
