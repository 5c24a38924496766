"""The relevance decision: questions about something the corpus never names, or asking for a
fact no source states, are declined; questions the corpus covers are answered however they
are worded."""

from __future__ import annotations

import pytest

from assistant.pipeline import NO_SOURCES_TEXT, OUT_OF_SCOPE_TEXT
from assistant.grounding import _tokens
from assistant.relevance import TermStats, asked_fact, assess, on_topic, other_condition, term_stats, unknown_nouns
from tests.fixtures.assistant import StaticRetriever


def test_rare_missing_words_outweigh_common_covered_ones():
    chunks = ["てんかんの発作と治療について。", "てんかんの薬の副作用。", "てんかんと入浴の注意。", "発作の応急手当。"]
    stats = TermStats(chunks)
    assert stats.idf("鍼") == stats.max_idf > stats.idf("治療") > stats.idf("発作")  # df 0 < 1 < 2
    rel = assess("てんかんに鍼治療は効果がありますか？", chunks[:1], stats, specific_idf=stats.max_idf)
    # the word the corpus never uses weighs most: the weighted share falls well below the plain one
    assert rel.weighted_coverage < rel.coverage - 0.1
    assert "鍼" in rel.missing and "治療" not in rel.missing
    covered = assess("てんかんの発作の治療は？", chunks[:1], stats)
    assert covered.weighted_coverage == 1.0 and covered.missing == []


def test_a_sentence_holding_most_of_a_common_worded_question_is_on_topic():
    stats = TermStats(["手帳の申請。", "手帳の等級。", "免許の更新。", "発作の記録。", "薬の副作用。", "入浴の注意。"])
    question = "手帳は何年ごとに更新？"
    weights = {w: stats.idf(w) for w in _tokens(question)}
    words = frozenset({"毎"})  # the only word rare enough to be specific, and no answer repeats it
    answer = "手帳の有効期間は2年で、更新が必要です。"
    assert not on_topic(answer, words, None, 0.88)
    assert on_topic(answer, words, None, 0.88, weights=weights, min_share=0.5)
    # a sentence holding only the commonest word is still about something else
    assert not on_topic("手帳があると運賃の割引を受けられます。", words, None, 0.88, weights=weights, min_share=0.5)


def test_a_question_without_specific_words_is_judged_by_its_weighted_words_not_waved_through():
    stats = TermStats(["けいれんの薬。", "けいれんの手当て。", "薬の量。", "発作の記録。", "頭を守る。", "入浴の注意。"])
    question = "一回けいれんしただけじゃ薬って出ないもんなの？"
    weights = {w: stats.idf(w) for w in _tokens(question)}
    first_aid = "頭の下にたたんだ上着やクッションを入れて、頭を守ります。"
    # no word of the question is specific: without weights nothing can be told apart, with them the
    # first-aid sentence shares none of the question's words and is off topic
    assert on_topic(first_aid, frozenset(), None, 0.88)
    assert not on_topic(first_aid, frozenset(), None, 0.88, weights=weights, min_share=0.5)
    assert on_topic("一回のけいれんでは、すぐに薬を始めないこともあります。", frozenset(), None, 0.88,
                    weights=weights, min_share=0.5)
    assert on_topic(first_aid, frozenset(), 0.9, 0.88, weights=weights, min_share=0.5)  # the embedder puts it close


