"""Capture page: bytes sent (gzip, first and repeat load) and the time from tap to acknowledged.

Serves the app on loopback over a fresh SQLite database, drives Debian's Chromium (Playwright) on a
360 px phone viewport, and counts every response body leaving the server (the service worker's own
requests included), as the server sends them: text gzip-compressed by the app itself
(``webapp/compression.py``; the anchors get the same), images as they are; a « 304 not modified »
counts 0.

- **First load**: from the tap on « Rejoindre la marche » (the join page itself is counted apart) to the
  moment the page says it works offline: the redirect, the page, its files, the service worker, the
  files it keeps (the pin map's among them, although the page does not load them) and its copy of the
  page. Goal: 30 KB (30,000 bytes). Anchors, served by the same server and metered the same way
  (``bench/anchors/capture_form.py``): a bare HTML form plus Leaflet (JS and CSS), what the page
  carried before, and the bare form alone.
- **Repeat load**: a reload with the service worker in control, and a few seconds more (the browser's
  own update check of the worker): every byte but the API's. Goal: 0 B. Chromium's own count
  (DevTools protocol, bytes off the network for non-API requests) is printed beside it. Anchor: the bare
  form's reload.
- **Tap to acknowledged**: from the tap on « Enregistrer l'observation » to the item shown as
  « Envoyée » (the server answered 201), median of ``--taps``. Anchor: one bare ``fetch`` POST of an
  observation from the same page (network and server alone, no outbox), median of as many.

    .venv/bin/python -m bench.capture_page [--taps 15]

Bytes do not move from run to run (no interleaving needed); the tap times do.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._table import Line

#: The goals: first load at most 30 KB, repeat load nothing but the API.
BUDGET_BYTES = 30_000
REPEAT_BUDGET_BYTES = 0
#: How long to watch after the reload (the browser checks the worker for an update after a navigation).
SETTLE_S = 3.0

Record = tuple[str, str, int, int]

#: One bare POST of an observation from the page, timed in the page (the anchor of the tap time).
BARE_POST = """async () => {
  const config = JSON.parse(document.getElementById('capture-config').textContent);
  const body = {
    client_uuid: crypto.randomUUID(),
    form: { key: config.form.key, version: config.form.version },
    captured_at: new Date().toISOString(),
    location: { lon: 2.2991, lat: 49.9196, accuracy_m: 12, source: 'gps' },
    answers: { theme: 'eclairage', polarity: 'negative' },
  };
  const t0 = performance.now();
  const response = await fetch(config.api, { method: 'POST', body: JSON.stringify(body),
    headers: { Authorization: `Bearer ${config.token}`, 'Content-Type': 'application/json' } });
  await response.json();
  return performance.now() - t0;
}"""


class Meter:
    """WSGI middleware that records (path, content type, raw bytes, gzip bytes) for each response."""

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.records: list[tuple[str, str, int, int]] = []

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        seen: dict[str, str] = {}
        path = environ["PATH_INFO"]  # (before a mounted app moves its prefix to SCRIPT_NAME)

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            seen["type"] = dict(headers).get("Content-Type", "")
            seen["encoding"] = dict(headers).get("Content-Encoding", "")
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        kind = seen.get("type", "")
        # what leaves the server: the app compresses text itself (webapp/compression.py)
        raw = len(gzip.decompress(body)) if seen.get("encoding") == "gzip" else len(body)
        self.records.append((path, kind, raw, len(body)))
        return [body]


def _report(title: str, records: list[Record]) -> int:
    raw = sum(r[2] for r in records)
    packed = sum(r[3] for r in records)
    print(
        f"{title}: {len(records)} responses, "
        f"{packed / 1024:.1f} KiB = {packed:,} bytes compressed ({raw / 1024:.1f} KiB raw)"
    )
    for path, kind, _size, gz in sorted(records, key=lambda r: -r[3])[:10]:
        print(f"    {gz / 1024:7.1f} KiB  {path}  ({kind.split(';')[0] or '304, not modified'})")
    return packed


def _bytes(records: list[Record], *, api: bool = True) -> int:
    return sum(r[3] for r in records if api or not r[0].startswith("/api/"))


@dataclass
class Figures:
    """What one run measured (records: path, content type, raw bytes, gzip bytes)."""

    join: list[Record]
    first: list[Record]
    repeat: list[Record]
    plain: list[Record]
    form: list[Record]
    form_repeat: list[Record]
    leaflet: list[Record]
    #: non-API bytes Chromium received off the network during the reload (DevTools protocol)
    cdp_repeat: int
    #: non-API requests Chromium saw during the reload, and how each was answered
    cdp_requests: list[str] = field(default_factory=list)
    taps: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)


def _watch_network(context, page):  # type: ignore[no-untyped-def]
    """Chromium's own account of the page's requests: url, answered by whom, bytes off the network."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen: dict[str, dict] = {}

    def sent(event):  # type: ignore[no-untyped-def]
        seen.setdefault(event["requestId"], {})["url"] = event["request"]["url"]

    def received(event):  # type: ignore[no-untyped-def]
        response = event["response"]
        entry = seen.setdefault(event["requestId"], {})
        entry["url"] = response["url"]
        entry["from"] = (
            "service worker"
            if response.get("fromServiceWorker")
            else "disk cache"
            if response.get("fromDiskCache")
            else "network"
        )

    def finished(event):  # type: ignore[no-untyped-def]
        seen.setdefault(event["requestId"], {})["bytes"] = event["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    return seen


def measure(taps: int = 0) -> Figures:
    """One run: join, first load, reload, the anchors; then ``taps`` timed saves."""
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import make_server

    from bench.anchors import capture_form
    from tests.browser.conftest import ARGS, CONTEXT_ARGS
    from tests.conftest import make_app
    from tests.webapp.capture_support import make_walk

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="arpenteur-bench-"))
    app = make_app(f"sqlite:///{tmp / 'bench.sqlite'}", tmp, SQLITE_EXPLICIT_TRANSACTIONS=False, TILES="none")
    with app.app_context():
        upgrade()
        make_walk(code="BENCH4")
    meter = Meter(DispatcherMiddleware(app.wsgi_app, {"/anchor": capture_form.create_app()}))
    app.wsgi_app = meter  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"

    def take() -> list[Record]:
        records = list(meter.records)
        meter.records.clear()
        return records

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            context = browser.new_context(**CONTEXT_ARGS)
            page = context.new_page()
            page.goto(f"{url}/rejoindre?code=BENCH4")
            page.wait_for_load_state("networkidle")
            join_page = take()
            page.get_by_role("button", name="Rejoindre la marche").click()
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_selector("body[data-offline-ready='1']")
            page.wait_for_load_state("networkidle")
            first = take()

            seen = _watch_network(context, page)
            page.reload()
            page.wait_for_selector("body[data-ready='1']")
            page.wait_for_load_state("networkidle")
            time.sleep(SETTLE_S)
            repeat = take()
            off_network = [e for e in seen.values() if "/api/" not in e.get("url", "")]
            cdp_repeat = sum(e.get("bytes", 0) for e in off_network if e.get("from") == "network")
            cdp_requests = [
                f"{e.get('url', '?')} ({e.get('from', '?')}, {e.get('bytes', 0)} B)" for e in off_network
            ]

            # the page as the plain form needs it (its HTML and style sheets, no script)
            no_script = {**CONTEXT_ARGS, "java_script_enabled": False, "service_workers": "block"}
            plain = browser.new_context(**no_script)
            plain.add_cookies(context.cookies())
            plain.new_page().goto(f"{url}/m/BENCH4")
            plain_records = [r for r in take() if not r[0].endswith(".js")]
            plain.close()

            # the anchors: a bare form (first load, then a reload), and the same with Leaflet
            bare_context = browser.new_context(**{**CONTEXT_ARGS, "service_workers": "block"})
            bare_page = bare_context.new_page()
            bare_page.goto(f"{url}/anchor/form", wait_until="networkidle")
            form = take()
            bare_page.reload(wait_until="networkidle")
            form_repeat = take()
            bare_page.goto(f"{url}/anchor/leaflet/form", wait_until="networkidle")
            leaflet = take()
            bare_context.close()

            figures = Figures(
                join_page, first, repeat, plain_records, form, form_repeat, leaflet, cdp_repeat, cdp_requests
            )
            if taps:
                figures.bare, figures.taps = _time_taps(page, taps)
            browser.close()
    finally:
        server.shutdown()
    return figures


