"""Running the app with uvicorn: :func:`serve` for ``tenkan serve`` (blocks; SIGTERM or
Ctrl-C shut it down gracefully) and :class:`ServerThread` (a real server on a free
loopback port in a background thread, for tests and benchmarks)."""

from __future__ import annotations

import socket
import threading
import time

__all__ = ["serve", "ServerThread", "uvicorn_config"]


def uvicorn_config(app, cfg, host: str, port: int):
    import logging

    import uvicorn

    # tenkan.face.server.access is the access log; uvicorn's own would repeat every line
    logging.getLogger("uvicorn.access").propagate = False
    return uvicorn.Config(app, host=host, port=port, access_log=False, log_config=None, lifespan="on",
                          timeout_graceful_shutdown=cfg.serve.shutdown_timeout, server_header=False)


def serve(app, cfg, host: str, port: int) -> None:
    """Serve until SIGTERM or Ctrl-C; both stop accepting and let running requests finish.

    uvicorn re-raises the signal once it has shut down; a no-op SIGTERM handler makes a
    requested stop a normal exit (status 0), which is what service managers expect."""
    import signal

    import uvicorn

    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.Server(uvicorn_config(app, cfg, host, port)).run()
    finally:
        signal.signal(signal.SIGTERM, previous)


class ServerThread:
    """``with ServerThread(app, cfg) as srv: srv.url`` -- serves ``app`` on 127.0.0.1:<free port>."""

    def __init__(self, app, cfg, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        self.server = uvicorn.Server(uvicorn_config(app, cfg, host, self.port))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True,
                                       name="tenkan-serve")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> "ServerThread":
        self.thread.start()
        t = time.monotonic()
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() - t > timeout:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful: stop accepting, let running requests finish, run the lifespan shutdown."""
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
