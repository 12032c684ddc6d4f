"""The plugin's catalogues are complete: every string in its code and templates has its Dutch
and English text (extract and translate as README.md says after changing strings)."""

from pathlib import Path

from app.testing import untranslated


def test_every_string_is_translated():
    distribution = Path(__file__).resolve().parents[1]
    assert untranslated(distribution, "koers_coevorden", "coevorden") == {"nl": [], "en": []}
