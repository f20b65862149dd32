"""SVG charts of a summary (matplotlib, Agg): theme × polarity bars and comparison bars.

The same numbers give the same SVG, so recent charts are cached (a debrief reloads the same page).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from webapp.models.enums import Polarity
from webapp.services.summaries import GroupComparison, GroupStat, Summary, ThemeRow


def _svg(fig: Any) -> str:
    from matplotlib import pyplot as plt

    out = io.StringIO()
    try:
        fig.savefig(out, format="svg", bbox_inches="tight")
    finally:
        plt.close(fig)
    text = out.getvalue()
    # Drop the XML prolog and DOCTYPE (so the SVG can sit inline in HTML) and the RDF metadata.
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"font.size": 9, "svg.fonttype": "path", "svg.hashsalt": "arpenteur"})
    return plt


@dataclass(frozen=True)
class ChartWords:
    """The words a chart shows, in the page's language (part of the cache key of a chart)."""

    negative: str
    positive: str
    neutral: str
    count_axis: str
    no_observation: str
    share_axis: str
    no_data: str
    #: ``{share}``, ``{count}``; and ``{feeling}`` appended when there is a mean feeling
    bar: str
    feeling: str


def _chart_words() -> ChartWords:
    from flask_babel import gettext as _

    return ChartWords(
        negative=Polarity.NEGATIVE.group_label,
        positive=Polarity.POSITIVE.group_label,
        neutral=Polarity.NEUTRAL.group_label,
        count_axis=_("Nombre d'observations"),
        no_observation=_("Aucune observation"),
        share_axis=_("Part de problèmes (%)"),
        no_data=_("Aucune donnée"),
        bar=_("{share} % (sur {count})"),
        feeling=_(", ressenti {feeling}/5"),
    )


def chart_theme_polarity(summary: Summary) -> str:
    """Horizontal stacked bars: problems, assets and neutral observations per theme (SVG)."""
    return _theme_chart(tuple(summary.themes), _chart_words())


# Charts depend only on a few numbers and take tens of milliseconds each: the same numbers give
# the same SVG, so recent ones are kept (a debrief reloads the same page many times).
@lru_cache(maxsize=256)
def _theme_chart(themes: tuple[ThemeRow, ...], words: ChartWords) -> str:
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    rows = list(reversed(themes))
    fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.32 * len(rows) + 0.8)))
    labels = [r.label for r in rows]
    left = [0] * len(rows)
    for attr, label, color in (
        ("negative", words.negative, "#C62828"),
        ("positive", words.positive, "#2E7D32"),
        ("neutral", words.neutral, "#9E9E9E"),
    ):
        values = [getattr(r, attr) for r in rows]
        ax.barh(labels, values, left=left, color=color, label=label)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total + 0.2, y, str(total), va="center", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left, default=0) * 1.12 + 1)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_xlabel(words.count_axis)
    if not rows:
        ax.text(0.5, 0.5, words.no_observation, ha="center", va="center", transform=ax.transAxes)
    return _svg(fig)


def chart_comparison(comparison: GroupComparison, *, title: str | None = None) -> str:
    """Bars of the share of problems per group, with the counts written on them (SVG); ``title``
    replaces the comparison's own."""
    return _comparison_chart(title or comparison.title, tuple(comparison.groups), _chart_words())


@lru_cache(maxsize=256)
def _comparison_chart(title: str, all_groups: tuple[GroupStat, ...], words: ChartWords) -> str:
    plt = _pyplot()
    groups = [g for g in all_groups if g.count]
    fig, ax = plt.subplots(figsize=(4.5, max(1.4, 0.4 * len(groups) + 0.7)))
    labels = [g.label for g in groups]
    values = [g.negative_share or 0 for g in groups]
    ax.barh(labels, values, color="#C62828")
    for y, g in enumerate(groups):
        feeling = words.feeling.format(feeling=f"{g.avg_feeling:.1f}") if g.avg_feeling is not None else ""
        ax.text(
            (g.negative_share or 0) + 1,
            y,
            words.bar.format(share=f"{g.negative_share or 0:.0f}", count=g.count) + feeling,
            va="center",
            fontsize=8,
        )
    ax.set_xlim(0, 140)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(words.share_axis)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, fontsize=9, loc="left")
    if not groups:
        ax.text(0.5, 0.5, words.no_data, ha="center", va="center", transform=ax.transAxes)
    return _svg(fig)
