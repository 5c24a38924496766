"""Questions as patients type them: kana for kanji, wrong kanji of the right sound, English
words, stories, three-word questions -- and emergencies in any of those wordings."""

from __future__ import annotations

import pytest

from assistant.emergency import detect_emergencies
from assistant.lexicon import added_words
from assistant.query import analyse, question_focus
from assistant.readings import ReadingVocabulary, as_kana_typing, hiragana_loanwords, katakana_typed
from tests.fixtures.assistant import StaticRetriever, make_hit

PAGES = [
    "発作が5分以上続くときは119番に電話してください。",
    "お薬を飲み忘れたときは、2回分をまとめて飲まないでください。",
    "脳波検査は痛みのない検査です。自動車の運転には条件があります。",
    "てんかんは珍しい病気ではありません。体重の増加が気になる場合は相談してください。",
    "経口避妊薬とてんかんの薬は飲み合わせに注意が必要です。自立支援医療を使うと負担が軽くなります。",
    "5分以上続いた場合は必ず受診してください。口腔内の傷にも注意します。",
]


@pytest.fixture(scope="module")
def vocab():
    return ReadingVocabulary(PAGES)


@pytest.mark.parametrize("typed, restored", [
    ("ほっさ が とまらない", "発作 が とまらない"),                 # hiragana for kanji
    ("くすり のみわすれた", "薬 飲み忘れた"),                        # a compound found whole
    ("のうは けんさ って いたい？", "脳波 検査 って いたい？"),
    ("うんてん していいの", "運転 していいの"),
    ("点観の薬と経口否認薬", "てんかんの薬と経口避妊薬"),             # a kana-kanji conversion error
    ("自律支援医療", "自立支援医療"),
])
def test_kana_and_misconverted_words_meet_the_pages_words(vocab, typed, restored):
    assert vocab.convert(typed) == restored


def test_restoration_does_not_guess(vocab):
    # 「しよう」 (a verb MeCab reads confidently) is not 使用; a real word the corpus lacks is
    # not turned into a homophone it has (高校 is not 口腔)
    assert vocab.convert("どうしよう") == "どうしよう"
    assert vocab.convert("高校生の息子") == "高校生の息子"
    # an everyday word typed in kana (へいき, 平気) is not the pages' rare word of its sound (併記)
    w = ReadingVocabulary(["病名と症状を併記します。", "ピルとの飲み合わせに注意します。"])
    assert w.convert("ぴる のんでも へいき？") == "ぴる のんでも へいき？" and "併記" not in w.restore("のんでも へいき？")
    # a sound two corpus words share is not replaced in the text, both are reported
    v = ReadingVocabulary(["5分以上続くとき。", "検査で異常がない場合。", "以上のことに注意。"])
    assert v.convert("いじょう なかった") == "いじょう なかった"
    assert set(v.restore("いじょう なかった")) == {"以上", "異常"}


def test_a_one_kanji_word_of_a_corpus_words_sound_is_a_conversion_error_for_the_scope_check():
    v = ReadingVocabulary(["発作の後に眠くなることがあります。", "けいれんが止まった後。"])
    assert v.sounds_like("跡") == "後"      # 「発作の跡に」: 後 mistyped
    assert v.sounds_like("後") == ""        # the corpus's own word
    assert v.sounds_like("犬") == ""        # sounds like nothing the pages write
    assert v.convert("ほっさの あと") == "発作の あと"  # two kana (あと) are too few to restore in text


def test_a_katakana_word_one_typing_slip_from_the_pages_is_that_word():
    v = ReadingVocabulary(["ラミクタールは発疹に注意します。", "テグレトールを飲んでいます。", "睡眠不足は発作の誘因です。"])
    assert v.convert("ラミクタル飲んでる") == "ラミクタール飲んでる"     # a long vowel left out
    assert v.sounds_like("テグレトル") == "テグレトール"
    # a voicing mark confused: バ may stand for パ as well as ハ
    assert ReadingVocabulary(["ビムパットを飲んでいます。"]).sounds_like("ビムバット") == "ビムパット"
    assert v.sounds_like("ラミクタアル") == ""                           # two slips away: not guessed
    # a kanji word of its own one kana short of the pages' word with the same first kanji (意志 for 意識)
    w = ReadingVocabulary(["意識がなくなる発作があります。", "意見を聞きます。"])
    assert w.sounds_like("意志") == "意識" and w.sounds_like("選挙") == "" and w.sounds_like("意識") == ""
    # katakana only against katakana: スイミング is one kana from スイミン (睡眠) and means swimming
    assert v.sounds_like("スイミング") == "" and v.convert("スイミングに通う") == "スイミングに通う"



def test_a_compound_typed_with_a_sound_alike_kanji_is_the_pages_compound():
    v = ReadingVocabulary(["副作用が出たら相談してください。", "血中濃度を測ります。", "妊娠中の服薬について。",
                           "全般発作と焦点発作があります。", "ジェネリック医薬品に切り替える。", "妊娠を希望する方へ。"])
    # wherever MeCab cut the typed compound: 「副作要って」 is 副/作/要っ/て, its reading one kana longer
    assert v.convert("副作要ってどんなの") == "副作用ってどんなの"
    assert v.convert("決中濃度って") == "血中濃度って"          # ケツ/ケッ: a small ッ typed full size
    assert v.convert("前半発作とは") == "全般発作とは"          # ハ/パ
    assert v.convert("妊新中でも") == "妊娠中でも"              # MeCab cannot read 妊新: 新 read alone
    assert v.convert("ゼネリックでいい？") == "ジェネリックでいい？"  # a loanword written the older way
    # a word of its own is not a slip, however close its sound (前半 ぜんはん, 高校)
    assert v.convert("前半の試合") == "前半の試合" and v.convert("高校生") == "高校生"
    # most kanji must stay in place, and the sound must agree: 手帳 does not make 祉手帳 a 薬手帳
    assert ReadingVocabulary(["お薬手帳を持参します。"]).convert("祉手帳") == "祉手帳"
    assert v.misconverted("血中濃度") == () and v.misconverted("任務") == ()
    # a word of its own whose kanji, read one by one, make exactly a page word's sound: 服役 (フクエキ) is フク + ヤク
    assert v.misconverted("服役") == ("服薬",) and v.convert("服役をわすれたとき") == "服薬をわすれたとき"


