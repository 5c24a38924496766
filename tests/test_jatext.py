"""Japanese normalisation, sentence splitting and tokenisation (tenkan.jatext)."""

from __future__ import annotations

from tenkan import jatext


def test_normalize_folds_width_but_keeps_japanese_punctuation():
    s = jatext.normalize("ＭＲＩ検査は１回　ﾃﾝｶﾝ発作！？（注）")
    assert s == "MRI検査は1回 テンカン発作！？（注）"


def test_normalize_keeps_circled_list_markers_as_text():
    assert jatext.normalize("①発作がない②医師の診断") == "(1)発作がない(2)医師の診断"


def test_normalize_whitespace_and_invisible_characters():
    s = jatext.normalize("  発作\u200bが\r\n\r\n\r\n\r\n起きた  \t \u3000とき ")
    assert s == "発作が\n\n起きた とき"


def test_split_sentences_on_japanese_and_ascii_ends_and_lines():
    text = "発作は5分以上続きましたか？はい。「すぐに救急車を呼んで。」と言われた\n## 応急手当\n- 頭を守る"
    assert jatext.split_sentences(text) == [
        "発作は5分以上続きましたか？",
        "はい。",
        "「すぐに救急車を呼んで。」",
        "と言われた",
        "## 応急手当",
        "- 頭を守る",
    ]


def test_tokenize_splits_a_japanese_sentence_into_words():
    toks = jatext.tokenize("てんかん発作が起きたら救急車を呼びます。")
    assert "発作" in toks and "救急" in toks
    assert "。" not in toks
    assert len(toks) >= 8  # a generic whitespace tokenizer would give one token


def test_content_tokens_match_across_inflections():
    a = set(jatext.content_tokens("発作が起きた"))
    b = set(jatext.content_tokens("発作は起きる"))
    assert {"発作", "起きる"} <= a & b
    assert "が" not in a and "は" not in b


def test_char_ngrams_and_is_japanese():
    assert jatext.char_ngrams("発作 重積", 2) == ["発作", "作重", "重積"]
    assert jatext.is_japanese("てんかんの治療")
    assert not jatext.is_japanese("plain English text")


def test_words_stay_as_read_after_the_next_parse():
    from tenkan.jatext import _words
    # fugashi's nodes point into the tagger's lattice; a parse inside a loop over them (a reading looked up)
    # overwrote their features
    words = _words("だんなの うわきが しんぱい")
    _words("これはまったく違う文章で、長いものです。てんかんの発作と薬について")
    assert [(w.surface, w.feature.pos1) for w in words] == [
        ("だんな", "名詞"), ("の", "助詞"), ("うわき", "名詞"), ("が", "助詞"), ("しんぱい", "名詞")]


def test_a_seizure_name_before_the_casual_tte_stays_a_seizure():
    # MeCab alone reads 「焦点発作って」 as 焦点/発/作っ/て (the verb 作る); the text is parsed in two pieces there
    assert jatext.content_tokens("焦点発作って何？") == ["焦点", "発作", "何"]
    assert jatext.content_tokens("大発作ってどんなの")[:2] == ["大", "発作"]
    assert "".join(m.surface for m in jatext.morphemes("てんかん発作ってなに")) == "てんかん発作ってなに"

