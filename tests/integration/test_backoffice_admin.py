"""Back-office administration: password reset, staff and roles, settings, audit log, bell."""
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.audit import audit
from app.audit.models import AuditEntry
from app.core.db import tenant_context
from app.extensions import db
from app.inventory.models import StockLevel
from app.outbox.models import OutboxMessage
from app.staff.models import StaffUser
from app.staff.services import create_staff
from app.tenancy.models import Store, Tenant
from app.tenancy.settings import tenant_setting
from tests.support.backoffice import PASSWORD, login
from tests.support.clients import client_for, csrf_token, run_jobs
from tests.support.factories import png
from tests.support.shopping import add_to_cart, checkout_fields

HX = {"HX-Request": "true"}
LINK = re.compile(r"http://akwa\.localhost/backoffice/reset/(\S+)")


def add_staff(app, tenant_id, email, role, password=PASSWORD):
    with app.app_context(), tenant_context(tenant_id):
        user = create_staff(email, role.upper(), role, password)
        db.session.commit()
        return user.id


def staff_row(app, tenant_id, email):
    with app.app_context(), tenant_context(tenant_id):
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        return None if user is None else (user.id, user.role, user.active, user.password_hash)


def audit_actions(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.action, e.target_type) for e in entries]


def post(client, path, data, page, headers=None, **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data}, headers=headers or {}, **kwargs)


def forgot(app, email):
    client = client_for(app, "akwa")
    return client, post(client, "/backoffice/forgot", {"email": email}, "/backoffice/forgot")


# --- password reset -------------------------------------------------------------------

def test_password_reset_by_emailed_single_use_link(app, tenants, staff, smtp):
    client, response = forgot(app, "pdg@akwa.cm")
    assert response.status_code == 303 and response.location.endswith("/backoffice/login")
    neutral = client.get("/backoffice/login").get_data(as_text=True)
    _, unknown = forgot(app, "personne@akwa.cm")
    assert unknown.status_code == 303  # the same answer: no way to probe which emails exist
    run_jobs(app)  # with Redis the email waits in RQ for a worker
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "pdg@akwa.cm" and "mot de passe" in mail["Subject"]
    text = mail.get_body(("plain",)).get_content()
    token = LINK.search(text).group(1)
    assert "Si un compte existe" in neutral
    with app.app_context(), tenant_context(tenants.a.tenant.id):  # no live link stored in the outbox
        assert token not in str(db.session.scalar(select(OutboxMessage.payload)))

    page = client.get(f"/backoffice/reset/{token}")
    assert page.status_code == 200 and 'name="confirm"' in page.get_data(as_text=True)
    short = post(client, f"/backoffice/reset/{token}", {"password": "court", "confirm": "court"},
                 f"/backoffice/reset/{token}")
    assert short.status_code == 422 and "Entre 10 et 200 caractères" in short.get_data(as_text=True)
    mismatch = post(client, f"/backoffice/reset/{token}", {"password": "un-nouveau-secret", "confirm": "autre"},
                    f"/backoffice/reset/{token}")
    assert mismatch.status_code == 422 and "diffèrent" in mismatch.get_data(as_text=True)
    done = post(client, f"/backoffice/reset/{token}", {"password": "un-nouveau-secret",
                                                       "confirm": "un-nouveau-secret"}, f"/backoffice/reset/{token}")
    assert done.status_code == 303
    assert login(app, "akwa", "pdg@akwa.cm", "un-nouveau-secret")[1].status_code == 303
    assert login(app, "akwa", "pdg@akwa.cm", PASSWORD)[1].status_code == 422
    assert ("pdg@akwa.cm", "staff.password_reset", "staff_user") in audit_actions(app, tenants.a.tenant.id)

    # single use: the link died with the old password
    hash_after = staff_row(app, tenants.a.tenant.id, "pdg@akwa.cm")[3]
    assert client.get(f"/backoffice/reset/{token}").status_code == 410
    reuse = post(client, f"/backoffice/reset/{token}", {"password": "encore-un-autre", "confirm": "encore-un-autre"},
                 "/backoffice/login")
    assert reuse.status_code == 422 and "plus valable" in reuse.get_data(as_text=True)
    assert staff_row(app, tenants.a.tenant.id, "pdg@akwa.cm")[3] == hash_after
    # a link of one shop is worthless on another shop's host
    assert client_for(app, "plateau").get(f"/backoffice/reset/{token}").status_code == 410


