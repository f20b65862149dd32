"""English texts of facilitator entry (the entry form, templates and their import); see make_en.py."""

EN = {
    # template columns
    "Numéro de la feuille papier (une par personne) : les lignes d'une même feuille comptent pour une "
    "seule personne. Facultatif.": "Number of the paper sheet (one per person): the rows of one sheet count "
    "one person. Optional.",
    "Numéro de l'arrêt le plus proche (voir l'onglet des codes). Ou bien longitude et latitude.": (
        "Number of the nearest stop (see the codes sheet). Or else longitude and latitude."
    ),
    "Longitude en degrés décimaux (WGS84), par exemple 2,2955. Seulement sans numéro d'arrêt.": (
        "Longitude in decimal degrees (WGS84), e.g. 2.2955. Only without a stop number."
    ),
    "Latitude en degrés décimaux (WGS84), par exemple 49,9196. Seulement sans numéro d'arrêt.": (
        "Latitude in decimal degrees (WGS84), e.g. 49.9196. Only without a stop number."
    ),
    "Date et heure, par exemple 12/03/2026 18:30 (heure de Paris). Vide : le jour de la marche, "
    "à son heure de début.": "Date and time, e.g. 12/03/2026 18:30 (Paris time). Blank: the day of the walk, "
    "at its start time.",
    "Code du thème (obligatoire, voir l'onglet des codes).": (
        "Code of the theme (required, see the codes sheet)."
    ),
    "Code du sous-thème, qui doit appartenir au thème. Facultatif.": (
        "Code of the sub-theme, which must belong to the theme. Optional."
    ),
    "Profil de la personne, par code. Facultatif : sans profil ni feuille, la ligne ne compte personne.": (
        "The person's profile, by code. Optional: with neither profile nor sheet, the row counts nobody."
    ),
    "Un code de la liste.": "A code from the list.",
    "Un ou plusieurs codes de la liste, séparés par des virgules.": (
        "One or more codes from the list, separated by commas."
    ),
    "Un nombre entier de %(min)s à %(max)s.": "A whole number from %(min)s to %(max)s.",
    "Texte libre sur une ligne.": "Free text on one line.",
    "Texte libre.": "Free text.",
    "Obligatoire.": "Required.",
    "Facultatif.": "Optional.",
    "Observations": "Observations",
    "Colonnes": "Columns",
    "Codes": "Codes",
    "Colonne": "Column",
    "Code": "Code",
    "Libellé": "Label",
    "Obligatoire": "Required",
    "Ce qu'on y écrit": "What to write",
    "oui": "yes",
    # the entry form
    "Repère de l'observation": "The observation's marker",
    "Repère placé : {lon}, {lat}": "Marker placed: {lon}, {lat}",
    "maintenant": "now",
    "Les photos choisies n'ont pas été gardées : choisissez-les à nouveau.": (
        "The chosen photos were not kept: choose them again."
    ),
    "Observation n° %(id)s enregistrée.": "Observation no. %(id)s saved.",
    "Cette observation était déjà enregistrée (n° %(id)s).": (
        "This observation was already saved (no. %(id)s)."
    ),
    "Nombre attendu, par exemple 2,2955.": "A number is expected, e.g. 2.2955.",
    "Date et heure attendues, par exemple 12/03/2026 18:30.": (
        "A date and time are expected, e.g. 12/03/2026 18:30."
    ),
    "Formulaire incomplet : rechargez la page.": "Incomplete form: reload the page.",
    "Choix inconnu.": "Unknown choice.",
    "À un arrêt": "At a stop",
    "Repère sur la carte ou coordonnées": "Marker on the map or coordinates",
    "Dites où.": "Say where.",
    "Longitude": "Longitude",
    "Entre -180 et 180 degrés.": "Between -180 and 180 degrees.",
    "Latitude": "Latitude",
    "Entre -90 et 90 degrés.": "Between -90 and 90 degrees.",
    "Date et heure": "Date and time",
    "Tranche d'âge": "Age band",
    "Situation": "Situation",
    "Thème": "Theme",
    "Sous-thème": "Sub-theme",
    "Choisissez l'arrêt le plus proche.": "Choose the nearest stop.",
    "Cet arrêt n'est pas sur cette marche.": "This stop is not on this walk.",
    "Placez le repère sur la carte, ou tapez longitude et latitude.": (
        "Place the marker on the map, or type longitude and latitude."
    ),
    "Saisir des observations": "Enter observations",
    "Saisie": "Entry",
    "Pour le groupe (un ou une secrétaire note pour celles et ceux qui n'ont pas de téléphone) ou depuis "
    "les feuilles papier. Chaque observation attend la modération, comme celles des téléphones.": (
        "For the group (a scribe writes for those without a phone) or from the paper sheets. Every "
        "observation waits for moderation, like those from phones."
    ),
    "Cette marche est terminée : sans date ni heure, une observation garde le jour de la marche.": (
        "This walk is over: without a date and time, an observation keeps the day of the walk."
    ),
    "Importer des feuilles (modèle rempli)": "Import sheets (filled-in template)",
    "Modèle XLSX": "XLSX template",
    "Modèle CSV": "CSV template",
    "Modérer": "Moderate",
    "Rien n'a été enregistré : corrigez ce qui est signalé.": (
        "Nothing was saved: correct what is pointed out."
    ),
    "1. Où ?": "1. Where?",
    "Comment indiquer le lieu": "How to give the place",
    "Cette marche n'a pas d'arrêts : placez un repère ou tapez les coordonnées.": (
        "This walk has no stops: place a marker or type the coordinates."
    ),
    "Ou bien : cliquez sur la carte (le repère se déplace à la souris), ou tapez les coordonnées en "
    "degrés décimaux.": "Or else: click the map (the marker can be dragged), or type the coordinates in "
    "decimal degrees.",
    "Carte de la marche : cliquez pour placer le repère": "Map of the walk: click to place the marker",
    "2. Quel thème ?": "2. Which theme?",
    "Thème sensible": "Sensitive theme",
    "(thème sensible)": "(sensitive theme)",
    "🔒 Thème sensible : le lieu exact n'est jamais publié ; la note, la photo et l'heure ne sont jamais "
    "montrées hors de l'équipe.": "🔒 Sensitive theme: the exact place is never published; the note, the "
    "photo and the time are never shown outside the team.",
    "facultatif": "optional",
    "3. Ce que la personne en dit": "3. What the person says",
    "%(n)s réponses au plus.": "At most %(n)s answers.",
    "facultatif, %(n)s au plus": "optional, %(n)s at most",
    "4. Qui ? (facultatif)": "4. Who? (optional)",
    "Sans profil, l'observation ne compte personne dans la composition du groupe. « Non précisé » compte "
    "une personne dont on ne sait rien.": "Without a profile, the observation counts nobody in the group's "
    "make-up. “Not given” counts a person we know nothing about.",
    "Profil gardé : les prochaines saisies comptent pour la même personne (même feuille).": (
        "Profile kept: the next entries count for the same person (same sheet)."
    ),
    "Autre personne": "Another person",
    "— pas de profil —": "— no profile —",
    "Non précisé": "Not given",
    "5. Quand ? (facultatif)": "5. When? (optional)",
    "Heure de Paris. Vide : %(when)s.": "Paris time. Blank: %(when)s.",
    "Vos dernières saisies": "Your latest entries",
    "ressenti %(n)s": "feeling %(n)s",
    "Repère": "Marker",
    "Hors zone": "Outside any zone",
    "avec profil": "with a profile",
    "sans profil": "without a profile",
    "Rien de saisi pour l'instant.": "Nothing entered yet.",
    # the import page
    "Fichier rempli (.xlsx ou .csv)": "Filled-in file (.xlsx or .csv)",
    "Choisissez le fichier à importer.": "Choose the file to import.",
    "Seuls les fichiers .xlsx et .csv sont acceptés.": "Only .xlsx and .csv files are accepted.",
    "%(stored)s observation(s) importée(s) ; %(skipped)s ligne(s) déjà importée(s) ignorée(s).": (
        "%(stored)s observation(s) imported; %(skipped)s row(s) already imported were skipped."
    ),
    "Rien de nouveau : les %(n)s lignes de ce fichier étaient déjà importées.": (
        "Nothing new: the %(n)s rows of this file were already imported."
    ),
    "Importer des feuilles": "Import sheets",
    "Téléchargez le modèle de cette marche :": "Download this walk's template:",
    "modèle XLSX": "XLSX template",
    "avec listes déroulantes et l'onglet des codes": "with drop-down lists and the codes sheet",
    "ou": "or",
    "modèle CSV": "CSV template",
    "Une ligne par observation, avec les codes ci-dessous. Une feuille papier = une personne : reportez "
    "son numéro dans la colonne « feuille ».": "One row per observation, with the codes below. One paper "
    "sheet = one person: copy its number into the “feuille” column.",
    "Envoyez le fichier rempli. S'il contient une erreur, rien n'est enregistré et chaque erreur est "
    "indiquée avec sa ligne et sa colonne. Un fichier déjà importé peut être renvoyé : seules les "
    "nouvelles lignes sont ajoutées.": "Send the filled-in file. If it has an error, nothing is saved and "
    "each error is given with its row and column. A file already imported may be sent again: only new "
    "rows are added.",
    "ligne %(row)s, colonne « %(column)s » :": "row %(row)s, column “%(column)s”:",
    "ligne %(row)s :": "row %(row)s:",
    "%(rows)s observations et %(mb)s Mo au plus.": "%(rows)s observations and %(mb)s MB at most.",
    "Importer": "Import",
    "Saisir une par une": "Enter one at a time",
    "Les colonnes du modèle": "The template's columns",
    "Générées depuis le formulaire de la marche : %(title)s.": "Generated from the walk's form: %(title)s.",
    "obligatoire": "required",
}
