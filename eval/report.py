"""Run reports: Markdown, a self-contained HTML page (plots inlined as base64
PNG) and the PNG files themselves."""

from __future__ import annotations

import base64
import html
import logging
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from tenkan.manifest import atomic_write_text

from eval.stats import MIN_PAIRS, TOO_FEW

__all__ = ["write_report", "write_exam_report", "fmt"]

log = logging.getLogger(__name__)

_TABLE_METRICS = ("bleu_word", "bleu_char", "rougeL_word", "rougeL_char", "meteor_word", "meteor_char",
                  "raw_rougeL_word", "raw_rougeL_char",
                  "string_similarity", "semantic_similarity", "context_recall", "context_precision", "grounded",
                  "model_grounded", "fallback", "cited_gold", "kept_cited_gold",
                  "faithfulness", "answer_relevancy", "llm_context_precision", "latency_s")
_PLOT_METRICS = ("bleu_word", "rougeL_word", "meteor_word", "rougeL_char", "string_similarity",
                 "semantic_similarity", "grounded")


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot_modes(run_dir: Path, metrics: dict) -> str | None:
    modes = list(metrics["modes"])
    names = [m for m in _PLOT_METRICS if any(m in metrics["modes"][x] for x in modes)]
    if not modes or not names:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(6, 1.3 * len(names) + 2), 4))
    width = 0.8 / len(modes)
    x = np.arange(len(names))
    for i, mode in enumerate(modes):
        vals = [metrics["modes"][mode].get(n, np.nan) for n in names]
        ci = metrics.get("ci", {}).get(mode, {})
        err = np.array([[max(0, v - ci[n][0]) if n in ci else 0 for n, v in zip(names, vals)],
                        [max(0, ci[n][1] - v) if n in ci else 0 for n, v in zip(names, vals)]])
        ax.bar(x + i * width - 0.4 + width / 2, vals, width, yerr=np.nan_to_num(err), capsize=2, label=mode)
    ax.set_xticks(x, names, rotation=25, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean (95% bootstrap CI)")
    ax.set_title("answer metrics by mode")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(run_dir / "modes.png", dpi=100)
    plt.close(fig)
    return "modes.png"


def _plot_diffs(run_dir: Path, metrics: dict, metric: str = "rougeL_word") -> str | None:
    diffs = [d for d in metrics.get("differences", []) if d["metric"] == metric and d["low"] is not None]
    if not diffs:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(diffs) + 1.2))
    for i, d in enumerate(diffs):
        ax.errorbar(d["diff"], i, xerr=[[d["diff"] - d["low"]], [d["high"] - d["diff"]]], fmt="o", capsize=3,
                    color={True: "tab:red", False: "tab:blue"}.get(d.get("significant"), "tab:gray"))
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(range(len(diffs)), [f"{d['a']} − {d['b']}" for d in diffs])
    ax.set_xlabel(f"Δ {metric} (paired bootstrap 95% CI)")
    ax.set_title("differences between modes")
    fig.tight_layout()
    fig.savefig(run_dir / "differences.png", dpi=100)
    plt.close(fig)
    return "differences.png"


def _plot_retrieval(run_dir: Path, metrics: dict) -> str | None:
    ret = metrics.get("retrieval") or {}
    if not any(ret.values()):
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for set_name, methods in ret.items():
        for method, vals in methods.items():
            ks = sorted(int(k.split("@")[1]) for k in vals if k.startswith("recall@"))
            ax.plot(ks, [vals[f"recall@{k}"] for k in ks], marker="o", label=f"{set_name}/{method}")
    ax.set_xlabel("k (pages)")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.05)
    ax.set_title("retrieval against gold pages")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(run_dir / "retrieval.png", dpi=100)
    plt.close(fig)
    return "retrieval.png"


def _plot_latency(run_dir: Path, records: list[dict], modes: Sequence[str]) -> str | None:
    data = [[r["latency_s"] for r in records if r["mode"] == m] for m in modes]
    if not any(data):
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.boxplot(data)
    ax.set_xticks(range(1, len(modes) + 1), list(modes))
    ax.set_ylabel("seconds per answer")
    ax.set_title("latency")
    fig.tight_layout()
    fig.savefig(run_dir / "latency.png", dpi=100)
    plt.close(fig)
    return "latency.png"


