"""Capture page: bytes sent (gzip, first and repeat load) and the time from tap to acknowledged.

Serves the app on loopback over a fresh SQLite database, drives Debian's Chromium (Playwright) on a
360 px phone viewport, and counts every response body leaving the server; text is gzip-compressed
(level 6, what a reverse proxy would send), images as they are. The repeat load is a second visit
with the service worker in control: static assets come from its cache, only the page and the API
reach the server. Tap-to-acknowledged: from the tap on "Enregistrer" to the item shown as "Envoyée"
(the server answered 201), median of several taps. Usage:

    .venv/bin/python -m bench.capture_page [--taps 15]
"""

from __future__ import annotations

import argparse
import gzip
import logging
import shutil
import statistics
import tempfile
import threading
from pathlib import Path

COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg",
)


class Meter:
    """WSGI middleware that records (path, content type, raw bytes, gzip bytes) for each response."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.records: list[tuple[str, str, int, int]] = []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        seen: dict[str, str] = {}

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            seen["type"] = dict(headers).get("Content-Type", "")
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        kind = seen.get("type", "")
        packed = len(gzip.compress(body, 6)) if kind.startswith(COMPRESSIBLE) and body else len(body)
        self.records.append((environ["PATH_INFO"], kind, len(body), packed))
        return [body]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=15)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tests.browser.conftest import ARGS, CONTEXT_ARGS
    from tests.conftest import make_app
    from tests.webapp.capture_support import make_walk

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="arpenteur-bench-"))
    app = make_app(f"sqlite:///{tmp / 'bench.sqlite'}", tmp, SQLITE_EXPLICIT_TRANSACTIONS=False, TILES="none")
    with app.app_context():
        upgrade()
        make_walk(code="BENCH4")
    meter = Meter(app.wsgi_app)
    app.wsgi_app = meter  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        context = browser.new_context(**CONTEXT_ARGS)
        page = context.new_page()
        page.goto(f"{url}/rejoindre?code=BENCH4")
        page.get_by_role("button", name="Rejoindre la marche").click()
        page.wait_for_selector("body[data-ready='1']")
        page.evaluate("navigator.serviceWorker.ready")
        page.wait_for_timeout(500)  # let the service worker finish caching
        first = [r for r in meter.records if r[0] != "/rejoindre"]

        meter.records.clear()
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_timeout(300)
        repeat = list(meter.records)

        page.evaluate(
            """() => {
              window.__taps = [];
              const save = document.getElementById('save');
              save.addEventListener('click', () => { window.__t0 = performance.now(); }, true);
              new MutationObserver(() => {
                const item = document.querySelector('#mine .item');
                if (!window.__t0 || !item || item.dataset.state !== 'sent') return;
                if (item.dataset.uuid === window.__last) return;
                window.__taps.push(performance.now() - window.__t0);
                window.__last = item.dataset.uuid;
                window.__t0 = 0;
              }).observe(document.getElementById('mine'), { childList: true, subtree: true });
            }"""
        )
        for i in range(args.taps):
            page.locator(".theme").nth(i % 12).click()
            page.locator(".polarity .choice").first.click()
            page.get_by_role("button", name="Enregistrer l'observation").click()
            # (wait_for_function evaluates a string, which the page's CSP forbids: poll instead)
            while page.evaluate("() => window.__taps.length") < i + 1:
                page.wait_for_timeout(5)
        taps = page.evaluate("window.__taps")
        browser.close()
    server.shutdown()

    def report(title: str, records: list[tuple[str, str, int, int]]) -> None:
        raw = sum(r[2] for r in records)
        packed = sum(r[3] for r in records)
        print(
            f"{title}: {len(records)} responses, "
            f"{packed / 1024:.1f} KiB compressed ({raw / 1024:.1f} KiB raw)"
        )
        for path, kind, _size, gz in sorted(records, key=lambda r: -r[3])[:6]:
            print(f"    {gz / 1024:7.1f} KiB  {path}  ({kind.split(';')[0]})")

    report("first load (page, assets, service worker and its cache)", first)
    report("repeat load (service worker in control)", repeat)
    print(
        f"tap to acknowledged (201 shown), {len(taps)} taps: median {statistics.median(taps):.0f} ms, "
        f"max {max(taps):.0f} ms"
    )


if __name__ == "__main__":
    main()
