"""Dashboard figures for a period, as aggregate SQL (SUM / COUNT / GROUP BY), never a loop over orders.

Periods are whole days in the tenant's time zone, turned into a half-open UTC range
``[start, end)`` on ``orders.created_at`` (stored as naive UTC). Daily buckets are computed
by the database on the shifted timestamp; the only Python loops fold at most a few hundred
day rows into weeks or months.

Definitions (shown on the page too):
* orders: every order placed in the period; revenue: totals of those neither cancelled nor
  returned; average order value: revenue / those orders; cashed: totals with payment ``paid``;
* payment success rate per method: successful / (successful + failed) attempts, from the
  ``payments`` table when that method has attempts there, else from the orders' payment status
  (cash on delivery is settled on the order itself);
* fulfilment lead time: from the order's creation (``received``) to its ``shipped`` change,
  for orders shipped during the period;
* stock-outs: listed products with no available unit in any eligible store (now).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, func, literal, select, union_all

from app.catalog.models import Product
from app.core.cache import TenantCache
from app.core.db import utcnow
from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.models import PAYMENT_LABELS, STATUS_LABELS, Order, OrderLine, OrderStatusChange
from app.payments.models import Payment
from app.payments.providers.registry import METHODS
from app.reports.stock import IS_LOW

NOT_SOLD = ("cancelled", "returned")  # placed, but no revenue in the end
PAID_OK = ("paid", "refunded", "partially_refunded")  # the payment went through (refunds come later)
ATTEMPT_OK = ("succeeded", "refunded")
ATTEMPT_FAILED = ("failed", "expired")
MEDIAN_LIMIT = 20_000  # above this many shipped orders the median is skipped (a full sort)
TOP = 5


@dataclass(frozen=True)
class Period:
    """Whole local days ``first``..``last`` (inclusive); ``offset`` is the tenant's UTC offset."""

    first: date
    last: date
    offset: timedelta = timedelta(0)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time()) - self.offset

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time()) - self.offset

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.offset)


@dataclass
class Totals:
    orders: int = 0
    sold_orders: int = 0
    revenue: int = 0
    cashed: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def average(self) -> int:
        return self.revenue // self.sold_orders if self.sold_orders else 0  # integer minor units


@dataclass(frozen=True)
class MethodRate:
    method: str
    succeeded: int
    failed: int
    source: str  # payments | orders

    @property
    def rate(self) -> int | None:
        """Percent, rounded; None while no attempt has concluded."""
        done = self.succeeded + self.failed
        return round(100 * self.succeeded / done) if done else None


@dataclass(frozen=True)
class LeadTime:
    shipped: int
    average_hours: float | None
    median_hours: float | None


@dataclass(frozen=True)
class TopProduct:
    product_id: int | None
    name: str
    units: int
    revenue: int


PRESETS = {"today": 1, "7d": 7, "30d": 30, "365d": 365}  # key → days ending today
MAX_DAYS = 731


