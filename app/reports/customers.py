"""Customer reads for the back-office: search, one customer's orders and lifetime value.

Search picks the index the text can use: an email prefix (``@`` in it), a phone number
(normalised to E.164 with the shop's country, else matched on its digits), or words of
the name. Figures per customer come from one grouped query over that page's customers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import and_, case, func, or_, select

from app.customers.models import Address, Customer
from app.extensions import db
from app.orders.models import Order
from app.reports.stock import PAGE, Page

PHONE_LIKE = re.compile(r"^[+\d][\d\s().-]{2,}$")
LTV_STATUSES = ("paid",)  # lifetime value: the totals of the orders the customer has paid


@dataclass(frozen=True)
class Figures:
    orders: int = 0
    lifetime_value: int = 0
    paid_orders: int = 0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None

    @property
    def average(self) -> int:
        return self.lifetime_value // self.paid_orders if self.paid_orders else 0


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    figures: Figures


def _prefix(column, text: str):
    return and_(column >= text, column < text + "\U0010ffff")  # a range the unique index serves


def _search_clause(q: str, country: str):
    if "@" in q:
        return _prefix(Customer.email, q.lower())
    if PHONE_LIKE.match(q):
        digits = re.sub(r"\D", "", q)
        try:
            number = phonenumbers.parse(q, country)
            if phonenumbers.is_possible_number(number):
                e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
                return or_(Customer.phone == e164, Customer.phone.contains(digits, autoescape=True))
        except phonenumbers.NumberParseException:
            pass
        return Customer.phone.contains(digits, autoescape=True)
    return and_(*[or_(_contains(Customer.first_name, w), _contains(Customer.last_name, w),
                      _prefix(Customer.email, w.lower())) for w in q.split()[:4]])


def _contains(column, word: str):
    """Case-insensitive substring: SQLite's LIKE already ignores ASCII case (``lower()`` on every
    row would double the scan); PostgreSQL needs ILIKE."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column.icontains(word, autoescape=True)
    return column.contains(word, autoescape=True)


def search(q: str, page: int, country: str) -> Page[CustomerRow]:
    """Customers matching ``q`` (all when empty), newest first, with their order figures."""
    q = (q or "").strip()[:100]
    where = [_search_clause(q, country)] if q else []
    total = db.session.scalar(select(func.count()).select_from(Customer).where(*where)) or 0
    customers = list(db.session.scalars(
        select(Customer).where(*where).order_by(Customer.id.desc()).limit(PAGE).offset((page - 1) * PAGE)))
    figures = _figures([c.id for c in customers])
    return Page([CustomerRow(c, figures.get(c.id, Figures())) for c in customers], page, page * PAGE < total, total)


def _figures(customer_ids: list[int]) -> dict[int, Figures]:
    if not customer_ids:
        return {}
    paid = Order.payment_status.in_(LTV_STATUSES)
    rows = db.session.execute(
        select(Order.customer_id, func.count(), func.coalesce(func.sum(case((paid, Order.total), else_=0)), 0),
               func.coalesce(func.sum(case((paid, 1), else_=0)), 0), func.min(Order.created_at),
               func.max(Order.created_at))
        .where(Order.customer_id.in_(customer_ids)).group_by(Order.customer_id)
    ).all()
    return {cid: Figures(n, int(ltv), int(paid_n), first, last) for cid, n, ltv, paid_n, first, last in rows}


def customer(customer_id: int) -> Customer | None:
    return db.session.get(Customer, customer_id)  # scoped: another tenant's id is None


def figures(customer_id: int) -> Figures:
    return _figures([customer_id]).get(customer_id, Figures())


def addresses(customer_id: int) -> list[Address]:
    return list(db.session.scalars(
        select(Address).where(Address.customer_id == customer_id).order_by(Address.is_default.desc(), Address.id)))


def orders(customer_id: int, page: int) -> Page[Order]:
    where = Order.customer_id == customer_id
    total = db.session.scalar(select(func.count()).select_from(Order).where(where)) or 0
    rows = list(db.session.scalars(
        select(Order).where(where).order_by(Order.created_at.desc(), Order.id.desc())
        .limit(PAGE).offset((page - 1) * PAGE)))
    return Page(rows, page, page * PAGE < total, total)
