"""Per-tenant settings: global defaults from config, overridden by the tenant's row."""
from __future__ import annotations

from typing import Any

from flask import current_app, g

from app.core.db import TenantScopeError, current_tenant_id
from app.extensions import db
from app.tenancy.models import Tenant


def tenant_setting(tenant: Tenant, key: str) -> Any:
    defaults = current_app.config["TENANT_DEFAULTS"]
    if key in defaults:
        default = defaults[key]
    elif key in DECLARED_FLAGS:
        default = DECLARED_FLAGS[key]
    else:
        raise KeyError(f"unknown tenant setting {key!r}")
    return (tenant.settings or {}).get(key, default)


def shop_is_open(tenant: Tenant) -> bool:
    return tenant.status == "active" and bool(tenant_setting(tenant, "ecommerce_enabled"))


def current_tenant() -> Tenant:
    """The tenant of this request, job or CLI block (see ``app.core.db.tenant_context``)."""
    tenant_id = current_tenant_id()
    if tenant_id is None:
        raise TenantScopeError("no current tenant")
    tenant = g.get("tenant")
    if tenant is None or tenant.id != tenant_id:
        tenant = g.tenant = db.session.get(Tenant, tenant_id)
    return tenant


# Keys the back-office settings page edits, by section; each value is checked before it
# is stored, so a wrong type never reaches checkout or shipping code.
SECTIONS = {
    "payments": ("paypal_currency", "paypal_rate"),
    "shipping": ("flat_shipping", "free_shipping_threshold"),
    "tax": ("tax_rate_bp", "prices_include_tax"),
}
# On/off settings that a domain above declares with their defaults (the payment registry:
# one "<method>_enabled" per provider): read, checked and edited like the keys above.
DECLARED_FLAGS: dict[str, bool] = {}
PAYPAL_CURRENCIES = ("EUR", "USD")
MAX_AMOUNT = 10**12


def declare_flags(section: str, flags: dict[str, bool]) -> None:
    """Add on/off settings (key → default) at the head of a settings section."""
    DECLARED_FLAGS.update(flags)
    SECTIONS[section] = tuple(dict.fromkeys((*flags, *SECTIONS[section])))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_setting(key: str, value: Any) -> None:
    """Raise ValueError unless ``value`` is a valid value for setting ``key``."""
    from decimal import Decimal, InvalidOperation

    if key in DECLARED_FLAGS or key == "prices_include_tax":
        ok = isinstance(value, bool)
    elif key == "paypal_currency":
        ok = value in PAYPAL_CURRENCIES
    elif key == "paypal_rate":
        try:
            ok = isinstance(value, str) and Decimal(value).is_finite() and 0 < Decimal(value) < 10**9
        except InvalidOperation:
            ok = False
    elif key in ("flat_shipping", "free_shipping_threshold"):
        ok = _is_int(value) and 0 <= value <= MAX_AMOUNT
    elif key == "tax_rate_bp":
        ok = _is_int(value) and 0 <= value <= 10000
    else:
        raise KeyError(f"setting {key!r} is not editable")
    if not ok:
        raise ValueError(f"bad value for {key}: {value!r}")


def tenant_settings(tenant: Tenant, keys) -> dict[str, Any]:
    return {key: tenant_setting(tenant, key) for key in keys}