def test_a_real_word_that_sounds_exactly_like_a_page_word_is_searched_beside_it_not_replaced():
    v = ReadingVocabulary(["採血は薬を飲む前に行います。", "治療法として確立しています。"])
    # 採決 (サイケツ) is what the IME offers for 採血; 確率 (カクリツ) is meant as typed, though the pages write 確立
    assert v.restore("採決するの？") == ["採血"] and v.convert("採決するの？") == "採決するの？"
    assert v.restore("治る確率は？") == ["確立"] and v.convert("治る確率は？") == "治る確率は？"
    # inside a compound of known words too (「重責発作」 for the pages' 重積), but a number is no slip (二十 / 二重)
    w = ReadingVocabulary(["てんかん重積状態は緊急です。", "発作が続きます。", "二重に見える。"])
    assert w.restore("重責発作って何分から？") == ["重積"]
    assert w.restore("妊娠二十週です") == []


def test_a_long_compound_one_kanji_off_a_page_word_is_that_word_whatever_the_kanji_sounds_like():
    v = ReadingVocabulary(["自立支援医療の申請をします。", "運動中の発作に注意します。", "保育士に伝えます。"])
    # 猿 is read サル (its kun reading), so no sound matches 支援; six kanji with one off is a slip
    assert v.convert("自立支猿医療の申請") == "自立支援医療の申請"
    # three kanji with one off are often another real compound: left as typed
    assert v.convert("運転中に発作") == "運転中に発作" and v.convert("保育園の先生") == "保育園の先生"
    # only a compound the pages write whole: 症症候群 is nothing but the tail of their 過敏症症候群
    w = ReadingVocabulary(["薬剤性過敏症症候群という重い副作用があります。"])
    assert w.convert("むずむず脚症候群の薬") == "むずむず脚症候群の薬" and w.misconverted("脚症候群") == ()
    assert w.convert("薬剤性過敏症症候軍") == "薬剤性過敏症症候群"


def test_a_short_compound_with_an_end_kanji_of_the_same_sound_is_the_pages_word():
    v = ReadingVocabulary(["発作が止まりません。", "発熱に注意します。", "原因を調べます。", "運動中の発作に注意します。"])
    # MeCab reads 発佐 as two symbols (ハツ + サ); 佐 sounds like the end of ホッサ, and 発熱 (ハツネツ) does not end so
    assert v.convert("旦那の発佐が止まらない") == "旦那の発作が止まらない"
    assert v.convert("原員はなに？") == "原因はなに？"
    # a kanji in the middle is no such slip, and a sound that ends no page word sharing the kanji is left as typed
    assert v.convert("運転中に") == "運転中に" and v.convert("発左") == "発左"


def test_a_slip_before_a_suffix_and_an_end_kanji_read_alone_are_the_pages_words():
    v = ReadingVocabulary(["発作が止まりません。", "入浴のときは注意します。", "副作用が出ることがあります。",
                           "運転中は注意します。"])
    # a two-kanji word with a slip, before a suffix kanji (中, 薬): the word restored, the suffix kept
    assert v.convert("入欲中に発作") == "入浴中に発作"
    assert v.convert("抗てんかん発佐薬") == "抗てんかん発作薬"
    # 様 is サマ where MeCab reads 副作様 and ヨウ alone: the end of 副作用's フクサヨウ
    assert v.convert("副作様ってある？") == "副作用ってある？"
    assert v.convert("運転中に") == "運転中に"


def test_a_kanji_typed_in_another_of_its_sounds_is_the_pages_kanji():
    from assistant.readings import kanji_sounds

    assert {"ココロ", "シン"} <= set(kanji_sounds("心")) and "ショウ" in kanji_sounds("正")
    v = ReadingVocabulary(["妊娠中の発作に注意します。", "ウエスト症候群は乳児に多い病気です。", "服用中の薬を確かめます。",
                           "成功した例もあります。", "人工呼吸は不要です。", "間代発作が起きます。"])
    # 心 is read ココロ where MeCab meets 妊心, but シン is one of its sounds: ニンシン, the pages' 妊娠
    assert v.convert("妊心中に飲んではいけない薬") == "妊娠中に飲んではいけない薬"
    # 正候 sounds like the pages' 成功 (セイコウ), but the whole run 正候群 is their 症候群 (正 is also ショウ)
    assert v.convert("ウエスト正候群って") == "ウエスト症候群って"
    assert v.convert("復用中の薬") == "服用中の薬"
    # the stem of a word written on in kana is no compound: 人向け is not 人工, 間違え not 間代
    assert v.convert("てんかんの人向けのアプリ") == "てんかんの人向けのアプリ"
    assert v.convert("物忘れと間違えやすい") == "物忘れと間違えやすい"


def test_a_word_one_small_tsu_from_the_pages_most_frequent_word_is_that_word():
    from assistant.readings import SOKUON_MIN_COUNT

    v = ReadingVocabulary(["発作が止まりません。"] * SOKUON_MIN_COUNT + ["日差しに注意します。"])
    # ほさ typed for ほっさ converts to 補佐, a word of its own; 発作 is the pages' most frequent word
    assert v.convert("意志がなくなる補佐は焦点発作なの？").startswith("意志がなくなる発作は")
    # inside a longer compound (課長補佐) it stays, and a rare page word is not reached this way
    assert v.convert("課長補佐に相談した") == "課長補佐に相談した"


def test_a_long_word_typed_in_kana_with_one_slip_is_the_pages_word():
    v = ReadingVocabulary(["血中濃度を測ります。", "睡眠不足に注意します。"])
    # けつちゅう for ケッチュウ: the small っ typed full size
    assert v.convert("けつちゅうのうどの検査って") == "血中濃度の検査って"
    # short runs are left alone: a slip in three or four kana finds too many words
    assert v.convert("けつの検査") == "けつの検査"

def test_kana_that_sounds_like_a_loanword_of_the_pages_is_that_word():
    # MeCab reads 「たおる」 as the verb 手折る, which a verb rule would leave alone; the pages write タオル
    v = ReadingVocabulary(["口の中にタオルを入れないでください。", "プールでは一人で泳がないでください。"])
    assert v.convert("くち に たおる いれるんだっけ") == "くち に タオル いれるんだっけ"
    assert v.convert("ぷーる いける？") == "プール いける？"
    # a verb whose sound no katakana word of the pages has is still left as typed
    assert v.convert("およぐ とき") == "およぐ とき"


