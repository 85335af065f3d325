"""safe_next: a next parameter leads to a path on this site or to the default."""
import pytest

from app.core.redirects import safe_next

DEFAULT = "/shop/"


@pytest.mark.parametrize("target", [
    "/\t/evil.example/",        # ?next=/%09/evil.example/ once Werkzeug has decoded it
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    " //evil.example/",         # browsers strip leading spaces
    "/\x00/evil.example/",
    "/\x7f/evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",         # browsers read "\" as "/"
    "\\\\evil.example/",
    "/shop\\..\\..\\/evil.example/",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "evil.example/shop/",
    "shop/cart",
    "/shop/../../evil",
    "/shop/%2e%2e/backoffice/",
    "",
    None,
])
def test_anything_but_a_plain_same_site_path_gives_the_default(target):
    assert safe_next(target, DEFAULT) == DEFAULT


@pytest.mark.parametrize("target", [
    "/shop/catalog",
    "/shop/search?q=robe%20rouge&page=2",
    "/shop/p/chemise-wax?",
    "/shop/cat%C3%A9gorie/robes",
    "/",
])
def test_a_same_site_path_is_kept_as_written(target):
    assert safe_next(target, DEFAULT) == target


def test_a_prefix_restricts_the_paths():
    assert safe_next("/shop/cart", DEFAULT, prefix="/shop/") == "/shop/cart"
    assert safe_next("/backoffice/orders", DEFAULT, prefix="/shop/") == DEFAULT
    assert safe_next("/shopping", DEFAULT, prefix="/shop/") == DEFAULT
    assert safe_next("/backoffice", "/x", prefix="/backoffice/") == "/backoffice"
    assert safe_next("/backoffice?tab=1", "/x", prefix="/backoffice/") == "/backoffice?tab=1"
    assert safe_next("/backoffice/payments?review=1", "/x", prefix="/backoffice/") == "/backoffice/payments?review=1"
    assert safe_next("/backofficex/", "/x", prefix="/backoffice/") == "/x"
