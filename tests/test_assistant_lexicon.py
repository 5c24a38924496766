"""Everyday words and brand names folded to the sources' wording (assistant.lexicon)."""

from assistant.grounding import _tokens, support
from assistant.lexicon import BRAND_TO_GENERIC, ENGLISH_WORDS, WORD_SYNONYMS, canonical_text, expand_query, from_english
from tenkan.jatext import content_tokens
from assistant.relevance import TermStats, assess


def test_brand_names_become_generic_names_on_the_surface():
    assert canonical_text("デパケンとイーケプラを飲んでいます") == "バルプロ酸とレベチラセタムを飲んでいます"
    # every brand maps to a name that is not itself a brand (no chains, no loops)
    assert not set(BRAND_TO_GENERIC.values()) & set(BRAND_TO_GENERIC)


def test_everyday_words_match_the_medical_words_as_tokens():
    assert "医師" in _tokens("お医者さんに相談します") and "医者" not in _tokens("お医者さんに相談します")
    assert "月経" in _tokens("生理の前に発作が増えます")
    # surface text is never rewritten: 生理的 stays what it is
    assert "月経" not in canonical_text("生理的な反応")
    assert "水泳" in _tokens("プールの授業はどうすれば") and "運動" in _tokens("ジムに通ってもいい？")
    # a compound the tagger splits is matched whole, as written: 成功率 is a treatment's effect, 成功 alone is not
    assert "効果" in _tokens("手術の成功率は？") and "成功" not in _tokens("手術の成功率は？")
    assert canonical_text("起業して成功するには") == "起業して成功するには"
    # the compound's word is written as the table writes it (not in katakana, as a katakana entry's verb is)
    assert canonical_text("頭痛薬って飲んでいいの？") == "痛み止めって飲んでいいの？"


def test_a_symptom_in_everyday_words_matches_the_pages_word():
    # 「ふらふら」 and 「立ちくらみ」 are how people say what the pages call ふらつき and 失神
    assert "ふらつき" in _tokens("薬のんでからふらふらして歩けない")
    assert "失神" in _tokens("立ちくらみで倒れたのと発作ってどう見分けるの")
    page = "失神は、脳への血流が一時的に減って意識を失う状態で、てんかんと最も間違えやすいものの一つです。"
    assert assess("立ちくらみで意識を失う", [page], TermStats([])).coverage == 1.0


def test_an_activity_the_pages_name_by_its_kind_is_that_kind():
    # the sports page lists kinds of sport and a few examples; テニス or 剣道 is one of its kinds
    assert "スポーツ" in _tokens("テニス部に入っても大丈夫？") and "テニス" not in _tokens("テニス部に入っても大丈夫？")
    assert {"光", "点滅"} <= _tokens("カラオケのライトがチカチカするのって発作の原因になる？")
    assert expand_query("週末は泊まりがけで出かけます").endswith(" 旅行")


def test_every_everyday_word_applies():
    # the table folds lemma tokens, and an entry the tokenizer splits (成功率 → 成功 + 率) by its spelling: either
    # way, the word typed alone reads as the pages' word
    for word, canon in WORD_SYNONYMS.items():
        assert set(content_tokens(canon)) & _tokens(word), word


def test_relevance_sees_a_brand_name_question_as_covered_by_the_generic_page():
    page = "カルバマゼピンの飲み始めに発疹が出たら、すぐに主治医に連絡してください。"
    stats = TermStats([])
    covered = assess("テグレトールで発疹が出たら？", [page], stats)
    assert covered.coverage == 1.0 and covered.missing == []
    # without the table the brand name would be the uncovered word
    assert "テグレトール" not in _tokens("テグレトールで発疹が出たら？")


def test_citation_support_accepts_the_sources_wording_for_an_everyday_word():
    src = "発作の様子は医師に伝えてください。"
    assert support("発作の様子はお医者さんに伝えてください。", src) == 1.0