@pytest.mark.parametrize("typed, written", [
    # loanwords the dictionary knows once in katakana, between particles or the run's ends
    ("ほけんしょう と まいなんばーかーど って どう ひもづける の", "ほけんしょう と マイナンバーカード って どう ひもづける の"),
    ("てんかん の ひと が つかえる でーとあぷり って ある？", "てんかん の ひと が つかえる デートアプリ って ある？"),
    ("こども の いんふるえんざ の ねつ", "こども の インフルエンザ の ねつ"),
    ("すまほのげーむでほっさ", "すまほのゲームでほっさ"),
    # native words stay as typed: a sound the dictionary has as a loanword (いくら: イクラ), verbs whose katakana
    # pieces are names (つかえる: ツカ + エル, のんでも: ノン + デモ), a drawn-out sound (ぼーっと, どーしよう)
    ("いくら かかる", "いくら かかる"),
    ("ぴる のんでも へいき？", "ぴる のんでも へいき？"),
    ("ぼーっとする どーしよう", "ぼーっとする どーしよう"),
    ("くすり のみわすれた どうしよう", "くすり のみわすれた どうしよう"),
])
def test_a_loanword_typed_in_hiragana_is_written_in_katakana(typed, written):
    assert hiragana_loanwords(typed) == written


def test_a_loanword_typed_in_hiragana_that_the_pages_never_use_is_a_topic_they_do_not_cover(demo_assistant):
    # MeCab cut 「まいなんばーかーど」 into まいな｜ん｜ばーか｜ー｜ど, and the question was answered from the travel page
    ans = demo_assistant.ask("ほけんしょう と まいなんばーかーど って どう ひもづける の", mode="extractive")
    assert ans.grounding in ("no_sources", "out_of_scope"), ans.answer
    assert "マイナンバーカード" in ans.query.get("restored", "")
    # in a message that names epilepsy a noun typed in kana is never the unknown topic: it stays in kana
    q = demo_assistant.analyse("てんかん だけど ばーべきゅー で ひ つかうの こわい")
    assert "ばーべきゅー" in q.restored and "バーベキュー" not in q.restored


def test_the_grammar_between_kanji_words_is_not_read_as_a_word():
    # in a message written with kanji, a kana run is mostly grammar: 「見ていれば」 is not 入れ歯, 「いいん
    # でしょうか」 not 医院, 「増えないか」 not 内科, 「授乳しています」 not 指定 (each a word of these pages)
    v = ReadingVocabulary(["入れ歯は外してください。", "近くの医院に相談します。", "内科を受診します。",
                           "指定された日に受診します。", "赤ちゃんへの影響。", "飲み忘れに注意します。"])
    for typed in ("横にして様子を見ていればいいんでしょうか", "ストレスで発作が増えないか心配", "妻が授乳しています"):
        assert v.convert(typed) == typed and v.restore(typed) == []
    # words typed in kana are still found in such a message, and a hiragana-only message is read as before
    assert v.convert("バルプロ酸のんでたらあかちゃんに影響ある？") == "バルプロ酸のんでたら赤ちゃんに影響ある？"
    assert v.convert("薬のみわすれた") == "薬飲み忘れた"
    assert v.restore("いれば はずす？") == ["入れ歯"]


def test_a_verb_typed_in_kana_reads_as_the_pages_verb_of_that_sound():
    # MeCab reads 「はいちゃった」 as 履く, which the pages never use; they write 吐い (吐く) for that sound
    v = ReadingVocabulary(["薬を飲んだあとに吐いてしまったときは、主治医に相談します。"])
    assert v.convert("うちの子が薬をはいちゃった、もう一回のませていい？") == "うちの子が薬を吐いちゃった、もう一回のませていい？"
    # a verb the pages use as MeCab reads it (飲む) stays as typed
    assert v.convert("薬のんだ") == "薬のんだ"


def test_a_message_typed_in_katakana_reads_like_its_hiragana_twin(vocab):
    typed = "クスリ ノミワスレタ ドウスル？"
    assert katakana_typed(typed) and not katakana_typed("クスリを飲み忘れた") and not katakana_typed("MRI")
    assert as_kana_typing(typed) == "くすり のみわすれた どうする？"
    # loanwords (a long-vowel mark, a small vowel) and the words a caller keeps stay as written
    assert as_kana_typing("シャワー ダケ イイ？ カフェイン ハ？") == "シャワー だけ いい？ カフェイン は？"
    assert as_kana_typing("デパケン ノミワスレタ", keep=lambda run: run == "デパケン") == "デパケン のみわすれた"
    # mixed-script text is left alone: there katakana words are meant as written
    assert as_kana_typing("ホッサのあと眠い") == "ホッサのあと眠い"
    q = analyse(typed, vocab=vocab)
    assert q.restored == analyse("くすり のみわすれた どうする？", vocab=vocab).restored == "薬 飲み忘れた どうする？"


@pytest.mark.parametrize("message, kind", [
    ("むすこ が ほっさ おこして 5ふん いじょう とまらない", "long_seizure"),
    ("ケイレン ガ トマラナイ モウ ジュップン", "long_seizure"),
    ("発佐がもう7分続いてる", "long_seizure"),
    ("my daughter seizure 6 minutes still going", "long_seizure"),
    ("ほっさ が なんかいも きて あいだ に いしき が もどらない", "repeated_seizures"),
    ("おばあちゃんがたおれてけいれんしたあとよびかけてもへんじしない", "no_recovery"),
    ("ケイレン ノ アト イキ シテナイ クチビル ムラサキ", "breathing"),
    ("発作で倒れて頭打って血が出てるどうしよう", "injury"),
    ("うちの子がはじめてけいれんした今とまったけど", "first_seizure"),
    ("おふろ で ほっさ おこして しずんでた", "water"),
    ("にんしんちゅう の つま が いま ほっさ", "pregnancy"),
    ("ムスコ ガ ケイレン シテ 10プン タッタ", "long_seizure"),          # katakana, read as its hiragana twin
    ("ホッサ ガ マタ ハジマッタ コレデ 4カイメ ズット イシキ ナイ", "no_recovery"),
    ("発作が10分前から続いてる", "long_seizure"),                     # "since ten minutes ago" is a duration
    ("5分くらい前からけいれんしてる", "long_seizure"),
    # the seizure has stopped, the person is not well: "calm" withdraws nothing of their state
    ("今、発作はおさまってるけど呼んでも反応しない", "no_recovery"),
    ("今は落ち着いたけど意識がもどらない", "no_recovery"),
    ("母の発作はいつもは1分ほどで治まるのですが、今回は始まってからもう7分ほど経っております", "long_seizure"),
    # a first seizure that just happened and has stopped: "now sleeping" withdraws nothing when no time is said
    ("はじめて おっと が ひきつけ おこした いまは ねてる びょうき とか なにも ない ひと", "first_seizure"),
    ("初めて夫がひきつけを起こした。今は寝てる。持病とか何もない人", "first_seizure"),
])
def test_emergencies_are_recognised_in_any_wording(message, kind):
    assert kind in detect_emergencies(message)


