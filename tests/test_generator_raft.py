"""Training data shaped like serving (issue 11): contexts from the real demo index, sentence
windows, the gold passage in about 80% of examples, no-answer targets otherwise, targets the
citation check keeps, questions in patients' words; early stopping on the dev loss."""

import json
import re
from pathlib import Path

import pytest

from assistant.grounding import Source, verify_answer
from generator.context import best_window
from generator.dataset import build_dataset, read_split
from generator.prompter import Prompter
from generator.styles import STYLES, core_question, styled_questions
from eval.questions import load_questions
from tenkan.jatext import normalize


@pytest.fixture(scope="module")
def raft(demo_index, tmp_path_factory):
    import copy

    from tenkan.paths import Workspace

    cfg = copy.deepcopy(demo_index.config)
    ws = Workspace(tmp_path_factory.mktemp("raft") / "home")
    s = build_dataset(cfg, ws, "raft", retriever=demo_index.retriever, chunks=list(demo_index.retriever.iter_chunks()))
    rows = {sp: read_split(s.directory, sp) for sp in ("train", "dev", "test")}
    return cfg, s, rows, demo_index.retriever


def _ctx(rows):
    return [r for sp in rows.values() for r in sp if r["shape"] == "context"]


def test_gold_in_about_four_of_five_contexts_and_no_answer_otherwise(raft):
    cfg, s, rows, retriever = raft
    ctx = _ctx(rows)
    assert len(ctx) > 300 and s.stats["context"]["retrieval"] == "index (hybrid)"
    share = sum(r["gold_in_context"] for r in ctx) / len(ctx)
    assert 0.74 <= share <= 0.86, share
    no = Prompter(cfg.generator.template).no_answer
    for r in ctx:
        assert len(r["context_chunk_ids"]) == cfg.generator.context_sources == 3
        if r["gold_in_context"]:
            n = r["answer_source"]
            assert r["context_chunk_ids"][n - 1] in r["source_chunk_ids"]
        else:
            assert r["output"] == no and r["answer_source"] is None
            # no passage of the answer's section is shown
            assert r["section_chunk_ids"] and not set(r["section_chunk_ids"]) & set(r["context_chunk_ids"])
    # most gold passages were found by the retriever itself, the rest put in its place
    assert s.stats["context"]["gold_retrieved"] > s.stats["context"]["gold_inserted"] > 0


def test_the_answer_source_sits_anywhere_not_first(raft):
    """A page's own question retrieves its page first; left there, the model learns to cite [1]
    whatever it says. With gold_position = "random" every position holds the answer about as often."""
    cfg, s, rows, retriever = raft
    assert cfg.generator.gold_position == "random"
    where = s.stats["answer_source"]
    n = sum(where.values())
    assert set(where) == set(range(1, cfg.generator.context_sources + 1)) and max(where.values()) < 0.45 * n, where


def test_inputs_are_windows_in_the_serving_format_within_the_length_limit(raft):
    cfg, _, rows, retriever = raft
    p = Prompter(cfg.generator.template)
    for r in _ctx(rows)[:200]:
        items = re.split(r"\n\n(?=\[\d\] )", r["input"])
        assert [int(x[1]) for x in items] == list(range(1, cfg.generator.context_sources + 1))
        for n, item in enumerate(items, 1):
            title, _, window = item.partition("\n")
            chunk = retriever.get(r["context_chunk_ids"][n - 1])
            assert title == f"[{n}] {chunk.title}"
            assert len(window) <= cfg.generator.window_chars
        # what serving builds from the same passages and question (unless the gold window had to be
        # taken from the answer's section because the question's window missed the answer)
        if r["gold_window"] != "section":
            chunks = [retriever.get(c) for c in r["context_chunk_ids"]]
            same = p.format_context([(c.title, best_window(r["instruction"], c.text,
                                                           max_chars=cfg.generator.window_chars)) for c in chunks])
            assert r["input"] == same


def test_training_inputs_show_training_pages_only(raft):
    _, s, rows, _ = raft
    split_of = json.loads((s.directory / "manifest.json").read_text(encoding="utf-8"))["split_of_document"]
    for r in rows["train"]:
        if r["shape"] == "context":
            assert {split_of[c.split("#")[0]] for c in r["context_chunk_ids"]} == {"train"}
    assert rows["dev"] and rows["test"]


