"""Back-office orders: the filtered list, one order's page, and the actions on it.

Every action is a plain form POST (303 back to the order) that htmx turns into an in-place
swap of the order's panels (``_detail.html``) with the flash out of band. A refused
action re-renders its form with the reason (422), the same way with or without htmx.
"""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.backoffice import bp, require
from app.backoffice.order_forms import (
    NoteForm,
    OrderFilterForm,
    PaidForm,
    ReassignForm,
    RefundForm,
    StatusForm,
    return_form,
)
from app.core.htmx import is_fragment_request, render, see_other
from app.inventory.services import eligible_stores
from app.orders import services
from app.orders.models import PAYMENT_LABELS, STATUS_LABELS
from app.orders.services import OrderError
from app.payments.errors import PaymentError
from app.payments.models import STATUS_LABELS as ATTEMPT_LABELS
from app.payments.providers.registry import labels as method_labels
from app.payments.refunds import refund_order
from app.reports import orders as queries


def _context() -> dict:
    """Labels and the tenant's clock, shared by every order template."""
    zone = g.tenant.timezone

    def resolved(labels: dict) -> dict:  # translate each lazy label once, not once per table row
        return {key: str(label) for key, label in labels.items()}

    return {"status_labels": resolved(STATUS_LABELS), "payment_labels": resolved(PAYMENT_LABELS),
            "method_labels": resolved(method_labels()), "attempt_labels": resolved(ATTEMPT_LABELS),
            "transitions": services.TRANSITIONS, "local": lambda moment: queries.local_time(moment, zone)}


@bp.get("/orders")
@require("orders:read")
def list_orders():
    stores = queries.all_stores()
    form = OrderFilterForm(request.args, currency=g.tenant.currency, stores=stores)
    form.validate()
    filters = form.filters()
    page = queries.list_orders(filters, g.tenant)
    return render("backoffice/orders/list.html", "backoffice/orders/_table.html", form=form, filters=filters,
                  page=page, **_context())


def _order_or_404(order_id: int):
    order = queries.order_for_staff(order_id)  # scoped: another tenant's id is None
    if order is None:
        abort(404)
    return order


def _forms(detail: queries.OrderDetail) -> dict:
    """Every action form, blank (``formdata=None``: another form's POST must not fill them)."""
    order = detail.order
    return {
        "status": StatusForm(formdata=None, prefix="st"),
        "store": ReassignForm(formdata=None, prefix="store", stores=eligible_stores()),
        "paid": PaidForm(formdata=None, prefix="paid"),
        "note": NoteForm(formdata=None, prefix="note"),
        "ret": return_form(order, detail.returned, formdata=None),
        "refund": RefundForm(formdata=None, prefix="refund", currency=order.currency, refundable=detail.refundable),
    }


def _page(order_id: int, http_status: int = 200, **submitted):
    order = _order_or_404(order_id)
    detail = queries.order_detail(order)
    forms = _forms(detail) | submitted
    return render("backoffice/orders/detail.html", "backoffice/orders/_detail.html", status=http_status, order=order,
                  detail=detail, forms=forms, **_context())


@bp.get("/orders/<int:order_id>")
@require("orders:read")
def show_order(order_id: int):
    return _page(order_id)


@bp.get("/orders/<int:order_id>/packing-slip")
@require("orders:read")
def print_packing_slip(order_id: int):
    order = _order_or_404(order_id)
    return render_template("backoffice/orders/packing_slip.html", order=order, **_context())


def _act(order_id: int, name: str, form, action, done: str):
    """Validate ``form``, run ``action(order, form)`` (one service call), answer."""
    order = _order_or_404(order_id)
    if form.validate_on_submit():
        try:
            action(order, form)
        except (OrderError, PaymentError) as exc:  # refused: the reason goes on the form
            form.form_errors.append(str(exc))
        else:
            flash(done, "success")
            if is_fragment_request():
                response = _page(order_id)
                response.headers["HX-Trigger"] = "order-changed"
                return response
            return see_other(url_for("backoffice.show_order", order_id=order_id))
    return _page(order_id, 422, **{name: form})


@bp.post("/orders/<int:order_id>/status")
@require("orders:write")
def change_order_status(order_id: int):
    return _act(order_id, "status", StatusForm(prefix="st"),
                lambda order, f: services.change_status(order, f.to_status.data, actor=current_user,
                                                        note=f.note.data or "", carrier=f.carrier.data or "",
                                                        tracking_number=f.tracking_number.data or ""),
                _("Statut de la commande mis à jour."))


@bp.post("/orders/<int:order_id>/store")
@require("orders:write")
def reassign_order_store(order_id: int):
    return _act(order_id, "store", ReassignForm(prefix="store", stores=eligible_stores()),
                lambda order, f: services.reassign_store(order, f.store_id.data, actor=current_user,
                                                         note=f.note.data or ""),
                _("Commande confiée à une autre boutique."))


@bp.post("/orders/<int:order_id>/paid")
@require("orders:write")
def mark_order_paid(order_id: int):
    return _act(order_id, "paid", PaidForm(prefix="paid"),
                lambda order, f: services.mark_paid(order, actor=current_user, note=f.note.data or ""),
                _("Paiement à la livraison encaissé."))


@bp.post("/orders/<int:order_id>/notes")
@require("orders:note")
def add_order_note(order_id: int):
    return _act(order_id, "note", NoteForm(prefix="note"),
                lambda order, f: services.add_note(order, f.note.data, actor=current_user),
                _("Note ajoutée."))


@bp.post("/orders/<int:order_id>/returns")
@require("orders:write")
def record_order_return(order_id: int):
    order = _order_or_404(order_id)
    form = return_form(order, services.returned_quantities(order.id))
    return _act(order_id, "ret", form,
                lambda order, f: services.record_return(order, f.quantities(), bool(f.restock.data),
                                                        actor=current_user, note=f.note.data or ""),
                _("Retour enregistré."))


@bp.post("/orders/<int:order_id>/refunds")
@require("orders:write")
def record_order_refund(order_id: int):
    order = _order_or_404(order_id)
    form = RefundForm(prefix="refund", currency=order.currency, refundable=queries.refunds_of(order)[2])
    # The payments module owns the money side (provider call, refund record, payment status).
    return _act(order_id, "refund", form,
                lambda order, f: refund_order(order, f.amount.amount, channel=f.channel.data, actor=current_user,
                                              note=f.note.data or ""),
                _("Remboursement enregistré."))
