"""The reranking hook: a callable passed to ``open_index`` and a real (tiny, random)
sentence-transformers CrossEncoder named by ``index.reranker = "st:<dir>"``."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = [
    {"doc_id": f"d-{i:02d}", "title": f"ページ{i}", "text": text}
    for i, text in enumerate([
        "発作が5分以上続くときは救急車を呼びます。",
        "入浴中の発作は溺れる危険があるので、シャワーにします。",
        "運転免許は一定期間発作がなければ取得できます。",
        "ラモトリギンの飲み始めに発疹が出たら主治医に連絡します。",
        "睡眠不足は発作の引き金になることがあります。",
        "学校には発作時の対応を伝えておきます。",
        "妊娠を考えるときは薬について主治医と相談します。",
        "脳波検査で発作の種類を調べます。",
    ])
]


@pytest.fixture
def small_index(workspace, write_corpus):
    from index import build
    from tenkan.face.config import load_config

    cfg = load_config(overrides=['index.embedder="hash:256"', "index.rerank_candidates=6", "index.max_per_doc=0"])
    write_corpus(workspace, DOCS)
    build(cfg, workspace, progress=False)
    return workspace, cfg


def test_callable_reranker_sees_the_candidates_and_decides_the_order(small_index):
    from index import open_index

    ws, cfg = small_index
    seen: list[int] = []

    def prefer_bathing(query, hits):
        seen.append(len(hits))
        for h in hits:
            h.score = 1.0 if "入浴" in h.text else 0.0
        out = sorted(hits, key=lambda h: -h.score)
        for rank, h in enumerate(out, 1):
            h.rank = rank
        return out

    plain = open_index(ws, cfg)
    before = plain.search("発作が続くときは？", k=3, method="bm25")
    plain.close()
    assert before[0].doc_id != "d-01"
    r = open_index(ws, cfg, reranker=prefer_bathing)
    hits = r.search("発作が続くときは？", k=3, method="bm25")
    r.close()
    assert seen == [6]                       # rerank_candidates, not k, reach the reranker
    assert len(hits) == 3 and hits[0].doc_id == "d-01" and hits[0].score == 1.0
    assert [h.rank for h in hits] == [1, 2, 3]


def _tiny_cross_encoder(path: Path) -> Path:
    """A randomly initialised BERT sequence classifier (one label) with a character vocabulary,
    saved where sentence-transformers' CrossEncoder can load it: no download."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    chars = sorted({c for d in DOCS for c in d["text"]} | set("発作が続くときは？"))
    path.mkdir(parents=True)
    (path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]) + "\n",
                                    encoding="utf-8")
    tok = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=False)
    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=5 + len(chars), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=256, num_labels=1)
    BertForSequenceClassification(cfg).save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def test_configured_cross_encoder_orders_hits_by_its_scores(small_index, tmp_path):
    from sentence_transformers import CrossEncoder

    from index import open_index

    ws, cfg = small_index
    model_dir = _tiny_cross_encoder(tmp_path / "ce")
    cfg.index.reranker = f"st:{model_dir}"
    r = open_index(ws, cfg)
    q = "発作が続くときは？"
    hits = r.search(q, k=4, method="bm25")
    r.close()
    assert len(hits) == 4 and [h.rank for h in hits] == [1, 2, 3, 4]
    assert all("fused" in h.ranks for h in hits)        # the pre-rerank rank is kept
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    # the scores are the cross-encoder's own, for the (query, chunk text) pairs
    expected = CrossEncoder(str(model_dir), device="cpu").predict([(q, h.text) for h in hits])
    assert scores == pytest.approx([float(x) for x in expected], abs=1e-5)


def test_reranker_setting_must_name_a_sentence_transformers_model():
    from tenkan.face.config import load_config

    with pytest.raises(Exception, match="st:"):
        load_config(overrides=['index.reranker="bge-reranker"'])
