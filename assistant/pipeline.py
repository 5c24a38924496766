"""The answer pipeline: retrieve → prompt with numbered sources → generate → verify → answer.

:class:`Assistant` holds the retriever and the generators (loaded lazily, once)
and answers in any of the modes of :data:`tenkan.vocab.MODES` (or ``auto``, resolved once). Every answer
passes the safety layer (emergency guidance first, no doses or medicine
instructions, scope) and, when sources were used, the citation check.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from typing import Any, Callable, Generator, Iterator, Sequence

import generator
from assistant.answer import Answer, Citation, FinalEvent, TokenEvent, page_url
from assistant.config import AssistantSettings
from assistant.modes import generator_key, resolve_mode
from assistant.conversation import Turn
from assistant.extractive import ExtractiveWeights, default_ranker, items_under, select_passages
from assistant.grounding import _LOOP, _URL, Source, Verification, _tokens, strip_markers, verify_answer
from assistant.injection import clean_source_text
from assistant.query import CRISIS_KINDS, Query, QueryWeights, analyse
from assistant.readings import reading_vocabulary
from assistant.relevance import (PLAIN_MIN_COVERAGE, Relevance, assess, on_topic, searchable_specific_words,
                                 specific_words, term_stats)
from assistant.safety import (
    MEDICATION_NOTICE,
    SafetyReport,
    classify_scope,
    emergency_guidance,
    unsafe_medication_statement,
)
from assistant.site_pages import rank_hits
from assistant.unknown_topic import default_model as default_unknown_topic, features as unknown_topic_features
from generator.context import window_sources
from generator.prompter import Prompter
from index import Chunk, open_index
from index.chunking import overlap_length
from tenkan.errors import ModelUnavailableError, TenkanError
from tenkan.paths import Workspace
from tenkan.jatext import split_sentences
from tenkan.vocab import RAG_MODES, Mode

__all__ = ["Assistant", "NO_SOURCES_TEXT", "OUT_OF_SCOPE_TEXT", "FALLBACK_LEAD"]

log = logging.getLogger(__name__)

NO_SOURCES_TEXT = (
    "ご質問の内容は、参照できる資料には書かれていませんでした。推測でお答えすることは控えます。"
    "主治医や専門の医療機関にご相談ください。"
)
OUT_OF_SCOPE_TEXT = (
    "このアシスタントは、てんかんと医療に関する情報にお答えするためのものです。"
    "ご質問はその範囲外のため、お答えできません。てんかんや発作、お薬、日常生活のことをお尋ねください。"
)
FALLBACK_LEAD = "（生成した回答を資料で確かめられなかったため、資料の該当部分をそのまま示します。）"
EMPTY_EXTRACT_TEXT = "資料の中に、ご質問に直接答える文は見つかりませんでした。主治医や専門の医療機関にご相談ください。"

#: added to a quoted sentence's window score: the window holding it wins over any lexical match
FOCUS_SCORE = 2.0
_END = re.compile(r"[。！？!?\n]")
_MARKS_AFTER = re.compile(r"(?:\s*[\[［【]\s*\d{0,2}\s*[\]］】]?)*")


def _with_marker(sentence: str, n: int | None) -> str:
    """``sentence`` with ``[n]`` before its closing punctuation (Japanese style)."""
    s = sentence.strip()
    if n is None:
        return s
    m = re.search(r"[。！？!?]+[」』）)]*$", s)
    if m:
        return f"{s[:m.start()]}[{n}]{s[m.start():]}"
    return f"{s}[{n}]"


def _under_heading(chunk: Chunk, text: str) -> str:
    """``text`` (the chunk's, cleaned) with the chunk's section heading as its first line when it starts inside that
    section: without it, its first lines read as part of whatever section comes before it in a source's text."""
    if len(chunk.headings) > 1 and text.strip() and not text.lstrip().startswith(chunk.headings[-1]):
        return chunk.headings[-1] + "\n" + text.strip("\n")
    return text


def _widen_coverage(rel: Relevance, said: list[str], texts: list[str], stats) -> None:
    """Take the coverage of the best of ``said`` over ``texts`` into ``rel`` where it is higher (a wider reading of the
    message or of the sources; the other signals stay those of the question sentence over the retrieved chunks), and
    then no longer record as missing a word that ``texts`` hold (the whole pages may hold what the chunks lacked)."""
    for text in said:
        full = assess(text, texts, stats)
        if full.weighted_coverage > rel.weighted_coverage:
            rel.coverage, rel.weighted_coverage = full.coverage, full.weighted_coverage
            have = set().union(*(_tokens(t) for t in texts))
            rel.missing = [w for w in rel.missing if w not in have]


def _complete_prefix(text: str) -> str:
    """``text`` up to its last finished sentence (one followed by more than citation markers)."""
    last = 0
    for m in _END.finditer(text):
        k = m.end() + _MARKS_AFTER.match(text, m.end()).end() - m.end()
        if k < len(text):
            last = k
    return text[:last]


@dataclasses.dataclass
class _Attempt:
    """One generated answer and what the checks made of it."""

    raw: str
    sources: list[Source]
    kept: list[tuple[str, int | None]]
    ver: Verification | None
    removed: list[dict]
    withheld: int
    fallback_reason: str = ""
    text: str = ""
    citations: list[Citation] = dataclasses.field(default_factory=list)


class Assistant:
    """Answers questions with cited sources. Nothing loads until the first question.

    ``retriever`` and ``generator_loader`` (a callable ``"ft" | "base" -> generator``)
    may be given to reuse loaded components (the app, the evaluator, tests).
    """

    def __init__(self, cfg: AssistantSettings, ws: Workspace, *, retriever: Any = None,
                 generator_loader: Callable[[str], Any] | None = None):
        self.cfg = cfg
        self.ws = ws
        self.acfg = cfg.assistant
        self._retriever = retriever
        self._generator_loader = generator_loader
        self._generators: dict[str, Any] = {}
        self._prompter = None
        self._auto: Mode | None = None

    # -- components ----------------------------------------------------------
    @property
    def retriever(self):
        if self._retriever is None:
            self._retriever = open_index(self.ws, self.cfg)
        return self._retriever

    @property
    def prompter(self):
        if self._prompter is None:
            self._prompter = Prompter(self.acfg.template)
        return self._prompter

    def generator_for(self, mode: str):
        """The generator a mode uses: the tuned adapter for rag-ft/ft, the base model otherwise."""
        key = generator_key(mode)
        if key not in self._generators:
            if self._generator_loader is not None:
                self._generators[key] = self._generator_loader(key)
            else:
                adapter = None
                if key == "ft":
                    adapter = generator.find_adapter(self.ws, self.cfg)
                    if adapter is None:
                        raise ModelUnavailableError(
                            f"mode {mode!r} needs a tuned adapter and none was found",
                            hint="tenkan dataset && tenkan train (or use --mode rag-base / extractive)",
                        )
                    if differ := generator.prompt_shape_mismatch(adapter, self.cfg):
                        log.warning("adapter %s was trained on other prompts than these settings build (%s): "
                                    "its answers may be worse; set them back or retrain", adapter.name,
                                    ", ".join(f"generator.{k} {a!r} in training, {b!r} now" for k, (a, b) in differ.items()))
                self._generators[key] = generator.load_generator(self.cfg, self.ws, adapter)
        return self._generators[key]

    def resolve_mode(self, mode: str) -> Mode:
        """``mode``, or what ``auto`` means here (``assistant.modes.resolve_mode``; decided once)."""
        if mode != "auto":
            return resolve_mode(mode, self.cfg, self.ws)
        if self._auto is None:
            self._auto = resolve_mode("auto", self.cfg, self.ws)
            log.info("auto mode answers with %s", self._auto)
        return self._auto

    # -- public API ------------------------------------------------------------
    def ask(self, question: str, mode: str | None = None, history: Sequence[Turn] | None = None) -> Answer:
        final = None
        for ev in self.ask_stream(question, mode=mode, history=history):
            if isinstance(ev, FinalEvent):
                final = ev.answer
        assert final is not None
        return final

    def ask_stream(self, question: str, mode: str | None = None,
                   history: Sequence[Turn] | None = None) -> Iterator[TokenEvent | FinalEvent]:
        """Yield :class:`TokenEvent` pieces of the answer as they are ready, then one :class:`FinalEvent`.

        Streamed text is already safety-filtered and (for RAG modes) citation-checked
        sentence by sentence; the final answer is authoritative (it can differ when
        the answer falls back to quoting sources)."""
        t0 = time.perf_counter()
        mode = self.resolve_mode(mode or self.acfg.mode)
        question = (question or "").strip()
        if not question:
            raise TenkanError("the question is empty", hint='tenkan ask "発作が5分以上続いたら？"')
        history = list(history or [])
        q = self.analyse(question, history, rag=mode in RAG_MODES)
        report = q.safety
        ans = Answer(question=question, answer="", mode=mode)
        ans.query = q.describe()
        timings: dict[str, float] = {}
        first = [None]

        def token(text: str) -> TokenEvent:
            if first[0] is None:
                first[0] = time.perf_counter() - t0
            return TokenEvent(text)

        prefix = emergency_guidance(report.emergency_kinds)
        if prefix:
            yield token(prefix + "\n\n")

        follow = q.follow_up
        if report.scope == "out" and follow:
            context = " ".join(t for r, t in history if r == "user")
            if classify_scope(context) == "in":
                report.scope, report.out_of_scope = "unsure", False
        # follow-ups borrow the topic of recent turns; brand names and everyday words add the
        # sources' wording (assistant.query)
        ans.retrieval_query = " ".join([q.retrieval, *q.added])
        match = q.match_text if not follow else ans.retrieval_query
        whole = q.whole_text if not follow else ans.retrieval_query

        body, notice = "", ""
        if report.out_of_scope:
            body, ans.grounding = OUT_OF_SCOPE_TEXT, "out_of_scope"
            yield token(body)
        else:
            sources: list[Source] = []
            sims: dict[str, float] = {}
            if mode in RAG_MODES:
                t = time.perf_counter()
                sources, hits = self._retrieve(q, report)
                timings["retrieval_s"] = time.perf_counter() - t
                ans.sources = [{"n": s.n, "chunk_id": s.chunk_id, "url": s.url, "title": s.title, "text": s.text,
                                "page": s.page} for s in sources]
                sims = self._similarities(q, sources)
                # an emergency question is in scope whatever its wording: never gate it out
                relevant = self._relevant(match, sources, hits, sims, ans, whole=whole,
                                          message=q.restored if not follow else "")
                if not report.emergency and not relevant:
                    if report.scope == "unsure":
                        report.out_of_scope = True
                        body, ans.grounding = OUT_OF_SCOPE_TEXT, "out_of_scope"
                    else:
                        body, ans.grounding = NO_SOURCES_TEXT, "no_sources"
                    ans.sources = []
                    yield token(body)
                    sources = []
            if not body:
                if mode == "extractive":
                    if self.acfg.extractive_whole_page:
                        sources = self._whole_pages(sources)
                        sims = self._similarities(q, sources)
                    # the words the lexicon added each ask for a sentence that holds them (Query.parts_text)
                    body, ans.citations = self._extractive(q.parts_text if not follow else match, sources, sims)
                    ans.grounded, ans.grounding = bool(ans.citations), "extractive"
                    yield token(body)
                else:
                    if mode in RAG_MODES and self.acfg.context_order == "passages" and self.acfg.extractive_whole_page:
                        # the prompt's windows and the fallback's quotes may come from anywhere on a retrieved page
                        sources = self._whole_pages(sources)
                        sims = self._similarities(q, sources)
                    t = time.perf_counter()
                    gen_events = self._generated(question, mode, sources, ans, report, match, sims)
                    for piece in gen_events:
                        yield token(piece)
                    timings["generate_s"] = time.perf_counter() - t
                    body = ans.answer
                    # the final text may differ from the streamed one (fallback): the UI replaces it
        if report.medication_change or report.withheld_medication:
            notice = MEDICATION_NOTICE
            yield token("\n\n" + notice)
        ans.answer = "\n\n".join(p for p in (prefix, body, notice) if p)
        ans.safety = report.to_dict()
        timings["first_token_s"] = first[0] if first[0] is not None else time.perf_counter() - t0
        timings["total_s"] = time.perf_counter() - t0
        ans.timings = {k: round(v, 4) for k, v in timings.items()}
        yield FinalEvent(ans)

    # -- steps -----------------------------------------------------------------
    def analyse(self, question: str, history: Sequence[Turn] | None = None, *, rag: bool = True) -> Query:
        """The one analysis of ``question`` every step uses (:mod:`assistant.query`); kana are
        restored with the index's reading vocabulary when the mode retrieves."""
        vocab = reading_vocabulary(self.retriever) if rag else None
        weights = QueryWeights(story=self.acfg.story_weight, expansion=self.acfg.expansion_weight,
                               brand=self.acfg.brand_weight)
        q = analyse(question, history, vocab=vocab, weights=weights, history_turns=self.acfg.history_turns)
        # (not for a crisis going on: its answer comes from the pages about emergencies, whose words analyse() searched)
        if rag and self.acfg.specific_weight and not any(k in CRISIS_KINDS for k in q.safety.emergency_kinds):
            # the question sentence's rare words searched again on their own: in 「子どもが自転車乗りたがってるんだけど、
            # てんかんあっても乗っていいもんなの？」 BM25 gave 子ども, てんかん and 乗る as much say as 自転車, and the sports
            # page came fifth
            stats = term_stats(self.retriever)
            if stats.n:
                for word in searchable_specific_words(q.focus, stats, self.acfg.specific_share):
                    q.terms[word] = q.terms.get(word, 0.0) + self.acfg.specific_weight
        return q

    def search(self, q: Query) -> list:
        """The hits an answer draws on: ``assistant.max_sources`` of them, the site's own pages (its top page,
        "about", privacy …) counting ``assistant.site_page_weight`` of their score unless the question asks
        about the site (:mod:`assistant.site_pages`)."""
        k = self.acfg.max_sources
        spare = k if self.acfg.site_page_weight < 1.0 else 0
        hits = self.retriever.search(q.retrieval, k=k + spare, method=self.acfg.retrieval_method, terms=q.terms)
        return rank_hits(hits, q.restored, self.acfg.site_page_weight, k)

    def _retrieve(self, q: Query, report: SafetyReport) -> tuple[list[Source], list]:
        hits = self.search(q)
        sources = []
        for i, h in enumerate(hits[: self.acfg.max_sources], 1):
            text, removed = clean_source_text(h.text)
            if removed:
                log.info("ignored %d instruction-like sentence(s) in %s", removed, h.chunk_id)
                report.injection_ignored += removed
            sources.append(Source(n=i, chunk_id=h.chunk_id, url=h.url, title=h.title, text=text,
                                  page=getattr(h, "page", None)))
        return sources, hits

    def _whole_pages(self, sources: list[Source]) -> list[Source]:
        """The sources with the rest of their page: the first source of each page also holds the
        page's chunks that were not retrieved (same PDF page only), after its own text. Retrieval
        finds the right page more often than the chunk that holds the answer sentence; quoting
        from the whole page cites the same page. Chunks retrieved in their own right stay as they
        are (with their section's heading first when they start inside one: :func:`_under_heading`). The
        sentences consecutive chunks share (the chunker's overlap) appear once."""
        page_chunks = getattr(self.retriever, "page_chunks", None)
        if page_chunks is None:
            return sources
        have = {s.chunk_id for s in sources}
        seen: set[str] = set()
        by_doc: dict[str, list] = {}  # a page's chunks, read once however many of its chunks were retrieved
        out = []
        for s in sources:
            doc = s.chunk_id.rsplit("#", 1)[0]
            if doc not in by_doc:
                by_doc[doc] = page_chunks(s.chunk_id)
            chunks = by_doc[doc]
            mine = next((c for c in chunks if c.chunk_id == s.chunk_id), None)
            # a retrieved chunk that starts inside a section (with the items the chunker carried over) names its section
            # first, as the page's other chunks do below
            head = _under_heading(mine, s.text) if mine is not None else s.text
            if doc in seen:
                out.append(dataclasses.replace(s, text=head) if head != s.text else s)
                continue
            seen.add(doc)
            own = mine.n if mine is not None else None
            pieces = [head]
            prev = own
            for c in chunks:
                if c.chunk_id in have or c.page != s.page:
                    continue
                more = clean_source_text(c.text)[0]
                # the chunker carries a chunk's last sentences over into the next one: each shows once
                if own is not None and c.n == own - 1:
                    more = more[: len(more) - overlap_length(more, s.text)]
                if own is not None and c.n == own + 1:
                    more = more[overlap_length(s.text, more):]
                if prev is not None and c.n == prev + 1 and prev != own:
                    more = more[overlap_length(pieces[-1], more):]
                # a chunk that starts inside a section and does not follow the piece before it names its section
                # first: its lines would read as the end of that piece's section (a list of the support systems as
                # part of 「障害年金を受け取るための条件」, shown after its last sentence)
                if prev is None or c.n != prev + 1:
                    more = _under_heading(c, more)
                if more.strip():
                    pieces.append(more.strip("\n"))
                prev = c.n
            text = "\n".join(pieces)
            out.append(dataclasses.replace(s, text=text) if text != s.text else s)
        return out

    def _similarities(self, q: Query, sources: list[Source]) -> dict[str, float]:
        """Cosine of the question and each source sentence that has a vector in the index
        (``index.sentence_vectors``); empty when the retriever has none."""
        vectors = getattr(self.retriever, "sentence_vectors", None)
        if vectors is None or not sources:
            return {}
        sents = list(dict.fromkeys(x for s in sources for x in split_sentences(s.text)))
        found = vectors(sents)
        if not found:
            return {}
        qv = self.retriever.embed_query(q.retrieval)
        return {text: float((qv * v).sum()) for text, v in found.items()}

    def _passages(self, question: str, sources: list[Source], sims: dict[str, float] | None):
        """What an extractive answer would quote (:func:`assistant.extractive.select_passages` with the
        configured weights): the extractive mode, the fallback and the generated prompt's order."""
        acfg = self.acfg
        return select_passages(question, sources, n=acfg.extractive_sentences, sims=sims,
                               per_passage=acfg.extractive_passage_sentences,
                               weights=ExtractiveWeights(meaning=acfg.extractive_meaning_weight),
                               ranker=default_ranker() if acfg.extractive_ranker else None)

    def _prompt_sources(self, match: str, sources: list[Source], sims: dict[str, float] | None,
                        order: str | None = None) -> tuple[list[Source], list[tuple[str, str]]]:
        """The first ``generator.context_sources`` sources, renumbered 1..k, and their windows as the
        prompt shows them. With ``order`` (default ``assistant.context_order``) ``"passages"`` the sources that hold the
        sentences the extractive selection would quote come first, in its order, and each window is
        chosen to hold its quoted sentences; the others follow in the retriever's order. The tuned adapter
        copies mostly from ``[1]``, so [1] had better be the source that answers."""
        k = self.cfg.generator.context_sources
        focus: set[str] = set()
        ranked = [s.n for s in sources]
        if (order or self.acfg.context_order) == "passages":
            passages = self._passages(match, sources, sims)
            first = list(dict.fromkeys(p.source for p in passages))
            ranked = first + [n for n in ranked if n not in first]
            focus = {x for p in passages for x in p.verbatim}
        by_n = {s.n: s for s in sources}
        shown = [dataclasses.replace(by_n[n], n=i) for i, n in enumerate(ranked[:k], 1)]
        whole = [(s.title, s.text) for s in shown]
        scaled: Callable[[str], float] | None = None
        if sims:
            lo, hi = min(sims.values()), max(sims.values())
            if hi > lo:
                scaled = lambda sentence: (sims[sentence] - lo) / (hi - lo) if sentence in sims else 0.0  # noqa: E731

        def score(sentence: str) -> float:
            return (scaled(sentence) if scaled else 0.0) + (FOCUS_SCORE if sentence in focus else 0.0)

        use = score if (scaled or focus) else None
        return shown, window_sources(match, whole, max_chars=self.cfg.generator.window_chars, sentence_score=use)

    def _off_topic(self, match: str, claims: list, sims: dict[str, float]) -> list[str]:
        """The kept sentences (verification claims, in answer order) that are not about the question:
        they share none of its specific words and the embedder does not put their source sentence close
        to it (:func:`assistant.relevance.on_topic`). A sentence that goes on from an on-topic sentence
        of the same source (the next sentence of the answer, citing the same passage) is part of that
        passage and on topic too: 「このような症状に気づいたら、すぐに主治医に連絡してください」 after the
        sentence about the rash it refers to."""
        stats = term_stats(self.retriever)
        words = specific_words(match, stats)
        weights = {w: stats.idf(w) for w in _tokens(match)} if stats.n else None
        off, previous = [], None
        for c in claims:
            if on_topic(c.text, words, sims.get(c.quote), self.acfg.on_topic_similarity,
                        weights=weights, min_share=self.acfg.on_topic_share) or \
                    (previous is not None and previous == c.supported_by):
                previous = c.supported_by
            else:
                off.append(c.text)
                previous = None
        return off

    def _relevant(self, match: str, sources: list[Source], hits: list, sims: dict[str, float],
                  ans: Answer | None = None, whole: str = "", message: str = "") -> bool:
        """Do the sources answer ``match`` (the question sentence and added words)? Records the
        signals in ``ans.relevance`` (see :mod:`assistant.relevance`)."""
        acfg = self.acfg
        if not sources:
            rel = Relevance(coverage=0.0, weighted_coverage=0.0, relevant=False, reason="no sources")
        else:
            texts = [f"{s.title}\n{s.text}" for s in sources]
            stats = term_stats(self.retriever)
            vocab = reading_vocabulary(self.retriever)
            rel = assess(match, texts, stats, specific_idf=0.8 * stats.max_idf, sounds_like=vocab.sounds_like, frame=whole,
                         known_reading=vocab.knows_reading if len(vocab) else None, message=message)
            # a story's question sentence may lean on its scene (「理由を聞きそびれたのですが、なぜですか」):
            # the whole message covered counts as well as its question sentence
            said = [match, whole] if whole and whole != match else [match]
            _widen_coverage(rel, said[1:], texts, stats)
            if rel.weighted_coverage < acfg.min_weighted_coverage and acfg.extractive_whole_page:
                # the answer may quote any sentence of a retrieved page: a page whose retrieved chunks miss the question's
                # words may hold them elsewhere (two chunks of the school page on telling teachers took its share, the one
                # on overnight school trips, 修学旅行・宿泊行事, was left out). Dev: 3 more in-scope answered, 1 off-topic
                _widen_coverage(rel, said, [f"{s.title}\n{s.text}" for s in self._whole_pages(sources)], stats)
            rel.similarity = max(sims.values()) if sims else None
            best = max(float(getattr(h, "score", 0.0)) for h in hits) if hits else 0.0
            if acfg.min_score and best < acfg.min_score:
                rel.relevant, rel.reason = False, f"best score {best:.4f} < min_score {acfg.min_score}"
            elif acfg.decline_unknown and rel.unknown and not (
                    rel.similarity is not None and rel.similarity >= acfg.known_similarity) and \
                    not self._sets_the_scene(message or whole or match, rel, stats):
                rel.relevant, rel.reason = False, f"the corpus never mentions {'、'.join(rel.unknown)}"
            elif rel.other_condition and acfg.decline_other_condition:
                rel.relevant, rel.reason = False, f"asks about the care of {rel.other_condition}, not epilepsy"
            elif rel.asks and not rel.asks_found:
                rel.relevant, rel.reason = False, f"asks for a {rel.asks}; the sources state none"
            elif stats.n == 0 and rel.coverage < PLAIN_MIN_COVERAGE:
                # no corpus statistics (a hand-built retriever, a tiny index): only the word count is left
                rel.relevant, rel.reason = False, f"coverage {rel.coverage:.2f} < {PLAIN_MIN_COVERAGE} (no corpus statistics)"
            elif acfg.min_coverage and rel.coverage < acfg.min_coverage:
                rel.relevant, rel.reason = False, f"coverage {rel.coverage:.2f} < min_coverage {acfg.min_coverage}"
            elif rel.weighted_coverage < acfg.min_weighted_coverage:
                rel.relevant, rel.reason = False, (f"weighted coverage {rel.weighted_coverage:.2f} < "
                                                   f"min_weighted_coverage {acfg.min_weighted_coverage}")
        if ans is not None:
            ans.relevance = rel.to_dict()
        return rel.relevant

    def _sets_the_scene(self, message: str, rel: Relevance, stats) -> bool:
        """Do ``rel.unknown`` only set the scene of ``message`` (the unknown-topic model, :mod:`assistant.unknown_topic`)?
        Records the model's probability in ``rel.unknown_topic``."""
        model = default_unknown_topic() if self.acfg.unknown_topic_max > 0 and stats.n else None
        if model is None:
            return False
        rel.unknown_topic = model.probability(unknown_topic_features(message, rel.unknown, stats.characters))
        return rel.unknown_topic < self.acfg.unknown_topic_max

    def _extractive(self, question: str, sources: list[Source], sims: dict[str, float] | None = None,
                    lead: str = "") -> tuple[str, list[Citation]]:
        passages = self._passages(question, sources, sims)
        # The on-topic check of generated answers is not applied to quotes: dropping quoted
        # passages it calls off topic lost more right quotes than wrong ones on the tune half
        # (gold page cited 0.835 -> 0.718), because the selection already ranks by the question.
        if not passages:
            return EMPTY_EXTRACT_TEXT, []
        by_n = {s.n: s for s in sources}
        renum: dict[int, int] = {}
        lines, texts = [], {}
        for p in passages:  # the best passage first
            if p.source not in renum:
                renum[p.source] = len(renum) + 1
            texts.setdefault(p.source, []).extend(p.verbatim)
            lines.append(_with_marker("".join(p.lines()), renum[p.source]))
            lines.extend(p.items)
            if p.after:
                lines.append(_with_marker("".join(p.after), renum[p.source]))
        cites = [Citation(n=new, url=page_url(by_n[old].url, by_n[old].page), title=by_n[old].title,
                          chunk_id=by_n[old].chunk_id, quote=" … ".join(texts[old]), page=by_n[old].page)
                 for old, new in renum.items()]
        body = "\n".join(([lead] if lead else []) + lines)
        return body, cites

    def _check(self, text: str, sources: list[Source], rag: bool) -> tuple[list[tuple[str, int | None]], Verification | None, list[dict], int]:
        """Safety-filter and (RAG) citation-check ``text``: returns the sentences to show with
        their source number (as given), the verification, the removed sentences and how many
        were withheld for medicine reasons."""
        removed: list[dict] = []
        withheld = 0
        safe_lines = []

        for s in split_sentences(re.sub(r"([。！？!?])((?:\s*[\[［【]\s*\d{1,2}\s*[\]］】])+)", r"\2\1", text)):
            why = unsafe_medication_statement(strip_markers(s))
            if why:
                withheld += 1
                removed.append({"sentence": strip_markers(s), "reason": f"medication ({why})"})
                continue
            safe_lines.append(s)
        safe = "\n".join(safe_lines)
        if not rag:
            out = []
            for s in safe_lines:
                body = re.sub(r"[ \t\u3000]{2,}", " ", _URL.sub("", strip_markers(s))).strip()
                body = _LOOP.sub(r"\1", body)  # a decoding loop is shown once (nothing verifies ft text)
                if body and not re.fullmatch(r"[\W_]+", body):
                    out.append((body, None))
            return out, None, removed, withheld
        ver = verify_answer(safe, sources, self.acfg.support_threshold)
        for c in ver.removed:
            removed.append({"sentence": c.text, "reason": c.reason or "unsupported", "support": round(c.score, 3)})
        return [(c.text, c.supported_by) for c in ver.kept], ver, removed, withheld

    @staticmethod
    def _render(kept: list[tuple[str, int | None]]) -> tuple[str, dict[int, int]]:
        renum: dict[int, int] = {}
        parts = []
        for text, n in kept:
            if n is not None and n not in renum:
                renum[n] = len(renum) + 1
            parts.append(_with_marker(text, renum.get(n) if n is not None else None))
        return "".join(parts), renum

    @staticmethod
    def _list_tail(question: str, kept: list[tuple[str, int | None]], ver: Verification,
                   sources: list[Source]) -> str:
        """The list items, one per line, when a generated answer ends on a list's lead-in: the model
        stops after 「次のような場合は…119番に電話してください[1]。」 as often as it goes on, and the
        lead-in alone promises what it does not show. The items are its source's, verbatim, chosen as
        an extractive answer chooses them (:func:`assistant.extractive.items_under`)."""
        if not kept or kept[-1][1] is None:
            return ""
        last = next((c for c in reversed(ver.kept) if c.text == kept[-1][0]), None)
        src = next((s for s in sources if last is not None and s.n == last.supported_by), None)
        if src is None or not last.quote:
            return ""
        return "".join("\n" + item for item in items_under(question, src.text, last.quote))

    def _generated(self, question: str, mode: str, sources: list[Source], ans: Answer,
                   report: SafetyReport, match: str = "", sims: dict[str, float] | None = None) -> Iterator[str]:
        rag = mode in RAG_MODES
        instruction = question + self.acfg.instruction_suffix
        p = self.prompter
        retrieved = sources
        match = match or question
        gen = self.generator_for(mode)
        ans.model = getattr(gen, "name", type(gen).__name__)
        if not rag:
            prompt = p.build(instruction)
            sources = sources[: self.cfg.generator.context_sources]
            raw, shown = yield from self._stream(gen, prompt, sources, False, match, sims)
            ans.generated = raw
            kept, _ver, removed, withheld = self._check(p.parse(raw), sources, False)
            report.withheld_medication += withheld
            ans.removed = removed
            ans.answer, _ = self._render(kept)
            ans.grounded, ans.grounding = False, "unverified"
            if not ans.answer:
                ans.answer = "（お答えできる内容を生成できませんでした。主治医や専門の医療機関にご相談ください。）"
            if not shown:
                yield ans.answer
            return
        # the prompt shows the first generator.context_sources of them (the shape the adapter was
        # trained on); the fallback may still quote any retrieved source
        orders = [self.acfg.context_order]
        if self.acfg.retry_order and self.acfg.retry_order != self.acfg.context_order:
            orders.append(self.acfg.retry_order)
        first: _Attempt | None = None
        shown = ""
        tried: list[tuple[list[str], list[tuple[str, str]]]] = []
        for i, order in enumerate(orders):
            shown_sources, windows = self._prompt_sources(match, retrieved, sims, order=order)
            if (key := ([s.chunk_id for s in shown_sources], windows)) in tried:
                continue  # the same prompt: greedy decoding would write the same answer
            tried.append(key)
            prompt = p.build(instruction, p.format_context(windows))
            if i == 0:
                # the first attempt streams the sentences that pass the checks as they are written
                raw, shown = yield from self._stream(gen, prompt, shown_sources, True, match, sims)
            else:
                raw = "".join(gen.stream(prompt))
            att = self._verdict(raw, shown_sources, match, sims)
            first = first or att
            ans.attempts.append({"context_order": order, "fallback_reason": att.fallback_reason})
            if not att.fallback_reason:
                break
        assert first is not None
        final = att if not att.fallback_reason else first
        report.withheld_medication += final.withheld
        ans.generated, ans.removed, ans.fallback_reason = final.raw, final.removed, final.fallback_reason
        if not final.fallback_reason:
            text = final.text + self._list_tail(match, final.kept, final.ver, final.sources)
            ans.citations = final.citations
            ans.answer = text
            ans.grounded = True
            ans.grounding = "verified" if not final.removed else "pruned"
            if text != shown:
                # the first attempt: only the tail can differ (the last sentence finished at end of stream);
                # a retry's answer follows what was streamed, and the final text replaces both
                yield text[len(shown):] if (shown and text.startswith(shown)) else ("\n\n" if shown else "") + text
        else:
            body, cites = self._extractive(match, retrieved, sims, lead=FALLBACK_LEAD)
            ans.answer, ans.citations = body, cites
            ans.grounded, ans.grounding = bool(cites), "fallback"
            yield ("\n\n" if shown else "") + body

    def _stream(self, gen, prompt: str, sources: list[Source], rag: bool, match: str,
                sims: dict[str, float] | None) -> Generator[str, None, tuple[str, str]]:
        """Generate for ``prompt``, yielding the checked answer as it grows; returns (raw text, text shown)."""
        p = self.prompter
        raw, shown, done_prefix = "", "", ""
        # the template's no-answer (「提示された資料には…書かれていません」): the model says its prompt does not
        # answer; since the relevance check found sources that do, the answer quotes them instead (never shown)
        for piece in gen.stream(prompt):
            raw += piece
            parsed = p.cut_at_stop(raw)
            stopped = len(parsed) < len(raw)
            prefix = _complete_prefix(parsed)
            if prefix != done_prefix and not (rag and p.says_no_answer(prefix)):
                done_prefix = prefix
                kept, ver, _, _ = self._check(prefix, sources, rag)
                if ver is not None and kept:
                    off = set(self._off_topic(match, ver.kept, sims or {}))
                    kept = [k for k in kept if k[0] not in off]
                text, _ = self._render(kept)
                if text.startswith(shown) and len(text) > len(shown):
                    yield text[len(shown):]
                    shown = text
            if stopped:
                break
        return raw, shown

    def _verdict(self, raw: str, sources: list[Source], match: str, sims: dict[str, float] | None) -> _Attempt:
        """Check a generated answer against the sources its prompt showed: what is kept, and why it
        falls back ("declined", "unsupported", "off-topic"; "" when it stands)."""
        p = self.prompter
        final_text = p.parse(raw)
        kept, ver, removed, withheld = self._check(final_text, sources, True)
        att = _Attempt(raw=raw, sources=sources, kept=kept, ver=ver, removed=removed, withheld=withheld)
        total = len(ver.claims) if ver else 0
        ratio = len(kept) / total if total else 0.0
        off = self._off_topic(match, ver.kept, sims or {}) if kept else []
        if p.says_no_answer(final_text):
            att.fallback_reason = "declined"
        elif not kept or ratio < self.acfg.min_supported_ratio:
            att.fallback_reason = "unsupported"
        elif off:
            # supported by the sources, but about something else than what was asked: never shown; when
            # nothing else is left the answer falls back to quoting
            removed.extend({"sentence": t, "reason": "off-topic"} for t in off)
            att.kept = kept = [k for k in kept if k[0] not in off]
            ver.kept = [c for c in ver.kept if c.text not in off]
            if not kept:
                att.fallback_reason = "off-topic"
        if not att.fallback_reason:
            att.text, renum = self._render(kept)
            by_n = {s.n: s for s in sources}
            quotes: dict[int, list[str]] = {}
            for c in ver.kept:
                quotes.setdefault(c.supported_by, [])
                if c.quote and c.quote not in quotes[c.supported_by]:
                    quotes[c.supported_by].append(c.quote)
            att.citations = [
                Citation(n=new, url=page_url(by_n[old].url, by_n[old].page), title=by_n[old].title,
                         chunk_id=by_n[old].chunk_id, quote=" … ".join(quotes.get(old, [])[:2]), page=by_n[old].page)
                for old, new in renum.items()
            ]
        return att
