"""The migrations build exactly the schema the models describe, on this test's database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.catalog.search import include_object
from app.extensions import db


def test_upgraded_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
        diff = compare_metadata(context, db.metadata)
        assert diff == []
        tables = set(inspect(conn).get_table_names())
        assert {"products", "stock_levels", "orders", "alembic_version"} <= tables
        if conn.dialect.name == "sqlite":
            assert "product_search" in tables
        else:
            assert "search_vector" in {c["name"] for c in inspect(conn).get_columns("products")}


def test_stock_checks_exist_in_the_database(app):
    with app.app_context(), db.engine.connect() as conn:
        checks = {c["name"] for c in inspect(conn).get_check_constraints("stock_levels")}
        assert {"ck_stock_levels_available_not_negative", "ck_stock_levels_reserved_not_negative"} <= checks
