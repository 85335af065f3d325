"""Reads for the back-office order pages: the filtered list and one order's detail.

The list must stay fast with 100 000 orders per tenant: every filter rides an index that
leads with ``tenant_id`` (see ``Order.__table_args__``), pages are keyset cursors on the
sort key plus id (no OFFSET), and the count stops at ``COUNT_CAP`` rows instead of
counting the whole table on every request.
"""
from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.inventory import services as inventory
from app.inventory.models import Reservation
from app.orders.models import Order, OrderReturn
from app.orders.services import TIMELINE, returned_quantities
from app.payments.models import Payment, Refund
from app.tenancy.models import Store

PAGE_SIZE = 50
COUNT_CAP = 1000
SORTS = ("-date", "date", "-total", "total", "-number", "number")
_COLUMNS = {"date": Order.created_at, "total": Order.total, "number": Order.number}
_NUMBER = re.compile(r"(?:([A-Za-z]{1,5})-?)?(\d{1,9})")
_PHONE = re.compile(r"\+?\d{6,15}")


@dataclass
class OrderFilters:
    q: str = ""
    status: str = ""
    payment_status: str = ""
    method: str = ""
    store_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    amount_min: int | None = None  # minor units
    amount_max: int | None = None
    sort: str = "-date"
    after: str = ""  # keyset cursors (opaque)
    before: str = ""

    @property
    def narrowed(self) -> bool:
        return any((self.q, self.status, self.payment_status, self.method, self.store_id, self.date_from,
                    self.date_to, self.amount_min is not None, self.amount_max is not None))


@dataclass
class OrderPage:
    orders: list[Order]
    count: int
    capped: bool  # more than COUNT_CAP orders match: the count reads "1 000+"
    next_cursor: str | None = None
    prev_cursor: str | None = None
    stores: dict[int, Store] = field(default_factory=dict)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _utc_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The tenant's local midnight of ``day`` as the naive UTC the columns store."""
    return datetime.combine(day, time.min, zone).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def local_time(moment: datetime | None, zone_name: str) -> datetime | None:
    """A stored naive-UTC moment in the tenant's time zone, for display."""
    if moment is None:
        return None
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(_zone(zone_name))


def _prefix(expression, word: str):
    """``expression`` starts with ``word``, in the form each database can serve from the
    ``lower(name)`` index: LIKE on PostgreSQL (text_pattern_ops), a range on SQLite
    (whose LIKE never uses an expression index; its binary order makes the range exact)."""
    if db.session.get_bind().dialect.name == "postgresql":
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return expression.like(escaped + "%", escape="\\")
    if ord(word[-1]) >= 0x10FFFF:  # no next code point: an open-ended range
        return expression >= word
    return and_(expression >= word, expression < word[:-1] + chr(ord(word[-1]) + 1))


