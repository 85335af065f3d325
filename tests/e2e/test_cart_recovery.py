"""A reminder's recovery link brings the cart back in a real browser (another device)."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.cart.models import Cart
from app.cart.services import recovery_token
from app.core.db import tenant_context
from app.extensions import db
from tests.support.shopping import shopper_with_contact


@pytest.fixture
def recovery_path(app, tenants):
    shopper_with_contact(app, tenants)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        return f"/shop/cart/recover/{recovery_token(db.session.scalar(select(Cart)))}"


def test_recovery_link_restores_the_cart(page_for, recovery_path):
    page = page_for("akwa")
    page.goto("/shop/cart")
    expect(page.get_by_text("Votre panier est vide.")).to_be_visible()
    page.goto(recovery_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre panier")
    expect(page.get_by_text("Votre panier est de retour.")).to_be_visible()
    expect(page.locator("#cart")).to_contain_text("Sandales en cuir tressé")
    expect(page.locator("#cart-badge .count")).to_have_text("2")


def test_a_tampered_link_shows_a_clear_page(page_for, recovery_path):
    page = page_for("akwa")
    page.goto(recovery_path[:-3] + "zzz")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n’est plus valable")
    expect(page.locator("#cart-badge .count")).to_have_text("0")
