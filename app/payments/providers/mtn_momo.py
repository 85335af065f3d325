"""MTN Mobile Money, Collection API (request-to-pay).

POST {base}/collection/token/             Basic api_user:api_key → access_token (cached)
POST {base}/collection/v1_0/requesttopay  X-Reference-Id: our UUID, X-Callback-Url → 202
GET  {base}/collection/v1_0/requesttopay/{reference} → status PENDING | SUCCESSFUL | FAILED

Callbacks are unsigned: a callback only tells us to look; the status endpoint decides.
"""
from __future__ import annotations

from app.payments.providers.base import (
    EXPIRED, FAILED, PENDING, SUCCEEDED, Observed, ProviderRefused, ProviderUnavailable, Rejected, Started, Urls,
    body_key, setting, status_object,
)
from app.payments.providers.http import TokenCache, call

_tokens = TokenCache()
# MoMo reports an expired prompt as a failure with this reason.
_EXPIRED_REASONS = {"EXPIRED", "TRANSACTION_EXPIRED"}


class MtnMomo:
    method = "momo"
    online = True

    def _base(self) -> str:
        return setting("MOMO_BASE_URL").rstrip("/")

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self._token()}",
                "X-Target-Environment": setting("MOMO_TARGET_ENVIRONMENT", "sandbox"),
                "Ocp-Apim-Subscription-Key": setting("MOMO_SUBSCRIPTION_KEY")}

    def _token(self) -> str:
        user, key = setting("MOMO_API_USER"), setting("MOMO_API_KEY")

        def fetch():
            answer = call("POST", f"{self._base()}/collection/token/", auth=(user, key),
                          headers={"Ocp-Apim-Subscription-Key": setting("MOMO_SUBSCRIPTION_KEY")})
            if not answer.ok or not isinstance(answer.body, dict) or "access_token" not in answer.body:
                raise ProviderUnavailable(f"MoMo token refused (HTTP {answer.status})")
            return answer.body["access_token"], answer.body.get("expires_in", 3600)

        return _tokens.get((self._base(), user), fetch)

    def _authorised(self, method: str, url: str, headers: dict | None = None, **kwargs):
        answer = call(method, url, headers={**self._headers(), **(headers or {})}, **kwargs)
        if answer.status == 401:  # token revoked early: fetch a new one once
            _tokens.forget((self._base(), setting("MOMO_API_USER")))
            answer = call(method, url, headers={**self._headers(), **(headers or {})}, **kwargs)
        return answer

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

    def event_key(self, body: bytes, headers: dict, reference: str) -> str:
        # No event id in MoMo callbacks: the same body for the same reference is the same event.
        return body_key(reference, body)

    def callback_reference(self, body: bytes, headers: dict, url_reference: str) -> str:
        return url_reference

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
    observed = Observed(PENDING, amount=int(amount) if str(amount or "").isdigit() else None,
                        currency=str(data.get("currency", "")),
                        provider_reference=str(data.get("financialTransactionId") or ""))
    if status == "SUCCESSFUL":
        observed.status = SUCCEEDED
    elif status == "FAILED":
        observed.status, observed.reason = (EXPIRED if str(reason).upper() in _EXPIRED_REASONS else FAILED), str(reason)
    return observed


def _code(body) -> str:
    return str(body.get("code", "")) if isinstance(body, dict) else ""
