"""A real SMTP server (aiosmtpd) on a free loopback port, collecting what the app sends."""
from __future__ import annotations

import socket
from email import message_from_bytes
from email.policy import default

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


@pytest.fixture
def smtp(app):
    """The app's mail goes over SMTP to an :class:`Inbox`; ``smtp.messages`` are parsed emails."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield inbox
    controller.stop()
    app.config.update(MAIL_TRANSPORT="log")