def search_condition(q: str, country: str, *, name_index: bool = True):
    """Order number, e-mail, phone (any written form) or customer name, each on its index
    where it has one; a name is a prefix of the first or last name."""
    q = q.strip()[:100]
    compact = re.sub(r"[\s.\-()/]", "", q)
    found = []
    number = _NUMBER.fullmatch(q.replace(" ", ""))
    if number:  # AG-000123, ag123, 123
        prefix = (number.group(1) or "AG").upper()
        found.append(Order.number.in_({q.upper(), f"{prefix}-{int(number.group(2)):06d}"}))
    if "@" in q:
        found.append(Order.email == q.lower())
    phone = _PHONE.fullmatch(compact)
    if phone:
        try:
            parsed = phonenumbers.parse(compact, country)
            found.append(Order.phone == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
        except phonenumbers.NumberParseException:
            pass
    if not (number or phone) and "@" not in q and re.search(r"[^\W\d_]", q):  # letters: a name
        words = [w.lower() for w in q.split()[:2]]
        first, last = func.lower(Order.first_name), func.lower(Order.last_name)
        if not name_index:  # a common name: read the newest orders in order rather than every match
            first, last = first.concat(""), last.concat("")
        if len(words) == 2:  # "Awa Ngassa" or "Ngassa Awa"
            a, b = words
            found.append(or_(and_(_prefix(first, a), _prefix(last, b)), and_(_prefix(last, a), _prefix(first, b))))
        else:
            found.append(or_(_prefix(last, words[0]), _prefix(first, words[0])))
    return or_(*found) if found else false()


def _conditions(f: OrderFilters, tenant, *, name_index: bool = True) -> list:
    # tenant_id explicitly too: the session hook adds it anyway, this puts it first for the indexes.
    conds = [Order.tenant_id == tenant.id]
    if f.status:
        conds.append(Order.status == f.status)
    if f.payment_status:
        conds.append(Order.payment_status == f.payment_status)
    if f.method:
        conds.append(Order.payment_method == f.method)
    if f.store_id:
        conds.append(Order.fulfilment_store_id == f.store_id)
    zone = _zone(tenant.timezone)
    try:  # year 1 or 9999 fall off the calendar in UTC: no bound there is the same answer
        if f.date_from:
            conds.append(Order.created_at >= _utc_midnight(f.date_from, zone))
        if f.date_to:
            conds.append(Order.created_at < _utc_midnight(f.date_to + timedelta(days=1), zone))
    except OverflowError:
        pass
    if f.amount_min is not None:
        conds.append(Order.total >= f.amount_min)
    if f.amount_max is not None:
        conds.append(Order.total <= f.amount_max)
    if f.q.strip():
        conds.append(search_condition(f.q, tenant.country, name_index=name_index))
    return conds


def encode_cursor(order: Order, sort: str) -> str:
    value = getattr(order, {"date": "created_at", "total": "total", "number": "number"}[sort.lstrip("-")])
    raw = json.dumps([value.isoformat() if isinstance(value, datetime) else value, order.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str):
    """(value, id) from a cursor, or None for anything tampered or stale."""
    try:
        value, order_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key = sort.lstrip("-")
        if key == "date":
            value = datetime.fromisoformat(value)
        elif key == "total" and not isinstance(value, int) or key == "number" and not (
                isinstance(value, str) and "\x00" not in value):
            return None
        if not isinstance(order_id, int) or isinstance(order_id, bool) or not 0 < order_id < 2**31:
            return None
        if key == "total" and not 0 <= value < 2**31:  # a forged value the integer column cannot hold
            return None
        return value, order_id
    except (ValueError, TypeError):
        return None


def _beyond(column, value, order_id: int, descending: bool):
    """Rows after (value, id) in this direction; the first term alone bounds the index range."""
    if descending:
        return and_(column <= value, or_(column < value, Order.id < order_id))
    return and_(column >= value, or_(column > value, Order.id > order_id))


def list_orders(f: OrderFilters, tenant, page_size: int = PAGE_SIZE) -> OrderPage:
    sort = f.sort if f.sort in SORTS else "-date"
    column, descending = _COLUMNS[sort.lstrip("-")], sort.startswith("-")
    conds = _conditions(f, tenant)
    count, capped = _count(conds)
    # The capped count doubles as a selectivity probe, which SQLite's planner lacks (no
    # histograms): a few matches are best found through the filter's index and sorted;
    # many are best met by walking the sort key's index until the page is full.
    key = column
    if not capped and sort.lstrip("-") != "date":
        key = column + 0 if sort.lstrip("-") == "total" else column.concat("")  # same order, no index
    elif capped and f.q.strip():
        conds = _conditions(f, tenant, name_index=False)
    after = decode_cursor(f.after, sort) if f.after else None
    before = decode_cursor(f.before, sort) if f.before and not after else None
    backwards = before is not None
    direction = descending != backwards  # a "previous page" reads the other way, then flips
    query = select(Order).where(*conds)
    if after or before:
        query = query.where(_beyond(column, *(after or before), direction))
    query = query.order_by(*((key.desc(), Order.id.desc()) if direction else (key.asc(), Order.id.asc())))
    rows = list(db.session.scalars(query.limit(page_size + 1)))
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    page = OrderPage(rows, count, capped)
    if rows:
        if backwards:
            page.next_cursor = encode_cursor(rows[-1], sort)
            page.prev_cursor = encode_cursor(rows[0], sort) if more else None
        else:
            page.next_cursor = encode_cursor(rows[-1], sort) if more else None
            page.prev_cursor = encode_cursor(rows[0], sort) if after else None
    page.stores = {s.id: s for s in all_stores()}
    return page


def _count(conds: list) -> tuple[int, bool]:
    """Matching orders up to COUNT_CAP: an index-only walk of at most COUNT_CAP + 1 rows."""
    capped = select(Order.id).where(*conds).limit(COUNT_CAP + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(capped)) or 0
    return min(n, COUNT_CAP), n > COUNT_CAP


def all_stores() -> list[Store]:
    return list(db.session.scalars(select(Store).order_by(Store.position, Store.id)))


# --- one order ------------------------------------------------------------------------------

@dataclass
class OrderDetail:
    order: Order
    returned: dict[int, int]  # {order_line_id: units already returned}
    refunds: list
    refunded: int
    refundable: int
    reached: dict[str, datetime]  # status → when it was reached
    store_options: list[tuple[Store, list[str]]]  # eligible stores, with the lines each lacks
    on_shelf: dict[int, int]  # {variant_id: available now at the fulfilment store}
    timeline: tuple[str, ...] = TIMELINE


def order_for_staff(order_id: int) -> Order | None:
    """The order with everything its page shows; None for an unknown or foreign id."""
    return db.session.scalar(
        select(Order).where(Order.id == order_id).options(
            selectinload(Order.lines), selectinload(Order.history),
            selectinload(Order.returns).selectinload(OrderReturn.lines),
            selectinload(Order.payments).selectinload(Payment.events)))


def refunds_of(order: Order) -> tuple[list, int, int]:
    """(refunds, amount refunded, amount still refundable): what was paid minus refunded."""
    refunds = list(db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))
    refunded = sum(r.amount for r in refunds if r.status == "succeeded")
    refundable = order.total - refunded if order.payment_status in ("paid", "partially_refunded") else 0
    return refunds, refunded, max(refundable, 0)


def order_detail(order: Order) -> OrderDetail:
    refunds, refunded, refundable = refunds_of(order)
    return OrderDetail(order=order, returned=returned_quantities(order.id), refunds=refunds, refunded=refunded,
                       refundable=refundable,
                       reached={c.to_status: c.created_at for c in order.history if c.field == "status"},
                       **_stock_view(order))


def _stock_view(order: Order) -> dict:
    """What the page shows of stock: each store the shop sells from with the lines it could
    not serve (empty: it can serve all), and what is left of each line's variant at the
    fulfilment store (so staff see a cancellation put it back)."""
    stores = inventory.eligible_stores()
    wanted: dict[int, int] = {}
    for line in order.lines:
        if line.variant_id is not None:
            wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    store_ids = {s.id for s in stores} | ({order.fulfilment_store_id} if order.fulfilment_store_id else set())
    stock = inventory.available_by_store(wanted, store_ids)
    held = {}
    if order.status == "received":  # the order's own holds come back to it on a move
        for r in db.session.scalars(select(Reservation).where(Reservation.order_id == order.id,
                                                              Reservation.status == "active")):
            held[(r.variant_id, r.store_id)] = held.get((r.variant_id, r.store_id), 0) + r.quantity
    names = {line.variant_id: line.name for line in order.lines}
    options = [(s, [names[v] for v, q in wanted.items() if stock.get((v, s.id), 0) + held.get((v, s.id), 0) < q])
               for s in stores]
    on_shelf = {v: max(stock.get((v, order.fulfilment_store_id), 0), 0) for v in wanted}
    return {"store_options": options, "on_shelf": on_shelf}
