"""Listing, filters, facets, product page, slugs, SEO files: full pages and htmx fragments."""
import pytest

from app.catalog.models import Product
from app.catalog.services import change_slug
from app.core.db import tenant_context
from app.extensions import db

HTMX = {"HX-Request": "true"}


def test_listing_full_page_and_fragment_are_the_same_markup(shop):
    full = shop.get("/shop/catalog?sort=price_asc")
    fragment = shop.get("/shop/catalog?sort=price_asc", headers=HTMX)
    assert full.status_code == fragment.status_code == 200
    assert "HX-Request" in full.headers["Vary"]
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="listing"') and "<html" not in body
    assert body.strip() in full.get_data(as_text=True).replace("\n\n", "\n") or 'id="listing"' in full.get_data(
        as_text=True)
    # boosted and history-restore requests get the whole page
    boosted = shop.get("/shop/catalog", headers={**HTMX, "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<html" in boosted
    restore = shop.get("/shop/catalog", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_sort_and_price_filter(shop):
    html = shop.get("/shop/catalog?sort=price_asc").get_data(as_text=True)
    assert html.index("Sandales") < html.index("Chemise") < html.index("Montre")
    html = shop.get("/shop/catalog?sort=price_desc&min=10000&max=20000").get_data(as_text=True)
    assert "Chemise" in html and "Sandales" not in html and "Montre" not in html
    bad = shop.get("/shop/catalog?min=abc&max=-5&page=zz&sort=evil")
    assert bad.status_code == 200 and "Prix invalide" in bad.get_data(as_text=True)


def test_category_includes_descendants_and_facets(shop, tenants):
    html = shop.get(f"/shop/c/{tenants.a.category.slug}").get_data(as_text=True)
    assert "Chemise pagne wax" in html and "Montre" in html and "Sandales" not in html
    assert "Chemises" in html and "(1)" in html  # child category facet with its count
    assert "Taille" in html and "Couleur" in html  # attribute facets
    assert shop.get("/shop/c/nope").status_code == 404


def test_in_stock_filter_and_hidden_products(shop):
    html = shop.get("/shop/catalog?in_stock=1").get_data(as_text=True)
    assert "Montre" not in html and "Chemise" in html
    assert "Produit caché" not in shop.get("/shop/catalog").get_data(as_text=True)
    assert shop.get("/shop/p/produit-cache").status_code == 404


def test_search_ignores_syntax_and_accents(shop):
    assert "Montre dorée" in shop.get("/shop/catalog?q=doree").get_data(as_text=True)
    assert "Sandales" in shop.get("/shop/catalog?q=tress").get_data(as_text=True)
    for nasty in ['"', "NEAR(", "*", "a OR b AND", "') --", "é" * 300]:
        assert shop.get("/shop/catalog", query_string={"q": nasty}).status_code == 200


def test_product_variant_picker_fragment(shop, tenants):
    shirt = tenants.a["shirt"]
    fragment = shop.get(f"/shop/p/{shirt.slug}?o.Taille=M&o.Couleur=Rouge", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="buybox"')
    assert f'name="variant_id" value="{shirt.variant_ids[2]}"' in fragment
    assert "10 en stock à Douala Akwa" in fragment and "Épuisé à Yaoundé Centre" in fragment
    assert shop.get(f"/shop/p/{shirt.slug}?v=999999").status_code == 404


def test_old_slug_redirects_permanently(app, shop, tenants):
    shirt = tenants.a["shirt"]
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        change_slug(db.session.get(Product, shirt.id), "chemise-wax-bleue")
        db.session.commit()
    response = shop.get(f"/shop/p/{shirt.slug}?o.Taille=L")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/shop/p/chemise-wax-bleue?o.Taille=L")
    assert shop.get("/shop/p/chemise-wax-bleue").status_code == 200


def test_robots_and_sitemap(shop, tenants):
    robots = shop.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://akwa.localhost/sitemap.xml" in robots and "Disallow: /shop/checkout" in robots
    index = shop.get("/sitemap.xml").get_data(as_text=True)
    assert "sitemap-1.xml" in index
    urls = shop.get("/sitemap-1.xml").get_data(as_text=True)
    assert f"/shop/p/{tenants.a['shirt'].slug}" in urls and "produit-cache" not in urls
    assert "plateau" not in urls
    assert shop.get("/sitemap-9.xml").status_code == 404
    assert shop.get("/").status_code == 301


def test_language_switch_and_money_format(shop, tenants):
    fr = shop.get(f"/shop/p/{tenants.a['shirt'].slug}").get_data(as_text=True)
    assert "15\u202f000\xa0FCFA" in fr and 'lang="fr"' in fr
    response = shop.get("/shop/lang/en?next=/shop/catalog")
    assert response.status_code == 303 and response.headers["Location"] == "/shop/catalog"
    en = shop.get(f"/shop/p/{tenants.a['shirt'].slug}").get_data(as_text=True)
    assert 'lang="en"' in en and "FCFA15,000" in en and "Add to cart" in en
    assert shop.get("/shop/lang/de").status_code == 404
    assert shop.get("/shop/lang/fr?next=//evil.com").headers["Location"] == "/shop/"


@pytest.mark.parametrize("query", ["/%09/evil.example/", "/%0A/evil.example/", "/%5Cevil.example/",
                                   "%09//evil.example/", "https://evil.example/"])
def test_language_switch_never_leaves_the_site(shop, query):
    # Browsers drop tabs and newlines and read "\" as "/": "/\t/evil.example/" is "//evil.example/".
    response = shop.get(f"/shop/lang/fr?next={query}")
    assert response.status_code == 303 and response.headers["Location"] == "/shop/"


def test_unknown_pages_use_the_shop_look(shop):
    response = shop.get("/shop/nothing-here")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html and "Boutique akwa" in html


def test_pages_and_static_files_are_gzipped_for_browsers_that_ask(shop):
    page = shop.get("/shop/catalog", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    import gzip

    assert b'id="listing"' in gzip.decompress(page.data)
    plain = shop.get("/shop/catalog")
    assert "Content-Encoding" not in plain.headers and b'id="listing"' in plain.data
    css = shop.get("/static/js/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and len(css.data) < 20_000
    assert len(gzip.decompress(css.data)) > 50_000


def test_tag_links_lead_to_the_tagged_products(shop, tenants):
    page = shop.get(f"/shop/p/{tenants.a['sandals'].slug}").get_data(as_text=True)
    assert 'href="/shop/catalog?tag=fait-main"' in page
    listing = shop.get("/shop/catalog?tag=fait-main").get_data(as_text=True)
    assert "Sandales" in listing and "Chemise" not in listing and "<h1>Fait main</h1>" in listing
