"""The evaluation gate: score floors for the demo set in ``data/eval/baseline.json``.

``python -m eval.gate`` reads a run's ``metrics.json`` (``--run DIR``, default the
newest run in the workspace that evaluated the demo set) and exits 1 when any
metric is below its floor, or when the demo set changed since the floors were
set (its sha256 is frozen in the baseline). Floors name metrics by path:

* ``retrieval.<method>.recall@5`` -- from ``metrics["retrieval"]["demo"]``;
* ``<mode>.<metric>`` -- from ``metrics["by_set"]["demo"]`` (e.g. ``rag-ft.grounded``).

Changing floors: ``--set-floor METRIC=VALUE`` raises freely; lowering one
needs ``--allow-lower --reason "..."`` and is recorded in the file's history.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path

from tenkan.errors import EvalError, TenkanError
from tenkan.manifest import atomic_write_json
from tenkan.paths import EVAL_DIR, Workspace

__all__ = ["BASELINE", "load_baseline", "lookup", "check", "set_floor", "latest_run", "main"]

BASELINE = EVAL_DIR / "baseline.json"


def load_baseline(path: str | Path = BASELINE) -> dict:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"baseline {path} does not exist")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data.get("floors"), dict):
        raise EvalError(f"baseline {path} has no 'floors' table")
    return data


def lookup(metrics: dict, name: str, set_name: str = "demo") -> float | None:
    """Value of a floor's metric path in a run's metrics (None when absent)."""
    head, _, rest = name.partition(".")
    if head == "retrieval":
        method, _, key = rest.partition(".")
        return (metrics.get("retrieval", {}).get(set_name, {}).get(method) or {}).get(key)
    return (metrics.get("by_set", {}).get(set_name, {}).get(head) or {}).get(rest)


def check(metrics: dict, baseline: dict) -> list[dict]:
    """One row per floor: metric, floor, value, ok (missing values fail)."""
    set_name = baseline.get("set", "demo")
    rows = []
    want = baseline.get("eval_set_sha256")
    got = next((s.get("sha256") for s in metrics.get("sets", []) if s.get("name") == set_name), None)
    if want and got and want != got:
        rows.append({"metric": f"{set_name} sha256", "floor": want[:12], "value": got[:12], "ok": False,
                     "why": "the evaluation set changed since the floors were set; re-baseline with --set-floor"})
    for name, spec in baseline["floors"].items():
        floor = spec["value"] if isinstance(spec, dict) else float(spec)
        value = lookup(metrics, name, set_name)
        rows.append({"metric": name, "floor": floor, "value": value,
                     "ok": value is not None and value >= floor - 1e-12,
                     "why": "" if value is not None else "not in this run"})
    return rows


def set_floor(baseline: dict, name: str, value: float, *, allow_lower: bool = False, reason: str = "") -> dict:
    """Return ``baseline`` with the floor set; lowering needs the flag and a reason."""
    floors = baseline.setdefault("floors", {})
    old = floors.get(name)
    old_v = old["value"] if isinstance(old, dict) else old
    if old_v is not None and value < old_v:
        if not allow_lower:
            raise EvalError(f"lowering the floor of {name} from {old_v} to {value} needs --allow-lower and --reason")
        if not reason.strip():
            raise EvalError(f"lowering the floor of {name} needs a --reason")
    entry = dict(old) if isinstance(old, dict) else {}
    entry["value"] = value
    if reason:
        entry["reason"] = reason
    floors[name] = entry
    baseline.setdefault("history", []).append({
        "date": _dt.date.today().isoformat(), "metric": name, "from": old_v, "to": value,
        "reason": reason or ("raised" if old_v is not None and value >= old_v else "new floor")})
    return baseline


def latest_run(ws: Workspace, set_name: str = "demo") -> Path | None:
    """Newest run directory whose metrics.json evaluated ``set_name``."""
    root = ws.runs_dir()
    if not root.is_dir():
        return None
    cands = []
    for m in root.glob("*/metrics.json"):
        try:
            data = json.loads(m.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if data.get("kind") == "questions" and any(s.get("name") == set_name for s in data.get("sets", [])):
            cands.append((m.stat().st_mtime, m.parent))
    return max(cands)[1] if cands else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.gate", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", metavar="DIR", help="run directory (default: newest demo-set run in the workspace)")
    ap.add_argument("--home", metavar="DIR", help="workspace (default: $TENKAN_HOME or ./var)")
    ap.add_argument("--baseline", default=str(BASELINE), metavar="FILE")
    ap.add_argument("--set-floor", action="append", default=[], metavar="METRIC=VALUE",
                    help="set a floor (VALUE may be 'run-MARGIN' to take the run's value minus MARGIN)")
    ap.add_argument("--allow-lower", action="store_true", help="permit lowering a floor (needs --reason)")
    ap.add_argument("--reason", default="", help="why a floor changes (recorded in the baseline)")
    args = ap.parse_args(argv)
    try:
        baseline = load_baseline(args.baseline)
        run = Path(args.run) if args.run else latest_run(Workspace.from_home(args.home), baseline.get("set", "demo"))
        metrics = None
        if run is not None:
            mp = run / "metrics.json"
            if not mp.is_file():
                raise EvalError(f"{run} has no metrics.json")
            metrics = json.loads(mp.read_text(encoding="utf-8"))
        if args.set_floor:
            for assignment in args.set_floor:
                name, _, raw = assignment.partition("=")
                if raw.startswith("run"):
                    if metrics is None:
                        raise EvalError("'run-MARGIN' needs a run", hint="pass --run DIR")
                    v = lookup(metrics, name, baseline.get("set", "demo"))
                    if v is None:
                        raise EvalError(f"{name} is not in {run}")
                    margin = float(raw[3:] or 0)
                    value = round(v + margin, 3) if raw[3:4] in "+-" else round(v, 3)
                else:
                    value = float(raw)
                set_floor(baseline, name, value, allow_lower=args.allow_lower, reason=args.reason)
            if metrics is not None:
                sha = next((s["sha256"] for s in metrics.get("sets", []) if s["name"] == baseline.get("set", "demo")), None)
                if sha:
                    baseline["eval_set_sha256"] = sha
                baseline["measured_run"] = metrics.get("run_id")
            atomic_write_json(args.baseline, baseline)
            print(f"updated {args.baseline}")
            return 0
        if metrics is None:
            raise EvalError("no evaluation run of the demo set found", hint="tenkan eval (then python -m eval.gate)")
        rows = check(metrics, baseline)
    except TenkanError as exc:
        print(f"eval.gate: error: {exc}", file=sys.stderr)
        return 2
    for r in rows:
        v = "missing" if r["value"] is None else (f"{r['value']:.3f}" if isinstance(r["value"], float) else r["value"])
        f = f"{r['floor']:.3f}" if isinstance(r["floor"], float) else r["floor"]
        print(f"{'PASS' if r['ok'] else 'FAIL'}  {r['metric']:<28} {v:>9} (floor {f}) {r['why']}")
    failed = [r for r in rows if not r["ok"]]
    print(f"eval gate: {'FAILED' if failed else 'passed'} ({len(rows) - len(failed)}/{len(rows)}) on {run}")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
