"""The write path of a tenant's own provider credentials (back-office settings, PDG only).

Values are encrypted before they reach the session; what is shown back (form, audit log)
is only whether a value is set and, for long ones, its last four characters. Reading them
for a provider call is ``app.payments.providers.credentials.credentials_for``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import InvalidToken
from flask_babel import gettext as _

from app.audit import audit
from app.extensions import db
from app.payments.models import ProviderCredential
from app.payments.providers.credentials import KeyMissing, can_encrypt, decrypt, encrypt, stored
from app.payments.providers.registry import PROVIDERS

HINT_MIN_LENGTH = 12  # shorter values show no characters at all


class CredentialsError(ValueError):
    """Refused: ``fields`` name the form fields concerned (none: the whole form)."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()):
        super().__init__(message)
        self.message, self.fields = message, fields


@dataclass
class Stored:
    """What the settings page may show of a provider's stored credentials."""
    id: int
    hints: dict[str, str] = field(default_factory=dict)  # field → "…abcd" (or "…")
    readable: bool = True  # False: encrypted with a key the platform no longer has


def hint(value: str) -> str:
    return "…" + value[-4:] if len(value) >= HINT_MIN_LENGTH else "…"


def _provider(method: str):
    cls = PROVIDERS.get(method)
    if cls is None or not cls.credential_fields:
        raise LookupError(method)
    return cls


def _values(row: ProviderCredential) -> dict[str, str] | None:
    try:
        return decrypt(row.secret)
    except (KeyMissing, InvalidToken):
        return None


def status(method: str) -> Stored | None:
    """The current tenant's stored credentials for ``method`` as the page shows them, or None."""
    row = stored(method)
    if row is None:
        return None
    values = _values(row)
    if values is None:
        return Stored(row.id, readable=False)
    return Stored(row.id, {name: hint(value) for name, value in values.items() if value})


def save_credentials(actor, method: str, typed: dict[str, str]) -> ProviderCredential:
    """Store the tenant's own credentials for ``method``. An empty field keeps the stored
    value; the first time (or when the stored ones cannot be read) every field is needed."""
    cls = _provider(method)
    if not can_encrypt():
        raise CredentialsError(_("La clé de chiffrement des identifiants (PROVIDER_CREDENTIALS_KEY) n’est pas "
                                 "configurée sur la plateforme : les identifiants de la boutique ne peuvent pas être "
                                 "enregistrés. Les paiements continuent avec les identifiants de la plateforme."))
    row = stored(method)
    current = (_values(row) if row is not None else None) or {}
    values = {f.name: (typed.get(f.name) or "").strip() or current.get(f.name, "") for f in cls.credential_fields}
    missing = tuple(name for name, value in values.items() if not value)
    if missing:
        raise CredentialsError(_("Requis : aucun identifiant de la boutique n’est enregistré pour ce champ."),
                               missing)
    changed = [name for name, value in values.items() if current.get(name) != value]
    if row is not None and not changed:
        return row
    if row is None:
        row = ProviderCredential(method=method, secret=encrypt(values))
        db.session.add(row)
        db.session.flush()
    else:
        row.secret = encrypt(values)
    audit(actor, "settings.credentials", "provider_credentials", row.id,
          before={"method": method, **{name: hint(current[name]) for name in changed if current.get(name)}},
          after={"method": method, **{name: hint(values[name]) for name in changed}})
    db.session.commit()
    return row


def remove_credentials(actor, credential_id: int) -> str:
    """Back to the platform's credentials for that method; returns the method."""
    row = db.session.get(ProviderCredential, credential_id)  # scoped: another tenant's id is None
    if row is None:
        raise LookupError("provider credentials")
    method = row.method
    audit(actor, "settings.credentials_remove", "provider_credentials", row.id, before={"method": method},
          after={"method": method, "credentials": "platform"})
    db.session.delete(row)
    db.session.commit()
    return method
