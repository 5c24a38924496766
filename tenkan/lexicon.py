"""The lexicon's tables: brand names and everyday words patients use, and the words the sources use.

Two readers: the assistant folds a question's words to the sources' words
(``assistant/lexicon.py``: retrieval, the relevance gate, the citation check), and the
dataset builder reads the tables backwards to write training questions in patients'
words (``generator/styles.py``). The tables live in the base so both stages can read
them without one importing the other. Keep the entries unambiguous.
"""

from __future__ import annotations

__all__ = ["BRAND_TO_GENERIC", "WORD_SYNONYMS"]

#: brand name (as sold in Japan) → generic name used by the sources
BRAND_TO_GENERIC: dict[str, str] = {
    "デパケン": "バルプロ酸", "セレニカ": "バルプロ酸",
    "テグレトール": "カルバマゼピン",
    "ラミクタール": "ラモトリギン",
    "イーケプラ": "レベチラセタム",
    "アレビアチン": "フェニトイン", "ヒダントール": "フェニトイン",
    "フェノバール": "フェノバルビタール",
    "マイスタン": "クロバザム",
    "リボトリール": "クロナゼパム", "ランドセン": "クロナゼパム",
    "トピナ": "トピラマート",
    "エクセグラン": "ゾニサミド",
    "ビムパット": "ラコサミド",
    "フィコンパ": "ペランパネル",
    "ザロンチン": "エトスクシミド",
    "ガバペン": "ガバペンチン",
    "ダイアップ": "ジアゼパム",
    "ブコラム": "ミダゾラム",
}

