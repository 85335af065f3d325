"""order returns, and the indexes the back-office order list filters on

Revision ID: 0010_order_returns
Revises: 0005
Create Date: 2026-11-22 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010_order_returns"
down_revision = "0009_backoffice_indexes"
branch_labels = None
depends_on = None

ORDER_INDEXES = (
    ("ix_orders_tenant_status_created", ["tenant_id", "status", "created_at"]),
    ("ix_orders_tenant_payment_created", ["tenant_id", "payment_status", "created_at"]),
    ("ix_orders_tenant_store_created", ["tenant_id", "fulfilment_store_id", "created_at"]),
    ("ix_orders_tenant_total", ["tenant_id", "total"]),
    ("ix_orders_tenant_phone", ["tenant_id", "phone"]),
    ("ix_orders_tenant_email", ["tenant_id", "email"]),
)

NAME_COLUMNS = ("first_name", "last_name")


def upgrade():
    op.create_table(
        "order_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("restock", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_returns_order_id_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_order_returns_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_returns")),
    )
    with op.batch_alter_table("order_returns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_returns_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_return_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_order_return_lines_quantity_positive")),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"],
                                name=op.f("fk_order_return_lines_order_line_id_order_lines"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["return_id"], ["order_returns.id"],
                                name=op.f("fk_order_return_lines_return_id_order_returns"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_order_return_lines_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_return_lines")),
    )
    with op.batch_alter_table("order_return_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_return_lines_order_line_id"), ["order_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_return_lines_return_id"), ["return_id"], unique=False)

    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name, columns in ORDER_INDEXES:
            batch_op.create_index(name, columns, unique=False)
    # Name search (a prefix of lower(name)): LIKE on PostgreSQL needs text_pattern_ops.
    ops = " text_pattern_ops" if op.get_bind().dialect.name == "postgresql" else ""
    for column in NAME_COLUMNS:
        op.create_index(f"ix_orders_tenant_{column}_lower", "orders", ["tenant_id", sa.text(f"lower({column}){ops}")])


def downgrade():
    for column in NAME_COLUMNS:
        op.drop_index(f"ix_orders_tenant_{column}_lower", table_name="orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for name, _columns in reversed(ORDER_INDEXES):
            batch_op.drop_index(name)
    with op.batch_alter_table("order_return_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_return_lines_return_id"))
        batch_op.drop_index(batch_op.f("ix_order_return_lines_order_line_id"))
    op.drop_table("order_return_lines")
    with op.batch_alter_table("order_returns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_returns_order_id"))
    op.drop_table("order_returns")
