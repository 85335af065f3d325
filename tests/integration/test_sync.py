"""Sync with the core AfriGest system: signed webhooks, degraded polling with backoff,
the on-demand API endpoints and their keys. Every test checks the other tenant is untouched."""
import json
import time
from datetime import timedelta
from types import SimpleNamespace
from urllib.request import Request, urlopen

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from app.api.models import ApiKey
from app.api.services import create_api_key
from app.catalog import services as catalog
from app.catalog.models import Product, Variant, VariantOption
from app.core.db import tenant_context, utcnow
from app.core.jobs import run
from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import StockLevel, StockMovement
from app.sync.models import CoreConnection, SyncEvent
from app.sync.services import backoff_seconds
from app.sync.signing import signature
from app.tenancy.models import Tenant
from devtools.simulators.core import CoreState
from tests.support.clients import run_jobs


def hook_url(tenant_id):
    return f"/api/tenants/{tenant_id}/ecommerce/sync/webhook"


def post_hook(app, tenant_id, headers, body):
    return app.test_client().post(hook_url(tenant_id), data=body, headers=headers)


def level(app, tenant_id, variant_id, store_id):
    """(on_hand, reserved) and the ledger's sums for one variant in one store."""
    with app.app_context(), tenant_context(tenant_id):
        row = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant_id,
                                                         StockLevel.store_id == store_id))
        return ((row.on_hand, row.reserved) if row else None), inventory.ledger_totals(variant_id, store_id)


def fingerprint(app, tenant_id):
    """Everything sync could touch in one tenant, as plain values."""
    with app.app_context(), tenant_context(tenant_id):
        return (
            sorted(db.session.execute(select(StockLevel.variant_id, StockLevel.store_id, StockLevel.on_hand,
                                             StockLevel.reserved)).all()),
            db.session.scalar(select(func.count(StockMovement.id))),
            sorted(db.session.execute(select(Product.sku, Product.name, Product.base_price, Product.slug,
                                             Product.price)).all()),
            sorted(db.session.execute(select(Variant.sku, Variant.price, Variant.barcode)).all()),
            db.session.scalar(select(func.count(SyncEvent.id))),
        )


