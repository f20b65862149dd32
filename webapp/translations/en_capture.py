"""English texts of the residents' pages (capture, my data, offline page); see make_en.py."""

EN = {
    "Position inconnue : choisissez l'arrêt le plus proche ou touchez la carte.": (
        "Position unknown: choose the nearest stop or tap the map."
    ),
    "Position non disponible : choisissez l'arrêt le plus proche ou touchez la carte pour placer le repère.": (
        "Position not available: choose the nearest stop or tap the map to place the marker."
    ),
    "Repère de l'observation précédente : déplacez-le si vous avez bougé.": (
        "Marker of the previous observation: move it if you have moved."
    ),
    "Repère placé à l'arrêt {n}.": "Marker placed at stop {n}.",
    "pas de réseau, nouvel essai automatique": "no network, will try again by itself",
    "serveur occupé, nouvel essai automatique": "server busy, will try again by itself",
    "refusée par le serveur": "refused by the server",
    "Zoomer": "Zoom in",
    "Dézoomer": "Zoom out",
    "à {time}": "at {time}",
    "Ce que veut dire « %(theme)s »": "What “%(theme)s” means",
    "L'endroit exact ne sera jamais montré en dehors de l'équipe d'animation.": (
        "The exact place will never be shown outside the facilitation team."
    ),
    "Écrivez seulement ce que vous voulez, sans nom.": "Write only what you want to, without names.",
    "Besoin d'aide, maintenant ou plus tard ?": "Need help, now or later?",
    "police": "police",
    "urgences": "emergencies",
    "114 par SMS": "114 by text message",
    "si vous ne pouvez pas parler": "if you cannot speak",
    "violences faites aux femmes, gratuit et anonyme": "violence against women, free and anonymous",
    "enfants et ados en danger": "children and teenagers in danger",
    "Préciser (facultatif)": "More precisely (optional)",
    "✓ Cette page marche aussi sans réseau.": "✓ This page also works without a network.",
    "à %(time)s": "at %(time)s",
    "Observation": "Observation",
    "Rejoindre à nouveau cette marche": "Join this walk again",
    "Aller à l'accueil": "Go to the home page",
    "Ce qui est gardé à votre sujet, sans nom ni adresse :": "What is kept about you, with no name or address:",
    "Votre profil : %(answers)s": "Your profile: %(answers)s",
    "Votre profil : aucune réponse": "Your profile: no answers",
    "Ce téléphone reste lié à la marche jusqu'au %(at)s.": "This phone stays linked to the walk until %(at)s.",
    "Télécharger mes données": "Download my data",
    "Un fichier JSON, lisible par un tableur ou un éditeur de texte.": (
        "A JSON file, readable in a spreadsheet or a text editor."
    ),
    "Toutes vos observations, leurs photos et votre profil seront effacés. On ne pourra pas les retrouver.": (
        "All your observations, their photos and your profile will be erased. They cannot be recovered."
    ),
    "Oui, je veux tout effacer. C'est définitif.": "Yes, I want to erase everything. It is final.",
    "Effacer définitivement": "Erase for good",
    "Retour à mes observations": "Back to my observations",
    "Hors connexion": "Offline",
    "Pas de réseau pour l'instant": "No network for now",
    "Cette page n'a pas encore été ouverte sur ce téléphone avec du réseau, donc elle n'y est pas gardée.": (
        "This page has not yet been opened on this phone with a network, so it is not kept here."
    ),
    "Les observations déjà enregistrées restent sur le téléphone : elles partiront dès le retour du réseau.": (
        "Observations already saved stay on the phone: they will be sent when the network is back."
    ),
}
