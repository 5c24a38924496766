"""Japanese typed in romaji is read as the hiragana a kana keyboard would have given; English is not."""

import pytest

from tenkan.romaji import romaji_to_kana, word_to_kana


@pytest.mark.parametrize("word, kana", [
    ("hossa", "ほっさ"), ("tomaranai", "とまらない"), ("shiyakusyo", "しやくしょ"), ("juuminhyou", "じゅうみんひょう"),
    ("tsurete", "つれて"), ("tutaete", "つたえて"), ("konnichiwa", "こんにちわ"), ("kanja", "かんじゃ"),
    ("nenmatu", "ねんまつ"), ("ko-hi-", "こーひー"), ("nan-kai", "なんかい"), ("fuan", "ふあん"),
])
def test_a_romaji_word_is_spelt_in_hiragana(word, kana):
    assert word_to_kana(word) == kana


@pytest.mark.parametrize("word", ["need", "seizures", "drive", "stop", "xyz"])
def test_a_word_that_spells_no_japanese_syllables_is_none(word):
    assert word_to_kana(word) is None


def test_a_message_typed_in_romaji_is_read_in_hiragana_and_english_stays():
    assert romaji_to_kana("hossa ga tomaranai") == "ほっさ が とまらない"
    assert romaji_to_kana("tenkan no kusuri wa itsu made nomu no") == "てんかん の くすり は いつ まで のむ の"
    # English (its words end in consonants), or too few words to tell, stays as typed
    for text in ("is it safe to drive after a seizure", "I need to go to the hospital", "hossa", "EEG ok?"):
        assert romaji_to_kana(text) == text
    # a known English word inside a romaji message is kept for the English table
    assert romaji_to_kana("musuko ga seizure de tomaranai desu", keep={"seizure"}) == "むすこ が seizure で とまらない です"


def test_an_emergency_typed_in_romaji_gets_the_119_guidance():
    from assistant.emergency import detect_emergencies
    from assistant.lexicon import from_english

    assert detect_emergencies("musuko ga hossa okoshite 5fun tomaranai") == ["long_seizure"]
    assert from_english("tenkan no kusuri wa itsu made nomu no").startswith("てんかん の")
