"""Who is calling the API: the tenant from the path, the key from the Authorization header."""
from __future__ import annotations

import hmac
import re
from functools import wraps

from flask import g, request
from sqlalchemy import select

from app.api.errors import ApiError
from app.api.models import ApiKey
from app.api.services import hash_secret
from app.core.db import utcnow
from app.extensions import db
from app.tenancy.models import Tenant

PREFIX = re.compile(r"[0-9a-f]{1,16}")
MAX_ID = 2**31 - 1  # the int column: a larger path id is simply unknown


def load_tenant(tenant_id: int) -> None:
    """The tenant comes from the path; an unknown or suspended one is a 404."""
    tenant = db.session.get(Tenant, tenant_id) if tenant_id <= MAX_ID else None
    if tenant is None or tenant.status != "active":
        raise ApiError(404, "unknown_tenant", "no such tenant")
    g.tenant, g.tenant_id = tenant, tenant.id


def authenticate(header: str, scope: str) -> ApiKey:
    """``Bearer <prefix>.<secret>`` of a live key of the path's tenant holding ``scope``.

    The lookup is scoped to the path's tenant: another tenant's key is simply not found
    (401) and never reaches that tenant's data.
    """
    scheme, _, token = header.partition(" ")
    prefix, _, secret = token.strip().partition(".")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_api_key", "Authorization: Bearer <key> required")
    if not PREFIX.fullmatch(prefix) or not secret:
        raise ApiError(401, "invalid_api_key", "unknown, revoked or invalid API key")
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    expected = key.key_hash if key is not None else hash_secret("")
    matches = hmac.compare_digest(expected.encode(), hash_secret(secret).encode())
    if key is None or not matches or key.revoked_at is not None or key.tenant_id != g.tenant_id:
        raise ApiError(401, "invalid_api_key", "unknown, revoked or invalid API key")
    if scope not in (key.scopes or []):
        raise ApiError(403, "insufficient_scope", f"this key lacks the {scope} scope")
    key.last_used_at = utcnow()  # written by the top-level service's commit, if any
    return key


def require_scope(scope: str):
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.api_key = authenticate(request.headers.get("Authorization", ""), scope)
            return view(*args, **kwargs)
        return wrapper
    return decorator
