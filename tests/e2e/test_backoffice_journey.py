"""A PDG runs each demo tenant's back-office in a real Chromium with JavaScript: logs in, reads
the dashboard, moves a shop order through prepared → shipped → delivered, cancels another
and sees its stock come back, adjusts stock, edits a product and sees it on the shop, and
imports a CSV of 5 000 products while the progress bar polls."""
from __future__ import annotations

import csv
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.catalog.models import Product, Variant
from app.core.db import tenant_context
from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.models import Order
from app.reports import dashboard as stats
from app.staff.services import create_staff
from tests.e2e.backoffice_pages import BackOffice, Orders, Products, Stock, spaced
from tests.support.clients import client_for
from tests.support.shopping import add_to_cart, checkout_fields

PASSWORD = "un-long-secret"
IMPORTED = 5_000
# slug: (delivery city, contact phone, SKU prefix of the factories)
TENANTS = {"akwa": ("Douala", "6 77 12 34 56", "AK"), "plateau": ("Abidjan", "07 01 02 03 04", "PL")}


@pytest.fixture
def bo_page(browser, live_server):
    """bo_page(slug) → a fresh JavaScript page on that tenant's host."""
    contexts = []

    def make(slug: str):
        context = browser.new_context(locale="fr-FR", base_url=f"http://{slug}.localhost:{live_server}")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    stats.clear_cache()  # tenant ids restart in every test: a cached board must not leak
    yield
    stats.clear_cache()


def in_tenant(app, tenant_id, fn):
    with app.app_context(), tenant_context(tenant_id):
        return fn()


def level(app, tenant_id, variant_id, store_id) -> tuple[int, int]:
    def load():
        row = db.session.scalar(select(StockLevel).where(StockLevel.variant_id == variant_id,
                                                         StockLevel.store_id == store_id))
        return row.on_hand, row.reserved
    return in_tenant(app, tenant_id, load)


def place_order(app, slug: str, tenant_id: int, variant_id: int, quantity: int) -> tuple[str, int, int]:
    """A shopper's cash-on-delivery order through the shop (Flask client): (number, total, store id)."""
    city, phone, _ = TENANTS[slug]
    shopper = client_for(app, slug)
    assert add_to_cart(shopper, variant_id, quantity).status_code == 303
    response = shopper.post("/shop/checkout", data=checkout_fields(shopper, city=city, phone=phone))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return in_tenant(app, tenant_id, lambda: db.session.execute(
        select(Order.number, Order.total, Order.fulfilment_store_id).order_by(Order.id.desc()).limit(1)).one())


def counts(app, tenant_id) -> tuple[int, int]:
    return in_tenant(app, tenant_id, lambda: (db.session.scalar(select(func.count()).select_from(Product)),
                                              db.session.scalar(select(func.count()).select_from(Variant))))


def write_csv(path, prefix: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["sku", "name", "category", "price"])
        for i in range(IMPORTED):
            writer.writerow([f"{prefix}-IMP-{i:05d}", f"Pagne importé n° {i:05d}", f"Import > Lot {i % 10}",
                             1000 + i])


