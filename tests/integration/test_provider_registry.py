"""The payment registry is the one list of methods: every provider carries what the rest of
the app asks of it, and checkout, settings, callbacks and labels all follow it."""
from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.core.db import tenant_context
from app.extensions import db
from app.orders.models import Order
from app.payments.errors import PaymentError
from app.payments.providers import registry
from app.payments.providers.base import Urls
from app.payments.providers.cod import CashOnDelivery
from app.payments.services import start_payment
from app.tenancy.models import Tenant
from app.tenancy.settings import DECLARED_FLAGS, SECTIONS, tenant_setting
from tests.support.clients import client_for
from tests.support.payments import buy
from tests.support.shopping import add_to_cart

# The URLs providers were given before the registry existed: they are configured at MTN,
# Orange and in PayPal apps, so they must never move.
CALLBACK_RULES = {"momo": ("/callbacks/<int:tenant_id>/momo/<reference>", {"PUT", "POST"}),
                  "orange_money": ("/callbacks/<int:tenant_id>/orange/<reference>", {"POST"}),
                  "paypal": ("/callbacks/<int:tenant_id>/paypal", {"POST"})}


def test_every_method_has_its_label_setting_window_and_callback(app):
    assert registry.METHODS == ("cod", "momo", "orange_money", "paypal")  # checkout order
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for method, cls in registry.PROVIDERS.items():
        assert cls.method == method and registry.provider(method).method == method
        with app.test_request_context(), force_locale("fr"):
            french = str(cls.label)
        with app.test_request_context(), force_locale("en"):
            english = str(cls.label)
            assert str(cls.short_label)
        assert french and english and registry.label(method) is cls.label
        assert cls.setting_key == f"{method}_enabled" and cls.setting_key in DECLARED_FLAGS
        assert cls.setting_key in SECTIONS["payments"]
        for spec in cls.credential_fields:
            assert spec.config in app.config and str(spec.label)
        if not cls.online:
            assert cls.window_setting == "" and cls.credential_fields == ()
            continue
        assert int(app.config[cls.window_setting]) > 0
        assert cls.credential_fields
        rule = rules[f"callbacks.{cls.callback_endpoint()}"]
        assert (rule.rule, rule.methods - {"OPTIONS"}) == CALLBACK_RULES[method]
    assert [cls.method for cls in registry.online()] == ["momo", "orange_money", "paypal"]
    assert registry.label("cheque") == "cheque"  # an old row's unknown method shows as stored
    with app.test_request_context(), force_locale("en"):
        assert str(CashOnDelivery.label) == "Cash on delivery"
    with app.test_request_context(), force_locale("fr"):
        assert str(registry.labels()["paypal"]) == "PayPal (carte bancaire)"
        assert str(registry.short_labels()["cod"]) == "À la livraison"


def test_callback_urls_come_from_the_provider(app, tenants):
    class Payment:
        tenant_id = tenants.a.tenant.id
        reference = "7f1c0c2e-5a8e-4d3b-9a47-2f9c5d1e8b01"

    with app.test_request_context("/", base_url="http://akwa.localhost"):
        urls = {m: registry.provider(m).callback_url(Payment, "https://pay.example") for m in CALLBACK_RULES}
    tid, ref = Payment.tenant_id, Payment.reference
    assert urls == {"momo": f"https://pay.example/callbacks/{tid}/momo/{ref}",
                    "orange_money": f"https://pay.example/callbacks/{tid}/orange/{ref}",
                    "paypal": f"https://pay.example/callbacks/{tid}/paypal"}
    assert Urls(callback=urls["momo"]).return_ == ""


def set_flags(app, tenant_id, **flags):
    with app.app_context():
        tenant = db.session.get(Tenant, tenant_id)
        tenant.settings = {**(tenant.settings or {}), **flags}
        db.session.commit()


def offered(app, tenant_id):
    with app.app_context():
        return registry.enabled_methods(db.session.get(Tenant, tenant_id))


def test_enabled_methods_follow_the_tenant_settings_and_checkout_offers_them(app, tenants):
    a, b = tenants.a.tenant.id, tenants.b.tenant.id
    assert offered(app, a) == offered(app, b) == ["cod"]  # the declared defaults
    with app.app_context():
        assert tenant_setting(db.session.get(Tenant, a), "paypal_enabled") is False
    set_flags(app, a, cod_enabled=False, momo_enabled=True, paypal_enabled=True)
    assert offered(app, a) == ["momo", "paypal"] and offered(app, b) == ["cod"]

    client = client_for(app, "akwa")
    add_to_cart(client, tenants.a["shirt"].variant_ids[0], 1)
    page = client.get("/shop/checkout").get_data(as_text=True)
    assert 'value="momo"' in page and 'value="paypal"' in page
    assert 'value="cod"' not in page and 'value="orange_money"' not in page
    assert "MTN Mobile Money" in page and "PayPal (carte bancaire)" in page
    other = client_for(app, "plateau")
    add_to_cart(other, tenants.b["shirt"].variant_ids[0], 1)
    assert 'value="momo"' not in other.get("/shop/checkout").get_data(as_text=True)


def test_a_method_the_tenant_does_not_offer_is_refused(app, tenants):
    _client, response = buy(app, "akwa", tenants.a["shirt"].variant_ids[0], "cod")
    assert response.status_code == 303
    with app.test_request_context(), tenant_context(tenants.a.tenant.id):
        order = db.session.scalars(select(Order)).one()
        with pytest.raises(PaymentError, match="n’est pas proposé"):
            start_payment(order, "paypal", urls_for=lambda p: Urls(callback=""))
