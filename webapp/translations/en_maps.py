"""English of the project maps' strings (issue 13: maps ahead)."""

EN = {
    "Observations ({count})": "Observations ({count})",
    "Graphique : les nombres sont dans le tableau ci-dessus.": "Chart: the numbers are in the table above.",
    "Graphique : les nombres sont dans le tableau des comparaisons.": (
        "Chart: the numbers are in the comparisons table."
    ),
    "Cases à cocher de la légende : les thèmes affichés. Couches de la carte : les observations, les zones "
    "(nombre d'observations, part de problèmes), la carte de chaleur du harcèlement (par carreaux de 100 m "
    "environ). Sans fond de carte, les données restent visibles.": (
        "The legend's check boxes: the themes shown. Map layers: the observations, the zones (number of "
        "observations, share of problems), the harassment heat map (in squares of about 100 m). Without "
        "a base map, the data stay visible."
    ),
}
