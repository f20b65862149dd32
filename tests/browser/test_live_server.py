"""The browser tests' live server closes what it serves even when the browser resets the connection.

werkzeug's development server drains the request's leftovers after the response and only then closes
the response; a reset during that drain skipped the close, and the static file it had opened reached the
garbage collector as a ResourceWarning — failing whichever browser test ran at that moment (CI, 2 Dec).
"""

from __future__ import annotations

import gc
import os
import socket
import struct
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

SERVED = "/static/img/favicon.svg"


def _open_files_named(name: str) -> list[str]:
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.endswith(name):
            found.append(target)
    return found


def test_a_reset_after_the_response_still_closes_the_served_file(live_server):
    host, port = urlsplit(live_server.url).hostname, urlsplit(live_server.url).port
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = socket.create_connection((host, port), timeout=10)
        # More than the server's read buffer beyond the request, so its drain blocks on the socket …
        client.sendall(
            f"GET {SERVED} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode() + b"x" * 1_000_000
        )
        response = b""
        while b"</svg>" not in response:
            chunk = client.recv(65536)
            assert chunk, response[:200]
            response += chunk
        assert response.startswith(b"HTTP/1.1 200"), response[:200]
        # … and the reset (SO_LINGER 0) reaches it there, as when a browser drops a page mid-load.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        deadline = time.monotonic() + 10
        while _open_files_named("favicon.svg") and time.monotonic() < deadline:
            time.sleep(0.05)
        gc.collect()
    assert _open_files_named("favicon.svg") == []
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], [str(w.message) for w in leaked]