def local_clock(timezone: str) -> tuple[date, timedelta]:
    """Today in the tenant's time zone and that zone's current UTC offset."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    now = datetime.now(zone)
    return now.date(), now.utcoffset() or timedelta(0)


def preset(key: str, today: date, offset: timedelta) -> Period:
    return Period(today - timedelta(days=PRESETS[key] - 1), today, offset)


def change(current: int | float | None, previous: int | float | None) -> int | None:
    """Percent change against the previous period; None when there is nothing to compare with."""
    if current is None or not previous:
        return None
    return round(100 * (current - previous) / previous)


def _in(period: Period, column):
    return (column >= period.start) & (column < period.end)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _hours_between(later, earlier):
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / 3600.0
    return (func.julianday(later) - func.julianday(earlier)) * 24.0


def totals(period: Period) -> tuple[Totals, list[tuple[str, str, str, int]]]:
    """Period totals and the raw (status, payment status, method, count) groups, in one pass.

    The IN lists name the closed sets of values: with them both databases walk the
    ``ix_orders_breakdown`` index one (status, payment, method) slice at a time, each slice
    a range on ``created_at``, and the groups come out in index order (no sort of a year of rows).
    """
    rows = db.session.execute(
        select(Order.status, Order.payment_status, Order.payment_method, func.count(), func.sum(Order.total))
        .where(Order.status.in_(STATUS_LABELS), Order.payment_status.in_(PAYMENT_LABELS),
               Order.payment_method.in_(METHODS), _in(period, Order.created_at))
        .group_by(Order.status, Order.payment_status, Order.payment_method)
    ).all()
    t = Totals()
    for status, payment, _method, count, amount in rows:
        t.orders += count
        t.by_status[status] = t.by_status.get(status, 0) + count
        if status not in NOT_SOLD:
            t.sold_orders += count
            t.revenue += int(amount or 0)
        if payment == "paid":
            t.cashed += int(amount or 0)
    return t, [(s, p, m, n) for s, p, m, n, _ in rows]


def bucket_days(period: Period) -> list[tuple[date, date]]:
    """(first, last) local days of each chart bar: days up to 31 days, weeks up to 120, months beyond."""
    size = "day" if period.days <= 31 else "week" if period.days <= 120 else "month"
    out: list[tuple[date, date]] = []
    first = period.first
    while first <= period.last:
        if size == "day":
            nxt = first + timedelta(days=1)
        elif size == "week":
            nxt = first + timedelta(days=7 - first.weekday())
        else:
            nxt = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        out.append((first, min(nxt - timedelta(days=1), period.last)))
        first = nxt
    return out


def series(*periods: Period) -> list[list[tuple[date, int, int]]]:
    """Per period, (bucket first day, orders, revenue) for each bar.

    Buckets are local-day boundaries turned into UTC bounds here, so the same statement
    works on SQLite and PostgreSQL (no dialect date function) and each arm of the UNION is
    one range scan of the ``ix_orders_timeline`` covering index.
    """
    sold = case((Order.status.in_(NOT_SOLD), 0), else_=Order.total)
    arms, keys = [], []
    for p_index, period in enumerate(periods):
        for first, last in bucket_days(period):
            bucket = Period(first, last, period.offset)
            arms.append(select(literal(len(keys)).label("k"), func.count().label("n"),
                               func.coalesce(func.sum(sold), 0).label("r"))
                        .select_from(Order).where(_in(bucket, Order.created_at)))
            keys.append((p_index, first))
    found = {k: (n, int(r or 0)) for k, n, r in db.session.execute(union_all(*arms)).all()} if arms else {}
    out: list[list[tuple[date, int, int]]] = [[] for _ in periods]
    for i, (p_index, first) in enumerate(keys):
        n, r = found.get(i, (0, 0))
        out[p_index].append((first, n, r))
    return out


def payment_rates(period: Period, order_groups: list[tuple[str, str, str, int]]) -> list[MethodRate]:
    """Success rate per method: provider attempts where they exist, else the orders' payment status."""
    from_orders: dict[str, list[int]] = {}
    for _status, payment, method, count in order_groups:
        slot = from_orders.setdefault(method, [0, 0])
        if payment in PAID_OK:
            slot[0] += count
        elif payment == "failed":
            slot[1] += count
    from_payments: dict[str, list[int]] = {}
    rows = db.session.execute(  # one created_at range per (method, status) slice of its index
        select(Payment.method, Payment.status, func.count())
        .where(Payment.method.in_(METHODS), Payment.status.in_(ATTEMPT_OK + ATTEMPT_FAILED + ("pending",)),
               _in(period, Payment.created_at))
        .group_by(Payment.method, Payment.status)
    ).all()
    for method, status, count in rows:
        slot = from_payments.setdefault(method, [0, 0])
        if status in ATTEMPT_OK:
            slot[0] += count
        elif status in ATTEMPT_FAILED:
            slot[1] += count
    rates = [MethodRate(m, ok, ko, "payments") for m, (ok, ko) in from_payments.items()]
    rates += [MethodRate(m, ok, ko, "orders") for m, (ok, ko) in from_orders.items() if m not in from_payments]
    return sorted(rates, key=lambda r: r.method)


