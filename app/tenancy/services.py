"""Tenant and store writes: platform level (CLI, seed) and the PDG's settings page."""
from __future__ import annotations

import hashlib
import re

from flask_babel import gettext as _
from sqlalchemy import select

from app.audit import audit
from app.core.db import tenant_context
from app.core.media import ImageTooLarge, MediaError, open_image, tenant_media_dir
from app.extensions import db
from app.tenancy.models import Domain, Store, Tenant
from app.tenancy.settings import check_setting, tenant_settings

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TenancyError(ValueError):
    pass


def create_tenant(slug: str, name: str, *, country: str = "CM", currency: str = "XAF", locale: str = "fr",
                  timezone: str = "Africa/Douala", domains: list[str] | tuple[str, ...] = (), **fields) -> Tenant:
    if not SLUG.match(slug):
        raise TenancyError("slug: lowercase letters, digits and dashes")
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise TenancyError(f"tenant {slug} exists")
    tenant = Tenant(slug=slug, name=name, country=country, currency=currency, locale=locale, timezone=timezone,
                    settings={}, **fields)
    tenant.domains = [Domain(host=host.lower(), is_primary=i == 0) for i, host in enumerate(domains)]
    db.session.add(tenant)
    db.session.flush()
    return tenant


def add_store(tenant: Tenant, *, name: str, code: str, city: str, latitude: float, longitude: float,
              **fields) -> Store:
    with tenant_context(tenant.id):
        store = Store(tenant_id=tenant.id, name=name, code=code, city=city, latitude=latitude,
                      longitude=longitude, **fields)
        db.session.add(store)
        db.session.flush()
    return store


# --- Back-office writes (PDG): branding, settings, stores. Each audits and commits. ---

COLOR = re.compile(r"^#[0-9a-f]{6}$")
MAX_LOGO_BYTES = 1024 * 1024
LOGO_BOX = (600, 200)  # the header shows it 40 px high: room for 2x screens and wide logos
STORE_FIELDS = ("name", "code", "city", "address", "latitude", "longitude", "opening_hours", "is_pickup_point",
                "is_ecommerce_warehouse", "active")


class SettingsError(TenancyError):
    """A refused value, with the form field it concerns."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _store_logo(tenant_id: int, data: bytes) -> str:
    """Sniff (Pillow, not the file name), shrink and re-encode: what is served is always a
    clean WebP we wrote, under the tenant's own media folder."""
    if len(data) > MAX_LOGO_BYTES:
        raise SettingsError("logo", _("Le logo dépasse 1 Mo."))
    try:
        image = open_image(data, 25_000_000)
    except ImageTooLarge as exc:
        raise SettingsError("logo", _("Image trop grande.")) from exc
    except MediaError as exc:
        raise SettingsError("logo", _("Le logo doit être une image PNG, JPEG ou WebP.")) from exc
    image = image.convert("RGBA")  # keeps transparency: logos sit on the coloured header
    image.thumbnail(LOGO_BOX)
    relative = f"branding/logo-{hashlib.sha256(data).hexdigest()[:24]}.webp"
    target = tenant_media_dir(tenant_id) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        image.save(target, "WEBP", quality=90)
    return relative


def update_branding(actor, tenant: Tenant, *, name: str, primary_color: str, secondary_color: str,
                    logo: bytes | None = None, remove_logo: bool = False) -> Tenant:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise SettingsError("name", _("Entre 1 et 120 caractères."))
    for field, color in (("primary_color", primary_color), ("secondary_color", secondary_color)):
        if not COLOR.match((color or "").lower()):
            raise SettingsError(field, _("Couleur au format #rrggbb."))
    before = {"name": tenant.name, "primary_color": tenant.primary_color,
              "secondary_color": tenant.secondary_color, "logo_path": tenant.logo_path}
    logo_path = _store_logo(tenant.id, logo) if logo else (None if remove_logo else tenant.logo_path)
    tenant.name, tenant.logo_path = name, logo_path
    tenant.primary_color, tenant.secondary_color = primary_color.lower(), secondary_color.lower()
    after = {"name": tenant.name, "primary_color": tenant.primary_color,
             "secondary_color": tenant.secondary_color, "logo_path": tenant.logo_path}
    if after != before:
        audit(actor, "settings.branding", "tenant", tenant.id, before=before, after=after)
    db.session.commit()
    return tenant


def update_settings(actor, tenant: Tenant, values: dict) -> dict:
    """Store per-tenant overrides (validated); returns the keys that changed."""
    for key, value in values.items():
        try:
            check_setting(key, value)
        except ValueError as exc:
            raise SettingsError(key, _("Valeur invalide.")) from exc
    current = tenant_settings(tenant, values)
    changed = {k: v for k, v in values.items() if current[k] != v}
    if changed:
        # A new dict: the JSON column only notices reassignment.
        tenant.settings = {**(tenant.settings or {}), **changed}
        audit(actor, "settings.update", "tenant", tenant.id, before={k: current[k] for k in changed}, after=changed)
    db.session.commit()
    return changed


def list_stores() -> list[Store]:
    return list(db.session.scalars(select(Store).order_by(Store.position, Store.id)))


def get_store(store_id: int) -> Store:
    store = db.session.get(Store, store_id)  # scoped: another tenant's store is None
    if store is None:
        raise LookupError("store")
    return store


def _store_state(store: Store) -> dict:
    return {f: getattr(store, f) for f in STORE_FIELDS}


def save_store(actor, tenant: Tenant, store_id: int | None, **data) -> Store:
    """Add a store (``store_id`` None) or change one. Coordinates are checked here too:
    delivery allocation measures distances from them."""
    from sqlalchemy import func

    unknown = set(data) - set(STORE_FIELDS)
    if unknown:
        raise TypeError(f"unknown store fields {unknown}")
    if not -90 <= data["latitude"] <= 90:
        raise SettingsError("latitude", _("Entre -90 et 90."))
    if not -180 <= data["longitude"] <= 180:
        raise SettingsError("longitude", _("Entre -180 et 180."))
    clash = select(Store.id).where(Store.code == data["code"])
    if store_id is not None:
        clash = clash.where(Store.id != store_id)
    if db.session.scalar(clash) is not None:
        raise SettingsError("code", _("Une autre boutique a déjà ce code."))
    if store_id is None:
        position = (db.session.scalar(select(func.max(Store.position))) or 0) + 1
        store = add_store(tenant, position=position, **data)
        audit(actor, "store.create", "store", store.id, after=_store_state(store))
    else:
        store = get_store(store_id)
        before = _store_state(store)
        for key, value in data.items():
            setattr(store, key, value)
        if _store_state(store) != before:
            audit(actor, "store.update", "store", store.id, before=before, after=_store_state(store))
    db.session.commit()
    return store
