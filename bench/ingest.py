"""Ingest: ``POST /api/v1/observations`` under load (wrk), the product against a bare insert app.

Both run under the same gunicorn shape as ``arpenteur serve`` on SQLite (1 process × 8 threads), on
fresh databases, loopback; wrk sends a fresh UUID per request (a Lua script). Runs alternate anchor,
product, anchor, product… Figures: requests per second and p99 with 50 connections; p50 with one.

    .venv/bin/python -m bench.ingest [--seconds 5] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._table import Line, interleave

REPO = Path(__file__).resolve().parents[1]

LUA = """
local counter = 0
local nonce = "%(nonce)s"
local body = [[%(body)s]]
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer %(token)s" }
-- "tid" is a global set in each thread's own Lua state by setup(), so two threads never share a UUID
local next_tid = 0
function setup(thread) next_tid = next_tid + 1; thread:set("tid", next_tid) end
request = function()
  counter = counter + 1
  local id = string.format("%%s-%%04x-4000-8000-%%012x", nonce, tid, counter)
  return wrk.format("POST", "/api/v1/observations", headers, (body:gsub("CLIENT_UUID", id)))
end
local failures = 0
response = function(status, _, text)
  if status >= 300 and failures < 2 then
    failures = failures + 1; print("FAILED " .. status .. " " .. text:sub(1, 300))
  end
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310  (loopback)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _gunicorn(target: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The server as ``arpenteur serve`` starts it on SQLite (its own arguments: 1 process × 8 threads,
    gthread workers, access lines on stdout); the anchor the same, with gunicorn's plain logger (the
    product's masks tokens and codes in each line: product work, paid by the product)."""
    from webapp.commands.serve import gunicorn_arguments

    gunicorn = Path(sys.executable).with_name("gunicorn")
    product = target == "webapp.wsgi:app"
    return subprocess.Popen(  # noqa: S603
        [str(gunicorn), *gunicorn_arguments("127.0.0.1", port, 1, 8, app=target, masked_logs=product)],
        cwd=REPO,
        env={**os.environ, **env},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _field_walk(walk) -> None:  # type: ignore[no-untyped-def]
    """Give the walk a route and stops as drawn in the field: 200 points, 12 stops (the test walk has 3
    and 2, which hid a cost that grew with the route: see bench/README.md, fifth pass)."""
    from geoalchemy2.shape import from_shape
    from shapely.geometry import LineString, Point

    from webapp.extensions import db
    from webapp.models import Stop

    # a street-by-street line across the test zone, through the payload's point (2.2991, 49.9196)
    points = [(2.2912 + i * 0.00008, 49.9196 + (0.0003 if i % 20 < 10 else -0.0003)) for i in range(200)]
    walk.route = from_shape(LineString(points), srid=4326)
    for stop in list(walk.stops):
        db.session.delete(stop)
    db.session.flush()
    for position in range(1, 13):
        x, y = points[(position - 1) * 18]
        walk.stops.append(
            Stop(position=position, name=f"Arrêt {position}", location=from_shape(Point(x, y), srid=4326))
        )
    db.session.flush()


def _product(tmp: Path) -> tuple[dict[str, str], str, dict]:
    """A migrated SQLite database with an open walk; the server's env, a token and a payload."""
    from flask_migrate import upgrade

    from tests.conftest import make_app
    from tests.webapp.capture_support import make_walk, payload
    from webapp import transaction
    from webapp.extensions import db
    from webapp.services import participants

    url = f"sqlite:///{tmp / 'product.sqlite'}"
    app = make_app(url, tmp, SQLITE_EXPLICIT_TRANSACTIONS=False)
    with app.app_context():
        upgrade()
        with transaction.unit_of_work():
            walk = make_walk(code="K7PM3Q")
            _field_walk(walk)
            _, token = participants.add_participant(walk)
        db.session.remove()
        db.engine.dispose()
    env = {
        "ARPENTEUR_DATABASE_URL": url,
        "ARPENTEUR_PHOTO_DIR": str(tmp / "photos"),
        "ARPENTEUR_SECRET_KEY": "bench",
    }
    return env, token, payload()


def _worker_cpu(master: subprocess.Popen) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's workers (Linux ``/proc``)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat(5))
    return total / os.sysconf("SC_CLK_TCK")


def _wrk(
    port: int, script: Path, connections: int, seconds: int, server: subprocess.Popen | None = None
) -> dict[str, float]:
    """wrk's throughput, p50 and p99; with ``server``, also its workers' CPU time per request."""
    cpu = _worker_cpu(server) if server is not None else 0.0
    out = subprocess.run(  # noqa: S603
        [
            shutil.which("wrk") or "wrk",
            "-t",
            "2" if connections > 1 else "1",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}  # type: ignore[union-attr]
    if server is not None:
        done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        figures["cpu"] = (_worker_cpu(server) - cpu) / max(done, 1)
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        figures[f"p{pct}"] = float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sample = "\n".join(line for line in out.splitlines() if line.startswith("FAILED"))
        raise RuntimeError(f"wrk saw {errors.group(1)} failed responses on port {port}:\n{sample}")
    return figures


def lines(scale: str = "quick", seconds: int | None = None, runs: int | None = None) -> list[Line]:
    """Ingest lines (50 connections, then 1)."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing (apt-get install wrk)")
    seconds = seconds or (10 if scale == "full" else 4)
    runs = runs or 3
    tmp = Path(tempfile.mkdtemp(prefix="arpenteur-bench-ingest-"))
    env, token, body = _product(tmp)
    body["client_uuid"] = "CLIENT_UUID"
    scripts = {}
    for name in ("anchor", "product"):
        scripts[name] = tmp / f"{name}.lua"
        nonce = f"{os.getpid() % 0xFFFF:04x}{len(name):04x}"
        scripts[name].write_text(LUA % {"nonce": nonce, "body": json.dumps(body), "token": token})
    ports = {"anchor": _free_port(), "product": _free_port()}
    servers = {
        "anchor": _gunicorn(
            "bench.anchors.ingest_app:app",
            ports["anchor"],
            {"ARPENTEUR_BENCH_ANCHOR_DB": str(tmp / "a.sqlite")},
            tmp / "anchor.log",
        ),
        "product": _gunicorn("webapp.wsgi:app", ports["product"], env, tmp / "product.log"),
    }
    result: list[Line] = []
    try:
        for name, port in ports.items():
            _wait(f"http://127.0.0.1:{port}/api/v1/observations", servers[name])
        counter = {"n": 0}
        for connections in (50, 1):
            seen: dict[str, list[dict[str, float]]] = {"anchor": [], "product": []}

            def run(name: str, connections: int = connections, seen: dict = seen) -> float:  # type: ignore[type-arg]
                counter["n"] += 1
                # each run gets its own UUID prefix (the Lua counter restarts with every wrk)
                text = scripts[name].read_text()
                scripts[name].write_text(
                    re.sub(r'nonce = "\w+"', f'nonce = "{counter["n"]:04x}{len(name):04x}"', text)
                )
                figures = _wrk(ports[name], scripts[name], connections, seconds, servers[name])
                seen[name].append(figures)
                return figures["rps"] if connections > 1 else figures["p50"]

            product, anchor = interleave(lambda: run("anchor"), lambda: run("product"), runs)
            # what each request costs the server process itself (wrk and the gunicorn master left out)
            cpu = {n: statistics.median(f["cpu"] for f in seen[n]) * 1000 for n in ("product", "anchor")}
            cpu_note = (
                f"worker CPU per request: product {cpu['product']:.2f} ms, anchor {cpu['anchor']:.2f} ms"
            )
            if connections > 1:
                p99 = sorted(f["p99"] for f in seen["product"])[len(seen["product"]) // 2]
                anchor_p99 = sorted(f["p99"] for f in seen["anchor"])[len(seen["anchor"]) // 2]
                ratio = product / anchor
                result.append(
                    Line(
                        "POST /api/v1/observations, 50 connections, 1 × 8 threads, SQLite (req/s)",
                        product,
                        anchor,
                        "req/s",
                        ratio,
                        "≥ 0.8, p99 ≤ 100 ms",
                        ratio >= 0.8 and p99 <= 0.1,
                        # With 50 requests always in flight, the mean latency is 50 / throughput
                        # (Little's law): the anchor's own p99 shows what the machine allows.
                        f"product p99 {p99 * 1000:.0f} ms, anchor p99 {anchor_p99 * 1000:.0f} ms "
                        f"(50 in flight: mean ≥ {connections / anchor * 1000:.0f} ms even for the anchor); "
                        + cpu_note,
                    )
                )
            else:
                ratio = product / anchor
                result.append(
                    Line(
                        "same, 1 connection (p50)",
                        product,
                        anchor,
                        "s",
                        ratio,
                        "≤ 1.5×",
                        ratio <= 1.5,
                        cpu_note,
                    )
                )
    finally:
        for server in servers.values():
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:  # a loaded machine: do not leave it running
                server.kill()
                server.wait()
        if os.environ.get("ARPENTEUR_BENCH_KEEP"):
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> None:
    from bench._table import render

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(render(lines(seconds=args.seconds, runs=args.runs)))


if __name__ == "__main__":
    main()
