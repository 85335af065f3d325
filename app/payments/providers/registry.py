"""Payment providers by method name; a tenant's settings decide which ones it offers."""
from __future__ import annotations

from app.payments.providers.base import Provider
from app.tenancy.settings import tenant_setting

SETTING_FOR = {"cod": "cod_enabled", "momo": "momo_enabled", "orange_money": "orange_money_enabled",
               "paypal": "paypal_enabled"}


class CashOnDelivery:
    method = "cod"
    online = False


def provider(method: str) -> Provider:
    if method == "momo":
        from app.payments.providers.mtn_momo import MtnMomo
        return MtnMomo()
    if method == "orange_money":
        from app.payments.providers.orange_money import OrangeMoney
        return OrangeMoney()
    if method == "paypal":
        from app.payments.providers.paypal import PayPal
        return PayPal()
    if method == "cod":
        return CashOnDelivery()
    raise KeyError(method)


def enabled_methods(tenant) -> list[str]:
    """The methods the tenant offers, in checkout order."""
    return [m for m, key in SETTING_FOR.items() if tenant_setting(tenant, key)]