def test_a_password_reset_ends_the_sessions_opened_before(app, tenants, staff, smtp):
    before, _ = login(app, "akwa", "pdg@akwa.cm")  # client A
    assert before.get("/backoffice/orders").status_code == 200
    client, _ = forgot(app, "pdg@akwa.cm")  # client B, through the emailed link
    run_jobs(app)
    token = LINK.search(smtp.messages[0].get_body(("plain",)).get_content()).group(1)
    done = post(client, f"/backoffice/reset/{token}", {"password": "un-nouveau-secret",
                                                       "confirm": "un-nouveau-secret"}, f"/backoffice/reset/{token}")
    assert done.status_code == 303
    ended = before.get("/backoffice/orders")
    assert ended.status_code == 302 and "/backoffice/login" in ended.location
    after, response = login(app, "akwa", "pdg@akwa.cm", "un-nouveau-secret")
    assert response.status_code == 303 and after.get("/backoffice/orders").status_code == 200


def test_a_role_change_or_deactivation_ends_the_sessions_of_that_account(app, tenants, staff):
    a = tenants.a.tenant.id
    pdg, _ = login(app, "akwa", "pdg@akwa.cm")
    support, _ = login(app, "akwa", "support@akwa.cm")
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    assert support.get("/backoffice/orders").status_code == 200
    assert post(pdg, f"/backoffice/staff/{staff_row(app, a, 'support@akwa.cm')[0]}/role", {"role": "manager"},
                "/backoffice/staff").status_code == 303
    assert "/backoffice/login" in support.get("/backoffice/orders").location
    assert viewer.get("/backoffice/orders").status_code == 200  # other accounts keep their sessions
    assert post(pdg, f"/backoffice/staff/{staff_row(app, a, 'viewer@akwa.cm')[0]}/active", {},
                "/backoffice/staff").status_code == 303
    assert "/backoffice/login" in viewer.get("/backoffice/orders").location
    assert pdg.get("/backoffice/staff").status_code == 200  # the session that made the changes goes on
    # a PDG who steps down stays logged in, with the new role, while their other sessions end
    other_pdg_session, _ = login(app, "akwa", "pdg@akwa.cm")
    add_staff(app, a, "second@akwa.cm", "pdg")
    me = staff_row(app, a, "pdg@akwa.cm")[0]
    assert post(pdg, f"/backoffice/staff/{me}/role", {"role": "dg"}, "/backoffice/staff").status_code == 303
    assert pdg.get("/backoffice/staff").status_code == 403 and pdg.get("/backoffice/orders").status_code == 200
    assert "/backoffice/login" in other_pdg_session.get("/backoffice/orders").location


@pytest.mark.parametrize("target, location", [
    ("/backoffice/orders?status=paid", "/backoffice/orders?status=paid"),
    ("/%09/evil.example/", "/backoffice/"),
    ("/backoffice%5C%5Cevil.example/", "/backoffice/"),
    ("https://evil.example/backoffice/", "/backoffice/"),
])
def test_login_goes_on_only_to_a_back_office_page(app, staff, target, location):
    client = client_for(app, "akwa")
    response = client.post(f"/backoffice/login?next={target}", data={
        "csrf_token": csrf_token(client, "/backoffice/login"), "email": "pdg@akwa.cm", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == location


def test_expired_or_forged_reset_link_is_refused(app, tenants, staff, monkeypatch):
    from app.staff.passwords import password_token

    with app.test_request_context(), tenant_context(tenants.a.tenant.id):
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == "pdg@akwa.cm"))
        real = time.time
        monkeypatch.setattr(time, "time", lambda: real() - 2 * 3600)  # issued two hours ago
        old = password_token(user)
        monkeypatch.setattr(time, "time", real)
        invite = password_token(user, "invite")
    client = client_for(app, "akwa")
    assert client.get(f"/backoffice/reset/{old}").status_code == 410
    assert client.get(f"/backoffice/reset/{old[:-2]}xx").status_code == 410
    assert client.get(f"/backoffice/reset/{invite}").status_code == 200  # invitations live a week


