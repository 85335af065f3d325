"""PayPal Orders v2 through ``paypal-server-sdk``.

POST /v1/oauth2/token                             (the SDK: client credentials, token kept per client)
POST /v2/checkout/orders                          intent CAPTURE, PayPal-Request-Id = our reference
GET  /v2/checkout/orders/{id}                     status polling
POST /v2/checkout/orders/{id}/capture             on the shopper's return; paid only if the capture is COMPLETED
POST /v2/payments/captures/{id}/refund            refunds
POST /v1/notifications/verify-webhook-signature   not in the SDK: plain ``requests``

XAF/XOF are not PayPal currencies: the services convert the order total with the tenant's
rate (``convert`` below) and PayPal is asked for ``payment.provider_amount`` in
``payment.provider_currency``. ``Observed.amount``/``currency`` are always PayPal's figures
(provider currency, minor units).
"""
from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from flask_babel import lazy_gettext as _l
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.money import Money as PayPalMoney
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import PaypalWalletExperienceContext
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest

from app.core.money import MoneyError, precision
from app.payments.providers.base import (
    EXPIRED,
    FAILED,
    PENDING,
    REFUNDED,
    SUCCEEDED,
    CredentialField,
    Observed,
    OnlineProvider,
    ProviderRefused,
    ProviderUnavailable,
    Rejected,
    Started,
    Urls,
)
from app.payments.providers.credentials import credentials_for
from app.payments.providers.http import call
from app.payments.providers.paypal_client import ApiException, base_url, bearer, forget, issue, sdk_call

EVENTS = ("PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED", "PAYMENT.CAPTURE.DECLINED",
          "PAYMENT.CAPTURE.REFUNDED")
_WAITING = ("CREATED", "SAVED", "APPROVED", "PAYER_ACTION_REQUIRED")
_SIGNATURE_HEADERS = {"auth_algo": "paypal-auth-algo", "cert_url": "paypal-cert-url",
                      "transmission_id": "paypal-transmission-id", "transmission_sig": "paypal-transmission-sig",
                      "transmission_time": "paypal-transmission-time"}


def convert(amount_minor: int, currency: str, rate: str, to_currency: str) -> tuple[int, str]:
    """Order amount → what PayPal is asked for. ``rate`` is units of ``currency`` per one unit
    of ``to_currency`` ("655.957" XAF per EUR); rounded half-up to ``to_currency``'s minor unit.
    Returns (minor units, the rate as recorded). Raises MoneyError on a bad rate or a result
    too small to charge."""
    if currency == to_currency:
        return amount_minor, "1"
    factor = _rate(rate)
    minor = _apply(amount_minor, currency, factor, to_currency)
    if minor < 1:
        raise MoneyError("amount too small after conversion")
    return minor, format(factor.normalize(), "f")


def _rate(rate: str) -> Decimal:
    try:
        factor = Decimal(str(rate).strip().replace(",", "."))
    except InvalidOperation as exc:
        raise MoneyError("bad exchange rate") from exc
    if not factor.is_finite() or factor <= 0:
        raise MoneyError("bad exchange rate")
    return factor


