"""The table `make bench` prints: one line per path, product and anchor timed in the same run.

Absolute times on a shared 2-core machine move by ±20–50 % from one run to the next; the ratio of
the product to an anchor measured in the same run, interleaved (A, P, A, P…), moves much less. Each
benchmark module offers ``lines(scale) -> list[Line]``; :func:`interleave` gives the medians.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One row of the table."""

    #: What is measured (the path and its size).
    path: str
    #: The product's figure and the anchor's, in ``unit``.
    product: float
    anchor: float
    unit: str
    #: The ratio as the goal reads it (usually product / anchor; for throughput, product / anchor too,
    #: with a ``>=`` goal), the goal's text and whether it is met.
    ratio: float
    goal: str
    met: bool
    #: Anything else worth reading next to the figures (sizes, p99, statements).
    note: str = ""


def slower_ratio(
    path: str, product: float, anchor: float, unit: str, *, at_most: float, note: str = ""
) -> Line:
    """A line where smaller is better: ratio = product / anchor, goal ratio ≤ ``at_most``."""
    ratio = product / anchor if anchor else float("inf")
    return Line(path, product, anchor, unit, ratio, f"≤ {at_most:g}×", ratio <= at_most, note)


def interleave(anchor: Callable[[], float], product: Callable[[], float], runs: int) -> tuple[float, float]:
    """Medians of ``runs`` anchor and product measurements taken A, P, A, P…; each callable returns
    its own figure (a time in seconds unless it says otherwise)."""
    anchors, products = [], []
    for _ in range(runs):
        anchors.append(anchor())
        products.append(product())
    return statistics.median(products), statistics.median(anchors)


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    """A callable returning how long ``fn`` took, in seconds."""

    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return run


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "B":
        return f"{value / 1024:.1f} KiB"
    return f"{value:,.1f} {unit}"


def render(lines: list[Line]) -> str:
    """The Markdown table."""
    out = [
        "| path | product | anchor | ratio | goal | met | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for line in lines:
        out.append(
            f"| {line.path} | {_figure(line.product, line.unit)} | {_figure(line.anchor, line.unit)} "
            f"| {line.ratio:.2f} | {line.goal} | {'yes' if line.met else '**NO**'} | {line.note} |"
        )
    return "\n".join(out)
