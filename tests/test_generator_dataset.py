"""Instruction data: strategies, shapes, split by document, de-duplication, output directory."""

import json

from generator.dataset import build_dataset, dedupe, split_by_document
from generator.strategies import Candidate, faq_pairs, heading_pairs, overlap, question_from_heading, teacher_pairs
from tests.fixtures.generator import make_chunk, sample_chunks


def test_faq_pairs_across_chunks():
    chunks = [c for c in sample_chunks() if c.doc_id == "d-faq"]
    pairs = faq_pairs(chunks)
    assert [p.question for p in pairs] == ["てんかんは人にうつる病気ですか？", "薬を飲み忘れたらどうしますか？"]
    assert pairs[0].answer.startswith("いいえ、") and not pairs[0].answer.startswith("A.")
    assert pairs[1].chunk_ids == ["d-faq#1"] and all(p.strategy == "faq" for p in pairs)


def test_heading_pairs_take_section_text_and_drop_boilerplate():
    chunks = sample_chunks(4)
    doc = [c for c in chunks if c.doc_id == "d-topic00"]
    pairs = heading_pairs(doc, boilerplate={"※このページは一般的な情報です。"})
    by_q = {p.question: p.answer for p in pairs}
    assert "入浴で気をつけることについて教えてください。" not in by_q  # title-less phrasing only when title is in heading
    q = next(q for q in by_q if "注意点" in q)
    assert q == "入浴とてんかんについて、入浴の注意点を教えてください。"
    assert by_q[q].startswith("一人で入浴をしないようにします。")
    assert all("※" not in a for a in by_q.values())
    assert question_from_heading("関連ページ", "入浴") is None
    assert question_from_heading("てんかんとは", "基礎") == "てんかんとは何ですか？"


def test_section_split_over_overlapping_chunks():
    a = make_chunk("d-x", 0, "長い話\n文一です。文二です。", "長い話", ["長い話"])
    b = make_chunk("d-x", 1, "文二です。文三です。\n次の節\n別の話です。ここまでです。", "長い話", ["長い話"])
    (p,) = [x for x in heading_pairs([a, b], min_answer_chars=5) if "次の節" in x.question]
    assert p.answer == "別の話です。ここまでです。" and p.chunk_ids == ["d-x#1"]
    (intro,) = [x for x in heading_pairs([a, b], min_answer_chars=5) if x.heading == "長い話"]
    assert intro.answer == "文一です。文二です。文三です。"  # overlap sentence kept once


def test_split_is_by_document_and_deterministic():
    docs = [f"d-{i}" for i in range(40)]
    a = split_by_document(docs, [0.8, 0.1, 0.1], seed=1)
    assert a == split_by_document(list(reversed(docs)), [0.8, 0.1, 0.1], seed=1)
    assert sorted(a) == sorted(docs) and {v: list(a.values()).count(v) for v in set(a.values())} == {"train": 32, "dev": 4, "test": 4}
    small = split_by_document(["a", "b", "c"], [0.8, 0.1, 0.1])
    assert sorted(small.values()) == ["dev", "test", "train"]


def test_dedupe_removes_exact_and_near_duplicates():
    base = dict(doc_id="d", url="u", title="t", chunk_ids=["d#0"], strategy="heading")
    long = "てんかんの発作が五分以上続くときは救急車を呼びます。落ち着いて時間を計り、周りの危ないものをどけてください。"
    cands = [Candidate("発作が続いたら？", long, **base), Candidate("発作が続いたら？", long, **base),
             Candidate("発作が続いたら?", long + "", **base),
             Candidate("発作が続いたら？", long.replace("どけて", "よけて"), **base),
             Candidate("薬の副作用は？", "眠気やふらつきが出ることがあります。気になるときは主治医に相談します。", **base)]
    kept, removed = dedupe(cands, threshold=0.85)
    assert removed["exact"] == 1 and removed["near"] == 2
    assert [c.question for c in kept] == ["発作が続いたら？", "薬の副作用は？"]


def test_teacher_pairs_keep_only_grounded_answers():
    ch = make_chunk("d-t", 0, "入浴中の発作は溺れる危険があるため、浴槽の湯を少なくし、家族に声をかけてから入ります。", "入浴")
    seen = []

    def teacher(prompt):
        seen.append(prompt)
        return ('前置き [{"question": "入浴の注意は？", "answer": "浴槽の湯を少なくし、家族に声をかけてから入ります。"},'
                ' {"question": "でたらめ", "answer": "毎朝コーヒーを三杯飲むと発作が完全に治ります。"}] 後書き')

    pairs = teacher_pairs([ch], teacher)
    assert "入浴中の発作は溺れる危険" in seen[0]
    assert [p.question for p in pairs] == ["入浴の注意は？"] and pairs[0].strategy == "teacher"
    assert overlap(pairs[0].answer, ch.text) > 0.9
    assert teacher_pairs([ch], lambda p: "JSONではない") == []


def test_build_dataset_writes_split_files_without_leaks(config, workspace):
    chunks = sample_chunks(10)
    s = build_dataset(config, workspace, "t", chunks=chunks)
    d = workspace.datasets_dir() / "t"
    rows = {sp: [json.loads(l) for l in (d / f"{sp}.jsonl").read_text(encoding="utf-8").splitlines()]
            for sp in ("train", "dev", "test")}
    docs = {sp: {r["doc_id"] for r in rs} for sp, rs in rows.items()}
    assert not (docs["train"] & docs["test"]) and not (docs["train"] & docs["dev"]) and not (docs["dev"] & docs["test"])
    assert all(rows.values())
    stats = json.loads((d / "stats.json").read_text(encoding="utf-8"))
    assert stats["examples"] == s.counts and set(stats["by_shape"]) == {"closed", "context"}
    assert {"faq", "heading"} <= set(stats["by_strategy"])
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["producer"] == "tenkan dataset" and len(manifest["outputs"]["train"]["sha256"]) == 64
    allrows = [r for rs in rows.values() for r in rs]
    for r in allrows:
        assert set(r) >= {"instruction", "input", "output", "source_chunk_ids", "url", "strategy", "shape"}
        if r["shape"] == "closed":
            assert r["input"] == ""
    ctx = [r for r in allrows if r["shape"] == "context" and not r.get("unanswerable")]
    assert ctx
    for r in ctx:
        n = r["answer_source"]
        assert f"[{n}]" in r["output"] and r["output"].replace(f"[{n}]", "") == r["answer"]
        src = r["input"].split(f"[{n}] ", 1)[1].split("\n\n[")[0]
        assert r["answer"][:15] in src.replace("\n", "")
        # without an index the passages come from a lexical ranking of the given chunks
        assert len(r["context_chunk_ids"]) == config.generator.distractors + 1
    for r in rows["train"]:
        if r["shape"] == "context":  # no dev/test page text inside training inputs
            assert all(c.split("#")[0] not in docs["test"] | docs["dev"] for c in r["context_chunk_ids"])