def test_expand_query_appends_the_sources_words_once():
    q = expand_query("テグレトールを飲んでいて生理が不順です")
    assert q.startswith("テグレトールを飲んでいて生理が不順です ")
    assert "カルバマゼピン" in q and "月経" in q
    assert expand_query("発作が5分以上続いたら？") == "発作が5分以上続いたら？"
    assert expand_query("カルバマゼピン（テグレトール）") == "カルバマゼピン（テグレトール）"


def test_a_plain_question_adds_the_pages_word_for_what_it_asks():
    # why one becomes ill asks for the cause; something that began with a medicine is a side effect
    assert expand_query("てんかんってなんでなるの？").endswith(" 原因")
    assert expand_query("どうして発作が起きるの").endswith(" 原因")
    assert "副作用" in expand_query("くすり変えてから眠くて仕事にならない")
    assert "副作用" in expand_query("薬を飲み始めてからずっと眠い")
    # ... not a why-question about something else, nor a medicine merely taken
    assert "原因" not in expand_query("なんで薬をやめるとだめになるの")
    assert "副作用" not in expand_query("薬を飲んでから運転していい？")
    # the word is not added twice, nor when the question has it
    assert expand_query("てんかんの原因ってなんでなるの").count("原因") == 1
    # what to do when a seizure comes is first aid
    assert expand_query("彼氏がてんかんなんだけど発作のときどうすれば").endswith(" 応急手当")
    assert expand_query("倒れたときに周りができることを知りたい").endswith(" 応急手当")
    assert "応急手当" not in expand_query("薬を飲み忘れたらどうすれば")
    # what it costs is a 負担; an adjective is its page noun
    assert expand_query("薬代が高くて安くなる方法ない？").endswith(" 負担")
    assert "痛み" in _tokens("脳波って痛い？")
    # something felt before a seizure is its 前兆, and so are 前ぶれ and 予兆
    assert expand_query("発作が起きる前になにか感じることってある？").endswith(" 前兆")
    assert "前兆" in _tokens("発作の前ぶれ") and "前兆" in _tokens("発作の予兆")
    assert "前兆" not in expand_query("発作の前に薬を飲んでおく")
    # wanting a child is a question about pregnancy; cramming overnight is a lack of sleep
    assert expand_query("結婚を考えてる彼女がてんかん。子どもは持てる？").endswith(" 妊娠")
    assert "妊娠" not in expand_query("子どもが発作を起こした")
    assert "睡眠不足" in expand_query("テスト前の一夜漬けってやめたほうがいい？")
    # keeping seizures away asks what brings them on; telling someone about the illness is the pages' 伝える
    assert expand_query("発作が起きないようにするにはどうすればいい？").endswith(" 誘因")
    assert expand_query("上司にてんかんのこと言ったほうがいいのかな").endswith(" 伝える")
    assert "伝える" not in expand_query("てんかんって言われた")
    # said in kana after a particle; the い of an adjective before って says nothing (「なりやすいって」)
    assert "伝える" in expand_query("てんかんのこと かいしゃ に いう べき？")
    assert "伝える" not in expand_query("頭ぶつけたことあると、てんかんになりやすいってほんと？")
    # a head hit asked about as a cause of epilepsy is the causes page's 頭部外傷; one in a seizure is not
    assert "頭部外傷" in expand_query("頭ぶつけたことあると、てんかんになりやすいってほんと？")
    assert "頭部外傷" not in expand_query("発作で頭を打った。てんかんの薬はどうする？")
    # more seizures of late asks what brings them on
    assert expand_query("最近発作が増えてきた、なんで？").endswith(" 誘因")
    # must one tell (言わなきゃ) is telling too, being told (言われ) is not; what the medicine is blamed for is a side
    # effect; a hand that would not move is the pages' 麻痺
    assert "伝える" in expand_query("面接でてんかんのこと言わなきゃダメ？")
    assert "伝える" not in expand_query("認知症の母がてんかんって言われた。薬の管理どうしたら")
    assert "副作用" in expand_query("薬のせいで眠くて仕事にならない")
    assert "副作用" in expand_query("くすりのんでから ねむくて しかたない")
    assert "副作用" in expand_query("薬飲んだらふらふらして仕事にならない、慣れるもの？")
    assert "利点" in expand_query("手帳 メリット")
    assert "伝える" in expand_query("しごとでてんかんのこと言いたくない")
    assert "痛み止め" in expand_query("ロキソニンとてんかんの薬いっしょにのんでいい？")
    assert "決まり" in expand_query("飲み忘れた時のルールある？") and "発疹" in expand_query("ラモトリギンで発心がでた")
    assert "麻痺" in expand_query("発作のあと片方の手が動かなくなった") and "片側" in expand_query("片方の手")
    # how long the medicine goes on asks whether it can be tapered; a medicine taken for a while is no such question
    assert "減量" in expand_query("ガチで薬一生飲むの？") and "減量" in expand_query("くすり ずっと のまなきゃ だめ？")
    assert "減量" in expand_query("抗てんかん薬っていつまで飲み続けるの")
    assert "減量" not in expand_query("ずっと飲んでるけど眠気がとれない")
    # nothing done when a seizure came asks what to do next time
    assert "応急手当" in expand_query("同僚が発作で倒れたとき何もできませんでした。次のためにどうすればいいか知りたい")
    assert "応急手当" in expand_query("彼氏が発作おこしたとき、私なにもできなかった。次どうすればいい？")
    # a care home is the elderly-care page's 介護; a specialist 施設 is not
    assert "介護" in expand_query("施設にいる祖父、てんかんの薬を飲み込むのが難しくなってきたみたい")
    assert "介護" not in expand_query("専門の施設を紹介されました。どんなところ？")
    assert "麻痺" not in expand_query("発作で動けなくなった")
    assert "麻痺" in expand_query("発作のあと片方の腕がしばらく動かない")
    # what not to do during a seizure is first aid too; a machine put inside is the VNS page's 刺激装置
    assert "応急手当" in expand_query("ほっさ が おきたら なにを しちゃ だめ なの")
    assert "応急手当" not in expand_query("発作が多いと仕事しちゃだめ？")
    assert "刺激装置" in expand_query("頭に機械うめこむ治療ってどんなの")
    assert "刺激装置" not in expand_query("薬を入れるケースってどれがいい？")
    # holding or hugging someone having a seizure, in other words than the page's 押さえつけ, asks for first aid;
    # a medicine that keeps seizures down (発作をおさえる薬) does not
    assert "応急手当" in expand_query("発作のとき抱きしめて止めようとしたら怒られた、なんで？")
    assert "応急手当" in expand_query("発作のとき体おさえとくべき？")
    assert "応急手当" not in expand_query("発作をおさえる薬の副作用")
    # a dose brought up again, typed in kana, is the missed-dose page's 吐いてしまった; 飲んではいけない is not
    assert "吐いてしまった" in expand_query("くすり のんだあと はいちゃった また のんだほうが いい？")
    assert "吐いてしまった" not in expand_query("のんではいけない薬ってある？")
    # a smell, then the memory gone: the smell is an aura (前兆); a smell and sleepiness after a meal is not
    assert "前兆" in expand_query("変なにおいがしたと思ったらそのあと記憶が飛んでることがある")
    assert "前兆" not in expand_query("焼肉のにおいがして食べたあと眠い")
    # the pill in hiragana is ピル; いっしょ (together) is no 言っ (telling)
    assert expand_query("ぴる のんでるんだけど てんかん の くすり と いっしょで へいき？").split()[-1] == "ピル"
    assert "伝える" not in expand_query("てんかん の くすり と いっしょで へいき？")
    assert "伝える" in expand_query("てんかんのことをいっておくべき？")


