"""The order write path: numbering, status changes with their history, tracking lookup.

Staff actions (status, payment, store, return, note) take the acting ``StaffUser`` and land
in the order's history and, in the same transaction, in the audit log. Jobs and the CLI
pass a plain name instead (``"system"``, ``"cli"``) and are not audited as staff.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.audit import audit
from app.core.db import utcnow
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation
from app.orders.messages import notify_order
from app.orders.models import STATUS_LABELS, Counter, Order, OrderLine, OrderReturn, OrderReturnLine, OrderStatusChange
from app.staff.models import StaffUser
from app.tenancy.models import Store
from app.tenancy.settings import current_tenant, tenant_setting

# Allowed moves of the order status (cancel only before shipping, return after delivery).
TRANSITIONS = {
    "received": ("prepared", "cancelled"),
    "prepared": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": ("returned",),
    "cancelled": (),
    "returned": (),
}
TIMELINE = ("received", "prepared", "shipped", "delivered")


class OrderError(ValueError):
    pass


def allowed_moves(status: str) -> tuple[str, ...]:
    """The statuses an order in ``status`` may move to (none once cancelled or returned)."""
    return TRANSITIONS.get(status, ())


def check_move(old: str, new: str) -> None:
    """Refuse a status move TRANSITIONS does not allow, naming the statuses that are."""
    allowed = allowed_moves(old)
    if new not in allowed:
        raise OrderError(_l("Impossible de passer la commande de « %(a)s » à « %(b)s ». Statuts autorisés : %(ok)s.",
                            a=STATUS_LABELS[old], b=STATUS_LABELS.get(new, new),
                            ok=", ".join(str(STATUS_LABELS[s]) for s in allowed) or "—"))


def actor_name(actor: StaffUser | str) -> str:
    return actor.email if isinstance(actor, StaffUser) else str(actor)


def _audit(actor: StaffUser | str, action: str, order: Order, before: dict, after: dict) -> None:
    if isinstance(actor, StaffUser):
        audit(actor, action, "order", order.id, before=before, after=after)


def next_number(prefix: str = "AG") -> str:
    """AG-000123, per tenant, from an atomic counter (``UPDATE … RETURNING``)."""
    value = db.session.execute(
        update(Counter).where(Counter.name == "order").values(value=Counter.value + 1).returning(Counter.value)
    ).scalar()
    if value is None:
        db.session.add(Counter(name="order", value=1))
        db.session.flush()  # a racing first order hits the unique key and is retried
        value = 1
    return f"{prefix}-{value:06d}"


def record_change(order: Order, field: str, from_status: str | None, to_status: str, *, actor: str = "system",
                  note: str = "") -> None:
    order.history.append(OrderStatusChange(field=field, from_status=from_status, to_status=to_status, actor=actor,
                                           note=note[:500]))


def set_payment_status(order: Order, new: str, *, actor: StaffUser | str, note: str = "") -> None:
    """The one place an order's payment status changes: it records the change in the
    order's history and, when the order becomes paid, tells the customer (flushes
    nothing; the caller's unit of work commits). Callers decide whether the move is
    allowed (payments by their state machine, cash on delivery by :func:`mark_paid`)."""
    record_change(order, "payment", order.payment_status, new, actor=actor_name(actor), note=note)
    order.payment_status = new
    if new == "paid":
        notify_order(order, "paid")


def change_status(order: Order, to_status: str, *, actor: StaffUser | str, note: str = "", carrier: str = "",
                  tracking_number: str = "") -> Order:
    """Move an order along TRANSITIONS; stock follows (prepared: sale, cancelled: release).
    Shipping records the carrier and tracking number the customer is told about (staff
    must give both; the CLI and older callers may leave them empty)."""
    check_move(order.status, to_status)
    if to_status == "shipped" and isinstance(actor, StaffUser) and not (carrier.strip() and tracking_number.strip()):
        raise OrderError(_l("Indiquez le transporteur et le numéro de suivi pour expédier."))
    before = {"status": order.status, "carrier": order.carrier, "tracking_number": order.tracking_number}
    name = actor_name(actor)
    reservations = list(db.session.scalars(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status.in_(("active", "confirmed")))
        .order_by(Reservation.variant_id, Reservation.store_id)
    ))
    for r in reservations:
        if to_status == "prepared" and r.status == "active":
            inventory.confirm(r, actor=name)
        elif to_status == "cancelled" and r.status == "active":
            inventory.release(r, reason=f"Commande {order.number} annulée", actor=name)
        elif to_status == "cancelled":  # already picked: the units go back on the shelf
            inventory.change_on_hand(r.variant_id, r.store_id, r.quantity, "return", order_id=order.id,
                                     reason=f"Commande {order.number} annulée", actor=name)
    if to_status == "shipped":
        order.carrier, order.tracking_number = carrier.strip()[:80], tracking_number.strip()[:80]
    record_change(order, "status", order.status, to_status, actor=name, note=note)
    order.status = to_status
    notify_order(order, to_status)
    _audit(actor, "order.status", order, before,
           {"status": to_status, "carrier": order.carrier, "tracking_number": order.tracking_number,
            "note": note[:500]})
    db.session.commit()
    return order


def mark_paid(order: Order, *, actor: StaffUser | str, note: str = "") -> Order:
    """Cash on delivery collected: payment pending → paid, once; the customer is told."""
    if order.payment_method != "cod" or order.payment_status != "pending" or order.status == "cancelled":
        raise OrderError(_l("Seule une commande payable à la livraison, en attente de paiement, peut être "
                            "marquée payée."))
    set_payment_status(order, "paid", actor=actor, note=note)
    _audit(actor, "order.mark_paid", order, {"payment_status": "pending"},
           {"payment_status": "paid", "note": note[:500]})
    db.session.commit()
    return order


def add_note(order: Order, note: str, *, actor: StaffUser | str) -> Order:
    """A staff remark (customer called, address clarified…) kept in the order's history."""
    note = (note or "").strip()
    if not note:
        raise OrderError(_l("La note est vide."))
    record_change(order, "note", order.status, order.status, actor=actor_name(actor), note=note)
    _audit(actor, "order.note", order, {}, {"note": note[:500]})
    db.session.commit()
    return order


