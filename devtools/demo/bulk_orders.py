"""``flask seed-orders``: a year of realistic orders for one tenant, fast (benchmarks, demos).

Orders, their lines, their status history (received → prepared → shipped → delivered,
cancellations, returns, payment changes), customers with an address, and one payment
attempt per online order, all written with Core ``executemany`` inserts in batches: 100 000
orders take a minute or two on SQLite.

Core inserts bypass the ORM hooks, so every row carries its ``tenant_id`` here. Stock is
left as it is for historical orders (no sale movements: the ledger still sums to
``on_hand``); only the most recent orders still ``received`` reserve their stock, through
the inventory service, so the reservations page has real rows. Everything is drawn from a
``random.Random`` seeded with the tenant's slug: the same command gives the same orders.
"""
from __future__ import annotations

import random
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, insert, select, text, update

from app.catalog.models import Product, Variant
from app.core.db import tenant_context, utcnow
from app.customers.models import Address, Customer
from app.extensions import db
from app.inventory import services as inventory
from app.orders.models import Counter, Order, OrderLine, OrderStatusChange
from app.payments.models import Payment
from app.tenancy.models import Store, Tenant

BATCH = 5000
CATALOG_SAMPLE = 4000  # distinct variants ever ordered: a long tail, a few best sellers
ACTOR = "seed-orders"
FIRST = ("Awa", "Jean-Paul", "Aminata", "Serge", "Mariam", "Hervé", "Fatou", "Boris", "Clarisse", "Ibrahim",
         "Nadège", "Moussa", "Estelle", "Cédric", "Aïcha", "Yannick", "Grâce", "Koffi", "Sandrine", "Ousmane")
LAST = ("Ngassa", "Koné", "Mbarga", "Traoré", "Fotso", "Ouattara", "Etoa", "Diallo", "Tchoumi", "Bamba",
        "Nkoulou", "Coulibaly", "Kamga", "Yao", "Atangana", "Konaté", "Essomba", "Kouassi", "Nana", "Touré")
QUARTERS = ("Centre", "Bonapriso", "Bastos", "Cocody", "Marcory", "Deido", "Essos", "Yopougon", "Makepe", "Treichville")
# (method, share of orders, probability that the online payment fails)
METHODS = (("cod", 55, 0.0), ("momo", 25, 0.12), ("orange_money", 12, 0.15), ("paypal", 8, 0.06))
PHONE_PLAN = {"CM": ("+2376", 8), "CI": ("+22507", 8), "SN": ("+22177", 7)}  # mobile prefix, digits after it


@dataclass
class _Item:
    variant_id: int
    product_id: int
    sku: str
    name: str
    label: str
    price: int


def seed_orders(slug: str, count: int, *, days: int = 365) -> Iterator[str]:
    """Add ``count`` orders spread over the last ``days`` days to the tenant ``slug``."""
    if count < 1 or days < 1:
        raise ValueError("count and days must be positive")
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise LookupError(slug)
    started = time.perf_counter()
    with tenant_context(tenant.id):
        try:
            yield from _seed(tenant, count, days, random.Random(f"afrigest-orders-{slug}-{count}"))
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    db.session.execute(text("ANALYZE"))  # fresh planner statistics for the new rows
    db.session.commit()
    yield f"{count:,} commandes en {time.perf_counter() - started:.0f} s / {count:,} orders".replace(",", " ")


