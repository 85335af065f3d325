"""Back-office inventory: stock by variant × store, adjustments with a reason, ledger, reservations, low stock."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.backoffice import bp, can, require
from app.core.htmx import is_fragment_request, render, render_fragment, see_other
from app.inventory.adjustments import AdjustmentError, reason_label
from app.inventory.adjustments import adjust_stock as adjust
from app.inventory.forms import AdjustStockForm
from app.reports import stock as queries

KINDS = {"receipt": _l("Réception"), "sale": _l("Vente"), "return": _l("Retour"), "adjustment": _l("Ajustement"),
         "transfer_in": _l("Transfert entrant"), "transfer_out": _l("Transfert sortant"),
         "reservation": _l("Réservation"), "release": _l("Libération")}


def _kind_label(kind: str) -> str:
    return str(KINDS.get(kind, kind))


def _variant_or_404(variant_id: int):
    variant = queries.variant(variant_id)
    if variant is None:
        abort(404)
    return variant


@bp.get("/inventory")
@require("inventory:read")
def list_stock():
    q = request.args.get("q", "").strip()[:100]
    grid = queries.stock_grid(q, queries.clamp_page(request.args.get("page")))
    return render("backoffice/inventory/index.html", "backoffice/inventory/_grid.html", grid=grid,
                  stores=queries.stores(), q=q, can_adjust=can("inventory:write"))


@bp.get("/inventory/variants/<int:variant_id>")
@require("inventory:read")
def show_variant_stock(variant_id: int):
    return _variant_page(variant_id)


def _variant_page(variant_id: int, form: AdjustStockForm | None = None, status: int = 200):
    variant = _variant_or_404(variant_id)
    stores = queries.stores()
    if form is None:
        form = AdjustStockForm(stores, formdata=None, view="variant")
    page = queries.clamp_page(request.args.get("page"))
    return render("backoffice/inventory/variant.html", "backoffice/inventory/_variant.html", status=status,
                  variant=variant, levels=queries.levels(variant_id), form=form,
                  movements=queries.movements(variant_id, page),
                  reservations=queries.reservations(1, variant_id=variant_id),
                  kind_label=_kind_label, reason_label=reason_label)


@bp.get("/inventory/variants/<int:variant_id>/row")
@require("inventory:read")
def show_stock_row(variant_id: int):
    """The grid row of one variant (htmx: "Annuler" of an inline adjustment); the variant page without htmx."""
    if not is_fragment_request():
        return see_other(url_for("backoffice.show_variant_stock", variant_id=variant_id))
    row = queries.stock_row(variant_id)
    if row is None:
        abort(404)
    return render_fragment("backoffice/inventory/_row.html", row=row, stores=queries.stores(), row_only=True,
                           can_adjust=can("inventory:write"))


@bp.route("/inventory/variants/<int:variant_id>/adjust", methods=["GET", "POST"])
@require("inventory:write")
def adjust_stock(variant_id: int):
    """GET: the form (inline in the grid row with htmx); POST: apply it through the ledger."""
    variant = _variant_or_404(variant_id)
    stores = queries.stores()
    default_view = "row" if is_fragment_request() else "page"
    form = AdjustStockForm(stores, view=request.args.get("view", default_view),
                           store_id=request.args.get("store", type=int))
    error = None
    if form.validate_on_submit():
        try:
            after = adjust(current_user, variant.id, form.store_id.data, form.delta.data, form.reason.data,
                           form.note.data)
        except LookupError:
            abort(404)
        except AdjustmentError as exc:
            getattr(form, exc.field or "delta").errors.append(str(exc.message))
            error = exc
        else:
            flash(_("Stock de %(sku)s ajusté : %(n)s en stock.", sku=variant.sku, n=after["on_hand"]), "success")
            return _after_adjust(variant.id, form.view.data)
    status = 422 if form.is_submitted() or error else 200
    if is_fragment_request() and form.view.data == "variant":
        return _variant_page(variant.id, form, status)
    return render("backoffice/inventory/adjust.html", "backoffice/inventory/_adjust_row.html", status=status,
                  variant=variant, form=form, stores=stores, colspan=len(stores) + 3)


def _after_adjust(variant_id: int, view: str):
    if not is_fragment_request():
        back = url_for("backoffice.list_stock", q=request.args.get("q") or None) if view == "row" else None
        return see_other(back or url_for("backoffice.show_variant_stock", variant_id=variant_id))
    if view == "variant":
        return _variant_page(variant_id)
    return render_fragment("backoffice/inventory/_row.html", row=queries.stock_row(variant_id),
                           stores=queries.stores(), row_only=True, can_adjust=can("inventory:write"))


@bp.get("/inventory/reservations")
@require("inventory:read")
def list_reservations():
    page = queries.reservations(queries.clamp_page(request.args.get("page")))
    return render("backoffice/inventory/reservations.html", "backoffice/inventory/_reservations.html", page=page)


@bp.get("/inventory/low-stock")
@require("inventory:read")
def list_low_stock():
    stores = queries.stores()
    store_id = request.args.get("store", type=int)
    store_id = store_id if store_id in {s.id for s in stores} else None
    out_only = request.args.get("out") == "1"
    page = queries.low_stock(queries.clamp_page(request.args.get("page")), store_id=store_id, out_only=out_only)
    return render("backoffice/inventory/low_stock.html", "backoffice/inventory/_low_stock.html", page=page,
                  stores=stores, store_id=store_id, out_only=out_only)
