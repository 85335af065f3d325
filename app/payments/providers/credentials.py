"""Which contract a provider call uses: the current tenant's own credentials when its PDG
stored some, else the platform's (the MOMO_*, ORANGE_*, PAYPAL_* settings).

A tenant's credentials for one method are one Fernet token in ``provider_credentials``,
made with ``PROVIDER_CREDENTIALS_KEY`` (several keys, comma-separated, rotate it: the
first encrypts, any of them decrypts). Token caches key on ``Credentials.key``, which
names the owner, so two tenants never share a provider token.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import select

from app.core.db import current_tenant_id
from app.extensions import db
from app.payments.models import ProviderCredential
from app.payments.providers.base import ProviderUnavailable, setting

PLATFORM = "platform"


class KeyMissing(RuntimeError):
    """PROVIDER_CREDENTIALS_KEY is not set: tenant credentials can be neither stored nor read."""


@dataclass(frozen=True)
class Credentials:
    values: dict[str, str]
    owner: str  # PLATFORM or "tenant:<id>"

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    @property
    def key(self) -> str:
        """Token caches key on this: the owner and a digest of the values (never the values)."""
        digest = hashlib.sha256(json.dumps(self.values, sort_keys=True).encode()).hexdigest()[:24]
        return f"{self.owner}:{digest}"


def _cipher() -> MultiFernet:
    keys = [k.strip() for k in str(current_app.config.get("PROVIDER_CREDENTIALS_KEY") or "").split(",") if k.strip()]
    if not keys:
        raise KeyMissing("PROVIDER_CREDENTIALS_KEY is not set")
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:  # never echo the key itself
        raise KeyMissing("PROVIDER_CREDENTIALS_KEY is not a valid Fernet key (32 url-safe base64 bytes)") from exc


def can_encrypt() -> bool:
    try:
        _cipher()
    except KeyMissing:
        return False
    return True


def encrypt(values: dict[str, str]) -> str:
    return _cipher().encrypt(json.dumps(values, sort_keys=True).encode()).decode("ascii")


def decrypt(token: str) -> dict[str, str]:
    """Raises KeyMissing, or InvalidToken when no configured key made this token."""
    values = json.loads(_cipher().decrypt(token.encode("ascii")))
    return {str(k): str(v) for k, v in values.items()}


def platform_credentials(provider) -> Credentials:
    return Credentials({f.name: setting(f.config) for f in provider.credential_fields}, PLATFORM)


def stored(method: str) -> ProviderCredential | None:
    """The current tenant's own credentials row for ``method`` (scoped by the session hook)."""
    if current_tenant_id() is None:
        return None
    return db.session.scalar(select(ProviderCredential).where(ProviderCredential.method == method))


def credentials_for(provider) -> Credentials:
    """The one way providers read credentials: the tenant's if it stored some, else the platform's.
    Stored ones that cannot be decrypted stop the call (ProviderUnavailable): using the
    platform's contract instead would send the tenant's money to someone else."""
    row = stored(provider.method)
    if row is None:
        return platform_credentials(provider)
    try:
        values = decrypt(row.secret)
    except (KeyMissing, InvalidToken) as exc:
        current_app.logger.error("%s credentials of tenant %s cannot be decrypted: %s", provider.method,
                                 row.tenant_id, type(exc).__name__)
        raise ProviderUnavailable(f"{provider.method}: the tenant's credentials cannot be decrypted") from exc
    return Credentials({f.name: values.get(f.name, "") for f in provider.credential_fields}, f"tenant:{row.tenant_id}")
