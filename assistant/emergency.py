"""Emergencies in any wording: what a message describes that needs an ambulance now.

People in a panic type in hiragana (「ほっさ とまらない」), katakana (「ケイレン」), with
conversion errors (「発佐」「5糞」), in English words (「seizure 5min」) or in one breath
without punctuation. :func:`detect_emergencies` therefore looks at a message twice:

* **as written** (normalised, spaces removed): patterns over the kanji and kana forms
  people use (:data:`_WRITTEN_PATTERNS`);
* **as read** (:func:`tenkan.jatext.reading`, katakana, spaces and punctuation gone):
  the same situations as patterns over readings (:data:`_READ_PATTERNS`), so 「ほっさ」,
  「ホッサ」 and 「発作」 are one word, and so are 「5分」, 「5ふん」 and 「5糞」. Reading
  patterns use long, distinctive readings only: inside a reading string a short one (歯 ハ,
  舌 シタ) would match everywhere.

English words are first replaced by their Japanese equivalents
(:func:`assistant.lexicon.from_english`). A kind found in either view counts: a false
alarm costs a sentence of guidance, a miss can cost a life.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from assistant.lexicon import from_english
from assistant.readings import as_kana_typing
from tenkan.jatext import normalize, reading
from tenkan.manifest import load_learnt
from tenkan.paths import DATA_DIR

__all__ = ["EMERGENCY_KINDS", "SEIZURE_WORDS", "MEDICINE_WORDS", "MODEL_FILE", "NgramModel", "detect_emergencies",
           "emergency_guidance", "emergency_views", "ngram_counts"]

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
    # found by the n-gram model alone (no pattern named the situation)
    "urgent": "発作の様子がいつもと違い、危険な状態かもしれない",
}

#: the character n-gram model (``python -m eval.emergency_model --write`` trains it on the tune half)
MODEL_FILE = DATA_DIR / "safety" / "emergency_ngrams.json"

#: a seizure, as written (kanji and kana forms)
SEIZURE_WORDS = (r"(?:発作|けいれん|ケイレン|痙攣|ひきつけ|引きつけ|引き付け|ひきつり|引きつり|ガクガク|がくがく|"
                 r"ピクピク|ぴくぴく|硬直|白目|泡を吹|泡ふ|(?:手足|全身|体中|からだ中)(?:を|が)?(?:震わせ|震え|ふるえ|ふるわせ|"
                 r"突っ張|つっぱ|ブルブル|ぶるぶる|バタバタ|ばたばた))")
_SEIZ = SEIZURE_WORDS
_NUM_MIN = r"(?:[5-9]|[1-9]\d|五|六|七|八|九|十|十五|二十|三十)\s*分"

#: the epilepsy medicines by name, generic and brand names as written (and 抗てんかん…)
NAMED_MEDICINES = (
    r"(?:抗てんかん|抗けいれん|バルプロ|デパケン|セレニカ|"
    r"カルバマゼピン|テグレトール|ラモトリギン|ラミクタール|レベチラセタム|イーケプラ|フェニトイン|アレビアチン|"
    r"フェノバルビタール|ゾニサミド|エクセグラン|トピラマート|トピナ|ラコサミド|ビムパット|ペランパネル|フィコンパ|"
    r"クロバザム|マイスタン|クロナゼパム|リボトリール|ガバペンチン|エトスクシミド|ジアゼパム|ミダゾラム)"
)
#: medicines: any medicine (薬, 錠剤 …) or one of :data:`NAMED_MEDICINES`
MEDICINE_WORDS = r"(?:薬|くすり|クスリ|服薬|内服|錠剤|錠|カプセル|シロップ|" + NAMED_MEDICINES + ")"
_MED = MEDICINE_WORDS

_WRITTEN_PATTERNS: dict[str, list[re.Pattern]] = {
    "long_seizure": [
        # 「10分くらい前に薬を飲んだ」 says when, not how long
        # (nor 「30分くらいしてから頭がズキズキ」: the time until something else)
        # (nor 「いつも30分くらい寝ちゃう」: how long one sleeps after it)
        re.compile(_NUM_MIN + r"(?:以上|近く|近い|くらい|ぐらい|ほど|も|超|経|たっ|過ぎ)(?!(?:前|まえ)(?!から)|して(?:から)?|後|あと|"
                   r"すれば|したら|すると|しないうちに|(?:は|で)?(?:寝|ね[てたちる]|眠|ねむ|休ん|やすん|昼寝|ひるね))"),
        re.compile(_NUM_MIN + r".{0,8}(?:続|止まら|止まん|おさまら|治まら|収まら|終わら)"),
        re.compile(_SEIZ + r".{0,12}(?:止まらな|止まりませ|止まんな|とまらな|おさまらな|治まらな|収まらな|終わらな|終わんな|"
                   r"おわんな|ずっと続)"),
        # still going: 「まだ震えてる」「まだけいれんしてる」
        re.compile(r"(?:まだ|いまだに|未だに).{0,3}(?:" + _SEIZ[3:-1] + r"|震え|ふるえ|続い|つづい)(?:て|し)"),
        # not 「ずっと発作がない」 (free of seizures for long)
        # (not 「長時間やると発作でやすい？」: what one does for long, then a seizure it might bring)
        re.compile(r"(?:ずっと(?!前|まえ|昔|むかし|以前)|長いこと|長く|長時間)(?:(?!と|たら|れば).){0,6}" + _SEIZ
                   + r"(?!(?:が|は|も)?(?:ない|なく|なかっ|起きてな|おきてな|出てな|でてな|ありませ))"),
        re.compile(r"重積.{0,6}(?:して|になって|状態です|状態かも|かも)"),
        re.compile(r"(?:もう|既に|すでに|かれこれ)" + _NUM_MIN),
        re.compile(_NUM_MIN + r".{0,3}(?:まだ|経っ|たっ|たつ|続い|続け)"),
    ],
    "repeated_seizures": [
        re.compile(_SEIZ + r".{0,12}(?:何度も|何回も|なんども|なんかいも|繰り返|くり返|繰返|立て続け|連続|次々|続けざま)"),
        re.compile(r"(?:何度も|何回も|なんども|繰り返し|くり返し|立て続けに|連続して|次々).{0,8}" + _SEIZ),
        re.compile(r"(?:また|再び|ふたたび).{0,3}" + _SEIZ + r".{0,4}(?:始ま|はじま|起き|おき|起こ|おこ|来|き(?:た|て))"),
        # 「止まったと思ったら意識が戻る前にまた始まりました」
        re.compile(r"(?:意識|いしき)が(?:戻る|もどる|回復する)(?:前|まえ)に.{0,6}(?:また|再び|ふたたび|次の|つぎの)"),
        re.compile(_SEIZ + r".{0,8}(?:[2-9]|二|三|四|五|何|なん)\s*(?:回|度|かい)(?:も)?(?:続けて|つづけて|連続|立て続け)"),
    ],
    "no_recovery": [
        re.compile(r"意識.{0,4}(?:戻らな|戻らず|戻ってこな|戻ってな|戻りませ|回復しな|回復していな|回復してな|回復していませ|ないまま|がない|がありませ|ない状態|no|なし|無し)"),
        re.compile(r"(?:目を覚まさな|目を覚ましませ|目が覚めな|目覚めてな|目覚めな|目が覚めてな|起きな(?:い|くて)まま|呼びかけ.{0,4}(?:反応|返事|答え).{0,3}(?:しな|な|ありませ))"),
        re.compile(r"(?:発作|けいれん|痙攣|ひきつけ).{0,10}(?:あと|後|おさまっ|止まっ).{0,10}(?:反応|返事)(?:が|も)?(?:ない|しない|ありません)"),
        re.compile(r"(?:呼びかけ|話しかけ|声をかけ|声かけ|名前を呼ん|呼ん|ゆすっ|揺すっ|たたい|叩い)(?:て|で)?も.{0,6}"
                   r"(?:反応|返事|答え|返答)(?:が|も)?(?:ない|しない|なし|無し|ありませ|しませ)"),
    ],
    "breathing": [
        re.compile(r"(?:息|呼吸).{0,4}(?:してな|していな|しない|しとらん|してませ|していませ|しませ|できませ|止ま|とま|苦し|くるし|"
                   r"できな|でき(?:て)?ない|おかし|"
                   r"荒い|弱い|弱く|浅い|浅く|ゼーゼー|ぜーぜー|変|へん)"),
        re.compile(r"(?:唇|くちびる|顔色|顔面|顔|口のまわり).{0,4}(?:紫|むらさき|青|蒼|真っ青|真っ白|蒼白|土気色)"),
        re.compile(r"チアノーゼ|窒息|息苦し|(?:喉|のど).{0,3}(?:詰ま|つま)|(?:吐いた|嘔吐).{0,6}(?:詰ま|息)"),
    ],
    "injury": [
        re.compile(r"(?:頭|あたま|顔|額|おでこ|口|舌|歯|体|腕|足).{0,4}(?:打っ|うっ|ぶつけ|強打|切っ|切れ|噛ん|かん(?:で|じゃ)|折れ)"),
        re.compile(r"(?:出血|血が(?:出|で|止まら|とまら|流れ)|血だらけ|骨折|脱臼)"),
        re.compile(r"(?:けが|怪我|ケガ|やけど|火傷)(?:を)?(?:した|して|しちゃ|しま|ある|ひどい|ひどく|がひど)"),
        re.compile(r"(?:熱湯|お湯|湯|油|鍋).{0,6}(?:かぶっ|かかっ|浴び|こぼ)"),
        re.compile(r"(?:階段|高い所|高いところ|ベッド|自転車).{0,6}(?:から)?(?:落ち|転落|転倒)"),
    ],
    "first_seizure": [
        re.compile(r"(?:初めて|はじめて|生まれて初めて|初)(?:の)?.{0,30}" + _SEIZ),
        re.compile(r"(?:これまで|今まで|いままで).{0,12}(?:ない|なかった|聞いたことな|一度もな).{0,30}" + _SEIZ),
        re.compile(_SEIZ + r".{0,10}(?:初めて|はじめて)"),
        re.compile(_SEIZ + r".{0,30}(?:これまで|今まで|いままで|今迄).{0,12}(?:一回もな|一度もな|ない|なかった|なく)"),
    ],
    "water": [
        # (not after the bath: 「お風呂上がりに軽い発作があった」 is out of the water)
        re.compile(r"(?:お風呂|風呂|ふろ|浴槽|湯船|浴室|入浴中|シャワー中|プール|海|川|水中|水の中|浅瀬|海水浴|水泳中|泳いで)"
                   r"(?!上がり|あがり|から出|を出|の後|のあと|後)"
                   r".{0,20}(?:" + _SEIZ[3:-1] + r"|沈|溺|おぼれ|意識)"),
        re.compile(_SEIZ + r".{0,10}(?:沈ん|沈み|溺れ|おぼれ|水を飲ん|水飲ん)"),
        re.compile(_SEIZ + r".{0,10}(?:お風呂|風呂|浴槽|湯船|プール|海|川|水の中).{0,4}(?:で|に|の中)"),
        re.compile(r"(?:溺れ|おぼれ)(?:た|て|そう)"),
    ],
    "pregnancy": [
        re.compile(r"(?:妊娠|妊婦).{0,40}(?:けいれんさせ|けいれんし|痙攣し|発作を起こ|発作が起き|倒れ)"),
        re.compile(r"(?:妊娠|妊婦).{0,30}" + _SEIZ + r".{0,8}(?:さっき|今|いま|たった今|ばかり)"),
        re.compile(r"(?:妊娠|妊婦).{0,30}(?:さっき|今|いま|たった今).{0,6}" + _SEIZ),
        re.compile(r"(?:妊娠|妊婦|妊[振身新信心伸]|にんしん|身ごも|おなかに赤ちゃん|お腹に赤ちゃん|おなかの赤ちゃん|お腹の赤ちゃん).{0,20}" + _SEIZ
                   + r"(?:が|を)?.{0,4}(?:起き|起こ|おき|おこ|あっ|出た|出て|し(?:た|て|ちゃ)|続|止まら)"),
        re.compile(_SEIZ + r"(?:が|を)?.{0,4}(?:起き|起こ|おき|おこ|あっ|し(?:た|て|ちゃ)).{0,16}(?:妊娠|妊婦|おなかに赤ちゃん|お腹に赤ちゃん)"),
        # a story that says the pregnancy first and the seizure just now much later (「妊娠6ヶ月です。…ついさっき、
        # 台所で私自身がけいれんを起こして倒れていた」)
        re.compile(r"(?:妊娠中|妊婦|妊娠\s*(?:\d+|[一二三四五六七八九十]+)\s*(?:か月|ヶ月|カ月|週))"
                   r".{0,240}?(?:さっき|たった今|今朝|いま|今).{0,30}" + _SEIZ + r"(?:を|が)?(?:起こ|起き|おこ|おき)"),
    ],
}


# --- the same situations over readings (katakana) ------------------------------------
#: a seizure, as read; 発 is misread ハツ/ハッ in conversion errors (「発佐」)
_R_SEIZ = (r"(?:ホッサ|ハッサ|ハツサ|ホツサ|ケイレン|ケーレン|ヒキツケ|ヒキツリ|ヒキツッ|ガクガク|ピクピク|ビクビク|ガタガタ|"
           r"コウチョク|シロメ|アワヲフ|(?:テアシ|ゼンシン)(?:ヲ|ガ)?(?:フルワセ|フルエ|ツッパ|ブルブル|バタバタ))")
_R_NUM_MIN = r"(?:[5-9]|[1-9]\d|ゴ|ロッ|ロク|ナナ|ハッ|ハチ|キュウ|ジュッ|ジッ|ジュウ|ニジュッ|サンジュッ)(?:フン|プン)"
_R_NOT_STOPPING = (r"(?:トマラナ|トマリマセ|トマンナ|トマンネ|トマッテナ|オサマラナ|オサマリマセ|オサマンナ|オサマッテナ|"
                   r"オワラナ|オワンナ|オワリマセ|ヤマナ|ツヅイテル|ツヅイテイ|ツヅイテマ|ズットツヅ|"
                   # no sign of stopping: 「止まる気配なし」「おさまりそうにない」
                   r"(?:トマル|オサマル|オワル)(?:ケハイ|ヨウス)(?:ガ|モ)?(?:ナイ|ナシ|ナク|アリマセ)|"
                   r"(?:トマリ|オサマリ|オワリ)ソウ(?:ニ|ニモ|モ)?(?:ナイ|ナク|アリマセ))")
_R_EVENT = r"(?:オキ|オコ|アッ|デタ|デテ|シタ|シテ|シチャ|ナッ|ツヅ|トマラ|ハジマ)"

_READ_PATTERNS: dict[str, list[re.Pattern]] = {
    "long_seizure": [
        re.compile(_R_NUM_MIN + r"(?:イジョウ|チカク|チカイ|クライ|グライ|ホド|モ|スギ|タッ|タチ|タツ|ケイカ|コエ|コシ)(?!マエ(?!カラ)|シテ|アト|ゴ|スルト|スレバ|シタラ|(?:ハ|デ)?(?:ネ[テタチル]|ネム|ヤスン|ヒルネ))"),
        re.compile(r"(?:マダ|イマダニ).{0,3}(?:" + _R_SEIZ[3:-1] + r"|フルエ|ツヅイ)(?:テ|シ)"),
        re.compile(_R_NUM_MIN + r".{0,8}(?:ツヅ|トマラ|トマン|オサマラ|オワラ)"),
        re.compile(_R_SEIZ + r".{0,14}" + _R_NOT_STOPPING),
        re.compile(r"(?:ズット(?!マエ|ムカシ|イゼン)|ナガイコト|ナガク|チョウジカン)(?:(?!ト|タラ|レバ).){0,6}" + _R_SEIZ
                   + r"(?!(?:ガ|ハ|モ)?(?:ナイ|ナク|ナカッ|オキテナ|デテナ|アリマセ))"),
        re.compile(r"ジュウセキ.{0,6}(?:シテ|ニナッテ|ジョウタイデス|ジョウタイカモ|カモ)"),
        re.compile(r"(?:モウ|スデニ|カレコレ)" + _R_NUM_MIN),
        re.compile(_R_NUM_MIN + r".{0,3}(?:マダ|タッ|タツ|ツヅイ|ツヅケ)"),
    ],
    "repeated_seizures": [
        re.compile(_R_SEIZ + r".{0,12}(?:ナンドモ|ナンカイモ|ナンベンモ|クリカエ|タテツヅケ|レンゾク|ツギツギ|ツヅケザマ|"
                   r"マタハジマ|マタオキ|マタオコ|マタキ|フタタビ)"),
        re.compile(r"(?:マタ|フタタビ).{0,3}" + _R_SEIZ + r".{0,4}(?:ハジマ|オキ|オコ|キタ|キテ)"),
        re.compile(r"(?:ナンドモ|ナンカイモ|クリカエシ|タテツヅケ|レンゾクシテ|ツギツギ).{0,8}" + _R_SEIZ),
        re.compile(r"(?:トマッ|オサマッ|オワッ|トマリ|オサマリ).{0,10}(?:マタ|フタタビ|スグ)(?:ハジマ|オキ|オコ|キ|デ)"),
    ],
    "no_recovery": [
        re.compile(r"イシキ.{0,4}(?:モドラ|モドッテナ|モドッテコナ|モドリマセ|カイフクシナ|ガナイ|ガナク(?!ナラ)|ガナカ|"
                   r"ナイ|ナク(?!ナラ)|ナシ|ガアリマセ|フメイ|ガモドラ)"),
        # (not a seizure that does not happen: 「発作が起きないようにするには」)
        re.compile(r"(?:メヲサマサナ|メヲサマシマセ|メガサメナ|メガサメテナ|メザメテナ|メザメナ|メヲアケナ|メサマサナ|"
                   r"(?<!ホッサガ)(?<!ホッサ)(?<!ケイレンガ)(?<!ケイレン)(?<!ホッサトカ)(?<!ホッサナンテ)(?<!ホッサッテ)"
                   # (nor 「やる気が起きない」「食欲が起きない」: a feeling that does not rise, not a person who does not wake)
                   r"(?<!ケイレントカ)(?<!ホッサハ)(?<!ホッサモ)(?<!キガ)(?<!キモ)(?<!ヨクガ)(?:オキナイ|オキナク|オキマセン)(?!ヨウ|タメ))"),
        re.compile(r"(?:ヨビカケ|ハナシカケ|コエヲカケ|コエカケ|ヨン|ユスッ|タタイ).{0,8}(?:ハンノウ|ヘンジ|コタエ).{0,3}"
                   r"(?:シナ|ナ|アリマセ|ガナ|シマセ)"),
        re.compile(_R_SEIZ + r".{0,16}(?:オキテナ|オキテコナ|メヲサマシテナ|メガサメテナ)"),
        re.compile(_R_SEIZ + r".{0,30}(?:ヘンジ|ハンノウ|ヘントウ)(?:ガ|モ)?(?:シナ|ナイ|ナク|ナシ|アリマセ|シマセ)"),
    ],
    "breathing": [
        re.compile(r"(?:イキ|コキュウ).{0,4}(?:シテナ|シテイナ|シテネ|シナイ|シテナイ|シテマセ|シテイマセ|シマセ|デキマセ|トマ|クルシ|"
                   r"デキナ|デキテナ|オカシ|"
                   r"アライ|ヨワイ|ヨワク|アサイ|アサク|ゼーゼー|ゼイゼイ|ヒューヒュー|ヘン)"),
        re.compile(r"(?:クチビル|カオイロ|ガンメン|カオ|クチノマワリ).{0,4}(?:ムラサキ|アオ|マッサオ|マッシロ|ソウハク|ツチケイロ)"),
        re.compile(r"(?:ノド|イキ).{0,4}(?:ゴロゴロ|ゴボゴボ|ヒューヒュー)"),
        re.compile(r"チアノーゼ|チッソク|イキグルシ|ノド.{0,3}ツマ|(?:ハイタ|オウト|モドシ).{0,6}(?:ツマ|イキ)"),
    ],
    "injury": [
        re.compile(r"(?:アタマ|ヒタイ|オデコ|コウトウブ|カオ).{0,4}(?:ウッ|ブツケ|キョウダ|キッ|キレ)"),
        # (not ツウチガデル, 通知が出る)
        re.compile(r"シュッケツ|(?<![ウツマイ])チガ(?:デ|トマラ|ナガレ)|チダラケ|コッセツ|ダッキュウ"),
        re.compile(r"(?:ケガ|ヤケド)(?:ヲ)?(?:シタ|シテ|シチャ|シマ|アル)"),
        re.compile(r"(?:カイダン|タカイトコロ|ベッド|ジテンシャ).{0,6}(?:カラ)?(?:オチ|テンラク|テントウ|コロゲオチ)"),
    ],
    "first_seizure": [
        re.compile(r"ハジメテ.{0,30}" + _R_SEIZ),
        re.compile(_R_SEIZ + r".{0,10}ハジメテ"),
        re.compile(r"(?:コレマデ|イママデ).{0,12}(?:ナイ|ナカッタ|イチドモナ|イッカイモナ).{0,30}" + _R_SEIZ),
        re.compile(_R_SEIZ + r".{0,30}(?:コレマデ|イママデ).{0,12}(?:イッカイモナ|イチドモナ|ナイ|ナカッタ|ナク)"),
    ],
    "water": [
        re.compile(r"(?:オフロ|ユブネ|ヨクソウ|ヨクシツ|ニュウヨクチュウ|プール|スイチュウ|ミズノナカ|スイエイチュウ)"
                   r"(?!アガリ|カラデ|ヲデ|ノアト|ゴ).{0,10}"
                   r"(?:" + _R_SEIZ[3:-1] + r"|シズ|オボレ|イシキ)"),
        re.compile(_R_SEIZ + r".{0,10}(?:オフロ|ユブネ|ヨクソウ|プール|ミズノナカ)(?:デ|ニ|ノナカ)"),
        re.compile(r"オボレ(?:タ|テ|ソウ)"),
        re.compile(r"(?:ウミ|カワ)(?:デ|ニ|ノナカ).{0,20}(?:" + _R_SEIZ[3:-1] + r"|シズ|オボレ|イシキ)"),
    ],
    "pregnancy": [
        re.compile(r"(?:ニンシン|ニンプ|ミゴモ|オナカニアカチャン|オナカノアカチャン).{0,40}" + _R_SEIZ
                   + r"(?:ガ|ヲ)?.{0,4}" + _R_EVENT),
        re.compile(_R_SEIZ + r"(?:ガ|ヲ)?.{0,4}" + _R_EVENT + r".{0,16}(?:ニンシン|ニンプ|オナカニアカチャン)"),
        re.compile(r"(?:ニンシン|ニンプ).{0,30}(?:イマ|サッキ|タッタイマ).{0,6}" + _R_SEIZ),
        re.compile(r"(?:ニンシン|ニンプ).{0,30}" + _R_SEIZ + r".{0,8}(?:イマ|サッキ|タッタイマ|バカリ)"),
    ],
}

_GUIDANCE_HEAD = (
    "【緊急】{what}は、ためらわずにすぐ119番に電話して救急車を呼んでください。"
)
_GUIDANCE_FIRST_AID = (
    "救急車を待つ間は、周りの危ない物をどけて、体を横向きにして楽に呼吸できるようにし、"
    "口の中に物を入れないでください。発作が始まった時刻と様子を記録しておくと、救急隊や医師の役に立ちます。"
)



#: kinds that only count when the text is about a seizure (a fall or a cut alone is not our topic)
_NEEDS_SEIZURE = {"injury"}
_SEIZ_CONTEXT = re.compile(_SEIZ + r"|倒れ|意識")
_R_SEIZ_CONTEXT = re.compile(_R_SEIZ + r"|タオレ|イシキ")

# 「薬を2種類変えても発作が止まらない」: a treatment tried in vain ("…ても") before
# "seizures don't stop" speaks of seizures not being controlled over months (drug
# resistance), not of a seizure going on now -- unless a duration, a "right now" word or a
# rescue medicine given during the seizure (坐薬, 発作止め, ブコラム) says otherwise.
_ONGOING = re.compile(_NUM_MIN + r"|今|いま|さっき|ずっと|長いこと|長く|長時間|まだ|目の前|重積|"
                      r"坐薬|座薬|発作止め|ダイアップ|ブコラム|ミダゾラム|頓用|頓服|[!！]")
_R_ONGOING = re.compile(_R_NUM_MIN + r"|イマ|サッキ|ズット|ナガイコト|ナガク|マダ|メノマエ|ジュウセキ|ザヤク|ホッサドメ|"
                        r"ブコラム|ミダゾラム|トンヨウ|トンプク")
_DRUG_RESISTANCE = re.compile(
    r"(?:(?:" + _MED + r"|治療|手術|種類).{0,12}(?:ても|でも)|(?:種類|しゅるい|" + _MED + r").{0,8}(?:試し|ためし)(?:ましたが|たけど|たが|てきたけど|てきましたが)|"
    # the how-manyth medicine (「薬3つ目なのに発作止まらない」)
    r"(?:" + _MED + r").{0,4}(?:[0-9０-９一二三四五六七八九]|何)(?:つ|種類|個|剤)目)"
    r".{0,6}" + _SEIZ
    + r".{0,12}(?:止まらな|止まりませ|おさまらな|おさまりませ|治まらな|治まりませ|収まらな|なくならな|なくなりませ)")
#: how often seizures come (「月に何回も発作があります」): the course of the illness, not a cluster or a seizure going
#: on now (not per day: 「1日に5回も発作が来てる」 may be a cluster); drugs tried without effect are
#: :data:`_DRUG_RESISTANCE`'s
#: ... or seizures that have not stopped for weeks or months (「drug-resistantでseizureがmonths止まらない」): no seizure goes
#: on for months, the illness does
_LONG_COURSE = re.compile(r"(?:[0-9０-９一二三四五六七八九十数何半]+\s*)?(?:か月|ヶ月|カ月|かげつ|年|ねん|週間|しゅうかん|"
                          r"(?<=[0-9０-９一二三四五六七八九十数何])日|"
                          r"months?|years?|weeks?)(?:も|間|かん|以上|いじょう|ほど|くらい)?\s*"
                          r"(?:止まらな|とまらな|おさまらな|治まらな|続いて|つづいて)|"
                          # 「…止まらない もう3日くらい」: days, not minutes
                          r"(?:もう|すでに|かれこれ)\s*[0-9０-９一二三四五六七八九十数何]+\s*(?:日|にち|週間|か月|ヶ月|年)")
_COURSE = re.compile(r"(?<![今毎])(?:月|週|年)に\s*(?:[0-9０-９一二三四五六七八九十数何]+|なん|すう)\s*(?:回|かい|度|ど)")
_R_DRUG_RESISTANCE = re.compile(
    r"(?:(?:クスリ|チリョウ|シュジュツ|シュルイ|ノンデ|ノマセテ).{0,12}(?:テモ|デモ)|シュルイ.{0,8}タメシ(?:マシタガ|タケド|タガ))"
    r".{0,6}" + _R_SEIZ
    + r".{0,12}(?:トマラナ|トマリマセ|オサマラナ|オサマリマセ|ナクナラナ)")


# A question *about* an emergency situation is not one happening now: 「意識が戻らない発作って
# どんなの？」 (what is it), 「発作中に息止まることある？」 (can it happen), 「以前…ことがありました」
# (it happened once), 「いつもすぐ戻る」 (it always passes). Such wording withdraws the alarm,
# unless a word says it is happening now (今, さっき, まだ, 目の前, 助けて, ！ …).
# 今 and いま as written (in a reading イマ is inside ガイライマデ, ナイママ), but not 今日 (today), 今まで (so far), 今年, 今度 …: those do not say "right now"
_NOT_YET = r"(?!(?:一度も|いちども|1回も|一回も)?(?:発作|ほっさ|けいれん|ケイレン)(?:は|が|も)?(?:ない|なく|なかっ|起きてな|おきてな|出てな|でてな|ありませ))"
#: the now-words a question asked ahead of time cannot carry (「どうすれば」 is also how one asks for later)
# (いま, not the polite ending of 「習っています」「思いません」「しました」; 「いますぐ」 is now)
# (今, not 「今の主治医」「今住んでいる」「今飲んでいる薬」: what is so these days; まだ only before the seizure or the
# state that goes on, 「まだけいれんしてる」「まだ意識が戻らない」, not 「まだ3歳です」「まだ妊娠初期です」)
_STILL_WHAT = (r"けいれん|ケイレン|痙攣|発作|ほっさ|ホッサ|止ま|とま|続|つづ|意識|いしき|息|いき|呼吸|こきゅう|"
               r"反応|はんのう|返事|へんじ|起き|おき|目を|めを|目が|めが|ぴく|ピク|びく|ビク|ぶる|ブル|がく|ガク|がた|ガタ|ぐった|グッタ|"
               r"震え|ふるえ|戻|もど|白目|しろめ|血|ち[がも]|ぼー|ボー|ぼんやり|顔|かお|唇|くちびる|ひきつ|引きつ|おさま|治ま|収ま|"
               r"苦し|くるし|寝|眠|ねむ|動|うご|手足|てあし|体|からだ|沈|しず|溺|おぼれ|苦|終わ|おわ|治ら|なおら|普通|ふつう|話せ|はなせ|"
               r"しゃべ|喋|立て|たて|歩け|あるけ|泡|あわ|よだれ|ヨダレ|吐|は[いき]|おかし|変|へん|ない(?=て|ちゃ)|来な|こな|呼|よ[んば]")
_STILL = r"まだ\s*(?:も|まだ)?\s*(?=" + _STILL_WHAT + ")" + _NOT_YET
_STRONG_NOW_WORDS = (r"今(?![日週月年度回後朝夜までの住通飲使服働勤習]|かかって|受けて|診て|は?(?:妊活|妊娠|治療|服薬|通院|入院|休職|育休|産休)中|からでも|"
                     # an age now (「初めての発作は5歳のとき、今15歳」)
                     r"(?:は|で|もう)?[0-9０-９一二三四五六七八九十]+\s*(?:歳|才|さい|年生|ねんせい)|"
                     r"(?:も|は|でも)?(?:お?薬|くすり))|(?<![なら])いま(?!ま|す(?!ぐ)|せ|した|しょう|の|(?:も|は|でも)?(?:お?薬|くすり))|"
                     r"さっき|たった今|" + _STILL + r"|目の前|助けて|たすけて|急いで|至急|[!！]")
_STRONG_NOW = re.compile(_STRONG_NOW_WORDS)
# (ずっと, as まだ, only before the seizure or state that goes on: not 「ずっと前に」「ずっと薬を飲んでいます」)
_NOW = re.compile(_STRONG_NOW_WORDS + r"|(?<![\u30a1-\u30fa\u30fc])イマ(?!マデ|[\u30a1-\u30fa\u30fc])|ずっと\s*(?=" + _STILL_WHAT + r"|呼|よ[んば])" + _NOT_YET + r"|どうしよう|どうすれば")
# 「もう10分も」「5分以上たつ」: a duration says it is going on now, unless the message puts it in the
# past (「以前、十分以上続いて搬送されたことがあります」) or says it only asks (:data:`_ONLY_ASKING`) and
# nothing says it is happening (「10分以上けいれんしてる、念のため…」 keeps it); a bare conditional
# (「5分以上続いたら？」) keeps the alarm: typed in a hurry it may be about the seizure in front of one
# (「もう7分ほど経っております」: about so many minutes gone by, as well)
_DURATION_NOW = re.compile(_NUM_MIN + r"(?:以上|(?:ほど|くらい|ぐらい|近く|以上)?(?:も(?!すれば|したら|すると)|たっ|経|過ぎ|すぎ))")
#: the message says outright that it only asks (「just asking」「念のため」「もし…たら」), or reports an
#: instruction given for later (「5分以上続いたら入れろって言われた」)
_ONLY_ASKING = re.compile(r"just\s*asking|just\s*curious|just\s*in\s*case|念のため|参考までに|仮に|もし(?!か)も?(?!し)|一般論|いっぱんろん|"
                          r"一般的に(?:は|知りたい|教えて)|"
                          r"(?:たら|なら|場合は?|ときは?).{0,12}(?:って|と)(?:(?:主治医|先生|医師|医者|病院|看護師)(?:から|に|で)?)?"
                          r"(?:言われ|いわれ|聞い|教わ|おそわ|習っ|ならっ)|"
                          # 「5分以上続いたら救急車を呼ぶように言われているんですが」
                          r"(?:たら|場合は?|ときは?).{0,16}ように(?:言われ|いわれ|指示され|しじされ)|"
                          # a rule or a question in quotes, as someone said it or as it is to be written
                          # (「…「意識なくなったら119でいいですか」って聞かれた」「「5分以上続いたら119」って英語でなんて書けば」)
                          # a form or a tool to fill in (「問診票に「初めての発作はいつ」って欄が」「アプリの「5分以上」ってcheckbox」)
                          r"問診票|記入|欄|項目|チェックボックス|checkbox|機能|通知|"
                          r"[」』]\s*(?:って|と)\s*(?:英語|えいご|書|かい|言え|いえ|訳|聞かれ|きかれ|言われ|いわれ|習っ|ならっ|教わ|おそわ)|"
                          # a threshold asked about (「ひきつけ 10分 以上 ってどれくらい危ないん？」), a question in English
                          r"(?:分|ふん|ぷん)\s*(?:以上|いじょう)?\s*(?:って|は)\s*(?:どれくらい|どのくらい|どれぐらい|危な|あぶな|やば|ヤバ)|"
                          # (spaces are gone in the written view: 「what should I do」 is whatshouldIdo, no 'whats')
                          r"difference|what'sthe違い|what’sthe違い|違いbetween|"
                          # getting ready (「5分以上続く発作が起きたときのために家族で手順を決めておきたい」)
                          r"(?:とき|時|場合)のために|(?:とき|時|場合)に備え|決めておき|きめておき|"
                          # read somewhere (「…って英語の本に書いてあった」), how often it happens, how it is defined
                          # (「重積ってどのくらいの割合で起きるの」「日本でも同じ基準？」): questions about knowledge
                          r"(?:に|で)(?:書いてあ|かいてあ|書かれて|かかれて|載って|のって|読ん|よん)|割合|頻度|確率|統計|"
                          r"何割|何パーセント|基準|定義|リスク|(?:って|は)(?:どのくらい|どれくらい|どれぐらい)(?:ある|あり|いる|起き|おき)|"
                          # whether something brings seizures on (「こういうストレスは発作の誘因になりますか？」)
                          r"(?:発作|ほっさ|けいれん)の(?:誘因|きっかけ|原因|引き金)(?:に|と)(?:なる|なり|なっ)|"
                          # whether something is a side effect (「…少し息苦しいのは副作用？」), what a state means (「いしき が
                          # もどらないまま ほっさ を くりかえす って どういう じょうたい？」)
                          r"(?:のは|のって|って|は)(?:薬の|くすりの)?(?:副作用|ふくさよう)|"
                          r"って(?:どういう|どんな)(?:状態|じょうたい|こと|意味|いみ)|"
                          # what a state is called (「5分以上続くとstatus epilepticusっていうの？」「…のって重積っていうんですか」)
                          r"(?:って|と)(?:いう|言う|呼ぶ|よぶ|呼ばれる|よばれる)(?:の|ん(?:です|でしょう)?か|のですか|んだっけ)\s*[？?]?\s*$|"
                          # a question saved for the doctor (「…発作は危ない？先生に聞いてみたい」)
                          r"(?:先生|医師|主治医|医者)に(?:聞いて|きいて|相談して|そうだんして)みたい")
_NEXT_TIME = re.compile(r"(?:次に|つぎに|次回|次の時|つぎのとき|今度).{0,20}(?:たら|ときは|時は|場合は)|"
                        # on first seeing one (「ホッサ ヲ ハジメテ ミタ トキ ドウスレバ イイカ」)
                        r"(?:はじめて|初めて)(?:見|み)(?:た|る)(?:とき|時|ら|人|ひと|方)")
#: the reading's now-words; all but the panic's どうしよう/どうすれば are strong (a conditional cannot carry them)
#: what まだ goes on with, read (as :data:`_STILL_WHAT`)
_R_STILL_WHAT = (r"ケイレン|ホッサ|トマ|ツヅ|イシキ|イキ|コキュウ|ハンノウ|ヘンジ|オキ|メヲ|メガ|ピク|ビク|ブル|ガク|ガタ|グッタ|"
                 r"フルエ|モド|シロメ|チ[ガモ]|ボー|ボンヤリ|カオ|クチビル|ヒキツ|オサマ|クルシ|ネテ|ネム|ウゴ|テアシ|カラダ|シズ|"
                 r"オボレ|オワ|ナオラ|フツウ|ハナセ|シャベ|タテ|アルケ|アワ|ヨダレ|ハ[イキ]|オカシ|ヘン|ナイ(?=テ|チャ)|コナ|ヨ[ンバ]")
#: ... and not before "no seizure (yet)" (as :data:`_NOT_YET`)
_R_NOT_YET = r"(?!(?:イチドモ|イッカイモ)?(?:ホッサ|ケイレン)(?:ハ|ガ|モ)?(?:ナイ|ナク|ナカッ|オキテナ|デテナ|アリマセ))"
_R_NOW_STRONG_WORDS = (r"サッキ|マダ(?:モ|マダ)?(?=" + _R_STILL_WHAT + r")" + _R_NOT_YET + r"|"
                       r"ズット(?=" + _R_STILL_WHAT + r"|ヨ[ンバ])" + _R_NOT_YET + r"|"
                       r"メノマエ|タスケテ|イソイデ|シキュウ")
_R_NOW_STRONG = re.compile(_R_NOW_STRONG_WORDS)
_R_NOW = re.compile(_R_NOW_STRONG_WORDS + r"|ドウシヨウ|ドウスレバ")
# 「今は元気」「いまは何もない」「現在は落ち着いています」: the person is well now, whatever the
# message says about a seizure before or a seizure that might come
_CALM_NOW = re.compile(r"(?:今|いま)は?(?:もう)?(?:家|いえ|うち|自宅)に(?:帰って|かえって|戻って|もどって)|"   # back home now
                       # free of seizures for a stated time (「ほっさ は 2ねん ない」「発作は半年ありません」)
                       r"(?:発作|ほっさ|ホッサ)(?:は|が)?\s*(?:ゼロ|0回|ぜろ)|"
                       r"(?:発作|ほっさ|けいれん|痙攣|やつ)(?:は|が|も)?\s*(?:もう|ここ)?\s*(?:[0-9０-９一二三四五六七八九十数何半]+\s*"
                       r"(?:年|ねん|か月|かげつ|ヶ月|カ月|週間|しゅうかん|年間|ねんかん)(?:以上|いじょう|くらい|ぐらい|ほど)?)\s*"
                       r"(?:ない|なし|ありませ|起きてな|おきてな|出てな|でてな)|"
                       r"もう(?:落ち着い|おちつい|普通|ふつう|元気|げんき|止まっ|とまっ|おさまっ|治まっ|収まっ|終わっ|おわっ|"
                       r"stopped|normal|ノーマル|"
                       r"平気|へいき|大丈夫|だいじょうぶ|回復)|(?:おさまっ|治まっ|収まっ|止まっ|とまっ)た(?:ところ|とこ)|"
                       r"(?:今|いま)は?(?:すやすや|スヤスヤ|ぐっすり|ぐーぐー)?(?:ok|OK|okay|オッケー|寝て|ねて|休んで|やすんで)|"
                       # back to normal (「今は普段どおり仕事にも行っています」「1分くらいで元に戻った」); nobody seizing
                       r"(?:今|いま)は?.{0,6}(?:普段どおり|ふだんどおり|普段通り|いつもどおり|いつも通り)|"
                       # the tests already done (「脳波は異常なしだったのにMRIもやるって言われた」)
                       r"(?:脳波|検査|MRI|CT)(?:は|が|で|の結果)?.{0,4}(?:異常なし|異常がなかった|正常だった)|"
                       r"(?:元に|もとに|普通に|ふつうに)(?:戻っ|もどっ)(?:た|て)|誰も(?:発作|けいれん)(?:を)?(?:起こして|おこして)(?:い)?ない|"
                       # doing something ordinary again (「10分後には起きて今スマホいじってる」「今はご飯食べてる」)
                       r"(?:今|いま)は?(?:もう)?(?:スマホ|すまほ|携帯|テレビ|てれび|ゲーム|げーむ|ご飯|ごはん|朝ごはん|昼ごはん|"
                       r"晩ごはん|お菓子|おかし|宿題|しゅくだい|仕事|しごと|お茶|おちゃ|ジュース|水)(?:を|は|も)?(?:い|み|見|た|食|飲|の|し|やっ|して)|"
                       r"(?:今|いま|現在|今日|きょう)(?:は|も|のところ)?.{0,8}(?:元気|げんき|機嫌(?:が)?(?:いい|良い|よい|なお|直)|"
                       r"きげん(?:が)?(?:いい|よい|なお)|落ち着い|おちつい|何もな|なにもな|何ともな|"
                       r"なんともな|普通に|ふつうに|普通(?=[。、！!]|$|です|だよ|だけど)|ふつう(?=[。、！!]|$|です|だよ)|大丈夫|だいじょうぶ|平気|へいき|変わりな|異常な|"
                       r"(?:薬|くすり)で(?:おさま|治ま|収ま)って(?:る|い|ま))|(?:今|いま|現在)は(?:発作|ほっさ)?(?:は|も)?(?:ない|ありません|なし)")
#: something else that did not stop or went on (a nosebleed, hiccups, a night's crying, a phone call): its duration is
#: not a seizure's (「病院からの電話が40分も続いて」「鼻血が30分くらい止まらなかった」)
_OTHER_THING = re.compile(r"(?:鼻血|はなぢ|しゃっくり|シャックリ|咳|せき|涙|なみだ|笑い|わらい|電話|でんわ|会議|説明|夜泣き|よなき|"
                          r"出血|下痢|げり|くしゃみ|鼻水|はなみず)(?:が|は|も)?[^。、？?]{0,10}?(?:止まらな|とまらな|続い|つづい|続け|つづけ)|"
                          # a baby crying, a machine stopped (「赤ちゃんが泣き止まない もう10分」「洗濯機がとまった 5分前から動かない」)
                          r"泣き止ま|なきやま|泣きやま|"
                          # (written in kanji, with its particle: 「ずっとけいれん」 holds とけい)
                          r"(?:洗濯機|時計|電車|エンジン|スマホ|パソコン|機械|エレベーター|冷蔵庫)(?:が|は|も)"
                          r"[^。、？?]{0,8}?(?:止ま|とま|動かな|うごかな|固ま|かたま)")
#: ... unless a seizure is said to go on too (「夜泣きかと思ったらけいれんが止まらない」)
_SEIZURE_GOING_ON = re.compile(_SEIZ + r"(?:が|は|も)?[^。？?]{0,8}?(?:止まらな|とまらな|止まりませ|続いて|つづいて|続いてる|おさまらな)")
#: the person already seen to by a doctor or the ambulance (「救急車で運ばれて検査して」「受診して」)
_TREATED = re.compile(r"運ばれ|はこばれ|搬送|受診し|じゅしんし|診てもら|みてもら|検査し|けんさし|家に(?:帰っ|かえっ|戻っ|もどっ)|帰宅")
#: what someone else told of (「友達が妊娠中に初めて起きたって言ってて」)
_HEARSAY = re.compile(r"って(?:言|い|聞|き)(?:って|ってた|われ|いて|いた|た)|らしい|そうです")
_JUST_NOW = re.compile(r"さっき|たった今|今さっき|先ほど|さきほど|今日(?!は(?!じめ)|も)|今朝|けさ")
# (not 「また発作が起きたら」, asked ahead)
_AGAIN = re.compile(r"マタ(?![^タ]{0,10}タラ)(?!.{0,8}(?:オキル|オコル|オキマス|オコリマス|ナル)(?:ノ|カ|ン|デショウ)?$).{0,8}"
                    r"(?:ハジマ|オキ|オコ|ケイレン|ホッサ)|クリカエ|ツギノホッサ")
#: time since the seizure ended (「発作が終わって30分たった」): a duration, but not of the seizure
_R_SINCE_END = re.compile(r"(?:オワッ|オサマッ|トマッ|ヤン)テ(?:カラ)?.{0,4}(?:\d+|[イチニサンヨゴロクナハキュウジュッ]+)"
                          r"(?:フン|プン|ブン|ジカン)(?:タッ|タチ|ケイカ|イジョウタッ)")
# a seizure placed in the past by a time word: 「昨日の発作で」「三年前に初めて」「前に会社で」; not
# 「昨日から止まらない」 (still going since then)
#: days before today, in kanji and kana, and N days, weeks, months or years ago (「先月」「せんげつ」「三年前」)
_EARLIER_DAYS = (r"昨日|昨夜|一昨日|おととい|先週|先月|去年|昨年|以前|前回|この前|先日|こないだ|この間|このあいだ|"
                 r"せんしゅう|せんげつ|きょねん|さくねん|"
                 r"[0-9一二三四五六七八九十数何]+(?:日|週間|か月|ヶ月|カ月|年|にち|しゅうかん|かげつ|ねん)も?(?:前|まえ)")
_PAST_TIME = re.compile(r"(?:" + _EARLIER_DAYS + r"|昨晩|今朝|けさ|小さい頃|子どもの頃|まえは|前は|"
                        r"ずっと前|ずっとまえ|ずっと昔|ずっとむかし|"
                        r"子供の頃|きのう|ゆうべ|いぜん|このまえ|せんじつ|ちいさいころ)(?!から|より|まで|以来|ずっと)|"
                        r"(?:^|[、。,])前に|"
                        # an age it happened at (「初めての発作は5歳のとき」)
                        r"[0-9０-９一二三四五六七八九十]+\s*(?:歳|才|さい)(?:の)?(?:とき|時|頃|ころ)")
#: a time word before 初めて: the first seizure was then (「先月はじめて発作があって」「去年の冬に初めて」)
_FIRST_BEFORE = re.compile(r"(?:" + _EARLIER_DAYS + r").{0,6}(?:初めて|はじめて|始めて)")
# 「発作から1年」「初めての発作以来3か月」: time elapsed since the seizure
_R_SINCE = re.compile(_R_SEIZ + r".{0,8}?(?:カラ|イライ).{0,5}(?:ネン|カゲツ|カ(?:ゲ)?ツ|シュウカン|ニチ|ハントシ)")
# asking ahead, to be ready: 「場合に備えて」「一応知っときたい」「念のため確認」
#: asked for later, in so many words: 「覚えておきたい」「備えて」 (not 念のため: 「止まらない、念のため救急車？」)
_FOR_LATER_WORDS = (r"研修|けんしゅう|講習|こうしゅう|勉強会|覚えておき|おぼえておき|覚えとき|おぼえとき|知っておき|しっておき|知っとき|しっとき|知っておく|備えて|そなえて|予習|"
                    r"練習|れんしゅう|準備しておき|用意しておき|"
                    # deciding beforehand who does what (「誰が時間はかるのか決めときたい」)
                    r"決めておき|決めとき|決めておく|きめておき|きめとき|"
                    # an appointment ahead (「はじめて の ほっさ の あと の のうは けんさ って いたい？ らいしゅう よやく」)
                    r"来週|らいしゅう|来月|らいげつ|予約|よやく|"
                    # telling someone beforehand (「…救急車を呼ぶよう引率の先生に伝えておくべき?」)
                    r"伝えておく|つたえておく|伝えておき|つたえておき|伝えとく|つたえとく|お願いしておく|頼んでおく")
_FOR_LATER = re.compile(_FOR_LATER_WORDS)
_PREPARE = re.compile(_FOR_LATER_WORDS + r"|念のため|念の為|一応知|確認したい|確認しておき")
#: what is given or done *for* the situation (「5分以上続いたときに使う坐薬」): a question about the remedy
#: and what was seen once (「…を見たことがあって」): each withdraws the alarm only when nothing says it is happening
_FOR_WHEN_RE = re.compile(
    r"(?:たら|たとき|た時|ときに|時に|場合に)(?:使う|つかう|使え|つかえ|入れる|いれる|飲む|のむ|飲ませる|のませる)|"
    # keeping it from happening (「お風呂で溺れないように」「倒れてもけがしないよう」)
    r"(?:とき|時|場合)用(?:に|の)|"
    r"(?:溺れ|おぼれ|倒れ|たおれ|打た|うた|起き|おき|起こさ|おこさ)ない(?:よう|ため)|(?:けが|ケガ|怪我|やけど|火傷)を?しない(?:よう|ため)|"
    r"こと(?:が)?あっ")
#: what is always so (「いつものこと」「毎回そう」): a habit, not a crisis
_ALWAYS_SO = r"いつもそう|いつもこう|いつものこと|毎回そう|まいかいそう|いつもの(?:パターン|感じ|かんじ)"
#: a question about people in general (「はじめて発作を起こした人は、みんな薬を飲むの？」), about when something
#: happened (「初めて発作を起こしたのは3歳のときでした」), comparing it with something else (「妊娠中のけいれんと、
#: てんかんの発作は違うの？」) or worrying that it might happen: withdraws the alarm unless something is said to
#: be going on now
_GENERAL = re.compile(r"(?:た|る)(?:人|子|子ども|子供|方)(?:は|って|では|でも)|(?:ない|た|る)(?:人|ひと|子|方)(?:も|は|って)(?:いる|いま|多い|おおい)|(?:た|だ)のは|と.{0,24}(?:違うの|ちがうの|(?:違い|ちがい)(?:は|が|を|って|[？?]|$)|区別|見分け)|"
                      # a worry about what might happen (「お風呂で発作が起きないか心配で、シャワーにしてる」)
                      r"(?:起き|おき|起こさ|おこさ|なら|なり|出|し)ないか(?:心配|不安|しんぱい|ふあん|こわ|怖)|"
                      # the day it happened, what it costs, how many days or months (「初めて発作を起こした日のこと」
                      # 「救急車を呼んだら、費用はかかる？」「頭を打ったあと、何日くらい様子を見れば」)
                      r"た日(?:の|に|は)|費用|料金|お金|いくら|保険|修理|弁償|何日|何週間|何か月|何ヶ月|何カ月|何年|"
                      # thanks for help given then (「はじめて発作おこしたとき付き添ってくれた同僚にお礼したい」)
                      r"お礼|おれい|(?:とき|時)に?[^。？?]{0,12}?て(?:くれた|もらった)|"
                      # what follows a seizure, in general (「初めての発作のあとってすぐ薬を飲み始めるの？」)
                      r"(?:発作|ほっさ|けいれん|痙攣|ひきつけ)の(?:あと|後)(?:って|は(?=いつも|毎回|たいてい|だいたい))|"
                      # free of seizures since (「…倒れてから今まで無発作です」)
                      r"無発作|"
                      # no seizure, said of now (「熱出してるけどけいれんはしてない」)
                      r"(?:発作|ほっさ|けいれん|痙攣|ひきつけ)(?:は|も)(?:して|起きて|おきて|出て|でて)(?:い)?(?:ない|ません)|"
                      # seizures that did not happen for a time (「妊娠中はずっと発作なかったけど、…寝不足になるのが心配」)
                      r"(?:発作|ほっさ|けいれん)(?:は|が|も)?(?:なかった|なかっ|ありませんでした)|"
                      # ... or not once since (「3年間発作が一度も起きていません」)
                      r"(?:一度も|いちども|1回も|一回も)[^。？?]{0,4}?(?:起き|おき|起こし|おこし|出|で)て(?:い)?(?:ない|ません|な[いく])|"
                      # whether doing something brings a seizure on (「タトゥー入れても発作おきない？」), or the days without one
                      # (「けいれんが起きない日はお風呂入ってもいい？」): questions about life
                      r"(?:ても|でも)[^。？?！!]{0,6}(?:発作|ほっさ|けいれん)(?:が|は|とか)?(?:起き|おき|起こら|おこら|出|で)ない"
                      r"(?:[？?]|の|か|かな|なら)|(?:発作|ほっさ|けいれん)(?:が|の)?(?:起き|おき|出|で)ない(?:日|とき|時|期間|間)|"
                      # whether something brings one on at all (「strobe lightで発作でる？」): the plain form asked
                      r"(?:で|して|すると|したら|って)(?:発作|ほっさ|けいれん)(?:が|って|は)?(?:出る|でる|起きる|おきる|起こる|おこる)"
                      r"(?:の|こと|か|かな)?(?:[？?]|って本当|ってほんと)|"
                      # what has never happened (「発作で倒れたことは一度もありません」), not what was never said
                      # (「てんかんと言われたことない」「そんな話聞いたことない」: a first seizure)
                      r"(?<!言われ)(?<!いわれ)(?<!聞い)(?<!きい)(?<!診断され)(?<!しんだんされ)(?<!指摘され)(?<!してき)"
                      r"(?:た|だ)こと(?:は|が|も)?(?:一度も|いちども|1回も|一回も|まだ)?(?:ない|なく|ありませ|なかっ)|"
                      # seen in the news or a drama (「ニュースで運転中に発作を起こした事故を見て」), what happens whenever
                      # something does (「パニックになると息が苦しくなる」) or how two things are linked (「過呼吸って発作と関係ある？」)
                      r"(?:ニュース|ドラマ|映画|テレビ|動画|ネット|記事|漫画|マンガ|アニメ|ユーチューブ|YouTube|ゲーム|小説|物語|作品|"
                      r"舞台|キャラ)(?:で|の|が)|演出|描写|"
                      # what is always so (「after the seizure he sleeps 2 hours、いつもそう」)
                      + _ALWAYS_SO + r"|"
                      r"(?:になると|すると|なると).{0,12}(?:なる|なります)(?:[。、？?!！]|$)|と(?:は)?(?:関係|関連)(?:ある|あり|が|は|って)")
#: a question quoted as one to ask someone (「5分以上続いたら病院？って先生に聞くの忘れた」)
_ASKED_SOMEONE = re.compile(r"[？?]\s*って\s*(?:先生|医師|主治医|医者|看護師|薬剤師|病院)?(?:に|へ)?\s*(?:聞|きく|きき|きけ|相談|そうだん)")
# (what happens now and then: 「呼んでも返事がないことが何度かありました」「…ことが 1日に なんかいも ある」; what a state
# is called: 「…何回も続くのは何て状態？」)
_ABOUT = re.compile(r"ってどんな|とはどんな|ってなに|って何|とは何|とは[？?]|って(?:ある|あり)|こと(?:が)?(?:ある|あり)|"
                    r"こと(?:が|も)?\s*(?:何度か|何回か|何度も|何回も|なんどか|なんかいか|なんども|なんかいも|よく|たまに|時々|ときどき|"
                    r"(?:1|一|いち)日に\s*(?:何回も|何度も|なんかいも|なんども))\s*(?:ある|あり)|"
                    r"(?:何て|なんて|何と|なんと)(?:いう|言う)?\s*(?:状態|名前|病気|症状)|"
                    r"場合の|の場合|場合[にはで、]|ときの|時の|ときって|時って|よくある|よくあり|"
                    # whether a thing is so (「…次の発作が来るのが重積って本当？」「…紫っぽくなるのは危ないサイン？」)
                    r"って(?:本当|ほんと|ホント)|というのは(?:本当|ほんと)|なる(?:の|こと)(?:は|って)|"
                    # why a thing is done or not, in which situations, how long it lasts as a rule (「…飲ませちゃだめなのは
                    # なぜ？」「動かしていいのは、どんなとき？」「青白いのはいつまで続くもの？」)
                    # a dream (「けいれんが とまらない ゆめを みて」)
                    r"(?:夢|ゆめ)(?:を|で|の)|"
                    r"の(?:は|って)(?:なぜ|なんで|どうして)|(?:どんな|どういう)(?:とき|時|場合)|続く(?:もの|もん)(?:なの)?[？?]|"
                    # whether it is usual (「けいれんのあと寝てしまうのは普通？」), what one does in such a case (「意識が
                    # もどらないときはどうするの」)
                    r"のは(?:普通|ふつう|フツウ|よくある|当たり前|あたりまえ)|って(?:普通|ふつう)(?:なの|です|[？?])|"
                    r"(?:これ|それ)(?:って|は)?\s*(?:普通|ふつう)(?:なの|です|[？?])|"
                    # what a state is called (「発作がくりかえして意識がもどらないのを重積っていうんですか？」)
                    r"(?:の|こと)を[^。？?]{0,12}(?:って|と)(?:いう|言う|呼ぶ|よぶ)(?:ん|の|[？?])|"
                    # whether a thing is allowed (「けいれん してる とき くち に ものを いれちゃ だめ なの？」), what a kind of
                    # seizure means (「呼吸が止まってるように見える発作は危ない？」)
                    r"(?:ちゃ|じゃ|ては|では)(?:だめ|ダメ|いけない)(?:なの|なん|です|[？?]|$)|ように見える(?:発作|ほっさ|けいれん)|"
                    # how a kind of seizure is treated (「…繰り返す群発発作は、どのように治療するのですか」)
                    r"(?:どのように|どうやって|どう)(?:治療|ちりょう|治す|なおす|治せ|なおせ)|治療法|"
                    # whether that is what a word means (「…次の発作が来るのが重積ってこと？」)
                    r"って(?:こと|事)(?:[？?]|ですか|なの|だよね|でしょうか|$)|"
                    r"(?:とき|時|場合)(?:は|に)(?:どう|何を|なにを|なに)(?:する|すれば|したら)|"
                    # heard of (「こきゅう が とまる ほっさ って きいて こわくなった」)
                    r"って\s*(?:聞い|きい)(?:た|て)")
_R_ABOUT = re.compile(r"(?:ナル|スル|オキル|デル|ツヅク)(?:ホッサ|ケイレン)(?:ッテ|ハ)(?!イマ)|"
                     # 「はじめて ほっさ が おきた とき は なにか に かいて おいた ほうが いい？」: what to do when it happened,
                     # asked generally
                     r"(?:オキ|オコッ|オコシ)タ(?:トキ|バアイ)ハ.{0,16}(?:ホウガイイ|ベキ|イイノ|イイデスカ)|ッテドンナ|トハドンナ|ッテナニ|ッテナン|ッテ(?:アル|アリ)|コト(?:ガ)?(?:アル|アリ)|バアイノ|トキノ|トキッテ|ヨクア(?:ル|リ)")
_PAST = re.compile(r"(?:以前|(?<![るうくぐすつぬぶむ])前に|昔|むかし|この前|先日|去年|昨年|先週|先月|小さい頃|子どもの頃|子供の頃).{0,40}"
                   r"(?:ことがある|ことがあった|ことあった|ことある|ことがありました|ありました|ました。|ました$)")
#: a seizure lived before, said as an experience (「10分以上止まらなかったことがある」「続いたことがあります」)
_EXPERIENCED = re.compile(r"(?:[たで]|ない)こと(?:が|も|は)?(?:[^。？?]{0,10}?(?:だけ|一度|いちど|1回|1かい|一回|何度か|何回か))?"
                          r"(?:ある|あります|あった|ありました|あって|あり、)")
#: ... or never lived (「5分以上続いたことは一度もないです」)
#: (only of the seizure lasting or coming: 「てんかんなんて言われたことない」 says a first seizure, the alarm's case)
_NEVER = re.compile(r"(?:続い|つづい|止まらなかっ|とまらなかっ)たこと(?:は|が|も)?(?:一度も|いちども|1回も|一回も|まだ)?"
                    r"(?:ない|ありません|なかった|ありませんでした)")
#: (not 「いつもより」「普段と違う」: the message compares this seizure with the usual one, as an emergency does: 「発作が
#: いつもより長くてもう5分こえた 止まる気配なし」 read as the habit of stopping)
_USUALLY = r"(?:(?:いつも|普段|ふだん)(?!より|と(?:違|ちが)|以上|いじょう)|毎回|いつもの)"
_HABIT = re.compile(_USUALLY + r".{0,24}?(?:すぐ)?(?:戻|もど|回復|回福|おさま|治ま|収ま|止ま|とま)|"
                    # 「いつも30分くらいぼーっとしてるけどそのあと普通に話せるようになる」
                    + _USUALLY + r".{0,30}?(?:普通に|ふつうに|元に|もとに|元通り|もとどおり|ちゃんと(?:話|はな))|"
                    + _ALWAYS_SO)
_R_HABIT = re.compile(r"(?:(?:イツモ|フダン)(?!ヨリ|ト(?:チガ)|イジョウ)|マイカイ).{0,24}?(?:スグ)?(?:モド|カイフク|オサマ|トマ)")
# 「5分以上続いたら救急車？」「水の中で発作が起きたらどうする？」: the situation in the conditional
# is asked about ahead of time. It withdraws the alarm only when nothing in the message says the
# event is happening or has just happened (a now-word above, or 続いてる・起こした・倒れた …).
# (「起きて、どうしたらいい」 asks what to do now: どうしたら is not a conditional about the event)
_R_HYPOTHETICAL = re.compile(
    r"(?:" + _R_SEIZ[3:-1] + r"|フン|プン|イジョウ|ナカ|プール|フロ|ウミ|カワ|ヨクソウ)(?:ガ|ヲ|デ|ニ|ハ)?.{0,6}"
    r"(?:ツヅイ|オキ|オコッ|オコシ|(?<!ドウ)シ|ナッ|トマラナカッ|トマンナカッ|オサマラナカッ|ハイッ|オボレ|トマッ)タラ|"
    r"(?:ツヅク|オキル|オコル|ナル)(?:バアイ|トキ|ナラ)|(?:ホッサ|ケイレン)(?:ヲ|ガ)?(?:オコス|オキル|オコル)ト(?!キ|コロ)|(?:ノ|ナ)(?:バアイ|トキ)(?:ハ|ニ|ノ|ッテ|ナニ|ドウ|ナン|ドンナ)|"

    # 「…発作のとき、周りの人は何をすればいい？」: what to do when it happens, asked in general
    r"(?:ノ|ナ)(?:バアイ|トキ).{0,12}(?:ナニ|ナン)ヲ(?:スレバ|シタラ|スル)")
_R_HAPPENING = re.compile(r"(?:ツヅイテ(?:ル|イ|マ)|トマラナ|トマリマセ|トマンナ|トマンネ|トマラン|オサマラナ|オサマリマセ|"
                          r"オワラナ|ヤマナ)(?!カッタラ|イバアイ|イトキ|イナラ|クナッタラ|クナッタトキ|クナルトキ|クナルバアイ)|"
                          # (not 「起こしたことはありません」: never happened)
                          # (nor 「はじめて発作おこしたとき付き添ってくれた同僚」: when it happened, said of the past)
                          # (nor 「発作が一度も起きていません」: not happening, in so many words)
                          r"オコシ(?:タ(?!ラ|トキ|コト(?:ハ|ガ|モ)?(?:ナ|アリマセ))|テ(?!イマセ|イナ|マセ|ナイ|ナカ)|マシ)|"
                          r"オキ(?:タ(?![ライ]|トキノタメ|コト(?:ハ|ガ|モ)?(?:ナ|アリマセ))|テ(?:ル|イ(?!マセ|ナ)|マ(?!セ)))|"
                          r"タオレ(?:タ(?!トキ|コト(?:ハ|ガ|モ)?(?:ナ|アリマセ|イチド))|テ)|"
                          # a seizure or a state done now (けいれんしてる, ぐったりしている), not any する (「一人暮らしを
                          # している母が、お風呂で発作を起こしたら」 is a conditional about a life, not a crisis)
                          r"(?:ケイレン|ヒキツケ|ホッサ|ピク|ビク|ガク|ガタ|ブル|ヒク|グッタリ|ボー(?:ッ)?ト?|ボンヤリ|ハアハア|"
                          r"ゼー|ゼイ|モウロウ(?:ト)?|フラフラ|ツッパ|ソリカエ|ジタバタ|バタバタ|ケイシュク)(?:ヲ)?"
                          r"シテ(?:ル|イル|イマス|テ)|"
                          r"ナッテ(?:ル|イル)|ハジマッ(?!タトキ(?:カラ)?(?:カゾ|ハカ))|ウッタ(?!トキ|ラ|コト|バアイ)|"
                          # blood coming out (チガデテル), not the チガ inside ウチガワ (内側), ツウチガ (通知が), マチガイ
                          r"(?<![ウツマイ])チガ(?:デ|ト|ナガ|タクサン|イッパイ|ドバ|ダラ|タラ|デテ)|ヨン(?:ダ(?!ホウガ|ホウ)|デ(?!イイ|モイイ|ホシ|モラ))")

#: kinds a habitual quick recovery speaks against (a first seizure, an injury, water or
#: pregnancy stay emergencies however it ended)
_HABIT_KINDS = {"long_seizure", "repeated_seizures", "no_recovery", "breathing"}


#: a seizure going on as the message is written (「止まらない」「続いてる」), not one that did not stop
#: before (「止まらなくて運ばれた」) or a kind of seizure (「止まらない発作」「続いているときは」)
_R_GOING_ON = re.compile(r"(?:トマラナイ|トマンナイ|トマラン|オサマラナイ|オワラナイ|ヤマナイ|トマリマセン|オサマリマセン)"
                         r"(?!デシタ|ホッサ|ケイレン|トキ|バアイ|コト|ノ|ヨウ|ナラ|ジキ|キカン|(?:ッテ|ト)(?:ソウダン|イッタラ|ハナシタラ|ツタエタラ))|"
                         r"ツヅイテ(?:ル|イル|イマス)(?!トキ|バアイ|コト|ノ|ナラ)|"
                         r"(?:チ|シュッケツ)(?:ガ|モ)?(?:デテ(?:ル|イル|イマス)|トマラナイ)(?!トキ|バアイ|コト|ノ|ナラ)|"
                         # the person's colour, breath or the water, now or just found (紫になってる, 息が弱い, 沈んでた)
                         r"(?:ムラサキ|アオ|マッサオ|ツチケイロ|アオジロ)(?:イロ)?(?:ニ)?(?:ナッテ(?:ル|イル|イマス)|ダ(?!ッタ)|デス)"
                         r"(?!トキ|バアイ|コト|ノ|ナラ)|(?:シズン|オボレ)(?:デ|テ)(?:タ|ル|イル|イタ|イマス)(?!トキ|バアイ|コト|ノ|ラ)|"
                         r"(?:イキ(?:ガ)?(?:ヨワイ|アサイ|クルシソウ|ヘン)|カオイロ(?:ガ)?ワルイ)(?!トキ|バアイ|コト|ノ|ヒ|ナラ)|"
                         r"(?:カオ|クチビル|カオイロ|ハダ)(?:ガ|モ)?(?:ムラサキ|マッサオ|アオ|ツチケイロ|アオジロ)(?:イロ)?"
                         r"(?=$|ダ(?!ッタ)|デ(?!キ|シタ)|ケド|ナンダ|ッ(?!ポ)|[、。,，!！?？]|カオ|ハダ|イキ)|"
                         r"(?:カオ|クチビル|カオイロ|ハダ)(?:ガ|モ)?(?:アオイ|アオジロイ|ワルイ)(?!トキ|バアイ|コト|ノ|ヒ|ナラ)|"
                         # not waking (「ずっと寝てて起きない」), not 「起きないように」「起きないか心配」, nor a seizure that does
                         # not happen (「タトゥー入れても発作おきない？」)
                         r"(?<!ホッサガ)(?<!ホッサハ)(?<!ホッサモ)(?<!ホッサ)(?<!ケイレンガ)(?<!ケイレン)(?<!ホッサトカ)(?<!ホッサッテ)"
                         r"(?:オキ|メザメ)ナイ(?!トキ|バアイ|コト|ノ|ヨウ|カ|ナラ|ヒ)")


def _going_on(read: str) -> bool:
    """Does the message (as read) say a seizure, or the state after one, is going on as it is written?"""
    return bool(_R_GOING_ON.search(read) or _R_STATE_NOW.search(read))


#: where a clause ends: punctuation (not the comma after a topic: 「…次の発作がくる状態って、なんていう名前？」
#: is one question), or a space after a clause's last word (「いつもは すぐ とまるのに けいれん とまらない」)
_CLAUSE = re.compile(r"(?<!って)(?<!とは)(?<!のは)[、,，]+|[。．!！?？]+|(?:(?<=けど)|(?<=のに)|(?<=けれど)|(?<=だが)|(?<=すが)|(?<=ケド)|(?<=ノニ))\s+")


def _going_on_elsewhere(text: str, cue: re.Pattern, r_cue: re.Pattern | None = None, happening: bool = False) -> bool:
    """Does a clause the question about the situation does not reach say something is going on?
    「発作ってよくあるけど、けいれんが止まらない」 asks nothing about seizures in general: its second clause is
    happening; 「救急車って費用かかるよね、顔が紫になってる」 asks about costs beside a crisis. (Naming an emergency
    is not enough: 「はじめてのけいれんで救急車を呼んだら、費用はかかる？」 describes the situation it asks about.)
    ``text``: the message as written, spaces kept. A clause any match of ``cue`` overlaps (「妊娠中のけいれんと、
    てんかんの発作は違うの？」 is one comparison across the comma) belongs to the question. ``happening``: a clause
    that says it is happening (:data:`_R_HAPPENING`: 「隣で息子が初めてけいれんしてる」) counts too."""
    clauses, pos = [], 0
    for part in _CLAUSE.split(text):
        c = re.sub(r"\s+", "", part)
        clauses.append((pos, pos + len(c), c))
        pos += len(c)
    written = "".join(c for _, _, c in clauses)
    spans = [m.span() for m in cue.finditer(written)]
    for a, b, c in clauses:
        if not c or any(x < b and a < y for x, y in spans) or cue.search(c):
            continue
        read = re.sub(r"\s+", "", reading(c))
        if r_cue is not None and r_cue.search(read):
            continue
        if _going_on(read) or (happening and _R_HAPPENING.search(read)):
            return True
    return False

#: kinds that describe the person's state rather than the seizure
_STATE_KINDS = {"no_recovery", "breathing"}
#: the state said in the present (反応しない, 息してない), not in the past (反応しなかった)
_R_STATE_NOW = re.compile(r"(?:(?:ハンノウ|ヘンジ|コタエ)(?:ガ|モ)?(?:シナイ|ナイ|アリマセン)|"
                          r"(?:イキ|コキュウ)(?:ヲ|ガ)?(?:シテナイ|シテイナイ|シテネ|シテイマセン|シテマセン|トマッテル|トマッテイ|デキナイ|デキマセン)|"
                          r"イシキ(?:ガ)?(?:モドラナイ|モドッテナイ|ナイ)|メヲサマサナイ|メヲアケナイ)(?!トキ|コト|バアイ|ノ|ヨウ|デシタ|ホッサ)")


#: a figure of speech (「息が止まるほど驚きました」「息が止まりそうなくらい緊張した」)
_FIGURE = re.compile(r"(?:息|いき)(?:が|も)?(?:止まる|とまる|止まり|とまり|詰まる|つまる)(?:そう)?(?:な)?(?:ほど|くらい|ぐらい)")
#: planning a pregnancy, not pregnant (「妊娠を考えていて」「妊活中」), unless said to be pregnant now
_PLANNING = re.compile(r"妊娠を(?:考え|希望|予定|計画)|妊活|にんかつ|これから妊娠|子ども(?:を|が)(?:つく|作|ほし|欲し)")
_PREGNANT_NOW = re.compile(r"妊娠中|妊婦|妊娠\s*(?:\d+|[一二三四五六七八九十]+)\s*(?:か月|ヶ月|カ月|週)|おなかに赤ちゃん|お腹に赤ちゃん")
#: a period of the illness (「発作がまだ止まらない時期」)
_PERIOD = re.compile(r"(?:止まらない|とまらない|おさまらない|続く|つづく|ある|多い)(?:時期|期間|じき|きかん)")
#: how often something happens (「たまに」「ときどき」「しょっちゅう」)
_OFTEN = re.compile(r"たまに|ときどき|時々|時たま|ときたま|しょっちゅう|たびたび|度々|ちょくちょく|何度か|なんどか")
#: a laugh typed after Japanese (「発作おきそうｗ」「…と思った(笑)」): a joke or a figure of speech, not a crisis
_LAUGH = re.compile(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])[wｗ]+(?![a-z])|[（(]笑[)）]|笑(?=$|[。！!？?、])")

#: something to read or look at about it (「…人の体験談を読みたい」「…寝かせ方をイラストで見たい」)
_TO_READ = re.compile(r"(?:体験談|体験記|イラスト|図解|図|動画|写真|資料|パンフレット)(?:を|で|が)?(?:読み|よみ|見|み)(?:たい|せて)|"
                      # someone else's story heard (「ママ友の子がプールで発作を起こして溺れかけた話を聞いて」)
                      r"(?:話|はなし)を(?:[^。？?]{0,6}(?:から|に))?(?:聞い|きい|聞き|きき)|って(?:話|はなし)(?:聞い|きい)(?!たこと)|(?:聞い|きい)た(?:話|はなし)|の(?:話|はなし)(?:だと|では|によると)|"
                      # what was reported to the doctor (「発作が止まらないって相談したら薬を増やされて」)
                      r"(?:って|と)(?:相談|そうだん)(?:したら|して|した)")
#: a scene of fiction (「ゲームでキャラが発作で倒れて頭から血出てるシーン」「…って実際もあんな感じ？」): what is
#: described happens on a screen or a page, whatever state it names (the plain media words 「ドラマで」「ゲームの」 are
#: left to :data:`_GENERAL`, which keeps the alarm when something goes on: 「ゲームの途中で息子がけいれん、止まらない」)
_FICTION = re.compile(r"キャラ(?:クター)?(?:が|の)|登場人物|主人公|演出|描写|(?:テレビ|番組|特集|ニュース|記事|雑誌|講習|授業)[^。？?]{0,40}?(?:って|と)(?:言って|いって|書いて|かいて)(?:た|い|あっ)|(?:場面|シーン)(?:が|を|で|は|に)?(?:あっ|見|み|書|かい|描)|"
                      r"(?:実際|現実)(?:も|は|に|で|の)|リアル(?:[？?]|なの|です|かな)|"
                      r"(?:ドラマ|映画|アニメ|漫画|マンガ|小説|ゲームの中)で(?!遊|あそ)|"
                      # a seizure video online, or one suspected of acting (「ユーチューバーの発作動画、意識がないふりしてない？」)
                      r"(?:発作|ほっさ|けいれん)動画|(?:ふり|フリ)(?:を)?(?:して|じゃ)|演技|"
                      # a video seen online (「TikTokでみた人、ゲーム中にいきなりガクガクしてた」)
                      r"(?:(?i:tiktok|youtube)|ティックトック|ユーチューブ|インスタ|動画|配信)(?:で|に)(?:見|み|観)(?:た|て)")


#: an explicit if (「もし…たら」「仮に」)
_IF = re.compile(r"もし(?!か)も?(?!し)|仮に|かりに|万が一|万一|まんがいち")
#: a dream (「ハツサ トマラナイ ユメ ミタ コワイ」): nothing it shows is happening
_DREAM = re.compile(r"(?:夢|ゆめ|ユメ)(?!じゃ|ジャ)(?:を|ヲ)?(?:見|み|ミ)(?:た|タ|る|ル|ま|マ)|(?:夢|ゆめ|ユメ)(?:の中|のなか|ノナカ)|悪夢|あくむ")
#: the situation dreaded or kept from happening, or others' experience of it asked for: 「5ふんいじょう とまらない ほっさ が
#: くる のが こわい」「…唇が紫になったらとか考えると眠れない」「頭から血が出るほどの転倒を防ぐには？」「止まらない発作を経験した人、
#: その後の後遺症ある？」
_DREADED = re.compile(r"(?:くる|来る|起きる|おきる|起こる|おこる|なる)(?:の|こと)(?:が|も)?(?:怖|こわ|コワ|不安|ふあん|心配|しんぱい)|"
                      r"(?:とか|って)(?:考え|かんがえ|想像|そうぞう)|とか(?:怖|こわ|コワ|不安|心配)|"
                      r"(?:防ぐ|ふせぐ|防げ|ふせげ|予防|よぼう)(?:には|ため|方法|ほうほう|コツ|こつ|工夫|くふう|[？?]|$)|"
                      r"(?:経験|体験)(?:した|のある|がある|ある)(?:人|方|ひと|かた)|"
                      # a worry that shapes what one does (「お風呂は発作が心配なのでシャワーだけにしてます」)
                      r"(?:が|は)(?:心配|しんぱい|不安|ふあん|怖い|こわい)(?:なので|だから|なんで)")


def _said_before(written: str, read: str) -> bool:
    """Does the message place the seizure before now (「先月」「以前…ことがある」「発作を起こしてから1か月」)?"""
    return bool(_PAST.search(written) or _PAST_TIME.search(written) or _R_SINCE.search(read))


def _about_not_now(written: str, read: str, found: set[str], spaced: str = "") -> set[str]:
    """The kinds withdrawn because the message asks about the situation rather than living it."""
    if (_LAUGH.search(written) or _FIGURE.search(written)) and not _going_on(read):
        return set(found)
    if (_FICTION.search(written) or _TO_READ.search(written)) and not _STRONG_NOW.search(written):
        return set(found)
    if _DREAM.search(written) and not _STRONG_NOW.search(written):
        return set(found)
    # 「もし発作が5分以上止まらなかったらどうすればいいですか」: an explicit if with a conditional asks ahead, どうすれば and all
    if _IF.search(written) and _R_HYPOTHETICAL.search(read) and not (
            _STRONG_NOW.search(written) or _going_on(read) or _going_on_elsewhere(spaced or written, _IF, happening=True)):
        return set(found)
    # a seizure before, seen to, and a worry about something else (「去年プールで発作起こして救急搬送されたけど、今年の水泳
    # 授業どうしよう」): its どうしよう is not a panic
    if _said_before(written, read) and _TREATED.search(written) and not (
            _going_on(read) or _STRONG_NOW.search(written) or _JUST_NOW.search(written)
            or _going_on_elsewhere(spaced or written, _PAST_TIME, happening=True)):
        return set(found)
    # someone's story heard, already seen to (「旦那の妹の友達が初めての発作で救急搬送されたらしい」)
    if _HEARSAY.search(written) and _TREATED.search(written) and not (_going_on(read) or _STRONG_NOW.search(written)
                                                                      or _going_on_elsewhere(spaced or written, _HEARSAY, happening=True)):
        return set(found)
    if _DREADED.search(written) and not (_going_on(read) or _STRONG_NOW.search(written)
                                         or _going_on_elsewhere(spaced or written, _DREADED, happening=True)):
        return set(found)
    # the next time (「次に5分以上続いたらどうすればいいか教えて」): asked ahead, どうすれば and all
    if _NEXT_TIME.search(written) and not (_going_on(read) or _STRONG_NOW.search(written) or _R_HAPPENING.search(read)):
        return set(found)
    if _CALM_NOW.search(written) and not (_going_on(read) or _AGAIN.search(read)):
        # well now after a seizure a moment ago: a first seizure, an injury, water or pregnancy
        # still need a doctor today (as after a habitual quick recovery); the n-gram model's general alarm
        # (urgent) is withdrawn with the seizure kinds. A person who does not answer or breathe is not well,
        # whatever "calm" refers to (「今は落ち着いたけど呼んでも反応しない」); nor is a seizure that stopped and
        # started again (「もう止まったと思ったらまた始まった」)
        # (seen to already: 「今朝初めてけいれんを起こして救急車で運ばれて検査して今は家に帰ってきた」)
        # (no time said is taken as a moment ago: 「初めて夫がひきつけを起こした。今は寝てる」; a time before today, 「先月」,
        # says the first seizure was seen to)
        recent = _JUST_NOW.search(written) or (
            _R_HAPPENING.search(read) and not (_said_before(written, read) or _EXPERIENCED.search(written)
                                               or _R_HYPOTHETICAL.search(read) or _HEARSAY.search(written)
                                               or _ONLY_ASKING.search(written)))
        withdrawn = found & (_HABIT_KINDS | {"urgent"}) if recent and not _TREATED.search(written) else set(found)
        return withdrawn - _STATE_KINDS if _R_STATE_NOW.search(read) else withdrawn
    if _FOR_LATER.search(written) and not (_STRONG_NOW.search(written) or _R_HAPPENING.search(read)):
        return set(found)
    # time since the seizure (「初めて発作を起こしてから1か月、ずっと不安です」): ずっと is not the seizure going on
    if _R_SINCE.search(read) and not _going_on(read):
        return set(found)
    # 「妊婦さんが発作を起こしたら周りはどうすればいい？」: a conditional asks ahead even with どうすれば, which
    # otherwise reads as a panic; not with a strong now-word or something happening
    # (a duration is left to the rule below: 「けいれん5分以上続いたら救急車？」 typed in a hurry keeps the alarm)
    if _R_HYPOTHETICAL.search(read) and not (_STRONG_NOW.search(written) or _R_HAPPENING.search(read)
                                             or _going_on(read) or _R_NOW_STRONG.search(read)
                                             or _DURATION_NOW.search(written)):
        return set(found)
    if _NOW.search(written) or _R_NOW.search(read):
        return set()
    # a seizure lived before, said as an experience (「10分以上止まらなかったことがある」), unless one is going on now
    if (_EXPERIENCED.search(written) or _NEVER.search(written)) and not _going_on(read):
        return set(found)
    if _DURATION_NOW.search(written) and (_R_HAPPENING.search(read) or not (
            _ONLY_ASKING.search(written) or _PAST.search(written) or _PAST_TIME.search(written)
            or _FOR_WHEN_RE.search(written) or _ASKED_SOMEONE.search(written))):
        return set()
    if (_ABOUT.search(written) or _R_ABOUT.search(read)) and not _going_on_elsewhere(spaced or written, _ABOUT, _R_ABOUT):
        return set(found)
    if _FOR_WHEN_RE.search(written) and not (_R_HAPPENING.search(read) or _going_on(read)
                                             or _going_on_elsewhere(spaced or written, _FOR_WHEN_RE)):
        return set(found)
    if _GENERAL.search(written) and not (_going_on(read) or _going_on_elsewhere(spaced or written, _GENERAL)):
        return set(found)
    # what happens now and then (「娘がたまに数秒ぼーっとして呼んでも反応ないの」): a pattern to ask about, not a crisis
    if _OFTEN.search(written) and not (_going_on(read) or _STRONG_NOW.search(written)):
        return set(found)
    if _ASKED_SOMEONE.search(written) and not (_R_HAPPENING.search(read) or _going_on(read)):
        return set(found)
    # a seizure before (「前にもこういうことがあって」「先週も」「去年運ばれたことがある」) says nothing of the
    # one going on now
    if _said_before(written, read) and not _going_on(read):
        return set(found)
    # 「念のため」 asks ahead, and so does 「もし…たら」, unless the message says it is happening (「止まらない、念のため
    # 救急車？」)
    if (_PREPARE.search(written) or _ONLY_ASKING.search(written)) and not (_R_HAPPENING.search(read) or _going_on(read)):
        return set(found)
    if _R_HYPOTHETICAL.search(read) and not (_R_HAPPENING.search(read) or _going_on(read)):
        return set(found)
    if (_HABIT.search(written) or _R_HABIT.search(read)) and not _going_on_elsewhere(spaced or written, _HABIT, _R_HABIT):
        # (and the n-gram model's general alarm: 「けいれんは1分で止まっていつも通り意識も戻ったけど、今日はお風呂入っていい？」)
        return found & (_HABIT_KINDS | {"urgent"})  # 「いつもはすぐ止まるのに、けいれんが止まらない」 is not the habit
    return set()


@lru_cache(maxsize=512)
def emergency_views(text: str) -> tuple[str, str]:
    """The two forms the patterns read: (as written, as read), English words in Japanese."""
    s = re.sub(r"\s+", "", normalize(from_english(text or "")))
    return s, re.sub(r"\s+", "", reading(s)) if s else ""


def ngram_counts(text: str) -> Counter:
    """Character 1–3-grams of the message as written (``w:``) and 2–4-grams as read (``r:``)."""
    written, read = emergency_views(text)
    c: Counter = Counter()
    for prefix, s, sizes in (("w:", written.lower(), (1, 2, 3)), ("r:", read.lower(), (2, 3, 4))):
        for n in sizes:
            c.update(prefix + s[i: i + n] for i in range(len(s) - n + 1))
    return c


class NgramModel:
    """Logistic regression over tf-idf character n-grams (each view l2-normalised on its own), the
    weights learnt by :mod:`eval.emergency_model`. It generalises past the patterns' wording:
    trained without a batch of messages, it found 28 of that batch's 30 emergencies (the patterns
    of the time 23) with one false alarm among its 30 look-alikes."""

    def __init__(self, data: dict):
        self.idf: dict[str, float] = data["idf"]
        self.coef: dict[str, float] = data["coef"]
        self.intercept = float(data["intercept"])
        self.threshold = float(data.get("threshold", 0.5))

    def probability(self, text: str) -> float:
        z = self.intercept
        counts = ngram_counts(text)
        for prefix in ("w:", "r:"):
            vec = {g: (1 + math.log(k)) * self.idf[g] for g, k in counts.items()
                   if g.startswith(prefix) and g in self.idf}
            norm = math.sqrt(sum(v * v for v in vec.values()))
            if norm:
                z += sum(v * self.coef[g] for g, v in vec.items()) / norm
        return 1 / (1 + math.exp(-z))

    def says_emergency(self, text: str) -> bool:
        return self.probability(text) >= self.threshold


@lru_cache(maxsize=1)
def _default_model() -> NgramModel | None:
    return load_learnt(MODEL_FILE, NgramModel, "only the patterns recognise emergencies")


_DEFAULT = object()

#: 始め after a verb's stem (飲み始め, 使い始め, 降り始め): "begin to", which reads like 初めて (ハジメテ, the first
#: time) in the reading view; after a noun (「今日始めて発作」) it is 初めて mistyped, and stays
_BEGINS_TO = re.compile(r"(?<=[みいきしちびりぎじせけべめれえ])始め")


def _kinds(patterns: dict[str, list[re.Pattern]], s: str, seizure: bool) -> set[str]:
    return {kind for kind, pats in patterns.items()
            if (seizure or kind not in _NEEDS_SEIZURE) and any(p.search(s) for p in pats)}


#: an animal the message is about, having the seizure or not (「うちの犬が発作を起こした」「猫がけいれんしてる」「うちの猫、今日も
#: ソファで爆睡してて呼んでも全然反応ない」)
_PET = re.compile(r"(?:犬|猫|いぬ|ねこ|イヌ|ネコ|ペット|愛犬|愛猫|ワンちゃん|わんちゃん|ハムスター|うさぎ|ウサギ|インコ|"
                  r"フェレット|dog|cat)(?:ちゃん)?(?:が|は|も|、|,)", re.I)
#: ... unless a person is named as well (「犬の散歩中に夫が倒れて」)
_PERSON = re.compile(r"人(?!間)|夫|妻|旦那|嫁|息子|娘|子ども|子供|こども|赤ちゃん|あかちゃん|母|父|祖母|祖父|兄|姉|弟|妹|友|彼|"
                     r"先生|生徒|同僚|上司|部下|お客|利用者|患者|私|わたし|自分|僕|俺")


def detect_emergencies(text: str, model: NgramModel | None = _DEFAULT) -> list[str]:  # type: ignore[assignment]
    """The emergency kinds (keys of :data:`EMERGENCY_KINDS`) the text describes, in a fixed order.
    The patterns name the situation; when none does, the n-gram model (``model``, by default the
    committed one; None = patterns only) may still say it is an emergency (kind ``urgent``). The
    same wording withdraws either (a question about the situation, the past, a conditional)."""
    # a message typed in katakana (a phone left in katakana mode) is read as its hiragana twin: the
    # written patterns and the model's written n-grams know hiragana typing, not katakana typing
    # (「ケイレン ノ ビデオ ッテ トッタ ホウガ イイ？」 scored 0.57, its hiragana twin 0.10)
    text = as_kana_typing(text)
    written, read = emergency_views(text)
    if _BEGINS_TO.search(written):  # 「飲み始めて」 reads ノミハジメテ, but no first seizure is in it
        read = re.sub(r"\s+", "", reading(_BEGINS_TO.sub("", written)))
    seizure = bool(_SEIZ_CONTEXT.search(written) or _R_SEIZ_CONTEXT.search(read))
    found = _kinds(_WRITTEN_PATTERNS, written, seizure) | _kinds(_READ_PATTERNS, read, seizure)
    if model is _DEFAULT:
        model = _default_model()
    if not found and model is not None and model.says_emergency(text):
        found = {"urgent"}
    if "long_seizure" in found and (_DRUG_RESISTANCE.search(written) or _R_DRUG_RESISTANCE.search(read)) \
            and not (_ONGOING.search(written) or _R_ONGOING.search(read)):
        found.discard("long_seizure")
    if _COURSE.search(written) and not (_going_on(read) or _STRONG_NOW.search(written)):
        found -= {"long_seizure", "repeated_seizures", "urgent"}
    if _LONG_COURSE.search(written) and not _STRONG_NOW.search(written):
        found -= {"long_seizure", "urgent"}
    if "pregnancy" in found and _PLANNING.search(written) and not _PREGNANT_NOW.search(written):
        found.discard("pregnancy")  # 「妊娠を考えていて…」: not pregnant yet
    if _PERIOD.search(written):
        found -= {"long_seizure", "urgent"}  # 「発作がまだ止まらない時期でも子どもをつくっていいのか」: a period of the illness
    if "first_seizure" in found and _FIRST_BEFORE.search(written) and not (_going_on(read) or _JUST_NOW.search(written)):
        found.discard("first_seizure")  # 「先月はじめて発作があって、いま検査待ち」: the first seizure was last month
    if _R_SINCE_END.search(read) and not _going_on(read):
        found -= {"long_seizure", "urgent"}  # 「発作が終わって30分たった」: the time since it ended
    if _OTHER_THING.search(written) and not _SEIZURE_GOING_ON.search(written):
        found -= {"long_seizure", "urgent"}  # 「鼻血が30分くらい止まらなかった」: something else went on
    found -= _about_not_now(written, read, found, normalize(from_english(text)))
    if found and _PET.search(written) and not _PERSON.search(written):
        return []  # 「うちの犬が発作を起こした」: 119 is for people; the pages are not about animals
    return [k for k in EMERGENCY_KINDS if k in found]




def emergency_guidance(kinds: list[str]) -> str:
    """Japanese call-119 guidance naming the situations detected (shown before anything else)."""
    if not kinds:
        return ""
    what = "・".join(EMERGENCY_KINDS[k] for k in kinds if k in EMERGENCY_KINDS)
    # a situation named by a noun takes の before とき (「初めての発作のとき」, 「…唇や顔色が紫色のとき」)
    when = "のとき" if re.search(r"[\u4e00-\u9fff\u30a1-\u30fa]$", what) else "とき"
    return _GUIDANCE_HEAD.format(what=f"{what}{when}" if what else "緊急のとき") + _GUIDANCE_FIRST_AID