def link(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        row = db.session.scalar(select(CoreConnection))
        return SimpleNamespace(**{c: getattr(row, c) for c in (
            "mode", "last_webhook_at", "last_poll_at", "next_poll_at", "poll_failures", "last_error")})


def age_link(app, tenant_id, **values):
    with app.app_context(), tenant_context(tenant_id):
        db.session.execute(update(CoreConnection).values(**values))
        db.session.commit()


def events(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return [(e.event_id, e.kind, e.outcome) for e in db.session.scalars(select(SyncEvent).order_by(SyncEvent.id))]


def test_valid_webhook_changes_stock_once_and_a_replay_changes_nothing(app, tenants, core):
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    other = fingerprint(app, core.b)
    headers, body = core.state.signed("stock.changed", {"sku": "AK-CH-M-B", "store": "S0", "on_hand": 7},
                                      event_id="evt-1")
    response = post_hook(app, core.a, headers, body)
    assert response.status_code == 200
    assert response.json["status"] == "applied" and response.json["result"]["delta"] == -3
    assert level(app, core.a, shirt, store) == ((7, 0), (7, 0))

    replay = post_hook(app, core.a, headers, body)
    assert replay.status_code == 200 and replay.json == {"status": "duplicate", "event_id": "evt-1",
                                                         "outcome": "applied"}
    # the same figure again under a new id: applied, but nothing to adjust
    headers, body = core.state.signed("stock.changed", {"sku": "AK-CH-M-B", "store": "S0", "on_hand": 7})
    assert post_hook(app, core.a, headers, body).json["result"]["delta"] == 0
    assert level(app, core.a, shirt, store) == ((7, 0), (7, 0))
    with app.app_context(), tenant_context(core.a):
        moves = db.session.execute(select(StockMovement.kind, StockMovement.on_hand_delta, StockMovement.reason,
                                          StockMovement.actor).where(StockMovement.actor == "core")).all()
        assert moves == [("adjustment", -3, "Synchro cœur AfriGest / core sync", "core")]

    # a level that does not exist yet is created, through the ledger
    rare, far = tenants.a["rare"].variant_ids[0], tenants.a.stores[2].id
    assert level(app, core.a, rare, far) == (None, (0, 0))
    headers, body = core.state.signed("stock.changed", {"sku": "AK-MT", "store": "S2", "on_hand": 5})
    assert post_hook(app, core.a, headers, body).status_code == 200
    assert level(app, core.a, rare, far) == ((5, 0), (5, 0))
    assert [outcome for _, _, outcome in events(app, core.a)] == ["applied"] * 3
    state = link(app, core.a)
    assert state.mode == "webhook" and state.last_webhook_at is not None
    assert fingerprint(app, core.b) == other


def test_refused_webhooks_answer_why_and_change_nothing(app, tenants, core):
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    with app.app_context(), tenant_context(core.a):
        inventory.reserve(shirt, store, 4, order_id=None, expires_at=None)
        db.session.commit()
    before_a, before_b = fingerprint(app, core.a), fingerprint(app, core.b)
    sign = core.state.signed
    good = {"sku": "AK-CH-M-B", "store": "S0", "on_hand": 8}
    headers, body = sign("stock.changed", good)
    now = int(time.time())

    def forged(**changes):
        return {**headers, **changes}

    cases = [
        (forged(**{"X-AfriGest-Signature": "sha256=" + "0" * 64}), body, 401, "invalid_signature"),
        ({k: v for k, v in headers.items() if k != "X-AfriGest-Signature"}, body, 401, "invalid_signature"),
        (headers, body.replace(b"8", b"9"), 401, "invalid_signature"),  # body changed after signing
        (*sign("stock.changed", good, timestamp=now - 301), 401, "stale_timestamp"),
        (*sign("stock.changed", good, timestamp=now + 301), 401, "stale_timestamp"),
        (*sign("stock.changed", good, timestamp="9" * 5000), 401, "stale_timestamp"),
    ]
    malformed = b'{"type": "stock.changed", "data": '
    ts = str(now)
    cases += [
        ({**headers, "X-AfriGest-Timestamp": ts, "X-AfriGest-Signature": signature("secret-a", ts, malformed)},
         malformed, 400, "malformed"),
        ({**headers, "X-AfriGest-Timestamp": ts, "X-AfriGest-Signature": signature("secret-a", ts, b"[1, 2]")},
         b"[1, 2]", 400, "malformed"),
        ({**headers, "X-AfriGest-Event-Id": ""}, body, 400, "malformed"),
    ]
    for request_headers, request_body, status, reason in cases:
        response = post_hook(app, core.a, request_headers, request_body)
        assert response.status_code == status, (reason, response.json)
        assert response.json["error"]["reason"] == reason and response.json["error"]["code"] == status
    assert events(app, core.a) == []  # nothing unauthenticated or unreadable is stored

    rejected = [
        ({"sku": "AK-NOPE", "store": "S0", "on_hand": 8}, "unknown_sku"),
        ({"sku": "PL-CH-M-B", "store": "S0", "on_hand": 8}, "unknown_sku"),  # the other tenant's SKU
        ({"sku": "AK-CH-M-B", "store": "S9", "on_hand": 8}, "unknown_store"),
        ({"sku": "AK-CH-M-B", "store": "S0", "on_hand": -1}, "invalid_value"),
        ({"sku": "AK-CH-M-B", "store": "S0", "on_hand": 8.5}, "invalid_value"),
        ({"sku": "AK-CH-M-B", "store": "S0", "on_hand": "8"}, "invalid_value"),
        ({"sku": "AK-CH-M-B", "store": "S0", "on_hand": 3}, "below_reserved"),  # 4 are reserved
    ]
    for data, reason in rejected:
        response = post_hook(app, core.a, *sign("stock.changed", data))
        assert response.status_code == 422 and response.json["error"]["reason"] == reason, (data, response.json)
    response = post_hook(app, core.a, *sign("stock.vanished", good))
    assert response.status_code == 422 and response.json["error"]["reason"] == "unknown_event_type"
    assert fingerprint(app, core.a)[:4] == before_a[:4]
    assert {outcome for _, _, outcome in events(app, core.a)} == {"rejected"}
    assert level(app, core.a, shirt, store) == ((10, 4), (10, 4))

    # down to exactly what is reserved is fine
    assert post_hook(app, core.a, *sign("stock.changed", {**good, "on_hand": 4})).status_code == 200
    assert level(app, core.a, shirt, store) == ((4, 4), (4, 4))
    assert fingerprint(app, core.b) == before_b


def test_a_webhook_signed_with_another_tenants_secret_is_refused(app, tenants, core):
    before_a, before_b = fingerprint(app, core.a), fingerprint(app, core.b)
    b_core = CoreState(token="x", webhook_secret="secret-b")
    response = post_hook(app, core.a, *b_core.signed("stock.changed", {"sku": "AK-CH-M-B", "store": "S0",
                                                                        "on_hand": 1}))
    assert response.status_code == 401 and response.json["error"]["reason"] == "invalid_signature"
    assert fingerprint(app, core.a) == before_a and fingerprint(app, core.b) == before_b
    # B's own secret on B's path works, for B only
    response = post_hook(app, core.b, *b_core.signed("stock.changed", {"sku": "PL-CH-M-B", "store": "S0",
                                                                        "on_hand": 1}))
    assert response.status_code == 200
    assert level(app, core.b, tenants.b["shirt"].variant_ids[0], tenants.b.stores[0].id) == ((1, 0), (1, 0))
    assert fingerprint(app, core.a) == before_a


def test_unknown_or_suspended_tenant_answers_json_404(app, tenants, core):
    client = app.test_client()
    headers, body = core.state.signed("stock.changed", {"sku": "AK-CH-M-B", "store": "S0", "on_hand": 1})
    response = client.post(hook_url(999999), data=body, headers=headers)
    assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_tenant"
    with app.app_context():
        db.session.execute(update(Tenant).where(Tenant.id == core.a).values(status="suspended"))
        db.session.commit()
    response = client.post(hook_url(core.a), data=body, headers=headers)
    assert response.status_code == 404 and response.json["error"]["reason"] == "unknown_tenant"
    assert client.get(hook_url(core.b)).status_code == 405  # JSON too, whatever the Host
    assert client.get(hook_url(core.b)).json["error"]["code"] == 405
    assert events(app, core.a) == []
    with app.app_context():  # a suspended tenant's link is not checked nor polled
        assert run("app.sync.jobs.check_connections", None) == {core.b: "webhook"}


def product_payload(**changes):
    payload = {"sku": "AK-CH", "name": "Chemise wax premium", "brand": "Wax & Co", "barcode": "6001234567890",
               "base_price": 17000, "cost": 9000, "status": "active",
               "variants": [{"sku": "AK-CH-M-B", "attributes": {"Taille": "M", "Couleur": "Bleu nuit"},
                             "price": 17500, "barcode": "6001234567891", "weight_grams": 250},
                            {"sku": "AK-CH-XL-B", "attributes": {"Taille": "XL", "Couleur": "Bleu"},
                             "price": None, "barcode": "", "weight_grams": 300}]}
    return {**payload, **changes}


def test_product_upserted_updates_core_fields_and_keeps_the_shops_web_fields(app, tenants, core):
    other = fingerprint(app, core.b)
    with app.app_context(), tenant_context(core.a):
        shirt = db.session.get(Product, tenants.a["shirt"].id)
        catalog.change_slug(shirt, "chemise-de-la-maison")
        shirt.seo_title, shirt.seo_description = "Chemise wax à Douala", "La chemise de la maison"
        shirt.price_override, shirt.sort_order, shirt.web_description = 14000, 7, "<p>Notre texte</p>"
        catalog.refresh_listing(shirt)
        db.session.commit()

    response = post_hook(app, core.a, *core.state.signed("product.upserted", product_payload()))
    assert response.status_code == 200 and response.json["result"] == {"sku": "AK-CH", "created": False}
    with app.app_context(), tenant_context(core.a):
        shirt = db.session.get(Product, tenants.a["shirt"].id)
        assert (shirt.name, shirt.brand, shirt.base_price, shirt.cost, shirt.barcode) == (
            "Chemise wax premium", "Wax & Co", 17000, 9000, "6001234567890")
        assert (shirt.slug, shirt.seo_title, shirt.seo_description, shirt.price_override, shirt.sort_order,
                shirt.web_description, shirt.featured, shirt.visible) == (
            "chemise-de-la-maison", "Chemise wax à Douala", "La chemise de la maison", 14000, 7,
            "<p>Notre texte</p>", True, True)
        assert shirt.price == 14000  # the shop's override still wins
        variants = {v.sku: v for v in shirt.variants}
        assert list(variants) == ["AK-CH-M-B", "AK-CH-L-B", "AK-CH-M-R", "AK-CH-XL-B"]
        assert (variants["AK-CH-M-B"].price, variants["AK-CH-M-B"].weight_grams) == (17500, 250)
        assert variants["AK-CH-L-B"].price == 16000  # not sent by the core: left alone
        options = db.session.execute(select(VariantOption.name, VariantOption.value)
                                     .where(VariantOption.variant_id == variants["AK-CH-M-B"].id)).all()
        assert sorted(options) == [("Couleur", "Bleu nuit"), ("Taille", "M")]
        assert db.session.scalar(select(func.count(VariantOption.id)).where(
            VariantOption.variant_id == variants["AK-CH-XL-B"].id)) == 2
        shirt.price_override = None
        catalog.refresh_listing(shirt)
        assert shirt.price == 16000  # lowest of 17500, 16000 and the new base 17000
        db.session.rollback()

    # a new product is created, listed, with a slug of its own
    new = {"sku": "AK-BOU", "name": "Boubou brodé", "base_price": 25000}
    response = post_hook(app, core.a, *core.state.signed("product.upserted", new))
    assert response.json["result"] == {"sku": "AK-BOU", "created": True}
    with app.app_context(), tenant_context(core.a):
        made = db.session.scalar(select(Product).where(Product.sku == "AK-BOU"))
        assert (made.slug, made.listed, made.price, [v.sku for v in made.variants]) == (
            "boubou-brode", True, 25000, ["AK-BOU"])
    # a variant SKU of another product, or a float price, is refused and changes nothing
    before = fingerprint(app, core.a)
    for payload, reason in ((product_payload(sku="AK-SD"), "sku_conflict"),
                            (product_payload(base_price=170.5), "invalid_value"),
                            (product_payload(status="sold"), "invalid_value"),
                            ({"sku": "AK-X"}, "invalid_value")):
        response = post_hook(app, core.a, *core.state.signed("product.upserted", payload))
        assert response.status_code == 422 and response.json["error"]["reason"] == reason
    assert fingerprint(app, core.a)[:4] == before[:4]
    assert fingerprint(app, core.b) == other


def api(app, tenant_id, path, key=None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return app.test_client().post(f"/api/tenants/{tenant_id}/ecommerce{path}", headers=headers)


def cli_key(app, slug, *scopes):
    args = ["create-api-key", slug, "ERP"] + [a for s in scopes for a in ("--scope", s)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_api_keys_guard_the_sync_endpoints(app, tenants, core):
    catalog_key = cli_key(app, "akwa", "catalog:write")
    stock_key = cli_key(app, "akwa", "inventory:write")
    other_key = cli_key(app, "plateau", "catalog:write", "inventory:write")
    assert app.test_cli_runner().invoke(args=["create-api-key", "akwa", "x", "--scope", "orders:write"]).exit_code
    with app.app_context(), tenant_context(core.a):
        stored = db.session.scalars(select(ApiKey)).all()
        assert len(stored) == 2 and all(len(k.key_hash) == 64 and k.key_hash not in catalog_key for k in stored)
    before_a, before_b = fingerprint(app, core.a), fingerprint(app, core.b)
    prefix = catalog_key.split(".")[0]
    for path, good, wrong_scope in (("/products/sync", catalog_key, stock_key),
                                    ("/sync-inventory", stock_key, catalog_key)):
        for key, status, reason in ((None, 401, "missing_api_key"), ("garbage", 401, "invalid_api_key"),
                                    ("ZZ\x00.x", 401, "invalid_api_key"), (" ", 401, "missing_api_key"),
                                    (f"{prefix}.not-the-secret", 401, "invalid_api_key"),
                                    (other_key, 401, "invalid_api_key"),
                                    (wrong_scope, 403, "insufficient_scope")):
            response = api(app, core.a, path, key)
            assert response.status_code == status and response.json["error"]["reason"] == reason, (path, key)
        assert api(app, 999999, path, good).status_code == 404
        assert api(app, 2**40, path, good).json["error"]["reason"] == "unknown_tenant"
        assert api(app, core.b, path, good).status_code == 401  # A's key on B's path
    run_jobs(app)
    assert fingerprint(app, core.a) == before_a and fingerprint(app, core.b) == before_b
    assert link(app, core.a).last_poll_at is None  # nothing was pulled

    with app.app_context(), tenant_context(core.a):
        db.session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(revoked_at=utcnow()))
        db.session.commit()
    assert api(app, core.a, "/products/sync", catalog_key).json["error"]["reason"] == "invalid_api_key"


def test_api_sync_endpoints_queue_a_pull_from_the_core(app, tenants, core):
    with app.app_context(), tenant_context(core.a):
        _, key = create_api_key("ERP", ["catalog:write", "inventory:write"])
        db.session.commit()
    other = fingerprint(app, core.b)
    core.state.set_stock("AK-SD", "S2", 2)
    core.state.upsert_product({"sku": "AK-PAG", "name": "Pagne Vlisco", "base_price": 30000})
    response = api(app, core.a, "/sync-inventory", key)
    assert response.status_code == 202
    assert response.json == {"status": "queued", "job": "app.sync.jobs.pull", "pull": "stock", "queue": "sync"}
    run_jobs(app)
    assert level(app, core.a, tenants.a["sandals"].variant_ids[0], tenants.a.stores[2].id) == ((2, 0), (2, 0))
    assert link(app, core.a).last_poll_at is None  # a stock pull is a snapshot: no catalog cursor moves

    response = api(app, core.a, "/products/sync", key)
    assert response.status_code == 202 and response.json["pull"] == "products"
    run_jobs(app)
    with app.app_context(), tenant_context(core.a):
        assert db.session.scalar(select(Product.name).where(Product.sku == "AK-PAG")) == "Pagne Vlisco"
        assert db.session.scalar(select(ApiKey.last_used_at)) is not None
    assert link(app, core.a).last_poll_at is not None
    assert core.state.requests.count("GET /api/products") == 1  # the stock pull asked for no products

    core.state.down = True  # an on-demand pull that fails starts the backoff too
    api(app, core.a, "/sync-inventory", key)
    run_jobs(app)
    state = link(app, core.a)
    assert state.poll_failures == 1 and "HTTP 503" in state.last_error
    assert fingerprint(app, core.b) == other


def test_api_without_core_connection_answers_409(app, tenants):
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        _, key = create_api_key("ERP", ["inventory:write"])
        db.session.commit()
    response = api(app, tenants.b.tenant.id, "/sync-inventory", key)
    assert response.status_code == 409 and response.json["error"]["reason"] == "no_core_connection"
    with app.app_context():  # unlinked between the request and the job: nothing to retry
        assert run("app.sync.jobs.pull", tenants.b.tenant.id, "stock") == {"status": "not_connected"}


def test_stock_changed_in_the_core_reaches_the_shop_within_one_webhook(app, tenants, core, app_server):
    core.state.webhook_url = app_server + hook_url(core.a)
    other = fingerprint(app, core.b)
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    core.state.set_stock("AK-CH-M-B", "S0", 3)
    assert core.state.push_stock("AK-CH-M-B", "S0")[0] == 200
    assert level(app, core.a, shirt, store) == ((3, 0), (3, 0))

    # the simulator's admin endpoint: change the stock and push it in one call
    request = Request(core.url + "/admin/stock", method="POST",
                      data=json.dumps({"sku": "AK-CH-M-B", "store": "S0", "on_hand": 12, "push": True}).encode(),
                      headers={"Authorization": "Bearer core-token-a", "Content-Type": "application/json"})
    with urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["webhook"]["status"] == 200
    assert level(app, core.a, shirt, store) == ((12, 0), (12, 0))
    core.state.upsert_product(product_payload(name="Chemise wax 2026"))
    assert core.state.push_product("AK-CH")[0] == 200
    with app.app_context(), tenant_context(core.a):
        assert db.session.get(Product, tenants.a["shirt"].id).name == "Chemise wax 2026"
    assert fingerprint(app, core.b) == other


def test_stock_reaches_the_shop_within_one_polling_interval_when_webhooks_stop(app, tenants, core):
    other = fingerprint(app, core.b)
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    core.state.set_stock("AK-CH-M-B", "S0", 6)
    core.state.set_stock("AK-UNKNOWN", "S0", 6)  # refused, and does not hold back the rest
    core.state.upsert_product({"sku": "AK-PAG", "name": "Pagne Vlisco", "base_price": 30000})
    with app.app_context():
        assert run("app.sync.jobs.check_connections", None) == {core.a: "webhook", core.b: "webhook"}
    assert level(app, core.a, shirt, store) == ((10, 0), (10, 0)) and core.state.requests == []

    age_link(app, core.a, last_webhook_at=utcnow() - timedelta(seconds=901))
    with app.app_context():
        assert run("app.sync.jobs.check_connections", None) == {core.a: "ok", core.b: "webhook"}
    state = link(app, core.a)
    assert state.mode == "degraded" and state.last_poll_at is not None and state.poll_failures == 0
    assert level(app, core.a, shirt, store) == ((6, 0), (6, 0))
    with app.app_context(), tenant_context(core.a):
        assert db.session.scalar(select(Product.name).where(Product.sku == "AK-PAG")) == "Pagne Vlisco"
    assert core.state.requests == ["GET /api/products", "GET /api/stock"]

    # the next poll asks only for what changed since, and applies nothing twice
    moves = fingerprint(app, core.a)[1]
    with app.app_context():
        run("app.sync.jobs.check_connections", None)
    assert fingerprint(app, core.a)[1] == moves and level(app, core.a, shirt, store)[0] == (6, 0)
    assert len(core.state.requests) == 4

    # a webhook brings the link back: polling stops
    assert post_hook(app, core.a, *core.state.signed("stock.changed", {"sku": "AK-CH-M-B", "store": "S0",
                                                                        "on_hand": 5})).status_code == 200
    assert link(app, core.a).mode == "webhook"
    with app.app_context():
        run("app.sync.jobs.check_connections", None)
    assert len(core.state.requests) == 4
    assert link(app, core.b).mode == "webhook" and fingerprint(app, core.b) == other


def test_polling_backs_off_while_the_core_is_down(app, tenants, core):
    other = fingerprint(app, core.b)
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    core.state.set_stock("AK-CH-M-B", "S0", 2)
    core.state.down = True
    age_link(app, core.a, last_webhook_at=utcnow() - timedelta(hours=1))

    def check():
        with app.app_context():
            return run("app.sync.jobs.check_connections", None)[core.a]

    assert check() == "failed"
    first = link(app, core.a)
    assert first.mode == "degraded" and first.poll_failures == 1 and "HTTP 503" in first.last_error
    assert timedelta(seconds=110) < first.next_poll_at - utcnow() <= timedelta(seconds=120)
    served = len(core.state.requests)
    assert check() == "not_due" and len(core.state.requests) == served  # no poll before next_poll_at
    assert link(app, core.a).poll_failures == 1

    age_link(app, core.a, next_poll_at=utcnow() - timedelta(seconds=1))
    assert check() == "failed"
    second = link(app, core.a)
    assert second.poll_failures == 2
    assert timedelta(seconds=230) < second.next_poll_at - utcnow() <= timedelta(seconds=240)
    assert [backoff_seconds(n) for n in (1, 2, 3, 6, 20)] == [120, 240, 480, 3600, 3600]
    assert level(app, core.a, shirt, store) == ((10, 0), (10, 0))

    core.state.down = False
    age_link(app, core.a, next_poll_at=utcnow() - timedelta(seconds=1))
    assert check() == "ok"
    back = link(app, core.a)
    assert (back.poll_failures, back.last_error, back.next_poll_at, back.mode) == (0, "", None, "degraded")
    assert level(app, core.a, shirt, store) == ((2, 0), (2, 0))
    assert fingerprint(app, core.b) == other and link(app, core.b).poll_failures == 0


def test_connect_core_command(app, tenants):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["connect-core", "plateau", "https://core.plateau.ci/", "--token", "t0k",
                                 "--interval", "600"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert f"/api/tenants/{tenants.b.tenant.id}/ecommerce/sync/webhook" in result.output
    assert runner.invoke(args=["connect-core", "plateau", "ftp://core"]).exit_code != 0
    assert runner.invoke(args=["connect-core", "nowhere", "https://core"]).exit_code != 0
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        row = db.session.scalar(select(CoreConnection))
        assert (row.base_url, row.api_token, row.webhook_secret, row.expected_interval_s) == (
            "https://core.plateau.ci", "t0k", secret, 600)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.scalar(select(CoreConnection)) is None


scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = scalars | st.lists(scalars, max_size=4) | st.dictionaries(
    st.text(max_size=10), scalars | st.lists(scalars, max_size=3), max_size=4)
stock_data = st.fixed_dictionaries({}, optional={
    "sku": st.sampled_from(["AK-CH-M-B", "AK-SD", "PL-SD", ""]) | st.text(),
    "store": st.sampled_from(["S0", "S1", "S9"]) | st.text(), "on_hand": st.integers(-5, 50) | json_values})
product_data = st.fixed_dictionaries(
    {"sku": st.sampled_from(["AK-CH", "AK-SD", "AK-NEW"]) | st.text(max_size=70)},
    optional={"name": st.text(max_size=210), "base_price": st.integers(-10, 10**10) | json_values,
              "status": st.sampled_from(["active", "draft", "x"]), "brand": json_values,
              "variants": st.lists(st.fixed_dictionaries({"sku": st.sampled_from(["AK-CH-M-B", "AK-SD", "AK-V"])},
                                                         optional={"attributes": json_values, "price": json_values,
                                                                   "weight_grams": json_values}), max_size=3)
              | json_values})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["stock.changed", "product.upserted", "Stock", "x" * 50]),
       data=stock_data | product_data | json_values, event_id=st.sampled_from([None, "evt-1", "é", "a" * 101]))
def test_fuzzed_signed_webhooks_never_fail_nor_break_the_ledger(app, tenants, core, kind, data, event_id):
    if isinstance(data, dict):
        headers, body = core.state.signed(kind, data, event_id=event_id)
    else:  # a body that is not the expected envelope, signed all the same
        body = json.dumps(data).encode()
        headers, _ = core.state.signed(kind, {}, event_id=event_id)
        headers["X-AfriGest-Signature"] = signature("secret-a", headers["X-AfriGest-Timestamp"], body)
    response = post_hook(app, core.a, headers, body)
    assert response.status_code in (200, 400, 422) and response.is_json
    with app.app_context(), tenant_context(core.a):
        for variant_id, store_id, on_hand, reserved in db.session.execute(
                select(StockLevel.variant_id, StockLevel.store_id, StockLevel.on_hand, StockLevel.reserved)).all():
            assert inventory.ledger_totals(variant_id, store_id) == (on_hand, reserved)
