"""geodash.text: accent folding (the search key), its table-driven marks removal."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from geodash.text import fold


def _reference(text: str) -> str:
    """Folding as defined: NFKD, combining marks dropped, lower case, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", text.lower()).strip()


def test_fold_examples():
    assert fold("  Départementale ") == "departementale"
    assert fold("Collège  Jean-Jaurès\tŒuvre") == "college jean-jaures œuvre"
    assert fold("ÉGLISE Saint-Éloi") == "eglise saint-eloi"
    assert fold(None) == "" and fold(float("nan")) == "" and fold(12) == "12"


@given(st.text())
def test_fold_is_the_reference_folding_for_any_text(text):
    assert fold(text) == _reference(text)
