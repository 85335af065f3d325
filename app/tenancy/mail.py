"""What every message of a shop shares: its public URLs and its email envelope."""
from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template

from app.outbox.models import OutboxMessage
from app.tenancy.models import Tenant


def shop_url(tenant: Tenant, path: str) -> str:
    """An absolute link into the tenant's shop (primary domain, else ``<slug>.<platform>``)."""
    config = current_app.config
    primary = next((d.host for d in tenant.domains if d.is_primary), None)
    host = primary or f"{tenant.slug}.{config['PLATFORM_DOMAIN']}"
    port = f":{config['PUBLIC_PORT']}" if config["PUBLIC_PORT"] else ""
    return f"{config['PREFERRED_URL_SCHEME']}://{host}{port}{path}"


def shop_email(message: OutboxMessage, tenant: Tenant, subject: str, template: str, context: dict) -> EmailMessage:
    """An email from the shop: HTML and text from ``emails/<template>.{html,txt}``."""
    email = EmailMessage()
    email["Subject"] = subject
    email["From"] = formataddr((tenant.name, current_app.config["MAIL_FROM"]))
    email["To"] = message.recipient
    # Stable per milestone: a resend after a crash carries the same id (MTAs can dedupe).
    email["Message-ID"] = make_msgid(idstring=message.dedup_key.replace(":", "."), domain="afrigest.local")
    if tenant.contact_email:
        email["Reply-To"] = tenant.contact_email
    context = {"tenant": tenant, "topic": message.topic, "order": None, **context}
    email.set_content(render_template(f"emails/{template}.txt", **context))
    email.add_alternative(render_template(f"emails/{template}.html", **context), subtype="html")
    return email
