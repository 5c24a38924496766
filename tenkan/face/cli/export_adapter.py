"""``tenkan export-adapter``: the tuned adapter as a plain model for other engines."""

from __future__ import annotations

from generator.export import export_merged

NAME = "export-adapter"
HELP = "merge the LoRA adapter into its base model (safetensors) for vLLM, llama.cpp or transformers"
DESCRIPTION = """Merge the LoRA adapter (generator.adapter, or --adapter) into generator.base_model
and save a plain transformers model (safetensors + tokenizer) to DIR.

  tenkan export-adapter --merged var/export/demo-merged
  python -c "from transformers import AutoModelForCausalLM as M; M.from_pretrained('var/export/demo-merged')"
  vllm serve var/export/demo-merged --served-model-name demo
  python llama.cpp/convert_hf_to_gguf.py var/export/demo-merged --outfile demo.gguf   # then llama-server -m demo.gguf

Prompts must use the adapter's template (generator/templates/<template>.json); the
manifest of DIR names it."""


def add_arguments(p) -> None:
    p.add_argument("--merged", required=True, metavar="DIR", help="output directory for the merged model")
    p.add_argument("--adapter", default=None, help="adapter name under <home>/adapters/ or a directory "
                                                   "(default: generator.adapter, else the committed demo adapter)")
    p.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32", help="weights of the saved model")
    p.add_argument("--force", action="store_true", help="replace DIR when it exists")


def run(args, ctx) -> int:
    s = export_merged(ctx.config, ctx.workspace, args.merged, adapter=args.adapter, dtype=args.dtype,
                      overwrite=args.force)
    print(f"merged {s.adapter_dir.name} into {s.base_model} → {s.out_dir} ({s.seconds} s)")
    return 0
