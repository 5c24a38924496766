"""HTTP fetching for the crawler: per-host rate limits, time limits, size
limits, manual redirects (loops and off-site hops are refused), retries on
429/5xx honouring ``Retry-After``, conditional GET, and the mirror mapping.

URLs inside the crawler are always the *configured* ones (what documents
record); :class:`Fetcher` rewrites them to the mirror address only on the wire
and maps every URL that comes back (redirect targets) to the configured form.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit

from tenkan.errors import FetchError, FetchTimeout

__all__ = ["Fetcher", "Response", "HostLimiter", "MirrorMap", "TooLargeError"]

log = logging.getLogger(__name__)

_RETRY_STATUS = {429, 500, 502, 503, 504}
#: bodies of these types may be PDF documents: they get ``pdf_max_bytes`` instead of ``max_bytes``
_PDF_LIMIT_TYPES = ("application/pdf", "application/x-pdf", "application/acrobat", "applications/vnd.pdf",
                    "application/octet-stream", "binary/octet-stream")


class TooLargeError(FetchError):
    """The body is over the size limit; ``pdf`` says whether the PDF limit applied."""

    def __init__(self, message: str, pdf: bool = False):
        super().__init__(message)
        self.pdf = pdf


class MirrorMap:
    """Configured base URL ↔ the address actually fetched (``ingest.mirror``)."""

    def __init__(self, mapping: dict[str, str] | None = None):
        self.pairs = [(b.rstrip("/"), a.rstrip("/")) for b, a in (mapping or {}).items()]

    def to_wire(self, url: str) -> str:
        for base, actual in self.pairs:
            if url == base or url.startswith(base + "/"):
                return actual + url[len(base):]
        return url

    def from_wire(self, url: str) -> str:
        for base, actual in self.pairs:
            if url == actual or url.startswith(actual + "/"):
                return base + url[len(actual):]
        return url


class HostLimiter:
    """At most one request start per ``interval`` seconds for one host (thread-safe)."""

    def __init__(self, interval: float = 0.0):
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        delay = start - now
        if delay > 0:
            time.sleep(delay)

    def push_back(self, seconds: float) -> None:
        """Delay every later request (a 429/503 Retry-After applies to the whole host)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)


