"""Staff stock adjustments: a signed quantity and a reason, never a new number typed over the old.

The change goes through :func:`app.inventory.services.change_on_hand` (one conditional
UPDATE plus an ``adjustment`` ledger row), the audit entry is written in the same
transaction, and this top-level service commits once.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit import audit
from app.catalog.models import Variant
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.messages import alert_low_stock
from app.inventory.models import StockLevel
from app.staff.models import StaffUser
from app.tenancy.models import Store

# Stored in the ledger as the code (language-neutral), shown through these labels.
REASONS = {
    "count": _l("Inventaire (écart de comptage)"),
    "received": _l("Réception hors commande"),
    "damaged": _l("Casse ou produit abîmé"),
    "lost": _l("Perte ou vol"),
    "found": _l("Article retrouvé"),
    "supplier_return": _l("Retour au fournisseur"),
    "correction": _l("Correction d’une erreur de saisie"),
    "other": _l("Autre (préciser dans la note)"),
}
MAX_DELTA = 100_000


class AdjustmentError(ValueError):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def ledger_reason(code: str, note: str) -> str:
    """``damaged — carton mouillé``: the code first, so the label can be shown in any language."""
    return f"{code} — {note}"[:255] if note else code


def reason_label(reason: str) -> str:
    """The ledger's reason for display: a known code becomes its label, the rest stays as written."""
    code, sep, note = reason.partition(" — ")
    if code in REASONS:
        return f"{REASONS[code]} — {note}" if sep else str(REASONS[code])
    return reason


def _snapshot(variant_id: int, store_id: int) -> dict:
    level = db.session.scalar(
        select(StockLevel).where(StockLevel.variant_id == variant_id, StockLevel.store_id == store_id))
    if level is None:
        return {"on_hand": 0, "reserved": 0}
    db.session.refresh(level)
    return {"on_hand": level.on_hand, "reserved": level.reserved, "id": level.id}


def adjust_stock(actor: StaffUser, variant_id: int, store_id: int, delta: int, reason: str, note: str = "") -> dict:
    """Add (or remove, when negative) ``delta`` units of a variant in a store; returns the new level.

    Refused, with nothing written, when the variant or store is not this tenant's
    (LookupError), the reason is unknown or needs a note, or the removal would take away
    units that are not there or are reserved for orders (AdjustmentError).
    """
    variant, store = db.session.get(Variant, variant_id), db.session.get(Store, store_id)  # tenant-scoped
    if variant is None or store is None:
        raise LookupError("variant or store")
    note = (note or "").strip()
    if reason not in REASONS:
        raise AdjustmentError(_l("Choisissez un motif."), "reason")
    if reason == "other" and not note:
        raise AdjustmentError(_l("Précisez le motif dans la note."), "note")
    if not delta or abs(delta) > MAX_DELTA:
        raise AdjustmentError(_l("Indiquez une quantité non nulle, entre -%(n)s et %(n)s.", n=MAX_DELTA), "delta")
    before = _snapshot(variant_id, store_id)
    try:
        inventory.change_on_hand(variant_id, store_id, delta, "adjustment", reason=ledger_reason(reason, note),
                                 actor=actor.email)
    except inventory.OutOfStock as exc:
        db.session.rollback()
        raise AdjustmentError(_l("Impossible de retirer %(q)s unités : seules %(a)s sont disponibles "
                                 "(le reste est réservé pour des commandes).", q=-delta, a=max(exc.available, 0)),
                              "delta") from exc
    after = _snapshot(variant_id, store_id)
    audit(actor, "stock.adjust", "stock_level", after["id"], before=before,
          after={**after, "delta": delta, "reason": reason, "note": note, "sku": variant.sku, "store": store.code})
    if delta < 0:
        for v, s, available in inventory.low_levels([(variant_id, store_id)]):
            alert_low_stock(v, s, available)
    db.session.commit()
    return after
