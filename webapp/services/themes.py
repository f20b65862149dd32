"""How a project's themes look: label (in the page's language), colour and sensitive flag, from its forms."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from geodata.map_style import ThemeStyle
from webapp.models import Project
from webapp.services import data_stamps, forms


def page_language() -> str:
    """The language labels are given in: the page's, or French outside a request."""
    from flask import g, has_request_context

    return str(g.get("lang", "fr")) if has_request_context() else "fr"


#: Theme styles by (project, data stamp, language): a project's forms change only with its stamp
#: (new walks or forms, observations made with another version; ``services.data_stamps``).
_styles = data_stamps.StampedCache(size=256)


def theme_styles(project: Project | int | None = None, *, lang: str | None = None) -> dict[str, ThemeStyle]:
    """Label, colour and sensitive flag of each theme of the forms the project uses, in form order.

    A project may have walks with different forms: every theme of each form used appears once (the
    default grid first, then by key; a key in several forms keeps the first form's look). Without a
    project: the default grid's newest version. Labels are in the page's language, or in ``lang``.
    """
    project_id = project.id if isinstance(project, Project) else project
    lang = lang or page_language()
    if project_id is None:
        return _theme_styles(None, lang)
    key = (project_id, data_stamps.current(project_id), lang)
    return dict(_styles.get_or_compute(key, lambda: _theme_styles(project_id, lang)))


def _theme_styles(project_id: int | None, lang: str) -> dict[str, ThemeStyle]:
    if project_id is None:
        definitions = [forms.parsed(forms.latest_form())]
        sensitive = forms.sensitive_themes({forms.DEFAULT_FORM_KEY})
    else:
        definitions = forms.project_definitions(project_id)
        sensitive = forms.project_sensitive_themes(project_id)
    styles: dict[str, ThemeStyle] = {}
    for definition in definitions:
        for theme in definition.themes:
            if theme.key not in styles:
                styles[theme.key] = ThemeStyle(
                    key=theme.key,
                    label=theme.label.get(lang),
                    color=theme.color,
                    sensitive=theme.key in sensitive,
                )
    return styles


def label_of(key: str | None, styles: Mapping[str, ThemeStyle]) -> str:
    """The label of theme ``key`` among ``styles`` (the key itself for a theme no form has)."""
    if key is None:
        return "—"
    style = styles.get(key)
    return style.label if style else key


def theme_labeller(project: Project | int | None) -> Callable[[str | None], str]:
    """``theme_label(key)`` for the templates of one project (its forms looked up once)."""
    styles = theme_styles(project)
    return lambda key: label_of(key, styles)


def theme_label(key: str | None, project: Project | int | None = None) -> str:
    """The label of one theme in the forms of ``project`` (several labels: :func:`theme_labeller`)."""
    return label_of(key, theme_styles(project))
