"""A guest finds a product, adds it to the cart, checks out with cash on delivery, tracks it."""
from sqlalchemy import func, select

from app.core.db import tenant_context
from app.extensions import db
from app.inventory.models import Reservation, StockLevel
from app.orders.models import Order
from tests.support.clients import csrf_token
from tests.support.shopping import add_to_cart, checkout_fields


def test_search_filter_product_cart_checkout_track(app, shop, tenants):
    shirt = tenants.a["shirt"]
    listing = shop.get("/shop/catalog?q=chemise").get_data(as_text=True)
    assert "Chemise pagne wax" in listing and "Sandales" not in listing
    filtered = shop.get("/shop/catalog?opt=Couleur:Rouge&in_stock=1").get_data(as_text=True)
    assert "Chemise pagne wax" in filtered
    page = shop.get(f"/shop/p/{shirt.slug}?o.Taille=L&o.Couleur=Bleu")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "16\u202f000" in html  # the L variant has its own price
    assert "<script>alert(1)</script>" not in html

    response = add_to_cart(shop, shirt.variant_ids[0], 2)
    assert response.status_code == 303
    cart = shop.get("/shop/cart").get_data(as_text=True)
    assert "30\u202f000" in cart

    data = checkout_fields(shop)
    response = shop.post("/shop/checkout", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    order_page = shop.get(response.headers["Location"]).get_data(as_text=True)
    assert "AG-000001" in order_page
    # a resubmitted form returns the same order
    again = shop.post("/shop/checkout", data=data)
    assert again.status_code == 303 and again.headers["Location"] == response.headers["Location"]

    with app.app_context(), tenant_context(tenants.a.tenant.id):
        order = db.session.scalar(select(Order))
        assert order.total == 30000 + 2000 and order.phone == "+237677123456"
        assert order.fulfilment_store_id == tenants.a.stores[0].id  # Douala serves Douala
        assert db.session.scalar(select(func.sum(Reservation.quantity))) == 2
        level = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == shirt.variant_ids[0],
                                                           StockLevel.store_id == tenants.a.stores[0].id))
        assert level.reserved == 2

    track = shop.post("/shop/track", data={"csrf_token": csrf_token(shop, "/shop/track"), "number": "ag-000001",
                                           "contact": "+237 677 12 34 56"})
    assert track.status_code == 303
    wrong = shop.post("/shop/track", data={"csrf_token": csrf_token(shop, "/shop/track"), "number": "AG-000001",
                                           "contact": "x@example.cm"})
    assert "Aucune commande" in wrong.get_data(as_text=True)
