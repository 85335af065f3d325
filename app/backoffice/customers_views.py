"""Back-office customers: search, and one customer with their orders, addresses and lifetime value."""
from __future__ import annotations

from flask import abort, g, request

from app.backoffice import bp, require
from app.core.htmx import render
from app.orders.models import PAYMENT_LABELS, STATUS_LABELS
from app.reports import customers as queries
from app.reports.stock import clamp_page


@bp.get("/customers")
@require("customers:read")
def list_customers():
    q = request.args.get("q", "").strip()[:100]
    page = queries.search(q, clamp_page(request.args.get("page")), g.tenant.country)
    return render("backoffice/customers/list.html", "backoffice/customers/_list.html", page=page, q=q)


@bp.get("/customers/<int:customer_id>")
@require("customers:read")
def show_customer(customer_id: int):
    customer = queries.customer(customer_id)
    if customer is None:
        abort(404)
    return render("backoffice/customers/detail.html", "backoffice/customers/_orders.html", customer=customer,
                  figures=queries.figures(customer.id), addresses=queries.addresses(customer.id),
                  orders=queries.orders(customer.id, clamp_page(request.args.get("page"))),
                  statuses=STATUS_LABELS, payments=PAYMENT_LABELS)
