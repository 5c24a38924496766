"""End to end: `tenkan eval` over a real index and the real assistant pipeline
(extractive and generated modes; the language model is a stand-in)."""

from __future__ import annotations

import json

import pytest

from index.urls import page_key


def _assistant(ix, gen):
    from assistant import Assistant

    return Assistant(ix.config, ix.workspace, retriever=ix.retriever, generator_loader=lambda key: gen)


def test_run_eval_writes_run_dir_with_metrics_plots_and_intervals(eval_index, echo_generator):
    from eval.inputs import load_question_file
    from eval.runner import run_eval

    ix = eval_index
    sets = [load_question_file(ix.questions, "demo")]
    res = run_eval(ix.config, ix.workspace, sets, modes=["rag-base", "base", "extractive"],
                   assistant=_assistant(ix, echo_generator()), progress=False)
    d = res.run_dir
    for f in ("per_question.jsonl", "metrics.json", "report.md", "report.html", "manifest.json", "modes.png",
              "retrieval.png", "differences.png"):
        assert (d / f).is_file(), f
    rows = [json.loads(l) for l in (d / "per_question.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 3 * 5
    rag = [r for r in rows if r["mode"] == "rag-base" and r["id"] == "q1"][0]
    assert rag["retrieved_ids"] and rag["latency_s"] > 0 and "rougeL_word" in rag["metrics"]
    # the model's own output is scored too, and whether it passed the citation check
    assert rag["generated"] and "raw_rougeL_word" in rag["metrics"]
    q2 = [r for r in rows if r["mode"] == "rag-base" and r["id"] == "q2"][0]
    assert q2["grounding"] in ("verified", "pruned", "fallback")
    assert q2["metrics"]["model_grounded"] + q2["metrics"]["fallback"] <= 1
    # whether the answer cites a gold page, and (only for the model's own kept answers) the same again
    cited_pages = {page_key(c["url"]) for c in q2["citations"]}
    assert q2["metrics"]["cited_gold"] == float(bool(cited_pages & {page_key(u) for u in q2["gold_urls"]}))
    assert ("kept_cited_gold" in q2["metrics"]) == bool(q2["metrics"]["model_grounded"])
    ext = [r for r in rows if r["mode"] == "extractive" and r["id"] == "q1"][0]
    assert ext["metrics"]["cited_gold"] == 1.0 and "kept_cited_gold" not in ext["metrics"]
    m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
    # retrieval against gold pages compared by path although the ports differ
    assert m["retrieval"]["demo"]["hybrid"]["recall@5"] == 1.0
    assert m["retrieval"]["demo"]["bm25"]["n"] == 4  # the out-of-scope question has no gold page
    # RAG answers quote the sources; the base stand-in does not: RAG wins with an interval
    assert m["modes"]["rag-base"]["rougeL_word"] > m["modes"]["base"]["rougeL_word"]
    diff = [x for x in m["differences"] if x["a"] == "rag-base" and x["b"] == "base" and x["metric"] == "rougeL_word"][0]
    assert diff["n"] == 4 and diff["low"] is not None and diff["low"] <= diff["diff"] <= diff["high"]
    assert "context_recall" in m["modes"]["extractive"] and "context_recall" not in m["modes"]["base"]
    # the share of answers citing a gold page is aggregated and compared between modes like the rest
    assert 0 <= m["modes"]["extractive"]["cited_gold"] <= 1 and "cited_gold" not in m["modes"]["base"]
    assert any(x["metric"] == "raw_rougeL_char" for x in m["differences"])
    # no judge: said so, no number
    assert "faithfulness" not in m["modes"]["rag-base"]
    assert "no LLM judge" in m["not_computed"]["faithfulness"]
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "<img" in html and 'src="modes.png"' not in html
    assert "Not computed" in (d / "report.md").read_text(encoding="utf-8")
    man = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    assert man["inputs"]["demo"]["sha256"] == sets[0].sha256 and man["index"]


def test_unavailable_mode_is_reported_and_others_go_on(eval_index):
    from assistant import Assistant
    from eval.inputs import load_question_file
    from eval.runner import run_eval
    from tenkan.errors import ModelUnavailableError

    def loader(key):
        raise ModelUnavailableError("no adapter", hint="tenkan train")

    ix = eval_index
    asst = Assistant(ix.config, ix.workspace, retriever=ix.retriever, generator_loader=loader)
    res = run_eval(ix.config, ix.workspace, [load_question_file(ix.questions)], modes=["ft", "extractive"],
                   assistant=asst, progress=False, limit=2)
    assert "ft" in res.metrics["unavailable_modes"] and "ft" not in res.metrics["modes"]
    assert res.metrics["modes"]["extractive"]["n"] == 2


def test_cli_json_last_line_contract(eval_index, monkeypatch, capsys):
    from tenkan.face.cli.main import main

    ix = eval_index
    monkeypatch.setenv("TENKAN_HOME", str(ix.workspace.root))
    rc = main(["--set", "index.embedder=hash:256", "--set", "eval.bootstrap=50", "eval", "--questions",
               str(ix.questions), "--dataset", "none", "--modes", "extractive", "--limit", "3", "--json",
               "--no-progress"])
    assert rc == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    obj = json.loads(last)
    assert set(obj) == {"run_dir", "modes"} and set(obj["modes"]) == {"extractive"}
    assert obj["modes"]["extractive"]["n"] == 3 and 0 <= obj["modes"]["extractive"]["rougeL_word"] <= 1


def test_exam_mode_scores_sample_with_formats_and_skips_figures(eval_index, echo_generator, tmp_path):
    from eval.exam_run import run_exam
    from tenkan.paths import EVAL_DIR

    class Letter:
        name = "letter-a"

        def generate(self, prompt, max_new_tokens=None):
            return "考えます。\n答え: a" if "理由" in prompt else "a"

    ix = eval_index
    res = run_exam(ix.config, ix.workspace, EVAL_DIR / "exam_sample.jsonl", modes=["rag-ft", "ft", "extractive"],
                   formats=["plain", "cot"], generators={"ft": Letter()}, retriever=ix.retriever, progress=False)
    m = res.metrics
    assert set(m["modes"]) == {"rag-ft/plain", "rag-ft/cot", "ft/plain", "ft/cot", "extractive"}
    skipped = m["exam"]["skipped"]
    assert skipped >= 1
    lines = (EVAL_DIR / "exam_sample.jsonl").read_text(encoding="utf-8").splitlines()
    golds = [json.loads(l) for l in lines if json.loads(l).get("text_only", True)]
    expect = sum(1 for g in golds if g["answer"] == ["a"]) / len(golds)
    for v in ("ft/plain", "ft/cot"):
        assert m["modes"][v]["accuracy"] == pytest.approx(expect)
        assert m["modes"][v]["exact_match"] == pytest.approx(expect)
        assert m["modes"][v]["skipped"] == skipped and m["modes"][v]["n"] == len(golds)
    assert (res.run_dir / "report.html").is_file() and (res.run_dir / "exam.png").is_file()


def test_demo_eval_limits_only_generating_modes(eval_index, echo_generator):
    from eval.runner import run_demo_eval
    from tenkan.face.config import load_config

    ix = eval_index
    cfg = load_config(overrides=["index.embedder=hash:256", "eval.bootstrap=50", "eval.limit=3",
                                 'eval.retrieval_methods=["bm25"]'])
    run_dir = run_demo_eval(cfg, ix.workspace, generated_limit=1, assistant=_assistant(ix, echo_generator()),
                            modes=["extractive", "rag-base"], progress=False)
    m = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert m["sets"][0]["name"] == "demo" and m["generated_limit"] == 1
    assert m["modes"]["extractive"]["n"] == 3 and m["modes"]["rag-base"]["n"] == 1
    assert [d["n"] for d in m["differences"] if d["metric"] == "rougeL_word"] == [1]
