# ruff: noqa: E501  (one text per line: long French sentences and their English)
"""English texts of walk planning: the planning pages, the status panel, the join screen and the kit."""

EN = {
    "Automatique": "Automatic",
    "Titre": "Title",
    "Donnez un titre à la marche.": "Give the walk a title.",
    "Date": "Date",
    "Indiquez la date (AAAA-MM-JJ).": "Give the date (YYYY-MM-DD).",
    "Début": "Start",
    "Fin": "End",
    "Créneau": "Time slot",
    "Point de rendez-vous": "Meeting point",
    "Groupe (description publique)": "Group (public description)",
    "Nombre de personnes attendues": "Number of people expected",
    "Entre 1 et %(max)s personnes.": "Between 1 and %(max)s people.",
    "Formulaire d'observation": "Observation form",
    "Itinéraire (une ligne par point : longitude, latitude)": "Route (one line per point: longitude, latitude)",
    "Ou importer une trace GPX ou GeoJSON enregistrée sur un téléphone": (
        "Or import a GPX or GeoJSON track recorded on a phone"
    ),
    "Envoyez une trace GPX (.gpx) ou GeoJSON (.geojson).": "Send a GPX (.gpx) or GeoJSON (.geojson) track.",
    "Fichier trop lourd : 5 Mo au plus.": "File too large: 5 MB at most.",
    "Arrêts, dans l'ordre (une ligne par arrêt : longitude, latitude, nom)": (
        "Stops, in order (one line per stop: longitude, latitude, name)"
    ),
    "Lier comme re-marche de cette marche": "Link as a re-walk of this walk",
    "Je confirme": "I confirm",
    "Cochez la case pour confirmer.": "Tick the box to confirm.",
    "Un itinéraire a au moins deux points distincts : ajoutez-en sur la carte.": (
        "A route has at least two distinct points: add some on the map."
    ),
    "Ajouter des points d'itinéraire": "Add route points",
    "Ajouter des arrêts": "Add stops",
    "Annuler le dernier changement": "Undo the last change",
    "Effacer l'itinéraire": "Clear the route",
    "Arrêt %(n)s": "Stop %(n)s",
    "Nom de l'arrêt %(n)s": "Name of stop %(n)s",
    "Monter l'arrêt %(n)s": "Move stop %(n)s up",
    "Descendre l'arrêt %(n)s": "Move stop %(n)s down",
    "Supprimer l'arrêt %(n)s": "Delete stop %(n)s",
    "Aucun arrêt : choisissez « Ajouter des arrêts » puis cliquez sur la carte.": (
        "No stop: choose “Add stops”, then click on the map."
    ),
    "%(n)s point(s) d'itinéraire": "%(n)s route point(s)",
    "Coordonnées illisibles : corrigez le texte (longitude, latitude par ligne).": (
        "Unreadable coordinates: correct the text (longitude, latitude per line)."
    ),
    "Point %(n)s de l'itinéraire (glisser pour déplacer, cliquer pour retirer)": (
        "Route point %(n)s (drag to move, click to remove)"
    ),
    "Glisser pour insérer un point ici": "Drag to insert a point here",
    "Marche « %(title)s » planifiée. Code : %(code)s.": "Walk “%(title)s” planned. Code: %(code)s.",
    "Marche « %(title)s » enregistrée.": "Walk “%(title)s” saved.",
    "%(title)s (copie)": "%(title)s (copy)",
    "Copie créée : « %(title)s », code %(code)s.": "Copy created: “%(title)s”, code %(code)s.",
    "Marche rouverte : le code %(code)s fonctionne à nouveau.": "Walk reopened: the code %(code)s works again.",
    "Marche ouverte : les participant·es peuvent la rejoindre avec le code %(code)s.": (
        "Walk open: participants can join it with the code %(code)s."
    ),
    "Marche clôturée. Les téléphones restés hors connexion ont encore %(hours)s h pour envoyer les "
    "observations faites pendant la marche.": (
        "Walk closed. Phones that stayed offline have %(hours)s h more to send the observations made during "
        "the walk."
    ),
    "Marche « %(title)s » supprimée.": "Walk “%(title)s” deleted.",
    "Code QR pour rejoindre la marche": "QR code to join the walk",
    "Police, urgence": "Police, emergency",
    "Urgence par SMS (personnes sourdes, ou quand parler est dangereux)": (
        "Emergency by text message (deaf people, or when speaking is unsafe)"
    ),
    "Violences faites aux femmes (gratuit, anonyme)": "Violence against women (free, anonymous)",
    "Enfance en danger, pour les mineur·es (gratuit, 24 h/24)": "Children in danger, for minors (free, 24/7)",
    "Planifier une marche": "Plan a walk",
    "Quand": "When",
    "Automatique : d'après l'heure de début (jour avant 18 h, soirée de 18 h à 21 h, nuit après 21 h ou avant "
    "6 h).": (
        "Automatic: from the start time (day before 6 pm, evening from 6 pm to 9 pm, night after 9 pm or "
        "before 6 am)."
    ),
    "Statut et code": "Status and code",
    "Rendez-vous : %(place)s": "Meeting point: %(place)s",
    "Groupe : %(group)s": "Group: %(group)s",
    "%(n)s attendu·es": "%(n)s expected",
    "Code pour rejoindre :": "Code to join:",
    "Lien :": "Link:",
    "Le code ne fonctionne qu'une fois la marche ouverte.": "The code only works once the walk is open.",
    "Clôturée le %(date)s à %(time)s. Les observations faites avant la clôture sur des téléphones hors "
    "connexion sont acceptées pendant %(hours)s h.": (
        "Closed on %(date)s at %(time)s. Observations made before the close on offline phones are accepted "
        "for %(hours)s h."
    ),
    "Rouvrir la marche": "Reopen the walk",
    "Ouvrir la marche": "Open the walk",
    "Clôturer la marche…": "Close the walk…",
    "Montrer au groupe": "Show the group",
    "Kit de la marche (PDF)": "Walk kit (PDF)",
    "Dupliquer": "Duplicate",
    "Supprimer…": "Delete…",
    "Clôturer la marche": "Close the walk",
    "Supprimer la marche": "Delete the walk",
    "Clôturer « %(title)s » ?": "Close “%(title)s”?",
    "Plus personne ne pourra rejoindre la marche ni enregistrer d'observation. Elle compte %(n)s "
    "observation(s).": "Nobody will be able to join the walk or record an observation. It has %(n)s observation(s).",
    "Les téléphones restés hors connexion pourront encore envoyer, pendant %(hours)s h, les observations faites "
    "avant la clôture. Vous pourrez rouvrir la marche si besoin.": (
        "Phones that stayed offline will still be able to send, for %(hours)s h, the observations made before "
        "the close. You can reopen the walk if needed."
    ),
    "Supprimer « %(title)s » ?": "Delete “%(title)s”?",
    "Cette marche ne peut pas être supprimée : seule une marche prévue, jamais ouverte et sans observation, "
    "peut l'être.": "This walk cannot be deleted: only a planned walk, never opened and without observations, can.",
    "La marche, son itinéraire et ses arrêts seront supprimés définitivement.": (
        "The walk, its route and its stops will be deleted for good."
    ),
    "Dupliquer la marche": "Duplicate the walk",
    "Dupliquer « %(title)s »": "Duplicate “%(title)s”",
    "La copie reprend l'itinéraire, les %(n)s arrêt(s), le point de rendez-vous, le groupe et le formulaire. "
    "Elle reçoit un nouveau code et commence « prévue ». Pour la version de nuit d'une marche de jour, changez "
    "l'heure de début ; pour une re-marche, une date plus tardive.": (
        "The copy takes the route, the %(n)s stop(s), the meeting point, the group and the form. It gets a new "
        "code and starts as “planned”. For the night version of a day walk, change the start time; for a "
        "re-walk, a later date."
    ),
    "Re-marche": "Re-walk",
    "Une re-marche repasse par les arrêts d'une marche précédente pour voir si les problèmes ont été traités ; "
    "la page de la marche comparera avant et après. La date doit être postérieure.": (
        "A re-walk goes over the stops of an earlier walk to see whether the problems were dealt with; the "
        "walk page will compare before and after. The date must be later."
    ),
    "Créer la copie": "Create the copy",
    "Modifier la marche": "Edit the walk",
    "Modifier « %(title)s »": "Edit “%(title)s”",
    "Certains champs sont à corriger (voir ci-dessous).": "Some fields need correcting (see below).",
    "Qui et où se retrouver": "Who, and where to meet",
    "Par exemple : devant le centre social, place Vogel.": "For example: outside the community centre, place Vogel.",
    "Visible par le groupe et sur le kit : « femmes du quartier », « collégiens de 4e », « mixte ».": (
        "Shown to the group and on the kit: “women of the neighbourhood”, “year 9 pupils”, “mixed”."
    ),
    "Cette marche a déjà des observations : son formulaire ne peut plus changer.": (
        "This walk already has observations: its form can no longer change."
    ),
    "La grille que les participant·es rempliront sur leur téléphone.": (
        "The grid participants will fill in on their phones."
    ),
    "Itinéraire et arrêts": "Route and stops",
    "Sur la carte : choisissez un mode, puis cliquez pour ajouter un point ; glissez un point pour le déplacer. "
    "Au clavier, modifiez les coordonnées dans les champs texte ci-dessous : la carte suit.": (
        "On the map: choose a mode, then click to add a point; drag a point to move it. With the keyboard, "
        "edit the coordinates in the text fields below: the map follows."
    ),
    "Outils de la carte": "Map tools",
    "Carte de l'itinéraire et des arrêts": "Map of the route and stops",
    "Arrêts": "Stops",
    "Trace GPX (trk ou rte) ou GeoJSON (LineString), 5 Mo au plus : elle remplace l'itinéraire ci-dessous. Ses "
    "points de passage (wpt) deviennent les arrêts s'il n'y en a pas.": (
        "GPX track (trk or rte) or GeoJSON (LineString), 5 MB at most: it replaces the route below. Its "
        "waypoints (wpt) become the stops if there are none."
    ),
    "Coordonnées au clavier": "Coordinates by keyboard",
    "Exemple : 2.2950, 49.9180 — longitude puis latitude, en degrés.": (
        "Example: 2.2950, 49.9180 — longitude then latitude, in degrees."
    ),
    "Exemple : 2.2950, 49.9180, Maison de quartier — l'ordre des lignes est l'ordre des arrêts.": (
        "Example: 2.2950, 49.9180, Community house — the order of the lines is the order of the stops."
    ),
    "Enregistrer la marche": "Save the walk",
    "Rejoindre « %(title)s »": "Join “%(title)s”",
    "Affichage": "Display",
    "Plein écran": "Full screen",
    "Retour à la marche": "Back to the walk",
    "Cette marche n'est pas ouverte : le code ne fonctionnera qu'après son ouverture.": (
        "This walk is not open: the code will only work once it is."
    ),
    "Cette marche est terminée : le code ne fonctionne plus.": "This walk is over: the code no longer works.",
    "1. Scannez le code QR avec l'appareil photo, ou ouvrez :": "1. Scan the QR code with the camera, or open:",
    "2. Tapez le code de la marche :": "2. Type the walk's code:",
    "Code : %(code)s": "Code: %(code)s",
    "3. Notez ce que vous voyez, même sans réseau.": "3. Note what you see, even without a network.",
    "Pas de compte, rien de personnel : le code suffit.": "No account, nothing personal: the code is enough.",
    "Kit de la marche — %(title)s": "Walk kit — %(title)s",
    "Code QR du lien pour rejoindre la marche": "QR code of the link to join the walk",
    "Scannez le code QR avec l'appareil photo du téléphone, ou ouvrez": "Scan the QR code with the phone's camera, or open",
    "Ouvrez la page « Rejoindre une marche » du site (%(path)s).": "Open the site's “Join a walk” page (%(path)s).",
    "Tapez le code de la marche :": "Type the walk's code:",
    "Notez ce que vous voyez à chaque arrêt : ce qui va, ce qui ne va pas, vos idées. Ça marche même sans "
    "réseau.": "Note what you see at each stop: what works, what does not, your ideas. It works even without a network.",
    "Le parcours": "The route",
    "Carte de l'itinéraire avec les arrêts numérotés": "Map of the route with the numbered stops",
    "Les arrêts": "The stops",
    "Pas d'arrêt prévu : le groupe s'arrête où il le souhaite.": "No stop planned: the group stops where it wishes.",
    "Ce qu'on observe": "What we look at",
    "Formulaire : %(title)s": "Form: %(title)s",
    "En cas de besoin": "If you need help",
    "Un lieu où s'est produit un harcèlement ou un incident n'est jamais publié à son emplacement exact.": (
        "A place where harassment or an incident happened is never published at its exact location."
    ),
    # two people editing one walk (concurrent_edits)
    "Pendant que vous modifiiez cette marche, quelqu'un d'autre a changé : %(fields)s. Rien n'a été enregistré. Vos saisies sont restées ci-dessous : comparez avec la marche (ouvrez-la dans un autre onglet), puis enregistrez à nouveau pour garder les vôtres.": (
        "While you were editing this walk, someone else changed %(fields)s. Nothing was saved. What you"
        " entered is still below: compare it with the walk (open it in another tab), then save again to"
        " keep yours."
    ),
    "Entre-temps, quelqu'un d'autre a changé : %(fields)s. Ses changements sont gardés avec les vôtres.": (
        "Meanwhile, someone else changed %(fields)s. Their changes are kept along with yours."
    ),
    "le titre": "the title",
    "la date": "the date",
    "l'heure de début": "the start time",
    "l'heure de fin": "the end time",
    "le créneau": "the time slot",
    "le point de rendez-vous": "the meeting point",
    "la description du groupe": "the group's description",
    "le nombre de personnes attendues": "the expected number of people",
    "le formulaire": "the form",
    "l'itinéraire": "the route",
    "les arrêts": "the stops",
    "Cette marche a été ouverte puis clôturée entre-temps (le %(date)s à %(time)s) : elle n'a pas été rouverte. Si c'est voulu, utilisez « Rouvrir la marche ».": (
        "This walk was opened and then closed meanwhile (on %(date)s at %(time)s): it was not reopened. If"
        " that is what you want, use « Reopen the walk »."
    ),
    "La note dépasse %(max)s caractères : raccourcissez-la.": "The note is over %(max)s characters: shorten it.",
    "Votre note, non enregistrée : « %(note)s »": "Your note, not saved: “%(note)s”",
}
