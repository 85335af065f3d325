from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
METHODS = [("app/**.py", "python"), ("devtools/**.py", "python"), ("templates/**.html", "jinja2")]


def test_every_french_string_has_an_english_translation():
    with open(ROOT / "app/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    used = {msg if isinstance(msg, str) else msg[0]
            for _, _, msg, _, _ in extract_from_dir(ROOT, METHODS, keywords=KEYWORDS)}
    assert "Ajouter au panier" in used and "Ce produit n’est plus disponible." in used  # templates and code
    missing = sorted(m for m in used if m and m not in translated)
    assert missing == [], "run pybabel extract/update and translate: " + "; ".join(missing[:10])