def test_forgot_password_is_rate_limited(app, staff):
    codes = [forgot(app, "pdg@akwa.cm")[1].status_code for _ in range(6)]
    assert codes[:5] == [303] * 5 and codes[5] == 429


# --- staff and roles ------------------------------------------------------------------

def test_staff_accounts_rules_and_audit(app, tenants, staff):
    a = tenants.a.tenant.id
    pdg, _ = login(app, "akwa", "pdg@akwa.cm")
    page = pdg.get("/backoffice/staff").get_data(as_text=True)
    assert "support@akwa.cm" in page and "pdg@plateau.cm" not in page
    created = post(pdg, "/backoffice/staff", {"name": "Marie", "email": "Marie@Akwa.cm", "role": "manager",
                                              "password": "mot-de-passe-marie"}, "/backoffice/staff")
    assert created.status_code == 303
    assert staff_row(app, a, "marie@akwa.cm")[1:3] == ("manager", True)
    assert login(app, "akwa", "marie@akwa.cm", "mot-de-passe-marie")[1].status_code == 303
    # an invitation (no password) goes out by email with a set-password link
    invited = post(pdg, "/backoffice/staff", {"name": "Paul", "email": "paul@akwa.cm", "role": "viewer"},
                   "/backoffice/staff", headers=HX)
    assert invited.status_code == 200 and invited.get_data(as_text=True).startswith('<div id="staff"')
    assert "Invitation envoyée" in invited.get_data(as_text=True)
    with app.app_context(), tenant_context(a):
        assert db.session.scalar(select(OutboxMessage.topic).where(OutboxMessage.recipient == "paul@akwa.cm")) \
            == "staff_password_invite"
    duplicate = post(pdg, "/backoffice/staff", {"name": "X", "email": "marie@akwa.cm", "role": "viewer"},
                     "/backoffice/staff")
    assert duplicate.status_code == 422 and "existe déjà" in duplicate.get_data(as_text=True)
    bad = post(pdg, "/backoffice/staff", {"name": "", "email": "pas-un-email", "role": "roi"}, "/backoffice/staff")
    assert bad.status_code == 422 and "Adresse e-mail invalide" in bad.get_data(as_text=True)

    marie = staff_row(app, a, "marie@akwa.cm")[0]
    me = staff_row(app, a, "pdg@akwa.cm")[0]
    assert post(pdg, f"/backoffice/staff/{marie}/role", {"role": "dg"}, "/backoffice/staff").status_code == 303
    assert staff_row(app, a, "marie@akwa.cm")[1] == "dg"
    # the only PDG can neither demote nor deactivate themself
    assert post(pdg, f"/backoffice/staff/{me}/role", {"role": "dg"}, "/backoffice/staff", headers=HX).status_code == 422
    refused = post(pdg, f"/backoffice/staff/{me}/active", {}, "/backoffice/staff", headers=HX)
    assert refused.status_code == 422 and "propre compte" in refused.get_data(as_text=True)
    assert staff_row(app, a, "pdg@akwa.cm")[1:3] == ("pdg", True)
    # with a second PDG the first may step down
    post(pdg, f"/backoffice/staff/{marie}/role", {"role": "pdg"}, "/backoffice/staff")
    assert post(pdg, f"/backoffice/staff/{me}/role", {"role": "dg"}, "/backoffice/staff").status_code == 303
    assert pdg.get("/backoffice/staff").status_code == 403  # a DG now
    marie_client, _ = login(app, "akwa", "marie@akwa.cm", "mot-de-passe-marie")
    support = staff_row(app, a, "support@akwa.cm")[0]
    assert post(marie_client, f"/backoffice/staff/{support}/active", {}, "/backoffice/staff").status_code == 303
    assert staff_row(app, a, "support@akwa.cm")[2] is False
    assert login(app, "akwa", "support@akwa.cm")[1].status_code == 422  # a deactivated account cannot log in
    reactivated = post(marie_client, f"/backoffice/staff/{support}/active", {"active": "y"}, "/backoffice/staff")
    assert reactivated.status_code == 303 and staff_row(app, a, "support@akwa.cm")[2] is True

    actions = [x[1] for x in audit_actions(app, a) if x[2] == "staff_user"]
    assert actions == ["staff.create", "staff.create", "staff.role", "staff.role", "staff.role",
                       "staff.deactivate", "staff.activate"]
    with app.app_context(), tenant_context(a):
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.deactivate"))
        assert (entry.actor, entry.before["active"], entry.after["active"]) == ("marie@akwa.cm", True, False)
    # another tenant's staff id answers 404
    other = staff_row(app, tenants.b.tenant.id, "pdg@plateau.cm")[0]
    assert post(marie_client, f"/backoffice/staff/{other}/role", {"role": "viewer"},
                "/backoffice/staff").status_code == 404
    assert post(marie_client, f"/backoffice/staff/{other}/active", {}, "/backoffice/staff").status_code == 404
    assert staff_row(app, tenants.b.tenant.id, "pdg@plateau.cm")[1:3] == ("pdg", True)


