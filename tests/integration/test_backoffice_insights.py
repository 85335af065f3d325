"""Back-office dashboard, inventory and customers: figures checked against a known set of
orders, stock adjustments through the ledger with their audit entry, roles, tenant sealing,
and every htmx endpoint as a full page and as a fragment."""
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.db import tenant_context
from app.customers.models import Address, Customer
from app.extensions import db
from app.inventory.models import StockLevel, StockMovement
from app.inventory.services import ledger_totals
from app.orders.models import Order, OrderLine, OrderStatusChange
from app.payments.models import Payment
from app.reports import dashboard as stats
from tests.support.backoffice import login
from tests.support.clients import client_for, csrf_token
from tests.support.shopping import add_to_cart, checkout_fields

HX = {"HX-Request": "true"}
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    stats.clear_cache()  # ids restart in every test: a cached dashboard must not leak across
    yield
    stats.clear_cache()


# --- helpers ------------------------------------------------------------------------------

def local(day, hour=10, minute=0, offset=timedelta(hours=1)):
    """A naive-UTC timestamp for a local wall-clock time of the Douala shop (UTC+1)."""
    return datetime.combine(day, time(hour, minute)) - offset


def make_order(number, created_at, total, *, status="delivered", payment="paid", method="cod", lines=(),
               shipped_after_h=None, customer=None):
    order = Order(number=number, payment_method=method, currency="XAF", subtotal=total, total=total,
                  status=status, payment_status=payment, delivery_method="home", shipping_method="standard",
                  created_at=created_at, customer_id=customer.id if customer else None,
                  email=customer.email if customer else "", phone=(customer.phone or "") if customer else "")
    for product_id, variant_id, qty, unit in lines:
        order.lines.append(OrderLine(product_id=product_id, variant_id=variant_id, sku=f"SKU{variant_id}",
                                     name="x", unit_price=unit, quantity=qty, line_total=unit * qty))
    order.history.append(OrderStatusChange(field="status", from_status=None, to_status="received",
                                           created_at=created_at))
    if shipped_after_h is not None:
        order.history.append(OrderStatusChange(field="status", from_status="prepared", to_status="shipped",
                                               created_at=created_at + timedelta(hours=shipped_after_h)))
    db.session.add(order)
    db.session.flush()
    return order


def add_payment(order, status):
    try:
        from app.payments.models import Payment
    except ImportError:
        return  # before the payments module: the rates come from the orders themselves
    db.session.add(Payment(order_id=order.id, method=order.payment_method, status=status, amount=order.total,
                           currency="XAF", reference=f"ref-{order.number}", created_at=order.created_at,
                           expires_at=order.created_at + timedelta(minutes=15)))


@pytest.fixture
def sales(app, tenants):
    """Orders of a known week (this one) and of the week before, plus noise that must not count."""
    today, offset = stats.local_clock("Africa/Douala")
    first = today - timedelta(days=6)
    shirt, sandals = tenants.a["shirt"], tenants.a["sandals"]
    with app.app_context():
        with tenant_context(tenants.a.tenant.id):
            awa = Customer(email="awa@example.cm", phone="+237677123456", first_name="Awa", last_name="Ndiaye")
            awa.addresses.append(Address(city="Douala", quarter="Akwa", address="Rue Joss", is_default=True))
            db.session.add(awa)
            db.session.flush()
            # 00:30 local on the first day is still the previous day in UTC: it belongs to this week.
            make_order("AG-000001", local(first, 0, 30, offset), 10000, lines=[(shirt.id, shirt.variant_ids[0], 2,
                                                                                5000)],
                       shipped_after_h=24, customer=awa)
            make_order("AG-000002", local(today - timedelta(days=3), offset=offset), 20000, status="shipped",
                       payment="pending", lines=[(sandals.id, sandals.variant_ids[0], 1, 20000)], shipped_after_h=48)
            cancelled = make_order("AG-000003", local(today - timedelta(days=2), offset=offset), 6000,
                                   status="cancelled", payment="failed", method="momo", customer=awa)
            waiting = make_order("AG-000004", local(today - timedelta(days=1), offset=offset), 4000, status="received",
                                 payment="paid", method="momo", lines=[(shirt.id, shirt.variant_ids[1], 1, 4000)],
                                 customer=awa)
            add_payment(cancelled, "failed")
            add_payment(waiting, "succeeded")
            # the week before: 23:30 local on its last day is already this week's first day in UTC
            make_order("AG-000005", local(first - timedelta(days=1), 23, 30, offset), 8000, shipped_after_h=12,
                       customer=awa)
            make_order("AG-000006", local(first - timedelta(days=5), offset=offset), 9000, status="returned",
                       payment="refunded", shipped_after_h=10)
            make_order("AG-000007", local(today - timedelta(days=20), offset=offset), 99999, customer=awa)
            db.session.commit()
            ids = {"awa": awa.id, "cancelled": cancelled.id}
        with tenant_context(tenants.b.tenant.id):
            make_order("AG-000001", local(today - timedelta(days=1), offset=offset), 55555)
            db.session.commit()
    return {"first": first, "today": today, **ids}


