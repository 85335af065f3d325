"""Host → tenant, closed shops, and the seal between tenants on every shop URL."""
import pytest
from sqlalchemy import select

from app.catalog.models import Product
from app.core.db import TenantScopeError, tenant_context
from app.extensions import db
from app.tenancy.models import Domain, Tenant
from tests.support.clients import client_for, csrf_token
from tests.support.shopping import add_to_cart, checkout_fields


def test_unknown_host_is_404(app, tenants):
    assert client_for(app, "nobody").get("/shop/").status_code == 404
    assert client_for(app, "x", host="a.b.localhost").get("/shop/").status_code == 404
    assert client_for(app, "x", host="evil.example.com").get("/shop/").status_code == 404


def test_custom_domain_and_default_tenant(app, tenants):
    with app.app_context():
        db.session.add(Domain(host="boutique.example.cm", tenant_id=tenants.b.tenant.id))
        db.session.commit()
    page = client_for(app, "x", host="boutique.example.cm").get("/shop/")
    assert page.status_code == 200 and "Boutique plateau" in page.get_data(as_text=True)
    plain = client_for(app, "x", host="localhost")
    assert plain.get("/shop/").status_code == 404  # no default tenant configured
    app.config["DEFAULT_TENANT"] = "akwa"
    try:
        assert "Boutique akwa" in plain.get("/shop/").get_data(as_text=True)
    finally:
        app.config["DEFAULT_TENANT"] = ""


@pytest.mark.parametrize("change", [{"status": "suspended"}, {"settings": {"ecommerce_enabled": False}}])
def test_closed_shop_page(app, tenants, shop, change):
    with app.app_context():
        tenant = db.session.get(Tenant, tenants.a.tenant.id)
        for key, value in change.items():
            setattr(tenant, key, value)
        db.session.commit()
    for path in ("/shop/", "/shop/catalog", f"/shop/p/{tenants.a['shirt'].slug}", "/shop/checkout"):
        response = shop.get(path)
        assert response.status_code == 503
        assert "fermée" in response.get_data(as_text=True)
    assert "Disallow: /" in shop.get("/robots.txt").get_data(as_text=True)


def test_other_tenants_catalog_answers_404(shop, tenants):
    theirs = tenants.b
    assert shop.get(f"/shop/p/{theirs['shirt'].slug}-x").status_code == 404
    # Same slug exists in both tenants: each host shows its own product.
    mine = shop.get(f"/shop/p/{theirs['shirt'].slug}").get_data(as_text=True)
    assert "AK-CH" in mine and "PL-CH" not in mine
    assert shop.get(f"/shop/p/{tenants.a['shirt'].slug}?v={theirs['shirt'].variant_ids[0]}").status_code == 404
    assert shop.get(f"/shop/c/{theirs.category.slug}").status_code == 200  # own category, same slug
    listing = shop.get("/shop/catalog?q=chemise").get_data(as_text=True)
    assert "Boutique akwa" in listing and "PL-" not in listing


def test_other_tenants_variant_cannot_enter_the_cart(shop, tenants):
    response = add_to_cart(shop, tenants.b["shirt"].variant_ids[0], 1)
    assert response.status_code == 303
    assert "plus disponible" in shop.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre panier est vide" in shop.get("/shop/cart").get_data(as_text=True)


def test_other_tenants_order_and_cart_line_answer_404(app, shop, other_shop, tenants):
    add_to_cart(other_shop, tenants.b["shirt"].variant_ids[0], 1)
    placed = other_shop.post("/shop/checkout", data=checkout_fields(other_shop, city="Abidjan", phone="0701020304"))
    assert placed.status_code == 303
    order_url = placed.headers["Location"]
    assert other_shop.get(order_url).status_code == 200
    assert shop.get(order_url).status_code == 404  # a valid signed link, but for another tenant
    # tracking by number on the wrong shop finds nothing
    found = shop.post("/shop/track", data={"csrf_token": csrf_token(shop, "/shop/track"), "number": "AG-000001",
                                           "contact": "awa@example.cm"})
    assert "Aucune commande" in found.get_data(as_text=True)
    # the other tenant's cart cookie is meaningless here, and its line ids are not ours
    add_to_cart(other_shop, tenants.b["shirt"].variant_ids[0], 1)
    assert "Chemise pagne wax" in other_shop.get("/shop/cart").get_data(as_text=True)
    shop.set_cookie("cart", other_shop.get_cookie("cart", domain="plateau.localhost").value, domain="akwa.localhost")
    assert "Votre panier est vide" in shop.get("/shop/cart").get_data(as_text=True)


def test_media_is_served_only_from_the_tenants_folder(app, shop, other_shop, tenants):
    html = shop.get(f"/shop/p/{tenants.a['shirt'].slug}").get_data(as_text=True)
    src = html.split('src="/shop/media/')[1].split('"')[0]
    assert shop.get(f"/shop/media/{src}").status_code == 200
    # The same file name under the other tenant's host is looked up in its own folder only.
    assert other_shop.get(f"/shop/media/{src}").status_code in (200, 404)
    assert shop.get(f"/shop/media/../{tenants.b.tenant.id}/{src}").status_code == 404
    assert shop.get("/shop/media/%2e%2e/%2e%2e/app/config.py").status_code == 404


def test_queries_outside_a_tenant_are_refused(app, tenants):
    with app.app_context():
        with pytest.raises(TenantScopeError):
            db.session.scalars(select(Product)).all()
        with tenant_context(tenants.a.tenant.id):
            skus = {p.sku for p in db.session.scalars(select(Product))}
        assert skus and all(s.startswith("AK-") for s in skus)
        with tenant_context(tenants.a.tenant.id):
            theirs = db.session.get(Product, tenants.b["shirt"].id)
            assert theirs is None


def test_request_id_is_echoed_or_made(shop, tenants):
    given = shop.get("/shop/", headers={"X-Request-ID": "req-12345678"})
    assert given.headers["X-Request-ID"] == "req-12345678"
    made = shop.get("/shop/", headers={"X-Request-ID": "bad id with spaces"})
    assert len(made.headers["X-Request-ID"]) == 32
