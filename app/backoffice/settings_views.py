"""Settings (PDG only): branding, payment methods and the shop's own provider credentials,
shipping, tax, stores.

One page, one form per section. With htmx a section saves alone and swaps itself; without
JavaScript the form posts, and the answer is a 303 back to the page (or the page again,
422, with the section's errors).
"""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.backoffice import bp, require
from app.core.htmx import is_fragment_request, render, see_other
from app.payments import credentials
from app.payments.forms import CREDENTIAL_FORMS, PaymentsForm, credentials_form
from app.payments.providers.credentials import can_encrypt
from app.payments.providers.registry import PROVIDERS
from app.tenancy import services
from app.tenancy.forms import BrandingForm, ShippingForm, StoreForm, TaxForm
from app.tenancy.settings import SECTIONS, tenant_settings

FORMS = {"payments": PaymentsForm, "shipping": ShippingForm, "tax": TaxForm}
PAGE = "backoffice/settings/edit.html"
FRAGMENTS = {"branding": "backoffice/settings/_branding.html", "payments": "backoffice/settings/_payments.html",
             "shipping": "backoffice/settings/_shipping.html", "tax": "backoffice/settings/_tax.html",
             "stores": "backoffice/settings/_stores.html",
             "credentials": "backoffice/settings/_credentials.html"}  # the page's sections, each saved alone with htmx


def _forms(credentials_submitted: dict | None = None, **submitted) -> dict:
    """Every section's form from the stored values, except the one just submitted."""
    tenant = g.tenant
    forms = {"branding": BrandingForm.of(tenant), "store": StoreForm.of(),
             **{name: form.of(tenant, tenant_settings(tenant, SECTIONS[name])) for name, form in FORMS.items()}}
    forms.update(submitted)
    return {**{f"{name}_form": form for name, form in forms.items()}, **_credentials(credentials_submitted or {})}


def _credentials(submitted: dict) -> dict:
    """One block per provider that takes credentials: its form, and what is stored (hints only)."""
    blocks = [{"provider": PROVIDERS[method], "stored": credentials.status(method),
               "form": submitted.get(method) or credentials_form(method)} for method in CREDENTIAL_FORMS]
    return {"credential_blocks": blocks, "can_encrypt": can_encrypt()}


def _answer(section: str, form, status: int = 200, saved: bool = False):
    """Saved: 303 to the page (no JS) or the section (htmx). Refused: 422 with the errors."""
    if status == 200 and not is_fragment_request():
        return see_other(url_for("backoffice.edit_settings", _anchor=section))
    key = "store" if section == "stores" else section  # the stores section holds the "add a store" form
    return render(PAGE, FRAGMENTS[section], status=status, saved=section if saved else None,
                  stores=services.list_stores(), **_forms(**{key: form}))


def _saved(section: str, form):
    flash(_("Réglages enregistrés."), "success")
    return _answer(section, form, saved=True)


@bp.get("/settings")
@require("settings:write")
def edit_settings():
    return render_template(PAGE, stores=services.list_stores(), saved=None, **_forms())


@bp.post("/settings/branding")
@require("settings:write")
def save_branding():
    form = BrandingForm(prefix="branding")
    if form.validate_on_submit():
        try:
            services.update_branding(current_user, g.tenant, name=form.name.data,
                                     primary_color=form.primary_color.data,
                                     secondary_color=form.secondary_color.data,
                                     logo=form.logo.data.read() if form.logo.data else None,
                                     remove_logo=form.remove_logo.data)
        except services.SettingsError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            return _saved("branding", BrandingForm.of(g.tenant))
    return _answer("branding", form, 422)


@bp.post("/settings/<section>")
@require("settings:write")
def save_settings(section: str):
    if section not in FORMS:
        abort(404)
    form = FORMS[section](prefix=section)
    form.currency = g.tenant.currency  # amounts are typed in the tenant's currency
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, g.tenant, form.values())
        except services.SettingsError as error:
            getattr(form, error.field, form.csrf_token).errors = [error.message]
        else:
            return _saved(section, FORMS[section].of(g.tenant, tenant_settings(g.tenant, SECTIONS[section])))
    return _answer(section, form, 422)


@bp.post("/settings/stores")
@require("settings:write")
def add_store():
    form = StoreForm(prefix="store")
    if form.validate_on_submit():
        try:
            store = services.save_store(current_user, g.tenant, None, **form.values())
        except services.SettingsError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            flash(_("Boutique %(name)s ajoutée.", name=store.name), "success")
            return _answer("stores", StoreForm.of(), saved=True)
    return _answer("stores", form, 422)


@bp.route("/settings/stores/<int:store_id>", methods=["GET", "POST"])
@require("settings:write")
def edit_store(store_id: int):
    try:
        store = services.get_store(store_id)
    except LookupError:
        abort(404)
    if request.method == "GET":
        return render("backoffice/settings/store.html", "backoffice/settings/_store_form.html", store=store,
                      form=StoreForm.of(store), saved=False)
    form, saved = StoreForm(prefix="store"), False
    if form.validate_on_submit():
        try:
            store = services.save_store(current_user, g.tenant, store.id, **form.values())
        except services.SettingsError as error:
            getattr(form, error.field).errors = [error.message]
        else:
            flash(_("Boutique %(name)s enregistrée.", name=store.name), "success")
            if not is_fragment_request():
                return see_other(url_for("backoffice.edit_settings", _anchor="stores"))
            form, saved = StoreForm.of(store), True
    return render("backoffice/settings/store.html", "backoffice/settings/_store_form.html",
                  status=200 if saved else 422, store=store, form=form, saved=saved)


@bp.post("/settings/credentials/<method>")
@require("settings:write")
def save_credentials(method: str):
    if method not in CREDENTIAL_FORMS:
        abort(404)
    form = credentials_form(method, submitted=True)
    if form.validate_on_submit():
        try:
            credentials.save_credentials(current_user, method, {f.name: form[f.name].data
                                                                for f in PROVIDERS[method].credential_fields})
        except credentials.CredentialsError as error:
            for name in error.fields:
                form[name].errors = [*form[name].errors, error.message]
            if not error.fields:
                form.form_errors.append(error.message)
        else:
            flash(_("Identifiants enregistrés (chiffrés)."), "success")
            return _credentials_answer()
    return _credentials_answer(422, {method: form})


@bp.post("/settings/credentials/<int:credential_id>/remove")
@require("settings:write")
def remove_credentials(credential_id: int):
    try:
        credentials.remove_credentials(current_user, credential_id)
    except LookupError:
        abort(404)
    flash(_("Identifiants de la boutique supprimés : les identifiants de la plateforme sont utilisés."), "success")
    return _credentials_answer()


def _credentials_answer(status: int = 200, submitted: dict | None = None):
    if status == 200 and not is_fragment_request():
        return see_other(url_for("backoffice.edit_settings", _anchor="credentials"))
    return render(PAGE, FRAGMENTS["credentials"], status=status,
                  saved="credentials" if status == 200 else None, stores=services.list_stores(),
                  **_forms(submitted))
