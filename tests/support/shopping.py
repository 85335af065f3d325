"""A shopper's steps through the storefront, as forms post them."""
from __future__ import annotations

import re

from tests.support.clients import client_for, csrf_token


def add_to_cart(client, variant_id, quantity=1, htmx=False):
    token = csrf_token(client)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post("/shop/cart/lines", data={"csrf_token": token, "variant_id": variant_id,
                                                 "quantity": quantity}, headers=headers)


def checkout_fields(client, **overrides):
    html = client.get("/shop/checkout").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)
    data = {"csrf_token": csrf_token(client, "/shop/checkout"), "idempotency_key": key, "first_name": "Awa",
            "last_name": "Ndiaye", "phone": "6 77 12 34 56", "email": "awa@example.cm", "delivery_method": "home",
            "city": "Douala", "quarter": "Akwa", "address": "Rue Joss", "landmark": "Face pharmacie",
            "payment_method": "cod", "note": ""}
    data.update(overrides)
    return data


def shopper_with_contact(app, tenants, email="awa@example.cm"):
    """A cart of two sandals on Akwa whose shopper typed an email at checkout, then left."""
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 2)
    token = csrf_token(shop, "/shop/checkout")
    response = shop.post("/shop/checkout/summary", headers={"HX-Request": "true"},
                         data={"csrf_token": token, "email": email, "delivery_method": "home"})
    assert response.status_code == 200
    return shop
