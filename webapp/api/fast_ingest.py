"""The ingest's common case served beside Flask's request machinery: ``POST /api/v1/observations``.

A phone's new observation is the one request that comes by the hundred a minute during a walk. Flask
around it — the request context, the locale and CSRF hooks, the response's after-request functions,
``get_json`` and ``jsonify`` — cost about a quarter of its CPU (bench/README.md, fifteenth pass). This
WSGI layer answers that request itself when it is the plain case, with the same services in the same
order as the view (``api.blueprint.create_observation``) and the same transaction rule
(``webapp.transaction``: one commit after the work, a rollback on any error) — on a connection and
transaction of its own rather than the session's, whose machinery cost a sixth of the path:

- the token's participant and walk (``participants.get_sender_by_token``), the submission checked
  against the walk's form, status and grace period (``observations.submit_observation``), its zone,
  out-of-area test, insert and data stamp;
- the answer: the same JSON (``observation_to_dict``, the app's JSON provider) and the same headers as
  the view's after-request functions give an API answer (``no-store``, the Content-Security-Policy
  with a fresh nonce, ``nosniff``, the referrer policy, ``Vary: Cookie``).

Anything else goes to Flask untouched, and so does every request this layer cannot finish: an error
of any kind (an unknown token, a refused answer, a closed walk, a clash of UUIDs, a locked database),
and whatever would need the session (``observations.NotPlain``: a resend, whose stored row is read
back; a walk's form or a project's zones this process has not read yet). Its work is rolled back and
the request handed to Flask with its body, where the view does it all again and answers as it always
has — its messages, its status codes, its logs. Only a success is answered here; nothing written in a
failed attempt survives it (counters that must survive a refusal are written by
``transaction.separately``, which nothing on this path calls).

Not served here (Flask's path): a query string (``?lang=`` sets a cookie), a body without a length or
longer than :data:`MAX_BODY`, a type other than ``application/json``, a request without a bearer token.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy.engine import Connection, Transaction

from webapp import i18n, security
from webapp.errors import DomainError
from webapp.extensions import db
from webapp.services import observations, participants

logger = logging.getLogger(__name__)

#: The path and method served.
PATH = "/api/v1/observations"
#: Longest body read here (an observation's JSON is a few hundred bytes; photos go elsewhere).
MAX_BODY = 64 * 1024
#: Status lines of the two answers given here.
_STATUS = {True: "201 CREATED", False: "200 OK"}

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _NotHere(Exception):
    """The request is not the plain case: Flask answers it."""


def _json_type(content_type: str) -> bool:
    mimetype, _, params = content_type.partition(";")
    if mimetype.strip().lower() != "application/json":
        return False
    charset = params.strip().lower()
    return not charset or charset.replace(" ", "") in ("charset=utf-8", 'charset="utf-8"')


def _bearer(environ: dict[str, Any]) -> str:
    scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _NotHere
    return token


class FastIngest:
    """WSGI middleware in front of the Flask app (inside ``ProxyFix`` when there is one)."""

    def __init__(self, app: Flask, wsgi_app: WSGIApp) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        #: Requests answered here and handed to Flask after an attempt (for tests and the bench's notes).
        self.served = 0
        self.handed_back = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or not self.app.config.get("FAST_INGEST", True)
        ):
            return self.wsgi_app(environ, start_response)
        try:
            length = int(environ.get("CONTENT_LENGTH") or -1)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY or not _json_type(environ.get("CONTENT_TYPE", "")):
            return self.wsgi_app(environ, start_response)
        body = environ["wsgi.input"].read(length)
        try:
            answer = self._answer(environ, body)
        except Exception:  # noqa: BLE001 — every failure is Flask's to answer, after the rollback
            answer = None
        if answer is None:
            self.handed_back += 1
            environ["wsgi.input"] = io.BytesIO(body)
            return self.wsgi_app(environ, start_response)
        self.served += 1
        created, data = answer
        start_response(
            _STATUS[created],
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(data))),
                ("Cache-Control", "no-store"),
                ("Content-Security-Policy", self._policy()),
                ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "same-origin"),
                ("Vary", "Cookie"),
            ],
        )
        return [data]

    def _policy(self) -> str:
        before, after = security.policy_around_nonce(self.app.config.get("TILES", "osm"))
        return f"{before}{security.new_nonce()}{after}"

    def _answer(self, environ: dict[str, Any], body: bytes) -> tuple[bool, bytes] | None:
        """(created, the JSON answer) once committed; None when Flask must answer (nothing kept)."""
        token = _bearer(environ)
        payload = self.app.json.loads(body)
        if not isinstance(payload, dict):
            raise _NotHere
        # Flask's request context reuses an app context of this app already pushed (tests push one),
        # and otherwise pushes its own, whose end removes the session: the same here.
        context = None
        if not (has_app_context() and current_app._get_current_object() is self.app):  # type: ignore[attr-defined]
            context = self.app.app_context()
            context.push()
        error: BaseException | None = None
        answer: tuple[bool, bytes] | None = None
        try:
            connection, work, own = self._begin()
            try:
                sender = participants.get_sender_by_token(token, connection=connection)
                observation, created = observations.submit_observation(
                    sender, payload, json_client=True, connection=connection
                )
            except BaseException:
                try:
                    work.rollback()
                finally:
                    if own:
                        connection.close()
                raise
            try:
                work.commit()
            finally:
                # back to the pool at once: SQLite's write lock (and the process's write gate,
                # webapp/write_gate.py) is held from the insert to here, for no longer
                if own:
                    connection.close()
            # A new observation's answer is made of plain values. (Should making it fail now, Flask
            # answers the request again: the row is stored, so it answers 200 with it, as to any resend.)
            answer = (created, self._document(environ, observation))
        except Exception as exc:  # noqa: BLE001 — Flask answers every failure, after the rollback above
            error = exc
        finally:
            if context is not None:
                context.pop(error)
        if error is not None and not isinstance(error, DomainError | observations.NotPlain):
            # A refusal is the view's to give; anything else (a locked database…) is worth a line.
            # The class only: its text may quote the statement's parameters.
            logger.info("fast ingest: handed to Flask after %s", type(error).__name__)
        return answer

    @staticmethod
    def _begin() -> tuple[Connection, Transaction, bool]:
        """A connection and transaction of the request's own, without the session: (connection,
        transaction, whether to close the connection after it). The session's ``begin``, ``commit``
        and ``close`` cost about 110 µs of the 700 µs this path takes in process (bench/README.md,
        eighteenth pass). Where the app is bound to a connection rather than an engine (the tests'
        outer transaction), the work is a savepoint on it, as the session's would be."""
        bind = db.engines[None]
        if isinstance(bind, Connection):
            return bind, bind.begin_nested(), False
        connection = bind.connect()
        try:
            return connection, connection.begin(), True
        except BaseException:
            connection.close()
            raise

    def _document(self, environ: dict[str, Any], observation: Any) -> bytes:
        """The view's answer (``api.blueprint.create_observation``): the observation as its author sees it."""
        from webapp.api.blueprint import observation_to_dict

        if observation.zone is None:
            # « outside the zones », in the language Flask's request would have chosen
            with i18n.forced_language(i18n.language_of_environ(environ)):
                return self._dump(observation_to_dict(observation))
        return self._dump(observation_to_dict(observation))

    def _dump(self, document: dict[str, Any]) -> bytes:
        """The bytes ``jsonify`` would send (the app's provider: compact unless debugging)."""
        provider = self.app.json
        compact = getattr(provider, "compact", None)
        if (compact is None and self.app.debug) or compact is False:
            text = provider.dumps(document, indent=2)
        else:
            text = provider.dumps(document, separators=(",", ":"))
        return f"{text}\n".encode()


def install(app: Flask) -> None:
    """Put the layer in front of the app's WSGI callable."""
    app.wsgi_app = FastIngest(app, app.wsgi_app)  # type: ignore[method-assign]
