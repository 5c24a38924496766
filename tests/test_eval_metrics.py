"""n-gram metrics on Japanese: identical strings score 1, unrelated ones near 0."""

from __future__ import annotations

import pytest

from eval import ngram

A = "発作が5分以上続くときは、ためらわずに救急車を呼んでください。"
B = "血中濃度の測定には採血が必要。"
PARA = "発作が5分以上続いたら、すぐに救急車を呼びましょう。"


@pytest.mark.parametrize("metric", ["bleu", "rouge_l", "meteor"])
@pytest.mark.parametrize("level", ["word", "char"])
def test_identical_scores_one_and_unrelated_near_zero(metric, level):
    fn = getattr(ngram, metric)
    assert fn(A, A, level) == pytest.approx(1.0, abs=0.005)  # METEOR's fragmentation penalty: just under 1
    assert fn(B, A, level) < 0.2  # near 0: only a particle or two can be shared
    # a paraphrase sits in between
    assert 0.15 < fn(PARA, A, level) < 0.95


def test_ngram_scores_has_every_variant_and_orders_answers():
    good = ngram.ngram_scores(PARA, A)
    bad = ngram.ngram_scores(B, A)
    assert set(good) == set(ngram.NGRAM_METRICS)
    assert all(good[k] > bad[k] for k in good)


def test_empty_answer_scores_zero():
    assert ngram.ngram_scores("", A) == {k: 0.0 for k in ngram.NGRAM_METRICS}


def test_rouge_score_default_tokenizer_fails_on_japanese():
    """Why the custom tokenizer exists: rouge-score keeps only [a-z0-9]."""
    from rouge_score import rouge_scorer

    default = rouge_scorer.RougeScorer(["rougeL"])
    # identical Japanese text (no ASCII digits) scores 0 ...
    assert default.score(B, B)["rougeL"].fmeasure == 0.0
    # ... and two unrelated sentences sharing only a number score a false 1.0
    assert default.score("薬を5回飲みます。", "発作が5分続いた。")["rougeL"].fmeasure == 1.0
    assert ngram.rouge_l("薬を5回飲みます。", "発作が5分続いた。") < 0.5
    assert ngram.rouge_l(B, B) == 1.0


def test_sacrebleu_default_tokenizer_fails_on_japanese():
    import sacrebleu

    # a near-identical answer differing in one particle: 13a sees one token → 0
    assert sacrebleu.sentence_bleu(PARA.replace("、", "は、"), [PARA]).score < 1.0
    assert ngram.bleu(PARA.replace("、", "は、"), PARA) > 0.5


def test_word_tokens_use_mecab_and_chars_drop_punctuation():
    assert ngram.tokens("救急車を呼んでください。", "word")[:2] == ["救急", "車"] or "救急車" in ngram.tokens("救急車を呼んでください。")
    assert ngram.tokens("発作、です。", "char") == list("発作です")


def test_meteor_synonym_free_default_and_missing_wordnet_is_an_error(tmp_path):
    from tenkan.errors import ModelUnavailableError

    assert ngram.meteor(A, A, wordnet="none") > 0.99
    with pytest.raises(ModelUnavailableError):
        ngram.resolve_wordnet(str(tmp_path))


@pytest.mark.slow  # the first load copies WordNet and indexes senses (~10 s)
@pytest.mark.skipif(not __import__("os").path.isfile("/usr/share/wordnet/index.sense"),
                    reason="Debian wordnet-base + wordnet-sense-index not installed")
def test_meteor_debian_wordnet_matches_english_synonyms():
    # English tokens inside Japanese answers: WordNet knows 'doctor' ~ 'physician';
    # Japanese tokens get nothing from it (identical scores either way)
    with_syn = ngram.meteor("doctor に 相談", "physician に 相談", wordnet="debian")
    without = ngram.meteor("doctor に 相談", "physician に 相談", wordnet="none")
    assert with_syn > 0.95 > without
    assert ngram.meteor(PARA, A, wordnet="debian") == ngram.meteor(PARA, A, wordnet="none")
