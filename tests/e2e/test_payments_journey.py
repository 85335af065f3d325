"""A shopper pays in a real Chromium against the local provider simulators served over HTTP:
MoMo approved on the simulator's phone page (with and without JavaScript), MoMo rejected
then retried, Orange Money, PayPal and cash on delivery. Each order ends with the right
payment status and stock."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.orders.models import Order
from app.payments.models import Payment
from tests.e2e.payment_pages import MomoPhone, OrangePayPage, PayingShopper, PayPalApprovePage
from tests.support.payments import in_tenant, only_payment, order_state, stock

# slug: (contact phone, delivery city, currency as the providers write it)
TENANTS = {"akwa": ("677 12 34 56", "Douala", "XAF"), "plateau": ("07 01 02 03 04", "Abidjan", "XOF")}
MOMO_PAYER = "237677123456"  # 6 77 12 34 56: no magic suffix, so manual mode waits for the phone
JS_ONLY = pytest.mark.parametrize("page_for", ["js"], indirect=True)


@pytest.fixture(autouse=True)
def _callbacks_processed(job_worker):
    """With Redis, a worker thread processes the callbacks as they arrive."""


@pytest.fixture(scope="session")
def app_server(live_server):
    """Overrides the one of tests/payments_support.py, which the ``sim`` fixture asks for: the
    simulators' callbacks go to the live server the browser uses (PAYMENT_CALLBACK_BASE_URL)."""
    return f"http://127.0.0.1:{live_server}"


def payments(app, tenant_id) -> list[Payment]:
    def load():
        rows = db.session.scalars(select(Payment).order_by(Payment.id)).all()
        db.session.expunge_all()
        return rows
    return in_tenant(app, tenant_id, load)


def order_total(app, tenant_id) -> int:
    return in_tenant(app, tenant_id, lambda: db.session.scalars(select(Order).order_by(Order.id.desc())).first().total)


