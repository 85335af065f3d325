"""Full-text product search: SQLite FTS5 or PostgreSQL tsvector, chosen by dialect.

The search structures are raw DDL in migration 0001 (an FTS5 table kept by triggers; a
generated ``search_vector`` column with a GIN index), so the models do not declare them
and migration comparison skips them (:func:`include_object`).

Shopper text never reaches either query language as syntax: it is cut into word tokens,
each searched as a prefix, all required.
"""
from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Integer, column, literal_column, text

from app.catalog.models import Product
from app.extensions import db

_TOKEN = re.compile(r"\w+", re.UNICODE)
MAX_TOKENS = 8


def tokens(query: str) -> list[str]:
    return _TOKEN.findall((query or "").lower())[:MAX_TOKENS]


def match_clause(query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on ``products`` for the query, or None when it has no words."""
    words = tokens(query)
    if not words:
        return None
    if db.engine.dialect.name == "postgresql":
        ts_query = " & ".join(f"{w}:*" for w in words)
        return literal_column("products.search_vector").op("@@")(
            text("to_tsquery('simple', ag_unaccent(:ts_query))").bindparams(ts_query=ts_query)
        )
    # Reviewed for scoping: the FTS table has no tenant column, but it only narrows a
    # products query that the session hook already scopes to the current tenant.
    fts_query = " ".join(f'"{w}"*' for w in words)
    return Product.id.in_(
        text("SELECT rowid FROM product_search WHERE product_search MATCH :fts_query").bindparams(
            fts_query=fts_query
        ).columns(column("rowid", Integer))
    )


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic filter: leave the search structures to migration 0001."""
    if type_ == "table" and name and name.startswith("product_search"):
        return False
    if type_ == "column" and name == "search_vector":
        return False
    return not (type_ == "index" and name == "ix_products_search")
