"""API keys: created here (CLI), checked on every API call (app.api.auth).

A key reads ``<prefix>.<secret>``. The prefix is public and finds the row; only the
SHA-256 of the secret is stored, compared in constant time. The full key is shown once.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from app.api.models import ApiKey
from app.extensions import db

SCOPES = ("catalog:write", "inventory:write")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """A key for the current tenant; flushes, the caller commits. Returns (row, full key)."""
    scopes = sorted(set(scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValueError(f"scopes: one or more of {', '.join(SCOPES)}")
    if not name.strip() or len(name) > 80:
        raise ValueError("name: 1 to 80 characters")
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    key = ApiKey(name=name.strip(), prefix=prefix, key_hash=hash_secret(secret), scopes=scopes)
    db.session.add(key)
    db.session.flush()
    return key, f"{prefix}.{secret}"