@dataclass
class Response:
    url: str  # final URL, configured form
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)  # URLs left by redirect, in order

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Fetcher:
    """One per crawl run; safe to share between worker threads."""

    def __init__(self, cfg, user_agent: str, mirror: MirrorMap | None = None, concurrency: int = 4):
        import urllib3

        self.cfg = cfg
        self.user_agent = user_agent
        self.mirror = mirror or MirrorMap()
        self._urllib3 = urllib3
        self.pool = urllib3.PoolManager(num_pools=16, maxsize=max(1, concurrency), retries=False, block=False)
        self._limiters: dict[str, HostLimiter] = {}
        self._lock = threading.Lock()

    def limiter(self, host: str) -> HostLimiter:
        with self._lock:
            return self._limiters.setdefault(host, HostLimiter())

    def set_interval(self, host: str, interval: float) -> None:
        self.limiter(host).interval = interval

    # -- one request --------------------------------------------------------
    def _once(self, url: str, headers: dict[str, str], max_bytes: int,
              pdf_max_bytes: int | None = None) -> tuple[int, dict[str, str], bytes]:
        u3 = self._urllib3
        host = urlsplit(url).netloc.lower()
        self.limiter(host).wait()
        wire = self.mirror.to_wire(url)
        t = self.cfg.timeout_s
        deadline = time.monotonic() + t
        try:
            r = self.pool.request(
                "GET", wire, headers=headers, redirect=False, retries=False, preload_content=False,
                timeout=u3.Timeout(connect=t, read=t),
            )
        except u3.exceptions.MaxRetryError as exc:  # retries=False still wraps some errors
            if isinstance(exc.reason, (u3.exceptions.TimeoutError, TimeoutError)):
                raise FetchTimeout(f"timed out after {t:g} s (no response)", "connect") from exc
            raise FetchError(f"connection failed: {exc.reason}") from exc
        except (u3.exceptions.TimeoutError, TimeoutError) as exc:
            raise FetchTimeout(f"timed out after {t:g} s (no response)", "connect") from exc
        except (u3.exceptions.HTTPError, OSError) as exc:
            raise FetchError(f"connection failed: {exc}") from exc
        complete = False
        try:
            hdrs = {k.lower(): v for k, v in r.headers.items()}
            clen = hdrs.get("content-length", "")
            pdf = bool(pdf_max_bytes) and hdrs.get("content-type", "").split(";")[0].strip().lower() in _PDF_LIMIT_TYPES
            setting = "pdf_max_bytes" if pdf else "max_bytes"
            if pdf:
                max_bytes = pdf_max_bytes
            if r.status == 200 and clen.isdigit() and int(clen) > max_bytes:
                raise TooLargeError(f"too large: Content-Length {int(clen)} bytes > {setting} {max_bytes}", pdf)
            chunks: list[bytes] = []
            size = 0
            if r.status in (200, 203) or r.status >= 400:
                limit = max_bytes if r.status < 400 else 65536
                while True:
                    if time.monotonic() > deadline:
                        raise FetchTimeout(f"timed out after {t:g} s (response too slow)", "too slow")
                    try:
                        chunk = r.read1(65536)
                    except (u3.exceptions.ReadTimeoutError, TimeoutError) as exc:
                        raise FetchTimeout(f"timed out after {t:g} s (response stalled)", "stalled") from exc
                    except (u3.exceptions.HTTPError, OSError) as exc:
                        raise FetchError(f"connection broke while reading: {exc}") from exc
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit:
                        if r.status >= 400:
                            break
                        raise TooLargeError(f"too large: more than {setting} {max_bytes} bytes", pdf)
                    chunks.append(chunk)
            complete = True
            return r.status, hdrs, b"".join(chunks)
        finally:
            if complete and r.status in (200, 203, 304):
                r.release_conn()
            else:  # unread or partly read body: drop the connection, never wait for it
                r.close()
                r.release_conn()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allowed: Callable[[str], str | None] | None = None,
        max_bytes: int | None = None,
        retries: int | None = None,
        pdf_max_bytes: int | None = None,
    ) -> Response:
        """GET ``url`` following redirects; raise :class:`FetchError` with the reason on failure.

        ``allowed(url)`` is asked about every redirect target (None = allowed, else the
        reason). 4xx/5xx responses that are not retried come back as a Response.
        ``pdf_max_bytes`` (None: PDFs are not wanted) replaces ``max_bytes`` for bodies served as PDF
        (or as ``application/octet-stream``, which the caller checks for a PDF header).
        """
        max_bytes = max_bytes or self.cfg.max_bytes
        retries = self.cfg.max_retries if retries is None else retries
        headers = {"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                   "Accept-Language": "ja,en;q=0.5", "Accept-Encoding": "gzip, deflate"}
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        current = url
        chain: list[str] = []
        attempt = 0
        while True:
            try:
                status, hdrs, body = self._once(current, {**headers, **(conditional if not chain else {})}, max_bytes,
                                                pdf_max_bytes)
            except FetchError as exc:
                if isinstance(exc, FetchTimeout) and exc.phase != "too slow" and attempt < retries:
                    attempt += 1
                    log.info("%s: %s; retry %d/%d", current, exc, attempt, retries)
                    continue
                raise
            if status in (301, 302, 303, 307, 308):
                loc = hdrs.get("location")
                if not loc:
                    raise FetchError(f"{status} redirect without a Location header")
                target = self.mirror.from_wire(urljoin(self.mirror.to_wire(current), loc.strip()))
                target = target.split("#", 1)[0]
                chain.append(current)
                if target in chain or target == current:
                    raise FetchError(f"redirect loop ({' → '.join(chain + [target])})")
                if len(chain) > self.cfg.max_redirects:
                    raise FetchError(f"too many redirects (more than max_redirects {self.cfg.max_redirects}; likely a loop)")
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchError(f"redirect to a non-HTTP URL {target}")
                if allowed is not None:
                    why = allowed(target)
                    if why:
                        raise FetchError(f"redirect to {target} refused: {why}")
                current = target
                continue
            if status in _RETRY_STATUS:
                wait = _retry_after(hdrs.get("retry-after"))
                host = urlsplit(current).netloc.lower()
                if wait is not None and wait > self.cfg.max_retry_after_s:
                    raise FetchError(
                        f"{status} with Retry-After {wait:.0f} s (longer than max_retry_after_s "
                        f"{self.cfg.max_retry_after_s:g}); kept for the next run"
                    )
                if attempt < retries:
                    attempt += 1
                    wait = wait if wait is not None else min(0.5 * 2 ** (attempt - 1), 5.0)
                    self.limiter(host).push_back(wait)
                    log.info("%s: HTTP %d; retry %d/%d after %.1f s", current, status, attempt, retries, wait)
                    continue
                raise FetchError(f"HTTP {status} after {attempt + 1} attempt(s)")
            return Response(url=current, status=status, headers=hdrs, body=body, redirects=chain)

    def close(self) -> None:
        self.pool.clear()
