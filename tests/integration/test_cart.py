"""Cart: add, change, remove in place (htmx) or with redirects (no JS); bad quantities."""
import pytest

from tests.support.clients import csrf_token
from tests.support.shopping import add_to_cart

HTMX = {"HX-Request": "true"}


def line_id(shop) -> int:
    html = shop.get("/shop/cart").get_data(as_text=True)
    return int(html.split('id="line-')[1].split('"')[0])


def test_add_with_htmx_returns_message_and_out_of_band_badge(shop, tenants):
    response = add_to_cart(shop, tenants.a["shirt"].variant_ids[0], 2, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="cart-badge"' in html and 'hx-swap-oob="true"' in html and ">2</span>" in html
    assert 'class="count"' in shop.get("/shop/").get_data(as_text=True)


@pytest.mark.parametrize("quantity, message", [
    ("0", "entre 1 et 99"), ("-3", "entre 1 et 99"), ("abc", ""), ("", ""), ("100", "entre 1 et 99"),
    ("11", "Il ne reste que 10"),
])
def test_bad_quantities_change_nothing(shop, tenants, quantity, message):
    variant = tenants.a["shirt"].variant_ids[1]  # 10 in stock
    response = add_to_cart(shop, variant, quantity, htmx=True)
    assert response.status_code == 422
    assert 'class="flash error"' in response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert "Votre panier est vide" in shop.get("/shop/cart").get_data(as_text=True)
    # without JavaScript: a redirect back to the product with the message
    no_js = add_to_cart(shop, variant, quantity)
    assert no_js.status_code == 303
    assert message in shop.get(no_js.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("target, location", [
    ("/shop/catalog", "/shop/catalog"),
    ("/\t/evil.example/", "/shop/cart"),  # a browser drops the tab: //evil.example/
    ("/shop/../backoffice/", "/shop/cart"),
    ("/backoffice/", "/shop/cart"),
])
def test_failed_add_goes_back_only_to_a_shop_page(shop, tenants, target, location):
    response = shop.post("/shop/cart/lines", data={"csrf_token": csrf_token(shop), "next": target,
                                                   "variant_id": tenants.a["shirt"].variant_ids[1], "quantity": 0})
    assert response.status_code == 303 and response.headers["Location"] == location


def test_adding_twice_respects_stock_total(shop, tenants):
    variant = tenants.a["shirt"].variant_ids[0]  # 10 in Douala + 4 in Yaoundé
    assert add_to_cart(shop, variant, 10).status_code == 303
    assert add_to_cart(shop, variant, 4).status_code == 303
    refused = add_to_cart(shop, variant, 1, htmx=True)
    assert refused.status_code == 422 and "Il ne reste que 14" in refused.get_data(as_text=True)


def test_change_quantity_and_remove_in_place(shop, tenants):
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    lid = line_id(shop)
    token = csrf_token(shop, "/shop/cart")
    updated = shop.post(f"/shop/cart/lines/{lid}", data={"csrf_token": token, "quantity": "3"}, headers=HTMX)
    html = updated.get_data(as_text=True)
    assert updated.status_code == 200 and html.lstrip().startswith('<div id="cart"')
    assert "27\u202f000" in html and 'hx-swap-oob="true"' in html
    too_many = shop.post(f"/shop/cart/lines/{lid}", data={"csrf_token": token, "quantity": "7"}, headers=HTMX)
    assert too_many.status_code == 422 and "Il ne reste que 6" in too_many.get_data(as_text=True)
    zero = shop.post(f"/shop/cart/lines/{lid}", data={"csrf_token": token, "quantity": "0"})
    assert zero.status_code == 303
    assert "entre 1 et 99" in shop.get("/shop/cart").get_data(as_text=True)
    assert 'value="3"' in shop.get("/shop/cart").get_data(as_text=True)
    removed = shop.post(f"/shop/cart/lines/{lid}/remove", data={"csrf_token": token})
    assert removed.status_code == 303
    assert "Votre panier est vide" in shop.get("/shop/cart").get_data(as_text=True)
    assert shop.post(f"/shop/cart/lines/{lid}/remove", data={"csrf_token": token}).status_code == 303


def test_tampered_cookie_gives_an_empty_cart(shop, tenants):
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    value = shop.get_cookie("cart", domain="akwa.localhost").value
    shop.set_cookie("cart", value[:-3] + "abc", domain="akwa.localhost")
    response = shop.get("/shop/cart")
    assert response.status_code == 200 and "Votre panier est vide" in response.get_data(as_text=True)
    shop.set_cookie("cart", "garbage\x00%%", domain="akwa.localhost")
    assert shop.get("/shop/cart").status_code == 200


def test_posts_without_csrf_are_refused(shop, tenants):
    response = shop.post("/shop/cart/lines", data={"variant_id": tenants.a["sandals"].variant_ids[0], "quantity": 1})
    assert response.status_code == 400 and "expiré" in response.get_data(as_text=True)
    assert "Votre panier est vide" in shop.get("/shop/cart").get_data(as_text=True)