def test_a_noun_used_as_an_adverb_is_never_the_unknown_topic():
    stats = TermStats(["てんかんの発作と記録について。"] * 60)
    # 一応 (MeCab: 名詞, 副詞可能) says how, not what; 献血 is a thing the corpus never names
    assert unknown_nouns("一応記録はつけたけど献血はできる？", stats) == ["献血"]
    # a unit after its number (5キロ) measures, it names nothing; キロ alone is still a word
    assert unknown_nouns("発作のあと体重が5キロ増えた", stats) == ["体重"]
    assert "キロ" in unknown_nouns("キロの単位", stats)
    # a na-adjective said of how something happens (勝手に動く) is the manner; before a noun it names one
    moves = TermStats(["意識がある発作で、手が動きます。旅行の荷物に薬を入れます。"] * 60)
    assert unknown_nouns("意識あるのに手が勝手に動く発作ってなに", moves) == []
    assert unknown_nouns("旅行に便利な荷物は？", moves) == ["便利"]
    # where a story happens (教室, 職場) sets its scene; the thing asked about is named elsewhere
    assert unknown_nouns("担任として教室で準備しておくことは？", stats) == ["準備"]
    # a life event frames a question about a seizure; asked about alone, it is the topic
    assert unknown_nouns("受験のストレスで発作が増えないか心配", stats) == ["ストレス"]
    assert unknown_nouns("受験におすすめの参考書は？", stats) == ["受験", "参考"]
    # a shift rota sets the scene of a question about seizures at work, but does not frame its own message
    work = TermStats(["てんかんの発作と夜勤の仕事について。"] * 60)
    assert unknown_nouns("部下がてんかん持ちで、夜勤のシフトに入れても大丈夫？", work) == []
    assert "シフト" in unknown_nouns("シフト表の作り方のコツ", work)
    # the whole message frames its question sentence
    assert unknown_nouns("受験のあとが心配", stats) == ["受験"]
    assert unknown_nouns("受験のあとが心配", stats, frame="発作が増えています。受験のあとが心配") == []
    lights = TermStats(["てんかんの発作と光の刺激について。"] * 60)
    assert unknown_nouns("コンサートの照明で発作おきる？", lights) == []  # 照明 is the pages' 光; the concert is where
    assert unknown_nouns("コンサートの照明で発作おきる？", stats) == ["照明"]  # ... on pages that name light


def test_a_katakana_compound_of_two_known_words_names_nothing_new():
    games = TermStats(["てんかんの発作の原因と、ゲームの画面の点滅について。ガバペンチンという薬。"] * 60)
    # MeCab leaves スマホゲーム whole: スマホ (the lexicon's スマートフォン) and ゲーム are known
    assert unknown_nouns("スマホゲームって発作の原因になる？", games) == []
    # ... but not a word whose parts only occur inside a longer one (ガバ, ペン of ガバペンチン)
    assert unknown_nouns("ボルダリングしていい？", games) == ["ボルダリング"]
    assert "ガバペン" not in TermStats(["ガバペンチン"]).df and not TermStats(["ガバペンチン"]).has_word("ガバ")


def test_names_of_places_and_people_set_the_scene_unless_the_question_looks_for_something_there():
    stats = TermStats(["てんかんの発作と薬と旅行について。"] * 60)
    # where the trip goes and who had the seizure are not what the pages must name
    assert unknown_nouns("ハワイに旅行、発作の薬はどうする？", stats) == []
    assert unknown_nouns("同僚の田中さんが発作を起こした", stats) == []
    # a hospital, a price or a recommendation in a place: the place is what is asked about
    assert unknown_nouns("大阪でてんかんの発作を診る病院は？", stats) == ["大阪", "病院"]
    assert unknown_nouns("てんかんの薬ってアメリカではいくら？", stats) == ["アメリカ"]
    # ... and a person judged is the topic
    assert "鈴木" in unknown_nouns("発作の手術をする鈴木先生の評判は？", stats)
    # with no health matter in the message a name is the topic as before
    assert unknown_nouns("ハワイのおすすめのホテル", stats)[0] == "ハワイ"


def test_english_words_typed_as_they_are_do_not_sink_the_coverage():
    chunks = ["てんかんのある子どもの水泳と発作の注意。", "発作のときの応急手当。"] * 30
    stats = TermStats(chunks)
    # a mixed-in English word no chunk uses is not weighed as the rarest word of the question ...
    assert assess("kayak でも 水泳 の 注意 は？", chunks[:1], stats).weighted_coverage == 1.0
    # ... but an acronym is a named thing, and the corpus's silence about it counts
    assert assess("ADHD の 水泳 の 注意 は？", chunks[:1], stats).weighted_coverage < 0.7


