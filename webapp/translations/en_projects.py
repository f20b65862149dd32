"""English texts of the project set-up pages: new project, edit, zones, "Mes projets" (see make_en.py)."""

EN = {
    "Seuls les administrateurs du site créent des projets ou importent les QPV officiels.": (
        "Only site administrators create projects or import the official QPV."
    ),
    "Projet « %(name)s » créé. Étape suivante : ses zones.": "Project “%(name)s” created. Next step: its zones.",
    "Projet enregistré.": "Project saved.",
    "Marches de « %(project)s »": "Walks of “%(project)s”",
    "%(n)s observation(s) ont changé de zone.": "%(n)s observation(s) changed zone.",
    "Dessiner une zone": "Draw a zone",
    "Annuler": "Cancel",
    "Annuler le dessin": "Cancel drawing",
    "Terminer": "Finish",
    "Fermer le polygone": "Close the polygon",
    "Effacer le dernier point": "Delete last point",
    "Effacer le dernier point placé": "Delete the last point placed",
    "Cliquez pour placer le premier point de la zone.": "Click to place the zone's first point.",
    "Cliquez pour continuer le contour.": "Click to continue the outline.",
    "Cliquez sur le premier point pour fermer la zone.": "Click the first point to close the zone.",
    "Le contour ne doit pas se croiser.": "The outline must not cross itself.",
    "QPV retenu": "QPV kept",
    "QPV écarté": "QPV left out",
    "Zone du projet": "Project zone",
    "Zones": "Zones",
    "%(kept)s QPV retenu(s) ; %(n)s observation(s) ont changé de zone.": (
        "%(kept)s QPV kept; %(n)s observation(s) changed zone."
    ),
    "Choisissez un fichier à importer.": "Choose a file to import.",
    "« %(name)s » n'est pas d'un type lu ici : GeoJSON (.geojson, .json), shapefile zippé (.zip) ou GeoPackage "
    "(.gpkg).": "“%(name)s” is not a kind of file read here: GeoJSON (.geojson, .json), zipped shapefile (.zip) or "
    "GeoPackage (.gpkg).",
    "« %(name)s » fait %(size).1f Mo : %(limit).0f Mo au plus ici.": (
        "“%(name)s” is %(size).1f MB: %(limit).0f MB at most here."
    ),
    "« %(name)s » est vide.": "“%(name)s” is empty.",
    "Le formulaire a expiré : rechargez la page et recommencez.": "The form expired: reload the page and try again.",
    "Import terminé : %(created)s zone(s) créée(s), %(updated)s mise(s) à jour, %(unchanged)s inchangée(s) ; "
    "%(moved)s observation(s) réaffectée(s).": "Import done: %(created)s zone(s) created, %(updated)s updated, "
    "%(unchanged)s unchanged; %(moved)s observation(s) re-assigned.",
    "Réparé : %(note)s": "Repaired: %(note)s",
    "Zone « %(name)s » enregistrée ; %(n)s observation(s) réaffectée(s).": (
        "Zone “%(name)s” saved; %(n)s observation(s) re-assigned."
    ),
    "Nom invalide.": "Invalid name.",
    "Zone « %(old)s » renommée « %(new)s ».": "Zone “%(old)s” renamed “%(new)s”.",
    "Zone « %(name)s » supprimée ; %(n)s observation(s) réaffectée(s).": (
        "Zone “%(name)s” deleted; %(n)s observation(s) re-assigned."
    ),
    "Mes projets": "My projects",
    "Nouveau projet": "New project",
    "Aucun projet pour l'instant : créez le premier.": "No project yet: create the first one.",
    "Aucun projet ne vous est encore attribué.": "No project has been given to you yet.",
    "%(n)s observation(s) à modérer": "%(n)s observation(s) to moderate",
    "Modifier le projet": "Edit the project",
    "Équipe": "Team",
    "Marches": "Walks",
    "Marche": "Walk",
    "Date": "Date",
    "Statut": "Status",
    "À modérer": "To moderate",
    "Aucune marche pour l'instant.": "No walk yet.",
    "Se déconnecter": "Sign out",
    "Le projet n'a pas été enregistré : corrigez les champs signalés ci-dessous.": (
        "The project was not saved: correct the fields marked below."
    ),
    "Le projet": "The project",
    "Territoire et période": "Territory and period",
    "Les QPV de la liste choisie situés dans ces communes deviennent les zones du projet ; vous pourrez en écarter "
    "sur la page des zones. Changer les communes ou la liste réaffecte les observations.": "The QPV of the chosen "
    "list in these communes become the project's zones; you can leave some out on the zones page. Changing the "
    "communes or the list re-assigns the observations.",
    "Données personnelles": "Personal data",
    "Passé ce délai, les observations perdent leur emplacement précis, leurs photos et leurs textes libres ; les "
    "décomptes restent.": "After this period, observations lose their precise place, their photos and their free "
    "text; the counts stay.",
    "Identifiant court : %(slug)s (il figure dans les liens et ne change pas).": (
        "Short identifier: %(slug)s (it is in the links and does not change)."
    ),
    "Zones du projet": "Project zones",
    "Paramètres de publication": "Publication settings",
    "Enregistrer": "Save",
    "Retour au projet": "Back to the project",
    "Fil d’Ariane": "Breadcrumbs",
    "Un projet réunit des marches sur un territoire et une période. Après sa création viennent ses zones, puis ses "
    "marches et son équipe.": "A project gathers walks on a territory over a period. After creating it come its "
    "zones, then its walks and its team.",
    "Cochez si vous animez vous-même ce projet : il apparaîtra dans l'équipe. Un administrateur voit et gère tous "
    "les projets sans en être membre ; l'équipe s'invite ensuite depuis la page « Équipe ».": "Tick it if you run "
    "this project yourself: it will show in the team. An administrator sees and manages every project without "
    "being a member; the team is then invited from the “Team” page.",
    "Créer le projet": "Create the project",
    "Envoi du fichier": "Sending the file",
    "Chaque observation est rattachée à la zone qui la contient : un QPV retenu d'abord, sinon une zone propre au "
    "projet, sinon « hors zone ». Les synthèses, les cartes et le rapport comptent par zone.": "Each observation "
    "belongs to the zone containing it: a kept QPV first, else one of the project's own zones, else “outside any "
    "zone”. Summaries, maps and the report count by zone.",
    "Communes et liste QPV du projet": "The project's communes and QPV list",
    "QPV": "QPV",
    "Zones propres au projet": "The project's own zones",
    "Importer un fichier": "Import a file",
    "Problèmes trouvés dans le fichier :": "Problems found in the file:",
    "Sur la carte : QPV retenus en bleu, QPV écartés en pointillés gris, zones du projet en orange. Cliquer sur un "
    "QPV coche ou décoche sa case ci-dessous.": "On the map: kept QPV in blue, QPV left out dashed grey, project "
    "zones in orange. Clicking a QPV ticks or unticks its box below.",
    "Quartiers prioritaires (QPV), liste %(year)s": "Priority neighbourhoods (QPV), %(year)s list",
    "QPV des communes du projet : décochez ceux que le projet laisse de côté": (
        "QPV of the project's communes: untick those the project leaves aside"
    ),
    "commune %(c)s": "commune %(c)s",
    "%(n)s observation(s)": "%(n)s observation(s)",
    "Enregistrer le choix des QPV": "Save the choice of QPV",
    "Périmètres officiels : %(source)s, Licence Ouverte 2.0.": "Official perimeters: %(source)s, Licence Ouverte 2.0.",
    "Aucun périmètre officiel de la liste %(year)s n'a encore été importé sur ce site.": (
        "No official perimeter of the %(year)s list has been imported on this site yet."
    ),
    "L'ANCT publie les périmètres des QPV sur data.gouv.fr (jeu de données « Quartiers prioritaires de la politique "
    "de la ville (QPV) », Licence Ouverte 2.0). Comme l'explique la section « %(section)s » du README, téléchargez "
    "le fichier national, puis importez-le en ligne de commande, limité aux communes du projet :": "ANCT publishes "
    "the QPV perimeters on data.gouv.fr (dataset “Quartiers prioritaires de la politique de la ville (QPV)”, "
    "Licence Ouverte 2.0). As the README section “%(section)s” explains, download the national file, then import "
    "it from the command line, kept to the project's communes:",
    "Un administrateur du site peut aussi l'importer ici même.": "A site administrator can also import it right here.",
    "Un administrateur du site peut aussi l'importer depuis cette page : demandez-le-lui.": (
        "A site administrator can also import it from this page: ask them."
    ),
    "Aucun QPV de la liste %(year)s dans les communes du projet (%(communes)s). Vérifiez les codes INSEE des "
    "communes, ou importez le fichier officiel qui les contient.": "No QPV of the %(year)s list in the project's "
    "communes (%(communes)s). Check the communes' INSEE codes, or import the official file that holds them.",
    "Importer le fichier officiel des QPV (administrateurs)": "Import the official QPV file (administrators)",
    "Fichier de l'ANCT (GeoJSON ou shapefile zippé), liste %(year)s": (
        "ANCT file (GeoJSON or zipped shapefile), %(year)s list"
    ),
    "Seuls les QPV des communes du projet sont importés ; ils servent ensuite à tous les projets de ces communes. "
    "%(limit)s Mo au plus par envoi : pour le fichier national complet, utilisez la ligne de commande ci-dessus.": (
        "Only the QPV of the project's communes are imported; they then serve every project of these communes. "
        "%(limit)s MB at most per upload: for the whole national file, use the command line above."
    ),
    "Importer les QPV": "Import the QPV",
    "Une marche traverse aussi des lieux hors QPV, comme le centre-ville : dessinez-les ou importez-les.": (
        "A walk also crosses places outside QPV, such as the city centre: draw them or import them."
    ),
    "code %(code)s · %(n)s observation(s)": "code %(code)s · %(n)s observation(s)",
    "Nouveau nom": "New name",
    "Renommer": "Rename",
    "Supprimer la zone « %(name)s » ? Ses observations seront réaffectées.": (
        "Delete the zone “%(name)s”? Its observations will be re-assigned."
    ),
    "Supprimer « %(name)s »": "Delete “%(name)s”",
    "Aucune zone propre au projet pour l'instant.": "No zone of the project's own yet.",
    "Sur la carte, choisissez l'outil « Dessiner une zone » (le pentagone, en haut à gauche).": (
        "On the map, choose the “Draw a zone” tool (the pentagon, top left)."
    ),
    "Cliquez chaque coin de la zone, puis cliquez le premier point pour la fermer.": (
        "Click each corner of the zone, then click the first point to close it."
    ),
    "Donnez-lui un nom et enregistrez.": "Give it a name and save.",
    "p. ex. Centre-ville": "e.g. City centre",
    "Un contour est prêt à être enregistré.": "An outline is ready to be saved.",
    "Sans carte : coller un contour GeoJSON": "Without the map: paste a GeoJSON outline",
    "Enregistrer la zone": "Save the zone",
    "Importer un fichier de zones": "Import a file of zones",
    "Fichier GeoJSON, shapefile zippé ou GeoPackage": "GeoJSON file, zipped shapefile or GeoPackage",
    "Un champ « name » ou « nom » (et « code » si vous en avez) par zone. Tout ou rien : au moindre problème, rien "
    "n'est importé et chaque problème est nommé. %(limit)s Mo au plus. Réimporter le même fichier met les zones à "
    "jour.": "A “name” or “nom” field (and “code” if you have one) per zone. All or nothing: at the least problem "
    "nothing is imported and each problem is named. %(limit)s MB at most. Importing the same file again updates "
    "the zones.",
    "Importer les zones": "Import the zones",
    "Envoi du fichier… {p} %%": "Sending the file… {p} %%",
    "Traitement… vérification et enregistrement des zones.": "Processing… checking and saving the zones.",
    "Ce fichier fait {size} Mo : {limit} Mo au plus.": "This file is {size} MB: {limit} MB at most.",
    "Type de fichier non lu ici : {kinds}.": "Kind of file not read here: {kinds}.",
    "L'envoi a échoué : vérifiez la connexion et réessayez.": "Sending failed: check the connection and try again.",
    "Zone dessinée ({n} points) : donnez-lui un nom puis enregistrez-la.": (
        "Zone drawn ({n} points): give it a name, then save it."
    ),
    "{name} retenu : enregistrez le choix des QPV.": "{name} kept: save the choice of QPV.",
    "{name} écarté : enregistrez le choix des QPV.": "{name} left out: save the choice of QPV.",
    "Date invalide : utilisez le format AAAA-MM-JJ (p. ex. 2026-09-15).": "Invalid date: use the YYYY-MM-DD format (e.g. 2026-09-15).",
    "Nombre entier attendu.": "A whole number is expected.",
    "Nom du projet": "Project name",
    "Le nom du projet est obligatoire.": "The project name is required.",
    "200 caractères au plus.": "200 characters at most.",
    "Description": "Description",
    "5 000 caractères au plus.": "5,000 characters at most.",
    "Communes (codes INSEE)": "Communes (INSEE codes)",
    "Les codes officiels géographiques des communes, séparés par des espaces ou des virgules (p. ex. 80021 pour Amiens). Pas le code postal.": "The official geographic codes of the communes, separated by spaces or commas (e.g. 80021 for Amiens). Not the postcode.",
    "Indiquez au moins une commune, par son code INSEE.": "Give at least one commune, by its INSEE code.",
    "Liste officielle des QPV": "Official QPV list",
    "Liste 2024 (en vigueur)": "2024 list (in force)",
    "Liste 2015": "2015 list",
    "Durée de conservation des données précises (mois)": "How long precise data is kept (months)",
    "Indiquez une durée de conservation en mois.": "Give a retention period in months.",
    "Entre 1 et 120 mois.": "Between 1 and 120 months.",
    "La date de fin (%(end)s) précède la date de début (%(start)s).": "The end date (%(end)s) is before the start date (%(start)s).",
    "Identifiant court": "Short identifier",
    "Dans les adresses du site : minuscules, chiffres et tirets (p. ex. amiens-2026).": "Used in the site's addresses: lower-case letters, digits and hyphens (e.g. amiens-2026).",
    "L'identifiant court est obligatoire.": "The short identifier is required.",
    "M'ajouter à l'équipe d'animation de ce projet": "Add me to this project's facilitation team",
    "Fichier": "File",
    "Nom de la zone": "Zone name",
    "Donnez un nom à la zone (p. ex. « Centre-ville »).": "Give the zone a name (e.g. “City centre”).",
    "Contour (GeoJSON)": "Outline (GeoJSON)",
    "Dessinez d'abord la zone sur la carte.": "Draw the zone on the map first.",
    "Donnez un nom à la zone.": "Give the zone a name.",
    # two people editing one project (concurrent_edits)
    "Pendant que vous modifiiez ce projet, quelqu'un d'autre a changé : %(fields)s. Rien n'a été enregistré. Vos saisies sont restées ci-dessous : comparez avec le projet (ouvrez-le dans un autre onglet), puis enregistrez à nouveau pour garder les vôtres.": (
        "While you were editing this project, someone else changed %(fields)s. Nothing was saved. What you"
        " entered is still below: compare it with the project (open it in another tab), then save again"
        " to keep yours."
    ),
    "Pendant que vous modifiiez ces paramètres, quelqu'un d'autre a changé : %(fields)s. Rien n'a été"
    " enregistré. Vos choix sont restés ci-dessous : enregistrez à nouveau pour les garder.": (
        "While you were changing these settings, someone else changed %(fields)s. Nothing was saved."
        " Your choices are still below: save again to keep them."
    ),
    "Entre-temps, quelqu'un d'autre a changé le choix de : %(names)s. Ses changements sont gardés avec les"
    " vôtres.": "Meanwhile, someone else changed the choice of %(names)s. Their changes are kept with yours.",
}
