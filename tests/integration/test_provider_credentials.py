"""A shop's own provider credentials: encrypted at rest, entered by its PDG, never shown
back or audited in clear, used for its payments only, the platform's otherwise."""
from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.db import tenant_context
from app.extensions import db
from app.payments.models import ProviderCredential
from app.payments.providers import mtn_momo, orange_money, paypal_client
from app.payments.providers.base import ProviderUnavailable
from app.payments.providers.credentials import PLATFORM, credentials_for, decrypt, encrypt
from app.payments.providers.mtn_momo import MtnMomo
from app.payments.providers.paypal import PayPal
from app.staff.services import create_staff
from tests.support.backoffice import PASSWORD, login
from tests.support.clients import csrf_token
from tests.support.payments import buy, only_payment, order_state, settle_callbacks

HX = {"HX-Request": "true"}
MOMO = {"api_user": "akwa-own-momo-user-7a41", "api_key": "akwa-own-momo-key-secret-9f3e",
        "subscription_key": "akwa-own-subscription-5d2c", "target_environment": "mtncongo"}


@pytest.fixture
def key(app, monkeypatch):
    """A platform with PROVIDER_CREDENTIALS_KEY set (the default config has none)."""
    monkeypatch.setitem(app.config, "PROVIDER_CREDENTIALS_KEY", Fernet.generate_key().decode())
    return app.config["PROVIDER_CREDENTIALS_KEY"]


def add_staff(app, tenant_id, email, role):
    with app.app_context(), tenant_context(tenant_id):
        create_staff(email, role.upper(), role, PASSWORD)
        db.session.commit()


def store(app, tenant_id, method, values):
    with app.app_context(), tenant_context(tenant_id):
        db.session.add(ProviderCredential(method=method, secret=encrypt(values)))
        db.session.commit()


def rows(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return [(r.id, r.method, r.secret) for r in db.session.scalars(select(ProviderCredential))]


def audits(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return [(e.action, e.before, e.after) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("settings.credentials%")).order_by(AuditEntry.id))]


def save(client, method, values, headers=None):
    token = csrf_token(client, "/backoffice/settings")
    data = {f"credentials-{method}-{k}": v for k, v in values.items()}
    return client.post(f"/backoffice/settings/credentials/{method}",
                       data={f"credentials-{method}-csrf_token": token, **data}, headers=headers or {})


# --- encryption ------------------------------------------------------------------------

def test_encryption_round_trip_hides_the_secret_and_rotates(app, key):
    with app.app_context():
        token = encrypt(MOMO)
        assert decrypt(token) == MOMO
        for value in MOMO.values():
            assert value not in token and base64.urlsafe_b64encode(value.encode()).decode()[:12] not in token
        assert encrypt(MOMO) != token  # a fresh IV every time: equal secrets do not show
        app.config["PROVIDER_CREDENTIALS_KEY"] = Fernet.generate_key().decode()
        with pytest.raises(InvalidToken):
            decrypt(token)
        app.config["PROVIDER_CREDENTIALS_KEY"] = f"{Fernet.generate_key().decode()},{key}"  # rotation
        assert decrypt(token) == MOMO


# --- which credentials a provider uses --------------------------------------------------

def test_providers_fall_back_to_the_platform_and_never_use_another_tenants(app, tenants, key, monkeypatch):
    a, b = tenants.a.tenant.id, tenants.b.tenant.id
    monkeypatch.setitem(app.config, "MOMO_API_USER", "platform-user")
    monkeypatch.setitem(app.config, "MOMO_API_KEY", "platform-key")
    store(app, a, "momo", MOMO)
    with app.app_context():
        with tenant_context(a):
            own = credentials_for(MtnMomo())
            assert own.values == MOMO and own.owner == f"tenant:{a}"
            platform_paypal = credentials_for(PayPal())  # no PayPal row: the platform's
            assert platform_paypal.owner == PLATFORM
            assert platform_paypal["client_id"] == (app.config["PAYPAL_CLIENT_ID"] or "")
        with tenant_context(b):
            other = credentials_for(MtnMomo())
            assert other.owner == PLATFORM
            assert (other["api_user"], other["api_key"]) == ("platform-user", "platform-key")
        outside = credentials_for(MtnMomo())  # no tenant at all (a platform job)
        assert outside.owner == PLATFORM
    store(app, b, "momo", MOMO)  # the very same contract typed by another shop
    with app.app_context():
        with tenant_context(a):
            key_a = credentials_for(MtnMomo()).key
        with tenant_context(b):
            key_b = credentials_for(MtnMomo()).key
    assert key_a != key_b  # so two tenants never share a cached token
    assert all(secret not in key_a for secret in MOMO.values())


