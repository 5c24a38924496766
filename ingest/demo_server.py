"""A small HTTP server for the bundled demo site (``data/demo_site``).

It behaves like a real web server where the crawler cares: ``Content-Type``
with the charset each page declares in its ``<meta>`` tag (so the Shift_JIS and
EUC-JP pages arrive as a real Japanese site would send them), ``ETag`` and
``Last-Modified`` with conditional GET (304), a 301 redirect for a moved page,
404 for missing ones, and ``robots.txt`` / ``sitemap.xml``. Files whose name
starts with ``_`` (templates, notes) are not served. It binds to loopback only.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import mimetypes
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tenkan.paths import DEMO_SITE_DIR

__all__ = ["DemoSiteServer", "REDIRECTS", "DEFAULT_PORT"]

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
#: The address the demo site's own files (sitemap.xml) are written for.
CANONICAL_BASE = f"http://127.0.0.1:{DEFAULT_PORT}"
#: Moved pages: old path → new path (answered with 301).
REDIRECTS = {"/life/first-aid-old.html": "/life/first-aid.html"}

_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", re.I)


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head[:2048])
    return m.group(1).decode("ascii") if m else None


class _Handler(BaseHTTPRequestHandler):
    server_version = "tenkan-demo/0.1"
    root: Path  # set on the subclass made per server
    base_url: str

    def log_message(self, fmt: str, *args) -> None:  # route to logging, quietly
        log.debug("%s %s", self.address_string(), fmt % args)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _resolve(self, path: str) -> Path | None:
        if path.endswith("/"):
            path += "index.html"
        rel = Path(unquote(path).lstrip("/"))
        if any(part.startswith((".", "_")) for part in rel.parts):
            return None
        target = (self.root / rel).resolve()
        if self.root not in target.parents and target != self.root:
            return None
        return target if target.is_file() else None

    def _serve(self, head: bool) -> None:
        path = urlsplit(self.path).path or "/"
        if path in REDIRECTS:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", REDIRECTS[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = self._resolve(path)
        if target is None:
            body = "<html><body><h1>404 Not Found</h1></body></html>".encode()
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
            return
        data = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".html", ".htm"):
            ctype = f"text/html; charset={_declared_charset(data) or 'utf-8'}"
        elif target.suffix in (".xml", ".txt"):
            # sitemap.xml and robots.txt name absolute URLs: follow the real port
            data = data.replace(CANONICAL_BASE.encode(), self.base_url.encode())
            ctype = ("application/xml" if target.suffix == ".xml" else "text/plain") + "; charset=utf-8"
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        mtime = int(target.stat().st_mtime)
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = False
        if inm is not None:
            not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims:
            try:
                not_modified = email.utils.parsedate_to_datetime(ims).timestamp() >= mtime
            except (TypeError, ValueError):
                not_modified = False
        if not_modified:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        if not head:
            self.wfile.write(data)


class DemoSiteServer:
    """Serve a site directory on 127.0.0.1 in a background thread.

    >>> with DemoSiteServer(port=0) as srv:   # port 0 = any free port
    ...     srv.base_url
    'http://127.0.0.1:...'
    """

    def __init__(self, root: str | Path = DEMO_SITE_DIR, host: str = "127.0.0.1", port: int = DEFAULT_PORT):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the demo site server binds to loopback only")
        self.root = Path(root).resolve()
        if not (self.root / "index.html").is_file():
            raise FileNotFoundError(f"no index.html in {self.root}: not a site directory")
        handler = type("Handler", (_Handler,), {"root": self.root, "base_url": ""})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        handler.base_url = self.base_url
        self._thread: threading.Thread | None = None

    def start(self) -> "DemoSiteServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        log.info("demo site %s served at %s/", self.root, self.base_url)
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "DemoSiteServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
