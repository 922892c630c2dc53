"""The Légende: colours, marker shapes, line widths and French labels, for both renderers.

The web map (:mod:`geodash.webmap`) and the print map (:mod:`geodash.printmap`) read this module and
nothing else for their look, so a change here changes both. Group titles and entry labels follow the
2018 contract maps (seed, e.g. lines 1147-1244); colours are ours (the text of the maps lost them) and
were picked from the Okabe-Ito palette so that themes stay distinct for colour-blind readers. Every
theme also has its own shape, so colour is never the only cue. The follow-up of a financing since the
contract (:data:`BADGES`) is a small round badge at a marker's top-right corner, told by its glyph as
much as by its colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import html_text

__all__ = [
    "THEMES",
    "PERIODS",
    "NATURES",
    "ROAD_CLASSES",
    "SITE_TYPES",
    "LAND_COVER",
    "BOUNDARIES",
    "GROUP_TITLES",
    "FONTS",
    "MAP_BACKGROUND",
    "CHOROPLETH",
    "PERIOD_SWATCH",
    "ThemeStyle",
    "PeriodStyle",
    "LineStyle",
    "FillStyle",
    "SiteStyle",
    "BadgeStyle",
    "BADGES",
    "CHOROPLETH_NO_VALUE",
    "RD_CATEGORIES",
    "LAYER_KINDS",
    "LAYER_LABELS",
    "ROAD_DRAW_ORDER",
    "ROAD_WORK",
    "OUTLINES",
    "PRINT",
    "WEB",
    "marker_svg",
    "badge_svg",
]


@dataclass(frozen=True)
class ThemeStyle:
    label: str
    color: str
    shape: str  # one of SHAPES
    mpl_marker: str  # the same shape for matplotlib


@dataclass(frozen=True)
class PeriodStyle:
    label: str  # legend text
    filled: bool  # solid (True) or outlined (False)


@dataclass(frozen=True)
class LineStyle:
    label: str
    color: str
    width: float  # CSS pixels on the web, points in print
    dash: str | None = None  # SVG dash array ("6 4"); None = solid
    casing: str | None = None  # outline colour drawn under the line


@dataclass(frozen=True)
class FillStyle:
    label: str
    color: str
    opacity: float = 0.8
    hatch: str | None = None  # matplotlib hatch for print
    line: bool = False  # drawn as a line (watercourses)


@dataclass(frozen=True)
class SiteStyle:
    label: str
    color: str
    letter: str  # a letter in a white disc: readable in black and white too


@dataclass(frozen=True)
class BadgeStyle:
    label: str  # legend text
    word: str  # the state in a sentence (« versé »)
    glyph: str  # drawn in the badge: one character of DejaVu Sans, never data
    color: str  # fill of the badge; the glyph is white


# --- Couches de contexte ----------------------------------------------------------------------
#: How the context layers are named (toggles, messages), by kind. Here rather than in the layers
#: package so that views.py can read the kinds without importing the geodata stack.
LAYER_LABELS: dict[str, str] = {
    "routes": "Routes",
    "sites": "Sites du Département",
    "occupation_sol": "Occupation du sol",
    "cours_eau": "Cours d'eau",
    "configuration": "Configuration des couches",
}
#: The four kinds of context layer.
LAYER_KINDS = ("routes", "sites", "occupation_sol", "cours_eau")

# --- Projets / Thématiques -------------------------------------------------------------------
THEMES: dict[str, ThemeStyle] = {
    "Aménagement": ThemeStyle("Aménagement", "#D55E00", "square", "s"),
    "Solidarité": ThemeStyle("Solidarité", "#CC3D8F", "circle", "o"),
    "Education": ThemeStyle("Education", "#0072B2", "triangle", "^"),
    "Culture": ThemeStyle("Culture", "#6A3D9A", "diamond", "D"),
    "Sport": ThemeStyle("Sport", "#1B8A5A", "star", "*"),
}

PERIODS: dict[str, PeriodStyle] = {
    "2015-2018": PeriodStyle("Financements 2015-2018", filled=True),
    "à venir": PeriodStyle("Financements à venir", filled=False),
}

NATURES: dict[str, str] = {
    "investissement": "Investissement",
    "fonctionnement": "Fonctionnement",
    "engagement": "Engagement (sans montant)",
}

# --- Suivi depuis le contrat ---------------------------------------------------------------
#: The badge of a financing whose follow-up differs from what the 2019 contract says for its period
#: (:func:`geodash.legend.state_badge`), in legend order: the steps, the two stops, then « en retard ».
#: Each colour keeps 3:1 against every ground of a marker and 4.5:1 under its white glyph
#: (tests/test_contrast.py); the glyph tells the states apart without colour.
BADGES: dict[str, BadgeStyle] = {
    "vote": BadgeStyle("Voté", "voté", "V", "#2B5C8A"),
    "verse": BadgeStyle("Versé, en partie ou en totalité", "versé", "€", "#00695C"),
    "realise": BadgeStyle("Réalisé", "réalisé", "✓", "#2E7D32"),
    "abandonne": BadgeStyle("Abandonné", "abandonné", "✕", "#5E5E5E"),
    "reporte": BadgeStyle("Reporté", "reporté", "»", "#8A5A00"),
    "retard": BadgeStyle("En retard sur le calendrier prévu", "en retard", "!", "#B3261E"),
}

# --- Routes départementales / Autre réseau routier principal -------------------------------
ROAD_CLASSES: dict[str, LineStyle] = {
    "1": LineStyle("RD de 1ère catégorie", "#B2182B", 3.5, casing="#FFFFFF"),
    "2": LineStyle("RD de 2ème catégorie", "#EF8A3C", 2.5, casing="#FFFFFF"),
    "3": LineStyle("RD de 3ème catégorie", "#E9C46A", 1.6),
    "non renseignée": LineStyle("RD, catégorie non renseignée", "#8C8C8C", 1.2, dash="5 4"),
    "autoroute": LineStyle("Autoroute", "#3B3B3B", 4.0, casing="#FFFFFF"),
    "nationale": LineStyle("Route nationale", "#7F4F24", 3.0, casing="#FFFFFF"),
}
ROAD_WORK = LineStyle("Route financée (travaux)", "#D55E00", 6.0, casing="#FFFFFF")
#: The Département's own road categories (style keys of the départementales).
RD_CATEGORIES = ("1", "2", "3", "non renseignée")
#: Drawing order of the roads, bottom to top, on both media: motorways on top of départementales.
ROAD_DRAW_ORDER = ("non renseignée", "3", "2", "1", "nationale", "autoroute")

# --- Présence du Département ---------------------------------------------------------------
SITE_TYPES: dict[str, SiteStyle] = {
    "mdadt": SiteStyle("Maison du Département Aménagement et Développement Territorial (MDADT)", "#455A64", "A"),
    "cer": SiteStyle("Centre d'Entretien Routier (CER)", "#5D4037", "R"),
    "mds": SiteStyle("Maison du Département Solidarité", "#AD1457", "S"),
    "college": SiteStyle("Collège public", "#0D47A1", "C"),
    "assistantes_familiales": SiteStyle("Assistantes familiales", "#6A1B9A", "F"),
    "consultations_enfants": SiteStyle("Consultations d'enfants", "#00838F", "E"),
    "permanences_sociales": SiteStyle("Permanences sociales", "#C2185B", "P"),
    "cis": SiteStyle("Centre d'Incendie et de Secours (CIS)", "#C62828", "I"),
}

# --- Occupation du sol ---------------------------------------------------------------------
LAND_COVER: dict[str, FillStyle] = {
    "forets": FillStyle("Forêts et milieux semi-naturels", "#B8D8A0", 0.7),
    "artificialise": FillStyle("Territoires artificialisés", "#E6C9C1", 0.7),
    "zones_humides": FillStyle("Zones humides", "#A9D3E8", 0.7, hatch="---"),
    "ens": FillStyle("Espace naturel départemental", "#5FA35B", 0.6, hatch="///"),
    "conservatoire": FillStyle(
        "Propriétés du Conservatoire du Littoral gérées par Eden 62", "#2E7D32", 0.5, hatch="\\\\\\"
    ),
    "cours_eau": FillStyle("Cours d'eau", "#3A86C8", 1.0, line=True),
}

# --- Limites ---------------------------------------------------------------------------------
BOUNDARIES: dict[str, LineStyle] = {
    "departement": LineStyle("Limite du département", "#1A1A1A", 2.5),
    "epci": LineStyle("Limite d'intercommunalité", "#2B2B2B", 2.2),
    "commune": LineStyle("Limite communale", "#8A8A8A", 0.7),
    "hors_departement": LineStyle("Commune hors Pas-de-Calais", "#8A8A8A", 0.7, dash="4 3"),
}
#: Fill of the land inside the map, of the département around the chosen EPCI, and of the sea/outside.
MAP_BACKGROUND = {"land": "#FBF8F1", "faded": "#E3DFD6", "outside": "#F4F4F2", "faded_opacity": 0.8}

#: Sequential colours (light → dark) for the département choropleth of financing per inhabitant: orange to
#: deep purple, evenly darker (CIELAB lightness 52 → 18), so that the order reads without telling hues
#: apart (colour-blind readers, black and white), and every class keeps a contrast of at least 3:1 with
#: the map's background (WCAG 1.4.11; tests/test_contrast.py). Its values are written in the ranking.
CHOROPLETH = ("#D35400", "#B5382B", "#8C2956", "#61286E", "#38224A")
#: An EPCI without a value (the Pays de Saint-Omer: no contract in the document) is drawn in a neutral
#: grey on both media, never in a class colour: the land colour was too close to the lightest class.
CHOROPLETH_NO_VALUE = "#C9C9C9"

#: Outline colours that are not boundaries of the Légende: the faded EPCI around the chosen one, the
#: outline of a hovered area (web), the edge of a legend swatch, leader lines and small dark marks.
OUTLINES = {
    "faded": "#9A9A9A",
    "highlight": "#000000",
    "swatch": "#555555",
    "leader": "#444444",
    "ink": "#222222",
    "subtitle": "#333333",
    "commune_name": "#555555",
    "white": "#FFFFFF",
    "text": "#111111",
}

#: Print scale factors and sizes (points): line widths of the Légende are CSS pixels, scaled here.
PRINT = {
    "road_width": 0.45,  # × LineStyle.width
    "road_casing_extra": 0.8,  # casing wider than the line by this
    "legend_line_min": 0.8,  # thinnest line of a legend swatch
    "epci_width": 0.5,  # × BOUNDARIES["epci"].width (choropleth)
    "focus_width": 0.6,  # × BOUNDARIES["epci"].width (outline of the chosen EPCI)
    "commune_width": 0.5,  # × BOUNDARIES["commune"].width
    "faded_width": 0.4,
    "legend_epci_lw": 1.3,
    "legend_commune_lw": 0.6,
    "water_width": 0.8,
    "marker": 9.5,
    "badge": 5.8,  # diameter of a follow-up badge (points), its centre at the marker's top-right corner
    "badge_glyph": 4.3,
    "legend_badge": 8.5,
    "legend_marker": 7,
    "number": 4.6,  # marker number font size
    "star_scale": 1.45,  # a star looks smaller than the other shapes
    "site_marker": 6,
    "site_letter": 3.6,
    "locator_fill": "#EEEEEA",
    "locator_edge": "#888888",
    "locator_focus": "#D55E00",
    "table_header": "#E3E3E3",  # text pages (geodash.printpages): header row, every other row, rules
    "table_stripe": "#F4F4F4",
    "table_rule": "#BBBBBB",
}

#: Web sizes (CSS pixels) that are not fonts.
WEB = {"faded_weight": 1, "highlight_weight": 4, "commune_highlight_weight": 2.5, "choropleth_opacity": 0.9}

GROUP_TITLES = {
    "projets": "Projets",
    "themes": "Thématiques",
    "routes": "Routes départementales",
    "autres_routes": "Autre réseau routier principal",
    "sites": "Présence du Département",
    "sol": "Occupation du sol",
    "limites": "Limites",
    "sources": "Sources - Réalisation",
    "choropleth": "Financements du Département par habitant",
    "epci_wide": "Pour l'ensemble de l'intercommunalité",
    "suivi": "Suivi depuis le contrat",
}

#: Font sizes in CSS pixels (web) for the two display modes; print sizes are in points.
FONTS = {
    "family": "'DejaVu Sans', 'Segoe UI', Arial, sans-serif",
    "mpl_family": "DejaVu Sans",
    "normal": {"label": 12, "legend": 13, "title": 15, "marker": 22},
    "projecteur": {"label": 20, "legend": 22, "title": 26, "marker": 34},
    "print": {"label": 6.5, "legend": 7.5, "title": 15, "commune": 5.0, "small": 6.0},
}

_SHAPES = {
    "square": '<rect x="3" y="3" width="18" height="18" rx="1.5"/>',
    "circle": '<circle cx="12" cy="12" r="9.5"/>',
    "triangle": '<path d="M12 2 L22.5 21 L1.5 21 Z"/>',
    "diamond": '<path d="M12 1 L23 12 L12 23 L1 12 Z"/>',
    "star": '<path d="M12 1.5 L14.9 8.6 L22.5 9.2 L16.7 14.1 L18.5 21.6 L12 17.6 L5.5 21.6 L7.3 14.1 L1.5 9.2 L9.1 8.6 Z"/>',
}


#: Colour of the period swatches in the legends (the period is told by fill, not by theme).
PERIOD_SWATCH = {"theme": "Culture", "color": "#333333"}


#: The badge in the marker's 24 × 24 box: centred on its top-right corner, a little outside it.
_BADGE = {"cx": 20.5, "cy": 3.5, "r": 5.6, "ring": 1.3, "font": 8.6}


def _badge_mark(badge: str, cx: float, cy: float, r: float, ring: float, font: float) -> str:
    """The badge ``badge`` (a key of :data:`BADGES`) as SVG elements: a disc ringed with white, its glyph."""
    st = BADGES[badge]
    return (
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{st.color}" stroke="{OUTLINES["white"]}" stroke-width="{ring}"/>'
        f'<text x="{cx}" y="{cy + font * 0.36:.2f}" text-anchor="middle" font-size="{font}" font-weight="700" '
        f'fill="{OUTLINES["white"]}" font-family="{html_text(FONTS["family"])}">{html_text(st.glyph)}</text>'
    )


def marker_svg(
    theme: str,
    periode: str,
    size: int,
    number: int | None = None,
    color: str | None = None,
    badge: str | None = None,
) -> str:
    """Inline SVG marker: the theme's shape and colour, filled (2015-2018) or outlined (à venir).

    ``number`` (an integer, never data text) is written inside the marker to key it to the list.
    ``badge`` (a key of :data:`BADGES`, from :func:`geodash.legend.state_badge`) adds the follow-up badge
    at the top-right corner. The marker keeps its ``size`` × ``size`` box, so that the map places it and
    its label as before: the badge overhangs the corner a little (``overflow="visible"``), as a
    notification badge does. The ``aria-label`` names the theme, the period and the state.
    """
    style = THEMES[theme]
    color = color or style.color
    filled = PERIODS[periode].filled
    fill = color if filled else "#FFFFFF"
    text_color = "#FFFFFF" if filled else color
    label = ""
    if number is not None:
        label = (
            f'<text x="12" y="{15.5 if style.shape != "triangle" else 18}" text-anchor="middle" '
            f'font-size="{9 if number < 100 else 7}" font-weight="700" fill="{text_color}" '
            f'font-family="Arial, sans-serif">{int(number)}</text>'
        )
    name = f"{style.label}, {PERIODS[periode].label}"
    mark, overflow = "", ""
    if badge is not None:
        name += f", {BADGES[badge].word}"
        mark, overflow = _badge_mark(badge, **_BADGE), ' overflow="visible"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24"{overflow} '
        f'role="img" aria-label="{html_text(name)}">'
        f'<g fill="{fill}" stroke="{color}" stroke-width="{1.6 if filled else 3}" '
        f'stroke-linejoin="round">{_SHAPES[style.shape]}</g>{label}{mark}</svg>'
    )


def badge_svg(badge: str, size: int) -> str:
    """The follow-up badge ``badge`` alone, ``size`` pixels wide, for a legend line (its text names it)."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 24 24" '
        f'aria-hidden="true">{_badge_mark(badge, 12, 12, 10.5, 1.5, 15)}</svg>'
    )
