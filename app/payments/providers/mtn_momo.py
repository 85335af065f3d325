"""MTN Mobile Money, Collection API (request-to-pay).

POST {base}/collection/token/             Basic api_user:api_key → access_token (cached)
POST {base}/collection/v1_0/requesttopay  X-Reference-Id: our UUID, X-Callback-Url → 202
GET  {base}/collection/v1_0/requesttopay/{reference} → status PENDING | SUCCESSFUL | FAILED

Callbacks are unsigned: a callback only tells us to look; the status endpoint decides.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.payments.providers.base import (
    EXPIRED,
    FAILED,
    PENDING,
    SUCCEEDED,
    CredentialField,
    Observed,
    OnlineProvider,
    ProviderRefused,
    ProviderUnavailable,
    ReferenceInUrl,
    Rejected,
    Started,
    Urls,
    setting,
    status_object,
)
from app.payments.providers.credentials import Credentials, credentials_for
from app.payments.providers.http import TokenCache, fetch_token

_tokens = TokenCache()
# MoMo reports an expired prompt as a failure with this reason.
_EXPIRED_REASONS = {"EXPIRED", "TRANSACTION_EXPIRED"}


class MtnMomo(ReferenceInUrl, OnlineProvider):
    method = "momo"
    label = _l("MTN Mobile Money")
    short_label = _l("MTN Mobile Money")
    setting_key = "momo_enabled"
    window_setting = "MOMO_WINDOW_MINUTES"
    callback_path = "momo"
    callback_methods = ("PUT", "POST")  # MTN's sandbox calls back with PUT
    credential_fields: tuple[CredentialField, ...] = (
        CredentialField("api_user", "MOMO_API_USER", _l("Utilisateur API (API user)")),
        CredentialField("api_key", "MOMO_API_KEY", _l("Clé API (API key)")),
        CredentialField("subscription_key", "MOMO_SUBSCRIPTION_KEY", _l("Clé d’abonnement Collection")),
        CredentialField("target_environment", "MOMO_TARGET_ENVIRONMENT",
                        _l("Environnement cible (mtncameroon, mtnivorycoast…)")),
    )

    def _base(self) -> str:
        return setting("MOMO_BASE_URL").rstrip("/")

    def _authorised(self, method: str, url: str, headers: dict | None = None, **kwargs):
        creds = credentials_for(self)
        headers = {"X-Target-Environment": creds["target_environment"] or "sandbox",
                   "Ocp-Apim-Subscription-Key": creds["subscription_key"], **(headers or {})}
        return _tokens.call((self._base(), creds.key), lambda: self._fetch_token(creds), method, url,
                            headers=headers, **kwargs)

    def _fetch_token(self, creds: Credentials) -> tuple[str, int]:
        return fetch_token("MoMo", f"{self._base()}/collection/token/", (creds["api_user"], creds["api_key"]),
                           headers={"Ocp-Apim-Subscription-Key": creds["subscription_key"]})

    def start(self, payment, urls: Urls, *, msisdn: str = "") -> Started:
        body = {"amount": str(payment.amount), "currency": payment.currency,
                "externalId": payment.order.number, "payer": {"partyIdType": "MSISDN", "partyId": msisdn},
                "payerMessage": f"Commande {payment.order.number}", "payeeNote": payment.reference}
        answer = self._authorised("POST", f"{self._base()}/collection/v1_0/requesttopay", json=body,
                                  headers={"X-Reference-Id": payment.reference, "X-Callback-Url": urls.callback})
        if answer.status == 409:  # an earlier attempt with this reference landed: it is the same request
            return Started()
        if not answer.ok:
            raise ProviderRefused(_code(answer.body) or f"HTTP_{answer.status}")
        return Started()

    def fetch_status(self, payment) -> Observed:
        answer = self._authorised("GET", f"{self._base()}/collection/v1_0/requesttopay/{payment.reference}")
        if answer.status == 404:
            return Observed(FAILED, reason="NOT_FOUND")  # the request never reached MoMo
        if not answer.ok or not isinstance(answer.body, dict):
            raise ProviderUnavailable(f"MoMo status HTTP {answer.status}")
        return _observed(answer.body)

    def check_callback(self, payment, body: bytes, headers: dict) -> Observed:
        data = status_object(body)
        if "externalId" in data and data["externalId"] != payment.order.number:
            raise Rejected("externalId does not match the payment")
        return _observed(data)

    def refund(self, payment, amount: int) -> Observed:
        raise ProviderRefused("NOT_SUPPORTED", "MoMo Collection cannot refund; use a Disbursement transfer")


def _observed(data: dict) -> Observed:
    status = str(data.get("status", "")).upper()
    reason = data.get("reason") or ""
    if isinstance(reason, dict):  # older API versions: {"code": ..., "message": ...}
        reason = reason.get("code", "")
    amount = data.get("amount")
    observed = Observed(PENDING, amount=int(str(amount)) if str(amount or "").isdigit() else None,
                        currency=str(data.get("currency", "")),
                        provider_reference=str(data.get("financialTransactionId") or ""))
    if status == "SUCCESSFUL":
        observed.status = SUCCEEDED
    elif status == "FAILED":
        observed.status, observed.reason = (EXPIRED if str(reason).upper() in _EXPIRED_REASONS else FAILED), str(reason)
    return observed


def _code(body) -> str:
    return str(body.get("code", "")) if isinstance(body, dict) else ""