def grid_level(app, tenants, variant_id, store_id):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        row = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant_id,
                                                         StockLevel.store_id == store_id))
        return (row.on_hand, row.reserved) if row else None


def adjust(client, variant_id, htmx=False, **fields):
    data = {"csrf_token": csrf_token(client, "/backoffice/inventory"), "view": "page", **fields}
    return client.post(f"/backoffice/inventory/variants/{variant_id}/adjust", data=data,
                       headers=HX if htmx else {})


# --- dashboard ----------------------------------------------------------------------------

def test_dashboard_figures_against_the_previous_period(app, tenants, staff, sales):
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        board = stats.compute(stats.Period(sales["first"], sales["today"], timedelta(hours=1)))
    t, p = board.totals, board.previous_totals
    assert (t.orders, t.revenue, t.sold_orders, t.average, t.cashed) == (4, 34000, 3, 11333, 14000)
    assert (p.orders, p.revenue, p.average) == (2, 8000, 8000)
    assert t.by_status == {"delivered": 1, "shipped": 1, "cancelled": 1, "received": 1}
    assert stats.change(t.revenue, p.revenue) == 325 and stats.change(t.orders, p.orders) == 100
    rates = {r.method: (r.succeeded, r.failed, r.rate) for r in board.payment_rates}
    assert rates["cod"] == (1, 0, 100) and rates["momo"] == (1, 1, 50)
    # shipped during the week: 24 h, 48 h, and last week's late order after 12 h
    assert board.lead_time.shipped == 3 and board.lead_time.average_hours == pytest.approx(28, abs=0.01)
    assert board.lead_time.median_hours == pytest.approx(24, abs=0.01)
    assert board.previous_lead_time.average_hours == pytest.approx(10, abs=0.01)
    assert [(tp.name, tp.units, tp.revenue) for tp in board.top_products] == [
        ("Chemise pagne wax", 3, 14000), ("Sandales en cuir tressé", 1, 20000)]
    assert board.stock_outs == 1  # the watch was never stocked; the hidden product is not listed
    assert len(board.series) == 7 and sum(n for _, n, _ in board.series) == 4
    assert board.series[0] == (sales["first"], 1, 10000)  # the 00:30 local order is on the first day
    assert sum(r for _, _, r in board.previous_series) == 8000

    client, _ = login(app, "akwa", "pdg@akwa.cm")
    url = f"/backoffice/dashboard?period=custom&start={sales['first']}&end={sales['today']}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1>" in html
    assert f"34{NNBSP}000" in html and f"11{NNBSP}333" in html and "+325" in html and "+100" in html
    assert html.count('<svg class="chart"') == 4 and '<title id="chart' in html and "<desc" in html
    assert "55" + NNBSP + "555" not in html and "99" + NNBSP + "999" not in html
    fragment = client.get(url, headers=HX)
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="dashboard"')
    assert "HX-Request" in fragment.headers.get("Vary", "")
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    theirs = other.get(url).get_data(as_text=True)
    assert "55" + NNBSP + "555" in theirs and f"34{NNBSP}000" not in theirs


def test_dashboard_presets_errors_and_roles(app, tenants, staff, sales):
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    week = client.get("/backoffice/dashboard?period=7d").get_data(as_text=True)
    assert f"34{NNBSP}000" in week
    assert client.get("/backoffice/dashboard").status_code == 200  # 30 days by default
    today = client.get("/backoffice/dashboard?period=today").get_data(as_text=True)
    assert f"34{NNBSP}000" not in today
    bad = client.get(f"/backoffice/dashboard?period=custom&start={sales['today']}&end={sales['first']}")
    assert bad.status_code == 422 and "précède" in bad.get_data(as_text=True)
    assert client.get("/backoffice/dashboard?period=custom&start=2026-01-01").status_code == 422
    support, _ = login(app, "akwa", "support@akwa.cm")
    assert support.get("/backoffice/dashboard").status_code == 403


