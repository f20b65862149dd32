"""Run every benchmark module in this folder that has a ``main()``."""

import importlib
import pkgutil
from pathlib import Path

for module_info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
    if module_info.name.startswith("_"):
        continue
    module = importlib.import_module(f"bench.{module_info.name}")
    if hasattr(module, "main"):
        print(f"\n## {module_info.name}")
        module.main([])
