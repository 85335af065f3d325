"""The payment state machine's rule (payments.services.decide): what a provider's answer
does to a payment, whatever order callbacks, polls and refunds arrive in."""
import pytest

from app.payments.providers.base import EXPIRED, FAILED, PENDING, REFUNDED, SUCCEEDED
from app.payments.services import IGNORE, LATE, MOVE, THROUGH_SUCCESS, decide

STATES = (PENDING, SUCCEEDED, FAILED, EXPIRED, REFUNDED)
EXPECTED = {
    (PENDING, SUCCEEDED): MOVE, (PENDING, FAILED): MOVE, (PENDING, EXPIRED): MOVE,
    (PENDING, REFUNDED): THROUGH_SUCCESS,  # completed and refunded before we looked
    (SUCCEEDED, REFUNDED): MOVE,
    (FAILED, SUCCEEDED): LATE, (FAILED, REFUNDED): LATE, (EXPIRED, SUCCEEDED): LATE, (EXPIRED, REFUNDED): LATE,
}


@pytest.mark.parametrize("old", STATES)
@pytest.mark.parametrize("new", STATES)
def test_every_pair_of_states(old, new):
    assert decide(old, new) == EXPECTED.get((old, new), IGNORE)


def test_forward_only_from_pending_and_to_refunded_from_success():
    assert {new for new in STATES if decide(PENDING, new) == MOVE} == {SUCCEEDED, FAILED, EXPIRED}
    assert {new for new in STATES if decide(SUCCEEDED, new) == MOVE} == {REFUNDED}
    assert {old for old in STATES if decide(old, REFUNDED) == MOVE} == {SUCCEEDED}


def test_a_stale_pending_or_failure_after_success_is_ignored():
    for stale in (PENDING, FAILED, EXPIRED):
        assert decide(SUCCEEDED, stale) == IGNORE
    assert decide(REFUNDED, SUCCEEDED) == IGNORE  # a refund is not undone by an old "paid"


def test_pending_is_never_a_move_and_a_repeated_answer_changes_nothing():
    assert all(decide(old, PENDING) == IGNORE for old in STATES)
    assert all(decide(state, state) == IGNORE for state in STATES)


def test_money_arriving_after_a_failure_or_expiry_is_flagged_not_applied():
    assert {(old, new) for old in STATES for new in STATES if decide(old, new) == LATE} == {
        (FAILED, SUCCEEDED), (FAILED, REFUNDED), (EXPIRED, SUCCEEDED), (EXPIRED, REFUNDED)}


def test_failed_expired_and_refunded_never_move_again():
    for final in (FAILED, EXPIRED, REFUNDED):
        assert not {new for new in STATES if decide(final, new) in (MOVE, THROUGH_SUCCESS)}


def test_an_unknown_answer_is_ignored():
    assert decide(PENDING, "on_hold") == IGNORE
    assert decide("created", SUCCEEDED) == IGNORE
