"""The words of the maps (``geodata.map_words.MapText``) in the page's language, in one place."""

from __future__ import annotations

from flask_babel import gettext as _

from geodata.map_words import MapText
from webapp.models.enums import Polarity


def map_text() -> MapText:
    """Every text a map builder needs, translated for this request."""
    return MapText(
        polarity={p.value: p.label for p in Polarity},
        legend=_("Légende"),
        zoom_in=_("Zoomer"),
        zoom_out=_("Dézoomer"),
        layers=_("Couches de la carte"),
        moderate=_("Voir l'observation n° {id} en modération"),
        fullscreen=_("Plein écran"),
        fullscreen_exit=_("Quitter le plein écran"),
        feeling=_("Ressenti : {value}/5"),
        proposal=_("Proposition :"),
        photo=_("Photo"),
        number=_("n° {id}"),
        stop=_("Arrêt {position}"),
        zones=_("Zones"),
        route=_("Itinéraire"),
        routes=_("Itinéraires"),
        stops=_("Arrêts"),
        grouped=_("Observations regroupées ({count})"),
        observations=_("Observations ({count})"),
        cell_count=_("{count} observations"),
        cell_share=_("Part de problèmes : {share} %"),
        cell_theme=_("Thème le plus fréquent : {theme}"),
        count_layer=_("Nombre d'observations"),
        share_layer=_("Part de problèmes (%)"),
        count_scale=_("Observations par zone :"),
        heatmap=_("{label} : carte de chaleur ({count})"),
        sensitive_default=_("Harcèlement ou incident"),
        sensitive_layer=_("{label} : carreaux ({count})"),
        sensitive_count=_("{label} : {count} signalements"),
        sensitive_cell=_("Regroupés dans un carreau de {size} m : le lieu exact n'est jamais affiché."),
        sensitive_legend=_("{label} : nombre de signalements par carreau (3 au moins)"),
    )
