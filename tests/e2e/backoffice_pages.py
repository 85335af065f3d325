"""Page objects for the back-office: what a PDG sees and does, not how the HTML is built.

Every action waits for its visible result (htmx swaps in place, or the next page), never
for a fixed time.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from playwright.sync_api import Locator, Page, expect

NNBSP = "\u202f"


def spaced(amount: int) -> str:
    """12500 → '12 500' with the narrow no-break space the money filter writes."""
    return f"{amount:,}".replace(",", NNBSP)


@contextmanager
def no_list_refresh(page: Page, list_url: str):
    """Clicking a result must only open it. Leaving the search box used to fire its 'change'
    trigger: the list reloaded under the click, and its pushState could cancel the
    navigation (the click was lost now and then)."""
    refreshes = []

    def watch(request):
        if request.headers.get("hx-request") and list_url in request.url:
            refreshes.append(request.url)

    page.on("request", watch)
    try:
        yield
    finally:
        page.remove_listener("request", watch)
    assert not refreshes, f"the list reloaded while a result was being opened: {refreshes}"


class BackOffice:
    def __init__(self, page: Page):
        self.page = page

    def ready(self) -> None:
        """htmx is a deferred script: typing or clicking before it runs is a plain request,
        and the in-place update the step waits for never comes."""
        self.page.wait_for_function("() => document.readyState === 'complete' && !!window.htmx")

    def heading(self) -> Locator:
        return self.page.get_by_role("heading", level=1)

    def flash(self) -> Locator:
        return self.page.locator("#flash")

    def login(self, email: str, password: str) -> Dashboard:
        self.page.goto("/backoffice/login")
        expect(self.heading()).to_have_text("Connexion du personnel")
        self.page.get_by_label("E-mail").fill(email)
        self.page.get_by_label("Mot de passe").fill(password)
        self.page.get_by_role("button", name="Se connecter").click()
        expect(self.heading()).to_have_text("Tableau de bord")  # the first area a PDG may open
        return Dashboard(self.page)

    def go(self, area: str) -> None:
        """Open an area from the navigation bar."""
        self.ready()
        self.page.locator("nav.bo-nav").get_by_role("link", name=area, exact=True).click()
        expect(self.page.locator("nav.bo-nav").get_by_role("link", name=area, exact=True)).to_have_attribute(
            "aria-current", "page")


class Dashboard(BackOffice):
    def kpi(self, label: str) -> Locator:
        return self.page.locator(".kpi").filter(has=self.page.get_by_text(label, exact=True)).locator(".kpi-value")

    def charts(self) -> Locator:
        return self.page.locator("svg.chart")


class Orders(BackOffice):
    def open_list(self) -> Orders:
        self.go("Commandes")
        expect(self.heading()).to_have_text("Commandes")
        return self

    def rows(self) -> Locator:
        return self.page.locator("#orders-table tbody tr")

    def search(self, text: str) -> None:
        """Typing filters the table in place (htmx, after a short pause)."""
        self.ready()
        self.page.get_by_label("Recherche", exact=True).fill(text)
        expect(self.rows()).to_have_count(1)
        expect(self.rows().first).to_contain_text(text)
        expect(self.page).to_have_url(re.compile(r"[?&]q="))

    def open_order(self, number: str) -> Order:
        self.ready()
        with no_list_refresh(self.page, "/backoffice/orders?"):
            self.page.locator("#orders-table").get_by_role("link", name=number, exact=True).click()
            expect(self.heading()).to_have_text(f"Commande {number}")
        return Order(self.page)


class Order(BackOffice):
    STATUS: ClassVar[dict[str, str]] = {"prepared": "Préparée", "shipped": "Expédiée", "delivered": "Livrée"}

    def status_panel(self) -> Locator:
        return self.page.locator("#order-status")

    def current_step(self) -> Locator:
        return self.status_panel().locator(".timeline li.current")

    def history(self) -> Locator:
        return self.page.locator("#order-history tbody tr")

    def available_here(self) -> Locator:
        """The 'available at the fulfilment store' cell of the first line."""
        return self.page.locator("#order-lines td[data-available]").first

    def move_to(self, status: str, *, carrier: str = "", tracking: str = "", note: str = "") -> None:
        self.ready()
        label = self.STATUS[status]
        panel = self.status_panel()
        before = self.history().count()
        if carrier:
            panel.get_by_label("Transporteur").fill(carrier)
        if tracking:
            panel.get_by_label("Numéro de suivi").fill(tracking)
        if note:
            panel.get_by_label("Note").fill(note)
        panel.get_by_role("button", name=f"Passer à « {label} »").click()
        # swapped in place: the timeline, the badge and the history show the new status
        expect(self.current_step()).to_contain_text(label)
        expect(self.page.locator(".order-head .badge").first).to_have_text(label)
        expect(self.history()).to_have_count(before + 1)
        expect(self.history().first).to_contain_text(f"→ {label}")
        expect(self.flash()).to_contain_text("Statut de la commande mis à jour.")

    def cancel(self) -> None:
        self.ready()
        before = self.history().count()
        self.page.once("dialog", lambda dialog: dialog.accept())  # hx-confirm asks first
        posted = []

        def watch(request):
            if request.method == "POST" and request.url.endswith("/status"):
                posted.append(request)
        self.page.on("request", watch)
        # the answer's order-changed event makes the bell refresh (stock came back)
        with self.page.expect_request(lambda r: "/backoffice/bell" in r.url and bool(posted)):
            self.status_panel().get_by_role("button", name="Annuler la commande").click()
        self.page.remove_listener("request", watch)
        expect(self.page.locator(".order-head .badge").first).to_have_text("Annulée")
        expect(self.history()).to_have_count(before + 1)
        expect(self.history().first).to_contain_text("Reçue → Annulée")


class Stock(BackOffice):
    def open(self) -> Stock:
        self.go("Stocks")
        expect(self.heading()).to_have_text("Stock par article et magasin")
        return self

    def search(self, sku: str, variant_id: int) -> Locator:
        self.ready()
        self.page.get_by_label("SKU ou nom du produit").fill(sku)
        row = self.row(variant_id)
        expect(self.page.locator("#stock-grid tbody tr")).to_have_count(1)
        expect(row).to_contain_text(sku)
        return row

    def row(self, variant_id: int) -> Locator:
        return self.page.locator(f"#stock-{variant_id}")

    def cell(self, variant_id: int, store_index: int) -> Locator:
        return self.row(variant_id).locator("td.cell").nth(store_index)

    def total(self, variant_id: int) -> Locator:
        return self.row(variant_id).locator("td.cell strong")

    def adjust(self, sku: str, variant_id: int, *, store: str, delta: int, reason: str, note: str = "") -> None:
        """Open the row's inline form, apply the change; the row comes back with the new figure."""
        self.ready()
        row = self.row(variant_id)
        row.get_by_role("link", name=f"Ajuster {sku}").click()
        expect(row).to_have_class("editing")
        row.get_by_label("Magasin").select_option(label=store)
        row.get_by_label("Quantité (+ entrée, − sortie)").fill(str(delta))
        row.get_by_label("Motif").select_option(label=reason)
        if note:
            row.get_by_label("Note").fill(note)
        row.get_by_role("button", name=re.compile(r"^Enregistrer l.ajustement$")).click()
        expect(row).not_to_have_class("editing")
        expect(self.flash()).to_contain_text(f"Stock de {sku} ajusté")


