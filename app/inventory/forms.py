"""Back-office inventory forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from app.inventory.adjustments import MAX_DELTA, REASONS

VIEWS = ("page", "row", "variant")  # which markup answers an htmx submission


class AdjustStockForm(FlaskForm):
    store_id = SelectField(_l("Magasin"), coerce=int, validators=[InputRequired()])
    delta = IntegerField(_l("Quantité (+ entrée, − sortie)"),
                         validators=[InputRequired(_l("Indiquez une quantité, par exemple 5 ou -2.")),
                                     NumberRange(-MAX_DELTA, MAX_DELTA)])
    reason = SelectField(_l("Motif"), choices=[SelectChoice("", _l("— choisir —")),
                                                  *(SelectChoice(k, v) for k, v in REASONS.items())],
                         validators=[InputRequired(_l("Choisissez un motif."))])
    note = StringField(_l("Note"), validators=[Length(max=200)])
    view = HiddenField(default="page")

    def __init__(self, stores, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.store_id.choices = [SelectChoice(s.id, s.name) for s in stores]
        if self.view.data not in VIEWS:
            self.view.data = "page"

    def validate_delta(self, field) -> None:
        if field.data == 0:
            raise ValidationError(_l("Une quantité nulle ne change rien."))

    def validate_reason(self, field) -> None:
        if field.data not in REASONS:
            raise ValidationError(_l("Choisissez un motif."))