def test_slang_is_no_topic_and_some_slang_reads_as_the_pages_words():
    assert "草" not in _tokens("薬高すぎて草")
    assert {"可能", "性"} <= _tokens("ワンチャン薬やめれる？") and "ゲーム" in _tokens("ゲーセン行っても平気？")


def test_a_grandparent_and_english_drug_level_read_as_the_pages_words():
    assert "高齢者" in expand_query("おばあちゃんが薬飲んだか忘れちゃう")
    assert from_english("drug levelが高い") == "血中濃度が高い"
    assert from_english("jet lagの時の薬") == "時差の時の薬" and from_english("strobe lightで") == "点滅する光で"


def test_the_assistant_searches_with_the_sources_words_added_at_a_lower_weight(make_assistant):
    from tests.fixtures.assistant import StaticRetriever, make_hit

    r = StaticRetriever([make_hit("treatment/carbamazepine", "カルバマゼピンの飲み始めに発疹が出たら主治医に連絡します。",
                                  "カルバマゼピン")])
    a = make_assistant(r)
    ans = a.ask("テグレトールで発疹が出たらどうする？", mode="extractive")
    assert ans.retrieval_query == "テグレトールで発疹が出たらどうする？ カルバマゼピン"
    # BM25 gets the question at full weight and a brand's generic name at assistant.brand_weight (the same
    # medicine: at 0.5 the rash pages of other medicines outranked the page about this one) ...
    assert r.terms[-1] == {"テグレトールで発疹が出たらどうする？": 1.0, "カルバマゼピン": 1.0}
    assert ans.query["added"] == ["カルバマゼピン"]
    assert ans.grounding == "extractive" and ans.citations
    # ... and an everyday word's stand-in at the lower expansion weight, so it does not drown the question
    ans = a.ask("スマホのアラームで薬の時間を知らせる", mode="extractive")
    assert r.terms[-1]["スマートフォン"] == 0.5


