"""What a shopper reads when a payment fails (payments.errors.failure_message): each
provider reason in plain French, and in English for an English-speaking shopper."""
import pytest

from app.payments.errors import failure_message
from tests.support.i18n import speaking

PHONE_DECLINED = ("Vous avez refusé le paiement sur votre téléphone.", "You declined the payment on your phone.")
PHONE_EXPIRED = ("La demande a expiré sans réponse sur votre téléphone.",
                 "The request expired without a response on your phone.")
NO_WALLET = ("Ce numéro n’a pas de compte Mobile Money.", "This number has no Mobile Money account.")
KNOWN = {
    "APPROVAL_REJECTED": PHONE_DECLINED,
    "EXPIRED": PHONE_EXPIRED,
    "TRANSACTION_EXPIRED": PHONE_EXPIRED,
    "WINDOW_ELAPSED": ("Le paiement n’a pas été confirmé à temps.", "The payment was not confirmed in time."),
    "NOT_ENOUGH_FUNDS": ("Le solde de votre compte est insuffisant.", "Your account balance is insufficient."),
    "PAYER_NOT_FOUND": NO_WALLET,
    "INVALID_PAYER": NO_WALLET,
    "PAYEE_NOT_ALLOWED_TO_RECEIVE": ("La boutique ne peut pas recevoir ce paiement pour le moment.",
                                     "The shop cannot receive this payment at the moment."),
    "FAILED": ("Le paiement a échoué.", "The payment failed."),
    "ABANDONED": ("Le paiement a été abandonné.", "The payment was abandoned."),
    "INSTRUMENT_DECLINED": ("Votre moyen de paiement a été refusé par PayPal.",
                            "Your payment method was declined by PayPal."),
    "DECLINED": ("Votre moyen de paiement a été refusé.", "Your payment method was declined."),
}


def told(reason, locale):
    with speaking(locale):
        return failure_message(reason)


@pytest.mark.parametrize("reason", sorted(KNOWN))
def test_each_known_reason_in_plain_french_and_english(reason):
    french, english = KNOWN[reason]
    assert told(reason, "fr") == french
    assert told(reason, "en") == english


def test_reasons_are_read_whatever_their_case():
    assert told("not_enough_funds", "fr") == KNOWN["NOT_ENOUGH_FUNDS"][0]
    assert told("Instrument_Declined", "en") == KNOWN["INSTRUMENT_DECLINED"][1]


def test_an_unknown_reason_shows_its_code_for_support():
    assert told("RISK_LIMIT_EXCEEDED", "fr") == "Le paiement n’a pas abouti (RISK_LIMIT_EXCEEDED)."
    assert told("risk_limit_exceeded", "en") == "The payment did not go through (RISK_LIMIT_EXCEEDED)."


@pytest.mark.parametrize("reason", ["", None])
def test_no_reason_at_all_still_says_it_did_not_go_through(reason):
    assert told(reason, "fr") == "Le paiement n’a pas abouti (?)."
    assert told(reason, "en") == "The payment did not go through (?)."
