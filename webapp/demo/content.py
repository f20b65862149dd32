"""Text of the Amiens demo: what residents wrote, theme by theme (fictional, written for the demo).

Each entry is (polarity, note, proposal). The notes are written the way participants write on a phone
during a walk: short, concrete, sometimes without capitals. No real person is named.
"""

from __future__ import annotations

#: theme concept -> list of (polarity, note, proposal)
NOTES: dict[str, list[tuple[str, str, str]]] = {
    "signage": [
        (
            "negative",
            "Aucun panneau pour trouver la maison de quartier, on a tourné 10 minutes.",
            "Mettre des panneaux piétons vers la maison de quartier et la médiathèque.",
        ),
        (
            "negative",
            "Les numéros des bâtiments sont effacés, les pompiers ne trouveraient pas.",
            "Repeindre les numéros en grand sur chaque entrée.",
        ),
        (
            "negative",
            "Le plan du quartier à l'arrêt de bus est tagué, on ne lit plus rien.",
            "Remplacer le plan et le protéger.",
        ),
        ("positive", "Le nouveau fléchage vers le parc est clair, même pour les enfants.", ""),
        (
            "neutral",
            "Le nom de la rue est écrit trop petit sur la plaque.",
            "Des plaques plus grandes aux carrefours.",
        ),
    ],
    "lighting": [
        (
            "negative",
            "Le passage sous les immeubles est tout noir le soir, deux lampadaires en panne depuis l'hiver.",
            "Réparer les lampadaires et signaler les pannes plus vite.",
        ),
        (
            "negative",
            "L'allée vers l'arrêt de bus n'est pas éclairée, je fais le tour par la grande rue.",
            "Éclairer l'allée avec des lampes basses qui n'éblouissent pas.",
        ),
        (
            "negative",
            "Éclairage qui s'éteint à minuit alors que des gens rentrent du travail.",
            "Garder l'éclairage jusqu'au dernier bus.",
        ),
        (
            "negative",
            "Le parking est éclairé mais pas le chemin piéton à côté.",
            "Éclairer aussi le cheminement piéton.",
        ),
        ("positive", "Depuis les nouveaux lampadaires la place est bien éclairée, on voit les visages.", ""),
        ("positive", "Bonne lumière devant l'école, on se sent en sécurité en attendant.", ""),
    ],
    "visibility": [
        (
            "negative",
            "Les haies sont trop hautes, on ne voit pas qui arrive au bout du chemin.",
            "Tailler les haies à hauteur de hanche.",
        ),
        (
            "negative",
            "Recoin derrière le transformateur, des gens s'y cachent le soir.",
            "Supprimer le recoin ou l'ouvrir avec une grille transparente.",
        ),
        (
            "negative",
            "Le tunnel piéton fait un coude, on ne voit pas la sortie.",
            "Installer un miroir et éclairer le coude.",
        ),
        ("positive", "La place est dégagée, on voit de loin, c'est rassurant.", ""),
    ],
    "presence": [
        (
            "negative",
            "Après 19h il n'y a plus personne, tous les commerces ferment.",
            "Soutenir un commerce ou un café ouvert le soir.",
        ),
        (
            "negative",
            "Beaucoup d'hommes devant la supérette, les filles changent de trottoir.",
            "Aménager la place pour qu'elle soit à tout le monde : bancs, jeux, animations.",
        ),
        (
            "negative",
            "Rue très isolée entre les deux résidences, personne ne passe.",
            "Y faire passer la ligne de bus ou des activités.",
        ),
        ("positive", "Le marché du samedi amène du monde, femmes et familles, c'est vivant.", ""),
        ("positive", "Le city stade est plein de jeunes, filles et garçons, ambiance sympa.", ""),
    ],
    "help": [
        (
            "negative",
            "Pas de commerce ni de gardien pour demander de l'aide dans cette partie.",
            "Une loge de gardien ouverte en fin de journée.",
        ),
        (
            "negative",
            "La cabine d'appel d'urgence du parking est cassée.",
            "La réparer ou l'enlever pour ne pas tromper.",
        ),
        ("positive", "Les médiateurs passent le soir, on les connaît, ils sont à l'écoute.", ""),
        (
            "neutral",
            "On ne sait pas qui appeler quand il y a un problème dans le hall.",
            "Afficher dans chaque hall les numéros utiles (bailleur, médiation).",
        ),
    ],
    "cleanliness": [
        (
            "negative",
            "Dépôts sauvages de matelas et de sacs au pied des containers.",
            "Plus de passages des encombrants et un affichage des jours de collecte.",
        ),
        (
            "negative",
            "Tags partout sur les murs du passage, ça donne une impression d'abandon.",
            "Un chantier de fresque avec les jeunes du quartier.",
        ),
        (
            "negative",
            "Le bâtiment muré depuis des années attire les squats.",
            "Le démolir ou lui trouver un usage.",
        ),
        (
            "negative",
            "Crottes de chien sur tout le trottoir devant l'école.",
            "Des distributeurs de sacs et des poubelles.",
        ),
        ("positive", "Le square a été refait, c'est propre et les poubelles sont vidées.", ""),
        ("positive", "Les jardins partagés sont bien entretenus par les habitants.", ""),
    ],
    "paths": [
        (
            "negative",
            "Trottoir trop étroit avec les voitures garées dessus, impossible avec une poussette.",
            "Empêcher le stationnement sur le trottoir avec des potelets.",
        ),
        (
            "negative",
            "Pas de bateau au passage piéton, un fauteuil roulant ne peut pas traverser.",
            "Abaisser la bordure aux passages piétons.",
        ),
        ("negative", "Les racines ont soulevé le trottoir, ma voisine est tombée.", "Refaire le revêtement."),
        (
            "negative",
            "Le passage piéton est effacé et les voitures roulent vite.",
            "Repeindre et mettre un plateau ralentisseur.",
        ),
        ("positive", "Nouvelle piste cyclable séparée, les enfants vont au collège en vélo.", ""),
    ],
    "transport": [
        (
            "negative",
            "Abri de bus sans banc ni éclairage, on attend dans le noir.",
            "Un abri éclairé avec un banc et l'horaire en temps réel.",
        ),
        (
            "negative",
            "Le dernier bus passe trop tôt, après 21h on rentre à pied.",
            "Prolonger la ligne en soirée le week-end.",
        ),
        (
            "negative",
            "L'arrêt est loin des immeubles, 10 minutes de marche dans une zone vide.",
            "Rapprocher l'arrêt ou créer un arrêt à la demande le soir.",
        ),
        ("positive", "La ligne Nemo passe souvent, c'est pratique pour aller au centre.", ""),
    ],
    "uses": [
        (
            "negative",
            "Rien pour les filles ici, le terrain est occupé par les garçons.",
            "Des créneaux et des équipements pensés aussi pour les filles.",
        ),
        (
            "negative",
            "Pas de bancs pour les personnes âgées, elles ne sortent plus.",
            "Installer des bancs à l'ombre.",
        ),
        (
            "neutral",
            "Grande pelouse vide, personne ne l'utilise.",
            "Y faire des jeux, un barbecue partagé, des fêtes de quartier.",
        ),
        ("positive", "Les bancs près de la fontaine sont occupés par tout le monde, jeunes et vieux.", ""),
    ],
    "harassment": [
        (
            "negative",
            "Remarques et sifflements quand on passe devant le hall, tous les soirs.",
            "Des médiateurs présents en soirée et une campagne contre le harcèlement.",
        ),
        (
            "negative",
            "On m'a suivie jusqu'à l'arrêt de bus la semaine dernière.",
            "Éclairer l'arrêt et permettre la descente à la demande entre deux arrêts.",
        ),
        (
            "negative",
            "Des jeunes insultent les filles qui passent sur le parking.",
            "Un travail avec les éducateurs de prévention sur le respect.",
        ),
        (
            "negative",
            "Regards insistants et commentaires à la sortie du tram, je mets mes écouteurs.",
            "Former les agents du réseau à intervenir.",
        ),
    ],
    "feeling": [
        (
            "negative",
            "Je ne passe jamais ici seule le soir, je demande à mon frère de m'accompagner.",
            "Rendre ce passage plus vivant et mieux éclairé.",
        ),
        (
            "negative",
            "On se sent enfermé entre les murs, aucune sortie possible.",
            "Ouvrir une deuxième sortie vers la rue.",
        ),
        ("neutral", "Ça va la journée mais la nuit c'est autre chose.", ""),
        ("positive", "Je me sens bien ici, tout le monde se connaît et se dit bonjour.", ""),
    ],
    "assets": [
        ("positive", "La maison de quartier est un lieu où on se retrouve, les animateurs sont super.", ""),
        ("positive", "La médiathèque est ouverte le samedi, les enfants y vont seuls sans problème.", ""),
        ("positive", "Le parc est agréable, on y pique-nique l'été avec les voisines.", ""),
        ("positive", "La boulangerie reste ouverte tard, la boulangère connaît tout le monde.", ""),
        ("positive", "Le jardin partagé : on y parle avec des gens qu'on ne croisait jamais.", ""),
    ],
}

#: How often each concept comes up, per walk kind (women's walks note more harassment, etc.).
WEIGHTS_DEFAULT = {
    "signage": 5,
    "lighting": 12,
    "visibility": 7,
    "presence": 7,
    "help": 4,
    "cleanliness": 12,
    "paths": 9,
    "transport": 7,
    "uses": 6,
    "harassment": 5,
    "feeling": 8,
    "assets": 8,
}
WEIGHTS_NIGHT = {
    **WEIGHTS_DEFAULT,
    "lighting": 20,
    "harassment": 9,
    "feeling": 12,
    "presence": 10,
    "cleanliness": 6,
}
