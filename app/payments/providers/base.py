"""What every payment provider offers the rest of the app, and the errors it raises.

A provider is a small class in its own module, registered by method name in
``app.payments.providers.registry``. The class says everything the rest of the app needs
to know about its method (label, tenant setting, payment window, callback URL, the
credentials it uses); its instances speak HTTP to the provider (or its local simulator:
only the base URL differs) and translate answers into ``Observed`` states. A provider
never writes to the database: ``app.payments.services`` owns every write.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app, url_for
from flask_babel import LazyString

PENDING, SUCCEEDED, FAILED, EXPIRED, REFUNDED = "pending", "succeeded", "failed", "expired", "refunded"


class ProviderUnavailable(Exception):
    """Timeout, connection refused, 5xx: nothing is known; try again later (never a failure)."""


class ProviderRefused(Exception):
    """The provider said no to the request itself (invalid number, unsupported currency…)."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


class Rejected(Exception):
    """A callback we will not act on (forged, malformed, not matching the payment)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class Urls:
    """Where the provider sends the shopper and its notifications for this payment."""
    callback: str  # server-to-server notification URL (carries our reference)
    return_: str = ""  # shopper's browser after paying
    cancel: str = ""  # shopper's browser after giving up


@dataclass
class Started:
    provider_reference: str = ""
    redirect_url: str = ""  # where the shopper goes next (Orange pay page, PayPal approval)
    data: dict = field(default_factory=dict)  # kept on Payment.data


@dataclass
class Observed:
    """The provider's word on a payment right now."""
    status: str  # PENDING | SUCCEEDED | FAILED | EXPIRED | REFUNDED
    reason: str = ""  # provider's code for a failure (APPROVAL_REJECTED…)
    amount: int | None = None  # minor units in ``currency`` as the provider reports it
    currency: str = ""
    provider_reference: str = ""  # transaction id
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CredentialField:
    """One value of a provider contract. A tenant may hold its own (back-office settings);
    otherwise the platform's setting ``config`` is used."""
    name: str
    config: str  # MOMO_API_KEY…
    label: LazyString


class Method(Protocol):
    """What the registry knows of every method's class, online or not."""
    method: str  # stored on payments, orders and provider events
    label: LazyString  # what shoppers and staff read (French source, English translation)
    short_label: LazyString  # the dashboard's tables
    setting_key: str  # the tenant setting that offers the method at checkout ("momo_enabled")
    enabled_by_default: bool
    online: bool  # False for cash on delivery: nothing to call
    window_setting: str  # config key: minutes before an unanswered attempt expires ("" offline)
    credential_fields: tuple[CredentialField, ...]


class Provider(Method, Protocol):
    """An online method: the calls it makes to its provider."""

    def start(self, payment, urls: Urls, *, msisdn: str = "") -> Started: ...

    def fetch_status(self, payment) -> Observed: ...

    def event_key(self, body: bytes, headers: dict, reference: str) -> str:
        """The inbox's deduplication key for a received callback."""

    def callback_reference(self, body: bytes, headers: dict, url_reference: str) -> str:
        """Our payment reference for a callback (from its URL, or from its body)."""

    def check_callback(self, payment, body: bytes, headers: dict) -> Observed:
        """Verify a callback for ``payment``; raise Rejected, or return what it claims."""

    def refund(self, payment, amount: int) -> Observed: ...


class OnlineProvider:
    """What the online providers share: their callbacks arrive at
    ``/callbacks/<tenant id>/<callback_path>[/<reference>]`` (endpoint
    ``callbacks.receive_<callback_path>``, registered from the registry)."""

    method: str
    credential_fields: tuple[CredentialField, ...] = ()
    online = True
    enabled_by_default = False
    callback_path = ""
    callback_methods: tuple[str, ...] = ("POST",)
    callback_has_reference = True  # False: one URL for every payment (PayPal's webhook)

    @classmethod
    def callback_endpoint(cls) -> str:
        return f"receive_{cls.callback_path}"

    @classmethod
    def callback_rule(cls) -> str:
        return f"/{cls.callback_path}/<reference>" if cls.callback_has_reference else f"/{cls.callback_path}"

    def callback_url(self, payment, base: str) -> str:
        """Where the provider notifies us about ``payment``; ``base`` is the public root."""
        values = {"reference": payment.reference} if self.callback_has_reference else {}
        return base + url_for(f"callbacks.{self.callback_endpoint()}", tenant_id=payment.tenant_id, **values)


class ReferenceInUrl:
    """Callbacks that name their payment in the URL and carry no event id (MoMo, Orange):
    the same body for the same payment is the same event."""

    def event_key(self, body: bytes, headers: dict, reference: str) -> str:
        return hashlib.sha256(reference.encode() + b"|" + body).hexdigest()

    def callback_reference(self, body: bytes, headers: dict, url_reference: str) -> str:
        return url_reference


def status_object(body: bytes) -> dict:
    """A callback body that is a JSON object with a "status", or Rejected."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Rejected("malformed body") from exc
    if not isinstance(data, dict) or "status" not in data:
        raise Rejected("malformed body")
    return data


def setting(name: str, default: str = "") -> str:
    return str(current_app.config.get(name) or default)