@pytest.mark.parametrize("slug", TENANTS)
def test_pdg_runs_the_back_office(app, tenants, bo_page, tmp_path, monkeypatch, slug, job_worker):
    shop = tenants.a if slug == "akwa" else tenants.b
    tenant_id, prefix = shop.tenant.id, TENANTS[slug][2]
    email = f"pdg@{slug}.test"
    in_tenant(app, tenant_id, lambda: (create_staff(email, "Directrice", "pdg", PASSWORD), db.session.commit()))
    shirt_m, shirt_l = shop["shirt"].variant_ids[:2]
    main_store = shop.stores[0]

    # two orders placed on the shop: one to deliver, one to cancel
    first, first_total, store_id = place_order(app, slug, tenant_id, shirt_m, 1)
    assert store_id == main_store.id
    l_before = level(app, tenant_id, shirt_l, main_store.id)
    second, second_total, _ = place_order(app, slug, tenant_id, shirt_l, 3)
    assert level(app, tenant_id, shirt_l, main_store.id) == (l_before[0], l_before[1] + 3)

    # log in; the dashboard has this period's figures and its charts
    page = bo_page(slug)
    board = BackOffice(page).login(email, PASSWORD)
    expect(board.kpi("Commandes")).to_have_text("2")
    expect(board.kpi("Chiffre d’affaires")).to_contain_text(spaced(first_total + second_total))
    expect(board.charts()).to_have_count(3)  # revenue, orders, statuses: cash on delivery makes no payment rate
    expect(board.charts().first).to_be_visible()

    # find the first order by its number and move it to delivered, each change in place
    orders = Orders(page).open_list()
    expect(orders.rows()).to_have_count(2)
    orders.search(first)
    order = orders.open_order(first)
    expect(order.current_step()).to_contain_text("Reçue")
    order.move_to("prepared", note="colis prêt")
    order.move_to("shipped", carrier="Yango Delivery", tracking="YG-77812")
    expect(order.status_panel()).to_contain_text("Expédiée avec Yango Delivery, numéro de suivi YG-77812")
    order.move_to("delivered")
    expect(order.status_panel().get_by_role("button")).to_have_text(["Passer à « Retournée »"])  # all that is left
    expect(order.status_panel().locator(".timeline li.done")).to_have_count(4)
    expect(order.history()).to_have_count(4)
    in_order = in_tenant(app, tenant_id, lambda: db.session.execute(
        select(Order.status, Order.carrier, Order.tracking_number).where(Order.number == first)).one())
    assert tuple(in_order) == ("delivered", "Yango Delivery", "YG-77812")

    # cancel the second order: its 3 held shirts are available again
    page.goto("/backoffice/orders")
    orders.search(second)
    order = orders.open_order(second)
    expect(order.available_here()).to_have_attribute("data-available", str(l_before[0] - l_before[1] - 3))
    order.cancel()
    expect(order.available_here()).to_have_attribute("data-available", str(l_before[0] - l_before[1]))
    assert level(app, tenant_id, shirt_l, main_store.id) == l_before
    assert in_tenant(app, tenant_id, lambda: db.session.scalar(
        select(Order.status).where(Order.number == second))) == "cancelled"

    stock = Stock(page).open()
    stock.search(f"{prefix}-CH-L-B", shirt_l)
    expect(stock.cell(shirt_l, 0)).to_have_text(str(l_before[0] - l_before[1]))  # nothing reserved any more
    expect(stock.cell(shirt_l, 0)).not_to_contain_text("réservés")

    # adjust the sandals' stock: +5 received, the row shows the new figure
    sandals = shop["sandals"].variant_ids[0]
    sandals_store = shop.stores[-1]
    on_hand, reserved = level(app, tenant_id, sandals, sandals_store.id)
    stock.search(f"{prefix}-SD", sandals)
    expect(stock.total(sandals)).to_have_text(str(on_hand - reserved))
    stock.adjust(f"{prefix}-SD", sandals, store=sandals_store.name, delta=5, reason="Réception hors commande",
                 note="livraison fournisseur")
    expect(stock.cell(sandals, len(shop.stores) - 1)).to_have_text(str(on_hand - reserved + 5))
    expect(stock.total(sandals)).to_have_text(str(on_hand - reserved + 5))
    assert level(app, tenant_id, sandals, sandals_store.id) == (on_hand + 5, reserved)

    # edit a product's name and price; the shop shows them at once
    products = Products(page).open()
    editor = products.edit("Sandales en cuir tressé")
    editor.save(name="Sandales tressées main", base_price="12500")
    editor.view_on_shop()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sandales tressées main")
    expect(page.locator(".buybox .price")).to_contain_text(spaced(12500))
    assert in_tenant(app, tenant_id, lambda: db.session.execute(
        select(Product.name, Product.price).where(Product.id == shop["sandals"].id)).one()) == (
        "Sandales tressées main", 12500)

    # import 5 000 products: the dry run, then the run in a thread while the bar polls
    monkeypatch.setitem(app.config, "CATALOG_IMPORT_THREAD", True)
    source = tmp_path / f"catalogue-{slug}.csv"
    write_csv(source, prefix)
    products_before, variants_before = counts(app, tenant_id)
    page.goto("/backoffice/products")
    importer = Products(page).open_import()
    started = time.monotonic()
    importer.upload(source)
    checked = time.monotonic()
    expect(importer.summary()).to_contain_text(f"{IMPORTED} lignes lues : {IMPORTED} valides, 0 en erreur.")
    expect(importer.summary()).to_contain_text(f"Produits à créer : {IMPORTED} ; à mettre à jour : 0.")
    expect(page.get_by_text("Catégories qui seront créées")).to_contain_text("Import > Lot 9")
    assert counts(app, tenant_id) == (products_before, variants_before)  # a dry run writes no product

    polls = []  # the fragment's answers to its own polling (htmx), read once the run is over
    page.on("response", lambda r: polls.append(r) if r.request.headers.get("hx-request") and "/import/" in r.url
            else None)
    importer.confirm()
    expect(importer.bar()).to_be_visible()
    expect(importer.status()).to_contain_text("terminé", timeout=90_000)
    done = time.monotonic()
    expect(importer.progress()).to_contain_text(f"Import terminé : {IMPORTED} produits créés, 0 mis à jour.")
    expect(importer.bar()).to_have_attribute("value", str(IMPORTED))
    expect(importer.status()).to_contain_text(f"{IMPORTED} / {IMPORTED} lignes (100 %)")
    assert polls, "the progress fragment never polled itself"
    seen = [int(re.search(r'<progress[^>]* value="(\d+)"', r.text()).group(1)) for r in polls]
    assert seen == sorted(seen) and seen[-1] == IMPORTED  # the bar only moves forward, to the end
    assert counts(app, tenant_id) == (products_before + IMPORTED, variants_before + IMPORTED)
    print(f"\n[{slug}] 5 000-row CSV: dry run {checked - started:.1f} s, import seen done in the browser "
          f"{done - checked:.1f} s after confirming; bar values polled: {seen}")
