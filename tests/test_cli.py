"""The ``tenkan`` console script: every subcommand has --help; errors are messages, not tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tenkan.face.cli.main import COMMANDS, build_parser

SUBCOMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001


def test_every_command_module_is_registered():
    assert len(SUBCOMMANDS) == len(COMMANDS)
    for name in ("serve-site", "crawl", "refresh", "index", "dataset", "train", "ask", "eval", "demo", "doctor"):
        assert name in SUBCOMMANDS


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_help_of_each_subcommand(cmd):
    out = subprocess.run([sys.executable, "-m", "tenkan.face.cli.main", cmd, "--help"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"tenkan {cmd}" in out.stdout
    assert "--home" in out.stdout  # global options work after the subcommand too


def test_unknown_setting_is_a_one_line_error(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tenkan.face.cli.main", "--home", str(tmp_path), "config",
                          "--set", "index.no_such_key=1"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "tenkan: error: unknown key(s) 'no_such_key' in [index]" in out.stderr
    assert "Traceback" not in out.stderr


def test_demo_resume_without_train_is_refused_before_anything_runs(tmp_path):
    out = subprocess.run([sys.executable, "-m", "tenkan.face.cli.main", "--home", str(tmp_path), "demo", "--resume"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "use it with --train" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "corpus").exists()  # nothing was crawled


def test_doctor_reports_packages_and_models_present():
    out = subprocess.run([sys.executable, "-m", "tenkan.face.cli.main", "doctor", "--packages-only", "--json"],
                         capture_output=True, text=True, timeout=120)
    import json

    report = json.loads(out.stdout)
    missing = [c["name"] for c in report["checks"] if c["status"] == "missing"]
    assert missing == [] and out.returncode == 0


def test_doctor_treats_bitsandbytes_as_the_optional_cuda_extra(monkeypatch):
    """Without bitsandbytes (a CPU machine after `make setup`) nothing required is missing,
    and the check says how to get it for QLoRA."""
    from tenkan.face import doctor

    real = doctor._version
    monkeypatch.setattr(doctor, "_version", lambda dist: None if dist == "bitsandbytes" else real(dist))
    checks = {c.name: c for c in doctor.check_packages()}
    bnb = checks["bitsandbytes (QLoRA, CUDA only)"]
    assert bnb.status == "absent" and not bnb.required and bnb.fix == "pip install -e '.[cuda]'"
    assert not any(c.status == "missing" for c in checks.values())


def test_doctor_says_when_the_settings_build_other_prompts_than_the_adapter_was_trained_on(tmp_path):
    """The committed adapter reads three 180-character windows; asking for four 240-character
    ones works, but doctor and the first generated answer say the adapter never saw such prompts."""
    from generator.inference import DEMO_ADAPTER_DIR, prompt_shape_mismatch
    from tenkan.face import doctor
    from tenkan.face.config import load_config
    from tenkan.paths import Workspace

    ws = Workspace(tmp_path)
    same = load_config()
    assert prompt_shape_mismatch(DEMO_ADAPTER_DIR, same) == {}
    other = load_config(overrides=["generator.window_chars=240", "generator.context_sources=4"])
    assert prompt_shape_mismatch(DEMO_ADAPTER_DIR, other) == {"context_sources": (3, 4), "window_chars": (180, 240)}
    [check] = [c for c in doctor.check_artifacts(ws, other) if c.name == "adapter prompt shape"]
    assert check.status == "differs" and not check.required and "window_chars = 240, trained with 180" in check.detail
    [check] = [c for c in doctor.check_artifacts(ws, same) if c.name == "adapter prompt shape"]
    assert check.status == "ok"
    (tmp_path / "not-a-manifest").mkdir()
    assert prompt_shape_mismatch(tmp_path / "not-a-manifest", other) == {}  # an adapter from another tool
