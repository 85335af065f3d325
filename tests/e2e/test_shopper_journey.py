"""A guest on each tenant finds, picks, buys with cash on delivery and tracks — with and
without JavaScript, in a real Chromium."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import Shop

TENANTS = {
    # slug: (phone, delivery city, pickup store, currency text)
    "akwa": ("677 12 34 56", "Douala", "Douala Akwa (Douala)", "FCFA"),
    "plateau": ("07 01 02 03 04", "Abidjan", "Abidjan Plateau (Abidjan)", "F\u202fCFA"),
}


@pytest.mark.parametrize("slug", TENANTS)
def test_guest_buys_with_home_delivery_and_tracks(page_for, tenants, slug):
    phone, city, _, currency = TENANTS[slug]
    shop = Shop(page_for(slug), page_for.js).open()
    shop.search("chemise")
    shop.filter_option("Bleu")
    shop.open_product("Chemise pagne wax")
    expect(shop.price()).to_contain_text(f"15\u202f000\xa0{currency}")
    shop.pick("L")
    expect(shop.price()).to_contain_text("16\u202f000")
    shop.add_to_cart(1)
    shop.set_cart_quantity(2)
    expect(shop.page.locator("#cart tfoot")).to_contain_text("32\u202f000")
    number = shop.checkout(phone=phone, delivery="home", city=city)
    expect(shop.page.locator(".recap")).to_contain_text(f"34\u202f000\xa0{currency}")  # 32 000 + 2 000 delivery
    shop.track(number, phone)
    expect(shop.page.locator(".timeline .done")).to_have_count(1)
    expect(shop.page.locator(".timeline")).to_contain_text("Reçue")


@pytest.mark.parametrize("slug", TENANTS)
def test_guest_picks_up_in_store(page_for, tenants, slug):
    _, _, store, _ = TENANTS[slug]
    shop = Shop(page_for(slug), page_for.js).open("/shop/catalog")
    shop.open_product("Chemise pagne wax")
    shop.add_to_cart(1)
    shop.checkout(phone="", delivery="pickup", store=store)
    expect(shop.page.locator(".recap")).to_contain_text("Retrait à")
    expect(shop.page.locator(".recap")).to_contain_text("Gratuit")


def test_quantity_above_stock_shows_a_message(page_for, tenants):
    shop = Shop(page_for("akwa"), page_for.js).open("/shop/catalog")
    shop.open_product("Sandales en cuir tressé")
    shop.page.get_by_label("Quantité").fill("7")
    shop.page.get_by_role("button", name="Ajouter au panier").click()
    expect(shop.page.get_by_role("alert")).to_contain_text("Il ne reste que 6")
    expect(shop.page.locator("#cart-badge .count")).to_have_text("0")


def test_checkout_errors_keep_the_entered_values(page_for, tenants):
    shop = Shop(page_for("akwa"), page_for.js).open("/shop/catalog")
    shop.open_product("Sandales en cuir tressé")
    shop.add_to_cart(1)
    shop.page.get_by_role("link", name="Commander").click()
    shop.page.get_by_label("Prénom").fill("Awa")
    shop.page.get_by_label("Téléphone").fill("12")
    shop.submit_checkout()
    expect(shop.page.get_by_text("Numéro de téléphone invalide.")).to_be_visible()
    expect(shop.page.get_by_text("Indiquez votre nom.")).to_be_visible()
    expect(shop.page.get_by_label("Prénom")).to_have_value("Awa")
    expect(shop.page).to_have_url(re.compile(r"/shop/checkout$"))