def _apply(amount_minor: int, currency: str, factor: Decimal, to_currency: str) -> int:
    with localcontext() as ctx:
        ctx.prec = 50  # exact enough for any realistic amount before the one rounding below
        major = Decimal(amount_minor).scaleb(-precision(currency)) / factor
        return int(major.scaleb(precision(to_currency)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class PayPal(OnlineProvider):
    method = "paypal"
    label = _l("PayPal (carte bancaire)")
    short_label = _l("PayPal")
    setting_key = "paypal_enabled"
    window_setting = "PAYPAL_WINDOW_MINUTES"
    callback_path = "paypal"
    callback_has_reference = False  # the PayPal app's one webhook URL
    credential_fields: tuple[CredentialField, ...] = (
        CredentialField("client_id", "PAYPAL_CLIENT_ID", _l("Client ID")),
        CredentialField("client_secret", "PAYPAL_CLIENT_SECRET", _l("Secret")),
        CredentialField("webhook_id", "PAYPAL_WEBHOOK_ID", _l("ID du webhook")),
    )

    # --- protocol ---------------------------------------------------------------------------

    def start(self, payment, urls: Urls, *, msisdn: str = "") -> Started:
        amount, currency = _asked(payment)
        unit = PurchaseUnitRequest(amount=AmountWithBreakdown(currency_code=currency, value=_value(amount, currency)),
                                   custom_id=payment.reference, invoice_id=f"{payment.order.number}-{payment.id}")
        context = PaypalWalletExperienceContext(return_url=urls.return_, cancel_url=urls.cancel,
                                                shipping_preference="NO_SHIPPING", user_action="PAY_NOW")
        body = OrderRequest(intent=CheckoutPaymentIntent.CAPTURE, purchase_units=[unit],
                            payment_source=PaymentSource(paypal=PaypalWallet(experience_context=context)))
        try:
            order = sdk_call(credentials_for(self), "create order", lambda sdk: sdk.orders.create_order(
                {"body": body, "paypal_request_id": payment.reference, "prefer": "return=representation"}))
        except ApiException as exc:
            raise ProviderRefused(issue(exc)) from exc
        link = _link(order, "payer-action") or _link(order, "approve")
        if not order.get("id") or not link:
            raise ProviderRefused("NO_APPROVE_LINK")
        return Started(provider_reference=str(order["id"]), redirect_url=link,
                       data={"paypal_order_id": str(order["id"]), "approve_url": link})

    def capture(self, payment) -> Observed:
        """Called when the shopper comes back from PayPal. Safe to repeat (PayPal-Request-Id)."""
        order_id = _order_id(payment)
        if not order_id:
            return Observed(FAILED, reason="NOT_CREATED")
        try:
            order = sdk_call(credentials_for(self), "capture", lambda sdk: sdk.orders.capture_order(
                {"id": order_id, "paypal_request_id": f"{payment.reference}-capture",
                 "prefer": "return=representation"}))
        except ApiException as exc:
            code = issue(exc)
            if code == "ORDER_ALREADY_CAPTURED":
                return self.fetch_status(payment)
            if code in ("ORDER_NOT_APPROVED", "PAYER_ACTION_REQUIRED"):
                return Observed(PENDING, reason=code)
            if code in ("INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY"):
                return Observed(FAILED, reason=code)
            if exc.response_code == 404:
                return Observed(EXPIRED, reason=code)
            raise ProviderRefused(code) from exc
        return _from_order(order)

    def fetch_status(self, payment) -> Observed:
        order_id = _order_id(payment)
        if not order_id:
            return Observed(FAILED, reason="NOT_CREATED")
        try:
            order = sdk_call(credentials_for(self), "get order", lambda sdk: sdk.orders.get_order({"id": order_id}))
        except ApiException as exc:
            if exc.response_code == 404:  # PayPal drops orders nobody approved after a few hours
                return Observed(EXPIRED, reason=issue(exc))
            raise ProviderUnavailable(f"PayPal get order: HTTP {exc.response_code}") from exc
        return _from_order(order)

    def event_key(self, body: bytes, headers: dict, reference: str) -> str:
        event = _json(body)
        if isinstance(event, dict) and event.get("id"):
            return str(event["id"])[:128]
        return hashlib.sha256(body).hexdigest()

    def callback_reference(self, body: bytes, headers: dict, url_reference: str) -> str:
        """custom_id carries our reference on captures (and on refunds we asked for); a refund
        made from PayPal's dashboard only links to its capture, which is looked up. "" when
        nothing leads to a payment (the caller rejects the event as unknown)."""
        event = _json(body)
        resource = event.get("resource") if isinstance(event, dict) else None
        if not isinstance(resource, dict):
            return url_reference
        if resource.get("custom_id"):
            return str(resource["custom_id"])
        capture_id = _capture_id_from_links(resource)
        order_id = ((resource.get("supplementary_data") or {}).get("related_ids") or {}).get("order_id")
        try:
            creds = credentials_for(self)
            if capture_id:
                capture = sdk_call(creds, "get capture", lambda sdk: sdk.payments.get_captured_payment(
                    {"capture_id": capture_id}))
                if capture.get("custom_id"):
                    return str(capture["custom_id"])
            if order_id:
                order = sdk_call(creds, "get order", lambda sdk: sdk.orders.get_order({"id": order_id}))
                unit = (order.get("purchase_units") or [{}])[0]
                if unit.get("custom_id"):
                    return str(unit["custom_id"])
        except (ApiException, ProviderUnavailable):
            pass
        return url_reference

    def check_callback(self, payment, body: bytes, headers: dict) -> Observed:
        event = _json(body)
        if not isinstance(event, dict) or not isinstance(event.get("resource"), dict) or not event.get("event_type") \
                or not _utf8(body):
            raise Rejected("malformed")
        self._verify(body, headers)
        kind, resource = event["event_type"], event["resource"]
        if kind not in EVENTS:
            raise Rejected("unsupported event type")
        if resource.get("custom_id") and str(resource["custom_id"]) != payment.reference:
            raise Rejected("reference mismatch")
        amount = _minor(resource.get("amount"))
        currency = str((resource.get("amount") or {}).get("currency_code", ""))
        if kind == "PAYMENT.CAPTURE.REFUNDED":
            if currency != _asked(payment)[1] or amount is None or amount > _asked(payment)[0]:
                raise Rejected("amount mismatch")
            return Observed(REFUNDED, amount=amount, currency=currency, provider_reference=str(resource.get("id", "")),
                            data={"refund_id": str(resource.get("id", ""))})
        if (amount, currency) != _asked(payment):
            raise Rejected("amount mismatch")
        capture_id = str(resource.get("id", ""))
        if kind == "PAYMENT.CAPTURE.COMPLETED" and resource.get("status", "COMPLETED") == "COMPLETED":
            return Observed(SUCCEEDED, amount=amount, currency=currency, provider_reference=capture_id,
                            data={"capture_id": capture_id})
        if kind == "PAYMENT.CAPTURE.COMPLETED":  # a COMPLETED event whose capture says otherwise
            return Observed(PENDING, reason=str(resource.get("status", "")), amount=amount, currency=currency)
        reason = str((resource.get("status_details") or {}).get("reason") or kind.rsplit(".", 1)[1])
        return Observed(FAILED, reason=reason, amount=amount, currency=currency, provider_reference=capture_id,
                        data={"capture_id": capture_id})

    def _verify(self, body: bytes, headers: dict) -> None:
        lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        fields = {name: lower.get(header, "") for name, header in _SIGNATURE_HEADERS.items()}
        creds = credentials_for(self)
        webhook_id = creds["webhook_id"]
        if not webhook_id or not all(fields.values()):
            raise Rejected("signature")
        fields["webhook_id"] = webhook_id
        # The event goes back byte for byte: PayPal checks the signature over what it sent, and
        # re-serialising (key order, number formats) can turn a genuine event into a FAILURE.
        payload = json.dumps(fields)[:-1] + ', "webhook_event": ' + body.decode("utf-8") + "}"
        url = f"{base_url()}/v1/notifications/verify-webhook-signature"
        for attempt in (1, 2):
            answer = call("POST", url, data=payload.encode(), headers={
                "Authorization": f"Bearer {bearer(creds)}", "Content-Type": "application/json"})
            if answer.status != 401 or attempt == 2:
                break
            forget(creds)  # token revoked or expired early: a new client fetches a new one
        if answer.status == 401:
            raise ProviderUnavailable("PayPal verify-webhook-signature: token refused")
        if not answer.ok or not isinstance(answer.body, dict) or answer.body.get("verification_status") != "SUCCESS":
            raise Rejected("signature")

    def refund(self, payment, amount: int) -> Observed:
        """``amount`` in order-currency minor units. PayPal is asked for the difference of two
        conversions (everything refunded after this one, minus before), so partial refunds add
        up to exactly the converted total and never exceed what was captured. Call it before
        ``payment.refunded_amount`` is increased."""
        capture_id = (payment.data or {}).get("capture_id") or ""
        if not capture_id:
            raise ProviderRefused("NOT_CAPTURED")
        before = int(getattr(payment, "refunded_amount", 0) or 0)
        currency = _asked(payment)[1]
        provider_amount = _converted(payment, before + amount, currency) - _converted(payment, before, currency)
        if provider_amount < 1:
            raise ProviderRefused("AMOUNT_TOO_SMALL")
        body = RefundRequest(amount=PayPalMoney(currency_code=currency, value=_value(provider_amount, currency)),
                             custom_id=payment.reference)
        # "before" makes two partial refunds of the same amount two requests, while a retry
        # of one refund (nothing recorded yet) reuses its id and is not paid twice.
        request_id = f"{payment.reference}-refund-{before}-{amount}"
        try:
            refund = sdk_call(credentials_for(self), "refund", lambda sdk: sdk.payments.refund_captured_payment(
                {"capture_id": capture_id, "body": body, "paypal_request_id": request_id,
                 "prefer": "return=representation"}))
        except ApiException as exc:
            raise ProviderRefused(issue(exc)) from exc
        status = str(refund.get("status", ""))
        data = {"refund_id": str(refund.get("id", "")), "refunded_amount": amount,
                "refunded_currency": payment.currency}
        mapped = {"COMPLETED": REFUNDED, "PENDING": PENDING}.get(status, FAILED)
        return Observed(mapped, reason="" if mapped != FAILED else status or "UNKNOWN",
                        amount=_minor(refund.get("amount")) or provider_amount, currency=currency,
                        provider_reference=data["refund_id"], data=data)


# --- reading PayPal's answers ---------------------------------------------------------------

def _asked(payment) -> tuple[int, str]:
    """What PayPal was asked for: the converted amount, or the order amount when PayPal takes it."""
    if payment.provider_amount and payment.provider_currency:
        return int(payment.provider_amount), payment.provider_currency
    return int(payment.amount), payment.currency


def _converted(payment, minor: int, currency: str) -> int:
    """``minor`` order-currency units at the payment's recorded rate (no minimum here)."""
    if currency == payment.currency:
        return minor
    try:
        return _apply(minor, payment.currency, _rate(payment.exchange_rate or ""), currency)
    except MoneyError as exc:
        raise ProviderRefused("BAD_EXCHANGE_RATE") from exc


def _value(minor: int, currency: str) -> str:
    return format(Decimal(minor).scaleb(-precision(currency)), "f")


def _minor(amount) -> int | None:
    if not isinstance(amount, dict):
        return None
    try:
        value = Decimal(str(amount.get("value"))).scaleb(precision(str(amount.get("currency_code", ""))))
    except (InvalidOperation, ValueError):
        return None
    return int(value) if value.is_finite() and value == value.to_integral_value() else None


def _json(body: bytes):
    try:
        return json.loads(body)
    except (ValueError, TypeError):
        return None


def _utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _order_id(payment) -> str:
    return str((payment.data or {}).get("paypal_order_id") or payment.provider_reference or "")


def _link(resource: dict, rel: str) -> str:
    return next((str(link.get("href", "")) for link in resource.get("links") or []
                 if isinstance(link, dict) and link.get("rel") == rel), "")


def _capture_id_from_links(resource: dict) -> str:
    href = _link(resource, "up")
    return href.rsplit("/captures/", 1)[1].strip("/") if "/captures/" in href else ""


def _from_order(order: dict) -> Observed:
    """An order (after GET or capture) → our status; only a COMPLETED capture is money."""
    units = order.get("purchase_units") or [{}]
    payments = units[0].get("payments") or {}
    captures = payments.get("captures") or []
    status = str(order.get("status", ""))
    if not captures:
        if status in _WAITING:
            return Observed(PENDING, reason=status)
        if status == "COMPLETED":  # a minimal answer without the capture: the next GET tells
            return Observed(PENDING, reason="CAPTURE_UNKNOWN")
        return Observed(FAILED, reason=status or "UNKNOWN")  # VOIDED
    capture = captures[0]
    capture_id, capture_status = str(capture.get("id", "")), str(capture.get("status", ""))
    amount = _minor(capture.get("amount"))
    currency = str((capture.get("amount") or {}).get("currency_code", ""))
    data: dict[str, object] = {"capture_id": capture_id}
    if capture_status == "COMPLETED":
        return Observed(SUCCEEDED, amount=amount, currency=currency, provider_reference=capture_id, data=data)
    if capture_status in ("REFUNDED", "PARTIALLY_REFUNDED"):
        refunded = sum(_minor(r.get("amount")) or 0 for r in payments.get("refunds") or []
                       if r.get("status") == "COMPLETED")
        data.update(refunded_provider_amount=refunded, refund_status=capture_status)
        return Observed(REFUNDED, reason=capture_status, amount=amount, currency=currency,
                        provider_reference=capture_id, data=data)
    if capture_status == "PENDING":
        reason = str((capture.get("status_details") or {}).get("reason") or "PENDING")
        return Observed(PENDING, reason=reason, amount=amount, currency=currency, provider_reference=capture_id,
                        data=data)
    reason = str((capture.get("status_details") or {}).get("reason") or capture_status or "UNKNOWN")
    return Observed(FAILED, reason=reason, amount=amount, currency=currency, provider_reference=capture_id, data=data)
