"""repairs: when an estimate was asked for; idempotency keys on intake and payments

Revision ID: 0009_repair_guards
Revises: 0008_sales_review
Create Date: 2026-12-04 08:00:00.000000

"""

from alembic import op
import sqlalchemy as sa

import jcicons.db


# revision identifiers, used by Alembic.
revision = "0009_repair_guards"
down_revision = "0008_sales_review"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("repair_tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "estimate_requested_at",
                jcicons.db.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("idempotency_key", sa.String(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_repair_tickets_idempotency_key"), ["idempotency_key"]
        )
    # A ticket waiting for the customer's answer today was asked for an estimate.
    op.execute(
        "UPDATE repair_tickets SET estimate_requested_at = updated_at "
        "WHERE status = 'WAITING_APPROVAL' OR estimate_decided_at IS NOT NULL"
    )

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("idempotency_key", sa.String(length=64), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_payments_idempotency_key"), ["idempotency_key"]
        )


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_payments_idempotency_key"), type_="unique"
        )
        batch_op.drop_column("idempotency_key")

    with op.batch_alter_table("repair_tickets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_repair_tickets_idempotency_key"), type_="unique"
        )
        batch_op.drop_column("idempotency_key")
        batch_op.drop_column("estimate_requested_at")
