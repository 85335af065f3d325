"""The cart write path and the priced view of a cart.

A guest's cart is a server-side row found through a signed cookie holding its random
token (see ``app.shop.cart_views``); prices are always recomputed from the catalog, never
trusted from the cart.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cart.models import Cart, CartLine
from app.catalog.models import Product, Variant
from app.catalog.services import effective_price
from app.core.db import utcnow
from app.extensions import db
from app.inventory.services import available_total

MAX_LINE_QUANTITY = 99


class CartError(ValueError):
    pass


@dataclass
class PricedLine:
    line: CartLine
    product: Product
    variant: Variant
    unit_price: int
    quantity: int
    available: int

    @property
    def total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def short(self) -> bool:
        return self.quantity > self.available


@dataclass
class PricedCart:
    cart: Cart | None
    lines: list[PricedLine]
    currency: str

    @property
    def subtotal(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_shortage(self) -> bool:
        return any(line.short for line in self.lines)


def find_cart(token: str | None) -> Cart | None:
    if not token:
        return None
    return db.session.scalar(
        select(Cart).where(Cart.token == token, Cart.status == "active")
        .options(selectinload(Cart.lines).selectinload(CartLine.variant).selectinload(Variant.product)
                 .selectinload(Product.images))
    )


def _sellable_variant(variant_id: int) -> Variant:
    variant = db.session.scalar(select(Variant).where(Variant.id == variant_id).options(selectinload(Variant.product)))
    if variant is None or not variant.active or not variant.product.listed:
        raise CartError(_l("Ce produit n’est plus disponible."))
    return variant


def _check_stock(variant: Variant, wanted: int) -> None:
    available = available_total([variant.id]).get(variant.id, 0)
    if wanted > available:
        if available <= 0:
            raise CartError(_l("Ce produit est en rupture de stock."))
        raise CartError(lazy_ngettext("Il ne reste que %(num)s exemplaire disponible.",
                                       "Il ne reste que %(num)s exemplaires disponibles.", available))


def _check_quantity(quantity: int) -> None:
    if quantity < 1:
        raise CartError(_l("La quantité doit être au moins 1."))
    if quantity > MAX_LINE_QUANTITY:
        raise CartError(_l("La quantité ne peut pas dépasser %(n)s.", n=MAX_LINE_QUANTITY))


def add_line(cart: Cart | None, variant_id: int, quantity: int) -> Cart:
    """Add units of a variant (stock checked now); creates the cart when needed."""
    _check_quantity(quantity)
    variant = _sellable_variant(variant_id)
    line = next((ln for ln in cart.lines if ln.variant_id == variant.id), None) if cart else None
    new_quantity = quantity + (line.quantity if line else 0)
    _check_quantity(new_quantity)
    _check_stock(variant, new_quantity)
    if cart is None:
        cart = Cart(token=secrets.token_urlsafe(32))
        db.session.add(cart)
    if line is None:
        cart.lines.append(CartLine(variant_id=variant.id, quantity=new_quantity))
    else:
        line.quantity = new_quantity
    cart.updated_at = utcnow()
    db.session.commit()
    return cart


def _line(cart: Cart, line_id: int) -> CartLine:
    line = next((ln for ln in cart.lines if ln.id == line_id), None)
    if line is None:
        raise CartError(_l("Cette ligne n’est plus dans votre panier."))
    return line


def set_quantity(cart: Cart, line_id: int, quantity: int) -> None:
    _check_quantity(quantity)
    line = _line(cart, line_id)
    _check_stock(_sellable_variant(line.variant_id), quantity)
    line.quantity = quantity
    cart.updated_at = utcnow()
    db.session.commit()


def remove_line(cart: Cart, line_id: int) -> None:
    cart.lines.remove(_line(cart, line_id))
    cart.updated_at = utcnow()
    db.session.commit()


def price_cart(cart: Cart | None, currency: str) -> PricedCart:
    """Current prices and availability of every line (lines no longer sold drop out)."""
    if cart is None or not cart.lines:
        return PricedCart(cart, [], currency)
    lines = [ln for ln in cart.lines if ln.variant.active and ln.variant.product.listed]
    stock = available_total([ln.variant_id for ln in lines])
    priced = [
        PricedLine(ln, ln.variant.product, ln.variant, effective_price(ln.variant.product, ln.variant), ln.quantity,
                   stock.get(ln.variant_id, 0))
        for ln in lines
    ]
    return PricedCart(cart, priced, currency)


def remember_contact(cart: Cart, *, email: str, phone: str, locale: str) -> None:
    """Checkout learned how to reach the shopper: an abandoned cart can be recovered."""
    changed = (email and email != cart.email) or (phone and phone != cart.phone) or locale != cart.locale
    if not changed:
        return
    cart.email, cart.phone, cart.locale = email or cart.email, phone or cart.phone, locale
    db.session.commit()


def _recovery_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="cart-recovery")


def recovery_token(cart: Cart) -> str:
    return _recovery_serializer().dumps([cart.tenant_id, cart.id, cart.token])


def recover(token: str, max_age_days: int) -> Cart | None:
    """The active cart a reminder link points to, in this tenant; None if the link is
    expired, tampered with, or the cart was bought or emptied since."""
    try:
        tenant_id, cart_id, cart_token = _recovery_serializer().loads(token, max_age=max_age_days * 86400)
    except (BadSignature, ValueError, TypeError):
        return None
    cart = find_cart(cart_token) if isinstance(cart_token, str) else None
    if cart is None or cart.id != cart_id or cart.tenant_id != tenant_id or not cart.lines:
        return None
    return cart
