"""Provider callbacks at /callbacks/<tenant_id>/<provider>…: store the event, enqueue its
processing after commit, answer 2xx at once. Providers call from their own servers: no
cookies, no CSRF, the tenant comes from the path (the Host resolver skips /callbacks/)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, jsonify, request

from app.extensions import db, limiter
from app.payments import inbox
from app.payments.providers import registry
from app.tenancy.models import Tenant

bp = Blueprint("callbacks", __name__, url_prefix="/callbacks/<int:tenant_id>")
MAX_BODY = 64 * 1024


@bp.url_value_preprocessor
def _take_tenant_id(endpoint, values) -> None:
    g.callback_tenant_id = values.pop("tenant_id")


@bp.before_request
def _load_tenant() -> None:
    # Even a suspended shop must hear about money it already asked for.
    tenant = db.session.get(Tenant, g.callback_tenant_id) if g.callback_tenant_id < 2**31 else None
    if tenant is None:
        abort(404)
    g.tenant, g.tenant_id = tenant, tenant.id
    if (request.content_length or 0) > MAX_BODY:
        abort(413)


def _receive(method: str, reference: str = ""):
    event_id, first, refused = inbox.receive(method, request.get_data(cache=False)[:MAX_BODY],
                                             dict(request.headers), reference[:128])
    current_app.logger.info("callback %s stored as event %s (%s)", method, event_id, "new" if first else "replay")
    if refused:
        return jsonify(received=True, outcome="rejected", reason=refused), 400
    return jsonify(received=True, event=event_id), 200


def _limit() -> str:
    return current_app.config["CALLBACK_RATE_LIMIT"]


def _receiver(cls):
    """The view of one provider's callbacks; its own name keeps its own rate-limit counter."""
    def view(reference: str = ""):
        return _receive(cls.method, reference)

    view.__name__ = view.__qualname__ = cls.callback_endpoint()
    return limiter.limit(_limit)(view)


# /callbacks/<tenant id>/momo/<reference>, …/orange/<reference>, …/paypal: one route per online provider.
for _provider in registry.online():
    bp.add_url_rule(_provider.callback_rule(), _provider.callback_endpoint(), _receiver(_provider),
                    methods=list(_provider.callback_methods))