def spaced(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def shopper(page_for, slug: str) -> PayingShopper:
    return PayingShopper(page_for(slug), page_for.js).put_sandals_in_cart()


def test_momo_approved_on_the_phone(app, tenants, sim, page_for):
    a, sandals = tenants.a.tenant.id, tenants.a["sandals"].variant_ids[0]
    sim.configure(mode="manual")  # nobody answers until the phone page does
    before = stock(app, a, sandals)
    phone, city, currency = TENANTS["akwa"]
    buyer = shopper(page_for, "akwa")
    buyer.place_order("MTN Mobile Money", phone=phone, city=city, momo_phone="6 77 12 34 56")
    buyer.expect_waiting_for_phone()
    assert stock(app, a, sandals) == (before[0], before[1] + 1)  # held while the payer decides

    handset = MomoPhone(page_for("akwa"), sim.url).open(MOMO_PAYER)
    handset.expect_request(str(order_total(app, a)), currency)
    handset.approve()

    buyer.expect_order_page("payé")  # the waiting page moved on by itself
    payment = only_payment(app, a)
    assert (payment.method, payment.status, payment.payer) == ("momo", "succeeded", "237•••56")
    assert order_state(app, a) == ("received", "paid")
    assert stock(app, a, sandals) == (before[0] - 1, before[1])  # sold: on hand down, nothing held


@JS_ONLY
def test_momo_rejected_then_retried(app, tenants, sim, page_for):
    a, sandals = tenants.a.tenant.id, tenants.a["sandals"].variant_ids[0]
    sim.configure(mode="manual")
    before = stock(app, a, sandals)
    phone, city, _ = TENANTS["akwa"]
    buyer = shopper(page_for, "akwa")
    buyer.place_order("MTN Mobile Money", phone=phone, city=city, momo_phone="6 77 12 34 56")
    buyer.expect_waiting_for_phone()
    handset = MomoPhone(page_for("akwa"), sim.url).open(MOMO_PAYER)
    handset.reject()

    buyer.expect_failed("Vous avez refusé le paiement sur votre téléphone")
    assert order_state(app, a) == ("received", "failed")
    assert stock(app, a, sandals) == before  # released

    buyer.retry("MTN Mobile Money", momo_phone="6 77 12 34 56")
    buyer.expect_waiting_for_phone()
    handset.open(MOMO_PAYER).approve()
    buyer.expect_order_page("payé")
    first, second = payments(app, a)
    assert (first.status, first.reason) == ("failed", "APPROVAL_REJECTED")
    assert (second.method, second.status) == ("momo", "succeeded")
    assert order_state(app, a) == ("received", "paid")
    assert stock(app, a, sandals) == (before[0] - 1, before[1])  # taken back, then sold once


@JS_ONLY
@pytest.mark.parametrize("slug", ["plateau", "akwa"])
def test_orange_money(app, tenants, sim, page_for, slug):
    shop = tenants.b if slug == "plateau" else tenants.a
    tenant_id, sandals = shop.tenant.id, shop["sandals"].variant_ids[0]
    before = stock(app, tenant_id, sandals)
    phone, city, currency = TENANTS[slug]
    buyer = shopper(page_for, slug)
    buyer.place_order("Orange Money", phone=phone, city=city)

    orange = OrangePayPage(buyer.page, sim.url)
    orange.expect_open(spaced(order_total(app, tenant_id)), currency)
    orange.pay("0707123456", "1234")

    buyer.expect_order_page("payé")  # back on the shop; the notification reached the live server too
    payment = only_payment(app, tenant_id)
    assert (payment.method, payment.status) == ("orange_money", "succeeded")
    assert payment.provider_reference.startswith("MP")
    assert order_state(app, tenant_id) == ("received", "paid")
    assert stock(app, tenant_id, sandals) == (before[0] - 1, before[1])


@JS_ONLY
def test_paypal(app, tenants, sim, page_for):
    a, sandals = tenants.a.tenant.id, tenants.a["sandals"].variant_ids[0]
    before = stock(app, a, sandals)
    phone, city, _ = TENANTS["akwa"]
    buyer = shopper(page_for, "akwa")
    buyer.place_order("PayPal (carte bancaire)", phone=phone, city=city)

    total = order_total(app, a)
    euros = round(total * 100 / 655.957)  # cents; the XAF–EUR peg
    paypal = PayPalApprovePage(buyer.page, sim.url)
    paypal.expect_open(f"{euros // 100}.{euros % 100:02d}", "EUR")
    paypal.approve()

    buyer.expect_order_page("payé")  # captured on the way back
    payment = only_payment(app, a)
    assert (payment.method, payment.status) == ("paypal", "succeeded")
    assert (payment.amount, payment.currency) == (total, "XAF")
    assert (payment.provider_amount, payment.provider_currency) == (euros, "EUR")
    assert order_state(app, a) == ("received", "paid")
    assert stock(app, a, sandals) == (before[0] - 1, before[1])


@JS_ONLY
@pytest.mark.parametrize("slug", ["akwa", "plateau"])
def test_cash_on_delivery(app, tenants, sim, page_for, slug):
    shop = tenants.a if slug == "akwa" else tenants.b
    tenant_id, sandals = shop.tenant.id, shop["sandals"].variant_ids[0]
    before = stock(app, tenant_id, sandals)
    phone, city, _ = TENANTS[slug]
    buyer = shopper(page_for, slug)
    buyer.place_order("Paiement à la livraison (espèces)", phone=phone, city=city)

    buyer.expect_order_page("en attente", timeout=10_000)
    expect(buyer.page.locator(".recap")).to_contain_text("Paiement à la livraison : prévoyez")
    assert payments(app, tenant_id) == []
    assert order_state(app, tenant_id) == ("received", "pending")
    assert stock(app, tenant_id, sandals) == (before[0], before[1] + 1)  # reserved, not sold
