"""``tenkan refresh``: re-crawl incrementally and update the index; for cron (exit non-zero on failure)."""

from __future__ import annotations

import logging

from tenkan.face.cli.crawl import add_arguments as crawl_args
from tenkan.face.cli.crawl import apply_common, run_job
from tenkan.face.refresh import refresh

NAME = "refresh"
HELP = "re-crawl incrementally and update the index; for cron (exit non-zero on failure)"
DESCRIPTION = """\
Re-crawl the configured sites with conditional GET (unchanged pages cost a 304 and
no extraction), store new document versions, tombstone pages gone (404/410) for
ingest.tombstone_after consecutive runs, then update the index when anything
changed (`index: unchanged` in the summary means it was not rebuilt).

A lock (<home>/.corpus.lock) keeps two runs from overlapping; it frees itself when
its process dies, even on SIGKILL. The run summary goes to stdout (--json: one JSON
object with integer keys fetched, unchanged, changed, new, removed, failed, ...)
and to <home>/corpus/runs/<run-id>.json.

Exit codes: 0 ok (single pages may have failed: see `failed` and the reasons);
1 configuration or other error; 3 a site failed completely (e.g. robots.txt
unreachable) or nothing could be fetched; 4 another crawl/refresh is running;
5 the corpus was refreshed but the index update failed.
"""

log = logging.getLogger("tenkan.refresh")


def add_arguments(p) -> None:
    crawl_args(p)
    p.add_argument("--no-index", action="store_true", help="refresh the corpus only; leave the index as it is")


def run(args, ctx) -> int:
    cfg = ctx.config
    apply_common(args, cfg)
    summary, code = run_job(
        lambda: refresh(cfg, ctx.workspace, update_index=False if args.no_index else None, full=args.full), args.json)
    if summary is not None and code:
        why = ", ".join(f"{n}: {summary.sites[n].reason}" for n in summary.failed_sites) or \
            ("nothing could be fetched" if not summary.fetched else summary.index)
        log.error("refresh failed (exit %d): %s", code, why)
    return code
