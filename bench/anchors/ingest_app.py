"""Anchor of the ingest path: a bare Flask + Flask-SQLAlchemy app that inserts one row per POST.

Same gunicorn shape, same SQLite driver (sqlean) and pragmas (WAL, synchronous=NORMAL) as the
product; it parses the JSON body, inserts one ORM row with the client UUID and answers 201 with it.

    ARPENTEUR_BENCH_ANCHOR_DB=/tmp/a.sqlite gunicorn -w 1 --threads 8 bench.anchors.ingest_app:app
"""

from __future__ import annotations

import os
import uuid

import sqlean
from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = (
    f"sqlite:///{os.environ.get('ARPENTEUR_BENCH_ANCHOR_DB', 'anchor.sqlite')}"
)
app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"module": sqlean, "connect_args": {"timeout": 10}}
db = SQLAlchemy(app, session_options={"expire_on_commit": False})


class Row(db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(unique=True)
    body: Mapped[str]


with app.app_context():

    @event.listens_for(db.engine, "connect")
    def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    db.create_all()


@app.post("/api/v1/observations")
def insert():  # type: ignore[no-untyped-def]
    body = request.get_json()
    row = Row(client_uuid=str(uuid.UUID(body["client_uuid"])), body=str(body.get("answers")))
    db.session.add(row)
    db.session.commit()
    return jsonify({"id": row.id, "client_uuid": row.client_uuid}), 201
