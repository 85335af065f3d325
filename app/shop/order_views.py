"""Order confirmation and tracking."""
from __future__ import annotations

from flask import abort, current_app, g, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.core.htmx import see_other
from app.extensions import limiter
from app.orders.models import PAYMENT_LABELS, STATUS_LABELS
from app.orders.services import TIMELINE
from app.orders.tracking import find_for_tracking, order_from_token, tracking_token
from app.shop import bp


class TrackForm(FlaskForm):
    number = StringField(_l("Numéro de commande"), validators=[InputRequired(), Length(max=20)])
    contact = StringField(_l("E-mail ou téléphone utilisé pour la commande"),
                          validators=[InputRequired(), Length(max=254)])


def _track_limit() -> str:
    return current_app.config["TRACK_RATE_LIMIT"]


@bp.get("/orders/<token>")
def show_order(token: str):
    order = order_from_token(token)
    if order is None:
        abort(404)
    return render_template("shop/order.html", order=order, timeline=TIMELINE, labels=STATUS_LABELS,
                           payment_labels=PAYMENT_LABELS,
                           reached={c.to_status: c.created_at for c in order.history if c.field == "status"})


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_track_limit, methods=["POST"], key_func=lambda: f"{g.tenant.id}:{get_remote_address()}")
def track_order():
    form = TrackForm()
    not_found = False
    if form.validate_on_submit():
        order = find_for_tracking(form.number.data, form.contact.data, g.tenant.country)
        if order is not None:
            return see_other(url_for("shop.show_order", token=tracking_token(order)))
        not_found = True  # one neutral answer for a wrong number and a wrong contact alike
    status = 422 if form.errors else 200
    return render_template("shop/track.html", form=form, not_found=not_found), status
