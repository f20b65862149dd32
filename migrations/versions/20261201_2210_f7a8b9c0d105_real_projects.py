"""real projects: forms stored as versions, walk planning fields and form, QPV a project leaves out

Revision ID: f7a8b9c0d105
Revises: e6f7a8b9c004
Create Date: 2026-12-01 22:10:00

Rules: one change per migration; it must upgrade AND downgrade on SQLite + SpatiaLite and on
PostgreSQL + PostGIS (the test suite runs both ways on both); keep it compatible with the code
that is running while it applies (add before use, drop after the code stopped using it).

Columns are added with plain ADD COLUMN and no foreign key, never a batch rebuild: on SQLite a rebuild
drops `walks`, and with foreign keys on that would cascade to every stop and observation. A walk names
its form by key and version, as observations do. Existing walks get the form their observations were
made with (the shipped default grid, version 1). The shipped definitions present today (the default
grid, versions 1 and 2) are inserted here, from their files, which never change (HASHES.txt); a later
shipped version comes with its own migration.
"""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from alembic import op
import sqlalchemy as sa
import yaml
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "f7a8b9c0d105"
down_revision = "e6f7a8b9c004"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
DEFINITIONS = Path(__file__).resolve().parents[2] / "mobile_forms" / "definitions"
SHIPPED = ("marche_exploratoire.v1.yaml", "marche_exploratoire.v2.yaml")


def _shipped_rows():
    now = datetime.now(UTC)
    for name in SHIPPED:
        content = (DEFINITIONS / name).read_bytes()
        data = yaml.safe_load(content.decode("utf-8"))
        yield {
            "key": data["key"],
            "version": data["version"],
            "title": data["title"]["fr"],
            "definition": data,
            "content_hash": hashlib.sha256(content).hexdigest(),
            "origin": "shipped",
            "source_name": name,
            "import_report": {},
            "created_at": now,
        }


def upgrade():
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("import_report", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("origin IN ('shipped', 'xlsform')", name=op.f("ck_form_versions_origin")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_form_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_versions")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_form_versions_key_version")),
    )
    form_versions = sa.table(
        "form_versions",
        *(
            sa.column(name, type_)
            for name, type_ in (
                ("key", sa.String()),
                ("version", sa.Integer()),
                ("title", sa.String()),
                ("definition", JSON),
                ("content_hash", sa.String()),
                ("origin", sa.String()),
                ("source_name", sa.String()),
                ("import_report", JSON),
                ("created_at", sa.DateTime(timezone=True)),
            )
        ),
    )
    op.bulk_insert(form_versions, list(_shipped_rows()))
    op.add_column("projects", sa.Column("excluded_qpv_codes", JSON, server_default="[]", nullable=False))
    op.add_column("walks", sa.Column("form_key", sa.String(length=64), nullable=True))
    op.add_column("walks", sa.Column("form_version", sa.Integer(), nullable=True))
    op.add_column(
        "walks", sa.Column("meeting_point", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column(
        "walks", sa.Column("group_description", sa.String(length=200), server_default="", nullable=False)
    )
    op.add_column("walks", sa.Column("expected_size", sa.Integer(), nullable=True))
    op.execute("UPDATE walks SET form_key = 'marche_exploratoire', form_version = 1 WHERE form_key IS NULL")


def downgrade():
    # SQLite >= 3.35 drops a column in place (no rebuild, stops and observations untouched).
    op.drop_column("walks", "expected_size")
    op.drop_column("walks", "group_description")
    op.drop_column("walks", "meeting_point")
    op.drop_column("walks", "form_version")
    op.drop_column("walks", "form_key")
    op.drop_column("projects", "excluded_qpv_codes")
    op.drop_table("form_versions")