def test_forbidden_action_answers_a_clear_403_and_is_audited(app, tenants, staff):
    support, _ = login(app, "akwa", "support@akwa.cm")
    response = support.get("/backoffice/staff")
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and "Accès refusé" in html and "gérer le personnel" in html
    assert "staff:write" in html and 'href="/backoffice/"' in html
    assert post(support, "/backoffice/staff", {"name": "X", "email": "x@akwa.cm", "role": "pdg"},
                "/backoffice/messages").status_code == 403
    assert staff_row(app, tenants.a.tenant.id, "x@akwa.cm") is None
    forbidden = [x for x in audit_actions(app, tenants.a.tenant.id) if x[1] == "forbidden"]
    assert forbidden == [("support@akwa.cm", "forbidden", "permission")] * 2


# --- settings -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["dg", "support", "viewer", "manager"])
def test_settings_are_for_the_pdg_only(app, tenants, staff, role):
    add_staff(app, tenants.a.tenant.id, f"{role}2@akwa.cm", role)
    client, _ = login(app, "akwa", f"{role}2@akwa.cm")
    assert client.get("/backoffice/settings").status_code == 403
    token = csrf_token(client, "/backoffice/notifications")
    assert client.post("/backoffice/settings/payments", data={"csrf_token": token, "payments-paypal_rate": "1"}
                       ).status_code == 403
    assert client.post("/backoffice/settings/branding", data={"csrf_token": token}).status_code == 403
    assert "/backoffice/settings" not in client.get("/backoffice/notifications").get_data(as_text=True)


def settings_post(client, section, data, headers=None, **kwargs):
    token = csrf_token(client, "/backoffice/settings")
    fields = {f"{section}-{k}": v for k, v in data.items()}
    return client.post(f"/backoffice/settings/{section}", data={f"{section}-csrf_token": token, **fields},
                       headers=headers or {}, **kwargs)


PAYMENTS = {"cod_enabled": "y", "paypal_currency": "EUR", "paypal_rate": "655,957"}


@pytest.mark.parametrize("section,data,message", [
    ("branding", {"name": "Akwa", "primary_color": "rouge", "secondary_color": "#f2a541"}, "#rrggbb"),
    ("branding", {"name": "", "primary_color": "#112233", "secondary_color": "#f2a541"}, "invalid"),
    ("payments", {"paypal_currency": "EUR", "paypal_rate": "655"}, "au moins un moyen"),
    ("payments", {**PAYMENTS, "paypal_rate": "-3"}, "taux positif"),
    ("payments", {**PAYMENTS, "paypal_rate": "beaucoup"}, "Nombre invalide"),
    ("payments", {**PAYMENTS, "paypal_currency": "XAF"}, "invalid"),
    ("shipping", {"flat_shipping": "deux mille", "free_shipping_threshold": "0"}, "Montant invalide"),
    ("shipping", {"flat_shipping": "1500,5", "free_shipping_threshold": "0"}, "Montant invalide"),  # XAF: no cents
    ("tax", {"tax_rate": "150"}, "Entre 0 et 100"),
    ("tax", {"tax_rate": "19,255"}, "deux décimales"),
])
def test_settings_validation_errors_per_field(app, tenants, staff, section, data, message):
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    response = settings_post(client, section, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'class="field invalid"' in html
    assert message in html or message == "invalid"
    fragment = settings_post(client, section, data, headers=HX)
    assert fragment.status_code == 422 and fragment.get_data(as_text=True).startswith(f'<section id="{section}"')
    with app.app_context():
        tenant = db.session.get(Tenant, tenants.a.tenant.id)
        assert tenant.settings == {} and tenant.primary_color == "#0b6e4f"
    assert audit_actions(app, tenants.a.tenant.id) == []


def test_logo_upload_is_sniffed_and_size_limited(app, tenants, staff):
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    base = {"name": "Akwa", "primary_color": "#112233", "secondary_color": "#445566"}
    from io import BytesIO

    fake = settings_post(client, "branding", {**base, "logo": (BytesIO(b"<svg onload=alert(1)>"), "logo.png")},
                         content_type="multipart/form-data")
    assert fake.status_code == 422 and "PNG, JPEG ou WebP" in fake.get_data(as_text=True)
    huge = settings_post(client, "branding", {**base, "logo": (BytesIO(b"\0" * (1024 * 1024 + 1)), "logo.png")},
                         content_type="multipart/form-data")
    assert huge.status_code == 422 and "1 Mo" in huge.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Tenant, tenants.a.tenant.id).logo_path is None


