"""English texts of the debrief, maps, moderation, charts and report pages (issue 11); see make_en.py."""

EN = {
    "Gommette non comptée : le réseau ou la session s'est interrompu. Rechargez la page, puis recommencez.": (
        "Dot not counted: the network or the session was cut. Reload the page, then try again."
    ),
    "Débriefing": "Debrief",
    ("%(num)s problème", "%(num)s problèmes"): ("%(num)s problem", "%(num)s problems"),
    ("%(num)s atout", "%(num)s atouts"): ("%(num)s asset", "%(num)s assets"),
    ("%(num)s neutre", "%(num)s neutres"): ("%(num)s neutral", "%(num)s neutral"),
    "Gommettes": "Dots",
    "gommette pour %(name)s": "dot for %(name)s",
    "Vue de préparation (équipe) : observations à modérer et signalements sensibles visibles. Ne pas projeter.": (
        "Preparation view (team): observations awaiting moderation and sensitive reports are shown. Do not project."
    ),
    "Revenir à la vue de la salle": "Back to the room view",
    "Vue de la salle : observations validées seulement ; les thèmes sensibles sont comptés, jamais cités.": (
        "Room view: validated observations only; sensitive themes are counted, never quoted."
    ),
    "Préparer avec l'équipe (montrer aussi les observations à modérer)": (
        "Prepare with the team (also show observations awaiting moderation)"
    ),
    "Vue d'ensemble": "Overview",
    "Préconisations": "Recommendations",
    "Clavier": "Keyboard",
    "arrêts": "stops",
    "gommettes": "dots",
    "Espace": "Space",
    "sélection": "selection",
    "Carte de la marche : itinéraire, arrêts et observations": "Map of the walk: route, stops and observations",
    "Aucune observation validée pour cette marche.": "No validated observation for this walk.",
    "Quels thèmes comptent le plus pour le groupe ? Chaque participant·e place ses gommettes.": (
        "Which themes matter most to the group? Each participant places their dots."
    ),
    "Pas d'observation validée à cet arrêt.": "No validated observation at this stop.",
    (
        "%(num)s signalement. Il n'est pas cité en séance : son texte et son lieu exact restent dans l'équipe.",
        "%(num)s signalements. Ils ne sont pas cités en séance : leurs textes et leurs lieux exacts restent "
        "dans l'équipe.",
    ): (
        "%(num)s report. It is not quoted in the room: its text and exact place stay within the team.",
        "%(num)s reports. They are not quoted in the room: their texts and exact places stay within the team.",
    ),
    "Ressenti %(n)s/5": "Feeling %(n)s/5",
    "Proposition": "Proposal",
    "Photo de l'observation %(n)s": "Photo of observation %(n)s",
    "Pour une préconisation": "For a recommendation",
    "l'observation %(n)s": "observation %(n)s",
    "observation(s) sélectionnée(s) comme preuves.": "observation(s) selected as evidence.",
    "Texte": "Text",
    "(celui des observations)": "(that of the observations)",
    "Quartier": "Neighbourhood",
    "Partenaire sollicité": "Partner asked",
    "Priorité": "Priority",
    "Échéance": "Deadline",
    "Créer la préconisation": "Create the recommendation",
    "Preuves": "Evidence",
    "(signalement sensible, non cité)": "(sensitive report, not quoted)",
    # restitution report
    "Signalements « %(label)s »": "Reports “%(label)s”",
    (
        "%(num)s signalement validé. Comme sur les pages des partenaires, il n'est jamais placé à son lieu "
        "exact, cité, daté ni illustré.",
        "%(num)s signalements validés. Comme sur les pages des partenaires, ils ne sont jamais placés à leur "
        "lieu exact, cités, datés ni illustrés.",
    ): (
        "%(num)s validated report. As on the partner pages, it is never shown at its exact place, quoted, "
        "dated or illustrated.",
        "%(num)s validated reports. As on the partner pages, they are never shown at their exact places, "
        "quoted, dated or illustrated.",
    ),
    (
        "La carte les regroupe dans %(num)s carreau de 200 m qui en compte au moins 3.",
        "La carte les regroupe dans %(num)s carreaux de 200 m qui en comptent au moins 3 chacun.",
    ): (
        "The map groups them in %(num)s 200 m square holding at least 3.",
        "The map groups them in %(num)s 200 m squares holding at least 3 each.",
    ),
    "Aucun carreau de 200 m n'en compte 3 : la carte n'en montre aucun.": (
        "No 200 m square holds 3 of them: the map shows none."
    ),
    "Signalements par quartier": "Reports per neighbourhood",
    "Signalements": "Reports",
    "moins de 3": "fewer than 3",
    # moderation
    ("%(num)s observation enregistrée : %(what)s.", "%(num)s observations enregistrées : %(what)s."): (
        "%(num)s observation saved: %(what)s.",
        "%(num)s observations saved: %(what)s.",
    ),
    ("%(num)s observation validée.", "%(num)s observations validées."): (
        "%(num)s observation validated.",
        "%(num)s observations validated.",
    ),
    ("%(num)s observation masquée.", "%(num)s observations masquées."): (
        "%(num)s observation hidden.",
        "%(num)s observations hidden.",
    ),
    "Observation n° %(n)s : %(message)s": "Observation no. %(n)s: %(message)s",
    "Observation n° %(n)s enregistrée : %(what)s.": "Observation no. %(n)s saved: %(what)s.",
    "Texte modifié": "Text edited",
    "Fusionnée (doublon)": "Merged (duplicate)",
    "Point déplacé": "Point moved",
    "Signalée hors périmètre": "Flagged outside the area",
    "Signalement hors périmètre retiré": "Outside-the-area flag removed",
    "Position": "Position",
    "Hors périmètre": "Outside the area",
    "Photos reprises": "Photos taken over",
    "Doublon fusionné": "Duplicate merged",
    "Fusionnée dans": "Merged into",
    "Modération": "Moderation",
    "Validées": "Validated",
    "Masquées": "Hidden",
    "Toutes": "All",
    "Rien à modérer ici.": "Nothing to moderate here.",
    "Tout cocher": "Check all",
    "cochée(s)": "checked",
    "Valider la sélection": "Validate the selection",
    "Motif": "Reason",
    "ex. propos injurieux": "e.g. abusive words",
    "Masquer la sélection": "Hide the selection",
    "Cocher l'observation %(n)s": "Check observation %(n)s",
    "ressenti %(n)s/5": "feeling %(n)s/5",
    "Voir sur la carte": "Show on the map",
    "Photo de l'observation %(n)s (agrandir)": "Photo of observation %(n)s (enlarge)",
    "Valider": "Validate",
    "Masquer": "Hide",
    "Modifier le texte": "Edit the text",
    "ex. nom d'un tiers retiré": "e.g. name of a third party removed",
    "Fusionner (doublon)": "Merge (duplicate)",
    "Garder l'observation n°": "Keep observation no.",
    "Fusionner": "Merge",
    "Déplacer le point": "Move the point",
    "Sur la carte : « Voir sur la carte », puis faites glisser le repère. Ou bien saisissez les coordonnées :": (
        "On the map: “Show on the map”, then drag the pin. Or type the coordinates:"
    ),
    "Déplacer": "Move",
    "Retirer le signalement hors périmètre": "Remove the outside-the-area flag",
    "Signaler hors périmètre": "Flag as outside the area",
    "Carte de la marche et des observations de la file": "Map of the walk and of the queue's observations",
    (
        "« Voir sur la carte » place un repère sur l'observation ; faites-le glisser pour la déplacer (son "
        "quartier est recalculé et le journal le garde)."
    ): (
        "“Show on the map” puts a pin on the observation; drag it to move the observation (its neighbourhood "
        "is worked out again and the log keeps the move)."
    ),
    "Journal de modération": "Moderation log",
    "Aucune action pour l'instant.": "No action yet.",
    "Qui": "Who",
    "Action": "Action",
    "Changements": "Changes",
    "oui": "yes",
    "non": "no",
    # project and walk pages, charts
    "Actions": "Actions",
    "Rapport": "Report",
    "Observations par thème (problèmes, atouts, neutres)": "Observations per theme (problems, assets, neutral)",
    "Aucune observation dans cette sélection : pas de graphique à montrer.": (
        "No observation in this selection: no chart to show."
    ),
    "Couches de la carte": "Map layers",
    "Voir l'observation n° {id} en modération": "See observation no. {id} in moderation",
    "« Voir sur la carte » place un repère sur l'observation ; faites-le glisser pour la déplacer (sa zone est recalculée et le journal le garde).": (
        "« Show on the map » puts a marker on the observation; drag it to move the observation (its zone is "
        "worked out again and the journal keeps the change)."
    ),
    "Zones, itinéraires, arrêts numérotés et observations colorées par thème (disque plein : problème, anneau : atout).": (
        "Zones, routes, numbered stops and observations coloured by theme (filled disc: problem, ring: asset)."
    ),
    "Zones, itinéraires et observations colorées par thème (disque plein : problème, anneau : atout).": (
        "Zones, routes and observations coloured by theme (filled disc: problem, ring: asset)."
    ),
    "Arrêt (numéro)": "Stop (number)",
    "Signalements sensibles : carreau de 200 m (3 au moins)": "Sensitive reports: 200 m square (3 at least)",
    # two moderators at once, or a page left open (moderation.check_unchanged)
    "Vu": "Seen",
    "elle a changé depuis l'affichage de la page : rien n'a été fait. Relisez-la, puis recommencez.": (
        "it changed since this page was shown: nothing was done. Read it again, then start over."
    ),
    "elle a changé depuis l'affichage de la page (%(action)s par %(who)s, le %(when)s) : rien n'a été fait. Relisez-la, puis recommencez.": (
        "it changed since this page was shown (%(action)s by %(who)s, on %(when)s): nothing was done."
        " Read it again, then start over."
    ),
    (
        "L'observation n° %(numbers)s a changé depuis l'affichage de la page : rien n'a été fait. Relisez-la, puis recommencez.",
        "Les observations n° %(numbers)s ont changé depuis l'affichage de la page : rien n'a été fait. Relisez-les, puis recommencez.",
    ): (
        "Observation no. %(numbers)s changed since this page was shown: nothing was done. Read it again, then"
        " start over.",
        "Observations no. %(numbers)s changed since this page was shown: nothing was done. Read them again,"
        " then start over.",
    ),
    "Correction non enregistrée": "Correction not saved",
    "Observation n° %(id)s : correction non enregistrée": "Observation no. %(id)s: correction not saved",
    "Ce que l'observation dit maintenant": "What the observation says now",
    "Ce que vous aviez écrit": "What you had written",
    "Copiez ce qui manque, revenez à l'observation et corrigez la version actuelle.": (
        "Copy what is missing, go back to the observation and correct the current version."
    ),
    "Revenir à l'observation": "Back to the observation",
    "(non validée, non citée)": "(not validated, not quoted)",
    # a recommendation refused, shown again as typed
    "Préconisation non créée :": "Recommendation not created:",
    "Préparation": "Preparation",
    "Donnez un titre à la préconisation.": "Give the recommendation a title.",
    "Cochez au moins une observation comme preuve (« Pour une préconisation » sur sa carte).": (
        "Tick at least one observation as evidence (« For a recommendation » on its card)."
    ),
    "Une observation cochée n'existe plus (retirée par la personne qui l'avait faite) : rechargez la page, puis cochez à nouveau.": (
        "A ticked observation no longer exists (withdrawn by the person who made it): reload the page, then"
        " tick again."
    ),
    "Cette zone n'existe plus : choisissez-en une autre.": "This zone no longer exists: choose another one.",
    "Ce partenaire n'est plus celui du projet : choisissez-en un autre.": (
        "This partner is no longer one of the project's: choose another one."
    ),
    "Choisissez une priorité dans la liste.": "Choose a priority from the list.",
    "Cette observation n'est plus montrée en salle.": "This observation is no longer shown in the room.",
}
