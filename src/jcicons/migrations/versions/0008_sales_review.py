"""sales: the buyer's business name, TIN and address kept on each sale; cash recounts

Revision ID: 0008_sales_review
Revises: 0007_inventory_idempotency
Create Date: 2026-12-05 06:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import jcicons.db


# revision identifiers, used by Alembic.
revision = "0008_sales_review"
down_revision = "0007_inventory_idempotency"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customer_business_name", sa.String(length=160), nullable=True)
        )
        batch_op.add_column(
            sa.Column("customer_tin", sa.String(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column("customer_address", sa.String(length=500), nullable=True)
        )

    with op.batch_alter_table("cash_counts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "recounted_at", jcicons.db.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade():
    with op.batch_alter_table("cash_counts", schema=None) as batch_op:
        batch_op.drop_column("recounted_at")

    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_column("customer_address")
        batch_op.drop_column("customer_tin")
        batch_op.drop_column("customer_business_name")
