"""Alembic options shared by ``flask db`` and the tests: GeoAlchemy2 helpers; SpatiaLite's tables ignored."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import alembic_helpers

#: SpatiaLite's own tables: autogenerate must never try to drop them.
SPATIALITE_TABLES = {
    "KNN",
    "KNN2",
    "SpatialIndex",
    "ElementaryGeometries",
    "data_licenses",
    "sql_statements_log",
    "spatial_ref_sys",
    "spatial_ref_sys_aux",
    "spatialite_history",
}
SPATIALITE_PREFIXES = (
    "geometry_columns",
    "views_geometry_columns",
    "virts_geometry_columns",
    "vector_layers",
    "SE_",
    "rl2",
    "vector_coverages",
    "raster_coverages",
    "wms_",
    "idx_",
    "topologies",
    "networks",
    "ISO_metadata",
    "sqlite_",
)


#: Indexes made on one database only (``Index.ddl_if``): the comparison of the models with a database
#: leaves them out, and ``tests/webapp/test_observation_facts.py`` checks each is where it belongs.
DIALECT_INDEXES = ("ix_observation_facts_summary", "ix_observation_facts_walk")


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Skip database-owned tables (SpatiaLite metadata, R*Tree indexes, PostGIS's spatial_ref_sys), and
    the indexes only one database has."""
    if type_ == "index" and name in DIALECT_INDEXES:
        return False
    if (
        type_ == "table"
        and reflected
        and compare_to is None
        and name is not None
        and (name in SPATIALITE_TABLES or name.startswith(SPATIALITE_PREFIXES))
    ):
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def process_revision_directives(context: Any, revision: Any, directives: list[Any]) -> None:
    """Use GeoAlchemy2's spatial operations, and write no file when nothing changed."""
    alembic_helpers.writer(context, revision, directives)
    cmd_opts = getattr(context.config, "cmd_opts", None)
    if getattr(cmd_opts, "autogenerate", False) and directives and directives[0].upgrade_ops.is_empty():
        directives[:] = []


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our column types with plain SQLAlchemy ones, so migrations never import app code."""
    from webapp.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return alembic_helpers.render_item(type_, obj, autogen_context)


def alembic_options() -> dict[str, Any]:
    """Keyword arguments for ``context.configure`` (Flask-Migrate passes them through)."""
    return {
        "include_object": include_object,
        "render_item": render_item,
        "process_revision_directives": process_revision_directives,
        "compare_type": True,
        "render_as_batch": True,
    }