def _seed(tenant: Tenant, count: int, days: int, rng: random.Random) -> Iterator[str]:
    stores = list(db.session.scalars(select(Store).where(Store.active.is_(True)).order_by(Store.position, Store.id)))
    items = _catalog(rng)
    if not stores or not items:
        raise LookupError("the tenant needs active stores and products (flask seed-demo first)")
    customers = _customers(tenant, rng, max(count // 4, 1))
    yield (f"  {len(customers):,} clients, {len(items):,} articles commandables"
           f" / customers, orderable variants").replace(",", " ")
    now = utcnow()
    stamps = sorted(now - timedelta(seconds=rng.uniform(0, days * 86400)) for _ in range(count))
    first = db.session.scalar(select(Counter.value).where(Counter.name == "order")) or 0
    if first == 0 and db.session.scalar(select(Counter.id).where(Counter.name == "order")) is None:
        db.session.add(Counter(name="order", value=0))
        db.session.flush()
    weights = [1 / (rank + 8) for rank in range(len(items))]  # a few best sellers, a long tail
    methods, shares = [m for m, _, _ in METHODS], [s for _, s, _ in METHODS]
    failure = {m: f for m, _, f in METHODS}
    recent_received: list[tuple[int, int, list[tuple[int, int]]]] = []
    for low in range(0, count, BATCH):
        orders, plans = [], []
        for i in range(low, min(low + BATCH, count)):
            created = stamps[i]
            customer = customers[min(int(len(customers) * rng.random() ** 2), len(customers) - 1)]
            picked = rng.choices(items, weights=weights, k=rng.choices((1, 2, 3), (55, 30, 15))[0])
            lines = {}
            for item in picked:  # one line per variant
                lines.setdefault(item.variant_id, (item, rng.choices((1, 2, 3), (80, 15, 5))[0]))
            subtotal = sum(item.price * qty for item, qty in lines.values())
            pickup = rng.random() < 0.25
            store = rng.choice(stores) if pickup else stores[0] if rng.random() < 0.6 else rng.choice(stores)
            shipping = 0 if pickup or subtotal >= 50000 else 2000
            method = rng.choices(methods, shares)[0]
            status, pay, moves = _lifecycle(rng, created, now, method, failure[method])
            orders.append({
                "tenant_id": tenant.id, "number": f"AG-{first + i + 1:06d}", "idempotency_key": None,
                "type": "ecommerce", "status": status, "payment_status": pay, "payment_method": method,
                "currency": tenant.currency, "subtotal": subtotal, "shipping_total": shipping, "discount_total": 0,
                "tax_total": 0, "total": subtotal + shipping, "locale": "fr", "customer_id": customer["id"],
                "email": customer["email"] or "", "phone": customer["phone"], "first_name": customer["first_name"],
                "last_name": customer["last_name"], "delivery_method": "pickup" if pickup else "home",
                "shipping_method": "pickup" if pickup else "standard", "city": "" if pickup else customer["city"],
                "quarter": customer["quarter"], "address": "", "landmark": "", "note": "",
                "pickup_store_id": store.id if pickup else None, "fulfilment_store_id": store.id,
                "carrier": "", "tracking_number": "", "created_at": created, "updated_at": moves[-1][3],
            })
            plans.append((lines, moves, method))
        ids = _insert_orders(orders)
        line_rows, history, payments = [], [], []
        for order, order_id, (lines, moves, method) in zip(orders, ids, plans, strict=True):
            for item, qty in lines.values():
                line_rows.append({"tenant_id": tenant.id, "order_id": order_id, "product_id": item.product_id,
                                  "variant_id": item.variant_id, "sku": item.sku, "name": item.name,
                                  "variant_label": item.label, "unit_price": item.price, "quantity": qty,
                                  "line_total": item.price * qty})
            for field, before, after, at in moves:
                history.append({"tenant_id": tenant.id, "order_id": order_id, "field": field, "from_status": before,
                                "to_status": after, "actor": "shop" if before is None else ACTOR, "note": "",
                                "created_at": at})
            if method != "cod":
                payments.append(_payment(tenant, order, order_id, moves, uuid.UUID(int=rng.getrandbits(128)).hex))
            if order["status"] == "received" and now - order["created_at"] < timedelta(days=3):
                recent_received.append((order_id, order["fulfilment_store_id"],
                                        [(item.variant_id, qty) for item, qty in lines.values()]))
        db.session.execute(insert(OrderLine.__table__), line_rows)
        db.session.execute(insert(OrderStatusChange.__table__), history)
        if payments:
            db.session.execute(insert(Payment.__table__), payments)
        done = min(low + BATCH, count)
        if done % 20000 == 0 or done == count:
            yield f"  {done:,} / {count:,} commandes / orders".replace(",", " ")
    db.session.execute(update(Counter).where(Counter.name == "order").values(value=first + count))
    held = _reserve(recent_received, now)
    yield f"  {held} réservations actives pour les commandes récentes / active reservations"


def _catalog(rng: random.Random) -> list[_Item]:
    ids = list(db.session.scalars(select(Variant.id).where(Variant.active.is_(True))))
    chosen = rng.sample(ids, min(CATALOG_SAMPLE, len(ids)))
    rows = db.session.execute(
        select(Variant.id, Variant.product_id, Variant.sku, Variant.attributes, Variant.price, Product.name,
               Product.price, Product.base_price)
        .join(Product, Product.id == Variant.product_id).where(Variant.id.in_(chosen))
    ).all()
    by_id = {r[0]: r for r in rows}
    return [_Item(r[0], r[1], r[2], r[5], " / ".join((r[3] or {}).values()), r[4] or r[6] or r[7] or 1000)
            for r in (by_id[i] for i in chosen if i in by_id)]


def _customers(tenant: Tenant, rng: random.Random, count: int) -> list[dict]:
    """New customers (unique emails and phones after any existing ones), with one address each."""
    base = db.session.scalar(select(func.max(Customer.id))) or 0
    prefix, digits = PHONE_PLAN.get(tenant.country, PHONE_PLAN["CM"])
    cities = [c for c in db.session.scalars(select(Store.city).distinct())] or ["Douala"]
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append({"tenant_id": tenant.id, "first_name": first, "last_name": last,
                     "email": f"{_ascii(first)}.{_ascii(last)}.{base + i + 1}@exemple.africa"
                     if rng.random() < 0.7 else None,
                     "phone": f"{prefix}{(base * 7919 + i * 104729 + rng.randrange(97)) % 10**digits:0{digits}d}",
                     "marketing_consent": rng.random() < 0.4, "password_hash": None,
                     "created_at": utcnow() - timedelta(days=rng.uniform(0, 400))})
    seen: set[str] = set(db.session.scalars(select(Customer.phone).where(Customer.phone.is_not(None))))
    for row in rows:  # phones are unique per tenant: nudge the rare collision
        while row["phone"] in seen:
            row["phone"] = row["phone"][:-4] + f"{rng.randrange(10**4):04d}"
        seen.add(row["phone"])
    made = []
    for low in range(0, len(rows), BATCH):
        batch = rows[low:low + BATCH]
        ids = db.session.execute(insert(Customer.__table__).returning(Customer.__table__.c.id,
                                                                      sort_by_parameter_order=True), batch).scalars()
        for row, id_ in zip(batch, ids, strict=True):
            made.append({**row, "id": id_, "city": rng.choice(cities), "quarter": rng.choice(QUARTERS)})
    db.session.execute(insert(Address.__table__), [
        {"tenant_id": tenant.id, "customer_id": c["id"], "city": c["city"], "quarter": c["quarter"],
         "address": f"Rue {rng.randint(1, 400)}", "landmark": "", "is_default": True, "created_at": c["created_at"]}
        for c in made])
    return made


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _lifecycle(rng: random.Random, created: datetime, now: datetime, method: str,
               fail_rate: float) -> tuple[str, str, list[tuple[str, str | None, str, datetime]]]:
    """(status, payment status, history rows) of one order, plausible for its age."""
    age = (now - created).total_seconds() / 86400
    if age < 1:
        status = rng.choices(("received", "prepared", "shipped", "cancelled"), (60, 25, 10, 5))[0]
    elif age < 3:
        status = rng.choices(("received", "prepared", "shipped", "delivered", "cancelled"), (15, 20, 45, 15, 5))[0]
    elif age < 7:
        status = rng.choices(("received", "prepared", "shipped", "delivered", "cancelled"), (3, 5, 20, 65, 7))[0]
    else:
        status = rng.choices(("delivered", "cancelled", "returned", "shipped"), (89, 7, 3, 1))[0]
    moves = [("status", None, "received", created)]
    at = created

    def step(field: str, before: str | None, after: str, low_h: float, high_h: float) -> None:
        nonlocal at
        at = min(at + timedelta(hours=rng.uniform(low_h, high_h)), now)
        moves.append((field, before, after, at))

    online = method != "cod"
    pay = "pending"
    if online and (status == "cancelled" and rng.random() < 0.6 or rng.random() < fail_rate):
        step("payment", "pending", "failed", 0.05, 0.3)
        step("status", "received", "cancelled", 0.1, 2)
        return "cancelled", "failed", moves
    if online:
        step("payment", "pending", "paid", 0.02, 0.2)
        pay = "paid"
    if status == "cancelled":
        step("status", "received", "cancelled", 1, 30)
        if online:
            step("payment", "paid", "refunded", 1, 48)
            pay = "refunded"
        return status, pay, moves
    path = ("received", "prepared", "shipped", "delivered", "returned")
    hours = {"prepared": (2, 20), "shipped": (4, 48), "delivered": (6, 72), "returned": (24, 240)}
    for before, after in pairwise(path):
        if path.index(status) < path.index(after):
            break
        step("status", before, after, *hours[after])
        if after == "delivered" and not online:
            step("payment", "pending", "paid", 0, 0.5)
            pay = "paid"
    if status == "returned":
        step("payment", "paid", "refunded", 1, 72)
        pay = "refunded"
    return status, pay, moves


def _insert_orders(rows: list[dict]) -> list[int]:
    table = Order.__table__
    return list(db.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())


def _payment(tenant: Tenant, order: dict, order_id: int, moves: list, reference: str) -> dict:
    final = {"paid": "succeeded", "failed": "failed", "refunded": "refunded"}
    outcome = next((after for field, _b, after, _at in moves if field == "payment"), "pending")
    status = "refunded" if order["payment_status"] == "refunded" else final.get(outcome, "pending")
    finished = next((at for field, _b, _a, at in moves if field == "payment"), None)
    return {"tenant_id": tenant.id, "order_id": order_id, "method": order["payment_method"], "status": status,
            "amount": order["total"], "currency": order["currency"], "reference": reference,
            "provider_reference": "", "created": True, "expires_at": order["created_at"] + timedelta(minutes=15),
            "finalized_at": finished, "created_at": order["created_at"], "updated_at": finished or order["created_at"],
            "refunded_amount": order["total"] if status == "refunded" else 0}


def _reserve(orders: list[tuple[int, int, list[tuple[int, int]]]], now: datetime) -> int:
    """Recent orders still ``received`` hold their stock, as a real checkout would have left it."""
    held = 0
    for order_id, store_id, lines in orders:
        for variant_id, qty in sorted(lines):
            try:  # a refused reservation changes nothing (conditional UPDATE first)
                inventory.reserve(variant_id, store_id, qty, order_id=order_id,
                                  expires_at=now + timedelta(days=7), actor=ACTOR)
                held += 1
            except inventory.OutOfStock:
                continue  # that store ran out since: the order waits for staff to reassign it
    return held


__all__ = ["seed_orders"]
