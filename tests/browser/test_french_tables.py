"""The page tables read in French whatever the browser's locale: a browser in ``en-US`` sees
"21 460 626" and "721,88", never "21,460,626", "721.88" or "None".

The tables are canvas grids whose accessible cells carry the raw numbers; what is drawn is read by
recording the canvas's ``fillText`` calls (an init script, before the page's own scripts run).
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
ARRAS = "200033579"
RECORD_TEXT = """
(() => {
  window.gdDrawn = [];
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    window.gdDrawn.push(String(text));
    return fill.call(this, text, ...rest);
  };
})();
"""
FRENCH_THOUSANDS = re.compile(r"^\d{1,3}(\u00a0\d{3})+(,\d+)?$")  # one separator: U+00A0 (format_number)
ENGLISH = re.compile(r"\d,\d{3}\b|\d\.\d{2}$")


def _drawn_after(p, text: str) -> list[str]:
    """Texts drawn on the canvases once ``text`` has been drawn (the grid has rendered its cells)."""
    p.page.wait_for_function(f"() => window.gdDrawn.some(t => t.includes({text!r}))", timeout=30_000)
    return p.page.evaluate("() => window.gdDrawn")


def _english_page(make_page):
    p = make_page(1366, 900)
    p.context.close()
    p.context = p.page.context.browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    p.context.add_init_script(RECORD_TEXT)
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
    p.page.get_by_role("button", name="Télécharger (CSV)").scroll_into_view_if_needed()  # below the table
    _drawn_after(p, "Nature")  # the project table's header
    grid = p.page.get_by_test_id("stDataFrame").last
    grid.hover()
    p.page.mouse.wheel(1200, 0)  # the amount columns, right of the first ones
    _drawn_after(p, "Coût total (€)")
    p.page.wait_for_function("() => window.gdDrawn.some(t => /^\\d{1,3}(\\u00a0\\d{3})+$/.test(t))", timeout=30_000)
    drawn = p.page.evaluate("() => window.gdDrawn")
    amounts = [t for t in drawn if re.fullmatch(r"[\d\s.,]+", t) and len(t) > 3]
    assert any(FRENCH_THOUSANDS.match(t) for t in amounts), amounts
    assert not [t for t in amounts if ENGLISH.search(t)], amounts
    assert not [t for t in amounts if re.search(r"\d[^\S\u00a0]\d", t)], amounts  # no other space between digits
    assert "None" not in drawn and "nan" not in drawn
    if data.financements.loc[data.financements["epci_siren"] == ARRAS, "cout_total_eur"].isna().any():
        assert "montant non précisé" in drawn
