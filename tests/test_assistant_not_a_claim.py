"""Sentences that word overlap would pass but that are not statements: seen from the
tuned 270M model on the demo questions (bench eval runs), kept here as regressions."""

from assistant.grounding import Source, not_a_claim, verify_answer

SRC = [
    Source(1, "d-faq#0", "http://127.0.0.1/faq.html", "よくある質問",
           "よくある質問\nQ. てんかんは人にうつる病気ですか？\nA. いいえ、てんかんは人から人へうつる病気ではありません。"),
    Source(2, "d-travel#0", "http://127.0.0.1/life/travel.html", "旅行と外出",
           "旅行の前に準備しておきたいもの\n旅行の期間に合わせて、予備の薬を多めに持っていきましょう。"),
]


def test_a_decoding_loop_over_a_source_word_is_not_verified():
    ver = verify_answer("質問：質問：質問：質問：質問：質問：質問：質問：", SRC, 0.6)
    assert not ver.kept and ver.removed[0].reason == "repetitive"


def test_a_question_echoed_back_is_not_an_answer():
    ver = verify_answer("てんかんは人にうつる病気ですか[1]？", SRC, 0.6)
    assert not ver.kept and ver.removed[0].reason == "a question, not an answer"


def test_a_copied_title_or_heading_is_not_a_sentence():
    for text in ("旅行と外出[2]", "旅行の前に準備しておきたいもの[2]。"):
        ver = verify_answer(text, SRC, 0.6)
        assert not ver.kept and ver.removed[0].reason == "a heading, not a sentence", text


def test_real_statements_still_pass_and_loops_inside_a_sentence_are_caught():
    ok = "いいえ、てんかんは人から人へうつる病気ではありません[1]。予備の薬を多めに持っていきましょう[2]。"
    ver = verify_answer(ok, SRC, 0.6)
    assert [c.supported_by for c in ver.kept] == [1, 2] and not ver.removed
    looped = "てんかんは人から人へうつる病気ではありません[1]。" + "脳の神経細胞が興奮して発作が起こり、" * 3 + "[1]。"
    ver = verify_answer(looped, SRC, 0.6)
    assert len(ver.kept) == 1 and ver.removed[0].reason == "repetitive"
    assert not_a_claim("ドキドキしたら休みます。") == ""        # a word repeated twice is language, not a loop


def test_quoting_never_picks_a_question():
    from assistant.extractive import is_quotable

    assert not is_quotable("Q. てんかんがあっても車の運転はできますか？")
    assert not is_quotable("てんかんがあっても車の運転はできるのでしょうか？")
    assert is_quotable("A. 条件を満たせば運転免許を取ることができます。")


def test_quoting_never_picks_a_sentence_about_the_page_itself():
    from assistant.extractive import is_quotable

    assert not is_quotable("このページでは、飲み忘れたときの考え方と、飲み忘れを防ぐ工夫を紹介します。")
    assert not is_quotable("ここでは、発作が起きたときの対応をまとめています。")
    assert is_quotable("医師が検査の結果をわかりやすく説明します。")  # 説明します about the world is an answer
