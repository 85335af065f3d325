"""JSON API per tenant at /api/tenants/<tenant_id>/ecommerce: the tenant comes from the
path (the Host resolver skips /api/), callers authenticate with an API key, or (the core's
webhooks) with an HMAC signature. Every answer is JSON, errors included."""
from flask import Blueprint, g

from app.api.auth import load_tenant
from app.api.errors import ApiError, error_body
from app.sync.schemas import SyncRefused

bp = Blueprint("api", __name__, url_prefix="/api/tenants/<int:tenant_id>/ecommerce")


@bp.url_value_preprocessor
def _take_tenant_id(endpoint, values) -> None:
    g.api_tenant_id = values.pop("tenant_id")


@bp.before_request
def _load_tenant() -> None:
    load_tenant(g.api_tenant_id)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_body(error.status, error.reason, error.message)


@bp.errorhandler(SyncRefused)
def _sync_refused(error: SyncRefused):
    return error_body(error.status, error.reason, error.message)


from app.api import views  # noqa: E402,F401
