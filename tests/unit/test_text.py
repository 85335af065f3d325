from app.catalog.search import tokens
from app.catalog.services import sanitize_html, slugify
from app.tenancy.resolver import _bare_host


def test_slugify_french_names():
    assert slugify("Chemise pagne wax — édition été") == "chemise-pagne-wax-edition-ete"
    assert slugify("!!!") == "produit"


def test_search_tokens_drop_query_syntax():
    assert tokens('chemise "wax" OR NEAR(*)') == ["chemise", "wax", "or", "near"]
    assert tokens("") == [] and len(tokens("a " * 50)) == 8


def test_descriptions_are_sanitised():
    html = sanitize_html('<p onclick="x()">Bon <script>alert(1)</script><a href="javascript:x">lien</a></p>')
    assert "script" not in html and "onclick" not in html and "javascript" not in html and "<p>" in html


def test_host_parsing():
    assert _bare_host("Akwa.Localhost:8000") == "akwa.localhost"
    assert _bare_host("[::1]:5000") == "[::1]"
    assert _bare_host("boutique.example.cm.") == "boutique.example.cm"
