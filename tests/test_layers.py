"""The floors hold: the base imports no stage, stages import only lower stages, nothing imports the face,
and no module imports another of ours inside a function unless it defers a heavy library on purpose.

Read from the source with ``ast`` (every import, module level or not), so a cycle hidden in a function
is caught as well as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: stages bottom-up: a stage may import the base and the stages before it, never one after it
STAGES = ("ingest", "index", "generator", "assistant", "eval")
OURS = {"tenkan", *STAGES}


def floor(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "tenkan":
        return "face" if len(parts) > 1 and parts[1] == "face" else "base"
    return parts[0]


def rank(fl: str) -> int:
    return {"base": 0, **{s: i + 1 for i, s in enumerate(STAGES)}, "face": len(STAGES) + 1}[fl]


def modules():
    for pkg in ("tenkan", *STAGES):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            name = ".".join(rel.parts).removesuffix(".__init__")
            yield name, path


def imports(path: Path):
    """(imported module, line, inside a function?) for every import of our own modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(n) for n in ast.walk(fn) if n is not fn)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            if name.split(".")[0] in OURS:
                yield name, node.lineno, id(node) in inside


def our_module(name: str) -> str | None:
    """The module (or package) of ours that ``name`` is, or None for an attribute import."""
    path = ROOT.joinpath(*name.split("."))
    if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
        return name
    return None


ALL = dict(modules())


def test_the_tree_has_all_floors():
    floors = {floor(m) for m in ALL}
    assert floors == {"base", "face", *STAGES}


@pytest.mark.parametrize("module", sorted(ALL))
def test_imports_point_down(module):
    here = floor(module)
    wrong = []
    for name, line, _ in imports(ALL[module]):
        target = floor(name)
        if target == here:
            continue
        if rank(target) > rank(here):
            wrong.append(f"line {line}: {module} ({here}) imports {name} ({target})")
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle_between_modules():
    graph: dict[str, set[str]] = {m: set() for m in ALL}
    for m, path in ALL.items():
        for name, _, _ in imports(path):
            target = our_module(name)
            if target and target != m and target in graph:
                graph[m].add(target)
    # a package's __init__ importing its own submodules lazily is the usual shape, not a cycle
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if seen.get(t) == 1:
                cycles.append(stack[stack.index(t):] + [t])
            elif t not in seen:
                visit(t)
        stack.pop()
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m)
    assert not cycles, "\n".join(" → ".join(c) for c in cycles)


#: libraries that take long to import or hold large native state; code defers them on purpose
HEAVY = {"torch", "transformers", "peft", "accelerate", "bitsandbytes", "sentence_transformers", "faiss",
         "llama_cpp", "llama_index", "streamlit", "trafilatura", "ragas", "langchain_community", "datasets",
         "matplotlib", "nltk", "scipy", "bm25s", "pdfminer", "sacrebleu", "rouge_score", "gguf", "openai",
         "uvicorn", "starlette", "playwright", "datasketch", "lxml", "fugashi", "safetensors"}


def top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def heavy_modules() -> set[str]:
    """Our modules that import a heavy library at their top, directly or through another of ours."""
    tops = {m: top_level_imports(p) for m, p in ALL.items()}
    heavy = {m for m, names in tops.items() if any(n.split(".")[0] in HEAVY for n in names)}
    changed = True
    while changed:
        changed = False
        for m, names in tops.items():
            if m not in heavy and any(our_module(n) in heavy for n in names if n.split(".")[0] in OURS):
                heavy.add(m)
                changed = True
    return heavy


def test_own_modules_are_imported_at_the_top_unless_heavy():
    """A function-local import of one of our modules is allowed only when that module is heavy (it loads
    torch, faiss, a model library…): deferring it keeps `tenkan --help` and the stage packages light.
    Deferring a light module of ours would only hide a cycle."""
    heavy = heavy_modules()
    wrong = []
    for m, path in ALL.items():
        for name, line, local in imports(path):
            target = our_module(name)
            if local and target and target not in heavy:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target} inside a function")
    assert not wrong, f"{len(wrong)} deferred imports of light modules:\n" + "\n".join(sorted(set(wrong)))