@pytest.mark.parametrize("message", [
    "意識が戻らない発作ってどんなの？",                   # asking what it is
    "発作中に息が止まることってある？",                   # asking whether it can happen
    "以前、発作のあとに意識がなかなか戻らないことがありました。",  # a past event
    "ほっさ は いつも すぐ おさまって もどる けど びょういん いくべき？",  # habitual, recovering
    "薬を2種類変えても発作が止まらない。どこに相談したらいい？",   # drug resistance
    "お風呂は何分までならいい？",
    "10分くらい前に薬のんだけど吐いちゃった、もう一回のむ？",      # when, not how long
    "ずっと発作がないから薬やめたい",                                 # free of seizures for long
    "発作が5分以上続いたらどうすればいいの？覚えておきたい",        # asked for later in so many words
    "5分以上続いたら救急車って主治医に言われてるけど、タイマーアプリとかおすすめある？",  # a rule reported; イマ in タイマー
    "問診票に「初めての発作はいつ」って欄があるんだけど、熱性けいれんも入れるべき？",       # a form to fill in
    "お風呂 で 発作 起きたことある人いる？ just curious、うちはまだない",                   # まだない: not yet
    "センゲツ ハジメテ ホッサ アッテ イマ ケンサ マチ。 シゴト ニ モドッテ イイ？",          # the first seizure last month
    "さっきの発作は2分くらいで止まって、今はもうお茶飲んでテレビ見てる。救急車よばなくてよかった？",
    "頭打ったとき用にヘッドギア買おうと思うんだけど、おしゃれなのないかな",                 # for when, to buy
    "ブコラムって頬の内側に入れるやつだよね、使ったあとは救急車呼ぶべきなのかも事前に知っておきたい",  # ウチガワ is no 血が
    "発作の記録アプリで「5分超」って自動で通知が出る機能あるやつ知ってる？",                   # 通知が出る is no 血が出る
    "鼻血が30分くらい止まらなかったけどやっと止まった。デパケンって血が止まりにくくなるの？",   # a nosebleed went on
    "ホッサ ガ 5フン イジョウ ツヅイタラ ドウスレバ イイノ？ オボエテ オキタイ",
    "ケイレン ノ ビデオ ッテ トッタ ホウガ イイ？ シンサツ デ ミセル",  # katakana typing alone is no alarm
    "マダ ホッサ ハ ナイケド ノウハ デ イジョウ ガ アッタ",           # まだ…ない: not yet
    "はじめて ほっさ おきたのは 3ねんまえ です。いま は くすり で おさまってます",
    "発作のあと30分くらい寝ちゃうのは普通？いつもそう",
    "ホッサ ノ アト アタマ ガ イタイ ノ ハ ヨクアル？",
    "意識がなくなる発作のとき、周りの人は何をすればいい？",          # what to do when it happens, in general
    "先月初めて発作を起こした。今は落ち着いてる",                      # a first seizure seen to, a month ago
    "もし旦那が発作で頭打って血が出たら救急車？それとも様子見？今は元気です",  # asked ahead, well now
    # planned ahead: who times a seizure, an appointment next week
    "学校の先生です、クラスにてんかんの子がいて発作が5分超えたらって主治医の指示書にあるけど誰が時間はかるのか決めときたい",
    "はじめて の ほっさ の あと の のうは けんさ って いたい？ らいしゅう よやく",
])
def test_questions_about_emergencies_are_not_alarms(message):
    assert detect_emergencies(message) == []


def test_a_question_about_an_emergency_still_alarms_when_it_is_happening_now():
    assert detect_emergencies("意識が戻らない発作ってどんなの？今まさにそうなってる！") != []
    # 「覚えておきたい」 withdraws nothing while the seizure is going on, nor does 念のため
    assert detect_emergencies("今けいれんが5分以上続いてる、どうすればいいか覚えておきたい") != []
    assert detect_emergencies("けいれんが止まらない、念のため救急車呼ぶべき？") != []
    assert detect_emergencies("けいれんしてる、こういうとき何をすればいい") != []


