"""``tenkan index``: build or update the search index from the corpus."""

from __future__ import annotations

import json

from index import build, open_index
from tenkan.vocab import METHODS

NAME = "index"
HELP = "build or update the search index from the corpus"
DESCRIPTION = """\
Build or update the hybrid (BM25 + dense) index from the crawled corpus
(<home>/corpus/documents.jsonl). Incremental by default: unchanged documents
keep their vectors, changed and new ones are embedded, removed ones dropped; the
new generation replaces the old one atomically. When nothing changed, nothing is
written. Use --full to rebuild from scratch (needed after changing the embedder).

examples:
  tenkan index
  tenkan index --full --set index.embedder=use-m3
  tenkan index --search "発作が5分以上続いたら？" --method hybrid -k 5
"""


def add_arguments(p) -> None:
    p.add_argument("--full", action="store_true", help="rebuild everything instead of updating incrementally")
    p.add_argument("--json", action="store_true", help="print the build summary (or search hits) as JSON")
    p.add_argument("--search", metavar="QUERY", help="search the existing index instead of building")
    p.add_argument("--method", choices=METHODS, default=None,
                   help="retrieval method for --search (default: index.method)")
    p.add_argument("-k", type=int, default=None, help="number of hits for --search (default: index.top_k)")
    p.add_argument("--info", action="store_true", help="print the live index's manifest summary and exit")


def run(args, ctx) -> int:
    cfg, ws = ctx.config, ctx.workspace
    if args.search or args.info:
        retriever = open_index(ws, cfg)
        if args.info:
            m = retriever.manifest
            info = {"generation": m.get("generation"), "path": str(retriever.path), "embedder": m["embedder"],
                    "chunks": m["chunks"], "documents": m.get("documents"), "faiss_index": m.get("faiss_index"),
                    "created": m.get("created")}
            print(json.dumps(info, ensure_ascii=False, indent=None if args.json else 2))
            return 0
        hits = retriever.search(args.search, k=args.k, method=args.method)
        if args.json:
            print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False))
        else:
            for h in hits:
                head = " > ".join(h.headings)
                print(f"[{h.rank}] {h.score:.4f} {h.chunk_id}  {h.title}{'  — ' + head if head else ''}\n    {h.url}")
                print("    " + h.text[:160].replace("\n", " ") + ("…" if len(h.text) > 160 else ""))
        return 0
    summary = build(cfg, ws, full=args.full)
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False))
    elif not summary.changed:
        print(f"index unchanged (gen-{summary.generation}, {summary.chunks} chunks, {summary.embedder}): "
              f"{summary.reason}")
    else:
        print(f"index gen-{summary.generation}: {summary.documents} documents "
              f"({summary.added_docs} new, {summary.changed_docs} changed, {summary.removed_docs} removed, "
              f"{summary.unchanged_docs} unchanged), {summary.chunks} chunks "
              f"({summary.embedded_chunks} embedded, {summary.reused_chunks} reused) with {summary.embedder} "
              f"[{summary.dim}-d] in {summary.seconds:.1f}s\n  {summary.path}")
    return 0
