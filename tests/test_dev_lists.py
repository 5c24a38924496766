"""The development lists (data/eval/dev/*.tsv) that bench/answer_scope.py reports: every line parses, every
gold page is a page of the demo site, and ``-`` marks a question the pages do not answer."""

import numpy as np

from bench.answer_scope import DEV_DIR, load_dev_emergencies, load_dev_lists
from tenkan.paths import REPO_ROOT


def _demo_pages() -> set[str]:
    rows = (REPO_ROOT / "data/demo_site/_PAGES.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {r.split("\t", 1)[0] for r in rows if r.strip()}


def test_every_gold_page_of_a_development_list_is_a_demo_page():
    pages = _demo_pages()
    lists = load_dev_lists()
    assert lists and all(lists.values())
    for name, questions in lists.items():
        for q in questions:
            assert q["question"].strip(), q["id"]
            assert set(q["gold_pages"]) <= pages, (name, q)


def test_a_dash_marks_a_question_to_decline():
    looks = load_dev_lists()["look_alikes"]
    assert looks and all(q["gold_pages"] == [] for q in looks)


def test_the_emergency_list_is_labelled():
    msgs = load_dev_emergencies()
    assert {m["emergency"] for m in msgs} == {True, False}
    assert (DEV_DIR / "emergencies.tsv").is_file()


def test_remembered_query_vectors_are_the_models_own_and_read_back_from_the_file(tmp_path):
    from bench.answer_scope import RememberedQueries
    from index.embedders import HashEmbedder, get_embedder

    calls = []

    class Counting(HashEmbedder):
        def embed_query(self, text):
            calls.append(text)
            return super().embed_query(text)

    inner = Counting(64)
    path = tmp_path / "queries.sqlite"
    first = RememberedQueries(inner, path)
    v = first.embed_query("発作が止まらない")
    assert np.array_equal(v, get_embedder("hash:64").embed_query("発作が止まらない")) and calls == ["発作が止まらない"]
    again = RememberedQueries(inner, path)  # a later run: the vector comes from the file
    assert np.array_equal(again.embed_query("発作が止まらない"), v) and calls == ["発作が止まらない"]
    assert again.name == inner.name and again.dim == 64 and again.describe() == inner.describe()
    again.embed_query("運転はできる？")
    assert calls == ["発作が止まらない", "運転はできる？"]