# --- inventory ----------------------------------------------------------------------------

def test_pdg_adjusts_stock_through_the_ledger_with_an_audit_entry(app, tenants, staff):
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    form = client.get(f"/backoffice/inventory/variants/{shirt}/adjust")
    assert form.status_code == 200 and 'name="delta"' in form.get_data(as_text=True)
    response = adjust(client, shirt, store_id=store, delta="-3", reason="damaged", note="carton mouillé")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/backoffice/inventory/variants/{shirt}")
    assert grid_level(app, tenants, shirt, store) == (7, 0)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        move = db.session.scalar(select(StockMovement).where(StockMovement.kind == "adjustment"))
        assert (move.on_hand_delta, move.reason, move.actor) == (-3, "damaged — carton mouillé", "pdg@akwa.cm")
        assert ledger_totals(shirt, store) == (7, 0)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "stock.adjust"))
        assert entry.actor == "pdg@akwa.cm" and entry.before["on_hand"] == 10 and entry.after["on_hand"] == 7
        assert entry.after["reason"] == "damaged" and entry.after["delta"] == -3
    page = client.get(f"/backoffice/inventory/variants/{shirt}").get_data(as_text=True)
    assert "Casse ou produit abîmé — carton mouillé" in page and "Ajustement" in page
    # a receipt into a store that never had this variant creates its level
    assert adjust(client, shirt, store_id=tenants.a.stores[2].id, delta="5", reason="received").status_code == 303
    assert grid_level(app, tenants, shirt, tenants.a.stores[2].id) == (5, 0)


def test_adjustment_needs_a_reason_and_cannot_take_reserved_units(app, tenants, staff):
    variant, store = tenants.a["sandals"].variant_ids[0], tenants.a.stores[-1].id
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    missing = adjust(client, variant, store_id=store, delta="-1", reason="")
    assert missing.status_code == 422 and "Choisissez un motif" in missing.get_data(as_text=True)
    other = adjust(client, variant, store_id=store, delta="-1", reason="other", note=" ")
    assert other.status_code == 422 and "Précisez le motif" in other.get_data(as_text=True)
    zero = adjust(client, variant, store_id=store, delta="0", reason="count")
    assert zero.status_code == 422
    shop = client_for(app, "akwa")  # a shopper reserves 2 of the 6 sandals
    add_to_cart(shop, variant, 2)
    assert shop.post("/shop/checkout", data=checkout_fields(shop, delivery_method="pickup",
                                                           pickup_store=store)).status_code == 303
    assert grid_level(app, tenants, variant, store) == (6, 2)
    too_many = adjust(client, variant, store_id=store, delta="-5", reason="lost", htmx=True)
    assert too_many.status_code == 422 and "seules 4 sont disponibles" in too_many.get_data(as_text=True)
    assert grid_level(app, tenants, variant, store) == (6, 2)
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.scalar(select(func.count()).select_from(StockMovement)
                                 .where(StockMovement.kind == "adjustment")) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_stock_adjustment_in_place_with_htmx(app, tenants, staff):
    shirt, store = tenants.a["shirt"].variant_ids[1], tenants.a.stores[0].id
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    editing = client.get(f"/backoffice/inventory/variants/{shirt}/adjust?view=row", headers=HX)
    html = editing.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="stock-{shirt}" class="editing">') and 'hx-post=' in html
    cancel = client.get(f"/backoffice/inventory/variants/{shirt}/row", headers=HX).get_data(as_text=True)
    assert f'<tr id="stock-{shirt}">' in cancel
    assert client.get(f"/backoffice/inventory/variants/{shirt}/row").status_code == 303  # no JS: the variant page
    row = adjust(client, shirt, htmx=True, view="row", store_id=store, delta="4", reason="count")
    body = row.get_data(as_text=True)
    assert row.status_code == 200 and f'<tr id="stock-{shirt}">' in body and 'hx-swap-oob="true"' in body
    assert ">14<" in body and "ajusté" in body
    assert grid_level(app, tenants, shirt, store) == (14, 0)
    bad = adjust(client, shirt, htmx=True, view="row", store_id=store, delta="x", reason="count")
    assert bad.status_code == 422 and f'<tr id="stock-{shirt}" class="editing">' in bad.get_data(as_text=True)
    panel = adjust(client, shirt, htmx=True, view="variant", store_id=store, delta="-1", reason="correction")
    assert panel.status_code == 200 and panel.get_data(as_text=True).lstrip().startswith('<div id="variant-stock"')
    assert grid_level(app, tenants, shirt, store) == (13, 0)


