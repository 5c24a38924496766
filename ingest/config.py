"""Settings of the ingest stage (crawl and refresh).

Per-site settings (start URLs, allow/deny patterns, rate limit, ...) live in the
sites file (``data/sites.toml``, see :mod:`ingest.sites`); this dataclass holds
what applies to every site and to the run as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from tenkan.config import option


@dataclass
class IngestConfig:
    sites_file: str = option("", "TOML file of sites to crawl; empty = the bundled data/sites.toml")
    sites: list[str] = option(["demo"], "names of the sites (tables in the sites file) to crawl")
    user_agent: str = option(
        "tenkan-crawler/0.1 (+https://example.invalid/tenkan; research crawler for epilepsy QA)",
        "User-Agent header and the name robots.txt rules are matched against",
    )
    timeout_s: float = option(
        10.0,
        "time limit of one HTTP request from connect to the last byte, robots.txt and sitemaps included (seconds)",
    )
    max_bytes: int = option(5_000_000, "pages larger than this are skipped")
    min_text_chars: int = option(80, "pages whose extracted text is shorter are skipped as empty")
    pdf_max_bytes: int = option(
        20_000_000, "PDF documents larger than this are skipped (sites with pdf = true; HTML pages keep max_bytes)"
    )
    pdf_max_pages: int = option(300, "pages read per PDF document; later pages are left out (noted in the run summary)")
    pdf_timeout_s: float = option(
        60.0, "time limit for reading one PDF (a separate process, stopped when it runs over; seconds)"
    )
    pdf_max_memory_mb: int = option(
        1024, "memory limit of the process that reads one PDF (a decompression bomb stops there; MB)"
    )
    mirror: dict[str, str] = option(
        {},
        "fetch URLs under a configured base from another address while documents keep the configured URLs, "
        'e.g. {"http://127.0.0.1:8765" = "http://127.0.0.1:54321"} (tests, staging copies of a site)',
    )
    max_redirects: int = option(5, "redirect hops followed per page; more is reported as a redirect loop")
    max_retries: int = option(2, "retries of a page answered 429/503 with an acceptable Retry-After (or 5xx/timeout)")
    max_retry_after_s: float = option(
        30.0, "longest Retry-After the crawler waits for; longer ones fail the page for this run"
    )
    rate_limits: bool = option(
        True,
        "honour per-site rate_limit_s and robots.txt Crawl-delay; turn off only for your own server (benchmarks)",
    )
    tombstone_after: int = option(
        3, "a page answered 404/410 on this many consecutive runs is tombstoned (removed from the corpus)"
    )
    near_duplicate_threshold: float = option(
        0.9, "estimated Jaccard similarity (MinHash over character 5-grams) at which two pages count as duplicates"
    )
    update_index: bool = option(True, "`tenkan refresh` updates the index when the corpus changed")

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be > 0")
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be > 0")
        if self.min_text_chars < 0:
            raise ValueError("min_text_chars must be >= 0")
        if self.pdf_max_bytes <= 0 or self.pdf_max_pages < 1 or self.pdf_timeout_s <= 0:
            raise ValueError("pdf_max_bytes, pdf_max_pages and pdf_timeout_s must be > 0")
        if self.pdf_max_memory_mb < 128:
            raise ValueError("pdf_max_memory_mb must be >= 128 (the reader itself needs about 60 MB)")
        if not self.sites:
            raise ValueError("sites must name at least one site of the sites file")
        if self.max_redirects < 0 or self.max_retries < 0:
            raise ValueError("max_redirects and max_retries must be >= 0")
        if self.max_retry_after_s < 0:
            raise ValueError("max_retry_after_s must be >= 0")
        if self.tombstone_after < 1:
            raise ValueError("tombstone_after must be >= 1")
        if not 0.5 <= self.near_duplicate_threshold <= 1.0:
            raise ValueError("near_duplicate_threshold must be between 0.5 and 1.0")
        for base, actual in self.mirror.items():
            for u in (base, actual):
                if not isinstance(u, str) or urlsplit(u).scheme not in ("http", "https") or not urlsplit(u).netloc:
                    raise ValueError(f"mirror entry {base!r} = {actual!r}: both sides must be http(s)://host[:port] URLs")


class IngestSettings(Protocol):
    """What the ingest stage reads of the composed settings (``tenkan.face.config.TenkanConfig``)."""

    ingest: IngestConfig
