"""Stock alerts to staff: a variant running low in a store, at most once a day."""
from __future__ import annotations

from email.message import EmailMessage

from flask_babel import lazy_gettext as _l

from app.catalog.models import Variant
from app.core.db import utcnow
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.registry import composer
from app.staff.messages import alert_email, alert_staff
from app.tenancy.models import Store

LOW_STOCK_SUBJECT = _l("Stock bas : %(n)s")


def alert_low_stock(variant_id: int, store_id: int, available: int) -> None:
    """At most one alert per variant, store and day (flushes)."""
    day = utcnow().date().isoformat()
    alert_staff("low_stock", f"lowstock:{variant_id}:{store_id}:{day}",
                {"variant_id": variant_id, "store_id": store_id, "available": available})


@composer(("email",), "staff_low_stock")
def compose_low_stock_alert(message: OutboxMessage) -> EmailMessage | None:
    payload = message.payload
    variant = db.session.get(Variant, payload["variant_id"])
    store = db.session.get(Store, payload["store_id"])
    if variant is None or store is None:  # deleted since: the alert no longer applies
        return None
    label = " / ".join([variant.product.name, *variant.attributes.values()])
    return alert_email(message, LOW_STOCK_SUBJECT, label, {"variant": variant, "label": label, "store": store,
                                                    "available": payload["available"]})
