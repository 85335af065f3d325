"""Customer writes: checkout upserts the customer by email, then phone."""
from __future__ import annotations

from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db


def upsert_customer(*, email: str, phone: str, first_name: str, last_name: str) -> Customer:
    email = (email or "").strip().lower() or None
    phone = phone or None
    customer = None
    if email:
        customer = db.session.scalar(select(Customer).where(Customer.email == email))
    if customer is None and phone:
        customer = db.session.scalar(select(Customer).where(Customer.phone == phone))
    if customer is None:
        customer = Customer(email=email, phone=phone)
        db.session.add(customer)
    else:
        customer.email = customer.email or email
        # A phone that already belongs to another customer stays with that customer.
        if phone and not customer.phone and db.session.scalar(
                select(Customer.id).where(Customer.phone == phone)) is None:
            customer.phone = phone
    customer.first_name, customer.last_name = first_name, last_name
    db.session.flush()
    return customer
