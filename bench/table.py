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
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


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
        table = dashboard.project_table(rows, legend.number_projects(placed), names)

        def show(shown):
            st.dataframe(shown, hide_index=True, width="stretch", placeholder=dashboard.MISSING_AMOUNT)

        build = median_ms(lambda: dashboard.french_table(table), args.repeats)
        run = median_ms(lambda: show(dashboard.french_table(table)), args.repeats)
        kept = dashboard.french_table(table)
        show(kept)
        again = median_ms(lambda: show(kept), args.repeats)
        print(
            f"{label}: {table.shape[0]} rows x {table.shape[1]} columns; french_table {build:.1f} ms; "
            f"french_table + st.dataframe {run:.1f} ms; st.dataframe of one kept table, again {again:.1f} ms"
        )


if __name__ == "__main__":
    main()
