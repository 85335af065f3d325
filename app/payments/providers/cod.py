"""Cash on delivery: nothing to call. The order is paid when staff record the cash
(``app.orders.services``); a payment attempt is never created for it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.payments.providers.base import CredentialField


class CashOnDelivery:
    method = "cod"
    label = _l("Paiement à la livraison (espèces)")
    short_label = _l("À la livraison")
    setting_key = "cod_enabled"
    enabled_by_default = True
    online = False
    window_setting = ""  # the stock is held for the tenant's cod_reservation_hours instead
    credential_fields: tuple[CredentialField, ...] = ()  # nothing to sign in to
