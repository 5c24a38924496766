"""ingest stage: crawl configured sites into the corpus and keep it fresh.

Entry points (docs/ARCHITECTURE.md): :func:`crawl` and
:func:`load_documents` (the refresh job that also updates the index is the face's:
``tenkan.face.refresh``). Heavy modules (trafilatura, lxml, urllib3, datasketch)
load when these are called.
"""

from __future__ import annotations

__all__ = ["crawl", "load_documents", "CrawlSummary", "DemoSiteServer"]


def __getattr__(name: str):
    if name == "crawl":
        from ingest.jobs import crawl

        return crawl
    if name == "load_documents":
        from ingest.corpus import load_documents

        return load_documents
    if name == "CrawlSummary":
        from ingest.summary import CrawlSummary

        return CrawlSummary
    if name == "DemoSiteServer":
        from ingest.demo_server import DemoSiteServer

        return DemoSiteServer
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")