def test_saved_settings_show_on_the_shop_and_are_audited(app, tenants, staff):
    from io import BytesIO

    client, _ = login(app, "akwa", "pdg@akwa.cm")
    saved = settings_post(client, "branding", {"name": "Akwa Market", "primary_color": "#1A2B3C",
                                               "secondary_color": "#ffcc00",
                                               "logo": (BytesIO(png(size=(900, 300))), "logo.png")},
                          content_type="multipart/form-data")
    assert saved.status_code == 303 and saved.location.endswith("/backoffice/settings#branding")
    with app.app_context():
        logo = db.session.get(Tenant, tenants.a.tenant.id).logo_path
    assert logo.startswith("branding/") and logo.endswith(".webp")
    assert (Path(app.config["MEDIA_ROOT"]) / str(tenants.a.tenant.id) / logo).exists()
    home = client_for(app, "akwa").get("/shop/").get_data(as_text=True)
    assert "--primary:#1a2b3c" in home and "--secondary:#ffcc00" in home and "Akwa Market" in home
    assert f'src="/shop/media/{logo}"' in home
    assert client_for(app, "akwa").get(f"/shop/media/{logo}").status_code == 200
    assert client_for(app, "plateau").get(f"/shop/media/{logo}").status_code == 404  # sealed per tenant
    assert "#1a2b3c" not in client_for(app, "plateau").get("/shop/").get_data(as_text=True)

    fragment = settings_post(client, "payments", {"cod_enabled": "y", "momo_enabled": "y", "paypal_enabled": "y",
                                                  "paypal_currency": "USD", "paypal_rate": "600,5"}, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.startswith('<section id="payments"')
    assert 'hx-swap-oob="true"' in html and "Réglages enregistrés" in html
    assert settings_post(client, "shipping", {"flat_shipping": "1 500", "free_shipping_threshold": "75000"}
                         ).status_code == 303
    assert settings_post(client, "tax", {"tax_rate": "19,25", "prices_include_tax": ""}).status_code == 303
    with app.app_context():
        tenant = db.session.get(Tenant, tenants.a.tenant.id)
        values = {k: tenant_setting(tenant, k) for k in (
            "cod_enabled", "momo_enabled", "orange_money_enabled", "paypal_enabled", "paypal_currency",
            "paypal_rate", "flat_shipping", "free_shipping_threshold", "tax_rate_bp", "prices_include_tax")}
    assert values == {"cod_enabled": True, "momo_enabled": True, "orange_money_enabled": False,
                      "paypal_enabled": True, "paypal_currency": "USD", "paypal_rate": "600.5",
                      "flat_shipping": 1500, "free_shipping_threshold": 75000, "tax_rate_bp": 1925,
                      "prices_include_tax": False}
    page = client.get("/backoffice/settings").get_data(as_text=True)
    assert 'value="600.5"' in page and 'value="1500"' in page and 'value="19.25"' in page
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["settings.branding"] + ["settings.update"] * 3
        assert entries[1].before == {"momo_enabled": False, "paypal_enabled": False, "paypal_currency": "EUR",
                                     "paypal_rate": "655.957"}
        assert entries[2].after == {"flat_shipping": 1500, "free_shipping_threshold": 75000}
    with app.app_context():
        assert db.session.get(Tenant, tenants.b.tenant.id).settings == {}


def store_fields(**overrides):
    data = {"name": "Bonamoussadi", "code": "BNM", "city": "Douala", "address": "Carrefour Kotto",
            "opening_hours": "8 h–19 h", "latitude": "4,0900", "longitude": "9.7400", "is_pickup_point": "y",
            "active": "y"}
    data.update(overrides)
    return {f"store-{k}": v for k, v in data.items()}


def test_stores_add_edit_validation_and_other_tenant(app, tenants, staff):
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    token = csrf_token(client, "/backoffice/settings")
    bad = client.post("/backoffice/settings/stores", data={"store-csrf_token": token,
                                                           **store_fields(latitude="95", code="S0")})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Entre -90 et 90" in html
    clash = client.post("/backoffice/settings/stores", data={"store-csrf_token": token, **store_fields(code="S0")},
                        headers=HX)
    assert clash.status_code == 422 and clash.get_data(as_text=True).startswith('<section id="stores"')
    assert "déjà ce code" in clash.get_data(as_text=True)
    added = client.post("/backoffice/settings/stores", data={"store-csrf_token": token, **store_fields()})
    assert added.status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        store = db.session.scalar(select(Store).where(Store.code == "BNM"))
        assert (store.latitude, store.longitude, store.is_pickup_point, store.address) == \
            (4.09, 9.74, True, "Carrefour Kotto")
        store_id = store.id
    assert "Bonamoussadi" in client.get("/backoffice/settings").get_data(as_text=True)
    edit = client.get(f"/backoffice/settings/stores/{store_id}")
    assert edit.status_code == 200 and 'value="Carrefour Kotto"' in edit.get_data(as_text=True)
    fragment = client.post(f"/backoffice/settings/stores/{store_id}", headers=HX, data={
        "store-csrf_token": token, **store_fields(longitude="200")})
    assert fragment.status_code == 422 and "Entre -180 et 180" in fragment.get_data(as_text=True)
    changed = client.post(f"/backoffice/settings/stores/{store_id}", data={
        "store-csrf_token": token, **store_fields(is_pickup_point="", active="", name="Bonamoussadi 2")})
    assert changed.status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        store = db.session.get(Store, store_id)
        assert (store.name, store.is_pickup_point, store.active) == ("Bonamoussadi 2", False, False)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "store.update"))
        assert entry.before["active"] is True and entry.after["active"] is False
    other_store = tenants.b.stores[0].id
    assert client.get(f"/backoffice/settings/stores/{other_store}").status_code == 404
    assert client.post(f"/backoffice/settings/stores/{other_store}", data={
        "store-csrf_token": token, **store_fields()}).status_code == 404
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        assert db.session.get(Store, other_store).name == "Abidjan Plateau"


