"""What a shopper or staff member is told when a payment cannot go on, in plain words."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class PaymentError(ValueError):
    """Something the shopper or staff member must be told, in plain words."""


class PaymentUnavailable(PaymentError):
    """The provider did not answer: try again or choose another method."""


def failure_message(reason: str) -> str:
    """The provider's reason in plain words, for the shopper."""
    reason = (reason or "").upper()
    messages = {
        "APPROVAL_REJECTED": _l("Vous avez refusé le paiement sur votre téléphone."),
        "EXPIRED": _l("La demande a expiré sans réponse sur votre téléphone."),
        "TRANSACTION_EXPIRED": _l("La demande a expiré sans réponse sur votre téléphone."),
        "WINDOW_ELAPSED": _l("Le paiement n’a pas été confirmé à temps."),
        "NOT_ENOUGH_FUNDS": _l("Le solde de votre compte est insuffisant."),
        "PAYER_NOT_FOUND": _l("Ce numéro n’a pas de compte Mobile Money."),
        "INVALID_PAYER": _l("Ce numéro n’a pas de compte Mobile Money."),
        "PAYEE_NOT_ALLOWED_TO_RECEIVE": _l("La boutique ne peut pas recevoir ce paiement pour le moment."),
        "FAILED": _l("Le paiement a échoué."),
        "ABANDONED": _l("Le paiement a été abandonné."),
        "INSTRUMENT_DECLINED": _l("Votre moyen de paiement a été refusé par PayPal."),
        "DECLINED": _l("Votre moyen de paiement a été refusé."),
    }
    return str(messages.get(reason, _l("Le paiement n’a pas abouti (%(code)s).", code=reason or "?")))