def test_unconverted_hiragana_the_corpus_never_uses_is_noise_not_a_missing_word():
    chunks = ["薬を飲んだあとに吐いたときは、主治医に相談してください。", "発作のときの応急手当。"] * 30
    stats = TermStats(chunks)
    # 「はいちゃった」 reads as 履く and 「んー」 as a word: pieces of unconverted input, not what the page lacks
    rel = assess("薬 のんだあと はいちゃった んー どうしよう", chunks[:1], stats)
    assert rel.weighted_coverage == 1.0
    # a kanji word the corpus never uses still counts
    assert assess("薬 のんだあと 鍼 は？", chunks[:1], stats).weighted_coverage < 0.7


def test_hand_built_retrievers_fall_back_to_uniform_weights(static_hits):
    stats = term_stats(StaticRetriever(static_hits))
    assert stats.idf("鍼") == stats.idf("てんかん") == 1.0


@pytest.fixture(scope="module")
def demo_assistant(demo_index):
    from assistant import Assistant

    return Assistant(demo_index.config, demo_index.workspace, retriever=demo_index.retriever)


@pytest.mark.parametrize("question", [
    "てんかんに鍼（はり）治療は効果がありますか？",           # a treatment the demo pages never mention
    "飼っている犬がてんかんと言われた。人間と同じ薬を飲ませても大丈夫？",  # veterinary, not covered
    # a message typed all in kana names its topic in two kana as well (ねこ)
    "ねこのつめきりはどうやってやるの",
    # a dictionary word that only sounds like a page word sharing none of its kanji (鍼灸 / 進級) is its own topic
    "鍼灸でてんかんって治る？",
    # the unknown illness is named in the scene, the question sentence only goes on about it
    "夫がパーキンソン病と診断されました。これから手足の震えはどう進むんでしょうか？",
    # a kanji compound MeCab only knows kanji by kanji (抑｜肝｜散), whose kanji the pages use in other words
    "てんかんに漢方ってきく？抑肝散のんでる人いるってきいた",
    # a kana noun MeCab cuts into pieces, in a message that names only medicine in general
    "こうけつあつのくすりはあさとよるどっちにのむ",
])
def test_questions_the_demo_corpus_does_not_cover_are_declined(demo_assistant, question):
    ans = demo_assistant.ask(question, mode="extractive")
    assert ans.grounding in ("no_sources", "out_of_scope"), ans.relevance
    assert ans.answer in (NO_SOURCES_TEXT, OUT_OF_SCOPE_TEXT) and "主治医" in NO_SOURCES_TEXT
    assert ans.citations == [] and not ans.grounded
    assert ans.relevance["relevant"] is False and ans.relevance["unknown"]
    assert ans.to_dict()["relevance"]["reason"].startswith("the corpus never mentions")


@pytest.mark.parametrize("question, pages", [
    ("ラモトリギンの飲み始めに気をつけることは？", ("lamotrigine", "side-effects")),
    ("お風呂に入るとき、発作に備えて気をつけることは？", ("bathing", "faq")),  # the FAQ page answers it too
])
def test_questions_the_demo_corpus_covers_are_still_answered(demo_assistant, question, pages):
    ans = demo_assistant.ask(question, mode="extractive")
    assert ans.grounding == "extractive" and ans.grounded, ans.relevance
    assert ans.relevance["relevant"] is True
    assert ans.relevance["weighted_coverage"] >= demo_assistant.acfg.min_weighted_coverage
    assert any(p in c.url for c in ans.citations for p in pages), [c.url for c in ans.citations]


def test_the_unknown_word_is_what_declines_it(demo_index):
    """With assistant.decline_unknown off, the same question is answered with loosely related
    quotes: that the corpus never names 鍼 is what makes the difference."""
    import copy

    from assistant import Assistant

    q = "てんかんに鍼（はり）治療は効果がありますか？"
    cfg = copy.deepcopy(demo_index.config)
    cfg.assistant.decline_unknown = False
    plain = Assistant(cfg, demo_index.workspace, retriever=demo_index.retriever).ask(q, mode="extractive")
    assert plain.grounding == "extractive"