def test_stock_grid_search_low_stock_and_fragments(app, tenants, staff):
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/inventory")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "AK-CH-M-B" in html and "AK-SD" in html and "PL-CH" not in html
    assert "Douala Akwa" in html and "Yaoundé Centre" in html
    found = client.get("/backoffice/inventory?q=ak-ch", headers=HX).get_data(as_text=True)
    assert found.lstrip().startswith('<div id="stock-grid"') and "AK-CH-L-B" in found and "AK-SD" not in found
    by_name = client.get("/backoffice/inventory?q=sandales").get_data(as_text=True)
    assert "AK-SD" in by_name and "AK-CH-M-B" not in by_name
    # Yaoundé holds 4 shirts: not low (threshold 3) until two go
    shirt, yaounde = tenants.a["shirt"].variant_ids[0], tenants.a.stores[1].id
    low = client.get("/backoffice/inventory/low-stock").get_data(as_text=True)
    assert "AK-CH-M-B" not in low
    adjust(client, shirt, store_id=yaounde, delta="-2", reason="lost")
    low = client.get("/backoffice/inventory/low-stock").get_data(as_text=True)
    assert "AK-CH-M-B" in low and "Yaoundé Centre" in low
    assert 'class="cell low">2 <span' in client.get("/backoffice/inventory?q=AK-CH-M-B").get_data(as_text=True)
    only_douala = client.get(f"/backoffice/inventory/low-stock?store={tenants.a.stores[0].id}", headers=HX)
    text = only_douala.get_data(as_text=True)
    assert text.lstrip().startswith('<div id="low-stock"') and "AK-CH-M-B" not in text
    variant_page = client.get(f"/backoffice/inventory/variants/{shirt}")
    assert variant_page.status_code == 200 and "<h1>" in variant_page.get_data(as_text=True)
    fragment = client.get(f"/backoffice/inventory/variants/{shirt}?page=1", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="variant-stock"') and "Réception" in fragment


def test_reservations_list(app, tenants, staff):
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    assert shop.post("/shop/checkout", data=checkout_fields(shop)).status_code == 303
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    page = client.get("/backoffice/inventory/reservations").get_data(as_text=True)
    assert "AG-000001" in page and "AK-SD" in page and "1 réservation active" in page
    fragment = client.get("/backoffice/inventory/reservations?page=1", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="reservations"') and "AG-000001" in fragment
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    assert "AG-000001" not in other.get("/backoffice/inventory/reservations").get_data(as_text=True)


def test_inventory_roles_and_tenant_sealing(app, tenants, staff):
    shirt, store = tenants.a["shirt"].variant_ids[0], tenants.a.stores[0].id
    support, _ = login(app, "akwa", "support@akwa.cm")
    assert support.get("/backoffice/inventory").status_code == 403
    assert support.get(f"/backoffice/inventory/variants/{shirt}/adjust").status_code == 403
    token = csrf_token(support, "/backoffice/customers")
    denied = support.post(f"/backoffice/inventory/variants/{shirt}/adjust",
                          data={"csrf_token": token, "store_id": store, "delta": "5", "reason": "count"})
    assert denied.status_code == 403
    viewer, _ = login(app, "akwa", "viewer@akwa.cm")
    listing = viewer.get("/backoffice/inventory")
    assert listing.status_code == 200 and "Ajuster" not in listing.get_data(as_text=True)
    assert adjust(viewer, shirt, store_id=store, delta="5", reason="count").status_code == 403
    assert grid_level(app, tenants, shirt, store) == (10, 0)
    # plateau's staff cannot reach akwa's variant, nor adjust it with one of their stores
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    for path in (f"/backoffice/inventory/variants/{shirt}", f"/backoffice/inventory/variants/{shirt}/adjust"):
        assert other.get(path).status_code == 404
    assert other.get(f"/backoffice/inventory/variants/{shirt}/row", headers=HX).status_code == 404
    assert adjust(other, shirt, store_id=tenants.b.stores[0].id, delta="5", reason="count").status_code == 404
    # and akwa's pdg cannot post into plateau's store
    client, _ = login(app, "akwa", "pdg@akwa.cm")
    wrong_store = adjust(client, shirt, store_id=tenants.b.stores[0].id, delta="5", reason="count")
    assert wrong_store.status_code == 422
    assert grid_level(app, tenants, shirt, store) == (10, 0)


# --- customers ----------------------------------------------------------------------------

def test_customers_search_detail_and_lifetime_value(app, tenants, staff, sales):
    client, _ = login(app, "akwa", "support@akwa.cm")  # support reads customers
    listing = client.get("/backoffice/customers")
    html = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Awa Ndiaye" in html
    # LTV = paid orders only: 10 000 + 4 000 + 8 000 + 99 999 (the cancelled 6 000 does not count)
    assert f"121{NNBSP}999" in html
    for q in ("ndiaye", "awa@ex", "677 12 34 56", "+237677123456", "123456"):
        found = client.get(f"/backoffice/customers?q={q}", headers=HX).get_data(as_text=True)
        assert found.lstrip().startswith('<div id="customers"') and "Awa Ndiaye" in found, q
    assert "Awa Ndiaye" not in client.get("/backoffice/customers?q=koffi").get_data(as_text=True)
    detail = client.get(f"/backoffice/customers/{sales['awa']}")
    page = detail.get_data(as_text=True)
    assert detail.status_code == 200 and f"121{NNBSP}999" in page and "Rue Joss" in page
    assert "AG-000003" in page and "AG-000007" in page and "AG-000002" not in page
    assert ">5<" in page  # five orders, four of them paid
    fragment = client.get(f"/backoffice/customers/{sales['awa']}?page=1", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="customer-orders"') and "AG-000005" in fragment
    other, _ = login(app, "plateau", "pdg@plateau.cm")
    assert other.get(f"/backoffice/customers/{sales['awa']}").status_code == 404
    assert "Awa" not in other.get("/backoffice/customers?q=awa").get_data(as_text=True)


# --- bulk orders (benchmarks) -------------------------------------------------------------

def test_seed_orders_command_adds_consistent_orders(app, tenants):
    result = app.test_cli_runner().invoke(args=["seed-orders", "--tenant", "akwa", "--orders", "300"])
    assert result.exit_code == 0, result.output
    assert "300 commandes" in result.output
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Order)) == 300
        totals = db.session.execute(select(Order.id, Order.total, Order.subtotal, Order.shipping_total)).all()
        sums = dict(db.session.execute(select(OrderLine.order_id, func.sum(OrderLine.line_total))
                                       .group_by(OrderLine.order_id)).all())
        assert all(t == s + sh and sums[i] == s for i, t, s, sh in totals)
        # every order starts with one "received" entry in its history
        first = db.session.scalar(select(func.count()).select_from(OrderStatusChange)
                                  .where(OrderStatusChange.from_status.is_(None)))
        assert first == 300
        numbers = db.session.scalars(select(Order.number).order_by(Order.id)).all()
        assert numbers[0] == "AG-000001" and numbers[-1] == "AG-000300"
        # one payment attempt per online order, none for cash on delivery
        online = set(db.session.scalars(select(Order.id).where(Order.payment_method != "cod")))
        paid_for = db.session.scalars(select(Payment.order_id)).all()
        assert online and sorted(paid_for) == sorted(online)
        for level in db.session.scalars(select(StockLevel)):
            assert ledger_totals(level.variant_id, level.store_id) == (level.on_hand, level.reserved)
    with app.app_context(), tenant_context(tenants.b.tenant.id):
        assert db.session.scalar(select(func.count()).select_from(Order)) == 0
    # the next real order continues the numbering
    shop = client_for(app, "akwa")
    add_to_cart(shop, tenants.a["sandals"].variant_ids[0], 1)
    assert shop.post("/shop/checkout", data=checkout_fields(shop)).status_code == 303
    with app.app_context(), tenant_context(tenants.a.tenant.id):
        assert db.session.scalar(select(func.max(Order.number))) == "AG-000301"
