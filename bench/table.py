"""Time of the project table on the page: building what the table component receives
(``dashboard.french_grid``: the French text and the numbers it sorts on, as JSON), once per view,
for the EPCI with the most projects and the whole département; and its size.

``python3 bench/table.py``. Medians of ``--repeats`` calls, data loaded from the CSV files.
"""

from __future__ import annotations

import argparse
import statistics
import time

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


def time_table(label: str, table, repeats: int) -> str:
    build = median_ms(lambda: dashboard.french_grid(table), repeats)
    size = len(dashboard.french_grid(table).text.encode("utf-8"))
    return (
        f"{label}: {table.shape[0]} rows x {table.shape[1]} columns; french_grid {build:.1f} ms; "
        f"{size / 1000:.0f} kB of JSON"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
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
