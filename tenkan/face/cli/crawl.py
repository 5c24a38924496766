"""``tenkan crawl``: crawl the configured sites into the corpus (SQLite state + documents JSONL)."""

from __future__ import annotations

import json

from ingest.corpus import documents_file
from ingest.jobs import crawl
from ingest.summary import EXIT_LOCKED
from tenkan.errors import ConfigError, LockedError

NAME = "crawl"
HELP = "crawl the configured sites into the corpus (SQLite state + documents JSONL)"
DESCRIPTION = """\
Crawl the sites named by the ingest.sites setting (default: the bundled demo site,
which `tenkan serve-site` serves on 127.0.0.1:8765) into <home>/corpus/:
crawl.sqlite (crawl state and every document version), documents.jsonl (current
documents) and manifest.json. Pages already crawled are asked for with conditional
GET; --full downloads and extracts everything again.

Exit codes: 0 ok; 1 configuration or other error; 3 a site failed completely or
nothing could be fetched; 4 another crawl/refresh holds the workspace lock.
"""


def add_arguments(p) -> None:
    p.add_argument("--site", action="append", dest="sites", metavar="NAME",
                   help="crawl this site of the sites file instead of ingest.sites (repeatable)")
    p.add_argument("--sites-file", metavar="FILE", help="sites TOML file (default: ingest.sites_file or data/sites.toml)")
    p.add_argument("--mirror", action="append", metavar="CONFIGURED=ACTUAL",
                   help="fetch URLs under CONFIGURED from ACTUAL while documents keep the configured URLs, "
                        "e.g. http://127.0.0.1:8765=http://127.0.0.1:9000 (repeatable; adds to ingest.mirror)")
    p.add_argument("--full", action="store_true", help="ignore ETag/Last-Modified: download and extract every page again")
    p.add_argument("--json", action="store_true", help="print the run summary as one JSON object")


def apply_common(args, cfg) -> None:
    """Map --site/--sites-file/--mirror onto the ingest config (shared with `refresh`)."""
    from dataclasses import replace


    ing = cfg.ingest
    changes = {}
    if getattr(args, "sites", None):
        changes["sites"] = list(args.sites)
    if getattr(args, "sites_file", None):
        changes["sites_file"] = args.sites_file
    if getattr(args, "mirror", None):
        mirror = dict(ing.mirror)
        for m in args.mirror:
            if "=" not in m:
                raise ConfigError(f"--mirror {m!r} must look like CONFIGURED=ACTUAL")
            k, v = m.split("=", 1)
            mirror[k.strip()] = v.strip()
        changes["mirror"] = mirror
    if changes:
        try:
            cfg.ingest = replace(ing, **changes)
        except ValueError as exc:
            raise ConfigError(f"[ingest] {exc}") from exc


def run_job(job, as_json: bool):
    """Run a crawl/refresh ``job()`` and print its summary (one JSON object with --json).

    Returns ``(summary, exit code)``; when another run holds the workspace lock the
    summary is None and the code is EXIT_LOCKED (shared with `refresh`)."""
    import sys


    try:
        summary = job()
    except LockedError as exc:
        print(f"tenkan: {exc}", file=sys.stderr)
        return None, EXIT_LOCKED
    print(json.dumps(summary.to_dict(), ensure_ascii=False) if as_json else summary.format())
    return summary, summary.exit_code


def run(args, ctx) -> int:
    cfg = ctx.config
    apply_common(args, cfg)
    summary, code = run_job(lambda: crawl(cfg, ctx.workspace, full=args.full), args.json)
    if summary is not None and not args.json:
        print(f"corpus: {documents_file(ctx.workspace)}")
    return code
