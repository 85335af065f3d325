from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from app.cart.services import MAX_LINE_QUANTITY

_QUANTITY = [InputRequired(_l("Indiquez une quantité.")),
             NumberRange(min=1, max=MAX_LINE_QUANTITY,
                         message=_l("La quantité doit être entre 1 et %(max)s.", max=MAX_LINE_QUANTITY))]


class AddLineForm(FlaskForm):
    variant_id = IntegerField(validators=[InputRequired()])
    quantity = IntegerField(_l("Quantité"), default=1, validators=_QUANTITY)
    next = HiddenField()


class QuantityForm(FlaskForm):
    quantity = IntegerField(_l("Quantité"), validators=_QUANTITY)
