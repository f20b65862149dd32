"""What every request used to rebuild and is now made once: the session's signing serializer, the CSP text.

Both must still follow their inputs: another secret key signs with the new key (and refuses cookies
signed with the old one), and each response carries the whole policy with its own nonce.
"""

from __future__ import annotations

import re

from tests.webapp.support import url


def test_the_kept_session_serializer_follows_the_secret_key(app):  # type: ignore[no-untyped-def]
    sessions = app.session_interface
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first  # kept, not rebuilt for each request
    cookie = first.dumps({"user": "42"})
    old_key = app.secret_key
    try:
        app.secret_key = "another-key"
        other = sessions.get_signing_serializer(app)
        assert other is not first
        assert other.loads(other.dumps({"user": "42"})) == {"user": "42"}
        assert not other.loads_unsafe(cookie)[0]  # signed with the old key: refused
    finally:
        app.secret_key = old_key
    assert sessions.get_signing_serializer(app).loads(cookie) == {"user": "42"}


def test_each_response_carries_the_whole_policy_with_its_own_nonce(client):  # type: ignore[no-untyped-def]
    policies = [client.get(url("public.index")).headers["Content-Security-Policy"] for _ in range(2)]
    nonces = [re.search(r"'nonce-([^']+)'", policy).group(1) for policy in policies]  # type: ignore[union-attr]
    assert nonces[0] != nonces[1]
    assert policies[0] == (
        f"default-src 'self'; script-src 'self' 'nonce-{nonces[0]}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob: https://tile.openstreetmap.org; font-src 'self'; connect-src 'self'; "
        "worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'self'"
    )
