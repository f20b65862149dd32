"""English of the reasons the services give for refusing something (``lazy_gettext`` messages of
``webapp.errors.DomainError``), read in the language of the request that shows them."""

EN = {
    # error pages (webapp.errors): HTTP errors, a form whose session ended
    "La requête est mal formée.": "The request is malformed.",
    "Cette page n'existe pas.": "This page does not exist.",
    "Cette action n'est pas possible ici.": "This action is not possible here.",
    "Le fichier envoyé est trop volumineux.": "The file sent is too large.",
    "Trop de tentatives : réessayez dans une minute.": "Too many attempts: try again in a minute.",
    "Une erreur est survenue.": "Something went wrong.",
    "Le service est momentanément indisponible : réessayez dans quelques secondes.": (
        "The service is briefly unavailable: try again in a few seconds."
    ),
    "Ce formulaire n'est plus valable : rien n'a été enregistré.": "This form is no longer valid: nothing was saved.",
    "Formulaire expiré": "Form expired",
    "La page est restée ouverte pendant que la session prenait fin (déconnexion, dans cet onglet ou un autre, ou fin de la durée de connexion).": (
        "The page stayed open while the session ended (signed out, in this tab or another, or the end of the "
        "sign-in period)."
    ),
    "Ce que vous aviez écrit est ci-dessous : copiez-le, rouvrez la page et collez-le.": (
        "What you had written is below: copy it, open the page again and paste it."
    ),
    "Texte %(number)s": "Text %(number)s",
    "Rouvrir la page": "Open the page again",
    "Si on vous le demande, reconnectez-vous : vous reviendrez ensuite au formulaire.": (
        "If asked, sign in again: you will then come back to the form."
    ),
    # joining a walk, a participant's token
    "Rejoignez d'abord une marche avec son code.": "Join a walk with its code first.",
    "Profil invalide.": "Invalid profile.",
    "Cette marche est terminée : on ne peut plus la rejoindre.": "This walk is over: it can no longer be joined.",
    "Votre participation a expiré : rejoignez à nouveau la marche avec son code.": (
        "Your participation has expired: join the walk again with its code."
    ),
    "Cette marche est terminée.": "This walk is over.",
    "Jeton de participation inconnu : rejoignez la marche avec son code.": (
        "Unknown participation token: join the walk with its code."
    ),
    "Entrez le code de la marche.": "Enter the walk's code.",
    "Ce code ne correspond à aucune marche. Vérifiez-le auprès de l'animatrice ou de l'animateur.": (
        "This code matches no walk. Check it with the walk's facilitator."
    ),
    "Cette marche n'a pas encore commencé : réessayez quand l'animatrice ou l'animateur l'aura ouverte.": (
        "This walk has not started yet: try again once the facilitator has opened it."
    ),
    "Identifiant de demande invalide.": "Invalid request identifier.",
    "Cette demande a déjà servi pour une autre marche.": "This request was already used for another walk.",
    "Trop de codes erronés : réessayez dans une minute.": "Too many wrong codes: try again in a minute.",
    "Trop d'inscriptions depuis cette connexion : réessayez dans une minute.": (
        "Too many people joined from this connection: try again in a minute."
    ),
    # observations and photos sent by phones
    "Le contenu envoyé n'est pas du JSON valide.": "What was sent is not valid JSON.",
    "Identifiant inconnu.": "Unknown identifier.",
    "Certaines réponses sont à corriger.": "Some answers need correcting.",
    "Photo introuvable.": "Photo not found.",
    "Format d'export inconnu.": "Unknown export format.",
    "Polarité inconnue.": "Unknown polarity.",
    "Identifiant d'observation invalide.": "Invalid observation identifier.",
    "Le contenu envoyé n'est pas une observation.": "What was sent is not an observation.",
    "Cette observation ne correspond pas au formulaire de la marche.": (
        "This observation does not match the walk's form."
    ),
    "Cette observation vient d'être supprimée.": "This observation has just been deleted.",
    "Une autre observation porte déjà cet identifiant.": "Another observation already has this identifier.",
    "Observation introuvable.": "Observation not found.",
    "Une autre photo porte déjà cet identifiant.": "Another photo already has this identifier.",
    "%(num)s photos au plus par observation.": "At most %(num)s photos per observation.",
    # names given where there is none
    "Toute la marche": "The whole walk",
    "Sans partenaire": "No partner",
}
