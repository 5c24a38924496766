"""The safety layer: emergencies, medicine advice and scope, usable on its own.

Everything here is plain pattern matching over normalised Japanese text, so it
is fast, deterministic and testable without a model:

* :func:`detect_emergencies` names the emergency situations a question
  describes (a long or repeating seizure, breathing trouble, injury, a first
  seizure, a seizure in water, a seizure in pregnancy, no recovery of
  consciousness). The assistant then puts call-119 guidance first.
* :func:`asks_medication_change` spots questions about starting, stopping or
  changing a medicine or its dose; :func:`unsafe_medication_statement` spots
  sentences (generated or quoted) that state a dose or tell the reader to start,
  stop or change a medicine. Those sentences never reach the reader.
* :func:`classify_scope` says whether a question is about epilepsy/medicine
  ("in"), clearly about something else ("out") or undecided ("unsure": the
  retrieval relevance decides).

Patterns favour recall for emergencies: a false alarm costs a sentence of
guidance, a miss can cost much more.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from assistant.emergency import _R_SEIZ, EMERGENCY_KINDS, detect_emergencies, emergency_guidance, emergency_views
from assistant.emergency import MEDICINE_WORDS as _MED
from assistant.emergency import NAMED_MEDICINES
from assistant.emergency import SEIZURE_WORDS as _SEIZ
from assistant.lexicon import added_words
from tenkan.jatext import normalize

__all__ = [
    "SafetyReport",
    "check_question",
    "detect_emergencies",
    "asks_medication_change",
    "unsafe_medication_statement",
    "classify_scope",
    "emergency_guidance",
    "EMERGENCY_KINDS",
    "MEDICATION_NOTICE",
]

def _prep(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text or ""))


# --- medicines ----------------------------------------------------------------

MEDICATION_NOTICE = (
    "お薬を始める・やめる・量や種類を変えるといった判断は、自己判断で行わず、"
    "必ず主治医または薬剤師に相談してください。"
)

_CHANGE = (
    r"(?:やめ|止め|辞め|中止|中断|断薬|減ら|減薬|へら|増や|ふや|増量|減量|変え|かえ|変更|切り替え|切りかえ|"
    r"飲まな|のまな|飲むのを|抜い|抜か|飲み始め|始め|はじめ|倍|2回分|二回分)"
)
_MED_RE = re.compile(_MED)
_ASK_MED = [
    re.compile(_MED + r".{0,14}" + _CHANGE),
    re.compile(_CHANGE + r".{0,6}(?:てもいい|ても良い|ても大丈夫|ていい|べき|たい|たら)"),
]
_ASK_DOSE = re.compile(r"(?:何|なん|どれくらい|どのくらい|どれぐらい)(?:mg|ミリ|錠|グラム|cc|ml)|用量|服用量|投与量|量はどれ|何錠")

_DOSE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:〜|～|-|から)?\s*\d*(?:\.\d+)?\s*(?:mg|ｍｇ|㎎|ミリグラム|μg|マイクログラム|g/日|グラム|錠|mL|ml|ミリリットル|カプセル|包)"
    r"|mg/kg|1日\s*\d+\s*回|一日\s*[一二三四\d]+\s*回"
)
_DIRECTIVE = re.compile(
    r"(?:やめ|止め|中止し|中断し|減らし|増やし|変更し|変え|切り替え|飲み始め|服用を始め|始め|倍にし|2回分飲ん|二回分飲ん|まとめて飲ん)"
    r"(?:て(?:ください|下さい|よい|良い|いい|も(?:よい|良い|いい|大丈夫|構いません|かまいません|問題ありません|平気))|ましょう|るべき|なさい|ること(?:をお勧め|をおすすめ|が大切))"
    r"|(?:飲ま|服用し|使わ)なくて(?:も)?(?:よい|良い|いい|大丈夫|構いません)"
    r"|(?:自己判断で|自分の判断で).{0,12}(?:てよい|ても大丈夫|てかまいません|て構いません|ましょう)"
)


def asks_medication_change(text: str) -> bool:
    """True when the question asks about starting, stopping or changing a medicine or a dose."""
    s = _prep(text)
    if _ASK_DOSE.search(s):
        return True
    return bool(_MED_RE.search(s)) and any(p.search(s) for p in _ASK_MED)


def unsafe_medication_statement(sentence: str) -> str | None:
    """Why a sentence must not be shown ("dose" or "directive"), or None when it is fine.

    General statements ("自己判断でやめないでください", "医師と相談して調整します")
    pass; a stated amount or an instruction to start/stop/change does not.
    """
    s = _prep(sentence)
    if _DOSE.search(s):
        return "dose"
    if _DIRECTIVE.search(s):
        return "directive"
    return None


# --- scope --------------------------------------------------------------------

_STRONG_DOMAIN = re.compile(
    r"てんかん|癲癇|テンカン|" + _SEIZ + r"|" + _MED + r"|脳波|EEG|MRI|CT|検査|副作用|医師|主治医|医者|病院|診察|受診|"
    r"診断|治療|手術|症状|病気|疾患|障害|意識|救急|119|ケトン|VNS|迷走神経|薬剤師|妊娠|授乳|出産|てんかん発作|"
    r"重積|欠神|焦点|全般|強直|間代|ミオクロニー|脱力|症候群|血中濃度|飲み合わせ|相互作用|ジェネリック|処方|"
    r"自立支援|障害者手帳|精神障害|障害年金|めまい|頭痛|発熱|熱性|失神|倒れ|もぐもぐ|モグモグ|ぼーっと|ぼんやり|"
    r"手足|ぴくつ|ピクつ|びくっ|ビクッ|カクン|かくん|前兆|気を失|物忘れ|眠気|だるい|発疹|湿疹|ブツブツ|吐き気|"
    # a body that moves or stops by itself, told without a medical word (「片方の手がつっぱって、顔がそっちに向いたまま」
    # with a パソコン in the scene was "out")
    r"つっぱ|突っ張|ツッパ|こわば|強ば|硬直|ガクガク|がくがく|しびれ|痺れ|白目|記憶が(?:な|飛|と)|覚えてな|覚えていな"
)
_WEAK_DOMAIN = re.compile(
    r"運転|免許|入浴|風呂|プール|水泳|学校|保育|幼稚園|仕事|就職|就労|職場|手帳|年金|支援|睡眠|寝不足|飲酒|お酒|"
    r"アルコール|月経|生理|避妊|介護|旅行|飛行機|スポーツ|運動|食事|ゲーム|光|テレビ|遺伝|子ども|子供|赤ちゃん|高齢|"
    r"部活|練習|体育|夜勤|シフト|出張|残業|勤務|"
    # whether something is safe to do (「サッカーのヘディング大丈夫？」): a patient's question, whatever it names
    r"大丈夫|平気|危ない|あぶない|危険"
)
_OUT_MARKERS = re.compile(
    r"天気|気温|株価|株|為替|投資|仮想通貨|ビットコイン|レシピ|作り方|料理|ラーメン|寿司|レストラン|ランチ|"
    r"プログラム|プログラミング|Python|JavaScript|コード|エクセル|Excel|サッカー|野球|試合|映画|アニメ|音楽|歌詞|"
    r"宿題|翻訳|英訳|観光|ホテル|政治|選挙|首相|大統領|占い|星座|恋愛|彼氏|彼女|ゲームの攻略|攻略|スマホの|"
    r"iPhone|パソコン|車の修理|引っ越し(?:業者|の見積|のおすすめ)|首都|歴史|数学|計算して|小説|詩を"
)


def names_daily_matter(text: str) -> bool:
    """Does ``text`` name a part of daily life the pages cover (driving, school, work, sleep, light …)?"""
    return bool(_WEAK_DOMAIN.search(_prep(text)))


_SEIZURE_READ = re.compile(_R_SEIZ + r"|テンカン|ヒキツケ")


#: what only epilepsy pages name: the illness, a seizure, a medicine by its name, its tests and treatments (not 薬,
#: 病院 or 検査 alone, which any health question names)
_EPILEPSY_NAMED = re.compile(
    r"てんかん|癲癇|テンカン|" + _SEIZ + r"|" + NAMED_MEDICINES +
    r"|脳波|EEG|VNS|迷走神経|ケトン|重積|欠神|強直|間代|ミオクロニー|症候群|血中濃度")


def names_epilepsy(text: str) -> bool:
    """Does ``text`` name epilepsy itself (the illness, a seizure in any wording, one of its medicines, tests or
    treatments), not only health in general (「くすり」「病院」「副作用」)?"""
    s = _prep(text)
    return bool(_EPILEPSY_NAMED.search(s) or _SEIZURE_READ.search(emergency_views(text)[1]))


def classify_scope(text: str) -> str:
    """"in" (epilepsy/medical), "out" (clearly something else) or "unsure"."""
    s = _prep(text)
    if _STRONG_DOMAIN.search(s):
        return "in"
    # a seizure named in any wording (ほっさ, ホッサ, 発佐, けいれn) is our topic: never "out"
    if _SEIZURE_READ.search(emergency_views(text)[1]):
        return "in"
    # 「空手の試合に出たい」: the everyday word is a kind the pages cover (空手 → スポーツ), the match is not the topic
    if _OUT_MARKERS.search(s) and not _WEAK_DOMAIN.search(" ".join([s, *added_words(s)])):
        return "out"
    return "unsure"


# --- the report ---------------------------------------------------------------


@dataclass
class SafetyReport:
    """What the safety layer found in a question (and, later, in the answer)."""

    emergency: bool = False
    emergency_kinds: list[str] = field(default_factory=list)
    out_of_scope: bool = False
    scope: str = "unsure"
    medication_change: bool = False
    #: generated or quoted sentences withheld because they stated a dose or a medicine instruction
    withheld_medication: int = 0
    #: instruction-like sentences found in retrieved pages and ignored
    injection_ignored: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def check_question(question: str, restored: str = "") -> SafetyReport:
    """Run the question-side checks. ``restored`` is the question with kana spans restored to
    the corpus's words (:mod:`assistant.query`); the scope check reads both. ``out_of_scope``
    is only set for a clear "out" here; the assistant may set it later when retrieval finds
    nothing for an "unsure" question."""
    kinds = detect_emergencies(question)
    scope = "in" if kinds else classify_scope(question if not restored or restored == question
                                              else f"{question}\n{restored}")
    return SafetyReport(
        emergency=bool(kinds),
        emergency_kinds=kinds,
        scope=scope,
        out_of_scope=scope == "out",
        medication_change=asks_medication_change(restored or question),
    )
