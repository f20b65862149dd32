"""English of the capture page's lighter pin map and its update notice (issue 13)."""

EN = {
    "Placer le repère sur une carte": "Place the pin on a map",
    "Fermer la carte": "Close the map",
    "Une nouvelle version de cette page est prête ; vos observations restent sur le téléphone.": (
        "A new version of this page is ready; your observations stay on the phone."
    ),
    "Mettre à jour": "Update",
}
