"""The order status table: which moves staff may make, and what a refused move says."""
import pytest

from app.orders.services import TRANSITIONS, OrderError, allowed_moves, check_move
from tests.support.i18n import speaking

STATUSES = ("received", "prepared", "shipped", "delivered", "cancelled", "returned")
ALLOWED = {("received", "prepared"), ("received", "cancelled"), ("prepared", "shipped"), ("prepared", "cancelled"),
           ("shipped", "delivered"), ("delivered", "returned")}


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_exactly_the_listed_moves_pass(old, new):
    if (old, new) in ALLOWED:
        check_move(old, new)
    else:
        with pytest.raises(OrderError):
            check_move(old, new)


def test_the_table_covers_every_status_and_only_them():
    assert set(TRANSITIONS) == set(STATUSES)
    assert {(old, new) for old in STATUSES for new in allowed_moves(old)} == ALLOWED


def test_cancel_only_before_shipping_and_return_only_after_delivery():
    assert [s for s in STATUSES if "cancelled" in allowed_moves(s)] == ["received", "prepared"]
    assert [s for s in STATUSES if "returned" in allowed_moves(s)] == ["delivered"]


def test_cancelled_and_returned_are_terminal():
    assert allowed_moves("cancelled") == allowed_moves("returned") == ()
    assert allowed_moves("archived") == ()  # a status the table does not know goes nowhere


def test_no_move_goes_back_along_the_timeline():
    timeline = ["received", "prepared", "shipped", "delivered"]
    for i, old in enumerate(timeline):
        assert not set(allowed_moves(old)) & set(timeline[:i + 1])


def refusal(old, new, locale):
    """What staff reading ``locale`` are told (the view asks in their locale)."""
    with speaking(locale), pytest.raises(OrderError) as refused:
        check_move(old, new)
    with speaking(locale):
        return str(refused.value.args[0])


def test_a_refusal_names_both_statuses_and_the_allowed_ones_in_french_and_english():
    assert refusal("shipped", "cancelled", "fr") == (
        "Impossible de passer la commande de « Expédiée » à « Annulée ». Statuts autorisés : Livrée.")
    assert refusal("shipped", "cancelled", "en") == (
        "Cannot move the order from “Shipped” to “Cancelled”. Allowed: Delivered.")
    assert refusal("received", "delivered", "fr").endswith("Statuts autorisés : Préparée, Annulée.")
    assert refusal("received", "delivered", "en").endswith("Allowed: Prepared, Cancelled.")


def test_a_refusal_from_a_terminal_status_allows_nothing_and_an_unknown_target_shows_as_typed():
    assert refusal("cancelled", "received", "fr").endswith("Statuts autorisés : —.")
    assert refusal("returned", "lost", "en") == "Cannot move the order from “Returned” to “lost”. Allowed: —."
