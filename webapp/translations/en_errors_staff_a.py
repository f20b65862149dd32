"""English of the reasons the staff's services give for refusing something (walks, zones, projects,
re-walks, moderation, debriefs, entry, forms, privacy, photos, reports), and of their warnings: the
``lazy_gettext``/``gettext`` messages of ``webapp.errors.DomainError`` and of the staff pages."""

EN = {
    # walks: routes and stops files (geodata.tracks)
    "Fichier trop lourd : %(max_mb)s Mo au plus.": "File too large: %(max_mb)s MB at most.",
    "Le fichier est vide.": "The file is empty.",
    "Type de fichier non accepté (%(extension)s) : envoyez une trace GPX (.gpx) ou GeoJSON (.geojson).": (
        "File type not accepted (%(extension)s): send a GPX (.gpx) or GeoJSON (.geojson) track."
    ),
    "Ce fichier GPX est illisible (XML invalide).": "This GPX file cannot be read (invalid XML).",
    "Ce fichier n'est pas une trace GPX.": "This file is not a GPX track.",
    (
        "Ce fichier GPX ne contient aucune trace (trk) ni aucun itinéraire (rte) : "
        "enregistrez le parcours comme une trace sur le téléphone."
    ): ("This GPX file contains no track (trk) and no route (rte): record the walk as a track on the phone."),
    "Ce fichier GeoJSON est illisible (JSON invalide).": "This GeoJSON file cannot be read (invalid JSON).",
    "Ce fichier GeoJSON ne contient aucune ligne (LineString) : %(found)s.": (
        "This GeoJSON file contains no line (LineString): %(found)s."
    ),
    "Un itinéraire a au moins deux points distincts.": "A route has at least two distinct points.",
    "Coordonnées invalides (%(where)s) : longitude et latitude en degrés (WGS84).": (
        "Invalid coordinates (%(where)s): longitude and latitude in degrees (WGS84)."
    ),
    "Le fichier d'arrêts doit être une FeatureCollection GeoJSON de points.": (
        "The stops file must be a GeoJSON FeatureCollection of points."
    ),
    "%(count)s arrêts : %(max)s au plus.": "%(count)s stops: %(max)s at most.",
    "L'arrêt n° %(feature)s n'est pas un point.": "Stop no. %(feature)s is not a point.",
    "L'arrêt n° %(feature)s n'a pas de nom.": "Stop no. %(feature)s has no name.",
    "Le nom de l'arrêt n° %(feature)s est trop long (%(max)s caractères au plus).": (
        "The name of stop no. %(feature)s is too long (%(max)s characters at most)."
    ),
    "Ligne %(line)s illisible : « %(text)s » (attendu : longitude, latitude).": (
        "Line %(line)s cannot be read: “%(text)s” (expected: longitude, latitude)."
    ),
    "Fichier illisible.": "Unreadable file.",
    # walks: planning, status
    "Impossible de générer un code unique, réessayez.": "Could not generate a unique code, please try again.",
    "Point de l'itinéraire invalide (%(where)s).": "Invalid route point (%(where)s).",
    "%(max)s arrêts au plus.": "%(max)s stops at most.",
    "Position de l'arrêt n° %(feature)s invalide.": "Invalid position for stop no. %(feature)s.",
    "L'heure de fin précède l'heure de début.": "The end time is before the start time.",
    "La taille du groupe va de 1 à %(max)s personnes.": "The group size is from 1 to %(max)s people.",
    "Version de formulaire invalide : « %(version)s ».": "Invalid form version: “%(version)s”.",
    "Créneau inconnu.": "Unknown time slot.",
    "Le titre est obligatoire.": "The title is required.",
    "Code de marche invalide.": "Invalid walk code.",
    "Ce code est déjà utilisé par une autre marche.": "This code is already used by another walk.",
    "n° %(n)s « %(name)s »": "no. %(n)s “%(name)s”",
    (
        "Arrêt(s) à plus de %(km)s km de toutes les zones du projet : %(names)s. "
        "Vérifiez leur position (enregistré quand même)."
    ): (
        "Stop(s) more than %(km)s km from every zone of the project: %(names)s. "
        "Check their position (saved anyway)."
    ),
    (
        "Ce projet n'a encore aucune zone (QPV ou zone du projet) : les observations seront "
        "enregistrées « hors zone » jusqu'à ce que vous en ajoutiez (elles seront alors réaffectées)."
    ): (
        "This project has no zone yet (QPV or project zone): observations will be recorded "
        "“outside any zone” until you add some (they will then be reassigned)."
    ),
    "Seule une marche ouverte peut être clôturée.": "Only an open walk can be closed.",
    "Seule une marche prévue (jamais ouverte) peut être supprimée.": (
        "Only a planned walk (never opened) can be deleted."
    ),
    "Cette marche a déjà %(count)s observation(s) : elle ne peut pas être supprimée.": (
        "This walk already has %(count)s observation(s): it cannot be deleted."
    ),
    "Marche introuvable.": "Walk not found.",
    # zones
    "Import annulé, rien n'a été modifié : la base de données a refusé ces périmètres.": (
        "Import cancelled, nothing was changed: the database refused these perimeters."
    ),
    "Import refusé, rien n'a été importé : %(n)s problème(s).": (
        "Import refused, nothing was imported: %(n)s problem(s)."
    ),
    "… et %(n)s autre(s)": "… and %(n)s more",
    "Zone introuvable dans ce projet.": "Zone not found in this project.",
    "Le nom de la zone dépasse 200 caractères.": "The zone's name is longer than 200 characters.",
    "Dessinez d'abord la zone sur la carte (cliquez le premier point pour fermer le polygone).": (
        "Draw the zone on the map first (click the first point to close the polygon)."
    ),
    "Le tracé envoyé n'est pas un polygone GeoJSON lisible.": (
        "The shape sent is not a readable GeoJSON polygon."
    ),
    "Une zone est un polygone : un point ou une ligne ne délimitent pas de zone.": (
        "A zone is a polygon: a point or a line does not outline a zone."
    ),
    "Un polygone a au moins trois points distincts.": "A polygon has at least three distinct points.",
    "Les coordonnées du tracé ne sont pas des longitudes et latitudes valides.": (
        "The shape's coordinates are not valid longitudes and latitudes."
    ),
    "Le contour se croise lui-même et ne délimite aucune surface : redessinez-le.": (
        "The outline crosses itself and encloses no area: draw it again."
    ),
    "Cette zone est minuscule (%(area_m2)s m²) : sans doute un clic de trop. Redessinez-la.": (
        "This zone is tiny (%(area_m2)s m²): probably one click too many. Draw it again."
    ),
    (
        "Cette zone est bien trop grande (au-delà de %(limit)s km²) : une zone est un quartier "
        "ou un centre-ville, pas un département."
    ): (
        "This zone is far too large (over %(limit)s km²): a zone is a neighbourhood or a town centre, "
        "not a département."
    ),
    "Le contour se croisait : il a été corrigé automatiquement. Vérifiez-le sur la carte.": (
        "The outline crossed itself: it was corrected automatically. Check it on the map."
    ),
    (
        "Attention : cette zone est à %(km)s km des zones et des marches du projet. "
        "Vérifiez qu'elle est au bon endroit."
    ): (
        "Warning: this zone is %(km)s km from the project's zones and walks. "
        "Check that it is in the right place."
    ),
    # projects
    "il faut 5 caractères": "it must be 5 characters long",
    "seulement des chiffres (2A ou 2B en tête pour la Corse)": "digits only (2A or 2B first for Corsica)",
    "les communes de Corse commencent par 2A ou 2B, pas 20": (
        "communes in Corsica start with 2A or 2B, not 20"
    ),
    "ce département n'existe pas (01 à 95, 2A, 2B, 971 à 978)": (
        "this département does not exist (01 to 95, 2A, 2B, 971 to 978)"
    ),
    "le numéro de commune ne peut pas être 000": "the commune number cannot be 000",
    "p. ex. 80021 pour Amiens, 2A004 pour Ajaccio, 97411 pour Saint-Denis de La Réunion": (
        "e.g. 80021 for Amiens, 2A004 for Ajaccio, 97411 for Saint-Denis (La Réunion)"
    ),
    "« %(code)s » n'est pas un code commune INSEE : %(reason)s (%(example)s).": (
        "“%(code)s” is not an INSEE commune code: %(reason)s (%(example)s)."
    ),
    "Indiquez au moins une commune, par son code INSEE (%(example)s).": (
        "Give at least one commune, by its INSEE code (%(example)s)."
    ),
    "%(n)s communes : %(max)s au plus par projet.": "%(n)s communes: %(max)s at most per project.",
    (
        "« %(slug)s » ne convient pas comme identifiant court : lettres minuscules sans accent, chiffres "
        "et tirets simples, %(max)s caractères au plus (p. ex. amiens-2026)."
    ): (
        "“%(slug)s” will not do as a short identifier: lower-case letters without accents, digits and "
        "single hyphens, %(max)s characters at most (e.g. amiens-2026)."
    ),
    "« %(slug)s » est un mot réservé des adresses du site : choisissez un autre identifiant.": (
        "“%(slug)s” is a word reserved for the site's addresses: choose another identifier."
    ),
    "Le nom du projet fait %(n)s caractères : %(max)s au plus.": (
        "The project name is %(n)s characters long: %(max)s at most."
    ),
    "La description dépasse %(max)s caractères.": "The description is longer than %(max)s characters.",
    "L'année de la liste QPV doit être 2015 ou 2024.": "The year of the QPV list must be 2015 or 2024.",
    "L'identifiant « %(slug)s » est déjà pris par un autre projet : choisissez-en un autre.": (
        "The identifier “%(slug)s” is already taken by another project: choose another one."
    ),
    "Projet « %(slug)s » introuvable.": "Project “%(slug)s” not found.",
    # re-walks
    "Une marche ne peut pas être la re-marche d'elle-même.": "A walk cannot be a re-walk of itself.",
    "La marche d'origine doit appartenir au même projet.": (
        "The original walk must belong to the same project."
    ),
    "« %(title)s » est elle-même une re-marche de cette marche : le lien ferait une boucle.": (
        "“%(title)s” is itself a re-walk of this walk: the link would make a loop."
    ),
    "La marche d'origine doit avoir eu lieu avant celle-ci (le %(date)s).": (
        "The original walk must have taken place before this one (on %(date)s)."
    ),
    "Cette marche est déjà la re-marche de « %(title)s » : retirez d'abord ce lien.": (
        "This walk is already a re-walk of “%(title)s”: remove that link first."
    ),
    # moderation, debriefs, reports
    "Indiquez pourquoi l'observation est masquée.": "Say why the observation is hidden.",
    "Une observation ne peut pas être fusionnée avec elle-même.": (
        "An observation cannot be merged with itself."
    ),
    "On ne fusionne que des observations de la même marche.": (
        "Only observations of the same walk can be merged."
    ),
    "Les deux observations sont masquées.": "Both observations are hidden.",
    "Action impossible sur plusieurs observations.": "This action cannot be applied to several observations.",
    "Cochez au moins une observation.": "Tick at least one observation.",
    "Indiquez pourquoi les observations sont masquées.": "Say why the observations are hidden.",
    "Un vote porte sur une observation ou sur un thème.": "A vote is for an observation or for a theme.",
    "La préconisation est incomplète ou invalide.": "The recommendation is incomplete or invalid.",
    "Préconisation « %(title)s » créée avec %(n)s observations.": (
        "Recommendation “%(title)s” created with %(n)s observations."
    ),
    "Rapport vide.": "Empty report.",
    "Graphique introuvable.": "Chart not found.",
    "Action inconnue.": "Unknown action.",
    "Cette photo appartient à un projet auquel vous n'avez pas accès.": (
        "This photo belongs to a project you do not have access to."
    ),
    # entry
    (
        "Fichier refusé : %(num)s problème, rien n'a été enregistré.",
        "Fichier refusé : %(num)s problèmes, rien n'a été enregistré.",
    ): (
        "File refused: %(num)s problem, nothing was saved.",
        "File refused: %(num)s problems, nothing was saved.",
    ),
    "Arrêt introuvable.": "Stop not found.",
    "Format de modèle inconnu.": "Unknown template format.",
    # forms (XLSForm import, a walk's form)
    "Formulaire introuvable.": "Form not found.",
    (
        "Cette marche a déjà %(n)s observation(s) faites avec le formulaire « %(key)s » version "
        "%(version)s : il ne peut plus changer. Pour changer les questions, importez une nouvelle version "
        "du formulaire et utilisez-la pour les prochaines marches."
    ): (
        "This walk already has %(n)s observation(s) made with form “%(key)s” version %(version)s: it can "
        "no longer change. To change the questions, import a new version of the form and use it for the "
        "next walks."
    ),
    "Feuille « %(sheet)s », ligne %(row)s : %(message)s": "Sheet “%(sheet)s”, row %(row)s: %(message)s",
    "Feuille « %(sheet)s » : %(message)s": "Sheet “%(sheet)s”: %(message)s",
    "Import annulé, rien n'a été enregistré :\n%(lines)s": "Import cancelled, nothing was saved:\n%(lines)s",
    "la question « %(key)s » est de type %(kind)s, que la page de saisie ne sait pas afficher.": (
        "question “%(key)s” is of type %(kind)s, which the capture page cannot show."
    ),
    (
        "le formulaire a %(n)s questions photo (%(keys)s) : la page de saisie n'en propose qu'une, "
        "gardez-en une seule dans le classeur."
    ): (
        "the form has %(n)s photo questions (%(keys)s): the capture page offers only one, "
        "keep a single one in the workbook."
    ),
    (
        "Clé de formulaire invalide : lettres minuscules sans accent, chiffres et _, "
        "en commençant par une lettre."
    ): ("Invalid form key: lower-case letters without accents, digits and _, starting with a letter."),
    "le classeur est invalide (pyxform) : %(message)s": "the workbook is invalid (pyxform): %(message)s",
    "le fichier n'a pas pu être lu comme un classeur XLSForm.": (
        "the file could not be read as an XLSForm workbook."
    ),
    "le fichier est introuvable.": "the file cannot be found.",
    "ce n'est pas un classeur XLSForm (.xlsx ou .xls).": "this is not an XLSForm workbook (.xlsx or .xls).",
    (
        "« %(key)s » est la clé de la grille fournie avec Arpenteur : donnez un autre form_id au classeur "
        "(ou une autre clé à l'import)."
    ): (
        "“%(key)s” is the key of the grid shipped with Arpenteur: give the workbook another form_id "
        "(or another key when importing)."
    ),
    (
        "la question « %(name)s » (%(type)s) ne peut pas être reprise : %(reason)s. Retirez-la du classeur, "
        "ou importez en laissant de côté les questions que l'application ne sait pas afficher."
    ): (
        "question “%(name)s” (%(type)s) cannot be taken over: %(reason)s. Remove it from the workbook, "
        "or import leaving out the questions the application cannot show."
    ),
    "Une autre version de ce formulaire vient d'être enregistrée : importez de nouveau.": (
        "Another version of this form has just been saved: import again."
    ),
    # privacy
    "Les autorisations de cette marche sont déjà enregistrées.": (
        "The authorisations for this walk are already recorded."
    ),
    "Texte trop long : %(max)s caractères au plus pour la note comme pour la proposition.": (
        "Text too long: at most %(max)s characters for the note and for the proposal alike."
    ),
}