@pytest.mark.parametrize("question", [
    "てんかんってうつるの？ママ友に聞かれて固まっちゃった",      # a remark after the question
    "うんてん って できる？",                                   # hiragana only
    "自律支援医療って何割負担になるの",                          # a conversion error
    "子どもの学行の先生にはどこまで伝えればいい？",                # ... that the coverage does not count as missing
    "定年退職した父が最近ぼーっとしてることが多い",                # a life event sets the scene, the pages never name it
    "受験のストレスで発作が増えないか心配",
    "テニス部に入っても大丈夫？",                                 # an activity the pages name by its kind
])
def test_casual_wording_of_covered_questions_is_answered(demo_assistant, question):
    ans = demo_assistant.ask(question, mode="extractive")
    assert ans.grounding == "extractive" and ans.citations, ans.relevance


def test_a_price_no_source_states_is_declined(demo_assistant):
    ans = demo_assistant.ask("脳波検査っていくらかかる？", mode="extractive")
    assert ans.grounding == "no_sources"
    assert ans.relevance["asks"] == "price" and ans.relevance["asks_found"] is False


def test_a_dose_no_source_states_is_declined_and_a_medicines_hour_is_no_opening_hour(demo_assistant):
    # the pages never state an amount in milligrams or tablets, and an answer must not invent one
    ans = demo_assistant.ask("デパケンって何錠飲めばいいの？", mode="extractive")
    assert ans.grounding == "no_sources" and ans.relevance["asks"] == "dose"
    # 「量ってどのくらいから始める？」 is answered by how the pages say it is done (少ない量から)
    assert asked_fact("ラミクタールの量ってどのくらいから始める？") == ""
    # what time a medicine is taken is not a hospital's hours
    assert asked_fact("薬って何時に飲めばいい？") == "" and asked_fact("病院は何時から？") == "time of day"


def test_a_book_film_or_app_to_recommend_is_asked_for_and_a_pages_topic_is_not(demo_assistant):
    for q in ("てんかんについて家族が読むのに、おすすめの本がございましたら教えていただけますか", "てんかん 映画 おすすめ",
              "発作の記録つけられるおすすめのスマホアプリの名前教えて"):
        assert asked_fact(q) == "recommendation", q
    ans = demo_assistant.ask("てんかん 映画 おすすめ", mode="extractive")
    assert ans.grounding == "no_sources" and ans.relevance["asks_found"] is False
    # nor does it name famous people who have it
    assert asked_fact("てんかん患者の有名人って誰がいる？") == "famous people"
    # keeping a record in an app is what the pages advise; a sport the pages recommend is no product
    assert asked_fact("発作の記録はアプリでつけてもいい？") == "" and asked_fact("おすすめの運動は？") == ""
    # which of the apps or comics is best, typed in any script
    for q in ("お薬手帳のアプリっていろいろあるけど、どれが使いやすい？", "すまほ の あらーむ あぷり で いちばん つかいやすい の どれ？",
              "てんかん の ひと が かいた まんが で おすすめ ある？"):
        assert asked_fact(q) == "recommendation", q
    # a maker to choose, and where a thing is sold: the pages name neither
    assert asked_fact("通学用に軽くて丈夫な自転車のメーカーってどこがいいですか") == "recommendation"
    assert asked_fact("ほっさ で あたま うったとき の ための へるめっと どこ で うってる？") == "shop"
    # a maker asked in kana with spaces, and a medicine to buy (a fresh list of session 28 had them answered)
    assert asked_fact("こどもよう の ヘルメット どこ の メーカー が かるい？") == "recommendation"
    assert asked_fact("市販の睡眠薬 おすすめ") == "recommendation"
    assert asked_fact("てんかんの薬のおすすめの飲み方は？") == ""
    # which hospital does it, or does it soonest: the pages name none; whether any hospital will do is theirs
    assert asked_fact("子どもの発達検査ってどこの病院が早く予約とれる？") == "institution"
    assert asked_fact("ビザの申請で健康診断がいると聞いたんですが、どこの病院で受けられますか？") == "institution"
    assert asked_fact("自立支援医療ってどこの病院でも使えるわけじゃないんだっけ？") == ""
    assert asked_fact("ヘッドギアってどこで手に入る？") == "shop" and asked_fact("どこで相談できる？") == ""
    # but which medicine suits one is the pages' matter, and an app to keep the record in is what they advise
    assert asked_fact("薬はどれがいい？") == "" and asked_fact("アプリで記録するのがいいって本当？") == ""


