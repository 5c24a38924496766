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

#: Kinds of emergency, with the Japanese phrase used in the guidance.
EMERGENCY_KINDS = {
    "long_seizure": "発作が5分以上続いている・止まらない",
    "repeated_seizures": "発作をくり返し、その間に意識が戻らない",
    "no_recovery": "発作のあと意識が戻らない・呼びかけに反応しない",
    "breathing": "呼吸が苦しそう・呼吸をしていない・唇や顔色が紫色",
    "injury": "発作でけがをした（頭を打った・出血している など）",
    "first_seizure": "初めての発作",
    "water": "お風呂・プール・海など水の中での発作",
    "pregnancy": "妊娠中の発作",
}

_SEIZ = r"(?:発作|けいれん|ケイレン|痙攣|けいれん|ひきつけ|引きつけ|引き付け|ひきつけ|ガクガク|がくがく|ピクピク|ぴくぴく|硬直|白目)"
_NUM_MIN = r"(?:[5-9]|[1-9]\d|五|六|七|八|九|十|十五|二十|三十)\s*分"

_EMERGENCY_PATTERNS: dict[str, list[re.Pattern]] = {
    "long_seizure": [
        re.compile(_NUM_MIN + r"(?:以上|近く|くらい|ぐらい|ほど|も|超|経|たっ|過ぎ)"),
        re.compile(_NUM_MIN + r".{0,8}(?:続|止まら|止まん|おさまら|治まら|収まら|終わら)"),
        re.compile(_SEIZ + r".{0,12}(?:止まらな|止まりませ|止まんな|とまらな|おさまらな|治まらな|収まらな|終わらな|ずっと続)"),
        re.compile(r"(?:ずっと|長いこと|長く|長時間).{0,6}" + _SEIZ),
        re.compile(r"重積.{0,6}(?:して|になって|状態です|状態かも|かも)"),
    ],
    "repeated_seizures": [
        re.compile(_SEIZ + r".{0,12}(?:何度も|何回も|なんども|なんかいも|繰り返|くり返|繰返|立て続け|連続|次々|続けざま)"),
        re.compile(r"(?:何度も|何回も|なんども|繰り返し|くり返し|立て続けに|連続して|次々).{0,8}" + _SEIZ),
    ],
    "no_recovery": [
        re.compile(r"意識.{0,4}(?:戻らな|戻らず|戻ってこな|戻ってな|戻りませ|回復しな|ないまま|がない|がありませ|ない状態)"),
        re.compile(r"(?:目を覚まさな|目を覚ましませ|目が覚めな|起きな(?:い|くて)まま|呼びかけ.{0,4}(?:反応|返事|答え).{0,3}(?:しな|な|ありませ))"),
        re.compile(r"(?:発作|けいれん|痙攣|ひきつけ).{0,10}(?:あと|後|おさまっ|止まっ).{0,10}(?:反応|返事)(?:が|も)?(?:ない|しない|ありません)"),
    ],
    "breathing": [
        re.compile(r"(?:息|呼吸).{0,4}(?:してな|していな|しない|しとらん|止ま|とま|苦し|くるし|できな|でき(?:て)?ない|おかし|荒い|弱い|浅い|ゼーゼー|ぜーぜー)"),
        re.compile(r"(?:唇|くちびる|顔色|顔|口のまわり).{0,4}(?:紫|むらさき|青|真っ青|土気色)"),
        re.compile(r"チアノーゼ|窒息|息苦し|(?:喉|のど).{0,3}(?:詰ま|つま)|(?:吐いた|嘔吐).{0,6}(?:詰ま|息)"),
    ],
    "injury": [
        re.compile(r"(?:頭|あたま|顔|額|おでこ|口|舌|歯|体|腕|足).{0,4}(?:打っ|うっ|ぶつけ|強打|切っ|切れ|噛ん|かん(?:で|じゃ)|折れ)"),
        re.compile(r"(?:出血|血が(?:出|で|止まら|とまら|流れ)|血だらけ|骨折|脱臼)"),
        re.compile(r"(?:けが|怪我|ケガ|やけど|火傷)(?:を)?(?:した|して|しちゃ|しま|ある)"),
        re.compile(r"(?:階段|高い所|高いところ|ベッド|自転車).{0,6}(?:から)?(?:落ち|転落|転倒)"),
    ],
    "first_seizure": [
        re.compile(r"(?:初めて|はじめて|生まれて初めて|初)(?:の)?.{0,6}" + _SEIZ),
        re.compile(_SEIZ + r".{0,10}(?:初めて|はじめて)"),
    ],
    "water": [
        re.compile(r"(?:お風呂|風呂|ふろ|浴槽|湯船|浴室|入浴中|シャワー中|プール|海|川|水中|水の中).{0,10}(?:" + _SEIZ[3:-1] + r"|沈|溺|おぼれ|意識)"),
        re.compile(_SEIZ + r".{0,10}(?:お風呂|風呂|浴槽|湯船|プール|海|川|水の中).{0,4}(?:で|に|の中)"),
        re.compile(r"(?:溺れ|おぼれ)(?:た|て|そう)"),
    ],
    "pregnancy": [
        re.compile(r"(?:妊娠|妊婦).{0,20}(?:けいれんさせ|けいれんし|痙攣し|発作を起こ|発作が起き|倒れ)"),
        re.compile(r"(?:妊娠|妊婦|にんしん|身ごも|おなかに赤ちゃん|お腹に赤ちゃん|おなかの赤ちゃん|お腹の赤ちゃん).{0,20}" + _SEIZ
                   + r"(?:が|を)?.{0,4}(?:起き|起こ|おき|おこ|あっ|出た|出て|し(?:た|て|ちゃ)|続|止まら)"),
        re.compile(_SEIZ + r"(?:が|を)?.{0,4}(?:起き|起こ|おき|おこ|あっ|し(?:た|て|ちゃ)).{0,16}(?:妊娠|妊婦|おなかに赤ちゃん|お腹に赤ちゃん)"),
    ],
}

