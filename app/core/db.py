"""Declarative base, shared mixins and the tenant scoping of every ORM statement.

The current tenant lives on ``flask.g`` (a request sets it from the Host; jobs, CLI and
tests enter :func:`tenant_context`). Two session hooks do the sealing:

* ``do_orm_execute`` adds ``tenant_id = :current`` to every ORM SELECT/UPDATE/DELETE that
  touches a :class:`TenantScoped` model, and refuses to run one with no tenant at all;
* ``before_flush`` stamps ``tenant_id`` on new rows and refuses rows of another tenant.

Raw SQL (``text()``) is not covered: each use is reviewed for scoping where it stands.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from typing import cast

from flask import g, has_app_context
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, DateTime, Executable, ForeignKey, Integer, MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, with_loader_criteria

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Created here, unbound, so core needs nothing above it; app.extensions re-exports it.
db = SQLAlchemy(model_class=Base)


def changed_rows(statement: Executable) -> int:
    """Run a conditional UPDATE or DELETE in the session; how many rows it changed (the
    database decides which of several racing writers wins)."""
    return cast(CursorResult, db.session.execute(statement)).rowcount


def utcnow() -> datetime:
    """Naive UTC: the same value on SQLite and PostgreSQL ``timestamp`` columns."""
    return datetime.now(UTC).replace(tzinfo=None)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)


class TenantScoped:
    """Mixin for every row that belongs to one tenant."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 - SQLAlchemy declared_attr
        # No index of its own: each table's unique keys and indexes lead with tenant_id
        # where lookups need it; a lone tenant_id index only lures SQLite's planner away
        # from the selective one (product_images by product_id, say).
        return mapped_column(Integer, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False)


class TenantScopeError(RuntimeError):
    """A tenant-owned table was touched outside any tenant context."""


def current_tenant_id() -> int | None:
    if not has_app_context():
        return None
    return g.get("tenant_id")


@contextmanager
def tenant_context(tenant_id: int | None):
    """Run a block (job, CLI command, test) as one tenant; restores the previous one."""
    previous = g.get("tenant_id")
    g.tenant_id = tenant_id
    try:
        yield
    finally:
        g.tenant_id = previous


# Statements that must cross tenants on purpose (Host → tenant lookup, platform CLI)
# pass ``execution_options(all_tenants=True)``.
ALL_TENANTS = {"all_tenants": True}


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state) -> None:
    if state.is_column_load or state.execution_options.get("all_tenants"):
        return
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        if any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
            raise TenantScopeError("query on tenant data outside a tenant context")
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_tenant(session, flush_context, instances) -> None:
    tenant_id = current_tenant_id()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantScopeError(f"new {type(obj).__name__} outside a tenant context")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise TenantScopeError(f"{type(obj).__name__} of another tenant")