# --- audit log ------------------------------------------------------------------------

def test_audit_log_filters_and_pages(app, tenants, staff):
    a = tenants.a.tenant.id
    with app.app_context(), tenant_context(a):
        pdg = db.session.scalar(select(StaffUser).where(StaffUser.email == "pdg@akwa.cm"))
        support = db.session.scalar(select(StaffUser).where(StaffUser.email == "support@akwa.cm"))
        for i in range(55):
            audit(pdg, "catalog.update", "product", i, before={"price": 100 + i}, after={"price": 200 + i})
        audit(support, "order.note", "order", 7, after={"note": "Client rappelé"})
        db.session.commit()
        support_id = support.id
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        other = db.session.scalar(select(StaffUser))
        audit(other, "catalog.update", "product", 999, after={"price": 1})
        db.session.commit()
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    assert viewer.get("/backoffice/audit").status_code == 403
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    first = client.get("/backoffice/audit").get_data(as_text=True)
    assert first.count("<tr>") == 51 and "Client rappelé" in first and "#999" not in first
    assert "<del>154</del> → <ins>254</ins>" in first and 'rel="next"' in first
    second = client.get("/backoffice/audit?page=2", headers=HX).get_data(as_text=True)
    # 57 entries: the 55 updates, the note, and the viewer's refusal just above
    assert second.startswith('<div id="audit"') and second.count("<tr>") == 8 and 'rel="next"' not in second
    by_staff = client.get(f"/backoffice/audit?staff={support_id}").get_data(as_text=True)
    assert "Client rappelé" in by_staff and "catalog.update</code>" not in by_staff
    by_type = client.get("/backoffice/audit?target=order&action=order.note", headers=HX).get_data(as_text=True)
    assert by_type.count("<tr>") == 2 and "order #7" in by_type
    today = client.get("/backoffice/audit?start=2020-01-01&end=2999-12-31&action=order.note").get_data(as_text=True)
    assert "Client rappelé" in today
    past = client.get("/backoffice/audit?end=2020-01-01").get_data(as_text=True)
    assert "Aucune entrée" in past
    bad = client.get("/backoffice/audit?start=hier")
    assert bad.status_code == 422 and "Filtre invalide" in bad.get_data(as_text=True)