def lead_time(period: Period) -> LeadTime:
    """Received → shipped, for the orders shipped in the period (average; median when cheap)."""
    hours = _hours_between(OrderStatusChange.created_at, Order.created_at)
    shipped = (
        select(hours.label("hours"))
        .join(Order, Order.id == OrderStatusChange.order_id)
        .where(OrderStatusChange.field == "status", OrderStatusChange.to_status == "shipped",
               _in(period, OrderStatusChange.created_at))
    )
    count, average = db.session.execute(
        select(func.count(), func.avg(shipped.subquery().c.hours))
    ).one()
    median = None
    if count and count <= MEDIAN_LIMIT:
        sub = shipped.subquery()
        middle = db.session.execute(
            select(sub.c.hours).order_by(sub.c.hours).offset((count - 1) // 2).limit(2 - count % 2)
        ).scalars().all()
        median = sum(float(h) for h in middle) / len(middle) if middle else None
    return LeadTime(int(count or 0), float(average) if average is not None else None, median)


def top_products(period: Period, limit: int = TOP) -> list[TopProduct]:
    """Best sellers by units of the period's orders that were not cancelled or returned.

    Only indexed columns are aggregated (``ix_order_lines_sales`` covers them); the names of
    the few winners are looked up afterwards.
    """
    sold = select(Order.id).where(_in(period, Order.created_at), Order.status.not_in(NOT_SOLD))
    units = func.sum(OrderLine.quantity)
    rows = db.session.execute(
        select(OrderLine.product_id, units, func.sum(OrderLine.line_total))
        .where(OrderLine.order_id.in_(sold))
        .group_by(OrderLine.product_id)
        .order_by(units.desc(), OrderLine.product_id)
        .limit(limit)
    ).all()
    ids = [pid for pid, _, _ in rows if pid is not None]
    names = dict(db.session.execute(select(Product.id, Product.name).where(Product.id.in_(ids))).all()) if ids else {}
    return [TopProduct(pid, names.get(pid, ""), int(n), int(r or 0)) for pid, n, r in rows]


def stock_outs() -> int:
    """Listed products with nothing available in any eligible store (the read model ``in_stock``)."""
    return db.session.scalar(
        select(func.count()).select_from(Product).where(Product.listed.is_(True), Product.in_stock.is_(False))
    ) or 0


def low_stock_levels() -> int:
    """Stock levels (variant × store) at or under their low-stock threshold (a partial index)."""
    return db.session.scalar(select(func.count()).select_from(StockLevel).where(IS_LOW)) or 0


@dataclass
class Dashboard:
    """Plain values only: a dashboard outlives the session that computed it (cache)."""

    period: Period
    previous: Period
    totals: Totals
    previous_totals: Totals
    series: list[tuple[date, int, int]]
    previous_series: list[tuple[date, int, int]]
    payment_rates: list[MethodRate]
    lead_time: LeadTime
    previous_lead_time: LeadTime
    top_products: list[TopProduct]
    stock_outs: int
    low_stock: int
    computed_at: datetime


# A period that reaches today is recomputed every minute; a past one every ten (late
# cancellations and payments still move it a little).
_live = TenantCache(ttl=60, max_entries=64)
_past = TenantCache(ttl=600, max_entries=64)


def dashboard(period: Period, today: date) -> Dashboard:
    cache = _live if period.last >= today else _past
    return cache.get_or_compute((period.first, period.last, period.offset), lambda: compute(period))


def compute(period: Period) -> Dashboard:
    previous = period.previous()
    current, groups = totals(period)
    before, _ = totals(previous)
    now_series, then_series = series(period, previous)
    return Dashboard(
        period=period, previous=previous, totals=current, previous_totals=before, series=now_series,
        previous_series=then_series, payment_rates=payment_rates(period, groups), lead_time=lead_time(period),
        previous_lead_time=lead_time(previous), top_products=top_products(period), stock_outs=stock_outs(),
        low_stock=low_stock_levels(), computed_at=utcnow(),
    )


def clear_cache() -> None:
    _live.clear()
    _past.clear()