def test_unreadable_tenant_credentials_stop_the_call_instead_of_using_the_platforms(app, tenants, key):
    a = tenants.a.tenant.id
    store(app, a, "momo", MOMO)
    app.config["PROVIDER_CREDENTIALS_KEY"] = Fernet.generate_key().decode()  # the key was lost or changed
    with app.app_context(), tenant_context(a), pytest.raises(ProviderUnavailable):
        credentials_for(MtnMomo())
    app.config["PROVIDER_CREDENTIALS_KEY"] = ""
    with app.app_context(), tenant_context(a), pytest.raises(ProviderUnavailable):
        credentials_for(MtnMomo())


# --- the back-office settings ------------------------------------------------------------

def test_pdg_saves_credentials_encrypted_masked_and_audited_without_secrets(app, tenants, staff, key):
    a = tenants.a.tenant.id
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/settings").get_data(as_text=True)
    assert 'id="credentials"' in page and "Identifiants utilisés : ceux de la plateforme." in page

    first = save(client, "momo", {"api_user": MOMO["api_user"]})  # the first time every field is needed
    assert first.status_code == 422 and "Requis" in first.get_data(as_text=True) and rows(app, a) == []

    saved = save(client, "momo", MOMO)
    assert saved.status_code == 303 and saved.location.endswith("/backoffice/settings#credentials")
    [(row_id, method, secret)] = rows(app, a)
    assert method == "momo" and all(value not in secret for value in MOMO.values())
    with app.app_context():
        assert decrypt(secret) == MOMO
    page = client.get("/backoffice/settings").get_data(as_text=True)
    assert "Identifiants utilisés : ceux de la boutique." in page
    assert "configuré (…7a41)" in page and "configuré (…9f3e)" in page and "configuré (…)" in page
    assert all(value not in page for value in MOMO.values())  # never shown back, not even in a value=""

    # An empty field keeps what is stored; only the typed one changes.
    changed = save(client, "momo", {"api_key": "akwa-rotated-momo-key-0b8d"}, headers=HX)
    html = changed.get_data(as_text=True)
    assert changed.status_code == 200 and html.startswith('<section id="credentials"') and "…0b8d" in html
    assert "akwa-rotated-momo-key-0b8d" not in html and 'hx-swap-oob="true"' in html
    with app.app_context():
        assert decrypt(rows(app, a)[0][2]) == {**MOMO, "api_key": "akwa-rotated-momo-key-0b8d"}
    assert save(client, "momo", {}).status_code == 303  # nothing typed: nothing changes, nothing audited

    entries = audits(app, a)
    assert [action for action, _, _ in entries] == ["settings.credentials"] * 2
    assert entries[0][2] == {"method": "momo", "api_user": "…7a41", "api_key": "…9f3e",
                             "subscription_key": "…5d2c", "target_environment": "…"}
    assert entries[1][1] == {"method": "momo", "api_key": "…9f3e"} and entries[1][2] == {"method": "momo",
                                                                                          "api_key": "…0b8d"}
    audited = repr(entries)
    assert all(value not in audited for value in (*MOMO.values(), "akwa-rotated-momo-key-0b8d"))

    removed = client.post(f"/backoffice/settings/credentials/{row_id}/remove",
                          data={"csrf_token": csrf_token(client, "/backoffice/settings")})
    assert removed.status_code == 303 and rows(app, a) == []
    assert audits(app, a)[-1][0] == "settings.credentials_remove"
    assert "Identifiants utilisés : ceux de la plateforme." in client.get("/backoffice/settings").get_data(
        as_text=True)