# --- bell and layout ------------------------------------------------------------------

def bell_counts(html):
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'<h2 class="small">([^<]+?) <span class="count">(\d+)</span>', html)}


def test_bell_counts_new_orders_low_stock_and_marks_seen(app, tenants, staff):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    assert shop.post("/shop/checkout", data=checkout_fields(shop)).status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        db.session.execute(update(StockLevel).where(StockLevel.variant_id == tenants.a["shirt"].variant_ids[0],
                                                    StockLevel.store_id == tenants.a.stores[0].id)
                           .values(low_stock_threshold=20))
        db.session.commit()
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    fragment = client.get("/backoffice/bell", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<details class="bell">')
    counts = bell_counts(fragment)
    assert counts["Nouvelles commandes"] == 1 and counts["Stock bas"] >= 1
    assert counts.get("Paiements à vérifier", 0) == 0
    assert "AG-" in fragment and "AK-CH-M-B" in fragment and "Douala Akwa" in fragment
    # the layout polls it every 30 s, and links to the full page without JavaScript
    layout = client.get("/backoffice/notifications").get_data(as_text=True)
    assert 'hx-trigger="load, every 30s' in layout and 'href="/backoffice/notifications"' in layout
    assert bell_counts(layout)["Nouvelles commandes"] == 1  # the page lists them, then marks them seen
    after = bell_counts(client.get("/backoffice/bell", headers=HX).get_data(as_text=True))
    assert after["Nouvelles commandes"] == 0 and after["Stock bas"] == counts["Stock bas"]
    # support sees orders but not stock; another shop's staff sees nothing of this one
    support, _ = login(app, "akwa", "support@akwa.cm")
    assert set(bell_counts(support.get("/backoffice/bell", headers=HX).get_data(as_text=True))) == {
        "Nouvelles commandes", "Paiements à vérifier"}
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    other_counts = bell_counts(other.get("/backoffice/bell", headers=HX).get_data(as_text=True))
    assert other_counts["Nouvelles commandes"] == 0 and other_counts["Stock bas"] == 0
    # "mark as seen" from the dropdown (htmx) and without JavaScript
    seen = post(support, "/backoffice/notifications/seen", {}, "/backoffice/messages", headers=HX)
    assert bell_counts(seen.get_data(as_text=True))["Nouvelles commandes"] == 0
    assert post(other, "/backoffice/notifications/seen", {}, "/backoffice/messages").status_code == 303


def test_navigation_follows_permissions_and_registered_pages(app, tenants, staff):
    pdg, _ = login(app, "akwa", "pdg@akwa.cm")
    home = pdg.get("/backoffice/")
    first = "/backoffice/dashboard" if "backoffice.dashboard" in app.view_functions else "/backoffice/messages"
    assert home.status_code == 302 and home.location.endswith(first)
    nav = pdg.get("/backoffice/staff").get_data(as_text=True)
    for path in ("/backoffice/settings", "/backoffice/staff", "/backoffice/audit", "/backoffice/messages"):
        assert f'href="{path}"' in nav
    assert '<a href="/backoffice/staff" aria-current="page">' in nav
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    assert viewer.get("/backoffice/").location.endswith(first if "dashboard" in first else "/backoffice/notifications")
    page = viewer.get("/backoffice/notifications").get_data(as_text=True)
    for path in ("/backoffice/settings", "/backoffice/staff", "/backoffice/audit", "/backoffice/messages"):
        assert f'href="{path}"' not in page
