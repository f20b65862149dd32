"""Capture page: bytes sent (gzip, first and repeat load) and the time from tap to acknowledged.

Serves the app on loopback over a fresh SQLite database, drives Debian's Chromium (Playwright) on a
360 px phone viewport, and counts every response body leaving the server; text is gzip-compressed
(level 6, what a reverse proxy would send), images as they are.

- **First load**: from the tap on « Rejoindre la marche » (the join page itself is counted apart) to the
  moment the page says it works offline: the redirect, the page, its files, the service worker, the
  files it keeps and its copy of the page. Budget: 60 KB (60,000 bytes). Anchor: the same page as
  the plain form needs it (its HTML and style sheets, no script), measured in the same run.
- **Repeat load**: a reload with the service worker in control: files come from its cache, only the
  page and the API reach the server.
- **Tap to acknowledged**: from the tap on « Enregistrer l'observation » to the item shown as
  « Envoyée » (the server answered 201), median of ``--taps``. Anchor: one bare ``fetch`` POST of an
  observation from the same page (network and server alone, no outbox), median of as many.

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
BUDGET_BYTES = 60_000

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

        def capture(status, headers, exc_info=None):  # type: ignore[no-untyped-def]
            seen["type"] = dict(headers).get("Content-Type", "")
            return start_response(status, headers, exc_info)

        body = b"".join(self.app(environ, capture))
        kind = seen.get("type", "")
        packed = len(gzip.compress(body, 6)) if kind.startswith(COMPRESSIBLE) and body else len(body)
        self.records.append((environ["PATH_INFO"], kind, len(body), packed))
        return [body]


def _report(title: str, records: list[tuple[str, str, int, int]]) -> int:
    raw = sum(r[2] for r in records)
    packed = sum(r[3] for r in records)
    print(
        f"{title}: {len(records)} responses, "
        f"{packed / 1024:.1f} KiB = {packed:,} bytes compressed ({raw / 1024:.1f} KiB raw)"
    )
    for path, kind, _size, gz in sorted(records, key=lambda r: -r[3])[:8]:
        print(f"    {gz / 1024:7.1f} KiB  {path}  ({kind.split(';')[0] or '304, not modified'})")
    return packed


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
        page.wait_for_load_state("networkidle")
        join_page = list(meter.records)
        meter.records.clear()
        page.get_by_role("button", name="Rejoindre la marche").click()
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_selector("body[data-offline-ready='1']")
        page.wait_for_load_state("networkidle")
        first = list(meter.records)

        meter.records.clear()
        page.reload()
        page.wait_for_selector("body[data-ready='1']")
        page.wait_for_load_state("networkidle")
        repeat = list(meter.records)

        # the anchor of the weight: the page as the plain form needs it (HTML and style sheets)
        no_script = {**CONTEXT_ARGS, "java_script_enabled": False, "service_workers": "block"}
        plain = browser.new_context(**no_script)
        plain.add_cookies(context.cookies())
        meter.records.clear()
        plain.new_page().goto(f"{url}/m/BENCH4")
        anchor = [r for r in meter.records if not r[0].endswith(".js")]
        plain.close()

        bare = [page.evaluate(BARE_POST) for _ in range(args.taps)]
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
        for i in range(args.taps):
            page.locator(".theme", has_text=themes[i % len(themes)]).click()
            page.locator(".polarity .choice").first.click()
            page.get_by_role("button", name="Enregistrer l'observation").click()
            # (wait_for_function evaluates a string, which the page's CSP forbids: poll instead)
            while page.evaluate("() => window.__taps.length") < i + 1:
                page.wait_for_timeout(5)
        taps = page.evaluate("window.__taps")
        browser.close()
    server.shutdown()

    _report("join page (before the tap on « Rejoindre », not counted below)", join_page)
    product = _report("first load (redirect, page, files, service worker, its cache, its page copy)", first)
    plain_bytes = _report("anchor: the same page as the plain form (HTML, style sheets)", anchor)
    verdict = "within" if product <= BUDGET_BYTES else "OVER"
    print(
        f"first load {product:,} bytes: {product / plain_bytes:.2f} × the plain page "
        f"({plain_bytes:,} bytes); "
        f"{verdict} the {BUDGET_BYTES:,}-byte budget"
    )
    _report("repeat load (service worker in control)", repeat)
    tap, anchor_ms = statistics.median(taps), statistics.median(bare)
    print(
        f"tap to acknowledged (« Envoyée » shown), {len(taps)} taps: "
        f"median {tap:.0f} ms, max {max(taps):.0f} ms; "
        f"anchor, a bare POST from the page: median {anchor_ms:.0f} ms; ratio {tap / anchor_ms:.1f}"
    )


if __name__ == "__main__":
    main()
