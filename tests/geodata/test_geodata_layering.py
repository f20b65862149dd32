"""geodata stays below the web app: no Flask, web app or database code, and folium only in maps.py.

Two checks, as for ``mobile_forms`` (tests/mobile_forms/test_form_layering.py): importing every
module loads none of those packages, and no module names one in an import statement, even inside
a function (a lazy import would escape the first check).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

GEODATA = Path(__file__).resolve().parents[2] / "geodata"
FORBIDDEN = {
    "flask",
    "flask_sqlalchemy",
    "webapp",
    "sqlalchemy",
    "geoalchemy2",
    "psycopg",
    "sqlite3",
    "sqlean",
}
#: folium (and branca, which it draws with) are for the map builders only; assets.py rewrites
#: folium's rendered HTML and types its ``Figure`` argument, without drawing anything.
FOLIUM = {"folium", "branca"}
FOLIUM_ALLOWED = {"maps.py", "assets.py"}


def imported_roots(source: str) -> set[str]:
    """The top-level package of every module an import statement names (anywhere in the file)."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_importing_every_geodata_module_loads_no_flask_webapp_or_database_code() -> None:
    modules = sorted(f"geodata.{p.stem}" for p in GEODATA.glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("path", sorted(GEODATA.rglob("*.py")), ids=lambda p: p.name)
def test_no_geodata_module_imports_flask_webapp_or_the_database(path: Path) -> None:
    assert imported_roots(path.read_text(encoding="utf-8")) & FORBIDDEN == set()


def test_folium_is_imported_by_the_map_builders_only() -> None:
    using = {p.name for p in GEODATA.rglob("*.py") if imported_roots(p.read_text(encoding="utf-8")) & FOLIUM}
    assert using <= FOLIUM_ALLOWED, sorted(using - FOLIUM_ALLOWED)
    assert "maps.py" in using


def test_the_import_check_sees_imports_inside_functions() -> None:
    """The rule is really checked: a lazy import of the database inside a function is caught."""
    source = "def helper():\n    from webapp.extensions import db\n    import sqlalchemy\n    return db\n"
    assert imported_roots(source) & FORBIDDEN == {"webapp", "sqlalchemy"}
