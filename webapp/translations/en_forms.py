"""English of the observation forms' pages (staff pages, import form) and of the capture page's form."""

EN = {
    # the import form
    "Ce fichier n'est pas un classeur Excel (.xlsx ou .xls).": (
        "This file is not an Excel workbook (.xlsx or .xls)."
    ),
    "Classeur XLSForm": "XLSForm workbook",
    "Un fichier .xlsx ou .xls de %(size)s Mo au plus.": "An .xlsx or .xls file of %(size)s MB at most.",
    "Choisissez le classeur à importer.": "Choose the workbook to import.",
    "Seuls les classeurs .xlsx et .xls sont acceptés.": "Only .xlsx and .xls workbooks are accepted.",
    "Ce fichier est trop volumineux : %(size)s Mo au plus.": "This file is too large: %(size)s MB at most.",
    "Clé du formulaire (facultatif)": "Form key (optional)",
    "Par défaut, le form_id du classeur. Minuscules sans accent, chiffres et _, en commençant par une "
    "lettre. Une clé déjà connue reçoit une nouvelle version.": (
        "By default, the workbook's form_id. Lower-case letters without accents, digits and _, starting "
        "with a letter. A key already known gets a new version."
    ),
    "64 caractères au plus.": "64 characters at most.",
    "Minuscules sans accent, chiffres et _, en commençant par une lettre.": (
        "Lower-case letters without accents, digits and _, starting with a letter."
    ),
    "Laisser de côté les questions que la page de saisie ne sait pas afficher": (
        "Leave out the questions the capture page cannot show"
    ),
    "Sinon, un classeur qui en contient est refusé avec la liste de ces questions (feuille et ligne).": (
        "Otherwise a workbook that has some is refused, with the list of those questions (sheet and row)."
    ),
    "Importer le formulaire": "Import the form",
    "Les formulaires sont gérés par les équipes d'animation et les administrateurs.": (
        "Forms are managed by facilitation teams and administrators."
    ),
    "Formulaire « %(title)s » enregistré : version %(version)s.": (
        "Form “%(title)s” saved: version %(version)s."
    ),
    "Ce classeur a le même contenu que la version %(version)s, déjà enregistrée : rien n'a changé.": (
        "This workbook has the same content as version %(version)s, already saved: nothing changed."
    ),
    # the pages
    "Formulaires d'observation : les versions, importer un classeur XLSForm": (
        "Observation forms: their versions, import an XLSForm workbook"
    ),
    "Importer un formulaire": "Import a form",
    "Fil d'Ariane": "Breadcrumbs",
    "Mes projets": "My projects",
    "Formulaires": "Forms",
    "Importer": "Import",
    "Importer un classeur XLSForm": "Import an XLSForm workbook",
    "Import annulé, rien n'a été enregistré.": "Import cancelled, nothing was saved.",
    "Corrigez le classeur, puis importez-le de nouveau :": "Correct the workbook, then import it again:",
    "Feuille « %(sheet)s », ligne %(row)s": "Sheet “%(sheet)s”, row %(row)s",
    "Feuille « %(sheet)s »": "Sheet “%(sheet)s”",
    "Le classeur n'a pas été importé : voyez ci-dessous.": "The workbook was not imported: see below.",
    "Un classeur préparé avec KoboToolbox ou ODK (feuilles survey, choices et settings). Chaque problème "
    "est signalé avec sa feuille et sa ligne ; rien n'est enregistré tant qu'il en reste.": (
        "A workbook made with KoboToolbox or ODK (survey, choices and settings sheets). Each problem is "
        "reported with its sheet and row; nothing is saved while any remains."
    ),
    "Retour aux formulaires": "Back to the forms",
    "Formulaires d'observation": "Observation forms",
    "Une marche utilise une version d'un formulaire : ses thèmes et ses questions. Une version enregistrée "
    "ne change jamais ; importer un classeur modifié crée la version suivante.": (
        "A walk uses one version of a form: its themes and its questions. A saved version never changes; "
        "importing a changed workbook makes the next version."
    ),
    "Versions de « %(title)s »": "Versions of “%(title)s”",
    "Version": "Version",
    "Origine": "Origin",
    "Importée par": "Imported by",
    "Le": "On",
    "Marches": "Walks",
    "Observations": "Observations",
    "Version %(n)s": "Version %(n)s",
    "Aucun formulaire n'est enregistré.": "No form is saved.",
    "version %(n)s": "version %(n)s",
    "Clé": "Key",
    "Enregistrée": "Saved",
    "par %(name)s": "by %(name)s",
    "Utilisée par": "Used by",
    ("%(num)s marche", "%(num)s marches"): ("%(num)s walk", "%(num)s walks"),
    ("%(num)s observation", "%(num)s observations"): ("%(num)s observation", "%(num)s observations"),
    "Autres versions": "Other versions",
    "Une version enregistrée ne se modifie pas : pour changer des questions, importez le classeur modifié, "
    "qui devient la version suivante. Une marche change de formulaire tant qu'elle n'a aucune observation.": (
        "A saved version is never edited: to change questions, import the changed workbook, which becomes "
        "the next version. A walk may change its form as long as it has no observation."
    ),
    "À vérifier": "To check",
    ("%(num)s thème", "%(num)s thèmes"): ("%(num)s theme", "%(num)s themes"),
    "Sensible : jamais montré à son emplacement, cité ni illustré hors de l'équipe d'animation": (
        "Sensitive: never shown at its place, quoted or illustrated outside the facilitation team"
    ),
    "Précisions :": "Details:",
    ("%(num)s question", "%(num)s questions"): ("%(num)s question", "%(num)s questions"),
    "Aucune question en plus du thème.": "No question besides the theme.",
    "Questions du formulaire, dans l'ordre": "The form's questions, in order",
    "Question": "Question",
    "Type": "Type",
    "Obligatoire": "Required",
    "Réponses possibles": "Possible answers",
    "oui": "yes",
    "non": "no",
    "de %(min)s à %(max)s": "from %(min)s to %(max)s",
    "%(n)s caractères au plus": "%(n)s characters at most",
    ("%(num)s photo au plus", "%(num)s photos au plus"): ("%(num)s photo at most", "%(num)s photos at most"),
    "la position de l'observation": "the observation's place",
    "Rapport d'import": "Import report",
    "Classeur :": "Workbook:",
    "form_id": "form_id",
    "version du classeur": "workbook version",
    "Les thèmes viennent des choix de la question « %(name)s ».": (
        "The themes come from the choices of the question “%(name)s”."
    ),
    "Aucune question ne ressemble à une liste de thèmes : un thème unique « Observation » a été créé.": (
        "No question looks like a list of themes: a single theme “Observation” was created."
    ),
    "Chaque thème importé a l'axe « cadre de vie » et le principe « lieu propre et accueillant » : à revoir "
    "si besoin dans le classeur (colonnes emoji, color et sensitive de la feuille choices).": (
        "Each imported theme has the axis “living environment” and the principle “clean and welcoming "
        "place”: review them in the workbook if needed (emoji, color and sensitive columns of the choices "
        "sheet)."
    ),
    "Langues :": "Languages:",
    "sans langue précisée": "no language given",
    "Lignes laissées de côté": "Rows left out",
    "Lignes du classeur sans équivalent dans le formulaire": (
        "Rows of the workbook with no counterpart in the form"
    ),
    "Ligne (feuille survey)": "Row (survey sheet)",
    "Nom": "Name",
    "Pourquoi": "Why",
    "Noms changés en clés": "Names changed into keys",
    ("%(num)s texte repris d'une autre langue", "%(num)s textes repris d'une autre langue"): (
        "%(num)s text taken from another language",
        "%(num)s texts taken from another language",
    ),
    ("%(num)s avertissement de pyxform (en anglais)", "%(num)s avertissements de pyxform (en anglais)"): (
        "%(num)s warning from pyxform",
        "%(num)s warnings from pyxform",
    ),
    # the capture page, whatever the walk's form
    "Cette réponse est obligatoire.": "This answer is required.",
    "Ce signalement ne sera jamais montré à son emplacement exact en dehors de l'équipe d'animation. En cas "
    "de danger : 17 ou 112, 114 par SMS, 3919 (violences faites aux femmes).": (
        "This report will never be shown at its exact place outside the facilitation team. In danger: "
        "17 or 112, 114 by text message, 3919 (violence against women)."
    ),
    "(obligatoire)": "(required)",
    "Ajouter d'autres détails (facultatif)": "Add more details (optional)",
}
