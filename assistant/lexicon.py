"""Everyday words and brand names patients use, folded to the words the sources use.

Patients write 「お医者さん」, 「お年寄り」, 「生理」 and brand names such as 「デパケン」 or
「テグレトール」; medical pages write 医師, 高齢者, 月経 and the generic names. Word
overlap (the relevance gate, the citation check) and BM25 then see no match, and an
in-scope question is declined as "not covered". Two small, curated tables fix that:

* :data:`BRAND_TO_GENERIC` (kept in :mod:`tenkan.lexicon`, where the dataset builder reads it
  backwards too): Japanese brand names of anti-seizure medicines and the
  generic name (multi-token for fugashi, so replaced on the surface text; long,
  distinctive katakana, so a plain replacement cannot hit another word).
* :data:`WORD_SYNONYMS`: everyday word → the word medical pages use, applied to
  lemma tokens (so 「生理的」 is never rewritten on the surface).

:func:`canonical_text` / :func:`canonical_tokens` are used on both sides of a
comparison; :func:`expand_query` appends the canonical words to a retrieval query.
Extend the tables when the bench (``bench/answer_scope.py``) shows a miss; keep the
entries unambiguous.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from tenkan.jatext import content_tokens
from tenkan.lexicon import BRAND_TO_GENERIC, WORD_SYNONYMS
from tenkan.romaji import JAPANESE_PARTICLES, romaji_to_kana

__all__ = ["BRAND_TO_GENERIC", "WORD_SYNONYMS", "ENGLISH_WORDS", "canonical_text", "canonical_tokens", "expand_query", "added_words",
           "from_english"]

#: English words people mix into Japanese questions → the Japanese the pages (and the safety
#: patterns) use. Longest phrases first; matched case-insensitively on word boundaries.
ENGLISH_WORDS: dict[str, str] = {
    "status epilepticus": "てんかん重積状態", "having a seizure now": "今発作中", "seizing now": "今発作中", "having a seizure": "発作中", "having seizures": "発作中", "seizures": "発作", "seizure": "発作", "seizing": "発作中",
    "convulsions": "けいれん", "convulsion": "けいれん", "fits": "発作", "epilepsy": "てんかん",
    "not breathing": "息をしていない", "can't breathe": "息ができない", "cannot breathe": "息ができない",
    "breathing": "呼吸", "breath": "息", "unconscious": "意識がない", "unresponsive": "反応がない",
    "no response": "反応がない", "not responding": "反応がない", "passed out": "意識を失った",
    "minutes": "分", "minute": "分", "mins": "分", "min": "分",
    "dog": "犬", "dogs": "犬", "cat": "猫", "cats": "猫",  # (a seizure dog: the pages name no animal)
    "support system": "支援制度", "support systems": "支援制度", "financial support": "経済的な支援",
    "financial aid": "経済的な支援",
    "bleeding": "出血", "blood level": "血中濃度", "blood levels": "血中濃度", "drug level": "血中濃度",
    "drug levels": "血中濃度", "serum level": "血中濃度", "blood test": "血液検査",
    "side effects": "副作用", "side effect": "副作用", "generic": "ジェネリック", "generics": "ジェネリック",
    "pregnant": "妊娠中", "pregnancy": "妊娠", "breastfeeding": "授乳", "period": "月経",
    "first time": "初めて", "again": "また", "still": "まだ", "ambulance": "救急車",
    "in the pool": "プールの中で", "in the bath": "お風呂の中で", "in the bathtub": "お風呂の中で", "in the water": "水の中で",
    "in the sea": "海の中で", "bath": "お風呂", "bathtub": "お風呂", "pool": "プール", "driving": "運転", "drive": "運転",
    "license": "免許", "licence": "免許", "surgery": "手術", "medicine": "薬", "medication": "薬",
    "meds": "薬", "drug": "薬", "dose": "量", "missed": "飲み忘れ", "forgot": "忘れた",
    "one-dose packaging": "一包化", "ketogenic diet": "ケトン食", "ketogenic": "ケトン食",
    "modified atkins diet": "修正アトキンス食", "modified atkins": "修正アトキンス食", "atkins": "アトキンス食",
    "magnet": "磁石", "test": "検査", "blood test": "血液検査", "school trip": "修学旅行", "trip": "旅行",
    "driver": "運転手", "truck": "トラック", "cover": "負担", "rash": "発疹", "fever": "発熱",
    "sleepy": "眠気", "drowsy": "眠気", "dizzy": "めまい", "headache": "頭痛", "weight": "体重",
    "hair loss": "脱毛", "choking": "窒息", "choke": "窒息", "vomit": "嘔吐", "vomiting": "嘔吐",
    "just now": "さっき", "right now": "今", "ongoing": "続いている", "help": "助けて", "asap": "至急", "repeated": "繰り返し", "repeatedly": "繰り返し",
    "again and again": "何度も", "not waking up": "意識が戻らない", "won't wake up": "意識が戻らない",
    "still going": "まだ続いている", "going on": "続いている", "not stopping": "止まらない", "won't stop": "止まらない", "doesn't stop": "止まらない", "wont stop": "止まらない", "doesnt stop": "止まらない",
    "isn't stopping": "止まらない", "isnt stopping": "止まらない", "syncope": "失神", "fainting": "失神", "fainted": "失神した",
    "difference": "違い", "nobody is seizing right now": "今は誰も発作を起こしていない",
    "nobody is seizing": "誰も発作を起こしていない", "seizure free": "発作なし", "seizure-free": "発作なし", "no one is seizing": "誰も発作を起こしていない", "sleeping": "寝て", "asleep": "寝て", "normal": "普通",
    # the English names of what the pages describe, as bilingual writers and staff type them
    "catamenial epilepsy": "月経関連てんかん", "catamenial": "月経関連", "absence seizures": "欠神発作", "focal seizures": "焦点発作", "focal seizure": "焦点発作",
    "focal": "焦点", "generalized seizures": "全般発作", "generalized seizure": "全般発作", "generalised seizure": "全般発作",
    "generalized": "全般", "generalised": "全般", "medical id": "緊急連絡先", "emergency card": "緊急連絡先",
    "emergency contact": "緊急連絡先",
    "absence seizure": "欠神発作", "tonic-clonic": "強直間代", "tonic clonic": "強直間代", "febrile seizures": "熱性けいれん",
    "febrile seizure": "熱性けいれん", "febrile": "熱性", "aura": "前兆", "myoclonic": "ミオクロニー", "atonic": "脱力",
    "diplopia": "複視", "double vision": "複視", "dizziness": "めまい", "drowsiness": "眠気", "tremor": "ふるえ",
    "weight gain": "体重の増加", "mood": "気分", "depression": "うつ", "sleep deprivation": "睡眠不足",
    # daily life in English (lists in the tune half's voice, session 24: 「cafeでpart-timeしてるんだけど、shiftがバラバラで薬の
    # timeがずれちゃう」「beerとかwine」「friendsとonsen」「photosensitiveかどうか」)
    "part-time": "バイト", "part time": "バイト", "shift": "シフト", "night shift": "夜勤", "beer": "ビール",
    "wine": "ワイン", "alcohol": "お酒", "onsen": "温泉", "hot spring": "温泉", "photosensitive": "光過敏性",
    "photosensitivity": "光過敏性", "flashing": "点滅", "flash": "点滅", "explain": "説明", "second opinion": "セカンドオピニオン",
    "lack of sleep": "睡眠不足", "birth control": "避妊", "contraception": "避妊", "folic acid": "葉酸",
    "west syndrome": "ウエスト症候群", "infantile spasms": "点頭てんかん", "dravet syndrome": "ドラベ症候群",
    "lennox-gastaut syndrome": "レノックス・ガストー症候群", "lennox gastaut syndrome": "レノックス・ガストー症候群",
    "juvenile myoclonic epilepsy": "若年ミオクロニーてんかん", "childhood absence epilepsy": "小児欠神てんかん",
    "rolandic epilepsy": "中心側頭部棘波を示す自然終息性てんかん", "temporal lobe epilepsy": "側頭葉てんかん",
    "hippocampal sclerosis": "海馬硬化症",
    "vagus nerve stimulation": "迷走神経刺激療法", "vagus nerve": "迷走神経", "suppository": "坐薬", "double dose": "2回分",
    "lamotrigine": "ラモトリギン", "carbamazepine": "カルバマゼピン", "levetiracetam": "レベチラセタム",
    "valproate": "バルプロ酸", "valproic acid": "バルプロ酸", "phenytoin": "フェニトイン",
    "phenobarbital": "フェノバルビタール", "zonisamide": "ゾニサミド", "topiramate": "トピラマート",
    "lacosamide": "ラコサミド", "perampanel": "ペランパネル", "clobazam": "クロバザム",
    "clonazepam": "クロナゼパム", "diazepam": "ジアゼパム", "midazolam": "ミダゾラム",
    "alcohol": "お酒", "sleep": "睡眠", "diet": "食事療法", "school": "学校", "work": "仕事", "job": "仕事",
    "doctor": "医師", "hospital": "病院", "eeg": "脳波検査", "brain waves": "脳波",
    # an eighth list of mixed wording (data/eval/dev/must8.tsv, session 21)
    "jet lag": "時差", "strobe light": "点滅する光", "strobe": "点滅", "birth control": "避妊", "folic acid": "葉酸",
    # what an emergency looks like, in the English words people reach for in a panic
    "shaking": "震えて", "shakes": "震えて", "shake": "震え", "trembling": "震えて", "jerking": "けいれん",
    "twitching": "けいれん", "stiff": "硬直", "collapsed": "倒れた", "fell down": "倒れた", "fainted": "意識を失った",
    "burned": "やけどした", "burnt": "やけどした", "burns": "やけど", "burn": "やけど", "injured": "けがをした",
    "injury": "けが", "hit his head": "頭を打った", "hit her head": "頭を打った",
    "hit my head": "頭を打った", "hit the head": "頭を打った", "hit head": "頭を打った", "head": "頭", "blood": "血",
    "blue lips": "唇が紫", "lips": "唇", "pale": "顔色が真っ青", "drowning": "溺れ", "drowned": "溺れた",
    "sea": "海", "ocean": "海", "beach": "海", "river": "川", "swimming": "泳いで", "swim": "泳いで",
    "shower": "シャワー", "hours": "時間", "hour": "時間", "baby": "赤ちゃん", "yesterday": "昨日",
    "last night": "昨夜", "last week": "先週", "last year": "去年",
    # everyday English of a patient's life, each mapped to the word the pages use (2026-12-03, from a
    # development list of mixed-English questions: data/eval/dev/mixed_english.tsv)
    "jet lag": "時差", "time zone": "時差", "seizure diary": "発作の記録", "diary": "記録", "time difference": "時差", "night shift": "夜勤", "shift work": "交代勤務",
    "genetic": "遺伝", "hereditary": "遺伝", "inherited": "遺伝", "elderly": "高齢者", "dementia": "認知症",
    "contagious": "うつる", "infectious": "うつる", "first aid": "応急手当", "stress": "ストレス",
    "travel": "旅行", "teacher": "先生", "birth control pill": "経口避妊薬", "birth control": "避妊",
    "interactions": "飲み合わせ", "interaction": "飲み合わせ", "battery": "電池", "exercise": "運動",
    "sports": "運動", "nausea": "吐き気", "insurance": "保険", "pension": "年金", "lack of sleep": "睡眠不足",
    "sleep deprivation": "睡眠不足",
    # more of the same, from a second fresh list of mixed-English questions (session 15: 10 of 15 cited their page)
    "all-nighter": "徹夜", "all nighter": "徹夜", "stayed up all night": "徹夜", "soccer": "サッカー",
    "baseball": "野球", "basketball": "バスケットボール", "practice": "練習", "club activities": "部活",
    "boss": "上司", "coworker": "同僚", "co-worker": "同僚", "colleague": "同僚", "flight": "飛行機",
    "plane": "飛行機", "airplane": "飛行機", "carry-on": "機内持ち込み", "carry on": "機内持ち込み",
    "painkillers": "痛み止め", "painkiller": "痛み止め", "pain killer": "痛み止め", "pharmacy": "薬局",
    "pharmacist": "薬剤師", "nurse": "看護師", "diarrhea": "下痢", "hangover": "二日酔い", "liver": "肝臓",
    "kidney": "腎臓", "kidneys": "腎臓", "video": "動画", "record": "記録", "diary": "日記", "app": "アプリ",
    "screen": "画面", "monitor": "画面", "pc": "パソコン", "laptop": "パソコン", "flashing": "点滅", "flicker": "点滅", "flickering": "点滅", "helmet": "ヘルメット",
    "bicycle": "自転車", "bike": "自転車", "abroad": "海外", "overseas": "海外", "class": "授業",
    "cost": "費用", "subsidy": "助成", "disability": "障害", "anxiety": "不安", "irritable": "いらいら",
    "memory": "記憶", "husband": "夫", "wife": "妻", "son": "息子", "daughter": "娘", "kids": "子ども",
    "kid": "子ども", "child": "子ども", "children": "子ども",
    # everyday English of sport, work, school, food and family (session 19), written as a vocabulary rather than from
    # failures, each mapped only where the pages (or the lexicon's everyday words) have the Japanese: an English word
    # typed as it is never declines a question, a katakana word the pages lack would
    "marathon": "マラソン", "running": "ランニング", "jogging": "ジョギング", "gym": "ジム", "workout": "運動",
    "yoga": "ヨガ", "hiking": "登山", "mountain climbing": "登山", "skiing": "スキー", "ski": "スキー",
    "cycling": "自転車", "dance": "ダンス", "dancing": "ダンス", "judo": "柔道", "volleyball": "バレーボール",
    "diving": "ダイビング", "scuba": "ダイビング", "sauna": "サウナ", "hot spring": "温泉", "movie": "映画",
    "movies": "映画", "video games": "ゲーム", "video game": "ゲーム", "games": "ゲーム", "game": "ゲーム",
    "smartphone": "スマートフォン", "tv": "テレビ", "television": "テレビ", "overtime": "残業", "business trip": "出張",
    "job hunting": "就職活動", "vr": "ゲーム", "if": "もし", "effective": "効果的", "ineffective": "効果がない", "not effective": "効果がない", "exam": "試験", "exams": "試験", "club": "部活", "grapefruit": "グレープフルーツ",
    "supplement": "サプリメント", "supplements": "サプリメント", "herbal medicine": "漢方",
    "result": "結果", "results": "結果", "brain": "脳", "device": "装置", "implant": "植え込み",
    "cold medicine": "かぜ薬", "flu": "インフルエンザ", "dentist": "歯科", "teeth": "歯", "tooth": "歯", "gums": "歯ぐき",
    "mom": "母", "mother": "母", "grandma": "祖母", "grandmother": "祖母", "grandpa": "祖父", "grandfather": "祖父",
    "boyfriend": "彼氏", "girlfriend": "彼女", "parents": "親", "tired": "疲れ", "anxious": "不安",
    "contraception": "避妊", "menstruation": "月経", "tablets": "錠剤", "syrup": "シロップ", "prescription": "処方",
    "hospitalized": "入院", "hospitalization": "入院", "taper": "減量", "tapering": "減量", "quit": "やめる",
    "stop taking": "やめる",
    # well again, in the words of a message sent after a seizure (session 15: 「he is ok now」「今はok」)
    "ok now": "今は大丈夫", "okay now": "今は大丈夫", "fine now": "今は大丈夫", "stopped": "止まった",
}
_ENGLISH = re.compile(r"(?<![a-z])(?:" + "|".join(
    re.escape(w) for w in sorted(ENGLISH_WORDS, key=len, reverse=True)) + r")(?![a-z])", re.I)


#: a kana input method leaves a final ん as the letter n when the user sends too early
#: (「けいれn」, 「てんかn」): a lone n after kana is that ん
_IME_N = re.compile(r"(?<=[\u3041-\u3096\u30a1-\u30fa])[nｎ](?![a-zA-Z])")


def from_english(text: str) -> str:
    """``text`` with the English words of :data:`ENGLISH_WORDS` replaced by their Japanese
    (「seizure 5min止まらない」 → 「発作 5分止まらない」), a kana keyboard's leftover n
    read as ん (「けいれn」 → 「けいれん」) and a message typed in romaji in hiragana (:mod:`tenkan.romaji`:
    「hossa ga tomaranai」 → 「ほっさ が とまらない」); other English stays as it is."""
    if not text:
        return text
    text = romaji_to_kana(text, keep=_ENGLISH_KEEP)  # 「hossa ga tomaranai」 → 「ほっさ が とまらない」
    text = _IME_N.sub("ん", text)
    return _ENGLISH.sub(lambda m: ENGLISH_WORDS[m.group(0).lower()], text)


#: the words of the English phrases :func:`from_english` knows: never read as romaji (「side effect」 is not しで)
_ENGLISH_KEEP = frozenset(w for phrase in ENGLISH_WORDS for w in re.findall(r"[a-z]+", phrase.lower())) \
    - JAPANESE_PARTICLES  # (but 「no」 in 「tenkan no kusuri」 is の)


# a brand name is a whole katakana word: 「ガバペン」 inside 「ガバペンチン」 is the generic name already
_BRANDS = re.compile("(?:" + "|".join(sorted(map(re.escape, BRAND_TO_GENERIC), key=len, reverse=True))
                     + r")(?![\u30a1-\u30fa\u30fc])")


_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]+")


def _by_surface(variant: str, lemma: str) -> bool:
    """Is ``variant`` a katakana word MeCab reads as a kanji lemma with other meanings (「キレる」 → 切れる,
    which is also 「薬が切れる」「電池切れ」)? Such an entry matches as typed, never by its lemma."""
    return bool(_KATAKANA.match(variant)) and bool(re.search(r"[\u4e00-\u9fff]", lemma))


@lru_cache(maxsize=1)
def _surface_table() -> tuple[re.Pattern | None, dict[str, str], frozenset[str]]:
    """The entries :func:`_by_surface` keeps to their katakana spelling, and the compounds the tagger splits: a
    pattern of their stems (a verb's without its る, so 「キレやすい」「キレた」 match), stem → canonical word, and
    the stems that are verbs'."""
    stems, verbs = {}, set()
    for variant, canon in WORD_SYNONYMS.items():
        v = [t for t in content_tokens(variant) if t not in ("御", "さん")]
        if len(v) > 1:  # a compound the tagger splits (成功率: 成功 + 率) is matched as written, whole
            stems[variant] = canon
        elif len(v) == 1 and _by_surface(variant, v[0]):
            stem = variant[:-1] if variant.endswith("る") else variant
            stems[stem] = canon
            if stem != variant:
                verbs.add(stem)
    if not stems:
        return None, {}, frozenset()
    return re.compile("(" + "|".join(map(re.escape, sorted(stems, key=len, reverse=True)))
                      + ")(?![\u30a1-\u30fa\u30fc])(る)?"), stems, frozenset(verbs)   # not 「キレイ」


def _verb(m: re.Match, stems: dict[str, str], verbs: frozenset[str]) -> str:
    if not _KATAKANA.match(m.group(1)):  # a compound (頭痛薬 → 痛み止め): its word as the table writes it
        return stems[m.group(1)] + (m.group(2) or "")
    # in katakana: MeCab reads 「でいらいらし」 as で + 弄う, 「でイライラし」 as で + 苛々 + する
    canon = re.sub(r"[\u3041-\u3096]", lambda c: chr(ord(c.group(0)) + 0x60), stems[m.group(1)])
    if m.group(1) not in verbs:
        return canon + (m.group(2) or "")
    return canon + ("する" if m.group(2) else "し")  # キレる → いらいらする, キレやすい → いらいらしやすい


def canonical_text(text: str) -> str:
    """``text`` with brand names replaced by generic names, and the katakana entries kept to their spelling
    (:func:`_by_surface`) and the compounds the tagger splits (頭痛薬 → 痛み止め) by their canonical words (a
    verb's as する: 「キレやすい」 → 「いらいらしやすい」)."""
    text = _BRANDS.sub(lambda m: BRAND_TO_GENERIC[m.group(0)], text)
    pattern, stems, verbs = _surface_table()
    if pattern is None:
        return text
    return pattern.sub(lambda m: _verb(m, stems, verbs), text)


@lru_cache(maxsize=1)
def _lemma_table() -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(variant lemma → canonical lemmas, variant lemma → canonical surface word), built once; not the
    entries matched by their spelling (:func:`_by_surface`)."""
    lemmas: dict[str, tuple[str, ...]] = {}
    words: dict[str, str] = {}
    for variant, canon in WORD_SYNONYMS.items():
        v = [t for t in content_tokens(variant) if t not in ("御", "さん")]  # お医者さん → 医者
        c = tuple(content_tokens(canon))
        if len(v) == 1 and c and (v[0],) != c and not _by_surface(variant, v[0]):
            lemmas[v[0]], words[v[0]] = c, canon
    return lemmas, words


def _lemma_map() -> dict[str, tuple[str, ...]]:
    return _lemma_table()[0]


def canonical_tokens(tokens: Iterable[str]) -> list[str]:
    """Lemma tokens with everyday words replaced by the sources' words."""
    m = _lemma_map()
    out: list[str] = []
    for t in tokens:
        out.extend(m.get(t, (t,)))
    return out


#: what a plain question asks for, in the pages' word, which such a message never says
_ASKED_PHRASES = (# 「てんかんってなんでなるの？」「どうして発作が起きるの」: the 原因 (the why-word right before becoming or
                  # happening; not 「なんで薬をやめるとだめになるの」, which asks about the medicine)
                  (re.compile(r"(?:なんで|なぜ|何で|どうして)[^\s、。？?！!]{0,5}?(?:なる|なっ|起き|おき|起こ|おこ)"), "原因"),
                  # something that began when the medicine began or changed (「薬変えてから眠くて」), or that the
                  # medicine is blamed for (「薬のせいで眠くて仕事にならない」): a 副作用
                  (re.compile(r"(?:薬|くすり|クスリ)(?:の(?:量|りょう)|の(?:種類|しゅるい))?(?:を|が)?(?:飲み始め|のみはじめ|飲みはじめ|変え|かえ|替え|変わっ|かわっ|"
                              r"増やし|ふやし|増え|ふえ)て(?:から|以来)|(?:薬|くすり|クスリ)(?:を)?(?:飲む|のむ)ように(?:なって|なっ)(?:から|以来)|(?:薬|くすり|クスリ)の(?:せい|所為)|"
                              # taken, then a complaint (「くすりのんでから ねむくて しかたない」), not taken, then a plan
                              r"(?:薬|くすり|クスリ)(?:を|って|は)?(?:飲ん|のん)(?:で(?:から|以来)|だら)\s*(?:ずっと\s*)?(?:眠|ねむ|だる|ふらふら|ふらつ|"
                              r"気持ち悪|きもちわる|吐き|はき|かゆ|痒|発疹|ぶつぶつ|頭痛|頭が痛|あたまがいた|イライラ|いらいら)"), "副作用"),
                  # how long the medicine goes on (「薬って一生飲むことになるの？」「いつまで飲み続けるの」): whether it can be
                  # tapered, the pages' 減量 (their 中止 is as often 「急に中止すると」, a warning: it found the status
                  # epilepticus page for 「点観の薬って一生飲むの？」)
                  (re.compile(r"(?:一生|いっしょう|死ぬまで|しぬまで|生涯|いつまで)[^。？?]{0,6}?(?:飲|のむ|のま|のみ|のん|続け|つづけ)|"
                              r"ずっと\s*(?:飲|の)(?:まなきゃ|まないと|み続け|みつづけ|むの|むん)"), "減量"),
                  # someone living in a care home (「施設にいる祖父」「施設に入所している母」) is the elderly-care page's 介護,
                  # not the specialist 施設 of the treatment pages
                  (re.compile(r"(?:介護|老人|高齢者)?施設に(?:いる|居る|入っ|はいっ|入所|入居|お世話)|(?:老人ホーム|グループホーム|"
                              r"特養|デイサービス|ショートステイ)"), "介護"),
                  # what to do when a seizure comes (「彼氏がてんかんなんだけど発作のときどうすれば」「デート中に発作きたら私どうすればいいの？」)
                  # is the first-aid page's
                  # 応急手当: nothing else in such a message names it
                  (re.compile(r"(?:発作|ほっさ|ホッサ|けいれん|痙攣|ひきつけ|倒れ|たおれ|ガクガク|がくがく)(?:の|が|を)?"
                              r"(?:起き|おき|起こし|おこし|出|で|来|き|して(?:る|いる)|してた|て[^。？?、]{0,8}?)?た?"
                              r"(?:とき|時|ら)(?:に|は|って)?[^。？?]{0,8}?(?:どうすれば|どうしたら|何をすれば|なにをすれば|何すれば|"
                              r"なにすれば|何をしたら|なにをしたら|何したら|なにしたら|何ができ|なにができ|できること|どう対応|どう対処|"
                              r"どう動|どううご|どうやって|どうして(?:ほしい|欲しい)|"
                              # nothing done then (「同僚が発作で倒れたとき何もできませんでした。次のために…」): what to do next time
                              r"何もできな|何もできませ|なにもできな|なにもできませ|見てるだけ|みてるだけ|見ているだけ|"
                              # what not to do then (「ほっさ が おきたら なにを しちゃ だめ なの」)
                              r"(?:しちゃ|しては|やっちゃ|やっては|すると|したら)(?:だめ|ダメ|いけな|NG|まず|あかん))"), "応急手当"),
                  # holding, leaving alone, hugging or shaking someone having one, told in other words than the page's
                  # 押さえつけ (「体おさえとくべき？」「それとも放っとく？」「抱きしめて止めようとしたら」): what to do then, 応急手当
                  (re.compile(r"(?:発作|ほっさ|ホッサ|けいれん|痙攣|ひきつけ|ガクガク|がくがく)[^。？?]{0,20}?"
                              r"(?:(?:体|からだ|手足|てあし|腕|うで)を?(?:押さえ|おさえ|抑え)(?!つけ|付け)|放っと|ほっと(?:く|い|け)|ほうって|"
                              r"抱きしめ|だきしめ|揺さぶ|ゆさぶ)"), "応急手当"),
                  # something felt before a seizure (「発作が起きる前になにか感じることってある？」) is its 前兆
                  # (or before a fall or a jerk as it is felt: 「ガクッとなる前に、いつも胃のあたりがムカムカ」)
                  (re.compile(r"(?:(?:発作|ほっさ|ホッサ|けいれん|痙攣)(?:が|の)?(?:起きる|おきる|起こる|おこる|来る|くる|始まる|はじまる)?|"
                              r"(?:ガクッと|がくっと|ガクンと|がくんと|倒れる|たおれる|意識が(?:なくなる|飛ぶ|とぶ))(?:なる)?)"
                              r"(?:前|まえ)(?:に|って|は|から)?[^。？?]{0,8}?(?:感じ|かんじ|わか|分か|気づ|きづ|気付|サイン|合図|知らせ|"
                              # what is sensed (「発作の前に『変なにおいがする』って言う」)
                              r"におい|匂い|臭い|見え|みえ|聞こえ|きこえ|むかむか|ムカムカ)"),
                   "前兆"),
                  # a smell, a taste or a stomach feeling, and then the memory or the awareness gone (「変なにおいがしたと思ったら
                  # そのあと記憶が飛んでる」「胃のあたりがムカムカして…そのあと記憶がない」): what comes first is a 前兆
                  (re.compile(r"(?:におい|匂い|臭い|ニオイ|味|あじ|ムカムカ|むかむか|胃のあたり|みぞおち)[^。？?]{0,20}?"
                              r"(?:そのあと|その後|あとで|後で|と思ったら|してから|したら)[^。？?]{0,12}?"
                              r"(?:記憶|きおく|覚えて|おぼえて|意識|いしき|ぼーっ|ボーッ|ぼんやり|わからな|分からな)"), "前兆"),
                  # wanting a child (「子どもは持てる？」「そろそろ子どもがほしい」) is the pages' 妊娠
                  (re.compile(r"(?:子ども|子供|こども|赤ちゃん|あかちゃん)(?:は|を|が)?(?:持て|もて|産め|うめ|作れ|つくれ|ほし|欲し|授か|さずか)"),
                   "妊娠"),
                  # keeping seizures away (「発作が起きないようにするには」) asks what brings them on, too
                  (re.compile(r"(?:発作|ほっさ|ホッサ|けいれん)(?:が|を)?(?:起き|おき|起こさ|おこさ|出|で)ない(?:よう|ため)|"
                              r"(?:発作|ほっさ|ホッサ)(?:を|の)?(?:予防|防ぐ|ふせぐ|減らす|へらす)"), "誘因"),
                  # telling someone about it (「てんかんのこと、彼氏にいつ話せばいい？」「面接で言わなきゃダメ？」) is the
                  # pages' 伝える; being told it (「てんかんって言われた」) is not
                  (re.compile(r"(?:てんかん|病気|病名|持病)(?:の|について)?(?:こと)?(?:を|は|、)?[^。？?]{0,8}?"
                              # (said in kana only after a particle or a pause: 「てんかんになりやすいって」 says nothing)
                              r"(?:話せ|話す|話し|はなせ|はなす|はなし|言う|言え|言っ|(?<=[をにはもとて、\s])(?:いう|いえ|いっ(?!しょ|ぱい|せい)|いわ(?!れ))|"
                              r"(?:話さ|はなさ|言わ)(?!れ)|言い(?:たく|づら|にく|出せ|だせ))"), "伝える"),
                  # staying up late or all night (「夏合宿は夜遅くまで練習」「サークルの飲み会でオールして」「朝まで麻雀」) is the
                  # pages' 睡眠不足
                  (re.compile(r"夜遅くまで|遅くまで(?:起き|おき|練習|仕事|残業|飲|の|遊|あそ|ゲーム|勉強)|徹夜|てつや|夜更かし|"
                              r"オール(?:して|した|する|で|しちゃ|明け)|朝まで(?:飲|の|遊|あそ|ゲーム|起き|おき|騒|カラオケ|麻雀|"
                              r"マージャン|やっ|勉強|仕事|働)|(?:寝|ね)ないで|一睡もし"), "睡眠不足"),
                  # becoming or working as one of a trade (「保育士になりたいんだけど、てんかんあるとなれない？」「調理師を
                  # 目指してる」) is the work page's 仕事
                  (re.compile(r"[\u4e00-\u9fffァ-ヶー]{1,8}(?:師|士|員|官|職|家)(?:さん)?(?:に|を|として|の仕事に?)?"
                              r"(?:なりたい|なれ(?:る|な|ま)|目指|めざ|就き|就け|つきたい|つけ(?:る|な))"), "仕事"),
                  # more seizures of late (「最近発作が増えてきた、なんで？」) asks what brings them on, the pages' 誘因
                  (re.compile(r"(?:発作|ほっさ|ホッサ|けいれん)(?:が|は|も)?(?:増え|ふえ|多く|おおく)(?:て|た|る)"), "誘因"),
                  # a hand or leg that would not move (「発作のあと片方の手が動かなくなった」) is the pages' 麻痺
                  (re.compile(r"(?:手|足|腕|半身|片側)(?:が|も|は)?[^。？?、\s]{0,6}?(?:動かな|うごかな|動かせな|うごかせな|上がらな|あがらな)"),
                   "麻痺"),
                  # a dose brought up again, typed in kana (「くすり のんだあと はいちゃった」: MeCab read はい as 履く): the
                  # missed-dose page's 吐いてしまった
                  (re.compile(r"(?:飲ん|のん)(?:だ|で)\s*(?:あと|後|から|ら)?\s*(?:に|で)?\s*(?:すぐ|すぐに)?\s*(?:はい|吐い|もどし|戻し)"
                              r"(?:ちゃ|て|た|ちゃっ)"), "吐いてしまった"),
                  # a machine put inside the body (「頭に機械うめこむ治療ってどんなの」) is the VNS page's 刺激装置
                  (re.compile(r"(?:機械|きかい|装置|そうち|機器|電池|ペースメーカー)(?:を|が)?[^。？?]{0,4}?(?:埋め込|うめこ|埋込|植え込|うえこ|入れ)"),
                   "刺激装置"),
                  # a blood thinner by name (「ワーファリンを飲んでいて…飲み合わせは」) is the interactions page's 「血液を固まりにくく
                  # する薬」; a baby's bath the women's page's 沐浴; a scene lived before the focal page's 既視感; a child who
                  # wakes screaming at night the differential page's 夜驚症; a head hit in an accident the causes' 頭部外傷
                  (re.compile(r"(?:手|て)(?:が|も)(?:ふるえ|震え|ぷるぷる|プルプル|ぶるぶる|ブルブル)"), "手のふるえ"),
                  (re.compile(r"ワーファリン|ワルファリン|血液サラサラ|血をサラサラ|抗凝固"), "血液を固まりにくくする薬"),
                  (re.compile(r"(?:赤ちゃん|あかちゃん|赤ん坊|乳児|新生児)(?:を|の)?(?:お風呂|おふろ|風呂|ふろ)(?:に)?(?:入れ|いれ)"), "沐浴"),
                  (re.compile(r"(?:同じ|おなじ|前にも|まえにも).{0,12}(?:体験|経験|見た|みた|来た|きた)(?:こと)?(?:が)?(?:ある|した)?"
                              r"(?:ような|みたいな|気が|感じ)"), "既視感"),
                  (re.compile(r"(?:夜中|夜|寝て|ねて).{0,16}(?:泣き叫|なきさけ|叫ん|さけん|叫ぶ|さけぶ)"), "夜驚症"),
                  # (and one asked about as a cause: 「頭ぶつけたことあると、てんかんになりやすいってほんと？」)
                  (re.compile(r"(?:事故|転落|転倒)で?(?:頭|あたま)を?(?:強く)?(?:打|うっ|ぶつけ)|"
                              r"(?:頭|あたま)を?(?:強く)?(?:打っ|うっ|ぶつけ)[^。？?]{0,12}(?:てんかん|癲癇)(?:に|って)?\s*"
                              r"(?:なる|なり|なっ|なら)"), "頭部外傷"),
                  # an EEG after a short night (「前の晩はあまり寝ないで来てください」「寝ないでこいって」): the EEG page's 「前夜の
                  # 睡眠時間を短めに」; weight put on (「体重がすごく増えて」) the side-effects page's 体重の増加
                  (re.compile(r"(?:前の日|前日|前の晩|前夜)(?:は|に|の夜は?)?(?:あまり|ぜんぜん|全然)?(?:寝|ね)(?:ない|ず|かせない)|"
                              r"(?:寝|ね)(?:ないで|ずに)\s*(?:来|こい|こて|く|行|い[っく]|受け|うけ)"), "前夜の睡眠時間"),
                  (re.compile(r"(?:体重|たいじゅう)(?:が|も)?[^。？?、]{0,6}?(?:増え|ふえ|増加|ふとっ|太っ)"), "体重の増加"),
                  # a wet bed in the morning (「シーツが濡れてる」) is the seizure pages' 尿 (尿がもれ), a dose one cannot remember
                  # taking (「飲んだか飲んでないか思い出せない」) the missed-dose page's 飲み忘れ
                  # dying in one's sleep (「寝てる間に発作…朝起きたら息してなかったらと思うと」) is the pages' 突然死
                  (re.compile(r"(?:寝て(?:る|いる)(?:間|あいだ|とき)|睡眠中|夜中).{0,24}?(?:息(?:を)?して(?:ない|なかった|いない)|"
                              r"死ん|亡くな|なくな(?:る|っ)|突然死)"), "突然死"),
                  (re.compile(r"(?:シーツ|布団|ふとん|パジャマ|ズボン|下着|ベッド)(?:が|も)?(?:濡れ|ぬれ|びしょ)"), "尿"),
                  (re.compile(r"(?:飲んだ|のんだ)か(?:どうか|(?:飲んで|のんで)(?:ない|いない)か)?[^。？?]{0,6}?(?:思い出せ|おもいだせ|わから|分から|覚えて|おぼえて)"),
                   "飲み忘れ"),
                  # what it costs (「薬高すぎて、安くなる方法ない？」「医療費がかかる」) is the support page's 負担 (not 〜やすくなる
                  # of a verb: 「発作出やすくなる？」)
                  (re.compile(r"(?:安く|(?<![^\s、がはもを])やすく)\s*(?:なる|なら|なり|でき|する|したい)|(?:薬代|医療費|お金|治療費|通院費)(?:が|は|って)?"
                              r"[^。？?、]{0,8}?(?:高|たか|かか)"), "負担"))


def added_words(query: str) -> list[str]:
    """The sources' words for the brand names and everyday words in ``query`` that it does
    not already contain (「デパケン飲み忘れた」 → ["バルプロ酸"]), and for what a plain question asks
    (:data:`_ASKED_PHRASES`)."""
    # (read without the spaces of kana typing: 「ほっさ の とき どうして ほしいか」)
    unspaced = re.sub(r"\s+", "", query)
    extra: list[str] = list(dict.fromkeys(w for pat, w in _ASKED_PHRASES
                                          if (pat.search(query) or pat.search(unspaced)) and w not in query))
    for m in _BRANDS.finditer(query):
        g = BRAND_TO_GENERIC[m.group(0)]
        if g not in query and g not in extra:
            extra.append(g)
    pattern, stems, _verbs = _surface_table()
    for m in pattern.finditer(query) if pattern is not None else ():
        if stems[m.group(1)] not in query and stems[m.group(1)] not in extra:
            extra.append(stems[m.group(1)])
    words = _lemma_table()[1]
    for t in content_tokens(query):
        word = words.get(t)
        if word and word not in query and word not in extra:
            extra.append(word)
    return extra


def expand_query(query: str) -> str:
    """``query`` followed by the canonical words for the brand names and everyday words in
    it (for retrieval: BM25 then matches the sources' wording)."""
    extra = added_words(query)
    return f"{query} {' '.join(extra)}" if extra else query
