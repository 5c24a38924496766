"""The training loop runs through accelerate: one process as before, and data-parallel (DDP)
over several processes. On this CPU machine DDP runs with the gloo backend (two processes
launched by torchrun); on GPUs the same code runs with NCCL under `accelerate launch`."""

import json
import os
import signal
import subprocess
import sys

import pytest

from generator.training import train
from tests.test_generator_lora import _cfg, _dataset


def _run(cmd, env, timeout=600):
    """Run ``cmd`` in its own process group; on timeout the whole group (torchrun's workers
    included) is killed, so nothing is left behind."""
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise AssertionError(f"{cmd[:6]} timed out: {err[-2000:]}") from None
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def test_single_process_run_reports_no_distribution(config, workspace, tiny_model_dir):
    _dataset(workspace)
    cfg = _cfg(config, tiny_model_dir, max_steps=3, save_steps=0)
    card = train(cfg, workspace, dataset="tiny", out_name="one", progress=False, eval_examples=0).card
    assert card["processes"] == 1 and card["distributed"] == "no" and card["steps"] == 3
    assert (workspace.adapters_dir() / "one" / "adapter_model.safetensors").is_file()


@pytest.mark.slow
def test_two_process_ddp_gives_the_loss_curve_of_one_process_with_the_same_global_batch(workspace, tiny_model_dir):
    """2 processes × grad_accum 1 sees the same examples per step as 1 process × grad_accum 2,
    and DDP averages the gradients: the loss curves must agree."""
    _dataset(workspace, n=16)
    common = ["--home", str(workspace.root), "--set", f"generator.base_model={tiny_model_dir}",
              "--set", "generator.lora_dropout=0.0", "--set", "generator.learning_rate=5e-3",
              "--set", "generator.batch_size=2", "--set", "generator.save_steps=0", "-q"]
    env = {**os.environ, "ACCELERATE_USE_CPU": "1", "OMP_NUM_THREADS": "1"}
    ddp = _run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
         "-m", "tenkan.face.cli.main", *common, "--set", "generator.grad_accum=1",
         "train", "--dataset", "tiny", "--out", "ddp", "--no-progress"],
        env)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    one = _run(
        [sys.executable, "-m", "tenkan.face.cli.main", *common, "--set", "generator.grad_accum=2",
         "train", "--dataset", "tiny", "--out", "one", "--no-progress"],
        {**os.environ, "OMP_NUM_THREADS": "1"})
    assert one.returncode == 0, one.stderr[-3000:]
    a = json.loads((workspace.adapters_dir() / "ddp" / "training_card.json").read_text(encoding="utf-8"))
    b = json.loads((workspace.adapters_dir() / "one" / "training_card.json").read_text(encoding="utf-8"))
    assert a["processes"] == 2 and a["distributed"] == "multi_cpu" and b["processes"] == 1
    assert a["steps"] == b["steps"] == 4 and a["epochs_completed"] == b["epochs_completed"] == 1.0
    assert a["losses"] == pytest.approx(b["losses"], abs=2e-3)
    assert a["tokens_seen"] == b["tokens_seen"] and a["response_tokens"] == b["response_tokens"]
    assert a["losses"][-1] < a["losses"][0]
