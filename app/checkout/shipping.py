"""Shipping rates, one small rule per method, chosen by the delivery mode."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.tenancy.models import Tenant
from app.tenancy.settings import tenant_setting


@dataclass(frozen=True)
class ShippingQuote:
    code: str
    label: str
    amount: int  # minor units


def _home(tenant: Tenant, subtotal: int) -> ShippingQuote:
    threshold = tenant_setting(tenant, "free_shipping_threshold")
    if threshold and subtotal >= threshold:
        return ShippingQuote("standard", _l("Livraison à domicile (gratuite)"), 0)
    return ShippingQuote("standard", _l("Livraison à domicile"), tenant_setting(tenant, "flat_shipping"))


def _pickup(tenant: Tenant, subtotal: int) -> ShippingQuote:
    return ShippingQuote("pickup", _l("Retrait en boutique (gratuit)"), 0)


RATES = {"home": _home, "pickup": _pickup}


def quote(tenant: Tenant, delivery_method: str, subtotal: int) -> ShippingQuote:
    return RATES[delivery_method](tenant, subtotal)