def test_the_question_of_a_story_is_its_focus():
    focus, rest = question_focus("中1の息子がサッカー部に入りたいと言ってます。小学生のときは発作がありました。"
                                 "サッカーの試合に出ても大丈夫でしょうか")
    assert focus.startswith("サッカーの試合") and "小学生" in rest
    focus, rest = question_focus("バルプロ酸って太るって聞いたんだけどほんと？最近ズボンきついんだよね")
    assert "ズボン" not in focus and "ズボン" in rest                       # a remark after the question
    # ... but a claim passed on after the question is what it asks to check
    focus, rest = question_focus("フィコンパってどんな薬？イライラするって聞いた")
    assert "イライラ" in focus and rest == ""
    focus, rest = question_focus("VNSってどう？友だちは効いたって言ってた")
    assert "友だち" in focus and rest == ""
    focus, _ = question_focus("夫が糖尿病で低血糖のけいれんを起こしました。これってなんでしょうか")
    assert "低血糖" in focus                          # a contentless question takes in its scene
    # a question told as a worry is the question, not a description all of which is asked
    focus, rest = question_focus("夫が先週、会社で初めて発作を起こして救急車で運ばれました。検査では異常なしと言われましたが、"
                                 "車通勤なので運転を続けていいのか悩んでいます。")
    assert focus.startswith("検査では") and "救急車" in rest
    # two questions with one remark between them are both asked; a worry is not asked across a remark
    focus, rest = question_focus("夫が朝の薬を飲み忘れました。本人は2回分飲めばいいと言っていますが大丈夫なんでしょうか。"
                                 "うちは朝晩2回の薬です。飲み忘れないためのコツもあれば教えてください。")
    assert "2回分" in focus and "コツ" in focus and "夫が" in rest
    focus, rest = question_focus("園児を担当します。体が動くか心配です。同僚にも伝えておきたいと思っています。"
                                 "発作が起きたとき、まわりの大人は何をすればいいのでしょうか。")
    assert focus.startswith("発作が起きたとき") and "同僚" in rest
    focus, rest = question_focus("先週、初めて発作を起こしました。夜はよく眠れています。")
    assert rest == ""                                 # no question at all: all of it is asked
    # light verbs and demonstratives name nothing (してあげる, 気をつける): the scene says what is asked
    focus, rest = question_focus("去年引っ越しました。妻が妊娠中で、てんかんの薬を飲んでます。夫として何をしてあげたらいいですか")
    assert "妊娠" in focus and "引っ越し" in rest
    # 「声をかける」 is a way of saying something, not what: what to say it about is in the scene
    focus, _ = question_focus("友達がてんかんなのに、薬をよく飲み忘れてるみたい。どう声をかけたらいい？")
    assert "飲み忘れ" in focus
    # a generic word counts as nothing in its lemma form too (ところ → 所): 「今のところ」 names no topic
    focus, rest = question_focus("子どもは5歳です。朝の薬を飲んでもすぐ吐いてしまう日が続いています。発作は今のところありません。"
                                 "このまま様子を見ていていいのでしょうか")
    assert "吐いて" in focus and "5歳" in rest
    # a question about a link (関係, 影響, …のせい) asks about the scene itself
    focus, rest = question_focus("健康診断でナトリウムが低いと言われました。テグレトールを飲んでいます。薬と関係あるんでしょうか")
    assert "ナトリウム" in focus and rest == ""
    focus, _ = question_focus("最近だるくて頭痛がします。これって薬のせい？")
    assert "頭痛" in focus
    # a description with no question in it (a symptom told to the assistant) is all asked
    focus, rest = question_focus("急にぼーっとして呼んでも返事しない。口をもぐもぐさせてる。あとで本人は覚えてない")
    assert focus.startswith("急にぼーっと") and rest == ""


def test_analysis_weighs_the_question_above_the_scene_and_added_words(vocab):
    q = analyse("妻が妊娠中でデパケンを飲んでいます。飲み忘れたらどうすればいい？", vocab=vocab)
    assert q.terms[q.focus] == 1.0 and q.terms[q.context] == 0.5
    # a brand's generic name is the same medicine (full weight); an everyday word's stand-in weighs less
    assert "バルプロ酸" in q.added and q.terms["バルプロ酸"] == 1.0
    w = analyse("お風呂で気をつけることは？", vocab=vocab)
    assert w.terms["入浴"] == 0.5 < w.terms[w.focus]
    # the embedder reads the everyday word's stand-in too, not a brand's generic name (it knows the brand)
    c = analyse("チャリ乗っていいの？てんかんで", vocab=vocab)
    assert c.added == ["自転車"] and c.retrieval == "チャリ乗っていいの？てんかんで 自転車"
    assert q.retrieval == q.restored
    # the word the question sentence stands for is added though the scene already uses it (at half weight)
    j = analyse("就職活動中の大学4年生です。面接でてんかんのことを言うべきか迷っています。", vocab=vocab)
    assert "面接" in j.focus and "就職" in j.context and j.terms["就職"] == 0.5
    e = analyse("seizureが5min以上続いたら？", vocab=vocab)
    assert e.normalized.startswith("発作が5分以上") and e.safety.emergency


def test_the_pipeline_hands_the_analysis_to_retrieval(make_assistant):
    r = StaticRetriever([make_hit("life/first-aid", PAGES[0], "応急手当")])
    ans = make_assistant(r).ask("こどもが ほっさ おこして もう10ぷん とまらない どうしよう", mode="extractive")
    assert ans.safety["emergency"] and ans.answer.startswith("【緊急】")
    assert ans.grounding != "out_of_scope"


# --- on the demo corpus ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_assistant(demo_index):
    from assistant import Assistant

    return Assistant(demo_index.config, demo_index.workspace, retriever=demo_index.retriever)


@pytest.mark.parametrize("question, page", [
    ("うんてん って できる？", "/life/driving.html"),
    ("デパケン飲み忘れたらどうする？", "/medicines/missed-dose.html"),
    ("のうは けんさ って いたいの", "/basics/eeg.html"),
    ("点観の薬って一生飲むの？", "/treatment/medication-basics.html"),
    ("クスリ ノミワスレタ ドウスル", "/medicines/missed-dose.html"),   # a phone left in katakana mode
    # a medicine named by where it goes (declined as "the corpus never mentions 尻" before the lexicon knew it)
    ("発作が止まらないときに使う鼻に入れる薬とかお尻の薬ってなに？", "/treatment/other-medicines.html"),
    # a seizure that "comes" (来たら) asks what to do as 起きたら does
    ("彼氏がてんかんで、デート中に発作きたら私どうすればいいの？", "/life/first-aid.html"),
    # a dentist is the dental guideline's 歯科 (its 医者 had been read as the pages' 医師)
    ("歯医者こわ…てんかんのこと先に言っとかないとまずい？", "/guidelines/dental-care.pdf"),
    # 自転車 outweighs 子ども, てんかん and 乗る only when the question's specific words are searched again
    ("子どもが自転車乗りたがってるんだけど、てんかんあっても乗っていいもんなの？", "/life/sports.html"),
])
def test_users_wording_finds_and_cites_the_right_page(demo_assistant, question, page):
    ans = demo_assistant.ask(question, mode="extractive")
    assert ans.grounding == "extractive", ans.relevance
    assert any(c.url.split("#")[0].endswith(page) for c in ans.citations), [c.url for c in ans.citations]


