"""How messages leave: SMTP or HTTP SMS gateway in production, a log line in development.

Transports are chosen by configuration (MAIL_TRANSPORT, SMS_TRANSPORT) and registered as
the ``email`` and ``sms`` channels. A transport raises on failure; the dispatcher retries
with backoff.
"""
from __future__ import annotations

import json
import smtplib
import urllib.request
from email.message import EmailMessage

from flask import current_app

from app.core.logging import _mask
from app.outbox.models import OutboxMessage
from app.outbox.registry import register_channel


def send_email(_message: OutboxMessage, email: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_TRANSPORT"] == "log":
        current_app.logger.info("email (log transport) to %s: %s", email["To"], email["Subject"])
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def send_sms(message: OutboxMessage, text: str) -> None:
    config, to = current_app.config, message.recipient
    if config["SMS_TRANSPORT"] == "log":
        current_app.logger.info("sms (log transport) to %s: %s", _mask(to), text)
        return
    body = json.dumps({"to": to, "from": config["SMS_SENDER"], "text": text}).encode()
    request = urllib.request.Request(config["SMS_GATEWAY_URL"], data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured https URL
        if response.status >= 300:
            raise RuntimeError(f"SMS gateway answered {response.status}")


register_channel("email", send_email)
register_channel("sms", send_sms)
