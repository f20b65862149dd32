"""The file a command writes (``-o``): checked before any work is done, so a wrong folder is one clear
line, not a traceback after a long export."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click


class OutputFile(click.Path):
    """A file to write: its folder must exist and be writable (an existing file too, it is replaced)."""

    def __init__(self) -> None:
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        folder = path.parent
        if not folder.is_dir():
            self.fail(f"le dossier « {folder} » n'existe pas.", param, ctx)
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            self.fail(f"impossible d'écrire « {path} » (droits insuffisants).", param, ctx)
        return path