def test_the_question_sentences_specific_words_are_searched_again_but_not_kana_pieces_or_in_a_crisis(demo_assistant):
    weight = demo_assistant.acfg.specific_weight
    bike = demo_assistant.analyse("子どもが自転車乗りたがってるんだけど、てんかんあっても乗っていいもんなの？")
    assert [w for w in bike.terms if "自転" in w and w != bike.focus] and all(
        bike.terms[w] == weight for w in bike.terms if "自転" in w and w != bike.focus)
    assert "子ども" not in bike.terms and "てんかん" not in bike.terms  # common words are not searched again
    fever = demo_assistant.analyse("テグレトールのみはじめて2週間、体中に赤いぶつぶつが出てきて熱っぽい")
    assert "ぽい" not in fever.terms and "熱" not in fever.terms  # a kana piece, a single character
    # a crisis going on is answered from the pages about emergencies: nothing of the message is searched again
    crisis = demo_assistant.analyse("子どもの発作がもう10分止まらない、自転車から落ちた")
    assert crisis.safety.emergency_kinds and not any("自転" in w for w in crisis.terms if w not in (crisis.focus, crisis.context))


def test_an_emergency_in_hiragana_gets_119_first_and_is_never_out_of_scope(demo_assistant):
    ans = demo_assistant.ask("こどもが ほっさ おこして もう10ぷん とまらない どうしよう", mode="extractive")
    assert ans.answer.startswith("【緊急】") and "119番" in ans.answer.split("。")[0]
    assert ans.grounding not in ("out_of_scope", "no_sources") and not ans.safety["out_of_scope"]
    # and what follows the guidance comes from the page about emergencies, not from one that happens to
    # say 「発作が止まらない」 (the pregnancy page did, before the guidance's words were searched too)
    emergency_pages = ("/life/when-to-call-119.html", "/life/first-aid.html", "/basics/status-epilepticus.html")
    assert all(c.url.endswith(emergency_pages) for c in ans.citations), [c.url for c in ans.citations]
    # a first seizure gets the guidance, but its question (when does treatment start) keeps its own answer
    first = demo_assistant.ask("初めてけいれんを起こしたけど、すぐに薬を飲み始めないといけないの？", mode="extractive")
    assert first.answer.startswith("【緊急】") and first.citations[0].url.endswith("/treatment/overview.html")


def test_an_answer_opens_with_the_sentence_that_answers(demo_assistant):
    ans = demo_assistant.ask("発作って何分続いたら救急車呼んでいいやつなの？", mode="extractive")
    first = ans.answer.split("\n\n", 1)[1] if ans.answer.startswith("【緊急】") else ans.answer
    assert "5分以上" in first.split("\n")[0] + "\n".join(first.split("\n")[1:4])
    # a list is shown under its lead-in, never as bare fragments
    lines = ans.answer.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("- "):
            assert i > 0 and (lines[i - 1].startswith("- ") or lines[i - 1].rstrip().endswith(("。", "：", ":", "]")))


def test_quotes_come_from_the_whole_retrieved_page_and_cite_it(demo_assistant, demo_index):
    from assistant.grounding import Source

    chunks = demo_index.retriever.page_chunks(next(
        c.chunk_id for c in demo_index.retriever.iter_chunks() if c.url.endswith("/medicines/missed-dose.html")))
    assert len(chunks) > 2 and [c.n for c in chunks] == sorted(c.n for c in chunks)
    first, second, third = chunks[:3]
    sources = [Source(n=1, chunk_id=second.chunk_id, url=second.url, title=second.title, text=second.text),
               Source(n=2, chunk_id=third.chunk_id, url=third.url, title=third.title, text=third.text)]
    whole = demo_assistant._whole_pages(sources)
    # the first source of the page holds the rest of it (not the chunk retrieved on its own) ...
    assert whole[0].text.startswith(second.text) and first.text.split("\n")[-1][-30:] in whole[0].text
    assert third.text not in whole[0].text and whole[1] == sources[1]
    # the sentences the chunker carried from one chunk into the next are shown once, whichever of the two was
    # retrieved (the 119 page's list runs across its first two chunks)
    chunks = demo_index.retriever.page_chunks(next(
        c.chunk_id for c in demo_index.retriever.iter_chunks() if c.url.endswith("/life/when-to-call-119.html")))
    carried = chunks[1].text.split("\n")[0]
    assert carried.startswith("- ") and carried in chunks[0].text.split("\n")
    for c in chunks[:2]:
        [whole] = demo_assistant._whole_pages([Source(n=1, chunk_id=c.chunk_id, url=c.url, title=c.title, text=c.text)])
        lines = whole.text.split("\n")
        assert lines.count(carried) == 1 and all(x.split("\n")[-1] in whole.text for x in (chunks[0].text, chunks[1].text))
    # ... and an answer whose sentence lies in another chunk of a retrieved page quotes and cites that page
    ans = demo_assistant.ask("飲み忘れ", mode="extractive")
    assert any(c.url.endswith("/medicines/missed-dose.html") for c in ans.citations)


def test_a_chunk_that_starts_inside_a_section_keeps_its_section_in_the_whole_page(demo_assistant, demo_index):
    # the support page's second chunk starts with the last item of the systems list (the chunker's overlap); with its
    # first chunk retrieved on its own and the pension section's chunk first, that item followed the pension section's
    # last sentence and read as part of that section (and as a list that sentence introduced)
    from assistant.extractive import quote_units, section_headings
    from assistant.grounding import Source

    chunks = demo_index.retriever.page_chunks(next(
        c.chunk_id for c in demo_index.retriever.iter_chunks() if c.url.endswith("/life/support-systems.html")))
    inside = next(c for c in chunks[1:] if c.text.startswith("- ") and len(c.headings) > 1)
    own = next(c for c in chunks if c.n > inside.n + 1)
    before = next(c for c in chunks if c.n == inside.n - 1)
    sources = [Source(n=i, chunk_id=c.chunk_id, url=c.url, title=c.title, text=c.text) for i, c in enumerate((own, before), 1)]
    text = demo_assistant._whole_pages(sources)[0].text
    units, heads = quote_units(text), section_headings(text)
    first = inside.text.split("\n")[0]
    assert heads[units.index(first)] == inside.headings[-1]
    last_of_own = quote_units(own.text)[-1]
    assert heads[units.index(last_of_own)] != inside.headings[-1]
    # ... and the chunk retrieved itself, starting inside its section, is under that section's heading too
    text = demo_assistant._whole_pages([Source(n=1, chunk_id=inside.chunk_id, url=inside.url, title=inside.title,
                                               text=inside.text)])[0].text
    units, heads = quote_units(text), section_headings(text)
    assert heads[units.index(first)] == inside.headings[-1]