def test_targets_cite_their_passage_and_pass_the_citation_check(raft):
    cfg, _, rows, retriever = raft
    from tenkan.face.config import load_config

    threshold = load_config().assistant.support_threshold
    gold = [r for r in _ctx(rows) if r["gold_in_context"]]
    assert gold
    kept_all = 0
    for r in gold:
        n = r["answer_source"]
        sents = re.findall(r".+?\[\d+\]", r["output"])
        assert 1 <= len(sents) <= cfg.generator.target_sentences
        assert "".join(sents) == r["output"] and all(x.endswith(f"[{n}]") for x in sents)
        sources = [Source(i, c, "", retriever.get(c).title, retriever.get(c).text)
                   for i, c in enumerate(r["context_chunk_ids"], 1)]
        v = verify_answer(r["output"], sources, threshold)
        kept_all += not v.removed and all(c.supported_by == n for c in v.kept)
    assert kept_all / len(gold) >= 0.97, kept_all / len(gold)


def test_patient_questions_are_deterministic_varied_and_never_an_evaluation_question(raft):
    cfg, s, rows, _ = raft
    ctx = _ctx(rows)
    styles = {r["style"] for r in ctx}
    assert {"page", "casual", "hiragana", "caregiver", "short", "situation", "lexicon"} <= styles
    evalq = {"".join(normalize(q["question"]).split()) for q in load_questions()}
    assert not {"".join(normalize(r["instruction"]).split()) for sp in rows.values() for r in sp} & evalq
    q = "薬を飲み忘れたらどうしますか？"
    a = styled_questions(q, 6, seed=5)
    assert a == styled_questions(q, 6, seed=5) and len({x for _, x in a}) == len(a) >= 5
    assert {st for st, _ in a} <= set(STYLES) and all(x != q for _, x in a)
    assert styled_questions(q, 6, seed=6) != a
    assert core_question("仕事と就労について、「障害者雇用という働き方」を教えてください。") == "障害者雇用という働き方について教えてください。"
    by = dict(styled_questions("バルプロ酸の飲み合わせの注意について教えてください。", 6, styles=["lexicon"]))
    assert by["lexicon"].startswith(("デパケン", "セレニカ"))
    # the same dataset twice: the same examples
    from tenkan.paths import Workspace
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        again = build_dataset(cfg, Workspace(Path(d)), "raft", retriever=raft[3], chunks=list(raft[3].iter_chunks()))
        assert (again.directory / "train.jsonl").read_bytes() == (s.directory / "train.jsonl").read_bytes()
    # a question the face holds out (an evaluation question) never becomes a training question
    held = next(r["instruction"] for r in rows["train"] if r.get("style") == "casual")
    with tempfile.TemporaryDirectory() as d:
        out = build_dataset(cfg, Workspace(Path(d)), "raft", retriever=raft[3], chunks=list(raft[3].iter_chunks()),
                            exclude_questions=[" " + held + " "])
        train = read_split(out.directory, "train")
        assert held not in {r["instruction"] for r in train} and len(train) >= len(rows["train"]) - 3


def test_early_stopping_keeps_the_best_adapter(config, workspace, tiny_model_dir):
    from generator.training import train
    from tests.fixtures.generator import sample_chunks

    config.generator.base_model = str(tiny_model_dir)
    build_dataset(config, workspace, "es", chunks=sample_chunks(30))
    g = config.generator
    g.epochs, g.eval_steps, g.early_stop_patience, g.learning_rate = 3.0, 1, 1, 0.5  # lr high enough to overshoot
    g.batch_size, g.save_steps, g.max_length = 2, 0, 384
    card = train(config, workspace, dataset="es", out_name="es", progress=False, eval_examples=8).card
    curve = [p["loss"] for p in card["dev_curve"]]
    assert len(curve) >= 2 and card["eval_every_steps"] == 1
    assert card["stopped_early"] and card["steps"] < card["steps_for_full_run"], card["dev_curve"]
    assert card["dev_loss_after"] == min(curve[1:]) or card["dev_loss_after"] == curve[-1]
    assert card["dev_loss_after"] <= curve[-1]
