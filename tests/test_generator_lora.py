"""LoRA training on a tiny random causal LM built in the test (no download)."""

import json

import pytest
import torch

from generator.prompter import Prompter
from generator.training import IGNORE, add_lora, collate, decide_qlora, encode_example, response_loss, train
from tenkan.errors import ConfigError

EX = {"instruction": "入浴の注意は？", "input": "", "output": "一人で入浴しないようにします。"}


def _load(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoModelForCausalLM.from_pretrained(str(tiny_model_dir)), AutoTokenizer.from_pretrained(str(tiny_model_dir))


def test_loss_is_on_response_tokens_only(tiny_model_dir):
    model, tok = _load(tiny_model_dir)
    p = Prompter()
    e = encode_example(tok, p, EX, max_length=512)
    k = e["prompt_len"]
    assert all(x == IGNORE for x in e["labels"][:k])
    assert e["labels"][k:] == e["input_ids"][k:]
    assert tok.decode(e["labels"][k:], skip_special_tokens=True) == EX["output"]
    assert e["labels"][-1] == tok.eos_token_id
    # same as the model's own loss with the prompt masked, though the LM head ran on fewer positions
    b = collate([e, encode_example(tok, p, {**EX, "instruction": "運転は？"}, 512)], tok.pad_token_id)
    ours, n = response_loss(model, b)
    ref = model(input_ids=b["input_ids"], attention_mask=b["attention_mask"], labels=b["labels"]).loss
    assert n == sum(1 for x in b["labels"].flatten().tolist() if x != IGNORE)
    assert torch.allclose(ours, ref, atol=1e-5)
    # a longer prompt changes nothing about which tokens are scored
    e2 = encode_example(tok, p, {**EX, "input": "[1] 入浴\n入浴はシャワーにします。"}, 512)
    assert sum(1 for x in e2["labels"] if x != IGNORE) == sum(1 for x in e["labels"] if x != IGNORE)
    assert encode_example(tok, p, {**EX, "input": "長" * 600}, 128) is None


def test_a_few_lora_steps_lower_the_loss_and_save_load_reproduces_logits(tiny_model_dir, tmp_path):
    from peft import PeftModel

    model, tok = _load(tiny_model_dir)
    torch.manual_seed(0)
    pm = add_lora(model, {"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": ["all-linear"]})
    trainable = [p for p in pm.parameters() if p.requires_grad]
    assert 0 < sum(p.numel() for p in trainable) < sum(p.numel() for p in pm.parameters()) / 2
    b = collate([encode_example(tok, Prompter(), EX, 512)], tok.pad_token_id)
    opt = torch.optim.AdamW(trainable, lr=5e-2)
    first = float(response_loss(pm, b)[0])
    for _ in range(15):
        opt.zero_grad()
        loss, _ = response_loss(pm, b)
        loss.backward()
        opt.step()
    last = float(response_loss(pm, b)[0])
    assert last < first * 0.8

    pm.eval()
    with torch.no_grad():
        want = pm(input_ids=b["input_ids"]).logits
    pm.save_pretrained(str(tmp_path / "ad"))
    base, _ = _load(tiny_model_dir)
    loaded = PeftModel.from_pretrained(base, str(tmp_path / "ad")).eval()
    with torch.no_grad():
        got = loaded(input_ids=b["input_ids"]).logits
    assert torch.allclose(want, got, atol=1e-5)
    with torch.no_grad(), loaded.disable_adapter():
        plain = loaded(input_ids=b["input_ids"]).logits
    assert not torch.allclose(plain, got, atol=1e-3)


def _dataset(ws, n=12):
    d = ws.datasets_dir(create=True) / "tiny"
    d.mkdir(parents=True)
    rows = [{"instruction": f"質問{i}は？", "input": "", "output": f"答えは{i}です。発作に注意します。", "shape": "closed",
             "doc_id": f"d{i}"} for i in range(n)]
    for split in ("train", "dev", "test"):
        (d / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return d


def _cfg(config, tiny_model_dir, **kw):
    g = config.generator
    g.base_model = str(tiny_model_dir)
    g.lora_dropout = 0.0
    g.learning_rate = 5e-3
    g.batch_size = 2
    for k, v in kw.items():
        setattr(g, k, v)
    return config


def test_train_writes_adapter_card_and_resumes(config, workspace, tiny_model_dir):
    _dataset(workspace)
    cfg = _cfg(config, tiny_model_dir, max_steps=4, save_steps=2)
    full = train(cfg, workspace, dataset="tiny", out_name="full", progress=False, eval_examples=4).card
    out = workspace.adapters_dir() / "full"
    for f in ("adapter_config.json", "adapter_model.safetensors", "training_card.json", "loss.png", "manifest.json"):
        assert (out / f).is_file(), f
    assert not (out / "checkpoints").exists()
    assert full["steps"] == 4 and len(full["losses"]) == 4 and full["tokens_seen"] > 0
    assert full["tokens_per_s"] > 0 and full["peak_memory_mb"] > 0 and len(full["dataset"]["train_sha256"]) == 64
    assert full["dev_loss_after"] < full["dev_loss_before"]
    assert full["lora"]["r"] == 8 and full["lora"]["target_modules"] == ["q_proj", "v_proj"]
    # the adapter describes itself: base model *source*, not a machine-local path; no PEFT boilerplate
    acfg = json.loads((out / "adapter_config.json").read_text(encoding="utf-8"))
    assert acfg["base_model_name_or_path"] == full["base_model"]["source"]
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert full["base_model"]["source"] in readme and "4 steps" in readme
    assert "More Information Needed" not in readme

    # interrupted after 2 steps (a checkpoint at step 2 survives), then resumed to 4
    cfg.generator.max_steps = 2
    cfg.generator.save_steps = 1
    train(cfg, workspace, dataset="tiny", out_name="part", progress=False, keep_checkpoints=True, eval_examples=0)
    assert (workspace.adapters_dir() / "part" / "checkpoints" / "step-1").is_dir()
    cfg.generator.max_steps = 4
    cfg.generator.save_steps = 2
    resumed = train(cfg, workspace, dataset="tiny", out_name="part", resume=True, progress=False, eval_examples=0).card
    assert resumed["steps"] == 4
    assert resumed["losses"] == pytest.approx(full["losses"], abs=1e-3)


def test_load_generator_with_adapter_streams_the_same_text(config, workspace, tiny_model_dir):
    from generator import find_adapter, load_generator

    _dataset(workspace)
    cfg = _cfg(config, tiny_model_dir, max_steps=2, max_new_tokens=12, adapter="tiny-ad")
    train(cfg, workspace, dataset="tiny", out_name="tiny-ad", progress=False, eval_examples=0)
    assert find_adapter(workspace, cfg) == workspace.adapters_dir() / "tiny-ad"
    ft = load_generator(cfg, workspace, adapter="tiny-ad")
    base = load_generator(cfg, workspace)
    prompt = Prompter().build("質問1は？")
    text = ft.generate(prompt)
    assert isinstance(text, str) and "".join(ft.stream(prompt)).strip() == text
    assert "+tiny-ad" in ft.name and "+" not in base.name
    assert "### " not in text


def test_qlora_only_with_cuda():
    assert decide_qlora("auto", cuda_available=False, bnb_available=True) is False
    assert decide_qlora("auto", cuda_available=True, bnb_available=True) is True
    assert decide_qlora("off", cuda_available=True, bnb_available=True) is False
    with pytest.raises(ConfigError, match="CUDA"):
        decide_qlora("on", cuda_available=False, bnb_available=True)


def test_qlora_without_bitsandbytes_says_how_to_get_it(caplog):
    """bitsandbytes is the optional `cuda` extra: without it, 'auto' trains plain LoRA and
    says how to get QLoRA; 'on' is an error with the install command."""
    with caplog.at_level("WARNING"):
        assert decide_qlora("auto", cuda_available=True, bnb_available=False) is False
    assert "pip install -e '.[cuda]'" in caplog.text
    with pytest.raises(ConfigError, match="bitsandbytes") as ei:
        decide_qlora("on", cuda_available=True, bnb_available=False)
    assert "pip install -e '.[cuda]'" in ei.value.hint
    assert decide_qlora("auto", cuda_available=False, bnb_available=False) is False  # CPU: nothing to say


def test_demo_recipe_trains_one_epoch_on_both_shapes_and_copies_the_adapter(config, workspace, tiny_model_dir,
                                                                             tmp_path):
    from generator.dataset import build_dataset, read_split
    from generator.demo import DEMO_DATASET, demo_config, train_demo_adapter
    from tests.fixtures.generator import sample_chunks

    config.generator.base_model = str(tiny_model_dir)
    c = demo_config(config)
    assert c.generator.lora_preset == "small-all-linear" and c.generator.styled_questions == 1
    # the committed adapter's recipe: gold where the retriever ranked it (random measured worse: docs/training.md)
    assert c.generator.gold_position == "retrieved" and config.generator.gold_position == "random"
    build_dataset(c, workspace, DEMO_DATASET, chunks=sample_chunks(6))
    train_rows = read_split(workspace.datasets_dir() / DEMO_DATASET, "train")
    assert {r["shape"] for r in train_rows} == {"closed", "context"}
    committed = tmp_path / "committed"
    s = train_demo_adapter(config, workspace, commit_dir=committed, progress=False)
    card = s.card
    assert card["training"]["train_shapes"] == ["closed", "context"] and card["full_epoch"]
    assert card["dataset"]["examples_used"] == len(train_rows)
    assert card["dataset"]["dir"].endswith(DEMO_DATASET)
    for f in ("adapter_config.json", "adapter_model.safetensors", "training_card.json", "README.md"):
        assert (committed / f).is_file(), f
    assert not (committed / "checkpoints").exists()


def test_int8_dynamic_path_serves_an_adapter_and_leaves_the_fp32_model_alone(config, workspace, tiny_model_dir):
    from torch.ao.nn.quantized.dynamic import Linear as QLinear

    from generator import load_generator

    _dataset(workspace)
    cfg = _cfg(config, tiny_model_dir, max_steps=2, max_new_tokens=8, dtype="float32")
    train(cfg, workspace, dataset="tiny", out_name="q-ad", progress=False, eval_examples=0)
    prompt = Prompter().build("質問1は？")
    fp32_tuned = load_generator(cfg, workspace, adapter="q-ad").generate(prompt)

    cfg.generator.dtype = "int8-dynamic"
    q_tuned = load_generator(cfg, workspace, adapter="q-ad")
    q_base = load_generator(cfg, workspace)
    assert isinstance(q_tuned.generate(prompt), str) and isinstance(q_base.generate(prompt), str)
    assert "+q-ad" in q_tuned.name and "(int8)" in q_tuned.name and "+" not in q_base.name
    for g in (q_tuned, q_base):
        mods = list(g._own_model.modules())
        assert not any(type(m) is torch.nn.Linear for m in mods)          # every Linear quantised
        assert any(isinstance(m, QLinear) for m in mods)
        assert not any("lora" in type(m).__module__ for m in mods)       # adapter merged, not wrapped
    assert q_tuned._own_model is not q_base._own_model

    # the shared fp32 model (with its attached adapter) is untouched by the int8 copies
    cfg.generator.dtype = "float32"
    assert load_generator(cfg, workspace, adapter="q-ad").generate(prompt) == fp32_tuned


def test_auto_dtype_is_bf16_only_where_the_cpu_has_native_bf16(monkeypatch):
    from generator.inference import resolve_dtype

    assert resolve_dtype("float32") == "float32" and resolve_dtype("int8-dynamic") == "int8-dynamic"
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert resolve_dtype("auto") == "float32"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    assert resolve_dtype("auto") == "bfloat16"
