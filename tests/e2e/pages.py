"""Page objects for the shop: what a shopper sees and does, not how the HTML is built."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect


class Shop:
    def __init__(self, page: Page, js: bool):
        self.page, self.js = page, js

    def open(self, path: str = "/shop/") -> Shop:
        self.page.goto(path)
        return self

    def search(self, text: str) -> None:
        self.page.get_by_role("searchbox", name="Rechercher un produit").fill(text)
        self.page.get_by_role("button", name="Rechercher").click()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(text)

    def htmx_ready(self) -> None:
        """With JavaScript, wait until htmx (a deferred script) is running: an interaction
        before that is a plain form post, and the in-place update it expects never comes."""
        if self.js:
            self.page.wait_for_function("() => document.readyState === 'complete' && !!window.htmx")

    def filter_option(self, label: str) -> None:
        self.htmx_ready()
        self.page.locator("#filters").get_by_label(re.compile(rf"^\s*{re.escape(label)}\b")).check()
        if not self.js:
            self.page.get_by_role("button", name="Filtrer").click()
        expect(self.page).to_have_url(re.compile(r"opt="))

    def open_product(self, name: str) -> None:
        self.page.get_by_role("link", name=name).first.click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(name)

    def pick(self, value: str) -> None:
        self.htmx_ready()
        self.page.locator(".picker").get_by_label(value, exact=True).check()
        if not self.js:
            self.page.get_by_role("button", name="Voir cette option").click()
        expect(self.page).to_have_url(re.compile(re.escape(value)))

    def price(self):
        return self.page.locator(".buybox .price")

    def add_to_cart(self, quantity: int = 1) -> None:
        self.htmx_ready()
        self.page.get_by_label("Quantité").fill(str(quantity))
        self.page.get_by_role("button", name="Ajouter au panier").click()
        if self.js:
            expect(self.page.locator("#add-result")).to_contain_text("Article ajouté au panier")
            self.page.get_by_role("link", name="Voir le panier").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Votre panier")

    def set_cart_quantity(self, quantity: int) -> None:
        self.htmx_ready()
        self.page.locator("#cart input[name=quantity]").first.fill(str(quantity))
        self.page.get_by_role("button", name="Mettre à jour").first.click()
        expect(self.page.locator("#cart input[name=quantity]").first).to_have_value(str(quantity))
        expect(self.page.locator("#cart-badge .count")).to_have_text(str(quantity))

    def checkout(self, *, phone: str, delivery: str, city: str = "", store: str = "") -> str:
        self.page.get_by_role("link", name="Commander").click()
        p = self.page
        p.get_by_label("Prénom").fill("Awa")
        p.get_by_label("Nom de famille").fill("Ndiaye")
        p.get_by_label("Téléphone").fill(phone)
        p.get_by_label("E-mail").fill("awa@example.com")
        if delivery == "home":
            p.get_by_label("Livraison à domicile").check()
            p.get_by_label("Ville").select_option(city)
            p.get_by_label("Quartier").fill("Akwa")
            p.get_by_label("Rue et numéro").fill("Rue Joss")
            p.get_by_label("Point de repère").fill("Face à la pharmacie")
        else:
            p.get_by_label("Retrait en boutique").first.check()
            p.get_by_label("Boutique de retrait").select_option(label=store)
        self.submit_checkout()
        heading = p.get_by_role("heading", level=1)
        expect(heading).to_have_text(re.compile(r"Commande AG-\d{6}"))
        return heading.inner_text().split()[-1]

    def submit_checkout(self) -> None:
        if self.js:  # let the summary refresh that a field change started finish first
            self.page.wait_for_load_state("networkidle")
        self.page.get_by_role("button", name="Passer la commande").click()

    def track(self, number: str, contact: str) -> None:
        self.page.goto("/shop/track")
        self.page.get_by_label("Numéro de commande").fill(number)
        self.page.get_by_label("E-mail ou téléphone utilisé pour la commande").fill(contact)
        self.page.get_by_role("button", name="Voir le suivi").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(f"Commande {number}")
