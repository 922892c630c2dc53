"""« Avancement des contrats » (``/avancement``): where a territory's contract stands since 2019, and the
« point d'étape » an assembly sees on its projector (``?mode=projecteur``).

Every part comes from :mod:`geodash.avancement` through :mod:`geodash.viewmodel` (the same parts as
``geodash etape``'s PDF): this page turns the link and the widgets into a choice, and parts into tables.
The view is a link: ``?epci=SIREN&depuis=AAAA-MM-JJ&mode=projecteur``.
"""

from __future__ import annotations

import streamlit as st

from .. import progress
from .. import viewmodel as vm
from ..avancement import HISTORY_START, ContractProgress
from ..selection import Base
from . import footer, markdown_text, text_table

__all__ = ["render"]

#: Key of the projector's container: page.css sets its large type (``.st-key-gd-etape``).
PROJECTOR_KEY = "gd-etape"


def render(base: Base) -> None:
    """The progress page of the territory the link or the list names."""
    opened = vm.progress_choice(base, st.query_params.to_dict())
    choice = opened if opened.projector else sidebar(base, opened)
    st.query_params.from_dict(vm.progress_params(choice))
    if choice.projector != opened.projector:  # the app lays the page out from the link's mode: run it again
        st.rerun()
    cp = vm.contract_progress(base, choice.epci, choice.since)
    if cp is None:
        st.title("Avancement des contrats")
        st.info(
            "Le suivi des contrats est tenu dans la base de données de la saisie : ces fichiers, lus tels quels, "
            "n'en ont pas."
        )
        footer()
        return
    if choice.projector:
        with st.container(key=PROJECTOR_KEY):
            projector_bar(base, choice)
            contents(base, choice, cp)
    else:
        contents(base, choice, cp)
    footer()


def sidebar(base: Base, opened: vm.ProgressChoice) -> vm.ProgressChoice:
    """The territory, the date of the last « point d'étape », the projector mode."""
    options, labels = vm.epci_options(base), vm.option_labels(base)
    with st.sidebar:
        st.header("Avancement")
        epci = st.selectbox(
            "Intercommunalité",
            options,
            index=options.index(opened.epci),
            format_func=labels.__getitem__,
            key="avancement-epci",
        )
        since = st.date_input(
            "Changements enregistrés depuis le",
            value=opened.since,
            min_value=HISTORY_START,
            max_value=base.followed.today if base.followed else progress.today(),
            format="DD/MM/YYYY",
            help="Le point d'étape liste ce que le suivi a enregistré depuis cette date (vide : rien).",
            key="avancement-depuis",
        )
        projector = st.toggle("Mode projecteur (point d'étape)", value=opened.projector, key="avancement-projecteur")
    return vm.ProgressChoice(epci, since, projector)


def _step(base: Base, choice: vm.ProgressChoice, step: int) -> None:
    options = vm.epci_options(base)
    i = options.index(choice.epci)
    st.query_params.from_dict(
        vm.progress_params(vm.ProgressChoice(options[(i + step) % len(options)], choice.since, True))
    )


def _leave(choice: vm.ProgressChoice) -> None:
    st.query_params.from_dict(vm.progress_params(vm.ProgressChoice(choice.epci, choice.since, False)))


def projector_bar(base: Base, choice: vm.ProgressChoice) -> None:
    """« ◀ Précédent », « Suivant ▶ » and « ✕ Quitter le mode projecteur », as on the map's projector."""
    options, labels = vm.epci_options(base), vm.option_labels(base)
    i = options.index(choice.epci)
    c1, c2, c3 = st.columns([2, 2, 2])
    c1.button(
        f"◀ Précédent : {labels[options[(i - 1) % len(options)]]}",
        on_click=_step,
        args=(base, choice, -1),
        width="stretch",
    )
    c2.button(
        f"Suivant : {labels[options[(i + 1) % len(options)]]} ▶",
        on_click=_step,
        args=(base, choice, 1),
        width="stretch",
    )
    c3.button("✕ Quitter le mode projecteur", on_click=_leave, args=(choice,), width="stretch")


def contents(base: Base, choice: vm.ProgressChoice, cp: ContractProgress) -> None:
    """Headline, states, late items, milestones, indicators, changes since; the EPCI side by side for the
    département."""
    st.title(markdown_text(cp.title))
    st.markdown(markdown_text(f"{cp.headline} Données au {progress.day_text(cp.date_donnees)}."))
    if choice.epci:
        st.markdown(f"[Voir la carte de ce territoire](./?epci={choice.epci})")
    st.caption(
        "État de chaque financement : annoncé (le contrat), voté, versé, réalisé, ou abandonné / reporté. "
        "Sans enregistrement, l'état est celui du document de 2019 et le financement est « pas d'information de "
        "suivi », jamais « en retard ». Une somme dont une partie est inconnue est écrite « au moins »."
    )
    st.subheader("Financements par état")
    text_table(cp.states, label="Financements par état")
    st.subheader("Par thématique")
    text_table(cp.themes, label="Financements par thématique et état")
    st.subheader("En retard sur le calendrier prévu")
    st.markdown(markdown_text(cp.late_note))
    if not cp.late.empty:
        text_table(cp.late, label="Financements en retard")
    if choice.since is not None:
        st.subheader(f"Changements enregistrés depuis le {progress.day_text(choice.since)}")
        if cp.changes is None or cp.changes.empty:
            st.markdown("Aucun changement enregistré depuis cette date.")
        else:
            text_table(cp.changes, label=f"Changements enregistrés depuis le {progress.day_text(choice.since)}")
    if choice.epci is None:
        st.subheader("Avancement par intercommunalité")
        st.caption(
            "Chaque intercommunalité est décrite en parts de son propre contrat, dans l'ordre de la liste (pas de "
            "classement) ; la part des montants n'est donnée que si tous les montants du contrat sont connus (« – » "
            "sinon)."
        )
        text_table(vm.progress_comparison(base), label="Avancement par intercommunalité")
    st.subheader("Calendrier des fiches projets : prévu et réalisé")
    if cp.timeline.empty:
        st.markdown("Aucune fiche projet dans ce contrat.")
    else:
        st.caption(
            "Le suivi enregistre les votes, les versements et la réalisation : la fin d'une opération est comparée "
            "à sa réalisation ; un début ou une étape intermédiaire n'est pas suivi."
        )
        text_table(cp.timeline, label="Calendrier des fiches projets")
    st.subheader("Indicateurs des fiches projets")
    if cp.indicators.empty:
        st.markdown("Aucun indicateur : aucune fiche projet dans ce contrat.")
    else:
        text_table(cp.indicators, label="Indicateurs des fiches projets")
