"""How two URLs are found to name the same page: :func:`page_key`.

Gold pages are URLs in the question sets (``http://127.0.0.1:8765/life/bathing.html``) while
the index stores the URL the crawl saw (another port, maybe a canonical form), so pages are
compared by *path*: scheme, host, port and fragment are ignored, ``/dir/index.html`` equals
``/dir/`` (and ``/dir``), and a query string is kept. The one URL normaliser of the code base:
retrieval metrics (eval), the evaluation-set checks and the benchmarks all use it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["page_key"]


def page_key(url: str) -> str:
    """The path that identifies ``url``'s page (``/life/bathing.html``); '' for an empty URL."""
    if not url:
        return ""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    if len(path) > 1 and not path.endswith(".html"):
        path = path.rstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")
