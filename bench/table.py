"""Time of the project table on the page: building what ``st.dataframe`` receives
(``dashboard.french_table``) and ``st.dataframe`` itself (pandas' rendering of the styler, Arrow),
for the EPCI with the most projects and the whole département.

Run outside a Streamlit server (``st.dataframe`` in bare mode marshals the element as a page run
would): ``python3 bench/table.py``. Medians of ``--repeats`` calls, data loaded from the CSV files.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time

import streamlit as st

from geodash import dashboard, legend
from geodash.projects import load_project_data, place_projects
from geodash.territories import load_territories


def median_ms(call, repeats: int) -> float:
    call()  # imports and first-call work left out
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def show(shown) -> None:
    """``st.dataframe`` as the map page calls it (``geodash.pages.french_dataframe``)."""
    st.dataframe(shown, hide_index=True, width="stretch", placeholder=dashboard.MISSING_AMOUNT)


def time_table(label: str, table, repeats: int) -> str:
    build = median_ms(lambda: dashboard.french_table(table), repeats)
    run = median_ms(lambda: show(dashboard.french_table(table)), repeats)
    return (
        f"{label}: {table.shape[0]} rows x {table.shape[1]} columns; french_table {build:.1f} ms; "
        f"french_table + st.dataframe (one page run) {run:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # st.dataframe outside a server warns on every call
    terr = load_territories()
    data = load_project_data(terr.communes, set(terr.sirens))
    financements = data.financements
    names = dict(zip(terr.communes["insee"], terr.communes["nom"]))
    biggest = financements["epci_siren"].value_counts().idxmax()
    for label, rows in (
        (f"EPCI {biggest} ({terr.epci_name(biggest)})", financements[financements["epci_siren"] == biggest]),
        ("département", financements),
    ):
        placed, _ = place_projects(rows, terr.communes)
        print(time_table(label, dashboard.project_table(rows, legend.number_projects(placed), names), args.repeats))


if __name__ == "__main__":
    main()
