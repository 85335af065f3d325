"""Page objects for paying: the shopper's checkout, waiting and retry pages, and the local
simulators' pages that stand in for the payer's MTN phone, Orange's and PayPal's pages."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.pages import Shop

ORDER_HEADING = re.compile(r"^Commande AG-\d{6}$")


class PayingShopper(Shop):
    """A guest who buys one pair of sandals (one variant, no picker) and pays online."""

    def put_sandals_in_cart(self) -> PayingShopper:
        self.open("/shop/catalog")
        self.open_product("Sandales en cuir tressé")
        self.add_to_cart(1)
        return self

    def place_order(self, method: str, *, phone: str, city: str, momo_phone: str = "") -> None:
        """Fill the checkout for a home delivery, pick ``method`` (its label) and submit."""
        p = self.page
        p.get_by_role("link", name="Commander").click()
        expect(p.get_by_role("heading", level=1)).to_have_text("Finaliser ma commande")
        p.get_by_label("Prénom").fill("Awa")
        p.get_by_label("Nom de famille").fill("Ndiaye")
        p.get_by_label("Téléphone", exact=True).fill(phone)
        p.get_by_label("E-mail").fill("awa@example.com")
        p.get_by_label("Livraison à domicile").check()
        p.get_by_label("Ville").select_option(city)
        p.get_by_label("Quartier").fill("Centre")
        p.get_by_label("Rue et numéro").fill("Rue Joss")
        self.choose_method(method, momo_phone=momo_phone)
        self.submit_checkout()

    def choose_method(self, method: str, *, momo_phone: str = "") -> None:
        self.page.get_by_role("radio", name=method, exact=True).check()
        if momo_phone:  # the field shows once MoMo is checked (CSS only, so also without JS)
            self.page.get_by_label("Numéro MTN Mobile Money").fill(momo_phone)

    # the waiting page --------------------------------------------------------------------
    def expect_waiting_for_phone(self) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Paiement de la commande AG-"))
        expect(self.page.locator("#payment-status")).to_contain_text("Confirmez le paiement sur votre téléphone")

    def expect_failed(self, reason: str) -> None:
        """The waiting page turns to the failure by itself (htmx poll, or meta refresh)."""
        status = self.page.locator("#payment-status")
        expect(status).to_contain_text(reason, timeout=15_000)
        expect(status.get_by_role("link", name="Réessayer ou choisir un autre moyen de paiement")).to_be_visible()

    def retry(self, method: str, *, momo_phone: str = "") -> None:
        self.page.get_by_role("link", name="Réessayer ou choisir un autre moyen de paiement").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Payer la commande AG-"))
        expect(self.page.get_by_role("alert")).to_contain_text("Le dernier essai n’a pas abouti")
        self.choose_method(method, momo_phone=momo_phone)
        self.page.get_by_role("button", name=re.compile(r"^Payer ")).click()

    # the order page ------------------------------------------------------------------------
    def expect_order_page(self, payment: str, *, timeout: float = 15_000) -> str:
        """Wait (the waiting page moves on by itself) for the order page; its number."""
        heading = self.page.get_by_role("heading", level=1)
        expect(heading).to_have_text(ORDER_HEADING, timeout=timeout)
        expect(self.page.locator(".status")).to_contain_text(f"Paiement : {payment}")
        expect(self.page).to_have_url(re.compile(r"/shop/orders/[^/]+$"))
        return heading.inner_text().split()[-1]


class MomoPhone:
    """The simulator's MTN phone: the payer's pending requests with Approve / Reject."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base

    def open(self, msisdn: str) -> MomoPhone:
        self.page.goto(f"{self.base}/momo/phone?msisdn={msisdn}")
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Téléphone MTN MoMo")
        return self

    def expect_request(self, amount: str, currency: str) -> None:
        expect(self.page.locator("li .amount")).to_have_text(f"{amount} {currency}")

    def approve(self) -> None:
        self._answer("Approuver")

    def reject(self) -> None:
        self._answer("Refuser")

    def _answer(self, button: str) -> None:
        self.page.get_by_role("button", name=button).click()
        expect(self.page.get_by_text("Aucune demande de paiement en attente.")).to_be_visible()


class OrangePayPage:
    """Orange Money's web payment page (the simulator's): phone, SMS code, Payer."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base

    def expect_open(self, amount: str, currency: str) -> None:
        expect(self.page).to_have_url(re.compile(re.escape(self.base) + r"/orange/pay/"))
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Paiement Orange Money")
        expect(self.page.locator(".amount")).to_have_text(f"{amount} {currency}")

    def pay(self, msisdn: str, code: str) -> None:
        self.page.get_by_label("Numéro Orange Money").fill(msisdn)
        self.page.get_by_label("Code de confirmation (reçu par SMS)").fill(code)
        self.page.get_by_role("button", name="Payer", exact=True).click()


class PayPalApprovePage:
    """PayPal's approval page (the simulator's): Approuver / Annuler."""

    def __init__(self, page: Page, base: str):
        self.page, self.base = page, base

    def expect_open(self, amount: str, currency: str) -> None:
        expect(self.page).to_have_url(re.compile(re.escape(self.base) + r"/paypal/checkoutnow\?token="))
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Payer avec PayPal")
        expect(self.page.locator(".amount")).to_have_text(f"{amount} {currency}")

    def approve(self) -> None:
        self.page.get_by_role("button", name="Approuver").click()