def test_coverage_is_judged_on_the_pages_the_answer_may_quote(demo_assistant):
    # two chunks of the school page on telling the teachers are retrieved, not the one on overnight school trips
    # (修学旅行・宿泊行事): the words the chunks miss are on the page, which the answer quotes from, so it is answered
    q = "小学5年の息子がてんかんです。来月修学旅行があり、泊まりで行きます。先生に何をお願いしておけばいいですか？"
    ans = demo_assistant.ask(q, mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["weighted_coverage"] >= 0.2
    assert any(c.url.endswith("/life/school.html") for c in ans.citations)
    # the signals recorded are those of the reading that decided: the trip's words are on the page, not missing
    assert not {"修学", "宿泊"} & set(ans.relevance["missing"])
    assert "修学旅行" in ans.answer
    # a question the pages do not cover is still declined
    assert demo_assistant.ask("修学旅行のおこづかいは何円くらいが普通？", mode="extractive").grounding in ("no_sources", "out_of_scope")


def test_a_supported_but_off_topic_generated_answer_falls_back_with_its_reason(make_assistant, demo_index):
    malformation = ("脳の形成異常は、胎児期に脳が作られる過程で起こる変化で、子どものてんかんの原因になります。"
                    "MRI検査で見つかることがあります。")
    stroke = "高齢になってから始まるてんかんの原因として、脳卒中がもっとも多いとされています。"

    class Fixed(StaticRetriever):
        """Fixed hits, with the demo corpus's chunks for the word statistics."""
        manifest = demo_index.retriever.manifest

        def iter_chunks(self):
            return demo_index.retriever.iter_chunks()

    r = Fixed([make_hit("basics/causes", malformation, "てんかんの原因"),
               make_hit("basics/adult-onset", stroke, "大人と高齢者のてんかん", rank=2)])
    r.manifest = demo_index.retriever.manifest
    # the sentence is supported by source 1, but it is not about the stroke the question asks about
    a = make_assistant(r, answer="脳の形成異常は、胎児期に脳が作られる過程で起こる変化です[1]。")
    ans = a.ask("脳卒中のあとにてんかんになることはある？", mode="rag-base")
    assert ans.grounding == "fallback" and ans.fallback_reason == "off-topic"
    assert any(x["reason"] == "off-topic" for x in ans.removed)
    assert "脳卒中" in ans.answer  # the quoted fallback answers from the stroke source
    # the same answer to a question it does answer is kept
    kept = make_assistant(r, answer="脳の形成異常は、胎児期に脳が作られる過程で起こる変化です[1]。").ask(
        "脳の形成異常ってなに？", mode="rag-base")
    assert kept.grounding == "verified" and kept.fallback_reason == ""
    # an answer with one sentence on topic and one off it keeps only the first, streamed and final alike
    mixed = make_assistant(r, answer="脳卒中はてんかんの原因としてもっとも多いとされています[2]。"
                                     "脳の形成異常は、胎児期に脳が作られる過程で起こる変化です[1]。")
    events = list(mixed.ask_stream("脳卒中のあとにてんかんになることはある？", mode="rag-base"))
    final = events[-1].answer
    streamed = "".join(e.text for e in events[:-1])
    assert final.grounding == "pruned" and final.fallback_reason == ""
    assert "脳卒中" in final.answer and "形成異常" not in final.answer and "形成異常" not in streamed
    assert [x["reason"] for x in final.removed] == ["off-topic"]
    assert [c.url for c in final.citations] == [r.hits[1].url]


def test_a_generated_answer_that_ends_on_a_lead_in_shows_the_list_it_introduces(make_assistant):
    when = ("救急車を呼ぶ目安\n"
            "多くの発作は数分以内に自然におさまります。\n"
            "しかし、次のような場合は迷わず119番に電話してください。\n"
            "- 発作が5分以上続いている\n"
            "- 意識が戻らないうちに次の発作が起きる\n"
            "- 初めての発作である\n"
            "- 発作のあいだにけがをした\n"
            "発作のあとは、落ち着くまでそばにいてください。\n")
    r = StaticRetriever([make_hit("life/when-to-call-119", when, "救急車を呼ぶ目安")])
    # the model stops after the lead-in, as the tuned adapter often does: the items are its source's, verbatim
    a = make_assistant(r, answer="多くの発作は数分以内に自然におさまります[1]。"
                                 "しかし、次のような場合は迷わず119番に電話してください[1]。")
    events = list(a.ask_stream("発作って何分続いたら救急車？", mode="rag-base"))
    final = events[-1].answer
    streamed = "".join(e.text for e in events[:-1])
    assert final.grounding == "verified"
    lines = final.answer.split("\n")
    assert lines[0].endswith("電話してください[1]。") and "- 発作が5分以上続いている" in lines[1:]
    # a list of up to five items is shown whole: three of four would read as if they were all
    assert [x for x in lines if x.startswith("- ")] == [x for x in when.split("\n") if x.startswith("- ")]
    assert "落ち着くまで" not in final.answer  # the sentence after the list is not an item
    assert streamed.endswith(final.answer.split("\n", 1)[1])  # the items reach the stream too
    # an answer that ends on an ordinary sentence gets nothing added
    plain = make_assistant(r, answer="多くの発作は数分以内に自然におさまります[1]。").ask("発作はどのくらいで止まる？", mode="rag-base")
    assert "\n" not in plain.answer.strip() and "- " not in plain.answer


@pytest.mark.parametrize("message", [
    "一人暮らしをしている母が、お風呂で発作を起こしたらと思うと心配です",   # する of a life, not of a seizure
    "息子は水泳を習っています。プールで発作が起きたらどうなりますか",        # the います of 習っています is not いま
    "薬を服用している妊婦です。発作が起きたらどうすればいいですか",
    "祖父は一人で畑仕事をしています。畑で発作を起こしたら誰も気づかないのでは",
])
def test_a_polite_sentence_about_a_life_does_not_make_a_conditional_happen_now(message):
    assert detect_emergencies(message) == []


@pytest.mark.parametrize("message, kind", [
    ("発作のあと息をしていません", "breathing"),                       # the polite negative
    ("娘は毎日薬を飲んでいます。発作のあと息をしていません", "breathing"),
    ("一人暮らしをしている父が、倒れてけいれんしている", None),           # a seizure done now still is
    ("いますぐ来てください、発作が止まりません", "long_seizure"),        # いますぐ is now
    ("発作が起きたらと思うと心配していました。いま、お風呂でけいれんしています", "water"),
])
def test_crises_in_the_polite_form_get_the_alarm(message, kind):
    found = detect_emergencies(message)
    assert found and (kind is None or kind in found)


@pytest.mark.parametrize("message", [
    "子どもはまだ3歳です。お風呂で発作が起きたらどうすればいい？",     # まだ of an age, not of a seizure going on
    "まだ妊娠初期です。妊娠中に発作が起きたら赤ちゃんは大丈夫？",
    "今の主治医に、プールで発作が起きたら危ないと言われた",           # 今の: these days
    "今住んでいるところは海が近いです。海で発作が起きたら？",
    "今までに大きな発作を起こしたことはありません。もし起こしたら救急車ですか",  # never happened; もし asks
])
def test_now_words_that_say_what_is_so_these_days_leave_a_conditional_alone(message):
    assert detect_emergencies(message) == []


@pytest.mark.parametrize("message", [
    "まだけいれんしてる", "まだ意識が戻らない", "まだピクピクしてて、呼んでも返事がない",
    "今、発作が起きて止まらない", "もしかして息してない？顔が紫",     # もしかして is not もし
])
def test_still_and_now_before_a_seizure_keep_the_alarm(message):
    assert detect_emergencies(message)


@pytest.mark.parametrize("message, alarm", [
    ("ずっと前にけいれんを起こしたことがあります。また起きないか心配です", False),   # long ago, a worry
    ("小さい頃からずっと薬を飲んでいます。発作で倒れたことは一度もありません", False),  # never happened
    ("ずっとけいれんしてる、どうすれば", True),
    ("初めて発作みたいなのが起きた、いままでてんかんとか言われたことない", True),   # never told: a first seizure
])
def test_zutto_and_never_read_by_what_they_say(message, alarm):
    assert bool(detect_emergencies(message)) is alarm


@pytest.mark.parametrize("message, alarm", [
    ("スマホのゲームを長時間やると発作でやすい？", False),                     # long at a game, not a long seizure
    ("こどもが ぼーっとして よびかけに こたえない ことが 1日に なんかいも ある", False),  # now and then
    ("発作が止まってもまたすぐ次の発作が来て、意識が戻らないまま何回も続くのは何て状態？", False),  # its name
    ("去年の春に初めて発作があって、ずっと発作はないです。いつから運転していい？", False),
    ("薬を3種類試しましたが発作がおさまりません。手術はどんな人が受けられるんですか", False),  # the course
    ("3種類の薬を試しても月に何回も発作があります。手術ってどのくらい効果があるの", False),
    ("薬を飲んだけど発作が止まらない", True),                                 # not the course: happening
    ("薬は毎日飲んでるのに、けいれんが止まらない", True),
    ("長時間けいれんしてる", True),
    ("発作が止まってもまたすぐ次の発作が来て、意識が戻らないまま何回も続いてる", True),
])
def test_ordinary_questions_that_name_a_crisis_in_passing_get_no_alarm(message, alarm):
    assert bool(detect_emergencies(message)) is alarm


def test_the_reading_vocabulary_knows_the_lexicons_words_by_their_sound():
    from types import SimpleNamespace

    from assistant.readings import reading_vocabulary

    class Chunks:
        manifest = {"generation": "lexicon-test", "chunks": 1}

        def iter_chunks(self):
            return [SimpleNamespace(title="運転", text="てんかんのある人の運転免許について。")]

    vocab = reading_vocabulary(Chunks())
    # a brand name and an everyday word typed in hiragana come back as the lexicon's words, which then fold
    # to the pages' words (バルプロ酸, 運転)
    q = analyse("でぱけん のんでるけど ばいく のっていい？", vocab=vocab)
    assert "デパケン" in q.restored and "バイク" in q.restored
    assert {"バルプロ酸", "運転"} <= set(q.added)


@pytest.mark.parametrize("message, alarm", [
    ("うみ で およいでも いい？ ほっさ は 2ねん ない", False),                  # seizure-free for two years
    ("drug-resistantでseizureがmonths止まらない、surgery考えるべき？", False),   # for months: the illness
    ("今朝けいれんして病院に行きました。今は家に戻って寝ています。明日学校いける？", False),
    ("発作は1年なかったのに、いま突然けいれんして止まらない", True),
    ("今朝から何回も発作を繰り返して、意識が戻らない", True),
    ("けいれんが10分止まらない", True),
])
def test_the_course_of_the_illness_is_not_a_seizure_now(message, alarm):
    assert bool(detect_emergencies(message)) is alarm


def test_each_word_the_lexicon_adds_is_a_part_of_the_question_an_extractive_answer_should_hold():
    q = analyse("薬のせいで眠くて仕事にならない")
    assert q.parts_text.startswith("薬のせいで眠くて仕事にならない？ ") and "？ 副作用" in q.parts_text
    # a brand's generic name stays with the question: the same medicine, not another part
    d = analyse("デパケン飲み忘れた")
    assert "バルプロ酸" in d.parts_text and "？ バルプロ酸" not in d.parts_text
    assert analyse("運転は？").parts_text == "運転は？"


@pytest.mark.parametrize("question, word", [
    # becoming one of a trade asks about the work page's 仕事
    ("保育士になりたいんだけどさ、てんかんあるとなれないとかってあるの？", "仕事"),
    ("調理師を目指してます。揚げ物の鍋も包丁も使うけど大丈夫？", "仕事"),
    ("公務員になれる？", "仕事"),
    # staying up late or all night is the pages' 睡眠不足
    ("夏合宿は夜遅くまで練習が続きます。何に気をつければいい？", "睡眠不足"),
    ("サークルの飲み会でオールして朝まで飲むってやっぱヤバい？", "睡眠不足"),
    ("徹夜でテスト勉強したら発作でる？", "睡眠不足"),
])
def test_what_a_plain_phrase_asks_adds_the_pages_word(question, word):
    assert word in added_words(question)


def test_a_trade_without_becoming_it_adds_no_work():
    assert "仕事" not in added_words("薬剤師さんに飲み合わせを聞いてもいい？")


def test_easier_to_happen_is_no_price():
    # 〜やすくなる of a verb (出やすくなる) is not 安くなる: the support page's 負担 is added only for what costs less
    assert "負担" not in added_words("朝まで麻雀したら発作出やすくなる？")
    assert "負担" in added_words("薬高すぎて、安くなる方法ない？")
    assert "負担" in added_words("くすり やすく なる ほうほう ある？")
