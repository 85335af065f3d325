"""Placing an order: one transaction, idempotent on the checkout's key.

Re-price the cart, plan which store serves it, create the order with its number and
history, reserve the stock with conditional updates, convert the cart, commit. A stale
stock snapshot or a racing insert rolls everything back and the attempt is retried; a
double submit with the same key returns the order the first one created.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cart.models import Cart
from app.cart.services import price_cart
from app.catalog.services import record_sales
from app.checkout.shipping import quote
from app.core.db import utcnow
from app.core.money import Money
from app.customers.services import upsert_customer
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.allocation import StoreRef, Unavailable, allocate
from app.inventory.messages import alert_low_stock
from app.orders.messages import alert_new_order, notify_order
from app.orders.models import Order, OrderLine
from app.orders.services import next_number, record_change
from app.payments.providers.registry import enabled_methods
from app.tenancy.geo import city_coordinates
from app.tenancy.models import Tenant
from app.tenancy.settings import tenant_setting

ATTEMPTS = 3


class CheckoutError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


@dataclass
class CheckoutData:
    email: str
    phone: str  # E.164 or ""
    first_name: str
    last_name: str
    delivery_method: str  # home | pickup
    city: str
    quarter: str
    address: str
    landmark: str
    pickup_store_id: int | None
    payment_method: str
    note: str
    idempotency_key: str
    locale: str = "fr"


def payment_methods(tenant: Tenant) -> list[str]:
    """Methods this tenant offers at checkout, from its settings."""
    return enabled_methods(tenant)


def existing_order(key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.idempotency_key == key))


def place_order(tenant: Tenant, cart_id: int, data: CheckoutData) -> Order:
    if data.payment_method not in payment_methods(tenant):
        raise CheckoutError(_l("Ce moyen de paiement n’est pas proposé."), "payment_method")
    for attempt in range(ATTEMPTS):
        found = existing_order(data.idempotency_key)
        if found is not None:
            return found
        try:
            return _place(tenant, cart_id, data)
        except (inventory.OutOfStock, IntegrityError):
            # Someone took the stock (or the key, or the first order number) meanwhile.
            db.session.rollback()
            if attempt == ATTEMPTS - 1:
                found = existing_order(data.idempotency_key)
                if found is not None:
                    return found
                raise CheckoutError(_l("Le stock a changé pendant votre commande. Vérifiez votre panier.")) from None
        except Exception:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _place(tenant: Tenant, cart_id: int, data: CheckoutData) -> Order:
    cart = db.session.get(Cart, cart_id)
    if cart is None or cart.status != "active":
        raise CheckoutError(_l("Votre panier est vide."))
    priced = price_cart(cart, tenant.currency)
    if not priced.lines:
        raise CheckoutError(_l("Votre panier est vide."))
    wanted = {line.variant.id: line.quantity for line in priced.lines}
    picks = _plan(tenant, data, wanted)

    shipping = quote(tenant, data.delivery_method, priced.subtotal)
    tax, tax_included = _tax(tenant, priced.subtotal)
    customer = upsert_customer(email=data.email, phone=data.phone, first_name=data.first_name,
                               last_name=data.last_name)
    order = Order(
        number=next_number(), idempotency_key=data.idempotency_key, payment_method=data.payment_method,
        currency=tenant.currency, subtotal=priced.subtotal, shipping_total=shipping.amount,
        total=priced.subtotal + shipping.amount + (0 if tax_included else tax), tax_total=tax,
        locale=data.locale, customer_id=customer.id, email=data.email.lower(), phone=data.phone,
        first_name=data.first_name, last_name=data.last_name, delivery_method=data.delivery_method,
        shipping_method=shipping.code, city=data.city if data.delivery_method == "home" else "",
        quarter=data.quarter, address=data.address, landmark=data.landmark, note=data.note,
        pickup_store_id=data.pickup_store_id if data.delivery_method == "pickup" else None,
        fulfilment_store_id=picks.store_id,
    )
    for line in priced.lines:
        label = " / ".join(line.variant.attributes.values())
        order.lines.append(OrderLine(product_id=line.product.id, variant_id=line.variant.id, sku=line.variant.sku,
                                     name=line.product.name, variant_label=label, unit_price=line.unit_price,
                                     quantity=line.quantity, line_total=line.total))
    record_change(order, "status", None, "received", actor="shop")
    db.session.add(order)
    db.session.flush()
    notify_order(order, "received")
    alert_new_order(order)

    # Cash on delivery holds the stock until delivery; an online payment only while it runs.
    hold = (timedelta(hours=tenant_setting(tenant, "cod_reservation_hours")) if data.payment_method == "cod"
            else timedelta(minutes=tenant_setting(tenant, "payment_reservation_minutes")))
    expires = utcnow() + hold
    for variant_id, store_id, quantity in picks.picks:  # sorted: a stable lock order
        inventory.reserve(variant_id, store_id, quantity, order_id=order.id, expires_at=expires, actor="shop")
    for variant_id, store_id, available in inventory.low_levels([(v, s) for v, s, _ in picks.picks]):
        alert_low_stock(variant_id, store_id, available)
    record_sales(_units_by_product(priced.lines))
    cart.status = "converted"
    db.session.commit()
    return order


def _plan(tenant: Tenant, data: CheckoutData, wanted: dict[int, int]):
    stores = inventory.eligible_stores(tenant)
    if data.delivery_method == "pickup":
        stores = [s for s in stores if s.id == data.pickup_store_id]
        if not stores:
            raise CheckoutError(_l("Cette boutique ne peut pas servir votre commande."), "pickup_store")
    refs = [StoreRef(s.id, s.latitude, s.longitude, s.position) for s in stores]
    stock = inventory.available_by_store(wanted, [s.id for s in stores])
    origin = city_coordinates(tenant.country, data.city) if data.delivery_method == "home" else None
    try:
        return allocate(wanted, refs, stock, origin, allow_split=data.delivery_method == "home")
    except Unavailable as exc:
        if data.delivery_method == "pickup":
            raise CheckoutError(_l("Cette boutique n’a pas tout votre panier en stock. Choisissez-en une autre "
                                   "ou la livraison à domicile."), "pickup_store") from exc
        raise CheckoutError(_l("Un article de votre panier n’est plus disponible en quantité suffisante.")) from exc


def _units_by_product(lines) -> dict[int, int]:
    units: dict[int, int] = {}
    for line in lines:
        units[line.product.id] = units.get(line.product.id, 0) + line.quantity
    return units


def _tax(tenant: Tenant, subtotal: int) -> tuple[int, bool]:
    """(tax amount, whether prices already include it)."""
    included = bool(tenant_setting(tenant, "prices_include_tax"))
    tax = tax_on(Money(subtotal, tenant.currency), tenant_setting(tenant, "tax_rate_bp"), included=included)
    return tax.amount, included


def tax_on(subtotal: Money, rate_bp: int, *, included: bool) -> Money:
    """The tax in ``subtotal`` (``included``: prices are TTC) or on top of it, at ``rate_bp``
    basis points (1925 = 19.25 %). Rounded down to the currency's minor unit (1 FCFA, 1
    cent): integer division never invents money, and Money refuses a float."""
    if not rate_bp:
        return Money(0, subtotal.currency)
    divisor = 10_000 + rate_bp if included else 10_000
    return Money(subtotal.amount * rate_bp // divisor, subtotal.currency)