_GUIDANCE_HEAD = (
    "【緊急】{what}は、ためらわずにすぐ119番に電話して救急車を呼んでください。"
)
_GUIDANCE_FIRST_AID = (
    "救急車を待つ間は、周りの危ない物をどけて、体を横向きにして楽に呼吸できるようにし、"
    "口の中に物を入れないでください。発作が始まった時刻と様子を記録しておくと、救急隊や医師の役に立ちます。"
)


def _prep(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text or ""))


#: kinds that only count when the text is about a seizure (a fall or a cut alone is not our topic)
_NEEDS_SEIZURE = {"injury"}
_SEIZ_CONTEXT = re.compile(_SEIZ + r"|倒れ|意識")


# 「薬を2種類変えても発作が止まらない」: a treatment tried in vain ("…ても") before
# "seizures don't stop" speaks of seizures not being controlled over months (drug
# resistance), not of a seizure going on now -- unless a duration or a "right now"
# word says otherwise.
# ... or a rescue medicine given during the seizure (坐薬, 発作止め, ブコラム) shows it is happening now
_ONGOING = re.compile(_NUM_MIN + r"|今|いま|さっき|ずっと|長いこと|長く|長時間|まだ|目の前|重積|"
                      r"坐薬|座薬|発作止め|ダイアップ|ブコラム|ミダゾラム|頓用|頓服|[!！]")


def _long_seizure_is_drug_resistance(s: str) -> bool:
    concessive = re.search(  # _MED is defined with the medicine patterns below
        r"(?:" + _MED + r"|治療|手術|種類).{0,12}(?:ても|でも).{0,6}" + _SEIZ
        + r".{0,12}(?:止まらな|止まりませ|おさまらな|治まらな|収まらな|なくならな)", s)
    return bool(concessive) and not _ONGOING.search(s)


