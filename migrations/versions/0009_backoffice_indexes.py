"""back-office indexes: dashboard aggregates, low stock, active reservations

Covering indexes so the dashboard reads a year of orders without sorting it, a partial
index holding only the stock levels at or under their threshold, and the active
reservations of a tenant by expiry. Mirrored in the models' ``__table_args__``.

Revision ID: 0009_backoffice_indexes
Revises: 0005
Create Date: 2026-11-21 23:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "0009_backoffice_indexes"
down_revision = "0008_staff_admin"
branch_labels = None
# The payments table (and its success-rate index below) comes with the payments revision.
depends_on = "0006"

LOW_SQL = "on_hand <= reserved + low_stock_threshold"  # = app.inventory.models.LOW_SQL


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_breakdown", ["tenant_id", "status", "payment_status", "payment_method",
                                                      "created_at", "total"], unique=False)
        batch_op.create_index("ix_orders_timeline", ["tenant_id", "created_at", "status", "total"], unique=False)
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index("ix_order_lines_sales", ["tenant_id", "order_id", "product_id", "quantity",
                                                       "line_total"], unique=False)
    with op.batch_alter_table("order_status_changes", schema=None) as batch_op:
        batch_op.create_index("ix_order_status_changes_moves", ["tenant_id", "to_status", "field", "created_at",
                                                                "order_id"], unique=False)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_breakdown", ["tenant_id", "method", "status", "created_at"], unique=False)
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.create_index("ix_reservations_active", ["tenant_id", "status", "expires_at"], unique=False)
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.create_index("ix_stock_levels_low", ["tenant_id", "store_id", "variant_id", "on_hand", "reserved",
                                                      "low_stock_threshold"], unique=False,
                              sqlite_where=sa.text(LOW_SQL), postgresql_where=sa.text(LOW_SQL))


def downgrade():
    with op.batch_alter_table("stock_levels", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_levels_low")
    with op.batch_alter_table("reservations", schema=None) as batch_op:
        batch_op.drop_index("ix_reservations_active")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index("ix_payments_breakdown")
    with op.batch_alter_table("order_status_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_order_status_changes_moves")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_order_lines_sales")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_timeline")
        batch_op.drop_index("ix_orders_breakdown")