def _html_page(title: str, md_sections: list[tuple[str, str]], images: list[tuple[str, Path]]) -> str:
    """A self-contained page: Markdown tables rendered as HTML, PNGs inlined."""
    body = [f"<h1>{html.escape(title)}</h1>"]
    for kind, text in md_sections:
        if kind == "h2":
            body.append(f"<h2>{html.escape(text)}</h2>")
        elif kind == "p":
            body.append(f"<p>{html.escape(text)}</p>")
        elif kind == "table":
            lines = [ln for ln in text.splitlines() if ln.strip()]
            head = [c.strip() for c in lines[0].strip("|").split("|")]
            rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[2:]]
            t = ["<table><thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
            t += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows]
            body.append("".join(t) + "</tbody></table>")
    for caption, path in images:
        b64 = base64.b64encode(path.read_bytes()).decode("ascii")
        body.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{b64}">'
                    f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}"
             "td:first-child{text-align:left}img{max-width:100%}")
    return (f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n")


def _write(run_dir: Path, title: str, sections: list[tuple[str, str]], pngs: list[str | None]) -> None:
    md = [f"# {title}", ""]
    for kind, text in sections:
        md += [f"## {text}" if kind == "h2" else text, ""]
    imgs = [p for p in pngs if p]
    md += [f"![{p}]({p})" for p in imgs]
    atomic_write_text(run_dir / "report.md", "\n".join(md) + "\n")
    atomic_write_text(run_dir / "report.html", _html_page(title, sections, [(p, run_dir / p) for p in imgs]))


_FEW_NOTE = (f"Each difference is over the n questions both sides answered; with fewer than {MIN_PAIRS} the "
             f"verdict is \"{TOO_FEW}\" whatever the interval says.")


def _verdict(d: dict) -> str:
    """The verdict of a difference (older metrics.json files have only ``significant``)."""
    if d.get("verdict"):
        return d["verdict"]
    if d.get("n", 0) < MIN_PAIRS or d.get("significant") is None:
        return TOO_FEW
    return "CI excludes 0" if d["significant"] else "no clear difference"


def write_report(run_dir: Path, metrics: dict, records: list[dict]) -> None:
    run_dir = Path(run_dir)
    modes = list(metrics["modes"])
    sections: list[tuple[str, str]] = []
    sets = ", ".join(f"{s['name']} ({s['n']} questions, sha256 {s['sha256'][:12]})" for s in metrics["sets"])
    sections.append(("p", f"Evaluation sets: {sets}. Modes: {', '.join(metrics['requested_modes'])}."
                          + (f" Limited to the first {metrics['limit']} questions per set." if metrics.get("limit") else "")
                          + (f" Generating modes answered the first {metrics['generated_limit']} questions per set;"
                             " differences use the questions both modes answered." if metrics.get("generated_limit") else "")))
    if metrics.get("unavailable_modes"):
        sections.append(("p", "Unavailable modes: " + "; ".join(f"{m}: {r}" for m, r in metrics["unavailable_modes"].items())))
    present = [m for m in _TABLE_METRICS if any(m in metrics["modes"][x] for x in modes)]
    if modes:
        sections.append(("h2", "Answer metrics by mode (mean, 95% bootstrap CI)"))
        rows = []
        for m in present:
            row = [m]
            for mode in modes:
                v = metrics["modes"][mode].get(m)
                ci = metrics.get("ci", {}).get(mode, {}).get(m)
                row.append("—" if v is None else (f"{v:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else f"{v:.3f}"))
            rows.append(row)
        rows.append(["n"] + [metrics["modes"][mode]["n"] for mode in modes])
        sections.append(("table", _md_table(["metric", *modes], rows)))
        for set_name, by_mode in metrics.get("by_set", {}).items():
            if len(metrics.get("by_set", {})) < 2:
                break
            sections.append(("h2", f"Set {set_name}"))
            rows = [[m] + [by_mode.get(mode, {}).get(m) for mode in modes] for m in present]
            sections.append(("table", _md_table(["metric", *modes], rows)))
    nc = metrics.get("not_computed") or {}
    if nc:
        sections.append(("h2", "Not computed"))
        sections.append(("table", _md_table(["metric", "why"], sorted(nc.items()))))
    diffs = metrics.get("differences") or []
    if diffs:
        sections.append(("h2", "Differences between modes (paired BCa bootstrap, 95% CI)"))
        sections.append(("p", _FEW_NOTE))
        rows = [[f"{d['a']} − {d['b']}", d["metric"], d["n"], d["diff"], d["low"], d["high"], _verdict(d)]
                for d in diffs]
        sections.append(("table", _md_table(["pair", "metric", "n", "Δ mean", "low", "high", "verdict"], rows)))
    ret = metrics.get("retrieval") or {}
    if any(ret.values()):
        sections.append(("h2", "Retrieval against gold pages"))
        rows = []
        keys: list[str] = []
        for methods in ret.values():
            for vals in methods.values():
                keys += [k for k in vals if k != "n" and k not in keys]
        for set_name, methods in ret.items():
            for method, vals in methods.items():
                rows.append([set_name, method] + [vals.get(k) for k in keys] + [vals.get("n")])
        sections.append(("table", _md_table(["set", "method", *keys, "n"], rows)))
    elif metrics.get("not_computed_retrieval"):
        sections.append(("p", metrics["not_computed_retrieval"]))
    pngs = [_plot_modes(run_dir, metrics), _plot_diffs(run_dir, metrics), _plot_retrieval(run_dir, metrics),
            _plot_latency(run_dir, records, modes)]
    _write(run_dir, f"tenkan eval {metrics['run_id']}", sections, pngs)


def write_exam_report(run_dir: Path, metrics: dict, records: list[dict]) -> None:
    run_dir = Path(run_dir)
    variants = list(metrics["modes"])
    ex = metrics["exam"]
    scoring = metrics.get("scoring", "generate")
    how = {"loglik": f"log-likelihood of each choice's {metrics.get('loglik_target', 'letter')} after the prompt "
                     "(the top k for questions asking for k answers)",
           "generate": "letters parsed from a generated answer",
           "prediction": "published predictions: comma-separated letters, anything else counts as no answer"}
    sections: list[tuple[str, str]] = [
        ("p", f"Exam file: {ex['path']} ({ex['n']} questions, sha256 {ex['sha256'][:12]}); "
              + (f"{ex['skipped']} skipped (text_only: false)." if scoring != "prediction" else
                 f"all scored, {ex.get('figures', 0)} of them figure questions (text_only: false).")),
        ("p", f"Scoring: {how.get(scoring, scoring)}.")]
    for name, r in (metrics.get("responses") or {}).items():
        sections.append(("p", f"{name}: {r['path']} (sha256 {r['sha256'][:12]}), "
                              f"{r['missing']} question(s) without a prediction (counted wrong)."))
    if metrics.get("formats_not_scored"):
        sections.append(("p", "Formats not scored: " + "; ".join(f"{f}: {why}" for f, why in
                                                                  metrics["formats_not_scored"].items())))
    if metrics.get("unavailable_modes"):
        sections.append(("p", "Unavailable: " + "; ".join(f"{m}: {r}" for m, r in metrics["unavailable_modes"].items())))
    rows = [[v, metrics["modes"][v].get("accuracy"), metrics["modes"][v].get("exact_match"),
             metrics["modes"][v].get("gestalt"), metrics["modes"][v].get("n"), metrics["modes"][v].get("skipped")]
            for v in variants]
    sections.append(("h2", "Scores by generator and prompt format"))
    sections.append(("table", _md_table(["variant", "accuracy", "exact_match", "gestalt", "n", "skipped"], rows)))
    diffs = metrics.get("differences") or []
    if diffs:
        sections.append(("h2", "Differences in accuracy (paired BCa bootstrap, 95% CI)"))
        sections.append(("p", _FEW_NOTE))
        sections.append(("table", _md_table(["pair", "n", "Δ", "low", "high", "verdict"],
                                            [[f"{d['a']} − {d['b']}", d["n"], d["diff"], d["low"], d["high"], _verdict(d)]
                                             for d in diffs])))
    png = None
    if variants:
        plt = _plt()
        fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(variants) + 2), 3.5))
        x = np.arange(len(variants))
        for i, m in enumerate(("accuracy", "exact_match", "gestalt")):
            ax.bar(x + (i - 1) * 0.27, [metrics["modes"][v].get(m) or 0 for v in variants], 0.27, label=m)
        ax.set_xticks(x, variants, rotation=20, ha="right")
        ax.set_ylim(0, 1.05)
        ax.legend(fontsize=8)
        ax.set_title("exam scores")
        fig.tight_layout()
        fig.savefig(run_dir / "exam.png", dpi=100)
        plt.close(fig)
        png = "exam.png"
    _write(run_dir, f"tenkan eval --exam {metrics['run_id']}", sections, [png])
