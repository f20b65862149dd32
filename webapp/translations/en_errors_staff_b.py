"""English of the reasons staff accounts, teams, invitations, two-step login, recommendation follow-up and
the partners' pages give for refusing something (``lazy_gettext`` messages of
``webapp.errors.DomainError`` and the sign-in pages' errors), read in the language of the request that
shows them."""

EN = {
    # accounts, passwords, reset links
    "Adresse électronique invalide.": "Invalid email address.",
    "Le mot de passe doit faire au moins %(num)s caractères.": (
        "The password must be at least %(num)s characters long."
    ),
    "Le mot de passe doit faire au plus %(num)s caractères.": (
        "The password must be at most %(num)s characters long."
    ),
    "Le mot de passe ne peut pas être l'adresse électronique.": "The password cannot be the email address.",
    "Un compte existe déjà avec cette adresse.": "An account already exists with this address.",
    "Le mot de passe actuel est incorrect.": "The current password is wrong.",
    "Aucun compte avec cette adresse.": "No account with this address.",
    "Ce lien a expiré : demandez-en un nouveau.": "This link has expired: ask for a new one.",
    "Ce lien n'est pas valide : vérifiez qu'il est complet.": (
        "This link is not valid: check that it is complete."
    ),
    "Ce lien a déjà servi ou n'est plus valide : demandez-en un nouveau.": (
        "This link has already been used or is no longer valid: ask for a new one."
    ),
    # sign-in
    "Adresse ou mot de passe incorrect.": "Wrong address or password.",
    (
        "Trop de tentatives. Réessayez dans %(num)s minute.",
        "Trop de tentatives. Réessayez dans %(num)s minutes.",
    ): (
        "Too many attempts. Try again in %(num)s minute.",
        "Too many attempts. Try again in %(num)s minutes.",
    ),
    "Vous n'avez pas accès à cette page pour ce projet.": (
        "You do not have access to this page for this project."
    ),
    # two-step login
    "La mise en place a expiré : recommencez avec le nouveau code QR.": (
        "The set-up has expired: start again with the new QR code."
    ),
    "Mise en place invalide : recommencez.": "Invalid set-up: start again.",
    "Mot de passe incorrect.": "Wrong password.",
    "La connexion en deux étapes est déjà activée.": "Two-step login is already switched on.",
    "Code incorrect : vérifiez l'heure du téléphone et saisissez le code affiché.": (
        "Wrong code: check the phone's time and type the code shown."
    ),
    "La connexion en deux étapes n'est pas activée.": "Two-step login is not switched on.",
    "Code incorrect ou déjà utilisé.": "Wrong code, or already used.",
    # teams and organisations
    "Rôle inconnu.": "Unknown role.",
    "Le nom de l'organisation doit faire de 2 à 200 caractères.": (
        "The organisation's name must be 2 to 200 characters long."
    ),
    "Type d'organisation inconnu.": "Unknown type of organisation.",
    "Cette personne ne fait pas partie de l'équipe.": "This person is not in the team.",
    "Vous ne pouvez pas vous retirer vous-même de l'équipe.": "You cannot remove yourself from the team.",
    "Seule l'administration peut retirer un administrateur ou une administratrice.": (
        "Only administrators can remove an administrator."
    ),
    # invitations
    "Rôle inconnu : animation ou partenaire.": "Unknown role: facilitation or partner.",
    "Organisation inconnue pour ce projet.": "Unknown organisation for this project.",
    "Indiquez l'organisation de la ou du partenaire.": "Give the partner's organisation.",
    "Cette personne fait déjà partie de l'équipe du projet.": "This person is already in the project team.",
    "Cette invitation n'existe pas : vérifiez que le lien est complet.": (
        "This invitation does not exist: check that the link is complete."
    ),
    "Cette invitation a déjà servi. Connectez-vous avec votre compte.": (
        "This invitation has already been used. Log in with your account."
    ),
    "Cette invitation a été retirée. Demandez-en une nouvelle à l'équipe du projet.": (
        "This invitation was withdrawn. Ask the project team for a new one."
    ),
    "Cette invitation a expiré. Demandez-en une nouvelle à l'équipe du projet.": (
        "This invitation has expired. Ask the project team for a new one."
    ),
    "Cette invitation est destinée à une autre adresse : déconnectez-vous pour l'utiliser.": (
        "This invitation is meant for another address: log out to use it."
    ),
    "Un compte existe déjà avec cette adresse : connectez-vous pour accepter l'invitation.": (
        "An account already exists with this address: log in to accept the invitation."
    ),
    "Indiquez votre nom.": "Give your name.",
    "Invitation introuvable.": "Invitation not found.",
    "Cette invitation a déjà servi : retirez plutôt la personne de l'équipe.": (
        "This invitation has already been used: remove the person from the team instead."
    ),
    # recommendation follow-up and the partners' pages
    "Statut inconnu.": "Unknown status.",
    "Un refus doit être motivé.": "A refusal needs a reason.",
    "Le commentaire est vide.": "The comment is empty.",
    "Regroupement inconnu.": "Unknown grouping.",
    "Ce partenaire ne participe pas au projet.": "This partner does not take part in the project.",
    "Cette préconisation est confiée à une autre organisation : vous ne pouvez pas y répondre.": (
        "This recommendation is entrusted to another organisation: you cannot answer it."
    ),
    "Seule l'équipe d'animation attribue les préconisations et fixe les échéances.": (
        "Only the facilitation team assigns recommendations and sets their deadlines."
    ),
    "Cette page n'existe pas ou n'est pas publique.": "This page does not exist or is not public.",
    "Préconisation introuvable.": "Recommendation not found.",
}
