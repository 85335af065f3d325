"""staff session version: a password reset, a role change or a deactivation ends sessions

Revision ID: 0012_staff_session_version
Revises: 0011_provider_credentials
Create Date: 2026-12-15 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_staff_session_version"
down_revision = "0011_provider_credentials"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("staff_users") as batch_op:
        batch_op.drop_column("session_version")
