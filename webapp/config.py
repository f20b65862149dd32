"""Configuration: safe defaults here, then environment variables prefixed with ``ARPENTEUR_``.

``ARPENTEUR_DATABASE_URL=postgresql+psycopg://…`` selects PostGIS; without it the app uses an
embedded SQLite + SpatiaLite file under ``instance/``. Any other setting can be overridden the same
way (``ARPENTEUR_SECRET_KEY``, ``ARPENTEUR_MAX_CONTENT_LENGTH``…); values are parsed as JSON when
they can be (Flask's ``from_prefixed_env``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Settings documented in the README; tests check the two lists agree.
DEFAULTS: dict[str, Any] = {
    # Empty means "SQLite + SpatiaLite file in the instance folder".
    "DATABASE_URL": "",
    # Development only: a real deployment must set ARPENTEUR_SECRET_KEY.
    "SECRET_KEY": "dev-only-change-me",
    # Where uploaded photos are kept; empty means "<instance>/photos".
    "PHOTO_DIR": "",
    # Photo bytes in files under PHOTO_DIR ("disk") or in the database ("database", so several app
    # servers share them); empty means "database" on PostgreSQL, "disk" on SQLite.
    "PHOTO_STORE": "",
    # Requests larger than this are refused before they are read (photos are resized on the phone).
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    # The QPV list a new project uses unless told otherwise.
    "DEFAULT_QPV_YEAR": 2024,
    # Tile layer for maps: "osm", "ign" or "none" (maps still show data without tiles).
    "TILES": "osm",
    # SQLite only: wait this long for a lock before failing (milliseconds).
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # Language of the interface when the browser does not ask for one we have.
    "DEFAULT_LANGUAGE": "fr",
    # Joins with a wrong code allowed per client address: "count/seconds"; past it, every join from
    # that address waits for the window to end. Counted in the database, so it holds across workers.
    "JOIN_RATE_LIMIT": "20/60",
    # Joins with the right code allowed per client address and walk: "count/seconds". A group
    # behind one hotspot shares one address; this is only a ceiling against floods.
    "JOIN_GROUP_LIMIT": "120/60",
    # A phone's new observation (POST /api/v1/observations) answered beside Flask's request
    # machinery when it is the plain case (webapp/api/fast_ingest.py); false: always through Flask.
    "FAST_INGEST": True,
    # Number of reverse proxies in front of the app (nginx…): their X-Forwarded-For is trusted so
    # rate limits count real client addresses. 0 when the app faces clients directly.
    "PROXY_FIX_HOPS": 0,
    # Staff sign-in attempts allowed per email and per client address: "count/seconds" (counted
    # in the database). Password step, two-factor code step and forgotten-password requests alike.
    "LOGIN_RATE_LIMIT": "10/900",
    # Session cookies get the Secure flag (sent over HTTPS only). Chromium and Firefox accept
    # Secure cookies from http://localhost and http://127.0.0.1, so `make run` works; set it to
    # false only to serve plain HTTP on another address (a laptop on a local network) or for Safari.
    "SECURE_COOKIES": True,
    # A staff session ends this many hours after sign-in (and when the browser closes).
    "SESSION_HOURS": 12,
    # Invitation links work once, for this many days.
    "INVITATION_DAYS": 7,
    # Password reset links work once, for this many hours.
    "PASSWORD_RESET_HOURS": 2,
    # Outgoing mail for invitation and reset links: smtp://[user:password@]host:port (plain),
    # smtp+starttls://… or smtps://…; empty means no mail (links are shown or printed instead).
    "SMTP_URL": "",
    # Sender of those emails.
    "MAIL_FROM": "arpenteur@localhost",
    # After a walk is closed, phones that were offline may still deliver, for this many hours, the
    # observations they captured before the close (later captures are refused at once).
    "CLOSE_GRACE_HOURS": 48,
    # The site's address as people reach it (https://arpenteur.example.org): links in emails and
    # from the command line use it, never the request's Host header. Emails need it.
    "PUBLIC_URL": "",
}


def sqlite_url(instance_path: str | Path) -> str:
    """The URL of the embedded database file."""
    return f"sqlite:///{Path(instance_path) / 'arpenteur.sqlite'}"
