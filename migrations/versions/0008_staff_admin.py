"""staff admin: when each staff member last opened the notification bell

Revision ID: 0008_staff_admin
Revises: 0005
Create Date: 2026-11-21 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_staff_admin'
down_revision = '0007_catalog_admin'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bell_seen_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('bell_seen_at')
