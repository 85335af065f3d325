"""Odd filter values in back-office URLs: the page with a message, never a 500."""
import pytest

WRONG_DATE = "Choisissez une date entre le 01/01/2000 et le 31/12/2099."


@pytest.mark.parametrize("url, status, message", [
    ("/backoffice/orders?store=%09%0A%0D", 200, "Choix invalide."),
    ("/backoffice/orders?store=99999999999999999999", 200, "Choix invalide."),
    ("/backoffice/orders?store=-1", 200, "Choix invalide."),
    ("/backoffice/orders?date_to=9999-12-31", 200, WRONG_DATE),
    ("/backoffice/orders?date_from=0001-01-01", 200, WRONG_DATE),
    ("/backoffice/audit?end=9999-12-31", 422, WRONG_DATE),
    ("/backoffice/audit?start=0001-01-01", 422, WRONG_DATE),
    ("/backoffice/audit?staff=99999999999999999999", 422, "Choix invalide."),
    ("/backoffice/audit?staff=%09", 422, "Choix invalide."),
    ("/backoffice/dashboard?period=%09%0A%0D", 422, "Choisissez une des périodes proposées."),
    ("/backoffice/dashboard?period=custom&start=2024-01-01&end=9999-12-31", 422, WRONG_DATE),
])
def test_an_odd_filter_value_gives_the_page_and_a_message(pdg, url, status, message):
    response = pdg.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", [
    "/backoffice/inventory?page=99999999999999999999",
    "/backoffice/inventory/low-stock?store=99999999999999999999&page=%09",
    "/backoffice/inventory/reservations?page=-5",
    "/backoffice/customers?page=99999999999999999999&q=%09%0A",
    "/backoffice/payments?before=99999999999999999999&status=%09",
    "/backoffice/payments?view=events&before=%09&provider=%0A",
    "/backoffice/products?category=99999999999999999999&after=%09&before=99999999999999999999",
])
def test_other_lists_ignore_odd_filter_values(pdg, url):
    assert pdg.get(url).status_code == 200


def test_valid_filters_still_filter(pdg):
    assert pdg.get("/backoffice/orders?date_from=2024-01-01&date_to=2099-12-31").status_code == 200
    page = pdg.get("/backoffice/audit?start=2024-01-01&end=2099-12-31")
    assert page.status_code == 200 and WRONG_DATE not in page.get_data(as_text=True)
    assert pdg.get("/backoffice/dashboard?period=7d").status_code == 200
    assert pdg.get("/backoffice/dashboard?period=").status_code == 200  # empty: the default period