def test_a_tiny_index_uses_uniform_weights(poisoned_index):
    # four chunks: every word would look "rare"; the plain coverage gate applies instead
    assert term_stats(poisoned_index.retriever).idf("風呂") == 1.0


def test_the_demo_index_weights_rare_words_higher(demo_index):
    stats = term_stats(demo_index.retriever)
    assert stats.n == demo_index.summary.chunks
    assert stats.idf("鍼") == stats.max_idf > stats.idf("入浴") > stats.idf("発作")


def test_a_word_that_sounds_like_a_corpus_word_is_a_conversion_error_not_an_unknown_thing(demo_assistant):
    # 誘引 for 誘因: the corpus never writes 誘引, but it reads like a word the corpus uses
    ans = demo_assistant.ask("てんかんの原因と誘引ってちがうの？", mode="extractive")
    assert ans.relevance["misconverted"] == {"誘引": "誘因"} and "誘引" not in ans.relevance["unknown"]
    assert ans.grounding == "extractive" and ans.citations
    # a noun that sounds like no corpus word still declines (the corpus never names dogs)
    dog = demo_assistant.ask("犬のてんかんの薬の量を教えて", mode="extractive")
    assert "犬" in dog.relevance["unknown"] and dog.grounding in ("no_sources", "out_of_scope")


def test_a_question_about_telling_the_teacher_counts_the_teacher_the_sources_name():
    stats = TermStats(["てんかんの発作と薬について。"] * 60 + ["担任の先生に伝えておくこと。"] * 3)
    school = ["担任の先生に、発作の様子と緊急連絡先を伝えておきましょう。"]
    # 担任 and 先生 set the scene, but the page names them: a question about telling them is covered
    told = assess("担任の先生にどこまで話せばいい？", school, stats)
    assert told.weighted_coverage > 0.2
    # a question that does not ask about telling anyone gets no credit for them
    assert assess("担任の先生と気が合わない", school, stats).weighted_coverage < 0.2


def test_money_is_a_price_only_as_what_something_costs_and_a_manner_is_no_topic():
    stats = TermStats(["てんかんの発作と薬と支援の制度について。"] * 60)
    assert assess("てんかんの薬ってお金どれくらいかかる？", ["薬の制度"], stats).asks == "price"
    assert assess("お金のこととか相談できる？使える制度は？", ["支援の制度"], stats).asks == ""
    # a hospital that does something, an app to recommend: facts the pages never state
    assert assess("〇〇県でVNSの手術してくれる病院ってある？", ["VNSの手術"], stats).asks == "institution"
    assert assess("お薬手帳のアプリってどれがおすすめ？", ["お薬手帳"], stats).asks == "recommendation"
    # 不謹慎 says how the asker judges it, not what is asked
    assert unknown_nouns("発作の動画を撮るのは不謹慎？", stats) == ["動画"]


def test_a_noun_typed_in_kana_is_unknown_when_no_word_of_the_pages_has_its_sound():
    from assistant.readings import ReadingVocabulary
    pages = ["てんかんの発作と薬について。心配なときは主治医に相談します。発作が続くときは救急車を呼びます。",
             "風邪薬と一緒に飲むときは薬剤師に相談します。"]
    stats = TermStats(pages * 30)
    vocab = ReadingVocabulary(pages)
    # 浮気 typed in kana: no page has the sound うわき
    assert unknown_nouns("だんなの うわきが しんぱい", stats, known_reading=vocab.knows_reading) == ["うわき"]
    # a sound the pages have, also with a voiced first kana (かぜ｜ぐすり) or as a verb (つづき of 続く)
    assert unknown_nouns("かぜぐすりって いっしょに のんでいい？", stats, known_reading=vocab.knows_reading) == []
    assert "つづき" not in unknown_nouns("しごと つづきで ねむい", stats, known_reading=vocab.knows_reading)
    # a message about a seizure is framed: a kana noun there is left alone, as before
    assert unknown_nouns("あかちゃん の おむつ かえてる とき ほっさ きたら こわい", stats,
                         known_reading=vocab.knows_reading) == []
    # MeCab's cut inside a run of kana (でぱけんのんで → けんのん) is not a word
    assert unknown_nouns("でぱけんのんでるけど", stats, known_reading=vocab.knows_reading) == []
    # a kana noun MeCab does not know comes back in pieces (ふみ｜ん｜しょう, こうけつ｜あ｜つ, ぎっくり｜ごし): the run
    # of pieces before its particle is the noun
    for typed, noun in (("ふみんしょうのくすりやめたい", "ふみんしょう"), ("こうけつあつのくすりはあさのむ", "こうけつあつ"),
                        ("ぎっくりごしのときおふろはいっていい？", "ぎっくりごし")):
        assert unknown_nouns(typed, stats, known_reading=vocab.knows_reading) == [noun]
    # a particle left out before a verb (「ふくそうおしえて」) still ends the noun
    assert "ふくそう" in unknown_nouns("めんせつのふくそうおしえて", stats, known_reading=vocab.knows_reading)
    # a message that names only health in general (くすり) is no epilepsy frame; a quantity (いっぱい) is no topic
    assert unknown_nouns("びーる いっぱい だけ なら いい？ くすり のんでる", stats, known_reading=vocab.knows_reading) \
        in ([], ["びーる"])