def test_without_the_key_saving_is_refused_and_the_platform_keeps_working(app, tenants, staff):
    assert not app.config.get("PROVIDER_CREDENTIALS_KEY")
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/settings").get_data(as_text=True)
    assert "Le chiffrement des identifiants n’est pas configuré" in page
    refused = save(client, "orange_money", {"client_id": "akwa-orange-id", "client_secret": "s3cret-orange-akwa",
                                            "merchant_key": "akwa-merchant-key"}, headers=HX)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "PROVIDER_CREDENTIALS_KEY" in html and "s3cret-orange-akwa" not in html
    assert rows(app, tenants.a.tenant.id) == [] and audits(app, tenants.a.tenant.id) == []
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert credentials_for(orange_money.OrangeMoney()).owner == PLATFORM


def test_only_the_pdg_and_only_for_its_own_tenant(app, tenants, staff, key):
    a, b = tenants.a.tenant.id, tenants.b.tenant.id
    add_staff(app, a, "dg@akwa.cm", "dg")
    store(app, a, "momo", MOMO)
    [(row_id, _, before)] = rows(app, a)
    for email in ("dg@akwa.cm", "support@akwa.cm"):
        client, _ = login(app, "akwa", email)
        token = csrf_token(client, "/backoffice/notifications")
        assert client.post("/backoffice/settings/credentials/momo",
                           data={"csrf_token": token, "credentials-momo-api_key": "x" * 20}).status_code == 403
        assert client.post(f"/backoffice/settings/credentials/{row_id}/remove",
                           data={"csrf_token": token}).status_code == 403
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    token = csrf_token(other, "/backoffice/settings")
    remove = f"/backoffice/settings/credentials/{row_id}/remove"
    assert other.post(remove, data={"csrf_token": token}).status_code == 404
    assert other.post("/backoffice/settings/credentials/cod", data={"csrf_token": token}).status_code == 404
    assert other.post("/backoffice/settings/credentials/bitcoin", data={"csrf_token": token}).status_code == 404
    assert "…7a41" not in other.get("/backoffice/settings").get_data(as_text=True)
    assert rows(app, a) == [(row_id, "momo", before)] and rows(app, b) == []


# --- paying with the shop's own contract -------------------------------------------------

def test_a_momo_payment_uses_the_tenants_own_credentials_and_the_other_tenant_the_platforms(app, tenants, sim, key):
    a, b = tenants.a.tenant.id, tenants.b.tenant.id
    # The simulated MTN now knows only Akwa's own contract: the platform's is refused.
    sim.configure(momo_api_user=MOMO["api_user"], momo_api_key=MOMO["api_key"],
                  momo_subscription_key=MOMO["subscription_key"])
    store(app, a, "momo", MOMO)
    mtn_momo._tokens.forget()

    buy(app, "akwa", tenants.a["shirt"].variant_ids[0], "momo", momo_phone="6 77 12 34 56")
    settle_callbacks(app, sim, 1, a)
    assert only_payment(app, a).status == "succeeded" and order_state(app, a) == ("received", "paid")
    assert sim.get("/_sim/stats")["tokens_issued"]["momo"] == 1

    _client, response = buy(app, "plateau", tenants.b["shirt"].variant_ids[0], "momo")
    refused = only_payment(app, b)
    assert refused.status == "pending" and not refused.created  # the platform's key was refused at the token
    assert "/pay" in response.headers["Location"]  # back to the payment page, to retry or switch
    owners = {cache_key[1].rsplit(":", 1)[0] for cache_key in mtn_momo._tokens._tokens}
    assert owners == {f"tenant:{a}"}  # Akwa's token only: the platform's contract never got one


def test_a_paypal_payment_with_the_tenants_own_app(app, tenants, sim, key):
    a = tenants.a.tenant.id
    sim.configure(paypal_client_id="akwa-own-paypal-client", paypal_client_secret="akwa-own-paypal-secret")
    store(app, a, "paypal", {"client_id": "akwa-own-paypal-client", "client_secret": "akwa-own-paypal-secret",
                             "webhook_id": "SIM-WEBHOOK-ID"})
    _client, response = buy(app, "akwa", tenants.a["shirt"].variant_ids[0], "paypal")
    payment = only_payment(app, a)
    assert payment.created and payment.data["approve_url"] == response.headers["Location"]
    assert any(cache_key[1].startswith(f"tenant:{a}:") for cache_key in paypal_client._clients)
    _other, refused = buy(app, "plateau", tenants.b["shirt"].variant_ids[0], "paypal")
    assert not only_payment(app, tenants.b.tenant.id).created and "/pay" in refused.headers["Location"]