def test_a_brand_name_inside_a_longer_name_is_left_alone():
    # 「ガバペン」 is a brand of ガバペンチン; the generic name itself must not become 「ガバペンチンチン」
    assert canonical_text("ガバペンチンの副作用") == "ガバペンチンの副作用"
    assert canonical_text("ガバペン飲んでる") == "ガバペンチン飲んでる"


def test_english_words_become_the_pages_words_on_word_boundaries():
    assert from_english("jet lagで発作でやすい？night shiftは？") == "時差で発作でやすい？夜勤は？"
    assert from_english("birth control pillとの飲み合わせ") == "経口避妊薬との飲み合わせ"   # the longest phrase wins
    assert from_english("Keppraでmoody") == "Keppraでmoody"                            # not every word is known
    assert from_english("flightで薬はcarry-onに入れる？") == "飛行機で薬は機内持ち込みに入れる？"
    assert from_english("all-nighterしたら") == "徹夜したら"
    assert from_english("stressed") == "stressed"                                      # stress only as a whole word
    # the English names of what the pages describe
    assert from_english("catamenial epilepsyって何") == "月経関連てんかんって何"
    assert from_english("double visionが出る") == "複視が出る"
    assert from_english("West syndromeってどんなseizure？") == "ウエスト症候群ってどんな発作？"
    # each maps to Japanese, never to more English
    assert all(not any(c.isascii() and c.isalpha() for c in v) for v in ENGLISH_WORDS.values())


def test_a_katakana_slang_word_matches_as_typed_not_by_its_kanji_lemma():
    # MeCab reads キレる as 切れる, which is also a medicine or a battery running out
    assert "いらいら" in expand_query("イーケプラでキレやすくなった")
    assert "苛々" in _tokens("すぐキレる") and "苛々" in _tokens("キレた")
    assert expand_query("VNSって電池切れたらどうなる？") == "VNSって電池切れたらどうなる？"
    assert expand_query("薬が切れたらどうする") == "薬が切れたらどうする"
    assert "苛々" not in _tokens("薬が切れた") and "苛々" not in _tokens("キレイな肌")
    # a hiragana lemma is not ambiguous: ちかちか still reads as 点滅
    assert "点滅" in _tokens("ちかちかする光") and "点滅" in _tokens("チカチカする光")
