"""Exam mode by log-likelihood with a real (tiny, random) transformers model, with and
without a real PEFT adapter, with and without retrieved sources in the prompt."""

from __future__ import annotations

import json

import pytest

from eval import exam
from tenkan.paths import EVAL_DIR

SAMPLE = EVAL_DIR / "exam_sample.jsonl"


@pytest.fixture
def tiny_adapter(tmp_path, tiny_model_dir):
    """A LoRA adapter with random (non-zero) B matrices: it changes the model's outputs."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir))
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj"],
                                            init_lora_weights=False, task_type="CAUSAL_LM"))
    out = tmp_path / "tiny-ad"
    peft.save_pretrained(str(out))
    return out


def _reference_loglik(model_dir, adapter_dir, prompt, conts):
    """Log-likelihood from one full forward pass per continuation (no cache), loaded afresh."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    if adapter_dir is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    p = tok(prompt)["input_ids"]
    out = []
    for c in conts:
        ids = tok(c, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logp = torch.log_softmax(model(input_ids=torch.tensor([p + ids])).logits[0].float(), -1)
        out.append(sum(float(logp[len(p) - 1 + i, t]) for i, t in enumerate(ids)))
    return out


def test_loglik_matches_a_full_forward_pass_with_and_without_adapter(config, workspace, tiny_model_dir, tiny_adapter):
    from generator import load_generator

    config.generator.base_model = str(tiny_model_dir)
    config.generator.dtype = "float32"
    ft = load_generator(config, workspace, adapter=tiny_adapter)
    base = load_generator(config, workspace)  # shares the loaded model; the adapter is switched off
    prompt = "以下は、タスクを説明する指示です。\n\n### 指示:\n発作が5分以上続いたら？\n\n### 応答:\n"
    conts = ["a", "救急車を呼びます。", "様子を見ます"]
    got_ft, got_base = ft.loglik(prompt, conts), base.loglik(prompt, conts)
    assert [n for _, n in got_ft] == [1, 9, 6]
    assert [lp for lp, _ in got_ft] == pytest.approx(_reference_loglik(tiny_model_dir, tiny_adapter, prompt, conts),
                                                     abs=1e-3)
    assert [lp for lp, _ in got_base] == pytest.approx(_reference_loglik(tiny_model_dir, None, prompt, conts), abs=1e-3)
    assert got_ft != got_base  # the adapter is really on for ft and off for base


def test_loglik_choice_picks_top_k_letters_or_length_normalised_texts():
    q = exam.ExamQuestion("p", "2つ選べ。", ["短い", "とても長い選択肢の文", "中くらい", "x", "y"], ["b", "c"])
    letter_scores = {"a": -3.0, "b": -1.0, "c": -0.5, "d": -2.0, "e": -4.0}

    def by_letter(prompt, conts):
        return [(letter_scores[c], 1) for c in conts]
    chosen = exam.loglik_choice(q, "P", by_letter, target="letter")
    assert chosen["predicted"] == ["b", "c"] and exam.score_loglik(q, chosen)["accuracy"] == 1.0

    def by_text(prompt, conts):  # long texts have lower sums but higher per-character scores
        return [(-1.0 * len(c) ** 0.5, len(c)) for c in conts]
    chosen = exam.loglik_choice(q, "P", by_text, target="text")
    assert chosen["predicted"] == ["b", "c"]  # the two longest texts, once normalised by length
    one = exam.ExamQuestion("p", "1つ。", ["A", "B", "C", "D", "E"], ["a"])
    assert exam.loglik_choice(one, "P", lambda p, cs: [(-len(p + c), 1) for c in cs])["predicted"] == ["a"]


def test_auto_scoring_is_loglik_for_local_models_and_generate_for_endpoints(config):
    from eval.exam_run import resolve_scoring

    assert resolve_scoring("auto", config) == "loglik"  # the default gguf-pkg model is local
    config.generator.base_model = "openai:http://127.0.0.1:9/v1"
    assert resolve_scoring("auto", config) == "generate"

    class GenerateOnly:
        def generate(self, prompt, max_new_tokens=None):
            return "a"
    assert resolve_scoring("auto", config, {"ft": GenerateOnly()}) == "generate"
    assert resolve_scoring("loglik", config) == "loglik"


def test_exam_loglik_cli_gives_every_local_mode_a_number(eval_index, tiny_model_dir, tiny_adapter, capsys):
    """The sample exam, --scoring loglik, modes rag-ft, ft, rag-base, base through the CLI: a
    number for each, sources in the RAG prompts, differences with n and intervals."""
    from tenkan.face.cli.main import main

    ix = eval_index
    rc = main(["--home", str(ix.workspace.root), "--set", "index.embedder=hash:256", "--set", "generator.dtype='float32'",
               "--set", "eval.bootstrap=200", "eval", "--exam", str(SAMPLE), "--modes", "rag-ft,ft,rag-base,base",
               "--formats", "plain,cot", "--scoring", "loglik", "--adapter", str(tiny_adapter),
               "--base-model", str(tiny_model_dir), "--json", "--no-progress"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    usable = [q for q in exam.load_exam(SAMPLE) if q.text_only]
    assert set(res["modes"]) == {"rag-ft/plain", "ft/plain", "rag-base/plain", "base/plain"}  # cot: generation only
    for v in res["modes"].values():
        assert isinstance(v["accuracy"], float) and v["n"] == len(usable)
    from pathlib import Path

    run = Path(res["run_dir"])
    m = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert m["scoring"] == "loglik" and m["loglik_target"] == "letter" and "cot" in m["formats_not_scored"]
    pairs = {(d["a"], d["b"]): d for d in m["differences"]}
    for a, b in (("rag-ft/plain", "ft/plain"), ("ft/plain", "rag-base/plain"), ("rag-ft/plain", "rag-base/plain")):
        d = pairs[(a, b)]
        assert d["n"] == len(usable) and d["low"] is not None and d["verdict"] != "too few to tell"
    recs = [json.loads(l) for l in (run / "per_question.jsonl").open(encoding="utf-8")]
    by = {(r["variant"], r["problem_id"]): r for r in recs}
    for q in usable:
        assert len(by[("ft/plain", q.problem_id)]["predicted"]) == len(q.gold)  # top k for "2つ選べ"
        assert by[("rag-ft/plain", q.problem_id)]["retrieved_ids"] and not by[("ft/plain", q.problem_id)]["retrieved_ids"]
    # sources in the prompt change the scores; the adapter changes them too
    assert any(by[("rag-ft/plain", q.problem_id)]["loglik"] != by[("ft/plain", q.problem_id)]["loglik"] for q in usable)
    assert any(by[("ft/plain", q.problem_id)]["loglik"] != by[("base/plain", q.problem_id)]["loglik"] for q in usable)
    # a record recomputed independently: the prediction is the arg-max letter of the model's log-likelihood
    q = usable[0]
    ref = _reference_loglik(tiny_model_dir, tiny_adapter,
                            __import__("generator.prompter", fromlist=["Prompter"]).Prompter().build(
                                exam.build_instruction(q, "plain")), list(q.letters))
    assert by[("ft/plain", q.problem_id)]["predicted"] == [q.letters[max(range(5), key=lambda i: ref[i])]]
    assert by[("ft/plain", q.problem_id)]["loglik"] == pytest.approx(ref, abs=1e-3)


def test_loglik_with_only_generation_formats_is_a_clear_error(eval_index):
    from eval.exam_run import run_exam
    from tenkan.errors import ConfigError

    class Local:
        name = "x"

        def generate(self, prompt, max_new_tokens=None):
            return "a"

        def loglik(self, prompt, conts):
            return [(0.0, 1)] * len(conts)
    with pytest.raises(ConfigError, match="log-likelihood"):
        run_exam(eval_index.config, eval_index.workspace, SAMPLE, modes=["ft"], formats=["cot"],
                 generators={"ft": Local()}, scoring="loglik", progress=False)


def test_exam_formats_are_template_files():
    q = exam.ExamQuestion("p", "正しいのはどれか。2つ選べ。", ["甲", "乙", "丙", "丁", "戊"], ["a", "c"])
    plain = exam.build_instruction(q, "plain")
    assert plain.startswith("正しいのはどれか。2つ選べ。\na. 甲\nb. 乙") and "2つ選んでください" in plain and "a〜e" in plain
    assert "最後の行に「答え: 記号」" in exam.build_instruction(q, "cot")
    assert exam.ExamFormat.load("plain").loglik and not exam.ExamFormat.load("cot").loglik
    assert {"plain", "cot"} <= set(exam.available_exam_formats())
    from tenkan.errors import ConfigError

    with pytest.raises(ConfigError, match="does not exist"):
        exam.ExamFormat.load("nonexistent")
