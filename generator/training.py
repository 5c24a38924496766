"""``tenkan train``: PEFT LoRA (QLoRA on CUDA) on the instruction data, loss on
the response tokens only, with checkpoints, resume, a progress bar, and an
adapter directory that describes itself (training card + loss curve).

The loop runs through Hugging Face ``accelerate``: the plain command trains in one
process (CPU or one GPU, the same steps and losses as a hand-written loop), and
``accelerate launch -m tenkan.face.cli.main train ...`` trains data-parallel (DDP) on several
GPUs: each process takes every N-th micro-batch, gradients are averaged, the main
process alone writes checkpoints and the adapter."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import resource
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from generator.config import GeneratorSettings
from generator.dataset import read_split
from generator.prompter import Prompter
from generator.sources import hub_identity, load_model_and_tokenizer, parse_source, source_fingerprint
from tenkan.errors import ConfigError, DatasetError
from tenkan.manifest import atomic_write_json, sha256_file, write_manifest
from tenkan.paths import Workspace, portable_path

__all__ = ["train", "TrainSummary", "decide_qlora", "bitsandbytes_available", "encode_example", "collate", "response_loss",
           "add_lora", "IGNORE"]

log = logging.getLogger(__name__)
IGNORE = -100
CARD = "training_card.json"


@dataclass
class TrainSummary:
    adapter_dir: Path
    card: dict
    #: False in the other processes of a distributed run (the main process writes and reports)
    main_process: bool = True


BNB_HINT = "pip install -e '.[cuda]'  (bitsandbytes, the optional CUDA extra)"


def bitsandbytes_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("bitsandbytes") is not None


def decide_qlora(setting: str, cuda_available: bool, bnb_available: bool | None = None) -> bool:
    """Whether to load the base model in 4-bit (QLoRA): 'auto' = when CUDA is present and
    bitsandbytes (the optional ``cuda`` extra) is installed; without it, plain LoRA with a
    warning that says how to get QLoRA."""
    if setting == "off":
        return False
    if bnb_available is None:
        bnb_available = bitsandbytes_available()
    if setting == "on":
        if not cuda_available:
            raise ConfigError("QLoRA (4-bit bitsandbytes) needs a CUDA GPU; this machine has none",
                              hint="--set generator.qlora=auto (or off) to train plain LoRA on CPU")
        if not bnb_available:
            raise ConfigError("QLoRA needs bitsandbytes, which is not installed",
                              hint=f"{BNB_HINT}; or --set generator.qlora=off for plain LoRA")
        return True
    if cuda_available and not bnb_available:
        log.warning("CUDA is present but bitsandbytes is not installed: training plain LoRA, not QLoRA. "
                    "For QLoRA: %s", BNB_HINT)
        return False
    return cuda_available


def encode_example(tok, prompter: Prompter, ex: dict, max_length: int) -> dict | None:
    """Token ids with labels masked (``IGNORE``) over the prompt: the loss sees only the response.

    Prompt and response are tokenised separately so the boundary is exactly where
    inference starts generating. Too long: the response is cut; a prompt that leaves
    fewer than 8 response tokens drops the example (None)."""
    prompt, _ = prompter.build_training(ex["instruction"], ex.get("input") or None, ex["output"])
    p_ids = tok(prompt, add_special_tokens=True)["input_ids"]
    r_ids = tok(ex["output"], add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    if len(p_ids) + 8 > max_length:
        return None
    r_ids = r_ids[: max_length - len(p_ids)]
    return {"input_ids": p_ids + r_ids, "labels": [IGNORE] * len(p_ids) + r_ids, "prompt_len": len(p_ids)}


def collate(batch: list[dict], pad_id: int) -> dict:
    import torch

    n = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), n), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), n), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    for i, b in enumerate(batch):
        k = len(b["input_ids"])
        ids[i, :k] = torch.tensor(b["input_ids"])
        labels[i, :k] = torch.tensor(b["labels"])
        mask[i, :k] = 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask,
            "start": min(b["prompt_len"] for b in batch)}


def response_loss(model, batch: dict):
    """Mean cross-entropy over response tokens. The LM head runs only from the first
    response position on (``logits_to_keep``): with a 262k-token vocabulary that head
    is most of the cost on CPU."""
    import torch
    import torch.nn.functional as F

    ids, labels = batch["input_ids"], batch["labels"]
    dev = next(p.device for p in model.parameters())
    ids, labels, mask = ids.to(dev), labels.to(dev), batch["attention_mask"].to(dev)
    start = max(1, int(batch.get("start", 1)))
    keep = torch.arange(start - 1, ids.shape[1] - 1, device=dev)
    out = model(input_ids=ids, attention_mask=mask, logits_to_keep=keep)
    logits = out.logits
    if logits.shape[1] != keep.numel():  # a model that ignores logits_to_keep
        logits = logits[:, keep]
    target = labels[:, keep + 1]
    n = (target != IGNORE).sum()
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), target.reshape(-1),
                           ignore_index=IGNORE, reduction="sum")
    return loss / n.clamp(min=1), int(n)


def add_lora(model, lora: dict, *, quantized: bool = False):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if quantized:
        model = prepare_model_for_kbit_training(model)
    tm = lora["target_modules"]
    conf = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
                      target_modules="all-linear" if tm == ["all-linear"] else list(tm),
                      bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, conf)


def _peak_mb(cuda: bool) -> float:
    if cuda:
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _plot_loss(losses: list[float], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    xs = list(range(1, len(losses) + 1))
    ax.plot(xs, losses, lw=0.8, alpha=0.5, label="step loss")
    w = max(1, len(losses) // 10)
    if len(losses) >= 2 * w > 1:
        avg = [sum(losses[max(0, i - w + 1): i + 1]) / len(losses[max(0, i - w + 1): i + 1]) for i in range(len(losses))]
        ax.plot(xs, avg, lw=1.8, label=f"moving mean ({w})")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("response-token loss")
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _eval_loss(model, batches) -> float | None:
    import torch

    if not batches:
        return None
    model.eval()
    tot, n = 0.0, 0
    with torch.no_grad():
        for b in batches:
            loss, k = response_loss(model, b)
            tot += float(loss) * k
            n += k
    model.train()
    return round(tot / max(n, 1), 4)


class _DevWatch:
    """Early stopping on the dev loss: remembers the LoRA weights of the best measurement,
    and says stop once ``patience`` measurements in a row did not beat it (0 = never stop)."""

    def __init__(self, patience: int, before: float | None):
        self.patience, self.best, self.best_step = patience, before, 0
        self.curve: list[dict] = [] if before is None else [{"step": 0, "loss": before}]
        self.state, self.bad, self.stopped = None, 0, False

    def measure(self, step: int, loss: float | None, model, final: bool = False) -> bool:
        if loss is None:
            return False
        if not self.curve or self.curve[-1]["step"] != step:
            self.curve.append({"step": step, "loss": loss})
        if self.best is None or loss < self.best - 1e-6:
            self.best, self.best_step, self.bad = loss, step, 0
            if not final:
                from peft import get_peft_model_state_dict

                self.state = {k: v.detach().clone() for k, v in get_peft_model_state_dict(model).items()}
            else:
                self.state = None  # the final weights are the best: nothing to restore
            return False
        self.bad += 1
        if not final:
            self.stopped = bool(self.patience) and self.bad >= self.patience
        return self.stopped

    def restore(self, model) -> bool:
        """Put the best weights back when an earlier measurement beat the last one."""
        if self.state is None or self.best_step == self.curve[-1]["step"]:
            return False
        from peft import set_peft_model_state_dict

        set_peft_model_state_dict(model, self.state)
        return True


def _latest_checkpoint(out: Path) -> Path | None:
    cks = sorted((out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    return cks[-1] if cks else None


def _accelerator():
    """One ``Accelerator`` per process (it reads what ``accelerate launch`` / ``torchrun`` set)."""
    from accelerate import Accelerator

    return Accelerator()


def train(cfg: GeneratorSettings, ws: Workspace, *, dataset: str | Path | None = None, out_name: str | None = None,
          resume: bool = False, progress: bool = True, model_and_tokenizer: tuple | None = None,
          eval_examples: int = 32, keep_checkpoints: bool = False, note: str = "") -> TrainSummary:
    """Train a LoRA adapter on ``datasets/<dataset>/train.jsonl`` into ``adapters/<out_name>/``.

    ``model_and_tokenizer`` lets a caller (tests, benchmarks) pass an already built
    model instead of ``cfg.generator.base_model``."""
    import torch

    acc = _accelerator()
    world, rank = acc.num_processes, acc.process_index


    g = cfg.generator
    t_start = time.perf_counter()
    ddir = Path(dataset) if dataset and Path(dataset).is_dir() else ws.datasets_dir() / (dataset or g.dataset)
    rows = read_split(ddir, "train")
    rows = [r for r in rows if r.get("shape", "closed") in g.train_shapes]
    if not rows:
        raise DatasetError(f"{ddir}/train.jsonl has no examples of shapes {g.train_shapes}", hint="tenkan dataset")
    out = ws.adapters_dir(create=True) / (out_name or g.adapter)
    cuda = acc.device.type == "cuda"
    qlora = decide_qlora(g.qlora, cuda)
    lora = g.lora_settings()
    if model_and_tokenizer is not None:
        model, tok = model_and_tokenizer
        base_info = {"source": getattr(model.config, "_name_or_path", "") or "in-memory model", "sha256": None,
                     "hub_id": g.base_model_hub_id or None, "license": None}
    else:
        if parse_source(g.base_model).is_remote:
            raise ConfigError("cannot train an HTTP endpoint", hint="set generator.base_model to local weights")
        model, tok = load_model_and_tokenizer(g.base_model, ws, quantize_4bit=qlora)
        base_info = {**source_fingerprint(g.base_model, ws), **hub_identity(g.base_model, g.base_model_hub_id)}
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    if not qlora:
        model = model.to(acc.device)
    prompter = Prompter(g.template)
    torch.manual_seed(g.seed)
    model = add_lora(model, lora, quantized=qlora)
    model.train()
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)

    rng = random.Random(g.seed)
    order = list(range(len(rows)))
    rng.shuffle(order)
    if g.max_examples:
        order = order[: g.max_examples]
    encoded, skipped = [], 0
    for i in order:
        e = encode_example(tok, prompter, rows[i], g.max_length)
        if e is None:
            skipped += 1
        else:
            encoded.append(e)
    if not encoded:
        raise DatasetError(f"every training example is longer than max_length={g.max_length}",
                           hint="raise generator.max_length or train on closed-book examples only")
    pad = tok.pad_token_id
    micro = [collate(encoded[i: i + g.batch_size], pad) for i in range(0, len(encoded), g.batch_size)]
    # data-parallel: one optimizer step consumes grad_accum micro-batches on each of `world` processes
    steps_per_epoch = math.ceil(len(micro) / (g.grad_accum * world))
    total_steps = max(1, math.ceil(steps_per_epoch * g.epochs))
    if g.max_steps:
        total_steps = min(total_steps, g.max_steps)
    dev_batches = []
    try:
        dev_rows = [r for r in read_split(ddir, "dev") if r.get("shape", "closed") in g.train_shapes][:eval_examples]
        dev_enc = [e for e in (encode_example(tok, prompter, r, g.max_length) for r in dev_rows) if e]
        dev_batches = [collate(dev_enc[i: i + g.batch_size], pad) for i in range(0, len(dev_enc), g.batch_size)]
    except DatasetError:
        pass

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lora["lr"], weight_decay=g.weight_decay)
    warm = max(1, int(total_steps * g.warmup_ratio))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total_steps - s) / max(1, total_steps - warm)) if s >= warm
        else (s + 1) / warm)

    step, losses, tokens_seen, resp_tokens, elapsed_before = 0, [], 0, 0, 0.0
    dev_before = None
    if resume:
        ck = _latest_checkpoint(out)
        if ck is None:
            log.info("no checkpoint in %s; starting from scratch", out)
        else:
            from peft import set_peft_model_state_dict
            from safetensors.torch import load_file

            set_peft_model_state_dict(model, load_file(str(ck / "adapter_model.safetensors")))
            st = torch.load(ck / "trainer_state.pt", weights_only=False)
            opt.load_state_dict(st["optimizer"])
            sched.load_state_dict(st["scheduler"])
            step, losses, tokens_seen = st["step"], st["losses"], st["tokens_seen"]
            resp_tokens, elapsed_before, dev_before = st["response_tokens"], st["elapsed"], st.get("dev_before")
            log.info("resuming from %s (step %d of %d)", ck, step, total_steps)
    elif out.exists():
        shutil.rmtree(out / "checkpoints", ignore_errors=True)
    if dev_before is None:
        dev_before = _eval_loss(model, dev_batches)
    # the scheduler stays ours (stepped once per optimizer step): accelerate's wrapper would
    # step it once per process
    ddp_model, opt = acc.prepare(model, opt)

    # dev loss measured every `every` steps (each epoch by default) when early stopping or eval_steps asks for it
    every = (g.eval_steps or steps_per_epoch) if dev_batches and (g.eval_steps or g.early_stop_patience) else 0
    watch = _DevWatch(g.early_stop_patience, dev_before)

    from tqdm.auto import tqdm

    bar = tqdm(total=total_steps, initial=step, desc="LoRA", unit="step", disable=not progress or not acc.is_main_process,
               dynamic_ncols=True)
    t0 = time.perf_counter()
    mi = step * g.grad_accum  # micro-batch cursor (deterministic order → resume skips what was done)
    while step < total_steps:
        opt.zero_grad(set_to_none=True)
        acc_loss, acc_n, acc_tokens = 0.0, 0, 0
        for k in range(g.grad_accum):
            b = micro[(mi * world + rank) % len(micro)]  # process `rank` takes every world-th micro-batch
            mi += 1
            sync = acc.no_sync(ddp_model) if k < g.grad_accum - 1 and world > 1 else contextlib.nullcontext()
            with sync:
                loss, n = response_loss(ddp_model, b)
                acc.backward(loss / g.grad_accum)
            acc_loss += float(loss) * n
            acc_n += n
            acc_tokens += int(b["attention_mask"].sum())
        if world > 1:  # the step's loss and token counts over all processes
            tot = acc.reduce(torch.tensor([acc_loss, acc_n, acc_tokens], dtype=torch.float64, device=acc.device), "sum")
            acc_loss, acc_n, acc_tokens = float(tot[0]), int(tot[1]), int(tot[2])
        tokens_seen += acc_tokens
        resp_tokens += acc_n
        acc.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        step += 1
        losses.append(round(acc_loss / max(acc_n, 1), 4))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")
        bar.update(1)
        if g.save_steps and step % g.save_steps == 0 and step < total_steps and acc.is_main_process:
            _save_checkpoint(model, opt, sched, out, step, losses, tokens_seen, resp_tokens,
                             elapsed_before + time.perf_counter() - t0, dev_before)
        if every and step % every == 0 and step < total_steps:
            t_eval = time.perf_counter()
            if watch.measure(step, _eval_loss(model, dev_batches), model):
                log.info("dev loss has not fallen for %d measurements: stopping at step %d (best: step %d, %.4f)",
                         g.early_stop_patience, step, watch.best_step, watch.best)
                t0 += time.perf_counter() - t_eval
                break
            t0 += time.perf_counter() - t_eval  # training time excludes the dev measurements
    bar.close()
    train_time = elapsed_before + time.perf_counter() - t0
    acc.wait_for_everyone()
    dev_after = _eval_loss(model, dev_batches)
    if every:
        watch.measure(step, dev_after, model, final=True)
        if watch.restore(model):
            log.info("kept the adapter of step %d (dev loss %.4f < %.4f at the end)", watch.best_step, watch.best, dev_after)
            dev_after = watch.best
    if not acc.is_main_process:  # the main process writes the adapter
        return TrainSummary(out, {"steps": step, "losses": losses, "process_index": rank}, main_process=False)

    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    ds_sha = sha256_file(ddir / "train.jsonl")
    epochs_done = round(step * g.grad_accum * g.batch_size * world / max(1, len(encoded)), 3)
    card = {
        "adapter": out.name,
        "base_model": base_info,
        "template": g.template,
        "lora": {k: lora[k] for k in ("preset", "r", "alpha", "dropout", "target_modules", "lr")},
        "qlora": qlora,
        "trainable_parameters": n_trainable,
        "training": {k: getattr(g, k) for k in ("epochs", "max_steps", "max_examples", "batch_size", "grad_accum",
                                                "max_length", "warmup_ratio", "weight_decay", "seed", "train_shapes")},
        "dataset": {"dir": portable_path(ddir, ws.root), "train_sha256": ds_sha, "examples_available": len(rows),
                    "examples_used": len(encoded), "examples_skipped_too_long": skipped},
        "steps": step, "steps_for_full_run": max(1, math.ceil(steps_per_epoch * g.epochs)),
        "epochs_completed": epochs_done,
        "full_epoch": epochs_done >= 1.0 and len(encoded) == len(rows),
        "tokens_seen": tokens_seen, "response_tokens": resp_tokens,
        "time_s": round(train_time, 1), "tokens_per_s": round(tokens_seen / max(train_time, 1e-9), 1),
        "peak_memory_mb": _peak_mb(cuda), "device": "cuda" if cuda else "cpu",
        "processes": world, "distributed": str(acc.distributed_type).split(".")[-1].lower(),
        "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None,
        "dev_loss_before": dev_before, "dev_loss_after": dev_after,
        "dev_curve": watch.curve, "best_step": watch.best_step if every else None,
        "stopped_early": watch.stopped, "eval_every_steps": every, "dev_examples": sum(len(b["input_ids"]) for b in dev_batches),
        "losses": losses,
        "note": note,
        "total_time_s": round(time.perf_counter() - t_start, 1),
    }
    atomic_write_json(tmp / CARD, card)
    _describe_adapter(tmp, card)
    _plot_loss(losses, tmp / "loss.png", f"{out.name}: {base_info.get('source')} · {step} steps")
    write_manifest(tmp, "tenkan train", inputs={"train": ddir / "train.jsonl", "base_model": str(base_info.get("source"))},
                   settings=g, extra={"card": CARD}, workspace=ws.root)
    if keep_checkpoints and (out / "checkpoints").exists():
        shutil.move(str(out / "checkpoints"), str(tmp / "checkpoints"))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log.info("adapter %s: %d steps, loss %.3f → %.3f, %.0f tokens/s", out, step, card["loss_first"] or 0,
             card["loss_last"] or 0, card["tokens_per_s"])
    return TrainSummary(out, card)


def _describe_adapter(adapter_dir: Path, card: dict) -> None:
    """Make the adapter loadable and legible outside tenkan: ``base_model_name_or_path``
    is the base model's Hugging Face id where it has one (PEFT, the Hub and vLLM
    resolve the base by it; tenkan's own source stays in the training card), and the
    README is a model card with the Hub's metadata header instead of PEFT's boilerplate."""
    cfg_path = adapter_dir / "adapter_config.json"
    base = card["base_model"]
    source = str(base.get("source") or "")
    hub_id = base.get("hub_id")
    if cfg_path.is_file() and (hub_id or source):
        acfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        acfg["base_model_name_or_path"] = hub_id or source
        atomic_write_json(cfg_path, acfg)
    (adapter_dir / "README.md").write_text(model_card(card), encoding="utf-8")


def model_card(card: dict) -> str:
    """The adapter's README: a Hugging Face model card (YAML header + summary of the training card)."""
    lora, tr, base = card["lora"], card["training"], card["base_model"]
    source = str(base.get("source") or "")
    hub_id = base.get("hub_id")
    header = ["---"]
    if hub_id:
        header.append(f"base_model: {hub_id}")
    header += ["library_name: peft", f"license: {base.get('license') or 'other'}", "language:", "- ja",
               "pipeline_tag: text-generation", "tags:", "- lora", "- peft", "- tenkan", "---", ""]
    dev = ""
    if card.get("dev_loss_before") is not None and card.get("dev_loss_after") is not None:
        dev = f"- dev loss (response tokens): {card['dev_loss_before']:.3f} before, {card['dev_loss_after']:.3f} after\n"
    if hub_id:
        load = (f"Standard tooling loads it onto `{hub_id}` (`peft.AutoPeftModelForCausalLM.from_pretrained(<this dir>)`, "
                f"vLLM `--lora-modules`); tenkan loads it onto the model source `{source}` (`generator.adapter`)")
        if source.startswith("gguf-pkg:"):
            load += (". It was trained on that GGUF's weights, dequantised to fp32, so on the original "
                     f"`{hub_id}` weights it behaves close to, not exactly as, it does in tenkan")
        load += "."
    else:
        load = f"Load it with tenkan (`generator.adapter`) on top of the base model source `{source}`."
    text = (
        "\n".join(header)
        + f"# tenkan LoRA adapter `{card['adapter']}`\n\n"
        f"A PEFT LoRA adapter made by `tenkan train`. {load} "
        f"Base model sha256 ({base.get('sha256_of', 'model')}): `{str(base.get('sha256') or '')[:16]}…`.\n\n"
        f"- template: `{card['template']}` (generator/templates/)\n"
        f"- LoRA: preset {lora['preset']}, r={lora['r']}, alpha={lora['alpha']}, dropout={lora['dropout']}, "
        f"targets {', '.join(lora['target_modules'])}, lr {lora['lr']}; QLoRA: {card['qlora']}\n"
        f"- data: {card['dataset']['examples_used']} of {card['dataset']['examples_available']} training examples "
        f"(shapes {', '.join(tr['train_shapes'])}, max_length {tr['max_length']}), "
        f"{card['epochs_completed']} epochs in {card['steps']} steps of {tr['batch_size']}×{tr['grad_accum']}\n"
        f"- {card['tokens_seen']} tokens in {card['time_s']} s ({card['tokens_per_s']} tokens/s) on {card['device']}, "
        f"peak memory {card['peak_memory_mb']} MB\n"
        f"{dev}"
        + (f"- note: {card['note']}\n" if card.get("note") else "")
        + f"\nEverything else is in `{CARD}`; the loss curve is `loss.png`.\n"
        + ("The licence is the base model's terms of use.\n" if base.get("license") else
           "The licence follows the base model's; see its model card.\n")
        + "Made for the demo corpus; not a medical device, not medical advice.\n"
    )
    return text


def _save_checkpoint(model, opt, sched, out: Path, step: int, losses, tokens_seen, resp_tokens, elapsed, dev_before):
    import torch

    ck = out / "checkpoints" / f"step-{step}"
    tmp = ck.with_name(ck.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp))
    torch.save({"optimizer": opt.state_dict(), "scheduler": sched.state_dict(), "step": step, "losses": list(losses),
                "tokens_seen": tokens_seen, "response_tokens": resp_tokens, "elapsed": elapsed,
                "dev_before": dev_before}, tmp / "trainer_state.pt")
    tmp.rename(ck)
    for old in sorted((out / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))[:-2]:
        shutil.rmtree(old, ignore_errors=True)