def detect_emergencies(text: str) -> list[str]:
    """The emergency kinds (keys of :data:`EMERGENCY_KINDS`) the text describes, in a fixed order."""
    s = _prep(text)
    seizure = bool(_SEIZ_CONTEXT.search(s))
    kinds = [kind for kind, pats in _EMERGENCY_PATTERNS.items()
             if (seizure or kind not in _NEEDS_SEIZURE) and any(p.search(s) for p in pats)]
    if "long_seizure" in kinds and _long_seizure_is_drug_resistance(s):
        kinds.remove("long_seizure")
    return kinds


def emergency_guidance(kinds: list[str]) -> str:
    """Japanese call-119 guidance naming the situations detected (shown before anything else)."""
    if not kinds:
        return ""
    what = "・".join(EMERGENCY_KINDS[k] for k in kinds if k in EMERGENCY_KINDS)
    return _GUIDANCE_HEAD.format(what=f"{what}とき" if what else "緊急のとき") + _GUIDANCE_FIRST_AID


# --- medicines ----------------------------------------------------------------

MEDICATION_NOTICE = (
    "お薬を始める・やめる・量や種類を変えるといった判断は、自己判断で行わず、"
    "必ず主治医または薬剤師に相談してください。"
)

_MED = (
    r"(?:薬|くすり|クスリ|服薬|内服|錠剤|錠|カプセル|シロップ|抗てんかん|抗けいれん|バルプロ|デパケン|セレニカ|"
    r"カルバマゼピン|テグレトール|ラモトリギン|ラミクタール|レベチラセタム|イーケプラ|フェニトイン|アレビアチン|"
    r"フェノバルビタール|ゾニサミド|エクセグラン|トピラマート|トピナ|ラコサミド|ビムパット|ペランパネル|フィコンパ|"
    r"クロバザム|マイスタン|クロナゼパム|リボトリール|ガバペンチン|エトスクシミド|ジアゼパム|ミダゾラム)"
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
    r"手足|ぴくつ|ピクつ|びくっ|ビクッ|カクン|かくん|前兆|気を失|物忘れ|眠気|だるい|発疹|湿疹|ブツブツ|吐き気"
)
_WEAK_DOMAIN = re.compile(
    r"運転|免許|入浴|風呂|プール|水泳|学校|保育|幼稚園|仕事|就職|就労|職場|手帳|年金|支援|睡眠|寝不足|飲酒|お酒|"
    r"アルコール|月経|生理|避妊|介護|旅行|飛行機|スポーツ|運動|食事|ゲーム|光|テレビ|遺伝|子ども|子供|赤ちゃん|高齢"
)
_OUT_MARKERS = re.compile(
    r"天気|気温|株価|株|為替|投資|仮想通貨|ビットコイン|レシピ|作り方|料理|ラーメン|寿司|レストラン|ランチ|"
    r"プログラム|プログラミング|Python|JavaScript|コード|エクセル|Excel|サッカー|野球|試合|映画|アニメ|音楽|歌詞|"
    r"宿題|翻訳|英訳|観光|ホテル|政治|選挙|首相|大統領|占い|星座|恋愛|彼氏|彼女|ゲームの攻略|攻略|スマホの|"
    r"iPhone|パソコン|車の修理|引っ越し|首都|歴史|数学|計算して|小説|詩を"
)


def classify_scope(text: str) -> str:
    """"in" (epilepsy/medical), "out" (clearly something else) or "unsure"."""
    s = _prep(text)
    if _STRONG_DOMAIN.search(s):
        return "in"
    if _OUT_MARKERS.search(s) and not _WEAK_DOMAIN.search(s):
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


def check_question(question: str) -> SafetyReport:
    """Run the question-side checks. ``out_of_scope`` is only set for a clear "out" here;
    the assistant may set it later when retrieval finds nothing for an "unsure" question."""
    kinds = detect_emergencies(question)
    scope = "in" if kinds else classify_scope(question)
    return SafetyReport(
        emergency=bool(kinds),
        emergency_kinds=kinds,
        scope=scope,
        out_of_scope=scope == "out",
        medication_change=asks_medication_change(question),
    )