class Products(BackOffice):
    def open(self) -> Products:
        self.go("Produits")
        expect(self.heading()).to_have_text("Produits")
        return self

    def edit(self, name: str) -> ProductEditor:
        self.ready()
        self.page.get_by_label("Recherche (nom, SKU, marque)").fill(name)
        link = self.page.locator("#products").get_by_role("link", name=name, exact=True)
        expect(self.page.locator("#products tbody tr")).to_have_count(1)
        with no_list_refresh(self.page, "/backoffice/products?"):
            link.click()
            expect(self.heading()).to_have_text(name)
        return ProductEditor(self.page)

    def open_import(self) -> CsvImport:
        self.ready()
        self.page.get_by_role("link", name="Importer un CSV").click()
        expect(self.heading()).to_have_text("Importer des produits (CSV)")
        return CsvImport(self.page)


class ProductEditor(BackOffice):
    def save(self, *, name: str, base_price: str) -> None:
        self.ready()
        self.page.get_by_label("Nom", exact=True).fill(name)
        self.page.get_by_label("Prix de base", exact=True).fill(base_price)
        self.page.get_by_role("button", name="Enregistrer", exact=True).click()
        expect(self.flash()).to_contain_text("Produit enregistré.")
        expect(self.heading()).to_have_text(name)

    def view_on_shop(self) -> None:
        self.ready()
        self.page.get_by_role("link", name="Voir en boutique").click()
        expect(self.page).to_have_url(re.compile(r"/shop/p/"))


class CsvImport(BackOffice):
    def upload(self, path: Path) -> None:
        self.ready()
        self.page.get_by_label("Fichier CSV").set_input_files(str(path))
        self.page.get_by_role("button", name="Vérifier le fichier").click()
        expect(self.heading()).to_have_text(f"Import « {path.name} »", timeout=60_000)

    def summary(self) -> Locator:
        return self.page.locator("main p").filter(has_text="lignes lues")

    def confirm(self) -> None:
        self.ready()
        self.page.get_by_role("button", name="Tout importer").click()

    def progress(self) -> Locator:
        return self.page.locator("#import-progress")

    def bar(self) -> Locator:
        return self.progress().get_by_role("progressbar")

    def status(self) -> Locator:
        return self.progress().get_by_role("status")
