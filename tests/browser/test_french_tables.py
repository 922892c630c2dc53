"""The page tables read in French whatever the browser's locale: a browser in ``en-US`` sees
"21 460 626" and "721,88", never "21,460,626", "721.88" or "None".

Every page table is an HTML table whose cells carry the text as written by the server: they are read
as text.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
ARRAS = "200033579"
FRENCH_THOUSANDS = re.compile(r"^\d{1,3}(\u00a0\d{3})+(,\d+)?$")  # one separator: U+00A0 (format_number)
ENGLISH = re.compile(r"\d,\d{3}\b|\d\.\d{2}$")


def _english_page(make_page):
    p = make_page(1366, 900)
    p.context.close()
    p.context = p.page.context.browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    p.page = p.context.new_page()
    assert p.page.evaluate("() => navigator.language") == "en-US"
    return p


def test_comparison_tables_are_french_in_an_english_browser(server, make_page):
    p = _english_page(make_page)
    p.page.goto(f"{server}/comparaison")
    # The detailed ranking (its « Population » column) is the table with thousands; wait for it to be
    # written, not for the first table: the page's tables do not all arrive in the same frame.
    p.page.wait_for_function(
        """() => [...document.querySelectorAll('.gd-table')]
            .some(t => t.textContent.includes('Population'))""",
        timeout=60_000,
    )
    text = " ".join(p.page.locator(".gd-table").all_text_contents())
    assert re.search(r"\d{1,3}\u00a0\d{3}", text), text[:500]  # "1 443 000"
    assert not re.search(r"\d,\d{3}(?!\d)", text), text[:500]  # never "1,443,000"
    assert not re.search(r"\b(None|nan|NaN)\b", text), text[:500]  # a missing value never shown as such


def test_project_table_is_french_in_an_english_browser(server, make_page, data):
    p = _english_page(make_page)
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Arras")
    grid = p.page.locator(".gd-grid").last
    grid.wait_for()
    headers = grid.locator("th").all_inner_texts()
    assert any("Coût total (€)" in h for h in headers), headers
    cells = grid.locator("td").all_inner_texts()
    amounts = [t for t in cells if re.fullmatch(r"[\d\s.,]+", t) and len(t) > 3]
    assert any(FRENCH_THOUSANDS.match(t) for t in amounts), amounts
    assert not [t for t in amounts if ENGLISH.search(t)], amounts
    assert not [t for t in amounts if re.search(r"\d[^\S\u00a0]\d", t)], amounts  # no other space between digits
    assert "None" not in cells and "nan" not in cells
    if data.financements.loc[data.financements["epci_siren"] == ARRAS, "cout_total_eur"].isna().any():
        assert "montant non précisé" in cells


def test_project_table_sorts_on_numbers_with_missing_amounts_last(server, make_page, data):
    p = make_page(1366, 900)
    p.page.goto(f"{server}/?epci={ARRAS}")
    p.wait_map(title="Arras")
    grid = p.page.locator(".gd-grid").last
    header = grid.get_by_role("button", name="Montant du Département (€)")
    headers = [h.strip() for h in grid.locator("th").all_inner_texts()]
    column = next(i for i, h in enumerate(headers) if h.startswith("Montant du Département"))
    amounts = data.financements.loc[data.financements["epci_siren"] == ARRAS, "montant_departement_eur"]

    def shown() -> list[str]:
        return grid.locator(f"tbody tr td:nth-child({column + 1})").all_inner_texts()

    for direction, ordered in (("ascending", sorted(amounts.dropna())), ("descending", sorted(amounts.dropna())[::-1])):
        header.click()
        p.page.wait_for_function(
            "d => document.querySelector('.gd-grid th[aria-sort]')?.getAttribute('aria-sort') === d", arg=direction
        )
        texts = shown()
        numbers = [float(t.replace("\u00a0", "").replace(",", ".")) for t in texts if t != "montant non précisé"]
        assert numbers == ordered, (direction, texts)
        assert texts[len(numbers) :] == ["montant non précisé"] * int(amounts.isna().sum())  # missing last


# Records the département's project table as it first enters the page (a mutation observer's callback runs
# before any timer of the page): its rows and `aria-busy`; with `sort`, the « Projet » header is clicked
# there and then, and the rows counted again.
FIRST_SEEN = """sort => {
  window.gdFirstTable = null;
  new MutationObserver((_, observer) => {
    const body = document.querySelector('.gd-grid tbody');
    if (!body || window.gdFirstTable) {
      return;
    }
    observer.disconnect();
    const table = body.closest('table');
    const seen = {rows: body.rows.length, busy: table.getAttribute('aria-busy')};
    if (sort) {
      [...table.querySelectorAll('th button')].find(b => b.textContent.startsWith('Projet')).click();
      Object.assign(seen, {sorted: body.rows.length, busyAfter: table.getAttribute('aria-busy')});
    }
    window.gdFirstTable = seen;
  }).observe(document, {subtree: true, childList: true});
}"""
COMPLETE = """n => {
  const table = document.querySelector('.gd-grid table');
  return !!table && table.tBodies[0].rows.length === n && !table.hasAttribute('aria-busy');
}"""


def test_a_long_table_comes_whole_after_the_map(server, make_page, data):
    """The département's thousand projects: the first 120 rows come with the table, the others once the
    page is drawn (`aria-busy` meanwhile), all of them in the end."""
    total = len(data.financements)
    assert total > 120
    p = make_page(1366, 768)
    p.page.add_init_script(f"({FIRST_SEEN})(false)")
    p.page.goto(server)
    p.wait_map()
    p.page.wait_for_function("() => window.gdFirstTable !== null", timeout=30_000)
    assert p.page.evaluate("() => window.gdFirstTable") == {"rows": 120, "busy": "true"}
    p.page.wait_for_function(COMPLETE, arg=total, timeout=30_000)
    names = p.page.locator(".gd-grid tbody tr td:nth-child(2)").all_inner_texts()
    assert len(names) == total and set(data.financements["intitule"]) <= set(names)


def test_sorting_a_table_still_coming_sorts_all_its_rows(server, make_page, data):
    total = len(data.financements)
    p = make_page(1366, 768)
    p.page.add_init_script(f"({FIRST_SEEN})(true)")
    p.page.goto(server)
    p.wait_map()
    p.page.wait_for_function("() => window.gdFirstTable !== null", timeout=30_000)
    seen = p.page.evaluate("() => window.gdFirstTable")
    assert seen == {"rows": 120, "busy": "true", "sorted": total, "busyAfter": None}
    assert p.page.locator(".gd-grid th[aria-sort=ascending]").inner_text().startswith("Projet")
