"""`make bench`: every path against its anchor, one table; exits 1 when a goal is missed.

    .venv/bin/python -m bench [--scale quick|full] [--only ingest summaries ...]

``quick`` (the default) keeps sizes moderate (100,000 observations); ``full`` runs the sizes of the
goals (1,000,000 for summaries and re-assignment). Each module's own ``main()`` prints more detail
(``python -m bench.<module>``).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback

from bench._table import Line, render

#: Benchmark modules in table order (each has ``lines(scale)``).
MODULES = ["ingest", "summaries_query", "zone_assignment", "maps_page", "capture_page", "national_map"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["quick", "full"], default="quick")
    parser.add_argument("--only", nargs="+", choices=MODULES)
    args = parser.parse_args(argv)
    lines: list[Line] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in args.only or MODULES:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "lines"):
            continue
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            lines.extend(module.lines(args.scale))
        except Exception:  # noqa: BLE001  (one broken benchmark must not hide the others' figures)
            traceback.print_exc()
            failed.append(name)
    print(
        f"\n{platform.node()} · {platform.processor() or platform.machine()} · scale {args.scale} · "
        f"{time.perf_counter() - started:.0f} s\n"
    )
    print(render(lines))
    missed = [line.path for line in lines if not line.met]
    if failed:
        print(f"\nbenchmarks that failed to run: {', '.join(failed)}")
    if missed:
        print(f"\n{len(missed)} goal(s) missed.")
    return 1 if missed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