def test_a_disease_named_after_a_person_is_a_topic_not_a_scene():
    from assistant.relevance import proper_names
    assert proper_names("パーキンソン病の薬の副作用は？") == frozenset()
    assert proper_names("アルツハイマー型認知症と発作") == frozenset()
    assert "田中" in proper_names("同僚の田中さんが職場で発作を起こした")


def test_the_noun_form_of_a_page_verb_and_a_word_the_ime_gave_are_not_unknown():
    from assistant.readings import ReadingVocabulary
    pages = ["てんかんの発作と免許について。相談したことで、すぐに免許が取り消されるわけではありません。",
             "就職活動で病気のことを伝えるかどうか。"]
    stats = TermStats(pages * 30)
    vocab = ReadingVocabulary(pages)
    # 取り消し is the pages' 取り消す; an unknown noun is still one (浮気)
    assert unknown_nouns("発作で免許取り消しになったら何年？", stats) == []
    assert unknown_nouns("発作で免許取り消しになって浮気された", stats) == ["浮気"]
    # 就食, a word MeCab knows but cannot read aloud, is the pages' 就職 typed with the wrong kanji
    slips: dict[str, str] = {}
    assert unknown_nouns("就食活動でてんかんのことを言うべき？", stats, vocab.sounds_like, slips) == []
    assert slips == {"就食": "就職"}


