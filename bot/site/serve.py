"""Serving a built site on 127.0.0.1, for a local look with search (which a `file://` page cannot load).

The standard library's file server, bound to the loopback address only, with
the types Pagefind needs (JavaScript modules as text/javascript, its WebAssembly
and index chunks as bytes) and its request log sent to our logger.
"""

from __future__ import annotations

import logging
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

log = logging.getLogger(__name__)

HOST = "127.0.0.1"


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".css": "text/css",
                      ".atom": "application/atom+xml", ".pagefind": "application/wasm",
                      ".pf_meta": "application/octet-stream", ".pf_fragment": "application/octet-stream",
                      ".pf_index": "application/octet-stream", ".pf_filter": "application/octet-stream"}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("%s %s", self.address_string(), format % args)


def site_server(out: Path, port: int = 8000) -> ThreadingHTTPServer:
    """A server for `out` on 127.0.0.1:`port` (0: any free port; `server.server_port` says which)."""
    server = ThreadingHTTPServer((HOST, port), partial(_Handler, directory=str(out)))
    server.daemon_threads = True
    return server
