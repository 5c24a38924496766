"""ingest stage: crawl configured sites into the corpus and keep it fresh.

Entry points (docs/ARCHITECTURE.md): :func:`crawl`; the corpus is read only through
:func:`load_documents`, :func:`read_corpus_manifest` and :func:`last_run_summary`
(``ingest.corpus``: nobody else opens ``corpus/`` files by path). The refresh job that
also updates the index is the face's (``tenkan.face.refresh``).

Deferred on purpose: trafilatura and lxml (extraction), datasketch (near-duplicates),
urllib3 (the fetcher) and pdfminer (only in the PDF child process) are imported inside
the functions that use them, so importing ingest, and ``tenkan --help``, loads none of
them. Every module of ours is imported at the top.
"""

from __future__ import annotations

from ingest.corpus import CorpusManifest, has_corpus, last_run_summary, load_documents, read_corpus_manifest
from ingest.demo_server import DemoSiteServer
from ingest.jobs import crawl
from ingest.summary import CrawlSummary

__all__ = ["crawl", "load_documents", "read_corpus_manifest", "CorpusManifest", "has_corpus", "last_run_summary",
           "CrawlSummary", "DemoSiteServer"]
