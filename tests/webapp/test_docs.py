"""The README documents every setting and every command (tests fail when something is undocumented)."""

from __future__ import annotations

from pathlib import Path

import click

from webapp import config
from webapp.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_setting_is_documented_in_the_readme():
    missing = [name for name in config.DEFAULTS if f"ARPENTEUR_{name}" not in README]
    assert missing == []


def _commands(group: click.Group, ctx: click.Context, prefix: str = "") -> list[str]:
    names = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            names += _commands(command, ctx, f"{prefix}{name} ")
        else:
            names.append(f"{prefix}{name}")
    return names


def test_every_project_command_is_documented_in_the_readme(app):
    ctx = click.Context(main, obj=None)
    with ctx.scope():
        ours = [
            name for name in _commands(app.cli, ctx) if not name.startswith(("db ", "routes", "shell", "run"))
        ]
    assert ours, "no commands found"
    missing = [name for name in ours if f"arpenteur {name}" not in README]
    assert missing == []