def reassign_store(order: Order, store_id: int, *, actor: StaffUser | str, note: str = "") -> Order:
    """Serve the order from another store: its held stock moves there, all or nothing.

    Every line is reserved again at the target with the conditional UPDATE, after the
    order's own holds are released (units it held there count as available). A line the
    target cannot serve refuses the whole move and is named in the message."""
    if order.status != "received":
        raise OrderError(_l("Seule une commande reçue, pas encore préparée, peut changer de boutique."))
    store = db.session.get(Store, store_id)  # scoped: another tenant's store is None
    if store is None or store.id not in {s.id for s in inventory.eligible_stores()}:
        raise OrderError(_l("Cette boutique ne vend pas en ligne."))
    if store.id == order.fulfilment_store_id:
        raise OrderError(_l("La commande est déjà servie par cette boutique."))
    name = actor_name(actor)
    held = list(db.session.scalars(
        select(Reservation).where(Reservation.order_id == order.id, Reservation.status == "active")
        .order_by(Reservation.variant_id, Reservation.store_id)))
    # From the lines, not the holds: an order whose hold expired or failed is served whole.
    wanted: dict[int, int] = {}
    labels: dict[int, str] = {}
    for line in order.lines:
        if line.variant_id is not None:
            wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
            labels[line.variant_id] = f"{line.name} ({line.variant_label})" if line.variant_label else line.name
    have = inventory.available_by_store(wanted, [store.id])
    freed: dict[int, int] = {}
    for r in held:
        if r.store_id == store.id:
            freed[r.variant_id] = freed.get(r.variant_id, 0) + r.quantity
    short = [(v, q, have.get((v, store.id), 0) + freed.get(v, 0)) for v, q in sorted(wanted.items())
             if have.get((v, store.id), 0) + freed.get(v, 0) < q]
    if short:
        raise OrderError(_shortage(store, [(labels[v], q, max(a, 0)) for v, q, a in short]))
    expires = min((r.expires_at for r in held if r.expires_at), default=None) or (
        utcnow() + timedelta(hours=tenant_setting(current_tenant(), "cod_reservation_hours")))
    old = order.fulfilment_store
    try:
        for r in held:
            inventory.release(r, reason=f"Commande {order.number} réaffectée à {store.name}", actor=name)
        for variant_id, quantity in sorted(wanted.items()):
            inventory.reserve(variant_id, store.id, quantity, order_id=order.id, expires_at=expires, actor=name)
    except inventory.OutOfStock as exc:  # taken between the check and the move: nothing changed
        db.session.rollback()
        raise OrderError(_shortage(store, [(labels[exc.variant_id], exc.requested, max(exc.available, 0))])) from exc
    record_change(order, "store", old.code if old else None, store.code, actor=name,
                  note=" ".join(filter(None, [f"{old.name if old else '—'} → {store.name}.", note.strip()])))
    order.fulfilment_store_id = store.id
    _audit(actor, "order.reassign_store", order, {"fulfilment_store_id": old.id if old else None},
           {"fulfilment_store_id": store.id, "note": note[:500]})
    db.session.commit()
    return order


