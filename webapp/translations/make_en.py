"""Fill the English catalogue from messages.pot (run after `pybabel extract`, then `pybabel compile`).

    cd webapp && ../.venv/bin/pybabel extract -F translations/babel.cfg --ignore-dirs='.*' -k _l \
        -k lazy_gettext -k lazy_ngettext:1,2 -o translations/messages.pot --no-location .
    ../.venv/bin/python translations/make_en.py && ../.venv/bin/pybabel compile -d translations

(``--ignore-dirs='.*'``: Babel's default also skips folders whose name starts with ``_``, such as
``templates/_macros``, whose strings then never reach the catalogue.)

English texts live in ``EN`` below and in ``en_<area>.py`` files beside this one (each defines ``EN``),
so work on different areas does not edit the same lines.
"""

import importlib.util
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

EN = {
    "Je préfère ne pas répondre": "I prefer not to say",
    "11 à 14 ans": "11 to 14",
    "15 à 17 ans": "15 to 17",
    "18 à 25 ans": "18 to 25",
    "26 à 44 ans": "26 to 44",
    "45 à 64 ans": "45 to 64",
    "65 ans et plus": "65 and over",
    "Femme": "Woman",
    "Homme": "Man",
    "Autre": "Other",
    "Collégien·ne": "Middle-school pupil",
    "Lycéen·ne": "High-school pupil",
    "Étudiant·e": "Student",
    "Habitant·e": "Resident",
    "Professionnel·le d'une structure partenaire": "Staff of a partner organisation",
    "En attente d'envoi": "Waiting to be sent",
    "Envoi…": "Sending…",
    "Envoyée": "Sent",
    "Échec": "Failed",
    "Suppression en attente": "Deletion waiting",
    "Hors connexion : vos observations restent sur le téléphone et partiront dès le retour du réseau.": (
        "Offline: your observations stay on the phone and will be sent when the network is back."
    ),
    "Connexion rétablie : envoi des observations en attente.": "Back online: sending waiting observations.",
    "Observation enregistrée sur le téléphone.": "Observation saved on the phone.",
    "Choisissez un thème.": "Choose a theme.",
    "Dites si ça va ou pas.": "Say whether it is fine or not.",
    "Position inconnue : touchez la carte pour placer le repère.": (
        "Position unknown: tap the map to place the marker."
    ),
    "Recherche de votre position…": "Finding your position…",
    "Position à ± {m} m près": "Position within ± {m} m",
    "Position imprécise (± {m} m) : attendez quelques secondes ou placez le repère sur la carte.": (
        "Imprecise position (± {m} m): wait a few seconds or place the marker on the map."
    ),
    "Position non disponible : touchez la carte pour placer le repère.": (
        "Position not available: tap the map to place the marker."
    ),
    "Repère placé à la main.": "Marker placed by hand.",
    "Zone : {name}": "Zone: {name}",
    "Modifier": "Edit",
    "Supprimer": "Delete",
    "Supprimer cette observation ?": "Delete this observation?",
    "Réessayer": "Try again",
    "{n} photo(s) en attente": "{n} photo(s) waiting",
    "{n} photos au plus.": "At most {n} photos.",
    "Cette photo n'a pas pu être lue.": "This photo could not be read.",
    "Aucune observation pour l'instant.": "No observation yet.",
    "Modification de l'observation": "Editing the observation",
    "Enregistrer l'observation": "Save the observation",
    "Enregistrer les modifications": "Save the changes",
    "Annuler": "Cancel",
    "pas de réseau": "no network",
    "serveur occupé, nouvel essai bientôt": "server busy, trying again soon",
    "Ça va": "Fine",
    "Ça ne va pas": "Not fine",
    "Neutre": "Neutral",
    "Vous êtes ici": "You are here",
    "Arrêt": "Stop",
    "Observation enregistrée.": "Observation saved.",
    "Qu'est-ce que vous voyez ?": "What do you see?",
    "Ajouter une note, une proposition, une photo": "Add a note, a proposal, a photo",
    "Où ?": "Where?",
    "Carte : touchez pour placer le repère": "Map: tap to place the marker",
    "Arrêt le plus proche": "Nearest stop",
    "Mes observations": "My observations",
    "Réessayer l'envoi": "Try sending again",
    "Rejoindre une marche": "Join a walk",
    "Pas de compte, pas de nom : le code suffit. "
    "Il est donné par l'animatrice ou l'animateur de la marche.": (
        "No account, no name: the code is enough. The walk's facilitator gives it to you."
    ),
    "Code de la marche": "Walk code",
    "Six lettres ou chiffres, par exemple K7PM3Q.": "Six letters or digits, for example K7PM3Q.",
    "À propos de vous (facultatif)": "About you (optional)",
    "Ces réponses servent seulement à décrire le groupe : qui a marché, pas qui a écrit quoi.": (
        "These answers only describe the group: who walked, not who wrote what."
    ),
    "Âge": "Age",
    "Genre": "Gender",
    "Vous êtes": "You are",
    "Rejoindre la marche": "Join the walk",
    "Cochez la case pour confirmer l'effacement.": "Tick the box to confirm the erasure.",
    "Mes données : les télécharger ou les effacer": "My data: download or erase it",
    "Mes données": "My data",
    "Vos données ont été effacées : %(n)s observation(s) et %(p)s photo(s), ainsi que votre profil.": (
        "Your data was erased: %(n)s observation(s) and %(p)s photo(s), and your profile."
    ),
    "Ce téléphone n'est plus lié à la marche « %(title)s ».": (
        "This phone is no longer linked to the walk “%(title)s”."
    ),
    "Marche « %(title)s » du %(date)s.": "Walk “%(title)s” of %(date)s.",
    "Ce qui est conservé à votre sujet, sans nom ni adresse :": (
        "What is kept about you, with no name or address:"
    ),
    "Profil : %(age)s · %(gender)s · %(status)s": "Profile: %(age)s · %(gender)s · %(status)s",
    "%(n)s observation(s) et %(p)s photo(s)": "%(n)s observation(s) and %(p)s photo(s)",
    "Ce lien avec la marche expire le %(at)s (UTC).": "This link with the walk expires on %(at)s (UTC).",
    "Télécharger mes données (JSON)": "Download my data (JSON)",
    "Je veux effacer toutes mes observations, leurs photos et mon profil. C'est définitif.": (
        "I want to erase all my observations, their photos and my profile. This cannot be undone."
    ),
    "Effacer mes données": "Erase my data",
    "Retour à la saisie": "Back to recording",
    "Ce que deviennent les propositions des marches": "What became of the walks' proposals",
}

here = Path(__file__).resolve().parent
for extra in sorted(here.glob("en_*.py")):
    spec = importlib.util.spec_from_file_location(extra.stem, extra)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    EN.update(module.EN)
with (here / "messages.pot").open("rb") as handle:
    template = read_po(handle)
catalog = Catalog(locale="en", project="Arpenteur", fuzzy=False)
missing = []
for message in template:
    if not message.id:
        continue
    if message.id not in EN:
        missing.append(message.id)
    catalog.add(message.id, EN.get(message.id, ""))
target = here / "en" / "LC_MESSAGES" / "messages.po"
target.parent.mkdir(parents=True, exist_ok=True)
with target.open("wb") as handle:
    write_po(handle, catalog, omit_header=False, no_location=True)
if missing:
    raise SystemExit("untranslated: " + "; ".join(map(str, missing)))
