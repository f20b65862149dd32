"""`arpenteur serve`: refuses a database that is not migrated; serves a migrated one with gunicorn."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ARPENTEUR = str(Path(sys.executable).with_name("arpenteur"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "ARPENTEUR_DATABASE_URL": url, "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos")}


def test_serve_refuses_a_database_that_is_not_migrated(empty_database_url, tmp_path):
    result = subprocess.run(
        [ARPENTEUR, "serve", "--port", str(_free_port())],
        env=_env(empty_database_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "arpenteur db upgrade" in result.stderr + result.stdout


@pytest.mark.slow
def test_serve_runs_the_app_after_migration(empty_database_url, tmp_path):
    # A home of its own: gunicorn's shared control socket (~/.gunicorn/gunicorn.ctl) would let two
    # `arpenteur serve` on one host clobber each other's; serve turns it off.
    env = {**_env(empty_database_url, tmp_path), "HOME": str(tmp_path / "home")}
    subprocess.run([ARPENTEUR, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [ARPENTEUR, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        assert "Marches exploratoires" in page
        assert "Content-Security-Policy" in response.headers
        assert not (tmp_path / "home" / ".gunicorn").exists()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=20)
    expected = "1 processus" if empty_database_url.startswith("sqlite") else "2 processus"
    assert expected in output