def _shortage(store: Store, lines: list[tuple[str, int, int]]) -> str:
    detail = " ; ".join(str(_l("%(name)s : %(wanted)s demandé(s), %(have)s disponible(s)", name=n, wanted=q, have=a))
                        for n, q, a in lines)
    return str(_l("Stock insuffisant à %(store)s : %(lines)s.", store=store.name, lines=detail))


def returned_quantities(order_id: int) -> dict[int, int]:
    """{order_line_id: units already returned} for one order."""
    rows = db.session.execute(
        select(OrderReturnLine.order_line_id, func.sum(OrderReturnLine.quantity))
        .join(OrderReturn, OrderReturn.id == OrderReturnLine.return_id)
        .where(OrderReturn.order_id == order_id).group_by(OrderReturnLine.order_line_id))
    return {line_id: int(qty) for line_id, qty in rows}


def record_return(order: Order, lines: dict[int, int], restock: bool, *, actor: StaffUser | str,
                  note: str = "") -> OrderReturn:
    """Units brought back after delivery: never more than sold minus already returned;
    with ``restock`` they go back on the shelf of the store that sold them."""
    if order.status not in ("delivered", "returned"):
        raise OrderError(_l("Un retour s’enregistre sur une commande livrée."))
    # Touch the order first: concurrent returns of the same order queue here (row lock),
    # so the "already returned" read below cannot be stale.
    db.session.execute(update(Order).where(Order.id == order.id).values(updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    by_id = {line.id: line for line in order.lines}
    already = returned_quantities(order.id)
    taken: dict[int, int] = {}
    for line_id, qty in sorted(lines.items()):
        line = by_id.get(line_id)
        if line is None or not isinstance(qty, int) or qty < 0:
            raise OrderError(_l("Ligne ou quantité invalide."))
        left = line.quantity - already.get(line_id, 0)
        if qty > left:
            raise OrderError(_l("%(name)s : %(n)s au plus peuvent encore être retournés.", name=line.name, n=left))
        if qty:
            taken[line_id] = qty
    if not taken:
        raise OrderError(_l("Indiquez au moins une quantité retournée."))
    name = actor_name(actor)
    ret = OrderReturn(order_id=order.id, restock=restock, note=note.strip()[:500], actor=name,
                      lines=[OrderReturnLine(order_line_id=i, quantity=q) for i, q in taken.items()])
    db.session.add(ret)
    if restock:
        for line_id, qty in taken.items():
            variant_id, store_id = _sold_from(order, by_id[line_id])
            inventory.change_on_hand(variant_id, store_id, qty, "return", order_id=order.id,
                                     reason=f"Retour commande {order.number}", actor=name)
    summary = ", ".join(f"{q} × {by_id[i].sku}" for i, q in taken.items())
    kept = _l("remis en stock") if restock else _l("non remis en stock")
    record_change(order, "return", order.status, order.status, actor=name,
                  note=" ".join(filter(None, [f"{summary} ({kept}).", note.strip()])))
    before = order.status
    if order.status == "delivered":
        record_change(order, "status", "delivered", "returned", actor=name, note=note)
        order.status = "returned"
    db.session.flush()
    _audit(actor, "order.return", order, {"status": before, "returned": {str(k): v for k, v in already.items()}},
           {"status": order.status, "return_id": ret.id, "lines": {str(k): v for k, v in taken.items()},
            "restock": restock})
    db.session.commit()
    return ret


def _sold_from(order: Order, line: OrderLine) -> tuple[int, int]:
    """The line's variant and the store whose shelf it left (its confirmed hold), else the
    fulfilment store."""
    if line.variant_id is None:
        raise OrderError(_l("%(name)s n’existe plus au catalogue : enregistrez le retour sans remise en stock.",
                            name=line.name))
    store_id = db.session.scalar(
        select(Reservation.store_id).where(Reservation.order_id == order.id, Reservation.variant_id == line.variant_id,
                                           Reservation.status == "confirmed").order_by(Reservation.id).limit(1))
    store_id = store_id or order.fulfilment_store_id or order.pickup_store_id
    if store_id is None:
        raise OrderError(_l("Aucune boutique connue pour remettre %(name)s en stock.", name=line.name))
    return line.variant_id, store_id
