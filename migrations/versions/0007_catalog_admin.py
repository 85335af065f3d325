"""catalog back-office: product version (optimistic lock), admin list index, CSV imports

Revision ID: 0007_catalog_admin
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_catalog_admin"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    # Only an added column: SQLite's ALTER TABLE does it in place, so the batch does not
    # rebuild ``products`` (which would drop the full-text triggers of migration 0001).
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("ix_products_admin", "products", ["tenant_id", "id"], unique=False)

    op.create_table(
        "catalog_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("valid_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("new_categories", sa.JSON(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"],
                                name=op.f("fk_catalog_imports_staff_id_staff_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_catalog_imports_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_imports")),
    )
    op.create_index("ix_catalog_imports_tenant_created", "catalog_imports", ["tenant_id", "created_at"],
                    unique=False)


def downgrade():
    op.drop_index("ix_catalog_imports_tenant_created", table_name="catalog_imports")
    op.drop_table("catalog_imports")
    op.drop_index("ix_products_admin", table_name="products")
    op.drop_column("products", "version")  # in place (SQLite >= 3.35): no rebuild, triggers stay
