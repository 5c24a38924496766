"""Example strategies: each turns one document's chunks into question–answer
candidates. They work on any objects with the index ``Chunk`` fields
(``chunk_id, doc_id, n, text, url, title, headings``).

* :func:`faq_pairs` -- ``Q. …？`` headings (or lines) followed by ``A. …`` text;
* :func:`heading_pairs` -- a question made from a section heading, answered by
  the first sentences of the section;
* :func:`teacher_pairs` -- an LLM behind an OpenAI-compatible endpoint writes
  question–answer pairs grounded in one chunk (the JMedLoRA approach); answers
  that do not overlap the chunk are dropped.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from tenkan.jatext import char_ngrams, normalize, split_sentences

__all__ = ["Candidate", "Section", "sections", "boilerplate_sentences", "faq_pairs", "heading_pairs", "teacher_pairs",
           "question_from_heading", "overlap", "take_sentences"]

log = logging.getLogger(__name__)

_Q = re.compile(r"^(?:Q|Ｑ)\s*[.．:：、]?\s*(?:\d+\s*[.．:：]\s*)?(.+)$")
_A = re.compile(r"^(?:A|Ａ)\s*[.．:：、]\s*")
_DATE = re.compile(r"(最終)?(更新|公開|掲載)日?\s*[:：]\s*\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}日?")
_HEAD = re.compile(r"^(#{1,6})\s*(.*)$")
#: headings that do not make a question worth learning
_SKIP_HEADINGS = re.compile(
    r"^(関連ページ|関連リンク|関連情報|参考|参考文献|出典|お問い合わせ|問い合わせ先|目次|まとめ|このページについて|"
    r"更新履歴|免責事項|リンク|メニュー|ナビゲーション|ページの先頭へ).*")


@dataclass
class Candidate:
    question: str
    answer: str
    doc_id: str
    url: str
    title: str
    chunk_ids: list[str]
    strategy: str
    heading: str = ""
    #: section text the answer comes from (what a context-conditioned example shows as the source)
    source_text: str = ""


@dataclass
class Section:
    heading: str            # "" before the first heading
    level: int
    lines: list[str] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)
    is_question: bool = False

    @property
    def body(self) -> str:
        return "\n".join(self.lines)


def _looks_like_heading(line: str, j: int, lines: list[str]) -> bool:
    """A short line without sentence-final punctuation followed by more text: the
    chunker keeps headings as plain lines."""
    return (j + 1 < len(lines) and len(line) <= 40 and not line.startswith(("- ", "※", "*"))
            and not line.endswith(("。", "！", "？", "!", "?", "、", "：", ":")) and not _A.match(line))


def boilerplate_sentences(chunks: Iterable, min_docs: int = 3) -> set[str]:
    """Sentences found in ``min_docs`` or more documents: site notices, update dates."""
    docs: dict[str, set[str]] = defaultdict(set)
    for ch in chunks:
        for s in split_sentences(normalize(ch.text)):
            docs[s.removeprefix("- ")].add(ch.doc_id)
    return {s for s, d in docs.items() if len(d) >= min_docs}


def sections(chunks: Sequence, boilerplate: set[str] | frozenset = frozenset()) -> list[Section]:
    """Rebuild a document's sections from its chunks (ordered by ``n``): heading lines
    (``#`` lines, or lines equal to a heading some chunk carries, or ``Q. …？`` lines)
    open a section; sentences the chunker repeated as overlap, and ``boilerplate``
    sentences, are dropped."""
    out: list[Section] = []
    index: dict[str, Section] = {}
    seen: set[tuple[str, str]] = set()
    known = {h for ch in chunks for h in (getattr(ch, "headings", None) or [])}

    def get(heading: str, level: int) -> Section:
        sec = index.get(heading)
        if sec is None:
            sec = Section(heading, level, is_question=bool(_Q.match(heading)))
            index[heading] = sec
            out.append(sec)
        return sec

    for ch in sorted(chunks, key=lambda c: c.n):
        hs = list(getattr(ch, "headings", None) or [])
        cur = get(hs[-1] if hs else "", len(hs))
        lines = [x for x in (_DATE.sub("", r).strip() for r in normalize(ch.text).split("\n")) if x]
        for j, line in enumerate(lines):
            m = _HEAD.match(line)
            if m or line in known or (_Q.match(line) and line.endswith(("？", "?"))) or _looks_like_heading(line, j, lines):
                cur = get((m.group(2) if m else line).strip(), len(m.group(1)) if m else 9)
                if ch.chunk_id not in cur.chunk_ids:
                    cur.chunk_ids.append(ch.chunk_id)
                continue
            keep = []
            for sent in split_sentences(line):
                key = (cur.heading, sent.removeprefix("- "))
                if key[1] in boilerplate or key in seen:
                    continue
                seen.add(key)
                keep.append(sent)
            if keep:
                cur.lines.append("".join(keep))
                if ch.chunk_id not in cur.chunk_ids:
                    cur.chunk_ids.append(ch.chunk_id)
    return out


def take_sentences(text: str, max_chars: int) -> str:
    """Whole sentences from the start of ``text`` up to ``max_chars`` (at least one)."""
    out = ""
    for s in split_sentences(text):
        s = s[2:] if s.startswith("- ") else s
        if out and len(out) + len(s) > max_chars:
            break
        out += s
    return out[: max_chars * 2]


def faq_pairs(chunks: Sequence, *, max_answer_chars: int = 240, min_answer_chars: int = 20,
              boilerplate: set[str] | frozenset = frozenset()) -> list[Candidate]:
    """``Q. …？`` followed by ``A. …`` → (question, answer)."""
    if not chunks:
        return []
    c0 = chunks[0]
    out = []
    for sec in sections(chunks, boilerplate):
        m = _Q.match(sec.heading)
        if not m:
            continue
        question = m.group(1).strip()
        body = _A.sub("", sec.body.strip(), count=1)
        answer = take_sentences(body, max_answer_chars)
        if len(answer) < min_answer_chars or not question:
            continue
        out.append(Candidate(question, answer, c0.doc_id, c0.url, c0.title, list(sec.chunk_ids), "faq",
                             heading=sec.heading, source_text=_A.sub("", sec.body, count=1)))
    return out


def question_from_heading(heading: str, title: str) -> str | None:
    """A natural Japanese question for a section heading (None for headings like 「関連ページ」)."""
    h = re.sub(r"^[\d０-９]+[.．、)\s]*", "", heading).strip(" 　:：")
    if not h or _SKIP_HEADINGS.match(h) or _Q.match(heading):
        return None
    t = (title or "").split("｜")[0].split("|")[0].strip()
    about = "" if (not t or t in h or h == t) else (t if t.endswith("について") else f"{t}について")
    pre = f"{about}、" if about else ""
    if h.endswith(("？", "?")):
        return h
    if h.endswith("とは"):
        return f"{h}何ですか？"
    if h.endswith(("方法", "ポイント", "注意点", "対処", "対応", "手順", "工夫", "コツ")):
        return f"{pre}{h}を教えてください。"
    if h.endswith(("場合", "とき", "時")):
        return f"{pre}{h}はどうすればよいですか？"
    if h.endswith(("ます", "ません", "です", "ない", "ある", "いる", "できる")):
        return f"{pre}「{h}」とはどういうことですか？"
    if not about:
        return f"{h.removesuffix('について')}について教えてください。"
    return f"{about}、「{h}」を教えてください。"


def heading_pairs(chunks: Sequence, *, max_answer_chars: int = 240, min_answer_chars: int = 20,
                  boilerplate: set[str] | frozenset = frozenset()) -> list[Candidate]:
    """Section heading → question; the section's first sentences → answer."""
    if not chunks:
        return []
    c0 = chunks[0]
    out = []
    for sec in sections(chunks, boilerplate):
        if sec.is_question or not sec.heading:
            continue
        q = question_from_heading(sec.heading, c0.title)
        if not q:
            continue
        answer = take_sentences(sec.body, max_answer_chars)
        if len(answer) < min_answer_chars:
            continue
        out.append(Candidate(q, answer, c0.doc_id, c0.url, c0.title, list(sec.chunk_ids), "heading",
                             heading=sec.heading, source_text=sec.body))
    return out


def overlap(answer: str, source: str, n: int = 2) -> float:
    """Share of the answer's character n-grams that occur in the source."""
    a = char_ngrams(answer, n)
    if not a:
        return 0.0
    s = set(char_ngrams(source, n))
    return sum(1 for g in a if g in s) / len(a)


TEACHER_PROMPT = (
    "次の資料だけに基づいて、患者さんや家族がたずねそうな質問と、その答えを{k}組作ってください。"
    "答えは資料の内容だけを使い、2〜3文の平易な日本語で書いてください。"
    "出力はJSONの配列だけにしてください: "
    '[{{"question": "…", "answer": "…"}}]\n\n資料（{title}）:\n{text}'
)


def teacher_pairs(chunks: Iterable, complete, *, per_chunk: int = 2, min_overlap: float = 0.5,
                  min_answer_chars: int = 20) -> list[Candidate]:
    """Ask a teacher model (``complete(prompt) -> str``) for grounded QA pairs per chunk."""
    out = []
    for ch in chunks:
        prompt = TEACHER_PROMPT.format(k=per_chunk, title=ch.title, text=ch.text)
        try:
            reply = complete(prompt)
        except Exception as exc:  # one bad reply must not end the run
            log.warning("teacher failed on %s: %s", ch.chunk_id, exc)
            continue
        for q, a in _parse_pairs(reply)[:per_chunk]:
            a = normalize(a)
            if len(a) < min_answer_chars:
                continue
            ov = overlap(a, ch.text)
            if ov < min_overlap:
                log.info("teacher answer for %s dropped: overlap with the chunk %.2f < %.2f",
                         ch.chunk_id, ov, min_overlap)
                continue
            out.append(Candidate(normalize(q), a, ch.doc_id, ch.url, ch.title, [ch.chunk_id], "teacher",
                                 source_text=ch.text))
    return out


def _parse_pairs(reply: str) -> list[tuple[str, str]]:
    s, e = reply.find("["), reply.rfind("]")
    if s == -1 or e <= s:
        return []
    try:
        items = json.loads(reply[s : e + 1])
    except ValueError:
        return []
    pairs = []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict) and isinstance(it.get("question"), str) and isinstance(it.get("answer"), str):
            if it["question"].strip() and it["answer"].strip():
                pairs.append((it["question"].strip(), it["answer"].strip()))
    return pairs