def test_a_diagnosis_the_corpus_knows_in_the_scene_does_not_decline_the_question(demo_assistant):
    ans = demo_assistant.ask("父がてんかんと診断されました。仕事で毎日車を使うのですが、すぐに運転をやめるべきでしょうか",
                             mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["unknown"] == []


def test_a_scene_word_cut_after_a_prefix_and_a_slip_keeping_a_kanji_are_not_unknown_topics(demo_assistant):
    # heading the ball is the sports page's サッカー
    ans = demo_assistant.ask("息子がサッカー部でヘディングも心配。やらせても大丈夫でしょうか", mode="extractive")
    assert ans.grounding == "extractive" and any(c.url.endswith("/life/sports.html") for c in ans.citations)
    # an activity the pages name by its kind
    ans = demo_assistant.ask("ボルダリングってやっても平気？", mode="extractive")
    assert ans.grounding == "extractive" and any(c.url.endswith("/life/sports.html") for c in ans.citations)
    # a part-time job's place and its manager say where the question is asked, not what
    ans = demo_assistant.ask("バイト先にてんかんのこと言わなきゃダメなんかな…店長に言うのこわい", mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["unknown"] == []
    ans = demo_assistant.ask("大阪から東京まで新幹線で行く、発作が起きたら周りに何て言えばいい？", mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["unknown"] == []     # 新 + 幹線, a scene word
    ans = demo_assistant.ask("発作の誘引って何がある？", mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["misconverted"] == {"誘引": "誘因"}


def test_a_storys_scene_sets_aside_its_unknown_nouns_but_a_question_pointing_back_keeps_them(demo_assistant):
    # the question sentence is vague, so the scene joined it; the projector is where, not what
    ans = demo_assistant.ask("中学で理科を教えています。クラスにてんかんの生徒がいて、授業でプロジェクターの実験動画をよく流します。"
                             "気をつけることはありますか", mode="extractive")
    assert ans.grounding == "extractive" and ans.relevance["unknown"] == []
    assert "プロジェクター" in ans.relevance["scene_unknown"]
    # ... but 「あそこの」 points back at the scene's hospital, which is then what is asked about
    ans = demo_assistant.ask("夫の主治医が転勤になるそうで、次は静岡の病院に行きたいと言ってます。あそこの初診の予約って何ヶ月待ちですか",
                             mode="extractive")
    assert ans.grounding != "extractive"
    # what something was first taken for is no topic (「しゃっくりかと思ってた」)
    ans = demo_assistant.ask("生後6か月の娘が、寝起きにかくっと頭を下げるような動きを何回も繰り返します。しゃっくりかと思ってたけど"
                             "心配になってきました", mode="extractive")
    assert "しゃっくり" not in ans.relevance["unknown"]


def test_asked_facts_the_pages_never_hold(demo_assistant):
    assert asked_fact("脳波の検査技師になりたい。どんな資格いる？") == "qualification"
    assert asked_fact("脳腫瘍の手術ってにゅういんどのくらい？") == "length of stay"
    assert asked_fact("うちのうさぎが急にひっくり返ってぴくぴくしてた") == "animal"
    assert asked_fact("大人の発達障害の診断ってどこで受けられるの？") == "institution"
    assert asked_fact("でぱけん あーる って いちじょう なんえん？") == "price"
    # a price is stated by an amount, not by the word 費用; help with the cost asks for a system, not a price
    assert asked_fact("祖母の施設の月額費用ってどのくらい？") == "price"
    assert asked_fact("通院とお薬の費用がかさんでおりまして、負担を軽くしていただけるような制度はございますか") == ""
    assert asked_fact("いーけぷら の じぇねりっく って どこ の かいしゃ が つくってるの") == "maker"
    assert asked_fact("てんかん の くすり って ねこ に のませても いいの") == "animal"
    # a stay the pages give in days is answered (the VNS page: 数日から1週間程度の入院)
    ans = demo_assistant.ask("VNSの手術って入院どのくらい？", mode="extractive")
    assert ans.relevance["asks"] == "length of stay" and ans.relevance["asks_found"] is True
    # a country is the place asked about, unless the message goes there
    assert demo_assistant.ask("ドイツだとてんかんある人って仕事に制限あるの？", mode="extractive").grounding != "extractive"
    assert demo_assistant.ask("アメリカ旅行に薬持っていける？", mode="extractive").grounding == "extractive"


def test_a_disease_cut_into_known_pieces_is_unknown_unless_the_pages_name_it_or_its_stem():
    stats = TermStats(["てんかんの発作で手足がつっぱる。口の中に物を入れない。病気について。発達性てんかん性脳症。"
                       "低血糖で意識を失うこともある。症状を記録する。"] * 60)
    # the pieces 手足, 口 and 病 are all the pages' words; the disease is not, and it may be named before the question
    assert "手足口病" in unknown_nouns("大人もうつるの？", stats, frame="手足口病が保育園で流行ってる。大人もうつるの？")
    assert "手足口病" in unknown_nouns("手足口病って大人もうつるの？", stats)
    # the pages' own disease, one whose stem they write (低血糖), and a word the lexicon reads as a disease are not
    assert not [w for w in unknown_nouns("てんかん性脳症って治るの？", stats) if "脳症" in w]
    assert not [w for w in unknown_nouns("低血糖症で発作みたいになる？", stats) if "低血糖" in w]
    assert "時差認知症" not in unknown_nouns("時差ボケで薬の時間ずれる", stats)


@pytest.mark.parametrize("message, condition", [
    ("片頭痛の予防薬ってどんなのがある？", "片頭痛"),
    ("にんちしょうのくすりのふくさようがしりたい", "にんちしょう"),      # typed in kana
    ("脳腫瘍の手術ってにゅういんどのくらい？母が来月手術なんです", "脳腫瘍"),
    ("うつ病の薬ってどうやって選ぶの", "うつ病"),
    ("高血圧の薬って朝と夜どっちに飲むのがいい？", "高血圧"),          # named without 病 or 症
    ("糖尿病って親から遺伝するの？", "糖尿病"),                      # where it comes from
    ("ふみんしょう なおしかた", "ふみん"),                          # in kana, how to cure it
    ("腹痛 薬", "腹痛"),                                           # a pain named by where it is
    ("糖尿病の食事で気をつけることを教えて", "糖尿病"),              # what to eat with it
])
def test_the_care_of_another_condition_is_asked_about(message, condition):
    assert other_condition(message) == condition


@pytest.mark.parametrize("message", [
    "花粉症の薬と一緒に飲んでいい？",                 # how it bears on the medicines the pages cover
    "片頭痛とてんかんの違いは？",                     # epilepsy named
    "胃腸炎で朝飲んだ薬をすぐ吐いちゃった。もう一回飲んだほうがいいの？",  # the condition is the circumstance
    "認知症の母が急にぼーっとして返事をしなくなる。薬で治る？",   # what looks like a seizure is described
    "病院ごとにお薬手帳もらってて3冊ある。まとめたほうがいいの？",  # 病院 names no condition
    "風邪がうつるのが心配で薬局に行けない",             # うつる is a verb
    "生理痛の薬を飲んでも平気？",                       # whether it may be taken: with the epilepsy medicines
    "痛み止めのおすすめある？",                         # 痛み止め is a medicine, not a pain
    "てんかんって遺伝するの？",
])
def test_a_condition_beside_epilepsy_or_as_a_circumstance_is_not_another_topic(message):
    assert other_condition(message) == ""


def test_a_question_about_another_conditions_care_is_declined_and_the_switch_restores_it(demo_index):
    import copy

    from assistant import Assistant

    q = "片頭痛の予防薬ってどんなのがある？"
    on = Assistant(demo_index.config, demo_index.workspace, retriever=demo_index.retriever).ask(q, mode="extractive")
    assert on.grounding in ("no_sources", "out_of_scope") and on.citations == []
    assert on.relevance["other_condition"] == "片頭痛"
    assert on.relevance["reason"] == "asks about the care of 片頭痛, not epilepsy"
    cfg = copy.deepcopy(demo_index.config)
    cfg.assistant.decline_other_condition = False
    off = Assistant(cfg, demo_index.workspace, retriever=demo_index.retriever).ask(q, mode="extractive")
    assert off.grounding == "extractive" and off.citations


def test_where_someone_is_from_the_asker_names_no_topic(demo_index):
    stats = term_stats(demo_index.retriever)
    assert unknown_nouns("電車で隣の人が急に倒れた", stats) == []
    assert unknown_nouns("奥の部屋で倒れてた", stats) == []


def test_a_syndrome_the_pages_never_name_is_another_condition():
    pages = {"ドラベ症候群", "レノックス・ガストー症候群"}
    known = lambda w: any(w in p for p in pages)  # noqa: E731
    q = "睡眠時無呼吸症候群の検査は何科を受診すればよいでしょうか"
    assert other_condition(q, known=known) == "睡眠時無呼吸症候群"
    assert other_condition(q) == ""              # without the pages' words 症候群 still reads as epilepsy's
    assert other_condition("ドラベ症候群の薬ってどんなのがある？", known=known) == ""


def test_where_a_thing_is_sold_declines_unless_the_sources_say_how_it_is_had(demo_assistant):
    ans = demo_assistant.ask("ほっさ で あたま うったとき の ための へるめっと どこ で うってる？", mode="extractive")
    assert ans.grounding == "no_sources" and ans.relevance["asks"] == "shop" and ans.relevance["asks_found"] is False
    # a medicine is had on a prescription, which the pages say: answered
    ans = demo_assistant.ask("抗てんかん薬ってどこで買えるの？", mode="extractive")
    assert ans.grounding not in ("no_sources", "out_of_scope") and ans.relevance["asks_found"] is True
