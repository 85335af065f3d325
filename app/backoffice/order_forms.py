"""Back-office order forms: the list filters (GET) and one form per action on an order.

Amounts are typed in major units of the order's currency and reach the services as
integer minor units. Each action form has a prefix, so the detail page can show them all
without two inputs sharing an id.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.core.fields import FilterDateField, IdSelectField, MoneyField
from app.orders.models import PAYMENT_LABELS, STATUS_LABELS, Order
from app.payments.providers.registry import labels as method_labels
from app.reports.orders import SORTS, OrderFilters

SORT_LABELS = {"-date": _l("Plus récentes"), "date": _l("Plus anciennes"), "-total": _l("Montant décroissant"),
               "total": _l("Montant croissant"), "-number": _l("Numéro décroissant"), "number": _l("Numéro croissant")}
REFUND_CHANNELS = {"provider": _l("Par le moyen de paiement (en ligne)"), "cash": _l("En espèces"),
                   "mobile_money": _l("Par mobile money (manuel)")}


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class OrderFilterForm(FlaskForm):
    """Read from the query string; a filter with an error is left out, never a 4xx."""

    class Meta:
        csrf = False

    q = StringField(_l("Recherche"), validators=[Optional(), Length(max=100)],
                    description=_l("Numéro, nom, téléphone ou e-mail"))
    status = SelectField(_l("Statut"), validators=[Optional()])
    payment_status = SelectField(_l("Paiement"), validators=[Optional()])
    method = SelectField(_l("Moyen de paiement"), validators=[Optional()])
    store = IdSelectField(_l("Boutique"))
    date_from = FilterDateField(_l("Du"), validators=[Optional()])
    date_to = FilterDateField(_l("Au"), validators=[Optional()])
    amount_min = MoneyField(_l("Montant min."))
    amount_max = MoneyField(_l("Montant max."))
    sort = SelectField(_l("Trier par"), choices=_choices((s, SORT_LABELS[s]) for s in SORTS), default="-date",
                       validators=[Optional()])
    after = HiddenField()
    before = HiddenField()

    def __init__(self, formdata, *, currency: str, stores, **kwargs):
        self.currency = currency
        super().__init__(formdata=formdata, **kwargs)
        everything = [("", _l("Tous"))]
        self.status.choices = _choices(everything + list(STATUS_LABELS.items()))
        self.payment_status.choices = _choices(everything + list(PAYMENT_LABELS.items()))
        self.method.choices = _choices(everything + list(method_labels().items()))
        self.store.choices = _choices([("", _l("Toutes"))] + [(str(s.id), s.name) for s in stores])

    def filters(self) -> OrderFilters:
        """The valid part of the query string (call after ``validate()``)."""
        def ok(f):
            return not f.errors

        return OrderFilters(
            q=(self.q.data or "").strip() if ok(self.q) else "",
            status=self.status.data or "" if ok(self.status) else "",
            payment_status=self.payment_status.data or "" if ok(self.payment_status) else "",
            method=self.method.data or "" if ok(self.method) else "",
            store_id=self.store.id if ok(self.store) else None,
            date_from=self.date_from.data if ok(self.date_from) else None,
            date_to=self.date_to.data if ok(self.date_to) else None,
            amount_min=self.amount_min.amount if ok(self.amount_min) else None,
            amount_max=self.amount_max.amount if ok(self.amount_max) else None,
            sort=self.sort.data if ok(self.sort) and self.sort.data in SORTS else "-date",
            after=self.after.data or "", before=self.before.data or "",
        )


class StatusForm(FlaskForm):
    # Every status is a valid choice: the service says which moves the order allows.
    to_status = SelectField(_l("Nouveau statut"), choices=_choices(STATUS_LABELS.items()), validators=[InputRequired()])
    # No Optional(): it would stop the chain before the "required to ship" checks below.
    carrier = StringField(_l("Transporteur"), validators=[Length(max=80)])
    tracking_number = StringField(_l("Numéro de suivi"), validators=[Length(max=80)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])

    def validate_carrier(self, field) -> None:
        if self.to_status.data == "shipped" and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez le transporteur pour expédier."))

    def validate_tracking_number(self, field) -> None:
        if self.to_status.data == "shipped" and not (field.data or "").strip():
            raise ValidationError(_l("Indiquez le numéro de suivi pour expédier."))


class ReassignForm(FlaskForm):
    store_id = SelectField(_l("Nouvelle boutique de préparation"), coerce=int, validators=[InputRequired()])
    note = StringField(_l("Motif"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.store_id.choices = _choices((s.id, s.name) for s in stores)


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Note interne"), validators=[InputRequired(), Length(max=500)])


class PaidForm(FlaskForm):
    note = StringField(_l("Note (facultative)"), validators=[Optional(), Length(max=300)])


class ReturnFormBase(FlaskForm):
    restock = BooleanField(_l("Remettre les articles en stock"), default=True)
    note = StringField(_l("Motif du retour"), validators=[Optional(), Length(max=300)])

    def quantities(self) -> dict[int, int]:
        return {int(f.name.rsplit("line_", 1)[1]): f.data or 0 for f in self if "line_" in f.name}


def return_form(order: Order, returned: dict[int, int], **kwargs) -> ReturnFormBase:
    """A quantity field per order line, bounded by what was sold minus already returned."""
    fields = {}
    for line in order.lines:
        left = line.quantity - returned.get(line.id, 0)
        fields[f"line_{line.id}"] = IntegerField(
            line.name, default=0, validators=[Optional(), NumberRange(min=0, max=left,
                                                                      message=_l("Entre 0 et %(max)s.", max=left))])
    form_class = type("ReturnForm", (ReturnFormBase,), fields)
    return form_class(prefix="ret", **kwargs)


class RefundForm(FlaskForm):
    amount = MoneyField(_l("Montant à rembourser"), required=True)
    channel = SelectField(_l("Mode de remboursement"), choices=_choices(REFUND_CHANNELS.items()),
                          validators=[InputRequired()])
    note = StringField(_l("Motif"), validators=[Optional(), Length(max=300)])

    def __init__(self, *args, currency: str, refundable: int, **kwargs):
        self.currency, self.refundable = currency, refundable
        super().__init__(*args, **kwargs)

    def validate_amount(self, field) -> None:
        if field.amount is not None and field.amount <= 0:
            raise ValidationError(_l("Le montant doit être positif."))
        if field.amount is not None and field.amount > self.refundable:
            raise ValidationError(_l("Au plus ce qui reste payé et non remboursé."))
