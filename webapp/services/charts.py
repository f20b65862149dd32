"""SVG charts of a summary (matplotlib, Agg): theme × polarity bars and comparison bars.

Readable by everyone: the polarity colours come from the Okabe–Ito palette (safe for the common
colour-vision deficiencies: vermillion for problems, blue for assets, grey for neutral), every bar
carries its number, and text is 12 pt in a figure drawn at its own width (not shrunk by the page).
A selection with nothing to draw gives no chart at all (``""``): the page writes a sentence instead.
The same numbers give the same SVG, so recent charts are cached (a debrief reloads the same page).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geodata.static_map import svg_of
from webapp.models.enums import Polarity
from webapp.services.summaries import GroupComparison, GroupStat, Summary, ThemeRow

#: Okabe–Ito colours by polarity, with the text colour that reads on each.
POLARITY_COLOURS = {
    "negative": ("#D55E00", "#000000"),
    "positive": ("#0072B2", "#FFFFFF"),
    "neutral": ("#BBBBBB", "#000000"),
}
#: Text size of every chart, in points (12 pt ≈ 16 px at 100 %).
FONT_PT = 12


def _svg(fig: Any, *, for_pdf: bool) -> str:
    from matplotlib import pyplot as plt

    try:
        text = svg_of(fig, for_pdf=for_pdf)
    finally:
        plt.close(fig)
    # Drop the XML prolog and DOCTYPE (so the SVG can sit inline in HTML) and the RDF metadata.
    text = text[text.index("<svg") :]
    return re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update({"font.size": FONT_PT, "svg.hashsalt": "arpenteur"})
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


def chart_theme_polarity(summary: Summary, *, for_pdf: bool = False) -> str:
    """Horizontal stacked bars: problems, assets and neutral observations per theme (SVG; ``for_pdf``:
    its text kept as text, see ``geodata.static_map.svg_of``)."""
    return _theme_chart(tuple(summary.themes), _chart_words(), for_pdf)


# Charts depend only on a few numbers and take tens of milliseconds each: the same numbers give
# the same SVG, so recent ones are kept (a debrief reloads the same page many times).
@lru_cache(maxsize=256)
def _theme_chart(themes: tuple[ThemeRow, ...], words: ChartWords, for_pdf: bool = False) -> str:
    rows = [r for r in reversed(themes) if r.total]
    if not rows:
        return ""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7.5, max(1.8, 0.45 * len(rows) + 1.1)))
    labels = [r.label for r in rows]
    left = [0] * len(rows)
    for attr, label in (
        ("negative", words.negative),
        ("positive", words.positive),
        ("neutral", words.neutral),
    ):
        colour, ink = POLARITY_COLOURS[attr]
        values = [getattr(r, attr) for r in rows]
        ax.barh(labels, values, left=left, color=colour, label=label, edgecolor="white", linewidth=0.8)
        for y, (start, value) in enumerate(zip(left, values, strict=True)):
            if value:
                ax.text(
                    start + value / 2, y, str(value), ha="center", va="center", color=ink, fontsize=FONT_PT
                )
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        ax.text(total + 0.15, y, f"= {total}", va="center", fontsize=FONT_PT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, max(left, default=0) * 1.18 + 1)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(rows) > 3 else -0.35), ncol=3, frameon=False
    )
    ax.set_xlabel(words.count_axis)
    return _svg(fig, for_pdf=for_pdf)


def chart_comparison(comparison: GroupComparison, *, title: str | None = None, for_pdf: bool = False) -> str:
    """Bars of the share of problems per group, with the counts written on them (SVG); ``title``
    replaces the comparison's own; ``for_pdf`` as for :func:`chart_theme_polarity`."""
    return _comparison_chart(title or comparison.title, tuple(comparison.groups), _chart_words(), for_pdf)


@lru_cache(maxsize=256)
def _comparison_chart(
    title: str, all_groups: tuple[GroupStat, ...], words: ChartWords, for_pdf: bool = False
) -> str:
    groups = [g for g in all_groups if g.count]
    if not groups:
        return ""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, max(1.6, 0.5 * len(groups) + 1.0)))
    labels = [g.label for g in groups]
    values = [g.negative_share or 0 for g in groups]
    ax.barh(labels, values, color=POLARITY_COLOURS["negative"][0])
    for y, g in enumerate(groups):
        feeling = words.feeling.format(feeling=f"{g.avg_feeling:.1f}") if g.avg_feeling is not None else ""
        ax.text(
            (g.negative_share or 0) + 1,
            y,
            words.bar.format(share=f"{g.negative_share or 0:.0f}", count=g.count) + feeling,
            va="center",
            fontsize=FONT_PT,
        )
    ax.set_xlim(0, 160)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_xlabel(words.share_axis)
    ax.invert_yaxis()
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left")
    return _svg(fig, for_pdf=for_pdf)


def chart_key(summary: Summary) -> str:
    """A short key of everything a summary's charts draw (numbers, labels, words of this language).

    It goes into the charts' URLs (``?v=``) and ETags: a chart URL with a key always shows the same
    picture, so browsers may keep it; new numbers give a new key, hence a new URL.
    """
    words = _chart_words()
    drawn = (
        summary.themes,
        [(c.kind, str(c.title), c.groups) for c in summary.comparisons],
        [str(getattr(words, name)) for name in ChartWords.__dataclass_fields__],
    )
    return hashlib.sha256(repr(drawn).encode()).hexdigest()[:16]


def chart_names(summary: Summary) -> list[str]:
    """The names of the summary's charts as URLs give them: ``themes``, then ``comparison-<n>``."""
    return ["themes"] + [f"comparison-{i}" for i in range(len(summary.comparisons))]


def chart_by_name(summary: Summary, name: str) -> str:
    """One chart of the summary by its name (:func:`chart_names`): SVG, or ``""`` when it has nothing to
    draw or no such chart exists."""
    if name == "themes":
        return chart_theme_polarity(summary)
    prefix, _, number = name.partition("-")
    if prefix == "comparison" and number.isdigit() and int(number) < len(summary.comparisons):
        return chart_comparison(summary.comparisons[int(number)])
    return ""
