"""The WSGI entry point gunicorn loads (``webapp.wsgi:app``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_what_the_server_loads_is_kept_out_of_the_collectors_full_passes(tmp_path: Path) -> None:
    """A full pass of the cyclic garbage collector walked every object the app had loaded (~250,000,
    about 0.1 s on this machine), inside whichever request set it off; what is loaded at start lives
    as long as the process, so it is frozen once loaded and a full pass walks the requests' own."""
    probe = (
        "import gc, json, webapp.wsgi; "
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'walked': len(gc.get_objects()), "
        "'enabled': gc.isenabled()}))"
    )
    env = {
        **os.environ,
        "ARPENTEUR_DATABASE_URL": f"sqlite:///{tmp_path / 'w.sqlite'}",
        "ARPENTEUR_PHOTO_DIR": str(tmp_path / "photos"),
        "ARPENTEUR_SECRET_KEY": "test",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True
    )
    counts = json.loads(out.stdout.strip().splitlines()[-1])
    assert counts["frozen"] > 100_000
    assert counts["walked"] < counts["frozen"] / 10
    # off while the app loads, on again for the requests
    assert counts["enabled"]
