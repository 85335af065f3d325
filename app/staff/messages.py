"""Staff's messages: password links and invitations, and who receives operational alerts.

Each domain composes its own alert (new order, low stock, payment problems) with
:func:`alert_email`; this module only knows who gets them.
"""
from __future__ import annotations

from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.queue import queue
from app.outbox.registry import composer
from app.staff.models import StaffUser
from app.staff.passwords import password_token, password_ttl
from app.tenancy.mail import shop_email, shop_url
from app.tenancy.settings import current_tenant

# Staff who run the shop get the operational alerts.
ALERTED_ROLES = ("pdg", "dg", "manager")


def alert_staff(alert: str, dedup_key: str, payload: dict) -> None:
    """Queue the alert ``staff_<alert>`` to every active pdg, dg and manager (flushes)."""
    users = db.session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                       StaffUser.role.in_(ALERTED_ROLES)))
    for user in users:
        queue("email", f"staff_{alert}", user.email, f"{dedup_key}:staff:{user.id}", {"alert": alert, **payload})


def alert_email(message: OutboxMessage, subject, n: str, context: dict) -> EmailMessage:
    """A staff alert in the shop's language; ``subject`` is a lazy string with ``%(n)s``."""
    tenant = current_tenant()
    with force_locale(tenant.locale):
        return shop_email(message, tenant, str(subject) % {"n": n}, "staff_alert", {**context, "locale": tenant.locale})


@composer(("email",), "staff_password_reset", "staff_password_invite")
def compose_password_email(message: OutboxMessage) -> EmailMessage | None:
    """A reset or an invitation; the signed link is made now, never stored. None if the
    account is gone."""
    user = db.session.get(StaffUser, message.payload["staff_id"])
    if user is None or not user.active:
        return None
    tenant = current_tenant()
    kind = message.payload.get("kind", "reset")
    url = shop_url(tenant, f"/backoffice/reset/{password_token(user, kind)}")
    with force_locale(tenant.locale):
        subject = (_("Invitation à gérer la boutique %(shop)s", shop=tenant.name) if kind == "invite"
                   else _("Réinitialisation de votre mot de passe (%(shop)s)", shop=tenant.name))
        return shop_email(message, tenant, subject, "password_reset",
                          {"user": user, "kind": kind, "url": url, "hours": password_ttl(kind) // 3600,
                           "locale": tenant.locale})
