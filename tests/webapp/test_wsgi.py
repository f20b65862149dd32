"""The WSGI entry point gunicorn loads (``webapp.wsgi:app``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _probe(code: str, tmp_path: Path) -> object:
    """What ``code``, run by a fresh Python in the repository with a server's settings, prints last (JSON)."""
    env = {
        **os.environ,
        "ARPENTEUR_DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}",
        "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos"),
        "ARPENTEUR_SECRET_KEY": "test",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_what_the_server_loads_is_kept_out_of_the_collectors_full_passes(tmp_path: Path) -> None:
    """A full pass of the cyclic garbage collector walked every object the app had loaded (~250,000,
    about 0.1 s on this machine), inside whichever request set it off; what is loaded at start lives
    as long as the process, so it is frozen once loaded and a full pass walks the requests' own."""
    counts = _probe(
        "import gc, json, webapp.wsgi; "
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'walked': len(gc.get_objects()), "
        "'enabled': gc.isenabled()}))",
        tmp_path,
    )
    assert isinstance(counts, dict)
    assert counts["frozen"] > 100_000
    assert counts["walked"] < counts["frozen"] / 10
    # off while the app loads, on again for the requests
    assert counts["enabled"]


def test_commands_start_without_the_map_builders_and_a_server_loads_them_before_its_first_request(
    tmp_path: Path,
) -> None:
    """folium and its templates (about a third of the app's start) are loaded by the first map drawn:
    a command (``arpenteur db upgrade``, ``demo``, ``serve`` before it hands over to gunicorn) never
    draws one; a server loads them at start, so no visitor waits for them."""
    loaded = (
        "import sys, json; print(json.dumps(sorted(m for m in ('folium', 'branca') if m in sys.modules)))"
    )
    assert _probe(f"from webapp import create_app; create_app(); {loaded}", tmp_path) == []
    assert _probe(f"import webapp.wsgi; {loaded}", tmp_path) == ["branca", "folium"]