def _time_taps(page, taps: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    bare = [page.evaluate(BARE_POST) for _ in range(taps)]
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
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
          }).observe(document.getElementById('mine'),
                     { childList: true, subtree: true, attributes: true });
        }"""
    )
    themes = ["Éclairage", "Propreté", "Transports", "Signalétique"]
    for i in range(taps):
        page.locator(".theme", has_text=themes[i % len(themes)]).click()
        page.locator(".polarity .choice").first.click()
        page.get_by_role("button", name="Enregistrer l'observation").click()
        # (wait_for_function evaluates a string, which the page's CSP forbids: poll instead)
        while page.evaluate("() => window.__taps.length") < i + 1:
            page.wait_for_timeout(5)
    return bare, page.evaluate("window.__taps")


def lines(scale: str = "quick") -> list[Line]:
    """The table's two lines (bytes do not depend on the scale)."""
    del scale
    f = measure()
    first, with_leaflet, alone = _bytes(f.first), _bytes(f.leaflet), _bytes(f.form)
    repeat, bare_repeat = _bytes(f.repeat, api=False), _bytes(f.form_repeat)
    api = _bytes(f.repeat) - repeat
    return [
        Line(
            "capture page, first load (gzip, « Rejoindre » to « works offline », the worker's files too)",
            first,
            with_leaflet,
            "B",
            first / with_leaflet,
            "≤ 30 KB",
            first <= BUDGET_BYTES,
            f"anchor: a bare form plus Leaflet; the form alone {alone:,} B; product {first:,} B",
        ),
        Line(
            "capture page, repeat load (every byte but the API's)",
            repeat,
            bare_repeat,
            "B",
            repeat / bare_repeat if bare_repeat else float("inf"),
            "0 B besides the API",
            repeat <= REPEAT_BUDGET_BYTES,
            f"anchor: the bare form's reload; API {api:,} B; Chromium off the network: {f.cdp_repeat:,} B",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=15)
    args = parser.parse_args(argv)
    f = measure(args.taps)

    _report("join page (before the tap on « Rejoindre », not counted below)", f.join)
    product = _report("first load (redirect, page, files, service worker, its cache, its page copy)", f.first)
    plain_bytes = _report("the same page as the plain form (HTML, style sheets)", f.plain)
    alone = _report("anchor: a bare form alone", f.form)
    with_leaflet = _report("anchor: a bare form plus Leaflet (JS and CSS)", f.leaflet)
    verdict = "within" if product <= BUDGET_BYTES else "OVER"
    print(
        f"first load {product:,} bytes: {product / with_leaflet:.2f} × a form plus Leaflet "
        f"({with_leaflet:,}), "
        f"{product / alone:.1f} × a form alone ({alone:,}), {product / plain_bytes:.2f} × the plain page "
        f"({plain_bytes:,}); {verdict} the {BUDGET_BYTES:,}-byte goal"
    )
    _report(f"repeat load (service worker in control, {SETTLE_S:g} s watched after it)", f.repeat)
    repeat = _bytes(f.repeat, api=False)
    bare_repeat = _report("anchor: the bare form's reload", f.form_repeat)
    print(
        f"repeat load: {repeat:,} bytes besides the API (anchor {bare_repeat:,}); "
        f"Chromium (DevTools protocol) counts {f.cdp_repeat:,} non-API bytes off the network:"
    )
    for request in f.cdp_requests:
        print(f"    {request}")
    if f.taps:
        tap, anchor_ms = statistics.median(f.taps), statistics.median(f.bare)
        print(
            f"tap to acknowledged (« Envoyée » shown), {len(f.taps)} taps: "
            f"median {tap:.0f} ms, max {max(f.taps):.0f} ms; "
            f"anchor, a bare POST from the page: median {anchor_ms:.0f} ms; ratio {tap / anchor_ms:.1f}"
        )


if __name__ == "__main__":
    main()