#: everyday word → the word medical pages use (surface forms; compared as lemmas, or as written for a compound
#: the tagger splits, such as 成功率)
WORD_SYNONYMS: dict[str, str] = {
    "医者": "医師", "お医者さん": "医師", "ドクター": "医師",
    # (a dentist is the dental guideline's 歯科, not a 医師: 「歯医者こわ…てんかんのこと先に言っとかないとまずい？」 found the school page)
    "歯医者": "歯科", "歯医者さん": "歯科",
    # (the clipped word, as people say it: 「高てんかん薬とサプリって一緒に飲んでいいんですか」 found the pill and alcohol)
    "サプリ": "サプリメント", "さぷり": "サプリメント",
    # (the pill typed in hiragana, in a message that names epilepsy, where loanwords stay as typed:
    # 「ぴる のんでるんだけど てんかん の くすり と いっしょで へいき？」)
    "ぴる": "ピル",
    "年寄り": "高齢者", "老人": "高齢者",
    "生理": "月経",
    "風呂": "入浴", "お風呂": "入浴",
    "ひきつけ": "けいれん",
    "むかむか": "吐き気",
    "ぶつぶつ": "発疹",
    "くすり": "薬",
    "癲癇": "てんかん",
    "相性": "飲み合わせ",
    "太る": "体重の増加", "痩せる": "体重",
    "キレる": "いらいら",
    "おしっこ": "尿",
    "期限": "期間",
    "ドラッグストア": "市販",
    "薬局": "薬剤師",
    # what patients call the pages' topics (written from the pages' vocabulary, each checked to be
    # absent from the demo corpus or a plain equivalent of the word it folds to; one lemma each)
    "プール": "水泳", "バスケ": "バスケットボール",
    "ジム": "運動", "筋トレ": "運動", "マラソン": "運動", "ランニング": "運動", "山登り": "登山",
    "ビール": "酒", "ワイン": "酒", "晩酌": "飲酒",
    "バイク": "運転", "原付": "運転",
    "おめでた": "妊娠", "妊活": "妊娠",
    "物忘れ": "記憶", "湿疹": "発疹", "抜け毛": "脱毛",
    # a compound the tagger splits is matched as written: 「手術の成功率は？」 asks for a treatment's effect (the
    # pages: 「およそ7割前後の人で発作がなくなる」), while 成功 alone (「起業して成功するには」) is no topic of theirs
    "成功率": "効果",
    # what people call the pages' 痛み止め (「市販の風邪薬、痛み止め…を使う前に」)
    "頭痛薬": "痛み止め", "鎮痛剤": "痛み止め", "鎮痛薬": "痛み止め",
    "就活": "就職",
    # from a development list of casual and caregivers' questions (data/eval/dev/casual.tsv, 2026-12-03)
    "飲み会": "飲酒", "産む": "出産", "眠い": "眠気", "徹夜": "睡眠不足", "夜更かし": "睡眠不足",
    "遠足": "校外学習", "バイト": "仕事", "面接": "就職", "転職": "就職",
    "告知": "伝える", "打ち明ける": "伝える", "休職": "仕事", "復職": "仕事", "復帰": "仕事",
    # a school's staff by their job title (a development list of session 22: 「教員はどう対応すれば」 was declined
    # as a topic the pages never name; the school page says 先生)
    "教員": "先生", "教職員": "先生",
    # a change of personality a medicine may bring is the pages' change of mood and behaviour (「気分や行動の変化」)
    "性格": "行動",
    # slang of a development list (data/eval/dev/slang.tsv, declined as topics the pages never name)
    "チャリ": "自転車", "テンション": "気分", "バイト先": "職場",
    # a move of the game the sports page names (「ヘディングも心配」 was declined as a topic the pages never name)
    "ヘディング": "サッカー",
    # a carer's word for the help the elderly-care page calls 介護 (「入浴介助で気をつけること」)
    "介助": "介護",
    # activities and remedies of the development lists' declined questions (activities, fresh9, life_events), each to the
    # word the pages use for its kind
    "ボルダリング": "スポーツ", "ピラティス": "ヨガ", "長距離": "運動", "川遊び": "水辺",
    # from a development list of short and symptom questions (data/eval/dev/short_symptom.tsv, session 15)
    "ふらふら": "ふらつき", "立ちくらみ": "失神",
    # staple foods the diet-therapy page names by their kind (a blind list of session 23: 「ケトン食ってごはんとかパン
    # 食べちゃダメなの？」 was declined as "the corpus never mentions パン"); not ご飯, which is any meal
    # a faint as people tell it (「ふっと気が遠くなって倒れた」: the differential-diagnosis page's 失神)
    "気が遠く": "失神", "気が遠の": "失神", "気絶": "失神",
    # what people call a test or a diet by how it looks (a list of everyday names, session 23): an MRI's 「輪切りの写真」
    # is the MRI page's 断面, a diet of 「脂っこいごはん」 the diet-therapy page's 脂肪
    "輪切り": "断面", "脂っこい": "脂肪",
    # a nurse's and a pharmacist's words for taking medicine (a persona list, session 23: 「バルプロ酸内服中の方の血中
    # 濃度測定」 was declined as a topic the pages never name); the pages say 服薬
    "内服": "服薬", "服用": "服薬",
    # a sleepover is the school page's 宿泊 (行事); things seen double are the medicine pages' 複視
    "泊まり": "宿泊", "お泊り": "宿泊", "二重に見え": "複視", "脚": "手足",
    # what brings a seizure on, and a medicine put in from below (a list in the tune half's voice, session 23:
    # 「ピカピカの照明って発作の引き金になんの？」「お尻から入れる薬ってあるの？」 were declined)
    "引き金": "誘因", "トリガー": "誘因", "お尻から入れ": "坐薬",
    # (and named by where it goes: 「鼻に入れる薬とかお尻の薬ってなに？」, a list of session 28, was declined)
    "お尻の薬": "坐薬", "おしりの薬": "坐薬",
    "パン": "炭水化物", "白米": "炭水化物", "麺類": "炭水化物", "お米": "炭水化物",
    # what people do that the pages name by its kind (a list of activities, session 15: 13 of 15 questions
    # about one were declined as "the corpus never mentions テニス"): the sports page's スポーツ, its
    # winter, dance and water entries, the triggers page's light and flicker, the travel page's trips
    "テニス": "スポーツ", "剣道": "スポーツ", "空手": "スポーツ", "陸上": "スポーツ", "ゴルフ": "スポーツ",
    "ボウリング": "スポーツ", "ラグビー": "スポーツ", "ハンドボール": "スポーツ", "ソフトボール": "スポーツ",
    "相撲": "スポーツ", "ボクシング": "スポーツ", "弓道": "スポーツ", "フットサル": "スポーツ", "乗馬": "スポーツ",
    "リレー": "運動", "スノボ": "スキー", "スノーボード": "スキー", "バレエ": "ダンス",
    "サーフィン": "水泳", "カヌー": "水泳", "シュノーケリング": "水泳", "水球": "水泳", "海水": "海",
    "照明": "光", "ライト": "光", "チカチカ": "点滅",
    "泊まりがけ": "旅行", "スマホ": "スマートフォン",
    "スケートボード": "スケート", "スケボー": "スケート", "ストロボ": "点滅",
    # everyday names of conditions (a list of life-event questions, session 15): 更年期 arrives as 更年 + 期
    # (花粉症 → 鼻炎 was tried: the own set's 「花粉症の薬で、よく効く市販薬はどれ？」 was then answered; ダイエット → 食事
    # answered 「ダイエットにいいサプリは？」 from the ketogenic diet page, and キャンプ → 外出 「キャンプ場の予約」)
    "更年": "閉経", "英文": "英語",
    # plain words the pages say otherwise (a list of 40 patients' questions with must-mention spans,
    # data/eval/dev/must.tsv, session 16): 「どんな体勢に」 is the first-aid page's 回復体位, 「どうやって区別」 its
    # 見分ける, 「MRIってうるさい？」 its 大きな音, 「片手だけぴくぴく」 its 片側の手
    "体勢": "体位", "見分ける": "区別", "うるさい": "音", "片手": "手",
    # a seventh development list (data/eval/dev/weak7.tsv, session 20): a grandparent is the elderly-care page's
    # 高齢者 (「おばあちゃんが薬飲んだか忘れちゃう」 is its 一包化), one's 家系 its 遺伝, and シャンプー the EEG page's
    # 「髪をよく洗い」
    "おじいちゃん": "高齢者", "おばあちゃん": "高齢者", "じいちゃん": "高齢者", "ばあちゃん": "高齢者",
    "家系": "遺伝", "シャンプー": "髪",
    # casual speech (session 20: slang nouns were the "unknown" topic of in-scope questions): ワンチャン asks whether
    # there is a chance, ゲーセン is an arcade's games (チャリ → 自転車 and テンション → 気分 were tried: the sports page
    # and the side-effects page were still not retrieved, and a decline became a quote from the wrong page)
    "ワンチャン": "可能性", "ゲーセン": "ゲーム",
    # the adjective of the pages' noun (「脳波って痛い？」: 「痛みはなく」)
    "痛い": "痛み", "予兆": "前兆", "前触れ": "前兆", "一夜漬け": "睡眠不足",
    # a fourth list with must-mention spans (data/eval/dev/must4.tsv, session 21): what people call dementia, one
    # side of the body, a woman, and harm to the brain (the status page's 「脳に後遺症が残る危険」)
    "ボケ": "認知症", "片方": "片側", "女の人": "女性", "男の人": "男性", "ダメージ": "後遺症",
    # a fifth list (must5.tsv, session 21): the everyday 貧血 of 「貧血で倒れた」 is a faint, and 転ぶ the pages' 転倒
    "貧血": "失神", "転ぶ": "転倒",
    # a sixth list (must6.tsv): sitting out a class is a question of taking part (the school page's 参加の範囲)
    "見学": "参加",
    # the loanword for the pages' 利点 (「手帳 メリット」)
    "メリット": "利点",
    # the rule for a missed dose is the pages' 決まり; 発心 is what the IME offers for ほっしん (発疹)
    "ルール": "決まり", "発心": "発疹",
    # lists in the tune half's voice (session 24): the kitchen's words are the elderly-care page's 調理 and the work page's
    # 刃物, gums its 歯ぐき, déjà vu the focal page's 既視感, a laser show a light, sweets the diet page's おやつ, a wet bed
    # the seizure pages' 尿, no drive at all the side-effects page's 落ち込み
    "料理": "調理", "厨房": "調理", "包丁": "刃物", "歯茎": "歯ぐき", "デジャブ": "既視感", "デジャヴ": "既視感",
    "レーザー": "光", "お菓子": "おやつ", "おねしょ": "尿", "やる気": "落ち込み",
    # a medicine by how it is taken, the town hall, a lie on a form and a ban, as the pages say them (must36, session 24)
    "飲み薬": "薬", "役所": "市区町村", "役場": "市区町村", "区役所": "市区町村", "市役所": "市区町村", "嘘": "虚偽",
    "うそ": "虚偽", "禁止": "制限", "持ち場": "仕事", "オール": "睡眠不足", "飲み歩く": "飲酒", "アルバイト": "仕事", "やめ時": "やめる",
    # slang of daily life (must43, session 24): a city bicycle, night work, days and nights swapped (ワーホリ → 海外 was
    # tried: the slang list's off-topic 「てんかん持ちでもワーホリ行ける？」 was then answered)
    "ママチャリ": "自転車", "夜職": "夜勤", "昼夜逆転": "生活リズム",
    # the kitchen's fire, a breakwater, spirits and a camera's flash as the pages say them (must44, session 24)
    "コンロ": "調理", "ガスコンロ": "調理", "台所": "調理", "キッチン": "調理", "堤防": "水辺", "焼酎": "酒",
    "日本酒": "酒", "フラッシュ": "点滅",
    # one eye (must49, session 25: 「右目の端っこにキラキラした丸い光」): the pages say 目 and 視野
    "右目": "目", "左目": "目", "片目": "目",
    # a screen and splashing in a river (must50, session 25: 「PCモニター見てると」「遠足で川に行く…水遊び」)
    "モニター": "画面", "ディスプレイ": "画面", "PC": "パソコン", "水遊び": "水辺", "川遊び": "水辺",
    # a stepladder, midsummer and a martial art's practice as the pages say them (must53, session 25)
    "脚立": "はしご", "真夏": "暑い日", "稽古": "練習",
    # a toast, a part-time job (must52: 「シャンパンで乾杯あるんだけど」「パート先でイライラして」)
    "シャンパン": "酒", "乾杯": "飲酒", "パート": "仕事", "パート先": "職場",
    # painkillers people name by the brand (the pages' 痛み止め)
    "ロキソニン": "痛み止め", "カロナール": "痛み止め", "バファリン": "痛み止め",
}
