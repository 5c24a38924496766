"""BM25 over fugashi tokens matches Japanese; reciprocal rank fusion orders by weighted ranks."""

import pytest

from index.bm25 import BM25Index, tokens_for
from index.fusion import rrf

TEXTS = [
    "入浴中に発作が起きると溺れる危険があります。シャワーを使うと安全です。",
    "日本では発作が2年間ないなどの条件で運転免許を取得できる場合があります。",
    "妊娠を考えている女性は、バルプロ酸について主治医と相談してください。",
]


def test_japanese_sentence_becomes_many_content_tokens():
    toks = tokens_for("入浴中に発作が起きた")
    assert {"入浴", "発作", "起きる"} <= set(toks)
    assert "が" not in toks and "に" not in toks
    # a whitespace tokenizer would see one token
    assert len("入浴中に発作が起きた".split()) == 1


def test_bm25_finds_the_japanese_text_for_a_paraphrased_query():
    idx = BM25Index.build([tokens_for(t) for t in TEXTS])
    hits = idx.search("運転免許はとれますか", k=3)
    assert hits and hits[0][0] == 1
    # inflected forms meet at the lemma: 起きた (query) vs 起きる (text)
    assert idx.search("お風呂で発作が起きたら", k=1)[0][0] == 0
    assert idx.search("量子コンピューター", k=3) == []


def test_bm25_roundtrips_through_disk(tmp_path):
    idx = BM25Index.build([tokens_for(t) for t in TEXTS])
    idx.save(tmp_path / "bm25")
    again = BM25Index.load(tmp_path / "bm25")
    assert again.search("バルプロ酸と妊娠", k=1) == idx.search("バルプロ酸と妊娠", k=1)
    assert again.size == 3


def test_rrf_rewards_agreement_and_respects_weights():
    fused = rrf({"bm25": ["a", "b", "c"], "dense": ["b", "d", "a"]}, k=60)
    assert [i for i, _, _ in fused][:2] == ["b", "a"]
    assert fused[0][2] == {"bm25": 2, "dense": 1}
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)
    heavy = rrf({"bm25": ["a", "b"], "dense": ["b", "a"]}, weights={"bm25": 3.0, "dense": 1.0}, k=1)
    assert heavy[0][0] == "a"
    only_dense = rrf({"bm25": ["a"], "dense": ["c"]}, weights={"bm25": 0.0, "dense": 1.0})
    assert only_dense[0][0] == "c"
