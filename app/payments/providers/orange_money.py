"""Orange Money Web Payment.

POST {base}/oauth/v3/token                        Basic client_id:secret → access_token (cached)
POST {base}{webpay}/webpayment                    → pay_token, payment_url, notif_token
POST {base}{webpay}/transactionstatus             order_id + amount + pay_token → status

The shopper pays on Orange's page; Orange then POSTs {"status", "notif_token", "txnid"} to
the payment's notif_url. Only a notification carrying the notif_token Orange gave us at
creation is accepted, and the status endpoint is asked before anything moves.
"""
from __future__ import annotations

import hmac

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
_STATUSES = {"SUCCESS": SUCCEEDED, "FAILED": FAILED, "EXPIRED": EXPIRED, "INITIATED": PENDING, "PENDING": PENDING}


class OrangeMoney(ReferenceInUrl, OnlineProvider):
    method = "orange_money"
    label = _l("Orange Money")
    short_label = _l("Orange Money")
    setting_key = "orange_money_enabled"
    window_setting = "ORANGE_WINDOW_MINUTES"
    callback_path = "orange"
    credential_fields: tuple[CredentialField, ...] = (
        CredentialField("client_id", "ORANGE_CLIENT_ID", _l("Client ID")),
        CredentialField("client_secret", "ORANGE_CLIENT_SECRET", _l("Client secret")),
        CredentialField("merchant_key", "ORANGE_MERCHANT_KEY", _l("Clé marchand (merchant key)")),
    )

    def _base(self) -> str:
        return setting("ORANGE_BASE_URL").rstrip("/")

    def _webpay(self) -> str:
        return self._base() + "/" + setting("ORANGE_WEBPAY_PATH", "/orange-money-webpay/dev/v1").strip("/")

    def _fetch_token(self, creds: Credentials) -> tuple[str, int]:
        return fetch_token("Orange", f"{self._base()}/oauth/v3/token", (creds["client_id"], creds["client_secret"]),
                           data={"grant_type": "client_credentials"}, headers={"Accept": "application/json"})

    def _post(self, path: str, body: dict, creds: Credentials):
        return _tokens.call((self._base(), creds.key), lambda: self._fetch_token(creds), "POST",
                            f"{self._webpay()}/{path}", json=body, headers={"Accept": "application/json"})

    def start(self, payment, urls: Urls, *, msisdn: str = "") -> Started:
        creds = credentials_for(self)
        body = {"merchant_key": creds["merchant_key"],
                "currency": setting("ORANGE_CURRENCY") or payment.currency, "order_id": payment.reference,
                "amount": payment.amount, "return_url": urls.return_, "cancel_url": urls.cancel,
                "notif_url": urls.callback, "lang": payment.order.locale[:2] or "fr",
                "reference": payment.order.number}
        answer = self._post("webpayment", body, creds)
        data = answer.body if isinstance(answer.body, dict) else {}
        if not answer.ok or not data.get("payment_url") or not data.get("notif_token"):
            raise ProviderRefused(str(data.get("code") or data.get("message") or f"HTTP_{answer.status}"))
        return Started(provider_reference=str(data.get("pay_token", "")), redirect_url=data["payment_url"],
                       data={"pay_token": data.get("pay_token", ""), "notif_token": data["notif_token"],
                             "payment_url": data["payment_url"]})

    def fetch_status(self, payment) -> Observed:
        if not payment.data.get("pay_token"):
            return Observed(FAILED, reason="NOT_CREATED")
        answer = self._post("transactionstatus", {"order_id": payment.reference, "amount": payment.amount,
                                                  "pay_token": payment.data["pay_token"]}, credentials_for(self))
        if not answer.ok or not isinstance(answer.body, dict):
            raise ProviderUnavailable(f"Orange status HTTP {answer.status}")
        return _observed(answer.body)

    def check_callback(self, payment, body: bytes, headers: dict) -> Observed:
        data = status_object(body)
        expected = str(payment.data.get("notif_token", ""))
        if not expected or not hmac.compare_digest(str(data.get("notif_token", "")), expected):
            raise Rejected("wrong notif_token")
        return _observed(data)

    def refund(self, payment, amount: int) -> Observed:
        raise ProviderRefused("NOT_SUPPORTED", "Orange Money Web Payment has no refund call")


def _observed(data: dict) -> Observed:
    status = str(data.get("status", "")).upper()
    observed = Observed(_STATUSES.get(status, PENDING), provider_reference=str(data.get("txnid") or ""))
    if observed.status in (FAILED, EXPIRED):
        observed.reason = status
    return observed
