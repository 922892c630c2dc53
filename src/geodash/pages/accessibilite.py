"""The accessibility statement (``/accessibilite``), on the model of the RGAA 4.1 statement: conformity
level, what is checked, what is not accessible yet, how the statement was made, how to report a problem
and the remedies.

Its level is :data:`CONFORMITY`, which every page's footer names too (:func:`geodash.pages.footer`).
RGAA: « non conforme » as long as no valid audit of its criteria exists, « partiellement conforme » from
50 % of its criteria met, « totalement conforme » at 100 %. The automated tests of the app are no such
audit: change the level and the sections below together when an audit has been made.
"""

from __future__ import annotations

import streamlit as st

from . import footer

__all__ = ["CONFORMITY", "STATEMENT_DATE", "page", "render"]

#: The conformity level reached (RGAA 4.1): no RGAA audit has been made yet.
CONFORMITY = "non conforme"
#: When this statement was written (and the checks it describes were run).
STATEMENT_DATE = "6 décembre 2026"
#: The axe-core version the browser tests run (the one ``axe-playwright-python`` ships).
AXE_VERSION = "4.12"

STATEMENT = f"""
Le Département du Pas-de-Calais s'engage à rendre ses services numériques accessibles, conformément à
l'article 47 de la loi n° 2005-102 du 11 février 2005.

Cette déclaration d'accessibilité s'applique à **geodash**, le tableau de bord cartographique des contrats
territoriaux de développement durable signés en 2019 par le Département avec ses intercommunalités : la
carte (adresse racine, y compris le mode projecteur), la comparaison des territoires (`/comparaison`), les
sources et la qualité des données (`/sources`), la page réservée de saisie (`/saisie`) et cette page.

## État de conformité

geodash est **{CONFORMITY}** avec le référentiel général d'amélioration de l'accessibilité (RGAA),
version 4.1 : aucun audit de conformité au RGAA n'a encore été réalisé. Les vérifications faites à chaque
modification de l'application, décrites ci-dessous, ne remplacent pas cet audit.

Ce qui est vérifié automatiquement, à chaque modification :

- chaque page déclare sa langue, le français ;
- le moteur de tests axe-core applique les règles des WCAG 2.0 et 2.1 de niveaux A et AA à chaque page
  (carte du département, carte d'une intercommunalité, mode projecteur, comparaison des territoires, sources,
  formulaire de connexion de la saisie, cette déclaration), à la taille d'un téléphone (390 × 844 pixels),
  d'un ordinateur portable (1366 × 768 et 1280 × 720) et d'un vidéoprojecteur (1280 × 720 et 1024 × 768) :
  aucune erreur n'est relevée ;
- un parcours au clavier seul : choisir une intercommunalité, changer un filtre, atteindre un projet sur la
  carte et ouvrir sa fiche, atteindre le tableau des projets, préparer et télécharger la carte à imprimer ;
  l'élément qui a le focus est visible et signalé à chaque étape ;
- les couleurs des thématiques et des classes de la carte des territoires ont un contraste d'au moins 3:1
  avec le fond de la carte ; la couleur n'est jamais la seule information : chaque thématique a sa forme,
  les projets à venir sont dessinés en creux, et les valeurs de la carte des territoires sont écrites dans
  le classement.

## Utiliser la carte sans souris

- Un lien « Alternative textuelle », juste avant chaque carte, mène aux tableaux qui disent la même chose
  qu'elle : pour une intercommunalité, ses chiffres clés et le tableau des projets (numérotés comme sur la
  carte) ; pour le département et sur la page de comparaison, le classement des intercommunalités (les
  valeurs que la carte montre en couleurs).
- La touche Tab atteint la carte, puis chacun de ses projets ; Entrée ouvre la fiche du projet, que son
  bouton × referme.
- Quand la carte a le focus, les flèches la déplacent, les touches + et - changent le zoom (comme les
  boutons + et - de la carte), la touche L affiche ou masque la légende (comme le bouton « L »).
- En mode projecteur, les boutons « Précédent » et « Suivant », ou les flèches gauche et droite, passent
  d'une intercommunalité à l'autre ; le bouton ✕ quitte ce mode.
- Sur la carte du département, un territoire s'ouvre d'un clic ; au clavier, il se choisit dans la liste
  « Intercommunalité » du panneau latéral.

## Contenus non accessibles

### Non-conformités et limites connues

- Le dessin de la carte (limites, couleurs, position des projets) est visuel : les lecteurs d'écran n'en
  ont que l'alternative textuelle (les tableaux cités plus haut).
- La fiche d'un projet ouverte sur la carte n'est pas annoncée par les lecteurs d'écran ; le tableau des
  projets donne les mêmes informations.
- Les infobulles des territoires et des communes ne s'affichent qu'au survol de la souris ; leur contenu
  (nom, valeur de l'indicateur) est dans le classement et les tableaux.
- Les filtres (listes, curseur, interrupteur) et les menus viennent de Streamlit, la bibliothèque sur
  laquelle geodash est construit ; la liste « Intercommunalité » (une liste déroulante modifiable selon le
  modèle WAI-ARIA) et le tableau des projets (un tableau HTML dont chaque en-tête est un bouton de tri) sont
  de geodash. axe-core n'y relève pas d'erreur, mais ils n'ont pas été essayés avec des lecteurs d'écran.
- Les cartes à imprimer (PDF, PNG) ne sont pas des documents accessibles ; leurs données se téléchargent
  en tableaux CSV et Excel.
- Aucun essai n'a encore été fait avec des lecteurs d'écran (NVDA, JAWS, VoiceOver), ni avec des
  personnes en situation de handicap.

### Dérogations pour charge disproportionnée

Aucune.

## Établissement de cette déclaration

Cette déclaration a été établie le {STATEMENT_DATE}.

- Technologies utilisées : HTML, CSS, JavaScript (Streamlit, Leaflet), WAI-ARIA.
- Outils de vérification : axe-core {AXE_VERSION} (règles WCAG 2.0 et 2.1, niveaux A et AA) dans le
  navigateur Chromium piloté par Playwright ; un test au clavier seul dans le même navigateur ; un calcul
  des contrastes des couleurs de la carte.
- Pages vérifiées : la carte du département, la carte de la Communauté urbaine d'Arras, le mode projecteur,
  `/comparaison`, `/sources`, `/saisie` (formulaire de connexion) et `/accessibilite`.

## Retour d'information et contact

Si vous n'arrivez pas à accéder à un contenu ou à un service de geodash, contactez le Département du
Pas-de-Calais (par le formulaire de contact de son site internet, ou auprès du service qui vous a
communiqué ce tableau de bord) : il vous orientera vers une alternative accessible ou vous transmettra le
contenu sous une autre forme. Précisez l'adresse de la page, ce que vous cherchiez à faire, et votre
navigateur ou votre aide technique (lecteur d'écran, loupe…).

## Voies de recours

Si vous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et
que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez :

- écrire un message au Défenseur des droits (formulaire en ligne sur
  [defenseurdesdroits.fr](https://www.defenseurdesdroits.fr)) ;
- contacter le délégué du Défenseur des droits dans votre région ;
- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits,
  Libre réponse 71120, 75342 Paris CEDEX 07.
"""


def page() -> st.Page:
    """The statement's page, for ``st.navigation`` and the footers' links (a page is known by its URL)."""
    return st.Page(render, title="Accessibilité", icon=":material/accessibility:", url_path="accessibilite")


def render() -> None:
    """The statement; it reads no data."""
    st.title("Déclaration d'accessibilité")
    st.markdown(STATEMENT)
    footer()
