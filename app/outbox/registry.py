"""Channels (how a message leaves) and composers (what a topic's message says).

Adding a topic is one composer in the domain that owns it; adding a channel is one
``register_channel`` call beside its transport.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.outbox.models import OutboxMessage

Composer = Callable[[OutboxMessage], Any]  # what to send, or None: the message no longer applies
Sender = Callable[[OutboxMessage, Any], None]  # raises on failure; the dispatcher retries


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Channel:
    send: Sender
    active: Callable[[], bool] = _always  # does the current tenant use this channel?


_channels: dict[str, Channel] = {}
_composers: dict[tuple[str, str], Composer] = {}


def register_channel(name: str, send: Sender, active: Callable[[], bool] = _always) -> None:
    _channels[name] = Channel(send, active)


def composer(channels: tuple[str, ...], *topics: str) -> Callable[[Composer], Composer]:
    """Decorator: ``compose`` makes the message of these topics on these channels."""
    def register(compose: Composer) -> Composer:
        for channel in channels:
            for topic in topics:
                _composers[(channel, topic)] = compose
        return compose
    return register


def get_channel(name: str) -> Channel:
    return _channels[name]


def has_channel(name: str) -> bool:
    return name in _channels


def compose(message: OutboxMessage) -> Any:
    try:
        make = _composers[(message.channel, message.topic)]
    except KeyError:
        raise LookupError(f"no composer for {message.channel}/{message.topic}") from None
    return make(message)
