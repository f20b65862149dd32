"""Partner and public pages reach data only through the privacy gate, ``services.partner_views``.

The partners' blueprint, the public blueprint and the helper they share (``partners/embed.py``) may
use, of ``webapp.services``, the public names of ``partner_views`` (the read-only gate) and
``partner_answers`` (what partners write, after its own checks), and nothing else: no other
service, no model query, no ``db``. An AST walk checks it, so a new page that reaches around the
gate fails here before it leaks anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from webapp.services import partner_answers, partner_views

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
PAGES = [
    WEBAPP / "partners" / "blueprint.py",
    WEBAPP / "partners" / "embed.py",
    WEBAPP / "public" / "blueprint.py",
]
GATES = {"partner_views": partner_views, "partner_answers": partner_answers}
#: Other service functions these pages may call, and why they show nothing of the data.
ALSO_ALLOWED = {("projects", "count_projects"): "the health check: answers {'status': 'ok'}, nothing else"}
#: Never imported by these pages: the database, queries and models' query helpers.
FORBIDDEN_MODULES = {"sqlalchemy", "geoalchemy2", "webapp.extensions"}


def gate_problems(source: str) -> list[str]:
    """What in ``source`` reaches data other than through the gates' public names."""
    tree = ast.parse(source)
    problems: list[str] = []
    services: dict[str, str] = {}  # local name -> service module name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module in FORBIDDEN_MODULES or node.module.split(".")[0] in FORBIDDEN_MODULES:
                problems.append(f"imports {node.module}")
            if node.module == "webapp.services":
                for alias in node.names:
                    services[alias.asname or alias.name] = alias.name
            elif node.module.startswith("webapp.services."):
                name = node.module.removeprefix("webapp.services.")
                for alias in node.names:
                    if (
                        name not in GATES
                        or alias.name.startswith("_")
                        or alias.name not in GATES[name].__all__
                    ):
                        problems.append(f"imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if (
                    alias.name.split(".")[0] in FORBIDDEN_MODULES
                    or alias.name in FORBIDDEN_MODULES
                    or alias.name.startswith("webapp.services.")
                ):
                    problems.append(f"imports {alias.name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in services:
            module = services[node.value.id]
            if module in GATES:
                if node.attr.startswith("_") or node.attr not in GATES[module].__all__:
                    problems.append(f"{module}.{node.attr} is not a public name of the gate")
            elif (module, node.attr) not in ALSO_ALLOWED:
                problems.append(f"{module}.{node.attr} reaches around the gate")
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_partner_and_public_pages_reach_data_only_through_the_gate(path: Path) -> None:
    assert gate_problems(path.read_text(encoding="utf-8")) == []


def test_every_name_the_gates_export_exists() -> None:
    for module in GATES.values():
        assert all(hasattr(module, name) for name in module.__all__), module.__name__


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from webapp.services import summaries\nsummaries.summarise(f)\n", "summaries.summarise reaches"),
        ("from webapp.services import partner_views\npartner_views._validated(p)\n", "not a public name"),
        ("from webapp.services.summaries import summarise\n", "imports summarise"),
        ("from webapp.extensions import db\n", "imports webapp.extensions"),
        ("def page():\n    from sqlalchemy import select\n", "imports sqlalchemy"),
    ],
)
def test_the_gate_check_catches_a_page_that_reaches_around_it(source: str, found: str) -> None:
    assert any(found in problem for problem in gate_problems(source))
