"""The payment methods: one mapping from method name to provider class, and the lookups
everything else uses (labels, checkout choices, settings flags, callback routes).

Adding a provider: its module in this package (a class with the attributes of
``base.Method``; an online one extends ``base.OnlineProvider`` and makes the calls of
``base.Provider``) and its line in ``PROVIDERS`` below (with the module's name on the
import line).
"""
from __future__ import annotations

from typing import cast

from app.payments.providers import cod, mtn_momo, orange_money, paypal
from app.payments.providers.base import Method, OnlineProvider, Provider
from app.tenancy.settings import declare_flags, tenant_setting

# In checkout order.
PROVIDERS: dict[str, type[Method]] = {cls.method: cls for cls in (
    cod.CashOnDelivery,
    mtn_momo.MtnMomo,
    orange_money.OrangeMoney,
    paypal.PayPal,
)}
METHODS = tuple(PROVIDERS)

# Each provider's "<method>_enabled" flag is a tenant setting of the payments section.
declare_flags("payments", {cls.setting_key: cls.enabled_by_default for cls in PROVIDERS.values()})


def provider(method: str) -> Provider:
    """An instance to call; only online methods' are asked anything but their attributes."""
    return cast(Provider, PROVIDERS[method]())


def online() -> list[type[OnlineProvider]]:
    return [cls for cls in PROVIDERS.values() if issubclass(cls, OnlineProvider)]


def label(method: str) -> str:
    """What shoppers and staff read for a method (the stored name if it is not registered)."""
    return PROVIDERS[method].label if method in PROVIDERS else method


def labels() -> dict[str, str]:
    return {method: cls.label for method, cls in PROVIDERS.items()}


def short_labels() -> dict[str, str]:
    return {method: cls.short_label for method, cls in PROVIDERS.items()}


def enabled_methods(tenant) -> list[str]:
    """The methods the tenant offers, in checkout order."""
    return [method for method, cls in PROVIDERS.items() if tenant_setting(tenant, cls.setting_key)]
