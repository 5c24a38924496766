"""`tenkan export-adapter --merged`: a real PEFT adapter on the tiny random model, merged,
reloaded with AutoModelForCausalLM, and compared with base + adapter."""

import json

import pytest
import torch

from generator.prompter import Prompter
from generator.training import train
from tenkan.face.cli.main import main
from tenkan.errors import ConfigError
from tests.test_generator_lora import _cfg, _dataset


def _greedy(model, tok, prompt, n=16):
    enc = tok(prompt, return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=n, do_sample=False, temperature=None, top_p=None, top_k=None,
                             pad_token_id=tok.pad_token_id)
    return out[0, enc["input_ids"].shape[1]:].tolist()


def test_merged_export_loads_and_generates_like_base_plus_adapter(config, workspace, tiny_model_dir, tmp_path,
                                                                  monkeypatch):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _dataset(workspace)
    cfg = _cfg(config, tiny_model_dir, max_steps=6, save_steps=0, learning_rate=3e-2)
    train(cfg, workspace, dataset="tiny", out_name="ex", progress=False, eval_examples=0)
    cfg_file = tmp_path / "t.toml"
    cfg_file.write_text(f'[generator]\nbase_model = "{tiny_model_dir.as_posix()}"\nadapter = "ex"\n', encoding="utf-8")
    out = tmp_path / "merged"
    assert main(["--home", str(workspace.root), "--config", str(cfg_file), "-q", "export-adapter", "--merged", str(out)]) == 0

    assert sorted(p.name for p in out.glob("*.safetensors")) and (out / "config.json").is_file()
    assert not (out / "adapter_config.json").exists()  # a plain model, no PEFT needed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["adapter"] == "ex" and manifest["template"] == "alpaca_ja"

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    prompt = Prompter().build("質問3は？")
    merged = AutoModelForCausalLM.from_pretrained(str(out)).eval()
    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)).eval()
    base_only = _greedy(base, tok, prompt)
    tuned = PeftModel.from_pretrained(base, str(workspace.adapters_dir() / "ex")).eval()
    with_adapter = _greedy(tuned, tok, prompt)
    assert _greedy(merged, tok, prompt) == with_adapter
    assert with_adapter != base_only  # the adapter changes the output: the comparison means something
    enc = tok(prompt, return_tensors="pt")
    with torch.inference_mode():
        assert torch.allclose(merged(**enc).logits, tuned(**enc).logits, atol=1e-4)


def test_export_refuses_to_overwrite_and_endpoints(config, workspace, tmp_path):
    from generator.export import export_merged

    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x").write_text("keep", encoding="utf-8")
    with pytest.raises(ConfigError, match="not empty"):
        export_merged(config, workspace, tmp_path / "busy")
    assert (tmp_path / "busy" / "x").read_text(encoding="utf-8") == "keep"
    config.generator.base_model = "openai:http://127.0.0.1:9/v1"
    with pytest.raises(ConfigError, match="endpoint"):
        export_merged(config, workspace, tmp_path / "new")
