"""``tenkan serve-site``: serve the bundled demo site on loopback until interrupted."""

from __future__ import annotations

from ingest.demo_server import DEFAULT_PORT, DemoSiteServer
from tenkan.paths import DEMO_SITE_DIR

NAME = "serve-site"
HELP = "serve the bundled demo site on 127.0.0.1:8765 (the address data/sites.toml names)"


def add_arguments(p) -> None:
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s; 0 = any free port)")
    p.add_argument("--root", default=None, help="site directory (default: data/demo_site)")


def run(args, ctx) -> int:
    srv = DemoSiteServer(root=args.root or DEMO_SITE_DIR, port=args.port)
    print(f"serving {srv.root} at {srv.base_url}/  (Ctrl-C to stop)", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.httpd.server_close()
    return 0
