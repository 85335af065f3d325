"""Payloads from the core (webhooks and polling share them), checked before any write.

``stock.changed``:   {"sku": variant SKU, "store": store code, "on_hand": absolute int >= 0}
``product.upserted``: {"sku", "name", "brand", "barcode", "base_price" (int, minor units),
                      "cost", "status": draft|active|archived,
                      "variants": [{"sku", "attributes": {str: str}, "price" (int|null),
                                    "barcode", "weight_grams"}]}
Amounts are integers in the tenant currency's minor unit; a float or a bool is refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("draft", "active", "archived")


class SyncRefused(Exception):
    """An inbound payload the shop will not apply; ``status`` is the HTTP answer."""

    status = 422

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason, self.message = reason, message or reason


class Unauthenticated(SyncRefused):
    status = 401


class Malformed(SyncRefused):
    status = 400


class Invalid(SyncRefused):
    status = 422


@dataclass(frozen=True)
class StockData:
    sku: str
    store: str
    on_hand: int


@dataclass(frozen=True)
class VariantPayload:
    sku: str
    attributes: dict[str, str] = field(default_factory=dict)
    price: int | None = None
    barcode: str = ""
    weight_grams: int = 0


@dataclass(frozen=True)
class ProductPayload:
    sku: str
    name: str
    base_price: int
    brand: str = ""
    barcode: str = ""
    cost: int = 0
    status: str = "active"
    variants: tuple[VariantPayload, ...] = ()


def _text(data: dict, key: str, max_length: int, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > max_length or "\x00" in value:
        raise Invalid("invalid_value", f"{key}: text of at most {max_length} characters expected")
    return value.strip()


def _amount(data: dict, key: str, *, required: bool = False, nullable: bool = False) -> int | None:
    value = data.get(key)
    if value is None:
        if required:
            raise Invalid("invalid_value", f"{key}: required")
        return None if nullable else 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2_000_000_000:
        raise Invalid("invalid_value", f"{key}: a non-negative integer (minor units) expected")
    return value


def _object(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise Invalid("invalid_value", f"{what}: a JSON object expected")
    return value


def stock(data: Any) -> StockData:
    data = _object(data, "stock")
    on_hand = _amount(data, "on_hand", required=True)
    return StockData(_text(data, "sku", 64, required=True), _text(data, "store", 20, required=True), on_hand)


def _attributes(value: Any) -> dict[str, str]:
    value = _object(value or {}, "attributes")
    if not all(isinstance(k, str) and isinstance(v, str) and 0 < len(k) <= 40 and len(v) <= 60
               for k, v in value.items()):
        raise Invalid("invalid_value", "attributes: {name: value} text pairs expected")
    return dict(value)


def _variant(data: Any) -> VariantPayload:
    data = _object(data, "variant")
    return VariantPayload(sku=_text(data, "sku", 64, required=True), attributes=_attributes(data.get("attributes")),
                          price=_amount(data, "price", nullable=True), barcode=_text(data, "barcode", 64),
                          weight_grams=_amount(data, "weight_grams"))


def product(data: Any) -> ProductPayload:
    data = _object(data, "product")
    status = data.get("status", "active")
    if status not in STATUSES:
        raise Invalid("invalid_value", f"status: one of {', '.join(STATUSES)}")
    variants = data.get("variants") or []
    if not isinstance(variants, list) or len(variants) > 500:
        raise Invalid("invalid_value", "variants: a list expected")
    parsed = tuple(_variant(v) for v in variants)
    if len({v.sku for v in parsed}) != len(parsed):
        raise Invalid("invalid_value", "variants: duplicate SKU")
    return ProductPayload(sku=_text(data, "sku", 64, required=True), name=_text(data, "name", 200, required=True),
                          base_price=_amount(data, "base_price", required=True), brand=_text(data, "brand", 80),
                          barcode=_text(data, "barcode", 64), cost=_amount(data, "cost"), status=status,
                          variants=parsed)


def envelope(data: Any) -> tuple[str, dict]:
    """A webhook body: {"type": "stock.changed", "data": {...}}."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str) or not isinstance(data.get("data"), dict):
        raise Malformed("malformed", 'a JSON object {"type": ..., "data": {...}} expected')
    return data["type"], data["data"]
