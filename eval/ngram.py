"""n-gram overlap metrics that are correct for Japanese.

Japanese has no spaces, so every metric here is computed on explicit tokens:

* ``word`` level: MeCab words from :func:`tenkan.jatext.tokenize` (fugashi + unidic-lite),
  punctuation dropped;
* ``char`` level: characters with whitespace and punctuation removed.

The libraries' own tokenizers get Japanese wrong: sacrebleu's default ``13a``
leaves a whole sentence as one token (BLEU ≈ 0 unless the strings are identical),
and rouge-score's default tokenizer keeps only ``[a-z0-9]`` so Japanese scores 0,
or a false 1.0 when the only ASCII in two unrelated answers is the same number.

All scores are in [0, 1] and symmetric-enough for reporting; each function takes
the hypothesis (the answer) first and the reference second.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from dataclasses import dataclass
from typing import Callable, Iterable

from tenkan.errors import ModelUnavailableError
from tenkan.jatext import normalize, tokenize

__all__ = [
    "LEVELS",
    "NGRAM_METRICS",
    "tokens",
    "bleu",
    "rouge_l",
    "meteor",
    "ngram_scores",
    "JapaneseRougeTokenizer",
    "resolve_wordnet",
]

LEVELS = ("word", "char")
#: metric names produced by :func:`ngram_scores`
NGRAM_METRICS = tuple(f"{m}_{lvl}" for m in ("bleu", "rougeL", "meteor") for lvl in LEVELS)

_PUNCT = re.compile(r"[\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65!-/:-@\[-`{-~・「」『』（）【】]")


def tokens(text: str, level: str = "word") -> list[str]:
    """Tokens of ``text`` at ``level`` ("word": MeCab words; "char": characters)."""
    if level == "word":
        return tokenize(text or "")
    if level == "char":
        return [c.lower() for c in _PUNCT.sub("", normalize(text or ""))]
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


# ---------------------------------------------------------------- BLEU
@functools.lru_cache(maxsize=1)
def _bleu_metric():
    from sacrebleu.metrics import BLEU

    # Pre-tokenised input (tokens joined by spaces): tokenize="none".
    # effective_order: short answers are not zeroed by missing 4-grams.
    return BLEU(tokenize="none", effective_order=True)


def bleu(hypothesis: str, reference: str, level: str = "word") -> float:
    """Sentence BLEU (sacrebleu, exp smoothing, effective order) on Japanese tokens, in [0, 1]."""
    hyp, ref = tokens(hypothesis, level), tokens(reference, level)
    if not hyp or not ref:
        return 0.0
    score = _bleu_metric().sentence_score(" ".join(hyp), [" ".join(ref)]).score
    return min(1.0, score / 100.0)


# ---------------------------------------------------------------- ROUGE-L
@dataclass(frozen=True)
class JapaneseRougeTokenizer:
    """Tokenizer object for ``rouge_score.rouge_scorer.RougeScorer(tokenizer=...)``."""

    level: str = "word"

    def tokenize(self, text: str) -> list[str]:
        return tokens(text, self.level)


@functools.lru_cache(maxsize=4)
def _rouge_scorer(level: str):
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], tokenizer=JapaneseRougeTokenizer(level))


def rouge_l(hypothesis: str, reference: str, level: str = "word") -> float:
    """ROUGE-L F-measure (rouge-score with a Japanese tokenizer), in [0, 1]."""
    if not (hypothesis or "").strip() or not (reference or "").strip():
        return 0.0
    # rouge-score's signature is score(target, prediction)
    return float(_rouge_scorer(level).score(reference, hypothesis)["rougeL"].fmeasure)


# ---------------------------------------------------------------- METEOR
class _NoSynonyms:
    """A WordNet stand-in without synonyms: METEOR's exact + stem stages only.

    English WordNet has no Japanese entries, so for Japanese tokens this is what
    METEOR computes anyway; it makes the score identical on every machine.
    """

    def synsets(self, *args, **kwargs):  # noqa: D401 - nltk's interface
        return []


DEBIAN_WORDNET_DIR = "/usr/share/wordnet"


@functools.lru_cache(maxsize=4)
def resolve_wordnet(setting: str = "none"):
    """The WordNet METEOR uses: ``"none"`` (synonym-free), ``"debian"`` (the
    ``wordnet-base`` package's files in /usr/share/wordnet) or a directory of
    WordNet 3.0 dict files. Missing files raise :class:`~tenkan.errors.ModelUnavailableError`."""
    if setting in ("", "none"):
        return _NoSynonyms()
    root = DEBIAN_WORDNET_DIR if setting == "debian" else setting
    if not all(os.path.isfile(os.path.join(root, f)) for f in ("index.noun", "index.sense")):
        raise ModelUnavailableError(
            f"no WordNet dict files (index.noun, index.sense) in {root}",
            hint="apt-get install wordnet-base wordnet-sense-index, or set eval.meteor_wordnet = \"none\"",
        )
    import nltk.data
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    view = _wordnet_root(root)
    # nltk only reads files under its data roots (nltk.pathsec), and for a
    # WordNet whose version header is not "3.0" it maps senses through
    # ``corpora/wordnet``: the view is laid out as <data root>/corpora/wordnet.
    data_root = os.path.dirname(os.path.dirname(view))
    if data_root not in nltk.data.path:
        nltk.data.path.append(data_root)
    return WordNetCorpusReader(view, None)


def _wordnet_root(root: str) -> str:
    """nltk wants a ``lexnames`` file next to the dict files; Debian does not ship
    one, so build a private copy (~/.cache/tenkan/wordnet, ~30 MB, once) plus that file."""
    # a private directory (nltk refuses world-writable ones such as /tmp)
    target = os.path.join(os.path.expanduser("~"), ".cache", "tenkan", "nltk_data", "corpora", "wordnet")
    os.makedirs(target, mode=0o700, exist_ok=True)
    # copies, not symlinks: nltk rejects files that resolve outside the corpus root
    for name in os.listdir(root):
        src, dst = os.path.join(root, name), os.path.join(target, name)
        if os.path.isfile(src) and not os.path.exists(dst):
            shutil.copyfile(src, dst + ".part")
            os.replace(dst + ".part", dst)
    lex = os.path.join(target, "lexnames")
    if not os.path.exists(lex):
        with open(lex, "w", encoding="utf-8") as fh:
            fh.write("".join(f"{i:02d}\t{n}\t{c}\n" for i, (n, c) in enumerate(_LEXNAMES)))
    return target


# WordNet 3.0 lexicographer files (number, name, syntactic category)
_LEXNAMES = [
    ("adj.all", 3), ("adj.pert", 3), ("adv.all", 4), ("noun.Tops", 1), ("noun.act", 1),
    ("noun.animal", 1), ("noun.artifact", 1), ("noun.attribute", 1), ("noun.body", 1),
    ("noun.cognition", 1), ("noun.communication", 1), ("noun.event", 1), ("noun.feeling", 1),
    ("noun.food", 1), ("noun.group", 1), ("noun.location", 1), ("noun.motive", 1),
    ("noun.object", 1), ("noun.person", 1), ("noun.phenomenon", 1), ("noun.plant", 1),
    ("noun.possession", 1), ("noun.process", 1), ("noun.quantity", 1), ("noun.relation", 1),
    ("noun.shape", 1), ("noun.state", 1), ("noun.substance", 1), ("noun.time", 1),
    ("verb.body", 2), ("verb.change", 2), ("verb.cognition", 2), ("verb.communication", 2),
    ("verb.competition", 2), ("verb.consumption", 2), ("verb.contact", 2), ("verb.creation", 2),
    ("verb.emotion", 2), ("verb.motion", 2), ("verb.perception", 2), ("verb.possession", 2),
    ("verb.social", 2), ("verb.stative", 2), ("verb.weather", 2), ("adj.ppl", 3),
]


def meteor(hypothesis: str, reference: str, level: str = "word", wordnet: str = "none") -> float:
    """METEOR (nltk) on Japanese tokens, in [0, 1].

    ``wordnet`` selects the synonym stage (see :func:`resolve_wordnet`). Like the
    original metric, a perfect match scores just under 1 (fragmentation penalty
    0.5·(1/m)³ for m matched tokens).
    """
    from nltk.translate.meteor_score import meteor_score

    hyp, ref = tokens(hypothesis, level), tokens(reference, level)
    if not hyp or not ref:
        return 0.0
    return float(meteor_score([ref], hyp, wordnet=resolve_wordnet(wordnet)))


# ---------------------------------------------------------------- all at once
_FUNCS: dict[str, Callable[..., float]] = {"bleu": bleu, "rougeL": rouge_l, "meteor": meteor}


def ngram_scores(hypothesis: str, reference: str, *, levels: Iterable[str] = LEVELS,
                 wordnet: str = "none") -> dict[str, float]:
    """``{"bleu_word": ..., "bleu_char": ..., "rougeL_word": ..., ...}`` for one answer."""
    out: dict[str, float] = {}
    for name, fn in _FUNCS.items():
        for lvl in levels:
            kw = {"wordnet": wordnet} if name == "meteor" else {}
            out[f"{name}_{lvl}"] = fn(hypothesis, reference, lvl, **kw)
    return out
